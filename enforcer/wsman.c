/*
 * wsman.c: the WS-Management client: the operations (WS-Transfer,
 * WS-Enumeration, WMI methods, the remote shell) built on the envelopes of
 * wsman_env.c, the exchange with retries of reads, and one clear line for
 * every failure.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <openssl/x509_vfy.h>

#include "wsman.h"

#define MAX_ELEMENTS	32000	/* what pypsrp and WinRb ask for */
#define MAX_ROUNDS	10000	/* Pulls of one enumeration */

struct wsman {
	struct wsman_opts	 o;	/* strings are copies, secrets borrowed */
	char			*to;	/* https://NAME:PORT/PATH */
	char			 session_id[42];
	struct transport	*transport;	/* NULL with caller's ops */
	struct wsman_transport_ops ops;
	char			*shell_id;	/* the open shell, or NULL */
	char			*done_id;	/* its finished command, not yet
						   signalled (shell_exec) */
	enum wsman_error	 last_error;
	struct wsman_fault	 last_fault;
	struct buf		 peer_chain;	/* wsman_peer_chain() */
};

/* One request and its reply. */
struct step {
	const char		*op;		/* "Get": for messages */
	const char		*what;		/* resource URI: for messages */
	int			 read;		/* may be retried */
	int			 failed;	/* with cause and err set */
	char			 msgid[42];
	char			*action;
	struct buf		 req;
	struct wsman_http	 http;
	struct wsman_reply	 reply;
	char			*cause;
	enum wsman_error	 err;
};

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void
xml_init(void)
{
	xmlInitParser();
}

/* --- options and the client --------------------------------------------- */

static const char *const auth_names[] = {
	[WSMAN_AUTH_BASIC] = "basic",
	[WSMAN_AUTH_NTLM] = "ntlm",
	[WSMAN_AUTH_NEGOTIATE] = "negotiate",
	[WSMAN_AUTH_CERTIFICATE] = "certificate",
};

int
wsman_auth_parse(const char *name, enum wsman_auth *out)
{
	size_t i;

	for (i = 0; i < nitems(auth_names); i++) {
		if (strcmp(name, auth_names[i]) == 0) {
			*out = (enum wsman_auth)i;
			return 0;
		}
	}
	if (strcmp(name, "kerberos") == 0) {
		*out = WSMAN_AUTH_NEGOTIATE;
		return 0;
	}
	return -1;
}

const char *
wsman_auth_name(enum wsman_auth a)
{
	if ((size_t)a >= nitems(auth_names))
		return "unknown";
	return auth_names[a];
}

void
wsman_opts_init(struct wsman_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->port = 5986;
	o->scheme = "https";
	o->path = "wsman";
	o->auth = WSMAN_AUTH_BASIC;
	o->tls_verify = 1;
	o->connect_timeout_ms = 5000;
	o->operation_timeout_ms = 20000;
	o->request_timeout_ms = 0;
	o->command_timeout_ms = 600000;
	o->stop_grace_ms = 10000;
	o->retries = 2;
	o->retry_backoff_ms = 200;
	o->max_reply = 1024 * 1024;
	o->max_output = 16 * 1024 * 1024;
	o->max_envelope = 153600;
	o->max_items = 100000;
	o->max_connections = WSMAN_MAX_CONNECTIONS;
	o->codepage = 65001;
	o->locale = "en-US";
}

/* Host names and paths go into a URL: keep them to what DNS allows. */
static int
plain_token(const char *s, const char *extra)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(extra, *s) != NULL))
			return 0;
	return 1;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static int
check_http(const struct wsman_opts *o, char **cause)
{
	if (o->scheme == NULL || strcmp(o->scheme, "https") == 0)
		return 0;
	if (strcmp(o->scheme, "http") != 0)
		return cause_set(cause, "unknown scheme '%s'", o->scheme);
	/* Over HTTP every message is sealed, by NTLM or Kerberos. */
	switch (o->auth) {
	case WSMAN_AUTH_NTLM:
	case WSMAN_AUTH_NEGOTIATE:
		return 0;
	case WSMAN_AUTH_CERTIFICATE:
		return cause_set(cause,
		    "certificate authentication needs HTTPS, not http://");
	default:
		return cause_set(cause, "refusing to send a password over "
		    "plain http://; use HTTPS (port 5986), ntlm or kerberos");
	}
}

static int
check_opts(const struct wsman_opts *o, char **cause)
{
	if (check_http(o, cause) == -1)
		return -1;
	if (o->address != NULL && !plain_token(o->address, ".-_:"))
		return cause_set(cause, "invalid address '%s'", o->address);
	if (o->port < 1 || o->port > 65535)
		return cause_set(cause, "invalid port %d", o->port);
	if (o->path != NULL && !plain_token(o->path, ".-_/"))
		return cause_set(cause, "invalid URL path '%s'", o->path);
	if ((o->auth == WSMAN_AUTH_BASIC || o->auth == WSMAN_AUTH_NTLM) &&
	    (o->user == NULL || o->password == NULL))
		return cause_set(cause, "%s authentication needs a user and a "
		    "password", wsman_auth_name(o->auth));
	if (o->auth == WSMAN_AUTH_CERTIFICATE && o->cert_file == NULL)
		return cause_set(cause, "certificate authentication needs a "
		    "certificate file");
	if (o->connect_timeout_ms <= 0 || o->operation_timeout_ms <= 0 ||
	    o->command_timeout_ms <= 0 || o->retry_backoff_ms < 0)
		return cause_set(cause, "timeouts must be positive");
	if (o->request_timeout_ms != 0 &&
	    o->request_timeout_ms <= o->operation_timeout_ms)
		return cause_set(cause, "request timeout (%ld ms) must exceed "
		    "the operation timeout (%ld ms)", o->request_timeout_ms,
		    o->operation_timeout_ms);
	if (o->max_envelope < 8192)
		return cause_set(cause, "MaxEnvelopeSize below 8192 octets");
	if (o->max_connections < 1 || o->max_connections > 64)
		return cause_set(cause, "max_connections must be 1 to 64");
	if (o->max_reply < 4096 || o->max_output < 1 || o->max_items < 1)
		return cause_set(cause, "limits too small");
	return 0;
}

