/*
 * test_sim.h: fixtures shared by the simulator's unit tests (test_sim_*.c):
 * a host as a fleet file would make it, and running a command line on it
 * with exact expectations on exit code, stdout and stderr.
 */
#ifndef TEST_SIM_H
#define TEST_SIM_H

#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define ADMIN	"CONTOSO\\svc-enforcer"
#define USER	"operator"		/* a local account, not an admin */
#define NOW	"2026-11-24T21:30:00Z"	/* 22:30 on the host (UTC+1) */

static inline struct sim_host *
host_new(void)
{
	struct sim_host *h = xcalloc(1, sizeof(*h));
	char *cause = NULL;

	sim_host_init(h, "node1.contoso.test");
	h->address = xstrdup("127.0.10.1");
	h->tz_offset_min = 60;
	sim_account_add(h, ADMIN, "secret", 1);
	sim_group_add_member(sim_group(h, "Administrators"), ADMIN);
	sim_account_add(h, USER, "pw", 0);
	sim_account_add(h, "CONTOSO\\alice", NULL, 0);
	sim_account_add(h, "CONTOSO\\bob", NULL, 0);
	sim_account_add(h, "CONTOSO\\hci-admins", NULL, 0);
	sim_group_add(h, "Gateway Administrators", "");
	sim_group_add_member(sim_group(h, "Gateway Administrators"),
	    "CONTOSO\\alice");
	if (sim_set(h, "clock.now", NOW, &cause) != 0)
		abort();
	return h;
}

/* host->settings belong to fleet.c in the simulator; here to the test. */
static inline void
host_free(struct sim_host *h)
{
	size_t i;

	for (i = 0; i < h->nsettings; i++) {
		free(h->settings[i].key);
		free(h->settings[i].value);
	}
	free(h->settings);
	sim_host_release(h);
	free(h);
}

/* Run a line; returns the exit code, output in out/err (reset first). */
static inline int
run(struct sim_host *h, const char *user, const char *line, struct buf *out,
    struct buf *err, int *wrote)
{
	buf_reset(out);
	buf_reset(err);
	return sim_cmd_run(h, user, line, out, err, wrote);
}

/* Exit code, stdout and stderr exactly (NULL: not checked); *wrote too. */
#define expect(h, user, line, rc, want_out, want_err) \
	expect_(h, user, line, rc, want_out, want_err, -1)
#define expect_w(h, user, line, rc, want_out, want_err, want_wrote) \
	expect_(h, user, line, rc, want_out, want_err, want_wrote)

static inline void
expect_(struct sim_host *h, const char *user, const char *line, int rc,
    const char *want_out, const char *want_err, int want_wrote)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	int wrote = -1;

	assert_int_equal(run(h, user, line, &out, &err, &wrote), rc);
	if (want_out != NULL)
		assert_string_equal(buf_cstr(&out), want_out);
	if (want_err != NULL)
		assert_string_equal(buf_cstr(&err), want_err);
	if (want_wrote >= 0)
		assert_int_equal(wrote, want_wrote);
	buf_release(&out);
	buf_release(&err);
}

/* One "key = value" line of the ground-truth dump, or NULL. */
static inline char *
dump_get(struct sim_host *h, const char *key)
{
	struct buf b = BUF_INIT;
	char *line, *end, *v = NULL, *want = xasprintf("\n%s = ", key);

	buf_putc(&b, '\n');
	sim_dump(h, &b);
	if ((line = strstr(b.ptr, want)) != NULL) {
		line += strlen(want);
		end = strchr(line, '\n');
		v = xstrndup(line, (size_t)(end - line));
	}
	free(want);
	buf_release(&b);
	return v;
}

static inline void
assert_dump(struct sim_host *h, const char *key, const char *want)
{
	char *v = dump_get(h, key);

	if (want == NULL)
		assert_null(v);
	else {
		assert_non_null(v);
		assert_string_equal(v, want);
	}
	free(v);
}

#endif
