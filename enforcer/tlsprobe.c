/*
 * tlsprobe.c: a TLS handshake that reports the server's certificate
 * instead of judging it (see tlsprobe.h).
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tlsprobe.h"
#include "tlsstore.h"

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd until the deadline: 1 ready, 0 timed out. */
static int
wait_fd(int fd, short events, long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long left;
	int r;

	for (;;) {
		if ((left = deadline - now_ms()) <= 0)
			return 0;
		r = poll(&p, 1, left > 1000 ? 1000 : (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return 1;	/* let the caller see the error */
	}
}

static int
connect_one(const struct addrinfo *ai, long deadline, int *err)
{
	socklen_t len = sizeof(*err);
	int fd;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1) {
		*err = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	*err = errno;
	if (*err == EINPROGRESS) {
		if (!wait_fd(fd, POLLOUT, deadline))
			*err = ETIMEDOUT;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) == -1)
			*err = errno;
		if (*err == 0)
			return fd;
	}
	close(fd);
	return -1;
}

static int
dial(const char *host, int port, long deadline, char **cause)
{
	struct addrinfo hints, *res, *ai;
	char svc[16];
	int fd = -1, err = 0, e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(svc, sizeof(svc), "%d", port);
	if ((e = getaddrinfo(host, svc, &hints, &res)) != 0)
		return cause_set(cause, "cannot resolve: %s", gai_strerror(e));
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next)
		fd = connect_one(ai, deadline, &err);
	freeaddrinfo(res);
	if (fd == -1)
		return cause_set(cause, "cannot connect: %s", strerror(err));
	return fd;
}

char *
tlsprobe_ssl_errors(const char *none)
{
	char buf[256], *s = NULL;
	unsigned long e;

	while ((e = ERR_get_error()) != 0) {
		if (s == NULL) {
			ERR_error_string_n(e, buf, sizeof(buf));
			s = xstrdup(buf);
		}
	}
	return s != NULL ? s : xstrdup(none);
}

static int
handshake(SSL *ssl, int fd, long deadline, char **cause)
{
	char *why;
	int r;

	for (;;) {
		if ((r = SSL_connect(ssl)) == 1)
			return 0;
		switch (SSL_get_error(ssl, r)) {
		case SSL_ERROR_WANT_READ:
			if (!wait_fd(fd, POLLIN, deadline))
				return cause_set(cause, "TLS handshake timed out");
			break;
		case SSL_ERROR_WANT_WRITE:
			if (!wait_fd(fd, POLLOUT, deadline))
				return cause_set(cause, "TLS handshake timed out");
			break;
		default:
			why = tlsprobe_ssl_errors("connection closed");
			cause_set(cause, "TLS handshake failed: %s", why);
			free(why);
			return -1;
		}
	}
}

static int
is_ip(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

static char *
name_string(const X509_NAME *n)
{
	unsigned long flags;
	BIO *bio;
	char *p, *s;
	long len;

	flags = ((XN_FLAG_RFC2253 & ~XN_FLAG_SEP_MASK) | XN_FLAG_SEP_CPLUS_SPC) &
	    ~ASN1_STRFLGS_ESC_MSB;
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		fatal("out of memory");
	X509_NAME_print_ex(bio, n, 0, flags);
	len = BIO_get_mem_data(bio, &p);
	s = xstrndup(p, len > 0 ? (size_t)len : 0);
	BIO_free(bio);
	return s;
}

static time_t
asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

static void
dns_names(X509 *x, char ***out, size_t *n)
{
	GENERAL_NAMES *names;
	const GENERAL_NAME *g;
	const unsigned char *d;
	int i, len;

	*out = NULL;
	*n = 0;
	names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		g = sk_GENERAL_NAME_value(names, i);
		if (g->type != GEN_DNS)
			continue;
		d = ASN1_STRING_get0_data(g->d.dNSName);
		len = ASN1_STRING_length(g->d.dNSName);
		if (len <= 0 || memchr(d, '\0', (size_t)len) != NULL)
			continue;
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[(*n)++] = xstrndup((const char *)d, (size_t)len);
	}
	GENERAL_NAMES_free(names);
}

void
tlsprobe_cert_names(X509 *x, struct buf *out)
{
	char **names, cn[256];
	size_t i, n;
	int len;

	dns_names(x, &names, &n);
	for (i = 0; i < n; i++) {
		buf_printf(out, "%s%s", i > 0 ? ", " : "", names[i]);
		free(names[i]);
	}
	free(names);
	if (n > 0)
		return;
	len = X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, sizeof(cn));
	if (len > 0)
		buf_puts(out, cn);
}

static void
thumbprint(X509 *x, char out[41])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	out[0] = '\0';
	if (X509_digest(x, EVP_sha1(), md, &len) != 1 || len != 20)
		return;
	for (i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02X", md[i]);
}

