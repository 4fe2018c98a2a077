/*
 * test_history.c: the history repository (history.c), its commit message
 * grammar (history_msg.c) and its JSON shape (history_json.c), on
 * temporary repositories.
 *
 * With arguments it is the driver of tests/e2e/history_*.sh:
 *   test_history loop DIR     record runs until killed (crash test); says
 *                             "writing" on stdout when it starts to
 *   test_history verify DIR   check the branch is at a complete run;
 *                             print its sequence number
 *   test_history secret DIR   record a run whose inputs carry the password
 *                             in $ENFORCER_TEST_PASSWORD
 *   test_history fixture DIR  record four runs on a contoso fleet
 *   test_history fixture-in PATH   the same, in the repository of PATH
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <git2.h>

#include "history.h"
#include "test_util.h"

/*
 * The fixtures below are positional initializers of the history's
 * structs; members added at their ends (noncompliant, heartbeat,
 * desired_dirty, operator) are zero there, as meant.
 */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "shard.h"
#include "timeparse.h"

static char tmp[256];

static int
setup(void **state)
{
	test_sandbox(tmp, sizeof(tmp), "test_history");
	return 0;
}

static int
teardown(void **state)
{
	test_sandbox_remove(tmp);
	return 0;
}

static char *
path_in_tmp(const char *name)
{
	return xasprintf("%s/%s", tmp, name);
}

static struct history *
open_hist(const char *dir)
{
	struct history *h;
	char *cause = NULL;

	if (history_open(&h, NULL, dir, &cause) == -1)
		fail_msg("%s", cause);
	return h;
}

static void
record(struct history *h, const struct history_run *run)
{
	char *cause = NULL;

	if (history_record(h, run, NULL, &cause) == -1)
		fail_msg("%s", cause);
}

static struct history_log *
list(struct history *h, const struct history_filter *f)
{
	struct history_log *log;
	char *cause = NULL;

	if (history_list(&log, h, f, &cause) == -1)
		fail_msg("%s", cause);
	return log;
}

/* The commit the branch is at, and how many commits it has. */
static size_t
branch_commits(const char *gitdir, git_oid *tip, git_oid *tree)
{
	git_repository *r;
	git_revwalk *w;
	git_commit *c;
	git_oid id;
	size_t n = 0;

	assert_int_equal(git_repository_open(&r, gitdir), 0);
	if (git_reference_name_to_id(tip, r, "refs/heads/enforcer/history")
	    != 0) {
		git_repository_free(r);
		return 0;
	}
	assert_int_equal(git_commit_lookup(&c, r, tip), 0);
	if (tree != NULL)
		git_oid_cpy(tree, git_commit_tree_id(c));
	git_commit_free(c);
	assert_int_equal(git_revwalk_new(&w, r), 0);
	assert_int_equal(git_revwalk_push(w, tip), 0);
	while (git_revwalk_next(&id, w) == 0)
		n++;
	git_revwalk_free(w);
	git_repository_free(r);
	return n;
}

static void
assert_state(struct node *n, const char *want)
{
	struct node *w;

	w = yaml(want);
	assert_non_null(n);
	assert_true(node_equal(n, w));
	node_free(w);
	node_free(n);
}

/* --- the message grammar ------------------------------------------------- */

static void
test_class_names(void **state)
{
	enum history_class c;
	int i;

	for (i = 0; i < HISTORY_NCLASSES; i++) {
		assert_int_equal(history_class_parse(
		    history_class_name((enum history_class)i), &c), 0);
		assert_int_equal((int)c, i);
	}
	assert_int_equal(history_class_parse("drift", &c), -1);
}

static void
test_time_and_run_id(void **state)
{
	char s[32], *id;
	time_t t;

	timeparse_format_utc(1795599000, s, sizeof(s));
	assert_string_equal(s, "2026-11-25T09:30:00Z");
	assert_int_equal(timeparse_utc(s, &t), 0);
	assert_int_equal(t, 1795599000);
	assert_int_equal(timeparse_utc("2026-11-25T09:30:00", &t), -1);
	assert_int_equal(timeparse_utc("2026-11-25T9:30:00Z", &t), -1);
	assert_int_equal(timeparse_utc("2026-13-25T09:30:00Z", &t), -1);
	id = history_new_run_id(1795599000);
	assert_int_equal(strlen(id), strlen("20261125T093000Z-1a2b3c"));
	assert_int_equal(strncmp(id, "20261125T093000Z-", 17), 0);
	free(id);
}

static const struct history_change awkward[] = {
	{ "node2.contoso.test", "credssp.server.enabled", "false", "true",
	  HISTORY_WINDOW, "window create-cluster", "create-cluster", 1 },
	{ "node2.contoso.test", "trusted_hosts.hosts", NULL,
	  "[\"a b\", 'c=d']\n\\ \x01 é", HISTORY_INTENTIONAL, "policy \"x\"",
	  NULL, 0 },
	{ "gw1.contoso.test", "service.WinRM.state", "", "running",
	  HISTORY_CORRECTIVE, NULL, NULL, 1 },
};

static void
assert_change_equal(const struct history_change *a,
    const struct history_change *b)
{
	assert_string_equal(a->host, b->host);
	assert_string_equal(a->path, b->path);
	if (b->before == NULL)
		assert_null(a->before);
	else
		assert_string_equal(a->before, b->before);
	assert_string_equal(a->after, b->after);
	assert_int_equal(a->class, b->class);
	if (b->reason == NULL)
		assert_null(a->reason);
	else
		assert_string_equal(a->reason, b->reason);
	if (b->window == NULL)
		assert_null(a->window);
	else
		assert_string_equal(a->window, b->window);
	assert_int_equal(a->verified, b->verified);
}

static void
test_message_roundtrip(void **state)
{
	const char *windows[] = { "create-cluster", "patch" };
	const struct history_host hosts[] = {
		{ "node2.contoso.test", NULL, NULL, NULL },
		{ "gw1.contoso.test", NULL, NULL, NULL },
		{ "node3.contoso.test", NULL, NULL,
		  "connect: timed out\nafter 30s" },
		{ "node4.contoso.test", NULL, NULL, NULL },
	};
	const struct history_run run = { "20261125T093000Z-1a2b3c", "apply",
	    1795599000, 1795599004, "/srv/desired", "0123456789abcdef",
	    windows, 2, hosts, 4, awkward, nitems(awkward) };
	struct history_log log;
	struct history_entry e;
	enum history_msg_record rec;
	struct buf msg = BUF_INIT;
	char *cause = NULL;
	size_t i;

	history_msg_run(&msg, &run);
	assert_non_null(strstr(buf_cstr(&msg),
	    "apply: 3 changes on 2 hosts, 1 host failed\n\n"
	    "change host=node2.contoso.test path=credssp.server.enabled "
	    "before=false after=true class=window verified=yes "
	    "window=create-cluster reason=\"window create-cluster\"\n"));
	assert_non_null(strstr(buf_cstr(&msg),
	    "Hosts-Failed: node3.contoso.test: connect: timed out after "
	    "30s\n"));
	memset(&log, 0, sizeof(log));
	memset(&e, 0, sizeof(e));
	if (history_msg_parse(&log, &e, &rec, buf_cstr(&msg), &cause) == -1)
		fail_msg("%s", cause);
	assert_int_equal(rec, HISTORY_MSG_RUN);
	assert_string_equal(e.summary,
	    "apply: 3 changes on 2 hosts, 1 host failed");
	assert_string_equal(e.run.run_id, run.run_id);
	assert_string_equal(e.run.verb, "apply");
	assert_int_equal(e.run.started, run.started);
	assert_int_equal(e.run.finished, run.finished);
	assert_string_equal(e.run.desired_path, "/srv/desired");
	assert_string_equal(e.run.desired_commit, "0123456789abcdef");
	assert_int_equal(e.run.nwindows, 2);
	assert_string_equal(e.run.windows[1], "patch");
	assert_int_equal(e.run.nchanges, nitems(awkward));
	for (i = 0; i < nitems(awkward); i++)
		assert_change_equal(&e.run.changes[i], &awkward[i]);
	assert_int_equal(e.run.nhosts, 4);
	assert_string_equal(e.run.hosts[2].name, "node3.contoso.test");
	assert_string_equal(e.run.hosts[2].error,
	    "connect: timed out after 30s");
	assert_null(e.run.hosts[3].error);
	buf_release(&msg);
	for (i = 0; i < log.nmem; i++)
		free(log.mem[i]);
	free(log.mem);
}

