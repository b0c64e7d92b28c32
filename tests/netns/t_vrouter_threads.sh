#!/usr/bin/env bash
# sluice-vrouter with two threads: c1 (c0) -- (a0) vr (b0) -- (c2) c2 on
# veths of two queues each, kernel forwarding off, sluiced (router role,
# transit steering) and `sluice-vrouter --threads 2` on a0 and b0.  Thread i
# polls queue i of both ports with a graph of its own and sends on queue
# i; the punt TAP has one queue per thread.  An iperf3 TCP transfer of 8
# flows spreads over both queues: both threads' if-output forward, every
# segment c1 sent went through user space, and sluiced sees a socket on
# each queue of each port.
. "$(dirname "$0")/lib.sh"

t_start=$SECONDS
VROUTER=${VROUTER:-$(dirname "$SLUICED")/sluice-vrouter}
[ -x "$VROUTER" ] || die "no sluice-vrouter at $VROUTER (make all)"
command -v iperf3 >/dev/null || die "iperf3 not installed (scripts/deps.sh installs it)"

netns_add NS_C1 c1 && netns_add NS_V vr && netns_add NS_C2 c2 || die "netns"
veth2q() { # NS_A IF_A MAC_A NS_B IF_B MAC_B: a veth pair of two queues a side
	ip link add "$2" netns "$1" address "$3" numtxqueues 2 numrxqueues 2 \
		type veth peer name "$5" netns "$4" address "$6" \
		numtxqueues 2 numrxqueues 2 || return 1
	ip -n "$1" link set "$2" up && ip -n "$4" link set "$5" up
}
veth2q "$NS_C1" c0 02:00:00:00:74:02 "$NS_V" a0 02:00:00:00:74:01 || die "veth c1-vr"
veth2q "$NS_V" b0 02:00:00:00:75:01 "$NS_C2" c2 02:00:00:00:75:02 || die "veth vr-c2"
ip -n "$NS_C1" addr add 198.18.74.2/24 dev c0 &&
	ip -n "$NS_V" addr add 198.18.74.1/24 dev a0 &&
	ip -n "$NS_V" addr add 198.18.75.1/24 dev b0 &&
	ip -n "$NS_C2" addr add 198.18.75.2/24 dev c2 || die "addresses"
ip -n "$NS_C1" route add default via 198.18.74.1 &&
	ip -n "$NS_C2" route add default via 198.18.75.1 || die "routes"
host_if "$NS_C1" c0 && host_if "$NS_C2" c2 || die "ethtool"
kernel_forwarding "$NS_V" off

