#!/usr/bin/python3
"""pywinrm_replay.py TRACE HOST ADDRESS PORT CA USER RUNS

The peer baseline: pywinrm (Debian python3-winrm) sending the WS-Man
requests one enforcer plan sent to HOST, as winrm-sim --trace recorded
them, in the same order, the way pywinrm works: one request at a time on
one kept-alive session, a new one for each replay.  The same reads, so
the ratio of the two wall times is the speed-up.  Shell, command and
enumeration ids in the recorded requests are replaced by the ones this
session's replies give.  NTLM over HTTPS (the domain account, as the
enforcer logs on; Windows takes Basic for local accounts only), the
password from ENFORCER_PASSWORD; the host's name is resolved to ADDRESS,
as DNS would.

Prints "pywinrm: MS ms wall (median of RUNS), CPU_MS ms CPU a replay,
N requests".  tests/bench/fleet_pywinrm.py imports it for a fleet.
"""
import base64
import os
import re
import socket
import sys
import time
import uuid

from winrm.protocol import Protocol

IDS = [
    (re.compile(r'(<[\w:]*Selector Name="ShellId"[^>]*>)([^<]+)(<)'),
     re.compile(r'Name="ShellId"[^>]*>([^<]+)<')),
    (re.compile(r'(CommandId=")([^"]+)(")'),
     re.compile(r'<[\w:]*CommandId>([^<]+)<')),
    (re.compile(r'(<[\w:]*EnumerationContext[^>]*>)([^<]+)(<)'),
     re.compile(r'<[\w:]*EnumerationContext[^>]*>([^<]+)<')),
]
MSGID = re.compile(r'(<[\w:]*MessageID[^>]*>)uuid:[^<]+(<)')


def bodies_by_host(trace):
    """Each host's recorded request bodies, in arrival order."""
    out = {}
    with open(trace) as f:
        for line in f:
            # "seconds host action resource [...] BODY": the body last.
            fields = line.split()
            if len(fields) >= 5:
                out.setdefault(fields[1], []).append(
                    base64.b64decode(fields[-1]).decode('utf-8'))
    return out


def resolve_to(addresses):
    """Resolve the names in `addresses` (name -> address) as DNS would."""
    real = socket.getaddrinfo

    def resolve(name, *args, **kw):
        return real(addresses.get(name, name), *args, **kw)

    socket.getaddrinfo = resolve


def session(host, port, user, ca):
    """A new pywinrm session: no connection yet, as a run starts."""
    return Protocol('https://%s:%s/wsman' % (host, port), transport='ntlm',
                    username=user, password=os.environ['ENFORCER_PASSWORD'],
                    server_cert_validation='validate', ca_trust_path=ca)


def replay(p, bodies):
    latest = [None] * len(IDS)
    for body in bodies:
        body = MSGID.sub(r'\g<1>uuid:%s\g<2>' % str(uuid.uuid4()).upper(),
                         body)
        for i, (use, _) in enumerate(IDS):
            if latest[i] is not None:
                body = use.sub(r'\g<1>%s\g<3>' % latest[i], body)
        reply = p.send_message(body)
        if isinstance(reply, bytes):
            reply = reply.decode('utf-8', 'replace')
        for i, (_, get) in enumerate(IDS):
            m = get.search(reply)
            if m:
                latest[i] = m.group(1)


def main(argv):
    trace, host, address, port, ca, user, runs = argv[1:8]
    runs = int(runs)
    bodies = bodies_by_host(trace).get(host, [])
    resolve_to({host: address})
    walls = []
    cpu0 = time.process_time()
    for _ in range(runs):
        t0 = time.monotonic()
        replay(session(host, port, user, ca), bodies)
        walls.append((time.monotonic() - t0) * 1000)
    cpu = (time.process_time() - cpu0) * 1000 / runs
    walls.sort()
    print('pywinrm: %d ms wall (median of %d), %d ms CPU a replay, '
          '%d requests' % (walls[(len(walls) - 1) // 2], runs, cpu,
                           len(bodies)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
