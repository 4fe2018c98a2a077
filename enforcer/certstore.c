/*
 * certstore.c: the certificates of a Windows store, read as the
 * certificates themselves and judged here with OpenSSL (see certstore.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certstore.h"
#include "pscmd.h"
#include "timeparse.h"
#include "wsman.h"

/*
 * Every certificate of LocalMachine\STORE, one line each: HasPrivateKey as
 * 0 or 1, a space, the DER certificate (RawData) in base64.  The simulator
 * (tests/winrm-sim/prog_powershell.c) knows this exact text; why this
 * form: docs/windows-behaviour.md, "Certificates".
 */
#define CERTSTORE_SCRIPT_HEAD \
	"$ProgressPreference='SilentlyContinue';" \
	"Get-ChildItem Cert:\\LocalMachine\\"
#define CERTSTORE_SCRIPT_TAIL \
	"|ForEach-Object{'{0} {1}' -f " \
	"[int]$_.HasPrivateKey,[Convert]::ToBase64String($_.RawData)}"

/* One certificate of LocalMachine\My, as PowerShell listed it. */
struct certstore_der {
	X509	*x;
	int	 key;		/* HasPrivateKey */
};

static struct node *
certstore_time_node(time_t t)
{
	char s[TIMEPARSE_UTC_LEN];

	timeparse_format_utc(t, s, sizeof(s));
	return node_scalar(s);
}

static struct node *
certstore_bool_node(int v)
{
	return node_scalar(v ? "true" : "false");
}

struct node *
certstore_node(const struct tlsprobe_result *r)
{
	struct node *c = node_map();

	node_map_set(c, "thumbprint", node_scalar(r->thumbprint));
	node_map_set(c, "subject", node_scalar(r->subject));
	node_map_set(c, "not_before", certstore_time_node(r->not_before));
	node_map_set(c, "not_after", certstore_time_node(r->not_after));
	node_map_set(c, "name_matches", certstore_bool_node(r->name_matches));
	node_map_set(c, "server_auth", certstore_bool_node(r->server_auth));
	node_map_set(c, "server_auth_eku",
	    certstore_bool_node(r->eku_server_auth));
	node_map_set(c, "trusted", certstore_bool_node(r->chain_ok));
	if (!r->chain_ok && r->verify_error != NULL)
		node_map_set(c, "verify_error", node_scalar(r->verify_error));
	return c;
}

/* The script goes as -EncodedCommand (pscmd.c), so that neither cmd.exe
 * nor PowerShell parses its quotes. */
char *
certstore_command(void)
{
	return certstore_command_store("My");
}

char *
certstore_command_store(const char *store)
{
	char *script, *line;

	script = xasprintf("%s%s%s", CERTSTORE_SCRIPT_HEAD, store,
	    CERTSTORE_SCRIPT_TAIL);
	line = pscmd_line(script);
	free(script);
	return line;
}

static void
certstore_ders_free(struct certstore_der *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		X509_free(v[i].x);
	free(v);
}

static int
certstore_der_add(struct certstore_der **v, size_t *n, int key,
    const struct buf *b64, char **cause)
{
	struct buf der = BUF_INIT;
	const unsigned char *p;
	char *why;
	X509 *x;

	if (wsman_base64_decode(&der, b64->ptr, b64->len, cause) == -1) {
		buf_release(&der);
		return cause_prefix(cause, "certificate %zu", *n + 1);
	}
	p = (const unsigned char *)der.ptr;
	x = d2i_X509(NULL, &p, (long)der.len);
	buf_release(&der);
	if (x == NULL) {
		why = tlsprobe_ssl_errors("no reason given");
		cause_set(cause, "certificate %zu: not a DER certificate: %s",
		    *n + 1, why);
		free(why);
		return -1;
	}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].x = x;
	(*v)[(*n)++].key = key;
	return 0;
}

/*
 * "K BASE64" per certificate.  A line without a space continues the one
 * before, in case a console wraps long lines (base64 has no spaces).
 */
