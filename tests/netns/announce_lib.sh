# shellcheck shell=bash
# What t_announce.sh (FRR bgpd on the node) and t_announce_bird.sh (BIRD on
# the node) share: the topology, the upstream's FRR, the probes.  Source it
# after lib.sh.
#
#   client (c0) ---- (r0) upstream router (r1) ---- (l0) sluice node
#                    FRR bgpd AS 65000  (r2) ---- (b0) backend
#
# The upstream also has a floating static route to the VIP (distance 250)
# through the node: it stands in for the other nodes of a real deployment,
# so that flows keep a path while this node's announcement is withdrawn.
VIP=198.18.100.1
INTERVAL=200 # ms between health checks; fall 2 (below)
FALL=2

setup() {
	netns_add NS_C c && netns_add NS_R r && netns_add NS_L lb &&
		netns_add NS_B b || return 1
	veth "$NS_C" c0 02:00:00:00:01:02 "$NS_R" r0 02:00:00:00:01:01 || return 1
	veth "$NS_L" l0 02:00:00:00:03:02 "$NS_R" r1 02:00:00:00:03:01 || return 1
	veth "$NS_B" b0 02:00:00:00:0b:02 "$NS_R" r2 02:00:00:00:0b:01 || return 1
	ip -n "$NS_C" addr add 198.18.1.2/24 dev c0
	ip -n "$NS_R" addr add 198.18.1.1/24 dev r0
	ip -n "$NS_R" addr add 198.18.3.1/24 dev r1
	ip -n "$NS_R" addr add 198.18.11.1/24 dev r2
	ip -n "$NS_L" addr add 198.18.3.2/24 dev l0
	ip -n "$NS_B" addr add 198.18.11.2/24 dev b0
	ip -n "$NS_C" route add default via 198.18.1.1
	ip -n "$NS_L" route add default via 198.18.3.1
	ip -n "$NS_B" route add default via 198.18.11.1
	ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1
	# frames the LB sends back out of l0 need NAPI on the peer (as
	# t_lb_onearm.sh): GRO, as on any host
	for i in r0 r1 r2; do
		ip netns exec "$NS_R" ethtool -K "$i" gro on >/dev/null
	done
	host_if "$NS_C" c0 && host_if "$NS_B" b0 && host_if "$NS_L" l0
	own_addr "$NS_B" $VIP/32 || return 1
	ip netns exec "$NS_B" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.b0.rp_filter=0 net.ipv4.conf.lo.rp_filter=0
	warm "$NS_C" 198.18.3.2 && warm "$NS_L" 198.18.11.2
}

# The upstream: eBGP with the node, and the floating static route.
frr_upstream_conf() {
	cat <<EOF
frr defaults traditional
hostname up
ip route $VIP/32 198.18.3.2 250
router bgp 65000
 bgp router-id 198.18.3.1
 no bgp ebgp-requires-policy
 timers bgp 3 9
 neighbor 198.18.3.2 remote-as 65001
 neighbor 198.18.3.2 advertisement-interval 0
EOF
}

# The node: what docs/deploy.md gives, table 83 imported and redistributed,
# table 84 (announce.drain graceful_shutdown) with the community.
frr_node_conf() {
	cat <<EOF
frr defaults traditional
hostname node
ip import-table 83
ip import-table 84
route-map GSHUT permit 10
 set community graceful-shutdown
router bgp 65001
 bgp router-id 198.18.3.2
 no bgp ebgp-requires-policy
 timers bgp 3 9
 neighbor 198.18.3.1 remote-as 65000
 neighbor 198.18.3.1 advertisement-interval 0
 address-family ipv4 unicast
  redistribute table 83
  redistribute table 84 route-map GSHUT
 exit-address-family
EOF
}

# The upstream has the VIP from BGP (installed by its zebra).
up_has_vip() {
	local r
	r=$(ip -n "$NS_R" route show $VIP/32 proto bgp 2>/dev/null)
	[ -n "$r" ]
}
up_lacks_vip() { ! up_has_vip; }
# the upstream's BGP route to the VIP carries GRACEFUL_SHUTDOWN (65535:0),
# or is there without it
up_bgp() { frr_cmd up -c "show ip bgp $VIP/32" 2>/dev/null; }
up_gshut() {
	local r
	r=$(up_bgp)
	grep -q "Community: graceful-shutdown" <<<"$r"
}
up_no_gshut() {
	local r
	r=$(up_bgp)
	grep -q "$VIP/32" <<<"$r" && ! grep -q "graceful-shutdown" <<<"$r"
}

# ms until COMMAND succeeds (polled every 50 ms, SECONDS at most), or -1.
ms_until() {
	local max=$1 t0 i
	shift
	t0=$(ms_now)
	for i in $(seq 1 $((max * 20))); do
		if "$@" >/dev/null 2>&1; then
			echo $(($(ms_now) - t0))
			return 0
		fi
		sleep 0.05
	done
	echo -1
	return 1
}

# announced: the VIP's "announced" in GET /v1/vips (true/false/absent).
announced() {
	api_json lb /v1/vips "str([v.get('announced') for v in d['vips']])"
}

responder_pid() {
	local p
	for p in $(ip netns pids "$NS_B"); do
		if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q responder.py; then
			echo "$p"
		fi
	done
}

# An echo server on the backend (port 8081) and a client that keeps one
# connection to VIP:8081 busy (a line every 50 ms, its echo awaited) until
# $T_TMP/conn.stop appears or 120 s pass; it prints "lines N errors M" and
# the first error.  The same connection all along: a reset or a lost
# answer is an error.
echo_start() {
	cat >"$T_TMP/echo.py" <<'PYEOF'
import socket, threading
s = socket.socket(socket.AF_INET6)  # IPv4 and IPv6 (t_announce_v6.sh)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 8081)); s.listen(16)
def serve(c):
    while True:
        d = c.recv(4096)
        if not d:
            break
        c.sendall(d)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PYEOF
	ip netns exec "$NS_B" "$T_PY" "$T_TMP/echo.py" >>"$T_TMP/echo.log" 2>&1 &
	disown $!
	wait_until 10 sh -c "ip netns exec '$NS_B' ss -Hltn sport = :8081 | grep -q ."
}
conn_start() {
	rm -f "$T_TMP/conn.stop"
	timeout 130 ip netns exec "$NS_C" "$T_PY" - "$VIP" "$T_TMP/conn.stop" \
		>"$T_TMP/conn.out" 2>&1 <<'PYEOF' &
import os, socket, sys, time
vip, stop = sys.argv[1], sys.argv[2]
lines = errors = 0
first = ""
s = socket.create_connection((vip, 8081), timeout=3)
t_end = time.monotonic() + 120
while time.monotonic() < t_end and not os.path.exists(stop):
    try:
        s.sendall(b"x" * 31 + b"\n")
        got = b""
        while len(got) < 32:
            d = s.recv(64)
            if not d:
                raise OSError("closed by the peer")
            got += d
        lines += 1
    except OSError as e:
        errors += 1
        first = first or str(e)
        break
    time.sleep(0.05)
print("lines %d errors %d %s" % (lines, errors, first))
PYEOF
	CONN_PID=$!
}
# conn_stop: "lines N errors M ..."
conn_stop() {
	touch "$T_TMP/conn.stop"
	wait "$CONN_PID" 2>/dev/null
	cat "$T_TMP/conn.out"
}
conn_lines() { awk '{print $2}' "$T_TMP/conn.out"; }
conn_errors() { awk '{print $4}' "$T_TMP/conn.out"; }
