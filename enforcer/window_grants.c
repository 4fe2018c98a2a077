/*
 * window_grants.c: the members of local groups that windows grant, for the
 * host-side fail-safe (window_failsafe.c) and for telling whether a
 * window's grants ended.
 *
 * A window grants a member when, at an instant, the effective state lists
 * it in a list that comes from the window and the policies alone
 * (model_effective_base) do not list it: that, and only that, is what the
 * fail-safe task takes out again, as the engine does after the end
 * (effective.c: the group's "absent"), by SID whatever the host's display
 * language (window_script.c).
 */
#include <stdlib.h>
#include <string.h>

#include "timeparse.h"
#include "window_failsafe.h"

#define WINDOW_GRANTS_UNKNOWN_DAYS	7	/* with no state, how far back */

static const struct model_window *
window_grants_window(const struct node *n)
{
	const struct origin *o = n != NULL ? n->origin : NULL;

	return o != NULL && o->kind == ORIGIN_WINDOW ? o->window : NULL;
}

/*
 * {group: [member, ...]}: the members of eff's lists that come from a
 * window (only that one, unless NULL) and that base does not list; each
 * list's origin is the window's.  NULL when there are none.
 */
static struct node *
window_grants_diff(const struct node *eff, const struct node *base,
    const struct model_window *only)
{
	const struct node *groups = node_get(eff, "local_group"), *mem, *was;
	struct node *out = NULL, *seq;
	size_t i, j;

	for (i = 0; groups != NULL && i < groups->npairs; i++) {
		mem = node_get(groups->pairs[i].value, "members");
		if (mem == NULL || window_grants_window(mem) == NULL ||
		    (only != NULL && window_grants_window(mem) != only))
			continue;
		was = node_getv(base, "local_group",
		    groups->pairs[i].key->value, "members", NULL);
		for (j = 0, seq = NULL; j < mem->nitems; j++) {
			if (account_seq_has(was, mem->items[j]->value))
				continue;
			if (seq == NULL) {
				if (out == NULL)
					out = node_map();
				seq = node_seq();
				seq->origin = mem->origin;
				node_map_set(out, groups->pairs[i].key->value,
				    seq);
			}
			node_seq_push(seq, node_scalar(mem->items[j]->value));
		}
	}
	return out;
}

struct node *
window_grants_at(const struct model *m, const struct model_host *h,
    time_t at)
{
	struct node *eff, *base, *out;

	/* A loaded model always has both (on failure they are NULL). */
	(void)model_effective(&eff, m, h, at, NULL);
	(void)model_effective_base(&base, m, h, NULL);
	out = window_grants_diff(eff, base, NULL);
	node_free(eff);
	node_free(base);
	return out;
}

int
window_grants_targets(const struct model *m, const struct model_host *h)
{
	size_t i;

	for (i = 0; i < m->nwindows; i++)
		if (model_window_sets(&m->windows[i], h, "local_group"))
			return 1;
	return 0;
}

int
window_grants_action(struct buf *b, const struct node *grants,
    const char *host, char **cause)
{
	const char *group, *member;
	const struct node *seq;
	size_t i, j;

	for (i = 0; grants != NULL && i < grants->npairs; i++) {
		group = grants->pairs[i].key->value;
		seq = grants->pairs[i].value;
		for (j = 0; j < seq->nitems; j++) {
			member = seq->items[j]->value;
			if (window_script_grant(b, group, member) == -1)
				return cause_set(cause, "%s: failsafe: member "
				    "'%s' of group '%s' cannot be written into "
				    "the fail-safe's script (not UTF-8, or a "
				    "control character)", host, member, group);
		}
	}
	return 0;
}

/*
 * Some member of grants is in state (kind -> tree); with b, each one is
 * also said ("CONTOSO\alice in 'GA'").
 */
static int
window_grants_present(const struct node *grants, const struct node *state,
    struct buf *b)
{
	const struct node *seq, *have;
	size_t i, j;
	int n = 0;

	for (i = 0; i < grants->npairs; i++) {
		seq = grants->pairs[i].value;
		have = node_getv(state, "local_group",
		    grants->pairs[i].key->value, "members", NULL);
		for (j = 0; j < seq->nitems; j++) {
			if (!account_seq_has(have, seq->items[j]->value))
				continue;
			if (b == NULL)
				return 1;
			buf_printf(b, "%s%s in '%s'", n++ > 0 ? ", " : "",
			    seq->items[j]->value, grants->pairs[i].key->value);
		}
	}
	return n > 0;
}

/* What w granted h that the effective state at at does not list. */
static struct node *
window_grants_left(const struct model *m, const struct model_host *h,
    const struct model_window *w, time_t at)
{
	struct node *then, *now, *left;

	(void)model_effective(&then, m, h, w->end - 1, NULL);
	(void)model_effective(&now, m, h, at, NULL);
	left = window_grants_diff(then, now, w);
	node_free(then);
	node_free(now);
	return left;
}

/* One window's part of window_grants_overdue(). */
static void
window_grants_overdue_one(struct buf *b, const struct model *m,
    const struct model_host *h, const struct model_window *w, time_t at,
    const struct node *state, int current)
{
	struct buf who = BUF_INIT;
	struct node *left = window_grants_left(m, h, w, at);
	const char *failed;
	char late[32], *end;

	if (left == NULL || (state != NULL &&
	    !window_grants_present(left, state, &who)) || (state == NULL &&
	    at - w->end > WINDOW_GRANTS_UNKNOWN_DAYS * 86400)) {
		node_free(left);
		buf_release(&who);
		return;
	}
	timeparse_format_duration(at - w->end, late, sizeof(late));
	end = timeparse_hhmm(w->end);
	buf_printf(b, "%s", b->len > 0 ? "; " : "");
	if (state == NULL)
		buf_printf(b, "members granted by window %s may still be there "
		    "%s past its end (%s): not read, no recorded state",
		    w->name, late, end);
	else
		buf_printf(b, "%s %sthere %s past the end of window %s (%s)%s",
		    buf_cstr(&who), current ? "still " : "", late, w->name,
		    end, current ? "" : " as last recorded");
	if (state != NULL && (failed = failsafe_failed(state, w->name)) != NULL)
		buf_printf(b, "; its fail-safe ran and failed (last result %s)",
		    failed);
	free(end);
	node_free(left);
	buf_release(&who);
}

char *
window_grants_overdue(const struct model *m, const struct model_host *h,
    time_t at, const struct node *state, int current)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < m->nwindows; i++)
		if (m->windows[i].end <= at &&
		    model_window_sets(&m->windows[i], h, "local_group"))
			window_grants_overdue_one(&b, m, h, &m->windows[i], at,
			    state, current);
	return b.len > 0 ? buf_detach(&b) : NULL;
}

enum window_failsafe_status
window_grants_status(const struct model *m, const struct model_host *h,
    const struct model_window *w, time_t at, const struct node *state)
{
	enum window_failsafe_status st;
	struct node *left = window_grants_left(m, h, w, at);

	if (left == NULL)
		st = WINDOW_FAILSAFE_NOTHING;
	else if (state == NULL)
		st = WINDOW_FAILSAFE_UNKNOWN;
	else
		st = window_grants_present(left, state, NULL) ?
		    WINDOW_FAILSAFE_ON : WINDOW_FAILSAFE_REVERTED;
	node_free(left);
	return st;
}
