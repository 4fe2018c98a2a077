/*
 * memo.c: per-host shared reads of whole resources (memo.h).
 *
 * An entry per resource URI: claimed (its Get on the way, sent by the
 * claiming kind's thread) or done (its result or cause).  Asking kinds
 * wait on one condition variable; a claimer always publishes, even a
 * failure, so no waiter is left behind.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "memo.h"

struct memo_entry {
	char		*uri;
	int		 done;
	struct node	*result;	/* done: the resource, or NULL */
	char		*cause;		/* done: why the Get failed, or NULL */
};

struct memo {
	pthread_mutex_t		 lock;
	pthread_cond_t		 done;
	struct memo_entry	*v;
	size_t			 n;
};

struct memo *
memo_new(void)
{
	struct memo *m = xcalloc(1, sizeof(*m));

	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->done, NULL);
	return m;
}

void
memo_free(struct memo *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++) {
		free(m->v[i].uri);
		node_free(m->v[i].result);
		free(m->v[i].cause);
	}
	free(m->v);
	pthread_cond_destroy(&m->done);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* The entry of uri, or NULL; under the lock. */
static struct memo_entry *
memo_find(struct memo *m, const char *uri)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->v[i].uri, uri) == 0)
			return &m->v[i];
	return NULL;
}

static void
memo_prepare(struct wsman_read *rd, const char *uri)
{
	memset(rd, 0, sizeof(*rd));
	rd->kind = WSMAN_READ_GET;
	rd->ref.uri = uri;
}

int
memo_claim(struct state_ctx *ctx, const char *uri, struct wsman_read *rd)
{
	struct memo *m = ctx->memo;
	int mine = 0;

	if (m == NULL) {
		memo_prepare(rd, uri);
		return 1;
	}
	pthread_mutex_lock(&m->lock);
	if (memo_find(m, uri) == NULL) {
		m->v = xreallocarray(m->v, m->n + 1, sizeof(*m->v));
		memset(&m->v[m->n], 0, sizeof(*m->v));
		m->v[m->n++].uri = xstrdup(uri);
		mine = 1;
	}
	pthread_mutex_unlock(&m->lock);
	if (mine)
		memo_prepare(rd, uri);
	return mine;
}

/* The caller's copy of a finished read's outcome. */
static int
memo_outcome(const struct node *result, const char *why, struct node **out,
    char **cause)
{
	if (why != NULL)
		return cause_set(cause, "%s", why);
	*out = node_copy(result);
	return 0;
}

int
memo_take(struct state_ctx *ctx, const char *uri, struct wsman_read *rd,
    struct node **out, char **cause)
{
	struct memo *m = ctx->memo;
	struct memo_entry *e;
	int rc;

	*out = NULL;
	if (m == NULL)
		return memo_outcome(rd->result, rd->rc == -1 ? rd->cause : NULL,
		    out, cause);
	pthread_mutex_lock(&m->lock);
	if (rd != NULL) {
		e = memo_find(m, uri);
		e->done = 1;
		if (rd->rc == -1)
			e->cause = xstrdup(rd->cause);
		else {
			/* Moved, not copied: the claimer only releases rd. */
			e->result = rd->result;
			rd->result = NULL;
		}
		pthread_cond_broadcast(&m->done);
	}
	while (!(e = memo_find(m, uri))->done)
		pthread_cond_wait(&m->done, &m->lock);
	rc = memo_outcome(e->result, e->cause, out, cause);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int
memo_get(struct state_ctx *ctx, const char *uri, struct node **out,
    char **cause)
{
	struct wsman_read rd;
	int mine, rc;

	if ((mine = memo_claim(ctx, uri, &rd)))
		wsman_read_many(ctx->ws, &rd, 1);
	rc = memo_take(ctx, uri, mine ? &rd : NULL, out, cause);
	if (mine)
		wsman_read_release(&rd);
	return rc;
}
