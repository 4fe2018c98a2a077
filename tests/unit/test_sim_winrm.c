/*
 * test_sim_winrm.c: winrm.cmd (prog_winrm.c), certutil (prog_certutil.c)
 * and powershell's certificate listing (prog_powershell.c) byte for byte:
 * get and set of the configuration, Group Policy, listeners and their
 * certificate checks, the error form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "test_sim.h"

#define THUMB	"0A1B2C3D4E5F60718293A4B5C6D7E8F901234567"
#define OTHER	"FFEEDDCCBBAA99887766554433221100FFEEDDCC"
#define CLIENT	"1111111111111111111111111111111111111111"

#define SERVICE_AUTH(basic, credssp) \
	"Auth\r\n" \
	"    Basic = " basic "\r\n" \
	"    Kerberos = true\r\n" \
	"    Negotiate = true\r\n" \
	"    Certificate = false\r\n" \
	"    CredSSP = " credssp "\r\n" \
	"    CbtHardeningLevel = Relaxed\r\n\r\n"

static void
add_cert(struct sim_host *h, const char *thumb, const char *cn, int server)
{
	struct sim_cert *c;
	time_t t;

	h->certs = xreallocarray(h->certs, h->ncerts + 1, sizeof(*h->certs));
	c = &h->certs[h->ncerts++];
	memset(c, 0, sizeof(*c));
	snprintf(c->thumbprint, sizeof(c->thumbprint), "%s", thumb);
	c->subject = xasprintf("CN=%s", cn);
	c->issuer = xstrdup("CN=enforcer test CA");
	c->serial = xstrdup("3A5F0C");
	sim_time_parse("2026-11-23T21:30:00Z", &t);
	c->not_before = t;
	sim_time_parse("2027-11-24T21:30:00Z", &t);
	c->not_after = t;
	c->server_auth = server;
}

static struct sim_host *
host_with_certs(void)
{
	struct sim_host *h = host_new();

	add_cert(h, THUMB, "node1.contoso.test", 1);
	add_cert(h, OTHER, "node2.contoso.test", 1);
	add_cert(h, CLIENT, "node1.contoso.test", 0);
	sim_listener(h, "HTTPS", "*", 0)->thumbprint = xstrdup(THUMB);
	return h;
}

static void
test_get(void **state)
{
	struct sim_host *h = host_new();

	expect(h, ADMIN, "winrm get winrm/config/service/auth", 0,
	    SERVICE_AUTH("false", "false"), "");
	expect(h, ADMIN, "winrm g winrm/config/Client", 0,
	    "Client\r\n"
	    "    NetworkDelayms = 5000\r\n"
	    "    URLPrefix = wsman\r\n"
	    "    AllowUnencrypted = false\r\n"
	    "    Auth\r\n"
	    "        Basic = true\r\n"
	    "        Digest = true\r\n"
	    "        Kerberos = true\r\n"
	    "        Negotiate = true\r\n"
	    "        Certificate = true\r\n"
	    "        CredSSP = false\r\n"
	    "    DefaultPorts\r\n"
	    "        HTTP = 5985\r\n"
	    "        HTTPS = 5986\r\n"
	    "    TrustedHosts\r\n\r\n", "");
	expect(h, ADMIN, "winrm get winrm/config/winrs", 0,
	    "Winrs\r\n"
	    "    AllowRemoteShellAccess = true\r\n"
	    "    IdleTimeout = 7200000\r\n"
	    "    MaxConcurrentUsers = 2147483647\r\n"
	    "    MaxShellRunTime = 2147483647\r\n"
	    "    MaxProcessesPerShell = 2147483647\r\n"
	    "    MaxMemoryPerShellMB = 2147483647\r\n"
	    "    MaxShellsPerUser = 2147483647\r\n\r\n", "");
	host_free(h);
}

/* The whole config nests every section four spaces deeper. */
static void
test_get_config(void **state)
{
	struct sim_host *h = host_new();
	struct buf out = BUF_INIT, err = BUF_INIT;
	const char *tail;
	int wrote;

	assert_int_equal(run(h, ADMIN, "winrm get winrm/config", &out, &err,
	    &wrote), 0);
	assert_true(strncmp(out.ptr, "Config\r\n"
	    "    MaxEnvelopeSizekb = 500\r\n"
	    "    MaxTimeoutms = 60000\r\n"
	    "    MaxBatchItems = 32000\r\n"
	    "    MaxProviderRequests = 4294967295\r\n"
	    "    Client\r\n"
	    "        NetworkDelayms = 5000\r\n", 160) == 0);
	assert_non_null(strstr(out.ptr, "    Service\r\n        RootSDDL = "
	    "O:NSG:BAD:P(A;;GA;;;BA)(A;;GR;;;IU)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;"
	    "WD)\r\n"));
	assert_non_null(strstr(out.ptr, "        Auth\r\n"
	    "            Basic = false\r\n"
	    "            Kerberos = true\r\n"));
	assert_non_null(strstr(out.ptr, "        CertificateThumbprint\r\n"
	    "        AllowRemoteAccess = true\r\n    Winrs\r\n"));
	tail = "        MaxShellsPerUser = 2147483647\r\n\r\n";
	assert_string_equal(out.ptr + out.len - strlen(tail), tail);
	buf_release(&out);
	buf_release(&err);
	host_free(h);
}

