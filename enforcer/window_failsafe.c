/*
 * window_failsafe.c: what the fail-safe of a host must be at an instant,
 * how its changes are told, and what windows that have ended left on.
 *
 * "On" means: the server role enabled, the client role enabled, or an
 * entry in one of the delegation lists.  A window turns on what it has on
 * at an instant and the policies alone (model_effective_base) have not;
 * that, and only that, is what the task turns off again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "timeparse.h"
#include "window_failsafe.h"

#define WF_NLISTS	2		/* the delegation lists */
#define WF_TH		WF_NLISTS	/* then TrustedHosts, a list too */
#define WF_NSEQS	(WF_NLISTS + 1)
#define WF_ORACLE	(2 + WF_NSEQS)	/* server, client, the lists, it */
#define WF_NITEMS	(WF_ORACLE + 1)
#define WF_UNKNOWN_DAYS	7		/* with no state, how far back */

/*
 * The CredSSP registry layout the task's command rewrites
 * (docs/windows-behaviour.md#credssp-registry-layout).
 */
#define WF_CD_KEY	\
	"SOFTWARE\\Policies\\Microsoft\\Windows\\CredentialsDelegation"

static const struct wf_list {
	const char	*field;		/* key under credssp.client */
	const char	*policy;	/* DWORD flag and subkey name */
	const char	*concat;	/* ConcatenateDefaults_* DWORD */
} wf_lists[WF_NLISTS] = {
	{ "delegate", "AllowFreshCredentials",
	    "ConcatenateDefaults_AllowFresh" },
	{ "delegate_ntlm_only", "AllowFreshCredentialsWhenNTLMOnly",
	    "ConcatenateDefaults_AllowFreshNTLMOnly" },
};

/*
 * What one tree (kind -> tree) has on: CredSSP's roles and delegation
 * lists, TrustedHosts, the encryption-oracle level; everything borrowed
 * from the tree.
 */
struct wf_on {
	int			 server;
	int			 client;
	const struct node	*list[WF_NSEQS];
	const char		*oracle;
	const struct origin	*why[WF_NITEMS];	/* effective trees */
};

/*
 * Things one state has on that another has not; oracle: the level to go
 * back to, when the first is weaker.
 */
struct wf_items {
	int			 server;
	int			 client;
	struct node		*list[WF_NSEQS];	/* owned sequences */
	char			*oracle;		/* owned */
	const struct origin	*why[WF_NITEMS];
};

/* AllowEncryptionOracle's levels, strongest first (states/credssp.c). */
static int
wf_oracle_rank(const char *level)
{
	static const char *const levels[] = { "force_updated_clients",
	    "mitigated", "vulnerable" };
	size_t i;

	for (i = 0; level != NULL && i < nitems(levels); i++)
		if (strcmp(levels[i], level) == 0)
			return (int)i;
	return -1;
}

static int
wf_true(const struct node *n)
{
	int v;

	return node_bool(n, &v) == 0 && v;
}

/*
 * An effective tree's delegation list counts only while its client role
 * is enabled: disabled, the credssp module takes the listed entries away.
 */
static void
wf_on_read(struct wf_on *o, const struct node *root, int effective)
{
	const struct node *credssp = node_get(root, "credssp");
	const struct node *client = node_get(credssp, "client"), *n;
	size_t i;

	memset(o, 0, sizeof(*o));
	n = node_getv(credssp, "server", "enabled", NULL);
	o->server = wf_true(n);
	o->why[0] = n != NULL ? n->origin : NULL;
	n = node_get(client, "enabled");
	o->client = wf_true(n);
	o->why[1] = n != NULL ? n->origin : NULL;
	for (i = 0; i < WF_NSEQS; i++) {
		n = i == WF_TH ? node_getv(root, "trusted_hosts", "hosts", NULL) :
		    node_get(client, wf_lists[i].field);
		if (n == NULL || n->kind != NODE_SEQ || (i != WF_TH &&
		    effective && !o->client))
			continue;
		o->list[i] = n;
		o->why[2 + i] = n->origin;
	}
	n = node_get(credssp, "encryption_oracle");
	o->oracle = n != NULL && n->kind == NODE_SCALAR ? n->value : NULL;
	o->why[WF_ORACLE] = n != NULL ? n->origin : NULL;
}

