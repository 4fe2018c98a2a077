/*
 * res_wmi.c: the WMI classes the simulator knows, over WS-Management
 * (…/wmi/<namespace>/<class>, MS-WSMV 3.1.4.1.1).
 *
 * Win32_Group (WQL), Win32_Account (WQL on the cimv2 "*" resource) and a
 * group's members (ASSOCIATORS OF {Win32_Group...} WHERE AssocClass =
 * Win32_GroupUser, on "*" too), with names, domains and SIDs.
 * RSOP_RegistryPolicySetting (root/rsop/computer, WQL on "*"): what the
 * host's GPOs deliver (struct sim_gpo), none when RSoP logging is turned
 * off by policy, faults when the namespace is missing or denied.
 * Win32_Service: Get by Name, Enumerate (WQL "SELECT ... FROM
 * Win32_Service [WHERE Prop = 'v' [AND|OR ...]]" or a SelectorFilter),
 * and the methods StartService, StopService, ChangeStartMode with WMI's
 * return codes.  StdRegProv (root/default and root/cimv2): the registry
 * methods on HKEY_LOCAL_MACHINE, ReturnValue 2 for a missing key and, from
 * Get*Value, 1 for a missing value under an existing key (as Windows
 * answers: docs/windows-behaviour.md), arrays
 * as the element repeated.  A non-zero ReturnValue is an answer, not a
 * fault.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "sim.h"

#define WMI		SIM_URI_WSMAN "/wmi/"
#define CIMV2		WMI "root/cimv2/"
#define SERVICE_URI	CIMV2 "Win32_Service"
#define WQL		SIM_URI_WSMAN "/WQL"
#define SELECTOR_FILTER	"http://schemas.dmtf.org/wbem/wsman/1/wsman/" \
			"SelectorFilter"
#define CIM_COMMON	"http://schemas.dmtf.org/wbem/wscim/1/common"
#define HKLM		2147483650UL

/* WMI's return codes (Win32_Service methods; registry: Win32 errors). */
#define RV_OK			0
#define RV_NOT_FOUND		2	/* ERROR_FILE_NOT_FOUND */
#define RV_NO_VALUE		1	/* Get*Value: key without the value */
#define RV_ACCESS_DENIED	2	/* Win32_Service: Access Denied */
#define RV_REG_DENIED		5	/* ERROR_ACCESS_DENIED */
#define RV_NOT_ACTIVE		5	/* "cannot accept control" */
#define RV_RUNNING		10	/* already running */
#define RV_DISABLED		14	/* disabled */
#define RV_INVALID_PARAM	21
#define RV_TYPE_MISMATCH	2147749893UL	/* WBEM_E_TYPE_MISMATCH */
/* WBEM_E_INVALID_PARAMETER */
#define RV_WBEM_INVALID		2147749891UL

static const struct soap_fault f_no_class = {
	"s:Sender", "n:CannotProcessFilter", SIM_NS_N "/fault", NULL,
	0x8033801AUL, "The specified class does not exist in the given "
	"namespace.", "WMI Provider", "%systemroot%\\system32\\WsmWmiPl.dll",
	SOAP_DETAIL_NESTED,
};
static const struct soap_fault f_dialect = {
	"s:Sender", "n:FilterDialectRequestedUnavailable", SIM_NS_N "/fault",
	NULL, 0x80338019UL, "The filter dialect (the type associated with the "
	"filter) was not supported for this resource. Change the filter "
	"dialect or remove it from the request and try the request again.",
	NULL, NULL, SOAP_DETAIL_TEXT,
};
static const struct soap_fault f_insufficient = {
	"s:Sender", "w:InvalidSelectors", NULL, "InsufficientSelectors",
	0x8033805AUL, "The WS-Management service cannot process the request "
	"because the request did not contain all required selectors.", NULL,
	NULL, SOAP_DETAIL_TEXT,
};

/* --- Win32_Service ------------------------------------------------------- */

struct prop {
	const char	*name;
	char		 value[160];
	int		 nil;
};

static void PRINTFLIKE(4, 5)
prop(struct prop *p, size_t *n, const char *name, const char *fmt, ...)
{
	va_list ap;

	p[*n].name = name;
	p[*n].nil = 0;
	va_start(ap, fmt);
	vsnprintf(p[*n].value, sizeof(p[*n].value), fmt, ap);
	va_end(ap);
	(*n)++;
}

/* The instance's properties, in WMI's (alphabetical) order. */
static size_t
service_props(struct sim_host *h, const struct sim_service *s,
    struct prop *p)
{
	int running = strcasecmp(s->state, "Running") == 0;
	int winrm = strcasecmp(s->name, "WinRM") == 0;
	const char *tf = running ? "true" : "false";
	char nb[16];
	size_t n = 0;

	sim_host_netbios(h, nb);
	prop(p, &n, "AcceptPause", "false");
	prop(p, &n, "AcceptStop", "%s", tf);
	prop(p, &n, "Caption", "%s", s->display_name);
	prop(p, &n, "CheckPoint", "0");
	prop(p, &n, "CreationClassName", "Win32_Service");
	prop(p, &n, "DelayedAutoStart", "false");
	prop(p, &n, "Description", "%s", s->display_name);
	prop(p, &n, "DesktopInteract", "false");
	prop(p, &n, "DisplayName", "%s", s->display_name);
	prop(p, &n, "ErrorControl", "Normal");
	/* 1077: ERROR_SERVICE_NEVER_STARTED, as a stopped service shows. */
	prop(p, &n, "ExitCode", "%s", running ? "0" : "1077");
	prop(p, &n, "InstallDate", "%s", "");
	p[n - 1].nil = 1;
	prop(p, &n, "Name", "%s", s->name);
	prop(p, &n, "PathName", "C:\\Windows\\System32\\svchost.exe -k %s -p",
	    winrm ? "NetworkService" : "netsvcs");
	prop(p, &n, "ProcessId", "%d", running ? s->pid : 0);
	prop(p, &n, "ServiceSpecificExitCode", "0");
	prop(p, &n, "ServiceType", "Share Process");
	prop(p, &n, "Started", "%s", tf);
	prop(p, &n, "StartMode", "%s", s->start_mode);
	prop(p, &n, "StartName", "%s", winrm ?
	    "NT AUTHORITY\\NetworkService" : "LocalSystem");
	prop(p, &n, "State", "%s", s->state);
	prop(p, &n, "Status", "OK");
	prop(p, &n, "SystemCreationClassName", "Win32_ComputerSystem");
	prop(p, &n, "SystemName", "%s", nb);
	prop(p, &n, "TagId", "0");
	prop(p, &n, "WaitHint", "0");
	return n;
}

