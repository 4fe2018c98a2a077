/*
 * test_wsman.c: the WS-Man client against canned replies: what it sends
 * for each operation, what it makes of each reply, and the one-line error
 * for every way an exchange can go wrong.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/xmlsave.h>

#include "wsman.h"
#include "wsman_fake.h"

#define F(x)		"fixtures/" x
#define URI_AUTH	WSMAN_URI_CONFIG "/service/auth"
#define URI_REG		WSMAN_URI_WMI "/root/default/StdRegProv"
#define PASSWORD	"S3cret-Passw0rd"

struct t {
	struct fake			 f;
	struct wsman_transport_ops	 ops;
	struct wsman_opts		 o;
	struct wsman			*ws;
	char				*cause;
};

static void
t_start(struct t *t, const struct canned *script, size_t n)
{
	char *cause = NULL;

	fake_opts(&t->o, &t->ops, &t->f, script, n);
	if (wsman_new(&t->ws, &t->o, &cause) != 0)
		fail_msg("wsman_new: %s", cause);
}

static void
t_end(struct t *t)
{
	size_t i;

	/* No request and no message may ever carry the password. */
	for (i = 0; i < t->f.nsent; i++)
		assert_null(strstr(t->f.sent[i], PASSWORD));
	if (t->cause != NULL)
		assert_null(strstr(t->cause, PASSWORD));
	wsman_free(t->ws);
	fake_release(&t->f);
	free(t->cause);
	t->ws = NULL;
	t->cause = NULL;
}

/* A request as sent, parsed back. */
struct sent {
	xmlDoc	*doc;
	xmlNode	*header;
	xmlNode	*body;
};

static void
sent_parse(struct sent *s, const struct t *t, size_t i)
{
	char *cause = NULL;
	xmlNode *root;

	assert_true(i < t->f.nsent);
	if (wsman_xml_parse(&s->doc, t->f.sent[i], strlen(t->f.sent[i]),
	    &cause) != 0)
		fail_msg("request %zu: %s", i, cause);
	root = xmlDocGetRootElement(s->doc);
	assert_true(wsman_xml_is(root, WSMAN_NS_SOAP, "Envelope"));
	s->header = wsman_xml_child(root, WSMAN_NS_SOAP, "Header");
	s->body = wsman_xml_child(root, WSMAN_NS_SOAP, "Body");
	assert_non_null(s->header);
	assert_non_null(s->body);
}

static void
sent_free(struct sent *s)
{
	xmlFreeDoc(s->doc);
}

/* Assert the text of a header element (ns, name). */
static void
hdr_is(const struct sent *s, const char *ns, const char *name,
    const char *want)
{
	char *text;

	text = wsman_xml_text(wsman_xml_child(s->header, ns, name));
	if (text == NULL)
		fail_msg("no header %s", name);
	assert_string_equal(text, want);
	free(text);
}

static char *
hdr_text(const struct sent *s, const char *ns, const char *name)
{
	return wsman_xml_text(wsman_xml_child(s->header, ns, name));
}

static void
sent_action(const struct t *t, size_t i, const char *action)
{
	struct sent s;

	sent_parse(&s, t, i);
	hdr_is(&s, WSMAN_NS_WSA, "Action", action);
	sent_free(&s);
}

static const char *
str(const struct node *n, const char *key)
{
	const char *v = node_get_str(n, key);

	if (v == NULL)
		fail_msg("no key %s", key);
	return v;
}

/* --- what goes out ------------------------------------------------------ */

static void
test_get_envelope(void **state)
{
	static const struct canned script[] = {
		{ .file = F("config_get_response_defaults_maxenvelope500.xml") },
	};
	struct t t = { 0 };
	struct node *n = NULL;
	struct sent s;
	xmlNode *loc, *addr, *max;
	char *id, *mu, *lang;
	long long v;
	int b;

	t_start(&t, script, 1);
	assert_int_equal(wsman_get(t.ws, WSMAN_REF(WSMAN_URI_CONFIG), &n,
	    &t.cause), 0);
	sent_parse(&s, &t, 0);
	hdr_is(&s, WSMAN_NS_WSA, "Action", WSMAN_NS_WST "/Get");
	hdr_is(&s, WSMAN_NS_WSMAN, "ResourceURI", WSMAN_URI_CONFIG);
	hdr_is(&s, WSMAN_NS_WSA, "To", "https://node1.contoso.test:5986/wsman");
	hdr_is(&s, WSMAN_NS_WSMAN, "MaxEnvelopeSize", "153600");
	hdr_is(&s, WSMAN_NS_WSMAN, "OperationTimeout", "PT20S");
	id = hdr_text(&s, WSMAN_NS_WSA, "MessageID");
	assert_int_equal(strlen(id), 41);
	assert_memory_equal(id, "uuid:", 5);
	free(id);
	addr = wsman_xml_child(wsman_xml_child(s.header, WSMAN_NS_WSA,
	    "ReplyTo"), WSMAN_NS_WSA, "Address");
	id = wsman_xml_text(addr);
	assert_string_equal(id, "http://schemas.xmlsoap.org/ws/2004/08/"
	    "addressing/role/anonymous");
	free(id);
	loc = wsman_xml_child(s.header, WSMAN_NS_WSMAN, "Locale");
	mu = (char *)xmlGetNsProp(loc, (const xmlChar *)"mustUnderstand",
	    (const xmlChar *)WSMAN_NS_SOAP);
	lang = (char *)xmlNodeGetLang(loc);
	assert_string_equal(mu, "false");
	assert_string_equal(lang, "en-US");
	xmlFree(mu);
	xmlFree(lang);
	max = wsman_xml_child(s.header, WSMAN_NS_WSMAN, "MaxEnvelopeSize");
	mu = (char *)xmlGetNsProp(max, (const xmlChar *)"mustUnderstand",
	    (const xmlChar *)WSMAN_NS_SOAP);
	assert_string_equal(mu, "true");
	xmlFree(mu);
	assert_non_null(wsman_xml_child(s.header, WSMAN_NS_WSMV, "DataLocale"));
	assert_null(wsman_xml_child(s.header, WSMAN_NS_WSMAN, "SelectorSet"));
	assert_null(wsman_xml_child(s.body, NULL, NULL));
	sent_free(&s);

	assert_int_equal(node_int(node_get(n, "MaxEnvelopeSizekb"), &v), 0);
	assert_int_equal(v, 500);
	assert_int_equal(node_bool(node_getv(n, "Service", "Auth", "CredSSP",
	    NULL), &b), 0);
	assert_true(b);
	assert_string_equal(node_getv(n, "Service", "Auth",
	    "CbtHardeningLevel", NULL)->value, "Relaxed");
	/* An empty element is an empty string, not null. */
	assert_false(node_is_null(node_getv(n, "Client", "TrustedHosts",
	    NULL)));
	assert_string_equal(node_getv(n, "Client", "TrustedHosts",
	    NULL)->value, "");
	node_free(n);
	t_end(&t);
}

static void
test_selectors_escaped(void **state)
{
	static const struct canned script[] = {
		{ .file = F("get_shell_instance_response.xml") },
	};
	static const struct wsman_selector sel[] = {
		{ "Name", "a<b&c>\"d'e ]]>" },
		{ "Other", "\xc3\xa9t\xc3\xa9" },
	};
	struct wsman_ref ref = { WSMAN_URI_WMI "/root/cimv2/Win32_Service",
	    sel, 2 };
	struct t t = { 0 };
	struct node *n = NULL;
	struct sent s;
	xmlNode *set, *x;
	char *name, *value;

	t_start(&t, script, 1);
	assert_int_equal(wsman_get(t.ws, &ref, &n, &t.cause), 0);
	sent_parse(&s, &t, 0);
	set = wsman_xml_child(s.header, WSMAN_NS_WSMAN, "SelectorSet");
	x = wsman_xml_child(set, WSMAN_NS_WSMAN, "Selector");
	name = wsman_xml_attr(x, "Name");
	value = wsman_xml_text(x);
	assert_string_equal(name, "Name");
	assert_string_equal(value, sel[0].value);
	free(name);
	free(value);
	x = wsman_xml_next(x, WSMAN_NS_WSMAN, "Selector");
	value = wsman_xml_text(x);
	assert_string_equal(value, sel[1].value);
	free(value);
	sent_free(&s);
	assert_string_equal(str(n, "State"), "Connected");
	node_free(n);
	t_end(&t);
}

