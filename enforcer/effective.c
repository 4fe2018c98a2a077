/*
 * effective.c: the effective desired state of one host at one instant,
 * with the origin of every value, and the check that no two policies
 * disagree about a host.
 *
 * Rule bodies are normalised once, at load time (effective_prepare: each
 * kind's own normalize hook, then one spelling per value), so that
 * overlaying is a plain deep merge and so that "server: disabled" and
 * "server: {enabled: false}" compare equal.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "schema.h"
#include "state.h"

int
model_rule_targets(const struct model_rule *r, const struct model_host *h)
{
	size_t i;

	if (strcmp(r->target, "all") == 0 || strcmp(r->target, h->name) == 0)
		return 1;
	for (i = 0; i < h->ngroups; i++)
		if (strcmp(r->target, h->groups[i]) == 0)
			return 1;
	return 0;
}

int
model_window_targets(const struct model_window *w, const struct model_host *h)
{
	size_t i;

	for (i = 0; i < w->nrules; i++)
		if (model_rule_targets(&w->rules[i], h))
			return 1;
	return 0;
}

int
model_window_sets(const struct model_window *w, const struct model_host *h,
    const char *kind)
{
	size_t i;

	for (i = 0; i < w->nrules; i++)
		if (model_rule_targets(&w->rules[i], h) &&
		    node_get(w->rules[i].norm, kind) != NULL)
			return 1;
	return 0;
}

int
model_window_active(const struct model_window *w, time_t at)
{
	return w->start <= at && at < w->end;
}

static int
ef_host_match_one(const struct model_host *h, const char *glob)
{
	size_t i;

	if (fnmatch(glob, h->name, 0) == 0)
		return 1;
	for (i = 0; i < h->ngroups; i++)
		if (fnmatch(glob, h->groups[i], 0) == 0)
			return 1;
	return 0;
}

/* Names hold no comma, so "a,b" is a list of globs, any of which will do. */
int
model_host_match(const struct model_host *h, const char *glob)
{
	char *copy, *g, *save;
	int found = 0;

	if (strchr(glob, ',') == NULL)
		return ef_host_match_one(h, glob);
	copy = xstrdup(glob);
	for (g = strtok_r(copy, ",", &save); g != NULL && !found;
	    g = strtok_r(NULL, ",", &save))
		found = ef_host_match_one(h, g);
	free(copy);
	return found;
}

/*
 * Normalisation.
 */

/* One spelling per value: True -> true, +030 -> 30. */
static void
ef_canonical(struct node *n)
{
	long long v;
	size_t i;
	int b;

	if (n->kind == NODE_SCALAR && !n->quoted) {
		if (node_bool(n, &b) == 0) {
			free(n->value);
			n->value = xstrdup(b ? "true" : "false");
		} else if (node_int(n, &v) == 0) {
			free(n->value);
			n->value = xasprintf("%lld", v);
		}
	}
	for (i = 0; i < n->npairs; i++)
		ef_canonical(n->pairs[i].value);
	for (i = 0; i < n->nitems; i++)
		ef_canonical(n->items[i]);
}

/* Leaves and sequences (and their items) carry the origin. */
static void
ef_tag(struct node *n, const struct origin *o)
{
	size_t i;

	if (n->kind != NODE_MAP)
		n->origin = o;
	for (i = 0; i < n->npairs; i++)
		ef_tag(n->pairs[i].value, o);
	for (i = 0; i < n->nitems; i++)
		ef_tag(n->items[i], o);
}

void
effective_prepare(struct model_rule *r)
{
	const struct state_ops *ops;
	size_t i;

	r->norm = node_copy(r->body);
	for (i = 0; i < r->norm->npairs; i++) {
		ops = state_find(r->norm->pairs[i].key->value);
		if (ops != NULL && ops->normalize != NULL)
			ops->normalize(r->norm->pairs[i].value);
	}
	ef_canonical(r->norm);
	ef_tag(r->norm, &r->origin);
}

/*
 * Overlay and conflicts.
 */
/* Where a value was written; file names are interned. */
struct ef_pos {
	const char	*file;
	unsigned	 line, col;
};

