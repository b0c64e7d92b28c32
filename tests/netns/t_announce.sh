#!/usr/bin/env bash
# VIP announcement over BGP, and drains (docs/deploy.md, "BGP announcement
# and drains").  The one-arm LB of t_lb_onearm.sh with real routing daemons:
#
#   client (c0) ---- (r0) upstream router (r1) ---- (l0) sluice node
#                    FRR bgpd AS 65000  (r2) ---- (b0) backend
#                                                 node: sluiced + FRR bgpd
#                                                 AS 65001 over eBGP
#
# sluiced publishes the VIP as a blackhole route in table 83, proto 83
# (announce.enabled); the node's zebra imports table 83 and its bgpd
# redistributes it to the upstream.  The upstream also has a floating
# static route to the VIP (distance 250) through the same node: it stands
# in for the other nodes of a real deployment, so that flows keep a path
# while this node's announcement is withdrawn (a drain must not break
# them).  What is checked at the upstream is its BGP route.
. "$(dirname "$0")/lib.sh"
# T_KEEP=DIR: a copy of the logs there at exit (debugging)
[ -n "${T_KEEP:-}" ] && trap 'cp -r "$T_TMP" "$T_KEEP"; cleanup' EXIT

. "$(dirname "$0")/announce_lib.sh"

setup || die "topology"
responder_start "$NS_B" b1 || die "backend server"
echo_start || die "echo server"
sluiced_start "$NS_B" be --role backend --interface b0 || die "sluiced (backend)"
cat >"$T_TMP/lb.json" <<EOF
{"announce": {"enabled": true, "table": 83, "protocol": 83}}
EOF
sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" --interface l0 --keep-on-exit ||
	die "sluiced (LB)"
frr_upstream_conf >"$T_TMP/frr-up.conf"
frr_node_conf >"$T_TMP/frr-node.conf"
frr_start "$NS_R" up "$T_TMP/frr-up.conf" bgpd staticd || die "FRR on the upstream"
frr_start "$NS_L" node "$T_TMP/frr-node.conf" bgpd || die "FRR on the node"

# ---- announcement follows health ---------------------------------------------
check "no VIP yet: nothing in table 83" \
	sh -c "[ -z \"\$(ip -n '$NS_L' route show table 83 proto 83)\" ]"
check "vip 8080 added (tcp checks every ${INTERVAL} ms, fall $FALL)" \
	sctl lb vip add $VIP:8080/tcp --health tcp --interval $INTERVAL \
	--timeout 100 --rise 1 --fall $FALL
check "vip 8081 added (checked on 8080)" \
	sctl lb vip add $VIP:8081/tcp --health tcp --health-port 8080 \
	--interval $INTERVAL --timeout 100 --rise 1 --fall $FALL
check "a VIP without backends is not announced (announced: false)" \
	test "$(announced)" = "[False, False]"
check "backend added to both" sh -c "'$SLUICECTL' --api unix:$SOCK_lb backend add $VIP:8080/tcp 198.18.11.2 &&
	'$SLUICECTL' --api unix:$SOCK_lb backend add $VIP:8081/tcp 198.18.11.2"
check "the backend is up: blackhole $VIP in table 83 proto 83 on the node" \
	wait_until 10 sh -c "ip -n '$NS_L' route show table 83 proto 83 | grep -q 'blackhole $VIP'"
check "GET /v1/vips says announced: true" test "$(announced)" = "[True, True]"
m=$(api lb /metrics)
check "/metrics: sluice_lb_vip_announced 1" \
	grep -qx "sluice_lb_vip_announced{vip=\"$VIP:8080/tcp\"} 1" <<<"$m"
check "/metrics: sluice_announce_routes 1" \
	grep -qx "sluice_announce_routes 1" <<<"$m"
out=$(sctl lb vip show 2>&1)
check "sluicectl vip show has the column (announced yes)" \
	grep -q "announced yes" <<<"$out"
# sluiced puts nothing in the main table (t_announce_bird.sh checks it
# with a BIRD that exports nothing to the kernel); FRR's zebra installs
# the routes it imports from table 83 there: harmless to the XDP LB (the
# requests below go through it), documented in docs/deploy.md.
main=$(ip -n "$NS_L" route show table main $VIP/32)
echo "# node's main table for $VIP (zebra's import): ${main:-none}"
check "the upstream learns $VIP over eBGP from the node" wait_until 30 up_has_vip
ok=0
for i in $(seq 1 20); do
	body=$(ip netns exec "$NS_C" curl -sf -m 3 "http://$VIP:8080/" 2>/dev/null)
	[ "$body" = b1 ] && ok=$((ok + 1))
done
check "20 of 20 requests through the BGP route and the XDP LB ($ok)" test "$ok" -eq 20
if [ "$ok" -ne 20 ]; then
	echo "# node: $(ip -n "$NS_L" route show table all | grep -F $VIP)"
	echo "# upstream: $(ip -n "$NS_R" route show | tr '\n' ';')"
	echo "# backend decap_ipip $(packets be b0 decap_ipip)"
	api lb /v1/stats | head -c 1500 | sed 's/^/# /'; echo
	api be /v1/stats | head -c 1500 | sed 's/^/# /'; echo