static const struct model_window *
wf_origin_window(const struct origin *o)
{
	return o != NULL && o->kind == ORIGIN_WINDOW ? o->window : NULL;
}

/* What a has on and b has not; with only, just what window only asked. */
static void
wf_extra(struct wf_items *x, const struct wf_on *a, const struct wf_on *b,
    const struct model_window *only)
{
	const struct node *e;
	size_t i, j;

	memset(x, 0, sizeof(*x));
	memcpy(x->why, a->why, sizeof(x->why));
	x->server = a->server && !b->server &&
	    (only == NULL || wf_origin_window(a->why[0]) == only);
	x->client = a->client && !b->client &&
	    (only == NULL || wf_origin_window(a->why[1]) == only);
	if (wf_oracle_rank(a->oracle) > wf_oracle_rank(b->oracle) &&
	    wf_oracle_rank(b->oracle) >= 0 && (only == NULL ||
	    wf_origin_window(a->why[WF_ORACLE]) == only))
		x->oracle = xstrdup(b->oracle);
	for (i = 0; i < WF_NSEQS; i++) {
		if (only != NULL && wf_origin_window(a->why[2 + i]) != only)
			continue;
		for (j = 0; a->list[i] != NULL && j < a->list[i]->nitems; j++) {
			e = a->list[i]->items[j];
			if (node_seq_has_nocase(b->list[i], e->value))
				continue;
			if (x->list[i] == NULL)
				x->list[i] = node_seq();
			node_seq_push(x->list[i], node_scalar(e->value));
		}
	}
}

static void
wf_items_release(struct wf_items *x)
{
	size_t i;

	for (i = 0; i < WF_NSEQS; i++)
		node_free(x->list[i]);
	free(x->oracle);
	memset(x, 0, sizeof(*x));
}

static int
wf_items_any(const struct wf_items *x)
{
	size_t i;

	for (i = 0; i < WF_NSEQS; i++)
		if (x->list[i] != NULL)
			return 1;
	return x->server || x->client || x->oracle != NULL;
}

/* Something of x is on in o. */
static int
wf_items_on(const struct wf_items *x, const struct wf_on *o)
{
	size_t i, j;

	if ((x->server && o->server) || (x->client && o->client) ||
	    (x->oracle != NULL && o->oracle != NULL &&
	    strcmp(x->oracle, o->oracle) != 0))
		return 1;
	for (i = 0; i < WF_NSEQS; i++)
		for (j = 0; x->list[i] != NULL && j < x->list[i]->nitems; j++)
			if (node_seq_has_nocase(o->list[i],
			    x->list[i]->items[j]->value))
				return 1;
	return 0;
}

/* Take out of x what claimed holds, then add the rest to claimed. */
static void
wf_items_claim(struct wf_items *x, struct wf_items *claimed)
{
	struct node *keep;
	size_t i, j;

	x->server = x->server && !claimed->server;
	x->client = x->client && !claimed->client;
	claimed->server |= x->server;
	claimed->client |= x->client;
	if (x->oracle != NULL && claimed->oracle != NULL) {
		free(x->oracle);
		x->oracle = NULL;
	} else if (x->oracle != NULL)
		claimed->oracle = xstrdup(x->oracle);
	for (i = 0; i < WF_NSEQS; i++) {
		if (x->list[i] == NULL)
			continue;
		keep = node_seq();
		for (j = 0; j < x->list[i]->nitems; j++) {
			if (node_seq_has_nocase(claimed->list[i],
			    x->list[i]->items[j]->value))
				continue;
			node_seq_push(keep,
			    node_scalar(x->list[i]->items[j]->value));
		}
		node_free(x->list[i]);
		x->list[i] = keep->nitems > 0 ? keep : NULL;
		if (x->list[i] == NULL) {
			node_free(keep);
			continue;
		}
		if (claimed->list[i] == NULL)
			claimed->list[i] = node_seq();
		for (j = 0; j < keep->nitems; j++)
			node_seq_push(claimed->list[i],
			    node_scalar(keep->items[j]->value));
	}
}

