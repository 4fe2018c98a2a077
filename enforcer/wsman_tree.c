/*
 * wsman_tree.c: a reply's XML read into a compact tree of our own.
 *
 * libxml2's tree builder makes several allocations per element (the node,
 * its name, a namespace record per declaration, each text run), and
 * reading it back copies again; for a fleet that was an eighth of the
 * plan's CPU (docs/performance.md).  Here the same parser, with the same
 * options and limits (wsman_xml_run()), calls back into a builder that
 * bump-allocates elements, attributes and text from one arena per reply,
 * freed at once.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "wsman.h"

#define CHUNK_MIN	4096	/* first arena chunk; a small reply fits */
#define URI_CACHE	8	/* namespace URIs kept per parse */

struct chunk {
	struct chunk	*next;
	size_t		 used;
	size_t		 size;
	max_align_t	 data[];
};

struct wsman_tree {
	struct chunk	*chunks;
	struct wsman_el	*root;
};

/* What the callbacks build on, for one parse. */
struct builder {
	struct wsman_tree	*t;
	struct wsman_el		*cur;		/* open element, NULL at top */
	struct buf		 text;		/* text not yet given a node */
	struct {
		const xmlChar	*dict;		/* the parser's interned copy */
		const char	*ours;
	} uris[URI_CACHE];
	size_t			 nuris;
};

/* --- the arena ---------------------------------------------------------- */

