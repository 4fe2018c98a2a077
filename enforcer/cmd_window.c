/*
 * cmd_window.c: enforcer window open | close | extend | list.
 *
 * open, close and extend write the window into the desired state (a new
 * windows/NAME.yaml, or the end of the window where it is written), load
 * the desired state again to check it, commit it when it lives in git,
 * then apply to the hosts the window targets through run.c, as `enforcer
 * apply --hosts` does, so that the run is recorded like any other.  list is in
 * cmd_window_list.c.
 */
#include <sys/stat.h>

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "confdir.h"
#include "failsafe.h"
#include "json.h"
#include "report.h"
#include "model.h"
#include "run.h"
#include "timeparse.h"
#include "window.h"

static void
cmd_window_usage(FILE *fp, const void *arg)
{
	fprintf(fp,
	    "usage: %s window open NAME --for DURATION --hosts TARGET[,...]\n"
	    "           --set KIND.KEY=VALUE [--set ...] --reason TEXT\n"
	    "           [--start TIME] [--no-commit] [--no-apply] [--at TIME] "
	    "[SOURCE]\n"
	    "       %s window open create-cluster --gateway HOST --nodes TARGET\n"
	    "           --for DURATION --reason TEXT [--member ACCOUNT "
	    "[--group NAME]] ...\n"
	    "       %s window close NAME | --all [--reason TEXT] [--no-commit]\n"
	    "           [--no-apply] [--at TIME] [SOURCE]\n"
	    "       %s window extend NAME --for DURATION | --until TIME\n"
	    "           [--reason TEXT] [--no-commit] [--no-apply] [--at TIME] "
	    "[SOURCE]\n"
	    "       %s window list [--check] [--json] [--offline] "
	    "[--recent DURATION]\n"
	    "           [--history DIR] [--at TIME] [PATH]\n"
	    "SOURCE: PATH or --repo REPO --ref BRANCH[:DIR], with\n"
	    "           [--require-signed KEYRING] [--sign KEYID] "
	    "[--history DIR]\n\n"
	    "Open, end early, extend and list windows: temporary overrides of\n"
	    "the policies, such as CredSSP for a cluster wizard.  open, close\n"
	    "and extend write the desired state in PATH (default: as for apply,\n"
	    "$ENFORCER_CONFDIR/desired or /etc/enforcer/desired), commit it\n"
	    "when PATH is in a git work tree (or on BRANCH of REPO), then apply\n"
	    "to the window's hosts.\n\n"
	    "  --for DURATION    open: how long (2h, 90m); extend: how much longer\n"
	    "  --until TIME      extend: the new end (RFC 3339)\n"
	    "  --hosts TARGETS   open: hosts, groups or all, comma-separated\n"
	    "  --set K=V         open: a value while the window is open, e.g.\n"
	    "                    credssp.server=enabled; V is YAML (a list: [a, b])\n"
	    "  --gateway HOST    create-cluster: the WAC gateway (client role,\n"
	    "                    delegating to exactly the nodes)\n"
	    "  --nodes TARGET    create-cluster: the nodes (server role), a host\n"
	    "                    or group; every fail-safe is armed before any\n"
	    "                    host's CredSSP is turned on\n"
	    "  --member ACCOUNT  create-cluster: also a member of --group on the\n"
	    "                    gateway (default Windows Admin Center CredSSP\n"
	    "                    Administrators)\n"
	    "  --reason TEXT     why (recorded in the window and the commit)\n"
	    "  --start TIME      open: start later than now\n"
	    "  --all             close: every open window (the panic button)\n"
	    "  --no-commit       write the file but do not commit it\n"
	    "  --no-apply        write and commit only; the next apply acts\n"
	    "  --at TIME         act as if it were TIME (rehearsals)\n"
	    "  --check           list: exit 2 if a host is not known to be\n"
	    "                    reverted after its window's end (monitoring)\n"
	    "  --json            list: one JSON object (docs/json.md); each host\n"
	    "                    with ok: false where --check would fail\n"
	    "  --offline         list: read no host; use the history only\n"
	    "  --recent DURATION list: windows ended within DURATION (7d)\n"
	    "  --history DIR     the history repository\n"
	    "  --repo REPO --ref BRANCH  write the window in a commit on BRANCH of\n"
	    "                    the local repository REPO (no work tree), as\n"
	    "                    plan and apply --repo read it\n"
	    "  --require-signed KEYRING  write only a commit signed by a key of\n"
	    "                    KEYRING (needs --sign); with --repo, read only one\n"
	    "  --sign KEYID      sign the window's commit with gpg's key KEYID\n\n"
	    "exit status: 0 done, 1 error, 2 list --check: not reverted, or as\n"
	    "apply for the apply that follows open, close and extend\n",
	    cmd_progname, cmd_progname, cmd_progname, cmd_progname,
	    cmd_progname);
}

