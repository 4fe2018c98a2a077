/*
 * memo.h: whole resources read once per host per read phase and shared by
 * the kinds that each need a part of them (the WinRM configuration tree:
 * credssp takes Service/Auth and Client/Auth, trusted_hosts
 * Client/TrustedHosts).  The engine reads a host's kinds in parallel
 * threads, each on its own client, so a memo is shared between threads:
 * the first kind to ask for a resource sends the Get, in the same batch as
 * its other reads (wsman_read_many), and the kinds that ask while it is on
 * its way wait for its reply instead of sending their own.
 *
 * Lifetime: the engine makes one memo per read phase of a host (the read,
 * and each re-read that verifies a write), so a value read back after a
 * write always comes from a new Get.  A module's ctx->memo may be NULL
 * (a lone read): then each ask sends its own Get.
 */
#ifndef ENFORCER_MEMO_H
#define ENFORCER_MEMO_H

#include "state.h"
#include "wsman.h"

struct memo;

struct memo *memo_new(void);
/* Frees the memo and what it holds; no reader may be using it. */
void memo_free(struct memo *);

/*
 * The two halves of one ask, around the caller's wsman_read_many():
 * memo_claim returns 1 when the caller is to send the Get of uri: rd is
 * then prepared as that read (send it with the others); 0 when another
 * kind sends it or has sent it: rd is left unused (leave it out of the
 * batch).  memo_take must follow every memo_claim, on every path, with
 * the claimed rd (its result is moved out of rd, published to the
 * waiting kinds) or NULL;
 * it waits for the reply and gives the caller its own copy in *out, or
 * the Get's cause.  memo_get does both around a batch of one.  A kind
 * that asks for several resources takes the ones it claimed before any it
 * did not, so that no two kinds wait for each other.
 */
int memo_claim(struct state_ctx *, const char *uri, struct wsman_read *rd);
int memo_take(struct state_ctx *, const char *uri, struct wsman_read *rd,
    struct node **out, char **cause);
int memo_get(struct state_ctx *, const char *uri, struct node **out,
    char **cause);

#endif
