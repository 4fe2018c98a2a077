/*
 * state.c: a simulated host's ground truth: registry, groups, accounts,
 * services, listeners, certificates, tasks, files, the clock; its dump as
 * "key = value" lines and the setting of one key.
 *
 * Ground-truth keys (sim_dump writes them sorted; sim_set takes the same):
 *
 *   clock.now = 2026-11-24T21:30:00Z
 *   winrm.MaxEnvelopeSizekb = 500                 winrm.MaxTimeoutms = 60000
 *   winrm.service.auth.Basic = false    (.Kerberos .Negotiate .Certificate
 *                                        .CredSSP .CbtHardeningLevel)
 *   winrm.service.AllowUnencrypted = false
 *   winrm.client.auth.CredSSP = false   (.Basic .Digest .Kerberos .Negotiate
 *                                        .Certificate)
 *   winrm.client.AllowUnencrypted = false
 *   winrm.client.TrustedHosts =
 *   winrm.winrs.MaxShellsPerUser = ...  (other settings fleet.c keeps in
 *                                        host->settings, as they are)
 *   listener.HTTPS.*.Port = 5986        (listener.<Transport>.<Address>.
 *                                        <Field>: Port Hostname Enabled
 *                                        URLPrefix CertificateThumbprint)
 *   cert.<THUMBPRINT>.subject = CN=node1.contoso.test  (.issuer .serial
 *                                        .not_before .not_after
 *                                        .server_auth .private_key
 *                                        .dns_names)
 *   service.WinRM.state = Running       (.start_mode)
 *   group.Gateway Administrators.members = CONTOSO\alice,CONTOSO\bob
 *   account.CONTOSO\bob.admin = false
 *   reg.<KEY PATH>:<VALUE NAME> = REG_DWORD 1   (REG_SZ text, REG_EXPAND_SZ
 *                                        text, REG_MULTI_SZ a\0b, REG_QWORD
 *                                        n, REG_BINARY hex)
 *   task.\enforcer\revert-x.trigger = 2026-11-25T11:15:00Z  (.command
 *                                        .enabled .run_as .last_result
 *                                        .last_run)
 *   file.C:\Windows\Temp\t.xml.size = 1234
 *   gpo = winrm.service.auth.CredSSP,...    (keys whose source is Group
 *                                        Policy: winrm.*, listener.T.A,
 *                                        reg.<KEY PATH>)
 *   rsop = missing                      (or denied: the RSoP namespace
 *                                        does not answer; dumped only
 *                                        when not "available")
 *
 * sim_set extras: an empty value or "<deleted>" on a reg., task., listener.,
 * file., group., account. or cert. object deletes it (reg.<KEY PATH> without
 * ":" deletes the key and its subkeys); "reg.<KEY PATH> = <key>" creates an
 * empty key; file.<PATH>.data sets a file's content (\r \n \\ decoded).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509v3.h>

#include "sim.h"

#define DELETED		"<deleted>"

static const char *
skip_hklm(const char *path)
{
	static const char *const prefixes[] = {
		"HKEY_LOCAL_MACHINE\\", "HKLM\\", "HKEY_LOCAL_MACHINE", "HKLM",
	};
	size_t i, n;

	for (i = 0; i < nitems(prefixes); i++) {
		n = strlen(prefixes[i]);
		if (strncasecmp(path, prefixes[i], n) == 0 &&
		    (prefixes[i][n - 1] == '\\' || path[n] == '\0'))
			return path + n;
	}
	return path;
}

/* A registry path without the hive, leading or trailing backslashes. */
static char *
reg_normalize(const char *path)
{
	const char *p = skip_hklm(path);
	size_t len;

	while (*p == '\\')
		p++;
	len = strlen(p);
	while (len > 0 && p[len - 1] == '\\')
		len--;
	return xstrndup(p, len);
}

time_t
sim_now(const struct sim_host *h)
{
	return time(NULL) + h->clock_offset;
}

void
sim_time_format(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
sim_time_parse(const char *s, time_t *out)
{
	struct tm tm;
	const char *p;
	int oh, om, sign;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	*out = timegm(&tm);
	if (strcmp(p, "Z") == 0 || *p == '\0')
		return 0;
	if ((*p != '+' && *p != '-') ||
	    sscanf(p + 1, "%2d:%2d", &oh, &om) != 2 || strlen(p) != 6)
		return -1;
	sign = *p == '+' ? 1 : -1;
	*out -= sign * (oh * 3600 + om * 60);
	return 0;
}

void
sim_host_netbios(const struct sim_host *h, char out[16])
{
	size_t i;

	for (i = 0; i < 15 && h->name[i] != '\0' && h->name[i] != '.'; i++)
		out[i] = (char)toupper((unsigned char)h->name[i]);
	out[i] = '\0';
}

/* --- registry ---------------------------------------------------------- */

static void
reg_value_clear(struct sim_reg_value *v)
{
	size_t i;

	free(v->sz);
	for (i = 0; i < v->nmulti; i++)
		free(v->multi[i]);
	free(v->multi);
	v->sz = NULL;
	v->multi = NULL;
	v->nmulti = 0;
	v->num = 0;
}

static void
reg_key_clear(struct sim_reg_key *k)
{
	size_t i;

	for (i = 0; i < k->nvalues; i++) {
		reg_value_clear(&k->values[i]);
		free(k->values[i].name);
	}
	free(k->values);
	free(k->path);
}

static struct sim_reg_key *
reg_key_find(struct sim_host *h, const char *norm)
{
	size_t i;

	for (i = 0; i < h->nkeys; i++)
		if (strcasecmp(h->keys[i].path, norm) == 0)
			return &h->keys[i];
	return NULL;
}

static struct sim_reg_key *
reg_key_append(struct sim_host *h, const char *norm)
{
	struct sim_reg_key *k;

	h->keys = xreallocarray(h->keys, h->nkeys + 1, sizeof(*h->keys));
	k = &h->keys[h->nkeys++];
	memset(k, 0, sizeof(*k));
	k->path = xstrdup(norm);
	return k;
}

/* Like RegCreateKeyEx: missing ancestors are created too. */
struct sim_reg_key *
sim_reg_key(struct sim_host *h, const char *path, int create)
{
	char *norm, *p;
	struct sim_reg_key *k;

	norm = reg_normalize(path);
	k = NULL;
	if (*norm == '\0')
		goto out;
	if ((k = reg_key_find(h, norm)) != NULL || !create)
		goto out;
	for (p = strchr(norm, '\\'); p != NULL; p = strchr(p + 1, '\\')) {
		*p = '\0';
		if (reg_key_find(h, norm) == NULL)
			reg_key_append(h, norm);
		*p = '\\';
	}
	k = reg_key_append(h, norm);
out:
	free(norm);
	return k;
}

static int
reg_is_under(const char *path, const char *norm)
{
	size_t n = strlen(norm);

	return strncasecmp(path, norm, n) == 0 &&
	    (path[n] == '\0' || path[n] == '\\');
}

/* Deletes the key and its whole subtree, as `reg delete KEY /f` does. */
int
sim_reg_delete_key(struct sim_host *h, const char *path)
{
	char *norm;
	size_t i, j;
	int rc = -1;

	norm = reg_normalize(path);
	if (*norm == '\0' || reg_key_find(h, norm) == NULL)
		goto out;
	for (i = j = 0; i < h->nkeys; i++) {
		if (reg_is_under(h->keys[i].path, norm))
			reg_key_clear(&h->keys[i]);
		else
			h->keys[j++] = h->keys[i];
	}
	h->nkeys = j;
	rc = 0;
out:
	free(norm);
	return rc;
}

static int
cmp_str_ci(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

size_t
sim_reg_subkeys(struct sim_host *h, const char *path, char ***names)
{
	char *norm;
	const char *rest;
	size_t i, n, len;

	norm = reg_normalize(path);
	len = strlen(norm);
	*names = NULL;
	n = 0;
	for (i = 0; i < h->nkeys; i++) {
		if (len > 0 && (!reg_is_under(h->keys[i].path, norm) ||
		    h->keys[i].path[len] == '\0'))
			continue;
		rest = h->keys[i].path + len + (len > 0);
		if (*rest == '\0' || strchr(rest, '\\') != NULL)
			continue;
		*names = xreallocarray(*names, n + 1, sizeof(**names));
		(*names)[n++] = xstrdup(rest);
	}
	if (n > 0)
		qsort(*names, n, sizeof(**names), cmp_str_ci);
	free(norm);
	return n;
}

struct sim_reg_value *
sim_reg_value(struct sim_reg_key *k, const char *name, int create)
{
	struct sim_reg_value *v;
	size_t i;

	for (i = 0; i < k->nvalues; i++)
		if (strcasecmp(k->values[i].name, name) == 0)
			return &k->values[i];
	if (!create)
		return NULL;
	k->values = xreallocarray(k->values, k->nvalues + 1,
	    sizeof(*k->values));
	v = &k->values[k->nvalues++];
	memset(v, 0, sizeof(*v));
	v->name = xstrdup(name);
	v->type = SIM_REG_SZ;
	v->sz = xstrdup("");
	return v;
}

int
sim_reg_delete_value(struct sim_reg_key *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->nvalues; i++) {
		if (strcasecmp(k->values[i].name, name) != 0)
			continue;
		reg_value_clear(&k->values[i]);
		free(k->values[i].name);
		memmove(&k->values[i], &k->values[i + 1],
		    (k->nvalues - i - 1) * sizeof(*k->values));
		k->nvalues--;
		return 0;
	}
	return -1;
}

void
sim_reg_set_sz(struct sim_reg_key *k, const char *name, int type,
    const char *data)
{
	struct sim_reg_value *v = sim_reg_value(k, name, 1);

	reg_value_clear(v);
	v->type = type;
	v->sz = xstrdup(data);
}

void
sim_reg_set_num(struct sim_reg_key *k, const char *name, int type,
    uint64_t num)
{
	struct sim_reg_value *v = sim_reg_value(k, name, 1);

	reg_value_clear(v);
	v->type = type;
	v->num = type == SIM_REG_DWORD ? (uint32_t)num : num;
}

void
sim_reg_set_multi(struct sim_reg_key *k, const char *name,
    char *const *items, size_t n)
{
	struct sim_reg_value *v = sim_reg_value(k, name, 1);
	size_t i;

	reg_value_clear(v);
	v->type = SIM_REG_MULTI_SZ;
	v->multi = xcalloc(n > 0 ? n : 1, sizeof(*v->multi));
	for (i = 0; i < n; i++)
		v->multi[i] = xstrdup(items[i]);
	v->nmulti = n;
}

static const struct {
	int		 type;
	const char	*name;
} reg_types[] = {
	{ SIM_REG_SZ, "REG_SZ" },
	{ SIM_REG_EXPAND_SZ, "REG_EXPAND_SZ" },
	{ SIM_REG_BINARY, "REG_BINARY" },
	{ SIM_REG_DWORD, "REG_DWORD" },
	{ SIM_REG_MULTI_SZ, "REG_MULTI_SZ" },
	{ SIM_REG_QWORD, "REG_QWORD" },
};

const char *
sim_reg_type_name(int type)
{
	size_t i;

	for (i = 0; i < nitems(reg_types); i++)
		if (reg_types[i].type == type)
			return reg_types[i].name;
	return NULL;
}

int
sim_reg_type_parse(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(reg_types); i++)
		if (strcasecmp(reg_types[i].name, name) == 0)
			return reg_types[i].type;
	return -1;
}

