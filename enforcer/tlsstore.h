/*
 * tlsstore.h: the trust anchors of a run, parsed once.  Every TLS
 * connection and every certificate check of a run verifies against the
 * same CA file; parsing it for each (OpenSSL 3 decodes each certificate's
 * key through a fresh decoder context) was most of the CPU a host cost.
 */
#ifndef ENFORCER_TLSSTORE_H
#define ENFORCER_TLSSTORE_H

#include <openssl/x509_vfy.h>

/*
 * The store for ca_file (NULL: the system's default paths), parsed on
 * first use and kept for the process's life.  Thread-safe.  The caller
 * gets its own reference: X509_STORE_free() it.  NULL with *cause
 * ("cannot read CA file 'PATH'") when the file cannot be read.
 */
X509_STORE *tlsstore_get(const char *ca_file, char **cause);

#endif
