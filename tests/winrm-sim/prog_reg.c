/*
 * prog_reg.c: reg.exe query, add and delete on HKEY_LOCAL_MACHINE, with
 * reg's output layout (as Wine's reg conformance tests record it from
 * Windows), its ERROR: texts on stderr and exit code 1.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

#define NOT_FOUND "ERROR: The system was unable to find the specified " \
		  "registry key or value.\r\n"
#define SUCCESS   "The operation completed successfully.\r\n"

/* The parsed options of one reg command. */
struct regopt {
	char		*path;		/* below HKLM, "" for the root */
	char		*display;	/* "HKEY_LOCAL_MACHINE\\..." as typed */
	const char	*value;		/* /v */
	int		 ve, va, s, f;
	const char	*type;		/* /t */
	const char	*data;		/* /d */
	char		 sep;		/* /s for add */
};

static int
usage(struct sim_prog *p, const char *op)
{
	sim_prog_err(p, "ERROR: Invalid syntax.\r\nType \"REG %s /?\" for "
	    "usage.\r\n", op);
	return 1;
}

/* "HKLM\X", "HKEY_LOCAL_MACHINE\X" or the root alone; other hives fail. */
static int
parse_key(const char *arg, struct regopt *o)
{
	static const char *const roots[] = { "HKLM", "HKEY_LOCAL_MACHINE" };
	size_t i, n, len;

	for (i = 0; i < nitems(roots); i++) {
		n = strlen(roots[i]);
		if (strncasecmp(arg, roots[i], n) == 0 &&
		    (arg[n] == '\0' || arg[n] == '\\'))
			break;
	}
	if (i == nitems(roots))
		return -1;
	arg += n;
	arg += strspn(arg, "\\");
	len = strlen(arg);
	while (len > 0 && arg[len - 1] == '\\')
		len--;
	o->path = xstrndup(arg, len);
	o->display = len > 0 ? xasprintf("HKEY_LOCAL_MACHINE\\%s", o->path) :
	    xstrdup("HKEY_LOCAL_MACHINE");
	return 0;
}

/* Options after the key; "allowed" lists the letters this op takes. */
static int
parse_options(struct sim_prog *p, struct regopt *o, const char *allowed)
{
	const char *a;
	char c;
	int i;

	for (i = 3; i < p->argc; i++) {
		a = p->argv[i];
		if (a[0] != '/' && a[0] != '-')
			return -1;
		if (strcasecmp(a + 1, "ve") == 0 && strchr(allowed, 'e'))
			o->ve++;
		else if (strcasecmp(a + 1, "va") == 0 && strchr(allowed, 'a'))
			o->va++;
		else if (a[1] == '\0' || a[2] != '\0' ||
		    strchr(allowed, c = (char)tolower((unsigned char)a[1])) ==
		    NULL)
			return -1;
		else if (c == 'f' || (c == 's' && strchr(allowed, 'S')))
			*(c == 'f' ? &o->f : &o->s) += 1;
		else if (i + 1 >= p->argc)
			return -1;
		else if (c == 'v' && o->value == NULL)
			o->value = p->argv[++i];
		else if (c == 't' && o->type == NULL)
			o->type = p->argv[++i];
		else if (c == 'd' && o->data == NULL)
			o->data = p->argv[++i];
		else if (c == 's' && o->sep == '\0' && strlen(p->argv[i + 1]) == 1)
			o->sep = p->argv[++i][0];
		else
			return -1;
	}
	if (o->ve > 1 || o->va > 1 || o->f > 1 || o->s > 1 ||
	    (o->value != NULL) + (o->ve > 0) + (o->va > 0) > 1)
		return -1;
	return 0;
}

/* --- query -------------------------------------------------------------- */

static void
print_value(struct sim_prog *p, const struct sim_reg_value *v)
{
	size_t i;

	sim_prog_out(p, "    %s    %s    ", *v->name ? v->name : "(Default)",
	    sim_reg_type_name(v->type) ? sim_reg_type_name(v->type) :
	    "REG_NONE");
	switch (v->type) {
	case SIM_REG_DWORD:
	case SIM_REG_QWORD:
		sim_prog_out(p, "0x%llx", (unsigned long long)v->num);
		break;
	case SIM_REG_MULTI_SZ:
		for (i = 0; i < v->nmulti; i++)
			sim_prog_out(p, "%s%s", i ? "\\0" : "", v->multi[i]);
		break;
	default:
		sim_prog_out(p, "%s", v->sz != NULL ? v->sz : "");
	}
	sim_prog_out(p, "\r\n");
}

static char *
child(const char *path, const char *name)
{
	return *path ? xasprintf("%s\\%s", path, name) : xstrdup(name);
}