#define NPROPS	26

static const char *
prop_get(const struct prop *p, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(p[i].name, name) == 0)
			return p[i].value;
	return NULL;
}

/*
 * An instance of cls in namespace (its URI prefix); only the named
 * properties if fields != NULL.
 */
static xmlNode *
instance_xml_in(const char *namespace, const char *cls, const struct prop *p,
    size_t n, xmlNode *parent, char **fields, size_t nfields)
{
	xmlNode *e, *v;
	xmlNs *ns, *xsi;
	char *uri, *type;
	size_t i, j;

	uri = xasprintf("%s%s", namespace, cls);
	type = xasprintf("p:%s_Type", cls);
	e = xmlNewChild(parent, NULL, (xmlChar *)cls, NULL);
	ns = xmlNewNs(e, (xmlChar *)uri, (xmlChar *)"p");
	xmlSetNs(e, ns);
	xmlNewNs(e, (xmlChar *)CIM_COMMON, (xmlChar *)"cim");
	xsi = xmlNewNs(e, (xmlChar *)SIM_NS_XSI, (xmlChar *)"xsi");
	xmlSetNsProp(e, xsi, (xmlChar *)"type", (xmlChar *)type);
	xmlNodeSetLang(e, (xmlChar *)"en-US");
	for (i = 0; i < n; i++) {
		for (j = 0; j < nfields; j++)
			if (strcasecmp(fields[j], p[i].name) == 0)
				break;
		if (fields != NULL && j == nfields)
			continue;
		v = soap_add(e, ns, p[i].name, p[i].nil ? NULL : p[i].value);
		if (p[i].nil)
			xmlSetNsProp(v, xsi, (xmlChar *)"nil",
			    (xmlChar *)"true");
	}
	free(uri);
	free(type);
	return e;
}

static xmlNode *
instance_xml(const char *cls, const struct prop *p, size_t n,
    xmlNode *parent, char **fields, size_t nfields)
{
	return instance_xml_in(CIMV2, cls, p, n, parent, fields, nfields);
}

/* A Win32_Service element; only the named properties if fields != NULL. */
static void
service_xml(struct sim_host *h, const struct sim_service *s, xmlNode *parent,
    char **fields, size_t nfields)
{
	struct prop p[NPROPS];

	instance_xml("Win32_Service", p, service_props(h, s, p), parent,
	    fields, nfields);
}

/* --- WQL ----------------------------------------------------------------- */

struct cond {
	char	*prop;
	char	*value;
	int	 negate;	/* <> or != */
	int	 or_before;	/* starts a new OR group */
};

struct wql {
	char		*cls;
	char		**fields;	/* NULL: SELECT * */
	size_t		 nfields;
	struct cond	*conds;
	size_t		 nconds;
};

static void
wql_clear(struct wql *q)
{
	size_t i;

	free(q->cls);
	for (i = 0; i < q->nfields; i++)
		free(q->fields[i]);
	free(q->fields);
	for (i = 0; i < q->nconds; i++) {
		free(q->conds[i].prop);
		free(q->conds[i].value);
	}
	free(q->conds);
}

/* The next token: a word, a quoted string (unquoted), or punctuation. */
static char *
token(const char **p)
{
	const char *s = *p, *e;
	char q;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return NULL;
	if (*s == '\'' || *s == '"') {
		q = *s++;
		if ((e = strchr(s, q)) == NULL)
			return NULL;
		*p = e + 1;
		return xstrndup(s, (size_t)(e - s));
	}
	if (strncmp(s, "<>", 2) == 0 || strncmp(s, "!=", 2) == 0) {
		*p = s + 2;
		return xstrdup("<>");
	}
	if (strchr("=,*", *s) != NULL) {
		*p = s + 1;
		return xstrndup(s, 1);
	}
	for (e = s; isalnum((unsigned char)*e) || *e == '_' || *e == '.' ||
	    *e == '-'; e++)
		;
	if (e == s)
		return NULL;
	*p = e;
	return xstrndup(s, (size_t)(e - s));
}

static int
is_word(const char *t, const char *w)
{
	return t != NULL && strcasecmp(t, w) == 0;
}

static int
wql_select(struct wql *q, const char **p)
{
	char *t;

	for (;;) {
		if ((t = token(p)) == NULL)
			return -1;
		if (strcmp(t, "*") == 0 && q->fields == NULL) {
			free(t);
		} else if (isalpha((unsigned char)*t)) {
			q->fields = xreallocarray(q->fields, q->nfields + 1,
			    sizeof(*q->fields));
			q->fields[q->nfields++] = t;
		} else {
			free(t);
			return -1;
		}
		t = token(p);
		if (is_word(t, "FROM")) {
			free(t);
			return 0;
		}
		if (t == NULL || strcmp(t, ",") != 0) {
			free(t);
			return -1;
		}
		free(t);
	}
}

static int
wql_where(struct wql *q, const char **p)
{
	char *prop, *op, *value, *t;
	int or_before = 1;

	for (;;) {
		prop = token(p);
		op = token(p);
		value = token(p);
		if (prop == NULL || op == NULL || value == NULL ||
		    (strcmp(op, "=") != 0 && strcmp(op, "<>") != 0)) {
			free(prop);
			free(op);
			free(value);
			return -1;
		}
		q->conds = xreallocarray(q->conds, q->nconds + 1,
		    sizeof(*q->conds));
		q->conds[q->nconds].prop = prop;
		q->conds[q->nconds].value = value;
		q->conds[q->nconds].negate = strcmp(op, "<>") == 0;
		q->conds[q->nconds++].or_before = or_before;
		free(op);
		if ((t = token(p)) == NULL)
			return 0;
		or_before = is_word(t, "OR");
		if (!or_before && !is_word(t, "AND")) {
			free(t);
			return -1;
		}
		free(t);
	}
}

/* SELECT * | a, b FROM Class [WHERE p = 'v' [AND | OR ...]] */
static int
wql_parse(const char *text, struct wql *q)
{
	const char *p = text;
	char *t;

	memset(q, 0, sizeof(*q));
	t = token(&p);
	if (!is_word(t, "SELECT") || wql_select(q, &p) != 0) {
		free(t);
		return -1;
	}
	free(t);
	if ((q->cls = token(&p)) == NULL)
		return -1;
	if ((t = token(&p)) == NULL)
		return 0;
	if (!is_word(t, "WHERE")) {
		free(t);
		return -1;
	}
	free(t);
	return wql_where(q, &p);
}

