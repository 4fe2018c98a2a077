/*
 * history_msg.c: the history commit messages, written and parsed back.
 * The grammar is in docs/history.md; keep the two in step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "gitutil.h"
#include "history.h"
#include "shard.h"
#include "strmap.h"
#include "timeparse.h"

/* A trailer value is one line; a runaway cause must not swamp the log. */
#define TRAILER_MAX	300

static const char *const class_names[HISTORY_NCLASSES] = {
	[HISTORY_INTENTIONAL] = "intentional",
	[HISTORY_CORRECTIVE] = "corrective",
	[HISTORY_WINDOW] = "window",
	[HISTORY_EXPIRY] = "expiry",
};

const char *
history_class_name(enum history_class c)
{
	if ((unsigned)c >= HISTORY_NCLASSES)
		return "unknown";
	return class_names[c];
}

int
history_class_parse(const char *name, enum history_class *out)
{
	size_t i;

	for (i = 0; i < HISTORY_NCLASSES; i++) {
		if (strcmp(name, class_names[i]) == 0) {
			*out = (enum history_class)i;
			return 0;
		}
	}
	return -1;
}

char *
history_new_run_id(time_t now)
{
	unsigned char rnd[3] = { 0, 0, 0 };
	char stamp[TIMEPARSE_UTC_LEN];

	/* The time alone collides when two runs start in one second. */
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		fatal("getrandom failed");
	timeparse_format_stamp(now, stamp, sizeof(stamp));
	return xasprintf("%s-%02x%02x%02x", stamp, rnd[0], rnd[1], rnd[2]);
}

void
history_change_describe(struct buf *out, const struct history_change *c)
{
	buf_printf(out, "%s: %s -> %s", c->path,
	    c->before != NULL ? c->before : "(absent)",
	    c->after != NULL ? c->after : "(absent)");
	if (c->reason != NULL)
		buf_printf(out, "  (%s)", c->reason);
	if (!c->verified)
		buf_puts(out, "  NOT VERIFIED");
}

/* --- writing -------------------------------------------------------------- */

static int
value_needs_quotes(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (*p == '\0')
		return 1;
	for (; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '"' || *p == '\\')
			return 1;
	return 0;
}

void
history_msg_escape(struct buf *out, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(out, "\\%c", *p);
		else if (*p == '\n')
			buf_puts(out, "\\n");
		else if (*p == '\t')
			buf_puts(out, "\\t");
		else if (*p < ' ' || *p == 0x7f)
			buf_printf(out, "\\x%02x", *p);
		else
			buf_putc(out, (char)*p);
	}
}

static void
put_value(struct buf *out, const char *s)
{
	if (!value_needs_quotes(s)) {
		buf_puts(out, s);
		return;
	}
	buf_putc(out, '"');
	history_msg_escape(out, s);
	buf_putc(out, '"');
}

static void
put_field(struct buf *out, const char *key, const char *value)
{
	if (value == NULL)
		return;
	buf_printf(out, " %s=", key);
	put_value(out, value);
}

static void
put_change(struct buf *out, const struct history_change *c)
{
	buf_puts(out, "change");
	put_field(out, "host", c->host);
	put_field(out, "path", c->path);
	put_field(out, "before", c->before);
	put_field(out, "after", c->after);
	put_field(out, "class", history_class_name(c->class));
	put_field(out, "verified", c->verified ? "yes" : "no");
	put_field(out, "window", c->window);
	put_field(out, "reason", c->reason);
	buf_putc(out, '\n');
}

/* One trailer: a single line of bounded length, whatever the value. */
static void
put_trailer(struct buf *out, const char *key, const char *value)
{
	const unsigned char *p;
	size_t n = 0;

	buf_printf(out, "%s: ", key);
	for (p = (const unsigned char *)value; *p != '\0'; p++, n++) {
		if (n == TRAILER_MAX) {
			buf_puts(out, "...");
			break;
		}
		buf_putc(out, *p < ' ' || *p == 0x7f ? ' ' : (char)*p);
	}
	buf_putc(out, '\n');
}