static void
test_message_no_url_credentials(void **state)
{
	const struct history_run run = { "r", "apply", 1, 2,
	    "https://bot:s3cr3t-t0ken@git.contoso.test/infra/desired.git",
	    NULL, NULL, 0, NULL, 0, NULL, 0 };
	struct buf msg = BUF_INIT;

	history_msg_run(&msg, &run);
	assert_non_null(strstr(buf_cstr(&msg),
	    "\nDesired: https://git.contoso.test/infra/desired.git\n"));
	assert_null(strstr(buf_cstr(&msg), "s3cr3t"));
	buf_release(&msg);
}

static void
test_change_describe(void **state)
{
	struct buf b = BUF_INIT;

	history_change_describe(&b, &awkward[0]);
	assert_string_equal(buf_cstr(&b), "credssp.server.enabled: false -> "
	    "true  (window create-cluster)");
	buf_reset(&b);
	history_change_describe(&b, &awkward[1]);
	assert_int_equal(strncmp(buf_cstr(&b), "trusted_hosts.hosts: (absent) "
	    "-> [", 31), 0);
	assert_non_null(strstr(buf_cstr(&b), "  (policy \"x\")  NOT VERIFIED"));
	buf_release(&b);
}

static void
parse_fails(const char *message, const char *want)
{
	struct history_log *log = xcalloc(1, sizeof(*log));
	struct history_entry e;
	enum history_msg_record rec;
	char *cause = NULL;

	memset(&e, 0, sizeof(e));
	assert_int_equal(history_msg_parse(log, &e, &rec, message, &cause), -1);
	assert_string_equal(cause, want);
	free(cause);
	history_log_free(log);
}

static void
test_message_errors(void **state)
{
	parse_fails("apply: x\n", "commit message line 1: no trailers");
	parse_fails("apply: x\n\nRun-Id: 1\nVerb apply\n",
	    "commit message line 4: not a trailer: 'Verb apply'");
	parse_fails("apply: x\n\nchange host=a path=b class=nope\n\n"
	    "Run-Id: 1\nVerb: apply\n",
	    "commit message line 3: unknown class 'nope'");
	parse_fails("apply: x\n\nchange host=a path=\"b\n\nRun-Id: 1\n"
	    "Verb: apply\n", "commit message line 3: unterminated quote");
	parse_fails("apply: x\n\nchange host=a\n\nRun-Id: 1\nVerb: apply\n",
	    "commit message line 3: change without host, path or class");
	parse_fails("apply: x\n\nRun-Id: 1\nVerb: apply\nStarted: 9\n",
	    "commit message line 5: bad time '9'");
}

/* --- the repository ------------------------------------------------------ */

#define A1 "credssp:\n  server:\n    enabled: false\n"
#define A2 "credssp:\n  server:\n    enabled: true\n"
#define B1 "service:\n  WinRM:\n    state: running\n"
#define B2 "service:\n  WinRM:\n    state: stopped\n"

struct fleet {
	struct node	*a1, *a2, *b1, *b2;
};

static void
fleet_init(struct fleet *f)
{
	f->a1 = yaml(A1);
	f->a2 = yaml(A2);
	f->b1 = yaml(B1);
	f->b2 = yaml(B2);
}

static void
fleet_free(struct fleet *f)
{
	node_free(f->a1);
	node_free(f->a2);
	node_free(f->b1);
	node_free(f->b2);
}

static const struct history_change change_a = { "a.test",
    "credssp.server.enabled", "false", "true", HISTORY_WINDOW,
    "window create-cluster", "create-cluster", 1 };
static const struct history_change change_b = { "b.test", "service.WinRM.state",
    "stopped", "running", HISTORY_CORRECTIVE, "drift: changed outside enforcer",
    NULL, 1 };

/*
 * Three runs: run 1 changes a (first seen) and reads b; run 2 finds b
 * changed outside enforcer and repairs it; run 3 changes nothing.
 */
static void
three_runs(struct history *h, struct fleet *f)
{
	const char *win[] = { "create-cluster" };
	struct history_host hosts1[] = { { "a.test", f->a1, f->a2, NULL },
	    { "b.test", f->b1, NULL, NULL } };
	struct history_host hosts2[] = { { "a.test", f->a2, NULL, NULL },
	    { "b.test", f->b2, f->b1, NULL } };
	struct history_host hosts3[] = { { "a.test", f->a2, NULL, NULL },
	    { "b.test", f->b1, NULL, NULL } };
	struct history_run r1 = { "run-1", "apply", 1000, 1010, "/d", "c0ffee",
	    win, 1, hosts1, 2, &change_a, 1 };
	struct history_run r2 = { "run-2", "apply", 2000, 2010, "/d", NULL,
	    NULL, 0, hosts2, 2, &change_b, 1 };
	struct history_run r3 = { "run-3", "apply", 3000, 3010, "/d", NULL,
	    NULL, 0, hosts3, 2, NULL, 0 };

	record(h, &r1);
	record(h, &r2);
	record(h, &r3);
}

/* A run killed after its intent commit leaves drift and intent behind. */
static void
test_intent(void **state)
{
	struct history *h;
	struct history_log *log;
	struct node *n;
	struct fleet f;
	struct history_change ib = change_b, ia = change_a;
	git_oid tip;
	char *dir, *cause = NULL;

	dir = path_in_tmp("hist");
	h = open_hist(dir);
	fleet_init(&f);
	ib.verified = 0;
	ia.verified = 0;
	{
		struct history_host hosts1[] = {
		    { "a.test", f.a1, f.a2, NULL }, { "b.test", f.b1, NULL,
		    NULL } };
		struct history_host ihost[] = { { "b.test", f.b2, NULL, NULL } };
		struct history_host hosts2[] = {
		    { "a.test", f.a2, NULL, NULL }, { "b.test", f.b2, f.b1,
		    NULL } };
		struct history_host ahost[] = { { "a.test", f.a2, NULL, NULL } };
		struct history_run r1 = { "run-1", "apply", 1000, 1010, "/d",
		    NULL, NULL, 0, hosts1, 2, &change_a, 1 };
		struct history_run i2 = { "run-2", "apply", 2000, 2001, "/d",
		    NULL, NULL, 0, ihost, 1, &ib, 1 };
		struct history_run r2 = { "run-2", "apply", 2000, 2010, "/d",
		    NULL, NULL, 0, hosts2, 2, &change_b, 1 };
		struct history_run i3 = { "run-3", "apply", 3000, 3001, "/d",
		    NULL, NULL, 0, ahost, 1, &ia, 1 };

		record(h, &r1);
		assert_int_equal(history_record_intent(h, &i2, &cause), 0);
		/* Killed here: the drift is the last recorded state. */
		assert_int_equal(history_last_state(&n, h, "b.test", &cause),
		    0);
		assert_state(n, B2);
		record(h, &r2);
		/* Observe + run, intent, run: no second drift commit. */
		assert_int_equal(branch_commits(dir, &tip, NULL), 4);
		assert_int_equal(history_record_intent(h, &i3, &cause), 0);
	}
	log = list(h, NULL);
	assert_int_equal(log->n, 3);
	/* The cut run: its intent, changes not verified. */
	assert_string_equal(log->entries[0].run.run_id, "run-3");
	assert_string_equal(log->entries[0].summary,
	    "intent: 1 change on a.test");
	assert_int_equal(log->entries[0].cut, 1);
	assert_int_equal(log->entries[1].cut, 0);
	assert_int_equal(log->entries[0].run.nchanges, 1);
	assert_int_equal(log->entries[0].run.changes[0].verified, 0);
	/* The complete run: its intent commit joined, drift said. */
	assert_string_equal(log->entries[1].run.run_id, "run-2");
	assert_string_not_equal(log->entries[1].observed, "");
	assert_int_equal(log->entries[1].ndrifted, 1);
	assert_string_equal(log->entries[1].drifted[0], "b.test");
	assert_int_equal(log->entries[1].run.nchanges, 1);
	assert_int_equal(log->entries[1].run.changes[0].verified, 1);
	history_log_free(log);
	if (history_show(&log, h, "run-2", &cause) == -1)
		fail_msg("%s", cause);
	assert_int_equal(log->entries[0].ndrifted, 1);
	history_log_free(log);
	fleet_free(&f);
	history_free(h);
	free(dir);
}

