/*
 * negotiate.c: GSSAPI for WinRM's "Negotiate" HTTP scheme: Kerberos or
 * NTLMv2 (gss-ntlmssp) tokens with TLS channel bindings.  See
 * docs/transport.md for the protocol facts and their sources.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "negotiate.h"
#include "util.h"

#define CBT_PREFIX	"tls-server-end-point:"

/* gss-ntlmssp's mechanism: 1.3.6.1.4.1.311.2.2.10 (MS-NLMP). */
static char ntlm_oid_der[] = "\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a";
static gss_OID_desc ntlm_oid = { 10, ntlm_oid_der };

#define BOUNDARY	"--Encrypted Boundary\r\n"
#define ORIGINAL	"\tOriginalContent: type=application/soap+xml;" \
			"charset=UTF-8;Length="
#define PART2		"\tContent-Type: application/octet-stream\r\n"
#define SIGLEN		16	/* an NTLM signature */
#define SIG_MAX		1024	/* a Kerberos wrap header is far less */

/*
 * What a client's contexts share: the target name and the credentials.
 * Counted: a call given up at its deadline (struct call) still holds them
 * until MIT returns.
 */
struct shared {
	pthread_mutex_t		 mu;
	int			 refs;
	gss_name_t		 target;
	gss_cred_id_t		 cred;
	int			 have_cred;
	int			 cred_kept;	/* cred is the run's (kept[]) */
	int			 warm;		/* Kerberos: service ticket got */
	char			*cause;		/* why the client cannot log on */
};

struct negotiate {
	enum negotiate_mech	 mech;
	char			*host;
	const char		*user;		/* borrowed */
	const char		*password;	/* borrowed */
	long			 timeout_ms;	/* a Kerberos call's bound */
	struct shared		*sh;
	gss_ctx_id_t		 ctx;
	int			 sig_first;	/* gss_wrap's layout, learnt */
};

static struct shared *
shared_ref(struct shared *sh)
{
	pthread_mutex_lock(&sh->mu);
	sh->refs++;
	pthread_mutex_unlock(&sh->mu);
	return sh;
}

static void
shared_unref(struct shared *sh)
{
	OM_uint32 min;
	int last;

	pthread_mutex_lock(&sh->mu);
	last = --sh->refs == 0;
	pthread_mutex_unlock(&sh->mu);
	if (!last)
		return;
	if (sh->cred != GSS_C_NO_CREDENTIAL && !sh->cred_kept)
		gss_release_cred(&min, &sh->cred);
	if (sh->target != GSS_C_NO_NAME)
		gss_release_name(&min, &sh->target);
	free(sh->cause);
	pthread_mutex_destroy(&sh->mu);
	free(sh);
}

void
negotiate_new(struct negotiate **out, enum negotiate_mech mech,
    const char *host, const char *user, const char *password,
    long timeout_ms)
{
	struct negotiate *n;

	n = xcalloc(1, sizeof(*n));
	n->mech = mech;
	n->host = xstrdup(host);
	n->user = user;
	n->password = password;
	n->timeout_ms = timeout_ms;
	n->sh = xcalloc(1, sizeof(*n->sh));
	pthread_mutex_init(&n->sh->mu, NULL);
	n->sh->refs = 1;
	n->sh->target = GSS_C_NO_NAME;
	n->sh->cred = GSS_C_NO_CREDENTIAL;
	n->ctx = GSS_C_NO_CONTEXT;
	*out = n;
}

void
negotiate_clone(struct negotiate *n, struct negotiate **out)
{
	negotiate_new(out, n->mech, n->host, n->user, n->password,
	    n->timeout_ms);
	shared_unref((*out)->sh);
	(*out)->sh = shared_ref(n->sh);
}

void
negotiate_restart(struct negotiate *n)
{
	OM_uint32 min;

	if (n->ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&min, &n->ctx, GSS_C_NO_BUFFER);
	n->ctx = GSS_C_NO_CONTEXT;
}

void
negotiate_free(struct negotiate *n)
{
	if (n == NULL)
		return;
	negotiate_restart(n);
	shared_unref(n->sh);
	free(n->host);
	free(n);
}

static gss_OID
mech_oid(const struct negotiate *n)
{
	return n->mech == NEGOTIATE_NTLM ? &ntlm_oid :
	    (gss_OID)gss_mech_krb5;
}

static const char *
mech_name(const struct negotiate *n)
{
	return n->mech == NEGOTIATE_NTLM ? "ntlm" : "kerberos";
}

