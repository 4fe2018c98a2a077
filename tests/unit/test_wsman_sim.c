/*
 * test_wsman_sim.c: the WS-Man client against the fleet simulator
 * (bin/winrm-sim), checked against the simulator's ground truth through
 * its control interface: every operation, the remote shell, batched reads,
 * every fault injection, refused authentication, and each certificate
 * scenario (through the transport and the TLS probe).  The simulator is a
 * separate program written from the protocol, not from this client.
 *
 * Without a simulator binary (WINRM_SIM, or TOP/bin/winrm-sim) the group
 * set-up fails, and with it every test: a missing prerequisite is a
 * failure, never a pass.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tlsprobe.h"
#include "wsman.h"

#define USER		"CONTOSO\\svc-enforcer"
#define PASSWORD	"secret"
#define URI_AUTH	WSMAN_URI_CONFIG "/service/auth"
#define URI_SERVICE	WSMAN_URI_WMI "/root/cimv2/Win32_Service"
#define URI_REG		WSMAN_URI_WMI "/root/default/StdRegProv"
#define HKLM		"2147483650"
#define NHOSTS		7

static const char *const names[NHOSTS] = {
	"node1.contoso.test",	/* operations */
	"node2.contoso.test",	/* Basic disabled */
	"node3.contoso.test",	/* certificate expired */
	"node4.contoso.test",	/* certificate for another name */
	"node5.contoso.test",	/* certificate from an unknown CA */
	"node6.contoso.test",	/* certificate without serverAuth */
	"node7.contoso.test",	/* fault injection */
};

static const char fleet_yaml[] =
    "defaults:\n"
    "  users: { 'CONTOSO\\svc-enforcer': { password: 'secret', admin: true },\n"
    "           Administrator: { password: 'secret', admin: true } }\n"
    "  accounts: [ 'CONTOSO\\hci-admins', 'CONTOSO\\bob' ]\n"
    "  groups: { 'Gateway Administrators': { members: [ 'CONTOSO\\alice' ] } }\n"
    "  winrm: { service: { auth: { Basic: true } } }\n"
    "hosts:\n"
    "  node1.contoso.test: { address: %s.1 }\n"
    "  node2.contoso.test: { address: %s.2, winrm: { service: { auth: "
    "{ Basic: false } } } }\n"
    "  node3.contoso.test: { address: %s.3, certificate: expired }\n"
    "  node4.contoso.test: { address: %s.4, certificate: wrong_name }\n"
    "  node5.contoso.test: { address: %s.5, certificate: untrusted }\n"
    "  node6.contoso.test: { address: %s.6, certificate: no_server_auth }\n"
    "  node7.contoso.test: { address: %s.7 }\n";

static struct {
	pid_t	 pid;
	char	 dir[64];
	char	*ca;
	char	*fleet;
	char	 control[64];
	char	 address[NHOSTS][128];
	int	 port[NHOSTS];
} S;

static const char *
simulator(void)
{
	static char path[4096];
	const char *env = getenv("WINRM_SIM"), *top = getenv("TOP");

	if (env != NULL)
		snprintf(path, sizeof(path), "%s", env);
	else
		snprintf(path, sizeof(path), "%s/bin/winrm-sim",
		    top != NULL ? top : ".");
	return access(path, X_OK) == 0 ? path : NULL;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sim_line(char *line)
{
	char name[256], where[128], *colon;
	int i;

	if (sscanf(line, "control %63s", S.control) == 1)
		return;
	if (sscanf(line, "ready %255s %127s", name, where) != 2 ||
	    (colon = strrchr(where, ':')) == NULL)
		return;
	*colon = '\0';
	for (i = 0; i < NHOSTS; i++) {
		if (strcmp(names[i], name) != 0)
			continue;
		snprintf(S.address[i], sizeof(S.address[i]), "%s", where);
		S.port[i] = atoi(colon + 1);
	}
}

/* Read the simulator's start-up lines until "fleet ready" (60 s at most). */
static int
sim_wait(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	long deadline = now_ms() + 60000;
	char buf[4096], *nl;
	size_t len = 0;
	ssize_t n;

	while (now_ms() < deadline) {
		if (poll(&p, 1, 200) <= 0)
			continue;
		if ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		while ((nl = strchr(buf, '\n')) != NULL) {
			*nl = '\0';
			if (strncmp(buf, "fleet ready", 11) == 0)
				return 0;
			sim_line(buf);
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len + 1);
		}
	}
	return -1;
}

