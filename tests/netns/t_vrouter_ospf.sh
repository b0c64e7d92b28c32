#!/usr/bin/env bash
# sluice-vrouter, the seed's scenario (issue #10, docs/vrouter.md):
#
#   c1 (c0) -- (a0) vr1 (b0) -- (b1) vr2 (a1) -- (c2) c2
#   198.18.71.0/24       198.18.72.0/24       198.18.73.0/24
#   2001:db8:71::/64     2001:db8:72::/64     2001:db8:73::/64
#
# FRR (zebra, ospfd, ospf6d) in vr1 and vr2, point-to-point on the vr1-vr2
# link, each announcing its client network (passive interface); kernel
# forwarding OFF in both.  In each vr: sluiced (router role) on both
# interfaces, and sluice-vrouter on the same interfaces (af_xdp, copy mode
# on veth) with the transit steering selectors it adds itself.  Then:
# ping v4/v6 and iperf3 TCP and UDP between the clients, with the
# vRouters' graph counters (if-output, lookups) and sluiced's steering
# counters proving the packets went through user space; the routes are
# OSPF's; c2's network withdrawn in FRR -> the ping fails and the graph
# forwards none of it (sluiced counts pass_no_route); announced again ->
# forwarded again; vr1's vRouter stopped -> its selectors are gone and
# sluiced's XDP forwards by itself again.
. "$(dirname "$0")/lib.sh"

t_start=$SECONDS
VROUTER=${VROUTER:-$(dirname "$SLUICED")/sluice-vrouter}
[ -x "$VROUTER" ] || die "no sluice-vrouter at $VROUTER (make all)"
command -v vtysh >/dev/null && [ -x "$FRR_SBIN/zebra" ] && [ -x "$FRR_SBIN/ospfd" ] &&
	[ -x "$FRR_SBIN/ospf6d" ] || die "FRR not installed (scripts/deps.sh installs it)"
command -v iperf3 >/dev/null || die "iperf3 not installed (scripts/deps.sh installs it)"

# ---- topology ---------------------------------------------------------------------
netns_add NS_C1 c1 && netns_add NS_V1 v1 && netns_add NS_V2 v2 &&
	netns_add NS_C2 c2 || die "netns"
veth "$NS_C1" c0 02:00:00:00:71:02 "$NS_V1" a0 02:00:00:00:71:01 || die "veth c1-vr1"
veth "$NS_V1" b0 02:00:00:00:72:01 "$NS_V2" b1 02:00:00:00:72:02 || die "veth vr1-vr2"
veth "$NS_V2" a1 02:00:00:00:73:01 "$NS_C2" c2 02:00:00:00:73:02 || die "veth vr2-c2"
addr() { # NS DEV V4/LEN V6/LEN
	ip -n "$1" addr add "$3" dev "$2" && ip -n "$1" addr add "$4" dev "$2" nodad
}
addr "$NS_C1" c0 198.18.71.2/24 2001:db8:71::2/64 &&
	addr "$NS_V1" a0 198.18.71.1/24 2001:db8:71::1/64 &&
	addr "$NS_V1" b0 198.18.72.1/24 2001:db8:72::1/64 &&
	addr "$NS_V2" b1 198.18.72.2/24 2001:db8:72::2/64 &&
	addr "$NS_V2" a1 198.18.73.1/24 2001:db8:73::1/64 &&
	addr "$NS_C2" c2 198.18.73.2/24 2001:db8:73::2/64 || die "addresses"
ip -n "$NS_C1" route add default via 198.18.71.1 &&
	ip -n "$NS_C1" -6 route add default via 2001:db8:71::1 &&
	ip -n "$NS_C2" route add default via 198.18.73.1 &&
	ip -n "$NS_C2" -6 route add default via 2001:db8:73::1 || die "client routes"
# the clients' TX checksum offload off (docs/veth.md): a partial checksum
# would leave through AF_XDP unfilled
host_if "$NS_C1" c0 && host_if "$NS_C2" c2 || die "ethtool"
kernel_forwarding "$NS_V1" off
kernel_forwarding "$NS_V2" off

