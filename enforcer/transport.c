/*
 * transport.c: HTTPS for WS-Management with libcurl.  One transport per
 * host: a multi handle whose connection cache keeps connections alive
 * between requests, a pool of easy handles (one per connection) sharing
 * DNS and TLS sessions, TLS verified against the CA file and the host's
 * name, and per-request timeouts and reply caps.
 *
 * Where a connection carries authentication state (NTLM authenticates
 * the connection; sealed HTTP binds each message to the connection's
 * context and its sequence numbers), each slot is pinned to a connection
 * of its own: see pin_slot().
 */
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "negotiate.h"
#include "tlsprobe.h"
#include "tlsstore.h"
#include "wsman.h"

#define MUTUAL "Authorization: " \
	"http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"
#define OFFERED_MAX	512	/* bytes of WWW-Authenticate kept */
#define TOKEN_MAX	65536	/* bytes of a Negotiate token kept */

/* Where a request stands in a Negotiate exchange (NTLM or Kerberos). */
enum leg {
	LEG_PLAIN,	/* sent without Authorization */
	LEG_FIRST,	/* sent the first token */
	LEG_NEXT,	/* sent a later token */
	LEG_SEALED,	/* HTTP: sent the request sealed, authenticated */
};

struct slot {
	CURL			*easy;
	struct wsman_http	*x;		/* in progress, or NULL */
	struct buf		 peer;		/* names from this handshake */
	char			 errbuf[CURL_ERROR_SIZE];
	char			 autherr[WSMAN_ERRBUF_SIZE];	/* negotiate.c's */
	/* Negotiate */
	struct curl_slist	*headers;	/* shared ones + Authorization */
	enum leg		 leg;
	unsigned		 legs;		/* sent for this request */
	struct buf		 token;		/* the host's, base64 */
	int			 head_end;	/* the reply's headers ended */
	X509			*seen;		/* the leaf read_handshake()
						   read, referenced */
	unsigned char		*cbt;		/* its channel bindings */
	size_t			 cbt_len;
	struct buf		 chain;		/* its chain, DER */
	struct buf		 sealed;	/* HTTP: the request, sealed */
	struct buf		 ctype;		/* the reply's Content-Type */
	struct negotiate	*neg;		/* this slot's own context
						   (NTLM, Kerberos) */
	CURLSH			*conns;		/* pinned: this slot's own
						   connection cache */
	int			 authed;	/* pinned: the slot's
						   connection is authenticated */
	int			 connected;	/* this exchange opened the
						   connection, in any leg */
	int			 tls_started;	/* so TCP was up (libcurl
						   keeps no connect time when
						   the handshake times out) */
	int			 bind_late;	/* Kerberos over HTTPS: the
						   first token is made once
						   the connection is known
						   (on_prereq()) */
	X509_STORE		*store;		/* the transport's, borrowed */
	struct transport	*t;		/* the slot's, for on_prereq() */
};

struct transport {
	CURLM			*multi;
	CURLSH			*share;
	struct slot		*slots;
	size_t			 nslots;
	struct curl_slist	*headers;
	struct curl_slist	*connect_to;
	char			*url;
	struct negotiate	*neg;		/* NTLM, Kerberos; else NULL */
	enum wsman_auth		 auth;
	int			 pinned;	/* each slot on a connection
						   of its own (pin_slot()) */
	int			 timed_out;	/* a transfer of this exchange
						   did: send no more of it, so
						   that the timeout holds */
	int			 seal;		/* HTTP: messages encrypted */
	X509_STORE		*store;		/* trust anchors (tlsstore.c),
						   read at the first exchange */
	char			*ca_file;	/* their file; NULL: system's */
};

static pthread_once_t	 once = PTHREAD_ONCE_INIT;
static CURLcode		 init_rc;
static int		 slot_index = -1;

/*
 * libcurl keeps its own copies of the password and of the headers made
 * from it; with these allocators every block it frees is wiped first.
 */
static void
wipe_free(void *p)
{
	if (p == NULL)
		return;
	explicit_bzero(p, malloc_usable_size(p));
	free(p);
}

static void *
wipe_realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (p == NULL)
		return malloc(n);
	if ((q = malloc(n > 0 ? n : 1)) == NULL)
		return NULL;
	old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	wipe_free(p);
	return q;
}

static char *
wipe_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if ((p = malloc(n)) != NULL)
		memcpy(p, s, n);
	return p;
}

static void
global_init(void)
{
	init_rc = curl_global_init_mem(CURL_GLOBAL_ALL, malloc, wipe_free,
	    wipe_realloc, wipe_strdup, calloc);
	slot_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/* --- callbacks ---------------------------------------------------------- */

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct slot *s = arg;
	size_t len = size * n;

	if (s->x == NULL)
		return 0;
	if (len > s->x->max_reply - s->x->reply.len) {
		s->x->too_big = 1;
		return 0;
	}
	buf_add(&s->x->reply, p, len);
	return len;
}

