/*
 * ntlm.c: the server side of NTLM [MS-NLMP] as WinRM's Negotiate package
 * runs it over HTTP: a NEGOTIATE_MESSAGE in, a CHALLENGE_MESSAGE out, an
 * AUTHENTICATE_MESSAGE in, checked as NTLMv2 against the account's
 * password, with the channel-binding check CbtHardeningLevel asks for
 * (tls-server-end-point, RFC 5929).  The tokens travel raw in
 * "Negotiate" or "NTLM" headers (what libcurl and requests-ntlm send);
 * SPNEGO-wrapped tokens and Kerberos are not understood.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "sim.h"

#define SIGNATURE	"NTLMSSP"		/* with its NUL: 8 bytes */
#define NEGOTIATE	1
#define CHALLENGE	2
#define AUTHENTICATE	3

#define F_UNICODE	0x00000001u
#define F_REQUEST_TARGET 0x00000004u
#define F_SIGN		0x00000010u
#define F_SEAL		0x00000020u
#define F_NTLM		0x00000200u
#define F_ALWAYS_SIGN	0x00008000u
#define F_TARGET_SERVER	0x00020000u
#define F_ESS		0x00080000u	/* extended session security */
#define F_TARGET_INFO	0x00800000u
#define F_VERSION	0x02000000u
#define F_128		0x20000000u
#define F_KEY_EXCH	0x40000000u
#define F_56		0x80000000u

#define AV_EOL			0
#define AV_NB_COMPUTER		1
#define AV_NB_DOMAIN		2
#define AV_DNS_COMPUTER		3
#define AV_DNS_DOMAIN		4
#define AV_TIMESTAMP		7
#define AV_CHANNEL_BINDINGS	10

/* One direction of NTLM session security [MS-NLMP 3.4]. */
struct ntlm_dir {
	unsigned char	 sign[16];	/* SigningKey */
	EVP_CIPHER_CTX	*seal;		/* RC4 with the SealingKey, running */
	uint32_t	 seq;
};

struct ntlm {
	unsigned char	challenge[8];
	int		challenged;	/* a CHALLENGE_MESSAGE went out */
	int		keyed;		/* the session keys below are set */
	struct ntlm_dir	client;		/* client to server */
	struct ntlm_dir	server;		/* server to client */
};

static OSSL_LIB_CTX	*legacy;	/* where MD4 lives in OpenSSL 3 */
static OSSL_PROVIDER	*providers[2];
static EVP_MD		*md4;
static EVP_CIPHER	*rc4;		/* legacy too, for sealing */

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
put_le32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8 & 0xff;
	p[2] = v >> 16 & 0xff;
	p[3] = v >> 24 & 0xff;
}

static uint16_t
le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void
put16(struct buf *b, unsigned v)
{
	buf_putc(b, (char)(v & 0xff));
	buf_putc(b, (char)(v >> 8 & 0xff));
}

static void
put32(struct buf *b, uint32_t v)
{
	put16(b, v & 0xffff);
	put16(b, v >> 16);
}

/* ASCII/UTF-8 -> UTF-16LE (code points above U+FFFF are not needed). */
static void
utf16(struct buf *b, const char *s, int upper)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;

	while (*p != '\0') {
		if (*p < 0x80)
			cp = *p++;
		else if ((*p & 0xe0) == 0xc0 && p[1] != '\0') {
			cp = (unsigned)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
			p += 2;
		} else if ((*p & 0xf0) == 0xe0 && p[1] != '\0' &&
		    p[2] != '\0') {
			cp = (unsigned)(p[0] & 0x0f) << 12 |
			    (unsigned)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
			p += 3;
		} else {
			cp = '?';
			p++;
		}
		if (upper && cp < 0x80)
			cp = (unsigned)toupper((int)cp);
		put16(b, cp);
	}
}

/* UTF-16LE -> UTF-8, for the names in an AUTHENTICATE_MESSAGE. */
static char *
from_utf16(const unsigned char *p, size_t len)
{
	struct buf b = BUF_INIT;
	unsigned cp;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		cp = le16(p + i);
		if (cp < 0x80)
			buf_putc(&b, (char)cp);
		else if (cp < 0x800) {
			buf_putc(&b, (char)(0xc0 | cp >> 6));
			buf_putc(&b, (char)(0x80 | (cp & 0x3f)));
		} else {
			buf_putc(&b, (char)(0xe0 | cp >> 12));
			buf_putc(&b, (char)(0x80 | (cp >> 6 & 0x3f)));
			buf_putc(&b, (char)(0x80 | (cp & 0x3f)));
		}
	}
	return buf_detach(&b);
}

