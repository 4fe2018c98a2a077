/*
 * cmd_plan.c: enforcer plan [--offline [--at TIME]] [--hosts GLOB] PATH.
 *
 * Both halves load the desired state here.  --offline prints each host's
 * effective desired state at an instant, each value annotated with the
 * policy or window that asks for it; without it, the engine
 * (cmd_apply.c) contacts the hosts.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "confdir.h"
#include "model.h"
#include "timeparse.h"

static void
cmd_plan_usage(FILE *fp, const void *arg)
{
	fprintf(fp,
	    "usage: %s plan [--offline [--at TIME]] [--hosts GLOB] PATH\n"
	    "\n"
	    "Show what apply would change on the hosts of the desired state in\n"
	    "PATH (a YAML file or a directory of them).\n"
	    "\n"
	    "  --offline    contact no host: print each host's effective desired\n"
	    "               state, with the policy or window behind each value\n"
	    "  --at TIME    with --offline: at this instant (RFC 3339, e.g.\n"
	    "               2026-11-25T10:00:00Z) instead of now\n"
	    "  --hosts GLOB only hosts whose name or one of whose groups\n"
	    "               matches GLOB (shell wildcards)\n"
	    "\n"
	    "exit status: 0 in sync (always, with --offline), 1 error,\n"
	    "2 changes pending, 3 some hosts could not be read\n",
	    cmd_progname);
}

/*
 * Scalars are printed plain when plain YAML reads them back as the same
 * value, else single-quoted.
 */
