#!/usr/bin/env bash
# libpktio's memif driver against DPDK's net_memif (dpdk-testpmd, DPDK 22.11
# calls the roles server and client) in both roles, and against itself
# across two processes.  The test tool sends numbered UDP frames (v4 and v6,
# 198.18.9.0/24 and 2001:db8:9::/64) and wants every one back byte for byte;
# testpmd returns them in io or macswap mode and its forward statistics
# must count them too.  Also: shared buffers smaller than a frame (chained
# descriptors both ways), a refusal from DPDK (wrong secret) and a slave with
# no master fail clearly and leak nothing; DPDK's default abstract socket
# name (socket=@NAME here) works in both roles.  No namespace is needed: memif
# is a unix socket and shared memory.
. "$(dirname "$0")/lib.sh"

TOOL=${PKTIO_MEMIF_CHECK:-$(dirname "$SLUICED")/tests/tools/pktio_memif_check}
[ -x "$TOOL" ] || die "no test tool at $TOOL (make all)"
command -v dpdk-testpmd >/dev/null || die "no dpdk-testpmd (scripts/deps.sh: dpdk-dev)"
N=1000
DPDK_PREFIX="sluice-memif-$T_ID"
# testpmd's runtime directory goes with the test
trap 'cleanup; rm -rf "/var/run/dpdk/$DPDK_PREFIX"' EXIT

# testpmd ROLE MODE SOCK [DEVARGS]: starts testpmd with one memif port in
# role ROLE, forwarding in MODE; its stdin is a fifo held on fd 3 (a line
# on it stops testpmd, which prints its forward statistics).
testpmd() {
	local role=$1 mode=$2 sock=$3 extra=${4:-} where
	# @NAME: DPDK's default, an abstract socket; else a file
	if [ "${sock:0:1}" = @ ]; then
		where="socket=${sock:1}"
	else
		where="socket=$sock,socket-abstract=no"
	fi
	rm -f "$T_TMP/tp.fifo"
	mkfifo "$T_TMP/tp.fifo" || return 1
	# line-buffered: the script waits for testpmd's lines; no 9 s wait for
	# a link that comes up only when the peer connects
	timeout 60 stdbuf -oL dpdk-testpmd -l 0,1 --no-huge -m 256 --no-pci \
		--file-prefix="$DPDK_PREFIX" \
		--vdev "net_memif0,role=$role,$where,id=0$extra" \
		-- --forward-mode="$mode" --port-topology=loop --auto-start \
		--disable-link-check \
		--total-num-mbufs=16384 <"$T_TMP/tp.fifo" >"$T_TMP/testpmd.out" 2>&1 &
	TP_PID=$!
	T_PIDS+=("$TP_PID")
	exec 3>"$T_TMP/tp.fifo"
}

# testpmd_ready: testpmd forwards.  It flushes its rx queues when it
# starts forwarding, and a DPDK server refuses clients ("ID not found")
# until its port is started: nothing is sent before this.
testpmd_ready() {
	wait_until 30 grep -q 'Press enter to exit' "$T_TMP/testpmd.out"
}

# testpmd_stop: a line on its stdin, then its exit.
testpmd_stop() {
	echo >&3
	exec 3>&-
	wait "$TP_PID"
}

# testpmd_count RX|TX: port 0's forward statistics.
testpmd_count() {
	awk -v k="$1-packets:" '/Forward statistics for port 0/ { on = 1 }
		on && $1 == k { print $2; exit }' "$T_TMP/testpmd.out"
}

# listening SOCK: someone listens on SOCK (a file, or @NAME abstract).
listening() {
	local l
	if [ "${1:0:1}" = @ ]; then
		l=$(ss -xlH 2>/dev/null)
		grep -qF -- "$1 " <<<"$l"
	else
		test -S "$1"
	fi
}

# kv FILE KEY: the tool's "key=value" line.
kv() { sed -n "s/^$2=//p" "$1" | head -1; }

# interop NAME ROLE MODE [TOOL_OPT...]: testpmd in ROLE (server or client)
# and MODE; the tool in the other role sends $N frames and checks them.
interop() {
	local name=$1 role=$2 mode=$3 sock="$T_TMP/dp-$1.sock" out="$T_TMP/$1.log"
	# the abstract_* cases use DPDK's default: an abstract socket name
	[ "${name#abstract}" != "$name" ] && sock="@$sock"
	local ours expect=same rc rx tx
	shift 3
	[ "$mode" = macswap ] && expect=macswap
	rm -f "$sock" "$T_TMP/hold" "$T_TMP/go"
	if [ "$role" = server ]; then
		ours=slave
		testpmd server "$mode" "$sock" || return 1
		testpmd_ready || {
			tap_fail "$name: testpmd forwards" "$(tail -5 "$T_TMP/testpmd.out")"
			testpmd_stop
			return 1
		}
	else
		ours=master
	fi
	"$TOOL" send -n "$N" -t 20 -e "$expect" -s "$T_TMP/go" -w "$T_TMP/hold" \
		role=$ours "socket=$sock" id=0 "$@" >"$out" 2>&1 &
	local tool=$!
	if [ "$role" = client ]; then
		wait_until 10 listening "$sock" || true
		testpmd client "$mode" "$sock" || return 1
		testpmd_ready || true
	fi
	touch "$T_TMP/go"
	# the tool has checked every frame when it holds the port open
	wait_until 30 grep -q '^holding=' "$out" || true
	testpmd_stop
	touch "$T_TMP/hold"
	wait "$tool"
	rc=$?
	rx=$(testpmd_count RX)
	tx=$(testpmd_count TX)
	if [ "$rc" -eq 0 ] && [ "$(kv "$out" received)" = "$N" ] &&
		[ "$(kv "$out" mismatched)" = 0 ] &&
		[ "$(kv "$out" port_copies)" = $((2 * N)) ] &&
		[ "$(kv "$out" pool_in_use)" = 0 ]; then
		tap_ok "$name: our $ours got $N frames back from testpmd ($role, $mode) byte for byte, $((2 * N)) copies counted"
	else
		tap_fail "$name: our $ours vs testpmd $role/$mode" "rc=$rc"
		sed 's/^/#   /' "$out" | tail -25
	fi
	if [ "$rx" = "$N" ] && [ "$tx" = "$N" ]; then
		tap_ok "$name: testpmd counted $rx received and $tx sent"
	else
		tap_fail "$name: testpmd's counters" "RX-packets '$rx' TX-packets '$tx', want $N"
		grep -vE '^EAL|^$' "$T_TMP/testpmd.out" | tail -25 | sed 's/^/#   /'
	fi
}

