/*
 * credssp.c: the CredSSP state module.
 *
 *   server: WinRM service auth CredSSP               (config/service/auth)
 *   client: WinRM client auth CredSSP                (config/client/auth)
 *           and the credential-delegation policy lists that
 *           Enable-WSManCredSSP -Role Client -DelegateComputer writes:
 *           DWORD AllowFreshCredentials + ConcatenateDefaults_AllowFresh
 *           beside a subkey of REG_SZ values "1", "2", ...; the same
 *           for AllowFreshCredentialsWhenNTLMOnly (CredSSP registry
 *           layout in docs/windows-behaviour.md)
 *   encryption_oracle: AllowEncryptionOracle (CVE-2018-0886), which lives
 *           under ...\CurrentVersion\Policies\System, not SOFTWARE\Policies
 *
 * Disabling the client removes the "wsman/..." delegation entries, as
 * Disable-WSManCredSSP does, and keeps entries someone else added.
 *
 * Group Policy: a GPO delivers the lists, the oracle and the WinRM
 * AllowCredSSP policies into the very registry values a local write
 * uses, so ownership comes from the host's RSoP data (rsop.h), read once
 * the registry shows a change is due (credssp_rsop_due); observed
 * "group_policy" maps each owned setting to its GPO (or says why RSoP
 * could not tell), and such a setting is reported, never written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "memo.h"
#include "rsop.h"
#include "state.h"
#include "winreg.h"
#include "wsman.h"

#define CD_KEY	"SOFTWARE\\Policies\\Microsoft\\Windows\\CredentialsDelegation"
#define EO_KEY	"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\" \
		"System\\CredSSP\\Parameters"
#define EO_VALUE "AllowEncryptionOracle"
#define NS_CFG	"http://schemas.microsoft.com/wbem/wsman/1/config"
/* Where the "Allow CredSSP authentication" policies of WinRM live. */
#define WINRM_POLICY_KEY "SOFTWARE\\Policies\\Microsoft\\Windows\\WinRM"

/* The two delegation lists this module manages. */
static const struct credssp_list {
	const char	*field;		/* key in desired/observed state */
	const char	*policy;	/* DWORD flag and subkey name */
	const char	*concat;	/* ConcatenateDefaults_* DWORD */
	const char	*gp_path;	/* its key in observed.group_policy */
} credssp_lists[] = {
	{ "delegate", "AllowFreshCredentials",
	    "ConcatenateDefaults_AllowFresh", "client.delegate" },
	{ "delegate_ntlm_only", "AllowFreshCredentialsWhenNTLMOnly",
	    "ConcatenateDefaults_AllowFreshNTLMOnly",
	    "client.delegate_ntlm_only" },
};

static const char *credssp_oracle_names[] = {
	"force_updated_clients", "mitigated", "vulnerable",
};

/* Role auth: "server" -> config/service/auth. */
static const char *
credssp_auth_uri(const char *role)
{
	return strcmp(role, "server") == 0 ? NS_CFG "/service/auth" :
	    NS_CFG "/client/auth";
}

/*
 * Reading sends every independent read at once (wsman_read_many): the
 * WinRM configuration tree, whose Service/Auth and Client/Auth are the two
 * roles (one Get shared with the host's other kinds that read it,
 * memo.h; left out of the batch when another kind sends it), each list's
 * policy flag and value names, and the oracle setting; then, for lists in
 * effect, their values, and RSoP where it can matter (credssp_rsop_due).
 */
enum {
	RD_CONFIG, RD_ORACLE, RD_LISTS,			/* then 2 per list */
	RD_N = RD_LISTS + 2 * nitems(credssp_lists),
};

static int credssp_diff(const struct node *, const struct node *, time_t,
    struct changes *, char **);

/*
 * Whether to ask RSoP who owns the settings: only when the run would
 * write something, since Group Policy's ownership matters only to a
 * change (it is reported instead of written).  A host in sync saves
 * RSoP's two requests and a round trip; any change, a role's included
 * (RSoP names the GPO behind WinRM's Source="GPO"), reads it as before.
 * RSoP is never needed where the desired state sets neither the client
 * (its lists) nor the oracle: the roles have WinRM's own Source="GPO".
 * With no desired state (doctor), everything is read.
 */
