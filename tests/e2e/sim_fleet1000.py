"""sim_fleet1000.py: 1,000 simulated hosts in one process.

Starts them, prints the start-up time and the resident memory (figures, not
checks: timing is tests/bench's), then sends every host one authenticated
WS-Management request over its own TLS connection and checks that all 1,000
answer.
"""
import concurrent.futures as cf
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'winrm-sim'))
import simtest as t

N = 1000
net = t.subnet(blocks=4)  # 1,000 addresses: 4 /24s
fleet_yaml = r"""
defaults:
  # Basic over HTTPS with a local account, as Windows takes it.
  users: { Administrator: { password: 'secret', admin: true } }
  winrm: { service: { auth: { Basic: true } } }
hosts:
  host0001.fleet.test: { address: %s.1 }
generate:
  - { count: %d, name: 'gen%%04d.fleet.test', first_address: %s.2,
      like: host0001.fleet.test }
""" % (net, N - 1, net)

fleet = t.Fleet(fleet_yaml, timeout=300)
failures = []
try:
    with open('/proc/%d/status' % fleet.proc.pid) as f:
        rss = [l.split()[1] for l in f if l.startswith('VmRSS:')][0]
    print('start-up: %d hosts in %.2f s, RSS %.1f MB' % (
        len(fleet.hosts), fleet.startup, int(rss) / 1024.0))
    if len(fleet.hosts) != N:
        failures.append('%d hosts ready, wanted %d' % (len(fleet.hosts), N))
    auth = t.basic('Administrator', 'secret')
    body = t.envelope(t.TRANSFER + 'Get', t.WSMAN + '/config/service/auth')

    def ask(h):
        for attempt in range(3):
            try:
                s, _, data = t.post(h.address, h.port, h.name, fleet.ca,
                                    body, auth, timeout=60)
                return h.name, s, b'<cfg:Auth' in data
            except OSError as e:
                err = e
                time.sleep(0.2)
        return h.name, str(err), False

    start = time.monotonic()
    with cf.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(ask, fleet.hosts.values()))
    took = time.monotonic() - start
    bad = [r for r in results if r[1] != 200 or not r[2]]
    print('requests: %d hosts answered in %.2f s (%.0f requests/s, a TLS '
          'handshake each)' % (N - len(bad), took, N / took))
    if bad:
        failures.append('%d hosts did not answer, e.g. %r' % (len(bad),
                        bad[:3]))
finally:
    rc = fleet.stop()
    if rc != 0:
        failures.append('exit status %s: %s' % (rc, fleet.stderr()[-2000:]))
for f in failures:
    print('FAIL ' + f)
print('ok' if not failures else '%d failure(s)' % len(failures))
sys.exit(1 if failures else 0)
