/*
 * wsman.h: a WinRM client: WS-Management (SOAP 1.2) over HTTPS (or HTTP
 * with message encryption), with
 * libcurl for the transport and libxml2 for the envelopes.
 *
 * One struct wsman talks to one host.  It owns a small pool of libcurl
 * handles (one per connection, kept alive between requests) and, when a
 * command has been run, one open remote shell.
 *
 * Threads.  A struct wsman is used by one thread at a time; different
 * hosts' clients may run in parallel threads (the engine's bounded pool of
 * one thread per host).  Clients share nothing; the libraries are
 * initialised once, whichever thread comes first.  Within one host,
 * independent reads go out together over up to max_connections
 * connections (wsman_read_many).  One curl multi handle across many hosts
 * is not supported.  As libcurl and OpenSSL require, the program must
 * ignore SIGPIPE.
 *
 * Errors.  Every function that can fail returns 0 or -1 and fills
 * "char **cause" with one line, owned by the caller, of the form
 *	HOST: OPERATION RESOURCE: what happened
 * e.g. "node2.contoso.test: Get http://.../config/service/auth: WS-Man
 * fault 2150858843 (w:InvalidSelectors): The WS-Management service cannot
 * ...".  wsman_last_error() and wsman_last_fault() classify the last
 * failure for callers that act on it.  Passwords never appear in a cause.
 *
 * Data.  Resources come back as node trees (node.h) built from the XML:
 *  - an element holding only text becomes a scalar, plain so that YAML
 *    typing applies ("true" is a boolean, "5986" an integer), except text
 *    that would read as null ("", "null", "~"), which stays a string;
 *    xsi:nil="true" becomes null;
 *  - an element with child elements becomes a map keyed by local name, in
 *    document order; a name that repeats becomes a sequence (wsman_list()
 *    reads one or many alike);
 *  - attributes (other than namespace declarations and xsi:) become keys
 *    "@Attr" of their element's map, or "Name@Attr" next to a scalar
 *    element: <cfg:Basic Source="GPO">true</cfg:Basic> gives Basic: true,
 *    "Basic@Source": GPO.
 * The same rules, reversed, turn a node map into the body of a Put, a
 * Create or a method call.
 */
#ifndef ENFORCER_WSMAN_H
#define ENFORCER_WSMAN_H

#include <stddef.h>

#include <libxml/parser.h>

#include "node.h"
#include "util.h"

/* Namespaces (docs/windows-behaviour.md#namespaces). */
#define WSMAN_NS_SOAP	"http://www.w3.org/2003/05/soap-envelope"
#define WSMAN_NS_WSA	"http://schemas.xmlsoap.org/ws/2004/08/addressing"
#define WSMAN_NS_WSMAN	"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
#define WSMAN_NS_WSMV	"http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
#define WSMAN_NS_WST	"http://schemas.xmlsoap.org/ws/2004/09/transfer"
#define WSMAN_NS_WSEN	"http://schemas.xmlsoap.org/ws/2004/09/enumeration"
#define WSMAN_NS_RSP	"http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
#define WSMAN_NS_FAULT	"http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
#define WSMAN_NS_XSI	"http://www.w3.org/2001/XMLSchema-instance"
#define WSMAN_NS_WMIERR	\
	"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError"

/* Resource URIs and dialects. */
#define WSMAN_URI_CONFIG	"http://schemas.microsoft.com/wbem/wsman/1/config"
#define WSMAN_URI_WMI		"http://schemas.microsoft.com/wbem/wsman/1/wmi"
#define WSMAN_URI_CMD	"http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
#define WSMAN_DIALECT_WQL	"http://schemas.microsoft.com/wbem/wsman/1/WQL"
#define WSMAN_DIALECT_SELECTOR	\
	"http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter"
#define WSMAN_SIGNAL_TERMINATE	\
	"http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate"

/* WSManFault codes the client acts on. */
#define WSMAN_FAULT_TIMED_OUT	2150858793UL	/* w:TimedOut: Receive again */

