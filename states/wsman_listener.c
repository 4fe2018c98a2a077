/*
 * wsman_listener.c: the WinRM HTTPS listener exists, is enabled, and its
 * certificate is fit to be trusted.  The certificate is checked two ways:
 * as the listener presents it in a live TLS handshake (our own
 * connection's, when it went to that listener; else tlsprobe.c's), and,
 * only when that one is unfit, the certificates of LocalMachine\My
 * themselves, read as DER through PowerShell (WinRM has no resource for
 * the store) and judged with OpenSSL (certstore.c), so that no localised
 * text is parsed (docs/windows-behaviour.md, "Certificates").
 *
 * Remedy, in order: bind the listener to the desired thumbprint; or to the
 * best certificate of LocalMachine\My that qualifies (it chains to
 * ca_file, has the Server Authentication EKU, the host's name, its private
 * key on the host and min_days_left); or create the listener.  A rebind is
 * checked by a new TLS handshake and put back when that fails, so that it
 * cannot lock enforcer out.  With no certificate that qualifies, the change
 * is reported as needing a person, saying what is missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "certstore.h"
#include "state.h"
#include "timeparse.h"
#include "tlsprobe.h"
#include "wsman.h"

#define LST_URI	"http://schemas.microsoft.com/wbem/wsman/1/config/listener"
#define DAY	86400

/* What a certificate of the store lacks to serve the listener. */
#define LST_LACKS_TRUST	0x01
#define LST_LACKS_EKU	0x02
#define LST_LACKS_NAME	0x04
#define LST_LACKS_KEY	0x08
#define LST_LACKS_DAYS	0x10

/*
 * The listener for every address (Address=*): the one apply writes.  A
 * listener bound to one IP is someone else's; reading it instead would
 * plan changes that apply then makes to a listener that does not exist.
 */
static const struct node *
lst_find(const struct node *items, const char *transport)
{
	const struct node *l;
	const char *t, *a;
	size_t i;

	for (i = 0; i < wsman_list_len(items); i++) {
		l = wsman_list(items, i);
		t = node_get_str(l, "Transport");
		a = node_get_str(l, "Address");
		if (t != NULL && strcasecmp(t, transport) == 0 && a != NULL &&
		    strcmp(a, "*") == 0)
			return l;
	}
	return NULL;
}

/* Whole days from now until the instant an observed key holds. */
static long long
lst_days_left(const struct node *n, const char *key, time_t now)
{
	const char *s = node_get_str(n, key);
	time_t t;

	if (s == NULL || timeparse_rfc3339(s, &t, NULL) == -1)
		return -1;
	return (long long)(t - now) / DAY;
}

static int
lst_read_store(struct state_ctx *ctx, struct node *obs, char **cause)
{
	struct wsman_cmd r = WSMAN_CMD_INIT;
	struct node *store;
	char *line, *said;
	int rc = -1;

	line = certstore_command();
	if (wsman_run(ctx->ws, line, WSMAN_KEEP_SHELL, &r, cause) == -1)
		goto out;
	if (r.exit_code != 0) {
		said = wsman_cmd_said(&r);
		cause_set(cause, "powershell exited %ld: %s", r.exit_code, said);
		free(said);
		goto out;
	}
	if (certstore_parse(buf_cstr(&r.out), ctx->host, ctx->ca_file, &store,
	    cause) == -1)
		goto out;
	node_map_set(obs, "store", store);
	rc = 0;
out:
	if (rc == -1)
		cause_prefix(cause, "reading LocalMachine\\My");
	wsman_cmd_release(&r);
	free(line);
	return rc;
}

/*
 * What the listener really presents.  When our own connection went to
 * that listener, it is what that connection's handshake saw: no second
 * connection, no second handshake.  Otherwise (another port, or reached
 * over HTTP) a handshake of its own.
 */
