/*
 * prog_winrm.c: winrm.cmd get / set / enumerate / create / delete / id on
 * the host's WinRM configuration, in winrm's text layout ("Auth",
 * "    Basic = true", a value owned by Group Policy marked
 * [Source="GPO"]) and its WSManFault / "Error number:" error form.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509v3.h>

#include "sim.h"

#define CONFIG_URI	"http://schemas.microsoft.com/wbem/wsman/1/config"

/* WS-Management and Win32 error codes winrm reports. */
#define E_ACCESS_DENIED		0x80070005u
#define E_NOT_FOUND		0x80338000u
#define E_ALREADY_EXISTS	0x80338033u
#define E_SCHEMA		0x80338041u
#define E_INVALID_URI		0x8033803Bu
#define E_INVALID_SELECTORS	0x8033805Bu
#define E_CERT_NOT_FOUND	0x80338082u
#define E_GPO			0x8033808Au
#define E_THUMB_BLANK		0x803380E7u
#define E_CN_MISMATCH		0x803380E9u
#define E_THUMB_NOT_EMPTY	0x803380EBu
#define E_EKU			0x803380EEu

/*
 * The configuration tree as winrm prints it.  A path with no default is
 * a section; values come from struct sim_winrm_config for the settings it
 * models, else from host->settings ("winrm." + path), else the default.
 */
static const struct field {
	const char	*path;
	const char	*def;
} fields[] = {
	{ "MaxEnvelopeSizekb", "500" }, { "MaxTimeoutms", "60000" },
	{ "MaxBatchItems", "32000" }, { "MaxProviderRequests", "4294967295" },
	{ "Client", NULL },
	{ "Client.NetworkDelayms", "5000" }, { "Client.URLPrefix", "wsman" },
	{ "Client.AllowUnencrypted", "false" },
	{ "Client.Auth", NULL },
	{ "Client.Auth.Basic", "true" }, { "Client.Auth.Digest", "true" },
	{ "Client.Auth.Kerberos", "true" }, { "Client.Auth.Negotiate", "true" },
	{ "Client.Auth.Certificate", "true" }, { "Client.Auth.CredSSP", "false" },
	{ "Client.DefaultPorts", NULL },
	{ "Client.DefaultPorts.HTTP", "5985" },
	{ "Client.DefaultPorts.HTTPS", "5986" },
	{ "Client.TrustedHosts", "" },
	{ "Service", NULL },
	{ "Service.RootSDDL", "O:NSG:BAD:P(A;;GA;;;BA)(A;;GR;;;IU)S:P(AU;FA;GA;"
	  ";;WD)(AU;SA;GXGW;;;WD)" },
	{ "Service.MaxConcurrentOperations", "4294967295" },
	{ "Service.MaxConcurrentOperationsPerUser", "1500" },
	{ "Service.EnumerationTimeoutms", "240000" },
	{ "Service.MaxConnections", "300" },
	{ "Service.MaxPacketRetrievalTimeSeconds", "120" },
	{ "Service.AllowUnencrypted", "false" },
	{ "Service.Auth", NULL },
	{ "Service.Auth.Basic", "false" }, { "Service.Auth.Kerberos", "true" },
	{ "Service.Auth.Negotiate", "true" },
	{ "Service.Auth.Certificate", "false" },
	{ "Service.Auth.CredSSP", "false" },
	{ "Service.Auth.CbtHardeningLevel", "Relaxed" },
	{ "Service.DefaultPorts", NULL },
	{ "Service.DefaultPorts.HTTP", "5985" },
	{ "Service.DefaultPorts.HTTPS", "5986" },
	{ "Service.IPv4Filter", "*" }, { "Service.IPv6Filter", "*" },
	{ "Service.EnableCompatibilityHttpListener", "false" },
	{ "Service.EnableCompatibilityHttpsListener", "false" },
	{ "Service.CertificateThumbprint", "" },
	{ "Service.AllowRemoteAccess", "true" },
	{ "Winrs", NULL },
	{ "Winrs.AllowRemoteShellAccess", "true" },
	{ "Winrs.IdleTimeout", "7200000" },
	{ "Winrs.MaxConcurrentUsers", "2147483647" },
	{ "Winrs.MaxShellRunTime", "2147483647" },
	{ "Winrs.MaxProcessesPerShell", "2147483647" },
	{ "Winrs.MaxMemoryPerShellMB", "2147483647" },
	{ "Winrs.MaxShellsPerUser", "2147483647" },
};

