/*
 * test_sim_cmd.c: the cmd.exe interpreter (cmd.c): parsing, quoting,
 * escapes, chaining, redirection, cmd's own commands; and net.exe,
 * sc.exe, whoami and hostname (prog_net.c, prog_sc.c), byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_sim.h"

#define NOT_RECOGNIZED(x) "'" x "' is not recognized as an internal or " \
	"external command,\r\noperable program or batch file.\r\n"
#define DASHES "-----------------------------------------------------------" \
	"--------------------\r\n"
#define DONE "The command completed successfully.\r\n\r\n"

static void
test_unknown_program(void **state)
{
	struct sim_host *h = host_new();

	expect(h, ADMIN, "frobnicate /x", 9009, "", NOT_RECOGNIZED("frobnicate"));
	expect(h, ADMIN, "C:\\Tools\\net.exe localgroup", 9009, "",
	    NOT_RECOGNIZED("C:\\Tools\\net.exe"));
	expect(h, ADMIN, "   ", 0, "", "");
	host_free(h);
}

static void
test_echo_redirect_type(void **state)
{
	struct sim_host *h = host_new();

	expect(h, ADMIN, "echo hello world", 0, "hello world\r\n", "");
	expect(h, ADMIN, "echo.", 0, "\r\n", "");
	expect(h, ADMIN, "echo", 0, "ECHO is on.\r\n", "");
	expect(h, ADMIN, "echo \"a & b\"", 0, "\"a & b\"\r\n", "");
	/* Spaces before > or & are part of the text, as in cmd. */
	expect_w(h, ADMIN, "echo one> C:\\t\\f.txt & echo two >> C:\\t\\f.txt",
	    0, "", "", 1);
	expect(h, ADMIN, "type C:\\t\\f.txt", 0, "one \r\ntwo \r\n", "");
	expect(h, ADMIN, "type c:/T/F.TXT", 0, "one \r\ntwo \r\n", "");
	/* ^ escapes the characters cmd would otherwise act on. */
	expect(h, ADMIN, "echo ^<Task^> ^& ^| ^^> C:\\t\\x.xml", 0, "", "");
	expect(h, ADMIN, "type C:\\t\\x.xml", 0, "<Task> & | ^\r\n", "");
	/* > truncates, relative paths are in the profile directory. */
	expect(h, ADMIN, "echo new>f.txt", 0, "", "");
	expect(h, ADMIN, "type C:\\Users\\svc-enforcer\\f.txt", 0, "new\r\n",
	    "");
	expect(h, ADMIN, "type C:\\nope.txt", 1, "",
	    "The system cannot find the file specified.\r\n");
	expect(h, ADMIN, "echo hi >", 1, "",
	    "The syntax of the command is incorrect.\r\n");
	host_free(h);
}

static void
test_del(void **state)
{
	struct sim_host *h = host_new();

	expect(h, ADMIN, "echo x> C:\\t\\d.txt", 0, "", "");
	expect_w(h, ADMIN, "del /f /q C:\\t\\d.txt", 0, "", "", 1);
	assert_null(sim_file(h, "C:\\t\\d.txt", 0));
	expect_w(h, ADMIN, "del C:\\t\\d.txt", 0, "",
	    "Could Not Find C:\\t\\d.txt\r\n", 0);
	/* A plain user cannot write under C:\Windows. */
	expect(h, USER, "echo x> C:\\Windows\\Temp\\u.txt", 1, "",
	    "Access is denied.\r\n");
	expect(h, ADMIN, "echo x> C:\\Windows\\Temp\\a.txt", 0, "", "");
	expect(h, USER, "del C:\\Windows\\Temp\\a.txt", 0, "",
	    "C:\\Windows\\Temp\\a.txt\r\nAccess is denied.\r\n");
	host_free(h);
}

