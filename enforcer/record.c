/*
 * record.c: engine runs into the history, and the history's last states
 * into the engine; see record.h.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "secret.h"
#include "strmap.h"

/*
 * The last recorded change on one path of one host.  Its strings (path,
 * and f's verb, window and run id) are its own: the log they were read
 * from holds every change of up to RECORD_FACT_RUNS runs, a fleet's many
 * times over, and is freed once the facts are taken from it.
 */
struct record_fact {
	char			*path;
	enum engine_class	 class;
	char			*verb;
	char			*window;	/* or NULL */
	char			*run_id;
	int			 verified;
};

/* One host's facts: a few paths, scanned. */
struct record_facts {
	struct record_fact	*v;
	size_t			 n;
};

/*
 * Per host, by the index the name map gives: lookups are by name once per
 * host and change, so a scan of the names would be quadratic in the fleet.
 */
struct record_last {
	const char	**names;	/* borrowed from the model */
	struct strmap	  index;	/* name -> &names[i] */
	struct history	 *h;		/* borrowed; NULL: no history */
	char		**commits;	/* desired-state commit of the host's
					   last record, NULL: unknown */
	struct record_facts *facts;
	size_t		  n;
	const char	 *commit;	/* the run's, NULL: unknown */
};

/* Runs read back for facts: enough for any path's last change. */
#define RECORD_FACT_RUNS	1000

static enum engine_class
record_engine_class(enum history_class c)
{
	switch (c) {
	case HISTORY_INTENTIONAL:
		return ENGINE_INTENTIONAL;
	case HISTORY_CORRECTIVE:
		return ENGINE_CORRECTIVE;
	case HISTORY_WINDOW:
		return ENGINE_WINDOW;
	case HISTORY_EXPIRY:
		break;
	}
	return ENGINE_EXPIRY;
}

static ssize_t
record_host_index(const struct record_last *rl, const char *host)
{
	const char **at = strmap_get(&rl->index, host);

	return at == NULL ? -1 : at - rl->names;
}

/* Host k's fact for path, or NULL. */
static struct record_fact *
record_fact_find(const struct record_last *rl, size_t k, const char *path)
{
	const struct record_facts *fs = &rl->facts[k];
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (strcmp(fs->v[i].path, path) == 0)
			return &fs->v[i];
	return NULL;
}

static char *
record_strdup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* The newest change of each (host, path) of e not known yet. */
static void
record_facts_add(struct record_last *rl, const struct history_entry *e)
{
	const struct history_change *c;
	struct record_facts *fs;
	struct record_fact *rf;
	ssize_t k;
	size_t i;

	for (i = 0; i < e->run.nchanges; i++) {
		c = &e->run.changes[i];
		if ((k = record_host_index(rl, c->host)) < 0 ||
		    record_fact_find(rl, k, c->path) != NULL)
			continue;
		fs = &rl->facts[k];
		fs->v = xreallocarray(fs->v, fs->n + 1, sizeof(*fs->v));
		rf = &fs->v[fs->n++];
		rf->path = xstrdup(c->path);
		rf->class = record_engine_class(c->class);
		rf->verb = record_strdup(e->run.verb);
		rf->window = record_strdup(c->window);
		rf->run_id = record_strdup(e->run.run_id);
		rf->verified = c->verified;
	}
}

/*
 * From the newest runs back: each path's last change, and the commit of
 * each host's last record (unknown when it was dirty).
 */
static int
record_facts_load(struct record_last *rl, struct history *h, char **cause)
{
	struct history_filter filter = HISTORY_FILTER_INIT;
	const struct history_entry *e;
	struct history_log *log;
	unsigned char *seen;
	ssize_t k;
	size_t i, j;

	filter.limit = RECORD_FACT_RUNS;
	if (history_list(&log, h, &filter, cause) == -1)
		return -1;
	seen = xcalloc(rl->n + 1, 1);
	for (i = 0; i < log->n; i++) {
		e = &log->entries[i];
		record_facts_add(rl, e);
		for (j = 0; j < e->run.nhosts; j++) {
			k = record_host_index(rl, e->run.hosts[j].name);
			if (k < 0 || seen[k])
				continue;
			seen[k] = 1;
			rl->commits[k] = e->run.desired_dirty ? NULL :
			    record_strdup(e->run.desired_commit);
		}
	}
	free(seen);
	history_log_free(log);
	return 0;
}

