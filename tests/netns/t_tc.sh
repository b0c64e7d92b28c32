#!/usr/bin/env bash
# --tc-interface: a container's veth whose TX checksum offload stays ON (as
# pods' do) gets the TC program, and TCP from the container is routed by
# sluice with the kernel's forwarding off.  The same veth as an XDP
# --interface shows why (docs/veth.md): ping goes through, TCP dies of bad
# checksums.  Also: a --keep-on-exit restart swaps the program in place
# under traffic, a port can change hooks across such a restart, and a
# normal stop removes the filter.
#
#   container (c0, tx csum on) -- (r0: TC) router (r1: XDP) -- (s0) server
. "$(dirname "$0")/lib.sh"

S4=198.18.2.2
S6=2001:db8:2::2

netns_add NS_C c && netns_add NS_R r && netns_add NS_S s || die "namespaces"
veth "$NS_C" c0 02:00:00:00:01:02 "$NS_R" r0 02:00:00:00:01:01 || die "container veth"
ip -n "$NS_C" addr add 198.18.1.2/24 dev c0
ip -n "$NS_C" addr add 2001:db8:1::2/64 dev c0 nodad
ip -n "$NS_R" addr add 198.18.1.1/24 dev r0
ip -n "$NS_R" addr add 2001:db8:1::1/64 dev r0 nodad
ip -n "$NS_C" route add default via 198.18.1.1
ip -n "$NS_C" -6 route add default via 2001:db8:1::1
# Not host_if: TX checksum offload stays on (the veth default).  GRO on, so
# that the replies XDP redirects from r1 are accepted (PLATFORM.md).
ip netns exec "$NS_C" ethtool -K c0 gro on >/dev/null || die "c0 gro"
server_link "$NS_S" "$NS_R" r1 2 || die "server link"
kernel_forwarding "$NS_R" off
responder_start "$NS_S" srv || die "HTTP responder"
ip netns exec "$NS_S" iperf3 -s -D -p 5201 --logfile "$T_TMP/iperf-s.log" || die "iperf3 server"
wait_until 5 ip netns exec "$NS_S" ss -Hltn sport = :5201 || die "iperf3 not listening"

check "the container's veth has TX checksum offload on" \
	sh -c "ip netns exec '$NS_C' ethtool -k c0 | grep -qx 'tx-checksumming: on'"

# http_ok NS ADDR N: how many of N sequential HTTP requests to ADDR:8080
# succeed (2 s to connect, 3 s in all, each).
http_ok() {
	local url=$2 ok=0
	case $url in *:*) url="[$url]" ;; esac
	for _ in $(seq 1 "$3"); do
		timeout 5 ip netns exec "$1" curl -gsf --connect-timeout 2 \
			--max-time 3 -o /dev/null "http://$url:8080/" && ok=$((ok + 1))
	done
	echo "$ok"
}
# tc_filters: our ingress filter on r0 as tc prints it (empty: none).
tc_filters() { tc -n "$NS_R" filter show dev r0 ingress; }
# "... handle 0x51ce sluice_tc:[ID] direct-action ... id ID name sluice_tc ..."
tc_prog_id() { tc_filters | sed -n 's/.* handle 0x51ce .* id \([0-9]\+\) name sluice_tc .*/\1/p'; }
# more_than NAME A B: tap ok when B > A.
more_than() {
	if [ "$3" -gt "$2" ]; then tap_ok "$1 ($3 > $2)"; else tap_fail "$1" "$3, not over $2"; fi
}
# neighbours through the router's own pings (forwarding is off)
warm_router() {
	warm "$NS_R" 198.18.1.2 && warm "$NS_R" "$S4" &&
		warm "$NS_R" 2001:db8:1::2 && warm "$NS_R" "$S6"
}

