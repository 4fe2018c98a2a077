"""engine_fleet.py: plan and apply across a simulated fleet.

Prints, for N hosts with L ms of latency per response (BENCH_HOSTS,
BENCH_LATENCY_MS, BENCH_PARALLEL): wall time of plan, apply and the
second apply (each run recorded in a history repository), hosts per
second, the enforcer's CPU per host and peak memory, and the WS-Man
requests, writes, TCP connections and full / resumed TLS handshakes per
host counted by the simulator.  Drift is planted on every host (CredSSP
server on, a missing group member).  Then the plan once more at
--parallel 8: the difference of the two plans' peak RSS over the
difference in hosts at once is the memory of one host in flight.

BENCH_HOLD=1 runs nothing: it starts the fleet, prints the plan command
(to run under a profiler) and keeps the fleet up until SIGINT or SIGTERM.
"""
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'winrm-sim'))
import simtest  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                'lib'))
from benchrows import row  # noqa: E402

N = int(os.environ.get('BENCH_HOSTS', '200'))
# BENCH_CONNECTIONS4=0 leaves out the --connections 4 plan (a large
# fleet's slowest row, and not the default).
C4 = os.environ.get('BENCH_CONNECTIONS4', '1') != '0'
LAT = int(os.environ.get('BENCH_LATENCY_MS', '20'))
PAR = int(os.environ.get('BENCH_PARALLEL', '32'))
LOW_PAR = 8
ENFORCER = os.environ.get('ENFORCER', 'bin/enforcer')
NET = simtest.subnet(blocks=1 if N < 250 else 4)

FLEET = r"""
defaults:
  users:
    'CONTOSO\svc-enforcer': { password: 'bench-pw', admin: true }
    Administrator: { password: 'bench-pw', admin: true }
  accounts: [ 'CONTOSO\hci-admins' ]
  winrm: { service: { auth: { CredSSP: true, Basic: true } } }
  faults: { latency_ms: %(lat)d }
hosts:
  node0.bench.test: { address: %(net)s.1 }
generate:
  - { count: %(more)d, name: 'node%%d.bench.test', first_address: %(net)s.2, like: node0.bench.test }
""" % {'lat': LAT, 'net': NET, 'more': N - 1}


def desired(path, fleet):
    with open(os.path.join(path, 'state.yaml'), 'w') as f:
        f.write('connection: { auth: ntlm, username: CONTOSO\\svc-enforcer, '
                'password_env: BENCH_PW, ca_file: %s }\n' % fleet.ca)
        f.write('policies:\n  all:\n'
                '    credssp: { server: disabled, client: disabled }\n'
                '    service: { WinRM: running }\n'
                '    local_group: { Administrators: { members: '
                "['CONTOSO\\hci-admins'] } }\n")
        f.write('hosts:\n')
        for name, h in sorted(fleet.hosts.items()):
            f.write('  %s: { address: %s }\n' % (name, h.address))


def run(args):
    """One enforcer run: exit, wall s, (user, system) CPU s, peak RSS KiB,
    the process.
    /usr/bin/time measures this run alone (RUSAGE_CHILDREN's peak is the
    largest of every child so far)."""
    with tempfile.NamedTemporaryFile('r') as tf:
        t0 = time.monotonic()
        p = subprocess.run(['/usr/bin/time', '-f', '%M %U %S', '-o', tf.name,
                            ENFORCER] + args, capture_output=True, text=True,
                           env=dict(os.environ, BENCH_PW='bench-pw'))
        dt = time.monotonic() - t0
        rss, user, system = tf.read().split()[-3:]
    return p.returncode, dt, (float(user), float(system)), int(rss), p


KEYS = ('requests', 'writes', 'connections', 'tls_full', 'tls_resumed')


