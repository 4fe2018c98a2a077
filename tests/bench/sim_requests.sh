#!/bin/sh
# sim_requests.sh: requests per second the simulator answers, one event
# loop for the whole fleet: config Gets on keep-alive connections (8 client
# threads over 8 hosts), then whole cmd.exe round trips (shell Create,
# Command, Receive, Signal, Delete).  The Python client shares the two
# cores, so these are lower bounds.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export TOP
exec /usr/bin/python3 - <<'PY'
import concurrent.futures as cf, os, re, sys, time
sys.path.insert(0, os.path.join(os.environ['TOP'], 'tests', 'winrm-sim'))
import simtest as t
net = t.subnet()
yaml = r"""
defaults:
  users: { Administrator: { password: 'pw', admin: true } }
  winrm: { service: { auth: { Basic: true } } }
hosts:
%s
""" % '\n'.join('  h%d.bench.test: { address: %s.%d }' % (i, net, i + 1)
                for i in range(8))
fleet = t.Fleet(yaml, user='Administrator', password='pw')
auth = t.basic('Administrator', 'pw')
get = t.envelope(t.TRANSFER + 'Get', t.WSMAN + '/config')

def gets(h, n=400):
    c = t.https(h.address, h.port, h.name, fleet.ca)
    for _ in range(n):
        c.request('POST', '/wsman', body=get, headers={'Authorization': auth,
                  'Content-Type': 'application/soap+xml;charset=UTF-8'})
        r = c.getresponse()
        r.read()
        assert r.status == 200
    c.close()
    return n

SH = t.WSMAN + '/windows/shell/cmd'
def roundtrip(h, n=40):
    for _ in range(n):
        s, root = fleet.soap(h, t.TRANSFER + 'Create', SH, '<rsp:Shell xmlns:rsp="%s"><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>' % t.NS['rsp'])
        shell = root.find('.//w:Selector', t.NS).text
        sel = {'ShellId': shell}
        s, root = fleet.soap(h, t.NS['rsp'] + '/Command', SH, '<rsp:CommandLine xmlns:rsp="%s"><rsp:Command>hostname</rsp:Command></rsp:CommandLine>' % t.NS['rsp'], selectors=sel)
        cid = root.find('.//rsp:CommandId', t.NS).text
        s, root = fleet.soap(h, t.NS['rsp'] + '/Receive', SH, '<rsp:Receive xmlns:rsp="%s"><rsp:DesiredStream CommandId="%s">stdout stderr</rsp:DesiredStream></rsp:Receive>' % (t.NS['rsp'], cid), selectors=sel)
        fleet.soap(h, t.NS['rsp'] + '/Signal', SH, '<rsp:Signal xmlns:rsp="%s" CommandId="%s"><rsp:Code>%s/signal/terminate</rsp:Code></rsp:Signal>' % (t.NS['rsp'], cid, t.NS['rsp']), selectors=sel)
        fleet.soap(h, t.TRANSFER + 'Delete', SH, selectors=sel)
    return n

try:
    hosts = list(fleet.hosts.values())
    for name, fn in (('config Get, keep-alive', gets), ('cmd.exe round trip (5 requests, new TLS each)', roundtrip)):
        start = time.monotonic()
        with cf.ThreadPoolExecutor(len(hosts)) as pool:
            n = sum(pool.map(fn, hosts))
        took = time.monotonic() - start
        print('%s: %d in %.2f s = %.0f/s' % (name, n, took, n / took))
finally:
    fleet.stop()
PY