static void
av_pair(struct buf *b, unsigned id, const struct buf *value)
{
	put16(b, id);
	put16(b, (unsigned)value->len);
	buf_add(b, value->ptr != NULL ? value->ptr : "", value->len);
}

static void
av_string(struct buf *b, unsigned id, const char *s)
{
	struct buf v = BUF_INIT;

	utf16(&v, s, 0);
	av_pair(b, id, &v);
	buf_release(&v);
}

/* TargetInfo: the host's names and the time, as a member server's. */
static void
target_info(struct sim_host *h, struct buf *b)
{
	struct buf ts = BUF_INIT;
	const char *dot = strchr(h->name, '.');
	uint64_t ft;
	char nb[16];
	int i;

	sim_host_netbios(h, nb);
	av_string(b, AV_NB_DOMAIN, nb);
	av_string(b, AV_NB_COMPUTER, nb);
	av_string(b, AV_DNS_DOMAIN, dot != NULL ? dot + 1 : h->name);
	av_string(b, AV_DNS_COMPUTER, h->name);
	/*
	 * FILETIME: 100 ns ticks since 1601, from the process clock, not
	 * sim_now(): /clock and clock_offset move the host's scheduler so
	 * that tests can travel in time (the control node travels with
	 * --at), while the client checks this stamp against its own real
	 * clock (gss-ntlmssp refuses one over 36 h old).  A host whose
	 * clock is really off runs under faketime, as for Kerberos.
	 */
	ft = ((uint64_t)time(NULL) + 11644473600ULL) * 10000000ULL;
	for (i = 0; i < 8; i++)
		buf_putc(&ts, (char)(ft >> (8 * i) & 0xff));
	av_pair(b, AV_TIMESTAMP, &ts);
	buf_release(&ts);
	put16(b, AV_EOL);
	put16(b, 0);
}

static void
challenge_message(struct sim_host *h, struct ntlm *n, uint32_t client,
    struct buf *out)
{
	static const unsigned char version[8] = { 10, 0, 0x7c, 0x4f, 0, 0, 0,
	    15 };	/* Windows 10.0 build 20348, NTLM revision 15 */
	struct buf name = BUF_INIT, info = BUF_INIT;
	uint32_t flags;
	char nb[16];

	sim_host_netbios(h, nb);
	utf16(&name, nb, 0);
	target_info(h, &info);
	flags = F_UNICODE | F_REQUEST_TARGET | F_NTLM | F_ALWAYS_SIGN |
	    F_TARGET_SERVER | F_ESS | F_TARGET_INFO | F_VERSION | F_128 | F_56 |
	    (client & (F_SIGN | F_SEAL | F_KEY_EXCH));
	buf_add(out, SIGNATURE, 8);
	put32(out, CHALLENGE);
	put16(out, (unsigned)name.len);
	put16(out, (unsigned)name.len);
	put32(out, 56);
	put32(out, flags);
	buf_add(out, n->challenge, 8);
	buf_add(out, "\0\0\0\0\0\0\0\0", 8);
	put16(out, (unsigned)info.len);
	put16(out, (unsigned)info.len);
	put32(out, 56 + (uint32_t)name.len);
	buf_add(out, version, 8);
	buf_add(out, name.ptr, name.len);
	buf_add(out, info.ptr, info.len);
	buf_release(&name);
	buf_release(&info);
}

/* A security buffer (Len, MaxLen, Offset) at off, checked to lie inside. */
static const unsigned char *
field(const unsigned char *m, size_t len, size_t off, size_t *flen)
{
	size_t l, o;

	if (off + 8 > len)
		return NULL;
	l = le16(m + off);
	o = le32(m + off + 4);
	if (o > len || l > len - o)
		return NULL;
	*flen = l;
	return m + o;
}

static int
md4_ready(void)
{
	if (md4 != NULL)
		return 1;
	if (legacy == NULL && (legacy = OSSL_LIB_CTX_new()) == NULL)
		return 0;
	if ((providers[0] == NULL &&
	    (providers[0] = OSSL_PROVIDER_load(legacy, "legacy")) == NULL) ||
	    (providers[1] == NULL &&
	    (providers[1] = OSSL_PROVIDER_load(legacy, "default")) == NULL))
		return 0;
	md4 = EVP_MD_fetch(legacy, "MD4", NULL);
	rc4 = EVP_CIPHER_fetch(legacy, "RC4", NULL);
	return md4 != NULL && rc4 != NULL;
}

