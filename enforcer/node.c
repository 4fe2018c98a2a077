/*
 * node.c: YAML node trees with positions: construction, lookup, copy,
 * parsing with libyaml (strict: duplicate keys, aliases and tags are
 * errors) and emission with libyaml.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "node.h"
#include "strmap.h"

/*
 * Interned file names; reachable until exit on purpose.  Hosts are handled
 * in parallel threads, hence the lock.
 */
static pthread_mutex_t	  intern_lock = PTHREAD_MUTEX_INITIALIZER;
static char		**interned;
static size_t		  ninterned;

const char *
node_file_intern(const char *name)
{
	const char *found = NULL;
	size_t i;

	if (name == NULL)
		return NULL;
	pthread_mutex_lock(&intern_lock);
	for (i = 0; i < ninterned && found == NULL; i++)
		if (strcmp(interned[i], name) == 0)
			found = interned[i];
	if (found == NULL) {
		interned = xreallocarray(interned, ninterned + 1,
		    sizeof(*interned));
		interned[ninterned] = xstrdup(name);
		found = interned[ninterned++];
	}
	pthread_mutex_unlock(&intern_lock);
	return found;
}

static struct node *
node_new(enum node_kind kind, const char *file, unsigned line, unsigned col)
{
	struct node *n;

	n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->file = node_file_intern(file);
	n->line = line;
	n->col = col;
	return n;
}

struct node *
node_new_scalar(const char *value, const char *file, unsigned line,
    unsigned col)
{
	struct node *n;

	n = node_new(NODE_SCALAR, file, line, col);
	n->value = xstrdup(value != NULL ? value : "");
	return n;
}

struct node *
node_new_map(const char *file, unsigned line, unsigned col)
{
	return node_new(NODE_MAP, file, line, col);
}

struct node *
node_new_seq(const char *file, unsigned line, unsigned col)
{
	return node_new(NODE_SEQ, file, line, col);
}

struct node *
node_scalar(const char *value)
{
	return node_new_scalar(value, NULL, 0, 0);
}

struct node *
node_map(void)
{
	return node_new_map(NULL, 0, 0);
}

struct node *
node_seq(void)
{
	return node_new_seq(NULL, 0, 0);
}

void
node_map_append(struct node *map, struct node *key, struct node *value)
{
	map->pairs = xreallocarray(map->pairs, map->npairs + 1,
	    sizeof(*map->pairs));
	map->pairs[map->npairs].key = key;
	map->pairs[map->npairs].value = value;
	map->npairs++;
}

static struct node_pair *
node_find_pair(const struct node *map, const char *key)
{
	size_t i;

	if (map == NULL || map->kind != NODE_MAP)
		return NULL;
	/* The first byte settles most misses without a call: the schema
	   validator looks a keyword up in every schema node it visits. */
	for (i = 0; i < map->npairs; i++)
		if (map->pairs[i].key->value[0] == key[0] &&
		    strcmp(map->pairs[i].key->value, key) == 0)
			return &map->pairs[i];
	return NULL;
}

void
node_map_set(struct node *map, const char *key, struct node *value)
{
	struct node_pair *p;

	if ((p = node_find_pair(map, key)) != NULL) {
		node_free(p->value);
		p->value = value;
		return;
	}
	node_map_append(map, node_scalar(key), value);
}

void
node_map_del(struct node *map, const char *key)
{
	struct node_pair *p;
	size_t i;

	if ((p = node_find_pair(map, key)) == NULL)
		return;
	i = (size_t)(p - map->pairs);
	node_free(p->key);
	node_free(p->value);
	memmove(&map->pairs[i], &map->pairs[i + 1],
	    (map->npairs - i - 1) * sizeof(*map->pairs));
	map->npairs--;
}

void
node_seq_push(struct node *seq, struct node *item)
{
	seq->items = xreallocarray(seq->items, seq->nitems + 1,
	    sizeof(*seq->items));
	seq->items[seq->nitems++] = item;
}

struct node *
node_get(const struct node *n, const char *key)
{
	struct node_pair *p;

	p = node_find_pair(n, key);
	return p != NULL ? p->value : NULL;
}

