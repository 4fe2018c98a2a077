/*
 * fleet.c: the fleet file -> hosts with their initial ground truth.
 *
 *   ca_out: PATH                      where the test CA's PEM goes
 *   client_certificates:              client certs signed by the test CA
 *     - { subject: NAME, cert_out: PATH, key_out: PATH }
 *   defaults: { HOST KEYS }           merged under every host
 *   hosts:
 *     NAME: { HOST KEYS }
 *   generate:                         many hosts like one of the above
 *     - { count: N, name: 'host%04d.test', first_address: A, like: NAME }
 *
 * Host keys: address (127.0.0.0/8), port, http_port (serve the HTTP
 * listener there; off by default), certificate (a tls.c scenario),
 * certificate_days, extra_certificates [{scenario, days}], users
 * {NAME: {password, admin}}, accounts [NAME], cert_mappings [{subject,
 * user}], winrm {service: {auth: {...}, ...}, client: {...}, winrs: {...},
 * MaxEnvelopeSizekb, ...}, gpo [ground-truth key], services {NAME: {state,
 * start_mode, display_name}}, groups {NAME: {members: [], comment}},
 * registry {KEY: {VALUE: {type, data}}}, gpos [{guid, name, registry}]
 * (GPOs in precedence order: each writes its registry values as Group
 * Policy does and shows them in RSoP), rsop (available, missing, denied:
 * whether root\rsop\computer answers), clock_offset, tz_offset_minutes,
 * faults {down, latency_ms, http500, drop_mid_reply, trickle_bps, stall,
 * close_idle},
 * language (en-US, de-DE, fr-FR, ja-JP: built-in names and net.exe's
 * texts, lang.c; applied before users, accounts and groups, so that
 * those name the localised built-ins).  A member that is a SID string
 * naming no account is an orphan.  vbscript: false removes the VBScript
 * feature on demand (winrm.vbs then fails).
 * Anything else is an error at its file:line:col.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "node.h"
#include "sim.h"

/* Report at a node's position. */
static void PRINTFLIKE(3, 4)
nerr(struct errors *e, const struct node *n, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	errors_addf(e, "%s:%u:%u: %s", n->file != NULL ? n->file : "fleet",
	    n->line, n->col, msg);
	free(msg);
}

static int
want(struct errors *e, const struct node *n, enum node_kind kind,
    const char *what)
{
	if (n->kind == kind)
		return 0;
	nerr(e, n, "%s: expected %s, found %s", what, kind == NODE_MAP ?
	    "a mapping" : kind == NODE_SEQ ? "a sequence" : "a scalar",
	    node_type_name(n));
	return -1;
}

/* Every key of map n is in the NULL-terminated list. */
static int
keys_known(struct errors *e, const struct node *n, const char *what,
    const char *const *known)
{
	const char *const *k;
	size_t i;
	int rc = 0;

	for (i = 0; i < n->npairs; i++) {
		for (k = known; *k != NULL; k++)
			if (strcmp(*k, n->pairs[i].key->value) == 0)
				break;
		if (*k == NULL) {
			nerr(e, n->pairs[i].key, "%s: unknown key '%s'", what,
			    n->pairs[i].key->value);
			rc = -1;
		}
	}
	return rc;
}

static int
get_int(struct errors *e, const struct node *n, const char *what,
    long long min, long long max, long long *out)
{
	if (n->kind != NODE_SCALAR || node_int(n, out) != 0 || *out < min ||
	    *out > max) {
		nerr(e, n, "%s: expected an integer from %lld to %lld", what,
		    min, max);
		return -1;
	}
	return 0;
}

static int
get_bool(struct errors *e, const struct node *n, const char *what, int *out)
{
	if (n->kind != NODE_SCALAR || node_bool(n, out) != 0) {
		nerr(e, n, "%s: expected true or false", what);
		return -1;
	}
	return 0;
}

/* Deep merge: a copy of base with over's keys on top. */
static struct node *
merge(const struct node *base, const struct node *over)
{
	struct node *m, *b;
	size_t i;

	if (base == NULL || base->kind != NODE_MAP || over == NULL ||
	    over->kind != NODE_MAP)
		return over != NULL ? node_copy(over) : node_copy(base);
	m = node_copy(base);
	for (i = 0; i < over->npairs; i++) {
		b = node_get(m, over->pairs[i].key->value);
		node_map_set(m, over->pairs[i].key->value,
		    merge(b, over->pairs[i].value));
	}
	return m;
}

/* --- settings ------------------------------------------------------------ */

const char *
sim_setting_get(const struct sim_host *h, const char *key)
{
	size_t i;

	for (i = 0; i < h->nsettings; i++)
		if (strcasecmp(h->settings[i].key, key) == 0)
			return h->settings[i].value;
	return NULL;
}

