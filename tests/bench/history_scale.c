/*
 * history_scale.c: the history repository at fleet scale.  Figures only;
 * nothing is asserted.  Built and run by history_scale.sh.
 *
 *   growth DIR RUNS HOSTS...   what a run costs, flat (hosts/<name>.yaml,
 *	an unsharded history) against fanned out (hosts/<xx>/<name>.yaml, a
 *	sharded one): the first run, then RUNS runs that change nothing and
 *	RUNS runs that change 1 % of the hosts; the repository's growth per
 *	run (bytes of its loose objects, zlib-compressed as git writes them,
 *	packing off) and per changed host, and the time per run
 *   year DIR RUNS HOSTS        RUNS runs of 15 minutes changing 1 % of
 *	HOSTS each, without packing and with it (history_pack.c): the
 *	repository's size, and a year (35,040 runs) by proportion
 *   commits DIR N HOSTS HOST   a history of N run commits, each changing
 *	2 of HOSTS hosts, written with libgit2 straight into one pack (as
 *	history_msg.c writes messages; one tree for all, which reading by
 *	host never opens); prints how many runs changed HOST, for
 *	`enforcer history --host HOST` to be timed against
 *
 * Objects are written without fsync here (the history syncs each one):
 * sizes are the same, times are of the work, not of the disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <ftw.h>

#include <git2/sys/mempack.h>

#include "history.h"
#include "util.h"

#define YEAR_RUNS	(365 * 24 * 4)

static long long du_total, du_blocks;

static int
du_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)path;
	(void)f;
	if (flag == FTW_F) {
		du_total += (long long)st->st_size;
		du_blocks += (long long)st->st_blocks * 512;
	}
	return 0;
}

static long long
du(const char *dir)
{
	du_total = du_blocks = 0;
	nftw(dir, du_one, 64, FTW_PHYS);
	return du_total;
}

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct node *
state(int enabled, size_t i)
{
	struct node *n = node_map(), *c = node_map(), *s = node_map();
	char v[32];

	node_map_set(s, "enabled", node_scalar(enabled ? "true" : "false"));
	node_map_set(c, "server", s);
	node_map_set(n, "credssp", c);
	snprintf(v, sizeof(v), "%zu", i);
	node_map_set(n, "serial", node_scalar(v));
	return n;
}

struct fleet {
	size_t			 n;
	char			**names;
	struct node		**now;		/* each host's current state */
	int			*on;
	struct history_host	*hosts;
	struct history_change	*changes;
};

/* One run in which every k-th host (k 0: none) flips CredSSP. */
static double
one_run(struct history *h, struct fleet *f, size_t k, unsigned serial)
{
	struct history_run r;
	struct node **next;
	char id[64];
	size_t i, nc = 0;
	char *cause = NULL;
	double t0;

	next = xcalloc(f->n + 1, sizeof(*next));
	for (i = 0; i < f->n; i++) {
		f->hosts[i].name = f->names[i];
		f->hosts[i].observed = f->now[i];
		f->hosts[i].verified = NULL;
		if (k != 0 && i % k == serial % k) {
			next[i] = state(!f->on[i], i);
			f->hosts[i].verified = next[i];
			f->changes[nc] = (struct history_change){ f->names[i],
			    "credssp.server.enabled", f->on[i] ? "true" :
			    "false", f->on[i] ? "false" : "true",
			    HISTORY_CORRECTIVE, "policy all", NULL, 1 };
			f->on[i] = !f->on[i];
			nc++;
		}
	}
	snprintf(id, sizeof(id), "20261207T000000Z-%06x", serial);
	memset(&r, 0, sizeof(r));
	r.run_id = id;
	r.verb = "apply";
	r.started = r.finished = 1765065600 + (time_t)serial * 900;
	r.desired_path = "/srv/desired";
	r.hosts = f->hosts;
	r.nhosts = f->n;
	r.changes = f->changes;
	r.nchanges = nc;
	t0 = now_s();
	if (history_record(h, &r, NULL, &cause) == -1) {
		fprintf(stderr, "history_scale: %s\n", cause);
		exit(1);
	}
	t0 = now_s() - t0;
	for (i = 0; i < f->n; i++)
		if (next[i] != NULL) {
			node_free(f->now[i]);
			f->now[i] = next[i];
		}
	free(next);
	return t0;
}

static struct history *
open_at(const char *path, int sharded, size_t pack)
{
	const struct history_place place = { NULL, 0, sharded ? 1 : 0 };
	struct history *h;
	char *cause = NULL;

	if (history_open_at(&h, NULL, path, &place, &cause) == -1) {
		fprintf(stderr, "history_scale: %s\n", cause);
		exit(1);
	}
	/* history_open_at() turned fsync on; sizes do not depend on it. */
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0);
	history_set_pack(h, pack);
	return h;
}

