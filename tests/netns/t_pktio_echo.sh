#!/usr/bin/env bash
# The libpktio examples with real traffic, as a user runs them from the
# README: sluice-echo answers a kernel UDP client (exact payloads, IPv4 and
# IPv6) on every driver that opens here (af_xdp in copy mode on a veth,
# af_packet, tap), the Rust echo server passes the same check,
# sluice-pktio-stats reads a running echo's counters, sluice-l2fwd forwards
# between two ports with no copy on AF_XDP, and bad input is refused with
# the field named and leaves no process behind.
#
#   client C (c0) ---- (e0) E: sluice-echo on e0, no address of its own
#   client C (c1) ---- (e1) E: sluice-l2fwd e1 <-> e2 ---- (s0) S
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${SLUICED%/sluiced}
ECHO=$BUILD/sluice-echo
L2FWD=$BUILD/sluice-l2fwd
STATS=$BUILD/sluice-pktio-stats
[ -x "$ECHO" ] && [ -x "$L2FWD" ] && [ -x "$STATS" ] || die "examples not built in $BUILD"

MAC_C0=02:00:00:e1:00:02 MAC_E0=02:00:00:e1:00:01
MAC_C1=02:00:00:e2:00:02 MAC_E1=02:00:00:e2:00:01
MAC_E2=02:00:00:e3:00:01 MAC_S0=02:00:00:e3:00:02
netns_add NS_C c && netns_add NS_E e && netns_add NS_S s || die "namespaces"
veth "$NS_C" c0 $MAC_C0 "$NS_E" e0 $MAC_E0 || die "veth c0-e0"
veth "$NS_C" c1 $MAC_C1 "$NS_E" e1 $MAC_E1 || die "veth c1-e1"
veth "$NS_E" e2 $MAC_E2 "$NS_S" s0 $MAC_S0 || die "veth e2-s0"
host_if "$NS_C" c0
host_if "$NS_C" c1
host_if "$NS_S" s0
ip -n "$NS_C" addr add 198.18.40.2/24 dev c0
ip -n "$NS_C" addr add 2001:db8:40::2/64 dev c0 nodad
# the echo answers no ARP or ND: its addresses are fixed neighbours
ip -n "$NS_C" neigh add 198.18.40.1 lladdr $MAC_E0 dev c0 nud permanent
ip -n "$NS_C" neigh add 2001:db8:40::1 lladdr $MAC_E0 dev c0 nud permanent
ip -n "$NS_C" addr add 198.18.41.2/24 dev c1
ip -n "$NS_S" addr add 198.18.41.3/24 dev s0
ip netns exec "$NS_E" ethtool -K e0 gro on >/dev/null

# udp_check NS DST COUNT: COUNT datagrams of distinct random payloads (1 to
# 1400 bytes) to DST port 7, each answered with exactly its payload;
# prints "OK/COUNT".
udp_check() {
	ip netns exec "$1" timeout 30 python3 - "$2" "$3" <<'PY'
import os, socket, sys
dst, n = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(1.0)
ok = 0
for i in range(n):
    p = os.urandom(1 + (i * 97) % 1400)
    s.sendto(p, (dst, 7))
    try:
        d, a = s.recvfrom(2048)
        if d == p and a[0] == dst and a[1] == 7:
            ok += 1
    except socket.timeout:
        pass
print("%d/%d" % (ok, n))
PY
}

# echo_start NAME CMD...: the echo in E, waiting for its queue's mode line
echo_start() {
	local name=$1
	shift
	nsenter --net="/var/run/netns/$NS_E" "$@" >"$T_TMP/$name.out" 2>"$T_TMP/$name.err" &
	ECHO_PID=$!
	T_PIDS+=("$ECHO_PID")
	wait_until 10 grep -q "queue 0:" "$T_TMP/$name.err"
}
echo_stop() {
	kill -TERM "$ECHO_PID" 2>/dev/null
	wait "$ECHO_PID"
}

