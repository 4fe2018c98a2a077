/*
 * test_wsman_fixtures.c: the client against every recorded Windows
 * exchange and every MS-WSMV example in tests/data/wsman/fixtures/ (see
 * SOURCES.md there).  Responses must parse into the right results or
 * faults, and RelatesTo must match the recorded request's MessageID.  For
 * each recorded request, the envelope the client builds for the same
 * operation must carry the same Action, ResourceURI, selectors, options
 * and body, compared as XML (namespaces and text), not as bytes.  A file
 * the tables below do not know fails the test, so that every fixture
 * added later is looked at.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "wsman.h"
#include "wsman_fake.h"

#define SPEC		"spec_examples/"
#define URI_SHELL	"http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
#define URI_MYCLASS	WSMAN_URI_WMI "/root/mynamespace/myclass"

/* --- reading fixtures --------------------------------------------------- */

static char *
fixture(const char *name, size_t *len)
{
	char *rel, *data;

	rel = xasprintf("fixtures/%s", name);
	data = fake_read(rel, len);
	free(rel);
	return data;
}

static xmlDoc *
fixture_doc(const char *name)
{
	char *data, *cause = NULL;
	xmlDoc *doc;
	size_t len;

	data = fixture(name, &len);
	if (wsman_xml_parse(&doc, data, len, &cause) != 0)
		fail_msg("%s: %s", name, cause);
	free(data);
	return doc;
}

static xmlNode *
header_of(xmlDoc *doc)
{
	return wsman_xml_child(xmlDocGetRootElement(doc), WSMAN_NS_SOAP,
	    "Header");
}

static xmlNode *
body_of(xmlDoc *doc)
{
	return wsman_xml_child(xmlDocGetRootElement(doc), WSMAN_NS_SOAP,
	    "Body");
}

static char *
header_text(xmlDoc *doc, const char *ns, const char *name)
{
	return wsman_xml_text(wsman_xml_child(header_of(doc), ns, name));
}

/* The MessageID of a recorded request. */
static char *
message_id(const char *request)
{
	xmlDoc *doc;
	char *id;

	doc = fixture_doc(request);
	id = header_text(doc, WSMAN_NS_WSA, "MessageID");
	xmlFreeDoc(doc);
	return id;
}

/* --- responses ---------------------------------------------------------- */

enum rkind { R_FAULT, R_NODE, R_ITEMS, R_CREATED, R_COMMAND, R_RECEIVE,
	R_ELEMENT };

struct rcase {
	const char	*file;
	const char	*request;	/* recorded request it answers */
	enum rkind	 kind;
	/* R_FAULT */
	unsigned long	 code;
	const char	*subcode;	/* or the Code value */
	const char	*message;
	/* R_NODE and R_ITEMS (item[index]): path = "A/B/C", value */
	const char	*path;
	const char	*value;
	const char	*path2;
	const char	*value2;
	/* R_ITEMS */
	size_t		 nitems;
	int		 end;
	const char	*context;
	size_t		 index;
	/* R_CREATED, R_COMMAND: the id; R_ELEMENT: element name */
	const char	*id;
	/* R_RECEIVE */
	int		 done;
	long		 exit_code;
	const char	*out;		/* prefix of stdout */
	size_t		 out_len;
	const char	*err;
};

