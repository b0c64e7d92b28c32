#!/usr/bin/env bash
# The API's documented limits and its authentication (docs/api.md): a body
# over API_BODY_MAX (announced or chunked) or API_BODY_BULK_MAX is 413, a
# URL over API_URL_MAX 414, a header over API_HEADER_MAX 431, each with an
# error body naming the limit, and nothing changed; exactly at each limit
# the request is not refused for its size.  TCP needs the bearer token
# except GET /healthz; the unix socket is 0600 and needs none.
. "$(dirname "$0")/lib.sh"

PORT=9181
TCP=198.18.1.1
token="sluice-limits-token-0123456789"

netns_add NS_R r || die "namespace"
veth "$NS_R" r0 02:00:00:00:01:01 "$NS_R" r0p 02:00:00:00:01:02 || die "veth"
ip -n "$NS_R" addr add "$TCP/24" dev r0 || die "address"
sluiced_start "$NS_R" a --interface r0 --api "tcp:$TCP:$PORT" \
	--api-token "$token" || die "sluiced"
# shellcheck disable=SC2154 # set by sluiced_start
A_SOCK=$SOCK_a A_PID=$PID_a
URL="http://$TCP:$PORT"

# req OUT [CURL ARGS...]: one request over TCP with the token; the body
# goes to OUT.body, and "CODE" is printed (000: no answer).
req() {
	local out=$1
	shift
	in_ns "$NS_R" curl -s -o "$out.body" --max-time 10 -w '%{http_code}' \
		-H "Authorization: Bearer $token" "$@"
}
# answered NAME CODE TEXT OUT: the request said CODE, its body holds TEXT.
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
# pad FILE N: N bytes of 'a'.
pad() { head -c "$2" /dev/zero | tr '\0' a >"$1"; }
vips() { api_json a /v1/vips "len(d['vips'])"; }

# ---- sizes ------------------------------------------------------------------------
o=$T_TMP/r
pad "$T_TMP/body64k1" 65537
c=$(req "$o" -X POST -H 'Content-Type: application/json' \
	--data-binary @"$T_TMP/body64k1" "$URL/v1/vips")
answered "body of 65537 bytes (announced): 413" 413 \
	'"body: larger than 65536 bytes"' "$c" "$o"
c=$(req "$o" -X POST -H 'Content-Type: application/json' \
	-H 'Transfer-Encoding: chunked' --data-binary @"$T_TMP/body64k1" "$URL/v1/vips")
answered "body of 65537 bytes (chunked, no length): 413" 413 \
	'"body: larger than 65536 bytes"' "$c" "$o"
# exactly the limit: read and parsed (and refused as JSON, not for its size)
pad "$T_TMP/body64k" 65536
c=$(req "$o" -X POST -H 'Content-Type: application/json' \
	--data-binary @"$T_TMP/body64k" "$URL/v1/vips")
answered "body of 65536 bytes: parsed (400 for its JSON)" 400 '"body: ' "$c" "$o"
# the firewall's bulk list has a limit of its own
pad "$T_TMP/body8m1" $((8 * 1024 * 1024 + 1))
c=$(req "$o" -X PUT -H 'Content-Type: application/json' \
	--data-binary @"$T_TMP/body8m1" "$URL/v1/fw/r0/in")
answered "PUT /v1/fw/r0/in of 8 MiB + 1: 413" 413 \
	'"body: larger than 8388608 bytes"' "$c" "$o"
check "no VIP was added" test "$(vips)" = 0

# URL: the request target (path and query) of 4096 bytes passes, 4097 is 414
q=$(head -c $((4096 - 18)) /dev/zero | tr '\0' a)
c=$(req "$o" "$URL/v1/routes?prefix=$q")
answered "URL of 4096 bytes: answered (400 for its prefix)" 400 \
	'"prefix: ' "$c" "$o"
c=$(req "$o" "$URL/v1/routes?prefix=${q}a")
answered "URL of 4097 bytes: 414" 414 \
	'"url: longer than 4096 bytes (the path and the query string)"' "$c" "$o"
c=$(req "$o" -X DELETE "$URL/v1/vips/${q}aaaaaaaaaaaaaaaaaaaa")
answered "DELETE with a URL of 4108 bytes: 414" 414 '4096 bytes' "$c" "$o"
# a long URL on the unix socket too
c=$(curl -s -o "$o.body" --max-time 10 -w '%{http_code}' --unix-socket "$A_SOCK" \
	"http://sluiced/v1/routes?prefix=${q}a")
answered "URL of 4097 bytes over the unix socket: 414" 414 '4096 bytes' "$c" "$o"

# header: 8192 bytes with the request line, 431 beyond
h=$(head -c 9000 /dev/zero | tr '\0' a)
c=$(req "$o" -H "X-Pad: $h" "$URL/v1/status")
answered "header of 9000+ bytes: 431" 431 \
	'"request header: larger than 8192 bytes"' "$c" "$o"
h=$(head -c 7000 /dev/zero | tr '\0' a)
c=$(req "$o" -H "X-Pad: $h" "$URL/v1/status")
answered "header of 7000+ bytes: 200" 200 '"version"' "$c" "$o"