static void
copy_opts(struct wsman_opts *d, const struct wsman_opts *s)
{
	*d = *s;
	d->name = xstrdup(s->name);
	d->address = dup_or_null(s->address);
	d->scheme = s->scheme != NULL && strcmp(s->scheme, "http") == 0 ?
	    "http" : "https";
	d->path = xstrdup(s->path != NULL ? s->path : "wsman");
	d->user = dup_or_null(s->user);
	d->cert_file = dup_or_null(s->cert_file);
	d->key_file = dup_or_null(s->key_file);
	d->ca_file = dup_or_null(s->ca_file);
	d->locale = xstrdup(s->locale != NULL ? s->locale : "en-US");
	if (d->request_timeout_ms == 0)
		d->request_timeout_ms = s->operation_timeout_ms + 5000;
}

static void
free_opts(struct wsman_opts *o)
{
	free((char *)o->name);
	free((char *)o->address);
	free((char *)o->path);
	free((char *)o->user);
	free((char *)o->cert_file);
	free((char *)o->key_file);
	free((char *)o->ca_file);
	free((char *)o->locale);
}

int
wsman_new(struct wsman **out, const struct wsman_opts *o, char **cause)
{
	struct wsman *ws;

	*out = NULL;
	pthread_once(&xml_once, xml_init);
	if (o->name == NULL || !plain_token(o->name, ".-_"))
		return cause_set(cause, "invalid host name '%s'",
		    o->name != NULL ? o->name : "");
	if (check_opts(o, cause) == -1)
		return cause_prefix(cause, "%s", o->name);
	ws = xcalloc(1, sizeof(*ws));
	copy_opts(&ws->o, o);
	ws->to = xasprintf("%s://%s:%d/%s", ws->o.scheme, ws->o.name,
	    ws->o.port, ws->o.path);
	wsman_uuid(ws->session_id);
	if (o->ops != NULL)
		ws->ops = *o->ops;
	else {
		if (transport_new(&ws->transport, &ws->o, cause) == -1) {
			cause_prefix(cause, "%s", o->name);
			wsman_free(ws);
			return -1;
		}
		ws->ops.exchange = transport_exchange;
		ws->ops.arg = ws->transport;
	}
	*out = ws;
	return 0;
}

const char *
wsman_host(const struct wsman *ws)
{
	return ws->o.name;
}

const struct buf *
wsman_peer_chain(const struct wsman *ws)
{
	return ws->peer_chain.len > 0 ? &ws->peer_chain : NULL;
}

int
wsman_tls_verified(const struct wsman *ws)
{
	return ws->o.tls_verify;
}

enum wsman_error
wsman_last_error(const struct wsman *ws)
{
	return ws->last_error;
}

const struct wsman_fault *
wsman_last_fault(const struct wsman *ws)
{
	return ws->last_error == WSMAN_E_FAULT ? &ws->last_fault : NULL;
}

static int shell_delete(struct wsman *, char **);

int
wsman_close(struct wsman *ws, char **cause)
{
	if (ws->shell_id == NULL)
		return 0;
	return shell_delete(ws, cause);
}

void
wsman_free(struct wsman *ws)
{
	if (ws == NULL)
		return;
	if (ws->shell_id != NULL)
		shell_delete(ws, NULL);
	transport_free(ws->transport);
	wsman_fault_release(&ws->last_fault);
	buf_release(&ws->peer_chain);
	free_opts(&ws->o);
	free(ws->to);
	free(ws);
}

void
wsman_http_release(struct wsman_http *h)
{
	buf_release(&h->offered);
	buf_release(&h->peer);
	buf_release(&h->reply);
	buf_release(&h->peer_chain);
}

/* --- exchanges and what went wrong -------------------------------------- */

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static const char *
endpoint(const struct wsman *ws)
{
	return ws->o.address != NULL ? ws->o.address : ws->o.name;
}

/*
 * The chain verified but the name did not: libcurl checks the name itself
 * after the handshake and leaves the verify result unset (OK, or its
 * initial "unspecified"); OpenSSL's own check says HOSTNAME_MISMATCH.
 */
static int
name_mismatch(const struct wsman_http *h)
{
	switch (h->verify_result) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
		return 1;
	case X509_V_OK:
	case X509_V_ERR_UNSPECIFIED:
		return h->peer.len > 0 || strstr(h->errbuf, "host name") != NULL;
	default:
		return 0;
	}
}

/* Why a certificate was refused, in the words an operator looks for. */
static char *
tls_reason(const struct wsman_http *h)
{
	if (name_mismatch(h)) {
		if (h->peer.len > 0)
			return xasprintf("certificate name mismatch "
			    "(certificate is for %s)", buf_cstr(&h->peer));
		return xasprintf("certificate name mismatch (%s)", h->errbuf);
	}
	switch (h->verify_result) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return xstrdup("certificate expired");
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return xstrdup("certificate not yet valid");
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return xstrdup("certificate signed by an unknown CA");
	case X509_V_ERR_INVALID_PURPOSE:
		return xstrdup("certificate not valid for server "
		    "authentication (no serverAuth usage)");
	case X509_V_ERR_CERT_REVOKED:
		return xstrdup("certificate revoked");
	case X509_V_OK:
	case X509_V_ERR_UNSPECIFIED:
		return xasprintf("certificate refused: %s", h->errbuf);
	default:
		return xasprintf("certificate refused: %s",
		    X509_verify_cert_error_string(h->verify_result));
	}
}