static void
lst_probe(struct state_ctx *ctx, int port, struct node *https)
{
	const struct buf *seen = wsman_peer_chain(ctx->ws);
	struct tlsprobe_result pr;
	struct node *c;
	char *cause = NULL;
	int rc;

	if (seen != NULL && port == ctx->port)
		rc = tlsprobe_chain(&pr, (const unsigned char *)seen->ptr,
		    seen->len, ctx->host, ctx->ca_file, &cause);
	else
		rc = tlsprobe_run(&pr, ctx->host, ctx->address, port,
		    ctx->ca_file, 10000, &cause);
	if (rc == -1) {
		c = node_map();
		node_map_set(c, "error", node_scalar(cause));
		node_map_set(https, "presented", c);
		free(cause);
		return;
	}
	node_map_set(https, "presented", certstore_node(&pr));
	tlsprobe_result_release(&pr);
}

static struct node *
lst_listener_node(const struct node *l)
{
	static const char *fields[][2] = {
		{ "Port", "port" }, { "Hostname", "hostname" },
		{ "Enabled", "enabled" },
		{ "CertificateThumbprint", "thumbprint" },
		{ "Address", "address" },
	};
	struct node *o;
	const char *v;
	size_t i;

	o = node_map();
	node_map_set(o, "exists", node_scalar(l != NULL ? "true" : "false"));
	for (i = 0; l != NULL && i < nitems(fields); i++)
		if ((v = node_get_str(l, fields[i][0])) != NULL)
			node_map_set(o, fields[i][1], node_scalar(v));
	/* WinRM marks a listener Group Policy made on the element itself:
	 * <cfg:Listener Source="GPO">. */
	if (l != NULL && ((v = node_get_str(l, "@Source")) != NULL ||
	    (v = node_get_str(l, "Port@Source")) != NULL) &&
	    strcasecmp(v, "GPO") == 0)
		node_map_set(o, "source", node_scalar("gpo"));
	return o;
}

/* The port the HTTPS listener serves on, as observed (or configured). */
static int
lst_port(const struct state_ctx *ctx, const struct node *https)
{
	long long port;

	if (node_int(node_get(https, "port"), &port) == -1 || port < 1 ||
	    port > 65535)
		return ctx->port;
	return (int)port;
}

static int lst_true(const struct node *, const char *, int);
static char *lst_unfit(const struct node *, const struct node *, time_t);

/*
 * Whether the diff will look for a certificate to bind: only then is
 * LocalMachine\My read.  Reading the store costs a remote shell, five
 * requests in series; a listener that presents a fit certificate (the
 * usual case) needs none of it.  Mirrors lst_diff_https()'s rebind rule.
 */
static int
lst_needs_store(const struct node *want, const struct node *https,
    time_t now)
{
	char *why;

	if (want == NULL || !lst_true(want, "enabled", 1) ||
	    node_get_str(want, "thumbprint") != NULL)
		return 0;
	if (!lst_true(https, "exists", 0))
		return 1;
	if (!lst_true(https, "enabled", 1))
		return 0;
	why = lst_unfit(node_get(want, "certificate"), https, now);
	free(why);
	return why != NULL;
}

static int
lst_read(struct state_ctx *ctx, const struct node *desired,
    struct node **observed, char **cause)
{
	struct node *items = NULL, *obs, *https;

	if (wsman_enumerate(ctx->ws, WSMAN_REF(LST_URI), NULL, &items,
	    cause) == -1)
		return -1;
	obs = node_map();
	https = lst_listener_node(lst_find(items, "HTTPS"));
	node_map_set(obs, "http", lst_listener_node(lst_find(items, "HTTP")));
	if (node_get(https, "thumbprint") != NULL)
		lst_probe(ctx, lst_port(ctx, https), https);
	node_map_set(obs, "https", https);
	node_free(items);
	if (lst_needs_store(node_get(desired, "https"), https, ctx->now) &&
	    lst_read_store(ctx, obs, cause) == -1) {
		node_free(obs);
		return -1;
	}
	*observed = obs;
	return 0;
}