static void
test_chaining(void **state)
{
	struct sim_host *h = host_new();

	expect(h, ADMIN, "echo a & echo b", 0, "a \r\nb\r\n", "");
	expect(h, ADMIN, "net localgroup Nope && echo yes", 2, "", NULL);
	expect(h, ADMIN, "net localgroup Nope || echo recovered", 0,
	    "recovered\r\n", NULL);
	/* && binds tighter than ||: a || (b && c). */
	expect(h, ADMIN, "echo a|| echo b && echo c", 0, "a\r\n", "");
	expect(h, ADMIN, "net localgroup Nope & echo after", 0, "after\r\n",
	    NULL);
	expect(h, ADMIN, "echo first | echo second", 0, "second\r\n", "");
	expect(h, ADMIN, "& echo x", 255, "", "& was unexpected at this time.\r\n");
	expect(h, ADMIN, "echo x && && echo y", 255, "",
	    "&& was unexpected at this time.\r\n");
	expect(h, ADMIN, "echo x &", 0, "x \r\n", "");
	expect(h, ADMIN, "echo x |", 1, "",
	    "The syntax of the command is incorrect.\r\n");
	expect(h, ADMIN, "echo x &&", 1, "",
	    "The syntax of the command is incorrect.\r\n");
	host_free(h);
}

static void
test_exit_and_variables(void **state)
{
	struct sim_host *h = host_new();

	expect(h, ADMIN, "exit /b 3", 3, "", "");
	expect(h, ADMIN, "echo a & exit /b 4 & echo b", 4, "a \r\n", "");
	/* %ERRORLEVEL% is expanded when the line is read, as in cmd. */
	expect(h, ADMIN, "net localgroup Nope 2>nul & echo %ERRORLEVEL%", 0,
	    "0\r\n", "");
	expect(h, ADMIN, "echo %COMPUTERNAME% %USERNAME% %USERDOMAIN%", 0,
	    "NODE1 svc-enforcer CONTOSO\r\n", "");
	expect(h, ADMIN, "echo %SystemRoot% %TEMP% %NOSUCH%", 0,
	    "C:\\Windows C:\\Users\\svc-enforcer\\AppData\\Local\\Temp "
	    "%NOSUCH%\r\n", "");
	expect(h, "SYSTEM", "echo %USERNAME% %TEMP%", 0,
	    "NODE1$ C:\\Windows\\TEMP\r\n", "");
	host_free(h);
}

/* Programs split words as the C runtime does. */
static void
test_words(void **state)
{
	struct sim_host *h = host_new();

	expect(h, ADMIN, "schtasks /Create /TN a /SC ONCE /ST 23:00 /TR "
	    "\"\\\"C:\\Program Files\\x.exe\\\" -q\"", 0, NULL, "");
	assert_dump(h, "task.\\a.command", "\"C:\\Program Files\\x.exe\" -q");
	expect(h, ADMIN, "schtasks /Create /TN b /SC ONCE /ST 23:00 /TR "
	    "\"\"\"C:\\Program Files\\y.exe\"\" -q\"", 0, NULL, "");
	assert_dump(h, "task.\\b.command", "\"C:\\Program Files\\y.exe\" -q");
	expect(h, ADMIN, "net localgroup \"Gateway Administrators\" "
	    "C:\\dir\\ /add", 2, "", NULL);
	host_free(h);
}

static void
test_streams(void **state)
{
	struct sim_host *h = host_new();

	expect(h, ADMIN, "net localgroup Nope 2>nul", 2, "", "");
	expect(h, ADMIN, "net localgroup Nope >nul", 2, "", NULL);
	expect(h, ADMIN, "net localgroup Nope > C:\\t\\o.txt 2>&1", 2, "", "");
	expect(h, ADMIN, "type C:\\t\\o.txt", 0, "System error 1376 has "
	    "occurred.\r\n\r\nThe specified local group does not exist.\r\n"
	    "\r\n", "");
	/* 2>&1 before > sends errors to the old stdout. */
	expect(h, ADMIN, "net localgroup Nope 2>&1 > C:\\t\\o2.txt", 2,
	    "System error 1376 has occurred.\r\n\r\nThe specified local group "
	    "does not exist.\r\n\r\n", "");
	host_free(h);
}

