#!/usr/bin/env bash
# VIP announcement with BIRD on the node (docs/deploy.md, "BIRD 2"): the
# topology of t_announce.sh (announce_lib.sh), the node's BIRD learning
# table 83 (routes of protocol 83) through `protocol kernel` and
# exporting them over eBGP to the upstream's FRR bgpd.  Health withdraws
# and announces, a drain withdraws while a connection keeps working.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/announce_lib.sh"

bird_node_conf() {
	cat <<EOF
router id 198.18.3.2;
ipv4 table vips;
ipv4 table vips_gshut;
protocol device { scan time 2; }
protocol kernel vip_routes {
	kernel table 83;
	learn;
	scan time 2;
	ipv4 { table vips; import all; export none; };
}
# a drained node's routes (announce.drain "graceful_shutdown"): table 84,
# tagged GRACEFUL_SHUTDOWN (RFC 8326) on the way in
protocol kernel vip_routes_gshut {
	kernel table 84;
	learn;
	scan time 2;
	ipv4 {
		table vips_gshut;
		import filter { bgp_community.add((65535, 0)); accept; };
		export none;
	};
}
protocol pipe vip_gshut_pipe {
	table vips_gshut;
	peer table vips;
	import none;
	export all;
}
protocol bgp upstream {
	local 198.18.3.2 as 65001;
	neighbor 198.18.3.1 as 65000;
	hold time 9;
	ipv4 { table vips; import none; export all; next hop self; };
}
EOF
}

setup || die "topology"
responder_start "$NS_B" b1 || die "backend server"
echo_start || die "echo server"
sluiced_start "$NS_B" be --role backend --interface b0 || die "sluiced (backend)"
cat >"$T_TMP/lb.json" <<EOF
{"announce": {"enabled": true}}
EOF
sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" --interface l0 ||
	die "sluiced (LB)"
frr_upstream_conf >"$T_TMP/frr-up.conf"
bird_node_conf >"$T_TMP/bird-node.conf"
frr_start "$NS_R" up "$T_TMP/frr-up.conf" bgpd staticd || die "FRR on the upstream"
check "vip added (tcp checks every ${INTERVAL} ms, fall $FALL)" \
	sctl lb vip add $VIP:8080/tcp --health tcp --interval $INTERVAL \
	--timeout 100 --rise 1 --fall $FALL
check "vip 8081 added (checked on 8080)" \
	sctl lb vip add $VIP:8081/tcp --health tcp --health-port 8080 \
	--interval $INTERVAL --timeout 100 --rise 1 --fall $FALL
check "no backend: the upstream has no BGP route" up_lacks_vip
check "backends added" sh -c "'$SLUICECTL' --api unix:$SOCK_lb backend add $VIP:8080/tcp 198.18.11.2 &&
	'$SLUICECTL' --api unix:$SOCK_lb backend add $VIP:8081/tcp 198.18.11.2"
# sluiced does not need a routing daemon: the kernel route comes anyway
check "no routing daemon on the node yet: the route is in table 83 all the same" \
	wait_until 10 sh -c "ip -n '$NS_L' route show table 83 proto 83 | grep -q 'blackhole $VIP'"
check "and the upstream has no BGP route" up_lacks_vip
bird_start "$NS_L" node "$T_TMP/bird-node.conf" || die "BIRD on the node"
check "BIRD's session with the upstream is established" \
	wait_until 30 bird_established node upstream
t_up=$(ms_until 30 up_has_vip)
echo "# BIRD: announced at the upstream ${t_up} ms after its session came up"
check "the upstream learns $VIP from the node's BIRD (${t_up} ms)" test "$t_up" -ge 0
out=$(bird_cmd node show route table vips 2>&1)
check "BIRD learned it from the kernel (table vips has $VIP/32)" \
	grep -q "$VIP/32" <<<"$out"
check "the host does not route by it (no $VIP in the main table)" \
	sh -c "[ -z \"\$(ip -n '$NS_L' route show table main $VIP/32)\" ]"
check "table 83 has it, as a blackhole of protocol 83" \
	sh -c "ip -n '$NS_L' route show table 83 proto 83 | grep -q 'blackhole $VIP'"
ok=0
for i in $(seq 1 20); do
	body=$(ip netns exec "$NS_C" curl -sf -m 3 "http://$VIP:8080/" 2>/dev/null)
	[ "$body" = b1 ] && ok=$((ok + 1))
done
check "20 of 20 requests through the BGP route and the XDP LB ($ok)" test "$ok" -eq 20

pid=$(responder_pid)
[ -n "$pid" ] && kill "$pid"
t_down=$(ms_until 20 up_lacks_vip)
echo "# BIRD: withdrawn at the upstream ${t_down} ms after the HTTP server stopped (fall time $((INTERVAL * FALL)) ms)"
check "backend down: withdrawn at the upstream within 5 s (${t_down} ms)" \
	test "$t_down" -ge 0 -a "$t_down" -le 5000
responder_start "$NS_B" b1 || die "backend server again"
check "backend back: announced again" wait_until 20 up_has_vip

conn_start
sleep 1
check "node drain" sctl lb node drain
t_drain=$(ms_until 20 up_lacks_vip)
echo "# BIRD: drain withdrew it at the upstream after ${t_drain} ms"
check "drain withdraws it at the upstream within 5 s (${t_drain} ms)" \
	test "$t_drain" -ge 0 -a "$t_drain" -le 5000
sleep 1
check "undrain" sctl lb node undrain
check "announced again after undrain" wait_until 20 up_has_vip
conn_stop >/dev/null
echo "# connection through the drain: $(cat "$T_TMP/conn.out")"
check "the established connection kept working (errors 0, $(conn_lines) lines)" \
	test "$(conn_errors)" = 0 -a "$(conn_lines)" -gt 20

# ---- the graceful_shutdown drain: BIRD tags table 84's routes 65535:0 --------
sluiced_stop lb TERM
echo '{"announce": {"enabled": true, "drain": "graceful_shutdown", "gshut_table": 84}}' \
	>"$T_TMP/lb-gshut.json"
sluiced_start "$NS_L" lb --config "$T_TMP/lb-gshut.json" --interface l0 ||
	die "sluiced (LB) with the graceful_shutdown drain"
check "graceful_shutdown drain configured: announced, without the community" \
	wait_until 30 up_no_gshut
conn_start
sleep 1
check "node drain (graceful_shutdown)" sctl lb node drain
t_g=$(ms_until 20 up_gshut)
echo "# BIRD: the upstream has GRACEFUL_SHUTDOWN ${t_g} ms after the drain"
check "the upstream keeps the route, now with GRACEFUL_SHUTDOWN (${t_g} ms)" \
	test "$t_g" -ge 0
check "the upstream kept its BGP route through the move to table 84" up_has_vip
check "undrain" sctl lb node undrain
t_ng=$(ms_until 20 up_no_gshut)
check "undrain: the community is gone at the upstream (${t_ng} ms)" test "$t_ng" -ge 0
conn_stop >/dev/null
check "a connection through the graceful_shutdown drain kept working (errors 0)" \
	test "$(conn_errors)" = 0 -a "$(conn_lines)" -gt 10
tap_done
