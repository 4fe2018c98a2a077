/*
 * encrypt.c: WinRM's message encryption on the HTTP listener [MS-WSMV
 * 2.2.9.1]: a body of type multipart/encrypted whose
 * application/octet-stream part is the signature's length (4 bytes,
 * little-endian), the signature (NTLM's 16 bytes, or Kerberos' wrap
 * header) and the sealed SOAP message, framed as pywinrm's encryption.py
 * and pypsrp's encryption.py frame it:
 *
 *	--Encrypted Boundary\r\n
 *	\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n
 *	\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=N\r\n
 *	--Encrypted Boundary\r\n
 *	\tContent-Type: application/octet-stream\r\n
 *	LEN SIGNATURE SEALED--Encrypted Boundary--\r\n
 *
 * N is the length of the sealed data (the message and any padding).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

#define BOUNDARY	"--Encrypted Boundary\r\n"
#define ORIGINAL	"\tOriginalContent: type=application/soap+xml;" \
			"charset=UTF-8;Length="
#define PART2		"\tContent-Type: application/octet-stream\r\n"
#define SIG_MAX		1024

int
encrypt_is_sealed(const char *content_type)
{
	return content_type != NULL &&
	    strncasecmp(content_type, "multipart/encrypted", 19) == 0;
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

/* "\tContent-Type: <protocol>\r\n" + OriginalContent: the length. */
static const char *
part1(const struct sealer *s, const char *p, const char *end,
    unsigned long *len)
{
	char *num;

	if ((p = expect(p, end, "\tContent-Type: ")) == NULL ||
	    (p = expect(p, end, s->protocol)) == NULL ||
	    (p = expect(p, end, "\r\n")) == NULL ||
	    (p = expect(p, end, ORIGINAL)) == NULL)
		return NULL;
	*len = strtoul(p, &num, 10);
	if (num == p)
		return NULL;
	return expect(num, end, "\r\n");
}

int
encrypt_open(const struct sealer *s, const char *body, size_t len,
    struct buf *out)
{
	const char *p = body, *end = body + len;
	const unsigned char *u;
	unsigned long data;
	uint32_t sig;

	if ((p = expect(p, end, BOUNDARY)) == NULL ||
	    (p = part1(s, p, end, &data)) == NULL ||
	    (p = expect(p, end, BOUNDARY)) == NULL ||
	    (p = expect(p, end, PART2)) == NULL || end - p < 4)
		return -1;
	u = (const unsigned char *)p;
	sig = (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 |
	    (uint32_t)u[3] << 24;
	p += 4;
	if (sig > SIG_MAX || (size_t)(end - p) < sig + data ||
	    (expect(p + sig + data, end, "--Encrypted Boundary--\r\n") ==
	    NULL && expect(p + sig + data, end, BOUNDARY) == NULL))
		return -1;
	return s->open(s->arg, (const unsigned char *)p, sig,
	    (const unsigned char *)p + sig, data, out);
}

int
encrypt_seal(const struct sealer *s, const char *plain, size_t len,
    struct buf *out, char **type)
{
	struct buf sig = BUF_INIT, data = BUF_INIT;
	unsigned char n[4];

	if (s->seal(s->arg, plain, len, &sig, &data) != 0) {
		buf_release(&sig);
		buf_release(&data);
		return -1;
	}
	n[0] = sig.len & 0xff;
	n[1] = sig.len >> 8 & 0xff;
	n[2] = sig.len >> 16 & 0xff;
	n[3] = sig.len >> 24 & 0xff;
	buf_printf(out, BOUNDARY "\tContent-Type: %s\r\n" ORIGINAL "%zu\r\n"
	    BOUNDARY PART2, s->protocol, data.len);
	buf_add(out, n, 4);
	buf_add(out, sig.ptr, sig.len);
	buf_add(out, data.ptr, data.len);
	buf_puts(out, "--Encrypted Boundary--\r\n");
	*type = xasprintf("multipart/encrypted;protocol=\"%s\";"
	    "boundary=\"Encrypted Boundary\"", s->protocol);
	buf_release(&sig);
	buf_release(&data);
	return 0;
}
