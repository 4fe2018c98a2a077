/*
 * confdir.h: the configuration directory, the desired state's home when a
 * verb is given no PATH (a systemd unit, a cron line).
 */
#ifndef ENFORCER_CONFDIR_H
#define ENFORCER_CONFDIR_H

#define CONFDIR_DEFAULT	"/etc/enforcer"

/* $ENFORCER_CONFDIR when set (tests), else /etc/enforcer.  Borrowed. */
const char *confdir_dir(void);

/*
 * The default desired state: CONFDIR/desired when it is a directory, else
 * CONFDIR/enforcer.conf (which may not exist: the loader says so).
 * Borrowed, computed once, lives until exit.
 */
const char *confdir_desired(void);

#endif
