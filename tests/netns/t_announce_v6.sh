#!/usr/bin/env bash
# An IPv6 VIP announced over BGP (docs/deploy.md, "IPv6 VIPs"): the
# topology of t_announce.sh with IPv6 on every link, BIRD on the node
# learning table 83's /128 blackhole routes and exporting them over an
# IPv6 eBGP session to the upstream's FRR bgpd, IPv6-in-IPv6 to the
# backend.  Health withdraws and announces; a drain withdraws while an
# established connection keeps working.  FRR 8.4 on the node cannot do
# this (it has only `ip import-table`, IPv4): docs/deploy.md says so.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/announce_lib.sh"

VIP6=2001:db8:100::1

setup6() {
	ip -n "$NS_C" addr add 2001:db8:1::2/64 dev c0 nodad
	ip -n "$NS_R" addr add 2001:db8:1::1/64 dev r0 nodad
	ip -n "$NS_R" addr add 2001:db8:3::1/64 dev r1 nodad
	ip -n "$NS_R" addr add 2001:db8:11::1/64 dev r2 nodad
	ip -n "$NS_L" addr add 2001:db8:3::2/64 dev l0 nodad
	ip -n "$NS_B" addr add 2001:db8:11::2/64 dev b0 nodad
	ip -n "$NS_C" -6 route add default via 2001:db8:1::1
	ip -n "$NS_L" -6 route add default via 2001:db8:3::1
	ip -n "$NS_B" -6 route add default via 2001:db8:11::1
	ip netns exec "$NS_R" sysctl -qw net.ipv6.conf.all.forwarding=1
	own_addr "$NS_B" $VIP6/128 || return 1
	warm "$NS_C" 2001:db8:3::2 && warm "$NS_L" 2001:db8:11::2
}

# The upstream: eBGP over IPv6 with the node, IPv6 unicast only, and a
# floating static route to the VIP through the node (distance 250) that
# stands in for the other nodes of a real deployment, as in t_announce.sh:
# flows keep a path while this node's announcement is withdrawn.
frr_upstream6_conf() {
	cat <<EOF
frr defaults traditional
hostname up
ipv6 route $VIP6/128 2001:db8:3::2 250
router bgp 65000
 bgp router-id 198.18.3.1
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 timers bgp 3 9
 neighbor 2001:db8:3::2 remote-as 65001
 neighbor 2001:db8:3::2 advertisement-interval 0
 address-family ipv6 unicast
  neighbor 2001:db8:3::2 activate
 exit-address-family
EOF
}

# The node: docs/deploy.md's BIRD configuration for IPv6 VIPs.
bird_node6_conf() {
	cat <<EOF
router id 198.18.3.2;
ipv6 table vips6;
protocol device { scan time 2; }
protocol kernel vip_routes6 {
	kernel table 83;
	learn;
	scan time 2;
	ipv6 { table vips6; import all; export none; };
}
protocol bgp upstream6 {
	local 2001:db8:3::2 as 65001;
	neighbor 2001:db8:3::1 as 65000;
	hold time 9;
	ipv6 { table vips6; import none; export all; next hop self; };
}
EOF
}

up6_has_vip() {
	local r
	r=$(ip -n "$NS_R" -6 route show $VIP6/128 proto bgp 2>/dev/null)
	[ -n "$r" ]
}
up6_lacks_vip() { ! up6_has_vip; }

# A connection to [VIP6]:8081 (announce_lib.sh's echo server) kept busy:
# a line every 50 ms, its echo awaited, until $T_TMP/conn6.stop or 60 s.
# The same connection all along: a reset or a lost answer is an error.
conn6_start() {
	cat >"$T_TMP/conn6.py" <<'PYEOF'
import os, socket, sys, time
stop, out = sys.argv[2], sys.argv[3]
lines = errors = 0
first = ""
f = None
try:
    s = socket.create_connection((sys.argv[1], 8081), timeout=3)
    f = s.makefile("rwb")
except OSError as e:
    errors, first = 1, repr(e)
t0 = time.time()
while f and not errors and not os.path.exists(stop) and time.time() - t0 < 60:
    try:
        f.write(b"ping %d\n" % lines)
        f.flush()
        if f.readline() != b"ping %d\n" % lines:
            raise OSError("wrong echo")
        lines += 1
    except OSError as e:
        errors += 1
        first = first or repr(e)
    time.sleep(0.05)
with open(out, "w") as o:
    o.write("lines %d errors %d %s\n" % (lines, errors, first))
PYEOF
	rm -f "$T_TMP/conn6.stop" "$T_TMP/conn6.out"
	ip netns exec "$NS_C" "$T_PY" "$T_TMP/conn6.py" "$VIP6" \
		"$T_TMP/conn6.stop" "$T_TMP/conn6.out" &
	T_PIDS+=("$!")
}
conn6_stop() {
	touch "$T_TMP/conn6.stop"
	wait_until 10 test -s "$T_TMP/conn6.out"
}
conn6_field() {
	awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}' \
		"$T_TMP/conn6.out"
}