/* GSSAPI's own words for a status, major then minor, on one line. */
static void
status_text(struct buf *b, OM_uint32 code, int type, gss_OID mech)
{
	OM_uint32 min, ctx = 0;
	gss_buffer_desc msg;

	do {
		if (GSS_ERROR(gss_display_status(&min, code, type, mech, &ctx,
		    &msg)))
			return;
		if (b->len > 0)
			buf_puts(b, ": ");
		buf_add(b, msg.value, msg.length);
		gss_release_buffer(&min, &msg);
	} while (ctx != 0);
}

/* What the operator should do about a Kerberos error code. */
static const char *
krb5_advice(OM_uint32 major, OM_uint32 minor)
{
	switch ((krb5_error_code)minor) {
	case KRB5KRB_AP_ERR_SKEW:
	case KRB5KRB_AP_ERR_TKT_NYV:
		return "clocks differ too much: synchronise this machine, "
		    "the KDC and the host (NTP)";
	case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
		return "the KDC does not know the client principal: check "
		    "the user name and realm";
	case KRB5_KDC_UNREACH:
	case KRB5_REALM_CANT_RESOLVE:
	case KRB5_REALM_UNKNOWN:
		return "cannot reach a KDC for the realm: check krb5.conf "
		    "and that the KDC is up and reachable";
	case KRB5KDC_ERR_PREAUTH_FAILED:
	case KRB5KRB_AP_ERR_BAD_INTEGRITY:
		return "wrong password or keytab for the client principal";
	case KRB5KRB_AP_ERR_TKT_EXPIRED:
	case KRB5KDC_ERR_TGT_REVOKED:
		return "the Kerberos ticket has expired: run kinit again, or "
		    "use a client keytab (KRB5_CLIENT_KTNAME)";
	case KRB5_KT_NOTFOUND:
	case KRB5_KT_END:
		return "the client keytab has no key for the principal";
	}
	if (major == GSS_S_NO_CRED || GSS_ROUTINE_ERROR(major) ==
	    GSS_S_NO_CRED)
		return "no Kerberos credentials: run kinit, or set "
		    "KRB5_CLIENT_KTNAME to a client keytab";
	if (GSS_ROUTINE_ERROR(major) == GSS_S_CREDENTIALS_EXPIRED)
		return "the Kerberos ticket has expired: run kinit again, or "
		    "use a client keytab (KRB5_CLIENT_KTNAME)";
	return NULL;
}

static int
gss_fail(const struct negotiate *n, char **cause, const char *what,
    OM_uint32 major, OM_uint32 minor)
{
	struct buf b = BUF_INIT;
	const char *advice = NULL;
	int rc;

	/* The mechanism's words say more than GSSAPI's generic ones. */
	if (minor == 0)
		status_text(&b, major, GSS_C_GSS_CODE, GSS_C_NO_OID);
	if (minor != 0)
		status_text(&b, minor, GSS_C_MECH_CODE, mech_oid(n));
	if (n->mech == NEGOTIATE_KERBEROS &&
	    (krb5_error_code)minor == KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN) {
		/* The GSS text only repeats the principal. */
		rc = cause_set(cause, "%s: %s: the KDC knows no service "
		    "principal HTTP/%s: register it for the host (setspn -S "
		    "HTTP/%s) or use the name the domain knows the host by",
		    mech_name(n), what, n->host, n->host);
		buf_release(&b);
		return rc;
	}
	if (n->mech == NEGOTIATE_KERBEROS)
		advice = krb5_advice(major, minor);
	else if (GSS_ROUTINE_ERROR(major) == GSS_S_BAD_MECH ||
	    GSS_ROUTINE_ERROR(major) == GSS_S_UNAVAILABLE)
		advice = "install the NTLM mechanism for GSSAPI (Debian: "
		    "gss-ntlmssp)";
	if (advice != NULL)
		rc = cause_set(cause, "%s: %s: %s (%s)", mech_name(n), what,
		    advice, buf_cstr(&b));
	else
		rc = cause_set(cause, "%s: %s: %s", mech_name(n), what,
		    buf_cstr(&b));
	buf_release(&b);
	return rc;
}

/* --- calls that may reach the KDC, under a deadline ------------------- */

/*
 * MIT krb5 1.20 (Debian 12) has no setting that bounds a KDC exchange
 * (kdc_timeout is Heimdal's): a KDC that takes the connection and never
 * answers held kinit 25 s here (docs/transport.md).  So a Kerberos
 * call runs on a thread of its own and the client stops waiting at the
 * connection's timeout.  Everything the call uses is the call's own (or
 * counted, struct shared): a call given up frees it when MIT returns.
 */
