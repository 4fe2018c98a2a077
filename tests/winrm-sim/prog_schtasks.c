/*
 * prog_schtasks.c: schtasks.exe /Create (/SC ONCE ... or /XML FILE),
 * /Delete, /Query (/FO TABLE|LIST|CSV, /V, /NH, /XML), /Run, /Change
 * (/ENABLE, /DISABLE, /TR, /SD, /ST, /RU) and /End, with schtasks'
 * SUCCESS: / WARNING: / ERROR: texts and exit codes (0 or 1).  Dates and
 * times are the host's en-US local time.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "sim.h"

#define TASK_NS		"http://schemas.microsoft.com/windows/2004/02/mit/task"
#define NOT_FOUND	"ERROR: The system cannot find the file specified.\r\n"
#define MAX_TR		261

enum verb {
	V_CREATE = 1, V_DELETE = 2, V_QUERY = 4, V_RUN = 8, V_CHANGE = 16,
	V_END = 32,
};

static const struct {
	const char	*name;
	const char	*usage;
	enum verb	 verb;
} verbs[] = {
	{ "/Create", "/CREATE ", V_CREATE }, { "/Delete", "/DELETE ", V_DELETE },
	{ "/Query", "/QUERY ", V_QUERY }, { "/Run", "/RUN ", V_RUN },
	{ "/Change", "/CHANGE ", V_CHANGE }, { "/End", "/END ", V_END },
};

#define ALL	(V_CREATE | V_DELETE | V_QUERY | V_RUN | V_CHANGE | V_END)
#define CC	(V_CREATE | V_CHANGE)

enum {
	O_TN, O_TR, O_SC, O_SD, O_ST, O_ED, O_ET, O_RU, O_RP, O_XML, O_FO,
	O_MO, O_D, O_M, O_I, O_RI, O_DU, O_RL, O_S, O_U, O_P, O_F, O_V,
	O_NH, O_ENABLE, O_DISABLE, O_Z, O_IT, O_K, O_NP, O_V1, O_HRESULT,
	O_COUNT
};

static const struct {
	const char	*name;
	int		 value;		/* 1 takes one, 2 may take one */
	int		 verbs;
} options[O_COUNT] = {
	[O_TN] = { "/TN", 1, ALL }, [O_TR] = { "/TR", 1, CC },
	[O_SC] = { "/SC", 1, V_CREATE }, [O_SD] = { "/SD", 1, CC },
	[O_ST] = { "/ST", 1, CC }, [O_ED] = { "/ED", 1, CC },
	[O_ET] = { "/ET", 1, CC }, [O_RU] = { "/RU", 1, CC },
	[O_RP] = { "/RP", 1, CC }, [O_XML] = { "/XML", 2, V_CREATE | V_QUERY },
	[O_FO] = { "/FO", 1, V_QUERY }, [O_MO] = { "/MO", 1, V_CREATE },
	[O_D] = { "/D", 1, V_CREATE }, [O_M] = { "/M", 1, V_CREATE },
	[O_I] = { "/I", 1, V_CREATE }, [O_RI] = { "/RI", 1, CC },
	[O_DU] = { "/DU", 1, CC }, [O_RL] = { "/RL", 1, CC },
	[O_S] = { "/S", 1, ALL }, [O_U] = { "/U", 1, ALL },
	[O_P] = { "/P", 1, ALL }, [O_F] = { "/F", 0, V_CREATE | V_DELETE },
	[O_V] = { "/V", 0, V_QUERY }, [O_NH] = { "/NH", 0, V_QUERY },
	[O_ENABLE] = { "/ENABLE", 0, V_CHANGE },
	[O_DISABLE] = { "/DISABLE", 0, V_CHANGE },
	[O_Z] = { "/Z", 0, CC }, [O_IT] = { "/IT", 0, CC },
	[O_K] = { "/K", 0, V_CHANGE }, [O_NP] = { "/NP", 0, CC },
	[O_V1] = { "/V1", 0, V_CREATE }, [O_HRESULT] = { "/HRESULT", 0, ALL },
};

struct opts {
	enum verb	 verb;
	const char	*verb_name;	/* "/CREATE " for usage lines */
	int		 set[O_COUNT];
	const char	*val[O_COUNT];
};

/* What /Create registers, from /SC ... or from /XML. */
struct spec {
	char	*command;
	time_t	 trigger;
	int	 enabled;
	char	*run_as;
	char	*schedule;
	char	*xml;
	int	 no_password;	/* /RU of an account without /RP */
};

static int
error(struct sim_prog *p, const char *msg)
{
	sim_prog_err(p, "%s", msg);
	return 1;
}

