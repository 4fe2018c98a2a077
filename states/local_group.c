/*
 * local_group.c: members of local groups, read through WMI and compared by
 * SID (docs/windows-behaviour.md#local-groups-through-wmi), changed
 * through ADSI by SID in the remote shell (#changing-members).  Listed members
 * must be present; with exclusive: true, the others are removed.  absent:
 * [...] (set by enforcer, never written by users: a window's grants once it
 * ended, a revert's delta) lists members that must not be there.
 *
 * Groups and members may be written in any form Windows accepts:
 * DOMAIN\name, HOST\name, .\name, name (a local account),
 * name@dns.domain, a SID string; and "NAME (SID)", the form plans and
 * history show.  The read resolves each to a SID on the host, in two
 * round trips (the local groups, then every group's members), the names
 * with the first when none needs the host's answers (a SID, DOMAIN\name),
 * else with the second.  A group's members go with the first round too
 * when the host's last record gives the group's WMI key (domain, name):
 * a guess, used only if that round's groups show the same key, else
 * asked again in the second.  It records per group, for diff to compare
 * SIDs (and the next read to guess):
 *	name: the group as the host spells it
 *	domain: its WMI Domain (the host's NetBIOS name)
 *	sid: its SID
 *	members: ["DOMAIN\name (SID)", ...], a bare SID for an orphan
 *	accounts: {spelling in the desired state: "DOMAIN\name (SID)"}
 *
 * No name reaches a command line as it is: a WQL string is in double
 * quotes, which account names cannot contain; cmd.exe sees only base64.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pscmd.h"
#include "state.h"
#include "wsman.h"

#define LG_CIMV2	WSMAN_URI_WMI "/root/cimv2/"

/*
 * A name or domain that fits in a double-quoted WQL string: account names
 * hold neither '"' nor '\\', nor control characters.
 */
static int
local_group_wql_safe(const char *s)
{
	if (*s == '\0' || strlen(s) > 256)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == '"' || *s == '\\')
			return 0;
	return 1;
}

/*
 * The (domain, name) WMI keys an account by, for a spelling: "." and a
 * missing domain mean the host (nb); "name@dns" the NetBIOS domain that
 * domains (DNS name -> NetBIOS name) gives.  0 when it names none.
 */
static int
local_group_split(const char *s, const char *nb, const struct node *domains,
    char **dom, char **name)
{
	const char *bs = strchr(s, '\\'), *at = strrchr(s, '@'), *d;

	*dom = *name = NULL;
	if (bs != NULL) {
		*dom = bs == s + 1 && *s == '.' ? xstrdup(nb) :
		    xstrndup(s, (size_t)(bs - s));
		*name = xstrdup(bs + 1);
	} else if (at != NULL && at != s) {
		if ((d = node_get_str(domains, at + 1)) == NULL)
			return 0;
		*dom = xstrdup(d);
		*name = xstrndup(s, (size_t)(at - s));
	} else {
		*dom = xstrdup(nb);
		*name = xstrdup(s);
	}
	if (local_group_wql_safe(*dom) && local_group_wql_safe(*name))
		return 1;
	free(*dom);
	free(*name);
	*dom = *name = NULL;
	return 0;
}

/* "DOMAIN\name (SID)" for a WMI account instance; a bare SID for one
 * without a name (an orphan). */
static char *
local_group_spell(const struct node *item)
{
	const char *sid = node_get_str(item, "SID");
	const char *name = node_get_str(item, "Name");
	const char *dom = node_get_str(item, "Domain");

	if (sid == NULL)
		return NULL;
	if (name == NULL || *name == '\0')
		return xstrdup(sid);
	if (dom == NULL || *dom == '\0')
		return xasprintf("%s (%s)", name, sid);
	return xasprintf("%s\\%s (%s)", dom, name, sid);
}

/* --- read ----------------------------------------------------------------- */

/* rd: an Enumerate of uri under filter f. */
static void
local_group_enum(struct wsman_read *rd, const char *uri,
    const struct wsman_filter *f)
{
	rd->kind = WSMAN_READ_ENUMERATE;
	rd->ref.uri = uri;
	rd->filter = f;
}