/* A ground-truth value and whether Group Policy owns it. */
struct value {
	char	*text;
	int	 gpo;
};

/* --- errors ------------------------------------------------------------- */

static int
fault(struct sim_prog *p, uint32_t code, int provider, const char *fmt, ...)
    PRINTFLIKE(4, 5);

/* winrm's error form; a provider's fault is shown nested. */
static int
fault(struct sim_prog *p, uint32_t code, int provider, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (provider)
		sim_prog_err(p, "WSManFault\r\n    Message\r\n        "
		    "ProviderFault\r\n            WSManFault\r\n"
		    "                Message = %s\r\n", msg);
	else
		sim_prog_err(p, "WSManFault\r\n    Message = %s\r\n", msg);
	sim_prog_err(p, "\r\nError number:  %lld 0x%08X\r\n%s\r\n",
	    (long long)code - 4294967296LL, code, msg);
	free(msg);
	return 1;
}

static int
syntax(struct sim_prog *p)
{
	sim_prog_err(p, "Error: Invalid use of command line. Type \"winrm -?\" "
	    "for help.\r\n");
	return 1;
}

static int
gpo_fault(struct sim_prog *p, const char *name)
{
	return fault(p, E_GPO, 0, "The config setting %s cannot be changed "
	    "because is controlled by policies. The policy would need to be "
	    "set to \"Not Configured\" in order to change the config setting.",
	    name);
}

static int
uri_fault(struct sim_prog *p)
{
	return fault(p, E_INVALID_URI, 0, "The WS-Management service cannot "
	    "process the request. The resource URI is missing or it has an "
	    "incorrect format. Check the documentation or use the following "
	    "command for information on how to construct a resource URI: "
	    "\"winrm help uris\".");
}

static int
schema_fault(struct sim_prog *p)
{
	return fault(p, E_SCHEMA, 0, "The WS-Management service cannot process "
	    "the request because the XML is invalid.");
}

/* --- values ------------------------------------------------------------- */

static const char *
leaf(const char *path)
{
	const char *dot = strrchr(path, '.');

	return dot != NULL ? dot + 1 : path;
}

/*
 * "Service.Auth.Basic" -> "service.auth.Basic", "Client.DefaultPorts.HTTP"
 * -> "client.DefaultPorts.HTTP": the ground-truth key after "winrm.".
 */
static char *
lower_sections(const char *path)
{
	static const char *const lowered[] = { "Client", "Service", "Winrs",
	    "Auth" };
	char *s = xstrdup(path), *c, *end;
	size_t i, len;

	for (c = s; (end = strchr(c, '.')) != NULL; c = end + 1) {
		len = (size_t)(end - c);
		for (i = 0; i < nitems(lowered); i++)
			if (strlen(lowered[i]) == len &&
			    strncmp(c, lowered[i], len) == 0)
				*c = (char)tolower((unsigned char)*c);
	}
	return s;
}

static struct sim_setting *
setting(struct sim_host *h, const char *path)
{
	char *key = lower_sections(path), *full;
	size_t i;

	full = xasprintf("winrm.%s", key);
	free(key);
	for (i = 0; i < h->nsettings; i++)
		if (strcasecmp(h->settings[i].key, full) == 0)
			break;
	free(full);
	return i < h->nsettings ? &h->settings[i] : NULL;
}

