/*
 * res_config.c: the WinRM configuration resources.
 *
 * http://schemas.microsoft.com/wbem/wsman/1/config and its containers
 * (config/client, config/client/auth, config/service, config/service/auth,
 * config/winrs, .../defaultports): Get and (partial) Put, each body in the
 * namespace "…/config" + the lower-cased sub-path [PS ConfigProvider.cs
 * SetSchemaPath].  Settings owned by Group Policy carry Source="GPO" and
 * refuse a change.  config/listener: Enumerate, Get, Put, Create, Delete by
 * Address and Transport, with Windows' certificate checks for HTTPS.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>
#include <openssl/x509v3.h>

#include "sim.h"

#define CONFIG		SIM_URI_WSMAN "/config"
#define TRANSFER	SIM_NS_X "/"

enum ctype { T_BOOL, T_UINT, T_STR, T_CBT };

/* Every setting in Windows' order; key is its ground-truth key. */
static const struct setting {
	const char	*path;		/* element path under Config */
	const char	*key;
	enum ctype	 type;
	const char	*dflt;	/* NULL: modelled in sim_winrm_config */
} settings[] = {
	{ "MaxEnvelopeSizekb", "winrm.MaxEnvelopeSizekb", T_UINT, NULL },
	{ "MaxTimeoutms", "winrm.MaxTimeoutms", T_UINT, NULL },
	{ "MaxBatchItems", "winrm.MaxBatchItems", T_UINT, "32000" },
	{ "MaxProviderRequests", "winrm.MaxProviderRequests", T_UINT,
	  "4294967295" },
	{ "Client/NetworkDelayms", "winrm.client.NetworkDelayms", T_UINT,
	  "5000" },
	{ "Client/URLPrefix", "winrm.client.URLPrefix", T_STR, "wsman" },
	{ "Client/AllowUnencrypted", "winrm.client.AllowUnencrypted", T_BOOL,
	  NULL },
	{ "Client/Auth/Basic", "winrm.client.auth.Basic", T_BOOL, NULL },
	{ "Client/Auth/Digest", "winrm.client.auth.Digest", T_BOOL, NULL },
	{ "Client/Auth/Kerberos", "winrm.client.auth.Kerberos", T_BOOL, NULL },
	{ "Client/Auth/Negotiate", "winrm.client.auth.Negotiate", T_BOOL,
	  NULL },
	{ "Client/Auth/Certificate", "winrm.client.auth.Certificate", T_BOOL,
	  NULL },
	{ "Client/Auth/CredSSP", "winrm.client.auth.CredSSP", T_BOOL, NULL },
	{ "Client/DefaultPorts/HTTP", "winrm.client.DefaultPorts.HTTP", T_UINT,
	  "5985" },
	{ "Client/DefaultPorts/HTTPS", "winrm.client.DefaultPorts.HTTPS",
	  T_UINT, "5986" },
	{ "Client/TrustedHosts", "winrm.client.TrustedHosts", T_STR, NULL },
	{ "Service/RootSDDL", "winrm.service.RootSDDL", T_STR,
	  "O:NSG:BAD:P(A;;GA;;;BA)(A;;GR;;;IU)S:P(AU;FA;GA;;;WD)"
	  "(AU;SA;GXGW;;;WD)" },
	{ "Service/MaxConcurrentOperations",
	  "winrm.service.MaxConcurrentOperations", T_UINT, "4294967295" },
	{ "Service/MaxConcurrentOperationsPerUser",
	  "winrm.service.MaxConcurrentOperationsPerUser", T_UINT, "1500" },
	{ "Service/EnumerationTimeoutms", "winrm.service.EnumerationTimeoutms",
	  T_UINT, "240000" },
	{ "Service/MaxConnections", "winrm.service.MaxConnections", T_UINT,
	  "300" },
	{ "Service/MaxPacketRetrievalTimeSeconds",
	  "winrm.service.MaxPacketRetrievalTimeSeconds", T_UINT, "120" },
	{ "Service/AllowUnencrypted", "winrm.service.AllowUnencrypted", T_BOOL,
	  NULL },
	{ "Service/Auth/Basic", "winrm.service.auth.Basic", T_BOOL, NULL },
	{ "Service/Auth/Kerberos", "winrm.service.auth.Kerberos", T_BOOL,
	  NULL },
	{ "Service/Auth/Negotiate", "winrm.service.auth.Negotiate", T_BOOL,
	  NULL },
	{ "Service/Auth/Certificate", "winrm.service.auth.Certificate", T_BOOL,
	  NULL },
	{ "Service/Auth/CredSSP", "winrm.service.auth.CredSSP", T_BOOL, NULL },
	{ "Service/Auth/CbtHardeningLevel",
	  "winrm.service.auth.CbtHardeningLevel", T_CBT, NULL },
	{ "Service/DefaultPorts/HTTP", "winrm.service.DefaultPorts.HTTP",
	  T_UINT, "5985" },
	{ "Service/DefaultPorts/HTTPS", "winrm.service.DefaultPorts.HTTPS",
	  T_UINT, "5986" },
	{ "Service/IPv4Filter", "winrm.service.IPv4Filter", T_STR, "*" },
	{ "Service/IPv6Filter", "winrm.service.IPv6Filter", T_STR, "*" },
	{ "Service/EnableCompatibilityHttpListener",
	  "winrm.service.EnableCompatibilityHttpListener", T_BOOL, "false" },
	{ "Service/EnableCompatibilityHttpsListener",
	  "winrm.service.EnableCompatibilityHttpsListener", T_BOOL, "false" },
	{ "Service/CertificateThumbprint",
	  "winrm.service.CertificateThumbprint", T_STR, "" },
	{ "Service/AllowRemoteAccess", "winrm.service.AllowRemoteAccess",
	  T_BOOL, "true" },
	{ "Winrs/AllowRemoteShellAccess", "winrm.winrs.AllowRemoteShellAccess",
	  T_BOOL, "true" },
	{ "Winrs/IdleTimeout", "winrm.winrs.IdleTimeout", T_UINT, "7200000" },
	{ "Winrs/MaxConcurrentUsers", "winrm.winrs.MaxConcurrentUsers", T_UINT,
	  "2147483647" },
	{ "Winrs/MaxShellRunTime", "winrm.winrs.MaxShellRunTime", T_UINT,
	  "2147483647" },
	{ "Winrs/MaxProcessesPerShell", "winrm.winrs.MaxProcessesPerShell",
	  T_UINT, "2147483647" },
	{ "Winrs/MaxMemoryPerShellMB", "winrm.winrs.MaxMemoryPerShellMB",
	  T_UINT, "2147483647" },
	{ "Winrs/MaxShellsPerUser", "winrm.winrs.MaxShellsPerUser", T_UINT,
	  "2147483647" },
};

