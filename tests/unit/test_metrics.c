/*
 * test_metrics.c: the Prometheus text a run leaves for node_exporter, and
 * how outstyle.c sorts output lines (both say what a run came to).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics.h"
#include "outstyle.h"

/* A run stopped before any host (bad input): still a complete file. */
static void
test_no_hosts(void **state)
{
	struct metrics_run r = { "apply", 1, 1796639391, NULL, NULL, 0 };
	struct buf out = BUF_INIT;

	metrics_format(&out, &r);
	assert_non_null(strstr(buf_cstr(&out),
	    "# TYPE enforcer_last_run_exit_code gauge\n"
	    "enforcer_last_run_exit_code{verb=\"apply\"} 1\n"));
	assert_non_null(strstr(buf_cstr(&out),
	    "enforcer_last_run_timestamp_seconds 1796639391\n"));
	assert_non_null(strstr(buf_cstr(&out),
	    "enforcer_last_run_success{verb=\"apply\"} 0\n"));
	assert_non_null(strstr(buf_cstr(&out),
	    "enforcer_hosts{state=\"failed\"} 0\n"));
	assert_non_null(strstr(buf_cstr(&out), "enforcer_windows_active 0\n"));
	buf_release(&out);
}

/* Written whole under its name; nothing left beside it. */
static void
test_write(void **state)
{
	char dir[] = "/tmp/enforcer-metrics-XXXXXX", *path, *tmp;
	struct metrics_run r = { "plan", 2, 1, NULL, NULL, 0 };
	char *cause = NULL, text[4096];
	FILE *fp;
	size_t n;

	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/enforcer.prom", dir);
	assert_int_equal(metrics_write(path, &r, &cause), 0);
	assert_non_null(fp = fopen(path, "r"));
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	fclose(fp);
	assert_non_null(strstr(text,
	    "enforcer_last_run_exit_code{verb=\"plan\"} 2\n"));
	tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	assert_int_equal(access(tmp, F_OK), -1);
	unlink(path);
	free(path);
	/* A directory that does not exist: a cause naming the file. */
	path = xasprintf("%s/missing/enforcer.prom", dir);
	assert_int_equal(metrics_write(path, &r, &cause), -1);
	assert_non_null(strstr(cause, "metrics file '"));
	free(cause);
	free(path);
	free(tmp);
	rmdir(dir);
}

static void
test_classify(void **state)
{
	static const struct {
		int		 fd;
		const char	*line;
		enum outstyle_class want;
	} cases[] = {
		{ 1, "node1.contoso.test: in sync", OUTSTYLE_OK },
		{ 1, "node1.contoso.test: 2 changes", OUTSTYLE_CHANGE },
		{ 1, "node1.contoso.test: 1 change", OUTSTYLE_CHANGE },
		{ 1, "node2.contoso.test: failed: connection refused",
		  OUTSTYLE_ERROR },
		{ 1, "failed: node2.contoso.test: timeout", OUTSTYLE_ERROR },
		{ 1, "node2.contoso.test: WARNING: TLS verification is OFF",
		  OUTSTYLE_WARNING },
		{ 1, "apply: 3 hosts: 1 in sync, 1 with changes, 1 failed",
		  OUTSTYLE_INFO },
		{ 2, "a.yaml:1:1: warning: auth 'basic'", OUTSTYLE_WARNING },
		{ 2, "enforcer: apply: no host matches 'x'", OUTSTYLE_ERROR },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(outstyle_classify(cases[i].fd, cases[i].line,
		    strlen(cases[i].line)), cases[i].want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_hosts),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_classify),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