static void
value_get(struct sim_host *h, const struct field *f, struct value *v)
{
	struct sim_winrm_config *w = &h->winrm;
	struct sim_setting *s;
	struct sim_bool *b;
	char *name = lower_sections(f->path);

	v->gpo = 0;
	if ((b = sim_winrm_bool(h, name)) != NULL) {
		v->text = xstrdup(b->value ? "true" : "false");
		v->gpo = b->source == SIM_SRC_GPO;
	} else if (strcasecmp(f->path, "Service.Auth.CbtHardeningLevel") == 0)
		v->text = xstrdup(w->cbt_hardening);
	else if (strcasecmp(f->path, "Client.TrustedHosts") == 0) {
		v->text = xstrdup(w->trusted_hosts ? w->trusted_hosts : "");
		v->gpo = w->trusted_hosts_source == SIM_SRC_GPO;
	} else if (strcasecmp(f->path, "MaxEnvelopeSizekb") == 0)
		v->text = xasprintf("%u", w->max_envelope_kb);
	else if (strcasecmp(f->path, "MaxTimeoutms") == 0)
		v->text = xasprintf("%u", w->max_timeout_ms);
	else if ((s = setting(h, f->path)) != NULL)
		v->text = xstrdup(s->value);
	else
		v->text = xstrdup(f->def);
	free(name);
}

static int
is_number(const char *s)
{
	return *s != '\0' && strspn(s, "0123456789") == strlen(s) &&
	    strlen(s) <= 10 && strtoull(s, NULL, 10) <= 0xffffffffULL;
}

/* Whether text is a valid value for the field (its default's kind). */
static int
value_valid(const struct field *f, const char *text)
{
	if (strcmp(f->def, "true") == 0 || strcmp(f->def, "false") == 0)
		return strcasecmp(text, "true") == 0 ||
		    strcasecmp(text, "false") == 0;
	if (strcmp(leaf(f->path), "CbtHardeningLevel") == 0)
		return strcasecmp(text, "Strict") == 0 ||
		    strcasecmp(text, "Relaxed") == 0 ||
		    strcasecmp(text, "None") == 0;
	if (is_number(f->def))
		return is_number(text);
	return 1;
}

/* Store a valid value; returns 1 when ground truth changed. */
static int
value_set(struct sim_host *h, const struct field *f, const char *text)
{
	struct sim_winrm_config *w = &h->winrm;
	struct sim_setting *s;
	struct sim_bool *b;
	char *name = lower_sections(f->path), *key;
	int changed = 0;
	unsigned long n = strtoul(text, NULL, 10);

	if ((b = sim_winrm_bool(h, name)) != NULL) {
		changed = b->value != (strcasecmp(text, "true") == 0);
		b->value = strcasecmp(text, "true") == 0;
	} else if (strcmp(leaf(f->path), "CbtHardeningLevel") == 0) {
		changed = strcasecmp(w->cbt_hardening, text) != 0;
		snprintf(w->cbt_hardening, sizeof(w->cbt_hardening), "%c%s",
		    toupper((unsigned char)text[0]), text + 1);
		for (key = w->cbt_hardening + 1; *key != '\0'; key++)
			*key = (char)tolower((unsigned char)*key);
	} else if (strcasecmp(f->path, "Client.TrustedHosts") == 0) {
		changed = strcmp(w->trusted_hosts, text) != 0;
		free(w->trusted_hosts);
		w->trusted_hosts = xstrdup(text);
	} else if (strcasecmp(f->path, "MaxEnvelopeSizekb") == 0) {
		changed = w->max_envelope_kb != n;
		w->max_envelope_kb = (unsigned)n;
	} else if (strcasecmp(f->path, "MaxTimeoutms") == 0) {
		changed = w->max_timeout_ms != n;
		w->max_timeout_ms = (unsigned)n;
	} else if ((s = setting(h, f->path)) != NULL) {
		changed = strcmp(s->value, text) != 0;
		free(s->value);
		s->value = xstrdup(text);
	} else if (strcmp(text, f->def) != 0) {
		/* fleet.c owns host->settings and frees what is added here. */
		h->settings = xreallocarray(h->settings, h->nsettings + 1,
		    sizeof(*h->settings));
		key = lower_sections(f->path);
		h->settings[h->nsettings].key = xasprintf("winrm.%s", key);
		h->settings[h->nsettings++].value = xstrdup(text);
		free(key);
		changed = 1;
	}
	free(name);
	return changed;
}

/* --- resources ---------------------------------------------------------- */

