/*
 * test_sim_schtasks.c: schtasks.exe (prog_schtasks.c) byte for byte, and
 * tasks firing when the host's clock passes their trigger: the CredSSP
 * window's fail-safe revert as the enforcer would schedule it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>

#include "test_sim.h"

#define CREATE	"schtasks /Create /TN \\enforcer\\revert-x /SC ONCE " \
		"/SD 11/25/2026 /ST 12:15 /RU SYSTEM /TR " \
		"\"net localgroup \\\"Gateway Administrators\\\" " \
		"CONTOSO\\alice /delete\" /F"
#define CREATED	"SUCCESS: The scheduled task \"\\enforcer\\revert-x\" has " \
		"successfully been created.\r\n"
#define HEADER	"TaskName                                 Next Run Time     " \
		"     Status\r\n======================================== " \
		"====================== ===============\r\n"
#define MISSING	"ERROR: The system cannot find the file specified.\r\n"

static void
test_create_query_table(void **state)
{
	struct sim_host *h = host_new();

	expect_w(h, ADMIN, "schtasks /Create /TN \\enforcer\\revert-x /SC ONCE "
	    "/SD 11/25/2026 /ST 12:15 /RU SYSTEM /TR \"cmd /c echo reverted\"",
	    0, CREATED, "", 1);
	assert_dump(h, "task.\\enforcer\\revert-x.trigger",
	    "2026-11-25T11:15:00Z");
	assert_dump(h, "task.\\enforcer\\revert-x.command",
	    "cmd /c echo reverted");
	assert_dump(h, "task.\\enforcer\\revert-x.run_as", "SYSTEM");
	expect(h, USER, "schtasks /Query /TN \\enforcer\\revert-x", 0,
	    "\r\nFolder: \\enforcer\r\n" HEADER
	    "revert-x                                 11/25/2026 12:15:00 PM "
	    "Ready\r\n", "");
	expect(h, USER, "schtasks /query /tn enforcer\\REVERT-X /fo csv", 0,
	    "\"TaskName\",\"Next Run Time\",\"Status\"\r\n"
	    "\"\\enforcer\\revert-x\",\"11/25/2026 12:15:00 PM\",\"Ready\"\r\n",
	    "");
	expect(h, USER, "schtasks /query /tn \\enforcer\\revert-x /fo csv /nh",
	    0, "\"\\enforcer\\revert-x\",\"11/25/2026 12:15:00 PM\",\"Ready\""
	    "\r\n", "");
	expect(h, USER, "schtasks /Query /TN \\enforcer\\revert-x /FO LIST", 0,
	    "\r\nFolder: \\enforcer\r\n"
	    "HostName:      NODE1\r\n"
	    "TaskName:      \\enforcer\\revert-x\r\n"
	    "Next Run Time: 11/25/2026 12:15:00 PM\r\n"
	    "Status:        Ready\r\n"
	    "Logon Mode:    Interactive/Background\r\n\r\n", "");
	expect(h, USER, "schtasks /Query /TN \\enforcer\\nope", 1, "", MISSING);
	host_free(h);
}

static void
test_query_list_verbose(void **state)
{
	struct sim_host *h = host_new();

	expect(h, ADMIN, "schtasks /Create /TN \\enforcer\\revert-x /SC ONCE "
	    "/SD 11/25/2026 /ST 12:15 /RU SYSTEM /TR \"cmd /c echo reverted\"",
	    0, CREATED, "");
	expect(h, USER, "schtasks /Query /TN \\enforcer\\revert-x /V /FO LIST", 0,
	    "\r\nFolder: \\enforcer\r\n"
	    "HostName:                             NODE1\r\n"
	    "TaskName:                             \\enforcer\\revert-x\r\n"
	    "Next Run Time:                        11/25/2026 12:15:00 PM\r\n"
	    "Status:                               Ready\r\n"
	    "Logon Mode:                           Interactive/Background\r\n"
	    "Last Run Time:                        11/30/1999 12:00:00 AM\r\n"
	    "Last Result:                          267011\r\n"
	    "Author:                               CONTOSO\\svc-enforcer\r\n"
	    "Task To Run:                          cmd /c echo reverted\r\n"
	    "Start In:                             N/A\r\n"
	    "Comment:                              N/A\r\n"
	    "Scheduled Task State:                 Enabled\r\n"
	    "Idle Time:                            Disabled\r\n"
	    "Power Management:                     Stop On Battery Mode, No "
	    "Start On Batteries\r\n"
	    "Run As User:                          SYSTEM\r\n"
	    "Delete Task If Not Rescheduled:       Disabled\r\n"
	    "Stop Task If Runs X Hours and X Mins: 72:00:00\r\n"
	    "Schedule:                             Scheduling data is not "
	    "available in this format.\r\n"
	    "Schedule Type:                        One Time Only\r\n"
	    "Start Time:                           12:15:00 PM\r\n"
	    "Start Date:                           11/25/2026\r\n"
	    "End Date:                             N/A\r\n"
	    "Days:                                 N/A\r\n"
	    "Months:                               N/A\r\n"
	    "Repeat: Every:                        Disabled\r\n"
	    "Repeat: Until: Time:                  Disabled\r\n"
	    "Repeat: Until: Duration:              Disabled\r\n"
	    "Repeat: Stop If Still Running:        Disabled\r\n\r\n", "");
	host_free(h);
}

static void
test_query_all(void **state)
{
	struct sim_host *h = host_new();

	expect(h, USER, "schtasks", 0, "INFO: There are no scheduled tasks "
	    "presently available at your access level.\r\n", "");
	expect(h, ADMIN, "schtasks /Create /TN b /SC ONSTART /TR x.exe & "
	    "schtasks /Create /TN \\enforcer\\a /SC ONCE /SD 11/25/2026 /ST "
	    "12:15 /TR y.exe & schtasks /Create /TN a /SC ONCE /SD 11/25/2026 "
	    "/ST 23:00 /TR z.exe", 0, NULL, "");
	expect(h, USER, "schtasks /query", 0,
	    "\r\nFolder: \\\r\n" HEADER
	    "a                                        11/25/2026 11:00:00 PM "
	    "Ready\r\n"
	    "b                                        N/A                    "
	    "Ready\r\n"
	    "\r\nFolder: \\enforcer\r\n" HEADER
	    "a                                        11/25/2026 12:15:00 PM "
	    "Ready\r\n", "");
	host_free(h);
}

static void
test_create_errors(void **state)
{
	struct sim_host *h = host_new();
	char *tr, *line;

	expect(h, ADMIN, CREATE, 0, CREATED, "");
	/* An existing name without /F: the Y/N prompt gets end of input. */
	expect_w(h, ADMIN, "schtasks /Create /TN \\enforcer\\revert-x /SC ONCE "
	    "/ST 12:15 /TR x.exe", 1, "WARNING: The task name "
	    "\"\\enforcer\\revert-x\" already exists. Do you want to replace it "
	    "(Y/N)? ", "", 0);
	expect(h, ADMIN, "schtasks /Create /SC ONCE /ST 12:15 /TR x.exe", 1, "",
	    "ERROR: Invalid syntax. Mandatory option '/tn' is missing.\r\n"
	    "Type \"SCHTASKS /CREATE /?\" for usage.\r\n");
	expect(h, ADMIN, "schtasks /Create /TN t /ST 12:15 /TR x.exe", 1, "",
	    "ERROR: Invalid syntax. Mandatory option '/sc' is missing.\r\n"
	    "Type \"SCHTASKS /CREATE /?\" for usage.\r\n");
	expect(h, ADMIN, "schtasks /Create /TN t /SC ONCE /ST 12:15", 1, "",
	    "ERROR: Invalid syntax. Mandatory option '/tr' is missing.\r\n"
	    "Type \"SCHTASKS /CREATE /?\" for usage.\r\n");
	expect(h, ADMIN, "schtasks /Create /TN t /TN u", 1, "",
	    "ERROR: Invalid syntax. '/TN' option is not allowed more than '1' "
	    "time(s).\r\nType \"SCHTASKS /CREATE /?\" for usage.\r\n");
	expect(h, ADMIN, "schtasks /Create /TN t /Bogus", 1, "",
	    "ERROR: Invalid argument/option - '/Bogus'.\r\n"
	    "Type \"SCHTASKS /CREATE /?\" for usage.\r\n");
	expect(h, ADMIN, "schtasks /Create /TN", 1, "",
	    "ERROR: Invalid syntax. Value expected for '/TN'.\r\n"
	    "Type \"SCHTASKS /CREATE /?\" for usage.\r\n");
	expect(h, ADMIN, "schtasks /Frob", 1, "",
	    "ERROR: Invalid argument/option - '/Frob'.\r\n"
	    "Type \"SCHTASKS /?\" for usage.\r\n");
	expect(h, ADMIN, "schtasks /Create /TN t /SC ONCE /SD 25/11/2026 /ST "
	    "12:15 /TR x.exe", 1, "", "ERROR: Invalid Start Date (Date should be "
	    "in \"mm/dd/yyyy\" format).\r\n");
	expect(h, ADMIN, "schtasks /Create /TN t /SC ONCE /ST 25:00 /TR x.exe",
	    1, "", "ERROR: Invalid Start Time.\r\n");
	expect(h, ADMIN, "schtasks /Create /TN t /SC FORTNIGHTLY /TR x.exe", 1,
	    "", "ERROR: Invalid value for /SC option.\r\n");
	expect(h, USER, "schtasks /Create /TN t /SC ONCE /ST 12:15 /TR x.exe",
	    1, "", "ERROR: Access is denied.\r\n");
	tr = xcalloc(1, 263);
	memset(tr, 'a', 262);
	line = xasprintf("schtasks /Create /TN t /SC ONCE /ST 12:15 /TR %s", tr);
	expect(h, ADMIN, line, 1, "", "ERROR: Invalid syntax. Value for '/TR' "
	    "option cannot be more than 261 character(s).\r\n"
	    "Type \"SCHTASKS /CREATE /?\" for usage.\r\n");
	free(line);
	free(tr);
	assert_null(sim_task(h, "t", 0));
	host_free(h);
}