static const struct soap_fault f_gpo = {
	"s:Receiver", "w:InternalError", NULL, NULL, 0x8033808AUL,
	"Cannot change GPO controlled setting.", NULL, NULL, 0,
};
static const struct soap_fault f_bad_namespace = {
	"s:Sender", "w:SchemaValidationError", NULL, NULL, 0x80338058UL,
	"The WS-Management service cannot identify the format of the object "
	"passed to a Put or Create method. The XML namespace for the input "
	"XML is invalid. Change the XML namespace for the input XML in the "
	"request.", NULL, NULL, 0,
};
static const struct soap_fault f_bad_values = {
	"s:Sender", "w:SchemaValidationError", NULL, NULL, 0x80338056UL,
	"The WS-Management service cannot process the request because the "
	"XML content has invalid values.", NULL, NULL, 0,
};
static const struct soap_fault f_insufficient_selectors = {
	"s:Sender", "w:InvalidSelectors", NULL, "InsufficientSelectors",
	0x8033805AUL, "The WS-Management service cannot process the request "
	"because the request did not contain all required selectors.", NULL,
	NULL, 0,
};
static const struct soap_fault f_address_invalid = {
	"s:Sender", "w:InvalidSelectors", NULL, "InvalidValue", 0x80338089UL,
	"The listener address specified is invalid. The address can be "
	"specified in one of the following formats: *, IP:<ip_address>, "
	"MAC:<mac_address>. Change the listener address and try the request "
	"again.", NULL, NULL, 0,
};
static const struct soap_fault f_change_keys = {
	"s:Sender", "w:InvalidParameter", NULL, NULL, 0x803380EDUL,
	"The WinRM client cannot process the request. The input XML modifies "
	"selectors or keys for the instance. You cannot create a new instance "
	"or change the identity of an instance by changing the keys. Change "
	"the input XML and try the request again.", NULL, NULL, 0,
};
static const struct soap_fault f_listening_on = {
	"s:Receiver", "w:InternalError", NULL, NULL, 0x80338041UL,
	"The SOAP XML in the message does not match the corresponding XML "
	"schema definition. Change the XML and retry.", NULL, NULL, 0,
};
static const struct soap_fault f_cert_blank = {
	"s:Receiver", "w:InternalError", NULL, NULL, 0x803380E7UL,
	"The WinRM client cannot process the request. The "
	"CertificateThumbprint property must not be \"\" (blank or empty "
	"string) or NULL.", NULL,
	NULL, 0,
};
static const struct soap_fault f_cert_not_found = {
	"s:Receiver", "w:InternalError", NULL, NULL, 0x80338082UL,
	"The WS-Management service cannot find the certificate that was "
	"requested.", NULL, NULL, 0,
};
static const struct soap_fault f_cert_usage = {
	"s:Receiver", "w:InternalError", NULL, NULL, 0x803380EEUL,
	"The WinRM client cannot process the request. The Enhanced Key Usage "
	"(EKU) field of the certificate is not set to \"Server "
	"Authentication\". Retry the request with a certificate that has the "
	"correct EKU.", NULL, NULL, 0,
};
static const struct soap_fault f_cert_cn = {
	"s:Receiver", "w:InternalError", NULL, NULL, 0x803380E9UL,
	"The WinRM client cannot process the request. The certificate CN and "
	"the hostname that were provided do not match.", NULL, NULL, 0,
};
static const struct soap_fault f_http_thumbprint = {
	"s:Receiver", "w:InternalError", NULL, NULL, 0x803380EBUL,
	"The WinRM client cannot process the request. When HTTP is the "
	"transport, the Certificate thumbprint must be blank. HTTP does not "
	"use the Certificate thumbprint.", NULL, NULL, 0,
};

