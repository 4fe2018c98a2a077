/*
 * tls.c: the simulator's throwaway PKI and its server TLS context.
 *
 * A test CA, written to ca_out, issues every host certificate at start-up;
 * a second "rogue" CA, never written anywhere, issues the "untrusted"
 * ones.  EC P-256 keys keep issuing a thousand certificates fast.  All
 * hosts share one SSL_CTX whose certificate callback serves, at handshake
 * time, the certificate the host's HTTPS listener names by thumbprint, so
 * that rebinding the listener changes what new connections see.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "sim.h"

#define DAY		86400L
#define CA_NAME		"WinRM Simulator Test CA"
#define ROGUE_NAME	"WinRM Simulator Rogue CA"

/* Certificate fields that vary by scenario. */
struct cert_spec {
	const char	*cn;		/* subject CN */
	time_t		 not_before;
	time_t		 not_after;
	const char	*eku;		/* "serverAuth", "clientAuth"; NULL:
					   no EKU extension */
	const char	*san;		/* SAN DNS name; NULL: none */
	X509		*issuer;	/* NULL: self-signed CA */
	EVP_PKEY	*issuer_key;
};

static int host_index = -1, port_index = -1, counted_index = -1;

/* Drain OpenSSL's error queue into the cause. */
static int
ssl_cause(char **cause, const char *what)
{
	unsigned long e;
	char buf[256] = "unknown error";

	if ((e = ERR_get_error()) != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return cause_set(cause, "%s: %s", what, buf);
}

static EVP_PKEY *
ec_key(void)
{
	return EVP_EC_gen("P-256");
}

static int
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int rc;

	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return -1;
	rc = X509_add_ext(x, ext, -1) == 1 ? 0 : -1;
	X509_EXTENSION_free(ext);
	return rc;
}

static int
set_serial(X509 *x)
{
	BIGNUM *bn;
	int rc = -1;

	if ((bn = BN_new()) == NULL)
		return -1;
	if (BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL)
		rc = 0;
	BN_free(bn);
	return rc;
}

static int
set_names(X509 *x, const struct cert_spec *s)
{
	X509_NAME *name = X509_get_subject_name(x);

	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)s->cn, -1, -1, 0) != 1)
		return -1;
	return X509_set_issuer_name(x, s->issuer != NULL ?
	    X509_get_subject_name(s->issuer) : name) == 1 ? 0 : -1;
}

static int
set_extensions(X509 *x, const struct cert_spec *s)
{
	char san[300];

	if (s->issuer == NULL)
		return add_ext(x, NULL, NID_basic_constraints,
		    "critical,CA:TRUE") == 0 &&
		    add_ext(x, NULL, NID_key_usage,
		    "critical,keyCertSign,cRLSign") == 0 &&
		    add_ext(x, NULL, NID_subject_key_identifier, "hash") == 0 ?
		    0 : -1;
	if (add_ext(x, s->issuer, NID_basic_constraints, "CA:FALSE") != 0 ||
	    add_ext(x, s->issuer, NID_key_usage,
	    "critical,digitalSignature,keyEncipherment") != 0 ||
	    (s->eku != NULL && add_ext(x, s->issuer, NID_ext_key_usage,
	    s->eku) != 0) ||
	    add_ext(x, s->issuer, NID_authority_key_identifier,
	    "keyid") != 0)
		return -1;
	if (s->san == NULL)
		return 0;
	snprintf(san, sizeof(san), "DNS:%s", s->san);
	return add_ext(x, s->issuer, NID_subject_alt_name, san);
}

/* A certificate for key under spec, signed by the issuer (or itself). */
static X509 *
cert_make(EVP_PKEY *key, const struct cert_spec *s)
{
	X509 *x;

	if ((x = X509_new()) == NULL)
		return NULL;
	if (X509_set_version(x, 2) != 1 || set_serial(x) != 0 ||
	    ASN1_TIME_set(X509_getm_notBefore(x), s->not_before) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), s->not_after) == NULL ||
	    X509_set_pubkey(x, key) != 1 || set_names(x, s) != 0 ||
	    set_extensions(x, s) != 0 ||
	    X509_sign(x, s->issuer_key != NULL ? s->issuer_key : key,
	    EVP_sha256()) == 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int
ca_make(X509 **cert, EVP_PKEY **key, const char *cn, char **cause)
{
	struct cert_spec s = { cn, 0, 0, NULL, NULL, NULL, NULL };
	time_t now = time(NULL);

	s.not_before = now - DAY;
	s.not_after = now + 3650 * DAY;
	if ((*key = ec_key()) == NULL)
		return ssl_cause(cause, "test ca: key");
	if ((*cert = cert_make(*key, &s)) == NULL)
		return ssl_cause(cause, "test ca: certificate");
	return 0;
}