/* "winrm/config/service/auth" or the full URI -> "Service.Auth", or -1. */
static int
resource_path(const char *uri, char **path, char **selectors)
{
	static const char *const known[] = { "", "client", "client/auth",
	    "service", "service/auth", "winrs", "listener" };
	static const char *const names[] = { "", "Client", "Client.Auth",
	    "Service", "Service.Auth", "Winrs", "Listener" };
	const char *rest, *q;
	size_t i, len;

	if (strncasecmp(uri, "winrm/config", 12) == 0)
		rest = uri + 12;
	else if (strncasecmp(uri, CONFIG_URI, strlen(CONFIG_URI)) == 0)
		rest = uri + strlen(CONFIG_URI);
	else
		return -1;
	q = strchr(rest, '?');
	len = q != NULL ? (size_t)(q - rest) : strlen(rest);
	if (len > 0 && *rest == '/') {
		rest++;
		len--;
	}
	for (i = 0; i < nitems(known); i++)
		if (strlen(known[i]) == len &&
		    strncasecmp(rest, known[i], len) == 0)
			break;
	if (i == nitems(known))
		return -1;
	*path = xstrdup(names[i]);
	*selectors = q != NULL ? xstrdup(q + 1) : NULL;
	return 0;
}

static int
depth(const char *path)
{
	int n = *path != '\0';

	for (; *path != '\0'; path++)
		n += *path == '.';
	return n;
}

static int
under(const char *path, const char *res)
{
	size_t n = strlen(res);

	if (n == 0)
		return 1;
	return strncasecmp(path, res, n) == 0 && path[n] == '.';
}

static void
print_line(struct sim_prog *p, int indent, const char *name,
    const struct value *v)
{
	sim_prog_out(p, "%*s%s", indent * 4, "", name);
	if (v != NULL && *v->text != '\0')
		sim_prog_out(p, " = %s", v->text);
	if (v != NULL && v->gpo)
		sim_prog_out(p, " [Source=\"GPO\"]");
	sim_prog_out(p, "\r\n");
}

static void
print_resource(struct sim_prog *p, const char *res)
{
	struct value v;
	size_t i;
	int base = depth(res);

	print_line(p, 0, *res ? leaf(res) : "Config", NULL);
	for (i = 0; i < nitems(fields); i++) {
		if (!under(fields[i].path, res))
			continue;
		if (fields[i].def == NULL) {
			print_line(p, depth(fields[i].path) - base,
			    leaf(fields[i].path), NULL);
			continue;
		}
		value_get(p->host, &fields[i], &v);
		print_line(p, depth(fields[i].path) - base,
		    leaf(fields[i].path), &v);
		free(v.text);
	}
	sim_prog_out(p, "\r\n");
}

/* --- @{Key="value";...} -------------------------------------------------- */

struct pair {
	char	*key;
	char	*value;
};

static void
pairs_free(struct pair *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

static char *
trimmed(const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s++;
		len -= 2;
	}
	return xstrndup(s, len);
}

/* The hash from the raw arguments: values may hold spaces and quotes. */
static int
parse_hash(const char *args, struct pair **out, size_t *n)
{
	const char *s = strstr(args, "@{"), *end, *semi, *eq;

	*out = NULL;
	*n = 0;
	if (s == NULL || (end = strchr(s, '}')) == NULL)
		return -1;
	for (s += 2; s < end; s = semi + 1) {
		semi = memchr(s, ';', (size_t)(end - s));
		if (semi == NULL)
			semi = end;
		if ((eq = memchr(s, '=', (size_t)(semi - s))) == NULL) {
			pairs_free(*out, *n);
			return -1;
		}
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[*n].key = trimmed(s, (size_t)(eq - s));
		(*out)[(*n)++].value = trimmed(eq + 1, (size_t)(semi - eq - 1));
	}
	return 0;
}

static const struct field *
field_find(const char *res, const char *key)
{
	size_t i;
	char *path = *res ? xasprintf("%s.%s", res, key) : xstrdup(key);

	for (i = 0; i < nitems(fields); i++)
		if (fields[i].def != NULL &&
		    strcasecmp(fields[i].path, path) == 0)
			break;
	free(path);
	return i < nitems(fields) ? &fields[i] : NULL;
}