/* What a verb says besides its reports: on stderr with --json. */
static void PRINTFLIKE(2, 3)
cmd_window_say(const struct window_args *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(a->reports != NULL ? stderr : stdout, fmt, ap);
	va_end(ap);
}

/* --- options -------------------------------------------------------------- */

/* --set credssp.client.delegate=[wsman/a, wsman/b] into a->set. */
static int
cmd_window_parse_set(struct window_args *a, const char *arg, char **cause)
{
	struct errors errs = ERRORS_INIT;
	const char *eq = strchr(arg, '=');
	struct node *at, *value = NULL, *next;
	char *path, *key, *save;
	int rc = -1;

	if (eq == NULL || eq == arg || eq[1] == '\0')
		return cause_set(cause, "--set '%s': write KIND.KEY=VALUE", arg);
	if (node_parse_string(&value, "--set", eq + 1, strlen(eq + 1),
	    &errs) == -1 || (value->kind == NODE_MAP && value->npairs == 0)) {
		cause_set(cause, "--set '%s': the value is not YAML", arg);
		goto out;
	}
	path = xstrndup(arg, (size_t)(eq - arg));
	at = a->set;
	/* Down the keys, making maps; the last one takes the value. */
	for (key = strtok_r(path, ".", &save); key != NULL;
	    key = strtok_r(NULL, ".", &save)) {
		next = node_get(at, key);
		if (*save == '\0') {
			if (next == NULL) {
				node_map_set(at, key, value);
				value = NULL;
				rc = 0;
			}
			break;
		}
		if (next == NULL) {
			next = node_map();
			node_map_set(at, key, next);
		} else if (next->kind != NODE_MAP)
			break;
		at = next;
	}
	if (rc == -1)
		cause_set(cause, "--set '%s': '%.*s' is set twice", arg,
		    (int)(eq - arg), arg);
	free(path);
out:
	node_free(value);
	errors_clear(&errs);
	return rc;
}

static int
cmd_window_parse_time(const char *opt, const char *s, time_t *out, char **cause)
{
	if (timeparse_rfc3339(s, out, cause) == -1)
		return cause_prefix(cause, "%s", opt);
	return 0;
}

/* The options whose value is read. */
static int
cmd_window_parse_opt(void *arg_, int ch, const char *arg, char **cause)
{
	struct window_args *a = arg_;

	switch (ch) {
	case 'f':
		return timeparse_duration(arg, &a->for_s, cause) == -1 ?
		    cause_prefix(cause, "--for") : 0;
	case 'u':
		return cmd_window_parse_time("--until", arg, &a->until, cause);
	case 's':
		return cmd_window_parse_time("--start", arg, &a->start, cause);
	case 'a':
		a->at_given = 1;
		return cmd_window_parse_time("--at", arg, &a->at, cause);
	case 'r':
		return timeparse_duration(arg, &a->recent, cause) == -1 ?
		    cause_prefix(cause, "--recent") : 0;
	}
	return cmd_window_parse_set(a, arg, cause);	/* 'S' */
}

/*
 * The desired state's source, as plan and apply take it, and its rule: a
 * keyring that requires signed commits refuses an unsigned window before
 * anything is written.
 */
