/*
 * winreg.c: HKLM through StdRegProv methods over WS-Man.  A method's
 * ReturnValue is a Win32 error code (docs/windows-behaviour.md, "StdRegProv
 * return codes"): 0 success; 2 (ERROR_FILE_NOT_FOUND) when the key is
 * missing; for Get*Value also 1 when the key exists without the value.
 * Anything else is reported with the method and key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "winreg.h"

#define WINREG_URI	WSMAN_URI_WMI "/root/default/StdRegProv"
#define WINREG_HKLM	"2147483650"
#define WIN32_NOT_FOUND	2	/* ERROR_FILE_NOT_FOUND: no such key */
#define WMI_NO_VALUE	1	/* Get*Value: the key has no such value */

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

void
winreg_read_prepare(struct wsman_read *r, const char *method,
    const char *key, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->kind = WSMAN_READ_INVOKE;
	r->ref.uri = WINREG_URI;
	r->method = method;
	r->params = winreg_params(key, name);
}

void
winreg_read_release(struct wsman_read *r)
{
	node_free((struct node *)r->params);
	r->params = NULL;
	wsman_read_release(r);
}

static const char *
winreg_key_of(const struct wsman_read *r)
{
	const char *k = node_get_str(r->params, "sSubKeyName");

	return k != NULL ? k : "?";
}

/*
 * Whether rv from method means "absent".  Get*Value answers 1 for a
 * missing value under an existing key and 2 for a missing key; Microsoft
 * documents only "a Win32 error code", so both are taken as absent, and
 * 1 only from the Get methods, where it cannot mean anything else.
 */
static int
winreg_absent(const char *method, long long rv)
{
	if (rv == WIN32_NOT_FOUND)
		return 1;
	return rv == WMI_NO_VALUE && strncmp(method, "Get", 3) == 0;
}

/*
 * The read's ReturnValue: 0 with *found 1, "absent" with *found 0,
 * anything else a failure.
 */
static int
winreg_result(struct wsman *ws, const struct wsman_read *r, int *found,
    char **cause)
{
	long long rv;

	if (r->rc == -1)
		return cause_set(cause, "%s", r->cause != NULL ? r->cause :
		    "read failed");
	if (node_int(node_get(r->result, "ReturnValue"), &rv) == -1)
		return cause_set(cause, "%s: StdRegProv %s: reply has no "
		    "ReturnValue", wsman_host(ws), r->method);
	if (rv != 0 && !winreg_absent(r->method, rv))
		return cause_set(cause, "%s: StdRegProv %s 'HKLM\\%s': Win32 "
		    "error %lld", wsman_host(ws), r->method, winreg_key_of(r),
		    rv);
	*found = rv == 0;
	return 0;
}

int
winreg_result_dword(struct wsman *ws, const struct wsman_read *r,
    uint32_t *out, int *found, char **cause)
{
	long long v;

	if (winreg_result(ws, r, found, cause) == -1)
		return -1;
	if (*found && node_int(node_get(r->result, "uValue"), &v) == 0)
		*out = (uint32_t)v;
	else
		*found = 0;
	return 0;
}

int
winreg_result_string(struct wsman *ws, const struct wsman_read *r,
    char **out, int *found, char **cause)
{
	const struct node *v;

	*out = NULL;
	if (winreg_result(ws, r, found, cause) == -1)
		return -1;
	v = node_get(r->result, "sValue");
	if (*found && v != NULL && v->kind == NODE_SCALAR)
		*out = xstrdup(v->value);
	else
		*found = 0;
	return 0;
}

int
winreg_result_names(struct wsman *ws, const struct wsman_read *r,
    struct node **out, int *found, char **cause)
{
	const struct node *names, *types, *nm, *ty;
	size_t i, n;

	*out = NULL;
	if (winreg_result(ws, r, found, cause) == -1)
		return -1;
	*out = node_map();
	names = node_get(r->result, "sNames");
	types = node_get(r->result, "Types");
	n = names == NULL || node_is_null(names) ? 0 : wsman_list_len(names);
	for (i = 0; i < n; i++) {
		nm = wsman_list(names, i);
		ty = wsman_list(types, i);
		if (nm == NULL || nm->kind != NODE_SCALAR)
			continue;
		node_map_set(*out, nm->value, node_scalar(ty != NULL &&
		    ty->kind == NODE_SCALAR ? ty->value : "0"));
	}
	return 0;
}

/* One read now: prepare, send, interpret with fn. */
#define WINREG_ONE(ws, method, key, name, call) do {			\
	struct wsman_read r_;						\
	int rc_;							\
									\
	winreg_read_prepare(&r_, method, key, name);			\
	wsman_read_many(ws, &r_, 1);					\
	rc_ = (call);							\
	winreg_read_release(&r_);					\
	return rc_;							\
} while (0)

int
winreg_enum_values(struct wsman *ws, const char *key, struct node **out,
    int *found, char **cause)
{
	WINREG_ONE(ws, "EnumValues", key, NULL,
	    winreg_result_names(ws, &r_, out, found, cause));
}

int
winreg_get_dword(struct wsman *ws, const char *key, const char *name,
    uint32_t *out, int *found, char **cause)
{
	WINREG_ONE(ws, "GetDWORDValue", key, name,
	    winreg_result_dword(ws, &r_, out, found, cause));
}

int
winreg_get_string(struct wsman *ws, const char *key, const char *name,
    char **out, int *found, char **cause)
{
	WINREG_ONE(ws, "GetStringValue", key, name,
	    winreg_result_string(ws, &r_, out, found, cause));
}

/* A write: any non-zero ReturnValue is a failure. */
static int
winreg_write(struct wsman *ws, const char *method, struct node *params,
    const char *key, int missing_ok, char **cause)
{
	struct node *o = NULL;
	long long rv;
	int rc = -1;

	if (wsman_invoke(ws, WSMAN_REF(WINREG_URI), method, params, 0, &o,
	    cause) == -1)
		goto done;
	if (node_int(node_get(o, "ReturnValue"), &rv) == -1) {
		cause_set(cause, "%s: StdRegProv %s: reply has no ReturnValue",
		    wsman_host(ws), method);
		goto done;
	}
	if (rv == 0 || (missing_ok && rv == WIN32_NOT_FOUND))
		rc = 0;
	else
		cause_set(cause, "%s: StdRegProv %s 'HKLM\\%s': Win32 error "
		    "%lld", wsman_host(ws), method, key, rv);
done:
	node_free(o);
	node_free(params);
	return rc;
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