# ---- FRR --------------------------------------------------------------------------
# The vr-vr link point-to-point, hello 1 / dead 4, SPF and LSA throttling
# at 0 (t_frr.sh); each client network is announced as a passive OSPF
# interface: withdrawn by taking the interface out of the area.
frr_conf() { # NAME ROUTER-ID LINK CLIENT
	cat <<EOF
hostname $1
interface $3
 ip ospf area 0
 ip ospf network point-to-point
 ip ospf hello-interval 1
 ip ospf dead-interval 4
 ipv6 ospf6 area 0
 ipv6 ospf6 network point-to-point
 ipv6 ospf6 hello-interval 1
 ipv6 ospf6 dead-interval 4
exit
interface $4
 ip ospf area 0
 ip ospf passive
 ipv6 ospf6 area 0
 ipv6 ospf6 passive
exit
router ospf
 ospf router-id $2
 timers throttle spf 0 50 500
 timers throttle lsa all 0
 timers lsa min-arrival 0
exit
router ospf6
 ospf6 router-id $2
 timers throttle spf 0 50 500
 timers lsa min-arrival 0
exit
EOF
}
frr_conf vr1 198.18.72.1 b0 a0 >"$T_TMP/frr-v1.conf"
frr_conf vr2 198.18.72.2 b1 a1 >"$T_TMP/frr-v2.conf"

# ---- helpers ----------------------------------------------------------------------
kroute() { # NS PREFIX: the kernel's route for PREFIX
	local six=-4
	case $2 in *:*) six=-6 ;; esac
	ip -n "$1" "$six" route show "$2"
}
kroute_ospf() { kroute "$1" "$2" | grep -q "proto ospf"; }
kroute_absent() { [ -z "$(kroute "$1" "$2")" ]; }
ospf_full() { # NAME v4|v6
	local show="show ip ospf neighbor"
	[ "$2" = v6 ] && show="show ipv6 ospf6 neighbor"
	frr_cmd "$1" -c "$show" | grep -q "Full"
}
# vr_start NAME NS PORT...: sluice-vrouter with sluiced NAME's pins and API
vr_start() {
	local name=$1 ns=$2 pin_var="PIN_$1" sock_var="SOCK_$1" args=() p
	shift 2
	for p in "$@"; do args+=(--port "$p"); done
	nsenter --net="/var/run/netns/$ns" "$VROUTER" "${args[@]}" \
		--pin-dir "${!pin_var}" --api "unix:${!sock_var}" \
		--steer required --stats-file "$T_TMP/vr-$name.json" \
		--idle-sleep 20 >"$T_TMP/vr-$name.out" 2>"$T_TMP/vr-$name.log" &
	printf -v "VR_PID_$name" '%s' "$!"
	T_PIDS+=("$!")
	wait_until 10 grep -q "routing on" "$T_TMP/vr-$name.log"
}
# vr_stat NAME NODE [COUNTER]: a node's counter summed over the vRouter's
# threads ("packets" by default), from a stats file written on SIGUSR1.
vr_stat() {
	local pid_var="VR_PID_$1" f="$T_TMP/vr-$1.json" m0 m1
	m0=$(stat -c %y "$f" 2>/dev/null)
	kill -USR1 "${!pid_var}" 2>/dev/null
	for _ in $(seq 1 20); do
		sleep 0.05
		m1=$(stat -c %y "$f" 2>/dev/null)
		[ "$m1" != "$m0" ] && break
	done
	"$T_PY" - "$f" "$2" "${3:-packets}" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
n = 0
for t in d["threads"]:
    for node in (t["graph"] or {}).get("nodes", []):
        if node["name"] == sys.argv[2]:
            n += node.get(sys.argv[3], node.get("counters", {}).get(sys.argv[3], 0))
print(n)
EOF
}
# transit_count NAME: what sluiced's transit selectors redirected so far
transit_count() {
	sctl "$1" steer show -j | "$T_PY" -c '
import json, sys
print(sum(s["counters"]["redirected"] for s in json.load(sys.stdin)["selectors"]
          if s.get("transit")))'
}
transit_sels() {
	sctl "$1" steer show -j | "$T_PY" -c '
import json, sys
print(sum(1 for s in json.load(sys.stdin)["selectors"] if s.get("transit")))'
}
tcp_out() {
	ip netns exec "$1" awk '$1 == "Tcp:" {
		if (!c) { for (i = 2; i <= NF; i++) if ($i == "OutSegs") c = i }
		else { print $c; exit } }' /proc/net/snmp
}
# ge LABEL A B: A >= B
ge() {
	if [ "$2" -ge "$3" ]; then
		tap_ok "$1 ($2 >= $3)"
	else
		tap_fail "$1" "$2 < $3"
	fi
}

