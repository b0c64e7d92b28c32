#!/usr/bin/env bash
# A real routing daemon drives sluice.  client -- router -- peer: the peer's
# BIRD originates 198.18.50.0/24 and 2001:db8:50::/64 (addresses on its lo)
# over eBGP to a BIRD in the router, which installs them in the router's
# kernel table (proto bird).  sluiced mirrors them, carries traffic to them
# with kernel forwarding off, and drops them again when the peer withdraws.
. "$(dirname "$0")/lib.sh"

command -v bird >/dev/null && command -v birdc >/dev/null || die "bird/birdc not installed"

topo_basic || die "topology"
# shellcheck disable=SC2153 # set by topo_basic
NS_P=$NS_S # the server namespace of topo_basic is the BGP peer
ip -n "$NS_P" addr add 198.18.50.1/32 dev lo || die "peer v4 prefix address"
ip -n "$NS_P" addr add 2001:db8:50::1/128 dev lo || die "peer v6 prefix address"

# ---- BIRD configurations ------------------------------------------------------
# Router: learns from the peer, exports everything it learned into the
# kernel (import none: it never reads the kernel's own routes back).
cat >"$T_TMP/bird-r.conf" <<'EOF'
log stderr all;
router id 198.18.2.1;
protocol device { scan time 2; }
protocol kernel kernel4 { ipv4 { import none; export all; }; learn off; persist off; }
protocol kernel kernel6 { ipv6 { import none; export all; }; learn off; persist off; }
template bgp session { local as 65001; neighbor as 65002; hold time 9; start delay time 1; connect retry time 1; }
protocol bgp peer4 from session {
	local 198.18.2.1; neighbor 198.18.2.2;
	ipv4 { import all; export none; };
}
protocol bgp peer6 from session {
	local 2001:db8:2::1; neighbor 2001:db8:2::2;
	ipv6 { import all; export none; };
}
EOF
# Peer: originates the two prefixes from static protocols (blackhole: they
# never reach its own kernel, which has the addresses on lo) and exports
# only those; disabling origin4/origin6 withdraws them.
cat >"$T_TMP/bird-p.conf" <<'EOF'
log stderr all;
router id 198.18.2.2;
protocol device { scan time 2; }
protocol static origin4 { ipv4; route 198.18.50.0/24 blackhole; }
protocol static origin6 { ipv6; route 2001:db8:50::/64 blackhole; }
template bgp session { local as 65002; neighbor as 65001; hold time 9; start delay time 1; connect retry time 1; }
protocol bgp router4 from session {
	local 198.18.2.2; neighbor 198.18.2.1;
	ipv4 { import none; export where proto = "origin4"; };
}
protocol bgp router6 from session {
	local 2001:db8:2::2; neighbor 2001:db8:2::1;
	ipv6 { import none; export where proto = "origin6"; };
}
EOF

# ---- helpers ---------------------------------------------------------------------
# kroute_bird NS PREFIX: the kernel's main table has PREFIX, installed by BIRD.
kroute_bird() {
	local six=-4
	case $2 in *:*) six=-6 ;; esac
	ip -n "$1" "$six" route show "$2" | grep -q "proto bird"
}
kroute_absent() {
	local six=-4
	case $2 in *:*) six=-6 ;; esac
	[ -z "$(ip -n "$1" "$six" route show "$2")" ]
}
# route_is NAME PREFIX PROTO VIA: the daemon programs PREFIX, learnt from
# PROTO, with VIA among its nexthops.
route_is() {
	api "$1" /v1/routes | "$T_PY" -c '
import json, sys
p, proto, via = sys.argv[1:4]
rs = [r for r in json.load(sys.stdin)["routes"] if r["prefix"] == p]
sys.exit(0 if rs and rs[0]["protocol"] == proto and
         any(nh["via"] == via for nh in rs[0]["nexthops"]) else 1)' "$2" "$3" "$4"
}
# tcp_out NS: TCP segments sent so far by that namespace's stack.
tcp_out() {
	ip netns exec "$1" awk '/^Tcp:/ {
		if (!h) { for (i = 1; i <= NF; i++) if ($i == "OutSegs") c = i; h = 1 }
		else print $c }' /proc/net/snmp
}
# http_listening ADDR: the peer's HTTP server on ADDR accepts connections.
http_listening() {
	ip netns exec "$NS_P" ss -ltnH "sport = :8080" | grep -qF "$1"
}
# fetch URL FILE: an HTTP GET through the router, saved to FILE.
fetch() {
	timeout 20 ip netns exec "$NS_C" curl -gsf --max-time 15 -o "$2" "$1"
}

