/*
 * domain_trust.c: whether the host is a domain member and its secure
 * channel to the domain healthy, a read-only property: nothing here can
 * mend a broken trust, so a difference is reported as needing a person,
 * with the guide's remedy (restart the host: enforcer restart).
 *
 *   domain_joined:  Win32_ComputerSystem.PartOfDomain (Domain beside it)
 *   secure_channel: Test-ComputerSecureChannel's boolean, as 1 or 0, read
 *                   only on a domain member (it fails on others)
 *
 * Both are structured answers, not text (docs/windows-behaviour.md,
 * "Domain trust").
 */
#include <stdlib.h>
#include <string.h>

#include "pscmd.h"
#include "state.h"
#include "wsman.h"

#define DT_URI		WSMAN_URI_WMI "/root/cimv2/Win32_ComputerSystem"
#define DT_SCRIPT	"$ProgressPreference='SilentlyContinue';" \
			"[int](Test-ComputerSecureChannel)"

static const char domain_trust_schema[] = STATE_SCHEMA({
	"description": "Read-only: the host is a domain member and its secure channel healthy; a difference is reported, never applied (restart the host: enforcer restart).",
	"type": "object",
	"minProperties": 1,
	"additionalProperties": false,
	"properties": {
		"domain_joined": { "type": "boolean" },
		"secure_channel": { "type": "boolean" }
	}
});

static int
domain_trust_channel(struct state_ctx *ctx, struct node *obs, char **cause)
{
	struct wsman_cmd r = WSMAN_CMD_INIT;
	char *line = pscmd_line(DT_SCRIPT), *said;
	const char *out;
	int rc = -1;

	if (wsman_run(ctx->ws, line, WSMAN_KEEP_SHELL, &r, cause) == -1)
		goto done;
	out = buf_cstr(&r.out);
	out += strspn(out, " \r\n");
	if (r.exit_code != 0 || (out[0] != '0' && out[0] != '1')) {
		said = wsman_cmd_said(&r);
		cause_set(cause, "%s: domain_trust: Test-ComputerSecureChannel "
		    "exited %ld: %s", ctx->host, r.exit_code, said);
		free(said);
		goto done;
	}
	node_map_set(obs, "secure_channel", node_scalar(out[0] == '1' ?
	    "true" : "false"));
	rc = 0;
done:
	wsman_cmd_release(&r);
	free(line);
	return rc;
}

static int
domain_trust_read(struct state_ctx *ctx, const struct node *desired,
    struct node **observed, char **cause)
{
	struct node *items = NULL, *obs = NULL;
	const struct node *cs;
	const char *pod, *dom;
	int rc = -1;

	if (wsman_enumerate(ctx->ws, WSMAN_REF(DT_URI), NULL, &items,
	    cause) == -1)
		return -1;
	cs = wsman_list(items, 0);
	pod = node_get_str(cs, "PartOfDomain");
	dom = node_get_str(cs, "Domain");
	if (pod == NULL || (strcmp(pod, "true") != 0 &&
	    strcmp(pod, "false") != 0)) {
		cause_set(cause, "%s: domain_trust: Win32_ComputerSystem has "
		    "no boolean PartOfDomain", ctx->host);
		goto done;
	}
	obs = node_map();
	node_map_set(obs, "domain_joined", node_scalar(pod));
	if (dom != NULL)
		node_map_set(obs, "domain", node_scalar(dom));
	if (strcmp(pod, "true") == 0 &&
	    domain_trust_channel(ctx, obs, cause) == -1)
		goto done;
	*observed = obs;
	obs = NULL;
	rc = 0;
done:
	node_free(obs);
	node_free(items);
	return rc;
}

/* A wanted boolean the host does not hold: reported, never applied. */
static void
domain_trust_want(const struct node *desired, const struct node *observed,
    const char *key, struct changes *out)
{
	const struct node *w = node_get(desired, key);
	const char *have = node_get_str(observed, key);
	struct change *c;
	char path[64];
	int wv, hv = 0;

	if (node_bool(w, &wv) == -1 || (have != NULL &&
	    node_bool(node_get(observed, key), &hv) == 0 && hv == wv))
		return;
	snprintf(path, sizeof(path), "domain_trust.%s", key);
	c = changes_add(out, "domain_trust", path, have, wv ? "true" : "false",
	    w);
	c->flags |= CHANGE_NEEDS_PERSON;
	c->note = xstrdup(strcmp(key, "secure_channel") == 0 ?
	    "restart the host (enforcer restart), then Test-ComputerSecure"
	    "Channel -Repair if it stays broken" :
	    "join the host to its domain by hand");
}

static int
domain_trust_diff(const struct node *desired, const struct node *observed,
    time_t now, struct changes *out, char **cause)
{
	domain_trust_want(desired, observed, "domain_joined", out);
	domain_trust_want(desired, observed, "secure_channel", out);
	return 0;
}

static int
domain_trust_apply(struct state_ctx *ctx, const struct change *c,
    const struct node *observed, char **cause)
{
	return cause_set(cause, "%s: domain_trust: '%s' is read-only",
	    ctx->host, c->path);
}

const struct state_ops state_domain_trust_ops = {
	.kind = "domain_trust",
	.read = domain_trust_read,
	.diff = domain_trust_diff,
	.apply = domain_trust_apply,
	.schema = domain_trust_schema,
};