/* Keep the schemes the last response offers: "Negotiate, Basic". */
static void
add_scheme(struct buf *b, const char *v, size_t len)
{
	size_t n = 0;

	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (n < len && v[n] != ' ' && v[n] != '\t' && v[n] != '\r' &&
	    v[n] != '\n' && v[n] != ',')
		n++;
	if (n == 0 || b->len + n + 2 > OFFERED_MAX)
		return;
	if (b->len > 0)
		buf_puts(b, ", ");
	buf_add(b, v, n);
}

/* "Negotiate <base64>": keep the token of the last such header. */
static void
add_token(struct buf *b, const char *v, size_t len)
{
	static const char scheme[] = "Negotiate ";
	size_t n;

	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	if (len <= sizeof(scheme) - 1 ||
	    strncasecmp(v, scheme, sizeof(scheme) - 1) != 0)
		return;
	v += sizeof(scheme) - 1;
	len -= sizeof(scheme) - 1;
	for (n = 0; n < len && v[n] != '\r' && v[n] != '\n' && v[n] != ' ' &&
	    v[n] != ','; n++)
		;
	buf_reset(b);
	if (n > 0 && n < TOKEN_MAX)
		buf_add(b, v, n);
}

/* The TLS connection the reply came on; NULL over plain HTTP. */
static SSL *
reply_ssl(struct slot *s)
{
	struct curl_tlssessioninfo *ti = NULL;

	if (curl_easy_getinfo(s->easy, CURLINFO_TLS_SSL_PTR, &ti) !=
	    CURLE_OK || ti == NULL || ti->backend != CURLSSLBACKEND_OPENSSL)
		return NULL;
	return ti->internals;
}

static void
forget_handshake(struct slot *s)
{
	X509_free(s->seen);
	s->seen = NULL;
	free(s->cbt);
	s->cbt = NULL;
	s->cbt_len = 0;
	buf_reset(&s->chain);
}

/*
 * The certificates the server presented (DER, leaf first), for
 * wsman_peer_chain(): the listener's certificate is then judged without a
 * handshake of its own.
 */
static void
read_chain(struct slot *s, SSL *ssl)
{
	STACK_OF(X509) *chain;
	unsigned char *der;
	int i, len;

	if ((chain = SSL_get_peer_cert_chain(ssl)) == NULL)
		return;
	for (i = 0; i < sk_X509_num(chain); i++) {
		der = NULL;
		if ((len = i2d_X509(sk_X509_value(chain, i), &der)) <= 0)
			break;
		buf_add(&s->chain, der, (size_t)len);
		OPENSSL_free(der);
	}
}

/*
 * What the handshake of the reply's connection showed: its channel
 * bindings (the hash of the server's certificate, RFC 5929
 * tls-server-end-point) and its certificates.  They change only with
 * the connection, so they are read once per connection, not per reply:
 * hashing (an OpenSSL 3 digest fetch each time) and encoding them for
 * every reply was about 3% of a fleet plan's CPU.  The slot holds a
 * reference on the leaf it read, so that a later connection's
 * certificate cannot take its address unnoticed.
 */
static void
read_handshake(struct slot *s)
{
	SSL *ssl;
	X509 *leaf = NULL;

	if ((ssl = reply_ssl(s)) != NULL)
		leaf = SSL_get0_peer_certificate(ssl);
	if (leaf == NULL || leaf != s->seen) {
		forget_handshake(s);
		if (leaf == NULL)
			return;
		if (negotiate_cbt(leaf, &s->cbt, &s->cbt_len) == -1)
			s->cbt = NULL;
		read_chain(s, ssl);
		X509_up_ref(leaf);
		s->seen = leaf;
	}
	if (s->x->peer_chain.len == 0 && s->chain.len > 0)
		buf_add(&s->x->peer_chain, s->chain.ptr, s->chain.len);
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	static const char www[] = "WWW-Authenticate:";
	static const char ctype[] = "Content-Type:";
	struct slot *s = arg;
	size_t len = size * n;

	if (s->x == NULL)
		return len;
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		buf_reset(&s->x->offered);
		buf_reset(&s->token);
		buf_reset(&s->ctype);
		s->head_end = 0;
		read_handshake(s);
	} else if ((len == 2 && p[0] == '\r' && p[1] == '\n') ||
	    (len == 1 && p[0] == '\n'))
		s->head_end = 1;
	else if (len > sizeof(ctype) - 1 && len < 1024 &&
	    strncasecmp(p, ctype, sizeof(ctype) - 1) == 0) {
		buf_reset(&s->ctype);
		buf_add(&s->ctype, p + sizeof(ctype) - 1,
		    len - (sizeof(ctype) - 1));
	} else if (len > sizeof(www) - 1 &&
	    strncasecmp(p, www, sizeof(www) - 1) == 0) {
		add_scheme(&s->x->offered, p + sizeof(www) - 1,
		    len - (sizeof(www) - 1));
		add_token(&s->token, p + sizeof(www) - 1,
		    len - (sizeof(www) - 1));
	}
	return len;
}

/*
 * Record the names in the server's certificate during the handshake, so
 * that a name mismatch can say what the certificate is for.  The callback
 * changes nothing in the verdict.
 */