# ---- the data path and the routing daemons ---------------------------------------
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced"
check "v4: client reaches the peer through the kernel" warm "$NS_C" 198.18.2.2
check "v6: client reaches the peer through the kernel" warm "$NS_C" 2001:db8:2::2

bird_start "$NS_P" p "$T_TMP/bird-p.conf" || die "bird in the peer"
bird_start "$NS_R" r "$T_TMP/bird-r.conf" || die "bird in the router"
for s in peer4 peer6; do
	if wait_until 20 bird_established r $s; then
		tap_ok "BGP session $s is Established"
	else
		tap_fail "BGP session $s is Established" "$(bird_cmd r show protocols all $s | tail -n +2)"
	fi
done

# HTTP servers on the peer's originated addresses, serving a 4 MiB file.
mkdir -p "$T_TMP/www" && head -c 4M /dev/urandom >"$T_TMP/www/blob" || die "payload"
want=$(sha256sum <"$T_TMP/www/blob")
# (Not `python3 -m http.server`: it resolves its own address's name at
# start, which waits for DNS timeouts inside a namespace.)
cat >"$T_TMP/httpd.py" <<'EOF'
import functools, http.server, socket, socketserver, sys
class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True
    address_family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                            directory=sys.argv[2])
Server((sys.argv[1], 8080), handler).serve_forever()
EOF
for a in 198.18.50.1 2001:db8:50::1; do
	ip netns exec "$NS_P" "$T_PY" "$T_TMP/httpd.py" "$a" "$T_TMP/www" \
		>>"$T_TMP/http.log" 2>&1 &
	T_PIDS+=("$!")
done

