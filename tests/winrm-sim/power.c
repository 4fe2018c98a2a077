/*
 * power.c: a host switched off and booted again (POST /hosts/NAME/power).
 * Off, nothing runs and nothing answers; its clock goes on.  At boot the
 * services set to start automatically start, every enabled task with a
 * BootTrigger runs, and a one-shot trigger that passed while the host was
 * off runs only when the task has StartWhenAvailable
 * (docs/windows-behaviour.md#the-fail-safe-task).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

void
sim_host_power_off(struct sim_host *h)
{
	h->powered_off = 1;
}

/* Names first: a task's run may add or delete tasks. */
static void
boot_tasks(struct sim_host *h)
{
	struct sim_task *t;
	char **names;
	size_t i, n = 0;
	time_t now = sim_now(h);

	names = xcalloc(h->ntasks + 1, sizeof(*names));
	for (i = 0; i < h->ntasks; i++) {
		t = &h->tasks[i];
		if (sim_task_due(t, now) && !t->start_when_available)
			t->missed = t->trigger;
		if (t->enabled && t->boot_trigger)
			names[n++] = xstrdup(t->name);
	}
	for (i = 0; i < n; i++) {
		if (sim_task(h, names[i], 0) != NULL)
			sim_task_run(h, names[i]);
		free(names[i]);
	}
	free(names);
}

void
sim_host_boot(struct sim_host *h)
{
	struct sim_service *s;
	size_t i;

	if (!h->powered_off)
		return;
	h->powered_off = 0;
	for (i = 0; i < h->nservices; i++) {
		s = &h->services[i];
		if (s->start_mode != NULL && strcasecmp(s->start_mode,
		    "Auto") == 0 && strcasecmp(s->state, "Running") != 0)
			sim_service_set_state(h, s, "Running");
	}
	boot_tasks(h);
	sim_run_due_tasks(h);
}