enum call_kind {
	CALL_ACQUIRE,
	CALL_INIT,
};

struct call {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 done;
	int			 abandoned;	/* the thread frees the call */
	enum call_kind		 kind;
	struct shared		*sh;		/* a reference */
	gss_OID			 mech;
	gss_name_t		 name;		/* CALL_ACQUIRE: the user */
	char			*password;	/* a copy, wiped */
	gss_ctx_id_t		 ctx;		/* CALL_INIT */
	OM_uint32		 flags;
	unsigned char		*cb;		/* a copy; NULL: no bindings */
	size_t			 cblen;
	gss_buffer_desc		 in;		/* a copy */
	int			 cache_shared;	/* the process's ccache (gate) */
	OM_uint32		 major;		/* results */
	OM_uint32		 minor;
	gss_cred_id_t		 cred;
	gss_buffer_desc		 out;
};

static struct call *
call_new(struct negotiate *n, enum call_kind kind)
{
	pthread_condattr_t ca;
	struct call *c;

	c = xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cv, &ca);
	pthread_condattr_destroy(&ca);
	c->kind = kind;
	c->sh = shared_ref(n->sh);
	/* A password's ticket goes to a cache of the credential's own. */
	c->cache_shared = n->mech == NEGOTIATE_KERBEROS && n->password == NULL;
	c->mech = n->mech == NEGOTIATE_NTLM ? &ntlm_oid :
	    (gss_OID)gss_mech_krb5;
	c->name = GSS_C_NO_NAME;
	c->ctx = GSS_C_NO_CONTEXT;
	c->cred = GSS_C_NO_CREDENTIAL;
	return c;
}

static void
call_free(struct call *c)
{
	OM_uint32 min;

	if (c->name != GSS_C_NO_NAME)
		gss_release_name(&min, &c->name);
	if (c->password != NULL) {
		explicit_bzero(c->password, strlen(c->password));
		free(c->password);
	}
	if (c->ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&min, &c->ctx, GSS_C_NO_BUFFER);
	if (c->cred != GSS_C_NO_CREDENTIAL)
		gss_release_cred(&min, &c->cred);
	gss_release_buffer(&min, &c->out);
	free(c->cb);
	free(c->in.value);
	shared_unref(c->sh);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static void
call_gss(struct call *c)
{
	struct gss_channel_bindings_struct b;
	gss_OID_set_desc mechs = { 1, c->mech };
	gss_buffer_desc pw;

	if (c->kind == CALL_ACQUIRE && c->password != NULL) {
		pw.value = c->password;
		pw.length = strlen(c->password);
		c->major = gss_acquire_cred_with_password(&c->minor, c->name,
		    &pw, 0, &mechs, GSS_C_INITIATE, &c->cred, NULL, NULL);
	} else if (c->kind == CALL_ACQUIRE)
		c->major = gss_acquire_cred(&c->minor, c->name, 0, &mechs,
		    GSS_C_INITIATE, &c->cred, NULL, NULL);
	else {
		memset(&b, 0, sizeof(b));
		b.application_data.value = c->cb;
		b.application_data.length = c->cblen;
		c->major = gss_init_sec_context(&c->minor, c->sh->cred,
		    &c->ctx, c->sh->target, c->mech, c->flags, 0,
		    c->cb != NULL ? &b : GSS_C_NO_CHANNEL_BINDINGS,
		    c->in.value != NULL ? &c->in : GSS_C_NO_BUFFER, NULL,
		    &c->out, NULL, NULL);
	}
}

/*
 * The process's ticket cache is one for every client.  With a client
 * keytab and no TGT yet (a MEMORY: cache starts empty each run), MIT
 * krb5 1.20 gets the TGT inside whichever call first needs it and
 * re-initialises the cache to store it, which empties it under the feet
 * of a concurrent call: "Principal in credential cache does not match
 * desired name" or "Matching credential not found" (the demo failed 2
 * runs in 30 so).  So such calls go one at a time until one logon
 * succeeded (the TGT is then cached and they only read it and add
 * service tickets, under MIT's own lock); after that, a call that fails
 * outside the gate is made once more inside it, for a TGT MIT renews
 * from the keytab mid-run.  Only a context's first leg gets tickets (an
 * AP-REP is checked against the context alone); acquiring the
 * credential only names the cache and keytab, and is not held behind a
 * first leg that waits for a silent KDC, so that the host's error names
 * the logon, where the KDC stopped answering.
 */
static pthread_mutex_t	 cache_gate = PTHREAD_MUTEX_INITIALIZER;
static int		 cache_ready;	/* a logon went through the cache */

static int
call_uses_cache(const struct call *c)
{
	return c->cache_shared && c->kind == CALL_INIT &&
	    c->in.value == NULL && c->ctx == GSS_C_NO_CONTEXT;
}

static void
call_gated(struct call *c)
{
	pthread_mutex_lock(&cache_gate);
	call_gss(c);
	if (c->kind == CALL_INIT && !GSS_ERROR(c->major))
		__atomic_store_n(&cache_ready, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&cache_gate);
}

static void
call_run(struct call *c)
{
	OM_uint32 min;

	if (!call_uses_cache(c)) {
		call_gss(c);
		return;
	}
	if (!__atomic_load_n(&cache_ready, __ATOMIC_ACQUIRE)) {
		call_gated(c);
		return;
	}
	call_gss(c);
	if (!GSS_ERROR(c->major))
		return;
	/* A first leg that failed holds no context and no output. */
	if (c->ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&min, &c->ctx, GSS_C_NO_BUFFER);
	gss_release_buffer(&min, &c->out);
	call_gated(c);
}

static void *
call_thread(void *arg)
{
	struct call *c = arg;
	int abandoned;

	call_run(c);
	pthread_mutex_lock(&c->mu);
	c->done = 1;
	abandoned = c->abandoned;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	if (abandoned)
		call_free(c);
	return NULL;
}

/*
 * Run c, Kerberos' on a thread of its own: 0 once it returned (c is the
 * caller's), -1 at the deadline (c is the thread's from then on).
 */
static int
call_do(const struct negotiate *n, struct call *c)
{
	struct timespec dl;
	sigset_t all, old;
	pthread_t th;
	int rc = 0, started;

	if (n->mech != NEGOTIATE_KERBEROS || n->timeout_ms <= 0) {
		call_run(c);
		return 0;
	}
	/* Signals are the host threads' business, not this one's. */
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	started = pthread_create(&th, NULL, call_thread, c) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!started) {
		call_run(c);
		return 0;
	}
	pthread_detach(th);
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += n->timeout_ms / 1000;
	dl.tv_nsec += (n->timeout_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->mu);
	while (!c->done && pthread_cond_timedwait(&c->cv, &c->mu, &dl) !=
	    ETIMEDOUT)
		;
	if (!c->done) {
		c->abandoned = 1;
		rc = -1;
	}
	pthread_mutex_unlock(&c->mu);
	return rc;
}