static void
fleet_new(struct fleet *fp, size_t n)
{
	struct fleet f;
	size_t i;

	memset(&f, 0, sizeof(f));
	f.n = n;
	f.names = xcalloc(n, sizeof(*f.names));
	f.now = xcalloc(n, sizeof(*f.now));
	f.on = xcalloc(n, sizeof(*f.on));
	f.hosts = xcalloc(n, sizeof(*f.hosts));
	f.changes = xcalloc(n, sizeof(*f.changes));
	for (i = 0; i < n; i++) {
		f.names[i] = xasprintf("h%zu.contoso.test", i);
		f.now[i] = state(1, i);
		f.on[i] = 1;
	}
	*fp = f;
}

static void
fleet_free(struct fleet *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->names[i]);
		node_free(f->now[i]);
	}
	free(f->names);
	free(f->now);
	free(f->on);
	free(f->hosts);
	free(f->changes);
}

static void
growth(const char *dir, size_t n, unsigned runs, int sharded)
{
	struct history *h;
	struct fleet f;
	char *path;
	long long s0, s1, s2;
	double t1 = 0, t2 = 0;
	unsigned r;

	path = xasprintf("%s/%s-%zu", dir, sharded ? "fanned" : "flat", n);
	h = open_at(path, sharded, 0);
	fleet_new(&f, n);
	one_run(h, &f, 0, 0);
	s0 = du(path);
	for (r = 1; r <= runs; r++)
		t1 += one_run(h, &f, 0, r);
	s1 = du(path);
	for (r = 1; r <= runs; r++)
		t2 += one_run(h, &f, 100, runs + r);
	s2 = du(path);
	printf("%-6s %6zu hosts: first run %7.1f KiB; per run: no-op +%6.1f "
	    "KiB %5.0f ms, 1%% changed +%7.1f KiB (%5.2f KiB per changed "
	    "host) %5.0f ms\n", sharded ? "fanned" : "flat", n, s0 / 1024.0,
	    (double)(s1 - s0) / runs / 1024.0, t1 * 1000 / runs,
	    (double)(s2 - s1) / runs / 1024.0,
	    (double)(s2 - s1) / runs / 1024.0 / (double)(n / 100),
	    t2 * 1000 / runs);
	fflush(stdout);
	fleet_free(&f);
	history_free(h);
	free(path);
}

/* runs runs changing 1 % of n hosts, packing at pack loose objects. */
static void
year(const char *dir, size_t n, unsigned runs, size_t pack)
{
	struct history *h;
	struct fleet f;
	char *path;
	long long size;
	double t = 0;
	unsigned r;

	path = xasprintf("%s/year-%zu-%zu", dir, n, pack);
	h = open_at(path, 1, pack);
	fleet_new(&f, n);
	for (r = 0; r < runs; r++)
		t += one_run(h, &f, 100, r);
	size = du(path);
	/* Each loose object is a file: on disk, a block at least. */
	printf("%u runs of %zu hosts, 1%% changed each, %-22s %8.1f KiB "
	    "(%5.0f bytes per run), on disk %8.1f KiB, %5.1f ms per run; a "
	    "year of 15-minute runs: %6.1f MiB, on disk %6.1f MiB\n", runs,
	    n, pack == 0 ? "packing off:" : "packing on (default):",
	    size / 1024.0, (double)size / runs, du_blocks / 1024.0,
	    t * 1000 / runs, (double)size / runs * YEAR_RUNS / 1048576.0,
	    (double)du_blocks / runs * YEAR_RUNS / 1048576.0);
	fflush(stdout);
	fleet_free(&f);
	history_free(h);
	free(path);
}

static void
git_check(int err, const char *what)
{
	if (err != 0) {
		fprintf(stderr, "history_scale: %s: %s\n", what,
		    git_error_last() != NULL ? git_error_last()->message : "?");
		exit(1);
	}
}