/* --- SIDs ---------------------------------------------------------------- */

static const struct {
	const char *name, *sid;
} wellknown_sids[] = {
	{ "Everyone", "S-1-1-0" },
	{ "NT AUTHORITY\\INTERACTIVE", "S-1-5-4" },
	{ "NT AUTHORITY\\Authenticated Users", "S-1-5-11" },
	{ "NT AUTHORITY\\IUSR", "S-1-5-17" },
	{ "NT AUTHORITY\\SYSTEM", "S-1-5-18" },
	{ "NT AUTHORITY\\LOCAL SERVICE", "S-1-5-19" },
	{ "NT AUTHORITY\\NETWORK SERVICE", "S-1-5-20" },
};

/* The built-in local accounts' RIDs (well-known RIDs, MS-DTYP 2.4.2.4). */
static const struct {
	const char	*name;
	unsigned	 rid;
} builtin_rids[] = {
	{ "Administrator", 500 }, { "Guest", 501 }, { "DefaultAccount", 503 },
	{ "WDAGUtilityAccount", 504 },
};

int
sim_is_sid(const char *s)
{
	return strncasecmp(s, "S-1-", 4) == 0 && s[4] != '\0' &&
	    strspn(s + 4, "0123456789-") == strlen(s + 4);
}

/* FNV-1a over the lower-cased name: SIDs derived from names. */
static uint32_t
sid_hash(const char *s, uint32_t salt)
{
	uint32_t h = 2166136261u ^ salt;

	for (; *s != '\0'; s++)
		h = (h ^ (uint32_t)tolower((unsigned char)*s)) * 16777619u;
	return h % 900000000u + 100000000u;
}

static char *
authority_sid(const char *name, unsigned rid)
{
	return xasprintf("S-1-5-21-%u-%u-%u-%u", sid_hash(name, 1),
	    sid_hash(name, 2), sid_hash(name, 3), rid);
}

static char *
local_sid(const struct sim_host *h, unsigned rid)
{
	char nb[16];

	sim_host_netbios(h, nb);
	return authority_sid(nb, rid);
}

void
sim_account_split(const struct sim_host *h, const char *name, char *domain,
    size_t dlen, const char **bare)
{
	const char *bs = strchr(name, '\\');
	char nb[16];

	if (bs == NULL) {
		sim_host_netbios(h, nb);
		snprintf(domain, dlen, "%s", nb);
		*bare = name;
		return;
	}
	snprintf(domain, dlen, "%.*s", (int)(bs - name), name);
	*bare = bs + 1;
}

/* The SID an account of this name gets on h. */
static char *
account_sid(struct sim_host *h, const char *name)
{
	const char *bare;
	char dom[64], nb[16];
	size_t i;

	for (i = 0; i < nitems(wellknown_sids); i++)
		if (strcasecmp(wellknown_sids[i].name, name) == 0)
			return xstrdup(wellknown_sids[i].sid);
	sim_account_split(h, name, dom, sizeof(dom), &bare);
	sim_host_netbios(h, nb);
	if (strcasecmp(dom, nb) != 0 && strcmp(dom, ".") != 0)
		return authority_sid(dom, 1100 + sid_hash(bare, 4) % 900000);
	for (i = 0; i < nitems(builtin_rids); i++)
		if (strcasecmp(builtin_rids[i].name, bare) == 0)
			return local_sid(h, builtin_rids[i].rid);
	return local_sid(h, h->next_rid++);
}

/* Whether the account's SID is in the host's own (machine) domain. */
int
sim_account_is_local(const struct sim_host *h, const struct sim_account *a)
{
	char *admin = local_sid(h, 500);
	size_t n = (size_t)(strrchr(admin, '-') - admin) + 1;
	int local = strncasecmp(a->sid, admin, n) == 0;

	free(admin);
	return local;
}

/* The built-in Administrator (RID 500), renamed or not. */
int
sim_account_is_builtin_admin(const struct sim_host *h,
    const struct sim_account *a)
{
	char *admin = local_sid(h, 500);
	int is = strcasecmp(a->sid, admin) == 0;

	free(admin);
	return is;
}

const char *
sim_admin_name(struct sim_host *h)
{
	struct sim_account *a;
	char *sid = local_sid(h, 500);

	a = sim_account(h, sid);
	free(sid);
	return a != NULL ? a->name : "Administrator";
}

/* --- groups, accounts, services, listeners ------------------------------ */

struct sim_group *
sim_group(struct sim_host *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->ngroups; i++)
		if (strcasecmp(h->groups[i].name, name) == 0 ||
		    strcasecmp(h->groups[i].sid, name) == 0)
			return &h->groups[i];
	return NULL;
}

struct sim_group *
sim_group_add(struct sim_host *h, const char *name, const char *comment)
{
	struct sim_group *g;

	if ((g = sim_group(h, name)) != NULL)
		return g;
	h->groups = xreallocarray(h->groups, h->ngroups + 1,
	    sizeof(*h->groups));
	g = &h->groups[h->ngroups++];
	memset(g, 0, sizeof(*g));
	g->name = xstrdup(name);
	g->comment = xstrdup(comment != NULL ? comment : "");
	g->sid = local_sid(h, h->next_rid++);
	return g;
}

static void
group_clear(struct sim_group *g)
{
	size_t i;

	for (i = 0; i < g->nmembers; i++)
		free(g->members[i]);
	free(g->members);
	free(g->name);
	free(g->comment);
	free(g->sid);
}

int
sim_group_delete(struct sim_host *h, const char *name)
{
	struct sim_group *g;
	size_t i;

	if ((g = sim_group(h, name)) == NULL)
		return -1;
	i = (size_t)(g - h->groups);
	group_clear(g);
	memmove(g, g + 1, (h->ngroups - i - 1) * sizeof(*g));
	h->ngroups--;
	return 0;
}

int
sim_group_find_member(const struct sim_group *g, const char *member)
{
	size_t i;

	for (i = 0; i < g->nmembers; i++)
		if (strcasecmp(g->members[i], member) == 0)
			return (int)i;
	return -1;
}

void
sim_group_add_member(struct sim_group *g, const char *member)
{
	if (sim_group_find_member(g, member) >= 0)
		return;
	g->members = xreallocarray(g->members, g->nmembers + 1,
	    sizeof(*g->members));
	g->members[g->nmembers++] = xstrdup(member);
}

int
sim_group_delete_member(struct sim_group *g, const char *member)
{
	int i;

	if ((i = sim_group_find_member(g, member)) < 0)
		return -1;
	free(g->members[i]);
	memmove(&g->members[i], &g->members[i + 1],
	    (g->nmembers - (size_t)i - 1) * sizeof(*g->members));
	g->nmembers--;
	return 0;
}

/* Built-in principals that resolve without their "NT AUTHORITY\" part. */
static int
is_wellknown_domain(const char *dom, size_t len)
{
	return (len == 12 && strncasecmp(dom, "NT AUTHORITY", 12) == 0) ||
	    (len == 7 && strncasecmp(dom, "BUILTIN", 7) == 0);
}