static const struct rcase responses[] = {
	{ .file = "config_get_response_defaults_maxenvelope500.xml",
	  .request = "config_get_request.xml", .kind = R_NODE,
	  .path = "Service/Auth/CbtHardeningLevel", .value = "Relaxed",
	  .path2 = "Service/RootSDDL",
	  .value2 = "O:NSG:BAD:P(A;;GA;;;BA)(A;;GR;;;IU)S:P(AU;FA;GA;;;WD)"
	  "(AU;SA;GXGW;;;WD)" },
	{ .file = "config_get_response_maxenvelope150.xml", .kind = R_NODE,
	  .path = "MaxEnvelopeSizekb", .value = "150",
	  .path2 = "Winrs/MaxShellsPerUser", .value2 = "2147483647" },
	{ .file = "enumerate_selectorfilter_response_empty.xml",
	  .request = "enumerate_selectorfilter_request.xml", .kind = R_ITEMS,
	  .nitems = 0, .end = 1 },
	{ .file = "enumerate_shells_optimized_response_items_endofsequence.xml",
	  .request = "enumerate_shells_optimized_request.xml", .kind = R_ITEMS,
	  .nitems = 2, .end = 1, .index = 1,
	  .path = "ShellId", .value = "01AA3E43-9E21-424B-A7FC-BC16AA34F4CE",
	  .path2 = "ProcessId", .value2 = "4060" },
	{ .file = "fault_enumerate_cannot_process_filter_v1.xml",
	  .kind = R_FAULT, .code = 2150858778UL,
	  .subcode = "n:CannotProcessFilter",
	  .message = "The specified class does not exist in the given "
	  "namespace" },
	{ .file = "fault_enumerate_cannot_process_filter_wmi_extendedstatus.xml",
	  .kind = R_FAULT, .code = 2150858778UL,
	  .subcode = "n:CannotProcessFilter",
	  .message = "The specified class does not exist in the given "
	  "namespace" },
	{ .file = "fault_get_invalid_selectors_shell_provider.xml",
	  .kind = R_FAULT, .code = 2150858843UL,
	  .subcode = "w:InvalidSelectors",
	  .message = "The WS-Management service cannot process the request "
	  "because the request contained invalid selectors for the resource" },
	{ .file = "fault_internal_error_file_not_found_provider_fault.xml",
	  .request = "shell_command_skip_cmd_shell_request.xml",
	  .kind = R_FAULT, .code = 2147942402UL, .subcode = "w:InternalError",
	  .message = "The system cannot find the file specified" },
	{ .file = "fault_invalid_parameter_code87_provider_fault.xml",
	  .kind = R_FAULT, .code = 87, .subcode = "w:InvalidParameter",
	  .message = "The parameter is incorrect" },
	{ .file = "fault_invalid_selectors_bad_command_id.xml",
	  .request = "shell_receive_request_bad_command_id.xml",
	  .kind = R_FAULT, .code = 2150858843UL,
	  .subcode = "w:InvalidSelectors",
	  .message = "The Windows Remote Shell received a request to perform "
	  "an operation on a command identifier that does not exist. Either "
	  "the command has completed execution or the client specified an "
	  "invalid command identifier" },
	{ .file = "fault_omi_internal_error.xml", .kind = R_FAULT,
	  .subcode = "w:InternalError",
	  .message = "get-instance: instance name parameter is missing" },
	{ .file = "fault_omi_whitespace_padded_text.xml", .kind = R_FAULT,
	  .subcode = "w:InternalError",
	  .message = "get-instance: instance name parameter is missing" },
	{ .file = "fault_quota_limit_max_shells_msft_wmierror.xml",
	  .kind = R_FAULT, .code = 2150859173UL, .subcode = "w:QuotaLimit",
	  .message = "The WS-Management service cannot process the request. "
	  "This user is allowed a maximum number of 30 concurrent shells, "
	  "which has been exceeded. Close existing shells or raise the quota "
	  "for this user" },
	{ .file = "fault_receive_operation_timeout_2150858793.xml",
	  .request = "shell_receive_request_that_timed_out.xml",
	  .kind = R_FAULT, .code = WSMAN_FAULT_TIMED_OUT,
	  .subcode = "w:TimedOut",
	  .message = "The WS-Management service cannot complete the operation "
	  "within the time specified in OperationTimeout" },
	{ .file = "get_shell_instance_response.xml",
	  .request = "get_shell_instance_request.xml", .kind = R_NODE,
	  .path = "ShellId", .value = "6F1903CA-E06A-4A8B-BDFC-B44203149D55",
	  .path2 = "IdleTimeOut", .value2 = "PT60.000S" },
	{ .file = "masterzen_fault_command_filename_too_long.xml",
	  .kind = R_FAULT, .code = 2147942606UL, .subcode = "w:InternalError",
	  .message = "The filename or extension is too long" },
	{ .file = "masterzen_shell_create_response_pretty.xml",
	  .kind = R_CREATED, .id = "67A74734-DD32-4F10-89DE-49A060483810" },
	{ .file = "masterzen_shell_receive_response_done_exit123_no_streams.xml",
	  .kind = R_RECEIVE, .id = "4531DAA3-60C2-4CAD-9FCA-F433101DAC8A",
	  .done = 1, .exit_code = 123, .out = "", .err = "" },
	{ .file = "masterzen_shell_receive_response_stdout_stderr_running.xml",
	  .kind = R_RECEIVE, .id = "1A6DEE6B-EC68-4DD6-87E9-030C0048ECC4",
	  .out = "That's all folks!!!", .out_len = 19,
	  .err = "This is stderr, I'm pretty sure!" },
	{ .file = "pywinrm_fault_msft_wmierror_detail.xml", .kind = R_FAULT,
	  .code = 2150859174UL, .subcode = "w:InternalError",
	  .message = "WMI Message" },
	{ .file = "pywinrm_fault_mustunderstand_notunderstood.xml",
	  .kind = R_FAULT, .subcode = "s:MustUnderstand",
	  .message = "Test reason" },
	{ .file = "pywinrm_fault_schema_validation_error.xml", .kind = R_FAULT,
	  .code = 2150858817UL, .subcode = "w:SchemaValidationError",
	  .message = "Detail message" },
	{ .file = "pywinrm_fault_timedout_server2022.xml", .kind = R_FAULT,
	  .code = WSMAN_FAULT_TIMED_OUT, .subcode = "w:TimedOut",
	  .message = "The WS-Management service cannot complete the operation "
	  "within the time specified in OperationTimeout" },
	{ .file = "pywinrm_shell_receive_response_after_stdin.xml",
	  .kind = R_RECEIVE, .id = "11111111-1111-1111-1111-111111111111",
	  .done = 1, .exit_code = 0,
	  .out = "Microsoft Windows [Version 10.0.17763.107]\r\n(c) 2018 "
	  "Microsoft Corporation. All rights reserved.\r\n\r\nC:\\Users\\"
	  "rweber>echo hello world && exit\r\nhello world \r\n",
	  .out_len = 156, .err = "" },
	{ .file = "pywinrm_shell_receive_response_ipconfig_multichunk.xml",
	  .kind = R_RECEIVE, .id = "11111111-1111-1111-1111-111111111114",
	  .done = 1, .exit_code = 0,
	  .out = "\r\nWindows IP Configuration\r\n\r\n   Host Name . . . . . "
	  ". . . . . . . : WINDOWS-HOST\n", .out_len = 3416, .err = "" },
	{ .file = "pywinrm_shell_signal_terminate_response.xml",
	  .request = "pywinrm_shell_signal_terminate_request.xml",
	  .kind = R_ELEMENT, .id = "SignalResponse" },
	{ .file = "shell_command_response.xml",
	  .request = "shell_command_request.xml", .kind = R_COMMAND,
	  .id = "CF84C20A-0A35-43FA-AF78-0B4711DA5F30" },
	{ .file = "shell_create_response.xml",
	  .request = "shell_create_request.xml", .kind = R_CREATED,
	  .id = "4283CBDC-3706-415B-88BD-B385F3E51A53" },
	{ .file = "shell_create_response_winrb_v2.xml", .kind = R_CREATED,
	  .id = "62DE33F0-8674-43D9-B6A5-3298012CC4CD" },
	{ .file = "shell_delete_response.xml",
	  .request = "shell_delete_request.xml", .kind = R_ELEMENT },
	{ .file = "shell_receive_response_running_no_exitcode.xml",
	  .kind = R_RECEIVE, .id = "D644AE56-61E5-4C1A-A135-E599B76B3035",
	  .out = "hi\n", .out_len = 3, .err = "" },
	{ .file = "shell_receive_response_stderr_exit1.xml", .kind = R_RECEIVE,
	  .id = "D37A8327-79AD-452F-BE0D-4B99A96B4A0B", .done = 1,
	  .exit_code = 1, .out = "out \r\n", .out_len = 6, .err = "err \r\n" },
	{ .file = "shell_receive_response_stdout_done_exit0.xml",
	  .request = "shell_receive_request.xml", .kind = R_RECEIVE,
	  .id = "CF84C20A-0A35-43FA-AF78-0B4711DA5F30", .done = 1,
	  .exit_code = 0, .out = "hi\r\n", .out_len = 4, .err = "" },
	{ .file = "shell_signal_response.xml",
	  .request = "shell_signal_ctrl_c_request.xml", .kind = R_ELEMENT,
	  .id = "SignalResponse" },
	{ .file = SPEC "spec_4.1.1_wmi_get_instance_response.xml",
	  .request = SPEC "spec_4.1.1_wmi_get_instance_request.xml",
	  .kind = R_NODE, .path = "Data1", .value = "Hello World",
	  .path2 = "Location/ReferenceParameters/SelectorSet/Selector",
	  .value2 = "1" },
	{ .file = SPEC "spec_4.1.2.2_enumerate_response_context.xml",
	  .request = SPEC "spec_4.1.2.1_enumerate_request.xml",
	  .kind = R_ITEMS, .nitems = 0,
	  .context = "uuid:22EB9809-5543-4020-A75C-FD95FF06217B" },
	{ .file = SPEC "spec_4.1.2.4_pull_response_items.xml",
	  .request = SPEC "spec_4.1.2.3_pull_request.xml", .kind = R_ITEMS,
	  .nitems = 1, .context = "uuid:2504CA0D-94B9-4F91-B2F7-9F4CD9A2A96C",
	  .path = "Data1", .value = "Test Message" },
	{ .file = SPEC "spec_4.1.2.6_pull_response_endofsequence.xml",
	  .kind = R_ITEMS, .nitems = 1, .end = 1,
	  .path = "Data1", .value = "\"Hello again\"", .path2 = "id",
	  .value2 = "2" },
	{ .file = SPEC "spec_4.1.3_wmi_put_response.xml",
	  .request = SPEC "spec_4.1.3_wmi_put_request.xml", .kind = R_NODE,
	  .path = "Data1", .value = "Test Message" },
	{ .file = SPEC "spec_4.1.4_wmi_invoke_response.xml",
	  .request = SPEC "spec_4.1.4_wmi_invoke_request.xml", .kind = R_NODE,
	  .path = "ProcessId", .value = "4000", .path2 = "ReturnValue",
	  .value2 = "0" },
	{ .file = SPEC "spec_4.10_fault_resource_not_found_response.xml",
	  .request = SPEC "spec_4.10_get_invalid_resource_request.xml",
	  .kind = R_FAULT, .code = 32768, .subcode = "a:DestinationUnreachable",
	  .message = "The WS-Management service cannot process the request. "
	  "The service cannot find the resource identified by the resource URI "
	  "and selectors" },
};

