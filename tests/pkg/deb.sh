#!/bin/sh
# deb.sh (make deb-check): the Debian package as Debian 12 builds it.
# dpkg-buildpackage -us -uc -b on a copy of the tree builds enforcer_*.deb
# (about 2 minutes on 2 cores: too slow for make check, whose install.sh
# tests `make install` and the units instead); lintian reports no error;
# the package holds the enforcer and not the simulator; its units pass
# systemd-analyze verify; its binary runs against the simulator from a
# configuration directory with a systemd credential.
#
# Where it runs the package: by default from `dpkg-deb -x` in a scratch
# directory (nothing touches the machine).  With ENFORCER_DPKG_INSTALL=1
# and as root (CI, .ci/run, on a throwaway machine) it is installed with
# dpkg -i, checked in place (/usr/bin/enforcer, /lib/systemd/system) and
# purged at the end.
. "$(dirname "$0")/../e2e/lib/e2e.sh"
. "$(dirname "$0")/../e2e/lib/converge.sh"

N1=node1.contoso.test
B="$TMP/build"
mkdir -p "$B/enforcer-src"
(cd "$TOP" && git ls-files -z | xargs -0 tar cf -) | tar xf - -C "$B/enforcer-src"
# As on a fresh machine: nothing of make deb-check's own make reaches it.
if (cd "$B/enforcer-src" && unset MAKEFLAGS MAKELEVEL MFLAGS &&
    dpkg-buildpackage -us -uc -b) >"$TMP/build.log" 2>&1
then
	pass "dpkg-buildpackage -us -uc -b"
else
	tail -30 "$TMP/build.log"
	fail "dpkg-buildpackage"
	finish
fi
DEB=$(ls "$B"/enforcer_*.deb)
[ -f "$DEB" ] && pass "built $(basename "$DEB")" || fail "no enforcer_*.deb"

# lintian refuses to run as root without this; --fail-on error: warnings
# are reported, errors fail.
lintian --allow-root --fail-on error "$DEB" >"$TMP/lintian.out" 2>&1
expect "lintian: no error" 0 "$?"
cat "$TMP/lintian.out"

dpkg-deb -c "$DEB" | awk '{ print $6 }' >"$TMP/contents"
for f in ./usr/bin/enforcer ./usr/share/man/man1/enforcer.1.gz \
    ./usr/share/enforcer/enforcer.schema.json \
    ./usr/share/doc/enforcer/README.md.gz ./usr/share/doc/enforcer/copyright \
    ./usr/share/doc/enforcer/examples/hci-cluster/hosts.yaml \
    ./lib/systemd/system/enforcer.service ./lib/systemd/system/enforcer.timer \
    ./usr/share/bash-completion/completions/enforcer \
    ./etc/enforcer/enforcer.conf.example; do
	grep -qx "$f" "$TMP/contents" && pass "in the package: $f" ||
	    fail "not in the package: $f"
done
grep -q winrm-sim "$TMP/contents" && fail "the simulator is in the package" ||
    pass "the simulator is not in the package"
expect "/etc/enforcer's example is a conffile" "/etc/enforcer/enforcer.conf.example" \
    "$(dpkg-deb -I "$DEB" conffiles)"

if [ "${ENFORCER_DPKG_INSTALL:-0}" = 1 ] && [ "$(id -u)" = 0 ]; then
	dpkg -i "$DEB" >"$TMP/dpkg.out" 2>&1 || cat "$TMP/dpkg.out"
	R=""
	BIN=/usr/bin/enforcer
	UNITS=/lib/systemd/system
	trap 'dpkg --purge enforcer >/dev/null 2>&1; cleanup' EXIT INT TERM
	dpkg -s enforcer 2>/dev/null | grep -q '^Status: install ok installed' &&
	    pass "dpkg -i" || fail "dpkg -i"
else
	R="$TMP/root"
	dpkg-deb -x "$DEB" "$R"
	BIN="$R/usr/bin/enforcer"
	# systemd-analyze checks that ExecStart's program exists: point the
	# copy at the extracted binary, nothing else changed.
	UNITS="$TMP/units"
	mkdir -p "$UNITS"
	sed "s|^ExecStart=/usr/bin/enforcer |ExecStart=$BIN |" \
	    "$R/lib/systemd/system/enforcer.service" >"$UNITS/enforcer.service"
	cp "$R/lib/systemd/system/enforcer.timer" "$UNITS/"
fi
expect "enforcer --version" "enforcer 0.1" "$("$BIN" --version)"
if systemd-analyze verify --man=no "$UNITS/enforcer.service" \
    "$UNITS/enforcer.timer" >"$TMP/verify.out" 2>&1; then
	pass "systemd-analyze verify: the package's units"
else
	cat "$TMP/verify.out"
	fail "systemd-analyze verify"
fi

# The packaged binary against the simulator, as enforcer.service runs it.
cat >"$TMP/fleet.yaml" <<FLEET
$FLEET_DEFAULTS
hosts:
  $N1: { address: $NET.1, winrm: { service: { auth: { CredSSP: true } } } }
FLEET
fleet_start "$TMP/fleet.yaml"
mkdir -p "$TMP/etc/desired" "$TMP/creds" "$TMP/state"
cp "$SIM_CA" "$TMP/etc/desired/ca.pem"
cat >"$TMP/etc/desired/hosts.yaml" <<CONF
hosts:
  $N1: { groups: [nodes], address: $NET.1 }
connection:
  auth: ntlm
  username: CONTOSO\\svc-enforcer
  password_credential: password
  ca_file: ca.pem
policies:
  nodes: { credssp: { server: disabled } }
CONF
printf '%s\n' "$E2E_PASSWORD" >"$TMP/creds/password"
chmod 600 "$TMP/creds/password"
(cd / && env -u ENFORCER_PASSWORD ENFORCER_CONFDIR="$TMP/etc" \
    CREDENTIALS_DIRECTORY="$TMP/creds" STATE_DIRECTORY="$TMP/state" \
    "$BIN" apply --no-wait) >"$TMP/out" 2>&1
expect "the packaged binary applies from its configuration directory" 0 "$?"
expect "$N1: CredSSP server off (ground truth)" false \
    "$(truth $N1 winrm.service.auth.CredSSP)"

finish