static int
on_verify(int ok, X509_STORE_CTX *ctx)
{
	struct slot *s;
	X509 *leaf;
	SSL *ssl;

	ssl = X509_STORE_CTX_get_ex_data(ctx,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	if (ssl == NULL)
		return ok;
	s = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), slot_index);
	leaf = X509_STORE_CTX_get0_cert(ctx);
	if (s != NULL && leaf != NULL && s->peer.len == 0)
		tlsprobe_cert_names(leaf, &s->peer);
	return ok;
}

/* The handshake began: the TCP connection was up. */
static void
on_tls_info(const SSL *ssl, int where, int ret)
{
	struct slot *s;

	if (!(where & SSL_CB_HANDSHAKE_START))
		return;
	s = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), slot_index);
	if (s != NULL)
		s->tls_started = 1;
}

static int auth_bind(struct transport *, struct slot *);

/*
 * Kerberos over HTTPS: the AP-REQ carries channel bindings, the hash of
 * the certificate of the connection it goes on; libcurl shows that
 * connection only once it made or picked it, after the request's headers
 * were set.  It calls this then: after the connection is established or
 * reused, TLS handshake included, and before the request is sent
 * (CURLOPT_PREREQFUNCTION, libcurl 7.80), and builds the request's
 * headers after it; so the token is made here, bound to that very
 * connection, and no request goes without one to learn the certificate.
 */
static int
on_prereq(void *arg, char *ip, char *local, int port, int local_port)
{
	struct slot *s = arg;

	if (s->x == NULL || !s->bind_late)
		return CURL_PREREQFUNC_OK;
	s->bind_late = 0;
	read_handshake(s);
	return auth_bind(s->t, s) == -1 ? CURL_PREREQFUNC_ABORT :
	    CURL_PREREQFUNC_OK;
}

static CURLcode
on_ssl_ctx(CURL *h, void *sslctx, void *arg)
{
	SSL_CTX *ctx = sslctx;
	struct slot *s = arg;

	SSL_CTX_set_ex_data(ctx, slot_index, arg);
	SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), on_verify);
	SSL_CTX_set_info_callback(ctx, on_tls_info);
	/* The run's parsed anchors, not a fresh parse per connection. */
	if (s->store != NULL)
		SSL_CTX_set1_cert_store(ctx, s->store);
	return CURLE_OK;
}

/* --- set-up ------------------------------------------------------------- */

static int
setup_auth(CURL *h, const struct wsman_opts *o)
{
	int e = 0;

	switch (o->auth) {
	case WSMAN_AUTH_BASIC:
		e |= curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		e |= curl_easy_setopt(h, CURLOPT_USERNAME, o->user);
		e |= curl_easy_setopt(h, CURLOPT_PASSWORD, o->password);
		break;
	case WSMAN_AUTH_NTLM:
	case WSMAN_AUTH_NEGOTIATE:
		/* negotiate.c makes the tokens; see auth_leg(). */
		break;
	case WSMAN_AUTH_CERTIFICATE:
		e |= curl_easy_setopt(h, CURLOPT_SSLCERT, o->cert_file);
		e |= curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
		if (o->key_file != NULL)
			e |= curl_easy_setopt(h, CURLOPT_SSLKEY, o->key_file);
		if (o->key_password != NULL)
			e |= curl_easy_setopt(h, CURLOPT_KEYPASSWD,
			    o->key_password);
		break;
	}
	return e;
}

static int
setup_tls(CURL *h, struct slot *s, const struct wsman_opts *o)
{
	int e = 0;

	e |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, o->tls_verify ? 1L : 0L);
	e |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, o->tls_verify ? 2L : 0L);
	/* libcurl loads nothing: on_ssl_ctx() hands it the run's store. */
	e |= curl_easy_setopt(h, CURLOPT_CAINFO, NULL);
	e |= curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	e |= curl_easy_setopt(h, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
	e |= curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
	e |= curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, s);
	return e;
}

/*
 * A slot of a pinned transport gets a connection of its own, and with it
 * the security context that authenticated it (NTLM) or seals its
 * messages (HTTP).  libcurl's multi handle lends any idle connection in
 * its cache to any transfer, so NTLM's second leg could go out on another
 * slot's connection, and a sealed message on a connection whose context
 * is another's.  libcurl 7.88 keeps the connections of an easy handle
 * whose share holds CURL_LOCK_DATA_CONNECT in that share's cache, not in
 * the multi handle's (lib/multi.c, Curl_multi_add_handle): a share per
 * slot is a cache per slot, and with CURLMOPT_MAX_HOST_CONNECTIONS 1
 * (counted per cache) a slot's transfers only ever use its one
 * connection, or a new one when the host closed it (which then starts
 * unauthenticated: see auth_next()).  The multi handle still runs every
 * slot's transfer at once, and keeps its DNS cache for all of them (the
 * slot's share holds nothing else).  The alternatives were weaker: a
 * multi handle per slot needs a poll loop over several multi handles
 * (libcurl 7.88 has no curl_multi_waitfds, and curl_multi_fdset drops
 * sockets past FD_SETSIZE); following the socket (CURLINFO_ACTIVESOCKET)
 * only tells, after the transfer, that a leg went out on the wrong one.
 */
