/*
 * shell.c: the remote shell, http://schemas.microsoft.com/wbem/wsman/1/
 * windows/shell/cmd [MS-WSMV 3.1.4.1.30]: Create, Command, Receive,
 * Signal, Send and Delete, Get of a shell, and Enumerate of the user's
 * shells on …/windows/shell.
 *
 * A command runs to completion when it is issued (sim_cmd_run, as
 * `cmd.exe /c LINE` unless WINRS_SKIP_CMD_SHELL); Receive then hands out
 * its stdout and stderr, as much as fits the envelope, base64 chunk by
 * chunk, and CommandState Done with the exit code at the end.  Output is
 * in the shell's code page: 437 (the default) or 65001.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libxml/tree.h>
#include <openssl/evp.h>

#include "sim.h"

#define CMD_URI		SIM_URI_WSMAN "/windows/shell/cmd"
#define SHELLS_URI	SIM_URI_WSMAN "/windows/shell"
#define SHELL_ACT	SIM_NS_RSP "/"
#define TRANSFER	SIM_NS_X "/"
#define STATE_DONE	SIM_NS_RSP "/CommandState/Done"
#define STATE_RUNNING	SIM_NS_RSP "/CommandState/Running"
#define MAX_LINE	32767		/* CreateProcess's limit */
#define CHUNK		4096		/* raw bytes per rsp:Stream */

struct command {
	char		 id[37];
	struct buf	 out, err;
	size_t		 out_off, err_off;
	int		 exit_code;
	int		 done;		/* Done went out */
};

struct shell {
	char		 id[37];
	char		*owner;
	char		*client_ip;
	char		*input_streams;
	char		*output_streams;
	int		 codepage;
	time_t		 created, used;
	struct command	*cmds;
	size_t		 ncmds;
};

struct sim_shells {
	struct shell	*list;
	size_t		 n;
};

static const struct soap_fault f_no_shell = {
	"s:Sender", "w:InvalidSelectors", NULL, "UnexpectedSelectors",
	0x8033805BUL, "The WS-Management service cannot process the request "
	"because the request contained invalid selectors for the resource.",
	"Shell provider", "%systemroot%\\system32\\WsmSvc.dll",
	SOAP_DETAIL_NESTED,
};
static const struct soap_fault f_no_command = {
	"s:Sender", "w:InvalidSelectors", NULL, "UnexpectedSelectors",
	0x8033805BUL, "The Windows Remote Shell received a request to perform "
	"an operation on a command identifier that does not exist. Either the "
	"command has completed execution or the client specified an invalid "
	"command identifier.", NULL, NULL, SOAP_DETAIL_TEXT,
};
static const struct soap_fault f_not_found_file = {
	"s:Receiver", "w:InternalError", NULL, NULL, 2147942402UL,
	"The system cannot find the file specified.", "Shell cmd plugin",
	"%systemroot%\\system32\\winrscmd.dll", SOAP_DETAIL_TEXT,
};
static const struct soap_fault f_too_long = {
	"s:Receiver", "w:InternalError", NULL, NULL, 2147942606UL,
	"The filename or extension is too long.", "Shell cmd plugin",
	"%systemroot%\\system32\\winrscmd.dll", SOAP_DETAIL_TEXT,
};
static const struct soap_fault f_bad_param = {
	"s:Sender", "w:InvalidParameter", NULL, "InvalidValue", 87,
	"The parameter is incorrect.", "Shell cmd plugin",
	"%systemroot%\\system32\\winrscmd.dll", SOAP_DETAIL_TEXT,
};
static const struct soap_fault f_shell_access = {
	"s:Sender", "w:AccessDenied", NULL, NULL, 5,
	"Access is denied.", "Shell cmd plugin",
	"%systemroot%\\system32\\winrscmd.dll", SOAP_DETAIL_TEXT,
};

/* Unicode for CP437 bytes 0x80-0xff. */
static const unsigned short cp437[128] = {
	0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7,
	0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec, 0x00c4, 0x00c5,
	0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9,
	0x00ff, 0x00d6, 0x00dc, 0x00a2, 0x00a3, 0x00a5, 0x20a7, 0x0192,
	0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba,
	0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
	0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
	0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510,
	0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f,
	0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567,
	0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256b,
	0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580,
	0x03b1, 0x00df, 0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4,
	0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229,
	0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248,
	0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2, 0x25a0, 0x00a0,
};

