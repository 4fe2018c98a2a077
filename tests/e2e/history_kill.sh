#!/bin/sh
# history_kill.sh: issue 15's kill test.  HISTORY_KILLS SIGKILLs (25 under
# `make check`; `make kill-test` runs the issue's 200, tests/bench/
# history_kill.sh) of `enforcer apply` at random instants (3 hosts, drift
# planted out of band before each run), checked against the simulator's
# ground truth and the history read with git:
#  - `git fsck --full --strict` is clean after every kill (dangling objects
#    of a cut run allowed);
#  - no drift goes missing: a planted value that the ground truth no longer
#    holds (a run repaired it) is in the tree of a history commit written
#    since it was planted; the run after the last kill leaves none pending.
# Wall and CPU time of the kill loop are reported, never asserted.
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"
. "$(dirname "$0")/lib/crash.sh"

crash_fleet 3
/usr/bin/python3 - <<'EOF' || fail "kill loop"
import os, random, subprocess, sys, time
sys.path.insert(0, os.environ['TOP'] + '/tests/e2e/lib')
from crash import E, D, HOSTS, KEYS, ctl, die, fsck, git, recorded_host, tip, truth

KILLS = int(os.environ.get('HISTORY_KILLS', '25'))
MAX_RUNS = 2 * KILLS
TREES = {}
# (host, path) -> (planted value, history tip when planted)
pending = {}


def recorded(commit, h):
    if (commit, h) not in TREES:
        TREES[commit, h] = recorded_host(commit, h)
    return TREES[commit, h]


def plant(now):
    for h in HOSTS:
        sets = []
        for p, (k, v) in KEYS.items():
            if random.random() < .4:
                sets.append('%s = %s' % (k, v))
                if now[h][p] != v.lower() and (h, p) not in pending:
                    pending[h, p] = (v.lower(), tip())
        if sets:
            ctl('POST', '/hosts/%s/set' % h, '\n'.join(sets))


def check_drift(now, where):
    """Every planted drift is still on the host or in the history."""
    t = tip()
    for (h, p), (v, since) in list(pending.items()):
        revs = git('rev-list', t if not since else '%s..%s' % (since, t)
                   ).stdout.split() if t else []
        if any(recorded(c, h)[p] == v for c in revs):
            del pending[h, p]
        elif now[h][p] != v:
            die('%s: %s %s=%s was repaired but is in no history commit '
                'since it was planted' % (where, h, p, v))


def apply_once(kill_after):
    p = subprocess.Popen([E, 'apply', D], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    deadline = time.monotonic() + kill_after
    while p.poll() is None and time.monotonic() < deadline:
        time.sleep(.002)
    if p.poll() is None:
        p.kill()
    p.wait()
    err = p.stderr.read().decode()
    p.stderr.close()
    if p.returncode > 0:
        die('apply exited %d: %s' % (p.returncode, err))
    return p.returncode < 0


def cpu():
    t = os.times()
    return t.children_user + t.children_system


t0 = time.monotonic()
apply_once(120)
full = time.monotonic() - t0
kills = runs = 0
t0, c0 = time.monotonic(), cpu()
while kills < KILLS and runs < MAX_RUNS:
    runs += 1
    plant(truth())
    kills += apply_once(random.uniform(0, 1.1) * full)
    fsck()
    check_drift(truth(), 'run %d' % runs)
wall, used = time.monotonic() - t0, cpu() - c0
apply_once(120)
fsck()
check_drift(truth(), 'after the last run')
if pending:
    die('drift never recorded: %s' % sorted(pending))
commits = int(git('rev-list', '--count', 'enforcer/history').stdout)
intents = int(git('rev-list', '--count', '--grep=^Record: intent',
                  'enforcer/history').stdout)
print('history_kill: %d applies (full apply %.2fs), %d SIGKILLed in %.1fs '
      '(%.1fs CPU), fsck clean every time, no drift missing; %d commits, '
      '%d intent' % (runs, full, kills, wall, used, commits, intents))
if kills < KILLS:
    die('only %d kills' % kills)
EOF
finish
