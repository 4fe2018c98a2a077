/*
 * window_failsafe.h: the host-side fail-safe of CredSSP windows
 * (docs/windows.md).
 *
 * While a window turns CredSSP on for a host (a role enabled, delegation
 * entries added, where the policies without windows would not have them),
 * or grants members of a local group (window_grants.c), the host carries
 * a one-shot scheduled task, \enforcer\failsafe-<window>, that turns
 * those things off again, in UTC, even if enforcer never runs again: a
 * dead man's switch, armed no further ahead than a lease
 * (settings.failsafe_lease) and never past the window's end, plus
 * settings.failsafe_grace; each run renews it (window_failsafe_lease()).
 * The engine arms it, and reads it back, before it turns anything on; it
 * removes it only once the revert is verified.
 *
 * The fail-safe is a kind of state like the others, "failsafe", managed by
 * states/failsafe.c (states/failsafe.h shows its tree).  Its desired state
 * is computed here (window_failsafe.c) from the model and the host's
 * observed CredSSP state, not written by anyone; observed and recorded in
 * history like any other kind, a missing, stale or left-over task shows in
 * plan as a change.  window_guard.c plugs the steps the engine must take
 * for it into the engine, as its guard.
 */
#ifndef ENFORCER_WINDOW_FAILSAFE_H
#define ENFORCER_WINDOW_FAILSAFE_H

#include <time.h>

#include "engine.h"
#include "failsafe.h"
#include "model.h"
#include "node.h"
#include "state.h"

/* window_failsafe.c */

/*
 * The fail-safe matters on host h: its desired state manages credssp, or
 * some window targets it with credssp or local_group.
 */
int window_failsafe_applies(const struct model *, const struct model_host *h,
    const struct node *desired);

/*
 * Fill in what a window that has started set in credssp for h and that no
 * policy manages ({server,client}: {enabled: false}), so that the end of
 * the window reverts it even then.  desired is the effective tree (kind ->
 * tree); the added leaves carry no origin.
 */
void window_failsafe_fill_base(struct node *desired, const struct model *,
    const struct model_host *h, time_t at);

/*
 * Where a task armed at instant at fires, for a stretch of windows that
 * ends at end: *trigger = min(end, at + lease) + grace.  A task already
 * armed for a time from *keep to *trigger is kept as it is, *keep being
 * min(end, at + lease / 2) + grace: a run renews the lease only once less
 * than half of it is left, so runs close together do not register the
 * task again each time, and a task is never moved later than *trigger.
 */
void window_failsafe_lease(const struct model_settings *, time_t at,
    time_t end, time_t *trigger, time_t *keep);

/*
 * The desired "failsafe" tree of h at instant at (see above); observed is
 * h's observed state, kind -> tree (may be NULL), from which the task's
 * script learns how to give back the delegation lists and TrustedHosts.
 * *out: node_free().
 * Fails when a value cannot be written into the task's PowerShell script
 * (not UTF-8, or a control character).
 */
int window_failsafe_desired(struct node **out, const struct model *,
    const struct model_host *h, time_t at, const struct node *observed,
    char **cause);

/*
 * A change that turns something on: a CredSSP role enabled, delegation
 * entries added, a group member added.
 */
int window_failsafe_enables(const struct change *);

/*
 * A task may go (change is a failsafe_is_disarm() one): its window is
 * gone, still open, or nothing it turned on is on in state (kind -> tree,
 * re-read after the revert).
 */
int window_failsafe_may_disarm(const struct model *, const struct model_host *h,
    time_t at, const struct change *, const struct node *state);

/* Class, reason, window and until of a change of kind "failsafe". */
void window_failsafe_classify(const struct model *, time_t at,
    struct engine_change *);

/* What a window left on one host, as far as a state tells. */
enum window_failsafe_status {
	WINDOW_FAILSAFE_NOTHING,	/* the window turns nothing on there */
	WINDOW_FAILSAFE_REVERTED,	/* nothing it turned on is still on */
	WINDOW_FAILSAFE_ON,		/* something it turned on is still on */
	WINDOW_FAILSAFE_UNKNOWN,	/* no state to tell */
};

/*
 * For window w, which has ended by at: whether what it turned on for h
 * (CredSSP, group members it granted), and the effective state at at no
 * longer wants, is still on in state (the host's whole state, kind ->
 * tree; NULL when unknown).
 */
