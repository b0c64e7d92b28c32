#!/usr/bin/env bash
# FRR drives sluice.  client -- router -- peer: zebra + ospfd + ospf6d run in
# both the router and the peer; the peer's OSPF (v2 and v3, on the
# router-peer link, point-to-point) announces 198.18.50.1/32 and
# 2001:db8:50::1/128, addresses on its lo, and the router's zebra installs
# them in the router's kernel table (proto ospf) with FRR's default nexthop
# handling: kernel nexthop objects (RTA_NH_ID, `ip route ... nhid N`).
# sluiced must resolve those into real next hops (type "forward" via the
# peer), carry traffic with kernel forwarding off, drop the routes when the
# peer withdraws them, and find them again from its start-up dump.
. "$(dirname "$0")/lib.sh"

t_start=$SECONDS
command -v vtysh >/dev/null && [ -x "$FRR_SBIN/zebra" ] && [ -x "$FRR_SBIN/ospfd" ] &&
	[ -x "$FRR_SBIN/ospf6d" ] || die "FRR not installed (scripts/deps.sh installs it)"

topo_basic || die "topology"
# shellcheck disable=SC2153 # set by topo_basic
NS_P=$NS_S # the server namespace of topo_basic is the OSPF peer
P4=198.18.50.1
P6=2001:db8:50::1
own_addr "$NS_P" "$P4/32" "$P6/128" || die "peer prefix addresses"
# OSPFv3 next hops are link-local: the peer's on the router-peer link.
PEER_LL=$(ip -n "$NS_P" -6 addr show dev s0 scope link |
	sed -n 's/.*inet6 \(fe80::[0-9a-f:]*\)\/.*/\1/p' | head -1)
[ -n "$PEER_LL" ] || die "peer link-local address"

# ---- FRR configurations ---------------------------------------------------------
# Both sides: OSPF on the router-peer link only, point-to-point (no DR
# election wait), hello 1 / dead 4, and LSA/SPF throttling at zero so that a
# change reaches the kernel in well under a second (the defaults delay the
# first external route by ~10 s).  Nexthop handling is FRR's default.
ospf_if() {
	cat <<EOF
interface $1
 ip ospf area 0
 ip ospf network point-to-point
 ip ospf hello-interval 1
 ip ospf dead-interval 4
 ipv6 ospf6 area 0
 ipv6 ospf6 network point-to-point
 ipv6 ospf6 hello-interval 1
 ipv6 ospf6 dead-interval 4
exit
EOF
}
ospf_router() { # ROUTER-ID [EXTRA4] [EXTRA6]
	cat <<EOF
router ospf
 ospf router-id $1
 timers throttle spf 0 50 500
 timers throttle lsa all 0
 timers lsa min-arrival 0
${2:-}
exit
router ospf6
 ospf6 router-id $1
 timers throttle spf 0 50 500
 timers lsa min-arrival 0
${3:-}
exit
EOF
}
# staticd's route too: FRR installs it as protocol 196, which FRR's
# rt_protos.d/frr.conf names "static" (as `ip route` prints it).
STATIC4=198.18.60.0/24
{
	echo "hostname router"
	echo "ip route $STATIC4 198.18.2.2"
	ospf_if r1
	ospf_router 198.18.2.1
} >"$T_TMP/frr-r.conf"
# The peer announces exactly its two lo addresses (as externals):
# removing an address from lo withdraws it, adding it back re-announces.
{
	echo "hostname peer"
	echo "ip prefix-list origin4 seq 5 permit $P4/32"
	echo "ipv6 prefix-list origin6 seq 5 permit $P6/128"
	printf 'route-map origin4 permit 10\n match ip address prefix-list origin4\nexit\n'
	printf 'route-map origin6 permit 10\n match ipv6 address prefix-list origin6\nexit\n'
	ospf_if s0
	ospf_router 198.18.2.2 " redistribute connected route-map origin4" \
		" redistribute connected route-map origin6"
} >"$T_TMP/frr-p.conf"