struct node *
node_getv(const struct node *n, ...)
{
	va_list ap;
	const char *key;

	va_start(ap, n);
	while (n != NULL && (key = va_arg(ap, const char *)) != NULL)
		n = node_get(n, key);
	va_end(ap);
	return (struct node *)n;
}

struct node *
node_path(const struct node *n, const char *path, const char **keys,
    size_t maxkeys, size_t *nkeys)
{
	const struct node_pair *best;
	size_t i, klen, blen, nk = 0;

	while (n != NULL && *path != '\0') {
		if (n->kind != NODE_MAP || (keys != NULL && nk == maxkeys))
			return NULL;
		best = NULL;
		blen = 0;
		for (i = 0; i < n->npairs; i++) {
			klen = strlen(n->pairs[i].key->value);
			if (strncmp(path, n->pairs[i].key->value, klen) == 0 &&
			    (path[klen] == '.' || path[klen] == '\0') &&
			    klen > blen) {
				best = &n->pairs[i];
				blen = klen;
			}
		}
		if (best == NULL)
			return NULL;
		if (keys != NULL)
			keys[nk] = best->key->value;
		nk++;
		n = best->value;
		path += blen;
		if (*path == '.')
			path++;
	}
	if (nkeys != NULL)
		*nkeys = nk;
	return (struct node *)n;
}

const char *
node_get_str(const struct node *n, const char *key)
{
	const struct node *v;

	v = node_get(n, key);
	return v != NULL && v->kind == NODE_SCALAR ? v->value : NULL;
}

struct node *
node_copy(const struct node *n)
{
	struct node *c;
	size_t i;

	if (n == NULL)
		return NULL;
	c = node_new(n->kind, NULL, n->line, n->col);
	c->file = n->file;
	c->quoted = n->quoted;
	c->origin = n->origin;
	if (n->value != NULL)
		c->value = xstrdup(n->value);
	for (i = 0; i < n->npairs; i++)
		node_map_append(c, node_copy(n->pairs[i].key),
		    node_copy(n->pairs[i].value));
	for (i = 0; i < n->nitems; i++)
		node_seq_push(c, node_copy(n->items[i]));
	return c;
}

void
node_free(struct node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->npairs; i++) {
		node_free(n->pairs[i].key);
		node_free(n->pairs[i].value);
	}
	for (i = 0; i < n->nitems; i++)
		node_free(n->items[i]);
	free(n->pairs);
	free(n->items);
	free(n->value);
	free(n);
}

int
node_seq_has_nocase(const struct node *seq, const char *v)
{
	size_t i;

	for (i = 0; seq != NULL && seq->kind == NODE_SEQ && i < seq->nitems;
	    i++)
		if (seq->items[i]->kind == NODE_SCALAR &&
		    strcasecmp(seq->items[i]->value, v) == 0)
			return 1;
	return 0;
}

/* Every item of a is a scalar that b holds. */
static int
node_seq_within_nocase(const struct node *a, const struct node *b)
{
	size_t i;

	for (i = 0; i < a->nitems; i++)
		if (a->items[i]->kind != NODE_SCALAR ||
		    !node_seq_has_nocase(b, a->items[i]->value))
			return 0;
	return 1;
}

/* node_equal(), or with nocase node_equal_nocase(). */
static int
node_same(const struct node *a, const struct node *b, int nocase)
{
	size_t i;

	if (a == NULL || b == NULL)
		return a == b;
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case NODE_SCALAR:
		if (nocase)
			return strcasecmp(a->value, b->value) == 0;
		return strcmp(a->value, b->value) == 0;
	case NODE_SEQ:
		if (nocase)
			return node_seq_within_nocase(a, b) &&
			    node_seq_within_nocase(b, a);
		if (a->nitems != b->nitems)
			return 0;
		for (i = 0; i < a->nitems; i++)
			if (!node_same(a->items[i], b->items[i], 0))
				return 0;
		return 1;
	case NODE_MAP:
		if (a->npairs != b->npairs)
			return 0;
		for (i = 0; i < a->npairs; i++)
			if (!node_same(a->pairs[i].value,
			    node_get(b, a->pairs[i].key->value), nocase))
				return 0;
		return 1;
	}
	return 0;
}