int
tls_ca_init(struct sim_fleet *f, char **cause)
{
	if (ca_make(&f->ca_cert, &f->ca_key, CA_NAME, cause) != 0 ||
	    ca_make(&f->rogue_ca_cert, &f->rogue_ca_key, ROGUE_NAME,
	    cause) != 0)
		return -1;
	return 0;
}

static const char *const scenarios[] = {
	"valid", "expired", "expiring", "wrong_name", "untrusted",
	"no_server_auth", "no_eku", "no_key", "key_unusable", "cn_only",
	"san_mismatch",
};

int
tls_scenario_known(const char *s)
{
	size_t i;

	for (i = 0; i < nitems(scenarios); i++)
		if (strcmp(s, scenarios[i]) == 0)
			return 1;
	return 0;
}

/* Validity, name, usage and issuer of a host certificate by scenario. */
static void
scenario_spec(struct sim_host *h, const char *scenario, int days,
    struct cert_spec *s, char *cn, size_t cnlen)
{
	time_t now = time(NULL);
	struct sim_fleet *f = h->fleet;

	snprintf(cn, cnlen, "%s", h->name);
	s->cn = cn;
	s->san = h->name;
	s->eku = "serverAuth";
	s->issuer = f->ca_cert;
	s->issuer_key = f->ca_key;
	s->not_before = now - DAY;
	s->not_after = now + (days > 0 ? days : 365) * DAY;
	if (strcmp(scenario, "expired") == 0) {
		s->not_after = now - DAY;
		s->not_before = s->not_after - (days > 0 ? days : 365) * DAY;
	} else if (strcmp(scenario, "expiring") == 0)
		s->not_after = now + (days > 0 ? days : 10) * DAY;
	else if (strcmp(scenario, "wrong_name") == 0) {
		snprintf(cn, cnlen, "other-%s", h->name);
		s->san = cn;
	} else if (strcmp(scenario, "san_mismatch") == 0)
		s->san = "other.invalid";	/* the CN is the host's */
	else if (strcmp(scenario, "cn_only") == 0)
		s->san = NULL;
	else if (strcmp(scenario, "untrusted") == 0) {
		s->issuer = f->rogue_ca_cert;
		s->issuer_key = f->rogue_ca_key;
	} else if (strcmp(scenario, "no_server_auth") == 0)
		s->eku = "clientAuth";
	else if (strcmp(scenario, "no_eku") == 0)
		s->eku = NULL;
}

static char *
name_string(X509_NAME *n)
{
	char cn[256];

	if (X509_NAME_get_text_by_NID(n, NID_commonName, cn, sizeof(cn)) < 0)
		cn[0] = '\0';
	return xasprintf("CN=%s", cn);
}

static char *
serial_string(X509 *x)
{
	BIGNUM *bn;
	char *hex, *s;

	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	hex = bn != NULL ? BN_bn2hex(bn) : NULL;
	s = xstrdup(hex != NULL ? hex : "");
	OPENSSL_free(hex);
	BN_free(bn);
	return s;
}

/* Fill a store entry from a certificate; takes x and key. */
static void
cert_entry(struct sim_cert *c, X509 *x, EVP_PKEY *key, time_t nb, time_t na)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	X509_digest(x, EVP_sha1(), md, &len);
	for (i = 0; i < len && i < 20; i++)
		snprintf(c->thumbprint + 2 * i, 3, "%02X", md[i]);
	c->subject = name_string(X509_get_subject_name(x));
	c->issuer = name_string(X509_get_issuer_name(x));
	c->serial = serial_string(x);
	c->not_before = nb;
	c->not_after = na;
	c->server_auth = (X509_get_extended_key_usage(x) & XKU_SSL_SERVER) != 0;
	c->x509 = x;
	c->key = key;
}

struct sim_cert *
tls_cert_issue(struct sim_host *h, const char *scenario, int days,
    char **cause)
{
	struct cert_spec s;
	struct sim_cert *c;
	EVP_PKEY *key;
	X509 *x;
	char cn[300];

	scenario_spec(h, scenario, days, &s, cn, sizeof(cn));
	if ((key = ec_key()) == NULL) {
		ssl_cause(cause, "key");
		return NULL;
	}
	if ((x = cert_make(key, &s)) == NULL) {
		EVP_PKEY_free(key);
		ssl_cause(cause, "certificate");
		return NULL;
	}
	/* Imported without its key; or with one the service cannot read. */
	if (strcmp(scenario, "no_key") == 0) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	h->certs = xreallocarray(h->certs, h->ncerts + 1, sizeof(*h->certs));
	c = &h->certs[h->ncerts++];
	memset(c, 0, sizeof(*c));
	cert_entry(c, x, key, s.not_before, s.not_after);
	c->key_unusable = strcmp(scenario, "key_unusable") == 0;
	return c;
}