void
sim_setting_set(struct sim_host *h, const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < h->nsettings; i++)
		if (strcasecmp(h->settings[i].key, key) == 0) {
			free(h->settings[i].value);
			h->settings[i].value = xstrdup(value);
			return;
		}
	h->settings = xreallocarray(h->settings, h->nsettings + 1,
	    sizeof(*h->settings));
	h->settings[h->nsettings].key = xstrdup(key);
	h->settings[h->nsettings++].value = xstrdup(value);
}

/* --- host keys ----------------------------------------------------------- */

/* "winrm: {service: {auth: {Basic: true}}}" -> winrm.service.auth.Basic. */
static int
apply_winrm(struct sim_host *h, const struct node *n, const char *prefix,
    struct errors *e)
{
	char *key, *cause = NULL;
	const char *value;
	int b, rc = 0;
	size_t i;

	if (want(e, n, NODE_MAP, prefix) != 0)
		return -1;
	for (i = 0; i < n->npairs; i++) {
		key = xasprintf("%s.%s", prefix, n->pairs[i].key->value);
		if (n->pairs[i].value->kind == NODE_MAP)
			rc |= apply_winrm(h, n->pairs[i].value, key, e);
		else if (n->pairs[i].value->kind != NODE_SCALAR)
			rc |= want(e, n->pairs[i].value, NODE_SCALAR, key);
		else {
			value = n->pairs[i].value->value;
			if (node_is_bool(n->pairs[i].value) &&
			    node_bool(n->pairs[i].value, &b) == 0)
				value = b ? "true" : "false";
			if (sim_set(h, key, value, &cause) != 0) {
				nerr(e, n->pairs[i].key, "%s", cause);
				free(cause);
				cause = NULL;
				rc = -1;
			}
		}
		free(key);
	}
	return rc;
}

static int
apply_users(struct sim_host *h, const struct node *n, struct errors *e)
{
	static const char *const keys[] = { "password", "admin", NULL };
	const struct node *u, *pw, *ad;
	int admin, rc = 0;
	size_t i;

	if (want(e, n, NODE_MAP, "users") != 0)
		return -1;
	for (i = 0; i < n->npairs; i++) {
		u = n->pairs[i].value;
		admin = 0;
		if (want(e, u, NODE_MAP, "users") != 0 ||
		    keys_known(e, u, "users", keys) != 0) {
			rc = -1;
			continue;
		}
		pw = node_get(u, "password");
		ad = node_get(u, "admin");
		if (pw == NULL || pw->kind != NODE_SCALAR) {
			nerr(e, u, "users: '%s' needs a password",
			    n->pairs[i].key->value);
			rc = -1;
			continue;
		}
		if (ad != NULL && get_bool(e, ad, "admin", &admin) != 0) {
			rc = -1;
			continue;
		}
		sim_account_add(h, n->pairs[i].key->value, pw->value, admin);
		if (admin)
			sim_group_add_member(sim_group(h, "S-1-5-32-544"),
			    n->pairs[i].key->value);
	}
	return rc;
}

/* A SID that names no account is an orphan, not a new account. */
static void
account_known(struct sim_host *h, const char *name)
{
	if (sim_account(h, name) == NULL && !sim_is_sid(name))
		sim_account_add(h, name, NULL, 0);
}

static int
apply_accounts(struct sim_host *h, const struct node *n, struct errors *e)
{
	size_t i;

	if (want(e, n, NODE_SEQ, "accounts") != 0)
		return -1;
	for (i = 0; i < n->nitems; i++) {
		if (want(e, n->items[i], NODE_SCALAR, "accounts") != 0)
			return -1;
		account_known(h, n->items[i]->value);
	}
	return 0;
}

static int
apply_mappings(struct sim_host *h, const struct node *n, struct errors *e)
{
	static const char *const keys[] = { "subject", "user", NULL };
	const char *subject, *user;
	struct sim_cert_mapping *m;
	size_t i;

	if (want(e, n, NODE_SEQ, "cert_mappings") != 0)
		return -1;
	for (i = 0; i < n->nitems; i++) {
		if (want(e, n->items[i], NODE_MAP, "cert_mappings") != 0 ||
		    keys_known(e, n->items[i], "cert_mappings", keys) != 0)
			return -1;
		subject = node_get_str(n->items[i], "subject");
		user = node_get_str(n->items[i], "user");
		if (subject == NULL || user == NULL) {
			nerr(e, n->items[i], "cert_mappings: needs subject "
			    "and user");
			return -1;
		}
		h->cert_mappings = xreallocarray(h->cert_mappings,
		    h->ncert_mappings + 1, sizeof(*h->cert_mappings));
		m = &h->cert_mappings[h->ncert_mappings++];
		m->subject = xstrdup(subject);
		m->user = xstrdup(user);
	}
	return 0;
}

/* value is one of the NULL-terminated list. */
static int
one_of(const char *value, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(value, *list) == 0)
			return 1;
	return 0;
}

