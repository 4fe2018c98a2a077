/*
 * http.c: each host's HTTPS endpoint: a listening socket on ADDRESS:PORT
 * and a small HTTP/1.1 server on bufferevent_openssl, all on the fleet's
 * one event loop.
 *
 * Not evhttp: the faults a test injects act on bytes and connections
 * (half a reply then a close, a reply trickled out at N bytes/s, a refused
 * connect), a too large request is refused from its Content-Length before
 * its body is read (as http.sys does, with 413), and authentication state
 * belongs to the connection; all of that is simpler with the connection in
 * hand.  Requests are handled one at a time per connection (keep-alive,
 * pipelined requests wait their turn).
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "sim.h"

#define MAX_HEAD	65536		/* request line and headers */
#define IDLE_SECONDS	120
#define MUTUAL_AUTH	"http://schemas.dmtf.org/wbem/wsman/1/wsman/" \
			"secprofile/https/mutual"
#define NOT_FOUND_HTML \
	"<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\"" \
	"\"http://www.w3.org/TR/html4/strict.dtd\">\r\n<HTML><HEAD><TITLE>" \
	"Not Found</TITLE>\r\n<META HTTP-EQUIV=\"Content-Type\" Content=\"" \
	"text/html; charset=us-ascii\"></HEAD>\r\n<BODY><h2>Not Found</h2>" \
	"\r\n<hr><p>HTTP Error 404. The requested resource is not found.</p>" \
	"\r\n</BODY></HTML>\r\n"

enum conn_state {
	C_LINE,		/* waiting for the request line */
	C_HEADERS,
	C_BODY,		/* Content-Length body */
	C_CHUNK_SIZE,	/* chunked body */
	C_CHUNK_DATA,
	C_CHUNK_END,	/* CRLF after a chunk */
	C_TRAILER,
	C_BUSY,		/* handling or replying; reading paused */
};

struct conn {
	TAILQ_ENTRY(conn)	 entry;
	struct http_host	*hh;
	struct bufferevent	*bev;
	enum conn_state		 state;
	size_t			 head_bytes;
	char			 method[16];
	char			*path;
	char			*authorization;
	char			*content_type;
	long long		 remaining;	/* body bytes left */
	long long		 discard;	/* body bytes to drop */
	int			 chunked;
	int			 expect;	/* Expect: 100-continue */
	int			 close;		/* after this reply */
	struct buf		 body;
	struct evbuffer		*pending;	/* reply to write */
	struct event		*timer;		/* latency */
	unsigned		 trickle_bps;
	int			 drop;		/* half, then close */
	int			 idle_close;	/* close once written, with no
						   Connection: close (faults) */
	char			 peer[INET_ADDRSTRLEN];
	int			 port;		/* the listener's */
	int			 tls;		/* HTTPS; else plain HTTP */
	struct ntlm		*ntlm;		/* NTLM under way */
	struct krb		*krb;		/* Kerberos' context */
	char			*auth_user;	/* NTLM or Kerberos authenticated
						   the connection as this account */
	char			*auth_reply;	/* WWW-Authenticate line for the
						   reply (Kerberos' AP-REP) */
	int			 cert_logon;	/* this request: a certificate */
	unsigned long		 id;		/* for --trace */
};

/* A listening socket, one per listener port. */
struct bound {
	struct http_host	*hh;
	int			 port;
	int			 tls;		/* HTTPS; else the HTTP listener */
	struct evconnlistener	*lev;
};

struct http_host {
	struct sim_host		*host;
	struct bound		**bound;
	size_t			 nbound;
	TAILQ_HEAD(, conn)	 conns;
};

static void conn_read(struct bufferevent *, void *);

/* --- connections --------------------------------------------------------- */

static void
request_reset(struct conn *c)
{
	free(c->path);
	free(c->authorization);
	free(c->content_type);
	c->path = c->authorization = c->content_type = NULL;
	c->method[0] = '\0';
	c->head_bytes = 0;
	c->remaining = 0;
	c->chunked = 0;
	c->expect = 0;
	buf_reset(&c->body);
	c->state = C_LINE;
}

static void
conn_free(struct conn *c)
{
	TAILQ_REMOVE(&c->hh->conns, c, entry);
	c->hh->host->counters.connections_open--;
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->pending != NULL)
		evbuffer_free(c->pending);
	bufferevent_free(c->bev);
	request_reset(c);
	buf_release(&c->body);
	ntlm_free(c->ntlm);
	krb_free(c->krb);
	free(c->auth_user);
	free(c->auth_reply);
	free(c);
}