static const struct node *
fixture_path(const struct node *n, const char *path)
{
	char *copy, *p, *part;

	copy = xstrdup(path);
	for (p = copy; n != NULL && (part = strsep(&p, "/")) != NULL;)
		n = node_get(n, part);
	free(copy);
	return n;
}

static void
check_node(const struct rcase *c, const struct node *n)
{
	const struct node *v;

	if (c->path != NULL) {
		v = fixture_path(n, c->path);
		if (v == NULL || v->kind != NODE_SCALAR)
			fail_msg("%s: no %s", c->file, c->path);
		assert_string_equal(v->value, c->value);
	}
	if (c->path2 != NULL) {
		v = fixture_path(n, c->path2);
		if (v == NULL || v->kind != NODE_SCALAR)
			fail_msg("%s: no %s", c->file, c->path2);
		assert_string_equal(v->value, c->value2);
	}
}

static void
check_fault(const struct rcase *c, const struct wsman_reply *r)
{
	const struct wsman_fault *f = &r->fault;

	if (!r->is_fault)
		fail_msg("%s: not a fault", c->file);
	assert_int_equal(f->wsman_code, c->code);
	assert_string_equal(f->subcode != NULL ? f->subcode : f->code,
	    c->subcode);
	assert_string_equal(f->message, c->message);
}

