/*
 * loader.c: desired-state files -> one merged, checked model.
 *
 * Two phases, so that no message is about a tree the schema has not
 * vouched for: first every file is parsed, stripped of secrets and
 * validated against the embedded schema (structure); only if all of that
 * passes are the sections merged and the checks that need the whole run
 * (duplicates across files, references, times, conflicts).  Each phase
 * reports every error it finds.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "filerefs.h"
#include "model.h"
#include "schema.h"
#include "timeparse.h"

struct loader {
	struct model	*m;
	struct errors	*errs;
	struct node	*conn;		/* merged "connection" (copies) */
	const struct node *conn_at;	/* first "connection" key, for messages */
	int		 conn_shared;	/* some host uses conn as it is */
};

static void ld_error(struct errors *, const struct node *, const char *, ...)
    PRINTFLIKE(3, 4);

static void
ld_error(struct errors *errs, const struct node *at, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	errors_addf(errs, "%s:%u:%u: %s", at->file != NULL ? at->file :
	    "<input>", at->line, at->col, msg);
	free(msg);
}

/* "file:line:col" of a node, for "(first at ...)". */
static char *
ld_pos(const struct node *n)
{
	return xasprintf("%s:%u:%u", n->file != NULL ? n->file : "<input>",
	    n->line, n->col);
}

/*
 * A password in a file would end up in git and in every copy of it: refuse
 * it wherever it is, and drop it so that no later message can echo it.
 */
static void
ld_strip_passwords(struct node *n, struct errors *errs)
{
	size_t i;

	if (n->kind == NODE_SEQ)
		for (i = 0; i < n->nitems; i++)
			ld_strip_passwords(n->items[i], errs);
	if (n->kind != NODE_MAP)
		return;
	for (i = 0; i < n->npairs; ) {
		if (strcmp(n->pairs[i].key->value, "password") == 0) {
			ld_error(errs, n->pairs[i].key, "'password': secrets "
			    "do not belong in YAML (use password_env or "
			    "password_file)");
			node_map_del(n, "password");
			continue;
		}
		ld_strip_passwords(n->pairs[i].value, errs);
		i++;
	}
}

/*
 * "scheme" is the former name of "transport": renamed where it is written
 * (the connection defaults, each host) so that every later check sees one
 * key; both in one place is an error.
 */
static void
ld_rename_scheme(struct node *map, struct errors *errs)
{
	struct node *key;
	size_t i;

	if (map == NULL || map->kind != NODE_MAP)
		return;
	for (i = 0; i < map->npairs; i++) {
		key = map->pairs[i].key;
		if (strcmp(key->value, "scheme") != 0)
			continue;
		if (node_get(map, "transport") != NULL) {
			ld_error(errs, key, "'scheme' and 'transport' are one "
			    "setting ('scheme' is its former name): keep "
			    "'transport'");
			node_map_del(map, "scheme");
			return;
		}
		free(key->value);
		key->value = xstrdup("transport");
		return;
	}
}

static void
ld_rename_schemes(struct node *doc, struct errors *errs)
{
	struct node *hosts;
	size_t i;

	if (doc->kind != NODE_MAP)
		return;
	ld_rename_scheme(node_get(doc, "connection"), errs);
	if ((hosts = node_get(doc, "hosts")) == NULL ||
	    hosts->kind != NODE_MAP)
		return;
	for (i = 0; i < hosts->npairs; i++)
		ld_rename_scheme(hosts->pairs[i].value, errs);
}

/* connection/settings: keys merge across files; one key set once. */
static void
ld_merge_keys(struct loader *ld, struct node *into, const struct node *sec,
    const char *what)
{
	const struct node_pair *p;
	size_t i, j;
	char *pos;

	for (i = 0; i < sec->npairs; i++) {
		p = &sec->pairs[i];
		for (j = 0; j < into->npairs; j++)
			if (strcmp(into->pairs[j].key->value,
			    p->key->value) == 0)
				break;
		if (j < into->npairs) {
			pos = ld_pos(into->pairs[j].key);
			ld_error(ld->errs, p->key, "duplicate %s key '%s' "
			    "(first at %s)", what, p->key->value, pos);
			free(pos);
			continue;
		}
		node_map_append(into, node_copy(p->key), node_copy(p->value));
	}
}

