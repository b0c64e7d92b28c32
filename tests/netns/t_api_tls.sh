#!/usr/bin/env bash
# HTTPS on a tcp: listener (api_tls_cert, api_tls_key; docs/api.md): a
# throw-away self-signed certificate made here with openssl, trusted by curl
# with --cacert; the token still required (not for /healthz); plain HTTP on
# the HTTPS port gets no answer; the limits (413, 414, 431) and the %00
# screen hold over HTTPS, where sluiced cannot peek at the header; missing
# or bad files, and a key that is not the certificate's, are refused at
# start naming the key and the path.
. "$(dirname "$0")/lib.sh"

PORT=9182
TCP=198.18.1.1
token="sluice-tls-token-0123456789"

# a certificate for the listener's address and one from another key
for n in a b; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-days 2 -subj "/CN=sluiced-test" -addext "subjectAltName=IP:$TCP" \
		-keyout "$T_TMP/$n.key" -out "$T_TMP/$n.crt" >/dev/null 2>&1 ||
		die "openssl req ($n)"
done

netns_add NS_R r || die "namespace"
veth "$NS_R" r0 02:00:00:00:01:01 "$NS_R" r0p 02:00:00:00:01:02 || die "veth"
ip -n "$NS_R" addr add "$TCP/24" dev r0 || die "address"

# ---- refused at start, naming the key and the path --------------------------------
# refused WHAT EXPECT ARGS...: sluiced --check-config (or a real start, for
# what only GnuTLS can tell) fails and says EXPECT
refused() {
	local what=$1 expect=$2 out
	shift 2
	out=$(in_ns "$NS_R" timeout 20 "$SLUICED" --interface r0 \
		--pin-dir "/sys/fs/bpf/$T_ID-x" --api "unix:$T_TMP/x.sock" \
		--api "tcp:$TCP:$PORT" --api-token "$token" "$@" 2>&1)
	if [ $? -ne 0 ] && [[ $out == *"$expect"* ]]; then
		tap_ok "refused: $what"
	else
		tap_fail "refused: $what (wanted '$expect')" "${out:0:400}"
	fi
}
T_PINS+=("/sys/fs/bpf/$T_ID-x")
refused "a missing certificate" \
	"api_tls_cert: '$T_TMP/none.crt': No such file or directory" \
	--check-config --api-tls-cert "$T_TMP/none.crt" --api-tls-key "$T_TMP/a.key"
refused "a missing key" \
	"api_tls_key: '$T_TMP/none.key': No such file or directory" \
	--check-config --api-tls-cert "$T_TMP/a.crt" --api-tls-key "$T_TMP/none.key"
refused "a key given as the certificate" \
	"api_tls_cert: '$T_TMP/a.key' holds no PEM certificate" \
	--check-config --api-tls-cert "$T_TMP/a.key" --api-tls-key "$T_TMP/a.key"
refused "a certificate given as the key" \
	"api_tls_key: '$T_TMP/a.crt' holds no PEM private key" \
	--check-config --api-tls-cert "$T_TMP/a.crt" --api-tls-key "$T_TMP/a.crt"
refused "a directory" "api_tls_cert: '$T_TMP' is not a regular file" \
	--check-config --api-tls-cert "$T_TMP" --api-tls-key "$T_TMP/a.key"
refused "a relative path" "api_tls_key: 'a.key' is not an absolute path" \
	--check-config --api-tls-cert "$T_TMP/a.crt" --api-tls-key a.key
refused "a certificate without a key" \
	"api_tls_cert: set without api_tls_key" \
	--check-config --api-tls-cert "$T_TMP/a.crt"
cfg=$T_TMP/tls.json
printf '{"api_tls_cert": "%s", "api_tls_key": "%s"}\n' "$T_TMP/a.crt" "$T_TMP/missing.key" >"$cfg"
refused "the config file's api_tls_key missing" \
	"api_tls_key: '$T_TMP/missing.key': No such file or directory" \
	--check-config --config "$cfg"
refused "a key that is not the certificate's (at start)" \
	"refused api_tls_cert '$T_TMP/a.crt' with api_tls_key '$T_TMP/b.key'" \
	--api-tls-cert "$T_TMP/a.crt" --api-tls-key "$T_TMP/b.key"
printf '{"api_tls_cert": "%s", "api_tls_key": "%s"}\n' "$T_TMP/a.crt" "$T_TMP/a.key" >"$cfg"
out=$(in_ns "$NS_R" "$SLUICED" --interface r0 --api "tcp:$TCP:$PORT" \
	--api-token "$token" --check-config --config "$cfg" 2>&1)
check "the config file's api_tls_cert and api_tls_key pass --check-config" \
	grep -q "configuration is valid" <<<"$out"

# ---- served over HTTPS -------------------------------------------------------------
sluiced_start "$NS_R" a --interface r0 --api "tcp:$TCP:$PORT" \
	--api-token "$token" --api-tls-cert "$T_TMP/a.crt" \
	--api-tls-key "$T_TMP/a.key" || die "sluiced"
# shellcheck disable=SC2154 # set by sluiced_start
A_PID=$PID_a
URL="https://$TCP:$PORT"
check "the log says https" grep -q "listening on tcp:$TCP:$PORT (https)" "$T_TMP/a.log"