static int
apply_service(struct sim_host *h, const char *name, const struct node *n,
    struct errors *e)
{
	static const char *const keys[] = { "state", "start_mode",
	    "display_name", NULL };
	static const char *const states[] = { "Running", "Stopped", NULL };
	static const char *const modes[] = { "Auto", "Manual", "Disabled",
	    NULL };
	const char *state, *mode, *display;
	struct sim_service *s;

	if (want(e, n, NODE_MAP, "services") != 0 ||
	    keys_known(e, n, "services", keys) != 0)
		return -1;
	state = node_get_str(n, "state");
	mode = node_get_str(n, "start_mode");
	display = node_get_str(n, "display_name");
	if ((state != NULL && !one_of(state, states)) ||
	    (mode != NULL && !one_of(mode, modes))) {
		nerr(e, n, "services: '%s': state is Running or Stopped, "
		    "start_mode Auto, Manual or Disabled", name);
		return -1;
	}
	if ((s = sim_service(h, name)) == NULL)
		s = sim_service_add(h, name, display != NULL ? display : name,
		    state != NULL ? state : "Stopped",
		    mode != NULL ? mode : "Manual");
	if (state != NULL)
		sim_service_set_state(h, s, state);
	if (mode != NULL) {
		free(s->start_mode);
		s->start_mode = xstrdup(mode);
	}
	if (display != NULL) {
		free(s->display_name);
		s->display_name = xstrdup(display);
	}
	return 0;
}

static int
apply_group(struct sim_host *h, const char *name, const struct node *n,
    struct errors *e)
{
	static const char *const keys[] = { "members", "comment", NULL };
	const struct node *members;
	struct sim_group *g;
	size_t i;

	if (want(e, n, NODE_MAP, "groups") != 0 ||
	    keys_known(e, n, "groups", keys) != 0)
		return -1;
	if ((g = sim_group(h, name)) == NULL)
		g = sim_group_add(h, name, node_get_str(n, "comment"));
	else if (node_get_str(n, "comment") != NULL) {
		free(g->comment);
		g->comment = xstrdup(node_get_str(n, "comment"));
	}
	if ((members = node_get(n, "members")) == NULL)
		return 0;
	if (want(e, members, NODE_SEQ, "members") != 0)
		return -1;
	/* The file lists the whole membership, in order. */
	while (g->nmembers > 0)
		sim_group_delete_member(g, g->members[0]);
	for (i = 0; i < members->nitems; i++) {
		if (want(e, members->items[i], NODE_SCALAR, "members") != 0)
			return -1;
		account_known(h, members->items[i]->value);
		sim_group_add_member(g, members->items[i]->value);
	}
	return 0;
}

static int
apply_reg_value(struct sim_reg_key *k, const char *name, const struct node *n,
    struct errors *e)
{
	static const char *const keys[] = { "type", "data", NULL };
	const struct node *data;
	const char *tname;
	char **items;
	long long num;
	size_t i;
	int type;

	if (want(e, n, NODE_MAP, "registry") != 0 ||
	    keys_known(e, n, "registry", keys) != 0)
		return -1;
	tname = node_get_str(n, "type");
	data = node_get(n, "data");
	if (tname == NULL || (type = sim_reg_type_parse(tname)) < 0 ||
	    data == NULL) {
		nerr(e, n, "registry: '%s' needs a type (REG_SZ, REG_DWORD, "
		    "...) and data", name);
		return -1;
	}
	if (type == SIM_REG_MULTI_SZ) {
		if (want(e, data, NODE_SEQ, "REG_MULTI_SZ data") != 0)
			return -1;
		items = xcalloc(data->nitems + 1, sizeof(*items));
		for (i = 0; i < data->nitems; i++)
			items[i] = data->items[i]->value != NULL ?
			    data->items[i]->value : (char *)"";
		sim_reg_set_multi(k, name, items, data->nitems);
		free(items);
	} else if (type == SIM_REG_DWORD || type == SIM_REG_QWORD) {
		if (get_int(e, data, "data", 0, type == SIM_REG_DWORD ?
		    0xffffffffLL : 0x7fffffffffffffffLL, &num) != 0)
			return -1;
		sim_reg_set_num(k, name, type, (uint64_t)num);
	} else {
		if (want(e, data, NODE_SCALAR, "data") != 0)
			return -1;
		sim_reg_set_sz(k, name, type, data->value);
	}
	return 0;
}

static int
apply_registry(struct sim_host *h, const struct node *n, struct errors *e)
{
	const struct node *values;
	struct sim_reg_key *k;
	size_t i, j;
	int rc = 0;

	if (want(e, n, NODE_MAP, "registry") != 0)
		return -1;
	for (i = 0; i < n->npairs; i++) {
		k = sim_reg_key(h, n->pairs[i].key->value, 1);
		values = n->pairs[i].value;
		if (node_is_null(values))
			continue;
		if (want(e, values, NODE_MAP, "registry") != 0) {
			rc = -1;
			continue;
		}
		for (j = 0; j < values->npairs; j++)
			rc |= apply_reg_value(k, values->pairs[j].key->value,
			    values->pairs[j].value, e);
	}
	return rc;
}

