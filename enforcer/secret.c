/*
 * secret.c: passwords from the environment, an owner-only file or a
 * systemd credential.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secret.h"
#include "util.h"

#define SECRET_MAX 4096

static int
secret_from_file(char **out, const char *file, char **cause)
{
	struct stat st;
	char buf[SECRET_MAX + 1];
	ssize_t n;
	int fd, rc = -1;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return cause_set(cause, "password file '%s': %s", file,
		    strerror(errno));
	if (fstat(fd, &st) == -1) {
		cause_set(cause, "password file '%s': %s", file,
		    strerror(errno));
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		cause_set(cause, "password file '%s' is accessible by group or "
		    "others (mode %04o); run chmod 600 on it", file,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if ((n = read(fd, buf, sizeof(buf))) == -1) {
		cause_set(cause, "password file '%s': %s", file,
		    strerror(errno));
		goto out;
	}
	if (n > SECRET_MAX) {
		cause_set(cause, "password file '%s' is too long", file);
		goto out;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n == 0) {
		cause_set(cause, "password file '%s' is empty", file);
		goto out;
	}
	*out = xstrndup(buf, (size_t)n);
	rc = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

char *
secret_credential_path(const char *cred, char **cause)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");

	if (dir == NULL || *dir != '/') {
		cause_set(cause, "credential '%s' (password_credential): "
		    "$CREDENTIALS_DIRECTORY is not set: run under systemd "
		    "with LoadCredential=%s:FILE", cred, cred);
		return NULL;
	}
	return xasprintf("%s/%s", dir, cred);
}

static int
secret_from_credential(char **out, const char *cred, char **cause)
{
	char *path;
	int rc;

	if ((path = secret_credential_path(cred, cause)) == NULL)
		return -1;
	rc = secret_from_file(out, path, cause);
	free(path);
	return rc;
}

int
secret_read(char **out, const char *env, const char *file, const char *cred,
    char **cause)
{
	const char *v;

	*out = NULL;
	if (env != NULL) {
		if ((v = getenv(env)) == NULL || *v == '\0')
			return cause_set(cause, "environment variable '%s' "
			    "(password_env) is not set", env);
		*out = xstrdup(v);
		return 0;
	}
	if (file != NULL)
		return secret_from_file(out, file, cause);
	if (cred != NULL)
		return secret_from_credential(out, cred, cause);
	return cause_set(cause, "no password_env, password_file or "
	    "password_credential is configured");
}

void
secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}
