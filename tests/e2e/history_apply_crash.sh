#!/bin/sh
# history_apply_crash.sh: SIGKILL `enforcer apply` at random points of 50
# runs against the simulator (on a slow machine, as many as fit in 45 s but
# at least 20), with drift planted out of band before each.  After every kill:
#  - `git fsck --full --strict` is clean (unreachable objects of a cut run
#    are allowed: they are dangling);
#  - the branch enforcer/history is at a complete run commit, or at the
#    intent commit a run writes before its first write to a host;
#  - when a run got recorded, its tree is the ground truth now, the state
#    recorded just before it is the ground truth it started from (so what
#    a killed run changed is recorded, as drift), and every change it
#    calls verified has its value in the tree: nothing is claimed that
#    was not verified, nothing done goes unrecorded.
# Two kills in three come at a random instant from 0 to 1.6 times a full
# apply (so that enough runs finish and get checked); one in three within
# 4 ms of the history's first object write (now a run's first intent).
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"
. "$(dirname "$0")/lib/crash.sh"

crash_fleet 2
/usr/bin/python3 - <<'EOF' || fail "crash loop"
import os, random, re, subprocess, sys, time
sys.path.insert(0, os.environ['TOP'] + '/tests/e2e/lib')
from crash import (E, D, HOSTS, KEYS, ctl, die, fsck, git, recorded_host,
                   tip, truth)

# 50 applies; on a slow machine (sanitizers) as many as fit in 45 s, at
# least 20.
RUNS, MIN_RUNS, BUDGET = 50, 20, 45


def recorded(rev):
    return {h: recorded_host(rev, h) for h in HOSTS}


def plant():
    for h in HOSTS:
        sets = ['%s = %s' % v for v in KEYS.values() if random.random() < .3]
        if sets:
            ctl('POST', '/hosts/%s/set' % h, '\n'.join(sets))


def check_recorded(pre, post):
    """The tip run against the ground truth before and after it."""
    msg = git('log', '-1', '--format=%B', 'enforcer/history').stdout
    if '\nRecord: run\n' not in msg:
        die('the branch is not at a run commit:\n' + msg)
    now = recorded('enforcer/history')
    if now != post:
        die('recorded %s, ground truth %s' % (now, post))
    if git('rev-parse', '-q', '--verify', 'enforcer/history~1',
           check=False).returncode == 0 and recorded('enforcer/history~1') != pre:
        die('state before the run: recorded %s, ground truth %s' %
            (recorded('enforcer/history~1'), pre))
    claims = 0
    for m in re.finditer(r'^change host=(\S+) path=(\S+) .*?after=(\S+) .*'
                         r'verified=(yes|no)', msg, re.M):
        h, p, after, verified = m.groups()
        if verified == 'yes' and p in KEYS:
            claims += 1
            if now[h][p] != after.lower():
                die('%s %s claimed verified as %s, recorded %s' %
                    (h, p, after, now[h][p]))
    return claims


def objects_state():
    """The loose object directories' mtimes: they move when history
    starts writing (nothing else writes to this repository)."""
    top = os.path.join(D, '.git', 'objects')
    try:
        return [(e.name, e.stat().st_mtime_ns) for e in os.scandir(top)]
    except FileNotFoundError:
        return None     # a temporary object file came and went


def apply_once(kill_after, when_writing=False):
    """Run apply; SIGKILL it after kill_after seconds, or (when_writing)
    within 4 ms of the history's first object.  True if killed."""
    seen = objects_state() if when_writing else None
    p = subprocess.Popen([E, 'apply', D], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    deadline = time.monotonic() + kill_after
    killed = False
    while p.poll() is None:
        if time.monotonic() > deadline:
            p.kill()
            killed = True
            break
        if seen is not None and objects_state() != seen:
            time.sleep(random.uniform(0, .004))
            p.kill()
            killed = True
            break
        time.sleep(.0002 if seen is not None else .005)
    p.wait()
    err = p.stderr.read().decode()
    p.stderr.close()
    # A kill that came too late finds the run finished.
    killed = killed and p.returncode < 0
    if not killed and p.returncode != 0:
        die('apply exited %d: %s' % (p.returncode, err))
    return killed


# A full run with drift everywhere: how long an apply takes here.
for h in HOSTS:
    ctl('POST', '/hosts/%s/set' % h, '\n'.join('%s = %s' % v
                                              for v in KEYS.values()))
pre = truth()
t0 = time.monotonic()
apply_once(120)
full = time.monotonic() - t0
check_recorded(pre, truth())

kills = recorded_runs = cut = claims = runs = 0
fsck()
t0 = time.monotonic()
for i in range(RUNS):
    if i >= MIN_RUNS and time.monotonic() - t0 > BUDGET:
        break
    runs += 1
    plant()
    pre, before = truth(), tip()
    # One kill in three while the history is written, the others anywhere.
    writing = i % 3 == 0
    if writing:
        killed = apply_once(full * 3, when_writing=True)
    else:
        killed = apply_once(random.uniform(0, 1.6) * full)
    kills += killed
    fsck()
    # Killed once objects were being written, before the branch moved.
    cut += writing and killed and tip() == before
    msg = git('log', '-1', '--format=%B', 'enforcer/history').stdout
    if '\nRecord: run\n' not in msg and '\nRecord: intent\n' not in msg:
        die('run %d: the branch is not at a run or intent commit' % i)
    if tip() != before and '\nRecord: run\n' in msg:
        recorded_runs += 1
        claims += check_recorded(pre, truth())
# The run after the last kill records what the killed ones left; when
# they left nothing new, it adds no commit and the tip holds the truth.
pre, before = truth(), tip()
apply_once(120)
if tip() != before:
    claims += check_recorded(pre, truth())
elif recorded('enforcer/history') != truth():
    die('nothing recorded, yet the tip is not the ground truth')
fsck()
drift = int(git('rev-list', '--count', '--grep=^Record: observed',
                'enforcer/history').stdout)
print('history_apply_crash: %d applies (full apply %.2fs), %d killed, '
      '%d recorded, %d killed while writing the history, %d drift commits, '
      '%d verified claims checked' % (runs, full, kills, recorded_runs, cut,
                                      drift, claims))
if kills < runs // 3 or recorded_runs < 3:
    die('too few kills (%d) or recorded runs (%d)' % (kills, recorded_runs))
EOF
finish
