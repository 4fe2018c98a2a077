/*
 * tls_server.h: what the transport and TLS-probe tests need from the
 * outside world, made in the test: a throwaway CA issuing certificates
 * (valid, expired, wrong name, no serverAuth, from an unknown CA), and a
 * small HTTPS server on 127.0.0.1 that answers WS-Man requests the way a
 * test tells it to (normally, late, cut short, too big, 401, 500, never).
 * It counts connections and requests so tests can see keep-alive and
 * retries.  A thread per connection: it is a test fixture, not a model.
 *
 * Header-only on purpose: included by one test program at a time.
 */
#ifndef TLS_SERVER_H
#define TLS_SERVER_H

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "util.h"
#include "wsman_fake.h"

#define TS_FN static __attribute__((unused))

/* --- certificates ------------------------------------------------------- */

struct pki {
	char		 dir[64];
	EVP_PKEY	*ca_key;
	X509		*ca;
	EVP_PKEY	*rogue_key;	/* a CA nobody trusts */
	X509		*rogue;
	char		*ca_file;
	int		 serial;
};

struct leaf {
	char	*cert_file;
	char	*key_file;
};

static void
ts_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *e;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	if ((e = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
		abort();
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

/* A certificate for key, valid from..to days from now. */
static X509 *
ts_cert(struct pki *p, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
    const char *cn, const char *dns, long from, long to, const char *eku)
{
	X509_NAME *name;
	X509 *x;
	char *san;

	x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), ++p->serial);
	X509_gmtime_adj(X509_getm_notBefore(x), from * 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), to * 86400);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) :
	    name);
	ts_ext(x, issuer, NID_basic_constraints,
	    issuer == NULL ? "critical,CA:TRUE" : "CA:FALSE");
	ts_ext(x, issuer, NID_key_usage, issuer == NULL ?
	    "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
	ts_ext(x, issuer, NID_subject_key_identifier, "hash");
	if (dns != NULL) {
		san = xasprintf("DNS:%s", dns);
		ts_ext(x, issuer, NID_subject_alt_name, san);
		free(san);
	}
	if (eku != NULL)
		ts_ext(x, issuer, NID_ext_key_usage, eku);
	X509_sign(x, issuer_key != NULL ? issuer_key : key, EVP_sha256());
	return x;
}

static char *
ts_write_pem(struct pki *p, const char *name, X509 *x, EVP_PKEY *k)
{
	char *path;
	FILE *fp;

	path = xasprintf("%s/%s", p->dir, name);
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	if (x != NULL)
		PEM_write_X509(fp, x);
	if (k != NULL)
		PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL);
	fclose(fp);
	return path;
}

TS_FN void
pki_init(struct pki *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->dir, sizeof(p->dir), "/tmp/enforcer-tls-XXXXXX");
	if (mkdtemp(p->dir) == NULL)
		abort();
	p->ca_key = EVP_EC_gen("P-256");
	p->ca = ts_cert(p, p->ca_key, NULL, NULL, "Enforcer Test CA", NULL,
	    -1, 30, NULL);
	p->rogue_key = EVP_EC_gen("P-256");
	p->rogue = ts_cert(p, p->rogue_key, NULL, NULL, "Rogue CA", NULL, -1,
	    30, NULL);
	p->ca_file = ts_write_pem(p, "ca.pem", p->ca, NULL);
}

/*
 * A leaf for dns (also the CN), valid from..to days from now, with the
 * given EKU ("serverAuth", "clientAuth", or NULL for none), issued by the
 * test CA or, with rogue, by a CA nobody trusts.
 */
TS_FN void
pki_leaf(struct pki *p, struct leaf *l, const char *dns, long from, long to,
    const char *eku, int rogue)
{
	EVP_PKEY *k;
	X509 *x;
	char *name;

	k = EVP_EC_gen("P-256");
	x = ts_cert(p, k, rogue ? p->rogue : p->ca, rogue ? p->rogue_key :
	    p->ca_key, dns, dns, from, to, eku);
	name = xasprintf("leaf%d.pem", p->serial);
	l->cert_file = ts_write_pem(p, name, x, NULL);
	free(name);
	name = xasprintf("leaf%d.key", p->serial);
	l->key_file = ts_write_pem(p, name, NULL, k);
	free(name);
	X509_free(x);
	EVP_PKEY_free(k);
}