static int
pin_slot(struct transport *t, struct slot *s)
{
	if (!t->pinned)
		return curl_easy_setopt(s->easy, CURLOPT_SHARE, t->share);
	/* One slot: the multi handle's cache holds its one connection. */
	if (t->nslots == 1)
		return 0;
	if ((s->conns = curl_share_init()) == NULL)
		fatal("out of memory setting up libcurl");
	if (curl_share_setopt(s->conns, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_CONNECT) != CURLSHE_OK)
		return -1;
	return curl_easy_setopt(s->easy, CURLOPT_SHARE, s->conns);
}

static int
setup_easy(struct transport *t, struct slot *s, const struct wsman_opts *o)
{
	CURL *h = s->easy;
	int e = 0;

	e |= curl_easy_setopt(h, CURLOPT_URL, t->url);
	if (t->connect_to != NULL)
		e |= curl_easy_setopt(h, CURLOPT_CONNECT_TO, t->connect_to);
	e |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR,
	    t->seal ? "http" : "https");
	e |= curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR,
	    t->seal ? "http" : "https");
	e |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	e |= curl_easy_setopt(h, CURLOPT_POST, 1L);
	e |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, t->headers);
	e |= curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
	e |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	e |= curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	/*
	 * libcurl 7.88 allocates its upload buffer for every transfer and
	 * frees it after, where wipe_free() clears all of it: at the default
	 * 64 KiB that was 64 KiB of memset per request for bodies of a few.
	 * 16 KiB is libcurl's least; bodies larger go in more reads.
	 */
	e |= curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 16384L);
	e |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	e |= pin_slot(t, s);
	/*
	 * Channel bindings name the certificate of the handshake.  A resumed
	 * session shows the one it was made with, which may no longer be the
	 * listener's (rebound since): NTLM and Kerberos connections make
	 * full handshakes, so that both ends bind to the same certificate.
	 */
	if (o->auth == WSMAN_AUTH_NTLM || o->auth == WSMAN_AUTH_NEGOTIATE)
		e |= curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	if (o->auth == WSMAN_AUTH_NEGOTIATE && !t->seal) {
		e |= curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, on_prereq);
		e |= curl_easy_setopt(h, CURLOPT_PREREQDATA, s);
	}
	e |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, s->errbuf);
	e |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	e |= curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	e |= curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	e |= curl_easy_setopt(h, CURLOPT_HEADERDATA, s);
	e |= curl_easy_setopt(h, CURLOPT_PRIVATE, s);
	e |= setup_tls(h, s, o);
	e |= setup_auth(h, o);
	return e;
}

