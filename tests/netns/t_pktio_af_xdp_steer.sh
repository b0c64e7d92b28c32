#!/usr/bin/env bash
# libpktio's af_xdp driver under sluiced: sluiced manages x0 and steers UDP
# port 7007 to AF_XDP; the test tool opens x0 with pin_dir= sluiced's pins,
# so its socket goes into sluiced's steer_xsks and it loads no XDP program
# of its own.  UDP to 7007 (v4, v6, exact payloads) is echoed by the tool
# while ping, ARP/ND and another UDP port stay the kernel's; after the
# tool's close its key is gone and 7007 falls back to the kernel path
# (no_socket counts it).  While the tool is stopped its rings fill: what is
# steered then is lost in the kernel, and sluiced counts each such frame
# once as steer_failed, and libpktio's rx_drops (the socket's
# XDP_STATISTICS, read by the polling thread) agrees.
. "$(dirname "$0")/lib.sh"

TOOL=${PKTIO_AF_XDP_CHECK:-$(dirname "$SLUICED")/tests/tools/pktio_af_xdp_check}
[ -x "$TOOL" ] || die "no test tool at $TOOL (make all)"

netns_add NS_X xsk || die "netns"
netns_add NS_H host || die "netns"
veth "$NS_X" x0 02:00:00:00:08:01 "$NS_H" h0 02:00:00:00:08:02 || die "veth"
host_if "$NS_H" h0
ip -n "$NS_X" addr add 198.18.8.1/24 dev x0 || die "address"
ip -n "$NS_X" addr add 2001:db8:8::1/64 dev x0 nodad || die "address"
ip -n "$NS_H" addr add 198.18.8.2/24 dev h0 || die "address"
ip -n "$NS_H" addr add 2001:db8:8::2/64 dev h0 nodad || die "address"
sluiced_start "$NS_X" x --interface x0 || die "sluiced"
check "steer add udp 7007" sctl x steer add --proto udp --dport 7007
prog0=$(ip -d -n "$NS_X" link show x0 | grep -oE 'prog/xdp id [0-9]+')
check "sluiced's program is on x0 ($prog0)" test -n "$prog0"

cat >"$T_TMP/client.py" <<'PY'
import socket, sys
# client.py FAMILY ADDR PORT: exact payloads out and back, or exit 1
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
payloads = [b"x", b"steered to af_xdp", bytes(range(256)) * 5, b"end"]
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect((sys.argv[2], int(sys.argv[3])))
for p in payloads:
    s.send(p)
    r = s.recv(4096)
    if r != p:
        print("payload of %d bytes came back as %d bytes" % (len(p), len(r)))
        sys.exit(1)
print("%d payloads echoed" % len(payloads))
PY
cat >"$T_TMP/server.py" <<'PY'
import select, socket, sys
# server.py PORT: a kernel UDP echo server, v4 and v6, that prefixes "k:"
port = int(sys.argv[1])
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s4.bind(("0.0.0.0", port))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s6.bind(("::", port))
while True:
    for s in select.select([s4, s6], [], [])[0]:
        data, peer = s.recvfrom(65536)
        s.sendto(b"k:" + data, peer)
PY
cat >"$T_TMP/ask.py" <<'PY'
import socket, sys
# ask.py FAMILY ADDR PORT: prints the one reply to "ping" (or "timeout")
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect((sys.argv[2], int(sys.argv[3])))
s.send(b"ping")
try:
    print(s.recv(4096).decode())
except socket.timeout:
    print("timeout")
except ConnectionRefusedError:
    print("refused")  # no server yet
PY
# the kernel's: port 7008 always, and 7007 when no socket takes it
ip netns exec "$NS_X" python3 "$T_TMP/server.py" 7008 &
T_PIDS+=("$!")
ip netns exec "$NS_X" python3 "$T_TMP/server.py" 7007 &
T_PIDS+=("$!")
ask() { ip netns exec "$NS_H" python3 "$T_TMP/ask.py" "$@"; }
check "warm: v4 neighbour" warm "$NS_H" 198.18.8.1
check "warm: v6 neighbour" warm "$NS_H" 2001:db8:8::1
ans=""
for _ in $(seq 1 20); do
	ans=$(ask 4 198.18.8.1 7007)
	[ "$ans" = "k:ping" ] && break
	sleep 0.1
done
check "before the tool: the kernel answers 7007 ($ans)" test "$ans" = "k:ping"

# the tool on x0 with sluiced's pins
nsenter --net="/var/run/netns/$NS_X" "$TOOL" echo x0 60 "pin_dir=$PIN_x" \
	>"$T_TMP/e.out" 2>"$T_TMP/e.log" &
ECHO_PID=$!
T_PIDS+=("$ECHO_PID")
wait_until 10 grep -q '^ready' "$T_TMP/e.out" || die "tool: $(cat "$T_TMP/e.log")"
check "the tool says sluiced steers x0" grep -q "sluiced steers x0 (slot" "$T_TMP/e.log"
check "queue 0 reports copy mode and sluiced's XDP mode ($(sed -n 's/^mode: //p' "$T_TMP/e.out"))" \
	grep -qE '^mode: copy,(drv|skb),need_wakeup' "$T_TMP/e.out"
