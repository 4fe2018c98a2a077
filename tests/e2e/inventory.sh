#!/bin/sh
# inventory.sh: hosts and groups from an Ansible inventory agree with what
# Ansible itself makes of the same file.  For an INI and a YAML inventory
# (children, group vars at several depths, host vars, host:port, a numeric
# range), `enforcer validate --json` lists each host with its groups,
# address and port; ansible-inventory --list (Debian's ansible-core) gives
# the groups (through children) and ansible_host / ansible_port; they must
# be the same, host by host.  A policy for a group with no host is a
# warning, not a stop; a host no policy targets is listed.
. "$(dirname "$0")/lib/e2e.sh"

cd "$TMP" || exit 1
cat >inv.ini <<'EOF'
# the Windows servers
jump.contoso.test ansible_host=10.0.0.5

[hci_nodes]
node1.contoso.test ansible_host=10.0.1.1
node2.contoso.test:5999
node[08:11].contoso.test

[gateways]
wac01.contoso.test ansible_port=5985 ansible_host="10.0.2.1"

[windows:children]
hci_nodes
gateways

[windows:vars]
ansible_port=5986
ansible_connection=winrm

[hci_nodes:vars]
ansible_host = 10.9.9.9

[all:vars]
ansible_port=5990

[empty]
EOF
cat >inv.yaml <<'EOF'
all:
  vars: { ansible_port: 5990 }
  hosts:
    jump.contoso.test: { ansible_host: 10.0.0.5 }
  children:
    windows:
      vars: { ansible_port: 5986, ansible_host: 10.8.8.8 }
      children:
        hci_nodes:
          vars: { ansible_host: 10.9.9.9 }
          hosts:
            node1.contoso.test: { ansible_host: 10.0.1.1 }
            node2.contoso.test: { ansible_port: 5999 }
        gateways:
          hosts:
            wac01.contoso.test:
        site_a:
          children:
            racks:
              hosts:
                node3.contoso.test:
    empty:
EOF

for inv in inv.ini inv.yaml; do
	cat >"ds-$inv.yaml" <<EOF
inventory: $inv
connection: { auth: kerberos }
policies:
  windows: { credssp: { server: disabled } }
  empty: { credssp: { client: disabled } }
EOF
	"$ENFORCER" validate --json "ds-$inv.yaml" >"ours-$inv.json" 2>"err-$inv"
	expect "$inv: validate exits 0 (an empty group is no stop)" 0 "$?"
	if ! ansible-inventory -i "$inv" --list >"ansible-$inv.json" \
	    2>"ansible-$inv.err"; then
		cat "ansible-$inv.err"
		fail "$inv: ansible-inventory --list"
		continue
	fi
	# One line per host: name, sorted groups, address, port; Ansible's
	# side with the enforcer's defaults where Ansible sets nothing.
	python3 - "ours-$inv.json" "ansible-$inv.json" >"cmp-$inv" <<'EOF'
import json, sys
ours = json.load(open(sys.argv[1]))
ans = json.load(open(sys.argv[2]))

def members(group, seen=()):
    g = ans.get(group, {})
    out = set(g.get("hosts", []))
    for c in g.get("children", []):
        if c not in seen:
            out |= members(c, seen + (group,))
    return out

groups = [g for g in ans if g not in ("_meta", "all", "ungrouped")]
for h, v in sorted(ans["_meta"]["hostvars"].items()):
    gs = sorted(g for g in groups if h in members(g))
    print("ansible", h, ",".join(gs), v.get("ansible_host", h),
          int(v.get("ansible_port", 5986)))
for h in sorted(ours["hosts"], key=lambda h: h["name"]):
    print("ours   ", h["name"], ",".join(h["groups"]), h["address"], h["port"])
EOF
	a=$(sed -n 's/^ansible //p' "cmp-$inv")
	o=$(sed -n 's/^ours    //p' "cmp-$inv")
	[ -n "$a" ] && pass "$inv: ansible-inventory lists $(echo "$a" | wc -l) hosts" ||
	    fail "$inv: ansible-inventory lists no host"
	expect "$inv: the same hosts, groups, addresses and ports as ansible-inventory" "$a" "$o"
	"$ENFORCER" validate "ds-$inv.yaml" >"out-$inv" 2>"err-$inv"
	expect_match "$inv: a policy for the empty group is a warning" \
	    "ds-$inv.yaml:5:3: warning: policy target 'empty' is an inventory group with no host" \
	    "$(cat "err-$inv")"
	expect_match "$inv: the host no policy targets is listed" \
	    "host 'jump.contoso.test': no policy targets it" "$(cat "out-$inv")"
done
expect "the INI inventory: host:port, a range, vars by depth" \
    "jump.contoso.test  10.0.0.5 5990
node08.contoso.test hci_nodes,windows 10.9.9.9 5986
node09.contoso.test hci_nodes,windows 10.9.9.9 5986
node1.contoso.test hci_nodes,windows 10.0.1.1 5986
node10.contoso.test hci_nodes,windows 10.9.9.9 5986
node11.contoso.test hci_nodes,windows 10.9.9.9 5986
node2.contoso.test hci_nodes,windows 10.9.9.9 5999
wac01.contoso.test gateways,windows 10.0.2.1 5985" \
    "$(sed -n 's/^ours    //p' cmp-inv.ini)"

# A typo in a target that is no inventory group is still an error.
sed 's/^  empty:/  emptyy:/' ds-inv.ini.yaml >typo.yaml
run_enforcer validate typo.yaml
expect "a target that is no group: exit 1" 1 "$RC"
expect_match "... with the closest name" \
    "policy target 'emptyy' is not a host, a group or 'all' (did you mean 'empty'?)" "$ERR"

# An error in an inventory names its file, line and column.
printf '[bad:kids]\nx\n' >bad.ini
printf 'inventory: bad.ini\n' >ds-bad.yaml
run_enforcer validate ds-bad.yaml
expect "a bad inventory: exit 1" 1 "$RC"
expect_match "... named by file:line:col" \
    "bad.ini:1:5: section 'bad:kids': expected :vars or :children" "$ERR"

finish