void
res_config_init_settings(struct sim_host *h)
{
	size_t i;

	for (i = 0; i < nitems(settings); i++)
		if (settings[i].dflt != NULL &&
		    sim_setting_get(h, settings[i].key) == NULL)
			sim_setting_set(h, settings[i].key, settings[i].dflt);
}

/* A setting's current value and whether Group Policy owns it. */
static const char *
setting_value(struct sim_host *h, const struct setting *s, int *gpo)
{
	static char num[16];
	struct sim_bool *b;
	const char *v;

	*gpo = 0;
	if (s->dflt != NULL)
		return (v = sim_setting_get(h, s->key)) != NULL ? v : s->dflt;
	if ((b = sim_winrm_bool(h, s->key + 6)) != NULL) {
		*gpo = b->source == SIM_SRC_GPO;
		return b->value ? "true" : "false";
	}
	if (s->type == T_CBT)
		return h->winrm.cbt_hardening;
	if (strcmp(s->path, "Client/TrustedHosts") == 0) {
		*gpo = h->winrm.trusted_hosts_source == SIM_SRC_GPO;
		return h->winrm.trusted_hosts;
	}
	snprintf(num, sizeof(num), "%u", strcmp(s->path, "MaxTimeoutms") == 0 ?
	    h->winrm.max_timeout_ms : h->winrm.max_envelope_kb);
	return num;
}

/* --- containers ---------------------------------------------------------- */

/* The container a resource URI names: "", "client", "service/auth", ... */
static int
container_of(const char *uri, char *out, size_t len)
{
	const char *p = uri + strlen(CONFIG);
	size_t i, n;

	if (*p == '\0') {
		out[0] = '\0';
		return 0;
	}
	if (*p++ != '/')
		return -1;
	n = strlen(p);
	if (n >= len)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)p[i]);
	out[n] = '\0';
	/* A container exists when some setting lives under it. */
	for (i = 0; i < nitems(settings); i++)
		if (strncasecmp(settings[i].path, out, n) == 0 &&
		    settings[i].path[n] == '/')
			return 0;
	return -1;
}

