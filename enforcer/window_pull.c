/*
 * window_pull.c: the fail-safes of a window acted on alone, on every
 * target the run reaches: what `window close` does before it reverts (the
 * fail-safes pulled forward to their new end plus the grace, and read
 * back: docs/windows.md, "Closed early"), and what `window open` of a
 * window over several hosts does before it turns anything on (each
 * host's fail-safe armed and read back).
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

/* The host's fail-safe did not reach its target. */
static int
wp_host_failed(const struct engine_host *eh)
{
	size_t i;

	if (eh->error != NULL)
		return 1;
	for (i = 0; i < eh->changes.n; i++)
		if (eh->info[i].result != ENGINE_VERIFIED)
			return 1;
	return 0;
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
 * Run the fail-safe paths alone on the targets, as verb, with guard: 0
 * with *failed set to the hosts whose fail-safe did not get to its
 * target (a host not reached, a change not verified), "" for none.
 */
static int
wp_run(const struct window_args *a, const char *hosts, const char **paths,
    size_t npaths, const struct engine_guard *guard, const char *verb,
    struct buf *failed)
{
	struct errors errs = ERRORS_INIT;
	struct engine_target *t = NULL;
	struct run_opts o;
	struct run r;
	char *glob = NULL, *cause = NULL, *as;
	size_t n = 0, i;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	run_opts_plan(&o, 1);
	o.verb = verb;
	o.eo.guard = guard;
	o.eo.at = a->at;
	o.json = a->reports != NULL;
	o.json_sink = a->reports;
	o.warned = 1;	/* the apply that follows says them */
	window_desired_src(&o.src, a);
	if (hosts != NULL)
		glob = xstrndup(hosts + 1, strlen(hosts) - 2);
	fflush(stdout);
	if (desired_src_check(&o.src, &cause) == -1 ||
	    run_open(&r, &o, &errs, &cause) == -1)
		goto out;
	n = wp_targets(&t, r.d.m, glob, a->at, paths, npaths);
	if (n > 0 && run_engine(&r, t, n, &cause) == 0) {
		run_report(&r, verb);
		run_record(&r, &cause);
		for (i = 0; i < r.er.nhosts; i++)
			if (wp_host_failed(&r.er.hosts[i]))
				buf_printf(failed, "%s%s", failed->len ? ", " :
				    "", r.er.hosts[i].host->name);
		rc = 0;
	}
out:
	as = xasprintf("window %s", strcmp(verb, "close") == 0 ? "close" :
	    "open");
	cmd_errors(as, &errs, cause);
	free(as);
	free(cause);
	run_release(&r);
	wp_free(t, n);
	errors_clear(&errs);
	free(glob);
	return rc;
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
	struct buf failed = BUF_INIT;

	wp_run(a, hosts, paths, npaths, &window_guard_close, "close",
	    &failed);
	buf_release(&failed);
}

/*
 * A window over several hosts turns nothing on until every one of them
 * holds its fail-safe: the engine alone arms each host's before that
 * host's own changes, not before the other hosts'.
 */
int
window_arm_first(const struct window_args *a, const char *hosts,
    const char **paths, size_t npaths, char **cause)
{
	struct buf failed = BUF_INIT;
	int rc;

	rc = wp_run(a, hosts, paths, npaths, &window_guard, "open", &failed);
	if (rc == -1)
		cause_set(cause, "the fail-safes could not be armed");
	else if (failed.len > 0)
		rc = cause_set(cause, "fail-safe not armed on %s",
		    buf_cstr(&failed));
	buf_release(&failed);
	return rc;
}
