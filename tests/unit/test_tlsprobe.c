/*
 * test_tlsprobe.c: the TLS probe against local servers presenting
 * certificates from a throwaway CA: valid, expired, wrong name, without
 * serverAuth, without any EKU, from an unknown CA; and against nothing
 * (refused) and a server that never answers (timeout); the run's shared
 * trust store (tlsstore.c).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "tlsprobe.h"
#include "tlsstore.h"
#include "tls_server.h"

#define NAME	"node1.test"

static struct pki P;

static int
setup(void **state)
{
	signal(SIGPIPE, SIG_IGN);
	pki_init(&P);
	return 0;
}

static int
teardown(void **state)
{
	pki_free(&P);
	return 0;
}

/* Windows' thumbprint: SHA-1 of the DER certificate, upper-case hex. */
static void
expected_thumbprint(const char *pem, char out[41])
{
	unsigned char md[20];
	unsigned int len, i;
	X509 *x;
	FILE *fp;

	fp = fopen(pem, "r");
	assert_non_null(fp);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(x);
	assert_int_equal(X509_digest(x, EVP_sha1(), md, &len), 1);
	for (i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02X", md[i]);
	X509_free(x);
}

/* Serve l, probe it as name with the test CA. */
static void
probe(struct tlsprobe_result *r, const char *dns, long from, long to,
    const char *eku, int rogue, const char *name, char thumb[41])
{
	struct tserver s;
	struct leaf l;
	char *cause = NULL;

	pki_leaf(&P, &l, dns, from, to, eku, rogue);
	expected_thumbprint(l.cert_file, thumb);
	ts_start(&s, &l, NULL);
	if (tlsprobe_run(r, name, "127.0.0.1", s.port, P.ca_file, 3000,
	    &cause) != 0)
		fail_msg("%s", cause);
	ts_stop(&s);
	leaf_free(&l);
}

static void
test_valid(void **state)
{
	struct tlsprobe_result r;
	char thumb[41];
	time_t now = time(NULL);

	probe(&r, NAME, -1, 30, "serverAuth", 0, NAME, thumb);
	assert_string_equal(r.thumbprint, thumb);
	assert_int_equal(strlen(r.thumbprint), 40);
	assert_string_equal(r.subject, "CN=" NAME);
	assert_string_equal(r.issuer, "CN=Enforcer Test CA");
	assert_true(r.not_before <= now - 86400 + 5 &&
	    r.not_before >= now - 86400 - 5);
	assert_true(r.not_after >= now + 30 * 86400 - 5 &&
	    r.not_after <= now + 30 * 86400 + 5);
	assert_int_equal(r.ndns_names, 1);
	assert_string_equal(r.dns_names[0], NAME);
	assert_true(r.name_matches);
	assert_true(r.server_auth);
	assert_true(r.chain_ok);
	assert_null(r.verify_error);
	assert_string_equal(r.protocol, "TLSv1.3");
	tlsprobe_result_release(&r);
}

static void
test_expired(void **state)
{
	struct tlsprobe_result r;
	char thumb[41];

	probe(&r, NAME, -30, -1, "serverAuth", 0, NAME, thumb);
	assert_string_equal(r.thumbprint, thumb);
	assert_true(r.not_after < time(NULL));
	assert_true(r.name_matches);
	assert_false(r.chain_ok);
	assert_string_equal(r.verify_error, "certificate has expired");
	tlsprobe_result_release(&r);
}

static void
test_wrong_name(void **state)
{
	struct tlsprobe_result r;
	char thumb[41];

	probe(&r, "other.test", -1, 30, "serverAuth", 0, NAME, thumb);
	assert_false(r.name_matches);
	assert_true(r.chain_ok);
	assert_string_equal(r.dns_names[0], "other.test");
	tlsprobe_result_release(&r);
}

static void
test_usage(void **state)
{
	struct tlsprobe_result r;
	char thumb[41];

	probe(&r, NAME, -1, 30, "clientAuth", 0, NAME, thumb);
	assert_false(r.server_auth);
	assert_false(r.eku_server_auth);
	assert_true(r.chain_ok);
	tlsprobe_result_release(&r);
	/* No EKU at all means any usage to Windows, yet carries none. */
	probe(&r, NAME, -1, 30, NULL, 0, NAME, thumb);
	assert_true(r.server_auth);
	assert_false(r.eku_server_auth);
	tlsprobe_result_release(&r);
	probe(&r, NAME, -1, 30, "serverAuth", 0, NAME, thumb);
	assert_true(r.eku_server_auth);
	tlsprobe_result_release(&r);
}

static void
test_unknown_ca(void **state)
{
	struct tlsprobe_result r;
	char thumb[41];

	probe(&r, NAME, -1, 30, "serverAuth", 1, NAME, thumb);
	assert_false(r.chain_ok);
	assert_string_equal(r.verify_error,
	    "unable to get local issuer certificate");
	assert_string_equal(r.issuer, "CN=Rogue CA");
	assert_true(r.name_matches);
	tlsprobe_result_release(&r);
}

/* An IP address is matched as one, and sent without SNI. */
static void
test_ip_name(void **state)
{
	struct tlsprobe_result r;
	char thumb[41];

	probe(&r, NAME, -1, 30, "serverAuth", 0, "127.0.0.1", thumb);
	assert_false(r.name_matches);
	tlsprobe_result_release(&r);
}

static void
test_failures(void **state)
{
	struct tlsprobe_result r;
	struct tserver s;
	struct leaf l;
	char *cause = NULL, *want;
	int port;

	port = ts_closed_port();
	assert_int_equal(tlsprobe_run(&r, NAME, "127.0.0.1", port, P.ca_file,
	    1000, &cause), -1);
	want = xasprintf("127.0.0.1:%d: cannot connect: Connection refused",
	    port);
	assert_string_equal(cause, want);
	free(want);

	pki_leaf(&P, &l, NAME, -1, 30, "serverAuth", 0);
	ts_start(&s, &l, NULL);
	ts_set(&s, TS_NO_TLS, 0, NULL);
	assert_int_equal(tlsprobe_run(&r, NAME, "127.0.0.1", s.port, P.ca_file,
	    300, &cause), -1);
	want = xasprintf("127.0.0.1:%d: TLS handshake timed out", s.port);
	assert_string_equal(cause, want);
	free(want);
	ts_set(&s, TS_OK, 0, NULL);
	assert_int_equal(tlsprobe_run(&r, NAME, "127.0.0.1", s.port,
	    "/nonexistent/ca.pem", 1000, &cause), -1);
	want = xasprintf("127.0.0.1:%d: cannot read CA file "
	    "'/nonexistent/ca.pem'", s.port);
	assert_string_equal(cause, want);
	free(want);
	ts_stop(&s);
	leaf_free(&l);
	free(cause);
}

static void
test_cert_names(void **state)
{
	struct buf b = BUF_INIT;
	struct leaf l;
	X509 *x;
	FILE *fp;

	pki_leaf(&P, &l, "svc.test", -1, 30, NULL, 0);
	fp = fopen(l.cert_file, "r");
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	tlsprobe_cert_names(x, &b);
	assert_string_equal(buf_cstr(&b), "svc.test");
	buf_reset(&b);
	tlsprobe_cert_names(P.ca, &b);
	assert_string_equal(buf_cstr(&b), "Enforcer Test CA");
	X509_free(x);
	buf_release(&b);
	leaf_free(&l);
}

/* A chain as our own connection saw it (DER, leaf first) is judged as a
 * probe's handshake would judge it; bytes that are no chain are refused. */
static void
test_chain_der(void **state)
{
	struct tlsprobe_result r;
	struct buf der = BUF_INIT;
	struct leaf l;
	unsigned char *p = NULL;
	char *cause = NULL;
	X509 *x;
	FILE *fp;
	int len;

	pki_leaf(&P, &l, NAME, -1, 30, NULL, 0);
	fp = fopen(l.cert_file, "r");
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	len = i2d_X509(x, &p);
	buf_add(&der, p, (size_t)len);
	OPENSSL_free(p);
	assert_int_equal(tlsprobe_chain(&r, (unsigned char *)der.ptr, der.len,
	    NAME, P.ca_file, &cause), 0);
	assert_true(r.chain_ok);
	assert_true(r.name_matches);
	assert_true(r.not_after > time(NULL));
	tlsprobe_result_release(&r);
	assert_int_equal(tlsprobe_chain(&r, (unsigned char *)der.ptr, der.len,
	    "other.test", P.ca_file, &cause), 0);
	assert_false(r.name_matches);
	tlsprobe_result_release(&r);
	assert_int_equal(tlsprobe_chain(&r, (unsigned char *)der.ptr,
	    der.len - 1, NAME, P.ca_file, &cause), -1);
	assert_string_equal(cause, "unreadable certificate chain");
	free(cause);
	X509_free(x);
	buf_release(&der);
	leaf_free(&l);
}

/* One parse per CA file: the same store every time, each caller its own
 * reference; an unreadable file is an error naming it, every time. */
static void
test_store_shared(void **state)
{
	X509_STORE *a, *b;
	char *cause = NULL;
	int i;

	a = tlsstore_get(P.ca_file, &cause);
	b = tlsstore_get(P.ca_file, &cause);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_null(cause);
	X509_STORE_free(a);
	X509_STORE_free(b);
	for (i = 0; i < 2; i++) {
		assert_null(tlsstore_get("/nonexistent/ca.pem", &cause));
		assert_string_equal(cause,
		    "cannot read CA file '/nonexistent/ca.pem'");
		free(cause);
		cause = NULL;
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_wrong_name),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_unknown_ca),
		cmocka_unit_test(test_ip_name),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_cert_names),
		cmocka_unit_test(test_store_shared),
		cmocka_unit_test(test_chain_der),
	};

	return cmocka_run_group_tests_name("tlsprobe", tests, setup, teardown);
}