static int
credssp_rsop_due(const struct node *desired, const struct node *obs)
{
	struct changes ch = CHANGES_INIT;
	int due;

	if (desired == NULL)
		return 1;
	if (node_get(desired, "client") == NULL &&
	    node_get(desired, "encryption_oracle") == NULL)
		return 0;
	due = credssp_diff(desired, obs, 0, &ch, NULL) == -1 || ch.n > 0;
	changes_clear(&ch);
	return due;
}

/* A role from its part of the configuration tree: "server", "Service". */
static int
credssp_role(struct state_ctx *ctx, const char *role, const char *part,
    const struct node *config, struct node *obs, char **cause)
{
	const struct node *auth = node_getv(config, part, "Auth", NULL);
	struct node *out;
	const char *src;
	int on;

	if (node_bool(node_get(auth, "CredSSP"), &on) == -1)
		return cause_set(cause, "%s: credssp: Get %s: no boolean "
		    "%s/Auth/CredSSP", ctx->host, WSMAN_URI_CONFIG, part);
	out = node_map();
	node_map_set(out, "enabled", node_scalar(on ? "true" : "false"));
	src = node_get_str(auth, "CredSSP@Source");
	if (src != NULL && strcasecmp(src, "GPO") == 0)
		node_map_set(out, "source", node_scalar("gpo"));
	node_map_set(obs, role, out);
	return 0;
}

static int
credssp_oracle(struct state_ctx *ctx, const struct wsman_read *r,
    struct node *obs, char **cause)
{
	uint32_t v;
	int found;

	if (winreg_result_dword(ctx->ws, r, &v, &found, cause) == -1)
		return -1;
	if (!found)
		node_map_set(obs, "encryption_oracle",
		    node_scalar("not_configured"));
	else if (v < nitems(credssp_oracle_names))
		node_map_set(obs, "encryption_oracle",
		    node_scalar(credssp_oracle_names[v]));
	else
		node_map_set(obs, "encryption_oracle", node_scalar("unknown"));
	return 0;
}

static int
credssp_numcmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	return atol(x) < atol(y) ? -1 : atol(x) > atol(y);
}

/*
 * A list in effect (policy DWORD 1): read its values, in numeric order,
 * into seq.  flag and names are the first round's two reads for it.
 */
static int
credssp_list(struct state_ctx *ctx, const struct credssp_list *l,
    const struct wsman_read *flag, const struct wsman_read *names,
    struct node *seq, char **cause)
{
	struct wsman_read *rd = NULL;
	struct node *nm = NULL;
	const char **order = NULL;
	char *key, *v;
	uint32_t on;
	size_t i, n = 0;
	int found, rc = -1;

	key = xasprintf("%s\\%s", CD_KEY, l->policy);
	if (winreg_result_dword(ctx->ws, flag, &on, &found, cause) == -1 ||
	    winreg_result_names(ctx->ws, names, &nm, &found, cause) == -1)
		goto done;
	if (!found || on != 1 || nm->npairs == 0) {
		rc = 0;
		goto done;
	}
	n = nm->npairs;
	order = xcalloc(n, sizeof(*order));
	rd = xcalloc(n, sizeof(*rd));
	for (i = 0; i < n; i++)
		order[i] = nm->pairs[i].key->value;
	qsort(order, n, sizeof(*order), credssp_numcmp);
	for (i = 0; i < n; i++)
		winreg_read_prepare(&rd[i], "GetStringValue", key, order[i]);
	wsman_read_many(ctx->ws, rd, n);
	for (i = 0; i < n; i++) {
		if (winreg_result_string(ctx->ws, &rd[i], &v, &found,
		    cause) == -1)
			goto done;
		if (found)
			node_seq_push(seq, node_scalar(v));
		free(v);
	}
	rc = 0;
done:
	for (i = 0; rd != NULL && i < n; i++)
		winreg_read_release(&rd[i]);
	free(rd);
	free(order);
	node_free(nm);
	free(key);
	return rc;
}

