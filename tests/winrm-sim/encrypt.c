/*
 * encrypt.c: WinRM's message encryption on the HTTP listener [MS-WSMV
 * 2.2.9.1], for NTLM: a body of type multipart/encrypted whose
 * application/octet-stream part is the signature's length (4 bytes,
 * little-endian), the 16-byte NTLM signature and the sealed SOAP message,
 * framed as pywinrm's encryption.py frames it:
 *
 *	--Encrypted Boundary\r\n
 *	\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n
 *	\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=N\r\n
 *	--Encrypted Boundary\r\n
 *	\tContent-Type: application/octet-stream\r\n
 *	LEN SIGNATURE SEALED--Encrypted Boundary--\r\n
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

#define BOUNDARY	"--Encrypted Boundary\r\n"
#define PROTOCOL	"application/HTTP-SPNEGO-session-encrypted"
#define PART1		"\tContent-Type: " PROTOCOL "\r\n" \
			"\tOriginalContent: type=application/soap+xml;" \
			"charset=UTF-8;Length="
#define PART2		"\tContent-Type: application/octet-stream\r\n"
#define SIGLEN		16

int
encrypt_is_sealed(const char *content_type)
{
	return content_type != NULL &&
	    strncasecmp(content_type, "multipart/encrypted", 19) == 0 &&
	    strstr(content_type, PROTOCOL) != NULL;
}

/* Skip an exact prefix; NULL if it is not there. */
static const char *
expect(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(end - p) < n || memcmp(p, s, n) != 0)
		return NULL;
	return p + n;
}

int
encrypt_open(struct ntlm *n, const char *body, size_t len, struct buf *out)
{
	const char *p = body, *end = body + len;
	const unsigned char *u;
	unsigned long plain;
	char *num_end;
	uint32_t sig;

	if ((p = expect(p, end, BOUNDARY)) == NULL ||
	    (p = expect(p, end, PART1)) == NULL)
		return -1;
	plain = strtoul(p, &num_end, 10);
	if (num_end == p || (p = expect(num_end, end, "\r\n")) == NULL ||
	    (p = expect(p, end, BOUNDARY)) == NULL ||
	    (p = expect(p, end, PART2)) == NULL || end - p < 4)
		return -1;
	u = (const unsigned char *)p;
	sig = (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 |
	    (uint32_t)u[3] << 24;
	p += 4;
	/* NTLM seals with RC4: the sealed text is as long as the plain. */
	if (sig != SIGLEN || (size_t)(end - p) < SIGLEN + plain ||
	    (expect(p + SIGLEN + plain, end, "--Encrypted Boundary--\r\n") ==
	    NULL && expect(p + SIGLEN + plain, end, BOUNDARY) == NULL))
		return -1;
	buf_reset(out);
	buf_add(out, p + SIGLEN, plain);
	if (ntlm_unseal(n, (const unsigned char *)p,
	    (unsigned char *)out->ptr, out->len) != 0) {
		buf_reset(out);
		return -1;
	}
	return 0;
}

int
encrypt_seal(struct ntlm *n, const char *plain, size_t len, struct buf *out)
{
	unsigned char sig[SIGLEN], *sealed;
	int rc = -1;

	sealed = xmalloc(len > 0 ? len : 1);
	memcpy(sealed, plain, len);
	if (ntlm_seal(n, sealed, len, sig) == 0) {
		buf_puts(out, BOUNDARY PART1);
		buf_printf(out, "%zu\r\n", len);
		buf_puts(out, BOUNDARY PART2);
		buf_add(out, "\x10\0\0\0", 4);
		buf_add(out, sig, SIGLEN);
		buf_add(out, sealed, len);
		buf_puts(out, "--Encrypted Boundary--\r\n");
		rc = 0;
	}
	free(sealed);
	return rc;
}
