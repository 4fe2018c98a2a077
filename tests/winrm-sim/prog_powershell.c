/*
 * prog_powershell.c: powershell.exe run with -EncodedCommand (base64 of
 * the script in UTF-16LE), as pywinrm's run_ps and Ansible run scripts
 * over WinRS.  The simulator interprets no PowerShell: it knows the
 * scripts enforcer sends, by their exact text, and answers each from the
 * ground truth as Windows would; any other script fails visibly.
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
#define PS_CERT_STORE \
	"$ProgressPreference='SilentlyContinue';" \
	"Get-ChildItem Cert:\\LocalMachine\\My|ForEach-Object{'{0} {1}' -f " \
	"[int]$_.HasPrivateKey,[Convert]::ToBase64String($_.RawData)}"

/* HasPrivateKey is the certificate's key property, not a usable key. */
static int
powershell_cert_store(struct sim_prog *p)
{
	const struct sim_cert *c;
	unsigned char *der = NULL;
	char *b64;
	size_t i;
	int len;

	for (i = 0; i < p->host->ncerts; i++) {
		c = &p->host->certs[i];
		if (c->x509 == NULL || (len = i2d_X509(c->x509, &der)) <= 0)
			continue;
		b64 = xmalloc(((size_t)len + 2) / 3 * 4 + 1);
		EVP_EncodeBlock((unsigned char *)b64, der, len);
		sim_prog_out(p, "%d %s\r\n", c->key != NULL, b64);
		free(b64);
		OPENSSL_free(der);
		der = NULL;
	}
	return 0;
}

static const struct {
	const char	*script;
	int		(*run)(struct sim_prog *);
} powershell_scripts[] = {
	{ PS_CERT_STORE, powershell_cert_store },
};

/* The script -EncodedCommand carries, if it is base64 of ASCII UTF-16LE. */
static char *
powershell_decode(const char *b64)
{
	size_t n = strlen(b64), i, pad = 0;
	unsigned char *raw;
	char *s = NULL;
	int len;

	if (n == 0 || n % 4 != 0)
		return NULL;
	raw = xmalloc(n / 4 * 3 + 1);
	if ((len = EVP_DecodeBlock(raw, (const unsigned char *)b64,
	    (int)n)) < 0)
		goto out;
	pad = (b64[n - 1] == '=') + (b64[n - 2] == '=');
	len -= (int)pad;
	if (len % 2 != 0)
		goto out;
	s = xmalloc((size_t)len / 2 + 1);
	for (i = 0; i < (size_t)len / 2; i++) {
		if (raw[2 * i + 1] != 0 || raw[2 * i] == 0 ||
		    raw[2 * i] > 0x7f) {
			free(s);
			s = NULL;
			goto out;
		}
		s[i] = (char)raw[2 * i];
	}
	s[i] = '\0';
out:
	free(raw);
	return s;
}

int
sim_prog_powershell(struct sim_prog *p)
{
	const char *enc = NULL;
	char *script;
	size_t i;
	int a;

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
	if (enc == NULL || a < p->argc) {
		sim_prog_err(p, "winrm-sim: powershell: only -NoProfile "
		    "-NonInteractive -EncodedCommand SCRIPT is modelled\r\n");
		return 1;
	}
	if ((script = powershell_decode(enc)) == NULL) {
		sim_prog_err(p, "Cannot process the command because the value "
		    "specified with -EncodedCommand is not properly encoded. "
		    "The value must be Base64 encoded.\r\n");
		return 1;
	}
	for (i = 0; i < nitems(powershell_scripts); i++)
		if (strcmp(script, powershell_scripts[i].script) == 0) {
			free(script);
			return powershell_scripts[i].run(p);
		}
	sim_prog_err(p, "winrm-sim: powershell: script not modelled: %.60s\r\n",
	    script);
	free(script);
	return 1;
}