static void
test_create_warnings(void **state)
{
	struct sim_host *h = host_new();

	/* 22:00 today is before the host's 22:30. */
	expect(h, ADMIN, "schtasks /Create /TN past /SC ONCE /ST 22:00 /TR "
	    "x.exe", 0, "WARNING: Task may not run because /ST is earlier than "
	    "current time.\r\nSUCCESS: The scheduled task \"past\" has "
	    "successfully been created.\r\n", "");
	assert_dump(h, "task.\\past.trigger", "2026-11-24T21:00:00Z");
	/* As on Windows, a one-time trigger already past never fires. */
	sim_run_due_tasks(h);
	assert_dump(h, "task.\\past.last_result", "267011");
	expect(h, ADMIN, "schtasks /Create /TN as-bob /SC ONCE /ST 23:00 /RU "
	    "CONTOSO\\bob /TR x.exe", 0, "WARNING: The Scheduled task \"as-bob\" "
	    "has been created, but may not run because the account information "
	    "could not be set.\r\n", "");
	assert_dump(h, "task.\\as-bob.run_as", "CONTOSO\\bob");
	host_free(h);
}

/* The task XML is written with echo, one line at a time, then used. */
static void
write_xml(struct sim_host *h, const char *boundary, const char *args)
{
	char *line;

	expect(h, ADMIN, "echo ^<?xml version=\"1.0\"?^> > "
	    "C:\\Windows\\Temp\\t.xml", 0, "", "");
	line = xasprintf("echo ^<Task version=\"1.2\" xmlns=\"http://schemas."
	    "microsoft.com/windows/2004/02/mit/task\"^>^<Principals^>"
	    "^<Principal^>^<UserId^>S-1-5-18^</UserId^>^</Principal^>"
	    "^</Principals^>^<Triggers^>^<TimeTrigger^>^<StartBoundary^>%s"
	    "^</StartBoundary^>^</TimeTrigger^>^</Triggers^>^<Actions^>^<Exec^>"
	    "^<Command^>cmd.exe^</Command^>^<Arguments^>%s^</Arguments^>"
	    "^</Exec^>^</Actions^>^</Task^> >> C:\\Windows\\Temp\\t.xml",
	    boundary, args);
	expect(h, ADMIN, line, 0, "", "");
	free(line);
}