static void
ld_add_host(struct loader *ld, const struct node *key, const struct node *v)
{
	struct model *m = ld->m;
	struct model_host *h;

	m->hosts = xreallocarray(m->hosts, m->nhosts + 1, sizeof(*m->hosts));
	h = &m->hosts[m->nhosts++];
	memset(h, 0, sizeof(*h));
	h->name = key->value;
	h->node = key;
	h->body = v;
}

/* By name, then by definition order (the first definition first). */
static int
ld_host_cmp(const void *a, const void *b)
{
	const struct model_host *ha = *(const struct model_host *const *)a;
	const struct model_host *hb = *(const struct model_host *const *)b;
	int c;

	if ((c = strcmp(ha->name, hb->name)) != 0)
		return c;
	return ha < hb ? -1 : ha > hb;
}

/*
 * Sort hosts by name into the lookup index; a name defined twice (in two
 * files: the parser catches it within one) is reported and dropped.
 * Sorting finds duplicates in n log n where a lookup per host would be
 * quadratic.
 */
static void
ld_index_hosts(struct loader *ld)
{
	struct model *m = ld->m;
	struct model_host *keep;
	size_t i, n = 0;
	char *pos;

	m->byname = xcalloc(m->nhosts + 1, sizeof(*m->byname));
	for (i = 0; i < m->nhosts; i++)
		m->byname[i] = &m->hosts[i];
	qsort(m->byname, m->nhosts, sizeof(*m->byname), ld_host_cmp);
	keep = xcalloc(m->nhosts + 1, sizeof(*keep));
	for (i = 0; i < m->nhosts; i++) {
		if (i > 0 && strcmp(m->byname[i]->name,
		    m->byname[i - 1]->name) == 0) {
			pos = ld_pos(m->byname[i - 1]->node);
			ld_error(ld->errs, m->byname[i]->node, "duplicate host "
			    "'%s' (first at %s)", m->byname[i]->name, pos);
			free(pos);
			m->byname[i] = m->byname[i - 1];
			continue;
		}
		keep[m->byname[i] - m->hosts] = *m->byname[i];
	}
	/* Compact, keeping definition order, then index the result. */
	for (i = 0; i < m->nhosts; i++)
		if (keep[i].name != NULL)
			keep[n++] = keep[i];
	free(m->hosts);
	m->hosts = keep;
	m->nhosts = n;
	for (i = 0; i < m->nhosts; i++)
		m->byname[i] = &m->hosts[i];
	qsort(m->byname, m->nhosts, sizeof(*m->byname), ld_host_cmp);
}

static void
ld_add_rule(struct model_rule **rules, size_t *n, const struct node *key,
    const struct node *body)
{
	struct model_rule *r;

	*rules = xreallocarray(*rules, *n + 1, sizeof(**rules));
	r = &(*rules)[(*n)++];
	memset(r, 0, sizeof(*r));
	r->target = key->value;
	r->body = body;
	r->origin.node = key;
}

static void
ld_add_window(struct loader *ld, const struct node *key,
    const struct node *v)
{
	struct model *m = ld->m;
	struct model_window *w;
	size_t i;
	char *pos;

	for (i = 0; i < m->nwindows; i++) {
		if (strcmp(m->windows[i].name, key->value) != 0)
			continue;
		pos = ld_pos(m->windows[i].node);
		ld_error(ld->errs, key, "duplicate window '%s' (first at %s)",
		    key->value, pos);
		free(pos);
		return;
	}
	m->windows = xreallocarray(m->windows, m->nwindows + 1,
	    sizeof(*m->windows));
	w = &m->windows[m->nwindows++];
	memset(w, 0, sizeof(*w));
	w->name = key->value;
	w->node = key;
	w->body = v;
	w->reason = node_get_str(v, "reason");
	w->apply = node_get(v, "apply");
}