static int
cmd_plan_plain_ok(const struct node *n)
{
	const char *s = n->value;
	size_t i, len = strlen(s);

	if (len == 0 || s[len - 1] == ' ')
		return 0;
	if (n->quoted && (node_is_null(n) || node_is_bool(n) ||
	    node_is_int(n) || strcmp(s, "~") == 0))
		return 0;
	if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_./\\", s[0]) == NULL)
		return 0;
	for (i = 0; i < len; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789 _./\\@*+()-", s[i]) == NULL)
			return 0;
	return 1;
}

static void
cmd_plan_scalar(struct buf *out, const struct node *n)
{
	const char *p;

	if (n->kind != NODE_SCALAR) {
		buf_puts(out, n->kind == NODE_MAP ? "{...}" : "[...]");
		return;
	}
	if (cmd_plan_plain_ok(n)) {
		buf_puts(out, n->value);
		return;
	}
	buf_putc(out, '\'');
	for (p = n->value; *p != '\0'; p++) {
		if (*p == '\'')
			buf_putc(out, '\'');
		buf_putc(out, *p);
	}
	buf_putc(out, '\'');
}

/* A value in flow style, for "policy x says [a, b]". */
static void
cmd_plan_flow(struct buf *out, const struct node *n)
{
	size_t i;

	if (n->kind != NODE_SEQ) {
		cmd_plan_scalar(out, n);
		return;
	}
	buf_putc(out, '[');
	for (i = 0; i < n->nitems; i++) {
		if (i > 0)
			buf_puts(out, ", ");
		cmd_plan_scalar(out, n->items[i]);
	}
	buf_putc(out, ']');
}

/*
 * "# policy hci-nodes", "# policy hci-nodes (default)",
 * "# window w (until 2026-11-25T11:00:00Z; policy hci-nodes says false)"
 */
static void
cmd_plan_comment(struct buf *out, const struct node *v, const struct node *base)
{
	const struct origin *o = v->origin, *bo;
	char until[TIMEPARSE_UTC_LEN];
	int isdefault = v->line == 0;

	if (o == NULL)
		return;
	buf_puts(out, "   # ");
	if (o->kind == ORIGIN_POLICY) {
		buf_printf(out, "policy %s%s", o->name,
		    isdefault ? " (default)" : "");
		return;
	}
	timeparse_format_utc(o->window->end, until, sizeof(until));
	buf_printf(out, "window %s (until %s; ", o->name, until);
	if (isdefault)
		buf_puts(out, "default)");
	else if (base == NULL)
		buf_puts(out, "no policy sets it)");
	else {
		bo = base->origin;
		buf_printf(out, "policy %s says ", bo != NULL ? bo->name : "?");
		cmd_plan_flow(out, base);
		buf_puts(out, base->line == 0 ? " by default)" : ")");
	}
}

static void
cmd_plan_indent(struct buf *out, int n)
{
	buf_printf(out, "%*s", n, "");
}

/* The effective tree as block YAML, each leaf with its origin. */
static void
cmd_plan_map(struct buf *out, const struct node *map, const struct node *base,
    int indent)
{
	const struct node *v, *b;
	size_t i, j;

	for (i = 0; i < map->npairs; i++) {
		v = map->pairs[i].value;
		b = node_get(base, map->pairs[i].key->value);
		cmd_plan_indent(out, indent);
		cmd_plan_scalar(out, map->pairs[i].key);
		buf_putc(out, ':');
		if (v->kind == NODE_MAP) {
			buf_puts(out, v->npairs == 0 ? " {}\n" : "\n");
			cmd_plan_map(out, v, b != NULL && b->kind == NODE_MAP ?
			    b : NULL, indent + 2);
			continue;
		}
		if (v->kind == NODE_SEQ && v->nitems == 0)
			buf_puts(out, " []");
		else if (v->kind == NODE_SCALAR) {
			buf_putc(out, ' ');
			cmd_plan_scalar(out, v);
		}
		cmd_plan_comment(out, v, b != NULL && b->kind != NODE_MAP ?
		    b : NULL);
		buf_putc(out, '\n');
		for (j = 0; v->kind == NODE_SEQ && j < v->nitems; j++) {
			cmd_plan_indent(out, indent);
			buf_puts(out, "- ");
			cmd_plan_flow(out, v->items[j]);
			buf_putc(out, '\n');
		}
	}
}

static int
cmd_plan_host(struct buf *out, const struct model *m,
    const struct model_host *h, time_t at)
{
	struct node *eff = NULL, *base = NULL, *name;
	char *cause = NULL;
	int rc = -1;

	if (model_effective(&eff, m, h, at, &cause) == -1 ||
	    model_effective_base(&base, m, h, &cause) == -1) {
		fprintf(stderr, "%s: plan: %s: %s\n", cmd_progname, h->name,
		    cause);
		goto out;
	}
	name = node_scalar(h->name);
	name->quoted = 1;	/* a host "123" is a name, not a number */
	cmd_plan_scalar(out, name);
	node_free(name);
	if (eff->npairs == 0)
		buf_puts(out, ": {}   # no policy targets this host\n");
	else {
		buf_puts(out, ":\n");
		cmd_plan_map(out, eff, base, 2);
	}
	rc = 0;
out:
	free(cause);
	node_free(eff);
	node_free(base);
	return rc;
}

static void
cmd_plan_header(struct buf *out, const struct model *m, const char *path,
    time_t at)
{
	const struct model_window *w;
	char ts[TIMEPARSE_UTC_LEN], te[TIMEPARSE_UTC_LEN];
	size_t i;

	timeparse_format_utc(at, ts, sizeof(ts));
	buf_printf(out, "# desired state of %s at %s (offline: no host "
	    "contacted)\n", path, ts);
	for (i = 0; i < m->nwindows; i++) {
		w = &m->windows[i];
		timeparse_format_utc(w->start, ts, sizeof(ts));
		timeparse_format_utc(w->end, te, sizeof(te));
		buf_printf(out, "# window %s %s to %s, %s: %s\n", w->name, ts,
		    te, model_window_active(w, at) ? "active" :
		    at < w->start ? "not started" : "ended", w->reason);
	}
}

/* What the offline plan reads from its options. */
struct plan_opts {
	const char	*path;		/* desired state: a file or directory */
	const char	*hosts;		/* glob on host names and groups, or
					   NULL for every host */
};

static int
cmd_plan_offline(const struct model *m, const struct plan_opts *o, time_t at)
{
	struct buf out = BUF_INIT;
	size_t i, n = 0;
	char *msg;
	int rc = EXIT_OK;

	cmd_plan_header(&out, m, o->path, at);
	for (i = 0; i < m->nhosts; i++) {
		if (o->hosts != NULL && !model_host_match(&m->hosts[i],
		    o->hosts))
			continue;
		n++;
		if (cmd_plan_host(&out, m, &m->hosts[i], at) == -1)
			rc = EXIT_ERROR;
	}
	if (n == 0) {
		msg = model_hosts_nomatch(m, o->hosts);
		fprintf(stderr, "%s: plan: %s\n", cmd_progname, msg);
		free(msg);
		rc = EXIT_ERROR;
	} else
		fwrite(out.ptr, 1, out.len, stdout);
	buf_release(&out);
	return rc;
}

int
cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "offline", no_argument, NULL, 'o' },
		{ "at", required_argument, NULL, 'a' },
		{ "hosts", required_argument, NULL, 'H' },
		CMD_OPTS_END,
	};
	struct plan_opts po = { NULL, NULL };
	const char *at_arg = NULL;
	int offline = 0;
	const struct cmd_store store[] = {
		{ 'o', NULL, &offline },
		{ 'a', &at_arg, NULL },
		{ 'H', &po.hosts, NULL },
		{ 0, NULL, NULL },
	};
	const struct cmd_parser p = { "plan", opts, NULL, store,
	    cmd_plan_usage, NULL, NULL };
	struct errors errs = ERRORS_INIT;
	struct model *m = NULL;
	char *cause = NULL;
	time_t at = time(NULL);
	size_t i;
	int rc = EXIT_ERROR;

	/* Without --offline, plan is apply up to the first write. */
	for (i = 1; i < (size_t)argc && !offline; i++)
		offline = strcmp(argv[i], "--offline") == 0;
	if (!offline)
		return cmd_run_engine(0, argc, argv);
	if (cmd_operands(&p, argc, argv, 0, 1) == -1)
		return EXIT_ERROR;
	po.path = optind < argc ? argv[optind] : confdir_desired();
	if (at_arg != NULL && strcmp(at_arg, "now") != 0 &&
	    timeparse_rfc3339(at_arg, &at, &cause) == -1)
		cause_prefix(&cause, "--at");
	if (cause != NULL) {
		cmd_errors("plan", NULL, cause);
		free(cause);
		return EXIT_ERROR;
	}
	if (model_load(&m, po.path, &errs) == -1) {
		cmd_errors("plan", &errs, NULL);
		errors_clear(&errs);
		return EXIT_ERROR;
	}
	cmd_errors("plan", &m->warnings, NULL);
	rc = cmd_plan_offline(m, &po, at);
	model_free(m);
	return rc;
}
