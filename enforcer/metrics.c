/*
 * metrics.c: Prometheus text-format metrics of a run, written atomically.
 * Names follow the Prometheus naming guidelines: enforcer_ prefix, base
 * units (seconds), _total only for counters (none here: a run's figures
 * are gauges, replaced by the next run).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "timeparse.h"

static void
metrics_head(struct buf *out, const char *name, const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* A label value: backslash, double quote and newline escaped. */
static void
metrics_label(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_putc(out, '\\');
		if (*s == '\n') {
			buf_puts(out, "\\n");
			continue;
		}
		buf_putc(out, *s);
	}
}

/* A host counts once: failed, else GPO-held, else drifted, else in sync. */
enum metrics_state { M_IN_SYNC, M_DRIFTED, M_GPO_HELD, M_FAILED, M_NSTATES };

static enum metrics_state
metrics_host_state(const struct engine_host *eh)
{
	size_t j;
	int gpo = 0;

	if (eh->error != NULL)
		return M_FAILED;
	for (j = 0; j < eh->changes.n; j++) {
		if (eh->info[j].result == ENGINE_FAILED ||
		    eh->info[j].result == ENGINE_UNVERIFIED)
			return M_FAILED;
		if (eh->changes.v[j].flags & CHANGE_GPO)
			gpo = 1;
	}
	if (gpo)
		return M_GPO_HELD;
	return eh->changes.n > 0 ? M_DRIFTED : M_IN_SYNC;
}

static void
metrics_hosts(struct buf *out, const struct engine_run *er)
{
	static const char *const names[M_NSTATES] = { "in_sync", "drifted",
	    "gpo_held", "failed" };
	size_t n[M_NSTATES] = { 0 }, i, overdue = 0;

	for (i = 0; er != NULL && i < er->nhosts; i++) {
		n[metrics_host_state(&er->hosts[i])]++;
		overdue += er->hosts[i].overdue != NULL;
	}
	metrics_head(out, "enforcer_hosts", "Hosts of the last run by state "
	    "(drifted: changes found; after apply, changes made).");
	for (i = 0; i < M_NSTATES; i++)
		buf_printf(out, "enforcer_hosts{state=\"%s\"} %zu\n", names[i],
		    n[i]);
	metrics_head(out, "enforcer_hosts_past_window_end", "Hosts still "
	    "holding what a window turned on after the window's end.");
	buf_printf(out, "enforcer_hosts_past_window_end %zu\n", overdue);
}

static void
metrics_changes(struct buf *out, const struct engine_run *er)
{
	static const enum engine_class classes[] = { ENGINE_INTENTIONAL,
	    ENGINE_CORRECTIVE, ENGINE_WINDOW, ENGINE_EXPIRY };
	size_t n[nitems(classes)] = { 0 }, i, j;

	for (i = 0; er != NULL && i < er->nhosts; i++)
		for (j = 0; j < er->hosts[i].changes.n; j++)
			n[er->hosts[i].info[j].class]++;
	metrics_head(out, "enforcer_changes", "Changes the last run found "
	    "(plan) or made (apply), by class.");
	for (i = 0; i < nitems(classes); i++)
		buf_printf(out, "enforcer_changes{class=\"%s\"} %zu\n",
		    engine_class_name(classes[i]), n[i]);
}

static void
metrics_windows(struct buf *out, const struct model *m, time_t at)
{
	const struct model_window *w;
	size_t i, active = 0;

	for (i = 0; m != NULL && i < m->nwindows; i++)
		active += model_window_active(&m->windows[i], at);
	metrics_head(out, "enforcer_windows_active", "Windows open at the "
	    "last run's instant.");
	buf_printf(out, "enforcer_windows_active %zu\n", active);
	metrics_head(out, "enforcer_window_end_seconds", "Seconds from the "
	    "last run to the end of each open window.");
	for (i = 0; m != NULL && i < m->nwindows; i++) {
		w = &m->windows[i];
		if (!model_window_active(w, at))
			continue;
		buf_puts(out, "enforcer_window_end_seconds{window=\"");
		metrics_label(out, w->name);
		buf_printf(out, "\"} %lld\n", (long long)(w->end - at));
	}
}

void
metrics_format(struct buf *out, const struct metrics_run *r)
{
	const struct engine_run *er = r->er;
	long ms = er != NULL ? timeparse_ms_between(&er->started,
	    &er->finished) : 0;

	metrics_head(out, "enforcer_last_run_timestamp_seconds", "When the "
	    "last run ended (Unix time).");
	buf_printf(out, "enforcer_last_run_timestamp_seconds %lld\n",
	    (long long)r->finished);
	metrics_head(out, "enforcer_last_run_exit_code", "Exit status of the "
	    "last run: 0 in sync or all verified, 1 error, 2 pending or held, "
	    "3 hosts failed, 130 interrupted.");
	buf_printf(out, "enforcer_last_run_exit_code{verb=\"%s\"} %d\n",
	    r->verb, r->exit_code);
	metrics_head(out, "enforcer_last_run_success", "1 when the last run "
	    "exited 0.");
	buf_printf(out, "enforcer_last_run_success{verb=\"%s\"} %d\n", r->verb,
	    r->exit_code == 0);
	metrics_head(out, "enforcer_last_run_duration_seconds", "How long the "
	    "last run's engine took.");
	buf_printf(out, "enforcer_last_run_duration_seconds %ld.%03ld\n",
	    ms / 1000, ms % 1000);
	metrics_hosts(out, er);
	metrics_changes(out, er);
	metrics_windows(out, r->m, r->at);
}

int
metrics_write(const char *path, const struct metrics_run *r, char **cause)
{
	struct buf out = BUF_INIT;
	char *tmp;
	int fd, rc = -1;

	metrics_format(&out, r);
	/* node_exporter reads only *.prom: the temporary name is skipped. */
	tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1) {
		cause_set(cause, "metrics file '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (write(fd, out.ptr, out.len) != (ssize_t)out.len || fsync(fd) == -1) {
		cause_set(cause, "metrics file '%s': %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		cause_set(cause, "metrics file '%s': %s", path,
		    strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	buf_release(&out);
	return rc;
}
