/*
 * failsafe.h: the "failsafe" kind (failsafe.c): the host's
 * \enforcer\failsafe-<window> scheduled tasks, each turning off again what
 * a CredSSP window turned on, and the markers they leave when they run
 * (docs/windows.md).  No policy names the kind: its desired state is
 * computed by enforcer/window_failsafe.c, and the engine's guard
 * (window_guard.c) brings it into each host's run.
 *
 *	failsafe:
 *	  tasks:		# one task per window that turns CredSSP on
 *	    create-cluster: { trigger: 2026-11-25T11:15:00Z,
 *			      command: "powershell.exe ... -EncodedCommand ...",
 *			      script: "$ErrorActionPreference='Stop'\n...",
 *			      enabled: true,
 *			      keep_from: 2026-11-25T11:00:00Z,
 *			      last_result: "267011" }	# observed only
 *	  fired:		# markers the tasks leave when they run
 *	    old-window: 2026-11-24T10:15:00Z
 *
 * The command is the same small loader for every task: it runs the script
 * kept in the registry (FAILSAFE_SCRIPT_KEY), which does the work and,
 * once every setting reads back off, leaves the marker and removes itself
 * (enforcer/window_script.c).  last_result is the task's LastTaskResult:
 * a task that ran and failed stays, and its result is reported.
 *
 * keep_from is in the desired tree only: a task already armed for a time
 * from keep_from to trigger, running the command written for its own
 * trigger (the trigger appears in it), is as wanted and left alone; that
 * is how a lease is renewed only when due (window_failsafe.h).
 *
 * Its diff marks a task armed or moved CHANGE_FIRST and a task removed
 * CHANGE_LAST (state.h).  Besides its state_ops, the module exports how its
 * changes read, for the guard and for the reasons given in plan.
 */
#ifndef ENFORCER_FAILSAFE_H
#define ENFORCER_FAILSAFE_H

#include "state.h"

#define FAILSAFE_KIND		"failsafe"
#define FAILSAFE_TASK_FOLDER	"\\enforcer\\"
#define FAILSAFE_TASK_LEAF	"failsafe-"			/* + window name */
#define FAILSAFE_TASK_PREFIX	FAILSAFE_TASK_FOLDER FAILSAFE_TASK_LEAF
/* The script each task runs (docs/windows.md): name = window. */
#define FAILSAFE_SCRIPT_KEY	"SOFTWARE\\enforcer\\failsafe-script"
/* The registry value each task leaves when it runs: name = window. */
#define FAILSAFE_MARKER_KEY	"SOFTWARE\\enforcer\\failsafe"
#define FAILSAFE_TASKS_PATH	"failsafe.tasks."	/* + window name */
#define FAILSAFE_FIRED_PATH	"failsafe.fired."	/* + window name */

/* A change of kind "failsafe" that arms or moves a task (tasks path). */
int failsafe_is_arm(const struct change *);
/* A change of kind "failsafe" that removes a task. */
int failsafe_is_disarm(const struct change *);
/* A change of kind "failsafe" that clears the marker of a task that ran. */
int failsafe_is_fired(const struct change *);
/* The window a failsafe change is about, from its path (borrowed). */
const char *failsafe_change_window(const struct change *);

/*
 * The host's task for window, in state (kind -> tree), ran and failed:
 * its LastTaskResult (borrowed); NULL when it has not, or succeeded.
 */
const char *failsafe_failed(const struct node *state, const char *window);

#endif