# req OUT [CURL ARGS...]: over HTTPS, trusting a.crt; prints the code
req() {
	local out=$1
	shift
	in_ns "$NS_R" curl -s -o "$out.body" --max-time 10 -w '%{http_code}' \
		--cacert "$T_TMP/a.crt" "$@"
}
answered() {
	local name=$1 want=$2 text=$3 code=$4 out=$5 body
	body=$(cat "$out.body" 2>/dev/null)
	if [ "$code" = "$want" ] && [[ $body == *"$text"* ]]; then
		body=${body%%$'\n'*}
		tap_ok "$name: $code ${body:0:100}"
	else
		tap_fail "$name: wanted $want and '$text'" "got $code: ${body:0:200}"
	fi
}
o=$T_TMP/r
AUTH=(-H "Authorization: Bearer $token")
c=$(req "$o" "${AUTH[@]}" "$URL/v1/status")
answered "https with the token: 200" 200 '"version"' "$c" "$o"
c=$(req "$o" "$URL/v1/status")
answered "https without the token: 401" 401 'bearer token' "$c" "$o"
c=$(req "$o" -H "Authorization: Bearer ${token%?}X" "$URL/v1/status")
answered "https with a wrong token: 401" 401 'bearer token' "$c" "$o"
c=$(req "$o" "$URL/healthz")
answered "https /healthz without the token: 200" 200 '{"status":"ok"}' "$c" "$o"
c=$(req "$o" "${AUTH[@]}" -X POST -H 'Content-Type: application/json' \
	-d '{"address": "198.18.100.1", "port": 80, "protocol": "tcp"}' "$URL/v1/vips")
answered "https POST /v1/vips: 201" 201 '"198.18.100.1:80/tcp"' "$c" "$o"
c=$(req "$o" "${AUTH[@]}" "$URL/v1/vips/198.18.100.1:80/tcp")
answered "https GET the VIP: 200" 200 '"vip_id"' "$c" "$o"

# not trusted without --cacert: curl refuses the certificate (exit 60)
in_ns "$NS_R" curl -s -o /dev/null --max-time 10 "$URL/healthz"
rc=$?
check "without --cacert curl refuses the self-signed certificate (exit $rc)" test "$rc" = 60
# plain HTTP on the HTTPS port: no HTTP answer
rm -f "$o.body"
c=$(in_ns "$NS_R" curl -s -o "$o.body" --max-time 10 -w '%{http_code}' \
	"${AUTH[@]}" "http://$TCP:$PORT/v1/status")
body=$(cat "$o.body" 2>/dev/null)
check "plain HTTP on the HTTPS port gets no HTTP answer (code $c)" \
	test "$c" = 000 -a -z "$body"
c=$(req "$o" "${AUTH[@]}" "$URL/v1/status")
answered "https still served after the plain client" 200 '"version"' "$c" "$o"

# the limits over HTTPS
head -c 65537 /dev/zero | tr '\0' a >"$T_TMP/big"
c=$(req "$o" "${AUTH[@]}" -X POST -H 'Content-Type: application/json' \
	--data-binary @"$T_TMP/big" "$URL/v1/vips")
answered "https body of 65537 bytes: 413" 413 '"body: larger than 65536 bytes"' "$c" "$o"
q=$(head -c $((4096 - 18)) /dev/zero | tr '\0' a)
c=$(req "$o" "${AUTH[@]}" "$URL/v1/routes?prefix=$q")
answered "https URL of 4096 bytes: answered (400 for its prefix)" 400 '"prefix: ' "$c" "$o"
c=$(req "$o" "${AUTH[@]}" "$URL/v1/routes?prefix=${q}a")
answered "https URL of 4097 bytes: 414" 414 \
	'"url: longer than 4096 bytes (the path and the query string)"' "$c" "$o"
h=$(head -c 9000 /dev/zero | tr '\0' a)
c=$(req "$o" "${AUTH[@]}" -H "X-Pad: $h" "$URL/v1/status")
answered "https header of 9000+ bytes: 431" 431 \
	'"request header: larger than 8192 bytes"' "$c" "$o"
h=$(head -c 7000 /dev/zero | tr '\0' a)
c=$(req "$o" "${AUTH[@]}" -H "X-Pad: $h" "$URL/v1/status")
answered "https header of 7000+ bytes: 200" 200 '"version"' "$c" "$o"
# past libmicrohttpd's own buffer (32 KiB): its 431, its own body
h=$(head -c 40000 /dev/zero | tr '\0' a)
c=$(req "$o" "${AUTH[@]}" -H "X-Pad: $h" "$URL/v1/status")
check "https header of 40000+ bytes: 431 from libmicrohttpd ($c)" test "$c" = 431
c=$(req "$o" "${AUTH[@]}" "$URL/v1/stats?dev=r0%00x")
answered "https %00 in the query: 400" 400 '%00' "$c" "$o"
c=$(req "$o" "${AUTH[@]}" -X DELETE "$URL/v1/vips/1%00/backends")
answered "https %00 in the path: 400" 400 '%00' "$c" "$o"
c=$(req "$o" "${AUTH[@]}" "$URL/v1/vips")
answered "the VIP is still there" 200 '"198.18.100.1:80/tcp"' "$c" "$o"
# sluicectl over HTTPS: --cacert, the token from the environment
ctl() {
	SLUICE_API_TOKEN=$token in_ns "$NS_R" "$SLUICECTL" --api "tcp:$TCP:$PORT" "$@"
}
out=$(ctl --cacert "$T_TMP/a.crt" vip show 2>&1)
check "sluicectl --cacert: vip show over HTTPS" grep -q "198.18.100.1:80/tcp" <<<"$out"
out=$(ctl vip show 2>&1)
rc=$?
check "sluicectl without --cacert: plain HTTP on the HTTPS port fails (exit $rc)" \
	test "$rc" -ne 0
echo "# $out"
out=$(ctl --cacert "$T_TMP/b.crt" vip show 2>&1)
rc=$?
check "sluicectl --cacert with another certificate: refused (exit $rc)" \
	test "$rc" -ne 0
echo "# $out"
check "daemon still running" kill -0 "$A_PID"
tap_done
