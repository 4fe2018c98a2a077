/*
 * window_pull.c: what `window close` does before it reverts: the
 * fail-safes of the windows just closed pulled forward to their new end
 * plus the grace, and read back, on every target the run reaches
 * (docs/windows.md, "Closed early").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "run.h"
#include "window.h"
#include "window_failsafe.h"

/*
 * The targets of the run that pulls the fail-safes of the windows just
 * closed forward: every host of hosts (",a,b,", or NULL for all) the
 * fail-safe applies to, reading its credssp (the task's command is
 * computed from it) and acting on paths only.  *out: wp_free().
 */
static size_t
wp_targets(struct engine_target **out, const struct model *m,
    const char *hosts, time_t at, const char **paths, size_t npaths)
{
	const struct model_host *h;
	struct node *eff, *d;
	char *cause = NULL;
	size_t i, n = 0;

	*out = xcalloc(m->nhosts + 1, sizeof(**out));
	for (i = 0; i < m->nhosts; i++) {
		h = &m->hosts[i];
		if ((hosts != NULL && model_host_match(h, hosts) == 0) ||
		    model_effective(&eff, m, h, at, &cause) == -1) {
			free(cause);
			cause = NULL;
			continue;
		}
		if (window_failsafe_applies(m, h, eff)) {
			d = node_map();
			node_map_set(d, "credssp", node_get(eff, "credssp") ?
			    node_copy(node_get(eff, "credssp")) : node_map());
			(*out)[n++] = (struct engine_target){ h, d, paths,
			    npaths };
		}
		node_free(eff);
	}
	return n;
}

static void
wp_free(struct engine_target *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		node_free((struct node *)t[i].desired);
	free(t);
}

/*
 * Before the revert, each reachable target's fail-safe for the windows
 * just closed is pulled forward to their new end (now) plus the grace,
 * and read back: should the revert then not reach a host, or be killed,
 * the host turns CredSSP off by itself within the grace of the close, not
 * at the end of its lease.  Recorded as a run of its own ("close"); a host
 * it cannot reach is reported, and the revert is tried all the same.
 */
void
window_pull_forward(const struct window_args *a, const char *hosts,
    const char **paths, size_t npaths)
{
	struct errors errs = ERRORS_INIT;
	struct engine_target *t = NULL;
	struct run_opts o;
	struct run r;
	char *glob = NULL, *cause = NULL;
	size_t n = 0;

	memset(&r, 0, sizeof(r));
	run_opts_plan(&o, 1);
	o.verb = "close";
	o.eo.guard = &window_guard_close;
	o.eo.at = a->at;
	window_desired_src(&o.src, a);
	if (hosts != NULL)
		glob = xstrndup(hosts + 1, strlen(hosts) - 2);
	fflush(stdout);
	if (desired_src_check(&o.src, &cause) == -1 ||
	    run_open(&r, &o, &errs, &cause) == -1)
		goto out;
	n = wp_targets(&t, r.d.m, glob, a->at, paths, npaths);
	if (n > 0 && run_engine(&r, t, n, &cause) == 0) {
		run_report(&r, "close");
		run_record(&r, &cause);
	}
out:
	cmd_errors("window close", &errs, cause);
	free(cause);
	run_release(&r);
	wp_free(t, n);
	errors_clear(&errs);
	free(glob);
}