static void
test_unsendable_text(void **state)
{
	static const struct wsman_selector bad[] = {
		{ "Name", "a\001b" },
		{ "Name", "\xc3(" },
	};
	struct t t = { 0 };
	struct node *n = NULL;
	size_t i;

	t_start(&t, NULL, 0);
	for (i = 0; i < nitems(bad); i++) {
		struct wsman_ref ref = { WSMAN_URI_CONFIG, &bad[i], 1 };

		assert_int_equal(wsman_get(t.ws, &ref, &n, &t.cause), -1);
		assert_string_equal(t.cause, "node1.contoso.test: Get "
		    WSMAN_URI_CONFIG ": selector value holds text that XML "
		    "cannot carry");
		assert_int_equal(wsman_last_error(t.ws), WSMAN_E_USAGE);
	}
	assert_int_equal(t.f.nsent, 0);
	t_end(&t);
}

static void
test_put_body(void **state)
{
	static const struct canned script[] = {
		{ .file = F("spec_examples/spec_4.1.3_wmi_put_response.xml") },
	};
	struct wsman_body body = { "Auth", URI_AUTH, NULL, NULL };
	struct t t = { 0 };
	struct node *fields, *out = NULL;
	struct sent s;
	xmlNode *auth, *c;
	char *text;

	fields = node_map();
	node_map_set(fields, "CredSSP", node_scalar("true"));
	body.fields = fields;
	t_start(&t, script, 1);
	assert_int_equal(wsman_put(t.ws, WSMAN_REF(URI_AUTH), &body, &out,
	    &t.cause), 0);
	sent_parse(&s, &t, 0);
	hdr_is(&s, WSMAN_NS_WSA, "Action", WSMAN_NS_WST "/Put");
	auth = wsman_xml_child(s.body, NULL, NULL);
	assert_true(wsman_xml_is(auth, URI_AUTH, "Auth"));
	c = wsman_xml_child(auth, NULL, NULL);
	assert_true(wsman_xml_is(c, URI_AUTH, "CredSSP"));
	text = wsman_xml_text(c);
	assert_string_equal(text, "true");
	free(text);
	assert_null(wsman_xml_next(c, NULL, NULL));
	sent_free(&s);
	assert_string_equal(str(out, "Data1"), "Test Message");
	node_free(out);
	node_free(fields);
	t_end(&t);
}

/* Sequences repeat an element, null is xsi:nil, maps nest, @ is an
 * attribute. */
static void
test_fields_to_xml(void **state)
{
	static const struct canned script[] = {
		{ .file = "invoke_not_found.xml" },
	};
	struct t t = { 0 };
	struct node *params, *seq, *sub, *out = NULL;
	struct sent s;
	xmlNode *in, *c;
	xmlChar *nil;
	char *text;
	long long rv;

	params = node_map();
	node_map_set(params, "hDefKey", node_scalar("2147483650"));
	seq = node_seq();
	node_seq_push(seq, node_scalar("wsman/a"));
	node_seq_push(seq, node_scalar("wsman/b&c"));
	node_map_set(params, "sValue", seq);
	node_map_set(params, "sValue@Kind", node_scalar("list"));
	node_map_set(params, "Nothing", node_scalar(""));
	sub = node_map();
	node_map_set(sub, "Inner", node_scalar("1"));
	node_map_set(params, "Nested", sub);
	t_start(&t, script, 1);
	assert_int_equal(wsman_invoke(t.ws, WSMAN_REF(URI_REG),
	    "GetDWORDValue", params, 0, &out, &t.cause), 0);
	/* A non-zero ReturnValue is the method's answer, not a failure. */
	assert_int_equal(node_int(node_get(out, "ReturnValue"), &rv), 0);
	assert_int_equal(rv, 2);
	sent_parse(&s, &t, 0);
	hdr_is(&s, WSMAN_NS_WSA, "Action", URI_REG "/GetDWORDValue");
	in = wsman_xml_child(s.body, NULL, NULL);
	assert_true(wsman_xml_is(in, URI_REG, "GetDWORDValue_INPUT"));
	c = wsman_xml_child(in, URI_REG, "hDefKey");
	c = wsman_xml_next(c, URI_REG, "sValue");
	text = wsman_xml_text(c);
	assert_string_equal(text, "wsman/a");
	free(text);
	c = wsman_xml_next(c, URI_REG, "sValue");
	text = wsman_xml_text(c);
	assert_string_equal(text, "wsman/b&c");
	free(text);
	text = wsman_xml_attr(c, "Kind");
	assert_string_equal(text, "list");
	free(text);
	c = wsman_xml_next(c, URI_REG, "Nothing");
	nil = xmlGetNsProp(c, (const xmlChar *)"nil",
	    (const xmlChar *)WSMAN_NS_XSI);
	assert_string_equal((char *)nil, "true");
	xmlFree(nil);
	c = wsman_xml_next(c, URI_REG, "Nested");
	assert_non_null(wsman_xml_child(c, URI_REG, "Inner"));
	sent_free(&s);
	node_free(out);
	node_free(params);
	t_end(&t);
}

/* --- what comes back ---------------------------------------------------- */

static void
test_xml_to_node(void **state)
{
	static const struct canned script[] = {
		{ .file = "get_auth_gpo.xml" },
		{ .file = "invoke_enumvalues.xml" },
	};
	struct t t = { 0 };
	struct node *n = NULL;
	const struct node *v;
	int b;

	t_start(&t, script, 2);
	assert_int_equal(wsman_get(t.ws, WSMAN_REF(URI_AUTH), &n, &t.cause), 0);
	assert_int_equal(node_bool(node_get(n, "CredSSP"), &b), 0);
	assert_true(b);
	assert_string_equal(str(n, "CredSSP@Source"), "GPO");
	assert_null(node_get(n, "Basic@Source"));
	assert_true(node_is_null(node_get(n, "Note")));
	assert_false(node_is_null(node_get(n, "Empty")));
	node_free(n);
	assert_int_equal(wsman_invoke(t.ws, WSMAN_REF(URI_REG), "EnumValues",
	    NULL, WSMAN_READONLY, &n, &t.cause), 0);
	v = node_get(n, "sNames");
	assert_int_equal(wsman_list_len(v), 2);
	assert_string_equal(wsman_list(v, 1)->value, "2");
	assert_null(wsman_list(v, 2));
	v = node_get(n, "ReturnValue");
	assert_int_equal(wsman_list_len(v), 1);
	assert_string_equal(wsman_list(v, 0)->value, "0");
	node_free(n);
	t_end(&t);
}

static void
test_enumerate_optimized(void **state)
{
	static const struct canned script[] = {
		{ .file = F("enumerate_shells_optimized_response_items_"
		    "endofsequence.xml") },
	};
	struct t t = { 0 };
	struct node *items = NULL;
	struct sent s;
	xmlNode *en;

	t_start(&t, script, 1);
	assert_int_equal(wsman_enumerate(t.ws, WSMAN_REF(WSMAN_NS_RSP), NULL,
	    &items, &t.cause), 0);
	assert_int_equal(items->kind, NODE_SEQ);
	assert_int_equal(items->nitems, 2);
	assert_string_equal(str(items->items[0], "ShellId"),
	    "B6631D8E-65A0-49F2-9053-A1B156C95777");
	assert_string_equal(str(items->items[1], "State"), "Disconnected");
	sent_parse(&s, &t, 0);
	hdr_is(&s, WSMAN_NS_WSA, "Action", WSMAN_NS_WSEN "/Enumerate");
	en = wsman_xml_child(s.body, WSMAN_NS_WSEN, "Enumerate");
	assert_non_null(wsman_xml_child(en, WSMAN_NS_WSMAN,
	    "OptimizeEnumeration"));
	assert_non_null(wsman_xml_child(en, WSMAN_NS_WSMAN, "MaxElements"));
	sent_free(&s);
	node_free(items);
	t_end(&t);
}

static void
pull_context_is(const struct t *t, size_t i, const char *ctx)
{
	struct sent s;
	char *text;

	sent_parse(&s, t, i);
	hdr_is(&s, WSMAN_NS_WSA, "Action", WSMAN_NS_WSEN "/Pull");
	text = wsman_xml_text(wsman_xml_child(wsman_xml_child(s.body,
	    WSMAN_NS_WSEN, "Pull"), WSMAN_NS_WSEN, "EnumerationContext"));
	assert_string_equal(text, ctx);
	free(text);
	sent_free(&s);
}

