#!/bin/sh
# sim_protocol.sh: every resource of the WinRM simulator, driven with raw
# SOAP (tests/winrm-sim/simtest.py) and the ctl mode, checked against the
# replies, fault codes and texts Windows gives, and against ground truth.
. "$(dirname "$0")/lib/e2e.sh"
PY=/usr/bin/python3
ST=$TOP/tests/winrm-sim/simtest.py
W=http://schemas.microsoft.com/wbem/wsman/1
T=http://schemas.xmlsoap.org/ws/2004/09/transfer
E=http://schemas.xmlsoap.org/ws/2004/09/enumeration
C=$W/config
SVC=$W/wmi/root/cimv2/Win32_Service
REG=$W/wmi/root/default/StdRegProv
SH=$W/windows/shell
HKLM='<p:hDefKey>2147483650</p:hDefKey>'
CD='SOFTWARE\Policies\Microsoft\Windows\CredentialsDelegation'

cat > "$TMP/fleet.yaml" <<EOF
client_certificates:
  - { subject: svc-cert, cert_out: $TMP/client.pem, key_out: $TMP/client.key }
defaults:
  # Basic over HTTPS, as Windows takes it: with a local account (the
  # built-in Administrator, whose token UAC does not filter); the domain
  # account is refused Basic.
  users:
    Administrator: { password: 'secret', admin: true }
    'CONTOSO\\svc-enforcer': { password: 'secret', admin: true }
  accounts: [ 'CONTOSO\\hci-admins', 'CONTOSO\\bob' ]
  winrm: { service: { auth: { Basic: true } } }
hosts:
  node1.contoso.test:
    address: $NET.1
    gpo: [ winrm.service.auth.CredSSP ]
    extra_certificates: [ { scenario: valid }, { scenario: wrong_name } ]
    groups: { 'Gateway Administrators': { members: [ 'CONTOSO\\alice' ] } }
    registry:
      '$CD': { AllowFreshCredentials: { type: REG_DWORD, data: 1 } }
  node2.contoso.test:
    address: $NET.2
    users: { 'svc-cert': { password: 'unused', admin: true } }
    cert_mappings: [ { subject: svc-cert, user: svc-cert } ]
    winrm: { service: { auth: { Basic: false, Certificate: true } } }
EOF
fleet_start "$TMP/fleet.yaml"

get() { sim GET "/hosts/node1.contoso.test/get?key=$1"; }
# soap ACTION URI [BODY] [--selector K=V]...: status line, then the reply.
soap() {
	$PY "$ST" soap "$NET.1:5986" node1.contoso.test "$SIM_CA" \
	    Administrator secret "$@"
}
invoke() { # invoke URI METHOD PARAMS [--selector ...]
	u=$1 m=$2 p=$3
	shift 3
	soap "$u/$m" "$u" "<p:${m}_INPUT xmlns:p=\"$u\">$p</p:${m}_INPUT>" "$@"
}
enum_body() { echo "<n:Enumerate xmlns:n=\"$E\">$1</n:Enumerate>"; }

# --- control interface -----------------------------------------------------
r=$(sim GET /hosts)
expect_contains "ctl: hosts" "$r" node1.contoso.test node2.contoso.test
r=$(sim GET /hosts/node1.contoso.test/state)
expect_contains "ctl: state" "$r" "winrm.service.auth.Basic = true" \
    "gpo = winrm.service.auth.CredSSP" "service.WinRM.state = Running" \
    "reg.$CD:AllowFreshCredentials = REG_DWORD 1"
expect_contains "ctl: get" "$(get winrm.service.auth.CredSSP)" false
sim POST /hosts/node1.contoso.test/set \
    'winrm.client.TrustedHosts = *.contoso.test' >/dev/null
expect_contains "ctl: set is drift" "$(get winrm.client.TrustedHosts)" "*.contoso.test"
expect_contains "ctl: drift is not a write" \
    "$(sim GET /hosts/node1.contoso.test/counters)" "writes = 0"
