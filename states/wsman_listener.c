/*
 * wsman_listener.c: the WinRM HTTPS listener exists, is enabled, and its
 * certificate is fit to be trusted.  The certificate is checked two ways:
 * the listener's configured thumbprint against LocalMachine\My (certutil
 * through the remote shell: WinRM has no resource for the store), and a
 * live TLS handshake to the listener (tlsprobe.c).
 *
 * Remedy, in order: bind the listener to the desired thumbprint; or to the
 * newest valid certificate for the host's name in LocalMachine\My; or
 * create the listener.  With no fit certificate on the host, the change is
 * reported as needing a person, saying what to do.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "state.h"
#include "timeparse.h"
#include "tlsprobe.h"
#include "wsman.h"

#define LST_URI	"http://schemas.microsoft.com/wbem/wsman/1/config/listener"
#define DAY	86400

/* One certificate of LocalMachine\My, as certutil -store My lists it. */
struct lst_cert {
	char	thumbprint[41];
	char	subject[256];
	time_t	not_after;
};

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

/* "11/24/2027 9:00 PM" (en-US, host local time; read as UTC: a day's
 * precision is all the remedy needs). */
static time_t
lst_parse_date(const char *s)
{
	struct tm tm;
	char ampm[3] = "";
	int mon, day, year, hour, min;

	if (sscanf(s, "%d/%d/%d %d:%d %2s", &mon, &day, &year, &hour, &min,
	    ampm) < 5)
		return 0;
	if (strcasecmp(ampm, "PM") == 0 && hour < 12)
		hour += 12;
	if (strcasecmp(ampm, "AM") == 0 && hour == 12)
		hour = 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	return timegm(&tm);
}

static void
lst_strip(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n' ||
	    s[n - 1] == ' '))
		s[--n] = '\0';
}

/* Parse certutil -store My output into certs. */
static size_t
lst_parse_store(const char *text, struct lst_cert **out)
{
	struct lst_cert *v = NULL, *c = NULL;
	char *copy, *line, *save, *p;
	size_t n = 0, i, j;

	copy = xstrdup(text);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		lst_strip(line);
		if (strstr(line, "================ Certificate") != NULL) {
			v = xreallocarray(v, n + 1, sizeof(*v));
			c = &v[n++];
			memset(c, 0, sizeof(*c));
			continue;
		}
		if (c == NULL)
			continue;
		p = line + strspn(line, " ");
		if (strncmp(p, "Subject: ", 9) == 0)
			snprintf(c->subject, sizeof(c->subject), "%s", p + 9);
		else if (strncmp(p, "NotAfter: ", 10) == 0)
			c->not_after = lst_parse_date(p + 10);
		else if (strncmp(p, "Cert Hash(sha1): ", 17) == 0) {
			for (i = 17, j = 0; p[i] != '\0' && j < 40; i++)
				if (p[i] != ' ')
					c->thumbprint[j++] = (char)toupper(
					    (unsigned char)p[i]);
			c->thumbprint[j] = '\0';
		}
	}
	free(copy);
	*out = v;
	return n;
}

static struct node *
lst_time_node(time_t t)
{
	char s[TIMEPARSE_UTC_LEN];

	timeparse_format_utc(t, s, sizeof(s));
	return node_scalar(s);
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
	struct lst_cert *certs = NULL;
	struct node *store, *one;
	size_t i, n;

	if (wsman_run(ctx->ws, "certutil -store My", WSMAN_KEEP_SHELL, &r,
	    cause) == -1)
		return -1;
	store = node_seq();
	n = r.exit_code == 0 ? lst_parse_store(buf_cstr(&r.out), &certs) : 0;
	for (i = 0; i < n; i++) {
		one = node_map();
		node_map_set(one, "thumbprint",
		    node_scalar(certs[i].thumbprint));
		node_map_set(one, "subject", node_scalar(certs[i].subject));
		node_map_set(one, "not_after", lst_time_node(certs[i].not_after));
		node_seq_push(store, one);
	}
	node_map_set(obs, "store", store);
	free(certs);
	wsman_cmd_release(&r);
	return 0;
}