/* OR of AND groups, as WQL binds them; comparisons ignore case. */
static int
wql_match(const struct wql *q, const struct prop *p, size_t n)
{
	const char *v;
	size_t i;
	int any = 0, all = 1, ok;

	for (i = 0; i < q->nconds; i++) {
		if (q->conds[i].or_before && i > 0) {
			any |= all;
			all = 1;
		}
		v = prop_get(p, n, q->conds[i].prop);
		ok = v != NULL && strcasecmp(v, q->conds[i].value) == 0;
		all &= q->conds[i].negate ? !ok : ok;
	}
	return q->nconds == 0 || any || all;
}

/* Every property a query names exists on the class. */
static int
wql_props_known(const struct wql *q, const struct prop *p, size_t n)
{
	size_t i;

	for (i = 0; i < q->nfields; i++)
		if (prop_get(p, n, q->fields[i]) == NULL)
			return 0;
	for (i = 0; i < q->nconds; i++)
		if (prop_get(p, n, q->conds[i].prop) == NULL)
			return 0;
	return 1;
}

/* --- Win32_Service operations -------------------------------------------- */

/* SelectorFilter: every selector names a property with that value. */
static int
selectors_match(xmlNode *set, const struct prop *p, size_t n)
{
	const char *v;
	xmlNode *c;
	char *name, *want;
	int ok = 1;

	for (c = set != NULL ? set->children : NULL; c != NULL && ok;
	    c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		name = (char *)xmlGetProp(c, (xmlChar *)"Name");
		want = soap_text(c);
		v = name != NULL ? prop_get(p, n, name) : NULL;
		ok = v != NULL && strcasecmp(v, want) == 0;
		xmlFree(name);
		free(want);
	}
	return ok;
}

static int
enum_wql(struct soap_req *r, struct soap_out *out, xmlNode *filter)
{
	struct sim_host *h = r->host;
	struct prop p[NPROPS];
	struct wql q;
	xmlNode *items;
	char *text = soap_text(filter);
	size_t i, n;
	int rc;

	rc = wql_parse(text, &q);
	free(text);
	if (rc != 0) {
		wql_clear(&q);
		return soap_fault(out, r, &soap_f_cannot_process_filter, NULL);
	}
	if (strcasecmp(q.cls, "Win32_Service") != 0) {
		wql_clear(&q);
		return soap_fault(out, r, &f_no_class, NULL);
	}
	items = soap_items_new();
	for (i = 0; i < h->nservices; i++) {
		n = service_props(h, &h->services[i], p);
		if (!wql_props_known(&q, p, n)) {
			xmlFreeDoc(items->doc);
			wql_clear(&q);
			return soap_fault(out, r, &soap_f_cannot_process_filter,
			    NULL);
		}
		if (wql_match(&q, p, n))
			service_xml(h, &h->services[i], items, q.fields,
			    q.nfields);
	}
	wql_clear(&q);
	return soap_enumerate(out, r, items);
}

static int
service_enumerate(struct soap_req *r, struct soap_out *out, int any_class)
{
	struct sim_host *h = r->host;
	struct prop p[NPROPS];
	xmlNode *filter, *items, *set = NULL;
	char *dialect = NULL;
	size_t i, n;
	int wql, sel;

	if ((filter = soap_child(r->body, SIM_NS_W, "Filter")) != NULL)
		dialect = (char *)xmlGetProp(filter, (xmlChar *)"Dialect");
	wql = dialect != NULL && strcasecmp(dialect, WQL) == 0;
	sel = dialect != NULL && strcmp(dialect, SELECTOR_FILTER) == 0;
	xmlFree(dialect);
	if (filter != NULL && !wql && !sel)
		return soap_fault(out, r, &f_dialect, NULL);
	if (wql)
		return enum_wql(r, out, filter);
	if (any_class)
		return soap_fault(out, r, &soap_f_cannot_process_filter, NULL);
	if (sel)
		set = soap_child(filter, SIM_NS_W, "SelectorSet");
	items = soap_items_new();
	for (i = 0; i < h->nservices; i++) {
		n = service_props(h, &h->services[i], p);
		if (set == NULL || selectors_match(set, p, n))
			service_xml(h, &h->services[i], items, NULL, 0);
	}
	return soap_enumerate(out, r, items);
}

/* The service the Name selector names, or NULL after a fault. */
static struct sim_service *
service_selected(struct soap_req *r, struct soap_out *out)
{
	const char *name = soap_selector(r, "Name");
	struct sim_service *s;

	if (name == NULL)
		soap_fault(out, r, &f_insufficient, NULL);
	else if (r->nselectors != 1)
		soap_fault(out, r, &soap_f_invalid_selectors, NULL);
	else if ((s = sim_service(r->host, name)) == NULL)
		soap_fault(out, r, &soap_f_not_found, NULL);
	else
		return s;
	return NULL;
}

static unsigned long
start_mode(struct sim_service *s, const char *mode)
{
	static const struct {
		const char *wmi, *mode;
	} modes[] = {
		{ "Automatic", "Auto" }, { "Manual", "Manual" },
		{ "Disabled", "Disabled" }, { "Boot", NULL },
		{ "System", NULL },
	};
	size_t i;

	for (i = 0; i < nitems(modes); i++)
		if (mode != NULL && strcasecmp(mode, modes[i].wmi) == 0)
			break;
	/* Boot and System are for drivers only. */
	if (i == nitems(modes) || modes[i].mode == NULL)
		return RV_INVALID_PARAM;
	free(s->start_mode);
	s->start_mode = xstrdup(modes[i].mode);
	return RV_OK;
}

/* One Win32_Service method; the return value, *changed if it acted. */
static unsigned long
service_method(struct soap_req *r, struct sim_service *s, const char *m,
    int *changed)
{
	int running = strcasecmp(s->state, "Running") == 0;
	unsigned long rv;
	char *mode;

	if (!r->admin)
		return RV_ACCESS_DENIED;
	if (strcmp(m, "StartService") == 0) {
		if (running)
			return RV_RUNNING;
		if (strcasecmp(s->start_mode, "Disabled") == 0)
			return RV_DISABLED;
		sim_service_set_state(r->host, s, "Running");
	} else if (strcmp(m, "StopService") == 0) {
		if (!running)
			return RV_NOT_ACTIVE;
		sim_service_set_state(r->host, s, "Stopped");
	} else {
		mode = soap_text(soap_child(r->body, NULL, "StartMode"));
		rv = start_mode(s, mode);
		*changed = rv == RV_OK;
		free(mode);
		return rv;
	}
	*changed = 1;
	return RV_OK;
}