/* The KDC did not answer a call within the connection's timeout. */
static int
call_timed_out(const struct negotiate *n, char **cause, const char *what)
{
	return cause_set(cause, "%s: %s: no answer from the KDC within %ld "
	    "ms (timeout): check that the KDC is up and answers this "
	    "machine (krb5.conf)", mech_name(n), what, n->timeout_ms);
}

static int
import_target(struct negotiate *n, char **cause)
{
	OM_uint32 major, min;
	gss_buffer_desc b;
	char *spn;

	if (n->sh->target != GSS_C_NO_NAME)
		return 0;
	/* WinRM's service principal is HTTP/<host name> (docs/transport.md). */
	spn = xasprintf("HTTP@%s", n->host);
	b.value = spn;
	b.length = strlen(spn);
	major = gss_import_name(&min, &b, GSS_C_NT_HOSTBASED_SERVICE,
	    &n->sh->target);
	free(spn);
	if (GSS_ERROR(major))
		return gss_fail(n, cause, "bad target name", major, min);
	return 0;
}

/*
 * A client keytab named but absent would read as "no credentials":
 * say which file is missing instead.
 */
static int
missing_keytab(const struct negotiate *n, char **cause)
{
	const char *kt = getenv("KRB5_CLIENT_KTNAME");

	if (n->mech != NEGOTIATE_KERBEROS || n->password != NULL ||
	    kt == NULL || *kt == '\0')
		return 0;
	if (strncmp(kt, "FILE:", 5) == 0)
		kt += 5;
	else if (strchr(kt, ':') != NULL && *kt != '/')
		return 0;
	if (access(kt, F_OK) == 0)
		return 0;
	cause_set(cause, "kerberos: cannot get credentials: the client "
	    "keytab %s (KRB5_CLIENT_KTNAME) does not exist: create it with "
	    "ktutil or kadmin ktadd, or run kinit", kt);
	return 1;
}