/*
 * "bob" finds a local "bob" or "NT AUTHORITY\bob"; "NODE1\bob" (this
 * host's NetBIOS name) or ".\bob" finds the local "bob"; anything else
 * must match exactly.
 */
struct sim_account *
sim_account(struct sim_host *h, const char *name)
{
	char nb[16];
	const char *bs, *abs;
	size_t i, dlen;

	for (i = 0; sim_is_sid(name) && i < h->naccounts; i++)
		if (strcasecmp(h->accounts[i].sid, name) == 0)
			return &h->accounts[i];
	sim_host_netbios(h, nb);
	bs = strchr(name, '\\');
	if (bs != NULL) {
		dlen = (size_t)(bs - name);
		if ((dlen == strlen(nb) && strncasecmp(name, nb, dlen) == 0) ||
		    (dlen == 1 && name[0] == '.'))
			name = bs + 1;
	}
	for (i = 0; i < h->naccounts; i++)
		if (strcasecmp(h->accounts[i].name, name) == 0)
			return &h->accounts[i];
	if (strchr(name, '\\') != NULL)
		return NULL;
	for (i = 0; i < h->naccounts; i++) {
		abs = strchr(h->accounts[i].name, '\\');
		if (abs != NULL && strcasecmp(abs + 1, name) == 0 &&
		    is_wellknown_domain(h->accounts[i].name,
		    (size_t)(abs - h->accounts[i].name)))
			return &h->accounts[i];
	}
	return NULL;
}

struct sim_account *
sim_account_add(struct sim_host *h, const char *name, const char *password,
    int admin)
{
	struct sim_account *a;
	size_t i;

	for (i = 0; i < h->naccounts; i++)
		if (strcasecmp(h->accounts[i].name, name) == 0)
			break;
	if (i < h->naccounts) {
		a = &h->accounts[i];
		free(a->password);
	} else {
		h->accounts = xreallocarray(h->accounts, h->naccounts + 1,
		    sizeof(*h->accounts));
		a = &h->accounts[h->naccounts++];
		a->name = xstrdup(name);
		a->sid = account_sid(h, name);
	}
	a->password = password != NULL ? xstrdup(password) : NULL;
	a->admin = admin;
	return a;
}

static int
account_delete(struct sim_host *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->naccounts; i++)
		if (strcasecmp(h->accounts[i].name, name) == 0)
			break;
	if (i == h->naccounts)
		return -1;
	free(h->accounts[i].name);
	free(h->accounts[i].password);
	free(h->accounts[i].sid);
	memmove(&h->accounts[i], &h->accounts[i + 1],
	    (h->naccounts - i - 1) * sizeof(*h->accounts));
	h->naccounts--;
	return 0;
}

struct sim_service *
sim_service(struct sim_host *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->nservices; i++)
		if (strcasecmp(h->services[i].name, name) == 0)
			return &h->services[i];
	return NULL;
}

/* Process ids are per host and only need to look plausible. */
static int
service_pid(const struct sim_host *h, const struct sim_service *s)
{
	size_t i = (size_t)(s - h->services);

	return 1000 + (int)(i * 148) + (int)(strlen(s->name) * 4);
}

struct sim_service *
sim_service_add(struct sim_host *h, const char *name,
    const char *display_name, const char *state, const char *start_mode)
{
	struct sim_service *s;

	if ((s = sim_service(h, name)) == NULL) {
		h->services = xreallocarray(h->services, h->nservices + 1,
		    sizeof(*h->services));
		s = &h->services[h->nservices++];
		memset(s, 0, sizeof(*s));
		s->name = xstrdup(name);
	} else {
		free(s->display_name);
		free(s->state);
		free(s->start_mode);
	}
	s->display_name = xstrdup(display_name != NULL ? display_name : name);
	s->state = xstrdup(state);
	s->start_mode = xstrdup(start_mode);
	s->pid = strcasecmp(state, "Running") == 0 ? service_pid(h, s) : 0;
	return s;
}

void
sim_service_set_state(struct sim_host *h, struct sim_service *s,
    const char *state)
{
	free(s->state);
	s->state = xstrdup(state);
	s->pid = strcasecmp(state, "Running") == 0 ? service_pid(h, s) : 0;
	if (h->fleet != NULL && h->fleet->service_changed != NULL)
		h->fleet->service_changed(h, s);
}

struct sim_listener *
sim_listener(struct sim_host *h, const char *transport, const char *address,
    int create)
{
	struct sim_listener *l;
	size_t i;

	for (i = 0; i < h->nlisteners; i++) {
		l = &h->listeners[i];
		if (strcasecmp(l->transport, transport) == 0 &&
		    strcasecmp(l->address, address) == 0)
			return l;
	}
	if (!create)
		return NULL;
	h->listeners = xreallocarray(h->listeners, h->nlisteners + 1,
	    sizeof(*h->listeners));
	l = &h->listeners[h->nlisteners++];
	memset(l, 0, sizeof(*l));
	l->transport = xstrdup(transport);
	for (i = 0; l->transport[i] != '\0'; i++)
		l->transport[i] = (char)toupper((unsigned char)l->transport[i]);
	l->address = xstrdup(address);
	l->port = strcasecmp(transport, "HTTPS") == 0 ? 5986 : 5985;
	l->hostname = xstrdup("");
	l->enabled = 1;
	l->url_prefix = xstrdup("wsman");
	return l;
}

static void
listener_clear(struct sim_listener *l)
{
	free(l->address);
	free(l->transport);
	free(l->hostname);
	free(l->url_prefix);
	free(l->thumbprint);
}

int
sim_listener_delete(struct sim_host *h, const char *transport,
    const char *address)
{
	struct sim_listener *l;
	size_t i;

	if ((l = sim_listener(h, transport, address, 0)) == NULL)
		return -1;
	i = (size_t)(l - h->listeners);
	listener_clear(l);
	memmove(l, l + 1, (h->nlisteners - i - 1) * sizeof(*l));
	h->nlisteners--;
	return 0;
}

/* --- tasks, files, certificates ----------------------------------------- */

/* Task names are paths from the root folder: "x" is "\x". */
static char *
task_normalize(const char *name)
{
	return name[0] == '\\' ? xstrdup(name) : xasprintf("\\%s", name);
}

struct sim_task *
sim_task(struct sim_host *h, const char *name, int create)
{
	struct sim_task *t = NULL;
	char *norm;
	size_t i;

	norm = task_normalize(name);
	for (i = 0; i < h->ntasks; i++)
		if (strcasecmp(h->tasks[i].name, norm) == 0) {
			t = &h->tasks[i];
			goto out;
		}
	if (!create)
		goto out;
	h->tasks = xreallocarray(h->tasks, h->ntasks + 1, sizeof(*h->tasks));
	t = &h->tasks[h->ntasks++];
	memset(t, 0, sizeof(*t));
	t->name = norm;
	norm = NULL;
	t->command = xstrdup("");
	t->enabled = 1;
	t->run_as = xstrdup("SYSTEM");
	t->schedule = xstrdup("ONCE");
	t->last_result = xstrdup("267011");	/* SCHED_S_TASK_HAS_NOT_RUN */
out:
	free(norm);
	return t;
}

static void
task_clear(struct sim_task *t)
{
	free(t->name);
	free(t->command);
	free(t->run_as);
	free(t->xml);
	free(t->last_result);
	free(t->schedule);
	free(t->author);
}

int
sim_task_delete(struct sim_host *h, const char *name)
{
	struct sim_task *t;
	size_t i;

	if ((t = sim_task(h, name, 0)) == NULL)
		return -1;
	i = (size_t)(t - h->tasks);
	task_clear(t);
	memmove(t, t + 1, (h->ntasks - i - 1) * sizeof(*t));
	h->ntasks--;
	return 0;
}

int
sim_task_due(const struct sim_task *t, time_t now)
{
	return t->enabled && t->trigger != 0 && t->trigger <= now &&
	    t->last_run < t->trigger && t->trigger > t->registered &&
	    t->trigger != t->missed;
}

void
sim_task_run(struct sim_host *h, const char *name)
{
	time_t now = sim_now(h);

	struct buf out = BUF_INIT, err = BUF_INIT;
	struct sim_task *t;
	char *command, *run_as;
	int rc, wrote;

	t = sim_task(h, name, 0);
	command = xstrdup(t->command);
	run_as = xstrdup(t->run_as != NULL ? t->run_as : "SYSTEM");
	/* Recorded before running: the command may change or delete it. */
	t->last_run = now;
	free(t->last_result);
	t->last_result = xstrdup("267009");	/* SCHED_S_TASK_RUNNING */
	rc = sim_cmd_run(h, run_as, command, &out, &err, &wrote);
	if ((t = sim_task(h, name, 0)) != NULL) {
		free(t->last_result);
		t->last_result = xasprintf("%d", rc);
	}
	free(command);
	free(run_as);
	buf_release(&out);
	buf_release(&err);
}

/*
 * Each due task runs once; a task's command may add, change or delete
 * tasks (a revert task deletes itself), so due names are collected first
 * and looked up again, and the scan repeats (bounded) for tasks that a run
 * made due.
 */
