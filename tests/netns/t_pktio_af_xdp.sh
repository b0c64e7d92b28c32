#!/usr/bin/env bash
# libpktio's af_xdp driver over a veth pair: the far side (a namespace with
# 198.18.7.2 and 2001:db8:7::2) sends UDP datagrams with exact payloads, the
# test tool echoes them back through an AF_XDP socket in copy mode (veth
# has no zero-copy).  Also: the queue reports copy mode, rx->tx costs no
# copy, a reply from another pool is copied and counted, zerocopy=required
# and bad options fail clearly and leak nothing, a stop under traffic gives
# every buffer back, the redirect program goes with the port, and what the
# kernel drops for a slow reader is counted.
. "$(dirname "$0")/lib.sh"

TOOL=${PKTIO_AF_XDP_CHECK:-$(dirname "$SLUICED")/tests/tools/pktio_af_xdp_check}
[ -x "$TOOL" ] || die "no test tool at $TOOL (make all)"
MAC_X=02:00:00:00:07:01
MAC_H=02:00:00:00:07:02
# no sluiced here: a pin dir that does not exist keeps the driver on its
# own program even if a sluiced runs on this machine
NOPIN="pin_dir=$T_TMP/no-sluiced"

netns_add NS_X xsk || die "netns"
netns_add NS_H host || die "netns"
veth "$NS_X" x0 "$MAC_X" "$NS_H" h0 "$MAC_H" || die "veth"
host_if "$NS_H" h0
ip -n "$NS_H" addr add 198.18.7.2/24 dev h0 || die "v4 address"
ip -n "$NS_H" addr add 2001:db8:7::2/64 dev h0 nodad || die "v6 address"
# the echo side answers only UDP: no ARP, no ND
ip -n "$NS_H" neigh add 198.18.7.1 lladdr "$MAC_X" dev h0 || die "v4 neigh"
ip -n "$NS_H" neigh add 2001:db8:7::1 lladdr "$MAC_X" dev h0 || die "v6 neigh"

cat >"$T_TMP/client.py" <<'PY'
import socket, sys
# client.py FAMILY ADDR [PORT]: exact payloads out and back, or exit 1
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
port = int(sys.argv[3]) if len(sys.argv) > 3 else 7007
payloads = [b"x", b"sluice af_xdp echo", bytes(range(256)) * 5,
            b"\x00" * 1400, b"end"]
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect((sys.argv[2], port))
for p in payloads:
    s.send(p)
    r = s.recv(4096)
    if r != p:
        print("payload of %d bytes came back as %d bytes" % (len(p), len(r)))
        sys.exit(1)
print("%d payloads echoed" % len(payloads))
PY
cat >"$T_TMP/server.py" <<'PY'
import select, socket
# a plain UDP echo server on port 7008, v4 and v6 (the l2fwd part)
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s4.bind(("0.0.0.0", 7008))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s6.bind(("::", 7008))
while True:
    for s in select.select([s4, s6], [], [])[0]:
        data, peer = s.recvfrom(65536)
        s.sendto(data, peer)
PY
cat >"$T_TMP/flood.py" <<'PY'
import socket, sys, time
# flood.py SECS: UDP to 198.18.7.1 as fast as it goes, replies unread
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
end = time.time() + float(sys.argv[1])
while time.time() < end:
    try:
        s.sendto(b"f" * 64, ("198.18.7.1", 7007))
    except BlockingIOError:
        pass
PY

# echo_start NAME ARGS...: the tool echoing on x0 (stdout NAME.out)
echo_start() {
	local name=$1
	shift
	# nsenter execs the tool: the pid is the tool's, for the SIGTERM
	nsenter --net="/var/run/netns/$NS_X" "$TOOL" echo x0 60 "$@" \
		>"$T_TMP/$name.out" 2>"$T_TMP/$name.log" &
	ECHO_PID=$!
	T_PIDS+=("$ECHO_PID")
	wait_until 10 grep -q '^ready' "$T_TMP/$name.out"
}
# l2fwd_start NAME ARGS...: the tool forwarding between x0 and x1
l2fwd_start() {
	local name=$1
	shift
	nsenter --net="/var/run/netns/$NS_X" "$TOOL" l2fwd x0 x1 60 "$@" \
		>"$T_TMP/$name.out" 2>"$T_TMP/$name.log" &
	ECHO_PID=$!
	T_PIDS+=("$ECHO_PID")
	wait_until 10 grep -q '^ready' "$T_TMP/$name.out"
}
# echo_stop: SIGTERM, then its exit status (0: every buffer back)
echo_stop() {
	kill -TERM "$ECHO_PID"
	wait "$ECHO_PID"
}
client() { ip netns exec "$NS_H" python3 "$T_TMP/client.py" "$@"; }
field() { # field FILE KEY: the number after KEY in the counters lines
	grep -oE "(^| )$2 [0-9]+" "$1" | head -1 | awk '{print $2}'
}