/* <p:Method_OUTPUT xmlns:p="URI"> with ReturnValue; returns it. */
static xmlNode *
method_output(struct soap_req *r, struct soap_out *out, const char *method,
    unsigned long rv, xmlNs **ns)
{
	xmlNode *body, *o;
	char *act, *name, num[24];

	act = xasprintf("%s/%sResponse", r->resource_uri, method);
	body = soap_reply(out, r, act);
	free(act);
	name = xasprintf("%s_OUTPUT", method);
	o = xmlNewChild(body, NULL, (xmlChar *)name, NULL);
	free(name);
	*ns = xmlNewNs(o, (xmlChar *)r->resource_uri, (xmlChar *)"p");
	xmlSetNs(o, *ns);
	snprintf(num, sizeof(num), "%lu", rv);
	soap_add(o, *ns, "ReturnValue", num);
	return o;
}

/* The method an Invoke names (after "URI/"), or NULL. */
static const char *
invoked(const struct soap_req *r)
{
	size_t n = strlen(r->resource_uri);

	if (strncasecmp(r->action, r->resource_uri, n) != 0 ||
	    r->action[n] != '/')
		return NULL;
	return r->action + n + 1;
}

/* The body must be <p:Method_INPUT>. */
static int
input_ok(const struct soap_req *r, const char *method)
{
	size_t n = strlen(method);

	return r->body != NULL &&
	    strncmp((const char *)r->body->name, method, n) == 0 &&
	    strcmp((const char *)r->body->name + n, "_INPUT") == 0;
}

static int
win32_service(struct soap_req *r, struct soap_out *out, int any_class)
{
	static const char *const methods[] = { "StartService", "StopService",
	    "ChangeStartMode" };
	struct sim_service *s;
	const char *m;
	unsigned long rv;
	xmlNs *ns;
	size_t i;
	int changed = 0;

	if (strcmp(r->action, SIM_NS_N "/Enumerate") == 0)
		return service_enumerate(r, out, any_class);
	if (any_class)
		return soap_fault(out, r, &soap_f_action_not_supported, NULL);
	if (strcmp(r->action, SIM_NS_X "/Get") == 0) {
		if ((s = service_selected(r, out)) != NULL)
			service_xml(r->host, s, soap_reply(out, r,
			    SIM_NS_X "/GetResponse"), NULL, 0);
		return 0;
	}
	if ((m = invoked(r)) == NULL)
		return soap_fault(out, r, &soap_f_action_not_supported, NULL);
	for (i = 0; i < nitems(methods); i++)
		if (strcmp(m, methods[i]) == 0)
			break;
	if (i == nitems(methods))
		return soap_fault(out, r, &soap_f_action_not_supported, NULL);
	if (!input_ok(r, m))
		return soap_fault(out, r, &soap_f_schema_validation, NULL);
	if ((s = service_selected(r, out)) == NULL)
		return 0;
	rv = service_method(r, s, m, &changed);
	r->wrote |= changed;
	method_output(r, out, m, rv, &ns);
	return 0;
}

/* --- StdRegProv ---------------------------------------------------------- */

enum reg_kind { R_GET, R_SET, R_ENUMV, R_ENUMK, R_CREATE, R_DELKEY, R_DELVAL };

static const struct reg_method {
	const char	*name;
	enum reg_kind	 kind;
	int		 type;
	const char	*param;		/* the value's parameter */
} reg_methods[] = {
	{ "GetDWORDValue", R_GET, SIM_REG_DWORD, "uValue" },
	{ "GetQWORDValue", R_GET, SIM_REG_QWORD, "uValue" },
	{ "GetStringValue", R_GET, SIM_REG_SZ, "sValue" },
	{ "GetExpandedStringValue", R_GET, SIM_REG_EXPAND_SZ, "sValue" },
	{ "GetMultiStringValue", R_GET, SIM_REG_MULTI_SZ, "sValue" },
	{ "SetDWORDValue", R_SET, SIM_REG_DWORD, "uValue" },
	{ "SetQWORDValue", R_SET, SIM_REG_QWORD, "uValue" },
	{ "SetStringValue", R_SET, SIM_REG_SZ, "sValue" },
	{ "SetExpandedStringValue", R_SET, SIM_REG_EXPAND_SZ, "sValue" },
	{ "SetMultiStringValue", R_SET, SIM_REG_MULTI_SZ, "sValue" },
	{ "EnumValues", R_ENUMV, 0, NULL },
	{ "EnumKey", R_ENUMK, 0, NULL },
	{ "CreateKey", R_CREATE, 0, NULL },
	{ "DeleteKey", R_DELKEY, 0, NULL },
	{ "DeleteValue", R_DELVAL, 0, NULL },
};

/* One registry call: its inputs and what it answers. */
struct reg_call {
	struct soap_req			*r;
	const struct reg_method		*m;
	char				*subkey;
	char				*name;	/* sValueName */
	unsigned long			 rv;
	struct soap_kv			*outs;	/* NULL: nil */
	size_t				 nouts;
};

/* An input parameter's text, NULL when absent or nil. */
static char *
param(struct soap_req *r, const char *name)
{
	xmlNode *c = soap_child(r->body, NULL, name);
	xmlChar *nil;
	int is_nil;

	if (c == NULL)
		return NULL;
	nil = xmlGetNsProp(c, (xmlChar *)"nil", (xmlChar *)SIM_NS_XSI);
	is_nil = nil != NULL && xmlStrcmp(nil, (xmlChar *)"true") == 0;
	xmlFree(nil);
	return is_nil ? NULL : soap_text(c);
}

static void
out_add(struct reg_call *c, const char *name, const char *value)
{
	c->outs = xreallocarray(c->outs, c->nouts + 1, sizeof(*c->outs));
	c->outs[c->nouts].name = xstrdup(name);
	c->outs[c->nouts++].value = value != NULL ? xstrdup(value) : NULL;
}

static void
reg_get(struct reg_call *c, struct sim_reg_key *k)
{
	struct sim_reg_value *v;
	char num[24];
	size_t i;

	if (k == NULL) {
		c->rv = RV_NOT_FOUND;
		return;
	}
	if ((v = sim_reg_value(k, c->name, 0)) == NULL) {
		c->rv = RV_NO_VALUE;
		return;
	}
	if (v->type != c->m->type) {
		c->rv = RV_TYPE_MISMATCH;
		return;
	}
	if (v->type == SIM_REG_DWORD || v->type == SIM_REG_QWORD) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)v->num);
		out_add(c, c->m->param, num);
	} else if (v->type == SIM_REG_MULTI_SZ) {
		for (i = 0; i < v->nmulti; i++)
			out_add(c, c->m->param, v->multi[i]);
		if (v->nmulti == 0)
			out_add(c, c->m->param, NULL);
	} else
		out_add(c, c->m->param, v->sz);
}

