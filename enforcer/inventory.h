/*
 * inventory.h: hosts and groups from an Ansible inventory, where most
 * teams already list their Windows servers.  A desired-state file names it
 * ("inventory: hosts.ini", or a list); its hosts join "hosts:" with the
 * groups they belong to (directly or through "children"), ansible_host as
 * their address and ansible_port as their port, resolved as Ansible does:
 * group vars from the outermost group in, groups of one depth in name
 * order, then host vars.
 *
 * Both of Ansible's forms are read: INI ([group], [group:vars],
 * [group:children], "host k=v ...", "host:port", numeric ranges
 * "web[01:10]") and YAML (all: { hosts, vars, children }), the form told
 * by the file's name (.yaml, .yml: YAML).  Other variables are ignored.
 */
#ifndef ENFORCER_INVENTORY_H
#define ENFORCER_INVENTORY_H

#include "node.h"
#include "util.h"

/* Every group an inventory defines, with or without hosts. */
struct inventory_groups {
	char	**v;		/* owned */
	size_t	  n;
};

/*
 * Parse the inventory text (len bytes) named name (a file, or a file of a
 * commit: "REF:path") into *out, a desired-state document
 * { hosts: { NAME: { groups: [...], address: A, port: P } } } whose nodes
 * carry name:line:col; add every group it defines to groups (but
 * Ansible's implicit "all" and "ungrouped").  On failure returns -1 with
 * the problems in errs ("name:line:col: message") and *out NULL.  *out is
 * released with node_free().
 */
int inventory_parse(struct node **out, const char *name, const char *text,
    size_t len, struct inventory_groups *groups, struct errors *errs);

void inventory_groups_release(struct inventory_groups *);

/* name is one of groups' names. */
int inventory_groups_has(const struct inventory_groups *, const char *name);

#endif
