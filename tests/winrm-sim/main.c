/*
 * main.c: the WinRM fleet simulator.
 *
 *   winrm-sim --fleet FILE [--ca-out PEM] [--control 127.0.0.1:PORT]
 *   winrm-sim ctl ADDR:PORT METHOD PATH [BODY | -]
 *
 * Serving prints "control 127.0.0.1:PORT", one "ready NAME ADDRESS:PORT"
 * per host, then "fleet ready N", and serves until SIGTERM or SIGINT.
 * One event loop serves every host; a one-second tick runs the tasks that
 * fell due, reaps idle shells and re-applies each host's faults.
 */
#include <sys/resource.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <libxml/parser.h>

#include "sim.h"

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: winrm-sim --fleet FILE [--ca-out PEM] "
	    "[--control 127.0.0.1:PORT]\n"
	    "                 [--trace FILE]\n"
	    "       winrm-sim ctl ADDR:PORT METHOD PATH [BODY | -]\n");
}

/* A thousand hosts need a thousand listening sockets and then some. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopbreak(arg);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct sim_fleet *f = arg;
	size_t i;

	for (i = 0; i < f->nhosts; i++) {
		sim_run_due_tasks(&f->hosts[i]);
		sim_boot_tick(&f->hosts[i]);
		shell_reap(&f->hosts[i]);
		http_host_sync(&f->hosts[i]);
	}
}

static int
load(struct sim_fleet **f, const char *path, const char *ca_out)
{
	struct errors errs = ERRORS_INIT;
	char *cause = NULL;
	size_t i;

	if (fleet_load(f, path, &errs) != 0) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "winrm-sim: %s\n", errs.msg[i]);
		errors_clear(&errs);
		return -1;
	}
	if (ca_out != NULL) {
		free((*f)->ca_out);
		(*f)->ca_out = xstrdup(ca_out);
	}
	if (((*f)->ca_out != NULL &&
	    tls_write_ca(*f, (*f)->ca_out, &cause) != 0) ||
	    tls_ctx_init(*f, &cause) != 0) {
		fprintf(stderr, "winrm-sim: %s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static int
start(struct sim_fleet *f, const char *control)
{
	char *cause = NULL;
	size_t i;
	int port;

	if (control_start(f, control, &port, &cause) != 0) {
		fprintf(stderr, "winrm-sim: control: %s\n", cause);
		free(cause);
		return -1;
	}
	printf("control %.*s:%d\n", (int)strcspn(control, ":"), control, port);
	fflush(stdout);
	for (i = 0; i < f->nhosts; i++) {
		if (http_host_start(&f->hosts[i], &cause) != 0) {
			fprintf(stderr, "winrm-sim: %s\n", cause);
			free(cause);
			return -1;
		}
		printf("ready %s %s:%d\n", f->hosts[i].name,
		    f->hosts[i].address, f->hosts[i].port);
	}
	printf("fleet ready %zu\n", f->nhosts);
	fflush(stdout);
	return 0;
}

static int
serve(const char *path, const char *ca_out, const char *control,
    const char *trace)
{
	struct sim_fleet *f = NULL;
	struct event *sigterm = NULL, *sigint = NULL, *tick = NULL;
	struct timeval second = { 1, 0 };
	size_t i;
	int rc = 1;

	if (load(&f, path, ca_out) != 0)
		goto out;
	if (trace != NULL && (f->trace = fopen(trace, "w")) == NULL) {
		fprintf(stderr, "winrm-sim: %s: %s\n", trace, strerror(errno));
		goto out;
	}
	if ((f->base = event_base_new()) == NULL) {
		fprintf(stderr, "winrm-sim: cannot create the event loop\n");
		goto out;
	}
	sigterm = evsignal_new(f->base, SIGTERM, on_signal, f->base);
	sigint = evsignal_new(f->base, SIGINT, on_signal, f->base);
	tick = event_new(f->base, -1, EV_PERSIST, on_tick, f);
	evsignal_add(sigterm, NULL);
	evsignal_add(sigint, NULL);
	evtimer_add(tick, &second);
	if (start(f, control) != 0)
		goto out;
	event_base_dispatch(f->base);
	rc = 0;
out:
	if (f != NULL) {
		for (i = 0; i < f->nhosts; i++)
			http_host_stop(&f->hosts[i]);
		control_stop();
		if (tick != NULL)
			event_free(tick);
		if (sigint != NULL)
			event_free(sigint);
		if (sigterm != NULL)
			event_free(sigterm);
		if (f->base != NULL)
			event_base_free(f->base);
		if (f->trace != NULL)
			fclose(f->trace);
	}
	fleet_free(f);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fleet", required_argument, NULL, 'f' },
		{ "ca-out", required_argument, NULL, 'c' },
		{ "control", required_argument, NULL, 'C' },
		{ "trace", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *fleet = NULL, *ca_out = NULL, *control = "127.0.0.1:0";
	const char *trace = NULL;
	int ch, rc;

	if (argc > 1 && strcmp(argv[1], "ctl") == 0)
		return control_client(argc - 1, argv + 1);
	while ((ch = getopt_long(argc, argv, "f:c:C:t:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': fleet = optarg; break;
		case 'c': ca_out = optarg; break;
		case 'C': control = optarg; break;
		case 't': trace = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (fleet == NULL || optind != argc) {
		usage(stderr);
		return 1;
	}
	raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	rc = serve(fleet, ca_out, control, trace);
	ntlm_release();
	xmlCleanupParser();
	libevent_global_shutdown();
	return rc;
}
