/*
 * prog_sc.c: sc.exe query, qc, config start=, start and stop, with sc's
 * texts ("[SC] ... FAILED n:") and its exit codes (the Win32 error).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

static int
failed(struct sim_prog *p, const char *api, int code, const char *text)
{
	sim_prog_out(p, "[SC] %s FAILED %d:\r\n\r\n%s\r\n\r\n", api, code, text);
	return code;
}

static int
no_service(struct sim_prog *p, const char *api)
{
	return failed(p, api, 1060,
	    "The specified service does not exist as an installed service.");
}

static const struct {
	const char	*state;
	int		 code;
	const char	*name;
	const char	*controls;
} states[] = {
	{ "Stopped", 1, "STOPPED",
	  "(NOT_STOPPABLE, NOT_PAUSABLE, IGNORES_SHUTDOWN)" },
	{ "Start Pending", 2, "START_PENDING",
	  "(NOT_STOPPABLE, NOT_PAUSABLE, IGNORES_SHUTDOWN)" },
	{ "Stop Pending", 3, "STOP_PENDING",
	  "(STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)" },
	{ "Running", 4, "RUNNING",
	  "(STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)" },
	{ "Paused", 7, "PAUSED",
	  "(STOPPABLE, PAUSABLE, ACCEPTS_SHUTDOWN)" },
};

static size_t
state_index(const char *state)
{
	size_t i;

	for (i = 0; i < nitems(states); i++)
		if (strcasecmp(states[i].state, state) == 0)
			return i;
	return 0;
}

/* The block sc query prints; name as the user typed it, as sc does. */
static void
status_block(struct sim_prog *p, const char *name,
    const struct sim_service *s, const char *state, int display)
{
	size_t i = state_index(state);

	sim_prog_out(p, "\r\nSERVICE_NAME: %s\r\n", name);
	if (display)
		sim_prog_out(p, "DISPLAY_NAME: %s\r\n", s->display_name);
	sim_prog_out(p,
	    "        TYPE               : 20  WIN32_SHARE_PROCESS\r\n"
	    "        STATE              : %d  %s\r\n"
	    "                                %s\r\n"
	    "        WIN32_EXIT_CODE    : 0  (0x0)\r\n"
	    "        SERVICE_EXIT_CODE  : 0  (0x0)\r\n"
	    "        CHECKPOINT         : 0x0\r\n"
	    "        WAIT_HINT          : 0x0\r\n",
	    states[i].code, states[i].name, states[i].controls);
}

static int
query(struct sim_prog *p)
{
	struct sim_service *s;
	size_t i;

	if (p->argc < 3) {
		for (i = 0; i < p->host->nservices; i++) {
			s = &p->host->services[i];
			if (strcasecmp(s->state, "Stopped") != 0)
				status_block(p, s->name, s, s->state, 1);
		}
		sim_prog_out(p, "\r\n");
		return 0;
	}
	if ((s = sim_service(p->host, p->argv[2])) == NULL)
		return no_service(p, "EnumQueryServicesStatus:OpenService");
	status_block(p, p->argv[2], s, s->state, 0);
	sim_prog_out(p, "\r\n");
	return 0;
}

static const char *
start_type(const char *mode)
{
	if (strcasecmp(mode, "Auto") == 0)
		return "2   AUTO_START";
	if (strcasecmp(mode, "Disabled") == 0)
		return "4   DISABLED";
	if (strcasecmp(mode, "Boot") == 0)
		return "0   BOOT_START";
	if (strcasecmp(mode, "System") == 0)
		return "1   SYSTEM_START";
	return "3   DEMAND_START";
}

static int
qc(struct sim_prog *p)
{
	struct sim_service *s;

	if (p->argc < 3 || (s = sim_service(p->host, p->argv[2])) == NULL)
		return no_service(p, "OpenService");
	sim_prog_out(p, "[SC] QueryServiceConfig SUCCESS\r\n\r\n"
	    "SERVICE_NAME: %s\r\n"
	    "        TYPE               : 20  WIN32_SHARE_PROCESS\r\n"
	    "        START_TYPE         : %s\r\n"
	    "        ERROR_CONTROL      : 1   NORMAL\r\n"
	    "        BINARY_PATH_NAME   : C:\\Windows\\System32\\svchost.exe "
	    "-k netsvcs -p\r\n"
	    "        LOAD_ORDER_GROUP   : \r\n"
	    "        TAG                : 0\r\n"
	    "        DISPLAY_NAME       : %s\r\n"
	    "        DEPENDENCIES       : \r\n"
	    "        SERVICE_START_NAME : LocalSystem\r\n",
	    p->argv[2], start_type(s->start_mode), s->display_name);
	return 0;
}

