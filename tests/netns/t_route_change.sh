#!/usr/bin/env bash
# A route that moves between two next hops is followed by the data path:
# two servers behind the router (A on r1, B on r2) own the same service
# address; `ip route replace` moves it from A to B and the answers follow,
# with the kernel's forwarding off so only XDP can carry them.  A deleted
# route hands the traffic to the kernel (pass_no_route), which drops it.
. "$(dirname "$0")/lib.sh"

V4=198.18.100.1
V6=2001:db8:100::1

topo_basic || die "topology"				# c --r0 [r] r1-- A (198.18.2.2)
add_server NS_B b "$NS_R" r2 3 || die "server B"	# [r] r2-- B (198.18.3.2)
NS_A=$NS_S
own_addr "$NS_A" "$V4/32" "$V6/128" || die "service address on A"
own_addr "$NS_B" "$V4/32" "$V6/128" || die "service address on B"
responder_start "$NS_A" A || die "responder A"
responder_start "$NS_B" B || die "responder B"
ip -n "$NS_R" route add "$V4/32" via 198.18.2.2 dev r1 || die "v4 route"
ip -n "$NS_R" -6 route add "$V6/128" via 2001:db8:2::2 dev r1 || die "v6 route"

sluiced_start "$NS_R" r --interface r0 --interface r1 --interface r2 || die "sluiced"

# Neighbours (client and both servers) through the kernel, then the kernel out.
for a in 198.18.2.2 2001:db8:2::2 198.18.3.2 2001:db8:3::2; do
	warm "$NS_C" "$a" || die "warm-up ping to $a"
done
wait_until 10 route_vias_are r "$V4/32" "198.18.2.2@r1" || die "v4 route not mirrored"
wait_until 10 route_vias_are r "$V6/128" "2001:db8:2::2@r1" || die "v6 route not mirrored"
kernel_forwarding "$NS_R" off

# expect_who NAME ADDR WANT: the service at ADDR is answered by WANT.
expect_who() {
	local got
	got=$(who "$NS_C" "$2")
	if [ "$got" = "$3" ]; then
		tap_ok "$1"
	else
		tap_fail "$1" "expected an answer from $3, got '${got:-nothing}'"
	fi
}

# moved NAME PREFIX NEWVIAS CMD...: runs CMD (a route change) and polls the
# API without pausing until PREFIX shows NEWVIAS; reports the latency.
moved() {
	local name=$1 prefix=$2 want=$3 out
	shift 3
	if out=$(timed_route_change r "$prefix" "$want" "$@"); then
		echo "# route change latency ($prefix -> $want): $out ms (ip(8) run to the first API answer showing it)"
		tap_ok "$name"
	else
		tap_fail "$name" "$out"
	fi
}

fwd0=$(packets r r0 fwd_redirect)
expect_who "v4: answered by A via XDP" "$V4" A
expect_who "v6: answered by A via XDP" "$V6" A
fwd1=$(packets r r0 fwd_redirect)
if [ $((fwd1 - fwd0)) -ge 6 ]; then
	tap_ok "r0 fwd_redirect counted the requests ($((fwd1 - fwd0)))"
else
	tap_fail "r0 fwd_redirect counted the requests" "before=$fwd0 after=$fwd1"
fi

# ---- replace: A -> B -----------------------------------------------------------
moved "v4 replace: /v1/routes shows B" "$V4/32" "198.18.3.2@r2" \
	ip -n "$NS_R" route replace "$V4/32" via 198.18.3.2 dev r2
expect_who "v4: answered by B after the replace" "$V4" B
expect_who "v6: still answered by A (its route did not move)" "$V6" A

moved "v6 replace: /v1/routes shows B" "$V6/128" "2001:db8:3::2@r2" \
	ip -n "$NS_R" -6 route replace "$V6/128" via 2001:db8:3::2 dev r2
expect_who "v6: answered by B after the replace" "$V6" B

# and back, to see that a second change is followed as well
moved "v4 replace back: /v1/routes shows A" "$V4/32" "198.18.2.2@r1" \
	ip -n "$NS_R" route replace "$V4/32" via 198.18.2.2 dev r1
expect_who "v4: answered by A again" "$V4" A

# ---- delete: the kernel gets the traffic, and with forwarding off drops it --------
for fam in 4 6; do
	if [ $fam = 4 ]; then addr=$V4 prefix=$V4/32; else addr=$V6 prefix=$V6/128; fi
	ip -n "$NS_R" -$fam route del "$prefix" || tap_fail "v$fam route del"
	check "v$fam delete: gone from /v1/routes" wait_until 10 route_gone r "$prefix"
	nr0=$(packets r r0 pass_no_route)
	fr0=$(packets r r0 fwd_redirect)
	check_fails "v$fam delete: the request is not answered (forwarding off)" who "$NS_C" "$addr"
	nr1=$(packets r r0 pass_no_route)
	fr1=$(packets r r0 fwd_redirect)
	if [ $((nr1 - nr0)) -ge 1 ] && [ "$fr1" -eq "$fr0" ]; then
		tap_ok "v$fam delete: r0 pass_no_route rose by $((nr1 - nr0)), fwd_redirect still"
	else
		tap_fail "v$fam delete: r0 pass_no_route rose, fwd_redirect still" \
			"pass_no_route $nr0 -> $nr1, fwd_redirect $fr0 -> $fr1"
	fi
done

# ---- re-added: carried again -------------------------------------------------------
ip -n "$NS_R" -6 route add "$V6/128" via 2001:db8:3::2 dev r2 || tap_fail "v6 route re-add"
check "v6 re-added: /v1/routes shows B" wait_until 10 route_vias_are r "$V6/128" "2001:db8:3::2@r2"
expect_who "v6: answered by B after the re-add" "$V6" B

[ "$(ip netns exec "$NS_R" cat /proc/sys/net/ipv4/ip_forward)" = 0 ] &&
	tap_ok "kernel forwarding stayed off" || tap_fail "kernel forwarding stayed off"

tap_done
