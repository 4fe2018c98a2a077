#!/bin/sh
# engine_json.sh: the --json report (on $NET).  Its output parses
# with /usr/bin/python3's json module and matches docs/json.md both ways
# (every documented field present with its type and values, every field
# present documented), for plan and apply, over hosts that cover every
# status and most results: repaired, owned by Group Policy, needing a
# person, down, a failing change, a window open now, TLS verification off.
# What it says is checked against the simulator's ground truth.
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/converge.sh"

OK=ok.contoso.test
GPO=gpo.contoso.test
PERSON=person.contoso.test
DOWN=down.contoso.test
BAD=bad.contoso.test
WIN=win.contoso.test
NOTLS=notls.contoso.test

cat >"$TMP/fleet.yaml" <<EOF
$FLEET_DEFAULTS
hosts:
  $OK: { address: $NET.1, winrm: { service: { auth: { CredSSP: true } } } }
  $GPO:
    address: $NET.2
    winrm: { service: { auth: { CredSSP: true } } }
    gpo: [winrm.service.auth.CredSSP]
  $PERSON: { address: $NET.3, certificate: expiring, certificate_days: 3 }
  $DOWN: { address: $NET.4 }
  $BAD: { address: $NET.5, groups: { Gateway Administrators: { members: [] } } }
  $WIN: { address: $NET.6 }
  $NOTLS: { address: $NET.7, winrm: { service: { auth: { CredSSP: true } } } }
EOF
fleet_start "$TMP/fleet.yaml"
sim_ok POST /hosts/$DOWN/fault down=1 >/dev/null

# A window open now, for an hour more.
START=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
END=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
ds_new "$TMP/ds"
cat >"$TMP/ds/hosts.yaml" <<EOF
hosts:
  $OK: { address: $NET.1 }
  $GPO: { address: $NET.2 }
  $PERSON: { address: $NET.3 }
  $DOWN: { address: $NET.4 }
  $BAD: { address: $NET.5 }
  $WIN: { address: $NET.6 }
  $NOTLS: { address: $NET.7, tls_verify: false }
policies:
  $OK: { credssp: { server: disabled } }
  $GPO: { credssp: { server: disabled } }
  $PERSON: { wsman_listener: { https: { certificate: { min_days_left: 30 } } } }
  $DOWN: { credssp: { server: disabled } }
  $BAD: { local_group: { Gateway Administrators: { members: ['CONTOSO\\nobody'] } } }
  $WIN: { credssp: { server: disabled } }
  $NOTLS: { credssp: { server: disabled } }
windows:
  cluster-setup:
    start: $START
    end: $END
    reason: e2e window
    apply:
      $WIN: { credssp: { server: enabled } }
EOF

# Validate FILE against docs/json.md; VERB; extra checks given as Python
# expressions over r (the report) and h (hosts by name), one an argument.
check_json() {
	/usr/bin/python3 - "$TOP/docs/json.md" "$@" <<'EOF'
import json, re, sys

doc, path, verb = sys.argv[1], sys.argv[2], sys.argv[3]
fields = {}
for line in open(doc, encoding="utf-8"):
    m = re.match(r"^\| `([a-z_\[\].]+)` \| ([^|]+?) \| (.*) \|$", line)
    if not m:
        continue
    name, typ, desc = m.groups()
    enum = None
    if "(one of)" in typ:
        enum = re.findall(r"`(\w+)`:", desc) or re.findall(r"`(\w+)`", desc)
    fields[name] = (typ.split(" *(")[0], enum)
assert len(fields) > 30, "docs/json.md: only %d fields found" % len(fields)

TYPES = {"string": (str,), "integer": (int,), "boolean": (bool,),
         "array": (list,), "object": (dict,), "string or null": (str, type(None)),
         "object or null": (dict, type(None))}
errors = []
seen = set()

def walk(obj, prefix):
    for k, v in obj.items():
        p = prefix + k
        seen.add(p)
        if p not in fields:
            errors.append("field '%s' is not documented" % p)
            continue
        typ, enum = fields[p]
        if not isinstance(v, TYPES[typ]) or (typ == "integer" and isinstance(v, bool)):
            errors.append("'%s' is %r, documented as %s" % (p, v, typ))
        if enum is not None and v not in enum:
            errors.append("'%s' is %r, documented values %s" % (p, v, enum))
        if isinstance(v, dict):
            walk(v, p + ".")
        elif isinstance(v, list):
            for item in v:
                walk(item, p + "[].")

text = open(path, encoding="utf-8").read()
r = json.loads(text)
if text.count("\n") != 1 or not text.endswith("\n"):
    errors.append("not one line ending with a newline")
walk(r, "")
# Documented fields under an array show up only when it has elements;
# every run here has hosts and changes.
for name in fields:
    if name not in seen:
        errors.append("documented field '%s' missing" % name)
h = {x["name"]: x for x in r["hosts"]}
def ch(name):
    return h[name]["changes"][0]
s = r["summary"]
checks = [
    "r['version'] == 1", "r['verb'] == %r" % verb,
    "re.fullmatch(r'\\d{8}T\\d{6}Z-[0-9a-f]{6}', r['run_id'])",
    "re.fullmatch(r'\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ', r['at'])",
    "s['in_sync'] + s['with_changes'] + s['failed'] == s['hosts'] == len(r['hosts'])",
    "s['pending'] + s['verified'] + s['failed_changes'] + s['reported'] == sum(len(x['changes']) for x in r['hosts'])",
    "all((x['error'] is None) == (x['status'] != 'failed') for x in r['hosts'])",
] + sys.argv[4:]
for c in checks:
    try:
        ok = eval(c)
    except Exception as e:
        ok = False
        c += " (%s: %s)" % (type(e).__name__, e)
    if not ok:
        errors.append("check failed: " + c)
for e in dict.fromkeys(errors):
    print("FAIL: %s: %s" % (verb, e))
sys.exit(1 if errors else 0)
EOF
}

