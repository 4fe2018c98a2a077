/*
 * test_certstore.c: a store's certificates as DER, made here with OpenSSL
 * (tls_server.h's throwaway CAs), listed as PowerShell lists them, parsed
 * and judged by certstore.c, then the wsman_listener kind's choice of a
 * certificate to rebind to: the newest that chains to ca_file, carries
 * the serverAuth EKU, names the host in its SAN (or CN without a SAN),
 * has its private key and enough days left; never an untrusted, EKU-less,
 * keyless or misnamed newer one; and a person told what is missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "certstore.h"
#include "test_util.h"
#include "tls_server.h"

#define NAME	"node1.test"
#define DAYS	86400L

static struct pki P;

/* One certificate of the store: its PowerShell line, its thumbprint. */
struct sc {
	char	*line;
	char	 thumb[41];
};

static int
setup(void **state)
{
	pki_init(&P);
	return 0;
}

static int
teardown(void **state)
{
	pki_free(&P);
	return 0;
}

static void
sc_fill(struct sc *c, X509 *x, int key)
{
	unsigned char *der = NULL, md[20];
	unsigned int mdlen, i;
	char *b64;
	int len;

	len = i2d_X509(x, &der);
	assert_true(len > 0);
	b64 = xmalloc(((size_t)len + 2) / 3 * 4 + 1);
	EVP_EncodeBlock((unsigned char *)b64, der, len);
	c->line = xasprintf("%d %s\r\n", key, b64);
	assert_int_equal(X509_digest(x, EVP_sha1(), md, &mdlen), 1);
	for (i = 0; i < mdlen; i++)
		snprintf(c->thumb + 2 * i, 3, "%02X", md[i]);
	free(b64);
	OPENSSL_free(der);
}

/* A leaf for cn with SAN dns (NULL: none), valid from..to days from now. */
static void
sc_make(struct sc *c, const char *cn, const char *dns, long from, long to,
    const char *eku, int rogue, int key)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x;

	x = ts_cert(&P, k, rogue ? P.rogue : P.ca, rogue ? P.rogue_key :
	    P.ca_key, cn, dns, from, to, eku);
	sc_fill(c, x, key);
	X509_free(x);
	EVP_PKEY_free(k);
}

enum { GOOD, CN_ONLY, UNTRUSTED, NO_EKU, CLIENT, NO_KEY, SAN_OTHER,
    SHORT, NSC };

/* Each newer than GOOD but one property short, except CN_ONLY (older). */
static void
sc_store(struct sc v[NSC])
{
	sc_make(&v[GOOD], NAME, NAME, -1, 365, "serverAuth", 0, 1);
	sc_make(&v[CN_ONLY], NAME, NULL, -1, 300, "serverAuth", 0, 1);
	sc_make(&v[UNTRUSTED], NAME, NAME, -1, 800, "serverAuth", 1, 1);
	sc_make(&v[NO_EKU], NAME, NAME, -1, 700, NULL, 0, 1);
	sc_make(&v[CLIENT], NAME, NAME, -1, 650, "clientAuth", 0, 1);
	sc_make(&v[NO_KEY], NAME, NAME, -1, 600, "serverAuth", 0, 0);
	sc_make(&v[SAN_OTHER], NAME, "other.test", -1, 900, "serverAuth", 0, 1);
	sc_make(&v[SHORT], NAME, NAME, -1, 10, "serverAuth", 0, 1);
}

static void
sc_free(struct sc *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].line);
}

/* The store node for the certificates of v whose bit is in mask. */
static struct node *
sc_parse(const struct sc *v, unsigned mask)
{
	struct buf out = BUF_INIT;
	struct node *store;
	char *cause = NULL;
	size_t i;

	for (i = 0; i < NSC; i++)
		if (mask & (1u << i))
			buf_puts(&out, v[i].line);
	if (certstore_parse(buf_cstr(&out), NAME, P.ca_file, &store,
	    &cause) != 0)
		fail_msg("%s", cause);
	buf_release(&out);
	return store;
}

/* The listener's change with an expiring binding and this store. */
static void
sc_diff(struct node *store, const char *min, struct changes *cs)
{
	const struct state_ops *ops = state_find("wsman_listener");
	struct node *obs, *want;
	char *cause = NULL, *d;

	obs = yaml("host: " NAME "\nhttp: {exists: false}\nhttps: {exists: "
	    "true, thumbprint: 0000000000000000000000000000000000000000, "
	    "presented: {error: refused}}");
	node_map_set(obs, "store", store);
	d = xasprintf("https: {certificate: {min_days_left: %s}}", min);
	want = yaml(d);
	assert_int_equal(ops->diff(want, obs, time(NULL), cs, &cause), 0);
	assert_int_equal(cs->n, 1);
	cs->v[0].desired = NULL;
	node_free(want);
	node_free(obs);
	free(d);
}

