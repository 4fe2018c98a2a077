/*
 * sim.h: the WinRM fleet simulator's private header.
 *
 * The simulator serves many simulated Windows hosts from one libevent loop.
 * Each host keeps real state (struct sim_host: the "ground truth") that the
 * WS-Management resources and the cmd.exe interpreter read and change, and
 * that tests read and change through the control interface.
 *
 * Layout (one file, one job):
 *   main.c      options, start-up, the event loop, signals
 *   fleet.c     fleet file (YAML) -> hosts with their initial state
 *   tls.c       throwaway test CA, per-host certificates and scenarios
 *   http.c      per-host HTTPS listener, authentication, fault injection
 *   ntlm.c      NTLMv2 for the Negotiate scheme, channel bindings
 *   krb.c       Kerberos (GSSAPI) for the Negotiate and Kerberos schemes
 *   encrypt.c   message encryption on the HTTP listener (NTLM, Kerberos)
 *   soap.c      envelope parsing, dispatch by action, replies and faults
 *   res_config.c  WinRM configuration resources and listeners
 *   res_wmi.c   WMI classes: Win32_Service, StdRegProv
 *   shell.c     remote shell protocol (Create/Command/Receive/Signal/Delete)
 *   cmd.c       the cmd.exe interpreter (parsing, echo/type/del/exit)
 *   prog_*.c    its programs: net, sc, reg, winrm, certutil, schtasks,
 *               powershell (the scripts enforcer sends)
 *   state.c     ground-truth helpers: registry, groups, tasks, clock, dump
 *   control.c   control interface for tests and the demo
 */
#ifndef WINRM_SIM_H
#define WINRM_SIM_H

#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "util.h"

/* Registry value types, as Win32 numbers them (and StdRegProv's Types). */
#define SIM_REG_SZ		1
#define SIM_REG_EXPAND_SZ	2
#define SIM_REG_BINARY		3
#define SIM_REG_DWORD		4
#define SIM_REG_MULTI_SZ	7
#define SIM_REG_QWORD		11

struct sim_reg_value {
	char		 *name;		/* "" is the key's default value */
	int		  type;		/* SIM_REG_* */
	char		 *sz;		/* SZ, EXPAND_SZ */
	char		**multi;	/* MULTI_SZ */
	size_t		  nmulti;
	uint64_t	  num;		/* DWORD, QWORD */
};

/* One key of HKEY_LOCAL_MACHINE; paths compare case-insensitively. */
struct sim_reg_key {
	char			*path;	/* e.g. "SOFTWARE\\Policies\\Microsoft" */
	struct sim_reg_value	*values;
	size_t			 nvalues;
	int			 gpo;	/* written by Group Policy */
};

/* Setting sources, as WinRM reports them with Source="GPO". */
enum sim_source {
	SIM_SRC_LOCAL = 0,
	SIM_SRC_GPO,
};

struct sim_bool {
	int		value;
	enum sim_source	source;
};

struct sim_winrm_config {
	struct sim_bool	svc_basic, svc_kerberos, svc_negotiate,
			svc_certificate, svc_credssp;
	char		cbt_hardening[16];	/* Strict | Relaxed | None */
	struct sim_bool	svc_allow_unencrypted;
	struct sim_bool	cli_basic, cli_digest, cli_kerberos, cli_negotiate,
			cli_certificate, cli_credssp;
	struct sim_bool	cli_allow_unencrypted;
	char	       *trusted_hosts;		/* "" = none */
	enum sim_source	trusted_hosts_source;
	unsigned	max_envelope_kb;	/* 500 */
	unsigned	max_timeout_ms;		/* 60000 */
};

struct sim_listener {
	char	*address;	/* "*" or "IP:a.b.c.d" */
	char	*transport;	/* "HTTP" | "HTTPS" */
	int	 port;
	char	*hostname;
	int	 enabled;
	char	*url_prefix;	/* "wsman" */
	char	*thumbprint;	/* 40 upper-case hex, HTTPS only */
	enum sim_source source;
};

/* A certificate store of trusted certificates (truststore.c). */
struct sim_store {
	X509	**v;
	size_t	  n;
};

/* A certificate in LocalMachine\My. */
struct sim_cert {
	char		 thumbprint[41];	/* SHA-1, upper-case hex */
	char		*subject;		/* "CN=node1.contoso.test" */
	char		*issuer;
	char		*serial;
	time_t		 not_before, not_after;
	int		 server_auth;		/* has the serverAuth EKU */
	X509		*x509;
	EVP_PKEY	*key;			/* NULL: no private key */
	int		 key_unusable;		/* a key the WinRM service
						   cannot read: TLS fails */
};

struct sim_service {
	char	*name;		/* "WinRM" */
	char	*display_name;	/* "Windows Remote Management (WS-Management)" */
	char	*state;		/* "Running" | "Stopped" | ... */
	char	*start_mode;	/* "Auto" | "Manual" | "Disabled" */
	int	 pid;
};