TS_FN void
leaf_free(struct leaf *l)
{
	unlink(l->cert_file);
	unlink(l->key_file);
	free(l->cert_file);
	free(l->key_file);
}

TS_FN void
pki_free(struct pki *p)
{
	unlink(p->ca_file);
	rmdir(p->dir);
	free(p->ca_file);
	X509_free(p->ca);
	X509_free(p->rogue);
	EVP_PKEY_free(p->ca_key);
	EVP_PKEY_free(p->rogue_key);
}

/* --- server ------------------------------------------------------------- */

enum ts_mode {
	TS_OK,		/* a WS-Man reply to the request */
	TS_DROP,	/* promise 4000 bytes, send 100, close */
	TS_BIG,		/* 256 KiB without a length */
	TS_BIG_LENGTH,	/* 256 KiB with a length */
	TS_500,		/* an HTML error page */
	TS_NO_TLS,	/* accept, then say nothing at all */
};

struct tserver {
	int			 lfd;
	int			 port;
	SSL_CTX			*ctx;
	pthread_t		 acceptor;
	pthread_mutex_t		 lock;
	pthread_t		 conns[256];
	size_t			 nconns;
	int			 stop;
	/* behaviour, set by the test between requests */
	enum ts_mode		 mode;
	int			 delay_ms;
	const char		*basic;		/* "user:password" required */
	int			 mutual;	/* client certificate + header */
	/* what it saw */
	int			 connections;
	int			 requests;
	char			 sni[256];
	struct buf		 last_headers;
};

struct ts_conn {
	struct tserver	*s;
	int		 fd;
};

static int
ts_stopping(struct tserver *s)
{
	int stop;

	pthread_mutex_lock(&s->lock);
	stop = s->stop;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

static void
ts_sleep(struct tserver *s, int ms)
{
	struct timespec ts = { 0, 10 * 1000000 };

	for (; ms > 0 && !ts_stopping(s); ms -= 10)
		nanosleep(&ts, NULL);
}

/* Wait for data on the connection; 0 when stopping or idle too long. */
static int
ts_readable(struct tserver *s, SSL *ssl, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int i;

	for (i = 0; i < 500; i++) {
		if (ts_stopping(s))
			return 0;
		if (SSL_pending(ssl) > 0 || poll(&p, 1, 20) > 0)
			return 1;
	}
	return 0;
}

/* Read one request (headers and Content-Length body) into req. */
static int
ts_read_request(struct tserver *s, SSL *ssl, int fd, struct buf *req,
    size_t *body_at)
{
	char chunk[4096], *end, *cl;
	size_t want = 0;
	int n;

	buf_reset(req);
	*body_at = 0;
	for (;;) {
		if (*body_at == 0 && (end = strstr(buf_cstr(req), "\r\n\r\n"))) {
			*body_at = (size_t)(end - req->ptr) + 4;
			cl = strcasestr(req->ptr, "Content-Length:");
			want = cl != NULL && cl < end ?
			    strtoul(cl + 15, NULL, 10) : 0;
		}
		if (*body_at != 0 && req->len >= *body_at + want)
			return 0;
		if (!ts_readable(s, ssl, fd) ||
		    (n = SSL_read(ssl, chunk, sizeof(chunk))) <= 0)
			return -1;
		buf_add(req, chunk, (size_t)n);
	}
}

static void
ts_write(SSL *ssl, const char *data, size_t len)
{
	size_t off = 0;
	int n;

	while (off < len && (n = SSL_write(ssl, data + off,
	    (int)(len - off))) > 0)
		off += (size_t)n;
}

static int
ts_authorised(struct tserver *s, const char *headers)
{
	unsigned char enc[512];
	char *want;
	int ok;

	if (s->mutual)
		return strstr(headers, "Authorization: http://schemas.dmtf.org/"
		    "wbem/wsman/1/wsman/secprofile/https/mutual\r\n") != NULL;
	if (s->basic == NULL)
		return 1;
	EVP_EncodeBlock(enc, (const unsigned char *)s->basic,
	    (int)strlen(s->basic));
	want = xasprintf("Authorization: Basic %s\r\n", enc);
	ok = strstr(headers, want) != NULL;
	free(want);
	return ok;
}

static void
ts_reply_ok(SSL *ssl, const char *body, int n)
{
	struct buf r = BUF_INIT, b = BUF_INIT;
	char *action, *id;

	action = fake_element_text(body, "Action");
	id = fake_element_text(body, "MessageID");
	buf_printf(&b, "<s:Envelope xmlns:s=\"%s\" xmlns:a=\"%s\"><s:Header>"
	    "<a:Action>%sResponse</a:Action><a:MessageID>uuid:0</a:MessageID>"
	    "<a:RelatesTo>%s</a:RelatesTo></s:Header><s:Body><p:Reply "
	    "xmlns:p=\"urn:test\"><p:Request>%d</p:Request></p:Reply>"
	    "</s:Body></s:Envelope>", WSMAN_NS_SOAP, WSMAN_NS_WSA,
	    action != NULL ? action : "", id != NULL ? id : "", n);
	buf_printf(&r, "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml;"
	    "charset=UTF-8\r\nContent-Length: %zu\r\n\r\n%s", b.len, b.ptr);
	ts_write(ssl, r.ptr, r.len);
	free(action);
	free(id);
	buf_release(&r);
	buf_release(&b);
}

static void
ts_reply_big(SSL *ssl, int length)
{
	char head[256], chunk[4096];
	int i;

	snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n%s\r\n",
	    length ? "Content-Length: 262144\r\n" : "Connection: close\r\n");
	ts_write(ssl, head, strlen(head));
	memset(chunk, 'x', sizeof(chunk));
	for (i = 0; i < 64; i++)
		ts_write(ssl, chunk, sizeof(chunk));
}

