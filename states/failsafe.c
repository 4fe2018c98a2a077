/*
 * failsafe.c: the fail-safe state module: the host's \enforcer\failsafe-*
 * scheduled tasks and the markers they leave when they run
 * (failsafe.h says what they are; enforcer/window_failsafe.c computes the
 * desired state).
 *
 * A task is registered by PowerShell's Register-ScheduledTask from its XML
 * as a string (no file, no code page, no cmd.exe quoting: the script
 * travels as -EncodedCommand); a TimeTrigger whose StartBoundary is UTC,
 * so no time zone moves it, and a BootTrigger with StartWhenAvailable, so
 * that a host off at the trigger runs it when it starts; run as SYSTEM.
 * Its script is kept in the registry (FAILSAFE_SCRIPT_KEY) through
 * StdRegProv, and its command is a small loader.  Tasks and their
 * LastTaskResult are listed by Get-ScheduledTask / Get-ScheduledTaskInfo
 * (numbers and names, in no language) and read back with schtasks /Query
 * /XML, whose content is the same in every language.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "failsafe.h"
#include "pscmd.h"
#include "state.h"
#include "timeparse.h"
#include "winreg.h"
#include "wsman.h"

#define TASK_NS	"http://schemas.microsoft.com/windows/2004/02/mit/task"

static int
fs_run(struct state_ctx *ctx, const char *line, struct wsman_cmd *out,
    char **cause)
{
	return wsman_run(ctx->ws, line, WSMAN_KEEP_SHELL, out, cause);
}

static int
fs_failed(struct state_ctx *ctx, const char *what, const char *window,
    const struct wsman_cmd *out, char **cause)
{
	char *said = wsman_cmd_said(out);

	cause_set(cause, "%s: failsafe: %s %s%s: exit %ld: %s", ctx->host, what,
	    FAILSAFE_TASK_PREFIX, window, out->exit_code, said);
	free(said);
	return -1;
}

/* --- read --------------------------------------------------------------- */

/*
 * Every task of the folder, one line each: its LastTaskResult in decimal,
 * a space, its name.
 */
#define FS_LIST_SCRIPT \
	"Get-ScheduledTask -TaskPath '" FAILSAFE_TASK_FOLDER "' -ErrorAction " \
	"SilentlyContinue|ForEach-Object{'{0} {1}' -f ($_|" \
	"Get-ScheduledTaskInfo).LastTaskResult,$_.TaskName}"

/* {window: last result} of the \enforcer\failsafe-* tasks. */
static int
fs_read_names(struct state_ctx *ctx, struct node *names, char **cause)
{
	struct wsman_cmd out = WSMAN_CMD_INIT;
	const char *p, *q, *leaf = FAILSAFE_TASK_LEAF;
	size_t n, llen = strlen(leaf);
	char *line, *name, *result;
	int rc = -1;

	line = pscmd_line(FS_LIST_SCRIPT);
	if (fs_run(ctx, line, &out, cause) == -1)
		goto out;
	if (out.exit_code != 0) {
		fs_failed(ctx, "Get-ScheduledTask", "*", &out, cause);
		goto out;
	}
	for (p = buf_cstr(&out.out); *p != '\0'; p += strcspn(p, "\n"),
	    p += *p == '\n') {
		n = strspn(p, "0123456789");
		if (n == 0 || p[n] != ' ' || strncasecmp(p + n + 1, leaf,
		    llen) != 0)
			continue;
		q = p + n + 1 + llen;
		name = xstrndup(q, strcspn(q, "\r\n"));
		result = xstrndup(p, n);
		if (node_get(names, name) == NULL)
			node_map_set(names, name, node_scalar(result));
		free(name);
		free(result);
	}
	rc = 0;
out:
	wsman_cmd_release(&out);
	free(line);
	return rc;
}

static char *
fs_text(const xmlNode *parent, const char *name)
{
	return wsman_xml_text(wsman_xml_child(parent, TASK_NS, name));
}

/* A trigger as enforcer writes it, whatever form the host keeps. */
static char *
fs_trigger(const char *s)
{
	char out[TIMEPARSE_UTC_LEN];
	time_t t;

	if (s == NULL)
		return xstrdup("");
	if (timeparse_rfc3339(s, &t, NULL) == -1)
		return xstrdup(s);
	timeparse_format_utc(t, out, sizeof(out));
	return xstrdup(out);
}

