#!/usr/bin/env bash
# Many nodes behind ECMP (docs/deploy.md): three sluice nodes, each running
# sluiced and FRR bgpd and announcing the same VIPs over eBGP to an
# upstream router (FRR bgpd, maximum-paths, L4 ECMP hash), four backends
# (a fifth joins later) with the decapsulation program, a client holding
# long-lived connections and sending a steady loop of requests.  Each event
# says how many connections broke; see multinode_lib.sh for the topology.
#
#   a) flows spread over the three nodes
#   b) node drain, then undrain; an upgrade: SIGTERM with a grace period,
#      then a new sluiced (no established connection may break)
#   g) node 1 dies silently (every packet to and from it dropped at the
#      upstream: no FIN, no NOTIFICATION, the link up); BFD takes it out
#   c) SIGKILL of one node's sluiced and bgpd (the figure is printed)
#   d) that node back; one backend removed from every node
#   e) a backend added, then a drain: what second chance is for
#   f) a VIP whose backends all fail is withdrawn at the upstream (timed)
#
# Each event prints "FIGURE NAME broken=N of M later=K requests_failed=F of
# T ...": N of the M long-lived connections open at its start failed
# (reset, closed or no echo within 3 s) during the event and the 4 s after
# it, K opened meanwhile failed too; F of the T HTTP requests of the steady
# loop failed meanwhile.
. "$(dirname "$0")/lib.sh"
# T_KEEP=DIR: a copy of the logs there at exit (debugging)
[ -n "${T_KEEP:-}" ] && trap 'cp -r "$T_TMP" "$T_KEEP"; cleanup' EXIT

. "$(dirname "$0")/announce_lib.sh"
. "$(dirname "$0")/multinode_lib.sh"

NCONN=${T_NCONN:-60}	# long-lived connections
SETTLE=4		# s after an event: a stuck connection shows (3 s echo timeout)
HC_INTERVAL=200		# VIP2's checks (ms), fall 2: the withdrawal is timed
HC_FALL=2
SECOND=${T_SECOND:-60}	# second_chance_s of VIP:8080/8081 (0: off)
T0=$SECONDS

mn_setup || die "topology"
for j in $BACKENDS; do
	ns="NS_B$j"
	responder_start "${!ns}" "b$j" || die "HTTP server on b$j"
	sluiced_start "${!ns}" "be$j" --role backend --interface b0 ||
		die "sluiced (backend $j)"
done
mn_echo_start || die "echo servers"
mn_hc_start || die "VIP2's health listeners"

GRACE=2
echo "{\"announce\": {\"enabled\": true}, \"node\": {\"sigterm_grace_s\": $GRACE}}" \
	>"$T_TMP/lb.json"
# node_start I: sluiced on node I, as a node of a real deployment runs it
# (--keep-on-exit: a restart withdraws nothing and keeps forwarding; a
# SIGTERM drains, forwards GRACE s more, then exits).
node_start() {
	local ns="NS_N$1"
	sluiced_start "${!ns}" "lb$1" --config "$T_TMP/lb.json" --interface l0 \
		--keep-on-exit
}
# the same VIPs and backends on every node: Maglev gives them the same
# table (it is a function of the backend addresses)
node_vips() {
	local i=$1 j
	sctl "lb$i" vip add $VIP:8080/tcp --health tcp --interval 500 \
		--timeout 200 --rise 1 --fall 3 --second-chance $SECOND >/dev/null &&
		sctl "lb$i" vip add $VIP:8081/tcp --health tcp --health-port 8080 \
			--interval 500 --timeout 200 --rise 1 --fall 3 \
			--second-chance $SECOND >/dev/null &&
		sctl "lb$i" vip add $VIP2:8080/tcp --health tcp --health-port 8090 \
			--interval $HC_INTERVAL --timeout 100 --rise 1 \
			--fall $HC_FALL >/dev/null || return 1
	for j in 1 2 3 4; do
		sctl "lb$i" backend add $VIP:8080/tcp "$(be_addr "$j")" >/dev/null &&
			sctl "lb$i" backend add $VIP:8081/tcp "$(be_addr "$j")" >/dev/null &&
			sctl "lb$i" backend add $VIP2:8080/tcp "$(be_addr "$j")" >/dev/null ||
			return 1
	done
}
for i in $NODES; do
	node_start "$i" || die "sluiced (node $i)"
	node_vips "$i" || die "VIPs and backends on node $i"
