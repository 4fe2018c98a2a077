/*
 * filerefs.c: the files a desired state names (ca_file, cert_file,
 * key_file, password_file, inventory): relative names resolved against
 * the directory of the YAML file that writes them, and checked by
 * validate.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filerefs.h"
#include "model.h"
#include "secret.h"

/* The keys that name a file; secret ones must be owner-only. */
static const struct {
	const char	*key;
	int		 secret;
} filerefs_keys[] = {
	{ "ca_file", 0 },
	{ "cert_file", 0 },
	{ "key_file", 1 },
	{ "password_file", 1 },
};

static int
filerefs_is_key(const char *key, int *secret)
{
	size_t i;

	for (i = 0; i < nitems(filerefs_keys); i++)
		if (strcmp(key, filerefs_keys[i].key) == 0) {
			*secret = filerefs_keys[i].secret;
			return 1;
		}
	return 0;
}

void
filerefs_resolve_node(struct node *v)
{
	const char *slash;
	char *abs;

	if (v == NULL || v->kind != NODE_SCALAR || v->value[0] == '/' ||
	    v->value[0] == '\0' || v->file == NULL ||
	    (slash = strrchr(v->file, '/')) == NULL)
		return;
	abs = xasprintf("%.*s/%s", (int)(slash - v->file), v->file, v->value);
	free(v->value);
	v->value = abs;
}

static void
filerefs_resolve_map(struct node *map)
{
	size_t i;
	int secret;

	if (map == NULL || map->kind != NODE_MAP)
		return;
	for (i = 0; i < map->npairs; i++)
		if (filerefs_is_key(map->pairs[i].key->value, &secret))
			filerefs_resolve_node(map->pairs[i].value);
}

void
filerefs_resolve(struct node *doc)
{
	struct node *hosts, *inv;
	size_t i;

	filerefs_resolve_map(node_get(doc, "connection"));
	inv = node_get(doc, "inventory");
	filerefs_resolve_node(inv);
	for (i = 0; inv != NULL && inv->kind == NODE_SEQ && i < inv->nitems;
	    i++)
		filerefs_resolve_node(inv->items[i]);
	filerefs_resolve_node(node_get(node_get(doc, "settings"),
	    "metrics_file"));
	if ((hosts = node_get(doc, "hosts")) == NULL || hosts->kind != NODE_MAP)
		return;
	for (i = 0; i < hosts->npairs; i++)
		filerefs_resolve_map(hosts->pairs[i].value);
}

/* Readable by us, and owner-only when secret; else *cause. */
static int
filerefs_check_file(const char *path, int secret, char **cause)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return cause_set(cause, "%s", strerror(errno));
	if (fstat(fd, &st) == -1) {
		cause_set(cause, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (!S_ISREG(st.st_mode))
		return cause_set(cause, "not a regular file");
	if (secret && (st.st_mode & 077) != 0)
		return cause_set(cause, "accessible by group or others (mode "
		    "%04o); run chmod 600 on it",
		    (unsigned)(st.st_mode & 07777));
	return 0;
}

/* One message per place written, however many hosts inherit it. */
static void
filerefs_add(struct errors *errs, const struct node *at, const char *what,
    const char *path, const char *cause)
{
	char *msg;
	size_t i;

	msg = xasprintf("%s:%u:%u: %s '%s': %s", at->file != NULL ? at->file :
	    "<input>", at->line, at->col, what, path, cause);
	for (i = 0; i < errs->n; i++)
		if (strcmp(errs->msg[i], msg) == 0) {
			free(msg);
			return;
		}
	errors_add_owned(errs, msg);
}

/* A credential is checked only where systemd provides the directory. */
static void
filerefs_check_credential(const struct node *v, struct errors *errs)
{
	char *path, *cause = NULL;

	if (getenv("CREDENTIALS_DIRECTORY") == NULL)
		return;
	if ((path = secret_credential_path(v->value, &cause)) != NULL &&
	    filerefs_check_file(path, 1, &cause) == 0) {
		free(path);
		return;
	}
	filerefs_add(errs, v, "password_credential", path != NULL ? path :
	    v->value, cause);
	free(path);
	free(cause);
}

/* The files one connection tree names. */
static void
filerefs_check_tree(const struct node *t, struct errors *errs)
{
	const struct node_pair *p;
	char *cause = NULL;
	size_t j;
	int secret;

	for (j = 0; t != NULL && j < t->npairs; j++) {
		p = &t->pairs[j];
		if (p->value->kind != NODE_SCALAR)
			continue;
		if (strcmp(p->key->value, "password_credential") == 0)
			filerefs_check_credential(p->value, errs);
		if (!filerefs_is_key(p->key->value, &secret) ||
		    filerefs_check_file(p->value->value, secret, &cause) == 0)
			continue;
		filerefs_add(errs, p->value, p->key->value, p->value->value,
		    cause);
		free(cause);
		cause = NULL;
	}
}

/* Hosts with connection keys of their own have their own tree; the others
 * share the model's one (loader.c). */
void
filerefs_check(const struct model *m, struct errors *errs)
{
	size_t i;

	for (i = 0; i < m->nhosts; i++)
		filerefs_check_tree(m->hosts[i].conn_tree, errs);
	filerefs_check_tree(m->conn_shared, errs);
}
