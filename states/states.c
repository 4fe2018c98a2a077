/*
 * states.c: the table of state modules and its lookup.  To add a kind,
 * follow the steps at the top of states/template.c.
 *
 * The table only answers "which module handles this kind": the engine
 * reads the kinds a host's desired state names in parallel, diffs them in
 * the desired state's key order and applies in its safe order (engine.c,
 * engine_rank: CHANGE_FIRST first, changes that cut the connection and
 * CHANGE_LAST last).  Order here means nothing; keep it alphabetical.
 */
#include <string.h>

#include "state.h"

/*
 * One line per module: STATE(kind) names the module's one export,
 * state_<kind>_ops.  A list, so that the declaration and the table entry
 * cannot disagree.
 */
#define STATE_MODULES							\
	STATE(credssp)							\
	STATE(domain_trust)						\
	STATE(failsafe)							\
	STATE(local_group)						\
	STATE(service)							\
	STATE(trusted_hosts)						\
	STATE(wsman_listener)

#define STATE(kind)	extern const struct state_ops state_##kind##_ops;
STATE_MODULES
#undef STATE

#define STATE(kind)	&state_##kind##_ops,
const struct state_ops *const state_table[] = {
	STATE_MODULES
	NULL,
};
#undef STATE

const struct state_ops *
state_find(const char *kind)
{
	size_t i;

	for (i = 0; state_table[i] != NULL; i++)
		if (strcmp(state_table[i]->kind, kind) == 0)
			return state_table[i];
	return NULL;
}