static void
put_time_trailer(struct buf *out, const char *key, time_t t)
{
	char s[TIMEPARSE_UTC_LEN];

	timeparse_format_utc(t, s, sizeof(s));
	put_trailer(out, key, s);
}

/* "Key: a, b, c", or nothing for an empty list. */
static void
put_list_trailer(struct buf *out, const char *key, const char **names,
    size_t n)
{
	struct buf v = BUF_INIT;
	size_t i;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		buf_printf(&v, "%s%s", i > 0 ? ", " : "", names[i]);
	/* Host lists may be long; they stay whole (names hold no newline). */
	buf_printf(out, "%s: %s\n", key, buf_cstr(&v));
	buf_release(&v);
}

/*
 * Distinct hosts of the changes, in order of first appearance, and the
 * set of them (hashed: a fleet-wide drift has a change on every host).
 */
static const char **
changed_hosts(const struct history_run *run, struct strmap *set, size_t *n)
{
	const char **names;
	size_t i;

	names = xcalloc(run->nchanges + 1, sizeof(*names));
	*n = 0;
	for (i = 0; i < run->nchanges; i++)
		if (strmap_put(set, run->changes[i].host, NULL) == 0)
			names[(*n)++] = run->changes[i].host;
	return names;
}

static const char **
unchanged_hosts(const struct history_run *run, const struct strmap *changed,
    size_t *n)
{
	const char **names;
	size_t i;

	names = xcalloc(run->nhosts + 1, sizeof(*names));
	*n = 0;
	for (i = 0; i < run->nhosts; i++) {
		if (run->hosts[i].error == NULL &&
		    run->hosts[i].noncompliant == NULL &&
		    !strmap_has(changed, run->hosts[i].name))
			names[(*n)++] = run->hosts[i].name;
	}
	return names;
}

static size_t
failed_count(const struct history_run *run)
{
	size_t i, n = 0;

	for (i = 0; i < run->nhosts; i++)
		if (run->hosts[i].error != NULL)
			n++;
	return n;
}

/* Hosts left out of their desired state without failing. */
static size_t
noncompliant_count(const struct history_run *run)
{
	size_t i, n = 0;

	for (i = 0; i < run->nhosts; i++)
		if (run->hosts[i].error == NULL &&
		    run->hosts[i].noncompliant != NULL)
			n++;
	return n;
}

static const char *
plural(size_t n)
{
	return n == 1 ? "" : "s";
}

static void
put_summary(struct buf *out, const struct history_run *run, size_t nchanged,
    size_t nunchanged)
{
	size_t nfailed = failed_count(run), nnon = noncompliant_count(run);

	buf_printf(out, "%s: ", run->verb);
	if (run->nchanges == 0)
		buf_puts(out, "no change");
	else
		buf_printf(out, "%zu change%s on %zu host%s", run->nchanges,
		    plural(run->nchanges), nchanged, plural(nchanged));
	if (nfailed > 0)
		buf_printf(out, ", %zu host%s failed", nfailed,
		    plural(nfailed));
	if (nnon > 0)
		buf_printf(out, ", %zu host%s not compliant", nnon,
		    plural(nnon));
	if (run->nchanges == 0 && nfailed == 0)
		buf_printf(out, ", %zu host%s in sync", nunchanged,
		    plural(nunchanged));
	buf_putc(out, '\n');
}

static void
put_run_trailers(struct buf *out, const struct history_run *run,
    const char *record)
{
	char *desired;
	size_t i;

	put_trailer(out, "Run-Id", run->run_id);
	put_trailer(out, "Verb", run->verb);
	put_trailer(out, "Record", record);
	put_time_trailer(out, "Started", run->started);
	put_time_trailer(out, "Finished", run->finished);
	if (run->desired_path != NULL) {
		/* A URL's credentials must not reach the history. */
		desired = gitutil_url_public(run->desired_path);
		put_trailer(out, "Desired", desired);
		free(desired);
	}
	if (run->desired_commit != NULL)
		put_trailer(out, "Desired-Commit", run->desired_commit);
	if (run->desired_dirty)
		put_trailer(out, "Desired-Dirty", "yes");
	if (run->operator != NULL)
		put_trailer(out, "Operator", run->operator);
	for (i = 0; i < run->nwindows; i++)
		put_trailer(out, "Window", run->windows[i]);
}

