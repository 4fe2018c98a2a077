/*
 * cmd.c: the cmd.exe interpreter, as `cmd.exe /c LINE` runs a line on a
 * simulated host.
 *
 * The line's %VARIABLES% are expanded, then it is split into commands at
 * &, &&, || and | (outside double quotes; ^ escapes the next character),
 * each command's redirections (>, >>, 1>, 2>, 2>&1, <) are taken out, and
 * the commands run with cmd's precedence (& below ||, below &&, below |).
 * cmd's own commands (echo, type, del, exit, rem, cd, ver, cmd /c) are
 * here; programs are in prog_*.c.  Output is CRLF text.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

#define MAX_DEPTH	8	/* cmd /c cmd /c ... */

enum op {
	OP_END,
	OP_SEQ,		/* & */
	OP_OR,		/* || */
	OP_AND,		/* && */
	OP_PIPE,	/* | */
};

struct redir {
	int	 fd;		/* 1 or 2 */
	int	 append;	/* >> */
	int	 dup;		/* 2>&1: fd takes the other fd's target */
	char	*path;		/* NULL with dup */
};

struct command {
	struct buf	 text;		/* quotes kept, redirections removed */
	struct redir	*redirs;
	size_t		 nredirs;
	enum op		 next;		/* the operator that follows */
};

/* Where one of a command's streams goes. */
struct target {
	int	 kind;		/* 1 stdout, 2 stderr, 0 nul, 3 file */
	char	*path;
};

/* One run of sim_cmd_run, shared by nested cmd /c. */
struct run {
	struct sim_host	*host;
	const char	*user;
	int		 admin;
	char		*cwd;
	struct buf	*out;
	struct buf	*err;
	int		 wrote;
	int		 exiting;	/* exit: stop everything */
	int		 depth;
	int		 errorlevel;
};

static int run_line(struct run *, const char *line);

/* --- helpers for programs ------------------------------------------------ */

void
sim_prog_out(struct sim_prog *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(p->out, fmt, ap);
	va_end(ap);
}

void
sim_prog_err(struct sim_prog *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(p->err, fmt, ap);
	va_end(ap);
}

static char *
path_absolute(const char *cwd, const char *path)
{
	char *abs, *s;

	if (isalpha((unsigned char)path[0]) && path[1] == ':')
		abs = xasprintf("%c:%s%s", toupper((unsigned char)path[0]),
		    path[2] == '\\' || path[2] == '/' ? "" : "\\", path + 2);
	else if (path[0] == '\\' || path[0] == '/')
		abs = xasprintf("C:%s", path);
	else
		abs = xasprintf("%s\\%s", cwd, path);
	for (s = abs; *s != '\0'; s++)
		if (*s == '/')
			*s = '\\';
	return abs;
}

char *
sim_prog_path(const struct sim_prog *p, const char *path)
{
	return path_absolute(p->cwd, path);
}

void
sim_prog_tm(const struct sim_host *h, time_t t, struct tm *tm)
{
	t += (time_t)h->tz_offset_min * 60;
	gmtime_r(&t, tm);
}

/* --- the environment ---------------------------------------------------- */

/* The account part of "DOMAIN\name". */
static const char *
user_name(const char *user)
{
	const char *bs = strrchr(user, '\\');

	return bs != NULL ? bs + 1 : user;
}

static int
is_system(const char *user)
{
	return user != NULL && (strcasecmp(user, "SYSTEM") == 0 ||
	    strcasecmp(user, "NT AUTHORITY\\SYSTEM") == 0);
}

static char *
profile_dir(const char *user)
{
	if (user == NULL || is_system(user))
		return xstrdup("C:\\Windows\\system32");
	return xasprintf("C:\\Users\\%s", user_name(user));
}