static int
cmd_window_check_src(const struct window_args *a, int list, char **cause)
{
	if (list && (a->repo != NULL || a->keyring != NULL ||
	    a->sign_key != NULL))
		return cause_set(cause, "list reads PATH: --repo, "
		    "--require-signed and --sign go with open, close and extend");
	if (a->repo == NULL && a->ref != NULL)
		return cause_set(cause, "--ref goes with --repo");
	if (a->repo != NULL && a->path_given)
		return cause_set(cause, "give PATH or --repo, not both");
	if (a->repo != NULL && a->ref == NULL)
		return cause_set(cause, "--repo needs --ref BRANCH");
	if (a->no_commit && (a->repo != NULL || a->keyring != NULL ||
	    a->sign_key != NULL))
		return cause_set(cause, "--no-commit leaves the window "
		    "uncommitted: not with --repo, --require-signed or --sign");
	if (a->keyring != NULL && a->sign_key == NULL)
		return cause_set(cause, "--require-signed %s: the window would "
		    "be committed unsigned, which that keyring refuses: give "
		    "--sign KEYID", a->keyring);
	return 0;
}

/* What each subcommand takes and needs. */
static int
cmd_window_check_args(struct window_args *a, int nargs, char **cause)
{
	int open = strcmp(a->sub, "open") == 0, list;

	list = strcmp(a->sub, "list") == 0;
	if (!open && !list && strcmp(a->sub, "close") != 0 &&
	    strcmp(a->sub, "extend") != 0)
		return cause_set(cause, "unknown subcommand '%s' (open, close, "
		    "extend, list)", a->sub);
	if (nargs > (list || a->all ? 1 : 2))
		return cause_set(cause, "too many arguments");
	if (!list && !a->all && a->name == NULL)
		return cause_set(cause, "NAME is missing");
	if ((a->gateway != NULL || a->nodes != NULL || a->member != NULL ||
	    a->group != NULL) && (!open || a->name == NULL ||
	    !window_preset_known(a->name)))
		return cause_set(cause, "--gateway, --nodes, --member and --group "
		    "go with window open create-cluster");
	if (open && a->gateway != NULL) {
		if (a->for_s == 0 || a->nodes == NULL || a->reason == NULL ||
		    a->hosts != NULL || a->set->npairs > 0 ||
		    (a->group != NULL && a->member == NULL))
			return cause_set(cause, "%s: --gateway, --nodes, --for "
			    "and --reason are needed; --member with --group; "
			    "no --hosts or --set", a->name);
	} else if (open && (a->for_s == 0 || a->hosts == NULL ||
	    a->set->npairs == 0 || a->reason == NULL))
		return cause_set(cause, "--for, --hosts, --set and --reason are "
		    "all needed");
	if (strcmp(a->sub, "extend") == 0 && (a->for_s == 0) ==
	    (a->until == 0))
		return cause_set(cause, "give one of --for and --until");
	if (a->all && (strcmp(a->sub, "close") != 0 || a->name != NULL))
		return cause_set(cause, "--all goes with close and no NAME");
	return cmd_window_check_src(a, list, cause);
}

