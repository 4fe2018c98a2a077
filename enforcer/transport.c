/*
 * transport.c: HTTPS for WS-Management with libcurl.  One transport per
 * host: a multi handle whose connection cache keeps connections alive
 * between requests, a pool of easy handles (one per connection) sharing
 * DNS and TLS sessions, TLS verified against the CA file and the host's
 * name, and per-request timeouts and reply caps.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tlsprobe.h"
#include "wsman.h"

#define MUTUAL "Authorization: " \
	"http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"
#define OFFERED_MAX	512	/* bytes of WWW-Authenticate kept */

struct slot {
	CURL			*easy;
	struct wsman_http	*x;		/* in progress, or NULL */
	struct buf		 peer;		/* names from this handshake */
	char			 errbuf[CURL_ERROR_SIZE];
};

struct transport {
	CURLM			*multi;
	CURLSH			*share;
	struct slot		*slots;
	size_t			 nslots;
	struct curl_slist	*headers;
	struct curl_slist	*connect_to;
	char			*url;
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

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	static const char www[] = "WWW-Authenticate:";
	struct slot *s = arg;
	size_t len = size * n;

	if (s->x == NULL)
		return len;
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
		buf_reset(&s->x->offered);
	else if (len > sizeof(www) - 1 &&
	    strncasecmp(p, www, sizeof(www) - 1) == 0)
		add_scheme(&s->x->offered, p + sizeof(www) - 1,
		    len - (sizeof(www) - 1));
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

static CURLcode
on_ssl_ctx(CURL *h, void *sslctx, void *arg)
{
	SSL_CTX *ctx = sslctx;

	SSL_CTX_set_ex_data(ctx, slot_index, arg);
	SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), on_verify);
	return CURLE_OK;
}

/* --- set-up ------------------------------------------------------------- */

static int
setup_auth(CURL *h, const struct wsman_opts *o)
{
	int e = 0;

	switch (o->auth) {
	case WSMAN_AUTH_BASIC:
	case WSMAN_AUTH_NTLM:
		e |= curl_easy_setopt(h, CURLOPT_HTTPAUTH,
		    o->auth == WSMAN_AUTH_BASIC ? CURLAUTH_BASIC : CURLAUTH_NTLM);
		e |= curl_easy_setopt(h, CURLOPT_USERNAME, o->user);
		e |= curl_easy_setopt(h, CURLOPT_PASSWORD, o->password);
		break;
	case WSMAN_AUTH_NEGOTIATE:
		/* libcurl only authenticates with a user set, even empty. */
		e |= curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_NEGOTIATE);
		e |= curl_easy_setopt(h, CURLOPT_USERNAME,
		    o->user != NULL ? o->user : "");
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
	if (o->ca_file != NULL)
		e |= curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
	e |= curl_easy_setopt(h, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
	e |= curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
	e |= curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, s);
	return e;
}

static int
setup_easy(struct transport *t, struct slot *s, const struct wsman_opts *o)
{
	CURL *h = s->easy;
	int e = 0;

	e |= curl_easy_setopt(h, CURLOPT_URL, t->url);
	if (t->connect_to != NULL)
		e |= curl_easy_setopt(h, CURLOPT_CONNECT_TO, t->connect_to);
	e |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	e |= curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	e |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	e |= curl_easy_setopt(h, CURLOPT_POST, 1L);
	e |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, t->headers);
	e |= curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
	e |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	e |= curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	e |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	e |= curl_easy_setopt(h, CURLOPT_SHARE, t->share);
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
	if ((t->multi = curl_multi_init()) == NULL ||
	    (t->share = curl_share_init()) == NULL || t->headers == NULL)
		fatal("out of memory setting up libcurl");
	e |= curl_multi_setopt(t->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)o->max_connections);
	e |= curl_multi_setopt(t->multi, CURLMOPT_MAXCONNECTS,
	    (long)o->max_connections);
	e |= curl_multi_setopt(t->multi, CURLMOPT_PIPELINING, CURLPIPE_NOTHING);
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
	t->url = xasprintf("https://%s:%d/%s", o->name, o->port, o->path);
	if (o->address != NULL) {
		/* Connect to the address, verify the certificate's name. */
		entry = xasprintf(strchr(o->address, ':') != NULL ?
		    "%s:%d:[%s]:%d" : "%s:%d:%s:%d", o->name, o->port,
		    o->address, o->port);
		t->connect_to = curl_slist_append(NULL, entry);
		free(entry);
	}
	if (setup_shared(t, o) != 0)
		goto fail;
	t->nslots = o->max_connections;
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
	for (i = 0; i < t->nslots; i++) {
		if ((t->slots[i].easy = curl_easy_init()) == NULL)
			fatal("out of memory setting up libcurl");
		if (setup_easy(t, &t->slots[i], o) != 0)
			goto fail;
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
		buf_release(&t->slots[i].peer);
	}
	free(t->slots);
	if (t->multi != NULL)
		curl_multi_cleanup(t->multi);
	if (t->share != NULL)
		curl_share_cleanup(t->share);
	curl_slist_free_all(t->headers);
	curl_slist_free_all(t->connect_to);
	free(t->url);
	free(t);
}

/* --- exchanges ---------------------------------------------------------- */

static struct slot *
free_slot(struct transport *t)
{
	size_t i;

	for (i = 0; i < t->nslots; i++)
		if (t->slots[i].x == NULL)
			return &t->slots[i];
	return NULL;
}

static int
start(struct transport *t, struct slot *s, struct wsman_http *x)
{
	CURL *h = s->easy;
	int e = 0;

	s->x = x;
	s->errbuf[0] = '\0';
	buf_reset(&s->peer);
	e |= curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->body);
	e |= curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)x->body_len);
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
	curl_off_t connect = 0, pre = 0;
	long status = 0, verify = 0, err = 0;

	curl_multi_remove_handle(t->multi, s->easy);
	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(s->easy, CURLINFO_SSL_VERIFYRESULT, &verify);
	curl_easy_getinfo(s->easy, CURLINFO_OS_ERRNO, &err);
	curl_easy_getinfo(s->easy, CURLINFO_CONNECT_TIME_T, &connect);
	curl_easy_getinfo(s->easy, CURLINFO_PRETRANSFER_TIME_T, &pre);
	x->curl_code = rc;
	x->status = status;
	x->verify_result = verify;
	x->os_errno = (int)err;
	x->connected = connect > 0 || pre > 0;
	if (rc == CURLE_FILESIZE_EXCEEDED)
		x->too_big = 1;
	snprintf(x->errbuf, sizeof(x->errbuf), "%s", s->errbuf);
	if (rc != CURLE_OK && s->peer.len > 0)
		buf_add(&x->peer, s->peer.ptr, s->peer.len);
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
		finish(t, s, m->data.result);
		done++;
	}
	return done;
}

void
transport_exchange(void *arg, struct wsman_http **x, size_t n)
{
	struct transport *t = arg;
	size_t next = 0, active = 0;
	struct slot *s;
	int running;

	while (next < n || active > 0) {
		while (next < n && (s = free_slot(t)) != NULL)
			if (start(t, s, x[next++]) == 0)
				active++;
		if (curl_multi_perform(t->multi, &running) != CURLM_OK)
			goto broken;
		active -= reap(t);
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
