/*
 * control.c: the control interface, plain-text HTTP/1.1 on 127.0.0.1, for
 * tests and the demo; and the ctl client that talks to it.
 *
 *   GET  /hosts                     host names, one a line
 *   GET  /hosts/NAME/state          ground truth, "key = value" lines
 *   GET  /hosts/NAME/get?key=K      one value
 *   GET  /hosts/NAME/credssp_from?client=C  CredSSP from C to NAME under
 *                                   the encryption oracle: allowed|blocked
 *   POST /hosts/NAME/set            "key = value" lines: drift, not writes
 *   POST /hosts/NAME/cmd            a cmd.exe line run as Administrator
 *                                   (RID 500, by its localised name);
 *                                   reply: exit code line, then output
 *   POST /hosts/NAME/fault          down=1 latency_ms=200 http500=1
 *                                   drop_mid_reply=1 trickle_bps=100
 *                                   stall=1 close_idle=1 clear
 *   POST /hosts/NAME/clock          advance=SECONDS or set=RFC3339, then
 *   POST /clock                     due tasks run (one host or all)
 *   GET  /hosts/NAME/counters       requests, writes, auth_failures,
 *                                   shells_open, connections, tls_full,
 *                                   tls_resumed (handshakes),
 *                                   connections_max (the most TCP
 *                                   connections open at once),
 *                                   shells_created
 *   POST /hosts/NAME/counters/reset
 *   POST /hosts/NAME/service        WinRM=start | WinRM=stop
 *   POST /hosts/NAME/power          off (no reply, nothing runs) | boot
 *                                   (BootTrigger tasks run, and missed
 *                                   ones with StartWhenAvailable)
 *
 * Errors answer 400 (bad body) or 404 (no such host, key or path) with a
 * one-line message.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "sim.h"

static struct {
	struct sim_fleet	*fleet;
	struct evhttp		*http;
} ctl;

/* A reply under construction. */
struct answer {
	int		status;
	struct buf	body;
};

static void PRINTFLIKE(3, 4)
fail(struct answer *a, int status, const char *fmt, ...)
{
	va_list ap;

	a->status = status;
	buf_reset(&a->body);
	va_start(ap, fmt);
	buf_vprintf(&a->body, fmt, ap);
	va_end(ap);
	buf_putc(&a->body, '\n');
}

/* --- host actions -------------------------------------------------------- */

static void
do_get(struct sim_host *h, const char *query, struct answer *a)
{
	struct evkeyvalq q;
	struct buf dump = BUF_INIT;
	const char *key, *line, *nl;
	size_t klen;

	TAILQ_INIT(&q);
	if (query == NULL || evhttp_parse_query_str(query, &q) != 0 ||
	    (key = evhttp_find_header(&q, "key")) == NULL) {
		fail(a, 400, "get: missing key=");
		goto out;
	}
	sim_dump(h, &dump);
	klen = strlen(key);
	for (line = buf_cstr(&dump); *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			nl = line + strlen(line);
		if (strncmp(line, key, klen) == 0 &&
		    strncmp(line + klen, " = ", 3) == 0) {
			buf_add(&a->body, line + klen + 3,
			    (size_t)(nl - line) - klen - 3);
			buf_putc(&a->body, '\n');
			goto out;
		}
		if (*nl == '\0')
			break;
	}
	fail(a, 404, "%s: no key '%s'", h->name, key);
out:
	evhttp_clear_headers(&q);
	buf_release(&dump);
}

/* Each "key = value" line of the body. */
static void
do_set(struct sim_host *h, char *body, struct answer *a)
{
	char *line, *save, *eq, *cause = NULL;
	size_t len;

	for (line = strtok_r(body, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		len = strlen(line);
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len == 0)
			continue;
		if ((eq = strstr(line, " =")) == NULL) {
			fail(a, 400, "set: '%s': expected key = value", line);
			return;
		}
		*eq = '\0';
		eq += 2;
		if (*eq == ' ')
			eq++;
		if (sim_set(h, line, eq, &cause) != 0) {
			fail(a, 400, "%s: %s", h->name, cause);
			free(cause);
			return;
		}
	}
	buf_puts(&a->body, "ok\n");
}