sluiced_start "$NS_V" v --interface a0 --interface b0 || die "sluiced"
check "vr resolves c1" warm "$NS_V" 198.18.74.2
check "vr resolves c2" warm "$NS_V" 198.18.75.2
# shellcheck disable=SC2154 # PIN_v and SOCK_v are set by sluiced_start
out=$(in_ns "$NS_V" timeout 20 "$VROUTER" --port a0 --port b0 --threads 2 \
	--pin-dir "$PIN_v" --api "unix:$T_TMP/nosuch.sock" --steer required 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
check "--steer required and no API: exit 1 naming the request and the API" \
	test "$rc:$(echo "$out" | grep -c "transit steering (required): GET /v1/steer: sluiced's API unix:$T_TMP/nosuch.sock: No such file")" = 1:1
# a port sluiced does not manage: refused before anything is opened (it
# used to get a program of libpktio's own, taking all its traffic)
out=$(in_ns "$NS_V" timeout 20 "$VROUTER" --port a0 --port lo \
	--pin-dir "$PIN_v" --api "unix:$SOCK_v" --steer required 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
check "a port sluiced does not manage: exit 1 naming it" \
	test "$rc:$(echo "$out" | grep -c "ports\[1\] (lo): sluiced (pin dir $PIN_v) does not manage lo")" = 1:1
check "and lo got no XDP program" sh -c "! ip -n '$NS_V' -d link show lo | grep -q prog/xdp"
# more threads than the ports have queues: said once, with the count
out=$(in_ns "$NS_V" timeout 20 "$VROUTER" --port a0 --port b0 --threads 3 \
	--pin-dir "$PIN_v" --api "unix:$SOCK_v" --steer required 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
check "--threads 3 on ports of 2 queues: exit 1, said once with the count" \
	test "$rc:$(echo "$out" | grep -c 'dev a0 has 2 queues (0..1): queues 0..2 asked for')" = 1:1
socks=$(sctl v steer show -j | "$T_PY" -c '
import json, sys
print(sum(len(s["queues"]) for s in json.load(sys.stdin)["sockets"]))')
check "after that failure: no socket left in sluiced, no TAP ($socks)" \
	test "$socks:$(ip -n "$NS_V" link show sv-punt 2>/dev/null)" = 0:
# shellcheck disable=SC2154
nsenter --net="/var/run/netns/$NS_V" "$VROUTER" --port a0 --port b0 --threads 2 \
	--pin-dir "$PIN_v" --api "unix:$SOCK_v" --steer required \
	--stats-file "$T_TMP/vr.json" --idle-sleep 20 \
	>"$T_TMP/vr.out" 2>"$T_TMP/vr.log" &
VR_PID=$!
T_PIDS+=("$VR_PID")
wait_until 10 grep -q "routing on" "$T_TMP/vr.log" || die "sluice-vrouter: $(cat "$T_TMP/vr.log")"
sed 's/^/# /' "$T_TMP/vr.log"
socks=$(sctl v steer show -j | "$T_PY" -c '
import json, sys
print(sum(len(s["queues"]) for s in json.load(sys.stdin)["sockets"]))')
check "sluiced sees 4 sockets: queues 0 and 1 of a0 and b0 ($socks)" test "$socks" = 4
check "the punt TAP has two queues" \
	test "$(ip netns exec "$NS_V" ls /sys/class/net/sv-punt/queues | grep -c rx-)" = 2

# per_thread NODE: the node's packets in each thread, "N0 N1"
per_thread() {
	kill -USR1 "$VR_PID" 2>/dev/null
	sleep 0.3
	"$T_PY" - "$T_TMP/vr.json" "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(str(sum(n["packets"] for n in t["graph"]["nodes"]
                       if n["name"] == sys.argv[2])) for t in d["threads"]))
EOF
}
check "ping c1 -> c2 through the vRouter" \
	ip netns exec "$NS_C1" ping -c 3 -i 0.2 -W 1 198.18.75.2
ip netns exec "$NS_C2" iperf3 -s -D -p 5201 --logfile "$T_TMP/iperf-s.txt" || die "iperf3 server"
wait_until 5 sh -c "ip netns exec '$NS_C2' ss -Hltn sport = :5201 | grep -q ." ||
	die "iperf3 server listening"
read -r b0 b1 < <(per_thread if-output)
ob=$(ip netns exec "$NS_C1" awk '$1 == "Tcp:" { if (!c) { for (i = 2; i <= NF; i++)
	if ($i == "OutSegs") c = i } else { print $c; exit } }' /proc/net/snmp)
check "iperf3 TCP c1 -> c2, 8 flows, 3 s" timeout 20 ip netns exec "$NS_C1" \
	iperf3 -c 198.18.75.2 -p 5201 -P 8 -t 3
oa=$(ip netns exec "$NS_C1" awk '$1 == "Tcp:" { if (!c) { for (i = 2; i <= NF; i++)
	if ($i == "OutSegs") c = i } else { print $c; exit } }' /proc/net/snmp)
read -r a0 a1 < <(per_thread if-output)
echo "# if-output per thread: vr0 +$((a0 - b0)), vr1 +$((a1 - b1)); c1 sent $((oa - ob)) segments"
check "thread vr0 forwarded some (+$((a0 - b0)))" test $((a0 - b0)) -gt 0
check "thread vr1 forwarded some (+$((a1 - b1)))" test $((a1 - b1)) -gt 0
check "the two threads forwarded every segment c1 sent and the ACKs" \
	test $((a0 - b0 + a1 - b1)) -ge $((oa - ob))

kill -TERM "$VR_PID"
for _ in $(seq 1 50); do
	kill -0 "$VR_PID" 2>/dev/null || break
	sleep 0.1
done
rc=0
wait "$VR_PID" || rc=$?
check "the vRouter exits 0 on SIGTERM" test "$rc" = 0
echo "# $(cat "$T_TMP/vr.out")"
socks=$(sctl v steer show -j | "$T_PY" -c '
import json, sys
d = json.load(sys.stdin)
print(sum(len(s["queues"]) for s in d["sockets"]), sum(1 for s in d["selectors"] if s.get("transit")))')
check "no socket and no transit selector left in sluiced ($socks)" test "$socks" = "0 0"
check "the punt TAP is gone" test -z "$(ip -n "$NS_V" link show sv-punt 2>/dev/null)"
check "ping c1 -> c2 through sluiced's XDP again" \
	ip netns exec "$NS_C1" ping -c 3 -i 0.2 -W 1 198.18.75.2
echo "# elapsed: $((SECONDS - t_start)) s"
tap_done
