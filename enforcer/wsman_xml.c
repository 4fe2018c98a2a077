/*
 * wsman_xml.c: reading WS-Management replies safely: the parser set-up,
 * envelope dissection, SOAP fault decoding, the readers for each kind of
 * reply, and the XML-to-node conversion.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "wsman.h"

#define ONELINE_MAX	512	/* longest message taken from a reply */

/* --- parsing ------------------------------------------------------------ */

/* What the callbacks of one parse share through the parser's _private. */
struct run {
	int	 doctype;
	void	*user;
};

/*
 * SOAP forbids a DOCTYPE (SOAP 1.2 part 1, 5), and a DOCTYPE is where XXE
 * and entity bombs live: stop the parser the moment one starts, before any
 * declaration in it is read.
 */
static void
refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	xmlParserCtxtPtr p = ctx;

	((struct run *)p->_private)->doctype = 1;
	xmlStopParser(p);
}

/* Errors stay in the context; nothing may reach stderr. */
static void
quiet(void *ctx, xmlErrorPtr e)
{
}

/*
 * libxml2's encoding converters report through the thread's generic error
 * function, not the context: without this they print "encoding error"
 * lines on stderr.  Kept here instead, for the parse's cause.
 */
static __thread struct buf *wsman_xml_generic_buf;

static void
wsman_xml_generic(void *ctx, const char *fmt, ...)
{
	va_list ap;

	if (wsman_xml_generic_buf == NULL)
		return;
	va_start(ap, fmt);
	buf_vprintf(wsman_xml_generic_buf, fmt, ap);
	va_end(ap);
}

void *
wsman_xml_user(void *ctx)
{
	return ((struct run *)((xmlParserCtxtPtr)ctx)->_private)->user;
}

static int
malformed(xmlParserCtxtPtr p, const struct buf *generic, char **cause)
{
	xmlErrorPtr e;
	char *msg;

	e = xmlCtxtGetLastError(p);
	msg = xasprintf("%s%s%s", e != NULL && e->message != NULL ?
	    e->message : "not well-formed", generic->len > 0 ? "; " : "",
	    buf_cstr(generic));
	wsman_oneline(msg);
	cause_set(cause, "malformed XML at line %d: %s",
	    e != NULL ? e->line : 0, msg);
	free(msg);
	return -1;
}

/*
 * The one parse of every XML we read: sax NULL builds libxml2's tree into
 * *doc, else sax's callbacks see user through wsman_xml_user().  Either
 * way the same options and limits apply (libxml2's defaults: 256 levels,
 * 10 MB of text per node) and a DOCTYPE is refused.
 */
int
wsman_xml_run(const char *data, size_t len, const xmlSAXHandler *sax,
    void *user, xmlDoc **doc, char **cause)
{
	xmlParserCtxtPtr p;
	struct buf generic = BUF_INIT;
	struct run run = { 0, user };
	int rc = -1;

	if (len == 0)
		return cause_set(cause, "empty reply");
	if (len > INT_MAX)
		return cause_set(cause, "reply too big to parse");
	if ((p = xmlCreateMemoryParserCtxt(data, (int)len)) == NULL)
		return cause_set(cause, "cannot set up the XML parser");
	xmlCtxtUseOptions(p, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (sax != NULL)
		*p->sax = *sax;
	p->sax->internalSubset = refuse_doctype;
	p->sax->externalSubset = refuse_doctype;
	p->sax->serror = quiet;
	p->_private = &run;
	wsman_xml_generic_buf = &generic;
	xmlSetGenericErrorFunc(NULL, wsman_xml_generic);
	xmlParseDocument(p);
	wsman_xml_generic_buf = NULL;
	if (run.doctype) {
		cause_set(cause, "reply carries a DOCTYPE (refused)");
		goto out;
	}
	if (!p->wellFormed || (sax == NULL && p->myDoc == NULL)) {
		malformed(p, &generic, cause);
		goto out;
	}
	if (p->myDoc != NULL && (p->myDoc->intSubset != NULL ||
	    p->myDoc->extSubset != NULL)) {
		cause_set(cause, "reply carries a DOCTYPE (refused)");
		goto out;
	}
	if (doc != NULL) {
		*doc = p->myDoc;
		p->myDoc = NULL;
	}
	rc = 0;
out:
	if (p->myDoc != NULL)
		xmlFreeDoc(p->myDoc);
	xmlFreeParserCtxt(p);
	buf_release(&generic);
	return rc;
}

int
wsman_xml_parse(xmlDoc **out, const char *data, size_t len, char **cause)
{
	*out = NULL;
	return wsman_xml_run(data, len, NULL, NULL, out, cause);
}

/* --- helpers ------------------------------------------------------------ */

int
wsman_xml_is(const xmlNode *n, const char *ns, const char *name)
{
	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return 0;
	if (strcmp((const char *)n->name, name) != 0)
		return 0;
	if (ns == NULL)
		return 1;
	return n->ns != NULL && n->ns->href != NULL &&
	    strcmp((const char *)n->ns->href, ns) == 0;
}

static xmlNode *
first_match(const xmlNode *n, const char *ns, const char *name)
{
	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    (name == NULL || wsman_xml_is(n, ns, name)))
			return (xmlNode *)n;
	return NULL;
}

