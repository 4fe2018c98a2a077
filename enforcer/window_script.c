/*
 * window_script.c: the fail-safe task's PowerShell script, line by line
 * (window_failsafe.h; docs/windows.md, "The fail-safe's script").
 *
 * Every line is one statement of a fixed shape, so that a person can read
 * the script in the registry and the simulator can model each shape.  Every
 * text from the desired state enters as a single-quoted string (pscmd.h).
 * Each setting is written, then read back: a step that does not read back
 * its off-state throws, and the whole list is tried again.
 */
#include <stdlib.h>
#include <string.h>

#include "pscmd.h"
#include "window_failsafe.h"

#define WS_WSMAN	"HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WSMAN"
#define WS_CD		"HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\" \
			"CredentialsDelegation"
#define WS_ORACLE	"HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\" \
			"Policies\\System\\CredSSP\\Parameters"
#define WS_TRIES	10	/* attempts, a minute apart */

/* 'a' (then b, if not NULL: 'a\b'), as a single-quoted string. */
static int
ws_q2(struct buf *b, const char *a, const char *sub)
{
	char *s;
	int rc;

	s = sub != NULL ? xasprintf("%s\\%s", a, sub) : xstrdup(a);
	rc = pscmd_quote(b, s);
	free(s);
	return rc;
}

void
window_script_role_off(struct buf *b, int server)
{
	const char *role = server ? "Service" : "Client";

	/* What the service reads when it starts (unverified layout). */
	buf_printf(b, "New-ItemProperty -LiteralPath '" WS_WSMAN "\\%s' "
	    "-Name 'auth_credssp' -PropertyType DWord -Value 0 -Force|"
	    "Out-Null\n", role);
	/* The running service's own copy, through the WSMan provider. */
	buf_printf(b, "if((Get-Service -Name 'WinRM').Status -eq 'Running')"
	    "{try{Set-Item -LiteralPath 'WSMan:\\localhost\\%s\\Auth\\CredSSP' "
	    "-Value $false -Force}catch{Restart-Service -Name 'WinRM' "
	    "-Force}}\n", role);
	buf_printf(b, "if((Get-ItemProperty -LiteralPath '" WS_WSMAN "\\%s' "
	    "-Name 'auth_credssp').'auth_credssp' -ne 0){throw 'CredSSP %s "
	    "role still on in the registry'}\n", role, role);
	buf_printf(b, "if((Get-Service -Name 'WinRM').Status -eq 'Running' "
	    "-and (Get-Item -LiteralPath 'WSMan:\\localhost\\%s\\Auth\\"
	    "CredSSP').Value -ne 'false'){throw 'CredSSP %s role still on in "
	    "WinRM'}\n", role, role);
}

/* The level written and read back (the key is there: a window wrote it). */
void
window_script_oracle(struct buf *b, int level)
{
	buf_printf(b, "New-ItemProperty -LiteralPath '" WS_ORACLE "' -Name "
	    "'AllowEncryptionOracle' -PropertyType DWord -Value %d -Force|"
	    "Out-Null\n", level);
	buf_printf(b, "if((Get-ItemProperty -LiteralPath '" WS_ORACLE "' -Name "
	    "'AllowEncryptionOracle').'AllowEncryptionOracle' -ne %d){throw "
	    "'AllowEncryptionOracle not written'}\n", level);
}