/* Validate every pair, then apply them all: a Put is all or nothing. */
static int
config_set(struct sim_prog *p, const char *res, struct pair *v, size_t n)
{
	const struct field *f;
	struct value cur;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((f = field_find(res, v[i].key)) == NULL ||
		    !value_valid(f, v[i].value))
			return schema_fault(p);
		value_get(p->host, f, &cur);
		free(cur.text);
		if (cur.gpo)
			return gpo_fault(p, leaf(f->path));
	}
	for (i = 0; i < n; i++)
		if (value_set(p->host, field_find(res, v[i].key), v[i].value))
			p->wrote = 1;
	print_resource(p, res);
	return 0;
}

/* --- listeners ---------------------------------------------------------- */

/* "Address=*+Transport=HTTPS" (keys in any case and order). */
static int
parse_selectors(const char *s, char **address, char **transport)
{
	char *copy = xstrdup(s != NULL ? s : ""), *item, *save, *eq;

	*address = *transport = NULL;
	for (item = strtok_r(copy, "+", &save); item != NULL;
	    item = strtok_r(NULL, "+", &save)) {
		if ((eq = strchr(item, '=')) == NULL)
			break;
		*eq = '\0';
		if (strcasecmp(item, "Address") == 0 && *address == NULL)
			*address = xstrdup(eq + 1);
		else if (strcasecmp(item, "Transport") == 0 &&
		    *transport == NULL)
			*transport = xstrdup(eq + 1);
		else
			break;
	}
	free(copy);
	if (item == NULL && *address != NULL && *transport != NULL &&
	    (strcasecmp(*transport, "HTTP") == 0 ||
	    strcasecmp(*transport, "HTTPS") == 0))
		return 0;
	free(*address);
	free(*transport);
	return -1;
}

static void
listener_print(struct sim_prog *p, const struct sim_listener *l)
{
	const char *addr = p->host->address;

	sim_prog_out(p, "Listener%s\r\n", l->source == SIM_SRC_GPO ?
	    " [Source=\"GPO\"]" : "");
	sim_prog_out(p, "    Address = %s\r\n    Transport = %s\r\n"
	    "    Port = %d\r\n", l->address, l->transport, l->port);
	if (l->hostname != NULL && *l->hostname != '\0')
		sim_prog_out(p, "    Hostname = %s\r\n", l->hostname);
	else
		sim_prog_out(p, "    Hostname\r\n");
	sim_prog_out(p, "    Enabled = %s\r\n    URLPrefix = %s\r\n",
	    l->enabled ? "true" : "false", l->url_prefix);
	if (l->thumbprint != NULL && *l->thumbprint != '\0')
		sim_prog_out(p, "    CertificateThumbprint = %s\r\n",
		    l->thumbprint);
	else
		sim_prog_out(p, "    CertificateThumbprint\r\n");
	if (strncasecmp(l->address, "IP:", 3) == 0)
		sim_prog_out(p, "    ListeningOn = %s\r\n", l->address + 3);
	else if (addr != NULL && strcmp(addr, "127.0.0.1") != 0)
		sim_prog_out(p, "    ListeningOn = 127.0.0.1, %s, ::1\r\n",
		    addr);
	else
		sim_prog_out(p, "    ListeningOn = 127.0.0.1, ::1\r\n");
}

static int
cmp_listener(const void *a, const void *b)
{
	const struct sim_listener *x = *(struct sim_listener *const *)a;
	const struct sim_listener *y = *(struct sim_listener *const *)b;
	int c = strcasecmp(x->transport, y->transport);

	return c != 0 ? c : strcasecmp(x->address, y->address);
}

