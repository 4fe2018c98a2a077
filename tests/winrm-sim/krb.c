/*
 * krb.c: the server side of Kerberos as WinRM's Negotiate (and Kerberos)
 * scheme runs it: one AP-REQ in, verified by MIT krb5's
 * gss_accept_sec_context with the host's service key HTTP/<host name>
 * from the keytab KRB5_KTNAME names, one AP-REP out.  Channel bindings
 * (RFC 5929 tls-server-end-point of the listener's certificate) are
 * checked as CbtHardeningLevel asks: Strict needs them, Relaxed checks
 * them when sent.  The client principal user@REALM is the account
 * REALM's first label\user (CONTOSO.TEST -> CONTOSO\user).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <openssl/ssl.h>

#include "sim.h"

/* The host's acceptor credentials: its own key only. */
static int
acceptor(struct sim_host *h, gss_cred_id_t *cred)
{
	gss_OID_set_desc mechs = { 1, (gss_OID)gss_mech_krb5 };
	gss_name_t name = GSS_C_NO_NAME;
	gss_buffer_desc b;
	OM_uint32 major, min;
	char *spn;

	spn = xasprintf("HTTP@%s", h->name);
	b.value = spn;
	b.length = strlen(spn);
	major = gss_import_name(&min, &b, GSS_C_NT_HOSTBASED_SERVICE, &name);
	free(spn);
	if (GSS_ERROR(major))
		return -1;
	major = gss_acquire_cred(&min, name, 0, &mechs, GSS_C_ACCEPT, cred,
	    NULL, NULL);
	gss_release_name(&min, &name);
	return GSS_ERROR(major) ? -1 : 0;
}

/* svc@CONTOSO.TEST -> the host's account CONTOSO\svc, or NULL. */
static struct sim_account *
account_of(struct sim_host *h, gss_name_t src)
{
	struct sim_account *a = NULL;
	gss_buffer_desc b = GSS_C_EMPTY_BUFFER;
	OM_uint32 min;
	char *p, *at, *dot, *name;

	if (GSS_ERROR(gss_display_name(&min, src, &b, NULL)))
		return NULL;
	p = xstrndup(b.value, b.length);
	gss_release_buffer(&min, &b);
	if ((at = strrchr(p, '@')) != NULL && strchr(p, '/') == NULL) {
		*at++ = '\0';
		if ((dot = strchr(at, '.')) != NULL)
			*dot = '\0';
		name = xasprintf("%s\\%s", at, p);
		a = sim_account(h, name);
		free(name);
	}
	free(p);
	return a;
}

/* CbtHardeningLevel is for HTTPS; plain HTTP has no channel. */
static int
bound_enough(struct sim_host *h, SSL *ssl, OM_uint32 flags)
{
	const char *level = h->winrm.cbt_hardening;

	return ssl == NULL || strcasecmp(level, "Strict") != 0 ||
	    (flags & GSS_C_CHANNEL_BOUND_FLAG) != 0;
}

/* The connection's established context, for message encryption. */
struct krb {
	gss_ctx_id_t	 ctx;
};

void
krb_free(struct krb *k)
{
	OM_uint32 min;

	if (k == NULL)
		return;
	if (k->ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&min, &k->ctx, GSS_C_NO_BUFFER);
	free(k);
}

/* Keep ctx as the connection's (replacing any before), or drop it. */
static void
keep(struct krb **state, gss_ctx_id_t *ctx, int ok)
{
	OM_uint32 min;

	if (*ctx == GSS_C_NO_CONTEXT)
		return;
	if (!ok) {
		gss_delete_sec_context(&min, ctx, GSS_C_NO_BUFFER);
		return;
	}
	if (*state == NULL)
		*state = xcalloc(1, sizeof(**state));
	else if ((*state)->ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&min, &(*state)->ctx, GSS_C_NO_BUFFER);
	(*state)->ctx = *ctx;
	*ctx = GSS_C_NO_CONTEXT;
}

int
krb_step(struct sim_host *h, struct krb **state, SSL *ssl,
    const unsigned char *in, size_t len, struct buf *out,
    struct sim_account **who)
{
	struct gss_channel_bindings_struct cb;
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_buffer_desc itok, otok = GSS_C_EMPTY_BUFFER;
	gss_name_t src = GSS_C_NO_NAME;
	struct buf app = BUF_INIT;
	OM_uint32 major, min, flags = 0;
	int use_cb, rc = -1;