int
record_last_load(struct record_last **out, struct history *h,
    const struct model *m, const char *glob, const struct shard *shard,
    const struct record_info *now, char **cause)
{
	struct record_last *rl;
	const struct model_host *mh;
	size_t i;

	rl = xcalloc(1, sizeof(*rl));
	rl->names = xcalloc(m->nhosts + 1, sizeof(*rl->names));
	rl->h = h;
	rl->commits = xcalloc(m->nhosts + 1, sizeof(*rl->commits));
	rl->facts = xcalloc(m->nhosts + 1, sizeof(*rl->facts));
	rl->commit = now != NULL && !now->dirty ? now->commit : NULL;
	for (i = 0; i < m->nhosts; i++) {
		mh = &m->hosts[i];
		if ((glob != NULL && !model_host_match(mh, glob)) ||
		    !shard_has(shard, mh->name))
			continue;
		rl->names[rl->n] = mh->name;
		(void)strmap_put(&rl->index, mh->name, &rl->names[rl->n]);
		rl->n++;
	}
	if (h != NULL && record_facts_load(rl, h, cause) == -1) {
		record_last_free(rl);
		*out = NULL;
		return -1;
	}
	*out = rl;
	return 0;
}

static void
record_facts_free(struct record_facts *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		free(fs->v[i].path);
		free(fs->v[i].verb);
		free(fs->v[i].window);
		free(fs->v[i].run_id);
	}
	free(fs->v);
}

void
record_last_free(struct record_last *rl)
{
	size_t i;

	if (rl == NULL)
		return;
	for (i = 0; i < rl->n; i++) {
		record_facts_free(&rl->facts[i]);
		free(rl->commits[i]);
	}
	free(rl->commits);
	free(rl->names);
	strmap_clear(&rl->index);
	free(rl->facts);
	free(rl);
}

void
record_fact_get(void *arg, const char *host, const char *path,
    struct engine_fact *out)
{
	const struct record_last *rl = arg;
	const struct record_fact *rf;
	ssize_t k;

	k = record_host_index(rl, host);
	if (k >= 0 && (rf = record_fact_find(rl, k, path)) != NULL) {
		out->known = 1;
		out->class = rf->class;
		out->verb = rf->verb;
		out->window = rf->window;
		out->run_id = rf->run_id;
		out->verified = rf->verified;
	}
	if (rl->commit == NULL || k < 0 || rl->commits[k] == NULL)
		out->desired = -1;
	else
		out->desired = strcmp(rl->commit, rl->commits[k]) == 0;
}

int
record_last_get(void *arg, const char *host, struct node **out,
    char **cause)
{
	const struct record_last *rl = arg;

	*out = NULL;
	if (rl->h == NULL || record_host_index(rl, host) < 0)
		return 0;
	if (history_last_state(out, rl->h, host, cause) == -1)
		return cause_prefix(cause, "%s: history", host);
	return 0;
}

void
record_add_secrets(struct history *h, const struct model *m)
{
	const struct model_conn *c;
	char *pw, *cause = NULL;
	size_t i;

	for (i = 0; i < m->nhosts; i++) {
		c = &m->hosts[i].conn;
		if (!model_conn_has_password(c))
			continue;
		/* Unreadable: the engine reports it for that host. */
		if (secret_read(&pw, c->password_env, c->password_file,
		    c->password_credential, &cause) == -1) {
			free(cause);
			cause = NULL;
			continue;
		}
		history_add_secret(h, pw);
		secret_free(pw);
	}
}

static enum history_class
record_class(enum engine_class c)
{
	switch (c) {
	case ENGINE_INTENTIONAL:
		return HISTORY_INTENTIONAL;
	case ENGINE_CORRECTIVE:
		return HISTORY_CORRECTIVE;
	case ENGINE_WINDOW:
		return HISTORY_WINDOW;
	case ENGINE_EXPIRY:
		break;
	}
	return HISTORY_EXPIRY;
}