/* Answer one request; returns 0 to keep the connection open. */
static int
ts_answer(struct tserver *s, SSL *ssl, const struct buf *req, size_t body_at,
    int n)
{
	static const char unauth[] = "HTTP/1.1 401 Unauthorized\r\n"
	    "WWW-Authenticate: Negotiate\r\nWWW-Authenticate: Kerberos\r\n"
	    "WWW-Authenticate: Basic realm=\"WSMAN\"\r\n"
	    "Content-Length: 0\r\n\r\n";
	static const char page[] = "<html><body>Internal Server Error"
	    "</body></html>";
	enum ts_mode mode;
	char head[256];
	int delay, ok;

	pthread_mutex_lock(&s->lock);
	mode = s->mode;
	delay = s->delay_ms;
	ok = ts_authorised(s, req->ptr);
	pthread_mutex_unlock(&s->lock);
	if (delay > 0)
		ts_sleep(s, delay);
	if (!ok) {
		ts_write(ssl, unauth, sizeof(unauth) - 1);
		return 0;
	}
	switch (mode) {
	case TS_OK:
		ts_reply_ok(ssl, req->ptr + body_at, n);
		return 0;
	case TS_DROP:
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
		    "Content-Length: 4000\r\n\r\n<s:Envelope xmlns:s=\"%s\">",
		    WSMAN_NS_SOAP);
		ts_write(ssl, head, strlen(head));
		return -1;
	case TS_BIG:
	case TS_BIG_LENGTH:
		ts_reply_big(ssl, s->mode == TS_BIG_LENGTH);
		return -1;
	case TS_500:
		snprintf(head, sizeof(head), "HTTP/1.1 500 Internal Server "
		    "Error\r\nContent-Type: text/html\r\nContent-Length: %zu"
		    "\r\n\r\n", sizeof(page) - 1);
		ts_write(ssl, head, strlen(head));
		ts_write(ssl, page, sizeof(page) - 1);
		return 0;
	case TS_NO_TLS:
		break;
	}
	return -1;
}