static void
test_enumerate_pull(void **state)
{
	static const struct canned script[] = {
		{ .file = F("spec_examples/spec_4.1.2.2_enumerate_response_"
		    "context.xml") },
		{ .file = F("spec_examples/spec_4.1.2.4_pull_response_items.xml") },
		{ .file = F("spec_examples/spec_4.1.2.6_pull_response_"
		    "endofsequence.xml") },
	};
	static const struct wsman_filter wql = {
		"SELECT * FROM Win32_Service WHERE Name='WinRM'", NULL, 0
	};
	struct t t = { 0 };
	struct node *items = NULL;
	struct sent s;
	xmlNode *f;
	char *text, *dialect;

	t_start(&t, script, 3);
	assert_int_equal(wsman_enumerate(t.ws,
	    WSMAN_REF(WSMAN_URI_WMI "/root/cimv2/*"), &wql, &items,
	    &t.cause), 0);
	assert_int_equal(items->nitems, 2);
	assert_string_equal(str(items->items[0], "Data1"), "Test Message");
	assert_string_equal(str(items->items[1], "id"), "2");
	assert_int_equal(t.f.nsent, 3);
	sent_parse(&s, &t, 0);
	f = wsman_xml_child(wsman_xml_child(s.body, WSMAN_NS_WSEN,
	    "Enumerate"), WSMAN_NS_WSMAN, "Filter");
	text = wsman_xml_text(f);
	dialect = wsman_xml_attr(f, "Dialect");
	assert_string_equal(text, wql.wql);
	assert_string_equal(dialect, WSMAN_DIALECT_WQL);
	free(text);
	free(dialect);
	sent_free(&s);
	pull_context_is(&t, 1, "uuid:22EB9809-5543-4020-A75C-FD95FF06217B");
	pull_context_is(&t, 2, "uuid:2504CA0D-94B9-4F91-B2F7-9F4CD9A2A96C");
	node_free(items);
	t_end(&t);
}

static void
test_enumerate_selector_filter(void **state)
{
	static const struct canned script[] = {
		{ .file = F("enumerate_selectorfilter_response_empty.xml") },
	};
	static const struct wsman_selector sel[] = {
		{ "ShellId", "B6631D8E-65A0-49F2-9053-A1B156C95777" },
	};
	struct wsman_filter filter = { NULL, sel, 1 };
	struct t t = { 0 };
	struct node *items = NULL;
	struct sent s;
	xmlNode *f;
	char *dialect;

	t_start(&t, script, 1);
	assert_int_equal(wsman_enumerate(t.ws, WSMAN_REF(WSMAN_NS_RSP),
	    &filter, &items, &t.cause), 0);
	assert_int_equal(items->nitems, 0);
	sent_parse(&s, &t, 0);
	f = wsman_xml_child(wsman_xml_child(s.body, WSMAN_NS_WSEN,
	    "Enumerate"), WSMAN_NS_WSMAN, "Filter");
	dialect = wsman_xml_attr(f, "Dialect");
	assert_string_equal(dialect, WSMAN_DIALECT_SELECTOR);
	free(dialect);
	assert_non_null(wsman_xml_child(wsman_xml_child(f, WSMAN_NS_WSMAN,
	    "SelectorSet"), WSMAN_NS_WSMAN, "Selector"));
	sent_free(&s);
	node_free(items);
	t_end(&t);
}

/* A host that never ends an enumeration is cut off, and told so. */
static void
test_enumerate_runaway(void **state)
{
	static const struct canned script[] = {
		{ .file = F("spec_examples/spec_4.1.2.2_enumerate_response_"
		    "context.xml") },
		{ .file = "pull_forever.xml" },
	};
	struct t t = { 0 };
	struct node *items = NULL;

	fake_opts(&t.o, &t.ops, &t.f, script, 2);
	t.f.repeat_last = 1;
	t.o.max_items = 5;
	assert_int_equal(wsman_new(&t.ws, &t.o, &t.cause), 0);
	assert_int_equal(wsman_enumerate(t.ws, WSMAN_REF(WSMAN_URI_CONFIG),
	    NULL, &items, &t.cause), -1);
	assert_null(items);
	assert_string_equal(t.cause, "node1.contoso.test: Pull "
	    WSMAN_URI_CONFIG ": enumeration exceeds 5 items or 10000 rounds");
	assert_int_equal(t.f.nsent, 1 + 6 + 1);
	sent_action(&t, t.f.nsent - 1, WSMAN_NS_WSEN "/Release");
	t_end(&t);
}

static void
test_batch_reads(void **state)
{
	static const struct canned script[] = {
		{ .file = F("config_get_response_defaults_maxenvelope500.xml") },
		{ .file = F("spec_examples/spec_4.1.2.2_enumerate_response_"
		    "context.xml") },
		{ .file = "invoke_enumvalues.xml" },
		{ .status = 500, .file = F("fault_get_invalid_selectors_shell_"
		    "provider.xml") },
		{ .file = F("spec_examples/spec_4.1.2.6_pull_response_"
		    "endofsequence.xml") },
	};
	struct wsman_read r[4];
	struct t t = { 0 };
	size_t i;

	memset(r, 0, sizeof(r));
	r[0].kind = WSMAN_READ_GET;
	r[0].ref.uri = WSMAN_URI_CONFIG;
	r[1].kind = WSMAN_READ_ENUMERATE;
	r[1].ref.uri = WSMAN_URI_CONFIG "/listener";
	r[2].kind = WSMAN_READ_INVOKE;
	r[2].ref.uri = URI_REG;
	r[2].method = "EnumValues";
	r[3].kind = WSMAN_READ_GET;
	r[3].ref.uri = URI_AUTH;
	t_start(&t, script, nitems(script));
	assert_int_equal(wsman_read_many(t.ws, r, 4), -1);
	/* Four reads in one exchange, then the one Pull. */
	assert_int_equal(t.f.exchanges, 2);
	assert_int_equal(t.f.max_batch, 4);
	assert_int_equal(r[0].rc, 0);
	assert_string_equal(str(r[0].result, "MaxTimeoutms"), "60000");
	assert_int_equal(r[1].rc, 0);
	assert_int_equal(r[1].result->nitems, 1);
	assert_int_equal(r[2].rc, 0);
	assert_int_equal(wsman_list_len(node_get(r[2].result, "Types")), 2);
	assert_int_equal(r[3].rc, -1);
	assert_int_equal(r[3].error, WSMAN_E_FAULT);
	assert_int_equal(r[3].fault_code, 2150858843UL);
	assert_string_equal(r[3].cause, "node1.contoso.test: Get " URI_AUTH
	    ": WS-Man fault 2150858843 (w:InvalidSelectors): The WS-Management "
	    "service cannot process the request because the request contained "
	    "invalid selectors for the resource");
	for (i = 0; i < 4; i++)
		wsman_read_release(&r[i]);
	t_end(&t);
}

/* --- errors ------------------------------------------------------------- */

/*
 * The certificate a new connection's handshake saw is kept for
 * wsman_peer_chain(); a write (it may rebind the listener) forgets it,
 * so that only a later handshake counts.
 */
static void
test_peer_chain(void **state)
{
	static const struct canned script[] = {
		{ .file = "get_auth_gpo.xml", .peer_chain = "OLD" },
		{ .file = F("spec_examples/spec_4.1.3_wmi_put_response.xml") },
		{ .file = "get_auth_gpo.xml", .peer_chain = "NEW" },
	};
	struct wsman_body body = { "Auth", URI_AUTH, NULL, NULL };
	struct t t = { 0 };
	struct node *out = NULL, *fields = node_map();
	const struct buf *b;

	body.fields = fields;
	t_start(&t, script, nitems(script));
	assert_null(wsman_peer_chain(t.ws));
	assert_int_equal(wsman_get(t.ws, WSMAN_REF(URI_AUTH), &out,
	    &t.cause), 0);
	node_free(out);
	assert_non_null(b = wsman_peer_chain(t.ws));
	assert_int_equal(b->len, 3);
	assert_memory_equal(b->ptr, "OLD", 3);
	assert_int_equal(wsman_put(t.ws, WSMAN_REF(URI_AUTH), &body, &out,
	    &t.cause), 0);
	node_free(out);
	assert_null(wsman_peer_chain(t.ws));
	assert_int_equal(wsman_get(t.ws, WSMAN_REF(URI_AUTH), &out,
	    &t.cause), 0);
	node_free(out);
	assert_non_null(b = wsman_peer_chain(t.ws));
	assert_memory_equal(b->ptr, "NEW", 3);
	node_free(fields);
	t_end(&t);
}