enum wsman_auth {
	WSMAN_AUTH_BASIC,	/* user + password, local accounts only */
	WSMAN_AUTH_NTLM,	/* user + password: NTLMv2 in Negotiate */
	WSMAN_AUTH_NEGOTIATE,	/* Kerberos in Negotiate: ticket cache,
				   client keytab, or user + password */
	WSMAN_AUTH_CERTIFICATE,	/* TLS client certificate, mapped by the host */
};

/* "basic", "ntlm", "negotiate" (or "kerberos"), "certificate". */
int wsman_auth_parse(const char *name, enum wsman_auth *out);
const char *wsman_auth_name(enum wsman_auth);

/* What went wrong last; see wsman_last_error(). */
enum wsman_error {
	WSMAN_OK = 0,
	WSMAN_E_USAGE,		/* bad argument or configuration */
	WSMAN_E_CONNECT,	/* cannot resolve or connect */
	WSMAN_E_TIMEOUT,	/* connect, reply or command took too long */
	WSMAN_E_TLS,		/* handshake or certificate verification */
	WSMAN_E_AUTH,		/* HTTP 401: credentials refused */
	WSMAN_E_HTTP,		/* another HTTP failure without a SOAP fault */
	WSMAN_E_REPLY,		/* malformed, hostile, truncated or too big */
	WSMAN_E_FAULT,		/* the host answered with a SOAP fault */
};

/*
 * One HTTP exchange, as the transport saw it.  The client fills the
 * request part; an exchange function (libcurl's in transport.c, or a
 * test's) fills the outcome.  curl_code is a CURLcode in both cases, so
 * that tests can replay any failure libcurl reports.
 */
#define WSMAN_ERRBUF_SIZE 512	/* CURL_ERROR_SIZE (256), or a GSSAPI
				   failure and what to do about it */
struct wsman_http {
	/* request */
	const char	*body;
	size_t		 body_len;
	long		 timeout_ms;	/* whole exchange */
	size_t		 max_reply;	/* abort beyond this many bytes */
	/* outcome */
	int		 curl_code;	/* CURLE_OK once a reply arrived */
	int		 os_errno;	/* CURLINFO_OS_ERRNO */
	int		 connected;	/* got as far as a TCP connection */
	int		 handshaken;	/* ... and through TLS */
	int		 not_sent;	/* held back: the client timed out
					   before (curl_code: a timeout) */
	long		 verify_result;	/* CURLINFO_SSL_VERIFYRESULT */
	long		 status;	/* HTTP status, 0 if none */
	int		 too_big;	/* aborted at max_reply */
	char		 errbuf[WSMAN_ERRBUF_SIZE];	/* curl's words */
	struct buf	 offered;	/* WWW-Authenticate schemes, ", " */
	struct buf	 peer;		/* names in the server's certificate */
	struct buf	 reply;		/* body as received */
	struct buf	 peer_chain;	/* HTTPS: the certificates the server
					   presented, DER, leaf first */
};

/*
 * The HTTP exchange, replaceable.  exchange() performs x[0..n) (at the
 * same time if it can) and fills each outcome; it cannot fail as a whole.
 */
struct wsman_transport_ops {
	void	(*exchange)(void *arg, struct wsman_http **x, size_t n);
	void	 *arg;
};

/* Release an exchange's outcome buffers (not the request). */
void wsman_http_release(struct wsman_http *);

/*
 * Connection options.  wsman_opts_init() fills the defaults; wsman_new()
 * copies everything except the secrets, which are borrowed and must
 * outlive the client.
 */
/*
 * A client's reads at once, each batch over up to this many connections:
 * credssp's six independent reads (the WinRM configuration tree, the
 * oracle, each delegation list's flag and value names) in one round, not
 * two; a connection more costs a full TLS handshake and, under NTLM, a
 * logon (docs/performance.md, "One host in sync, round by round").
 */
#define WSMAN_MAX_CONNECTIONS	6

struct wsman_opts {
	const char	*name;		/* host name: URL, SNI, certificate */
	const char	*address;	/* connect here instead; NULL: name */
	int		 port;		/* 5986 */
	const char	*scheme;	/* "https"; "http": sealed messages */
	const char	*path;		/* URL prefix: "wsman" */

	enum wsman_auth	 auth;		/* WSMAN_AUTH_BASIC */
	const char	*user;
	const char	*password;	/* borrowed, never copied or logged */
	const char	*cert_file;	/* certificate auth: PEM certificate */
	const char	*key_file;	/* its key; NULL: in cert_file */
	const char	*key_password;	/* borrowed; may be NULL */

