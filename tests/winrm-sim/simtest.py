"""simtest: a small WS-Management client and fleet runner for the
simulator's end-to-end tests.  Standard library only, /usr/bin/python3.

As a library (tests/e2e/sim_*.py):
    fleet = Fleet(yaml_text)        # starts bin/winrm-sim, waits for ready
    status, root = fleet.soap(host, action, uri, body, selectors=...)
    fleet.ctl('GET', '/hosts/NAME/state')
    fleet.stop()                    # SIGTERM; returns the exit status

As a command (tests/e2e/sim_*.sh):
    simtest.py soap ADDRESS NAME CA USER PASSWORD ACTION URI [BODY]
        [--selector K=V]... [--option K=V]... [--auth HEADER] [--raw]
    prints the HTTP status on the first line, then the reply body.
"""
import base64
import http.client
import os
import queue
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import xml.etree.ElementTree as ET

NS = {
    's': 'http://www.w3.org/2003/05/soap-envelope',
    'a': 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
    'w': 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
    'p': 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
    'n': 'http://schemas.xmlsoap.org/ws/2004/09/enumeration',
    'x': 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
    'f': 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
    'rsp': 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
}
TRANSFER = NS['x'] + '/'
ENUMERATION = NS['n'] + '/'
WSMAN = 'http://schemas.microsoft.com/wbem/wsman/1'
ANONYMOUS = NS['a'] + '/role/anonymous'
TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
WINRM_SIM = os.environ.get('WINRM_SIM', os.path.join(TOP, 'bin', 'winrm-sim'))