# ---- helpers ---------------------------------------------------------------------
# ospf_full NAME v4|v6: the router's adjacency with the peer is Full.
ospf_full() {
	local show="show ip ospf neighbor"
	[ "$2" = v6 ] && show="show ipv6 ospf6 neighbor"
	frr_cmd "$1" -c "$show" | grep -qE '^198\.18\.2\.2 .*Full/'
}
# kroute NS PREFIX: the router's kernel route for PREFIX (main table).
kroute() {
	local six=-4
	case $2 in *:*) six=-6 ;; esac
	ip -n "$1" "$six" route show "$2"
}
kroute_ospf() { kroute "$1" "$2" | grep -q "proto ospf"; }
kroute_absent() { [ -z "$(kroute "$1" "$2")" ]; }
# route_fwd NAME PREFIX PROTO VIA DEV: the daemon programs PREFIX as a
# forwarding route learnt from PROTO whose only next hop is VIA on DEV.
route_fwd() {
	api "$1" /v1/routes | "$T_PY" -c '
import json, sys
p, proto, via, dev = sys.argv[1:5]
rs = [r for r in json.load(sys.stdin)["routes"] if r["prefix"] == p]
sys.exit(0 if rs and rs[0]["type"] == "forward" and rs[0]["protocol"] == proto
         and [(n["via"], n["dev"]) for n in rs[0]["nexthops"]] == [(via, dev)]
         else 1)' "$2" "$3" "$4" "$5"
}
# route_json NAME PREFIX: what the daemon reports for PREFIX (diagnostics).
route_json() {
	api_json "$1" /v1/routes "[r for r in d['routes'] if r['prefix'] == '$2'] or 'absent'"
}
# tcp_out NS: TCP segments sent so far by that namespace's stack (v4 + v6).
tcp_out() {
	ip netns exec "$1" awk '$1 == "Tcp:" {
		if (!c) { for (i = 2; i <= NF; i++) if ($i == "OutSegs") c = i }
		else { print $c; exit } }' /proc/net/snmp
}
# A TCP sink on the peer (port 9100, v4 and v6): reads a connection to its
# end, answers "BYTES SHA256".  (Not iperf3 -n: it counts bytes written to
# the socket, and its server may stop reading before the last ones arrive.)
cat >"$T_TMP/sink.py" <<'EOF'
import hashlib, socket, threading
def serve(c):
    with c:
        c.settimeout(15)
        h, n = hashlib.sha256(), 0
        try:
            while True:
                d = c.recv(65536)
                if not d:
                    break
                h.update(d)
                n += len(d)
            c.sendall(b"%d %s\n" % (n, h.hexdigest().encode()))
        except OSError:
            pass
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 9100))
s.listen(16)
while True:
    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
EOF
# transfer DST: sends 4 MiB over TCP from the client to the sink on DST
# (20 s at most); ok when the sink got every byte (same length and hash).
transfer() {
	timeout 20 ip netns exec "$NS_C" "$T_PY" - "$1" <<'EOF'
import hashlib, os, socket, sys
data = os.urandom(4 << 20)
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(3)
s.connect((sys.argv[1], 9100))
s.settimeout(15)
s.sendall(data)
s.shutdown(socket.SHUT_WR)
got = b""
while not got.endswith(b"\n"):
    d = s.recv(256)
    if not d:
        break
    got += d
want = "%d %s" % (len(data), hashlib.sha256(data).hexdigest())
print("the sink got:", got.decode().strip() or "nothing")
sys.exit(0 if got.decode().strip() == want else 1)
EOF
}

# ---- the data path, then the routing daemons -------------------------------------
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced"
check "v4: client reaches the peer through the kernel" warm "$NS_C" 198.18.2.2
check "v6: client reaches the peer through the kernel" warm "$NS_C" 2001:db8:2::2
# The OSPFv3 next hop is the peer's link-local: resolve it too.
check "v6: router resolves the peer's link-local $PEER_LL" warm "$NS_R" "$PEER_LL%r1"

t_frr=$SECONDS
frr_start "$NS_P" p "$T_TMP/frr-p.conf" ospfd ospf6d || die "FRR in the peer"
frr_start "$NS_R" r "$T_TMP/frr-r.conf" ospfd ospf6d staticd || die "FRR in the router"
for v in v4 v6; do
	if wait_until 40 ospf_full r $v; then
		tap_ok "$v: OSPF adjacency with the peer is Full ($((SECONDS - t_frr)) s after FRR started)"
	else
		tap_fail "$v: OSPF adjacency with the peer is Full" \
			"$(frr_cmd r -c 'show ip ospf neighbor' -c 'show ipv6 ospf6 neighbor' 2>&1)"
	fi
done