/* What the listener really presents. */
static void
lst_probe(struct state_ctx *ctx, int port, struct node *https)
{
	struct tlsprobe_result pr;
	struct node *c;
	char *cause = NULL, pnum[16];

	snprintf(pnum, sizeof(pnum), "%d", port);
	c = node_map();
	if (tlsprobe_run(&pr, ctx->host, ctx->address, port, ctx->ca_file,
	    10000, &cause) == -1) {
		node_map_set(c, "error", node_scalar(cause));
		node_map_set(https, "presented", c);
		free(cause);
		return;
	}
	node_map_set(c, "thumbprint", node_scalar(pr.thumbprint));
	node_map_set(c, "subject", node_scalar(pr.subject));
	node_map_set(c, "not_after", lst_time_node(pr.not_after));
	node_map_set(c, "name_matches", node_scalar(pr.name_matches ?
	    "true" : "false"));
	node_map_set(c, "server_auth", node_scalar(pr.server_auth ?
	    "true" : "false"));
	node_map_set(c, "trusted", node_scalar(pr.chain_ok ? "true" :
	    "false"));
	if (!pr.chain_ok && pr.verify_error != NULL)
		node_map_set(c, "verify_error", node_scalar(pr.verify_error));
	node_map_set(https, "presented", c);
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

static int
lst_read(struct state_ctx *ctx, const struct node *desired,
    struct node **observed, char **cause)
{
	struct node *items = NULL, *obs, *https;
	long long port;

	if (wsman_enumerate(ctx->ws, WSMAN_REF(LST_URI), NULL, &items,
	    cause) == -1)
		return -1;
	obs = node_map();
	https = lst_listener_node(lst_find(items, "HTTPS"));
	node_map_set(obs, "http", lst_listener_node(lst_find(items, "HTTP")));
	if (node_int(node_get(https, "port"), &port) == -1)
		port = ctx->port;
	if (node_get(https, "thumbprint") != NULL)
		lst_probe(ctx, (int)port, https);
	node_map_set(obs, "https", https);
	node_free(items);
	if (lst_read_store(ctx, obs, cause) == -1) {
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

/* The newest certificate in the store for host, valid for min days. */
static const char *
lst_candidate(const struct node *store, const char *host, long long min,
    const char *current, time_t now)
{
	const struct node *c, *best = NULL;
	const char *subj;
	char *want;

	want = xasprintf("CN=%s", host);
	for (size_t i = 0; store != NULL && i < store->nitems; i++) {
		c = store->items[i];
		subj = node_get_str(c, "subject");
		if (subj == NULL || strncasecmp(subj, want, strlen(want)) != 0 ||
		    (subj[strlen(want)] != '\0' && subj[strlen(want)] != ','))
			continue;
		if (lst_days_left(c, "not_after", now) < (min > 0 ? min : 1) ||
		    (current != NULL && strcasecmp(node_get_str(c,
		    "thumbprint"), current) == 0))
			continue;
		if (best == NULL || strcmp(node_get_str(c, "not_after"),
		    node_get_str(best, "not_after")) > 0)
			best = c;
	}
	free(want);
	return best != NULL ? node_get_str(best, "thumbprint") : NULL;
}

/* A listener Group Policy made is reported, never fought (WinRM refuses
 * the Put anyway: "controlled by policies"). */
static void
lst_gpo(struct change *c, const struct node *listener)
{
	if (node_get_str(listener, "source") != NULL)
		c->flags |= CHANGE_GPO;
}

static void
lst_diff_https(const struct node *want, const struct node *obs,
    const char *host, time_t now, struct changes *out)
{
	const struct node *https = node_get(obs, "https");
	const struct node *cw = node_get(want, "certificate");
	const char *cur = node_get_str(https, "thumbprint");
	const char *pin = node_get_str(want, "thumbprint");
	const char *cand;
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
		why = lst_unfit(cw, https, now);
	if (exists && why == NULL)
		return;
	cand = pin != NULL ? pin : lst_candidate(node_get(obs, "store"), host,
	    lst_num(cw, "min_days_left", 0), cur, now);
	c = changes_add(out, "wsman_listener", "wsman_listener.https.thumbprint",
	    exists ? cur : NULL, cand, cw != NULL ? cw : want);
	lst_gpo(c, https);
	if (cand == NULL) {
		c->flags |= CHANGE_NEEDS_PERSON;
		c->note = xasprintf("needs a person: %s; no certificate for "
		    "CN=%s with at least %lld days left is in LocalMachine\\My:"
		    " enroll one there, then run apply again", why != NULL ? why :
		    "no HTTPS listener", host, lst_num(cw, "min_days_left", 1));
	} else {
		c->flags |= CHANGE_CUTS_CONNECTION;
		c->note = xasprintf("%s; rebinding to the newest fit "
		    "certificate in LocalMachine\\My", why != NULL ? why :
		    "no HTTPS listener");
	}
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
	const char *port = node_get_str(https, "port");
	char dflt[16];
	int rc;

	snprintf(dflt, sizeof(dflt), "%d", ctx->port);
	f = node_map();
	node_map_set(f, "Hostname", node_scalar(ctx->host));
	node_map_set(f, "Enabled", node_scalar("true"));
	node_map_set(f, "URLPrefix", node_scalar("wsman"));
	node_map_set(f, "CertificateThumbprint", node_scalar(thumbprint));
	node_map_set(f, "Port", node_scalar(port != NULL ? port : dflt));
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
lst_apply(struct state_ctx *ctx, const struct change *c,
    const struct node *observed, char **cause)
{
	static const struct wsman_selector http_sel[] = {
		{ "Address", "*" }, { "Transport", "HTTP" },
	};
	const struct node *https = node_get(observed, "https");

	if (strcmp(c->path, "wsman_listener.http") == 0) {
		const struct wsman_ref ref = { LST_URI, http_sel, 2 };

		return wsman_delete(ctx->ws, &ref, cause);
	}
	if (strcmp(c->path, "wsman_listener.https.enabled") == 0)
		return lst_apply_https(ctx, node_get_str(https, "thumbprint"), 0,
		    https, cause);
	return lst_apply_https(ctx, c->after, !lst_true(https, "exists", 0),
	    https, cause);
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