static void
free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* One key: header and values when it has any, then its subkeys. */
static void
query_all(struct sim_prog *p, const char *path, const char *display,
    int recurse, int recursing)
{
	struct sim_reg_key *k = sim_reg_key(p->host, path, 0);
	char **names, *sub, *subdisp;
	size_t i, n, nvalues = k != NULL ? k->nvalues : 0;

	if (nvalues > 0 || recursing)
		sim_prog_out(p, "%s\r\n", display);
	for (i = 0; i < nvalues; i++)
		print_value(p, &k->values[i]);
	if (nvalues > 0 || recursing)
		sim_prog_out(p, "\r\n");
	n = sim_reg_subkeys(p->host, path, &names);
	for (i = 0; i < n; i++) {
		subdisp = xasprintf("%s\\%s", display, names[i]);
		if (recurse) {
			sub = child(path, names[i]);
			query_all(p, sub, subdisp, 1, 1);
			free(sub);
		} else
			sim_prog_out(p, "%s\r\n", subdisp);
		free(subdisp);
	}
	free_names(names, n);
}

static int
query_value(struct sim_prog *p, const struct regopt *o)
{
	struct sim_reg_key *k = sim_reg_key(p->host, o->path, 0);
	struct sim_reg_value *v;
	const char *name = o->value != NULL ? o->value : "";

	v = k != NULL ? sim_reg_value(k, name, 0) : NULL;
	if (v == NULL && o->value != NULL) {
		sim_prog_err(p, NOT_FOUND);
		return 1;
	}
	sim_prog_out(p, "\r\n%s\r\n", o->display);
	if (v != NULL)
		print_value(p, v);
	else
		sim_prog_out(p, "    (Default)    REG_SZ    (value not set)\r\n");
	sim_prog_out(p, "\r\n");
	return 0;
}

static int
query(struct sim_prog *p, struct regopt *o)
{
	if (parse_options(p, o, "vesS") == -1 || o->va)
		return usage(p, "QUERY");
	if (*o->path != '\0' && sim_reg_key(p->host, o->path, 0) == NULL) {
		sim_prog_err(p, NOT_FOUND);
		return 1;
	}
	if (o->value != NULL || o->ve)
		return query_value(p, o);
	sim_prog_out(p, "\r\n");
	query_all(p, o->path, o->display, o->s, 0);
	return 0;
}

/* --- add ---------------------------------------------------------------- */

