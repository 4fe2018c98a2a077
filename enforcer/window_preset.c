/*
 * window_preset.c: named windows whose values differ by role, built from
 * a few options instead of --hosts and --set.  create-cluster is the
 * Create Cluster wizard's (the guide's first scenario): on the gateway
 * the CredSSP client role, delegating to exactly the cluster's nodes
 * (wsman/FQDN and wsman/SHORT, the two names WAC may use), and optionally
 * a member of the group WAC lets use CredSSP (docs/windows-behaviour.md,
 * "Windows Admin Center"); on the nodes the
 * server role.  Neither gets the other role: the gateway serves no
 * CredSSP, the nodes delegate nowhere.  The result is an ordinary
 * window's apply map, written to windows/NAME.yaml like any other.
 */
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "window.h"

#define PRESET_GROUP	"Windows Admin Center CredSSP Administrators"

static const char *const window_presets[] = { "create-cluster", NULL };

/* PRESET, or PRESET-SUFFIX: a window's name is taken for good once
 * written (a closed window keeps its file), so the next one needs its own. */
int
window_preset_known(const char *name)
{
	size_t i, n;

	for (i = 0; window_presets[i] != NULL; i++) {
		n = strlen(window_presets[i]);
		if (strncmp(window_presets[i], name, n) == 0 &&
		    (name[n] == '\0' || (name[n] == '-' && name[n + 1] != '\0')))
			return 1;
	}
	return 0;
}

/* The hosts target names (a host or a group), in model order. */
static size_t
window_preset_hosts(const struct model *m, const char *target,
    const struct model_host **out)
{
	size_t i, n = 0;

	for (i = 0; i < m->nhosts; i++)
		if (model_host_match(&m->hosts[i], target))
			out[n++] = &m->hosts[i];
	return n;
}

/* wsman/FQDN and wsman/SHORT of each node. */
static struct node *
window_preset_delegate(const struct model_host *const *nodes, size_t n)
{
	struct node *seq = node_seq();
	char *spn;
	size_t i;

	for (i = 0; i < n; i++) {
		spn = xasprintf("wsman/%s", nodes[i]->name);
		node_seq_push(seq, node_scalar(spn));
		free(spn);
		if (strchr(nodes[i]->name, '.') == NULL)
			continue;
		spn = xasprintf("wsman/%.*s", (int)strcspn(nodes[i]->name, "."),
		    nodes[i]->name);
		node_seq_push(seq, node_scalar(spn));
		free(spn);
	}
	return seq;
}

static struct node *
window_preset_gateway(const struct window_args *a,
    const struct model_host *const *nodes, size_t n)
{
	struct node *body = node_map(), *credssp = node_map(), *client;
	struct node *groups, *grp, *members;

	client = node_map();
	node_map_set(client, "enabled", node_scalar("true"));
	node_map_set(client, "delegate", window_preset_delegate(nodes, n));
	node_map_set(credssp, "client", client);
	node_map_set(body, "credssp", credssp);
	if (a->member != NULL) {
		members = node_seq();
		node_seq_push(members, node_scalar(a->member));
		/* Added to whoever the policies keep there, even under
		 * an exclusive policy: the window replaces no one. */
		grp = node_map();
		node_map_set(grp, "members", members);
		node_map_set(grp, "exclusive", node_scalar("false"));
		groups = node_map();
		node_map_set(groups, a->group != NULL ? a->group :
		    PRESET_GROUP, grp);
		node_map_set(body, "local_group", groups);
	}
	return body;
}

static struct node *
window_preset_node(void)
{
	struct node *body = node_map(), *credssp = node_map(), *server;

	server = node_map();
	node_map_set(server, "enabled", node_scalar("true"));
	node_map_set(credssp, "server", server);
	node_map_set(body, "credssp", credssp);
	return body;
}

int
window_preset_build(const struct window_args *a, const struct model *m,
    struct node **apply, char **hosts, char **cause)
{
	const struct model_host **nodes, *gw;
	size_t n, i;

	*apply = NULL;
	*hosts = NULL;
	if ((gw = doctor_resolve(m, a->gateway, cause)) == NULL)
		return cause_prefix(cause, "--gateway");
	nodes = xcalloc(m->nhosts + 1, sizeof(*nodes));
	n = window_preset_hosts(m, a->nodes, nodes);
	for (i = 0; i < n; i++)
		if (nodes[i] == gw) {
			free(nodes);
			return cause_set(cause, "--nodes: '%s' includes the "
			    "gateway %s", a->nodes, gw->name);
		}
	if (n == 0) {
		free(nodes);
		return cause_set(cause, "--nodes: '%s' is no host or group "
		    "with hosts", a->nodes);
	}
	*apply = node_map();
	node_map_set(*apply, gw->name, window_preset_gateway(a, nodes, n));
	node_map_set(*apply, a->nodes, window_preset_node());
	*hosts = xasprintf("%s,%s", gw->name, a->nodes);
	free(nodes);
	return 0;
}