static void
test_fault_line(void **state)
{
	static const struct canned script[] = {
		{ .status = 500,
		  .file = F("fault_get_invalid_selectors_shell_provider.xml") },
	};
	const struct wsman_fault *f;
	struct t t = { 0 };
	struct node *n = NULL;

	fake_opts(&t.o, &t.ops, &t.f, script, 1);
	t.o.name = "node2.contoso.test";
	assert_int_equal(wsman_new(&t.ws, &t.o, &t.cause), 0);
	assert_int_equal(wsman_get(t.ws, WSMAN_REF(URI_AUTH), &n, &t.cause),
	    -1);
	assert_null(n);
	assert_string_equal(t.cause, "node2.contoso.test: Get "
	    "http://schemas.microsoft.com/wbem/wsman/1/config/service/auth: "
	    "WS-Man fault 2150858843 (w:InvalidSelectors): The WS-Management "
	    "service cannot process the request because the request contained "
	    "invalid selectors for the resource");
	assert_int_equal(wsman_last_error(t.ws), WSMAN_E_FAULT);
	f = wsman_last_fault(t.ws);
	assert_non_null(f);
	assert_int_equal(f->wsman_code, 2150858843UL);
	assert_string_equal(f->subcode, "w:InvalidSelectors");
	assert_string_equal(f->code, "s:Sender");
	assert_string_equal(f->machine, "127.0.0.1");
	assert_string_equal(f->detail, "http://schemas.dmtf.org/wbem/wsman/1/"
	    "wsman/faultDetail/UnexpectedSelectors");
	t_end(&t);
}

static void
test_auth_refused(void **state)
{
	static const struct canned script[] = {
		{ .status = 401, .offered = "Negotiate, Kerberos",
		  .body = "" },
		{ .status = 401, .body = "" },
	};
	struct t t = { 0 };
	struct node *n = NULL;

	fake_opts(&t.o, &t.ops, &t.f, script, 2);
	t.o.user = "X";
	assert_int_equal(wsman_new(&t.ws, &t.o, &t.cause), 0);
	assert_int_equal(wsman_get(t.ws, WSMAN_REF(WSMAN_URI_CONFIG), &n,
	    &t.cause), -1);
	assert_string_equal(t.cause, "node1.contoso.test: Get "
	    WSMAN_URI_CONFIG ": basic authentication refused for user 'X' "
	    "(HTTP 401; server offers: Negotiate, Kerberos): Basic is disabled "
	    "on the host: use ntlm or kerberos");
	assert_int_equal(wsman_last_error(t.ws), WSMAN_E_AUTH);
	assert_null(wsman_last_fault(t.ws));
	wsman_free(t.ws);
	/* Certificate authentication names the certificate. */
	t.o.auth = WSMAN_AUTH_CERTIFICATE;
	t.o.cert_file = "/etc/enforcer/client.pem";
	assert_int_equal(wsman_new(&t.ws, &t.o, &t.cause), 0);
	assert_int_equal(wsman_get(t.ws, WSMAN_REF(WSMAN_URI_CONFIG), &n,
	    &t.cause), -1);
	assert_string_equal(t.cause, "node1.contoso.test: Get "
	    WSMAN_URI_CONFIG ": certificate authentication refused for "
	    "certificate '/etc/enforcer/client.pem' (HTTP 401; server offers: "
	    "nothing): check the host's certificate mapping");
	t_end(&t);
}

struct failure {
	struct canned	 c;
	const char	*want;
	enum wsman_error err;
};

static const struct failure failures[] = {
	{ { .curl = 60, .verify = 10,
	    .errbuf = "SSL certificate problem: certificate has expired" },
	  "TLS: certificate expired", WSMAN_E_TLS },
	{ { .curl = 60, .verify = 0, .peer = "other.contoso.test",
	    .errbuf = "SSL: no alternative certificate subject name matches "
	    "target host name 'node1.contoso.test'" },
	  "TLS: certificate name mismatch (certificate is for "
	  "other.contoso.test)", WSMAN_E_TLS },
	{ { .curl = 60, .verify = 20 },
	  "TLS: certificate signed by an unknown CA", WSMAN_E_TLS },
	{ { .curl = 60, .verify = 19 },
	  "TLS: certificate signed by an unknown CA", WSMAN_E_TLS },
	{ { .curl = 60, .verify = 26 },
	  "TLS: certificate not valid for server authentication (no "
	  "serverAuth usage)", WSMAN_E_TLS },
	{ { .curl = 35, .errbuf = "OpenSSL/3.0.22: error:0A000410:SSL "
	    "routines::sslv3 alert handshake failure" },
	  "TLS handshake failed: OpenSSL/3.0.22: error:0A000410:SSL "
	  "routines::sslv3 alert handshake failure", WSMAN_E_TLS },
	{ { .curl = 77 }, "cannot read CA file '/etc/enforcer/ca.pem'",
	  WSMAN_E_USAGE },
	{ { .curl = 7, .os_errno = ECONNREFUSED },
	  "connection refused by 127.0.10.1:5986", WSMAN_E_CONNECT },
	{ { .curl = 7, .os_errno = EHOSTUNREACH },
	  "cannot connect to 127.0.10.1:5986: No route to host",
	  WSMAN_E_CONNECT },
	{ { .curl = 6 }, "cannot resolve host name '127.0.10.1'",
	  WSMAN_E_CONNECT },
	{ { .curl = 28, .connected = 1, .handshaken = 1 },
	  "no reply within 25000 ms (timeout)", WSMAN_E_TIMEOUT },
	{ { .curl = 28, .connected = 1 }, "no TLS handshake from "
	  "127.0.10.1:5986 within 5000 ms (connect timeout)",
	  WSMAN_E_TIMEOUT },
	{ { .curl = 28 },
	  "connecting to 127.0.10.1:5986 timed out after 5000 ms",
	  WSMAN_E_TIMEOUT },
	{ { .curl = 52, .connected = 1 }, "connection closed without a reply",
	  WSMAN_E_CONNECT },
	{ { .curl = 56, .connected = 1, .body = "<s:Envelope" },
	  "connection dropped mid-reply after 11 bytes", WSMAN_E_CONNECT },
	{ { .curl = 23, .too_big = 1 }, "reply exceeds the 1048576-byte limit",
	  WSMAN_E_REPLY },
	{ { .status = 413, .body = "" },
	  "HTTP 413: the request (", WSMAN_E_HTTP },
	{ { .status = 500, .file = "http500.html" },
	  "HTTP 500 without a SOAP fault (110 bytes)", WSMAN_E_HTTP },
	{ { .status = 404, .body = "" }, "HTTP 404 without a SOAP fault "
	  "(0 bytes)", WSMAN_E_HTTP },
	{ { .status = 200, .body = "" }, "bad reply: empty reply",
	  WSMAN_E_REPLY },
	{ { .file = "xxe.xml" }, "bad reply: reply carries a DOCTYPE (refused)",
	  WSMAN_E_REPLY },
	{ { .file = "xxe_parameter.xml" },
	  "bad reply: reply carries a DOCTYPE (refused)", WSMAN_E_REPLY },
	{ { .file = "billion_laughs.xml" },
	  "bad reply: reply carries a DOCTYPE (refused)", WSMAN_E_REPLY },
	{ { .file = "soap11_envelope.xml" },
	  "bad reply: reply is not a SOAP 1.2 envelope (root element "
	  "'Envelope' in namespace 'http://schemas.xmlsoap.org/soap/"
	  "envelope/')", WSMAN_E_REPLY },
	{ { .file = "no_body.xml" }, "bad reply: reply has no SOAP Body",
	  WSMAN_E_REPLY },
	{ { .body = "\x89PNG\r\n\x1a\n\0\0\0" }, "bad reply: malformed XML at "
	  "line 1: Start tag expected, '<' not found", WSMAN_E_REPLY },
	{ { .body = "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-"
	    "envelope\"><s:Body><a>" },
	  "bad reply: malformed XML at line 1: Premature end of data in tag a "
	  "line 1", WSMAN_E_REPLY },
	{ { .body = "<?xml version=\"1.0\" encoding=\"EUC-JP\"?><a>\xff\xff"
	    "</a>" },
	  "bad reply: malformed XML at line 1: Premature end of data in tag a "
	  "line 1 ; input conversion failed due to input error", WSMAN_E_REPLY },
	{ { .file = "get_no_relatesto.xml" }, "reply has no RelatesTo",
	  WSMAN_E_REPLY },
	{ { .file = "get_wrong_action.xml" }, "reply has an unexpected Action",
	  WSMAN_E_REPLY },
	{ { .file = "get_empty_body.xml" }, "reply body is empty",
	  WSMAN_E_REPLY },
	{ { .file = F("config_get_response_maxenvelope150.xml"),
	    .keep_relates = 1 },
	  "reply relates to another message (RelatesTo does not match our "
	  "MessageID)", WSMAN_E_REPLY },
	{ { .status = 500, .file = "fault_long_text.xml" },
	  "WS-Man fault (w:InternalError): Line one. Line two xxxxxxxxxx",
	  WSMAN_E_FAULT },
	{ { .status = 500, .file = "fault_control_chars.xml" },
	  "HTTP 500 without a SOAP fault", WSMAN_E_HTTP },
	{ { .status = 500, .file = F("fault_omi_whitespace_padded_text.xml") },
	  "WS-Man fault (w:InternalError): get-instance: instance name "
	  "parameter is missing", WSMAN_E_FAULT },
};