static int
syntax(struct sim_prog *p, const struct opts *o, const char *fmt,
    const char *arg)
{
	sim_prog_err(p, "ERROR: ");
	sim_prog_err(p, fmt, arg);
	sim_prog_err(p, "\r\nType \"SCHTASKS %s/?\" for usage.\r\n",
	    o->verb_name);
	return 1;
}

static int
denied(struct sim_prog *p)
{
	return error(p, "ERROR: Access is denied.\r\n");
}

/* --- arguments ---------------------------------------------------------- */

static int
parse(struct sim_prog *p, struct opts *o)
{
	const char *a;
	size_t i;
	int k, j = 1;

	memset(o, 0, sizeof(*o));
	o->verb = V_QUERY;
	o->verb_name = "";
	if (p->argc > 1)
		for (i = 0; i < nitems(verbs); i++)
			if (strcasecmp(p->argv[1], verbs[i].name) == 0) {
				o->verb = verbs[i].verb;
				o->verb_name = verbs[i].usage;
				j = 2;
			}
	for (; j < p->argc; j++) {
		a = p->argv[j];
		for (k = 0; k < O_COUNT; k++)
			if (strcasecmp(a, options[k].name) == 0 &&
			    (options[k].verbs & o->verb))
				break;
		if (k == O_COUNT)
			return syntax(p, o, "Invalid argument/option - '%s'.", a);
		if (o->set[k]++)
			return syntax(p, o, "Invalid syntax. '%s' option is not "
			    "allowed more than '1' time(s).", a);
		if (options[k].value == 0 || (options[k].value == 2 &&
		    (j + 1 >= p->argc || p->argv[j + 1][0] == '/')))
			continue;
		if (j + 1 >= p->argc)
			return syntax(p, o, "Invalid syntax. Value expected for "
			    "'%s'.", a);
		o->val[k] = p->argv[++j];
	}
	return 0;
}

/* --- rendering ---------------------------------------------------------- */

static void
local_datetime(const struct sim_host *h, time_t t, char out[64])
{
	char d[32], c[32];
	struct tm tm;

	sim_prog_tm(h, t, &tm);
	sim_lang_date(h, &tm, d);
	sim_lang_clock(h, &tm, 1, c);
	snprintf(out, 64, "%s %s", d, c);
}

/* "Last Run Time" of a task that never ran: 11/30/1999 00:00 local. */
static void
never_run(const struct sim_host *h, char out[64])
{
	struct tm tm;
	char d[32], c[32];

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 99;
	tm.tm_mon = 10;
	tm.tm_mday = 30;
	sim_lang_date(h, &tm, d);
	sim_lang_clock(h, &tm, 1, c);
	snprintf(out, 64, "%s %s", d, c);
}

static void
next_run(const struct sim_host *h, const struct sim_task *t, char out[64])
{
	if (t->enabled && t->trigger != 0 && t->trigger > sim_now(h))
		local_datetime(h, t->trigger, out);
	else
		snprintf(out, 64, "N/A");
}

static const char *
status(const struct sim_host *h, const struct sim_task *t)
{
	return sim_lang_text(h, t->enabled ? SIM_T_TASK_READY :
	    SIM_T_TASK_DISABLED);
}

/* "\enforcer\revert-x" -> folder "\enforcer", leaf "revert-x". */
static char *
folder_of(const char *name, const char **leaf)
{
	const char *bs = strrchr(name, '\\');

	*leaf = bs + 1;
	return bs == name ? xstrdup("\\") : xstrndup(name,
	    (size_t)(bs - name));
}

static const char *
schedule_type(const struct sim_task *t)
{
	static const struct {
		const char *sc, *text;
	} types[] = {
		{ "ONCE", "One Time Only" }, { "ONSTART", "At system start up" },
		{ "ONLOGON", "At logon time" }, { "ONIDLE", "At idle time" },
		{ "ONEVENT", "When an event occurs" }, { "MINUTE", "Minute" },
		{ "HOURLY", "Hourly" }, { "DAILY", "Daily" },
		{ "WEEKLY", "Weekly" }, { "MONTHLY", "Monthly" },
		{ "ONDEMAND", "On demand only" },
	};
	size_t i;

	for (i = 0; t->schedule != NULL && i < nitems(types); i++)
		if (strcasecmp(t->schedule, types[i].sc) == 0)
			return types[i].text;
	return "One Time Only";
}

