/*
 * fuzz_certstore.c: certstore_parse() (enforcer/certstore.c) on arbitrary
 * text, as the PowerShell listing of LocalMachine\My prints it ("K
 * BASE64" lines of DER certificates), each judged against a test CA
 * (tests/fuzz/certstore-ca.pem, made with openssl for this target only).
 * Seeds: tests/fuzz/corpus/certstore (that CA, a leaf it signed for
 * node1.contoso.test, a self-signed certificate).
 */
#include <stdlib.h>

#include "certstore.h"
#include "fuzz.h"

static char *fuzz_ca;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct node *store = NULL;
	char *s = fuzz_cstr(data, size), *cause = NULL;
	const char *top;

	if (fuzz_ca == NULL) {
		top = getenv("TOP");
		fuzz_ca = xasprintf("%s/tests/fuzz/certstore-ca.pem",
		    top != NULL ? top : ".");
	}
	if (certstore_parse(s, "node1.contoso.test", fuzz_ca, &store,
	    &cause) == 0)
		node_free(store);
	free(cause);
	free(s);
	return 0;
}