static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		conn_free(c);
}

/* A reply has left the buffer: close, or read the next request. */
static void
conn_written(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c->pending != NULL || c->state != C_BUSY)
		return;
	if (c->close || c->drop || c->idle_close) {
		/* Still swallowing a refused body: close once it is in. */
		if (c->discard == 0)
			conn_free(c);
		return;
	}
	request_reset(c);
	bufferevent_enable(c->bev, EV_READ);
	conn_read(c->bev, c);
}

/* --- replies ------------------------------------------------------------- */

/* A logon leg or refusal on the timeline, with the body it carried. */
static void
trace_401(struct conn *c)
{
	char bytes[32];

	snprintf(bytes, sizeof(bytes), "%zu", c->body.len);
	sim_trace(c->hh->host, c->id, "401", bytes, NULL, 0);
}

/* Hand the pending reply to the connection as the faults say. */
static void
conn_flush(struct conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	size_t len = evbuffer_get_length(c->pending);
	struct timeval tick = { 0, 100000 };
	size_t n;

	if (c->drop) {
		evbuffer_remove_buffer(c->pending, out, len / 2);
		evbuffer_free(c->pending);
		c->pending = NULL;
		return;
	}
	if (c->trickle_bps == 0) {
		evbuffer_add_buffer(out, c->pending);
		evbuffer_free(c->pending);
		c->pending = NULL;
		return;
	}
	n = c->trickle_bps / 10 > 0 ? c->trickle_bps / 10 : 1;
	evbuffer_remove_buffer(c->pending, out, n);
	if (evbuffer_get_length(c->pending) == 0) {
		evbuffer_free(c->pending);
		c->pending = NULL;
		return;
	}
	evtimer_add(c->timer, &tick);
}

