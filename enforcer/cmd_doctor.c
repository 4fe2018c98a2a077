/*
 * cmd_doctor.c: enforcer doctor --gateway G --node N [--node N...] PATH:
 * which link of the CredSSP delegation chain from a WAC gateway to each
 * node is broken, each with its fix (doctor.h).  Reads only: no lock, no
 * history.  The hosts are read in parallel on the engine's pool.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "doctor.h"
#include "json.h"
#include "run.h"

#define DOCTOR_MAX_NODES	64

struct doctor_args {
	const char		*gateway;
	const char		*nodes[DOCTOR_MAX_NODES];
	size_t			 nnodes;
	struct run_opts		 o;
};

/* The distinct hosts to read: [0] the gateway, then the nodes'. */
struct doctor_pool {
	const struct model_host	*hosts[DOCTOR_MAX_NODES + 1];
	struct doctor_facts	 facts[DOCTOR_MAX_NODES + 1];
	size_t			 n;
	time_t			 now;
};

static void
cmd_doctor_usage(FILE *fp, const void *arg)
{
	fprintf(fp,
	    "usage: %s doctor --gateway NAME --node NAME [--node NAME...]\n"
	    "       %*s [--json] [--parallel N] [PATH]\n\n"
	    "Diagnose the CredSSP delegation error (\"A computer policy does "
	    "not allow the\ndelegation of the user credentials to the target "
	    "computer...\") for a Windows\nAdmin Center gateway and the nodes "
	    "it reaches: read both sides and judge\nevery link (CredSSP roles, "
	    "the delegation lists against the name used,\nlistener certificate "
	    "trust as the gateway sees it, TrustedHosts, the\nencryption "
	    "oracle, Group Policy), each broken one with its fix.  Names are\n"
	    "as WAC uses them: an inventory host's name, its short name, or "
	    "its address.\nReads only.\n\n"
	    "  --gateway NAME    the WAC gateway\n"
	    "  --node NAME       a node, as WAC names it (repeat for more)\n"
	    "  --json            findings as JSON\n"
	    "  --parallel N      hosts read at once (default 16)\n"
	    "\nexit status: 0 every chain is sound, 1 error, 2 a link is "
	    "broken,\n3 a host could not be read\n",
	    cmd_progname, (int)strlen(cmd_progname) + 7, "");
}

static int
cmd_doctor_option(void *arg, int ch, const char *optarg, char **cause)
{
	struct doctor_args *a = arg;

	if (a->nnodes == DOCTOR_MAX_NODES)	/* 'N', its only one */
		return cause_set(cause, "more than %d nodes", DOCTOR_MAX_NODES);
	a->nodes[a->nnodes++] = optarg;
	return 0;
}

static int
cmd_doctor_parse(struct doctor_args *a, int argc, char **argv, char **cause)
{
	static const struct option longopts[] = {
		{ "gateway", required_argument, NULL, 'g' },
		{ "node", required_argument, NULL, 'N' },
		CMD_OPT_JSON, CMD_OPT_PARALLEL, CMD_OPTS_END,
	};
	const struct cmd_store store[] = {
		{ 'g', &a->gateway, NULL },
		{ 0, NULL, NULL },
	};
	const struct cmd_parser p = { "doctor", longopts, &a->o, store,
	    cmd_doctor_usage, cmd_doctor_option, a };

	if (cmd_options(&p, argc, argv, cause) == -1)
		return -1;
	if (a->gateway == NULL || a->nnodes == 0) {
		cmd_doctor_usage(stderr, NULL);
		return cause_set(cause, "expected --gateway and --node");
	}
	return cmd_options_path(&p, argc, argv, cause);
}

static size_t
cmd_doctor_slot(struct doctor_pool *p, const struct model_host *h)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->hosts[i] == h)
			return i;
	p->hosts[p->n] = h;
	return p->n++;
}

/* Names to hosts; slot[i] is node i's place in the pool. */
static int
cmd_doctor_resolve(struct doctor_pool *p, const struct doctor_args *a,
    const struct model *m, size_t *slot, char **cause)
{
	const struct model_host *h;
	size_t i;

	if ((h = doctor_resolve(m, a->gateway, cause)) == NULL)
		return cause_prefix(cause, "--gateway");
	cmd_doctor_slot(p, h);
	for (i = 0; i < a->nnodes; i++) {
		if ((h = doctor_resolve(m, a->nodes[i], cause)) == NULL)
			return cause_prefix(cause, "--node");
		slot[i] = cmd_doctor_slot(p, h);
	}
	return 0;
}

static void
cmd_doctor_one(void *arg, size_t i)
{
	struct doctor_pool *p = arg;

	doctor_read(&p->facts[i], p->hosts[i], p->now);
}

static void
cmd_doctor_skip(void *arg, size_t i)
{
	struct doctor_pool *p = arg;

	p->facts[i].host = p->hosts[i];
	p->facts[i].error = xstrdup("not read: interrupted");
}

