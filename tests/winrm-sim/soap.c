/*
 * soap.c: one WS-Management request.  Parse the envelope safely (no
 * network, no DTD, no entity expansion, no DOCTYPE at all), check its
 * addressing headers as Windows does [MS-WSMV 3.1.4.1], dispatch by
 * resource URI, and answer with the reply or the Windows fault.  Also the
 * enumeration contexts that Pull and Release continue, whatever the
 * resource.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "sim.h"

#define NS_F		SIM_URI_WSMAN "/wsmanfault"
#define NS_WSMID	"http://schemas.dmtf.org/wbem/wsman/identity/1/" \
			"wsmanidentity.xsd"
#define FAULT_WSMAN	"http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
#define FAULT_ADDR	SIM_NS_A "/fault"
#define FAULT_ENUM	SIM_NS_N "/fault"
#define DETAIL		"http://schemas.dmtf.org/wbem/wsman/1/wsman/" \
			"faultDetail/"
#define ENUM_ACTION	SIM_NS_N "/"
#define MIN_ENVELOPE	8192
#define MAX_ENUMS	1500	/* MaxConcurrentOperationsPerUser */

/* Texts are wsmerror.h's MessageText for each code. */
const struct soap_fault soap_f_access_denied = {
	"s:Sender", "w:AccessDenied", NULL, NULL, 5,
	"Access is denied.", NULL, NULL, 0,
};
const struct soap_fault soap_f_action_not_supported = {
	"s:Sender", "a:ActionNotSupported", FAULT_ADDR, "ActionNotSupported",
	0x80338013UL, "The WS-Management service does not support the action "
	"specified in the request.", NULL, NULL, 0,
};
const struct soap_fault soap_f_already_exists = {
	"s:Sender", "w:AlreadyExists", NULL, NULL, 0x80338033UL,
	"The WS-Management service cannot create the resource because it "
	"already exists.", NULL, NULL, 0,
};
const struct soap_fault soap_f_cannot_process_filter = {
	"s:Sender", "n:CannotProcessFilter", FAULT_ENUM, NULL, 0x8033801AUL,
	"The data source could not process the filter. The filter might be "
	"missing or it might be invalid. Change the filter and try the "
	"request again.", NULL, NULL, 0,
};
const struct soap_fault soap_f_destination_unreachable = {
	"s:Sender", "a:DestinationUnreachable", FAULT_ADDR,
	"InvalidResourceURI", 0x80338012UL, "The WS-Management service "
	"cannot process the request. The resource URI was not found in the "
	"WS-Management catalog. The catalog contains the metadata that "
	"describes resources, or logical endpoints.", NULL, NULL, 0,
};
const struct soap_fault soap_f_encoding_limit = {
	"s:Sender", "w:EncodingLimit", NULL, "MaxEnvelopeSize", 0x8033807EUL,
	"The WS-Management service cannot process the request because the "
	"envelope size in the request is too small.", NULL, NULL, 0,
};
const struct soap_fault soap_f_internal_error = {
	"s:Receiver", "w:InternalError", NULL, NULL, 0x80338003UL,
	"An error was encountered inside the plugin.", NULL, NULL, 0,
};
const struct soap_fault soap_f_invalid_enum_context = {
	"s:Receiver", "n:InvalidEnumerationContext", FAULT_ENUM, NULL,
	0x8033801BUL, "The WS-Enumeration context in the enumeration is not "
	"valid. Enumeration may have been completed or canceled. You cannot "
	"use this enumeration context anymore. Start a new enumeration.",
	NULL, NULL, 0,
};
const struct soap_fault soap_f_invalid_parameter = {
	"s:Sender", "w:InvalidParameter", NULL, "InvalidValue", 87,
	"The parameter is incorrect.", NULL, NULL, 0,
};
const struct soap_fault soap_f_invalid_selectors = {
	"s:Sender", "w:InvalidSelectors", NULL, "UnexpectedSelectors",
	0x8033805BUL, "The WS-Management service cannot process the request "
	"because the request contained invalid selectors for the resource.",
	NULL, NULL, 0,
};
const struct soap_fault soap_f_invalid_header = {
	"s:Sender", "a:InvalidMessageInformationHeader", FAULT_ADDR, NULL,
	0x8033800FUL, "The WS-Management service cannot process the request. "
	"The request contains one or more invalid SOAP headers.", NULL, NULL, 0,
};
const struct soap_fault soap_f_header_required = {
	"s:Sender", "a:MessageInformationHeaderRequired", FAULT_ADDR, NULL,
	0x80338011UL, "The WS-Management service cannot process the request. "
	"The request does not have all the expected SOAP headers.", NULL,
	NULL, 0,
};
const struct soap_fault soap_f_not_found = {
	"s:Sender", "a:DestinationUnreachable", FAULT_ADDR, "ResourceNotFound",
	0x80338000UL, "The WS-Management service cannot process the request. "
	"The service cannot find the resource identified by the resource URI "
	"and selectors.", NULL, NULL, 0,
};
const struct soap_fault soap_f_quota_limit = {
	"s:Sender", "w:QuotaLimit", NULL, NULL, 0x803381A5UL,
	"The WS-Management service cannot process the request. The maximum "
	"number of concurrent shells for this user has been exceeded. Close "
	"existing shells or raise the quota for this user.", NULL, NULL,
	SOAP_DETAIL_WMI,
};
const struct soap_fault soap_f_schema_validation = {
	"s:Sender", "w:SchemaValidationError", NULL, NULL, 0x80338041UL,
	"The SOAP XML in the message does not match the corresponding XML "
	"schema definition. Change the XML and retry.", NULL, NULL, 0,
};
const struct soap_fault soap_f_unsupported_feature = {
	"s:Sender", "w:UnsupportedFeature", NULL, NULL, 0x80338042UL,
	"The WS-Management service does not support the specified feature. "
	"Remove the unsupported feature from the request and retry.", NULL,
	NULL, 0,
};
static const struct soap_fault f_invalid_xml = {
	"s:Sender", "w:SchemaValidationError", NULL, NULL, 0x80338043UL,
	"The WS-Management service cannot process the request because the "
	"XML is invalid.", NULL, NULL, 0,
};
static const struct soap_fault f_bad_timeout = {
	"s:Sender", "a:InvalidMessageInformationHeader", FAULT_ADDR, NULL,
	0x80338081UL, "The WS-Management service cannot process the request "
	"because the timeout header in the request is invalid.", NULL, NULL, 0,
};
static const struct soap_fault f_locale = {
	"s:Sender", "w:UnsupportedFeature", NULL, "Locale", 0x80338087UL,
	"The WS-Management service cannot guarantee that all data is "
	"returned in the requested locale as some data sources may not be "
	"able to comply. Resend the remote request with locale as a hint "
	"(the SOAP header should have mustUnderstand=\"false\")", NULL, NULL, 0,
};
static const struct soap_fault f_reply_too_big = {
	"s:Sender", "w:EncodingLimit", NULL, "MaxEnvelopeSize", 0x80338048UL,
	"The response that the WS-Management service computed exceeds the "
	"maximum envelope size in the request.", NULL, NULL, 0,
};
static const struct soap_fault f_not_anonymous = {
	"s:Sender", "w:UnsupportedFeature", NULL, "AddressingMode",
	0x80338076UL, "The WS-Management service does not support the "
	"addressing mode.", NULL, NULL, 0,
};
static const struct soap_fault f_duplicate_selectors = {
	"s:Sender", "w:InvalidSelectors", NULL, "DuplicateSelectors",
	0x8033805FUL, "The WS-Management service cannot process the request "
	"because the request contains duplicate selectors.", NULL, NULL, 0,
};
static const struct soap_fault f_missing_uri = {
	"s:Sender", "a:DestinationUnreachable", FAULT_ADDR,
	"InvalidResourceURI", 0x8033803BUL, "The WS-Management service "
	"cannot process the request. The resource URI is missing or it has an "
	"incorrect format. Check the documentation or use the following "
	"command for information on how to construct a resource URI: "
	"\"winrm help uris\".", NULL, NULL, 0,
};

