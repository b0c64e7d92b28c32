#!/usr/bin/env bash
# UDP channels on the graph (include/sluice/graph/udp.h): an application
# bound on the graph (tests/tools/graph_udp_echo: af_packet port ->
# eth-input -> ip4/ip6-input -> udp-input -> channels; the app answers
# with graph_udp_send) exchanges datagrams with a kernel-socket client in
# another namespace: exact payloads back from the address and port they
# went to, IPv4 and IPv6, to bound addresses and to a bind to any; a port
# nobody bound is punted (pass_local) through a TAP to the kernel, whose
# ICMP port unreachable reaches the client (v4 and v6); datagrams with a
# bad checksum or length are dropped under their reasons; a stop gives
# every buffer back.
# Not here: the graph's own tx path (the tool writes the MACs itself until
# ip4-lookup/ip-rewrite exist).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pktio_lib.sh"

ECHO="$PKTIO_BUILD/tests/tools/graph_udp_echo"
[ -x "$ECHO" ] || die "$ECHO is not built"

# client (c0) -- (e0) graph -- TAP gk0 -- the kernel of NS_E.  The graph's
# addresses are the kernel's on gk0 (with e0's MAC, so punted frames are
# for it); e0's own frames never reach NS_E's stack (an nft ingress drop,
# after af_packet has seen them), so only what the graph punts does.  The
# client has static neighbours for the graph's addresses, the kernel one
# for the client on gk0.
netns_add NS_C c && netns_add NS_E e || die "namespaces"
veth "$NS_C" c0 02:00:00:00:62:02 "$NS_E" e0 02:00:00:00:62:01 || die "veth"
ip -n "$NS_C" addr add 198.18.62.2/24 dev c0 || die "v4 address"
ip -n "$NS_C" addr add 2001:db8:62::2/64 dev c0 nodad || die "v6 address"
for a in 198.18.62.1 198.18.62.9 2001:db8:62::1 2001:db8:62::9; do
	ip -n "$NS_C" neigh replace "$a" lladdr 02:00:00:00:62:01 dev c0 nud permanent ||
		die "neighbour $a"
done
host_if "$NS_C" c0
ip netns exec "$NS_E" ethtool -K e0 gro off >/dev/null 2>&1
ip netns exec "$NS_E" nft add table netdev graph &&
	ip netns exec "$NS_E" nft add chain netdev graph e0in \
		'{ type filter hook ingress device e0 priority 0; policy drop; }' ||
	die "nft ingress drop on e0"

out="$T_TMP/echo.out"
ip netns exec "$NS_E" "$ECHO" --dev e0 --punt-tap gk0 --bind 198.18.62.1:7000 \
	--bind '[2001:db8:62::1]:7000' --bind '*:7100' >"$out" 2>&1 &
pid=$!
T_PIDS+=("$pid")
if ! wait_until 10 grep -q '^ready' "$out"; then
	sed 's/^/# /' "$out" | tail -20
	die "graph_udp_echo did not come up"
fi
ip -n "$NS_E" link set gk0 address 02:00:00:00:62:01 &&
	ip -n "$NS_E" addr add 198.18.62.1/24 dev gk0 &&
	ip -n "$NS_E" addr add 2001:db8:62::1/64 dev gk0 nodad &&
	ip -n "$NS_E" neigh replace 198.18.62.2 lladdr 02:00:00:00:62:02 dev gk0 nud permanent &&
	ip -n "$NS_E" neigh replace 2001:db8:62::2 lladdr 02:00:00:00:62:02 dev gk0 nud permanent ||
	die "the kernel side of gk0"

# ---- datagrams echoed through the channels ----------------------------------
check "IPv4 to 198.18.62.1:7000: 40 datagrams back, exact payloads, from it" \
	udp_echo "$NS_C" 198.18.62.1 7000 40 4