static int
setup_shared(struct transport *t, const struct wsman_opts *o)
{
	int e = 0;

	t->headers = curl_slist_append(NULL,
	    "Content-Type: application/soap+xml;charset=UTF-8");
	/* No 100-continue round trip; no compressed replies. */
	t->headers = curl_slist_append(t->headers, "Expect:");
	t->headers = curl_slist_append(t->headers, "Accept-Encoding: identity");
	if (o->auth == WSMAN_AUTH_CERTIFICATE)
		t->headers = curl_slist_append(t->headers, MUTUAL);
	if ((t->multi = curl_multi_init()) == NULL || t->headers == NULL)
		fatal("out of memory setting up libcurl");
	/* Pinned: the limits count per slot's cache, one connection each. */
	e |= curl_multi_setopt(t->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    t->pinned ? 1L : (long)o->max_connections);
	e |= curl_multi_setopt(t->multi, CURLMOPT_MAXCONNECTS,
	    t->pinned ? 1L : (long)o->max_connections);
	e |= curl_multi_setopt(t->multi, CURLMOPT_PIPELINING, CURLPIPE_NOTHING);
	if (t->pinned)
		return e;
	if ((t->share = curl_share_init()) == NULL)
		fatal("out of memory setting up libcurl");
	e |= curl_share_setopt(t->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	e |= curl_share_setopt(t->share, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_SSL_SESSION);
	return e;
}

int
transport_new(struct transport **out, const struct wsman_opts *o,
    char **cause)
{
	struct transport *t;
	char *entry;
	size_t i;

	*out = NULL;
	pthread_once(&once, global_init);
	if (init_rc != CURLE_OK || slot_index < 0)
		return cause_set(cause, "cannot initialise libcurl: %s",
		    curl_easy_strerror(init_rc));
	t = xcalloc(1, sizeof(*t));
	/* Plain HTTP only sealed: wsman_new() allows it for NTLM, Kerberos. */
	t->seal = o->scheme != NULL && strcmp(o->scheme, "http") == 0;
	t->ca_file = o->ca_file != NULL ? xstrdup(o->ca_file) : NULL;
	t->url = xasprintf("%s://%s:%d/%s", t->seal ? "http" : "https",
	    o->name, o->port, o->path);
	if (o->address != NULL) {
		/* Connect to the address, verify the certificate's name. */
		entry = xasprintf(strchr(o->address, ':') != NULL ?
		    "%s:%d:[%s]:%d" : "%s:%d:%s:%d", o->name, o->port,
		    o->address, o->port);
		t->connect_to = curl_slist_append(NULL, entry);
		free(entry);
	}
	t->auth = o->auth;
	if (o->auth == WSMAN_AUTH_NTLM || o->auth == WSMAN_AUTH_NEGOTIATE)
		negotiate_new(&t->neg, o->auth == WSMAN_AUTH_NTLM ?
		    NEGOTIATE_NTLM : NEGOTIATE_KERBEROS, o->name, o->user,
		    o->password, o->request_timeout_ms);
	t->nslots = o->max_connections;
	/*
	 * NTLM authenticates a connection in two legs that must share it;
	 * sealed messages are bound to the connection's context and its
	 * sequence numbers: each slot keeps its own connection (pin_slot()).
	 * Kerberos over HTTPS carries a fresh AP-REQ in each request, good
	 * on any connection.  Every slot has a context of its own (shared
	 * credentials), so that handshakes at once do not restart each
	 * other.
	 */
	t->pinned = o->auth == WSMAN_AUTH_NTLM || t->seal;
	if (setup_shared(t, o) != 0)
		goto fail;
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
	for (i = 0; i < t->nslots; i++) {
		if ((t->slots[i].easy = curl_easy_init()) == NULL)
			fatal("out of memory setting up libcurl");
		t->slots[i].t = t;
		if (setup_easy(t, &t->slots[i], o) != 0)
			goto fail;
		if (t->neg != NULL)
			negotiate_clone(t->neg, &t->slots[i].neg);
	}
	*out = t;
	return 0;
fail:
	transport_free(t);
	return cause_set(cause, "cannot configure libcurl (%s)",
	    curl_version());
}

void
transport_free(struct transport *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nslots; i++) {
		if (t->slots[i].easy == NULL)
			continue;
		/* Drop libcurl's copies first (wiped as they are freed). */
		curl_easy_setopt(t->slots[i].easy, CURLOPT_PASSWORD, "");
		curl_easy_setopt(t->slots[i].easy, CURLOPT_KEYPASSWD, "");
		curl_easy_cleanup(t->slots[i].easy);
		/* After its easy handle: closes the slot's connection. */
		if (t->slots[i].conns != NULL)
			curl_share_cleanup(t->slots[i].conns);
		buf_release(&t->slots[i].peer);
		buf_release(&t->slots[i].token);
		buf_release(&t->slots[i].sealed);
		buf_release(&t->slots[i].ctype);
		curl_slist_free_all(t->slots[i].headers);
		forget_handshake(&t->slots[i]);
		buf_release(&t->slots[i].chain);
		negotiate_free(t->slots[i].neg);
	}
	negotiate_free(t->neg);
	free(t->slots);
	if (t->multi != NULL)
		curl_multi_cleanup(t->multi);
	if (t->share != NULL)
		curl_share_cleanup(t->share);
	X509_STORE_free(t->store);
	free(t->ca_file);
	curl_slist_free_all(t->headers);
	curl_slist_free_all(t->connect_to);
	free(t->url);
	free(t);
}

/* --- exchanges ---------------------------------------------------------- */

/*
 * The slot for the next of the waiting requests, or NULL to wait for one
 * to come free.  Pinned, a slot's connection is either logged on or not
 * there: a new one costs TCP, TLS and the logon's first leg before the
 * request (three round trips), a logged-on one only the requests queued
 * ahead of it.  So a request waits for a logged-on connection unless
 * each already has PIN_QUEUE requests waiting for it; with none logged
 * on, the batch opens as many as it has requests, up to the slots.
 */
#define PIN_QUEUE	3

static struct slot *
pick_slot(struct transport *t, size_t waiting)
{
	struct slot *fresh = NULL;
	size_t i, authed = 0;

	for (i = 0; i < t->nslots; i++) {
		if (t->pinned && t->slots[i].authed) {
			if (t->slots[i].x == NULL)
				return &t->slots[i];
			authed++;
		} else if (t->slots[i].x == NULL && fresh == NULL)
			fresh = &t->slots[i];
	}
	if (authed > 0 && waiting <= PIN_QUEUE * authed)
		return NULL;
	return fresh;
}

/* --- Negotiate ---------------------------------------------------------- */

static void auth_error(struct slot *, char *);

/*
 * This leg's body: the request; over HTTP, nothing until the connection
 * is authenticated (nothing goes in clear), then the request sealed.
 */
static int
set_body(struct transport *t, struct slot *s)
{
	const char *body = s->x->body;
	size_t len = s->x->body_len;
	int e = 0;

	if (t->seal) {
		body = s->leg == LEG_SEALED ? s->sealed.ptr : "";
		len = s->leg == LEG_SEALED ? s->sealed.len : 0;
	}
	e |= curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, body);
	e |= curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)len);
	return e;
}

/*
 * This leg's headers: the shared ones, the sealed body's type instead of
 * SOAP's, and the token if there is one.
 */
