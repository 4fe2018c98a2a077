"""sim_pywinrm.py: interop with a real third-party WinRM client.

pywinrm (Debian python3-winrm) drives simulated hosts over HTTPS with
certificate validation against the simulator's test CA, the host name
resolved to its loopback address, as a real fleet is reached: the domain
account with NTLM inside the Negotiate scheme; Basic only with a local
account.  Checked: `net localgroup` output and exit codes (success and
"System error 1378"), ground truth changed as seen through the control
interface, a wrong password, Basic refused for a domain account (right
password) and accepted for the local built-in Administrator, Basic
disabled on the service, UAC remote restrictions (a local administrator
other than the built-in one is denied until LocalAccountTokenFilterPolicy
is 1), a SOAP fault through Protocol.send_message, NTLM with channel
bindings (requests-ntlm) and without them (ntlm-auth) under
CbtHardeningLevel Relaxed and Strict, a bare "NTLM" scheme refused as
WinRM refuses it, and an expired certificate refused by the client.
"""
import base64
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'winrm-sim'))
import simtest  # noqa: E402
import winrm  # noqa: E402
from ntlm_auth.ntlm import NtlmContext  # noqa: E402
from winrm.exceptions import InvalidCredentialsError, WinRMError  # noqa: E402

NET = simtest.subnet()
FLEET = r"""
defaults:
  users: { 'CONTOSO\svc-enforcer': { password: 'secret', admin: true },
           'CONTOSO\viewer': { password: 'viewpw', admin: false },
           Administrator: { password: 'localpw', admin: true },
           ops: { password: 'opspw', admin: true } }
  accounts: [ 'CONTOSO\hci-admins', 'CONTOSO\bob' ]
  groups: { 'Gateway Administrators': { members: [ 'CONTOSO\alice' ] } }
  winrm: { service: { auth: { Basic: true } } }
hosts:
  node1.contoso.test: { address: %(net)s.1 }
  node2.contoso.test:
    address: %(net)s.2
    winrm: { service: { auth: { Basic: false } } }
  node3.contoso.test: { address: %(net)s.3, certificate: expired }
""" % {'net': NET}
DASHES = '-' * 79
failures = simtest.FAILURES
check = simtest.check


def resolve_to(fleet):
    """Connect by name to each host's address, as DNS would."""
    real = socket.getaddrinfo

    def fake(host, *args, **kw):
        h = fleet.hosts.get(host)
        return real(h.address if h else host, *args, **kw)
    socket.getaddrinfo = fake


def session(fleet, name, user='CONTOSO\\svc-enforcer', password='secret',
            transport='ntlm'):
    h = fleet.hosts[name]
    return winrm.Session('https://%s:%d/wsman' % (name, h.port),
                         auth=(user, password), transport=transport,
                         server_cert_validation='validate',
                         ca_trust_path=fleet.ca)


def net_localgroup(fleet):
    s = session(fleet, 'node1.contoso.test')
    r = s.run_cmd('net', ['localgroup', '"Gateway Administrators"'])
    out = r.std_out.decode('cp437')
    check('net localgroup exit 0', r.status_code == 0, r.status_code)
    check('net localgroup header',
          out.startswith('Alias name     Gateway Administrators\r\n'), out)
    check('net localgroup members', ('\r\n%s\r\nCONTOSO\\alice\r\nThe command'
          ' completed successfully.\r\n' % DASHES) in out, out)
    r = s.run_cmd('net', ['localgroup', '"Gateway Administrators"',
                          'CONTOSO\\bob', '/add'])
    check('add member exit 0', r.status_code == 0, (r.status_code, r.std_err))
    rc, value = fleet.ctl('GET', '/hosts/node1.contoso.test/get?key='
                          'group.Gateway Administrators.members')
    check('ground truth has the member',
          value.strip() == 'CONTOSO\\alice,CONTOSO\\bob', value)
    r = s.run_cmd('net', ['localgroup', '"Gateway Administrators"',
                          'CONTOSO\\alice', '/add'])
    check('existing member exit 2', r.status_code == 2, r.status_code)
    check('existing member text', r.std_err == b'System error 1378 has '
          b'occurred.\r\n\r\nThe specified account name is already a member '
          b'of the group.\r\n\r\n', r.std_err)
    rc, counters = fleet.ctl('GET', '/hosts/node1.contoso.test/counters')
    check('one write counted', 'writes = 1\n' in counters, counters)


def auth_failures(fleet):
    try:
        session(fleet, 'node1.contoso.test', password='wrong').run_cmd(
            'hostname')
        check('wrong password refused', False, 'accepted')
    except InvalidCredentialsError:
        check('wrong password refused', True)
    rc, counters = fleet.ctl('GET', '/hosts/node1.contoso.test/counters')
    check('auth failure counted', 'auth_failures = 1\n' in counters,
          counters)
    try:
        session(fleet, 'node1.contoso.test',
                transport='basic').run_cmd('hostname')
        check('Basic refused for a domain account', False, 'accepted')
    except InvalidCredentialsError:
        check('Basic refused for a domain account', True)
    r = session(fleet, 'node1.contoso.test', 'Administrator', 'localpw',
                'basic').run_cmd('hostname')
    check('Basic with the local Administrator', r.status_code == 0 and
          r.std_out == b'node1\r\n', (r.status_code, r.std_out))
    try:
        session(fleet, 'node2.contoso.test', 'Administrator', 'localpw',
                'basic').run_cmd('hostname')
        check('Basic disabled refuses Basic', False, 'accepted')
    except InvalidCredentialsError:
        check('Basic disabled refuses Basic', True)


