/*
 * service.c: Windows services through WMI's Win32_Service
 * (docs/windows-behaviour.md#win32_service): running or stopped, and the
 * start mode.  Stopping or disabling WinRM cuts the very connection
 * enforcer uses, so those changes are flagged to go last.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "state.h"
#include "wsman.h"

#define SVC_URI	WSMAN_URI_WMI "/root/cimv2/Win32_Service"

/* Win32_Service.StartMode as reported, and as ChangeStartMode takes it. */
static const struct service_mode {
	const char	*ours;
	const char	*reported;
	const char	*method;
} service_modes[] = {
	{ "auto", "Auto", "Automatic" },
	{ "manual", "Manual", "Manual" },
	{ "disabled", "Disabled", "Disabled" },
};

static char *
service_lower(const char *s)
{
	char *p, *out = xstrdup(s);

	for (p = out; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

static int
service_read_one(struct state_ctx *ctx, const char *name, struct node **out,
    char **cause)
{
	const struct wsman_selector sel = { "Name", name };
	const struct wsman_ref ref = { SVC_URI, &sel, 1 };
	const struct wsman_fault *f;
	const char *state, *mode;
	struct node *svc = NULL, *o;
	char *v;

	if (wsman_get(ctx->ws, &ref, &svc, cause) == -1) {
		f = wsman_last_fault(ctx->ws);
		if (f != NULL && f->subcode != NULL &&
		    strstr(f->subcode, "InvalidSelectors") != NULL)
			cause_set(cause, "%s: service: no service named '%s'",
			    ctx->host, name);
		return -1;
	}
	state = node_get_str(svc, "State");
	mode = node_get_str(svc, "StartMode");
	if (state == NULL || mode == NULL) {
		node_free(svc);
		return cause_set(cause, "%s: service: '%s' reply lacks State "
		    "or StartMode", ctx->host, name);
	}
	o = node_map();
	v = service_lower(state);
	node_map_set(o, "state", node_scalar(v));
	free(v);
	v = service_lower(mode);
	node_map_set(o, "start_mode", node_scalar(v));
	free(v);
	node_free(svc);
	*out = o;
	return 0;
}

static int
service_read(struct state_ctx *ctx, const struct node *desired,
    struct node **observed, char **cause)
{
	struct node *obs, *one = NULL;
	size_t i;

	obs = node_map();
	for (i = 0; desired != NULL && i < desired->npairs; i++) {
		if (service_read_one(ctx, desired->pairs[i].key->value, &one,
		    cause) == -1) {
			node_free(obs);
			return -1;
		}
		node_map_set(obs, desired->pairs[i].key->value, one);
	}
	*observed = obs;
	return 0;
}

static void
service_diff_field(const char *name, const char *field,
    const struct node *want, const struct node *have, struct changes *out)
{
	const struct node *w = node_get(want, field);
	const char *h = node_get_str(have, field);
	struct change *c;
	char *path;

	if (w == NULL || w->kind != NODE_SCALAR ||
	    (h != NULL && strcasecmp(w->value, h) == 0))
		return;
	path = xasprintf("service.%s.%s", name, field);
	c = changes_add(out, "service", path, h, w->value, w);
	if (strcasecmp(name, "WinRM") == 0 &&
	    (strcmp(w->value, "stopped") == 0 ||
	    strcmp(w->value, "disabled") == 0))
		c->flags |= CHANGE_CUTS_CONNECTION;
	free(path);
}

static int
service_diff(const struct node *desired, const struct node *observed,
    time_t now, struct changes *out, char **cause)
{
	size_t i;

	for (i = 0; i < desired->npairs; i++) {
		const char *name = desired->pairs[i].key->value;
		const struct node *have = node_get(observed, name);

		service_diff_field(name, "start_mode", desired->pairs[i].value,
		    have, out);
		service_diff_field(name, "state", desired->pairs[i].value, have,
		    out);
	}
	return 0;
}

/* Invoke a Win32_Service method; ok lists return values that succeed. */
static int
service_invoke(struct state_ctx *ctx, const char *name, const char *method,
    struct node *params, const long long *ok, size_t nok, char **cause)
{
	const struct wsman_selector sel = { "Name", name };
	const struct wsman_ref ref = { SVC_URI, &sel, 1 };
	struct node *o = NULL;
	long long rv;
	size_t i;
	int rc = -1;

	if (wsman_invoke(ctx->ws, &ref, method, params, 0, &o, cause) == -1)
		goto done;
	if (node_int(node_get(o, "ReturnValue"), &rv) == -1) {
		cause_set(cause, "%s: service: %s '%s': no ReturnValue",
		    ctx->host, method, name);
		goto done;
	}
	for (i = 0; i < nok; i++)
		if (rv == ok[i])
			rc = 0;
	if (rc == -1)
		cause_set(cause, "%s: service: %s '%s' returned %lld",
		    ctx->host, method, name, rv);
done:
	node_free(o);
	return rc;
}

static int
service_apply(struct state_ctx *ctx, const struct change *c,
    const struct node *observed, char **cause)
{
	/* 10: already running; 6: not active (already stopped). */
	static const long long start_ok[] = { 0, 10 }, stop_ok[] = { 0, 6 };
	static const long long mode_ok[] = { 0 };
	const char *name, *field;
	struct node *params;
	char *svc;
	size_t i;
	int rc;

	name = c->path + strlen("service.");
	field = strrchr(name, '.');
	svc = xstrndup(name, (size_t)(field - name));
	field++;
	if (strcmp(field, "state") == 0) {
		if (strcmp(c->after, "running") == 0)
			rc = service_invoke(ctx, svc, "StartService", NULL,
			    start_ok, nitems(start_ok), cause);
		else
			rc = service_invoke(ctx, svc, "StopService", NULL,
			    stop_ok, nitems(stop_ok), cause);
		free(svc);
		return rc;
	}
	for (i = 0; i < nitems(service_modes); i++)
		if (strcmp(service_modes[i].ours, c->after) == 0)
			break;
	if (i == nitems(service_modes)) {
		free(svc);
		return cause_set(cause, "%s: service: unknown start mode '%s'",
		    ctx->host, c->after);
	}
	params = node_map();
	node_map_set(params, "StartMode", node_scalar(service_modes[i].method));
	rc = service_invoke(ctx, svc, "ChangeStartMode", params, mode_ok,
	    nitems(mode_ok), cause);
	node_free(params);
	free(svc);
	return rc;
}

/* NAME: running|stopped -> NAME: {state: running|stopped} */
static void
service_normalize(struct node *body)
{
	state_wrap_scalars(body, "state");
}

const struct state_ops state_service_ops = {
	.kind = "service",
	.normalize = service_normalize,
	.read = service_read,
	.diff = service_diff,
	.apply = service_apply,
};
