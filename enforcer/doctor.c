/*
 * doctor.c: the links of the CredSSP delegation chain from a WAC gateway
 * to a node, judged from what doctor_read.c read (no I/O).  The chain,
 * as Windows decides it (docs/windows-behaviour.md, "CredSSP
 * delegation"):
 *
 *   gateway: WinRM client auth CredSSP on
 *   node:    WinRM service auth CredSSP on
 *   how the gateway knows the node is who it says: Kerberos (both in a
 *     domain, the node named, not addressed), or a listener certificate
 *     the gateway trusts for the name used; otherwise NTLM only
 *   the policy list for that: AllowFreshCredentials (Kerberos or a
 *     trusted certificate) or AllowFreshCredentialsWhenNTLMOnly (NTLM),
 *     in effect, with an entry matching wsman/<the name used>
 *   NTLM without a trusted certificate: the name in the gateway's
 *     TrustedHosts
 *   encryption oracle levels that are not a blocked pair (CVE-2018-0886)
 *   the node's secure channel, when the domain_trust kind is there
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "certstore.h"
#include "doctor.h"
#include "wsman.h"

/* The first build of each Windows 10 / Server release with the March 2018
 * CredSSP update; later releases shipped with it (builds >= 17134). */
static const struct doctor_build {
	long	build;
	long	ubr;
} doctor_updated[] = {
	{ 14393, 2125 },	/* Server 2016, KB4088787 */
	{ 15063, 966 },		/* 1703, KB4088782 */
	{ 16299, 309 },		/* 1709, KB4088776 */
};
#define DOCTOR_BUILD_BUILTIN	17134

static void PRINTFLIKE(6, 7)
doctor_add(struct doctor_path *p, enum doctor_status st, const char *link,
    const struct doctor_facts *on, char *fix, const char *fmt, ...)
{
	struct doctor_finding *f;
	va_list ap;

	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	f = &p->v[p->n++];
	memset(f, 0, sizeof(*f));
	f->status = st;
	f->link = link;
	f->host = on->host->name;
	f->fix = fix;
	va_start(ap, fmt);
	f->what = xvasprintf(fmt, ap);
	va_end(ap);
}

static int
doctor_is_ip(const char *name)
{
	unsigned char a[16];

	return inet_pton(AF_INET, name, a) == 1 ||
	    inet_pton(AF_INET6, name, a) == 1;
}

/* "*" then a suffix of name, case aside; or equal; or "*". */
static int
doctor_wild(const char *pat, const char *name)
{
	size_t lp = strlen(pat), ln = strlen(name);

	if (strcmp(pat, "*") == 0)
		return 1;
	if (pat[0] == '*')
		return ln >= lp - 1 && strcasecmp(name + ln - (lp - 1),
		    pat + 1) == 0;
	return strcasecmp(pat, name) == 0;
}

int
doctor_spn_match(const char *entry, const char *name)
{
	const char *slash = strchr(entry, '/');

	if (slash == NULL || (size_t)(slash - entry) != 5 ||
	    strncasecmp(entry, "wsman", 5) != 0)
		return 0;
	return doctor_wild(slash + 1, name);
}

int
doctor_trusted_host_match(const char *entry, const char *name)
{
	return doctor_wild(entry, name);
}

static const char *
doctor_short(const char *name, char *out, size_t len)
{
	size_t n = strcspn(name, ".");

	if (doctor_is_ip(name))
		n = strlen(name);
	snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), name);
	return out;
}

const struct model_host *
doctor_resolve(const struct model *m, const char *name, char **cause)
{
	const struct model_host *found = NULL, *h;
	char s[256];
	size_t i;

	for (i = 0; i < m->nhosts; i++) {
		h = &m->hosts[i];
		if (strcasecmp(h->name, name) != 0 &&
		    strcasecmp(doctor_short(h->name, s, sizeof(s)), name) != 0 &&
		    (h->conn.address == NULL ||
		    strcmp(h->conn.address, name) != 0))
			continue;
		if (found != NULL)
			return cause_set(cause, "'%s' names both %s and %s",
			    name, found->name, h->name), NULL;
		found = h;
	}
	if (found == NULL)
		cause_set(cause, "'%s' is no inventory host's name, short "
		    "name or address", name);
	return found;
}

