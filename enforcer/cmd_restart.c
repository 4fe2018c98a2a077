/*
 * cmd_restart.c: enforcer restart-winrm PATH: restart WinRM on each
 * selected host, the documented remedy for broken WinRM connections.
 *
 * The restart cannot be sent over the connection it cuts, so the host
 * does it: a one-shot task running as SYSTEM (net stop winrm, then net
 * start winrm, output kept in a log on the host) is created and run over
 * WinRM; the call that runs it may lose its connection.  Fresh clients
 * then poll until WinRM answers again, reports itself Running and the
 * task has finished with exit code 0 (so a WinRM that answers before it
 * was even stopped is not taken for a restarted one); the task is then
 * deleted.  Hosts are handled in parallel on the engine's pool; one
 * failing host never stops the others.  A first SIGINT/SIGTERM starts no
 * new host; a host whose task was created is seen through to the end.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd.h"
#include "run.h"
#include "secret.h"
#include "timeparse.h"
#include "wsman.h"

#define RESTART_TASK	"\\enforcer\\restart-winrm"
#define RESTART_LOG	"%SystemRoot%\\Temp\\enforcer-restart-winrm.log"
#define RESTART_SVC_URI	WSMAN_URI_WMI "/root/cimv2/Win32_Service"
/* Task Scheduler's Last Result while a task runs, and before it ever ran. */
#define RESTART_RUNNING	"267009"
#define RESTART_NOT_RUN	"267011"

struct restart_args {
	long long		 timeout;	/* seconds */
	struct run_opts		 o;		/* --hosts, --parallel,
						   --no-wait, PATH */
};

struct cmd_restart_host {
	const struct model_host	*host;
	long			 ms;	/* from /Run to answering again */
	char			*error;	/* one line, or NULL */
	int			 attempted;
};

struct restart_pool {
	struct cmd_restart_host	*hosts;
	size_t			 n;
	long long		 timeout_ms;
};

static void
cmd_restart_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: %s restart-winrm [--hosts GLOB] [--timeout DURATION]\n"
	    "       %*s [--parallel N] [--no-wait] [--history DIR] PATH\n\n"
	    "Restart the WinRM service of each selected host (the remedy for "
	    "broken WinRM\nconnections) through a one-shot task running as "
	    "SYSTEM, wait until the host\nanswers again, then delete the "
	    "task.\n\n"
	    "  --hosts GLOB      only hosts whose name or group matches GLOB\n"
	    "  --timeout D       how long a host may take to answer again "
	    "(default 60s)\n"
	    "  --parallel N      hosts handled at once (default 16)\n"
	    "  --no-wait         fail at once if another run holds the lock\n"
	    "\nexit status: 0 every host answers again, 1 error, "
	    "3 some hosts failed\n",
	    cmd_progname, (int)strlen(cmd_progname) + 14, "");
}