struct sim_group {
	char	 *name;		/* "Gateway Administrators" */
	char	 *comment;
	char	**members;	/* "CONTOSO\\hci-admins", "admin"; a SID
				   string is an orphan (no such account) */
	size_t	  nmembers;
	char	 *sid;		/* "S-1-5-32-544", machine SID-RID */
};

/* A local or domain account the host can resolve (for net localgroup). */
struct sim_account {
	char	*name;		/* "CONTOSO\\hci-admins" or "admin" */
	char	*password;	/* local accounts that may log on; else NULL */
	int	 admin;
	char	*sid;		/* well-known, machine or domain SID */
};

/* A scheduled task (one-shot or otherwise). */
struct sim_task {
	char	*name;		/* "\\enforcer\\revert-create-cluster" */
	char	*command;	/* command line run by cmd.exe when due */
	time_t	 trigger;	/* UTC instant of the one-shot trigger; 0 none */
	int	 enabled;
	char	*run_as;	/* "SYSTEM" */
	char	*xml;		/* registered XML, when created from XML */
	char	*last_result;	/* "267011" (never run), "0", ... */
	time_t	 last_run;
	/* Appended by sim-cmd (state.c frees them). */
	char	*schedule;	/* "ONCE", "ONSTART", ... (schtasks /SC) */
	char	*author;	/* "CONTOSO\\svc-enforcer"; NULL: N/A */
	time_t	 registered;	/* created or rescheduled (host clock): a
				   trigger not after it never fires */
	/* Appended by sim-failsafe (prog_schtasks.c, power.c). */
	int	 boot_trigger;		/* a BootTrigger: runs at each boot */
	int	 start_when_available;	/* a trigger missed while off runs
					   at boot */
	time_t	 missed;		/* a trigger passed while off, never
					   to run */
};

/* A file in the host's file system (for echo > file, type, schtasks /XML). */
struct sim_file {
	char	*path;		/* case-insensitive, e.g. "C:\\Windows\\Temp\\t.xml" */
	struct buf data;
};

/* Faults a test can inject into one host. */
struct sim_faults {
	int		down;		/* refuse connections */
	unsigned	latency_ms;	/* delay before every response */
	int		http500;	/* answer every request with a bare 500 */
	int		drop_mid_reply;	/* close the connection halfway */
	unsigned	trickle_bps;	/* send the reply this slowly */
	int		stall;		/* answer logons (401s), never a
					   request: a host hung after auth */
	int		close_idle;	/* close each connection once a
					   request's reply is out, as
					   HTTP.sys past its idle timeout */
};

/* Counters a test can read: e.g. "a second apply sends no write". */
struct sim_counters {
	unsigned long	requests;	/* every SOAP request */
	unsigned long	writes;		/* requests that changed state */
	unsigned long	auth_failures;
	unsigned long	shells_open;
	unsigned long	shells_created;	/* remote shells created */
	unsigned long	connections;	/* TCP connections accepted */
	unsigned long	tls_full;	/* TLS handshakes, full */
	unsigned long	tls_resumed;	/* TLS handshakes, session resumed */
	unsigned long	connections_open;	/* TCP connections open now */
	unsigned long	connections_max;	/* the most open at once: a
					   client's parallelism, untimed */
};

/*
 * A GPO applied to the host (fleet key gpos): the registry policy values
 * it delivered, which Windows writes where a local write would go and
 * logs in RSoP (root\rsop\computer RSOP_RegistryPolicySetting).
 */
struct sim_gpo_value {
	char	*key;		/* "SOFTWARE\Policies\..." (no hive) */
	char	*name;		/* value name */
	int	 type;		/* SIM_REG_* */
};

struct sim_gpo {
	char			*guid;	/* "{31B2F340-016D-11D2-945F-...}" or
					   "LocalGPO" */
	char			*name;	/* display name */
	struct sim_gpo_value	*values;
	size_t			 nvalues;
};

/* Whether the host's RSoP namespace answers (fleet/ground-truth key rsop). */
enum sim_rsop {
	SIM_RSOP_AVAILABLE = 0,
	SIM_RSOP_MISSING,	/* no root\rsop\computer namespace */
	SIM_RSOP_DENIED,	/* access denied to it */
};

struct sim_fleet;

struct sim_host {
	struct sim_fleet	*fleet;
	char			*name;		/* node1.contoso.test */
	char			*address;	/* 127.0.10.1 */
	int			 port;		/* 5986 */
	int			 http_port;	/* the HTTP listener's port, served
						   only when set (fleet key) */
	char			*cert_scenario;	/* valid, expired, ... */
	int			 cert_days;	/* for expiring: days left */
	long			 clock_offset;	/* seconds added to real time */
	int			 tz_offset_min;	/* host time zone, for schtasks */