# zebra installs what the peer announces, with FRR's default nexthop
# handling: print the form it used (nhid N = a kernel nexthop object).
for prefix in "$P4/32" "$P6/128"; do
	if wait_until 30 kroute_ospf "$NS_R" "$prefix"; then
		tap_ok "FRR installed $prefix in the router's kernel (proto ospf, $((SECONDS - t_frr)) s after FRR started)"
	else
		tap_fail "FRR installed $prefix in the router's kernel (proto ospf)" \
			"$(ip -n "$NS_R" -4 route show; ip -n "$NS_R" -6 route show)"
	fi
	echo "# ip route show $prefix: $(kroute "$NS_R" "$prefix")"
	nhid=$(kroute "$NS_R" "$prefix" | sed -n 's/.* nhid \([0-9]*\) .*/\1/p')
	if [ -n "$nhid" ]; then
		echo "# it uses a nexthop object (RTA_NH_ID): $(ip -n "$NS_R" nexthop show id "$nhid")"
	else
		echo "# no nexthop object: a plain RTA_GATEWAY/RTA_OIF route"
	fi
done

# staticd's route: sluiced names its protocol as `ip route` does.
static_proto() {
	local want
	want=$(ip -n "$NS_R" -4 route show "$STATIC4" | sed -n 's/.* proto \([^ ]*\).*/\1/p')
	[ -n "$want" ] && route_fwd r "$STATIC4" "$want" 198.18.2.2 r1
}
if wait_until 10 static_proto; then
	tap_ok "staticd's $STATIC4: sluiced names its protocol as ip route does ($(ip -n "$NS_R" -4 route show "$STATIC4" | sed -n 's/.* proto \([^ ]*\).*/\1/p'))"
else
	tap_fail "staticd's $STATIC4: sluiced names its protocol as ip route does" \
		"ip route: $(kroute "$NS_R" "$STATIC4"); sluiced: $(route_json r "$STATIC4")"
fi

kernel_forwarding "$NS_R" off
ip netns exec "$NS_P" "$T_PY" "$T_TMP/sink.py" >>"$T_TMP/sink.log" 2>&1 &
T_PIDS+=("$!")
wait_until 10 sh -c "ip netns exec '$NS_P' ss -Hltn sport = :9100 | grep -q ." ||
	die "TCP sink on the peer"

# Learn, forward, withdraw, re-learn: once per address family.
# family LABEL PREFIX DST VIA PING_FLAG
family() {
	local v=$1 prefix=$2 dst=$3 via=$4 pf=$5 b a ob oa sent t0

	if wait_until 5 route_fwd r "$prefix" ospf "$via" r1; then
		tap_ok "$v: sluiced mirrors $prefix as forward via $via dev r1 (protocol ospf)"
	else
		tap_fail "$v: sluiced mirrors $prefix as forward via $via dev r1 (protocol ospf)" \
			"sluiced reports: $(route_json r "$prefix")"
	fi

	b=$(packets r r0 fwd_redirect)
	check "$v: client pings $dst via XDP, kernel forwarding off" \
		ip netns exec "$NS_C" ping "$pf" -c 5 -i 0.2 -W 1 "$dst"
	a=$(packets r r0 fwd_redirect)
	if [ $((a - b)) -ge 5 ]; then
		tap_ok "$v: r0 fwd_redirect counted the 5 echo requests (+$((a - b)))"
	else
		tap_fail "$v: r0 fwd_redirect counted the 5 echo requests" "before=$b after=$a"
	fi

	b=$(packets r r0 fwd_redirect)
	ob=$(tcp_out "$NS_C")
	check "$v: 4 MiB over TCP to $dst via XDP, every byte arrived (sha256)" transfer "$dst"
	oa=$(tcp_out "$NS_C")
	a=$(packets r r0 fwd_redirect)
	sent=$((oa - ob))
	if [ "$sent" -gt 0 ] && [ $((a - b)) -ge "$sent" ]; then
		tap_ok "$v: r0 fwd_redirect >= TCP segments the client sent (+$((a - b)) >= $sent)"
	else
		tap_fail "$v: r0 fwd_redirect >= TCP segments the client sent" \
			"fwd_redirect +$((a - b)), client TcpOutSegs +$sent"
	fi

	# Withdraw at the peer: the address leaves its lo, OSPF flushes it.
	t0=$(ms_now)
	check "$v: peer withdraws $prefix (address removed from its lo)" \
		ip -n "$NS_P" addr del "$prefix" dev lo
	if wait_until 15 kroute_absent "$NS_R" "$prefix"; then
		tap_ok "$v: $prefix left the router's kernel table ($(($(ms_now) - t0)) ms)"
	else
		tap_fail "$v: $prefix left the router's kernel table" "$(kroute "$NS_R" "$prefix")"
	fi
	if wait_until 5 route_gone r "$prefix"; then
		tap_ok "$v: $prefix left sluiced's routes ($(($(ms_now) - t0)) ms)"
	else
		tap_fail "$v: $prefix left sluiced's routes" "sluiced reports: $(route_json r "$prefix")"
	fi
	b=$(packets r r0 pass_no_route)
	ob=$(packets r r0 fwd_redirect)
	check_fails "$v: $dst no longer reachable" \
		ip netns exec "$NS_C" ping "$pf" -c 3 -i 0.2 -W 1 "$dst"
	a=$(packets r r0 pass_no_route)
	oa=$(packets r r0 fwd_redirect)
	if [ $((a - b)) -ge 3 ] && [ "$oa" -eq "$ob" ]; then
		tap_ok "$v: r0 pass_no_route counted the 3 pings, none redirected (+$((a - b)))"
	else
		tap_fail "$v: r0 pass_no_route counted the 3 pings, none redirected" \
			"pass_no_route +$((a - b)), fwd_redirect +$((oa - ob))"
	fi

	# And back: zebra reuses the nexthop object it kept.
	check "$v: peer re-announces $prefix (address back on its lo)" own_addr "$NS_P" "$prefix"
	wait_until 15 kroute_ospf "$NS_R" "$prefix" ||
		tap_fail "$v: $prefix back in the router's kernel table" "$(ip -n "$NS_R" "$pf" route show)"
	echo "# ip $pf route show $prefix: $(kroute "$NS_R" "$prefix")"
	if wait_until 5 route_fwd r "$prefix" ospf "$via" r1; then
		tap_ok "$v: sluiced mirrors $prefix as forward via $via again"
	else
		tap_fail "$v: sluiced mirrors $prefix as forward via $via again" \
			"sluiced reports: $(route_json r "$prefix")"
	fi
	check "$v: $dst reachable via XDP again" \
		ip netns exec "$NS_C" ping "$pf" -c 3 -i 0.2 -W 1 "$dst"
}

