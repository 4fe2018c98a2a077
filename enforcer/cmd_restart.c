/*
 * cmd_restart.c: the restart verbs, the guide's remedies.
 *
 *   restart-winrm PATH  restart WinRM on each selected host (the remedy
 *                       for broken WinRM connections)
 *   restart PATH        restart each selected computer (Remedy 1 for a
 *                       broken trust: restart the WAC gateway and the
 *                       target)
 *
 * The restart cannot be sent over the connection it cuts, so the host
 * does it: a one-shot task running as SYSTEM is created and run over
 * WinRM; the call that runs it may lose its connection.  Fresh clients
 * then poll until the host is back, as each verb defines it: for WinRM,
 * answering, Running and the task finished with exit code 0 (so a WinRM
 * that answers before it was even stopped is not taken for a restarted
 * one); for the computer, answering with a boot time
 * (Win32_OperatingSystem.LastBootUpTime) other than the one read before.
 * The task is then deleted.  Hosts are handled in parallel on the
 * engine's pool; one failing host never stops the others.  More than one
 * host needs --yes or a yes typed on the terminal.  A first SIGINT/SIGTERM
 * starts no new host; a host whose task was created is seen through to
 * the end.
 */
#include <errno.h>
#include <getopt.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd.h"
#include "json.h"
#include "report.h"
#include "run.h"
#include "secret.h"
#include "timeparse.h"
#include "wsman.h"

#define RESTART_SVC_URI	WSMAN_URI_WMI "/root/cimv2/Win32_Service"
#define RESTART_OS_URI	WSMAN_URI_WMI "/root/cimv2/Win32_OperatingSystem"
/* Task Scheduler's Last Result while a task runs, and before it ever ran. */
#define RESTART_RUNNING	"267009"
#define RESTART_NOT_RUN	"267011"

struct cmd_restart_host {
	const struct model_host	*host;
	long			 ms;	/* from /Run to answering again */
	char			*error;	/* one line, or NULL */
	char			*boot;	/* LastBootUpTime before (restart) */
	char			*boot_after;
	int			 attempted;
};

/* What one restart verb does and how it knows the host is back. */
struct restart_kind {
	const char	*verb;
	const char	*task;		/* the task's name */
	const char	*action;	/* its command (/TR) */
	const char	*log;		/* where it writes, on the host */
	const char	*change;	/* the history's change path */
	const char	*done;		/* "WinRM restarted", ... */
	long long	 timeout;	/* default, seconds */
	/* Read before the restart (may be NULL). */
	int	(*before)(struct wsman *, struct cmd_restart_host *, char **);
	/* 1 back, 0 not yet (*cause says why), -1 failed for good. */
	int	(*back)(const struct restart_kind *, struct wsman *,
		    struct cmd_restart_host *, char **);
};

struct restart_args {
	const struct restart_kind *kind;
	long long		 timeout;	/* seconds */
	int			 dry_run;
	int			 yes;
	struct run_opts		 o;		/* --hosts, --json,
						   --parallel, --no-wait,
						   PATH */
};

struct restart_pool {
	const struct restart_kind *kind;
	struct cmd_restart_host	*hosts;
	size_t			 n;
	long long		 timeout_ms;
	int			 dry_run;
};

