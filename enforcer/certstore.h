/*
 * certstore.h: the certificates of a Windows certificate store, read as
 * the certificates themselves (DER) and judged locally with OpenSSL, so
 * that nothing depends on the host's display language or date format.
 * Used by the wsman_listener kind to choose a listener's certificate.
 */
#ifndef ENFORCER_CERTSTORE_H
#define ENFORCER_CERTSTORE_H

#include <time.h>

#include "node.h"
#include "tlsprobe.h"

/*
 * The cmd.exe command line that lists LocalMachine\My through PowerShell:
 * one line per certificate, "K BASE64", K 1 when HasPrivateKey and BASE64
 * the DER certificate.  free().
 */
char *certstore_command(void);
/* The same for LocalMachine\STORE ("My", "Root", "CA").  free(). */
char *certstore_command_store(const char *store);

/*
 * Parse what that command printed into *store (owned by the caller): a
 * sequence, one map per certificate in the store's order, as
 * certstore_node() describes it for name, judged against ca_file's
 * anchors (the store's other certificates serving as intermediates, the
 * validity dates left to not_before and not_after), plus private_key.
 * Returns -1 with *cause on a line or certificate that does not parse, or
 * when ca_file cannot be read.
 */
int certstore_parse(const char *out, const char *name, const char *ca_file,
    struct node **store, char **cause);

/*
 * A described certificate as a node: thumbprint, subject, not_before,
 * not_after (RFC 3339 UTC), name_matches, server_auth (as Windows reads
 * it: no EKU means any), server_auth_eku (an EKU naming serverAuth),
 * trusted, and verify_error when not trusted.  Owned by the caller.
 */
struct node *certstore_node(const struct tlsprobe_result *);

/*
 * How a host whose LocalMachine\Root and \CA printed root_out and ca_out
 * (certstore_command_store()) sees certificate thumbprint of a peer whose
 * LocalMachine\My printed peer_my, reached by name (a DNS name or an IP
 * address), at instant now.  Release with certstore_trust_release(); -1
 * with *cause when an output does not parse.
 */
struct certstore_trust {
	int	 found;		/* the peer's store holds the certificate */
	int	 trusted;	/* it chains to an anchor of Root */
	int	 name_matches;	/* its SAN (or CN) covers name */
	char	*verify_error;	/* why not trusted, or NULL */
	char	*names;		/* its DNS names ("a, b"), or its CN */
};
int certstore_trusted_by(struct certstore_trust *, const char *peer_my,
    const char *thumbprint, const char *name, const char *root_out,
    const char *ca_out, time_t now, char **cause);
void certstore_trust_release(struct certstore_trust *);

#endif