/* NTOWFv2: HMAC-MD5(MD4(UTF-16LE(password)), UTF-16LE(USER + domain)). */
static int
ntowfv2(const char *password, const char *user, const char *domain,
    unsigned char key[16])
{
	struct buf pw = BUF_INIT, id = BUF_INIT;
	unsigned char hash[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	int rc = -1;

	utf16(&pw, password, 0);
	utf16(&id, user, 1);
	utf16(&id, domain, 0);
	if (md4_ready() && EVP_Digest(pw.ptr != NULL ? pw.ptr : "", pw.len,
	    hash, &len, md4, NULL) == 1 && HMAC(EVP_md5(), hash, (int)len,
	    (unsigned char *)(id.ptr != NULL ? id.ptr : ""), id.len, key,
	    &len) != NULL)
		rc = 0;
	OPENSSL_cleanse(hash, sizeof(hash));
	if (pw.ptr != NULL)
		OPENSSL_cleanse(pw.ptr, pw.len);
	buf_release(&pw);
	buf_release(&id);
	return rc;
}

/* NTProofStr = HMAC-MD5(key, ServerChallenge || blob). */
static int
proof_ok(const unsigned char key[16], const unsigned char challenge[8],
    const unsigned char *nt, size_t ntlen)
{
	unsigned char *data, mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	int ok;

	data = xmalloc(ntlen - 16 + 8);
	memcpy(data, challenge, 8);
	memcpy(data + 8, nt + 16, ntlen - 16);
	ok = HMAC(EVP_md5(), key, 16, data, ntlen - 16 + 8, mac, &len) !=
	    NULL && len == 16 && CRYPTO_memcmp(mac, nt, 16) == 0;
	free(data);
	return ok;
}

/* MD5 of the gss_channel_bindings_struct for tls-server-end-point. */
static int
expected_cbt(SSL *ssl, unsigned char out[16])
{
	struct buf app = BUF_INIT, b = BUF_INIT;
	unsigned int olen = 0;
	int rc = -1;

	if (tls_cbt_data(ssl, &app) == -1)
		return -1;
	buf_add(&b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	put32(&b, (uint32_t)app.len);
	buf_add(&b, app.ptr, app.len);
	if (EVP_Digest(b.ptr, b.len, out, &olen, EVP_md5(), NULL) == 1)
		rc = 0;
	buf_release(&app);
	buf_release(&b);
	return rc;
}

/* The MsvAvChannelBindings value in an NTLMv2 blob, or NULL. */
static const unsigned char *
find_cbt(const unsigned char *nt, size_t ntlen)
{
	size_t off = 16 + 28, len;
	unsigned id;

	while (off + 4 <= ntlen) {
		id = le16(nt + off);
		len = le16(nt + off + 2);
		if (id == AV_EOL || off + 4 + len > ntlen)
			break;
		if (id == AV_CHANNEL_BINDINGS && len == 16)
			return nt + off + 4;
		off += 4 + len;
	}
	return NULL;
}

/* Strict needs the client's bindings; Relaxed checks them if sent. */
static int
cbt_ok(struct sim_host *h, SSL *ssl, const unsigned char *nt, size_t ntlen)
{
	static const unsigned char zero[16];
	const char *level = h->winrm.cbt_hardening;
	const unsigned char *got = find_cbt(nt, ntlen);
	unsigned char want[16];

	/* CbtHardeningLevel is for HTTPS; plain HTTP has no channel. */
	if (strcasecmp(level, "None") == 0 || ssl == NULL)
		return 1;
	if (got == NULL || memcmp(got, zero, 16) == 0)
		return strcasecmp(level, "Strict") != 0;
	return expected_cbt(ssl, want) == 0 && memcmp(got, want, 16) == 0;
}

/* MD5(ExportedSessionKey || magic constant, with its NUL). */
static void
derive(const unsigned char session[16], const char *magic,
    unsigned char out[16])
{
	unsigned char buf[16 + 80];
	size_t n = strlen(magic) + 1;
	unsigned int len = 0;

	memcpy(buf, session, 16);
	memcpy(buf + 16, magic, n);
	EVP_Digest(buf, 16 + n, out, &len, EVP_md5(), NULL);
}

static EVP_CIPHER_CTX *
rc4_new(const unsigned char key[16])
{
	EVP_CIPHER_CTX *c;

	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_CipherInit_ex(c, rc4, NULL, key, NULL, 1) != 1) {
		EVP_CIPHER_CTX_free(c);
		return NULL;
	}
	return c;
}

static int
rc4_apply(EVP_CIPHER_CTX *c, unsigned char *p, size_t len)
{
	int out = 0;

	return len == 0 || EVP_CipherUpdate(c, p, &out, p, (int)len) == 1 ?
	    0 : -1;
}

/*
 * The session keys [MS-NLMP 3.4.5]: NTLMv2's SessionBaseKey, the
 * client's random key when it sent one (KEY_EXCH), then signing and
 * sealing keys for each direction (128-bit, extended session security).
 */
static int
session_keys(struct ntlm *n, const unsigned char key[16],
    const unsigned char *nt, const unsigned char *m, size_t len)
{
	unsigned char base[16], session[16], seal[16];
	const unsigned char *ek;
	unsigned int blen = 0;
	size_t eklen;
	EVP_CIPHER_CTX *c;
	int rc = -1;

	if (HMAC(EVP_md5(), key, 16, nt, 16, base, &blen) == NULL)
		return -1;
	memcpy(session, base, 16);
	if ((le32(m + 60) & F_KEY_EXCH) && (ek = field(m, len, 52, &eklen)) !=
	    NULL && eklen == 16) {
		if ((c = rc4_new(base)) == NULL)
			goto out;
		memcpy(session, ek, 16);
		rc4_apply(c, session, 16);
		EVP_CIPHER_CTX_free(c);
	}
	derive(session, "session key to client-to-server signing key magic "
	    "constant", n->client.sign);
	derive(session, "session key to server-to-client signing key magic "
	    "constant", n->server.sign);
	derive(session, "session key to client-to-server sealing key magic "
	    "constant", seal);
	n->client.seal = rc4_new(seal);
	derive(session, "session key to server-to-client sealing key magic "
	    "constant", seal);
	n->server.seal = rc4_new(seal);
	n->keyed = n->client.seal != NULL && n->server.seal != NULL;
	rc = n->keyed ? 0 : -1;
out:
	OPENSSL_cleanse(base, sizeof(base));
	OPENSSL_cleanse(session, sizeof(session));
	OPENSSL_cleanse(seal, sizeof(seal));
	return rc;
}

/* Checksum = RC4(HMAC_MD5(SigningKey, SeqNum || Message)[0..7]). */
static int
checksum(struct ntlm_dir *d, const unsigned char *msg, size_t len,
    unsigned char out[8])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mlen = 0;
	struct buf b = BUF_INIT;
	int rc = -1;

	put32(&b, d->seq);
	buf_add(&b, msg, len);
	if (HMAC(EVP_md5(), d->sign, 16, (unsigned char *)b.ptr, b.len, mac,
	    &mlen) != NULL) {
		memcpy(out, mac, 8);
		rc = rc4_apply(d->seal, out, 8);
	}
	buf_release(&b);
	return rc;
}