r=$(sim POST /hosts/node1.contoso.test/cmd 'net localgroup "Gateway Administrators"')
expect_contains "ctl: cmd" "$r" "0
Alias name     Gateway Administrators" "CONTOSO\\alice"
r=$(sim POST /hosts/nosuch/state 2>&1) && fail "ctl: unknown host fails" ||
    pass "ctl: unknown host fails"
expect_contains "ctl: unknown host" "$r" "no such host 'nosuch'"
sim POST /hosts/node1.contoso.test/service 'Spooler=start' >/dev/null 2>&1 &&
    fail "ctl: unknown service fails" || pass "ctl: unknown service fails"
sim POST /hosts/node1.contoso.test/service 'Schedule=stop' >/dev/null
expect_contains "ctl: service stop" "$(get service.Schedule.state)" Stopped
sim POST /hosts/node1.contoso.test/service 'Schedule=start' >/dev/null
expect_contains "ctl: service start" "$(get service.Schedule.state)" Running

# Ten hours from now, a one-shot task removes alice; advancing the host
# clock past its trigger runs it exactly once.
now=$(get clock.now)
due=$($PY -c "import datetime as d; t=d.datetime.strptime('$now','%Y-%m-%dT%H:%M:%SZ'); print((t+d.timedelta(hours=10)).strftime('%Y-%m-%dT%H:%M:%SZ'))")
sim POST /hosts/node1.contoso.test/set "task.\\enforcer\\t1.command = net localgroup \"Gateway Administrators\" CONTOSO\\alice /delete
task.\\enforcer\\t1.trigger = $due
task.\\enforcer\\t1.enabled = true" >/dev/null
expect_contains "task: not yet" "$(get 'group.Gateway Administrators.members')" \
    "CONTOSO\\alice"
sim POST /hosts/node1.contoso.test/clock advance=36001 >/dev/null
expect_contains "task: ran when due" "$(get 'task.\enforcer\t1.last_result')" 0
r=$(get 'group.Gateway Administrators.members')
[ "$r" = "" ] && pass "task: effect" || fail "task: effect ($r)"
r=$(sim POST /clock set=2030-01-02T03:04:05Z)
case $(get clock.now) in
2030-01-02T03:0[45]:*) pass "clock: set on every host" ;;
*) fail "clock: set on every host ($(get clock.now))" ;;
esac

# --- configuration ---------------------------------------------------------
r=$(soap $T/Get $C)
expect_contains "config: Get" "$r" "200" "<cfg:Config xmlns:cfg=\"$C\">" \
    "<cfg:MaxEnvelopeSizekb>500</cfg:MaxEnvelopeSizekb>" \
    "<cfg:CredSSP Source=\"GPO\">false</cfg:CredSSP>" \
    "<cfg:TrustedHosts>*.contoso.test</cfg:TrustedHosts>" \
    "<a:RelatesTo>uuid:"
r=$(soap $T/Put $C/service/auth "<cfg:Auth xmlns:cfg=\"$C/service/auth\"><cfg:Certificate>true</cfg:Certificate></cfg:Auth>")
expect_contains "config: partial Put" "$r" "200" \
    "<cfg:Auth xmlns:cfg=\"$C/service/auth\">" \
    "<cfg:Certificate>true</cfg:Certificate>" "<cfg:Basic>true</cfg:Basic>"
expect_contains "config: Put is ground truth" "$(get winrm.service.auth.Certificate)" \
    true
r=$(soap $T/Put $C/service/auth "<cfg:Auth xmlns:cfg=\"$C\"><cfg:Basic>true</cfg:Basic></cfg:Auth>")
expect_contains "config: wrong namespace" "$r" "500" 'Code="2150858840"'
r=$(soap $T/Put $C/service/auth "<cfg:Auth xmlns:cfg=\"$C/service/auth\"><cfg:CredSSP>true</cfg:CredSSP></cfg:Auth>")
expect_contains "config: GPO setting refused" "$r" "500" 'Code="2150858890"' \
    'The config setting CredSSP cannot be changed because is controlled by policies. The policy would need to be set to "Not Configured" in order to change the config setting. '