static void
do_cmd(struct sim_host *h, const char *body, struct answer *a)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	char *line = xstrdup(body);
	size_t len = strlen(line);
	int wrote = 0, code;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	code = sim_cmd_run(h, sim_admin_name(h), line, &out, &err, &wrote);
	buf_printf(&a->body, "%d\n", code);
	buf_add(&a->body, out.ptr != NULL ? out.ptr : "", out.len);
	buf_add(&a->body, err.ptr != NULL ? err.ptr : "", err.len);
	buf_release(&out);
	buf_release(&err);
	free(line);
}

static int
set_fault(struct sim_faults *f, const char *name, const char *value)
{
	long v = strtol(value, NULL, 10);

	if (strcmp(name, "down") == 0)
		f->down = v != 0;
	else if (strcmp(name, "http500") == 0)
		f->http500 = v != 0;
	else if (strcmp(name, "drop_mid_reply") == 0)
		f->drop_mid_reply = v != 0;
	else if (strcmp(name, "latency_ms") == 0 && v >= 0)
		f->latency_ms = (unsigned)v;
	else if (strcmp(name, "trickle_bps") == 0 && v >= 0)
		f->trickle_bps = (unsigned)v;
	else if (strcmp(name, "stall") == 0)
		f->stall = v != 0;
	else if (strcmp(name, "close_idle") == 0)
		f->close_idle = v != 0;
	else
		return -1;
	return 0;
}

/* "name=value" words separated by blanks, newlines or '&'. */
static void
do_fault(struct sim_host *h, char *body, struct answer *a)
{
	char *w, *save, *eq;

	for (w = strtok_r(body, " \t\r\n&", &save); w != NULL;
	    w = strtok_r(NULL, " \t\r\n&", &save)) {
		if (strcmp(w, "clear") == 0) {
			memset(&h->faults, 0, sizeof(h->faults));
			continue;
		}
		if ((eq = strchr(w, '=')) == NULL) {
			fail(a, 400, "fault: '%s': expected name=value", w);
			return;
		}
		*eq++ = '\0';
		if (set_fault(&h->faults, w, eq) != 0) {
			fail(a, 400, "fault: unknown '%s'", w);
			return;
		}
	}
	buf_puts(&a->body, "ok\n");
}

/* advance=SECONDS or set=RFC3339 on one host. */
static int
clock_apply(struct sim_host *h, const char *body, char **cause)
{
	char *end;
	time_t t;
	long v;

	while (isspace((unsigned char)*body))
		body++;
	if (strncmp(body, "advance=", 8) == 0) {
		v = strtol(body + 8, &end, 10);
		if (end == body + 8)
			return cause_set(cause, "clock: bad advance");
		h->clock_offset += v;
	} else if (strncmp(body, "set=", 4) == 0) {
		end = xstrdup(body + 4);
		end[strcspn(end, " \t\r\n")] = '\0';
		if (sim_time_parse(end, &t) != 0) {
			free(end);
			return cause_set(cause, "clock: bad time");
		}
		free(end);
		h->clock_offset = (long)(t - time(NULL));
	} else
		return cause_set(cause, "clock: expected advance= or set=");
	sim_run_due_tasks(h);
	return 0;
}

static void
do_clock(struct sim_host *h, const char *body, struct answer *a)
{
	char *cause = NULL, now[32];

	if (clock_apply(h, body, &cause) != 0) {
		fail(a, 400, "%s", cause);
		free(cause);
		return;
	}
	sim_time_format(sim_now(h), now);
	buf_printf(&a->body, "%s\n", now);
}