static void
test_xml_task_fires(void **state)
{
	struct sim_host *h = host_new();
	char *cause = NULL;

	assert_int_equal(sim_set(h, "winrm.service.auth.CredSSP", "true",
	    &cause), 0);
	write_xml(h, "2026-11-25T11:15:00Z", "/c winrm set "
	    "winrm/config/service/auth @{CredSSP=\"false\"} ^&amp; schtasks "
	    "/Delete /TN \\enforcer\\revert /F");
	expect_w(h, ADMIN, "schtasks /Create /TN \\enforcer\\revert /XML "
	    "C:\\Windows\\Temp\\t.xml /F", 0, "SUCCESS: The scheduled task "
	    "\"\\enforcer\\revert\" has successfully been created.\r\n", "", 1);
	assert_dump(h, "task.\\enforcer\\revert.trigger", "2026-11-25T11:15:00Z");
	assert_dump(h, "task.\\enforcer\\revert.command", "cmd.exe /c winrm set "
	    "winrm/config/service/auth @{CredSSP=\"false\"} & schtasks /Delete "
	    "/TN \\enforcer\\revert /F");
	assert_dump(h, "task.\\enforcer\\revert.run_as", "SYSTEM");

	/* Not yet: a minute before the trigger. */
	assert_int_equal(sim_set(h, "clock.now", "2026-11-25T11:14:00Z",
	    &cause), 0);
	sim_run_due_tasks(h);
	assert_dump(h, "winrm.service.auth.CredSSP", "true");
	/* The clock passes the trigger: CredSSP reverts, the task goes. */
	assert_int_equal(sim_set(h, "clock.now", "2026-11-25T11:15:30Z",
	    &cause), 0);
	sim_run_due_tasks(h);
	assert_dump(h, "winrm.service.auth.CredSSP", "false");
	assert_null(sim_task(h, "\\enforcer\\revert", 0));
	host_free(h);
}