void
history_msg_run(struct buf *out, const struct history_run *run)
{
	struct strmap set = STRMAP_INIT;
	const char **changed, **unchanged;
	size_t i, nchanged, nunchanged;
	char *failed;

	changed = changed_hosts(run, &set, &nchanged);
	unchanged = unchanged_hosts(run, &set, &nunchanged);
	strmap_clear(&set);
	put_summary(out, run, nchanged, nunchanged);
	buf_putc(out, '\n');
	for (i = 0; i < run->nchanges; i++)
		put_change(out, &run->changes[i]);
	if (run->nchanges > 0)
		buf_putc(out, '\n');
	put_run_trailers(out, run, "run");
	put_list_trailer(out, "Hosts-Changed", changed, nchanged);
	for (i = 0; i < run->nhosts; i++) {
		if (run->hosts[i].error == NULL)
			continue;
		failed = xasprintf("%s: %s", run->hosts[i].name,
		    run->hosts[i].error);
		put_trailer(out, "Hosts-Failed", failed);
		free(failed);
	}
	for (i = 0; i < run->nhosts; i++) {
		if (run->hosts[i].error != NULL ||
		    run->hosts[i].noncompliant == NULL)
			continue;
		failed = xasprintf("%s: %s", run->hosts[i].name,
		    run->hosts[i].noncompliant);
		put_trailer(out, "Hosts-Noncompliant", failed);
		free(failed);
	}
	put_list_trailer(out, "Hosts-Unchanged", unchanged, nunchanged);
	free(changed);
	free(unchanged);
}

void
history_msg_observed(struct buf *out, const struct history_run *run,
    const char **drifted, size_t ndrifted, const char **fresh, size_t nfresh,
    int intent)
{
	size_t i;

	if (ndrifted == 1)
		buf_printf(out, "drift: %s changed outside enforcer\n",
		    drifted[0]);
	else if (ndrifted > 1)
		buf_printf(out, "drift: %zu hosts changed outside enforcer\n",
		    ndrifted);
	else if (nfresh == 1)
		buf_printf(out, "observe: %s first recorded\n", fresh[0]);
	else if (nfresh > 1)
		buf_printf(out, "observe: %zu hosts first recorded\n", nfresh);
	else
		buf_printf(out, "intent: %zu change%s on %s\n", run->nchanges,
		    plural(run->nchanges), run->nhosts == 1 ?
		    run->hosts[0].name : "several hosts");
	buf_putc(out, '\n');
	/* An intent's changes are about to be made: none is verified. */
	for (i = 0; intent && i < run->nchanges; i++)
		put_change(out, &run->changes[i]);
	if (intent && run->nchanges > 0)
		buf_putc(out, '\n');
	put_run_trailers(out, run, intent ? "intent" : "observed");
	put_list_trailer(out, "Hosts-Drifted", drifted, ndrifted);
	put_list_trailer(out, "Hosts-New", fresh, nfresh);
}

/* --- parsing -------------------------------------------------------------- */

/* A growable array of pointers or structs, handed to the log when done. */
struct vec {
	void	*v;
	size_t	 n;
	size_t	 cap;
};

static void *
vec_push(struct vec *a, size_t size)
{
	if (a->n == a->cap) {
		a->cap = a->cap == 0 ? 8 : a->cap * 2;
		a->v = xreallocarray(a->v, a->cap, size);
	}
	return (char *)a->v + a->n++ * size;
}

struct parse {
	struct history_log	*log;
	struct vec	 windows;	/* const char * */
	struct vec	 hosts;		/* struct history_host */
	struct vec	 changes;	/* struct history_change */
	struct vec	 drifted;	/* const char * */
	size_t		*slots;		/* hosts by name: index + 1, 0 free */
	size_t		 nslots;	/* a power of two, or 0 */
	int		 line;
	char		*cause;
};