expect_contains "config: GPO setting unchanged" "$(get winrm.service.auth.CredSSP)" \
    false
r=$(soap $T/Put $C/client "<cfg:Client xmlns:cfg=\"$C/client\"><cfg:TrustedHosts>a,b</cfg:TrustedHosts></cfg:Client>")
expect_contains "config: client Put" "$r" "200" "<cfg:TrustedHosts>a,b</cfg:TrustedHosts>"
r=$(soap $T/Put $C/service/auth "<cfg:Auth xmlns:cfg=\"$C/service/auth\"><cfg:Basic>maybe</cfg:Basic></cfg:Auth>")
expect_contains "config: bad value" "$r" "500" 'Code="2150858838"'
r=$(soap $T/Get $C/winrs)
expect_contains "config: winrs" "$r" "<cfg:Winrs xmlns:cfg=\"$C/winrs\">" \
    "<cfg:MaxShellsPerUser>2147483647</cfg:MaxShellsPerUser>"
r=$(soap $T/Delete $C)
expect_contains "config: Delete unsupported" "$r" "500" "a:ActionNotSupported" \
    'Code="2150858771"'
expect_contains "writes counted" "$(sim GET /hosts/node1.contoso.test/counters)" \
    "writes = 2"
soap $T/Put $C/service/auth "<cfg:Auth xmlns:cfg=\"$C/service/auth\"><cfg:Certificate>true</cfg:Certificate></cfg:Auth>" >/dev/null
soap $T/Get $C/service/auth >/dev/null
expect_contains "a Put of the same value is still a write, a Get never" \
    "$(sim GET /hosts/node1.contoso.test/counters)" "writes = 3"

# --- listeners -------------------------------------------------------------
r=$(soap $E/Enumerate $C/listener "$(enum_body '')")
ctx=$(printf '%s' "$r" | sed -n 's|.*<n:EnumerationContext>\(uuid:[^<]*\)<.*|\1|p')
[ -n "$ctx" ] && pass "listener: Enumerate gives a context" ||
    fail "listener: Enumerate gives a context"
pull="<n:Pull xmlns:n=\"$E\"><n:EnumerationContext>$ctx</n:EnumerationContext><n:MaxElements>10</n:MaxElements></n:Pull>"
r=$(soap $E/Pull $C/listener "$pull")
expect_contains "listener: Pull" "$r" "200" "<cfg:Transport>HTTPS</cfg:Transport>" \
    "<cfg:Transport>HTTP</cfg:Transport>" "<n:EndOfSequence/>" \
    "<cfg:ListeningOn>$NET.1</cfg:ListeningOn>"
r=$(soap $E/Pull $C/listener "$pull")
expect_contains "listener: stale context" "$r" "500" "n:InvalidEnumerationContext"
r=$(soap $T/Get $C/listener --selector Address='*' --selector Transport=https)
expect_contains "listener: Get" "$r" "200" \
    "<cfg:Hostname>node1.contoso.test</cfg:Hostname>"
r=$(soap $T/Get $C/listener --selector Address='*')
expect_contains "listener: insufficient selectors" "$r" "500" "w:InvalidSelectors" \
    'Code="2150858842"'
state=$(sim GET /hosts/node1.contoso.test/state)
good=$(printf '%s\n' "$state" | sed -n 's/^cert\.\([0-9A-F]*\)\.subject = CN=node1.contoso.test$/\1/p' |
    grep -v "$(get 'listener.HTTPS.*.CertificateThumbprint')" | head -1)
bad=$(printf '%s\n' "$state" | sed -n 's/^cert\.\([0-9A-F]*\)\.subject = CN=other-node1.contoso.test$/\1/p')
listener() { echo "<p:Listener xmlns:p=\"$C/listener.xsd\"><p:Hostname>$1</p:Hostname><p:Port>5987</p:Port><p:CertificateThumbprint>$2</p:CertificateThumbprint></p:Listener>"; }
r=$(soap $T/Create $C/listener "$(listener node1.contoso.test "$bad")" \
    --selector Address=IP:$NET.1 --selector Transport=HTTPS)