/* Compliance, operator and dirty mark in the message, and back. */
static void
test_message_facts(void **state)
{
	struct history_host hosts[] = {
		{ "a.test", NULL, NULL, NULL,
		  "credssp.server.enabled held by Group Policy" },
		{ "b.test", NULL, NULL, NULL, NULL },
	};
	struct history_run run = { "run-1", "apply", 1000, 1010, "/d",
	    "c0ffee", NULL, 0, hosts, 2, NULL, 0 };
	struct history_log *log;
	struct history_entry e;
	enum history_msg_record rec;
	struct buf msg = BUF_INIT;
	char *cause = NULL;

	run.operator = "alice";
	run.desired_dirty = 1;
	history_msg_run(&msg, &run);
	assert_non_null(strstr(buf_cstr(&msg),
	    "apply: no change, 1 host not compliant, 1 host in sync\n"));
	assert_non_null(strstr(buf_cstr(&msg), "\nDesired-Dirty: yes\n"
	    "Operator: alice\n"));
	assert_non_null(strstr(buf_cstr(&msg), "\nHosts-Noncompliant: "
	    "a.test: credssp.server.enabled held by Group Policy\n"
	    "Hosts-Unchanged: b.test\n"));
	log = xcalloc(1, sizeof(*log));
	memset(&e, 0, sizeof(e));
	if (history_msg_parse(log, &e, &rec, buf_cstr(&msg), &cause) == -1)
		fail_msg("%s", cause);
	assert_string_equal(e.run.operator, "alice");
	assert_int_equal(e.run.desired_dirty, 1);
	assert_string_equal(e.run.hosts[0].noncompliant,
	    "credssp.server.enabled held by Group Policy");
	assert_null(e.run.hosts[1].noncompliant);
	buf_release(&msg);
	history_log_free(log);
}

/* Nothing new: no commit, until the heartbeat is due. */
static void
test_heartbeat(void **state)
{
	struct history *h;
	struct fleet f;
	git_oid tip;
	char *dir, *cause = NULL;
	int wrote;

	dir = path_in_tmp("hist");
	h = open_hist(dir);
	fleet_init(&f);
	{
		struct history_host hosts[] = {
		    { "a.test", f.a1, NULL, NULL }, { "b.test", f.b1, NULL,
		    NULL } };
		struct history_run r = { "run-1", "apply", 1000, 1010, "/d",
		    NULL, NULL, 0, hosts, 2, NULL, 0 };

		r.heartbeat = 3600;
		assert_int_equal(history_record(h, &r, &wrote, &cause), 0);
		assert_int_equal(wrote, 1);	/* first record */
		r.run_id = "run-2";
		r.finished = 1010 + 3599;
		assert_int_equal(history_record(h, &r, &wrote, &cause), 0);
		assert_int_equal(wrote, 0);
		assert_int_equal(branch_commits(dir, &tip, NULL), 1);
		/* A host's status changes: recorded. */
		hosts[1].noncompliant = "x held by Group Policy";
		assert_int_equal(history_record(h, &r, &wrote, &cause), 0);
		assert_int_equal(wrote, 1);
		r.run_id = "run-3";
		r.finished = 1010 + 3599 + 3600;
		assert_int_equal(history_record(h, &r, &wrote, &cause), 0);
		assert_int_equal(wrote, 1);	/* the heartbeat */
		assert_int_equal(branch_commits(dir, &tip, NULL), 3);
	}
	fleet_free(&f);
	history_free(h);
	free(dir);
}

static void
test_open_creates_bare(void **state)
{
	struct history *h;
	struct history_log *log;
	struct node *n;
	git_repository *r;
	char *dir, *cause = NULL;

	dir = path_in_tmp("hist");
	h = open_hist(dir);
	assert_non_null(strstr(history_where(h), "branch enforcer/history"));
	log = list(h, NULL);
	assert_int_equal(log->n, 0);
	history_log_free(log);
	assert_int_equal(history_last_state(&n, h, "a.test", &cause), 0);
	assert_null(n);
	history_free(h);
	assert_int_equal(git_repository_open(&r, dir), 0);
	assert_true(git_repository_is_bare(r));
	assert_int_equal(git_repository_head_unborn(r), 1);
	git_repository_free(r);
	h = open_hist(dir);	/* and again, now that it exists */
	history_free(h);
	free(dir);
}

static void
test_open_errors(void **state)
{
	struct history *h;
	char *cause = NULL, *file, *want;
	FILE *fp;

	file = path_in_tmp("x.yaml");
	fp = fopen(file, "w");
	fputs("hosts: {}\n", fp);
	fclose(fp);
	assert_int_equal(history_open(&h, file, NULL, &cause), -1);
	assert_null(h);
	want = xasprintf("'%s' is not in a git repository: give --history "
	    "DIR to keep the history elsewhere", file);
	assert_string_equal(cause, want);
	free(want);
	free(cause);
	cause = NULL;
	/* A directory with files that is no repository is not taken. */
	assert_int_equal(history_open(&h, NULL, tmp, &cause), -1);
	assert_non_null(strstr(cause, "not a git repository, and not empty"));
	free(cause);
	free(file);
}

static void
test_record_runs(void **state)
{
	struct history *h;
	struct history_log *log;
	struct fleet f;
	git_oid tip, tree2, tree3;
	char *dir;

	dir = path_in_tmp("hist");
	h = open_hist(dir);
	fleet_init(&f);
	three_runs(h, &f);
	/* run 1: observe (a first seen and changed) + run; run 2: drift +
	   run; run 3: one commit. */
	assert_int_equal(branch_commits(dir, &tip, &tree3), 5);
	log = list(h, NULL);
	assert_int_equal(log->n, 3);
	assert_string_equal(log->entries[0].run.run_id, "run-3");
	assert_string_equal(log->entries[0].summary,
	    "apply: no change, 2 hosts in sync");
	assert_string_equal(log->entries[0].observed, "");
	assert_int_equal(log->entries[0].run.nhosts, 2);
	assert_string_equal(log->entries[1].run.run_id, "run-2");
	assert_string_equal(log->entries[1].summary,
	    "apply: 1 change on 1 host");
	assert_int_equal(log->entries[1].ndrifted, 1);
	assert_string_equal(log->entries[1].drifted[0], "b.test");
	assert_int_equal(log->entries[1].run.nchanges, 1);
	assert_change_equal(&log->entries[1].run.changes[0], &change_b);
	assert_string_equal(log->entries[2].run.run_id, "run-1");
	assert_string_not_equal(log->entries[2].observed, "");
	assert_int_equal(log->entries[2].ndrifted, 0);
	assert_string_equal(log->entries[2].run.desired_commit, "c0ffee");
	assert_int_equal(log->entries[2].run.nwindows, 1);
	assert_int_equal(log->entries[2].run.started, 1000);
	assert_int_equal(log->entries[2].run.finished, 1010);
	history_log_free(log);
	/* run 3 changed nothing: its tree is run 2's. */
	{
		git_repository *r;
		git_commit *c, *p;

		assert_int_equal(git_repository_open(&r, dir), 0);
		assert_int_equal(git_commit_lookup(&c, r, &tip), 0);
		assert_int_equal(git_commit_parent(&p, c, 0), 0);
		git_oid_cpy(&tree2, git_commit_tree_id(p));
		assert_string_equal(git_commit_author(c)->name, "enforcer");
		assert_int_equal(strncmp(git_commit_author(c)->email,
		    "enforcer@", 9), 0);
		git_commit_free(p);
		git_commit_free(c);
		git_repository_free(r);
	}
	assert_true(git_oid_equal(&tree2, &tree3));
	fleet_free(&f);
	history_free(h);
	free(dir);
}

