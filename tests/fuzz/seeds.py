#!/usr/bin/python3
"""Write the scripted-reply seeds of fuzz_wsman_client and fuzz_host_read
into tests/fuzz/corpus/.  Replies come from tests/data/wsman (recorded
and hand-written); chunks are separated by 0xFF (tests/fuzz/fuzz.h).
Run again after changing it; the files are committed."""
import os

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
W = os.path.join(TOP, "tests/data/wsman")
SEP = b"\xff"


def data(rel):
    with open(os.path.join(W, rel), "rb") as f:
        return f.read().strip()


def write(target, name, chunks, head=b""):
    d = os.path.join(TOP, "tests/fuzz/corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(head + SEP.join(chunks))


def host(kind, chunks):
    kinds = ["credssp", "failsafe", "local_group", "service", "trusted_hosts"]
    write("host_read", kind, chunks, bytes([kinds.index(kind)]))


# fuzz_wsman_client: Get, Enumerate, Invoke, two batched reads, a command.
F = "fixtures/"
shell = [data(F + "shell_create_response.xml"),
         data(F + "shell_command_response.xml"),
         data(F + "shell_receive_response_stdout_done_exit0.xml"),
         data(F + "shell_signal_response.xml"),
         data(F + "shell_delete_response.xml")]
enum = data(F + "enumerate_shells_optimized_response_items_endofsequence.xml")
write("wsman_client", "all_ok", [data("get_auth_gpo.xml"), enum,
      data("invoke_enumvalues.xml"), data("get_auth_gpo.xml"), enum] + shell)
write("wsman_client", "faults", [
    data(F + "fault_get_invalid_selectors_shell_provider.xml"),
    data(F + "fault_enumerate_cannot_process_filter_wmi_extendedstatus.xml"),
    data("invoke_not_found.xml"), data("pull_forever.xml"),
    data("enumerate_no_context.xml")] + shell[:2] + [
    data(F + "fault_receive_operation_timeout_2150858793.xml"),
    data(F + "shell_receive_response_running_no_exitcode.xml"),
    data(F + "pywinrm_shell_receive_response_ipconfig_multichunk.xml"),
    data(F + "shell_receive_response_stderr_exit1.xml")] + shell[3:])

# fuzz_host_read: byte 0 is the kind (credssp, failsafe, local_group,
# service, trusted_hosts); then the chunks the fake host answers with.
CFG = "http://schemas.microsoft.com/wbem/wsman/1/config"
REG = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/default/StdRegProv"
CIM = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/"


def config(service_credssp, client_credssp, trusted, src=""):
    """The whole configuration tree as one Get returns it (every element
    in the one namespace, fixtures/config_get_response_*.xml); src marks
    the service's CredSSP and TrustedHosts as Group Policy's."""
    return (f'<cfg:Config xmlns:cfg="{CFG}"><cfg:MaxEnvelopeSizekb>500'
            f'</cfg:MaxEnvelopeSizekb><cfg:Client><cfg:AllowUnencrypted>false'
            f'</cfg:AllowUnencrypted><cfg:Auth><cfg:Basic>true</cfg:Basic>'
            f'<cfg:CredSSP>{client_credssp}</cfg:CredSSP></cfg:Auth>'
            f'<cfg:TrustedHosts{src}>{trusted}</cfg:TrustedHosts></cfg:Client>'
            f'<cfg:Service><cfg:Auth><cfg:Basic>false</cfg:Basic><cfg:Kerberos>'
            f'true</cfg:Kerberos><cfg:CredSSP{src}>{service_credssp}'
            f'</cfg:CredSSP></cfg:Auth></cfg:Service></cfg:Config>').encode()


def reg(method, body):
    return (f'<p:{method}_OUTPUT xmlns:p="{REG}">{body}<p:ReturnValue>0'
            f'</p:ReturnValue></p:{method}_OUTPUT>').encode()


def items(xml):
    return (b"<n:EnumerateResponse><n:EnumerationContext/><w:Items>" + xml +
            b"</w:Items><w:EndOfSequence/></n:EnumerateResponse>")


def wmi(cls, **kv):
    body = "".join(f"<p:{k}>{v}</p:{k}>" for k, v in kv.items())
    return f'<p:{cls} xmlns:p="{CIM}{cls}">{body}</p:{cls}>'.encode()


host("credssp", [config("true", "false", "", ' Source="GPO"'), reg("GetDWORDValue", "<p:uValue>1</p:uValue>"),
      reg("GetDWORDValue", "<p:uValue>1</p:uValue>"),
      reg("EnumValues", "<p:sNames>1</p:sNames><p:Types>1</p:Types>"),
      reg("GetDWORDValue", ""), reg("EnumValues", ""),
      items(b""), reg("GetDWORDValue", ""),     # RSoP: nothing from a GPO
      reg("GetStringValue", "<p:sValue>wsman/*.contoso.test</p:sValue>")])
TASK = ('<?xml version="1.0" encoding="UTF-16"?>\r\n<Task version="1.2" '
        'xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">'
        '<Triggers><TimeTrigger><StartBoundary>2026-11-25T11:30:00'
        '</StartBoundary><Enabled>true</Enabled></TimeTrigger></Triggers>'
        '<Settings><Enabled>true</Enabled></Settings><Actions Context='
        '"Author"><Exec><Command>cmd</Command><Arguments>/c x</Arguments>'
        '</Exec></Actions></Task>\r\n')
host("failsafe", [
      b'\x00\r\n"\\enforcer\\failsafe-wiz","N/A","Ready"\r\n'
      b'"\\Microsoft\\Other","N/A","Ready"\r\n',
      b"\x00" + TASK.encode(),
      reg("EnumValues", "<p:sNames>wiz</p:sNames><p:Types>1</p:Types>"),
      reg("GetStringValue", "<p:sValue>2026-11-25T11:30:00Z</p:sValue>")])
grp = [wmi("Win32_Group", Domain="NODE1", Name="Administrators",
           SID="S-1-5-32-544", LocalAccount="true"),
       wmi("Win32_Group", Domain="NODE1", Name="Gateway Administrators",
           SID="S-1-5-21-9-9-9-1001", LocalAccount="true")]
acct = [wmi("Win32_UserAccount", Domain="NODE1", Name="Administrator",
            SID="S-1-5-21-9-9-9-500"),
        wmi("Win32_Group", Domain="CONTOSO", Name="Domain Admins",
            SID="S-1-5-21-1-2-3-512")]
host("local_group", [items(b"".join(grp)),
      items(wmi("Win32_NTDomain", DnsForestName="contoso.test",
                DomainName="CONTOSO")),
      items(b"".join(acct)), items(acct[0]), items(b"".join(acct))])
host("service", [
      wmi("Win32_Service", Name="WinRM", State="Running", StartMode="Auto"),
      wmi("Win32_Service", Name="Spooler", State="Running",
          StartMode="Manual")])
host("trusted_hosts", [config("false", "false", "*.contoso.test,192.0.2.10",
                              ' Source="GPO"')])