static int
lst_true(const struct node *n, const char *key, int dflt)
{
	int v;

	return node_bool(node_get(n, key), &v) == 0 ? v : dflt;
}

static long long
lst_num(const struct node *n, const char *key, long long dflt)
{
	long long v;

	return node_int(node_get(n, key), &v) == 0 ? v : dflt;
}

/* Why the presented certificate is unfit, or NULL. */
static char *
lst_unfit(const struct node *cert_want, const struct node *https, time_t now)
{
	const struct node *p = node_get(https, "presented");
	const char *err = node_get_str(p, "error");
	long long min = lst_num(cert_want, "min_days_left", 0);
	long long left = lst_days_left(p, "not_after", now);

	if (p == NULL)
		return NULL;
	if (err != NULL)
		return xasprintf("TLS handshake failed: %s", err);
	if (left < 0)
		return xasprintf("certificate expired %lld days ago", -left);
	if (left < min)
		return xasprintf("certificate expires in %lld days (fewer than "
		    "min_days_left %lld)", left, min);
	if (lst_true(cert_want, "match_hostname", 1) &&
	    !lst_true(p, "name_matches", 0))
		return xasprintf("certificate is not for the host's name ('%s')",
		    node_get_str(p, "subject"));
	if (lst_true(cert_want, "require_server_auth", 1) &&
	    !lst_true(p, "server_auth", 0))
		return xstrdup("certificate lacks the serverAuth usage");
	if (!lst_true(p, "trusted", 0))
		return xasprintf("certificate is not trusted: %s",
		    node_get_str(p, "verify_error") != NULL ?
		    node_get_str(p, "verify_error") : "unknown issuer");
	if (node_get_str(https, "thumbprint") != NULL &&
	    node_get_str(p, "thumbprint") != NULL &&
	    strcasecmp(node_get_str(https, "thumbprint"),
	    node_get_str(p, "thumbprint")) != 0)
		return xstrdup("the listener presents another certificate "
		    "than the one configured");
	return NULL;
}

/* What certificate c of the store lacks to serve the listener (LST_LACKS_*),
 * judged by the certificate itself as read. */
static int
lst_lacks(const struct node *c, long long min, time_t now)
{
	const char *nb = node_get_str(c, "not_before");
	time_t t;
	int m = 0;

	if (!lst_true(c, "trusted", 0))
		m |= LST_LACKS_TRUST;
	if (!lst_true(c, "server_auth_eku", 0))
		m |= LST_LACKS_EKU;
	if (!lst_true(c, "name_matches", 0))
		m |= LST_LACKS_NAME;
	if (!lst_true(c, "private_key", 0))
		m |= LST_LACKS_KEY;
	if (lst_days_left(c, "not_after", now) < min || nb == NULL ||
	    timeparse_rfc3339(nb, &t, NULL) == -1 || t > now)
		m |= LST_LACKS_DAYS;
	return m;
}

static int
lst_nbits(int m)
{
	int n = 0;

	for (; m != 0; m &= m - 1)
		n++;
	return n;
}

/* a is a better choice than b: later expiry, then later start, then the
 * greater thumbprint (so that every run picks the same one). */
static int
lst_better(const struct node *a, const struct node *b)
{
	static const char *const keys[] = { "not_after", "not_before",
	    "thumbprint" };
	const char *x, *y;
	size_t i;
	int d;

	if (b == NULL)
		return 1;
	for (i = 0; i < nitems(keys); i++) {
		x = node_get_str(a, keys[i]);
		y = node_get_str(b, keys[i]);
		if ((d = strcmp(x != NULL ? x : "", y != NULL ? y : "")) != 0)
			return d > 0;
	}
	return 0;
}

/*
 * The best certificate of the store that qualifies, other than current,
 * or NULL; then *closest is the one that lacks fewest properties and
 * *lacks what (both for telling a person).
 */