# ---- echo over copy mode ----------------------------------------------------
echo_start e1 "$NOPIN" || die "echo tool did not start: $(cat "$T_TMP/e1.log")"
mode=$(sed -n 's/^mode: //p' "$T_TMP/e1.out")
check "queue 0 reports copy mode ($mode)" test "${mode%%,*}" = copy
check "queue 0 reports its XDP mode and need_wakeup ($mode)" \
	grep -qE '^mode: copy,(drv|skb),need_wakeup' "$T_TMP/e1.out"
check "the redirect program is on x0" xdp_on "$NS_X" x0
check "v4: exact payloads come back" client 4 198.18.7.1
check "v6: exact payloads come back" client 6 2001:db8:7::1
# a second open of the queue while the echo holds it
in_ns "$NS_X" "$TOOL" openfail x0 2 "$NOPIN" >"$T_TMP/busy.out" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/busy.out" | tail -2
check "a queue in use: 3 opens fail, nothing leaks (exit $rc)" test "$rc" = 0
check "a queue in use: the error says it is busy" \
	grep -q "queue 0 of x0 is busy: another AF_XDP socket is bound to it" "$T_TMP/busy.out"
check "a queue in use: the first port still echoes" client 4 198.18.7.1
echo_stop
rc=$?
check "stop: every buffer back in the pool (exit $rc)" test "$rc" = 0
sed 's/^/# /' "$T_TMP/e1.out"
check "10 datagrams echoed" test "$(field "$T_TMP/e1.out" echoed)" -ge 10
check "rx->tx on one UMEM copies nothing (pool copies 0)" \
	grep -q '^pool copies 0 ' "$T_TMP/e1.out"
check "the port counted no copy" test "$(field "$T_TMP/e1.out" copies)" = 0
check "the port counted its wakeups" test "$(field "$T_TMP/e1.out" wakeups)" -gt 0
check "close removed the redirect program from x0" bash -c "! ip -d -n $NS_X link show x0 | grep -q prog/xdp"

# ---- a reply from another pool is copied and counted ------------------------
echo_start e2 --foreign "$NOPIN" || die "echo tool (--foreign) did not start"
check "foreign pool: v4 payloads come back" client 4 198.18.7.1
echo_stop
rc=$?
check "foreign pool: every buffer of both pools back (exit $rc)" test "$rc" = 0
sed 's/^/# /' "$T_TMP/e2.out"
n=$(field "$T_TMP/e2.out" echoed)
check "foreign pool: the port counted $n copies" test "$(field "$T_TMP/e2.out" copies)" = "$n"
check "foreign pool: the pool counted $n copies" grep -q "^pool copies $n " "$T_TMP/e2.out"

# ---- preferred busy polling; need_wakeup off --------------------------------
echo_start e5 busy_poll=20 busy_budget=16 "$NOPIN" || die "echo tool (busy_poll) did not start: $(cat "$T_TMP/e5.log")"
check "busy_poll=20: the queue reports busy-poll ($(sed -n 's/^mode: //p' "$T_TMP/e5.out"))" \
	grep -qE '^mode: copy,(drv|skb),need_wakeup,busy-poll$' "$T_TMP/e5.out"
check "busy_poll=20: v4 exact payloads come back" client 4 198.18.7.1
echo_stop
rc=$?
check "busy_poll=20: every buffer back (exit $rc)" test "$rc" = 0
echo_start e6 need_wakeup=0 "$NOPIN" || die "echo tool (need_wakeup=0) did not start"
check "need_wakeup=0: the queue does not report need_wakeup ($(sed -n 's/^mode: //p' "$T_TMP/e6.out"))" \
	grep -qE '^mode: copy,(drv|skb)$' "$T_TMP/e6.out"