static int
parse_fail(struct parse *p, const char *fmt, const char *arg)
{
	char *msg;

	msg = xasprintf(fmt, arg);
	cause_set(&p->cause, "commit message line %d: %s", p->line, msg);
	free(msg);
	return -1;
}

/* A value: bare up to a space, or quoted with \" \\ \n \t \xHH escapes. */
static int
parse_value(struct parse *p, const char **sp, const char **out)
{
	const char *s = *sp;
	struct buf v = BUF_INIT;
	unsigned x;

	if (*s != '"') {
		while (*s != '\0' && *s != ' ')
			buf_putc(&v, *s++);
	} else {
		for (s++; *s != '"'; s++) {
			if (*s == '\0') {
				buf_release(&v);
				return parse_fail(p, "%s", "unterminated quote");
			}
			if (*s != '\\') {
				buf_putc(&v, *s);
				continue;
			}
			s++;
			if (*s == 'n')
				buf_putc(&v, '\n');
			else if (*s == 't')
				buf_putc(&v, '\t');
			else if (*s == 'x' && sscanf(s + 1, "%2x", &x) == 1 &&
			    x != 0) {
				buf_putc(&v, (char)x);
				s += 2;
			} else if (*s == '"' || *s == '\\')
				buf_putc(&v, *s);
			else {
				buf_release(&v);
				return parse_fail(p, "%s", "bad escape");
			}
		}
		s++;
	}
	*out = history_log_strndup(p->log, buf_cstr(&v), v.len);
	buf_release(&v);
	*sp = s;
	return 0;
}

static int
change_set(struct parse *p, struct history_change *c, const char *key,
    const char *value)
{
	if (strcmp(key, "host") == 0)
		c->host = value;
	else if (strcmp(key, "path") == 0)
		c->path = value;
	else if (strcmp(key, "before") == 0)
		c->before = value;
	else if (strcmp(key, "after") == 0)
		c->after = value;
	else if (strcmp(key, "window") == 0)
		c->window = value;
	else if (strcmp(key, "reason") == 0)
		c->reason = value;
	else if (strcmp(key, "verified") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return parse_fail(p, "bad verified '%s'", value);
		c->verified = strcmp(value, "yes") == 0;
	} else if (strcmp(key, "class") == 0) {
		if (history_class_parse(value, &c->class) == -1)
			return parse_fail(p, "unknown class '%s'", value);
	}
	/* Other keys: written by a newer enforcer; skipped. */
	return 0;
}

static int
parse_change(struct parse *p, const char *s)
{
	struct history_change c;
	const char *eq, *value;
	char *key;
	int rc;

	memset(&c, 0, sizeof(c));
	c.class = HISTORY_NCLASSES;
	while (*s == ' ') {
		s++;
		if ((eq = strchr(s, '=')) == NULL)
			return parse_fail(p, "field '%s' has no '='", s);
		key = xstrndup(s, (size_t)(eq - s));
		s = eq + 1;
		rc = parse_value(p, &s, &value);
		if (rc == 0)
			rc = change_set(p, &c, key, value);
		free(key);
		if (rc == -1)
			return -1;
	}
	if (*s != '\0')
		return parse_fail(p, "junk after a value: '%s'", s);
	if (c.host == NULL || c.path == NULL || c.class == HISTORY_NCLASSES)
		return parse_fail(p, "%s", "change without host, path or class");
	*(struct history_change *)vec_push(&p->changes, sizeof(c)) = c;
	return 0;
}

/* name's slot in p->slots: its host's, or the free one to take. */
static size_t *
host_slot(struct parse *p, const char *name)
{
	const struct history_host *h = p->hosts.v;
	size_t i = (size_t)shard_hash(name);

	for (;; i++) {
		i &= p->nslots - 1;
		if (p->slots[i] == 0 || strcmp(h[p->slots[i] - 1].name,
		    name) == 0)
			return &p->slots[i];
	}
}