static void
test_xml_errors(void **state)
{
	struct sim_host *h = host_new();

	expect(h, ADMIN, "schtasks /Create /TN t /XML C:\\nope.xml", 1, "",
	    MISSING);
	expect(h, ADMIN, "echo ^<Task^>^</Task > C:\\bad.xml", 0, "", "");
	expect(h, ADMIN, "schtasks /Create /TN t /XML C:\\bad.xml", 1, "",
	    "ERROR: The task XML is malformed.\r\n");
	expect(h, ADMIN, "echo ^<!DOCTYPE Task [^<!ENTITY x \"y\"^>]^>^<Task "
	    "xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\"/^> > "
	    "C:\\dtd.xml", 0, "", "");
	expect(h, ADMIN, "schtasks /Create /TN t /XML C:\\dtd.xml", 1, "",
	    "ERROR: The task XML is malformed.\r\n");
	expect(h, ADMIN, "echo ^<Task xmlns=\"http://schemas.microsoft.com/"
	    "windows/2004/02/mit/task\"/^> > C:\\empty.xml", 0, "", "");
	expect(h, ADMIN, "schtasks /Create /TN t /XML C:\\empty.xml", 1, "",
	    "ERROR: The task XML is missing a required element or attribute."
	    "\r\n");
	write_xml(h, "tomorrow", "/c echo x");
	expect(h, ADMIN, "schtasks /Create /TN t /XML C:\\Windows\\Temp\\t.xml",
	    1, "", "ERROR: The task XML contains a value which is incorrectly "
	    "formatted or out of range.\r\n");
	assert_null(sim_task(h, "t", 0));
	host_free(h);
}

/* A task with another trigger than a time registers without one. */
static void
test_xml_other_trigger(void **state)
{
	struct sim_host *h = host_new();
	struct buf out = BUF_INIT, err = BUF_INIT;
	int wrote;

	expect(h, ADMIN, "echo ^<Task xmlns=\"http://schemas.microsoft.com/"
	    "windows/2004/02/mit/task\"^>^<Triggers^>^<BootTrigger/^>"
	    "^</Triggers^>^<Actions^>^<Exec^>^<Command^>x.exe^</Command^>"
	    "^</Exec^>^</Actions^>^</Task^> > C:\\boot.xml & schtasks /Create "
	    "/TN boot /XML C:\\boot.xml", 0, "SUCCESS: The scheduled task "
	    "\"boot\" has successfully been created.\r\n", "");
	assert_dump(h, "task.\\boot.trigger", "");
	assert_int_equal(run(h, USER, "schtasks /Query /TN boot /V /FO LIST",
	    &out, &err, &wrote), 0);
	assert_non_null(strstr(out.ptr, "\r\nSchedule Type:                   "
	    "     At system start up\r\nStart Time:                           "
	    "N/A\r\n"));
	buf_release(&out);
	buf_release(&err);
	host_free(h);
}

