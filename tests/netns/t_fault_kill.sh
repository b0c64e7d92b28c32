#!/usr/bin/env bash
# SIGKILL of sluiced under load.  client -- router (sluiced, kernel
# forwarding off, so only XDP forwards) -- server, with an iperf3 TCP stream
# and a 100 pps probe running through the router (UDP datagrams with a
# sequence number to the server's echo, paced on absolute times: ping -i
# 0.01 manages only about 50 a second here under the iperf3 load).
#  a) started with --keep-on-exit, SIGKILLed mid-stream: the pinned links
#     keep forwarding while it is down (probe loss and TCP resets counted),
#     the restarted daemon adopts the maps and links, and the routes and the
#     VIP a user made are still there and still carry traffic.
#  b) started WITHOUT --keep-on-exit, SIGKILLed: a killed daemon cannot
#     clean up, so what is kept is exactly what --keep-on-exit keeps (pins,
#     links, forwarding); the next start adopts it, and the next orderly
#     stop without the flag removes it.
# docs/operations.md gives the figures.  FAULT_KILL_S (default 12) is the
# stream's length; `make soak` runs it longer.
# shellcheck disable=SC2154 # PIN_r, PID_r, SOCK_r: set by sluiced_start
. "$(dirname "$0")/lib.sh"

S4=198.18.200.1 # served by the server, routed via 198.18.200.0/24
VIP=198.18.100.1
DUR=${FAULT_KILL_S:-12}

topo_basic || die "topology"
own_addr "$NS_S" "$S4/32" || die "extra address on the server"
ip -n "$NS_R" route add 198.18.200.0/24 via 198.18.2.2 dev r1 || die "v4 route"
responder_start "$NS_S" S || die "responder"
cat >"$T_TMP/r.json" <<EOF
{"interfaces": ["r0", "r1"], "conntrack": {"enabled": true}}
EOF
sluiced_start "$NS_R" r -c "$T_TMP/r.json" --keep-on-exit || die "sluiced"
PIN=$PIN_r
warm "$NS_C" 198.18.2.2 || die "warm-up ping"
wait_until 10 route_has r 198.18.200.0/24 || die "v4 route not mirrored"
sctl r vip add $VIP:8080/tcp --mode fullnat >/dev/null || die "vip add"
sctl r backend add $VIP:8080/tcp 198.18.2.2 >/dev/null || die "backend add"
kernel_forwarding "$NS_R" off
check "before: the VIP answers through XDP" who "$NS_C" $VIP
check "before: ping over the static route via XDP" \
	ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 "$S4"

# tcp_mib NS FIELD: a counter from the Tcp: line of the namespace's
# /proc/net/snmp (EstabResets, OutRsts, RetransSegs...).
tcp_mib() {
	ip netns exec "$1" cat /proc/net/snmp | awk -v f="$2" '
		$1 == "Tcp:" && !h { for (i = 2; i <= NF; i++) col[$i] = i; h = 1; next }
		$1 == "Tcp:" && h { print $col[f] }'
}

# probe.py ADDR SECONDS: one datagram every 10 ms (absolute times) to
# ADDR:9000 (the responder answers each one), the answers collected as
# they come and for 1 s after; prints "SENT ANSWERED LONGEST-SILENCE-MS".
cat >"$T_TMP/probe.py" <<'PYEOF'
import select, socket, sys, time
addr, secs = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
times = []
def drain():
    while True:
        try:
            s.recv(64)
        except BlockingIOError:
            return
        times.append(time.monotonic())
t0 = time.monotonic()
n = 0
while time.monotonic() - t0 < secs:
    s.sendto(b"x", (addr, 9000))
    n += 1
    while True:
        left = t0 + n * 0.01 - time.monotonic()
        if left <= 0:
            break
        if select.select([s], [], [], left)[0]:
            drain()
end = time.monotonic() + 1
while time.monotonic() < end and len(times) < n:
    if select.select([s], [], [], 0.1)[0]:
        drain()
gap = max((b - a for a, b in zip(times, times[1:])), default=0)
print(n, len(times), int(gap * 1000))
PYEOF

# RSTs of the iperf3 connections, seen at the server, either way.
ip netns exec "$NS_S" nft -f - <<'EOF' || die "nft RST counter"
table inet rst {
	counter rsts { }
	chain in { type filter hook input priority 0; tcp dport 5201 tcp flags & rst != 0 counter name rsts; }
	chain out { type filter hook output priority 0; tcp sport 5201 tcp flags & rst != 0 counter name rsts; }
}
EOF
iperf_rsts() {
	ip netns exec "$NS_S" nft -j list counter inet rst rsts | "$T_PY" -c '
import json, sys
print(next(o["counter"]["packets"] for o in json.load(sys.stdin)["nftables"] if "counter" in o))'
}