/* Twice as many slots, for a run of 50,000 hosts to parse in linear time. */
static void
host_slots_grow(struct parse *p)
{
	size_t i;

	free(p->slots);
	p->nslots = p->nslots == 0 ? 64 : p->nslots * 2;
	p->slots = xcalloc(p->nslots, sizeof(*p->slots));
	for (i = 0; i < p->hosts.n; i++)
		*host_slot(p, ((struct history_host *)p->hosts.v)[i].name) =
		    i + 1;
}

static struct history_host *
host_find_or_add(struct parse *p, const char *name)
{
	struct history_host *h;
	size_t *slot;

	if (2 * (p->hosts.n + 1) > p->nslots)
		host_slots_grow(p);
	slot = host_slot(p, name);
	if (*slot != 0)
		return &((struct history_host *)p->hosts.v)[*slot - 1];
	h = vec_push(&p->hosts, sizeof(*h));
	memset(h, 0, sizeof(*h));
	h->name = name;
	*slot = p->hosts.n;
	return h;
}

/* "a, b, c" into hosts (when hosts) or into a name list. */
static void
parse_list(struct parse *p, const char *s, struct vec *names)
{
	const char *comma, *name;
	size_t len;

	while (*s != '\0') {
		comma = strstr(s, ", ");
		len = comma != NULL ? (size_t)(comma - s) : strlen(s);
		name = history_log_strndup(p->log, s, len);
		if (names != NULL)
			*(const char **)vec_push(names, sizeof(name)) = name;
		else
			host_find_or_add(p, name);
		s += len + (comma != NULL ? 2 : 0);
	}
}

/* "HOST: text" of Hosts-Failed (failed) or Hosts-Noncompliant. */
static int
parse_host_line(struct parse *p, const char *s, int failed)
{
	const char *sep, *text;
	struct history_host *h;

	if ((sep = strstr(s, ": ")) == NULL)
		return parse_fail(p, failed ? "bad Hosts-Failed '%s'" :
		    "bad Hosts-Noncompliant '%s'", s);
	h = host_find_or_add(p, history_log_strndup(p->log, s,
	    (size_t)(sep - s)));
	text = history_log_strndup(p->log, sep + 2, strlen(sep + 2));
	if (failed)
		h->error = text;
	else
		h->noncompliant = text;
	return 0;
}

static int
parse_time(struct parse *p, const char *s, time_t *out)
{
	if (timeparse_utc(s, out) == -1)
		return parse_fail(p, "bad time '%s'", s);
	return 0;
}

static int
parse_trailer(struct parse *p, struct history_entry *e,
    enum history_msg_record *record, const char *key, const char *value)
{
	struct history_run *r = &e->run;
	const char *v;

	v = history_log_strndup(p->log, value, strlen(value));
	if (strcmp(key, "Run-Id") == 0)
		r->run_id = v;
	else if (strcmp(key, "Verb") == 0)
		r->verb = v;
	else if (strcmp(key, "Record") == 0) {
		if (strcmp(v, "run") == 0)
			*record = HISTORY_MSG_RUN;
		else if (strcmp(v, "observed") == 0)
			*record = HISTORY_MSG_OBSERVED;
		else if (strcmp(v, "intent") == 0)
			*record = HISTORY_MSG_INTENT;
		else
			return parse_fail(p, "unknown record '%s'", v);
	} else if (strcmp(key, "Started") == 0)
		return parse_time(p, v, &r->started);
	else if (strcmp(key, "Finished") == 0)
		return parse_time(p, v, &r->finished);
	else if (strcmp(key, "Desired") == 0)
		r->desired_path = v;
	else if (strcmp(key, "Desired-Commit") == 0)
		r->desired_commit = v;
	else if (strcmp(key, "Desired-Dirty") == 0)
		r->desired_dirty = strcmp(v, "yes") == 0;
	else if (strcmp(key, "Operator") == 0)
		r->operator = v;
	else if (strcmp(key, "Window") == 0)
		*(const char **)vec_push(&p->windows, sizeof(v)) = v;
	else if (strcmp(key, "Hosts-Changed") == 0 ||
	    strcmp(key, "Hosts-Unchanged") == 0)
		parse_list(p, v, NULL);
	else if (strcmp(key, "Hosts-Failed") == 0)
		return parse_host_line(p, v, 1);
	else if (strcmp(key, "Hosts-Noncompliant") == 0)
		return parse_host_line(p, v, 0);
	else if (strcmp(key, "Hosts-Drifted") == 0)
		parse_list(p, v, &p->drifted);
	/* Hosts-New and unknown trailers carry nothing read back. */
	return 0;
}

