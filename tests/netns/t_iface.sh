#!/usr/bin/env bash
# Interfaces that come and go: a managed port that disappears is reported
# absent (the rest keeps working) and is re-attached when it returns with a
# new ifindex; a port named at start that does not exist yet is attached
# when it appears.  Kernel forwarding off throughout, so only XDP forwards.
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
responder_start "$NS_S" A || die "responder on the server"
# A static route through r1 as well: the kernel drops it with the link and
# does not bring it back with it.
own_addr "$NS_S" 198.18.100.1/32 2001:db8:100::1/128 || die "address on the server"
ip -n "$NS_R" route add 198.18.100.0/24 via 198.18.2.2 dev r1 || die "v4 static route"
ip -n "$NS_R" -6 route add 2001:db8:100::/64 via 2001:db8:2::2 dev r1 || die "v6 static route"
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced"
for a in 198.18.2.2 2001:db8:2::2; do
	warm "$NS_C" "$a" || die "warm-up ping to $a"
done
wait_until 10 route_has r 198.18.2.0/24 || die "route not mirrored"
wait_until 10 route_has r 2001:db8:100::/64 || die "v6 static route not mirrored"
kernel_forwarding "$NS_R" off
check "before: v4 ping via XDP" ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2
check "before: v4 ping via XDP over the static route" ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.100.1
old_ifindex=$(iface_field r r1 ifindex)

# ---- r1 disappears --------------------------------------------------------------
ip -n "$NS_R" link del r1 || die "link del r1"
check "r1 deleted: /v1/interfaces shows it absent" wait_until 10 iface_state_is r r1 absent
check "r1 deleted: the log says it disappeared" \
	grep -q "iface r1: disappeared (ifindex $old_ifindex)" "$T_TMP/r.log"
# (The kernel announces IPv6 route removals with the link; IPv4 ones it
# flushes silently: the daemon has to drop them itself.)
for pfx in 198.18.2.0/24 198.18.100.0/24 2001:db8:2::/64 2001:db8:100::/64; do
	check "r1 deleted: route $pfx through it is gone from /v1/routes" \
		wait_until 5 route_gone r "$pfx"
done
check "r1 deleted: r0 still attached" iface_state_is r r0 attached
check "r1 deleted: XDP still on r0" xdp_on "$NS_R" r0
check "r1 deleted: /v1/status answers, one interface attached" \
	test "$(status_field r interfaces)" = 1
lo0=$(packets r r0 pass_local)
check "r1 deleted: the client still reaches the router through r0" \
	ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 1 198.18.1.1
lo1=$(packets r r0 pass_local)
if [ $((lo1 - lo0)) -ge 3 ]; then
	tap_ok "r1 deleted: r0's XDP still counts (pass_local +$((lo1 - lo0)))"
else
	tap_fail "r1 deleted: r0's XDP still counts" "pass_local $lo0 -> $lo1"
fi

# ---- r1 returns: same names, MACs, addresses, routes ----------------------------
veth "$NS_S" s0 02:00:00:00:02:02 "$NS_R" r1 02:00:00:00:02:01 || die "re-create veth"
ip -n "$NS_R" addr add 198.18.2.1/24 dev r1
ip -n "$NS_R" addr add 2001:db8:2::1/64 dev r1 nodad
ip -n "$NS_S" addr add 198.18.2.2/24 dev s0
ip -n "$NS_S" addr add 2001:db8:2::2/64 dev s0 nodad
ip -n "$NS_S" route add default via 198.18.2.1
ip -n "$NS_S" -6 route add default via 2001:db8:2::1
host_if "$NS_S" s0
check "r1 back: /v1/interfaces shows it attached" wait_until 10 iface_state_is r r1 attached
new_ifindex=$(iface_field r r1 ifindex)
if [ -n "$new_ifindex" ] && [ "$new_ifindex" != "$old_ifindex" ] &&
	[ "$new_ifindex" = "$(ip netns exec "$NS_R" cat /sys/class/net/r1/ifindex)" ]; then
	tap_ok "r1 back: new ifindex $new_ifindex (was $old_ifindex) reported"
else
	tap_fail "r1 back: new ifindex reported" "api '$new_ifindex', old '$old_ifindex'"