static void
credssp_gp_set(struct node *gp, const char *what, const char *gpo)
{
	if (gpo != NULL)
		node_map_set(gp, what, node_scalar(gpo));
}

/*
 * observed.group_policy: each setting RSoP says a GPO delivers, keyed by
 * its path under credssp, and "rsop" with why RSoP could not tell; NULL
 * when there is nothing to say.
 */
static struct node *
credssp_group_policy(const struct rsop *rs)
{
	struct node *gp = node_map();
	const char *gpo;
	char *key;
	size_t i;

	if (rs->unavailable != NULL)
		node_map_set(gp, "rsop", node_scalar(rs->unavailable));
	credssp_gp_set(gp, "server.enabled", rsop_owner(rs, WINRM_POLICY_KEY
	    "\\Service", "AllowCredSSP"));
	credssp_gp_set(gp, "client.enabled", rsop_owner(rs, WINRM_POLICY_KEY
	    "\\Client", "AllowCredSSP"));
	credssp_gp_set(gp, "encryption_oracle", rsop_owner(rs, EO_KEY,
	    EO_VALUE));
	for (i = 0; i < nitems(credssp_lists); i++) {
		/* The list's flag, or any of its entries. */
		key = xasprintf("%s\\%s", CD_KEY, credssp_lists[i].policy);
		if ((gpo = rsop_owner(rs, CD_KEY, credssp_lists[i].policy)) ==
		    NULL)
			gpo = rsop_owner(rs, key, NULL);
		credssp_gp_set(gp, credssp_lists[i].gp_path, gpo);
		free(key);
	}
	if (gp->npairs == 0) {
		node_free(gp);
		return NULL;
	}
	return gp;
}

/* RSoP's answer as observed.group_policy, when there is one to give. */
static int
credssp_read_rsop(struct state_ctx *ctx, struct node *obs, char **cause)
{
	struct wsman_read rd[RSOP_NREADS];
	struct node *gp;
	struct rsop rs;
	int rc = -1;

	memset(rd, 0, sizeof(rd));
	memset(&rs, 0, sizeof(rs));
	rsop_read_prepare(rd);
	wsman_read_many(ctx->ws, rd, RSOP_NREADS);
	if (rsop_result(ctx->ws, rd, &rs, cause) == -1)
		goto done;
	if ((gp = credssp_group_policy(&rs)) != NULL)
		node_map_set(obs, "group_policy", gp);
	rc = 0;
done:
	rsop_release(&rs);
	rsop_read_release(rd);
	return rc;
}

static int
credssp_read(struct state_ctx *ctx, const struct node *desired,
    struct node **observed, char **cause)
{
	struct wsman_read rd[RD_N];
	struct node *obs = NULL, *seq, *config = NULL;
	char *key;
	size_t i, skip;
	int rc = -1;

	memset(rd, 0, sizeof(rd));
	skip = !memo_claim(ctx, WSMAN_URI_CONFIG, &rd[RD_CONFIG]);
	winreg_read_prepare(&rd[RD_ORACLE], "GetDWORDValue", EO_KEY, EO_VALUE);
	for (i = 0; i < nitems(credssp_lists); i++) {
		key = xasprintf("%s\\%s", CD_KEY, credssp_lists[i].policy);
		winreg_read_prepare(&rd[RD_LISTS + 2 * i], "GetDWORDValue",
		    CD_KEY, credssp_lists[i].policy);
		winreg_read_prepare(&rd[RD_LISTS + 2 * i + 1], "EnumValues",
		    key, NULL);
		free(key);
	}
	wsman_read_many(ctx->ws, rd + skip, RD_N - skip);
	/* Before anything may fail: the kinds waiting for it need it. */
	if (memo_take(ctx, WSMAN_URI_CONFIG, skip ? NULL : &rd[RD_CONFIG],
	    &config, cause) == -1)
		goto done;