static const struct node *
lst_candidate(const struct node *store, long long min, const char *current,
    time_t now, const struct node **closest, int *lacks)
{
	const struct node *c, *best = NULL;
	const char *t;
	size_t i;
	int m;

	*closest = NULL;
	*lacks = 0;
	for (i = 0; store != NULL && i < store->nitems; i++) {
		c = store->items[i];
		t = node_get_str(c, "thumbprint");
		if (t == NULL || (current != NULL && strcasecmp(t,
		    current) == 0))
			continue;
		m = lst_lacks(c, min, now);
		if (m == 0 && lst_better(c, best))
			best = c;
		if (m != 0 && (*closest == NULL || lst_nbits(m) <
		    lst_nbits(*lacks) || (lst_nbits(m) == lst_nbits(*lacks) &&
		    lst_better(c, *closest)))) {
			*closest = c;
			*lacks = m;
		}
	}
	return best;
}

/* "a chain to a CA in ca_file, its private key, ...": what lacks names. */
static void
lst_lacks_text(struct buf *b, int lacks, const char *host, long long min)
{
	const char *sep = "";

	if (lacks & LST_LACKS_TRUST) {
		buf_printf(b, "%sa chain to a CA in ca_file", sep);
		sep = ", ";
	}
	if (lacks & LST_LACKS_EKU) {
		buf_printf(b, "%sthe Server Authentication EKU", sep);
		sep = ", ";
	}
	if (lacks & LST_LACKS_NAME) {
		buf_printf(b, "%s%s in its SAN", sep, host);
		sep = ", ";
	}
	if (lacks & LST_LACKS_KEY) {
		buf_printf(b, "%sits private key on the host", sep);
		sep = ", ";
	}
	if (lacks & LST_LACKS_DAYS)
		buf_printf(b, "%sat least %lld days of validity left", sep,
		    min);
}

/* What a person must provide: one line naming the host and what lacks. */
static char *
lst_needs_person(const char *why, const char *host, long long min,
    const struct node *closest, int lacks)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "needs a person: %s; %s: no certificate in "
	    "LocalMachine\\My qualifies: enroll one with ", why, host);
	lst_lacks_text(&b, LST_LACKS_TRUST | LST_LACKS_EKU | LST_LACKS_NAME |
	    LST_LACKS_KEY | LST_LACKS_DAYS, host, min);
	buf_puts(&b, ", then run apply again");
	if (closest != NULL) {
		buf_printf(&b, " (closest, %s, lacks ",
		    node_get_str(closest, "thumbprint"));
		lst_lacks_text(&b, lacks, host, min);
		buf_puts(&b, ")");
	}
	return buf_detach(&b);
}

/* A listener Group Policy made is reported, never fought (WinRM refuses
 * the Put anyway: "controlled by policies"). */
static void
lst_gpo(struct change *c, const struct node *listener)
{
	if (node_get_str(listener, "source") != NULL)
		c->flags |= CHANGE_GPO;
}

/* Rebind (or create) to the best qualifying certificate, or say what a
 * person must provide. */
static void
lst_diff_rebind(const struct node *want, const struct node *obs,
    const char *host, time_t now, char *why, struct changes *out)
{
	const struct node *https = node_get(obs, "https");
	const struct node *cw = node_get(want, "certificate");
	const struct node *cand, *closest;
	const char *cur = node_get_str(https, "thumbprint");
	long long min = lst_num(cw, "min_days_left", 0);
	struct change *c;
	int exists = lst_true(https, "exists", 0), lacks;

	cand = lst_candidate(node_get(obs, "store"), min > 0 ? min : 1, cur,
	    now, &closest, &lacks);
	c = changes_add(out, "wsman_listener", "wsman_listener.https.thumbprint",
	    exists ? cur : NULL, cand != NULL ? node_get_str(cand,
	    "thumbprint") : NULL, cw != NULL ? cw : want);
	lst_gpo(c, https);
	if (cand == NULL) {
		c->flags |= CHANGE_NEEDS_PERSON;
		c->note = lst_needs_person(why != NULL ? why :
		    "no HTTPS listener", host, min > 0 ? min : 1, closest,
		    lacks);
	} else {
		c->flags |= CHANGE_CUTS_CONNECTION;
		c->note = xasprintf("%s; rebinding to the newest fit "
		    "certificate in LocalMachine\\My", why != NULL ? why :
		    "no HTTPS listener");
	}
}

