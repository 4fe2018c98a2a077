/*
 * test_run.c: the run pipeline up to the engine.  run_open() reports every
 * problem of the desired state, opens the history as the verb asks
 * (optional, existing, required), takes the lock; run_release() is safe
 * after any failure.  engine_each(), the pool, calls each item once and
 * skips the rest once interrupted.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd.h"
#include "run.h"

/* main.c is not in libenforcer.a: what run.c uses of it. */
const char *cmd_progname = "enforcer";

void
cmd_errors(const char *verb, const struct errors *errs, const char *cause)
{
}

struct run_dirs {
	char	 top[64];
	char	*desired;
	char	*history;
};

static int
setup(void **state)
{
	struct run_dirs *d = xcalloc(1, sizeof(*d));
	FILE *fp;
	char *file;

	strcpy(d->top, "/tmp/enforcer-run-XXXXXX");
	if (mkdtemp(d->top) == NULL)
		return -1;
	d->desired = xasprintf("%s/desired", d->top);
	d->history = xasprintf("%s/history", d->top);
	file = xasprintf("%s/hosts.yaml", d->desired);
	if (mkdir(d->desired, 0700) == -1 || (fp = fopen(file, "w")) == NULL)
		return -1;
	fputs("hosts:\n  server01.contoso.test:\n", fp);
	fclose(fp);
	free(file);
	unsetenv("ENFORCER_HISTORY");
	*state = d;
	return 0;
}

static int
teardown(void **state)
{
	struct run_dirs *d = *state;
	char *cmd;

	cmd = xasprintf("rm -rf '%s'", d->top);
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	free(d->desired);
	free(d->history);
	free(d);
	return 0;
}

static void
opts(struct run_opts *o, const struct run_dirs *d, enum run_history how)
{
	run_opts_init(o, "test");
	o->history = how;
	o->src.path = d->desired;
}

static void
test_open_bad_desired(void **state)
{
	struct errors errs = ERRORS_INIT;
	struct run_opts o;
	struct run r;
	char *cause = NULL;

	opts(&o, *state, RUN_HISTORY_NONE);
	o.src.path = "/nonexistent/enforcer-run";
	assert_int_equal(run_open(&r, &o, &errs, &cause), -1);
	assert_true(errs.n > 0);
	assert_null(cause);
	run_release(&r);
	errors_clear(&errs);
}

static void
test_open_history(void **state)
{
	const struct run_dirs *d = *state;
	struct errors errs = ERRORS_INIT;
	struct run_opts o;
	struct run r;
	char *cause = NULL;

	/* Nowhere to record: a verb that records refuses. */
	opts(&o, d, RUN_HISTORY_REQUIRED);
	assert_int_equal(run_open(&r, &o, &errs, &cause), -1);
	assert_non_null(strstr(cause, "is not in a git repository"));
	run_release(&r);
	free(cause);
	cause = NULL;

	/* None yet: plan and revert --dry-run go on without, creating none. */
	opts(&o, d, RUN_HISTORY_OPTIONAL);
	o.src.history_dir = d->history;
	o.last = 1;
	assert_int_equal(run_open(&r, &o, &errs, &cause), 0);
	assert_null(r.hist);
	assert_non_null(r.o.eo.last_arg);
	run_release(&r);
	opts(&o, d, RUN_HISTORY_EXISTING);
	o.src.history_dir = d->history;
	assert_int_equal(run_open(&r, &o, &errs, &cause), 0);
	assert_null(r.hist);
	run_release(&r);
	assert_int_equal(access(d->history, F_OK), -1);
	assert_int_equal(errs.n, 0);
}

static void
test_open_lock(void **state)
{
	const struct run_dirs *d = *state;
	struct errors errs = ERRORS_INIT;
	struct run_opts o;
	struct run r1, r2;
	char *cause = NULL;

	opts(&o, d, RUN_HISTORY_REQUIRED);
	o.src.history_dir = d->history;
	o.lock = 1;
	o.wait = 0;
	assert_int_equal(run_open(&r1, &o, &errs, &cause), 0);
	assert_non_null(r1.hist);
	assert_int_equal(run_open(&r2, &o, &errs, &cause), -1);
	assert_non_null(strstr(cause, "holds"));
	free(cause);
	run_release(&r2);
	run_release(&r1);
}

static void
each_count(void *arg, size_t i)
{
	__atomic_add_fetch(&((int *)arg)[i], 1, __ATOMIC_SEQ_CST);
}

static void
each_skip(void *arg, size_t i)
{
	__atomic_add_fetch(&((int *)arg)[i], 100, __ATOMIC_SEQ_CST);
}

/* Last: engine_interrupt() cannot be undone. */
static void
test_each(void **state)
{
	int seen[10] = { 0 };
	size_t i;

	engine_each(10, 3, NULL, each_count, each_skip, seen);
	for (i = 0; i < 10; i++)
		assert_int_equal(seen[i], 1);
	engine_interrupt();
	engine_each(10, 3, NULL, each_count, each_skip, seen);
	for (i = 0; i < 10; i++)
		assert_int_equal(seen[i], 101);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_bad_desired),
		cmocka_unit_test(test_open_history),
		cmocka_unit_test(test_open_lock),
		cmocka_unit_test(test_each),
	};

	return cmocka_run_group_tests_name("run", tests, setup, teardown);
}