static int
cmd_window_parse(struct window_args *a, int argc, char **argv, char **cause)
{
	static const struct option longopts[] = {
		{ "for", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' },
		{ "start", required_argument, NULL, 's' },
		{ "at", required_argument, NULL, 'a' },
		{ "recent", required_argument, NULL, 'r' },
		{ "set", required_argument, NULL, 'S' },
		{ "hosts", required_argument, NULL, 'H' },
		{ "reason", required_argument, NULL, 'R' },
		{ "history", required_argument, NULL, 'D' },
		{ "all", no_argument, NULL, 'A' },
		{ "check", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "offline", no_argument, NULL, 'o' },
		{ "no-apply", no_argument, NULL, 'n' },
		{ "no-commit", no_argument, NULL, 'C' },
		{ "repo", required_argument, NULL, 'G' },
		{ "ref", required_argument, NULL, 'F' },
		{ "require-signed", required_argument, NULL, 'K' },
		{ "sign", required_argument, NULL, 'I' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "nodes", required_argument, NULL, 'N' },
		{ "member", required_argument, NULL, 'm' },
		{ "group", required_argument, NULL, 'p' },
		CMD_OPTS_END,
	};
	const struct cmd_store store[] = {
		{ 'H', &a->hosts, NULL }, { 'R', &a->reason, NULL },
		{ 'D', &a->history, NULL }, { 'G', &a->repo, NULL },
		{ 'F', &a->ref, NULL }, { 'K', &a->keyring, NULL },
		{ 'I', &a->sign_key, NULL }, { 'g', &a->gateway, NULL },
		{ 'N', &a->nodes, NULL }, { 'm', &a->member, NULL },
		{ 'p', &a->group, NULL }, { 'A', NULL, &a->all },
		{ 'c', NULL, &a->check }, { 'j', NULL, &a->json },
		{ 'o', NULL, &a->offline }, { 'n', NULL, &a->no_apply },
		{ 'C', NULL, &a->no_commit }, { 0, NULL, NULL },
	};
	const struct cmd_parser p = { "window", longopts, NULL, store,
	    cmd_window_usage, cmd_window_parse_opt, a };
	int n;

	if (argc < 2) {
		cmd_window_usage(stderr, NULL);
		return cause_set(cause, "bad usage");
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		cmd_window_usage(stdout, NULL);
		return 1;
	}
	a->sub = argv[1];
	/* The subcommand stands where getopt expects the program's name. */
	if (cmd_options(&p, argc - 1, argv + 1, cause) == -1)
		return -1;
	argc--;
	argv++;
	n = argc - optind;
	if (strcmp(a->sub, "list") != 0 && !a->all && n > 0)
		a->name = argv[optind++];
	if (optind < argc) {
		a->path = argv[optind++];
		a->path_given = 1;
	}
	return cmd_window_check_args(a, n, cause);
}

/* --- shared steps --------------------------------------------------------- */

/* Load a's desired state; errors name files as a names them. */
static int
cmd_window_load(const struct window_args *a, struct model **m)
{
	struct errors errs = ERRORS_INIT;
	char *name;
	size_t i;
	int rc;

	if ((rc = model_load(m, a->path, &errs)) == -1) {
		for (i = 0; i < errs.n; i++) {
			name = window_repo_name(a->repo_copy, a->ref,
			    errs.msg[i]);
			free(errs.msg[i]);
			errs.msg[i] = name;
		}
		cmd_errors("window", &errs, NULL);
	}
	errors_clear(&errs);
	return rc;
}

static const struct model_window *
cmd_window_find(const struct model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nwindows; i++)
		if (strcmp(m->windows[i].name, name) == 0)
			return &m->windows[i];
	return NULL;
}

static int
cmd_window_cap(const struct model *m, const char *name, time_t start,
    time_t end, char **cause)
{
	char have[32], cap[32];

	if (end <= start)
		return cause_set(cause, "window '%s' would end before it starts",
		    name);
	if (end - start <= m->settings.max_window)
		return 0;
	timeparse_format_duration(end - start, have, sizeof(have));
	timeparse_format_duration(m->settings.max_window, cap, sizeof(cap));
	return cause_set(cause, "window '%s' would last %s, longer than "
	    "max_window %s (settings.max_window)", name, have, cap);
}

/* Commit where the desired state lives; *committed 0: not in git. */
static int
cmd_window_commit_to(const struct window_args *a, const struct window_edits *e,
    const char *message, char id[41], int *committed, char **cause)
{
	*committed = 1;
	if (a->repo != NULL)
		return window_repo_commit(a->repo_copy, a, e, message, id,
		    cause);
	return window_commit_signed(a->path, e, message, a->sign_key,
	    a->keyring, id, committed, cause);
}

/*
 * The edits are checked by loading the desired state again, then
 * committed; either failing undoes them.  Prints what was committed.
 */
static int
cmd_window_settle(struct window_args *a, struct window_edits *e,
    const char *message, char **cause)
{
	struct model *m = NULL;
	char id[41];
	int committed;

	if (cmd_window_load(a, &m) == -1) {
		window_edits_undo(e);
		return cause_set(cause, "the desired state would be invalid: "
		    "nothing written");
	}
	/* Those of the state written, once: the apply does not repeat them. */
	cmd_errors("window", &m->warnings, NULL);
	a->warned = 1;
	model_free(m);
	if (a->no_commit) {
		cmd_window_say(a, "written, not committed (--no-commit)\n");
		return 0;
	}
	if (cmd_window_commit_to(a, e, message, id, &committed, cause) == -1) {
		window_edits_undo(e);
		return -1;
	}
	if (committed) {
		memcpy(a->commit, id, sizeof(a->commit));
		cmd_window_say(a, "committed %.7s: %.*s\n", id,
		    (int)strcspn(message, "\n"), message);
	} else
		cmd_window_say(a, "written (%s is not in a git work tree: not "
		    "committed)\n",
		    a->path);
	return 0;
}