/*
 * Credentials from a password, kept for the run: acquiring them costs CPU
 * (gss-ntlmssp derives the keys; a seventh of a fleet plan's CPU when
 * every client acquired its own) or a KDC exchange (MIT), and every
 * client of every host logs on as one account or a few.  Keyed by the
 * mechanism, the user and a SHA-256 of the password; never released (a
 * process is one run).  Contexts on many threads may share a credential:
 * gss-ntlmssp's init_sec_context only reads it (it copies the name and
 * keys into the context), and MIT locks its credential while it uses it.
 */
struct kept_cred {
	enum negotiate_mech	 mech;
	char			*user;
	unsigned char		 pw[32];
	gss_cred_id_t		 cred;
	struct kept_cred	*next;
};
static pthread_mutex_t	 kept_mu = PTHREAD_MUTEX_INITIALIZER;
static struct kept_cred	*kept;

static void
kept_key(const struct negotiate *n, unsigned char pw[32])
{
	unsigned int len = 32;

	if (EVP_Digest(n->password, strlen(n->password), pw, &len,
	    EVP_sha256(), NULL) != 1)
		fatal("cannot hash with SHA-256");
}

static struct kept_cred *
kept_find(const struct negotiate *n, const unsigned char pw[32])
{
	struct kept_cred *k;

	for (k = kept; k != NULL; k = k->next)
		if (k->mech == n->mech && strcmp(k->user, n->user != NULL ?
		    n->user : "") == 0 && memcmp(k->pw, pw, 32) == 0)
			return k;
	return NULL;
}

/* The run's credential for n's account, if one was acquired. */
static int
kept_use(struct negotiate *n)
{
	unsigned char pw[32];
	struct kept_cred *k;

	kept_key(n, pw);
	pthread_mutex_lock(&kept_mu);
	if ((k = kept_find(n, pw)) != NULL) {
		n->sh->cred = k->cred;
		n->sh->cred_kept = n->sh->have_cred = 1;
	}
	pthread_mutex_unlock(&kept_mu);
	explicit_bzero(pw, sizeof(pw));
	return k != NULL;
}

/*
 * n's credential, just acquired, becomes the run's; if another client got
 * there first, n takes that one and releases its own.
 */
static void
kept_add(struct negotiate *n)
{
	unsigned char pw[32];
	struct kept_cred *k;
	OM_uint32 min;

	kept_key(n, pw);
	pthread_mutex_lock(&kept_mu);
	if ((k = kept_find(n, pw)) != NULL)
		gss_release_cred(&min, &n->sh->cred);
	else {
		k = xcalloc(1, sizeof(*k));
		k->mech = n->mech;
		k->user = xstrdup(n->user != NULL ? n->user : "");
		memcpy(k->pw, pw, 32);
		k->cred = n->sh->cred;
		k->next = kept;
		kept = k;
	}
	n->sh->cred = k->cred;
	n->sh->cred_kept = 1;
	pthread_mutex_unlock(&kept_mu);
	explicit_bzero(pw, sizeof(pw));
}

/*
 * The initiator's credentials: from the password (gss-ntlmssp and MIT
 * both take it through gss_acquire_cred_with_password, so it is never
 * written anywhere), else Kerberos' ticket cache or client keytab.
 */
static int
acquire(struct negotiate *n, char **cause)
{
	struct call *c;
	gss_buffer_desc b;
	OM_uint32 major, min;
	int rc = -1;

	if (n->sh->have_cred || (n->password != NULL && kept_use(n)))
		return 0;
	if (missing_keytab(n, cause))
		return -1;
	c = call_new(n, CALL_ACQUIRE);
	if (n->user != NULL && *n->user != '\0') {
		b.value = (void *)n->user;
		b.length = strlen(n->user);
		major = gss_import_name(&min, &b, GSS_C_NT_USER_NAME, &c->name);
		if (GSS_ERROR(major)) {
			gss_fail(n, cause, "bad user name", major, min);
			goto out;
		}
	}
	if (n->password != NULL)
		c->password = xstrdup(n->password);
	if (call_do(n, c) == -1)
		return call_timed_out(n, cause, "cannot get credentials");
	if (GSS_ERROR(c->major)) {
		gss_fail(n, cause, "cannot get credentials", c->major,
		    c->minor);
		goto out;
	}
	n->sh->cred = c->cred;
	c->cred = GSS_C_NO_CREDENTIAL;
	n->sh->have_cred = 1;
	if (n->password != NULL)
		kept_add(n);
	rc = 0;
out:
	call_free(c);
	return rc;
}

