#!/bin/sh
# states_languages.sh: the state modules' end-to-end tests again, against
# hosts whose display language is German, French and Japanese (the
# simulator's lang.c: localised built-in names, net.exe and schtasks texts,
# date formats).  Each test runs as it does in English (E2E_LANGUAGE sets
# the fleet's language through lib/converge.sh) and must pass unchanged:
# nothing enforcer reads may depend on the display language.
# states_local_group.sh runs its own languages; restart_winrm.sh is here
# for the schtasks output it reads.  STATES_LANGUAGES_TESTS=NAME... runs
# fewer while iterating (the suite always runs them all; SAN=1 each in
# one language, see below).
. "$(dirname "$0")/lib/e2e.sh"

TESTS="${STATES_LANGUAGES_TESTS:-states_credssp states_credssp_gpo states_service states_trusted_hosts
states_wsman_listener restart_winrm}"

# In language $1 (tests/winrm-sim/lang.c): net.exe's closing line DONE,
# schtasks' status READY and the date 25 November 2026 as DATE.
lang_texts() {
	case $1 in
	de-DE)
		DONE=$(printf 'Der Befehl wurde erfolgreich ausgef\303\274hrt.')
		READY=Bereit DATE=25.11.2026 ;;
	fr-FR)
		DONE=$(printf "La commande s'est termin\303\251e correctement.")
		READY=$(printf 'Pr\303\252t') DATE=25/11/2026 ;;
	ja-JP)
		DONE=$(printf '\343\202\263\343\203\236\343\203\263\343\203\211\343\201\257\346\255\243\345\270\270\343\201\253\347\265\202\344\272\206\343\201\227\343\201\276\343\201\227\343\201\237\343\200\202')
		READY=$(printf '\346\272\226\345\202\231\345\256\214\344\272\206')
		DATE=2026/11/25 ;;
	esac
}

# The fleet the module tests start (lib/converge.sh's FLEET_DEFAULTS) is in
# E2E_LANGUAGE: a host of it answers in that language.
language_reaches_hosts() {
	E2E_LANGUAGE=$1
	. "$TOP/tests/e2e/lib/converge.sh"
	printf '%s\nhosts:\n  lang.contoso.test: { address: %s.1 }\n' \
	    "$FLEET_DEFAULTS" "$NET" >"$TMP/fleet.yaml"
	fleet_start "$TMP/fleet.yaml"
	lang_texts "$1"
	expect_contains "FLEET_DEFAULTS makes a $1 host" \
	    "$(sim POST /hosts/lang.contoso.test/cmd 'net localgroup')" "$DONE"
	sim_ok POST /hosts/lang.contoso.test/set \
	    'task.\t1.trigger = 2026-11-25T23:00:00Z' >/dev/null
	sim_ok POST /hosts/lang.contoso.test/set \
	    'clock.now = 2026-11-25T12:00:00Z' >/dev/null
	q=$(sim POST /hosts/lang.contoso.test/cmd \
	    'schtasks /Query /TN t1 /V /FO CSV /NH')
	expect_contains "schtasks answers in $1" "$q" "\"$READY\"" "\"$DATE "
	fleet_stop
}

# Under the sanitizers (five times slower) each test runs in one of the
# three languages, in turn, so every test and every language still runs.
k=0
for lang in de-DE fr-FR ja-JP; do
	language_reaches_hosts $lang
	j=0
	for t in $TESTS; do
		j=$((j + 1))
		[ "${SAN:-0}" = 1 ] && [ $((j % 3)) != $k ] && continue
		E2E_LANGUAGE=$lang sh "$TOP/tests/e2e/$t.sh" \
		    >"$TMP/$t.$lang.out" 2>&1
		rc=$?
		if [ "$rc" = 0 ] && grep -q '^all checks passed' \
		    "$TMP/$t.$lang.out"; then
			pass "$t in $lang"
		else
			sed 's/^/    /' "$TMP/$t.$lang.out"
			fail "$t in $lang (exit $rc)"
		fi
	done
	k=$((k + 1))
done

finish
