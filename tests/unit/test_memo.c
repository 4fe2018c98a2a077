/*
 * test_memo.c: the per-host shared read (states/memo.c) without a host:
 * the first kind to ask claims the Get and the others do not; a kind that
 * asks while the Get is on its way waits for the claimer's reply and gets
 * its own copy; a failed Get reaches every asker as its cause; with no
 * memo every ask is its own Get.  The threads are the engine's case: each
 * kind reads in its own.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "memo.h"

#define URI	WSMAN_URI_CONFIG

struct asker {
	struct state_ctx	 ctx;
	struct node		*out;
	char			*cause;
	int			 rc;
};

static void *
asker_run(void *arg)
{
	struct asker *a = arg;

	a->rc = memo_take(&a->ctx, URI, NULL, &a->out, &a->cause);
	return NULL;
}

/* A finished Get as wsman_read_many leaves it: the reply or a failure. */
static void
finish(struct wsman_read *rd, const char *trusted, const char *cause)
{
	struct node *client;

	if (cause != NULL) {
		rd->rc = -1;
		rd->cause = strdup(cause);
		return;
	}
	rd->result = node_map();
	client = node_map();
	node_map_set(client, "TrustedHosts", node_scalar(trusted));
	node_map_set(rd->result, "Client", client);
}

static void
test_claim_once(void **state)
{
	struct state_ctx a = { .host = "h", .memo = memo_new() }, b = a;
	struct wsman_read rd, other;

	assert_int_equal(memo_claim(&a, URI, &rd), 1);
	assert_int_equal(rd.kind, WSMAN_READ_GET);
	assert_string_equal(rd.ref.uri, URI);
	assert_int_equal(memo_claim(&b, URI, &other), 0);
	assert_int_equal(memo_claim(&b, URI "/listener", &other), 1);
	memo_free(a.memo);
}

/* Askers started before the reply wait for it; each gets a copy. */
static void
test_waiters_share(void **state)
{
	struct state_ctx ctx = { .host = "h", .memo = memo_new() };
	struct asker w[3];
	struct wsman_read rd, unused;
	struct node *mine = NULL;
	char *cause = NULL;
	size_t i;
	pthread_t t[3];

	assert_int_equal(memo_claim(&ctx, URI, &rd), 1);
	for (i = 0; i < 3; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].ctx = ctx;
		assert_int_equal(memo_claim(&w[i].ctx, URI, &unused), 0);
		assert_int_equal(pthread_create(&t[i], NULL, asker_run, &w[i]), 0);
	}
	finish(&rd, "*.contoso.test", NULL);
	assert_int_equal(memo_take(&ctx, URI, &rd, &mine, &cause), 0);
	wsman_read_release(&rd);
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].rc, 0);
		assert_ptr_not_equal(w[i].out, mine);
		assert_string_equal(node_get_str(node_get(w[i].out, "Client"),
		    "TrustedHosts"), "*.contoso.test");
		node_free(w[i].out);
	}
	assert_string_equal(node_get_str(node_get(mine, "Client"),
	    "TrustedHosts"), "*.contoso.test");
	node_free(mine);
	/* Asked again in the same read: the same reply, no new Get. */
	assert_int_equal(memo_claim(&ctx, URI, &unused), 0);
	assert_int_equal(memo_take(&ctx, URI, NULL, &mine, &cause), 0);
	node_free(mine);
	memo_free(ctx.memo);
}

static void
test_failure_shared(void **state)
{
	struct state_ctx ctx = { .host = "h", .memo = memo_new() };
	struct asker w;
	struct wsman_read rd;
	struct node *mine = NULL;
	char *cause = NULL;
	pthread_t t;

	assert_int_equal(memo_claim(&ctx, URI, &rd), 1);
	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	assert_int_equal(pthread_create(&t, NULL, asker_run, &w), 0);
	finish(&rd, NULL, "h: Get " URI ": connection refused");
	assert_int_equal(memo_take(&ctx, URI, &rd, &mine, &cause), -1);
	assert_null(mine);
	assert_string_equal(cause, "h: Get " URI ": connection refused");
	free(cause);
	wsman_read_release(&rd);
	pthread_join(t, NULL);
	assert_int_equal(w.rc, -1);
	assert_null(w.out);
	assert_string_equal(w.cause, "h: Get " URI ": connection refused");
	free(w.cause);
	memo_free(ctx.memo);
}

/* No memo (a lone read): every ask is the caller's own Get. */
static void
test_no_memo(void **state)
{
	struct state_ctx ctx = { .host = "h" };
	struct wsman_read rd;
	struct node *out = NULL;
	char *cause = NULL;

	assert_int_equal(memo_claim(&ctx, URI, &rd), 1);
	assert_int_equal(memo_claim(&ctx, URI, &rd), 1);
	finish(&rd, "a,b", NULL);
	assert_int_equal(memo_take(&ctx, URI, &rd, &out, &cause), 0);
	assert_string_equal(node_get_str(node_get(out, "Client"),
	    "TrustedHosts"), "a,b");
	node_free(out);
	wsman_read_release(&rd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claim_once),
		cmocka_unit_test(test_waiters_share),
		cmocka_unit_test(test_failure_shared),
		cmocka_unit_test(test_no_memo),
	};

	return cmocka_run_group_tests_name("memo", tests, NULL, NULL);
}