def counters(fleet):
    """Per-host means of the simulator's counters since the last call."""
    sums = dict.fromkeys(KEYS, 0)
    for name in fleet.hosts:
        text = fleet.ctl_http('GET', '/hosts/%s/counters' % name)[1]
        for line in text.splitlines():
            k, _, v = line.partition(' = ')
            if k in sums:
                sums[k] += int(v)
        fleet.ctl_http('POST', '/hosts/%s/counters/reset' % name)
    return dict((k, v / N) for k, v in sums.items())


def ceiling(fleet, tmp, clients, gets=100):
    """The simulator's keep-alive ceiling, requests per second: config
    Gets sent by curl --parallel, one kept-alive connection to each of
    `clients` hosts (Basic, a local account, over HTTPS; the logon is not
    what is measured), as many at once as the plan had hosts in flight,
    so that the injected latency bounds both alike.  curl is C but shares
    the two cores with the simulator, so the ceiling is a lower bound and
    a share of it an upper bound (8 Python clients, used before, measured
    far less on a loaded machine, and the latency bounded them)."""
    hosts = list(fleet.hosts.values())[:clients]
    body = os.path.join(tmp, 'get.xml')
    with open(body, 'w') as f:
        f.write(simtest.envelope(simtest.TRANSFER + 'Get',
                                 simtest.WSMAN + '/config'))
    cfg = os.path.join(tmp, 'curl.cfg')
    with open(cfg, 'w') as f:
        for _ in range(gets):
            for h in hosts:
                f.write('url = "https://%s:%d/wsman"\noutput = "/dev/null"\n'
                        % (h.name, h.port))
    args = ['curl', '-s', '--parallel', '--parallel-max', str(len(hosts)),
            '--cacert', fleet.ca, '-u', 'Administrator:bench-pw',
            '-H', 'Content-Type: application/soap+xml;charset=UTF-8',
            '--data-binary', '@' + body, '-w', '%{http_code}\n', '-K', cfg]
    for h in hosts:
        args += ['--resolve', '%s:%d:%s' % (h.name, h.port, h.address)]
    t0 = time.monotonic()
    p = subprocess.run(args, capture_output=True, text=True)
    dt = time.monotonic() - t0
    ok = p.stdout.split().count('200')
    assert ok == gets * len(hosts), (ok, p.stdout[-200:], p.stderr[-500:])
    return ok / dt


