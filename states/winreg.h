/*
 * winreg.h: the Windows registry over WMI's StdRegProv
 * (docs/windows-behaviour.md#stdregprov), shared by the state modules that
 * manage registry policy.  Only HKEY_LOCAL_MACHINE.  A missing key or
 * value is not an error: *found says.
 *
 * Reads come in two forms: one call at a time (winreg_get_*), or prepared
 * into a struct wsman_read so that a module can send many independent
 * reads together with wsman_read_many() and interpret each result with
 * winreg_result_*().
 */
#ifndef ENFORCER_WINREG_H
#define ENFORCER_WINREG_H

#include <stdint.h>

#include "node.h"
#include "wsman.h"

#define WINREG_SZ	1
#define WINREG_DWORD	4

/*
 * Prepare r as a read-only StdRegProv method call ("GetDWORDValue",
 * "GetStringValue", "EnumValues") on key (and value name, may be NULL).
 * r->params is allocated: winreg_read_release() frees it and the result.
 */
void winreg_read_prepare(struct wsman_read *r, const char *method,
    const char *key, const char *name);
void winreg_read_release(struct wsman_read *r);

/* Interpret a finished read; the cause names host, method and key. */
int winreg_result_dword(struct wsman *, const struct wsman_read *,
    uint32_t *out, int *found, char **cause);
int winreg_result_string(struct wsman *, const struct wsman_read *,
    char **out, int *found, char **cause);
/* EnumValues: *out is a map name -> type number (owned by the caller). */
int winreg_result_names(struct wsman *, const struct wsman_read *,
    struct node **out, int *found, char **cause);

/* One call at a time. */
int winreg_enum_values(struct wsman *, const char *key, struct node **out,
    int *found, char **cause);
int winreg_get_dword(struct wsman *, const char *key, const char *name,
    uint32_t *out, int *found, char **cause);
int winreg_get_string(struct wsman *, const char *key, const char *name,
    char **out, int *found, char **cause);

int winreg_create_key(struct wsman *, const char *key, char **cause);
int winreg_delete_key(struct wsman *, const char *key, char **cause);
int winreg_set_dword(struct wsman *, const char *key, const char *name,
    uint32_t value, char **cause);
int winreg_set_string(struct wsman *, const char *key, const char *name,
    const char *value, char **cause);
/* Deleting a value that does not exist succeeds. */
int winreg_delete_value(struct wsman *, const char *key, const char *name,
    char **cause);

#endif
