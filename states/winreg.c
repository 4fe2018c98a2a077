/*
 * winreg.c: HKLM through StdRegProv methods over WS-Man.  A method's
 * ReturnValue is a Win32 error code: 0 success, 2 not found; anything
 * else is reported with the method and key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "winreg.h"
#include "wsman.h"

#define WINREG_URI	WSMAN_URI_WMI "/root/default/StdRegProv"
#define WINREG_HKLM	"2147483650"
#define WIN32_NOT_FOUND	2

static struct node *
winreg_params(const char *key, const char *name)
{
	struct node *p;

	p = node_map();
	node_map_set(p, "hDefKey", node_scalar(WINREG_HKLM));
	node_map_set(p, "sSubKeyName", node_scalar(key));
	if (name != NULL)
		node_map_set(p, "sValueName", node_scalar(name));
	return p;
}

/* Call a method; *rv is its ReturnValue; *out (may be NULL) its output. */
static int
winreg_call(struct wsman *ws, const char *method, struct node *params,
    int flags, long long *rv, struct node **out, char **cause)
{
	struct node *o = NULL;
	const struct node *v;
	int rc = -1;

	if (wsman_invoke(ws, WSMAN_REF(WINREG_URI), method, params, flags, &o,
	    cause) == -1)
		goto done;
	v = node_get(o, "ReturnValue");
	if (node_int(v, rv) == -1) {
		cause_set(cause, "%s: StdRegProv %s: reply has no ReturnValue",
		    wsman_host(ws), method);
		goto done;
	}
	if (out != NULL) {
		*out = o;
		o = NULL;
	}
	rc = 0;
done:
	node_free(o);
	node_free(params);
	return rc;
}

static int
winreg_failed(struct wsman *ws, const char *method, const char *key,
    long long rv, char **cause)
{
	return cause_set(cause, "%s: StdRegProv %s 'HKLM\\%s': Win32 error "
	    "%lld", wsman_host(ws), method, key, rv);
}

int
winreg_enum_values(struct wsman *ws, const char *key, struct node **out,
    int *found, char **cause)
{
	const struct node *names, *types;
	struct node *o = NULL;
	long long rv;
	size_t i, n;

	*out = NULL;
	if (winreg_call(ws, "EnumValues", winreg_params(key, NULL),
	    WSMAN_READONLY, &rv, &o, cause) == -1)
		return -1;
	if (rv != 0 && rv != WIN32_NOT_FOUND) {
		node_free(o);
		return winreg_failed(ws, "EnumValues", key, rv, cause);
	}
	*found = rv == 0;
	*out = node_map();
	names = node_get(o, "sNames");
	types = node_get(o, "Types");
	n = node_is_null(names) ? 0 : wsman_list_len(names);
	for (i = 0; i < n; i++) {
		const struct node *nm = wsman_list(names, i);
		const struct node *ty = wsman_list(types, i);

		if (nm == NULL || nm->kind != NODE_SCALAR)
			continue;
		node_map_set(*out, nm->value, node_scalar(ty != NULL &&
		    ty->kind == NODE_SCALAR ? ty->value : "0"));
	}
	node_free(o);
	return 0;
}

int
winreg_get_dword(struct wsman *ws, const char *key, const char *name,
    uint32_t *out, int *found, char **cause)
{
	struct node *o = NULL;
	long long rv, v;

	if (winreg_call(ws, "GetDWORDValue", winreg_params(key, name),
	    WSMAN_READONLY, &rv, &o, cause) == -1)
		return -1;
	*found = 0;
	if (rv == 0 && node_int(node_get(o, "uValue"), &v) == 0) {
		*out = (uint32_t)v;
		*found = 1;
	} else if (rv != 0 && rv != WIN32_NOT_FOUND) {
		node_free(o);
		return winreg_failed(ws, "GetDWORDValue", key, rv, cause);
	}
	node_free(o);
	return 0;
}

int
winreg_get_string(struct wsman *ws, const char *key, const char *name,
    char **out, int *found, char **cause)
{
	const struct node *v;
	struct node *o = NULL;
	long long rv;

	*out = NULL;
	if (winreg_call(ws, "GetStringValue", winreg_params(key, name),
	    WSMAN_READONLY, &rv, &o, cause) == -1)
		return -1;
	*found = 0;
	v = node_get(o, "sValue");
	if (rv == 0 && v != NULL && v->kind == NODE_SCALAR) {
		*out = xstrdup(v->value);
		*found = 1;
	} else if (rv != 0 && rv != WIN32_NOT_FOUND) {
		node_free(o);
		return winreg_failed(ws, "GetStringValue", key, rv, cause);
	}
	node_free(o);
	return 0;
}

/* A write: any non-zero ReturnValue is a failure. */
static int
winreg_write(struct wsman *ws, const char *method, struct node *params,
    const char *key, int missing_ok, char **cause)
{
	long long rv;

	if (winreg_call(ws, method, params, 0, &rv, NULL, cause) == -1)
		return -1;
	if (rv == 0 || (missing_ok && rv == WIN32_NOT_FOUND))
		return 0;
	return winreg_failed(ws, method, key, rv, cause);
}

int
winreg_create_key(struct wsman *ws, const char *key, char **cause)
{
	return winreg_write(ws, "CreateKey", winreg_params(key, NULL), key, 0,
	    cause);
}

int
winreg_delete_key(struct wsman *ws, const char *key, char **cause)
{
	return winreg_write(ws, "DeleteKey", winreg_params(key, NULL), key, 1,
	    cause);
}

int
winreg_set_dword(struct wsman *ws, const char *key, const char *name,
    uint32_t value, char **cause)
{
	struct node *p;
	char text[16];

	snprintf(text, sizeof(text), "%u", value);
	p = winreg_params(key, name);
	node_map_set(p, "uValue", node_scalar(text));
	return winreg_write(ws, "SetDWORDValue", p, key, 0, cause);
}

int
winreg_set_string(struct wsman *ws, const char *key, const char *name,
    const char *value, char **cause)
{
	struct node *p;

	p = winreg_params(key, name);
	node_map_set(p, "sValue", node_scalar(value));
	return winreg_write(ws, "SetStringValue", p, key, 0, cause);
}

int
winreg_delete_value(struct wsman *ws, const char *key, const char *name,
    char **cause)
{
	return winreg_write(ws, "DeleteValue", winreg_params(key, name), key,
	    1, cause);
}