/* The task's definition, as /Query /XML prints it, into a node. */
static int
fs_parse_task(struct state_ctx *ctx, const char *window, const char *xml,
    struct node **task, char **cause)
{
	const char *start = strstr(xml, "<Task");
	xmlNode *root, *exec;
	xmlDoc *doc = NULL;
	char *when = NULL, *cmd = NULL, *args = NULL, *en = NULL, *s;
	int boot;

	/* The declaration names UTF-16; the shell gave us UTF-8. */
	if (start == NULL || wsman_xml_parse(&doc, start, strlen(start),
	    cause) == -1)
		return cause_set(cause, "%s: failsafe: %s%s: unreadable task "
		    "definition", ctx->host, FAILSAFE_TASK_PREFIX, window);
	root = xmlDocGetRootElement(doc);
	exec = wsman_xml_child(wsman_xml_child(root, TASK_NS, "Actions"),
	    TASK_NS, "Exec");
	when = fs_text(wsman_xml_child(wsman_xml_child(root, TASK_NS,
	    "Triggers"), TASK_NS, "TimeTrigger"), "StartBoundary");
	/* Without it, a host off at the trigger would keep what is on. */
	boot = wsman_xml_child(wsman_xml_child(root, TASK_NS, "Triggers"),
	    TASK_NS, "BootTrigger") != NULL;
	en = fs_text(wsman_xml_child(root, TASK_NS, "Settings"), "Enabled");
	cmd = fs_text(exec, "Command");
	args = fs_text(exec, "Arguments");
	*task = node_map();
	s = fs_trigger(when);
	node_map_set(*task, "trigger", node_scalar(s));
	free(s);
	s = xasprintf("%s%s%s", cmd != NULL ? cmd : "", args != NULL ? " " : "",
	    args != NULL ? args : "");
	node_map_set(*task, "command", node_scalar(s));
	free(s);
	node_map_set(*task, "enabled", node_scalar(boot && (en == NULL ||
	    strcasecmp(en, "false") != 0) ? "true" : "false"));
	free(when);
	free(cmd);
	free(args);
	free(en);
	xmlFreeDoc(doc);
	return 0;
}

static int
fs_read_task(struct state_ctx *ctx, const char *window, const char *result,
    const struct node *scripts, struct node *tasks, char **cause)
{
	struct wsman_cmd out = WSMAN_CMD_INIT;
	struct node *task = NULL;
	const char *script;
	char *line;
	int rc = -1;

	line = xasprintf("schtasks /Query /TN \"%s%s\" /XML",
	    FAILSAFE_TASK_PREFIX, window);
	if (fs_run(ctx, line, &out, cause) == -1)
		goto out;
	rc = 0;
	if (out.exit_code != 0)		/* gone since it was listed */
		goto out;
	if ((rc = fs_parse_task(ctx, window, buf_cstr(&out.out), &task,
	    cause)) == -1)
		goto out;
	script = node_get_str(scripts, window);
	node_map_set(task, "script", node_scalar(script != NULL ? script : ""));
	node_map_set(task, "last_result", node_scalar(result));
	node_map_set(tasks, window, task);
	task = NULL;
out:
	node_free(task);
	wsman_cmd_release(&out);
	free(line);
	return rc;
}

/* The keys fs_read_keys() and fs_read_values() read, in this order. */
static const char *const fs_keys[2] = { FAILSAFE_SCRIPT_KEY,
    FAILSAFE_MARKER_KEY };

/*
 * The registry first, both keys in one round: the scripts (name = window)
 * and the markers tasks leave when they run.  names[0] and names[1] get
 * each key's value names (maps, the caller's).
 */
static int
fs_read_keys(struct state_ctx *ctx, struct node *names[2], char **cause)
{
	struct wsman_read rd[2];
	int found, i, rc = 0;

	for (i = 0; i < 2; i++)
		winreg_read_prepare(&rd[i], "EnumValues", fs_keys[i], NULL);
	wsman_read_many(ctx->ws, rd, 2);
	for (i = 0; i < 2; i++) {
		names[i] = NULL;
		if (rc == 0 && winreg_result_names(ctx->ws, &rd[i], &names[i],
		    &found, cause) == -1)
			rc = -1;
		winreg_read_release(&rd[i]);
	}
	return rc;
}

