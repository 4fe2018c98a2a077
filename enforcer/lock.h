/*
 * lock.h: one run at a time per desired state.
 *
 * An advisory flock(2) on a lock file: the kernel drops it when the process
 * dies, however it dies, so a killed run never leaves a stale lock.
 */
#ifndef ENFORCER_LOCK_H
#define ENFORCER_LOCK_H

struct runlock;

/*
 * Lock path.  With wait, block until the holder is done; without, fail at
 * once naming the holder's pid.  *out is released with lock_release().
 */
int lock_acquire(struct runlock **out, const char *path, int wait,
    char **cause);
void lock_release(struct runlock *);

/*
 * The lock file for a desired state at dir: inside its .git directory when
 * it is a git work tree (so the team's tree stays clean), else beside it.
 * Returns an allocated path.
 */
char *lock_path_for(const char *dir);

#endif