fi
check "r1 back: XDP attached (ip link)" xdp_on "$NS_R" r1
check "r1 back: the log says it came back" grep -q "iface r1: came back, re-attached" "$T_TMP/r.log"
check "r1 back: connected route mirrored again" wait_until 10 route_vias_are r 198.18.2.0/24 "@r1"
# The router resolves its new neighbours itself (forwarding is off, so a
# passed packet would not make the kernel resolve them).
check "r1 back: router reaches the server (v4)" warm "$NS_R" 198.18.2.2
check "r1 back: router reaches the server (v6)" warm "$NS_R" 2001:db8:2::2
# The kernel did not restore the static routes: nor may the data path.
for pfx in 198.18.100.0/24 2001:db8:100::/64; do
	check "r1 back: static route $pfx (not restored by the kernel) not in /v1/routes" \
		route_gone r "$pfx"
done
nr0=$(packets r r0 pass_no_route)
check_fails "r1 back: no v4 forwarding over the vanished static route" \
	ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.100.1
nr1=$(packets r r0 pass_no_route)
if [ $((nr1 - nr0)) -ge 2 ]; then
	tap_ok "r1 back: traffic to it passed to the kernel (pass_no_route +$((nr1 - nr0)))"
else
	tap_fail "r1 back: traffic to it passed to the kernel" "pass_no_route $nr0 -> $nr1"
fi
fwd0=$(packets r r1 fwd_redirect)
check "r1 back: v4 ping via XDP" ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 1 198.18.2.2
check "r1 back: v6 ping via XDP" ip netns exec "$NS_C" ping -6 -c 3 -i 0.2 -W 1 2001:db8:2::2
check "r1 back: v4 TCP via XDP" test "$(who "$NS_C" 198.18.2.2)" = A
check "r1 back: v6 TCP via XDP" test "$(who "$NS_C" 2001:db8:2::2)" = A
fwd1=$(packets r r1 fwd_redirect)
if [ $((fwd1 - fwd0)) -ge 6 ]; then
	tap_ok "r1 back: replies forwarded by XDP on the new r1 (fwd_redirect +$((fwd1 - fwd0)))"
else
	tap_fail "r1 back: replies forwarded by XDP on the new r1" "fwd_redirect $fwd0 -> $fwd1"
fi

# ---- an interface that does not exist yet at start ------------------------------
sluiced_stop r || tap_fail "stopping the first daemon"
sluiced_start "$NS_R" q --interface r0 --interface r1 --interface r2 || die "sluiced with r2 missing"
check "r2 missing at start: daemon up, r2 absent" iface_state_is q r2 absent
check "r2 missing at start: r0 and r1 attached" test "$(status_field q interfaces)" = 2
check "r2 missing at start: the log says it will attach later" \
	grep -q "iface r2: not present" "$T_TMP/q.log"
add_server NS_B b "$NS_R" r2 3 || die "server B on r2"
responder_start "$NS_B" B || die "responder on B"
check "r2 appears: attached" wait_until 10 iface_state_is q r2 attached
check "r2 appears: XDP attached (ip link)" xdp_on "$NS_R" r2
check "r2 appears: ifindex reported" \
	test "$(iface_field q r2 ifindex)" = "$(ip netns exec "$NS_R" cat /sys/class/net/r2/ifindex)"
check "r2 appears: its route mirrored" wait_until 10 route_vias_are q 198.18.3.0/24 "@r2"
check "r2 appears: router reaches B (v4)" warm "$NS_R" 198.18.3.2
check "r2 appears: router reaches B (v6)" warm "$NS_R" 2001:db8:3::2
fwd0=$(packets q r2 fwd_redirect)
check "r2 appears: v4 ping via XDP" ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 1 198.18.3.2
check "r2 appears: v6 TCP via XDP" test "$(who "$NS_C" 2001:db8:3::2)" = B
fwd1=$(packets q r2 fwd_redirect)
if [ $((fwd1 - fwd0)) -ge 3 ]; then
	tap_ok "r2 appears: replies forwarded by XDP on r2 (fwd_redirect +$((fwd1 - fwd0)))"
else
	tap_fail "r2 appears: replies forwarded by XDP on r2" "fwd_redirect $fwd0 -> $fwd1"
fi
check "r1 still forwards alongside" test "$(who "$NS_C" 198.18.2.2)" = A

[ "$(ip netns exec "$NS_R" cat /proc/sys/net/ipv4/ip_forward)" = 0 ] &&
	tap_ok "kernel forwarding stayed off" || tap_fail "kernel forwarding stayed off"

tap_done