static void
test_query_xml(void **state)
{
	struct sim_host *h = host_new();

	write_xml(h, "2026-11-25T12:15:00+01:00", "/c echo ^&lt;done^&gt;");
	expect(h, ADMIN, "schtasks /Create /TN \\enforcer\\x /XML "
	    "C:\\Windows\\Temp\\t.xml", 0, NULL, "");
	expect(h, USER, "schtasks /Query /TN \\enforcer\\x /XML", 0,
	    "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n"
	    "<Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/windows/"
	    "2004/02/mit/task\">\r\n"
	    "  <RegistrationInfo>\r\n"
	    "    <Author>CONTOSO\\svc-enforcer</Author>\r\n"
	    "    <URI>\\enforcer\\x</URI>\r\n"
	    "  </RegistrationInfo>\r\n"
	    "  <Principals>\r\n"
	    "    <Principal id=\"Author\">\r\n"
	    "      <UserId>S-1-5-18</UserId>\r\n"
	    "      <RunLevel>LeastPrivilege</RunLevel>\r\n"
	    "    </Principal>\r\n"
	    "  </Principals>\r\n"
	    "  <Settings>\r\n"
	    "    <DisallowStartIfOnBatteries>true</DisallowStartIfOnBatteries>"
	    "\r\n"
	    "    <StopIfGoingOnBatteries>true</StopIfGoingOnBatteries>\r\n"
	    "    <StartWhenAvailable>false</StartWhenAvailable>\r\n"
	    "    <ExecutionTimeLimit>PT72H</ExecutionTimeLimit>\r\n"
	    "    <Enabled>true</Enabled>\r\n"
	    "  </Settings>\r\n"
	    "  <Triggers>\r\n"
	    "    <TimeTrigger>\r\n"
	    "      <StartBoundary>2026-11-25T11:15:00Z</StartBoundary>\r\n"
	    "    </TimeTrigger>\r\n"
	    "  </Triggers>\r\n"
	    "  <Actions Context=\"Author\">\r\n"
	    "    <Exec>\r\n"
	    "      <Command>cmd.exe</Command>\r\n"
	    "      <Arguments>/c echo &lt;done&gt;</Arguments>\r\n"
	    "    </Exec>\r\n"
	    "  </Actions>\r\n"
	    "</Task>\r\n", "");
	host_free(h);
}