# ---- sluice-echo on each driver, v4 and v6 -------------------------------------
for drv in af_xdp af_packet; do
	if ! echo_start "echo-$drv" "$ECHO" --driver $drv --dev e0 --udp-port 7; then
		tap_fail "sluice-echo --driver $drv started: $(head -c 300 "$T_TMP/echo-$drv.err")"
		kill "$ECHO_PID" 2>/dev/null
		continue
	fi
	mode=$(grep -m1 "queue 0:" "$T_TMP/echo-$drv.err" | sed 's/.*queue 0: //')
	[ $drv = af_xdp ] && check "af_xdp reports copy mode on a veth ($mode)" \
		grep -q "^copy" <<<"$mode"
	r4=$(udp_check "$NS_C" 198.18.40.1 20)
	r6=$(udp_check "$NS_C" 2001:db8:40::1 20)
	check "sluice-echo $drv answers IPv4 with the exact payloads ($r4)" [ "$r4" = 20/20 ]
	check "sluice-echo $drv answers IPv6 with the exact payloads ($r6)" [ "$r6" = 20/20 ]
	if [ $drv = af_xdp ]; then
		sock=$(sed -n 's/.*live counters on //p' "$T_TMP/echo-$drv.err")
		st=$("$STATS" --socket "$sock" 2>&1)
		check "sluice-pktio-stats shows the echo's port and its rx" \
			grep -qE "^e0 +af_xdp +e0 +0 +copy[^ ]* +([4-9][0-9]|[1-9][0-9]{2,}) " <<<"$st"
		stj=$("$STATS" --socket "$sock" -j 2>&1)
		check "sluice-pktio-stats -j: the echo's document" \
			python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["name"]=="sluice-echo" and d["ports"][0]["queues"][0]["tx_packets"]>=40' "$stj"
	fi
	echo_stop
	rc=$?
	sum=$(tail -1 "$T_TMP/echo-$drv.out")
	check "sluice-echo $drv stops cleanly, every buffer back (status $rc)" [ "$rc" = 0 ]
	check "sluice-echo $drv summary counts the 40 answers ($sum)" \
		python3 -c 'import json,sys; assert json.loads(sys.argv[1])["echoed"] >= 40' "$sum"
done

# tap: the kernel side of the tap has an address; the echo answers for
# a host behind it (a fixed neighbour, the echo's MAC is the tap's peer's)
if echo_start echo-tap "$ECHO" --driver tap --dev sltap0 --udp-port 7; then
	ip -n "$NS_E" addr add 198.18.42.1/24 dev sltap0
	ip -n "$NS_E" addr add 2001:db8:42::1/64 dev sltap0 nodad
	ip -n "$NS_E" neigh add 198.18.42.2 lladdr 02:00:00:e4:00:02 dev sltap0 nud permanent
	ip -n "$NS_E" neigh add 2001:db8:42::2 lladdr 02:00:00:e4:00:02 dev sltap0 nud permanent
	r4=$(udp_check "$NS_E" 198.18.42.2 20)
	r6=$(udp_check "$NS_E" 2001:db8:42::2 20)
	check "sluice-echo tap answers IPv4 with the exact payloads ($r4)" [ "$r4" = 20/20 ]
	check "sluice-echo tap answers IPv6 with the exact payloads ($r6)" [ "$r6" = 20/20 ]
	echo_stop
	rc=$?
	check "sluice-echo tap stops cleanly, every buffer back (status $rc)" [ "$rc" = 0 ]
else
	tap_fail "sluice-echo --driver tap started: $(head -c 300 "$T_TMP/echo-tap.err")"
	kill "$ECHO_PID" 2>/dev/null
fi

# ---- the Rust echo server, same check ----------------------------------------------
# the Rust program links the plain build's library (an ASan library
# would need the sanitizer runtime first in a Rust binary): tests/rust.sh
# builds it there, or it is built here the same way
RUST_LIB=${BUILD%/san}
RUST_ECHO=$RUST_LIB/rust-target/debug/examples/echo
if [ ! -x "$RUST_ECHO" ]; then
	(cd "$ROOT/bindings/rust/sluice-pktio" &&
		PATH="$PATH:$HOME/.cargo/bin" SLUICE_PKTIO_LIB_DIR="$RUST_LIB" \
			CARGO_TARGET_DIR="$RUST_LIB/rust-target" \
			cargo build --offline --example echo >"$T_TMP/cargo.log" 2>&1)
