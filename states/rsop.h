/*
 * rsop.h: which registry policy values Group Policy delivers to a host,
 * from its Resultant Set of Policy (docs/windows-behaviour.md#group-policy).
 *
 * A registry policy a GPO delivers lives where a local write would put
 * it, so the value alone cannot say who owns it.  RSoP can: Windows logs
 * every registry policy setting it applied as an instance of
 * RSOP_RegistryPolicySetting in root\rsop\computer, with the GPO's id;
 * precedence 1 is the setting in effect.  One WQL Enumerate reads them
 * all, plus the policy that turns RSoP logging off (then RSoP holds
 * nothing to trust); a module asks only when a change is due.
 *
 * When RSoP cannot answer (namespace missing, access denied, logging
 * off), struct rsop says why in ->unavailable and owns nothing: callers
 * fall back to what else they know (WinRM's Source="GPO").
 */
#ifndef ENFORCER_RSOP_H
#define ENFORCER_RSOP_H

#include "node.h"
#include "wsman.h"

#define RSOP_NREADS	2	/* the Enumerate and the RSoPLogging value */

struct rsop {
	struct node	*owned;		/* map "KEY\\VALUE" (lower case) ->
					   GPO id; "KEY\\" for a whole key */
	char		*unavailable;	/* why RSoP cannot tell, or NULL */
};

/*
 * Prepare r[0..RSOP_NREADS) to be sent with wsman_read_many();
 * rsop_read_release() frees them and their results.
 */
void rsop_read_prepare(struct wsman_read *r);
void rsop_read_release(struct wsman_read *r);

/*
 * Interpret the finished reads into *out (rsop_release()).  A host that
 * answers but cannot give RSoP is not a failure: out->unavailable says
 * why.  -1 only when the host could not be read at all.
 */
int rsop_result(struct wsman *, const struct wsman_read *r, struct rsop *out,
    char **cause);

/*
 * The GPO that delivers value name under key (HKLM, without the hive), or
 * with name NULL any value of key or of its subkeys; NULL if none.
 * Borrowed from rs.
 */
const char *rsop_owner(const struct rsop *rs, const char *key,
    const char *name);

void rsop_release(struct rsop *);

#endif