static char *
connect_reason(const struct wsman *ws, const struct wsman_http *h)
{
	if (h->os_errno == ECONNREFUSED)
		return xasprintf("connection refused by %s:%d", endpoint(ws),
		    ws->o.port);
	if (h->os_errno != 0)
		return xasprintf("cannot connect to %s:%d: %s", endpoint(ws),
		    ws->o.port, strerror(h->os_errno));
	return xasprintf("cannot connect to %s:%d: %s", endpoint(ws),
	    ws->o.port, h->errbuf);
}

static char *
transfer_reason(const struct wsman *ws, const struct wsman_http *h,
    enum wsman_error *err)
{
	char *reason, *msg;

	*err = WSMAN_E_CONNECT;
	switch (h->curl_code) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return xasprintf("cannot resolve host name '%s'", endpoint(ws));
	case CURLE_COULDNT_CONNECT:
		return connect_reason(ws, h);
	case CURLE_OPERATION_TIMEDOUT:
		*err = WSMAN_E_TIMEOUT;
		if (h->not_sent)
			return xasprintf("not sent: another request to the "
			    "host timed out (timeout %ld ms)", h->timeout_ms);
		if (!h->connected)
			return xasprintf("connecting to %s:%d timed out after "
			    "%ld ms", endpoint(ws), ws->o.port,
			    ws->o.connect_timeout_ms);
		/* libcurl's connect timeout covers the TLS handshake. */
		if (!h->handshaken)
			return xasprintf("no TLS handshake from %s:%d within "
			    "%ld ms (connect timeout)", endpoint(ws),
			    ws->o.port, ws->o.connect_timeout_ms);
		return xasprintf("no reply within %ld ms (timeout)",
		    h->timeout_ms);
	case CURLE_PEER_FAILED_VERIFICATION:
		*err = WSMAN_E_TLS;
		reason = tls_reason(h);
		msg = xasprintf("TLS: %s", reason);
		free(reason);
		return msg;
	case CURLE_SSL_CONNECT_ERROR:
		*err = WSMAN_E_TLS;
		return xasprintf("TLS handshake failed: %s", h->errbuf);
	case CURLE_SSL_CACERT_BADFILE:
		*err = WSMAN_E_USAGE;
		return xasprintf("cannot read CA file '%s'",
		    ws->o.ca_file != NULL ? ws->o.ca_file : "(system)");
	case CURLE_SSL_CERTPROBLEM:
		*err = WSMAN_E_USAGE;
		return xasprintf("cannot use client certificate '%s': %s",
		    ws->o.cert_file != NULL ? ws->o.cert_file : "",
		    h->errbuf);
	case CURLE_LOGIN_DENIED:
		/* negotiate.c's words: what failed and what to do. */
		*err = WSMAN_E_AUTH;
		return xstrdup(h->errbuf);
	case CURLE_GOT_NOTHING:
		return xstrdup("connection closed without a reply");
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		return xasprintf("connection dropped mid-reply after %zu "
		    "bytes", h->reply.len);
	default:
		*err = WSMAN_E_HTTP;
		return xasprintf("transfer failed: %s%s%s",
		    curl_easy_strerror((CURLcode)h->curl_code),
		    *h->errbuf != '\0' ? ": " : "", h->errbuf);
	}
}

/* What to do about a 401, by method and what the host offers. */
static const char *
auth_advice(const struct wsman *ws, const char *offers)
{
	int negotiate = strstr(offers, "Negotiate") != NULL;

	switch (ws->o.auth) {
	case WSMAN_AUTH_BASIC:
		if (strstr(offers, "Basic") == NULL)
			return "Basic is disabled on the host: use ntlm or "
			    "kerberos";
		return "check the password; Basic works only for a local "
		    "account";
	case WSMAN_AUTH_NTLM:
		if (!negotiate)
			return "the host does not offer Negotiate";
		return "check the user name and password";
	case WSMAN_AUTH_NEGOTIATE:
		if (!negotiate)
			return "the host does not offer Negotiate";
		return "the host refused the Kerberos ticket: check its "
		    "keytab for HTTP/<host name>";
	case WSMAN_AUTH_CERTIFICATE:
		break;
	}
	return "check the host's certificate mapping";
}

static char *
auth_reason(const struct wsman *ws, const struct wsman_http *h)
{
	const char *advice;
	char *offers;
	char *s;

	offers = xstrdup(h->offered.len > 0 ? buf_cstr(&h->offered) :
	    "nothing");
	wsman_oneline(offers);
	advice = auth_advice(ws, offers);
	if (ws->o.auth == WSMAN_AUTH_CERTIFICATE)
		s = xasprintf("certificate authentication refused for "
		    "certificate '%s' (HTTP 401; server offers: %s): %s",
		    ws->o.cert_file, offers, advice);
	else if (ws->o.user != NULL)
		s = xasprintf("%s authentication refused for user '%s' "
		    "(HTTP 401; server offers: %s): %s",
		    wsman_auth_name(ws->o.auth), ws->o.user, offers, advice);
	else
		s = xasprintf("%s authentication refused (HTTP 401; server "
		    "offers: %s): %s", wsman_auth_name(ws->o.auth), offers,
		    advice);
	free(offers);
	return s;
}

static int
retryable(const struct wsman_http *h)
{
	switch (h->curl_code) {
	/*
	 * Not a timeout: a host that let one pass would make every retry
	 * wait as long, and the timeout would not hold.
	 */
	case CURLE_COULDNT_CONNECT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		return !h->too_big;
	default:
		return 0;
	}
}