void
sim_run_due_tasks(struct sim_host *h)
{
	struct sim_service *sched;
	char **due;
	size_t i, n, round;
	time_t now;

	sched = sim_service(h, "Schedule");
	if (h->powered_off || (sched != NULL &&
	    strcasecmp(sched->state, "Running") != 0))
		return;
	for (round = 0; round < 16; round++) {
		now = sim_now(h);
		due = NULL;
		for (i = n = 0; i < h->ntasks; i++) {
			if (!sim_task_due(&h->tasks[i], now))
				continue;
			due = xreallocarray(due, n + 1, sizeof(*due));
			due[n++] = xstrdup(h->tasks[i].name);
		}
		for (i = 0; i < n; i++) {
			if (sim_task(h, due[i], 0) != NULL &&
			    sim_task_due(sim_task(h, due[i], 0), now))
				sim_task_run(h, due[i]);
			free(due[i]);
		}
		free(due);
		if (n == 0)
			break;
	}
}

struct sim_file *
sim_file(struct sim_host *h, const char *path, int create)
{
	struct sim_file *f;
	size_t i;

	for (i = 0; i < h->nfiles; i++)
		if (strcasecmp(h->files[i].path, path) == 0)
			return &h->files[i];
	if (!create)
		return NULL;
	h->files = xreallocarray(h->files, h->nfiles + 1, sizeof(*h->files));
	f = &h->files[h->nfiles++];
	f->path = xstrdup(path);
	buf_init(&f->data);
	return f;
}

int
sim_file_delete(struct sim_host *h, const char *path)
{
	struct sim_file *f;
	size_t i;

	if ((f = sim_file(h, path, 0)) == NULL)
		return -1;
	i = (size_t)(f - h->files);
	free(f->path);
	buf_release(&f->data);
	memmove(f, f + 1, (h->nfiles - i - 1) * sizeof(*f));
	h->nfiles--;
	return 0;
}

struct sim_cert *
sim_cert(struct sim_host *h, const char *thumbprint)
{
	size_t i;

	for (i = 0; i < h->ncerts; i++)
		if (strcasecmp(h->certs[i].thumbprint, thumbprint) == 0)
			return &h->certs[i];
	return NULL;
}

static void
cert_clear(struct sim_cert *c)
{
	free(c->subject);
	free(c->issuer);
	free(c->serial);
	X509_free(c->x509);
	EVP_PKEY_free(c->key);
}

int
sim_cert_delete(struct sim_host *h, const char *thumbprint)
{
	struct sim_cert *c;
	size_t i;

	if ((c = sim_cert(h, thumbprint)) == NULL)
		return -1;
	i = (size_t)(c - h->certs);
	cert_clear(c);
	memmove(c, c + 1, (h->ncerts - i - 1) * sizeof(*c));
	h->ncerts--;
	return 0;
}

/* --- WinRM configuration ------------------------------------------------- */

struct sim_bool *
sim_winrm_bool(struct sim_host *h, const char *name)
{
	struct sim_winrm_config *w = &h->winrm;
	const struct {
		const char	*name;
		struct sim_bool	*b;
	} map[] = {
		{ "service.auth.Basic", &w->svc_basic },
		{ "service.auth.Kerberos", &w->svc_kerberos },
		{ "service.auth.Negotiate", &w->svc_negotiate },
		{ "service.auth.Certificate", &w->svc_certificate },
		{ "service.auth.CredSSP", &w->svc_credssp },
		{ "service.AllowUnencrypted", &w->svc_allow_unencrypted },
		{ "client.auth.Basic", &w->cli_basic },
		{ "client.auth.Digest", &w->cli_digest },
		{ "client.auth.Kerberos", &w->cli_kerberos },
		{ "client.auth.Negotiate", &w->cli_negotiate },
		{ "client.auth.Certificate", &w->cli_certificate },
		{ "client.auth.CredSSP", &w->cli_credssp },
		{ "client.AllowUnencrypted", &w->cli_allow_unencrypted },
	};
	size_t i;

	for (i = 0; i < nitems(map); i++)
		if (strcasecmp(map[i].name, name) == 0)
			return map[i].b;
	return NULL;
}

/* The sim_bool names in dump order (sim_dump sorts anyway). */
static const char *const winrm_bools[] = {
	"service.auth.Basic", "service.auth.Kerberos",
	"service.auth.Negotiate", "service.auth.Certificate",
	"service.auth.CredSSP", "service.AllowUnencrypted",
	"client.auth.Basic", "client.auth.Digest", "client.auth.Kerberos",
	"client.auth.Negotiate", "client.auth.Certificate",
	"client.auth.CredSSP", "client.AllowUnencrypted",
};

/* --- host life cycle ----------------------------------------------------- */

static const struct {
	const char *name, *display, *state, *start;
} default_services[] = {
	{ "EventLog", "Windows Event Log", "Running", "Auto" },
	{ "LanmanServer", "Server", "Running", "Auto" },
	{ "RemoteRegistry", "Remote Registry", "Stopped", "Manual" },
	{ "Schedule", "Task Scheduler", "Running", "Auto" },
	{ "W32Time", "Windows Time", "Running", "Auto" },
	{ "WinRM", "Windows Remote Management (WS-Management)", "Running",
	  "Auto" },
};

/* Comments as `net localgroup NAME` prints them on Windows Server 2022. */
static const struct {
	const char *name, *comment, *member;
} default_groups[] = {
	{ "Access Control Assistance Operators", "Members of this group can "
	  "remotely query authorization attributes and permissions for "
	  "resources on this computer.", NULL },
	{ "Administrators", "Administrators have complete and unrestricted "
	  "access to the computer/domain", "Administrator" },
	{ "Backup Operators", "Backup Operators can override security "
	  "restrictions for the sole purpose of backing up or restoring files",
	  NULL },
	{ "Certificate Service DCOM Access", "Members of this group are "
	  "allowed to connect to Certification Authorities in the enterprise",
	  NULL },
	{ "Cryptographic Operators", "Members are authorized to perform "
	  "cryptographic operations.", NULL },
	{ "Distributed COM Users", "Members are allowed to launch, activate "
	  "and use Distributed COM objects on this machine.", NULL },
	{ "Event Log Readers", "Members of this group can read event logs "
	  "from local machine", NULL },
	{ "Guests", "Guests have the same access as members of the Users "
	  "group by default, except for the Guest account which is further "
	  "restricted", "Guest" },
	{ "Hyper-V Administrators", "Members of this group have complete and "
	  "unrestricted access to all features of Hyper-V.", NULL },
	{ "IIS_IUSRS", "Built-in group used by Internet Information Services.",
	  "NT AUTHORITY\\IUSR" },
	{ "Network Configuration Operators", "Members in this group can have "
	  "some administrative privileges to manage configuration of "
	  "networking features", NULL },
	{ "Performance Log Users", "Members of this group may schedule "
	  "logging of performance counters, enable trace providers, and "
	  "collect event traces both locally and via remote access to this "
	  "computer", NULL },
	{ "Performance Monitor Users", "Members of this group can access "
	  "performance counter data locally and remotely", NULL },
	{ "Power Users", "Power Users are included for backwards "
	  "compatibility and possess limited administrative powers", NULL },
	{ "Print Operators", "Members can administer printers installed on "
	  "domain controllers", NULL },
	{ "Remote Desktop Users", "Members in this group are granted the "
	  "right to logon remotely", NULL },
	{ "Remote Management Users", "Members of this group can access WMI "
	  "resources over management protocols (such as WS-Management via "
	  "the Windows Remote Management service). This applies only to WMI "
	  "namespaces that grant access to the user.", NULL },
	{ "Replicator", "Supports file replication in a domain", NULL },
	{ "Storage Replica Administrators", "Members of this group have "
	  "complete and unrestricted access to all features of Storage "
	  "Replica.", NULL },
	{ "System Managed Accounts Group", "Members of this group are managed "
	  "by the system.", "DefaultAccount" },
	{ "Users", "Users are prevented from making accidental or intentional "
	  "system-wide changes and can run most applications",
	  "NT AUTHORITY\\INTERACTIVE" },
};

/* Their well-known SIDs, S-1-5-32-RID (docs/windows-behaviour.md#sids). */
static const struct {
	const char	*name;
	unsigned	 rid;
} builtin_group_rids[] = {
	{ "Administrators", 544 }, { "Users", 545 }, { "Guests", 546 },
	{ "Power Users", 547 }, { "Print Operators", 550 },
	{ "Backup Operators", 551 }, { "Replicator", 552 },
	{ "Remote Desktop Users", 555 },
	{ "Network Configuration Operators", 556 },
	{ "Performance Monitor Users", 558 }, { "Performance Log Users", 559 },
	{ "Distributed COM Users", 562 }, { "IIS_IUSRS", 568 },
	{ "Cryptographic Operators", 569 }, { "Event Log Readers", 573 },
	{ "Certificate Service DCOM Access", 574 },
	{ "Hyper-V Administrators", 578 },
	{ "Access Control Assistance Operators", 579 },
	{ "Remote Management Users", 580 },
	{ "System Managed Accounts Group", 581 },
	{ "Storage Replica Administrators", 582 },
};

static const char *const default_accounts[] = {
	"Administrator", "DefaultAccount", "Guest", "WDAGUtilityAccount",
	"NT AUTHORITY\\SYSTEM", "NT AUTHORITY\\LOCAL SERVICE",
	"NT AUTHORITY\\NETWORK SERVICE", "NT AUTHORITY\\INTERACTIVE",
	"NT AUTHORITY\\Authenticated Users", "NT AUTHORITY\\IUSR",
	"Everyone",
};

