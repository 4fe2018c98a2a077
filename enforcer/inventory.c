/*
 * inventory.c: an Ansible inventory (INI or YAML) as desired-state hosts.
 * See inventory.h; the rules are Ansible's ("How to build your inventory",
 * docs.ansible.com), checked by tests/e2e/inventory.sh against
 * ansible-inventory --list.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"

#define INV_MAX_DEPTH	64	/* children deeper than this: a loop */

/* A variable the enforcer takes: its value node (with its position). */
struct inv_vars {
	struct node	*host;		/* ansible_host, or NULL */
	struct node	*port;		/* ansible_port, or NULL */
};

struct inv_host {
	char		*name;
	unsigned	 line, col;	/* where it first appears */
	struct inv_vars	 vars;
};

struct inv_group {
	char		*name;
	size_t		*hosts;		/* indexes into inv->hosts */
	size_t		 nhosts;
	size_t		*children;	/* indexes into inv->groups */
	size_t		 nchildren;
	struct inv_vars	 vars;
	int		 has_parent;
	int		 depth;		/* 0 for all; computed */
};

struct inv {
	const char	 *file;		/* interned */
	struct inv_host	 *hosts;
	size_t		  nhosts;
	struct inv_group *groups;
	size_t		  ngroups;
	struct errors	 *errs;
	size_t		  nerrs;	/* errs->n on entry */
};

static void
inv_error(struct inv *inv, unsigned line, unsigned col, const char *fmt, ...)
    PRINTFLIKE(4, 5);

static void
inv_error(struct inv *inv, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	errors_addf(inv->errs, "%s:%u:%u: %s", inv->file, line, col, msg);
	free(msg);
}

static size_t
inv_group(struct inv *inv, const char *name)
{
	size_t i;

	for (i = 0; i < inv->ngroups; i++)
		if (strcmp(inv->groups[i].name, name) == 0)
			return i;
	inv->groups = xreallocarray(inv->groups, inv->ngroups + 1,
	    sizeof(*inv->groups));
	memset(&inv->groups[i], 0, sizeof(inv->groups[i]));
	inv->groups[i].name = xstrdup(name);
	inv->ngroups++;
	return i;
}

static size_t
inv_host(struct inv *inv, const char *name, unsigned line, unsigned col)
{
	size_t i;

	for (i = 0; i < inv->nhosts; i++)
		if (strcmp(inv->hosts[i].name, name) == 0)
			return i;
	inv->hosts = xreallocarray(inv->hosts, inv->nhosts + 1,
	    sizeof(*inv->hosts));
	memset(&inv->hosts[i], 0, sizeof(inv->hosts[i]));
	inv->hosts[i].name = xstrdup(name);
	inv->hosts[i].line = line;
	inv->hosts[i].col = col;
	inv->nhosts++;
	return i;
}

static void
inv_push(size_t **v, size_t *n, size_t x)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*v)[i] == x)
			return;
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = x;
}

static void
inv_member(struct inv *inv, size_t g, size_t h)
{
	inv_push(&inv->groups[g].hosts, &inv->groups[g].nhosts, h);
}

static void
inv_child(struct inv *inv, size_t parent, size_t child)
{
	inv_push(&inv->groups[parent].children,
	    &inv->groups[parent].nchildren, child);
	inv->groups[child].has_parent = 1;
}

/* Keep a variable the enforcer uses; a later one replaces it. */
static void
inv_set_var(struct inv_vars *vars, const char *key, struct node *value)
{
	struct node **slot = NULL;

	if (strcmp(key, "ansible_host") == 0)
		slot = &vars->host;
	else if (strcmp(key, "ansible_port") == 0)
		slot = &vars->port;
	if (slot == NULL || value->kind != NODE_SCALAR) {
		node_free(value);
		return;
	}
	node_free(*slot);
	*slot = value;
}

/* --- INI -------------------------------------------------------------- */

/* Next whitespace-separated word of *p, quotes removed; NULL at the end. */
static char *
inv_ini_word(const char **p, unsigned *col, const char *line)
{
	struct buf b = BUF_INIT;
	const char *s = *p;
	char quote = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '#')
		return NULL;
	*col = (unsigned)(s - line) + 1;
	for (; *s != '\0'; s++) {
		if (quote != 0 && *s == quote) {
			quote = 0;
			continue;
		}
		if (quote == 0 && (*s == '"' || *s == '\'')) {
			quote = *s;
			continue;
		}
		if (quote == 0 && (*s == ' ' || *s == '\t'))
			break;
		buf_putc(&b, *s);
	}
	*p = s;
	return buf_detach(&b);
}