/* The element name of a container: "Config", "Auth", "DefaultPorts". */
static char *
container_element(const char *container)
{
	const char *last;
	size_t i, n = strlen(container);

	if (n == 0)
		return xstrdup("Config");
	last = strrchr(container, '/');
	last = last != NULL ? last + 1 : container;
	for (i = 0; i < nitems(settings); i++)
		if (strncasecmp(settings[i].path, container, n) == 0 &&
		    settings[i].path[n] == '/')
			return xstrndup(settings[i].path + n - strlen(last),
			    strlen(last));
	return xstrdup(last);
}

static char *
container_ns(const char *container)
{
	return *container == '\0' ? xstrdup(CONFIG) :
	    xasprintf("%s/%s", CONFIG, container);
}

/* The setting's path relative to the container, or NULL if outside. */
static const char *
relative(const struct setting *s, const char *container)
{
	size_t n = strlen(container);

	if (n == 0)
		return s->path;
	if (strncasecmp(s->path, container, n) != 0 || s->path[n] != '/')
		return NULL;
	return s->path + n + 1;
}

/* The element for "A/B/leaf" under root, creating A and B as needed. */
static xmlNode *
parent_for(xmlNode *root, xmlNs *ns, const char *rel)
{
	const char *slash;
	xmlNode *p = root, *c;
	char *name;

	while ((slash = strchr(rel, '/')) != NULL) {
		name = xstrndup(rel, (size_t)(slash - rel));
		for (c = p->last; c != NULL && c->type != XML_ELEMENT_NODE;
		    c = c->prev)
			;
		if (c == NULL || xmlStrcmp(c->name, (xmlChar *)name) != 0)
			c = xmlNewChild(p, ns, (xmlChar *)name, NULL);
		free(name);
		p = c;
		rel = slash + 1;
	}
	return p;
}

/* The container's representation, as Get answers it. */
static xmlNode *
render(struct sim_host *h, const char *container, xmlNode *body)
{
	char *elem = container_element(container), *uri;
	const char *rel, *leaf, *v;
	xmlNode *root, *p, *n;
	xmlNs *ns;
	size_t i;
	int gpo;

	uri = container_ns(container);
	root = xmlNewChild(body, NULL, (xmlChar *)elem, NULL);
	ns = xmlNewNs(root, (xmlChar *)uri, (xmlChar *)"cfg");
	xmlSetNs(root, ns);
	for (i = 0; i < nitems(settings); i++) {
		if ((rel = relative(&settings[i], container)) == NULL)
			continue;
		p = parent_for(root, ns, rel);
		leaf = strrchr(rel, '/') != NULL ? strrchr(rel, '/') + 1 : rel;
		v = setting_value(h, &settings[i], &gpo);
		n = soap_add(p, ns, leaf, v);
		if (gpo)
			xmlNewProp(n, (xmlChar *)"Source", (xmlChar *)"GPO");
	}
	free(uri);
	free(elem);
	return root;
}

/* --- Put on a container -------------------------------------------------- */

struct change {
	const struct setting	*s;
	char			*value;
};

struct changes {
	struct change	*list;
	size_t		 n;
};

static void
changes_clear(struct changes *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		free(cs->list[i].value);
	free(cs->list);
}

static int
value_ok(enum ctype type, char *v)
{
	const char *p;

	switch (type) {
	case T_BOOL:
		if (strcasecmp(v, "true") != 0 && strcasecmp(v, "false") != 0)
			return 0;
		for (p = v; *p != '\0'; p++)
			v[p - v] = (char)tolower((unsigned char)*p);
		return 1;
	case T_UINT:
		if (*v == '\0' || strlen(v) > 10)
			return 0;
		for (p = v; *p != '\0'; p++)
			if (!isdigit((unsigned char)*p))
				return 0;
		return strtoull(v, NULL, 10) <= 4294967295ULL;
	case T_CBT:
		return strcasecmp(v, "Strict") == 0 ||
		    strcasecmp(v, "Relaxed") == 0 || strcasecmp(v, "None") == 0;
	default:
		return 1;
	}
}

static const struct setting *
setting_at(const char *container, const char *rel)
{
	const char *r;
	size_t i;

	for (i = 0; i < nitems(settings); i++)
		if ((r = relative(&settings[i], container)) != NULL &&
		    strcmp(r, rel) == 0)
			return &settings[i];
	return NULL;
}

/* The leaves of a Put body, each a known setting with a valid value. */
static const struct soap_fault *
collect(xmlNode *n, const char *prefix, const char *container,
    struct changes *cs)
{
	const struct soap_fault *f = NULL;
	const struct setting *s;
	char *path, *v;
	xmlNode *c;