static void
do_service(struct sim_host *h, const char *body, struct answer *a)
{
	struct sim_service *s;
	char name[128], verb[16];

	if (sscanf(body, " %127[^=]=%15s", name, verb) != 2 ||
	    (strcmp(verb, "start") != 0 && strcmp(verb, "stop") != 0)) {
		fail(a, 400, "service: expected NAME=start or NAME=stop");
		return;
	}
	if ((s = sim_service(h, name)) == NULL) {
		fail(a, 404, "%s: no service '%s'", h->name, name);
		return;
	}
	sim_service_set_state(h, s, strcmp(verb, "start") == 0 ? "Running" :
	    "Stopped");
	buf_puts(&a->body, "ok\n");
}

static void
do_power(struct sim_host *h, const char *body, struct answer *a)
{
	char verb[16];

	if (sscanf(body, " %15s", verb) != 1 || (strcmp(verb, "off") != 0 &&
	    strcmp(verb, "boot") != 0)) {
		fail(a, 400, "power: expected off or boot");
		return;
	}
	if (strcmp(verb, "off") == 0)
		sim_host_power_off(h);
	else
		sim_host_boot(h);
	buf_puts(&a->body, "ok\n");
}

/* CredSSP from ?client=NAME to h: the encryption oracle's verdict. */
static void
do_credssp_from(struct sim_host *h, const char *query, struct answer *a)
{
	struct evkeyvalq q;
	const char *name;
	size_t i;

	TAILQ_INIT(&q);
	if (query == NULL || evhttp_parse_query_str(query, &q) != 0 ||
	    (name = evhttp_find_header(&q, "client")) == NULL)
		fail(a, 400, "credssp_from: missing client=");
	else {
		for (i = 0; i < ctl.fleet->nhosts; i++)
			if (strcasecmp(ctl.fleet->hosts[i].name, name) == 0)
				break;
		if (i == ctl.fleet->nhosts)
			fail(a, 404, "no host '%s'", name);
		else
			buf_printf(&a->body, "%s\n", sim_oracle_verdict(
			    &ctl.fleet->hosts[i], h));
	}
	evhttp_clear_headers(&q);
}

/* --- routing ------------------------------------------------------------- */

static void
host_route(struct sim_host *h, const char *rest, int post, char *body,
    const char *query, struct answer *a)
{
	const struct sim_counters *k = &h->counters;

	if (!post && strcmp(rest, "state") == 0)
		sim_dump(h, &a->body);
	else if (!post && strcmp(rest, "get") == 0)
		do_get(h, query, a);
	else if (!post && strcmp(rest, "credssp_from") == 0)
		do_credssp_from(h, query, a);
	else if (!post && strcmp(rest, "counters") == 0)
		buf_printf(&a->body, "requests = %lu\nwrites = %lu\n"
		    "auth_failures = %lu\nshells_open = %lu\n"
		    "connections = %lu\ntls_full = %lu\ntls_resumed = %lu\n"
		    "connections_max = %lu\nshells_created = %lu\n",
		    k->requests, k->writes, k->auth_failures, k->shells_open,
		    k->connections, k->tls_full, k->tls_resumed,
		    k->connections_max, k->shells_created);
	else if (post && strcmp(rest, "counters/reset") == 0) {
		h->counters.requests = h->counters.writes = 0;
		h->counters.auth_failures = 0;
		h->counters.connections = h->counters.tls_full = 0;
		h->counters.tls_resumed = h->counters.shells_created = 0;
		h->counters.connections_max = h->counters.connections_open;
		buf_puts(&a->body, "ok\n");
	} else if (post && strcmp(rest, "set") == 0)
		do_set(h, body, a);
	else if (post && strcmp(rest, "cmd") == 0)
		do_cmd(h, body, a);
	else if (post && strcmp(rest, "fault") == 0)
		do_fault(h, body, a);
	else if (post && strcmp(rest, "clock") == 0)
		do_clock(h, body, a);
	else if (post && strcmp(rest, "service") == 0)
		do_service(h, body, a);
	else if (post && strcmp(rest, "power") == 0)
		do_power(h, body, a);
	else
		fail(a, 404, "no such path '%s'", rest);
	/* Drift, faults and services may change what the host serves. */
	if (post)
		http_host_sync(h);
}