static void
test_set(void **state)
{
	struct sim_host *h = host_new();

	expect_w(h, ADMIN, "winrm set winrm/config/service/auth "
	    "@{Basic=\"true\";CredSSP=\"true\"}", 0,
	    SERVICE_AUTH("true", "true"), "", 1);
	assert_dump(h, "winrm.service.auth.Basic", "true");
	assert_dump(h, "winrm.service.auth.CredSSP", "true");
	/* The same values again change nothing. */
	expect_w(h, ADMIN, "winrm s winrm/config/service/auth @{Basic=\"true\"}",
	    0, SERVICE_AUTH("true", "true"), "", 0);
	/* Values need no quotes (PowerShell strips them on the way). */
	expect_w(h, ADMIN, "winrm set winrm/config/service/auth "
	    "@{CredSSP=false}", 0, SERVICE_AUTH("true", "false"), "", 1);
	expect(h, ADMIN, "winrm set winrm/config/client "
	    "@{TrustedHosts=\"node2.contoso.test, *.fleet.test\"}", 0, NULL, "");
	assert_dump(h, "winrm.client.TrustedHosts",
	    "node2.contoso.test, *.fleet.test");
	expect(h, ADMIN, "winrm set winrm/config/service/auth "
	    "@{CbtHardeningLevel=\"strict\"}", 0, NULL, "");
	assert_dump(h, "winrm.service.auth.CbtHardeningLevel", "Strict");
	expect(h, ADMIN, "winrm set winrm/config @{MaxEnvelopeSizekb=\"8192\"}",
	    0, NULL, "");
	assert_dump(h, "winrm.MaxEnvelopeSizekb", "8192");
	expect(h, ADMIN, "winrm set winrm/config/winrs "
	    "@{MaxShellsPerUser=\"30\"}", 0, NULL, "");
	assert_dump(h, "winrm.winrs.MaxShellsPerUser", "30");
	host_free(h);
}