static void
test_states(void **state)
{
	struct history *h;
	struct fleet f;
	struct node *n;
	char *dir, *cause = NULL;

	dir = path_in_tmp("hist");
	h = open_hist(dir);
	fleet_init(&f);
	three_runs(h, &f);
	assert_int_equal(history_last_state(&n, h, "a.test", &cause), 0);
	assert_state(n, A2);
	assert_int_equal(history_last_state(&n, h, "b.test", &cause), 0);
	assert_state(n, B1);
	assert_int_equal(history_state_before(&n, h, "run-1", "a.test",
	    &cause), 0);
	assert_state(n, A1);
	/* b was first recorded by run 1, unchanged: what it observed. */
	assert_int_equal(history_state_before(&n, h, "run-1", "b.test",
	    &cause), 0);
	assert_state(n, B1);
	/* Before run 2 repaired it, b was seen drifted. */
	assert_int_equal(history_state_before(&n, h, "run-2", "b.test",
	    &cause), 0);
	assert_state(n, B2);
	assert_int_equal(history_state_before(&n, h, "run-2", "zz.test",
	    &cause), 0);
	assert_null(n);
	assert_int_equal(history_state_before(&n, h, "run-9", "a.test",
	    &cause), -1);
	assert_non_null(strstr(cause, "no run 'run-9' in branch "
	    "enforcer/history of "));
	free(cause);
	fleet_free(&f);
	history_free(h);
	free(dir);
}

static char *
emit(const struct node *n)
{
	struct buf b = BUF_INIT;

	node_emit(n, &b, 1);
	return buf_detach(&b);
}

/*
 * A run's states given as the text the engine keeps of a done host
 * (node_emit(), sorted keys) are recorded as the same blobs as the trees.
 */
static void
test_states_as_text(void **state)
{
	struct history *h;
	struct fleet f;
	struct node *n;
	git_oid tip, tree_from_trees, tree_from_text;
	char *dir, *a1, *a2, *b1, *cause = NULL;

	fleet_init(&f);
	a1 = emit(f.a1);
	a2 = emit(f.a2);
	b1 = emit(f.b1);
	{
		struct history_host trees[] = { { "a.test", f.a1, f.a2, NULL },
		    { "b.test", f.b1, NULL, NULL } };
		struct history_host texts[] = {
		    { "a.test", NULL, NULL, NULL, NULL, a1, a2 },
		    { "b.test", NULL, NULL, NULL, NULL, b1, NULL } };
		struct history_run r = { "run-1", "apply", 1000, 1010, "/d",
		    "c0ffee", NULL, 0, trees, 2, &change_a, 1 };

		dir = path_in_tmp("hist-trees");
		h = open_hist(dir);
		record(h, &r);
		history_free(h);
		assert_int_equal(branch_commits(dir, &tip, &tree_from_trees), 2);
		free(dir);

		dir = path_in_tmp("hist-text");
		h = open_hist(dir);
		r.hosts = texts;
		record(h, &r);
		assert_int_equal(branch_commits(dir, &tip, &tree_from_text), 2);
		assert_true(git_oid_equal(&tree_from_trees, &tree_from_text));
		assert_int_equal(history_last_state(&n, h, "a.test", &cause), 0);
		assert_state(n, A2);
		assert_int_equal(history_last_state(&n, h, "b.test", &cause), 0);
		assert_state(n, B1);
		history_free(h);
		free(dir);
	}
	free(a1);
	free(a2);
	free(b1);
	fleet_free(&f);
}

static void
test_show(void **state)
{
	struct history *h;
	struct history_log *log;
	const struct history_host *ha, *hb;
	struct fleet f;
	char *dir, *cause = NULL;

	dir = path_in_tmp("hist");
	h = open_hist(dir);
	fleet_init(&f);
	three_runs(h, &f);
	if (history_show(&log, h, "run-2", &cause) == -1)
		fail_msg("%s", cause);
	assert_int_equal(log->n, 1);
	assert_string_equal(log->entries[0].run.run_id, "run-2");
	assert_int_equal(log->entries[0].ndrifted, 1);
	assert_int_equal(log->entries[0].run.nhosts, 2);
	hb = &log->entries[0].run.hosts[0];	/* Hosts-Changed first */
	ha = &log->entries[0].run.hosts[1];
	assert_string_equal(hb->name, "b.test");
	assert_true(node_equal(hb->observed, f.b2));
	assert_true(node_equal(hb->verified, f.b1));
	assert_string_equal(ha->name, "a.test");
	assert_true(node_equal(ha->observed, f.a2));
	assert_null(ha->verified);
	history_log_free(log);
	assert_int_equal(history_show(&log, h, "nope", &cause), -1);
	assert_null(log);
	free(cause);
	fleet_free(&f);
	history_free(h);
	free(dir);
}

static void
test_filters(void **state)
{
	struct history_filter f = HISTORY_FILTER_INIT;
	struct history *h;
	struct history_log *log;
	struct fleet fl;
	char *dir;

	dir = path_in_tmp("hist");
	h = open_hist(dir);
	fleet_init(&fl);
	three_runs(h, &fl);
	f.host = "b.test";	/* changed in run 2 (after drift) */
	log = list(h, &f);
	assert_int_equal(log->n, 1);
	assert_string_equal(log->entries[0].run.run_id, "run-2");
	history_log_free(log);
	f.host = "a.test";
	log = list(h, &f);
	assert_int_equal(log->n, 1);
	assert_string_equal(log->entries[0].run.run_id, "run-1");
	history_log_free(log);
	f.host = NULL;
	f.class = HISTORY_CORRECTIVE;
	log = list(h, &f);
	assert_int_equal(log->n, 1);
	assert_int_equal(log->entries[0].run.nchanges, 1);
	assert_int_equal(log->entries[0].run.changes[0].class,
	    HISTORY_CORRECTIVE);
	history_log_free(log);
	f.class = HISTORY_EXPIRY;
	log = list(h, &f);
	assert_int_equal(log->n, 0);
	history_log_free(log);
	f.class = -1;
	f.since = 2010;
	log = list(h, &f);
	assert_int_equal(log->n, 2);
	history_log_free(log);
	f.since = 0;
	f.limit = 2;
	log = list(h, &f);
	assert_int_equal(log->n, 2);
	assert_string_equal(log->entries[1].run.run_id, "run-2");
	assert_int_equal(log->entries[1].ndrifted, 1);
	history_log_free(log);
	fleet_free(&fl);
	history_free(h);
	free(dir);
}

static void
test_unreadable_host(void **state)
{
	struct history *h;
	struct history_log *log;
	struct fleet f;
	struct node *n;
	struct history_host hosts[] = { { "a.test", NULL, NULL,
	    "connect: connection refused" } };
	struct history_run r4 = { "run-4", "apply", 4000, 4010, NULL, NULL,
	    NULL, 0, hosts, 1, NULL, 0 };
	struct history_filter flt = HISTORY_FILTER_INIT;
	char *dir, *cause = NULL;

	dir = path_in_tmp("hist");
	h = open_hist(dir);
	fleet_init(&f);
	three_runs(h, &f);
	record(h, &r4);
	assert_int_equal(history_last_state(&n, h, "a.test", &cause), 0);
	assert_state(n, A2);
	flt.host = "a.test";
	flt.limit = 1;
	log = list(h, &flt);
	assert_int_equal(log->n, 1);
	assert_string_equal(log->entries[0].summary,
	    "apply: no change, 1 host failed");
	assert_string_equal(log->entries[0].run.hosts[0].error,
	    "connect: connection refused");
	history_log_free(log);
	fleet_free(&f);
	history_free(h);
	free(dir);
}

static void
test_bad_runs(void **state)
{
	struct history *h;
	struct history_host bad[] = { { "../x", NULL, NULL, NULL } };
	struct history_host twice[] = { { "a", NULL, NULL, NULL },
	    { "a", NULL, NULL, NULL } };
	struct history_run r = { "r", "apply", 1, 2, NULL, NULL, NULL, 0, bad,
	    1, NULL, 0 };
	char *dir, *cause = NULL;

	dir = path_in_tmp("hist");
	h = open_hist(dir);
	assert_int_equal(history_record(h, &r, NULL, &cause), -1);
	assert_non_null(strstr(cause, ": host name '../x' cannot be a file "
	    "name"));
	r.hosts = twice;
	r.nhosts = 2;
	assert_int_equal(history_record(h, &r, NULL, &cause), -1);
	assert_non_null(strstr(cause, ": host 'a' twice in one run"));
	free(cause);
	history_free(h);
	free(dir);
}