done
mn_frr_upstream_conf >"$T_TMP/frr-up.conf"
frr_start "$NS_R" up "$T_TMP/frr-up.conf" bgpd bfdd || die "FRR on the upstream"
for i in $NODES; do
	ns="NS_N$i"
	mn_frr_node_conf "$i" >"$T_TMP/frr-node$i.conf"
	frr_start "${!ns}" "node$i" "$T_TMP/frr-node$i.conf" bgpd bfdd ||
		die "FRR on node $i"
done
check "the upstream has $VIP over BGP with three next hops (one per node)" \
	wait_until 40 up_paths_are $VIP 3
echo "# upstream: $(ip -n "$NS_R" route show $VIP/32 | tr -s ' \n' ' ')"
check "and $VIP2 too" wait_until 10 up_paths_are $VIP2 3
check "the next hops are the three nodes" \
	test "$(up_vias $VIP)" = "$(node_addr 1),$(node_addr 2),$(node_addr 3)"
echo "# set up in $((SECONDS - T0)) s"

mn_client_start "$NCONN" 150
check "the client holds $NCONN connections through the nodes" \
	wait_until 20 sh -c "[ \"\$('$T_PY' -c 'import json; print(json.load(open(\"$T_TMP/client.status\"))[\"alive\"])' 2>/dev/null)\" = $NCONN ]"
echo "# connections by backend: $(cstat "d['on']")"
check "every backend holds some of them" \
	test "$(cstat "min(d['on'].get('b%d' % j, 0) for j in (1, 2, 3, 4)) > 0")" = True

# figure NAME RESULT: prints the FIGURE line; sets BROKEN, M, REQ_FAIL.
figure() {
	echo "FIGURE $1 $2"
	BROKEN=$(ev_field "$2" broken)
	REQ_FAIL=$(ev_field "$2" requests_failed)
	M=$(sed -n 's/.*broken=[0-9]* of \([0-9]*\).*/\1/p' <<<"$2")
}
# tx_window: each node's LB packets over 2 s, "d1 d2 d3" (- for a node
# whose daemon is not running)
tx_window() {
	local i a=() b=() out=""
	for i in $NODES; do a[i]=$(lb_tx "$i" 2>/dev/null || echo -); done
	sleep 2
	for i in $NODES; do
		b[i]=$(lb_tx "$i" 2>/dev/null || echo -)
		if [ "${a[i]}" = - ] || [ "${b[i]}" = - ]; then
			out+="- "
		else
			out+="$((b[i] - a[i])) "
		fi
	done
	echo "${out% }"
}
nth() { echo "$2" | awk -v n="$1" '{print $n}'; }

# ---- a) flows spread over the three nodes -----------------------------------
ev_begin steady
w=$(tx_window)
sleep $((SETTLE - 2))
figure steady "$(ev_end steady)"
echo "# LB packets per node over 2 s: $w"
check "a) every node balances some of the flows (packets over 2 s: $w)" \
	test "$(nth 1 "$w")" -gt 0 -a "$(nth 2 "$w")" -gt 0 -a "$(nth 3 "$w")" -gt 0
check "a) nothing breaks while nothing happens ($BROKEN of $M, requests failed $REQ_FAIL)" \
	test "$BROKEN" = 0 -a "$REQ_FAIL" = 0

# ---- b) drain node 1, then undrain it --------------------------------------
ev_begin drain
check "b) node 1: node drain" sctl lb1 node drain
t=$(ms_until 10 up_paths_are $VIP 2)
echo "# drain: the upstream down to two next hops after $t ms"
check "b) the upstream drops node 1's path ($t ms)" test "$t" -ge 0
sleep 0.5
w=$(tx_window)
echo "# LB packets per node over 2 s after the drain: $w"
check "b) node 1 gets no more packets, nodes 2 and 3 take its share ($w)" \
	test "$(nth 1 "$w")" -eq 0 -a "$(nth 2 "$w")" -gt 0 -a "$(nth 3 "$w")" -gt 0
