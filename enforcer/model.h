/*
 * model.h: the desired state.  The loader turns YAML files into a model
 * (hosts with their resolved connections, policies, windows, settings);
 * the effective-state functions answer "what must this host look like at
 * this instant, and who says so".  The format is described in
 * docs/format.md; its structure is schemas/enforcer.schema.json.
 *
 * Ownership: a model owns everything reachable from it, including the
 * parsed files that every "const struct node *" below points into, and the
 * struct origin that effective trees point at.  model_free() frees it all;
 * an effective tree must not outlive its model.
 */
#ifndef ENFORCER_MODEL_H
#define ENFORCER_MODEL_H

#include <stddef.h>
#include <time.h>

#include "inventory.h"
#include "node.h"
#include "timeparse.h"
#include "wsman.h"

struct schema;

/* One desired-state file held in memory (e.g. read from a git commit). */
struct model_file {
	const char	*name;		/* used in messages: "file:line:col" */
	const char	*text;
	size_t		 len;
};

/*
 * How to reach one host: the "connection" defaults overlaid by the host's
 * own keys, with the schema's defaults filled in.  Strings are borrowed
 * from the model; NULL when not set.  The scheme is https, or http with
 * NTLM's or Kerberos' message encryption.
 */
struct model_conn {
	const char	*address;	/* where to connect: "address", else the
					   host name; TLS is verified against the
					   host name either way */
	int		 port;		/* 5986 */
	int		 http;		/* transport http: messages sealed */
	int		 repair_http_port; /* 5985: the HTTP listener, where an
					   HTTPS listener failing TLS is
					   repaired (ntlm, kerberos) */
	enum wsman_auth	 auth;		/* negotiate */
	const char	*username;
	const char	*password_env;	/* name of an environment variable */
	const char	*password_file;	/* a file that must be mode 0600 */
	const char	*password_credential; /* a systemd credential's name */
	const char	*cert_file;	/* certificate auth */
	const char	*key_file;
	const char	*ca_file;	/* NULL: the system's CA bundle */
	int		 tls_verify;	/* 1 */
	long long	 timeout;	/* seconds, 30 */
};

struct model_window;

/*
 * Provenance of a value in an effective tree (node->origin): the policy or
 * window that asked for it.  Owned by the model.
 */
enum origin_kind {
	ORIGIN_POLICY,
	ORIGIN_WINDOW,
};

struct origin {
	enum origin_kind		 kind;
	const char			*name;	 /* policy target or window name */
	const char			*target; /* the target the rule names */
	const struct model_window	*window; /* ORIGIN_WINDOW, else NULL */
	const struct node		*node;	 /* the target key, where the
						    rule is written */
};

/*
 * A rule: "TARGET: BODY", either a policy or one target of a window's
 * "apply".  norm is BODY with shorthands expanded (credssp.server: enabled
 * -> {enabled: true}, service.X: running -> {state: running}), scalars in
 * canonical form, and every leaf's origin set to &origin.
 */
struct model_rule {
	const char		*target;	/* a host, a group or "all" */
	const struct node	*body;		/* as written */
	struct node		*norm;		/* owned */
	struct origin		 origin;
};

struct model_host {
	const char		 *name;
	const char		**groups;	/* borrowed strings */
	size_t			  ngroups;
	struct model_conn	  conn;
	const struct node	 *node;		/* the name key */
	const struct node	 *body;		/* its value as written (a
						   mapping, or null) */
	struct node		 *conn_tree;	/* owned; conn points into it */
};

struct model_window {
	const char		*name;
	time_t			 start;
	time_t			 end;		/* given, or start + duration */
	const char		*reason;
	const struct node	*apply;		/* TARGET: BODY as written */
	struct model_rule	*rules;		/* one per target of apply */
	size_t			 nrules;
	const struct node	*node;		/* the name key */
	const struct node	*body;		/* its value as written */
	const struct node	*end_node;	/* "end" or "duration" value */
};

struct model_settings {
	long long	max_window;		/* seconds, 8h */
	long long	failsafe_grace;		/* seconds, 15m */
	long long	history_heartbeat;	/* seconds, 24h */
	long long	failsafe_lease;		/* seconds, 30m */
	const char	*metrics_file;		/* or NULL */
};