/* cmd /c "...": the outer quotes go, the inner line is parsed again. */
static void
test_cmd_c(void **state)
{
	struct sim_host *h = host_new();

	expect(h, ADMIN, "cmd /c \"echo a & echo b\"", 0, "a \r\nb\r\n", "");
	expect(h, ADMIN, "cmd.exe /q /c echo x", 0, "x\r\n", "");
	expect(h, ADMIN, "C:\\Windows\\System32\\cmd.exe /c \"exit /b 7\" & "
	    "echo %ERRORLEVEL%", 0, "0\r\n", "");
	expect(h, ADMIN, "cmd /c \"exit /b 7\"", 7, "", "");
	expect(h, ADMIN, "cmd /c \"net localgroup \"Gateway Administrators\"\"",
	    0, NULL, "");
	expect(h, ADMIN, "cmd /c exit /b 5 & echo after", 0, "after\r\n", "");
	host_free(h);
}

static void
test_whoami_hostname(void **state)
{
	struct sim_host *h = host_new();

	expect(h, ADMIN, "whoami", 0, "contoso\\svc-enforcer\r\n", "");
	expect(h, USER, "whoami", 0, "node1\\operator\r\n", "");
	expect(h, "SYSTEM", "whoami", 0, "nt authority\\system\r\n", "");
	expect(h, ADMIN, "whoami /priv", 1, "", "ERROR: Invalid argument/option "
	    "- '/priv'.\r\nType \"WHOAMI /?\" for usage.\r\n");
	expect(h, ADMIN, "hostname", 0, "node1\r\n", "");
	expect(h, ADMIN, "HOSTNAME.EXE", 0, "node1\r\n", "");
	host_free(h);
}

static void
test_net_localgroup_show(void **state)
{
	struct sim_host *h = host_new();

	expect(h, USER, "net localgroup \"Gateway Administrators\"", 0,
	    "Alias name     Gateway Administrators\r\n"
	    "Comment        \r\n\r\n"
	    "Members\r\n\r\n" DASHES
	    "CONTOSO\\alice\r\n" DONE, "");
	expect(h, USER, "net localgroup administrators", 0,
	    "Alias name     Administrators\r\n"
	    "Comment        Administrators have complete and unrestricted "
	    "access to the computer/domain\r\n\r\n"
	    "Members\r\n\r\n" DASHES
	    "Administrator\r\nCONTOSO\\svc-enforcer\r\n" DONE, "");
	expect(h, USER, "net localgroup Nope", 2, "",
	    "System error 1376 has occurred.\r\n\r\n"
	    "The specified local group does not exist.\r\n\r\n");
	host_free(h);
}

/*
 * A German host: built-in groups renamed (found by SID), net's texts in
 * German; an orphaned SID is listed as the SID and can be deleted by it.
 */
static void
test_net_localgroup_german(void **state)
{
	struct sim_host *h = host_new();

	sim_host_localize(h, "de-DE");
	assert_string_equal(sim_group(h, "S-1-5-32-544")->name,
	    "Administratoren");
	assert_null(sim_group(h, "Administrators"));
	assert_string_equal(sim_group(h, "S-1-5-32-544")->sid, "S-1-5-32-544");
	sim_group_add_member(sim_group(h, "Administratoren"),
	    "S-1-5-21-1-2-3-1500");
	expect(h, ADMIN, "net localgroup Administratoren CONTOSO\\bob /add", 0,
	    "Der Befehl wurde erfolgreich ausgef\xc3\xbchrt.\r\n\r\n", "");
	expect(h, ADMIN, "net localgroup Administratoren CONTOSO\\bob /add", 2,
	    "", "Systemfehler 1378 aufgetreten.\r\n\r\nDer angegebene "
	    "Kontoname ist bereits ein Mitglied der Gruppe.\r\n\r\n");
	expect_w(h, ADMIN, "net localgroup Administratoren S-1-5-21-1-2-3-1500 "
	    "/delete", 0, NULL, "", 1);
	assert_int_equal(sim_group_find_member(sim_group(h, "S-1-5-32-544"),
	    "S-1-5-21-1-2-3-1500"), -1);
	/* Local accounts: the machine SID plus a RID; 500 the Administrator. */
	assert_string_equal(sim_account(h, "Administrator")->sid + strlen(
	    sim_account(h, "Administrator")->sid) - 4, "-500");
	assert_true(strncmp(sim_account(h, "CONTOSO\\bob")->sid, "S-1-5-21-",
	    9) == 0);
	host_free(h);
}

