"""fleet_shards.py: a fleet run by 4 shards at once, one shared history.

A simulated fleet (SHARD_FLEET_HOSTS, default 100 in make check; tests/bench/
fleet_shards.py runs 2,000) with drift on every host (CredSSP server on).
Four enforcer processes at once, --no-wait (a shard that waited for
another's lock would fail): shards 0 and 1 from --shard I/4, shards 2 and
3 from JOB_COMPLETION_INDEX with --shards 4, each recording to its own ref
of one bare repository reached by file:// URL, all sharing one cache
directory.  Then, from the simulator's ground truth and the history:

  - every host changed exactly once (CredSSP off, one write), by the shard
    the documented hash (FNV-1a 64, computed here) gives it;
  - the shared repository holds refs enforcer/history/shard-I-of-4 only,
    and each ref's runs changed only that shard's hosts;
  - fleet-wide `history --json` (a reading mirror of its own) lists the
    four runs and every host exactly once among their changes;
  - one window (CredSSP server on for all) opened once, committed to the
    desired state without applying: the next round of the 4 shards at
    once turns it on on every host of every shard (ground truth), each
    shard's run recording its hosts' window changes; fleet-wide
    `window list --offline` (history only) shows every host; then
    `window close --all` as one process over all shards turns CredSSP off
    on every host (ground truth), records to enforcer/history/shard-0-of-1
    of the shared repository, and `window list --check --offline` over
    the shared history finds every host reverted;
  - drift planted again, N goes from 4 to 5: every host changed once more,
    and its trail holds both changes, newest first, the second one
    classified as drift from the state the first recorded (the last
    state was found across refs); `history --host H` lists exactly the
    runs that the fleet-wide history shows changing H.
"""
import concurrent.futures as cf
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'winrm-sim'))
import simtest as t  # noqa: E402

N = int(os.environ.get('SHARD_FLEET_HOSTS', '100'))
# Hosts at once per shard: 4 shards of 4 keep one simulator process
# (sanitized, on a loaded machine) answering every connection in time.
PAR = os.environ.get('SHARD_PARALLEL', '4')
ENFORCER = os.environ.get('ENFORCER', os.path.join(t.TOP, 'bin', 'enforcer'))
PER_ADDR = 2 if N > 1000 else 1        # hosts per address (two ports)
ADDRS = (N + PER_ADDR - 1) // PER_ADDR
NET = t.subnet(blocks=1 if ADDRS <= 250 else 4)


def addr(i):
    """The i-th address (from 0) of NET's blocks, skipping .0 and .255."""
    base = [int(x) for x in NET.split('.')]
    block, host = divmod(i, 250)
    return '%d.%d.%d.%d' % (base[0], base[1], base[2] + block, host + 1)


def fnv_shard(name, n):
    h = 0xcbf29ce484222325
    for c in name.lower().encode():
        h = ((h ^ c) * 0x100000001b3) & 0xffffffffffffffff
    return h % n


def fleet_yaml():
    # Basic over HTTPS with a local account (the built-in Administrator,
    # whose token UAC does not filter), as Windows takes Basic: NTLM's
    # one connection per host would make this test slow for nothing.
    lines = ["defaults:",
             "  users: { Administrator: { password: 'secret', admin: true } }",
             "  winrm: { service: { auth: { Basic: true, CredSSP: true } } }",
             "hosts:"]
    for i in range(N):
        a, p = i % ADDRS, 5986 + i // ADDRS
        lines.append("  h%04d.shard.test: { address: %s, port: %d }" % (
            i, addr(a), p))
    return '\n'.join(lines) + '\n'


def desired(path, fleet):
    os.makedirs(path)
    subprocess.run(['git', 'init', '-q', '-b', 'main', path], check=True)
    with open(os.path.join(path, 'state.yaml'), 'w') as f:
        f.write('connection: { auth: basic, username: Administrator,'
                ' password_env: SHARD_PW, ca_file: %s, timeout: 60s }\n' %
                fleet.ca)
        f.write('policies:\n  all: { credssp: { server: disabled } }\n')
        f.write('hosts:\n')
        for name, h in sorted(fleet.hosts.items()):
            f.write('  %s: { address: %s, port: %d }\n' % (name, h.address,
                                                          h.port))
    git = ['git', '-C', path]
    subprocess.run(git + ['add', '-A'], check=True)
    subprocess.run(git + ['commit', '-q', '-m', 'desired state'], check=True,
                   env=dict(os.environ, GIT_AUTHOR_NAME='t',
                            GIT_AUTHOR_EMAIL='t@t', GIT_COMMITTER_NAME='t',
                            GIT_COMMITTER_EMAIL='t@t'))


