#!/usr/bin/env bash
# Bad input is rejected with a message naming the field and value, and
# changes nothing: bad config files and flags stop sluiced before it touches
# the system; bad API/CLI requests leave the running daemon as it was.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

topo_basic || die "topology"
pin="/sys/fs/bpf/$T_ID-bad"
T_PINS+=("$pin")

# expect_start_error NAME NEEDLE ARGS...: sluiced refuses to start, says
# NEEDLE on stderr, pins nothing and attaches nothing.
expect_start_error() {
	local name=$1 needle=$2 out rc
	shift 2
	out=$(timeout 10 nsenter --net="/var/run/netns/$NS_R" "$SLUICED" \
		--pin-dir "$pin" --api "unix:$T_TMP/bad.sock" "$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && grep -qF -- "$needle" <<<"$out" && [ ! -e "$pin" ] &&
		! ip -d -n "$NS_R" link show r0 | grep -q prog/xdp; then
		tap_ok "$name: refused ($(head -1 <<<"$out"))"
	else
		tap_fail "$name" "rc=$rc output: $out"
	fi
}

printf '{"interfaces": ["r0"], "xdp_mode": "turbo"}' >"$T_TMP/c1.json"
expect_start_error "config: bad xdp_mode" "xdp_mode: 'turbo'" --config "$T_TMP/c1.json"
printf '{"interfaces": ["r0"],\n "colour": "blue"}' >"$T_TMP/c2.json"
expect_start_error "config: unknown field" "unknown field 'colour'" --config "$T_TMP/c2.json"
printf '{"interfaces": ["r0",\n' >"$T_TMP/c3.json"
expect_start_error "config: broken JSON" "line 2" --config "$T_TMP/c3.json"
printf '{"interfaces": ["r0"],\n "interfaces": ["r1"]}' >"$T_TMP/c4.json"
expect_start_error "config: duplicate key" "line 2 column 2: duplicate key 'interfaces'" \
	--config "$T_TMP/c4.json"
printf '{"interfaces": ["r0"], // lab\n "xdp_mode": "generic"}' >"$T_TMP/c5.json"
expect_start_error "config: comment" "line 1 column 24: comments are not allowed" \
	--config "$T_TMP/c5.json"
expect_start_error "config: missing file" "cannot open" --config "$T_TMP/none.json"
# a pin dir off bpffs: refused before anything loads (libbpf failed on the
# first map, naming neither the pin dir nor bpffs); --check-config too
printf '{"interfaces": ["r0"], "pin_dir": "%s/notbpf"}' "$T_TMP" >"$T_TMP/c6.json"
out=$(timeout 10 nsenter --net="/var/run/netns/$NS_R" "$SLUICED" --config "$T_TMP/c6.json" \
	--api "unix:$T_TMP/bad.sock" 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -qF "pin_dir: '$T_TMP/notbpf' is not on a BPF file system (bpffs)" <<<"$out" &&
	[ ! -e "$T_TMP/notbpf" ] && ! ip -d -n "$NS_R" link show r0 | grep -q prog/xdp; then
	tap_ok "config: a pin_dir off bpffs: refused, named, nothing made"
else
	tap_fail "config: a pin_dir off bpffs" "rc=$rc output: $out"
fi
check_fails "--check-config refuses that pin_dir too" "$SLUICED" --check-config --config "$T_TMP/c6.json"
expect_start_error "flag: bad interface name" "invalid interface name 'a/b'" --interface a/b
expect_start_error "flag: no interfaces" "interfaces: none given"
expect_start_error "flag: tcp api without token" "needs api_token" \
	--interface r0 --api tcp:198.18.1.1:9180
expect_start_error "flag: bad port" "port '70000'" --interface r0 --api tcp:198.18.1.1:70000
expect_start_error "flag: unexpected argument" "unexpected argument 'r0'" --interface r1 r0
# --api unix:PATH replaces only a stale socket; anything else at PATH is
# someone's and stays, and sluiced does not start.
printf 'keep me\n' >"$T_TMP/file.sock"
expect_start_error "api: regular file at the socket path" \
	"'$T_TMP/file.sock' is a regular file, not a socket" \
	--interface r0 --api "unix:$T_TMP/file.sock"
check "api: the regular file is still there" grep -qx "keep me" "$T_TMP/file.sock"
check "api: the listener opened before it was removed" test ! -e "$T_TMP/bad.sock"
mkdir "$T_TMP/dir.sock"
expect_start_error "api: directory at the socket path" \
	"'$T_TMP/dir.sock' is a directory" --interface r0 --api "unix:$T_TMP/dir.sock"
ln -s "$T_TMP/file.sock" "$T_TMP/link.sock"
expect_start_error "api: symlink at the socket path" \
	"'$T_TMP/link.sock' is a symbolic link" --interface r0 --api "unix:$T_TMP/link.sock"
check "api: the symlink and its target are still there" \
	sh -c "test -L '$T_TMP/link.sock' && grep -qx 'keep me' '$T_TMP/file.sock'"

expect_start_error "flag: the same api twice" "'unix:$T_TMP/bad.sock' is listed twice" \
	--interface r0 --api "unix:$T_TMP/bad.sock"

check "--check-config accepts the shipped example" \
	"$SLUICED" --check-config --config "$ROOT/deploy/systemd/sluiced.json"

# sluicectl with no daemon: exit 2 and says so.
out=$("$SLUICECTL" --api "unix:$T_TMP/nobody.sock" status 2>&1)
rc=$?
if [ $rc -eq 2 ] && grep -q "cannot reach sluiced" <<<"$out"; then
	tap_ok "sluicectl: daemon down -> exit 2 ($out)"
else
	tap_fail "sluicectl: daemon down -> exit 2" "rc=$rc out=$out"
fi

# A running daemon with a TCP API too.
token="sluice-test-token-0123456789"
sluiced_start "$NS_R" r --interface r0 --interface r1 \
	--api tcp:198.18.1.1:9180 --api-token "$token" ||
	die "sluiced"
wait_until 10 route_has r 198.18.2.0/24 || die "routes not mirrored"
before=$(api r /v1/status | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["routes_v4"], d["interfaces"], d["route_errors"])')

code() { in_ns "$NS_R" curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "tcp api: no token -> 401" test "$(code http://198.18.1.1:9180/v1/status)" = 401
check "tcp api: wrong token -> 401" test "$(code -H 'Authorization: Bearer wrong-token-0123456789' http://198.18.1.1:9180/v1/status)" = 401
check "tcp api: right token -> 200" test "$(code -H "Authorization: Bearer $token" http://198.18.1.1:9180/v1/status)" = 200
# raw_status TARGET REQUEST: sends REQUEST (printf escapes: \0 is a NUL)
# to tcp HOST:PORT or a unix socket path as is, prints the answer's status
# code and body on one line (5 s at most).
raw_status() {
	in_ns "$NS_R" timeout 10 "$T_PY" -c '
import socket, sys
target, req = sys.argv[1], sys.argv[2].encode().decode("unicode_escape").encode("latin-1")
if target.startswith("/"):
    s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(target)
else:
    h, p = target.rsplit(":", 1); s = socket.create_connection((h, int(p)), 5)
s.sendall(req)
d = b""
while True:
    x = s.recv(4096)
    if not x:
        break
    d += x
head, _, body = d.partition(b"\r\n\r\n")
print(head.split(b" ")[1].decode(), body.decode())' "$1" "$2"
}
# A NUL byte, which libmicrohttpd would cut the header or URL at (and %00,
# which it decodes into one): refused before MHD sees the request.
tcp=198.18.1.1:9180
auth="Authorization: Bearer $token"
out=$(raw_status $tcp "GET /v1/status HTTP/1.1\r\nHost: x\r\n$auth\\0\r\n\r\n")
check "tcp api: token followed by a NUL -> 401 ($out)" grep -q "^401 .*NUL byte in the bearer token" <<<"$out"
out=$(raw_status $tcp "GET /v1/status HTTP/1.1\r\nHost: x\r\n$auth\\0junk\r\n\r\n")
check "tcp api: token, NUL, more -> 401" grep -q "^401 " <<<"$out"
out=$(raw_status $tcp "GET /v1/status HTTP/1.1\r\nHost: x\r\n$auth\r\n\r\n")
check "tcp api: the same token without the NUL -> 200" grep -q "^200 " <<<"$out"
out=$(raw_status $tcp "GET /v1/status\\0junk HTTP/1.1\r\nHost: x\r\n$auth\r\n\r\n")
check "tcp api: NUL in the request line -> 400 ($out)" grep -q "^400 .*request line: a NUL byte" <<<"$out"
tcode() { in_ns "$NS_R" curl -s -o "$T_TMP/tcode.out" -w '%{http_code}' -H "$auth" "http://$tcp$1"; }
check "tcp api: %00 in the path -> 400" test "$(tcode '/v1/status%00junk')" = 400
check "tcp api: %00 in the path: says so" grep -q "url: the path has %00" "$T_TMP/tcode.out"
check "tcp api: %00 in a query value -> 400" test "$(tcode '/v1/stats?dev=r0%00x')" = 400
check "tcp api: %00 in a query value: names it" grep -q "query parameter 'dev' has %00" "$T_TMP/tcode.out"
# shellcheck disable=SC2154 # SOCK_r is set by sluiced_start
out=$(raw_status "$SOCK_r" "GET /v1/routes?prefix=198.18.2.0/24%00 HTTP/1.1\r\nHost: x\r\n\r\n")
check "unix api: %00 in a query value -> 400 ($out)" grep -q "^400 .*'prefix' has %00" <<<"$out"

check "sluicectl over tcp with --token" in_ns "$NS_R" "$SLUICECTL" \
	--api tcp:198.18.1.1:9180 --token "$token" route
out=$(in_ns "$NS_R" "$SLUICECTL" --api tcp:198.18.1.1:9180 status 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -qi "token" <<<"$out"; then
	tap_ok "sluicectl over tcp without a token: says so ($out)"
else
	tap_fail "sluicectl over tcp without a token" "rc=$rc out=$out"
fi

# Bad API requests: 4xx with the parameter named.
body() { curl -s --unix-socket "$SOCK_r" "http://sluiced$1" -X "${2:-GET}"; }
ucode() { curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK_r" "http://sluiced$1" -X "${2:-GET}"; }
check "api: bad prefix -> 400" test "$(ucode '/v1/routes?prefix=198.18.0.0/33')" = 400
check "api: bad prefix names it" grep -q "prefix: '198.18.0.0/33'" <<<"$(body '/v1/routes?prefix=198.18.0.0/33')"
check "api: bad family -> 400" test "$(ucode '/v1/routes?family=5')" = 400
check "api: unknown resource -> 404" test "$(ucode /v1/nothing)" = 404
check "api: unknown dev -> 404" test "$(ucode '/v1/stats?dev=eth9')" = 404
check "api: DELETE -> 405" test "$(ucode /v1/routes DELETE)" = 405
check "api: POST -> 405" test "$(ucode /v1/status POST)" = 405

# Bodies are strict JSON, and addresses are what they look like: refused
# with 400 and the place named, and no VIP is created.
# post_refused NAME PATH BODY NEEDLE: POST answered 400 with NEEDLE.
post_refused() {
	local out code
	out=$(curl -s -w '\n%{http_code}' --unix-socket "$SOCK_r" -X POST \
		-H 'Content-Type: application/json' --data-binary "$3" "http://sluiced$2")
	code=${out##*$'\n'}
	if [ "$code" = 400 ] && grep -qF -- "$4" <<<"$out"; then
		tap_ok "api: $1 -> 400 (${out%$'\n'*})"
	else
		tap_fail "api: $1 -> 400 naming it" "got $out"
	fi
}
# the VIPs as configured: the flow count's age (flows_age_ms) moves on
# by itself, so it is left out of the comparison
vips_now() { sctl r vip show -j | sed 's/"flows_age_ms": *[0-9]*,\{0,1\}//g'; }
vips_before=$(vips_now)
V='"address": "198.18.100.1", "port": 80, "protocol": "tcp"'
post_refused "body with a trailing comma" /v1/vips "{$V,}" "trailing comma before '}'"
post_refused "body with a comment" /v1/vips "{$V /* web */}" "comments are not allowed"
post_refused "body with a duplicate key" /v1/vips \
	"{$V,"$'\n'" \"port\": 8080}" "line 2 column 2: duplicate key 'port'"
post_refused "duplicate key in a backend" /v1/vips \
	"{$V, \"backends\": [{\"address\": \"198.18.2.2\", \"weight\": 1, \"weight\": 2}]}" \
	"duplicate key 'weight'"
post_refused "IPv4-mapped VIP address" /v1/vips \
	'{"address": "::ffff:198.18.100.1", "port": 80, "protocol": "tcp"}' \
	"address: '::ffff:198.18.100.1' is IPv4-mapped"
post_refused "IPv4-mapped backend address" /v1/vips \
	"{$V, \"backends\": [{\"address\": \"::ffff:198.18.2.2\"}]}" \
	"backends[0].address: '::ffff:198.18.2.2' is IPv4-mapped"
same_vips() { [ -n "$vips_before" ] && [ "$(vips_now)" = "$vips_before" ]; }
check "api: no VIP was created by the refused bodies" same_vips

# sluicectl bad input: exit 1, argument named.
out=$(sctl r route show 198.18.0.0/33 2>&1)
rc=$?
if [ $rc -eq 1 ] && grep -q "198.18.0.0/33" <<<"$out"; then
	tap_ok "sluicectl: bad prefix -> exit 1 ($out)"
else
	tap_fail "sluicectl: bad prefix -> exit 1" "rc=$rc out=$out"
fi
check_fails "sluicectl: unknown noun" sctl r frobnicate
check_fails "sluicectl: unknown dev" sctl r stats dev eth9

# A second daemon on the first one's live socket is refused; the first
# keeps its socket (same inode) and keeps serving.
ino=$(stat -c %i "$SOCK_r")
out=$(timeout 10 nsenter --net="/var/run/netns/$NS_R" "$SLUICED" --pin-dir "$pin" \
	--api "unix:$SOCK_r" --interface r1 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -qF "'$SOCK_r': another process is listening" <<<"$out" &&
	[ ! -e "$pin" ]; then
	tap_ok "api: another daemon's live socket: refused ($(tail -1 <<<"$out"))"
else
	tap_fail "api: another daemon's live socket: refused" "rc=$rc output: $out"
fi
check "api: the first daemon's socket is untouched" test "$(stat -c %i "$SOCK_r")" = "$ino"
check "api: the first daemon still answers on it" api r /v1/status

after=$(api r /v1/status | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["routes_v4"], d["interfaces"], d["route_errors"])')
check "running state unchanged by the bad requests ($before)" test "$before" = "$after"
check "daemon still serving" sctl r status

# A second daemon on an interface already driven by the first is refused
# for that interface (XDP busy) and says why; the first keeps forwarding.
warm "$NS_C" 198.18.2.2 || die "warm-up"
kernel_forwarding "$NS_R" off
sluiced_start "$NS_R" r2 --interface r0 || die "second sluiced"
check "second daemon reports r0 in error" iface_state_is r2 r0 error
check "first daemon still forwards" ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 1 198.18.2.2

# A stale socket (nobody listening, as a crashed run leaves it) is replaced.
"$T_PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' "$T_TMP/stale.sock"
check "api: a stale socket is there" test -S "$T_TMP/stale.sock"
sluiced_start "$NS_R" stale --interface r1 || die "sluiced on a stale socket"
check "api: the stale socket was replaced" grep -qF "replaced the stale socket '$T_TMP/stale.sock'" "$T_TMP/stale.log"
# On exit the daemon removes its socket, but only if the path still is it.
sluiced_stop r2
check "api: its socket is removed on exit" test ! -e "$T_TMP/r2.sock"
mv "$T_TMP/stale.sock" "$T_TMP/stale-moved.sock"
printf 'new\n' >"$T_TMP/stale.sock"
sluiced_stop stale
check "api: on exit a file that replaced the socket stays" grep -qx new "$T_TMP/stale.sock"
tap_done