	for (c = n->children; c != NULL && f == NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		path = *prefix != '\0' ? xasprintf("%s/%s", prefix, c->name) :
		    xstrdup((const char *)c->name);
		if (xmlFirstElementChild(c) != NULL)
			f = collect(c, path, container, cs);
		else if ((s = setting_at(container, path)) == NULL)
			f = &soap_f_schema_validation;
		else if (!value_ok(s->type, v = soap_text(c))) {
			free(v);
			f = &f_bad_values;
		} else {
			cs->list = xreallocarray(cs->list, cs->n + 1,
			    sizeof(*cs->list));
			cs->list[cs->n].s = s;
			cs->list[cs->n++].value = v;
		}
		free(path);
	}
	return f;
}

static int
fault_gpo(struct soap_out *out, struct soap_req *r, const char *name)
{
	char *msg;

	msg = xasprintf("The config setting %s cannot be changed because is "
	    "controlled by policies. The policy would need to be set to \"Not "
	    "Configured\" in order to change the config setting.", name);
	soap_fault(out, r, &f_gpo, msg);
	free(msg);
	return 0;
}

/*
 * Refuse changes to GPO settings, then apply every change.  A Put that
 * names settings is a write even when the values were already so: WinRM
 * writes them again, and "a second apply sends no write" must see it.
 */
static int
apply_changes(struct soap_req *r, struct soap_out *out, struct changes *cs)
{
	const char *cur, *leaf;
	char *cause = NULL;
	size_t i;
	int gpo;

	for (i = 0; i < cs->n; i++) {
		cur = setting_value(r->host, cs->list[i].s, &gpo);
		leaf = strrchr(cs->list[i].s->path, '/');
		leaf = leaf != NULL ? leaf + 1 : cs->list[i].s->path;
		if (gpo && strcmp(cur, cs->list[i].value) != 0)
			return fault_gpo(out, r, leaf);
	}
	for (i = 0; i < cs->n; i++) {
		cur = setting_value(r->host, cs->list[i].s, &gpo);
		if (strcmp(cur, cs->list[i].value) == 0)
			continue;
		if (sim_set(r->host, cs->list[i].s->key, cs->list[i].value,
		    &cause) != 0) {
			soap_fault(out, r, &f_bad_values, NULL);
			free(cause);
			return 0;
		}
	}
	r->wrote = cs->n > 0;
	return 0;
}

static int
put_container(struct soap_req *r, struct soap_out *out, const char *container)
{
	const struct soap_fault *f;
	struct changes cs = { NULL, 0 };
	char *elem = container_element(container);
	char *uri = container_ns(container);

	if (!r->admin)
		soap_fault(out, r, &soap_f_access_denied, NULL);
	else if (r->body == NULL ||
	    xmlStrcasecmp(r->body->name, (xmlChar *)elem) != 0)
		soap_fault(out, r, &soap_f_schema_validation, NULL);
	else if (r->body->ns == NULL ||
	    xmlStrcasecmp(r->body->ns->href, (xmlChar *)uri) != 0)
		soap_fault(out, r, &f_bad_namespace, NULL);
	else if ((f = collect(r->body, "", container, &cs)) != NULL)
		soap_fault(out, r, f, NULL);
	else if (apply_changes(r, out, &cs) == 0 && out->status != 500)
		render(r->host, container,
		    soap_reply(out, r, TRANSFER "PutResponse"));
	changes_clear(&cs);
	free(uri);
	free(elem);
	return 0;
}

/* --- listeners ----------------------------------------------------------- */

#define LISTENER	CONFIG "/listener"

