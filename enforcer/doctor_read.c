/*
 * doctor_read.c: what enforcer doctor reads from one host.  The kinds'
 * own readers (credssp, trusted_hosts, wsman_listener, domain_trust) give
 * the same observed trees plan shows; beside them, what no kind manages:
 * the CredentialsDelegation policy DWORDs (is a list in effect, are the
 * OS defaults concatenated), the OS build (has the host the CVE-2018-0886
 * update), and the certificate stores as DER (the gateway's Root and CA
 * judge the node's listener certificate, as certstore.c reads My).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certstore.h"
#include "doctor.h"
#include "engine.h"
#include "memo.h"
#include "secret.h"
#include "state.h"
#include "winreg.h"
#include "wsman.h"

#define DOCTOR_CD_KEY	"SOFTWARE\\Policies\\Microsoft\\Windows\\" \
			"CredentialsDelegation"
#define DOCTOR_NT_KEY	"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"

static const char *const doctor_policy_values[] = {
	"AllowFreshCredentials", "ConcatenateDefaults_AllowFresh",
	"AllowFreshCredentialsWhenNTLMOnly",
	"ConcatenateDefaults_AllowFreshNTLMOnly",
};

static int
doctor_read_kind(struct state_ctx *ctx, const char *kind, struct node **out,
    char **cause)
{
	const struct state_ops *ops = state_find(kind);

	if (ops == NULL)
		return cause_set(cause, "%s: no kind '%s'", ctx->host, kind);
	return ops->read(ctx, NULL, out, cause);
}

static int
doctor_read_policy(struct state_ctx *ctx, struct node **out, char **cause)
{
	char num[16];
	uint32_t v;
	size_t i;
	int found;

	*out = node_map();
	for (i = 0; i < nitems(doctor_policy_values); i++) {
		if (winreg_get_dword(ctx->ws, DOCTOR_CD_KEY,
		    doctor_policy_values[i], &v, &found, cause) == -1)
			return -1;
		if (!found)
			continue;
		snprintf(num, sizeof(num), "%u", v);
		node_map_set(*out, doctor_policy_values[i], node_scalar(num));
	}
	return 0;
}

static int
doctor_read_build(struct state_ctx *ctx, struct doctor_facts *f,
    char **cause)
{
	uint32_t ubr;
	int found;

	f->ubr = -1;
	if (winreg_get_string(ctx->ws, DOCTOR_NT_KEY, "CurrentBuildNumber",
	    &f->build, &found, cause) == -1)
		return -1;
	if (winreg_get_dword(ctx->ws, DOCTOR_NT_KEY, "UBR", &ubr, &found,
	    cause) == -1)
		return -1;
	if (found)
		f->ubr = ubr;
	return 0;
}

static int
doctor_read_store(struct state_ctx *ctx, const char *store, char **out,
    char **cause)
{
	struct wsman_cmd r = WSMAN_CMD_INIT;
	char *line, *said;
	int rc = -1;

	line = certstore_command_store(store);
	if (wsman_run(ctx->ws, line, WSMAN_KEEP_SHELL, &r, cause) == -1)
		goto out;
	if (r.exit_code != 0) {
		said = wsman_cmd_said(&r);
		cause_set(cause, "%s: powershell exited %ld: %s", ctx->host,
		    r.exit_code, said);
		free(said);
		goto out;
	}
	*out = xstrdup(buf_cstr(&r.out));
	rc = 0;
out:
	if (rc == -1)
		cause_prefix(cause, "reading LocalMachine\\%s", store);
	wsman_cmd_release(&r);
	free(line);
	return rc;
}

static int
doctor_read_all(struct state_ctx *ctx, struct doctor_facts *f, char **cause)
{
	if (doctor_read_kind(ctx, "credssp", &f->credssp, cause) == -1 ||
	    doctor_read_kind(ctx, "trusted_hosts", &f->trusted_hosts,
	    cause) == -1 ||
	    doctor_read_kind(ctx, "wsman_listener", &f->listener,
	    cause) == -1 ||
	    doctor_read_policy(ctx, &f->policy, cause) == -1 ||
	    doctor_read_build(ctx, f, cause) == -1 ||
	    doctor_read_store(ctx, "My", &f->store_my, cause) == -1 ||
	    doctor_read_store(ctx, "Root", &f->store_root, cause) == -1 ||
	    doctor_read_store(ctx, "CA", &f->store_ca, cause) == -1 ||
	    doctor_read_kind(ctx, "domain_trust", &f->trust, cause) == -1)
		return -1;
	return 0;
}

void
doctor_read(struct doctor_facts *f, const struct model_host *h, time_t now)
{
	struct state_ctx ctx;
	struct wsman_opts wo;
	struct wsman *ws = NULL;
	char *pw = NULL, *cause = NULL;

	memset(f, 0, sizeof(*f));
	f->host = h;
	f->ubr = -1;
	if (engine_wsman_opts(h, &wo, &pw, &cause) == -1 ||
	    wsman_new(&ws, &wo, &cause) == -1)
		goto out;
	memset(&ctx, 0, sizeof(ctx));
	ctx.host = h->name;
	ctx.ws = ws;
	ctx.address = h->conn.address;
	ctx.port = h->conn.http ? 5986 : h->conn.port;
	ctx.ca_file = h->conn.ca_file;
	ctx.now = now;
	/* credssp and trusted_hosts take their parts of one config Get. */
	ctx.memo = memo_new();
	doctor_read_all(&ctx, f, &cause);
	memo_free(ctx.memo);
out:
	if (cause != NULL)
		f->error = cause;
	wsman_free(ws);
	secret_free(pw);
}

void
doctor_facts_release(struct doctor_facts *f)
{
	if (f == NULL)
		return;
	node_free(f->credssp);
	node_free(f->trusted_hosts);
	node_free(f->listener);
	node_free(f->policy);
	node_free(f->trust);
	free(f->build);
	free(f->store_my);
	free(f->store_root);
	free(f->store_ca);
	free(f->error);
	memset(f, 0, sizeof(*f));
}