static int
doctor_true(const struct node *tree, const char *path)
{
	int v;

	return node_bool(node_path(tree, path, NULL, 0, NULL), &v) == 0 && v;
}

static int
doctor_gpo(const struct node *tree, const char *path)
{
	const char *s = node_get_str(node_path(tree, path, NULL, 0, NULL),
	    "source");

	return s != NULL && strcmp(s, "gpo") == 0;
}

/* A `window open` command setting KEY=VALUE pairs on host. */
static char *
doctor_window(const struct doctor_opts *o, const char *what, const char *name,
    const char *host, const char *sets)
{
	char s[64];

	return xasprintf("enforcer window open doctor-%s-%s --for 2h --hosts "
	    "%s %s --reason 'enforcer doctor: %s for %s' %s", what,
	    doctor_short(name, s, sizeof(s)), host, sets, what, name, o->path);
}

static char *
doctor_gpo_fix(const char *what, const char *host)
{
	return xasprintf("owned by Group Policy on %s: change %s in the GPO "
	    "that sets it (enforcer never writes it)", host, what);
}

/* One role (client on the gateway, server on the node) of host f. */
static void
doctor_role(struct doctor_path *p, const struct doctor_opts *o,
    const struct doctor_facts *f, const char *role, const char *window,
    const char *sets, const char *setting)
{
	char path[32];
	int gpo = doctor_gpo(f->credssp, role);

	snprintf(path, sizeof(path), "%s.enabled", role);
	if (doctor_true(f->credssp, path))
		doctor_add(p, DOCTOR_OK, strcmp(role, "client") == 0 ?
		    "client_role" : "server_role", f, NULL,
		    "CredSSP %s role on", role);
	else
		doctor_add(p, DOCTOR_BROKEN, strcmp(role, "client") == 0 ?
		    "client_role" : "server_role", f, gpo ?
		    doctor_gpo_fix(setting, f->host->name) :
		    doctor_window(o, window, p->name, f->host->name, sets),
		    "CredSSP %s role off%s", role, gpo ? " (Group Policy)" :
		    "");
	p->v[p->n - 1].gpo = gpo;
}

static void
doctor_roles(struct doctor_path *p, const struct doctor_opts *o,
    const char *client_sets)
{
	doctor_role(p, o, p->gateway, "client", "delegate", client_sets,
	    "the WinRM client's Allow CredSSP authentication");
	doctor_role(p, o, p->node, "server", "server",
	    "--set credssp.server.enabled=true",
	    "the WinRM service's Allow CredSSP authentication");
}

static int
doctor_joined(const struct doctor_facts *f)
{
	int joined;

	return node_bool(node_get(f->trust, "domain_joined"), &joined) == 0 &&
	    joined;
}

/* How the gateway authenticates the node, and why. */
static void
doctor_auth(struct doctor_path *p)
{
	p->auth = "ntlm";
	if (doctor_is_ip(p->name))
		p->why_auth = "an IP address has no Kerberos service principal "
		    "name";
	else if (!doctor_joined(p->node))
		p->why_auth = "the node is in a workgroup";
	else if (!doctor_joined(p->gateway))
		p->why_auth = "the gateway is in a workgroup";
	else {
		p->auth = "kerberos";
		p->why_auth = "both domain members, the node reached by name";
	}
}

/* 1 updated, 0 not, -1 cannot tell from the build. */
static int
doctor_updated_build(const struct doctor_facts *f)
{
	long b;
	size_t i;

	if (f->build == NULL || (b = strtol(f->build, NULL, 10)) <= 0)
		return -1;
	if (b >= DOCTOR_BUILD_BUILTIN)
		return 1;
	for (i = 0; i < nitems(doctor_updated); i++)
		if (doctor_updated[i].build == b && f->ubr >= 0)
			return f->ubr >= doctor_updated[i].ubr;
	return -1;
}

/* The level in force: an updated host's default is Mitigated. */
static const char *
doctor_oracle_level(const struct doctor_facts *f)
{
	const char *s = node_get_str(f->credssp, "encryption_oracle");

	if (s == NULL || strcmp(s, "not_configured") == 0)
		return "mitigated";
	return s;
}