def ctl(fleet, path, body=None):
    host, port = fleet.control.rsplit(':', 1)
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    c.request('POST' if body is not None else 'GET', path, body)
    r = c.getresponse()
    data = r.read().decode()
    c.close()
    return r.status, data


def truth(fleet, name):
    """(CredSSP server value, writes) from the simulator's ground truth."""
    _, v = ctl(fleet, '/hosts/%s/get?key=winrm.service.auth.CredSSP' % name)
    _, c = ctl(fleet, '/hosts/%s/counters' % name)
    writes = [l.split(' = ')[1] for l in c.splitlines()
              if l.startswith('writes = ')]
    return v.strip(), int(writes[0]) if writes else -1


def each_host(fleet, fn):
    with cf.ThreadPoolExecutor(8) as pool:
        return dict(zip(sorted(fleet.hosts),
                        pool.map(fn, sorted(fleet.hosts))))


def plant(fleet):
    def one(name):
        ctl(fleet, '/hosts/%s/set' % name, 'winrm.service.auth.CredSSP = true')
        ctl(fleet, '/hosts/%s/counters/reset' % name, '')
    each_host(fleet, one)


def run_shards(ds, url, cache, n):
    """n shards at once; even ones by --shard, odd ones by the index."""
    env = dict(os.environ, SHARD_PW='secret')
    env.pop('JOB_COMPLETION_INDEX', None)
    procs = []
    for k in range(n):
        args = [ENFORCER, 'apply', '--no-wait', '--json', '--parallel', PAR,
                '--history', url, '--cache', cache]
        e = dict(env)
        if k % 2 == 0:
            args += ['--shard', '%d/%d' % (k, n)]
        else:
            args += ['--shards', str(n)]
            e['JOB_COMPLETION_INDEX'] = str(k)
        procs.append(subprocess.Popen(args + [ds], env=e, text=True,
                                      stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE))
    return [(p.returncode, out, err) for p in procs
            for out, err in [p.communicate()]]


def enforcer_json(args):
    p = subprocess.run([ENFORCER] + args, capture_output=True, text=True)
    t.check('%s exits 0' % ' '.join(args[:1] + args[-2:]), p.returncode == 0,
            p.stderr[-500:])
    return json.loads(p.stdout)['runs'] if p.returncode == 0 else []


def check_round(fleet, results, n, want_writes, want='false'):
    for k, (rc, out, err) in enumerate(results):
        try:
            failed = [(h['name'], h['error']) for h in
                      json.loads(out)['hosts'] if h.get('error')][:3]
        except ValueError:
            failed = out[-300:]
        t.check('shard %d/%d: exit 0, never waited for a lock' % (k, n),
                rc == 0, 'exit %s: %s %r' % (rc, err[-500:], failed))
        if rc == 0:
            s = json.loads(out)['shard']
            t.check('shard %d/%d: the report names its split' % (k, n),
                    s['index'] == k and s['count'] == n and
                    s['fleet_hosts'] == N, repr(s))
    got = each_host(fleet, lambda name: truth(fleet, name))
    bad = [h for h, (v, w) in got.items() if v != want or
           (want_writes is not None and w != want_writes)]
    t.check('ground truth: all %d hosts with CredSSP %s, %s write(s) each' % (
        N, want, want_writes if want_writes is not None else 'some'),
        not bad, '%d not: %r' % (len(bad), [(h, got[h]) for h in bad[:5]]))