struct ef_conflict {
	struct ef_pos		 a_at, b_at;
	const struct origin	*a, *b;
	char			*a_text, *b_text;
	char			*path;
	const char		*host;		/* the first host it hits */
	size_t			 nhosts;
};

struct ef_conflicts {
	struct ef_conflict	*v;
	size_t			 n;
};

struct ef_merge {
	int			 keep_equal;	/* equal value: keep the first
						   origin */
	struct ef_conflicts	*conflicts;	/* non-NULL: record, don't
						   replace */
	const struct model_host	*host;
	const struct origin	*origin;	/* of the rule being merged */
	struct buf		 path;		/* "credssp.server.enabled" */
};

static const struct origin *
ef_first_origin(const struct node *n)
{
	const struct origin *o;
	size_t i;

	if (n->origin != NULL)
		return n->origin;
	for (i = 0; i < n->npairs; i++)
		if ((o = ef_first_origin(n->pairs[i].value)) != NULL)
			return o;
	for (i = 0; i < n->nitems; i++)
		if ((o = ef_first_origin(n->items[i])) != NULL)
			return o;
	return NULL;
}

/* A value as a message shows it: 'x' -> x, [a, b], {k: v}. */
static void
ef_text(struct buf *b, const struct node *n)
{
	size_t i;

	switch (n->kind) {
	case NODE_SCALAR:
		buf_puts(b, n->value);
		break;
	case NODE_SEQ:
		buf_putc(b, '[');
		for (i = 0; i < n->nitems; i++) {
			if (i > 0)
				buf_puts(b, ", ");
			ef_text(b, n->items[i]);
		}
		buf_putc(b, ']');
		break;
	case NODE_MAP:
		buf_putc(b, '{');
		for (i = 0; i < n->npairs; i++) {
			buf_printf(b, "%s%s: ", i > 0 ? ", " : "",
			    n->pairs[i].key->value);
			ef_text(b, n->pairs[i].value);
		}
		buf_putc(b, '}');
		break;
	}
}

static struct ef_pos
ef_pos(const struct node *n)
{
	struct ef_pos p = { n->file, n->line, n->col };

	return p;
}

static int
ef_same_place(const struct ef_pos *a, const struct node *b)
{
	return a->file == b->file && a->line == b->line && a->col == b->col;
}

/*
 * dst (already merged, from an earlier rule) and src disagree.  The same
 * pair of places hits every host of a group: record it once, count hosts.
 */
static void
ef_conflict(struct ef_merge *mg, const struct node *dst,
    const struct node *src)
{
	struct ef_conflicts *cs = mg->conflicts;
	struct ef_conflict *c;
	struct buf t = BUF_INIT;
	size_t i;

	for (i = 0; i < cs->n; i++) {
		c = &cs->v[i];
		if (ef_same_place(&c->a_at, dst) &&
		    ef_same_place(&c->b_at, src) &&
		    strcmp(c->path, buf_cstr(&mg->path)) == 0) {
			c->nhosts++;
			return;
		}
	}
	cs->v = xreallocarray(cs->v, cs->n + 1, sizeof(*cs->v));
	c = &cs->v[cs->n++];
	memset(c, 0, sizeof(*c));
	c->a_at = ef_pos(dst);
	c->b_at = ef_pos(src);
	c->a = ef_first_origin(dst);
	c->b = mg->origin;
	ef_text(&t, dst);
	c->a_text = buf_detach(&t);
	ef_text(&t, src);
	c->b_text = buf_detach(&t);
	c->path = xstrdup(buf_cstr(&mg->path));
	c->host = mg->host->name;
	c->nhosts = 1;
}