/* Where a window's apply goes: those of its targets that reach a host. */
struct cmd_window_to {
	const struct model	*m;
	struct buf		 list;	/* ",a,b," */
	int			 all;	/* a target is "all" */
};

/* ",a,b,", "" when no target reaches a host, or NULL for every host. */
static const char *
cmd_window_to_hosts(const struct cmd_window_to *to)
{
	return to->all ? NULL : buf_cstr(&to->list);
}

/*
 * Add target name once, unless no host has it: an inventory group with no
 * host today, which the loader warns of, applies to nothing.
 */
static void
cmd_window_to_add(struct cmd_window_to *to, const char *name)
{
	char *seen;
	size_t i;

	if (strcmp(name, "all") == 0) {
		to->all = 1;
		return;
	}
	for (i = 0; i < to->m->nhosts; i++)
		if (model_host_match(&to->m->hosts[i], name))
			break;
	seen = xasprintf(",%s,", name);
	if (i < to->m->nhosts && strstr(buf_cstr(&to->list), seen) == NULL)
		buf_printf(&to->list, "%s%s,", to->list.len == 0 ? "," : "",
		    name);
	free(seen);
}

static void
cmd_window_targets(struct cmd_window_to *to, const struct model_window *w)
{
	size_t i;

	for (i = 0; i < w->nrules; i++)
		cmd_window_to_add(to, w->rules[i].target);
}

/*
 * Apply to hosts (",a,b,", "" for none, or NULL for every host) as
 * `enforcer apply --hosts a,b [--at TIME] PATH` would: the same run,
 * recorded and reported as an apply.
 */
static int
cmd_window_apply(const struct window_args *a, const char *hosts)
{
	struct run_opts o;
	char *list = NULL, *cause = NULL;
	int rc = EXIT_ERROR;

	if (a->no_apply)
		return EXIT_OK;
	if (hosts != NULL && *hosts == '\0') {
		cmd_window_say(a, "no host to apply to: the window's targets "
		    "have none\n");
		return EXIT_OK;
	}
	run_opts_plan(&o, 1);
	o.json = a->reports != NULL;
	o.json_sink = a->reports;
	o.warned = a->warned;
	if (hosts != NULL)
		o.eo.hosts_glob = list = xstrndup(hosts + 1, strlen(hosts) - 2);
	if (a->at_given)
		o.eo.at = a->at;
	window_desired_src(&o.src, a);
	fflush(stdout);
	if (desired_src_check(&o.src, &cause) == 0)
		rc = run_main(&o);
	cmd_errors("apply", NULL, cause);
	free(cause);
	free(list);
	return rc;
}

/*
 * Commit the edits with "window VERB MSG", then apply to targets; a close
 * (npaths > 0: its fail-safes' paths) first pulls the fail-safes forward.
 */
static int
cmd_window_finish(struct window_args *a, struct window_edits *e,
    const char *verb, const struct buf *msg, const char *targets,
    const char **paths, size_t npaths, char **cause)
{
	char *message;
	int rc;

	message = xasprintf("window %s %s\n%s%s%s", verb, buf_cstr(msg),
	    a->reason != NULL ? "\nReason: " : "", a->reason != NULL ?
	    a->reason : "", a->reason != NULL ? "\n" : "");
	rc = cmd_window_settle(a, e, message, cause);
	free(message);
	if (rc == -1)
		return -1;
	if (npaths > 0 && !a->no_apply && (targets == NULL || *targets != '\0'))
		window_pull_forward(a, targets, paths, npaths);
	return cmd_window_apply(a, targets);
}

/* --- open ------------------------------------------------------------------ */

