#!/usr/bin/env bash
# Restart with --keep-on-exit: the data path keeps forwarding while sluiced
# is down (kernel forwarding off, so only XDP can), the new daemon adopts the
# pinned links and maps, and reconciles what changed while it was away.
# Without the flag the daemon takes everything with it on exit.
. "$(dirname "$0")/lib.sh"

S4=198.18.200.1		# served by the server, routed via 198.18.200.0/24
S6=2001:db8:200::1

topo_basic || die "topology"
own_addr "$NS_S" "$S4/32" "$S6/128" || die "extra address on the server"
ip -n "$NS_R" route add 198.18.200.0/24 via 198.18.2.2 dev r1 || die "v4 route"
ip -n "$NS_R" -6 route add 2001:db8:200::/64 via 2001:db8:2::2 dev r1 || die "v6 route"

sluiced_start "$NS_R" r --interface r0 --interface r1 --keep-on-exit || die "sluiced"
# shellcheck disable=SC2154 # PIN_r is set by sluiced_start
PIN=$PIN_r
for a in 198.18.2.2 2001:db8:2::2; do
	warm "$NS_C" "$a" || die "warm-up ping to $a"
done
wait_until 10 route_has r 198.18.200.0/24 || die "v4 route not mirrored"
wait_until 10 route_has r 2001:db8:200::/64 || die "v6 route not mirrored"
kernel_forwarding "$NS_R" off
check "v4 ping via XDP before the restart" ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 "$S4"
check "v6 ping via XDP before the restart" ip netns exec "$NS_C" ping -6 -c 2 -i 0.2 -W 1 "$S6"
check "first run: maps were new" test "$(status_field r maps_reused)" = False

# deleted_routes_fail WHEN: pings to $S4 and $S6, whose routes were deleted
# while sluiced was down, fail, and r0 counts them as pass_no_route.
deleted_routes_fail() {
	local fam addr nr0 nr1
	for fam in 4 6; do
		if [ $fam = 4 ]; then addr=$S4; else addr=$S6; fi
		nr0=$(packets r r0 pass_no_route)
		check_fails "$1: v$fam ping to the route deleted while away fails" \
			ip netns exec "$NS_C" ping -$fam -c 2 -i 0.2 -W 1 "$addr"
		nr1=$(packets r r0 pass_no_route)
		if [ $((nr1 - nr0)) -ge 2 ]; then
			tap_ok "$1: v$fam r0 pass_no_route rose by $((nr1 - nr0))"
		else
			tap_fail "$1: v$fam r0 pass_no_route rose" "$nr0 -> $nr1"
		fi
	done
}

# ---- restart under traffic -------------------------------------------------------
ip netns exec "$NS_C" timeout 30 ping -n -q -i 0.05 -c 200 -W 1 198.18.2.2 \
	>"$T_TMP/ping.out" 2>&1 &
ping_pid=$!
sleep 1	# pacing only: let some packets pass before the restart
t0=$(ms_now)
if sluiced_stop r TERM; then
	tap_ok "SIGTERM: sluiced exited with status 0"
else
	tap_fail "SIGTERM: sluiced exited with status 0" "status $?"
fi
check "daemon down: XDP still attached to r0 and r1" sh -c "ip -d -n '$NS_R' link show r0 | grep -q prog/xdp && ip -d -n '$NS_R' link show r1 | grep -q prog/xdp"
check "daemon down: pinned maps still there" test -e "$PIN/routes_v4"
sluiced_start "$NS_R" r --interface r0 --interface r1 --keep-on-exit || die "sluiced restart"
echo "# down for $(($(ms_now) - t0)) ms (stop to API up again)"
if wait_until 30 sh -c "! kill -0 $ping_pid"; then
	wait "$ping_pid"
fi
sent=$(sed -n 's/^\([0-9]\+\) packets transmitted.*/\1/p' "$T_TMP/ping.out")
recv=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' "$T_TMP/ping.out")
echo "# ping across the restart: ${sent:-?} sent, ${recv:-?} received"
if [ "${sent:-0}" -eq 200 ] && [ "${recv:-0}" -ge 199 ]; then
	tap_ok "ping across the restart lost at most 1 of 200"
else
	tap_fail "ping across the restart lost at most 1 of 200" "$(tr '\n' ' ' <"$T_TMP/ping.out")"
fi

check "restarted: /v1/status maps_reused is true" test "$(status_field r maps_reused)" = True
for i in r0 r1; do
	check "restarted: $i is attached and adopted" \
		test "$(iface_field r $i state)/$(iface_field r $i adopted)" = attached/True
done
check "restarted: the log says it adopted the pinned link" \
	sh -c "grep -c 'adopted the pinned XDP link' '$T_TMP/r.log' | grep -qx 2"
check "restarted: v4 ping via XDP" ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 "$S4"

# ---- a route deleted while the daemon is down --------------------------------------
sluiced_stop r TERM || tap_fail "second stop: exit status 0"
ip -n "$NS_R" route del 198.18.200.0/24 || tap_fail "v4 route del"
ip -n "$NS_R" -6 route del 2001:db8:200::/64 || tap_fail "v6 route del"
# Nobody removes the entries while the daemon is away: they still carry.
check "daemon down: the stale v4 route is still in the pinned map" map_route_has "$PIN" 198.18.200.0/24
check "daemon down: the stale v6 route is still in the pinned map" map_route_has "$PIN" 2001:db8:200::/64
check "daemon down: the stale route still forwards" ip netns exec "$NS_C" ping -c 1 -W 1 "$S4"