fi
if [ -x "$RUST_ECHO" ]; then
	if echo_start rust-echo "$RUST_ECHO" --driver af_xdp --dev e0 --udp-port 7; then
		r4=$(udp_check "$NS_C" 198.18.40.1 20)
		r6=$(udp_check "$NS_C" 2001:db8:40::1 20)
		check "the Rust echo answers IPv4 with the exact payloads ($r4)" [ "$r4" = 20/20 ]
		check "the Rust echo answers IPv6 with the exact payloads ($r6)" [ "$r6" = 20/20 ]
		echo_stop
		rc=$?
		sum=$(tail -1 "$T_TMP/rust-echo.out")
		check "the Rust echo stops cleanly, every buffer back (status $rc)" [ "$rc" = 0 ]
		check "the Rust echo counts its 40 answers ($sum)" \
			python3 -c 'import json,sys; assert json.loads(sys.argv[1])["echoed"] >= 40' "$sum"
	else
		tap_fail "the Rust echo started: $(head -c 300 "$T_TMP/rust-echo.err")"
		kill "$ECHO_PID" 2>/dev/null
	fi
else
	tap_fail "the Rust echo example was built: $(tail -5 "$T_TMP/cargo.log" 2>/dev/null)"
fi

# ---- sluice-l2fwd between e1 and e2, no copy on one UMEM -----------------------------
ip netns exec "$NS_E" ethtool -K e1 gro on >/dev/null
ip netns exec "$NS_E" ethtool -K e2 gro on >/dev/null
nsenter --net="/var/run/netns/$NS_E" "$L2FWD" --driver af_xdp --dev e1 --dev e2 \
	--dst-mac $MAC_C1 --dst-mac $MAC_S0 --stats none >"$T_TMP/l2.out" 2>"$T_TMP/l2.err" &
L2_PID=$!
T_PIDS+=("$L2_PID")
if wait_until 10 grep -q "e2 queue 0:" "$T_TMP/l2.err"; then
	# C and S are on one subnet through the forwarder: ARP crosses it too
	out=$(ip netns exec "$NS_C" ping -c 5 -i 0.2 -W 2 198.18.41.3 2>&1)
	check "ping through sluice-l2fwd (ARP and ICMP forwarded)" grep -q " 0% packet loss" <<<"$out"
	kill -TERM "$L2_PID"
	wait "$L2_PID"
	rc=$?
	sum=$(tail -1 "$T_TMP/l2.out")
	check "sluice-l2fwd stops cleanly (status $rc)" [ "$rc" = 0 ]
	check "sluice-l2fwd forwarded with no copy ($sum)" \
		python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["forwarded"]>=10 and d["copies"]==0' "$sum"
else
	tap_fail "sluice-l2fwd started: $(head -c 300 "$T_TMP/l2.err")"
fi

# ---- bad input: named, nothing left behind ---------------------------------------------
out=$(nsenter --net="/var/run/netns/$NS_E" "$ECHO" --driver af_xdp --dev nosuch0 2>&1)
rc=$?
check "a missing interface is refused with its name (status $rc)" \
	grep -q "nosuch0" <<<"$out"
out=$("$ECHO" --driver afxdp --dev e0 2>&1)
check "an unknown driver is named with the ones there are" grep -q '"afxdp" is not a driver' <<<"$out"
out=$("$ECHO" --driver af_xdp --dev e0 --udp-port 70000 2>&1)
check "a bad port is named" grep -q "'70000' is not a port" <<<"$out"
out=$(nsenter --net="/var/run/netns/$NS_E" "$ECHO" --driver af_xdp --dev e0 --queue 5 --duration 1 2>&1)
check "--queue beyond the device's queues: named, with how many there are" \
	grep -q "dev e0 has 1 queue (0..0): queues 0..5 asked for" <<<"$out"
out=$("$ECHO" --driver tun --dev sltun0 2>&1)
check "--driver tun refused (no Ethernet header): $out" grep -q "a tun port has no Ethernet header" <<<"$out"
printf '{"ports":[{"driver":"af_xdp","dev":"e0","queues":0}]}' >"$T_TMP/bad.json"
out=$("$ECHO" --config "$T_TMP/bad.json" 2>&1)
check "a bad config field is named ($out)" grep -q "ports\[0\].queues" <<<"$out"
check "no XDP program left on e0 after the runs" \
	bash -c "! ip -n $NS_E link show e0 | grep -q xdp"
tap_done