static void
all_clock(const char *body, struct answer *a)
{
	char *cause = NULL;
	size_t i;

	for (i = 0; i < ctl.fleet->nhosts; i++) {
		if (clock_apply(&ctl.fleet->hosts[i], body, &cause) != 0) {
			fail(a, 400, "%s", cause);
			free(cause);
			return;
		}
		http_host_sync(&ctl.fleet->hosts[i]);
	}
	buf_puts(&a->body, "ok\n");
}

static void
route(const char *path, int post, char *body, const char *query,
    struct answer *a)
{
	struct sim_host *h;
	const char *slash;
	char *name, *dec;
	size_t i;

	if (!post && strcmp(path, "/hosts") == 0) {
		for (i = 0; i < ctl.fleet->nhosts; i++)
			buf_printf(&a->body, "%s\n", ctl.fleet->hosts[i].name);
		return;
	}
	if (post && strcmp(path, "/clock") == 0) {
		all_clock(body, a);
		return;
	}
	if (strncmp(path, "/hosts/", 7) != 0 ||
	    (slash = strchr(path + 7, '/')) == NULL) {
		fail(a, 404, "no such path '%s'", path);
		return;
	}
	name = xstrndup(path + 7, (size_t)(slash - path - 7));
	dec = evhttp_uridecode(name, 0, NULL);
	if ((h = fleet_host(ctl.fleet, dec)) == NULL)
		fail(a, 404, "no such host '%s'", dec);
	else
		host_route(h, slash + 1, post, body, query, a);
	free(dec);
	free(name);
}

static void
on_request(struct evhttp_request *req, void *arg)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct evbuffer *in = evhttp_request_get_input_buffer(req), *out;
	struct answer a = { 200, BUF_INIT };
	size_t len = evbuffer_get_length(in);
	char *body, *path;

	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_POST) {
		evhttp_send_error(req, 405, NULL);
		return;
	}
	body = xmalloc(len + 1);
	evbuffer_remove(in, body, len);
	body[len] = '\0';
	path = evhttp_uridecode(evhttp_uri_get_path(uri), 0, NULL);
	route(path, cmd == EVHTTP_REQ_POST, body, evhttp_uri_get_query(uri),
	    &a);
	out = evbuffer_new();
	evbuffer_add(out, buf_cstr(&a.body), a.body.len);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; charset=utf-8");
	evhttp_send_reply(req, a.status, a.status == 200 ? "OK" :
	    a.status == 404 ? "Not Found" : "Bad Request", out);
	evbuffer_free(out);
	buf_release(&a.body);
	free(path);
	free(body);
}

/* "127.0.0.1:PORT" -> address and port; loopback only. */
static int
parse_addr(const char *s, char *addr, size_t len, int *port, char **cause)
{
	const char *colon = strrchr(s, ':');
	struct in_addr in;
	char *end;
	long p;

	if (colon == NULL || (size_t)(colon - s) >= len)
		return cause_set(cause, "'%s': expected ADDRESS:PORT", s);
	snprintf(addr, len, "%.*s", (int)(colon - s), s);
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 0 || p > 65535 ||
	    inet_pton(AF_INET, addr, &in) != 1 ||
	    (ntohl(in.s_addr) >> 24) != 127)
		return cause_set(cause, "'%s': expected a 127.0.0.0/8 "
		    "ADDRESS:PORT", s);
	*port = (int)p;
	return 0;
}

int
control_start(struct sim_fleet *f, const char *spec, int *port, char **cause)
{
	struct evhttp_bound_socket *bs;
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	char addr[64];
	int p;

	if (parse_addr(spec, addr, sizeof(addr), &p, cause) != 0)
		return -1;
	ctl.fleet = f;
	if ((ctl.http = evhttp_new(f->base)) == NULL)
		return cause_set(cause, "cannot create the http server");
	evhttp_set_allowed_methods(ctl.http, EVHTTP_REQ_GET |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
	evhttp_set_gencb(ctl.http, on_request, NULL);
	if ((bs = evhttp_bind_socket_with_handle(ctl.http, addr,
	    (ev_uint16_t)p)) == NULL)
		return cause_set(cause, "cannot listen on %s: %s", spec,
		    strerror(errno));
	if (getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&sin, &slen) != 0)
		return cause_set(cause, "getsockname: %s", strerror(errno));
	*port = ntohs(sin.sin_port);
	return 0;
}