/* Administrators: an admin account, or a member of Administrators. */
static int
user_is_admin(struct sim_host *h, const char *user)
{
	struct sim_account *a;
	struct sim_group *g;

	if (user == NULL)
		return 1;
	a = sim_account(h, user);
	if (a != NULL && a->admin)
		return 1;
	g = sim_group(h, "S-1-5-32-544");
	return g != NULL && (sim_group_find_member(g, user) >= 0 ||
	    (a != NULL && sim_group_find_member(g, a->name) >= 0));
}

/* Variables cmd.exe would inherit in a WinRS or task session. */
static char *
env_get(struct run *r, const char *name, size_t len)
{
	char nb[16];
	const char *u = r->user != NULL ? r->user : "Administrator";

	sim_host_netbios(r->host, nb);
#define IS(n) (len == strlen(n) && strncasecmp(name, n, len) == 0)
	if (IS("SystemRoot") || IS("windir"))
		return xstrdup("C:\\Windows");
	if (IS("SystemDrive"))
		return xstrdup("C:");
	if (IS("ComSpec"))
		return xstrdup("C:\\Windows\\system32\\cmd.exe");
	if (IS("ProgramData"))
		return xstrdup("C:\\ProgramData");
	if (IS("ProgramFiles"))
		return xstrdup("C:\\Program Files");
	if (IS("COMPUTERNAME"))
		return xstrdup(nb);
	if (IS("USERNAME"))
		return is_system(u) ? xasprintf("%s$", nb) :
		    xstrdup(user_name(u));
	if (IS("USERDOMAIN"))
		return strchr(u, '\\') != NULL && !is_system(u) ?
		    xstrndup(u, (size_t)(strchr(u, '\\') - u)) : xstrdup(nb);
	if (IS("USERPROFILE"))
		return is_system(u) ?
		    xstrdup("C:\\Windows\\system32\\config\\systemprofile") :
		    xasprintf("C:\\Users\\%s", user_name(u));
	if (IS("TEMP") || IS("TMP"))
		return is_system(u) ? xstrdup("C:\\Windows\\TEMP") :
		    xasprintf("C:\\Users\\%s\\AppData\\Local\\Temp",
		    user_name(u));
	if (IS("ERRORLEVEL"))
		return xasprintf("%d", r->errorlevel);
#undef IS
	return NULL;
}

/* %NAME% expansion; undefined names stay as they are, as in cmd /c. */
static char *
expand(struct run *r, const char *line)
{
	struct buf b = BUF_INIT;
	const char *p, *end;
	char *v;

	for (p = line; *p != '\0'; p++) {
		if (*p != '%' || (end = strchr(p + 1, '%')) == NULL ||
		    end == p + 1) {
			buf_putc(&b, *p);
			continue;
		}
		if ((v = env_get(r, p + 1, (size_t)(end - p - 1))) == NULL) {
			buf_add(&b, p, (size_t)(end - p));
			p = end - 1;
			continue;
		}
		buf_puts(&b, v);
		free(v);
		p = end;
	}
	return buf_detach(&b);
}

/* --- parsing ------------------------------------------------------------ */

static void
commands_free(struct command *c, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		buf_release(&c[i].text);
		for (j = 0; j < c[i].nredirs; j++)
			free(c[i].redirs[j].path);
		free(c[i].redirs);
	}
	free(c);
}

static struct command *
command_new(struct command **v, size_t *n)
{
	struct command *c;

	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	c = &(*v)[(*n)++];
	memset(c, 0, sizeof(*c));
	buf_init(&c->text);
	return c;
}

/* A redirection's target: a quoted or a bare word. */
static const char *
read_target(const char *p, char **out)
{
	const char *start;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '"') {
		start = ++p;
		while (*p != '\0' && *p != '"')
			p++;
		*out = xstrndup(start, (size_t)(p - start));
		return *p == '"' ? p + 1 : p;
	}
	start = p;
	while (*p != '\0' && strchr(" \t&|<>", *p) == NULL)
		p++;
	*out = xstrndup(start, (size_t)(p - start));
	return p;
}