/* The LIST /V fields in schtasks' order, for LIST and CSV. */
static size_t
verbose_fields(struct sim_prog *p, const struct sim_task *t,
    const char *names[28], char values[28][600])
{
	static const char *const labels[] = { "HostName", "TaskName",
	    "Next Run Time", "Status", "Logon Mode", "Last Run Time",
	    "Last Result", "Author", "Task To Run", "Start In", "Comment",
	    "Scheduled Task State", "Idle Time", "Power Management",
	    "Run As User", "Delete Task If Not Rescheduled",
	    "Stop Task If Runs X Hours and X Mins", "Schedule",
	    "Schedule Type", "Start Time", "Start Date", "End Date", "Days",
	    "Months", "Repeat: Every", "Repeat: Until: Time",
	    "Repeat: Until: Duration", "Repeat: Stop If Still Running" };
	const int once = t->trigger != 0;
	struct tm tm;
	char nb[16];
	size_t i;

	for (i = 0; i < nitems(labels); i++) {
		names[i] = labels[i];
		snprintf(values[i], 600, "N/A");
	}
	sim_host_netbios(p->host, nb);
	snprintf(values[0], 600, "%s", nb);
	snprintf(values[1], 600, "%s", t->name);
	next_run(p->host, t, values[2]);
	snprintf(values[3], 600, "%s", status(p->host, t));
	snprintf(values[4], 600, "Interactive/Background");
	if (t->last_run != 0)
		local_datetime(p->host, t->last_run, values[5]);
	else
		never_run(p->host, values[5]);
	snprintf(values[6], 600, "%s", t->last_result);
	if (t->author != NULL)
		snprintf(values[7], 600, "%s", t->author);
	snprintf(values[8], 600, "%s", t->command);
	snprintf(values[11], 600, t->enabled ? "Enabled" : "Disabled");
	snprintf(values[12], 600, "Disabled");
	snprintf(values[13], 600, "Stop On Battery Mode, No Start On "
	    "Batteries");
	snprintf(values[14], 600, "%s", t->run_as);
	snprintf(values[15], 600, "Disabled");
	snprintf(values[16], 600, "72:00:00");
	snprintf(values[17], 600, "Scheduling data is not available in this "
	    "format.");
	snprintf(values[18], 600, "%s", schedule_type(t));
	if (once) {
		sim_prog_tm(p->host, t->trigger, &tm);
		sim_lang_clock(p->host, &tm, 1, values[19]);
		sim_lang_date(p->host, &tm, values[20]);
		for (i = 24; i < 28; i++)
			snprintf(values[i], 600, "Disabled");
	}
	return nitems(labels);
}

static void
csv_field(struct sim_prog *p, const char *s, int last)
{
	sim_prog_out(p, "\"%s\"%s", s, last ? "\r\n" : ",");
}

static void
show_csv(struct sim_prog *p, const struct sim_task *t, int verbose,
    int header)
{
	const char *names[28];
	char values[28][600], next[64];
	size_t i, n;

	if (!verbose) {
		next_run(p->host, t, next);
		if (header)
			sim_prog_out(p, "\"TaskName\",\"Next Run Time\","
			    "\"Status\"\r\n");
		sim_prog_out(p, "\"%s\",\"%s\",\"%s\"\r\n", t->name, next,
		    status(p->host, t));
		return;
	}
	n = verbose_fields(p, t, names, values);
	for (i = 0; header && i < n; i++)
		csv_field(p, names[i], i == n - 1);
	for (i = 0; i < n; i++)
		csv_field(p, values[i], i == n - 1);
}

static void
show_list(struct sim_prog *p, const struct sim_task *t, int verbose)
{
	const char *names[28];
	char values[28][600], label[64];
	size_t i, n;

	n = verbose_fields(p, t, names, values);
	if (!verbose)
		n = 5;
	for (i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "%s:", names[i]);
		sim_prog_out(p, "%-*s%s\r\n", verbose ? 38 : 15, label,
		    values[i]);
	}
	sim_prog_out(p, "\r\n");
}

static void
show_table_header(struct sim_prog *p)
{
	sim_prog_out(p, "TaskName                                 "
	    "Next Run Time          Status\r\n"
	    "======================================== "
	    "====================== ===============\r\n");
}

static void
show_table(struct sim_prog *p, const struct sim_task *t)
{
	const char *leaf = strrchr(t->name, '\\') + 1;
	char next[64];

	next_run(p->host, t, next);
	sim_prog_out(p, "%-40.40s %-22s %s\r\n", leaf, next,
	    status(p->host, t));
}

static void
xml_text(struct sim_prog *p, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '<')
			sim_prog_out(p, "&lt;");
		else if (*s == '>')
			sim_prog_out(p, "&gt;");
		else if (*s == '&')
			sim_prog_out(p, "&amp;");
		else
			sim_prog_out(p, "%c", *s);
	}
}