	struct sim_winrm_config	 winrm;
	struct sim_listener	*listeners;
	size_t			 nlisteners;
	struct sim_cert		*certs;		/* LocalMachine\My */
	size_t			 ncerts;
	struct sim_service	*services;
	size_t			 nservices;
	struct sim_group	*groups;
	size_t			 ngroups;
	struct sim_account	*accounts;
	size_t			 naccounts;
	struct sim_reg_key	*keys;
	size_t			 nkeys;
	struct sim_task		*tasks;
	size_t			 ntasks;
	struct sim_file		*files;
	size_t			 nfiles;

	struct sim_faults	 faults;
	struct sim_counters	 counters;
	void			*priv;		/* http.c's listener state */

	/* Appended by sim-server (fleet.c fills, fleet.c frees). */
	struct sim_cert_mapping	*cert_mappings;	/* client-certificate auth */
	size_t			 ncert_mappings;
	struct sim_setting	*settings;	/* WinRM settings not modelled
						   in struct sim_winrm_config */
	size_t			 nsettings;
	struct sim_shells	*shells;	/* shell.c's open shells */
	struct soap_enums	*enums;		/* soap.c's enumeration contexts */

	/* Appended by sim-groups (state.c and lang.c). */
	const char		*language;	/* display language: "en-US" */
	unsigned		 next_rid;	/* next local account RID */

	/* Appended by sim-doctor (truststore.c). */
	struct sim_store	 trust_root;	/* LocalMachine\Root */
	struct sim_store	 trust_ca;	/* LocalMachine\CA */
	int			 domain_joined;	/* Win32_ComputerSystem.
						   PartOfDomain */
	char			*domain;	/* "contoso.test" */
	int			 secure_channel; /* Test-ComputerSecure-
						   Channel's answer */
	/* Appended by sim-doctor (reboot.c). */
	time_t			 boot_time;	/* LastBootUpTime */
	time_t			 boot_back_at;	/* restarting: up again at
						   this host time; 0 up */
	int			 boot_down_s;	/* how long a restart takes */
	int			 boot_stays_down; /* a restart never ends */
	/* Appended by sim-doctor (oracle.c). */
	int			 credssp_updated; /* has the CVE-2018-0886
						   update */
	/* Appended by sim-gpo (fleet.c fills, state.c frees, res_wmi.c
	   serves them as RSoP). */
	struct sim_gpo		*gpos;		/* in precedence order: the
						   first one's value wins */
	size_t			 ngpos;
	enum sim_rsop		 rsop;
	/* Appended by sim-failsafe (power.c, prog_winrm.c). */
	int			 powered_off;	/* no service, no task, no reply */
	int			 vbscript_off;	/* VBScript feature removed */
};

struct sim_fleet {
	struct sim_host		*hosts;
	size_t			 nhosts;
	char			*ca_out;	/* where the test CA PEM goes */
	X509			*ca_cert;
	EVP_PKEY		*ca_key;
	/*
	 * Called (when set) after a service changed state through any path
	 * (cmd.c, res_wmi.c, sim_set), so that http.c can stop or resume
	 * serving a host whose WinRM service stopped or started.
	 */
	void			(*service_changed)(struct sim_host *,
				    struct sim_service *);

	/* Appended by sim-server. */
	X509			*rogue_ca_cert;	/* issues "untrusted" certs; */
	EVP_PKEY		*rogue_ca_key;	/* never written to ca_out */
	struct ssl_ctx_st	*ssl_ctx;	/* tls.c: shared by every host */
	struct event_base	*base;		/* main.c's event loop */
	FILE			*trace;		/* --trace (trace.c) */
	unsigned long		 nconns;	/* connections accepted, ever:
						   numbers them for --trace */
};

/*
 * truststore.c: LocalMachine\Root and \CA.  sim_trust_init puts the
 * fleet's test CA into Root; sim_trust_set_roots replaces Root by the
 * named CAs (test_ca, rogue_ca).  Stores hold a reference of each X509.
 */
void sim_trust_init(struct sim_host *);
void sim_trust_release(struct sim_host *);
struct sim_store *sim_trust_store(struct sim_host *, const char *name);
void sim_trust_add(struct sim_store *, X509 *);
int sim_trust_delete(struct sim_store *, const char *thumbprint);
int sim_trust_set_roots(struct sim_host *, const char *const *names,
    size_t n, char **cause);
void sim_trust_thumbprint(X509 *, char out[41]);
/*
 * Domain membership: a host named NAME.DOMAIN is a member of DOMAIN with
 * a healthy secure channel; a single-label name is in a workgroup.
 * sim_domain_set takes domain.joined, domain.name, domain.secure_channel.
 */
void sim_domain_init(struct sim_host *);
int sim_domain_set(struct sim_host *, const char *key, const char *value,
    char **cause);

/*
 * reboot.c: boot time and restart.  sim_boot_restart stops every service
 * (the host stops serving); sim_boot_tick (each second) brings it back
 * boot_down_s later with a new boot time.  sim_boot_set takes boot.time,
 * boot.stays_down, boot.down_seconds.
 */
void sim_boot_init(struct sim_host *);
void sim_boot_restart(struct sim_host *);
void sim_boot_tick(struct sim_host *);
int sim_boot_set(struct sim_host *, const char *key, const char *value,
    char **cause);