static void *
arena_alloc(struct wsman_tree *t, size_t n)
{
	struct chunk *c = t->chunks;
	size_t size;
	void *p;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (c == NULL || c->size - c->used < n) {
		/* Each chunk twice the last: a large reply takes few. */
		size = c != NULL ? 2 * c->size : CHUNK_MIN;
		if (size < n)
			size = n;
		c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		c->next = t->chunks;
		t->chunks = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

static const char *
arena_strndup(struct wsman_tree *t, const char *s, size_t len)
{
	char *p;

	p = arena_alloc(t, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void
wsman_tree_free(struct wsman_tree *t)
{
	struct chunk *c, *next;

	if (t == NULL)
		return;
	for (c = t->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(t);
}

const struct wsman_el *
wsman_tree_root(const struct wsman_tree *t)
{
	return t != NULL ? t->root : NULL;
}

/* --- the callbacks ------------------------------------------------------ */

/*
 * A reply names a handful of namespaces on every element: the parser's
 * dictionary gives each one pointer, so one copy each is enough.
 */
static const char *
uri_copy(struct builder *b, const xmlChar *uri)
{
	const char *ours;
	size_t i;

	if (uri == NULL)
		return NULL;
	for (i = 0; i < b->nuris; i++)
		if (b->uris[i].dict == uri)
			return b->uris[i].ours;
	ours = arena_strndup(b->t, (const char *)uri, strlen((const char *)uri));
	if (b->nuris < URI_CACHE) {
		b->uris[b->nuris].dict = uri;
		b->uris[b->nuris++].ours = ours;
	}
	return ours;
}

static void
append(struct builder *b, struct wsman_el *e)
{
	e->parent = b->cur;
	if (b->cur == NULL) {
		b->t->root = e;
		return;
	}
	if (b->cur->last != NULL)
		b->cur->last->next = e;
	else
		b->cur->children = e;
	b->cur->last = e;
}

/* Text seen since the last tag becomes one text node of the open element. */
static void
flush_text(struct builder *b)
{
	struct wsman_el *e;

	if (b->text.len == 0)
		return;
	if (b->cur != NULL) {
		e = arena_alloc(b->t, sizeof(*e));
		memset(e, 0, sizeof(*e));
		e->text = arena_strndup(b->t, b->text.ptr, b->text.len);
		e->len = b->text.len;
		append(b, e);
	}
	buf_reset(&b->text);
}

/*
 * Without entity substitution (never asked for: XML_PARSE_NOENT is how
 * XXE gets in), libxml2 hands an attribute value over with each '&' the
 * document escaped written back as "&#38;", every other reference
 * resolved.  So every '&' in it starts exactly that.
 */
static const char *
attr_value(struct wsman_tree *t, const xmlChar *v, const xmlChar *end)
{
	const char *s = (const char *)v;
	size_t len = (size_t)(end - v), i, j;
	char *out;

	if (memchr(s, '&', len) == NULL)
		return arena_strndup(t, s, len);
	out = arena_alloc(t, len + 1);
	for (i = j = 0; i < len; j++) {
		out[j] = s[i];
		i += s[i] == '&' && len - i >= 5 &&
		    memcmp(s + i, "&#38;", 5) == 0 ? 5 : 1;
	}
	out[j] = '\0';
	return out;
}

/*
 * A name whose prefix is bound to nothing (a namespace error libxml2
 * tolerates) keeps its prefix, as in libxml2's tree.
 */
static const char *
name_copy(struct wsman_tree *t, const xmlChar *name, const xmlChar *prefix,
    const xmlChar *uri)
{
	const char *n = (const char *)name, *p = (const char *)prefix;
	size_t nlen = strlen(n), plen;
	char *out;

	if (prefix == NULL || uri != NULL)
		return arena_strndup(t, n, nlen);
	plen = strlen(p);
	out = arena_alloc(t, plen + 1 + nlen + 1);
	memcpy(out, p, plen);
	out[plen] = ':';
	memcpy(out + plen + 1, n, nlen + 1);
	return out;
}

static void
add_nsdecls(struct builder *b, struct wsman_el *e, int n,
    const xmlChar **v)
{
	struct wsman_nsdecl *d;
	int i;

	for (i = n - 1; i >= 0; i--) {
		d = arena_alloc(b->t, sizeof(*d));
		d->prefix = v[2 * i] != NULL ? arena_strndup(b->t,
		    (const char *)v[2 * i], strlen((const char *)v[2 * i])) :
		    NULL;
		d->uri = uri_copy(b, v[2 * i + 1]);
		d->next = e->nsdecls;
		e->nsdecls = d;
	}
}

/* SAX2 gives five pointers an attribute: name, prefix, URI, value, end. */
static void
add_attrs(struct builder *b, struct wsman_el *e, int n, const xmlChar **v)
{
	struct wsman_attr *a, **tail = &e->attrs;
	int i;

	for (i = 0; i < n; i++, v += 5) {
		a = arena_alloc(b->t, sizeof(*a));
		a->name = name_copy(b->t, v[0], v[1], v[2]);
		a->ns = uri_copy(b, v[2]);
		a->value = attr_value(b->t, v[3], v[4]);
		a->next = NULL;
		*tail = a;
		tail = &a->next;
	}
}

static void
on_start(void *ctx, const xmlChar *name, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
    int ndefaulted, const xmlChar **attrs)
{
	struct builder *b = wsman_xml_user(ctx);
	struct wsman_el *e;

	flush_text(b);
	e = arena_alloc(b->t, sizeof(*e));
	memset(e, 0, sizeof(*e));
	e->name = name_copy(b->t, name, prefix, uri);
	e->ns = uri_copy(b, uri);
	add_nsdecls(b, e, nns, ns);
	add_attrs(b, e, nattrs, attrs);
	append(b, e);
	b->cur = e;
}

static void
on_end(void *ctx, const xmlChar *name, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct builder *b = wsman_xml_user(ctx);

	flush_text(b);
	if (b->cur != NULL)
		b->cur = b->cur->parent;
}

/* Character data, CDATA sections included (XML_PARSE_NOCDATA's way). */
static void
on_text(void *ctx, const xmlChar *s, int len)
{
	struct builder *b = wsman_xml_user(ctx);

	if (b->cur != NULL && len > 0)
		buf_add(&b->text, s, (size_t)len);
}

static const xmlSAXHandler builder_sax = {
	.initialized = XML_SAX2_MAGIC,
	.startElementNs = on_start,
	.endElementNs = on_end,
	.characters = on_text,
	.ignorableWhitespace = on_text,
};

int
wsman_tree_parse(struct wsman_tree **out, const char *data, size_t len,
    char **cause)
{
	struct builder b = { .t = xcalloc(1, sizeof(*b.t)), .text = BUF_INIT };

	*out = NULL;
	if (wsman_xml_run(data, len, &builder_sax, &b, NULL, cause) == -1) {
		buf_release(&b.text);
		wsman_tree_free(b.t);
		return -1;
	}
	buf_release(&b.text);
	*out = b.t;
	return 0;
}

/* --- reading ------------------------------------------------------------ */

int
wsman_el_is(const struct wsman_el *e, const char *ns, const char *name)
{
	if (e == NULL || e->name == NULL || strcmp(e->name, name) != 0)
		return 0;
	if (ns == NULL)
		return 1;
	return e->ns != NULL && strcmp(e->ns, ns) == 0;
}

static const struct wsman_el *
el_match(const struct wsman_el *e, const char *ns, const char *name)
{
	for (; e != NULL; e = e->next)
		if (e->name != NULL && (name == NULL ||
		    wsman_el_is(e, ns, name)))
			return e;
	return NULL;
}

const struct wsman_el *
wsman_el_child(const struct wsman_el *parent, const char *ns,
    const char *name)
{
	return parent != NULL ? el_match(parent->children, ns, name) : NULL;
}

const struct wsman_el *
wsman_el_next(const struct wsman_el *after, const char *ns, const char *name)
{
	return after != NULL ? el_match(after->next, ns, name) : NULL;
}

static void
el_content(const struct wsman_el *e, struct buf *b)
{
	for (e = e->children; e != NULL; e = e->next)
		if (e->name == NULL)
			buf_add(b, e->text, e->len);
		else
			el_content(e, b);
}

static char *
trim_copy(const char *s, size_t len)
{
	const char *e = s + len;

	while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		e--;
	return xstrndup(s, (size_t)(e - s));
}

/* Text of the element and all below it, trimmed, as xmlNodeGetContent. */
char *
wsman_el_text(const struct wsman_el *e)
{
	struct buf b = BUF_INIT;
	char *s;

	if (e == NULL)
		return NULL;
	if (e->children == NULL)
		return xstrdup("");
	/* Most elements hold one run of text: no copy to join. */
	if (e->children->next == NULL && e->children->name == NULL)
		return trim_copy(e->children->text, e->children->len);
	el_content(e, &b);
	s = trim_copy(buf_cstr(&b), b.len);
	buf_release(&b);
	return s;
}

/* Text directly inside the element (not in its child elements), trimmed. */
char *
wsman_el_direct_text(const struct wsman_el *e)
{
	struct buf b = BUF_INIT;
	char *s;

	for (e = e->children; e != NULL; e = e->next)
		if (e->name == NULL)
			buf_add(&b, e->text, e->len);
	s = trim_copy(buf_cstr(&b), b.len);
	buf_release(&b);
	return s;
}

const char *
wsman_el_attr_ns(const struct wsman_el *e, const char *ns, const char *name)
{
	const struct wsman_attr *a;

	if (e == NULL)
		return NULL;
	for (a = e->attrs; a != NULL; a = a->next) {
		if (strcmp(a->name, name) != 0)
			continue;
		if (ns == NULL ? a->ns == NULL :
		    a->ns != NULL && strcmp(a->ns, ns) == 0)
			return a->value;
	}
	return NULL;
}

char *
wsman_el_attr(const struct wsman_el *e, const char *name)
{
	const char *v;

	v = wsman_el_attr_ns(e, NULL, name);
	return v != NULL ? xstrdup(v) : NULL;
}

/* The namespace a prefix stands for at e, as xmlSearchNs finds it. */
const char *
wsman_el_prefix_ns(const struct wsman_el *e, const char *prefix)
{
	const struct wsman_nsdecl *d;

	if (strcmp(prefix, "xml") == 0)
		return (const char *)XML_XML_NAMESPACE;
	for (; e != NULL; e = e->parent)
		for (d = e->nsdecls; d != NULL; d = d->next)
			if (d->prefix != NULL && strcmp(d->prefix, prefix) == 0)
				return d->uri;
	return NULL;
}
