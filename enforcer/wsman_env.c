/*
 * wsman_env.c: request envelopes: one SOAP 1.2 envelope per request, in
 * the shape pypsrp sends to real hosts (docs/windows-behaviour.md#envelopes),
 * built with libxml2's tree API so that every string is escaped; text XML
 * cannot carry is refused rather than mangled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <openssl/rand.h>

#include "wsman.h"

#define ANONYMOUS	"http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"

/*
 * Random bytes for this thread's message ids, drawn once: OpenSSL 3's
 * RAND_bytes() looks its generator up on every call, 1.5% of a fleet
 * plan's CPU at one id per request.
 */
static void
uuid_seed(unsigned char b[16])
{
	static unsigned long counter;
	struct timespec ts;
	unsigned long n;

	if (RAND_bytes(b, 16) == 1)
		return;
	/* Message ids need to be unique, not secret. */
	clock_gettime(CLOCK_REALTIME, &ts);
	n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
	memcpy(b, &ts, 16 < sizeof(ts) ? 16 : sizeof(ts));
	b[0] ^= (unsigned char)n;
	b[1] ^= (unsigned char)(n >> 8);
	b[2] ^= (unsigned char)getpid();
}

/*
 * A version 4 uuid: the thread's random bytes with a counter folded into
 * the last eight, so that no two of its ids are alike; another thread or
 * process (a fork re-seeds) has other random bytes.
 */
void
wsman_uuid(char out[42])
{
	static const char hex[] = "0123456789ABCDEF";
	static __thread unsigned char seed[16];
	static __thread unsigned long long seq;
	static __thread pid_t seeded_by;
	unsigned char b[16];
	char *o = out;
	int i;

	if (seeded_by != getpid()) {
		uuid_seed(seed);
		seeded_by = getpid();
	}
	seq++;
	memcpy(b, seed, sizeof(b));
	for (i = 0; i < 8; i++)
		b[15 - i] ^= (unsigned char)(seq >> (8 * i));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	o += sprintf(o, "uuid:");
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[b[i] >> 4];
		*o++ = hex[b[i] & 0xf];
	}
	*o = '\0';
}

char *
wsman_action(const struct wsman_request *r)
{
	switch (r->op) {
	case WSMAN_OP_GET:
		return xstrdup(WSMAN_NS_WST "/Get");
	case WSMAN_OP_PUT:
		return xstrdup(WSMAN_NS_WST "/Put");
	case WSMAN_OP_CREATE:
	case WSMAN_OP_SHELL:
		return xstrdup(WSMAN_NS_WST "/Create");
	case WSMAN_OP_DELETE:
		return xstrdup(WSMAN_NS_WST "/Delete");
	case WSMAN_OP_ENUMERATE:
		return xstrdup(WSMAN_NS_WSEN "/Enumerate");
	case WSMAN_OP_PULL:
		return xstrdup(WSMAN_NS_WSEN "/Pull");
	case WSMAN_OP_RELEASE:
		return xstrdup(WSMAN_NS_WSEN "/Release");
	case WSMAN_OP_INVOKE:
		return xasprintf("%s/%s", r->ref.uri, r->method);
	case WSMAN_OP_COMMAND:
		return xstrdup(WSMAN_NS_RSP "/Command");
	case WSMAN_OP_RECEIVE:
		return xstrdup(WSMAN_NS_RSP "/Receive");
	case WSMAN_OP_SIGNAL:
		return xstrdup(WSMAN_NS_RSP "/Signal");
	}
	return xstrdup("");
}

struct env {
	xmlDoc	*doc;
	xmlNs	*s, *wsa, *wsman, *wsmv, *wsen, *rsp;
	char	**cause;
};

/* XML 1.0 cannot carry most control characters, whatever the escaping. */
static int
check_text(struct env *e, const char *s, const char *what)
{
	const unsigned char *p;

	if (s == NULL)
		return cause_set(e->cause, "missing %s", what);
	if (!xmlCheckUTF8((const xmlChar *)s))
		goto bad;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			goto bad;
		if (p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
			goto bad;
	}
	return 0;
bad:
	return cause_set(e->cause, "%s holds text that XML cannot carry", what);
}

static int
check_name(struct env *e, const char *s, const char *what)
{
	if (s == NULL || xmlValidateNCName((const xmlChar *)s, 0) != 0)
		return cause_set(e->cause, "invalid %s '%s'", what,
		    s != NULL ? s : "");
	return 0;
}