/*
 * gpos: [{guid, name, registry}]: GPOs in precedence order.  Each writes
 * its values where Group Policy does (the last first, so the first
 * GPO's value is the one in effect) and is remembered for RSoP.
 */
static int
apply_gpo_values(struct sim_host *h, const struct node *n, struct errors *e)
{
	static const char *const keys[] = { "guid", "name", "registry", NULL };
	const struct node *reg, *vals;
	struct sim_gpo *g;
	size_t i, j;

	if (want(e, n, NODE_MAP, "gpos") != 0 ||
	    keys_known(e, n, "gpos", keys) != 0)
		return -1;
	reg = node_get(n, "registry");
	if (node_get_str(n, "guid") == NULL || reg == NULL) {
		nerr(e, n, "gpos: a GPO needs a guid and a registry");
		return -1;
	}
	if (apply_registry(h, reg, e) != 0)
		return -1;
	g = sim_gpo_add(h, node_get_str(n, "guid"), node_get_str(n, "name") !=
	    NULL ? node_get_str(n, "name") : node_get_str(n, "guid"));
	for (i = 0; i < reg->npairs; i++) {
		vals = reg->pairs[i].value;
		for (j = 0; vals->kind == NODE_MAP && j < vals->npairs; j++)
			sim_gpo_add_value(g, reg->pairs[i].key->value,
			    vals->pairs[j].key->value, sim_reg_type_parse(
			    node_get_str(vals->pairs[j].value, "type")));
	}
	return 0;
}

static int
apply_gpos(struct sim_host *h, const struct node *n, struct errors *e)
{
	size_t i;
	int rc = 0;

	if (want(e, n, NODE_SEQ, "gpos") != 0)
		return -1;
	for (i = n->nitems; i > 0; i--)
		rc |= apply_gpo_values(h, n->items[i - 1], e);
	/* Applied last first; RSoP lists them in precedence order. */
	for (i = 0; i < h->ngpos / 2; i++) {
		struct sim_gpo t = h->gpos[i];

		h->gpos[i] = h->gpos[h->ngpos - 1 - i];
		h->gpos[h->ngpos - 1 - i] = t;
	}
	return rc;
}

static int
apply_faults(struct sim_host *h, const struct node *n, struct errors *e)
{
	static const char *const keys[] = { "down", "latency_ms", "http500",
	    "drop_mid_reply", "trickle_bps", "stall", "close_idle", NULL };
	struct sim_faults *f = &h->faults;
	const struct node *v;
	long long num;

	if (want(e, n, NODE_MAP, "faults") != 0 ||
	    keys_known(e, n, "faults", keys) != 0)
		return -1;
	if (((v = node_get(n, "down")) != NULL &&
	    get_bool(e, v, "down", &f->down) != 0) ||
	    ((v = node_get(n, "http500")) != NULL &&
	    get_bool(e, v, "http500", &f->http500) != 0) ||
	    ((v = node_get(n, "drop_mid_reply")) != NULL &&
	    get_bool(e, v, "drop_mid_reply", &f->drop_mid_reply) != 0) ||
	    ((v = node_get(n, "stall")) != NULL &&
	    get_bool(e, v, "stall", &f->stall) != 0) ||
	    ((v = node_get(n, "close_idle")) != NULL &&
	    get_bool(e, v, "close_idle", &f->close_idle) != 0))
		return -1;
	if ((v = node_get(n, "latency_ms")) != NULL) {
		if (get_int(e, v, "latency_ms", 0, 600000, &num) != 0)
			return -1;
		f->latency_ms = (unsigned)num;
	}
	if ((v = node_get(n, "trickle_bps")) != NULL) {
		if (get_int(e, v, "trickle_bps", 0, 1000000000, &num) != 0)
			return -1;
		f->trickle_bps = (unsigned)num;
	}
	return 0;
}

static int
apply_gpo(struct sim_host *h, const struct node *n, struct errors *e)
{
	struct buf list = BUF_INIT;
	char *cause = NULL;
	size_t i;
	int rc = 0;

	if (want(e, n, NODE_SEQ, "gpo") != 0)
		return -1;
	for (i = 0; i < n->nitems; i++) {
		if (want(e, n->items[i], NODE_SCALAR, "gpo") != 0) {
			buf_release(&list);
			return -1;
		}
		buf_printf(&list, "%s%s", i > 0 ? "," : "",
		    n->items[i]->value);
	}
	if (sim_set(h, "gpo", buf_cstr(&list), &cause) != 0) {
		nerr(e, n, "%s", cause);
		free(cause);
		rc = -1;
	}
	buf_release(&list);
	return rc;
}

