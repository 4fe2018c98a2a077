/*
 * killpoint.c: ENFORCER_TEST_KILL_AFTER (killpoint.h).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "killpoint.h"

struct killpoint {
	struct transport		*transport;
	struct wsman_transport_ops	 ops;
};

static pthread_mutex_t	  kp_lock = PTHREAD_MUTEX_INITIALIZER;
static int		  kp_parsed;
static long		  kp_limit = -1;	/* -1: off */
static long		  kp_count;
static struct killpoint	**kp_all;		/* freed at exit */
static size_t		  kp_n;

static void
kp_check(size_t done)
{
	int die;

	pthread_mutex_lock(&kp_lock);
	kp_count += (long)done;
	die = kp_count >= kp_limit;
	pthread_mutex_unlock(&kp_lock);
	if (die)
		raise(SIGKILL);
}

static void
kp_exchange(void *arg, struct wsman_http **x, size_t n)
{
	struct killpoint *kp = arg;

	kp_check(0);
	transport_exchange(kp->transport, x, n);
	kp_check(n);
}

static void
kp_free_all(void)
{
	size_t i;

	for (i = 0; i < kp_n; i++) {
		transport_free(kp_all[i]->transport);
		free(kp_all[i]);
	}
	free(kp_all);
	kp_all = NULL;
	kp_n = 0;
}

static long
kp_limit_get(void)
{
	const char *s;
	char *end;
	long v;

	pthread_mutex_lock(&kp_lock);
	if (!kp_parsed) {
		kp_parsed = 1;
		if ((s = getenv("ENFORCER_TEST_KILL_AFTER")) != NULL) {
			errno = 0;
			v = strtol(s, &end, 10);
			if (errno == 0 && *s != '\0' && *end == '\0' && v >= 0)
				kp_limit = v;
		}
		if (kp_limit >= 0)
			atexit(kp_free_all);
	}
	v = kp_limit;
	pthread_mutex_unlock(&kp_lock);
	return v;
}

int
killpoint_wrap(struct wsman_opts *wo, char **cause)
{
	struct killpoint *kp;

	if (kp_limit_get() < 0)
		return 0;
	kp = xcalloc(1, sizeof(*kp));
	if (transport_new(&kp->transport, wo, cause) == -1) {
		free(kp);
		return -1;
	}
	kp->ops.exchange = kp_exchange;
	kp->ops.arg = kp;
	wo->ops = &kp->ops;
	pthread_mutex_lock(&kp_lock);
	kp_all = xreallocarray(kp_all, kp_n + 1, sizeof(*kp_all));
	kp_all[kp_n++] = kp;
	pthread_mutex_unlock(&kp_lock);
	return 0;
}
