/*
 * negotiate.h: the client side of HTTP "Negotiate" authentication as
 * WinRM runs it, through GSSAPI (MIT krb5's libgssapi_krb5): Kerberos
 * (the krb5 mechanism) or NTLMv2 (Debian's gss-ntlmssp mechanism, OID
 * 1.3.6.1.4.1.311.2.2.10).  Tokens are the mechanism's own, not wrapped
 * in SPNEGO, as pywinrm's requests-kerberos and requests-ntlm send them;
 * both carry TLS channel bindings (RFC 5929 tls-server-end-point).
 *
 * Errors follow the usual rule: 0 or -1 and one line in *cause (owned by
 * the caller) that says what to do; passwords never appear in it.
 */
#ifndef ENFORCER_NEGOTIATE_H
#define ENFORCER_NEGOTIATE_H

#include <stddef.h>

#include <openssl/types.h>

#include "util.h"

enum negotiate_mech {
	NEGOTIATE_KERBEROS,
	NEGOTIATE_NTLM,
};

struct negotiate;

/*
 * A client for one host name (target HTTP@host).  user and password are
 * borrowed and must outlive the client.  NTLM needs both; Kerberos uses
 * them when given (password: a fresh ticket from the KDC), else the
 * ticket cache or the client keytab (KRB5_CLIENT_KTNAME).  Nothing is
 * acquired yet.  timeout_ms (0: none) bounds each Kerberos call, which
 * may wait for a KDC: past it the step fails with "no answer from the
 * KDC within ..." and the call is left to finish on its own thread.
 * *out is owned by the caller: negotiate_free().
 */
void negotiate_new(struct negotiate **out, enum negotiate_mech,
    const char *host, const char *user, const char *password,
    long timeout_ms);
/*
 * A client with a context of its own that shares n's target and
 * credentials (acquired once, for both): one per connection, so that
 * Kerberos handshakes on several connections do not restart each other.
 * Either may be freed first.  *out is owned by the caller.
 */
void negotiate_clone(struct negotiate *n, struct negotiate **out);
void negotiate_free(struct negotiate *);

/*
 * Get the credentials now (they are kept for the client's life), so that
 * a missing ticket or keytab is reported before anything is sent.
 */
int negotiate_ready(struct negotiate *, char **cause);

/*
 * The tls-server-end-point channel binding data of a certificate:
 * "tls-server-end-point:" and the certificate's hash (SHA-256 unless its
 * signature uses a stronger one).  *out is owned by the caller (free()).
 * The certificate as the TLS library holds it, not as DER: decoding a
 * certificate again (its key included) for every request was a fifth of
 * a fleet run's CPU.
 */
int negotiate_cbt(const X509 *cert, unsigned char **out,
    size_t *outlen);

/*
 * One step of the exchange.  in: the server's token as base64 (NULL for
 * the first); cb: the connection's binding data (may be NULL).  On
 * success *out is the next token as base64 (owned by the caller; NULL
 * when there is none to send) and *done is 1 once the context is
 * established.  negotiate_restart() drops the context for a new exchange.
 */
int negotiate_step(struct negotiate *, const char *in,
    const unsigned char *cb, size_t cblen, char **out, int *done,
    char **cause);
void negotiate_restart(struct negotiate *);

/*
 * WinRM's message encryption over HTTP [MS-WSMV 2.2.9.1], once the
 * context is established: negotiate_seal() appends to out the
 * multipart/encrypted body carrying msg; negotiate_open() turns such a
 * body back into the message (out reset first).  Each call advances the
 * context's sequence numbers: messages must go and come in order.
 * negotiate_protocol() is the body's protocol, for its Content-Type:
 * multipart/encrypted;protocol="...";boundary="Encrypted Boundary".
 */
const char *negotiate_protocol(const struct negotiate *);
int negotiate_seal(struct negotiate *, const char *msg, size_t len,
    struct buf *out, char **cause);
int negotiate_open(struct negotiate *, const char *body, size_t len,
    struct buf *out, char **cause);

#endif
