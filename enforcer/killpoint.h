/*
 * killpoint.h: a test hook for crash safety.  With ENFORCER_TEST_KILL_AFTER=N
 * in the environment, the process kills itself with SIGKILL (as a crash, a
 * power cut or kill -9 would stop it) once N WS-Man exchanges have been
 * made, counted over every host: N=0 before the first.  Tests run a verb
 * with N = 0, 1, 2, ... to stop it at every step.  Unset, nothing changes.
 */
#ifndef ENFORCER_KILLPOINT_H
#define ENFORCER_KILLPOINT_H

#include "wsman.h"

/*
 * When the hook is on, give wo a transport that counts (its exchange
 * function in wo->ops; freed at exit).  Call it last, with wo complete.
 */
int killpoint_wrap(struct wsman_opts *wo, char **cause);

#endif
