/*
 * test_transport.c: the libcurl transport against a real HTTPS server on
 * 127.0.0.1 with a throwaway CA (tls_server.h): TLS verified against the
 * CA and the host's name while connecting to an address, each TLS failure
 * named, authentication, keep-alive, parallel reads, timeouts, retries,
 * caps, and clients in parallel threads.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "wsman.h"
#include "tls_server.h"

#define NAME		"node1.test"
#define PASSWORD	"S3cret-Passw0rd"
#define BASIC		"admin:" PASSWORD

static struct {
	struct pki	pki;
	struct leaf	good, expired, wrong, no_server_auth, rogue, client;
} E;

static int
setup(void **state)
{
	/* As libcurl asks of programs: a peer closing is not fatal. */
	signal(SIGPIPE, SIG_IGN);
	pki_init(&E.pki);
	pki_leaf(&E.pki, &E.good, NAME, -1, 30, "serverAuth", 0);
	pki_leaf(&E.pki, &E.expired, NAME, -30, -1, "serverAuth", 0);
	pki_leaf(&E.pki, &E.wrong, "other.test", -1, 30, "serverAuth", 0);
	pki_leaf(&E.pki, &E.no_server_auth, NAME, -1, 30, "clientAuth", 0);
	pki_leaf(&E.pki, &E.rogue, NAME, -1, 30, "serverAuth", 1);
	pki_leaf(&E.pki, &E.client, "svc-enforcer", -1, 30, "clientAuth", 0);
	return 0;
}

