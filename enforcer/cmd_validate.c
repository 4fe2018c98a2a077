/*
 * cmd_validate.c: enforcer validate [--json] [PATH]: load the desired
 * state with every check, check the files it names, list the hosts no
 * policy targets; touch no host.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "confdir.h"
#include "filerefs.h"
#include "json.h"
#include "model.h"

static void
cmd_validate_usage(FILE *fp, const void *arg)
{
	fprintf(fp,
	    "usage: %s validate [--json] [--no-file-check] [PATH]\n"
	    "\n"
	    "Check the desired state in PATH (a YAML file, or a directory whose\n"
	    "*.yaml files are merged; default /etc/enforcer/desired/, else\n"
	    "/etc/enforcer/enforcer.conf) against the schema and the format's\n"
	    "rules, and check that every file it names (ca_file, password_file,\n"
	    "...) is readable, secrets owner-only, without contacting any host.\n"
	    "Prints a one-line summary and the hosts no policy targets, or every\n"
	    "error as file:line:col: message on stderr.\n"
	    "\n"
	    "  --json   the result as one JSON object on stdout (docs/json.md)\n"
	    "  --no-file-check  do not check the files it names: validating\n"
	    "           on another machine than the control node (a CI job)\n"
	    "\n"
	    "exit status: 0 valid, 1 invalid or bad usage\n", cmd_progname);
}

static const char *
cmd_validate_plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Hosts that no policy targets (windows aside): likely a forgotten group. */
struct cmd_validate_names {
	const char	**v;		/* borrowed from the model */
	size_t		  n;
};

static void
cmd_validate_untargeted(const struct model *m, struct cmd_validate_names *out)
{
	size_t i, j;

	for (i = 0; i < m->nhosts; i++) {
		for (j = 0; j < m->npolicies; j++)
			if (model_rule_targets(&m->policies[j], &m->hosts[i]))
				break;
		if (j < m->npolicies)
			continue;
		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = m->hosts[i].name;
	}
}

/* Each host as the model has it: inventories and YAML alike. */
static void
cmd_validate_json_hosts(struct json *j, const struct model *m)
{
	const struct model_host *h;
	size_t i;

	json_key(j, "hosts");
	json_array_begin(j);
	for (i = 0; m != NULL && i < m->nhosts; i++) {
		h = &m->hosts[i];
		json_object_begin(j);
		json_kv_string(j, "name", h->name);
		json_kv_strings(j, "groups", h->groups, h->ngroups);
		json_kv_string(j, "address", h->conn.address);
		json_kv_int(j, "port", h->conn.port);
		json_object_end(j);
	}
	json_array_end(j);
}

static void
cmd_validate_json(const char *path, const struct model *m,
    const struct errors *errs, const struct cmd_validate_names *untargeted)
{
	struct buf out = BUF_INIT;
	struct json j;

	json_init_style(&j, &out, JSON_SPACED);
	json_object_begin(&j);
	json_kv_int(&j, "version", 1);
	json_kv_string(&j, "path", path);
	json_kv_bool(&j, "valid", errs->n == 0);
	cmd_validate_json_hosts(&j, m);
	json_kv_int(&j, "policies", m != NULL ? (long long)m->npolicies : 0);
	json_kv_int(&j, "windows", m != NULL ? (long long)m->nwindows : 0);
	json_kv_strings(&j, "errors", (const char *const *)errs->msg,
	    errs->n);
	json_kv_strings(&j, "warnings", m != NULL ?
	    (const char *const *)m->warnings.msg : NULL,
	    m != NULL ? m->warnings.n : 0);
	json_kv_strings(&j, "untargeted", untargeted->v, untargeted->n);
	json_object_end(&j);
	buf_putc(&out, '\n');
	fputs(buf_cstr(&out), stdout);
	buf_release(&out);
}

static void
cmd_validate_text(const char *path, const struct model *m,
    const struct cmd_validate_names *untargeted)
{
	size_t i;

	for (i = 0; i < m->warnings.n; i++)
		fprintf(stderr, "%s\n", m->warnings.msg[i]);
	printf("%s: ok (%zu %s, %zu %s, %zu %s)\n", path, m->nhosts,
	    cmd_validate_plural(m->nhosts, "host", "hosts"), m->npolicies,
	    cmd_validate_plural(m->npolicies, "policy", "policies"),
	    m->nwindows, cmd_validate_plural(m->nwindows, "window", "windows"));
	for (i = 0; i < untargeted->n; i++)
		printf("%s: host '%s': no policy targets it\n", path,
		    untargeted->v[i]);
}

int
cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "no-file-check", no_argument, NULL, 'F' },
		CMD_OPTS_END,
	};
	struct errors errs = ERRORS_INIT;
	struct cmd_validate_names untargeted = { NULL, 0 };
	struct model *m = NULL;
	int json = 0, no_file_check = 0;
	const struct cmd_store store[] = {
		{ 'j', NULL, &json },
		{ 'F', NULL, &no_file_check },
		{ 0, NULL, NULL },
	};
	const struct cmd_parser p = { "validate", opts, NULL, store,
	    cmd_validate_usage, NULL, NULL };
	const char *path;
	int rc = EXIT_ERROR;

	if (cmd_operands(&p, argc, argv, 0, 1) == -1)
		return EXIT_ERROR;
	path = optind < argc ? argv[optind] : confdir_desired();
	if (model_load(&m, path, &errs) == 0) {
		if (!no_file_check)
			filerefs_check(m, &errs);
		cmd_validate_untargeted(m, &untargeted);
	}
	if (json)
		cmd_validate_json(path, m, &errs, &untargeted);
	else if (errs.n > 0)
		cmd_errors("validate", &errs, NULL);
	else
		cmd_validate_text(path, m, &untargeted);
	if (errs.n == 0)
		rc = EXIT_OK;
	free(untargeted.v);
	errors_clear(&errs);
	model_free(m);
	return rc;
}