static xmlNode *
text_child(xmlNode *parent, xmlNs *ns, const char *name, const char *text)
{
	return xmlNewTextChild(parent, ns, (const xmlChar *)name,
	    (const xmlChar *)text);
}

static xmlNode *
empty_child(xmlNode *parent, xmlNs *ns, const char *name)
{
	return xmlNewChild(parent, ns, (const xmlChar *)name, NULL);
}

static void
set_attr(xmlNode *n, const char *name, const char *value)
{
	xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)value);
}

static xmlNode *
must(struct env *e, xmlNode *n, const char *value)
{
	xmlNewNsProp(n, e->s, (const xmlChar *)"mustUnderstand",
	    (const xmlChar *)value);
	return n;
}

static int
add_selectors(struct env *e, xmlNode *parent, const struct wsman_selector *v,
    size_t n)
{
	xmlNode *set, *s;
	size_t i;

	set = empty_child(parent, e->wsman, "SelectorSet");
	for (i = 0; i < n; i++) {
		if (check_text(e, v[i].name, "selector name") == -1 ||
		    check_text(e, v[i].value, "selector value") == -1)
			return -1;
		s = text_child(set, e->wsman, "Selector", v[i].value);
		set_attr(s, "Name", v[i].name);
	}
	return 0;
}

static int
add_options(struct env *e, xmlNode *h, const struct wsman_option *v,
    size_t n)
{
	xmlNode *set, *o;
	size_t i;

	set = must(e, empty_child(h, e->wsman, "OptionSet"), "true");
	for (i = 0; i < n; i++) {
		if (check_text(e, v[i].name, "option name") == -1 ||
		    check_text(e, v[i].value, "option value") == -1)
			return -1;
		o = text_child(set, e->wsman, "Option", v[i].value);
		set_attr(o, "Name", v[i].name);
	}
	return 0;
}

static void
duration(char *out, size_t len, long ms)
{
	if (ms % 1000 == 0)
		snprintf(out, len, "PT%ldS", ms / 1000);
	else
		snprintf(out, len, "PT%ld.%03ldS", ms / 1000, ms % 1000);
}

static int
add_header(struct env *e, xmlNode *h, const struct wsman_request *r,
    const char *action)
{
	char num[64];
	xmlNode *n;

	if (check_text(e, action, "action") == -1 ||
	    check_text(e, r->ref.uri, "resource URI") == -1 ||
	    check_text(e, r->to, "address") == -1 ||
	    check_text(e, r->message_id, "message id") == -1 ||
	    check_text(e, r->locale, "locale") == -1 ||
	    (r->session_id != NULL &&
	    check_text(e, r->session_id, "session id") == -1))
		return -1;
	must(e, text_child(h, e->wsa, "Action", action), "true");
	n = must(e, empty_child(h, e->wsmv, "DataLocale"), "false");
	xmlNodeSetLang(n, (const xmlChar *)r->locale);
	n = must(e, empty_child(h, e->wsman, "Locale"), "false");
	xmlNodeSetLang(n, (const xmlChar *)r->locale);
	snprintf(num, sizeof(num), "%zu", r->max_envelope);
	must(e, text_child(h, e->wsman, "MaxEnvelopeSize", num), "true");
	text_child(h, e->wsa, "MessageID", r->message_id);
	duration(num, sizeof(num), r->timeout_ms);
	text_child(h, e->wsman, "OperationTimeout", num);
	n = empty_child(h, e->wsa, "ReplyTo");
	must(e, text_child(n, e->wsa, "Address", ANONYMOUS), "true");
	must(e, text_child(h, e->wsman, "ResourceURI", r->ref.uri), "true");
	if (r->session_id != NULL)
		must(e, text_child(h, e->wsmv, "SessionId", r->session_id),
		    "false");
	text_child(h, e->wsa, "To", r->to);
	if (r->nopt > 0 && add_options(e, h, r->opt, r->nopt) == -1)
		return -1;
	if (r->ref.nsel > 0 &&
	    add_selectors(e, h, r->ref.sel, r->ref.nsel) == -1)
		return -1;
	return 0;
}

static int add_fields(struct env *, xmlNode *, xmlNs *, const struct node *);

static void
set_nil(xmlNode *n)
{
	xmlNs *xsi;

	xsi = xmlSearchNsByHref(n->doc, n, (const xmlChar *)WSMAN_NS_XSI);
	if (xsi == NULL)
		xsi = xmlNewNs(n, (const xmlChar *)WSMAN_NS_XSI,
		    (const xmlChar *)"xsi");
	xmlNewNsProp(n, xsi, (const xmlChar *)"nil", (const xmlChar *)"true");
}

