#!/usr/bin/env bash
# UDP channels on the graph (include/sluice/graph/udp.h), end to end on
# the documented path: sluiced manages e0 (router role) and steers UDP to
# ports 7000-7999 to AF_XDP; tests/tools/graph_udp_echo opens e0 with
# sluiced's pins (its socket goes into sluiced's steering map) and walks
# what it receives through eth-input -> ip4/ip6-input -> ip4/ip6-lookup on
# sluiced's own FIB (lib/fibread) -> local: udp-input -> the channels,
# whose application answers with graph_udp_send; the worker walks the
# answers through the same graph (lookup -> ip-rewrite -> if-output), so
# they leave with the FIB's neighbour MAC and TTL - 1.  A kernel-socket
# client in another namespace gets exact payloads back from the address
# and port they went to, IPv4 and IPv6, to bound addresses and to a bind
# to any; the answers' destination MAC is the FIB's neighbour for the
# client (a changed neighbour changes it); if-output sent every answer; a
# port nobody bound is punted (pass_local) through a TAP to the kernel,
# whose ICMP port unreachable reaches the client (v4 and v6); datagrams
# with a bad checksum or length are dropped under their reasons; a stop
# gives every buffer back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pktio_lib.sh"

ECHO="$PKTIO_BUILD/tests/tools/graph_udp_echo"
[ -x "$ECHO" ] || die "$ECHO is not built"

# client (c0) -- (e0) sluiced + graph -- TAP gk0 -- the kernel of NS_E.
# The graph's addresses are the kernel's on e0 (so sluiced's FIB has them
# as local routes, and the client's subnet as e0's connected route); the
# kernel keeps what sluiced does not steer (ARP/ND, ICMP, other ports) and
# sends its own answers out of e0.  The punt TAP has e0's MAC (punted
# frames are for it) and no address: the kernel takes the punted
# datagrams there as for any of its addresses (no rp_filter).  Static
# neighbours both ways: the FIB's neighbour for the client is e0's.
CLIENT_MAC=02:00:00:00:62:02
GRAPH_MAC=02:00:00:00:62:01
netns_add NS_C c && netns_add NS_E e || die "namespaces"
veth "$NS_C" c0 "$CLIENT_MAC" "$NS_E" e0 "$GRAPH_MAC" || die "veth"
ip -n "$NS_C" addr add 198.18.62.2/24 dev c0 || die "v4 address"
ip -n "$NS_C" addr add 2001:db8:62::2/64 dev c0 nodad || die "v6 address"
for a in 198.18.62.1 198.18.62.9 2001:db8:62::1 2001:db8:62::9; do
	ip -n "$NS_C" neigh replace "$a" lladdr "$GRAPH_MAC" dev c0 nud permanent ||
		die "neighbour $a"
done
host_if "$NS_C" c0
for a in 198.18.62.1/24 198.18.62.9/24; do
	ip -n "$NS_E" addr add "$a" dev e0 || die "address $a"
done
for a in 2001:db8:62::1/64 2001:db8:62::9/64; do
	ip -n "$NS_E" addr add "$a" dev e0 nodad || die "address $a"
done
ip -n "$NS_E" neigh replace 198.18.62.2 lladdr "$CLIENT_MAC" dev e0 nud permanent &&
	ip -n "$NS_E" neigh replace 2001:db8:62::2 lladdr "$CLIENT_MAC" dev e0 nud permanent ||
	die "the client's neighbours on e0"
ip netns exec "$NS_E" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.conf.default.rp_filter=0 || die "rp_filter"

sluiced_start "$NS_E" e --interface e0 || die "sluiced"
check "steer add udp 7000-7999" sctl e steer add --proto udp --dport 7000-7999
check "sluiced's FIB has the client's subnet" \
	wait_until 10 route_has e 198.18.62.0/24
check "sluiced's FIB has the client's v6 subnet" \
	wait_until 10 route_has e 2001:db8:62::/64

out="$T_TMP/echo.out"
# nsenter, not ip netns exec: the tool opens sluiced's pins in /sys/fs/bpf
nsenter --net="/var/run/netns/$NS_E" "$ECHO" --dev e0 --pin-dir "$PIN_e" \
	--punt-tap gk0 --bind 198.18.62.1:7000 --bind '[2001:db8:62::1]:7000' \
	--bind '*:7100' >"$out" 2>&1 &
pid=$!
T_PIDS+=("$pid")
if ! wait_until 10 grep -q '^ready' "$out"; then
	sed 's/^/# /' "$out" | tail -20
	die "graph_udp_echo did not come up"
fi
check "the tool's socket is in sluiced's steering map" \
	grep -q 'sluiced steers e0 (slot' "$out"
ip -n "$NS_E" link set gk0 address "$GRAPH_MAC" &&
	ip netns exec "$NS_E" sysctl -qw net.ipv4.conf.gk0.rp_filter=0 ||
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

# ---- the answers' route: the FIB's neighbour, not the received frame ---------
# mac.py ADDR PORT N TIMEOUT: N datagrams on a connected socket, each
# answer awaited; a packet socket on c0 sees every frame that comes back
# from PORT: "sent N answers A frames F dst MACS src MACS ttl TTLS"
cat >"$T_TMP/mac.py" <<'PYEOF'
import socket, struct, sys, time
addr, port, n, tmo = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
cap.bind(("c0", 0))
cap.setblocking(False)
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(tmo)
s.connect((addr, port))
answers = 0
for i in range(n):
    p = b"mac %d" % i
    s.send(p)
    try:
        answers += s.recv(100) == p
    except socket.timeout:
        pass
