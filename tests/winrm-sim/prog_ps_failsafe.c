/*
 * prog_ps_failsafe.c: the PowerShell of enforcer's host-side fail-safe
 * (enforcer/window_script.c, states/failsafe.c), and nothing else:
 *  - the task list: Get-ScheduledTask -TaskPath '\enforcer\' piped to
 *    Get-ScheduledTaskInfo, "LASTRESULT NAME" a line;
 *  - Register-ScheduledTask -TaskPath -TaskName -Xml STRING -Force;
 *  - the task's loader, which runs the script kept in the registry;
 *  - that script, statement by statement, each of a shape listed in
 *    stmts[] below and modelled on what Windows does: the registry
 *    provider (HKLM:), the WSMan provider (which needs the WinRM service
 *    running), Get-Service / Restart-Service, ADSI's WinNT provider by SID,
 *    NTAccount / SecurityIdentifier translation, Unregister-ScheduledTask.
 * A script with any other statement is refused before it runs, as a parse
 * error would be (exit 1).  The WSMAN registry values the WinRM service
 * starts from are the host's one WinRM configuration here
 * (docs/windows-behaviour.md#winrm-configuration-without-the-winrm-service).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

#define Q	"\001"		/* a single-quoted string, captured */
#define D	"\002"		/* a decimal number, captured */
#define G	"\003"		/* a group: by name or by SID */
#define S	"\004"		/* an account's SID: given or translated */
#define TAG	'\005'		/* next template char is captured as is */
#define NCAPS	8

#define STOP	"$ErrorActionPreference='Stop'"
#define TRANSLATE_SID ")).Translate([System.Security.Principal." \
	"SecurityIdentifier]).Value"
#define WSMAN_KEY	"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WSMAN\\"
#define NO_SERVICE	"The client cannot connect to the destination " \
	"specified in the request. Verify that the service on the destination " \
	"is running and is accepting requests."

struct caps {
	char	*v[NCAPS];
	int	 n;
};

static const char *const group_alts[] = {
	"\005n" Q,
	"\005s(New-Object System.Security.Principal.SecurityIdentifier(" Q
	    ")).Translate([System.Security.Principal.NTAccount]).Value."
	    "Split('\\')[-1]",
};
static const char *const sid_alts[] = {
	"\005s" Q,
	"\005n(New-Object System.Security.Principal.NTAccount(" Q TRANSLATE_SID,
	"\005l(New-Object System.Security.Principal.NTAccount("
	    "$env:COMPUTERNAME," Q TRANSLATE_SID,
};

static void
caps_release(struct caps *c, int from)
{
	while (c->n > from)
		free(c->v[--c->n]);
}

static int
caps_push(struct caps *c, char *v)
{
	if (c->n == NCAPS) {
		free(v);
		return -1;
	}
	c->v[c->n++] = v;
	return 0;
}

/* A quote PowerShell reads as one: ' or U+2018..U+201B; its length. */
static size_t
quote_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	if (*u == '\'')
		return 1;
	if (u[0] == 0xe2 && u[1] == 0x80 && u[2] >= 0x98 && u[2] <= 0x9b)
		return 3;
	return 0;
}

/* The single-quoted string at *s (a doubled quote is one); NULL if none. */
static char *
quoted(const char **s)
{
	struct buf b = BUF_INIT;
	const char *p = *s;
	size_t n, m;

	if ((n = quote_len(p)) == 0)
		return NULL;
	for (p += n; *p != '\0'; ) {
		if ((n = quote_len(p)) == 0) {
			buf_putc(&b, *p++);
			continue;
		}
		if ((m = quote_len(p + n)) == 0) {
			*s = p + n;
			return buf_detach(&b);
		}
		buf_add(&b, p, n);
		p += n + m;
	}
	buf_release(&b);
	return NULL;
}

static int match(const char *s, const char *t, struct caps *c);

/* One of alts, then the rest of the template. */
static int
match_alt(const char *s, const char *const *alts, size_t n, const char *rest,
    struct caps *c)
{
	char *t;
	size_t i;
	int from = c->n, ok;

	for (i = 0; i < n; i++) {
		t = xasprintf("%s%s", alts[i], rest);
		ok = match(s, t, c);
		free(t);
		if (ok)
			return 1;
		caps_release(c, from);
	}
	return 0;
}

