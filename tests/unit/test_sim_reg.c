/*
 * test_sim_reg.c: reg.exe query / add / delete (prog_reg.c) byte for
 * byte; the layouts are those Wine's reg conformance tests record from
 * Windows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_sim.h"

#define CD	"HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\" \
		"CredentialsDelegation"
#define CD_LONG	"HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\" \
		"CredentialsDelegation"
#define OK	"The operation completed successfully.\r\n"
#define MISSING	"ERROR: The system was unable to find the specified " \
		"registry key or value.\r\n"

static void
test_add_and_query(void **state)
{
	struct sim_host *h = host_new();

	expect(h, ADMIN, "reg query " CD, 1, "", MISSING);
	expect_w(h, ADMIN, "reg add " CD " /v AllowFreshCredentials /t "
	    "REG_DWORD /d 1 /f", 0, OK, "", 1);
	expect_w(h, ADMIN, "reg add " CD " /v ConcatenateDefaults_AllowFresh "
	    "/t REG_DWORD /d 0x1 /f", 0, OK, "", 1);
	expect_w(h, ADMIN, "reg add " CD "\\AllowFreshCredentials /v 1 /t REG_SZ "
	    "/d wsman/*.contoso.test /f", 0, OK, "", 1);
	/* The same value again is not a change. */
	expect_w(h, ADMIN, "reg add " CD "\\AllowFreshCredentials /v 1 /t REG_SZ "
	    "/d wsman/*.contoso.test /f", 0, OK, "", 0);
	assert_dump(h, "reg.SOFTWARE\\Policies\\Microsoft\\Windows\\"
	    "CredentialsDelegation:AllowFreshCredentials", "REG_DWORD 1");
	assert_dump(h, "reg.SOFTWARE\\Policies\\Microsoft\\Windows\\"
	    "CredentialsDelegation\\AllowFreshCredentials:1",
	    "REG_SZ wsman/*.contoso.test");
	expect(h, USER, "reg query " CD, 0,
	    "\r\n" CD_LONG "\r\n"
	    "    AllowFreshCredentials    REG_DWORD    0x1\r\n"
	    "    ConcatenateDefaults_AllowFresh    REG_DWORD    0x1\r\n"
	    "\r\n" CD_LONG "\\AllowFreshCredentials\r\n", "");
	expect(h, USER, "reg query " CD "\\AllowFreshCredentials", 0,
	    "\r\n" CD_LONG "\\AllowFreshCredentials\r\n"
	    "    1    REG_SZ    wsman/*.contoso.test\r\n\r\n", "");
	expect(h, USER, "reg query " CD " /v allowfreshcredentials", 0,
	    "\r\n" CD_LONG "\r\n"
	    "    AllowFreshCredentials    REG_DWORD    0x1\r\n\r\n", "");
	expect(h, USER, "reg query " CD " /v Nope", 1, "", MISSING);
	/* A key with subkeys only lists them; the name is as typed. */
	expect(h, USER, "reg query hklm\\software\\policies\\microsoft\\windows",
	    0, "\r\nHKEY_LOCAL_MACHINE\\software\\policies\\microsoft\\windows"
	    "\\CredentialsDelegation\r\n", "");
	expect(h, USER, "reg query " CD " /s", 0,
	    "\r\n" CD_LONG "\r\n"
	    "    AllowFreshCredentials    REG_DWORD    0x1\r\n"
	    "    ConcatenateDefaults_AllowFresh    REG_DWORD    0x1\r\n"
	    "\r\n" CD_LONG "\\AllowFreshCredentials\r\n"
	    "    1    REG_SZ    wsman/*.contoso.test\r\n\r\n", "");
	host_free(h);
}

static void
test_types(void **state)
{
	struct sim_host *h = host_new();

	expect(h, ADMIN, "reg add HKLM\\SOFTWARE\\T /v m /t REG_MULTI_SZ /d "
	    "a\\0b\\0c /f", 0, OK, "");
	expect(h, ADMIN, "reg add HKLM\\SOFTWARE\\T /v s /t REG_MULTI_SZ /s # /d "
	    "x#y /f", 0, OK, "");
	expect(h, ADMIN, "reg add HKLM\\SOFTWARE\\T /v b /t REG_BINARY /d 0aff "
	    "/f", 0, OK, "");
	expect(h, ADMIN, "reg add HKLM\\SOFTWARE\\T /v q /t REG_QWORD /d "
	    "4294967296 /f", 0, OK, "");
	expect(h, ADMIN, "reg add HKLM\\SOFTWARE\\T /v e /t REG_EXPAND_SZ /d "
	    "%SystemRoot%\\x /f", 0, OK, "");
	expect(h, ADMIN, "reg add HKLM\\SOFTWARE\\T /ve /d \"the default\" /f", 0,
	    OK, "");
	expect(h, ADMIN, "reg add HKLM\\SOFTWARE\\T /v empty /f", 0, OK, "");
	expect(h, USER, "reg query HKLM\\SOFTWARE\\T", 0,
	    "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\T\r\n"
	    "    m    REG_MULTI_SZ    a\\0b\\0c\r\n"
	    "    s    REG_MULTI_SZ    x\\0y\r\n"
	    "    b    REG_BINARY    0AFF\r\n"
	    "    q    REG_QWORD    0x100000000\r\n"
	    "    e    REG_EXPAND_SZ    C:\\Windows\\x\r\n"
	    "    (Default)    REG_SZ    the default\r\n"
	    "    empty    REG_SZ    \r\n\r\n", "");
	expect(h, USER, "reg query HKLM\\SOFTWARE\\T /ve", 0,
	    "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\T\r\n"
	    "    (Default)    REG_SZ    the default\r\n\r\n", "");
	expect(h, USER, "reg query HKLM\\SOFTWARE\\Policies /ve", 0,
	    "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\r\n"
	    "    (Default)    REG_SZ    (value not set)\r\n\r\n", "");
	host_free(h);
}