	const char	*ca_file;	/* trust anchors; NULL: system bundle */
	int		 tls_verify;	/* 1; 0 only when asked explicitly */

	long		 connect_timeout_ms;	/* 5000 */
	long		 operation_timeout_ms;	/* OperationTimeout: 20000 */
	long		 request_timeout_ms;	/* one exchange, and each
						   Kerberos call; 0: operation
						   + 5000; must exceed it */
	long		 command_timeout_ms;	/* one shell command: 600000 */
	unsigned	 retries;		/* extra tries for reads: 2 */
	long		 retry_backoff_ms;	/* first pause, doubling: 200 */
	size_t		 max_reply;		/* bytes per reply: 1 MiB */
	size_t		 max_output;		/* command output: 16 MiB */
	size_t		 max_envelope;		/* MaxEnvelopeSize: 153600 */
	unsigned	 max_items;		/* enumeration items: 100000 */
	unsigned	 max_connections;	/* parallel reads: 6 */
	unsigned	 codepage;		/* shell code page: 65001 */
	const char	*locale;		/* "en-US" */

	const struct wsman_transport_ops *ops;	/* NULL: libcurl; tests
						   bring their own */
	int		(*stop)(void);	/* non-zero: the run was asked to stop;
					   NULL: never */
	long		 stop_grace_ms;	/* then a running command gets this
					   much longer at most: 10000 */
};

void wsman_opts_init(struct wsman_opts *);

struct wsman;

/*
 * Make a client for one host; nothing is sent yet.  Refuses plain HTTP
 * except with NTLM or Kerberos, which then seal every message (no
 * password, hash, ticket or SOAP body ever crosses the network in clear),
 * and incoherent timeouts.  *out is owned by the caller: wsman_free().
 */
int wsman_new(struct wsman **out, const struct wsman_opts *, char **cause);

/* Delete the open shell, if any, reporting failure; the client stays. */
int wsman_close(struct wsman *, char **cause);

/*
 * Delete the open shell if any (errors ignored) and free everything;
 * libcurl's copies of the password are wiped on the way.
 */
void wsman_free(struct wsman *);

const char *wsman_host(const struct wsman *);

/*
 * 0 when the client was told not to verify TLS: the caller must say so,
 * loudly, in every run's output.
 */
int wsman_tls_verified(const struct wsman *);

/*
 * The certificates the host presented on the connection of the last
 * successful exchange (DER, leaf first, concatenated), so a caller can
 * judge the listener's certificate without a handshake of its own.
 * Borrowed until the next operation; NULL when there was none (plain HTTP,
 * nothing sent yet, a replaced transport).
 */
const struct buf *wsman_peer_chain(const struct wsman *);

/*
 * The last operation's failure class (WSMAN_OK after a success), and its
 * SOAP fault: borrowed until the next operation; NULL if it was no fault.
 */
struct wsman_fault {
	char		*code;		/* s:Code value: "s:Sender" */
	char		*subcode;	/* "w:InvalidSelectors", or NULL */
	unsigned long	 wsman_code;	/* WSManFault Code or error_Code; 0 */
	char		*message;	/* one line, no trailing full stop */
	char		*machine;	/* WSManFault Machine, or NULL */
	char		*detail;	/* w:FaultDetail URI, or NULL */
};
enum wsman_error wsman_last_error(const struct wsman *);
const struct wsman_fault *wsman_last_fault(const struct wsman *);

/* --- operations ------------------------------------------------------- */

struct wsman_selector {
	const char	*name;
	const char	*value;
};

struct wsman_option {
	const char	*name;
	const char	*value;
};

/* A resource: URI plus selectors. */
struct wsman_ref {
	const char			*uri;
	const struct wsman_selector	*sel;
	size_t				 nsel;
};
#define WSMAN_REF(u)	(&(const struct wsman_ref){ (u), NULL, 0 })

/*
 * The body of a Put or Create: element name and namespace, and its
 * children from a node map (see the rules at the top); or, instead, an
 * element copied as it is (xml not NULL).
 */
