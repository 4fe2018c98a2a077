/*
 * prog_powershell.c: powershell.exe -EncodedCommand SCRIPT, for the scripts
 * enforcer sends and nothing else (any other script exits 1: not
 * simulated):
 *  - a certificate store (states/wsman_listener.c, enforcer doctor): every
 *    certificate of LocalMachine\My, \Root or \CA, HasPrivateKey and the
 *    DER in base64, one per line;
 *  - Test-ComputerSecureChannel, as 1 or 0 (states/domain_trust.c);
 *  - a local group's member added or removed through ADSI by SID
 *    (states/local_group.c): the group bound by name, the member as
 *    "WinNT://S-1-...", the Win32 error as the exit code (1376 no such
 *    group, 1377 not a member, 1378 already a member, 1332 no such account,
 *    5 access denied) and its message on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "sim.h"

/*
 * Every certificate of LocalMachine\My, one line each: HasPrivateKey as 0
 * or 1, a space, the DER certificate (RawData) in base64.
 */
#define PS_CERT_HEAD \
	"$ProgressPreference='SilentlyContinue';" \
	"Get-ChildItem Cert:\\LocalMachine\\"
#define PS_CERT_TAIL \
	"|ForEach-Object{'{0} {1}' -f " \
	"[int]$_.HasPrivateKey,[Convert]::ToBase64String($_.RawData)}"

static int
powershell_line(struct sim_prog *p, X509 *x, int key)
{
	unsigned char *der = NULL;
	char *b64;
	int len;

	if (x == NULL || (len = i2d_X509(x, &der)) <= 0)
		return 0;
	b64 = xmalloc(((size_t)len + 2) / 3 * 4 + 1);
	EVP_EncodeBlock((unsigned char *)b64, der, len);
	sim_prog_out(p, "%d %s\r\n", key, b64);
	free(b64);
	OPENSSL_free(der);
	return 0;
}

/* LocalMachine\\Root or \\CA (truststore.c): no private keys there. */
static int
powershell_trust_store(struct sim_prog *p, const char *name)
{
	const struct sim_store *s = sim_trust_store(p->host, name);
	size_t i;

	for (i = 0; i < s->n; i++)
		powershell_line(p, s->v[i], 0);
	return 0;
}

/* The store a listing script names ("My", "Root", "CA"), or NULL. */
static const char *
powershell_store_of(const char *script)
{
	static const char *const stores[] = { "My", "Root", "CA" };
	size_t h = strlen(PS_CERT_HEAD), i, n;

	if (strncmp(script, PS_CERT_HEAD, h) != 0)
		return NULL;
	for (i = 0; i < nitems(stores); i++) {
		n = strlen(stores[i]);
		if (strncmp(script + h, stores[i], n) == 0 &&
		    strcmp(script + h + n, PS_CERT_TAIL) == 0)
			return stores[i];
	}
	return NULL;
}

/* HasPrivateKey is the certificate's key property, not a usable key. */
static int
powershell_cert_store(struct sim_prog *p)
{
	size_t i;

	for (i = 0; i < p->host->ncerts; i++)
		powershell_line(p, p->host->certs[i].x509,
		    p->host->certs[i].key != NULL);
	return 0;
}

/* Test-ComputerSecureChannel's boolean as 1 or 0 (states/domain_trust.c).
 * Off a domain it fails, as Windows does (message unverified). */
#define PS_SECURE_CHANNEL \
	"$ProgressPreference='SilentlyContinue';" \
	"[int](Test-ComputerSecureChannel)"

static int
powershell_secure_channel(struct sim_prog *p)
{
	if (!p->host->domain_joined) {
		sim_prog_err(p, "Test-ComputerSecureChannel : Cannot verify "
		    "the secure channel for the local computer. Operation "
		    "failed with the following exception: The computer is "
		    "not joined to a domain.\r\n");
		return 1;
	}
	sim_prog_out(p, "%d\r\n", p->host->secure_channel);
	return 0;
}

#define HEAD	"$ErrorActionPreference='Stop';try{$g=[ADSI]('WinNT://'+" \
		"$env:COMPUTERNAME+'/'+'"
#define MID	"'+',group');$g."

/* base64 of UTF-16LE to UTF-8; NULL if malformed. */
static char *
decode_script(const char *b64)
{
	struct buf out = BUF_INIT;
	unsigned char *raw;
	unsigned long c, lo;
	size_t len = strlen(b64), n, i;
	int got;

	raw = xmalloc(len / 4 * 3 + 3);
	got = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)len);
	if (got < 0 || len % 4 != 0) {
		free(raw);
		return NULL;
	}
	/* EVP_DecodeBlock counts the padding as data. */
	n = (size_t)got - (len > 0 && b64[len - 1] == '=') -
	    (len > 1 && b64[len - 2] == '=');
	for (i = 0; i + 1 < n; i += 2) {
		c = raw[i] | (unsigned long)raw[i + 1] << 8;
		if (c >= 0xd800 && c < 0xdc00 && i + 3 < n) {
			lo = raw[i + 2] | (unsigned long)raw[i + 3] << 8;
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			i += 2;
		}
		if (c < 0x80)
			buf_putc(&out, (char)c);
		else if (c < 0x800)
			buf_printf(&out, "%c%c", (int)(0xc0 | c >> 6),
			    (int)(0x80 | (c & 0x3f)));
		else if (c < 0x10000)
			buf_printf(&out, "%c%c%c", (int)(0xe0 | c >> 12),
			    (int)(0x80 | (c >> 6 & 0x3f)),
			    (int)(0x80 | (c & 0x3f)));
		else
			buf_printf(&out, "%c%c%c%c", (int)(0xf0 | c >> 18),
			    (int)(0x80 | (c >> 12 & 0x3f)),
			    (int)(0x80 | (c >> 6 & 0x3f)),
			    (int)(0x80 | (c & 0x3f)));
	}
	free(raw);
	return buf_detach(&out);
}

