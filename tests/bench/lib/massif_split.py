"""massif_split.py FILE [SNAPSHOT]: the heap of one snapshot of a valgrind
massif profile (default: its peak), split by who allocated it.

Run massif with stacks deep enough to reach the enforcer's own frames
(`valgrind --tool=massif --depth=80 --threshold=0.05`).  Each allocation
site's whole stack is matched against the parts below, in order; the first
part one of whose frames it names (and, for some, whose allocator is the
one named) takes the bytes (docs/performance.md,
"Memory of a fleet run").
"""
import re
import sys

# (part, frames any of which places a site there, frames one of which must
# also be among the site's three innermost, or None).
PARTS = (
    ("history: libgit2's object cache (the facts' reads)", ('record_facts_load',),
     ('libgit2',)),
    ('history facts, and the log read for them (record_facts_load)',
     ('record_facts_load',)),
    ('last states (record_last_load, record_last_get)',
     ('record_last_load', 'record_last_get')),
    ('desired state, model', ('desired_load', 'model_load')),
    ('history: libgit2, the record', ('history_', 'record_run', 'libgit2')),
    ('in flight: GSSAPI / NTLM contexts',
     ('gssapi', 'gss_', 'negotiate', 'iconv', 'gconv')),
    ('in flight: TLS (OpenSSL)', ('libssl', 'libcrypto', 'tlsstore')),
    ('in flight: libcurl', ('libcurl', 'transport.c')),
    ('hosts: desired, observed, verified trees, changes, texts',
     ('engine_', 'states/', 'state_')),
)


def snapshots(lines):
    """(number, heap, extra, kind, first tree line, end) of each one."""
    out = []
    for i, line in enumerate(lines):
        if line.startswith('snapshot='):
            out.append({'n': int(line.split('=')[1]), 'start': i})
    for k, s in enumerate(out):
        end = out[k + 1]['start'] if k + 1 < len(out) else len(lines)
        s['end'] = end
        for j in range(s['start'], end):
            key, _, value = lines[j].partition('=')
            if key == 'mem_heap_B':
                s['heap'] = int(value)
            elif key == 'mem_heap_extra_B':
                s['extra'] = int(value)
            elif key == 'heap_tree':
                s['kind'] = value
                s['tree'] = j + 1
    return out


def leaves(lines, s):
    """(bytes, stack from malloc outwards) of each allocation site."""
    stack = []
    for line in lines[s['tree']:s['end']]:
        m = re.match(r'^( *)n(\d+): (\d+) (.*)$', line)
        if not m:
            continue
        depth = len(m.group(1))
        stack = stack[:depth] + [m.group(4)]
        if int(m.group(2)) == 0:
            yield int(m.group(3)), stack


def place(stack):
    """The part an allocation site's stack (malloc first) belongs to."""
    text = ' '.join(stack)
    inner = ' '.join(stack[1:4])
    for part in PARTS:
        name, keys = part[0], part[1]
        if len(part) > 2 and not any(k in inner for k in part[2]):
            continue
        if any(k in text for k in keys):
            return name
    return 'other'


def main():
    lines = open(sys.argv[1]).read().split('\n')
    snaps = snapshots(lines)
    if len(sys.argv) > 2:
        s = [x for x in snaps if x['n'] == int(sys.argv[2])][0]
    else:
        s = [x for x in snaps if x.get('kind') == 'peak'][0]
    if 'tree' not in s or s.get('kind') == 'empty':
        sys.exit('snapshot %d has no heap tree' % s['n'])
    sums = dict((part[0], 0) for part in PARTS)
    sums['other'] = 0
    for size, stack in leaves(lines, s):
        sums[place(stack)] += size
    total = float(sum(sums.values())) or 1.0
    print('snapshot %d: heap %.2f MiB, malloc overhead %.2f MiB' %
          (s['n'], s['heap'] / 1048576.0, s['extra'] / 1048576.0))
    for name in [part[0] for part in PARTS] + ['other']:
        print('  %-62s %6.2f MiB %5.1f%%' %
              (name, sums[name] / 1048576.0, 100.0 * sums[name] / total))
    return 0


if __name__ == '__main__':
    sys.exit(main())
