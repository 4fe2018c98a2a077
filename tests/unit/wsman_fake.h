/*
 * wsman_fake.h: canned HTTP exchanges for the WS-Man unit tests (after
 * curl's tests/data/testNNNN).  A test lists the replies in order; each
 * request the client sends consumes the next one.  A reply is a body (a
 * file under tests/data/wsman/ or inline text) plus the outcome libcurl
 * would report (HTTP status, CURLcode, errno, TLS verify result, offered
 * auth schemes).  The reply's RelatesTo is rewritten to the request's
 * MessageID unless keep_relates is set, so that recorded replies can be
 * replayed.  Every request body is kept for the test to inspect.
 *
 * Header-only on purpose: included by one test program at a time.
 */
#ifndef WSMAN_FAKE_H
#define WSMAN_FAKE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsman.h"

/* Not every test program uses every helper. */
#define FAKE_FN static __attribute__((unused))

struct canned {
	long		 status;	/* 0: 200 */
	int		 curl;		/* CURLcode */
	int		 os_errno;
	int		 connected;
	int		 handshaken;
	long		 verify;
	const char	*errbuf;
	const char	*offered;
	const char	*peer;
	const char	*peer_chain;	/* stands for the DER chain a new
					   connection's handshake saw */
	const char	*file;		/* tests/data/wsman/FILE */
	const char	*body;		/* or this */
	int		 keep_relates;
	int		 too_big;
};

struct fake {
	const struct canned	*script;
	size_t			 n;
	size_t			 next;
	char			**sent;
	size_t			 nsent;
	size_t			 max_batch;
	unsigned		 exchanges;
	long			 timeout_ms;	/* last request's */
	int			 repeat_last;	/* past the end: last reply */
};

FAKE_FN char *
fake_path(const char *rel)
{
	const char *top = getenv("TOP");

	return xasprintf("%s/tests/data/wsman/%s", top != NULL ? top : ".", rel);
}

/* A data file's bytes; the test fails if it cannot be read. */
FAKE_FN char *
fake_read(const char *rel, size_t *len)
{
	char *path, *data;
	FILE *fp;
	long n;

	path = fake_path(rel);
	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		abort();
	}
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	data = xmalloc((size_t)n + 1);
	if (fread(data, 1, (size_t)n, fp) != (size_t)n)
		abort();
	data[n] = '\0';
	fclose(fp);
	free(path);
	if (len != NULL)
		*len = (size_t)n;
	return data;
}

/* The text of the first element named NAME (any prefix), or NULL. */
FAKE_FN char *
fake_element_text(const char *xml, const char *name)
{
	const char *p = xml, *gt, *lt;
	size_t n = strlen(name);

	while ((p = strstr(p, name)) != NULL) {
		if (p > xml && (p[-1] == ':' || p[-1] == '<') &&
		    (p[n] == '>' || p[n] == ' ') && (gt = strchr(p, '>')) != NULL &&
		    gt[-1] != '/' && (lt = strchr(gt, '<')) != NULL)
			return xstrndup(gt + 1, (size_t)(lt - gt - 1));
		p += n;
	}
	return NULL;
}

/* Replace the text of the first RelatesTo element by id. */
FAKE_FN void
fake_relate(struct buf *reply, const char *id)
{
	const char *xml = buf_cstr(reply), *p, *gt, *lt;
	struct buf out = BUF_INIT;

	if ((p = strstr(xml, "RelatesTo")) == NULL ||
	    (gt = strchr(p, '>')) == NULL || (lt = strchr(gt, '<')) == NULL)
		return;
	buf_add(&out, xml, (size_t)(gt + 1 - xml));
	buf_puts(&out, id);
	buf_puts(&out, lt);
	buf_release(reply);
	*reply = out;
}

FAKE_FN void
fake_one(struct fake *f, struct wsman_http *x)
{
	const struct canned *c;
	char *data, *id;
	size_t len;

	f->sent = xreallocarray(f->sent, f->nsent + 1, sizeof(*f->sent));
	f->sent[f->nsent++] = xstrndup(x->body, x->body_len);
	f->timeout_ms = x->timeout_ms;
	if (f->next >= f->n && (!f->repeat_last || f->n == 0)) {
		x->curl_code = 7;	/* CURLE_COULDNT_CONNECT */
		x->os_errno = 111;
		return;
	}
	c = &f->script[f->next < f->n ? f->next++ : f->n - 1];
	x->curl_code = c->curl;
	x->os_errno = c->os_errno;
	x->connected = c->connected;
	x->handshaken = c->handshaken;
	x->verify_result = c->verify;
	x->too_big = c->too_big;
	x->status = c->curl == 0 && c->status == 0 ? 200 : c->status;
	snprintf(x->errbuf, sizeof(x->errbuf), "%s",
	    c->errbuf != NULL ? c->errbuf : "");
	if (c->offered != NULL)
		buf_puts(&x->offered, c->offered);
	if (c->peer != NULL)
		buf_puts(&x->peer, c->peer);
	if (c->peer_chain != NULL)
		buf_puts(&x->peer_chain, c->peer_chain);
	if (c->file != NULL) {
		data = fake_read(c->file, &len);
		buf_add(&x->reply, data, len);
		free(data);
	} else if (c->body != NULL)
		buf_puts(&x->reply, c->body);
	id = fake_element_text(f->sent[f->nsent - 1], "MessageID");
	if (!c->keep_relates && id != NULL)
		fake_relate(&x->reply, id);
	free(id);
}

FAKE_FN void
fake_exchange(void *arg, struct wsman_http **x, size_t n)
{
	struct fake *f = arg;
	size_t i;

	f->exchanges++;
	if (n > f->max_batch)
		f->max_batch = n;
	for (i = 0; i < n; i++)
		fake_one(f, x[i]);
}

FAKE_FN void
fake_release(struct fake *f)
{
	size_t i;

	for (i = 0; i < f->nsent; i++)
		free(f->sent[i]);
	free(f->sent);
	memset(f, 0, sizeof(*f));
}

/* Options for node1.contoso.test with this fake as the transport. */
FAKE_FN void
fake_opts(struct wsman_opts *o, struct wsman_transport_ops *ops,
    struct fake *f, const struct canned *script, size_t n)
{
	memset(f, 0, sizeof(*f));
	f->script = script;
	f->n = n;
	ops->exchange = fake_exchange;
	ops->arg = f;
	wsman_opts_init(o);
	o->name = "node1.contoso.test";
	o->user = "CONTOSO\\svc-enforcer";
	o->password = "S3cret-Passw0rd";
	o->retry_backoff_ms = 1;
	o->ops = ops;
}

#endif