static void
check_items(const struct rcase *c, const struct wsman_reply *r)
{
	struct node *items;
	char *ctx = NULL, *cause = NULL;
	int end;

	items = node_seq();
	if (wsman_reply_items(r, items, &ctx, &end, &cause) != 0)
		fail_msg("%s: %s", c->file, cause);
	assert_int_equal(items->nitems, c->nitems);
	assert_int_equal(end, c->end);
	if (c->context == NULL)
		assert_null(ctx);
	else
		assert_string_equal(ctx, c->context);
	if (c->nitems > 0)
		check_node(c, items->items[c->index]);
	node_free(items);
	free(ctx);
}

static void
check_receive(const struct rcase *c, const struct wsman_reply *r)
{
	struct wsman_cmd cmd = WSMAN_CMD_INIT;
	char *cause = NULL;
	int done;

	if (wsman_reply_receive(r, c->id, &cmd, 1 << 20, &done, &cause) != 0)
		fail_msg("%s: %s", c->file, cause);
	assert_int_equal(done, c->done);
	if (c->done)
		assert_int_equal(cmd.exit_code, c->exit_code);
	assert_int_equal(cmd.out.len, c->out_len);
	assert_memory_equal(buf_cstr(&cmd.out), c->out, strlen(c->out));
	assert_string_equal(buf_cstr(&cmd.err), c->err);
	wsman_cmd_release(&cmd);
}

static void
check_response(const struct rcase *c)
{
	struct wsman_reply r;
	struct node *n = NULL;
	char *data, *cause = NULL, *id = NULL;
	size_t len;

	data = fixture(c->file, &len);
	if (wsman_reply_parse(&r, data, len, &cause) != 0)
		fail_msg("%s: %s", c->file, cause);
	if (c->request != NULL) {
		id = message_id(c->request);
		if (r.relates_to == NULL || strcmp(r.relates_to, id) != 0)
			fail_msg("%s: RelatesTo does not match %s", c->file,
			    c->request);
		free(id);
		id = NULL;
	}
	if (c->kind != R_FAULT && r.is_fault)
		fail_msg("%s: unexpected fault %s", c->file, r.fault.message);
	switch (c->kind) {
	case R_FAULT:
		check_fault(c, &r);
		break;
	case R_NODE:
		n = wsman_xml_to_node(r.content);
		check_node(c, n);
		break;
	case R_ITEMS:
		check_items(c, &r);
		break;
	case R_CREATED:
		if (wsman_reply_created(&r, &n, &cause) != 0)
			fail_msg("%s: %s", c->file, cause);
		assert_string_equal(node_get_str(n, "ShellId"), c->id);
		break;
	case R_COMMAND:
		if (wsman_reply_command_id(&r, &id, &cause) != 0)
			fail_msg("%s: %s", c->file, cause);
		assert_string_equal(id, c->id);
		break;
	case R_RECEIVE:
		check_receive(c, &r);
		break;
	case R_ELEMENT:
		if (c->id == NULL)
			assert_null(r.content);
		else
			assert_true(wsman_el_is(r.content, WSMAN_NS_RSP, c->id));
		break;
	}
	node_free(n);
	free(id);
	free(data);
	wsman_reply_release(&r);
}

static void
test_responses(void **state)
{
	size_t i;

	for (i = 0; i < nitems(responses); i++)
		check_response(&responses[i]);
}

/* --- requests ----------------------------------------------------------- */

struct qcase {
	const char		*file;
	struct wsman_request	 r;
	const char		*body_from;	/* Put: copy this request's body */
	const char		*typo_ns;	/* known spec typo: their body ns */
};

