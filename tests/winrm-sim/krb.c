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

int
krb_step(struct sim_host *h, SSL *ssl, const unsigned char *in, size_t len,
    struct buf *out, struct sim_account **who)
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
	if (ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&min, &ctx, GSS_C_NO_BUFFER);
	gss_release_cred(&min, &cred);
	buf_release(&app);
	return rc;
}