/* The bound certificate (HTTPS listener) and any extra ones in My. */
static int
apply_certs(struct sim_host *h, const struct node *hn, struct errors *e)
{
	static const char *const keys[] = { "scenario", "days", NULL };
	const struct node *extra, *it;
	struct sim_listener *l;
	struct sim_cert *c;
	const char *sc;
	char *cause = NULL;
	long long days;
	size_t i;

	if ((c = tls_cert_issue(h, h->cert_scenario, h->cert_days,
	    &cause)) == NULL)
		goto fail;
	if ((l = sim_listener(h, "HTTPS", "*", 0)) != NULL) {
		free(l->thumbprint);
		l->thumbprint = xstrdup(c->thumbprint);
		l->port = h->port;
	}
	if ((extra = node_get(hn, "extra_certificates")) == NULL)
		return 0;
	if (want(e, extra, NODE_SEQ, "extra_certificates") != 0)
		return -1;
	for (i = 0; i < extra->nitems; i++) {
		it = extra->items[i];
		days = 0;
		if (want(e, it, NODE_MAP, "extra_certificates") != 0 ||
		    keys_known(e, it, "extra_certificates", keys) != 0)
			return -1;
		sc = node_get_str(it, "scenario");
		if (sc == NULL || !tls_scenario_known(sc)) {
			nerr(e, it, "extra_certificates: unknown scenario");
			return -1;
		}
		if (node_get(it, "days") != NULL && get_int(e,
		    node_get(it, "days"), "days", 1, 36500, &days) != 0)
			return -1;
		if (tls_cert_issue(h, sc, (int)days, &cause) == NULL)
			goto fail;
	}
	return 0;
fail:
	nerr(e, hn, "%s: %s", h->name, cause);
	free(cause);
	return -1;
}

static int
apply_address(struct sim_host *h, const struct node *hn, struct errors *e)
{
	const struct node *n = node_get(hn, "address");
	struct sim_listener *l;
	struct in_addr a;
	long long port = 5986;

	if (n == NULL || n->kind != NODE_SCALAR ||
	    inet_pton(AF_INET, n->value, &a) != 1 ||
	    (ntohl(a.s_addr) >> 24) != 127) {
		nerr(e, n != NULL ? n : hn, "'%s': address must be an IPv4 "
		    "address in 127.0.0.0/8", h->name);
		return -1;
	}
	h->address = xstrdup(n->value);
	if ((n = node_get(hn, "port")) != NULL &&
	    get_int(e, n, "port", 1, 65535, &port) != 0)
		return -1;
	h->port = (int)port;
	/* Serving the HTTP listener is opt-in: most tests need HTTPS only. */
	if ((n = node_get(hn, "http_port")) != NULL) {
		if (get_int(e, n, "http_port", 1, 65535, &port) != 0)
			return -1;
		h->http_port = (int)port;
		if ((l = sim_listener(h, "HTTP", "*", 0)) != NULL)
			l->port = h->http_port;
	}
	return 0;
}

static int
apply_scalars(struct sim_host *h, const struct node *hn, struct errors *e)
{
	const struct node *n;
	long long v;

	h->cert_scenario = xstrdup("valid");
	if ((n = node_get(hn, "language")) != NULL) {
		if (n->kind != NODE_SCALAR || !sim_lang_known(n->value)) {
			nerr(e, n, "language: expected en-US, de-DE, fr-FR or "
			    "ja-JP");
			return -1;
		}
		sim_host_localize(h, n->value);
	}
	/* false: the VBScript feature on demand removed (winrm.vbs fails). */
	if ((n = node_get(hn, "vbscript")) != NULL) {
		if (n->kind != NODE_SCALAR || (strcmp(n->value, "true") != 0 &&
		    strcmp(n->value, "false") != 0)) {
			nerr(e, n, "vbscript: expected true or false");
			return -1;
		}
		h->vbscript_off = strcmp(n->value, "false") == 0;
	}
	if ((n = node_get(hn, "certificate")) != NULL) {
		if (n->kind != NODE_SCALAR || !tls_scenario_known(n->value)) {
			nerr(e, n, "certificate: expected valid, expired, "
			    "expiring, wrong_name, untrusted, no_server_auth, "
			    "no_eku, no_key, key_unusable, cn_only or "
			    "san_mismatch");
			return -1;
		}
		free(h->cert_scenario);
		h->cert_scenario = xstrdup(n->value);
	}
	if ((n = node_get(hn, "certificate_days")) != NULL) {
		if (get_int(e, n, "certificate_days", 1, 36500, &v) != 0)
			return -1;
		h->cert_days = (int)v;
	}
	if ((n = node_get(hn, "clock_offset")) != NULL) {
		if (get_int(e, n, "clock_offset", -3153600000LL,
		    3153600000LL, &v) != 0)
			return -1;
		h->clock_offset = (long)v;
	}
	if ((n = node_get(hn, "tz_offset_minutes")) != NULL) {
		if (get_int(e, n, "tz_offset_minutes", -840, 840, &v) != 0)
			return -1;
		h->tz_offset_min = (int)v;
	}
	return 0;
}