static const char *const default_keys[] = {
	"HARDWARE", "SAM", "SECURITY",
	"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System",
	"SOFTWARE\\Policies\\Microsoft\\Windows",
	"SYSTEM\\CurrentControlSet\\Services\\WinRM",
	/* Where WinRM keeps its configuration (prog_ps_failsafe.c). */
	"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WSMAN\\Client",
	"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WSMAN\\Service",
};

static void
winrm_defaults(struct sim_winrm_config *w)
{
	memset(w, 0, sizeof(*w));
	w->svc_kerberos.value = w->svc_negotiate.value = 1;
	snprintf(w->cbt_hardening, sizeof(w->cbt_hardening), "Relaxed");
	w->cli_basic.value = w->cli_digest.value = 1;
	w->cli_kerberos.value = w->cli_negotiate.value = 1;
	w->cli_certificate.value = 1;
	w->trusted_hosts = xstrdup("");
	w->max_envelope_kb = 500;
	w->max_timeout_ms = 60000;
}

void
sim_host_init(struct sim_host *h, const char *name)
{
	struct sim_listener *l;
	struct sim_group *g;
	size_t i;

	h->name = xstrdup(name);
	sim_domain_init(h);
	sim_boot_init(h);
	h->port = 5986;
	h->language = "en-US";
	h->next_rid = 1000;
	winrm_defaults(&h->winrm);
	l = sim_listener(h, "HTTPS", "*", 1);
	free(l->hostname);
	l->hostname = xstrdup(name);
	sim_listener(h, "HTTP", "*", 1);
	for (i = 0; i < nitems(default_services); i++)
		sim_service_add(h, default_services[i].name,
		    default_services[i].display, default_services[i].state,
		    default_services[i].start);
	for (i = 0; i < nitems(default_accounts); i++)
		sim_account_add(h, default_accounts[i], NULL,
		    strcmp(default_accounts[i], "Administrator") == 0 ||
		    strcmp(default_accounts[i], "NT AUTHORITY\\SYSTEM") == 0);
	for (i = 0; i < nitems(default_groups); i++) {
		g = sim_group_add(h, default_groups[i].name,
		    default_groups[i].comment);
		if (default_groups[i].member != NULL)
			sim_group_add_member(g, default_groups[i].member);
	}
	sim_group_add_member(sim_group(h, "Users"),
	    "NT AUTHORITY\\Authenticated Users");
	for (i = 0; i < nitems(builtin_group_rids); i++) {
		g = sim_group(h, builtin_group_rids[i].name);
		free(g->sid);
		g->sid = xasprintf("S-1-5-32-%u", builtin_group_rids[i].rid);
	}
	h->next_rid = 1000;
	for (i = 0; i < nitems(default_keys); i++)
		sim_reg_key(h, default_keys[i], 1);
}

/* --- Group Policy --------------------------------------------------------- */

static const char *const rsop_names[] = {
	[SIM_RSOP_AVAILABLE] = "available",
	[SIM_RSOP_MISSING] = "missing",
	[SIM_RSOP_DENIED] = "denied",
};

const char *
sim_rsop_name(enum sim_rsop r)
{
	return rsop_names[r];
}

int
sim_rsop_parse(const char *s, enum sim_rsop *out)
{
	size_t i;

	for (i = 0; i < nitems(rsop_names); i++)
		if (strcmp(s, rsop_names[i]) == 0) {
			*out = (enum sim_rsop)i;
			return 0;
		}
	return -1;
}

struct sim_gpo *
sim_gpo_add(struct sim_host *h, const char *guid, const char *name)
{
	struct sim_gpo *g;

	h->gpos = xreallocarray(h->gpos, h->ngpos + 1, sizeof(*h->gpos));
	g = &h->gpos[h->ngpos++];
	memset(g, 0, sizeof(*g));
	g->guid = xstrdup(guid);
	g->name = xstrdup(name);
	return g;
}

void
sim_gpo_add_value(struct sim_gpo *g, const char *key, const char *name,
    int type)
{
	struct sim_gpo_value *v;

	g->values = xreallocarray(g->values, g->nvalues + 1,
	    sizeof(*g->values));
	v = &g->values[g->nvalues++];
	v->key = reg_normalize(key);
	v->name = xstrdup(name);
	v->type = type;
}

static void
gpos_release(struct sim_host *h)
{
	size_t i, j;

	for (i = 0; i < h->ngpos; i++) {
		for (j = 0; j < h->gpos[i].nvalues; j++) {
			free(h->gpos[i].values[j].key);
			free(h->gpos[i].values[j].name);
		}
		free(h->gpos[i].values);
		free(h->gpos[i].guid);
		free(h->gpos[i].name);
	}
	free(h->gpos);
}

void
sim_host_release(struct sim_host *h)
{
	size_t i;

	if (h == NULL)
		return;
	gpos_release(h);
	free(h->name);
	free(h->address);
	free(h->cert_scenario);
	free(h->winrm.trusted_hosts);
	for (i = 0; i < h->nlisteners; i++)
		listener_clear(&h->listeners[i]);
	free(h->listeners);
	for (i = 0; i < h->ncerts; i++)
		cert_clear(&h->certs[i]);
	free(h->certs);
	for (i = 0; i < h->nservices; i++) {
		free(h->services[i].name);
		free(h->services[i].display_name);
		free(h->services[i].state);
		free(h->services[i].start_mode);
	}
	free(h->services);
	for (i = 0; i < h->ngroups; i++)
		group_clear(&h->groups[i]);
	free(h->groups);
	for (i = 0; i < h->naccounts; i++) {
		free(h->accounts[i].name);
		free(h->accounts[i].password);
		free(h->accounts[i].sid);
	}
	free(h->accounts);
	for (i = 0; i < h->nkeys; i++)
		reg_key_clear(&h->keys[i]);
	free(h->keys);
	for (i = 0; i < h->ntasks; i++)
		task_clear(&h->tasks[i]);
	free(h->tasks);
	for (i = 0; i < h->nfiles; i++) {
		free(h->files[i].path);
		buf_release(&h->files[i].data);
	}
	free(h->files);
	sim_trust_release(h);
}

/* --- dump ---------------------------------------------------------------- */

struct lines {
	char	**v;
	size_t	  n;
};

/* One "key = value" line; a value's line breaks would split the line. */
static void PRINTFLIKE(3, 4)
line_kv(struct lines *l, const char *value, const char *keyfmt, ...)
{
	va_list ap;
	char *key, *p;

	va_start(ap, keyfmt);
	key = xvasprintf(keyfmt, ap);
	va_end(ap);
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n] = xasprintf("%s = %s", key, value != NULL ? value : "");
	for (p = l->v[l->n] + strlen(key); *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	l->n++;
	free(key);
}

static const char *
tf(int b)
{
	return b ? "true" : "false";
}

static void PRINTFLIKE(2, 3)
list_add(struct buf *list, const char *fmt, ...)
{
	va_list ap;

	if (list->len > 0)
		buf_putc(list, ',');
	va_start(ap, fmt);
	buf_vprintf(list, fmt, ap);
	va_end(ap);
}

static void
dump_winrm(struct sim_host *h, struct lines *l, struct buf *gpo)
{
	const struct sim_bool *b;
	char num[32];
	size_t i;

	for (i = 0; i < nitems(winrm_bools); i++) {
		b = sim_winrm_bool(h, winrm_bools[i]);
		line_kv(l, tf(b->value), "winrm.%s", winrm_bools[i]);
		if (b->source == SIM_SRC_GPO)
			list_add(gpo, "winrm.%s", winrm_bools[i]);
	}
	line_kv(l, h->winrm.cbt_hardening,
	    "winrm.service.auth.CbtHardeningLevel");
	line_kv(l, h->winrm.trusted_hosts, "winrm.client.TrustedHosts");
	if (h->winrm.trusted_hosts_source == SIM_SRC_GPO)
		list_add(gpo, "winrm.client.TrustedHosts");
	snprintf(num, sizeof(num), "%u", h->winrm.max_envelope_kb);
	line_kv(l, num, "winrm.MaxEnvelopeSizekb");
	snprintf(num, sizeof(num), "%u", h->winrm.max_timeout_ms);
	line_kv(l, num, "winrm.MaxTimeoutms");
	for (i = 0; i < h->nsettings; i++)
		line_kv(l, h->settings[i].value, "%s", h->settings[i].key);
}

static void
dump_listeners(const struct sim_host *h, struct lines *l, struct buf *gpo)
{
	const struct sim_listener *ls;
	char num[16];
	size_t i;

	for (i = 0; i < h->nlisteners; i++) {
		ls = &h->listeners[i];
#define LKEY "listener.%s.%s.%s", ls->transport, ls->address
		snprintf(num, sizeof(num), "%d", ls->port);
		line_kv(l, num, LKEY, "Port");
		line_kv(l, ls->hostname, LKEY, "Hostname");
		line_kv(l, tf(ls->enabled), LKEY, "Enabled");
		line_kv(l, ls->url_prefix, LKEY, "URLPrefix");
		line_kv(l, ls->thumbprint, LKEY, "CertificateThumbprint");
#undef LKEY
		if (ls->source == SIM_SRC_GPO)
			list_add(gpo, "listener.%s.%s", ls->transport,
			    ls->address);
	}
}