/* The step failed: one line naming host, operation and resource. */
static void
step_fail(const struct wsman *ws, struct step *st, enum wsman_error err,
    char *msg)
{
	free(st->cause);
	st->cause = xasprintf("%s: %s %s: %s", ws->o.name, st->op, st->what,
	    msg);
	st->err = err;
	st->failed = 1;
	free(msg);
}

static void
step_fail_cause(const struct wsman *ws, struct step *st, enum wsman_error err,
    char *cause)
{
	step_fail(ws, st, err, cause != NULL ? cause : xstrdup("failed"));
}

static int
step_prepare(struct wsman *ws, struct step *st, struct wsman_request *r,
    const char *op, int read)
{
	char *cause = NULL;

	memset(st, 0, sizeof(*st));
	st->op = op;
	st->what = r->ref.uri != NULL ? r->ref.uri : "";
	st->read = read;
	wsman_uuid(st->msgid);
	r->to = ws->to;
	r->message_id = st->msgid;
	r->session_id = ws->session_id;
	r->timeout_ms = ws->o.operation_timeout_ms;
	r->max_envelope = ws->o.max_envelope;
	r->locale = ws->o.locale;
	st->action = wsman_action(r);
	if (wsman_request_build(&st->req, r, &cause) == -1) {
		step_fail_cause(ws, st, WSMAN_E_USAGE, cause);
		return -1;
	}
	return 0;
}

static void
step_release(struct step *st)
{
	free(st->action);
	buf_release(&st->req);
	wsman_http_release(&st->http);
	wsman_reply_release(&st->reply);
	free(st->cause);
	memset(st, 0, sizeof(*st));
}

static int
http_ok(long status)
{
	return status >= 200 && status < 300;
}

/* Transport and HTTP status, before any XML is read. */
static char *
exchange_failure(const struct wsman *ws, const struct step *st,
    enum wsman_error *err)
{
	const struct wsman_http *h = &st->http;

	if (h->too_big) {
		*err = WSMAN_E_REPLY;
		return xasprintf("reply exceeds the %zu-byte limit",
		    ws->o.max_reply);
	}
	if (h->curl_code != CURLE_OK)
		return transfer_reason(ws, h, err);
	if (h->status == 401) {
		*err = WSMAN_E_AUTH;
		return auth_reason(ws, h);
	}
	if (h->status == 413) {
		*err = WSMAN_E_HTTP;
		return xasprintf("HTTP 413: the request (%zu bytes) exceeds "
		    "the host's envelope size limit", st->req.len);
	}
	return NULL;
}

/* The envelope: well-formed, ours, and a fault or the expected reply. */
static char *
reply_failure(struct step *st, enum wsman_error *err)
{
	const struct wsman_http *h = &st->http;
	const struct wsman_reply *r = &st->reply;
	char *cause = NULL, *msg = NULL, *want;

	if (wsman_reply_parse(&st->reply, h->reply.ptr, h->reply.len,
	    &cause) == -1) {
		*err = http_ok(h->status) ? WSMAN_E_REPLY : WSMAN_E_HTTP;
		if (http_ok(h->status))
			msg = xasprintf("bad reply: %s", cause);
		else
			msg = xasprintf("HTTP %ld without a SOAP fault (%zu "
			    "bytes)", h->status, h->reply.len);
		free(cause);
		return msg;
	}
	*err = WSMAN_E_REPLY;
	/* uuids compare without regard to case (RFC 4122). */
	if (r->relates_to != NULL && strcasecmp(r->relates_to, st->msgid) != 0)
		return xstrdup("reply relates to another message (RelatesTo "
		    "does not match our MessageID)");
	if (r->is_fault) {
		*err = WSMAN_E_FAULT;
		return wsman_fault_string(&r->fault);
	}
	if (!http_ok(h->status)) {
		*err = WSMAN_E_HTTP;
		return xasprintf("HTTP %ld with a reply that is not a fault",
		    h->status);
	}
	if (r->relates_to == NULL)
		return xstrdup("reply has no RelatesTo");
	/* Resource URIs, hence WMI method actions, are case-insensitive. */
	want = xasprintf("%sResponse", st->action);
	if (r->action != NULL && strcasecmp(r->action, want) != 0)
		msg = xstrdup("reply has an unexpected Action");
	free(want);
	return msg;
}

static void
step_check(struct wsman *ws, struct step *st)
{
	enum wsman_error err = WSMAN_OK;
	char *msg;

	if ((msg = exchange_failure(ws, st, &err)) == NULL)
		msg = reply_failure(st, &err);
	if (msg != NULL)
		step_fail(ws, st, err, msg);
}

static void
http_reset(struct wsman_http *h)
{
	wsman_http_release(h);
	memset(h, 0, sizeof(*h));
}

/*
 * What the host presented on a new connection that carried a reply
 * (transport.c reports only handshakes made for the exchange).  A write
 * may rebind the listener, and connections opened before it keep the old
 * certificate: after a write, only a later handshake counts.
 */
static void
keep_peer_chain(struct wsman *ws, struct step **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!v[i]->read) {
			buf_reset(&ws->peer_chain);
			return;
		}
	for (i = 0; i < n; i++) {
		if (v[i]->http.curl_code != 0 || v[i]->http.peer_chain.len == 0)
			continue;
		buf_reset(&ws->peer_chain);
		buf_add(&ws->peer_chain, v[i]->http.peer_chain.ptr,
		    v[i]->http.peer_chain.len);
	}
}