static void
listener_xml(struct sim_host *h, const struct sim_listener *l, xmlNode *parent)
{
	xmlNode *e;
	xmlNs *ns;
	char port[16];

	e = xmlNewChild(parent, NULL, (xmlChar *)"Listener", NULL);
	ns = xmlNewNs(e, (xmlChar *)LISTENER, (xmlChar *)"cfg");
	xmlSetNs(e, ns);
	xmlNodeSetLang(e, (xmlChar *)"en-US");
	if (l->source == SIM_SRC_GPO)
		xmlNewProp(e, (xmlChar *)"Source", (xmlChar *)"GPO");
	snprintf(port, sizeof(port), "%d", l->port);
	soap_add(e, ns, "Address", l->address);
	soap_add(e, ns, "Transport", l->transport);
	soap_add(e, ns, "Port", port);
	soap_add(e, ns, "Hostname", l->hostname != NULL ? l->hostname : "");
	soap_add(e, ns, "Enabled", l->enabled ? "true" : "false");
	soap_add(e, ns, "URLPrefix", l->url_prefix != NULL ? l->url_prefix :
	    "wsman");
	soap_add(e, ns, "CertificateThumbprint", l->thumbprint != NULL ?
	    l->thumbprint : "");
	/* "*" listens on every address the host has; here, its one. */
	if (l->enabled && (strcmp(l->address, "*") == 0 ||
	    (strncasecmp(l->address, "IP:", 3) == 0 &&
	    strcmp(l->address + 3, h->address) == 0)))
		soap_add(e, ns, "ListeningOn", h->address);
}

/* Check the Address and Transport selectors; fault and -1 if wrong. */
static int
listener_keys(struct soap_req *r, struct soap_out *out)
{
	const char *addr = soap_selector(r, "Address");
	const char *transport = soap_selector(r, "Transport");

	if (addr == NULL || transport == NULL)
		return soap_fault(out, r, &f_insufficient_selectors, NULL), -1;
	if (r->nselectors != 2 || (strcasecmp(transport, "HTTP") != 0 &&
	    strcasecmp(transport, "HTTPS") != 0))
		return soap_fault(out, r, &soap_f_invalid_selectors, NULL), -1;
	if (strcmp(addr, "*") != 0 && strncasecmp(addr, "IP:", 3) != 0 &&
	    strncasecmp(addr, "MAC:", 4) != 0)
		return soap_fault(out, r, &f_address_invalid, NULL), -1;
	return 0;
}

/* The listener the selectors name, or NULL after a fault. */
static struct sim_listener *
listener_selected(struct soap_req *r, struct soap_out *out)
{
	struct sim_listener *l;

	if (listener_keys(r, out) != 0)
		return NULL;
	if ((l = sim_listener(r->host, soap_selector(r, "Transport"),
	    soap_selector(r, "Address"), 0)) == NULL)
		soap_fault(out, r, &soap_f_not_found, NULL);
	return l;
}

/* The proposed listener fields of a Put or Create body. */
struct proposal {
	char	*port, *hostname, *enabled, *url_prefix, *thumbprint;
};

static void
proposal_clear(struct proposal *p)
{
	free(p->port);
	free(p->hostname);
	free(p->enabled);
	free(p->url_prefix);
	free(p->thumbprint);
}

static const struct soap_fault *
read_proposal(struct soap_req *r, struct proposal *p)
{
	static const char *const keys[] = { "Address", "Transport" };
	struct {
		const char	*name;
		char		**dst;
	} fields[] = { { "Port", NULL }, { "Hostname", NULL },
	    { "Enabled", NULL }, { "URLPrefix", NULL },
	    { "CertificateThumbprint", NULL } };
	const char *sel;
	xmlNode *c;
	char *v;
	size_t i;

	if (r->body == NULL || xmlStrcmp(r->body->name,
	    (xmlChar *)"Listener") != 0)
		return &soap_f_schema_validation;
	if (r->body->ns == NULL || (xmlStrcasecmp(r->body->ns->href,
	    (xmlChar *)LISTENER) != 0 && xmlStrcasecmp(r->body->ns->href,
	    (xmlChar *)LISTENER ".xsd") != 0))
		return &f_bad_namespace;
	if (soap_child(r->body, NULL, "ListeningOn") != NULL)
		return &f_listening_on;
	for (i = 0; i < nitems(keys); i++) {
		if ((c = soap_child(r->body, NULL, keys[i])) == NULL)
			continue;
		v = soap_text(c);
		sel = soap_selector(r, keys[i]);
		if (sel == NULL || strcasecmp(v, sel) != 0) {
			free(v);
			return &f_change_keys;
		}
		free(v);
	}
	fields[0].dst = &p->port;
	fields[1].dst = &p->hostname;
	fields[2].dst = &p->enabled;
	fields[3].dst = &p->url_prefix;
	fields[4].dst = &p->thumbprint;
	for (i = 0; i < nitems(fields); i++)
		if ((c = soap_child(r->body, NULL, fields[i].name)) != NULL)
			*fields[i].dst = soap_text(c);
	if ((p->port != NULL && !value_ok(T_UINT, p->port)) ||
	    (p->port != NULL && (atol(p->port) < 1 || atol(p->port) > 65535)) ||
	    (p->enabled != NULL && !value_ok(T_BOOL, p->enabled)))
		return &f_bad_values;
	return NULL;
}

