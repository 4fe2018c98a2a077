/*
 * filerefs.h: files named in the desired state.  Under systemd a run
 * starts in /, so a relative "ca_file: ca.pem" means the file next to the
 * YAML that says it, never one in the current directory.
 */
#ifndef ENFORCER_FILEREFS_H
#define ENFORCER_FILEREFS_H

struct node;
struct model;
struct errors;

/*
 * In a parsed file's tree: every relative ca_file, cert_file, key_file
 * and password_file of "connection" and of each host, "inventory" and
 * settings.metrics_file, made relative to the directory of the file
 * (node->file) instead.
 */
void filerefs_resolve(struct node *doc);

/* The same for one scalar. */
void filerefs_resolve_node(struct node *v);

/*
 * validate: every file a host's connection names exists and is readable,
 * and secrets (password_file, key_file, a password_credential when
 * $CREDENTIALS_DIRECTORY is set) are owner-only; one "file:line:col:
 * KEY 'path': reason" per place written, added to errs.
 */
void filerefs_check(const struct model *, struct errors *errs);

#endif