/* Send every step that is ready; resend failed reads with backoff. */
static void
steps_run(struct wsman *ws, struct step **v, size_t n)
{
	struct wsman_http **x;
	unsigned char *send;
	unsigned attempt;
	size_t i, m;
	int again = 1;

	x = xcalloc(n, sizeof(*x));
	send = xcalloc(n, 1);
	for (i = 0; i < n; i++)
		send[i] = !v[i]->failed;
	for (attempt = 0; again; attempt++) {
		if (attempt > 0)
			sleep_ms(ws->o.retry_backoff_ms << (attempt - 1));
		for (i = m = 0; i < n; i++) {
			if (!send[i])
				continue;
			http_reset(&v[i]->http);
			v[i]->http.body = v[i]->req.ptr;
			v[i]->http.body_len = v[i]->req.len;
			v[i]->http.timeout_ms = ws->o.request_timeout_ms;
			v[i]->http.max_reply = ws->o.max_reply;
			x[m++] = &v[i]->http;
		}
		if (m > 0)
			ws->ops.exchange(ws->ops.arg, x, m);
		again = 0;
		for (i = 0; i < n; i++) {
			send[i] = send[i] && v[i]->read &&
			    attempt < ws->o.retries && retryable(&v[i]->http);
			again |= send[i];
		}
	}
	for (i = 0; i < n; i++)
		if (!v[i]->failed)
			step_check(ws, v[i]);
	keep_peer_chain(ws, v, n);
	free(send);
	free(x);
}

static void
fault_copy(struct wsman_fault *d, const struct wsman_fault *s)
{
	d->code = dup_or_null(s->code);
	d->subcode = dup_or_null(s->subcode);
	d->wsman_code = s->wsman_code;
	d->message = dup_or_null(s->message);
	d->machine = dup_or_null(s->machine);
	d->detail = dup_or_null(s->detail);
}

static void
last_reset(struct wsman *ws)
{
	ws->last_error = WSMAN_OK;
	wsman_fault_release(&ws->last_fault);
}

/* Remember the first failure of a call for wsman_last_error(). */
static void
last_record(struct wsman *ws, const struct step *st)
{
	if (ws->last_error != WSMAN_OK)
		return;
	ws->last_error = st->err;
	if (st->err == WSMAN_E_FAULT)
		fault_copy(&ws->last_fault, &st->reply.fault);
}

/* A failed step's line goes to *cause (and to wsman_last_error()). */
static int
step_give(struct wsman *ws, struct step *st, char **cause)
{
	if (!st->failed)
		return 0;
	last_record(ws, st);
	if (cause != NULL) {
		free(*cause);
		*cause = st->cause;
		st->cause = NULL;
	}
	return -1;
}

static void
step_send1(struct wsman *ws, struct step *st)
{
	struct step *v[1] = { st };

	if (!st->failed)
		steps_run(ws, v, 1);
}

/* One request, one reply. */
static int
step_run1(struct wsman *ws, struct step *st, char **cause)
{
	step_send1(ws, st);
	return step_give(ws, st, cause);
}

/* --- operations --------------------------------------------------------- */

/* One operation in progress; an enumeration takes several steps. */
struct call {
	enum wsman_op		 op;
	struct wsman_ref	 ref;
	const struct wsman_body	*body;
	const struct wsman_filter *filter;
	const char		*method;
	const struct node	*params;
	int			 read;
	char			*opname;
	struct step		 st;
	char			*context;
	struct node		*items;
	unsigned		 rounds;
	int			 done;
	int			 rc;
	struct node		*result;
	char			*cause;
	enum wsman_error	 err;
	unsigned long		 fault_code;
};

static void
call_init(struct call *c, enum wsman_op op, const struct wsman_ref *ref,
    int read)
{
	memset(c, 0, sizeof(*c));
	c->op = op;
	c->ref = *ref;
	c->read = read;
}

static void
call_release(struct call *c)
{
	free(c->opname);
	free(c->context);
	node_free(c->items);
	node_free(c->result);
	free(c->cause);
	step_release(&c->st);
}

static const char *
op_name(enum wsman_op op)
{
	static const char *const names[] = {
		"Get", "Put", "Create", "Delete", "Enumerate", "Pull",
		"Release", "Invoke", "Create", "Command", "Receive", "Signal",
	};

	return names[op];
}

static void
call_step(struct wsman *ws, struct call *c)
{
	struct wsman_request r = { 0 };

	r.ref = c->ref;
	if (c->context != NULL) {
		r.op = WSMAN_OP_PULL;
		r.ref.sel = NULL;
		r.ref.nsel = 0;
		r.context = c->context;
		r.max_elements = MAX_ELEMENTS;
		step_prepare(ws, &c->st, &r, "Pull", 1);
		return;
	}
	r.op = c->op;
	r.body = c->body;
	r.filter = c->filter;
	r.optimize = 1;
	r.max_elements = c->op == WSMAN_OP_ENUMERATE ? MAX_ELEMENTS : 0;
	r.method = c->method;
	r.params = c->params;
	if (c->opname == NULL)
		c->opname = c->op == WSMAN_OP_INVOKE ? xasprintf("Invoke %s",
		    c->method != NULL ? c->method : "") : xstrdup(op_name(c->op));
	step_prepare(ws, &c->st, &r, c->opname, c->read);
}

/* Tell the host to drop an enumeration we give up on (best effort). */
static void
call_abandon(struct wsman *ws, struct call *c)
{
	struct wsman_request r = { .op = WSMAN_OP_RELEASE };
	struct step st;

	if (c->context == NULL)
		return;
	r.ref.uri = c->ref.uri;
	r.context = c->context;
	if (step_prepare(ws, &st, &r, "Release", 0) == 0)
		step_send1(ws, &st);
	step_release(&st);
}

static void
call_fail(struct wsman *ws, struct call *c, enum wsman_error err, char *msg)
{
	if (msg != NULL)
		step_fail(ws, &c->st, err, msg);
	last_record(ws, &c->st);
	c->rc = -1;
	c->done = 1;
	c->err = c->st.err;
	c->cause = c->st.cause;
	c->st.cause = NULL;
	if (c->st.err == WSMAN_E_FAULT)
		c->fault_code = c->st.reply.fault.wsman_code;
}