/* Comma-joined DNS names of the certificate's subjectAltName. */
static char *
cert_dns_names(const struct sim_cert *c)
{
	GENERAL_NAMES *names;
	const GENERAL_NAME *gn;
	struct buf b = BUF_INIT;
	int i;

	if (c->x509 == NULL)
		return xstrdup("");
	names = X509_get_ext_d2i(c->x509, NID_subject_alt_name, NULL, NULL);
	for (i = 0; names != NULL && i < sk_GENERAL_NAME_num(names); i++) {
		gn = sk_GENERAL_NAME_value(names, i);
		if (gn->type == GEN_DNS)
			list_add(&b, "%.*s", ASN1_STRING_length(gn->d.dNSName),
			    (const char *)ASN1_STRING_get0_data(gn->d.dNSName));
	}
	GENERAL_NAMES_free(names);
	return b.len ? buf_detach(&b) : xstrdup("");
}

static void
dump_certs(const struct sim_host *h, struct lines *l)
{
	const struct sim_cert *c;
	char t[32], *dns;
	size_t i;

	for (i = 0; i < h->ncerts; i++) {
		c = &h->certs[i];
		line_kv(l, c->subject, "cert.%s.subject", c->thumbprint);
		line_kv(l, c->issuer, "cert.%s.issuer", c->thumbprint);
		line_kv(l, c->serial, "cert.%s.serial", c->thumbprint);
		sim_time_format(c->not_before, t);
		line_kv(l, t, "cert.%s.not_before", c->thumbprint);
		sim_time_format(c->not_after, t);
		line_kv(l, t, "cert.%s.not_after", c->thumbprint);
		line_kv(l, tf(c->server_auth), "cert.%s.server_auth",
		    c->thumbprint);
		line_kv(l, tf(c->key != NULL), "cert.%s.private_key",
		    c->thumbprint);
		dns = cert_dns_names(c);
		line_kv(l, dns, "cert.%s.dns_names", c->thumbprint);
		free(dns);
	}
}

/*
 * What a host trusts and how it booted: trust.<STORE>.<THUMBPRINT> =
 * subject (LocalMachine\\Root and \\CA), domain.*, boot.*.
 */
static void
dump_trust_boot(struct sim_host *h, struct lines *l)
{
	static const char *const stores[] = { "Root", "CA" };
	const struct sim_store *s;
	char t[41], *subj;
	size_t i, k;

	for (k = 0; k < nitems(stores); k++) {
		s = sim_trust_store(h, stores[k]);
		for (i = 0; i < s->n; i++) {
			sim_trust_thumbprint(s->v[i], t);
			subj = X509_NAME_oneline(X509_get_subject_name(s->v[i]),
			    NULL, 0);
			line_kv(l, subj, "trust.%s.%s", stores[k], t);
			OPENSSL_free(subj);
		}
	}
	line_kv(l, tf(h->domain_joined), "domain.joined");
	line_kv(l, h->domain, "domain.name");
	line_kv(l, tf(h->secure_channel), "domain.secure_channel");
	line_kv(l, tf(h->credssp_updated), "credssp.updated");
	sim_time_format(h->boot_time, t);	/* 32 bytes enough */
	line_kv(l, t, "boot.time");
	line_kv(l, tf(h->boot_back_at != 0), "boot.restarting");
	line_kv(l, tf(h->boot_stays_down), "boot.stays_down");
}

static void
dump_services_groups(const struct sim_host *h, struct lines *l)
{
	struct buf b = BUF_INIT;
	size_t i, j;

	for (i = 0; i < h->nservices; i++) {
		line_kv(l, h->services[i].state, "service.%s.state",
		    h->services[i].name);
		line_kv(l, h->services[i].start_mode, "service.%s.start_mode",
		    h->services[i].name);
	}
	for (i = 0; i < h->ngroups; i++) {
		buf_reset(&b);
		for (j = 0; j < h->groups[i].nmembers; j++)
			list_add(&b, "%s", h->groups[i].members[j]);
		line_kv(l, buf_cstr(&b), "group.%s.members",
		    h->groups[i].name);
		line_kv(l, h->groups[i].sid, "group.%s.sid", h->groups[i].name);
	}
	for (i = 0; i < h->naccounts; i++) {
		line_kv(l, tf(h->accounts[i].admin), "account.%s.admin",
		    h->accounts[i].name);
		line_kv(l, h->accounts[i].sid, "account.%s.sid",
		    h->accounts[i].name);
	}
	buf_release(&b);
}

/* "REG_DWORD 1", "REG_MULTI_SZ a\0b": the form sim_set reads back. */
static char *
reg_value_text(const struct sim_reg_value *v)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_printf(&b, "%s ", sim_reg_type_name(v->type) ?
	    sim_reg_type_name(v->type) : "REG_NONE");
	switch (v->type) {
	case SIM_REG_DWORD:
	case SIM_REG_QWORD:
		buf_printf(&b, "%llu", (unsigned long long)v->num);
		break;
	case SIM_REG_MULTI_SZ:
		for (i = 0; i < v->nmulti; i++)
			buf_printf(&b, "%s%s", i ? "\\0" : "", v->multi[i]);
		break;
	default:
		buf_puts(&b, v->sz != NULL ? v->sz : "");
		break;
	}
	return buf_detach(&b);
}

static void
dump_registry(const struct sim_host *h, struct lines *l, struct buf *gpo)
{
	const struct sim_reg_key *k;
	char *text;
	size_t i, j;

	for (i = 0; i < h->nkeys; i++) {
		k = &h->keys[i];
		if (k->gpo)
			list_add(gpo, "reg.%s", k->path);
		for (j = 0; j < k->nvalues; j++) {
			text = reg_value_text(&k->values[j]);
			line_kv(l, text, "reg.%s:%s", k->path,
			    k->values[j].name);
			free(text);
		}
	}
}

