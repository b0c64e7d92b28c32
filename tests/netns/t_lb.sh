#!/usr/bin/env bash
# The load balancer end to end, with real servers and direct server return.
#
#   client (c0) ---- (l0) LB (l1,l2,l3,l4) ---- (b0) backend 1..4
#   client (c1) ---- (t0) return router (t1..t4) ---- (b1) backend 1..4
#
# The LB forwards only with XDP (kernel forwarding off).  Backends hold the
# VIP on lo, decapsulate with `sluiced --role backend`, and answer the
# client through the return router, never through the LB.
. "$(dirname "$0")/lib.sh"

VIP=198.18.100.1
VIP6=2001:db8:100::1
VIPU=198.18.100.2		# a UDP VIP, added without health options
NB=4				# backends; the 4th joins later

# ---- topology ------------------------------------------------------------------
setup() {
	netns_add NS_C c && netns_add NS_L lb && netns_add NS_T rt || return 1
	veth "$NS_C" c0 02:00:00:00:01:02 "$NS_L" l0 02:00:00:00:01:01 || return 1
	veth "$NS_C" c1 02:00:00:00:05:02 "$NS_T" t0 02:00:00:00:05:01 || return 1
	ip -n "$NS_C" addr add 198.18.1.2/24 dev c0
	ip -n "$NS_C" addr add 2001:db8:1::2/64 dev c0 nodad
	ip -n "$NS_C" addr add 198.18.5.2/24 dev c1
	ip -n "$NS_C" addr add 2001:db8:5::2/64 dev c1 nodad
	ip -n "$NS_C" route add $VIP/32 via 198.18.1.1
	ip -n "$NS_C" route add $VIPU/32 via 198.18.1.1
	ip -n "$NS_C" -6 route add $VIP6/128 via 2001:db8:1::1
	ip -n "$NS_L" addr add 198.18.1.1/24 dev l0
	ip -n "$NS_L" addr add 2001:db8:1::1/64 dev l0 nodad
	ip -n "$NS_T" addr add 198.18.5.1/24 dev t0
	ip -n "$NS_T" addr add 2001:db8:5::1/64 dev t0 nodad
	ip netns exec "$NS_T" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	host_if "$NS_C" c0 && host_if "$NS_C" c1
	# replies from the VIP arrive on c1 while the VIP is routed via c0
	ip netns exec "$NS_C" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.c1.rp_filter=0
	for i in $(seq 1 $NB); do
		local bns
		netns_add bns "b$i" || return 1
		printf -v "NS_B$i" '%s' "$bns"
		veth "$bns" b0 "02:00:00:00:1$i:02" "$NS_L" "l$i" "02:00:00:00:1$i:01" || return 1
		veth "$bns" b1 "02:00:00:00:2$i:02" "$NS_T" "t$i" "02:00:00:00:2$i:01" || return 1
		ip -n "$bns" addr add "198.18.1$i.2/24" dev b0
		ip -n "$bns" addr add "2001:db8:1$i::2/64" dev b0 nodad
		ip -n "$NS_L" addr add "198.18.1$i.1/24" dev "l$i"
		ip -n "$NS_L" addr add "2001:db8:1$i::1/64" dev "l$i" nodad
		ip -n "$bns" addr add "198.18.2$i.2/24" dev b1
		ip -n "$bns" addr add "2001:db8:2$i::2/64" dev b1 nodad
		ip -n "$NS_T" addr add "198.18.2$i.1/24" dev "t$i"
		ip -n "$NS_T" addr add "2001:db8:2$i::1/64" dev "t$i" nodad
		# DSR: answers go back through the return router
		ip -n "$bns" route add 198.18.1.0/24 via "198.18.2$i.1"
		ip -n "$bns" -6 route add 2001:db8:1::/64 via "2001:db8:2$i::1"
		own_addr "$bns" $VIP/32 $VIP6/128 $VIPU/32 || return 1
		ip netns exec "$bns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.b0.rp_filter=0 net.ipv4.conf.lo.rp_filter=0
		host_if "$bns" b0 && host_if "$bns" b1
		ip netns exec "$NS_T" ethtool -K "t$i" gro on >/dev/null
	done
	ip -n "$NS_T" route add 198.18.1.0/24 via 198.18.5.2
	ip -n "$NS_T" -6 route add 2001:db8:1::/64 via 2001:db8:5::2
}