/*
 * powershell -EncodedCommand, the ADSI script local_group.c sends: an
 * orphan removed by SID; adding a SID no account has fails with 1332.
 */
static void
test_powershell_adsi(void **state)
{
	struct sim_host *h = host_new();

	sim_group_add_member(sim_group(h, "Gateway Administrators"),
	    "S-1-5-21-1-2-3-1500");
	expect_w(h, ADMIN, "powershell.exe -NoProfile -NonInteractive "
	    "-EncodedCommand "
	    "JABFAHIAcgBvAHIAQQBjAHQAaQBvAG4AUAByAGUAZgBlAHIAZQBuAGMAZQA9"
	    "ACcAUwB0AG8AcAAnADsAdAByAHkAewAkAGcAPQBbAEEARABTAEkAXQAoACcA"
	    "VwBpAG4ATgBUADoALwAvACcAKwAkAGUAbgB2ADoAQwBPAE0AUABVAFQARQBS"
	    "AE4AQQBNAEUAKwAnAC8AJwArACcARwBhAHQAZQB3AGEAeQAgAEEAZABtAGkA"
	    "bgBpAHMAdAByAGEAdABvAHIAcwAnACsAJwAsAGcAcgBvAHUAcAAnACkAOwAk"
	    "AGcALgBSAGUAbQBvAHYAZQAoACcAVwBpAG4ATgBUADoALwAvAFMALQAxAC0A"
	    "NQAtADIAMQAtADEALQAyAC0AMwAtADEANQAwADAAJwApAH0AYwBhAHQAYwBo"
	    "AHsAJABlAD0AJABfAC4ARQB4AGMAZQBwAHQAaQBvAG4AOwB3AGgAaQBsAGUA"
	    "KAAkAGUALgBJAG4AbgBlAHIARQB4AGMAZQBwAHQAaQBvAG4AKQB7ACQAZQA9"
	    "ACQAZQAuAEkAbgBuAGUAcgBFAHgAYwBlAHAAdABpAG8AbgB9ADsAWwBDAG8A"
	    "bgBzAG8AbABlAF0AOgA6AEUAcgByAG8AcgAuAFcAcgBpAHQAZQBMAGkAbgBl"
	    "ACgAJABlAC4ATQBlAHMAcwBhAGcAZQApADsAZQB4AGkAdAAoACQAZQAuAEgA"
	    "UgBlAHMAdQBsAHQAIAAtAGIAYQBuAGQAIAAwAHgARgBGAEYARgApAH0A", 0, "", "", 1);
	assert_int_equal(sim_group_find_member(sim_group(h,
	    "Gateway Administrators"), "S-1-5-21-1-2-3-1500"), -1);
	expect(h, ADMIN, "powershell -EncodedCommand "
	    "JABFAHIAcgBvAHIAQQBjAHQAaQBvAG4AUAByAGUAZgBlAHIAZQBuAGMAZQA9"
	    "ACcAUwB0AG8AcAAnADsAdAByAHkAewAkAGcAPQBbAEEARABTAEkAXQAoACcA"
	    "VwBpAG4ATgBUADoALwAvACcAKwAkAGUAbgB2ADoAQwBPAE0AUABVAFQARQBS"
	    "AE4AQQBNAEUAKwAnAC8AJwArACcARwBhAHQAZQB3AGEAeQAgAEEAZABtAGkA"
	    "bgBpAHMAdAByAGEAdABvAHIAcwAnACsAJwAsAGcAcgBvAHUAcAAnACkAOwAk"
	    "AGcALgBBAGQAZAAoACcAVwBpAG4ATgBUADoALwAvAFMALQAxAC0ANQAtADIA"
	    "MQAtADEALQAyAC0AMwAtADEANQAwADAAJwApAH0AYwBhAHQAYwBoAHsAJABl"
	    "AD0AJABfAC4ARQB4AGMAZQBwAHQAaQBvAG4AOwB3AGgAaQBsAGUAKAAkAGUA"
	    "LgBJAG4AbgBlAHIARQB4AGMAZQBwAHQAaQBvAG4AKQB7ACQAZQA9ACQAZQAu"
	    "AEkAbgBuAGUAcgBFAHgAYwBlAHAAdABpAG8AbgB9ADsAWwBDAG8AbgBzAG8A"
	    "bABlAF0AOgA6AEUAcgByAG8AcgAuAFcAcgBpAHQAZQBMAGkAbgBlACgAJABl"
	    "AC4ATQBlAHMAcwBhAGcAZQApADsAZQB4AGkAdAAoACQAZQAuAEgAUgBlAHMA"
	    "dQBsAHQAIAAtAGIAYQBuAGQAIAAwAHgARgBGAEYARgApAH0A", 1332, "",
	    "No mapping between account names and security IDs was done.\r\n");
	expect(h, ADMIN, "powershell -EncodedCommand ZQBjAGgAbwA=", 1, "",
	    "winrm-sim: powershell: script not modelled: echo\r\n");
	host_free(h);
}

