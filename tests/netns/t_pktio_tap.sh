#!/usr/bin/env bash
# libpktio's tap and tun drivers: the UDP echo (tests/tools/
# pktio_echo_check) sits behind a tap (or tun) whose kernel side has an
# address; a kernel socket client in the same namespace sends to an
# address behind the device and gets the exact payloads back, IPv4 and
# IPv6.  A tap the tool creates goes away at close, persist=1 keeps it; an
# existing multi-queue tap is attached with 2 queues and every datagram is
# echoed once; frames larger than a buffer are counted and dropped; a
# device of the wrong kind, a bad option and an open that fails at its
# second queue fail with an error naming them, leaking no fd and no
# buffer; a stop under traffic gives every buffer back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pktio_lib.sh"

netns_add NS_E e || die "namespace"
# the echo answers for .2 / ::2 with this MAC (a permanent neighbour: no
# ARP or ND for the tool to answer)
PEER_MAC=02:00:00:00:62:02

# tap_addr IF N: the kernel side of IF gets 198.18.N.1 and 2001:db8:N::1,
# the echo's addresses .2 and ::2 a permanent neighbour entry.
tap_addr() {
	ip -n "$NS_E" addr add "198.18.$2.1/24" dev "$1" &&
		ip -n "$NS_E" addr add "2001:db8:$2::1/64" dev "$1" nodad &&
		ip -n "$NS_E" neigh replace "198.18.$2.2" lladdr $PEER_MAC \
			dev "$1" nud permanent &&
		ip -n "$NS_E" neigh replace "2001:db8:$2::2" lladdr $PEER_MAC \
			dev "$1" nud permanent
}
dev_exists() { ip -n "$NS_E" link show "$1" >/dev/null 2>&1; }

# ---- tap created by the tool: v4 and v6 -------------------------------------
echo_start "$NS_E" tap --driver tap --dev pt0 || die "echo tool on a new tap"
check "tap: the tool created pt0 and set it up" \
	sh -c "ip -n '$NS_E' link show pt0 | grep -q '[<,]UP[,>]'"
tap_addr pt0 62 || die "addresses on pt0"
check "tap: IPv4 datagrams echoed with exact payloads" \
	udp_echo "$NS_E" 198.18.62.2 7000 40 4
check "tap: IPv6 datagrams echoed with exact payloads" \
	udp_echo "$NS_E" 2001:db8:62::2 7000 40 4
# 3042-byte frames, above the 1792 bytes a buffer has after its headroom
ip -n "$NS_E" link set pt0 mtu 4000 || die "mtu 4000 on pt0"
send_big "$NS_E" 198.18.62.2 7000 5 3000
# (these come after the big ones: the tool has read those)
check "tap: datagrams sent after oversized frames are echoed" \
	udp_echo "$NS_E" 198.18.62.2 7000 10 2
echo_stop tap
rc=$?
echo_out tap | sed 's/^/# /'
check "tap: clean stop, exit status 0" test "$rc" = 0
check "tap: every buffer back in the pool" grep -qx 'pool 4096/4096' "$T_TMP/echo-tap.out"
echoed=$(echo_field tap 0 echoed)
check "tap: the tool echoed exactly 90 datagrams (got '$echoed')" test "$echoed" = 90
check "tap: 5 frames above the buffer counted as oversize" \
	test "$(echo_field tap 0 oversize)" = 5
check "tap: ... and as errors" test "$(echo_field tap 0 errors)" = 5
rx=$(echo_field tap 0 rx)
tx=$(echo_field tap 0 tx)
copies=$(echo_field tap 0 copies)
check "tap: copies = rx + tx ($copies = $rx + $tx)" test "$copies" = $((rx + tx))
check_fails "tap: without persist the tap the tool created is gone" dev_exists pt0

# ---- tun, persist=1 ----------------------------------------------------------
echo_start "$NS_E" tun --driver tun --dev pu0 --l3 --opt persist=1 ||
	die "echo tool on a new tun"
ip -n "$NS_E" addr add 198.18.63.1/24 dev pu0 &&
	ip -n "$NS_E" addr add 2001:db8:63::1/64 dev pu0 nodad || die "addresses on pu0"
check "tun: IPv4 datagrams echoed with exact payloads" \
	udp_echo "$NS_E" 198.18.63.2 7000 40 4
check "tun: IPv6 datagrams echoed with exact payloads" \
	udp_echo "$NS_E" 2001:db8:63::2 7000 40 4
echo_stop tun
rc=$?
echo_out tun | sed 's/^/# /'
check "tun: clean stop, every buffer back" \
	sh -c "[ $rc = 0 ] && grep -qx 'pool 4096/4096' '$T_TMP/echo-tun.out'"