fi
fwd=$(packets lb l0 fwd_lb_tx)
check "the XDP LB forwarded them (fwd_lb_tx $fwd)" test "$fwd" -ge 20

# All backends fail: the HTTP server stops.
pid=$(responder_pid)
[ -n "$pid" ] && kill "$pid"
t_node=$(ms_until 10 sh -c "[ -z \"\$(ip -n '$NS_L' route show table 83 proto 83)\" ]")
t_up=$(ms_until 20 up_lacks_vip)
t_up=$((t_up + t_node))
echo "# withdrawn: node table 83 after ${t_node} ms, upstream BGP route after ${t_up} ms (checks every ${INTERVAL} ms, fall ${FALL}: $((INTERVAL * FALL)) ms)"
check "backend down: the node's route goes within 3 s (${t_node} ms)" \
	test "$t_node" -ge 0 -a "$t_node" -le 3000
check "and the upstream's BGP route within 5 s (${t_up} ms)" \
	test "$t_node" -ge 0 -a "$t_up" -ge "$t_node" -a "$t_up" -le 5000
check "GET /v1/vips says announced: false" test "$(announced)" = "[False, False]"
m=$(api lb /metrics)
check "/metrics: sluice_lb_vip_announced 0" \
	grep -qx "sluice_lb_vip_announced{vip=\"$VIP:8080/tcp\"} 0" <<<"$m"

responder_start "$NS_B" b1 || die "backend server again"
t_back=$(ms_until 20 up_has_vip)
echo "# announced again at the upstream after ${t_back} ms"
check "backend back: announced again at the upstream (${t_back} ms)" \
	test "$t_back" -ge 0
check "announced: true again" test "$(announced)" = "[True, True]"

# ---- drain -------------------------------------------------------------------
conn_start
sleep 1
check "node drain" sctl lb node drain --grace 30
t_drain=$(ms_until 20 up_lacks_vip)
echo "# drain: withdrawn at the upstream after ${t_drain} ms"
check "drain withdraws the VIP at the upstream within 5 s (${t_drain} ms)" \
	test "$t_drain" -ge 0 -a "$t_drain" -le 5000
check "the upstream falls back to its floating static route (the other nodes)" \
	sh -c "ip -n '$NS_R' route show $VIP/32 | grep -q 'proto static'"
check "the node's table 83 is empty" \
	sh -c "[ -z \"\$(ip -n '$NS_L' route show table 83 proto 83)\" ]"
out=$(sctl lb node show 2>&1)
check "node show: state draining" grep -Eq 'state +draining' <<<"$out"
m=$(api lb /metrics)
check "/metrics: sluice_node_draining 1" grep -qx "sluice_node_draining 1" <<<"$m"
check "node show: grace 30" grep -Eq 'grace \(s\) +30' <<<"$out"
out=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK_lb" \
	-X POST -d '{}' http://sluiced/v1/node/drain)
check "a drain while draining: 409 ($out)" test "$out" = 409
out=$(sctl lb node drain 2>&1)
check "sluicectl says why: already draining" grep -q "already draining" <<<"$out"
check "the first drain is intact (grace still 30)" \
	test "$(api_json lb /v1/node "str(d['grace_s'])")" = 30
check_fails "sluicectl node drain --grace 99999 is refused" \
	sctl lb node drain --grace 99999
out=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK_lb" \
	-X POST -d '{"grace_s": 99999}' http://sluiced/v1/node/drain)
check "POST /v1/node/drain {grace_s: 99999}: 400 ($out)" test "$out" = 400
sleep 2
check "undrain" sctl lb node undrain
t_undrain=$(ms_until 20 up_has_vip)
echo "# undrain: announced at the upstream after ${t_undrain} ms"
check "undrain announces it again (${t_undrain} ms)" test "$t_undrain" -ge 0
out=$(sctl lb node undrain 2>&1)
check "an undrain while not draining is refused" grep -q "not draining" <<<"$out"
conn_stop >/dev/null
echo "# connection through the drain: $(cat "$T_TMP/conn.out")"
check "the established connection kept working through drain/undrain (errors 0, $(conn_lines) lines)" \
	test "$(conn_errors)" = 0 -a "$(conn_lines)" -gt 20

# ---- restarts do not withdraw ------------------------------------------------
# A watcher samples the upstream every 50 ms across both restarts.
watch_up() {
	local miss=0
	while [ ! -e "$T_TMP/watch.stop" ]; do
		up_has_vip || miss=$((miss + 1))
		sleep 0.05
	done
	echo "$miss" >"$T_TMP/watch.out"
}
rm -f "$T_TMP/watch.stop"
watch_up &
WATCH=$!
conn_start
sleep 0.5
sluiced_stop lb TERM
check "SIGTERM (no grace configured, --keep-on-exit): table 83 keeps the route" \
	sh -c "ip -n '$NS_L' route show table 83 proto 83 | grep -q 'blackhole $VIP'"
sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" --interface l0 --keep-on-exit ||
	die "sluiced (LB) restart"
