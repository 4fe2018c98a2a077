/*
 * fuzz_host_read.c: each state module's read (states/<kind>.c) on what a
 * scripted host returns: WMI instances, WS-Man configuration, registry
 * method outputs, and command output (schtasks CSV and task XML for the
 * fail-safe), then the module's diff on what it read.
 *
 * Input: byte 0 picks the kind; the rest is split at 0xFF bytes (fuzz.h)
 * into chunks that a fake host consumes in order.  It plays the remote
 * shell's protocol itself (Create, Command, Signal, Delete are fixed
 * replies), so that every chunk is host data: a Receive's chunk is one
 * byte of exit code then the command's stdout; any other request's chunk
 * is the inside of the reply's s:Body (prefixes s, a, n, w, p, x, rsp
 * declared).  Once the chunks run out the connection is refused.
 *
 * wsman_listener is left out: its read opens a TLS connection to the
 * port the reply names; its parts are fuzzed here through the client and
 * in fuzz_certstore.c.
 * Seeds: tests/fuzz/corpus/host_read (one session per kind).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "model.h"
#include "state.h"
#include "window_failsafe.h"
#include "wsman.h"

#define FH_SHELL_ID	"4283CBDC-3706-415B-88BD-B385F3E51A53"
#define FH_CMD_ID	"CF84C20A-0A35-43FA-AF78-0B4711DA5F30"
#define FH_NOW		1795597200	/* 2026-11-25T09:00:00Z, window wiz */
#define FH_SHELL_NS	"http://schemas.microsoft.com/wbem/wsman/1/windows/shell"

/* The kinds read, and the desired state they read for. */
static const char *fh_kinds[] = {
	"credssp", "failsafe", "local_group", "service", "trusted_hosts",
};
static const char fh_desired[] =
    "hosts: {node1.contoso.test: {}}\n"
    "policies:\n"
    "  all:\n"
    "    credssp: {server: {enabled: false}, client: {enabled: true,\n"
    "      delegate: ['wsman/*.contoso.test']}, encryption_oracle: mitigated}\n"
    "    local_group:\n"
    "      Administrators: {members: [Administrator, 'CONTOSO\\Domain Admins',\n"
    "        admin@contoso.test], exclusive: true}\n"
    "      Gateway Administrators: {members: ['S-1-5-21-1-2-3-1105']}\n"
    "    service: {WinRM: {state: running, start_mode: auto}, Spooler: stopped}\n"
    "    trusted_hosts: {hosts: ['*.contoso.test'], exclusive: true}\n"
    "windows:\n"
    "  wiz:\n"
    "    start: 2026-11-25T09:00:00Z\n"
    "    end: 2026-11-25T11:00:00Z\n"
    "    reason: fuzz\n"
    "    apply: {all: {credssp: {server: enabled}}}\n";

struct fh {
	struct fuzz_chunk	*chunks;
	size_t			 n;
	size_t			 next;
};

/* The text of the first element or attribute value after key, or NULL. */
static char *
fh_after(const char *xml, const char *key, const char *stop)
{
	const char *p, *q;

	if ((p = strstr(xml, key)) == NULL)
		return NULL;
	p += strlen(key);
	q = p + strcspn(p, stop);
	return xstrndup(p, (size_t)(q - p));
}

static void
fh_base64(struct buf *b, const unsigned char *s, size_t len)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789+/";
	size_t i;
	unsigned v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
		buf_putc(b, t[v >> 18 & 63]);
		buf_putc(b, t[v >> 12 & 63]);
		buf_putc(b, t[v >> 6 & 63]);
		buf_putc(b, t[v & 63]);
	}
	if (len - i == 1) {
		v = (unsigned)s[i] << 16;
		buf_printf(b, "%c%c==", t[v >> 18 & 63], t[v >> 12 & 63]);
	} else if (len - i == 2) {
		v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8;
		buf_printf(b, "%c%c%c=", t[v >> 18 & 63], t[v >> 12 & 63],
		    t[v >> 6 & 63]);
	}
}

/* A Receive's body: exit code from the chunk's first byte, then stdout. */
static void
fh_receive(struct buf *b, const struct fuzz_chunk *c)
{
	buf_puts(b, "<rsp:ReceiveResponse><rsp:Stream Name=\"stdout\" "
	    "CommandId=\"" FH_CMD_ID "\">");
	if (c->len > 1)
		fh_base64(b, (const unsigned char *)c->text + 1, c->len - 1);
	buf_printf(b, "</rsp:Stream><rsp:CommandState CommandId=\"" FH_CMD_ID
	    "\" State=\"" FH_SHELL_NS "/CommandState/Done\"><rsp:ExitCode>%u"
	    "</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse>",
	    c->len > 0 ? (unsigned char)c->text[0] : 0);
}

/* The body for a request with this action, or -1: no chunk left. */
static int
fh_body(struct fh *h, const char *action, const char *req, struct buf *b)
{
	const char *op = strrchr(action, '/') != NULL ?
	    strrchr(action, '/') + 1 : action;
	int shell = strstr(req, WSMAN_URI_CMD "<") != NULL;

	if (shell && strcmp(op, "Create") == 0)
		buf_puts(b, "<x:ResourceCreated><a:Address>http://h/wsman"
		    "</a:Address><a:ReferenceParameters><w:ResourceURI>"
		    WSMAN_URI_CMD "</w:ResourceURI><w:SelectorSet><w:Selector "
		    "Name=\"ShellId\">" FH_SHELL_ID "</w:Selector>"
		    "</w:SelectorSet></a:ReferenceParameters>"
		    "</x:ResourceCreated><rsp:Shell><rsp:ShellId>" FH_SHELL_ID
		    "</rsp:ShellId></rsp:Shell>");
	else if (shell && strcmp(op, "Command") == 0)
		buf_puts(b, "<rsp:CommandResponse><rsp:CommandId>" FH_CMD_ID
		    "</rsp:CommandId></rsp:CommandResponse>");
	else if (shell && strcmp(op, "Signal") == 0)
		buf_puts(b, "<rsp:SignalResponse/>");
	else if (shell && strcmp(op, "Delete") == 0)
		;
	else if (h->next >= h->n)
		return -1;
	else if (shell && strcmp(op, "Receive") == 0)
		fh_receive(b, &h->chunks[h->next++]);
	else
		buf_puts(b, h->chunks[h->next++].text);
	return 0;
}