static void
test_failures(void **state)
{
	struct t t = { 0 };
	struct node *n = NULL;
	char *want;
	size_t i;
	FILE *err;
	int saved;

	/* No failure prints anything itself (libxml2 would, unasked). */
	fflush(stderr);
	assert_non_null(err = tmpfile());
	saved = dup(STDERR_FILENO);
	dup2(fileno(err), STDERR_FILENO);
	for (i = 0; i < nitems(failures); i++) {
		fake_opts(&t.o, &t.ops, &t.f, &failures[i].c, 1);
		t.o.address = "127.0.10.1";
		t.o.ca_file = "/etc/enforcer/ca.pem";
		t.o.retries = 0;
		assert_int_equal(wsman_new(&t.ws, &t.o, &t.cause), 0);
		assert_int_equal(wsman_get(t.ws, WSMAN_REF(WSMAN_URI_CONFIG),
		    &n, &t.cause), -1);
		assert_null(n);
		want = xasprintf("node1.contoso.test: Get %s: %s",
		    WSMAN_URI_CONFIG, failures[i].want);
		if (strncmp(t.cause, want, strlen(want)) != 0)
			fail_msg("case %zu:\n got: %s\nwant: %s", i, t.cause,
			    want);
		assert_null(strchr(t.cause, '\n'));
		assert_int_equal(wsman_last_error(t.ws), failures[i].err);
		free(want);
		t_end(&t);
	}
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_int_equal(ftell(err), 0);
	fclose(err);
}

/* A nesting deeper than libxml2's limit is refused, not recursed into. */
static void
test_deep_nesting(void **state)
{
	struct canned c = { 0 };
	struct buf b = BUF_INIT;
	struct t t = { 0 };
	struct node *n = NULL;
	int i;

	buf_puts(&b, "<s:Envelope xmlns:s=\"" WSMAN_NS_SOAP "\"><s:Body>");
	for (i = 0; i < 5000; i++)
		buf_puts(&b, "<a>");
	c.body = buf_cstr(&b);
	t_start(&t, &c, 1);
	assert_int_equal(wsman_get(t.ws, WSMAN_REF(WSMAN_URI_CONFIG), &n,
	    &t.cause), -1);
	assert_non_null(strstr(t.cause, "bad reply: malformed XML"));
	buf_release(&b);
	t_end(&t);
}

/*
 * Reads are retried on connection errors, writes never; a timeout is
 * not retried (the timeout holds).
 */
static void
test_retries(void **state)
{
	static const struct canned flaky[] = {
		{ .curl = 7, .os_errno = ECONNREFUSED },
		{ .curl = 52, .connected = 1 },
		{ .file = F("config_get_response_maxenvelope150.xml") },
	};
	static const struct canned stalled[] = {
		{ .curl = 28, .connected = 1, .handshaken = 1 },
		{ .file = F("config_get_response_maxenvelope150.xml") },
	};
	static const struct canned down[] = {
		{ .curl = 7, .os_errno = ECONNREFUSED },
		{ .curl = 7, .os_errno = ECONNREFUSED },
		{ .curl = 7, .os_errno = ECONNREFUSED },
		{ .file = F("config_get_response_maxenvelope150.xml") },
	};
	static const struct canned put[] = {
		{ .curl = 28, .connected = 1 },
		{ .file = F("spec_examples/spec_4.1.3_wmi_put_response.xml") },
	};
	struct wsman_body body = { "Auth", URI_AUTH, NULL, NULL };
	struct t t = { 0 };
	struct node *n = NULL;

	t_start(&t, flaky, 3);
	assert_int_equal(wsman_get(t.ws, WSMAN_REF(WSMAN_URI_CONFIG), &n,
	    &t.cause), 0);
	assert_int_equal(t.f.nsent, 3);
	assert_string_equal(t.f.sent[0], t.f.sent[2]);
	node_free(n);
	t_end(&t);

	t_start(&t, stalled, 2);
	assert_int_equal(wsman_get(t.ws, WSMAN_REF(WSMAN_URI_CONFIG), &n,
	    &t.cause), -1);
	assert_int_equal(t.f.nsent, 1);
	assert_int_equal(wsman_last_error(t.ws), WSMAN_E_TIMEOUT);
	t_end(&t);

	t_start(&t, down, 4);
	assert_int_equal(wsman_get(t.ws, WSMAN_REF(WSMAN_URI_CONFIG), &n,
	    &t.cause), -1);
	assert_int_equal(t.f.nsent, 3);
	t_end(&t);

	t_start(&t, put, 2);
	assert_int_equal(wsman_put(t.ws, WSMAN_REF(URI_AUTH), &body, NULL,
	    &t.cause), -1);
	assert_int_equal(t.f.nsent, 1);
	assert_int_equal(wsman_last_error(t.ws), WSMAN_E_TIMEOUT);
	t_end(&t);

	/* A method is a write unless the caller says it only reads. */
	t_start(&t, put, 2);
	assert_int_equal(wsman_invoke(t.ws, WSMAN_REF(URI_REG), "SetDWORDValue",
	    NULL, 0, &n, &t.cause), -1);
	assert_int_equal(t.f.nsent, 1);
	t_end(&t);
}

static void
test_refused_options(void **state)
{
	struct wsman_opts o;
	struct wsman *ws = NULL;
	char *cause = NULL;

	wsman_opts_init(&o);
	o.name = "node1.contoso.test";
	o.user = "admin";
	o.password = PASSWORD;
	o.scheme = "http";
	o.port = 5985;
	assert_int_equal(wsman_new(&ws, &o, &cause), -1);
	assert_null(ws);
	assert_string_equal(cause, "node1.contoso.test: refusing to send a "
	    "password over plain http://; use HTTPS (port 5986), ntlm or "
	    "kerberos");
	/* NTLM seals every message over HTTP. */
	o.auth = WSMAN_AUTH_NTLM;
	assert_int_equal(wsman_new(&ws, &o, &cause), 0);
	wsman_free(ws);
	ws = NULL;
	o.auth = WSMAN_AUTH_CERTIFICATE;
	o.cert_file = "/c.pem";
	assert_int_equal(wsman_new(&ws, &o, &cause), -1);
	assert_string_equal(cause, "node1.contoso.test: certificate "
	    "authentication needs HTTPS, not http://");
	o.auth = WSMAN_AUTH_NEGOTIATE;
	assert_int_equal(wsman_new(&ws, &o, &cause), 0);
	wsman_free(ws);
	ws = NULL;
	o.scheme = "https";
	o.auth = WSMAN_AUTH_BASIC;
	o.password = NULL;
	assert_int_equal(wsman_new(&ws, &o, &cause), -1);
	assert_string_equal(cause, "node1.contoso.test: basic authentication "
	    "needs a user and a password");
	o.password = PASSWORD;
	o.name = "node1/../evil";
	assert_int_equal(wsman_new(&ws, &o, &cause), -1);
	assert_string_equal(cause, "invalid host name 'node1/../evil'");
	o.name = "node1.contoso.test";
	o.request_timeout_ms = 1000;
	assert_int_equal(wsman_new(&ws, &o, &cause), -1);
	assert_string_equal(cause, "node1.contoso.test: request timeout "
	    "(1000 ms) must exceed the operation timeout (20000 ms)");
	assert_null(strstr(cause, PASSWORD));
	free(cause);
}

static void
test_verify_off_is_reported(void **state)
{
	struct t t = { 0 };

	fake_opts(&t.o, &t.ops, &t.f, NULL, 0);
	assert_int_equal(wsman_new(&t.ws, &t.o, &t.cause), 0);
	assert_true(wsman_tls_verified(t.ws));
	wsman_free(t.ws);
	t.o.tls_verify = 0;
	assert_int_equal(wsman_new(&t.ws, &t.o, &t.cause), 0);
	assert_false(wsman_tls_verified(t.ws));
	assert_string_equal(wsman_host(t.ws), "node1.contoso.test");
	t_end(&t);
}

/* --- remote shell ------------------------------------------------------- */