static int
parse_num(const char *s, int type, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || *s == '\0' || *s == '-')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || (type == SIM_REG_DWORD && v > 0xffffffffULL))
		return -1;
	*out = v;
	return 0;
}

/* The sValue elements of a SetMultiStringValue. */
static size_t
multi_values(struct soap_req *r, char ***items)
{
	xmlNode *c;
	size_t n = 0;

	*items = NULL;
	for (c = r->body->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    xmlStrEqual(c->name, (xmlChar *)"sValue") &&
		    !xmlHasNsProp(c, (xmlChar *)"nil", (xmlChar *)SIM_NS_XSI)) {
			*items = xreallocarray(*items, n + 1, sizeof(**items));
			(*items)[n++] = soap_text(c);
		}
	return n;
}

/*
 * Set a value; 1 when written.  Setting a value to what it holds is a
 * write too (the key's last-write time moves on Windows).
 */
static int
reg_set(struct reg_call *c, struct sim_reg_key *k)
{
	char *text, **items;
	uint64_t num = 0;
	size_t n, i;

	if (k == NULL) {
		c->rv = RV_NOT_FOUND;
		return 0;
	}
	if (c->m->type == SIM_REG_MULTI_SZ) {
		n = multi_values(c->r, &items);
		sim_reg_set_multi(k, c->name, items, n);
		for (i = 0; i < n; i++)
			free(items[i]);
		free(items);
		return 1;
	}
	text = param(c->r, c->m->param);
	if (c->m->type != SIM_REG_DWORD && c->m->type != SIM_REG_QWORD)
		sim_reg_set_sz(k, c->name, c->m->type,
		    text != NULL ? text : "");
	else if (parse_num(text, c->m->type, &num) == 0)
		sim_reg_set_num(k, c->name, c->m->type, num);
	else
		c->rv = RV_WBEM_INVALID;
	free(text);
	return c->rv == RV_OK;
}

static void
reg_enum_values(struct reg_call *c, struct sim_reg_key *k)
{
	char num[16];
	size_t i;

	if (k == NULL) {
		c->rv = RV_NOT_FOUND;
		return;
	}
	for (i = 0; i < k->nvalues; i++)
		out_add(c, "sNames", k->values[i].name);
	for (i = 0; i < k->nvalues; i++) {
		snprintf(num, sizeof(num), "%d", k->values[i].type);
		out_add(c, "Types", num);
	}
	if (k->nvalues == 0) {
		out_add(c, "sNames", NULL);
		out_add(c, "Types", NULL);
	}
}

static void
reg_enum_keys(struct reg_call *c, struct sim_reg_key *k)
{
	char **names;
	size_t i, n;

	if (k == NULL && *c->subkey != '\0') {
		c->rv = RV_NOT_FOUND;
		return;
	}
	n = sim_reg_subkeys(c->r->host, c->subkey, &names);
	for (i = 0; i < n; i++) {
		out_add(c, "sNames", names[i]);
		free(names[i]);
	}
	free(names);
	if (n == 0)
		out_add(c, "sNames", NULL);
}

/* The key-changing methods; 1 if the registry changed. */
static int
reg_change(struct reg_call *c, struct sim_reg_key *k)
{
	struct sim_host *h = c->r->host;
	char **names;
	size_t n, i;

	switch (c->m->kind) {
	case R_CREATE:
		if (k != NULL || *c->subkey == '\0')
			return 0;
		sim_reg_key(h, c->subkey, 1);
		return 1;
	case R_DELKEY:
		if (k == NULL) {
			c->rv = RV_NOT_FOUND;
			return 0;
		}
		/* RegDeleteKey refuses a key that has subkeys. */
		n = sim_reg_subkeys(h, c->subkey, &names);
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
		if (n > 0) {
			c->rv = RV_REG_DENIED;
			return 0;
		}
		sim_reg_delete_key(h, c->subkey);
		return 1;
	default:	/* R_DELVAL */
		if (k == NULL || sim_reg_delete_value(k, c->name) != 0) {
			c->rv = RV_NOT_FOUND;
			return 0;
		}
		return 1;
	}
}

static void
reg_run(struct reg_call *c)
{
	struct sim_reg_key *k = NULL;
	char *hive;
	int changed = 0;

	hive = param(c->r, "hDefKey");
	/* Only HKEY_LOCAL_MACHINE is simulated: other hives are empty. */
	if (hive == NULL || strtoul(hive, NULL, 10) == HKLM)
		k = sim_reg_key(c->r->host, c->subkey, 0);
	else if (c->m->kind != R_GET && c->m->kind != R_ENUMV &&
	    c->m->kind != R_ENUMK) {
		free(hive);
		c->rv = RV_REG_DENIED;
		return;
	}
	free(hive);
	if (c->m->kind != R_GET && c->m->kind != R_ENUMV &&
	    c->m->kind != R_ENUMK && !c->r->admin) {
		c->rv = RV_REG_DENIED;
		return;
	}
	switch (c->m->kind) {
	case R_GET: reg_get(c, k); break;
	case R_SET: changed = reg_set(c, k); break;
	case R_ENUMV: reg_enum_values(c, k); break;
	case R_ENUMK: reg_enum_keys(c, k); break;
	default: changed = reg_change(c, k); break;
	}
	c->r->wrote |= changed;
}

static int
stdregprov(struct soap_req *r, struct soap_out *out)
{
	struct reg_call c;
	const char *m = invoked(r);
	xmlNode *o, *e;
	xmlNs *ns, *xsi;
	size_t i;

	for (i = 0; m != NULL && i < nitems(reg_methods); i++)
		if (strcmp(m, reg_methods[i].name) == 0)
			break;
	if (m == NULL || i == nitems(reg_methods))
		return soap_fault(out, r, &soap_f_action_not_supported, NULL);
	if (r->nselectors > 0)
		return soap_fault(out, r, &soap_f_invalid_selectors, NULL);
	if (!input_ok(r, m))
		return soap_fault(out, r, &soap_f_schema_validation, NULL);
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.m = &reg_methods[i];
	if ((c.subkey = param(r, "sSubKeyName")) == NULL)
		c.subkey = xstrdup("");
	if ((c.name = param(r, "sValueName")) == NULL)
		c.name = xstrdup("");
	reg_run(&c);
	o = method_output(r, out, m, c.rv, &ns);
	xsi = NULL;
	for (i = 0; i < c.nouts; i++) {
		e = soap_add(o, ns, c.outs[i].name, c.outs[i].value);
		if (c.outs[i].value != NULL)
			continue;
		if (xsi == NULL)
			xsi = xmlNewNs(o, (xmlChar *)SIM_NS_XSI,
			    (xmlChar *)"xsi");
		xmlSetNsProp(e, xsi, (xmlChar *)"nil", (xmlChar *)"true");
	}
	for (i = 0; i < c.nouts; i++) {
		free(c.outs[i].name);
		free(c.outs[i].value);
	}
	free(c.outs);
	free(c.subkey);
	free(c.name);
	return 0;
}