/* Windows' checks on the certificate an HTTPS listener names. */
static const struct soap_fault *
check_binding(struct sim_host *h, const char *transport, const char *hostname,
    const char *thumbprint)
{
	struct sim_cert *c;

	if (strcasecmp(transport, "HTTP") == 0)
		return thumbprint != NULL && *thumbprint != '\0' ?
		    &f_http_thumbprint : NULL;
	if (thumbprint == NULL || *thumbprint == '\0')
		return &f_cert_blank;
	if ((c = sim_cert(h, thumbprint)) == NULL || c->x509 == NULL)
		return &f_cert_not_found;
	if (!c->server_auth)
		return &f_cert_usage;
	if (hostname == NULL || X509_check_host(c->x509, hostname, 0, 0,
	    NULL) != 1)
		return &f_cert_cn;
	return NULL;
}

static void
set_field(char **dst, const char *v)
{
	if (v == NULL)
		return;
	free(*dst);
	*dst = xstrdup(v);
}

/* Apply a proposal to l (existing, or being created). */
static void
listener_apply(struct sim_listener *l, const struct proposal *p)
{
	char **dst[] = { &l->hostname, &l->url_prefix, &l->thumbprint };
	const char *src[] = { p->hostname, p->url_prefix, p->thumbprint };
	size_t i;

	if (p->port != NULL)
		l->port = atoi(p->port);
	if (p->enabled != NULL)
		l->enabled = strcmp(p->enabled, "true") == 0;
	for (i = 0; i < nitems(src); i++)
		set_field(dst[i], src[i]);
}

static int
listener_put(struct soap_req *r, struct soap_out *out)
{
	struct proposal p = { NULL, NULL, NULL, NULL, NULL };
	const struct soap_fault *f;
	struct sim_listener *l;

	if (!r->admin)
		return soap_fault(out, r, &soap_f_access_denied, NULL);
	if ((l = listener_selected(r, out)) == NULL)
		return 0;
	if ((f = read_proposal(r, &p)) != NULL ||
	    (f = check_binding(r->host, l->transport, p.hostname != NULL ?
	    p.hostname : l->hostname, p.thumbprint != NULL ? p.thumbprint :
	    l->thumbprint)) != NULL)
		soap_fault(out, r, f, NULL);
	else if (l->source == SIM_SRC_GPO)
		fault_gpo(out, r, "Listener");
	else {
		listener_apply(l, &p);
		r->wrote = 1;
		listener_xml(r->host, l, soap_reply(out, r,
		    TRANSFER "PutResponse"));
	}
	proposal_clear(&p);
	return 0;
}

static void
created_reply(struct soap_req *r, struct soap_out *out,
    const struct sim_listener *l)
{
	xmlNode *body, *rc, *rp, *ss, *sel;
	xmlNs *x, *a, *w;

	body = soap_reply(out, r, TRANSFER "CreateResponse");
	x = soap_ns(out, "x", SIM_NS_X);
	a = soap_ns(out, "a", SIM_NS_A);
	w = soap_ns(out, "w", SIM_NS_W);
	rc = xmlNewChild(body, x, (xmlChar *)"ResourceCreated", NULL);
	soap_add(rc, a, "Address", SIM_ANONYMOUS);
	rp = xmlNewChild(rc, a, (xmlChar *)"ReferenceParameters", NULL);
	soap_add(rp, w, "ResourceURI", LISTENER);
	ss = xmlNewChild(rp, w, (xmlChar *)"SelectorSet", NULL);
	sel = soap_add(ss, w, "Selector", l->address);
	xmlNewProp(sel, (xmlChar *)"Name", (xmlChar *)"Address");
	sel = soap_add(ss, w, "Selector", l->transport);
	xmlNewProp(sel, (xmlChar *)"Name", (xmlChar *)"Transport");
}

