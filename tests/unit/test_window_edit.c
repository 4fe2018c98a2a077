/*
 * test_window_edit.c: windows written into the desired state: a new
 * window's file, an end moved where it is written (every form of it, the
 * rest of the file byte for byte), edits undone, and the commit (only the
 * edited files, on top of HEAD, the index following).
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
#include <git2.h>

#include "window.h"

#define T11	1795604400	/* 2026-11-25T11:00:00Z */

static const char hosts[] =
    "hosts:\n"
    "  node1: { groups: [hci-nodes] }\n"
    "connection: { auth: negotiate }\n";

static char *
tmpdir(void)
{
	char *d = xstrdup("/tmp/test_window_edit.XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static void
put(const char *dir, const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static char *
get(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name), buf[4096];
	FILE *f = fopen(p, "r");
	size_t n;

	free(p);
	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return xstrdup(buf);
}

static void
rmtree(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static struct model *
load(const char *dir)
{
	struct errors errs = ERRORS_INIT;
	struct model *m;

	if (model_load(&m, dir, &errs) != 0)
		fail_msg("refused: %s", errs.msg[0]);
	return m;
}

/* Move the end of the only window in w.yaml to 11:00Z; compare. */
static void
end_moves(const char *before, const char *after)
{
	struct window_edits e = WINDOW_EDITS_INIT;
	char *dir = tmpdir(), *cause = NULL, *got;
	struct model *m;

	put(dir, "h.yaml", hosts);
	put(dir, "w.yaml", before);
	m = load(dir);
	if (window_set_end(&e, &m->windows[0], T11, &cause) != 0)
		fail_msg("%s", cause);
	got = get(dir, "w.yaml");
	assert_string_equal(got, after);
	free(got);
	model_free(m);
	m = load(dir);		/* still valid */
	assert_int_equal(m->windows[0].end, T11);
	model_free(m);
	window_edits_undo(&e);
	got = get(dir, "w.yaml");
	assert_string_equal(got, before);
	free(got);
	window_edits_release(&e);
	rmtree(dir);
	free(dir);
}

static void
test_set_end(void **state)
{
	end_moves(
	    "# a comment stays\n"
	    "windows:\n"
	    "  w:\n"
	    "    start: 2026-11-25T09:00:00Z\n"
	    "    end: 2026-11-25T13:00:00Z   # and this one\n"
	    "    reason: r\n"
	    "    apply: { node1: { credssp: { server: enabled } } }\n",
	    "# a comment stays\n"
	    "windows:\n"
	    "  w:\n"
	    "    start: 2026-11-25T09:00:00Z\n"
	    "    end: 2026-11-25T11:00:00Z   # and this one\n"
	    "    reason: r\n"
	    "    apply: { node1: { credssp: { server: enabled } } }\n");
	end_moves(
	    "windows:\n"
	    "  w:\n"
	    "    start: 2026-11-25T09:00:00Z\n"
	    "    duration: 4h\n"
	    "    reason: r\n"
	    "    apply: { node1: { credssp: { server: enabled } } }\n",
	    "windows:\n"
	    "  w:\n"
	    "    start: 2026-11-25T09:00:00Z\n"
	    "    end: 2026-11-25T11:00:00Z\n"
	    "    reason: r\n"
	    "    apply: { node1: { credssp: { server: enabled } } }\n");
	/* Quoted, in a flow mapping, after UTF-8 on the same line. */
	end_moves(
	    "windows:\n"
	    "  w: { reason: 'caf\xc3\xa9 d''\xc3\xa9j\xc3\xa0', "
	    "start: 2026-11-25T09:00:00Z, \"duration\": '4h',\n"
	    "       apply: { node1: { credssp: { server: enabled } } } }\n",
	    "windows:\n"
	    "  w: { reason: 'caf\xc3\xa9 d''\xc3\xa9j\xc3\xa0', "
	    "start: 2026-11-25T09:00:00Z, end: 2026-11-25T11:00:00Z,\n"
	    "       apply: { node1: { credssp: { server: enabled } } } }\n");
}

static void
test_write(void **state)
{
	struct window_edits e = WINDOW_EDITS_INIT;
	struct node *apply = node_map(), *body = node_map(), *cred;
	char *dir = tmpdir(), *cause = NULL, *got;
	struct model *m;

	cred = node_map();
	node_map_set(cred, "server", node_scalar("enabled"));
	node_map_set(body, "credssp", cred);
	node_map_set(apply, "hci-nodes", body);
	put(dir, "h.yaml", hosts);
	assert_int_equal(window_write(&e, dir, "w", T11 - 7200, T11, "true",
	    apply, &cause), 0);
	got = get(dir, "windows/w.yaml");
	assert_string_equal(got,
	    "# Written by `enforcer window open`; `enforcer window close w` "
	    "ends it early.\n"
	    "windows:\n"
	    "  w:\n"
	    "    start: 2026-11-25T09:00:00Z\n"
	    "    end: 2026-11-25T11:00:00Z\n"
	    "    reason: 'true'\n"
	    "    apply:\n"
	    "      hci-nodes:\n"
	    "        credssp:\n"
	    "          server: enabled\n");
	free(got);
	m = load(dir);
	assert_string_equal(m->windows[0].reason, "true");
	model_free(m);
	/* Never over an existing file. */
	assert_int_equal(window_write(&e, dir, "w", T11 - 7200, T11, "r",
	    apply, &cause), -1);
	assert_non_null(strstr(cause, "windows/w.yaml: already exists"));
	free(cause);
	assert_int_equal(e.n, 1);
	window_edits_undo(&e);
	assert_null(get(dir, "windows/w.yaml"));
	window_edits_release(&e);
	node_free(apply);
	rmtree(dir);
	free(dir);
}

static char *
git_out(const char *dir, const char *args)
{
	char *cmd = xasprintf("git -C '%s' %s 2>&1", dir, args), buf[4096];
	FILE *p = popen(cmd, "r");
	size_t n;

	assert_non_null(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	pclose(p);
	buf[n] = '\0';
	free(cmd);
	return xstrdup(buf);
}

static void
git_is(const char *dir, const char *args, const char *want)
{
	char *got = git_out(dir, args);

	assert_string_equal(got, want);
	free(got);
}

static void
test_commit(void **state)
{
	struct window_edits e = WINDOW_EDITS_INIT;
	struct node *apply = node_map();
	char *dir = tmpdir(), *cause = NULL, id[41];
	int committed;

	node_map_set(apply, "node1", node_map());
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("HOME", dir, 1);		/* no identity: enforcer's own */
	put(dir, "h.yaml", hosts);
	/* Not a work tree: nothing committed. */
	assert_int_equal(window_write(&e, dir, "a", T11 - 60, T11, "r", apply,
	    &cause), 0);
	assert_int_equal(window_commit(dir, &e, "m", id, &committed, &cause),
	    0);
	assert_false(committed);
	window_edits_undo(&e);
	window_edits_release(&e);
	/* Unborn HEAD, another file staged: only ours goes in. */
	git_is(dir, "init -q -b main", "");
	git_is(dir, "add h.yaml", "");
	assert_int_equal(window_write(&e, dir, "a", T11 - 60, T11, "r", apply,
	    &cause), 0);
	if (window_commit(dir, &e, "window open a: r\n", id, &committed,
	    &cause) != 0)
		fail_msg("%s", cause);
	assert_true(committed);
	git_is(dir, "log --format='%an <%ae>|%s' --name-only",
	    "enforcer <enforcer@localhost>|window open a: r\n\nwindows/a.yaml\n");
	/* The index follows: ours committed, the other still staged. */
	git_is(dir, "status --porcelain", "A  h.yaml\n");
	window_edits_release(&e);
	/* On top of HEAD. */
	assert_int_equal(window_write(&e, dir, "b", T11 - 60, T11, "r", apply,
	    &cause), 0);
	assert_int_equal(window_commit(dir, &e, "window open b: r\n", id,
	    &committed, &cause), 0);
	git_is(dir, "log --format=%s", "window open b: r\nwindow open a: r\n");
	git_is(dir, "ls-tree -r --name-only HEAD",
	    "windows/a.yaml\nwindows/b.yaml\n");
	window_edits_release(&e);
	node_free(apply);
	rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_end),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_commit),
	};

	return cmocka_run_group_tests_name("window_edit", tests, NULL, NULL);
}