static struct node *
inv_scalar(struct inv *inv, const char *value, unsigned line, unsigned col)
{
	return node_new_scalar(value, inv->file, line, col);
}

/* "web[01:03].x" -> web01.x web02.x web03.x (numeric ranges). */
static int
inv_ini_expand(struct inv *inv, const char *pat, unsigned line, unsigned col,
    char ***out, size_t *n)
{
	const char *lb = strchr(pat, '['), *colon, *rb;
	char *end;
	long lo, hi, i;
	int width;

	*out = NULL;
	*n = 0;
	if (lb == NULL) {
		*out = xcalloc(1, sizeof(**out));
		(*out)[(*n)++] = xstrdup(pat);
		return 0;
	}
	colon = strchr(lb, ':');
	rb = strchr(lb, ']');
	if (colon == NULL || rb == NULL || colon > rb ||
	    !isdigit((unsigned char)lb[1]) || !isdigit((unsigned char)colon[1])) {
		inv_error(inv, line, col, "host range '%s': only numeric "
		    "ranges such as web[01:10] are read", pat);
		return -1;
	}
	lo = strtol(lb + 1, &end, 10);
	hi = strtol(colon + 1, &end, 10);
	if (end != rb || hi < lo || hi - lo > 9999) {
		inv_error(inv, line, col, "host range '%s' is not [FROM:TO]",
		    pat);
		return -1;
	}
	width = lb[1] == '0' ? (int)(colon - lb - 1) : 0;
	*out = xcalloc((size_t)(hi - lo + 1), sizeof(**out));
	for (i = lo; i <= hi; i++)
		(*out)[(*n)++] = xasprintf("%.*s%0*ld%s", (int)(lb - pat), pat,
		    width, i, rb + 1);
	return 0;
}

/* Set key=value (at line ln, column col) on every host of names. */
static void
inv_ini_hostvar(struct inv *inv, char **names, size_t n, const char *kv,
    unsigned ln, unsigned col)
{
	const char *eq = strchr(kv, '=');
	struct node *v;
	char *key;
	size_t i;

	if (eq == NULL) {
		inv_error(inv, ln, col, "'%s' is not key=value", kv);
		return;
	}
	key = xstrndup(kv, (size_t)(eq - kv));
	v = inv_scalar(inv, eq + 1, ln, col + (unsigned)(eq - kv) + 1);
	for (i = 0; i < n; i++)
		inv_set_var(&inv->hosts[inv_host(inv, names[i], ln,
		    col)].vars, key, node_copy(v));
	node_free(v);
	free(key);
}

/* "host[:port] [k=v ...]" in group g. */
static void
inv_ini_hostline(struct inv *inv, size_t g, const char *line, unsigned ln)
{
	const char *p = line;
	char *word, *kv, *colon, **names = NULL;
	size_t i, n = 0;
	unsigned col, kcol;

	if ((word = inv_ini_word(&p, &col, line)) == NULL)
		return;
	/* host:port, unless the colons are an IPv6 address's. */
	kv = NULL;
	colon = strrchr(word, ':');
	if (colon != NULL && strchr(word, ':') == colon && colon[1] != '\0' &&
	    strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		kv = xasprintf("ansible_port=%s", colon + 1);
		kcol = col + (unsigned)(colon - word) + 1 -
		    (unsigned)strlen("ansible_port=");
		*colon = '\0';
	}
	if (inv_ini_expand(inv, word, ln, col, &names, &n) == -1)
		goto out;
	for (i = 0; i < n; i++)
		inv_member(inv, g, inv_host(inv, names[i], ln, col));
	if (kv != NULL)
		inv_ini_hostvar(inv, names, n, kv, ln, kcol);
	for (; (free(kv), kv = inv_ini_word(&p, &kcol, line)) != NULL; )
		inv_ini_hostvar(inv, names, n, kv, ln, kcol);
out:
	free(kv);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(word);
}

enum inv_section { INV_HOSTS, INV_VARS, INV_CHILDREN };