expect_contains "listener: Create with a certificate for another name" "$r" "500" \
    'Code="2150858985"' "The certificate CN and the hostname that were provided do not match."
r=$(soap $T/Create $C/listener "$(listener node1.contoso.test 0000000000000000000000000000000000000000)" \
    --selector Address=IP:$NET.1 --selector Transport=HTTPS)
expect_contains "listener: Create with a missing certificate" "$r" "500" \
    'Code="2150858882"'
r=$(soap $T/Create $C/listener "$(listener node1.contoso.test "$good")" \
    --selector Address=IP:$NET.1 --selector Transport=HTTPS)
expect_contains "listener: Create" "$r" "200" "<x:ResourceCreated>" \
    "<w:Selector Name=\"Address\">IP:$NET.1</w:Selector>"
expect_contains "listener: created in ground truth" \
    "$(get "listener.HTTPS.IP:$NET.1.CertificateThumbprint")" "$good"
r=$(soap $T/Create $C/listener "$(listener node1.contoso.test "$good")" \
    --selector Address=IP:$NET.1 --selector Transport=HTTPS)
expect_contains "listener: Create twice" "$r" "500" "w:AlreadyExists"
r=$(soap $T/Put $C/listener "<p:Listener xmlns:p=\"$C/listener\"><p:ListeningOn>x</p:ListeningOn></p:Listener>" \
    --selector Address=IP:$NET.1 --selector Transport=HTTPS)