static void
test_set_errors(void **state)
{
	struct sim_host *h = host_new();
	char *cause = NULL;

	assert_int_equal(sim_set(h, "gpo", "winrm.service.auth.CredSSP",
	    &cause), 0);
	expect(h, ADMIN, "winrm get winrm/config/service/auth", 0,
	    "Auth\r\n    Basic = false\r\n    Kerberos = true\r\n"
	    "    Negotiate = true\r\n    Certificate = false\r\n"
	    "    CredSSP = false [Source=\"GPO\"]\r\n"
	    "    CbtHardeningLevel = Relaxed\r\n\r\n", "");
	expect_w(h, ADMIN, "winrm set winrm/config/service/auth "
	    "@{Basic=\"true\";CredSSP=\"true\"}", 1, "",
	    "WSManFault\r\n"
	    "    Message = The config setting CredSSP cannot be changed because "
	    "is controlled by policies. The policy would need to be set to "
	    "\"Not Configured\" in order to change the config setting.\r\n\r\n"
	    "Error number:  -2144108406 0x8033808A\r\n"
	    "The config setting CredSSP cannot be changed because is controlled "
	    "by policies. The policy would need to be set to \"Not Configured\" "
	    "in order to change the config setting.\r\n", 0);
	/* All or nothing: Basic did not change either. */
	assert_dump(h, "winrm.service.auth.Basic", "false");
	expect(h, ADMIN, "winrm set winrm/config/service/auth @{Fancy=\"true\"}",
	    1, "", "WSManFault\r\n"
	    "    Message = The WS-Management service cannot process the request "
	    "because the XML is invalid.\r\n\r\n"
	    "Error number:  -2144108479 0x80338041\r\n"
	    "The WS-Management service cannot process the request because the "
	    "XML is invalid.\r\n");
	expect(h, ADMIN, "winrm set winrm/config/service/auth @{Basic=\"yes\"}",
	    1, "", NULL);
	expect(h, ADMIN, "winrm set winrm/config/service/auth", 1, "",
	    "Error: Invalid use of command line. Type \"winrm -?\" for help.\r\n");
	expect(h, ADMIN, "winrm frob winrm/config", 1, "",
	    "Error: Invalid use of command line. Type \"winrm -?\" for help.\r\n");
	expect(h, ADMIN, "winrm get winrm/config/nothing", 1, "",
	    "WSManFault\r\n"
	    "    Message = The WS-Management service cannot process the request. "
	    "The resource URI is missing or it has an incorrect format. Check "
	    "the documentation or use the following command for information on "
	    "how to construct a resource URI: \"winrm help uris\".\r\n\r\n"
	    "Error number:  -2144108485 0x8033803B\r\n"
	    "The WS-Management service cannot process the request. The resource "
	    "URI is missing or it has an incorrect format. Check the "
	    "documentation or use the following command for information on how "
	    "to construct a resource URI: \"winrm help uris\".\r\n");
	expect(h, USER, "winrm get winrm/config/service/auth", 1, "",
	    "WSManFault\r\n    Message = Access is denied.\r\n\r\n"
	    "Error number:  -2147024891 0x80070005\r\nAccess is denied.\r\n");
	host_free(h);
}

#define LISTENER_HTTP \
	"Listener\r\n" \
	"    Address = *\r\n" \
	"    Transport = HTTP\r\n" \
	"    Port = 5985\r\n" \
	"    Hostname\r\n" \
	"    Enabled = true\r\n" \
	"    URLPrefix = wsman\r\n" \
	"    CertificateThumbprint\r\n" \
	"    ListeningOn = 127.0.0.1, 127.0.10.1, ::1\r\n"
#define LISTENER_HTTPS(thumb) \
	"Listener\r\n" \
	"    Address = *\r\n" \
	"    Transport = HTTPS\r\n" \
	"    Port = 5986\r\n" \
	"    Hostname = node1.contoso.test\r\n" \
	"    Enabled = true\r\n" \
	"    URLPrefix = wsman\r\n" \
	"    CertificateThumbprint = " thumb "\r\n" \
	"    ListeningOn = 127.0.0.1, 127.0.10.1, ::1\r\n"