	*who = NULL;
	if (acceptor(h, &cred) == -1)
		return -1;
	use_cb = strcasecmp(h->winrm.cbt_hardening, "None") != 0 &&
	    tls_cbt_data(ssl, &app) == 0;
	memset(&cb, 0, sizeof(cb));
	cb.application_data.value = app.ptr;
	cb.application_data.length = app.len;
	itok.value = (void *)in;
	itok.length = len;
	major = gss_accept_sec_context(&min, &ctx, cred, &itok,
	    use_cb ? &cb : GSS_C_NO_CHANNEL_BINDINGS, &src, NULL, &otok,
	    &flags, NULL, NULL);
	if (otok.length > 0)
		buf_add(out, otok.value, otok.length);
	/* One AP-REQ, one AP-REP: no further legs (no DCE-style). */
	if (major == GSS_S_COMPLETE && bound_enough(h, ssl, flags) &&
	    (*who = account_of(h, src)) != NULL)
		rc = 0;
	gss_release_buffer(&min, &otok);
	if (src != GSS_C_NO_NAME)
		gss_release_name(&min, &src);
	keep(state, &ctx, rc == 0);
	gss_release_cred(&min, &cred);
	buf_release(&app);
	return rc;
}

/*
 * WinRM's Kerberos message encryption [MS-WSMV 2.2.9.1.2]: gss_wrap_iov
 * with a header (the "signature" the framing carries), the data and
 * padding, as pyspnego's wrap_winrm does; and back.
 */
static int
krb_seal(void *arg, const char *plain, size_t len, struct buf *sig,
    struct buf *data)
{
	struct krb *k = arg;
	gss_iov_buffer_desc iov[3];
	OM_uint32 major, min;
	int rc = -1;

	memset(iov, 0, sizeof(iov));
	buf_add(data, plain, len);
	iov[0].type = GSS_IOV_BUFFER_TYPE_HEADER | GSS_IOV_BUFFER_FLAG_ALLOCATE;
	iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
	iov[1].buffer.value = data->ptr;
	iov[1].buffer.length = data->len;
	iov[2].type = GSS_IOV_BUFFER_TYPE_PADDING |
	    GSS_IOV_BUFFER_FLAG_ALLOCATE;
	major = gss_wrap_iov(&min, k->ctx, 1, GSS_C_QOP_DEFAULT, NULL, iov, 3);
	if (!GSS_ERROR(major)) {
		buf_add(sig, iov[0].buffer.value, iov[0].buffer.length);
		buf_add(data, iov[2].buffer.value, iov[2].buffer.length);
		rc = 0;
	}
	gss_release_iov_buffer(&min, iov, 3);
	return rc;
}

static int
krb_open(void *arg, const unsigned char *sig, size_t siglen,
    const unsigned char *data, size_t len, struct buf *out)
{
	struct krb *k = arg;
	gss_iov_buffer_desc iov[2];
	struct buf hdr = BUF_INIT;
	OM_uint32 major, min;

	buf_add(&hdr, sig, siglen);
	buf_reset(out);
	buf_add(out, data, len);
	iov[0].type = GSS_IOV_BUFFER_TYPE_HEADER;
	iov[0].buffer.value = hdr.ptr;
	iov[0].buffer.length = hdr.len;
	iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
	iov[1].buffer.value = out->ptr;
	iov[1].buffer.length = out->len;
	major = gss_unwrap_iov(&min, k->ctx, NULL, NULL, iov, 2);
	buf_release(&hdr);
	if (GSS_ERROR(major))
		return -1;
	buf_truncate(out, iov[1].buffer.length);
	return 0;
}

int
krb_sealer(struct krb *k, struct sealer *out)
{
	if (k == NULL || k->ctx == GSS_C_NO_CONTEXT)
		return -1;
	out->protocol = "application/HTTP-Kerberos-session-encrypted";
	out->open = krb_open;
	out->seal = krb_seal;
	out->arg = k;
	return 0;
}