struct wsman_body {
	const char		*name;
	const char		*ns;
	const struct node	*fields;
	const xmlNode		*xml;
};

/* An enumeration filter: WQL text, or a selector filter. */
struct wsman_filter {
	const char			*wql;
	const struct wsman_selector	*sel;
	size_t				 nsel;
};

/* WS-Transfer.  *out (owned by the caller) is the resource as a node. */
int wsman_get(struct wsman *, const struct wsman_ref *, struct node **out,
    char **cause);
/* out may be NULL; otherwise the resource as the host echoes it. */
int wsman_put(struct wsman *, const struct wsman_ref *,
    const struct wsman_body *, struct node **out, char **cause);
/* out may be NULL; otherwise the new resource's selectors as a map. */
int wsman_create(struct wsman *, const struct wsman_ref *,
    const struct wsman_body *, struct node **out, char **cause);
int wsman_delete(struct wsman *, const struct wsman_ref *, char **cause);

/*
 * WS-Enumeration: Enumerate (optimised) then Pull until EndOfSequence.
 * filter may be NULL.  *items is a sequence, owned by the caller.
 */
int wsman_enumerate(struct wsman *, const struct wsman_ref *,
    const struct wsman_filter *, struct node **items, char **cause);

/*
 * WMI method: action <uri>/<method>, body <p:METHOD_INPUT> from params (a
 * map, may be NULL).  *out is the METHOD_OUTPUT map; its ReturnValue is
 * the method's business (a non-zero value is not a failure here).
 * WSMAN_READONLY marks a method that changes nothing, so it may be
 * retried and batched.
 */
#define WSMAN_READONLY	0x1
int wsman_invoke(struct wsman *, const struct wsman_ref *, const char *method,
    const struct node *params, int flags, struct node **out, char **cause);

/*
 * Reads that do not depend on each other, sent together (up to
 * max_connections at once) so that n reads cost about one round trip.
 * Each read succeeds or fails on its own.  Returns 0 when all succeeded.
 */
enum wsman_read_kind {
	WSMAN_READ_GET,
	WSMAN_READ_ENUMERATE,
	WSMAN_READ_INVOKE,	/* read-only methods only */
};
struct wsman_read {
	enum wsman_read_kind		 kind;
	struct wsman_ref		 ref;
	const struct wsman_filter	*filter;	/* ENUMERATE */
	const char			*method;	/* INVOKE */
	const struct node		*params;	/* INVOKE */
	/* results, released by wsman_read_release() */
	int				 rc;
	struct node			*result;	/* as above */
	char				*cause;
	enum wsman_error		 error;
	unsigned long			 fault_code;
};
int wsman_read_many(struct wsman *, struct wsman_read *, size_t n);
void wsman_read_release(struct wsman_read *);

/*
 * Remote shell.  wsman_run() runs one cmd.exe command line (Command
 * "cmd.exe", Arguments "/c LINE") in the host's shell, opening it first if
 * needed, and returns its output and exit code; a command that exits
 * non-zero is not a failure.  Between commands the shell gets Signal
 * terminate; the last one ends with the shell's Delete.  With WSMAN_KEEP_SHELL the shell stays open for the next
 * command; wsman_close() or wsman_free() delete it.  After a failure the
 * shell is deleted (best effort) and the next command opens a new one.
 */
#define WSMAN_KEEP_SHELL	0x1
struct wsman_cmd {
	struct buf	out;		/* stdout bytes, as decoded */
	struct buf	err;		/* stderr bytes */
	long		exit_code;
};
#define WSMAN_CMD_INIT { BUF_INIT, BUF_INIT, -1 }
int wsman_run(struct wsman *, const char *line, int flags,
    struct wsman_cmd *out, char **cause);
void wsman_cmd_release(struct wsman_cmd *);
/*
 * The first line of what a command printed, for a cause: stderr's, or
 * stdout's when stderr holds only blanks; leading blank lines and spaces
 * skipped; "no message" when there is none.  free().
 */
char *wsman_cmd_said(const struct wsman_cmd *);

/* Items of a value that may hold one (scalar or map) or many (sequence). */
size_t wsman_list_len(const struct node *);
const struct node *wsman_list(const struct node *, size_t i);