# ---- TC on the container's port ---------------------------------------------
sluiced_start "$NS_R" r --tc-interface r0 --interface r1 --keep-on-exit || die "sluiced"
warm_router || die "router's neighbours"
wait_until 10 route_has r 198.18.2.0/24 || die "route not mirrored"
check "r0: mode tc in /v1/interfaces" test "$(iface_field r r0 mode)" = tc
check "r1: native XDP in /v1/interfaces" test "$(iface_field r r1 mode)" = native
sctl r iface r0 >"$T_TMP/iface.out" 2>&1
sed 's/^/# /' "$T_TMP/iface.out"
check "sluicectl iface shows r0 in mode tc" grep -Eq '^r0 +[0-9]+ +attached +tc ' "$T_TMP/iface.out"
check "r0: the TC filter is at clsact ingress" sh -c "tc -n '$NS_R' filter show dev r0 ingress | grep -q 'handle 0x51ce sluice_tc.* direct-action'"
check_fails "r0: no XDP program" xdp_on "$NS_R" r0
check "r1: XDP attached" xdp_on "$NS_R" r1

before=$(packets r r0 fwd_redirect)
ok=$(http_ok "$NS_C" "$S4" 20)
echo "# HTTP over IPv4 from the container via TC: $ok of 20"
check "20 of 20 HTTP requests (IPv4) from the container via TC" test "$ok" = 20
ok=$(http_ok "$NS_C" "$S6" 5)
check "5 of 5 HTTP requests (IPv6) from the container via TC" test "$ok" = 5
timeout 20 ip netns exec "$NS_C" iperf3 -c "$S4" -p 5201 -t 5 -J \
	>"$T_TMP/iperf.json" 2>&1