/* Selector and option sets are sets: compare "name=value" lists sorted. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
set_string(xmlDoc *doc, const char *set_name, const char *item)
{
	struct buf b = BUF_INIT;
	char *v[64], *name, *text;
	xmlNode *x;
	size_t n = 0, i;

	for (x = wsman_xml_child(wsman_xml_child(header_of(doc), WSMAN_NS_WSMAN,
	    set_name), WSMAN_NS_WSMAN, item); x != NULL && n < 64;
	    x = wsman_xml_next(x, WSMAN_NS_WSMAN, item)) {
		name = wsman_xml_attr(x, "Name");
		text = wsman_xml_text(x);
		v[n++] = xasprintf("%s=%s", name, text);
		free(name);
		free(text);
	}
	qsort(v, n, sizeof(v[0]), cmp_str);
	for (i = 0; i < n; i++) {
		buf_printf(&b, "%s;", v[i]);
		free(v[i]);
	}
	return buf_detach(&b);
}

static long
duration_ms(const char *s)
{
	double v;

	if (s == NULL || sscanf(s, "PT%lfS", &v) != 1)
		return -1;
	return (long)(v * 1000 + 0.5);
}

static void
same_header(const char *file, xmlDoc *ours, xmlDoc *theirs, const char *ns,
    const char *name)
{
	char *a, *b;

	a = header_text(ours, ns, name);
	b = header_text(theirs, ns, name);
	if (b == NULL) {
		free(a);
		return;
	}
	if (a == NULL || strcmp(a, b) != 0)
		fail_msg("%s: %s: ours '%s', recorded '%s'", file, name,
		    a != NULL ? a : "(none)", b);
	free(a);
	free(b);
}

static const char *
ns_of(const xmlNode *n, const struct qcase *c, int recorded)
{
	const char *ns = n->ns != NULL ? (const char *)n->ns->href : "";

	if (recorded && c->typo_ns != NULL && strcmp(ns, c->typo_ns) == 0)
		return c->r.ref.uri;
	return ns;
}

static char *
attrs_string(const xmlNode *n)
{
	struct buf b = BUF_INIT;
	const xmlAttr *a;
	xmlChar *v;

	for (a = n->properties; a != NULL; a = a->next) {
		v = xmlNodeListGetString(n->doc, a->children, 1);
		buf_printf(&b, "{%s}%s=%s;", a->ns != NULL ?
		    (const char *)a->ns->href : "", (const char *)a->name,
		    (const char *)v);
		xmlFree(v);
	}
	return buf_detach(&b);
}

/* Elements equal: namespace, name, attributes, text, children in order. */
static void
same_tree(const char *file, const xmlNode *a, const xmlNode *b,
    const struct qcase *c)
{
	const xmlNode *ca, *cb;
	char *ta, *tb;

	if (a == NULL || b == NULL) {
		if (a != b)
			fail_msg("%s: body: element %s missing", file,
			    (const char *)(a != NULL ? a : b)->name);
		return;
	}
	if (strcmp((const char *)a->name, (const char *)b->name) != 0 ||
	    strcmp(ns_of(a, c, 0), ns_of(b, c, 1)) != 0)
		fail_msg("%s: body: {%s}%s against {%s}%s", file, ns_of(a, c, 0),
		    (const char *)a->name, ns_of(b, c, 1), (const char *)b->name);
	ta = attrs_string(a);
	tb = attrs_string(b);
	if (strcmp(ta, tb) != 0)
		fail_msg("%s: %s: attributes %s against %s", file,
		    (const char *)a->name, ta, tb);
	free(ta);
	free(tb);
	ca = wsman_xml_child(a, NULL, NULL);
	cb = wsman_xml_child(b, NULL, NULL);
	if (ca == NULL && cb == NULL) {
		ta = wsman_xml_text(a);
		tb = wsman_xml_text(b);
		if (strcmp(ta, tb) != 0)
			fail_msg("%s: %s: text '%s' against '%s'", file,
			    (const char *)a->name, ta, tb);
		free(ta);
		free(tb);
	}
	for (; ca != NULL || cb != NULL; ca = wsman_xml_next(ca, NULL, NULL),
	    cb = wsman_xml_next(cb, NULL, NULL))
		same_tree(file, ca, cb, c);
}

/* What every envelope of ours carries, whatever the recording has. */
static void
our_invariants(const char *file, xmlDoc *ours)
{
	char *id, *reply;

	id = header_text(ours, WSMAN_NS_WSA, "MessageID");
	reply = wsman_xml_text(wsman_xml_child(wsman_xml_child(header_of(ours),
	    WSMAN_NS_WSA, "ReplyTo"), WSMAN_NS_WSA, "Address"));
	if (id == NULL || strncmp(id, "uuid:", 5) != 0 || reply == NULL ||
	    strstr(reply, "role/anonymous") == NULL ||
	    wsman_xml_child(header_of(ours), WSMAN_NS_WSMAN, "Locale") == NULL ||
	    wsman_xml_child(header_of(ours), WSMAN_NS_WSA, "To") == NULL)
		fail_msg("%s: our header lacks MessageID, ReplyTo, Locale or To",
		    file);
	free(id);
	free(reply);
}