static git_oid
commit_file(git_repository *r, const char *name, const char *text)
{
	git_index *idx;
	git_signature *sig;
	git_oid blob, tree, id;
	git_tree *t;
	git_index_entry e;
	char *path;
	FILE *fp;

	path = xasprintf("%s/%s", git_repository_workdir(r), name);
	fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
	free(path);
	assert_int_equal(git_repository_index(&idx, r), 0);
	assert_int_equal(git_blob_create_from_buffer(&blob, r, text,
	    strlen(text)), 0);
	memset(&e, 0, sizeof(e));
	e.path = name;
	e.mode = GIT_FILEMODE_BLOB;
	git_oid_cpy(&e.id, &blob);
	assert_int_equal(git_index_add(idx, &e), 0);
	assert_int_equal(git_index_write(idx), 0);
	assert_int_equal(git_index_write_tree(&tree, idx), 0);
	assert_int_equal(git_tree_lookup(&t, r, &tree), 0);
	assert_int_equal(git_signature_new(&sig, "t", "t@t", 1, 0), 0);
	assert_int_equal(git_commit_create(&id, r, "HEAD", sig, sig, NULL,
	    "desired", t, 0, NULL), 0);
	git_signature_free(sig);
	git_tree_free(t);
	git_index_free(idx);
	return id;
}

static char *
slurp(const char *path, size_t *len)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *fp;

	assert_non_null(fp = fopen(path, "rb"));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	*len = b.len;
	return buf_detach(&b);
}

/* The team's repository: only objects and our branch change. */
static void
test_in_desired_repo(void **state)
{
	git_repository *r;
	git_reference *head;
	struct history *h;
	struct fleet f;
	struct history_log *log;
	git_oid main_id, tip;
	char *work, *file, *index, *before, *after, *wt1, *wt2, *gitdir;
	char *cause = NULL;
	size_t lb, la, l1, l2;

	work = path_in_tmp("desired");
	assert_int_equal(git_repository_init(&r, work, 0), 0);
	main_id = commit_file(r, "hosts.yaml", "hosts: {}\n");
	file = xasprintf("%s/hosts.yaml", work);
	index = xasprintf("%s/.git/index", work);
	before = slurp(index, &lb);
	wt1 = slurp(file, &l1);
	if (history_open(&h, file, NULL, &cause) == -1)
		fail_msg("%s", cause);
	fleet_init(&f);
	three_runs(h, &f);
	log = list(h, NULL);
	assert_int_equal(log->n, 3);
	history_log_free(log);
	history_free(h);
	after = slurp(index, &la);
	wt2 = slurp(file, &l2);
	assert_int_equal(lb, la);
	assert_memory_equal(before, after, la);
	assert_int_equal(l1, l2);
	assert_memory_equal(wt1, wt2, l1);
	assert_int_equal(git_repository_head(&head, r), 0);
	assert_string_equal(git_reference_name(head), "refs/heads/master");
	assert_true(git_oid_equal(git_reference_target(head), &main_id));
	git_reference_free(head);
	git_repository_free(r);
	gitdir = xasprintf("%s/.git", work);
	assert_int_equal(branch_commits(gitdir, &tip, NULL), 5);
	free(gitdir);
	fleet_free(&f);
	free(before);
	free(after);
	free(wt1);
	free(wt2);
	free(index);
	free(file);
	free(work);
}

struct grep {
	git_odb		*odb;
	const char	*needle;
	size_t		 hits;
	size_t		 objects;
};

static int
grep_object(const git_oid *id, void *payload)
{
	struct grep *g = payload;
	git_odb_object *o;

	assert_int_equal(git_odb_read(&o, g->odb, id), 0);
	if (memmem(git_odb_object_data(o), git_odb_object_size(o),
	    g->needle, strlen(g->needle)) != NULL)
		g->hits++;
	g->objects++;
	git_odb_object_free(o);
	return 0;
}

static size_t
grep_repo(const char *dir, const char *needle)
{
	git_repository *r;
	struct grep g = { NULL, needle, 0, 0 };

	assert_int_equal(git_repository_open(&r, dir), 0);
	assert_int_equal(git_repository_odb(&g.odb, r), 0);
	assert_int_equal(git_odb_foreach(g.odb, grep_object, &g), 0);
	assert_true(g.objects > 0);
	git_odb_free(g.odb);
	git_repository_free(r);
	return g.hits;
}

/* Record a run whose every text carries secret (driver and unit test). */
static int
record_leaky_run(const char *dir, const char *secret, char **cause)
{
	struct history *h;
	struct node *obs, *ver, *conn;
	struct history_host hosts[2];
	struct history_change c;
	struct history_run r;
	char *err, *reason;
	int rc;

	if (history_open(&h, NULL, dir, cause) == -1)
		return -1;
	history_add_secret(h, secret);
	obs = node_map();
	conn = node_map();
	node_map_set(conn, "note", node_scalar(secret));
	node_map_set(obs, "connection", conn);
	ver = yaml("connection:\n  note: clean\n");
	err = xasprintf("401 for password '%s'", secret);
	reason = xasprintf("policy %s", secret);
	hosts[0] = (struct history_host){ "a.test", obs, ver, NULL };
	hosts[1] = (struct history_host){ "b.test", NULL, NULL, err };
	c = (struct history_change){ "a.test", "connection.note", secret,
	    "clean", HISTORY_CORRECTIVE, reason, NULL, 1 };
	r = (struct history_run){ "secret-1", "apply", 10, 20, secret, NULL,
	    NULL, 0, hosts, 2, &c, 1 };
	rc = history_record(h, &r, NULL, cause);
	node_free(obs);
	node_free(ver);
	free(err);
	free(reason);
	history_free(h);
	return rc;
}

static void
test_secret_redacted(void **state)
{
	/* Plain, then with the characters quoting rewrites. */
	const char *secrets[] = { "Sup3r-S3cret!", "Sup3r\"S3c'r\\et!" };
	char *dir, *cause = NULL, *name;
	size_t i;

	for (i = 0; i < nitems(secrets); i++) {
		name = xasprintf("hist%zu", i);
		dir = path_in_tmp(name);
		if (record_leaky_run(dir, secrets[i], &cause) == -1)
			fail_msg("%s", cause);
		assert_int_equal(grep_repo(dir, secrets[i]), 0);
		/* The secret's pieces are gone too, not only the whole. */
		assert_int_equal(grep_repo(dir, "S3c"), 0);
		/* The message and a blob name the redaction instead. */
		assert_true(grep_repo(dir, "[redacted]") >= 2);
		free(dir);
		free(name);
	}
}

static void
test_stale_ref_lock(void **state)
{
	struct history *h;
	struct fleet f;
	struct history_log *log;
	char *dir, *lock, *refdir;
	FILE *fp;

	dir = path_in_tmp("hist");
	h = open_hist(dir);
	refdir = xasprintf("%s/refs/heads/enforcer", dir);
	lock = xasprintf("%s/history.lock", refdir);
	mkdir(refdir, 0755);
	free(refdir);
	assert_non_null(fp = fopen(lock, "w"));
	fclose(fp);
	fleet_init(&f);
	three_runs(h, &f);
	log = list(h, NULL);
	assert_int_equal(log->n, 3);
	history_log_free(log);
	assert_int_equal(access(lock, F_OK), -1);
	fleet_free(&f);
	history_free(h);
	free(lock);
	free(dir);
}

