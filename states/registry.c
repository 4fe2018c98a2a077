/*
 * registry.c: the table of state modules.  To add a kind, write
 * states/<kind>.c exporting one "const struct state_ops state_<kind>_ops"
 * (copy states/template.c), list it here and in the JSON Schema.
 */
#include <string.h>

#include "state.h"

extern const struct state_ops state_credssp_ops;
extern const struct state_ops state_failsafe_ops;
extern const struct state_ops state_local_group_ops;
extern const struct state_ops state_service_ops;
extern const struct state_ops state_trusted_hosts_ops;
extern const struct state_ops state_wsman_listener_ops;

/* Reading and applying follow this order. */
const struct state_ops *const state_table[] = {
	&state_credssp_ops,
	&state_local_group_ops,
	&state_trusted_hosts_ops,
	&state_service_ops,
	&state_wsman_listener_ops,
	&state_failsafe_ops,	/* not in the schema: window_failsafe.c */
	NULL,
};

const struct state_ops *
state_find(const char *kind)
{
	size_t i;

	for (i = 0; state_table[i] != NULL; i++)
		if (strcmp(state_table[i]->kind, kind) == 0)
			return state_table[i];
	return NULL;
}