static void
cmd_restart_usage(FILE *fp, const void *arg)
{
	const struct restart_kind *k = ((const struct restart_args *)arg)->kind;

	fprintf(fp,
	    "usage: %s %s [--hosts GLOB] [--timeout DURATION] [--dry-run] "
	    "[--yes]\n"
	    "       %*s [--json] [--parallel N] [--no-wait] [--history DIR] "
	    "[PATH]\n\n"
	    "%s through a one-shot task running as SYSTEM\n"
	    "(%s), wait until each host is back, then delete\n"
	    "the task.  More than one host needs --yes, or yes typed on the "
	    "terminal.\n\n"
	    "  --hosts GLOB      only hosts whose name or group matches GLOB\n"
	    "  --timeout D       how long a host may take to be back "
	    "(default %llds)\n"
	    "  --dry-run         say what would be restarted; change nothing\n"
	    "  --yes             restart several hosts without asking\n"
	    "  --json            the outcome as one JSON object (docs/json.md)\n"
	    "  --parallel N      hosts handled at once (default 16)\n"
	    "  --no-wait         fail at once if another run holds the lock\n"
	    "\nexit status: 0 every host is back, 1 error or not confirmed, "
	    "3 some hosts\nfailed (each named)\n",
	    cmd_progname, k->verb, (int)(strlen(cmd_progname) +
	    strlen(k->verb)), "", strcmp(k->verb, "restart") == 0 ?
	    "Restart each selected computer (Remedy 1 for a broken trust)" :
	    "Restart the WinRM service of each selected host", k->action,
	    k->timeout);
}

static int
cmd_restart_option(void *arg, int ch, const char *optarg, char **cause)
{
	struct restart_args *a = arg;

	/* 't', its only one */
	if (timeparse_duration(optarg, &a->timeout, cause) == -1)
		return cause_prefix(cause, "--timeout");
	if (a->timeout < 1 || a->timeout > 3600)
		return cause_set(cause, "--timeout: '%s' is not from 1s to 1h",
		    optarg);
	return 0;
}

static int
cmd_restart_parse(struct restart_args *a, int argc, char **argv, char **cause)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "yes", no_argument, NULL, 'Y' },
		CMD_OPT_HOSTS, CMD_OPT_JSON, CMD_OPTS_RUN, CMD_OPTS_END,
	};
	const struct cmd_store store[] = {
		{ 'd', NULL, &a->dry_run },
		{ 'Y', NULL, &a->yes },
		{ 0, NULL, NULL },
	};
	const struct cmd_parser p = { a->kind->verb, longopts, &a->o, store,
	    cmd_restart_usage, cmd_restart_option, a };

	if (cmd_options(&p, argc, argv, cause) == -1)
		return -1;
	return cmd_options_path(&p, argc, argv, cause);
}

/* Run line; a non-zero exit is a failure named after what (on task). */
static int
cmd_restart_cmd(struct wsman *ws, const char *what, const char *task,
    const char *line, int flags, struct wsman_cmd *out, char **cause)
{
	char *said;

	if (wsman_run(ws, line, flags, out, cause) == -1)
		return -1;
	if (out->exit_code == 0)
		return 0;
	said = wsman_cmd_said(out);
	wsman_oneline(said);
	cause_set(cause, "%s: %s %s: exit %ld: %s", wsman_host(ws), what,
	    task, out->exit_code, said);
	free(said);
	return -1;
}

/* schtasks VERB /TN TASK REST, a failure named after "schtasks VERB". */
static int
cmd_restart_schtasks(struct wsman *ws, const struct restart_kind *k,
    const char *verb, const char *rest, int flags, struct wsman_cmd *out,
    char **cause)
{
	char *line, *what;
	int rc;

	line = xasprintf("schtasks %s /TN %s%s", verb, k->task, rest);
	what = xasprintf("schtasks %s", verb);
	rc = cmd_restart_cmd(ws, what, k->task, line, flags, out, cause);
	free(line);
	free(what);
	return rc;
}

/*
 * /SC ONCE at 00:00 today is already past, so the task never fires on its
 * own, even if it were left behind: only /Run starts it.
 */
static int
cmd_restart_task_create(struct wsman *ws, const struct restart_kind *k,
    char **cause)
{
	struct wsman_cmd out = WSMAN_CMD_INIT;
	char *rest;
	int rc;

	rest = xasprintf(" /SC ONCE /ST 00:00 /TR \"%s\" /RU SYSTEM /F",
	    k->action);
	rc = cmd_restart_schtasks(ws, k, "/Create", rest, WSMAN_KEEP_SHELL,
	    &out, cause);
	wsman_cmd_release(&out);
	free(rest);
	return rc;
}

