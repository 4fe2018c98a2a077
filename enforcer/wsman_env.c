/*
 * wsman_env.c: request envelopes: one SOAP 1.2 envelope per request, in
 * the shape pypsrp sends to real hosts (docs/windows-behaviour.md#envelopes),
 * written as text with every string escaped (a body built from a node map
 * goes through a libxml2 tree); text XML cannot carry is refused rather
 * than mangled.
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

/*
 * An envelope is written as text, the escaping done by put_escaped(); only
 * the body of a Put, a Create or a method call, built from a node map by
 * rules that look back at what was added, is a libxml2 tree, written out
 * by put_node().
 */
struct env {
	struct buf	*out;
	xmlDoc		*doc;		/* the tree body, or NULL */
	xmlNode		*holder;	/* its parent, with our namespaces */
	char		**cause;
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

/* --- writing text --------------------------------------------------------- */

static void put_escaped(struct buf *, const char *, int attr);

/* <TAG ATTRS>, ATTRS written as they are (ours, or escaped already). */
static void
open_el(struct env *e, const char *tag, const char *attrs)
{
	buf_putc(e->out, '<');
	buf_puts(e->out, tag);
	buf_puts(e->out, attrs);
	buf_putc(e->out, '>');
}

static void
close_el(struct env *e, const char *tag)
{
	buf_puts(e->out, "</");
	buf_puts(e->out, tag);
	buf_putc(e->out, '>');
}

static void
text_el(struct env *e, const char *tag, const char *attrs, const char *text)
{
	open_el(e, tag, attrs);
	put_escaped(e->out, text, 0);
	close_el(e, tag);
}

/* <TAG Name="NAME">TEXT</TAG>, NAME the attribute's value. */
static void
named_el(struct env *e, const char *tag, const char *attr, const char *name,
    const char *text)
{
	buf_putc(e->out, '<');
	buf_puts(e->out, tag);
	buf_putc(e->out, ' ');
	buf_puts(e->out, attr);
	buf_puts(e->out, "=\"");
	put_escaped(e->out, name, 1);
	buf_puts(e->out, "\">");
	put_escaped(e->out, text, 0);
	close_el(e, tag);
}

#define MUST_TRUE	" s:mustUnderstand=\"true\""
#define MUST_FALSE	" s:mustUnderstand=\"false\""

static int
put_selectors(struct env *e, const char *attrs, const struct wsman_selector *v,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (check_text(e, v[i].name, "selector name") == -1 ||
		    check_text(e, v[i].value, "selector value") == -1)
			return -1;
	open_el(e, "wsman:SelectorSet", attrs);
	for (i = 0; i < n; i++)
		named_el(e, "wsman:Selector", "Name", v[i].name, v[i].value);
	close_el(e, "wsman:SelectorSet");
	return 0;
}

static int
put_options(struct env *e, const struct wsman_option *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (check_text(e, v[i].name, "option name") == -1 ||
		    check_text(e, v[i].value, "option value") == -1)
			return -1;
	open_el(e, "wsman:OptionSet", MUST_TRUE);
	for (i = 0; i < n; i++)
		named_el(e, "wsman:Option", "Name", v[i].name, v[i].value);
	close_el(e, "wsman:OptionSet");
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

/* <TAG s:mustUnderstand="false" xml:lang="LOCALE"/> */
static void
locale_el(struct env *e, const char *tag, const char *locale)
{
	buf_putc(e->out, '<');
	buf_puts(e->out, tag);
	buf_puts(e->out, MUST_FALSE " xml:lang=\"");
	put_escaped(e->out, locale, 1);
	buf_puts(e->out, "\"/>");
}

static int
put_header(struct env *e, const struct wsman_request *r, const char *action)
{
	char num[64];

	if (check_text(e, action, "action") == -1 ||
	    check_text(e, r->ref.uri, "resource URI") == -1 ||
	    check_text(e, r->to, "address") == -1 ||
	    check_text(e, r->message_id, "message id") == -1 ||
	    check_text(e, r->locale, "locale") == -1 ||
	    (r->session_id != NULL &&
	    check_text(e, r->session_id, "session id") == -1))
		return -1;
	open_el(e, "s:Header", "");
	text_el(e, "wsa:Action", MUST_TRUE, action);
	locale_el(e, "wsmv:DataLocale", r->locale);
	locale_el(e, "wsman:Locale", r->locale);
	snprintf(num, sizeof(num), "%zu", r->max_envelope);
	text_el(e, "wsman:MaxEnvelopeSize", MUST_TRUE, num);
	text_el(e, "wsa:MessageID", "", r->message_id);
	duration(num, sizeof(num), r->timeout_ms);
	text_el(e, "wsman:OperationTimeout", "", num);
	open_el(e, "wsa:ReplyTo", "");
	text_el(e, "wsa:Address", MUST_TRUE, ANONYMOUS);
	close_el(e, "wsa:ReplyTo");
	text_el(e, "wsman:ResourceURI", MUST_TRUE, r->ref.uri);
	if (r->session_id != NULL)
		text_el(e, "wsmv:SessionId", MUST_FALSE, r->session_id);
	text_el(e, "wsa:To", "", r->to);
	if (r->nopt > 0 && put_options(e, r->opt, r->nopt) == -1)
		return -1;
	if (r->ref.nsel > 0 &&
	    put_selectors(e, "", r->ref.sel, r->ref.nsel) == -1)
		return -1;
	close_el(e, "s:Header");
	return 0;
}

/* --- the tree body --------------------------------------------------------- */

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
static void put_node(struct buf *, const xmlNode *);

/* The namespaces of an envelope, declared on its root in this order. */
enum { NS_ALWAYS, NS_SHELL, NS_ENUMERATION };
static const struct {
	const char	*prefix;
	const char	*uri;
	int		 when;
} envelope_ns[] = {
	{ "rsp", WSMAN_NS_RSP, NS_SHELL },
	{ "s", WSMAN_NS_SOAP, NS_ALWAYS },
	{ "wsa", WSMAN_NS_WSA, NS_ALWAYS },
	{ "wsen", WSMAN_NS_WSEN, NS_ENUMERATION },
	{ "wsman", WSMAN_NS_WSMAN, NS_ALWAYS },
	{ "wsmv", WSMAN_NS_WSMV, NS_ALWAYS },
};

static int
ns_wanted(const struct wsman_request *r, size_t i)
{
	switch (envelope_ns[i].when) {
	case NS_SHELL:
		return r->op >= WSMAN_OP_SHELL;		/* shell ops last */
	case NS_ENUMERATION:
		return r->op >= WSMAN_OP_ENUMERATE && r->op <= WSMAN_OP_RELEASE;
	}
	return 1;
}

/*
 * A tree for the body element alone, under an Envelope and a Body that
 * declare the envelope's namespaces (never written: the text envelope
 * declares them), so that a copied element reuses their prefixes.
 */
static void
tree_holder(struct env *e, const struct wsman_request *r)
{
	xmlNode *root;
	xmlNs *s = NULL, *ns;
	size_t i;

	if ((e->doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL)
		fatal("out of memory building an envelope");
	root = xmlNewDocNode(e->doc, NULL, (const xmlChar *)"Envelope", NULL);
	xmlDocSetRootElement(e->doc, root);
	for (i = 0; i < nitems(envelope_ns); i++) {
		if (!ns_wanted(r, i))
			continue;
		ns = xmlNewNs(root, (const xmlChar *)envelope_ns[i].uri,
		    (const xmlChar *)envelope_ns[i].prefix);
		if (strcmp(envelope_ns[i].prefix, "s") == 0)
			s = ns;
	}
	xmlSetNs(root, s);
	e->holder = empty_child(root, s, "Body");
}

/* <p:NAME xmlns:p="NS"> with the fields, or a copy of an element. */
static int
add_element(struct env *e, const struct wsman_request *r, const char *name,
    const char *ns, const struct node *fields, const xmlNode *xml)
{
	xmlNode *n;
	xmlNs *p;

	if (xml == NULL && (check_name(e, name, "element name") == -1 ||
	    check_text(e, ns, "namespace") == -1))
		return -1;
	tree_holder(e, r);
	if (xml != NULL) {
		n = xmlDocCopyNode((xmlNode *)xml, e->doc, 1);
		if (n == NULL)
			fatal("out of memory copying a body element");
		xmlAddChild(e->holder, n);
		xmlReconciliateNs(e->doc, n);
	} else {
		n = empty_child(e->holder, NULL, name);
		p = xmlNewNs(n, (const xmlChar *)ns, (const xmlChar *)"p");
		xmlSetNs(n, p);
		if (add_fields(e, n, p, fields) == -1)
			return -1;
	}
	put_node(e->out, n);
	return 0;
}

static int
put_enumerate(struct env *e, const struct wsman_request *r)
{
	const struct wsman_filter *f = r->filter;
	char num[32];

	if (f != NULL && f->wql != NULL &&
	    check_text(e, f->wql, "WQL filter") == -1)
		return -1;
	if (!r->optimize && r->max_elements == 0 &&
	    (f == NULL || (f->wql == NULL && f->nsel == 0))) {
		buf_puts(e->out, "<wsen:Enumerate/>");
		return 0;
	}
	open_el(e, "wsen:Enumerate", "");
	if (r->optimize)
		buf_puts(e->out, "<wsman:OptimizeEnumeration/>");
	if (r->max_elements > 0) {
		snprintf(num, sizeof(num), "%u", r->max_elements);
		text_el(e, "wsman:MaxElements", "", num);
	}
	if (f != NULL && f->wql != NULL)
		text_el(e, "wsman:Filter",
		    " Dialect=\"" WSMAN_DIALECT_WQL "\"", f->wql);
	else if (f != NULL && f->nsel > 0) {
		open_el(e, "wsman:Filter",
		    " Dialect=\"" WSMAN_DIALECT_SELECTOR "\"");
		if (put_selectors(e, "", f->sel, f->nsel) == -1)
			return -1;
		close_el(e, "wsman:Filter");
	}
	close_el(e, "wsen:Enumerate");
	return 0;
}

static int
put_pull(struct env *e, const struct wsman_request *r)
{
	const char *tag = r->op == WSMAN_OP_PULL ? "wsen:Pull" : "wsen:Release";
	char num[32];

	if (check_text(e, r->context, "enumeration context") == -1)
		return -1;
	open_el(e, tag, "");
	text_el(e, "wsen:EnumerationContext", "", r->context);
	if (r->op == WSMAN_OP_PULL && r->max_elements > 0) {
		snprintf(num, sizeof(num), "%u", r->max_elements);
		text_el(e, "wsen:MaxElements", "", num);
	}
	close_el(e, tag);
	return 0;
}

static int
put_invoke(struct env *e, const struct wsman_request *r)
{
	char *name;
	int rc;

	if (check_name(e, r->method, "method name") == -1)
		return -1;
	name = xasprintf("%s_INPUT", r->method);
	rc = add_element(e, r, name, r->ref.uri, r->params, NULL);
	free(name);
	return rc;
}

static int
put_command(struct env *e, const struct wsman_request *r)
{
	size_t i;

	if (check_text(e, r->command, "command") == -1)
		return -1;
	for (i = 0; i < r->nargs; i++)
		if (check_text(e, r->args[i], "command argument") == -1)
			return -1;
	open_el(e, "rsp:CommandLine", "");
	text_el(e, "rsp:Command", "", r->command);
	for (i = 0; i < r->nargs; i++)
		text_el(e, "rsp:Arguments", "", r->args[i]);
	close_el(e, "rsp:CommandLine");
	return 0;
}

static int
put_shell_op(struct env *e, const struct wsman_request *r)
{
	if (r->op == WSMAN_OP_SHELL) {
		buf_puts(e->out, "<rsp:Shell><rsp:InputStreams>stdin"
		    "</rsp:InputStreams><rsp:OutputStreams>stdout stderr"
		    "</rsp:OutputStreams></rsp:Shell>");
		return 0;
	}
	if (r->op == WSMAN_OP_COMMAND)
		return put_command(e, r);
	if (check_text(e, r->command_id, "command id") == -1)
		return -1;
	if (r->op == WSMAN_OP_RECEIVE) {
		open_el(e, "rsp:Receive", "");
		named_el(e, "rsp:DesiredStream", "CommandId", r->command_id,
		    "stdout stderr");
		close_el(e, "rsp:Receive");
		return 0;
	}
	if (check_text(e, r->signal, "signal") == -1)
		return -1;
	buf_puts(e->out, "<rsp:Signal CommandId=\"");
	put_escaped(e->out, r->command_id, 1);
	buf_puts(e->out, "\">");
	text_el(e, "rsp:Code", "", r->signal);
	close_el(e, "rsp:Signal");
	return 0;
}

static int
put_body_content(struct env *e, const struct wsman_request *r)
{
	switch (r->op) {
	case WSMAN_OP_GET:
	case WSMAN_OP_DELETE:
		return 0;
	case WSMAN_OP_PUT:
	case WSMAN_OP_CREATE:
		if (r->body == NULL)
			return cause_set(e->cause, "missing body");
		return add_element(e, r, r->body->name, r->body->ns,
		    r->body->fields, r->body->xml);
	case WSMAN_OP_ENUMERATE:
		return put_enumerate(e, r);
	case WSMAN_OP_PULL:
	case WSMAN_OP_RELEASE:
		return put_pull(e, r);
	case WSMAN_OP_INVOKE:
		return put_invoke(e, r);
	default:
		return put_shell_op(e, r);
	}
}

/* <s:Body/> when there is nothing to put in it, as libxml2 wrote it. */
static int
put_body(struct env *e, const struct wsman_request *r)
{
	size_t start;

	buf_puts(e->out, "<s:Body");
	start = e->out->len;
	buf_putc(e->out, '>');
	if (put_body_content(e, r) == -1)
		return -1;
	if (e->out->len == start + 1) {
		buf_truncate(e->out, start);
		buf_puts(e->out, "/>");
	} else
		close_el(e, "s:Body");
	return 0;
}

static void
put_envelope_start(struct env *e, const struct wsman_request *r)
{
	size_t i;

	buf_puts(e->out, "<s:Envelope");
	for (i = 0; i < nitems(envelope_ns); i++) {
		if (!ns_wanted(r, i))
			continue;
		buf_puts(e->out, " xmlns:");
		buf_puts(e->out, envelope_ns[i].prefix);
		buf_puts(e->out, "=\"");
		buf_puts(e->out, envelope_ns[i].uri);
		buf_putc(e->out, '"');
	}
	buf_putc(e->out, '>');
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

int
wsman_request_build(struct buf *out, const struct wsman_request *r,
    char **cause)
{
	struct env e = { .out = out, .cause = cause };
	size_t start = out->len;
	char *action;
	int rc = -1;

	action = wsman_action(r);
	buf_grow(out, ENVELOPE_LEN);
	put_envelope_start(&e, r);
	if (put_header(&e, r, action) == -1 || put_body(&e, r) == -1) {
		buf_truncate(out, start);
		goto out;
	}
	buf_puts(out, "</s:Envelope>\n");
	rc = 0;
out:
	if (e.doc != NULL)
		xmlFreeDoc(e.doc);
	free(action);
	return rc;
}