static int
set_headers(struct transport *t, struct slot *s, enum leg leg, char *tok)
{
	struct curl_slist *h;
	char *line, *sealed;

	s->leg = leg;
	curl_slist_free_all(s->headers);
	s->headers = NULL;
	sealed = leg != LEG_SEALED ? NULL : xasprintf("Content-Type: "
	    "multipart/encrypted;protocol=\"%s\";boundary=\"Encrypted "
	    "Boundary\"", negotiate_protocol(s->neg));
	for (h = t->headers; h != NULL; h = h->next)
		if ((s->headers = curl_slist_append(s->headers, sealed != NULL &&
		    strncasecmp(h->data, "Content-Type:", 13) == 0 ? sealed :
		    h->data)) == NULL)
			fatal("out of memory setting up libcurl");
	free(sealed);
	if (tok != NULL) {
		line = xasprintf("Authorization: Negotiate %s", tok);
		s->headers = curl_slist_append(s->headers, line);
		explicit_bzero(line, strlen(line));
		free(line);
		free(tok);
		if (s->headers == NULL)
			fatal("out of memory setting up libcurl");
	}
	return curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->headers) ==
	    CURLE_OK ? 0 : -1;
}

/* This leg's headers and body. */
static int
set_auth(struct transport *t, struct slot *s, enum leg leg, char *tok)
{
	if (set_headers(t, s, leg, tok) != 0)
		return -1;
	return set_body(t, s);
}

/* HTTP, authenticated: seal the request for its next leg. */
static int
set_sealed(struct transport *t, struct slot *s)
{
	char *cause = NULL;

	buf_reset(&s->sealed);
	if (negotiate_seal(s->neg, s->x->body, s->x->body_len, &s->sealed,
	    &cause) == -1) {
		auth_error(s, cause);
		return -1;
	}
	return set_auth(t, s, LEG_SEALED, NULL);
}

/* HTTP: the reply, opened in place when it is sealed. */
static int
open_reply(struct transport *t, struct slot *s)
{
	struct buf plain = BUF_INIT;
	char *cause = NULL;

	if (strcasestr(buf_cstr(&s->ctype), "multipart/encrypted") == NULL)
		return 0;
	if (negotiate_open(s->neg, s->x->reply.ptr, s->x->reply.len, &plain,
	    &cause) == -1) {
		buf_release(&plain);
		auth_error(s, cause);
		return -1;
	}
	buf_reset(&s->x->reply);
	buf_add(&s->x->reply, plain.ptr, plain.len);
	buf_release(&plain);
	return 0;
}

static void
auth_error(struct slot *s, char *cause)
{
	snprintf(s->autherr, sizeof(s->autherr), "%s", cause);
	free(cause);
}

/*
 * The first token of an exchange, bound to the channel cb names (NULL:
 * none), into the headers; -1 when it cannot be made (autherr).
 */
static int
auth_token(struct transport *t, struct slot *s, const unsigned char *cb,
    size_t cb_len)
{
	char *tok = NULL, *cause = NULL;
	int done;

	negotiate_restart(s->neg);
	if (negotiate_step(s->neg, NULL, cb, cb_len, &tok, &done,
	    &cause) == -1) {
		auth_error(s, cause);
		return -1;
	}
	return set_headers(t, s, LEG_FIRST, tok);
}

/*
 * Kerberos over HTTPS, from on_prereq(): the AP-REQ, bound to the
 * certificate of the connection libcurl picked (read_handshake()).
 */
static int
auth_bind(struct transport *t, struct slot *s)
{
	return auth_token(t, s, s->cbt, s->cbt_len);
}

/*
 * The first leg of a request.  NTLM: nothing on a connection already
 * authenticated, else the NEGOTIATE_MESSAGE.  Kerberos over HTTPS: the
 * AP-REQ, made once the connection is known (on_prereq()); the
 * credentials are checked now, so that a missing ticket fails before
 * anything is sent.  Over HTTP there is no channel to bind.
 */
static int
auth_first(struct transport *t, struct slot *s)
{
	char *cause = NULL;

	if (t->seal && s->authed)
		return set_sealed(t, s);
	if (t->auth == WSMAN_AUTH_NTLM && s->authed)
		return set_auth(t, s, LEG_PLAIN, NULL);
	if (t->auth == WSMAN_AUTH_NEGOTIATE && !t->seal) {
		if (negotiate_ready(s->neg, &cause) == -1) {
			auth_error(s, cause);
			return -1;
		}
		s->bind_late = 1;
		return set_auth(t, s, LEG_FIRST, NULL);
	}
	if (auth_token(t, s, NULL, 0) == -1)
		return -1;
	return set_body(t, s);
}

static int
offers_negotiate(const struct wsman_http *x)
{
	const char *start = buf_cstr(&x->offered), *p;

	for (p = start; (p = strcasestr(p, "Negotiate")) != NULL; p++)
		if (p == start || p[-1] == ' ')
			return 1;
	return 0;
}

/*
 * The host's token after ours: NTLM's challenge, Kerberos' AP-REP (or a
 * KRB-ERROR, which becomes the error).
 */