/* One UTF-8 sequence at s (len bytes left): its code point and length. */
static unsigned long
utf8_next(const unsigned char *s, size_t len, size_t *used)
{
	size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1;
	unsigned long cp = n == 1 ? s[0] : s[0] & (0x7f >> n);
	size_t i;

	if (n > len) {
		*used = 1;
		return '?';
	}
	for (i = 1; i < n; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	*used = n;
	return cp;
}

/* cmd.c writes UTF-8; a 437 console shows its OEM bytes, '?' if none. */
static void
to_codepage(const struct buf *in, struct buf *out, int codepage)
{
	const unsigned char *s = (const unsigned char *)in->ptr;
	unsigned long cp;
	size_t i = 0, used, k;

	if (codepage == 65001 || in->len == 0) {
		buf_add(out, in->ptr != NULL ? in->ptr : "", in->len);
		return;
	}
	while (i < in->len) {
		cp = utf8_next(s + i, in->len - i, &used);
		i += used;
		if (cp < 0x80) {
			buf_putc(out, (char)cp);
			continue;
		}
		for (k = 0; k < nitems(cp437) && cp437[k] != cp; k++)
			;
		buf_putc(out, k < nitems(cp437) ? (char)(0x80 + k) : '?');
	}
}

/* --- shells -------------------------------------------------------------- */

static struct sim_shells *
shells(struct sim_host *h)
{
	if (h->shells == NULL)
		h->shells = xcalloc(1, sizeof(*h->shells));
	return h->shells;
}

static void
command_clear(struct command *c)
{
	buf_release(&c->out);
	buf_release(&c->err);
}

static void
shell_clear(struct shell *s)
{
	size_t i;

	for (i = 0; i < s->ncmds; i++)
		command_clear(&s->cmds[i]);
	free(s->cmds);
	free(s->owner);
	free(s->client_ip);
	free(s->input_streams);
	free(s->output_streams);
}

static void
shell_drop(struct sim_host *h, size_t i)
{
	struct sim_shells *ss = h->shells;

	shell_clear(&ss->list[i]);
	ss->list[i] = ss->list[--ss->n];
	h->counters.shells_open = ss->n;
}

/* The shell the ShellId selector names, owned by the caller. */
static struct shell *
shell_selected(struct soap_req *r, size_t *index)
{
	const char *id = soap_selector(r, "ShellId");
	struct sim_shells *ss = shells(r->host);
	size_t i;

	if (id == NULL)
		return NULL;
	for (i = 0; i < ss->n; i++)
		if (strcasecmp(ss->list[i].id, id) == 0 &&
		    strcasecmp(ss->list[i].owner, r->user) == 0) {
			ss->list[i].used = time(NULL);
			if (index != NULL)
				*index = i;
			return &ss->list[i];
		}
	return NULL;
}

static struct command *
command_find(struct shell *s, const char *id, size_t *index)
{
	size_t i;

	for (i = 0; id != NULL && i < s->ncmds; i++)
		if (strcasecmp(s->cmds[i].id, id) == 0) {
			*index = i;
			return &s->cmds[i];
		}
	return NULL;
}

static void
command_drop(struct shell *s, size_t i)
{
	command_clear(&s->cmds[i]);
	s->cmds[i] = s->cmds[--s->ncmds];
}

static void
duration(char *out, size_t len, time_t secs)
{
	snprintf(out, len, "P%ldDT%ldH%ldM%ldS", (long)(secs / 86400),
	    (long)(secs % 86400 / 3600), (long)(secs % 3600 / 60),
	    (long)(secs % 60));
}

/* <rsp:Shell> as Create, Get and Enumerate describe it. */
static void
shell_xml(struct sim_host *h, const struct shell *s, xmlNode *parent)
{
	const char *idle = sim_setting_get(h, "winrm.winrs.IdleTimeout");
	time_t now = time(NULL);
	xmlNode *e;
	xmlNs *ns;
	char buf[64];

	e = xmlNewChild(parent, NULL, (xmlChar *)"Shell", NULL);
	ns = xmlNewNs(e, (xmlChar *)SIM_NS_RSP, (xmlChar *)"rsp");
	xmlSetNs(e, ns);
	soap_add(e, ns, "ShellId", s->id);
	soap_add(e, ns, "ResourceUri", CMD_URI);
	soap_add(e, ns, "Owner", s->owner);
	soap_add(e, ns, "ClientIP", s->client_ip);
	snprintf(buf, sizeof(buf), "PT%ld.%03ldS", atol(idle != NULL ? idle :
	    "7200000") / 1000, atol(idle != NULL ? idle : "7200000") % 1000);
	soap_add(e, ns, "IdleTimeOut", buf);
	soap_add(e, ns, "InputStreams", s->input_streams);
	soap_add(e, ns, "OutputStreams", s->output_streams);
	duration(buf, sizeof(buf), now - s->created);
	soap_add(e, ns, "ShellRunTime", buf);
	duration(buf, sizeof(buf), now - s->used);
	soap_add(e, ns, "ShellInactivity", buf);
}

/* --- operations ---------------------------------------------------------- */

static int
count_owned(struct sim_shells *ss, const char *user)
{
	size_t i;
	int n = 0;

	for (i = 0; i < ss->n; i++)
		n += strcasecmp(ss->list[i].owner, user) == 0;
	return n;
}

static void
created_reply(struct soap_req *r, struct soap_out *out, const struct shell *s)
{
	struct sim_listener *l = tls_listener(r->host, 0);
	xmlNode *body, *rc, *rp, *ss, *sel;
	xmlNs *x, *a, *w;
	char *addr;

	body = soap_reply(out, r, TRANSFER "CreateResponse");
	soap_ns(out, "rsp", SIM_NS_RSP);
	x = soap_ns(out, "x", SIM_NS_X);
	a = soap_ns(out, "a", SIM_NS_A);
	w = soap_ns(out, "w", SIM_NS_W);
	rc = xmlNewChild(body, x, (xmlChar *)"ResourceCreated", NULL);
	addr = xasprintf("https://%s:%d/wsman", r->host->address,
	    l != NULL ? l->port : r->host->port);
	soap_add(rc, a, "Address", addr);
	free(addr);
	rp = xmlNewChild(rc, a, (xmlChar *)"ReferenceParameters", NULL);
	soap_add(rp, w, "ResourceURI", CMD_URI);
	ss = xmlNewChild(rp, w, (xmlChar *)"SelectorSet", NULL);
	sel = soap_add(ss, w, "Selector", s->id);
	xmlNewProp(sel, (xmlChar *)"Name", (xmlChar *)"ShellId");
	shell_xml(r->host, s, body);
}

static int
shell_create(struct soap_req *r, struct soap_out *out)
{
	const char *allow, *max, *cp = soap_option(r, "WINRS_CODEPAGE");
	struct sim_shells *ss = shells(r->host);
	xmlNode *in, *outs;
	struct shell *s;
	char *t;

	allow = sim_setting_get(r->host, "winrm.winrs.AllowRemoteShellAccess");
	if (allow != NULL && strcasecmp(allow, "false") == 0)
		return soap_fault(out, r, &f_shell_access, NULL);
	if (r->body == NULL || !xmlStrEqual(r->body->name, (xmlChar *)"Shell"))
		return soap_fault(out, r, &soap_f_schema_validation, NULL);
	max = sim_setting_get(r->host, "winrm.winrs.MaxShellsPerUser");
	if (max != NULL && count_owned(ss, r->user) >= atol(max)) {
		t = xasprintf("The WS-Management service cannot process the "
		    "request. This user is allowed a maximum number of %s "
		    "concurrent shells, which has been exceeded. Close "
		    "existing shells or raise the quota for this user.", max);
		soap_fault(out, r, &soap_f_quota_limit, t);
		free(t);
		return 0;
	}
	ss->list = xreallocarray(ss->list, ss->n + 1, sizeof(*ss->list));
	s = &ss->list[ss->n++];
	memset(s, 0, sizeof(*s));
	soap_uuid(s->id);
	s->owner = xstrdup(r->user);
	s->client_ip = xstrdup(r->client_ip != NULL ? r->client_ip : "");
	s->codepage = cp != NULL && atoi(cp) == 65001 ? 65001 : 437;
	s->created = s->used = time(NULL);
	in = soap_child(r->body, SIM_NS_RSP, "InputStreams");
	outs = soap_child(r->body, SIM_NS_RSP, "OutputStreams");
	s->input_streams = in != NULL ? soap_text(in) : xstrdup("stdin");
	s->output_streams = outs != NULL ? soap_text(outs) :
	    xstrdup("stdout stderr");
	r->host->counters.shells_open = ss->n;
	r->host->counters.shells_created++;
	created_reply(r, out, s);
	return 0;
}

/* cmd.exe built-ins, which do not exist without cmd.exe. */
static int
is_builtin(const char *line)
{
	static const char *const b[] = { "echo", "type", "del", "erase",
	    "exit", "set", "dir", "cd", "chdir", "copy", "move", "ren",
	    "rename", "md", "mkdir", "rd", "rmdir", "cls", "ver", "vol", "if",
	    "for", "call", "start", "pushd", "popd", "path", "prompt" };
	size_t i, n = strcspn(line, " \t");

	for (i = 0; i < nitems(b); i++)
		if (strlen(b[i]) == n && strncasecmp(line, b[i], n) == 0)
			return 1;
	return 0;
}

/* Command and Arguments joined as the process's command line. */
static char *
command_line(xmlNode *cl)
{
	struct buf line = BUF_INIT;
	xmlNode *c;
	char *t;

	for (c = cl->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    (!xmlStrEqual(c->name, (xmlChar *)"Command") &&
		    !xmlStrEqual(c->name, (xmlChar *)"Arguments")))
			continue;
		t = soap_text(c);
		if (*t != '\0')
			buf_printf(&line, "%s%s", line.len > 0 ? " " : "", t);
		free(t);
	}
	return buf_detach(&line);
}