static void
dump_tasks_files(const struct sim_host *h, struct lines *l)
{
	const struct sim_task *t;
	char ts[32], num[32];
	size_t i;

	for (i = 0; i < h->ntasks; i++) {
		t = &h->tasks[i];
		ts[0] = '\0';
		if (t->trigger != 0)
			sim_time_format(t->trigger, ts);
		line_kv(l, ts, "task.%s.trigger", t->name);
		line_kv(l, t->command, "task.%s.command", t->name);
		line_kv(l, tf(t->enabled), "task.%s.enabled", t->name);
		line_kv(l, t->run_as, "task.%s.run_as", t->name);
		line_kv(l, t->last_result, "task.%s.last_result", t->name);
		ts[0] = '\0';
		if (t->last_run != 0)
			sim_time_format(t->last_run, ts);
		line_kv(l, ts, "task.%s.last_run", t->name);
	}
	for (i = 0; i < h->nfiles; i++) {
		snprintf(num, sizeof(num), "%zu", h->files[i].data.len);
		line_kv(l, num, "file.%s.size", h->files[i].path);
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
sim_dump(const struct sim_host *ch, struct buf *out)
{
	/* Lookups take non-const hosts; the dump changes nothing. */
	struct sim_host *h = (struct sim_host *)ch;
	struct lines l = { NULL, 0 };
	struct buf gpo = BUF_INIT;
	char now[32];
	size_t i;

	sim_time_format(sim_now(h), now);
	line_kv(&l, now, "clock.now");
	dump_winrm(h, &l, &gpo);
	dump_listeners(h, &l, &gpo);
	dump_certs(h, &l);
	dump_trust_boot(h, &l);
	dump_services_groups(h, &l);
	dump_registry(h, &l, &gpo);
	dump_tasks_files(h, &l);
	line_kv(&l, buf_cstr(&gpo), "gpo");
	if (h->rsop != SIM_RSOP_AVAILABLE)
		line_kv(&l, sim_rsop_name(h->rsop), "rsop");
	qsort(l.v, l.n, sizeof(*l.v), cmp_str);
	for (i = 0; i < l.n; i++) {
		buf_printf(out, "%s\n", l.v[i]);
		free(l.v[i]);
	}
	free(l.v);
	buf_release(&gpo);
}

/* --- set ----------------------------------------------------------------- */

static int
is_deletion(const char *value)
{
	return *value == '\0' || strcmp(value, DELETED) == 0;
}

static int
parse_bool(const char *key, const char *value, int *out, char **cause)
{
	if (strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0)
		*out = 1;
	else if (strcasecmp(value, "false") == 0 || strcmp(value, "0") == 0)
		*out = 0;
	else
		return cause_set(cause, "%s: '%s' is not true or false", key,
		    value);
	return 0;
}

static int
parse_uint(const char *key, const char *value, unsigned long long max,
    unsigned long long *out, char **cause)
{
	char *end;

	errno = 0;
	*out = strtoull(value, &end, 0);
	if (*value == '\0' || *value == '-' || *end != '\0' || errno != 0 ||
	    *out > max)
		return cause_set(cause, "%s: '%s' is not a number up to %llu",
		    key, value, max);
	return 0;
}

static int
parse_time(const char *key, const char *value, time_t *out, char **cause)
{
	if (*value == '\0') {
		*out = 0;
		return 0;
	}
	if (sim_time_parse(value, out) == -1)
		return cause_set(cause, "%s: '%s' is not an RFC 3339 time",
		    key, value);
	return 0;
}

static void
set_str(char **dst, const char *value)
{
	free(*dst);
	*dst = xstrdup(value);
}

/* The GPO-owned key in "gpo = a,b": mark its source. */
static int
set_gpo_one(struct sim_host *h, const char *k, char **cause)
{
	struct sim_listener *l;
	struct sim_reg_key *rk;
	struct sim_bool *b;
	char *t, *dot;
	int rc = -1;

	t = xstrdup(k);
	if (strncasecmp(t, "winrm.", 6) == 0 &&
	    (b = sim_winrm_bool(h, t + 6)) != NULL)
		b->source = SIM_SRC_GPO;
	else if (strcasecmp(t, "winrm.client.TrustedHosts") == 0)
		h->winrm.trusted_hosts_source = SIM_SRC_GPO;
	else if (strncasecmp(t, "listener.", 9) == 0 &&
	    (dot = strchr(t + 9, '.')) != NULL && (*dot = '\0',
	    (l = sim_listener(h, t + 9, dot + 1, 0)) != NULL))
		l->source = SIM_SRC_GPO;
	else if (strncasecmp(t, "reg.", 4) == 0 &&
	    (rk = sim_reg_key(h, t + 4, 0)) != NULL)
		rk->gpo = 1;
	else
		goto out;
	rc = 0;
out:
	if (rc == -1)
		cause_set(cause, "gpo: '%s' is not a setting group policy can "
		    "own", k);
	free(t);
	return rc;
}

static void
gpo_clear(struct sim_host *h)
{
	size_t i;

	for (i = 0; i < nitems(winrm_bools); i++)
		sim_winrm_bool(h, winrm_bools[i])->source = SIM_SRC_LOCAL;
	h->winrm.trusted_hosts_source = SIM_SRC_LOCAL;
	for (i = 0; i < h->nlisteners; i++)
		h->listeners[i].source = SIM_SRC_LOCAL;
	for (i = 0; i < h->nkeys; i++)
		h->keys[i].gpo = 0;
}

static int
set_gpo(struct sim_host *h, const char *value, char **cause)
{
	char *list, *item, *save;
	int rc = 0;

	gpo_clear(h);
	list = xstrdup(value);
	for (item = strtok_r(list, ",", &save); item != NULL && rc == 0;
	    item = strtok_r(NULL, ",", &save)) {
		while (*item == ' ')
			item++;
		rc = set_gpo_one(h, item, cause);
	}
	free(list);
	return rc;
}

static int
set_winrm(struct sim_host *h, const char *key, const char *value,
    char **cause)
{
	const char *name = key + strlen("winrm.");
	unsigned long long n;
	struct sim_bool *b;
	size_t i;

	if ((b = sim_winrm_bool(h, name)) != NULL)
		return parse_bool(key, value, &b->value, cause);
	if (strcasecmp(name, "client.TrustedHosts") == 0) {
		set_str(&h->winrm.trusted_hosts, value);
		return 0;
	}
	if (strcasecmp(name, "service.auth.CbtHardeningLevel") == 0) {
		if (strcasecmp(value, "Strict") != 0 &&
		    strcasecmp(value, "Relaxed") != 0 &&
		    strcasecmp(value, "None") != 0)
			return cause_set(cause, "%s: '%s' is not Strict, "
			    "Relaxed or None", key, value);
		snprintf(h->winrm.cbt_hardening,
		    sizeof(h->winrm.cbt_hardening), "%c%s",
		    toupper((unsigned char)value[0]), value + 1);
		return 0;
	}
	if (strcasecmp(name, "MaxEnvelopeSizekb") == 0 ||
	    strcasecmp(name, "MaxTimeoutms") == 0) {
		if (parse_uint(key, value, 0xffffffffULL, &n, cause) == -1)
			return -1;
		if (strcasecmp(name, "MaxTimeoutms") == 0)
			h->winrm.max_timeout_ms = (unsigned)n;
		else
			h->winrm.max_envelope_kb = (unsigned)n;
		return 0;
	}
	/* fleet.c owns the list of other settings; known ones can change. */
	for (i = 0; i < h->nsettings; i++)
		if (strcasecmp(h->settings[i].key, key) == 0) {
			set_str(&h->settings[i].value, value);
			return 0;
		}
	return cause_set(cause, "unknown key '%s'", key);
}

/*
 * Split "prefix.OBJECT.field" at the last dot: object names may contain
 * dots (host names, file names), field names never do.
 */
static int
split_field(const char *rest, char **object, const char **field)
{
	const char *dot = strrchr(rest, '.');

	if (dot == NULL || dot == rest)
		return -1;
	*object = xstrndup(rest, (size_t)(dot - rest));
	*field = dot + 1;
	return 0;
}

static int
set_listener_field(struct sim_host *h, struct sim_listener *l,
    const char *key, const char *field, const char *value, char **cause)
{
	unsigned long long n;

	if (strcasecmp(field, "Port") == 0) {
		if (parse_uint(key, value, 65535, &n, cause) == -1)
			return -1;
		l->port = (int)n;
	} else if (strcasecmp(field, "Hostname") == 0)
		set_str(&l->hostname, value);
	else if (strcasecmp(field, "Enabled") == 0)
		return parse_bool(key, value, &l->enabled, cause);
	else if (strcasecmp(field, "URLPrefix") == 0)
		set_str(&l->url_prefix, value);
	else if (strcasecmp(field, "CertificateThumbprint") == 0)
		set_str(&l->thumbprint, value);
	else
		return cause_set(cause, "unknown key '%s'", key);
	return 0;
}

/* listener.<Transport>.<Address>[.<Field>]: the address may hold dots. */
static int
set_listener(struct sim_host *h, const char *key, const char *value,
    char **cause)
{
	const char *rest = key + strlen("listener."), *dot, *field;
	char *transport = NULL, *address = NULL;
	int rc = -1;

	if ((dot = strchr(rest, '.')) == NULL) {
		cause_set(cause, "unknown key '%s'", key);
		goto out;
	}
	transport = xstrndup(rest, (size_t)(dot - rest));
	if (strcasecmp(transport, "HTTP") != 0 &&
	    strcasecmp(transport, "HTTPS") != 0) {
		cause_set(cause, "%s: transport '%s' is not HTTP or HTTPS",
		    key, transport);
		goto out;
	}
	if (is_deletion(value) && sim_listener(h, transport, dot + 1, 0)) {
		rc = sim_listener_delete(h, transport, dot + 1);
		goto out;
	}
	if (split_field(dot + 1, &address, &field) == -1) {
		cause_set(cause, "unknown key '%s'", key);
		goto out;
	}
	rc = set_listener_field(h, sim_listener(h, transport, address, 1),
	    key, field, value, cause);
out:
	free(transport);
	free(address);
	return rc;
}

static int
set_service(struct sim_host *h, const char *key, const char *object,
    const char *field, const char *value, char **cause)
{
	static const char *const states[] = { "Running", "Stopped",
	    "Paused", "Start Pending", "Stop Pending" };
	static const char *const modes[] = { "Auto", "Manual", "Disabled",
	    "Boot", "System" };
	const char *const *allowed;
	struct sim_service *s;
	size_t i, n;

	if (strcasecmp(field, "state") == 0) {
		allowed = states;
		n = nitems(states);
	} else if (strcasecmp(field, "start_mode") == 0) {
		allowed = modes;
		n = nitems(modes);
	} else
		return cause_set(cause, "unknown key '%s'", key);
	for (i = 0; i < n; i++)
		if (strcasecmp(value, allowed[i]) == 0)
			break;
	if (i == n)
		return cause_set(cause, "%s: '%s' is not a service %s", key,
		    value, field);
	if ((s = sim_service(h, object)) == NULL)
		s = sim_service_add(h, object, NULL, "Stopped", "Manual");
	if (allowed == states)
		sim_service_set_state(h, s, allowed[i]);
	else
		set_str(&s->start_mode, allowed[i]);
	return 0;
}

static int
set_group(struct sim_host *h, const char *key, const char *object,
    const char *field, const char *value, char **cause)
{
	struct sim_group *g;
	char *list, *item, *save;
	size_t i;

	if (strcasecmp(field, "sid") == 0) {
		set_str(&sim_group_add(h, object, NULL)->sid, value);
		return 0;
	}
	if (strcasecmp(field, "members") != 0)
		return cause_set(cause, "unknown key '%s'", key);
	g = sim_group_add(h, object, NULL);
	for (i = 0; i < g->nmembers; i++)
		free(g->members[i]);
	g->nmembers = 0;
	list = xstrdup(value);
	for (item = strtok_r(list, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		while (*item == ' ')
			item++;
		if (*item != '\0')
			sim_group_add_member(g, item);
	}
	free(list);
	return 0;
}

static int
set_task(struct sim_host *h, const char *key, const char *object,
    const char *field, const char *value, char **cause)
{
	struct sim_task *t;
	time_t when;
	int b;

	if (strcasecmp(field, "trigger") == 0 ||
	    strcasecmp(field, "last_run") == 0) {
		if (parse_time(key, value, &when, cause) == -1)
			return -1;
		t = sim_task(h, object, 1);
		if (strcasecmp(field, "trigger") == 0)
			t->trigger = when;
		else
			t->last_run = when;
	} else if (strcasecmp(field, "enabled") == 0) {
		if (parse_bool(key, value, &b, cause) == -1)
			return -1;
		sim_task(h, object, 1)->enabled = b;
	} else if (strcasecmp(field, "command") == 0)
		set_str(&sim_task(h, object, 1)->command, value);
	else if (strcasecmp(field, "run_as") == 0)
		set_str(&sim_task(h, object, 1)->run_as, value);
	else if (strcasecmp(field, "last_result") == 0)
		set_str(&sim_task(h, object, 1)->last_result, value);
	else
		return cause_set(cause, "unknown key '%s'", key);
	return 0;
}

/* "\r", "\n", "\t" and "\\" in a file's content given on one line. */
static void
unescape_into(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s != '\\' || s[1] == '\0') {
			buf_putc(b, *s);
			continue;
		}
		s++;
		buf_putc(b, *s == 'r' ? '\r' : *s == 'n' ? '\n' :
		    *s == 't' ? '\t' : *s);
	}
}

static int
set_file(struct sim_host *h, const char *key, const char *object,
    const char *field, const char *value, char **cause)
{
	struct sim_file *f;

	if (strcasecmp(field, "data") != 0)
		return cause_set(cause, "%s: read-only or unknown key", key);
	f = sim_file(h, object, 1);
	buf_reset(&f->data);
	unescape_into(&f->data, value);
	return 0;
}

/* "REG_DWORD 1", "REG_SZ text", "REG_MULTI_SZ a\0b", "REG_BINARY 0a1b". */
static int
set_reg_value(struct sim_reg_key *k, const char *key, const char *name,
    const char *value, char **cause)
{
	const char *sp, *data;
	char *tname, **items = NULL, *copy = NULL, *p, *sep;
	unsigned long long n;
	size_t nitem = 0;
	int type, rc = -1;

	sp = strchr(value, ' ');
	tname = sp ? xstrndup(value, (size_t)(sp - value)) : xstrdup(value);
	data = sp ? sp + 1 : "";
	if ((type = sim_reg_type_parse(tname)) == -1) {
		cause_set(cause, "%s: '%s' is not a registry type", key, tname);
		goto out;
	}
	if (type == SIM_REG_DWORD || type == SIM_REG_QWORD) {
		if (parse_uint(key, data, type == SIM_REG_DWORD ?
		    0xffffffffULL : ~0ULL, &n, cause) == -1)
			goto out;
		sim_reg_set_num(k, name, type, n);
	} else if (type == SIM_REG_MULTI_SZ) {
		copy = xstrdup(data);
		for (p = copy; *data != '\0'; p = sep + 2) {
			items = xreallocarray(items, nitem + 1, sizeof(*items));
			items[nitem++] = p;
			if ((sep = strstr(p, "\\0")) == NULL)
				break;
			*sep = '\0';
		}
		sim_reg_set_multi(k, name, items, nitem);
	} else
		sim_reg_set_sz(k, name, type, data);
	rc = 0;
out:
	free(items);
	free(copy);
	free(tname);
	return rc;
}

/* reg.<KEY PATH>[:<VALUE NAME>]; the first ':' splits (paths have none). */
static int
set_reg(struct sim_host *h, const char *key, const char *value,
    char **cause)
{
	const char *rest = key + strlen("reg."), *colon;
	struct sim_reg_key *k;
	char *path;
	int rc = 0;

	colon = strchr(rest, ':');
	path = colon ? xstrndup(rest, (size_t)(colon - rest)) : xstrdup(rest);
	if (colon == NULL) {
		if (is_deletion(value))
			sim_reg_delete_key(h, path);
		else if (strcmp(value, "<key>") == 0)
			sim_reg_key(h, path, 1);
		else
			rc = cause_set(cause, "%s: a key takes '<key>' or "
			    "'<deleted>', not '%s'", key, value);
	} else if (is_deletion(value)) {
		if ((k = sim_reg_key(h, path, 0)) != NULL)
			sim_reg_delete_value(k, colon + 1);
	} else
		rc = set_reg_value(sim_reg_key(h, path, 1), key, colon + 1,
		    value, cause);
	free(path);
	return rc;
}

/* Deleting "kind.OBJECT": -1 when there is no such object. */
static int
set_delete(struct sim_host *h, const char *kind, const char *object)
{
	if (strcmp(kind, "task") == 0)
		return sim_task_delete(h, object);
	if (strcmp(kind, "file") == 0)
		return sim_file_delete(h, object);
	if (strcmp(kind, "group") == 0)
		return sim_group_delete(h, object);
	if (strcmp(kind, "account") == 0)
		return account_delete(h, object);
	if (strcmp(kind, "cert") == 0)
		return sim_cert_delete(h, object);
	return -1;
}

static int
set_field(struct sim_host *h, const char *kind, const char *key,
    const char *object, const char *field, const char *value, char **cause)
{
	int admin;

	if (strcmp(kind, "service") == 0)
		return set_service(h, key, object, field, value, cause);
	if (strcmp(kind, "group") == 0)
		return set_group(h, key, object, field, value, cause);
	if (strcmp(kind, "task") == 0)
		return set_task(h, key, object, field, value, cause);
	if (strcmp(kind, "file") == 0)
		return set_file(h, key, object, field, value, cause);
	if (strcmp(kind, "account") == 0 && strcasecmp(field, "admin") == 0) {
		if (parse_bool(key, value, &admin, cause) == -1)
			return -1;
		sim_account_add(h, object, NULL, admin);
		return 0;
	}
	if (strcmp(kind, "account") == 0 && strcasecmp(field, "sid") == 0) {
		if (!sim_is_sid(value))
			return cause_set(cause, "%s: expected a SID", key);
		set_str(&(sim_account(h, object) != NULL ? sim_account(h,
		    object) : sim_account_add(h, object, NULL, 0))->sid, value);
		return 0;
	}
	if (strcmp(kind, "cert") == 0)
		return cause_set(cause, "%s: certificates are read-only (an "
		    "empty value deletes one)", key);
	return cause_set(cause, "unknown key '%s'", key);
}

/*
 * "kind.OBJECT = " deletes the object; so does "task.NAME.field = " (a
 * task key); "group.NAME.members = " empties a group instead.  Deleting
 * what does not exist is not an error.
 */
static int
set_object(struct sim_host *h, const char *key, const char *value,
    char **cause)
{
	const char *dot = strchr(key, '.'), *field;
	char *kind, *object = NULL;
	int rc = 0;

	kind = xstrndup(key, (size_t)(dot - key));
	if (is_deletion(value) && set_delete(h, kind, dot + 1) == 0)
		goto out;
	if (split_field(dot + 1, &object, &field) == -1) {
		if (!is_deletion(value))
			rc = cause_set(cause, "unknown key '%s'", key);
		goto out;
	}
	if (is_deletion(value) && strcmp(kind, "task") == 0)
		sim_task_delete(h, object);
	else if (strcmp(value, DELETED) != 0)
		rc = set_field(h, kind, key, object, field, value, cause);
out:
	free(kind);
	free(object);
	return rc;
}

/* trust.<STORE>.<THUMBPRINT> = (empty): the certificate leaves the store. */
static int
set_trust(struct sim_host *h, const char *key, const char *value,
    char **cause)
{
	const char *dot = strchr(key + 6, '.');
	struct sim_store *s = NULL;
	char *store;

	if (dot != NULL) {
		store = xstrndup(key + 6, (size_t)(dot - key - 6));
		s = sim_trust_store(h, store);
		free(store);
	}
	if (s == NULL)
		return cause_set(cause, "unknown key '%s'", key);
	if (!is_deletion(value))
		return cause_set(cause, "%s: only deleting is modelled", key);
	sim_trust_delete(s, dot + 1);
	return 0;
}

int
sim_set(struct sim_host *h, const char *key, const char *value,
    char **cause)
{
	static const char *const kinds[] = { "service.", "group.", "task.",
	    "file.", "account.", "cert." };
	time_t t;
	size_t i;

	if (strcmp(key, "clock.now") == 0) {
		if (sim_time_parse(value, &t) == -1)
			return cause_set(cause, "%s: '%s' is not an RFC 3339 "
			    "time", key, value);
		h->clock_offset = (long)(t - time(NULL));
		return 0;
	}
	if (strcmp(key, "gpo") == 0)
		return set_gpo(h, value, cause);
	if (strcmp(key, "rsop") == 0 && sim_rsop_parse(value, &h->rsop) == -1)
		return cause_set(cause, "rsop: '%s' is not available, missing "
		    "or denied", value);
	if (strcmp(key, "rsop") == 0)
		return 0;
	if (strncmp(key, "winrm.", 6) == 0)
		return set_winrm(h, key, value, cause);
	if (strncmp(key, "listener.", 9) == 0)
		return set_listener(h, key, value, cause);
	if (strncmp(key, "reg.", 4) == 0)
		return set_reg(h, key, value, cause);
	if (strncmp(key, "trust.", 6) == 0)
		return set_trust(h, key, value, cause);
	if (strncmp(key, "domain.", 7) == 0 ||
	    strcmp(key, "credssp.updated") == 0)
		return sim_domain_set(h, key, value, cause);
	if (strncmp(key, "boot.", 5) == 0)
		return sim_boot_set(h, key, value, cause);
	for (i = 0; i < nitems(kinds); i++)
		if (strncmp(key, kinds[i], strlen(kinds[i])) == 0)
			return set_object(h, key, value, cause);
	return cause_set(cause, "unknown key '%s'", key);
}