/* "[name]", "[name:vars]", "[name:children]": the group and the kind. */
static int
inv_ini_section(struct inv *inv, const char *line, unsigned ln, size_t *g,
    enum inv_section *kind)
{
	const char *rb = strchr(line, ']'), *colon;
	char *name;

	if (rb == NULL) {
		inv_error(inv, ln, 1, "section heading without ']'");
		return -1;
	}
	name = xstrndup(line + 1, (size_t)(rb - line - 1));
	*kind = INV_HOSTS;
	if ((colon = strchr(name, ':')) != NULL) {
		if (strcmp(colon, ":vars") == 0)
			*kind = INV_VARS;
		else if (strcmp(colon, ":children") == 0)
			*kind = INV_CHILDREN;
		else {
			inv_error(inv, ln, 2 + (unsigned)(colon - name),
			    "section '%s': expected :vars or :children", name);
			free(name);
			return -1;
		}
		name[colon - name] = '\0';
	}
	*g = inv_group(inv, name);
	free(name);
	return 0;
}

/* "key=value" of a [group:vars] section: the value is the rest. */
static void
inv_ini_groupvar(struct inv *inv, size_t g, const char *line, unsigned ln,
    unsigned col)
{
	const char *eq = strchr(line, '=');
	char *key, *val;
	size_t len;

	if (eq == NULL) {
		inv_error(inv, ln, col, "'%s' is not key=value", line);
		return;
	}
	len = (size_t)(eq - line);
	while (len > 0 && isspace((unsigned char)line[len - 1]))
		len--;
	key = xstrndup(line, len);
	for (eq++; isspace((unsigned char)*eq); eq++)
		;
	val = xstrdup(eq);
	len = strlen(val);
	if (len >= 2 && (val[0] == '"' || val[0] == '\'') &&
	    val[len - 1] == val[0]) {
		memmove(val, val + 1, len - 2);
		val[len - 2] = '\0';
	}
	inv_set_var(&inv->groups[g].vars, key, inv_scalar(inv, val, ln,
	    col + (unsigned)(eq - line)));
	free(key);
	free(val);
}

static void
inv_ini_line(struct inv *inv, char *line, unsigned ln, size_t *g,
    enum inv_section *kind)
{
	char *s = line, *e;
	unsigned col;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	if (*s == '\0' || *s == '#' || *s == ';')
		return;
	col = (unsigned)(s - line) + 1;
	if (*s == '[') {
		inv_ini_section(inv, s, ln, g, kind);
		return;
	}
	if (*kind == INV_VARS)
		inv_ini_groupvar(inv, *g, s, ln, col);
	else if (*kind == INV_CHILDREN)
		inv_child(inv, *g, inv_group(inv, s));
	else
		inv_ini_hostline(inv, *g, line, ln);
}

static int
inv_ini_read(struct inv *inv, const char *text, size_t len)
{
	enum inv_section kind = INV_HOSTS;
	const char *p = text, *end = text + len, *nl;
	char *line;
	size_t g;
	unsigned ln = 0;

	/* Hosts before any heading are Ansible's "ungrouped". */
	g = inv_group(inv, "ungrouped");
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end - 1;
		line = xstrndup(p, (size_t)(nl + 1 - p));
		inv_ini_line(inv, line, ++ln, &g, &kind);
		free(line);
	}
	return 0;
}

/* --- YAML ------------------------------------------------------------- */

static void inv_yaml_group(struct inv *, const struct node *key,
    const struct node *body, int depth);

static void
inv_yaml_vars(struct inv *inv, struct inv_vars *vars, const struct node *map)
{
	size_t i;

	for (i = 0; map != NULL && map->kind == NODE_MAP && i < map->npairs;
	    i++)
		inv_set_var(vars, map->pairs[i].key->value,
		    node_copy(map->pairs[i].value));
}

static void
inv_yaml_hosts(struct inv *inv, size_t g, const struct node *map)
{
	const struct node_pair *p;
	size_t i, h;

	for (i = 0; map != NULL && map->kind == NODE_MAP && i < map->npairs;
	    i++) {
		p = &map->pairs[i];
		h = inv_host(inv, p->key->value, p->key->line, p->key->col);
		inv_member(inv, g, h);
		inv_yaml_vars(inv, &inv->hosts[h].vars, p->value);
	}
}

