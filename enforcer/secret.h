/*
 * secret.h: passwords come from the environment or from a file only the
 * owner can read; never from YAML, never into logs or history.
 */
#ifndef ENFORCER_SECRET_H
#define ENFORCER_SECRET_H

#include <stddef.h>

/*
 * Read a secret from environment variable env (when not NULL), else from
 * file, else from systemd credential cred ($CREDENTIALS_DIRECTORY/cred,
 * which LoadCredential= fills).  Files must not be readable or writable by
 * group or others.  The trailing newline of a file is dropped.  *out is
 * owned by the caller and released with secret_free(), which wipes it.
 */
int secret_read(char **out, const char *env, const char *file,
    const char *cred, char **cause);

/*
 * The file systemd credential cred is in, or NULL with *cause when
 * $CREDENTIALS_DIRECTORY is not set.  free().
 */
char *secret_credential_path(const char *cred, char **cause);
void secret_free(char *);

#endif