static void
test_json(void **state)
{
	struct history *h;
	struct history_log *log;
	struct fleet f;
	struct buf b = BUF_INIT;
	struct node *n;
	char *dir, *cause = NULL;

	n = yaml("a: [1, \"2\", true, ~, 'x\"y']\nb: {c: no}\n");
	history_json_node(&b, n);
	assert_string_equal(buf_cstr(&b),
	    "{\"a\": [1, \"2\", true, null, \"x\\\"y\"], \"b\": {\"c\": \"no\"}}");
	node_free(n);
	buf_reset(&b);
	dir = path_in_tmp("hist");
	h = open_hist(dir);
	fleet_init(&f);
	three_runs(h, &f);
	if (history_show(&log, h, "run-1", &cause) == -1)
		fail_msg("%s", cause);
	history_json_entry(&b, &log->entries[0], 1);
	assert_int_equal(strncmp(buf_cstr(&b), "{\"run_id\": \"run-1\", "
	    "\"verb\": \"apply\", \"summary\": \"apply: 1 change on 1 host\", "
	    "\"started\": \"1970-01-01T00:16:40Z\", \"finished\": "
	    "\"1970-01-01T00:16:50Z\", \"commit\": \"", 148), 0);
	assert_non_null(strstr(buf_cstr(&b), "\"hosts\": [{\"name\": "
	    "\"a.test\", \"error\": null, \"noncompliant\": null, "
	    "\"observed\": {\"credssp\": "
	    "{\"server\": {\"enabled\": false}}}, \"verified\": {\"credssp\": "
	    "{\"server\": {\"enabled\": true}}}}, {\"name\": \"b.test\", "
	    "\"error\": null, \"noncompliant\": null, "
	    "\"observed\": {\"service\": {\"WinRM\": "
	    "{\"state\": \"running\"}}}, \"verified\": null}], \"changes\": "
	    "[{\"host\": \"a.test\", \"path\": \"credssp.server.enabled\", "
	    "\"before\": \"false\", \"after\": \"true\", \"class\": "
	    "\"window\", \"reason\": \"window create-cluster\", \"window\": "
	    "\"create-cluster\", \"verified\": true}]}"));
	buf_release(&b);
	history_log_free(log);
	fleet_free(&f);
	history_free(h);
	free(dir);
}

/* --- driver for tests/e2e/history_*.sh ----------------------------------- */

/* Sequence number of the run at the branch tip, 0 if none; -1 on error. */
static long
tip_seq(struct history *h, char **cause)
{
	struct history_filter f = HISTORY_FILTER_INIT;
	struct history_log *log;
	long seq = 0;

	f.limit = 1;
	if (history_list(&log, h, &f, cause) == -1)
		return -1;
	if (log->n == 1)
		seq = strtol(log->entries[0].run.run_id + 5, NULL, 10);
	history_log_free(log);
	return seq;
}

/*
 * Runs "loop-N" over three hosts; each verifies "seq: N"; every third run
 * also finds host c changed outside enforcer, so drift commits happen too.
 */
static int
loop_run(struct history *h, long seq, char **cause)
{
	struct node *obs[3], *ver[3];
	struct history_host hosts[3];
	struct history_change ch[3];
	struct history_run r;
	char id[32], *text, before[32], after[32];
	const char *names[3] = { "a.test", "b.test", "c.test" };
	int i, rc;

	snprintf(id, sizeof(id), "loop-%ld", seq);
	snprintf(before, sizeof(before), "%ld", seq - 1);
	snprintf(after, sizeof(after), "%ld", seq);
	for (i = 0; i < 3; i++) {
		text = xasprintf("seq: %ld\n%s", seq - 1, i == 2 &&
		    seq % 3 == 0 ? "outside: true\n" : "");
		obs[i] = yaml(text);
		free(text);
		text = xasprintf("seq: %ld\n", seq);
		ver[i] = yaml(text);
		free(text);
		hosts[i] = (struct history_host){ names[i], obs[i], ver[i],
		    NULL };
		ch[i] = (struct history_change){ names[i], "seq", before, after,
		    HISTORY_INTENTIONAL, "policy loop", NULL, 1 };
	}
	r = (struct history_run){ id, "apply", (time_t)seq, (time_t)seq, NULL,
	    NULL, NULL, 0, hosts, 3, ch, 3 };
	rc = history_record(h, &r, NULL, cause);
	for (i = 0; i < 3; i++) {
		node_free(obs[i]);
		node_free(ver[i]);
	}
	return rc;
}

static int
drive_loop(const char *dir)
{
	struct history *h;
	char *cause = NULL;
	long seq;

	if (history_open(&h, NULL, dir, &cause) == -1 ||
	    (seq = tip_seq(h, &cause)) == -1)
		goto fail;
	/* The crash test times its kill from here. */
	printf("writing\n");
	fflush(stdout);
	for (seq++;; seq++)
		if (loop_run(h, seq, &cause) == -1)
			goto fail;
fail:
	fprintf(stderr, "test_history: %s\n", cause);
	free(cause);
	history_free(h);
	return 1;
}

/* The tip is run loop-N and every host file says seq: N. */
static int
drive_verify(const char *dir)
{
	const char *names[3] = { "a.test", "b.test", "c.test" };
	struct history *h;
	struct history_log *log = NULL;
	struct node *n;
	char *cause = NULL, want[32];
	long seq;
	int i, rc = 1;

	if (history_open(&h, NULL, dir, &cause) == -1 ||
	    history_list(&log, h, NULL, &cause) == -1 ||
	    (seq = tip_seq(h, &cause)) == -1)
		goto out;
	snprintf(want, sizeof(want), "%ld", seq);
	for (i = 0; seq > 0 && i < 3; i++) {
		if (history_last_state(&n, h, names[i], &cause) == -1)
			goto out;
		if (n == NULL || node_get_str(n, "seq") == NULL ||
		    strcmp(node_get_str(n, "seq"), want) != 0) {
			cause = xasprintf("%s: tip is loop-%ld but its state "
			    "is not seq %ld", names[i], seq, seq);
			node_free(n);
			goto out;
		}
		node_free(n);
	}
	if ((size_t)seq != log->n) {
		cause = xasprintf("%zu runs recorded, tip is loop-%ld",
		    log->n, seq);
		goto out;
	}
	printf("%ld\n", seq);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "test_history: %s\n", cause);
	free(cause);
	history_log_free(log);
	history_free(h);
	return rc;
}

static int
drive_secret(const char *dir)
{
	const char *secret = getenv("ENFORCER_TEST_PASSWORD");
	char *cause = NULL;

	if (secret == NULL || record_leaky_run(dir, secret, &cause) == -1) {
		fprintf(stderr, "test_history: %s\n", cause != NULL ? cause :
		    "ENFORCER_TEST_PASSWORD is not set");
		free(cause);
		return 1;
	}
	return 0;
}

#define N1_OK	"service:\n  WinRM:\n    start_mode: auto\n    state: running\n"
#define N1_OFF	"service:\n  WinRM:\n    start_mode: auto\n    state: stopped\n"
#define N2_OFF	"credssp:\n  client:\n    enabled: false\n  server:\n" \
		"    enabled: false\n"
#define N2_ON	"credssp:\n  client:\n    enabled: false\n  server:\n" \
		"    enabled: true\n"

/*
 * The story docs/history.md tells: a window opens CredSSP on node2 (node3
 * is down), someone stops WinRM on node1 and the next run repairs it, the
 * window ends, then a run finds nothing to do.
 */
static int
drive_fixture(const char *desired, const char *dir)
{
	const char *win[] = { "create-cluster" };
	struct node *n1ok = yaml(N1_OK), *n1off = yaml(N1_OFF);
	struct node *n2off = yaml(N2_OFF), *n2on = yaml(N2_ON);
	const struct history_host h1[] = {
		{ "node1.contoso.test", n1ok, NULL, NULL },
		{ "node2.contoso.test", n2off, n2on, NULL },
		{ "node3.contoso.test", NULL, NULL,
		  "connect: connection refused" } };
	const struct history_host h2[] = {
		{ "node1.contoso.test", n1off, n1ok, NULL },
		{ "node2.contoso.test", n2on, NULL, NULL } };
	const struct history_host h3[] = {
		{ "node1.contoso.test", n1ok, NULL, NULL },
		{ "node2.contoso.test", n2on, n2off, NULL } };
	const struct history_host h4[] = {
		{ "node1.contoso.test", n1ok, NULL, NULL },
		{ "node2.contoso.test", n2off, NULL, NULL } };
	const struct history_change c1 = { "node2.contoso.test",
	    "credssp.server.enabled", "false", "true", HISTORY_WINDOW,
	    "window create-cluster", "create-cluster", 1 };
	const struct history_change c2 = { "node1.contoso.test",
	    "service.WinRM.state", "stopped", "running", HISTORY_CORRECTIVE,
	    "policy hci-nodes", NULL, 1 };
	const struct history_change c3 = { "node2.contoso.test",
	    "credssp.server.enabled", "true", "false", HISTORY_EXPIRY,
	    "window create-cluster ended", "create-cluster", 1 };
	const struct history_run runs[] = {
		{ "20261125T093000Z-1a2b3c", "apply", 1795599000, 1795599004,
		  "examples/hci-cluster", "9f3c2a1b4d5e6f708192a3b4c5d6e7f8091a2b3c",
		  win, 1, h1, 3, &c1, 1 },
		{ "20261125T100000Z-4d5e6f", "apply", 1795600800, 1795600802,
		  "examples/hci-cluster", NULL, win, 1, h2, 2, &c2, 1 },
		{ "20261125T110000Z-7a8b9c", "apply", 1795604400, 1795604403,
		  "examples/hci-cluster", NULL, NULL, 0, h3, 2, &c3, 1 },
		{ "20261125T120000Z-0d1e2f", "apply", 1795608000, 1795608001,
		  "examples/hci-cluster", NULL, NULL, 0, h4, 2, NULL, 0 },
	};
	struct history *h;
	char *cause = NULL;
	size_t i;
	int rc = 1;

	if (history_open(&h, desired, dir, &cause) == -1)
		goto out;
	for (i = 0; i < nitems(runs); i++)
		if (history_record(h, &runs[i], NULL, &cause) == -1)
			goto out;
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "test_history: %s\n", cause);
	free(cause);
	history_free(h);
	node_free(n1ok);
	node_free(n1off);
	node_free(n2off);
	node_free(n2on);
	return rc;
}

