/*
 * gitsrc.h: the desired state read from a git commit, without a work tree:
 * `enforcer plan|apply --repo PATH_OR_URL --ref REF [--require-signed
 * KEYRING]`.  Desired state is an attack surface (whoever can commit to it
 * can turn CredSSP on): with a keyring, only a commit signed by one of its
 * keys is read.
 */
#ifndef ENFORCER_GITSRC_H
#define ENFORCER_GITSRC_H

#include <stddef.h>

#include <git2.h>

/* One file of the commit: the same fields as the loader's struct
   model_file, so the engine can hand them to model_load_files(). */
struct gitsrc_file {
	char	*name;		/* "REF:path/in/commit.yaml", for messages */
	char	*text;		/* its bytes, NUL-terminated */
	size_t	 len;		/* without the NUL */
};

/* Everything is owned by the struct: gitsrc_files_release(). */
struct gitsrc_files {
	struct gitsrc_file *files;	/* every *.yaml, sorted by path */
	size_t		    n;
	char		    commit[41];	/* full hex id of the commit read */
	char		   *signer;	/* fingerprint of the key that signed
					   it (with a keyring), else NULL */
	/* Kept open for gitsrc_file_read(). */
	git_repository	   *repo;
	git_tree	   *root;	/* the commit's whole tree */
	char		   *prefix;	/* the names' "REV:" or "REV:DIR/" */
	size_t		    revlen;	/* of "REV:" in prefix */
};

/* gitsrc.c */

/* A URL (scheme://... or user@host:path) rather than a local path. */
int gitsrc_is_url(const char *);

/*
 * Read every *.yaml file (regular blobs; symlinks and submodules are
 * skipped) of commit ref in repo, a local repository (bare or not) or a
 * URL.  A URL is cloned bare into cache_dir/<hash of the URL without its
 * credentials>.git on first use and fetched on every later one (branches mirrored, tags fetched,
 * deleted branches pruned).  ref is anything git rev-parse takes for a
 * commit ("main", "v1.2", a hex id), optionally followed by ":DIR" to read
 * that directory only.  With keyring (a file gpgv reads: `gpg --export
 * KEYID... > keyring.gpg`), the commit must carry an OpenPGP signature
 * made by one of its keys.  Returns 0, or -1 with a cause prefixed by the
 * repository (a URL without its credentials).  out is filled on success and must be released either way.
 */
int gitsrc_read(struct gitsrc_files *out, const char *repo, const char *ref,
    const char *cache_dir, const char *keyring, char **cause);

void gitsrc_files_release(struct gitsrc_files *);

/*
 * Another file of the commit read, named as the files' YAML names it:
 * ref->value relative to the directory of ref->file (a name of this
 * commit, "REV:DIR/x.yaml"), anywhere in the commit ("../inventory/hosts"
 * from DIR).  *name is "REV:path" (free()); its bytes are appended to
 * text.  0, or -1 with "file:line:col: message" in errs (an absolute
 * name, one above the commit's root, no such file).  A struct
 * model_reader's read (arg: the struct gitsrc_files).
 */
struct node;
struct buf;
struct errors;
int gitsrc_file_read(void *files, const struct node *ref, char **name,
    struct buf *text, struct errors *errs);

/*
 * What the names of ref's files start with: "main" -> "main:",
 * "main:dir" -> "main:dir/".  free().
 */
char *gitsrc_name_prefix(const char *ref);

/* gitsig.c */

/*
 * Check that commit id of repo is signed by a key of keyring, with gpgv
 * (run with an empty temporary home, never the user's).  On success
 * *signer is the signing key's fingerprint (free()).  Causes: "commit X is
 * not signed", "commit X: bad signature from key K", "commit X is signed
 * by key K, which is not in keyring 'F'", and so on.
 */
int gitsig_verify(git_repository *repo, const git_oid *id,
    const char *keyring, char **signer, char **cause);

/*
 * Sign data (a commit's content, git_commit_create_buffer()) with key (an
 * id gpg's --local-user takes) from the operator's own GnuPG home; *sig is
 * the armored detached signature for git_commit_create_with_signature()
 * (free()).  Fails with "gpg could not sign with key 'K' (exit N)".
 */
int gitsig_sign(const char *key, const char *data, size_t len, char **sig,
    char **cause);

/*
 * Write (reference nothing) a commit of tree on parent (NULL: a root
 * commit) by sig, with message, signed with key unless NULL; with a
 * keyring, the new commit must pass gitsig_verify() or this fails (the
 * object then stays unreferenced).  Causes start with where.
 */
int gitsig_commit(git_oid *out, git_repository *repo, const git_signature *sig,
    const char *message, const git_tree *tree, const git_commit *parent,
    const char *key, const char *keyring, const char *where, char **cause);

#endif