/* One top-level section of one file into the model. */
static void
ld_merge_section(struct loader *ld, const struct node *key,
    const struct node *sec)
{
	struct model *m = ld->m;
	const struct node_pair *p;
	size_t i;

	if (strcmp(key->value, "connection") == 0) {
		if (ld->conn_at == NULL)
			ld->conn_at = key;
		ld_merge_keys(ld, ld->conn, sec, "connection");
		return;
	}
	if (strcmp(key->value, "settings") == 0) {
		ld_merge_keys(ld, m->settings_tree, sec, "settings");
		return;
	}
	for (i = 0; i < sec->npairs; i++) {
		p = &sec->pairs[i];
		if (strcmp(key->value, "hosts") == 0)
			ld_add_host(ld, p->key, p->value);
		else if (strcmp(key->value, "policies") == 0)
			ld_add_rule(&m->policies, &m->npolicies, p->key,
			    p->value);
		else if (strcmp(key->value, "windows") == 0)
			ld_add_window(ld, p->key, p->value);
	}
}

static void
ld_merge(struct loader *ld)
{
	struct model *m = ld->m;
	size_t i, j;

	ld->conn = node_map();
	m->settings_tree = node_map();
	for (i = 0; i < m->ndocs; i++)
		for (j = 0; j < m->docs[i]->npairs; j++)
			ld_merge_section(ld, m->docs[i]->pairs[j].key,
			    m->docs[i]->pairs[j].value);
}

static int
ld_duration(struct loader *ld, const struct node *v, long long *out)
{
	char *cause = NULL;

	if (timeparse_duration(v->value, out, &cause) == 0)
		return 0;
	ld_error(ld->errs, v, "%s", cause);
	free(cause);
	return -1;
}

static void
ld_settings(struct loader *ld)
{
	struct model *m = ld->m;
	const struct node *lease;

	schema_fill_defaults(m->schema, "#/$defs/settings", m->settings_tree);
	ld_duration(ld, node_get(m->settings_tree, "max_window"),
	    &m->settings.max_window);
	ld_duration(ld, node_get(m->settings_tree, "failsafe_grace"),
	    &m->settings.failsafe_grace);
	ld_duration(ld, node_get(m->settings_tree, "history_heartbeat"),
	    &m->settings.history_heartbeat);
	m->settings.metrics_file = node_get_str(m->settings_tree,
	    "metrics_file");
	lease = node_get(m->settings_tree, "failsafe_lease");
	/* A lease of nothing would fire the fail-safe a grace after each run. */
	if (ld_duration(ld, lease, &m->settings.failsafe_lease) == 0 &&
	    m->settings.failsafe_lease <= 0)
		ld_error(ld->errs, lease, "failsafe_lease must be longer than "
		    "0s");
}

/*
 * Fill c from a connection tree (schema defaults already filled in, so
 * every defaulted key is present and valid).
 */
static void
ld_conn_fields(struct model_conn *c, const struct node *t)
{
	long long port;
	const char *auth, *transport;

	memset(c, 0, sizeof(*c));
	if (node_int(node_get(t, "port"), &port) == 0)
		c->port = (int)port;
	auth = node_get_str(t, "auth");
	/* The schema allowed only the names wsman_auth_parse() knows. */
	if (auth != NULL)
		wsman_auth_parse(auth, &c->auth);
	transport = node_get_str(t, "transport");
	c->http = transport != NULL && strcmp(transport, "http") == 0;
	c->repair_http_port = 5985;
	if (node_int(node_get(t, "repair_http_port"), &port) == 0)
		c->repair_http_port = (int)port;
	c->username = node_get_str(t, "username");
	c->password_env = node_get_str(t, "password_env");
	c->password_file = node_get_str(t, "password_file");
	c->password_credential = node_get_str(t, "password_credential");
	c->cert_file = node_get_str(t, "cert_file");
	c->key_file = node_get_str(t, "key_file");
	c->ca_file = node_get_str(t, "ca_file");
	c->tls_verify = 1;
	node_bool(node_get(t, "tls_verify"), &c->tls_verify);
	/* Reported once where written (ld_hosts), not once per host. */
	timeparse_duration(node_get_str(t, "timeout"), &c->timeout, NULL);
}

