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
expect_start_error "config: missing file" "cannot open" --config "$T_TMP/none.json"
expect_start_error "flag: bad interface name" "invalid interface name 'a/b'" --interface a/b
expect_start_error "flag: no interfaces" "interfaces: none given"
expect_start_error "flag: tcp api without token" "needs api_token" \
	--interface r0 --api tcp:198.18.1.1:9180
expect_start_error "flag: bad port" "port '70000'" --interface r0 --api tcp:198.18.1.1:70000
expect_start_error "flag: unexpected argument" "unexpected argument 'r0'" --interface r1 r0
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
	--api "unix:$T_TMP/r.sock" --api tcp:198.18.1.1:9180 --api-token "$token" ||
	die "sluiced"
wait_until 10 route_has r 198.18.2.0/24 || die "routes not mirrored"
before=$(api r /v1/status | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["routes_v4"], d["interfaces"], d["route_errors"])')

code() { in_ns "$NS_R" curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "tcp api: no token -> 401" test "$(code http://198.18.1.1:9180/v1/status)" = 401
check "tcp api: wrong token -> 401" test "$(code -H 'Authorization: Bearer wrong-token-0123456789' http://198.18.1.1:9180/v1/status)" = 401
check "tcp api: right token -> 200" test "$(code -H "Authorization: Bearer $token" http://198.18.1.1:9180/v1/status)" = 200
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
tap_done