static const struct canned shell_ok[] = {
	{ .file = F("shell_create_response.xml") },
	{ .file = F("shell_command_response.xml") },
	{ .file = "receive_running_cf84.xml" },
	{ .status = 500, .file = F("fault_receive_operation_timeout_"
	    "2150858793.xml") },
	{ .file = F("shell_receive_response_stdout_done_exit0.xml") },
	{ .file = F("shell_delete_response.xml") },
};

#define SHELL_ID	"4283CBDC-3706-415B-88BD-B385F3E51A53"
#define COMMAND_ID	"CF84C20A-0A35-43FA-AF78-0B4711DA5F30"

static void
selector_is(const struct sent *s, const char *name, const char *value)
{
	xmlNode *x;
	char *n, *v;

	x = wsman_xml_child(wsman_xml_child(s->header, WSMAN_NS_WSMAN,
	    "SelectorSet"), WSMAN_NS_WSMAN, "Selector");
	n = wsman_xml_attr(x, "Name");
	v = wsman_xml_text(x);
	assert_string_equal(n, name);
	assert_string_equal(v, value);
	free(n);
	free(v);
}

static void
option_is(const struct sent *s, const char *name, const char *value)
{
	xmlNode *x;
	char *n, *v;

	for (x = wsman_xml_child(wsman_xml_child(s->header, WSMAN_NS_WSMAN,
	    "OptionSet"), WSMAN_NS_WSMAN, "Option"); x != NULL;
	    x = wsman_xml_next(x, WSMAN_NS_WSMAN, "Option")) {
		n = wsman_xml_attr(x, "Name");
		v = wsman_xml_text(x);
		if (strcmp(n, name) == 0) {
			assert_string_equal(v, value);
			free(n);
			free(v);
			return;
		}
		free(n);
		free(v);
	}
	fail_msg("no option %s", name);
}

static void
body_text_is(const struct sent *s, const char *path0, const char *path1,
    const char *want)
{
	xmlNode *x;
	char *text;

	x = wsman_xml_child(wsman_xml_child(s->body, WSMAN_NS_RSP, path0),
	    WSMAN_NS_RSP, path1);
	text = wsman_xml_text(x);
	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
}

static void
test_shell_run(void **state)
{
	struct wsman_cmd cmd = WSMAN_CMD_INIT;
	struct t t = { 0 };
	struct sent s;
	xmlNode *x;
	char *id;
	size_t i;

	t_start(&t, shell_ok, nitems(shell_ok));
	assert_int_equal(wsman_run(t.ws, "net localgroup \"Gateway "
	    "Administrators\"", 0, &cmd, &t.cause), 0);
	/* Chunks decode one by one: "aGk=" "Cg==", then "aGkNCg==". */
	assert_int_equal(cmd.out.len, 7);
	assert_memory_equal(cmd.out.ptr, "hi\nhi\r\n", 7);
	assert_int_equal(cmd.err.len, 0);
	assert_int_equal(cmd.exit_code, 0);
	/* No Signal: the shell's Delete ends the finished command. */
	assert_int_equal(t.f.nsent, 6);

	sent_parse(&s, &t, 0);
	hdr_is(&s, WSMAN_NS_WSA, "Action", WSMAN_NS_WST "/Create");
	hdr_is(&s, WSMAN_NS_WSMAN, "ResourceURI", WSMAN_URI_CMD);
	option_is(&s, "WINRS_CODEPAGE", "65001");
	body_text_is(&s, "Shell", "OutputStreams", "stdout stderr");
	sent_free(&s);

	sent_parse(&s, &t, 1);
	hdr_is(&s, WSMAN_NS_WSA, "Action", WSMAN_NS_RSP "/Command");
	selector_is(&s, "ShellId", SHELL_ID);
	option_is(&s, "WINRS_SKIP_CMD_SHELL", "False");
	body_text_is(&s, "CommandLine", "Command", "cmd.exe");
	body_text_is(&s, "CommandLine", "Arguments",
	    "/c net localgroup \"Gateway Administrators\"");
	sent_free(&s);

	for (i = 2; i < 5; i++) {
		sent_parse(&s, &t, i);
		hdr_is(&s, WSMAN_NS_WSA, "Action", WSMAN_NS_RSP "/Receive");
		selector_is(&s, "ShellId", SHELL_ID);
		option_is(&s, "WSMAN_CMDSHELL_OPTION_KEEPALIVE", "True");
		x = wsman_xml_child(wsman_xml_child(s.body, WSMAN_NS_RSP,
		    "Receive"), WSMAN_NS_RSP, "DesiredStream");
		id = wsman_xml_attr(x, "CommandId");
		assert_string_equal(id, COMMAND_ID);
		free(id);
		sent_free(&s);
	}

	sent_parse(&s, &t, 5);
	hdr_is(&s, WSMAN_NS_WSA, "Action", WSMAN_NS_WST "/Delete");
	selector_is(&s, "ShellId", SHELL_ID);
	sent_free(&s);
	wsman_cmd_release(&cmd);
	t_end(&t);
}

static void
test_shell_kept(void **state)
{
	static const struct canned script[] = {
		{ .file = F("shell_create_response.xml") },
		{ .file = F("shell_command_response.xml") },
		{ .file = F("shell_receive_response_stdout_done_exit0.xml") },
		{ .file = F("shell_signal_response.xml") },
		{ .file = F("shell_command_response.xml") },
		{ .file = "receive_done_exit2_cf84.xml" },
		{ .file = F("shell_delete_response.xml") },
	};
	struct wsman_cmd cmd = WSMAN_CMD_INIT;
	struct t t = { 0 };

	t_start(&t, script, nitems(script));
	assert_int_equal(wsman_run(t.ws, "echo hi", WSMAN_KEEP_SHELL, &cmd,
	    &t.cause), 0);
	assert_int_equal(cmd.exit_code, 0);
	/* A command that exits non-zero is an answer, not a failure. */
	assert_int_equal(wsman_run(t.ws, "net localgroup Administrators "
	    "CONTOSO\\bob /add", WSMAN_KEEP_SHELL, &cmd, &t.cause), 0);
	assert_int_equal(cmd.exit_code, 2);
	assert_string_equal(buf_cstr(&cmd.out),
	    "System error 1378 has occurred.\r\n\r\n");
	assert_string_equal(buf_cstr(&cmd.err), "The specified account name "
	    "is already a member of the group.\r\n");
	/* The first command is signalled before the second starts. */
	assert_int_equal(t.f.nsent, 6);
	sent_action(&t, 3, WSMAN_NS_RSP "/Signal");
	sent_action(&t, 4, WSMAN_NS_RSP "/Command");
	/* The last one ends with the shell's Delete. */
	assert_int_equal(wsman_close(t.ws, &t.cause), 0);
	assert_int_equal(t.f.nsent, 7);
	sent_action(&t, 6, WSMAN_NS_WST "/Delete");
	/* Nothing left to delete. */
	assert_int_equal(wsman_close(t.ws, &t.cause), 0);
	assert_int_equal(t.f.nsent, 7);
	wsman_cmd_release(&cmd);
	t_end(&t);
}

/* wsman_free() deletes a shell left open. */
static void
test_shell_deleted_on_free(void **state)
{
	static const struct canned script[] = {
		{ .file = F("shell_create_response.xml") },
		{ .file = F("shell_command_response.xml") },
		{ .file = F("shell_receive_response_stdout_done_exit0.xml") },
		{ .file = F("shell_delete_response.xml") },
	};
	struct wsman_cmd cmd = WSMAN_CMD_INIT;
	struct t t = { 0 };

	t_start(&t, script, nitems(script));
	assert_int_equal(wsman_run(t.ws, "echo hi", WSMAN_KEEP_SHELL, &cmd,
	    &t.cause), 0);
	wsman_free(t.ws);
	t.ws = NULL;
	assert_int_equal(t.f.nsent, 4);
	sent_action(&t, 3, WSMAN_NS_WST "/Delete");
	wsman_cmd_release(&cmd);
	t_end(&t);
}