static int
cmd_window_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
cmd_window_open_check(const struct window_args *a, const struct model *m,
    time_t start, time_t end, char **cause)
{
	const struct model_window *w;
	struct stat st;
	char *targets, *t, *save, *where;
	int rc = 0;

	if ((w = cmd_window_find(m, a->name)) != NULL) {
		where = window_repo_name(a->repo_copy, a->ref, w->node->file);
		cause_set(cause, "window '%s' already exists (at %s:%u)",
		    a->name, where, w->node->line);
		free(where);
		return -1;
	}
	if (stat(a->path, &st) == -1 || !S_ISDIR(st.st_mode))
		return cause_set(cause, "%s: not a directory: a window goes "
		    "into its windows/ directory", a->path);
	if (cmd_window_cap(m, a->name, start, end, cause) == -1)
		return -1;
	if (a->hosts == NULL)	/* a preset checks its own */
		return 0;
	targets = xstrdup(a->hosts);
	for (t = strtok_r(targets, ",", &save); t != NULL && rc == 0;
	    t = strtok_r(NULL, ",", &save))
		if (strcmp(t, "all") != 0 && model_host_find(m, t) == NULL &&
		    bsearch(&t, m->groups, m->ngroups, sizeof(*m->groups),
		    cmd_window_strcmp) == NULL &&
		    !inventory_groups_has(&m->inventory_groups, t))
			rc = cause_set(cause, "--hosts: '%s' is not a host, a "
			    "group or 'all'", t);
	free(targets);
	return rc;
}

static struct node *
cmd_window_apply_map(const struct window_args *a)
{
	struct node *apply;
	char *targets, *t, *save;

	apply = node_map();
	targets = xstrdup(a->hosts);
	for (t = strtok_r(targets, ",", &save); t != NULL;
	    t = strtok_r(NULL, ",", &save))
		node_map_set(apply, t, node_copy(a->set));
	free(targets);
	return apply;
}

static char *
cmd_window_open_message(const struct window_args *a, const char *hosts,
    time_t start, time_t end)
{
	char s[TIMEPARSE_UTC_LEN], e[TIMEPARSE_UTC_LEN];
	struct buf b = BUF_INIT;

	timeparse_format_utc(start, s, sizeof(s));
	timeparse_format_utc(end, e, sizeof(e));
	buf_printf(&b, "window open %s: %s\n\nStart: %s\nEnd: %s\nHosts: %s\n",
	    a->name, a->reason, s, e, hosts);
	return buf_detach(&b);
}

/*
 * A preset's window turns CredSSP on on several hosts: each host's
 * fail-safe is armed (a run of its own) before the apply turns anything
 * on; should one not be armed, nothing is.
 */
static int
cmd_window_open_apply(const struct window_args *a, const struct model *m,
    const char *targets, char **cause)
{
	struct cmd_window_to to = { m, BUF_INIT, 0 };
	const char *paths[1], *hosts;
	char *list = xstrdup(targets), *t, *save, *path;
	int rc = EXIT_ERROR;

	for (t = strtok_r(list, ",", &save); t != NULL;
	    t = strtok_r(NULL, ",", &save))
		cmd_window_to_add(&to, t);
	hosts = cmd_window_to_hosts(&to);
	if (a->gateway != NULL && !a->no_apply &&
	    (hosts == NULL || *hosts != '\0')) {
		path = xasprintf("%s%s", FAILSAFE_TASKS_PATH, a->name);
		paths[0] = path;
		rc = window_arm_first(a, hosts, paths, 1, cause);
		free(path);
		if (rc == -1) {
			cause_prefix(cause, "nothing turned on; the window "
			    "stays written (window close %s withdraws it)",
			    a->name);
			rc = EXIT_HOSTS;
			goto out;
		}
	}
	rc = cmd_window_apply(a, hosts);
out:
	buf_release(&to.list);
	free(list);
	return rc;
}

static int
cmd_window_open(struct window_args *a, const struct model *m, char **cause)
{
	struct window_edits e = WINDOW_EDITS_INIT;
	struct node *apply = NULL;
	time_t start = a->start != 0 ? a->start : a->at;
	time_t end = start + (time_t)a->for_s;
	char *msg = NULL, *targets = NULL;
	int rc = -1;

	if (cmd_window_open_check(a, m, start, end, cause) == -1)
		return -1;
	if (a->gateway != NULL) {
		if (window_preset_build(a, m, &apply, &targets, cause) == -1)
			goto out;
	} else {
		apply = cmd_window_apply_map(a);
		targets = xstrdup(a->hosts);
	}
	msg = cmd_window_open_message(a, targets, start, end);
	if (window_write(&e, a->path, a->name, start, end, a->reason, apply,
	    cause) == 0 && cmd_window_settle(a, &e, msg, cause) == 0)
		rc = cmd_window_open_apply(a, m, targets, cause);
out:
	window_edits_release(&e);
	node_free(apply);
	free(targets);
	free(msg);
	return rc;
}