static void
fh_one(struct fh *h, struct wsman_http *x)
{
	char *req = xstrndup(x->body, x->body_len), *action, *id;

	action = fh_after(req, "Action s:mustUnderstand=\"true\">", "<");
	if (action == NULL)
		action = fh_after(req, "Action>", "<");
	id = fh_after(req, "MessageID>", "<");
	buf_printf(&x->reply, "<s:Envelope xmlns:s=\"http://www.w3.org/2003/"
	    "05/soap-envelope\" xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/"
	    "08/addressing\" xmlns:n=\"http://schemas.xmlsoap.org/ws/2004/09/"
	    "enumeration\" xmlns:x=\"http://schemas.xmlsoap.org/ws/2004/09/"
	    "transfer\" xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/"
	    "wsman.xsd\" xmlns:p=\"http://schemas.microsoft.com/wbem/wsman/1/"
	    "wsman.xsd\" xmlns:rsp=\"" FH_SHELL_NS "\"><s:Header><a:Action>"
	    "%sResponse</a:Action><a:RelatesTo>%s</a:RelatesTo></s:Header>"
	    "<s:Body>", action != NULL ? action : "", id != NULL ? id : "");
	if (action == NULL || fh_body(h, action, req, &x->reply) == -1) {
		buf_release(&x->reply);
		x->curl_code = 7;	/* CURLE_COULDNT_CONNECT */
		x->os_errno = 111;
	} else {
		buf_puts(&x->reply, "</s:Body></s:Envelope>");
		x->status = 200;
	}
	free(action);
	free(id);
	free(req);
}

static void
fh_exchange(void *arg, struct wsman_http **x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fh_one(arg, x[i]);
}

/* With FUZZ_DEBUG set, what was read: to check that a seed goes deep. */
static void
fh_debug(const char *kind, const struct node *obs, const char *cause)
{
	struct buf b = BUF_INIT;

	if (getenv("FUZZ_DEBUG") == NULL)
		return;
	if (obs != NULL)
		node_emit(obs, &b, 1);
	fprintf(stderr, "%s: %s\n", kind, obs != NULL ? buf_cstr(&b) : cause);
	buf_release(&b);
}

/* The host's effective desired state, as the engine gets it; once. */
static const struct node *
fh_desired_tree(void)
{
	static struct node *eff;
	static struct model *m;
	struct node *fs = NULL;
	struct model_file f = { "fuzz.yaml", fh_desired, sizeof(fh_desired) - 1 };
	struct errors errs = ERRORS_INIT;
	char *cause = NULL;

	if (eff != NULL)
		return eff;
	if (model_load_files(&m, &f, 1, &errs) == -1 ||
	    model_effective(&eff, m, &m->hosts[0], FH_NOW, &cause) == -1 ||
	    window_failsafe_desired(&fs, m, &m->hosts[0], FH_NOW,
	    node_get(eff, "credssp"), &cause) == -1)
		fatal("fuzz_host_read: its own desired state: %s",
		    errs.n > 0 ? errs.msg[0] : cause);
	node_map_set(eff, "failsafe", fs);
	return eff;
}

static void
fh_read(const char *kind, struct wsman *ws)
{
	const struct state_ops *ops = state_find(kind);
	const struct node *desired = node_get(fh_desired_tree(), kind);
	struct state_ctx ctx = { "node1.contoso.test", ws, NULL, 5986, NULL,
	    FH_NOW, NULL, NULL };
	struct changes cs = CHANGES_INIT;
	struct node *obs = NULL;
	char *cause = NULL;

	if (ops == NULL || desired == NULL)
		abort();
	if (ops->read(&ctx, desired, &obs, &cause) == 0) {
		fh_debug(kind, obs, NULL);
		if (ops->diff(desired, obs, ctx.now, &cs, &cause) == -1)
			free(cause);
		changes_clear(&cs);
	} else {
		fh_debug(kind, NULL, cause);
		free(cause);
	}
	node_free(obs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsman_transport_ops ops;
	struct wsman_opts o;
	struct wsman *ws = NULL;
	struct fh h;
	char *cause = NULL;
	size_t k;

	if (size == 0)
		return 0;
	k = data[0] % nitems(fh_kinds);
	memset(&h, 0, sizeof(h));
	h.chunks = fuzz_chunks(data + 1, size - 1, &h.n);
	ops.exchange = fh_exchange;
	ops.arg = &h;
	wsman_opts_init(&o);
	o.name = "node1.contoso.test";
	o.user = "CONTOSO\\svc-enforcer";
	o.password = "fuzz";
	o.retries = 1;
	o.ops = &ops;
	fuzz_in_input = 1;
	if (wsman_new(&ws, &o, &cause) == 0)
		fh_read(fh_kinds[k], ws);
	wsman_free(ws);
	free(cause);
	fuzz_chunks_free(h.chunks, h.n);
	fuzz_in_input = 0;
	return 0;
}