def window_round(fleet, ds, url, cache, work):
    """One window opened once reaches every shard; closed by one process."""
    env = dict(os.environ, SHARD_PW='secret', HOME=work)
    env.pop('JOB_COMPLETION_INDEX', None)
    with open(os.path.join(work, '.gitconfig'), 'w') as f:
        f.write('[user]\n\tname = t\n\temail = t@t\n')
    p = subprocess.run([ENFORCER, 'window', 'open', 'wide', '--for', '2h',
                        '--hosts', 'all', '--set', 'credssp.server=enabled',
                        '--reason', 'fleet-wide test', '--no-apply', ds],
                       env=env, capture_output=True, text=True)
    t.check('window open once, committed, not applied', p.returncode == 0 and
            'committed' in p.stdout, p.stdout[-300:] + p.stderr[-500:])
    t0 = time.monotonic()
    results = run_shards(ds, url, cache, 4)
    print('window round: %d hosts, 4 shards at once: %.1f s' % (
        N, time.monotonic() - t0))
    check_round(fleet, results, 4, None, 'true')
    read = ['--history', url, '--cache', os.path.join(work, 'reader')]
    log = enforcer_json(['history', '--json', '--limit', '4'] + read)
    on = {}
    for e in log:
        for c in e.get('changes', []):
            if c['path'] == 'credssp.server.enabled' and c['window'] == 'wide':
                on.setdefault(c['host'], set()).add(e['run_id'])
    t.check('fleet-wide history: the 4 shards\' runs turned the window on '
            'for every host once', sorted(on) == sorted(fleet.hosts) and
            all(len(r) == 1 for r in on.values()) and
            len(set().union(*on.values())) == 4,
            '%d hosts, runs %r' % (len(on), sorted(set().union(
                *on.values())) if on else []))
    p = subprocess.run([ENFORCER, 'window', 'list', '--json', '--offline']
                       + read + [ds], env=env, capture_output=True, text=True)
    try:
        w = json.loads(p.stdout)['windows']
    except ValueError:
        w = []
    listed = [h['name'] for x in w if x['name'] == 'wide'
              for h in x['hosts']]
    t.check('fleet-wide window list: window wide open on every host',
            p.returncode == 0 and sorted(listed) == sorted(fleet.hosts) and
            [x['state'] for x in w] == ['open'],
            'exit %d, %d hosts listed: %s' % (p.returncode, len(listed),
                                              p.stderr[-300:]))
    t0 = time.monotonic()
    p = subprocess.run([ENFORCER, 'window', 'close', '--all', '--history',
                        url, '--cache', os.path.join(work, 'closer'), ds],
                       env=env, capture_output=True, text=True)
    print('window close --all, one process over all shards: %.1f s' % (
        time.monotonic() - t0))
    t.check('window close --all: exit 0', p.returncode == 0,
            p.stdout[-500:] + p.stderr[-500:])
    got = each_host(fleet, lambda name: truth(fleet, name))
    bad = [h for h, (v, _) in got.items() if v != 'false']
    t.check('ground truth: CredSSP off on every host of every shard',
            not bad, '%d not: %r' % (len(bad), bad[:5]))
    refs = subprocess.run(['git', '--git-dir', url[len('file://'):],
                           'for-each-ref', '--format=%(refname)'],
                          capture_output=True, text=True).stdout.split()
    t.check('the close recorded to shard-0-of-1 of the shared repository',
            'refs/heads/enforcer/history/shard-0-of-1' in refs, repr(refs))
    p = subprocess.run([ENFORCER, 'window', 'list', '--check', '--json',
                        '--offline'] + read + [ds], env=env,
                       capture_output=True, text=True)
    try:
        w = json.loads(p.stdout)['windows']
    except ValueError:
        w = []
    ok = [h['name'] for x in w if x['name'] == 'wide' for h in x['hosts']
          if h['ok']]
    t.check('window list --check over the shared history: every host '
            'reverted', p.returncode == 0 and sorted(ok) == sorted(
                fleet.hosts), 'exit %d, %d ok: %s' % (
                    p.returncode, len(ok), p.stdout[-300:]))


def changed_by_run(log):
    runs = {}
    for e in log:
        runs[e['run_id']] = [c['host'] for c in e.get('changes', [])]
    return runs