/* The task as Task Scheduler would export it (version 1.2 schema). */
static void
show_xml(struct sim_prog *p, const struct sim_task *t)
{
	const char *args = t->command + strcspn(t->command, " ");
	char when[32];

	sim_prog_out(p, "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n"
	    "<Task version=\"1.2\" xmlns=\"" TASK_NS "\">\r\n"
	    "  <RegistrationInfo>\r\n");
	if (t->author != NULL) {
		sim_prog_out(p, "    <Author>");
		xml_text(p, t->author);
		sim_prog_out(p, "</Author>\r\n");
	}
	sim_prog_out(p, "    <URI>");
	xml_text(p, t->name);
	sim_prog_out(p, "</URI>\r\n  </RegistrationInfo>\r\n"
	    "  <Principals>\r\n    <Principal id=\"Author\">\r\n"
	    "      <UserId>%s</UserId>\r\n"
	    "      <RunLevel>LeastPrivilege</RunLevel>\r\n"
	    "    </Principal>\r\n  </Principals>\r\n  <Settings>\r\n"
	    "    <DisallowStartIfOnBatteries>true</DisallowStartIfOnBatteries>"
	    "\r\n    <StopIfGoingOnBatteries>true</StopIfGoingOnBatteries>\r\n"
	    "    <ExecutionTimeLimit>PT72H</ExecutionTimeLimit>\r\n"
	    "    <Enabled>%s</Enabled>\r\n  </Settings>\r\n  <Triggers>\r\n",
	    strcasecmp(t->run_as, "SYSTEM") == 0 ? "S-1-5-18" : t->run_as,
	    t->enabled ? "true" : "false");
	if (t->trigger != 0) {
		sim_time_format(t->trigger, when);
		sim_prog_out(p, "    <TimeTrigger>\r\n      <StartBoundary>%s"
		    "</StartBoundary>\r\n    </TimeTrigger>\r\n", when);
	}
	sim_prog_out(p, "  </Triggers>\r\n  <Actions Context=\"Author\">\r\n"
	    "    <Exec>\r\n      <Command>");
	sim_prog_out(p, "%.*s", (int)(args - t->command), t->command);
	sim_prog_out(p, "</Command>\r\n");
	if (*args != '\0') {
		sim_prog_out(p, "      <Arguments>");
		xml_text(p, args + 1);
		sim_prog_out(p, "</Arguments>\r\n");
	}
	sim_prog_out(p, "    </Exec>\r\n  </Actions>\r\n</Task>\r\n");
}

/* --- /Query ------------------------------------------------------------- */

/* By folder, then by name: a folder's tasks are listed together. */
static int
cmp_task(const void *a, const void *b)
{
	const struct sim_task *x = *(struct sim_task *const *)a;
	const struct sim_task *y = *(struct sim_task *const *)b;
	const char *xl, *yl;
	char *xf = folder_of(x->name, &xl), *yf = folder_of(y->name, &yl);
	int c = strcasecmp(xf, yf);

	free(xf);
	free(yf);
	return c != 0 ? c : strcasecmp(xl, yl);
}

static void
show_one(struct sim_prog *p, const struct opts *o, const struct sim_task *t,
    const char *fo, int first_in_folder)
{
	const char *leaf;
	char *folder = folder_of(t->name, &leaf);

	if (o->set[O_XML])
		show_xml(p, t);
	else if (strcasecmp(fo, "CSV") == 0)
		show_csv(p, t, o->set[O_V], first_in_folder && !o->set[O_NH]);
	else if (strcasecmp(fo, "LIST") == 0) {
		if (first_in_folder)
			sim_prog_out(p, "\r\nFolder: %s\r\n", folder);
		show_list(p, t, o->set[O_V]);
	} else {
		if (first_in_folder) {
			sim_prog_out(p, "\r\nFolder: %s\r\n", folder);
			if (!o->set[O_NH])
				show_table_header(p);
		}
		show_table(p, t);
	}
	free(folder);
}