/* As window_script_role_off(), with the whole list as the value. */
int
window_script_trusted_hosts(struct buf *b, const char *list)
{
	struct buf q = BUF_INIT;

	if (pscmd_quote(&q, list) == -1) {
		buf_release(&q);
		return -1;
	}
	buf_printf(b, "New-ItemProperty -LiteralPath '" WS_WSMAN "\\Client' "
	    "-Name 'trusted_hosts' -PropertyType String -Value %s -Force|"
	    "Out-Null\n", buf_cstr(&q));
	buf_printf(b, "if((Get-Service -Name 'WinRM').Status -eq 'Running')"
	    "{try{Set-Item -LiteralPath 'WSMan:\\localhost\\Client\\"
	    "TrustedHosts' -Value %s -Force}catch{Restart-Service -Name "
	    "'WinRM' -Force}}\n", buf_cstr(&q));
	buf_printf(b, "if((Get-ItemProperty -LiteralPath '" WS_WSMAN "\\Client' "
	    "-Name 'trusted_hosts').'trusted_hosts' -ne %s){throw 'TrustedHosts "
	    "still holds the window''s entries in the registry'}\n",
	    buf_cstr(&q));
	buf_printf(b, "if((Get-Service -Name 'WinRM').Status -eq 'Running' "
	    "-and (Get-Item -LiteralPath 'WSMan:\\localhost\\Client\\"
	    "TrustedHosts').Value -ne %s){throw 'TrustedHosts still holds the "
	    "window''s entries in WinRM'}\n", buf_cstr(&q));
	buf_release(&q);
	return 0;
}

/* The list's subkey gone, and with it every entry. */
static int
ws_list_clear(struct buf *b, const char *policy)
{
	buf_puts(b, "if(Test-Path -LiteralPath ");
	if (ws_q2(b, WS_CD, policy) == -1)
		return -1;
	buf_puts(b, "){Remove-Item -LiteralPath ");
	ws_q2(b, WS_CD, policy);
	buf_puts(b, " -Recurse -Force}\n");
	return 0;
}

/* Entry n of the list, written, then read back. */
static int
ws_list_entry(struct buf *b, const char *policy, size_t n, const char *v)
{
	struct buf q = BUF_INIT;
	int rc = -1;

	if (pscmd_quote(&q, v) == -1)
		goto out;
	buf_puts(b, "New-ItemProperty -LiteralPath ");
	ws_q2(b, WS_CD, policy);
	buf_printf(b, " -Name '%zu' -PropertyType String -Value %s -Force|"
	    "Out-Null\n", n, buf_cstr(&q));
	buf_puts(b, "if((Get-ItemProperty -LiteralPath ");
	ws_q2(b, WS_CD, policy);
	buf_printf(b, " -Name '%zu').'%zu' -ne %s){throw 'delegation entry "
	    "%zu not written'}\n", n, n, buf_cstr(&q), n);
	rc = 0;
out:
	buf_release(&q);
	return rc;
}

int
window_script_list(struct buf *b, const char *policy, const char *concat,
    const struct node *keep)
{
	size_t i;

	if (ws_list_clear(b, policy) == -1)
		return -1;
	if (keep->nitems > 0) {
		buf_puts(b, "New-Item -Path ");
		ws_q2(b, WS_CD, policy);
		buf_puts(b, " -Force|Out-Null\n");
	}
	for (i = 0; i < keep->nitems; i++)
		if (ws_list_entry(b, policy, i + 1, keep->items[i]->value) ==
		    -1)
			return -1;
	if (keep->nitems > 0)
		return 0;
	/* None left: the policy's flag and its concatenation flag go. */
	for (i = 0; i < 2; i++)
		buf_printf(b, "Remove-ItemProperty -LiteralPath '" WS_CD "' "
		    "-Name '%s' -ErrorAction SilentlyContinue\n",
		    i == 0 ? policy : concat);
	buf_printf(b, "if(Test-Path -LiteralPath '" WS_CD "\\%s'){throw "
	    "'%s still listed'}\n", policy, policy);
	buf_printf(b, "if($null -ne (Get-Item -LiteralPath '" WS_CD "')."
	    "GetValue('%s')){throw '%s still on'}\n", policy, policy);
	return 0;
}

/* The expression for an account's SID: given, or looked up at run time. */
static int
ws_sid_expr(struct buf *b, const char *member)
{
	char sid[ACCOUNT_SID_MAX];

	if (account_sid_in(member, sid))
		return pscmd_quote(b, sid);
	buf_puts(b, "(New-Object System.Security.Principal.NTAccount(");
	if (strncmp(member, ".\\", 2) == 0) {
		/* ".\name": the local account; LookupAccountName knows no ".". */
		buf_puts(b, "$env:COMPUTERNAME,");
		member += 2;
	}
	if (pscmd_quote(b, member) == -1)
		return -1;
	buf_puts(b, ")).Translate([System.Security.Principal."
	    "SecurityIdentifier]).Value");
	return 0;
}