static void
doctor_oracle(struct doctor_path *p, const struct doctor_opts *o)
{
	const struct doctor_facts *g = p->gateway, *n = p->node, *f;
	int cu = doctor_updated_build(g), su = doctor_updated_build(n);
	const char *cl = doctor_oracle_level(g), *sl = doctor_oracle_level(n);

	if (cu == -1 || su == -1) {
		f = cu == -1 ? g : n;
		if (f->build == NULL)
			doctor_add(p, DOCTOR_INFO, "encryption_oracle", f, NULL,
			    "not judged: no CurrentBuildNumber tells whether "
			    "the CVE-2018-0886 update is installed");
		else
			doctor_add(p, DOCTOR_INFO, "encryption_oracle", f, NULL,
			    "not judged: build %s.%ld does not tell whether "
			    "the CVE-2018-0886 update is installed", f->build,
			    f->ubr);
		return;
	}
	if (su && !cu && strcmp(sl, "force_updated_clients") == 0)
		doctor_add(p, DOCTOR_BROKEN, "encryption_oracle", n,
		    doctor_window(o, "oracle", p->name, n->host->name,
		    "--set credssp.encryption_oracle=mitigated"),
		    "blocked: the node forces updated clients and the gateway "
		    "(build %s.%ld) lacks the CVE-2018-0886 update; install it "
		    "there, or meanwhile", g->build, g->ubr);
	else if (!su && cu && strcmp(cl, "vulnerable") != 0)
		doctor_add(p, DOCTOR_BROKEN, "encryption_oracle", g,
		    doctor_window(o, "oracle", p->name, g->host->name,
		    "--set credssp.encryption_oracle=vulnerable"),
		    "blocked: the gateway is at %s and the node (build %s.%ld) "
		    "lacks the CVE-2018-0886 update; install it there, or "
		    "meanwhile", cl, n->build, n->ubr);
	else
		doctor_add(p, DOCTOR_OK, "encryption_oracle", g, NULL,
		    "gateway %s%s, node %s%s: allowed", cl, cu ? "" :
		    " (not updated)", sl, su ? "" : " (not updated)");
}

/* The node's HTTPS listener as the gateway sees it: 1 trusted for name. */
static int
doctor_certificate(struct doctor_path *p, const struct doctor_opts *o,
    int needed)
{
	const struct doctor_facts *g = p->gateway, *n = p->node;
	const struct node *https = node_get(n->listener, "https");
	const char *tp = node_get_str(https, "thumbprint");
	struct certstore_trust t;
	enum doctor_status bad = needed ? DOCTOR_BROKEN : DOCTOR_WARN;
	char *cause = NULL;
	int ok = 0, gpo;

	if (!doctor_true(https, "exists") || tp == NULL ||
	    (node_get(https, "enabled") != NULL &&
	    !doctor_true(https, "enabled"))) {
		gpo = node_get_str(https, "source") != NULL;
		doctor_add(p, bad, "listener", n, gpo ? doctor_gpo_fix(
		    "the WinRM HTTPS listener", n->host->name) :
		    xasprintf("policies: { %s: { wsman_listener: { https: { "
		    "enabled: true } } } }", n->host->name), "no enabled "
		    "HTTPS listener with a certificate%s", gpo ?
		    " (Group Policy)" : "");
		p->v[p->n - 1].gpo = gpo;
		return 0;
	}
	if (certstore_trusted_by(&t, n->store_my, tp, p->name, g->store_root,
	    g->store_ca, o->now, &cause) == -1) {
		doctor_add(p, bad, "certificate_trust", g, NULL,
		    "cannot judge certificate %s: %s", tp, cause);
		free(cause);
		return 0;
	}
	if (!t.found)
		doctor_add(p, bad, "listener", n, xasprintf("policies: { %s: "
		    "{ wsman_listener: { https: { certificate: { "
		    "match_hostname: true } } } } }", n->host->name),
		    "the listener names certificate %s, which is not in "
		    "LocalMachine\\My", tp);
	else if (!t.trusted)
		doctor_add(p, bad, "certificate_trust", g, xasprintf("import "
		    "the CA that issued %s's certificate into %s's "
		    "LocalMachine\\Root (no enforcer kind manages that store)",
		    n->host->name, g->host->name), "the gateway does not trust "
		    "the node's listener certificate %s: %s", tp,
		    t.verify_error != NULL ? t.verify_error : "no reason");
	else if (!t.name_matches)
		doctor_add(p, bad, "certificate_name", n, xasprintf("have WAC "
		    "use a name the certificate carries (%s), or give %s a "
		    "certificate whose subjectAltName carries '%s'", t.names,
		    n->host->name, p->name), "certificate %s is for %s, not "
		    "'%s'", tp, t.names, p->name);
	else {
		doctor_add(p, DOCTOR_OK, "certificate_trust", g, NULL,
		    "the gateway trusts listener certificate %s for '%s'", tp,
		    p->name);
		ok = 1;
	}
	certstore_trust_release(&t);
	return ok;
}

