/*
 * local_group.c: members of local groups, read and changed with net.exe
 * through the remote shell (docs/windows-behaviour.md#net-localgroup).
 * Listed members must be present; with exclusive: true, the others are
 * removed.  absent: [...] (set by enforcer, never written by users: a
 * window's grants once it ended, a revert's delta) lists members that must
 * not be there.
 *
 * Names go into a cmd.exe command line, so they are checked against a
 * conservative character set first: cmd expands %VAR% even inside quotes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "state.h"
#include "wsman.h"

#define NET_DASHES	"-------------------------------------------------------------------------------"

static int
local_group_safe(const char *s)
{
	if (*s == '\0' || strlen(s) > 256)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789 \\.-_$@'()") == strlen(s);
}

/* The first "System error N" in net.exe's output, or 0. */
static int
local_group_syserr(const struct wsman_cmd *r)
{
	const char *p;
	int n;

	if ((p = strstr(buf_cstr(&r->err), "System error ")) == NULL &&
	    (p = strstr(buf_cstr(&r->out), "System error ")) == NULL)
		return 0;
	return sscanf(p, "System error %d", &n) == 1 ? n : 0;
}

/* Members: the lines between the dashes and "The command completed". */
static struct node *
local_group_parse(const char *text)
{
	struct node *seq;
	const char *p, *eol;
	size_t len;

	seq = node_seq();
	if ((p = strstr(text, NET_DASHES)) == NULL)
		return seq;
	p = strchr(p, '\n');
	while (p != NULL && *++p != '\0') {
		eol = strchr(p, '\n');
		len = eol != NULL ? (size_t)(eol - p) : strlen(p);
		while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' '))
			len--;
		if (strncmp(p, "The command completed", 21) == 0)
			break;
		if (len > 0) {
			char *m = xstrndup(p, len);

			node_seq_push(seq, node_scalar(m));
			free(m);
		}
		p = eol;
	}
	return seq;
}

static int
local_group_read_one(struct state_ctx *ctx, const char *group,
    struct node **members, char **cause)
{
	struct wsman_cmd r = WSMAN_CMD_INIT;
	char *line;
	int rc = -1;

	if (!local_group_safe(group))
		return cause_set(cause, "%s: local_group: unsafe group name "
		    "'%s'", ctx->host, group);
	line = xasprintf("net localgroup \"%s\"", group);
	if (wsman_run(ctx->ws, line, WSMAN_KEEP_SHELL, &r, cause) == -1)
		goto done;
	if (r.exit_code != 0) {
		if (local_group_syserr(&r) == 1376)
			cause_set(cause, "%s: local_group: group '%s' does not "
			    "exist", ctx->host, group);
		else
			cause_set(cause, "%s: local_group: '%s' exited %ld: %s",
			    ctx->host, line, r.exit_code, buf_cstr(&r.err));
		goto done;
	}
	*members = local_group_parse(buf_cstr(&r.out));
	rc = 0;
done:
	wsman_cmd_release(&r);
	free(line);
	return rc;
}

static int
local_group_read(struct state_ctx *ctx, const struct node *desired,
    struct node **observed, char **cause)
{
	struct node *obs, *g, *members = NULL;
	size_t i;

	obs = node_map();
	for (i = 0; desired != NULL && i < desired->npairs; i++) {
		const char *name = desired->pairs[i].key->value;

		if (local_group_read_one(ctx, name, &members, cause) == -1) {
			node_free(obs);
			return -1;
		}
		g = node_map();
		node_map_set(g, "members", members);
		node_map_set(obs, name, g);
	}
	*observed = obs;
	return 0;
}

/*
 * Members there that absent lists, as the host spells them, unless
 * exclusive took them already.  The change's desired node is absent's
 * item, which carries no origin: the engine names the window that ended.
 */
static void
local_group_diff_absent(const struct node *group, const struct node *want,
    const struct node *have, int exclusive, const char *path,
    struct changes *out)
{
	const struct node *absent = node_get(group, "absent"), *h;
	size_t i, j;