/*
 * The task stops WinRM (or the computer), which may cut this very call:
 * losing the reply is expected, and whether the task ran is read once the
 * host answers again.  A clear refusal (no such task, access denied) is a
 * failure.
 */
static int
cmd_restart_task_run(struct wsman *ws, const struct restart_kind *k,
    char **cause)
{
	struct wsman_cmd out = WSMAN_CMD_INIT;
	char *lost = NULL, *line;
	int rc = 0;

	line = xasprintf("schtasks /Run /TN %s", k->task);
	if (wsman_run(ws, line, 0, &out, &lost) == 0 && out.exit_code != 0) {
		wsman_cmd_release(&out);
		rc = cmd_restart_schtasks(ws, k, "/Run", "", 0, &out, cause);
	}
	free(line);
	free(lost);
	wsman_cmd_release(&out);
	return rc;
}

/* The task's Last Result (schtasks /Query /V /FO CSV: the 7th field). */
static int
cmd_restart_task_result(struct wsman *ws, const struct restart_kind *k,
    char **result, char **cause)
{
	struct wsman_cmd out = WSMAN_CMD_INIT;
	int rc = -1;

	if (cmd_restart_schtasks(ws, k, "/Query", " /V /FO CSV /NH", 0, &out,
	    cause) == -1)
		goto out;
	if ((*result = csv_nth(buf_cstr(&out.out), 6)) == NULL) {
		cause_set(cause, "%s: schtasks /Query %s: no Last Result in "
		    "its output", wsman_host(ws), k->task);
		goto out;
	}
	rc = 0;
out:
	wsman_cmd_release(&out);
	return rc;
}

/*
 * restart-winrm: back when WinRM is Running and the task has finished
 * with exit code 0; a task that failed will not mend by waiting.
 */
static int
cmd_restart_winrm_back(const struct restart_kind *k, struct wsman *ws,
    struct cmd_restart_host *rh, char **cause)
{
	const struct wsman_selector sel = { "Name", "WinRM" };
	const struct wsman_ref ref = { RESTART_SVC_URI, &sel, 1 };
	struct node *svc = NULL;
	const char *state, *name = rh->host->name;
	char *result = NULL;
	int rc = 0;

	if (wsman_get(ws, &ref, &svc, cause) == -1)
		goto out;
	state = node_get_str(svc, "State");
	if (state == NULL || strcasecmp(state, "Running") != 0) {
		cause_set(cause, "%s: WinRM is '%s'", name,
		    state != NULL ? state : "unknown");
		goto out;
	}
	if (cmd_restart_task_result(ws, k, &result, cause) == -1)
		goto out;
	if (strcmp(result, RESTART_RUNNING) == 0 ||
	    strcmp(result, RESTART_NOT_RUN) == 0)
		cause_set(cause, "%s: task %s has %s", name, k->task,
		    strcmp(result, RESTART_RUNNING) == 0 ? "not finished" :
		    "not run");
	else if (strcmp(result, "0") != 0)
		rc = cause_set(cause, "%s: task %s ended with exit code %s "
		    "(its output is in %s on the host)", name, k->task, result,
		    k->log);
	else
		rc = 1;
out:
	free(result);
	node_free(svc);
	return rc;
}

/*
 * Win32_OperatingSystem.LastBootUpTime, as the datetime WS-Man writes
 * (a cim:Datetime element inside the property: DSP0230), or its text.
 */
static int
cmd_restart_boot_time(struct wsman *ws, char **out, char **cause)
{
	struct node *items = NULL;
	const struct node *os, *t;
	const char *v;
	int rc = -1;

	if (wsman_enumerate(ws, WSMAN_REF(RESTART_OS_URI), NULL, &items,
	    cause) == -1)
		return -1;
	os = wsman_list(items, 0);
	t = node_get(os, "LastBootUpTime");
	v = t != NULL && t->kind == NODE_MAP ? node_get_str(t, "Datetime") :
	    node_get_str(os, "LastBootUpTime");
	if (v == NULL)
		cause_set(cause, "%s: Win32_OperatingSystem has no "
		    "LastBootUpTime", wsman_host(ws));
	else {
		*out = xstrdup(v);
		rc = 0;
	}
	node_free(items);
	return rc;
}

