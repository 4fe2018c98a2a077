"""fleet_shards.py: the sharded fleet of tests/e2e/fleet_shards.py at
2,000 hosts (BENCH_SHARD_HOSTS): 4 then 5 shards as concurrent processes,
one shared bare history repository.  Prints the wall time of each round
and of the fleet-wide history read, then the e2e checks (every host
handled exactly once, every trail kept) on the whole fleet.
"""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
N = os.environ.get('BENCH_SHARD_HOSTS', '2000')
t0 = time.monotonic()
p = subprocess.run([sys.executable, os.path.join(HERE, '..', 'e2e',
                                                 'fleet_shards.py')],
                   env=dict(os.environ, SHARD_FLEET_HOSTS=N,
                            SHARD_PARALLEL=os.environ.get(
                                'BENCH_SHARD_PARALLEL', '16')), text=True,
                   capture_output=True)
for line in p.stdout.splitlines():
    if not line.startswith('ok  '):
        print(line)
print('total: %s hosts in %.1f s (start-up, 2 rounds, checks)' % (
    N, time.monotonic() - t0))
if p.returncode != 0:
    print(p.stderr[-2000:])
sys.exit(p.returncode)