/*
 * At p (a '>' or '<' outside quotes): take the redirection out of the
 * command.  A '1' or '2' just before '>' that starts a word is its fd.
 * Returns the position after it, or NULL for a missing target.
 */
static const char *
parse_redir(struct command *c, const char *p)
{
	struct redir r = { 1, 0, 0, NULL };
	size_t len = c->text.len;

	if (*p == '<') {
		p = read_target(p + 1, &r.path);
		if (*r.path == '\0')
			p = NULL;
		free(r.path);	/* no program here reads stdin */
		return p;
	}
	if (len > 0 && (c->text.ptr[len - 1] == '1' ||
	    c->text.ptr[len - 1] == '2') && (len == 1 ||
	    isspace((unsigned char)c->text.ptr[len - 2]))) {
		r.fd = c->text.ptr[len - 1] - '0';
		buf_truncate(&c->text, len - 1);
	}
	p++;
	if (*p == '>') {
		r.append = 1;
		p++;
	}
	if (*p == '&' && (p[1] == '1' || p[1] == '2')) {
		r.dup = 1;
		p += 2;
	} else {
		p = read_target(p, &r.path);
		if (*r.path == '\0') {
			free(r.path);
			return NULL;
		}
	}
	c->redirs = xreallocarray(c->redirs, c->nredirs + 1,
	    sizeof(*c->redirs));
	c->redirs[c->nredirs++] = r;
	return p;
}

static enum op
parse_op(const char **pp)
{
	const char *p = *pp;

	if (p[0] == '&' && p[1] == '&') {
		*pp = p + 2;
		return OP_AND;
	}
	if (p[0] == '|' && p[1] == '|') {
		*pp = p + 2;
		return OP_OR;
	}
	*pp = p + 1;
	return p[0] == '&' ? OP_SEQ : OP_PIPE;
}

static int
blank(const struct buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		if (!isspace((unsigned char)b->ptr[i]) && b->ptr[i] != '@')
			return 0;
	return 1;
}

/*
 * Split a line into commands.  On a syntax error, *bad is the message
 * cmd.exe prints and -1 is returned.
 */
static int
parse_line(const char *line, struct command **out, size_t *n,
    const char **bad)
{
	struct command *c;
	const char *p = line, *op;
	int inq = 0;

	*out = NULL;
	*n = 0;
	c = command_new(out, n);
	while (*p != '\0') {
		if (*p == '"')
			inq = !inq;
		if (inq || *p == '"') {
			buf_putc(&c->text, *p++);
		} else if (*p == '^') {
			if (p[1] != '\0')
				buf_putc(&c->text, p[1]);
			p += p[1] != '\0' ? 2 : 1;
		} else if (*p == '&' || *p == '|') {
			op = p;
			c->next = parse_op(&p);
			if (blank(&c->text)) {
				*bad = op[0] == '&' ? (op[1] == '&' ?
				    "&&" : "&") : (op[1] == '|' ? "||" : "|");
				return -1;
			}
			c = command_new(out, n);
		} else if (*p == '>' || *p == '<') {
			if ((p = parse_redir(c, p)) == NULL) {
				*bad = NULL;
				return -1;
			}
		} else
			buf_putc(&c->text, *p++);
	}
	/* "a &" is fine; "a &&", "a ||", "a |" are not. */
	if (*n > 1 && blank(&c->text) && (*out)[*n - 2].next != OP_SEQ) {
		*bad = NULL;
		return -1;
	}
	return 0;
}

/*
 * Words of a command as a program's C runtime splits them: double quotes
 * group and go; backslashes are plain characters except before a quote,
 * where 2n of them and the quote give n backslashes and a toggle, 2n+1 of
 * them give n backslashes and a literal quote (schtasks /TR "a \"b\"").
 */