/* What one read of a host knows, between its two round trips. */
struct local_group_read {
	struct state_ctx	*ctx;
	const struct node	*desired;
	const struct node	*groups;	/* Win32_Group items */
	struct node		*domains;	/* DNS name -> NetBIOS */
	char			 nb[64];	/* the host's NetBIOS name */
	const struct node	**found;	/* per desired group: item */
	const struct node	*accounts;	/* the desired accounts, when
						   the first round read them */
	const struct node	**members;	/* per desired group: its
						   members, once read */
	size_t			 guess0;	/* the first round's first
						   guessed members query */
};

/* The first round's reads but the guessed members: at most 3. */
#define LG_ROUND1	3

/* The lists of a group's desired body whose spellings the read resolves. */
static const char *const lg_lists[] = { "members", "absent" };

/* Whether any spelling of the desired lists satisfies pred. */
static int
local_group_any(const struct node *desired, int (*pred)(const char *))
{
	const struct node *m;
	size_t i, j, l;

	for (i = 0; desired != NULL && i < desired->npairs; i++)
		for (l = 0; l < nitems(lg_lists); l++) {
			m = node_get(desired->pairs[i].value, lg_lists[l]);
			for (j = 0; m != NULL && j < m->nitems; j++)
				if (pred(m->items[j]->value))
					return 1;
		}
	return 0;
}

/* name@dns.domain: the NetBIOS domain comes from Win32_NTDomain. */
static int
local_group_is_upn(const char *s)
{
	return strchr(s, '@') != NULL && strchr(s, '\\') == NULL;
}

/*
 * A spelling that names its account only with the host's answers: a
 * bare name or ".\name" (the host's NetBIOS name, from its groups) or a
 * UPN (its domains).  A SID or DOMAIN\name does not.
 */
static int
local_group_needs_host(const char *s)
{
	char sid[ACCOUNT_SID_MAX];
	const char *bs = strchr(s, '\\');

	return !account_sid_in(s, sid) && (bs == NULL ||
	    (bs == s + 1 && *s == '.'));
}

/* The Win32_Group item a group key names (name, HOST\name, .\name, SID). */
static const struct node *
local_group_find(const struct local_group_read *lr, const char *key)
{
	const struct node *g;
	const char *bs = strchr(key, '\\'), *name = key;
	char sid[ACCOUNT_SID_MAX];
	size_t i;
	int by_sid = account_sid_in(key, sid);

	if (bs != NULL && ((bs == key + 1 && *key == '.') ||
	    (strlen(lr->nb) == (size_t)(bs - key) &&
	    strncasecmp(key, lr->nb, (size_t)(bs - key)) == 0)))
		name = bs + 1;
	for (i = 0; i < wsman_list_len(lr->groups); i++) {
		g = wsman_list(lr->groups, i);
		if (by_sid ? node_get_str(g, "SID") != NULL &&
		    strcasecmp(node_get_str(g, "SID"), sid) == 0 :
		    node_get_str(g, "Name") != NULL &&
		    strcasecmp(node_get_str(g, "Name"), name) == 0)
			return g;
	}
	return NULL;
}

/* ASSOCIATORS OF the group (dom, name): its members as account instances. */
static char *
local_group_members_wql(const char *dom, const char *name)
{
	return xasprintf("ASSOCIATORS OF {Win32_Group.Domain=\"%s\","
	    "Name=\"%s\"} WHERE AssocClass = Win32_GroupUser "
	    "Role = GroupComponent", dom, name);
}

/*
 * The members query of desired group i keyed as the host's last record
 * has it (ctx->last), or NULL: nothing recorded, or a key that does not
 * fit in WQL.
 */
static char *
local_group_guess_wql(const struct local_group_read *lr, size_t i)
{
	const struct node *rec = node_get(node_get(lr->ctx->last,
	    "local_group"), lr->desired->pairs[i].key->value);
	const char *dom = node_get_str(rec, "domain");
	const char *name = node_get_str(rec, "name");

	if (dom == NULL || name == NULL || !local_group_wql_safe(dom) ||
	    !local_group_wql_safe(name))
		return NULL;
	return local_group_members_wql(dom, name);
}