prog1=$(ip -d -n "$NS_X" link show x0 | grep -oE 'prog/xdp id [0-9]+')
check "no XDP program of the tool's: x0 keeps sluiced's ($prog1)" test "$prog1" = "$prog0"
socks=$(sctl x steer show -j | python3 -c '
import json, sys
print(sum(len(s["queues"]) for s in json.load(sys.stdin)["sockets"]))')
check "sluiced sees a socket on x0 queue 0 (sockets: $socks)" test "$socks" = 1
check "v4 to 7007: exact payloads come back from the tool" \
	ip netns exec "$NS_H" python3 "$T_TMP/client.py" 4 198.18.8.1 7007
check "v6 to 7007: exact payloads come back from the tool" \
	ip netns exec "$NS_H" python3 "$T_TMP/client.py" 6 2001:db8:8::1 7007
ans=$(ask 4 198.18.8.1 7008)
check "v4 to 7008 is the kernel's ($ans)" test "$ans" = "k:ping"
ans=$(ask 6 2001:db8:8::1 7008)
check "v6 to 7008 is the kernel's ($ans)" test "$ans" = "k:ping"
check "ping v4 is the kernel's" ip netns exec "$NS_H" ping -c 2 -W 1 198.18.8.1
check "ping v6 is the kernel's" ip netns exec "$NS_H" ping -6 -c 2 -W 1 2001:db8:8::1
ip -n "$NS_H" neigh flush dev h0
check "ARP is the kernel's (neighbour flushed, ping again)" \
	ip netns exec "$NS_H" ping -c 1 -W 1 198.18.8.1

# A socket that stops reading: its rings fill, and what the program steers
# to it after that is lost in the kernel.  sluiced counts the loss as
# steer_failed on x0 (docs/steering.md), each frame once: the frames the
# program steered are those the socket received plus those lost.
steer_failed() {
	api x "/v1/interfaces?dev=x0" | python3 -c '
import json, sys
x = json.load(sys.stdin)["interfaces"][0]["xmit_drops"]
print(x["steer_failed"], x["last_errors"].get("steer_failed", "-"))'
}
cat >"$T_TMP/blast.py" <<'PY'
import socket, sys
# blast.py ADDR PORT N: N datagrams of 32 bytes, as fast as they go
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[3])):
    s.sendto(b"%032d" % i, (sys.argv[1], int(sys.argv[2])))
PY
read -r lost0 _ <<<"$(steer_failed)"
check "while the tool reads: nothing lost (steer_failed $lost0)" test "$lost0" = 0
steered0=$(packets x x0 fwd_steer_xsk)
kill -STOP "$ECHO_PID"
ip netns exec "$NS_H" timeout 20 python3 "$T_TMP/blast.py" 198.18.8.1 7007 6000
steered1=$(packets x x0 fwd_steer_xsk)
read -r lost1 why <<<"$(steer_failed)"
kill -CONT "$ECHO_PID"
check "the tool stopped: of $((steered1 - steered0)) frames steered, some lost (steer_failed $lost1, $why)" \
	test "$lost1" -gt 0 -a "$lost1" -lt $((steered1 - steered0))
# an empty fill ring is ENOMEM in copy mode; a full RX ring, ENOBUFS
check "the kernel's error of the last loss is named ($why)" \
	test "$why" = ENOMEM -o "$why" = ENOBUFS -o "$why" = ENOSPC
check "sluicectl iface x0 shows it" \
	bash -c "'$SLUICECTL' --api 'unix:$SOCK_x' iface x0 | grep -q 'lost: steer_failed $lost1'"

kill -TERM "$ECHO_PID"
wait "$ECHO_PID"
rc=$?
sed 's/^/# /' "$T_TMP/e.out"
rx=$(sed -n 's/^echoed .* rx_packets \([0-9]*\) .*/\1/p' "$T_TMP/e.out")
# 8: the client's datagrams before the stop
drops=$(sed -n 's/^echoed .* rx_drops \([0-9]*\) .*/\1/p' "$T_TMP/e.out")
check "sluiced's count equals the socket's own drops, as libpktio read them ($drops)" \
	test "$drops" = "$lost1"
check "each steered frame was received or counted lost: $((steered1 - steered0)) = $((rx - 8)) received + $lost1 lost" \
	test $((steered1 - steered0)) = $((rx - 8 + lost1))
check "stop: every buffer back in the pool (exit $rc)" test "$rc" = 0
check "the tool echoed 8 datagrams" grep -qE '^echoed ([8-9]|[1-9][0-9]+) ' "$T_TMP/e.out"
check "the tool's echo copied nothing" grep -q '^pool copies 0 ' "$T_TMP/e.out"
socks=$(sctl x steer show -j | python3 -c '
import json, sys
print(sum(len(s["queues"]) for s in json.load(sys.stdin)["sockets"]))')
check "after close: no socket registered (sockets: $socks)" test "$socks" = 0
prog2=$(ip -d -n "$NS_X" link show x0 | grep -oE 'prog/xdp id [0-9]+')
check "after close: sluiced's program still on x0 ($prog2)" test "$prog2" = "$prog0"
no_socket() {
	sctl x steer show -j | python3 -c '
import json, sys
print(sum(s["counters"]["no_socket"] for s in json.load(sys.stdin)["selectors"]))'
}
before=$(no_socket)
ans=$(ask 4 198.18.8.1 7007)
check "after close: 7007 falls back to the kernel ($ans)" test "$ans" = "k:ping"
after=$(no_socket)
check "after close: no_socket counted the fallback ($before -> $after)" \
	test "$after" -gt "$before"

tap_done