static void
compare_request(const struct qcase *c, xmlDoc *ours, xmlDoc *theirs)
{
	char *a, *b;
	long ta, tb;

	same_header(c->file, ours, theirs, WSMAN_NS_WSA, "Action");
	same_header(c->file, ours, theirs, WSMAN_NS_WSMAN, "ResourceURI");
	same_header(c->file, ours, theirs, WSMAN_NS_WSMAN, "MaxEnvelopeSize");
	a = header_text(ours, WSMAN_NS_WSMAN, "OperationTimeout");
	b = header_text(theirs, WSMAN_NS_WSMAN, "OperationTimeout");
	ta = duration_ms(a);
	tb = duration_ms(b);
	if (b != NULL && ta != tb)
		fail_msg("%s: OperationTimeout %s against %s", c->file, a, b);
	free(a);
	free(b);
	a = set_string(ours, "SelectorSet", "Selector");
	b = set_string(theirs, "SelectorSet", "Selector");
	if (strcmp(a, b) != 0)
		fail_msg("%s: selectors %s against %s", c->file, a, b);
	free(a);
	free(b);
	a = set_string(ours, "OptionSet", "Option");
	b = set_string(theirs, "OptionSet", "Option");
	if (strcmp(a, b) != 0)
		fail_msg("%s: options %s against %s", c->file, a, b);
	free(a);
	free(b);
	same_tree(c->file, wsman_xml_child(body_of(ours), NULL, NULL),
	    wsman_xml_child(body_of(theirs), NULL, NULL), c);
	our_invariants(c->file, ours);
}

static void
check_request(struct qcase *c)
{
	struct wsman_body body = { 0 };
	struct buf b = BUF_INIT;
	xmlDoc *ours, *theirs, *from = NULL;
	char *cause = NULL, msgid[42];

	theirs = fixture_doc(c->file);
	wsman_uuid(msgid);
	c->r.to = "https://node1.contoso.test:5986/wsman";
	c->r.message_id = msgid;
	c->r.locale = "en-US";
	if (c->r.timeout_ms == 0)
		c->r.timeout_ms = 20000;
	if (c->r.max_envelope == 0)
		c->r.max_envelope = 153600;
	if (c->body_from != NULL) {
		from = fixture_doc(c->body_from);
		body.xml = wsman_xml_child(body_of(from), NULL, NULL);
		c->r.body = &body;
	}
	if (wsman_request_build(&b, &c->r, &cause) != 0)
		fail_msg("%s: %s", c->file, cause);
	if (wsman_xml_parse(&ours, b.ptr, b.len, &cause) != 0)
		fail_msg("%s: ours does not parse: %s", c->file, cause);
	compare_request(c, ours, theirs);
	xmlFreeDoc(ours);
	xmlFreeDoc(theirs);
	if (from != NULL)
		xmlFreeDoc(from);
	buf_release(&b);
}

#define SEL(n, v)	(const struct wsman_selector[]){ { n, v } }, 1
#define OPT(n, v)	(const struct wsman_option[]){ { n, v } }, 1
#define RECV_OPT	OPT("WSMAN_CMDSHELL_OPTION_KEEPALIVE", "True")
#define ARGS(...)	(const char *const[]){ __VA_ARGS__ }, \
	sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)

static const char *const not_ours[] = {
	/* stdin (Send) is an operation this client does not perform. */
	"pywinrm_shell_send_stdin_request.xml",
};

