/*
 * winreg.h: the Windows registry over WMI's StdRegProv (NOTES.md section
 * 8), shared by the state modules that manage registry policy.  Only
 * HKEY_LOCAL_MACHINE.  A missing key or value is not an error: *found says.
 */
#ifndef ENFORCER_WINREG_H
#define ENFORCER_WINREG_H

#include <stdint.h>

#include "node.h"

struct wsman;

#define WINREG_SZ	1
#define WINREG_DWORD	4

/*
 * Names and types of the values of key: *out is a map name -> type number
 * (owned by the caller); an absent key gives an empty map and *found 0.
 */
int winreg_enum_values(struct wsman *, const char *key, struct node **out,
    int *found, char **cause);
int winreg_get_dword(struct wsman *, const char *key, const char *name,
    uint32_t *out, int *found, char **cause);
/* *out owned by the caller. */
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