# Learn, forward, withdraw: once per address family.
# family LABEL PREFIX DST PROTO URL PING_FLAG
family() {
	local v=$1 prefix=$2 dst=$3 proto=$4 url=$5 pf=$6 b a ob oa sent

	if wait_until 15 kroute_bird "$NS_R" "$prefix"; then
		tap_ok "$v: BIRD installed $prefix in the router's kernel (proto bird)"
	else
		tap_fail "$v: BIRD installed $prefix in the router's kernel (proto bird)" \
			"$(ip -n "$NS_R" "$pf" route show)"
	fi
	if wait_until 5 route_is r "$prefix" bird "$proto"; then
		tap_ok "$v: sluiced mirrors $prefix (protocol bird, via $proto)"
	else
		tap_fail "$v: sluiced mirrors $prefix (protocol bird, via $proto)" \
			"$(api r "/v1/routes?family=${pf#-}")"
	fi

	b=$(packets r r0 fwd_redirect)
	check "$v: client pings $dst via XDP, forwarding off" \
		ip netns exec "$NS_C" ping "$pf" -c 5 -i 0.2 -W 1 "$dst"
	a=$(packets r r0 fwd_redirect)
	if [ $((a - b)) -ge 5 ]; then
		tap_ok "$v: r0 fwd_redirect counted the 5 echo requests ($((a - b)))"
	else
		tap_fail "$v: r0 fwd_redirect counted the 5 echo requests" "before=$b after=$a"
	fi

	# The HTTP server may still be starting: the first fetch is allowed
	# to wait for it (bounded), the counted one is a fresh transfer.
	wait_until 10 http_listening "$dst" ||
		tap_fail "$v: HTTP server on $dst listening" "$(cat "$T_TMP/http.log")"
	rm -f "$T_TMP/got"
	b=$(packets r r0 fwd_redirect)
	ob=$(tcp_out "$NS_C")
	fetch "$url" "$T_TMP/got"
	oa=$(tcp_out "$NS_C")
	a=$(packets r r0 fwd_redirect)
	if [ -f "$T_TMP/got" ] && [ "$(sha256sum <"$T_TMP/got")" = "$want" ]; then
		tap_ok "$v: 4 MiB over HTTP from $dst via XDP, checksum matches"
	else
		tap_fail "$v: 4 MiB over HTTP from $dst via XDP, checksum matches" \
			"got $(stat -c %s "$T_TMP/got" 2>/dev/null || echo no) bytes"
	fi
	sent=$((oa - ob))
	if [ "$sent" -gt 0 ] && [ $((a - b)) -ge "$sent" ]; then
		tap_ok "$v: r0 fwd_redirect >= TCP segments the client sent ($((a - b)) >= $sent)"
	else
		tap_fail "$v: r0 fwd_redirect >= TCP segments the client sent" \
			"fwd_redirect +$((a - b)), client TcpOutSegs +$sent"
	fi

	# Withdraw at the peer.
	check "$v: peer withdraws $prefix (birdc disable)" bird_cmd p disable "origin${v#v}"
	if wait_until 15 kroute_absent "$NS_R" "$prefix"; then
		tap_ok "$v: $prefix left the router's kernel table"
	else
		tap_fail "$v: $prefix left the router's kernel table" "$(ip -n "$NS_R" "$pf" route show "$prefix")"
	fi
	if wait_until 5 route_gone r "$prefix"; then
		tap_ok "$v: $prefix left sluiced's routes"
	else
		tap_fail "$v: $prefix left sluiced's routes" "$(api r /v1/routes)"
	fi
	b=$(packets r r0 pass_no_route)
	ob=$(packets r r0 fwd_redirect)
	check_fails "$v: $dst no longer reachable" \
		ip netns exec "$NS_C" ping "$pf" -c 3 -i 0.2 -W 1 "$dst"
	a=$(packets r r0 pass_no_route)
	oa=$(packets r r0 fwd_redirect)
	if [ $((a - b)) -ge 3 ] && [ "$oa" -eq "$ob" ]; then
		tap_ok "$v: r0 pass_no_route counted the 3 pings, none redirected ($((a - b)))"
	else
		tap_fail "$v: r0 pass_no_route counted the 3 pings, none redirected" \
			"pass_no_route +$((a - b)), fwd_redirect +$((oa - ob))"
	fi

	# And back: re-announcing restores the route and the forwarding.
	check "$v: peer re-announces $prefix (birdc enable)" bird_cmd p enable "origin${v#v}"
	if wait_until 15 route_is r "$prefix" bird "$proto"; then
		tap_ok "$v: sluiced programs $prefix again"
	else
		tap_fail "$v: sluiced programs $prefix again" "$(api r /v1/routes)"
	fi
	check "$v: $dst reachable via XDP again" \
		ip netns exec "$NS_C" ping "$pf" -c 3 -i 0.2 -W 1 "$dst"
}

kernel_forwarding "$NS_R" off
family v4 198.18.50.0/24 198.18.50.1 198.18.2.2 "http://198.18.50.1:8080/blob" -4
family v6 2001:db8:50::/64 2001:db8:50::1 2001:db8:2::2 "http://[2001:db8:50::1]:8080/blob" -6

[ "$(ip netns exec "$NS_R" cat /proc/sys/net/ipv4/ip_forward)" = 0 ] &&
	[ "$(ip netns exec "$NS_R" cat /proc/sys/net/ipv6/conf/all/forwarding)" = 0 ] &&
	tap_ok "kernel forwarding stayed off" || tap_fail "kernel forwarding stayed off"
# shellcheck disable=SC2154 # set by sluiced_start
if kill -0 "$PID_r" 2>/dev/null; then
	tap_ok "sluiced still running"
else
	tap_fail "sluiced still running" "$(sluiced_log r | tail -20)"
fi

tap_done