static int
query(struct sim_prog *p, const struct opts *o)
{
	const char *fo = o->val[O_FO] ? o->val[O_FO] : "TABLE", *leaf;
	struct sim_task **v, *t;
	char *folder, *prev = NULL;
	size_t i, n = 0;

	if (strcasecmp(fo, "TABLE") && strcasecmp(fo, "LIST") &&
	    strcasecmp(fo, "CSV"))
		return syntax(p, o, "Invalid syntax. Value for '/FO' option is "
		    "invalid.%s", "");
	if (o->set[O_NH] && strcasecmp(fo, "LIST") == 0)
		return syntax(p, o, "Invalid syntax. '/NH' option is valid only "
		    "for \"TABLE\" and \"CSV\" formats.%s", "");
	if (o->val[O_TN] != NULL) {
		if ((t = sim_task(p->host, o->val[O_TN], 0)) == NULL)
			return error(p, NOT_FOUND);
		show_one(p, o, t, fo, 1);
		return 0;
	}
	if (p->host->ntasks == 0) {
		sim_prog_out(p, "INFO: There are no scheduled tasks presently "
		    "available at your access level.\r\n");
		return 0;
	}
	v = xcalloc(p->host->ntasks, sizeof(*v));
	for (i = 0; i < p->host->ntasks; i++)
		v[n++] = &p->host->tasks[i];
	qsort(v, n, sizeof(*v), cmp_task);
	for (i = 0; i < n; i++) {
		folder = folder_of(v[i]->name, &leaf);
		show_one(p, o, v[i], fo, prev == NULL ||
		    strcasecmp(prev, folder) != 0);
		free(prev);
		prev = folder;
	}
	free(prev);
	free(v);
	return 0;
}

/* --- /Create ------------------------------------------------------------ */

static void
spec_release(struct spec *s)
{
	free(s->command);
	free(s->run_as);
	free(s->schedule);
	free(s->xml);
}

static int
is_system_account(const char *u)
{
	return *u == '\0' || strcasecmp(u, "SYSTEM") == 0 ||
	    strcasecmp(u, "NT AUTHORITY\\SYSTEM") == 0 ||
	    strcmp(u, "S-1-5-18") == 0;
}