/*
 * Whether the group g the host listed now has the key the guessed query
 * f asked for: only then are its members that group's.  The query is
 * rebuilt from g and compared whole, so that the key is checked exactly
 * as it was sent.
 */
static int
local_group_guess_holds(const struct wsman_filter *f, const struct node *g)
{
	char *now;
	int same;

	if (f->wql == NULL || node_get_str(g, "Domain") == NULL ||
	    node_get_str(g, "Name") == NULL)
		return 0;
	now = local_group_members_wql(node_get_str(g, "Domain"),
	    node_get_str(g, "Name"));
	same = strcmp(now, f->wql) == 0;
	free(now);
	return same;
}

/* One condition of the Win32_Account query per spelling it can key. */
static void
local_group_account_cond(struct local_group_read *lr, const char *s,
    struct buf *wql)
{
	char sid[ACCOUNT_SID_MAX], *dom, *name;
	const char *or = wql->len > 0 ? " OR " : "";

	if (account_sid_in(s, sid))
		buf_printf(wql, "%sSID = \"%s\"", or, sid);
	else if (local_group_split(s, lr->nb, lr->domains, &dom, &name)) {
		buf_printf(wql, "%sName = \"%s\" AND Domain = \"%s\"", or,
		    name, dom);
		free(dom);
		free(name);
	}
}

/* SELECT * FROM Win32_Account WHERE (every desired member); NULL if none. */
static char *
local_group_accounts_wql(struct local_group_read *lr)
{
	struct buf wql = BUF_INIT;
	const struct node *m;
	char *q = NULL;
	size_t i, j, l;

	for (i = 0; i < lr->desired->npairs; i++)
		for (l = 0; l < nitems(lg_lists); l++) {
			m = node_get(lr->desired->pairs[i].value, lg_lists[l]);
			for (j = 0; m != NULL && j < m->nitems; j++)
				local_group_account_cond(lr,
				    m->items[j]->value, &wql);
		}
	if (wql.len > 0)
		q = xasprintf("SELECT * FROM Win32_Account WHERE %s",
		    buf_cstr(&wql));
	buf_release(&wql);
	return q;
}

/* -1 with the cause of the first of rd's n reads that failed, if one did. */
static int
local_group_failed(const struct wsman_read *rd, size_t n, char **cause)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rd[i].rc == -1) {
			*cause = xstrdup(rd[i].cause);
			return -1;
		}
	return 0;
}

/*
 * First round trip: the local groups; the domains if a UPN needs them;
 * the desired accounts (wql) when no spelling needs the host's answers
 * to name them, so that the second round is the members alone; and the
 * members of each group guessed[i] names (a query from the record, its
 * failure no failure of the read: the guess may be stale), from
 * rd[lr->guess0] on.  rd holds LG_ROUND1 and one per desired group;
 * index 0 is the groups, so 0 says "not asked".
 */
static int
local_group_read_groups(struct local_group_read *lr, struct wsman_read *rd,
    const struct wsman_filter *wql, const struct wsman_filter *guessed,
    char **cause)
{
	static const struct wsman_filter groups = { "SELECT * FROM Win32_Group "
	    "WHERE LocalAccount = TRUE", NULL, 0 };
	static const struct wsman_filter domains = { "SELECT * FROM "
	    "Win32_NTDomain", NULL, 0 };
	const struct node *d;
	size_t i, n = 1, acc = 0, dom = 0;

	local_group_enum(&rd[0], LG_CIMV2 "Win32_Group", &groups);
	if (wql != NULL)
		local_group_enum(&rd[acc = n++], LG_CIMV2 "*", wql);
	if (local_group_any(lr->desired, local_group_is_upn))
		local_group_enum(&rd[dom = n++], LG_CIMV2 "*", &domains);
	lr->guess0 = n;
	for (i = 0; i < lr->desired->npairs; i++)
		if (guessed[i].wql != NULL)
			local_group_enum(&rd[n++], LG_CIMV2 "*", &guessed[i]);
	if (wsman_read_many(lr->ctx->ws, rd, n) != 0 &&
	    local_group_failed(rd, lr->guess0, cause) == -1)
		return -1;
	lr->groups = rd[0].result;
	if (acc > 0)
		lr->accounts = rd[acc].result;
	d = wsman_list(rd[0].result, 0);
	snprintf(lr->nb, sizeof(lr->nb), "%s", node_get_str(d, "Domain") !=
	    NULL ? node_get_str(d, "Domain") : ".");
	for (i = 0; dom > 0 && i < wsman_list_len(rd[dom].result); i++) {
		d = wsman_list(rd[dom].result, i);
		if (node_get_str(d, "DnsForestName") != NULL &&
		    node_get_str(d, "DomainName") != NULL)
			node_map_set(lr->domains, node_get_str(d,
			    "DnsForestName"), node_scalar(node_get_str(d,
			    "DomainName")));
	}
	return 0;
}