static void
lst_diff_https(const struct node *want, const struct node *obs,
    const char *host, time_t now, struct changes *out)
{
	const struct node *https = node_get(obs, "https");
	const char *cur = node_get_str(https, "thumbprint");
	const char *pin = node_get_str(want, "thumbprint");
	struct change *c;
	char *why = NULL;
	int exists = lst_true(https, "exists", 0);

	if (!lst_true(want, "enabled", 1))
		return;
	if (pin != NULL && (cur == NULL || strcasecmp(pin, cur) != 0)) {
		c = changes_add(out, "wsman_listener",
		    "wsman_listener.https.thumbprint", cur, pin,
		    node_get(want, "thumbprint"));
		c->flags |= CHANGE_CUTS_CONNECTION;
		lst_gpo(c, https);
		return;
	}
	if (exists && !lst_true(https, "enabled", 1)) {
		c = changes_add(out, "wsman_listener",
		    "wsman_listener.https.enabled", "false", "true", want);
		lst_gpo(c, https);
		return;
	}
	if (exists && pin == NULL)
		why = lst_unfit(node_get(want, "certificate"), https, now);
	if (!exists || why != NULL)
		lst_diff_rebind(want, obs, host, now, why, out);
	free(why);
}

static int
lst_diff(const struct node *desired, const struct node *observed,
    time_t now, struct changes *out, char **cause)
{
	const struct node *w, *http = node_get(observed, "http");
	const char *host = node_get_str(observed, "host");

	if ((w = node_get(desired, "https")) != NULL)
		lst_diff_https(w, observed, host != NULL ? host : "", now, out);
	if ((w = node_get(desired, "http")) != NULL && !lst_true(w, "enabled",
	    1) && lst_true(http, "exists", 0))
		lst_gpo(changes_add(out, "wsman_listener",
		    "wsman_listener.http", "present", NULL,
		    node_get(w, "enabled")), http);
	return 0;
}

static int
lst_apply_https(struct state_ctx *ctx, const char *thumbprint, int create,
    const struct node *https, char **cause)
{
	static const struct wsman_selector sel[] = {
		{ "Address", "*" }, { "Transport", "HTTPS" },
	};
	const struct wsman_ref ref = { LST_URI, sel, nitems(sel) };
	struct wsman_body body;
	struct node *f;
	char port[16];
	int rc;

	snprintf(port, sizeof(port), "%d", lst_port(ctx, https));
	f = node_map();
	node_map_set(f, "Hostname", node_scalar(ctx->host));
	node_map_set(f, "Enabled", node_scalar("true"));
	node_map_set(f, "URLPrefix", node_scalar("wsman"));
	node_map_set(f, "CertificateThumbprint", node_scalar(thumbprint));
	node_map_set(f, "Port", node_scalar(port));
	memset(&body, 0, sizeof(body));
	body.name = "Listener";
	body.ns = LST_URI;
	body.fields = f;
	if (create)
		rc = wsman_create(ctx->ws, &ref, &body, NULL, cause);
	else
		rc = wsman_put(ctx->ws, &ref, &body, NULL, cause);
	node_free(f);
	return rc;
}

static int
lst_delete(struct state_ctx *ctx, const char *transport, char **cause)
{
	const struct wsman_selector sel[] = {
		{ "Address", "*" }, { "Transport", transport },
	};
	const struct wsman_ref ref = { LST_URI, sel, nitems(sel) };

	return wsman_delete(ctx->ws, &ref, cause);
}