def subnet(blocks=1):
    """A 127.X.Y prefix of this process's own, so that test suites run side
    by side on one machine never bind the same address.

    One /24 per process id in 127.100-249.Y: distinct for every pid below
    37,500 (Linux's default pid_max is 32,768), and the same function of
    the pid as tests/e2e/lib/e2e.sh (e2e_subnet) and test_wsman_sim.c, so
    two live processes never share one.  A fleet that spills over up to 4
    consecutive /24s (blocks; 1,000 generated hosts) gets them in
    127.1-99.Y instead, 4-aligned: two such fleets meet only if their pids
    are equal modulo 6,336."""
    pid = os.getpid()
    if blocks == 1:
        return '127.%d.%d' % (100 + pid % 150, (pid // 150) % 250)
    if not 1 < blocks <= 4:
        raise ValueError('subnet: at most 4 blocks')
    i = pid % (99 * 64)
    return '127.%d.%d' % (1 + i // 64, (i % 64) * 4)


FAILURES = []


def check(what, ok, detail=''):
    """One 'ok'/'FAIL' line; failures are kept in FAILURES."""
    print('%s %s%s' % ('ok  ' if ok else 'FAIL', what,
                       '' if ok else ': ' + repr(detail)))
    if not ok:
        FAILURES.append(what)


def escape(s):
    return (s.replace('&', '&amp;').replace('<', '&lt;')
            .replace('>', '&gt;').replace('"', '&quot;'))


def envelope(action, uri, body='', selectors=None, options=None,
             message_id=None, extra_headers='', max_envelope=153600):
    """A request envelope shaped as pypsrp sends it (see Envelopes in
    docs/windows-behaviour.md)."""
    sel = opt = ''
    if selectors:
        sel = '<w:SelectorSet>%s</w:SelectorSet>' % ''.join(
            '<w:Selector Name="%s">%s</w:Selector>' % (escape(k), escape(v))
            for k, v in selectors.items())
    if options:
        opt = '<w:OptionSet s:mustUnderstand="true">%s</w:OptionSet>' % \
            ''.join('<w:Option Name="%s">%s</w:Option>' %
                    (escape(k), escape(v)) for k, v in options.items())
    mid = message_id or 'uuid:' + str(uuid.uuid4()).upper()
    return (
        '<s:Envelope xmlns:s="%s" xmlns:a="%s" xmlns:w="%s" xmlns:p="%s">'
        '<s:Header><a:Action s:mustUnderstand="true">%s</a:Action>'
        '<p:DataLocale s:mustUnderstand="false" xml:lang="en-US" />'
        '<w:Locale s:mustUnderstand="false" xml:lang="en-US" />'
        '<w:MaxEnvelopeSize s:mustUnderstand="true">%d</w:MaxEnvelopeSize>'
        '<a:MessageID>%s</a:MessageID>'
        '<w:OperationTimeout>PT20S</w:OperationTimeout>'
        '<a:ReplyTo><a:Address s:mustUnderstand="true">%s</a:Address>'
        '</a:ReplyTo>'
        '<w:ResourceURI s:mustUnderstand="true">%s</w:ResourceURI>'
        '<a:To>https://windows-host:5986/wsman</a:To>%s%s%s</s:Header>'
        '<s:Body>%s</s:Body></s:Envelope>' % (
            NS['s'], NS['a'], NS['w'], NS['p'], escape(action), max_envelope,
            mid, ANONYMOUS, escape(uri), sel, opt, extra_headers, body))


def https(address, port, name, ca, timeout=20):
    """An HTTPS connection to address, its certificate checked against
    name (as libcurl's CONNECT_TO does)."""
    ctx = ssl.create_default_context(cafile=ca)
    conn = http.client.HTTPSConnection(address, port, context=ctx,
                                       timeout=timeout)
    raw = socket.create_connection((address, port), timeout=timeout)
    # http.client sends the head and the body apart: without this, Nagle
    # holds the body back for the server's delayed ACK (40 ms a request).
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.sock = ctx.wrap_socket(raw, server_hostname=name)
    return conn


def basic(user, password):
    return 'Basic ' + base64.b64encode(
        ('%s:%s' % (user, password)).encode('utf-8')).decode('ascii')


def post(address, port, name, ca, data, authorization, path='/wsman',
         method='POST', timeout=20):
    """One request; returns (status, [(header, value)], body bytes)."""
    conn = https(address, port, name, ca, timeout)
    headers = {'Content-Type': 'application/soap+xml;charset=UTF-8'}
    if authorization:
        headers['Authorization'] = authorization
    try:
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        return r.status, r.getheaders(), r.read()
    finally:
        conn.close()


def fault(root):
    """(subcode, WSManFault Code, reason text) of a fault envelope."""
    sub = root.findtext('.//s:Subcode/s:Value', '', NS)
    wf = root.find('.//f:WSManFault', NS)
    code = wf.get('Code') if wf is not None else None
    if code is None:
        code = root.findtext('.//{*}error_Code', None)
    return sub, code, root.findtext('.//s:Reason/s:Text', '', NS)


class Host:
    def __init__(self, name, address, port):
        self.name, self.address, self.port = name, address, int(port)


class Fleet:
    """A simulator process serving a fleet file, stopped by stop()."""

    def __init__(self, yaml_text, user='CONTOSO\\svc-enforcer',
                 password='secret', timeout=120, extra_args=()):
        self.dir = tempfile.mkdtemp(prefix='sim-')
        self.ca = os.path.join(self.dir, 'ca.pem')
        self.user, self.password = user, password
        path = os.path.join(self.dir, 'fleet.yaml')
        with open(path, 'w') as f:
            f.write(yaml_text)
        self.err = open(os.path.join(self.dir, 'stderr'), 'w+')
        self.proc = subprocess.Popen(
            [WINRM_SIM, '--fleet', path, '--ca-out', self.ca] +
            list(extra_args), stdout=subprocess.PIPE, stderr=self.err,
            text=True)
        self.hosts, self.control = {}, None
        self.started = time.monotonic()
        lines = queue.Queue()
        threading.Thread(target=self._read, args=(lines,),
                         daemon=True).start()
        deadline = self.started + timeout
        while True:
            try:
                words = lines.get(timeout=max(0.1, deadline -
                                              time.monotonic())).split()
            except queue.Empty:
                break
            if words[:1] == ['control']:
                self.control = words[1]
            elif words[:1] == ['ready']:
                addr, port = words[2].rsplit(':', 1)
                self.hosts[words[1]] = Host(words[1], addr, port)
            elif words[:2] == ['fleet', 'ready'] or not words:
                break
        self.startup = time.monotonic() - self.started
        if self.control is None or not self.hosts:
            self.stop()
            raise RuntimeError('simulator did not start: ' + self.stderr())

    def _read(self, lines):
        for line in self.proc.stdout:
            lines.put(line)
        lines.put('')

    def stderr(self):
        if self.err.closed:
            return self.err_text
        self.err.flush()
        self.err.seek(0)
        return self.err.read()

    def stop(self):
        """SIGTERM, wait, remove the work directory; the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.err.closed:
            self.err_text = self.stderr()
            self.err.close()
            shutil.rmtree(self.dir, ignore_errors=True)
        return self.proc.returncode

    def ctl(self, method, path, body=None):
        args = [WINRM_SIM, 'ctl', self.control, method, path]
        if body is not None:
            args.append(body)
        r = subprocess.run(args, capture_output=True, text=True, timeout=30)
        return r.returncode, r.stdout + r.stderr

    def ctl_http(self, method, path):
        """ctl() over one kept-alive connection: (HTTP status, text).  A
        benchmark asking 10,000 hosts for their counters would otherwise
        start 20,000 ctl processes."""
        if getattr(self, '_ctl_conn', None) is None:
            addr, port = self.control.rsplit(':', 1)
            self._ctl_conn = http.client.HTTPConnection(addr, int(port),
                                                        timeout=30)
        self._ctl_conn.request(method, path)
        r = self._ctl_conn.getresponse()
        return r.status, r.read().decode('utf-8', 'replace')

    def post(self, host, data, authorization=None, **kw):
        if authorization is None:
            authorization = basic(self.user, self.password)
        return post(host.address, host.port, host.name, self.ca, data,
                    authorization, **kw)

    def soap(self, host, action, uri, body='', authorization=None, **kw):
        """(HTTP status, parsed reply root)."""
        status, _, data = self.post(host, envelope(action, uri, body, **kw),
                                    authorization)
        return status, ET.fromstring(data)


def main(argv):
    if len(argv) < 8 or argv[0] != 'soap':
        sys.stderr.write(__doc__)
        return 2
    addr, name, ca, user, pw, action, uri = argv[1:8]
    rest = argv[8:]
    body, selectors, options, auth = '', {}, {}, basic(user, pw)
    while rest:
        a = rest.pop(0)
        if a in ('--selector', '--option'):
            k, v = rest.pop(0).split('=', 1)
            (selectors if a == '--selector' else options)[k] = v
        elif a == '--auth':
            auth = rest.pop(0)
        else:
            body = a
    host, _, port = addr.partition(':')
    status, _, data = post(host, int(port or 5986), name, ca,
                           envelope(action, uri, body, selectors, options),
                           auth)
    sys.stdout.write('%d\n%s\n' % (status, data.decode('utf-8')))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