static int
teardown(void **state)
{
	leaf_free(&E.good);
	leaf_free(&E.expired);
	leaf_free(&E.wrong);
	leaf_free(&E.no_server_auth);
	leaf_free(&E.rogue);
	leaf_free(&E.client);
	pki_free(&E.pki);
	return 0;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* node1.test does not resolve: reaching it proves CONNECT_TO is used. */
static void
opts(struct wsman_opts *o, int port)
{
	wsman_opts_init(o);
	o->name = NAME;
	o->address = "127.0.0.1";
	o->port = port;
	o->user = "admin";
	o->password = PASSWORD;
	o->ca_file = E.pki.ca_file;
	o->connect_timeout_ms = 2000;
	o->operation_timeout_ms = 2000;
	o->retry_backoff_ms = 10;
}

static struct wsman *
client(const struct wsman_opts *o)
{
	struct wsman *ws;
	char *cause = NULL;

	if (wsman_new(&ws, o, &cause) != 0)
		fail_msg("wsman_new: %s", cause);
	return ws;
}

/* Get the config; expect failure with a cause that starts with want. */
static void
get_fails(struct wsman *ws, const char *want, enum wsman_error err)
{
	struct node *n = NULL;
	char *cause = NULL, *full;

	assert_int_equal(wsman_get(ws, WSMAN_REF(WSMAN_URI_CONFIG), &n,
	    &cause), -1);
	full = xasprintf(NAME ": Get " WSMAN_URI_CONFIG ": %s", want);
	if (strncmp(cause, full, strlen(full)) != 0)
		fail_msg("\n got: %s\nwant: %s", cause, full);
	assert_null(strstr(cause, PASSWORD));
	assert_int_equal(wsman_last_error(ws), err);
	free(full);
	free(cause);
}

static long long
get_ok(struct wsman *ws)
{
	struct node *n = NULL;
	char *cause = NULL;
	long long v = -1;

	if (wsman_get(ws, WSMAN_REF(WSMAN_URI_CONFIG), &n, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(node_int(node_get(n, "Request"), &v), 0);
	node_free(n);
	return v;
}

static void
test_verified_get(void **state)
{
	struct wsman_opts o;
	struct tserver s;
	struct wsman *ws;
	const char *h;

	ts_start(&s, &E.good, NULL);
	ts_set(&s, TS_OK, 0, BASIC);
	opts(&o, s.port);
	ws = client(&o);
	assert_true(wsman_tls_verified(ws));
	assert_int_equal(get_ok(ws), 1);
	assert_string_equal(s.sni, NAME);
	h = buf_cstr(&s.last_headers);
	assert_memory_equal(h, "POST /wsman HTTP/1.1\r\n", 22);
	assert_non_null(strstr(h, "Content-Type: application/soap+xml;"
	    "charset=UTF-8\r\n"));
	assert_non_null(strstr(h, "Authorization: Basic "));
	assert_null(strstr(h, "Expect:"));
	wsman_free(ws);
	ts_stop(&s);
}

static void
test_keepalive(void **state)
{
	struct wsman_opts o;
	struct tserver s;
	struct wsman *ws;
	int i;

	ts_start(&s, &E.good, NULL);
	opts(&o, s.port);
	ws = client(&o);
	for (i = 1; i <= 5; i++)
		assert_int_equal(get_ok(ws), i);
	assert_int_equal(ts_count(&s, &s.connections), 1);
	wsman_free(ws);
	ts_stop(&s);
}

/*
 * Four reads, 300 ms each on the server, batched and one by one.  The
 * batch's time is printed, not checked: timing belongs in tests/bench/.
 */
static void
test_parallel_reads(void **state)
{
	struct wsman_read r[4];
	struct wsman_opts o;
	struct tserver s;
	struct wsman *ws;
	long t0, batch, serial;
	size_t i;

	ts_start(&s, &E.good, NULL);
	opts(&o, s.port);
	ws = client(&o);
	get_ok(ws);
	ts_set(&s, TS_OK, 300, NULL);
	memset(r, 0, sizeof(r));
	for (i = 0; i < 4; i++) {
		r[i].kind = WSMAN_READ_GET;
		r[i].ref.uri = WSMAN_URI_CONFIG;
	}
	t0 = now_ms();
	assert_int_equal(wsman_read_many(ws, r, 4), 0);
	batch = now_ms() - t0;
	for (i = 0; i < 4; i++) {
		assert_int_equal(r[i].rc, 0);
		wsman_read_release(&r[i]);
	}
	t0 = now_ms();
	for (i = 0; i < 4; i++)
		get_ok(ws);
	serial = now_ms() - t0;
	print_message("4 reads of 300 ms: %ld ms batched, %ld ms one by one, "
	    "%d connections\n", batch, serial, ts_count(&s, &s.connections));
	assert_true(serial >= 1200);
	assert_true(ts_count(&s, &s.connections) <= 4);
	wsman_free(ws);
	ts_stop(&s);
}

static void
tls_fails(const struct leaf *l, const char *want)
{
	struct wsman_opts o;
	struct tserver s;
	struct wsman *ws;

	ts_start(&s, l, NULL);
	opts(&o, s.port);
	o.retries = 0;
	ws = client(&o);
	get_fails(ws, want, WSMAN_E_TLS);
	assert_int_equal(ts_count(&s, &s.requests), 0);
	wsman_free(ws);
	ts_stop(&s);
}

static void
test_tls_failures(void **state)
{
	tls_fails(&E.expired, "TLS: certificate expired");
	tls_fails(&E.wrong, "TLS: certificate name mismatch (certificate is "
	    "for other.test)");
	tls_fails(&E.rogue, "TLS: certificate signed by an unknown CA");
	tls_fails(&E.no_server_auth, "TLS: certificate not valid for server "
	    "authentication (no serverAuth usage)");
}

/* Verification off is possible, explicit, and visible. */
static void
test_verify_off(void **state)
{
	struct wsman_opts o;
	struct tserver s;
	struct wsman *ws;

	ts_start(&s, &E.rogue, NULL);
	opts(&o, s.port);
	o.tls_verify = 0;
	ws = client(&o);
	assert_false(wsman_tls_verified(ws));
	assert_int_equal(get_ok(ws), 1);
	wsman_free(ws);
	ts_stop(&s);
}

static void
test_basic_refused(void **state)
{
	struct wsman_opts o;
	struct tserver s;
	struct wsman *ws;

	ts_start(&s, &E.good, NULL);
	ts_set(&s, TS_OK, 0, "admin:other");
	opts(&o, s.port);
	ws = client(&o);
	get_fails(ws, "basic authentication refused for user 'admin' (HTTP "
	    "401; server offers: Negotiate, Kerberos, Basic)", WSMAN_E_AUTH);
	wsman_free(ws);
	ts_stop(&s);
}

static void
test_client_certificate(void **state)
{
	struct wsman_opts o;
	struct tserver s;
	struct wsman *ws;
	const char *h;

	ts_start(&s, &E.good, &E.pki);
	opts(&o, s.port);
	o.auth = WSMAN_AUTH_CERTIFICATE;
	o.user = NULL;
	o.password = NULL;
	o.cert_file = E.client.cert_file;
	o.key_file = E.client.key_file;
	ws = client(&o);
	assert_int_equal(get_ok(ws), 1);
	h = buf_cstr(&s.last_headers);
	assert_null(strstr(h, "Basic"));
	wsman_free(ws);
	ts_stop(&s);
}

static void
test_connection_refused(void **state)
{
	struct wsman_opts o;
	struct wsman *ws;
	char *want;
	int port;

	port = ts_closed_port();
	opts(&o, port);
	ws = client(&o);
	want = xasprintf("connection refused by 127.0.0.1:%d", port);
	get_fails(ws, want, WSMAN_E_CONNECT);
	free(want);
	wsman_free(ws);
}

/*
 * A read that times out is not tried again (the timeout holds); a write
 * is tried once.
 */
static void
test_timeouts_and_retries(void **state)
{
	struct wsman_body body = { "Auth", WSMAN_URI_CONFIG "/service/auth",
	    NULL, NULL };
	struct wsman_opts o;
	struct tserver s;
	struct wsman *ws;
	char *cause = NULL;
	long t0, took;

	ts_start(&s, &E.good, NULL);
	ts_set(&s, TS_OK, 1500, NULL);
	opts(&o, s.port);
	o.operation_timeout_ms = 200;
	o.request_timeout_ms = 400;
	o.retries = 1;
	ws = client(&o);
	t0 = now_ms();
	get_fails(ws, "no reply within 400 ms (timeout)", WSMAN_E_TIMEOUT);
	took = now_ms() - t0;
	/* It waited; no upper bound, which a loaded machine would break. */
	assert_true(took >= 400);
	assert_int_equal(ts_count(&s, &s.requests), 1);
	assert_int_equal(wsman_put(ws, WSMAN_REF(WSMAN_URI_CONFIG
	    "/service/auth"), &body, NULL, &cause), -1);
	assert_int_equal(ts_count(&s, &s.requests), 2);
	free(cause);
	wsman_free(ws);
	ts_stop(&s);
}

static void
test_dropped_and_big_replies(void **state)
{
	struct wsman_opts o;
	struct tserver s;
	struct wsman *ws;

	ts_start(&s, &E.good, NULL);
	opts(&o, s.port);
	o.retries = 2;
	o.max_reply = 65536;
	ws = client(&o);
	ts_set(&s, TS_DROP, 0, NULL);
	get_fails(ws, "connection dropped mid-reply after", WSMAN_E_CONNECT);
	assert_int_equal(ts_count(&s, &s.requests), 3);
	ts_set(&s, TS_BIG, 0, NULL);
	get_fails(ws, "reply exceeds the 65536-byte limit", WSMAN_E_REPLY);
	ts_set(&s, TS_BIG_LENGTH, 0, NULL);
	get_fails(ws, "reply exceeds the 65536-byte limit", WSMAN_E_REPLY);
	ts_set(&s, TS_500, 0, NULL);
	get_fails(ws, "HTTP 500 without a SOAP fault (47 bytes)", WSMAN_E_HTTP);
	/* Too big is not retried: 3 + 1 + 1 + 1. */
	assert_int_equal(ts_count(&s, &s.requests), 6);
	ts_set(&s, TS_OK, 0, NULL);
	assert_int_equal(get_ok(ws), 7);
	wsman_free(ws);
	ts_stop(&s);
}

struct worker {
	int		port;
	int		ok;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct wsman_opts o;
	struct wsman *ws;
	struct node *n;
	char *cause = NULL;
	int i;

	opts(&o, w->port);
	if (wsman_new(&ws, &o, &cause) != 0)
		return NULL;
	for (i = 0; i < 5; i++) {
		n = NULL;
		if (wsman_get(ws, WSMAN_REF(WSMAN_URI_CONFIG), &n, &cause) == 0)
			w->ok++;
		node_free(n);
	}
	free(cause);
	wsman_free(ws);
	return NULL;
}

/* One client per host, hosts in parallel threads (the engine's model). */
static void
test_threads(void **state)
{
	struct worker w[6];
	pthread_t t[6];
	struct tserver s;
	size_t i;

	ts_start(&s, &E.good, NULL);
	memset(w, 0, sizeof(w));
	for (i = 0; i < 6; i++) {
		w[i].port = s.port;
		pthread_create(&t[i], NULL, worker_main, &w[i]);
	}
	for (i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].ok, 5);
	}
	assert_int_equal(ts_count(&s, &s.connections), 6);
	assert_int_equal(ts_count(&s, &s.requests), 30);
	ts_stop(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verified_get),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_parallel_reads),
		cmocka_unit_test(test_tls_failures),
		cmocka_unit_test(test_verify_off),
		cmocka_unit_test(test_basic_refused),
		cmocka_unit_test(test_client_certificate),
		cmocka_unit_test(test_connection_refused),
		cmocka_unit_test(test_timeouts_and_retries),
		cmocka_unit_test(test_dropped_and_big_replies),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests_name("transport", tests, setup, teardown);
}