static void
conn_timer(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	conn_flush(c);
	if (c->pending == NULL &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		conn_written(c->bev, c);
}

static void
reply(struct conn *c, int status, const char *reason, const char *headers,
    const char *body, size_t len)
{
	struct sim_faults *f = &c->hh->host->faults;
	struct timeval tv;
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	if (status == 401)
		trace_401(c);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	c->pending = evbuffer_new();
	evbuffer_add_printf(c->pending, "HTTP/1.1 %d %s\r\n%s"
	    "Server: Microsoft-HTTPAPI/2.0\r\nDate: %s\r\n%s"
	    "Content-Length: %zu\r\n\r\n", status, reason,
	    headers != NULL ? headers : "", date,
	    c->close ? "Connection: close\r\n" : "", len);
	evbuffer_add(c->pending, body, len);
	c->drop = f->drop_mid_reply;
	/*
	 * A request's reply, not a logon leg's (a 401, or the HTTP
	 * listener's empty-bodied logon): the connection then goes idle.
	 */
	c->idle_close = f->close_idle && status != 401 && c->body.len > 0;
	c->trickle_bps = f->trickle_bps;
	/* Held until the client gives up (conn_free drops it). */
	if (f->stall && status != 401)
		return;
	/* Always from the timer, so that no path frees c under its caller. */
	tv.tv_sec = f->latency_ms / 1000;
	tv.tv_usec = (f->latency_ms % 1000) * 1000;
	evtimer_add(c->timer, &tv);
}

static void
reply_soap(struct conn *c, int status, const struct buf *body)
{
	char *hdr;

	/* WinRM, unlike http.sys, sends no reason phrase. */
	hdr = xasprintf("%sContent-Type: application/soap+xml;"
	    "charset=UTF-8\r\n", c->auth_reply != NULL ? c->auth_reply : "");
	free(c->auth_reply);
	c->auth_reply = NULL;
	reply(c, status, "", hdr, body->ptr, body->len);
	free(hdr);
}

/* --- authentication ------------------------------------------------------ */

/* "WWW-Authenticate: Negotiate", with the token if it is for it. */
static void
offer(struct buf *hdr, const char *name, const char *scheme,
    const char *token)
{
	if (token != NULL && strcmp(name, scheme) == 0)
		buf_printf(hdr, "WWW-Authenticate: %s %s\r\n", name, token);
	else
		buf_printf(hdr, "WWW-Authenticate: %s\r\n", name);
}

/*
 * 401 with the schemes the service offers, in Windows' order; a
 * scheme's refusal token, if any, goes with that scheme.
 */
static void
reply_401_token(struct conn *c, const char *scheme, const char *token)
{
	struct sim_winrm_config *w = &c->hh->host->winrm;
	struct buf hdr = BUF_INIT;

	if (w->svc_negotiate.value)
		offer(&hdr, "Negotiate", scheme, token);
	if (w->svc_kerberos.value)
		offer(&hdr, "Kerberos", scheme, token);
	if (w->svc_basic.value)
		buf_puts(&hdr, "WWW-Authenticate: Basic realm=\"WSMAN\"\r\n");
	if (w->svc_credssp.value)
		buf_puts(&hdr, "WWW-Authenticate: CredSSP\r\n");
	c->close = 1;
	reply(c, 401, "", buf_cstr(&hdr), "", 0);
	buf_release(&hdr);
}

static void
reply_401(struct conn *c)
{
	reply_401_token(c, "", NULL);
}

/*
 * UAC remote restrictions: a local account other than the built-in
 * Administrator logging on over the network with a password gets a
 * filtered (standard user) token, unless LocalAccountTokenFilterPolicy is
 * 1.  Domain accounts are not filtered.  Certificate logons are left as
 * they were (not modelled: no source says either way).
 */
static int
uac_filtered(struct sim_host *h, const struct sim_account *a)
{
	struct sim_reg_key *k;
	struct sim_reg_value *v;

	if (!sim_account_is_local(h, a) || sim_account_is_builtin_admin(h, a))
		return 0;
	k = sim_reg_key(h, "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\"
	    "Policies\\System", 0);
	v = k != NULL ? sim_reg_value(k, "LocalAccountTokenFilterPolicy", 0) :
	    NULL;
	return v == NULL || v->type != SIM_REG_DWORD || v->num != 1;
}

static int
is_admin(struct conn *c, const struct sim_account *a)
{
	struct sim_host *h = c->hh->host;
	struct sim_group *g = sim_group(h, "S-1-5-32-544");

	if (!a->admin && (g == NULL || sim_group_find_member(g, a->name) < 0))
		return 0;
	return c->cert_logon || !uac_filtered(h, a);
}

/* Base64 to bytes (the caller frees), NULL if malformed. */
static unsigned char *
b64_decode(const char *s, size_t *out)
{
	unsigned char *raw;
	size_t len = strlen(s);
	int n;

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0 || len % 4 != 0 || len > 65536)
		return NULL;
	raw = xmalloc(len + 1);
	if ((n = EVP_DecodeBlock(raw, (const unsigned char *)s,
	    (int)len)) < 0) {
		free(raw);
		return NULL;
	}
	/* EVP_DecodeBlock counts the padding as data. */
	n -= (s[len - 1] == '=') + (s[len - 2] == '=');
	raw[n] = '\0';
	*out = (size_t)n;
	return raw;
}

/*
 * "Basic dXNlcjpwdw==" -> the account, or NULL.  Windows takes Basic for
 * local accounts only (docs/windows-behaviour.md, "Authentication"): a
 * domain account (its SID outside the host's machine domain) or a
 * "user@domain" name is refused like a wrong password.
 */
static struct sim_account *
auth_basic(struct sim_host *h, const char *b64)
{
	struct sim_account *a = NULL;
	unsigned char *raw;
	size_t len, pw_len;
	char *colon;

	if ((raw = b64_decode(b64, &len)) == NULL)
		return NULL;
	if ((colon = strchr((char *)raw, ':')) != NULL) {
		*colon = '\0';
		a = strchr((char *)raw, '@') == NULL ?
		    sim_account(h, (char *)raw) : NULL;
		if (a != NULL && !sim_account_is_local(h, a))
			a = NULL;
		pw_len = strlen(colon + 1);
		if (a != NULL && (a->password == NULL ||
		    strlen(a->password) != pw_len ||
		    CRYPTO_memcmp(a->password, colon + 1, pw_len) != 0))
			a = NULL;
	}
	OPENSSL_cleanse(raw, len);
	free(raw);
	return a;
}

