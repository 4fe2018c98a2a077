/*
 * tlsprobe.h: look at the certificate a TLS server presents, without
 * failing on it: a live handshake (SNI = the host's name) whose
 * verification is done afterwards and reported, not enforced.  Used to
 * check WinRM HTTPS listeners; the transport uses tlsprobe_cert_names()
 * to say what a mismatching certificate is for.
 */
#ifndef ENFORCER_TLSPROBE_H
#define ENFORCER_TLSPROBE_H

#include <time.h>

#include <openssl/x509.h>

#include "util.h"

struct tlsprobe_result {
	char	  thumbprint[41];	/* SHA-1, 40 upper-case hex, as
					   Windows shows it */
	char	 *subject;		/* "CN=node1.contoso.test, O=..." */
	char	 *issuer;
	time_t	  not_before;
	time_t	  not_after;
	char	**dns_names;		/* subjectAltName DNS entries */
	size_t	  ndns_names;
	int	  name_matches;		/* the name fits the certificate */
	int	  server_auth;		/* EKU has serverAuth, or no EKU
					   (any usage, as Windows reads it) */
	int	  eku_server_auth;	/* an EKU extension naming
					   serverAuth (1.3.6.1.5.5.7.3.1) */
	int	  chain_ok;		/* verifies against ca_file, now */
	char	 *verify_error;		/* why not, when !chain_ok */
	char	 *protocol;		/* "TLSv1.3"; NULL from tlsprobe_cert() */
};

/*
 * Connect to address (or name when address is NULL) on port, handshake
 * with SNI name, and describe the leaf certificate.  ca_file NULL means the
 * system's trust store.  The whole probe takes at most timeout_ms.
 * Returns -1 with *cause when no certificate could be obtained (refused,
 * timed out, no TLS) or ca_file cannot be read.  Release *out with
 * tlsprobe_result_release() after success.
 */
int tlsprobe_run(struct tlsprobe_result *out, const char *name,
    const char *address, int port, const char *ca_file, long timeout_ms,
    char **cause);
void tlsprobe_result_release(struct tlsprobe_result *);

/*
 * Describe certificate x as tlsprobe_run() describes the one a server
 * presents, for name: chain is the untrusted certificates that may link it
 * to ca_file's anchors (NULL: none).  With TLSPROBE_ANY_TIME the chain is
 * judged whatever the validity dates (not_before and not_after say those),
 * so that trust and expiry are told apart.  Returns -1 with *cause when
 * ca_file cannot be read; release *out after success.
 */
#define TLSPROBE_ANY_TIME	0x1
int tlsprobe_cert(struct tlsprobe_result *out, X509 *x, STACK_OF(X509) *chain,
    const char *name, const char *ca_file, int flags, char **cause);

/*
 * Describe the leaf of a chain a server presented (DER certificates, leaf
 * first, concatenated; the others may link it to ca_file), as
 * tlsprobe_run() would.  -1 with *cause when the chain cannot be parsed
 * or ca_file read; release *out after success.
 */
int tlsprobe_chain(struct tlsprobe_result *out, const unsigned char *der,
    size_t len, const char *name, const char *ca_file, char **cause);

/* OpenSSL's error queue, drained: its first error as one line, or none
 * when it was empty.  free(). */
char *tlsprobe_ssl_errors(const char *none);

/* The DNS names of a certificate ("a, b"), or its CN if it has none. */
void tlsprobe_cert_names(X509 *, struct buf *out);

#endif
