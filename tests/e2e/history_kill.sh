#!/bin/sh
# history_kill.sh: issue 15's kill test.  At least 200 SIGKILLs of
# `enforcer apply` at random instants (3 hosts, drift planted out of band
# before each run, the loop bounded to about 60 s of wall time), checked
# against the simulator's ground truth and the history read with git:
#  - `git fsck --full --strict` is clean after every kill (dangling objects
#    of a cut run allowed);
#  - no drift goes missing: a planted value that the ground truth no longer
#    holds (a run repaired it) is in the tree of a history commit written
#    since it was planted; the run after the last kill leaves none pending.
. "$(dirname "$0")/lib/e2e.sh"

git_home
export ENFORCER_PASSWORD="Kill-pw-1"

cat >"$TMP/fleet.yaml" <<EOF
defaults:
  users: { 'CONTOSO\\svc-enforcer': { password: '$ENFORCER_PASSWORD', admin: true } }
  winrm: { service: { auth: { Basic: true } } }
  services: { Spooler: { state: Running, start_mode: Auto } }
hosts:
  node1.contoso.test: { address: $NET.1 }
  node2.contoso.test: { address: $NET.2 }
  node3.contoso.test: { address: $NET.3 }
EOF
fleet_start "$TMP/fleet.yaml"

D="$TMP/desired"
mkdir -p "$D"
cat >"$D/hosts.yaml" <<EOF
hosts:
  node1.contoso.test: { groups: [nodes], address: $NET.1 }
  node2.contoso.test: { groups: [nodes], address: $NET.2 }
  node3.contoso.test: { groups: [nodes], address: $NET.3 }
connection:
  auth: basic
  username: CONTOSO\\svc-enforcer
  password_env: ENFORCER_PASSWORD
  ca_file: $SIM_CA
  timeout: 10s
policies:
  nodes:
    credssp: { server: disabled, client: disabled }
    service: { Spooler: running }
EOF
git -C "$D" init -q -b main
git -C "$D" add -A
git -C "$D" commit -q -m "desired state"

export D ENFORCER
/usr/bin/python3 - <<'EOF' || fail "kill loop"
import http.client, os, random, subprocess, sys, time
import yaml

E, D, CTL = os.environ['ENFORCER'], os.environ['D'], os.environ['SIM_CTL']
KILLS, MAX_RUNS, BUDGET = 200, 400, 60
HOSTS = ['node%d.contoso.test' % i for i in (1, 2, 3)]
# history path -> (ground-truth key, the value drift plants)
KEYS = {
    'credssp.server.enabled': ('winrm.service.auth.CredSSP', 'true'),
    'credssp.client.enabled': ('winrm.client.auth.CredSSP', 'true'),
    'service.Spooler.state': ('service.Spooler.state', 'Stopped'),
}


def die(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def ctl(method, path, body=None):
    host, port = CTL.rsplit(':', 1)
    c = http.client.HTTPConnection(host, int(port), timeout=10)
    c.request(method, path, body)
    r = c.getresponse()
    text = r.read().decode()
    if r.status != 200:
        die('control %s %s: %d %s' % (method, path, r.status, text))
    return text


def truth():
    t = {}
    for h in HOSTS:
        kv = dict(line.split(' = ', 1) for line in
                  ctl('GET', '/hosts/%s/state' % h).splitlines()
                  if ' = ' in line)
        t[h] = {p: kv.get(k, '').lower() for p, (k, _) in KEYS.items()}
    return t


def git(*args, check=True):
    r = subprocess.run(['git', '-C', D] + list(args), capture_output=True,
                       text=True)
    if check and r.returncode != 0:
        die('git %s: %s' % (' '.join(args), r.stderr))
    return r


def value(tree, path):
    for k in path.split('.'):
        tree = (tree or {}).get(k)
    return str(tree).lower() if tree is not None else None


TREES = {}


def recorded(commit, h):
    """hosts/H.yaml of a commit, as {path: value}; cached by commit."""
    if (commit, h) not in TREES:
        r = git('show', '%s:hosts/%s.yaml' % (commit, h), check=False)
        doc = yaml.safe_load(r.stdout) if r.returncode == 0 else None
        TREES[commit, h] = {p: value(doc, p) for p in KEYS}
    return TREES[commit, h]


def tip():
    return git('rev-parse', '--verify', '-q', 'enforcer/history',
               check=False).stdout.strip()


def fsck():
    r = git('fsck', '--full', '--strict', check=False)
    out = r.stdout + r.stderr
    bad = [l for l in out.splitlines() if not l.startswith('dangling ')
           and not l.startswith('notice:')]
    if r.returncode != 0 or bad:
        die('git fsck: ' + out)


# (host, path) -> (planted value, history tip when planted)
pending = {}


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


t0 = time.monotonic()
apply_once(120)
full = time.monotonic() - t0
kills = runs = 0
t0 = time.monotonic()
while kills < KILLS and runs < MAX_RUNS:
    runs += 1
    plant(truth())
    kills += apply_once(random.uniform(0, 1.1) * full)
    fsck()
    check_drift(truth(), 'run %d' % runs)
loop = time.monotonic() - t0
apply_once(120)
fsck()
check_drift(truth(), 'after the last run')
if pending:
    die('drift never recorded: %s' % sorted(pending))
commits = int(git('rev-list', '--count', 'enforcer/history').stdout)
intents = int(git('rev-list', '--count', '--grep=^Record: intent',
                  'enforcer/history').stdout)
print('history_kill: %d applies (full apply %.2fs), %d SIGKILLed in %.1fs, '
      'fsck clean every time, no drift missing; %d commits, %d intent' %
      (runs, full, kills, loop, commits, intents))
if kills < KILLS:
    die('only %d kills' % kills)
if loop > BUDGET * 1.5:
    die('kill loop took %.0fs' % loop)
EOF
finish