static char **
split_words(const char *s, int *argc, const char **rest)
{
	struct buf w = BUF_INIT;
	char **argv = NULL;
	size_t nbs;
	int n = 0, inq = 0, inword = 0;

	*rest = NULL;
	for (;; s++) {
		if (*s == '\0' || (!inq && (*s == ' ' || *s == '\t'))) {
			if (inword) {
				argv = xreallocarray(argv, (size_t)n + 2,
				    sizeof(*argv));
				argv[n++] = xstrdup(buf_cstr(&w));
				buf_reset(&w);
				inword = 0;
				if (n == 1)
					*rest = s;
			}
			if (*s == '\0')
				break;
			continue;
		}
		inword = 1;
		nbs = strspn(s, "\\");
		if (nbs > 0 && s[nbs] == '"') {
			while (nbs >= 2) {
				buf_putc(&w, '\\');
				nbs -= 2;
				s += 2;
			}
			if (nbs == 1) {
				buf_putc(&w, '"');
				s++;
			} else
				inq = !inq;
		} else if (*s == '"' && inq && s[1] == '"') {
			buf_putc(&w, '"');	/* "" inside quotes: a quote */
			s++;
		} else if (*s == '"')
			inq = !inq;
		else
			buf_putc(&w, *s);
	}
	buf_release(&w);
	if (argv == NULL)
		argv = xcalloc(1, sizeof(*argv));
	argv[n] = NULL;
	*argc = n;
	if (*rest == NULL)
		*rest = s;
	return argv;
}