	obs = node_map();
	if (credssp_role(ctx, "server", "Service", config, obs, cause) == -1 ||
	    credssp_role(ctx, "client", "Client", config, obs, cause) == -1 ||
	    credssp_oracle(ctx, &rd[RD_ORACLE], obs, cause) == -1)
		goto done;
	for (i = 0; i < nitems(credssp_lists); i++) {
		seq = node_seq();
		node_map_set(node_get(obs, "client"), credssp_lists[i].field,
		    seq);
		if (credssp_list(ctx, &credssp_lists[i], &rd[RD_LISTS + 2 * i],
		    &rd[RD_LISTS + 2 * i + 1], seq, cause) == -1)
			goto done;
	}
	if (credssp_rsop_due(desired, obs) &&
	    credssp_read_rsop(ctx, obs, cause) == -1)
		goto done;
	*observed = obs;
	obs = NULL;
	rc = 0;
done:
	node_free(obs);
	node_free(config);
	wsman_read_release(&rd[RD_CONFIG]);
	winreg_read_release(&rd[RD_ORACLE]);
	for (i = RD_LISTS; i < RD_N; i++)
		winreg_read_release(&rd[i]);
	return rc;
}

/*
 * The list a role should have: enabled keeps what is there but for the
 * entries of absent (a revert's: those its run added) and adds the
 * desired entries; disabled drops "wsman/..." entries (ours, by the
 * cmdlet's convention) and the desired ones, keeping everyone else's.
 */
static struct node *
credssp_want_list(int enabled, const struct node *want,
    const struct node *have, const struct node *absent)
{
	struct node *out;
	const char *v;
	size_t i;

	out = node_seq();
	for (i = 0; have != NULL && i < have->nitems; i++) {
		v = have->items[i]->value;
		if (enabled && node_seq_has_nocase(absent, v))
			continue;
		if (!enabled && (strncasecmp(v, "wsman/", 6) == 0 ||
		    node_seq_has_nocase(want, v)))
			continue;
		node_seq_push(out, node_scalar(v));
	}
	for (i = 0; enabled && want != NULL && i < want->nitems; i++)
		if (!node_seq_has_nocase(out, want->items[i]->value))
			node_seq_push(out, node_scalar(want->items[i]->value));
	return out;
}

/*
 * Group Policy's claim on a change at path (under credssp): RSoP's GPO,
 * or WinRM's Source="GPO" on the role (marked, GPO unknown).  A registry
 * write (reg) on a host whose RSoP could not answer says so.
 */
static void
credssp_gpo(struct change *c, const struct node *gp, const char *path,
    int marked, int reg)
{
	const char *gpo = node_get_str(gp, path);
	const char *why = node_get_str(gp, "rsop");

	if (gpo != NULL || marked)
		changes_gpo(c, gpo);
	else if (reg && why != NULL)
		c->note = xasprintf("Group Policy ownership not checked: RSoP "
		    "unavailable (%s)", why);
}

static void
credssp_diff_bool(const char *role, const struct node *want,
    const struct node *have, const struct node *gp, struct changes *out)
{
	const struct node *w = node_get(want, "enabled");
	char path[64];
	struct change *c;
	int wv, hv;

	if (node_bool(w, &wv) == -1 ||
	    node_bool(node_get(have, "enabled"), &hv) == -1 || wv == hv)
		return;
	snprintf(path, sizeof(path), "credssp.%s.enabled", role);
	c = changes_add(out, "credssp", path, hv ? "true" : "false",
	    wv ? "true" : "false", w);
	credssp_gpo(c, gp, path + strlen("credssp."),
	    node_get_str(have, "source") != NULL, 0);
}