def main():
    fleet = t.Fleet(fleet_yaml(), timeout=600)
    work = tempfile.mkdtemp(prefix='shards-')
    try:
        t.check('fleet of %d hosts' % N, len(fleet.hosts) == N,
                '%d ready' % len(fleet.hosts))
        ds = os.path.join(work, 'ds')
        desired(ds, fleet)
        bare = os.path.join(work, 'shared.git')
        subprocess.run(['git', 'init', '-q', '--bare', bare], check=True)
        url = 'file://' + bare
        cache = os.path.join(work, 'cache')
        plant(fleet)

        t0 = time.monotonic()
        results = run_shards(ds, url, cache, 4)
        print('round 1: %d hosts, 4 shards at once: %.1f s' % (
            N, time.monotonic() - t0))
        check_round(fleet, results, 4, 1)
        refs = subprocess.run(['git', '--git-dir', bare, 'for-each-ref',
                               '--format=%(refname)'], capture_output=True,
                              text=True).stdout.split()
        t.check('shared repository: one ref per shard',
                sorted(refs) == ['refs/heads/enforcer/history/shard-%d-of-4'
                                 % k for k in range(4)], repr(refs))
        # Each ref's runs changed that shard's hosts only.
        for k in range(4):
            log = subprocess.run(
                ['git', '--git-dir', bare, 'log', '--format=%B',
                 'enforcer/history/shard-%d-of-4' % k],
                capture_output=True, text=True).stdout
            wrong = [h for h in fleet.hosts if '  %s: ' % h in log and
                     fnv_shard(h, 4) != k]
            t.check('ref shard-%d-of-4: only its hosts' % k, not wrong,
                    repr(wrong[:5]))

        read = ['--history', url, '--cache', os.path.join(work, 'reader')]
        t0 = time.monotonic()
        log = enforcer_json(['history', '--json'] + read)
        print('fleet-wide history (fetch and read): %.2f s' % (
            time.monotonic() - t0))
        runs = changed_by_run(log)
        hosts = [h for r in runs.values() for h in r]
        t.check('fleet-wide history: 4 runs', len(runs) == 4,
                '%d runs' % len(runs))
        t.check('fleet-wide history: every host once',
                sorted(hosts) == sorted(fleet.hosts),
                '%d changes for %d hosts' % (len(hosts), len(set(hosts))))

        window_round(fleet, ds, url, cache, work)

        plant(fleet)
        t0 = time.monotonic()
        results = run_shards(ds, url, cache, 5)
        print('round 2: %d hosts, 5 shards at once: %.1f s' % (
            N, time.monotonic() - t0))
        check_round(fleet, results, 5, 1)
        log = enforcer_json(['history', '--json'] + read)
        trail = {}
        for e in log:
            for c in e.get('changes', []):
                trail.setdefault(c['host'], []).append((e['finished'],
                                                        c['reason']))
        # Round 1, the window's opening and its close, round 2.
        broken = [h for h in fleet.hosts if len(trail.get(h, [])) < 4 or
                  sorted([x[0] for x in trail[h]], reverse=True) !=
                  [x[0] for x in trail[h]] or
                  'drift' not in (trail[h][0][1] or '')]
        t.check('N 4 -> 5: every host\'s trail has all its runs, newest '
                'first, the last seen as drift', not broken,
                '%d broken, e.g. %r' % (len(broken), [
                    (h, trail.get(h)) for h in broken[:3]]))
        by_host = {}
        for e in log:
            for h in set(c['host'] for c in e.get('changes', [])):
                by_host.setdefault(h, []).append(e['run_id'])
        for h in sorted(fleet.hosts)[:3]:
            hl = enforcer_json(['history', '--json', '--host', h] + read)
            t.check('history --host %s: the runs that changed it' % h,
                    [e['run_id'] for e in hl] == by_host.get(h),
                    '%r, not %r' % ([e['run_id'] for e in hl],
                                    by_host.get(h)))
    finally:
        rc = fleet.stop()
        subprocess.run(['rm', '-rf', work])
    t.check('simulator exits 0', rc == 0, fleet.stderr()[-1000:])
    print('ok' if not t.FAILURES else '%d failure(s)' % len(t.FAILURES))
    return 1 if t.FAILURES else 0


if __name__ == '__main__':
    sys.exit(main())
