"""auth_ntlm_gss.py: the enforcer's NTLM tokens checked by an acceptor
that is not ours: Debian's gss-ntlmssp through python3-gssapi, behind a
small HTTPS server on a loopback address chosen per run that offers only
`Negotiate`, as WinRM does.

 - the enforcer logs on (NTLMv2 in the Negotiate scheme) and reads
   the configuration tree (trusted_hosts' part): the acceptor saw CONTOSO\\svc-enforcer with channel
   bindings that match the server's certificate (channel_bound)
 - with the acceptor expecting other bindings (as for a certificate the
   client never saw), the same logon is refused: the client's bindings are
   really there and really checked
 - a wrong password is refused, with one line naming the host
"""
import gssapi
import hashlib
import http.server
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'winrm-sim'))
import simtest  # noqa: E402

NTLM = gssapi.OID.from_int_seq('1.3.6.1.4.1.311.2.2.10')
HOST = 'gss.contoso.test'
PASSWORD = 'gss-Pa55w.rd'
REPLY = (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
    'xmlns:cfg="http://schemas.microsoft.com/wbem/wsman/1/config">'
    '<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/'
    'GetResponse</a:Action><a:MessageID>uuid:5C4E1A0E-0000-4000-8000-'
    '000000000001</a:MessageID><a:To>http://schemas.xmlsoap.org/ws/2004/08/'
    'addressing/role/anonymous</a:To><a:RelatesTo>%s</a:RelatesTo>'
    '</s:Header><s:Body><cfg:Config><cfg:Client><cfg:NetworkDelayms>5000'
    '</cfg:NetworkDelayms><cfg:URLPrefix>wsman</cfg:URLPrefix>'
    '<cfg:AllowUnencrypted>false</cfg:AllowUnencrypted>'
    '<cfg:TrustedHosts>*.contoso.test</cfg:TrustedHosts></cfg:Client>'
    '</cfg:Config></s:Body></s:Envelope>')
failures = simtest.FAILURES
check = simtest.check


class Acceptor:
    """What the server saw, and the bindings it expects."""

    def __init__(self, bindings):
        self.bindings = bindings
        self.seen = []          # (initiator, channel_bound) per logon
        self.refused = 0


def handler(acc):
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def log_message(self, *a):
            pass

        def reply(self, status, headers=(), body=b''):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get('Content-Length',
                                                        0)))
            auth = self.headers.get('Authorization', '')
            if not auth.startswith('Negotiate '):
                if getattr(self, 'authed', False):
                    return self.answer(body)
                return self.reply(401, [('WWW-Authenticate', 'Negotiate')])
            if not hasattr(self, 'ctx') or self.ctx.complete:
                creds = gssapi.Credentials(usage='accept', mechs=[NTLM])
                self.ctx = gssapi.SecurityContext(
                    creds=creds, usage='accept',
                    channel_bindings=acc.bindings)
            try:
                out = self.ctx.step(simtest.base64.b64decode(auth[10:]))
            except gssapi.exceptions.GSSError:
                acc.refused += 1
                del self.ctx
                return self.reply(401, [('WWW-Authenticate', 'Negotiate')])
            if not self.ctx.complete:
                return self.reply(401, [(
                    'WWW-Authenticate',
                    'Negotiate ' + simtest.base64.b64encode(out).decode())])
            flags = self.ctx.actual_flags
            # gss-ntlmssp's display name ends with a NUL.
            acc.seen.append((str(self.ctx.initiator_name).rstrip('\0'),
                             gssapi.RequirementFlag.channel_bound in flags))
            self.authed = True
            self.answer(body)

        def answer(self, body):
            m = re.search(rb'<[^>]*MessageID>([^<]*)<', body)
            reply = REPLY % (m.group(1).decode() if m else '')
            self.reply(200, [('Content-Type',
                              'application/soap+xml;charset=UTF-8')],
                       reply.encode())
    return H