/* Keys that need each other; who is "host 'x'" or "'connection'". */
static void
ld_conn_check(struct loader *ld, const struct model_conn *c,
    const struct node *at, const char *who)
{
	const char *auth = wsman_auth_name(c->auth);
	int password = model_conn_has_password(c);

	if ((c->password_env != NULL) + (c->password_file != NULL) +
	    (c->password_credential != NULL) > 1)
		ld_error(ld->errs, at, "%s: set only one of 'password_env', "
		    "'password_file' and 'password_credential'", who);
	if (c->auth == WSMAN_AUTH_CERTIFICATE) {
		if (c->cert_file == NULL || c->key_file == NULL)
			ld_error(ld->errs, at, "%s: auth '%s' needs 'cert_file' "
			    "and 'key_file'", who, auth);
		return;
	}
	if ((c->auth != WSMAN_AUTH_NEGOTIATE || password) &&
	    c->username == NULL)
		ld_error(ld->errs, at, "%s: auth '%s' needs 'username'", who,
		    auth);
	if (c->auth != WSMAN_AUTH_NEGOTIATE && !password)
		ld_error(ld->errs, at, "%s: auth '%s' needs 'password_env', "
		    "'password_file' or 'password_credential'", who, auth);
	if (c->http && c->auth != WSMAN_AUTH_NTLM &&
	    c->auth != WSMAN_AUTH_NEGOTIATE)
		ld_error(ld->errs, at, "%s: transport 'http' needs auth 'ntlm' or "
		    "'kerberos': over HTTP every message is sealed (use https)",
		    who);
	/* Windows takes Basic for local accounts only (docs/transport.md). */
	if (c->auth == WSMAN_AUTH_BASIC && c->username != NULL &&
	    strpbrk(c->username, "\\@") != NULL &&
	    strncmp(c->username, ".\\", 2) != 0)
		ld_error(&ld->m->warnings, at, "warning: %s: auth 'basic' with "
		    "domain account '%s': Windows accepts Basic only for local "
		    "accounts (use ntlm or kerberos)", who, c->username);
}

static int
ld_is_secret_source(const char *key)
{
	return strcmp(key, "password_env") == 0 ||
	    strcmp(key, "password_file") == 0 ||
	    strcmp(key, "password_credential") == 0;
}

/*
 * A host's connection: the defaults overlaid by its own keys.  The secret
 * comes from one place: a host naming password_env or password_file
 * replaces the defaults' choice rather than adding a second source.
 */
/* The host's own connection keys (groups and address are not). */
static int
ld_host_has_conn(const struct node *body)
{
	size_t i;

	for (i = 0; body != NULL && i < body->npairs; i++)
		if (strcmp(body->pairs[i].key->value, "groups") != 0 &&
		    strcmp(body->pairs[i].key->value, "address") != 0)
			return 1;
	return 0;
}

/*
 * A host with keys of its own gets its own tree; every other host shares
 * one, filled once: filling defaults per host made the loader's cost
 * grow with hosts times schema size.
 */
static int
ld_host_conn(struct loader *ld, struct model_host *h, const struct node *body)
{
	const struct node_pair *p;
	struct node *t;
	size_t i;
	int own = ld_host_has_conn(body);

	if (!own && ld->m->conn_shared != NULL)
		t = ld->m->conn_shared;
	else
		t = node_copy(ld->conn);
	for (i = 0; own && i < body->npairs; i++)
		if (ld_is_secret_source(body->pairs[i].key->value)) {
			node_map_del(t, "password_env");
			node_map_del(t, "password_file");
			node_map_del(t, "password_credential");
		}
	for (i = 0; own && i < body->npairs; i++) {
		p = &body->pairs[i];
		if (strcmp(p->key->value, "groups") == 0 ||
		    strcmp(p->key->value, "address") == 0)
			continue;
		node_map_set(t, p->key->value, node_copy(p->value));
	}
	if (t != ld->m->conn_shared)
		schema_fill_defaults(ld->m->schema, "#/$defs/connection", t);
	if (own)
		h->conn_tree = t;
	else
		ld->m->conn_shared = t;
	ld_conn_fields(&h->conn, t);
	h->conn.address = node_get_str(body, "address");
	if (h->conn.address == NULL)
		h->conn.address = h->name;
	return own;
}