/* An entry of the gateway's list naming the node otherwise, for a hint. */
static const char *
doctor_other_form(const struct node *list, const struct doctor_facts *n)
{
	char s[256];
	size_t i;

	for (i = 0; list != NULL && i < list->nitems; i++)
		if (doctor_spn_match(list->items[i]->value, n->host->name) ||
		    doctor_spn_match(list->items[i]->value,
		    doctor_short(n->host->name, s, sizeof(s))) ||
		    (n->host->conn.address != NULL && doctor_spn_match(
		    list->items[i]->value, n->host->conn.address)))
			return list->items[i]->value;
	return NULL;
}

/* The --set options of the one window that fixes the gateway's side. */
static char *
doctor_client_sets(const struct doctor_path *p, const char *field)
{
	return xasprintf("--set credssp.client.enabled=true --set "
	    "'credssp.client.%s=[wsman/%s]'", field, p->name);
}

/* 1 when an entry of the list covers the name used. */
static int
doctor_delegation(struct doctor_path *p, const struct doctor_opts *o,
    const char *field, const char *policy)
{
	const struct doctor_facts *g = p->gateway;
	const struct node *list = node_path(g->credssp, "client", NULL, 0,
	    NULL);
	const char *flag = node_get_str(g->policy, policy), *other;
	const char *link = strcmp(field, "delegate") == 0 ? "delegation" :
	    "delegation_ntlm_only";
	char *sets = doctor_client_sets(p, field);
	size_t i;
	int gpo = doctor_gpo(g->credssp, "client");

	list = node_get(list, field);
	for (i = 0; list != NULL && i < list->nitems; i++)
		if (doctor_spn_match(list->items[i]->value, p->name)) {
			doctor_add(p, DOCTOR_OK, link, g, NULL,
			    "%s entry %s covers wsman/%s", policy,
			    list->items[i]->value, p->name);
			free(sets);
			return 1;
		}
	other = doctor_other_form(list, p->node);
	doctor_add(p, DOCTOR_BROKEN, link, g, gpo ?
	    doctor_gpo_fix(policy, g->host->name) :
	    doctor_window(o, "delegate", p->name, g->host->name, sets),
	    "no %s entry covers wsman/%s%s%s%s%s", policy, p->name,
	    flag == NULL ? " (policy not configured)" : strcmp(flag, "1") != 0 ?
	    " (policy disabled)" : "", other != NULL ? ": " : "",
	    other != NULL ? other : "", other != NULL ?
	    " names the node otherwise than WAC does" : "");
	p->v[p->n - 1].gpo = gpo;
	free(sets);
	return 0;
}

/* The OS defaults (TERMSRV/ any host) never cover wsman/: context only. */
static void
doctor_concatenate(struct doctor_path *p, const char *value)
{
	const char *v = node_get_str(p->gateway->policy, value);

	doctor_add(p, DOCTOR_INFO, "concatenate_defaults", p->gateway, NULL,
	    "%s %s: the OS defaults it adds (TERMSRV/*) never cover wsman/",
	    value, v == NULL ? "not set" : v);
}