static void
test_parse(void **state)
{
	struct sc v[NSC];
	struct node *store;
	const struct node *c;

	sc_store(v);
	store = sc_parse(v, (1u << NSC) - 1);
	assert_int_equal(store->nitems, NSC);
	c = store->items[GOOD];
	assert_string_equal(node_get_str(c, "thumbprint"), v[GOOD].thumb);
	assert_string_equal(node_get_str(c, "subject"), "CN=" NAME);
	assert_string_equal(node_get_str(c, "trusted"), "true");
	assert_string_equal(node_get_str(c, "server_auth_eku"), "true");
	assert_string_equal(node_get_str(c, "name_matches"), "true");
	assert_string_equal(node_get_str(c, "private_key"), "true");
	c = store->items[UNTRUSTED];
	assert_string_equal(node_get_str(c, "trusted"), "false");
	assert_string_equal(node_get_str(c, "verify_error"),
	    "unable to get local issuer certificate");
	assert_string_equal(node_get_str(store->items[NO_EKU],
	    "server_auth_eku"), "false");
	assert_string_equal(node_get_str(store->items[NO_EKU], "server_auth"),
	    "true");
	assert_string_equal(node_get_str(store->items[NO_KEY], "private_key"),
	    "false");
	assert_string_equal(node_get_str(store->items[CN_ONLY],
	    "name_matches"), "true");
	assert_string_equal(node_get_str(store->items[SAN_OTHER],
	    "name_matches"), "false");
	node_free(store);
	sc_free(v, NSC);
}

/* The instant itself, whatever the host's language: 3 January, not 1 March. */
static void
test_dates(void **state)
{
	struct node *store;
	struct sc c;
	struct tm tm = { .tm_year = 127, .tm_mon = 0, .tm_mday = 3,
	    .tm_hour = 12 };
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x;

	x = ts_cert(&P, k, P.ca, P.ca_key, NAME, NAME, -1, 30, "serverAuth");
	ASN1_TIME_set(X509_getm_notAfter(x), timegm(&tm));
	X509_sign(x, P.ca_key, EVP_sha256());
	sc_fill(&c, x, 1);
	store = sc_parse(&c, 1);
	assert_string_equal(node_get_str(store->items[0], "not_after"),
	    "2027-01-03T12:00:00Z");
	node_free(store);
	sc_free(&c, 1);
	X509_free(x);
	EVP_PKEY_free(k);
}

/* A console that wraps long lines splits the base64, not the record. */
static void
test_wrapped(void **state)
{
	struct sc c;
	struct node *store;
	char *cause = NULL, *text;

	sc_make(&c, NAME, NAME, -1, 30, "serverAuth", 0, 1);
	text = xasprintf("%.80s\r\n%s", c.line, c.line + 80);
	assert_int_equal(certstore_parse(text, NAME, P.ca_file, &store,
	    &cause), 0);
	assert_int_equal(store->nitems, 1);
	assert_string_equal(node_get_str(store->items[0], "thumbprint"),
	    c.thumb);
	node_free(store);
	free(text);
	assert_int_equal(certstore_parse("1 AAAA\r\n", NAME, P.ca_file, &store,
	    &cause), -1);
	assert_true(strncmp(cause, "certificate 1: not a DER certificate: "
	    "error:", 44) == 0);
	assert_int_equal(certstore_parse("Zertifikat\r\n", NAME, P.ca_file,
	    &store, &cause), -1);
	assert_string_equal(cause, "unexpected line 'Zertifikat'");
	free(cause);
	sc_free(&c, 1);
}

/* Newer bad certificates lose to the one that qualifies. */
static void
test_choose(void **state)
{
	struct changes cs = CHANGES_INIT;
	struct sc v[NSC];

	sc_store(v);
	sc_diff(sc_parse(v, (1u << NSC) - 1), "30", &cs);
	assert_string_equal(cs.v[0].after, v[GOOD].thumb);
	assert_true(cs.v[0].flags & CHANGE_CUTS_CONNECTION);
	changes_clear(&cs);
	/* Without it, the certificate with only a CN for the host. */
	sc_diff(sc_parse(v, ((1u << NSC) - 1) & ~(1u << GOOD)), "30", &cs);
	assert_string_equal(cs.v[0].after, v[CN_ONLY].thumb);
	changes_clear(&cs);
	sc_free(v, NSC);
}

/* None qualifies: one line, the host and what the closest lacks. */
static void
test_none(void **state)
{
	struct changes cs = CHANGES_INIT;
	struct sc v[NSC];
	char *want;

	sc_store(v);
	sc_diff(sc_parse(v, 1u << UNTRUSTED | 1u << NO_KEY), "30", &cs);
	assert_null(cs.v[0].after);
	assert_true(cs.v[0].flags & CHANGE_NEEDS_PERSON);
	want = xasprintf("needs a person: TLS handshake failed: refused; "
	    NAME ": no certificate in LocalMachine\\My qualifies: enroll one "
	    "with a chain to a CA in ca_file, the Server Authentication EKU, "
	    NAME " in its SAN, its private key on the host, at least 30 days "
	    "of validity left, then run apply again (closest, %s, lacks a "
	    "chain to a CA in ca_file)", v[UNTRUSTED].thumb);
	assert_string_equal(cs.v[0].note, want);
	free(want);
	changes_clear(&cs);
	/* Too short for min_days_left: said so. */
	sc_diff(sc_parse(v, 1u << SHORT), "30", &cs);
	assert_null(cs.v[0].after);
	assert_non_null(strstr(cs.v[0].note, "lacks at least 30 days of "
	    "validity left)"));
	changes_clear(&cs);
	sc_free(v, NSC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_wrapped),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_none),
	};

	return cmocka_run_group_tests_name("certstore", tests, setup, teardown);
}