static void
test_listeners(void **state)
{
	struct sim_host *h = host_with_certs();

	expect(h, ADMIN, "winrm enumerate winrm/config/listener", 0,
	    LISTENER_HTTP "\r\n" LISTENER_HTTPS(THUMB) "\r\n", "");
	expect(h, ADMIN, "winrm get winrm/config/Listener?Address=*+"
	    "Transport=HTTPS", 0, LISTENER_HTTPS(THUMB), "");
	expect(h, ADMIN, "winrm get winrm/config/Listener?Address=IP:10.0.0.1+"
	    "Transport=HTTPS", 1, "", "WSManFault\r\n"
	    "    Message\r\n"
	    "        ProviderFault\r\n"
	    "            WSManFault\r\n"
	    "                Message = The WS-Management service cannot process "
	    "the request. The service cannot find the resource identified by "
	    "the resource URI and selectors.\r\n\r\n"
	    "Error number:  -2144108544 0x80338000\r\n"
	    "The WS-Management service cannot process the request. The service "
	    "cannot find the resource identified by the resource URI and "
	    "selectors.\r\n");
	expect(h, ADMIN, "winrm get winrm/config/Listener?Transport=HTTPS", 1,
	    "", NULL);
	host_free(h);
}

static void
test_listener_certificates(void **state)
{
	struct sim_host *h = host_with_certs();
	const char *set = "winrm set winrm/config/Listener?Address=*+"
	    "Transport=HTTPS ";
	char *line;

	line = xasprintf("%s@{CertificateThumbprint=\"%s\"}", set,
	    "9999999999999999999999999999999999999999");
	expect(h, ADMIN, line, 1, "", "WSManFault\r\n"
	    "    Message\r\n        ProviderFault\r\n            WSManFault\r\n"
	    "                Message = The WS-Management service cannot find "
	    "the certificate that was requested.\r\n\r\n"
	    "Error number:  -2144108414 0x80338082\r\n"
	    "The WS-Management service cannot find the certificate that was "
	    "requested.\r\n");
	free(line);
	line = xasprintf("%s@{CertificateThumbprint=\"%s\"}", set, OTHER);
	expect_w(h, ADMIN, line, 1, "", "WSManFault\r\n"
	    "    Message = The WinRM client cannot process the request. The "
	    "certificate CN and the hostname that were provided do not match."
	    "\r\n\r\nError number:  -2144108311 0x803380E9\r\n"
	    "The WinRM client cannot process the request. The certificate CN "
	    "and the hostname that were provided do not match.\r\n", 0);
	free(line);
	line = xasprintf("%s@{CertificateThumbprint=\"%s\"}", set, CLIENT);
	expect(h, ADMIN, line, 1, "", NULL);
	free(line);
	line = xasprintf("%s@{CertificateThumbprint=\"\"}", set);
	expect(h, ADMIN, line, 1, "", NULL);
	free(line);
	assert_dump(h, "listener.HTTPS.*.CertificateThumbprint", THUMB);
	/* Another name and its certificate together are fine. */
	line = xasprintf("%s@{Hostname=\"node2.contoso.test\";"
	    "CertificateThumbprint=\"%s\"}", set, OTHER);
	expect_w(h, ADMIN, line, 0, NULL, "", 1);
	free(line);
	assert_dump(h, "listener.HTTPS.*.CertificateThumbprint", OTHER);
	assert_dump(h, "listener.HTTPS.*.Hostname", "node2.contoso.test");
	expect(h, ADMIN, "winrm set winrm/config/Listener?Address=*+"
	    "Transport=HTTP @{CertificateThumbprint=\"" THUMB "\"}", 1, "",
	    NULL);
	host_free(h);
}

