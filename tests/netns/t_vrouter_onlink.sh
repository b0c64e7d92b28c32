#!/usr/bin/env bash
# sluice-vrouter to a host on a connected subnet that nothing resolved:
# c1 (c0) -- (a0) vr (b0) -- (c2) c2, the kernel's forwarding off in vr,
# sluiced (router role, transit steering) and sluice-vrouter on a0 and b0,
# c2 never resolved by vr (its neighbours on b0 flushed).  Transit
# steering hands the packets to c2 to the vRouter before XDP's neighbour
# step, so only the vRouter can note the miss: its ip4-lookup/ip6-lookup
# write the note into sluiced's neigh_wanted map
# (lib/fibread/neigh_note.c), sluiced asks the kernel to resolve c2, and
# the next packets go through the vRouter.  Without the note, vr's kernel
# (forwarding off) drops the punted packets and never resolves c2.
. "$(dirname "$0")/lib.sh"

t_start=$SECONDS
VROUTER=${VROUTER:-$(dirname "$SLUICED")/sluice-vrouter}
[ -x "$VROUTER" ] || die "no sluice-vrouter at $VROUTER (make all)"

netns_add NS_C1 c1 && netns_add NS_V vr && netns_add NS_C2 c2 || die "netns"
veth "$NS_C1" c0 02:00:00:00:78:02 "$NS_V" a0 02:00:00:00:78:01 || die "veth c1-vr"
veth "$NS_V" b0 02:00:00:00:79:01 "$NS_C2" c2 02:00:00:00:79:02 || die "veth vr-c2"
addr() { # NS IF V4 V6
	ip -n "$1" addr add "$3" dev "$2" && ip -n "$1" addr add "$4" dev "$2" nodad
}
addr "$NS_C1" c0 198.18.78.2/24 2001:db8:78::2/64 &&
	addr "$NS_V" a0 198.18.78.1/24 2001:db8:78::1/64 &&
	addr "$NS_V" b0 198.18.79.1/24 2001:db8:79::1/64 &&
	addr "$NS_C2" c2 198.18.79.2/24 2001:db8:79::2/64 || die "addresses"
ip -n "$NS_C1" route add default via 198.18.78.1 &&
	ip -n "$NS_C1" -6 route add default via 2001:db8:78::1 &&
	ip -n "$NS_C2" route add default via 198.18.79.1 &&
	ip -n "$NS_C2" -6 route add default via 2001:db8:79::1 || die "routes"
host_if "$NS_C1" c0 && host_if "$NS_C2" c2 || die "ethtool"
kernel_forwarding "$NS_V" off

sluiced_start "$NS_V" v --interface a0 --interface b0 || die "sluiced"
wait_until 5 iface_state_is v b0 attached || die "b0 not attached"
check "vr resolves c1 (v4)" warm "$NS_V" 198.18.78.2
check "vr resolves c1 (v6)" warm "$NS_V" 2001:db8:78::2
check "the kernel's forwarding is off in vr" test \
	"$(ip netns exec "$NS_V" sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding | tr '\n' ' ')" = "0 0 "

# resolved ADDR: vr's kernel has a usable entry for c2's ADDR on b0
resolved() {
	local e
	e=$(ip -n "$NS_V" neigh show "$1" dev b0)
	[[ "$e" == *REACHABLE* || "$e" == *STALE* || "$e" == *DELAY* ]]
}
ip -n "$NS_V" neigh flush dev b0
ip -n "$NS_V" -6 neigh flush dev b0
check "c2 (v4) not resolved in vr before traffic" test -z "$(ip -n "$NS_V" neigh show 198.18.79.2 dev b0)"
check "c2 (v6) not resolved in vr before traffic" test -z "$(ip -n "$NS_V" neigh show 2001:db8:79::2 dev b0)"

# shellcheck disable=SC2154 # PIN_v and SOCK_v are set by sluiced_start
nsenter --net="/var/run/netns/$NS_V" "$VROUTER" --port a0 --port b0 \
	--pin-dir "$PIN_v" --api "unix:$SOCK_v" --steer required \
	--stats-file "$T_TMP/vr.json" --idle-sleep 20 \
	>"$T_TMP/vr.out" 2>"$T_TMP/vr.log" &
VR_PID=$!
T_PIDS+=("$VR_PID")
wait_until 10 grep -q "routing on" "$T_TMP/vr.log" || die "sluice-vrouter: $(cat "$T_TMP/vr.log")"
sed 's/^/# /' "$T_TMP/vr.log"

# total KEY: the vRouter's totals.KEY, dumped now
total() {
	kill -USR1 "$VR_PID" 2>/dev/null
	sleep 0.3
	"$T_PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["totals"][sys.argv[2]])' \
		"$T_TMP/vr.json" "$1"
}
f0=$(total forwarded)
n0=$(total onlink_notes)

# One packet each: the vRouter punts it (the kernel, forwarding off, drops
# it); the note it leaves is what resolves c2.
ip netns exec "$NS_C1" ping -c 1 -W 1 198.18.79.2 >/dev/null 2>&1
ip netns exec "$NS_C1" ping -6 -c 1 -W 1 2001:db8:79::2 >/dev/null 2>&1
check "c2 (v4) resolved in vr after one packet" wait_until 5 resolved 198.18.79.2
check "c2 (v6) resolved in vr after one packet" wait_until 5 resolved 2001:db8:79::2
echo "# $(ip -n "$NS_V" neigh show dev b0 | tr '\n' ';')"
n1=$(total onlink_notes)
check "the vRouter noted both ($n0 -> $n1)" test "$n1" -ge $((n0 + 2))
check "sluiced asked the kernel for them" \
	test "$(status_field v onlink_resolutions)" -ge 2

check "v4 ping c1 -> c2 through the vRouter, forwarding off" \
	ip netns exec "$NS_C1" ping -c 3 -i 0.2 -W 1 198.18.79.2
check "v6 ping c1 -> c2 through the vRouter, forwarding off" \
	ip netns exec "$NS_C1" ping -6 -c 3 -i 0.2 -W 1 2001:db8:79::2
f1=$(total forwarded)
check "the vRouter forwarded the 12 echoes and replies (+$((f1 - f0)))" \
	test $((f1 - f0)) -ge 12
check "no note failed" test "$(total onlink_note_errors)" = 0

kill -TERM "$VR_PID"
for _ in $(seq 1 50); do
	kill -0 "$VR_PID" 2>/dev/null || break
	sleep 0.1
done
rc=0
wait "$VR_PID" || rc=$?
check "the vRouter exits 0 on SIGTERM" test "$rc" = 0
echo "# $(cat "$T_TMP/vr.out")"
echo "# elapsed: $((SECONDS - t_start)) s"
tap_done