/* A client certificate for user-name CN, as PEM files, for tests. */
int
tls_client_cert_write(struct sim_fleet *f, const char *cn,
    const char *cert_out, const char *key_out, char **cause)
{
	/* A client certificate's CN is a user name, not a DNS name. */
	struct cert_spec s = { cn, 0, 0, "clientAuth", NULL, f->ca_cert,
	    f->ca_key };
	EVP_PKEY *key;
	X509 *x = NULL;
	FILE *fp = NULL;
	int rc = -1;

	s.not_before = time(NULL) - DAY;
	s.not_after = s.not_before + 366 * DAY;
	if ((key = ec_key()) == NULL || (x = cert_make(key, &s)) == NULL) {
		ssl_cause(cause, "client certificate");
		goto out;
	}
	if ((fp = fopen(cert_out, "w")) == NULL ||
	    PEM_write_X509(fp, x) != 1 || fclose(fp) != 0) {
		fp = NULL;
		cause_set(cause, "'%s': cannot write", cert_out);
		goto out;
	}
	if ((fp = fopen(key_out, "w")) == NULL ||
	    PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fclose(fp) != 0) {
		fp = NULL;
		cause_set(cause, "'%s': cannot write", key_out);
		goto out;
	}
	fp = NULL;
	rc = 0;
out:
	if (fp != NULL)
		fclose(fp);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

int
tls_write_ca(const struct sim_fleet *f, const char *path, char **cause)
{
	FILE *fp;
	char *tmp;
	int rc = -1;

	/* Write then rename, so a reader never sees half a PEM. */
	tmp = xasprintf("%s.tmp", path);
	if ((fp = fopen(tmp, "w")) == NULL) {
		cause_set(cause, "'%s': cannot write", tmp);
		goto out;
	}
	if (PEM_write_X509(fp, f->ca_cert) != 1) {
		fclose(fp);
		ssl_cause(cause, path);
		goto out;
	}
	if (fclose(fp) != 0 || rename(tmp, path) != 0) {
		cause_set(cause, "'%s': cannot write", path);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	return rc;
}

/* Whether an enabled HTTPS listener serves the host's address. */
static int
serves(const struct sim_host *h, const struct sim_listener *l,
    const char *transport)
{
	if (strcasecmp(l->transport, transport) != 0 || !l->enabled)
		return 0;
	return strcmp(l->address, "*") == 0 ||
	    (strncasecmp(l->address, "IP:", 3) == 0 && h->address != NULL &&
	    strcmp(l->address + 3, h->address) == 0);
}

/* An IP-specific listener wins over "*" on the same port, as in http.sys. */
static struct sim_listener *
find_listener(struct sim_host *h, const char *transport, int port)
{
	struct sim_listener *l, *any = NULL;
	size_t i;

	for (i = 0; i < h->nlisteners; i++) {
		l = &h->listeners[i];
		if (!serves(h, l, transport) || (port != 0 && l->port != port))
			continue;
		if (strcmp(l->address, "*") != 0)
			return l;
		if (any == NULL)
			any = l;
	}
	return any;
}

struct sim_listener *
tls_listener(struct sim_host *h, int port)
{
	return find_listener(h, "HTTPS", port);
}

struct sim_listener *
tls_plain_listener(struct sim_host *h, int port)
{
	struct sim_listener *l;

	if (h->http_port == 0 || (l = find_listener(h, "HTTP", port)) == NULL ||
	    l->port != h->http_port)
		return NULL;
	return l;
}

/* Accept any client certificate; tls_client_user checks the result. */
static int
verify_cb(int ok, X509_STORE_CTX *ctx)
{
	return 1;
}

/* The certificate the listener ssl serves names, or NULL. */
static struct sim_cert *
listener_cert(SSL *ssl)
{
	struct sim_host *h = SSL_get_ex_data(ssl, host_index);
	int port = (int)(intptr_t)SSL_get_ex_data(ssl, port_index);
	struct sim_listener *l;
	struct sim_cert *c;

	if (h == NULL || (l = tls_listener(h, port)) == NULL ||
	    l->thumbprint == NULL)
		return NULL;
	/* Bound to a certificate without a usable key, http.sys completes
	 * no handshake. */
	if ((c = sim_cert(h, l->thumbprint)) == NULL || c->x509 == NULL ||
	    c->key == NULL || c->key_unusable)
		return NULL;
	return c;
}

/* Serve the certificate the listener names; ask for a client one only
 * when the service accepts certificate authentication. */
static int
cert_cb(SSL *ssl, void *arg)
{
	struct sim_host *h = SSL_get_ex_data(ssl, host_index);
	struct sim_cert *c;

	if ((c = listener_cert(ssl)) == NULL)
		return 0;
	if (SSL_use_certificate(ssl, c->x509) != 1 ||
	    SSL_use_PrivateKey(ssl, c->key) != 1)
		return 0;
	SSL_set_verify(ssl, h->winrm.svc_certificate.value ? SSL_VERIFY_PEER :
	    SSL_VERIFY_NONE, verify_cb);
	return 1;
}

/*
 * Count each connection's handshake once, full or resumed: benchmarks
 * measure what a client's connections cost the host.  Once, because
 * TLS 1.3 may report "done" again after its session tickets.
 */
static void
count_cb(const SSL *ssl, int where, int ret)
{
	struct sim_host *h = SSL_get_ex_data(ssl, host_index);

	(void)ret;
	if ((where & SSL_CB_HANDSHAKE_DONE) == 0 || h == NULL ||
	    SSL_get_ex_data(ssl, counted_index) != NULL)
		return;
	SSL_set_ex_data((SSL *)ssl, counted_index, (void *)1);
	if (SSL_session_reused(ssl))
		h->counters.tls_resumed++;
	else
		h->counters.tls_full++;
}

int
tls_ctx_init(struct sim_fleet *f, char **cause)
{
	static const unsigned char sid[] = "winrm-sim";
	SSL_CTX *ctx;

	if (host_index < 0) {
		host_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
		port_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
		counted_index = SSL_get_ex_new_index(0, NULL, NULL, NULL,
		    NULL);
	}
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return ssl_cause(cause, "tls context");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_cert_cb(ctx, cert_cb, NULL);
	SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
	SSL_CTX_set_info_callback(ctx, count_cb);
	if (X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), f->ca_cert) != 1 ||
	    SSL_CTX_add_client_CA(ctx, f->ca_cert) != 1) {
		SSL_CTX_free(ctx);
		return ssl_cause(cause, "tls context");
	}
	f->ssl_ctx = ctx;
	return 0;
}