/* Applied, whatever came of it: a host may have changed. */
static int
record_attempted(const struct engine_change *ic)
{
	return ic->result == ENGINE_VERIFIED || ic->result == ENGINE_FAILED ||
	    ic->result == ENGINE_UNVERIFIED;
}

/* eh's changes that result says (or attempted ones) into out at *n. */
static void
record_host_changes(const struct engine_host *eh, int pending,
    struct history_change *out, size_t *n)
{
	const struct engine_change *ic;
	struct history_change *hc;
	size_t j;

	for (j = 0; j < eh->changes.n; j++) {
		ic = &eh->info[j];
		if (pending ? ic->result != ENGINE_PENDING :
		    !record_attempted(ic))
			continue;
		hc = &out[(*n)++];
		hc->host = eh->host->name;
		hc->path = ic->change->path;
		hc->before = ic->change->before;
		hc->after = ic->change->after;
		hc->class = record_class(ic->class);
		hc->reason = ic->reason;
		hc->window = ic->window;
		hc->verified = ic->result == ENGINE_VERIFIED;
	}
}

static void
record_changes(const struct engine_run *run, struct history_change **out,
    size_t *n)
{
	size_t i, total = 0;

	for (i = 0; i < run->nhosts; i++)
		total += run->hosts[i].changes.n;
	*out = xcalloc(total + 1, sizeof(**out));
	*n = 0;
	for (i = 0; i < run->nhosts; i++)
		record_host_changes(&run->hosts[i], 0, *out, n);
}

/* Window w is active at the run's instant and targets one of its hosts. */
static int
record_window_in_run(const struct model_window *w,
    const struct engine_run *run)
{
	size_t i;

	if (!model_window_active(w, run->at))
		return 0;
	for (i = 0; i < run->nhosts; i++)
		if (model_window_targets(w, run->hosts[i].host))
			return 1;
	return 0;
}

/* A host's cause without its name in front: the history adds it. */
static const char *
record_cause(const struct engine_host *eh)
{
	size_t n = strlen(eh->host->name);

	if (eh->error != NULL && strncmp(eh->error, eh->host->name, n) == 0 &&
	    strncmp(eh->error + n, ": ", 2) == 0)
		return eh->error + n + 2;
	return eh->error;
}

/* The windows of m active at run's instant that target one of its hosts. */
static const char **
record_windows(const struct model *m, const struct engine_run *run,
    size_t *n)
{
	const char **windows;
	size_t i;

	windows = xcalloc(m->nwindows + 1, sizeof(*windows));
	*n = 0;
	for (i = 0; i < m->nwindows; i++)
		if (record_window_in_run(&m->windows[i], run))
			windows[(*n)++] = m->windows[i].name;
	return windows;
}

void
record_writer_init(struct record_writer *w, struct history *h,
    const struct model *m, const struct record_info *info)
{
	memset(w, 0, sizeof(*w));
	w->h = h;
	w->m = m;
	w->info = info;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->arrived, NULL);
	pthread_cond_init(&w->written, NULL);
}

void
record_writer_release(struct record_writer *w)
{
	if (w->h != NULL) {
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->arrived);
		pthread_cond_destroy(&w->written);
	}
	memset(w, 0, sizeof(*w));
}

/* One intent commit for the hosts of a batch. */
static int
record_intent(struct record_writer *w, const struct engine_run *run,
    struct record_batch *b, char **cause)
{
	struct history_run hr;
	struct history_host *hosts;
	struct history_change *changes;
	const char **windows;
	size_t i, n = 0;
	int rc;

