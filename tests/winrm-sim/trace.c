/*
 * trace.c: winrm-sim --trace, one line an event, for benchmarks that
 * count what a client's run costs, lay it out on a timeline, and replay
 * its requests with another client:
 *
 *	seconds host action resource BODY cN
 *
 * seconds since the first line; cN the TCP connection (numbered in the
 * order accepted, fleet-wide).  A WS-Man request: its Action and
 * ResourceURI tails and the request as received, base64.  The events
 * around it have BODY "-": "connect - -" when a connection is accepted,
 * "401 BYTES -" when a request is answered 401 (an HTTP logon leg, or a
 * refusal), BYTES the body it carried: whether a client's first leg
 * sends the whole request shows there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/evp.h>

#include "sim.h"

void
sim_trace(struct sim_host *h, unsigned long conn, const char *action,
    const char *resource, const char *body, size_t len)
{
	static struct timespec t0;
	struct timespec now;
	FILE *fp = h->fleet->trace;
	unsigned char *b64 = NULL;

	if (fp == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (t0.tv_sec == 0)
		t0 = now;
	if (body != NULL) {
		b64 = xmalloc(4 * ((len + 2) / 3) + 1);
		EVP_EncodeBlock(b64, (const unsigned char *)body, (int)len);
	}
	fprintf(fp, "%.3f %s %s %s %s c%lu\n", (double)(now.tv_sec -
	    t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9, h->name, action,
	    resource, b64 != NULL ? (char *)b64 : "-", conn);
	fflush(fp);
	free(b64);
}
