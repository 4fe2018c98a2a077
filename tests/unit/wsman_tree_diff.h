/*
 * wsman_tree_diff.h: a reply's tree (wsman_tree.c) against libxml2's tree
 * of the same bytes, the reference: both parses must fail with the same
 * cause or give the same elements, attributes, namespace declarations and
 * text runs (libxml2's joined across comments and PIs), and the helpers
 * must read the same text and attributes.  Shared by test_wsman_tree and
 * fuzz_wsman_reply; header-only, one includer per program.
 */
#ifndef WSMAN_TREE_DIFF_H
#define WSMAN_TREE_DIFF_H

#include <stdlib.h>
#include <string.h>

#include "wsman.h"

#define DIFF_FN static __attribute__((unused))

static int
diff_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/* Text runs as libxml2 keeps them, joined across comments and PIs. */
static const xmlNode *
diff_dom_text(const xmlNode *n, struct buf *b)
{
	for (; n != NULL && n->type != XML_ELEMENT_NODE; n = n->next)
		if ((n->type == XML_TEXT_NODE ||
		    n->type == XML_CDATA_SECTION_NODE) && n->content != NULL)
			buf_puts(b, (const char *)n->content);
	return n;
}

static const char *
diff_attrs(const xmlNode *d, const struct wsman_el *e)
{
	const struct wsman_attr *ea = e->attrs;
	const xmlAttr *a;
	xmlChar *v;
	int bad;

	for (a = d->properties; a != NULL; a = a->next, ea = ea->next) {
		if (ea == NULL)
			return "an attribute missing";
		v = xmlNodeListGetString(a->doc, a->children, 1);
		bad = diff_str(ea->name, (const char *)a->name) ||
		    diff_str(ea->ns, a->ns != NULL ?
		    (const char *)a->ns->href : NULL) ||
		    diff_str(ea->value, v != NULL ? (char *)v : "");
		xmlFree(v);
		if (bad)
			return "an attribute differs";
	}
	return ea != NULL ? "an attribute too many" : NULL;
}

static const char *
diff_nsdecls(const xmlNode *d, const struct wsman_el *e)
{
	const struct wsman_nsdecl *en = e->nsdecls;
	const xmlNs *ns;

	for (ns = d->nsDef; ns != NULL; ns = ns->next, en = en->next)
		if (en == NULL || diff_str(en->prefix,
		    (const char *)ns->prefix) ||
		    diff_str(en->uri, (const char *)ns->href))
			return "a namespace declaration differs";
	return en != NULL ? "a namespace declaration too many" : NULL;
}

/* What the readers see of an element: its text and an attribute. */
static const char *
diff_reading(const xmlNode *d, const struct wsman_el *e)
{
	char *a, *b;
	int bad;

	a = wsman_xml_text(d);
	b = wsman_el_text(e);
	bad = diff_str(a, b);
	free(a);
	free(b);
	if (bad)
		return "the text read differs";
	a = wsman_xml_attr(d, "x");
	b = wsman_el_attr(e, "x");
	bad = diff_str(a, b);
	free(a);
	free(b);
	return bad ? "the attribute read differs" : NULL;
}

static const char *diff_el(const xmlNode *, const struct wsman_el *);

static const char *
diff_children(const xmlNode *d, const struct wsman_el *e)
{
	struct buf t = BUF_INIT;
	const struct wsman_el *c = e->children;
	const char *why = NULL;

	for (d = d->children; why == NULL;) {
		buf_reset(&t);
		d = diff_dom_text(d, &t);
		if (t.len > 0) {
			if (c == NULL || c->name != NULL || c->len != t.len ||
			    memcmp(c->text, t.ptr, t.len) != 0) {
				why = "a text run differs";
				break;
			}
			c = c->next;
		}
		if (d == NULL)
			break;
		if (c == NULL || c->parent != e) {
			why = "an element missing";
			break;
		}
		why = diff_el(d, c);
		c = c->next;
		d = d->next;
	}
	buf_release(&t);
	if (why == NULL && c != NULL)
		why = "a node too many";
	return why;
}

static const char *
diff_el(const xmlNode *d, const struct wsman_el *e)
{
	const char *why;

	if (e->name == NULL || diff_str(e->name, (const char *)d->name) ||
	    diff_str(e->ns, d->ns != NULL ? (const char *)d->ns->href : NULL))
		return "an element's name differs";
	if ((why = diff_attrs(d, e)) != NULL ||
	    (why = diff_nsdecls(d, e)) != NULL ||
	    (why = diff_reading(d, e)) != NULL)
		return why;
	return diff_children(d, e);
}

/* NULL when both parses agree; else what differs first (static). */
DIFF_FN const char *
wsman_tree_diff(const char *data, size_t len)
{
	struct wsman_tree *t = NULL;
	char *dcause = NULL, *tcause = NULL;
	const char *why = NULL;
	xmlDoc *doc = NULL;
	int drc, trc;

	drc = wsman_xml_parse(&doc, data, len, &dcause);
	trc = wsman_tree_parse(&t, data, len, &tcause);
	if (drc != trc)
		why = drc == 0 ? "only libxml2's tree parsed" :
		    "only ours parsed";
	else if (drc == -1 && diff_str(dcause, tcause))
		why = "the causes differ";
	else if (drc == 0)
		why = diff_el(xmlDocGetRootElement(doc), wsman_tree_root(t));
	xmlFreeDoc(doc);
	wsman_tree_free(t);
	free(dcause);
	free(tcause);
	return why;
}

#endif