/* s is the whole of template t; c holds the captures. */
static int
match(const char *s, const char *t, struct caps *c)
{
	size_t n;
	char *v;

	for (;;) {
		if (*t == '\0')
			return *s == '\0';
		if (*t == *Q) {
			if ((v = quoted(&s)) == NULL || caps_push(c, v) == -1)
				return 0;
		} else if (*t == *D) {
			if ((n = strspn(s, "0123456789")) == 0 ||
			    caps_push(c, xstrndup(s, n)) == -1)
				return 0;
			s += n;
		} else if (*t == *G)
			return match_alt(s, group_alts, nitems(group_alts),
			    t + 1, c);
		else if (*t == *S)
			return match_alt(s, sid_alts, nitems(sid_alts), t + 1,
			    c);
		else if (*t == TAG) {
			if (caps_push(c, xstrndup(t + 1, 1)) == -1)
				return 0;
			t++;
		} else if (*s++ != *t)
			return 0;
		t++;
	}
}

/* --- what a statement does ---------------------------------------------- */

/* One statement's run: 0 done, -1 thrown (why), 1 exit (code). */
struct run {
	struct sim_prog	*p;
	struct buf	 why;
	int		 code;
};

static int
throw(struct run *r, const char *fmt, const char *arg)
{
	buf_printf(&r->why, fmt, arg);
	return -1;
}

/* 'HKLM:\X' as the registry path X; NULL for any other provider. */
static const char *
hklm(const char *path)
{
	return strncasecmp(path, "HKLM:\\", 6) == 0 ? path + 6 : NULL;
}

/*
 * A WinRM setting the fail-safe changes: CredSSP of a role (a boolean),
 * or the client's TrustedHosts (text).  The WSMAN registry value and the
 * WSMan: path stand for the same setting.
 */
struct wsman_setting {
	struct sim_bool	 *b;	/* or */
	char		**text;
	enum sim_source	 *source;
};

static int
wsman_credssp(struct sim_host *h, const char *role, struct wsman_setting *w)
{
	memset(w, 0, sizeof(*w));
	if (strcasecmp(role, "Service") == 0)
		w->b = sim_winrm_bool(h, "service.auth.CredSSP");
	else if (strcasecmp(role, "Client") == 0)
		w->b = sim_winrm_bool(h, "client.auth.CredSSP");
	if (w->b != NULL)
		w->source = &w->b->source;
	return w->b != NULL;
}

static int
wsman_trusted_hosts(struct sim_host *h, struct wsman_setting *w)
{
	memset(w, 0, sizeof(*w));
	w->text = &h->winrm.trusted_hosts;
	w->source = &h->winrm.trusted_hosts_source;
	return 1;
}

/* The registry value key:name, as a setting; 0 if it is not one. */
static int
wsman_reg(struct sim_host *h, const char *key, const char *name,
    struct wsman_setting *w)
{
	size_t n = strlen(WSMAN_KEY);

	if (strncasecmp(key, WSMAN_KEY, n) != 0)
		return 0;
	if (strcasecmp(name, "auth_credssp") == 0)
		return wsman_credssp(h, key + n, w);
	if (strcasecmp(key + n, "Client") == 0 &&
	    strcasecmp(name, "trusted_hosts") == 0)
		return wsman_trusted_hosts(h, w);
	return 0;
}

static int
wsman_path(struct sim_host *h, const char *path, struct wsman_setting *w)
{
	static const char *const roles[] = { "Service", "Client" };
	char want[64];
	size_t i;

	for (i = 0; i < nitems(roles); i++) {
		snprintf(want, sizeof(want), "WSMan:\\localhost\\%s\\Auth\\"
		    "CredSSP", roles[i]);
		if (strcasecmp(path, want) == 0)
			return wsman_credssp(h, roles[i], w);
	}
	if (strcasecmp(path, "WSMan:\\localhost\\Client\\TrustedHosts") == 0)
		return wsman_trusted_hosts(h, w);
	return 0;
}

