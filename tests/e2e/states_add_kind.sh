#!/bin/sh
# states_add_kind.sh: a new kind is one file plus one table line
# (the run's own subnet).  In a scratch copy of the source tree:
#  - states/template.c copied to states/example_kind.c, its names renamed,
#    STATE(example_kind) added to states/states.c, and nothing else
#  - bin/enforcer and bin/winrm-sim build (the objects of this build are
#    reused, so only the changed files compile)
#  - the new kind's schema part is in force: a typo in its body is refused
#  - plan against the simulator shows the new kind's changes, from both the
#    shorthand and the long form; apply writes them to the registry, and
#    a second apply finds nothing to do
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

KIND=example_kind
SRC="$TMP/src"
BUILD=${ENFORCER_BUILD:-build/$([ "${SAN:-0}" = 1 ] && echo san || echo default)}

# --- the scratch tree: what git tracks (or would), as a repository ----------
git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1 ||
	{ echo "$TOP is not a git clone: nothing to copy from" >&2; exit 1; }
mkdir -p "$SRC"
(cd "$TOP" && git ls-files -z -co --exclude-standard |
    tar --null -T - --ignore-failed-read -cf -) | (cd "$SRC" && tar -xf -) ||
	{ echo "cannot copy the source tree" >&2; exit 1; }
g() {
	git -C "$SRC" -c user.name=e2e -c user.email=e2e@invalid \
	    -c commit.gpgsign=false "$@"
}
g init -q && g add -A && g commit -q -m base ||
	{ echo "cannot make the scratch repository" >&2; exit 1; }
# Sources keep their times (tar), so make rebuilds only what changes here.
if [ -d "$TOP/$BUILD/states" ]; then
	mkdir -p "$SRC/$BUILD/tests"
	for d in enforcer states schema_data.c schema_data.o tests/winrm-sim; do
		cp -pR "$TOP/$BUILD/$d" "$SRC/$BUILD/$d" 2>/dev/null
	done
fi

# --- the steps of states/template.c's header --------------------------------
cp "$SRC/states/template.c" "$SRC/states/$KIND.c"
sed -i "s/template/$KIND/g" "$SRC/states/$KIND.c"
sed -i "s/^\\(\tSTATE(failsafe)\\)/\tSTATE($KIND) \\\\\\n\\1/" \
    "$SRC/states/states.c"

expect "one new file, one changed file" \
    "$(printf ' M states/states.c\n?? states/%s.c' $KIND)" \
    "$(g status --porcelain)"
expect "one line added to the table" \
    "$(printf '1\t0\tstates/states.c')" "$(g diff --numstat)"
expect_match "the line is the kind's" "^+	STATE($KIND) \\\\$" \
    "$(g diff -U0 states/states.c)"

if ! make -C "$SRC" -j2 SAN="${SAN:-0}" bin/enforcer bin/winrm-sim \
    >"$TMP/make.out" 2>&1; then
	tail -30 "$TMP/make.out" >&2
	fail "the tree with the new kind does not build"
	finish
fi
expect "the build made no other change" \
    "$(printf ' M states/states.c\n?? states/%s.c' $KIND)" \
    "$(g status --porcelain)"
ENFORCER="$SRC/bin/enforcer"
WINRM_SIM="$SRC/bin/winrm-sim"

# --- the new kind against the simulator -------------------------------------
H=reg.contoso.test
KEY="SOFTWARE\\enforcer\\$KIND"
cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
hosts:
  $H:
    address: $NET.1
    registry:
      '$KEY': { Motd: { type: REG_SZ, data: 'old text' } }
EOF
fleet_start "$TMP/fleet.yaml"

ds_new "$TMP/ds"
cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
  $H: { address: $NET.1 }
EOF
cat >"$TMP/ds/policies.yaml" <<EOF
policies:
  $H:
    $KIND:
      Greeting: hello
      Motd: { data: 'be nice' }
EOF

mkdir -p "$TMP/bad"
cp "$TMP/ds/connection.yaml" "$TMP/ds/hosts.yaml" "$TMP/bad/"
printf 'policies:\n  %s:\n    %s: { Motd: { dat: x } }\n' $H $KIND \
    >"$TMP/bad/policies.yaml"
run_enforcer validate "$TMP/bad"
expect "a typo in the new kind's body is refused" 1 "$RC"
expect_match "named by the kind's schema" "unknown key 'dat'" "$ERR"

run_enforcer plan "$TMP/ds"
expect_rc "plan shows the new kind's changes" 2
expect_line "shorthand" \
    "  + $KIND.Greeting.data: hello   (policy $H)"
expect_line "long form" \
    "  ~ $KIND.Motd.data: old text -> be nice   (policy $H)"

run_enforcer apply "$TMP/ds"
expect_rc "apply writes them" 0
expect "value written" 'REG_SZ hello' "$(truth $H "reg.$KEY:Greeting")"
expect "value replaced" 'REG_SZ be nice' "$(truth $H "reg.$KEY:Motd")"
expect_noop "$TMP/ds" $H

finish