static void
call_items(struct wsman *ws, struct call *c)
{
	char *cause = NULL, *ctx = NULL;
	int end;

	if (c->items == NULL)
		c->items = node_seq();
	if (wsman_reply_items(&c->st.reply, c->items, &ctx, &end,
	    &cause) == -1) {
		call_fail(ws, c, WSMAN_E_REPLY, cause);
		return;
	}
	free(c->context);
	c->context = ctx;
	if (end) {
		c->done = 1;
		c->result = c->items;
		c->items = NULL;
		return;
	}
	if (c->items->nitems > ws->o.max_items || ++c->rounds > MAX_ROUNDS) {
		call_abandon(ws, c);
		call_fail(ws, c, WSMAN_E_REPLY, xasprintf("enumeration "
		    "exceeds %u items or %u rounds", ws->o.max_items,
		    MAX_ROUNDS));
	}
}

static void
call_handle(struct wsman *ws, struct call *c)
{
	const struct wsman_el *content = c->st.reply.content;
	char *cause = NULL;

	if (c->st.failed) {
		call_fail(ws, c, WSMAN_OK, NULL);
		return;
	}
	switch (c->op) {
	case WSMAN_OP_ENUMERATE:
		call_items(ws, c);
		return;
	case WSMAN_OP_CREATE:
		if (wsman_reply_created(&c->st.reply, &c->result, &cause) == -1)
			call_fail(ws, c, WSMAN_E_REPLY, cause);
		break;
	case WSMAN_OP_GET:
	case WSMAN_OP_INVOKE:
		if (content == NULL) {
			call_fail(ws, c, WSMAN_E_REPLY,
			    xstrdup("reply body is empty"));
			return;
		}
		/* FALLTHROUGH */
	case WSMAN_OP_PUT:
		if (content != NULL)
			c->result = wsman_xml_to_node(content);
		break;
	default:
		break;
	}
	c->done = 1;
}

static void
calls_run(struct wsman *ws, struct call *c, size_t n)
{
	struct step **v;
	size_t i, m;

	v = xcalloc(n, sizeof(*v));
	for (;;) {
		for (i = m = 0; i < n; i++) {
			if (c[i].done)
				continue;
			step_release(&c[i].st);
			call_step(ws, &c[i]);
			v[m++] = &c[i].st;
		}
		if (m == 0)
			break;
		steps_run(ws, v, m);
		for (i = 0; i < n; i++)
			if (!c[i].done)
				call_handle(ws, &c[i]);
	}
	free(v);
}

/* Run one call; hand over its result and cause. */
static int
call_run1(struct wsman *ws, struct call *c, struct node **out, char **cause)
{
	int rc;

	last_reset(ws);
	calls_run(ws, c, 1);
	rc = c->rc;
	if (rc == 0 && out != NULL) {
		*out = c->result;
		c->result = NULL;
	}
	if (rc == -1 && cause != NULL) {
		free(*cause);
		*cause = c->cause;
		c->cause = NULL;
	}
	call_release(c);
	return rc;
}

static int
need_uri(struct wsman *ws, const struct wsman_ref *ref, char **cause)
{
	if (ref != NULL && ref->uri != NULL && *ref->uri != '\0')
		return 0;
	ws->last_error = WSMAN_E_USAGE;
	return cause_set(cause, "%s: missing resource URI", ws->o.name);
}

int
wsman_get(struct wsman *ws, const struct wsman_ref *ref, struct node **out,
    char **cause)
{
	struct call c;

	*out = NULL;
	if (need_uri(ws, ref, cause) == -1)
		return -1;
	call_init(&c, WSMAN_OP_GET, ref, 1);
	return call_run1(ws, &c, out, cause);
}

int
wsman_put(struct wsman *ws, const struct wsman_ref *ref,
    const struct wsman_body *body, struct node **out, char **cause)
{
	struct call c;

	if (out != NULL)
		*out = NULL;
	if (need_uri(ws, ref, cause) == -1)
		return -1;
	call_init(&c, WSMAN_OP_PUT, ref, 0);
	c.body = body;
	return call_run1(ws, &c, out, cause);
}

int
wsman_create(struct wsman *ws, const struct wsman_ref *ref,
    const struct wsman_body *body, struct node **out, char **cause)
{
	struct call c;

	if (out != NULL)
		*out = NULL;
	if (need_uri(ws, ref, cause) == -1)
		return -1;
	call_init(&c, WSMAN_OP_CREATE, ref, 0);
	c.body = body;
	return call_run1(ws, &c, out, cause);
}

int
wsman_delete(struct wsman *ws, const struct wsman_ref *ref, char **cause)
{
	struct call c;

	if (need_uri(ws, ref, cause) == -1)
		return -1;
	call_init(&c, WSMAN_OP_DELETE, ref, 0);
	return call_run1(ws, &c, NULL, cause);
}

int
wsman_enumerate(struct wsman *ws, const struct wsman_ref *ref,
    const struct wsman_filter *filter, struct node **items, char **cause)
{
	struct call c;

	*items = NULL;
	if (need_uri(ws, ref, cause) == -1)
		return -1;
	call_init(&c, WSMAN_OP_ENUMERATE, ref, 1);
	c.filter = filter;
	return call_run1(ws, &c, items, cause);
}

int
wsman_invoke(struct wsman *ws, const struct wsman_ref *ref,
    const char *method, const struct node *params, int flags,
    struct node **out, char **cause)
{
	struct call c;