static int
drive(int argc, char **argv)
{
	int rc = 2;

	git_libgit2_init();
	if (strcmp(argv[1], "loop") == 0)
		rc = drive_loop(argv[2]);
	else if (strcmp(argv[1], "verify") == 0)
		rc = drive_verify(argv[2]);
	else if (strcmp(argv[1], "secret") == 0)
		rc = drive_secret(argv[2]);
	else if (strcmp(argv[1], "fixture") == 0)
		rc = drive_fixture(NULL, argv[2]);
	else if (strcmp(argv[1], "fixture-in") == 0)
		rc = drive_fixture(argv[2], NULL);
	else
		fprintf(stderr, "test_history: unknown mode '%s'\n", argv[1]);
	git_libgit2_shutdown();
	return rc;
}

/* --- a history shared by URL (history_share.c) --------------------------- */

static struct history *
open_shared(const char *url, const char *cache, unsigned index,
    unsigned count)
{
	const struct history_place place = { cache, index, count };
	struct history *h;
	char *cause = NULL;

	if (history_open_at(&h, NULL, url, &place, &cause) == -1)
		fail_msg("%s", cause);
	return h;
}

/*
 * Two processes of one shard, each in its own mirror, record without
 * seeing each other: the second push races the first, so its run is
 * replayed on the new tip and pushed.  A second shard records to its own
 * ref.  A reader sees the three runs as one fleet, newest first, and the
 * shared repository's shard ref carries both runs of shard 0 in one line.
 */
static void
test_shared_race(void **state)
{
	struct fleet f;
	struct history *a, *b, *c, *r;
	struct history_log *log;
	git_repository *bare;
	char *dir, *url, *ca, *cb, *cc, *cr, *cause = NULL;
	git_oid tip;
	struct node *n;

	fleet_init(&f);
	dir = path_in_tmp("shared.git");
	assert_int_equal(git_repository_init(&bare, dir, 1), 0);
	git_repository_free(bare);
	url = xasprintf("file://%s", dir);
	ca = path_in_tmp("cache-a");
	cb = path_in_tmp("cache-b");
	cc = path_in_tmp("cache-c");
	cr = path_in_tmp("cache-r");
	a = open_shared(url, ca, 0, 2);
	b = open_shared(url, cb, 0, 2);
	c = open_shared(url, cc, 1, 2);
	{
		struct history_host ha[] = { { "a.test", f.a1, f.a2, NULL } };
		struct history_host hb[] = { { "b.test", f.b1, f.b2, NULL } };
		struct history_host hc[] = { { "c.test", f.a1, f.a2, NULL } };
		struct history_change cha = change_a, chb = change_b,
		    chc = change_a;
		struct history_run r1 = { "run-1", "apply", 1000, 1010, "/d",
		    NULL, NULL, 0, ha, 1, &cha, 1 };
		struct history_run r2 = { "run-2", "apply", 2000, 2010, "/d",
		    NULL, NULL, 0, hb, 1, &chb, 1 };
		struct history_run r3 = { "run-3", "apply", 1500, 1510, "/d",
		    NULL, NULL, 0, hc, 1, &chc, 1 };

		chc.host = "c.test";
		record(a, &r1);
		record(b, &r2);		/* races run-1: replayed */
		record(c, &r3);
	}
	r = open_shared(url, cr, 0, 0);
	log = list(r, NULL);
	assert_int_equal(log->n, 3);
	assert_string_equal(log->entries[0].run.run_id, "run-2");
	assert_string_equal(log->entries[1].run.run_id, "run-3");
	assert_string_equal(log->entries[2].run.run_id, "run-1");
	history_log_free(log);
	/* Both hosts of shard 0 are in its ref's tip: nothing was lost. */
	assert_int_equal(history_last_state(&n, r, "a.test", &cause), 0);
	assert_state(n, A2);
	assert_int_equal(history_last_state(&n, r, "b.test", &cause), 0);
	assert_state(n, B2);
	assert_int_equal(git_repository_open(&bare, dir), 0);
	assert_int_equal(git_reference_name_to_id(&tip, bare,
	    "refs/heads/enforcer/history/shard-0-of-2"), 0);
	assert_int_equal(git_reference_name_to_id(&tip, bare,
	    "refs/heads/enforcer/history/shard-1-of-2"), 0);
	/* A sharded tree is fanned out: hosts/<top byte of the hash>/. */
	{
		git_commit *cm;
		git_tree *tree;
		git_tree_entry *e;
		char *p = xasprintf("hosts/%02x/c.test.yaml",
		    (unsigned)(shard_hash("c.test") >> 56));

		assert_int_equal(git_commit_lookup(&cm, bare, &tip), 0);
		assert_int_equal(git_commit_tree(&tree, cm), 0);
		assert_int_equal(git_tree_entry_bypath(&e, tree, p), 0);
		git_tree_entry_free(e);
		assert_int_not_equal(git_tree_entry_bypath(&e, tree,
		    "hosts/c.test.yaml"), 0);
		git_tree_free(tree);
		git_commit_free(cm);
		free(p);
	}
	git_repository_free(bare);
	history_free(a);
	history_free(b);
	history_free(c);
	history_free(r);
	fleet_free(&f);
	free(dir);
	free(url);
	free(ca);
	free(cb);
	free(cc);
	free(cr);
}

/* Run ids of a host's runs, newest first, space-separated. */
static char *
host_runs(struct history *h, const char *host)
{
	struct history_filter f = HISTORY_FILTER_INIT;
	struct history_log *log;
	struct buf b = BUF_INIT;
	size_t i;

	f.host = host;
	log = list(h, &f);
	for (i = 0; i < log->n; i++)
		buf_printf(&b, "%s%s%s", i > 0 ? " " : "",
		    log->entries[i].run.run_id, log->entries[i].cut ? "(cut)" :
		    "");
	history_log_free(log);
	return buf_detach(&b);
}

static void
assert_host_runs(struct history *h, const char *host, const char *want)
{
	char *got = host_runs(h, host);

	assert_string_equal(got, want);
	free(got);
}

/* One run of index_run() changing host (its state: serial). */
static void
index_run(struct history *h, const char *id, const char *host, int serial,
    int intent_only)
{
	char text[32], *cause = NULL;
	struct node *st;

	snprintf(text, sizeof(text), "serial: %d\n", serial);
	st = yaml(text);
	{
		struct history_host hh = { host, st, st, NULL };
		struct history_change ch = { host, "serial", "x", "y",
		    HISTORY_CORRECTIVE, NULL, NULL, 1 };
		struct history_run r = { id, "apply", 1000 + serial * 900,
		    1010 + serial * 900, "/d", NULL, NULL, 0, &hh, 1, &ch, 1 };

		if (intent_only) {
			if (history_record_intent(h, &r, &cause) == -1)
				fail_msg("%s", cause);
		} else
			record(h, &r);
	}
	node_free(st);
}