/* Each keyed section, in an order where later ones see earlier ones. */
static int
apply_sections(struct sim_host *h, const struct node *hn, struct errors *e)
{
	const struct node *n;
	size_t i;
	int rc = 0;

	if ((n = node_get(hn, "accounts")) != NULL)
		rc |= apply_accounts(h, n, e);
	if ((n = node_get(hn, "users")) != NULL)
		rc |= apply_users(h, n, e);
	if ((n = node_get(hn, "cert_mappings")) != NULL)
		rc |= apply_mappings(h, n, e);
	if ((n = node_get(hn, "winrm")) != NULL)
		rc |= apply_winrm(h, n, "winrm", e);
	if ((n = node_get(hn, "services")) != NULL &&
	    (rc |= want(e, n, NODE_MAP, "services")) == 0)
		for (i = 0; i < n->npairs; i++)
			rc |= apply_service(h, n->pairs[i].key->value,
			    n->pairs[i].value, e);
	if ((n = node_get(hn, "groups")) != NULL &&
	    (rc |= want(e, n, NODE_MAP, "groups")) == 0)
		for (i = 0; i < n->npairs; i++)
			rc |= apply_group(h, n->pairs[i].key->value,
			    n->pairs[i].value, e);
	if ((n = node_get(hn, "registry")) != NULL)
		rc |= apply_registry(h, n, e);
	if ((n = node_get(hn, "gpos")) != NULL)
		rc |= apply_gpos(h, n, e);
	if ((n = node_get(hn, "rsop")) != NULL &&
	    (want(e, n, NODE_SCALAR, "rsop") != 0 ||
	    sim_rsop_parse(n->value, &h->rsop) != 0)) {
		if (n->kind == NODE_SCALAR)
			nerr(e, n, "rsop: '%s' is not available, missing or "
			    "denied", n->value);
		rc = -1;
	}
	if ((n = node_get(hn, "faults")) != NULL)
		rc |= apply_faults(h, n, e);
	return rc;
}

/* domain: { joined: BOOL, name: NAME, secure_channel: BOOL } */
static int
apply_domain(struct sim_host *h, const struct node *hn, struct errors *e)
{
	static const char *const keys[] = { "joined", "name",
	    "secure_channel", NULL };
	const struct node *n = node_get(hn, "domain"), *v;
	char key[32], *cause = NULL;
	size_t i;

	if (n == NULL)
		return 0;
	if (want(e, n, NODE_MAP, "domain") != 0 ||
	    keys_known(e, n, "domain", keys) != 0)
		return -1;
	for (i = 0; keys[i] != NULL; i++) {
		if ((v = node_get(n, keys[i])) == NULL)
			continue;
		snprintf(key, sizeof(key), "domain.%s", keys[i]);
		if (v->kind != NODE_SCALAR ||
		    sim_domain_set(h, key, v->value, &cause) == -1) {
			nerr(e, v, "%s", cause != NULL ? cause : "a scalar");
			free(cause);
			return -1;
		}
	}
	return 0;
}

/* LocalMachine\\Root: the test CA, unless trusted_roots names the CAs. */
static int
apply_trust(struct sim_host *h, const struct node *hn, struct errors *e)
{
	const struct node *n = node_get(hn, "trusted_roots");
	const char **names;
	char *cause = NULL;
	size_t i;
	int rc = 0;

	sim_trust_init(h);
	if (apply_domain(h, hn, e) != 0)
		return -1;
	if (n == NULL)
		return 0;
	if (want(e, n, NODE_SEQ, "trusted_roots") != 0)
		return -1;
	names = xcalloc(n->nitems + 1, sizeof(*names));
	for (i = 0; i < n->nitems; i++)
		names[i] = n->items[i]->kind == NODE_SCALAR ?
		    n->items[i]->value : "";
	if (sim_trust_set_roots(h, names, n->nitems, &cause) == -1) {
		nerr(e, n, "%s", cause);
		free(cause);
		rc = -1;
	}
	free(names);
	return rc;
}

static int
host_build(struct sim_fleet *f, struct sim_host *h, const char *name,
    const struct node *hn, struct errors *e)
{
	static const char *const keys[] = { "address", "port", "http_port",
	    "certificate",
	    "certificate_days", "extra_certificates", "users", "accounts",
	    "cert_mappings", "winrm", "gpo", "services", "groups",
	    "registry", "clock_offset", "tz_offset_minutes", "faults",
	    "language", "trusted_roots", "domain", "gpos", "rsop", "vbscript",
	    NULL };
	const struct node *n;
	int rc;

	memset(h, 0, sizeof(*h));
	h->fleet = f;
	sim_host_init(h, name);
	res_config_init_settings(h);
	if (want(e, hn, NODE_MAP, name) != 0)
		return -1;
	/* Report every problem of the host, not just the first. */
	rc = keys_known(e, hn, name, keys);
	rc |= apply_address(h, hn, e);
	rc |= apply_scalars(h, hn, e);
	rc |= apply_sections(h, hn, e);
	if (rc != 0 || apply_certs(h, hn, e) != 0 ||
	    apply_trust(h, hn, e) != 0)
		return -1;
	/* Last, so that it can name listeners, keys and settings above. */
	if ((n = node_get(hn, "gpo")) != NULL && apply_gpo(h, n, e) != 0)
		return -1;
	return 0;
}