	*out = NULL;
	if (need_uri(ws, ref, cause) == -1)
		return -1;
	call_init(&c, WSMAN_OP_INVOKE, ref, (flags & WSMAN_READONLY) != 0);
	c.method = method;
	c.params = params;
	return call_run1(ws, &c, out, cause);
}

static const enum wsman_op read_ops[] = {
	[WSMAN_READ_GET] = WSMAN_OP_GET,
	[WSMAN_READ_ENUMERATE] = WSMAN_OP_ENUMERATE,
	[WSMAN_READ_INVOKE] = WSMAN_OP_INVOKE,
};

int
wsman_read_many(struct wsman *ws, struct wsman_read *r, size_t n)
{
	struct call *c;
	size_t i;
	int rc = 0;

	last_reset(ws);
	c = xcalloc(n, sizeof(*c));
	for (i = 0; i < n; i++) {
		call_init(&c[i], read_ops[r[i].kind], &r[i].ref, 1);
		c[i].filter = r[i].filter;
		c[i].method = r[i].method;
		c[i].params = r[i].params;
		if (r[i].ref.uri == NULL || *r[i].ref.uri == '\0') {
			c[i].rc = -1;
			c[i].done = 1;
			c[i].err = WSMAN_E_USAGE;
			c[i].cause = xasprintf("%s: missing resource URI",
			    ws->o.name);
		}
	}
	calls_run(ws, c, n);
	for (i = 0; i < n; i++) {
		r[i].rc = c[i].rc;
		r[i].result = c[i].result;
		r[i].cause = c[i].cause;
		r[i].error = c[i].err;
		r[i].fault_code = c[i].fault_code;
		c[i].result = NULL;
		c[i].cause = NULL;
		if (r[i].rc == -1)
			rc = -1;
		call_release(&c[i]);
	}
	free(c);
	return rc;
}

void
wsman_read_release(struct wsman_read *r)
{
	if (r == NULL)
		return;
	node_free(r->result);
	free(r->cause);
	r->result = NULL;
	r->cause = NULL;
}

/* --- remote shell ------------------------------------------------------- */

static void
shell_ref(const struct wsman *ws, struct wsman_request *r,
    struct wsman_selector *sel)
{
	sel->name = "ShellId";
	sel->value = ws->shell_id;
	r->ref.uri = WSMAN_URI_CMD;
	r->ref.sel = sel;
	r->ref.nsel = 1;
}

static int
shell_open(struct wsman *ws, char **cause)
{
	struct wsman_request r = { .op = WSMAN_OP_SHELL };
	struct wsman_option opt[2];
	struct node *sel = NULL;
	const char *id;
	char cp[16], *msg = NULL;
	struct step st;
	int rc = -1;

	snprintf(cp, sizeof(cp), "%u", ws->o.codepage);
	opt[0] = (struct wsman_option){ "WINRS_NOPROFILE", "TRUE" };
	opt[1] = (struct wsman_option){ "WINRS_CODEPAGE", cp };
	r.ref.uri = WSMAN_URI_CMD;
	r.opt = opt;
	r.nopt = 2;
	step_prepare(ws, &st, &r, "Create", 0);
	if (step_run1(ws, &st, cause) == -1)
		goto out;
	if (wsman_reply_created(&st.reply, &sel, &msg) == -1 ||
	    (id = node_get_str(sel, "ShellId")) == NULL || *id == '\0') {
		step_fail(ws, &st, WSMAN_E_REPLY, msg != NULL ? msg :
		    xstrdup("reply has no ShellId"));
		msg = NULL;
		step_give(ws, &st, cause);
		goto out;
	}
	ws->shell_id = xstrdup(id);
	rc = 0;
out:
	free(msg);
	node_free(sel);
	step_release(&st);
	return rc;
}

static int
shell_delete(struct wsman *ws, char **cause)
{
	struct wsman_request r = { .op = WSMAN_OP_DELETE };
	struct wsman_selector sel;
	struct step st;
	int rc;

	shell_ref(ws, &r, &sel);
	step_prepare(ws, &st, &r, "Delete", 0);
	rc = step_run1(ws, &st, cause);
	step_release(&st);
	free(ws->shell_id);
	ws->shell_id = NULL;
	free(ws->done_id);
	ws->done_id = NULL;
	return rc;
}

static int
shell_command(struct wsman *ws, const char *line, char **id, char **cause)
{
	struct wsman_request r = { .op = WSMAN_OP_COMMAND };
	struct wsman_option opt = { "WINRS_SKIP_CMD_SHELL", "False" };
	struct wsman_selector sel;
	const char *args[1];
	char *msg = NULL;
	struct step st;
	int rc = -1;

	args[0] = line;
	shell_ref(ws, &r, &sel);
	r.opt = &opt;
	r.nopt = 1;
	r.command = "cmd.exe";
	r.args = args;
	r.nargs = 1;
	step_prepare(ws, &st, &r, "Command", 0);
	if (step_run1(ws, &st, cause) == -1)
		goto out;
	if (wsman_reply_command_id(&st.reply, id, &msg) == -1) {
		step_fail(ws, &st, WSMAN_E_REPLY, msg);
		step_give(ws, &st, cause);
		goto out;
	}
	rc = 0;
out:
	step_release(&st);
	return rc;
}

static int
shell_signal(struct wsman *ws, const char *id, char **cause)
{
	struct wsman_request r = { .op = WSMAN_OP_SIGNAL };
	struct wsman_selector sel;
	struct step st;
	int rc;

	shell_ref(ws, &r, &sel);
	r.command_id = id;
	r.signal = WSMAN_SIGNAL_TERMINATE;
	step_prepare(ws, &st, &r, "Signal", 0);
	rc = step_run1(ws, &st, cause);
	step_release(&st);
	return rc;
}

/*
 * One Receive.  Returns 1 when the host only said w:TimedOut (nothing
 * new yet: ask again), 0 after reading output, -1 on failure.
 */