/* The setting as text: "true"/"false" (registry: "1"/"0"), or the list. */
static char *
wsman_text(const struct wsman_setting *w, int reg)
{
	if (w->b != NULL)
		return xstrdup(reg ? (w->b->value ? "1" : "0") :
		    (w->b->value ? "true" : "false"));
	return xstrdup(*w->text != NULL ? *w->text : "");
}

/* A policy-owned setting keeps its value (the write goes nowhere). */
static void
wsman_store(struct wsman_setting *w, const char *v)
{
	if (*w->source == SIM_SRC_GPO)
		return;
	if (w->b != NULL)
		w->b->value = strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0;
	else {
		free(*w->text);
		*w->text = xstrdup(v);
	}
}

static int
winrm_running(struct sim_host *h)
{
	struct sim_service *s = sim_service(h, "WinRM");

	return s != NULL && strcasecmp(s->state, "Running") == 0;
}

static struct sim_reg_key *
reg_key(struct run *r, const char *path)
{
	const char *k = hklm(path);
	struct sim_reg_key *key;

	if (k == NULL || (key = sim_reg_key(r->p->host, k, 0)) == NULL) {
		throw(r, "Cannot find path '%s' because it does not exist.",
		    path);
		return NULL;
	}
	return key;
}

/* New-ItemProperty -Force: the key must be there; the value replaced. */
static int
set_value(struct run *r, const char *path, const char *name, int dword,
    const char *v)
{
	struct sim_reg_key *key;
	struct wsman_setting w;

	if (!r->p->admin)
		return throw(r, "Requested registry access is not allowed.%s",
		    "");
	if ((key = reg_key(r, path)) == NULL)
		return -1;
	if (wsman_reg(r->p->host, hklm(path), name, &w))
		wsman_store(&w, v);
	else if (dword)
		sim_reg_set_num(key, name, SIM_REG_DWORD,
		    strtoull(v, NULL, 10));
	else
		sim_reg_set_sz(key, name, SIM_REG_SZ, v);
	r->p->wrote = 1;
	return 0;
}

/* (Get-ItemProperty K -Name N).N -ne V: 1 when it differs. */
static int
value_differs(struct run *r, const char *path, const char *name,
    const char *want, int dword)
{
	struct sim_reg_key *key;
	struct sim_reg_value *v;
	struct wsman_setting w;
	char *have;
	int rc;

	if ((key = reg_key(r, path)) == NULL)
		return -1;
	if (wsman_reg(r->p->host, hklm(path), name, &w)) {
		have = wsman_text(&w, 1);
		rc = strcasecmp(have, want) != 0;
		free(have);
		return rc;
	}
	if ((v = sim_reg_value(key, name, 0)) == NULL)
		return throw(r, "Property %s does not exist.", name);
	if (dword)
		return v->type != SIM_REG_DWORD || v->num != strtoull(want,
		    NULL, 10);
	/* PowerShell's -ne on strings ignores case. */
	return v->sz == NULL || strcasecmp(v->sz, want) != 0;
}

static int
remove_value(struct run *r, const char *path, const char *name, int quiet)
{
	struct sim_reg_key *key;

	if ((key = reg_key(r, path)) == NULL)
		return quiet ? (buf_reset(&r->why), 0) : -1;
	if (sim_reg_delete_value(key, name) == -1)
		return quiet ? 0 : throw(r, "Property %s does not exist.",
		    name);
	r->p->wrote = 1;
	return 0;
}

/* Set-Item on the WSMan provider: the running service's setting. */
static int
wsman_set(struct run *r, const char *path, const char *v)
{
	struct wsman_setting w;

	if (!wsman_path(r->p->host, path, &w))
		return throw(r, "Cannot find path '%s' because it does not "
		    "exist.", path);
	if (!winrm_running(r->p->host))
		return throw(r, "%s", NO_SERVICE);
	if (*w.source == SIM_SRC_GPO)
		return throw(r, "The config setting cannot be changed because "
		    "is controlled by policies.%s", "");
	wsman_store(&w, v);
	r->p->wrote = 1;
	return 0;
}

static void
restart_winrm(struct run *r)
{
	struct sim_service *s = sim_service(r->p->host, "WinRM");

	if (s == NULL)
		return;
	sim_service_set_state(r->p->host, s, "Stopped");
	sim_service_set_state(r->p->host, s, "Running");
}