/* --- the fleet ----------------------------------------------------------- */

/* NAME from a pattern with one %d, %Nd or %0Nd (and %% escapes). */
static char *
name_format(const char *pat, long n)
{
	struct buf b = BUF_INIT;
	const char *p;
	int seen = 0, zero, width;

	for (p = pat; *p != '\0'; p++) {
		if (*p != '%') {
			buf_putc(&b, *p);
			continue;
		}
		if (p[1] == '%') {
			buf_putc(&b, *++p);
			continue;
		}
		zero = p[1] == '0';
		for (p += 1 + zero, width = 0; *p >= '0' && *p <= '9'; p++)
			width = width * 10 + (*p - '0');
		if (*p != 'd' || seen++ || width > 20) {
			buf_release(&b);
			return NULL;
		}
		buf_printf(&b, zero ? "%0*ld" : "%*ld", width, n);
	}
	if (!seen) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

struct sim_host *
fleet_host(struct sim_fleet *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nhosts; i++)
		if (strcasecmp(f->hosts[i].name, name) == 0)
			return &f->hosts[i];
	return NULL;
}

static int
add_host(struct sim_fleet *f, size_t cap, const char *name,
    const struct node *hn, const struct node *where, struct errors *e)
{
	if (fleet_host(f, name) != NULL) {
		nerr(e, where, "host '%s' is defined twice", name);
		return -1;
	}
	if (f->nhosts == cap) {
		nerr(e, where, "too many hosts");
		return -1;
	}
	/* Count it even on failure, so that fleet_free releases it. */
	return host_build(f, &f->hosts[f->nhosts++], name, hn, e);
}

/* The hosts: entries, merged over defaults. */
static int
load_hosts(struct sim_fleet *f, size_t cap, const struct node *root,
    struct errors *e)
{
	const struct node *hosts = node_get(root, "hosts");
	const struct node *defs = node_get(root, "defaults");
	struct node *m, *empty;
	size_t i;
	int rc = 0;

	if (hosts == NULL)
		return 0;
	if (want(e, hosts, NODE_MAP, "hosts") != 0)
		return -1;
	for (i = 0; i < hosts->npairs; i++) {
		empty = node_is_null(hosts->pairs[i].value) ? node_map() : NULL;
		m = merge(defs, empty != NULL ? empty : hosts->pairs[i].value);
		rc |= add_host(f, cap, hosts->pairs[i].key->value, m,
		    hosts->pairs[i].key, e);
		node_free(m);
		node_free(empty);
	}
	return rc;
}

static int
generate_one(struct sim_fleet *f, size_t cap, const struct node *root,
    const struct node *g, struct errors *e)
{
	static const char *const keys[] = { "count", "name", "first_address",
	    "like", NULL };
	const char *pat, *first, *like;
	const struct node *base;
	struct in_addr a;
	struct node *m;
	long long count, i;
	char *name, addr[INET_ADDRSTRLEN];
	int rc = 0;

	if (want(e, g, NODE_MAP, "generate") != 0 ||
	    keys_known(e, g, "generate", keys) != 0 ||
	    node_get(g, "count") == NULL ||
	    get_int(e, node_get(g, "count"), "count", 1, 100000, &count) != 0)
		return -1;
	pat = node_get_str(g, "name");
	first = node_get_str(g, "first_address");
	like = node_get_str(g, "like");
	if (pat == NULL || first == NULL ||
	    inet_pton(AF_INET, first, &a) != 1) {
		nerr(e, g, "generate: needs name (with one %%d) and "
		    "first_address");
		return -1;
	}
	base = like != NULL ? node_get(node_get(root, "hosts"), like) : NULL;
	if (like != NULL && base == NULL) {
		nerr(e, g, "generate: like: no host '%s'", like);
		return -1;
	}
	m = merge(node_get(root, "defaults"), base != NULL ? base : NULL);
	if (m == NULL)
		m = node_map();
	for (i = 0; i < count && rc == 0; i++) {
		if ((name = name_format(pat, (long)i + 1)) == NULL) {
			nerr(e, g, "generate: name needs exactly one %%d");
			rc = -1;
			break;
		}
		a.s_addr = htonl(ntohl(a.s_addr) + (i > 0));
		inet_ntop(AF_INET, &a, addr, sizeof(addr));
		node_map_set(m, "address", node_new_scalar(addr, g->file,
		    g->line, g->col));
		rc = add_host(f, cap, name, m, g, e);
		free(name);
	}
	node_free(m);
	return rc;
}