check "need_wakeup=0: v6 exact payloads come back" client 6 2001:db8:7::1
echo_stop
rc=$?
check "need_wakeup=0: every buffer back (exit $rc)" test "$rc" = 0

# ---- l2fwd: two ports on one pool, one UMEM: no copy ------------------------
# a second host on x1: h1 (198.18.7.3) talks to h0 (198.18.7.2) through
# the tool, which forwards frames untouched between x1 and x0
MAC_C=02:00:00:00:07:03
MAC_X1=02:00:00:00:07:04
netns_add NS_C client || die "netns"
veth "$NS_X" x1 "$MAC_X1" "$NS_C" h1 "$MAC_C" || die "veth"
host_if "$NS_C" h1
ip -n "$NS_C" addr add 198.18.7.3/24 dev h1 || die "v4 address"
ip -n "$NS_C" addr add 2001:db8:7::3/64 dev h1 nodad || die "v6 address"
ip -n "$NS_C" neigh add 198.18.7.2 lladdr "$MAC_H" dev h1 || die "neigh"
ip -n "$NS_C" neigh add 2001:db8:7::2 lladdr "$MAC_H" dev h1 || die "neigh"
ip -n "$NS_H" neigh add 198.18.7.3 lladdr "$MAC_C" dev h0 || die "neigh"
ip -n "$NS_H" neigh add 2001:db8:7::3 lladdr "$MAC_C" dev h0 || die "neigh"
ip netns exec "$NS_H" python3 "$T_TMP/server.py" &
T_PIDS+=("$!")
l2fwd_start f1 "$NOPIN" || die "l2fwd tool did not start: $(cat "$T_TMP/f1.log")"
check "l2fwd: the second port shares the pool's UMEM ($(sed -n 's/^mode2: //p' "$T_TMP/f1.out"))" \
	grep -qE '^mode2: copy,(drv|skb),need_wakeup,shared-umem' "$T_TMP/f1.out"
check "l2fwd: v4 exact payloads through two af_xdp ports" \
	ip netns exec "$NS_C" python3 "$T_TMP/client.py" 4 198.18.7.2 7008
check "l2fwd: v6 exact payloads through two af_xdp ports" \
	ip netns exec "$NS_C" python3 "$T_TMP/client.py" 6 2001:db8:7::2 7008
echo_stop
rc=$?
sed 's/^/# /' "$T_TMP/f1.out"
check "l2fwd: every buffer back in the pool (exit $rc)" test "$rc" = 0
check "l2fwd: 20 frames forwarded" test "$(field "$T_TMP/f1.out" forwarded)" -ge 20
check "l2fwd: rx on one port, tx on the other, no copy (pool copies 0)" \
	grep -q '^pool copies 0 ' "$T_TMP/f1.out"

# ---- two queues of one port on one UMEM -------------------------------------
# x2 (NS_X) -- h2 (NS_C), two rx/tx queues each; the tool polls both
MAC_X2=02:00:00:00:09:01
MAC_H2=02:00:00:00:09:02
ip link add x2 netns "$NS_X" numtxqueues 2 numrxqueues 2 address "$MAC_X2" \
	type veth peer name h2 netns "$NS_C" numtxqueues 2 numrxqueues 2 \
	address "$MAC_H2" || die "veth x2"
ip -n "$NS_X" link set x2 up && ip -n "$NS_C" link set h2 up || die "x2 up"
host_if "$NS_C" h2
ip -n "$NS_C" addr add 198.18.9.2/24 dev h2 || die "v4 address"
ip -n "$NS_C" addr add 2001:db8:9::2/64 dev h2 nodad || die "v6 address"
ip -n "$NS_C" neigh add 198.18.9.1 lladdr "$MAC_X2" dev h2 || die "neigh"
ip -n "$NS_C" neigh add 2001:db8:9::1 lladdr "$MAC_X2" dev h2 || die "neigh"
nsenter --net="/var/run/netns/$NS_X" "$TOOL" echo x2 60 --queues 2 "$NOPIN" \
	>"$T_TMP/q2.out" 2>"$T_TMP/q2.log" &
