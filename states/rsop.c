/*
 * rsop.c: registry policy values Group Policy delivers, read from the
 * host's RSoP logging data (rsop.h).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rsop.h"
#include "winreg.h"

#define RSOP_URI	WSMAN_URI_WMI "/root/rsop/computer/*"
/* Group Policy's own switch for RSoP logging (rsop.h). */
#define RSOP_LOG_KEY	"SOFTWARE\\Policies\\Microsoft\\Windows\\System"
#define RSOP_LOG_VALUE	"RSoPLogging"

static const struct wsman_filter rsop_filter = {
	"SELECT GPOID, registryKey, valueName FROM "
	"RSOP_RegistryPolicySetting WHERE precedence = 1", NULL, 0,
};

void
rsop_read_prepare(struct wsman_read *r)
{
	memset(&r[0], 0, sizeof(r[0]));
	r[0].kind = WSMAN_READ_ENUMERATE;
	r[0].ref.uri = RSOP_URI;
	r[0].filter = &rsop_filter;
	winreg_read_prepare(&r[1], "GetDWORDValue", RSOP_LOG_KEY,
	    RSOP_LOG_VALUE);
}

void
rsop_read_release(struct wsman_read *r)
{
	wsman_read_release(&r[0]);
	winreg_read_release(&r[1]);
}

/*
 * A key as the map stores it: lower case, no hive, no backslashes at
 * either end.  RSoP logs keys without the hive; a hive is dropped anyway.
 */
static char *
rsop_key(const char *key, const char *name)
{
	static const char *const hives[] = { "HKEY_LOCAL_MACHINE\\",
	    "HKLM\\", "MACHINE\\" };
	char *out, *p;
	size_t i, n;

	for (i = 0; i < nitems(hives); i++)
		if (strncasecmp(key, hives[i], strlen(hives[i])) == 0)
			key += strlen(hives[i]);
	while (*key == '\\')
		key++;
	n = strlen(key);
	while (n > 0 && key[n - 1] == '\\')
		n--;
	out = xasprintf("%.*s\\%s", (int)n, key, name != NULL ? name : "");
	for (p = out; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

/*
 * The GPO as people name it: GPOID is the GPO's directory path
 * ("cn={31B2F340-...},cn=policies,cn=system,DC=contoso,DC=test") or
 * "LocalGPO"; its {GUID} is what Get-GPO -Guid and the GPMC show.
 */
static char *
rsop_gpo_name(const char *id)
{
	const char *open = strchr(id, '{'), *close;

	if (strcasecmp(id, "LocalGPO") == 0)
		return xstrdup("local Group Policy (LocalGPO)");
	if (open != NULL && (close = strchr(open, '}')) != NULL)
		return xstrndup(open, (size_t)(close - open + 1));
	return xstrdup(id);
}

static void
rsop_add(struct rsop *out, const struct node *s)
{
	const char *id = node_get_str(s, "GPOID");
	const char *key = node_get_str(s, "registryKey");
	const char *name = node_get_str(s, "valueName");
	char *k, *gpo;

	if (id == NULL || key == NULL)
		return;
	k = rsop_key(key, name);
	gpo = rsop_gpo_name(id);
	if (node_get(out->owned, k) == NULL)
		node_map_set(out->owned, k, node_scalar(gpo));
	free(gpo);
	free(k);
}

int
rsop_result(struct wsman *ws, const struct wsman_read *r, struct rsop *out,
    char **cause)
{
	uint32_t logging;
	size_t i;
	int found;

	memset(out, 0, sizeof(*out));
	if (winreg_result_dword(ws, &r[1], &logging, &found, cause) == -1)
		return -1;
	if (found && logging == 0) {
		out->unavailable = xstrdup("RSoP logging is turned off "
		    "(HKLM\\" RSOP_LOG_KEY " " RSOP_LOG_VALUE " = 0)");
		return 0;
	}
	/* A fault is the host's answer (no namespace, access denied). */
	if (r[0].rc == -1 && r[0].error != WSMAN_E_FAULT)
		return cause_set(cause, "%s", r[0].cause);
	if (r[0].rc == -1) {
		out->unavailable = xstrdup(r[0].cause);
		return 0;
	}
	out->owned = node_map();
	for (i = 0; i < wsman_list_len(r[0].result); i++)
		rsop_add(out, wsman_list(r[0].result, i));
	return 0;
}

const char *
rsop_owner(const struct rsop *rs, const char *key, const char *name)
{
	const char *v = NULL;
	char *k;
	size_t i, n;

	if (rs->owned == NULL)
		return NULL;
	k = rsop_key(key, name);
	if (name != NULL)
		v = node_get_str(rs->owned, k);
	for (i = 0, n = strlen(k); v == NULL && name == NULL &&
	    i < rs->owned->npairs; i++)
		if (strncmp(rs->owned->pairs[i].key->value, k, n) == 0)
			v = rs->owned->pairs[i].value->value;
	free(k);
	return v;
}

void
rsop_release(struct rsop *rs)
{
	node_free(rs->owned);
	free(rs->unavailable);
	memset(rs, 0, sizeof(*rs));
}
