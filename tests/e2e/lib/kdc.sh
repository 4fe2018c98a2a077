# tests/e2e/lib/kdc.sh: a real MIT Kerberos KDC (Debian krb5-kdc,
# krb5-admin-server for kadmin.local) for one test run: a throwaway realm
# in $TMP/kdc, listening on a loopback address and port chosen per run,
# stopped when the test exits.  Sourced after e2e.sh.  A missing KDC
# program fails the test (make deps installs them).
#
#   kdc_start REALM ADDRESS PORT   create the realm, start krb5kdc; exports
#                                  KRB5_CONFIG, KRB5_KDC_PROFILE, KRB5CCNAME
#   kdc_krb5_conf FILE KDC         write a client krb5.conf naming KDC
#   kadmin QUERY                   kadmin.local -q QUERY on the realm
#   kdc_stop                       stop krb5kdc (the exit trap calls it)

PATH=$PATH:/usr/sbin
KDC_PID=""

kdc_stop() {
	if [ -n "$KDC_PID" ]; then
		kill "$KDC_PID" 2>/dev/null
		wait "$KDC_PID" 2>/dev/null
		KDC_PID=""
	fi
}
trap 'kdc_stop; cleanup' EXIT INT TERM

# A client's view: no DNS, host names taken as written, the test realm.
kdc_krb5_conf() {
	cat >"$1" <<EOF
[libdefaults]
	default_realm = $KDC_REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	udp_preference_limit = 1
[realms]
	$KDC_REALM = {
		kdc = $2
	}
[domain_realm]
	.$(echo "$KDC_REALM" | tr 'A-Z' 'a-z') = $KDC_REALM
EOF
}

kadmin() {
	kadmin.local -r "$KDC_REALM" -q "$1" >>"$KDC_DIR/kadmin.log" 2>&1 ||
		{ echo "kadmin.local -q '$1' failed:" >&2;
		  cat "$KDC_DIR/kadmin.log" >&2; exit 1; }
}

kdc_start() {
	KDC_REALM=$1
	KDC_DIR="$TMP/kdc"
	for p in krb5kdc kdb5_util kadmin.local kinit kdestroy; do
		command -v $p >/dev/null || {
			echo "FAIL: $p is missing (make deps installs it)" >&2
			exit 1
		}
	done
	mkdir -p "$KDC_DIR"
	KRB5_CONFIG="$KDC_DIR/krb5.conf"
	KRB5_KDC_PROFILE="$KDC_DIR/kdc.conf"
	KRB5CCNAME="FILE:$KDC_DIR/ccache"
	export KRB5_CONFIG KRB5_KDC_PROFILE KRB5CCNAME
	kdc_krb5_conf "$KRB5_CONFIG" "$2:$3"
	cat >"$KRB5_KDC_PROFILE" <<EOF
[kdcdefaults]
	kdc_listen = $2:$3
	kdc_tcp_listen = $2:$3
[realms]
	$KDC_REALM = {
		database_name = $KDC_DIR/principal
		key_stash_file = $KDC_DIR/stash
		acl_file = $KDC_DIR/kadm5.acl
		max_life = 1h
		supported_enctypes = aes256-cts-hmac-sha1-96:normal
	}
[logging]
	kdc = FILE:$KDC_DIR/kdc.log
EOF
	: >"$KDC_DIR/kadm5.acl"
	kdb5_util create -s -r "$KDC_REALM" -P "master-$$" \
	    >"$KDC_DIR/create.log" 2>&1 ||
		{ cat "$KDC_DIR/create.log" >&2; exit 1; }
	krb5kdc -n -r "$KDC_REALM" >"$KDC_DIR/krb5kdc.out" 2>&1 &
	KDC_PID=$!
	i=0
	while ! grep -q "commencing operation" "$KDC_DIR/kdc.log" 2>/dev/null
	do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$KDC_PID" 2>/dev/null; then
			echo "krb5kdc did not start:" >&2
			cat "$KDC_DIR/krb5kdc.out" "$KDC_DIR/kdc.log" >&2
			exit 1
		fi
		sleep 0.1
	done
}
