#!/usr/bin/env bash
# With the kernel's forwarding switched off in the router, only the XDP path
# can carry traffic: ping and a TCP transfer, IPv4 and IPv6; then a restart
# on the same pins with another size of the IPv6 /48 index
# (fib.v6_index_slots), and a size the config refuses.
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
# --keep-on-exit: the restart below adopts the pinned maps
sluiced_start "$NS_R" r --interface r0 --interface r1 --keep-on-exit || die "sluiced"

# Warm the neighbours through the kernel, then take the kernel out.
check "v4 ping through the kernel" warm "$NS_C" 198.18.2.2
check "v6 ping through the kernel" warm "$NS_C" 2001:db8:2::2
wait_until 5 route_has r 198.18.2.0/24 || tap_fail "route mirrored" "198.18.2.0/24 missing"
kernel_forwarding "$NS_R" off

before=$(packets r r0 fwd_redirect)
check "v4 ping via XDP, forwarding off" ip netns exec "$NS_C" ping -c 5 -i 0.2 -W 1 198.18.2.2
check "v6 ping via XDP, forwarding off" ip netns exec "$NS_C" ping -6 -c 5 -i 0.2 -W 1 2001:db8:2::2
after=$(packets r r0 fwd_redirect)
if [ $((after - before)) -ge 10 ]; then
	tap_ok "r0 fwd_redirect counted the pings ($((after - before)))"
else
	tap_fail "r0 fwd_redirect counted the pings" "before=$before after=$after"
fi

# TCP: iperf3 moves a bounded 20 MB per address family.
ip netns exec "$NS_S" iperf3 -s -D -p 5201 --logfile "$T_TMP/iperf.log" || die "iperf3 server"
wait_until 5 ip netns exec "$NS_S" ss -ltn sport = :5201
check "v4 TCP transfer via XDP (iperf3)" timeout 20 ip netns exec "$NS_C" iperf3 -c 198.18.2.2 -p 5201 -n 20M
check "v6 TCP transfer via XDP (iperf3)" timeout 20 ip netns exec "$NS_C" iperf3 -6 -c 2001:db8:2::2 -p 5201 -n 20M

# The forwarding table's pools are reported, with what the routes use.
# (Each reply is read whole first: under pipefail, grep -q closing the pipe
# early would fail curl's write.)
fib_reported() {
	local status metrics
	status=$(api r /v1/status) && metrics=$(api r /metrics) || return 1
	python3 -c '
import json, sys
f = json.loads(sys.argv[1])["fib"]
sys.exit(not (f["v4_groups_max"] == 16384 and f["v6_groups_max"] == 65536
              and f["v4_prefixes"] >= 2 and f["next_hops"] >= 2
              and f["v6_index_slots_max"] == 524288
              and f["v6_index_slots"] >= 1))' "$status" ||
		{ echo "# status: $status"; return 1; }
	grep -q '^sluice_fib_groups_max{family="ipv4"} 16384$' <<<"$metrics" &&
		grep -q '^sluice_fib6_index_slots_max 524288$' <<<"$metrics"
}
check "/v1/status and /metrics show the forwarding table's pools" fib_reported

# fib.v6_index_slots: a restart with another size of the IPv6 /48 index
# compiles a new index of that size on the same pins and refills it from
# the replay; IPv6 is still carried by XDP alone.
sluiced_stop r || tap_fail "sluiced stopped to change fib.v6_index_slots"
cat >"$T_TMP/r-index.json" <<EOF
{"interfaces": ["r0", "r1"], "fib": {"v6_index_slots": 2097152}}
EOF
sluiced_start "$NS_R" r -c "$T_TMP/r-index.json" || die "sluiced with fib.v6_index_slots"
index_sized() {
	[ "$(api_json r /v1/status "'%d %d' % (d['fib']['v6_index_slots_max'], d['fib']['v6_index_slots'] >= 1)")" = "2097152 1" ] &&
		api r /metrics | grep -q '^sluice_fib6_index_slots_max 2097152$'
}
check "fib.v6_index_slots 2097152: /v1/status and /metrics show it, slots in use" wait_until 10 index_sized
check "the log says the index was compiled anew at the new size" \
	grep -q "fib6_p48: pinned layout .* compiled anew" "$T_TMP/r.log"
check "v6 ping via XDP with the larger index, forwarding off" \
	ip netns exec "$NS_C" ping -6 -c 3 -i 0.2 -W 1 2001:db8:2::2
bad_index() {
	echo '{"interfaces": ["r0"], "fib": {"v6_index_slots": 300000}}' >"$T_TMP/bad-index.json"
	! "$SLUICED" --check-config -c "$T_TMP/bad-index.json" >"$T_TMP/bad-index.out" 2>&1 &&
		grep -q "fib.v6_index_slots: 300000 is not 0 (no index) or a power of two" "$T_TMP/bad-index.out"
}
check "fib.v6_index_slots 300000 refused, the field and value named" bad_index

# A port the configuration drops across a kept restart loses its program:
# nothing adopts its pinned link, and without the start's prune it ran the
# old program on maps nobody updates, past even a full stop.
has_xdp() { ip -n "$NS_R" -d link show "$1" | grep -q 'prog/xdp'; }
sluiced_stop r || tap_fail "sluiced stopped"
sluiced_start "$NS_R" r --interface r0 --interface r1 --keep-on-exit || die "sluiced, kept"
sluiced_stop r || tap_fail "sluiced (kept) stopped"
# shellcheck disable=SC2154 # PIN_r is set by sluiced_start
check "kept: r1's link pinned and its program attached" \
	sh -c "[ -e '$PIN_r/link_r1' ] && ip -n '$NS_R' -d link show r1 | grep -q prog/xdp"
sluiced_start "$NS_R" r --interface r0 || die "sluiced on r0 only"
check "r0 only: the log says r1 is no longer configured" \
	grep -q "dp: r1 is no longer configured: removing its pinned XDP link" "$T_TMP/r.log"
check "r0 only: r1's pinned link is gone" test ! -e "$PIN_r/link_r1"
check_fails "r0 only: r1 has no XDP program" has_xdp r1
check "r0 only: r0 still has its program" has_xdp r0
sluiced_stop r || tap_fail "sluiced on r0 only stopped"
check_fails "after a full stop: r0 has no XDP program either" has_xdp r0

# Forwarding is really off: a route to an unmanaged place is not carried.
kdrops=$(ip netns exec "$NS_R" cat /proc/sys/net/ipv4/ip_forward)
[ "$kdrops" = 0 ] && tap_ok "kernel forwarding stayed off" || tap_fail "kernel forwarding stayed off"

tap_done