static void
test_requests(void **state)
{
	static const struct wsman_selector spec_sel[] = {
		{ "StartMode", "Auto" }, { "State", "Stopped" },
	};
	static const struct wsman_option pywinrm_opt[] = {
		{ "WINRS_NOPROFILE", "FALSE" }, { "WINRS_CODEPAGE", "437" },
	};
	struct wsman_filter shell_filter = { NULL,
	    SEL("ShellId", "B6631D8E-65A0-49F2-9053-A1B156C95777") };
	struct wsman_filter spec_filter = { NULL, spec_sel, 2 };
	struct node *params = node_map();
	struct qcase cases[] = {
		{ .file = "config_get_request.xml",
		  .r = { .op = WSMAN_OP_GET, .ref = { WSMAN_URI_CONFIG, NULL, 0 } } },
		{ .file = "enumerate_selectorfilter_request.xml",
		  .r = { .op = WSMAN_OP_ENUMERATE, .ref = { URI_SHELL "/Command",
		    NULL, 0 }, .optimize = 1, .max_elements = 32000,
		    .filter = &shell_filter } },
		{ .file = "enumerate_shells_optimized_request.xml",
		  .r = { .op = WSMAN_OP_ENUMERATE, .ref = { URI_SHELL, NULL, 0 },
		    .optimize = 1, .max_elements = 32000 } },
		{ .file = "get_shell_instance_request.xml",
		  .r = { .op = WSMAN_OP_GET, .ref = { URI_SHELL, SEL("ShellId",
		    "6F1903CA-E06A-4A8B-BDFC-B44203149D55") },
		    .max_envelope = 512000 } },
		{ .file = "pywinrm_shell_create_request_optionset.xml",
		  .r = { .op = WSMAN_OP_SHELL, .ref = { WSMAN_URI_CMD, NULL, 0 },
		    .opt = pywinrm_opt, .nopt = 2 } },
		{ .file = "pywinrm_shell_signal_terminate_request.xml",
		  .r = { .op = WSMAN_OP_SIGNAL, .ref = { WSMAN_URI_CMD, SEL("ShellId",
		    "11111111-1111-1111-1111-111111111113") },
		    .command_id = "11111111-1111-1111-1111-111111111111",
		    .signal = WSMAN_SIGNAL_TERMINATE } },
		{ .file = "shell_command_request.xml",
		  .r = { .op = WSMAN_OP_COMMAND, .ref = { WSMAN_URI_CMD, SEL("ShellId",
		    "4283CBDC-3706-415B-88BD-B385F3E51A53") },
		    OPT("WINRS_SKIP_CMD_SHELL", "False"), .command = "cmd.exe",
		    .args = ARGS("/c", "echo", "hi") } },
		{ .file = "shell_command_skip_cmd_shell_request.xml",
		  .r = { .op = WSMAN_OP_COMMAND, .ref = { WSMAN_URI_CMD, SEL("ShellId",
		    "F15E6BF4-8A64-41F7-BDDE-13F83D9D22DD") },
		    OPT("WINRS_SKIP_CMD_SHELL", "True"),
		    .command = "powershell.exe",
		    .args = ARGS("Write-Host", "hi") } },
		{ .file = "shell_command_stderr_rc_request.xml",
		  .r = { .op = WSMAN_OP_COMMAND, .ref = { WSMAN_URI_CMD, SEL("ShellId",
		    "44AF9A2C-624E-4975-AB20-CEB406E440B9") },
		    OPT("WINRS_SKIP_CMD_SHELL", "False"), .command = "cmd.exe",
		    .args = ARGS("/c echo out && echo err>&2 && exit 1") } },
		{ .file = "shell_create_request.xml",
		  .r = { .op = WSMAN_OP_SHELL, .ref = { WSMAN_URI_CMD, NULL, 0 } } },
		{ .file = "shell_delete_request.xml",
		  .r = { .op = WSMAN_OP_DELETE, .ref = { WSMAN_URI_CMD, SEL("ShellId",
		    "4283CBDC-3706-415B-88BD-B385F3E51A53") } } },
		{ .file = "shell_receive_request.xml",
		  .r = { .op = WSMAN_OP_RECEIVE, .ref = { WSMAN_URI_CMD, SEL("ShellId",
		    "4283CBDC-3706-415B-88BD-B385F3E51A53") },
		    RECV_OPT, .command_id =
		    "CF84C20A-0A35-43FA-AF78-0B4711DA5F30" } },
		{ .file = "shell_receive_request_bad_command_id.xml",
		  .r = { .op = WSMAN_OP_RECEIVE, .ref = { WSMAN_URI_CMD, SEL("ShellId",
		    "CCF84E0D-D0B5-4CFB-95B5-BCF3BFE15F36") },
		    RECV_OPT, .command_id =
		    "87E77BEB-6761-4C48-9D70-A00266B8459A" } },
		{ .file = "shell_receive_request_that_timed_out.xml",
		  .r = { .op = WSMAN_OP_RECEIVE, .ref = { WSMAN_URI_CMD, SEL("ShellId",
		    "849551A1-CEC2-4ABD-8B62-652AD1053E9B") },
		    RECV_OPT, .command_id =
		    "D644AE56-61E5-4C1A-A135-E599B76B3035",
		    .timeout_ms = 10000 } },
		{ .file = "shell_signal_ctrl_c_request.xml",
		  .r = { .op = WSMAN_OP_SIGNAL, .ref = { WSMAN_URI_CMD, SEL("ShellId",
		    "4283CBDC-3706-415B-88BD-B385F3E51A53") },
		    .command_id = "CF84C20A-0A35-43FA-AF78-0B4711DA5F30",
		    .signal = URI_SHELL "/signal/ctrl_c" } },
		{ .file = SPEC "spec_4.1.1_wmi_get_instance_request.xml",
		  .r = { .op = WSMAN_OP_GET, .ref = { URI_MYCLASS, SEL("id", "1") },
		    .max_envelope = 51200, .timeout_ms = 60000 } },
		{ .file = SPEC "spec_4.1.2.1_enumerate_request.xml",
		  .r = { .op = WSMAN_OP_ENUMERATE, .ref = { URI_MYCLASS, NULL, 0 },
		    .max_envelope = 51200, .timeout_ms = 60000 } },
		{ .file = SPEC "spec_4.1.2.3_pull_request.xml",
		  .r = { .op = WSMAN_OP_PULL, .ref = { URI_MYCLASS, NULL, 0 },
		    .context = "uuid:22EB9809-5543-4020-A75C-FD95FF06217B",
		    .max_elements = 1, .max_envelope = 51200,
		    .timeout_ms = 60000 } },
		{ .file = SPEC "spec_4.1.3_wmi_put_request.xml",
		  .r = { .op = WSMAN_OP_PUT, .ref = { URI_MYCLASS, SEL("id", "1") },
		    .max_envelope = 51200, .timeout_ms = 60000 },
		  .body_from = SPEC "spec_4.1.3_wmi_put_request.xml" },
		{ .file = SPEC "spec_4.1.4_wmi_invoke_request.xml",
		  .r = { .op = WSMAN_OP_INVOKE, .ref = { WSMAN_URI_WMI
		    "/root/cimv2/Win32_Process", NULL, 0 }, .method = "Create",
		    .params = params, .max_envelope = 51200,
		    .timeout_ms = 60000 },
		  .typo_ns = WSMAN_URI_WMI "/root/cim/Win32_Process" },
		{ .file = SPEC "spec_4.10_get_invalid_resource_request.xml",
		  .r = { .op = WSMAN_OP_GET, .ref = { WSMAN_URI_WMI
		    "/root/cimv2/win32_nosuchclass", NULL, 0 },
		    .max_envelope = 51200, .timeout_ms = 60000 } },
		{ .file = SPEC "spec_4.9_selector_filter_enumerate_win32_service.xml",
		  .r = { .op = WSMAN_OP_ENUMERATE, .ref = { WSMAN_URI_WMI
		    "/root/cimv2/Win32_Service", NULL, 0 },
		    .filter = &spec_filter } },
	};
	size_t i;

	node_map_set(params, "CommandLine", node_scalar("notepad.exe"));
	node_map_set(params, "CurrentDirectory", node_scalar("C:\\"));
	for (i = 0; i < nitems(cases); i++)
		check_request(&cases[i]);
	node_free(params);
}

