#!/usr/bin/env bash
# Transit steering with real traffic: client (198.18.1.2, 2001:db8:1::2)
# -- r0 router r1 -- server (198.18.2.2, 2001:db8:2::2), sluiced routing
# on the router with the kernel's forwarding off (only XDP forwards).
# A transit selector on r0 and tests/tools/steer_rx --sink (an AF_XDP
# socket on r0 queue 0, registered through the pins, answering nothing)
# stand for a user-space router (issue #10's sluice-vrouter):
#   - ping from the client to the server, v4 and v6, reaches the socket
#     (its count grows), unmodified, and is NOT forwarded: no reply, the
#     server's kernel sees no echo request;
#   - ping to the router's own addresses is still answered by the kernel;
#   - the receiver gone, the same pings are forwarded by XDP again and
#     no_socket counts them;
#   - bad input refused naming the field, a second transit selector on r0
#     refused (409) naming the first, nothing changed;
#   - the selector survives a sluiced restart (steer.json) and steers
#     again.
. "$(dirname "$0")/lib.sh"

STEER_RX="$(dirname "$SLUICED")/tests/tools/steer_rx"
[ -x "$STEER_RX" ] || die "no $STEER_RX (make all)"

topo_basic || die "topology"
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced"
check "v4 ping through the kernel" warm "$NS_C" 198.18.2.2
check "v6 ping through the kernel" warm "$NS_C" 2001:db8:2::2
wait_until 5 route_has r 198.18.2.0/24 || tap_fail "route mirrored" "198.18.2.0/24 missing"
kernel_forwarding "$NS_R" off

# pings N ADDR: N echo requests (0.2 s apart, 1 s for the last answer);
# succeeds when every one is answered.
pings() {
	local six=""
	case $2 in *:*) six=-6 ;; esac
	ip netns exec "$NS_C" ping $six -c "$1" -i 0.2 -W 1 "$2"
}
# echoes_in: echo requests the server's kernel received, v4 + v6.
echoes_in() {
	local v4 v6
	v4=$(ip netns exec "$NS_S" awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "InEchos") c = i; h = 1 } else print $c }' /proc/net/snmp) || return 1
	v6=$(ip netns exec "$NS_S" awk '$1 == "Icmp6InEchos" { print $2 }' /proc/net/snmp6) || return 1
	echo $((v4 + v6))
}
steer_json() { sctl r steer show -j; }
# steer_eval PYEXPR: on `steer show -j` as d
steer_eval() {
	local doc
	doc=$(steer_json) || return 1
	"$T_PY" -c 'import json, sys; d = json.loads(sys.argv[1]); sys.exit(not eval(sys.argv[2]))' "$doc" "$1"
}
# counters_are ID MATCHED REDIRECTED NO_SOCKET
counters_are() {
	steer_eval "[s['counters'] for s in d['selectors'] if s['id'] == $1] == [{'matched': $2, 'redirected': $3, 'no_socket': $4}]" ||
		{ echo "# $(steer_json)"; return 1; }
}
fwd_packets() { packets r r0 fwd_redirect; }
rx_registered() { grep -q '^registered' "$T_TMP/rx.log"; }
rx_done() { ! kill -0 "$RX_PID" 2>/dev/null; }
# sink_start COUNT: the receiver on r0 queue 0, until COUNT frames
sink_start() {
	: >"$T_TMP/rx.log"
	in_ns "$NS_R" "$STEER_RX" --pin-dir "$PIN_r" --dev r0 \
		--queue 0 --count "$1" --timeout 30 --sink >"$T_TMP/rx.log" 2>&1 &
	RX_PID=$!
	T_PIDS+=("$RX_PID")
	wait_until 10 rx_registered
}

before=$(fwd_packets)
check "v4 ping forwarded by XDP (kernel forwarding off)" pings 3 198.18.2.2
after=$(fwd_packets)
# the requests come in by r0, the replies by r1
[ $((after - before)) -ge 3 ] && tap_ok "r0 fwd_redirect counted the pings" ||
	tap_fail "r0 fwd_redirect counted the pings" "before=$before after=$after"

# ---- the selector and its receiver ------------------------------------------------------
check "steer add --transit --iface r0 --queue 0" sctl r steer add --transit --iface r0 --queue 0
ID=$(steer_json | "$T_PY" -c 'import json, sys; print(json.load(sys.stdin)["selectors"][0]["id"])')
check "steer show: kind transit on r0, active, counters zero" steer_eval \
	"[(s['kind'], s['transit'], s['iface'], s['queue'], s['active']) for s in d['selectors']] == [('transit', True, 'r0', 0, True)] and d['flags'] & 0x10"
show_text() {
	local out
	out=$(sctl r steer show) || return 1
	grep -Eq "^ *$ID +r0 +transit +0 " <<<"$out" || { echo "$out"; return 1; }
}
check "steer show (text): MATCH transit" show_text
if sink_start 6; then
	tap_ok "steer_rx --sink registered its socket on r0 queue 0"
else
	tap_fail "steer_rx --sink registered its socket on r0 queue 0" "$(cat "$T_TMP/rx.log")"