static int
cmd_restart_host_before(struct wsman *ws, struct cmd_restart_host *rh,
    char **cause)
{
	return cmd_restart_boot_time(ws, &rh->boot, cause);
}

/* restart: back when it answers with another boot time than before. */
static int
cmd_restart_host_back(const struct restart_kind *k, struct wsman *ws,
    struct cmd_restart_host *rh, char **cause)
{
	char *now = NULL;

	if (cmd_restart_boot_time(ws, &now, cause) == -1)
		return 0;
	if (strcmp(now, rh->boot) == 0) {
		cause_set(cause, "%s: answering, still booted at %s",
		    rh->host->name, now);
		free(now);
		return 0;
	}
	free(rh->boot_after);
	rh->boot_after = now;
	return 1;
}

/* One look at the host with a fresh client: kind->back's answer. */
static int
cmd_restart_check(const struct restart_kind *k, const struct wsman_opts *wo,
    struct cmd_restart_host *rh, char **cause)
{
	struct wsman *ws = NULL;
	int rc = 0;

	if (wsman_new(&ws, wo, cause) == 0)
		rc = k->back(k, ws, rh, cause);
	wsman_free(ws);
	return rc;
}

static void
cmd_restart_sleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Poll from t0 until the host is back or timeout_ms have passed.  Each
 * look gets at most what time is left; reads are not retried, the loop
 * does that.
 */
static int
cmd_restart_wait(const struct restart_kind *k, const struct wsman_opts *base,
    struct cmd_restart_host *rh, const struct timespec *t0,
    long long timeout_ms, char **cause)
{
	struct wsman_opts wo = *base;
	char *last = NULL;
	long left, pause = 50;
	int rc;

	wo.retries = 0;
	for (;;) {
		left = (long)(timeout_ms - timeparse_ms_since(t0));
		wo.operation_timeout_ms = left < 1000 ? 1000 :
		    left < base->operation_timeout_ms ? left :
		    base->operation_timeout_ms;
		wo.request_timeout_ms = wo.operation_timeout_ms + 1000;
		wo.connect_timeout_ms = wo.operation_timeout_ms;
		free(last);
		last = NULL;
		if ((rc = cmd_restart_check(k, &wo, rh, &last)) != 0)
			break;
		if (timeparse_ms_since(t0) + pause >= timeout_ms) {
			rc = cause_set(cause, "%s: %s within %llds (last: %s)",
			    base->name, strcmp(k->verb, "restart") == 0 ?
			    "not back" : "WinRM not back", timeout_ms / 1000,
			    last != NULL ? last : "no answer");
			break;
		}
		cmd_restart_sleep(pause);
		pause = pause < 500 ? pause * 2 : 1000;
	}
	if (rc == -1 && *cause == NULL) {
		*cause = last;
		last = NULL;
	}
	free(last);
	return rc == 1 ? 0 : -1;
}

static int
cmd_restart_task_delete(const struct restart_kind *k,
    const struct wsman_opts *wo, char **cause)
{
	struct wsman_cmd out = WSMAN_CMD_INIT;
	struct wsman *ws = NULL;
	int rc = -1;

	if (wsman_new(&ws, wo, cause) == -1 ||
	    cmd_restart_schtasks(ws, k, "/Delete", " /F", 0, &out,
	    cause) == -1)
		goto out;
	rc = 0;
out:
	wsman_cmd_release(&out);
	wsman_free(ws);
	return rc;
}

/*
 * Read before, create, run, wait, delete; a dry run stops after the read.
 * The client that ran the task dies with it.
 */
