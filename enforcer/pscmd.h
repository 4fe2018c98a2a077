/*
 * pscmd.h: PowerShell scripts sent to a host (pscmd.c): as
 * `powershell.exe -NoProfile -NonInteractive -EncodedCommand BASE64`, the
 * script in base64 of UTF-16LE, so that cmd.exe sees nothing but base64 and
 * any name travels whole (docs/windows-behaviour.md#powershell-scripts);
 * and the one way a text enters a script: a single-quoted string.
 */
#ifndef ENFORCER_PSCMD_H
#define ENFORCER_PSCMD_H

#include "util.h"

/*
 * The command line that runs script; NULL when script is not UTF-8.
 * Result must be passed to free().
 */
char *pscmd_line(const char *script);

/*
 * s as a PowerShell single-quoted string literal, appended to b: every
 * quote PowerShell reads as one (', and U+2018..U+201B) doubled.  -1 (and
 * nothing appended) when s is not UTF-8 or holds a control character: a
 * script is read a line at a time by the simulator and by people.
 */
int pscmd_quote(struct buf *b, const char *s);

#endif