/* oracle.c: "allowed" or "blocked", CredSSP from client to server. */
const char *sim_oracle_verdict(struct sim_host *client,
    struct sim_host *server);

/* state.c: ground truth. Lookups compare names case-insensitively. */
time_t sim_now(const struct sim_host *);
struct sim_reg_key *sim_reg_key(struct sim_host *, const char *path, int create);
int sim_reg_delete_key(struct sim_host *, const char *path);
struct sim_reg_value *sim_reg_value(struct sim_reg_key *, const char *name,
    int create);
int sim_reg_delete_value(struct sim_reg_key *, const char *name);
struct sim_group *sim_group(struct sim_host *, const char *name);
struct sim_account *sim_account(struct sim_host *, const char *name);
struct sim_service *sim_service(struct sim_host *, const char *name);
struct sim_task *sim_task(struct sim_host *, const char *name, int create);
int sim_task_delete(struct sim_host *, const char *name);
struct sim_file *sim_file(struct sim_host *, const char *path, int create);
struct sim_cert *sim_cert(struct sim_host *, const char *thumbprint);
/* Run tasks whose trigger is at or before the host's clock (none while
 * the host is off). */
void sim_run_due_tasks(struct sim_host *);
/* The task's one-shot trigger has passed and it has not run for it. */
int sim_task_due(const struct sim_task *, time_t now);
/* Run one task now, as SYSTEM or its user; its result kept. */
void sim_task_run(struct sim_host *, const char *name);
/* power.c: the host off (nothing runs, nothing answers), and its boot:
 * services set to start automatically start, tasks with a BootTrigger
 * run, and a missed trigger runs only with StartWhenAvailable. */
void sim_host_power_off(struct sim_host *);
void sim_host_boot(struct sim_host *);
/* Ground truth as "key = value" lines (see control.c for the keys). */
void sim_dump(const struct sim_host *, struct buf *);
/* Set one ground-truth key from its "key = value" form. */
int sim_set(struct sim_host *, const char *key, const char *value,
    char **cause);

/*
 * cmd.c: run one cmd.exe command line on a host as the given user, as
 * `cmd.exe /c LINE` would: output in the host's code page with CRLF line
 * ends, and cmd's exit code.  Changes ground truth; sets *wrote when it did.
 */
int sim_cmd_run(struct sim_host *, const char *user, const char *line,
    struct buf *out, struct buf *err, int *wrote);

/*
 * state.c (continued): host life cycle and helpers shared by fleet.c,
 * res_*.c, cmd.c and control.c.  Names compare case-insensitively; the
 * returned pointers are borrowed from the host and stay valid until the
 * next call that adds or deletes an object of the same kind.
 */

/*
 * Fill a zeroed host with what a fresh Windows Server 2022 has: WinRM
 * config defaults, an HTTPS listener for NAME on 5986 (thumbprint left
 * NULL for tls.c) and an HTTP one on 5985, services (WinRM, Schedule, ...),
 * built-in local groups and accounts, base registry keys, the clock at
 * real time.  fleet.c then applies the fleet file on top.
 */
void sim_host_init(struct sim_host *, const char *name);
/* Free everything the host owns (not the struct itself); NULL is fine. */
void sim_host_release(struct sim_host *);
/* A GPO (owned by h, released with it) whose values fleet.c then adds. */
struct sim_gpo *sim_gpo_add(struct sim_host *, const char *guid,
    const char *name);
void sim_gpo_add_value(struct sim_gpo *, const char *key, const char *name,
    int type);
const char *sim_rsop_name(enum sim_rsop);
int sim_rsop_parse(const char *, enum sim_rsop *);
/* "NODE1" for node1.contoso.test: upper case, first label, 15 chars. */
void sim_host_netbios(const struct sim_host *, char out[16]);

/* Time as "2026-11-24T21:30:00Z" and back (also accepts +hh:mm). */
void sim_time_format(time_t, char out[32]);
int sim_time_parse(const char *, time_t *);

/* The sim_bool for "service.auth.Basic", "client.AllowUnencrypted", ... */
struct sim_bool *sim_winrm_bool(struct sim_host *, const char *name);

/* Registry (HKLM; "HKLM\" and "HKEY_LOCAL_MACHINE\" prefixes accepted). */
/* Immediate subkey names of PATH, sorted; *names is the caller's to free
 * (array and strings).  Returns the count. */
size_t sim_reg_subkeys(struct sim_host *, const char *path, char ***names);
void sim_reg_set_sz(struct sim_reg_key *, const char *name, int type,
    const char *data);			/* SZ, EXPAND_SZ, BINARY (hex) */
void sim_reg_set_num(struct sim_reg_key *, const char *name, int type,
    uint64_t);				/* DWORD, QWORD */
void sim_reg_set_multi(struct sim_reg_key *, const char *name,
    char *const *items, size_t n);	/* MULTI_SZ; copies items */