static int
enumerate(struct sim_prog *p)
{
	struct sim_listener **v;
	size_t i, n = p->host->nlisteners;

	v = xcalloc(n + 1, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = &p->host->listeners[i];
	qsort(v, n, sizeof(*v), cmp_listener);
	for (i = 0; i < n; i++) {
		listener_print(p, v[i]);
		sim_prog_out(p, "\r\n");
	}
	free(v);
	return 0;
}

static int
name_matches(const char *pattern, size_t len, const char *host)
{
	const char *dot;

	if (len > 2 && pattern[0] == '*' && pattern[1] == '.') {
		dot = strchr(host, '.');
		return dot != NULL && strlen(dot + 1) == len - 2 &&
		    strncasecmp(dot + 1, pattern + 2, len - 2) == 0;
	}
	return strlen(host) == len && strncasecmp(pattern, host, len) == 0;
}

/* The certificate's CN or one of its DNS names matches hostname. */
static int
cert_matches(const struct sim_cert *c, const char *hostname)
{
	GENERAL_NAMES *names;
	const GENERAL_NAME *gn;
	const char *cn = c->subject != NULL ? strstr(c->subject, "CN=") : NULL;
	int i, ok = 0;

	if (cn != NULL && name_matches(cn + 3, strcspn(cn + 3, ",/"),
	    hostname))
		return 1;
	if (c->x509 == NULL)
		return 0;
	names = X509_get_ext_d2i(c->x509, NID_subject_alt_name, NULL, NULL);
	for (i = 0; names != NULL && i < sk_GENERAL_NAME_num(names); i++) {
		gn = sk_GENERAL_NAME_value(names, i);
		if (gn->type == GEN_DNS && name_matches((const char *)
		    ASN1_STRING_get0_data(gn->d.dNSName),
		    (size_t)ASN1_STRING_length(gn->d.dNSName), hostname))
			ok = 1;
	}
	GENERAL_NAMES_free(names);
	return ok;
}

/* What the WinRM service checks before it binds a listener. */
static int
listener_check(struct sim_prog *p, const struct sim_listener *l)
{
	const char *tp = l->thumbprint != NULL ? l->thumbprint : "";
	struct sim_cert *c;

	if (strcasecmp(l->transport, "HTTP") == 0) {
		if (*tp != '\0')
			return fault(p, E_THUMB_NOT_EMPTY, 0, "The WinRM client "
			    "cannot process the request. When HTTP is the "
			    "transport, the Certificate thumbprint must be "
			    "blank. HTTP does not use the Certificate "
			    "thumbprint.");
		return 0;
	}
	if (*tp == '\0')
		return fault(p, E_THUMB_BLANK, 0, "The WinRM client cannot "
		    "process the request. The CertificateThumbprint property "
		    "must not be \"\" (blank or empty string) or NULL.");
	if ((c = sim_cert(p->host, tp)) == NULL)
		return fault(p, E_CERT_NOT_FOUND, 1, "The WS-Management service "
		    "cannot find the certificate that was requested.");
	if (!c->server_auth)
		return fault(p, E_EKU, 0, "The WinRM client cannot process the "
		    "request. The Enhanced Key Usage (EKU) field of the "
		    "certificate is not set to \"Server Authentication\". Retry "
		    "the request with a certificate that has the correct EKU.");
	if (l->hostname != NULL && *l->hostname != '\0' &&
	    !cert_matches(c, l->hostname))
		return fault(p, E_CN_MISMATCH, 0, "The WinRM client cannot "
		    "process the request. The certificate CN and the hostname "
		    "that were provided do not match.");
	return 0;
}

/* Apply the pairs to a copy of the listener; -1 for a bad field. */
static int
listener_apply(struct sim_listener *l, const struct pair *v, size_t n)
{
	char **dst;
	size_t i;

	for (i = 0; i < n; i++) {
		dst = NULL;
		if (strcasecmp(v[i].key, "Port") == 0) {
			if (!is_number(v[i].value) ||
			    strtoul(v[i].value, NULL, 10) > 65535)
				return -1;
			l->port = (int)strtoul(v[i].value, NULL, 10);
		} else if (strcasecmp(v[i].key, "Enabled") == 0) {
			if (strcasecmp(v[i].value, "true") != 0 &&
			    strcasecmp(v[i].value, "false") != 0)
				return -1;
			l->enabled = strcasecmp(v[i].value, "true") == 0;
		} else if (strcasecmp(v[i].key, "Hostname") == 0)
			dst = &l->hostname;
		else if (strcasecmp(v[i].key, "URLPrefix") == 0)
			dst = &l->url_prefix;
		else if (strcasecmp(v[i].key, "CertificateThumbprint") == 0)
			dst = &l->thumbprint;
		else
			return -1;
		if (dst != NULL) {
			free(*dst);
			*dst = xstrdup(v[i].value);
		}
	}
	return 0;
}

static void
listener_copy(struct sim_listener *dst, const struct sim_listener *src)
{
	*dst = *src;
	dst->address = xstrdup(src->address);
	dst->transport = xstrdup(src->transport);
	dst->hostname = xstrdup(src->hostname ? src->hostname : "");
	dst->url_prefix = xstrdup(src->url_prefix ? src->url_prefix : "");
	dst->thumbprint = xstrdup(src->thumbprint ? src->thumbprint : "");
}

static void
listener_clear(struct sim_listener *l)
{
	free(l->address);
	free(l->transport);
	free(l->hostname);
	free(l->url_prefix);
	free(l->thumbprint);
}

static int
listener_differs(const struct sim_listener *a, const struct sim_listener *b)
{
	return a->port != b->port || a->enabled != b->enabled ||
	    strcmp(a->hostname ? a->hostname : "", b->hostname) != 0 ||
	    strcmp(a->url_prefix ? a->url_prefix : "", b->url_prefix) != 0 ||
	    strcmp(a->thumbprint ? a->thumbprint : "", b->thumbprint) != 0;
}

/* Create (l is NULL) or Put: check the result before storing it. */
static int
listener_write(struct sim_prog *p, struct sim_listener *l,
    const char *address, const char *transport, const struct pair *v,
    size_t n)
{
	struct sim_listener tmp, *dst;
	int rc = 1;

	if (l == NULL) {
		memset(&tmp, 0, sizeof(tmp));
		tmp.address = xstrdup(address);
		tmp.transport = xstrdup(transport);
		tmp.port = strcasecmp(transport, "HTTPS") == 0 ? 5986 : 5985;
		tmp.enabled = 1;
		tmp.hostname = xstrdup("");
		tmp.url_prefix = xstrdup("wsman");
		tmp.thumbprint = xstrdup("");
	} else
		listener_copy(&tmp, l);
	if (listener_apply(&tmp, v, n) == -1) {
		schema_fault(p);
		goto out;
	}
	if (listener_check(p, &tmp) != 0)
		goto out;
	if (l == NULL || listener_differs(l, &tmp)) {
		dst = l != NULL ? l : sim_listener(p->host, transport, address,
		    1);
		listener_clear(dst);
		tmp.source = dst->source;
		*dst = tmp;
		memset(&tmp, 0, sizeof(tmp));
		p->wrote = 1;
	}
	rc = 0;
out:
	listener_clear(&tmp);
	return rc;
}

static int
listener_op(struct sim_prog *p, const char *op, const char *selectors)
{
	struct sim_listener *l;
	struct pair *v = NULL;
	char *address, *transport;
	size_t n = 0;
	int rc = 1;

	if (parse_selectors(selectors, &address, &transport) == -1)
		return fault(p, E_INVALID_SELECTORS, 0, "The WS-Management "
		    "service cannot process the request because the request "
		    "contained invalid selectors for the resource.");
	l = sim_listener(p->host, transport, address, 0);
	if ((*op == 's' || *op == 'c') && parse_hash(p->args, &v, &n) == -1) {
		rc = syntax(p);
		goto out;
	}
	if (*op == 'c' && l != NULL) {
		rc = fault(p, E_ALREADY_EXISTS, 0, "The WS-Management service "
		    "cannot create the resource because it already exists.");
		goto out;
	}
	if (*op != 'c' && l == NULL) {
		rc = fault(p, E_NOT_FOUND, 1, "The WS-Management service cannot "
		    "process the request. The service cannot find the resource "
		    "identified by the resource URI and selectors.");
		goto out;
	}
	if (*op != 'g' && *op != 'c' && l->source == SIM_SRC_GPO) {
		rc = gpo_fault(p, "Listener");
		goto out;
	}
	rc = 0;
	if (*op == 'g')
		listener_print(p, l);
	else if (*op == 'd') {
		sim_listener_delete(p->host, transport, address);
		p->wrote = 1;
	} else if ((rc = listener_write(p, l, address, transport, v, n)) == 0 &&
	    *op == 'c')
		sim_prog_out(p, "ResourceCreated\r\n"
		    "    Address = http://schemas.xmlsoap.org/ws/2004/08/"
		    "addressing/role/anonymous\r\n"
		    "    ReferenceParameters\r\n"
		    "        ResourceURI = " CONFIG_URI "/listener\r\n"
		    "        SelectorSet\r\n"
		    "            Selector: Address = %s, Transport = %s\r\n\r\n",
		    address, transport);
	else if (rc == 0) {
		listener_print(p, sim_listener(p->host, transport, address, 0));
		sim_prog_out(p, "\r\n");
	}
out:
	pairs_free(v, n);
	free(address);
	free(transport);
	return rc;
}

static int
identify(struct sim_prog *p)
{
	sim_prog_out(p, "IdentifyResponse\r\n"
	    "    ProtocolVersion = http://schemas.dmtf.org/wbem/wsman/1/"
	    "wsman.xsd\r\n"
	    "    ProductVendor = Microsoft Corporation\r\n"
	    "    ProductVersion = OS: 10.0.20348 SP: 0.0 Stack: 3.0\r\n"
	    "    SecurityProfiles\r\n"
	    "        SecurityProfileName = http://schemas.dmtf.org/wbem/wsman/"
	    "1/wsman/secprofile/http/spnego-kerberos\r\n\r\n");
	return 0;
}

/* get/g, set/s, enumerate/e, create/c, delete/d: "winrm get URI" */
static char
operation(const char *op)
{
	static const char *const ops[] = { "get", "g", "set", "s", "enumerate",
	    "e", "enum", "create", "c", "delete", "d" };
	size_t i;

	for (i = 0; i < nitems(ops); i++)
		if (strcasecmp(op, ops[i]) == 0)
			return ops[i][0];
	return '\0';
}

static int
run_op(struct sim_prog *p, char op, const char *res, const char *selectors)
{
	struct pair *v;
	size_t n;
	int rc;

	if (strcmp(res, "Listener") == 0) {
		if (op == 'e' && selectors == NULL)
			return enumerate(p);
		if (op == 'e')
			return syntax(p);
		return listener_op(p, op == 'g' ? "g" : op == 's' ? "s" :
		    op == 'c' ? "c" : "d", selectors);
	}
	if (selectors != NULL || op == 'c' || op == 'd' || op == 'e')
		return uri_fault(p);
	if (op == 'g') {
		print_resource(p, res);
		return 0;
	}
	if (parse_hash(p->args, &v, &n) == -1)
		return syntax(p);
	rc = config_set(p, res, v, n);
	pairs_free(v, n);
	return rc;
}

/*
 * winrm.cmd is cscript winrm.vbs, a client of the local WinRM service:
 * with VBScript removed (a feature on demand) cscript finds no engine;
 * with the service stopped the client cannot connect
 * (docs/windows-behaviour.md#winrm-set-needs-the-service-and-vbscript).
 */
static int
needs_service(struct sim_prog *p)
{
	struct sim_service *s = sim_service(p->host, "WinRM");

	if (p->host->vbscript_off) {
		sim_prog_err(p, "CScript Error: Can't find script engine "
		    "\"VBScript\" for script \"C:\\Windows\\System32\\"
		    "winrm.vbs\".\r\n");
		return -1;
	}
	if (s == NULL || strcasecmp(s->state, "Running") != 0) {
		fault(p, 0x80338012u, 0, "The client cannot connect to the "
		    "destination specified in the request. Verify that the "
		    "service on the destination is running and is accepting "
		    "requests. Consult the logs and documentation for the "
		    "WS-Management service running on the destination, most "
		    "commonly IIS or WinRM. If the destination is the WinRM "
		    "service, run the following command on the destination to "
		    "analyze and configure the WinRM service: \"winrm "
		    "quickconfig\".");
		return -1;
	}
	return 0;
}

int
sim_prog_winrm(struct sim_prog *p)
{
	char *res = NULL, *selectors = NULL, op;
	int rc;

	if (needs_service(p) == -1)
		return 1;

	if (p->argc >= 2 && (strcasecmp(p->argv[1], "id") == 0 ||
	    strcasecmp(p->argv[1], "identify") == 0))
		return identify(p);
	if (p->argc < 3 || (op = operation(p->argv[1])) == '\0')
		return syntax(p);
	if (!p->admin)
		return fault(p, E_ACCESS_DENIED, 0, "Access is denied.");
	if (resource_path(p->argv[2], &res, &selectors) == -1)
		return uri_fault(p);
	rc = run_op(p, op, res, selectors);
	free(res);
	free(selectors);
	return rc;
}