/* Deep merge: maps merge, scalars and sequences replace. */
static void
ef_overlay(struct node *dst, const struct node *src, struct ef_merge *mg)
{
	const struct node *k, *v;
	struct node *d;
	size_t i, len;

	for (i = 0; i < src->npairs; i++) {
		k = src->pairs[i].key;
		v = src->pairs[i].value;
		len = mg->path.len;
		buf_printf(&mg->path, "%s%s", len > 0 ? "." : "", k->value);
		d = node_get(dst, k->value);
		if (d == NULL)
			node_map_append(dst, node_copy(k), node_copy(v));
		else if (d->kind == NODE_MAP && v->kind == NODE_MAP)
			ef_overlay(d, v, mg);
		else if (!node_equal(d, v)) {
			if (mg->conflicts != NULL)
				ef_conflict(mg, d, v);
			else
				node_map_set(dst, k->value, node_copy(v));
		} else if (!mg->keep_equal)
			node_map_set(dst, k->value, node_copy(v));
		buf_truncate(&mg->path, len);
	}
}

static void
ef_conflicts_report(struct ef_conflicts *cs, struct errors *errs)
{
	struct ef_conflict *c;
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < cs->n; i++) {
		c = &cs->v[i];
		buf_reset(&b);
		buf_printf(&b, "%s:%u:%u: ", c->a_at.file, c->a_at.line,
		    c->a_at.col);
		if (c->a->kind == ORIGIN_WINDOW)
			buf_printf(&b, "window '%s': targets", c->a->name);
		else
			buf_puts(&b, "policies");
		buf_printf(&b, " '%s' and '%s' set %s of host '%s'",
		    c->a->target, c->b->target, c->path, c->host);
		if (c->nhosts > 1)
			buf_printf(&b, " (and %zu other host%s)",
			    c->nhosts - 1, c->nhosts > 2 ? "s" : "");
		buf_printf(&b, " to different values: %s (here) and %s "
		    "(at %s:%u:%u)", c->a_text, c->b_text, c->b_at.file,
		    c->b_at.line, c->b_at.col);
		errors_add_owned(errs, buf_detach(&b));
		free(c->a_text);
		free(c->b_text);
		free(c->path);
	}
	free(cs->v);
	buf_release(&b);
}

/*
 * Merge the rules of a set that has no order (all policies; the targets of
 * one window) for one host, recording where they disagree.
 */
static void
ef_check_rules(const struct model_rule *rules, size_t n,
    const struct model_host *h, struct ef_conflicts *cs)
{
	struct ef_merge mg;
	struct node *acc;
	size_t i;

	memset(&mg, 0, sizeof(mg));
	mg.keep_equal = 1;
	mg.conflicts = cs;
	mg.host = h;
	acc = node_map();
	for (i = 0; i < n; i++) {
		if (!model_rule_targets(&rules[i], h))
			continue;
		mg.origin = &rules[i].origin;
		ef_overlay(acc, rules[i].norm, &mg);
	}
	node_free(acc);
	buf_release(&mg.path);
}

void
effective_check_conflicts(const struct model *m, struct errors *errs)
{
	struct ef_conflicts cs = { NULL, 0 };
	size_t i, j;

	for (i = 0; i < m->nhosts; i++) {
		ef_check_rules(m->policies, m->npolicies, &m->hosts[i], &cs);
		for (j = 0; j < m->nwindows; j++)
			ef_check_rules(m->windows[j].rules,
			    m->windows[j].nrules, &m->hosts[i], &cs);
	}
	ef_conflicts_report(&cs, errs);
}

/* Defaults filled in from the schema take the origin of their siblings. */
static void
ef_inherit(struct node *n, const struct origin *o)
{
	const struct origin *mine;
	size_t i;

	if (n->kind == NODE_MAP) {
		if ((mine = ef_first_origin(n)) == NULL)
			mine = o;
		for (i = 0; i < n->npairs; i++)
			ef_inherit(n->pairs[i].value, mine);
		return;
	}
	if (n->origin == NULL)
		n->origin = o;
	for (i = 0; i < n->nitems; i++)
		ef_inherit(n->items[i], n->origin);
}

/* One member an ended window listed: absent unless acc still lists it. */
static void
ef_grant_ended(struct node *acc, const char *group, const char *member)
{
	const char *keys[] = { "local_group", group };
	struct node *g, *absent;

	if (node_seq_has_nocase(node_getv(acc, "local_group", group,
	    "members", NULL), member))
		return;
	g = state_map_at(acc, keys, 2);
	if ((absent = node_get(g, "absent")) == NULL) {
		absent = node_seq();
		node_map_set(g, "absent", absent);
	}
	if (!node_seq_has_nocase(absent, member))
		node_seq_push(absent, node_scalar(member));
}