/* "REG_SZ" for SIM_REG_SZ ...; NULL for unknown; and back (-1). */
const char *sim_reg_type_name(int);
int sim_reg_type_parse(const char *);

/*
 * Groups and accounts.  sim_group() and sim_account() also find by SID
 * string.  Every account and group gets a SID when added: well-known
 * ones their fixed SID, local ones the machine SID (derived from the host
 * name) plus a RID, domain ones the domain's SID (derived from its name)
 * plus a RID derived from the account name, so that one domain account
 * has one SID on every host.
 */
struct sim_group *sim_group_add(struct sim_host *, const char *name,
    const char *comment);
int sim_group_delete(struct sim_host *, const char *name);
/* Index of member (case-insensitive), or -1. */
int sim_group_find_member(const struct sim_group *, const char *member);
void sim_group_add_member(struct sim_group *, const char *member);
int sim_group_delete_member(struct sim_group *, const char *member);
/* password may be NULL (cannot log on). */
struct sim_account *sim_account_add(struct sim_host *, const char *name,
    const char *password, int admin);
/* 1 for "S-1-..." */
int sim_is_sid(const char *);
/* The built-in Administrator's name (RID 500) in the host's language. */
const char *sim_admin_name(struct sim_host *);
/* By SID: an account of the host's machine domain; the RID 500 one. */
int sim_account_is_local(const struct sim_host *,
    const struct sim_account *);
int sim_account_is_builtin_admin(const struct sim_host *,
    const struct sim_account *);
/* "HOST\\name" for a local account, the name as stored otherwise; the
 * domain (NetBIOS or authority) and bare name of an account. */
void sim_account_split(const struct sim_host *, const char *name,
    char *domain, size_t dlen, const char **bare);

/*
 * lang.c: the host's display language (docs/windows-behaviour.md#display-
 * languages).  sim_lang_known: en-US, de-DE, fr-FR, ja-JP.
 * sim_host_localize renames the built-in groups and accounts (found by
 * SID) as that language's Windows names them; call it on a fresh host.
 * sim_lang_text: one of net.exe's (and schtasks') texts in the host's
 * language.
 */
int sim_lang_known(const char *);
void sim_host_localize(struct sim_host *, const char *language);
enum sim_text {
	SIM_T_DONE,		/* "The command completed successfully." */
	SIM_T_SYSERR,		/* "System error %d has occurred." */
	SIM_T_NO_GROUP,		/* 1376 */
	SIM_T_NOT_MEMBER,	/* 1377 */
	SIM_T_IS_MEMBER,	/* 1378 */
	SIM_T_GROUP_EXISTS,	/* 1379 */
	SIM_T_NO_ACCOUNT,	/* "There is no such global user or group: %s." */
	SIM_T_HELPMSG,		/* "More help is available by typing NET
				   HELPMSG %d." */
	SIM_T_ALIAS,		/* "Alias name" */
	SIM_T_COMMENT,		/* "Comment" */
	SIM_T_MEMBERS,		/* "Members" */
	SIM_T_ACCESS_DENIED,	/* "Access is denied." */
	SIM_T_TASK_READY,	/* schtasks' status "Ready" */
	SIM_T_TASK_DISABLED,	/* "Disabled" */
};
const char *sim_lang_text(const struct sim_host *, enum sim_text);
/*
 * A local time as the host's language prints it (short date, long time):
 * en-US "11/25/2026" "12:15:00 PM" (or "12:15 PM" without seconds), de-DE
 * "25.11.2026" "12:15:00", fr-FR "25/11/2026" "12:15:00", ja-JP
 * "2026/11/25" "12:15:00".
 */
void sim_lang_date(const struct sim_host *, const struct tm *, char out[32]);
void sim_lang_clock(const struct sim_host *, const struct tm *, int seconds,
    char out[32]);

/* Services. */
struct sim_service *sim_service_add(struct sim_host *, const char *name,
    const char *display_name, const char *state, const char *start_mode);
/* Set state ("Running", "Stopped"), pid, and call fleet->service_changed. */
void sim_service_set_state(struct sim_host *, struct sim_service *,
    const char *state);

/* Listeners, by Transport and Address (case-insensitive). */
struct sim_listener *sim_listener(struct sim_host *, const char *transport,
    const char *address, int create);
int sim_listener_delete(struct sim_host *, const char *transport,
    const char *address);

/* Files and certificates. */
int sim_file_delete(struct sim_host *, const char *path);
int sim_cert_delete(struct sim_host *, const char *thumbprint);

/*
 * cmd.c and prog_*.c: one program run by the cmd.exe interpreter.  A
 * program returns its exit code and writes CRLF text to out and err.
 */
