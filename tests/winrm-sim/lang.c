/*
 * lang.c: a simulated host's display language: what Windows in en-US,
 * de-DE, fr-FR and ja-JP calls its built-in groups and accounts, and
 * net.exe's texts.  Names are localised, SIDs are not: that is what the
 * enforcer relies on.  Which text has which public source, and which are
 * unverified: docs/windows-behaviour.md#display-languages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

#define NLANG	4

static const char *const tags[NLANG] = { "en-US", "de-DE", "fr-FR", "ja-JP" };

/* Built-in groups by SID and local accounts by English name. */
static const struct {
	const char	*key;
	const char	*name[NLANG];
} names[] = {
	{ "S-1-5-32-544", { "Administrators", "Administratoren",
	    "Administrateurs", "Administrators" } },
	{ "S-1-5-32-545", { "Users", "Benutzer", "Utilisateurs", "Users" } },
	{ "S-1-5-32-546", { "Guests", "G\xc3\xa4ste", "Invit\xc3\xa9s",
	    "Guests" } },
	{ "S-1-5-32-547", { "Power Users", "Hauptbenutzer",
	    "Utilisateurs avec pouvoir", "Power Users" } },
	{ "S-1-5-32-551", { "Backup Operators", "Sicherungs-Operatoren",
	    "Op\xc3\xa9rateurs de sauvegarde", "Backup Operators" } },
	{ "S-1-5-32-555", { "Remote Desktop Users", "Remotedesktopbenutzer",
	    "Utilisateurs du Bureau \xc3\xa0 distance",
	    "Remote Desktop Users" } },
	{ "S-1-5-32-580", { "Remote Management Users",
	    "Remoteverwaltungsbenutzer",
	    "Utilisateurs de gestion \xc3\xa0 distance",
	    "Remote Management Users" } },
	{ "Administrator", { "Administrator", "Administrator",
	    "Administrateur", "Administrator" } },
	{ "Guest", { "Guest", "Gast", "Invit\xc3\xa9", "Guest" } },
};