/*
 * Every value named in names[0] (under the script key) and names[1] (the
 * marker key), in one round, into values[0] and values[1] (name: text).
 */
static int
fs_read_values(struct state_ctx *ctx, struct node *const names[2],
    struct node *values[2], char **cause)
{
	struct wsman_read *rd;
	size_t i, k, n = names[0]->npairs + names[1]->npairs;
	int found, rc = 0;
	char *v;

	rd = xcalloc(n + 1, sizeof(*rd));
	for (k = 0, n = 0; k < 2; k++)
		for (i = 0; i < names[k]->npairs; i++)
			winreg_read_prepare(&rd[n++], "GetStringValue", fs_keys[k],
			    names[k]->pairs[i].key->value);
	wsman_read_many(ctx->ws, rd, n);
	for (k = 0, n = 0; k < 2; k++) {
		values[k] = node_map();
		for (i = 0; i < names[k]->npairs; i++, n++) {
			v = NULL;
			if (rc == 0 && winreg_result_string(ctx->ws, &rd[n], &v,
			    &found, cause) == -1)
				rc = -1;
			if (rc == 0 && found)
				node_map_set(values[k],
				    names[k]->pairs[i].key->value,
				    node_scalar(v));
			free(v);
			winreg_read_release(&rd[n]);
		}
	}
	free(rd);
	return rc;
}

/*
 * Our tasks, through a shell (listed, then each read back as XML), only
 * when the registry says there may be one: a task of ours exists only
 * with its script (fs_create writes the script before the task, fs_delete
 * removes the task first) or, once it ran, with its marker (the script
 * leaves the marker before it removes itself).  A host with neither, the
 * usual case, is read in two rounds of registry reads instead of a
 * shell's five requests in series.
 */
static int
fs_read_tasks(struct state_ctx *ctx, const struct node *scripts,
    struct node *tasks, char **cause)
{
	struct node *names = node_map();
	size_t i;
	int rc;

	rc = fs_read_names(ctx, names, cause);
	for (i = 0; rc == 0 && i < names->npairs; i++)
		rc = fs_read_task(ctx, names->pairs[i].key->value,
		    names->pairs[i].value->value, scripts, tasks, cause);
	node_free(names);
	return rc;
}

static int
fs_read(struct state_ctx *ctx, const struct node *desired,
    struct node **observed, char **cause)
{
	struct node *names[2] = { NULL, NULL }, *values[2] = { NULL, NULL };
	struct node *obs = NULL;
	int i, rc = -1;

	if (fs_read_keys(ctx, names, cause) == -1 ||
	    fs_read_values(ctx, names, values, cause) == -1)
		goto out;
	obs = node_map();
	node_map_set(obs, "tasks", node_map());
	node_map_set(obs, "fired", values[1]);
	values[1] = NULL;
	if ((names[0]->npairs > 0 || names[1]->npairs > 0) &&
	    fs_read_tasks(ctx, values[0], node_get(obs, "tasks"), cause) == -1)
		goto out;
	*observed = obs;
	obs = NULL;
	rc = 0;
out:
	for (i = 0; i < 2; i++) {
		node_free(names[i]);
		node_free(values[i]);
	}
	node_free(obs);
	return rc;
}

/* --- diff --------------------------------------------------------------- */

/* s with every from replaced by to.  free(). */
static char *
fs_subst(const char *s, const char *from, const char *to)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(from);
	const char *p;

	while (n > 0 && (p = strstr(s, from)) != NULL) {
		buf_add(&b, s, (size_t)(p - s));
		buf_puts(&b, to);
		s = p + n;
	}
	buf_puts(&b, s);
	return buf_detach(&b);
}

/*
 * The trigger the host has will do: the one wanted, or one from the
 * wanted keep_from to it (a lease not yet due for renewal).
 */