/* Not ours to build, but parsed safely like everything else. */
static void
test_not_ours(void **state)
{
	xmlDoc *doc;
	char *action;
	size_t i;

	for (i = 0; i < nitems(not_ours); i++) {
		doc = fixture_doc(not_ours[i]);
		action = header_text(doc, WSMAN_NS_WSA, "Action");
		assert_string_equal(action, WSMAN_NS_RSP "/Send");
		free(action);
		xmlFreeDoc(doc);
	}
}

/* --- every file is covered ---------------------------------------------- */

static int
known(const char *name)
{
	static const char *const requests[] = {
		"config_get_request.xml",
		"enumerate_selectorfilter_request.xml",
		"enumerate_shells_optimized_request.xml",
		"get_shell_instance_request.xml",
		"pywinrm_shell_create_request_optionset.xml",
		"pywinrm_shell_signal_terminate_request.xml",
		"shell_command_request.xml",
		"shell_command_skip_cmd_shell_request.xml",
		"shell_command_stderr_rc_request.xml",
		"shell_create_request.xml", "shell_delete_request.xml",
		"shell_receive_request.xml",
		"shell_receive_request_bad_command_id.xml",
		"shell_receive_request_that_timed_out.xml",
		"shell_signal_ctrl_c_request.xml",
		SPEC "spec_4.1.1_wmi_get_instance_request.xml",
		SPEC "spec_4.1.2.1_enumerate_request.xml",
		SPEC "spec_4.1.2.3_pull_request.xml",
		SPEC "spec_4.1.3_wmi_put_request.xml",
		SPEC "spec_4.1.4_wmi_invoke_request.xml",
		SPEC "spec_4.10_get_invalid_resource_request.xml",
		SPEC "spec_4.9_selector_filter_enumerate_win32_service.xml",
	};
	size_t i;

	for (i = 0; i < nitems(responses); i++)
		if (strcmp(responses[i].file, name) == 0)
			return 1;
	for (i = 0; i < nitems(requests); i++)
		if (strcmp(requests[i], name) == 0)
			return 1;
	for (i = 0; i < nitems(not_ours); i++)
		if (strcmp(not_ours[i], name) == 0)
			return 1;
	return 0;
}

static size_t
scan(const char *sub)
{
	struct dirent *d;
	char *dir, *rel, *name;
	size_t n = 0, len;
	DIR *dp;

	rel = xasprintf("fixtures/%s", sub);
	dir = fake_path(rel);
	free(rel);
	if ((dp = opendir(dir)) == NULL)
		fail_msg("cannot open %s", dir);
	while ((d = readdir(dp)) != NULL) {
		len = strlen(d->d_name);
		if (len < 4 || strcmp(d->d_name + len - 4, ".xml") != 0)
			continue;
		name = xasprintf("%s%s", sub, d->d_name);
		if (!known(name))
			fail_msg("fixture %s is not covered by this test", name);
		free(name);
		n++;
	}
	closedir(dp);
	free(dir);
	return n;
}

static void
test_every_fixture(void **state)
{
	/* 50 recorded files and 14 spec examples, as SOURCES.md lists. */
	assert_int_equal(scan(""), 50);
	assert_int_equal(scan(SPEC), 14);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_fixture),
		cmocka_unit_test(test_responses),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_not_ours),
	};

	return cmocka_run_group_tests_name("wsman_fixtures", tests, NULL, NULL);
}
