/*
 * oracle.c: what CredSSP's encryption oracle remediation (CVE-2018-0886)
 * lets through between two hosts, as Microsoft's interoperability table
 * says (docs/windows-behaviour.md, "CredSSP delegation").  Whether a host
 * has the update is ground truth (credssp.updated, default true); its
 * level is its AllowEncryptionOracle value (absent on an updated host:
 * Mitigated, the default since the May 2018 update).  The control
 * interface answers GET /hosts/SERVER/credssp_from?client=CLIENT.
 */
#include <string.h>

#include "sim.h"

#define ORACLE_KEY	"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\" \
			"Policies\\System\\CredSSP\\Parameters"

enum { ORACLE_FORCE, ORACLE_MITIGATED, ORACLE_VULNERABLE };

static int
sim_oracle_level(struct sim_host *h)
{
	struct sim_reg_key *k = sim_reg_key(h, ORACLE_KEY, 0);
	struct sim_reg_value *v;

	if (k == NULL || (v = sim_reg_value(k, "AllowEncryptionOracle",
	    0)) == NULL || v->type != SIM_REG_DWORD || v->num > 2)
		return ORACLE_MITIGATED;
	return (int)v->num;
}

const char *
sim_oracle_verdict(struct sim_host *client, struct sim_host *server)
{
	if (client->credssp_updated && !server->credssp_updated &&
	    sim_oracle_level(client) != ORACLE_VULNERABLE)
		return "blocked";
	if (server->credssp_updated && !client->credssp_updated &&
	    sim_oracle_level(server) == ORACLE_FORCE)
		return "blocked";
	return "allowed";
}