/* --- close and extend ---------------------------------------------------- */

/* End w at end (close) in the edits; note its targets. */
static int
cmd_window_end_one(const struct window_args *a, const struct model_window *w,
    time_t end, struct window_edits *e, struct cmd_window_to *to,
    char **cause)
{
	char t[TIMEPARSE_UTC_LEN];

	cmd_window_targets(to, w);
	if (w->start > a->at) {
		timeparse_format_utc(w->start, t, sizeof(t));
		return cause_set(cause, "window '%s' has not started (it starts "
		    "%s): delete it from %s instead", w->name, t,
		    w->node->file);
	}
	timeparse_format_utc(w->end, t, sizeof(t));
	if (w->end <= a->at) {
		cmd_window_say(a, "window %s ended already, at %s\n", w->name,
		    t);
		return 0;
	}
	/* A window starting this very second still has to end after it. */
	return window_set_end(e, w, end > w->start ? end : w->start + 1,
	    cause);
}

static int
cmd_window_close(struct window_args *a, const struct model *m, char **cause)
{
	struct window_edits e = WINDOW_EDITS_INIT;
	struct cmd_window_to to = { m, BUF_INIT, 0 };
	struct buf msg = BUF_INIT;
	const struct model_window *w;
	char when[TIMEPARSE_UTC_LEN];
	const char **paths;
	time_t last = 0;
	size_t i, n = 0, npaths = 0;
	int rc = -1;

	timeparse_format_utc(a->at, when, sizeof(when));
	paths = xcalloc(m->nwindows + 1, sizeof(*paths));
	for (i = 0; i < m->nwindows; i++) {
		w = &m->windows[i];
		if (a->all ? !model_window_active(w, a->at) :
		    strcmp(w->name, a->name) != 0)
			continue;
		if (cmd_window_end_one(a, w, a->at, &e, &to, cause) == -1)
			goto out;
		if (w->end > a->at && w->start + 1 > last)
			last = w->start + 1;
		if (w->end > a->at)
			paths[npaths++] = xasprintf("%s%s", FAILSAFE_TASKS_PATH,
			    w->name);
		n++;
		buf_printf(&msg, "%s%s", msg.len > 0 ? ", " : "", w->name);
	}
	if (n == 0) {
		if (!a->all) {
			cause_set(cause, "no window '%s' in %s", a->name,
			    a->repo != NULL ? a->repo : a->path);
			goto out;
		}
		cmd_window_say(a, "no window is open\n");
		rc = EXIT_OK;
		goto out;
	}
	/*
	 * A window opened this very second ends one second after its start:
	 * revert only once that instant has come, or the apply would still
	 * see it open.
	 */
	if (last > a->at) {
		while (!a->at_given && time(NULL) < last)
			usleep(100000);
		a->at = last;	/* the end written: the pull-forward's instant */
	}
	buf_printf(&msg, ": ended early at %s", when);
	rc = e.n == 0 ? cmd_window_apply(a, cmd_window_to_hosts(&to)) :
	    cmd_window_finish(a, &e, "close", &msg, cmd_window_to_hosts(&to),
	    paths, npaths, cause);
out:
	for (i = 0; i < npaths; i++)
		free((char *)paths[i]);
	free(paths);
	window_edits_release(&e);
	buf_release(&to.list);
	buf_release(&msg);
	return rc;
}