/* Whether account item a is the one (dom, name) or sid names. */
static int
local_group_is(const struct node *a, const char *sid, const char *dom,
    const char *name)
{
	const char *v;

	if (sid != NULL)
		return (v = node_get_str(a, "SID")) != NULL &&
		    strcasecmp(v, sid) == 0;
	return (v = node_get_str(a, "Name")) != NULL &&
	    strcasecmp(v, name) == 0 &&
	    (v = node_get_str(a, "Domain")) != NULL && strcasecmp(v, dom) == 0;
}

/* The account item a spelling names, among the query's results. */
static const struct node *
local_group_match(struct local_group_read *lr, const char *s,
    const struct node *items)
{
	const struct node *a = NULL;
	char sid[ACCOUNT_SID_MAX], *dom = NULL, *name = NULL;
	size_t i;
	int by_sid = account_sid_in(s, sid);

	if (!by_sid && !local_group_split(s, lr->nb, lr->domains, &dom, &name))
		return NULL;
	for (i = 0; a == NULL && i < wsman_list_len(items); i++)
		if (local_group_is(wsman_list(items, i), by_sid ? sid : NULL,
		    dom, name))
			a = wsman_list(items, i);
	free(dom);
	free(name);
	return a;
}

/* The observed map of one group. */
static struct node *
local_group_observed(struct local_group_read *lr, const struct node *g,
    const struct node *body, const struct node *members,
    const struct node *accounts)
{
	struct node *o = node_map(), *seq = node_seq(), *map = node_map();
	const struct node *a, *want;
	char *text;
	size_t i, l;

	node_map_set(o, "name", node_scalar(node_get_str(g, "Name")));
	/* The next read's guess of the group's key (ctx->last). */
	if (node_get_str(g, "Domain") != NULL)
		node_map_set(o, "domain", node_scalar(node_get_str(g,
		    "Domain")));
	node_map_set(o, "sid", node_scalar(node_get_str(g, "SID")));
	for (i = 0; i < wsman_list_len(members); i++) {
		text = local_group_spell(wsman_list(members, i));
		if (text != NULL)
			node_seq_push(seq, node_scalar(text));
		free(text);
	}
	node_map_set(o, "members", seq);
	for (l = 0; l < nitems(lg_lists); l++) {
		want = node_get(body, lg_lists[l]);
		for (i = 0; want != NULL && i < want->nitems; i++) {
			a = local_group_match(lr, want->items[i]->value,
			    accounts);
			if (a != NULL && (text = local_group_spell(a)) != NULL) {
				node_map_set(map, want->items[i]->value,
				    node_scalar(text));
				free(text);
			}
		}
	}
	node_map_set(o, "accounts", map);
	return o;
}

/*
 * The members the first round read for each group whose guessed key
 * the host's groups now confirm (lr->found).
 */
static void
local_group_take_guesses(struct local_group_read *lr,
    const struct wsman_read *rd, const struct wsman_filter *guessed)
{
	size_t i, k = lr->guess0;

	for (i = 0; i < lr->desired->npairs; i++) {
		if (guessed[i].wql == NULL)
			continue;
		if (rd[k].rc == 0 && local_group_guess_holds(&guessed[i],
		    lr->found[i]))
			lr->members[i] = rd[k].result;
		k++;
	}
}

/*
 * Second round trip: the members of each group the first did not read,
 * and the desired accounts unless it read them; nothing when it read
 * all.  Then each group's observed map into obs.
 */