struct sim_prog {
	struct sim_host	 *host;
	const char	 *user;		/* the account it runs as */
	int		  admin;	/* may change ground truth */
	const char	 *cwd;		/* "C:\\Users\\svc-enforcer" */
	int		  argc;
	char		**argv;		/* words, quotes removed */
	const char	 *args;		/* text after argv[0], quotes kept */
	struct buf	 *out;
	struct buf	 *err;
	int		  wrote;	/* set when ground truth changed */
};
void sim_prog_out(struct sim_prog *, const char *, ...) PRINTFLIKE(2, 3);
void sim_prog_err(struct sim_prog *, const char *, ...) PRINTFLIKE(2, 3);
/* A path as the program was given it, made absolute ("C:\\..."). */
char *sim_prog_path(const struct sim_prog *, const char *path);
/* The host's local time (its clock and tz_offset_min); lang.c renders it
 * (sim_lang_date, sim_lang_clock). */
void sim_prog_tm(const struct sim_host *, time_t, struct tm *);
int sim_prog_certutil(struct sim_prog *);	/* prog_certutil.c */
int sim_prog_shutdown(struct sim_prog *);	/* reboot.c */
int sim_prog_net(struct sim_prog *);		/* prog_net.c */
int sim_prog_powershell(struct sim_prog *);	/* prog_powershell.c */
int sim_prog_reg(struct sim_prog *);		/* prog_reg.c */
int sim_prog_sc(struct sim_prog *);		/* prog_sc.c */
int sim_prog_schtasks(struct sim_prog *);	/* prog_schtasks.c */
int sim_prog_winrm(struct sim_prog *);		/* prog_winrm.c */
/* prog_schtasks.c: register the task XML as name (Register-ScheduledTask);
 * 0, or 1 with the error on p->err. */
int sim_schtasks_register(struct sim_prog *, const char *name,
    const char *xml);
/* prog_ps_failsafe.c: the scripts of enforcer's fail-safe (prog_powershell.c
 * hands them over): 1 and *rc set when script is one, else 0. */
int sim_ps_failsafe(struct sim_prog *, const char *script, int *rc);

/*
 * ---- sim-server: the protocol side (main, fleet, tls, http, soap,
 * res_config, res_wmi, shell, control).  Nothing here is used by state.c
 * or cmd.c.
 */
struct _xmlDoc;
struct _xmlNode;
struct _xmlNs;
struct ssl_st;

/* A client-certificate mapping (winrm/config/service/certmapping). */
struct sim_cert_mapping {
	char	*subject;	/* client cert CN, UPN or e-mail; "*" = any */
	char	*user;		/* the local account it logs on as */
};

/*
 * A WinRM setting that struct sim_winrm_config does not model one by one,
 * as text under its ground-truth key: "winrm.MaxBatchItems",
 * "winrm.service.MaxConnections", "winrm.winrs.MaxShellsPerUser", ...
 * Absent means the Windows default (res_config.c's table).
 */
struct sim_setting {
	char	*key;
	char	*value;
};

/* fleet.c: the fleet file.  *out is the caller's, for fleet_free(). */
int fleet_load(struct sim_fleet **out, const char *path, struct errors *);
void fleet_free(struct sim_fleet *);
struct sim_host *fleet_host(struct sim_fleet *, const char *name);
/* A sim_setting's value (borrowed) or NULL; set copies both strings. */
const char *sim_setting_get(const struct sim_host *, const char *key);
void sim_setting_set(struct sim_host *, const char *key, const char *value);

/* tls.c: the throwaway test CAs, host certificates, the server context. */
int tls_ca_init(struct sim_fleet *, char **cause);
/* "valid" "expired" "expiring" "wrong_name" "untrusted" "no_server_auth" */
int tls_scenario_known(const char *);
/*
 * Issue a certificate for the host under a scenario (days: days left, for
 * "expiring"; validity for the others when > 0) and add it to its
 * LocalMachine\My.  Returns the store entry (borrowed) or NULL.
 */
struct sim_cert *tls_cert_issue(struct sim_host *, const char *scenario,
    int days, char **cause);
int tls_write_ca(const struct sim_fleet *, const char *path, char **cause);
/* A client certificate (CN=cn, clientAuth) and its key as PEM files. */
int tls_client_cert_write(struct sim_fleet *, const char *cn,
    const char *cert_out, const char *key_out, char **cause);
/* The enabled HTTPS listener serving the host's address on port (0: on
 * any port), or NULL; an IP:address listener wins over "*". */
struct sim_listener *tls_listener(struct sim_host *, int port);
/* The SSL_CTX every host serves with: the certificate is picked at
 * handshake time from the host's HTTPS listener thumbprint. */
int tls_ctx_init(struct sim_fleet *, char **cause);
void tls_fleet_release(struct sim_fleet *);
/*
 * The HTTP listener serving port (0: any), or NULL: enabled, "*" or the
 * host's IP, only on hosts whose fleet entry sets http_port.
 */
struct sim_listener *tls_plain_listener(struct sim_host *, int port);
/* The host and port a server-side SSL object serves (set by http.c). */
void tls_ssl_set_host(struct ssl_st *, struct sim_host *, int port);
/* The account a verified client certificate maps to (borrowed) or NULL. */
const char *tls_client_user(struct sim_host *, struct ssl_st *);
/*
 * Channel binding data of the certificate ssl serves (RFC 5929
 * tls-server-end-point): "tls-server-end-point:" and its hash, appended.
 */
