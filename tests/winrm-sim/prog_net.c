/*
 * prog_net.c: net.exe: localgroup (list, show, create, delete, members
 * /add and /delete) and start / stop, with net's texts and exit codes
 * (errors on stderr, exit 2; syntax errors exit 1).  The localgroup texts
 * are in the host's display language (lang.c); start / stop stay English.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

#define DASHES	"-------------------------------------------------------------" \
		"------------------"
#define DONE	"The command completed successfully.\r\n\r\n"
#define T(p, t)	sim_lang_text((p)->host, (t))

/* One of net's error texts with its one %d or %s replaced by arg. */
static void
say_err(struct sim_prog *p, enum sim_text t, const char *arg)
{
	const char *s = T(p, t), *pct = strchr(s, '%');

	if (pct == NULL)
		sim_prog_err(p, "%s\r\n\r\n", s);
	else
		sim_prog_err(p, "%.*s%s%s\r\n\r\n", (int)(pct - s), s, arg,
		    pct + 2);
}

static int
system_error(struct sim_prog *p, int code, const char *text)
{
	char num[16];

	snprintf(num, sizeof(num), "%d", code);
	say_err(p, SIM_T_SYSERR, num);
	sim_prog_err(p, "%s\r\n\r\n", text);
	return 2;
}

static void
done(struct sim_prog *p)
{
	sim_prog_out(p, "%s\r\n\r\n", T(p, SIM_T_DONE));
}

static int
helpmsg(struct sim_prog *p, int code, const char *text)
{
	sim_prog_err(p, "%s\r\n\r\nMore help is available by typing NET "
	    "HELPMSG %d.\r\n\r\n", text, code);
	return 2;
}

static int
access_denied(struct sim_prog *p)
{
	return system_error(p, 5, T(p, SIM_T_ACCESS_DENIED));
}

static int
syntax(struct sim_prog *p, const char *usage)
{
	sim_prog_out(p, "The syntax of this command is:\r\n\r\n%s\r\n", usage);
	return 1;
}

static const char net_usage[] =
    "NET\r\n"
    "    [ ACCOUNTS | COMPUTER | CONFIG | CONTINUE | FILE | GROUP | HELP |\r\n"
    "      HELPMSG | LOCALGROUP | PAUSE | SESSION | SHARE | START |\r\n"
    "      STATISTICS | STOP | TIME | USE | USER | VIEW ]\r\n";

static const char localgroup_usage[] =
    "NET LOCALGROUP\r\n"
    "[groupname [/COMMENT:\"text\"]] [/DOMAIN]\r\n"
    "              groupname {/ADD [/COMMENT:\"text\"] | /DELETE}  "
    "[/DOMAIN]\r\n"
    "              groupname name [...] {/ADD | /DELETE} [/DOMAIN]\r\n";

/* --- localgroup --------------------------------------------------------- */

