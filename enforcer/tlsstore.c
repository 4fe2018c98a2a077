/*
 * tlsstore.c: one parsed X509_STORE per CA file, shared by every
 * connection and check of the run (tlsstore.h says why).  X509_STORE is
 * reference-counted and safe to verify against from several threads once
 * loaded; loading happens here, under the lock, before anyone sees it.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/err.h>

#include "tlsstore.h"
#include "util.h"

struct tlsstore_entry {
	char			*path;		/* NULL: system default paths */
	X509_STORE		*store;
	struct tlsstore_entry	*next;
};

static pthread_mutex_t		 tlsstore_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tlsstore_entry	*tlsstore_list;

static X509_STORE *
tlsstore_load(const char *ca_file, char **cause)
{
	X509_STORE *store;

	if ((store = X509_STORE_new()) == NULL)
		fatal("out of memory");
	if (ca_file != NULL ? X509_STORE_load_file(store, ca_file) != 1 :
	    X509_STORE_set_default_paths(store) != 1) {
		ERR_clear_error();
		X509_STORE_free(store);
		cause_set(cause, "cannot read CA file '%s'",
		    ca_file != NULL ? ca_file : "(system)");
		return NULL;
	}
	return store;
}

static int
tlsstore_same(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

X509_STORE *
tlsstore_get(const char *ca_file, char **cause)
{
	struct tlsstore_entry *e;
	X509_STORE *store = NULL;

	pthread_mutex_lock(&tlsstore_lock);
	for (e = tlsstore_list; e != NULL; e = e->next)
		if (tlsstore_same(e->path, ca_file))
			break;
	if (e == NULL && (store = tlsstore_load(ca_file, cause)) != NULL) {
		e = xcalloc(1, sizeof(*e));
		e->path = ca_file != NULL ? xstrdup(ca_file) : NULL;
		e->store = store;
		e->next = tlsstore_list;
		tlsstore_list = e;
	}
	if (e != NULL && X509_STORE_up_ref(e->store) == 1)
		store = e->store;
	else if (e != NULL)
		fatal("out of memory");
	pthread_mutex_unlock(&tlsstore_lock);
	return store;
}