interop server_io server io
interop client_macswap client macswap
# 512-byte shared buffers (ours): frames up to 1462 bytes span three
# descriptors, which testpmd takes as chained mbufs and returns chained.
# 1024 slots for at most 256 frames in flight: DPDK 22.11's tx, out of
# slots in the middle of a chain, rewinds without clearing the NEXT flags
# it set, and a later frame would inherit one (docs/pktio.md, memif)
interop server_chain server macswap ring_size=1024 buffer_size=512
interop client_io client io
interop abstract_server server io
interop abstract_client client macswap

# our master and our slave, two processes, each role reflecting once
for refl in master slave; do
	if [ $refl = master ]; then send=slave; else send=master; fi
	sock="$T_TMP/ours-$refl.sock"
	rm -f "$sock"
	if [ $refl = master ]; then
		"$TOOL" reflect -n "$N" -t 20 role=master "socket=$sock" id=9 \
			>"$T_TMP/refl.log" 2>&1 &
		refl_pid=$!
		wait_until 10 test -S "$sock" || true
		"$TOOL" send -n "$N" -t 20 role=slave "socket=$sock" id=9 \
			>"$T_TMP/send.log" 2>&1
		rc=$?
	else
		"$TOOL" send -n "$N" -t 20 role=master "socket=$sock" id=9 \
			>"$T_TMP/send.log" 2>&1 &
		send_pid=$!
		wait_until 10 test -S "$sock" || true
		"$TOOL" reflect -n "$N" -t 20 role=slave "socket=$sock" id=9 \
			>"$T_TMP/refl.log" 2>&1 &
		refl_pid=$!
		wait "$send_pid"
		rc=$?
	fi
	wait "$refl_pid"
	rrc=$?
	if [ "$rc" -eq 0 ] && [ "$rrc" -eq 0 ] &&
		[ "$(kv "$T_TMP/send.log" received)" = "$N" ] &&
		[ "$(kv "$T_TMP/refl.log" reflected)" = "$N" ]; then
		tap_ok "ours: $N frames from our $send to our $refl and back, byte for byte"
	else
		tap_fail "ours: $send -> $refl -> $send" "send rc=$rc reflect rc=$rrc"
		sed 's/^/#   send: /' "$T_TMP/send.log" | tail -12
		sed 's/^/#   reflect: /' "$T_TMP/refl.log" | tail -12
	fi
done

# refusals: each open fails the same way 20 times, no fd or buffer left
refused() {
	local name=$1 words=$2 out="$T_TMP/refused.log"
	shift 2
	"$TOOL" open-fail "$@" >"$out" 2>&1
	local rc=$?
	if [ "$rc" -eq 0 ] && grep -q -- "^message=.*$words" "$out" &&
		[ "$(kv "$out" fd_leak)" = 0 ] && [ "$(kv "$out" pool_leak)" = 0 ]; then
		tap_ok "$name: refused naming '$words', no fd or buffer leaked"
	else
		tap_fail "$name" "rc=$rc, want '$words'"
		sed 's/^/#   /' "$out" | tail -10
	fi
}

sock="$T_TMP/none.sock"
rm -f "$sock"
refused "no master (no socket file)" "no memif master.*ENOENT" -n 20 role=slave "socket=$sock"
# a socket file whose process is gone: nobody listens
python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.bind(sys.argv[1])' "$sock"
refused "no master (stale socket file)" "no memif master.*ECONNREFUSED" -n 20 role=slave "socket=$sock"
rm -f "$sock"

sock="$T_TMP/secret.sock"
rm -f "$sock"
testpmd server io "$sock" ",secret=sluice" || die "testpmd"
testpmd_ready || tap_fail "secret: testpmd forwards"
refused "DPDK refuses a wrong secret" "master disconnected: Incorrect secret" -n 3 role=slave "socket=$sock" secret=other
refused "DPDK refuses an unknown id" "master disconnected: ID not found" -n 3 role=slave "socket=$sock" id=5 secret=sluice
# and the same server takes the right one afterwards
"$TOOL" send -n 100 -t 20 role=slave "socket=$sock" id=0 secret=sluice \
	>"$T_TMP/secret.log" 2>&1
check "DPDK takes the right secret after those refusals" test "$(kv "$T_TMP/secret.log" received)" = 100
testpmd_stop

tap_done
