#!/usr/bin/env bash
# libpktio's af_packet driver on a veth: a UDP echo (tests/tools/
# pktio_echo_check) answers a kernel socket client over IPv4 and IPv6 with
# the exact payloads; with two queues in a fanout group every datagram is
# answered once and both queues take a share; frames larger than a
# buffer are counted and dropped; a missing interface, bad
# options, rings too large and an open that fails at its second queue fail
# with an error naming them, leaking no fd, ring or buffer; a stop under
# traffic gives every buffer back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pktio_lib.sh"

# client (c0) -- (e0) echo: the echo side has no address, the client a
# static neighbour for the addresses the tool answers for.
netns_add NS_C c && netns_add NS_E e || die "namespaces"
veth "$NS_C" c0 02:00:00:00:61:02 "$NS_E" e0 02:00:00:00:61:01 || die "veth"
ip -n "$NS_C" addr add 198.18.61.2/24 dev c0 || die "v4 address"
ip -n "$NS_C" addr add 2001:db8:61::2/64 dev c0 nodad || die "v6 address"
ip -n "$NS_C" neigh replace 198.18.61.1 lladdr 02:00:00:00:61:01 dev c0 nud permanent
ip -n "$NS_C" neigh replace 2001:db8:61::1 lladdr 02:00:00:00:61:01 dev c0 nud permanent
# the client's checksums complete (no offload over the veth), no GRO on
# the echo side (af_packet would see merged frames)
host_if "$NS_C" c0
ip netns exec "$NS_E" ethtool -K e0 gro off >/dev/null 2>&1

# ---- one queue: v4 and v6 ---------------------------------------------------
echo_start "$NS_E" one --driver af_packet --dev e0 --opt tx=ring || die "echo tool on e0"
check "af_packet tx=ring: the queue's mode is copy (no tx-send)" \
	grep -qx 'queue 0 mode: copy' "$T_TMP/echo-one.out"
# (the leak checks below count these mappings: show that they see a ring)
check "af_packet: the rx+tx ring is one socket mapping" grep -qx 'maps 1' "$T_TMP/echo-one.out"
check "af_packet: IPv4 datagrams echoed with exact payloads" \
	udp_echo "$NS_C" 198.18.61.1 7000 40 4
check "af_packet: IPv6 datagrams echoed with exact payloads" \
	udp_echo "$NS_C" 2001:db8:61::1 7000 40 4
echo_stop one
rc=$?
echo_out one | sed 's/^/# /'
check "af_packet: clean stop, exit status 0" test "$rc" = 0
check "af_packet: every buffer back in the pool" grep -qx 'pool 4096/4096' "$T_TMP/echo-one.out"
echoed=$(echo_field one 0 echoed)
check "af_packet: the tool echoed exactly 80 datagrams (got '$echoed')" test "$echoed" = 80
rx=$(echo_field one 0 rx)
tx=$(echo_field one 0 tx)
copies=$(echo_field one 0 copies)
check "af_packet: copies = rx + tx ($copies = $rx + $tx)" test "$copies" = $((rx + tx))
wakeups=$(echo_field one 0 wakeups)
check "af_packet: tx kicks counted as wakeups ($wakeups)" test "${wakeups:-0}" -ge 1

# ---- tx=send: sendmmsg() from the buffers instead of the tx ring ------------
echo_start "$NS_E" xsend --driver af_packet --dev e0 --opt tx=send || die "echo tool, tx=send"
check "af_packet tx=send: the mode says tx-send" \
	grep -qx 'queue 0 mode: copy,tx-send' "$T_TMP/echo-xsend.out"
echo_stop xsend
check "af_packet tx=send: clean stop" test $? = 0
# the default (tx=auto) on a veth: send (the ring copies twice there)
echo_start "$NS_E" send --driver af_packet --dev e0 || die "echo tool, default tx"
check "af_packet tx=auto on a veth: sendmmsg, the mode says tx-send" \
	grep -qx 'queue 0 mode: copy,tx-send' "$T_TMP/echo-send.out"
check "af_packet tx=send: only the rx ring is mapped" grep -qx 'maps 1' "$T_TMP/echo-send.out"
check "af_packet tx=send: IPv4 datagrams echoed with exact payloads" \
	udp_echo "$NS_C" 198.18.61.1 7000 40 4
check "af_packet tx=send: IPv6 datagrams echoed with exact payloads" \
	udp_echo "$NS_C" 2001:db8:61::1 7000 40 4
echo_stop send
rc=$?
echo_out send | sed 's/^/# /'
check "af_packet tx=send: clean stop, every buffer back" \
	sh -c "[ $rc = 0 ] && grep -qx 'pool 4096/4096' '$T_TMP/echo-send.out'"
echoed=$(echo_field send 0 echoed)
check "af_packet tx=send: echoed exactly 80 datagrams (got '$echoed')" test "$echoed" = 80
rx=$(echo_field send 0 rx)
tx=$(echo_field send 0 tx)
copies=$(echo_field send 0 copies)
check "af_packet tx=send: copies = rx + tx ($copies = $rx + $tx)" test "$copies" = $((rx + tx))
check "af_packet tx=send: one sendmmsg per burst counted as a wakeup" \
	test "$(echo_field send 0 wakeups)" -ge 1
ip netns exec "$NS_E" "$PKTIO_ECHO" --driver af_packet --dev e0 --opt tx=sendmsg \
	--open-fail 3 >"$T_TMP/fail.out" 2>&1