/* The expression for a group's name as this host spells it. */
static int
ws_group_expr(struct buf *b, const char *group)
{
	char sid[ACCOUNT_SID_MAX];
	char *name;
	int rc;

	if (!account_sid_in(group, sid)) {
		name = account_name_in(group);
		rc = pscmd_quote(b, name != NULL ? name : group);
		free(name);
		return rc;
	}
	buf_printf(b, "(New-Object System.Security.Principal.SecurityIdentifier"
	    "('%s')).Translate([System.Security.Principal.NTAccount]).Value."
	    "Split('\\')[-1]", sid);
	return 0;
}

int
window_script_grant(struct buf *b, const char *group, const char *member)
{
	struct buf g = BUF_INIT, m = BUF_INIT;
	int rc = -1;

	if (ws_group_expr(&g, group) == -1 || ws_sid_expr(&m, member) == -1)
		goto out;
	/* 1377: not a member (any more): the off-state, read back. */
	buf_printf(b, "try{$g=[ADSI]('WinNT://'+$env:COMPUTERNAME+'/'+%s+"
	    "',group');$g.Remove('WinNT://'+%s)}catch{$e=$_.Exception;"
	    "while($e.InnerException){$e=$e.InnerException};if(($e.HResult "
	    "-band 0xFFFF) -ne 1377){throw}}\n", buf_cstr(&g), buf_cstr(&m));
	rc = 0;
out:
	buf_release(&g);
	buf_release(&m);
	return rc;
}

char *
window_script_finish(const char *window, const char *due, const char *steps)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "$ErrorActionPreference='Stop'\n");
	/* A boot before the trigger (the BootTrigger) is not the end. */
	buf_printf(&b, "if([DateTime]::UtcNow -lt [DateTime]::Parse('%s',"
	    "[Globalization.CultureInfo]::InvariantCulture,[Globalization."
	    "DateTimeStyles]::AdjustToUniversal)){exit 0}\n", due);
	buf_puts(&b, "for($try=1;;$try++){try{\n");
	buf_puts(&b, steps);
	buf_printf(&b, "break}catch{[Console]::Error.WriteLine($_.Exception."
	    "Message);if($try -ge %d){exit 1};Start-Sleep -Seconds 60}}\n",
	    WS_TRIES);
	/* Only now, with every step read back: the marker, then cleanup. */
	buf_puts(&b, "if(-not(Test-Path -LiteralPath 'HKLM:\\"
	    FAILSAFE_MARKER_KEY "')){New-Item -Path 'HKLM:\\"
	    FAILSAFE_MARKER_KEY "' -Force|Out-Null}\n");
	buf_printf(&b, "New-ItemProperty -LiteralPath 'HKLM:\\"
	    FAILSAFE_MARKER_KEY "' -Name '%s' -PropertyType String -Value '%s' "
	    "-Force|Out-Null\n", window, due);
	buf_printf(&b, "Remove-ItemProperty -LiteralPath 'HKLM:\\"
	    FAILSAFE_SCRIPT_KEY "' -Name '%s'\n", window);
	buf_printf(&b, "Unregister-ScheduledTask -TaskPath '%s' -TaskName "
	    "'%s%s' -Confirm:$false\n", FAILSAFE_TASK_FOLDER,
	    FAILSAFE_TASK_LEAF, window);
	buf_puts(&b, "exit 0");	/* no newline: XML readers trim it */
	return buf_detach(&b);
}

char *
window_script_loader(const char *window)
{
	char *script, *line;

	script = xasprintf("$ErrorActionPreference='Stop';iex (Get-ItemProperty "
	    "-LiteralPath 'HKLM:\\" FAILSAFE_SCRIPT_KEY "' -Name '%s').'%s'",
	    window, window);
	line = pscmd_line(script);
	free(script);
	return line;
}