sleep $((SETTLE - 2))
figure drain "$(ev_end drain)"
check "b) drain: no established connection broke ($BROKEN of $M)" test "$BROKEN" = 0
check "b) drain: no request failed ($REQ_FAIL)" test "$REQ_FAIL" = 0

ev_begin undrain
check "b) node 1: node undrain" sctl lb1 node undrain
t=$(ms_until 10 up_paths_are $VIP 3)
echo "# undrain: three next hops again after $t ms"
check "b) the upstream takes node 1's path back ($t ms)" test "$t" -ge 0
sleep 0.5
w=$(tx_window)
check "b) node 1 balances flows again ($w)" test "$(nth 1 "$w")" -gt 0
sleep $((SETTLE - 2))
figure undrain "$(ev_end undrain)"
check "b) undrain: no established connection broke ($BROKEN of $M)" test "$BROKEN" = 0
check "b) undrain: no request failed ($REQ_FAIL)" test "$REQ_FAIL" = 0

# An upgrade: SIGTERM drains node 1 and it exits after the grace; a new
# sluiced adopts the pinned state and announces again once its checks pass.
# shellcheck disable=SC2317 # called through wait_until
exited() { # PID: gone, or a zombie not yet waited for
	! kill -0 "$1" 2>/dev/null || grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null
}
ev_begin upgrade
t0=$(ms_now)
# shellcheck disable=SC2154 # PID_* set by sluiced_start
old=$PID_lb1
kill -TERM "$old"
t=$(ms_until 10 up_paths_are $VIP 2)
echo "# upgrade: SIGTERM (grace $GRACE s): two next hops after $t ms"
check "b) upgrade: SIGTERM withdraws node 1's path at the upstream ($t ms)" test "$t" -ge 0
wait_until 10 exited "$old"
t=$(($(ms_now) - t0))
wait "$old" 2>/dev/null
check "b) upgrade: sluiced exits after the grace ($t ms >= $((GRACE * 1000 - 100)))" \
	test "$t" -ge $((GRACE * 1000 - 100))
check "b) upgrade: a new sluiced on node 1 (adopts the pinned state)" node_start 1
t=$(ms_until 20 up_paths_are $VIP 3)
echo "# upgrade: three next hops again $t ms after the new sluiced answered"
check "b) upgrade: node 1 announced again once its checks pass ($t ms)" test "$t" -ge 0
sleep $SETTLE
figure upgrade "$(ev_end upgrade)"
check "b) upgrade: no established connection broke ($BROKEN of $M)" test "$BROKEN" = 0
check "b) upgrade: no request failed ($REQ_FAIL)" test "$REQ_FAIL" = 0

# ---- g) node 1 dies silently -------------------------------------------------
# The upstream drops everything from and to node 1 (nftables on its port
# n1; ARP untouched): to the upstream the node is gone without a word, as
# a machine that loses power or hangs.  Only BFD can tell (100 ms x 3);
# the flows it hashed to node 1 go to nodes 2 and 3, whose Maglev tables
# are the same (no backend has changed yet), so those connections go on
# after a stall of about the detection time.  Before any backend change
# on purpose: a flow moved after one is what second chance is for (e).
ev_begin silent_death
ip netns exec "$NS_R" nft -f - <<EOF || die "nftables in the upstream"
table inet t_silent {
	chain forward_drop { type filter hook forward priority 0; iifname "n1" drop; oifname "n1" drop; }
	chain input_drop { type filter hook input priority 0; iifname "n1" drop; }
	chain output_drop { type filter hook output priority 0; oifname "n1" drop; }
}
EOF
t=$(ms_until 15 up_paths_are $VIP 2)
echo "# silent death: the upstream down to two next hops after $t ms (BFD 100 ms x 3; the BGP hold time is 9 s)"
check "g) BFD takes node 1 out of the upstream's ECMP group within 2 s ($t ms)" \
	test "$t" -ge 0 -a "$t" -le 2000