static void
ld_hosts(struct loader *ld)
{
	struct model *m = ld->m;
	const struct node *body, *groups;
	struct model_host *h;
	struct model_conn shared;
	struct node *t;
	long long secs;
	size_t i, j;
	char *who;

	if ((t = node_get(ld->conn, "timeout")) != NULL)
		ld_duration(ld, t, &secs);
	for (i = 0; i < m->nhosts; i++) {
		h = &m->hosts[i];
		body = h->body;
		if ((t = node_get(body, "timeout")) != NULL)
			ld_duration(ld, t, &secs);
		if ((groups = node_get(body, "groups")) != NULL) {
			h->groups = xcalloc(groups->nitems + 1,
			    sizeof(*h->groups));
			for (j = 0; j < groups->nitems; j++)
				h->groups[j] = groups->items[j]->value;
			h->ngroups = groups->nitems;
		}
		if (strcmp(h->name, "all") == 0)
			ld_error(ld->errs, h->node, "host name 'all' is "
			    "reserved: it targets every host");
		if (ld_host_conn(ld, h, body)) {
			who = xasprintf("host '%s'", h->name);
			ld_conn_check(ld, &h->conn, h->node, who);
			free(who);
		} else
			ld->conn_shared = 1;
	}
	/* Hosts that only inherit: one message about the defaults. */
	if (ld->conn_shared) {
		t = node_copy(ld->conn);
		schema_fill_defaults(m->schema, "#/$defs/connection", t);
		ld_conn_fields(&shared, t);
		if (ld->conn_at != NULL)
			ld_conn_check(ld, &shared, ld->conn_at,
			    "'connection'");
		node_free(t);
	}
}

static int
ld_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every group named by a host, once, sorted; names must not collide. */
static void
ld_groups(struct loader *ld)
{
	struct model *m = ld->m;
	const struct model_host *h;
	const struct node *groups;
	size_t i, j, k;

	for (i = 0; i < m->nhosts; i++) {
		h = &m->hosts[i];
		groups = node_get(h->body, "groups");
		for (j = 0; j < h->ngroups; j++) {
			if (strcmp(h->groups[j], "all") == 0)
				ld_error(ld->errs, groups->items[j], "group "
				    "name 'all' is reserved: it targets every "
				    "host");
			else if (model_host_find(m, h->groups[j]) != NULL)
				ld_error(ld->errs, groups->items[j], "group "
				    "'%s' has the name of a host: a policy "
				    "target would be ambiguous", h->groups[j]);
			for (k = 0; k < m->ngroups; k++)
				if (strcmp(m->groups[k], h->groups[j]) == 0)
					break;
			if (k < m->ngroups)
				continue;
			m->groups = xreallocarray(m->groups, m->ngroups + 1,
			    sizeof(*m->groups));
			m->groups[m->ngroups++] = h->groups[j];
		}
	}
	if (m->ngroups > 0)
		qsort(m->groups, m->ngroups, sizeof(*m->groups), ld_strcmp);
}

/* A target is "all", a host or a group; else say what was meant. */
static void
ld_target(struct loader *ld, const struct model_rule *r, const char *window)
{
	const struct model *m = ld->m;
	const char **cands;
	const char *best;
	size_t i, n = 0;
	struct buf b = BUF_INIT;

	if (strcmp(r->target, "all") == 0 ||
	    model_host_find(m, r->target) != NULL ||
	    (m->ngroups > 0 && bsearch(&r->target, m->groups, m->ngroups,
	    sizeof(*m->groups), ld_strcmp) != NULL))
		return;
	/* A group an inventory defines may be empty today: not a typo. */
	if (inventory_groups_has(&m->inventory_groups, r->target)) {
		ld_error(&ld->m->warnings, r->origin.node, "warning: %s "
		    "target '%s' is an inventory group with no host: it "
		    "applies to nothing", window != NULL ? "window" : "policy",
		    r->target);
		return;
	}
	cands = xcalloc(m->nhosts + m->ngroups + m->inventory_groups.n + 1,
	    sizeof(*cands));
	cands[n++] = "all";
	for (i = 0; i < m->ngroups; i++)
		cands[n++] = m->groups[i];
	for (i = 0; i < m->inventory_groups.n; i++)
		cands[n++] = m->inventory_groups.v[i];
	for (i = 0; i < m->nhosts; i++)
		cands[n++] = m->hosts[i].name;
	best = schema_closest(r->target, cands, n);
	if (window != NULL)
		buf_printf(&b, "window '%s': target", window);
	else
		buf_puts(&b, "policy target");
	buf_printf(&b, " '%s' is not a host, a group or 'all'", r->target);
	if (best != NULL)
		buf_printf(&b, " (did you mean '%s'?)", best);
	ld_error(ld->errs, r->origin.node, "%s", buf_cstr(&b));
	buf_release(&b);
	free(cands);
}