	for (i = 0; !exclusive && have != NULL && i < have->nitems; i++) {
		h = have->items[i];
		if (node_seq_has_nocase(want, h->value))
			continue;
		for (j = 0; absent != NULL && j < absent->nitems; j++)
			if (strcasecmp(absent->items[j]->value, h->value) == 0)
				break;
		if (absent != NULL && j < absent->nitems)
			changes_add(out, "local_group", path, h->value, NULL,
			    absent->items[j])->flags |= CHANGE_ITEM;
	}
}

static int
local_group_diff(const struct node *desired, const struct node *observed,
    time_t now, struct changes *out, char **cause)
{
	const struct node *want, *have;
	char *path;
	size_t i, j;
	int exclusive;

	for (i = 0; i < desired->npairs; i++) {
		const char *name = desired->pairs[i].key->value;

		want = node_get(desired->pairs[i].value, "members");
		have = node_getv(observed, name, "members", NULL);
		if (node_bool(node_get(desired->pairs[i].value, "exclusive"),
		    &exclusive) == -1)
			exclusive = 0;
		path = xasprintf("local_group.%s.members", name);
		for (j = 0; want != NULL && j < want->nitems; j++)
			if (!node_seq_has_nocase(have, want->items[j]->value))
				changes_add(out, "local_group", path, NULL,
				    want->items[j]->value,
				    want->items[j])->flags |= CHANGE_ITEM;
		for (j = 0; exclusive && have != NULL && j < have->nitems; j++)
			if (!node_seq_has_nocase(want, have->items[j]->value))
				changes_add(out, "local_group", path,
				    have->items[j]->value, NULL,
				    want)->flags |= CHANGE_ITEM;
		local_group_diff_absent(desired->pairs[i].value, want, have,
		    exclusive, path, out);
		free(path);
	}
	return 0;
}

static int
local_group_apply(struct state_ctx *ctx, const struct change *c,
    const struct node *observed, char **cause)
{
	struct wsman_cmd r = WSMAN_CMD_INIT;
	const char *group, *member, *dot;
	char *line = NULL, *name;
	int add = c->after != NULL, err, rc = -1;

	/* "local_group.<group>.members" */
	group = c->path + strlen("local_group.");
	dot = strstr(group, ".members");
	name = xstrndup(group, dot != NULL ? (size_t)(dot - group) :
	    strlen(group));
	member = add ? c->after : c->before;
	if (!local_group_safe(name) || !local_group_safe(member)) {
		cause_set(cause, "%s: local_group: unsafe name '%s' or '%s'",
		    ctx->host, name, member);
		goto done;
	}
	line = xasprintf("net localgroup \"%s\" \"%s\" %s", name, member,
	    add ? "/add" : "/delete");
	if (wsman_run(ctx->ws, line, WSMAN_KEEP_SHELL, &r, cause) == -1)
		goto done;
	err = local_group_syserr(&r);
	/* Already a member / not a member: someone got there first. */
	if (r.exit_code == 0 || (add && err == 1378) || (!add && err == 1377))
		rc = 0;
	else if (err == 1376)
		cause_set(cause, "%s: local_group: group '%s' does not exist",
		    ctx->host, name);
	else if (strstr(buf_cstr(&r.err), "There is no such global user or "
	    "group") != NULL || strstr(buf_cstr(&r.out), "There is no such "
	    "global user or group") != NULL)
		cause_set(cause, "%s: local_group: unknown account '%s'",
		    ctx->host, member);
	else
		cause_set(cause, "%s: local_group: '%s' exited %ld", ctx->host,
		    line, r.exit_code);
done:
	wsman_cmd_release(&r);
	free(line);
	free(name);
	return rc;
}

/* A delta: what RUN removed comes back, what it added goes; no more. */
static void
local_group_revert(struct node *desired, const char **keys, size_t nkeys,
    const struct node *value, const struct node *before,
    const struct node *added, const struct node *removed)
{
	if (nkeys == 3 && strcmp(keys[2], "members") == 0)
		state_overlay_delta(desired, keys, nkeys, added, removed);
	else
		state_overlay(desired, keys, nkeys, value);
}

const struct state_ops state_local_group_ops = {
	.kind = "local_group",
	.read = local_group_read,
	.diff = local_group_diff,
	.apply = local_group_apply,
	.revert = local_group_revert,
};