static void
words_free(char **argv)
{
	size_t i;

	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/* --- cmd's own commands ------------------------------------------------- */

static int
protected_path(const char *abs)
{
	return strncasecmp(abs, "C:\\Windows\\", 11) == 0 ||
	    strncasecmp(abs, "C:\\Program Files", 16) == 0;
}

static int
is_echo(const char *s, const char **rest)
{
	if (strncasecmp(s, "echo", 4) != 0 ||
	    (s[4] != '\0' && strchr(" \t.,;=(/+:[]", s[4]) == NULL))
		return 0;
	*rest = s + 4;
	return 1;
}

/* echo: "echo." prints an empty line, "echo" alone the echo state. */
static int
builtin_echo(struct sim_prog *p, const char *rest)
{
	const char *s = rest + (*rest != '\0');

	if (*rest == '\0' || ((*rest == ' ' || *rest == '\t') &&
	    strspn(s, " \t") == strlen(s))) {
		sim_prog_out(p, "ECHO is on.\r\n");
		return 0;
	}
	if ((*rest == ' ' || *rest == '\t') && (strcasecmp(s, "on") == 0 ||
	    strcasecmp(s, "off") == 0))
		return 0;
	sim_prog_out(p, "%s\r\n", s);
	return 0;
}

static int
builtin_type(struct sim_prog *p)
{
	struct sim_file *f;
	char *path;
	int i, rc = 0;

	if (p->argc < 2) {
		sim_prog_err(p, "The syntax of the command is incorrect.\r\n");
		return 1;
	}
	for (i = 1; i < p->argc; i++) {
		path = sim_prog_path(p, p->argv[i]);
		if ((f = sim_file(p->host, path, 0)) == NULL) {
			sim_prog_err(p, "The system cannot find the file "
			    "specified.\r\n");
			rc = 1;
		} else
			buf_add(p->out, f->data.ptr, f->data.len);
		free(path);
	}
	return rc;
}

/* del: a missing file is reported but, as in cmd, leaves errorlevel 0. */
static int
builtin_del(struct sim_prog *p)
{
	char *path;
	int i, n = 0;

	for (i = 1; i < p->argc; i++) {
		if (p->argv[i][0] == '/')
			continue;
		n++;
		path = sim_prog_path(p, p->argv[i]);
		if (sim_file(p->host, path, 0) == NULL)
			sim_prog_err(p, "Could Not Find %s\r\n", path);
		else if (!p->admin && protected_path(path))
			sim_prog_err(p, "%s\r\nAccess is denied.\r\n", path);
		else {
			sim_file_delete(p->host, path);
			p->wrote = 1;
		}
		free(path);
	}
	if (n == 0) {
		sim_prog_err(p, "The syntax of the command is incorrect.\r\n");
		return 1;
	}
	return 0;
}

/* exit [/b] [N]: ends the whole line. */
static int
builtin_exit(struct run *r, struct sim_prog *p)
{
	int i = 1;

	if (i < p->argc && strcasecmp(p->argv[i], "/b") == 0)
		i++;
	r->exiting = 1;
	return i < p->argc ? atoi(p->argv[i]) : r->errorlevel;
}

/* cmd [/q /d /s ...] /c LINE: the rule of cmd /? for quotes around LINE. */
static int
builtin_cmd(struct run *r, struct sim_prog *p)
{
	const char *s = p->args;
	char *line;
	size_t len;
	int rc, saved;

	for (;;) {
		s += strspn(s, " \t");
		if (s[0] != '/' || s[1] == '\0')
			break;
		if (tolower((unsigned char)s[1]) == 'c' ||
		    tolower((unsigned char)s[1]) == 'k') {
			s += 2;
			s += strspn(s, " \t");
			line = xstrdup(s);
			len = strlen(line);
			if (line[0] == '"' && strrchr(line, '"') != line) {
				*strrchr(line, '"') = '\0';
				memmove(line, line + 1, len);
			}
			if (r->depth >= MAX_DEPTH) {
				free(line);
				sim_prog_err(p, "The system cannot execute the "
				    "specified program.\r\n");
				return 1;
			}
			r->depth++;
			saved = r->exiting;
			rc = run_line(r, line);
			r->exiting = saved;
			r->depth--;
			free(line);
			return rc;
		}
		s += strcspn(s, " \t");
	}
	sim_prog_out(p, "Microsoft Windows [Version 10.0.20348.2849]\r\n"
	    "(c) Microsoft Corporation. All rights reserved.\r\n\r\n%s>",
	    r->cwd);
	return 0;
}

static int
prog_hostname(struct sim_prog *p)
{
	const char *dot = strchr(p->host->name, '.');

	sim_prog_out(p, "%.*s\r\n", dot != NULL ?
	    (int)(dot - p->host->name) : (int)strlen(p->host->name),
	    p->host->name);
	return 0;
}

/* whoami: "domain\user" in lower case; local accounts under NETBIOS. */
static int
prog_whoami(struct sim_prog *p)
{
	struct sim_account *a = NULL;
	char nb[16], *s, *c;

	if (p->argc > 1) {
		sim_prog_err(p, "ERROR: Invalid argument/option - '%s'.\r\n"
		    "Type \"WHOAMI /?\" for usage.\r\n", p->argv[1]);
		return 1;
	}
	sim_host_netbios(p->host, nb);
	if (p->user != NULL)
		a = sim_account(p->host, p->user);
	if (a != NULL)
		s = strchr(a->name, '\\') != NULL ? xstrdup(a->name) :
		    xasprintf("%s\\%s", nb, a->name);
	else
		s = xstrdup(p->user != NULL ? p->user : "Administrator");
	for (c = s; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	sim_prog_out(p, "%s\r\n", s);
	free(s);
	return 0;
}

static const struct {
	const char	*name;
	int		(*run)(struct sim_prog *);
} programs[] = {
	{ "certutil", sim_prog_certutil },
	{ "hostname", prog_hostname },
	{ "net", sim_prog_net },
	{ "net1", sim_prog_net },
	{ "powershell", sim_prog_powershell },
	{ "reg", sim_prog_reg },
	{ "sc", sim_prog_sc },
	{ "schtasks", sim_prog_schtasks },
	{ "shutdown", sim_prog_shutdown },
	{ "whoami", prog_whoami },
	{ "winrm", sim_prog_winrm },
};

/*
 * The program a word names: "schtasks", "schtasks.exe" or
 * "C:\Windows\System32\schtasks.exe" (only System32 holds programs).
 */
static int
find_program(const char *word)
{
	const char *base = strrchr(word, '\\'), *dot;
	size_t i, len;

	if (base != NULL) {
		if ((size_t)(base - word) != 19 ||
		    strncasecmp(word, "C:\\Windows\\System32", 19) != 0)
			return -1;
		base++;
	} else
		base = word;
	len = strlen(base);
	if ((dot = strrchr(base, '.')) != NULL &&
	    (strcasecmp(dot, ".exe") == 0 || strcasecmp(dot, ".cmd") == 0 ||
	    strcasecmp(dot, ".com") == 0 || strcasecmp(dot, ".bat") == 0))
		len = (size_t)(dot - base);
	for (i = 0; i < nitems(programs); i++)
		if (strlen(programs[i].name) == len &&
		    strncasecmp(programs[i].name, base, len) == 0)
			return (int)i;
	return -1;
}

static int
run_words(struct run *r, struct sim_prog *p, const char *text)
{
	const char *name = p->argv[0], *rest;
	int i;

	if (is_echo(text, &rest))
		return builtin_echo(p, rest);
	if (strcasecmp(name, "type") == 0)
		return builtin_type(p);
	if (strcasecmp(name, "del") == 0 || strcasecmp(name, "erase") == 0)
		return builtin_del(p);
	if (strcasecmp(name, "exit") == 0)
		return builtin_exit(r, p);
	if (strcasecmp(name, "rem") == 0 || strcasecmp(name, "cd") == 0 ||
	    strcasecmp(name, "chdir") == 0)
		return 0;
	if (strcasecmp(name, "ver") == 0) {
		sim_prog_out(p, "\r\nMicrosoft Windows [Version "
		    "10.0.20348.2849]\r\n");
		return 0;
	}
	if (strcasecmp(name, "cmd") == 0 || strcasecmp(name, "cmd.exe") == 0 ||
	    strcasecmp(name, "C:\\Windows\\System32\\cmd.exe") == 0)
		return builtin_cmd(r, p);
	if ((i = find_program(name)) >= 0)
		return programs[i].run(p);
	sim_prog_err(p, "'%s' is not recognized as an internal or external "
	    "command,\r\noperable program or batch file.\r\n", name);
	return 9009;
}

/* --- running ------------------------------------------------------------ */

static void
target_write(struct run *r, const struct target *t, const struct buf *b)
{
	struct sim_file *f;

	if (t->kind == 1)
		buf_add(r->out, b->ptr, b->len);
	else if (t->kind == 2)
		buf_add(r->err, b->ptr, b->len);
	else if (t->kind == 3 && b->len > 0) {
		f = sim_file(r->host, t->path, 1);
		buf_add(&f->data, b->ptr, b->len);
		r->wrote = 1;
	}
}

/*
 * Point fd 1 and 2 where the redirections say, creating (or truncating)
 * files first as cmd does.  Returns -1 (message on stderr) when a file
 * cannot be written.
 */
static int
open_targets(struct run *r, const struct command *c, struct target t[3])
{
	const struct redir *rd;
	struct sim_file *f;
	char *abs;
	size_t i;

	for (i = 0; i < c->nredirs; i++) {
		rd = &c->redirs[i];
		if (rd->dup) {
			free(t[rd->fd].path);
			t[rd->fd] = t[3 - rd->fd];
			t[rd->fd].path = t[rd->fd].path ?
			    xstrdup(t[rd->fd].path) : NULL;
			continue;
		}
		free(t[rd->fd].path);
		t[rd->fd].path = NULL;
		if (strcasecmp(rd->path, "nul") == 0) {
			t[rd->fd].kind = 0;
			continue;
		}
		abs = path_absolute(r->cwd, rd->path);
		if (!r->admin && protected_path(abs)) {
			buf_puts(r->err, "Access is denied.\r\n");
			free(abs);
			return -1;
		}
		f = sim_file(r->host, abs, 1);
		if (!rd->append)
			buf_reset(&f->data);
		r->wrote = 1;
		t[rd->fd].kind = 3;
		t[rd->fd].path = abs;
	}
	return 0;
}

static int
run_command(struct run *r, const struct command *c, int discard_out)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct target t[3] = { { 0, NULL }, { 1, NULL }, { 2, NULL } };
	struct sim_prog p;
	const char *text = buf_cstr(&c->text), *args;
	int rc = 1;

	text += strspn(text, " \t@");
	memset(&p, 0, sizeof(p));
	p.argv = split_words(text, &p.argc, &args);
	if (p.argc == 0) {
		rc = r->errorlevel;
		goto done;
	}
	if (open_targets(r, c, t) == -1)
		goto done;
	p.host = r->host;
	p.user = r->user;
	p.admin = r->admin;
	p.cwd = r->cwd;
	p.args = args;
	p.out = &out;
	p.err = &err;
	rc = run_words(r, &p, text);
	if (p.wrote)
		r->wrote = 1;
	if (discard_out)
		t[1].kind = 0;
	target_write(r, &t[1], &out);
	target_write(r, &t[2], &err);
done:
	free(t[1].path);
	free(t[2].path);
	words_free(p.argv);
	buf_release(&out);
	buf_release(&err);
	r->errorlevel = rc;
	return rc;
}

/*
 * Run commands [lo, hi) split at operators of this precedence level:
 * & runs all, || runs the next part on failure, && on success; in a
 * pipe every output but the last is consumed by the next program, which
 * here reads none.
 */
static int
run_level(struct run *r, const struct command *c, size_t lo, size_t hi,
    enum op level)
{
	size_t k, start = lo;
	int rc = 0, first = 1, go;

	if (level > OP_PIPE)
		return run_command(r, &c[lo], 0);
	for (k = lo; k < hi && !r->exiting; k++) {
		if (k != hi - 1 && c[k].next != level)
			continue;
		go = first || level == OP_SEQ || level == OP_PIPE ||
		    (level == OP_OR && rc != 0) || (level == OP_AND && rc == 0);
		if (go && level == OP_PIPE)
			rc = run_command(r, &c[start], k != hi - 1);
		else if (go)
			rc = run_level(r, c, start, k + 1, level + 1);
		first = 0;
		start = k + 1;
	}
	return rc;
}

static int
run_line(struct run *r, const char *line)
{
	struct command *c;
	const char *bad = NULL;
	char *expanded;
	size_t n;
	int rc;

	expanded = expand(r, line);
	if (parse_line(expanded, &c, &n, &bad) == -1) {
		if (bad != NULL)
			buf_printf(r->err, "%s was unexpected at this time.\r\n",
			    bad);
		else
			buf_puts(r->err, "The syntax of the command is "
			    "incorrect.\r\n");
		rc = bad != NULL ? 255 : 1;
	} else if (n == 1 && blank(&c[0].text) && c[0].nredirs == 0)
		rc = 0;
	else
		rc = run_level(r, c, 0, n, OP_SEQ);
	commands_free(c, n);
	free(expanded);
	r->errorlevel = rc;
	return rc;
}

int
sim_cmd_run(struct sim_host *h, const char *user, const char *line,
    struct buf *out, struct buf *err, int *wrote)
{
	struct run r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.host = h;
	r.user = user;
	r.admin = user_is_admin(h, user);
	r.cwd = profile_dir(user);
	r.out = out;
	r.err = err;
	rc = run_line(&r, line);
	free(r.cwd);
	*wrote = r.wrote;
	return rc;
}