static int
fs_trigger_ok(const struct node *want, const char *have)
{
	const char *after = node_get_str(want, "trigger");
	const char *from = node_get_str(want, "keep_from");
	time_t t, lo, hi;

	if (strcmp(have, after) == 0)
		return 1;
	return from != NULL && timeparse_rfc3339(have, &t, NULL) == 0 &&
	    timeparse_rfc3339(from, &lo, NULL) == 0 &&
	    timeparse_rfc3339(after, &hi, NULL) == 0 && lo <= t && t <= hi;
}

/* want's key (command or script) as written for the trigger the host has. */
static int
fs_same_for(const struct node *want, const struct node *have, const char *key,
    const char *trig)
{
	const char *v = node_get_str(want, key);
	const char *got = node_get_str(have, key);
	char *as;
	int ok;

	if (v == NULL || got == NULL)
		return v == got;
	as = fs_subst(v, node_get_str(want, "trigger"), trig);
	ok = strcmp(as, got) == 0;
	free(as);
	return ok;
}

/*
 * A task that ran and failed keeps its LastTaskResult: 0 is success, and
 * the SCHED_S_TASK_* codes READY, RUNNING, DISABLED and HAS_NOT_RUN
 * (0x41300..0x41303) say it has not finished a run
 * (docs/windows-behaviour.md#task-results).
 */
static int
fs_result_failed(const char *r)
{
	return r != NULL && strcmp(r, "0") != 0 && strcmp(r, "267008") != 0 &&
	    strcmp(r, "267009") != 0 && strcmp(r, "267010") != 0 &&
	    strcmp(r, "267011") != 0;
}

const char *
failsafe_failed(const struct node *state, const char *window)
{
	const char *r = node_get_str(node_getv(state, FAILSAFE_KIND, "tasks",
	    window, NULL), "last_result");

	return fs_result_failed(r) ? r : NULL;
}

/* "T", and what else the host's task says: " (failed: last result N)". */
static char *
fs_before(const struct node *have, const char *trig, const char *more)
{
	const char *r = node_get_str(have, "last_result");

	if (fs_result_failed(r))
		return xasprintf("%s (failed: last result %s)%s",
		    trig != NULL ? trig : "", r, more);
	return xasprintf("%s%s", trig != NULL ? trig : "", more);
}

static void
fs_diff_task(const char *window, const struct node *want,
    const struct node *have, struct changes *out)
{
	const char *after = node_get_str(want, "trigger"), *trig;
	char path[160], *before = NULL;

	snprintf(path, sizeof(path), "%s%s", FAILSAFE_TASKS_PATH, window);
	trig = node_get_str(have, "trigger");
	if (have == NULL)
		before = NULL;
	else if (trig == NULL || !fs_trigger_ok(want, trig))
		before = fs_before(have, trig != NULL ? trig : "", "");
	else if (!fs_same_for(want, have, "command", trig) ||
	    !fs_same_for(want, have, "script", trig))
		before = fs_before(have, trig, " (other action)");
	else if (!node_equal(node_get(have, "enabled"),
	    node_get(want, "enabled")))
		before = fs_before(have, trig, " (disabled)");
	else if (fs_result_failed(node_get_str(have, "last_result")))
		before = fs_before(have, trig, "");	/* armed again */
	else
		return;
	/* Armed before anything it guards is turned on. */
	changes_add(out, FAILSAFE_KIND, path, before, after, want)->flags |=
	    CHANGE_FIRST;
	free(before);
}

static int
fs_diff(const struct node *desired, const struct node *observed, time_t now,
    struct changes *out, char **cause)
{
	const struct node *want = node_get(desired, "tasks");
	const struct node *have = node_get(observed, "tasks");
	const struct node *fired = node_get(observed, "fired");
	char path[160], *before;
	size_t i;

	for (i = 0; want != NULL && i < want->npairs; i++)
		fs_diff_task(want->pairs[i].key->value, want->pairs[i].value,
		    node_get(have, want->pairs[i].key->value), out);
	for (i = 0; have != NULL && i < have->npairs; i++) {
		if (node_get(want, have->pairs[i].key->value) != NULL)
			continue;
		snprintf(path, sizeof(path), "%s%s", FAILSAFE_TASKS_PATH,
		    have->pairs[i].key->value);
		/* Removed once the revert it guards is verified. */
		before = fs_before(have->pairs[i].value, node_get_str(
		    have->pairs[i].value, "trigger"), "");
		changes_add(out, FAILSAFE_KIND, path, before, NULL,
		    NULL)->flags |= CHANGE_LAST;
		free(before);
	}
	/* A marker is news of the task having run: reported once, cleared. */
	for (i = 0; fired != NULL && i < fired->npairs; i++) {
		snprintf(path, sizeof(path), "%s%s", FAILSAFE_FIRED_PATH,
		    fired->pairs[i].key->value);
		changes_add(out, FAILSAFE_KIND, path,
		    fired->pairs[i].value->value, NULL, NULL);
	}
	return 0;
}