static int
shell_command(struct soap_req *r, struct soap_out *out, struct shell *s)
{
	const char *skip = soap_option(r, "WINRS_SKIP_CMD_SHELL");
	struct buf o = BUF_INIT, e = BUF_INIT;
	struct command *c;
	xmlNode *body;
	char *line;
	int wrote = 0, code, direct;

	if (r->body == NULL ||
	    !xmlStrEqual(r->body->name, (xmlChar *)"CommandLine"))
		return soap_fault(out, r, &soap_f_schema_validation, NULL);
	line = command_line(r->body);
	direct = skip != NULL && strcasecmp(skip, "TRUE") == 0;
	if (strlen(line) > MAX_LINE) {
		free(line);
		return soap_fault(out, r, &f_too_long, NULL);
	}
	if (direct && is_builtin(line)) {
		free(line);
		return soap_fault(out, r, &f_not_found_file, NULL);
	}
	code = sim_cmd_run(r->host, r->user, line, &o, &e, &wrote);
	free(line);
	if (direct && code == 9009) {
		buf_release(&o);
		buf_release(&e);
		return soap_fault(out, r, &f_not_found_file, NULL);
	}
	r->wrote |= wrote;
	s->cmds = xreallocarray(s->cmds, s->ncmds + 1, sizeof(*s->cmds));
	c = &s->cmds[s->ncmds++];
	memset(c, 0, sizeof(*c));
	soap_uuid(c->id);
	c->exit_code = code;
	to_codepage(&o, &c->out, s->codepage);
	to_codepage(&e, &c->err, s->codepage);
	buf_release(&o);
	buf_release(&e);
	body = soap_reply(out, r, SHELL_ACT "CommandResponse");
	body = xmlNewChild(body, soap_ns(out, "rsp", SIM_NS_RSP),
	    (xmlChar *)"CommandResponse", NULL);
	soap_add(body, body->ns, "CommandId", c->id);
	return 0;
}