/* --- Win32_Group, Win32_Account, ASSOCIATORS OF -------------------------- */

/*
 * Accounts as the CIMWin32 provider shows them (docs/windows-behaviour.md
 * #local-groups-through-wmi): Domain is the host's NetBIOS name for local
 * accounts and groups, the authority ("NT AUTHORITY") for well-known
 * ones, Name the bare name, SIDType 1 user, 4 alias, 5 well-known group.
 */
struct acct {
	const char	*cls;		/* Win32_UserAccount, Win32_Group, ... */
	const char	*name;		/* as the host stores it */
	const char	*sid;
	const char	*desc;
};

#define NACCT_PROPS	8

static size_t
acct_props(struct sim_host *h, const struct acct *a, struct prop *p)
{
	const char *bare, *type = "1";
	char dom[64], nb[16];
	size_t n = 0;

	if (strcmp(a->cls, "Win32_SID") == 0) {
		prop(p, &n, "AccountName", "%s", "");
		p[n - 1].nil = 1;
		prop(p, &n, "ReferencedDomainName", "%s", "");
		p[n - 1].nil = 1;
		prop(p, &n, "SID", "%s", a->sid);
		return n;
	}
	sim_host_netbios(h, nb);
	sim_account_split(h, a->name, dom, sizeof(dom), &bare);
	if (strcmp(a->cls, "Win32_Group") == 0)
		type = "4";
	else if (strcmp(a->cls, "Win32_SystemAccount") == 0)
		type = "5";
	prop(p, &n, "Caption", "%s\\%s", dom, bare);
	prop(p, &n, "Description", "%s", a->desc != NULL ? a->desc : "");
	prop(p, &n, "Domain", "%s", dom);
	prop(p, &n, "LocalAccount", "%s", strcasecmp(dom, nb) == 0 ?
	    "true" : "false");
	prop(p, &n, "Name", "%s", bare);
	prop(p, &n, "SID", "%s", a->sid);
	prop(p, &n, "SIDType", "%s", type);
	prop(p, &n, "Status", "OK");
	return n;
}

/* Well-known principals (S-1-1-0, S-1-5-18, ...): no domain part. */
static int
acct_wellknown(const char *sid)
{
	return strncmp(sid, "S-1-5-21-", 9) != 0 &&
	    strncmp(sid, "S-1-5-32-", 9) != 0;
}

static struct acct
acct_of_account(const struct sim_account *a)
{
	struct acct r = { acct_wellknown(a->sid) ? "Win32_SystemAccount" :
	    "Win32_UserAccount", a->name, a->sid, NULL };

	return r;
}

static struct acct
acct_of_group(const struct sim_group *g)
{
	struct acct r = { "Win32_Group", g->name, g->sid, g->comment };

	return r;
}

/* A group member as WMI would show it; cls NULL when it shows nothing. */
static struct acct
acct_of_member(struct sim_host *h, const char *m)
{
	struct acct r = { NULL, m, m, NULL };
	struct sim_account *a;
	struct sim_group *g;

	if ((a = sim_account(h, m)) != NULL)
		return acct_of_account(a);
	if ((g = sim_group(h, m)) != NULL)
		return acct_of_group(g);
	if (sim_is_sid(m))
		r.cls = "Win32_SID";	/* an orphan (unverified) */
	return r;
}

/* Add a to items if it matches q (NULL: always); -1 on an unknown prop. */
static int
acct_add(struct sim_host *h, const struct acct *a, const struct wql *q,
    xmlNode *items)
{
	struct prop p[NACCT_PROPS];
	size_t n = acct_props(h, a, p);

	if (q != NULL && !wql_props_known(q, p, n))
		return -1;
	if (q == NULL || wql_match(q, p, n))
		instance_xml(a->cls, p, n, items, q != NULL ? q->fields : NULL,
		    q != NULL ? q->nfields : 0);
	return 0;
}

/* SELECT ... FROM Win32_Group | Win32_Account [WHERE ...] */
static int
acct_query(struct soap_req *r, struct soap_out *out, const struct wql *q)
{
	struct sim_host *h = r->host;
	struct acct a;
	xmlNode *items = soap_items_new();
	size_t i;
	int rc = 0, all = strcasecmp(q->cls, "Win32_Account") == 0;

	for (i = 0; all && rc == 0 && i < h->naccounts; i++) {
		a = acct_of_account(&h->accounts[i]);
		rc = acct_add(h, &a, q, items);
	}
	for (i = 0; rc == 0 && i < h->ngroups; i++) {
		a = acct_of_group(&h->groups[i]);
		rc = acct_add(h, &a, q, items);
	}
	if (rc != 0) {
		xmlFreeDoc(items->doc);
		return soap_fault(out, r, &soap_f_cannot_process_filter, NULL);
	}
	return soap_enumerate(out, r, items);
}

/*
 * SELECT * FROM Win32_NTDomain: the domain the host is joined to, taken
 * from its DNS name (node1.contoso.test: CONTOSO, contoso.test), as a
 * single-domain forest shows it.
 */
static int
acct_domains(struct soap_req *r, struct soap_out *out, const struct wql *q)
{
	const char *dns = strchr(r->host->name, '.');
	struct prop p[5];
	xmlNode *items = soap_items_new();
	char nb[16];
	size_t n = 0, i;

	if (dns != NULL) {
		dns++;
		for (i = 0; i < 15 && dns[i] != '\0' && dns[i] != '.'; i++)
			nb[i] = (char)toupper((unsigned char)dns[i]);
		nb[i] = '\0';
		prop(p, &n, "Caption", "%s", nb);
		prop(p, &n, "DnsForestName", "%s", dns);
		prop(p, &n, "DomainName", "%s", nb);
		prop(p, &n, "Name", "Domain: %s", nb);
		if (wql_match(q, p, n))
			instance_xml("Win32_NTDomain", p, n, items, q->fields,
			    q->nfields);
	}
	return soap_enumerate(out, r, items);
}

/* key="value" or key='value' inside an object path; NULL if absent. */
static char *
path_key(const char *path, const char *key)
{
	const char *p = path, *v, *e;
	size_t n = strlen(key);

	while ((p = strcasestr(p, key)) != NULL) {
		v = p + n;
		p = v;
		while (*v == ' ')
			v++;
		if (*v++ != '=')
			continue;
		while (*v == ' ')
			v++;
		if ((*v != '"' && *v != '\'') || (e = strchr(v + 1, *v)) == NULL)
			return NULL;
		return xstrndup(v + 1, (size_t)(e - v - 1));
	}
	return NULL;
}