static char *
b64_encode(const void *p, size_t len)
{
	char *out;

	out = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, p, (int)len);
	return out;
}

static unsigned char *
b64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s);
	unsigned char *out;
	int got;

	if (n == 0 || n % 4 != 0)
		return NULL;
	out = xmalloc(n);
	if ((got = EVP_DecodeBlock(out, (const unsigned char *)s,
	    (int)n)) < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts the padding as data. */
	got -= (s[n - 1] == '=') + (s[n - 2] == '=');
	*len = (size_t)got;
	return out;
}

/*
 * Kerberos: the service ticket now, under the deadline and before any
 * request is in flight, so that a KDC that does not answer fails the
 * client at once instead of the requests waiting behind it; the AP-REQs
 * then take the ticket from the credentials' cache.  The token made here
 * is never sent.
 */
static int
warm_up(struct negotiate *n, char **cause)
{
	struct call *c;
	int rc = -1;

	if (n->mech != NEGOTIATE_KERBEROS || n->sh->warm)
		return 0;
	c = call_new(n, CALL_INIT);
	c->flags = GSS_C_MUTUAL_FLAG;
	if (call_do(n, c) == -1)
		return call_timed_out(n, cause, "cannot log on");
	if (GSS_ERROR(c->major))
		gss_fail(n, cause, "cannot log on", c->major, c->minor);
	else {
		n->sh->warm = 1;
		rc = 0;
	}
	call_free(c);
	return rc;
}

int
negotiate_ready(struct negotiate *n, char **cause)
{
	/* The same answer for every connection: each asks once at most. */
	if (n->sh->cause != NULL)
		return cause_set(cause, "%s", n->sh->cause);
	if (import_target(n, cause) == -1 || acquire(n, cause) == -1 ||
	    warm_up(n, cause) == -1) {
		n->sh->cause = xstrdup(*cause);
		return -1;
	}
	return 0;
}

int
negotiate_step(struct negotiate *n, const char *in, const unsigned char *cb,
    size_t cblen, char **out, int *done, char **cause)
{
	const char *what = in == NULL ? "cannot log on" :
	    "logon refused by the host";
	struct call *c;
	int rc = -1;

	*out = NULL;
	*done = 0;
	if (negotiate_ready(n, cause) == -1)
		return -1;
	c = call_new(n, CALL_INIT);
	if (in != NULL && (c->in.value = b64_decode(in, &c->in.length)) ==
	    NULL) {
		call_free(c);
		return cause_set(cause, "%s: the host's token is not base64",
		    mech_name(n));
	}
	if (cb != NULL) {
		c->cb = xmalloc(cblen > 0 ? cblen : 1);
		memcpy(c->cb, cb, cblen);
		c->cblen = cblen;
	}
	c->flags = GSS_C_MUTUAL_FLAG | GSS_C_SEQUENCE_FLAG |
	    GSS_C_INTEG_FLAG | GSS_C_CONF_FLAG;
	/* The context goes with the call, and comes back if it returns. */
	c->ctx = n->ctx;
	n->ctx = GSS_C_NO_CONTEXT;
	if (call_do(n, c) == -1)
		return call_timed_out(n, cause, what);
	if (GSS_ERROR(c->major)) {
		gss_fail(n, cause, what, c->major, c->minor);
		goto out;
	}
	n->ctx = c->ctx;
	c->ctx = GSS_C_NO_CONTEXT;
	if (c->out.length > 0)
		*out = b64_encode(c->out.value, c->out.length);
	*done = !(c->major & GSS_S_CONTINUE_NEEDED);
	rc = 0;
out:
	call_free(c);
	return rc;
}

int
negotiate_cbt(const X509 *cert, unsigned char **out, size_t *outlen)
{
	unsigned char hash[EVP_MAX_MD_SIZE];
	const EVP_MD *md = EVP_sha256();
	unsigned int hlen = 0;
	int nid;

	*out = NULL;
	/* RFC 5929 4.1: the signature's hash; MD5 and SHA-1 become SHA-256. */
	if (OBJ_find_sigid_algs(X509_get_signature_nid(cert), &nid, NULL) &&
	    nid != NID_md5 && nid != NID_sha1 &&
	    EVP_get_digestbynid(nid) != NULL)
		md = EVP_get_digestbynid(nid);
	if (X509_digest(cert, md, hash, &hlen) != 1)
		return -1;
	*outlen = sizeof(CBT_PREFIX) - 1 + hlen;
	*out = xmalloc(*outlen);
	memcpy(*out, CBT_PREFIX, sizeof(CBT_PREFIX) - 1);
	memcpy(*out + sizeof(CBT_PREFIX) - 1, hash, hlen);
	return 0;
}