setup || die "topology"
setup6 || die "IPv6 topology"
responder_start "$NS_B" b1 || die "backend server"
echo_start || die "echo server"
sluiced_start "$NS_B" be --role backend --interface b0 || die "sluiced (backend)"
echo '{"announce": {"enabled": true}}' >"$T_TMP/lb.json"
sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" --interface l0 ||
	die "sluiced (LB)"
frr_upstream6_conf >"$T_TMP/frr-up.conf"
bird_node6_conf >"$T_TMP/bird-node.conf"
frr_start "$NS_R" up "$T_TMP/frr-up.conf" bgpd staticd || die "FRR on the upstream"
bird_start "$NS_L" node "$T_TMP/bird-node.conf" || die "BIRD on the node"

check "IPv6 vip added (tcp checks every ${INTERVAL} ms, fall $FALL)" \
	sctl lb vip add "[$VIP6]:8080/tcp" --health tcp --interval $INTERVAL \
	--timeout 100 --rise 1 --fall $FALL
check "IPv6 vip 8081 added (checked on 8080)" \
	sctl lb vip add "[$VIP6]:8081/tcp" --health tcp --health-port 8080 \
	--interval $INTERVAL --timeout 100 --rise 1 --fall $FALL
check "BIRD's IPv6 session with the upstream is established" \
	wait_until 30 bird_established node upstream6
check "no backend: nothing in table 83" \
	sh -c "[ -z \"\$(ip -n '$NS_L' -6 route show table 83 proto 83)\" ]"
check "no backend: no BGP route at the upstream" up6_lacks_vip
check "IPv6 backend added to both" \
	sh -c "'$SLUICECTL' --api unix:$SOCK_lb backend add '[$VIP6]:8080/tcp' 2001:db8:11::2 &&
	'$SLUICECTL' --api unix:$SOCK_lb backend add '[$VIP6]:8081/tcp' 2001:db8:11::2"
check "the backend is up: blackhole $VIP6 in table 83 proto 83 on the node" \
	wait_until 10 sh -c "ip -n '$NS_L' -6 route show table 83 proto 83 | grep -q 'blackhole $VIP6'"
check "GET /v1/vips says announced: true for both" test "$(announced)" = "[True, True]"
t_up=$(ms_until 30 up6_has_vip)
echo "# IPv6: at the upstream ${t_up} ms after table 83 had it"
check "the upstream learns $VIP6/128 over IPv6 eBGP (${t_up} ms)" test "$t_up" -ge 0
r=$(ip -n "$NS_R" -6 route show $VIP6/128 proto bgp)
echo "# upstream: $r"
check "the upstream routes it towards the node (dev r1)" grep -q 'dev r1' <<<"$r"
out=$(bird_cmd node show route table vips6 2>&1)
check "BIRD learned it from the kernel (table vips6 has $VIP6/128)" \
	grep -q "$VIP6/128" <<<"$out"
check "the host does not route by it (no $VIP6 in the node's main table)" \
	sh -c "[ -z \"\$(ip -n '$NS_L' -6 route show table main $VIP6/128)\" ]"
ok=0
for i in $(seq 1 20); do
	body=$(ip netns exec "$NS_C" curl -6 -sf -m 3 "http://[$VIP6]:8080/" 2>/dev/null)
	[ "$body" = b1 ] && ok=$((ok + 1))
done
check "20 of 20 IPv6 requests through the BGP route and the XDP LB ($ok)" test "$ok" -eq 20
dec=$(packets be b0 decap_ipip)
check "the backend decapsulated them (decap_ipip ${dec:-0})" test "${dec:-0}" -ge 20
if [ "$ok" -ne 20 ]; then
	api lb /v1/stats | head -c 1500 | sed 's/^/# /'
	echo
fi

pid=$(responder_pid)
[ -n "$pid" ] && kill "$pid"
t_down=$(ms_until 20 up6_lacks_vip)
echo "# IPv6: withdrawn at the upstream ${t_down} ms after the HTTP server stopped (fall time $((INTERVAL * FALL)) ms)"
check "backend down: withdrawn at the upstream within 5 s (${t_down} ms)" \
	test "$t_down" -ge 0 -a "$t_down" -le 5000
check "table 83 no longer has it" \
	sh -c "[ -z \"\$(ip -n '$NS_L' -6 route show table 83 proto 83)\" ]"
responder_start "$NS_B" b1 || die "backend server again"
check "backend back: announced again" wait_until 20 up6_has_vip

conn6_start
sleep 1
check "node drain" sctl lb node drain
t_drain=$(ms_until 20 up6_lacks_vip)
echo "# IPv6: the drain withdrew it at the upstream after ${t_drain} ms"
check "drain withdraws it at the upstream within 5 s (${t_drain} ms)" \
	test "$t_drain" -ge 0 -a "$t_drain" -le 5000
sleep 1 # drained: the connection goes on through the stand-in route
check "undrain" sctl lb node undrain
check "announced again after undrain" wait_until 20 up6_has_vip
conn6_stop
echo "# IPv6 connection through the drain: $(cat "$T_TMP/conn6.out")"
check "the established IPv6 connection kept working (errors $(conn6_field errors), $(conn6_field lines) lines)" \
	test "$(conn6_field errors)" = 0 -a "$(conn6_field lines)" -gt 20
tap_done