void
control_stop(void)
{
	if (ctl.http != NULL)
		evhttp_free(ctl.http);
	memset(&ctl, 0, sizeof(ctl));
}

/* --- the ctl client ------------------------------------------------------ */

/* Percent-encode what may not appear in a request target. */
static char *
encode_path(const char *p)
{
	static const char ok[] = "-._~/?=&%:+,;@!$'()*";
	struct buf b = BUF_INIT;

	for (; *p != '\0'; p++)
		if (isalnum((unsigned char)*p) || strchr(ok, *p) != NULL)
			buf_putc(&b, *p);
		else
			buf_printf(&b, "%%%02X", (unsigned char)*p);
	return buf_detach(&b);
}

static int
read_all(FILE *fp, struct buf *b)
{
	char chunk[4096];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(b, chunk, n);
	return ferror(fp) ? -1 : 0;
}

static int
client_connect(const char *spec)
{
	struct sockaddr_in sin;
	struct timeval tv = { 30, 0 };
	char addr[64], *cause = NULL;
	int fd, port;

	if (parse_addr(spec, addr, sizeof(addr), &port, &cause) != 0) {
		fprintf(stderr, "winrm-sim: ctl: %s\n", cause);
		free(cause);
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, addr, &sin.sin_addr);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		fprintf(stderr, "winrm-sim: ctl: connect %s: %s\n", spec,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Print the body of an HTTP/1.1 reply; 0 for 2xx. */
static int
print_reply(const struct buf *r)
{
	const char *body;
	int status;

	if (r->len < 12 || sscanf(r->ptr, "HTTP/1.%*d %d", &status) != 1 ||
	    (body = strstr(r->ptr, "\r\n\r\n")) == NULL) {
		fprintf(stderr, "winrm-sim: ctl: bad reply\n");
		return 1;
	}
	body += 4;
	fwrite(body, 1, r->len - (size_t)(body - r->ptr),
	    status / 100 == 2 ? stdout : stderr);
	return status / 100 == 2 ? 0 : 1;
}

int
control_client(int argc, char **argv)
{
	struct buf body = BUF_INIT, req = BUF_INIT, rep = BUF_INIT;
	char *path = NULL;
	ssize_t n;
	size_t off;
	FILE *fp;
	int fd = -1, rc = 1;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: winrm-sim ctl ADDR:PORT METHOD PATH "
		    "[BODY | -]\n");
		return 1;
	}
	if (argc == 5 && strcmp(argv[4], "-") == 0)
		read_all(stdin, &body);
	else if (argc == 5)
		buf_puts(&body, argv[4]);
	if ((fd = client_connect(argv[1])) == -1)
		goto out;
	path = encode_path(argv[3]);
	buf_printf(&req, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %zu"
	    "\r\nConnection: close\r\n\r\n", argv[2], path, argv[1], body.len);
	buf_add(&req, buf_cstr(&body), body.len);
	for (off = 0; off < req.len; off += (size_t)n)
		if ((n = write(fd, req.ptr + off, req.len - off)) <= 0) {
			fprintf(stderr, "winrm-sim: ctl: write: %s\n",
			    strerror(errno));
			goto out;
		}
	if ((fp = fdopen(fd, "r")) == NULL)
		goto out;
	fd = -1;
	read_all(fp, &rep);
	fclose(fp);
	rc = print_reply(&rep);
out:
	if (fd != -1)
		close(fd);
	free(path);
	buf_release(&body);
	buf_release(&req);
	buf_release(&rep);
	return rc;
}