static void
stream(xmlNode *parent, xmlNs *ns, const char *name, const char *cid,
    const char *data, size_t len, int end)
{
	unsigned char *b64;
	xmlNode *e;

	b64 = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock(b64, (const unsigned char *)data, (int)len);
	e = soap_add(parent, ns, "Stream", len > 0 ? (char *)b64 : NULL);
	xmlNewProp(e, (xmlChar *)"Name", (xmlChar *)name);
	xmlNewProp(e, (xmlChar *)"CommandId", (xmlChar *)cid);
	if (end)
		xmlNewProp(e, (xmlChar *)"End", (xmlChar *)"true");
	free(b64);
}

/* Chunks of one stream while the budget lasts; 1 once all of it is out. */
static int
drain(xmlNode *rr, xmlNs *ns, const char *name, struct command *c,
    const struct buf *b, size_t *off, size_t *budget)
{
	size_t n;

	while (*off < b->len && *budget > 0) {
		n = b->len - *off;
		n = n < CHUNK ? n : CHUNK;
		n = n < *budget ? n : *budget;
		stream(rr, ns, name, c->id, b->ptr + *off, n, 0);
		*off += n;
		*budget -= n;
	}
	return *off == b->len;
}

static int
shell_receive(struct soap_req *r, struct soap_out *out, struct shell *s)
{
	xmlNode *ds, *rr, *st;
	struct command *c;
	size_t index, budget;
	char *cid = NULL, code[16];
	xmlNs *ns;
	int all;

	if (r->body == NULL ||
	    !xmlStrEqual(r->body->name, (xmlChar *)"Receive"))
		return soap_fault(out, r, &soap_f_schema_validation, NULL);
	if ((ds = soap_child(r->body, SIM_NS_RSP, "DesiredStream")) != NULL)
		cid = (char *)xmlGetProp(ds, (xmlChar *)"CommandId");
	c = command_find(s, cid, &index);
	xmlFree(cid);
	if (c == NULL || c->done)
		return soap_fault(out, r, &f_no_command, NULL);
	/* Base64 and the envelope around it must fit MaxEnvelopeSize. */
	budget = r->max_envelope > 8192 ? (r->max_envelope - 4096) / 4 * 3 :
	    1024;
	rr = soap_reply(out, r, SHELL_ACT "ReceiveResponse");
	ns = soap_ns(out, "rsp", SIM_NS_RSP);
	rr = xmlNewChild(rr, ns, (xmlChar *)"ReceiveResponse", NULL);
	all = drain(rr, ns, "stdout", c, &c->out, &c->out_off, &budget);
	all = drain(rr, ns, "stderr", c, &c->err, &c->err_off, &budget) && all;
	if (all) {
		stream(rr, ns, "stdout", c->id, "", 0, 1);
		stream(rr, ns, "stderr", c->id, "", 0, 1);
	}
	st = xmlNewChild(rr, ns, (xmlChar *)"CommandState", NULL);
	xmlNewProp(st, (xmlChar *)"CommandId", (xmlChar *)c->id);
	xmlNewProp(st, (xmlChar *)"State", (xmlChar *)(all ? STATE_DONE :
	    STATE_RUNNING));
	if (all) {
		snprintf(code, sizeof(code), "%d", c->exit_code);
		soap_add(st, ns, "ExitCode", code);
		c->done = 1;
	}
	return 0;
}