	memset(&hr, 0, sizeof(hr));
	hosts = xcalloc(b->n, sizeof(*hosts));
	for (i = 0; i < b->n; i++)
		n += b->hosts[i]->changes.n;
	changes = xcalloc(n + 1, sizeof(*changes));
	for (i = 0; i < b->n; i++) {
		hosts[i].name = b->hosts[i]->host->name;
		hosts[i].observed = b->hosts[i]->observed;
		record_host_changes(b->hosts[i], 1, changes, &hr.nchanges);
	}
	windows = record_windows(w->m, run, &hr.nwindows);
	hr.run_id = run->id;
	hr.verb = w->info->verb;
	hr.started = run->started.tv_sec;
	hr.finished = time(NULL);
	hr.desired_path = w->info->desired;
	hr.desired_commit = w->info->commit;
	hr.desired_dirty = w->info->dirty;
	hr.operator = w->info->operator;
	hr.windows = windows;
	hr.hosts = hosts;
	hr.nhosts = b->n;
	hr.changes = changes;
	if ((rc = history_record_intent(w->h, &hr, cause)) == -1)
		cause_prefix(cause, "history");
	free(windows);
	free(changes);
	free(hosts);
	return rc;
}

/*
 * The leader writes the open batch, then any batch that gathered while it
 * wrote, until none is open.  Called and returns with the lock held.
 */
/* ts + ms */
static struct timespec
record_ts_add(struct timespec ts, long ms)
{
	ts.tv_nsec += ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	return ts;
}

static int
record_ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/*
 * Hosts that reach their first write meanwhile join the open batch, for
 * RECORD_GATHER_MS at most; no wait once no host is being read (none can
 * join).  A host read without changes does not signal: look every 5 ms.
 */
static void
record_gather(struct record_writer *w, const struct engine_run *run)
{
	struct timespec now, until, step;

	clock_gettime(CLOCK_REALTIME, &now);
	until = record_ts_add(now, RECORD_GATHER_MS);
	while (__atomic_load_n(&run->reading, __ATOMIC_SEQ_CST) > 0 &&
	    record_ts_before(&now, &until)) {
		step = record_ts_add(now, 5);
		if (record_ts_before(&until, &step))
			step = until;
		(void)pthread_cond_timedwait(&w->arrived, &w->lock, &step);
		clock_gettime(CLOCK_REALTIME, &now);
	}
}

/*
 * The leader writes the open batch, then any batch that gathered while it
 * wrote, until none is open.  Called and returns with the lock held.
 */
static void
record_lead(struct record_writer *w, const struct engine_run *run)
{
	struct record_batch *b;

	record_gather(w, run);
	while ((b = w->open) != NULL) {
		w->open = NULL;
		pthread_mutex_unlock(&w->lock);
		b->rc = record_intent(w, run, b, &b->cause);
		pthread_mutex_lock(&w->lock);
		b->done = 1;
		pthread_cond_broadcast(&w->written);
	}
	w->leading = 0;
}

