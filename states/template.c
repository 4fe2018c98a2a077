/*
 * template.c: a complete state module to copy for a new kind.  It manages
 * REG_SZ values under HKLM\SOFTWARE\enforcer\template, by name (the
 * simulator has a registry, so a copy runs as it is):
 *
 *	template:
 *	  Greeting: hello		shorthand for {data: hello}
 *	  Motd: { data: "be nice" }
 *
 * To add a kind KIND:
 *  1. cp states/template.c states/KIND.c
 *     sed -i 's/template/KIND/g' states/KIND.c
 *     (the kind, every name's prefix, the one export state_KIND_ops)
 *  2. Add the line STATE(KIND) to the list in states/states.c.
 *  That is all the build, the loader and the engine need: the schema part
 *  below joins the embedded schema, plan and apply find the module.
 *  tests/e2e/states_add_kind.sh does 1 and 2 in a scratch tree and runs
 *  plan against the simulator.  Then:
 *  3. Make it yours: read, diff and apply for the real resource, its
 *     schema part, a normalize hook for shorthands, a revert hook if a
 *     recorded value must come back in another shape (states/state.h says
 *     what each member must do).
 *  4. Test it: diff cases in tests/unit/test_states.c, and
 *     tests/e2e/states_KIND.sh against bin/winrm-sim (teach the simulator
 *     the resource in tests/winrm-sim/ if it lacks it).
 *  5. To show the kind to editors, move its schema part into
 *     schemas/enforcer.schema.json ($defs/KIND and a property of
 *     policy_body) and drop .schema; test_states_table checks that no kind
 *     is left out or described twice.
 *
 * Rules every module keeps: one export (the ops), everything else static;
 * no include of the engine's headers (engine.h, model.h): a module sees
 * only state.h and the transport; never print, never exit: return -1 with
 * a cause "HOST: KIND: ...".
 *
 * The template itself is not in the table: a kind there is one users may
 * write, and nobody should write "template".  It is compiled in every
 * build (the Makefile compiles every states/ file), so it cannot rot
 * unnoticed.
 */
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "winreg.h"

#define TEMPLATE_KEY	"SOFTWARE\\enforcer\\template"

/* The desired body's schema; the loader checks every body against it. */
static const char template_schema[] = STATE_SCHEMA({
	"description": "REG_SZ values under HKLM\\SOFTWARE\\enforcer\\template, by name: TEXT or {data: TEXT}.",
	"type": "object",
	"minProperties": 1,
	"propertyNames": { "title": "value name", "type": "string",
	    "minLength": 1, "maxLength": 255 },
	"additionalProperties": {
		"oneOf": [
			{ "type": "string" },
			{
				"type": "object",
				"additionalProperties": false,
				"required": ["data"],
				"properties": { "data": {
				    "description": "The value's text.",
				    "type": "string" } }
			}
		]
	}
});

/* NAME: TEXT -> NAME: {data: TEXT}, the one form diff reads. */
static void
template_normalize(struct node *body)
{
	state_wrap_scalars(body, "data");
}

/*
 * Observed state has the desired state's shape, {NAME: {data: TEXT}}, and
 * leaves out what is absent, so that diff and history read alike.  Read
 * only what desired names: a host may hold anything else.
 */
static int
template_read(struct state_ctx *ctx, const struct node *desired,
    struct node **observed, char **cause)
{
	struct node *obs, *v;
	const char *name;
	char *data;
	size_t i;
	int found;

	obs = node_map();
	for (i = 0; desired != NULL && i < desired->npairs; i++) {
		name = desired->pairs[i].key->value;
		if (winreg_get_string(ctx->ws, TEMPLATE_KEY, name, &data,
		    &found, cause) == -1) {
			node_free(obs);
			return -1;
		}
		if (!found)
			continue;
		v = node_map();
		node_map_set(v, "data", node_scalar(data));
		v->pairs[0].value->quoted = 1;	/* "30" stays a string */
		node_map_set(obs, name, v);
		free(data);
	}
	*observed = obs;
	return 0;
}

/* Pure: one change per value whose data differs or is missing. */
static int
template_diff(const struct node *desired, const struct node *observed,
    time_t now, struct changes *out, char **cause)
{
	const struct node *want;
	const char *name, *have;
	char *path;
	size_t i;

	for (i = 0; i < desired->npairs; i++) {
		name = desired->pairs[i].key->value;
		want = node_get(desired->pairs[i].value, "data");
		have = node_get_str(node_get(observed, name), "data");
		if (want == NULL || (have != NULL &&
		    strcmp(have, want->value) == 0))
			continue;
		path = xasprintf("template.%s.data", name);
		changes_add(out, "template", path, have, want->value, want);
		free(path);
	}
	return 0;
}

/* c->path is "template.NAME.data"; NAME may hold dots. */
static int
template_apply(struct state_ctx *ctx, const struct change *c,
    const struct node *observed, char **cause)
{
	char *name;
	int rc;

	name = xstrndup(c->path + strlen("template."),
	    strlen(c->path) - strlen("template.") - strlen(".data"));
	if (c->after == NULL)
		rc = winreg_delete_value(ctx->ws, TEMPLATE_KEY, name, cause);
	else if ((rc = winreg_create_key(ctx->ws, TEMPLATE_KEY, cause)) == 0)
		rc = winreg_set_string(ctx->ws, TEMPLATE_KEY, name, c->after,
		    cause);
	free(name);
	return rc;
}

const struct state_ops state_template_ops = {
	.kind = "template",
	.normalize = template_normalize,
	.read = template_read,
	.diff = template_diff,
	.apply = template_apply,
	.revert = NULL,		/* a recorded value goes back as it was */
	.schema = template_schema,
	.flags = 0,
};