static int
shell_signal(struct soap_req *r, struct soap_out *out, struct shell *s)
{
	char *cid, *code, *verb;
	struct command *c;
	size_t index;
	xmlNode *body;

	if (r->body == NULL || !xmlStrEqual(r->body->name, (xmlChar *)"Signal"))
		return soap_fault(out, r, &soap_f_schema_validation, NULL);
	cid = (char *)xmlGetProp(r->body, (xmlChar *)"CommandId");
	c = command_find(s, cid, &index);
	xmlFree(cid);
	if (c == NULL)
		return soap_fault(out, r, &f_no_command, NULL);
	code = soap_text(soap_child(r->body, SIM_NS_RSP, "Code"));
	verb = strrchr(code, '/') != NULL ? strrchr(code, '/') + 1 : code;
	if (strcasecmp(verb, "terminate") == 0)
		command_drop(s, index);
	else if (strcasecmp(verb, "ctrl_c") != 0 &&
	    strcasecmp(verb, "ctrl_break") != 0) {
		free(code);
		return soap_fault(out, r, &f_bad_param, NULL);
	}
	free(code);
	body = soap_reply(out, r, SHELL_ACT "SignalResponse");
	xmlNewChild(body, soap_ns(out, "rsp", SIM_NS_RSP),
	    (xmlChar *)"SignalResponse", NULL);
	return 0;
}