/* The group of a G capture pair (kind, text); NULL and thrown if none. */
static struct sim_group *
adsi_group(struct run *r, const char *kind, const char *text)
{
	struct sim_group *g = sim_group(r->p->host, text);

	/* By SID: SecurityIdentifier.Translate finds it or throws. */
	if (*kind == 's' && g == NULL)
		throw(r, "Some or all identity references could not be "
		    "translated.%s", "");
	else if (g == NULL || (*kind == 'n' && sim_is_sid(text)))
		throw(r, "The specified local group does not exist.%s", "");
	else
		return g;
	return NULL;
}

/* The SID of an S capture pair; NULL and thrown if it does not resolve. */
static const char *
adsi_sid(struct run *r, const char *kind, const char *text)
{
	struct sim_account *a;
	char nb[16], *name;

	if (*kind == 's')
		return text;
	sim_host_netbios(r->p->host, nb);
	name = *kind == 'l' ? xasprintf("%s\\%s", nb, text) : xstrdup(text);
	a = sim_account(r->p->host, name);
	if (a == NULL && *kind == 'l')
		a = sim_account(r->p->host, text);
	free(name);
	if (a == NULL || a->sid == NULL) {
		throw(r, "Some or all identity references could not be "
		    "translated.%s", "");
		return NULL;
	}
	return a->sid;
}

/* $g.Remove('WinNT://SID'); 1377 (not a member) is caught and done. */
static int
adsi_remove(struct run *r, struct caps *c)
{
	struct sim_group *g;
	struct sim_account *a;
	const char *sid, *m;
	int at;

	if ((g = adsi_group(r, c->v[0], c->v[1])) == NULL ||
	    (sid = adsi_sid(r, c->v[2], c->v[3])) == NULL)
		return -1;
	if (!r->p->admin)
		return throw(r, "Access is denied.%s", "");
	a = sim_account(r->p->host, sid);
	m = a != NULL ? a->name : sid;
	if ((at = sim_group_find_member(g, m)) < 0)
		return 0;
	sim_group_delete_member(g, m);
	r->p->wrote = 1;
	return 0;
}

static int
unregister(struct run *r, const char *folder, const char *leaf)
{
	char *name = xasprintf("%s%s", folder, leaf);
	int rc = 0;

	if (!r->p->admin)
		rc = throw(r, "Access is denied.%s", "");
	else if (sim_task_delete(r->p->host, name) == -1)
		rc = throw(r, "No MSFT_ScheduledTask objects found with "
		    "property 'TaskName' equal to '%s'.", leaf);
	else
		r->p->wrote = 1;
	free(name);
	return rc;
}

/* --- the statements ------------------------------------------------------ */

enum op {
	OP_SET_DWORD, OP_SET_SZ, OP_WSMAN_SET, OP_WSMAN_SET_TEXT,
	OP_CHECK_DWORD, OP_CHECK_SZ,
	OP_WSMAN_CHECK, OP_CLEAR_KEY, OP_NEW_KEY, OP_DEL_VALUE_QUIET,
	OP_THROW_IF_KEY, OP_THROW_IF_VALUE, OP_ADSI_REMOVE, OP_ENSURE_KEY,
	OP_DEL_VALUE, OP_UNREGISTER, OP_EXIT,
};