bytes=$("$T_PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(int(d["end"]["sum_received"]["bytes"]))
print("# iperf3 5 s, container -> server: %.0f Mbit/s received" %
      (d["end"]["sum_received"]["bits_per_second"] / 1e6), file=sys.stderr)' \
	"$T_TMP/iperf.json" 2>"$T_TMP/iperf.rate") || bytes=0
cat "$T_TMP/iperf.rate"
# more than nothing, and more than a stalled stream moves: full-sized GSO
# segments passed to the kernel once left 78 KB in 5 s
more_than "iperf3 5 s from the container: over 1 MiB received" $((1 << 20)) "$bytes"
after=$(packets r r0 fwd_redirect)
more_than "r0 fwd_redirect counted the container's packets" $((before + 20)) "$after"
check "kernel forwarding stayed off" test "$(ip netns exec "$NS_R" cat /proc/sys/net/ipv4/ip_forward)" = 0

# ---- --keep-on-exit restart under ping ---------------------------------------
id0=$(tc_prog_id)
ip netns exec "$NS_C" timeout 30 ping -n -q -i 0.05 -c 100 -W 1 "$S4" \
	>"$T_TMP/ping.out" 2>&1 &
ping_pid=$!
sleep 1	# pacing only: let some packets pass before the restart
t0=$(ms_now)
check "SIGTERM with --keep-on-exit: exit status 0" sluiced_stop r TERM
check "daemon down: the TC filter stays" sh -c "tc -n '$NS_R' filter show dev r0 ingress | grep -q sluice_tc"
sluiced_start "$NS_R" r --tc-interface r0 --interface r1 --keep-on-exit || die "sluiced restart"
echo "# down for $(($(ms_now) - t0)) ms (stop to API up again)"
wait_until 30 sh -c "! kill -0 $ping_pid" && wait "$ping_pid"
sent=$(sed -n 's/^\([0-9]\+\) packets transmitted.*/\1/p' "$T_TMP/ping.out")
recv=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' "$T_TMP/ping.out")
echo "# ping from the container across the restart: ${sent:-?} sent, ${recv:-?} received"
if [ "${sent:-0}" -eq 100 ] && [ "${recv:-0}" -ge 98 ]; then
	tap_ok "ping across the restart lost at most 2 of 100"
else
	tap_fail "ping across the restart lost at most 2 of 100" "$(tr '\n' ' ' <"$T_TMP/ping.out")"
fi
id1=$(tc_prog_id)
check "restarted: r0 attached and adopted" \
	test "$(iface_field r r0 state)/$(iface_field r r0 adopted)/$(iface_field r r0 mode)" = attached/True/tc
check "restarted: the new program replaced the old one in place (id $id0 -> $id1)" \
	test -n "$id0" -a -n "$id1" -a "$id0" != "$id1"
check "restarted: one filter at r0 ingress" test "$(tc_filters | grep -c 'handle 0x51ce')" = 1
check "restarted: the log says it adopted the filter" grep -q 'adopted the TC filter left attached' "$T_TMP/r.log"
ok=$(http_ok "$NS_C" "$S4" 5)
check "restarted: 5 of 5 HTTP requests from the container" test "$ok" = 5

# ---- the same veth as an XDP port: why the feature exists ---------------------
# Kept again, then started with r0 as an XDP port: the filter left behind
# goes (a port has one hook).
sluiced_stop r TERM || tap_fail "stop before the XDP run" "status $?"
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced (XDP on r0)"
warm_router || die "router's neighbours (XDP run)"
check "XDP run: r0 has XDP" xdp_on "$NS_R" r0
check "XDP run: the TC filter of the kept run is gone" test -z "$(tc_filters)"
check "XDP run: the log says so" grep -q 'removed the TC filter an earlier run left' "$T_TMP/r.log"
n=$(ping_count "$NS_C" "$S4" 5)
check "XDP run: ping from the container works ($n of 5)" test "$n" -ge 4
before=$(packets r r0 fwd_redirect)
ok=$(http_ok "$NS_C" "$S4" 3)
after=$(packets r r0 fwd_redirect)
echo "# HTTP from the container (TX checksum offload on) via XDP: $ok of 3"
check "XDP run: TCP from the container fails (bad checksums)" test "$ok" = 0
more_than "XDP run: its SYNs were forwarded all the same (r0 fwd_redirect)" "$before" "$after"
check "XDP run: normal stop, exit status 0" sluiced_stop r TERM
check_fails "XDP run stopped: no XDP on r0" xdp_on "$NS_R" r0

# ---- a normal stop removes the filter ----------------------------------------
sluiced_start "$NS_R" r --tc-interface r0 --interface r1 || die "sluiced (TC, no keep)"
warm_router || die "router's neighbours (last run)"
ok=$(http_ok "$NS_C" "$S4" 5)
check "TC again: 5 of 5 HTTP requests from the container" test "$ok" = 5
check "normal stop: exit status 0" sluiced_stop r TERM
check "normal stop: tc filter show dev r0 ingress is empty" test -z "$(tc_filters)"
check_fails "normal stop: no XDP on r1" xdp_on "$NS_R" r1
# the clsact qdisc is left alone (another tool's filters may use it)
check "normal stop: the clsact qdisc is left" sh -c "tc -n '$NS_R' qdisc show dev r0 | grep -q clsact"

# ---- a TC port dropped from the configuration across a kept restart --------
# Its filter has no pin: without the start's forget it stayed, running the
# old program on maps nobody updates, past even a full stop.
sluiced_start "$NS_R" r --tc-interface r0 --interface r1 --keep-on-exit || die "sluiced (TC, kept)"
sluiced_stop r TERM || tap_fail "kept stop" "status $?"
check "kept: r0's TC filter stays" sh -c "tc -n '$NS_R' filter show dev r0 ingress | grep -q sluice_tc"
sluiced_start "$NS_R" r --interface r1 || die "sluiced (r1 only)"
check "r1 only: r0's TC filter is gone" test -z "$(tc_filters)"
check "r1 only: the log says r0 is no longer configured" \
	grep -q "dp: r0 is no longer configured: removed its TC filter" "$T_TMP/r.log"
check "r1 only: r1 still has XDP" xdp_on "$NS_R" r1
check "r1 only: normal stop" sluiced_stop r TERM

tap_done