static void
inv_yaml_group(struct inv *inv, const struct node *key, const struct node *body,
    int depth)
{
	const struct node *children;
	size_t g = inv_group(inv, key->value), i, c;

	if (depth > INV_MAX_DEPTH) {
		inv_error(inv, key->line, key->col, "group '%s': children "
		    "nested too deep", key->value);
		return;
	}
	if (body == NULL || body->kind != NODE_MAP)
		return;
	inv_yaml_hosts(inv, g, node_get(body, "hosts"));
	inv_yaml_vars(inv, &inv->groups[g].vars, node_get(body, "vars"));
	children = node_get(body, "children");
	for (i = 0; children != NULL && children->kind == NODE_MAP &&
	    i < children->npairs; i++) {
		c = inv_group(inv, children->pairs[i].key->value);
		inv_child(inv, g, c);
		inv_yaml_group(inv, children->pairs[i].key,
		    children->pairs[i].value, depth + 1);
	}
}

static int
inv_yaml_read(struct inv *inv, const char *text, size_t len)
{
	struct node *doc = NULL;
	size_t i;

	if (node_parse_string(&doc, inv->file, text, len, inv->errs) == -1 ||
	    doc == NULL)
		return -1;
	if (doc->kind != NODE_MAP) {
		inv_error(inv, doc->line, doc->col, "an inventory is a mapping "
		    "of groups (all: { hosts: ..., children: ... })");
		node_free(doc);
		return -1;
	}
	for (i = 0; i < doc->npairs; i++)
		inv_yaml_group(inv, doc->pairs[i].key, doc->pairs[i].value, 0);
	node_free(doc);
	return 0;
}

/* --- resolution ------------------------------------------------------- */

/* Depth below "all": a group's is one more than its deepest parent's. */
static void
inv_depths(struct inv *inv)
{
	struct inv_group *gr;
	size_t i, j, round;
	int changed = 1;

	for (i = 0; i < inv->ngroups; i++)
		inv->groups[i].depth = strcmp(inv->groups[i].name, "all") == 0 ?
		    0 : 1;
	for (round = 0; changed && round < INV_MAX_DEPTH; round++) {
		changed = 0;
		for (i = 0; i < inv->ngroups; i++) {
			gr = &inv->groups[i];
			for (j = 0; j < gr->nchildren; j++)
				if (inv->groups[gr->children[j]].depth <=
				    gr->depth) {
					inv->groups[gr->children[j]].depth =
					    gr->depth + 1;
					changed = 1;
				}
		}
	}
}

/* Host h is in group g, directly or through g's children. */
static int
inv_contains(const struct inv *inv, size_t g, size_t h, int depth)
{
	const struct inv_group *gr = &inv->groups[g];
	size_t i;

	if (depth > INV_MAX_DEPTH)
		return 0;
	for (i = 0; i < gr->nhosts; i++)
		if (gr->hosts[i] == h)
			return 1;
	for (i = 0; i < gr->nchildren; i++)
		if (inv_contains(inv, gr->children[i], h, depth + 1))
			return 1;
	return 0;
}

static int
inv_implicit(const char *name)
{
	return strcmp(name, "all") == 0 || strcmp(name, "ungrouped") == 0;
}

/* Groups by depth, then name: the order Ansible merges their vars in. */
static const struct inv *inv_sorting;

static int
inv_group_cmp(const void *a, const void *b)
{
	const struct inv_group *ga = &inv_sorting->groups[*(const size_t *)a];
	const struct inv_group *gb = &inv_sorting->groups[*(const size_t *)b];

	if (ga->depth != gb->depth)
		return ga->depth < gb->depth ? -1 : 1;
	return strcmp(ga->name, gb->name);
}

static void
inv_overlay(struct inv_vars *into, const struct inv_vars *from)
{
	if (from->host != NULL)
		into->host = from->host;
	if (from->port != NULL)
		into->port = from->port;
}