family v4 "$P4/32" "$P4" 198.18.2.2 -4
family v6 "$P6/128" "$P6" "$PEER_LL" -6

# ---- a daemon that starts with FRR's routes (and nexthop objects) in place ----
# shellcheck disable=SC2154 # PID_r is set by sluiced_start
if kill -0 "$PID_r" 2>/dev/null; then
	tap_ok "sluiced still running"
else
	tap_fail "sluiced still running" "$(sluiced_log r | tail -20)"
fi
sluiced_stop r
sluiced_start "$NS_R" r2 --interface r0 --interface r1 || die "second sluiced"
if wait_until 5 route_fwd r2 "$P4/32" ospf 198.18.2.2 r1 &&
	wait_until 5 route_fwd r2 "$P6/128" ospf "$PEER_LL" r1; then
	tap_ok "restarted sluiced mirrors both OSPF routes as forward from its dump"
else
	tap_fail "restarted sluiced mirrors both OSPF routes as forward from its dump" \
		"sluiced reports: $(route_json r2 "$P4/32") $(route_json r2 "$P6/128")"
fi
check "v4: $P4 reachable via XDP after the restart" \
	ip netns exec "$NS_C" ping -4 -c 3 -i 0.2 -W 1 "$P4"
check "v6: $P6 reachable via XDP after the restart" \
	ip netns exec "$NS_C" ping -6 -c 3 -i 0.2 -W 1 "$P6"

[ "$(ip netns exec "$NS_R" cat /proc/sys/net/ipv4/ip_forward)" = 0 ] &&
	[ "$(ip netns exec "$NS_R" cat /proc/sys/net/ipv6/conf/all/forwarding)" = 0 ] &&
	tap_ok "kernel forwarding stayed off" || tap_fail "kernel forwarding stayed off"
alive=0
# shellcheck disable=SC2154 # FRR_PIDS_* are set by frr_start
for pid in $FRR_PIDS_r $FRR_PIDS_p; do
	kill -0 "$pid" 2>/dev/null && alive=$((alive + 1))
done
if [ "$alive" -eq 7 ]; then
	tap_ok "the seven FRR daemons are still running"
else
	tap_fail "the seven FRR daemons are still running" "$alive of 7 alive"
fi
echo "# elapsed: $((SECONDS - t_start)) s"

tap_done