static int
auth_answer(struct transport *t, struct slot *s, char **tok)
{
	char *cause = NULL;
	int done;

	if (negotiate_step(s->neg, buf_cstr(&s->token), s->cbt,
	    s->cbt_len, tok, &done, &cause) == -1) {
		auth_error(s, cause);
		return -1;
	}
	return 0;
}

/*
 * A leg is done: 1 to send the request again with the next token, 0 when
 * the reply is the request's, -1 when authentication failed (errbuf).
 */
static int
auth_next(struct transport *t, struct slot *s)
{
	long status = 0;
	char *tok = NULL;

	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
	/* A sealed reply is always opened, whatever the legs before it. */
	if (status != 401 && s->leg == LEG_SEALED)
		return open_reply(t, s);
	if (++s->legs > 4)
		return 0;
	if (status != 401) {
		if (s->leg == LEG_NEXT && t->auth == WSMAN_AUTH_NTLM) {
			s->authed = 1;
			/* HTTP: authenticated at last; now the request. */
			if (t->seal)
				return set_sealed(t, s) == -1 ? -1 : 1;
		}
		/* Kerberos' mutual authentication: check the AP-REP. */
		if (s->leg == LEG_FIRST && t->auth == WSMAN_AUTH_NEGOTIATE &&
		    s->token.len > 0 && auth_answer(t, s, &tok) == -1)
			return -1;
		free(tok);
		/* HTTP: the context is the connection's; now the request. */
		if (s->leg == LEG_FIRST && t->auth == WSMAN_AUTH_NEGOTIATE &&
		    t->seal) {
			s->authed = 1;
			return set_sealed(t, s) == -1 ? -1 : 1;
		}
		/*
		 * HTTPS: the context has done its work (a new connection or
		 * a Kerberos request starts a new one, auth_token()).  Drop
		 * it now, not with the host: gss-ntlmssp's holds two iconv
		 * descriptors, about 64 KiB (docs/performance.md).
		 */
		if (!t->seal)
			negotiate_restart(s->neg);
		return 0;
	}
	switch (s->leg) {
	case LEG_PLAIN:
	case LEG_SEALED:
		s->authed = 0;
		if (!offers_negotiate(s->x))
			return 0;
		return auth_first(t, s) == -1 ? -1 : 1;
	case LEG_FIRST:
		if (s->token.len == 0)
			return 0;
		if (auth_answer(t, s, &tok) == -1)
			return -1;
		if (tok == NULL)
			return 0;
		return set_auth(t, s, LEG_NEXT, tok) == -1 ? -1 : 1;
	case LEG_NEXT:
		break;
	}
	return 0;
}

/*
 * The run's trust anchors for this transport's connections, read when the
 * first request goes out (as libcurl would read its CA file), so that
 * what fails before anything is sent, such as missing Kerberos
 * credentials, is what the user hears first.
 */
static int
trust_load(struct transport *t, struct slot *s, struct wsman_http *x)
{
	char *cause = NULL;

	if (!t->seal && t->store == NULL &&
	    (t->store = tlsstore_get(t->ca_file, &cause)) == NULL) {
		free(cause);
		x->curl_code = CURLE_SSL_CACERT_BADFILE;
		snprintf(x->errbuf, sizeof(x->errbuf), "cannot read CA file");
		s->x = NULL;
		return -1;
	}
	s->store = t->store;
	return 0;
}

static int
start(struct transport *t, struct slot *s, struct wsman_http *x)
{
	CURL *h = s->easy;
	int e = 0;

	s->x = x;
	s->errbuf[0] = '\0';
	s->autherr[0] = '\0';
	s->legs = 0;
	s->head_end = 0;
	s->tls_started = 0;
	s->connected = 0;
	buf_reset(&s->peer);
	e |= curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->body);
	e |= curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)x->body_len);
	if (t->neg != NULL && auth_first(t, s) == -1) {
		x->curl_code = CURLE_LOGIN_DENIED;
		snprintf(x->errbuf, sizeof(x->errbuf), "%s", s->autherr);
		s->x = NULL;
		return -1;
	}
	if (trust_load(t, s, x) == -1)
		return -1;
	e |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, x->timeout_ms);
	e |= curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)x->max_reply);
	if (e != 0 || curl_multi_add_handle(t->multi, h) != CURLM_OK) {
		x->curl_code = CURLE_FAILED_INIT;
		snprintf(x->errbuf, sizeof(x->errbuf), "cannot start transfer");
		s->x = NULL;
		return -1;
	}
	return 0;
}