int tls_cbt_data(struct ssl_st *, struct buf *out);

/* http.c: each host's HTTPS endpoint on the fleet's event loop. */
int http_host_start(struct sim_host *, char **cause);
/* Listen or refuse as faults, the WinRM service and listeners say. */
void http_host_sync(struct sim_host *);
void http_host_stop(struct sim_host *);
/* 1 while the host answers (WinRM running, not down, an HTTPS listener);
 * it listens on the port of each of its HTTPS listeners. */
int http_host_serving(const struct sim_host *);

/*
 * ntlm.c: server-side NTLMv2 for the Negotiate scheme.  One step of the
 * exchange on a connection (*state is the connection's, for ntlm_free):
 * 1 and *out the CHALLENGE_MESSAGE to send; 0 and *who (borrowed) once
 * an AUTHENTICATE_MESSAGE checks out (password, then channel bindings as
 * CbtHardeningLevel says, against ssl's certificate); -1 when refused.
 */
struct ntlm;
int ntlm_step(struct sim_host *, struct ntlm **state, struct ssl_st *ssl,
    const unsigned char *in, size_t len, struct buf *out,
    struct sim_account **who);
void ntlm_free(struct ntlm *);
/*
 * NTLM session security once the exchange completed, for WinRM's
 * encrypted messages over HTTP: unseal a client message in place and
 * check its 16-byte signature, or seal a reply in place and sign it.
 */
int ntlm_unseal(struct ntlm *, const unsigned char sig[16],
    unsigned char *data, size_t len);
int ntlm_seal(struct ntlm *, unsigned char *data, size_t len,
    unsigned char sig[16]);
/* Frees the MD4 provider (at exit). */
void ntlm_release(void);

/*
 * encrypt.c: WinRM message encryption on the HTTP listener.  A sealer is
 * an established NTLM or Kerberos context: its protocol string, and how
 * it seals a message (signature and data apart) and opens one.
 */
struct sealer {
	const char	*protocol;	/* "application/HTTP-...-encrypted" */
	int		(*seal)(void *, const char *plain, size_t len,
			    struct buf *sig, struct buf *data);
	int		(*open)(void *, const unsigned char *sig, size_t siglen,
			    const unsigned char *data, size_t len,
			    struct buf *out);
	void		*arg;
};
/* A multipart/encrypted body opened into *out (the SOAP text), or a reply
 * sealed into *out (appended) with *type its Content-Type (caller frees);
 * -1 if malformed or its signature is wrong. */
int encrypt_is_sealed(const char *content_type);
int encrypt_open(const struct sealer *, const char *body, size_t len,
    struct buf *out);
int encrypt_seal(const struct sealer *, const char *plain, size_t len,
    struct buf *out, char **type);
int ntlm_sealer(struct ntlm *, struct sealer *);

/*
 * krb.c: server-side Kerberos for the Negotiate and Kerberos schemes: an
 * AP-REQ checked with the host's key HTTP/<name> from the keytab
 * KRB5_KTNAME names, and channel bindings as CbtHardeningLevel says.  0
 * and *who (borrowed) when it checks out, -1 when refused; out gets the
 * token to send back (the AP-REP, or a KRB-ERROR), if any.  The context
 * stays with the connection (*state, for krb_free) for message encryption.
 */
struct krb;
int krb_step(struct sim_host *, struct krb **state, struct ssl_st *ssl,
    const unsigned char *in, size_t len, struct buf *out,
    struct sim_account **who);
void krb_free(struct krb *);
int krb_sealer(struct krb *, struct sealer *);

/* soap.c: envelopes, dispatch by resource, replies, faults. */
#define SIM_NS_S	"http://www.w3.org/2003/05/soap-envelope"
#define SIM_NS_A	"http://schemas.xmlsoap.org/ws/2004/08/addressing"
#define SIM_NS_W	"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
#define SIM_NS_P	"http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
#define SIM_NS_X	"http://schemas.xmlsoap.org/ws/2004/09/transfer"
#define SIM_NS_N	"http://schemas.xmlsoap.org/ws/2004/09/enumeration"
#define SIM_NS_RSP	"http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
#define SIM_NS_XSI	"http://www.w3.org/2001/XMLSchema-instance"
#define SIM_URI_WSMAN	"http://schemas.microsoft.com/wbem/wsman/1"
#define SIM_ANONYMOUS	SIM_NS_A "/role/anonymous"
struct soap_kv {
	char	*name;
	char	*value;
};

struct soap_req {
	struct sim_host	*host;
	const char	*user;		/* the authenticated account */
	int		 admin;
	const char	*client_ip;
	struct _xmlDoc	*doc;
	struct _xmlNode	*body;		/* first element of s:Body or NULL */
	char		*action;
	char		*resource_uri;
	char		*message_id;
	struct soap_kv	*selectors;
	size_t		 nselectors;
	struct soap_kv	*options;
	size_t		 noptions;
	size_t		 max_envelope;	/* bytes the reply may take */
	long		 timeout_ms;
	int		 wrote;		/* a handler changed ground truth */
};