struct model {
	struct model_host	*hosts;		/* in definition order */
	size_t			 nhosts;
	struct model_rule	*policies;	/* in file, then document order */
	size_t			 npolicies;
	struct model_window	*windows;	/* by start, then name: the
						   order in which they overlay */
	size_t			 nwindows;
	const char		**groups;	/* every group a host names,
						   sorted, borrowed strings */
	size_t			 ngroups;
	struct model_settings	 settings;
	struct errors		 warnings;	/* "file:line:col: warning:
						   ..."; the load succeeded */
	struct inventory_groups	 inventory_groups; /* every group the
						   inventories define, hosts
						   or not */

	/* private */
	const struct model_host	**byname;	/* hosts sorted by name */
	struct node		**docs;		/* the parsed files */
	size_t			  ndocs;
	struct node		 *settings_tree;
	struct node		 *conn_shared;	/* the connection of hosts with
						   no key of their own */
	struct schema		 *schema;
};

/* loader.c */

/*
 * Load desired state from a file, or from every "*.yaml" file under a
 * directory (recursively, sorted by path; names starting with "." are
 * skipped).  On failure returns -1 with every problem found added to errs
 * as "file:line:col: message" and *out NULL; on success *out must be
 * passed to model_free().
 */
int model_load(struct model **out, const char *path, struct errors *errs);

/* The same from files already in memory, merged in the order given. */
int model_load_files(struct model **out, const struct model_file *files,
    size_t nfiles, struct errors *errs);

/*
 * Where the other files a desired state names (its Ansible inventories)
 * are read from: the same source as its YAML.  read gets the scalar that
 * names one (its ->value as written, its ->file the YAML's name) and fills
 * *name (for messages, free()) and text (appended); 0, or -1 with
 * "file:line:col: message" in errs.
 */
struct model_reader {
	int	(*read)(void *arg, const struct node *ref, char **name,
		    struct buf *text, struct errors *errs);
	void	*arg;
};

/*
 * model_load_files() with the named files read through reader (NULL:
 * from the filesystem, names as written).
 */
int model_load_source(struct model **out, const struct model_file *files,
    size_t nfiles, const struct model_reader *reader, struct errors *errs);

void model_free(struct model *);

/* A password is configured: password_env, _file or _credential. */
int model_conn_has_password(const struct model_conn *);

/* Host by name (binary search); borrowed; NULL if none. */
const struct model_host *model_host_find(const struct model *,
    const char *name);

/* effective.c */

/*
 * The effective desired state of host h at instant at: every policy that
 * targets it ("all", its groups, its name), then every window active at
 * that instant (start <= at < end) in the model's window order, each one
 * overlaid per leaf (maps merge deeply; scalars and sequences replace).
 * Shorthands are expanded and the schema's defaults filled in.  Every leaf
 * and sequence carries node->origin (a const struct origin *).  Grants
 * end: a member that a window ended by at listed, and that nothing in
 * effect at at lists, is put in local_group.GROUP.absent (no origin), to
 * be removed (docs/windows.md).  *out is owned by the caller (node_free);
 * it must not outlive m.
 */
int model_effective(struct node **out, const struct model *m,
    const struct model_host *h, time_t at, char **cause);

/* The same with no window: what the host returns to when none is open. */
int model_effective_base(struct node **out, const struct model *m,
    const struct model_host *h, char **cause);

/* The rule applies to host h. */
int model_rule_targets(const struct model_rule *, const struct model_host *h);

/* Some rule of the window applies to host h (whatever the time). */
int model_window_targets(const struct model_window *,
    const struct model_host *h);

/* Some rule of the window that applies to host h sets kind. */
int model_window_sets(const struct model_window *,
    const struct model_host *h, const char *kind);

/* start <= at < end */
int model_window_active(const struct model_window *, time_t at);

/*
 * fnmatch(3) of glob against the host's name or one of its groups; glob
 * may be a comma-separated list of globs.
 */
int model_host_match(const struct model_host *, const char *glob);

/*
 * For globs (NULL: every host) that match no host: "no host matches 'x'",
 * with "(did you mean 'y'?)" when one of its plain names is close to a
 * host or group name.  free().
 */
char *model_hosts_nomatch(const struct model *, const char *globs);

/*
 * For the loader: add an error for every leaf that two policies, or two
 * targets of one window, set to different values for the same host.
 */
void effective_check_conflicts(const struct model *, struct errors *errs);

/*
 * For the loader: build r->norm from r->body (shorthands expanded, scalars
 * canonical, origins set to &r->origin).  r must not move afterwards.
 */
void effective_prepare(struct model_rule *r);

#endif