/* net.exe's texts, indexed by enum sim_text. */
static const char *const texts[NLANG][SIM_T_TASK_DISABLED + 1] = {
	{ "The command completed successfully.",
	  "System error %d has occurred.",
	  "The specified local group does not exist.",
	  "The specified account name is not a member of the group.",
	  "The specified account name is already a member of the group.",
	  "The specified local group already exists.",
	  "There is no such global user or group: %s.",
	  "More help is available by typing NET HELPMSG %d.",
	  "Alias name", "Comment", "Members", "Access is denied.",
	  "Ready", "Disabled" },
	{ "Der Befehl wurde erfolgreich ausgef\xc3\xbchrt.",
	  "Systemfehler %d aufgetreten.",
	  "Die angegebene lokale Gruppe ist nicht vorhanden.",
	  "Der angegebene Kontoname ist kein Mitglied der Gruppe.",
	  "Der angegebene Kontoname ist bereits ein Mitglied der Gruppe.",
	  "Die angegebene lokale Gruppe ist bereits vorhanden.",
	  "Der globale Benutzer bzw. die globale Gruppe ist nicht "
	  "vorhanden: %s.",
	  "Sie erhalten weitere Hilfe, wenn Sie NET HELPMSG %d eingeben.",
	  "Aliasname", "Beschreibung", "Mitglieder", "Zugriff verweigert",
	  "Bereit", "Deaktiviert" },
	{ "La commande s'est termin\xc3\xa9" "e correctement.",
	  "L'erreur syst\xc3\xa8me %d s'est produite.",
	  "Le groupe local sp\xc3\xa9" "cifi\xc3\xa9 n'existe pas.",
	  "Le nom de compte sp\xc3\xa9" "cifi\xc3\xa9 n'est pas membre du "
	  "groupe.",
	  "Le nom de compte sp\xc3\xa9" "cifi\xc3\xa9 est d\xc3\xa9j\xc3\xa0 "
	  "membre du groupe.",
	  "Le groupe local sp\xc3\xa9" "cifi\xc3\xa9 existe d\xc3\xa9j\xc3\xa0.",
	  "Il n'existe pas d'utilisateur ou de groupe global de ce nom : %s.",
	  "Vous obtiendrez une aide suppl\xc3\xa9mentaire en entrant NET "
	  "HELPMSG %d.",
	  "Nom d'alias", "Commentaire", "Membres", "Acc\xc3\xa8s refus\xc3\xa9.",
	  "Pr\xc3\xaat", "D\xc3\xa9sactiv\xc3\xa9" },
	{ "\xe3\x82\xb3\xe3\x83\x9e\xe3\x83\xb3\xe3\x83\x89\xe3\x81\xaf\xe6\xad"
	  "\xa3\xe5\xb8\xb8\xe3\x81\xab\xe7\xb5\x82\xe4\xba\x86\xe3\x81\x97"
	  "\xe3\x81\xbe\xe3\x81\x97\xe3\x81\x9f\xe3\x80\x82",
	  "\xe3\x82\xb7\xe3\x82\xb9\xe3\x83\x86\xe3\x83\xa0 \xe3\x82\xa8\xe3"
	  "\x83\xa9\xe3\x83\xbc %d \xe3\x81\x8c\xe7\x99\xba\xe7\x94\x9f\xe3"
	  "\x81\x97\xe3\x81\xbe\xe3\x81\x97\xe3\x81\x9f\xe3\x80\x82",
	  "\xe6\x8c\x87\xe5\xae\x9a\xe3\x81\x95\xe3\x82\x8c\xe3\x81\x9f\xe3"
	  "\x83\xad\xe3\x83\xbc\xe3\x82\xab\xe3\x83\xab \xe3\x82\xb0\xe3\x83"
	  "\xab\xe3\x83\xbc\xe3\x83\x97\xe3\x81\xaf\xe5\xad\x98\xe5\x9c\xa8"
	  "\xe3\x81\x97\xe3\x81\xbe\xe3\x81\x9b\xe3\x82\x93\xe3\x80\x82",
	  "\xe6\x8c\x87\xe5\xae\x9a\xe3\x81\x95\xe3\x82\x8c\xe3\x81\x9f\xe3"
	  "\x82\xa2\xe3\x82\xab\xe3\x82\xa6\xe3\x83\xb3\xe3\x83\x88\xe5\x90"
	  "\x8d\xe3\x81\xaf\xe3\x82\xb0\xe3\x83\xab\xe3\x83\xbc\xe3\x83\x97"
	  "\xe3\x81\xae\xe3\x83\xa1\xe3\x83\xb3\xe3\x83\x90\xe3\x83\xbc\xe3"
	  "\x81\xa7\xe3\x81\xaf\xe3\x81\x82\xe3\x82\x8a\xe3\x81\xbe\xe3\x81"
	  "\x9b\xe3\x82\x93\xe3\x80\x82",
	  "\xe6\x8c\x87\xe5\xae\x9a\xe3\x81\x95\xe3\x82\x8c\xe3\x81\x9f\xe3"
	  "\x82\xa2\xe3\x82\xab\xe3\x82\xa6\xe3\x83\xb3\xe3\x83\x88\xe5\x90"
	  "\x8d\xe3\x81\xaf\xe6\x97\xa2\xe3\x81\xab\xe3\x82\xb0\xe3\x83\xab"
	  "\xe3\x83\xbc\xe3\x83\x97\xe3\x81\xae\xe3\x83\xa1\xe3\x83\xb3\xe3"
	  "\x83\x90\xe3\x83\xbc\xe3\x81\xa7\xe3\x81\x99\xe3\x80\x82",
	  "\xe6\x8c\x87\xe5\xae\x9a\xe3\x81\x95\xe3\x82\x8c\xe3\x81\x9f\xe3"
	  "\x83\xad\xe3\x83\xbc\xe3\x82\xab\xe3\x83\xab \xe3\x82\xb0\xe3\x83"
	  "\xab\xe3\x83\xbc\xe3\x83\x97\xe3\x81\xaf\xe6\x97\xa2\xe3\x81\xab"
	  "\xe5\xad\x98\xe5\x9c\xa8\xe3\x81\x97\xe3\x81\xbe\xe3\x81\x99\xe3"
	  "\x80\x82",
	  "\xe3\x81\x9d\xe3\x81\xae\xe3\x82\x88\xe3\x81\x86\xe3\x81\xaa\xe3"
	  "\x82\xb0\xe3\x83\xad\xe3\x83\xbc\xe3\x83\x90\xe3\x83\xab "
	  "\xe3\x83\xa6\xe3\x83\xbc\xe3\x82\xb6\xe3\x83\xbc\xe3\x81\xbe\xe3"
	  "\x81\x9f\xe3\x81\xaf\xe3\x82\xb0\xe3\x83\xab\xe3\x83\xbc\xe3\x83"
	  "\x97\xe3\x81\xaf\xe3\x81\x82\xe3\x82\x8a\xe3\x81\xbe\xe3\x81\x9b"
	  "\xe3\x82\x93: %s\xe3\x80\x82",
	  "NET HELPMSG %d \xe3\x81\xa8\xe5\x85\xa5\xe5\x8a\x9b\xe3\x81\x99"
	  "\xe3\x82\x8b\xe3\x81\xa8\xe3\x80\x81\xe8\xa9\xb3\xe3\x81\x97\xe3"
	  "\x81\x84\xe8\xaa\xac\xe6\x98\x8e\xe3\x81\x8c\xe5\xbe\x97\xe3\x82"
	  "\x89\xe3\x82\x8c\xe3\x81\xbe\xe3\x81\x99\xe3\x80\x82",
	  "\xe3\x82\xa8\xe3\x82\xa4\xe3\x83\xaa\xe3\x82\xa2\xe3\x82\xb9\xe5"
	  "\x90\x8d",
	  "\xe3\x82\xb3\xe3\x83\xa1\xe3\x83\xb3\xe3\x83\x88",
	  "\xe3\x83\xa1\xe3\x83\xb3\xe3\x83\x90\xe3\x83\xbc",
	  "\xe3\x82\xa2\xe3\x82\xaf\xe3\x82\xbb\xe3\x82\xb9\xe3\x81\x8c\xe6"
	  "\x8b\x92\xe5\x90\xa6\xe3\x81\x95\xe3\x82\x8c\xe3\x81\xbe\xe3\x81"
	  "\x97\xe3\x81\x9f\xe3\x80\x82",
	  "\xe6\xba\x96\xe5\x82\x99\xe5\xae\x8c\xe4\xba\x86",
	  "\xe7\x84\xa1\xe5\x8a\xb9" },
};