/* Why a new TLS connection to the listener would fail, or NULL when it
 * presents thumbprint, trusted and for the host's name. */
static char *
lst_live_fault(struct state_ctx *ctx, int port, const char *thumbprint)
{
	struct tlsprobe_result pr;
	char *why = NULL;

	if (tlsprobe_run(&pr, ctx->host, ctx->address, port, ctx->ca_file,
	    10000, &why) == -1)
		return why;
	if (strcasecmp(pr.thumbprint, thumbprint) != 0)
		why = xasprintf("the listener presents %s", pr.thumbprint);
	else if (!pr.chain_ok)
		why = xasprintf("certificate is not trusted: %s",
		    pr.verify_error != NULL ? pr.verify_error : "unknown");
	else if (!pr.name_matches)
		why = xasprintf("certificate is not for '%s'", ctx->host);
	tlsprobe_result_release(&pr);
	return why;
}

/* The same, a few times: http.sys may take a moment to serve a binding. */
static char *
lst_live_check(struct state_ctx *ctx, int port, const char *thumbprint)
{
	const struct timespec pause = { 0, 300 * 1000 * 1000 };
	char *why = NULL;
	int i;

	for (i = 0; i < 3; i++) {
		free(why);
		if ((why = lst_live_fault(ctx, port, thumbprint)) == NULL)
			break;
		nanosleep(&pause, NULL);
	}
	return why;
}

/*
 * Bind the HTTPS listener to c->after, then prove it with a new TLS
 * handshake; when that fails, put the previous binding back (or remove the
 * listener this made) over the connection still open, so that the next
 * run can connect.
 */
static int
lst_rebind(struct state_ctx *ctx, const struct change *c,
    const struct node *https, char **cause)
{
	const char *prev = node_get_str(https, "thumbprint");
	int exists = lst_true(https, "exists", 0) && prev != NULL, rc;
	char *why, *back = NULL;

	if (lst_apply_https(ctx, c->after, !lst_true(https, "exists", 0),
	    https, cause) == -1)
		return -1;
	if ((why = lst_live_check(ctx, lst_port(ctx, https), c->after)) == NULL)
		return 0;
	rc = exists ? lst_apply_https(ctx, prev, 0, https, &back) :
	    lst_delete(ctx, "HTTPS", &back);
	if (rc == 0)
		cause_set(cause, "bound to %s, a new TLS connection failed "
		    "(%s): %s", c->after, why, exists ? "put back the previous "
		    "certificate" : "removed the listener again");
	else
		cause_set(cause, "bound to %s, a new TLS connection failed "
		    "(%s), and undoing it failed too: %s", c->after, why, back);
	free(why);
	free(back);
	return -1;
}

static int
lst_apply(struct state_ctx *ctx, const struct change *c,
    const struct node *observed, char **cause)
{
	const struct node *https = node_get(observed, "https");

	if (strcmp(c->path, "wsman_listener.http") == 0)
		return lst_delete(ctx, "HTTP", cause);
	if (strcmp(c->path, "wsman_listener.https.enabled") == 0)
		return lst_apply_https(ctx, node_get_str(https, "thumbprint"), 0,
		    https, cause);
	return lst_rebind(ctx, c, https, cause);
}

/* The host's name is part of what the diff needs; keep it in observed. */
static int
lst_read_named(struct state_ctx *ctx, const struct node *desired,
    struct node **observed, char **cause)
{
	if (lst_read(ctx, desired, observed, cause) == -1)
		return -1;
	node_map_set(*observed, "host", node_scalar(ctx->host));
	return 0;
}

const struct state_ops state_wsman_listener_ops = {
	.kind = "wsman_listener",
	.read = lst_read_named,
	.diff = lst_diff,
	.apply = lst_apply,
};