# A server per backend: HTTP on :80 answers its name; :7000 answers its
# name to every line, for long-lived connections; UDP :9000 answers every
# datagram with its name.
server_start() {
	local ns=$1 name=$2 py="$T_TMP/lbserver.py"
	[ -f "$py" ] || cat >"$py" <<'PYEOF'
import socket, sys, threading
name = sys.argv[1].encode()

def listen(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port))
    s.listen(256)
    return s

def http(c):
    try:
        c.settimeout(5)
        buf = b""
        while b"\r\n\r\n" not in buf and len(buf) < 8192:
            d = c.recv(4096)
            if not d:
                return
            buf += d
        body = name + b"\n"
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n"
                  b"Connection: close\r\n\r\n%s" % (len(body), body))
    except OSError:
        pass
    finally:
        c.close()

def lines(c):
    try:
        c.settimeout(120)
        f = c.makefile("rb")
        for _ in f:
            c.sendall(name + b"\n")
    except OSError:
        pass
    finally:
        c.close()

def serve(port, fn):
    s = listen(port)
    while True:
        c, _ = s.accept()
        threading.Thread(target=fn, args=(c,), daemon=True).start()

def udp():
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", 9000))
    while True:
        _, peer = s.recvfrom(2048)
        s.sendto(name, peer)

threading.Thread(target=serve, args=(7000, lines), daemon=True).start()
threading.Thread(target=udp, daemon=True).start()
serve(80, http)
PYEOF
	ip netns exec "$ns" "$T_PY" "$py" "$name" >>"$T_TMP/server-$name.log" 2>&1 &
	printf -v "SRV_PID_$name" '%s' "$!"
	disown $!
	wait_until 10 sh -c "ip netns exec '$ns' ss -Hltn sport = :80 | grep -q ."
}

# A client: N short HTTP requests to ADDR:80 from distinct source ports;
# prints "name count" lines and "fail N".
spread() {
	ip netns exec "$NS_C" timeout 60 "$T_PY" - "$1" "$2" <<'PYEOF'
import socket, sys, collections
addr, n = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
seen, fail = collections.Counter(), 0
for i in range(n):
    try:
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(3)
        s.connect((addr, 80))
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            data += d
        s.close()
        seen[data.split(b"\r\n\r\n", 1)[1].strip().decode()] += 1
    except OSError:
        fail += 1
for k, v in sorted(seen.items()):
    print(k, v)
print("fail", fail)
PYEOF
}

# A long-lived connection to VIP:7000 driven through a fifo: each line
# written is answered with the backend's name.
long_open() {
	cat >"$T_TMP/long.py" <<'PYEOF'
import socket, sys
s = socket.create_connection((sys.argv[1], 7000), timeout=10)
f = s.makefile("rb")
for line in sys.stdin:
    s.sendall(line.encode())
    print(f.readline().decode().strip(), flush=True)
PYEOF
	mkfifo "$T_TMP/long.in"
	: >"$T_TMP/long.out"
	ip netns exec "$NS_C" timeout 120 "$T_PY" -u "$T_TMP/long.py" $VIP \
		<"$T_TMP/long.in" >>"$T_TMP/long.out" 2>&1 &
	disown $!
	exec 7>"$T_TMP/long.in"
}
long_ask() {
	local before
	before=$(wc -l <"$T_TMP/long.out")
	echo ping >&7
	wait_until 5 sh -c "[ \$(wc -l <'$T_TMP/long.out') -gt $before ]" || return 1
	tail -1 "$T_TMP/long.out"
}

vip_json() {	# vip_json NAME ID EXPR: eval EXPR on GET /v1/vips/ID as d
	api_json "$1" "/v1/vips/$2" "$3"
}
backend_health() {	# backend_health NAME ADDR
	vip_json "$1" "$VIP:0%2Ftcp" "[b['health'] for b in d['backends'] if b['address'] == '$2'][0]"
}
health_is() {	# health_is NAME ADDR STATE
	[ "$(backend_health "$1" "$2")" = "$3" ]
}
post() {	# post NAME PATH JSON
	local sock_var="SOCK_$1"
	curl -sf --unix-socket "${!sock_var}" -X POST -H 'Content-Type: application/json' \
		-d "$3" "http://sluiced$2"
}

# ---- run ------------------------------------------------------------------------
setup || die "topology"
for i in $(seq 1 $NB); do
	ns_var="NS_B$i"
	server_start "${!ns_var}" "b$i" || die "server b$i"
	sluiced_start "${!ns_var}" "be$i" --role backend --interface b0 || die "backend sluiced b$i"