void
tls_ssl_set_host(SSL *ssl, struct sim_host *h, int port)
{
	SSL_set_ex_data(ssl, host_index, h);
	SSL_set_ex_data(ssl, port_index, (void *)(intptr_t)port);
}

static int
cn_of(X509 *x, char *out, size_t len)
{
	return X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, out, (int)len) < 0 ? -1 : 0;
}

const char *
tls_client_user(struct sim_host *h, SSL *ssl)
{
	X509 *peer;
	uint32_t xku;
	char cn[256];
	size_t i;

	if (ssl == NULL || (peer = SSL_get0_peer_certificate(ssl)) == NULL ||
	    SSL_get_verify_result(ssl) != X509_V_OK || cn_of(peer, cn,
	    sizeof(cn)) != 0)
		return NULL;
	xku = X509_get_extended_key_usage(peer);
	if ((xku & XKU_SSL_CLIENT) == 0)
		return NULL;
	for (i = 0; i < h->ncert_mappings; i++)
		if (strcmp(h->cert_mappings[i].subject, "*") == 0 ||
		    strcasecmp(h->cert_mappings[i].subject, cn) == 0)
			return h->cert_mappings[i].user;
	return NULL;
}

void
tls_fleet_release(struct sim_fleet *f)
{
	SSL_CTX_free(f->ssl_ctx);
	X509_free(f->ca_cert);
	EVP_PKEY_free(f->ca_key);
	X509_free(f->rogue_ca_cert);
	EVP_PKEY_free(f->rogue_ca_key);
	f->ssl_ctx = NULL;
	f->ca_cert = f->rogue_ca_cert = NULL;
	f->ca_key = f->rogue_ca_key = NULL;
}

int
tls_cbt_data(SSL *ssl, struct buf *out)
{
	static const char prefix[] = "tls-server-end-point:";
	X509 *cert = ssl != NULL ? SSL_get_certificate(ssl) : NULL;
	const EVP_MD *md = EVP_sha256();
	unsigned char hash[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	struct sim_cert *c;
	int nid;

	/* A resumed session chose no certificate: the listener's it is. */
	if (cert == NULL && ssl != NULL && (c = listener_cert(ssl)) != NULL)
		cert = c->x509;
	if (cert == NULL)
		return -1;
	/* RFC 5929: the signature's hash, but never weaker than SHA-256. */
	if (OBJ_find_sigid_algs(X509_get_signature_nid(cert), &nid, NULL) &&
	    nid != NID_md5 && nid != NID_sha1 && EVP_get_digestbynid(nid))
		md = EVP_get_digestbynid(nid);
	if (X509_digest(cert, md, hash, &hlen) != 1)
		return -1;
	buf_add(out, prefix, sizeof(prefix) - 1);
	buf_add(out, hash, hlen);
	return 0;
}