def serve(tmp, address, acc):
    srv = http.server.ThreadingHTTPServer((address, 0), handler(acc))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(tmp, 'cert.pem'),
                        os.path.join(tmp, 'key.pem'))
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def enforcer(tmp, address, port, password, *args):
    ds = os.path.join(tmp, 'ds')
    os.makedirs(ds, exist_ok=True)
    with open(os.path.join(ds, 'hosts.yaml'), 'w') as f:
        f.write('connection:\n  auth: ntlm\n  username: CONTOSO\\svc-enforcer'
                '\n  password_env: GSS_PASSWORD\n  ca_file: %s\n'
                '  timeout: 10s\n  port: %d\nhosts:\n  %s: { address: %s }\n'
                'policies:\n  %s:\n    trusted_hosts: { hosts: '
                "['*.contoso.test'] }\n" % (os.path.join(tmp, 'cert.pem'),
                                            port, HOST, address, HOST))
    env = dict(os.environ, GSS_PASSWORD=password,
               ENFORCER_HISTORY=os.path.join(tmp, 'history'))
    if env.get('SAN') == '1':
        # gss-ntlmssp's leak is suppressed by module (tests/lsan.supp).
        env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', '') + \
            ':fast_unwind_on_malloc=0'
    p = subprocess.run([os.environ.get('ENFORCER', os.path.join(
        simtest.TOP, 'bin', 'enforcer'))] + list(args) + [ds], env=env,
        capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def main():
    tmp = tempfile.mkdtemp(prefix='enforcer-gss.')
    try:
        return run(tmp)
    finally:
        shutil.rmtree(tmp)


def run(tmp):
    address = simtest.subnet() + '.77'
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048',
                    '-nodes', '-subj', '/CN=' + HOST, '-addext',
                    'subjectAltName=DNS:' + HOST, '-days', '2', '-keyout',
                    os.path.join(tmp, 'key.pem'), '-out',
                    os.path.join(tmp, 'cert.pem')], check=True,
                   capture_output=True)
    with open(os.path.join(tmp, 'users'), 'w') as f:
        f.write('CONTOSO:svc-enforcer:%s\n' % PASSWORD)
    os.environ['NTLM_USER_FILE'] = os.path.join(tmp, 'users')
    der = ssl.PEM_cert_to_DER_cert(open(os.path.join(tmp,
                                                     'cert.pem')).read())
    right = gssapi.raw.ChannelBindings(
        application_data=b'tls-server-end-point:' +
        hashlib.sha256(der).digest())
    wrong = gssapi.raw.ChannelBindings(
        application_data=b'tls-server-end-point:' + b'\0' * 32)

    acc = Acceptor(right)
    srv = serve(tmp, address, acc)
    port = srv.server_address[1]
    rc, out = enforcer(tmp, address, port, PASSWORD, 'plan')
    check('enforcer logs on through gss-ntlmssp and reads the host',
          rc == 0 and '%s: in sync' % HOST in out, (rc, out))
    check('the acceptor saw the account, channel-bound',
          acc.seen[:1] == [('CONTOSO\\svc-enforcer', True)], acc.seen)
    srv.shutdown()

    acc = Acceptor(wrong)
    srv = serve(tmp, address, acc)
    rc, out = enforcer(tmp, address, srv.server_address[1], PASSWORD, 'plan')
    check('other bindings expected: refused', rc == 3 and acc.seen == []
          and acc.refused >= 1, (rc, acc.seen, acc.refused, out))
    srv.shutdown()

    acc = Acceptor(right)
    srv = serve(tmp, address, acc)
    rc, out = enforcer(tmp, address, srv.server_address[1], 'wrong', 'plan')
    check('wrong password refused, one line naming the host',
          rc == 3 and re.search(
              r"^%s: failed: .*ntlm authentication refused for user "
              r"'CONTOSO\\svc-enforcer' \(HTTP 401; server offers: "
              r"Negotiate\): check the user name and password$" %
              re.escape(HOST), out, re.M) is not None and
          acc.refused >= 1, (rc, out))
    srv.shutdown()
    print('%d failure(s)' % len(failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