done
cat >"$T_TMP/lb.json" <<EOF
{"interfaces": ["l0", "l1", "l2", "l3", "l4"],
 "lb": {"source_v4": "198.18.200.0/24", "source_v6": "2001:db8:200::/96",
        "vips": [{"address": "$VIP", "port": 0, "protocol": "tcp",
                  "health": {"kind": "http", "port": 80, "path": "/",
                             "interval_ms": 300, "timeout_ms": 200,
                             "rise": 2, "fall": 2},
                  "backends": [{"address": "198.18.11.2", "weight": 1},
                               {"address": "198.18.12.2", "weight": 1},
                               {"address": "198.18.13.2", "weight": 2}]}]}}
EOF
sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" --keep-on-exit || die "LB sluiced"
# neighbours towards the backends and the client, then XDP only
for i in 1 2 3 4; do warm "$NS_L" "198.18.1$i.2" || die "warm b$i"; done
warm "$NS_L" 198.18.1.2 || die "warm client"
kernel_forwarding "$NS_L" off

for a in 198.18.11.2 198.18.12.2 198.18.13.2; do
	check "health check brings $a up" wait_until 10 health_is lb $a up
done

out=$(spread $VIP 200)
echo "$out" | sed 's/^/# /'
fails=$(awk '$1 == "fail" { print $2 }' <<<"$out")
n1=$(awk '$1 == "b1" { print $2 }' <<<"$out"); n1=${n1:-0}
n2=$(awk '$1 == "b2" { print $2 }' <<<"$out"); n2=${n2:-0}
n3=$(awk '$1 == "b3" { print $2 }' <<<"$out"); n3=${n3:-0}
check "200 requests to the VIP all succeed" test "$fails" = 0
check "spread by weight 1:1:2 (b1=$n1 b2=$n2 b3=$n3, 50/50/100 expected, ±30)" \
	test $((n1 > 20 && n1 < 80 && n2 > 20 && n2 < 80 && n3 > 70 && n3 < 130)) = 1

# Direct server return: the LB encapsulated the client's packets and
# forwarded nothing back: no fwd_* on the backend-facing ports.
fwd_lb=$(packets lb l0 fwd_lb)
back=0
for i in 1 2 3 4; do
	back=$((back + $(packets lb "l$i" fwd_redirect) + $(packets lb "l$i" fwd_lb)))
done
check "LB encapsulated the client->VIP direction (fwd_lb=$fwd_lb)" test "$fwd_lb" -ge 1000
check "replies bypassed the LB (forwarded from backend ports: $back)" test "$back" = 0

# A long-lived connection, then a failure of another backend.
long_open
first=$(long_ask) || die "long-lived connection"
check "long-lived connection answered by $first" test -n "$first"

# Restart the LB with --keep-on-exit: flows keep going, and the restarted
# daemon, finding its config and the pinned state equal, rewrites nothing.
sluiced_stop lb
check "XDP stays attached while the LB daemon is down" xdp_on "$NS_L" l0
check "the long-lived connection is served while the daemon is down" test "$(long_ask)" = "$first"
sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" --keep-on-exit || die "LB restart"
written=$(api_json lb /v1/lb "d['slots_written']")
check "restart rewrote no Maglev slot (slots_written=$written)" test "$written" = 0
check "the long-lived connection survived the restart" test "$(long_ask)" = "$first"
for a in 198.18.11.2 198.18.12.2 198.18.13.2; do
	wait_until 10 health_is lb $a up
done

victim=b1
[ "$first" = b1 ] && victim=b2
victim_addr="198.18.1${victim#b}.2"
pid_var="SRV_PID_$victim"
t0=$(date +%s%N)
kill "${!pid_var}"
check "health check marks $victim down within fall*interval+timeout (+slack)" \
	wait_until 5 health_is lb "$victim_addr" down
t1=$(date +%s%N)
down_ms=$(((t1 - t0) / 1000000))
# fall=2 failures 300 ms apart, each timing out within 200 ms, after up to
# one interval until the next check: 800 ms; one more interval of slack
# for a loaded machine and the 100 ms polling.
check "$victim marked down in $down_ms ms (bound 800 ms + 300 ms slack)" \
	test "$down_ms" -le 1100
out=$(spread $VIP 60)
check "requests keep succeeding with $victim down" test "$(awk '$1 == "fail" { print $2 }' <<<"$out")" = 0
check "none of them reached $victim" test -z "$(awk -v v="$victim" '$1 == v' <<<"$out")"
check "the long-lived connection survived (still $first)" test "$(long_ask)" = "$first"

# A fourth backend joins: existing connections stay, new ones reach it.
post lb "/v1/vips/$VIP:0%2Ftcp/backends" '{"address": "198.18.14.2", "weight": 2}' >/dev/null ||
	tap_fail "add backend b4"
