/*
 * fuzz_wsman_reply.c: the WS-Man reply parser (enforcer/wsman_xml.c) on
 * arbitrary bytes: the envelope, a fault and every result reader (items
 * of an enumeration, a created resource, a command id, Receive streams).
 * The reply's tree (wsman_tree.c) must also be libxml2's tree of the same
 * bytes (wsman_tree_diff.h): a difference aborts, as a crash would.
 * Seeds: tests/data/wsman (hand-written and recorded replies).
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "wsman.h"
#include "../unit/wsman_tree_diff.h"

#define FUZZ_CMD_ID	"CF84C20A-0A35-43FA-AF78-0B4711DA5F30"

static void
fuzz_readers(const struct wsman_reply *r)
{
	struct wsman_cmd cmd = WSMAN_CMD_INIT;
	struct node *items = node_seq(), *sel = NULL;
	char *context = NULL, *id = NULL, *cause = NULL, *s;
	int end = 0, done = 0;

	if (r->is_fault) {
		s = wsman_fault_string(&r->fault);
		free(s);
	}
	if (wsman_reply_items(r, items, &context, &end, &cause) == -1)
		free(cause);
	cause = NULL;
	if (wsman_reply_created(r, &sel, &cause) == -1)
		free(cause);
	cause = NULL;
	if (wsman_reply_command_id(r, &id, &cause) == -1)
		free(cause);
	cause = NULL;
	if (wsman_reply_receive(r, FUZZ_CMD_ID, &cmd, 1 << 20, &done,
	    &cause) == -1)
		free(cause);
	wsman_cmd_release(&cmd);
	node_free(items);
	node_free(sel);
	free(context);
	free(id);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsman_reply r;
	char *cause = NULL;
	const char *why;

	if ((why = wsman_tree_diff((const char *)data, size)) != NULL) {
		fprintf(stderr, "wsman_tree_diff: %s\n", why);
		abort();
	}
	memset(&r, 0, sizeof(r));
	if (wsman_reply_parse(&r, (const char *)data, size, &cause) == 0)
		fuzz_readers(&r);
	wsman_reply_release(&r);
	free(cause);
	return 0;
}