ECHO_PID=$!
T_PIDS+=("$ECHO_PID")
wait_until 10 grep -q '^ready' "$T_TMP/q2.out" || die "echo tool (2 queues) did not start: $(cat "$T_TMP/q2.log")"
check "2 queues: queue 0 owns the UMEM ($(sed -n 's/^mode: //p' "$T_TMP/q2.out"))" \
	grep -qE '^mode: copy,(drv|skb),need_wakeup$' "$T_TMP/q2.out"
check "2 queues: queue 1 shares it ($(sed -n 's/^queue 1 mode: //p' "$T_TMP/q2.out"))" \
	grep -qE '^queue 1 mode: copy,(drv|skb),need_wakeup,shared-umem$' "$T_TMP/q2.out"
# several flows (a socket each), so the sender's queue choice varies
for i in 1 2 3; do
	check "2 queues: v4 flow $i, exact payloads" \
		ip netns exec "$NS_C" python3 "$T_TMP/client.py" 4 198.18.9.1
	check "2 queues: v6 flow $i, exact payloads" \
		ip netns exec "$NS_C" python3 "$T_TMP/client.py" 6 2001:db8:9::1
done
echo_stop
rc=$?
sed 's/^/# /' "$T_TMP/q2.out"
check "2 queues: every buffer back (exit $rc)" test "$rc" = 0
check "2 queues: no copy (pool copies 0)" grep -q '^pool copies 0 ' "$T_TMP/q2.out"

# ---- refusals that leak nothing ---------------------------------------------
for opt in zerocopy=required mode=zerocopy; do
	in_ns "$NS_X" "$TOOL" openfail x0 20 "$opt" "$NOPIN" >"$T_TMP/zc.out" 2>&1
	rc=$?
	sed 's/^/# /' "$T_TMP/zc.out" | tail -2
	check "$opt: 21 opens fail, no fd or buffer left, x0's XDP as it was" test "$rc" = 0
	check "$opt: the error says zero-copy is not supported" \
		grep -q "zerocopy=required but x0's driver has no AF_XDP zero-copy" "$T_TMP/zc.out"
done
in_ns "$NS_X" "$TOOL" openfail nosuch0 5 >"$T_TMP/nodev.out" 2>&1
check "a missing interface fails, nothing leaks" test $? = 0
check "the error names the interface" grep -q "dev nosuch0: no such interface" "$T_TMP/nodev.out"
in_ns "$NS_X" "$TOOL" openfail x0 5 rx_size=100 >"$T_TMP/bad.out" 2>&1
check "rx_size=100 fails, nothing leaks" test $? = 0
check "the error names the option" grep -q "option rx_size=100: not a power of two" "$T_TMP/bad.out"
in_ns "$NS_X" "$TOOL" openfail x0 5 wobble=1 >"$T_TMP/bad.out" 2>&1
check "an unknown option fails, nothing leaks" test $? = 0
check "the failed opens left no XDP program on x0" bash -c "! ip -d -n $NS_X link show x0 | grep -q prog/xdp"

# ---- a clean stop under traffic ---------------------------------------------
echo_start e3 "$NOPIN" || die "echo tool did not start (flood)"
ip netns exec "$NS_H" timeout 10 python3 "$T_TMP/flood.py" 3 &
FLOOD=$!
T_PIDS+=("$FLOOD")
sleep 1.5
echo_stop
rc=$?
wait "$FLOOD"
sed 's/^/# /' "$T_TMP/e3.out"
check "stop under traffic: every buffer back in the pool (exit $rc)" test "$rc" = 0
check "stop under traffic: it was echoing" test "$(field "$T_TMP/e3.out" echoed)" -gt 100
check "stop under traffic: the program is gone" bash -c "! ip -d -n $NS_X link show x0 | grep -q prog/xdp"

# ---- a slow reader: the kernel drops, the port counts it --------------------
echo_start e4 --stall "$NOPIN" || die "echo tool did not start (stall)"
ip netns exec "$NS_H" timeout 10 python3 "$T_TMP/flood.py" 3 &
FLOOD=$!
T_PIDS+=("$FLOOD")
sleep 2.8
echo_stop
rc=$?
wait "$FLOOD"
sed 's/^/# /' "$T_TMP/e4.out"
check "slow reader: every buffer back in the pool (exit $rc)" test "$rc" = 0
check "slow reader: the kernel's drops are in rx_drops" \
	test "$(field "$T_TMP/e4.out" rx_drops)" -gt 0

tap_done