static void
test_run_change_end_delete(void **state)
{
	struct sim_host *h = host_new();
	char *cause = NULL;

	expect(h, ADMIN, CREATE, 0, CREATED, "");
	expect_w(h, ADMIN, "schtasks /Change /TN \\enforcer\\revert-x /DISABLE",
	    0, "SUCCESS: The parameters of scheduled task "
	    "\"\\enforcer\\revert-x\" have been changed.\r\n", "", 1);
	expect(h, USER, "schtasks /Query /TN \\enforcer\\revert-x /NH", 0,
	    "\r\nFolder: \\enforcer\r\n"
	    "revert-x                                 N/A                    "
	    "Disabled\r\n", "");
	/* A disabled task does not fire. */
	assert_int_equal(sim_set(h, "clock.now", "2026-11-25T12:00:00Z",
	    &cause), 0);
	sim_run_due_tasks(h);
	assert_dump(h, "group.Gateway Administrators.members", "CONTOSO\\alice");
	expect(h, ADMIN, "schtasks /Run /TN \\enforcer\\revert-x", 1, "",
	    "ERROR: The task is disabled.\r\n");
	expect(h, ADMIN, "schtasks /Change /TN \\enforcer\\revert-x /ENABLE", 0,
	    NULL, "");
	expect(h, ADMIN, "schtasks /Change /TN \\enforcer\\revert-x /ENABLE", 0,
	    "INFO: The scheduled task \"\\enforcer\\revert-x\" has already been "
	    "enabled.\r\nSUCCESS: The parameters of scheduled task "
	    "\"\\enforcer\\revert-x\" have been changed.\r\n", "");
	expect(h, ADMIN, "schtasks /Change /TN \\enforcer\\revert-x /TR "
	    "\"net localgroup Nope\"", 0, NULL, "");
	expect_w(h, ADMIN, "schtasks /Run /TN \\enforcer\\revert-x", 0,
	    "SUCCESS: Attempted to run the scheduled task "
	    "\"\\enforcer\\revert-x\".\r\n", "", 1);
	assert_dump(h, "task.\\enforcer\\revert-x.last_result", "2");
	assert_dump(h, "task.\\enforcer\\revert-x.last_run",
	    "2026-11-25T12:00:00Z");
	expect(h, USER, "schtasks /End /TN \\enforcer\\revert-x", 0,
	    "SUCCESS: The scheduled task \"\\enforcer\\revert-x\" has been "
	    "terminated successfully.\r\n", "");
	expect(h, USER, "schtasks /Change /TN \\enforcer\\revert-x /DISABLE", 1,
	    "", "ERROR: Access is denied.\r\n");
	expect(h, ADMIN, "schtasks /Change /TN \\enforcer\\revert-x", 1, "",
	    "ERROR: Invalid syntax.\r\nType \"SCHTASKS /CHANGE /?\" for usage."
	    "\r\n");
	expect_w(h, ADMIN, "schtasks /Delete /TN \\enforcer\\revert-x", 1,
	    "WARNING: Are you sure you want to remove the task "
	    "\"\\enforcer\\revert-x\" (Y/N)? ", "", 0);
	expect_w(h, ADMIN, "schtasks /Delete /TN \\enforcer\\revert-x /F", 0,
	    "SUCCESS: The scheduled task \"\\enforcer\\revert-x\" was "
	    "successfully deleted.\r\n", "", 1);
	expect(h, ADMIN, "schtasks /Delete /TN \\enforcer\\revert-x /F", 1, "",
	    MISSING);
	expect(h, ADMIN, "schtasks /Run /TN \\enforcer\\revert-x", 1, "",
	    MISSING);
	host_free(h);
}

/* The dump shows what fired: last_result and last_run per task. */
static void
test_change_trigger(void **state)
{
	struct sim_host *h = host_new();
	char *cause = NULL;

	expect(h, ADMIN, CREATE, 0, CREATED, "");
	/* \" in /TR is a literal quote, as the C runtime splits words. */
	assert_dump(h, "task.\\enforcer\\revert-x.command", "net localgroup "
	    "\"Gateway Administrators\" CONTOSO\\alice /delete");
	expect(h, ADMIN, "schtasks /Change /TN \\enforcer\\revert-x /SD "
	    "11/26/2026 /ST 08:00", 0, NULL, "");
	assert_dump(h, "task.\\enforcer\\revert-x.trigger",
	    "2026-11-26T07:00:00Z");
	assert_int_equal(sim_set(h, "clock.now", "2026-11-26T07:00:00Z",
	    &cause), 0);
	sim_run_due_tasks(h);
	assert_dump(h, "task.\\enforcer\\revert-x.last_run",
	    "2026-11-26T07:00:00Z");
	assert_dump(h, "task.\\enforcer\\revert-x.last_result", "0");
	assert_dump(h, "group.Gateway Administrators.members", "");
	host_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_query_table),
		cmocka_unit_test(test_query_list_verbose),
		cmocka_unit_test(test_query_all),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_create_warnings),
		cmocka_unit_test(test_xml_task_fires),
		cmocka_unit_test(test_xml_errors),
		cmocka_unit_test(test_xml_other_trigger),
		cmocka_unit_test(test_query_xml),
		cmocka_unit_test(test_run_change_end_delete),
		cmocka_unit_test(test_change_trigger),
	};
	int rc;

	rc = cmocka_run_group_tests_name("sim_schtasks", tests, NULL, NULL);
	xmlCleanupParser();
	return rc;
}