static char *
read_text(const char *path)
{
	char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return xstrdup(buf);
}

/*
 * The index by host (history_index.c): kept at the branch's tip by each
 * run, rebuilt when its TIP is lost, repeated lines dropped, a run cut
 * short found; and `history --host` reads the indexed runs only: with a
 * commit of another host's run gone from the repository, the full walk
 * fails, the host's does not.
 */
static void
test_index(void **state)
{
	struct history_log *log;
	struct history *h;
	git_oid tip;
	char *dir, *idx, *path, *text, *cause = NULL, hex[GIT_OID_HEXSZ + 1];
	char *bucket, *lines;
	FILE *f;

	dir = path_in_tmp("indexed");
	h = open_hist(dir);
	history_set_pack(h, 0);		/* every object a file of its own */
	index_run(h, "r1", "a.test", 1, 0);
	index_run(h, "r2", "b.test", 2, 0);
	index_run(h, "r3", "b.test", 3, 0);
	index_run(h, "r4", "a.test", 4, 1);	/* intent, then the run */
	index_run(h, "r4", "a.test", 4, 0);
	idx = xasprintf("%s/enforcer-index/history", dir);
	path = xasprintf("%s/TIP", idx);
	branch_commits(dir, &tip, NULL);
	text = read_text(path);
	git_oid_tostr(hex, sizeof(hex), &tip);
	assert_memory_equal(text, hex, GIT_OID_HEXSZ);
	free(text);
	assert_host_runs(h, "a.test", "r4 r1");
	assert_host_runs(h, "b.test", "r3 r2");
	/* Lost TIP: built again; lines written twice: read once. */
	assert_int_equal(unlink(path), 0);
	assert_host_runs(h, "a.test", "r4 r1");
	bucket = xasprintf("%s/%02x", idx,
	    (unsigned)(shard_hash("a.test") >> 56));
	lines = read_text(bucket);
	assert_non_null(f = fopen(bucket, "a"));
	fputs(lines, f);
	fclose(f);
	assert_host_runs(h, "a.test", "r4 r1");
	/* A run cut short after its intent: above the index, then in it. */
	index_run(h, "r5", "b.test", 5, 1);
	assert_host_runs(h, "b.test", "r5(cut) r3 r2");
	index_run(h, "r6", "a.test", 6, 0);
	assert_host_runs(h, "b.test", "r5(cut) r3 r2");
	assert_host_runs(h, "a.test", "r6 r4 r1");
	/* r2's commit gone: only a walk over every commit would miss it. */
	{
		git_repository *r;
		git_revwalk *w;
		git_commit *c;
		git_oid id;
		char *obj;

		hex[0] = '\0';
		assert_int_equal(git_repository_open(&r, dir), 0);
		assert_int_equal(git_revwalk_new(&w, r), 0);
		assert_int_equal(git_revwalk_push_ref(w,
		    "refs/heads/enforcer/history"), 0);
		while (git_revwalk_next(&id, w) == 0) {
			assert_int_equal(git_commit_lookup(&c, r, &id), 0);
			if (strstr(git_commit_message(c), "Run-Id: r2\n") &&
			    strstr(git_commit_message(c), "Record: run\n"))
				git_oid_tostr(hex, sizeof(hex), &id);
			git_commit_free(c);
		}
		git_revwalk_free(w);
		git_repository_free(r);
		assert_int_equal(strlen(hex), GIT_OID_HEXSZ);
		obj = xasprintf("%s/objects/%.2s/%s", dir, hex, hex + 2);
		assert_int_equal(unlink(obj), 0);
		free(obj);
	}
	history_free(h);	/* nothing of r2 left in a cache */
	h = open_hist(dir);
	assert_int_equal(history_list(&log, h, NULL, &cause), -1);
	free(cause);
	assert_host_runs(h, "a.test", "r6 r4 r1");
	free(lines);
	free(bucket);
	free(path);
	free(idx);
	history_free(h);
	free(dir);
}

/* Files under objects/ of gitdir: loose objects, and .pack files. */
static size_t pack_files, loose_files;

static int
count_object(const char *path, const struct stat *st, int flag,
    struct FTW *f)
{
	size_t len = strlen(path);

	(void)st;
	(void)f;
	if (flag != FTW_F)
		return 0;
	if (len > 5 && strcmp(path + len - 5, ".pack") == 0)
		pack_files++;
	else if (len > 41 && path[len - 39] == '/' && path[len - 42] == '/')
		loose_files++;
	return 0;
}

static void
count_objects(const char *gitdir)
{
	char *objects = xasprintf("%s/objects", gitdir);

	pack_files = loose_files = 0;
	assert_int_equal(nftw(objects, count_object, 16, FTW_PHYS), 0);
	free(objects);
}

/*
 * Packing (history_pack.c): loose objects are packed once they reach the
 * threshold, packs past HISTORY_PACK_MAX become one, and every run stays
 * readable, as the repository itself (its files, git fsck) shows.
 */
static void
test_pack(void **state)
{
	struct history *h;
	struct history_log *log;
	struct node *st[2], *n;
	char *dir, *cmd, id[32], text[64], *cause = NULL;
	size_t i, max_packs = 0, full = 0, last_packs = 0;

	dir = path_in_tmp("packed");
	h = open_hist(dir);
	history_set_pack(h, 20);
	st[0] = st[1] = NULL;
	for (i = 0; i < 120; i++) {
		struct history_host hh = { i % 2 ? "b.test" : "a.test", NULL,
		    NULL, NULL };
		struct history_change ch = { hh.name, "serial", "x", "y",
		    HISTORY_CORRECTIVE, NULL, NULL, 1 };
		struct history_run r = { id, "apply", 1000 + (time_t)i * 900,
		    1000 + (time_t)i * 900 + 10, "/d", NULL, NULL, 0, &hh, 1,
		    &ch, 1 };

		snprintf(id, sizeof(id), "run-%03zu", i);
		snprintf(text, sizeof(text), "serial: %zu\n", i);
		node_free(st[i % 2]);
		st[i % 2] = yaml(text);
		hh.observed = st[i % 2];
		hh.verified = st[i % 2];
		record(h, &r);
		count_objects(dir);
		/* A run writes a few objects: never 20 loose after one. */
		assert_true(loose_files < 20);
		assert_true(pack_files <= HISTORY_PACK_MAX);
		if (pack_files < last_packs)
			full++;
		last_packs = pack_files;
		if (pack_files > max_packs)
			max_packs = pack_files;
	}
	assert_int_equal(max_packs, HISTORY_PACK_MAX);
	assert_true(full >= 1);
	/* Each run found its host drifted (observed commit), but a host's
	   first: 238 commits, all still there. */
	assert_int_equal(branch_commits(dir, &(git_oid){ { 0 } }, NULL), 238);
	log = list(h, NULL);
	assert_int_equal(log->n, 120);
	assert_string_equal(log->entries[0].run.run_id, "run-119");
	assert_string_equal(log->entries[119].run.run_id, "run-000");
	history_log_free(log);
	assert_int_equal(history_last_state(&n, h, "a.test", &cause), 0);
	assert_state(n, "serial: 118");
	cmd = xasprintf("git --git-dir '%s' fsck --strict --no-dangling "
	    ">/dev/null 2>&1", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	node_free(st[0]);
	node_free(st[1]);
	history_free(h);
	free(dir);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class_names),
		cmocka_unit_test(test_time_and_run_id),
		cmocka_unit_test(test_message_roundtrip),
		cmocka_unit_test(test_message_errors),
		cmocka_unit_test(test_message_no_url_credentials),
		cmocka_unit_test(test_change_describe),
		cmocka_unit_test_setup_teardown(test_open_creates_bare, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_record_runs, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_states_as_text, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_show, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_host, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_runs, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_in_desired_repo, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_secret_redacted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stale_ref_lock, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_race, setup,
		    teardown),
		cmocka_unit_test(test_message_facts),
		cmocka_unit_test_setup_teardown(test_heartbeat, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index, setup, teardown),
	};
	int rc;

	if (argc == 3)
		return drive(argc, argv);
	/* Held for the whole program so the search paths set stay put. */
	git_libgit2_init();
	rc = cmocka_run_group_tests_name("history", tests, NULL, NULL);
	git_libgit2_shutdown();
	return rc;
}