static int
listener_create(struct soap_req *r, struct soap_out *out)
{
	struct proposal p = { NULL, NULL, NULL, NULL, NULL };
	const struct soap_fault *f;
	const char *transport = soap_selector(r, "Transport");
	struct sim_listener *l;
	int https;

	if (!r->admin)
		return soap_fault(out, r, &soap_f_access_denied, NULL);
	if (listener_keys(r, out) != 0)
		return 0;
	if (sim_listener(r->host, transport, soap_selector(r, "Address"),
	    0) != NULL)
		return soap_fault(out, r, &soap_f_already_exists, NULL);
	https = strcasecmp(transport, "HTTPS") == 0;
	if ((f = read_proposal(r, &p)) != NULL || (f = check_binding(r->host,
	    transport, p.hostname, p.thumbprint)) != NULL) {
		soap_fault(out, r, f, NULL);
		proposal_clear(&p);
		return 0;
	}
	l = sim_listener(r->host, https ? "HTTPS" : "HTTP",
	    soap_selector(r, "Address"), 1);
	l->port = https ? 5986 : 5985;
	l->enabled = 1;
	set_field(&l->url_prefix, "wsman");
	listener_apply(l, &p);
	r->wrote = 1;
	created_reply(r, out, l);
	proposal_clear(&p);
	return 0;
}

static int
listener_delete(struct soap_req *r, struct soap_out *out)
{
	struct sim_listener *l;

	if (!r->admin)
		return soap_fault(out, r, &soap_f_access_denied, NULL);
	if ((l = listener_selected(r, out)) == NULL)
		return 0;
	if (l->source == SIM_SRC_GPO)
		return fault_gpo(out, r, "Listener");
	sim_listener_delete(r->host, l->transport, l->address);
	r->wrote = 1;
	soap_reply(out, r, TRANSFER "DeleteResponse");
	return 0;
}

static int
listener_enumerate(struct soap_req *r, struct soap_out *out)
{
	xmlNode *items;
	size_t i;

	if (r->body == NULL || xmlStrcmp(r->body->name,
	    (xmlChar *)"Enumerate") != 0)
		return soap_fault(out, r, &soap_f_schema_validation, NULL);
	if (soap_child(r->body, SIM_NS_W, "Filter") != NULL)
		return soap_fault(out, r, &soap_f_cannot_process_filter, NULL);
	items = soap_items_new();
	for (i = 0; i < r->host->nlisteners; i++)
		listener_xml(r->host, &r->host->listeners[i], items);
	return soap_enumerate(out, r, items);
}

static int
listeners(struct soap_req *r, struct soap_out *out)
{
	const char *act = r->action;
	struct sim_listener *l;

	if (strcmp(act, SIM_NS_N "/Enumerate") == 0)
		return listener_enumerate(r, out);
	if (strcmp(act, TRANSFER "Get") == 0) {
		if ((l = listener_selected(r, out)) != NULL)
			listener_xml(r->host, l, soap_reply(out, r,
			    TRANSFER "GetResponse"));
		return 0;
	}
	if (strcmp(act, TRANSFER "Put") == 0)
		return listener_put(r, out);
	if (strcmp(act, TRANSFER "Create") == 0)
		return listener_create(r, out);
	if (strcmp(act, TRANSFER "Delete") == 0)
		return listener_delete(r, out);
	return soap_fault(out, r, &soap_f_action_not_supported, NULL);
}

/* --- dispatch ------------------------------------------------------------ */

int
res_config_handle(struct soap_req *r, struct soap_out *out)
{
	char container[64];

	if (strcasecmp(r->resource_uri, LISTENER) == 0)
		return listeners(r, out);
	if (container_of(r->resource_uri, container, sizeof(container)) != 0)
		return soap_fault(out, r, &soap_f_destination_unreachable,
		    NULL);
	if (r->nselectors > 0)
		return soap_fault(out, r, &soap_f_invalid_selectors, NULL);
	if (strcmp(r->action, TRANSFER "Get") == 0) {
		render(r->host, container, soap_reply(out, r,
		    TRANSFER "GetResponse"));
		return 0;
	}
	if (strcmp(r->action, TRANSFER "Put") == 0)
		return put_container(r, out, container);
	return soap_fault(out, r, &soap_f_action_not_supported, NULL);
}