sluiced_start "$NS_R" r --interface r0 --interface r1 --keep-on-exit || die "sluiced restart 2"
check "reconciled: v4 route gone from /v1/routes" route_gone r 198.18.200.0/24
check "reconciled: v6 route gone from /v1/routes" route_gone r 2001:db8:200::/64
check_fails "reconciled: v4 route gone from the pinned map" map_route_has "$PIN" 198.18.200.0/24
check_fails "reconciled: v6 route gone from the pinned map" map_route_has "$PIN" 2001:db8:200::/64
check "reconciled: kept routes are still in the map" map_route_has "$PIN" 198.18.2.0/24
check "reconciled: the log reports stale entries removed" grep -q 'reconcile: removed' "$T_TMP/r.log"
deleted_routes_fail reconciled
check "reconciled: the kept route still forwards (v6)" \
	ip netns exec "$NS_C" ping -6 -c 2 -i 0.2 -W 1 2001:db8:2::2

# ---- the same, when the pinned routes cannot be adopted -------------------------------
# A routes map of another layout (an upgrade that changes it) is rebuilt
# from the kernel, but the compiled table the packet path reads is adopted
# as it was, with the deleted route in it: the start takes it out once the
# kernel's routes are read.  Here the layout change is a routes map of
# another size, pinned in place of the real one while sluiced is away.  A
# second route through the same gateway stays, so the deleted one's next
# hop is still in use and would still carry it.
ip -n "$NS_R" route add 198.18.200.0/24 via 198.18.2.2 dev r1 || tap_fail "v4 route again"
ip -n "$NS_R" -6 route add 2001:db8:200::/64 via 2001:db8:2::2 dev r1 || tap_fail "v6 route again"
ip -n "$NS_R" route add 198.18.201.0/24 via 198.18.2.2 dev r1 || tap_fail "v4 route kept"
ip -n "$NS_R" -6 route add 2001:db8:201::/64 via 2001:db8:2::2 dev r1 || tap_fail "v6 route kept"
wait_until 10 route_has r 198.18.200.0/24 || tap_fail "v4 route mirrored again"
wait_until 10 route_has r 2001:db8:200::/64 || tap_fail "v6 route mirrored again"
check "before the rebuild: the route forwards" ip netns exec "$NS_C" ping -c 1 -W 1 "$S4"
sluiced_stop r TERM || tap_fail "stop before the rebuild: exit status 0"
ip -n "$NS_R" route del 198.18.200.0/24 || tap_fail "v4 route del (rebuild)"
ip -n "$NS_R" -6 route del 2001:db8:200::/64 || tap_fail "v6 route del (rebuild)"
rebuild_routes_maps() {
	local m key
	for m in routes_v4 routes_v6; do
		key=8
		[ $m = routes_v6 ] && key=20
		rm -f "$PIN/$m" &&
			bpftool map create "$PIN/$m" type lpm_trie key $key value 16 \
				entries 1024 name $m flags 1 || return 1
	done
}
check "daemon down: routes_v4 and routes_v6 replaced by maps of another size" rebuild_routes_maps
check "daemon down: the deleted route still forwards (the compiled table has it)" \
	ip netns exec "$NS_C" ping -c 1 -W 1 "$S4"
sluiced_start "$NS_R" r --interface r0 --interface r1 --keep-on-exit || die "sluiced restart 3"
check "rebuilt: the log says the routes maps were rebuilt" \
	grep -q "dp: routes_v4: pinned layout .* rebuilt from the kernel's state" "$T_TMP/r.log"
check "rebuilt: the log says the stale prefixes were taken out" \
	grep -q "dp: took 1 IPv4 and 1 IPv6 prefixes no route has out of the forwarding table" "$T_TMP/r.log"
check "rebuilt: the connected route is back in the map" map_route_has "$PIN" 198.18.2.0/24
check "rebuilt: the route through the same gateway is back in the map" \
	map_route_has "$PIN" 198.18.201.0/24
check "rebuilt: the kept route forwards (v4)" ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2
check "rebuilt: the kept route forwards (v6)" ip netns exec "$NS_C" ping -6 -c 2 -i 0.2 -W 1 2001:db8:2::2
deleted_routes_fail rebuilt

# ---- without --keep-on-exit: everything goes -----------------------------------------
sluiced_stop r TERM || tap_fail "third stop: exit status 0"
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced without keep"
check "no keep: it still adopted r0 on start" test "$(iface_field r r0 adopted)" = True
if sluiced_stop r TERM; then
	tap_ok "no keep: SIGTERM, exit status 0"
else
	tap_fail "no keep: SIGTERM, exit status 0" "status $?"
fi
check_fails "no keep: pin dir removed" test -e "$PIN"
check_fails "no keep: no XDP on r0" xdp_on "$NS_R" r0
check_fails "no keep: no XDP on r1" xdp_on "$NS_R" r1
check_fails "no keep: nothing forwards any more (kernel forwarding off)" \
	ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2

tap_done