xmlNode *
wsman_xml_child(const xmlNode *parent, const char *ns, const char *name)
{
	if (parent == NULL)
		return NULL;
	return first_match(parent->children, ns, name);
}

xmlNode *
wsman_xml_next(const xmlNode *after, const char *ns, const char *name)
{
	if (after == NULL)
		return NULL;
	return first_match(after->next, ns, name);
}

static char *
trim_copy(const char *s)
{
	const char *e;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		e--;
	return xstrndup(s, (size_t)(e - s));
}

char *
wsman_xml_text(const xmlNode *n)
{
	xmlChar *c;
	char *s;

	if (n == NULL)
		return NULL;
	if ((c = xmlNodeGetContent(n)) == NULL)
		return xstrdup("");
	s = trim_copy((const char *)c);
	xmlFree(c);
	return s;
}

char *
wsman_xml_attr(const xmlNode *n, const char *name)
{
	xmlChar *v;
	char *s;

	if (n == NULL || (v = xmlGetNoNsProp(n, (const xmlChar *)name)) == NULL)
		return NULL;
	s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

void
wsman_oneline(char *s)
{
	unsigned char *r = (unsigned char *)s, *w = (unsigned char *)s;
	int space = 1;
	size_t n;

	for (; *r != '\0'; r++) {
		/* C1 controls (U+0080..U+009F) drive terminals too. */
		if (r[0] == 0xc2 && r[1] >= 0x80 && r[1] <= 0x9f)
			*++r = ' ';
		if (*r < 0x20 || *r == 0x7f || *r == ' ') {
			if (!space)
				*w++ = ' ';
			space = 1;
			continue;
		}
		*w++ = *r;
		space = 0;
	}
	*w = '\0';
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	if (n > 0 && s[n - 1] == '.')
		s[--n] = '\0';
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	if (n > ONELINE_MAX) {
		/* "..." must fit in the string's own bytes: 513 gave 515. */
		n = n - 3 < ONELINE_MAX ? n - 3 : ONELINE_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		memcpy(s + n, "...", 4);
	}
}

/* --- faults ------------------------------------------------------------- */

/*
 * The usual prefixes (docs/windows-behaviour.md#namespaces), whatever the reply
 * used.
 */
static const struct {
	const char	*ns;
	const char	*prefix;
} conventional[] = {
	{ WSMAN_NS_SOAP, "s" },
	{ WSMAN_NS_WSA, "a" },
	{ WSMAN_NS_WSMAN, "w" },
	{ WSMAN_NS_WSMV, "p" },
	{ WSMAN_NS_WST, "x" },
	{ WSMAN_NS_WSEN, "n" },
	{ WSMAN_NS_RSP, "rsp" },
};

/* A QName value such as "wsman:InternalError", with the usual prefix. */
static char *
qname_value(const struct wsman_el *where)
{
	char *text, *colon, *out;
	const char *ns;
	size_t i;

	if (where == NULL)
		return NULL;
	text = wsman_el_text(where);
	wsman_oneline(text);
	if ((colon = strchr(text, ':')) == NULL)
		return text;
	*colon = '\0';
	ns = wsman_el_prefix_ns(where, text);
	*colon = ':';
	for (i = 0; ns != NULL && i < nitems(conventional); i++) {
		if (strcmp(ns, conventional[i].ns) != 0)
			continue;
		out = xasprintf("%s:%s", conventional[i].prefix, colon + 1);
		free(text);
		return out;
	}
	return text;
}

static unsigned long
parse_code(const char *s)
{
	unsigned long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;
	return v;
}

/*
 * WSManFault/Message: its own text, else the ProviderFault's text, else
 * the nested WSManFault's message (pypsrp's order).
 */
static char *
wsmanfault_message(const struct wsman_el *wf)
{
	const struct wsman_el *m, *pf;
	char *t;

	if ((m = wsman_el_child(wf, WSMAN_NS_FAULT, "Message")) == NULL)
		return NULL;
	t = wsman_el_direct_text(m);
	if (*t != '\0')
		return t;
	free(t);
	if ((pf = wsman_el_child(m, WSMAN_NS_FAULT, "ProviderFault")) == NULL)
		return NULL;
	t = wsman_el_direct_text(pf);
	if (*t != '\0')
		return t;
	free(t);
	return wsmanfault_message(wsman_el_child(pf, WSMAN_NS_FAULT,
	    "WSManFault"));
}

static char *
nonempty(char *s)
{
	if (s != NULL && *s == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

static char *
fault_detail(const struct wsman_el *detail, struct wsman_fault *f)
{
	const struct wsman_el *wf, *wmi;
	char *code;

	f->detail = nonempty(wsman_el_text(wsman_el_child(detail,
	    WSMAN_NS_WSMAN, "FaultDetail")));
	if ((wf = wsman_el_child(detail, WSMAN_NS_FAULT, "WSManFault")) !=
	    NULL) {
		code = wsman_el_attr(wf, "Code");
		f->wsman_code = parse_code(code);
		free(code);
		f->machine = nonempty(wsman_el_attr(wf, "Machine"));
		return nonempty(wsmanfault_message(wf));
	}
	if ((wmi = wsman_el_child(detail, WSMAN_NS_WMIERR, "MSFT_WmiError")) ==
	    NULL)
		return NULL;
	code = wsman_el_text(wsman_el_child(wmi, WSMAN_NS_WMIERR,
	    "error_Code"));
	f->wsman_code = parse_code(code);
	free(code);
	return nonempty(wsman_el_text(wsman_el_child(wmi, WSMAN_NS_WMIERR,
	    "Message")));
}

void
wsman_fault_parse(const struct wsman_el *fault, struct wsman_fault *f)
{
	const struct wsman_el *code, *reason;
	char *msg;

	memset(f, 0, sizeof(*f));
	code = wsman_el_child(fault, WSMAN_NS_SOAP, "Code");
	f->code = qname_value(wsman_el_child(code, WSMAN_NS_SOAP, "Value"));
	f->subcode = qname_value(wsman_el_child(wsman_el_child(code,
	    WSMAN_NS_SOAP, "Subcode"), WSMAN_NS_SOAP, "Value"));
	msg = fault_detail(wsman_el_child(fault, WSMAN_NS_SOAP, "Detail"), f);
	if (msg == NULL) {
		reason = wsman_el_child(fault, WSMAN_NS_SOAP, "Reason");
		msg = nonempty(wsman_el_text(wsman_el_child(reason,
		    WSMAN_NS_SOAP, "Text")));
	}
	f->message = msg != NULL ? msg : xstrdup("no reason given");
	wsman_oneline(f->message);
	if (f->machine != NULL)
		wsman_oneline(f->machine);
	if (f->detail != NULL)
		wsman_oneline(f->detail);
}

void
wsman_fault_release(struct wsman_fault *f)
{
	if (f == NULL)
		return;
	free(f->code);
	free(f->subcode);
	free(f->message);
	free(f->machine);
	free(f->detail);
	memset(f, 0, sizeof(*f));
}

char *
wsman_fault_string(const struct wsman_fault *f)
{
	const char *what;

	what = f->subcode != NULL ? f->subcode :
	    f->code != NULL ? f->code : "no code";
	if (f->wsman_code != 0)
		return xasprintf("WS-Man fault %lu (%s): %s", f->wsman_code,
		    what, f->message);
	return xasprintf("WS-Man fault (%s): %s", what, f->message);
}

/* --- envelopes ---------------------------------------------------------- */

static char *
describe_root(const struct wsman_el *root)
{
	char *s;

	if (root == NULL)
		return xstrdup("no root element");
	s = xasprintf("root element '%s' in namespace '%s'",
	    root->name, root->ns != NULL ? root->ns : "");
	wsman_oneline(s);
	return s;
}

int
wsman_reply_parse(struct wsman_reply *r, const char *data, size_t len,
    char **cause)
{
	const struct wsman_el *root;
	char *what;

	memset(r, 0, sizeof(*r));
	if (wsman_tree_parse(&r->tree, data, len, cause) == -1)
		return -1;
	root = wsman_tree_root(r->tree);
	if (!wsman_el_is(root, WSMAN_NS_SOAP, "Envelope")) {
		what = describe_root(root);
		cause_set(cause, "reply is not a SOAP 1.2 envelope (%s)", what);
		free(what);
		goto fail;
	}
	r->header = wsman_el_child(root, WSMAN_NS_SOAP, "Header");
	if ((r->body = wsman_el_child(root, WSMAN_NS_SOAP, "Body")) == NULL) {
		cause_set(cause, "reply has no SOAP Body");
		goto fail;
	}
	r->content = wsman_el_child(r->body, NULL, NULL);
	r->action = wsman_el_text(wsman_el_child(r->header, WSMAN_NS_WSA,
	    "Action"));
	r->relates_to = wsman_el_text(wsman_el_child(r->header, WSMAN_NS_WSA,
	    "RelatesTo"));
	if (wsman_el_is(r->content, WSMAN_NS_SOAP, "Fault")) {
		r->is_fault = 1;
		wsman_fault_parse(r->content, &r->fault);
	}
	return 0;
fail:
	wsman_reply_release(r);
	return -1;
}

void
wsman_reply_release(struct wsman_reply *r)
{
	if (r == NULL)
		return;
	wsman_tree_free(r->tree);
	free(r->action);
	free(r->relates_to);
	wsman_fault_release(&r->fault);
	memset(r, 0, sizeof(*r));
}

/* --- XML to node -------------------------------------------------------- */

static int
has_elements(const struct wsman_el *n)
{
	return wsman_el_child(n, NULL, NULL) != NULL;
}

static int
is_nil(const struct wsman_el *n)
{
	const char *v;

	v = wsman_el_attr_ns(n, WSMAN_NS_XSI, "nil");
	return v != NULL && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

/* A plain scalar, unless the text would read as null. */
static struct node *
text_node(char *text)
{
	struct node *n;

	n = node_scalar(text);
	if (node_is_null(n))
		n->quoted = 1;
	free(text);
	return n;
}

/* Attributes worth keeping: not xsi:, not xml:, not namespace decls. */
static int
keep_attr(const struct wsman_attr *a)
{
	if (a->ns == NULL)
		return 1;
	return strcmp(a->ns, WSMAN_NS_XSI) != 0 &&
	    strcmp(a->ns, (const char *)XML_XML_NAMESPACE) != 0;
}

/* Add key: value; a key seen before turns into a sequence of values. */
static void
map_add(struct node *map, const char *key, struct node *value)
{
	struct node *old, *seq;

	if ((old = node_get(map, key)) == NULL) {
		node_map_append(map, node_scalar(key), value);
		return;
	}
	if (old->kind == NODE_SEQ) {
		node_seq_push(old, value);
		return;
	}
	seq = node_seq();
	node_seq_push(seq, node_copy(old));
	node_seq_push(seq, value);
	node_map_set(map, key, seq);
}

static void
add_attrs(struct node *map, const char *prefix, const struct wsman_el *e)
{
	const struct wsman_attr *a;
	char *key;

	for (a = e->attrs; a != NULL; a = a->next) {
		if (!keep_attr(a))
			continue;
		key = xasprintf("%s@%s", prefix, a->name);
		map_add(map, key, text_node(xstrdup(a->value)));
		free(key);
	}
}

struct node *
wsman_xml_to_node(const struct wsman_el *e)
{
	const struct wsman_el *c;
	struct node *map, *v;

	if (is_nil(e))
		return node_scalar("");
	if (!has_elements(e))
		return text_node(wsman_el_text(e));
	map = node_map();
	add_attrs(map, "", e);
	for (c = wsman_el_child(e, NULL, NULL); c != NULL;
	    c = wsman_el_next(c, NULL, NULL)) {
		v = wsman_xml_to_node(c);
		map_add(map, c->name, v);
		if (v->kind == NODE_SCALAR)
			add_attrs(map, c->name, c);
	}
	return map;
}

size_t
wsman_list_len(const struct node *n)
{
	if (n == NULL)
		return 0;
	return n->kind == NODE_SEQ ? n->nitems : 1;
}

const struct node *
wsman_list(const struct node *n, size_t i)
{
	if (n == NULL)
		return NULL;
	if (n->kind != NODE_SEQ)
		return i == 0 ? n : NULL;
	return i < n->nitems ? n->items[i] : NULL;
}

/* --- readers ------------------------------------------------------------ */

static int
expect_content(const struct wsman_reply *r, const char *ns, const char *name,
    char **cause)
{
	if (wsman_el_is(r->content, ns, name))
		return 0;
	return cause_set(cause, "reply has no %s element", name);
}

/*
 * Items and EndOfSequence come in either namespace
 * (docs/windows-behaviour.md#enumeration).
 */
static const struct wsman_el *
enum_child(const struct wsman_el *resp, const char *name)
{
	const struct wsman_el *n;

	if ((n = wsman_el_child(resp, WSMAN_NS_WSEN, name)) != NULL)
		return n;
	return wsman_el_child(resp, WSMAN_NS_WSMAN, name);
}

int
wsman_reply_items(const struct wsman_reply *r, struct node *items,
    char **context, int *end, char **cause)
{
	const struct wsman_el *resp, *list, *c;
	char *ctx;

	*context = NULL;
	*end = 0;
	resp = r->content;
	if (!wsman_el_is(resp, WSMAN_NS_WSEN, "EnumerateResponse") &&
	    !wsman_el_is(resp, WSMAN_NS_WSEN, "PullResponse"))
		return cause_set(cause,
		    "reply has no EnumerateResponse or PullResponse element");
	list = enum_child(resp, "Items");
	for (c = wsman_el_child(list, NULL, NULL); c != NULL;
	    c = wsman_el_next(c, NULL, NULL))
		node_seq_push(items, wsman_xml_to_node(c));
	*end = enum_child(resp, "EndOfSequence") != NULL;
	ctx = nonempty(wsman_el_text(wsman_el_child(resp, WSMAN_NS_WSEN,
	    "EnumerationContext")));
	if (!*end && ctx == NULL)
		return cause_set(cause,
		    "reply has neither EndOfSequence nor an EnumerationContext");
	*context = ctx;
	return 0;
}

int
wsman_reply_created(const struct wsman_reply *r, struct node **selectors,
    char **cause)
{
	const struct wsman_el *set, *s;
	struct node *map;
	char *name;

	*selectors = NULL;
	if (expect_content(r, WSMAN_NS_WST, "ResourceCreated", cause) == -1)
		return -1;
	set = wsman_el_child(wsman_el_child(r->content, WSMAN_NS_WSA,
	    "ReferenceParameters"), WSMAN_NS_WSMAN, "SelectorSet");
	if (set == NULL)
		return cause_set(cause, "ResourceCreated has no SelectorSet");
	map = node_map();
	for (s = wsman_el_child(set, WSMAN_NS_WSMAN, "Selector"); s != NULL;
	    s = wsman_el_next(s, WSMAN_NS_WSMAN, "Selector")) {
		if ((name = wsman_el_attr(s, "Name")) == NULL)
			continue;
		map_add(map, name, text_node(wsman_el_text(s)));
		free(name);
	}
	*selectors = map;
	return 0;
}

int
wsman_reply_command_id(const struct wsman_reply *r, char **id, char **cause)
{
	*id = NULL;
	if (expect_content(r, WSMAN_NS_RSP, "CommandResponse", cause) == -1)
		return -1;
	*id = nonempty(wsman_el_text(wsman_el_child(r->content, WSMAN_NS_RSP,
	    "CommandId")));
	if (*id == NULL)
		return cause_set(cause, "CommandResponse has no CommandId");
	return 0;
}

static int
receive_stream(const struct wsman_el *s, const char *command_id,
    struct wsman_cmd *out, size_t max_output, char **cause)
{
	char *name, *id, *text;
	struct buf *to = NULL;
	int rc = -1;

	name = wsman_el_attr(s, "Name");
	id = wsman_el_attr(s, "CommandId");
	text = wsman_el_text(s);
	if (id != NULL && command_id != NULL && strcasecmp(id, command_id) != 0) {
		cause_set(cause, "reply carries output of another command");
		goto out;
	}
	if (name != NULL && strcmp(name, "stdout") == 0)
		to = &out->out;
	else if (name != NULL && strcmp(name, "stderr") == 0)
		to = &out->err;
	if (to != NULL && wsman_base64_decode(to, text, strlen(text),
	    cause) == -1) {
		cause_prefix(cause, "%s stream", name);
		goto out;
	}
	if (out->out.len + out->err.len > max_output) {
		cause_set(cause, "command output exceeds %zu bytes",
		    max_output);
		goto out;
	}
	rc = 0;
out:
	free(name);
	free(id);
	free(text);
	return rc;
}

static int
receive_state(const struct wsman_el *cs, struct wsman_cmd *out, int *done,
    char **cause)
{
	char *state, *code, *end;
	size_t n;
	long v;
	int rc = -1;

	state = wsman_el_attr(cs, "State");
	code = wsman_el_text(wsman_el_child(cs, WSMAN_NS_RSP, "ExitCode"));
	n = state != NULL ? strlen(state) : 0;
	if (n < 5 || strcmp(state + n - 5, "/Done") != 0) {
		rc = 0;
		goto out;
	}
	*done = 1;
	errno = 0;
	v = code != NULL ? strtol(code, &end, 10) : 0;
	if (code == NULL || *code == '\0' || *end != '\0' || errno != 0) {
		cause_set(cause, "command finished without a valid ExitCode");
		goto out;
	}
	out->exit_code = v;
	rc = 0;
out:
	free(state);
	free(code);
	return rc;
}

int
wsman_reply_receive(const struct wsman_reply *r, const char *command_id,
    struct wsman_cmd *out, size_t max_output, int *done, char **cause)
{
	const struct wsman_el *c;

	*done = 0;
	if (expect_content(r, WSMAN_NS_RSP, "ReceiveResponse", cause) == -1)
		return -1;
	for (c = wsman_el_child(r->content, NULL, NULL); c != NULL;
	    c = wsman_el_next(c, NULL, NULL)) {
		if (wsman_el_is(c, WSMAN_NS_RSP, "Stream")) {
			if (receive_stream(c, command_id, out, max_output,
			    cause) == -1)
				return -1;
		} else if (wsman_el_is(c, WSMAN_NS_RSP, "CommandState")) {
			if (receive_state(c, out, done, cause) == -1)
				return -1;
		}
	}
	return 0;
}

/* --- base64 ------------------------------------------------------------- */

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Each rsp:Stream chunk carries its own padding: decode it alone. */
int
wsman_base64_decode(struct buf *out, const char *in, size_t len,
    char **cause)
{
	unsigned long acc = 0;
	size_t i, n = 0, pad = 0;
	int v;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (v = b64_value(c)) < 0)
			return cause_set(cause, "invalid base64");
		acc = (acc << 6) | (unsigned long)v;
		if (++n % 4 == 0) {
			buf_putc(out, (char)(acc >> 16));
			buf_putc(out, (char)(acc >> 8));
			buf_putc(out, (char)acc);
			acc = 0;
		}
	}
	if ((n + pad) % 4 != 0 || pad > 2 || (n % 4 != 0 && n % 4 + pad != 4) ||
	    (n % 4 == 0 && pad != 0))
		return cause_set(cause, "invalid base64");
	if (n % 4 == 2)
		buf_putc(out, (char)(acc >> 4));
	else if (n % 4 == 3) {
		buf_putc(out, (char)(acc >> 10));
		buf_putc(out, (char)(acc >> 2));
	}
	return 0;
}
