/*
 * truststore.c: what a host trusts.  Its domain membership and secure
 * channel (Win32_ComputerSystem, Test-ComputerSecureChannel), and its
 *  LocalMachine\Root and LocalMachine\CA stores,
 * the anchors and intermediates its chain engine trusts a peer's
 * certificate by (a WAC gateway judging a node's WinRM listener).  A
 * fresh host's Root holds the fleet's test CA, as a domain member's does
 * once Group Policy has distributed the enterprise root; the fleet file's
 * trusted_roots replaces that list.
 */
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "sim.h"

void
sim_domain_init(struct sim_host *h)
{
	const char *dot = strchr(h->name, '.');

	free(h->domain);
	h->domain = xstrdup(dot != NULL ? dot + 1 : "");
	h->domain_joined = dot != NULL;
	h->secure_channel = 1;
	h->credssp_updated = 1;
}

static int
sim_domain_bool(const char *key, const char *value, int *out, char **cause)
{
	if (strcmp(value, "true") == 0)
		*out = 1;
	else if (strcmp(value, "false") == 0)
		*out = 0;
	else
		return cause_set(cause, "%s: expected true or false, not '%s'",
		    key, value);
	return 0;
}

int
sim_domain_set(struct sim_host *h, const char *key, const char *value,
    char **cause)
{
	if (strcmp(key, "domain.joined") == 0)
		return sim_domain_bool(key, value, &h->domain_joined, cause);
	if (strcmp(key, "domain.secure_channel") == 0)
		return sim_domain_bool(key, value, &h->secure_channel, cause);
	if (strcmp(key, "credssp.updated") == 0)
		return sim_domain_bool(key, value, &h->credssp_updated, cause);
	if (strcmp(key, "domain.name") == 0) {
		free(h->domain);
		h->domain = xstrdup(value);
		return 0;
	}
	return cause_set(cause, "unknown key '%s'", key);
}

void
sim_trust_thumbprint(X509 *x, char out[41])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	out[0] = '\0';
	if (X509_digest(x, EVP_sha1(), md, &len) != 1)
		return;
	for (i = 0; i < len && i < 20; i++)
		snprintf(out + 2 * i, 3, "%02X", md[i]);
}

struct sim_store *
sim_trust_store(struct sim_host *h, const char *name)
{
	if (strcasecmp(name, "Root") == 0)
		return &h->trust_root;
	if (strcasecmp(name, "CA") == 0)
		return &h->trust_ca;
	return NULL;
}

void
sim_trust_add(struct sim_store *s, X509 *x)
{
	if (x == NULL || X509_up_ref(x) != 1)
		return;
	s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = x;
}

int
sim_trust_delete(struct sim_store *s, const char *thumbprint)
{
	char t[41];
	size_t i;

	for (i = 0; i < s->n; i++) {
		sim_trust_thumbprint(s->v[i], t);
		if (strcasecmp(t, thumbprint) != 0)
			continue;
		X509_free(s->v[i]);
		memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) *
		    sizeof(*s->v));
		s->n--;
		return 0;
	}
	return -1;
}

static void
sim_store_clear(struct sim_store *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		X509_free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

void
sim_trust_release(struct sim_host *h)
{
	free(h->domain);
	h->domain = NULL;
	sim_store_clear(&h->trust_root);
	sim_store_clear(&h->trust_ca);
}

void
sim_trust_init(struct sim_host *h)
{
	if (h->fleet != NULL)
		sim_trust_add(&h->trust_root, h->fleet->ca_cert);
}

/* "test_ca" or "rogue_ca" into Root, as the fleet file names them. */
int
sim_trust_set_roots(struct sim_host *h, const char *const *names, size_t n,
    char **cause)
{
	X509 *x;
	size_t i;

	sim_store_clear(&h->trust_root);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i], "test_ca") == 0)
			x = h->fleet->ca_cert;
		else if (strcmp(names[i], "rogue_ca") == 0)
			x = h->fleet->rogue_ca_cert;
		else
			return cause_set(cause, "trusted_roots: expected "
			    "test_ca or rogue_ca, not '%s'", names[i]);
		sim_trust_add(&h->trust_root, x);
	}
	return 0;
}
