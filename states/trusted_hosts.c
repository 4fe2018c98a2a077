/*
 * trusted_hosts.c: the WinRM client's TrustedHosts list (for workgroup
 * servers): read as Client/TrustedHosts of the whole configuration tree
 * (one Get a host, shared with credssp: memo.h), written to config/client.
 * A Put replaces the whole string, so the module computes the full list:
 * with exclusive, exactly the desired entries; otherwise what is there
 * plus what is missing; never an entry of absent (set by a revert: the
 * entries its run added).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "memo.h"
#include "state.h"
#include "wsman.h"

#define TH_URI	"http://schemas.microsoft.com/wbem/wsman/1/config/client"

static int
trusted_hosts_read(struct state_ctx *ctx, const struct node *desired,
    struct node **observed, char **cause)
{
	struct node *config = NULL, *obs, *seq;
	const struct node *client;
	const char *src;

	/* Client/TrustedHosts of the configuration tree, read once a host. */
	if (memo_get(ctx, WSMAN_URI_CONFIG, &config, cause) == -1)
		return -1;
	if ((client = node_get(config, "Client")) == NULL) {
		node_free(config);
		return cause_set(cause, "%s: trusted_hosts: Get %s: no Client",
		    ctx->host, WSMAN_URI_CONFIG);
	}
	seq = state_list_split(node_get_str(client, "TrustedHosts"));
	obs = node_map();
	node_map_set(obs, "hosts", seq);
	src = node_get_str(client, "TrustedHosts@Source");
	if (src != NULL && strcasecmp(src, "GPO") == 0)
		node_map_set(obs, "source", node_scalar("gpo"));
	node_free(config);
	*observed = obs;
	return 0;
}

static int
trusted_hosts_diff(const struct node *desired, const struct node *observed,
    time_t now, struct changes *out, char **cause)
{
	const struct node *want = node_get(desired, "hosts");
	const struct node *have = node_get(observed, "hosts");
	const struct node *absent = node_get(desired, "absent");
	struct node *target;
	struct change *c;
	char *before, *after;
	size_t i;
	int exclusive;

	if (want == NULL)
		return 0;
	if (node_bool(node_get(desired, "exclusive"), &exclusive) == -1)
		exclusive = 0;
	target = node_seq();
	for (i = 0; !exclusive && have != NULL && i < have->nitems; i++)
		if (!node_seq_has_nocase(absent, have->items[i]->value))
			node_seq_push(target, node_scalar(have->items[i]->value));
	for (i = 0; i < want->nitems; i++)
		if (!node_seq_has_nocase(target, want->items[i]->value))
			node_seq_push(target, node_scalar(want->items[i]->value));
	/* "a,b": the form WinRM stores. */
	before = state_list_join(have, ",");
	after = state_list_join(target, ",");
	if ((before == NULL) != (after == NULL) ||
	    (before != NULL && strcasecmp(before, after) != 0)) {
		c = changes_add(out, "trusted_hosts", "trusted_hosts.hosts",
		    before, after, want);
		if (node_get_str(observed, "source") != NULL)
			c->flags |= CHANGE_GPO;
	}
	free(before);
	free(after);
	node_free(target);
	return 0;
}

static int
trusted_hosts_apply(struct state_ctx *ctx, const struct change *c,
    const struct node *observed, char **cause)
{
	struct wsman_body body;
	struct node *fields;
	int rc;

	fields = node_map();
	/* Quoted: an empty or numeric-looking list is still a string. */
	node_map_set(fields, "TrustedHosts", node_scalar(c->after != NULL ?
	    c->after : ""));
	fields->pairs[0].value->quoted = 1;
	memset(&body, 0, sizeof(body));
	body.name = "Client";
	body.ns = TH_URI;
	body.fields = fields;
	rc = wsman_put(ctx->ws, WSMAN_REF(TH_URI), &body, NULL, cause);
	node_free(fields);
	return rc;
}

/* A delta: what RUN removed comes back, what it added goes; no more. */
static void
trusted_hosts_revert(struct node *desired, const char **keys, size_t nkeys,
    const struct node *value, const struct node *before,
    const struct node *added, const struct node *removed)
{
	if (nkeys == 2 && strcmp(keys[1], "hosts") == 0)
		state_overlay_delta(desired, keys, nkeys, added, removed);
	else
		state_overlay(desired, keys, nkeys, value);
}

const struct state_ops state_trusted_hosts_ops = {
	.kind = "trusted_hosts",
	.read = trusted_hosts_read,
	.diff = trusted_hosts_diff,
	.apply = trusted_hosts_apply,
	.revert = trusted_hosts_revert,
};