rc=$?
check "af_packet tx=sendmsg: refused, no fd leaked" test "$rc" = 0
check "af_packet tx=sendmsg: the error names the option and its choices" \
	grep -q 'tx.*sendmsg.*ring.*send' "$T_TMP/fail.out"

# ---- frames larger than a pool buffer ----------------------------------------
# MTU 4000 on both ends: a 3000-byte datagram is one 3042-byte frame, above
# the 1792 bytes a 2048-byte buffer has after its headroom
ip -n "$NS_C" link set c0 mtu 4000 && ip -n "$NS_E" link set e0 mtu 4000 || die "mtu 4000"
echo_start "$NS_E" big --driver af_packet --dev e0 || die "echo tool for oversized frames"
send_big "$NS_C" 198.18.61.1 7003 5 3000
# (these come after the big ones in the ring: the tool has read those)
check "af_packet: datagrams sent after oversized frames are echoed" \
	udp_echo "$NS_C" 198.18.61.1 7003 10 2
echo_stop big
rc=$?
echo_out big | sed 's/^/# /'
check "af_packet: 5 frames above the buffer counted as oversize" \
	test "$(echo_field big 0 oversize)" = 5
check "af_packet: ... and as errors" test "$(echo_field big 0 errors)" = 5
check "af_packet: oversized frames: exit 0, every buffer back" \
	sh -c "[ $rc = 0 ] && grep -qx 'pool 4096/4096' '$T_TMP/echo-big.out'"
ip -n "$NS_C" link set c0 mtu 1500 && ip -n "$NS_E" link set e0 mtu 1500 || die "mtu 1500"

# ---- two queues in a fanout group ------------------------------------------
# (hash sends through the tx rings, lb with sendmmsg (the default on a
# veth) and PACKET_QDISC_BYPASS)
for mode in hash lb; do
	bypass=$([ $mode = lb ] && echo 1 || echo 0)
	tx=$([ $mode = lb ] && echo auto || echo ring)
	echo_start "$NS_E" fan --driver af_packet --dev e0 --queues 2 \
		--opt "fanout=$mode" --opt "qdisc_bypass=$bypass" --opt "tx=$tx" ||
		die "echo tool with 2 queues ($mode)"
	check "af_packet fanout=$mode: a ring mapping a queue" grep -qx 'maps 2' "$T_TMP/echo-fan.out"
	check "af_packet fanout=$mode: 64 flows, every datagram echoed once" \
		udp_echo "$NS_C" 198.18.61.1 7001 128 64
	echo_stop fan
	rc=$?
	echo_out fan | sed 's/^/# /'
	e0=$(echo_field fan 0 echoed)
	e1=$(echo_field fan 1 echoed)
	check "af_packet fanout=$mode: queues echoed $e0 + $e1 = 128" test $((e0 + e1)) = 128
	check "af_packet fanout=$mode: both queues took a share" test "$e0" -gt 0 -a "$e1" -gt 0
	check "af_packet fanout=$mode: clean stop, every buffer back" \
		sh -c "[ $rc = 0 ] && grep -qx 'pool 4096/4096' '$T_TMP/echo-fan.out'"
done

# ---- bad input --------------------------------------------------------------
ip netns exec "$NS_E" "$PKTIO_ECHO" --driver af_packet --dev nosuch0 \
	--open-fail 200 >"$T_TMP/fail.out" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/fail.out" | head -5
check "missing interface: 200 opens fail, no fd or buffer leaked" test "$rc" = 0
check "missing interface: the error names it" \
	grep -q 'no interface named nosuch0' "$T_TMP/fail.out"
ip netns exec "$NS_E" "$PKTIO_ECHO" --driver af_packet --dev e0 --queues 2 \
	--opt block_size=1048576 --opt frame_size=100000000 --open-fail 20 >"$T_TMP/fail.out" 2>&1
rc=$?
check "bad frame_size: refused, no fd leaked" test "$rc" = 0
check "bad frame_size: the error names key and value" \
	grep -q 'option frame_size=100000000' "$T_TMP/fail.out"
# rings too large for the machine: refused before any socket exists (the
# kernel would allocate them whole)
ip netns exec "$NS_E" "$PKTIO_ECHO" --driver af_packet --dev e0 --queues 2 \
	--opt block_size=67108864 --opt block_count=65536 --open-fail 5 >"$T_TMP/fail.out" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/fail.out" | head -2
check "rings above the memory limit: refused, no fd leaked" test "$rc" = 0
check "rings above the memory limit: the error names the options" \
	grep -q 'block_size=67108864 block_count=65536: the rings of 2 queues' "$T_TMP/fail.out"
# an open that fails half way: the first queue's socket and rings exist
# when the second socket cannot be opened (one fd allowed)
ip netns exec "$NS_E" "$PKTIO_ECHO" --driver af_packet --dev e0 --queues 2 \
	--max-fds 1 --open-fail 50 >"$T_TMP/fail.out" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/fail.out" | head -2
check "open failing at the second queue: 50 times, no fd, ring or buffer leaked" test "$rc" = 0
check "open failing at the second queue: the error says what" \
	grep -q 'driver af_packet: queue 1: socket: Too many open files' "$T_TMP/fail.out"

# ---- stop under traffic -----------------------------------------------------
echo_start "$NS_E" load --driver af_packet --dev e0 --queues 2 || die "echo tool under load"
timeout 20 ip netns exec "$NS_C" "$T_PY" "$PKTIO_CLIENT" 198.18.61.1 7002 0 16 \
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
