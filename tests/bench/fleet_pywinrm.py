"""fleet_pywinrm.py: the enforcer against pywinrm across a fleet, CPU-bound.

Issue 16's last row: the speed-up over pywinrm (Debian python3-winrm) on
loopback, the same hosts and the same concurrency.  One enforcer plan of
BENCH_HOSTS simulated hosts (NTLM over HTTPS, --parallel BENCH_PARALLEL,
no injected latency unless BENCH_LATENCY_MS says so) is recorded by the
simulator's --trace; pywinrm then sends every host's recorded requests
(lib/pywinrm_replay.py: the same reads, one session per host, as pywinrm
works) from BENCH_PARALLEL threads, alternating with further enforcer
plans, RUNS of each.  Prints the medians of wall time and CPU of both
processes and their ratios.  Figures only, no verdict.
"""
import concurrent.futures
import os
import shutil
import sys
import tempfile
import time

os.environ.setdefault('BENCH_LATENCY_MS', '0')
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'lib'))
sys.path.insert(0, HERE)
import engine_fleet as ef  # noqa: E402
import pywinrm_replay as peer  # noqa: E402
from benchrows import row  # noqa: E402
import simtest  # noqa: E402

RUNS = int(os.environ.get('RUNS', '3'))
USER = 'CONTOSO\\svc-enforcer'


def replay_fleet(fleet, bodies):
    """Every host's requests through pywinrm, PAR hosts at a time: wall s,
    CPU s of this process, requests sent."""
    def one(name):
        h = fleet.hosts[name]
        peer.replay(peer.session(name, h.port, USER, fleet.ca), bodies[name])
        return len(bodies[name])

    t0, c0 = time.monotonic(), time.process_time()
    with concurrent.futures.ThreadPoolExecutor(ef.PAR) as pool:
        n = sum(pool.map(one, sorted(bodies)))
    return time.monotonic() - t0, time.process_time() - c0, n


def median(xs):
    xs = sorted(xs)
    return xs[(len(xs) - 1) // 2]


def main():
    tmp = tempfile.mkdtemp(prefix='enforcer-bench.')
    trace = os.path.join(tmp, 'trace')
    fleet = simtest.Fleet(ef.FLEET, extra_args=('--trace', trace))
    os.environ['ENFORCER_PASSWORD'] = 'bench-pw'
    peer.resolve_to(dict((n, h.address) for n, h in fleet.hosts.items()))
    ef.desired(tmp, fleet)
    plan = ['plan', '--parallel', str(ef.PAR), tmp]
    rc, _, _, _, p = ef.run(plan)
    if rc not in (0, 2):
        print('plan exited %d: %s' % (rc, p.stderr[-2000:]))
        return 1
    # The first plan's requests, before anything else is traced.
    shutil.copy(trace, trace + '.plan')
    bodies = peer.bodies_by_host(trace + '.plan')
    ours, theirs = [], []
    for _ in range(RUNS):
        rc, dt, cpu, rss, p = ef.run(plan)
        ours.append((dt, sum(cpu)))
        theirs.append(replay_fleet(fleet, bodies))
    fleet.stop()
    shutil.rmtree(tmp, ignore_errors=True)
    n = len(bodies)
    req = sum(len(b) for b in bodies.values())
    w1, c1 = median([o[0] for o in ours]), median([o[1] for o in ours])
    w2, c2 = median([t[0] for t in theirs]), median([t[1] for t in theirs])
    print('hosts %d, --parallel %d, latency %d ms, %d requests/host, '
          'RUNS %d (medians)' % (n, ef.PAR, ef.LAT, req // n, RUNS))
    print('enforcer plan: %.2f s wall, %.1f ms CPU/host' %
          (w1, 1000.0 * c1 / n))
    print('pywinrm, the same requests, %d threads: %.2f s wall, '
          '%.1f ms CPU/host' % (ef.PAR, w2, 1000.0 * c2 / n))
    print('enforcer speed-up over pywinrm: %.1fx wall, %.1fx CPU' %
          (w2 / w1, c2 / c1))
    row('pywinrm_loopback', '%.2f' % (w2 / w1), n,
        'wall; %.1fx in CPU' % (c2 / c1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