/* An open enumeration: the items still to Pull, in their own document. */
struct soap_enum {
	char	 id[48];
	xmlDoc	*doc;		/* <items>: what is left */
	time_t	 expires;
};

struct soap_enums {
	struct soap_enum	*list;
	size_t			 n;
};

void
soap_uuid(char out[37])
{
	unsigned char r[16];

	if (RAND_bytes(r, sizeof(r)) != 1)
		fatal("RAND_bytes failed");
	r[6] = (r[6] & 0x0f) | 0x40;
	r[8] = (r[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-"
	    "%02X%02X%02X%02X%02X%02X", r[0], r[1], r[2], r[3], r[4], r[5],
	    r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

/* --- reading ------------------------------------------------------------- */

static int
is(const xmlNode *n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE &&
	    xmlStrcmp(n->name, (const xmlChar *)name) == 0 &&
	    (ns == NULL || (n->ns != NULL &&
	    xmlStrcmp(n->ns->href, (const xmlChar *)ns) == 0));
}

xmlNode *
soap_child(xmlNode *parent, const char *ns, const char *name)
{
	xmlNode *c;

	if (parent == NULL)
		return NULL;
	for (c = parent->children; c != NULL; c = c->next)
		if (is(c, ns, name))
			return c;
	return NULL;
}

char *
soap_text(xmlNode *n)
{
	xmlChar *t;
	char *s, *p;
	size_t len;

	if (n == NULL || (t = xmlNodeGetContent(n)) == NULL)
		return xstrdup("");
	for (p = (char *)t; isspace((unsigned char)*p); p++)
		;
	len = strlen(p);
	while (len > 0 && isspace((unsigned char)p[len - 1]))
		len--;
	s = xstrndup(p, len);
	xmlFree(t);
	return s;
}

static char *
attr(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s;

	if (v == NULL)
		return NULL;
	s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

/* s:mustUnderstand, or the un-prefixed form pywinrm sends. */
static int
must_understand(xmlNode *n)
{
	xmlChar *v;
	int yes;

	v = xmlGetNsProp(n, (const xmlChar *)"mustUnderstand",
	    (const xmlChar *)SIM_NS_S);
	if (v == NULL)
		v = xmlGetNoNsProp(n, (const xmlChar *)"mustUnderstand");
	yes = v != NULL && (xmlStrcmp(v, (const xmlChar *)"true") == 0 ||
	    xmlStrcmp(v, (const xmlChar *)"1") == 0);
	xmlFree(v);
	return yes;
}

static const char *
kv_get(const struct soap_kv *kv, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(kv[i].name, name) == 0)
			return kv[i].value;
	return NULL;
}

const char *
soap_selector(const struct soap_req *r, const char *name)
{
	return kv_get(r->selectors, r->nselectors, name);
}

const char *
soap_option(const struct soap_req *r, const char *name)
{
	return kv_get(r->options, r->noptions, name);
}

/* Name="..."-attributed children of a SelectorSet or OptionSet. */
static int
read_set(xmlNode *set, const char *elem, struct soap_kv **out, size_t *n)
{
	xmlNode *c;
	char *name;

	for (c = set->children; c != NULL; c = c->next) {
		if (!is(c, SIM_NS_W, elem))
			continue;
		if ((name = attr(c, "Name")) == NULL)
			return -1;
		if (kv_get(*out, *n, name) != NULL) {
			free(name);
			return -2;
		}
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[*n].name = name;
		(*out)[(*n)++].value = soap_text(c);
	}
	return 0;
}

/* xs:duration as Windows takes it: PnDTnHnMn.nS; -1 when malformed. */
static long
duration_ms(const char *s)
{
	double v, total = 0;
	int time = 0;
	char *end;

	if (*s++ != 'P' || *s == '\0')
		return -1;
	while (*s != '\0') {
		if (*s == 'T' && !time) {
			time = 1;
			s++;
			continue;
		}
		v = strtod(s, &end);
		if (end == s || v < 0)
			return -1;
		switch (*end) {
		case 'D': total += v * 86400; break;
		case 'H': total += v * 3600; break;
		case 'M': total += time ? v * 60 : v * 2592000; break;
		case 'S': total += v; break;
		default: return -1;
		}
		s = end + 1;
	}
	return total > 2e9 ? 2000000000L : (long)(total * 1000);
}

/* --- writing ------------------------------------------------------------- */

xmlNs *
soap_ns(struct soap_out *out, const char *prefix, const char *uri)
{
	xmlNs *ns;

	for (ns = out->env->nsDef; ns != NULL; ns = ns->next)
		if (ns->prefix != NULL &&
		    xmlStrcmp(ns->prefix, (const xmlChar *)prefix) == 0)
			return ns;
	return xmlNewNs(out->env, (const xmlChar *)uri,
	    (const xmlChar *)prefix);
}

xmlNode *
soap_add(xmlNode *parent, xmlNs *ns, const char *name, const char *text)
{
	return xmlNewTextChild(parent, ns, (const xmlChar *)name,
	    (const xmlChar *)text);
}

static void
out_clear(struct soap_out *out)
{
	if (out->doc != NULL)
		xmlFreeDoc(out->doc);
	memset(out, 0, sizeof(*out));
}

/* A fresh envelope with Windows' usual prefixes. */
static void
envelope(struct soap_out *out, int fault)
{
	xmlNs *s;

	out_clear(out);
	out->doc = xmlNewDoc((const xmlChar *)"1.0");
	out->env = xmlNewDocNode(out->doc, NULL, (const xmlChar *)"Envelope",
	    NULL);
	xmlDocSetRootElement(out->doc, out->env);
	xmlNodeSetLang(out->env, (const xmlChar *)"en-US");
	s = soap_ns(out, "s", SIM_NS_S);
	xmlSetNs(out->env, s);
	soap_ns(out, "a", SIM_NS_A);
	soap_ns(out, "x", SIM_NS_X);
	if (fault) {
		soap_ns(out, "e", "http://schemas.xmlsoap.org/ws/2004/08/"
		    "eventing");
		soap_ns(out, "n", SIM_NS_N);
	}
	soap_ns(out, "w", SIM_NS_W);
	soap_ns(out, "p", SIM_NS_P);
	out->header = xmlNewChild(out->env, s, (const xmlChar *)"Header", NULL);
	out->body = xmlNewChild(out->env, s, (const xmlChar *)"Body", NULL);
	out->status = fault ? 500 : 200;
}

static void
reply_header(struct soap_out *out, const struct soap_req *r,
    const char *action)
{
	xmlNs *a = soap_ns(out, "a", SIM_NS_A);
	char id[48], uuid[37];

	soap_uuid(uuid);
	snprintf(id, sizeof(id), "uuid:%s", uuid);
	soap_add(out->header, a, "Action", action);
	soap_add(out->header, a, "MessageID", id);
	soap_add(out->header, a, "To", SIM_ANONYMOUS);
	if (r->message_id != NULL)
		soap_add(out->header, a, "RelatesTo", r->message_id);
}

xmlNode *
soap_reply(struct soap_out *out, const struct soap_req *r, const char *action)
{
	envelope(out, 0);
	reply_header(out, r, action);
	return out->body;
}

static void
wmi_error(xmlNode *detail, const struct soap_fault *f, const char *text)
{
	static const char *const nil[] = { "CIMStatusCodeDescription",
	    "ErrorSource", "OtherErrorSourceFormat", "OtherErrorType",
	    "OwningEntity", "ProbableCauseDescription" };
	xmlNode *e;
	xmlNs *p, *xsi;
	char num[32];
	size_t i;

	e = xmlNewChild(detail, NULL, (const xmlChar *)"MSFT_WmiError", NULL);
	p = xmlNewNs(e, (const xmlChar *)"http://schemas.dmtf.org/wbem/wscim/"
	    "1/cim-schema/2/MSFT_WmiError", (const xmlChar *)"p");
	xsi = xmlNewNs(e, (const xmlChar *)SIM_NS_XSI, (const xmlChar *)"xsi");
	xmlSetNs(e, p);
	soap_add(e, p, "CIMStatusCode", "27");
	for (i = 0; i < nitems(nil); i++)
		xmlSetNsProp(soap_add(e, p, nil[i], NULL), xsi,
		    (const xmlChar *)"nil", (const xmlChar *)"true");
	soap_add(e, p, "Message", text);
	snprintf(num, sizeof(num), "HRESULT 0x%08lx", f->wsman_code);
	soap_add(e, p, "MessageID", num);
	soap_add(e, p, "error_Category", "30");
	snprintf(num, sizeof(num), "%lu", f->wsman_code);
	soap_add(e, p, "error_Code", num);
	soap_add(e, p, "error_Type", "HRESULT");
	soap_add(e, p, "error_WindowsErrorMessage", text);
}

static void
wsman_fault(xmlNode *detail, const struct soap_req *r,
    const struct soap_fault *f, const char *text)
{
	xmlNode *wf, *msg, *pf;
	xmlNs *ns;
	char num[32];

	wf = xmlNewChild(detail, NULL, (const xmlChar *)"WSManFault", NULL);
	ns = xmlNewNs(wf, (const xmlChar *)NS_F, (const xmlChar *)"f");
	xmlSetNs(wf, ns);
	snprintf(num, sizeof(num), "%lu", f->wsman_code);
	xmlNewProp(wf, (const xmlChar *)"Code", (const xmlChar *)num);
	xmlNewProp(wf, (const xmlChar *)"Machine",
	    (const xmlChar *)r->host->name);
	msg = soap_add(wf, ns, "Message", f->provider == NULL ? text : NULL);
	if (f->provider == NULL)
		return;
	pf = soap_add(msg, ns, "ProviderFault", f->form == SOAP_DETAIL_NESTED ?
	    NULL : text);
	xmlNewProp(pf, (const xmlChar *)"provider",
	    (const xmlChar *)f->provider);
	xmlNewProp(pf, (const xmlChar *)"path",
	    (const xmlChar *)f->provider_path);
	if (f->form != SOAP_DETAIL_NESTED)
		return;
	wf = xmlNewChild(pf, ns, (const xmlChar *)"WSManFault", NULL);
	xmlNewProp(wf, (const xmlChar *)"Code", (const xmlChar *)num);
	xmlNewProp(wf, (const xmlChar *)"Machine",
	    (const xmlChar *)r->host->name);
	soap_add(wf, ns, "Message", text);
}

int
soap_fault(struct soap_out *out, const struct soap_req *r,
    const struct soap_fault *f, const char *text)
{
	xmlNode *fault, *code, *sub, *reason, *t, *detail;
	xmlNs *s;
	char *msg;

	envelope(out, 1);
	reply_header(out, r, f->action != NULL ? f->action : FAULT_WSMAN);
	s = soap_ns(out, "s", SIM_NS_S);
	/* Windows ends every fault text with a space. */
	msg = xasprintf("%s ", text != NULL ? text : f->text);
	fault = xmlNewChild(out->body, s, (const xmlChar *)"Fault", NULL);
	code = xmlNewChild(fault, s, (const xmlChar *)"Code", NULL);
	soap_add(code, s, "Value", f->code);
	sub = xmlNewChild(code, s, (const xmlChar *)"Subcode", NULL);
	soap_add(sub, s, "Value", f->subcode);
	reason = xmlNewChild(fault, s, (const xmlChar *)"Reason", NULL);
	t = soap_add(reason, s, "Text", msg);
	xmlNodeSetLang(t, (const xmlChar *)"en-US");
	detail = xmlNewChild(fault, s, (const xmlChar *)"Detail", NULL);
	if (f->detail != NULL) {
		free(msg);
		msg = xasprintf("%s%s", DETAIL, f->detail);
		soap_add(detail, soap_ns(out, "w", SIM_NS_W), "FaultDetail",
		    msg);
		free(msg);
		msg = xasprintf("%s ", text != NULL ? text : f->text);
	}
	if (f->form == SOAP_DETAIL_WMI)
		wmi_error(detail, f, msg);
	else
		wsman_fault(detail, r, f, msg);
	free(msg);
	return 0;
}

/* The fault for an unknown mustUnderstand header (no Detail). */
static int
fault_must_understand(struct soap_out *out, const struct soap_req *r,
    xmlNode *hdr)
{
	xmlNode *fault, *code, *reason, *nu, *t;
	xmlNs *s;
	char *q;

	envelope(out, 1);
	reply_header(out, r, FAULT_ADDR);
	s = soap_ns(out, "s", SIM_NS_S);
	nu = xmlNewChild(out->header, s, (const xmlChar *)"NotUnderstood",
	    NULL);
	/* The qname's prefix must be declared where it is used. */
	xmlNewNs(nu, hdr->ns != NULL ? hdr->ns->href : (const xmlChar *)"",
	    (const xmlChar *)"h");
	q = xasprintf("h:%s", (const char *)hdr->name);
	xmlNewProp(nu, (const xmlChar *)"qname", (const xmlChar *)q);
	free(q);
	fault = xmlNewChild(out->body, s, (const xmlChar *)"Fault", NULL);
	code = xmlNewChild(fault, s, (const xmlChar *)"Code", NULL);
	soap_add(code, s, "Value", "s:MustUnderstand");
	reason = xmlNewChild(fault, s, (const xmlChar *)"Reason", NULL);
	t = soap_add(reason, s, "Text", "The WS-Management service cannot "
	    "process a SOAP header in the request that is marked as "
	    "mustUnderstand by the client.  This could be caused by the use "
	    "of a version of the protocol which is not supported, or may be "
	    "an incompatibility  between the client and server "
	    "implementations. ");
	xmlNodeSetLang(t, (const xmlChar *)"en-US");
	return 0;
}

/* --- headers ------------------------------------------------------------- */

/* Headers a client may send that change nothing here. */
static int
header_ignored(xmlNode *c)
{
	static const char *const p[] = { "SessionId", "OperationID",
	    "SequenceId", "DataLocale", "CompressionType" };
	static const char *const w[] = { "Locale", "RequestEPR",
	    "FragmentTransfer", "OptionSet", "SelectorSet" };
	size_t i;

	for (i = 0; i < nitems(p); i++)
		if (is(c, SIM_NS_P, p[i]))
			return 1;
	for (i = 0; i < nitems(w); i++)
		if (is(c, SIM_NS_W, w[i]))
			return 1;
	return 0;
}

static void
read_sizes(struct soap_req *r, xmlNode *c, const struct soap_fault **bad)
{
	char *t = soap_text(c), *end;
	unsigned long long v;
	long ms;

	if (is(c, SIM_NS_W, "MaxEnvelopeSize")) {
		v = strtoull(t, &end, 10);
		if (*t == '\0' || *end != '\0')
			*bad = &soap_f_schema_validation;
		else if (v < MIN_ENVELOPE)
			*bad = &soap_f_encoding_limit;
		else if (v < r->max_envelope)
			r->max_envelope = (size_t)v;
	} else {
		if ((ms = duration_ms(t)) < 0)
			*bad = &f_bad_timeout;
		else if (ms < r->timeout_ms)
			r->timeout_ms = ms;
	}
	free(t);
}

static void
read_replyto(xmlNode *c, const struct soap_fault **bad)
{
	char *t = soap_text(soap_child(c, SIM_NS_A, "Address"));

	if (*t == '\0')
		*bad = &soap_f_header_required;
	else if (strcmp(t, SIM_ANONYMOUS) != 0)
		*bad = &f_not_anonymous;
	free(t);
}

/*
 * One header element.  Problems go to *bad (the first one wins), an
 * unknown mustUnderstand header to *unknown.
 */
static void
read_header(struct soap_req *r, xmlNode *c, const struct soap_fault **bad,
    xmlNode **unknown, int *seen)
{
	const struct soap_fault *f = NULL;
	int rc;

	if (is(c, SIM_NS_A, "Action") && r->action == NULL)
		r->action = soap_text(c);
	else if (is(c, SIM_NS_A, "MessageID") && r->message_id == NULL)
		r->message_id = soap_text(c);
	else if (is(c, SIM_NS_A, "To"))
		*seen |= 1;
	else if (is(c, SIM_NS_A, "ReplyTo")) {
		*seen |= 2;
		read_replyto(c, &f);
	} else if (is(c, SIM_NS_W, "ResourceURI") && r->resource_uri == NULL)
		r->resource_uri = soap_text(c);
	else if (is(c, SIM_NS_W, "MaxEnvelopeSize") ||
	    is(c, SIM_NS_W, "OperationTimeout"))
		read_sizes(r, c, &f);
	else if ((is(c, SIM_NS_W, "Locale") || is(c, SIM_NS_P, "DataLocale")) &&
	    must_understand(c))
		f = &f_locale;
	else if (!header_ignored(c) && must_understand(c) && *unknown == NULL)
		*unknown = c;
	if (is(c, SIM_NS_W, "SelectorSet") &&
	    (rc = read_set(c, "Selector", &r->selectors, &r->nselectors)) != 0)
		f = rc == -2 ? &f_duplicate_selectors :
		    &soap_f_invalid_selectors;
	if (is(c, SIM_NS_W, "OptionSet") &&
	    read_set(c, "Option", &r->options, &r->noptions) != 0)
		f = &soap_f_schema_validation;
	if (*bad == NULL)
		*bad = f;
}

static int
read_headers(struct soap_req *r, xmlNode *header, struct soap_out *out)
{
	const struct soap_fault *bad = NULL;
	xmlNode *c, *unknown = NULL;
	int seen = 0;

	for (c = header->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			read_header(r, c, &bad, &unknown, &seen);
	if (r->message_id == NULL || r->action == NULL || seen != 3)
		return soap_fault(out, r, &soap_f_header_required, NULL), -1;
	if (unknown != NULL)
		return fault_must_understand(out, r, unknown), -1;
	if (bad != NULL)
		return soap_fault(out, r, bad, NULL), -1;
	if (r->resource_uri == NULL || *r->resource_uri == '\0')
		return soap_fault(out, r, &f_missing_uri, NULL), -1;
	return 0;
}

/* WS-Management Identify, which carries no addressing headers at all. */
static int
identify(struct soap_req *r, struct soap_out *out)
{
	xmlNode *e, *sp;
	xmlNs *ns;

	envelope(out, 0);
	e = xmlNewChild(out->body, NULL, (const xmlChar *)"IdentifyResponse",
	    NULL);
	ns = xmlNewNs(e, (const xmlChar *)NS_WSMID, (const xmlChar *)"wsmid");
	xmlSetNs(e, ns);
	soap_add(e, ns, "ProtocolVersion", SIM_NS_W);
	soap_add(e, ns, "ProductVendor", "Microsoft Corporation");
	soap_add(e, ns, "ProductVersion", "OS: 10.0.20348 SP: 0.0 Stack: 3.0");
	sp = xmlNewChild(e, ns, (const xmlChar *)"SecurityProfiles", NULL);
	soap_add(sp, ns, "SecurityProfileName", "http://schemas.dmtf.org/"
	    "wbem/wsman/1/wsman/secprofile/http/spnego-kerberos");
	return -1;
}

/*
 * Parse and check the envelope: 0 to dispatch it, -1 when *out already
 * holds the answer (a fault, or Identify's).
 */
static int
parse(struct soap_req *r, const char *body, size_t len, struct soap_out *out)
{
	xmlNode *env, *header, *sbody, *c;

	/* SOAP forbids a DTD: refuse before the parser sees one. */
	if (memmem(body, len, "<!DOCTYPE", 9) != NULL || len > INT32_MAX)
		return soap_fault(out, r, &f_invalid_xml, NULL), -1;
	r->doc = xmlReadMemory(body, (int)len, "request.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (r->doc == NULL || r->doc->intSubset != NULL)
		return soap_fault(out, r, &f_invalid_xml, NULL), -1;
	env = xmlDocGetRootElement(r->doc);
	if (!is(env, SIM_NS_S, "Envelope") ||
	    (header = soap_child(env, SIM_NS_S, "Header")) == NULL ||
	    (sbody = soap_child(env, SIM_NS_S, "Body")) == NULL)
		return soap_fault(out, r, &soap_f_schema_validation, NULL), -1;
	for (c = sbody->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE) {
			r->body = c;
			break;
		}
	if (is(r->body, NS_WSMID, "Identify") &&
	    soap_child(header, SIM_NS_A, "Action") == NULL)
		return identify(r, out);
	return read_headers(r, header, out);
}

static void
req_clear(struct soap_req *r)
{
	size_t i;

	for (i = 0; i < r->nselectors; i++) {
		free(r->selectors[i].name);
		free(r->selectors[i].value);
	}
	for (i = 0; i < r->noptions; i++) {
		free(r->options[i].name);
		free(r->options[i].value);
	}
	free(r->selectors);
	free(r->options);
	free(r->action);
	free(r->resource_uri);
	free(r->message_id);
	if (r->doc != NULL)
		xmlFreeDoc(r->doc);
}

/* --- enumeration contexts ------------------------------------------------ */

static void
enum_drop(struct soap_enums *es, size_t i)
{
	xmlFreeDoc(es->list[i].doc);
	es->list[i] = es->list[--es->n];
}

static struct soap_enums *
enums(struct sim_host *h)
{
	if (h->enums == NULL)
		h->enums = xcalloc(1, sizeof(*h->enums));
	return h->enums;
}

static void
enum_expire(struct soap_enums *es)
{
	time_t now = time(NULL);
	size_t i = 0;

	while (i < es->n)
		if (es->list[i].expires <= now)
			enum_drop(es, i);
		else
			i++;
}

/* Keep the items' document for Pull (taken); returns the context id. */
static const char *
enum_store(struct soap_req *r, xmlDoc *doc)
{
	struct soap_enums *es = enums(r->host);
	const char *tmo;
	struct soap_enum *e;
	char uuid[37];

	enum_expire(es);
	if (es->n >= MAX_ENUMS)
		enum_drop(es, 0);
	es->list = xreallocarray(es->list, es->n + 1, sizeof(*es->list));
	e = &es->list[es->n++];
	soap_uuid(uuid);
	snprintf(e->id, sizeof(e->id), "uuid:%s", uuid);
	tmo = sim_setting_get(r->host, "winrm.service.EnumerationTimeoutms");
	e->expires = time(NULL) + (tmo != NULL ? atol(tmo) / 1000 : 240);
	e->doc = doc;
	return e->id;
}

xmlNode *
soap_items_new(void)
{
	xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNode *root = xmlNewDocNode(doc, NULL, (const xmlChar *)"items",
	    NULL);

	xmlDocSetRootElement(doc, root);
	return root;
}

static long
max_elements(xmlNode *parent, const char *ns, long dflt)
{
	char *t;
	long v;

	if ((parent = soap_child(parent, ns, "MaxElements")) == NULL)
		return dflt;
	t = soap_text(parent);
	v = atol(t);
	free(t);
	return v > 0 ? v : dflt;
}

/* Move up to max items into the reply's list `to`. */
static void
move_items(xmlNode *from, xmlNode *to, long max)
{
	xmlNode *c;

	while (max-- > 0 && (c = from->children) != NULL) {
		xmlAddChild(to, xmlDocCopyNode(c, to->doc, 1));
		xmlUnlinkNode(c);
		xmlFreeNode(c);
	}
}

int
soap_enumerate(struct soap_out *out, struct soap_req *r, xmlNode *items)
{
	xmlNode *body, *er, *ctx, *it;
	xmlDoc *src = items->doc;
	xmlNs *n, *w;
	int optimize;

	body = soap_reply(out, r, ENUM_ACTION "EnumerateResponse");
	n = soap_ns(out, "n", SIM_NS_N);
	w = soap_ns(out, "w", SIM_NS_W);
	er = xmlNewChild(body, n, (const xmlChar *)"EnumerateResponse", NULL);
	ctx = soap_add(er, n, "EnumerationContext", NULL);
	optimize = soap_child(r->body, SIM_NS_W, "OptimizeEnumeration") != NULL;
	if (optimize) {
		it = xmlNewChild(er, w, (const xmlChar *)"Items", NULL);
		/* Windows' default batch for an optimized enumeration. */
		move_items(items, it, max_elements(r->body, SIM_NS_W, 20));
	}
	if (optimize && items->children == NULL) {
		xmlNewChild(er, w, (const xmlChar *)"EndOfSequence", NULL);
		xmlFreeDoc(src);
	} else
		xmlNodeSetContent(ctx, (const xmlChar *)enum_store(r, src));
	return 0;
}

static struct soap_enum *
enum_find(struct soap_req *r, size_t *index)
{
	struct soap_enums *es = enums(r->host);
	char *id;
	size_t i;

	enum_expire(es);
	id = soap_text(soap_child(r->body, SIM_NS_N, "EnumerationContext"));
	for (i = 0; i < es->n; i++)
		if (strcmp(es->list[i].id, id) == 0)
			break;
	free(id);
	*index = i;
	return i < es->n ? &es->list[i] : NULL;
}

static int
pull(struct soap_req *r, struct soap_out *out)
{
	struct soap_enum *e;
	xmlNode *body, *pr, *ctx, *it, *root;
	size_t index;
	xmlNs *n;

	if (!is(r->body, SIM_NS_N, "Pull") ||
	    (e = enum_find(r, &index)) == NULL)
		return soap_fault(out, r, &soap_f_invalid_enum_context, NULL);
	body = soap_reply(out, r, ENUM_ACTION "PullResponse");
	n = soap_ns(out, "n", SIM_NS_N);
	pr = xmlNewChild(body, n, (const xmlChar *)"PullResponse", NULL);
	ctx = soap_add(pr, n, "EnumerationContext", e->id);
	it = xmlNewChild(pr, n, (const xmlChar *)"Items", NULL);
	root = xmlDocGetRootElement(e->doc);
	move_items(root, it, max_elements(r->body, SIM_NS_N, 1));
	if (root->children == NULL) {
		xmlUnlinkNode(ctx);
		xmlFreeNode(ctx);
		xmlNewChild(pr, n, (const xmlChar *)"EndOfSequence", NULL);
		enum_drop(r->host->enums, index);
	}
	return 0;
}

static int
release(struct soap_req *r, struct soap_out *out)
{
	size_t index;

	if (!is(r->body, SIM_NS_N, "Release") || enum_find(r, &index) == NULL)
		return soap_fault(out, r, &soap_f_invalid_enum_context, NULL);
	enum_drop(r->host->enums, index);
	soap_reply(out, r, ENUM_ACTION "ReleaseResponse");
	return 0;
}

void
soap_host_release(struct sim_host *h)
{
	if (h->enums == NULL)
		return;
	while (h->enums->n > 0)
		enum_drop(h->enums, 0);
	free(h->enums->list);
	free(h->enums);
	h->enums = NULL;
}

/* --- dispatch ------------------------------------------------------------ */

static int
authorized(const struct soap_req *r)
{
	struct sim_group *g;

	if (r->admin)
		return 1;
	g = sim_group(r->host, "Remote Management Users");
	return g != NULL && sim_group_find_member(g, r->user) >= 0;
}

static int
dispatch(struct soap_req *r, struct soap_out *out)
{
	static const struct {
		const char	*prefix;
		int	(*handle)(struct soap_req *, struct soap_out *);
	} resources[] = {
		{ SIM_URI_WSMAN "/config", res_config_handle },
		{ SIM_URI_WSMAN "/wmi/", res_wmi_handle },
		{ SIM_URI_WSMAN "/windows/shell", shell_handle },
	};
	size_t i;

	if (!authorized(r))
		return soap_fault(out, r, &soap_f_access_denied, NULL);
	if (strcmp(r->action, ENUM_ACTION "Pull") == 0)
		return pull(r, out);
	if (strcmp(r->action, ENUM_ACTION "Release") == 0)
		return release(r, out);
	for (i = 0; i < nitems(resources); i++)
		if (strncasecmp(r->resource_uri, resources[i].prefix,
		    strlen(resources[i].prefix)) == 0)
			return resources[i].handle(r, out);
	return soap_fault(out, r, &soap_f_destination_unreachable, NULL);
}

static void
serialize(struct soap_out *out, struct buf *b)
{
	xmlBuffer *xb = xmlBufferCreate();

	buf_reset(b);
	xmlNodeDump(xb, out->doc, out->env, 0, 0);
	buf_add(b, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
	xmlBufferFree(xb);
}

/* The text after a URI's last '/': "Get", "config", "Win32_Service". */
static const char *
uri_tail(const char *uri)
{
	const char *p;

	if (uri == NULL)
		return "-";
	p = strrchr(uri, '/');
	return p != NULL ? p + 1 : uri;
}

void
soap_handle(struct sim_host *h, const char *user, int admin,
    const char *client_ip, unsigned long conn, const char *body, size_t len,
    struct buf *reply, int *status)
{
	struct soap_req r;
	struct soap_out out;

	memset(&r, 0, sizeof(r));
	memset(&out, 0, sizeof(out));
	r.host = h;
	r.user = user;
	r.admin = admin;
	r.client_ip = client_ip;
	r.max_envelope = (size_t)h->winrm.max_envelope_kb * 1024;
	r.timeout_ms = (long)h->winrm.max_timeout_ms;
	h->counters.requests++;
	sim_run_due_tasks(h);
	if (parse(&r, body, len, &out) == 0) {
		sim_trace(h, conn, uri_tail(r.action),
		    uri_tail(r.resource_uri), body, len);
		dispatch(&r, &out);
	}
	if (r.wrote)
		h->counters.writes++;
	serialize(&out, reply);
	if (out.status == 200 && reply->len > r.max_envelope) {
		soap_fault(&out, &r, &f_reply_too_big, NULL);
		serialize(&out, reply);
	}
	*status = out.status;
	out_clear(&out);
	req_clear(&r);
}