static int
config_usage(struct sim_prog *p)
{
	sim_prog_out(p, "DESCRIPTION:\r\n"
	    "        Modifies a service entry in the registry and Service "
	    "Database.\r\n"
	    "USAGE:\r\n"
	    "        sc <server> config [service name] <option1> "
	    "<option2>...\r\n\r\n"
	    "OPTIONS:\r\n"
	    "NOTE: The option name includes the equal sign.\r\n"
	    "      A space is required between the equal sign and the "
	    "value.\r\n"
	    " start= <boot|system|auto|demand|disabled|delayed-auto>\r\n");
	return 1639;
}

/* sc config NAME start= MODE: "start=" and the value are two words. */
static int
config(struct sim_prog *p)
{
	static const struct {
		const char *word, *mode;
	} modes[] = {
		{ "auto", "Auto" }, { "delayed-auto", "Auto" },
		{ "demand", "Manual" }, { "disabled", "Disabled" },
		{ "boot", "Boot" }, { "system", "System" },
	};
	struct sim_service *s;
	size_t i;

	if (p->argc != 5 || strcasecmp(p->argv[3], "start=") != 0)
		return config_usage(p);
	for (i = 0; i < nitems(modes); i++)
		if (strcasecmp(p->argv[4], modes[i].word) == 0)
			break;
	if (i == nitems(modes))
		return config_usage(p);
	if (!p->admin)
		return failed(p, "OpenService", 5, "Access is denied.");
	if ((s = sim_service(p->host, p->argv[2])) == NULL)
		return no_service(p, "OpenService");
	if (strcmp(s->start_mode, modes[i].mode) != 0) {
		free(s->start_mode);
		s->start_mode = xstrdup(modes[i].mode);
		p->wrote = 1;
	}
	sim_prog_out(p, "[SC] ChangeServiceConfig SUCCESS\r\n");
	return 0;
}

/*
 * sc start / stop return at once with the pending state; the simulated
 * service then is in its final state.
 */
static int
start_stop(struct sim_prog *p, int start)
{
	struct sim_service *s;
	int running;

	if (!p->admin)
		return failed(p, "OpenService", 5, "Access is denied.");
	if (p->argc < 3 || (s = sim_service(p->host, p->argv[2])) == NULL)
		return no_service(p, "OpenService");
	running = strcasecmp(s->state, "Running") == 0;
	if (start && running)
		return failed(p, "StartService", 1056,
		    "An instance of the service is already running.");
	if (!start && !running)
		return failed(p, "ControlService", 1062,
		    "The service has not been started.");
	if (start && strcasecmp(s->start_mode, "Disabled") == 0)
		return failed(p, "StartService", 1058, "The service cannot be "
		    "started, either because it is disabled or because it has "
		    "no enabled devices associated with it.");
	status_block(p, p->argv[2], s, start ? "Start Pending" :
	    "Stop Pending", 0);
	sim_service_set_state(p->host, s, start ? "Running" : "Stopped");
	if (start)
		sim_prog_out(p, "        PID                : %d\r\n"
		    "        FLAGS              : \r\n", s->pid);
	sim_prog_out(p, "\r\n");
	p->wrote = 1;
	return 0;
}

int
sim_prog_sc(struct sim_prog *p)
{
	const char *sub = p->argc > 1 ? p->argv[1] : "";

	if (strcasecmp(sub, "query") == 0)
		return query(p);
	if (strcasecmp(sub, "qc") == 0)
		return qc(p);
	if (strcasecmp(sub, "config") == 0)
		return config(p);
	if (strcasecmp(sub, "start") == 0)
		return start_stop(p, 1);
	if (strcasecmp(sub, "stop") == 0)
		return start_stop(p, 0);
	sim_prog_out(p, "ERROR:  Unrecognized command\r\n\r\n"
	    "DESCRIPTION:\r\n"
	    "        SC is a command line program used for communicating "
	    "with the\r\n"
	    "        Service Control Manager and services.\r\n"
	    "USAGE:\r\n"
	    "        sc <server> [command] [service name] <option1> "
	    "<option2>...\r\n");
	return 1;
}