static void
credssp_diff_lists(const struct node *want, const struct node *have,
    const struct node *gp, struct changes *out)
{
	const struct node *w;
	struct node *target;
	struct change *c;
	char *before, *after, path[64], absent[64];
	size_t i;
	int enabled;

	if (node_bool(node_get(want, "enabled"), &enabled) == -1)
		return;
	for (i = 0; i < nitems(credssp_lists); i++) {
		w = node_get(want, credssp_lists[i].field);
		snprintf(absent, sizeof(absent), "absent_%s",
		    credssp_lists[i].field);
		target = credssp_want_list(enabled, w,
		    node_get(have, credssp_lists[i].field),
		    node_get(want, absent));
		before = state_list_join(node_get(have, credssp_lists[i].field), ", ");
		after = state_list_join(target, ", ");
		if ((before == NULL) != (after == NULL) ||
		    (before != NULL && strcmp(before, after) != 0)) {
			snprintf(path, sizeof(path), "credssp.client.%s",
			    credssp_lists[i].field);
			c = changes_add(out, "credssp", path, before, after,
			    w != NULL ? w : node_get(want, "enabled"));
			/* The client role is Group Policy's: so is its list. */
			credssp_gpo(c, gp, credssp_lists[i].gp_path,
			    node_get_str(have, "source") != NULL, 1);
		}
		free(before);
		free(after);
		node_free(target);
	}
}

static int
credssp_diff(const struct node *desired, const struct node *observed,
    time_t now, struct changes *out, char **cause)
{
	const struct node *w, *want_eo, *gp = node_get(observed,
	    "group_policy");
	const char *have_eo;

	if ((w = node_get(desired, "server")) != NULL)
		credssp_diff_bool("server", w, node_get(observed, "server"),
		    gp, out);
	if ((w = node_get(desired, "client")) != NULL) {
		credssp_diff_bool("client", w, node_get(observed, "client"),
		    gp, out);
		credssp_diff_lists(w, node_get(observed, "client"), gp, out);
	}
	want_eo = node_get(desired, "encryption_oracle");
	have_eo = node_get_str(observed, "encryption_oracle");
	if (want_eo != NULL && want_eo->kind == NODE_SCALAR &&
	    (have_eo == NULL || strcmp(want_eo->value, have_eo) != 0))
		credssp_gpo(changes_add(out, "credssp",
		    "credssp.encryption_oracle", have_eo, want_eo->value,
		    want_eo), gp, "encryption_oracle", 0, 1);
	return 0;
}

static int
credssp_apply_role(struct state_ctx *ctx, const char *role, const char *value,
    char **cause)
{
	struct wsman_body body;
	struct node *fields;
	int rc;

	fields = node_map();
	node_map_set(fields, "CredSSP", node_scalar(value));
	memset(&body, 0, sizeof(body));
	body.name = "Auth";
	body.ns = credssp_auth_uri(role);
	body.fields = fields;
	rc = wsman_put(ctx->ws, WSMAN_REF(credssp_auth_uri(role)), &body, NULL,
	    cause);
	node_free(fields);
	return rc;
}

/*
 * Rewrite a delegation list as Disable-WSManCredSSP does: every numbered
 * value deleted, the keepers written back from "1"; with none left the
 * flags and the subkey go too.
 */
static int
credssp_apply_list(struct state_ctx *ctx, const struct credssp_list *l,
    const char *after, char **cause)
{
	struct node *names = NULL, *items = NULL;
	char *key, num[24];
	size_t i;
	int found, rc = -1;

	key = xasprintf("%s\\%s", CD_KEY, l->policy);
	if (winreg_enum_values(ctx->ws, key, &names, &found, cause) == -1)
		goto done;
	for (i = 0; i < names->npairs; i++)
		if (winreg_delete_value(ctx->ws, key,
		    names->pairs[i].key->value, cause) == -1)
			goto done;
	if (after == NULL) {
		if (winreg_delete_key(ctx->ws, key, cause) == -1 ||
		    winreg_delete_value(ctx->ws, CD_KEY, l->policy,
		    cause) == -1 ||
		    winreg_delete_value(ctx->ws, CD_KEY, l->concat, cause) == -1)
			goto done;
		rc = 0;
		goto done;
	}
	if (winreg_create_key(ctx->ws, key, cause) == -1 ||
	    winreg_set_dword(ctx->ws, CD_KEY, l->policy, 1, cause) == -1 ||
	    winreg_set_dword(ctx->ws, CD_KEY, l->concat, 1, cause) == -1)
		goto done;
	items = state_list_split(after);
	for (i = 0; i < items->nitems; i++) {
		snprintf(num, sizeof(num), "%zu", i + 1);
		if (winreg_set_string(ctx->ws, key, num, items->items[i]->value,
		    cause) == -1)
			goto done;
	}
	rc = 0;
done:
	node_free(names);
	node_free(items);
	free(key);
	return rc;
}