static int
shell_receive1(struct wsman *ws, const char *id, struct wsman_cmd *out,
    int *done, char **cause)
{
	struct wsman_request r = { .op = WSMAN_OP_RECEIVE };
	struct wsman_option opt = { "WSMAN_CMDSHELL_OPTION_KEEPALIVE", "True" };
	struct wsman_selector sel;
	char *msg = NULL;
	struct step st;
	int rc = -1;

	shell_ref(ws, &r, &sel);
	r.opt = &opt;
	r.nopt = 1;
	r.command_id = id;
	step_prepare(ws, &st, &r, "Receive", 1);
	step_send1(ws, &st);
	if (st.failed && st.err == WSMAN_E_FAULT &&
	    st.reply.fault.wsman_code == WSMAN_FAULT_TIMED_OUT) {
		rc = 1;
		goto out;
	}
	if (!st.failed && wsman_reply_receive(&st.reply, id, out,
	    ws->o.max_output, done, &msg) == -1)
		step_fail(ws, &st, WSMAN_E_REPLY, msg);
	rc = step_give(ws, &st, cause);
out:
	step_release(&st);
	return rc;
}

/*
 * Receive until the command is done.  Windows holds a Receive for up to
 * OperationTimeout before answering w:TimedOut; a host that answers with
 * nothing at once is not waiting, so the client pauses, longer each time
 * (100 ms doubling to 2 s), instead of asking in a tight loop.  Once the
 * run is asked to stop, the command gets stop_grace_ms more at most: a
 * command that is nearly done (a re-read verifying a change) still ends
 * normally, and a host that never finishes cannot hold the stop.
 */
static int
shell_receive(struct wsman *ws, const char *id, struct wsman_cmd *out,
    char **cause)
{
	long deadline = now_ms() + ws->o.command_timeout_ms, t0, pause = 0;
	size_t before;
	int done = 0, stopping = 0;

	while (!done) {
		if (!stopping && ws->o.stop != NULL && ws->o.stop()) {
			stopping = 1;
			if (deadline > now_ms() + ws->o.stop_grace_ms)
				deadline = now_ms() + ws->o.stop_grace_ms;
		}
		if (now_ms() >= deadline) {
			ws->last_error = WSMAN_E_TIMEOUT;
			return cause_set(cause, "%s: Receive %s: command still "
			    "running %s%ld ms", ws->o.name, WSMAN_URI_CMD,
			    stopping ? "when interrupted, given " : "after ",
			    stopping ? ws->o.stop_grace_ms :
			    ws->o.command_timeout_ms);
		}
		before = out->out.len + out->err.len;
		t0 = now_ms();
		if (shell_receive1(ws, id, out, &done, cause) == -1)
			return -1;
		if (done || out->out.len + out->err.len != before ||
		    now_ms() - t0 >= ws->o.operation_timeout_ms / 2)
			pause = 0;
		else {
			pause = pause == 0 ? 100 : pause * 2 > 2000 ? 2000 :
			    pause * 2;
			sleep_ms(pause);
		}
	}
	return 0;
}

/* After a failure the shell may be gone or stuck: drop it. */
static void
shell_discard(struct wsman *ws)
{
	enum wsman_error err = ws->last_error;

	if (ws->shell_id != NULL)
		shell_delete(ws, NULL);
	ws->last_error = err;
}

/*
 * Command, Receive until done; a failure discards the shell.  The Signal
 * terminate that releases a finished command waits for the shell's next
 * command: a shell deleted first does without it, because a Delete ends
 * every command in the shell and frees its resources (MS-WSMV 3.1.4.4.1),
 * which saves the last command of every shell one request.
 */
static int
shell_exec(struct wsman *ws, const char *line, struct wsman_cmd *out,
    char **cause)
{
	char *arg, *id = NULL;
	int rc = -1;

	arg = xasprintf("/c %s", line);
	if ((ws->done_id == NULL ||
	    shell_signal(ws, ws->done_id, cause) == 0) &&
	    shell_command(ws, arg, &id, cause) == 0) {
		free(ws->done_id);
		ws->done_id = NULL;
		if (shell_receive(ws, id, out, cause) == 0) {
			ws->done_id = id;
			id = NULL;
			rc = 0;
		} else	/* still running, maybe stuck: stop it first */
			shell_signal(ws, id, NULL);
	}
	if (rc == -1)
		shell_discard(ws);
	free(arg);
	free(id);
	return rc;
}

int
wsman_run(struct wsman *ws, const char *line, int flags,
    struct wsman_cmd *out, char **cause)
{
	last_reset(ws);
	buf_reset(&out->out);
	buf_reset(&out->err);
	out->exit_code = -1;
	if (line == NULL || *line == '\0') {
		ws->last_error = WSMAN_E_USAGE;
		return cause_set(cause, "%s: empty command line", ws->o.name);
	}
	if (ws->shell_id == NULL && shell_open(ws, cause) == -1)
		return -1;
	if (shell_exec(ws, line, out, cause) == -1)
		return -1;
	if (!(flags & WSMAN_KEEP_SHELL))
		return shell_delete(ws, cause);
	return 0;
}

char *
wsman_cmd_said(const struct wsman_cmd *c)
{
	const char *s = buf_cstr(&c->err);

	if (*(s + strspn(s, " \r\n")) == '\0')
		s = buf_cstr(&c->out);
	s += strspn(s, " \r\n");
	if (*s == '\0')
		return xstrdup("no message");
	return xstrndup(s, strcspn(s, "\r\n"));
}

void
wsman_cmd_release(struct wsman_cmd *c)
{
	if (c == NULL)
		return;
	buf_release(&c->out);
	buf_release(&c->err);
	c->exit_code = -1;
}