def hold(fleet, argv):
    """Keep the fleet up for a profiler until SIGINT or SIGTERM."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    print('fleet up; run: BENCH_PW=bench-pw %s' % shlex.join(argv),
          flush=True)
    signal.sigwait({signal.SIGINT, signal.SIGTERM})
    fleet.stop()
    return 0


def main():
    t0 = time.monotonic()
    fleet = simtest.Fleet(FLEET)
    start = time.monotonic() - t0
    tmp = tempfile.mkdtemp(prefix='enforcer-bench.')
    desired(tmp, fleet)
    print('hosts %d, latency %d ms per response, --parallel %d '
          '(fleet started in %.1f s)' % (N, LAT, PAR, start))
    hist = os.path.join(tmp, '.history')
    if os.environ.get('BENCH_HOLD'):
        return hold(fleet, [ENFORCER, 'plan', '--parallel', str(PAR),
                            '--history', hist, tmp])
    # The plan twice, side by side: the kinds at once on four connections
    # per host, then the default (one connection per host once there are
    # more hosts than --parallel); the default plan again with fewer hosts
    # in flight (LOW_PAR), on the same fleet and history, for the memory a
    # host in flight costs; then apply, the second apply (a no-op), and
    # the plan of the fleet now in sync, which that apply is held to.
    steps = ((('plan', PAR, ['--connections', '4']),) if C4 else ()) + (
        ('plan', PAR, []),)
    if PAR > LOW_PAR:
        steps += (('plan', LOW_PAR, []),)
    steps += (('apply', PAR, []), ('apply', PAR, []), ('plan', PAR, []))
    rss_plan = {}
    c_of = {}
    rss_max = 0
    for i, (step, par, extra) in enumerate(steps):
        rc, dt, cpu, rss, p = run([step, '--parallel', str(par),
                                   '--history', hist] + extra + [tmp])
        c = counters(fleet)
        print('%-6s %-15s exit %d  %6.2f s  %7.1f hosts/s  '
              '%5.2f ms CPU/host (user %.2f + system %.2f)  '
              'peak RSS %6.1f MiB  %5.1f requests/host  '
              '%4.1f writes/host  %4.1f connections/host  '
              '%4.1f full + %4.1f resumed TLS/host' %
              (step, ' '.join(extra + (['--parallel', str(par)]
                                       if par != PAR else [])),
               rc, dt, N / dt, 1000.0 * sum(cpu) / N,
               1000.0 * cpu[0] / N, 1000.0 * cpu[1] / N,
               rss / 1024.0, c['requests'], c['writes'], c['connections'],
               c['tls_full'], c['tls_resumed']))
        if step == 'plan' and not extra:
            rss_plan.setdefault(par, rss)
            if par == PAR:
                rss_max = max(rss_max, rss)
        if step == 'apply' and 'drift' not in c_of:
            c_of['drift'] = c
        if i == len(steps) - 2:
            noop_dt = dt
        if i == len(steps) - 1:
            plan_rate = c['requests'] * N / dt
            plan_dt = dt
            c_of['in sync'] = c
            row('cpu_host', '%.2f' % (1000.0 * sum(cpu) / N), N,
                'plan of the fleet in sync')
            row('requests_fleet', '%.1f' % c['requests'], N,
                'plan of the fleet in sync')
            row('tls_full_fleet', '%.2f' % c['tls_full'], N,
                'plan of the fleet in sync')
        if rc not in (0, 2):
            print(p.stdout[-2000:], p.stderr[-2000:])
    print('no-op apply (recorded in history) / plan of the fleet in sync: '
          '%.2f' % (noop_dt / plan_dt))
    row('noop_ratio', '%.2f' % (noop_dt / plan_dt), N,
        'no-op apply / plan in sync')
    row('rss_plan', '%.1f' % (rss_max / 1024.0), N,
        'default plans at --parallel %d, the larger' % PAR)
    drift, insync = c_of['drift'], c_of['in sync']
    row('drift_requests', '%.1f' % drift['requests'], N,
        'first apply, drift on every host')
    row('drift_budget', '%.1f' % (2 * insync['requests'] + drift['writes']),
        N, '2 x %.1f requests in sync + %.1f writes' %
        (insync['requests'], drift['writes']))
    if len(rss_plan) == 2:
        # The same fleet and history, only the hosts at once differ: what
        # the run keeps of done hosts cancels out.
        print('memory per host in flight (default plan, peak RSS at '
              '--parallel %d minus at %d, / %d): %.1f KiB' %
              (PAR, LOW_PAR, PAR - LOW_PAR,
               (rss_plan[PAR] - rss_plan[LOW_PAR]) / float(PAR - LOW_PAR)))
        row('mem_inflight', '%.1f' % ((rss_plan[PAR] - rss_plan[LOW_PAR]) /
                                      float(PAR - LOW_PAR)), N,
            'peak RSS at --parallel %d minus %d' % (PAR, LOW_PAR))
    top = ceiling(fleet, tmp, min(PAR, N))
    print('simulator keep-alive ceiling (config Gets, curl --parallel, %d '
          'connections): ' % min(PAR, N) +
          '%.0f requests/s; the plan of the fleet in sync sent %.0f '
          'requests/s = %.0f%% '
          'of it' % (top, plan_rate, 100.0 * plan_rate / top))
    row('ceiling_share', '%.0f' % (100.0 * plan_rate / top), N,
        '%.0f of %.0f requests/s' % (plan_rate, top))
    fleet.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
