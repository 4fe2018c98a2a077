/*
 * failsafe.c: the fail-safe state module: the host's \enforcer\failsafe-*
 * scheduled tasks and the markers they leave when they run
 * (failsafe.h says what they are; enforcer/window_failsafe.c computes the
 * desired state).
 *
 * A task is registered with schtasks /Create /XML (a TimeTrigger whose
 * StartBoundary is UTC, so no time zone moves it; run as SYSTEM; /F so
 * that moving it is one atomic replacement), from a file that echo writes
 * in the user's %TEMP%.  Tasks are listed with schtasks /Query /FO CSV (the
 * task name is the one column not translated) and read back with /Query
 * /XML, whose content is the same in every language.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "failsafe.h"
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

/* Windows of the \enforcer\failsafe-* tasks, from /Query /FO CSV /NH. */
static int
fs_read_names(struct state_ctx *ctx, struct node *names, char **cause)
{
	struct wsman_cmd out = WSMAN_CMD_INIT;
	const char *p, *q, *prefix = FAILSAFE_TASK_PREFIX;
	size_t plen = strlen(prefix);
	char *name;
	int rc = -1;

	if (fs_run(ctx, "schtasks /Query /FO CSV /NH", &out, cause) == -1)
		goto out;
	if (out.exit_code != 0) {
		fs_failed(ctx, "schtasks /Query", "*", &out, cause);
		goto out;
	}
	for (p = buf_cstr(&out.out); *p != '\0'; p += strcspn(p, "\n"),
	    p += *p == '\n') {
		if (p[0] != '"' || strncasecmp(p + 1, prefix, plen) != 0)
			continue;
		q = p + 1 + plen;
		name = xstrndup(q, strcspn(q, "\"\r\n"));
		node_seq_push(names, node_scalar(name));
		free(name);
	}
	rc = 0;
out:
	wsman_cmd_release(&out);
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
	node_map_set(*task, "enabled", node_scalar(en == NULL ||
	    strcasecmp(en, "false") != 0 ? "true" : "false"));
	free(when);
	free(cmd);
	free(args);
	free(en);
	xmlFreeDoc(doc);
	return 0;
}

static int
fs_read_task(struct state_ctx *ctx, const char *window, struct node *tasks,
    char **cause)
{
	struct wsman_cmd out = WSMAN_CMD_INIT;
	struct node *task = NULL;
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
	    cause)) == 0)
		node_map_set(tasks, window, task);
out:
	wsman_cmd_release(&out);
	free(line);
	return rc;
}

static int
fs_read_fired(struct state_ctx *ctx, struct node *fired, char **cause)
{
	struct node *names = NULL;
	char *v;
	size_t i;
	int found, rc = -1;

	if (winreg_enum_values(ctx->ws, FAILSAFE_MARKER_KEY, &names, &found,
	    cause) == -1)
		goto out;
	for (i = 0; i < names->npairs; i++) {
		if (winreg_get_string(ctx->ws, FAILSAFE_MARKER_KEY,
		    names->pairs[i].key->value, &v, &found, cause) == -1)
			goto out;
		if (found)
			node_map_set(fired, names->pairs[i].key->value,
			    node_scalar(v));
		free(v);
	}
	rc = 0;
out:
	node_free(names);
	return rc;
}

static int
fs_read(struct state_ctx *ctx, const struct node *desired,
    struct node **observed, char **cause)
{
	struct node *obs, *names;
	size_t i;
	int rc = -1;