static void
test_listener_create_delete(void **state)
{
	struct sim_host *h = host_with_certs();

	expect_w(h, ADMIN, "winrm delete winrm/config/Listener?Address=*+"
	    "Transport=HTTPS", 0, "", "", 1);
	assert_null(sim_listener(h, "HTTPS", "*", 0));
	expect_w(h, ADMIN, "winrm create winrm/config/Listener?Address=*+"
	    "Transport=HTTPS @{Hostname=\"node1.contoso.test\";"
	    "CertificateThumbprint=\"" THUMB "\"}", 0,
	    "ResourceCreated\r\n"
	    "    Address = http://schemas.xmlsoap.org/ws/2004/08/addressing/"
	    "role/anonymous\r\n"
	    "    ReferenceParameters\r\n"
	    "        ResourceURI = http://schemas.microsoft.com/wbem/wsman/1/"
	    "config/listener\r\n"
	    "        SelectorSet\r\n"
	    "            Selector: Address = *, Transport = HTTPS\r\n\r\n", "", 1);
	assert_dump(h, "listener.HTTPS.*.Port", "5986");
	assert_dump(h, "listener.HTTPS.*.CertificateThumbprint", THUMB);
	expect(h, ADMIN, "winrm create winrm/config/Listener?Address=*+"
	    "Transport=HTTPS @{Hostname=\"node1.contoso.test\";"
	    "CertificateThumbprint=\"" THUMB "\"}", 1, "",
	    "WSManFault\r\n    Message = The WS-Management service cannot "
	    "create the resource because it already exists.\r\n\r\n"
	    "Error number:  -2144108493 0x80338033\r\n"
	    "The WS-Management service cannot create the resource because it "
	    "already exists.\r\n");
	expect(h, ADMIN, "winrm create winrm/config/Listener?Address=IP:"
	    "127.0.10.1+Transport=HTTPS @{Hostname=\"node1.contoso.test\"}", 1,
	    "", "WSManFault\r\n    Message = The WinRM client cannot process "
	    "the request. The CertificateThumbprint property must not be \"\" "
	    "(blank or empty string) or NULL.\r\n\r\n"
	    "Error number:  -2144108313 0x803380E7\r\n"
	    "The WinRM client cannot process the request. The "
	    "CertificateThumbprint property must not be \"\" (blank or empty "
	    "string) or NULL.\r\n");
	assert_null(sim_listener(h, "HTTPS", "IP:127.0.10.1", 0));
	host_free(h);
}

static void
test_listener_gpo(void **state)
{
	struct sim_host *h = host_with_certs();
	struct buf out = BUF_INIT, err = BUF_INIT;
	char *cause = NULL;
	int wrote;

	assert_int_equal(sim_set(h, "gpo", "listener.HTTPS.*", &cause), 0);
	expect(h, ADMIN, "winrm delete winrm/config/Listener?Address=*+"
	    "Transport=HTTPS", 1, "", NULL);
	assert_non_null(sim_listener(h, "HTTPS", "*", 0));
	assert_int_equal(run(h, ADMIN, "winrm e winrm/config/listener", &out,
	    &err, &wrote), 0);
	assert_true(strncmp(out.ptr, LISTENER_HTTP "\r\nListener [Source=\"GPO\"]"
	    "\r\n    Address = *\r\n", strlen(LISTENER_HTTP) + 40) == 0);
	buf_release(&out);
	buf_release(&err);
	host_free(h);
}

static void
test_identify(void **state)
{
	struct sim_host *h = host_new();

	expect(h, USER, "winrm id", 0, "IdentifyResponse\r\n"
	    "    ProtocolVersion = http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
	    "\r\n    ProductVendor = Microsoft Corporation\r\n"
	    "    ProductVersion = OS: 10.0.20348 SP: 0.0 Stack: 3.0\r\n"
	    "    SecurityProfiles\r\n"
	    "        SecurityProfileName = http://schemas.dmtf.org/wbem/wsman/1/"
	    "wsman/secprofile/http/spnego-kerberos\r\n\r\n", "");
	host_free(h);
}