/* The effective tree of h at t ("base" with t == 0), or NULL. */
static struct node *
wf_effective(const struct model *m, const struct model_host *h, time_t t,
    int base)
{
	struct node *eff = NULL;
	char *cause = NULL;

	if ((base ? model_effective_base(&eff, m, h, &cause) :
	    model_effective(&eff, m, h, t, &cause)) == -1) {
		free(cause);	/* a loaded model always has one */
		return NULL;
	}
	return eff;
}

static int
wf_time_cmp(const void *a, const void *b)
{
	time_t x = *(const time_t *)a, y = *(const time_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The first instant after at when no window turns CredSSP on for h any
 * more: windows that overlap or follow each other with no gap make one
 * stretch, so that one window's fail-safe never cuts another's.
 */
static time_t
wf_stretch_end(const struct model *m, const struct model_host *h, time_t at,
    const struct wf_on *base)
{
	struct wf_items x;
	struct wf_on on;
	struct node *eff, *grants;
	time_t *t, end = at;
	size_t i, n = 0;
	int need;

	t = xcalloc(2 * m->nwindows + 1, sizeof(*t));
	for (i = 0; i < m->nwindows; i++) {
		if (m->windows[i].start > at)
			t[n++] = m->windows[i].start;
		if (m->windows[i].end > at)
			t[n++] = m->windows[i].end;
	}
	qsort(t, n, sizeof(*t), wf_time_cmp);
	for (i = 0; i < n; i++) {
		end = t[i];
		eff = wf_effective(m, h, t[i], 0);
		wf_on_read(&on, eff, 1);
		wf_extra(&x, &on, base, NULL);
		grants = window_grants_at(m, h, t[i]);
		need = wf_items_any(&x) || grants != NULL;
		node_free(grants);
		wf_items_release(&x);
		node_free(eff);
		if (!need)
			break;
	}
	free(t);
	return end;
}

/* --- the task's command --------------------------------------------------- */

/*
 * The delegation list after the window: what the credssp module writes
 * when it enables (what is there, then the wanted entries not there yet).
 */
static struct node *
wf_list_during(const struct node *have, const struct node *want)
{
	struct node *l;
	size_t i;

	l = node_seq();
	for (i = 0; have != NULL && i < have->nitems; i++)
		node_seq_push(l, node_scalar(have->items[i]->value));
	for (i = 0; want != NULL && i < want->nitems; i++)
		if (!node_seq_has_nocase(l, want->items[i]->value))
			node_seq_push(l, node_scalar(want->items[i]->value));
	return l;
}

/*
 * Give one delegation list back: the window's entries out and, when the
 * client role goes off, the "wsman/..." ones too (as Disable-WSManCredSSP
 * does); the keepers written back from "1", or, with none left, the
 * flags and the subkey gone.
 */
static int
wf_list_steps(struct buf *b, const struct wf_list *l, const struct node *during,
    const struct wf_items *x, const struct node *added, const char *host,
    char **cause)
{
	struct node *keep;
	const char *v;
	size_t i;
	int rc = 0;

	keep = node_seq();
	for (i = 0; i < during->nitems; i++) {
		v = during->items[i]->value;
		if (node_seq_has_nocase(added, v) || (x->client &&
		    strncasecmp(v, "wsman/", 6) == 0))
			continue;
		node_seq_push(keep, node_scalar(v));
	}
	if (keep->nitems != during->nitems &&
	    window_script_list(b, l->policy, l->concat, keep) == -1)
		rc = cause_set(cause, "%s: failsafe: a delegation entry of %s "
		    "cannot be written into the fail-safe's script", host,
		    l->policy);
	node_free(keep);
	return rc;
}

/* TrustedHosts back: what is there, less what windows added. */
static int
wf_th_steps(struct buf *b, const struct wf_items *x, const struct wf_on *eff,
    const struct node *observed, const char *host, char **cause)
{
	struct node *during, *keep;
	char *joined;
	size_t i;
	int rc = 0;

	during = wf_list_during(node_getv(observed, "trusted_hosts", "hosts",
	    NULL), eff->list[WF_TH]);
	keep = node_seq();
	for (i = 0; i < during->nitems; i++)
		if (!node_seq_has_nocase(x->list[WF_TH],
		    during->items[i]->value))
			node_seq_push(keep, node_scalar(during->items[i]->value));
	/* "a,b": the form WinRM stores (states/trusted_hosts.c). */
	joined = state_list_join(keep, ",");
	if (window_script_trusted_hosts(b, joined != NULL ? joined : "") == -1)
		rc = cause_set(cause, "%s: failsafe: a TrustedHosts entry "
		    "cannot be written into the fail-safe's script", host);
	free(joined);
	node_free(keep);
	node_free(during);
	return rc;
}

/*
 * The steps of every task of the host: x off again.  observed: the
 * host's state (kind -> tree).
 */
static int
wf_action(struct buf *b, const struct wf_items *x, const struct wf_on *eff,
    const struct node *observed, const char *host, char **cause)
{
	const struct node *credssp = node_get(observed, "credssp");
	struct node *during;
	size_t i;
	int rc = 0;

	if (x->server)
		window_script_role_off(b, 1);
	if (x->client)
		window_script_role_off(b, 0);
	if (x->oracle != NULL)
		window_script_oracle(b, wf_oracle_rank(x->oracle));
	for (i = 0; i < WF_NLISTS && rc == 0; i++) {
		if (x->list[i] == NULL && !x->client)
			continue;
		during = wf_list_during(node_getv(credssp, "client",
		    wf_lists[i].field, NULL), eff->list[i]);
		rc = wf_list_steps(b, &wf_lists[i], during, x, x->list[i],
		    host, cause);
		node_free(during);
	}
	if (rc == 0 && x->list[WF_TH] != NULL)
		rc = wf_th_steps(b, x, eff, observed, host, cause);
	return rc;
}

/*
 * One task: the loader as its command, the script (the host's steps, then
 * its marker, then it removes itself) kept in the registry.  A task armed
 * from keep on is kept (failsafe.h: keep_from).
 */
static struct node *
wf_task(const char *window, const char *steps, const char *when,
    const char *keep)
{
	struct node *t;
	char *cmd, *script;

	cmd = window_script_loader(window);
	script = window_script_finish(window, when, steps);
	t = node_map();
	node_map_set(t, "trigger", node_scalar(when));
	node_map_set(t, "keep_from", node_scalar(keep));
	node_map_set(t, "command", node_scalar(cmd));
	node_map_set(t, "script", node_scalar(script));
	node_map_set(t, "enabled", node_scalar("true"));
	free(cmd);
	free(script);
	return t;
}

/* --- the desired fail-safe ---------------------------------------------- */

void
window_failsafe_lease(const struct model_settings *s, time_t at, time_t end,
    time_t *trigger, time_t *keep)
{
	time_t lease = (time_t)s->failsafe_lease, half = lease / 2;

	*trigger = (at + lease < end ? at + lease : end) + s->failsafe_grace;
	*keep = (at + half < end ? at + half : end) + s->failsafe_grace;
}

/* A rule of w for h sets what a window can weaken: CredSSP, TrustedHosts. */
static int
wf_rule_credssp(const struct model_window *w, const struct model_host *h)
{
	size_t i;

	for (i = 0; i < w->nrules; i++)
		if (model_rule_targets(&w->rules[i], h) &&
		    (node_get(w->rules[i].norm, "credssp") != NULL ||
		    node_get(w->rules[i].norm, "trusted_hosts") != NULL))
			return 1;
	return 0;
}

int
window_failsafe_applies(const struct model *m, const struct model_host *h,
    const struct node *desired)
{
	size_t i;

	if (node_get(desired, "credssp") != NULL ||
	    window_grants_targets(m, h))
		return 1;
	for (i = 0; i < m->nwindows; i++)
		if (wf_rule_credssp(&m->windows[i], h))
			return 1;
	return 0;
}

static struct node *
wf_map_at(struct node *parent, const char *key)
{
	struct node *n = node_get(parent, key);

	if (n == NULL) {
		n = node_map();
		node_map_set(parent, key, n);
	}
	return n;
}

void
window_failsafe_fill_base(struct node *desired, const struct model *m,
    const struct model_host *h, time_t at)
{
	static const char *const roles[] = { "server", "client" };
	const struct model_window *w;
	const struct node *cred;
	struct node *role;
	size_t i, j, k;

	for (i = 0; i < m->nwindows; i++) {
		w = &m->windows[i];
		for (j = 0; w->start <= at && j < w->nrules; j++) {
			if (!model_rule_targets(&w->rules[j], h))
				continue;
			cred = node_get(w->rules[j].norm, "credssp");
			for (k = 0; k < nitems(roles); k++) {
				if (node_getv(cred, roles[k], "enabled",
				    NULL) == NULL)
					continue;
				role = wf_map_at(wf_map_at(desired, "credssp"),
				    roles[k]);
				if (node_get(role, "enabled") == NULL)
					node_map_set(role, "enabled",
					    node_scalar("false"));
			}
		}
	}
}

/* A task for every window behind what x turns on (all open at at). */
static void
wf_tasks(struct node *tasks, const struct wf_items *x, const char *action,
    const char *when, const char *keep)
{
	const struct model_window *w;
	int on[WF_NITEMS];
	size_t i;

	on[0] = x->server;
	on[1] = x->client;
	for (i = 0; i < WF_NSEQS; i++)
		on[2 + i] = x->list[i] != NULL;
	on[WF_ORACLE] = x->oracle != NULL;
	for (i = 0; i < WF_NITEMS; i++) {
		w = wf_origin_window(x->why[i]);
		if (on[i] && w != NULL && node_get(tasks, w->name) == NULL)
			node_map_set(tasks, w->name, wf_task(w->name, action,
			    when, keep));
	}
}

/* A task for every window behind a grant (all open at at). */
static void
wf_grant_tasks(struct node *tasks, const struct node *grants,
    const char *action, const char *when, const char *keep)
{
	const struct model_window *w;
	size_t i;

	for (i = 0; grants != NULL && i < grants->npairs; i++) {
		w = wf_origin_window(grants->pairs[i].value->origin);
		if (w != NULL && node_get(tasks, w->name) == NULL)
			node_map_set(tasks, w->name, wf_task(w->name, action,
			    when, keep));
	}
}

int
window_failsafe_desired(struct node **out, const struct model *m,
    const struct model_host *h, time_t at, const struct node *observed,
    char **cause)
{
	struct node *base, *eff, *root, *grants;
	struct wf_on bon, eon;
	struct wf_items x;
	struct buf act = BUF_INIT;
	char when[TIMEPARSE_UTC_LEN], keep[TIMEPARSE_UTC_LEN];
	time_t fire, from;
	int rc = -1;

	root = node_map();
	node_map_set(root, "tasks", node_map());
	node_map_set(root, "fired", node_map());
	base = wf_effective(m, h, 0, 1);
	eff = wf_effective(m, h, at, 0);
	wf_on_read(&bon, base, 1);
	wf_on_read(&eon, eff, 1);
	wf_extra(&x, &eon, &bon, NULL);
	grants = window_grants_at(m, h, at);
	if (wf_items_any(&x) || grants != NULL) {
		window_failsafe_lease(&m->settings, at, wf_stretch_end(m, h, at,
		    &bon), &fire, &from);
		timeparse_format_utc(fire, when, sizeof(when));
		timeparse_format_utc(from, keep, sizeof(keep));
		if (wf_action(&act, &x, &eon, observed, h->name, cause) == -1 ||
		    window_grants_action(&act, grants, h->name, cause) == -1)
			goto out;
		wf_tasks(node_get(root, "tasks"), &x, buf_cstr(&act), when,
		    keep);
		wf_grant_tasks(node_get(root, "tasks"), grants, buf_cstr(&act),
		    when, keep);
	}
	*out = root;
	root = NULL;
	rc = 0;
out:
	wf_items_release(&x);
	buf_release(&act);
	node_free(grants);
	node_free(root);
	node_free(base);
	node_free(eff);
	return rc;
}

/* --- changes ---------------------------------------------------------- */

/* "a, b" holds v (case-insensitive), as credssp.c joins lists. */
static int
wf_joined_has(const char *list, const char *v, size_t len)
{
	const char *p = list;
	size_t n;

	while (p != NULL && *p != '\0') {
		n = strcspn(p, ",");
		if (n == len && strncasecmp(p, v, len) == 0)
			return 1;
		p += n;
		p += strspn(p, ", ");
	}
	return 0;
}

int
window_failsafe_enables(const struct change *c)
{
	const char *p;
	size_t n;

	if (strcmp(c->kind, "local_group") == 0)
		return c->after != NULL;
	if (c->after == NULL || (strcmp(c->kind, "credssp") != 0 &&
	    strcmp(c->kind, "trusted_hosts") != 0))
		return 0;
	if (strcmp(c->path, "credssp.server.enabled") == 0 ||
	    strcmp(c->path, "credssp.client.enabled") == 0)
		return strcmp(c->after, "true") == 0;
	if (strcmp(c->path, "credssp.encryption_oracle") == 0)
		return wf_oracle_rank(c->after) > wf_oracle_rank(c->before);
	if (strncmp(c->path, "credssp.client.delegate", 23) != 0 &&
	    strcmp(c->path, "trusted_hosts.hosts") != 0)
		return 0;
	for (p = c->after; *p != '\0'; p += strspn(p, ", ")) {
		n = strcspn(p, ",");
		if (!wf_joined_has(c->before, p, n))
			return 1;
		p += n;
	}
	return 0;
}

static const struct model_window *
wf_window(const struct model *m, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < m->nwindows; i++)
		if (strcmp(m->windows[i].name, name) == 0)
			return &m->windows[i];
	return NULL;
}

/* What a task to arm does, from its script (c->desired: the task). */
static void
wf_task_what(const struct change *c, char *out, size_t len)
{
	const char *sc = node_get_str(c->desired, "script");
	const char *what[3];
	size_t n = 0;

	if (sc != NULL && (strstr(sc, "CredSSP") != NULL ||
	    strstr(sc, "CredentialsDelegation") != NULL))
		what[n++] = "turns CredSSP off";
	if (sc != NULL && strstr(sc, "TrustedHosts") != NULL)
		what[n++] = "gives TrustedHosts back";
	if (sc != NULL && strstr(sc, "[ADSI]") != NULL)
		what[n++] = "takes out the members it granted";
	if (n == 0)
		what[n++] = "turns CredSSP off";
	snprintf(out, len, "%s%s%s%s%s", what[0], n > 1 ? " and " : "",
	    n > 1 ? what[1] : "", n > 2 ? " and " : "", n > 2 ? what[2] : "");
}

/* The trigger a "T" or "T (disabled)" before names. */
static int
wf_before_time(const char *before, time_t *t)
{
	char s[TIMEPARSE_UTC_LEN];

	snprintf(s, sizeof(s), "%.*s", (int)strcspn(before, " "), before);
	return timeparse_rfc3339(s, t, NULL);
}

/*
 * leased: the trigger is where the lease put it (the run's instant plus
 * the lease and the grace), short of the window's end.
 */
static void
wf_classify_arm(struct engine_change *ic, const struct model_window *w,
    const char *name, time_t at, int leased)
{
	const struct change *c = ic->change;
	const char *failed;
	time_t fire, was;
	char *hm, *end, what[128];

	ic->class = ENGINE_WINDOW;
	ic->until = w != NULL ? w->end : 0;
	if (timeparse_rfc3339(c->after, &fire, NULL) == -1)
		fire = 0;
	hm = timeparse_hhmm(fire);
	end = timeparse_hhmm(ic->until);
	if (c->before != NULL && (failed = strstr(c->before, "(failed: ")) !=
	    NULL)
		ic->reason = xasprintf("window %s: its fail-safe ran on the host "
		    "and failed %.*s: armed again, fires %s", name,
		    (int)strcspn(failed, ")") + 1, failed, hm);
	else if (w != NULL && w->end <= at)	/* window_guard_close's run */
		ic->reason = xasprintf("window %s ended %s: fail-safe pulled "
		    "forward to %s before the revert", name, end, hm);
	else if (c->before == NULL) {
		wf_task_what(c, what, sizeof(what));
		ic->reason = xasprintf("window %s: host-side fail-safe, %s at "
		    "%s unless %sreverted first", name, what, hm,
		    leased ? "renewed or " : "");
	}
	else if (leased && wf_before_time(c->before, &was) == 0 && was < fire)
		ic->reason = xasprintf("window %s: fail-safe lease renewed, "
		    "fires %s unless renewed again (window ends %s)", name, hm,
		    end);
	else if (leased && strncmp(c->before, c->after, strlen(c->after)) != 0)
		ic->reason = xasprintf("window %s: fail-safe brought within "
		    "its lease, fires %s unless renewed (window ends %s)", name,
		    hm, end);
	else if (strncmp(c->before, c->after, strlen(c->after)) != 0)
		ic->reason = xasprintf("window %s now ends %s: fail-safe moved "
		    "to %s", name, end, hm);
	else
		ic->reason = xasprintf("window %s: fail-safe brought up to date",
		    name);
	free(hm);
	free(end);
}

static int
wf_leased(const struct model *m, time_t at, const char *trigger)
{
	time_t t;

	return timeparse_rfc3339(trigger, &t, NULL) == 0 && t == at +
	    m->settings.failsafe_lease + m->settings.failsafe_grace;
}

void
window_failsafe_classify(const struct model *m, time_t at,
    struct engine_change *ic)
{
	const struct change *c = ic->change;
	const char *name = failsafe_change_window(c);
	const struct model_window *w = wf_window(m, name);
	char *end = w != NULL ? timeparse_hhmm(w->end) : NULL;

	ic->window = w != NULL ? w->name : NULL;
	if (failsafe_is_fired(c)) {
		ic->class = ENGINE_EXPIRY;
		ic->reason = xasprintf("window %s: the host's own fail-safe "
		    "turned CredSSP off, due %s", name, c->before);
	} else if (c->after != NULL)
		wf_classify_arm(ic, w, name, at, wf_leased(m, at, c->after));
	else if (w == NULL) {
		ic->class = ENGINE_INTENTIONAL;
		ic->reason = xasprintf("window %s is no longer in the desired "
		    "state: fail-safe removed", name);
	} else if (w->end <= at) {
		ic->class = ENGINE_EXPIRY;
		ic->reason = xasprintf("window %s ended %s: fail-safe removed "
		    "once reverted%s", name, end, c->before != NULL &&
		    strstr(c->before, "(failed: ") != NULL ? " (it ran on the "
		    "host and failed)" : "");
	} else {
		ic->class = ENGINE_INTENTIONAL;
		ic->reason = xasprintf("window %s no longer turns CredSSP on "
		    "here: fail-safe removed", name);
	}
	free(end);
}

/* --- what ended windows left on ----------------------------------------- */

/* What w turned on for h that the effective state at at does not want. */
static void
wf_left(struct wf_items *x, const struct model *m, const struct model_host *h,
    const struct model_window *w, time_t at)
{
	struct node *then, *now;
	struct wf_on a, b;

	then = wf_effective(m, h, w->end - 1, 0);
	now = wf_effective(m, h, at, 0);
	wf_on_read(&a, then, 1);
	wf_on_read(&b, now, 1);
	wf_extra(x, &a, &b, w);
	node_free(then);
	node_free(now);
}

static enum window_failsafe_status
wf_status(const struct wf_items *x, const struct node *state)
{
	struct wf_on s;

	if (!wf_items_any(x))
		return WINDOW_FAILSAFE_NOTHING;
	if (state == NULL)
		return WINDOW_FAILSAFE_UNKNOWN;
	wf_on_read(&s, state, 0);
	return wf_items_on(x, &s) ? WINDOW_FAILSAFE_ON :
	    WINDOW_FAILSAFE_REVERTED;
}

enum window_failsafe_status
window_failsafe_status(const struct model *m, const struct model_host *h,
    const struct model_window *w, time_t at, const struct node *state)
{
	enum window_failsafe_status st, gst;
	struct wf_items x;

	wf_left(&x, m, h, w, at);
	st = wf_status(&x, state);
	wf_items_release(&x);
	/* The worse of the two: on, else unknown, else reverted. */
	gst = window_grants_status(m, h, w, at, state);
	if (gst == WINDOW_FAILSAFE_ON || (gst != WINDOW_FAILSAFE_NOTHING &&
	    st != WINDOW_FAILSAFE_ON && st != WINDOW_FAILSAFE_UNKNOWN))
		st = gst;
	return st;
}

int
window_failsafe_may_disarm(const struct model *m, const struct model_host *h,
    time_t at, const struct change *c, const struct node *state)
{
	const struct model_window *w = wf_window(m, failsafe_change_window(c));

	if (w == NULL || w->end > at)
		return 1;
	return window_failsafe_status(m, h, w, at, state) != WINDOW_FAILSAFE_ON;
}

/* "; its fail-safe fires 11:15Z", from the state's task or the model's. */
static void
wf_overdue_task(struct buf *b, const struct model *m,
    const struct model_window *w, time_t at, const struct node *state,
    int current)
{
	const char *trig, *failed;
	time_t t;
	char *hm;

	if (state != NULL && node_get(state, FAILSAFE_KIND) == NULL)
		return;		/* not recorded then */
	trig = node_get_str(node_getv(state, FAILSAFE_KIND, "tasks", w->name,
	    NULL), "trigger");
	if (state != NULL && trig == NULL) {
		buf_puts(b, "; no fail-safe armed");
		return;
	}
	if (trig == NULL || timeparse_rfc3339(trig, &t, NULL) == -1)
		t = w->end + m->settings.failsafe_grace;
	hm = timeparse_hhmm(t);
	failed = failsafe_failed(state, w->name);
	if (failed != NULL)
		buf_printf(b, "; its fail-safe ran and failed (last result %s)",
		    failed);
	else if (t > at)
		buf_printf(b, "; its fail-safe fires %s", hm);
	else
		buf_printf(b, "; its fail-safe was due %s%s", hm,
		    current ? " and has not run" : "");
	free(hm);
}

static void
wf_overdue_one(struct buf *b, const struct model *m,
    const struct model_window *w, time_t at, const struct node *state,
    int current)
{
	char late[32], *end;

	timeparse_format_duration(at - w->end, late, sizeof(late));
	end = timeparse_hhmm(w->end);
	if (b->len > 0)
		buf_puts(b, "; ");
	if (state == NULL)
		buf_printf(b, "credssp may still be on %s past the end of "
		    "window %s (%s): not read, no recorded state", late, w->name,
		    end);
	else
		buf_printf(b, "credssp %s on %s past the end of window %s "
		    "(%s)%s", current ? "still" : "was", late, w->name, end,
		    current ? "" : " as last recorded");
	wf_overdue_task(b, m, w, at, state, current);
	free(end);
}

static int
wf_end_cmp(const void *a, const void *b)
{
	const struct model_window *x = *(const struct model_window *const *)a;
	const struct model_window *y = *(const struct model_window *const *)b;

	return x->end > y->end ? -1 : x->end < y->end;
}

char *
window_failsafe_overdue(const struct model *m, const struct model_host *h,
    time_t at, const struct node *state, int current)
{
	const struct model_window **ended;
	struct wf_items x, claimed;
	struct buf b = BUF_INIT;
	size_t i, n = 0;

	ended = xcalloc(m->nwindows + 1, sizeof(*ended));
	for (i = 0; i < m->nwindows; i++)
		if (m->windows[i].end <= at && wf_rule_credssp(&m->windows[i],
		    h))
			ended[n++] = &m->windows[i];
	/* Each thing left on is blamed on the last window that turned it on. */
	qsort(ended, n, sizeof(*ended), wf_end_cmp);
	memset(&claimed, 0, sizeof(claimed));
	for (i = 0; i < n; i++) {
		if (state == NULL && (b.len > 0 ||
		    at - ended[i]->end > WF_UNKNOWN_DAYS * 86400))
			break;
		wf_left(&x, m, h, ended[i], at);
		wf_items_claim(&x, &claimed);
		switch (wf_status(&x, state)) {
		case WINDOW_FAILSAFE_ON:
		case WINDOW_FAILSAFE_UNKNOWN:
			wf_overdue_one(&b, m, ended[i], at, state, current);
			break;
		default:
			break;
		}
		wf_items_release(&x);
	}
	wf_items_release(&claimed);
	free(ended);
	return b.len > 0 ? buf_detach(&b) : NULL;
}