# ---- refusals: a bad flag (exit 2), no sluiced (exit 1 after --fib-wait) -----------
out=$("$VROUTER" --port a0 --threads 0 2>&1)
rc=$?
check "a bad flag is refused naming it, exit 2 ($out)" \
	test "$rc:$out" = '2:sluice-vrouter: --threads: "0" is not an integer within 1..16'
out=$(in_ns "$NS_V1" "$VROUTER" --port a0 --pin-dir "/sys/fs/bpf/$T_ID-none" \
	--fib-wait 1 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
check "no sluiced pins: exit 1 after waiting, saying so" \
	test "$rc:$(echo "$out" | grep -c "sluiced's FIB in /sys/fs/bpf/$T_ID-none (waited 1 s)")" = 1:1
check "no punt TAP left behind" test -z "$(ip -n "$NS_V1" link show sv-punt 2>/dev/null)"

# ---- sluiced, FRR, neighbours -------------------------------------------------------
sluiced_start "$NS_V1" v1 --interface a0 --interface b0 || die "sluiced in vr1"
sluiced_start "$NS_V2" v2 --interface b1 --interface a1 || die "sluiced in vr2"
t_frr=$SECONDS
frr_start "$NS_V1" v1 "$T_TMP/frr-v1.conf" ospfd ospf6d || die "FRR in vr1"
frr_start "$NS_V2" v2 "$T_TMP/frr-v2.conf" ospfd ospf6d || die "FRR in vr2"
# Kernel forwarding is off: nothing resolves a client's address as an
# on-link destination but the vr itself; sluiced's probe resolves the
# OSPF gateways (the v6 ones are link-local).
check "vr1 resolves c1 (v4)" warm "$NS_V1" 198.18.71.2
check "vr1 resolves c1 (v6)" warm "$NS_V1" 2001:db8:71::2
check "vr2 resolves c2 (v4)" warm "$NS_V2" 198.18.73.2
check "vr2 resolves c2 (v6)" warm "$NS_V2" 2001:db8:73::2
for v in v4 v6; do
	for n in v1 v2; do
		if wait_until 40 ospf_full $n $v; then
			tap_ok "$n: $v OSPF adjacency Full ($((SECONDS - t_frr)) s after FRR started)"
		else
			tap_fail "$n: $v OSPF adjacency Full" \
				"$(frr_cmd $n -c 'show ip ospf neighbor' -c 'show ipv6 ospf6 neighbor' 2>&1)"
		fi
	done
done
for r in "$NS_V1 198.18.73.0/24" "$NS_V1 2001:db8:73::/64" \
	"$NS_V2 198.18.71.0/24" "$NS_V2 2001:db8:71::/64"; do
	ns=${r% *} p=${r#* }
	if wait_until 30 kroute_ospf "$ns" "$p"; then
		tap_ok "${ns#"$T_ID"-}: $p is OSPF's in the kernel ($(kroute "$ns" "$p" | head -1))"
	else
		tap_fail "${ns#"$T_ID"-}: $p is OSPF's in the kernel" "$(kroute "$ns" "$p")"
	fi
done
b=$(packets v1 a0 fwd_redirect)
check "v4: c1 pings c2 through sluiced's XDP (no vRouter yet)" \
	ip netns exec "$NS_C1" ping -c 3 -i 0.2 -W 1 198.18.73.2
ge "vr1's XDP forwarded those pings itself" "$(($(packets v1 a0 fwd_redirect) - b))" 3

# ---- the vRouters ------------------------------------------------------------------
vr_start v1 "$NS_V1" a0 b0 || die "sluice-vrouter in vr1: $(cat "$T_TMP/vr-v1.log")"
vr_start v2 "$NS_V2" b1 a1 || die "sluice-vrouter in vr2: $(cat "$T_TMP/vr-v2.log")"
sed 's/^/# vr1: /' "$T_TMP/vr-v1.log"
check "vr1: two transit selectors added (a0, b0)" test "$(transit_sels v1)" = 2
check "vr2: two transit selectors added (b1, a1)" test "$(transit_sels v2)" = 2
check "vr1: the punt TAP is up" ip -n "$NS_V1" link show sv-punt up
check "vr1: rp_filter off on the punt TAP" \
	test "$(ip netns exec "$NS_V1" sysctl -n net.ipv4.conf.sv-punt.rp_filter)" != 1

for fam in 4 6; do
	dst=198.18.73.2 back=198.18.71.2
	[ $fam = 6 ] && dst=2001:db8:73::2 back=2001:db8:71::2
	o1=$(vr_stat v1 if-output)
	o2=$(vr_stat v2 if-output)
	l1=$(vr_stat v1 ip$fam-lookup)
	s1=$(transit_count v1)
	x1=$(packets v1 a0 fwd_redirect)
	check "v$fam: c1 pings c2 ($dst) through both vRouters" \
		ip netns exec "$NS_C1" ping -$fam -c 5 -i 0.2 -W 1 "$dst"
	ge "v$fam: vr1's ip$fam-lookup saw the requests and replies" \
		"$(($(vr_stat v1 ip$fam-lookup) - l1))" 10
	ge "v$fam: vr1's if-output sent the requests and replies" \
		"$(($(vr_stat v1 if-output) - o1))" 10
	ge "v$fam: vr2's if-output sent the requests and replies" \
		"$(($(vr_stat v2 if-output) - o2))" 10
	ge "v$fam: vr1's sluiced steered them to the vRouter (transit redirected)" \
		"$(($(transit_count v1) - s1))" 10
	check "v$fam: vr1's XDP forwarded none itself (fwd_redirect unchanged)" \
		test "$(packets v1 a0 fwd_redirect)" = "$x1"
	check "v$fam: c2 pings c1 back" \
		ip netns exec "$NS_C2" ping -$fam -c 2 -i 0.2 -W 1 "$back"
done

# ---- iperf3, TCP and UDP -----------------------------------------------------------------
ip netns exec "$NS_C2" iperf3 -s -D -p 5201 --logfile "$T_TMP/iperf-s.txt" ||
	die "iperf3 server"
wait_until 5 sh -c "ip netns exec '$NS_C2' ss -Hltn sport = :5201 | grep -q ." ||
	die "iperf3 server listening"
o1=$(vr_stat v1 if-output)
ob=$(tcp_out "$NS_C1")
if timeout 20 ip netns exec "$NS_C1" iperf3 -c 198.18.73.2 -p 5201 -t 3 -J \
	>"$T_TMP/iperf-tcp.json" 2>&1; then
	bps=$("$T_PY" -c 'import json,sys; d=json.load(open(sys.argv[1]));
print(int(d["end"]["sum_received"]["bits_per_second"]))' "$T_TMP/iperf-tcp.json")
	tap_ok "iperf3 TCP c1 -> c2, 3 s: $((bps / 1000000)) Mbit/s received"
else
	tap_fail "iperf3 TCP c1 -> c2, 3 s" "$(tail -5 "$T_TMP/iperf-tcp.json")"
fi
sent=$(($(tcp_out "$NS_C1") - ob))
ge "TCP: vr1's if-output >= the segments c1 sent" "$(($(vr_stat v1 if-output) - o1))" "$sent"
o2=$(vr_stat v2 if-output)
if timeout 20 ip netns exec "$NS_C1" iperf3 -c 198.18.73.2 -p 5201 -u -b 20M -l 1200 \
	-t 3 -J >"$T_TMP/iperf-udp.json" 2>&1; then
	read -r pk lost < <("$T_PY" -c 'import json,sys; d=json.load(open(sys.argv[1]))["end"]["sum"];
print(d["packets"], d["lost_packets"])' "$T_TMP/iperf-udp.json")
	tap_ok "iperf3 UDP c1 -> c2, 20 Mbit/s, 3 s: $lost of $pk lost"
	# ~0: a datagram or two lost to a full ring at the start is no failure
	check "UDP loss under 1% ($lost of $pk)" test $((lost * 100)) -lt "$pk"
	ge "UDP: vr2's if-output sent the datagrams" "$(($(vr_stat v2 if-output) - o2))" "$pk"
else
	tap_fail "iperf3 UDP c1 -> c2, 20 Mbit/s, 3 s" "$(tail -5 "$T_TMP/iperf-udp.json")"
fi

# ---- a punt: the kernel takes what the graph cannot send -----------------------------
# c2's neighbour entry flushed in vr2: transit steering hands the packet
# over before neighbour resolution, vr2's graph punts it (pass_no_neigh)
# through the TAP.  With vr2's kernel forwarding on for this step, the
# kernel forwards it and resolves c2 (a frame it would not take, wrong
# MAC or rp_filter, would make the ping fail).
tap_rx() { ip -n "$NS_V2" -s link show sv-punt | awk '/RX:/ { getline; print $2; exit }'; }
kernel_forwarding "$NS_V2" on
ip -n "$NS_V2" neigh flush dev a1
ip -n "$NS_V2" -6 neigh flush dev a1
nn=$(vr_stat v2 punt pass_no_neigh)
tr=$(tap_rx)
check "v4: c2 reached through vr2's punt TAP (neighbour unresolved in vr2)" \
	ip netns exec "$NS_C1" ping -4 -c 1 -W 2 198.18.73.2
check "v6: the same" ip netns exec "$NS_C1" ping -6 -c 1 -W 2 2001:db8:73::2
ge "vr2's punt node sent them to the TAP (pass_no_neigh)" \
	"$(($(vr_stat v2 punt pass_no_neigh) - nn))" 2
ge "vr2's kernel received them on sv-punt" "$(($(tap_rx) - tr))" 2
kernel_forwarding "$NS_V2" off

# ---- withdraw c2's network in FRR ----------------------------------------------------
t0=$(ms_now)
check "vr2 withdraws 198.18.73.0/24 and 2001:db8:73::/64 (a1 out of OSPF)" \
	frr_cmd v2 -c "configure terminal" -c "interface a1" -c "no ip ospf area 0" \
	-c "no ipv6 ospf6 area 0"
if wait_until 15 kroute_absent "$NS_V1" 198.18.73.0/24 &&
	wait_until 15 kroute_absent "$NS_V1" 2001:db8:73::/64; then
	tap_ok "vr1's kernel lost both routes ($(($(ms_now) - t0)) ms)"
else
	tap_fail "vr1's kernel lost both routes" "$(kroute "$NS_V1" 198.18.73.0/24)"
fi
wait_until 5 route_gone v1 198.18.73.0/24 && wait_until 5 route_gone v1 2001:db8:73::/64 ||
	tap_fail "sluiced in vr1 dropped both routes"
for fam in 4 6; do
	dst=198.18.73.2
	[ $fam = 6 ] && dst=2001:db8:73::2
	o1=$(vr_stat v1 if-output)
	nr=$(packets v1 a0 pass_no_route)
	check_fails "v$fam: c2 ($dst) unreachable once withdrawn" \
		ip netns exec "$NS_C1" ping -$fam -c 3 -i 0.2 -W 1 "$dst"
	check "v$fam: vr1's graph forwarded none of it (if-output unchanged)" \
		test "$(vr_stat v1 if-output)" = "$o1"
	ge "v$fam: vr1's sluiced counted them pass_no_route (never steered)" \
		"$(($(packets v1 a0 pass_no_route) - nr))" 3
done
check "vr2 announces c2's network again" \
	frr_cmd v2 -c "configure terminal" -c "interface a1" -c "ip ospf area 0" \
	-c "ipv6 ospf6 area 0"
wait_until 15 kroute_ospf "$NS_V1" 198.18.73.0/24 &&
	wait_until 15 kroute_ospf "$NS_V1" 2001:db8:73::/64 ||
	tap_fail "vr1 learns c2's network again" "$(kroute "$NS_V1" 198.18.73.0/24)"
wait_until 5 route_has v1 198.18.73.0/24 && wait_until 5 route_has v1 2001:db8:73::/64
o1=$(vr_stat v1 if-output)
check "v4: c2 reachable again" ip netns exec "$NS_C1" ping -4 -c 3 -i 0.2 -W 1 198.18.73.2
check "v6: c2 reachable again" ip netns exec "$NS_C1" ping -6 -c 3 -i 0.2 -W 1 2001:db8:73::2
ge "vr1's graph forwards it again" "$(($(vr_stat v1 if-output) - o1))" 12

# ---- stop vr1's vRouter: sluiced's XDP takes over ------------------------------------
# shellcheck disable=SC2154 # VR_PID_* are set by vr_start
kill -TERM "$VR_PID_v1"
rc=0
for _ in $(seq 1 50); do
	kill -0 "$VR_PID_v1" 2>/dev/null || break
	sleep 0.1
done
wait "$VR_PID_v1" || rc=$?
check "vr1's vRouter exits 0 on SIGTERM" test "$rc" = 0
echo "# vr1: $(cat "$T_TMP/vr-v1.out")"
check "it printed its summary line" grep -q "^sluice-vrouter: rx [1-9]" "$T_TMP/vr-v1.out"
check "its stats file is JSON with totals" "$T_PY" -c \
	'import json,sys; d=json.load(open(sys.argv[1])); assert d["totals"]["forwarded"] > 0' \
	"$T_TMP/vr-v1.json"
check "vr1: its transit selectors are gone" test "$(transit_sels v1)" = 0
x1=$(packets v1 a0 fwd_redirect)
check "v4: c2 still reachable (vr2's vRouter, vr1's XDP)" \
	ip netns exec "$NS_C1" ping -4 -c 3 -i 0.2 -W 1 198.18.73.2
check "v6: c2 still reachable" ip netns exec "$NS_C1" ping -6 -c 3 -i 0.2 -W 1 2001:db8:73::2
ge "vr1's XDP forwards by itself again (fwd_redirect)" "$(($(packets v1 a0 fwd_redirect) - x1))" 3

# ---- sluiced in vr2 restarted (no --keep-on-exit): new maps, reader swapped, ports re-opened
sluiced_stop v2 || tap_fail "vr2's sluiced exits 0"
sluiced_start "$NS_V2" v2 --interface b1 --interface a1 || die "sluiced in vr2 again"
# shellcheck disable=SC2154
fib_swaps() {
	kill -USR1 "$VR_PID_v2" 2>/dev/null
	sleep 0.2
	"$T_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["fib"]["swaps"])' \
		"$T_TMP/vr-v2.json" 2>/dev/null
}
swaps=0
for _ in $(seq 1 40); do
	swaps=$(fib_swaps)
	[ "${swaps:-0}" -ge 1 ] && break
	sleep 0.1
done
if [ "${swaps:-0}" -ge 1 ]; then
	tap_ok "vr2's vRouter swapped its FIB reader for sluiced's new maps (swaps $swaps)"
else
	tap_fail "vr2's vRouter swapped its FIB reader for sluiced's new maps" \
		"$(tail -5 "$T_TMP/vr-v2.log")"
fi
check "vr2's vRouter re-opened its ports in sluiced's new maps" \
	wait_until 10 grep -q "re-registered in sluiced's new maps" "$T_TMP/vr-v2.log"
grep -E "reader swapped|re-open|re-registered|transit steering" "$T_TMP/vr-v2.log" | sed 's/^/# /'
check "vr2: the new sluiced has the two transit selectors" test "$(transit_sels v2)" = 2
wait_until 10 route_has v2 198.18.73.0/24
check "v4: c2 reachable after vr2's sluiced restarted" \
	wait_until 10 ip netns exec "$NS_C1" ping -4 -c 1 -W 1 198.18.73.2
o2=$(vr_stat v2 if-output)
check "v4: ping c1 -> c2 again" ip netns exec "$NS_C1" ping -4 -c 3 -i 0.2 -W 1 198.18.73.2
ge "vr2's graph forwards it (requests and replies), not its XDP" \
	"$(($(vr_stat v2 if-output) - o2))" 6

check "kernel forwarding off in vr1 and vr2" test \
	"$(ip netns exec "$NS_V1" sysctl -n net.ipv4.ip_forward)$(ip netns exec "$NS_V2" sysctl -n net.ipv4.ip_forward)" = 00
# shellcheck disable=SC2154
check "vr2's vRouter still running" kill -0 "$VR_PID_v2"
echo "# elapsed: $((SECONDS - t_start)) s"
tap_done