expect_contains "listener: ListeningOn is read-only" "$r" "500" "w:InternalError"
# New connections are served from the new listener, on its port, with
# the certificate it names; the '*' listener yields to the IP one.
r=$($PY -c "
import hashlib, socket, ssl
ctx = ssl.create_default_context(cafile='$SIM_CA')
s = ctx.wrap_socket(socket.create_connection(('$NET.1', 5987), 10), server_hostname='node1.contoso.test')
print(hashlib.sha1(s.getpeercert(True)).hexdigest().upper())" 2>&1)
expect_contains "listener: rebound certificate served" "$r" "$good"
r=$($PY "$ST" soap "$NET.1:5987" node1.contoso.test "$SIM_CA" \
    Administrator secret $T/Delete $C/listener \
    --selector Address=IP:$NET.1 --selector Transport=HTTPS)
expect_contains "listener: Delete" "$r" "200" "$T/DeleteResponse"
r=$(soap $T/Delete $C/listener --selector Address=IP:$NET.1 --selector Transport=HTTPS)
expect_contains "listener: Delete again" "$r" "500" 'Code="2150858752"'

# --- Win32_Service ---------------------------------------------------------
r=$(soap $T/Get $SVC --selector Name=winrm)
expect_contains "service: Get" "$r" "200" "<p:Name>WinRM</p:Name>" \
    "<p:State>Running</p:State>" "<p:StartMode>Auto</p:StartMode>" \
    'xsi:type="p:Win32_Service_Type"'
wql() { enum_body "<w:OptimizeEnumeration/><w:MaxElements>32000</w:MaxElements><w:Filter Dialect=\"$W/WQL\">$1</w:Filter>"; }
r=$(soap $E/Enumerate "$W/wmi/root/cimv2/*" "$(wql "SELECT Name,State FROM Win32_Service WHERE Name='WinRM' OR Name='Schedule'")")
expect_contains "service: WQL" "$r" "200" "<p:Name>WinRM</p:Name>" \
    "<p:Name>Schedule</p:Name>" "<w:EndOfSequence/>"
[ "$(printf '%s' "$r" | grep -o '<p:Name>' | wc -l)" -eq 2 ] &&
    pass "service: WQL filters" || fail "service: WQL filters"
r=$(soap $E/Enumerate "$W/wmi/root/cimv2/*" "$(wql 'SELECT * FROM Win32_Nope')")
expect_contains "service: WQL unknown class" "$r" "500" "n:CannotProcessFilter" \
    'Code="2150858778"'
r=$(soap $T/Get $SVC --selector Name=NoSuch)
expect_contains "service: unknown service" "$r" "500" 'Code="2150858752"'
stop() { invoke $SVC StopService '' --selector Name=Schedule; }
start() { invoke $SVC StartService '' --selector Name=Schedule; }
expect_contains "service: StopService" "$(stop)" "<p:ReturnValue>0</p:ReturnValue>"
expect_contains "service: stopped" "$(get service.Schedule.state)" Stopped
expect_contains "service: StopService again" "$(stop)" "<p:ReturnValue>5</p:ReturnValue>"
r=$(invoke $SVC ChangeStartMode '<p:StartMode>Disabled</p:StartMode>' --selector Name=Schedule)
expect_contains "service: ChangeStartMode" "$r" "<p:ReturnValue>0</p:ReturnValue>"
expect_contains "service: disabled" "$(start)" "<p:ReturnValue>14</p:ReturnValue>"
invoke $SVC ChangeStartMode '<p:StartMode>Automatic</p:StartMode>' --selector Name=Schedule >/dev/null
expect_contains "service: StartService" "$(start)" "<p:ReturnValue>0</p:ReturnValue>"
expect_contains "service: already running" "$(start)" "<p:ReturnValue>10</p:ReturnValue>"

# --- StdRegProv ------------------------------------------------------------
K='SOFTWARE\Policies\Microsoft\Windows\WinRM\Service'
set_dw() { invoke $REG SetDWORDValue "$HKLM<p:sSubKeyName>$K</p:sSubKeyName><p:sValueName>AllowBasic</p:sValueName><p:uValue>$1</p:uValue>"; }
expect_contains "registry: Set on a missing key" "$(set_dw 0)" "<p:ReturnValue>2</p:ReturnValue>"
r=$(invoke $REG CreateKey "$HKLM<p:sSubKeyName>$K</p:sSubKeyName>")
expect_contains "registry: CreateKey" "$r" "<p:ReturnValue>0</p:ReturnValue>"
expect_contains "registry: SetDWORDValue" "$(set_dw 0)" "<p:ReturnValue>0</p:ReturnValue>"
expect_contains "registry: ground truth" "$(get "reg.$K:AllowBasic")" "REG_DWORD 0"
r=$(invoke $REG GetDWORDValue "$HKLM<p:sSubKeyName>$CD</p:sSubKeyName><p:sValueName>AllowFreshCredentials</p:sValueName>")
expect_contains "registry: GetDWORDValue" "$r" "<p:ReturnValue>0</p:ReturnValue><p:uValue>1</p:uValue>"
r=$(invoke $REG GetStringValue "$HKLM<p:sSubKeyName>$CD</p:sSubKeyName><p:sValueName>AllowFreshCredentials</p:sValueName>")
expect_contains "registry: type mismatch" "$r" "<p:ReturnValue>2147749893</p:ReturnValue>"
r=$(invoke $REG SetMultiStringValue "$HKLM<p:sSubKeyName>$K</p:sSubKeyName><p:sValueName>M</p:sValueName><p:sValue>a</p:sValue><p:sValue>b</p:sValue>")
r=$(invoke $REG GetMultiStringValue "$HKLM<p:sSubKeyName>$K</p:sSubKeyName><p:sValueName>M</p:sValueName>")
expect_contains "registry: multi-string" "$r" "<p:sValue>a</p:sValue><p:sValue>b</p:sValue>"
r=$(invoke $REG EnumValues "$HKLM<p:sSubKeyName>$K</p:sSubKeyName>")
expect_contains "registry: EnumValues" "$r" "<p:sNames>AllowBasic</p:sNames><p:sNames>M</p:sNames><p:Types>4</p:Types><p:Types>7</p:Types>"
r=$(invoke $REG EnumKey "$HKLM<p:sSubKeyName>SOFTWARE\Policies\Microsoft\Windows\WinRM</p:sSubKeyName>")
expect_contains "registry: EnumKey" "$r" "<p:sNames>Service</p:sNames>"
r=$(invoke $REG DeleteKey "$HKLM<p:sSubKeyName>SOFTWARE\Policies\Microsoft\Windows\WinRM</p:sSubKeyName>")
expect_contains "registry: DeleteKey with subkeys" "$r" "<p:ReturnValue>5</p:ReturnValue>"
r=$(invoke $REG DeleteValue "$HKLM<p:sSubKeyName>$K</p:sSubKeyName><p:sValueName>AllowBasic</p:sValueName>")
expect_contains "registry: DeleteValue" "$r" "<p:ReturnValue>0</p:ReturnValue>"
r=$(invoke $REG GetDWORDValue "$HKLM<p:sSubKeyName>$K</p:sSubKeyName><p:sValueName>AllowBasic</p:sValueName>")
expect_contains "registry: deleted value (key kept)" "$r" "<p:ReturnValue>1</p:ReturnValue>"
r=$(invoke $REG GetDWORDValue "$HKLM<p:sSubKeyName>$K\\Missing</p:sSubKeyName><p:sValueName>AllowBasic</p:sValueName>")
expect_contains "registry: missing key" "$r" "<p:ReturnValue>2</p:ReturnValue>"

# --- remote shell ----------------------------------------------------------
r=$(soap $T/Create $SH/cmd "<rsp:Shell xmlns:rsp=\"$SH\"><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>" --option WINRS_CODEPAGE=65001)
shell=$(printf '%s' "$r" | sed -n 's|.*<w:Selector Name="ShellId">\([^<]*\)<.*|\1|p')
expect_contains "shell: Create" "$r" "200" "<rsp:Owner>Administrator</rsp:Owner>"
cmd() {
	c=$1 a=$2
	shift 2
	soap $SH/Command $SH/cmd "<rsp:CommandLine xmlns:rsp=\"$SH\"><rsp:Command>$c</rsp:Command><rsp:Arguments>$a</rsp:Arguments></rsp:CommandLine>" --selector ShellId="$shell" "$@"
}
r=$(cmd echo hi)
id=$(printf '%s' "$r" | sed -n 's|.*<rsp:CommandId>\([^<]*\)<.*|\1|p')
[ -n "$id" ] && pass "shell: Command" || fail "shell: Command"
recv() { soap $SH/Receive $SH/cmd "<rsp:Receive xmlns:rsp=\"$SH\"><rsp:DesiredStream CommandId=\"$1\">stdout stderr</rsp:DesiredStream></rsp:Receive>" --selector ShellId="$shell"; }
r=$(recv "$id")
expect_contains "shell: Receive" "$r" "200" ">aGkNCg==</rsp:Stream>" 'End="true"' \
    "CommandState/Done\"><rsp:ExitCode>0</rsp:ExitCode>"
r=$(recv "$id")
expect_contains "shell: Receive after Done" "$r" "500" 'Code="2150858843"' \
    "The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist."
r=$(soap $SH/Signal $SH/cmd "<rsp:Signal xmlns:rsp=\"$SH\" CommandId=\"$id\"><rsp:Code>$SH/signal/terminate</rsp:Code></rsp:Signal>" --selector ShellId="$shell")
expect_contains "shell: Signal" "$r" "200" "<rsp:SignalResponse/>"
r=$(cmd nosuchprogram '')
r=$(recv "$(printf '%s' "$r" | sed -n 's|.*<rsp:CommandId>\([^<]*\)<.*|\1|p')")
expect_contains "shell: unknown program" "$r" "<rsp:ExitCode>9009</rsp:ExitCode>" \
    'Name="stderr"'
r=$(soap $SH/Command $SH/cmd "<rsp:CommandLine xmlns:rsp=\"$SH\"><rsp:Command>echo</rsp:Command></rsp:CommandLine>" --selector ShellId="$shell" --option WINRS_SKIP_CMD_SHELL=TRUE)
expect_contains "shell: built-in without cmd.exe" "$r" "500" 'Code="2147942402"'
r=$(soap $T/Delete $SH/cmd --selector ShellId="$shell")
expect_contains "shell: Delete" "$r" "200"
r=$(soap $T/Delete $SH/cmd --selector ShellId="$shell")
expect_contains "shell: Delete again" "$r" "500" 'Code="2150858843"' 'provider="Shell provider"'
sim POST /hosts/node1.contoso.test/set 'winrm.winrs.MaxShellsPerUser = 1' >/dev/null
body="<rsp:Shell xmlns:rsp=\"$SH\"><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>"
soap $T/Create $SH/cmd "$body" >/dev/null
r=$(soap $T/Create $SH/cmd "$body")
expect_contains "shell: MaxShellsPerUser" "$r" "500" "w:QuotaLimit" \
    "<p:error_Code>2150859173</p:error_Code>" \
    "This user is allowed a maximum number of 1 concurrent shells"
expect_contains "shell: counted open" "$(sim GET /hosts/node1.contoso.test/counters)" \
    "shells_open = 1"
sim POST /hosts/node1.contoso.test/counters/reset >/dev/null
expect_contains "ctl: counters reset" "$(sim GET /hosts/node1.contoso.test/counters)" \
    "requests = 0
writes = 0
auth_failures = 0
shells_open = 1"

# --- envelopes and HTTP, as Windows refuses them ---------------------------
r=$($PY - "$ST" "$NET.1" "$SIM_CA" "$TMP" <<'EOF' 2>&1
import sys
sys.path.insert(0, sys.argv[1].rsplit('/', 1)[0])
import simtest as t
addr, ca, d = sys.argv[2], sys.argv[3], sys.argv[4]
auth = t.basic('Administrator', 'secret')
C = t.WSMAN + '/config'
def post(data, authorization=auth, **kw):
    return t.post(addr, 5986, 'node1.contoso.test', ca, data, authorization, **kw)
def show(what, r):
    auth = ' '.join(v for k, v in r[1] if k == 'WWW-Authenticate')
    print('%s: %d %s %s' % (what, r[0], auth,
          r[2].decode('utf-8', 'replace')[:3000].replace('\n', ' ')))
get = t.envelope(t.TRANSFER + 'Get', C)
show('no MessageID', post(get.replace(get[get.index('<a:MessageID>'):get.index('</a:MessageID>') + 14], '')))
show('ReplyTo', post(get.replace(t.ANONYMOUS, 'http://evil.test/')))
show('MaxEnvelopeSize', post(t.envelope(t.TRANSFER + 'Get', C, max_envelope=100)))
show('unknown resource', post(t.envelope(t.TRANSFER + 'Get', t.WSMAN + '/nosuch')))
show('mustUnderstand', post(get.replace('<s:Body>', '').replace('</s:Header>', '<z:Odd xmlns:z="urn:x" s:mustUnderstand="true"/></s:Header><s:Body>')))
show('DOCTYPE', post('<!DOCTYPE x [<!ENTITY a "aaaa">]>' + get))
show('malformed', post(get[:-20]))
show('Identify', post('<s:Envelope xmlns:s="%s" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>' % t.NS['s']))
show('wrong path', post(get, path='/other'))
show('GET', post(b'', method='GET'))
show('no auth', post(get, authorization=None))
show('basic domain', post(get, authorization=t.basic('CONTOSO\\svc-enforcer', 'secret')))
show('basic upn', post(get, authorization=t.basic('svc-enforcer@contoso.test', 'secret')))
show('basic local', post(get, authorization=t.basic('NODE1\\Administrator', 'secret')))
show('too large', post(get + ' ' * 600000))
def raw(data):
    c = t.https(addr, 5986, 'node1.contoso.test', ca)
    c.sock.sendall(data)
    reply = c.sock.recv(200).decode('latin-1').split('\r\n')[0]
    c.close()
    return reply
print('garbage: ' + raw(b'GARBAGE\r\n\r\n'))
print('huge head: ' + raw(b'POST /wsman HTTP/1.1\r\n' + b'X-A: ' + b'a' * 70000 + b'\r\n\r\n'))
conn = t.https(addr, 5986, 'node1.contoso.test', ca)
for i in range(3):
    conn.request('POST', '/wsman', body=get, headers={'Authorization': auth, 'Content-Type': 'application/soap+xml'})
    r = conn.getresponse()
    print('keep-alive %d: %d' % (i, r.status))
    r.read()
conn.close()
import ssl, socket, http.client
ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(d + '/client.pem', d + '/client.key')
c = http.client.HTTPSConnection(addr.rsplit('.', 1)[0] + '.2', 5986, context=ctx)
c.sock = ctx.wrap_socket(socket.create_connection((addr.rsplit('.', 1)[0] + '.2', 5986)), server_hostname='node2.contoso.test')
c.request('POST', '/wsman', body=get, headers={'Authorization': 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual'})
r = c.getresponse()
print('client certificate: %d %s' % (r.status, r.read()[-200:]))
EOF
)
expect_contains "envelope: MessageID required" "$(echo "$r" | grep '^no MessageID')" \
    500 "a:MessageInformationHeaderRequired" 'Code="2150858769"'
expect_contains "envelope: ReplyTo anonymous" "$(echo "$r" | grep '^ReplyTo')" \
    500 "w:UnsupportedFeature"
expect_contains "envelope: MaxEnvelopeSize floor" "$(echo "$r" | grep '^MaxEnvelopeSize')" \
    500 "w:EncodingLimit" 'Code="2150858878"'
expect_contains "envelope: unknown resource" "$(echo "$r" | grep '^unknown resource')" \
    500 "a:DestinationUnreachable" "faultDetail/InvalidResourceURI"
expect_contains "envelope: mustUnderstand" "$(echo "$r" | grep '^mustUnderstand')" \
    500 "s:MustUnderstand" "s:NotUnderstood"
expect_contains "envelope: DOCTYPE refused" "$(echo "$r" | grep '^DOCTYPE')" \
    500 'Code="2150858819"'
expect_contains "envelope: malformed" "$(echo "$r" | grep '^malformed')" 500 \
    'Code="2150858819"'
expect_contains "Identify" "$(echo "$r" | grep '^Identify')" 200 \
    "<wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor>"
expect_contains "http: 404" "$(echo "$r" | grep '^wrong path')" "404" "HTTP Error 404."
expect_contains "http: 405" "$(echo "$r" | grep '^GET')" "405"
expect_contains "http: 401 with the schemes offered" "$(echo "$r" | grep '^no auth')" \
    '401 Negotiate Kerberos Basic realm="WSMAN"'
# Basic is for local accounts only: the domain account, right password,
# is refused as a wrong one would be; HOST\user is the local account.
expect_contains "auth: Basic refused for a domain account" \
    "$(echo "$r" | grep '^basic domain')" '401 Negotiate Kerberos Basic realm="WSMAN"'
expect_contains "auth: Basic refused for user@domain" \
    "$(echo "$r" | grep '^basic upn')" '401 Negotiate Kerberos Basic realm="WSMAN"'
expect_contains "auth: Basic with HOST\\user (local)" \
    "$(echo "$r" | grep '^basic local')" '200 '
expect_contains "http: 413" "$(echo "$r" | grep '^too large')" "413"
expect_contains "http: bad request line" "$(echo "$r" | grep '^garbage')" \
    "HTTP/1.1 400 Bad Request"
expect_contains "http: head too large" "$(echo "$r" | grep '^huge head')" \
    "HTTP/1.1 400 Bad Request"
expect_contains "http: keep-alive" "$(echo "$r" | grep '^keep-alive 2')" "200"
expect_contains "auth: client certificate" "$(echo "$r" | grep '^client certificate')" \
    "200"

fleet_stop
expect "clean exit on SIGTERM" 0 "$SIM_RC"
[ "$SIM_RC" = 0 ] || tail -30 "$TMP/sim.err"
finish