static void
test_shell_failure_deletes(void **state)
{
	static const struct canned script[] = {
		{ .file = F("shell_create_response.xml") },
		{ .file = F("shell_command_response.xml") },
		{ .status = 500,
		  .file = F("fault_invalid_selectors_bad_command_id.xml") },
		{ .file = F("shell_signal_response.xml") },
		{ .file = F("shell_delete_response.xml") },
		{ .file = F("shell_create_response_winrb_v2.xml") },
	};
	struct wsman_cmd cmd = WSMAN_CMD_INIT;
	struct t t = { 0 };
	struct sent s;

	t_start(&t, script, nitems(script));
	assert_int_equal(wsman_run(t.ws, "echo hi", WSMAN_KEEP_SHELL, &cmd,
	    &t.cause), -1);
	assert_string_equal(t.cause, "node1.contoso.test: Receive "
	    WSMAN_URI_CMD ": WS-Man fault 2150858843 (w:InvalidSelectors): "
	    "The Windows Remote Shell received a request to perform an "
	    "operation on a command identifier that does not exist. Either "
	    "the command has completed execution or the client specified an "
	    "invalid command identifier");
	assert_int_equal(wsman_last_error(t.ws), WSMAN_E_FAULT);
	assert_int_equal(t.f.nsent, 5);
	sent_action(&t, 3, WSMAN_NS_RSP "/Signal");
	sent_action(&t, 4, WSMAN_NS_WST "/Delete");
	/* The next command opens a new shell. */
	assert_int_equal(wsman_run(t.ws, "echo hi", WSMAN_KEEP_SHELL, &cmd,
	    &t.cause), -1);
	sent_parse(&s, &t, 5);
	hdr_is(&s, WSMAN_NS_WSA, "Action", WSMAN_NS_WST "/Create");
	sent_free(&s);
	sent_parse(&s, &t, 6);
	selector_is(&s, "ShellId", "62DE33F0-8674-43D9-B6A5-3298012CC4CD");
	sent_free(&s);
	wsman_cmd_release(&cmd);
	t_end(&t);
}

static void
test_shell_command_timeout(void **state)
{
	static const struct canned script[] = {
		{ .file = F("shell_create_response.xml") },
		{ .file = F("shell_command_response.xml") },
		{ .status = 500, .file = F("fault_receive_operation_timeout_"
		    "2150858793.xml") },
	};
	struct wsman_cmd cmd = WSMAN_CMD_INIT;
	struct t t = { 0 };

	fake_opts(&t.o, &t.ops, &t.f, script, nitems(script));
	t.f.repeat_last = 1;
	t.o.command_timeout_ms = 30;
	assert_int_equal(wsman_new(&t.ws, &t.o, &t.cause), 0);
	assert_int_equal(wsman_run(t.ws, "ping -t 127.0.0.1", 0, &cmd,
	    &t.cause), -1);
	assert_string_equal(t.cause, "node1.contoso.test: Receive "
	    WSMAN_URI_CMD ": command still running after 30 ms");
	assert_int_equal(wsman_last_error(t.ws), WSMAN_E_TIMEOUT);
	sent_action(&t, t.f.nsent - 2, WSMAN_NS_RSP "/Signal");
	sent_action(&t, t.f.nsent - 1, WSMAN_NS_WST "/Delete");
	wsman_cmd_release(&cmd);
	t_end(&t);
}

static int stop_calls;

/* The run is asked to stop on the fourth look. */
static int
stop_on_fourth(void)
{
	return ++stop_calls >= 4;
}

static void
test_shell_timedout_stop(void **state)
{
	static const struct canned script[] = {
		{ .file = F("shell_create_response.xml") },
		{ .file = F("shell_command_response.xml") },
		{ .status = 500, .file = F("fault_receive_operation_timeout_"
		    "2150858793.xml") },
	};
	struct wsman_cmd cmd = WSMAN_CMD_INIT;
	struct t t = { 0 };

	/*
	 * A host that answers every Receive with w:TimedOut at once: the
	 * client waits between asks, and a stop request ends the wait after
	 * its grace (0 here), not at the command's own deadline (10 min).
	 */
	fake_opts(&t.o, &t.ops, &t.f, script, nitems(script));
	t.f.repeat_last = 1;
	t.o.stop = stop_on_fourth;
	t.o.stop_grace_ms = 0;
	stop_calls = 0;
	assert_int_equal(wsman_new(&t.ws, &t.o, &t.cause), 0);
	assert_int_equal(wsman_run(t.ws, "ping -t 127.0.0.1", 0, &cmd,
	    &t.cause), -1);
	assert_string_equal(t.cause, "node1.contoso.test: Receive "
	    WSMAN_URI_CMD ": command still running when interrupted, given "
	    "0 ms");
	/* Create, Command, three Receives, Signal, Delete. */
	assert_int_equal(t.f.nsent, 7);
	sent_action(&t, 4, WSMAN_NS_RSP "/Receive");
	sent_action(&t, 5, WSMAN_NS_RSP "/Signal");
	sent_action(&t, 6, WSMAN_NS_WST "/Delete");
	wsman_cmd_release(&cmd);
	t_end(&t);
}

static void
test_shell_bad_replies(void **state)
{
	static const struct {
		const char	*create;
		const char	*receive;
		const char	*want;
	} cases[] = {
		{ F("shell_create_response.xml"), "receive_bad_base64_cf84.xml",
		  "Receive " WSMAN_URI_CMD ": stdout stream: invalid base64" },
		{ F("shell_create_response.xml"), "receive_other_command.xml",
		  "Receive " WSMAN_URI_CMD ": reply carries output of another "
		  "command" },
		{ F("shell_create_response.xml"),
		  "receive_done_no_exitcode_cf84.xml",
		  "Receive " WSMAN_URI_CMD ": command finished without a valid "
		  "ExitCode" },
		{ F("shell_create_response.xml"), "receive_wrong_namespace.xml",
		  "Receive " WSMAN_URI_CMD ": reply has no ReceiveResponse "
		  "element" },
		{ "create_no_shellid.xml", NULL,
		  "Create " WSMAN_URI_CMD ": ResourceCreated has no SelectorSet" },
	};
	struct wsman_cmd cmd = WSMAN_CMD_INIT;
	struct canned script[5];
	struct t t = { 0 };
	char *want;
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		memset(script, 0, sizeof(script));
		script[0].file = cases[i].create;
		script[1].file = F("shell_command_response.xml");
		script[2].file = cases[i].receive;
		script[3].file = F("shell_signal_response.xml");
		script[4].file = F("shell_delete_response.xml");
		t_start(&t, script, cases[i].receive != NULL ? 5 : 1);
		assert_int_equal(wsman_run(t.ws, "echo hi", 0, &cmd,
		    &t.cause), -1);
		want = xasprintf("node1.contoso.test: %s", cases[i].want);
		assert_string_equal(t.cause, want);
		assert_int_equal(wsman_last_error(t.ws), WSMAN_E_REPLY);
		free(want);
		t_end(&t);
	}
	wsman_cmd_release(&cmd);
}

static void
test_shell_output_cap(void **state)
{
	struct wsman_cmd cmd = WSMAN_CMD_INIT;
	struct t t = { 0 };

	fake_opts(&t.o, &t.ops, &t.f, shell_ok, nitems(shell_ok));
	t.o.max_output = 2;
	assert_int_equal(wsman_new(&t.ws, &t.o, &t.cause), 0);
	assert_int_equal(wsman_run(t.ws, "type big.txt", 0, &cmd, &t.cause),
	    -1);
	assert_string_equal(t.cause, "node1.contoso.test: Receive "
	    WSMAN_URI_CMD ": command output exceeds 2 bytes");
	wsman_cmd_release(&cmd);
	t_end(&t);
}

/* --- helpers ------------------------------------------------------------ */

static void
test_base64(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;	/* NULL: invalid */
		size_t		 len;
	} cases[] = {
		{ "aGk=", "hi", 2 }, { "Cg==", "\n", 1 }, { "", "", 0 },
		{ "YWJj", "abc", 3 }, { " YW\r\nJj ", "abc", 3 },
		{ "AAD/", "\0\0\xff", 3 }, { "aGk", NULL, 0 },
		{ "a===", NULL, 0 }, { "aG=k", NULL, 0 }, { "aGk*", NULL, 0 },
		{ "aGk==", NULL, 0 }, { "Y", NULL, 0 },
	};
	struct buf b = BUF_INIT;
	char *cause = NULL;
	size_t i;
	int rc;

	for (i = 0; i < nitems(cases); i++) {
		buf_reset(&b);
		rc = wsman_base64_decode(&b, cases[i].in, strlen(cases[i].in),
		    &cause);
		if (cases[i].out == NULL) {
			assert_int_equal(rc, -1);
			assert_string_equal(cause, "invalid base64");
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(b.len, cases[i].len);
		if (b.len > 0)
			assert_memory_equal(b.ptr, cases[i].out, b.len);
	}
	buf_release(&b);
	free(cause);
}