static void
test_net_localgroup_list(void **state)
{
	struct sim_host *h = host_new();
	struct buf out = BUF_INIT, err = BUF_INIT;
	int wrote;

	assert_int_equal(run(h, USER, "net localgroup", &out, &err, &wrote), 0);
	assert_true(strncmp(out.ptr, "\r\nAliases for \\\\NODE1\r\n\r\n"
	    DASHES "*Access Control Assistance Operators\r\n*Administrators\r\n"
	    "*Backup Operators\r\n", 120) == 0);
	assert_non_null(strstr(out.ptr, "*Gateway Administrators\r\n"
	    "*Guests\r\n"));
	assert_non_null(strstr(out.ptr, "*Users\r\n" DONE));
	assert_int_equal(strlen(strstr(out.ptr, "*Users\r\n")),
	    strlen("*Users\r\n" DONE));
	buf_release(&out);
	buf_release(&err);
	host_free(h);
}

static void
test_net_localgroup_members(void **state)
{
	struct sim_host *h = host_new();
	const char *g = "net localgroup \"Gateway Administrators\" ";

	expect_w(h, ADMIN, "net localgroup \"Gateway Administrators\" "
	    "contoso\\HCI-ADMINS /add", 0, DONE, "", 1);
	assert_dump(h, "group.Gateway Administrators.members",
	    "CONTOSO\\alice,CONTOSO\\hci-admins");
	expect_w(h, ADMIN, "net localgroup \"Gateway Administrators\" "
	    "CONTOSO\\alice /add", 2, "",
	    "System error 1378 has occurred.\r\n\r\n"
	    "The specified account name is already a member of the group.\r\n"
	    "\r\n", 0);
	expect_w(h, ADMIN, "net localgroup \"Gateway Administrators\" "
	    "CONTOSO\\bob /delete", 2, "",
	    "System error 1377 has occurred.\r\n\r\n"
	    "The specified account name is not a member of the group.\r\n\r\n",
	    0);
	expect(h, ADMIN, "net localgroup \"Gateway Administrators\" "
	    "CONTOSO\\mallory /add", 2, "",
	    "There is no such global user or group: CONTOSO\\mallory.\r\n\r\n"
	    "More help is available by typing NET HELPMSG 3783.\r\n\r\n");
	expect(h, ADMIN, "net localgroup Nope CONTOSO\\bob /add", 2, "",
	    "System error 1376 has occurred.\r\n\r\n"
	    "The specified local group does not exist.\r\n\r\n");
	expect(h, USER, "net localgroup \"Gateway Administrators\" "
	    "CONTOSO\\bob /add", 2, "",
	    "System error 5 has occurred.\r\n\r\nAccess is denied.\r\n\r\n");
	expect(h, ADMIN, "net localgroup \"Gateway Administrators\" "
	    "CONTOSO\\alice /DELETE", 0, DONE, "");
	expect(h, ADMIN, "net localgroup \"Gateway Administrators\" "
	    "node1\\Operator /add", 0, DONE, "");
	assert_dump(h, "group.Gateway Administrators.members",
	    "CONTOSO\\hci-admins,operator");
	(void)g;
	host_free(h);
}