/* The single-quoted group name at *p ('' a quote), up to MID. */
static char *
group_name(const char **p)
{
	struct buf b = BUF_INIT;
	const char *s = *p;

	while (*s != '\0' && strncmp(s, MID, strlen(MID)) != 0) {
		if (*s == '\'' && s[1] == '\'')
			s++;
		buf_putc(&b, *s++);
	}
	if (*s == '\0') {
		buf_release(&b);
		return NULL;
	}
	*p = s + strlen(MID);
	return buf_detach(&b);
}

static int
fail(struct sim_prog *p, int code, const char *message)
{
	sim_prog_err(p, "%s\r\n", message);
	return code;
}

/* Add or remove the account (or orphan) sid; the Win32 error or 0. */
static int
adsi_member(struct sim_prog *p, struct sim_group *g, const char *sid,
    int add)
{
	struct sim_account *a = sim_account(p->host, sid);
	const char *m = a != NULL ? a->name : sid;
	int at = sim_group_find_member(g, m);

	if (!p->admin)
		return fail(p, 5, "Access is denied.");
	if (add && a == NULL)
		return fail(p, 1332, "No mapping between account names and "
		    "security IDs was done.");
	if (add && at >= 0)
		return fail(p, 1378, "The specified account name is already a "
		    "member of the group.");
	if (!add && at < 0)
		return fail(p, 1377, "The specified account name is not a "
		    "member of the group.");
	if (add)
		sim_group_add_member(g, m);
	else
		sim_group_delete_member(g, m);
	p->wrote = 1;
	return 0;
}

/* $g.Add('WinNT://SID') or $g.Remove(...) on the group the script binds. */
static int
run_script(struct sim_prog *p, const char *script)
{
	struct sim_group *g;
	const char *s = script, *e;
	char *name, *sid;
	int add, rc;

	if (strncmp(s, HEAD, strlen(HEAD)) != 0) {
		sim_prog_err(p, "winrm-sim: powershell: script not modelled: "
		    "%.60s\r\n", script);
		return 1;
	}
	s += strlen(HEAD);
	if ((name = group_name(&s)) == NULL)
		return fail(p, 1, "winrm-sim: script not simulated");
	add = strncmp(s, "Add('WinNT://", 13) == 0;
	if (!add && strncmp(s, "Remove('WinNT://", 16) != 0) {
		free(name);
		return fail(p, 1, "winrm-sim: script not simulated");
	}
	s += add ? 13 : 16;
	e = strchr(s, '\'');
	sid = xstrndup(s, e != NULL ? (size_t)(e - s) : strlen(s));
	if ((g = sim_group(p->host, name)) == NULL || sim_is_sid(name))
		rc = fail(p, 1376, "The specified local group does not "
		    "exist.");
	else
		rc = adsi_member(p, g, sid, add);
	free(name);
	free(sid);
	return rc;
}

int
sim_prog_powershell(struct sim_prog *p)
{
	const char *enc = NULL;
	const char *store;
	char *script;
	int a, rc;

	for (a = 1; a < p->argc; a++) {
		if (strcasecmp(p->argv[a], "-NoProfile") == 0 ||
		    strcasecmp(p->argv[a], "-NonInteractive") == 0)
			continue;
		if ((strcasecmp(p->argv[a], "-EncodedCommand") == 0 ||
		    strcasecmp(p->argv[a], "-enc") == 0) && a + 1 < p->argc) {
			enc = p->argv[++a];
			continue;
		}
		break;
	}
	if (enc == NULL || a < p->argc)
		return fail(p, 1, "winrm-sim: powershell: only -NoProfile "
		    "-NonInteractive -EncodedCommand SCRIPT is modelled");
	if ((script = decode_script(enc)) == NULL)
		return fail(p, 1, "Cannot process the command because the "
		    "value specified with -EncodedCommand is not properly "
		    "encoded. The value must be Base64 encoded.");
	if (strcmp(script, PS_SECURE_CHANNEL) == 0)
		rc = powershell_secure_channel(p);
	else if ((store = powershell_store_of(script)) != NULL)
		rc = strcmp(store, "My") == 0 ? powershell_cert_store(p) :
		    powershell_trust_store(p, store);
	else
		rc = run_script(p, script);
	free(script);
	return rc;
}