/* One run commit on parent changing hosts a and b (by index). */
static void
commit_run(git_repository *r, git_tree *tree, git_commit **parent,
    unsigned serial, const char *a, const char *b)
{
	struct history_change ch[2] = {
		{ a, "credssp.server.enabled", "true", "false",
		    HISTORY_CORRECTIVE, "policy all", NULL, 1 },
		{ b, "credssp.server.enabled", "true", "false",
		    HISTORY_CORRECTIVE, "policy all", NULL, 1 },
	};
	struct history_host hh[2] = { { a, NULL, NULL, NULL, NULL },
	    { b, NULL, NULL, NULL, NULL } };
	struct history_run run;
	struct buf msg = BUF_INIT;
	git_signature *sig;
	git_commit *c;
	git_oid id;
	char rid[40];
	const git_commit *parents[1] = { *parent };

	memset(&run, 0, sizeof(run));
	snprintf(rid, sizeof(rid), "20250101T000000Z-%06x", serial);
	run.run_id = rid;
	run.verb = "apply";
	run.started = run.finished = 1735689600 + (time_t)serial * 900;
	run.desired_path = "/srv/desired";
	run.hosts = hh;
	run.nhosts = 2;
	run.changes = ch;
	run.nchanges = 2;
	history_msg_run(&msg, &run);
	git_check(git_signature_new(&sig, "enforcer", "enforcer@bench",
	    run.finished, 0), "signature");
	git_check(git_commit_create(&id, r, NULL, sig, sig, NULL,
	    buf_cstr(&msg), tree, *parent != NULL ? 1 : 0, parents), "commit");
	git_check(git_commit_lookup(&c, r, &id), "commit");
	git_commit_free(*parent);
	*parent = c;
	git_signature_free(sig);
	buf_release(&msg);
}

/* The objects made in mempack, written to r's objects/pack as one pack. */
static void
commits_flush(git_repository *r, git_odb *odb, git_odb_backend *mempack)
{
	git_indexer_progress st;
	git_odb_writepack *wp;
	git_buf pack = GIT_BUF_INIT;

	git_check(git_mempack_dump(&pack, r, mempack), "dump");
	git_check(git_odb_write_pack(&wp, odb, NULL, NULL), "write pack");
	git_check(wp->append(wp, pack.ptr, pack.size, &st), "write pack");
	git_check(wp->commit(wp, &st), "write pack");
	wp->free(wp);
	git_buf_dispose(&pack);
	git_mempack_reset(mempack);
}

static void
commits(const char *dir, unsigned n, size_t hosts, const char *host)
{
	git_odb_backend *mempack;
	git_treebuilder *tb;
	git_repository *r;
	git_commit *parent = NULL;
	git_reference *ref;
	git_odb *odb;
	git_oid tree_id;
	git_tree *tree;
	char a[64], b[64];
	unsigned i, mine = 0;
	double t0 = now_s();

	git_libgit2_init();
	git_check(git_repository_init(&r, dir, 1), "init");
	git_check(git_repository_odb(&odb, r), "odb");
	git_check(git_mempack_new(&mempack), "mempack");
	git_check(git_odb_add_backend(odb, mempack, 999), "mempack");
	git_check(git_treebuilder_new(&tb, r, NULL), "tree");
	git_check(git_treebuilder_write(&tree_id, tb), "tree");
	git_treebuilder_free(tb);
	git_check(git_tree_lookup(&tree, r, &tree_id), "tree");
	for (i = 0; i < n; i++) {
		/* Two hosts a run, spread over the fleet (a prime stride). */
		snprintf(a, sizeof(a), "h%05zu.contoso.test",
		    (size_t)i * 7919 % hosts);
		snprintf(b, sizeof(b), "h%05zu.contoso.test",
		    ((size_t)i * 7919 + hosts / 2) % hosts);
		mine += strcmp(a, host) == 0 || strcmp(b, host) == 0;
		commit_run(r, tree, &parent, i, a, b);
	}
	git_tree_free(tree);
	commits_flush(r, odb, mempack);
	git_check(git_reference_create(&ref, r, "refs/heads/enforcer/history",
	    git_commit_id(parent), 1, "bench"), "ref");
	git_reference_free(ref);
	git_commit_free(parent);
	git_odb_free(odb);
	git_repository_free(r);
	printf("%u run commits of 2 changes over %zu hosts written in %.1f s; "
	    "%s changed in %u runs\n", n, hosts, now_s() - t0, host, mine);
	git_libgit2_shutdown();
}

int
main(int argc, char **argv)
{
	unsigned runs = argc > 3 ? (unsigned)atoi(argv[3]) : 0;
	int i;

	if (argc > 4 && strcmp(argv[1], "growth") == 0 && runs > 0) {
		for (i = 4; i < argc; i++) {
			growth(argv[2], (size_t)atol(argv[i]), runs, 0);
			growth(argv[2], (size_t)atol(argv[i]), runs, 1);
		}
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "year") == 0 && runs > 0) {
		year(argv[2], (size_t)atol(argv[4]), runs, 0);
		year(argv[2], (size_t)atol(argv[4]), runs, HISTORY_PACK_LOOSE);
		return 0;
	}
	if (argc == 6 && strcmp(argv[1], "commits") == 0 && runs > 0 &&
	    atol(argv[4]) > 1) {
		commits(argv[2], runs, (size_t)atol(argv[4]), argv[5]);
		return 0;
	}
	fprintf(stderr, "usage: history_scale growth DIR RUNS HOSTS...\n"
	    "       history_scale year DIR RUNS HOSTS\n"
	    "       history_scale commits DIR N HOSTS HOST\n");
	return 2;
}