sleep 1
sluiced_stop lb KILL
check "SIGKILL: table 83 keeps the route" \
	sh -c "ip -n '$NS_L' route show table 83 proto 83 | grep -q 'blackhole $VIP'"
sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" --interface l0 --keep-on-exit ||
	die "sluiced (LB) restart after SIGKILL"
check "the restarted daemon adopts it: announced true once checked" \
	wait_until 10 sh -c "[ \"\$('$SLUICECTL' --api unix:$SOCK_lb -j vip show | grep -c '\"announced\": true')\" = 2 ]"
sleep 1
touch "$T_TMP/watch.stop"
wait "$WATCH"
conn_stop >/dev/null
check "the upstream never lost the route across both restarts (misses $(cat "$T_TMP/watch.out"))" \
	test "$(cat "$T_TMP/watch.out")" = 0
echo "# connection through the restarts: $(cat "$T_TMP/conn.out")"
check "the connection kept working across both restarts (errors 0)" \
	test "$(conn_errors)" = 0

# ---- SIGTERM with a grace period: drain, forward, exit -------------------------
sluiced_stop lb TERM
cat >"$T_TMP/lb-grace.json" <<EOF
{"announce": {"enabled": true}, "node": {"sigterm_grace_s": 3}}
EOF
sluiced_start "$NS_L" lb --config "$T_TMP/lb-grace.json" --interface l0 --keep-on-exit ||
	die "sluiced (LB) with a grace"
check "node show: SIGTERM grace 3" \
	test "$(api_json lb /v1/node "str(d['sigterm_grace_s'])")" = 3
conn_start
sleep 0.5
t0=$(ms_now)
kill -TERM "$PID_lb"
t_w=$(ms_until 10 up_lacks_vip)
check "SIGTERM with grace: withdrawn at the upstream (${t_w} ms)" test "$t_w" -ge 0
check "and still running during the grace" kill -0 "$PID_lb"
# not sluiced_stop: a second SIGTERM exits at once
exited() {
	! kill -0 "$PID_lb" 2>/dev/null ||
		grep -q '^[0-9]* ([^)]*) Z' "/proc/$PID_lb/stat" 2>/dev/null
}
wait_until 15 exited
t_exit=$(($(ms_now) - t0))
echo "# SIGTERM grace 3 s: exited after ${t_exit} ms"
check "it exited after the grace (${t_exit} ms >= 2900)" test "$t_exit" -ge 2900
conn_stop >/dev/null
echo "# connection through the SIGTERM grace: $(cat "$T_TMP/conn.out")"
check "the connection kept working (XDP stays: --keep-on-exit) (errors 0)" \
	test "$(conn_errors)" = 0

# ---- the graceful_shutdown drain: announced with 65535:0 instead -------------
echo '{"announce": {"enabled": true, "drain": "graceful_shutdown", "gshut_table": 84}}' \
	>"$T_TMP/lb-gshut.json"
sluiced_start "$NS_L" lb --config "$T_TMP/lb-gshut.json" --interface l0 --keep-on-exit ||
	die "sluiced (LB) with the graceful_shutdown drain"
check "graceful_shutdown drain configured: announced, without the community" \
	wait_until 20 up_no_gshut
check "node drain (graceful_shutdown)" sctl lb node drain
t_g=$(ms_until 20 up_gshut)
echo "# graceful_shutdown drain: the upstream has the community after ${t_g} ms"
check "the upstream keeps the route, now with GRACEFUL_SHUTDOWN (${t_g} ms)" \
	test "$t_g" -ge 0
check "the route is in table 84, no longer in 83" \
	sh -c "ip -n '$NS_L' route show table 84 proto 83 | grep -q 'blackhole $VIP' &&
		[ -z \"\$(ip -n '$NS_L' route show table 83 proto 83)\" ]"
check "GET /v1/vips: still announced" test "$(announced)" = "[True, True]"
check "undrain" sctl lb node undrain
t_ng=$(ms_until 20 up_no_gshut)
check "undrain: the community is gone at the upstream (${t_ng} ms)" test "$t_ng" -ge 0
check "and the route is back in table 83 only" \
	sh -c "ip -n '$NS_L' route show table 83 proto 83 | grep -q 'blackhole $VIP' &&
		[ -z \"\$(ip -n '$NS_L' route show table 84 proto 83)\" ]"
check "the upstream kept its BGP route all along" up_has_vip

# ---- without --keep-on-exit the data path goes with the process: the
# routes too (a VIP nobody forwards must not stay announced)
sluiced_stop lb TERM
sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" --interface l0 ||
	die "sluiced (LB) without --keep-on-exit"
check "adopted and announced" wait_until 20 sh -c "[ \"\$('$SLUICECTL' --api unix:$SOCK_lb -j vip show | grep -c '\"announced\": true')\" = 2 ]"
sluiced_stop lb TERM
check "exit without --keep-on-exit: table 83 is empty" \
	sh -c "[ -z \"\$(ip -n '$NS_L' route show table 83 proto 83)\" ]"
check "and the upstream loses its BGP route" wait_until 10 up_lacks_vip
tap_done