/* --- message encryption ------------------------------------------------ */

const char *
negotiate_protocol(const struct negotiate *n)
{
	return n->mech == NEGOTIATE_NTLM ?
	    "application/HTTP-SPNEGO-session-encrypted" :
	    "application/HTTP-Kerberos-session-encrypted";
}

/*
 * An NTLM signature starts with its version, 1, in clear; gss-ntlmssp
 * has put it after the sealed text in some versions and before in others.
 */
static int
is_signature(const unsigned char *p)
{
	return p[0] == 1 && p[1] == 0 && p[2] == 0 && p[3] == 0;
}

/* NTLM: gss_wrap, the 16-byte signature split off. */
static int
seal_ntlm(struct negotiate *n, const char *msg, size_t len, struct buf *sig,
    struct buf *data, char **cause)
{
	gss_buffer_desc in, tok = GSS_C_EMPTY_BUFFER;
	const unsigned char *t;
	OM_uint32 major, min;
	int rc = -1;

	in.value = (void *)msg;
	in.length = len;
	major = gss_wrap(&min, n->ctx, 1, GSS_C_QOP_DEFAULT, &in, NULL, &tok);
	if (GSS_ERROR(major))
		return gss_fail(n, cause, "cannot seal a message", major, min);
	t = tok.value;
	if (tok.length != len + SIGLEN) {
		cause_set(cause, "%s: unexpected sealed length", mech_name(n));
		goto out;
	}
	n->sig_first = is_signature(t) && !is_signature(t + len);
	buf_add(sig, n->sig_first ? t : t + len, SIGLEN);
	buf_add(data, n->sig_first ? t + SIGLEN : t, len);
	rc = 0;
out:
	gss_release_buffer(&min, &tok);
	return rc;
}

/*
 * Kerberos: gss_wrap_iov with a header (the signature), the data and its
 * padding, as pyspnego's wrap_winrm does.
 */
static int
seal_krb5(struct negotiate *n, const char *msg, size_t len, struct buf *sig,
    struct buf *data, char **cause)
{
	gss_iov_buffer_desc iov[3];
	OM_uint32 major, min;

	memset(iov, 0, sizeof(iov));
	buf_add(data, msg, len);
	iov[0].type = GSS_IOV_BUFFER_TYPE_HEADER | GSS_IOV_BUFFER_FLAG_ALLOCATE;
	iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
	iov[1].buffer.value = data->ptr;
	iov[1].buffer.length = data->len;
	iov[2].type = GSS_IOV_BUFFER_TYPE_PADDING |
	    GSS_IOV_BUFFER_FLAG_ALLOCATE;
	major = gss_wrap_iov(&min, n->ctx, 1, GSS_C_QOP_DEFAULT, NULL, iov, 3);
	if (GSS_ERROR(major))
		return gss_fail(n, cause, "cannot seal a message", major, min);
	buf_add(sig, iov[0].buffer.value, iov[0].buffer.length);
	buf_add(data, iov[2].buffer.value, iov[2].buffer.length);
	gss_release_iov_buffer(&min, iov, 3);
	return 0;
}

int
negotiate_seal(struct negotiate *n, const char *msg, size_t len,
    struct buf *out, char **cause)
{
	struct buf sig = BUF_INIT, data = BUF_INIT;
	unsigned char slen[4];
	int rc;

	rc = n->mech == NEGOTIATE_NTLM ?
	    seal_ntlm(n, msg, len, &sig, &data, cause) :
	    seal_krb5(n, msg, len, &sig, &data, cause);
	if (rc == 0) {
		slen[0] = sig.len & 0xff;
		slen[1] = sig.len >> 8 & 0xff;
		slen[2] = sig.len >> 16 & 0xff;
		slen[3] = sig.len >> 24 & 0xff;
		buf_printf(out, BOUNDARY "\tContent-Type: %s\r\n" ORIGINAL
		    "%zu\r\n" BOUNDARY PART2, negotiate_protocol(n), data.len);
		buf_add(out, slen, 4);
		buf_add(out, sig.ptr, sig.len);
		buf_add(out, data.ptr, data.len);
		buf_puts(out, "--Encrypted Boundary--\r\n");
	}
	buf_release(&sig);
	buf_release(&data);
	return rc;
}