/* --- envelopes (wsman_env.c); exposed for tests and tools --------------- */

enum wsman_op {
	WSMAN_OP_GET,
	WSMAN_OP_PUT,
	WSMAN_OP_CREATE,
	WSMAN_OP_DELETE,
	WSMAN_OP_ENUMERATE,
	WSMAN_OP_PULL,
	WSMAN_OP_RELEASE,
	WSMAN_OP_INVOKE,
	WSMAN_OP_SHELL,		/* Create of a cmd shell */
	WSMAN_OP_COMMAND,
	WSMAN_OP_RECEIVE,
	WSMAN_OP_SIGNAL,
};

struct wsman_request {
	enum wsman_op			 op;
	struct wsman_ref		 ref;
	const struct wsman_option	*opt;
	size_t				 nopt;
	const struct wsman_body		*body;		/* PUT, CREATE */
	const struct wsman_filter	*filter;	/* ENUMERATE; may be NULL */
	int				 optimize;	/* ENUMERATE */
	unsigned			 max_elements;	/* ENUMERATE, PULL; 0 omits */
	const char			*context;	/* PULL, RELEASE */
	const char			*method;	/* INVOKE */
	const struct node		*params;	/* INVOKE; may be NULL */
	const char			*command;	/* COMMAND */
	const char *const		*args;		/* COMMAND */
	size_t				 nargs;
	const char			*command_id;	/* RECEIVE, SIGNAL */
	const char			*signal;	/* SIGNAL: code URI */
	/* header */
	const char			*to;
	const char			*message_id;	/* "uuid:..." */
	const char			*session_id;	/* may be NULL */
	long				 timeout_ms;	/* OperationTimeout */
	size_t				 max_envelope;
	const char			*locale;
};

/*
 * Serialise r as one SOAP 1.2 envelope into out (appended).  Every string
 * is escaped; one that XML cannot carry (control characters, invalid
 * UTF-8, a bad element name) is refused with a cause.
 */
int wsman_request_build(struct buf *out, const struct wsman_request *r,
    char **cause);
/* The request's Action URI; *owned by the caller. */
char *wsman_action(const struct wsman_request *);
/* A fresh "uuid:XXXXXXXX-XXXX-4XXX-..." message id (out: 42 bytes). */
void wsman_uuid(char out[42]);

/* --- replies (wsman_xml.c) ---------------------------------------------- */

/*
 * A reply's XML as wsman_tree.c reads it: elements and their text runs
 * (name NULL) in document order, attributes and namespace declarations;
 * the tree owns every string.
 */
struct wsman_attr {
	const char		*name;		/* local name */
	const char		*ns;		/* namespace URI or NULL */
	const char		*value;
	struct wsman_attr	*next;
};
struct wsman_nsdecl {
	const char		*prefix;	/* NULL: the default namespace */
	const char		*uri;
	struct wsman_nsdecl	*next;
};
struct wsman_el {
	const char		*name;		/* local name; NULL: text */
	const char		*ns;		/* namespace URI or NULL */
	const char		*text;		/* a text run, len bytes */
	size_t			 len;
	struct wsman_el		*parent;
	struct wsman_el		*children;
	struct wsman_el		*last;		/* the last child */
	struct wsman_el		*next;
	struct wsman_attr	*attrs;		/* in document order */
	struct wsman_nsdecl	*nsdecls;
};
struct wsman_tree;

/* Parsed as wsman_xml_parse() parses (the same refusals); *out: free. */
int wsman_tree_parse(struct wsman_tree **out, const char *data, size_t len,
    char **cause);
const struct wsman_el *wsman_tree_root(const struct wsman_tree *);
void wsman_tree_free(struct wsman_tree *);

/* The wsman_xml_ helpers below, for the tree. */
int wsman_el_is(const struct wsman_el *, const char *ns, const char *name);
const struct wsman_el *wsman_el_child(const struct wsman_el *parent,
    const char *ns, const char *name);
const struct wsman_el *wsman_el_next(const struct wsman_el *after,
    const char *ns, const char *name);