static void
test_net_localgroup_create_delete(void **state)
{
	struct sim_host *h = host_new();

	expect_w(h, ADMIN, "net localgroup Ops /add /comment:\"Ops team\"", 0,
	    DONE, "", 1);
	assert_string_equal(sim_group(h, "ops")->comment, "Ops team");
	expect(h, ADMIN, "net localgroup Ops /add", 2, "",
	    "System error 1379 has occurred.\r\n\r\n"
	    "The specified local group already exists.\r\n\r\n");
	expect(h, ADMIN, "net localgroup Ops /delete", 0, DONE, "");
	expect(h, ADMIN, "net localgroup Ops /delete", 2, "",
	    "System error 1376 has occurred.\r\n\r\n"
	    "The specified local group does not exist.\r\n\r\n");
	expect(h, ADMIN, "net localgroup Ops x /add /delete", 1,
	    "The syntax of this command is:\r\n\r\nNET LOCALGROUP\r\n"
	    "[groupname [/COMMENT:\"text\"]] [/DOMAIN]\r\n"
	    "              groupname {/ADD [/COMMENT:\"text\"] | /DELETE}  "
	    "[/DOMAIN]\r\n"
	    "              groupname name [...] {/ADD | /DELETE} [/DOMAIN]\r\n"
	    "\r\n", "");
	expect(h, ADMIN, "net frob", 1, NULL, "");
	host_free(h);
}

static int changed;

static void
on_service(struct sim_host *h, struct sim_service *s)
{
	changed++;
}

static void
test_net_start_stop(void **state)
{
	struct sim_host *h = host_new();
	struct sim_fleet fleet;

	memset(&fleet, 0, sizeof(fleet));
	fleet.service_changed = on_service;
	h->fleet = &fleet;
	changed = 0;
	expect_w(h, ADMIN, "net stop winrm", 0,
	    "The Windows Remote Management (WS-Management) service is "
	    "stopping.\r\nThe Windows Remote Management (WS-Management) "
	    "service was stopped successfully.\r\n\r\n", "", 1);
	assert_int_equal(changed, 1);
	assert_dump(h, "service.WinRM.state", "Stopped");
	expect(h, ADMIN, "net stop WinRM", 2, "",
	    "The Windows Remote Management (WS-Management) service is not "
	    "started.\r\n\r\nMore help is available by typing NET HELPMSG "
	    "3521.\r\n\r\n");
	expect(h, ADMIN, "net start \"Windows Remote Management "
	    "(WS-Management)\"", 0,
	    "The Windows Remote Management (WS-Management) service is "
	    "starting.\r\nThe Windows Remote Management (WS-Management) "
	    "service was started successfully.\r\n\r\n", "");
	expect(h, ADMIN, "net start WinRM", 2, "",
	    "The requested service has already been started.\r\n\r\n"
	    "More help is available by typing NET HELPMSG 2182.\r\n\r\n");
	expect(h, ADMIN, "net start Nope", 2, "",
	    "The service name is invalid.\r\n\r\n"
	    "More help is available by typing NET HELPMSG 2185.\r\n\r\n");
	expect(h, USER, "net stop WinRM", 2, "",
	    "System error 5 has occurred.\r\n\r\nAccess is denied.\r\n\r\n");
	sim_service_set_state(h, sim_service(h, "W32Time"), "Stopped");
	free(sim_service(h, "W32Time")->start_mode);
	sim_service(h, "W32Time")->start_mode = xstrdup("Disabled");
	expect(h, ADMIN, "net start W32Time", 2, "",
	    "System error 1058 has occurred.\r\n\r\n"
	    "The service cannot be started, either because it is disabled or "
	    "because it has no enabled devices associated with it.\r\n\r\n");
	expect(h, USER, "net start", 0, "These Windows services are started:"
	    "\r\n\r\n   Server\r\n   Task Scheduler\r\n   Windows Event Log\r\n"
	    "   Windows Remote Management (WS-Management)\r\n\r\n" DONE, "");
	host_free(h);
}