static int
local_group_read_members(struct local_group_read *lr, struct node *obs,
    char **cause)
{
	struct wsman_read *rd;
	struct wsman_filter *f;
	size_t *of, i, k = 0, n = lr->desired->npairs;
	int rc = -1, acc = 0;

	rd = xcalloc(n + 1, sizeof(*rd));
	f = xcalloc(n + 1, sizeof(*f));
	of = xcalloc(n + 1, sizeof(*of));
	for (i = 0; i < n; i++)
		if (lr->members[i] == NULL) {
			of[k] = i;
			f[k++].wql = local_group_members_wql(node_get_str(
			    lr->found[i], "Domain"), node_get_str(lr->found[i],
			    "Name"));
		}
	if (lr->accounts == NULL &&
	    (f[k].wql = local_group_accounts_wql(lr)) != NULL)
		acc = ++k;
	for (i = 0; i < k; i++)
		local_group_enum(&rd[i], LG_CIMV2 "*", &f[i]);
	if (k > 0 && wsman_read_many(lr->ctx->ws, rd, k) != 0 &&
	    local_group_failed(rd, k, cause) == -1)
		goto done;
	for (i = 0; i < k - (acc > 0); i++)
		lr->members[of[i]] = rd[i].result;
	if (acc > 0)
		lr->accounts = rd[acc - 1].result;
	for (i = 0; i < n; i++)
		node_map_set(obs, lr->desired->pairs[i].key->value,
		    local_group_observed(lr, lr->found[i],
		    lr->desired->pairs[i].value, lr->members[i],
		    lr->accounts));
	rc = 0;
done:
	for (i = 0; i <= n; i++) {
		wsman_read_release(&rd[i]);
		free((char *)f[i].wql);
	}
	free(rd);
	free(f);
	free(of);
	return rc;
}

/* The members query of each group the record names, for the first round. */
static struct wsman_filter *
local_group_guesses(const struct local_group_read *lr)
{
	struct wsman_filter *f;
	size_t i;

	f = xcalloc(lr->desired->npairs, sizeof(*f));
	for (i = 0; i < lr->desired->npairs; i++)
		f[i].wql = local_group_guess_wql(lr, i);
	return f;
}

static int
local_group_read(struct state_ctx *ctx, const struct node *desired,
    struct node **observed, char **cause)
{
	struct local_group_read lr = { ctx, desired, NULL, node_map(), "",
	    NULL, NULL, NULL, 0 };
	struct wsman_read *rd = NULL;
	struct wsman_filter wql = { NULL, NULL, 0 }, *guessed = NULL;
	struct node *obs = node_map();
	size_t i, n = 0;
	int rc = -1;

	if (desired == NULL || (n = desired->npairs) == 0) {
		rc = 0;
		goto done;
	}
	if (!local_group_any(desired, local_group_needs_host))
		wql.wql = local_group_accounts_wql(&lr);
	guessed = local_group_guesses(&lr);
	rd = xcalloc(LG_ROUND1 + n, sizeof(*rd));
	if (local_group_read_groups(&lr, rd, wql.wql != NULL ? &wql : NULL,
	    guessed, cause) == -1)
		goto done;
	lr.found = xcalloc(n, sizeof(*lr.found));
	lr.members = xcalloc(n, sizeof(*lr.members));
	for (i = 0; i < n; i++)
		if ((lr.found[i] = local_group_find(&lr,
		    desired->pairs[i].key->value)) == NULL) {
			cause_set(cause, "%s: local_group: group '%s' does "
			    "not exist", ctx->host,
			    desired->pairs[i].key->value);
			goto done;
		}
	local_group_take_guesses(&lr, rd, guessed);
	rc = local_group_read_members(&lr, obs, cause);
done:
	for (i = 0; rd != NULL && i < LG_ROUND1 + n; i++)
		wsman_read_release(&rd[i]);
	for (i = 0; guessed != NULL && i < n; i++)
		free((char *)guessed[i].wql);
	free(rd);
	free(guessed);
	free((char *)wql.wql);
	node_free(lr.domains);
	free(lr.found);
	free(lr.members);
	if (rc == 0)
		*observed = obs;
	else
		node_free(obs);
	return rc;
}

/* --- diff ----------------------------------------------------------------- */