static int
cmd_restart_host(const struct restart_pool *p, struct cmd_restart_host *rh,
    char **cause)
{
	const struct restart_kind *k = p->kind;
	struct wsman_opts wo;
	struct wsman *ws = NULL;
	struct timespec t0;
	char *pw = NULL;
	int rc = -1;

	rh->attempted = !p->dry_run;
	if (engine_wsman_opts(rh->host, &wo, &pw, cause) == -1 ||
	    wsman_new(&ws, &wo, cause) == -1 ||
	    (k->before != NULL && k->before(ws, rh, cause) == -1))
		goto out;
	if (p->dry_run) {
		rc = 0;
		goto out;
	}
	if (cmd_restart_task_create(ws, k, cause) == -1)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cmd_restart_task_run(ws, k, cause) == -1)
		goto out;
	wsman_free(ws);
	ws = NULL;
	if (cmd_restart_wait(k, &wo, rh, &t0, p->timeout_ms, cause) == -1)
		goto out;
	rh->ms = timeparse_ms_since(&t0);
	if (cmd_restart_task_delete(k, &wo, cause) == -1)
		goto out;
	rc = 0;
out:
	wsman_free(ws);
	secret_free(pw);
	return rc;
}

static void
cmd_restart_one(void *arg, size_t i)
{
	struct restart_pool *p = arg;
	char *cause = NULL;

	if (cmd_restart_host(p, &p->hosts[i], &cause) == -1)
		p->hosts[i].error = cause != NULL ? cause :
		    xstrdup("unknown error");
}

/* As the engine says of the hosts an interrupted run never started. */
static void
cmd_restart_skip(void *arg, size_t i)
{
	struct restart_pool *p = arg;

	p->hosts[i].error = xstrdup("not attempted: interrupted");
}

/* A cause starts with the host's name; the summary names it once. */
static const char *
cmd_restart_unhost(const struct cmd_restart_host *rh)
{
	size_t len = strlen(rh->host->name);

	if (strncmp(rh->error, rh->host->name, len) == 0 &&
	    strncmp(rh->error + len, ": ", 2) == 0)
		return rh->error + len + 2;
	return rh->error;
}

static void
cmd_restart_line(const struct restart_pool *p, const struct cmd_restart_host *h)
{
	if (h->error != NULL)
		printf("%s: failed: %s\n", h->host->name, cmd_restart_unhost(h));
	else if (p->dry_run)
		printf("%s: would restart%s%s (task %s: %s)\n", h->host->name,
		    h->boot != NULL ? ", booted " : "", h->boot != NULL ?
		    h->boot : "", p->kind->task, p->kind->action);
	else if (h->boot_after != NULL)
		printf("%s: %s, answering again after %.1f s, booted %s "
		    "(was %s)\n", h->host->name, p->kind->done,
		    (double)h->ms / 1000, h->boot_after, h->boot);
	else
		printf("%s: %s, answering again after %.1f s\n",
		    h->host->name, p->kind->done, (double)h->ms / 1000);
}

static void
cmd_restart_json_host(struct json *j, const struct restart_pool *p,
    const struct cmd_restart_host *h)
{
	json_object_begin(j);
	json_kv_string(j, "name", h->host->name);
	json_kv_string(j, "status", h->error != NULL ? "failed" : p->dry_run ?
	    "would_restart" : "restarted");
	json_kv_string(j, "error", h->error != NULL ? cmd_restart_unhost(h) :
	    NULL);
	json_kv_bool(j, "attempted", h->attempted);
	json_key(j, "back_after_ms");
	if (h->error == NULL && !p->dry_run)
		json_int(j, h->ms);
	else
		json_null(j);
	json_kv_string(j, "boot_before", h->boot);
	json_kv_string(j, "boot_after", h->boot_after);
	json_object_end(j);
}

