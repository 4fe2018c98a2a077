"""tests/e2e/lib/crash.py: the Python side of the history kill tests
(history_apply_crash.sh, history_kill.sh), after crash_fleet (crash.sh):
the simulator's ground truth, the history read with git, enforcer runs
killed at an instant."""
import http.client
import os
import subprocess
import sys
import time

import yaml

E, D, CTL = os.environ['ENFORCER'], os.environ['D'], os.environ['SIM_CTL']
HOSTS = ['node%d.contoso.test' % i
         for i in range(1, int(os.environ['CRASH_HOSTS']) + 1)]
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
    c.request(method, path.replace(' ', '%20'), body)
    r = c.getresponse()
    text = r.read().decode()
    if r.status != 200:
        die('control %s %s: %d %s' % (method, path, r.status, text))
    return text


def truth():
    """Each host's KEYS as the simulator holds them, lowercase."""
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


def recorded_host(rev, h):
    """hosts/H.yaml of rev as {path: value}; None values if absent."""
    r = git('show', '%s:hosts/%s.yaml' % (rev, h), check=False)
    doc = yaml.safe_load(r.stdout) if r.returncode == 0 else None
    return {p: value(doc, p) for p in KEYS}


def tip():
    return git('rev-parse', '--verify', '-q', 'enforcer/history',
               check=False).stdout.strip()


def fsck():
    """git fsck --full --strict is clean; dangling objects allowed."""
    r = git('fsck', '--full', '--strict', check=False)
    out = r.stdout + r.stderr
    bad = [l for l in out.splitlines() if not l.startswith('dangling ')
           and not l.startswith('notice:')]
    if r.returncode != 0 or bad:
        die('git fsck: ' + out)
    return sum(1 for l in out.splitlines() if l.startswith('dangling '))