	obs = node_map();
	node_map_set(obs, "tasks", node_map());
	node_map_set(obs, "fired", node_map());
	names = node_seq();
	if (fs_read_names(ctx, names, cause) == -1)
		goto out;
	for (i = 0; i < names->nitems; i++)
		if (fs_read_task(ctx, names->items[i]->value,
		    node_get(obs, "tasks"), cause) == -1)
			goto out;
	if (fs_read_fired(ctx, node_get(obs, "fired"), cause) == -1)
		goto out;
	*observed = obs;
	obs = NULL;
	rc = 0;
out:
	node_free(names);
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

/* The command wanted, as written for the trigger the host has. */
static int
fs_command_ok(const struct node *want, const struct node *have,
    const char *trig)
{
	const char *cmd = node_get_str(want, "command");
	const char *got = node_get_str(have, "command");
	char *as;
	int ok;

	if (cmd == NULL || got == NULL)
		return cmd == got;
	as = fs_subst(cmd, node_get_str(want, "trigger"), trig);
	ok = strcmp(as, got) == 0;
	free(as);
	return ok;
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
		before = xstrdup(trig != NULL ? trig : "");
	else if (!fs_command_ok(want, have, trig))
		before = xasprintf("%s (other action)", trig);
	else if (!node_equal(node_get(have, "enabled"),
	    node_get(want, "enabled")))
		before = xasprintf("%s (disabled)", trig);
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
	char path[160];
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
		changes_add(out, FAILSAFE_KIND, path,
		    node_get_str(have->pairs[i].value, "trigger"), NULL,
		    NULL)->flags |= CHANGE_LAST;
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
 * The task, in the Task Scheduler 1.2 schema.  StartWhenAvailable: a host
 * that was off at the trigger runs it as soon as it can.
 */
static void
fs_task_xml(struct buf *b, const char *window, const char *trigger,
    const char *command)
{
	size_t n = strcspn(command, " ");

	buf_printf(b, "<?xml version=\"1.0\"?><Task version=\"1.2\" "
	    "xmlns=\"" TASK_NS "\"><RegistrationInfo><Description>enforcer "
	    "fail-safe of window %s: turns CredSSP off if enforcer has not"
	    "</Description></RegistrationInfo><Triggers><TimeTrigger>"
	    "<StartBoundary>", window);
	fs_xml_text(b, trigger);
	buf_puts(b, "</StartBoundary><Enabled>true</Enabled></TimeTrigger>"
	    "</Triggers><Principals><Principal id=\"Author\"><UserId>S-1-5-18"
	    "</UserId><RunLevel>HighestAvailable</RunLevel></Principal>"
	    "</Principals><Settings><MultipleInstancesPolicy>IgnoreNew"
	    "</MultipleInstancesPolicy><DisallowStartIfOnBatteries>false"
	    "</DisallowStartIfOnBatteries><StopIfGoingOnBatteries>false"
	    "</StopIfGoingOnBatteries><StartWhenAvailable>true"
	    "</StartWhenAvailable><ExecutionTimeLimit>PT1H"
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

/*
 * One cmd.exe parse of s gives s back: outside double quotes, ^ before
 * what cmd reads as an operator; inside them everything is literal.
 */
static void
fs_caret(struct buf *b, const char *s)
{
	int quoted = 0;

	for (; *s != '\0'; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (!quoted && strchr("&|<>^()", *s) != NULL)
			buf_putc(b, '^');
		buf_putc(b, *s);
	}
}

static int
fs_create(struct state_ctx *ctx, const char *window, const struct node *want,
    char **cause)
{
	struct wsman_cmd out = WSMAN_CMD_INIT;
	const char *trig = node_get_str(want, "trigger");
	const char *cmd = node_get_str(want, "command");
	struct buf xml = BUF_INIT, echo = BUF_INIT, line = BUF_INIT;
	int rc = -1;

	if (trig == NULL || cmd == NULL || strchr(cmd, '%') != NULL)
		return cause_set(cause, "%s: failsafe: %s%s: no trigger or "
		    "command to register", ctx->host, FAILSAFE_TASK_PREFIX,
		    window);
	fs_task_xml(&xml, window, trig, cmd);
	buf_puts(&echo, "echo ");
	fs_caret(&echo, buf_cstr(&xml));
	buf_printf(&echo, ">\"%%TEMP%%\\enforcer-failsafe-%s.xml\" && "
	    "schtasks /Create /TN \"%s%s\" /XML "
	    "\"%%TEMP%%\\enforcer-failsafe-%s.xml\" /RU SYSTEM /F && "
	    "del \"%%TEMP%%\\enforcer-failsafe-%s.xml\"", window,
	    FAILSAFE_TASK_PREFIX, window, window, window);
	/*
	 * A wsman_run() line is parsed twice: by WinRS's cmd shell, which
	 * runs "cmd.exe /c LINE", then by that cmd.exe.  The first parse
	 * only takes the carets off; the second one runs it all.
	 */
	fs_caret(&line, buf_cstr(&echo));
	if (fs_run(ctx, buf_cstr(&line), &out, cause) == -1)
		goto out;
	if (out.exit_code != 0) {
		fs_failed(ctx, "schtasks /Create", window, &out, cause);
		goto out;
	}
	rc = 0;
out:
	wsman_cmd_release(&out);
	buf_release(&xml);
	buf_release(&echo);
	buf_release(&line);
	return rc;
}

/* A task already gone is removed. */
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
	rc = 0;
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