/* --json: one object, as the run report's (docs/json.md). */
static void
cmd_restart_json(const struct restart_pool *p, const char *run_id,
    size_t failed)
{
	struct buf out = BUF_INIT;
	struct json j;
	size_t i;

	report_json_begin(&j, &out, p->kind->verb);
	json_kv_string(&j, "run_id", p->dry_run ? NULL : run_id);
	json_kv_bool(&j, "dry_run", p->dry_run);
	json_kv_string(&j, "task", p->kind->task);
	json_key(&j, "hosts");
	json_array_begin(&j);
	for (i = 0; i < p->n; i++)
		cmd_restart_json_host(&j, p, &p->hosts[i]);
	json_array_end(&j);
	json_key(&j, "summary");
	json_object_begin(&j);
	json_kv_int(&j, "hosts", (long long)p->n);
	json_kv_int(&j, p->dry_run ? "to_restart" : "restarted",
	    (long long)(p->n - failed));
	json_kv_int(&j, "failed", (long long)failed);
	json_object_end(&j);
	json_object_end(&j);
	printf("%s\n", buf_cstr(&out));
	buf_release(&out);
}

static int
cmd_restart_report(const struct restart_pool *p, int json, const char *run_id)
{
	size_t i, failed = 0;

	for (i = 0; i < p->n; i++)
		failed += p->hosts[i].error != NULL;
	if (json) {
		cmd_restart_json(p, run_id, failed);
		return failed > 0 ? EXIT_HOSTS : EXIT_OK;
	}
	for (i = 0; i < p->n; i++) {
		cmd_restart_line(p, &p->hosts[i]);
	}
	printf("\n%s: %zu host%s: %zu %s, %zu failed\n", p->kind->verb, p->n,
	    p->n == 1 ? "" : "s", p->n - failed, p->dry_run ? "to restart" :
	    "restarted", failed);
	for (i = 0; i < p->n; i++)
		if (p->hosts[i].error != NULL)
			printf("failed: %s: %s\n", p->hosts[i].host->name,
			    cmd_restart_unhost(&p->hosts[i]));
	return failed > 0 ? EXIT_HOSTS : EXIT_OK;
}

/*
 * More than one host: --yes, or "y"/"yes" typed on the terminal (stdin
 * and stderr both one).  Without a terminal the refusal says --yes.
 */
static int
cmd_restart_confirm(const struct restart_pool *p, int yes, char **cause)
{
	char line[16];
	size_t i;

	if (p->n <= 1 || yes || p->dry_run)
		return 0;
	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return cause_set(cause, "%zu hosts selected: give --yes to act "
		    "on more than one (no terminal to ask)", p->n);
	fprintf(stderr, "%s: %zu hosts:", p->kind->verb, p->n);
	for (i = 0; i < p->n; i++)
		fprintf(stderr, " %s", p->hosts[i].host->name);
	fprintf(stderr, "\nrestart them all? [y/N] ");
	if (fgets(line, sizeof(line), stdin) == NULL ||
	    (strcasecmp(line, "y\n") != 0 && strcasecmp(line, "yes\n") != 0))
		return cause_set(cause, "not confirmed: nothing restarted");
	return 0;
}

static int
cmd_restart_select(struct restart_pool *p, const struct model *m,
    const char *glob, char **cause)
{
	size_t i;

	p->hosts = xcalloc(m->nhosts + 1, sizeof(*p->hosts));
	for (i = 0; i < m->nhosts; i++)
		if (glob == NULL || model_host_match(&m->hosts[i], glob))
			p->hosts[p->n++].host = &m->hosts[i];
	if (p->n == 0) {
		if (cause != NULL) {
			free(*cause);
			*cause = model_hosts_nomatch(m, glob);
		}
		return -1;
	}
	return 0;
}

/*
 * Into the history: with intent before the first host is touched (a
 * failure then touches none), then what was done.
 */
static int
cmd_restart_record(struct run *r, const struct restart_pool *p,
    const char *run_id, time_t started, int intent, char **cause)
{
	struct record_verb_host *vh;
	size_t i;
	int rc;

	vh = xcalloc(p->n + 1, sizeof(*vh));
	for (i = 0; i < p->n; i++) {
		vh[i].name = p->hosts[i].host->name;
		vh[i].error = p->hosts[i].error != NULL ?
		    cmd_restart_unhost(&p->hosts[i]) : NULL;
		vh[i].attempted = p->hosts[i].attempted;
	}
	rc = record_verb(r->hist, &r->ri, run_id, started, p->kind->change,
	    vh, p->n, intent, cause);
	free(vh);
	if (rc == -1)
		cause_prefix(cause, intent ? "nothing restarted" :
		    "restarts done but not recorded");
	return rc;
}