/* winrm.vbs: a client of the WinRM service, run by the VBScript engine. */
static void
test_needs_service_and_vbscript(void **state)
{
	struct sim_host *h = host_new();
	const char *set = "winrm set winrm/config/service/auth "
	    "@{CredSSP=\"true\"}";

	sim_service_set_state(h, sim_service(h, "WinRM"), "Stopped");
	expect_w(h, ADMIN, set, 1, "", "WSManFault\r\n    Message = The "
	    "client cannot connect to the destination specified in the "
	    "request. Verify that the service on the destination is running "
	    "and is accepting requests. Consult the logs and documentation for "
	    "the WS-Management service running on the destination, most "
	    "commonly IIS or WinRM. If the destination is the WinRM service, "
	    "run the following command on the destination to analyze and "
	    "configure the WinRM service: \"winrm quickconfig\".\r\n\r\n"
	    "Error number:  -2144108526 0x80338012\r\nThe client cannot "
	    "connect to the destination specified in the request. Verify that "
	    "the service on the destination is running and is accepting "
	    "requests. Consult the logs and documentation for the "
	    "WS-Management service running on the destination, most commonly "
	    "IIS or WinRM. If the destination is the WinRM service, run the "
	    "following command on the destination to analyze and configure "
	    "the WinRM service: \"winrm quickconfig\".\r\n", 0);
	assert_dump(h, "winrm.service.auth.CredSSP", "false");
	sim_service_set_state(h, sim_service(h, "WinRM"), "Running");
	h->vbscript_off = 1;
	expect_w(h, ADMIN, set, 1, "", "CScript Error: Can't find script "
	    "engine \"VBScript\" for script \"C:\\Windows\\System32\\"
	    "winrm.vbs\".\r\n", 0);
	assert_dump(h, "winrm.service.auth.CredSSP", "false");
	h->vbscript_off = 0;
	expect_w(h, ADMIN, set, 0, NULL, "", 1);
	assert_dump(h, "winrm.service.auth.CredSSP", "true");
	host_free(h);
}

static void
test_certutil(void **state)
{
	struct sim_host *h = host_with_certs();

	expect(h, USER, "certutil -store My " THUMB, 0,
	    "My \"Personal\"\r\n"
	    "================ Certificate 0 ================\r\n"
	    "Serial Number: 3a5f0c\r\n"
	    "Issuer: CN=enforcer test CA\r\n"
	    " NotBefore: 11/23/2026 10:30 PM\r\n"
	    " NotAfter: 11/24/2027 10:30 PM\r\n"
	    "Subject: CN=node1.contoso.test\r\n"
	    "Non-root Certificate\r\n"
	    "Cert Hash(sha1): 0a1b2c3d4e5f60718293a4b5c6d7e8f901234567\r\n"
	    "No key provider information\r\n"
	    "Cannot find the certificate and private key for decryption.\r\n"
	    "CertUtil: -store command completed successfully.\r\n", "");
	expect(h, USER, "certutil -store my nope", -2146893807,
	    "My \"Personal\"\r\n"
	    "CertUtil: -store command FAILED: 0x80090011 (-2146893807 "
	    "NTE_NOT_FOUND)\r\nCertUtil: Object was not found.\r\n", "");
	expect(h, ADMIN, "certutil -delstore My " OTHER, 0,
	    "My \"Personal\"\r\nDeleting Certificate 1\r\n"
	    "CertUtil: -delstore command completed successfully.\r\n", "");
	assert_null(sim_cert(h, OTHER));
	expect(h, USER, "certutil -frob", -2147024809,
	    "CertUtil: Unknown arg: -frob\r\n", "");
	host_free(h);
}

/* Every certificate, blank line between; the count is the store's. */
static void
test_certutil_all(void **state)
{
	struct sim_host *h = host_with_certs();
	struct buf out = BUF_INIT, err = BUF_INIT;
	int wrote;

	assert_int_equal(run(h, USER, "certutil -store My", &out, &err, &wrote),
	    0);
	assert_non_null(strstr(out.ptr, "decryption.\r\n\r\n"
	    "================ Certificate 1 ================\r\n"));
	assert_non_null(strstr(out.ptr, "================ Certificate 2 "));
	assert_null(strstr(out.ptr, "================ Certificate 3 "));
	buf_release(&out);
	buf_release(&err);
	host_free(h);
}