/*
 * ASSOCIATORS OF {Win32_Group.Domain="D",Name="N"} WHERE AssocClass =
 * Win32_GroupUser Role = GroupComponent: the members, as instances.
 */
static int
acct_associators(struct soap_req *r, struct soap_out *out, const char *text)
{
	struct sim_host *h = r->host;
	struct sim_group *g = NULL;
	struct acct a;
	const char *open = strchr(text, '{'), *close = strchr(text, '}');
	char *path, *dom = NULL, *name = NULL, nb[16];
	xmlNode *items;
	size_t i;

	if (open == NULL || close == NULL || close < open ||
	    strcasestr(close, "Win32_GroupUser") == NULL)
		return soap_fault(out, r, &soap_f_cannot_process_filter, NULL);
	path = xstrndup(open + 1, (size_t)(close - open - 1));
	sim_host_netbios(h, nb);
	if (strncasecmp(path, "Win32_Group.", 12) == 0 &&
	    (dom = path_key(path, "Domain")) != NULL &&
	    (name = path_key(path, "Name")) != NULL &&
	    strcasecmp(dom, nb) == 0)
		g = sim_group(h, name);
	free(path);
	free(dom);
	free(name);
	/* An object path naming nothing: WMI's "not found". */
	if (g == NULL)
		return soap_fault(out, r, &soap_f_not_found, NULL);
	items = soap_items_new();
	for (i = 0; i < g->nmembers; i++) {
		a = acct_of_member(h, g->members[i]);
		if (a.cls != NULL)
			acct_add(h, &a, NULL, items);
	}
	return soap_enumerate(out, r, items);
}

/* A WQL Enumerate of the account classes; 1 if it was not one. */
static int
acct_enumerate(struct soap_req *r, struct soap_out *out, int any_class)
{
	xmlNode *filter;
	struct wql q;
	char *dialect = NULL, *text;
	int rc = 1;

	memset(&q, 0, sizeof(q));
	if (strcmp(r->action, SIM_NS_N "/Enumerate") != 0 ||
	    (filter = soap_child(r->body, SIM_NS_W, "Filter")) == NULL)
		return 1;
	dialect = (char *)xmlGetProp(filter, (xmlChar *)"Dialect");
	text = soap_text(filter);
	if (dialect != NULL && strcasecmp(dialect, WQL) == 0) {
		if (any_class && strncasecmp(text, "ASSOCIATORS", 11) == 0)
			rc = acct_associators(r, out, text);
		else if (wql_parse(text, &q) != 0)
			rc = 1;
		else if (any_class && strcasecmp(q.cls, "Win32_NTDomain") == 0)
			rc = acct_domains(r, out, &q);
		else if (strcasecmp(q.cls, "Win32_Group") == 0 || (any_class &&
		    strcasecmp(q.cls, "Win32_Account") == 0))
			rc = acct_query(r, out, &q);
		wql_clear(&q);
	}
	xmlFree(dialect);
	free(text);
	return rc;
}

/* --- RSoP: root\rsop\computer ------------------------------------------- */

#define RSOP		WMI "root/rsop/computer/"
#define NRSOP_PROPS	10

/* The namespace missing: WMI's WBEM_E_INVALID_NAMESPACE (unverified form). */
static const struct soap_fault f_rsop_namespace = {
	"s:Sender", "w:InternalError", NULL, NULL, 0x8004100EUL,
	"Invalid namespace ", "WMI Provider",
	"%systemroot%\\system32\\WsmWmiPl.dll", SOAP_DETAIL_WMI,
};
/* ERROR_WSMAN_WMI_SVC_ACCESS_DENIED (wsmerror.h). */
static const struct soap_fault f_rsop_denied = {
	"s:Sender", "w:AccessDenied", NULL, NULL, 0x80338104UL,
	"The WS-Management service cannot process the request. The WMI "
	"service returned an 'access denied' error.", NULL, NULL,
	SOAP_DETAIL_TEXT,
};

/* GPOID as RSoP logs it: the GPO's directory path, or "LocalGPO". */
static void
rsop_gpoid(const struct sim_host *h, const struct sim_gpo *g, char *out,
    size_t len)
{
	const char *dom = strchr(h->name, '.');
	struct buf b = BUF_INIT;
	const char *p, *e;

	if (strcasecmp(g->guid, "LocalGPO") == 0 || dom == NULL) {
		snprintf(out, len, "%s", g->guid);
		return;
	}
	buf_printf(&b, "cn=%s,cn=policies,cn=system", g->guid);
	for (p = dom + 1; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, '.') != NULL ? strchr(p, '.') : p + strlen(p);
		buf_printf(&b, ",DC=%.*s", (int)(e - p), p);
	}
	snprintf(out, len, "%s", buf_cstr(&b));
	buf_release(&b);
}

/* 1 + how many GPOs before g deliver the same value: RSoP's precedence. */
static unsigned
rsop_precedence(const struct sim_host *h, size_t gi,
    const struct sim_gpo_value *v)
{
	const struct sim_gpo *g;
	unsigned n = 1;
	size_t i, j;

	for (i = 0; i < gi; i++) {
		g = &h->gpos[i];
		for (j = 0; j < g->nvalues; j++)
			if (strcasecmp(g->values[j].key, v->key) == 0 &&
			    strcasecmp(g->values[j].name, v->name) == 0)
				n++;
	}
	return n;
}

static size_t
rsop_props(const struct sim_host *h, size_t gi, size_t vi, struct prop *p)
{
	const struct sim_gpo_value *v = &h->gpos[gi].values[vi];
	char gpoid[160];
	size_t n = 0;

	rsop_gpoid(h, &h->gpos[gi], gpoid, sizeof(gpoid));
	prop(p, &n, "GPOID", "%s", gpoid);
	prop(p, &n, "SOMID", "%s", "Local");
	prop(p, &n, "command", "%s", "");
	prop(p, &n, "deleted", "%s", "false");
	prop(p, &n, "id", "{5E1C0E52-0000-4000-8000-%04zX%08zX}", gi, vi);
	prop(p, &n, "precedence", "%u", rsop_precedence(h, gi, v));
	prop(p, &n, "registryKey", "%s", v->key);
	prop(p, &n, "valueName", "%s", v->name);
	prop(p, &n, "valueType", "%d", v->type);
	return n;
}