/* Skip an exact prefix; NULL if it is not there. */
static const char *
skip(const char *p, const char *end, const char *s)
{
	size_t len = strlen(s);

	if ((size_t)(end - p) < len || memcmp(p, s, len) != 0)
		return NULL;
	return p + len;
}

/* The signature and sealed data of a multipart/encrypted body. */
static int
unframe(const struct negotiate *n, const char *body, size_t len,
    struct buf *sig, struct buf *data)
{
	const char *p = body, *end = body + len;
	const unsigned char *u;
	unsigned long dlen;
	uint32_t slen;
	char *num;

	if ((p = skip(p, end, BOUNDARY)) == NULL ||
	    (p = skip(p, end, "\tContent-Type: ")) == NULL ||
	    (p = skip(p, end, negotiate_protocol(n))) == NULL ||
	    (p = skip(p, end, "\r\n")) == NULL ||
	    (p = skip(p, end, ORIGINAL)) == NULL)
		return -1;
	dlen = strtoul(p, &num, 10);
	if (num == p || (p = skip(num, end, "\r\n")) == NULL ||
	    (p = skip(p, end, BOUNDARY)) == NULL ||
	    (p = skip(p, end, PART2)) == NULL || end - p < 4)
		return -1;
	u = (const unsigned char *)p;
	slen = (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 |
	    (uint32_t)u[3] << 24;
	p += 4;
	/* The sealed data is as long as the header says (with padding). */
	if (slen > SIG_MAX || (size_t)(end - p) < slen + dlen)
		return -1;
	buf_add(sig, p, slen);
	buf_add(data, p + slen, dlen);
	p += slen + dlen;
	return skip(p, end, "--Encrypted Boundary--\r\n") != NULL ||
	    skip(p, end, BOUNDARY) != NULL ? 0 : -1;
}

static int
open_ntlm(struct negotiate *n, const struct buf *sig, const struct buf *data,
    struct buf *out, char **cause)
{
	gss_buffer_desc in, plain = GSS_C_EMPTY_BUFFER;
	struct buf tok = BUF_INIT;
	OM_uint32 major, min;

	if (sig->len != SIGLEN)
		return cause_set(cause, "%s: bad signature length",
		    mech_name(n));
	buf_add(&tok, n->sig_first ? sig->ptr : data->ptr,
	    n->sig_first ? sig->len : data->len);
	buf_add(&tok, n->sig_first ? data->ptr : sig->ptr,
	    n->sig_first ? data->len : sig->len);
	in.value = tok.ptr;
	in.length = tok.len;
	major = gss_unwrap(&min, n->ctx, &in, &plain, NULL, NULL);
	buf_release(&tok);
	if (GSS_ERROR(major))
		return gss_fail(n, cause, "the host's encrypted reply does not "
		    "check out", major, min);
	buf_add(out, plain.value, plain.length);
	gss_release_buffer(&min, &plain);
	return 0;
}

static int
open_krb5(struct negotiate *n, struct buf *sig, struct buf *data,
    struct buf *out, char **cause)
{
	gss_iov_buffer_desc iov[2];
	OM_uint32 major, min;

	iov[0].type = GSS_IOV_BUFFER_TYPE_HEADER;
	iov[0].buffer.value = sig->ptr;
	iov[0].buffer.length = sig->len;
	iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
	iov[1].buffer.value = data->ptr;
	iov[1].buffer.length = data->len;
	major = gss_unwrap_iov(&min, n->ctx, NULL, NULL, iov, 2);
	if (GSS_ERROR(major))
		return gss_fail(n, cause, "the host's encrypted reply does not "
		    "check out", major, min);
	buf_add(out, iov[1].buffer.value, iov[1].buffer.length);
	return 0;
}

int
negotiate_open(struct negotiate *n, const char *body, size_t len,
    struct buf *out, char **cause)
{
	struct buf sig = BUF_INIT, data = BUF_INIT;
	int rc;

	buf_reset(out);
	if (unframe(n, body, len, &sig, &data) == -1)
		rc = cause_set(cause, "%s: the host's encrypted reply is "
		    "malformed", mech_name(n));
	else if (n->mech == NEGOTIATE_NTLM)
		rc = open_ntlm(n, &sig, &data, out, cause);
	else
		rc = open_krb5(n, &sig, &data, out, cause);
	buf_release(&sig);
	buf_release(&data);
	return rc;
}