static void
ts_serve(struct tserver *s, SSL *ssl, int fd)
{
	struct buf req = BUF_INIT;
	const char *sni;
	size_t body_at;
	int n;

	if (SSL_accept(ssl) != 1)
		goto out;
	sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	pthread_mutex_lock(&s->lock);
	snprintf(s->sni, sizeof(s->sni), "%s", sni != NULL ? sni : "");
	pthread_mutex_unlock(&s->lock);
	while (ts_read_request(s, ssl, fd, &req, &body_at) == 0) {
		pthread_mutex_lock(&s->lock);
		n = ++s->requests;
		buf_reset(&s->last_headers);
		buf_add(&s->last_headers, req.ptr, body_at);
		pthread_mutex_unlock(&s->lock);
		if (ts_answer(s, ssl, &req, body_at, n) != 0)
			break;
	}
out:
	buf_release(&req);
}

static void *
ts_conn_main(void *arg)
{
	struct ts_conn *c = arg;
	enum ts_mode mode;
	SSL *ssl;

	pthread_mutex_lock(&c->s->lock);
	mode = c->s->mode;
	pthread_mutex_unlock(&c->s->lock);
	if (mode == TS_NO_TLS) {
		while (!ts_stopping(c->s))
			ts_sleep(c->s, 50);
	} else {
		ssl = SSL_new(c->s->ctx);
		SSL_set_fd(ssl, c->fd);
		ts_serve(c->s, ssl, c->fd);
		SSL_free(ssl);
	}
	close(c->fd);
	free(c);
	ERR_clear_error();
	OPENSSL_thread_stop();
	return NULL;
}

static void *
ts_accept_main(void *arg)
{
	struct tserver *s = arg;
	struct pollfd p = { .fd = s->lfd, .events = POLLIN };
	struct ts_conn *c;
	int fd;

	while (!ts_stopping(s)) {
		if (poll(&p, 1, 20) <= 0 || (fd = accept(s->lfd, NULL, NULL)) < 0)
			continue;
		c = xcalloc(1, sizeof(*c));
		c->s = s;
		c->fd = fd;
		pthread_mutex_lock(&s->lock);
		s->connections++;
		if (s->nconns < nitems(s->conns) &&
		    pthread_create(&s->conns[s->nconns], NULL, ts_conn_main,
		    c) == 0)
			s->nconns++;
		else {
			close(fd);
			free(c);
		}
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

/* Listen on 127.0.0.1 (ephemeral port) with this certificate. */
TS_FN void
ts_start(struct tserver *s, const struct leaf *l, const struct pki *p)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int on = 1;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->ctx = SSL_CTX_new(TLS_server_method());
	if (SSL_CTX_use_certificate_file(s->ctx, l->cert_file,
	    SSL_FILETYPE_PEM) != 1 || SSL_CTX_use_PrivateKey_file(s->ctx,
	    l->key_file, SSL_FILETYPE_PEM) != 1)
		abort();
	if (p != NULL) {
		/* Client certificates from the test CA only. */
		SSL_CTX_load_verify_locations(s->ctx, p->ca_file, NULL);
		SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER |
		    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
		s->mutual = 1;
	}
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(s->lfd, 64) != 0 ||
	    getsockname(s->lfd, (struct sockaddr *)&sa, &len) != 0)
		abort();
	s->port = ntohs(sa.sin_port);
	pthread_create(&s->acceptor, NULL, ts_accept_main, s);
}

TS_FN void
ts_stop(struct tserver *s)
{
	size_t i;

	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->acceptor, NULL);
	for (i = 0; i < s->nconns; i++)
		pthread_join(s->conns[i], NULL);
	close(s->lfd);
	SSL_CTX_free(s->ctx);
	buf_release(&s->last_headers);
	pthread_mutex_destroy(&s->lock);
}

/* A port nobody listens on (bound, then closed). */
TS_FN int
ts_closed_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd, port;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		abort();
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

TS_FN int
ts_count(struct tserver *s, int *what)
{
	int n;

	pthread_mutex_lock(&s->lock);
	n = *what;
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* Change the server's behaviour between requests. */
TS_FN void
ts_set(struct tserver *s, enum ts_mode mode, int delay_ms, const char *basic)
{
	pthread_mutex_lock(&s->lock);
	s->mode = mode;
	s->delay_ms = delay_ms;
	s->basic = basic;
	pthread_mutex_unlock(&s->lock);
}

#endif