static int
lang_index(const char *tag)
{
	int i;

	for (i = 0; tag != NULL && i < NLANG; i++)
		if (strcasecmp(tags[i], tag) == 0)
			return i;
	return -1;
}

int
sim_lang_known(const char *tag)
{
	return lang_index(tag) >= 0;
}

const char *
sim_lang_text(const struct sim_host *h, enum sim_text t)
{
	int i = lang_index(h->language);

	return texts[i < 0 ? 0 : i][t];
}

void
sim_lang_date(const struct sim_host *h, const struct tm *tm, char out[32])
{
	int y = tm->tm_year + 1900, m = tm->tm_mon + 1, d = tm->tm_mday;

	switch (lang_index(h->language)) {
	case 1:
		snprintf(out, 32, "%02d.%02d.%d", d, m, y);
		break;
	case 2:
		snprintf(out, 32, "%02d/%02d/%d", d, m, y);
		break;
	case 3:
		snprintf(out, 32, "%d/%02d/%02d", y, m, d);
		break;
	default:
		snprintf(out, 32, "%d/%d/%d", m, d, y);
	}
}

void
sim_lang_clock(const struct sim_host *h, const struct tm *tm, int seconds,
    char out[32])
{
	int hour = tm->tm_hour % 12 == 0 ? 12 : tm->tm_hour % 12;
	const char *ampm = tm->tm_hour < 12 ? "AM" : "PM";
	int l = lang_index(h->language);

	if (l > 0 && seconds)
		snprintf(out, 32, l == 3 ? "%d:%02d:%02d" : "%02d:%02d:%02d",
		    tm->tm_hour, tm->tm_min, tm->tm_sec);
	else if (l > 0)
		snprintf(out, 32, l == 3 ? "%d:%02d" : "%02d:%02d",
		    tm->tm_hour, tm->tm_min);
	else if (seconds)
		snprintf(out, 32, "%d:%02d:%02d %s", hour, tm->tm_min,
		    tm->tm_sec, ampm);
	else
		snprintf(out, 32, "%d:%02d %s", hour, tm->tm_min, ampm);
}

/* Rename an account and every membership that names it. */
static void
lang_rename_account(struct sim_host *h, struct sim_account *a,
    const char *name)
{
	size_t i;
	int at;

	for (i = 0; i < h->ngroups; i++)
		if ((at = sim_group_find_member(&h->groups[i], a->name)) >= 0) {
			free(h->groups[i].members[at]);
			h->groups[i].members[at] = xstrdup(name);
		}
	free(a->name);
	a->name = xstrdup(name);
}

void
sim_host_localize(struct sim_host *h, const char *language)
{
	struct sim_account *a;
	struct sim_group *g;
	size_t i;
	int l = lang_index(language);

	if (l < 0)
		return;
	h->language = tags[l];
	for (i = 0; i < nitems(names); i++) {
		if ((g = sim_is_sid(names[i].key) ?
		    sim_group(h, names[i].key) : NULL) != NULL) {
			free(g->name);
			g->name = xstrdup(names[i].name[l]);
		} else if ((a = sim_account(h, names[i].key)) != NULL)
			lang_rename_account(h, a, names[i].name[l]);
	}
}