static int
ld_timestamp(struct loader *ld, const struct node *v, const char *key,
    time_t *out)
{
	if (timeparse_rfc3339(v->value, out, NULL) == 0)
		return 0;
	ld_error(ld->errs, v, "'%s' is not an RFC 3339 timestamp ('%s')", key,
	    v->value);
	return -1;
}

/* start, end or duration, and the cap.  The schema saw to the rest. */
static void
ld_window_times(struct loader *ld, struct model_window *w,
    const struct node *body)
{
	const struct node *start, *end, *dur;
	long long len, secs;
	char have[32], cap[32];
	int ok;

	start = node_get(body, "start");
	end = node_get(body, "end");
	dur = node_get(body, "duration");
	w->end_node = end != NULL ? end : dur;
	ok = ld_timestamp(ld, start, "start", &w->start) == 0;
	if (end != NULL) {
		if (ld_timestamp(ld, end, "end", &w->end) == -1)
			ok = 0;
	} else if (ld_duration(ld, dur, &secs) == -1)
		ok = 0;
	else
		w->end = w->start + (time_t)secs;	/* both bounded */
	if (!ok)
		return;
	len = (long long)w->end - (long long)w->start;
	if (len < 0)
		ld_error(ld->errs, w->end_node, "window '%s' ends before it "
		    "starts", w->name);
	else if (len == 0)
		ld_error(ld->errs, w->end_node, "window '%s' ends when it "
		    "starts", w->name);
	else if (len > ld->m->settings.max_window) {
		timeparse_format_duration(len, have, sizeof(have));
		timeparse_format_duration(ld->m->settings.max_window, cap,
		    sizeof(cap));
		ld_error(ld->errs, w->end_node, "window '%s' lasts %s, longer "
		    "than max_window %s", w->name, have, cap);
	}
}

static int
ld_window_cmp(const void *a, const void *b)
{
	const struct model_window *wa = a, *wb = b;

	if (wa->start != wb->start)
		return wa->start < wb->start ? -1 : 1;
	return strcmp(wa->name, wb->name);
}

/* Windows: times, order, then rules (whose origins point at windows). */
static void
ld_windows(struct loader *ld)
{
	struct model *m = ld->m;
	struct model_window *w;
	struct model_rule *r;
	size_t i, j;

	for (i = 0; i < m->nwindows; i++)
		ld_window_times(ld, &m->windows[i], m->windows[i].body);
	if (m->nwindows > 0)
		qsort(m->windows, m->nwindows, sizeof(*m->windows),
		    ld_window_cmp);
	for (i = 0; i < m->nwindows; i++) {
		w = &m->windows[i];
		for (j = 0; j < w->apply->npairs; j++)
			ld_add_rule(&w->rules, &w->nrules,
			    w->apply->pairs[j].key, w->apply->pairs[j].value);
		for (j = 0; j < w->nrules; j++) {
			r = &w->rules[j];
			r->origin.kind = ORIGIN_WINDOW;
			r->origin.name = w->name;
			r->origin.target = r->target;
			r->origin.window = w;
			ld_target(ld, r, w->name);
			effective_prepare(r);
		}
	}
}

static void
ld_policies(struct loader *ld)
{
	struct model *m = ld->m;
	struct model_rule *r;
	size_t i;

	for (i = 0; i < m->npolicies; i++) {
		r = &m->policies[i];
		r->origin.kind = ORIGIN_POLICY;
		r->origin.name = r->target;
		r->origin.target = r->target;
		ld_target(ld, r, NULL);
		effective_prepare(r);
	}
}

/*
 * The hosts of every inventory a file names ("inventory: PATH" or a list),
 * as documents of their own after the files, validated the same way.
 */
static int
ld_read_path(void *arg, const struct node *ref, char **name,
    struct buf *text, struct errors *errs)
{
	*name = xstrdup(ref->value);
	return node_read_file(text, ref->value, errs);
}