static size_t
count_hosts(const struct node *root)
{
	const struct node *gen = node_get(root, "generate");
	const struct node *hosts = node_get(root, "hosts");
	long long c;
	size_t n = 0, i;

	if (hosts != NULL && hosts->kind == NODE_MAP)
		n += hosts->npairs;
	if (gen != NULL && gen->kind == NODE_SEQ)
		for (i = 0; i < gen->nitems; i++)
			if (node_get(gen->items[i], "count") != NULL &&
			    node_int(node_get(gen->items[i], "count"),
			    &c) == 0 && c > 0 && c <= 100000)
				n += (size_t)c;
	return n;
}

static int
write_client_certs(struct sim_fleet *f, const struct node *n,
    struct errors *e)
{
	static const char *const keys[] = { "subject", "cert_out", "key_out",
	    NULL };
	const char *subject, *cert_out, *key_out;
	char *cause = NULL;
	size_t i;

	if (want(e, n, NODE_SEQ, "client_certificates") != 0)
		return -1;
	for (i = 0; i < n->nitems; i++) {
		if (want(e, n->items[i], NODE_MAP, "client_certificates") ||
		    keys_known(e, n->items[i], "client_certificates", keys))
			return -1;
		subject = node_get_str(n->items[i], "subject");
		cert_out = node_get_str(n->items[i], "cert_out");
		key_out = node_get_str(n->items[i], "key_out");
		if (subject == NULL || cert_out == NULL || key_out == NULL) {
			nerr(e, n->items[i], "client_certificates: needs "
			    "subject, cert_out and key_out");
			return -1;
		}
		if (tls_client_cert_write(f, subject, cert_out, key_out,
		    &cause) != 0) {
			nerr(e, n->items[i], "%s", cause);
			free(cause);
			return -1;
		}
	}
	return 0;
}

static int
load_root(struct sim_fleet *f, const struct node *root, struct errors *e)
{
	static const char *const keys[] = { "ca_out", "client_certificates",
	    "defaults", "hosts", "generate", NULL };
	const struct node *n;
	char *cause = NULL;
	size_t cap, i;
	int rc;

	if (want(e, root, NODE_MAP, "fleet") != 0)
		return -1;
	rc = keys_known(e, root, "fleet", keys);
	if ((n = node_get(root, "defaults")) != NULL)
		rc |= want(e, n, NODE_MAP, "defaults");
	if ((n = node_get(root, "ca_out")) != NULL) {
		if (want(e, n, NODE_SCALAR, "ca_out") != 0)
			return -1;
		f->ca_out = xstrdup(n->value);
	}
	if (tls_ca_init(f, &cause) != 0) {
		errors_add_owned(e, cause);
		return -1;
	}
	if ((n = node_get(root, "client_certificates")) != NULL)
		rc |= write_client_certs(f, n, e);
	cap = count_hosts(root);
	f->hosts = xcalloc(cap > 0 ? cap : 1, sizeof(*f->hosts));
	rc |= load_hosts(f, cap, root, e);
	/* Copies of a broken host would repeat its errors a thousand times. */
	if (rc != 0 || (n = node_get(root, "generate")) == NULL)
		return rc;
	if (want(e, n, NODE_SEQ, "generate") != 0)
		return -1;
	for (i = 0; i < n->nitems; i++)
		if (generate_one(f, cap, root, n->items[i], e) != 0)
			return -1;
	return 0;
}

int
fleet_load(struct sim_fleet **out, const char *path, struct errors *e)
{
	struct sim_fleet *f;
	struct node *root = NULL;
	int rc = -1;

	*out = NULL;
	f = xcalloc(1, sizeof(*f));
	if (node_parse_file(&root, path, e) != 0 || load_root(f, root, e) != 0)
		goto out;
	if (f->nhosts == 0) {
		errors_addf(e, "%s: no hosts", path);
		goto out;
	}
	*out = f;
	f = NULL;
	rc = 0;
out:
	node_free(root);
	fleet_free(f);
	return rc;
}

void
fleet_free(struct sim_fleet *f)
{
	struct sim_host *h;
	size_t i, j;

	if (f == NULL)
		return;
	for (i = 0; i < f->nhosts; i++) {
		h = &f->hosts[i];
		shell_host_release(h);
		soap_host_release(h);
		for (j = 0; j < h->ncert_mappings; j++) {
			free(h->cert_mappings[j].subject);
			free(h->cert_mappings[j].user);
		}
		free(h->cert_mappings);
		for (j = 0; j < h->nsettings; j++) {
			free(h->settings[j].key);
			free(h->settings[j].value);
		}
		free(h->settings);
		sim_host_release(h);
	}
	free(f->hosts);
	tls_fleet_release(f);
	free(f->ca_out);
	free(f);
}