/* A member text's SID: its own, or what the host resolved its spelling to. */
static int
local_group_sid_of(const char *text, const struct node *accounts,
    char sid[ACCOUNT_SID_MAX])
{
	const char *r;

	if (account_sid_in(text, sid))
		return 1;
	return (r = node_get_str(accounts, text)) != NULL &&
	    account_sid_in(r, sid);
}

/* Whether two member texts name one account: by SID, else by name. */
static int
local_group_same(const char *a, const char *b, const struct node *accounts)
{
	char sa[ACCOUNT_SID_MAX], sb[ACCOUNT_SID_MAX];

	if (local_group_sid_of(a, accounts, sa) &&
	    local_group_sid_of(b, accounts, sb))
		return strcasecmp(sa, sb) == 0;
	return account_same(a, b);
}

static int
local_group_in(const struct node *seq, const char *text,
    const struct node *accounts)
{
	size_t i;

	for (i = 0; seq != NULL && i < seq->nitems; i++)
		if (local_group_same(seq->items[i]->value, text, accounts))
			return 1;
	return 0;
}

/* One account in two spellings is added once. */
static int
local_group_listed_before(const struct node *want, size_t j,
    const struct node *accounts)
{
	size_t k;

	for (k = 0; k < j; k++)
		if (local_group_same(want->items[k]->value,
		    want->items[j]->value, accounts))
			return 1;
	return 0;
}

/*
 * Members there that absent lists (by SID where known), unless members
 * lists them too.  The change's desired node is absent's item, which
 * carries no origin: the engine names the window that ended.
 */
static void
local_group_diff_absent(const struct node *body, const struct node *have,
    const struct node *accounts, const char *path, struct changes *out)
{
	const struct node *want = node_get(body, "members");
	const struct node *absent = node_get(body, "absent");
	const char *h;
	size_t i, j;

	for (i = 0; absent != NULL && have != NULL && i < have->nitems; i++) {
		h = have->items[i]->value;
		if (local_group_in(want, h, accounts))
			continue;
		for (j = 0; j < absent->nitems; j++)
			if (local_group_same(absent->items[j]->value, h,
			    accounts))
				break;
		if (j < absent->nitems)
			changes_add(out, "local_group", path, h, NULL,
			    absent->items[j])->flags |= CHANGE_ITEM;
	}
}

static void
local_group_diff_one(const char *name, const struct node *body,
    const struct node *obs, struct changes *out)
{
	const struct node *want = node_get(body, "members");
	const struct node *have = node_get(obs, "members");
	const struct node *accounts = node_get(obs, "accounts");
	const char *w, *as;
	char *path;
	size_t j;
	int exclusive;

	if (node_bool(node_get(body, "exclusive"), &exclusive) == -1)
		exclusive = 0;
	path = xasprintf("local_group.%s.members", name);
	for (j = 0; want != NULL && j < want->nitems; j++) {
		w = want->items[j]->value;
		if (local_group_in(have, w, accounts) ||
		    local_group_listed_before(want, j, accounts))
			continue;
		/* Shown as the host spells it, with its SID, when known. */
		as = node_get_str(accounts, w);
		changes_add(out, "local_group", path, NULL, as != NULL ? as : w,
		    want->items[j])->flags |= CHANGE_ITEM;
	}
	for (j = 0; exclusive && have != NULL && j < have->nitems; j++)
		if (!local_group_in(want, have->items[j]->value, accounts))
			changes_add(out, "local_group", path,
			    have->items[j]->value, NULL, want)->flags |=
			    CHANGE_ITEM;
	if (!exclusive)
		local_group_diff_absent(body, have, accounts, path, out);
	free(path);
}

static int
local_group_diff(const struct node *desired, const struct node *observed,
    time_t now, struct changes *out, char **cause)
{
	size_t i;

	for (i = 0; i < desired->npairs; i++)
		local_group_diff_one(desired->pairs[i].key->value,
		    desired->pairs[i].value, node_get(observed,
		    desired->pairs[i].key->value), out);
	return 0;
}

/* --- apply ---------------------------------------------------------------- */