static void
doctor_trusted_hosts(struct doctor_path *p)
{
	const struct doctor_facts *g = p->gateway;
	const struct node *list = node_get(g->trusted_hosts, "hosts");
	const char *src = node_get_str(g->trusted_hosts, "source");
	int gpo = src != NULL && strcmp(src, "gpo") == 0;
	size_t i;

	for (i = 0; list != NULL && i < list->nitems; i++)
		if (doctor_trusted_host_match(list->items[i]->value,
		    p->name)) {
			doctor_add(p, DOCTOR_OK, "trusted_hosts", g, NULL,
			    "TrustedHosts entry %s covers '%s'",
			    list->items[i]->value, p->name);
			return;
		}
	doctor_add(p, DOCTOR_BROKEN, "trusted_hosts", g, gpo ?
	    doctor_gpo_fix("TrustedHosts", g->host->name) :
	    xasprintf("policies: { %s: { trusted_hosts: { hosts: ['%s'] } } }",
	    g->host->name, p->name), "'%s' is not in TrustedHosts, which NTLM "
	    "without a trusted certificate needs", p->name);
	p->v[p->n - 1].gpo = gpo;
}

/* The domain_trust kind's verdict on the node, when it was read. */
static void
doctor_trust(struct doctor_path *p, const struct doctor_facts *f,
    const struct doctor_opts *o)
{
	const struct node *sc;
	int healthy;

	if (!doctor_joined(f))
		return;
	sc = node_get(f->trust, "secure_channel");
	if (node_bool(sc, &healthy) == 0 && healthy)
		doctor_add(p, DOCTOR_OK, "secure_channel", f, NULL,
		    "secure channel to %s healthy",
		    node_get_str(f->trust, "domain"));
	else
		doctor_add(p, DOCTOR_BROKEN, "secure_channel", f,
		    xasprintf("enforcer restart --hosts %s %s", f->host->name,
		    o->path), "secure channel to %s broken: restart the host "
		    "(the guide's Remedy 1)", node_get_str(f->trust, "domain"));
}

static void
doctor_downgrade(struct doctor_path *p, size_t from)
{
	size_t i;

	for (i = from; i < p->n; i++)
		if (p->v[i].status == DOCTOR_BROKEN)
			p->v[i].status = DOCTOR_WARN;
}

void
doctor_check(struct doctor_path *p, const struct doctor_facts *gateway,
    const struct doctor_facts *node, const char *name,
    const struct doctor_opts *o)
{
	const char *field;
	char *sets;
	size_t first;
	int x509, ntlm;

	memset(p, 0, sizeof(*p));
	p->name = name;
	p->gateway = gateway;
	p->node = node;
	doctor_auth(p);
	doctor_trust(p, gateway, o);
	doctor_trust(p, node, o);
	ntlm = strcmp(p->auth, "ntlm") == 0;
	first = p->n;
	x509 = doctor_certificate(p, o, ntlm);
	field = !ntlm || x509 ? "delegate" : "delegate_ntlm_only";
	sets = doctor_client_sets(p, field);
	doctor_roles(p, o, sets);
	free(sets);
	if (!ntlm || x509) {
		doctor_delegation(p, o, "delegate", "AllowFreshCredentials");
		doctor_concatenate(p, "ConcatenateDefaults_AllowFresh");
	} else {
		/* The NTLM-only list makes the certificate optional. */
		if (doctor_delegation(p, o, "delegate_ntlm_only",
		    "AllowFreshCredentialsWhenNTLMOnly"))
			doctor_downgrade(p, first);
		doctor_concatenate(p, "ConcatenateDefaults_AllowFreshNTLMOnly");
		doctor_trusted_hosts(p);
	}
	doctor_oracle(p, o);
}

void
doctor_path_release(struct doctor_path *p)
{
	size_t i;

	for (i = 0; p != NULL && i < p->n; i++) {
		free(p->v[i].what);
		free(p->v[i].fix);
	}
	if (p != NULL)
		free(p->v);
}

enum doctor_status
doctor_worst(const struct doctor_path *p)
{
	enum doctor_status w = DOCTOR_OK;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->v[i].status == DOCTOR_BROKEN)
			return DOCTOR_BROKEN;
		else if (p->v[i].status == DOCTOR_WARN)
			w = DOCTOR_WARN;
	return w;
}

const char *
doctor_status_name(enum doctor_status s)
{
	static const char *const names[] = { "ok", "info", "warn", "broken" };

	return names[s];
}