static int
hexval(char c)
{
	if (isdigit((unsigned char)c))
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The value as it would be stored; -1 with reg's message for bad data. */
static int
build_value(struct sim_prog *p, const struct regopt *o, int type,
    struct sim_reg_value *v)
{
	const char *d = o->data != NULL ? o->data : "", *s;
	char sep[3] = { o->sep, '\0', '\0' };
	unsigned long long n;
	char *end, *copy, *item;
	size_t i;

	memset(v, 0, sizeof(*v));
	v->type = type;
	if (type == SIM_REG_DWORD || type == SIM_REG_QWORD) {
		errno = 0;
		n = strtoull(d, &end, d[0] && tolower((unsigned char)d[1]) ==
		    'x' ? 16 : 10);
		if (*d == '\0' || *end != '\0' || *d == '-' || errno != 0 ||
		    (type == SIM_REG_DWORD && n > 0xffffffffULL)) {
			sim_prog_err(p, "ERROR: Invalid syntax. Specify valid "
			    "numeric value for '/d'.\r\nType \"REG ADD /?\" for "
			    "usage.\r\n");
			return -1;
		}
		v->num = n;
	} else if (type == SIM_REG_BINARY) {
		for (i = 0; d[i] != '\0'; i++)
			if (hexval(d[i]) < 0) {
				usage(p, "ADD");
				return -1;
			}
		v->sz = xstrdup(d);
		for (i = 0; v->sz[i] != '\0'; i++)
			v->sz[i] = (char)toupper((unsigned char)v->sz[i]);
	} else if (type == SIM_REG_MULTI_SZ) {
		if (o->sep == '\0')
			memcpy(sep, "\\0", 3);
		copy = xstrdup(d);
		for (s = copy; *s != '\0'; s = item + strlen(sep)) {
			item = strstr(s, sep);
			v->multi = xreallocarray(v->multi, v->nmulti + 1,
			    sizeof(*v->multi));
			v->multi[v->nmulti++] = item ? xstrndup(s,
			    (size_t)(item - s)) : xstrdup(s);
			if (item == NULL)
				break;
		}
		free(copy);
	} else
		v->sz = xstrdup(d);
	return 0;
}

static void
value_release(struct sim_reg_value *v)
{
	size_t i;

	free(v->sz);
	for (i = 0; i < v->nmulti; i++)
		free(v->multi[i]);
	free(v->multi);
}

static int
value_equal(const struct sim_reg_value *a, const struct sim_reg_value *b)
{
	size_t i;

	if (a->type != b->type || a->num != b->num || a->nmulti != b->nmulti)
		return 0;
	if ((a->sz == NULL) != (b->sz == NULL) ||
	    (a->sz != NULL && strcmp(a->sz, b->sz) != 0))
		return 0;
	for (i = 0; i < a->nmulti; i++)
		if (strcmp(a->multi[i], b->multi[i]) != 0)
			return 0;
	return 1;
}

static void
store_value(struct sim_reg_key *k, const char *name,
    const struct sim_reg_value *v)
{
	if (v->type == SIM_REG_DWORD || v->type == SIM_REG_QWORD)
		sim_reg_set_num(k, name, v->type, v->num);
	else if (v->type == SIM_REG_MULTI_SZ)
		sim_reg_set_multi(k, name, v->multi, v->nmulti);
	else
		sim_reg_set_sz(k, name, v->type, v->sz);
}

static int
add(struct sim_prog *p, struct regopt *o)
{
	struct sim_reg_value v, *old;
	struct sim_reg_key *k;
	const char *name;
	int type, rc = 1;

	if (parse_options(p, o, "vetdsf") == -1 || o->va || *o->path == '\0')
		return usage(p, "ADD");
	type = o->type != NULL ? sim_reg_type_parse(o->type) : SIM_REG_SZ;
	if (type == -1 || ((type == SIM_REG_DWORD || type == SIM_REG_QWORD) &&
	    o->data == NULL))
		return usage(p, "ADD");
	if (build_value(p, o, type, &v) == -1)
		return 1;
	name = o->value != NULL ? o->value : "";
	k = sim_reg_key(p->host, o->path, 0);
	old = k != NULL ? sim_reg_value(k, name, 0) : NULL;
	if (!p->admin) {
		sim_prog_err(p, "ERROR: Access is denied.\r\n");
		goto out;
	}
	if (old != NULL && !o->f && (o->value != NULL || o->ve)) {
		/* The prompt gets end of input over a remote shell. */
		sim_prog_out(p, "Value %s exists, overwrite(Yes/No)? ",
		    *name ? name : "(Default)");
		goto out;
	}
	if (k == NULL) {
		k = sim_reg_key(p->host, o->path, 1);
		p->wrote = 1;
	}
	if ((o->value != NULL || o->ve) && (old == NULL ||
	    !value_equal(old, &v))) {
		store_value(k, name, &v);
		p->wrote = 1;
	}
	sim_prog_out(p, SUCCESS);
	rc = 0;
out:
	value_release(&v);
	return rc;
}

/* --- delete ------------------------------------------------------------- */

static int
delete(struct sim_prog *p, struct regopt *o)
{
	struct sim_reg_key *k;
	const char *name;

	if (parse_options(p, o, "veaf") == -1 || *o->path == '\0')
		return usage(p, "DELETE");
	if ((k = sim_reg_key(p->host, o->path, 0)) == NULL) {
		sim_prog_err(p, NOT_FOUND);
		return 1;
	}
	if (!p->admin) {
		sim_prog_err(p, "ERROR: Access is denied.\r\n");
		return 1;
	}
	name = o->value != NULL ? o->value : "";
	if ((o->value != NULL || o->ve) && sim_reg_value(k, name, 0) == NULL) {
		sim_prog_err(p, NOT_FOUND);
		return 1;
	}
	if (!o->f) {
		if (o->value != NULL || o->ve)
			sim_prog_out(p, "Delete the registry value %s "
			    "(Yes/No)? ", *name ? name : "(Default)");
		else if (o->va)
			sim_prog_out(p, "Delete all values under the registry "
			    "key %s (Yes/No)? ", o->display);
		else
			sim_prog_out(p, "Permanently delete the registry key "
			    "%s (Yes/No)? ", o->display);
		return 1;
	}
	if (o->value != NULL || o->ve)
		sim_reg_delete_value(k, name);
	else if (o->va)
		while (k->nvalues > 0)
			sim_reg_delete_value(k, k->values[0].name);
	else
		sim_reg_delete_key(p->host, o->path);
	p->wrote = 1;
	sim_prog_out(p, SUCCESS);
	return 0;
}

int
sim_prog_reg(struct sim_prog *p)
{
	struct regopt o;
	const char *op = p->argc > 1 ? p->argv[1] : "";
	char *upper;
	size_t i;
	int rc;

	memset(&o, 0, sizeof(o));
	if (strcasecmp(op, "query") != 0 && strcasecmp(op, "add") != 0 &&
	    strcasecmp(op, "delete") != 0) {
		sim_prog_err(p, "ERROR: Invalid syntax.\r\nType \"REG /?\" for "
		    "usage.\r\n");
		return 1;
	}
	if (p->argc < 3 || parse_key(p->argv[2], &o) == -1) {
		upper = xstrdup(op);
		for (i = 0; upper[i] != '\0'; i++)
			upper[i] = (char)toupper((unsigned char)upper[i]);
		sim_prog_err(p, "ERROR: Invalid key name.\r\nType \"REG %s /?\" "
		    "for usage.\r\n", upper);
		free(upper);
		return 1;
	}
	if (strcasecmp(op, "query") == 0)
		rc = query(p, &o);
	else if (strcasecmp(op, "add") == 0)
		rc = add(p, &o);
	else
		rc = delete(p, &o);
	free(o.path);
	free(o.display);
	return rc;
}
