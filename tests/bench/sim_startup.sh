#!/bin/sh
# sim_startup.sh: how long the simulator takes to issue 1,000 certificates
# and listen on 1,000 addresses, and the memory it then holds; three runs.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export TOP
exec /usr/bin/python3 - <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ['TOP'], 'tests', 'winrm-sim'))
import simtest as t
net = t.subnet(blocks=4)  # 1,000 addresses: 4 /24s
yaml = """
hosts:
  h0.bench.test: { address: %s.1 }
generate:
  - { count: 999, name: 'h%%d.bench.test', first_address: %s.2, like: h0.bench.test }
""" % (net, net)
for run in range(3):
    fleet = t.Fleet(yaml, timeout=300)
    with open('/proc/%d/status' % fleet.proc.pid) as f:
        rss = int([l.split()[1] for l in f if l.startswith('VmRSS:')][0])
    print('run %d: %d hosts ready in %.2f s, RSS %.1f MB' % (
        run + 1, len(fleet.hosts), fleet.startup, rss / 1024.0))
    fleet.stop()
PY