#define SC_BLOCK(name, state, flags) \
	"\r\nSERVICE_NAME: " name "\r\n" \
	"        TYPE               : 20  WIN32_SHARE_PROCESS\r\n" \
	"        STATE              : " state "\r\n" \
	"                                " flags "\r\n" \
	"        WIN32_EXIT_CODE    : 0  (0x0)\r\n" \
	"        SERVICE_EXIT_CODE  : 0  (0x0)\r\n" \
	"        CHECKPOINT         : 0x0\r\n" \
	"        WAIT_HINT          : 0x0\r\n"
#define RUNNING_FLAGS "(STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)"
#define STOPPED_FLAGS "(NOT_STOPPABLE, NOT_PAUSABLE, IGNORES_SHUTDOWN)"

static void
test_sc(void **state)
{
	struct sim_host *h = host_new();

	expect(h, USER, "sc query winrm", 0,
	    SC_BLOCK("winrm", "4  RUNNING", RUNNING_FLAGS) "\r\n", "");
	expect(h, USER, "sc.exe query Nope", 1060,
	    "[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n\r\n"
	    "The specified service does not exist as an installed service."
	    "\r\n\r\n", "");
	expect_w(h, ADMIN, "sc config WinRM start= demand", 0,
	    "[SC] ChangeServiceConfig SUCCESS\r\n", "", 1);
	assert_dump(h, "service.WinRM.start_mode", "Manual");
	expect_w(h, ADMIN, "sc config WinRM start= demand", 0,
	    "[SC] ChangeServiceConfig SUCCESS\r\n", "", 0);
	expect(h, ADMIN, "sc config WinRM start= disabled", 0,
	    "[SC] ChangeServiceConfig SUCCESS\r\n", "");
	assert_dump(h, "service.WinRM.start_mode", "Disabled");
	expect(h, ADMIN, "sc config WinRM start=auto", 1639, NULL, "");
	expect(h, USER, "sc config WinRM start= auto", 5,
	    "[SC] OpenService FAILED 5:\r\n\r\nAccess is denied.\r\n\r\n", "");
	expect(h, ADMIN, "sc config Nope start= auto", 1060,
	    "[SC] OpenService FAILED 1060:\r\n\r\nThe specified service does "
	    "not exist as an installed service.\r\n\r\n", "");
	expect(h, ADMIN, "sc qc WinRM", 0, NULL, "");
	expect(h, ADMIN, "sc stop WinRM", 0,
	    SC_BLOCK("WinRM", "3  STOP_PENDING", RUNNING_FLAGS) "\r\n", "");
	expect(h, USER, "sc query WinRM", 0,
	    SC_BLOCK("WinRM", "1  STOPPED", STOPPED_FLAGS) "\r\n", "");
	expect(h, ADMIN, "sc stop WinRM", 1062, "[SC] ControlService FAILED "
	    "1062:\r\n\r\nThe service has not been started.\r\n\r\n", "");
	expect(h, ADMIN, "sc start WinRM", 1058, NULL, "");
	expect(h, ADMIN, "sc config WinRM start= auto & sc start WinRM", 0,
	    NULL, "");
	assert_dump(h, "service.WinRM.state", "Running");
	expect(h, ADMIN, "sc start WinRM", 1056, "[SC] StartService FAILED "
	    "1056:\r\n\r\nAn instance of the service is already running.\r\n"
	    "\r\n", "");
	host_free(h);
}

static void
test_sc_qc(void **state)
{
	struct sim_host *h = host_new();

	expect(h, USER, "sc qc Schedule", 0,
	    "[SC] QueryServiceConfig SUCCESS\r\n\r\n"
	    "SERVICE_NAME: Schedule\r\n"
	    "        TYPE               : 20  WIN32_SHARE_PROCESS\r\n"
	    "        START_TYPE         : 2   AUTO_START\r\n"
	    "        ERROR_CONTROL      : 1   NORMAL\r\n"
	    "        BINARY_PATH_NAME   : C:\\Windows\\System32\\svchost.exe -k "
	    "netsvcs -p\r\n"
	    "        LOAD_ORDER_GROUP   : \r\n"
	    "        TAG                : 0\r\n"
	    "        DISPLAY_NAME       : Task Scheduler\r\n"
	    "        DEPENDENCIES       : \r\n"
	    "        SERVICE_START_NAME : LocalSystem\r\n", "");
	host_free(h);
}