# load_start TAG: iperf3 (DUR s, 200 Mbit/s so the two cores stay usable)
# and the 100 pps probe, both in the background.
load_start() {
	ip netns exec "$NS_S" timeout $((DUR + 20)) iperf3 -s -1 -p 5201 \
		>"$T_TMP/iperf-s-$1.out" 2>&1 &
	T_PIDS+=("$!")
	wait_until 5 sh -c "ip netns exec '$NS_S' ss -Hltn sport = :5201 | grep -q ." ||
		return 1
	rst_c0=$(tcp_mib "$NS_C" EstabResets)
	rst0=$(iperf_rsts)
	# The resets are sampled 0.7 s before the stream's end: when iperf3
	# closes a socket with data still unread the kernel sends a RST, a
	# teardown race that has nothing to do with the data path.
	(
		sleep "$((DUR - 1)).3"
		echo "$(tcp_mib "$NS_C" EstabResets) $(iperf_rsts)" >"$T_TMP/rst-$1.tmp"
		mv "$T_TMP/rst-$1.tmp" "$T_TMP/rst-$1.mid"
	) &
	ip netns exec "$NS_C" timeout $((DUR + 20)) iperf3 -c 198.18.2.2 -p 5201 \
		-t "$DUR" -b 200M --json >"$T_TMP/iperf-$1.json" 2>&1 &
	iperf_pid=$!
	ip netns exec "$NS_C" timeout $((DUR + 20)) "$T_PY" "$T_TMP/probe.py" \
		"$S4" "$DUR" >"$T_TMP/ping-$1.out" 2>&1 &
	ping_pid=$!
}
# load_end TAG LABEL: waits for them and checks what they measured.
load_end() {
	local tag=$1 label=$2 sent recv rc fig prc rc_c rc_s mid
	wait "$iperf_pid"
	rc=$?
	wait "$ping_pid"
	read -r sent recv gap <"$T_TMP/ping-$tag.out"
	echo "# $label: probe ${sent:-?} sent in $DUR s, ${recv:-?} answered, longest silence ${gap:-?} ms"
	if [ "${sent:-0}" -ge $((DUR * 95)) ] && [ "${recv:-0}" -ge $((${sent:-0} - 2)) ]; then
		tap_ok "$label: 100 pps probe lost at most 2 ($((sent - recv)) of $sent lost)"
	else
		tap_fail "$label: 100 pps probe lost at most 2" \
			"$(tr '\n' ' ' <"$T_TMP/ping-$tag.out")"
	fi
	fig=$("$T_PY" - "$T_TMP/iperf-$tag.json" "$DUR" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
if "error" in d:
    print("error", d["error"])
    sys.exit(1)
s = d["end"]["sum_sent"]
r = d["end"]["sum_received"]
low = min(i["sum"]["bits_per_second"] for i in d["intervals"]) / 1e6
print("%.1f s, %d bytes sent, %d received, %d retransmits, %.0f Mbit/s, "
      "slowest 1 s interval %.0f Mbit/s"
      % (r["seconds"], s["bytes"], r["bytes"], s.get("retransmits", -1),
         r["bits_per_second"] / 1e6, low))
sys.exit(0 if r["bytes"] > 0 and r["seconds"] >= float(sys.argv[2]) - 0.5
         and low > 1 else 1)
PYEOF
	)
	prc=$?
	echo "# $label: iperf3 $fig"
	if [ "$rc" -eq 0 ] && [ $prc -eq 0 ]; then
		tap_ok "$label: iperf3 TCP stream ran its $DUR s, no error, no 1 s interval without data"
	else
		tap_fail "$label: iperf3 TCP stream ran its $DUR s, no error, no 1 s interval without data" \
			"exit $rc: $fig $(head -c 400 "$T_TMP/iperf-$tag.json")"
	fi
	wait_until 5 test -e "$T_TMP/rst-$tag.mid"
	read -r -a mid <"$T_TMP/rst-$tag.mid"
	rc_c=$((${mid[0]:-99} - rst_c0))
	rc_s=$((${mid[1]:-99} - rst0))
	echo "# $label: during the stream: client TCP EstabResets +$rc_c, RSTs on port 5201 +$rc_s;" \
		"at its end: +$(($(tcp_mib "$NS_C" EstabResets) - rst_c0 - rc_c)), +$(($(iperf_rsts) - rst0 - rc_s))"
	check "$label: no TCP reset during the stream (client EstabResets +$rc_c, RSTs on 5201 +$rc_s)" \
		test $((rc_c + rc_s)) -eq 0
}