/* RSoP logging turned off by policy: the namespace holds no data. */
static int
rsop_logging_off(struct sim_host *h)
{
	struct sim_reg_key *k = sim_reg_key(h, "SOFTWARE\\Policies\\"
	    "Microsoft\\Windows\\System", 0);
	struct sim_reg_value *v = k != NULL ? sim_reg_value(k, "RSoPLogging",
	    0) : NULL;

	return v != NULL && v->type == SIM_REG_DWORD && v->num == 0;
}

/* WQL SELECT ... FROM RSOP_RegistryPolicySetting [WHERE ...] on "*". */
static int
rsop_enumerate(struct soap_req *r, struct soap_out *out)
{
	struct sim_host *h = r->host;
	struct prop p[NRSOP_PROPS];
	xmlNode *filter, *items;
	struct wql q;
	char *dialect = NULL, *text = NULL;
	size_t i, j, n;
	int ok;

	if (h->rsop == SIM_RSOP_MISSING)
		return soap_fault(out, r, &f_rsop_namespace, NULL);
	if (h->rsop == SIM_RSOP_DENIED)
		return soap_fault(out, r, &f_rsop_denied, NULL);
	if (strcmp(r->action, SIM_NS_N "/Enumerate") != 0 ||
	    (filter = soap_child(r->body, SIM_NS_W, "Filter")) == NULL)
		return soap_fault(out, r, &soap_f_cannot_process_filter, NULL);
	dialect = (char *)xmlGetProp(filter, (xmlChar *)"Dialect");
	text = soap_text(filter);
	ok = dialect != NULL && strcasecmp(dialect, WQL) == 0 &&
	    wql_parse(text, &q) == 0;
	xmlFree(dialect);
	free(text);
	if (!ok || strcasecmp(q.cls, "RSOP_RegistryPolicySetting") != 0) {
		if (ok)
			wql_clear(&q);
		return soap_fault(out, r, ok ? &f_no_class :
		    &soap_f_cannot_process_filter, NULL);
	}
	items = soap_items_new();
	for (i = 0; !rsop_logging_off(h) && i < h->ngpos; i++)
		for (j = 0; j < h->gpos[i].nvalues; j++) {
			n = rsop_props(h, i, j, p);
			if (wql_match(&q, p, n))
				instance_xml_in(RSOP, "RSOP_RegistryPolicySetting",
				    p, n, items, q.fields, q.nfields);
		}
	wql_clear(&q);
	return soap_enumerate(out, r, items);
}

/* --- dispatch ------------------------------------------------------------ */

/* --- Win32_ComputerSystem (domain membership) ---------------------------- */

static size_t
computer_props(struct sim_host *h, struct prop *p)
{
	char nb[16];
	size_t n = 0;

	sim_host_netbios(h, nb);
	prop(p, &n, "Name", "%s", nb);
	prop(p, &n, "Domain", "%s", h->domain_joined ? h->domain :
	    "WORKGROUP");
	prop(p, &n, "PartOfDomain", "%s", h->domain_joined ? "true" :
	    "false");
	prop(p, &n, "Workgroup", "%s", h->domain_joined ? "" : "WORKGROUP");
	p[n - 1].nil = h->domain_joined;
	return n;
}

/* Enumerate (the one instance), or Get by its Name. */
static int
computer_system(struct soap_req *r, struct soap_out *out)
{
	struct prop p[NPROPS];
	const char *name;
	xmlNode *items;
	size_t n = computer_props(r->host, p);

	if (strcmp(r->action, SIM_NS_N "/Enumerate") == 0) {
		items = soap_items_new();
		instance_xml("Win32_ComputerSystem", p, n, items, NULL, 0);
		return soap_enumerate(out, r, items);
	}
	if (strcmp(r->action, SIM_NS_X "/Get") != 0)
		return soap_fault(out, r, &soap_f_action_not_supported, NULL);
	name = soap_selector(r, "Name");
	if (name == NULL || strcasecmp(name, prop_get(p, n, "Name")) != 0)
		return soap_fault(out, r, &soap_f_not_found, NULL);
	instance_xml("Win32_ComputerSystem", p, n, soap_reply(out, r,
	    SIM_NS_X "/GetResponse"), NULL, 0);
	return 0;
}

/* --- Win32_OperatingSystem (boot time, reboot.c) ------------------------- */

/*
 * The one instance: a datetime property is a cim:Datetime element holding
 * an xs:dateTime (DSP0230), not WMI's DMTF text.
 */
static int
operating_system(struct soap_req *r, struct soap_out *out)
{
	struct prop p[NPROPS];
	xmlNode *items, *e, *v;
	char nb[16], t[32];
	size_t n = 0;

	if (strcmp(r->action, SIM_NS_N "/Enumerate") != 0)
		return soap_fault(out, r, &soap_f_action_not_supported, NULL);
	sim_host_netbios(r->host, nb);
	prop(p, &n, "Caption", "Microsoft Windows Server 2022 Datacenter");
	prop(p, &n, "CSName", "%s", nb);
	prop(p, &n, "Version", "10.0.20348");
	items = soap_items_new();
	e = instance_xml("Win32_OperatingSystem", p, n, items, NULL, 0);
	sim_time_format(r->host->boot_time, t);
	v = soap_add(e, e->ns, "LastBootUpTime", NULL);
	xmlNewChild(v, xmlSearchNs(e->doc, e, (xmlChar *)"cim"),
	    (xmlChar *)"Datetime", (xmlChar *)t);
	return soap_enumerate(out, r, items);
}

int
res_wmi_handle(struct soap_req *r, struct soap_out *out)
{
	const char *uri = r->resource_uri;

	if (strcasecmp(uri, CIMV2 "Win32_OperatingSystem") == 0)
		return operating_system(r, out);

	if (strcasecmp(uri, CIMV2 "Win32_ComputerSystem") == 0)
		return computer_system(r, out);

	if (strcasecmp(uri, SERVICE_URI) == 0)
		return win32_service(r, out, 0);
	if (strcasecmp(uri, CIMV2 "Win32_Group") == 0 &&
	    acct_enumerate(r, out, 0) == 0)
		return 0;
	if (strcmp(uri, CIMV2 "*") == 0)
		return acct_enumerate(r, out, 1) == 0 ? 0 :
		    win32_service(r, out, 1);
	if (strcmp(uri, RSOP "*") == 0)
		return rsop_enumerate(r, out);
	if (strcasecmp(uri, WMI "root/default/StdRegProv") == 0 ||
	    strcasecmp(uri, CIMV2 "StdRegProv") == 0)
		return stdregprov(r, out);
	return soap_fault(out, r, &soap_f_not_found, NULL);
}