/* A self-signed certificate for cn, with a key unless keyless. */
static struct sim_cert *
add_der_cert(struct sim_host *h, const char *thumb, const char *cn,
    int keyless)
{
	struct sim_cert *c;
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();

	add_cert(h, thumb, cn, 1);
	c = &h->certs[h->ncerts - 1];
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_set_pubkey(x, k);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	c->x509 = x;
	if (keyless)
		EVP_PKEY_free(k);
	else
		c->key = k;
	return c;
}

/* "K B64\r\n": what the listing prints for c. */
static char *
cert_line(const struct sim_cert *c)
{
	unsigned char *der = NULL;
	char *b64, *line;
	int len;

	len = i2d_X509(c->x509, &der);
	assert_true(len > 0);
	b64 = xmalloc(((size_t)len + 2) / 3 * 4 + 1);
	EVP_EncodeBlock((unsigned char *)b64, der, len);
	line = xasprintf("%d %s\r\n", c->key != NULL, b64);
	free(b64);
	OPENSSL_free(der);
	return line;
}

/* The script enforcer sends (states/wsman_listener.c), UTF-16LE base64. */
#define PS_STORE_B64 \
	"JABQAHIAbwBnAHIAZQBzAHMAUAByAGUAZgBlAHIAZQBuAGMAZQA9ACcAUwBpAGwAZQBu" \
	"AHQAbAB5AEMAbwBuAHQAaQBuAHUAZQAnADsARwBlAHQALQBDAGgAaQBsAGQASQB0AGUA" \
	"bQAgAEMAZQByAHQAOgBcAEwAbwBjAGEAbABNAGEAYwBoAGkAbgBlAFwATQB5AHwARgBv" \
	"AHIARQBhAGMAaAAtAE8AYgBqAGUAYwB0AHsAJwB7ADAAfQAgAHsAMQB9ACcAIAAtAGYA" \
	"IABbAGkAbgB0AF0AJABfAC4ASABhAHMAUAByAGkAdgBhAHQAZQBLAGUAeQAsAFsAQwBv" \
	"AG4AdgBlAHIAdABdADoAOgBUAG8AQgBhAHMAZQA2ADQAUwB0AHIAaQBuAGcAKAAkAF8A" \
	"LgBSAGEAdwBEAGEAdABhACkAfQA="

static void
test_powershell_cert_store(void **state)
{
	struct sim_host *h = host_new();
	char *a, *b, *want;

	a = cert_line(add_der_cert(h, THUMB, "node1.contoso.test", 0));
	b = cert_line(add_der_cert(h, OTHER, "node1.contoso.test", 1));
	want = xasprintf("%s%s", a, b);
	expect(h, USER, "powershell -NoProfile -NonInteractive "
	    "-EncodedCommand " PS_STORE_B64, 0, want, "");
	expect(h, USER, "powershell -NoProfile -NonInteractive "
	    "-EncodedCommand bm9wZQ=", 1, "", "Cannot process the command "
	    "because the value specified with -EncodedCommand is not properly "
	    "encoded. The value must be Base64 encoded.\r\n");
	/* "exit 3" in UTF-16LE: not a script the simulator models. */
	expect(h, USER, "powershell -EncodedCommand ZQB4AGkAdAAgADMA", 1, "",
	    "winrm-sim: powershell: script not modelled: exit 3\r\n");
	free(a);
	free(b);
	free(want);
	host_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_needs_service_and_vbscript),
		cmocka_unit_test(test_get_config),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_listeners),
		cmocka_unit_test(test_listener_certificates),
		cmocka_unit_test(test_listener_create_delete),
		cmocka_unit_test(test_listener_gpo),
		cmocka_unit_test(test_identify),
		cmocka_unit_test(test_certutil),
		cmocka_unit_test(test_powershell_cert_store),
		cmocka_unit_test(test_certutil_all),
	};

	return cmocka_run_group_tests_name("sim_winrm", tests, NULL, NULL);
}