static void
test_oneline(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		{ "The parameter is incorrect. ", "The parameter is incorrect" },
		{ "\n  a\n\tb  . ", "a b" },
		{ "x\x1b[2Jy", "x [2Jy" },
		{ "a\xc2\x9b" "31mb \xc3\xa9t\xc3\xa9", "a 31mb \xc3\xa9t\xc3\xa9" },
		{ "", "" },
	};
	char *s, big[2000];
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		s = xstrdup(cases[i].in);
		wsman_oneline(s);
		assert_string_equal(s, cases[i].out);
		free(s);
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	wsman_oneline(big);
	assert_int_equal(strlen(big), 515);
	/* Just over the limit: "..." within the string's own bytes (a
	   write past them, found by fuzz_wsman_reply). */
	for (i = 513; i <= 516; i++) {
		s = xmalloc(i + 1);
		memset(s, 'a', i);
		s[i] = '\0';
		wsman_oneline(s);
		assert_int_equal(strlen(s), i < 515 ? i : 515);
		assert_string_equal(s + strlen(s) - 3, "...");
		free(s);
	}
}

/*
 * Envelopes are written by hand (wsman_env.c): the bytes must be what
 * libxml2's own serialiser writes for the same tree, escapes included.
 */
static void
same_as_libxml2(const struct wsman_request *r)
{
	struct buf b = BUF_INIT;
	char *cause = NULL;
	xmlBufferPtr xb;
	xmlSaveCtxtPtr sc;
	xmlDoc *d;

	if (wsman_request_build(&b, r, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(wsman_xml_parse(&d, b.ptr, b.len, &cause), 0);
	xb = xmlBufferCreate();
	sc = xmlSaveToBuffer(xb, "UTF-8", XML_SAVE_NO_DECL);
	xmlSaveDoc(sc, d);
	xmlSaveClose(sc);
	assert_int_equal(xmlBufferLength(xb), b.len);
	assert_memory_equal(xmlBufferContent(xb), b.ptr, b.len);
	xmlBufferFree(xb);
	xmlFreeDoc(d);
	buf_release(&b);
}

static void
test_envelope_bytes(void **state)
{
	static const struct wsman_selector sel[] = {
		{ "Name", "a&b<c>\"d' e" }, { "Id", "x\r\ny\tz \xc3\xa9" } };
	static const struct wsman_option opt[] = { { "O", "T&\"" } };
	static const struct wsman_filter f = {
	    "SELECT * FROM G WHERE N = 'A&B' AND x < 3 AND y > \"q\"\r\n",
	    NULL, 0 };
	static const char *const args[] = { "-c", "\"a&b\" <x>\r\n\t" };
	struct wsman_body body = { "Auth", "urn:auth", NULL, NULL };
	struct wsman_request r = { .to = "https://h:5986/wsman",
	    .message_id = "uuid:1", .locale = "en-US", .session_id = "uuid:2",
	    .timeout_ms = 20500, .max_envelope = 153600 };
	struct node *p = node_map(), *m = node_map();

	node_map_append(p, node_scalar("sKey"), node_scalar("S\\a&b<c>"));
	node_map_append(p, node_scalar("@Kind"), node_scalar("q\"&<\n\xc3\xa9"));
	node_map_append(p, node_scalar("sKey@At"), node_scalar("v\t"));
	node_map_append(p, node_scalar("Nothing"), node_scalar("~"));
	node_map_append(m, node_scalar("Inner"), node_scalar("1"));
	node_map_append(p, node_scalar("Nested"), m);
	r.op = WSMAN_OP_GET;
	r.ref = (struct wsman_ref){ "http://x/y?a=1&b=2", sel, 2 };
	r.opt = opt;
	r.nopt = 1;
	same_as_libxml2(&r);
	r.op = WSMAN_OP_ENUMERATE;
	r.ref.nsel = 0;
	r.filter = &f;
	r.optimize = 1;
	r.max_elements = 32000;
	same_as_libxml2(&r);
	/*
	 * Not a namespace with '&': libxml2 writes one unescaped (not
	 * well-formed), we escape it.
	 */
	r.ref.uri = "http://x/y?a=1;b=2";
	r.op = WSMAN_OP_INVOKE;
	r.method = "GetDWORDValue";
	r.params = p;
	same_as_libxml2(&r);
	body.fields = p;
	r.body = &body;
	r.op = WSMAN_OP_PUT;
	same_as_libxml2(&r);
	r.op = WSMAN_OP_PULL;
	r.context = "uuid:ctx&";
	same_as_libxml2(&r);
	r.op = WSMAN_OP_COMMAND;
	r.command = "powershell";
	r.args = args;
	r.nargs = 2;
	same_as_libxml2(&r);
	r.op = WSMAN_OP_RECEIVE;
	r.command_id = "C-1";
	same_as_libxml2(&r);
	node_free(p);
}

static void
test_uuid(void **state)
{
	char a[42], b[42];
	int i;

	wsman_uuid(a);
	assert_int_equal(strlen(a), 41);
	assert_memory_equal(a, "uuid:", 5);
	assert_int_equal(a[19], '4');
	for (i = 0; i < 1000; i++) {
		wsman_uuid(b);
		assert_string_not_equal(a, b);
	}
}

#define UUIDS	2000

static void *
uuid_batch(void *arg)
{
	char (*ids)[42] = arg;
	int i;

	for (i = 0; i < UUIDS; i++)
		wsman_uuid(ids[i]);
	return NULL;
}

static int
uuid_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * Ids come from random bytes drawn once per thread and a counter: two
 * threads, and a forked child and its parent, must still never share one.
 */
static void
test_uuid_threads(void **state)
{
	static char ids[2 * UUIDS + 2][42];
	pthread_t t;
	int fd[2], i;
	pid_t pid;

	assert_int_equal(pthread_create(&t, NULL, uuid_batch, ids), 0);
	uuid_batch(ids + UUIDS);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(pipe(fd), 0);
	if ((pid = fork()) == 0) {
		wsman_uuid(ids[0]);
		_exit(write(fd[1], ids[0], 42) == 42 ? 0 : 1);
	}
	assert_int_equal(read(fd[0], ids[2 * UUIDS], 42), 42);
	assert_int_equal(waitpid(pid, &i, 0), pid);
	wsman_uuid(ids[2 * UUIDS + 1]);
	close(fd[0]);
	close(fd[1]);
	for (i = 0; i < 2 * UUIDS + 2; i++) {
		assert_int_equal(strlen(ids[i]), 41);
		assert_int_equal(ids[i][19], '4');
		assert_non_null(strchr("89AB", ids[i][24]));
	}
	qsort(ids, 2 * UUIDS + 2, 42, uuid_cmp);
	for (i = 1; i < 2 * UUIDS + 2; i++)
		assert_string_not_equal(ids[i - 1], ids[i]);
}

static void
test_auth_names(void **state)
{
	enum wsman_auth a;

	assert_int_equal(wsman_auth_parse("kerberos", &a), 0);
	assert_int_equal(a, WSMAN_AUTH_NEGOTIATE);
	assert_int_equal(wsman_auth_parse("certificate", &a), 0);
	assert_string_equal(wsman_auth_name(a), "certificate");
	assert_int_equal(wsman_auth_parse("credssp", &a), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_envelope),
		cmocka_unit_test(test_selectors_escaped),
		cmocka_unit_test(test_unsendable_text),
		cmocka_unit_test(test_put_body),
		cmocka_unit_test(test_fields_to_xml),
		cmocka_unit_test(test_xml_to_node),
		cmocka_unit_test(test_enumerate_optimized),
		cmocka_unit_test(test_enumerate_pull),
		cmocka_unit_test(test_enumerate_selector_filter),
		cmocka_unit_test(test_enumerate_runaway),
		cmocka_unit_test(test_batch_reads),
		cmocka_unit_test(test_peer_chain),
		cmocka_unit_test(test_fault_line),
		cmocka_unit_test(test_auth_refused),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_retries),
		cmocka_unit_test(test_refused_options),
		cmocka_unit_test(test_verify_off_is_reported),
		cmocka_unit_test(test_shell_run),
		cmocka_unit_test(test_shell_kept),
		cmocka_unit_test(test_shell_deleted_on_free),
		cmocka_unit_test(test_shell_failure_deletes),
		cmocka_unit_test(test_shell_command_timeout),
		cmocka_unit_test(test_shell_timedout_stop),
		cmocka_unit_test(test_shell_bad_replies),
		cmocka_unit_test(test_shell_output_cap),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_oneline),
		cmocka_unit_test(test_envelope_bytes),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_uuid_threads),
		cmocka_unit_test(test_auth_names),
	};

	return cmocka_run_group_tests_name("wsman", tests, NULL, NULL);
}