time.sleep(0.2)
frames = []
while True:
    try:
        f, a = cap.recvfrom(2048)
    except BlockingIOError:
        break
    if a[2] == socket.PACKET_OUTGOING or len(f) < 34:
        continue
    if f[12:14] == b"\x08\x00" and f[23] == 17:
        l4, ttl = 14 + (f[14] & 15) * 4, f[22]
    elif f[12:14] == b"\x86\xdd" and len(f) >= 54 and f[20] == 17:
        l4, ttl = 54, f[21]
    else:
        continue
    if len(f) >= l4 + 8 and struct.unpack("!H", f[l4:l4 + 2])[0] == port:
        frames.append((f[0:6].hex(":"), f[6:12].hex(":"), ttl))
def seen(i):
    return ",".join(str(v) for v in sorted(set(x[i] for x in frames))) or "-"
print("sent %d answers %d frames %d dst %s src %s ttl %s"
      % (n, answers, len(frames), seen(0), seen(1), seen(2)))
PYEOF
macs() { timeout 30 ip netns exec "$NS_C" "$T_PY" "$T_TMP/mac.py" "$@"; }
sent4=0
got=$(macs 198.18.62.1 7000 5 2)
sent4=$((sent4 + 5))
check "IPv4 answers: to the FIB's neighbour MAC, from e0's, TTL 63 ($got)" \
	test "$got" = "sent 5 answers 5 frames 5 dst $CLIENT_MAC src $GRAPH_MAC ttl 63"
got=$(macs 2001:db8:62::1 7000 5 2)
check "IPv6 answers: to the FIB's neighbour MAC, from e0's, hop limit 63 ($got)" \
	test "$got" = "sent 5 answers 5 frames 5 dst $CLIENT_MAC src $GRAPH_MAC ttl 63"
# another MAC for the client in the kernel -> sluiced's FIB -> the
# lookup: the answer goes there (the client's socket never sees it),
# whatever the datagram came from
OTHER_MAC=02:00:00:00:62:77
ip -n "$NS_E" neigh replace 198.18.62.2 lladdr "$OTHER_MAC" dev e0 nud permanent ||
	die "neighbour change"
for _ in $(seq 1 20); do
	got=$(macs 198.18.62.1 7000 1 0.3)
	sent4=$((sent4 + 1))
	case $got in *"dst $OTHER_MAC "*) break ;; esac
done
check "neighbour changed: the answer goes to $OTHER_MAC, not to the client ($got)" \
	test "$got" = "sent 1 answers 0 frames 1 dst $OTHER_MAC src $GRAPH_MAC ttl 63"
ip -n "$NS_E" neigh replace 198.18.62.2 lladdr "$CLIENT_MAC" dev e0 nud permanent ||
	die "neighbour back"
for _ in $(seq 1 20); do
	got=$(macs 198.18.62.1 7000 1 0.3)
	sent4=$((sent4 + 1))
	case $got in *"dst $CLIENT_MAC "*) break ;; esac
done
check "neighbour back: the client gets its answer again ($got)" \
	test "$got" = "sent 1 answers 1 frames 1 dst $CLIENT_MAC src $GRAPH_MAC ttl 63"

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
# what the punt wrote to the TAP, as the kernel counts it on gk0
gk0_rx=$(ip -n "$NS_E" -j -s link show gk0 | "$T_PY" -c '
import json, sys
print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])')

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
check "every buffer back in the pool" grep -qx 'pool 4096/4096' "$out"
c4=$(field "chan 198.18.62.1:7000 " echoed)
c6=$(field "chan [2001:db8:62::1]:7000 " echoed)
ca=$(field "chan *:7100 " echoed)
check "the v4 channel echoed 40 + $sent4 ($c4)" test "$c4" = $((40 + sent4))
check "the v6 channel echoed 40 + 5 ($c6)" test "$c6" = 45
check "the bind to any echoed 40 ($ca)" test "$ca" = 40
check "no rx_full, no failed send" \
	test "$(field 'udp ' rx_full)/$(field 'udp ' send_failed)" = 0/0
check "unbound port and address: 7 punted as pass_local ($(field punt pass_local))" \
	test "$(field punt pass_local)" = 7
check "udp-input counted 7 unbound ($(field 'udp ' unbound))" \
	test "$(field 'udp ' unbound)" = 7
check "the 7 punted reached the kernel through gk0 (tap tx $(field tap tx), gk0 rx $gk0_rx)" \
	test "$(field tap tx)/$gk0_rx" = 7/7
check "3 bad checksums dropped as drop_bad_csum ($(field drop bad_csum))" \
	test "$(field drop bad_csum)" = 3
check "2 bad lengths dropped as drop_bad_len ($(field drop bad_len))" \
	test "$(field drop bad_len)" = 2
answers=$((c4 + c6 + ca))
check "delivered = $answers echoed ($(field 'udp ' delivered))" \
	test "$(field 'udp ' delivered)" = "$answers"
check "ip-rewrite took every answer ($(field rewrite packets) of $answers)" \
	test "$(field rewrite packets)" = "$answers"
check "if-output sent every answer ($(field out packets) of $answers, tx_full $(field out tx_full))" \
	test "$(field out packets)/$(field out tx_full)/$(field out bad_slot)" = "$answers/0/0"
for l in lkp4 lkp6; do
	lp=$(awk -v l="$l" '$1 == l { s = 0; for (i = 5; i <= NF; i += 2) s += $i; print s }' "$out")
	check "$l punted no answer ($lp)" test "$lp" = 0
done
check "the port sent the answers and the kernel's TAP frames ($(field port tx))" \
	test "$(field port tx)" = $((answers + $(field kernel out)))

tap_done