char *wsman_el_text(const struct wsman_el *);
/* Only the text runs directly inside, trimmed; caller frees. */
char *wsman_el_direct_text(const struct wsman_el *);
char *wsman_el_attr(const struct wsman_el *, const char *name);
/* Borrowed; ns NULL: an attribute in no namespace. */
const char *wsman_el_attr_ns(const struct wsman_el *, const char *ns,
    const char *name);
/* The URI a prefix is bound to at the element, or NULL. */
const char *wsman_el_prefix_ns(const struct wsman_el *, const char *prefix);

/*
 * A parsed reply.  tree owns everything; the other pointers are borrowed
 * from it.  Parsing is safe against hostile input: no network, no DTD, no
 * entity expansion, and any DOCTYPE is refused before its declarations
 * are read.
 */
struct wsman_reply {
	struct wsman_tree	*tree;
	const struct wsman_el	*header;	/* may be NULL */
	const struct wsman_el	*body;
	const struct wsman_el	*content;	/* first element of Body or NULL */
	char			*action;	/* wsa:Action, trimmed, or NULL */
	char			*relates_to;	/* wsa:RelatesTo, or NULL */
	int			 is_fault;
	struct wsman_fault	 fault;
};
int wsman_reply_parse(struct wsman_reply *, const char *data, size_t len,
    char **cause);
void wsman_reply_release(struct wsman_reply *);

/* XML without any of the dangerous parts; *out: xmlFreeDoc(). */
int wsman_xml_parse(xmlDoc **out, const char *data, size_t len,
    char **cause);
/* The parse behind both: sax NULL builds *doc (see wsman_xml.c). */
int wsman_xml_run(const char *data, size_t len, const xmlSAXHandler *sax,
    void *user, xmlDoc **doc, char **cause);
/* In a callback of wsman_xml_run(): its user pointer. */
void *wsman_xml_user(void *ctx);

/* Faults: the fields in the order of docs/windows-behaviour.md#faults. */
void wsman_fault_parse(const struct wsman_el *fault, struct wsman_fault *out);
void wsman_fault_release(struct wsman_fault *);
/* "WS-Man fault 2150858843 (w:InvalidSelectors): message"; caller frees. */
char *wsman_fault_string(const struct wsman_fault *);

/* Result readers, one per kind of reply. */
int wsman_reply_items(const struct wsman_reply *, struct node *items,
    char **context, int *end, char **cause);
int wsman_reply_created(const struct wsman_reply *, struct node **selectors,
    char **cause);
int wsman_reply_command_id(const struct wsman_reply *, char **id,
    char **cause);
/* Append the streams of one Receive; *done and out->exit_code at the end. */
int wsman_reply_receive(const struct wsman_reply *, const char *command_id,
    struct wsman_cmd *out, size_t max_output, int *done, char **cause);

/* XML helpers: namespace URI (NULL: any) and local name. */
int wsman_xml_is(const xmlNode *, const char *ns, const char *name);
xmlNode *wsman_xml_child(const xmlNode *parent, const char *ns,
    const char *name);
xmlNode *wsman_xml_next(const xmlNode *after, const char *ns,
    const char *name);
/* Text content, whitespace trimmed; caller frees; NULL if node is NULL. */
char *wsman_xml_text(const xmlNode *);
/* Attribute without namespace; caller frees; NULL if absent. */
char *wsman_xml_attr(const xmlNode *, const char *name);
/* Element (and its subtree) as a node, by the rules at the top. */
struct node *wsman_xml_to_node(const struct wsman_el *);
/* Collapse whitespace to single spaces, trim, drop one trailing '.' and
 * replace what a terminal would interpret; in place. */
void wsman_oneline(char *);

/* Strict base64 of one chunk, appended to out. */
int wsman_base64_decode(struct buf *out, const char *in, size_t len,
    char **cause);

/* --- transport.c -------------------------------------------------------- */

struct transport;

/*
 * The libcurl transport for one host: TLS verified against ca_file and
 * the host's name (connecting to address when given), authentication,
 * keep-alive connections, at most max_connections at once.  Its exchange
 * function goes in a struct wsman_transport_ops.
 */
int transport_new(struct transport **out, const struct wsman_opts *,
    char **cause);
void transport_exchange(void *transport, struct wsman_http **x, size_t n);
/* Wipes the password out of libcurl's copies, then frees. */
void transport_free(struct transport *);

#endif
