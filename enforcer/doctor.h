/*
 * doctor.h: enforcer doctor, the diagnosis of WinRM's CredSSP delegation
 * error ("A computer policy does not allow the delegation of the user
 * credentials to the target computer because the computer is not trusted")
 * for a WAC gateway and the nodes it reaches.  Each link the error depends
 * on is read from both hosts (doctor_read.c, through the state kinds'
 * readers and the certificate stores) and judged without I/O
 * (doctor.c), each finding carrying its fix.  The Windows behaviour each
 * judgement rests on: docs/windows-behaviour.md, "CredSSP delegation".
 */
#ifndef ENFORCER_DOCTOR_H
#define ENFORCER_DOCTOR_H

#include <time.h>

#include "model.h"
#include "node.h"

/* What was read from one host.  doctor_facts_release() frees it. */
struct doctor_facts {
	const struct model_host	*host;		/* borrowed */
	struct node	*credssp;	/* the credssp kind's observed tree */
	struct node	*trusted_hosts;	/* the trusted_hosts kind's */
	struct node	*listener;	/* the wsman_listener kind's */
	struct node	*policy;	/* CredentialsDelegation DWORDs by
					   name, as text; absent when unset */
	struct node	*trust;		/* the domain_trust kind's */
	char		*build;		/* CurrentBuildNumber, or NULL */
	long		 ubr;		/* UBR, -1 when unknown */
	char		*store_my;	/* certstore_command_store() outputs */
	char		*store_root;
	char		*store_ca;
	char		*error;		/* why the host could not be read */
};

/* Read everything doctor judges from h, into f (zeroed first).  Any
 * failure lands in f->error (with host and operation); the rest of f
 * holds what was read before it. */
void doctor_read(struct doctor_facts *f, const struct model_host *h,
    time_t now);
void doctor_facts_release(struct doctor_facts *);

enum doctor_status {
	DOCTOR_OK,		/* the link holds */
	DOCTOR_INFO,		/* not a link of this path; said for context */
	DOCTOR_WARN,		/* does not break this path, may break others */
	DOCTOR_BROKEN,		/* the delegation fails here */
};

struct doctor_finding {
	enum doctor_status	 status;
	const char		*link;	/* "client_role", ... (static) */
	const char		*host;	/* the host it is about (borrowed) */
	char			*what;	/* one line */
	char			*fix;	/* a desired-state snippet, a command,
					   or NULL */
	int			 gpo;	/* owned by Group Policy: the fix is
					   the GPO's */
};

/* One gateway -> node path: how it authenticates, and its findings. */
struct doctor_path {
	const char		*name;		/* as WAC uses it (borrowed) */
	const struct doctor_facts *gateway;	/* borrowed */
	const struct doctor_facts *node;
	const char		*auth;		/* "kerberos" or "ntlm" */
	const char		*why_auth;	/* one phrase, static */
	struct doctor_finding	*v;
	size_t			 n;
};

/* The options a fix names: the desired state's path for commands. */
struct doctor_opts {
	const char	*path;		/* desired state, as given */
	time_t		 now;
};

/*
 * Judge every link of gateway -> node reached by name (pure).  p is
 * released with doctor_path_release().
 */
void doctor_check(struct doctor_path *p, const struct doctor_facts *gateway,
    const struct doctor_facts *node, const char *name,
    const struct doctor_opts *);
void doctor_path_release(struct doctor_path *);

/* The worst status of p's findings. */
enum doctor_status doctor_worst(const struct doctor_path *);
const char *doctor_status_name(enum doctor_status);

/*
 * Whether a delegation entry (wsman/STAR.contoso.test, STAR a "*") covers the SPN
 * "wsman/NAME": the service class alike (case aside), the host part equal
 * (case aside), "*", or "*" followed by a suffix NAME ends with.  One
 * wildcard, at the start of the host part, as the policy's help allows.
 */
int doctor_spn_match(const char *entry, const char *name);

/*
 * Whether a TrustedHosts entry covers name: equal (case aside), "*", or
 * "*" followed by a suffix of name.
 */
int doctor_trusted_host_match(const char *entry, const char *name);

/* The inventory host WAC means by name: its FQDN, its first label, or
 * its address.  NULL when none or several match (*cause says which). */
const struct model_host *doctor_resolve(const struct model *, const char *name,
    char **cause);

#endif
