/*
 * confdir.c: where the desired state is when no PATH is given: the
 * configuration directory (/etc/enforcer, or $ENFORCER_CONFDIR), its
 * desired/ directory when there is one, else its enforcer.conf.
 */
#include <sys/stat.h>

#include <stdlib.h>

#include "confdir.h"
#include "util.h"

const char *
confdir_dir(void)
{
	const char *env = getenv("ENFORCER_CONFDIR");

	return env != NULL && *env != '\0' ? env : CONFDIR_DEFAULT;
}

const char *
confdir_desired(void)
{
	static char *path;
	struct stat st;

	if (path != NULL)
		return path;
	path = xasprintf("%s/desired", confdir_dir());
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return path;
	free(path);
	path = xasprintf("%s/enforcer.conf", confdir_dir());
	return path;
}