static int
add_value(struct env *e, xmlNode *parent, xmlNs *ns, const char *name,
    const struct node *v)
{
	xmlNode *n;

	switch (v->kind) {
	case NODE_SCALAR:
		if (node_is_null(v)) {
			set_nil(empty_child(parent, ns, name));
			return 0;
		}
		if (check_text(e, v->value, name) == -1)
			return -1;
		text_child(parent, ns, name, v->value);
		return 0;
	case NODE_MAP:
		n = empty_child(parent, ns, name);
		return add_fields(e, n, ns, v);
	case NODE_SEQ:
		break;
	}
	return cause_set(e->cause, "'%s': a sequence inside a sequence", name);
}

static xmlNode *
last_named(xmlNode *parent, const char *name)
{
	xmlNode *c, *found = NULL;

	for (c = parent->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, name) == 0)
			found = c;
	return found;
}

/* "@Attr" on this element, "Name@Attr" on child Name (see wsman.h). */
static int
add_attr_field(struct env *e, xmlNode *parent, const char *key,
    const struct node *v)
{
	const char *at = strchr(key, '@');
	char *elem;
	xmlNode *target = parent;

	if (check_name(e, at + 1, "attribute name") == -1)
		return -1;
	if (v->kind != NODE_SCALAR || check_text(e, v->value, key) == -1)
		return cause_set(e->cause, "attribute '%s' must be text", key);
	if (at != key) {
		elem = xstrndup(key, (size_t)(at - key));
		target = last_named(parent, elem);
		free(elem);
		if (target == NULL)
			return cause_set(e->cause, "attribute '%s' of an "
			    "element that is not there", key);
	}
	set_attr(target, at + 1, v->value);
	return 0;
}

static int
add_fields(struct env *e, xmlNode *parent, xmlNs *ns, const struct node *map)
{
	const struct node *k, *v;
	size_t i, j;

	if (map == NULL)
		return 0;
	if (map->kind != NODE_MAP)
		return cause_set(e->cause, "body fields must be a map");
	for (i = 0; i < map->npairs; i++) {
		k = map->pairs[i].key;
		v = map->pairs[i].value;
		if (strchr(k->value, '@') != NULL) {
			if (add_attr_field(e, parent, k->value, v) == -1)
				return -1;
			continue;
		}
		if (check_name(e, k->value, "element name") == -1)
			return -1;
		for (j = 0; j < wsman_list_len(v); j++)
			if (add_value(e, parent, ns, k->value,
			    wsman_list(v, j)) == -1)
				return -1;
	}
	return 0;
}

/* <p:NAME xmlns:p="NS"> with the fields, or a copy of an element. */
static int
add_element(struct env *e, xmlNode *body, const char *name, const char *ns,
    const struct node *fields, const xmlNode *xml)
{
	xmlNode *n;
	xmlNs *p;

	if (xml != NULL) {
		n = xmlDocCopyNode((xmlNode *)xml, e->doc, 1);
		if (n == NULL)
			fatal("out of memory copying a body element");
		xmlAddChild(body, n);
		xmlReconciliateNs(e->doc, n);
		return 0;
	}
	if (check_name(e, name, "element name") == -1 ||
	    check_text(e, ns, "namespace") == -1)
		return -1;
	n = empty_child(body, NULL, name);
	p = xmlNewNs(n, (const xmlChar *)ns, (const xmlChar *)"p");
	xmlSetNs(n, p);
	return add_fields(e, n, p, fields);
}

static int
add_enumerate(struct env *e, xmlNode *body, const struct wsman_request *r)
{
	const struct wsman_filter *f = r->filter;
	xmlNode *en, *fn;
	char num[32];

	en = empty_child(body, e->wsen, "Enumerate");
	if (r->optimize)
		empty_child(en, e->wsman, "OptimizeEnumeration");
	if (r->max_elements > 0) {
		snprintf(num, sizeof(num), "%u", r->max_elements);
		text_child(en, e->wsman, "MaxElements", num);
	}
	if (f == NULL || (f->wql == NULL && f->nsel == 0))
		return 0;
	if (f->wql != NULL) {
		if (check_text(e, f->wql, "WQL filter") == -1)
			return -1;
		fn = text_child(en, e->wsman, "Filter", f->wql);
		set_attr(fn, "Dialect", WSMAN_DIALECT_WQL);
		return 0;
	}
	fn = empty_child(en, e->wsman, "Filter");
	set_attr(fn, "Dialect", WSMAN_DIALECT_SELECTOR);
	return add_selectors(e, fn, f->sel, f->nsel);
}