static void
finish(struct transport *t, struct slot *s, CURLcode rc)
{
	struct wsman_http *x = s->x;
	curl_off_t connect = 0, pre = 0, tls = 0;
	long status = 0, verify = 0, err = 0, nconn = 0;

	curl_multi_remove_handle(t->multi, s->easy);
	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(s->easy, CURLINFO_SSL_VERIFYRESULT, &verify);
	curl_easy_getinfo(s->easy, CURLINFO_OS_ERRNO, &err);
	curl_easy_getinfo(s->easy, CURLINFO_CONNECT_TIME_T, &connect);
	curl_easy_getinfo(s->easy, CURLINFO_PRETRANSFER_TIME_T, &pre);
	curl_easy_getinfo(s->easy, CURLINFO_APPCONNECT_TIME_T, &tls);
	x->curl_code = rc;
	x->status = status;
	x->verify_result = verify;
	x->os_errno = (int)err;
	x->connected = connect > 0 || pre > 0 || s->tls_started;
	/* Plain HTTP has no handshake: connected is as far as it goes. */
	x->handshaken = t->seal ? x->connected : tls > 0 || pre > 0;
	if (rc == CURLE_OPERATION_TIMEDOUT)
		t->timed_out = 1;
	/*
	 * libcurl closes the connection of a transfer that failed: the
	 * slot's next one starts on a new, unauthenticated connection, and a
	 * sealed context's sequence numbers no longer match the host's.
	 */
	if (rc != CURLE_OK)
		s->authed = 0;
	if (rc == CURLE_FILESIZE_EXCEEDED)
		x->too_big = 1;
	snprintf(x->errbuf, sizeof(x->errbuf), "%s",
	    rc == CURLE_LOGIN_DENIED ? s->autherr : s->errbuf);
	if (rc != CURLE_OK && s->peer.len > 0)
		buf_add(&x->peer, s->peer.ptr, s->peer.len);
	/* A kept-alive connection's certificate may be older than a rebind
	 * (wsman_peer_chain()): only a handshake made now counts, in this
	 * leg or an earlier one (Negotiate's first leg opens it). */
	if (!s->connected && (curl_easy_getinfo(s->easy,
	    CURLINFO_NUM_CONNECTS, &nconn) != CURLE_OK || nconn == 0))
		buf_reset(&x->peer_chain);
	s->x = NULL;
}

static void
fail_all(struct transport *t)
{
	size_t i;

	for (i = 0; i < t->nslots; i++)
		if (t->slots[i].x != NULL)
			finish(t, &t->slots[i], CURLE_FAILED_INIT);
}

/*
 * A transfer is done: send the request again with the next Negotiate
 * token (1), or finish it (0).
 */
static int
again(struct transport *t, struct slot *s, CURLcode rc)
{
	long nconn = 0;
	int next;

	/*
	 * libcurl takes a connection closed inside the headers for the end
	 * of a reply; a 401 cut short would read as a refusal.
	 */
	if (rc == CURLE_OK && !s->head_end)
		rc = CURLE_PARTIAL_FILE;
	/* on_prereq() could not make the token: autherr says why. */
	if (rc == CURLE_ABORTED_BY_CALLBACK && s->autherr[0] != '\0')
		rc = CURLE_LOGIN_DENIED;
	if (t->neg == NULL || rc != CURLE_OK) {
		finish(t, s, rc);
		return 0;
	}
	if ((next = auth_next(t, s)) <= 0) {
		finish(t, s, next == 0 ? CURLE_OK : CURLE_LOGIN_DENIED);
		return 0;
	}
	if (curl_easy_getinfo(s->easy, CURLINFO_NUM_CONNECTS, &nconn) ==
	    CURLE_OK && nconn > 0)
		s->connected = 1;
	curl_multi_remove_handle(t->multi, s->easy);
	buf_reset(&s->x->reply);
	s->x->too_big = 0;
	if (curl_multi_add_handle(t->multi, s->easy) != CURLM_OK) {
		snprintf(s->errbuf, sizeof(s->errbuf), "cannot restart "
		    "transfer");
		finish(t, s, CURLE_FAILED_INIT);
		return 0;
	}
	return 1;
}

static size_t
reap(struct transport *t)
{
	struct slot *s;
	CURLMsg *m;
	size_t done = 0;
	int left;

	while ((m = curl_multi_info_read(t->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		if (curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
		    (char **)&s) != CURLE_OK || s == NULL || s->x == NULL)
			continue;
		if (again(t, s, m->data.result))
			continue;
		done++;
	}
	return done;
}

void
transport_exchange(void *arg, struct wsman_http **x, size_t n)
{
	struct transport *t = arg;
	size_t next = 0, active = 0, done;
	struct slot *s;
	int running;

	t->timed_out = 0;
	while (next < n || active > 0) {
		for (; next < n && t->timed_out; next++) {
			x[next]->curl_code = CURLE_OPERATION_TIMEDOUT;
			x[next]->not_sent = 1;
		}
		while (next < n && (s = pick_slot(t, n - next)) != NULL)
			if (start(t, s, x[next++]) == 0)
				active++;
		if (curl_multi_perform(t->multi, &running) != CURLM_OK)
			goto broken;
		active -= (done = reap(t));
		/* A slot came free: its next request goes now, not after
		 * the next reply to another (up to a round trip later). */
		if (done > 0 && next < n)
			continue;
		if (active > 0 && curl_multi_poll(t->multi, NULL, 0, 200,
		    NULL) != CURLM_OK)
			goto broken;
	}
	return;
broken:
	fail_all(t);
	for (; next < n; next++)
		x[next]->curl_code = CURLE_FAILED_INIT;
}