static int
cmd_restart_parse(struct restart_args *a, int argc, char **argv, char **cause)
{
	static const struct option longopts[] = {
		{ "hosts", required_argument, NULL, 'H' },
		{ "timeout", required_argument, NULL, 't' },
		{ "parallel", required_argument, NULL, 'p' },
		{ "no-wait", no_argument, NULL, 'n' },
		{ "history", required_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if ((rc = cmd_run_option(ch, optarg, &a->o, cause)) == -1)
			return -1;
		if (rc == 1)
			continue;
		switch (ch) {
		case 'H':
			a->o.eo.hosts_glob = optarg;
			break;
		case 't':
			if (timeparse_duration(optarg, &a->timeout, cause) == -1)
				return cause_prefix(cause, "--timeout");
			if (a->timeout < 1 || a->timeout > 3600)
				return cause_set(cause, "--timeout: '%s' is not "
				    "from 1s to 1h", optarg);
			break;
		case 'h':
			cmd_restart_usage(stdout);
			exit(EXIT_OK);
		default:
			cmd_bad_option("restart-winrm", argv[optind - 1],
			    longopts);
			return cause_set(cause, "bad usage");
		}
	}
	if (optind < argc - 1) {
		cmd_restart_usage(stderr);
		return cause_set(cause, "expected one PATH");
	}
	a->o.src.path = optind < argc ? argv[optind] : NULL;
	return desired_src_check(&a->o.src, cause);
}

/* Run line; a non-zero exit is a failure named after what. */
static int
cmd_restart_cmd(struct wsman *ws, const char *what, const char *line, int flags,
    struct wsman_cmd *out, char **cause)
{
	char *said;

	if (wsman_run(ws, line, flags, out, cause) == -1)
		return -1;
	if (out->exit_code == 0)
		return 0;
	said = wsman_cmd_said(out);
	wsman_oneline(said);
	cause_set(cause, "%s: %s %s: exit %ld: %s", wsman_host(ws), what,
	    RESTART_TASK, out->exit_code, said);
	free(said);
	return -1;
}

/*
 * /SC ONCE at 00:00 today is already past, so the task never fires on its
 * own, even if it were left behind: only /Run starts it.
 */
static int
cmd_restart_task_create(struct wsman *ws, char **cause)
{
	struct wsman_cmd out = WSMAN_CMD_INIT;
	int rc;

	rc = cmd_restart_cmd(ws, "schtasks /Create", "schtasks /Create /TN "
	    RESTART_TASK " /SC ONCE /ST 00:00 /TR \"cmd /c net stop winrm > "
	    RESTART_LOG " 2>&1 & net start winrm >> " RESTART_LOG " 2>&1\" "
	    "/RU SYSTEM /F", WSMAN_KEEP_SHELL, &out, cause);
	wsman_cmd_release(&out);
	return rc;
}

/*
 * The task stops WinRM, which may cut this very call: losing the reply is
 * expected, and whether the task ran is read once the host answers again.
 * A clear refusal (no such task, access denied) is a failure.
 */
static int
cmd_restart_task_run(struct wsman *ws, char **cause)
{
	struct wsman_cmd out = WSMAN_CMD_INIT;
	char *lost = NULL;
	int rc = 0;

	if (wsman_run(ws, "schtasks /Run /TN " RESTART_TASK, 0, &out,
	    &lost) == 0 && out.exit_code != 0) {
		wsman_cmd_release(&out);
		rc = cmd_restart_cmd(ws, "schtasks /Run", "schtasks /Run /TN "
		    RESTART_TASK, 0, &out, cause);
	}
	free(lost);
	wsman_cmd_release(&out);
	return rc;
}

/*
 * Field i of the first CSV line of s ("a","b",...), without its quotes;
 * NULL if there are fewer fields.  Caller frees.
 */
static char *
cmd_restart_csv_field(const char *s, size_t i)
{
	struct buf f = BUF_INIT;
	size_t k = 0;

	s += strspn(s, "\r\n");
	for (;;) {
		buf_reset(&f);
		if (*s++ != '"')
			break;
		while (*s != '\0' && (*s != '"' || s[1] == '"')) {
			if (*s == '"')
				s++;
			buf_putc(&f, *s++);
		}
		if (*s++ != '"')
			break;
		if (k++ == i)
			return buf_detach(&f);
		if (*s++ != ',')
			break;
	}
	buf_release(&f);
	return NULL;
}

/* The task's Last Result (schtasks /Query /V /FO CSV: the 7th field). */
static int
cmd_restart_task_result(struct wsman *ws, char **result, char **cause)
{
	struct wsman_cmd out = WSMAN_CMD_INIT;
	int rc = -1;

	if (cmd_restart_cmd(ws, "schtasks /Query", "schtasks /Query /TN "
	    RESTART_TASK " /V /FO CSV /NH", 0, &out, cause) == -1)
		goto out;
	if ((*result = cmd_restart_csv_field(buf_cstr(&out.out), 6)) == NULL) {
		cause_set(cause, "%s: schtasks /Query %s: no Last Result in "
		    "its output", wsman_host(ws), RESTART_TASK);
		goto out;
	}
	rc = 0;
out:
	wsman_cmd_release(&out);
	return rc;
}

/*
 * One look at the host with a fresh client: 1 when WinRM answers, is
 * Running and the task has finished; 0 when not yet (*cause says why);
 * -1 when the task failed, which waiting will not mend.
 */
static int
cmd_restart_check(const struct wsman_opts *wo, char **cause)
{
	const struct wsman_selector sel = { "Name", "WinRM" };
	const struct wsman_ref ref = { RESTART_SVC_URI, &sel, 1 };
	struct wsman *ws = NULL;
	struct node *svc = NULL;
	const char *state;
	char *result = NULL;
	int rc = 0;

	if (wsman_new(&ws, wo, cause) == -1 ||
	    wsman_get(ws, &ref, &svc, cause) == -1)
		goto out;
	state = node_get_str(svc, "State");
	if (state == NULL || strcasecmp(state, "Running") != 0) {
		cause_set(cause, "%s: WinRM is '%s'", wo->name,
		    state != NULL ? state : "unknown");
		goto out;
	}
	if (cmd_restart_task_result(ws, &result, cause) == -1)
		goto out;
	if (strcmp(result, RESTART_RUNNING) == 0 ||
	    strcmp(result, RESTART_NOT_RUN) == 0)
		cause_set(cause, "%s: task %s has %s", wo->name, RESTART_TASK,
		    strcmp(result, RESTART_RUNNING) == 0 ? "not finished" :
		    "not run");
	else if (strcmp(result, "0") != 0)
		rc = cause_set(cause, "%s: task %s ended with exit code %s "
		    "(its output is in %s on the host)", wo->name,
		    RESTART_TASK, result, RESTART_LOG);
	else
		rc = 1;
out:
	free(result);
	node_free(svc);
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
cmd_restart_wait(const struct wsman_opts *base, const struct timespec *t0,
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
		if ((rc = cmd_restart_check(&wo, &last)) != 0)
			break;
		if (timeparse_ms_since(t0) + pause >= timeout_ms) {
			rc = cause_set(cause, "%s: WinRM not back within %llds "
			    "(last: %s)", base->name, timeout_ms / 1000,
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
cmd_restart_task_delete(const struct wsman_opts *wo, char **cause)
{
	struct wsman_cmd out = WSMAN_CMD_INIT;
	struct wsman *ws = NULL;
	int rc = -1;

	if (wsman_new(&ws, wo, cause) == -1 ||
	    cmd_restart_cmd(ws, "schtasks /Delete", "schtasks /Delete /TN "
	    RESTART_TASK " /F", 0, &out, cause) == -1)
		goto out;
	rc = 0;
out:
	wsman_cmd_release(&out);
	wsman_free(ws);
	return rc;
}

/* Create, run, wait, delete.  The client that ran the task dies with it. */
static int
cmd_restart_host(struct cmd_restart_host *rh, long long timeout_ms,
    char **cause)
{
	struct wsman_opts wo;
	struct wsman *ws = NULL;
	struct timespec t0;
	char *pw = NULL;
	int rc = -1;

	if (engine_wsman_opts(rh->host, &wo, &pw, cause) == -1 ||
	    wsman_new(&ws, &wo, cause) == -1 ||
	    cmd_restart_task_create(ws, cause) == -1)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cmd_restart_task_run(ws, cause) == -1)
		goto out;
	wsman_free(ws);
	ws = NULL;
	if (cmd_restart_wait(&wo, &t0, timeout_ms, cause) == -1)
		goto out;
	rh->ms = timeparse_ms_since(&t0);
	if (cmd_restart_task_delete(&wo, cause) == -1)
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

	p->hosts[i].attempted = 1;
	if (cmd_restart_host(&p->hosts[i], p->timeout_ms, &cause) == -1)
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

static int
cmd_restart_report(const struct restart_pool *p)
{
	size_t i, failed = 0;

	for (i = 0; i < p->n; i++) {
		if (p->hosts[i].error != NULL) {
			printf("%s: failed: %s\n", p->hosts[i].host->name,
			    cmd_restart_unhost(&p->hosts[i]));
			failed++;
		} else
			printf("%s: WinRM restarted, answering again after "
			    "%.1f s\n", p->hosts[i].host->name,
			    (double)p->hosts[i].ms / 1000);
	}
	printf("\nrestart-winrm: %zu host%s: %zu restarted, %zu failed\n",
	    p->n, p->n == 1 ? "" : "s", p->n - failed, failed);
	for (i = 0; i < p->n; i++)
		if (p->hosts[i].error != NULL)
			printf("failed: %s: %s\n", p->hosts[i].host->name,
			    cmd_restart_unhost(&p->hosts[i]));
	return failed > 0 ? EXIT_HOSTS : EXIT_OK;
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
	rc = record_verb(r->hist, &r->ri, run_id, started, "winrm.restart",
	    vh, p->n, intent, cause);
	free(vh);
	if (rc == -1)
		cause_prefix(cause, intent ? "nothing restarted" :
		    "restarts done but not recorded");
	return rc;
}

/* A restart cuts the connections of an apply on the same hosts: lock. */
int
cmd_restart_winrm(int argc, char **argv)
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
	a.timeout = 60;
	run_opts_init(&a.o, "restart-winrm");
	a.o.lock = 1;
	a.o.history = RUN_HISTORY_REQUIRED;
	started = time(NULL);
	run_id = history_new_run_id(started);
	if (cmd_restart_parse(&a, argc, argv, &cause) == -1 ||
	    run_open(&r, &a.o, &errs, &cause) == -1 ||
	    cmd_restart_select(&p, r.d.m, a.o.eo.hosts_glob, &cause) == -1 ||
	    cmd_restart_record(&r, &p, run_id, started, 1, &cause) == -1)
		goto out;
	p.timeout_ms = a.timeout * 1000;
	engine_each(p.n, a.o.eo.parallel, NULL, cmd_restart_one,
	    cmd_restart_skip, &p);
	code = run_signal_exit(cmd_restart_report(&p));
	if (cmd_restart_record(&r, &p, run_id, started, 0, &cause) == -1)
		code = EXIT_ERROR;
	else
		printf("recorded run %s in %s\n", run_id,
		    history_where(r.hist));
out:
	cmd_errors("restart-winrm", &errs, cause);
	free(cause);
	for (i = 0; i < p.n; i++)
		free(p.hosts[i].error);
	free(p.hosts);
	free(run_id);
	run_release(&r);
	errors_clear(&errs);
	return code;
}