static int
shell_enumerate(struct soap_req *r, struct soap_out *out)
{
	struct sim_shells *ss = shells(r->host);
	xmlNode *filter, *set, *sel, *items;
	char *want = NULL, *dialect;
	size_t i;

	if ((filter = soap_child(r->body, SIM_NS_W, "Filter")) != NULL) {
		dialect = (char *)xmlGetProp(filter, (xmlChar *)"Dialect");
		set = soap_child(filter, SIM_NS_W, "SelectorSet");
		sel = soap_child(set, SIM_NS_W, "Selector");
		if (dialect == NULL || sel == NULL || strcmp(dialect,
		    "http://schemas.dmtf.org/wbem/wsman/1/wsman/"
		    "SelectorFilter") != 0) {
			xmlFree(dialect);
			return soap_fault(out, r, &soap_f_cannot_process_filter,
			    NULL);
		}
		xmlFree(dialect);
		want = soap_text(sel);
	}
	items = soap_items_new();
	for (i = 0; i < ss->n; i++)
		if (strcasecmp(ss->list[i].owner, r->user) == 0 &&
		    (want == NULL || strcasecmp(ss->list[i].id, want) == 0))
			shell_xml(r->host, &ss->list[i], items);
	free(want);
	return soap_enumerate(out, r, items);
}

/* Operations on one shell, named by the ShellId selector. */
static int
on_shell(struct soap_req *r, struct soap_out *out)
{
	const char *act = r->action;
	struct shell *s;
	size_t index;

	if ((s = shell_selected(r, &index)) == NULL)
		return soap_fault(out, r, &f_no_shell, NULL);
	if (strcmp(act, SHELL_ACT "Command") == 0)
		return shell_command(r, out, s);
	if (strcmp(act, SHELL_ACT "Receive") == 0)
		return shell_receive(r, out, s);
	if (strcmp(act, SHELL_ACT "Signal") == 0)
		return shell_signal(r, out, s);
	if (strcmp(act, SHELL_ACT "Send") == 0)
		return soap_fault(out, r, &f_no_command, NULL);
	if (strcmp(act, TRANSFER "Get") == 0) {
		shell_xml(r->host, s, soap_reply(out, r,
		    TRANSFER "GetResponse"));
		return 0;
	}
	if (strcmp(act, TRANSFER "Delete") != 0)
		return soap_fault(out, r, &soap_f_action_not_supported, NULL);
	shell_drop(r->host, index);
	soap_reply(out, r, TRANSFER "DeleteResponse");
	return 0;
}

int
shell_handle(struct soap_req *r, struct soap_out *out)
{
	static const char *const on_one[] = { SHELL_ACT "Command",
	    SHELL_ACT "Receive", SHELL_ACT "Signal", SHELL_ACT "Send",
	    TRANSFER "Get", TRANSFER "Delete" };
	size_t i;

	if (strcasecmp(r->resource_uri, SHELLS_URI) == 0) {
		if (strcmp(r->action, SIM_NS_N "/Enumerate") == 0)
			return shell_enumerate(r, out);
		return soap_fault(out, r, &soap_f_action_not_supported, NULL);
	}
	if (strcasecmp(r->resource_uri, CMD_URI) != 0)
		return soap_fault(out, r, &soap_f_destination_unreachable,
		    NULL);
	if (strcmp(r->action, TRANSFER "Create") == 0)
		return shell_create(r, out);
	for (i = 0; i < nitems(on_one); i++)
		if (strcmp(r->action, on_one[i]) == 0)
			return on_shell(r, out);
	return soap_fault(out, r, &soap_f_action_not_supported, NULL);
}

void
shell_reap(struct sim_host *h)
{
	const char *idle = sim_setting_get(h, "winrm.winrs.IdleTimeout");
	time_t limit = (idle != NULL ? atol(idle) : 7200000) / 1000;
	time_t now = time(NULL);
	size_t i = 0;

	while (h->shells != NULL && i < h->shells->n)
		if (now - h->shells->list[i].used > limit)
			shell_drop(h, i);
		else
			i++;
}

void
shell_host_release(struct sim_host *h)
{
	if (h->shells == NULL)
		return;
	while (h->shells->n > 0)
		shell_drop(h, 0);
	free(h->shells->list);
	free(h->shells);
	h->shells = NULL;
}