/*
 * A change goes through ADSI by SID (docs/windows-behaviour.md#changing-
 * members): PowerShell, given the script as -EncodedCommand (base64 of
 * UTF-16LE), so that cmd.exe sees nothing but base64, any name travels
 * whole, and the outcome is the Win32 error as the exit code, in no
 * language at all.  Only the group's name is in the script, in a
 * single-quoted string ('' for a quote).
 */
#define LG_PS_HEAD	"$ErrorActionPreference='Stop';try{$g=[ADSI]" \
			"('WinNT://'+$env:COMPUTERNAME+'/'+"
#define LG_PS_MID	"+',group');$g.%s('WinNT://%s')}catch{$e=" \
			"$_.Exception;while($e.InnerException){$e=" \
			"$e.InnerException};[Console]::Error.WriteLine(" \
			"$e.Message);exit($e.HResult -band 0xFFFF)}"

/* The command line that adds (or removes) sid to (from) group; NULL if
 * the group's name is not valid UTF-8. */
static char *
local_group_ps_line(const char *group, const char *sid, int add)
{
	struct buf script = BUF_INIT;
	char *line = NULL;

	buf_puts(&script, LG_PS_HEAD);
	if (pscmd_quote(&script, group) == 0) {
		buf_printf(&script, LG_PS_MID, add ? "Add" : "Remove", sid);
		line = pscmd_line(buf_cstr(&script));
	}
	buf_release(&script);
	return line;
}

/* Run it; 0 when the member is now in (add) or out. */
static int
local_group_ps(struct state_ctx *ctx, const char *group, const char *text,
    const char *sid, int add, char **cause)
{
	struct wsman_cmd r = WSMAN_CMD_INIT;
	char *line, *said;
	int rc = -1;

	if ((line = local_group_ps_line(group, sid, add)) == NULL)
		return cause_set(cause, "%s: local_group: group name '%s' is "
		    "not UTF-8", ctx->host, group);
	if (wsman_run(ctx->ws, line, WSMAN_KEEP_SHELL, &r, cause) == -1)
		goto done;
	/* Already a member / not a member: someone got there first. */
	if (r.exit_code == 0 || (add && r.exit_code == 1378) ||
	    (!add && r.exit_code == 1377))
		rc = 0;
	else if (r.exit_code == 1376)
		cause_set(cause, "%s: local_group: group '%s' does not exist",
		    ctx->host, group);
	else {
		said = wsman_cmd_said(&r);
		cause_set(cause, "%s: local_group: %s '%s' %s '%s' failed "
		    "(%ld): %s", ctx->host, add ? "adding" : "removing", text,
		    add ? "to" : "from", group, r.exit_code, said);
		free(said);
	}
done:
	wsman_cmd_release(&r);
	free(line);
	return rc;
}

static int
local_group_apply(struct state_ctx *ctx, const struct change *c,
    const struct node *observed, char **cause)
{
	const char *key, *dot, *group, *text = c->after != NULL ? c->after :
	    c->before;
	char *name, sid[ACCOUNT_SID_MAX];
	int rc;

	/* "local_group.<group>.members" */
	key = c->path + strlen("local_group.");
	dot = strstr(key, ".members");
	name = xstrndup(key, dot != NULL ? (size_t)(dot - key) : strlen(key));
	group = node_get_str(node_get(observed, name), "name");
	/* A member the host could not resolve has no SID to add. */
	if (!account_sid_in(text, sid))
		rc = cause_set(cause, "%s: local_group: unknown account '%s'",
		    ctx->host, text);
	else
		rc = local_group_ps(ctx, group != NULL ? group : name, text,
		    sid, c->after != NULL, cause);
	free(name);
	return rc;
}

/* A delta: what RUN removed comes back, what it added goes; no more. */
static void
local_group_revert(struct node *desired, const char **keys, size_t nkeys,
    const struct node *value, const struct node *before,
    const struct node *added, const struct node *removed)
{
	if (nkeys == 3 && strcmp(keys[2], "members") == 0)
		state_overlay_delta(desired, keys, nkeys, added, removed);
	else
		state_overlay(desired, keys, nkeys, value);
}

const struct state_ops state_local_group_ops = {
	.kind = "local_group",
	.read = local_group_read,
	.diff = local_group_diff,
	.apply = local_group_apply,
	.revert = local_group_revert,
	.flags = STATE_GUESS,
};