static char *
b64_encode(const struct buf *b)
{
	char *enc;

	enc = xmalloc(4 * ((b->len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)enc, (unsigned char *)b->ptr,
	    (int)b->len);
	return enc;
}

static void
auth_remember(struct conn *c, const struct sim_account *a)
{
	free(c->auth_user);
	c->auth_user = xstrdup(a->name);
}

/*
 * "Negotiate <NTLM token>": the account once the exchange completes;
 * NULL otherwise, after answering the challenge (*replied).
 */
static struct sim_account *
auth_ntlm(struct conn *c, const unsigned char *raw, size_t len, int *replied)
{
	struct sim_host *h = c->hh->host;
	struct sim_account *a = NULL;
	struct buf tok = BUF_INIT, hdr = BUF_INIT;
	char *enc;
	int rc;

	rc = ntlm_step(h, &c->ntlm, bufferevent_openssl_get_ssl(c->bev), raw,
	    len, &tok, &a);
	if (rc == 1) {
		enc = b64_encode(&tok);
		buf_printf(&hdr, "WWW-Authenticate: Negotiate %s\r\n", enc);
		reply(c, 401, "", buf_cstr(&hdr), "", 0);
		*replied = 1;
		free(enc);
	} else if (rc == 0)
		auth_remember(c, a);
	buf_release(&tok);
	buf_release(&hdr);
	return a;
}

/*
 * "Negotiate <AP-REQ>" or "Kerberos <AP-REQ>": the account, with the
 * AP-REP for the reply; a refusal carries the KRB-ERROR, if any, next to
 * the offered schemes (*replied).
 */
static struct sim_account *
auth_krb(struct conn *c, const char *scheme, const unsigned char *raw,
    size_t len, int *replied)
{
	struct sim_host *h = c->hh->host;
	struct sim_account *a = NULL;
	struct buf tok = BUF_INIT;
	char *enc;

	if (krb_step(h, &c->krb, bufferevent_openssl_get_ssl(c->bev), raw, len,
	    &tok, &a) == 0) {
		auth_remember(c, a);
		if (tok.len > 0) {
			enc = b64_encode(&tok);
			free(c->auth_reply);
			c->auth_reply = xasprintf("WWW-Authenticate: %s %s\r\n",
			    scheme, enc);
			free(enc);
		}
	} else if (tok.len > 0) {
		enc = b64_encode(&tok);
		h->counters.auth_failures++;
		reply_401_token(c, scheme, enc);
		*replied = 1;
		free(enc);
	}
	buf_release(&tok);
	return a;
}

/* NTLM's tokens start with their signature; anything else is Kerberos. */
static struct sim_account *
auth_negotiate(struct conn *c, const char *scheme, const char *b64,
    int *replied)
{
	struct sim_account *a = NULL;
	unsigned char *raw;
	size_t len;

	if ((raw = b64_decode(b64, &len)) == NULL)
		return NULL;
	if (len >= 8 && memcmp(raw, "NTLMSSP", 8) == 0) {
		if (strcmp(scheme, "Negotiate") == 0)
			a = auth_ntlm(c, raw, len, replied);
	} else
		a = auth_krb(c, scheme, raw, len, replied);
	free(raw);
	return a;
}

/* The scheme of an Authorization value: its length if it is name. */
static size_t
is_scheme(const char *auth, const char *name)
{
	size_t n = strlen(name);

	return strncasecmp(auth, name, n) == 0 && auth[n] == ' ' ? n + 1 : 0;
}

/*
 * Who is asking: the account, or NULL after replying 401.  Disabled
 * schemes are refused like wrong credentials, and so is a bare "NTLM"
 * scheme, which WinRM never offers; a connection NTLM or Kerberos has
 * authenticated stays authenticated.
 */
static struct sim_account *
authenticate(struct conn *c)
{
	struct sim_host *h = c->hh->host;
	struct sim_winrm_config *w = &h->winrm;
	struct sim_account *a = NULL;
	const char *auth = c->authorization, *user;
	int replied = 0;
	size_t n;

	c->cert_logon = 0;
	if (auth == NULL) {
		if (c->auth_user != NULL &&
		    (a = sim_account(h, c->auth_user)) != NULL)
			return a;
		reply_401(c);
		return NULL;
	}
	if ((n = is_scheme(auth, "Basic")) > 0 && w->svc_basic.value)
		a = auth_basic(h, auth + n);
	else if ((n = is_scheme(auth, "Negotiate")) > 0 &&
	    w->svc_negotiate.value)
		a = auth_negotiate(c, "Negotiate", auth + n, &replied);
	else if ((n = is_scheme(auth, "Kerberos")) > 0 &&
	    w->svc_kerberos.value)
		a = auth_negotiate(c, "Kerberos", auth + n, &replied);
	else if (strcmp(auth, MUTUAL_AUTH) == 0 && w->svc_certificate.value &&
	    (user = tls_client_user(h, bufferevent_openssl_get_ssl(c->bev)))
	    != NULL) {
		a = sim_account(h, user);
		c->cert_logon = 1;
	}
	if (a == NULL && !replied) {
		h->counters.auth_failures++;
		reply_401(c);
	}
	return a;
}

/* --- requests ------------------------------------------------------------ */

static int
path_matches(struct conn *c)
{
	struct sim_listener *l = c->tls ? tls_listener(c->hh->host, c->port) :
	    tls_plain_listener(c->hh->host, c->port);
	const char *prefix = l != NULL && l->url_prefix != NULL ?
	    l->url_prefix : "wsman";
	size_t n = strlen(prefix);
	const char *p = c->path;

	if (*p++ != '/' || strncasecmp(p, prefix, n) != 0)
		return 0;
	p += n;
	return *p == '\0' || *p == '?' || (p[0] == '/' && (p[1] == '\0' ||
	    p[1] == '?'));
}

/*
 * The HTTP listener: an empty body only authenticates (as pywinrm's first
 * request does); a sealed body is opened, answered and the reply sealed;
 * SOAP in clear is refused while AllowUnencrypted is false.
 */
static void
handle_http(struct conn *c, struct sim_account *a)
{
	struct sim_host *h = c->hh->host;
	struct buf plain = BUF_INIT, out = BUF_INIT, sealed = BUF_INIT;
	struct sealer sealer;
	char *type, *hdr;
	int status;

	if (c->body.len == 0) {
		/* Kerberos' AP-REP, if any, goes with it. */
		reply(c, 200, "", c->auth_reply, "", 0);
		free(c->auth_reply);
		c->auth_reply = NULL;
		return;
	}
	if (!encrypt_is_sealed(c->content_type)) {
		if (!h->winrm.svc_allow_unencrypted.value) {
			h->counters.auth_failures++;
			reply_401(c);
			return;
		}
		soap_handle(h, a->name, is_admin(c, a), c->peer, c->id,
		    c->body.ptr, c->body.len, &out, &status);
		reply_soap(c, status, &out);
		buf_release(&out);
		return;
	}
	/* The scheme that authenticated the connection seals its messages. */
	if ((ntlm_sealer(c->ntlm, &sealer) != 0 &&
	    krb_sealer(c->krb, &sealer) != 0) ||
	    encrypt_open(&sealer, c->body.ptr, c->body.len, &plain) != 0) {
		c->close = 1;
		reply(c, 400, "", NULL, "", 0);
		buf_release(&plain);
		return;
	}
	soap_handle(h, a->name, is_admin(c, a), c->peer, c->id,
	    plain.ptr != NULL ? plain.ptr : "", plain.len, &out, &status);
	if (encrypt_seal(&sealer, out.ptr != NULL ? out.ptr : "", out.len,
	    &sealed, &type) != 0) {
		c->close = 1;
		reply(c, 500, "", NULL, "", 0);
	} else {
		hdr = xasprintf("Content-Type: %s\r\n", type);
		reply(c, status, "", hdr, sealed.ptr, sealed.len);
		free(hdr);
		free(type);
	}
	buf_release(&plain);
	buf_release(&out);
	buf_release(&sealed);
}

static void
handle(struct conn *c)
{
	struct sim_host *h = c->hh->host;
	struct sim_account *a;
	struct buf out = BUF_INIT;
	int status;

	if (!path_matches(c)) {
		reply(c, 404, "Not Found", "Content-Type: text/html; "
		    "charset=us-ascii\r\n", NOT_FOUND_HTML,
		    strlen(NOT_FOUND_HTML));
		return;
	}
	if (strcmp(c->method, "POST") != 0) {
		reply(c, 405, "", "Allow: POST\r\n", "", 0);
		return;
	}
	if (h->faults.http500) {
		reply(c, 500, "", NULL, "", 0);
		return;
	}
	if ((a = authenticate(c)) == NULL)
		return;
	if (!c->tls)
		handle_http(c, a);
	else {
		soap_handle(h, a->name, is_admin(c, a), c->peer, c->id,
		    c->body.ptr != NULL ? c->body.ptr : "", c->body.len, &out,
		    &status);
		reply_soap(c, status, &out);
	}
	buf_release(&out);
	/* The request may have stopped WinRM or changed the envelope cap. */
	http_host_sync(h);
}

/* A request has been read: answer it, unless the host stopped serving. */
static void
dispatch(struct conn *c)
{
	c->state = C_BUSY;
	bufferevent_disable(c->bev, EV_READ);
	if (!http_host_serving(c->hh->host)) {
		/* Gone: close without a word. */
		struct timeval now = { 0, 0 };

		c->drop = c->close = 1;
		c->pending = evbuffer_new();
		evtimer_add(c->timer, &now);
		return;
	}
	handle(c);
}

/* An error of the request's framing: answer as http.sys and close. */
static void
bad_request(struct conn *c, int status, const char *reason)
{
	c->state = C_BUSY;
	c->close = 1;
	bufferevent_disable(c->bev, EV_READ);
	reply(c, status, reason, "Content-Type: text/html; "
	    "charset=us-ascii\r\n", "", 0);
}

static int
parse_request_line(struct conn *c, const char *line)
{
	char method[16], target[4096], version[16];

	if (sscanf(line, "%15s %4095s %15s", method, target, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7) != 0)
		return -1;
	snprintf(c->method, sizeof(c->method), "%s", method);
	c->path = xstrdup(target);
	/* HTTP/1.0 closes unless asked not to; 1.1 keeps alive. */
	c->close = strcmp(version, "HTTP/1.0") == 0;
	return 0;
}

static void
parse_header(struct conn *c, const char *line)
{
	const char *colon = strchr(line, ':'), *v;
	size_t n;

	if (colon == NULL)
		return;
	n = (size_t)(colon - line);
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	if (n == 13 && strncasecmp(line, "Authorization", n) == 0) {
		free(c->authorization);
		c->authorization = xstrdup(v);
	} else if (n == 14 && strncasecmp(line, "Content-Length", n) == 0)
		c->remaining = strtoll(v, NULL, 10);
	else if (n == 17 && strncasecmp(line, "Transfer-Encoding", n) == 0)
		c->chunked = strcasestr(v, "chunked") != NULL;
	else if (n == 10 && strncasecmp(line, "Connection", n) == 0) {
		if (strcasestr(v, "close") != NULL)
			c->close = 1;
		else if (strcasestr(v, "keep-alive") != NULL)
			c->close = 0;
	} else if (n == 12 && strncasecmp(line, "Content-Type", n) == 0) {
		free(c->content_type);
		c->content_type = xstrdup(v);
	} else if (n == 6 && strncasecmp(line, "Expect", n) == 0 &&
	    strcasestr(v, "100-continue") != NULL)
		c->expect = 1;
}

static size_t
body_cap(const struct sim_host *h)
{
	return (size_t)h->winrm.max_envelope_kb * 1024;
}

/* The blank line after the headers: decide how to read the body. */
static void
headers_done(struct conn *c)
{
	struct sim_host *h = c->hh->host;

	if (c->remaining < 0) {
		bad_request(c, 400, "Bad Request");
		return;
	}
	if (!c->chunked && (unsigned long long)c->remaining > body_cap(h)) {
		/* Read the body away, so the client sees the 413, not a
		 * reset (http.sys lingers the same way). */
		c->discard = c->remaining;
		bad_request(c, 413, "Request Entity Too Large");
		if (c->discard > 0)
			bufferevent_enable(c->bev, EV_READ);
		return;
	}
	if (c->expect)
		bufferevent_write(c->bev, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	if (c->chunked)
		c->state = C_CHUNK_SIZE;
	else if (c->remaining > 0)
		c->state = C_BODY;
	else
		dispatch(c);
}

/* One line of the request head; 0 to go on, -1 after a reply. */
static int
read_head_line(struct conn *c, char *line)
{
	if (c->state == C_LINE) {
		if (*line == '\0')
			return 0;	/* tolerate blank lines between */
		if (parse_request_line(c, line) != 0) {
			bad_request(c, 400, "Bad Request");
			return -1;
		}
		c->state = C_HEADERS;
		return 0;
	}
	if (*line != '\0') {
		parse_header(c, line);
		return 0;
	}
	headers_done(c);
	return 0;
}

/* Append up to `remaining` body bytes; 1 when the chunk or body ended. */
static int
read_body(struct conn *c, struct evbuffer *in)
{
	size_t avail = evbuffer_get_length(in);
	size_t n = avail < (size_t)c->remaining ? avail : (size_t)c->remaining;

	buf_grow(&c->body, n);
	evbuffer_remove(in, c->body.ptr + c->body.len, n);
	c->body.len += n;
	c->body.ptr[c->body.len] = '\0';
	c->remaining -= (long long)n;
	return c->remaining == 0;
}

static int
read_chunk_line(struct conn *c, char *line)
{
	char *end;

	switch (c->state) {
	case C_CHUNK_SIZE:
		c->remaining = strtoll(line, &end, 16);
		if (end == line || c->remaining < 0 ||
		    c->body.len + (size_t)c->remaining >
		    body_cap(c->hh->host)) {
			bad_request(c, 413, "Request Entity Too Large");
			return -1;
		}
		c->state = c->remaining > 0 ? C_CHUNK_DATA : C_TRAILER;
		return 0;
	case C_CHUNK_END:
		c->state = C_CHUNK_SIZE;
		return 0;
	default:	/* C_TRAILER */
		if (*line == '\0')
			dispatch(c);
		return 0;
	}
}

/* Parse what has arrived; stops when a request is being answered. */
static void
conn_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char *line;
	size_t n;
	int rc;

	if (c->discard > 0) {
		n = evbuffer_get_length(in);
		n = (long long)n < c->discard ? n : (size_t)c->discard;
		evbuffer_drain(in, n);
		c->discard -= (long long)n;
		if (c->discard == 0 && c->pending == NULL &&
		    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			conn_free(c);
		return;
	}
	while (c->state != C_BUSY) {
		if (c->state == C_BODY || c->state == C_CHUNK_DATA) {
			if (evbuffer_get_length(in) == 0)
				return;
			if (read_body(c, in) && c->state == C_BODY)
				dispatch(c);
			else if (c->remaining == 0)
				c->state = C_CHUNK_END;
			continue;
		}
		line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF);
		if (line == NULL) {
			if (evbuffer_get_length(in) > MAX_HEAD)
				bad_request(c, 400, "Bad Request");
			return;
		}
		c->head_bytes += n + 2;
		if (c->head_bytes > MAX_HEAD) {
			free(line);
			bad_request(c, 400, "Bad Request");
			return;
		}
		rc = c->state == C_LINE || c->state == C_HEADERS ?
		    read_head_line(c, line) : read_chunk_line(c, line);
		free(line);
		if (rc != 0)
			return;
	}
}

/* --- listening ----------------------------------------------------------- */

/* The connection's bufferevent: TLS on an HTTPS listener, else plain. */
static struct bufferevent *
conn_bev(struct bound *b, evutil_socket_t fd)
{
	struct sim_host *h = b->hh->host;
	struct event_base *base = h->fleet->base;
	struct bufferevent *bev;
	SSL *ssl;

	if (!b->tls)
		return bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if ((ssl = SSL_new(h->fleet->ssl_ctx)) == NULL)
		return NULL;
	tls_ssl_set_host(ssl, h, b->port);
	bev = bufferevent_openssl_socket_new(base, fd, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		SSL_free(ssl);
	else
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

static void
accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct bound *b = arg;
	struct http_host *hh = b->hh;
	struct sim_host *h = hh->host;
	struct timeval idle = { IDLE_SECONDS, 0 };
	struct conn *c;
	int one = 1;

	/* A reply goes out as a few TLS records: don't let Nagle hold the
	 * last one back for the client's delayed ACK. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	h->counters.connections++;
	c = xcalloc(1, sizeof(*c));
	c->id = ++h->fleet->nconns;
	sim_trace(h, c->id, "connect", "-", NULL, 0);
	c->hh = hh;
	c->port = b->port;
	c->tls = b->tls;
	if (sa->sa_family != AF_INET || inet_ntop(AF_INET,
	    &((struct sockaddr_in *)sa)->sin_addr, c->peer,
	    sizeof(c->peer)) == NULL)
		snprintf(c->peer, sizeof(c->peer), "127.0.0.1");
	if ((c->bev = conn_bev(b, fd)) == NULL) {
		evutil_closesocket(fd);
		free(c);
		return;
	}
	c->timer = evtimer_new(h->fleet->base, conn_timer, c);
	TAILQ_INSERT_TAIL(&hh->conns, c, entry);
	if (++h->counters.connections_open > h->counters.connections_max)
		h->counters.connections_max = h->counters.connections_open;
	bufferevent_setcb(c->bev, conn_read, conn_written, conn_event, c);
	bufferevent_set_timeouts(c->bev, &idle, NULL);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static int
listen_on(struct http_host *hh, int port, int tls, char **cause)
{
	struct sim_host *h = hh->host;
	struct sockaddr_in sin;
	struct bound *b;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, h->address, &sin.sin_addr) != 1)
		return cause_set(cause, "%s: bad address '%s'", h->name,
		    h->address);
	b = xcalloc(1, sizeof(*b));
	b->hh = hh;
	b->port = port;
	b->tls = tls;
	b->lev = evconnlistener_new_bind(h->fleet->base, accept_cb, b,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    128, (struct sockaddr *)&sin, sizeof(sin));
	if (b->lev == NULL) {
		free(b);
		return cause_set(cause, "%s: listen on %s:%d: %s", h->name,
		    h->address, port, strerror(errno));
	}
	hh->bound = xreallocarray(hh->bound, hh->nbound + 1,
	    sizeof(*hh->bound));
	hh->bound[hh->nbound++] = b;
	return 0;
}

static void
unbind(struct http_host *hh, size_t i)
{
	evconnlistener_free(hh->bound[i]->lev);
	free(hh->bound[i]);
	hh->bound[i] = hh->bound[--hh->nbound];
}

static int
is_bound(const struct http_host *hh, int port)
{
	size_t i;

	for (i = 0; i < hh->nbound; i++)
		if (hh->bound[i]->port == port)
			return 1;
	return 0;
}

/* The listener a bound socket still serves, or NULL. */
static struct sim_listener *
bound_listener(struct sim_host *h, const struct bound *b)
{
	return b->tls ? tls_listener(h, b->port) :
	    tls_plain_listener(h, b->port);
}

/*
 * Listen on every HTTPS listener's port, and on the HTTP listener's when
 * the host serves it; the first failure is returned.
 */
static int
bind_all(struct http_host *hh, char **cause)
{
	struct sim_host *h = hh->host;
	struct sim_listener *l;
	size_t i;
	int rc = 0;

	for (i = 0; i < h->nlisteners; i++) {
		l = &h->listeners[i];
		if (tls_listener(h, l->port) != l || is_bound(hh, l->port))
			continue;
		if (listen_on(hh, l->port, 1, cause) != 0 && rc == 0)
			rc = -1;
	}
	if ((l = tls_plain_listener(h, 0)) != NULL && !is_bound(hh, l->port) &&
	    listen_on(hh, l->port, 0, cause) != 0 && rc == 0)
		rc = -1;
	return rc;
}

int
http_host_serving(const struct sim_host *ch)
{
	struct sim_host *h = (struct sim_host *)ch;
	struct sim_service *s = sim_service(h, "WinRM");

	return !h->faults.down && !h->powered_off && s != NULL &&
	    s->state != NULL &&
	    strcasecmp(s->state, "Running") == 0 &&
	    (tls_listener(h, 0) != NULL || tls_plain_listener(h, 0) != NULL);
}

void
http_host_sync(struct sim_host *h)
{
	struct http_host *hh = h->priv;
	struct conn *c, *next;
	char *cause = NULL;
	size_t i = 0;
	int serving = http_host_serving(h);

	if (hh == NULL)
		return;
	while (i < hh->nbound)
		if (!serving || bound_listener(h, hh->bound[i]) == NULL)
			unbind(hh, i);
		else
			i++;
	if (serving) {
		if (bind_all(hh, &cause) != 0)
			free(cause);	/* retried at the next sync */
		return;
	}
	/* A host that went away drops its connections too; the one being
	 * answered goes once its reply is out. */
	for (c = TAILQ_FIRST(&hh->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->state == C_BUSY)
			c->close = 1;
		else
			conn_free(c);
	}
}

static void
service_changed(struct sim_host *h, struct sim_service *s)
{
	if (strcasecmp(s->name, "WinRM") == 0)
		http_host_sync(h);
}

int
http_host_start(struct sim_host *h, char **cause)
{
	struct http_host *hh;

	hh = xcalloc(1, sizeof(*hh));
	hh->host = h;
	TAILQ_INIT(&hh->conns);
	h->priv = hh;
	h->fleet->service_changed = service_changed;
	if (http_host_serving(h) && bind_all(hh, cause) != 0)
		return -1;
	return 0;
}

void
http_host_stop(struct sim_host *h)
{
	struct http_host *hh = h->priv;

	if (hh == NULL)
		return;
	while (!TAILQ_EMPTY(&hh->conns))
		conn_free(TAILQ_FIRST(&hh->conns));
	while (hh->nbound > 0)
		unbind(hh, 0);
	free(hh->bound);
	free(hh);
	h->priv = NULL;
}