static int
add_pull(struct env *e, xmlNode *body, const struct wsman_request *r)
{
	xmlNode *n;
	char num[32];

	if (check_text(e, r->context, "enumeration context") == -1)
		return -1;
	n = empty_child(body, e->wsen,
	    r->op == WSMAN_OP_PULL ? "Pull" : "Release");
	text_child(n, e->wsen, "EnumerationContext", r->context);
	if (r->op == WSMAN_OP_PULL && r->max_elements > 0) {
		snprintf(num, sizeof(num), "%u", r->max_elements);
		text_child(n, e->wsen, "MaxElements", num);
	}
	return 0;
}

static int
add_invoke(struct env *e, xmlNode *body, const struct wsman_request *r)
{
	char *name;
	int rc;

	if (check_name(e, r->method, "method name") == -1)
		return -1;
	name = xasprintf("%s_INPUT", r->method);
	rc = add_element(e, body, name, r->ref.uri, r->params, NULL);
	free(name);
	return rc;
}

static int
add_command(struct env *e, xmlNode *body, const struct wsman_request *r)
{
	xmlNode *cl;
	size_t i;

	if (check_text(e, r->command, "command") == -1)
		return -1;
	cl = empty_child(body, e->rsp, "CommandLine");
	text_child(cl, e->rsp, "Command", r->command);
	for (i = 0; i < r->nargs; i++) {
		if (check_text(e, r->args[i], "command argument") == -1)
			return -1;
		text_child(cl, e->rsp, "Arguments", r->args[i]);
	}
	return 0;
}

static int
add_shell_op(struct env *e, xmlNode *body, const struct wsman_request *r)
{
	xmlNode *n;

	if (r->op == WSMAN_OP_SHELL) {
		n = empty_child(body, e->rsp, "Shell");
		text_child(n, e->rsp, "InputStreams", "stdin");
		text_child(n, e->rsp, "OutputStreams", "stdout stderr");
		return 0;
	}
	if (r->op == WSMAN_OP_COMMAND)
		return add_command(e, body, r);
	if (check_text(e, r->command_id, "command id") == -1)
		return -1;
	if (r->op == WSMAN_OP_RECEIVE) {
		n = empty_child(body, e->rsp, "Receive");
		n = text_child(n, e->rsp, "DesiredStream", "stdout stderr");
		set_attr(n, "CommandId", r->command_id);
		return 0;
	}
	if (check_text(e, r->signal, "signal") == -1)
		return -1;
	n = empty_child(body, e->rsp, "Signal");
	set_attr(n, "CommandId", r->command_id);
	text_child(n, e->rsp, "Code", r->signal);
	return 0;
}

static int
add_body(struct env *e, xmlNode *body, const struct wsman_request *r)
{
	switch (r->op) {
	case WSMAN_OP_GET:
	case WSMAN_OP_DELETE:
		return 0;
	case WSMAN_OP_PUT:
	case WSMAN_OP_CREATE:
		if (r->body == NULL)
			return cause_set(e->cause, "missing body");
		return add_element(e, body, r->body->name, r->body->ns,
		    r->body->fields, r->body->xml);
	case WSMAN_OP_ENUMERATE:
		return add_enumerate(e, body, r);
	case WSMAN_OP_PULL:
	case WSMAN_OP_RELEASE:
		return add_pull(e, body, r);
	case WSMAN_OP_INVOKE:
		return add_invoke(e, body, r);
	default:
		return add_shell_op(e, body, r);
	}
}

static xmlNs *
declare(xmlNode *root, const char *href, const char *prefix)
{
	return xmlNewNs(root, (const xmlChar *)href, (const xmlChar *)prefix);
}

/* --- writing the tree ---------------------------------------------------- */

/*
 * The envelope's tree is written by hand: libxml2's xmlSave machinery (a
 * save context, an output buffer, a UTF-8 to UTF-8 encoder, a few bytes
 * per write) was 3.4% of a fleet plan's CPU.  The tree holds elements,
 * attributes, namespace declarations and text (check_text() let in
 * nothing XML cannot carry), written as libxml2 writes them.
 */
