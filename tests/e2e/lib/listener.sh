# tests/e2e/lib/listener.sh: what the HTTPS listener tests share, on top of
# e2e.sh: the certificate a new TLS connection of our own is shown, and
# the simulator's ground truth about certificates and the listener.
#
#   presented NAME ADDRESS   thumbprint a new TLS connection to ADDRESS:5986
#                            is shown, verified against the test CA for
#                            NAME; "refused: ..." when the handshake fails
#   cert_by_days HOST DAYS   thumbprint of HOST's certificate that ends DAYS
#                            days from now (each scenario its own number)
#   bound HOST               the HTTPS listener's bound thumbprint

cat >"$TMP/presented.py" <<'PY'
import hashlib, socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[3])
try:
    with socket.create_connection((sys.argv[2], 5986), timeout=5) as s:
        with ctx.wrap_socket(s, server_hostname=sys.argv[1]) as t:
            print(hashlib.sha1(t.getpeercert(True)).hexdigest().upper())
except (ssl.SSLError, OSError) as e:
    print("refused: %s" % e.__class__.__name__)
PY
presented() {
	/usr/bin/python3 "$TMP/presented.py" "$1" "$2" "$SIM_CA"
}

cert_by_days() {
	d=$(date -u -d "@$(($(date +%s) + $2 * 86400))" +%Y-%m-%d)
	sim GET "/hosts/$1/state" |
	    sed -n "s/^cert\\.\\([0-9A-F]*\\)\\.not_after = $d.*/\\1/p"
}

bound() {
	truth "$1" 'listener.HTTPS.*.CertificateThumbprint'
}