check "IPv6 to [2001:db8:62::1]:7000: 40 datagrams back, exact payloads" \
	udp_echo "$NS_C" 2001:db8:62::1 7000 40 4
check "bind to any: IPv4 to 198.18.62.9:7100, answered from it" \
	udp_echo "$NS_C" 198.18.62.9 7100 20 2
check "bind to any: IPv6 to [2001:db8:62::9]:7100, answered from it" \
	udp_echo "$NS_C" 2001:db8:62::9 7100 20 2

# ---- what the graph does not deliver -----------------------------------------
# an unbound port, a bound port at another address; then raw datagrams
# with a bad checksum (3) and a UDP length beyond the IP payload (2)
timeout 10 ip netns exec "$NS_C" "$T_PY" -c '
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    s.sendto(b"nobody", ("198.18.62.1", 7999))
for _ in range(2):
    s.sendto(b"elsewhere", ("198.18.62.9", 7000))
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
pl = b"bad checksum"
for _ in range(3):
    r.sendto(struct.pack("!HHHH", 5555, 7000, 8 + len(pl), 0x1234) + pl,
             ("198.18.62.1", 0))
for _ in range(2):
    r.sendto(struct.pack("!HHHH", 5555, 7000, 100, 0) + b"short",
             ("198.18.62.1", 0))
' >"$T_TMP/raw.out" 2>&1 || { sed 's/^/# /' "$T_TMP/raw.out"; die "raw sender"; }
# an unbound port on a connected socket: the kernel's ICMP port
# unreachable (through the punt TAP) makes the next recv fail
unreach() {
	timeout 10 ip netns exec "$NS_C" "$T_PY" -c '
import socket, sys
a = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect((a, 7998))
s.send(b"anyone?")
try:
    print("answer of %d bytes" % len(s.recv(100)))
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("none")
' "$1"
}
got=$(unreach 198.18.62.1)
check "IPv4 unbound port: the kernel's port unreachable ($got)" test "$got" = refused
got=$(unreach 2001:db8:62::1)
check "IPv6 unbound port: the kernel's port unreachable ($got)" test "$got" = refused

kill -TERM "$pid"
for _ in $(seq 1 100); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
wait "$pid"
rc=$?
sed 's/^/# /' "$out"

field() { # field LINE-PREFIX NAME: the value after NAME on the line
	awk -v p="$1" -v f="$2" 'index($0, p) == 1 {
		for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }' "$out"
}
check "clean stop: exit status 0" test "$rc" = 0
check "every buffer back in the pool" grep -qx 'pool 2048/2048' "$out"
c4=$(field "chan 198.18.62.1:7000 " echoed)
c6=$(field "chan [2001:db8:62::1]:7000 " echoed)
ca=$(field "chan *:7100 " echoed)
check "the v4 channel echoed 40 ($c4)" test "$c4" = 40
check "the v6 channel echoed 40 ($c6)" test "$c6" = 40
check "the bind to any echoed 40 ($ca)" test "$ca" = 40
check "no rx_full, no failed send" \
	test "$(field 'udp ' rx_full)/$(field 'udp ' send_failed)" = 0/0
check "unbound port and address: 7 punted as pass_local ($(field punt pass_local))" \
	test "$(field punt pass_local)" = 7
check "udp-input counted 7 unbound ($(field 'udp ' unbound))" \
	test "$(field 'udp ' unbound)" = 7
kout=$(field kernel out)
check "the kernel's answers went out through the graph's port ($kout)" \
	test "${kout:-0}" -ge 5
check "3 bad checksums dropped as drop_bad_csum ($(field drop bad_csum))" \
	test "$(field drop bad_csum)" = 3
check "2 bad lengths dropped as drop_bad_len ($(field drop bad_len))" \
	test "$(field drop bad_len)" = 2
check "delivered = 120 echoed ($(field 'udp ' delivered))" \
	test "$(field 'udp ' delivered)" = 120

tap_done