static void
cmd_doctor_text(const struct doctor_path *paths, size_t n)
{
	const struct doctor_finding *f;
	const struct doctor_path *p;
	size_t i, k, broken = 0;

	for (i = 0; i < n; i++) {
		p = &paths[i];
		printf("%s -> %s (%s): %s, as %s\n", p->gateway->host->name,
		    p->name, p->node->host->name, p->auth, p->why_auth);
		for (k = 0; k < p->n; k++) {
			f = &p->v[k];
			printf("  %-7s %-21s %s: %s\n",
			    doctor_status_name(f->status), f->link, f->host,
			    f->what);
			if (f->fix != NULL && f->status >= DOCTOR_WARN)
				printf("          fix: %s\n", f->fix);
		}
		broken += doctor_worst(p) == DOCTOR_BROKEN;
		printf("\n");
	}
	printf("doctor: %zu path%s, %zu sound, %zu broken\n", n,
	    n == 1 ? "" : "s", n - broken, broken);
}

static void
cmd_doctor_json_path(struct json *j, const struct doctor_path *p)
{
	const struct doctor_finding *f;
	size_t k;

	json_object_begin(j);
	json_kv_string(j, "gateway", p->gateway->host->name);
	json_kv_string(j, "name", p->name);
	json_kv_string(j, "node", p->node->host->name);
	json_kv_string(j, "auth", p->auth);
	json_kv_string(j, "auth_because", p->why_auth);
	json_kv_bool(j, "sound", doctor_worst(p) != DOCTOR_BROKEN);
	json_key(j, "findings");
	json_array_begin(j);
	for (k = 0; k < p->n; k++) {
		f = &p->v[k];
		json_object_begin(j);
		json_kv_string(j, "link", f->link);
		json_kv_string(j, "host", f->host);
		json_kv_string(j, "status", doctor_status_name(f->status));
		json_kv_string(j, "what", f->what);
		json_kv_string(j, "fix", f->fix);
		json_kv_bool(j, "gpo", f->gpo);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void
cmd_doctor_json(const struct doctor_pool *pool, const struct doctor_path *paths,
    size_t n)
{
	struct buf out = BUF_INIT;
	struct json j;
	size_t i;

	json_init(&j, &out);
	json_object_begin(&j);
	json_key(&j, "paths");
	json_array_begin(&j);
	for (i = 0; i < n; i++)
		cmd_doctor_json_path(&j, &paths[i]);
	json_array_end(&j);
	json_key(&j, "unread");
	json_array_begin(&j);
	for (i = 0; i < pool->n; i++)
		if (pool->facts[i].error != NULL) {
			json_object_begin(&j);
			json_kv_string(&j, "host", pool->hosts[i]->name);
			json_kv_string(&j, "error", pool->facts[i].error);
			json_object_end(&j);
		}
	json_array_end(&j);
	json_object_end(&j);
	printf("%s\n", buf_cstr(&out));
	buf_release(&out);
}

/* Judge each readable gateway -> node path; the exit status. */
static int
cmd_doctor_report(const struct doctor_args *a, const struct doctor_pool *pool,
    const size_t *slot)
{
	struct doctor_path paths[DOCTOR_MAX_NODES];
	struct doctor_opts o = { a->o.src.path, pool->now };
	size_t i, n = 0;
	int code = EXIT_OK, unread = 0;

	for (i = 0; i < pool->n; i++)
		if (pool->facts[i].error != NULL) {
			fprintf(stderr, "%s: doctor: %s\n", cmd_progname,
			    pool->facts[i].error);
			unread = 1;
		}
	for (i = 0; i < a->nnodes; i++) {
		if (pool->facts[0].error != NULL ||
		    pool->facts[slot[i]].error != NULL)
			continue;
		doctor_check(&paths[n], &pool->facts[0], &pool->facts[slot[i]],
		    a->nodes[i], &o);
		if (doctor_worst(&paths[n]) == DOCTOR_BROKEN)
			code = EXIT_PENDING;
		n++;
	}
	if (a->o.json)
		cmd_doctor_json(pool, paths, n);
	else
		cmd_doctor_text(paths, n);
	for (i = 0; i < n; i++)
		doctor_path_release(&paths[i]);
	return unread ? EXIT_HOSTS : code;
}

int
cmd_doctor(int argc, char **argv)
{
	struct errors errs = ERRORS_INIT;
	struct doctor_args a;
	struct doctor_pool *pool;
	struct run r;
	size_t slot[DOCTOR_MAX_NODES], i;
	char *cause = NULL;
	int code = EXIT_ERROR;

	memset(&a, 0, sizeof(a));
	memset(&r, 0, sizeof(r));
	pool = xcalloc(1, sizeof(*pool));
	run_opts_init(&a.o, "doctor");
	a.o.history = RUN_HISTORY_NONE;
	if (cmd_doctor_parse(&a, argc, argv, &cause) == -1 ||
	    run_open(&r, &a.o, &errs, &cause) == -1 ||
	    cmd_doctor_resolve(pool, &a, r.d.m, slot, &cause) == -1)
		goto out;
	pool->now = time(NULL);
	engine_each(pool->n, a.o.eo.parallel, NULL, cmd_doctor_one,
	    cmd_doctor_skip, pool);
	code = run_signal_exit(cmd_doctor_report(&a, pool, slot));
out:
	cmd_errors("doctor", &errs, cause);
	free(cause);
	for (i = 0; i < pool->n; i++)
		doctor_facts_release(&pool->facts[i]);
	free(pool);
	run_release(&r);
	errors_clear(&errs);
	return code;
}