/* The last paragraph: every line "Token: value". */
static int
parse_trailers(struct parse *p, struct history_entry *e,
    enum history_msg_record *record, char **lines, int first, int n)
{
	char *sep;
	int i, rc = 0;

	for (i = first; i < n && rc == 0; i++) {
		p->line = i + 1;
		if ((sep = strstr(lines[i], ": ")) == NULL)
			return parse_fail(p, "not a trailer: '%s'", lines[i]);
		*sep = '\0';
		rc = parse_trailer(p, e, record, lines[i], sep + 2);
		*sep = ':';
	}
	return rc;
}

static char **
split_lines(char *text, int *n)
{
	char **lines = NULL, *nl;
	int cap = 0;

	*n = 0;
	while (*text != '\0') {
		if (*n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			lines = xreallocarray(lines, (size_t)cap,
			    sizeof(*lines));
		}
		lines[(*n)++] = text;
		if ((nl = strchr(text, '\n')) == NULL)
			break;
		*nl = '\0';
		text = nl + 1;
	}
	return lines;
}

static int
parse_body(struct parse *p, struct history_entry *e,
    enum history_msg_record *record, char **lines, int n)
{
	int i, last;

	while (n > 0 && lines[n - 1][0] == '\0')
		n--;
	for (last = n; last > 0 && lines[last - 1][0] != '\0'; last--)
		;
	if (last <= 1)
		return parse_fail(p, "%s", "no trailers");
	for (i = 1; i < last; i++) {
		p->line = i + 1;
		if (strncmp(lines[i], "change ", 7) == 0 &&
		    parse_change(p, lines[i] + 6) == -1)
			return -1;
	}
	if (parse_trailers(p, e, record, lines, last, n) == -1)
		return -1;
	if (e->run.run_id == NULL || e->run.verb == NULL)
		return parse_fail(p, "%s", "no Run-Id or Verb trailer");
	return 0;
}

static void
parse_finish(struct parse *p, struct history_entry *e)
{
	e->run.windows = history_log_keep(p->log, p->windows.v);
	e->run.nwindows = p->windows.n;
	e->run.hosts = history_log_keep(p->log, p->hosts.v);
	e->run.nhosts = p->hosts.n;
	e->run.changes = history_log_keep(p->log, p->changes.v);
	e->run.nchanges = p->changes.n;
	e->drifted = history_log_keep(p->log, p->drifted.v);
	e->ndrifted = p->drifted.n;
}

int
history_msg_parse(struct history_log *log, struct history_entry *e,
    enum history_msg_record *record, const char *message, char **cause)
{
	struct parse p;
	char *text, **lines;
	int n, rc;

	memset(&p, 0, sizeof(p));
	p.log = log;
	p.line = 1;
	*record = HISTORY_MSG_RUN;
	text = xstrdup(message);
	lines = split_lines(text, &n);
	rc = n == 0 ? parse_fail(&p, "%s", "empty message") :
	    parse_body(&p, e, record, lines, n);
	if (rc == 0)
		e->summary = history_log_strndup(log, lines[0],
		    strlen(lines[0]));
	parse_finish(&p, e);
	free(p.slots);
	free(lines);
	free(text);
	if (rc == -1) {
		*cause = p.cause;
		return -1;
	}
	return 0;
}
