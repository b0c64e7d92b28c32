#!/usr/bin/env bash
# Neighbours and the daemon's surface: a neighbour that changes MAC is
# rewritten in the map (traffic follows the new MAC), one that is deleted or
# fails is removed (traffic goes back to the kernel); the API socket is
# 0600; flags override the config file; /metrics speaks Prometheus.
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
printf '{"interfaces": ["r0"], "log_level": "debug", "xdp_mode": "native"}\n' \
	>"$T_TMP/cfg.json"
# the file names r0 only; the flags name both and win
sluiced_start "$NS_R" r --config "$T_TMP/cfg.json" --interface r0 --interface r1 ||
	die "sluiced"
check "flags override the file: r1 attached too" \
	wait_until 5 iface_state_is r r1 attached
check "the file's xdp_mode applies (native)" \
	test "$(iface_field r r0 mode)" = native
check "API socket is mode 0600" test "$(stat -c %a "$SOCK_r")" = 600

warm "$NS_C" 198.18.2.2 || die "warm-up"
kernel_forwarding "$NS_R" off
neigh_mac() {
	api_json r "/v1/neighbors?dev=r1" \
		"[n['mac'] for n in d['neighbors'] if n['address'] == '$1'][0]"
}
check "server's neighbour mirrored" wait_until 5 test "$(neigh_mac 198.18.2.2)" = 02:00:00:00:02:02

# The server changes its MAC: the router learns it (we tell the kernel, as
# a gratuitous ARP would), the map follows, traffic keeps flowing.
ip -n "$NS_S" link set s0 address 02:00:00:00:02:99
ip -n "$NS_R" neigh replace 198.18.2.2 lladdr 02:00:00:00:02:99 dev r1 nud reachable
check "new MAC in the map within a second" \
	wait_until 1 test "$(neigh_mac 198.18.2.2)" = 02:00:00:00:02:99
check "traffic reaches the new MAC via XDP" \
	ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 1 198.18.2.2

# The neighbour fails (deleted, then an unanswered resolution):
# the entry leaves the map and packets go to the kernel (pass_no_neigh).
ip -n "$NS_R" neigh del 198.18.2.2 dev r1
neigh_absent() {
	api_json r "/v1/neighbors?dev=r1" \
		"not any(n['address'] == '$1' for n in d['neighbors'])"
}
check "deleted neighbour leaves the map" wait_until 2 neigh_absent 198.18.2.2
before=$(packets r r0 pass_no_neigh)
ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2 >/dev/null 2>&1
after=$(packets r r0 pass_no_neigh)
if [ $((after - before)) -ge 1 ]; then
	tap_ok "without a neighbour, packets pass to the kernel (pass_no_neigh +$((after - before)))"
else
	tap_fail "without a neighbour, packets pass to the kernel" "$before -> $after"
fi

# /metrics: Prometheus text with the counters by reason and interface.
metrics=$(api r /metrics)
check "metrics: packets counter by interface and reason" \
	grep -q '^sluice_xdp_packets_total{interface="r0",reason="fwd_redirect",verdict="forward"} [1-9]' <<<"$metrics"
check "metrics: TYPE lines" grep -q '^# TYPE sluice_xdp_packets_total counter' <<<"$metrics"
check "metrics: routes gauge" grep -q '^sluice_routes{family="ipv4"} [1-9]' <<<"$metrics"
tap_done