static int
verify_chain(struct tlsprobe_result *r, X509 *leaf, STACK_OF(X509) *chain,
    const char *ca_file, int flags, char **cause)
{
	X509_STORE_CTX *vctx = NULL;
	X509_STORE *store;
	int rc = -1;

	if ((store = tlsstore_get(ca_file, cause)) == NULL)
		goto out;
	if ((vctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(vctx, store, leaf, chain) != 1)
		fatal("out of memory");
	if (flags & TLSPROBE_ANY_TIME)
		X509_STORE_CTX_set_flags(vctx, X509_V_FLAG_NO_CHECK_TIME);
	r->chain_ok = X509_verify_cert(vctx) == 1;
	if (!r->chain_ok)
		r->verify_error = xstrdup(X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(vctx)));
	ERR_clear_error();
	rc = 0;
out:
	X509_STORE_CTX_free(vctx);
	X509_STORE_free(store);
	return rc;
}

/* The EKU extension is there and names serverAuth. */
static int
eku_server_auth(X509 *x)
{
	return (X509_get_extension_flags(x) & EXFLAG_XKUSAGE) != 0 &&
	    (X509_get_extended_key_usage(x) & XKU_SSL_SERVER) != 0;
}

int
tlsprobe_cert(struct tlsprobe_result *r, X509 *x, STACK_OF(X509) *chain,
    const char *name, const char *ca_file, int flags, char **cause)
{
	memset(r, 0, sizeof(*r));
	thumbprint(x, r->thumbprint);
	r->subject = name_string(X509_get_subject_name(x));
	r->issuer = name_string(X509_get_issuer_name(x));
	r->not_before = asn1_time(X509_get0_notBefore(x));
	r->not_after = asn1_time(X509_get0_notAfter(x));
	dns_names(x, &r->dns_names, &r->ndns_names);
	r->name_matches = is_ip(name) ?
	    X509_check_ip_asc(x, name, 0) == 1 :
	    X509_check_host(x, name, strlen(name), 0, NULL) == 1;
	r->server_auth = (X509_get_extended_key_usage(x) &
	    XKU_SSL_SERVER) != 0;
	r->eku_server_auth = eku_server_auth(x);
	if (verify_chain(r, x, chain, ca_file, flags, cause) == -1) {
		tlsprobe_result_release(r);
		return -1;
	}
	return 0;
}

int
tlsprobe_chain(struct tlsprobe_result *r, const unsigned char *der,
    size_t len, const char *name, const char *ca_file, char **cause)
{
	const unsigned char *p = der, *end = der + len;
	STACK_OF(X509) *chain;
	X509 *x;
	int rc;

	if ((chain = sk_X509_new_null()) == NULL)
		fatal("out of memory");
	while (p < end && (x = d2i_X509(NULL, &p, end - p)) != NULL)
		if (sk_X509_push(chain, x) == 0)
			fatal("out of memory");
	ERR_clear_error();
	if (p != end || sk_X509_num(chain) == 0) {
		sk_X509_pop_free(chain, X509_free);
		memset(r, 0, sizeof(*r));
		return cause_set(cause, "unreadable certificate chain");
	}
	rc = tlsprobe_cert(r, sk_X509_value(chain, 0), chain, name, ca_file,
	    0, cause);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

static int
describe(struct tlsprobe_result *r, SSL *ssl, const char *name,
    const char *ca_file, char **cause)
{
	X509 *leaf;
	int rc;

	if ((leaf = SSL_get1_peer_certificate(ssl)) == NULL)
		return cause_set(cause, "server presented no certificate");
	rc = tlsprobe_cert(r, leaf, SSL_get_peer_cert_chain(ssl), name,
	    ca_file, 0, cause);
	if (rc == 0)
		r->protocol = xstrdup(SSL_get_version(ssl));
	X509_free(leaf);
	return rc;
}

int
tlsprobe_run(struct tlsprobe_result *out, const char *name,
    const char *address, int port, const char *ca_file, long timeout_ms,
    char **cause)
{
	const char *host = address != NULL ? address : name;
	long deadline = now_ms() + timeout_ms;
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	int fd, rc = -1;

	memset(out, 0, sizeof(*out));
	ERR_clear_error();
	if ((fd = dial(host, port, deadline, cause)) == -1)
		return cause_prefix(cause, "%s:%d", host, port);
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    (ssl = SSL_new(ctx)) == NULL)
		fatal("out of memory");
	/* Verification is reported by describe(), not enforced here. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_set_fd(ssl, fd);
	if (!is_ip(name))
		SSL_set_tlsext_host_name(ssl, name);
	if (handshake(ssl, fd, deadline, cause) == -1 ||
	    describe(out, ssl, name, ca_file, cause) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1) {
		cause_prefix(cause, "%s:%d", host, port);
		tlsprobe_result_release(out);
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	ERR_clear_error();
	return rc;
}

void
tlsprobe_result_release(struct tlsprobe_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->subject);
	free(r->issuer);
	for (i = 0; i < r->ndns_names; i++)
		free(r->dns_names[i]);
	free(r->dns_names);
	free(r->verify_error);
	free(r->protocol);
	memset(r, 0, sizeof(*r));
}