static void
put_escaped(struct buf *out, const char *s, int attr)
{
	const char *run = s, *rep;

	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '\r': rep = "&#13;"; break;
		case '"': rep = attr ? "&quot;" : NULL; break;
		case '\n': rep = attr ? "&#10;" : NULL; break;
		case '\t': rep = attr ? "&#9;" : NULL; break;
		default: rep = NULL; break;
		}
		if (rep == NULL)
			continue;
		buf_add(out, run, (size_t)(s - run));
		buf_puts(out, rep);
		run = s + 1;
	}
	buf_add(out, run, (size_t)(s - run));
}

static void
put_qname(struct buf *out, const xmlNs *ns, const xmlChar *name)
{
	if (ns != NULL && ns->prefix != NULL) {
		buf_puts(out, (const char *)ns->prefix);
		buf_putc(out, ':');
	}
	buf_puts(out, (const char *)name);
}

static void
put_start(struct buf *out, const xmlNode *n)
{
	const xmlNs *d;
	const xmlAttr *a;
	xmlChar *v;

	buf_putc(out, '<');
	put_qname(out, n->ns, n->name);
	for (d = n->nsDef; d != NULL; d = d->next) {
		buf_puts(out, d->prefix != NULL ? " xmlns:" : " xmlns");
		if (d->prefix != NULL)
			buf_puts(out, (const char *)d->prefix);
		buf_puts(out, "=\"");
		put_escaped(out, (const char *)d->href, 1);
		buf_putc(out, '"');
	}
	for (a = n->properties; a != NULL; a = a->next) {
		buf_putc(out, ' ');
		put_qname(out, a->ns, a->name);
		buf_puts(out, "=\"");
		/* set_attr() makes one text child; a copied element more. */
		if (a->children != NULL && a->children->next == NULL &&
		    a->children->type == XML_TEXT_NODE) {
			put_escaped(out, (const char *)a->children->content, 1);
		} else {
			v = xmlNodeListGetString(a->doc, a->children, 1);
			put_escaped(out, v != NULL ? (const char *)v : "", 1);
			xmlFree(v);
		}
		buf_putc(out, '"');
	}
}

static void
put_node(struct buf *out, const xmlNode *n)
{
	const xmlNode *c;

	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		if (n->content != NULL)
			put_escaped(out, (const char *)n->content, 0);
		return;
	}
	if (n->type != XML_ELEMENT_NODE)
		return;
	put_start(out, n);
	if (n->children == NULL) {
		buf_puts(out, "/>");
		return;
	}
	buf_putc(out, '>');
	for (c = n->children; c != NULL; c = c->next)
		put_node(out, c);
	buf_puts(out, "</");
	put_qname(out, n->ns, n->name);
	buf_putc(out, '>');
}

/* Room for a usual envelope at once: a 64-byte start doubled six times. */
#define ENVELOPE_LEN	2048

static void
serialise(xmlDoc *doc, struct buf *out)
{
	buf_grow(out, ENVELOPE_LEN);
	put_node(out, xmlDocGetRootElement(doc));
	buf_putc(out, '\n');
}

int
wsman_request_build(struct buf *out, const struct wsman_request *r,
    char **cause)
{
	struct env e = { .cause = cause };
	xmlNode *root, *header, *body;
	char *action;
	int rc = -1, shell = r->op >= WSMAN_OP_SHELL;	/* shell ops last */

	action = wsman_action(r);
	if ((e.doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL)
		fatal("out of memory building an envelope");
	root = xmlNewDocNode(e.doc, NULL, (const xmlChar *)"Envelope", NULL);
	xmlDocSetRootElement(e.doc, root);
	if (shell)
		e.rsp = declare(root, WSMAN_NS_RSP, "rsp");
	e.s = declare(root, WSMAN_NS_SOAP, "s");
	e.wsa = declare(root, WSMAN_NS_WSA, "wsa");
	if (r->op >= WSMAN_OP_ENUMERATE && r->op <= WSMAN_OP_RELEASE)
		e.wsen = declare(root, WSMAN_NS_WSEN, "wsen");
	e.wsman = declare(root, WSMAN_NS_WSMAN, "wsman");
	e.wsmv = declare(root, WSMAN_NS_WSMV, "wsmv");
	xmlSetNs(root, e.s);
	header = empty_child(root, e.s, "Header");
	body = empty_child(root, e.s, "Body");
	if (add_header(&e, header, r, action) == -1 ||
	    add_body(&e, body, r) == -1)
		goto out;
	serialise(e.doc, out);
	rc = 0;
out:
	xmlFreeDoc(e.doc);
	free(action);
	return rc;
}