echoed=$(echo_field tun 0 echoed)
check "tun: the tool echoed exactly 80 packets (got '$echoed')" test "$echoed" = 80
check "tun: persist=1 kept pu0 after the stop" dev_exists pu0
# attached again, by name: the address stayed with the device
echo_start "$NS_E" tun2 --driver tun --dev pu0 --l3 || die "echo tool on the kept tun"
check "tun: attached to the kept pu0, IPv4 echoed" \
	udp_echo "$NS_E" 198.18.63.2 7000 20 2
echo_stop tun2
check "tun: an attached device without persist stays" dev_exists pu0
ip -n "$NS_E" link del pu0

# ---- an existing multi-queue tap, 2 queues -----------------------------------
ip -n "$NS_E" tuntap add dev pt1 mode tap multi_queue || die "tuntap add pt1"
ip -n "$NS_E" link set pt1 address 02:00:00:00:64:01
tap_addr pt1 64 || die "addresses on pt1"
echo_start "$NS_E" mq --driver tap --dev pt1 --queues 2 || die "echo tool with 2 queues"
check "tap 2 queues: 64 flows, every datagram echoed once" \
	udp_echo "$NS_E" 198.18.64.2 7001 128 64
echo_stop mq
rc=$?
echo_out mq | sed 's/^/# /'
e0=$(echo_field mq 0 echoed)
e1=$(echo_field mq 1 echoed)
check "tap 2 queues: queues echoed $e0 + $e1 = 128" test $((e0 + e1)) = 128
check "tap 2 queues: both queues took a share" test "$e0" -gt 0 -a "$e1" -gt 0
check "tap 2 queues: clean stop, every buffer back" \
	sh -c "[ $rc = 0 ] && grep -qx 'pool 4096/4096' '$T_TMP/echo-mq.out'"
check "tap 2 queues: the device made elsewhere stays" dev_exists pt1

# ---- bad input -----------------------------------------------------------------
ip -n "$NS_E" link add pv0 type veth peer name pv1
ip netns exec "$NS_E" "$PKTIO_ECHO" --driver tap --dev pv0 \
	--open-fail 100 >"$T_TMP/fail.out" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/fail.out" | head -3
check "a veth is no tap: 100 opens fail, no fd or buffer leaked" test "$rc" = 0
check "a veth is no tap: the error names it" \
	grep -q 'cannot attach to interface pv0' "$T_TMP/fail.out"
ip netns exec "$NS_E" "$PKTIO_ECHO" --driver tap --dev pt1 \
	--open-fail 20 >"$T_TMP/fail.out" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/fail.out" | head -2
check "1 queue on a multi-queue tap: refused, no fd leaked" test "$rc" = 0
check "1 queue on a multi-queue tap: the error says why" \
	grep -q 'not multi_queue' "$T_TMP/fail.out"
ip netns exec "$NS_E" "$PKTIO_ECHO" --driver tap --dev pt1 --queues 2 \
	--max-fds 1 --open-fail 50 >"$T_TMP/fail.out" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/fail.out" | head -2
check "open failing at the second queue: 50 times, no fd or buffer leaked" test "$rc" = 0
check "open failing at the second queue: the error says what" \
	grep -q 'driver tap: queue 1: /dev/net/tun: Too many open files' "$T_TMP/fail.out"
ip netns exec "$NS_E" "$PKTIO_ECHO" --driver tap --dev pt9 --opt persist=2 \
	--open-fail 20 >"$T_TMP/fail.out" 2>&1
rc=$?
check "bad persist: refused, no fd leaked" test "$rc" = 0
check "bad persist: the error names key and value" \
	grep -q 'persist=2' "$T_TMP/fail.out"
check_fails "bad persist: no device was created" dev_exists pt9

# ---- stop under traffic --------------------------------------------------------
echo_start "$NS_E" load --driver tap --dev pt1 --queues 2 || die "echo tool under load"
timeout 20 ip netns exec "$NS_E" "$T_PY" "$PKTIO_CLIENT" 198.18.64.2 7002 0 16 \
	--flood 3 >"$T_TMP/flood.out" 2>&1 &
flood=$!
sleep 1.5
echo_stop load
rc=$?
wait "$flood"
echo_out load | sed 's/^/# /'
sed 's/^/# client: /' "$T_TMP/flood.out"
e0=$(echo_field load 0 echoed)
e1=$(echo_field load 1 echoed)
check "stop under traffic: the tool echoed ($e0 + $e1) before the stop" test $((e0 + e1)) -gt 100
check "stop under traffic: exit 0 and every buffer back" \
	sh -c "[ $rc = 0 ] && grep -qx 'pool 4096/4096' '$T_TMP/echo-load.out'"

tap_done