int
ntlm_unseal(struct ntlm *n, const unsigned char sig[16], unsigned char *data,
    size_t len)
{
	unsigned char want[8];

	if (n == NULL || !n->keyed || le32(sig) != 1 ||
	    le32(sig + 12) != n->client.seq ||
	    rc4_apply(n->client.seal, data, len) != 0 ||
	    checksum(&n->client, data, len, want) != 0 ||
	    CRYPTO_memcmp(want, sig + 4, 8) != 0)
		return -1;
	n->client.seq++;
	return 0;
}

int
ntlm_seal(struct ntlm *n, unsigned char *data, size_t len,
    unsigned char sig[16])
{
	unsigned char sum[8];
	struct buf b = BUF_INIT;

	if (n == NULL || !n->keyed)
		return -1;
	/* The checksum is over the plain text; RC4 runs message first. */
	buf_add(&b, data, len);
	if (rc4_apply(n->server.seal, data, len) != 0 ||
	    checksum(&n->server, (unsigned char *)b.ptr, len, sum) != 0) {
		buf_release(&b);
		return -1;
	}
	buf_release(&b);
	put_le32(sig, 1);
	memcpy(sig + 4, sum, 8);
	put_le32(sig + 12, n->server.seq++);
	return 0;
}

/* The account an AUTHENTICATE_MESSAGE proves, or NULL. */
static struct sim_account *
authenticate(struct sim_host *h, struct ntlm *n, SSL *ssl,
    const unsigned char *m, size_t len)
{
	const unsigned char *nt, *dom, *usr;
	struct sim_account *a = NULL;
	size_t ntlen, domlen, usrlen;
	unsigned char key[16];
	char *domain, *user, *name;

	if ((nt = field(m, len, 20, &ntlen)) == NULL ||
	    (dom = field(m, len, 28, &domlen)) == NULL ||
	    (usr = field(m, len, 36, &usrlen)) == NULL || ntlen <= 16 + 28 ||
	    len < 64 || (le32(m + 60) & F_UNICODE) == 0)
		return NULL;
	domain = from_utf16(dom, domlen);
	user = from_utf16(usr, usrlen);
	name = *domain != '\0' ? xasprintf("%s\\%s", domain, user) :
	    xstrdup(user);
	if ((a = sim_account(h, name)) != NULL && (a->password == NULL ||
	    ntowfv2(a->password, user, domain, key) != 0 ||
	    !proof_ok(key, n->challenge, nt, ntlen) ||
	    !cbt_ok(h, ssl, nt, ntlen) ||
	    session_keys(n, key, nt, m, len) != 0))
		a = NULL;
	OPENSSL_cleanse(key, sizeof(key));
	free(name);
	free(user);
	free(domain);
	return a;
}