static const struct stmt {
	enum op		 op;
	const char	*tmpl;
} stmts[] = {
	{ OP_SET_DWORD, "New-ItemProperty -LiteralPath " Q " -Name " Q
	    " -PropertyType DWord -Value " D " -Force|Out-Null" },
	{ OP_SET_SZ, "New-ItemProperty -LiteralPath " Q " -Name " Q
	    " -PropertyType String -Value " Q " -Force|Out-Null" },
	{ OP_WSMAN_SET, "if((Get-Service -Name 'WinRM').Status -eq 'Running')"
	    "{try{Set-Item -LiteralPath " Q " -Value $false -Force}catch{"
	    "Restart-Service -Name 'WinRM' -Force}}" },
	{ OP_WSMAN_SET_TEXT, "if((Get-Service -Name 'WinRM').Status -eq "
	    "'Running'){try{Set-Item -LiteralPath " Q " -Value " Q " -Force}"
	    "catch{Restart-Service -Name 'WinRM' -Force}}" },
	{ OP_CHECK_DWORD, "if((Get-ItemProperty -LiteralPath " Q " -Name " Q
	    ")." Q " -ne " D "){throw " Q "}" },
	{ OP_CHECK_SZ, "if((Get-ItemProperty -LiteralPath " Q " -Name " Q
	    ")." Q " -ne " Q "){throw " Q "}" },
	{ OP_WSMAN_CHECK, "if((Get-Service -Name 'WinRM').Status -eq "
	    "'Running' -and (Get-Item -LiteralPath " Q ").Value -ne " Q ")"
	    "{throw " Q "}" },
	{ OP_CLEAR_KEY, "if(Test-Path -LiteralPath " Q "){Remove-Item "
	    "-LiteralPath " Q " -Recurse -Force}" },
	{ OP_NEW_KEY, "New-Item -Path " Q " -Force|Out-Null" },
	{ OP_DEL_VALUE_QUIET, "Remove-ItemProperty -LiteralPath " Q " -Name "
	    Q " -ErrorAction SilentlyContinue" },
	{ OP_THROW_IF_KEY, "if(Test-Path -LiteralPath " Q "){throw " Q "}" },
	{ OP_THROW_IF_VALUE, "if($null -ne (Get-Item -LiteralPath " Q ")."
	    "GetValue(" Q ")){throw " Q "}" },
	{ OP_ADSI_REMOVE, "try{$g=[ADSI]('WinNT://'+$env:COMPUTERNAME+'/'+" G
	    "+',group');$g.Remove('WinNT://'+" S ")}catch{$e=$_.Exception;"
	    "while($e.InnerException){$e=$e.InnerException};if(($e.HResult "
	    "-band 0xFFFF) -ne 1377){throw}}" },
	{ OP_ENSURE_KEY, "if(-not(Test-Path -LiteralPath " Q ")){New-Item "
	    "-Path " Q " -Force|Out-Null}" },
	{ OP_DEL_VALUE, "Remove-ItemProperty -LiteralPath " Q " -Name " Q },
	{ OP_UNREGISTER, "Unregister-ScheduledTask -TaskPath " Q " -TaskName "
	    Q " -Confirm:$false" },
	{ OP_EXIT, "exit " D },
};

static const struct stmt *
parse(const char *line, struct caps *c)
{
	size_t i;

	for (i = 0; i < nitems(stmts); i++) {
		if (match(line, stmts[i].tmpl, c))
			return &stmts[i];
		caps_release(c, 0);
	}
	return NULL;
}

static int
reg_exists(struct run *r, const char *path)
{
	const char *k = hklm(path);

	return k != NULL && sim_reg_key(r->p->host, k, 0) != NULL;
}

static int
thrown_if(struct run *r, int cond, const char *why)
{
	if (cond < 0)
		return -1;
	return cond ? throw(r, "%s", why) : 0;
}

static int
exec_reg(struct run *r, enum op op, char **v)
{
	struct sim_reg_key *key;

	switch (op) {
	case OP_SET_DWORD:
		return set_value(r, v[0], v[1], 1, v[2]);
	case OP_SET_SZ:
		return set_value(r, v[0], v[1], 0, v[2]);
	case OP_CHECK_DWORD:
		return thrown_if(r, value_differs(r, v[0], v[1], v[3], 1), v[4]);
	case OP_CHECK_SZ:
		return thrown_if(r, value_differs(r, v[0], v[1], v[3], 0), v[4]);
	case OP_CLEAR_KEY:
		if (reg_exists(r, v[0])) {
			sim_reg_delete_key(r->p->host, hklm(v[1]));
			r->p->wrote = 1;
		}
		return 0;
	case OP_ENSURE_KEY:
		if (reg_exists(r, v[0]))
			return 0;
		/* FALLTHROUGH */
	case OP_NEW_KEY:
		if (hklm(v[op == OP_NEW_KEY ? 0 : 1]) == NULL)
			return throw(r, "Cannot find drive for '%s'.", v[0]);
		sim_reg_key(r->p->host, hklm(v[op == OP_NEW_KEY ? 0 : 1]), 1);
		r->p->wrote = 1;
		return 0;
	case OP_DEL_VALUE_QUIET:
	case OP_DEL_VALUE:
		return remove_value(r, v[0], v[1], op == OP_DEL_VALUE_QUIET);
	case OP_THROW_IF_KEY:
		return thrown_if(r, reg_exists(r, v[0]), v[1]);
	case OP_THROW_IF_VALUE:
		if ((key = reg_key(r, v[0])) == NULL)
			return -1;
		return thrown_if(r, sim_reg_value(key, v[1], 0) != NULL, v[2]);
	default:
		return throw(r, "winrm-sim: not a registry statement%s", "");
	}
}