def uac(fleet):
    """A local administrator other than the built-in one logs on (NTLM)
    but gets a filtered token until LocalAccountTokenFilterPolicy is 1."""
    s = session(fleet, 'node1.contoso.test', 'ops', 'opspw')
    try:
        s.run_cmd('hostname')
        check('UAC: filtered local administrator denied', False, 'accepted')
    except WinRMError as e:
        check('UAC: filtered local administrator denied',
              'Access is denied.' in str(e), str(e))
    fleet.ctl('POST', '/hosts/node1.contoso.test/set',
              'reg.SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies'
              '\\System:LocalAccountTokenFilterPolicy = REG_DWORD 1')
    r = session(fleet, 'node1.contoso.test', 'ops', 'opspw').run_cmd(
        'hostname')
    check('UAC: LocalAccountTokenFilterPolicy 1 lets it in',
          r.status_code == 0, r.status_code)


def non_admin(fleet):
    try:
        session(fleet, 'node1.contoso.test', 'CONTOSO\\viewer',
                'viewpw').run_cmd('hostname')
        check('non-admin denied', False, 'accepted')
    except WinRMError as e:
        check('non-admin denied', 'Access is denied.' in str(e) and
              "'wsmanfault_code': '5'" in str(e), str(e))


def send_message(fleet):
    s = session(fleet, 'node1.contoso.test')
    uri = simtest.WSMAN + '/config/service/auth'
    reply = s.protocol.send_message(simtest.envelope(
        simtest.TRANSFER + 'Get', uri)).decode('utf-8')
    check('config Get through send_message',
          '<cfg:Basic>true</cfg:Basic>' in reply and
          'xmlns:cfg="%s"' % uri in reply, reply)
    try:
        s.protocol.send_message(simtest.envelope(
            simtest.TRANSFER + 'Get', simtest.WSMAN + '/wmi/root/cimv2/'
            'Win32_Service', selectors={'Name': 'NoSuchService'}))
        check('fault through send_message', False, 'no fault')
    except WinRMError as e:
        check('fault through send_message', "'wsmanfault_code': "
              "'2150858752'" in str(e) and 'DestinationUnreachable' in
              str(e), str(e))


def ntlm_without_cbt(fleet, host, scheme='Negotiate'):
    """NTLMv2 without channel bindings, as libcurl's NTLM computes it,
    under the given scheme (libcurl sends "NTLM").  HTTP status."""
    h = fleet.hosts[host]
    ctx = NtlmContext('svc-enforcer', 'secret', domain='CONTOSO',
                      cbt_data=None, ntlm_compatibility=3)
    body = simtest.envelope(simtest.TRANSFER + 'Get',
                            simtest.WSMAN + '/config/client')
    conn = simtest.https(h.address, h.port, host, fleet.ca)
    headers = {'Content-Type': 'application/soap+xml;charset=UTF-8'}
    try:
        headers['Authorization'] = scheme + ' ' + \
            base64.b64encode(ctx.step()).decode()
        conn.request('POST', '/wsman', body=body, headers=headers)
        r = conn.getresponse()
        r.read()
        challenge = r.getheader('WWW-Authenticate', '').split(' ', 1)
        if r.status != 401 or challenge[0] != scheme or len(challenge) < 2:
            return r.status
        headers['Authorization'] = scheme + ' ' + base64.b64encode(
            ctx.step(base64.b64decode(challenge[1]))).decode()
        conn.request('POST', '/wsman', body=body, headers=headers)
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


def ntlm(fleet):
    url = session(fleet, 'node1.contoso.test').url
    s = winrm.Session(url, auth=('CONTOSO\\svc-enforcer', 'secret'),
                      transport='ntlm', server_cert_validation='validate',
                      ca_trust_path=fleet.ca)
    r = s.run_cmd('hostname')
    check('NTLM (requests-ntlm, with channel bindings)',
          r.status_code == 0 and r.std_out == b'node1\r\n', r.std_out)
    try:
        winrm.Session(url, auth=('CONTOSO\\svc-enforcer', 'bad'),
                      transport='ntlm', server_cert_validation='validate',
                      ca_trust_path=fleet.ca).run_cmd('hostname')
        check('NTLM wrong password refused', False, 'accepted')
    except InvalidCredentialsError:
        check('NTLM wrong password refused', True)
    check('NTLM without channel bindings, Relaxed',
          ntlm_without_cbt(fleet, 'node1.contoso.test') == 200)
    check('a bare NTLM scheme (never offered by WinRM) refused',
          ntlm_without_cbt(fleet, 'node1.contoso.test', 'NTLM') == 401)
    fleet.ctl('POST', '/hosts/node1.contoso.test/set',
              'winrm.service.auth.CbtHardeningLevel = Strict')
    check('NTLM without channel bindings, Strict: refused',
          ntlm_without_cbt(fleet, 'node1.contoso.test') == 401)
    r = s.run_cmd('hostname')
    check('NTLM with channel bindings, Strict', r.status_code == 0,
          r.status_code)
    fleet.ctl('POST', '/hosts/node1.contoso.test/set',
              'winrm.service.auth.CbtHardeningLevel = Relaxed')


def expired(fleet):
    try:
        session(fleet, 'node3.contoso.test').run_cmd('hostname')
        check('expired certificate refused', False, 'accepted')
    except Exception as e:
        check('expired certificate refused', 'certificate has expired' in
              str(e), str(e))


def main():
    fleet = simtest.Fleet(FLEET)
    try:
        resolve_to(fleet)
        net_localgroup(fleet)
        auth_failures(fleet)
        uac(fleet)
        non_admin(fleet)
        send_message(fleet)
        ntlm(fleet)
        expired(fleet)
    finally:
        rc = fleet.stop()
        check('simulator exits 0 on SIGTERM', rc == 0,
              (rc, fleet.stderr()[-2000:]))
    print('%d failure(s)' % len(failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
