/*
 * memsample.c: what a process's peak RSS is made of, live heap against
 * what malloc holds.  Preloaded, it samples glibc's mallinfo2() and the
 * RSS every 5 ms on a thread of its own, and at exit appends one line to
 * the file $MEMSAMPLE_OUT (KiB):
 *
 *   max_rss R max_live L max_sys S live_at_rss l sys_at_rss s
 *
 * live: bytes handed out (uordblks + hblkhd; chunks in a thread's tcache
 * count as handed out); sys: bytes malloc holds from the system (arena +
 * hblkhd).  docs/performance.md, "Memory of a fleet run", compares
 * them at two --parallel values.  Build and use:
 *
 *   cc -O2 -shared -fPIC -o memsample.so tests/bench/lib/memsample.c -lpthread
 *   MEMSAMPLE_OUT=/tmp/ms LD_PRELOAD=$PWD/memsample.so bin/enforcer plan ...
 *
 * Without MEMSAMPLE_OUT it does nothing.  A sample every 5 ms can miss a
 * shorter peak.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static size_t		 max_rss, max_live, max_sys, live_at_rss, sys_at_rss;

static size_t
rss_now(void)
{
	unsigned long size, resident = 0;
	FILE *f;

	if ((f = fopen("/proc/self/statm", "r")) == NULL)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return resident * (size_t)sysconf(_SC_PAGESIZE);
}

static void
sample(void)
{
	struct mallinfo2 m = mallinfo2();
	size_t rss = rss_now();
	size_t live = m.uordblks + m.hblkhd, sys = m.arena + m.hblkhd;

	pthread_mutex_lock(&mu);
	if (live > max_live)
		max_live = live;
	if (sys > max_sys)
		max_sys = sys;
	if (rss > max_rss) {
		max_rss = rss;
		live_at_rss = live;
		sys_at_rss = sys;
	}
	pthread_mutex_unlock(&mu);
}

static void *
sampler(void *arg)
{
	struct timespec ts = { 0, 5000000 };

	(void)arg;
	for (;;) {
		sample();
		nanosleep(&ts, NULL);
	}
	return NULL;
}

__attribute__((constructor)) static void
memsample_start(void)
{
	pthread_t t;

	if (getenv("MEMSAMPLE_OUT") == NULL)
		return;
	if (pthread_create(&t, NULL, sampler, NULL) == 0)
		pthread_detach(t);
}

__attribute__((destructor)) static void
memsample_report(void)
{
	const char *path = getenv("MEMSAMPLE_OUT");
	FILE *f;

	if (path == NULL || (f = fopen(path, "a")) == NULL)
		return;
	sample();
	fprintf(f, "max_rss %zu max_live %zu max_sys %zu live_at_rss %zu "
	    "sys_at_rss %zu\n", max_rss >> 10, max_live >> 10, max_sys >> 10,
	    live_at_rss >> 10, sys_at_rss >> 10);
	fclose(f);
}