static int
exec(struct run *r, const struct stmt *st, struct caps *c)
{
	struct wsman_setting w;
	char *have;
	int rc;

	switch (st->op) {
	case OP_WSMAN_SET:
	case OP_WSMAN_SET_TEXT:
		if (winrm_running(r->p->host) && wsman_set(r, c->v[0],
		    st->op == OP_WSMAN_SET ? "false" : c->v[1]) == -1) {
			buf_reset(&r->why);
			restart_winrm(r);
		}
		return 0;
	case OP_WSMAN_CHECK:
		if (!winrm_running(r->p->host))
			return 0;
		if (!wsman_path(r->p->host, c->v[0], &w))
			return throw(r, "Cannot find path '%s'.", c->v[0]);
		have = wsman_text(&w, 0);
		rc = strcasecmp(have, c->v[1]) != 0 ? throw(r, "%s", c->v[2]) :
		    0;
		free(have);
		return rc;
	case OP_ADSI_REMOVE:
		return adsi_remove(r, c);
	case OP_UNREGISTER:
		return unregister(r, c->v[0], c->v[1]);
	case OP_EXIT:
		r->code = atoi(c->v[0]);
		return 1;
	default:
		return exec_reg(r, st->op, c->v);
	}
}

/* Lines from..to-1, each once; stops at a throw or an exit. */
static int
run_lines(struct run *r, char **lines, size_t from, size_t to)
{
	struct caps c = { { NULL }, 0 };
	const struct stmt *st;
	size_t i;
	int rc = 0;

	for (i = from; i < to && rc == 0; i++) {
		st = parse(lines[i], &c);
		rc = exec(r, st, &c);
		caps_release(&c, 0);
	}
	return rc;
}

/* --- the script's frame --------------------------------------------------- */

#define GUARD	"if([DateTime]::UtcNow -lt [DateTime]::Parse(" Q \
	",[Globalization.CultureInfo]::InvariantCulture,[Globalization." \
	"DateTimeStyles]::AdjustToUniversal)){exit 0}"
#define LOOP	"for($try=1;;$try++){try{"
#define CATCH	"break}catch{[Console]::Error.WriteLine($_.Exception.Message);" \
	"if($try -ge " D "){exit 1};Start-Sleep -Seconds " D "}}"

struct frame {
	char	**lines;
	size_t	  n;
	time_t	  due;
	size_t	  steps, catch;	/* first step line, the catch line */
	int	  tries;
};

/* Every line known, or the whole script is refused (a parse error). */
static int
frame_parse(struct frame *f, char *text)
{
	struct caps c = { { NULL }, 0 };
	char *p, *nl;
	size_t i;
	int rc = -1;

	memset(f, 0, sizeof(*f));
	for (p = text; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		f->lines = xreallocarray(f->lines, f->n + 1, sizeof(char *));
		f->lines[f->n++] = xstrndup(p, (size_t)(nl - p));
		if (*nl == '\0')
			break;
	}
	if (f->n < 4 || strcmp(f->lines[0], STOP) != 0 ||
	    !match(f->lines[1], GUARD, &c) || sim_time_parse(c.v[0],
	    &f->due) == -1 || strcmp(f->lines[2], LOOP) != 0)
		goto out;
	caps_release(&c, 0);
	f->steps = 3;
	for (i = 3; i < f->n && !match(f->lines[i], CATCH, &c); i++) {
		caps_release(&c, 0);
		if (parse(f->lines[i], &c) == NULL)
			goto out;
		caps_release(&c, 0);
	}
	if (i == f->n)
		goto out;
	f->catch = i;
	f->tries = atoi(c.v[0]);
	caps_release(&c, 0);
	for (i = f->catch + 1; i < f->n; i++) {
		if (parse(f->lines[i], &c) == NULL)
			goto out;
		caps_release(&c, 0);
	}
	rc = 0;
out:
	caps_release(&c, 0);
	return rc;
}