sleep $SETTLE
figure silent_death "$(ev_end silent_death)"
check "g) silent death: no established connection broke ($BROKEN of $M)" test "$BROKEN" = 0
echo "# silent death: requests failed $REQ_FAIL (those sent to node 1 before BFD noticed)"
ev_begin silent_back
check "g) node 1 reachable again (the upstream's rules removed)" \
	ip netns exec "$NS_R" nft delete table inet t_silent
t=$(ms_until 30 up_paths_are $VIP 3)
echo "# silent death over: three next hops again after $t ms"
check "g) node 1 back in the ECMP group ($t ms)" test "$t" -ge 0
sleep $SETTLE
figure silent_back "$(ev_end silent_back)"
check "g) node 1 back: no established connection broke ($BROKEN of $M)" test "$BROKEN" = 0

# ---- c) SIGKILL of node 2's sluiced and bgpd --------------------------------
ev_begin kill_node
# shellcheck disable=SC2154 # FRR_PIDS_*, PID_* set by frr_start, sluiced_start
bgpd2=$(nth 2 "$FRR_PIDS_node2")
# (waited for: no "Killed" notice from the shell)
# shellcheck disable=SC2154
{
	kill -KILL "$PID_lb2" "$bgpd2"
	wait "$PID_lb2" "$bgpd2"
} 2>/dev/null
t=$(ms_until 10 up_paths_are $VIP 2)
echo "# kill: the upstream down to two next hops after $t ms (bgpd's session closed with it)"
check "c) the upstream drops node 2's path ($t ms)" test "$t" -ge 0
check "c) via nodes 1 and 3" test "$(up_vias $VIP)" = "$(node_addr 1),$(node_addr 3)"
sleep 0.5
w=$(tx_window)
echo "# LB packets per node over 2 s after the kill: $w"
check "c) nodes 1 and 3 carry the flows ($w)" \
	test "$(nth 1 "$w")" -gt 0 -a "$(nth 3 "$w")" -gt 0
sleep $((SETTLE - 2))
figure kill_node "$(ev_end kill_node)"
check "c) the client kept its connections ($M alive at the kill)" test "$M" = "$NCONN"

# ---- d) node 2 back, then a backend removed from every node -----------------
ev_begin readd_node
check "d) node 2: sluiced again (adopts its pinned state)" node_start 2
check "d) node 2: bgpd again" frr_daemon_start "$NS_N2" node2 bgpd
t=$(ms_until 20 up_paths_are $VIP 3)
echo "# node back: three next hops again after $t ms"
check "d) the upstream takes node 2's path back ($t ms)" test "$t" -ge 0
sleep 0.5
w=$(tx_window)
check "d) node 2 balances flows again ($w)" test "$(nth 2 "$w")" -gt 0
sleep $((SETTLE - 2))
figure readd_node "$(ev_end readd_node)"

ev_begin remove_backend
on_b4=$(cstat "d['on'].get('b4', 0)")
for i in $NODES; do
	check "d) node $i: backend $(be_addr 4) removed from both VIPs" \
		sh -c "'$SLUICECTL' --api unix:$T_TMP/lb$i.sock backend del $VIP:8080/tcp $(be_addr 4) &&
			'$SLUICECTL' --api unix:$T_TMP/lb$i.sock backend del $VIP:8081/tcp $(be_addr 4)"
done
sleep $SETTLE
r=$(ev_end remove_backend)
figure remove_backend "$r"
# by_backend's counts: backend 4's, and the others' together
b4=$(sed -n 's/.*by_backend=.*b4:\([0-9]*\).*/\1/p' <<<"$r")
others=$(sed -n 's/.*by_backend=\(.*\)/\1/p' <<<"$r" | tr ',' '\n' |
	awk -F: '$1 != "b4" && NF == 2 {n += $2} END {print n + 0}')