/* --- apply -------------------------------------------------------------- */

static void
fs_xml_text(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '&')
			buf_puts(b, "&amp;");
		else if (*s == '<')
			buf_puts(b, "&lt;");
		else if (*s == '>')
			buf_puts(b, "&gt;");
		else
			buf_putc(b, *s);
	}
}

/*
 * The task, in the Task Scheduler 1.2 schema (docs/windows-behaviour.md#
 * the-fail-safe-task).  A TimeTrigger at the trigger, and a BootTrigger
 * with StartWhenAvailable: a host that was off runs it when it starts (the
 * script does nothing before the trigger).  RestartOnFailure on top of
 * the script's own retries.
 */
static void
fs_task_xml(struct buf *b, const char *window, const char *trigger,
    const char *command)
{
	size_t n = strcspn(command, " ");

	buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-16\"?><Task "
	    "version=\"1.2\" xmlns=\"" TASK_NS "\"><RegistrationInfo>"
	    "<Description>enforcer fail-safe of window %s: turns off what the "
	    "window turned on if enforcer has not</Description>"
	    "</RegistrationInfo><Triggers><TimeTrigger><StartBoundary>",
	    window);
	fs_xml_text(b, trigger);
	buf_puts(b, "</StartBoundary><Enabled>true</Enabled></TimeTrigger>"
	    "<BootTrigger><Enabled>true</Enabled></BootTrigger></Triggers>"
	    "<Principals><Principal id=\"Author\"><UserId>S-1-5-18</UserId>"
	    "<RunLevel>HighestAvailable</RunLevel></Principal></Principals>"
	    "<Settings><MultipleInstancesPolicy>IgnoreNew"
	    "</MultipleInstancesPolicy><DisallowStartIfOnBatteries>false"
	    "</DisallowStartIfOnBatteries><StopIfGoingOnBatteries>false"
	    "</StopIfGoingOnBatteries><StartWhenAvailable>true"
	    "</StartWhenAvailable><RestartOnFailure><Interval>PT5M</Interval>"
	    "<Count>12</Count></RestartOnFailure><ExecutionTimeLimit>PT1H"
	    "</ExecutionTimeLimit><Enabled>true</Enabled></Settings>"
	    "<Actions Context=\"Author\"><Exec><Command>");
	buf_add(b, command, n);
	buf_puts(b, "</Command>");
	if (command[n] != '\0') {
		buf_puts(b, "<Arguments>");
		fs_xml_text(b, command + n + 1);
		buf_puts(b, "</Arguments>");
	}
	buf_puts(b, "</Exec></Actions></Task>");
}

/* Register-ScheduledTask with the XML as a string: -Force replaces. */
static char *
fs_register_line(const char *window, const char *xml)
{
	struct buf sc = BUF_INIT;
	char *line = NULL;

	buf_printf(&sc, "$ErrorActionPreference='Stop';Register-ScheduledTask "
	    "-TaskPath '%s' -TaskName '%s%s' -Xml ", FAILSAFE_TASK_FOLDER,
	    FAILSAFE_TASK_LEAF, window);
	if (pscmd_quote(&sc, xml) == 0) {
		buf_puts(&sc, " -Force|Out-Null");
		line = pscmd_line(buf_cstr(&sc));
	}
	buf_release(&sc);
	return line;
}