static const struct model_reader ld_filesystem = { ld_read_path, NULL };

/* One inventory, read through reader, as a document of its own. */
static void
ld_inventory(struct model *m, const struct node *item,
    const struct model_reader *reader, struct errors *errs)
{
	struct buf text = BUF_INIT;
	struct node *doc;
	char *name = NULL;

	if (item->kind == NODE_SCALAR &&
	    reader->read(reader->arg, item, &name, &text, errs) == 0 &&
	    inventory_parse(&doc, name, buf_cstr(&text), text.len,
	    &m->inventory_groups, errs) == 0) {
		schema_validate(m->schema, NULL, doc, errs);
		m->docs = xreallocarray(m->docs, m->ndocs + 1,
		    sizeof(*m->docs));
		m->docs[m->ndocs++] = doc;
	}
	free(name);
	buf_release(&text);
}

static void
ld_inventories(struct model *m, const struct model_reader *reader,
    struct errors *errs)
{
	const struct node *inv;
	size_t i, j, ndocs = m->ndocs;

	for (i = 0; i < ndocs; i++) {
		inv = node_get(m->docs[i], "inventory");
		for (j = 0; inv != NULL && j < (inv->kind == NODE_SEQ ?
		    inv->nitems : 1); j++)
			ld_inventory(m, inv->kind == NODE_SEQ ? inv->items[j] :
			    inv, reader, errs);
	}
}

/*
 * Phase one: secrets out, then the schema, file by file.  A file that did
 * not parse (NULL; its errors are already in errs) fails the phase.
 */
static int
ld_structure(struct model *m, const struct model_reader *reader,
    struct errors *errs)
{
	char *cause = NULL;
	size_t i, n0 = errs->n;
	int rc = 0;

	if (schema_load_builtin(&m->schema, &cause) == -1) {
		errors_addf(errs, "%s", cause);
		free(cause);
		return -1;
	}
	for (i = 0; i < m->ndocs; i++) {
		if (m->docs[i] == NULL) {
			rc = -1;
			continue;
		}
		ld_strip_passwords(m->docs[i], errs);
		ld_rename_schemes(m->docs[i], errs);
		schema_validate(m->schema, NULL, m->docs[i], errs);
	}
	if (rc == 0 && errs->n == n0)
		ld_inventories(m, reader, errs);
	return errs->n > n0 ? -1 : rc;
}

/* Takes docs (an array of ndocs trees, NULL for files that failed). */
static int
ld_load_docs(struct model **out, struct node **docs, size_t ndocs,
    const struct model_reader *reader, struct errors *errs)
{
	struct loader ld;
	size_t n0 = errs->n;
	int rc = -1;

	*out = NULL;
	memset(&ld, 0, sizeof(ld));
	ld.errs = errs;
	ld.m = xcalloc(1, sizeof(*ld.m));
	ld.m->docs = docs;
	ld.m->ndocs = ndocs;
	if (ld_structure(ld.m, reader != NULL ? reader : &ld_filesystem,
	    errs) == -1)
		goto out;
	ld_merge(&ld);
	ld_index_hosts(&ld);
	ld_settings(&ld);
	ld_hosts(&ld);
	ld_groups(&ld);
	ld_policies(&ld);
	ld_windows(&ld);
	effective_check_conflicts(ld.m, errs);
	if (errs->n > n0)
		goto out;
	*out = ld.m;
	ld.m = NULL;
	rc = 0;
out:
	node_free(ld.conn);
	model_free(ld.m);
	return rc;
}

int
model_load_source(struct model **out, const struct model_file *files,
    size_t nfiles, const struct model_reader *reader, struct errors *errs)
{
	struct node **docs;
	size_t i;

	docs = xcalloc(nfiles, sizeof(*docs));
	for (i = 0; i < nfiles; i++)
		node_parse_string(&docs[i], files[i].name, files[i].text,
		    files[i].len, errs);
	return ld_load_docs(out, docs, nfiles, reader, errs);
}

int
model_load_files(struct model **out, const struct model_file *files,
    size_t nfiles, struct errors *errs)
{
	return model_load_source(out, files, nfiles, NULL, errs);
}

struct ld_paths {
	char	**v;
	size_t	  n;
};