static const struct restart_kind cmd_restart_winrm_kind = {
	.verb = "restart-winrm",
	.task = "\\enforcer\\restart-winrm",
	.action = "cmd /c net stop winrm > "
	    "%SystemRoot%\\Temp\\enforcer-restart-winrm.log 2>&1 & net start "
	    "winrm >> %SystemRoot%\\Temp\\enforcer-restart-winrm.log 2>&1",
	.log = "%SystemRoot%\\Temp\\enforcer-restart-winrm.log",
	.change = "winrm.restart",
	.done = "WinRM restarted",
	.timeout = 60,
	.back = cmd_restart_winrm_back,
};

/* shutdown /r /t 0 /f /d p:4:1: restart now, planned, for maintenance. */
static const struct restart_kind cmd_restart_host_kind = {
	.verb = "restart",
	.task = "\\enforcer\\restart",
	.action = "shutdown /r /t 0 /f /d p:4:1",
	.log = "the System event log",
	.change = "host.restart",
	.done = "restarted",
	.timeout = 600,
	.before = cmd_restart_host_before,
	.back = cmd_restart_host_back,
};

/*
 * A restart cuts the connections of an apply on the same hosts: lock.
 * A dry run takes no lock and records nothing.
 */
static int
cmd_restart_main(const struct restart_kind *k, int argc, char **argv)
{
	struct errors errs = ERRORS_INIT;
	struct restart_args a;
	struct restart_pool p;
	struct run r;
	char *cause = NULL, *run_id;
	time_t started;
	size_t i;
	int code = EXIT_ERROR;

	memset(&a, 0, sizeof(a));
	memset(&p, 0, sizeof(p));
	memset(&r, 0, sizeof(r));
	p.kind = a.kind = k;
	a.timeout = k->timeout;
	run_opts_init(&a.o, k->verb);
	started = time(NULL);
	run_id = history_new_run_id(started);
	if (cmd_restart_parse(&a, argc, argv, &cause) == -1)
		goto out;
	p.dry_run = a.dry_run;
	a.o.lock = !a.dry_run;
	a.o.history = a.dry_run ? RUN_HISTORY_NONE : RUN_HISTORY_REQUIRED;
	if (run_open(&r, &a.o, &errs, &cause) == -1 ||
	    cmd_restart_select(&p, r.d.m, a.o.eo.hosts_glob, &cause) == -1 ||
	    cmd_restart_confirm(&p, a.yes, &cause) == -1 ||
	    (!a.dry_run && cmd_restart_record(&r, &p, run_id, started, 1,
	    &cause) == -1))
		goto out;
	p.timeout_ms = a.timeout * 1000;
	engine_each(p.n, a.o.eo.parallel, NULL, cmd_restart_one,
	    cmd_restart_skip, &p);
	code = run_signal_exit(cmd_restart_report(&p, a.o.json, run_id));
	if (a.dry_run)
		goto out;
	if (cmd_restart_record(&r, &p, run_id, started, 0, &cause) == -1)
		code = EXIT_ERROR;
	else if (!a.o.json)
		printf("recorded run %s in %s\n", run_id,
		    history_where(r.hist));
out:
	cmd_errors(k->verb, &errs, cause);
	free(cause);
	for (i = 0; i < p.n; i++) {
		free(p.hosts[i].error);
		free(p.hosts[i].boot);
		free(p.hosts[i].boot_after);
	}
	free(p.hosts);
	free(run_id);
	run_release(&r);
	errors_clear(&errs);
	return code;
}

int
cmd_restart_winrm(int argc, char **argv)
{
	return cmd_restart_main(&cmd_restart_winrm_kind, argc, argv);
}

int
cmd_restart_computer(int argc, char **argv)
{
	return cmd_restart_main(&cmd_restart_host_kind, argc, argv);
}