/* The script first: a task never runs a loader with nothing to load. */
static int
fs_create(struct state_ctx *ctx, const char *window, const struct node *want,
    char **cause)
{
	struct wsman_cmd out = WSMAN_CMD_INIT;
	const char *trig = node_get_str(want, "trigger");
	const char *cmd = node_get_str(want, "command");
	const char *script = node_get_str(want, "script");
	struct buf xml = BUF_INIT;
	char *line = NULL;
	int rc = -1;

	if (trig == NULL || cmd == NULL || script == NULL)
		return cause_set(cause, "%s: failsafe: %s%s: no trigger, command "
		    "or script to register", ctx->host, FAILSAFE_TASK_PREFIX,
		    window);
	fs_task_xml(&xml, window, trig, cmd);
	if ((line = fs_register_line(window, buf_cstr(&xml))) == NULL) {
		cause_set(cause, "%s: failsafe: %s%s: task definition cannot be "
		    "written into a script", ctx->host, FAILSAFE_TASK_PREFIX,
		    window);
		goto out;
	}
	if (winreg_create_key(ctx->ws, FAILSAFE_SCRIPT_KEY, cause) == -1 ||
	    winreg_set_string(ctx->ws, FAILSAFE_SCRIPT_KEY, window, script,
	    cause) == -1 || fs_run(ctx, line, &out, cause) == -1)
		goto out;
	if (out.exit_code != 0) {
		fs_failed(ctx, "Register-ScheduledTask", window, &out, cause);
		goto out;
	}
	rc = 0;
out:
	wsman_cmd_release(&out);
	buf_release(&xml);
	free(line);
	return rc;
}

/* A task already gone is removed; then its script. */
static int
fs_delete(struct state_ctx *ctx, const char *window, char **cause)
{
	struct wsman_cmd out = WSMAN_CMD_INIT, q = WSMAN_CMD_INIT;
	char *line, *query;
	int rc = -1;

	line = xasprintf("schtasks /Delete /TN \"%s%s\" /F",
	    FAILSAFE_TASK_PREFIX, window);
	query = xasprintf("schtasks /Query /TN \"%s%s\"", FAILSAFE_TASK_PREFIX,
	    window);
	if (fs_run(ctx, line, &out, cause) == -1)
		goto out;
	if (out.exit_code != 0) {
		if (fs_run(ctx, query, &q, cause) == -1)
			goto out;
		if (q.exit_code == 0) {
			fs_failed(ctx, "schtasks /Delete", window, &out, cause);
			goto out;
		}
	}
	/* The task first: it never runs a loader with nothing to load. */
	rc = winreg_delete_value(ctx->ws, FAILSAFE_SCRIPT_KEY, window, cause);
out:
	wsman_cmd_release(&out);
	wsman_cmd_release(&q);
	free(line);
	free(query);
	return rc;
}

static int
fs_is(const struct change *c, const char *prefix)
{
	return strcmp(c->kind, FAILSAFE_KIND) == 0 &&
	    strncmp(c->path, prefix, strlen(prefix)) == 0;
}

int
failsafe_is_arm(const struct change *c)
{
	return fs_is(c, FAILSAFE_TASKS_PATH) && c->after != NULL;
}

int
failsafe_is_disarm(const struct change *c)
{
	return fs_is(c, FAILSAFE_TASKS_PATH) && c->after == NULL;
}

int
failsafe_is_fired(const struct change *c)
{
	return fs_is(c, FAILSAFE_FIRED_PATH);
}

const char *
failsafe_change_window(const struct change *c)
{
	if (fs_is(c, FAILSAFE_TASKS_PATH))
		return c->path + strlen(FAILSAFE_TASKS_PATH);
	if (fs_is(c, FAILSAFE_FIRED_PATH))
		return c->path + strlen(FAILSAFE_FIRED_PATH);
	return NULL;
}

static int
fs_apply(struct state_ctx *ctx, const struct change *c,
    const struct node *observed, char **cause)
{
	const char *window = failsafe_change_window(c);

	if (window == NULL)
		return cause_set(cause, "%s: failsafe: cannot apply '%s'",
		    ctx->host, c->path);
	if (failsafe_is_fired(c))
		return winreg_delete_value(ctx->ws, FAILSAFE_MARKER_KEY, window,
		    cause);
	if (c->after != NULL)
		return fs_create(ctx, window, c->desired, cause);
	return fs_delete(ctx, window, cause);
}

const struct state_ops state_failsafe_ops = {
	.kind = FAILSAFE_KIND,
	.read = fs_read,
	.diff = fs_diff,
	.apply = fs_apply,
	.flags = STATE_INTERNAL,
};