static int
inv_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One host of the output: { groups: [...], address: A, port: P }. */
static struct node *
inv_host_node(struct inv *inv, size_t h, const size_t *order)
{
	const struct inv_host *ih = &inv->hosts[h];
	struct inv_vars vars = { NULL, NULL };
	struct node *body, *groups;
	const char **names;
	size_t i, n = 0;

	body = node_new_map(inv->file, ih->line, ih->col);
	groups = node_new_seq(inv->file, ih->line, ih->col);
	names = xcalloc(inv->ngroups + 1, sizeof(*names));
	for (i = 0; i < inv->ngroups; i++) {
		if (!inv_contains(inv, order[i], h, 0) &&
		    strcmp(inv->groups[order[i]].name, "all") != 0)
			continue;
		inv_overlay(&vars, &inv->groups[order[i]].vars);
		if (!inv_implicit(inv->groups[order[i]].name))
			names[n++] = inv->groups[order[i]].name;
	}
	inv_overlay(&vars, &ih->vars);
	qsort(names, n, sizeof(*names), inv_strcmp);
	for (i = 0; i < n; i++)
		node_seq_push(groups, node_new_scalar(names[i], inv->file,
		    ih->line, ih->col));
	free(names);
	node_map_set(body, "groups", groups);
	if (vars.host != NULL)
		node_map_set(body, "address", node_copy(vars.host));
	if (vars.port != NULL)
		node_map_set(body, "port", node_copy(vars.port));
	return body;
}

static struct node *
inv_document(struct inv *inv)
{
	struct node *doc, *hosts;
	size_t *order, i;

	order = xcalloc(inv->ngroups + 1, sizeof(*order));
	for (i = 0; i < inv->ngroups; i++)
		order[i] = i;
	inv_depths(inv);
	inv_sorting = inv;
	qsort(order, inv->ngroups, sizeof(*order), inv_group_cmp);
	inv_sorting = NULL;
	doc = node_new_map(inv->file, 1, 1);
	hosts = node_new_map(inv->file, 1, 1);
	for (i = 0; i < inv->nhosts; i++)
		node_map_append(hosts, node_new_scalar(inv->hosts[i].name,
		    inv->file, inv->hosts[i].line, inv->hosts[i].col),
		    inv_host_node(inv, i, order));
	node_map_append(doc, node_new_scalar("hosts", inv->file, 1, 1),
	    hosts);
	free(order);
	return doc;
}

static void
inv_vars_release(struct inv_vars *v)
{
	node_free(v->host);
	node_free(v->port);
}

static void
inv_release(struct inv *inv)
{
	size_t i;

	for (i = 0; i < inv->nhosts; i++) {
		free(inv->hosts[i].name);
		inv_vars_release(&inv->hosts[i].vars);
	}
	for (i = 0; i < inv->ngroups; i++) {
		free(inv->groups[i].name);
		free(inv->groups[i].hosts);
		free(inv->groups[i].children);
		inv_vars_release(&inv->groups[i].vars);
	}
	free(inv->hosts);
	free(inv->groups);
}

static int
inv_is_yaml(const char *path)
{
	size_t n = strlen(path);

	return (n > 5 && strcmp(path + n - 5, ".yaml") == 0) ||
	    (n > 4 && strcmp(path + n - 4, ".yml") == 0);
}

int
inventory_parse(struct node **out, const char *name, const char *text,
    size_t len, struct inventory_groups *groups, struct errors *errs)
{
	struct inv inv;
	size_t i;
	int rc;

	*out = NULL;
	memset(&inv, 0, sizeof(inv));
	inv.file = node_file_intern(name);
	inv.errs = errs;
	inv.nerrs = errs->n;
	rc = inv_is_yaml(name) ? inv_yaml_read(&inv, text, len) :
	    inv_ini_read(&inv, text, len);
	if (rc == 0 && errs->n == inv.nerrs) {
		*out = inv_document(&inv);
		for (i = 0; i < inv.ngroups; i++)
			if (!inv_implicit(inv.groups[i].name) &&
			    !inventory_groups_has(groups, inv.groups[i].name)) {
				groups->v = xreallocarray(groups->v,
				    groups->n + 1, sizeof(*groups->v));
				groups->v[groups->n++] =
				    xstrdup(inv.groups[i].name);
			}
	}
	inv_release(&inv);
	return *out != NULL ? 0 : -1;
}

int
inventory_groups_has(const struct inventory_groups *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->v[i], name) == 0)
			return 1;
	return 0;
}

void
inventory_groups_release(struct inventory_groups *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->v[i]);
	free(g->v);
	memset(g, 0, sizeof(*g));
}
