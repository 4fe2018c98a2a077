"""sim_http_encryption.py: the simulator's HTTP listener with WinRM message
encryption, against a third-party client: pywinrm (Debian python3-winrm,
its NTLM session security from ntlm-auth) over http:// with
message_encryption='always' runs commands; the same client in clear is
refused while AllowUnencrypted is false; Basic over HTTP is refused;
ground truth changed through a sealed request shows in the control
interface.

ntlm-auth computes the NT hash with hashlib's MD4, which OpenSSL 3 keeps
in its legacy provider: the process runs with an OPENSSL_CONF that
activates it (NOTES section 11).
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'winrm-sim'))
import simtest  # noqa: E402

CONF = """openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
legacy = legacy_sect
[default_sect]
activate = 1
[legacy_sect]
activate = 1
"""
NET = simtest.subnet()
FLEET = r"""
defaults:
  users: { 'CONTOSO\svc-enforcer': { password: 'secret', admin: true } }
  accounts: [ 'CONTOSO\bob' ]
  groups: { 'Gateway Administrators': { members: [] } }
hosts:
  h1.contoso.test: { address: %(net)s.1, http_port: 5985 }
  h2.contoso.test:
    address: %(net)s.2
    http_port: 5985
    winrm: { service: { auth: { Basic: true } } }
    users: { Administrator: { password: 'secret', admin: true } }
""" % {'net': NET}
CLIENT = r"""
import sys
import winrm
url, user, password, how = sys.argv[1:5]
try:
    s = winrm.Session(url, auth=(user, password),
                      transport='basic' if how == 'basic' else 'ntlm',
                      message_encryption=how if how != 'basic' else 'auto')
    for cmd in sys.argv[5:]:
        r = s.run_cmd(cmd)
        print(r.status_code, r.std_out.decode().strip())
except winrm.exceptions.InvalidCredentialsError:
    print('refused')
"""
check = simtest.check


def client(tmp, host, how, *cmds, user='CONTOSO\\svc-enforcer'):
    env = dict(os.environ, OPENSSL_CONF=os.path.join(tmp, 'openssl.cnf'))
    p = subprocess.run([sys.executable, '-c', CLIENT,
                        'http://%s:5985/wsman' % host, user, 'secret',
                        how] + list(cmds), env=env, capture_output=True,
                       text=True, timeout=60)
    return (p.stdout + p.stderr).strip()


def main():
    with tempfile.TemporaryDirectory(prefix='enforcer-http.') as tmp:
        with open(os.path.join(tmp, 'openssl.cnf'), 'w') as f:
            f.write(CONF)
        fleet = simtest.Fleet(FLEET)
        try:
            run(tmp, fleet)
        finally:
            rc = fleet.stop()
            check('simulator exits 0 on SIGTERM', rc == 0,
                  (rc, fleet.stderr()[-2000:]))
    print('%d failure(s)' % len(simtest.FAILURES))
    return 1 if simtest.FAILURES else 0


def run(tmp, fleet):
    h1 = NET + '.1'
    out = client(tmp, h1, 'always', 'hostname', 'whoami',
                 'net localgroup "Gateway Administrators" CONTOSO\\bob /add')
    check('pywinrm, NTLM with message encryption over HTTP', out ==
          '0 h1\n0 contoso\\svc-enforcer\n0 The command completed '
          'successfully.', out)
    _, got = fleet.ctl('GET', '/hosts/h1.contoso.test/get?key=group.Gateway'
                    '%20Administrators.members')
    check('ground truth changed through a sealed request',
          got.strip() == 'CONTOSO\\bob', got)
    check('the same client in clear: refused (AllowUnencrypted false)',
          client(tmp, h1, 'never', 'hostname') == 'refused')
    # A local account, as Basic needs: refused for the clear HTTP alone.
    check('Basic over HTTP: refused', client(tmp, NET + '.2', 'basic',
          'hostname', user='Administrator') == 'refused')


if __name__ == '__main__':
    sys.exit(main())
