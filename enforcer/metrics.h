/*
 * metrics.h: a run's figures in the Prometheus text format, for
 * node_exporter's textfile collector (--metrics-file, settings.
 * metrics_file).  The file is replaced atomically: written beside its
 * final name and renamed, so the collector never reads half of it.
 */
#ifndef ENFORCER_METRICS_H
#define ENFORCER_METRICS_H

#include "engine.h"
#include "model.h"
#include "util.h"

/* What a run ends with, beyond the engine's result. */
struct metrics_run {
	const char		*verb;		/* "plan", "apply" */
	int			 exit_code;
	time_t			 finished;
	const struct engine_run	*er;		/* NULL: the run failed before
						   any host (exit 1) */
	const struct model	*m;		/* NULL likewise */
	time_t			 at;		/* the instant windows are
						   judged at */
};

/* The text of the metrics into out. */
void metrics_format(struct buf *out, const struct metrics_run *);

/* Write them to path atomically (path.tmp, fsync, rename). */
int metrics_write(const char *path, const struct metrics_run *,
    char **cause);

#endif