static int
cmp_name(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

static int
group_list(struct sim_prog *p)
{
	char nb[16], **names;
	size_t i;

	sim_host_netbios(p->host, nb);
	names = xcalloc(p->host->ngroups + 1, sizeof(*names));
	for (i = 0; i < p->host->ngroups; i++)
		names[i] = p->host->groups[i].name;
	qsort(names, p->host->ngroups, sizeof(*names), cmp_name);
	sim_prog_out(p, "\r\nAliases for \\\\%s\r\n\r\n" DASHES "\r\n", nb);
	for (i = 0; i < p->host->ngroups; i++)
		sim_prog_out(p, "*%s\r\n", names[i]);
	done(p);
	free(names);
	return 0;
}

static int
group_show(struct sim_prog *p, const struct sim_group *g)
{
	size_t i;

	sim_prog_out(p, "%-15s%s\r\n%-15s%s\r\n\r\n%s\r\n\r\n" DASHES
	    "\r\n", T(p, SIM_T_ALIAS), g->name, T(p, SIM_T_COMMENT),
	    g->comment, T(p, SIM_T_MEMBERS));
	for (i = 0; i < g->nmembers; i++)
		sim_prog_out(p, "%s\r\n", g->members[i]);
	done(p);
	return 0;
}

/* "/comment:text" (quotes already removed by the word splitter). */
static const char *
comment_option(struct sim_prog *p)
{
	int i;

	for (i = 2; i < p->argc; i++)
		if (strncasecmp(p->argv[i], "/comment:", 9) == 0)
			return p->argv[i] + 9;
	return NULL;
}

static int
group_create_delete(struct sim_prog *p, const char *name, int add)
{
	const char *comment = comment_option(p);

	if (!p->admin)
		return access_denied(p);
	if (add) {
		if (sim_group(p->host, name) != NULL)
			return system_error(p, 1379,
			    T(p, SIM_T_GROUP_EXISTS));
		sim_group_add(p->host, name, comment != NULL ? comment : "");
	} else if (sim_group_delete(p->host, name) == -1)
		return system_error(p, 1376, T(p, SIM_T_NO_GROUP));
	p->wrote = 1;
	done(p);
	return 0;
}

/*
 * The member a name means: its account's spelling, as Windows stores a
 * SID and shows its name; or, for /delete, an orphan's SID string as the
 * group holds it (unverified: docs/windows-behaviour.md#net-localgroup).
 */
static const char *
member_named(struct sim_prog *p, struct sim_group *g, const char *name,
    int add)
{
	struct sim_account *a;
	int at;

	if ((a = sim_account(p->host, name)) != NULL)
		return a->name;
	if (!add && sim_is_sid(name) && (at = sim_group_find_member(g,
	    name)) >= 0)
		return g->members[at];
	return NULL;
}

/* Unknown names fail before anything changes. */
static int
group_members(struct sim_prog *p, struct sim_group *g, char **names,
    int n, int add)
{
	const char *m;
	char *copy;
	int i, at;

	if (!p->admin)
		return access_denied(p);
	for (i = 0; i < n; i++) {
		if (member_named(p, g, names[i], add) == NULL) {
			say_err(p, SIM_T_NO_ACCOUNT, names[i]);
			say_err(p, SIM_T_HELPMSG, "3783");
			return 2;
		}
	}
	for (i = 0; i < n; i++) {
		copy = xstrdup(member_named(p, g, names[i], add));
		m = copy;
		at = sim_group_find_member(g, m);
		if (add && at >= 0)
			at = -2;
		else if (add)
			sim_group_add_member(g, m);
		else if (at >= 0)
			sim_group_delete_member(g, m);
		free(copy);
		if (at == -2)
			return system_error(p, 1378, T(p, SIM_T_IS_MEMBER));
		if (!add && at < 0)
			return system_error(p, 1377, T(p, SIM_T_NOT_MEMBER));
		p->wrote = 1;
	}
	done(p);
	return 0;
}

static int
localgroup(struct sim_prog *p)
{
	struct sim_group *g;
	char **names;
	int i, n = 0, add = 0, del = 0, rc;

	names = xcalloc((size_t)p->argc, sizeof(*names));
	for (i = 2; i < p->argc; i++) {
		if (strcasecmp(p->argv[i], "/add") == 0)
			add = 1;
		else if (strcasecmp(p->argv[i], "/delete") == 0)
			del = 1;
		else if (strncasecmp(p->argv[i], "/comment:", 9) == 0 ||
		    strcasecmp(p->argv[i], "/domain") == 0)
			continue;
		else if (p->argv[i][0] == '/') {
			add = del = 1;	/* an unknown option: syntax */
			break;
		} else
			names[n++] = p->argv[i];
	}
	if (add && del) {
		rc = syntax(p, localgroup_usage);
		goto out;
	}
	if (n == 0) {
		rc = add || del ? syntax(p, localgroup_usage) : group_list(p);
		goto out;
	}
	if (n == 1 && (add || del)) {
		rc = group_create_delete(p, names[0], add);
		goto out;
	}
	if ((g = sim_group(p->host, names[0])) == NULL)
		rc = system_error(p, 1376, T(p, SIM_T_NO_GROUP));
	else if (n == 1)
		rc = group_show(p, g);
	else if (!add && !del)
		rc = syntax(p, localgroup_usage);
	else
		rc = group_members(p, g, names + 1, n - 1, add);
out:
	free(names);
	return rc;
}

/* --- start / stop ------------------------------------------------------- */

/* By service name or display name, as net accepts both. */
static struct sim_service *
service_find(struct sim_host *h, const char *name)
{
	struct sim_service *s;
	size_t i;

	if ((s = sim_service(h, name)) != NULL)
		return s;
	for (i = 0; i < h->nservices; i++)
		if (strcasecmp(h->services[i].display_name, name) == 0)
			return &h->services[i];
	return NULL;
}

static int
cmp_display(const void *a, const void *b)
{
	const struct sim_service *x = *(struct sim_service *const *)a;
	const struct sim_service *y = *(struct sim_service *const *)b;

	return strcasecmp(x->display_name, y->display_name);
}

static int
started_list(struct sim_prog *p)
{
	struct sim_service **v;
	size_t i, n = 0;

	v = xcalloc(p->host->nservices + 1, sizeof(*v));
	for (i = 0; i < p->host->nservices; i++)
		if (strcasecmp(p->host->services[i].state, "Running") == 0)
			v[n++] = &p->host->services[i];
	qsort(v, n, sizeof(*v), cmp_display);
	sim_prog_out(p, "These Windows services are started:\r\n\r\n");
	for (i = 0; i < n; i++)
		sim_prog_out(p, "   %s\r\n", v[i]->display_name);
	sim_prog_out(p, "\r\n" DONE);
	free(v);
	return 0;
}

static int
start_stop(struct sim_prog *p, int start)
{
	struct sim_service *s;
	int running;

	if (p->argc < 3)
		return start ? started_list(p) :
		    syntax(p, "NET STOP\r\nservice\r\n");
	if ((s = service_find(p->host, p->argv[2])) == NULL)
		return helpmsg(p, 2185, "The service name is invalid.");
	if (!p->admin)
		return access_denied(p);
	running = strcasecmp(s->state, "Running") == 0;
	if (start && running)
		return helpmsg(p, 2182,
		    "The requested service has already been started.");
	if (!start && !running) {
		sim_prog_err(p, "The %s service is not started.\r\n\r\n"
		    "More help is available by typing NET HELPMSG 3521.\r\n"
		    "\r\n", s->display_name);
		return 2;
	}
	if (start && strcasecmp(s->start_mode, "Disabled") == 0)
		return system_error(p, 1058, "The service cannot be started, "
		    "either because it is disabled or because it has no "
		    "enabled devices associated with it.");
	sim_prog_out(p, "The %s service is %s.\r\n", s->display_name,
	    start ? "starting" : "stopping");
	sim_prog_out(p, "The %s service was %s successfully.\r\n\r\n",
	    s->display_name, start ? "started" : "stopped");
	sim_service_set_state(p->host, s, start ? "Running" : "Stopped");
	p->wrote = 1;
	return 0;
}

int
sim_prog_net(struct sim_prog *p)
{
	const char *sub = p->argc > 1 ? p->argv[1] : "";

	if (strcasecmp(sub, "localgroup") == 0)
		return localgroup(p);
	if (strcasecmp(sub, "start") == 0)
		return start_stop(p, 1);
	if (strcasecmp(sub, "stop") == 0)
		return start_stop(p, 0);
	return syntax(p, net_usage);
}