static void
test_add_errors(void **state)
{
	struct sim_host *h = host_new();

	expect(h, ADMIN, "reg add HKLM\\SOFTWARE\\T /v n /t REG_DWORD /d ten /f",
	    1, "", "ERROR: Invalid syntax. Specify valid numeric value for "
	    "'/d'.\r\nType \"REG ADD /?\" for usage.\r\n");
	expect(h, ADMIN, "reg add HKLM\\SOFTWARE\\T /v n /t REG_DWORD /f", 1, "",
	    "ERROR: Invalid syntax.\r\nType \"REG ADD /?\" for usage.\r\n");
	expect(h, ADMIN, "reg add HKLM\\SOFTWARE\\T /v n /t REG_TEXT /d x /f", 1,
	    "", "ERROR: Invalid syntax.\r\nType \"REG ADD /?\" for usage.\r\n");
	expect(h, ADMIN, "reg add HKLM\\SOFTWARE\\T /v n /v m /f", 1, "",
	    "ERROR: Invalid syntax.\r\nType \"REG ADD /?\" for usage.\r\n");
	expect(h, ADMIN, "reg add FOO\\SOFTWARE\\T /f", 1, "",
	    "ERROR: Invalid key name.\r\nType \"REG ADD /?\" for usage.\r\n");
	expect(h, ADMIN, "reg frob HKLM\\X", 1, "",
	    "ERROR: Invalid syntax.\r\nType \"REG /?\" for usage.\r\n");
	expect(h, USER, "reg add HKLM\\SOFTWARE\\T /v n /d x /f", 1, "",
	    "ERROR: Access is denied.\r\n");
	assert_null(sim_reg_key(h, "SOFTWARE\\T", 0));
	/* Without /f an existing value asks, and the remote shell says no. */
	expect(h, ADMIN, "reg add HKLM\\SOFTWARE\\T /v n /d x /f", 0, OK, "");
	expect_w(h, ADMIN, "reg add HKLM\\SOFTWARE\\T /v n /d y", 1,
	    "Value n exists, overwrite(Yes/No)? ", "", 0);
	assert_dump(h, "reg.SOFTWARE\\T:n", "REG_SZ x");
	host_free(h);
}

static void
test_delete(void **state)
{
	struct sim_host *h = host_new();

	expect(h, ADMIN, "reg add " CD "\\AllowFreshCredentials /v 1 /d "
	    "wsman/a /f & reg add " CD " /v AllowFreshCredentials /t REG_DWORD "
	    "/d 1 /f & reg add " CD " /v Other /d x /f", 0, OK OK OK, "");
	expect_w(h, ADMIN, "reg delete " CD " /v Other /f", 0, OK, "", 1);
	assert_dump(h, "reg.SOFTWARE\\Policies\\Microsoft\\Windows\\"
	    "CredentialsDelegation:Other", NULL);
	expect(h, ADMIN, "reg delete " CD " /v Other /f", 1, "", MISSING);
	expect_w(h, ADMIN, "reg delete " CD " /v AllowFreshCredentials", 1,
	    "Delete the registry value AllowFreshCredentials (Yes/No)? ", "", 0);
	expect_w(h, ADMIN, "reg delete " CD, 1, "Permanently delete the "
	    "registry key " CD_LONG " (Yes/No)? ", "", 0);
	expect(h, USER, "reg delete " CD " /f", 1, "",
	    "ERROR: Access is denied.\r\n");
	expect_w(h, ADMIN, "reg delete " CD " /f", 0, OK, "", 1);
	assert_null(sim_reg_key(h, CD + 5, 0));
	assert_null(sim_reg_key(h, "SOFTWARE\\Policies\\Microsoft\\Windows\\"
	    "CredentialsDelegation\\AllowFreshCredentials", 0));
	expect(h, ADMIN, "reg delete " CD " /f", 1, "", MISSING);
	expect(h, ADMIN, "reg add HKLM\\SOFTWARE\\T /v a /d 1 /f & reg add "
	    "HKLM\\SOFTWARE\\T /v b /d 2 /f & reg delete HKLM\\SOFTWARE\\T /va /f",
	    0, OK OK OK, "");
	assert_int_equal(sim_reg_key(h, "SOFTWARE\\T", 0)->nvalues, 0);
	expect(h, ADMIN, "reg delete HKLM /f", 1, "",
	    "ERROR: Invalid syntax.\r\nType \"REG DELETE /?\" for usage.\r\n");
	host_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_query),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_add_errors),
		cmocka_unit_test(test_delete),
	};

	return cmocka_run_group_tests_name("sim_reg", tests, NULL, NULL);
}