# ---- a) SIGKILL with --keep-on-exit ------------------------------------------------
load_start keep || die "iperf3 server"
sleep 2 # pacing only: the stream is established and running
t0=$(ms_now)
sluiced_stop r KILL
check "a) SIGKILL: sluiced is gone" sh -c "! kill -0 $PID_r 2>/dev/null"
check "a) killed: XDP still attached to r0 and r1" \
	sh -c "xdp_on() { ip -d -n \"\$1\" link show \"\$2\" | grep -q prog/xdp; }; xdp_on '$NS_R' r0 && xdp_on '$NS_R' r1"
check "a) killed: the pinned links and maps are there" \
	test -e "$PIN/link_r0" -a -e "$PIN/link_r1" -a -e "$PIN/routes_v4"
sleep 1 # down for a while under load
t1=$(ms_now)
sluiced_start "$NS_R" r -c "$T_TMP/r.json" --keep-on-exit || die "restart after SIGKILL"
echo "# a) down for $(($(ms_now) - t0)) ms (SIGKILL to API up again; the start took $(($(ms_now) - t1)) ms)"
kill -0 "$iperf_pid" 2>/dev/null ||
	echo "# a) (a slow start: the stream ended before the new sluiced answered)"
load_end keep "a) SIGKILL, --keep-on-exit"
check "a) restarted: /v1/status maps_reused is true" test "$(status_field r maps_reused)" = True
for i in r0 r1; do
	check "a) restarted: $i attached and adopted" \
		test "$(iface_field r $i state)/$(iface_field r $i adopted)" = attached/True
done
check "a) restarted: the log says it adopted both pinned links" \
	sh -c "test \$(grep -c 'adopted the pinned XDP link' '$T_TMP/r.log') -eq 2"
check "a) restarted: the static route is still programmed" route_has r 198.18.200.0/24
check "a) restarted: ...and still in the pinned map" map_route_has "$PIN" 198.18.200.0/24
check "a) restarted: the VIP is still configured" api_json r /v1/vips \
	"any(v['address'] == '$VIP' for v in d['vips']) or None"
check "a) restarted: the VIP still answers" who "$NS_C" $VIP

# ---- b) SIGKILL without --keep-on-exit ---------------------------------------------
sluiced_stop r TERM || tap_fail "a) orderly stop with --keep-on-exit"
sluiced_start "$NS_R" r -c "$T_TMP/r.json" || die "start without --keep-on-exit"
load_start nokeep || die "iperf3 server (b)"
sleep 2
sluiced_stop r KILL
check "b) killed without --keep-on-exit: XDP still attached to r0 and r1" \
	sh -c "ip -d -n '$NS_R' link show r0 | grep -q prog/xdp && ip -d -n '$NS_R' link show r1 | grep -q prog/xdp"
check "b) killed without --keep-on-exit: pins are all still there" \
	test -e "$PIN/link_r0" -a -e "$PIN/link_r1" -a -e "$PIN/routes_v4"
check "b) killed: the API socket file is left behind" test -S "$SOCK_r"
sleep 1
sluiced_start "$NS_R" r -c "$T_TMP/r.json" || die "restart after SIGKILL (b)"
load_end nokeep "b) SIGKILL, no --keep-on-exit"
check "b) restarted: maps_reused is true (what the killed run left)" \
	test "$(status_field r maps_reused)" = True
check "b) restarted: r0 adopted" test "$(iface_field r r0 adopted)" = True
check "b) restarted: the VIP still answers" who "$NS_C" $VIP
check "b) restarted: the static route is still programmed" route_has r 198.18.200.0/24
if sluiced_stop r TERM; then
	tap_ok "b) then SIGTERM without --keep-on-exit: exit status 0"
else
	tap_fail "b) then SIGTERM without --keep-on-exit: exit status 0" "status $?"
fi
check_fails "b) the orderly stop removed what the killed run left: pin dir" test -e "$PIN"
check_fails "b) ...and XDP on r0" xdp_on "$NS_R" r0
check_fails "b) ...and XDP on r1" xdp_on "$NS_R" r1

echo "# t_fault_kill took $SECONDS s"
tap_done
