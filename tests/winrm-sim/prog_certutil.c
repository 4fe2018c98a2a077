/*
 * prog_certutil.c: certutil -store My [CertId] and -delstore My CertId on
 * the host's LocalMachine\My, in certutil's layout.  Times are the host's
 * local time; the hash is certutil's lower-case, unspaced SHA-1.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

#define NTE_NOT_FOUND	(-2146893807)	/* 0x80090011 */
#define E_INVALIDARG	(-2147024809)	/* 0x80070057 */

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* A CertId: index, thumbprint, serial number or a subject substring. */
static int
cert_selected(const struct sim_cert *c, size_t index, const char *id)
{
	char num[24];

	if (id == NULL)
		return 1;
	snprintf(num, sizeof(num), "%zu", index);
	return strcmp(id, num) == 0 || strcasecmp(id, c->thumbprint) == 0 ||
	    (c->serial != NULL && strcasecmp(id, c->serial) == 0) ||
	    (c->subject != NULL && strcasestr(c->subject, id) != NULL);
}

static void
local_time(const struct sim_host *h, time_t t, char out[64])
{
	char d[32], c[32];
	struct tm tm;

	sim_prog_tm(h, t, &tm);
	sim_lang_date(h, &tm, d);
	sim_lang_clock(h, &tm, 0, c);
	snprintf(out, 64, "%s %s", d, c);
}

static void
print_cert(struct sim_prog *p, const struct sim_cert *c, size_t index)
{
	char nb[64], na[64], hash[41], serial[128];
	const char *t = c->thumbprint;
	int root = c->subject && c->issuer && !strcmp(c->subject, c->issuer);

	local_time(p->host, c->not_before, nb);
	local_time(p->host, c->not_after, na);
	snprintf(hash, sizeof(hash), "%s", t);
	lower(hash);
	snprintf(serial, sizeof(serial), "%s", c->serial ? c->serial : "00");
	lower(serial);
	if (index > 0)
		sim_prog_out(p, "\r\n");
	sim_prog_out(p, "================ Certificate %zu ================\r\n"
	    "Serial Number: %s\r\nIssuer: %s\r\n NotBefore: %s\r\n"
	    " NotAfter: %s\r\nSubject: %s\r\n", index, serial,
	    c->issuer ? c->issuer : "", nb, na, c->subject ? c->subject : "");
	if (root)
		sim_prog_out(p, "Signature matches Public Key\r\n"
		    "Root Certificate: Subject matches Issuer\r\n");
	else
		sim_prog_out(p, "Non-root Certificate\r\n");
	sim_prog_out(p, "Cert Hash(sha1): %s\r\n", hash);
	if (c->key == NULL) {
		sim_prog_out(p, "No key provider information\r\n"
		    "Cannot find the certificate and private key for "
		    "decryption.\r\n");
		return;
	}
	/* The key container is named after the thumbprint, GUID-shaped. */
	sim_prog_out(p, "  Key Container = %.8s-%.4s-%.4s-%.4s-%.12s\r\n"
	    "  Unique container name: %s_%.8s\r\n"
	    "  Provider = Microsoft Software Key Storage Provider\r\n"
	    "Private key is NOT exportable\r\nSignature test passed\r\n",
	    hash, hash + 8, hash + 12, hash + 16, hash + 20, hash, hash + 32);
}

static int
store(struct sim_prog *p, const char *id)
{
	size_t i, n = 0;

	sim_prog_out(p, "My \"Personal\"\r\n");
	for (i = 0; i < p->host->ncerts; i++)
		if (cert_selected(&p->host->certs[i], i, id))
			print_cert(p, &p->host->certs[i], n++);
	if (id != NULL && n == 0) {
		sim_prog_out(p, "CertUtil: -store command FAILED: 0x80090011 "
		    "(-2146893807 NTE_NOT_FOUND)\r\n"
		    "CertUtil: Object was not found.\r\n");
		return NTE_NOT_FOUND;
	}
	sim_prog_out(p, "CertUtil: -store command completed successfully.\r\n");
	return 0;
}

static int
delstore(struct sim_prog *p, const char *id)
{
	size_t i;

	if (!p->admin) {
		sim_prog_out(p, "CertUtil: -delstore command FAILED: 0x80070005 "
		    "(WIN32: 5 ERROR_ACCESS_DENIED)\r\n"
		    "CertUtil: Access is denied.\r\n");
		return -2147024891;
	}
	sim_prog_out(p, "My \"Personal\"\r\n");
	for (i = 0; i < p->host->ncerts; i++)
		if (cert_selected(&p->host->certs[i], i, id))
			break;
	if (i == p->host->ncerts) {
		sim_prog_out(p, "CertUtil: -delstore command FAILED: 0x80090011 "
		    "(-2146893807 NTE_NOT_FOUND)\r\n"
		    "CertUtil: Object was not found.\r\n");
		return NTE_NOT_FOUND;
	}
	sim_prog_out(p, "Deleting Certificate %zu\r\n"
	    "CertUtil: -delstore command completed successfully.\r\n", i);
	sim_cert_delete(p->host, p->host->certs[i].thumbprint);
	p->wrote = 1;
	return 0;
}

int
sim_prog_certutil(struct sim_prog *p)
{
	const char *verb = p->argc > 1 ? p->argv[1] : "";
	int i = 2;

	if (i < p->argc && (strcasecmp(p->argv[i], "-service") == 0 ||
	    strcasecmp(p->argv[i], "-enterprise") == 0))
		i++;
	if ((strcasecmp(verb, "-store") == 0 ||
	    strcasecmp(verb, "-delstore") == 0) && i < p->argc &&
	    strcasecmp(p->argv[i], "My") == 0) {
		if (strcasecmp(verb, "-store") == 0)
			return store(p, i + 1 < p->argc ? p->argv[i + 1] : NULL);
		if (i + 1 < p->argc)
			return delstore(p, p->argv[i + 1]);
	}
	sim_prog_out(p, "CertUtil: Unknown arg: %s\r\n", *verb ? verb : "(none)");
	return E_INVALIDARG;
}
