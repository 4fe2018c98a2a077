/*
 * test_util.h: helpers the engine's unit tests share: a tree from YAML
 * text, a state module's diff, a check of one change, and a scratch
 * directory for the git-backed tests.  Include it after <cmocka.h>.  Define TEST_YAML_NAME first to name the text otherwise than
 * "t.yaml" in positions and messages.
 */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <git2.h>

#include "node.h"
#include "state.h"

#ifndef TEST_YAML_NAME
#define TEST_YAML_NAME	"t.yaml"
#endif

/* text parsed, or the test fails; node_free() the result. */
static inline struct node *
yaml(const char *text)
{
	struct errors errs = ERRORS_INIT;
	struct node *n;

	if (node_parse_string(&n, TEST_YAML_NAME, text, strlen(text),
	    &errs) != 0)
		fail_msg("bad test YAML: %s", errs.msg[0]);
	return n;
}

/*
 * Diff desired against observed (YAML texts) with kind's module at instant
 * at.  Changes borrow desired nodes, freed here: the tests read only their
 * strings, so out->v[i].desired is cleared.
 */
static inline void
test_diff(const char *kind, time_t at, const char *desired,
    const char *observed, struct changes *out)
{
	const struct state_ops *ops = state_find(kind);
	struct node *d = yaml(desired), *o = yaml(observed);
	char *cause = NULL;
	size_t i;

	assert_non_null(ops);
	assert_int_equal(ops->diff(d, o, at, out, &cause), 0);
	for (i = 0; i < out->n; i++)
		out->v[i].desired = NULL;
	node_free(d);
	node_free(o);
}

/* c is at path and goes from before to after (NULL: absent). */
static inline void
assert_change(const struct change *c, const char *path, const char *before,
    const char *after)
{
	assert_string_equal(c->path, path);
	if (before == NULL)
		assert_null(c->before);
	else
		assert_string_equal(c->before, before);
	if (after == NULL)
		assert_null(c->after);
	else
		assert_string_equal(c->after, after);
}

/*
 * A scratch directory made into tmp (len bytes): "/tmp/<name>.XXXXXX" with
 * its own HOME inside, and no user or system git configuration that could
 * leak into a test.  Holds a libgit2 reference until test_sandbox_remove().
 */
static inline void
test_sandbox(char *tmp, size_t len, const char *name)
{
	char *home;

	snprintf(tmp, len, "/tmp/%s.XXXXXX", name);
	assert_non_null(mkdtemp(tmp));
	home = xasprintf("%s/home", tmp);
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, home);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, home);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, home);
	free(home);
}

static inline int
test_sandbox_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	return remove(path);
}

static inline void
test_sandbox_remove(const char *tmp)
{
	nftw(tmp, test_sandbox_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	git_libgit2_shutdown();
}

#endif