int
record_before_write(void *arg, const struct engine_run *run,
    const struct engine_host *eh, char **cause)
{
	struct record_writer *w = arg;
	struct record_batch *b;
	int rc;

	pthread_mutex_lock(&w->lock);
	if ((b = w->open) == NULL)
		b = w->open = xcalloc(1, sizeof(*b));
	b->hosts = xreallocarray(b->hosts, b->n + 1, sizeof(*b->hosts));
	b->hosts[b->n++] = eh;
	b->refs++;
	pthread_cond_signal(&w->arrived);
	if (!w->leading) {
		w->leading = 1;
		record_lead(w, run);
	}
	while (!b->done)
		pthread_cond_wait(&w->written, &w->lock);
	if ((rc = b->rc) == -1)
		*cause = xstrdup(b->cause);
	if (--b->refs == 0) {
		free(b->cause);
		free(b->hosts);
		free(b);
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

const char *
record_operator(void)
{
	const struct passwd *pw;
	const char *name;

	if ((name = getenv("SUDO_USER")) != NULL && *name != '\0')
		return name;
	if ((name = getlogin()) != NULL && *name != '\0')
		return name;
	if ((pw = getpwuid(getuid())) != NULL)
		return pw->pw_name;
	return NULL;
}

/*
 * What keeps eh out of its desired state without a failure: changes
 * owned by Group Policy, needing a person, or left pending (held back,
 * interrupted); NULL when none.  Free it.
 */
static char *
record_noncompliant(const struct engine_host *eh)
{
	const struct engine_change *ic;
	struct buf b = BUF_INIT;
	size_t j;

	for (j = 0; j < eh->changes.n; j++) {
		ic = &eh->info[j];
		if (ic->result != ENGINE_REPORTED &&
		    ic->result != ENGINE_PENDING)
			continue;
		buf_printf(&b, "%s%s %s", b.len > 0 ? "; " : "",
		    ic->change->path,
		    (ic->change->flags & CHANGE_GPO) ? "held by Group Policy" :
		    (ic->change->flags & CHANGE_NEEDS_PERSON) ?
		    "needs a person" : "not applied");
		if ((ic->change->flags & CHANGE_GPO) && ic->change->gpo != NULL)
			buf_printf(&b, " %s", ic->change->gpo);
	}
	if (b.len == 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

int
record_run(struct history *h, const struct engine_run *run,
    const struct model *m, const struct record_info *info, int *wrote,
    char **cause)
{
	struct history_run hr;
	struct history_host *hosts;
	struct history_change *changes;
	const char **windows;
	char **held;
	size_t i;
	int rc;

	memset(&hr, 0, sizeof(hr));
	hosts = xcalloc(run->nhosts + 1, sizeof(*hosts));
	held = xcalloc(run->nhosts + 1, sizeof(*held));
	for (i = 0; i < run->nhosts; i++) {
		hosts[i].name = run->hosts[i].host->name;
		hosts[i].observed = run->hosts[i].observed;
		hosts[i].verified = run->hosts[i].verified;
		hosts[i].observed_text = run->hosts[i].observed_text;
		hosts[i].verified_text = run->hosts[i].verified_text;
		hosts[i].error = record_cause(&run->hosts[i]);
		hosts[i].noncompliant = held[i] =
		    record_noncompliant(&run->hosts[i]);
	}
	windows = record_windows(m, run, &hr.nwindows);
	record_changes(run, &changes, &hr.nchanges);
	hr.run_id = run->id;
	hr.verb = info->verb;
	hr.started = run->started.tv_sec;
	hr.finished = run->finished.tv_sec;
	hr.desired_path = info->desired;
	hr.desired_commit = info->commit;
	hr.desired_dirty = info->dirty;
	hr.operator = info->operator;
	hr.windows = windows;
	hr.hosts = hosts;
	hr.nhosts = run->nhosts;
	hr.changes = changes;
	hr.heartbeat = m->settings.history_heartbeat;
	rc = history_record(h, &hr, wrote, cause);
	for (i = 0; i < run->nhosts; i++)
		free(held[i]);
	free(held);
	free(changes);
	free(windows);
	free(hosts);
	return rc;
}

int
record_verb(struct history *h, const struct record_info *info,
    const char *run_id, time_t started, const char *path,
    const struct record_verb_host *vh, size_t n, int intent, char **cause)
{
	struct history_run hr;
	struct history_host *hosts;
	struct history_change *changes;
	size_t i;
	int rc;

	memset(&hr, 0, sizeof(hr));
	hosts = xcalloc(n + 1, sizeof(*hosts));
	changes = xcalloc(n + 1, sizeof(*changes));
	for (i = 0; i < n; i++) {
		hosts[i].name = vh[i].name;
		hosts[i].error = intent ? NULL : vh[i].error;
		if (!intent && !vh[i].attempted)
			continue;
		changes[hr.nchanges].host = vh[i].name;
		changes[hr.nchanges].path = path;
		changes[hr.nchanges].after = "done";
		changes[hr.nchanges].class = HISTORY_INTENTIONAL;
		changes[hr.nchanges].reason = info->verb;
		changes[hr.nchanges++].verified = !intent &&
		    vh[i].error == NULL;
	}
	hr.run_id = run_id;
	hr.verb = info->verb;
	hr.started = started;
	hr.finished = time(NULL);
	hr.desired_path = info->desired;
	hr.desired_commit = info->commit;
	hr.desired_dirty = info->dirty;
	hr.operator = info->operator;
	hr.hosts = hosts;
	hr.nhosts = n;
	hr.changes = changes;
	rc = intent ? history_record_intent(h, &hr, cause) :
	    history_record(h, &hr, NULL, cause);
	free(changes);
	free(hosts);
	return rc;
}