int
node_equal_nocase(const struct node *a, const struct node *b)
{
	return node_same(a, b, 1);
}

int
node_equal(const struct node *a, const struct node *b)
{
	return node_same(a, b, 0);
}

int
node_is_null(const struct node *n)
{
	if (n == NULL || n->kind != NODE_SCALAR || n->quoted)
		return 0;
	return *n->value == '\0' || strcmp(n->value, "~") == 0 ||
	    strcmp(n->value, "null") == 0 || strcmp(n->value, "Null") == 0 ||
	    strcmp(n->value, "NULL") == 0;
}

int
node_bool(const struct node *n, int *out)
{
	static const char *yes[] = { "true", "True", "TRUE" };
	static const char *no[] = { "false", "False", "FALSE" };
	size_t i;

	if (n == NULL || n->kind != NODE_SCALAR || n->quoted)
		return -1;
	for (i = 0; i < nitems(yes); i++) {
		if (strcmp(n->value, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcmp(n->value, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

int
node_is_bool(const struct node *n)
{
	int b;

	return node_bool(n, &b) == 0;
}

int
node_int(const struct node *n, long long *out)
{
	const char *s;
	char *end;
	long long v;

	if (n == NULL || n->kind != NODE_SCALAR || n->quoted)
		return -1;
	s = n->value;
	if (*s == '+' || *s == '-')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(n->value, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* YAML 1.2 core float, decimal only: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static int
node_float_syntax(const char *s)
{
	size_t digits = 0;

	s += *s == '+' || *s == '-';
	for (; *s >= '0' && *s <= '9'; s++)
		digits++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			digits++;
	if (digits == 0)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		s += *s == '+' || *s == '-';
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

int
node_number(const struct node *n, double *out)
{
	if (n == NULL || n->kind != NODE_SCALAR || n->quoted ||
	    !node_float_syntax(n->value))
		return -1;
	*out = strtod(n->value, NULL);
	return 0;
}

int
node_is_float(const struct node *n)
{
	double v;

	return !node_is_int(n) && node_number(n, &v) == 0;
}

int
node_is_int(const struct node *n)
{
	long long v;

	return node_int(n, &v) == 0;
}

const char *
node_type_name(const struct node *n)
{
	if (n == NULL)
		return "nothing";
	switch (n->kind) {
	case NODE_MAP:
		return "a mapping";
	case NODE_SEQ:
		return "a sequence";
	case NODE_SCALAR:
		break;
	}
	if (node_is_null(n))
		return "null";
	if (node_is_bool(n))
		return "a boolean";
	if (node_is_int(n))
		return "an integer";
	if (node_is_float(n))
		return "a number";
	return "a string";
}

/*
 * Parsing.  libyaml delivers events; a stack of open collections turns
 * them into a tree.  Keys of a map alternate with values, so a map frame
 * remembers the pending key.
 */
#define PARSE_MAX_DEPTH 64

struct frame {
	struct node	*node;
	struct node	*key;		/* map: key waiting for its value */
	struct strmap	 keys;		/* map: the keys attached so far,
					   hashed once it grows (see
					   parse_key_seen) */
};

struct parser {
	const char	*file;
	const char	*text;		/* the input, for reader errors' places */
	size_t		 len;
	struct errors	*errs;
	struct frame	 stack[PARSE_MAX_DEPTH];
	int		 depth;
	struct node	*root;
	int		 ndocs;
	int		 failed;
};

static void
parse_error(struct parser *p, const yaml_mark_t *m, const char *fmt, ...)
    PRINTFLIKE(3, 4);

static void
parse_error(struct parser *p, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	errors_addf(p->errs, "%s:%zu:%zu: %s", p->file, m->line + 1,
	    m->column + 1, msg);
	free(msg);
	p->failed = 1;
}

/*
 * The map has key k already.  Small maps (nearly all) are scanned; a map
 * gets its hashed set once it grows past a few keys: the check must not
 * scan the map, or a 50,000-host file costs 50,000^2/2 comparisons.  The
 * set borrows the key nodes' text.
 */
#define KEYSET_MIN	8

static int
parse_key_seen(struct frame *f, const char *k)
{
	const struct node *m = f->node;
	size_t i;

	if (f->keys.cap == 0 && m->npairs < KEYSET_MIN) {
		for (i = 0; i < m->npairs; i++)
			if (strcmp(m->pairs[i].key->value, k) == 0)
				return 1;
		return 0;
	}
	for (i = 0; f->keys.cap == 0 && i < m->npairs; i++)
		(void)strmap_put(&f->keys, m->pairs[i].key->value, NULL);
	return strmap_put(&f->keys, k, NULL);
}

/* Attach a finished node to its parent, or make it the root. */
static void
parse_attach(struct parser *p, struct node *n)
{
	struct frame *f;

	if (p->depth == 0) {
		p->root = n;
		return;
	}
	f = &p->stack[p->depth - 1];
	if (f->node->kind == NODE_SEQ) {
		node_seq_push(f->node, n);
		return;
	}
	if (f->key == NULL) {
		if (n->kind != NODE_SCALAR) {
			errors_addf(p->errs, "%s:%u:%u: mapping keys must be "
			    "scalars", p->file, n->line, n->col);
			p->failed = 1;
			node_free(n);
			f->key = node_scalar("");	/* swallow the value */
			return;
		}
		if (parse_key_seen(f, n->value)) {
			struct node *prev = NULL;
			size_t i;

			for (i = 0; i < f->node->npairs; i++)
				if (strcmp(f->node->pairs[i].key->value,
				    n->value) == 0)
					prev = f->node->pairs[i].key;
			errors_addf(p->errs, "%s:%u:%u: duplicate key '%s' "
			    "(first at line %u)", p->file, n->line, n->col,
			    n->value, prev != NULL ? prev->line : 0);
			p->failed = 1;
		}
		f->key = n;
		return;
	}
	node_map_append(f->node, f->key, n);
	f->key = NULL;
}

static int
parse_push(struct parser *p, struct node *n, const yaml_mark_t *m)
{
	if (p->depth == PARSE_MAX_DEPTH) {
		parse_error(p, m, "nesting deeper than %d levels",
		    PARSE_MAX_DEPTH);
		node_free(n);
		return -1;
	}
	memset(&p->stack[p->depth], 0, sizeof(p->stack[p->depth]));
	p->stack[p->depth].node = n;
	p->depth++;
	return 0;
}

static void
parse_pop(struct parser *p)
{
	struct frame *f;

	f = &p->stack[--p->depth];
	node_free(f->key);	/* only set on error paths */
	strmap_clear(&f->keys);
	parse_attach(p, f->node);
}

static int
parse_check_props(struct parser *p, const yaml_event_t *ev,
    const yaml_char_t *anchor, const yaml_char_t *tag, int implicit_tag)
{
	if (anchor != NULL) {
		parse_error(p, &ev->start_mark, "anchors and aliases are not "
		    "supported ('&%s')", (const char *)anchor);
		return -1;
	}
	if (tag != NULL && !implicit_tag) {
		parse_error(p, &ev->start_mark, "tags are not supported "
		    "('%s')", (const char *)tag);
		return -1;
	}
	return 0;
}

/* Returns 1 at stream end, 0 to go on, -1 to stop. */
static int
parse_event(struct parser *p, yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	unsigned line = (unsigned)m->line + 1, col = (unsigned)m->column + 1;
	struct node *n;

	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		return 1;
	case YAML_DOCUMENT_START_EVENT:
		if (++p->ndocs > 1) {
			parse_error(p, m, "only one YAML document per file");
			return -1;
		}
		return 0;
	case YAML_ALIAS_EVENT:
		parse_error(p, m, "anchors and aliases are not supported "
		    "('*%s')", (const char *)ev->data.alias.anchor);
		return -1;
	case YAML_SCALAR_EVENT:
		if (parse_check_props(p, ev, ev->data.scalar.anchor,
		    ev->data.scalar.tag, ev->data.scalar.plain_implicit ||
		    ev->data.scalar.quoted_implicit) == -1)
			return -1;
		n = node_new(NODE_SCALAR, NULL, line, col);
		n->file = p->file;
		n->value = xstrndup((const char *)ev->data.scalar.value,
		    ev->data.scalar.length);
		n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		parse_attach(p, n);
		return 0;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (ev->type == YAML_SEQUENCE_START_EVENT) {
			if (parse_check_props(p, ev,
			    ev->data.sequence_start.anchor,
			    ev->data.sequence_start.tag,
			    ev->data.sequence_start.implicit) == -1)
				return -1;
			n = node_new(NODE_SEQ, NULL, line, col);
		} else {
			if (parse_check_props(p, ev,
			    ev->data.mapping_start.anchor,
			    ev->data.mapping_start.tag,
			    ev->data.mapping_start.implicit) == -1)
				return -1;
			n = node_new(NODE_MAP, NULL, line, col);
		}
		n->file = p->file;
		return parse_push(p, n, m);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		parse_pop(p);
		return 0;
	default:
		return 0;
	}
}

/*
 * libyaml's reader (bad UTF-8, NUL, control characters) gives a byte
 * offset, not a mark: count lines and characters up to it.
 */
static void
parse_reader_error(struct parser *p, const yaml_parser_t *yp)
{
	size_t i, off = yp->problem_offset, line = 1, col = 1;

	for (i = 0; i < off && i < p->len; i++) {
		if (p->text[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)p->text[i] & 0xc0) != 0x80)
			col++;
	}
	errors_addf(p->errs, "%s:%zu:%zu: invalid character: %s (byte 0x%02x)",
	    p->file, line, col, yp->problem != NULL ? yp->problem :
	    "invalid input", off < p->len ? (unsigned char)p->text[off] : 0);
}

static int
parse_run(struct parser *p, yaml_parser_t *yp)
{
	yaml_event_t ev;
	int rc;

	for (;;) {
		if (!yaml_parser_parse(yp, &ev) &&
		    yp->error == YAML_READER_ERROR) {
			parse_reader_error(p, yp);
			p->failed = 1;
			return -1;
		} else if (yp->error != YAML_NO_ERROR) {
			const yaml_mark_t *m = yp->problem != NULL ?
			    &yp->problem_mark : &yp->mark;

			errors_addf(p->errs, "%s:%zu:%zu: YAML syntax error: %s%s%s",
			    p->file, m->line + 1, m->column + 1,
			    yp->problem != NULL ? yp->problem : "invalid input",
			    yp->context != NULL ? " " : "",
			    yp->context != NULL ? yp->context : "");
			p->failed = 1;
			return -1;
		}
		rc = parse_event(p, &ev);
		yaml_event_delete(&ev);
		if (rc != 0)
			return rc == 1 ? 0 : -1;
	}
}

int
node_parse_string(struct node **out, const char *name, const char *text,
    size_t len, struct errors *errs)
{
	struct parser p;
	yaml_parser_t yp;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.file = node_file_intern(name);
	p.text = text;
	p.len = len;
	p.errs = errs;
	if (!yaml_parser_initialize(&yp))
		fatal("yaml_parser_initialize failed");
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	parse_run(&p, &yp);
	yaml_parser_delete(&yp);
	while (p.depth > 0) {
		p.depth--;
		node_free(p.stack[p.depth].key);
		node_free(p.stack[p.depth].node);
		strmap_clear(&p.stack[p.depth].keys);
	}
	if (p.failed) {
		node_free(p.root);
		return -1;
	}
	if (p.root == NULL || node_is_null(p.root)) {
		node_free(p.root);
		p.root = node_new_map(name, 1, 1);
	}
	*out = p.root;
	return 0;
}

int
node_read_file(struct buf *out, const char *path, struct errors *errs)
{
	char chunk[8192];
	size_t n, len0 = out->len;
	FILE *fp;
	int rc = -1;

	if ((fp = fopen(path, "re")) == NULL) {
		errors_addf(errs, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 &&
	    out->len - len0 <= NODE_FILE_MAX)
		buf_add(out, chunk, n);
	if (out->len - len0 > NODE_FILE_MAX)
		errors_addf(errs, "%s: larger than %d MiB", path,
		    NODE_FILE_MAX >> 20);
	else if (ferror(fp))
		errors_addf(errs, "%s: read error", path);
	else
		rc = 0;
	fclose(fp);
	return rc;
}

int
node_parse_file(struct node **out, const char *path, struct errors *errs)
{
	struct buf b = BUF_INIT;
	int rc = -1;

	*out = NULL;
	if (node_read_file(&b, path, errs) == 0)
		rc = node_parse_string(out, path, buf_cstr(&b), b.len, errs);
	buf_release(&b);
	return rc;
}

/*
 * Emission through libyaml, which knows when a string must be quoted.
 */
static int
emit_write(void *data, unsigned char *buffer, size_t size)
{
	buf_add(data, buffer, size);
	return 1;
}

static int
emit_cmp_pair(const void *a, const void *b)
{
	const struct node_pair *pa = *(const struct node_pair *const *)a;
	const struct node_pair *pb = *(const struct node_pair *const *)b;

	return strcmp(pa->key->value, pb->key->value);
}

static void emit_node(yaml_emitter_t *, const struct node *, int);

static void
emit_event(yaml_emitter_t *e, yaml_event_t *ev)
{
	if (!yaml_emitter_emit(e, ev))
		fatal("yaml emitter: %s", e->problem != NULL ? e->problem :
		    "unknown error");
}

static void
emit_scalar(yaml_emitter_t *e, const char *value, int quoted)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, NULL,
	    (yaml_char_t *)(uintptr_t)value, (int)strlen(value), !quoted, 1,
	    quoted ? YAML_SINGLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
	emit_event(e, &ev);
}

static void
emit_map(yaml_emitter_t *e, const struct node *n, int sort_keys)
{
	const struct node_pair **order;
	yaml_event_t ev;
	size_t i;

	order = xcalloc(n->npairs + 1, sizeof(*order));
	for (i = 0; i < n->npairs; i++)
		order[i] = &n->pairs[i];
	if (sort_keys)
		qsort(order, n->npairs, sizeof(*order), emit_cmp_pair);
	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
	    YAML_BLOCK_MAPPING_STYLE);
	emit_event(e, &ev);
	for (i = 0; i < n->npairs; i++) {
		emit_node(e, order[i]->key, sort_keys);
		emit_node(e, order[i]->value, sort_keys);
	}
	yaml_mapping_end_event_initialize(&ev);
	emit_event(e, &ev);
	free(order);
}

static void
emit_node(yaml_emitter_t *e, const struct node *n, int sort_keys)
{
	yaml_event_t ev;
	size_t i;

	switch (n->kind) {
	case NODE_SCALAR:
		emit_scalar(e, n->value, n->quoted);
		break;
	case NODE_MAP:
		emit_map(e, n, sort_keys);
		break;
	case NODE_SEQ:
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
		    YAML_BLOCK_SEQUENCE_STYLE);
		emit_event(e, &ev);
		for (i = 0; i < n->nitems; i++)
			emit_node(e, n->items[i], sort_keys);
		yaml_sequence_end_event_initialize(&ev);
		emit_event(e, &ev);
		break;
	}
}

void
node_emit(const struct node *n, struct buf *out, int sort_keys)
{
	yaml_emitter_t e;
	yaml_event_t ev;

	if (!yaml_emitter_initialize(&e))
		fatal("yaml_emitter_initialize failed");
	yaml_emitter_set_output(&e, emit_write, out);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit_event(&e, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	emit_event(&e, &ev);
	emit_node(&e, n, sort_keys);
	yaml_document_end_event_initialize(&ev, 1);
	emit_event(&e, &ev);
	yaml_stream_end_event_initialize(&ev);
	emit_event(&e, &ev);
	yaml_emitter_delete(&e);
}