static int
cmd_window_extend(struct window_args *a, const struct model *m, char **cause)
{
	struct window_edits e = WINDOW_EDITS_INIT;
	struct cmd_window_to to = { m, BUF_INIT, 0 };
	struct buf msg = BUF_INIT;
	const struct model_window *w;
	char was[TIMEPARSE_UTC_LEN], now[TIMEPARSE_UTC_LEN];
	time_t end;
	int rc = -1;

	if ((w = cmd_window_find(m, a->name)) == NULL)
		return cause_set(cause, "no window '%s' in %s", a->name,
		    a->repo != NULL ? a->repo : a->path);
	end = a->until != 0 ? a->until : w->end + (time_t)a->for_s;
	if (end <= a->at)
		return cause_set(cause, "window '%s': the new end is past: use "
		    "window close", a->name);
	if (cmd_window_cap(m, a->name, w->start, end, cause) == -1)
		return -1;
	cmd_window_targets(&to, w);
	timeparse_format_utc(w->end, was, sizeof(was));
	timeparse_format_utc(end, now, sizeof(now));
	buf_printf(&msg, "%s: now ends %s (was %s)", w->name, now, was);
	if (window_set_end(&e, w, end, cause) == 0)
		rc = cmd_window_finish(a, &e, "extend", &msg,
		    cmd_window_to_hosts(&to), NULL, 0, cause);
	window_edits_release(&e);
	buf_release(&to.list);
	buf_release(&msg);
	return rc;
}

/*
 * open, close, extend --json: one object, the reports of the runs they
 * made (docs/json.md's shape) in the order made: a close's pull-forward
 * of the fail-safes, a preset's arming, then the apply.
 */
static void
cmd_window_json(const struct window_args *a)
{
	struct buf out = BUF_INIT;
	const char *line, *nl;
	struct json j;

	report_json_begin(&j, &out, "window");
	json_kv_string(&j, "action", a->sub);
	json_kv_string(&j, "window", a->name);
	json_kv_string(&j, "commit", a->commit[0] != '\0' ? a->commit :
	    NULL);
	json_key(&j, "runs");
	json_array_begin(&j);
	for (line = buf_cstr(a->reports); *line != '\0'; line = nl + 1) {
		nl = strchrnul(line, '\n');
		json_raw(&j, line, (size_t)(nl - line));
		if (*nl == '\0')
			break;
	}
	json_array_end(&j);
	json_object_end(&j);
	printf("%s\n", buf_cstr(&out));
	buf_release(&out);
}

int
cmd_window(int argc, char **argv)
{
	struct window_repo wr;
	struct window_args a;
	struct buf reports = BUF_INIT;
	struct model *m = NULL;
	char *cause = NULL, *verb;
	int rc = EXIT_ERROR;

	memset(&wr, 0, sizeof(wr));
	memset(&a, 0, sizeof(a));
	a.path = confdir_desired();	/* no PATH: as apply's */
	a.at = time(NULL);
	a.recent = 7 * 86400;
	a.set = node_map();
	switch (cmd_window_parse(&a, argc, argv, &cause)) {
	case -1:
		goto out;
	case 1:
		rc = EXIT_OK;
		goto out;
	}
	if (strcmp(a.sub, "list") == 0) {
		rc = window_list(&a);
		goto out;
	}
	if (a.repo != NULL) {
		if (window_repo_open(&wr, &a, &cause) == -1)
			goto out;
		a.path = wr.dir;
		a.repo_copy = &wr;
	}
	if (a.json)
		a.reports = &reports;
	if (cmd_window_load(&a, &m) == -1)
		goto out;
	if (strcmp(a.sub, "open") == 0)
		rc = cmd_window_open(&a, m, &cause);
	else if (strcmp(a.sub, "close") == 0)
		rc = cmd_window_close(&a, m, &cause);
	else
		rc = cmd_window_extend(&a, m, &cause);
	if (rc == -1)
		rc = EXIT_ERROR;
	/* Nothing written, nothing run: the cause alone, as apply. */
	if (a.json && (a.commit[0] != '\0' || reports.len > 0 ||
	    rc != EXIT_ERROR))
		cmd_window_json(&a);
out:
	if (cause != NULL) {
		verb = xasprintf("window%s%s", a.sub != NULL ? " " : "",
		    a.sub != NULL ? a.sub : "");
		cmd_errors(verb, NULL, cause);
		free(verb);
	}
	free(cause);
	buf_release(&reports);
	node_free(a.set);
	model_free(m);
	window_repo_release(&wr);
	return rc;
}