/* "mm/dd/yyyy" and "HH:mm[:ss]" in the host's time zone -> UTC. */
static int
local_instant(struct sim_prog *p, const char *sd, const char *st,
    time_t *out)
{
	struct tm tm;
	int mon, day, year, hh, mm, ss = 0;
	char extra;

	sim_prog_tm(p->host, sim_now(p->host), &tm);
	mon = tm.tm_mon + 1;
	day = tm.tm_mday;
	year = tm.tm_year + 1900;
	if (sd != NULL && (sscanf(sd, "%d/%d/%d%c", &mon, &day, &year,
	    &extra) != 3 || mon < 1 || mon > 12 || day < 1 || day > 31 ||
	    year < 1900)) {
		sim_prog_err(p, "ERROR: Invalid Start Date (Date should be in "
		    "\"mm/dd/yyyy\" format).\r\n");
		return -1;
	}
	if ((sscanf(st, "%d:%d:%d%c", &hh, &mm, &ss, &extra) != 3 &&
	    sscanf(st, "%d:%d%c", &hh, &mm, &extra) != 2) || hh < 0 ||
	    hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59) {
		sim_prog_err(p, "ERROR: Invalid Start Time.\r\n");
		return -1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = strchr(strchr(st, ':') + 1, ':') != NULL ? ss : 0;
	*out = timegm(&tm) - (time_t)p->host->tz_offset_min * 60;
	return 0;
}

static int
spec_from_options(struct sim_prog *p, const struct opts *o, struct spec *s)
{
	static const char *const schedules[] = { "MINUTE", "HOURLY", "DAILY",
	    "WEEKLY", "MONTHLY", "ONCE", "ONSTART", "ONLOGON", "ONIDLE",
	    "ONEVENT" };
	size_t i;

	if (o->val[O_SC] == NULL)
		return syntax(p, o, "Invalid syntax. Mandatory option '%s' is "
		    "missing.", "/sc");
	if (o->val[O_TR] == NULL)
		return syntax(p, o, "Invalid syntax. Mandatory option '%s' is "
		    "missing.", "/tr");
	if (strlen(o->val[O_TR]) > MAX_TR)
		return syntax(p, o, "Invalid syntax. Value for '%s' option "
		    "cannot be more than 261 character(s).", "/TR");
	for (i = 0; i < nitems(schedules); i++)
		if (strcasecmp(o->val[O_SC], schedules[i]) == 0)
			break;
	if (i == nitems(schedules))
		return error(p, "ERROR: Invalid value for /SC option.\r\n");
	s->schedule = xstrdup(schedules[i]);
	if (strcmp(s->schedule, "ONCE") == 0) {
		if (o->val[O_ST] == NULL)
			return syntax(p, o, "Invalid syntax. Mandatory option "
			    "'%s' is missing.", "/st");
		if (local_instant(p, o->val[O_SD], o->val[O_ST],
		    &s->trigger) == -1)
			return 1;
	}
	s->command = xstrdup(o->val[O_TR]);
	s->enabled = 1;
	return 0;
}

static xmlNode *
child(xmlNode *n, const char *name)
{
	for (n = n != NULL ? n->children : NULL; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && n->ns != NULL &&
		    strcmp((const char *)n->ns->href, TASK_NS) == 0 &&
		    strcmp((const char *)n->name, name) == 0)
			return n;
	return NULL;
}

static char *
text_of(xmlNode *n)
{
	xmlChar *c;
	char *s;
	size_t len;

	if (n == NULL)
		return NULL;
	c = xmlNodeGetContent(n);
	s = xstrdup(c != NULL ? (const char *)c : "");
	xmlFree(c);
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	memmove(s, s + strspn(s, " \t\r\n"), strlen(s + strspn(s, " \t\r\n")) +
	    1);
	return s;
}

/* A StartBoundary: UTC ("Z"), with an offset, or the host's local time. */
static int
boundary(struct sim_prog *p, const char *s, time_t *out)
{
	size_t len = strlen(s);

	if (sim_time_parse(s, out) == -1)
		return -1;
	if (len > 0 && s[len - 1] != 'Z' && (len < 6 ||
	    (s[len - 6] != '+' && s[len - 6] != '-')))
		*out -= (time_t)p->host->tz_offset_min * 60;
	return 0;
}

/* The /SC a task's first trigger corresponds to. */
static const char *
trigger_kind(xmlNode *triggers)
{
	static const struct {
		const char *element, *sc;
	} kinds[] = {
		{ "TimeTrigger", "ONCE" }, { "BootTrigger", "ONSTART" },
		{ "LogonTrigger", "ONLOGON" }, { "IdleTrigger", "ONIDLE" },
		{ "EventTrigger", "ONEVENT" }, { "CalendarTrigger", "DAILY" },
	};
	xmlNode *n;
	size_t i;

	for (n = triggers != NULL ? triggers->children : NULL; n != NULL;
	    n = n->next)
		for (i = 0; n->type == XML_ELEMENT_NODE && i < nitems(kinds);
		    i++)
			if (strcmp((const char *)n->name, kinds[i].element) == 0)
				return kinds[i].sc;
	return "ONDEMAND";
}

static int
spec_from_task(struct sim_prog *p, xmlNode *task, struct spec *s)
{
	xmlNode *trig = child(child(task, "Triggers"), "TimeTrigger");
	xmlNode *exec = child(child(task, "Actions"), "Exec");
	char *cmd, *args, *when, *en, *uid;
	int rc = -1;

	cmd = text_of(child(exec, "Command"));
	args = text_of(child(exec, "Arguments"));
	when = text_of(child(trig, "StartBoundary"));
	en = text_of(child(child(task, "Settings"), "Enabled"));
	uid = text_of(child(child(child(task, "Principals"), "Principal"),
	    "UserId"));
	if (cmd == NULL || *cmd == '\0' || (trig != NULL && when == NULL)) {
		sim_prog_err(p, "ERROR: The task XML is missing a required "
		    "element or attribute.\r\n");
		goto out;
	}
	if (when != NULL && boundary(p, when, &s->trigger) == -1) {
		sim_prog_err(p, "ERROR: The task XML contains a value which is "
		    "incorrectly formatted or out of range.\r\n");
		goto out;
	}
	s->command = strchr(cmd, ' ') != NULL ? xasprintf("\"%s\"%s%s", cmd,
	    args ? " " : "", args ? args : "") : xasprintf("%s%s%s", cmd,
	    args ? " " : "", args ? args : "");
	s->enabled = en == NULL || strcasecmp(en, "false") != 0;
	s->run_as = xstrdup(uid == NULL || is_system_account(uid) ? "SYSTEM" :
	    uid);
	s->schedule = xstrdup(trigger_kind(child(task, "Triggers")));
	rc = 0;
out:
	free(cmd);
	free(args);
	free(when);
	free(en);
	free(uid);
	return rc;
}

/* Task Scheduler XML, parsed with no network, entities or DTD. */
static int
spec_from_xml(struct sim_prog *p, const struct opts *o, struct spec *s)
{
	struct sim_file *f;
	xmlDoc *doc;
	xmlNode *root;
	char *path;
	int rc = 1;

	path = sim_prog_path(p, o->val[O_XML]);
	f = sim_file(p->host, path, 0);
	free(path);
	if (f == NULL)
		return error(p, NOT_FOUND);
	doc = xmlReadMemory(f->data.ptr != NULL ? f->data.ptr : "",
	    (int)f->data.len, "task.xml", NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	if (root == NULL || doc->intSubset != NULL || root->ns == NULL ||
	    strcmp((const char *)root->name, "Task") != 0 ||
	    strcmp((const char *)root->ns->href, TASK_NS) != 0) {
		sim_prog_err(p, "ERROR: The task XML is malformed.\r\n");
		goto out;
	}
	if (spec_from_task(p, root, s) == -1)
		goto out;
	s->xml = xstrndup(f->data.ptr, f->data.len);
	rc = 0;
out:
	xmlFreeDoc(doc);
	return rc;
}

/* "NODE1\Administrator" or "CONTOSO\svc-enforcer": who created it. */
static char *
author(struct sim_prog *p)
{
	struct sim_account *a = p->user ? sim_account(p->host, p->user) : NULL;
	char nb[16];

	sim_host_netbios(p->host, nb);
	if (a == NULL)
		return xasprintf("%s\\%s", nb, p->user ? p->user :
		    "Administrator");
	return strchr(a->name, '\\') ? xstrdup(a->name) :
	    xasprintf("%s\\%s", nb, a->name);
}

static void
register_task(struct sim_prog *p, const char *name, struct spec *s)
{
	struct sim_task *t;

	sim_task_delete(p->host, name);
	t = sim_task(p->host, name, 1);
	free(t->command);
	t->command = s->command;
	t->trigger = s->trigger;
	t->enabled = s->enabled;
	free(t->run_as);
	t->run_as = s->run_as;
	free(t->schedule);
	t->schedule = s->schedule;
	t->xml = s->xml;
	t->author = author(p);
	t->registered = sim_now(p->host);
	memset(s, 0, sizeof(*s));
	p->wrote = 1;
}

static int
create(struct sim_prog *p, const struct opts *o)
{
	struct spec s;
	const char *tn = o->val[O_TN], *ru = o->val[O_RU];
	int rc;

	memset(&s, 0, sizeof(s));
	if (tn == NULL)
		return syntax(p, o, "Invalid syntax. Mandatory option '%s' is "
		    "missing.", "/tn");
	if (*tn == '\0' || tn[strlen(tn) - 1] == '\\')
		return error(p, "ERROR: The filename, directory name, or volume "
		    "label syntax is incorrect.\r\n");
	if (o->set[O_XML] && o->val[O_XML] == NULL)
		return syntax(p, o, "Invalid syntax. Value expected for '%s'.",
		    "/XML");
	rc = o->set[O_XML] ? spec_from_xml(p, o, &s) :
	    spec_from_options(p, o, &s);
	if (rc != 0)
		goto out;
	if (ru != NULL) {
		free(s.run_as);
		s.run_as = xstrdup(is_system_account(ru) ? "SYSTEM" : ru);
		s.no_password = !is_system_account(ru) && o->val[O_RP] == NULL;
	} else if (s.run_as == NULL)
		s.run_as = xstrdup(p->user != NULL ? p->user : "SYSTEM");
	rc = 1;
	if (!p->admin) {
		denied(p);
		goto out;
	}
	if (sim_task(p->host, tn, 0) != NULL && !o->set[O_F]) {
		/* The Y/N prompt reads end of input in a remote shell. */
		sim_prog_out(p, "WARNING: The task name \"%s\" already exists. "
		    "Do you want to replace it (Y/N)? ", tn);
		goto out;
	}
	if (s.trigger != 0 && s.trigger < sim_now(p->host) && !o->set[O_XML])
		sim_prog_out(p, "WARNING: Task may not run because /ST is "
		    "earlier than current time.\r\n");
	if (s.no_password)
		sim_prog_out(p, "WARNING: The Scheduled task \"%s\" has been "
		    "created, but may not run because the account information "
		    "could not be set.\r\n", tn);
	else
		sim_prog_out(p, "SUCCESS: The scheduled task \"%s\" has "
		    "successfully been created.\r\n", tn);
	register_task(p, tn, &s);
	rc = 0;
out:
	spec_release(&s);
	return rc;
}

/* --- /Delete, /Run, /End, /Change --------------------------------------- */

static struct sim_task *
target(struct sim_prog *p, const struct opts *o, int *rc)
{
	struct sim_task *t;

	*rc = 1;
	if (o->val[O_TN] == NULL) {
		*rc = syntax(p, o, "Invalid syntax. Mandatory option '%s' is "
		    "missing.", "/tn");
		return NULL;
	}
	if ((t = sim_task(p->host, o->val[O_TN], 0)) == NULL) {
		error(p, NOT_FOUND);
		return NULL;
	}
	if (!p->admin && o->verb != V_END) {
		denied(p);
		return NULL;
	}
	*rc = 0;
	return t;
}

static int
delete(struct sim_prog *p, const struct opts *o)
{
	int rc;

	if (target(p, o, &rc) == NULL)
		return rc;
	if (!o->set[O_F]) {
		sim_prog_out(p, "WARNING: Are you sure you want to remove the "
		    "task \"%s\" (Y/N)? ", o->val[O_TN]);
		return 1;
	}
	sim_task_delete(p->host, o->val[O_TN]);
	p->wrote = 1;
	sim_prog_out(p, "SUCCESS: The scheduled task \"%s\" was successfully "
	    "deleted.\r\n", o->val[O_TN]);
	return 0;
}

/* /Run starts the task now and, in the simulator, runs it to the end. */
static int
run(struct sim_prog *p, const struct opts *o)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct sim_task *t;
	char *command, *run_as, *name;
	int rc, wrote;

	if ((t = target(p, o, &rc)) == NULL)
		return rc;
	if (!t->enabled)
		return error(p, "ERROR: The task is disabled.\r\n");
	sim_prog_out(p, "SUCCESS: Attempted to run the scheduled task \"%s\"."
	    "\r\n", o->val[O_TN]);
	command = xstrdup(t->command);
	run_as = xstrdup(t->run_as);
	name = xstrdup(t->name);
	t->last_run = sim_now(p->host);
	rc = sim_cmd_run(p->host, run_as, command, &out, &err, &wrote);
	if ((t = sim_task(p->host, name, 0)) != NULL) {
		free(t->last_result);
		t->last_result = xasprintf("%d", rc);
	}
	p->wrote = 1;
	free(command);
	free(run_as);
	free(name);
	buf_release(&out);
	buf_release(&err);
	return 0;
}

static int
end(struct sim_prog *p, const struct opts *o)
{
	int rc;

	if (target(p, o, &rc) == NULL)
		return rc;
	sim_prog_out(p, "SUCCESS: The scheduled task \"%s\" has been "
	    "terminated successfully.\r\n", o->val[O_TN]);
	return 0;
}

static int
change(struct sim_prog *p, const struct opts *o)
{
	struct sim_task *t;
	time_t when;
	int rc;

	if (o->set[O_ENABLE] && o->set[O_DISABLE])
		return syntax(p, o, "Invalid syntax. Options '%s' and "
		    "'/DISABLE' are mutually exclusive.", "/ENABLE");
	if (!o->set[O_ENABLE] && !o->set[O_DISABLE] && !o->val[O_TR] &&
	    !o->val[O_SD] && !o->val[O_ST] && !o->val[O_RU])
		return syntax(p, o, "Invalid syntax.%s", "");
	if ((t = target(p, o, &rc)) == NULL)
		return rc;
	if (o->val[O_TR] != NULL && strlen(o->val[O_TR]) > MAX_TR)
		return syntax(p, o, "Invalid syntax. Value for '%s' option "
		    "cannot be more than 261 character(s).", "/TR");
	if ((o->val[O_SD] || o->val[O_ST]) && local_instant(p, o->val[O_SD],
	    o->val[O_ST] ? o->val[O_ST] : "00:00", &when) == -1)
		return 1;
	if (o->set[O_ENABLE] && t->enabled)
		sim_prog_out(p, "INFO: The scheduled task \"%s\" has already "
		    "been enabled.\r\n", o->val[O_TN]);
	if (o->set[O_ENABLE] || o->set[O_DISABLE])
		t->enabled = o->set[O_ENABLE];
	if (o->val[O_TR] != NULL) {
		free(t->command);
		t->command = xstrdup(o->val[O_TR]);
	}
	if (o->val[O_SD] || o->val[O_ST]) {
		t->trigger = when;
		t->registered = sim_now(p->host);
	}
	if (o->val[O_RU] != NULL) {
		free(t->run_as);
		t->run_as = xstrdup(is_system_account(o->val[O_RU]) ? "SYSTEM" :
		    o->val[O_RU]);
	}
	p->wrote = 1;
	sim_prog_out(p, "SUCCESS: The parameters of scheduled task \"%s\" have "
	    "been changed.\r\n", o->val[O_TN]);
	return 0;
}

int
sim_prog_schtasks(struct sim_prog *p)
{
	struct opts o;

	if (parse(p, &o) != 0)
		return 1;
	switch (o.verb) {
	case V_CREATE:
		return create(p, &o);
	case V_DELETE:
		return delete(p, &o);
	case V_RUN:
		return run(p, &o);
	case V_CHANGE:
		return change(p, &o);
	case V_END:
		return end(p, &o);
	default:
		return query(p, &o);
	}
}