enum window_failsafe_status window_failsafe_status(const struct model *,
    const struct model_host *h, const struct model_window *w, time_t at,
    const struct node *state);

/*
 * One line on what windows that have ended left on for h, or NULL: "credssp
 * still on 2h10m past the end of window X (11:00Z); its fail-safe was due
 * 11:15Z".  state is the host's state (kind -> tree): read in this run
 * (current), else as last recorded (not current), else NULL; with no state
 * only windows ended within the last 7 days are named.  free().
 */
char *window_failsafe_overdue(const struct model *, const struct model_host *h,
    time_t at, const struct node *state, int current);

/*
 * window_grants.c: the members of local groups windows grant: those a
 * window's list in effect holds and the policies alone do not
 * (docs/windows.md, "Grants end").
 */

/*
 * What the windows open at at grant h: {group: [member, ...]}, each list's
 * origin the window whose list is in effect; NULL when nothing.
 * node_free().
 */
struct node *window_grants_at(const struct model *,
    const struct model_host *h, time_t at);

/* Some window targets h with local_group. */
int window_grants_targets(const struct model *, const struct model_host *h);

/*
 * Append to b a script line per member of grants (window_grants_at())
 * that takes it out again, by SID (window_script_grant()).  Fails on a
 * name that is not UTF-8 or holds a control character.
 */
int window_grants_action(struct buf *b, const struct node *grants,
    const char *host, char **cause);

/*
 * For window w, which has ended by at: whether a member it granted h, and
 * that the effective state at at does not list, is still in state (kind ->
 * tree; NULL when unknown).
 */
enum window_failsafe_status window_grants_status(const struct model *,
    const struct model_host *h, const struct model_window *w, time_t at,
    const struct node *state);

/*
 * As window_failsafe_overdue(), for the members ended windows granted h:
 * "CONTOSO\alice in 'GA' still there 5m past the end of window X
 * (10:00Z)", or NULL.  free().
 */
char *window_grants_overdue(const struct model *, const struct model_host *h,
    time_t at, const struct node *state, int current);

/*
 * window_guard.c: the engine's guard (engine.h), installed in
 * engine_opts by the verbs that run the engine.  For each host: the
 * "failsafe" kind joins its desired state after the read, when it applies;
 * once the tasks are sent (CHANGE_FIRST), every change a window makes that
 * turns CredSSP on fails ("not applied: the host's fail-safe is not armed:
 * ...") unless they all read back as asked; a task's removal (CHANGE_LAST)
 * is held while a CredSSP change is not verified or what its window turned
 * on is still on; eh->overdue last.
 */
extern const struct engine_guard window_guard;

/*
 * The same guard for the run `window close` makes before it reverts:
 * windows that have just ended (at their new end, the run's instant) still
 * get their tasks, computed as at the last second of the window, so that
 * the tasks are pulled forward to the end plus the grace and read back.
 * Its caller keeps only those changes (engine_run_targets()).
 */
extern const struct engine_guard window_guard_close;

/*
 * window_script.c: the fail-safe task's PowerShell script.  Each
 * appends lines to b: window_script_role_off() turns one CredSSP role off
 * (the WSMAN registry value the service starts from, then the running
 * service through the WSMan provider) and reads both back;
 * window_script_oracle() sets AllowEncryptionOracle back to level (0..2);
 * window_script_trusted_hosts() writes TrustedHosts back as list ("a,b"),
 * as role_off() does;
 * window_script_list() rewrites a delegation list to keep (a sequence;
 * empty: the list and its flags gone); window_script_grant() takes member
 * out of group by SID.  -1 when a text cannot be written into a script.
 * window_script_finish() wraps steps (retried until they all read back),
 * the marker and the task's own removal into the script for window, due
 * at due; window_script_loader() is the task's command line, which runs
 * the script kept in the registry.  Both results: free().
 */
void window_script_role_off(struct buf *b, int server);
void window_script_oracle(struct buf *b, int level);
int window_script_trusted_hosts(struct buf *b, const char *list);
int window_script_list(struct buf *b, const char *policy, const char *concat,
    const struct node *keep);
int window_script_grant(struct buf *b, const char *group, const char *member);
char *window_script_finish(const char *window, const char *due,
    const char *steps);
char *window_script_loader(const char *window);

#endif