check "b4 comes up" wait_until 10 health_is lb 198.18.14.2 up
check "the long-lived connection still stays on $first" test "$(long_ask)" = "$first"
out=$(spread $VIP 80)
check "new connections reach b4" test -n "$(awk '$1 == "b4" && $2 > 0' <<<"$out")"

# IPv6 VIP with IPv6 backends (6in6), and an IPv4 backend for a v6 VIP (6in4).
post lb /v1/vips "{\"address\": \"$VIP6\", \"port\": 80, \"protocol\": \"tcp\",
	\"health\": {\"kind\": \"tcp\", \"interval_ms\": 300, \"timeout_ms\": 200, \"rise\": 1, \"fall\": 2},
	\"backends\": [{\"address\": \"2001:db8:13::2\"}, {\"address\": \"198.18.14.2\"}]}" >/dev/null ||
	tap_fail "add the IPv6 VIP"
warm "$NS_L" 2001:db8:13::2 >/dev/null
out=$(spread $VIP6 40)
echo "$out" | sed 's/^/# /'
check "IPv6 VIP: 40 requests succeed" test "$(awk '$1 == "fail" { print $2 }' <<<"$out")" = 0
check "IPv6 VIP: both the 6in6 and the 6in4 backend answered" \
	test "$(awk '$1 == "b3" || $1 == "b4"' <<<"$out" | wc -l)" = 2

# A UDP VIP added through sluicectl without health options is not checked
# (a UDP service seldom answers TCP on its port; a default TCP check would
# take every backend down within fall x interval, 3 s), and datagrams flow.
t_add=$SECONDS
sctl lb vip add $VIPU:9000/udp >/dev/null || tap_fail "sluicectl vip add $VIPU:9000/udp"
for a in 198.18.13.2 198.18.14.2; do
	sctl lb backend add $VIPU:9000/udp $a >/dev/null || tap_fail "sluicectl backend add $a"
done
check "UDP VIP without health options: sluicectl shows health none" \
	sh -c "'$SLUICECTL' --api 'unix:$SOCK_lb' vip show $VIPU:9000/udp | head -1 | grep -q ' health none\$'"
out=$(udp_asks "$NS_C" $VIPU 40053 5)
echo "$out" | sed 's/^/# /'
check "UDP datagrams to the VIP are answered by a backend (5 of 5)" \
	test "$(grep -cE '^b[34]$' <<<"$out")" = 5
while [ $((SECONDS - t_add)) -lt 4 ]; do sleep 0.5; done	# > 3 s: a default check would have failed
check "no backend of the UDP VIP is down 4 s after it was added" \
	test "$(api_json lb "/v1/vips/$VIPU:9000%2Fudp" "','.join(sorted(set(b['health'] for b in d['backends'])))")" = unknown

# A UDP VIP whose backend the LB never talked to (no health check by
# default, no ping): the backend's neighbour is unresolved and, with kernel
# forwarding off, only sluiced asks the kernel for it.  The first datagrams
# are dropped (drop_lb_no_route) and leave a note; the next ones reach the
# backend.  Nothing asked before, and every datagram was dropped for good.
VIPU6=2001:db8:100::2
ip -n "$NS_C" -6 route add $VIPU6/128 via 2001:db8:1::1 || tap_fail "client route to $VIPU6"
# shellcheck disable=SC2154 # NS_B4 is set by setup
own_addr "$NS_B4" $VIPU6/128 || tap_fail "$VIPU6 on b4's lo"
check_fails "the LB has no neighbour for 2001:db8:14::2 (b4) yet" \
	sh -c "ip -n '$NS_L' -6 neigh show 2001:db8:14::2 | grep -q lladdr"
sctl lb vip add "[$VIPU6]:9000/udp" >/dev/null || tap_fail "sluicectl vip add [$VIPU6]:9000/udp"
sctl lb backend add "[$VIPU6]:9000/udp" 2001:db8:14::2 >/dev/null ||
	tap_fail "sluicectl backend add 2001:db8:14::2"
out=$(udp_asks "$NS_C" $VIPU6 40054 8)
echo "$out" | tr '\n' ' ' | sed 's/^/# never resolved: /;s/$/\n/'
check "UDP VIP, backend never resolved: the last 3 of 8 datagrams answered by b4" \
	test "$(tail -3 <<<"$out" | grep -c '^b4$')" = 3
check "the LB's kernel now has b4's neighbour" \
	sh -c "ip -n '$NS_L' -6 neigh show 2001:db8:14::2 | grep -q lladdr"

exec 7>&-
tap_done