# ---- authentication ---------------------------------------------------------------
# tok OUT TOKEN PATH [CURL ARGS]: a request with the bearer token TOKEN
tok() {
	local out=$1 t=$2 p=$3
	shift 3
	in_ns "$NS_R" curl -s -o "$out.body" --max-time 5 -w '%{http_code}' \
		-H "Authorization: Bearer $t" "$@" "$URL$p"
}
c=$(in_ns "$NS_R" curl -s -o "$o.body" --max-time 5 -w '%{http_code}' "$URL/v1/status")
answered "no token: 401" 401 '"missing or wrong bearer token (api_token)"' "$c" "$o"
# same length, last character wrong; a prefix; a longer one
c=$(tok "$o" "${token%?}X" /v1/status)
answered "wrong token, same length: 401" 401 'bearer token' "$c" "$o"
c=$(tok "$o" "${token:0:10}" /v1/status)
answered "a prefix of the token: 401" 401 'bearer token' "$c" "$o"
c=$(tok "$o" "${token}x" /v1/status)
answered "the token and one more character: 401" 401 'bearer token' "$c" "$o"
c=$(in_ns "$NS_R" curl -s -o "$o.body" --max-time 5 -w '%{http_code}' \
	-H "Authorization: Basic $token" "$URL/v1/status")
answered "the token as Basic: 401" 401 'bearer token' "$c" "$o"
c=$(tok "$o" "$token" /v1/status)
answered "the token: 200" 200 '"version"' "$c" "$o"
c=$(in_ns "$NS_R" curl -s -o "$o.body" --max-time 5 -w '%{http_code}' \
	-H "Authorization: bearer $token" "$URL/v1/status")
answered "the scheme in lower case (RFC 7235): 200" 200 '"version"' "$c" "$o"
c=$(tok "$o" "$token" /metrics)
answered "the token: /metrics 200" 200 'sluice_' "$c" "$o"
c=$(in_ns "$NS_R" curl -s -o "$o.body" --max-time 5 -w '%{http_code}' "$URL/metrics")
answered "no token: /metrics 401" 401 'bearer token' "$c" "$o"
c=$(in_ns "$NS_R" curl -s -o "$o.body" --max-time 5 -w '%{http_code}' "$URL/healthz")
answered "no token: GET /healthz 200" 200 '{"status":"ok"}' "$c" "$o"
c=$(in_ns "$NS_R" curl -s -o /dev/null --max-time 5 -w '%{http_code}' -I "$URL/healthz")
check "no token: HEAD /healthz 200 ($c)" test "$c" = 200
c=$(in_ns "$NS_R" curl -s -o "$o.body" --max-time 5 -w '%{http_code}' "$URL/healthz/")
answered "no token: /healthz/ is not /healthz (401)" 401 'bearer token' "$c" "$o"
c=$(in_ns "$NS_R" curl -s -o "$o.body" --max-time 5 -w '%{http_code}' -X POST \
	-d '{"address": "198.18.100.1", "port": 80, "protocol": "tcp"}' "$URL/v1/vips")
answered "no token: POST /v1/vips 401" 401 'bearer token' "$c" "$o"
check "no VIP was added" test "$(vips)" = 0

# the unix socket: 0600, owned by the daemon's user, no token needed
mode=$(stat -c '%a %U %F' "$A_SOCK")
check "the unix socket is 0600 root socket ($mode)" test "$mode" = "600 root socket"
c=$(curl -s -o "$o.body" --max-time 5 -w '%{http_code}' --unix-socket "$A_SOCK" \
	http://sluiced/v1/status)
answered "unix socket, no token: 200" 200 '"version"' "$c" "$o"
# someone else than root cannot connect: the kernel checks the mode.  The
# test's directory is opened to others meanwhile (else its own 0700 mode
# would refuse them whatever the socket's), and the socket opened to them
# once shows the check can tell.
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		curl -s -o /dev/null --max-time 5 -w '%{http_code}' \
		--unix-socket "$A_SOCK" http://sluiced/v1/status
}
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	chmod 0711 "$T_TMP"
	c=$(as_nobody)
	check "unix socket: user nobody cannot connect ($c)" test "$c" = 000
	chmod 0666 "$A_SOCK"
	c=$(as_nobody)
	check "unix socket made 0666 by hand: user nobody can ($c)" test "$c" = 200
	chmod 0600 "$A_SOCK"
	chmod 0700 "$T_TMP"
else
	tap_fail "unix socket: no user nobody or no setpriv to try it with"
fi
# libmicrohttpd's TCP option messages about unix connections are not
# warnings: every request over the socket above made one
n=$(grep -c "TCP_NODELAY" "$T_TMP/a.log")
check "no TCP_NODELAY warning for unix-socket requests ($n lines)" test "$n" = 0
# nor the delay they would mean on TCP (a unix socket has no Nagle)
n=$(grep -c "Failed to push the data" "$T_TMP/a.log")
check "no 'Failed to push' warning for unix-socket requests ($n lines)" test "$n" = 0
check "daemon still running" kill -0 "$A_PID"
tap_done