/*
 * Grants end whatever the policy: a member a window listed, once the
 * window has ended, is what the window added unless what is in effect at
 * the instant (policies, open windows) lists it; it goes under the
 * group's "absent", which the module removes.  Added after ef_inherit,
 * with no origin, so that the engine names the window that ended.
 */
static void
ef_grants_ended(struct node *acc, const struct model *m,
    const struct model_host *h, time_t at)
{
	const struct model_window *w;
	const struct node *groups, *mem;
	size_t i, j, k, l;

	for (i = 0; i < m->nwindows; i++) {
		w = &m->windows[i];
		for (j = 0; w->end <= at && j < w->nrules; j++) {
			if (!model_rule_targets(&w->rules[j], h))
				continue;
			groups = node_get(w->rules[j].norm, "local_group");
			for (k = 0; groups != NULL && k < groups->npairs; k++) {
				mem = node_get(groups->pairs[k].value,
				    "members");
				for (l = 0; mem != NULL && l < mem->nitems; l++)
					ef_grant_ended(acc,
					    groups->pairs[k].key->value,
					    mem->items[l]->value);
			}
		}
	}
}

static int
ef_build(struct node **out, const struct model *m, const struct model_host *h,
    int windows, time_t at, char **cause)
{
	struct ef_merge mg;
	struct node *acc;
	const struct model_window *w;
	size_t i, j;

	*out = NULL;
	if (h == NULL)
		return cause_set(cause, "effective state: no host given");
	memset(&mg, 0, sizeof(mg));
	mg.host = h;
	mg.keep_equal = 1;
	acc = node_map();
	for (i = 0; i < m->npolicies; i++)
		if (model_rule_targets(&m->policies[i], h))
			ef_overlay(acc, m->policies[i].norm, &mg);
	/* Windows replace even equal values: the plan names the window. */
	mg.keep_equal = 0;
	for (i = 0; windows && i < m->nwindows; i++) {
		w = &m->windows[i];
		if (!model_window_active(w, at))
			continue;
		for (j = 0; j < w->nrules; j++)
			if (model_rule_targets(&w->rules[j], h))
				ef_overlay(acc, w->rules[j].norm, &mg);
	}
	buf_release(&mg.path);
	schema_fill_defaults(m->schema, "#/$defs/policy_body", acc);
	ef_inherit(acc, NULL);
	if (windows)
		ef_grants_ended(acc, m, h, at);
	*out = acc;
	return 0;
}

int
model_effective(struct node **out, const struct model *m,
    const struct model_host *h, time_t at, char **cause)
{
	return ef_build(out, m, h, 1, at, cause);
}

int
model_effective_base(struct node **out, const struct model *m,
    const struct model_host *h, char **cause)
{
	return ef_build(out, m, h, 0, 0, cause);
}

/* Plain names only: a typo in a glob is anyone's guess. */
char *
model_hosts_nomatch(const struct model *m, const char *globs)
{
	const char **cands;
	const char *best;
	char *one, *save = NULL, *tok, *out = NULL;

	if (globs == NULL)
		return xstrdup("no host matches '*'");
	size_t i, n = 0;

	cands = xcalloc(m->nhosts + m->ngroups + 1, sizeof(*cands));
	for (i = 0; i < m->ngroups; i++)
		cands[n++] = m->groups[i];
	for (i = 0; i < m->nhosts; i++)
		cands[n++] = m->hosts[i].name;
	one = xstrdup(globs);
	for (tok = strtok_r(one, ",", &save); tok != NULL && out == NULL;
	    tok = strtok_r(NULL, ",", &save))
		if (strpbrk(tok, "*?[") == NULL &&
		    (best = schema_closest(tok, cands, n)) != NULL)
			out = xasprintf("no host matches '%s' (did you mean "
			    "'%s'?)", globs, best);
	free(one);
	free(cands);
	return out != NULL ? out : xasprintf("no host matches '%s'", globs);
}