static int
ld_has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls > lx && strcmp(s + ls - lx, suffix) == 0;
}

/* A desired-state file by its name: *.yaml or *.yml. */
static int
ld_is_yaml(const char *name)
{
	return ld_has_suffix(name, ".yaml") || ld_has_suffix(name, ".yml");
}

/*
 * path, named as a desired-state file, must be a regular file once links
 * are followed: a dangling link, a loop, a FIFO or a device is an error,
 * never a silent skip (a FIFO would hang the run, /dev/zero fill memory).
 */
static int
ld_check_file(const char *path, struct errors *errs)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		errors_addf(errs, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		errors_addf(errs, "%s: not a regular file", path);
		return -1;
	}
	return 0;
}

/*
 * Every *.yaml and *.yml under dir.  Names starting with "." (.git,
 * editors' swap files) are skipped; symbolic links to files are read,
 * links to directories are not followed, so a link cannot make a loop.
 */
static int
ld_walk(const char *dir, struct ld_paths *out, struct errors *errs)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	char *path;
	size_t len;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		errors_addf(errs, "%s: %s", dir, strerror(errno));
		return -1;
	}
	len = strlen(dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s%s%s", dir, len > 0 && dir[len - 1] == '/' ?
		    "" : "/", de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			rc |= ld_walk(path, out, errs);
			free(path);
			continue;
		}
		if (!ld_is_yaml(de->d_name) || ld_check_file(path, errs) == -1) {
			rc |= ld_is_yaml(de->d_name) ? -1 : 0;
			free(path);
			continue;
		}
		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = path;
	}
	closedir(d);
	return rc;
}

static int
ld_paths(const char *path, struct ld_paths *out, struct errors *errs)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		errors_addf(errs, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (ld_check_file(path, errs) == -1)
			return -1;
		out->v = xcalloc(1, sizeof(*out->v));
		out->v[out->n++] = xstrdup(path);
		return 0;
	}
	if (ld_walk(path, out, errs) == -1)
		return -1;
	if (out->n == 0) {
		errors_addf(errs, "%s: no *.yaml or *.yml file in this "
		    "directory", path);
		return -1;
	}
	qsort(out->v, out->n, sizeof(*out->v), ld_strcmp);
	return 0;
}

int
model_load(struct model **out, const char *path, struct errors *errs)
{
	struct ld_paths paths = { NULL, 0 };
	struct node **docs;
	size_t i;
	int rc = -1;

	*out = NULL;
	if (ld_paths(path, &paths, errs) == -1)
		goto out;
	docs = xcalloc(paths.n, sizeof(*docs));
	for (i = 0; i < paths.n; i++)
		if (node_parse_file(&docs[i], paths.v[i], errs) == 0 &&
		    docs[i] != NULL)
			filerefs_resolve(docs[i]);
	rc = ld_load_docs(out, docs, paths.n, NULL, errs);
out:
	for (i = 0; i < paths.n; i++)
		free(paths.v[i]);
	free(paths.v);
	return rc;
}

static void
ld_rules_free(struct model_rule *rules, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		node_free(rules[i].norm);
	free(rules);
}

void
model_free(struct model *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nhosts; i++) {
		free(m->hosts[i].groups);
		node_free(m->hosts[i].conn_tree);
	}
	node_free(m->conn_shared);
	free(m->hosts);
	free(m->byname);
	ld_rules_free(m->policies, m->npolicies);
	for (i = 0; i < m->nwindows; i++)
		ld_rules_free(m->windows[i].rules, m->windows[i].nrules);
	free(m->windows);
	free(m->groups);
	for (i = 0; i < m->ndocs; i++)
		node_free(m->docs[i]);
	free(m->docs);
	node_free(m->settings_tree);
	schema_free(m->schema);
	errors_clear(&m->warnings);
	inventory_groups_release(&m->inventory_groups);
	free(m);
}

int
model_conn_has_password(const struct model_conn *c)
{
	return c->password_env != NULL || c->password_file != NULL ||
	    c->password_credential != NULL;
}

const struct model_host *
model_host_find(const struct model *m, const char *name)
{
	size_t lo = 0, hi = m->nhosts, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(name, m->byname[mid]->name)) == 0)
			return m->byname[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