/* Odd and broken lines: each gets cmd's or the program's answer. */
static void
test_hostile_lines(void **state)
{
	static const struct {
		const char	*line;
		int		 rc;
	} lines[] = {
		{ "\"", 9009 }, { "^", 0 }, { ">", 1 }, { "2>&1", 0 },
		{ "echo x 2>&", 1 }, { "echo x >> ", 1 }, { "cmd /c \"", 9009 },
		{ "echo %", 0 }, { "echo \"open & echo b", 0 },
		{ "cmd /c cmd /c cmd /c cmd /c cmd /c cmd /c cmd /c cmd /c cmd /c "
		  "echo deep", 1 },
		{ "net", 1 }, { "sc", 1 }, { "reg", 1 }, { "winrm", 1 },
		{ "certutil", -2147024809 }, { "schtasks /Create", 1 },
		{ "reg query", 1 }, { "reg query HKLM /v", 1 },
		{ "reg add HKLM\\ /v x /f", 1 }, { "winrm set", 1 },
		{ "winrm set winrm/config/client @{", 1 },
		{ "winrm set winrm/config/client @{TrustedHosts}", 1 },
		{ "winrm get winrm/config/listener?", 1 },
		{ "winrm e winrm/config/listener?Address=*", 1 },
		{ "schtasks /Query /FO", 1 }, { "schtasks /Query /FO XML", 1 },
		{ "schtasks /Create /TN \"\" /SC ONCE /ST 23:00 /TR x", 1 },
		{ "schtasks /Create /TN \\dir\\ /SC ONCE /ST 23:00 /TR x", 1 },
		{ "net localgroup \"\" x /add", 2 }, { "net start \"\"", 2 },
		{ "sc query \"\"", 1060 }, { "type", 1 }, { "del", 1 },
		{ "exit /b", 0 },
	};
	struct sim_host *h = host_new();
	struct buf out = BUF_INIT, err = BUF_INIT, big = BUF_INIT;
	size_t i;
	int wrote;

	for (i = 0; i < nitems(lines); i++)
		if (run(h, ADMIN, lines[i].line, &out, &err, &wrote) !=
		    lines[i].rc)
			fail_msg("'%s': exit code %d", lines[i].line,
			    run(h, ADMIN, lines[i].line, &out, &err, &wrote));
	assert_int_equal(h->ntasks, 0);
	buf_puts(&big, "echo ");
	for (i = 0; i < 20000; i++)
		buf_puts(&big, "^&\"");
	assert_int_equal(run(h, ADMIN, big.ptr, &out, &err, &wrote), 0);
	buf_release(&big);
	buf_release(&out);
	buf_release(&err);
	host_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_program),
		cmocka_unit_test(test_echo_redirect_type),
		cmocka_unit_test(test_del),
		cmocka_unit_test(test_chaining),
		cmocka_unit_test(test_exit_and_variables),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_streams),
		cmocka_unit_test(test_cmd_c),
		cmocka_unit_test(test_whoami_hostname),
		cmocka_unit_test(test_net_localgroup_show),
		cmocka_unit_test(test_net_localgroup_german),
		cmocka_unit_test(test_powershell_adsi),
		cmocka_unit_test(test_net_localgroup_list),
		cmocka_unit_test(test_net_localgroup_members),
		cmocka_unit_test(test_net_localgroup_create_delete),
		cmocka_unit_test(test_net_start_stop),
		cmocka_unit_test(test_sc),
		cmocka_unit_test(test_sc_qc),
		cmocka_unit_test(test_hostile_lines),
	};

	return cmocka_run_group_tests_name("sim_cmd", tests, NULL, NULL);
}