echo "# backend 4 held $on_b4 connections: $BROKEN of them broke (${b4:-0} breaks on b4 in all), $others on the other backends"
check "d) no connection on the other backends broke ($others)" test "$others" -eq 0
check "d) no connection is on backend 4 any more" \
	wait_until 5 test "$(cstat "d['on'].get('b4', 0)")" = 0

# ---- e) a backend added, then a drain --------------------------------------
# Backend 5 joins: Maglev gives it about a fifth of the slots, taken from
# the others.  The connections established before keep their backend
# through the flow table of the node that has them; moved to another node
# by a drain, they are placed by Maglev again there, and those whose slot
# is now backend 5's land on a backend without their connection: what
# second chance is for: asserted 0 with it on (the default here), printed
# with T_SECOND=0.
ev_begin backend_added
for i in $NODES; do
	check "e) node $i: backend $(be_addr 5) added to both VIPs" \
		sh -c "'$SLUICECTL' --api unix:$T_TMP/lb$i.sock backend add $VIP:8080/tcp $(be_addr 5) >/dev/null &&
			'$SLUICECTL' --api unix:$T_TMP/lb$i.sock backend add $VIP:8081/tcp $(be_addr 5) >/dev/null"
done
sleep $SETTLE
figure backend_added "$(ev_end backend_added)"
check "e) adding a backend breaks no connection ($BROKEN of $M)" test "$BROKEN" = 0
ev_begin drain_after_add
check "e) node 3: node drain" sctl lb3 node drain
t=$(ms_until 10 up_paths_are $VIP 2)
check "e) the upstream drops node 3's path ($t ms)" test "$t" -ge 0
sleep $SETTLE
figure drain_after_add "$(ev_end drain_after_add)"
# with second chance (the VIPs' second_chance_s) a moved flow that Maglev
# now places on backend 5 is sent on by backend 5 to the backend that has
# its connection; without it (T_SECOND=0) a few break, printed only
if [ "$SECOND" -gt 0 ]; then
	check "e) with second chance ($SECOND s) the drain after the add breaks no connection ($BROKEN of $M)" \
		test "$BROKEN" = 0
fi
check "e) undrain node 3" sctl lb3 node undrain

# ---- f) a VIP whose backends all fail is withdrawn ---------------------------
check "f) $VIP2 is announced by all three nodes" wait_until 10 up_paths_are $VIP2 3
t0=$(ms_now)
for j in $BACKENDS; do
	hc="HC_PID_$j"
	kill "${!hc}"
done
t=$(ms_until 10 up_paths_are $VIP2 0)
t=$((t < 0 ? t : $(ms_now) - t0))
echo "FIGURE vip_withdraw ms=$t (checks every $HC_INTERVAL ms, fall $HC_FALL: fall time $((HC_INTERVAL * HC_FALL)) ms)"
check "f) every backend of $VIP2 down: the upstream loses it within a check and a second of the fall time ($t ms)" \
	test "$t" -ge 0 -a "$t" -le $((HC_INTERVAL * (HC_FALL + 1) + 1000))
check "f) no node has it in table 83" sh -c "! ip -n '$NS_N1' route show table 83 | grep -q $VIP2 &&
	! ip -n '$NS_N2' route show table 83 | grep -q $VIP2 &&
	! ip -n '$NS_N3' route show table 83 | grep -q $VIP2"
check "f) $VIP keeps its three paths" up_paths_are $VIP 3

mn_client_stop
echo "# client: $(cstat "'lines %d, connections opened %d, broken %d, requests ok %d failed %d' % (d['lines'], d['opened'], d['breaks'], d['req_ok'], d['req_fail'])")"
check "the client exchanged lines all along (lines $(cstat "d['lines']"))" \
	test "$(cstat "d['lines']")" -gt $((NCONN * 100))
# what broke, but for backend 4's connections (removed with it)
grep -E '^(break|reqfail|connfail)' "$T_TMP/client.events" 2>/dev/null |
	grep -v ' on b4 ' | head -20 | sed 's/^/# /'
echo "# wall time $((SECONDS - T0)) s"
tap_done
