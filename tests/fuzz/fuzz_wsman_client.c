/*
 * fuzz_wsman_client.c: the WS-Man client (enforcer/wsman.c) on scripted
 * replies.  The input is the sequence of HTTP reply bodies, split at 0xFF
 * bytes (fuzz.h); a fake transport (tests/unit/wsman_fake.h) answers each
 * request with the next one, its RelatesTo set to the request's MessageID
 * so that replies get past addressing, and refuses the connection once
 * they run out.  The client does what the state modules do: a Get, an
 * enumeration (Enumerate, Pull...), a WMI method, batched reads and a
 * shell command (Create, Command, Receive..., Signal, Delete).
 * Seeds: tests/fuzz/corpus/wsman_client, made of tests/data/wsman replies.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "wsman.h"
#include "../unit/wsman_fake.h"

#define URI_SVC	WSMAN_URI_WMI "/root/cimv2/Win32_Service"
#define URI_REG	WSMAN_URI_WMI "/root/default/StdRegProv"

static void
fuzz_ops(struct wsman *ws)
{
	const struct wsman_selector sel = { "Name", "WinRM" };
	const struct wsman_ref svc = { URI_SVC, &sel, 1 };
	const struct wsman_filter wql = { "SELECT * FROM Win32_Group", NULL, 0 };
	struct wsman_cmd cmd = WSMAN_CMD_INIT;
	struct wsman_read rd[2];
	struct node *out = NULL;
	char *cause = NULL, *said;

	if (wsman_get(ws, &svc, &out, &cause) == -1)
		(void)wsman_last_fault(ws);
	node_free(out);
	free(cause);
	out = NULL;
	cause = NULL;
	(void)wsman_enumerate(ws, WSMAN_REF(URI_SVC), &wql, &out, &cause);
	node_free(out);
	free(cause);
	out = NULL;
	cause = NULL;
	(void)wsman_invoke(ws, WSMAN_REF(URI_REG), "EnumValues", NULL,
	    WSMAN_READONLY, &out, &cause);
	node_free(out);
	free(cause);
	memset(rd, 0, sizeof(rd));
	rd[0].kind = WSMAN_READ_GET;
	rd[0].ref = svc;
	rd[1].kind = WSMAN_READ_ENUMERATE;
	rd[1].ref.uri = URI_SVC;
	(void)wsman_read_many(ws, rd, nitems(rd));
	wsman_read_release(&rd[0]);
	wsman_read_release(&rd[1]);
	cause = NULL;
	if (wsman_run(ws, "ver", 0, &cmd, &cause) == 0) {
		said = wsman_cmd_said(&cmd);
		free(said);
	}
	wsman_cmd_release(&cmd);
	free(cause);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsman_transport_ops ops;
	struct fuzz_chunk *chunks;
	struct canned *script;
	struct wsman_opts o;
	struct wsman *ws = NULL;
	struct fake f;
	char *cause = NULL;
	size_t n, i;

	chunks = fuzz_chunks(data, size, &n);
	script = xcalloc(n, sizeof(*script));
	for (i = 0; i < n; i++)
		script[i].body = chunks[i].text;
	fake_opts(&o, &ops, &f, script, n);
	o.retries = 1;
	o.retry_backoff_ms = 0;
	o.command_timeout_ms = 1000;
	fuzz_in_input = 1;
	if (wsman_new(&ws, &o, &cause) == 0)
		fuzz_ops(ws);
	wsman_free(ws);
	free(cause);
	fake_release(&f);
	free(script);
	fuzz_chunks_free(chunks, n);
	fuzz_in_input = 0;
	return 0;
}