int
ntlm_step(struct sim_host *h, struct ntlm **state, SSL *ssl,
    const unsigned char *in, size_t len, struct buf *out,
    struct sim_account **who)
{
	struct ntlm *n;
	uint32_t type;

	*who = NULL;
	if (len < 16 || memcmp(in, SIGNATURE, 8) != 0)
		return -1;
	type = le32(in + 8);
	if (type == NEGOTIATE) {
		if (*state == NULL)
			*state = xcalloc(1, sizeof(**state));
		n = *state;
		if (RAND_bytes(n->challenge, sizeof(n->challenge)) != 1)
			return -1;
		n->challenged = 1;
		challenge_message(h, n, le32(in + 12), out);
		return 1;
	}
	if (type != AUTHENTICATE || (n = *state) == NULL || !n->challenged)
		return -1;
	/* A challenge answers one AUTHENTICATE_MESSAGE, right or wrong. */
	n->challenged = 0;
	*who = authenticate(h, n, ssl, in, len);
	return *who != NULL ? 0 : -1;
}

void
ntlm_free(struct ntlm *n)
{
	if (n == NULL)
		return;
	EVP_CIPHER_CTX_free(n->client.seal);
	EVP_CIPHER_CTX_free(n->server.seal);
	OPENSSL_cleanse(n, sizeof(*n));
	free(n);
}

void
ntlm_release(void)
{
	size_t i;

	EVP_MD_free(md4);
	md4 = NULL;
	EVP_CIPHER_free(rc4);
	rc4 = NULL;
	/* Loaded providers hold child contexts: unload before the free. */
	for (i = 0; i < nitems(providers); i++) {
		if (providers[i] != NULL)
			OSSL_PROVIDER_unload(providers[i]);
		providers[i] = NULL;
	}
	OSSL_LIB_CTX_free(legacy);
	legacy = NULL;
}

static int
ntlm_seal_cb(void *arg, const char *plain, size_t len, struct buf *sig,
    struct buf *data)
{
	unsigned char s[16];

	buf_add(data, plain, len);
	if (ntlm_seal(arg, (unsigned char *)data->ptr, data->len, s) != 0)
		return -1;
	buf_add(sig, s, sizeof(s));
	return 0;
}

static int
ntlm_open_cb(void *arg, const unsigned char *sig, size_t siglen,
    const unsigned char *data, size_t len, struct buf *out)
{
	if (siglen != 16)
		return -1;
	buf_reset(out);
	buf_add(out, data, len);
	return ntlm_unseal(arg, sig, (unsigned char *)out->ptr, out->len);
}

int
ntlm_sealer(struct ntlm *n, struct sealer *out)
{
	if (n == NULL || !n->keyed)
		return -1;
	out->protocol = "application/HTTP-SPNEGO-session-encrypted";
	out->open = ntlm_open_cb;
	out->seal = ntlm_seal_cb;
	out->arg = n;
	return 0;
}