fi
echoes=$(echoes_in)
steered=$(packets r r0 fwd_steer_xsk)
check_fails "v4 ping to the server: steered, no reply" pings 3 198.18.2.2
check_fails "v6 ping to the server: steered, no reply" pings 3 2001:db8:2::2
check "ping to the router's own address: the kernel answers" pings 2 198.18.1.1
check "ping to the router's far address: the kernel answers" pings 2 198.18.2.1
check "v6 ping to the router's own address: the kernel answers" pings 2 2001:db8:1::1
if wait_until 10 rx_done && grep -q '^received 6' "$T_TMP/rx.log"; then
	tap_ok "steer_rx received the 6 echo requests and left, deleting its key"
else
	tap_fail "steer_rx received the 6 echo requests and left" "$(cat "$T_TMP/rx.log")"
fi
v4_frames() { [ "$(grep -c '^frame 98 0800 1$' "$T_TMP/rx.log")" = 3 ]; }
v6_frames() { [ "$(grep -c '^frame 118 86dd 58$' "$T_TMP/rx.log")" = 3 ]; }
check "the socket got the 3 v4 echo requests whole (98 bytes, ICMP)" v4_frames
check "the socket got the 3 v6 echo requests whole (118 bytes, ICMPv6)" v6_frames
check "the server's kernel saw none of them" test "$(echoes_in)" = "$echoes"
check "fwd_steer_xsk counted 6 on r0" test "$(packets r r0 fwd_steer_xsk)" = $((steered + 6))
check "counters: matched 6, redirected 6, no_socket 0" counters_are "$ID" 6 6 0

# ---- the receiver gone: XDP forwards again --------------------------------------------------
check "no socket: r0 lists no queue" steer_eval \
	'[s["queues"] for s in d["sockets"] if s["iface"] == "r0"] == [[]]'
before=$(fwd_packets)
echoes=$(echoes_in)
check "v4 ping to the server forwarded again" pings 3 198.18.2.2
check "v6 ping to the server forwarded again" pings 3 2001:db8:2::2
after=$(fwd_packets)
[ $((after - before)) -ge 6 ] && tap_ok "by XDP: r0 fwd_redirect counted them" ||
	tap_fail "by XDP: r0 fwd_redirect counted them" "before=$before after=$after"
check "the server's kernel saw the 6" test "$(echoes_in)" = $((echoes + 6))
check "counters: matched 12, redirected 6, no_socket 6" counters_are "$ID" 12 6 6

# ---- bad input ------------------------------------------------------------------------------
BEFORE=$(steer_json | "$T_PY" -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["selectors"]))')
bad_api() { # NEEDLE STATUS BODY: the API refuses with STATUS, naming NEEDLE
	local out code
	code=$(curl -s -o "$T_TMP/api.out" -w '%{http_code}' --unix-socket "$SOCK_r" \
		-X POST -d "$3" http://sluiced/v1/steer) || return 1
	out=$(cat "$T_TMP/api.out")
	[ "$code" = "$2" ] || { echo "# status $code, want $2: $out"; return 1; }
	case "$out" in *"$1"*) return 0 ;; esac
	echo "# '$out' lacks '$1'"
	return 1
}
bad_cli() { # NEEDLE ARGS...: sluicectl refuses, naming NEEDLE
	local needle=$1 out
	shift
	out=$(sctl r steer "$@" 2>&1) && { echo "# taken: $*"; return 1; }
	case "$out" in *"$needle"*) return 0 ;; esac
	echo "# '$out' lacks '$needle'"
	return 1
}
check "api: a second transit selector on r0 refused (409), naming it" \
	bad_api "overlaps selector $ID" 409 '{"transit":true,"iface":"r0","queue":1}'
check "api: transit false refused, named" bad_api "transit: false is not true" 400 '{"transit":false}'
check "api: transit with dport refused, named" bad_api "dport: not with transit" 400 '{"transit":true,"dport":53}'
check "api: transit with dst refused, named" bad_api "dst: not with transit" 400 '{"transit":true,"dst":"198.18.2.0/24"}'
check "cli: transit with --proto refused by sluiced, named" bad_cli "proto: not with transit" \
	add --transit --proto udp --dport 53
check "cli: --transit on an unknown interface refused, named" \
	bad_cli "iface: 'nope0' is not an interface sluiced manages" add --transit --iface nope0
AFTER=$(steer_json | "$T_PY" -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["selectors"]))')
check "nothing changed by the refusals" test "$BEFORE" = "$AFTER"

# ---- a restart -----------------------------------------------------------------------------
sluiced_stop r || true
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced restart"
check "after a restart: the transit selector back from steer.json, id kept" steer_eval \
	"[(s['id'], s['kind'], s['iface'], s['active']) for s in d['selectors']] == [($ID, 'transit', 'r0', True)]"
if sink_start 2; then
	tap_ok "steer_rx --sink registered again"
else
	tap_fail "steer_rx --sink registered again" "$(cat "$T_TMP/rx.log")"
fi
check_fails "after a restart: v4 ping steered again, no reply" pings 2 198.18.2.2
if wait_until 10 rx_done && grep -q '^received 2' "$T_TMP/rx.log"; then
	tap_ok "steer_rx received the 2 echo requests"
else
	tap_fail "steer_rx received the 2 echo requests" "$(cat "$T_TMP/rx.log")"
fi
check "after a full stop: counters from zero, 2 redirected" counters_are "$ID" 2 2 0
check "steer del $ID" sctl r steer del "$ID"
check "no selectors left, steering off (flags 0)" steer_eval \
	'd["selectors"] == [] and d["flags"] == 0'
check "v4 ping forwarded after the delete" pings 2 198.18.2.2
tap_done
