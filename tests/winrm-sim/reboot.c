/*
 * reboot.c: a host's boot time and its restart (shutdown /r), kept small
 * and apart so that a fuller power model can replace it.  A restart stops
 * every service at once (WinRM with them: the host stops serving, open
 * connections drop), and boot.down_seconds later on the host's clock
 * (sim_boot_tick, from the event loop's tick) the host is back: a new
 * boot time, every Auto service running.  boot.stays_down keeps a host
 * down (a server that does not come back).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

#define SIM_BOOT_DOWN_S	2

void
sim_boot_init(struct sim_host *h)
{
	/* Up for an hour already, so that a restart's boot time differs. */
	h->boot_time = sim_now(h) - 3600;
	h->boot_down_s = SIM_BOOT_DOWN_S;
	h->boot_back_at = 0;
	h->boot_stays_down = 0;
}

void
sim_boot_restart(struct sim_host *h)
{
	size_t i;

	for (i = 0; i < h->nservices; i++)
		if (strcasecmp(h->services[i].state, "Stopped") != 0)
			sim_service_set_state(h, &h->services[i], "Stopped");
	h->boot_back_at = sim_now(h) + h->boot_down_s;
}

void
sim_boot_tick(struct sim_host *h)
{
	size_t i;

	if (h->boot_back_at == 0 || h->boot_stays_down ||
	    sim_now(h) < h->boot_back_at)
		return;
	h->boot_back_at = 0;
	h->boot_time = sim_now(h);
	for (i = 0; i < h->nservices; i++)
		if (strcasecmp(h->services[i].start_mode, "Auto") == 0)
			sim_service_set_state(h, &h->services[i], "Running");
}

int
sim_boot_set(struct sim_host *h, const char *key, const char *value,
    char **cause)
{
	char *end;
	long v;

	if (strcmp(key, "boot.time") == 0) {
		if (sim_time_parse(value, &h->boot_time) == -1)
			return cause_set(cause, "%s: '%s' is not an RFC 3339 "
			    "time", key, value);
		return 0;
	}
	if (strcmp(key, "boot.stays_down") == 0) {
		if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
			return cause_set(cause, "%s: expected true or false",
			    key);
		h->boot_stays_down = strcmp(value, "true") == 0;
		return 0;
	}
	if (strcmp(key, "boot.down_seconds") == 0) {
		v = strtol(value, &end, 10);
		if (*value == '\0' || *end != '\0' || v < 0 || v > 3600)
			return cause_set(cause, "%s: expected 0 to 3600", key);
		h->boot_down_s = (int)v;
		return 0;
	}
	return cause_set(cause, "unknown key '%s'", key);
}

/*
 * shutdown /r [/t N] [/f] [/d P:X:Y] [/c TEXT]: a restart, at once (a
 * delay is not modelled: /t must be 0).  Needs an administrator.
 */
int
sim_prog_shutdown(struct sim_prog *p)
{
	int a, restart = 0;

	for (a = 1; a < p->argc; a++) {
		if (strcasecmp(p->argv[a], "/r") == 0)
			restart = 1;
		else if (strcasecmp(p->argv[a], "/t") == 0 && a + 1 < p->argc &&
		    strcmp(p->argv[a + 1], "0") == 0)
			a++;
		else if ((strcasecmp(p->argv[a], "/d") == 0 ||
		    strcasecmp(p->argv[a], "/c") == 0) && a + 1 < p->argc)
			a++;
		else if (strcasecmp(p->argv[a], "/f") != 0) {
			sim_prog_err(p, "winrm-sim: shutdown: '%s' is not "
			    "modelled\r\n", p->argv[a]);
			return 1;
		}
	}
	if (!restart) {
		sim_prog_err(p, "winrm-sim: shutdown: only /r is modelled\r\n");
		return 1;
	}
	if (!p->admin) {
		sim_prog_err(p, "Access is denied.(5)\r\n");
		return 5;
	}
	sim_boot_restart(p->host);
	p->wrote = 1;
	return 0;
}