static int
credssp_apply_oracle(struct state_ctx *ctx, const char *name, char **cause)
{
	uint32_t i;

	for (i = 0; i < nitems(credssp_oracle_names); i++)
		if (strcmp(credssp_oracle_names[i], name) == 0)
			break;
	if (i == nitems(credssp_oracle_names))
		return cause_set(cause, "%s: credssp: unknown encryption_oracle "
		    "'%s'", ctx->host, name);
	if (winreg_create_key(ctx->ws, EO_KEY, cause) == -1)
		return -1;
	return winreg_set_dword(ctx->ws, EO_KEY, EO_VALUE, i, cause);
}

static int
credssp_apply(struct state_ctx *ctx, const struct change *c,
    const struct node *observed, char **cause)
{
	size_t i;

	if (strcmp(c->path, "credssp.server.enabled") == 0)
		return credssp_apply_role(ctx, "server", c->after, cause);
	if (strcmp(c->path, "credssp.client.enabled") == 0)
		return credssp_apply_role(ctx, "client", c->after, cause);
	if (strcmp(c->path, "credssp.encryption_oracle") == 0)
		return credssp_apply_oracle(ctx, c->after, cause);
	for (i = 0; i < nitems(credssp_lists); i++)
		if (strncmp(c->path, "credssp.client.", 15) == 0 &&
		    strcmp(c->path + 15, credssp_lists[i].field) == 0)
			return credssp_apply_list(ctx, &credssp_lists[i],
			    c->after, cause);
	return cause_set(cause, "%s: credssp: cannot apply '%s'", ctx->host,
	    c->path);
}

/* server/client: enabled|disabled -> {enabled: true|false} */
static void
credssp_normalize(struct node *body)
{
	struct node_pair *p;
	size_t i;

	for (i = 0; i < body->npairs; i++) {
		p = &body->pairs[i];
		if (p->value->kind != NODE_SCALAR ||
		    (strcmp(p->key->value, "server") != 0 &&
		    strcmp(p->key->value, "client") != 0))
			continue;
		state_wrap(p, "enabled", strcmp(p->value->value, "enabled") ==
		    0 ? "true" : "false");
	}
}

/*
 * A delegation list follows the client's enabled flag of before, as a
 * delta: enabled, the entries RUN removed come back and those it added go
 * (absent_<list>); disabled, the module drops the "wsman/..." entries and
 * the listed ones, so the list is what RUN added.  Other entries stay.
 */
static void
credssp_revert(struct node *desired, const char **keys, size_t nkeys,
    const struct node *value, const struct node *before,
    const struct node *added, const struct node *removed)
{
	struct node *m;
	char absent[64];
	int on;

	if (nkeys != 3 || strcmp(keys[1], "client") != 0 ||
	    strncmp(keys[2], "delegate", 8) != 0) {
		state_overlay(desired, keys, nkeys, value);
		return;
	}
	if (node_bool(node_path(before, "credssp.client.enabled", NULL, 0,
	    NULL), &on) == -1)
		on = 0;
	snprintf(absent, sizeof(absent), "absent_%s", keys[2]);
	m = state_map_at(desired, keys, 2);
	node_map_set(m, "enabled", node_scalar(on ? "true" : "false"));
	if (on) {
		node_map_set(m, keys[2], removed != NULL ? node_copy(removed) :
		    node_seq());
		if (added != NULL)
			node_map_set(m, absent, node_copy(added));
	} else if (added != NULL && added->nitems > 0)
		node_map_set(m, keys[2], node_copy(added));
	else
		node_map_del(m, keys[2]);
}

const struct state_ops state_credssp_ops = {
	.kind = "credssp",
	.normalize = credssp_normalize,
	.read = credssp_read,
	.diff = credssp_diff,
	.apply = credssp_apply,
	.revert = credssp_revert,
};