/* The reply a handler builds; status 200, or 500 for a fault. */
struct soap_out {
	struct _xmlDoc	*doc;
	struct _xmlNode	*env;
	struct _xmlNode	*header;
	struct _xmlNode	*body;
	int		 status;
};

/* A Windows fault: SOAP code, subcode, WSManFault code and text. */
struct soap_fault {
	const char	*code;		/* "s:Sender" | "s:Receiver" */
	const char	*subcode;	/* "w:InvalidSelectors" ... */
	const char	*action;	/* NULL: the wsman fault action */
	const char	*detail;	/* faultDetail URI suffix or NULL */
	unsigned long	 wsman_code;
	const char	*text;		/* Windows' message */
	const char	*provider;	/* ProviderFault provider or NULL */
	const char	*provider_path;
	int		 form;		/* SOAP_DETAIL_* */
};
#define SOAP_DETAIL_TEXT	0	/* f:WSManFault, text message */
#define SOAP_DETAIL_WMI		1	/* p:MSFT_WmiError */
#define SOAP_DETAIL_NESTED	2	/* ProviderFault holding a WSManFault */
extern const struct soap_fault soap_f_access_denied, soap_f_action_not_supported,
    soap_f_already_exists, soap_f_cannot_process_filter,
    soap_f_destination_unreachable, soap_f_encoding_limit,
    soap_f_internal_error, soap_f_invalid_enum_context,
    soap_f_invalid_parameter, soap_f_invalid_selectors,
    soap_f_invalid_header, soap_f_header_required, soap_f_not_found,
    soap_f_quota_limit,
    soap_f_schema_validation, soap_f_unsupported_feature;

/*
 * Handle one POSTed envelope for an authenticated user: *reply gets the
 * response envelope, *status its HTTP status.  Counts the request and,
 * when ground truth changed, the write.
 */
/* conn: the TCP connection's number, for --trace. */
void soap_handle(struct sim_host *, const char *user, int admin,
    const char *client_ip, unsigned long conn, const char *body, size_t len,
    struct buf *reply, int *status);

/* trace.c: one --trace line (body NULL: an event, no request). */
void sim_trace(struct sim_host *, unsigned long conn, const char *action,
    const char *resource, const char *body, size_t len);
void soap_host_release(struct sim_host *);
/* Header values (borrowed) or NULL; names compare case-insensitively. */
const char *soap_selector(const struct soap_req *, const char *name);
const char *soap_option(const struct soap_req *, const char *name);
/* A random UUID, upper-case, as Windows writes ShellId and MessageID. */
void soap_uuid(char out[37]);
/* Start a reply with this Action; returns s:Body. */
struct _xmlNode *soap_reply(struct soap_out *, const struct soap_req *,
    const char *action);
/* The namespace PREFIX=URI declared on the envelope (made on first use). */
struct _xmlNs *soap_ns(struct soap_out *, const char *prefix, const char *uri);
/* Replace the reply with a fault; text NULL = the fault's own.  Returns 0. */
int soap_fault(struct soap_out *, const struct soap_req *,
    const struct soap_fault *, const char *text);
/* An empty item list for soap_enumerate, in a document of its own. */
struct _xmlNode *soap_items_new(void);
/*
 * Answer an Enumerate with the children of items (from soap_items_new,
 * taken): inline with OptimizeEnumeration up to MaxElements, the rest
 * through Pull.
 */
int soap_enumerate(struct soap_out *, struct soap_req *,
    struct _xmlNode *items);
/* Child element by namespace URI (NULL = any) and local name. */
struct _xmlNode *soap_child(struct _xmlNode *, const char *ns,
    const char *name);
/* Trimmed text content; the caller frees. */
char *soap_text(struct _xmlNode *);
/* Append <prefix:name>text</prefix:name> (text escaped) to parent. */
struct _xmlNode *soap_add(struct _xmlNode *parent, struct _xmlNs *,
    const char *name, const char *text);

/* res_config.c: winrm/config, its sub-resources, listeners. */
int res_config_handle(struct soap_req *, struct soap_out *);
/* Put every setting res_config.c knows but sim_winrm_config does not
 * model into host->settings, at its Windows default. */
void res_config_init_settings(struct sim_host *);
/* res_wmi.c: Win32_Service and StdRegProv. */
int res_wmi_handle(struct soap_req *, struct soap_out *);
/* shell.c: the cmd remote shell. */
int shell_handle(struct soap_req *, struct soap_out *);
/* Close shells idle past IdleTimeout. */
void shell_reap(struct sim_host *);
void shell_host_release(struct sim_host *);

/* control.c: the control interface and the ctl client. */
int control_start(struct sim_fleet *, const char *addr, int *port,
    char **cause);
void control_stop(void);
/* winrm-sim ctl ADDR:PORT METHOD PATH [BODY|-]: exit status. */
int control_client(int argc, char **argv);

#endif
