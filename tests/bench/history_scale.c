/*
 * history_scale.c: what a run costs the history repository at fleet
 * scale, flat (hosts/<name>.yaml, an unsharded history) against fanned
 * out (hosts/<xx>/<name>.yaml, a sharded one).  For HOSTS hosts: the
 * first run, then RUNS runs that change nothing and RUNS runs that change
 * 1 % of the hosts; prints the repository's growth per run (bytes of
 * its loose objects, zlib-compressed as git writes them) and per changed host, and the time per run.
 * Figures only; nothing is asserted.  Built and run by history_scale.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <ftw.h>

#include "history.h"
#include "util.h"

static long long du_total;

static int
du_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)path;
	(void)f;
	if (flag == FTW_F)
		du_total += (long long)st->st_size;
	return 0;
}

static long long
du(const char *dir)
{
	du_total = 0;
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

static void
bench(const char *dir, size_t n, unsigned runs, int sharded)
{
	const struct history_place place = { NULL, 0, sharded ? 1 : 0 };
	struct history *h;
	struct fleet f;
	char *cause = NULL, *path;
	long long s0, s1, s2;
	double t1 = 0, t2 = 0;
	size_t i;
	unsigned r;

	path = xasprintf("%s/%s-%zu", dir, sharded ? "fanned" : "flat", n);
	if (history_open_at(&h, NULL, path, &place, &cause) == -1) {
		fprintf(stderr, "history_scale: %s\n", cause);
		exit(1);
	}
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
	for (i = 0; i < n; i++) {
		free(f.names[i]);
		node_free(f.now[i]);
	}
	free(f.names);
	free(f.now);
	free(f.on);
	free(f.hosts);
	free(f.changes);
	history_free(h);
	free(path);
}

int
main(int argc, char **argv)
{
	unsigned runs = argc > 2 ? (unsigned)atoi(argv[2]) : 10;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: history_scale DIR [RUNS [HOSTS...]]\n");
		return 2;
	}
	for (i = 3; i < argc || i == 3; i++) {
		size_t n = argc > 3 ? (size_t)atol(argv[i]) : 10000;

		bench(argv[1], n, runs, 0);
		bench(argv[1], n, runs, 1);
	}
	return 0;
}