static int
certstore_split(const char *text, struct certstore_der **out, size_t *n,
    char **cause)
{
	struct buf b64 = BUF_INIT;
	const char *line = text, *end;
	int key = -1, rc = 0;
	size_t len;

	*out = NULL;
	*n = 0;
	for (; rc == 0 && *line != '\0'; line = *end != '\0' ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		len = (size_t)(end - line);
		while (len > 0 && strchr("\r ", line[len - 1]) != NULL)
			len--;
		if (len >= 2 && (line[0] == '0' || line[0] == '1') &&
		    line[1] == ' ') {
			if (key != -1)
				rc = certstore_der_add(out, n, key, &b64, cause);
			buf_reset(&b64);
			key = line[0] == '1';
			buf_add(&b64, line + 2, len - 2);
		} else if (len > 0 && key != -1)
			buf_add(&b64, line, len);
		else if (len > 0)
			rc = cause_set(cause, "unexpected line '%.*s'",
			    (int)(len < 40 ? len : 40), line);
	}
	if (rc == 0 && key != -1)
		rc = certstore_der_add(out, n, key, &b64, cause);
	buf_release(&b64);
	if (rc == -1) {
		certstore_ders_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* Judge each certificate for name, the rest of the store linking it to
 * the anchors as intermediates would. */
static int
certstore_judge(const struct certstore_der *v, size_t n, const char *name,
    const char *ca_file, struct node **out, char **cause)
{
	STACK_OF(X509) *chain;
	struct tlsprobe_result r;
	struct node *c;
	size_t i;
	int rc = 0;

	if ((chain = sk_X509_new_null()) == NULL)
		fatal("out of memory");
	for (i = 0; i < n; i++)
		if (sk_X509_push(chain, v[i].x) <= 0)
			fatal("out of memory");
	*out = node_seq();
	for (i = 0; i < n && rc == 0; i++) {
		if ((rc = tlsprobe_cert(&r, v[i].x, chain, name, ca_file,
		    TLSPROBE_ANY_TIME, cause)) == -1)
			break;
		c = certstore_node(&r);
		node_map_set(c, "private_key", certstore_bool_node(v[i].key));
		node_seq_push(*out, c);
		tlsprobe_result_release(&r);
	}
	sk_X509_free(chain);
	if (rc == -1) {
		node_free(*out);
		*out = NULL;
	}
	return rc;
}


int
certstore_parse(const char *out, const char *name, const char *ca_file,
    struct node **store, char **cause)
{
	struct certstore_der *v;
	size_t n;
	int rc;

	*store = NULL;
	if (certstore_split(out, &v, &n, cause) == -1)
		return -1;
	rc = certstore_judge(v, n, name, ca_file, store, cause);
	certstore_ders_free(v, n);
	return rc;
}

/* The certificate of v whose SHA-1 thumbprint is thumbprint, or NULL. */
static X509 *
certstore_find(const struct certstore_der *v, size_t n, const char *thumbprint)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char hex[41];
	unsigned int len, k;
	size_t i;

	for (i = 0; i < n; i++) {
		if (X509_digest(v[i].x, EVP_sha1(), md, &len) != 1 || len != 20)
			continue;
		for (k = 0; k < len; k++)
			snprintf(hex + 2 * k, 3, "%02X", md[k]);
		if (strcasecmp(hex, thumbprint) == 0)
			return v[i].x;
	}
	return NULL;
}

static void
certstore_stack_add(STACK_OF(X509) *sk, const struct certstore_der *v,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sk_X509_push(sk, v[i].x) <= 0)
			fatal("out of memory");
}

/*
 * Windows builds a chain from the peer's certificate through the stores'
 * intermediates to an anchor of Root; OpenSSL does the same given Root as
 * the trusted store and CA (plus the peer's own store) as untrusted.
 */
static int
certstore_verify(X509 *leaf, const struct certstore_der *root, size_t nroot,
    STACK_OF(X509) *untrusted, time_t now, char **verify_error)
{
	X509_STORE_CTX *vctx = NULL;
	X509_STORE *store;
	size_t i;
	int ok = 0;

	if ((store = X509_STORE_new()) == NULL)
		fatal("out of memory");
	for (i = 0; i < nroot; i++)
		X509_STORE_add_cert(store, root[i].x);
	if ((vctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(vctx, store, leaf, untrusted) != 1)
		fatal("out of memory");
	X509_STORE_CTX_set_time(vctx, 0, now);
	ok = X509_verify_cert(vctx) == 1;
	if (!ok)
		*verify_error = xstrdup(X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(vctx)));
	X509_STORE_CTX_free(vctx);
	X509_STORE_free(store);
	ERR_clear_error();
	return ok;
}

static int
certstore_names_match(X509 *x, const char *name)
{
	unsigned char addr[16];

	if (inet_pton(AF_INET, name, addr) == 1 ||
	    inet_pton(AF_INET6, name, addr) == 1)
		return X509_check_ip_asc(x, name, 0) == 1;
	return X509_check_host(x, name, strlen(name), 0, NULL) == 1;
}

void
certstore_trust_release(struct certstore_trust *t)
{
	free(t->verify_error);
	free(t->names);
	memset(t, 0, sizeof(*t));
}

int
certstore_trusted_by(struct certstore_trust *t, const char *peer_my,
    const char *thumbprint, const char *name, const char *root_out,
    const char *ca_out, time_t now, char **cause)
{
	struct certstore_der *my = NULL, *root = NULL, *ca = NULL;
	size_t nmy = 0, nroot = 0, nca = 0;
	STACK_OF(X509) *untrusted = NULL;
	struct buf names = BUF_INIT;
	X509 *leaf;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	if (certstore_split(peer_my, &my, &nmy, cause) == -1 ||
	    certstore_split(root_out, &root, &nroot, cause) == -1 ||
	    certstore_split(ca_out, &ca, &nca, cause) == -1)
		goto out;
	rc = 0;
	if ((leaf = certstore_find(my, nmy, thumbprint)) == NULL)
		goto out;
	t->found = 1;
	t->name_matches = certstore_names_match(leaf, name);
	tlsprobe_cert_names(leaf, &names);
	t->names = buf_detach(&names);
	if ((untrusted = sk_X509_new_null()) == NULL)
		fatal("out of memory");
	certstore_stack_add(untrusted, ca, nca);
	certstore_stack_add(untrusted, my, nmy);
	t->trusted = certstore_verify(leaf, root, nroot, untrusted, now,
	    &t->verify_error);
out:
	sk_X509_free(untrusted);
	certstore_ders_free(my, nmy);
	certstore_ders_free(root, nroot);
	certstore_ders_free(ca, nca);
	return rc;
}