json_ok() {	# DESC CHECK...
	desc=$1
	shift
	printf '%s\n' "$OUT" >"$TMP/report.json"
	if check_json "$TMP/report.json" "$@" >"$TMP/check.out" 2>&1; then
		echo "ok: $desc"
	else
		fail "$desc:"
		sed 's/^/    /' "$TMP/check.out" >&2
	fi
}

run_enforcer plan --json "$TMP/ds"
expect_rc "plan --json with a host down" 3
json_ok "plan report matches docs/json.md" plan \
    "all(c['result'] in ('pending', 'reported') for x in r['hosts'] for c in x['changes'])" \
    "h['$DOWN']['status'] == 'failed' and h['$DOWN']['changes'] == []" \
    "'connection refused' in h['$DOWN']['error']" \
    "h['$DOWN']['timings_ms']['read'] == 0" \
    "all(x['timings_ms']['apply'] == 0 for x in r['hosts'])" \
    "ch('$OK')['path'] == 'credssp.server.enabled'" \
    "ch('$OK')['before'] == 'true' and ch('$OK')['after'] == 'false'" \
    "ch('$OK')['class'] == 'corrective' and ch('$OK')['result'] == 'pending'" \
    "ch('$GPO')['gpo_owned'] and ch('$GPO')['result'] == 'reported'" \
    "ch('$PERSON')['needs_person'] and ch('$PERSON')['after'] is None" \
    "'no certificate in LocalMachine' in ch('$PERSON')['note']" \
    "ch('$WIN')['class'] == 'window' and ch('$WIN')['window'] == 'cluster-setup'" \
    "ch('$WIN')['until'] == '$END' and ch('$WIN')['after'] == 'true'" \
    "h['$NOTLS']['tls_verified'] is False and h['$OK']['tls_verified'] is True" \
    "r['summary']['failed'] == 1"

reset_counters $OK $GPO $PERSON $BAD $WIN $NOTLS
run_enforcer apply --json "$TMP/ds"
expect_rc "apply --json with failures" 3
json_ok "apply report matches docs/json.md" apply \
    "ch('$OK')['result'] == 'verified' and h['$OK']['status'] == 'changes'" \
    "h['$OK']['timings_ms']['apply'] > 0" \
    "ch('$WIN')['result'] == 'verified'" \
    "ch('$GPO')['result'] == 'reported'" \
    "ch('$PERSON')['result'] == 'reported'" \
    "h['$BAD']['status'] == 'failed' and ch('$BAD')['result'] == 'failed'" \
    "\"unknown account 'CONTOSO\\\\nobody'\" in ch('$BAD')['error']" \
    "h['$BAD']['error'] is not None" \
    "r['summary'] == dict(hosts=7, in_sync=0, with_changes=5, failed=2, pending=0, verified=4, failed_changes=1, reported=2)" \
    "any(c['kind'] == 'failsafe' and c['result'] == 'verified' for c in h['$WIN']['changes'])"
# What the report says, the ground truth shows.
expect "$OK: verified, and so it is" false "$(truth $OK winrm.service.auth.CredSSP)"
expect "$WIN: the window's value" true "$(truth $WIN winrm.service.auth.CredSSP)"
expect "$NOTLS: verified, and so it is" false "$(truth $NOTLS winrm.service.auth.CredSSP)"
expect "$GPO: reported, not written" 0 "$(writes $GPO)"
expect "$PERSON: reported, not written" 0 "$(writes $PERSON)"
expect "$BAD: failed, group unchanged" "" \
    "$(truth $BAD 'group.Gateway Administrators.members')"

# In sync: an empty change list.
run_enforcer plan --json --hosts $OK "$TMP/ds"
expect_rc "plan --json in sync" 0
printf '%s\n' "$OUT" >"$TMP/report.json"
expect "in sync" "in_sync []" "$(/usr/bin/python3 -c '
import json, sys
h = json.load(open(sys.argv[1]))["hosts"][0]
print(h["status"], h["changes"])' "$TMP/report.json")"

# Nothing attempted: exit 1, no report, the cause on stderr.
run_enforcer apply --json --hosts 'nomatch*' "$TMP/ds"
expect_rc "no host matches" 1
expect "no report on stdout" "" "$OUT"
expect "the cause on stderr" "enforcer: apply: no host matches 'nomatch*'" "$ERR"

finish