static int
setup(void **state)
{
	const char *sim = simulator();
	char net[32], *text;
	int fds[2];
	FILE *fp;

	signal(SIGPIPE, SIG_IGN);
	if (sim == NULL) {
		print_error("no simulator: build bin/winrm-sim or set WINRM_SIM\n");
		return -1;
	}
	/*
	 * A 127.X.Y subnet of this process's own, the function of the pid
	 * that simtest.subnet() and tests/e2e/lib/e2e.sh use: two live
	 * processes never share one (pids below 37,500).
	 */
	snprintf(net, sizeof(net), "127.%d.%d", 100 + getpid() % 150,
	    (getpid() / 150) % 250);
	snprintf(S.dir, sizeof(S.dir), "/tmp/enforcer-sim-XXXXXX");
	if (mkdtemp(S.dir) == NULL)
		return -1;
	S.ca = xasprintf("%s/ca.pem", S.dir);
	S.fleet = xasprintf("%s/fleet.yaml", S.dir);
	text = xasprintf(fleet_yaml, net, net, net, net, net, net, net);
	fp = fopen(S.fleet, "w");
	fputs(text, fp);
	fclose(fp);
	free(text);
	if (pipe(fds) != 0 || (S.pid = fork()) == -1)
		return -1;
	if (S.pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execl(sim, sim, "--fleet", S.fleet, "--ca-out", S.ca,
		    "--control", "127.0.0.1:0", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (sim_wait(fds[0]) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	int status, i;

	if (S.pid > 0) {
		kill(S.pid, SIGTERM);
		for (i = 0; i < 100 && waitpid(S.pid, &status, WNOHANG) == 0;
		    i++)
			usleep(100000);
		if (i == 100) {
			kill(S.pid, SIGKILL);
			waitpid(S.pid, &status, 0);
		}
	}
	if (S.fleet != NULL) {
		unlink(S.fleet);
		unlink(S.ca);
		rmdir(S.dir);
	}
	free(S.fleet);
	free(S.ca);
	return 0;
}

/* The control interface: one plain HTTP request; returns the body. */
static char *
ctl(const char *method, const char *path, const char *body)
{
	struct sockaddr_in sa;
	struct buf b = BUF_INIT;
	char host[64], *colon, chunk[4096], *s;
	ssize_t n;
	int fd;

	snprintf(host, sizeof(host), "%s", S.control);
	colon = strrchr(host, ':');
	*colon = '\0';
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	inet_pton(AF_INET, host, &sa.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	buf_printf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n"
	    "Content-Length: %zu\r\n\r\n%s", method, path, S.control,
	    body != NULL ? strlen(body) : 0, body != NULL ? body : "");
	assert_int_equal(write(fd, b.ptr, b.len), (ssize_t)b.len);
	buf_reset(&b);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	if ((s = strstr(buf_cstr(&b), "\r\n\r\n")) == NULL)
		fail_msg("control %s %s: no reply", method, path);
	s = xstrdup(s + 4);
	buf_release(&b);
	return s;
}

/* One ground-truth value of host i, trailing newline dropped. */
static char *
truth(int i, const char *key)
{
	struct buf path = BUF_INIT;
	const char *k;
	char *v;
	size_t n;

	buf_printf(&path, "/hosts/%s/get?key=", names[i]);
	for (k = key; *k != '\0'; k++) {
		if (*k == ' ' || *k == '\\' || *k == '*')
			buf_printf(&path, "%%%02X", (unsigned char)*k);
		else
			buf_putc(&path, *k);
	}
	v = ctl("GET", path.ptr, NULL);
	n = strlen(v);
	while (n > 0 && (v[n - 1] == '\n' || v[n - 1] == '\r'))
		v[--n] = '\0';
	buf_release(&path);
	return v;
}

static void
truth_is(int i, const char *key, const char *want)
{
	char *v = truth(i, key);

	assert_string_equal(v, want);
	free(v);
}

static void
fault(int i, const char *what)
{
	char *path, *reply;

	path = xasprintf("/hosts/%s/fault", names[i]);
	reply = ctl("POST", path, what);
	assert_string_equal(reply, "ok\n");
	free(reply);
	free(path);
}

static void
opts(struct wsman_opts *o, int i)
{
	wsman_opts_init(o);
	o->name = names[i];
	o->address = S.address[i];
	o->port = S.port[i];
	o->auth = WSMAN_AUTH_NTLM;	/* a domain account, as a fleet has */
	o->user = USER;
	o->password = PASSWORD;
	o->ca_file = S.ca;
	o->retry_backoff_ms = 10;
}

static struct wsman *
client(int i)
{
	struct wsman_opts o;
	struct wsman *ws;
	char *cause = NULL;

	opts(&o, i);
	if (wsman_new(&ws, &o, &cause) != 0)
		fail_msg("%s", cause);
	return ws;
}

static void
fails(struct wsman *ws, const char *uri, const char *want,
    enum wsman_error err)
{
	struct node *n = NULL;
	char *cause = NULL, *full;

	assert_int_equal(wsman_get(ws, WSMAN_REF(uri), &n, &cause), -1);
	full = xasprintf("%s: Get %s: %s", wsman_host(ws), uri, want);
	if (strncmp(cause, full, strlen(full)) != 0)
		fail_msg("\n got: %s\nwant: %s", cause, full);
	assert_null(strstr(cause, PASSWORD));
	assert_int_equal(wsman_last_error(ws), err);
	free(full);
	free(cause);
}

/* --- operations --------------------------------------------------------- */

static void
put_credssp(struct wsman *ws, const char *value)
{
	struct wsman_body body = { "Auth", URI_AUTH, NULL, NULL };
	struct node *fields, *out = NULL;
	char *cause = NULL;

	fields = node_map();
	node_map_set(fields, "CredSSP", node_scalar(value));
	body.fields = fields;
	if (wsman_put(ws, WSMAN_REF(URI_AUTH), &body, &out, &cause) != 0)
		fail_msg("%s", cause);
	assert_string_equal(node_get_str(out, "CredSSP"), value);
	node_free(out);
	node_free(fields);
}

static void
test_transfer(void **state)
{
	struct wsman *ws;
	struct node *n = NULL;
	char *cause = NULL;
	int b;

	ws = client(0);
	assert_int_equal(wsman_get(ws, WSMAN_REF(URI_AUTH), &n, &cause), 0);
	assert_int_equal(node_bool(node_get(n, "Basic"), &b), 0);
	assert_true(b);
	node_free(n);
	put_credssp(ws, "true");
	truth_is(0, "winrm.service.auth.CredSSP", "true");
	put_credssp(ws, "false");
	truth_is(0, "winrm.service.auth.CredSSP", "false");
	fails(ws, WSMAN_URI_CONFIG "/nosuch", "WS-Man fault ", WSMAN_E_FAULT);
	wsman_free(ws);
}

/* The element names of a resource, nested, in order; values left out. */
static void
shape(const struct node *n, struct buf *out)
{
	size_t i;

	if (n == NULL || n->kind != NODE_MAP)
		return;
	buf_add(out, "{", 1);
	for (i = 0; i < n->npairs; i++) {
		buf_printf(out, "%s ", n->pairs[i].key->value);
		shape(n->pairs[i].value, out);
	}
	buf_add(out, "}", 1);
}

/*
 * A Get of the whole configuration answers in the shape Windows does: the
 * elements of the recorded reply (pypsrp, a real host), with the same
 * nesting and order (docs/windows-behaviour.md, "Configuration
 * resources"), so the kinds that take their part of it read the
 * simulator as they would read Windows.
 */
static void
test_config_tree(void **state)
{
	struct wsman_reply rp;
	struct wsman *ws;
	struct node *sim = NULL, *rec;
	struct buf a = BUF_INIT, b = BUF_INIT;
	char *cause = NULL, *path, *data;
	size_t len;
	FILE *fp;

	path = xasprintf("%s/tests/data/wsman/fixtures/"
	    "config_get_response_defaults_maxenvelope500.xml",
	    getenv("TOP") != NULL ? getenv("TOP") : ".");
	if ((fp = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	data = xmalloc(1 << 16);
	len = fread(data, 1, 1 << 16, fp);
	fclose(fp);
	if (wsman_reply_parse(&rp, data, len, &cause) != 0)
		fail_msg("%s", cause);
	rec = wsman_xml_to_node(rp.content);
	ws = client(0);
	if (wsman_get(ws, WSMAN_REF(WSMAN_URI_CONFIG), &sim, &cause) != 0)
		fail_msg("%s", cause);
	shape(rec, &a);
	shape(sim, &b);
	assert_string_equal(buf_cstr(&b), buf_cstr(&a));
	assert_non_null(node_getv(sim, "Client", "Auth", "CredSSP", NULL));
	buf_release(&a);
	buf_release(&b);
	node_free(sim);
	node_free(rec);
	wsman_free(ws);
	wsman_reply_release(&rp);
	free(data);
	free(path);
}

static void
test_enumerate(void **state)
{
	static const struct wsman_selector winrm[] = { { "Name", "WinRM" } };
	struct wsman_filter wql = { "SELECT * FROM Win32_Service", NULL, 0 };
	struct wsman_filter sel = { NULL, winrm, 1 };
	struct wsman *ws;
	struct node *items = NULL;
	const struct node *l;
	char *cause = NULL, *thumb;
	size_t i, https = 0;

	ws = client(0);
	if (wsman_enumerate(ws, WSMAN_REF(WSMAN_URI_CONFIG "/listener"), NULL,
	    &items, &cause) != 0)
		fail_msg("%s", cause);
	thumb = truth(0, "listener.HTTPS.*.CertificateThumbprint");
	assert_int_equal(strlen(thumb), 40);
	for (i = 0; i < items->nitems; i++) {
		l = items->items[i];
		if (strcmp(node_get_str(l, "Transport"), "HTTPS") != 0)
			continue;
		https++;
		assert_string_equal(node_get_str(l, "CertificateThumbprint"),
		    thumb);
	}
	assert_int_equal(https, 1);
	free(thumb);
	node_free(items);
	assert_int_equal(wsman_enumerate(ws, WSMAN_REF(WSMAN_URI_WMI
	    "/root/cimv2/*"), &wql, &items, &cause), 0);
	assert_true(items->nitems >= 2);
	node_free(items);
	assert_int_equal(wsman_enumerate(ws, WSMAN_REF(URI_SERVICE), &sel,
	    &items, &cause), 0);
	assert_int_equal(items->nitems, 1);
	assert_string_equal(node_get_str(items->items[0], "Name"), "WinRM");
	node_free(items);
	wsman_free(ws);
}

static long long
invoke(struct wsman *ws, const struct wsman_ref *ref, const char *method,
    const struct node *params, struct node **out)
{
	struct node *n = NULL;
	char *cause = NULL;
	long long rv = -1;

	if (wsman_invoke(ws, ref, method, params, 0, &n, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(node_int(node_get(n, "ReturnValue"), &rv), 0);
	if (out != NULL)
		*out = n;
	else
		node_free(n);
	return rv;
}

static void
test_wmi(void **state)
{
	static const struct wsman_selector schedule[] = {
		{ "Name", "Schedule" },
	};
	struct wsman_ref svc = { URI_SERVICE, schedule, 1 };
	struct node *p, *out = NULL;
	struct wsman *ws;
	long long v;

	ws = client(0);
	assert_int_equal(invoke(ws, &svc, "StopService", NULL, NULL), 0);
	truth_is(0, "service.Schedule.state", "Stopped");
	assert_int_equal(invoke(ws, &svc, "StartService", NULL, NULL), 0);
	truth_is(0, "service.Schedule.state", "Running");
	/* Already running: the method says so; the call succeeds. */
	assert_int_equal(invoke(ws, &svc, "StartService", NULL, NULL), 10);

	p = node_map();
	node_map_set(p, "hDefKey", node_scalar(HKLM));
	node_map_set(p, "sSubKeyName", node_scalar("SOFTWARE\\Enforcer\\Test"));
	assert_int_equal(invoke(ws, WSMAN_REF(URI_REG), "CreateKey", p, NULL),
	    0);
	node_map_set(p, "sValueName", node_scalar("Answer"));
	node_map_set(p, "uValue", node_scalar("42"));
	assert_int_equal(invoke(ws, WSMAN_REF(URI_REG), "SetDWORDValue", p,
	    NULL), 0);
	truth_is(0, "reg.SOFTWARE\\Enforcer\\Test:Answer", "REG_DWORD 42");
	node_map_del(p, "uValue");
	assert_int_equal(invoke(ws, WSMAN_REF(URI_REG), "GetDWORDValue", p,
	    &out), 0);
	assert_int_equal(node_int(node_get(out, "uValue"), &v), 0);
	assert_int_equal(v, 42);
	node_free(out);
	node_map_del(p, "sValueName");
	assert_int_equal(invoke(ws, WSMAN_REF(URI_REG), "EnumValues", p, &out),
	    0);
	assert_string_equal(wsman_list(node_get(out, "sNames"), 0)->value,
	    "Answer");
	node_free(out);
	assert_int_equal(invoke(ws, WSMAN_REF(URI_REG), "DeleteKey", p, NULL),
	    0);
	node_free(p);
	wsman_free(ws);
}

static void
test_shell(void **state)
{
	struct wsman_cmd cmd = WSMAN_CMD_INIT;
	struct wsman *ws;
	char *cause = NULL, *counters;

	ws = client(0);
	if (wsman_run(ws, "net localgroup \"Gateway Administrators\" "
	    "CONTOSO\\bob /add", WSMAN_KEEP_SHELL, &cmd, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(cmd.exit_code, 0);
	truth_is(0, "group.Gateway Administrators.members",
	    "CONTOSO\\alice,CONTOSO\\bob");
	counters = ctl("GET", "/hosts/node1.contoso.test/counters", NULL);
	assert_non_null(strstr(counters, "shells_open = 1\n"));
	free(counters);
	assert_int_equal(wsman_run(ws, "net localgroup \"Gateway "
	    "Administrators\" CONTOSO\\bob /add", WSMAN_KEEP_SHELL, &cmd,
	    &cause), 0);
	assert_int_equal(cmd.exit_code, 2);
	assert_non_null(strstr(buf_cstr(&cmd.err), "System error 1378 has "
	    "occurred.\r\n\r\nThe specified account name is already a member "
	    "of the group."));
	assert_int_equal(wsman_run(ws, "net localgroup \"Gateway "
	    "Administrators\"", 0, &cmd, &cause), 0);
	assert_non_null(strstr(buf_cstr(&cmd.out), "CONTOSO\\bob\r\n"));
	counters = ctl("GET", "/hosts/node1.contoso.test/counters", NULL);
	assert_non_null(strstr(counters, "shells_open = 0\n"));
	free(counters);
	wsman_cmd_release(&cmd);
	wsman_free(ws);
}

/*
 * Four reads with 300 ms of latency each, in one batch.  The time is
 * printed, not checked: timing belongs in tests/bench/.
 */
static void
test_batch(void **state)
{
	struct wsman_read r[4];
	struct wsman_opts o;
	struct wsman *ws;
	char *cause = NULL;
	long t0, took;
	size_t i;

	/*
	 * Basic with the local account: an NTLM host gets one connection
	 * (docs/transport.md), and the batch is about several.
	 */
	opts(&o, 6);
	o.auth = WSMAN_AUTH_BASIC;
	o.user = "Administrator";
	if (wsman_new(&ws, &o, &cause) != 0)
		fail_msg("%s", cause);
	memset(r, 0, sizeof(r));
	r[0].kind = WSMAN_READ_GET;
	r[0].ref.uri = URI_AUTH;
	r[1].kind = WSMAN_READ_GET;
	r[1].ref.uri = WSMAN_URI_CONFIG "/client";
	r[2].kind = WSMAN_READ_ENUMERATE;
	r[2].ref.uri = WSMAN_URI_CONFIG "/listener";
	r[3].kind = WSMAN_READ_GET;
	r[3].ref.uri = WSMAN_URI_CONFIG "/winrs";
	fault(6, "latency_ms=300");
	t0 = now_ms();
	assert_int_equal(wsman_read_many(ws, r, 4), 0);
	took = now_ms() - t0;
	fault(6, "clear");
	print_message("4 reads at 300 ms latency from the simulator: %ld ms\n",
	    took);
	for (i = 0; i < 4; i++) {
		assert_int_equal(r[i].rc, 0);
		wsman_read_release(&r[i]);
	}
	wsman_free(ws);
}

/* --- failures ----------------------------------------------------------- */

static void
test_faults(void **state)
{
	struct wsman_opts o;
	struct wsman *ws;
	char *want;

	opts(&o, 6);
	o.operation_timeout_ms = 500;
	o.request_timeout_ms = 1000;
	o.retries = 1;
	if (wsman_new(&ws, &o, &want) != 0)
		fail_msg("%s", want);
	fault(6, "down=1");
	want = xasprintf("connection refused by %s:%d", S.address[6],
	    S.port[6]);
	fails(ws, URI_AUTH, want, WSMAN_E_CONNECT);
	free(want);
	fault(6, "clear http500=1");
	fails(ws, URI_AUTH, "HTTP 500 without a SOAP fault", WSMAN_E_HTTP);
	fault(6, "clear drop_mid_reply=1");
	fails(ws, URI_AUTH, "connection dropped mid-reply", WSMAN_E_CONNECT);
	fault(6, "clear latency_ms=3000");
	fails(ws, URI_AUTH, "no reply within 1000 ms", WSMAN_E_TIMEOUT);
	fault(6, "clear trickle_bps=100");
	fails(ws, URI_AUTH, "no reply within 1000 ms", WSMAN_E_TIMEOUT);
	fault(6, "clear");
	wsman_free(ws);
}

static void
test_auth(void **state)
{
	struct wsman_opts o;
	struct wsman *ws;
	char *cause = NULL;

	struct node *n = NULL;

	opts(&o, 0);
	o.password = "wrong";
	assert_int_equal(wsman_new(&ws, &o, &cause), 0);
	fails(ws, URI_AUTH, "ntlm authentication refused for user "
	    "'CONTOSO\\svc-enforcer' (HTTP 401; server offers: Negotiate, "
	    "Kerberos, Basic", WSMAN_E_AUTH);
	wsman_free(ws);
	/* Basic: the domain account is refused, right password and all. */
	opts(&o, 0);
	o.auth = WSMAN_AUTH_BASIC;
	assert_int_equal(wsman_new(&ws, &o, &cause), 0);
	fails(ws, URI_AUTH, "basic authentication refused for user "
	    "'CONTOSO\\svc-enforcer' (HTTP 401; server offers: Negotiate, "
	    "Kerberos, Basic", WSMAN_E_AUTH);
	wsman_free(ws);
	/* ... and a local account logs on. */
	o.user = "Administrator";
	assert_int_equal(wsman_new(&ws, &o, &cause), 0);
	if (wsman_get(ws, WSMAN_REF(URI_AUTH), &n, &cause) != 0)
		fail_msg("%s", cause);
	node_free(n);
	wsman_free(ws);
	opts(&o, 1);
	o.auth = WSMAN_AUTH_BASIC;
	o.user = "Administrator";
	assert_int_equal(wsman_new(&ws, &o, &cause), 0);
	fails(ws, URI_AUTH, "basic authentication refused for user "
	    "'Administrator' (HTTP 401; server offers: Negotiate, "
	    "Kerberos)", WSMAN_E_AUTH);
	wsman_free(ws);
}

static void
test_certificates(void **state)
{
	static const char *const want[] = {
		"TLS: certificate expired",
		"TLS: certificate name mismatch (certificate is for ",
		"TLS: certificate signed by an unknown CA",
		"TLS: certificate not valid for server authentication (no "
		"serverAuth usage)",
	};
	struct tlsprobe_result r;
	struct wsman *ws;
	char *cause = NULL, *thumb;
	int i;

	for (i = 2; i <= 5; i++) {
		ws = client(i);
		fails(ws, WSMAN_URI_CONFIG, want[i - 2], WSMAN_E_TLS);
		wsman_free(ws);
	}
	for (i = 0; i <= 5; i++) {
		if (i == 1)
			continue;
		if (tlsprobe_run(&r, names[i], S.address[i], S.port[i], S.ca,
		    5000, &cause) != 0)
			fail_msg("%s", cause);
		thumb = truth(i, "listener.HTTPS.*.CertificateThumbprint");
		assert_string_equal(r.thumbprint, thumb);
		assert_int_equal(r.chain_ok, i == 0 || i == 3 || i == 5);
		assert_int_equal(r.name_matches, i != 3);
		assert_int_equal(r.server_auth, i != 5);
		if (i == 2)
			assert_string_equal(r.verify_error,
			    "certificate has expired");
		free(thumb);
		tlsprobe_result_release(&r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transfer),
		cmocka_unit_test(test_config_tree),
		cmocka_unit_test(test_enumerate),
		cmocka_unit_test(test_wmi),
		cmocka_unit_test(test_shell),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_certificates),
	};

	return cmocka_run_group_tests_name("wsman_sim", tests, setup, teardown);
}