static void
frame_release(struct frame *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->lines[i]);
	free(f->lines);
}

/* The fail-safe's script; the exit code.  Start-Sleep takes no time here. */
static int
failsafe_script(struct sim_prog *p, char *text)
{
	struct run r = { p, BUF_INIT, 0 };
	struct frame f;
	int try, rc;

	if (frame_parse(&f, text) == -1) {
		sim_prog_err(p, "winrm-sim: powershell: fail-safe script not "
		    "modelled\r\n");
		frame_release(&f);
		return 1;
	}
	if (sim_now(p->host) < f.due) {
		frame_release(&f);
		return 0;
	}
	for (try = 1;; try++) {
		if ((rc = run_lines(&r, f.lines, f.steps, f.catch)) == 0)
			break;
		sim_prog_err(p, "%s\r\n", buf_cstr(&r.why));
		buf_reset(&r.why);
		if (try >= f.tries) {
			r.code = 1;
			goto out;
		}
	}
	/* Uncaught, a throw ends the script with 1. */
	if ((rc = run_lines(&r, f.lines, f.catch + 1, f.n)) == -1) {
		sim_prog_err(p, "%s\r\n", buf_cstr(&r.why));
		r.code = 1;
	}
out:
	buf_release(&r.why);
	frame_release(&f);
	return r.code;
}

/* --- the enforcer's other scripts ----------------------------------------- */

#define LIST	"Get-ScheduledTask -TaskPath '\\enforcer\\' -ErrorAction " \
	"SilentlyContinue|ForEach-Object{'{0} {1}' -f ($_|" \
	"Get-ScheduledTaskInfo).LastTaskResult,$_.TaskName}"
#define REGISTER STOP ";Register-ScheduledTask -TaskPath " Q " -TaskName " Q \
	" -Xml " Q " -Force|Out-Null"
#define LOADER	STOP ";iex (Get-ItemProperty -LiteralPath " Q " -Name " Q ")." Q

/* LastTaskResult is a UInt32: an HRESULT prints as its unsigned value. */
static void
list_tasks(struct sim_prog *p)
{
	const struct sim_task *t;
	size_t i;

	for (i = 0; i < p->host->ntasks; i++) {
		t = &p->host->tasks[i];
		if (strncasecmp(t->name, "\\enforcer\\", 10) != 0 ||
		    strchr(t->name + 10, '\\') != NULL)
			continue;
		sim_prog_out(p, "%lu %s\r\n", strtoul(t->last_result, NULL,
		    10) & 0xffffffffUL, t->name + 10);
	}
}

static int
load_and_run(struct sim_prog *p, struct caps *c)
{
	struct sim_reg_key *key;
	struct sim_reg_value *v;
	char *text;
	int rc;

	key = hklm(c->v[0]) != NULL ? sim_reg_key(p->host, hklm(c->v[0]), 0) :
	    NULL;
	v = key != NULL ? sim_reg_value(key, c->v[1], 0) : NULL;
	if (v == NULL || v->sz == NULL || strcmp(c->v[1], c->v[2]) != 0) {
		sim_prog_err(p, "Property %s does not exist at path %s.\r\n",
		    c->v[1], c->v[0]);
		return 1;
	}
	text = xstrdup(v->sz);
	rc = failsafe_script(p, text);
	free(text);
	return rc;
}

int
sim_ps_failsafe(struct sim_prog *p, const char *script, int *rc)
{
	struct caps c = { { NULL }, 0 };
	char *name;

	if (strcmp(script, LIST) == 0) {
		list_tasks(p);
		*rc = 0;
		return 1;
	}
	if (match(script, REGISTER, &c)) {
		name = xasprintf("%s%s", c.v[0], c.v[1]);
		*rc = sim_schtasks_register(p, name, c.v[2]);
		free(name);
	} else if (match(script, LOADER, &c))
		*rc = load_and_run(p, &c);
	else {
		caps_release(&c, 0);
		return 0;
	}
	caps_release(&c, 0);
	return 1;
}
