# shellcheck shell=bash
# Helpers for the libpktio netns tests (t_pktio_*.sh), sourced after
# lib.sh: the echo test tool and the UDP client beside this file.
PKTIO_BUILD=$(cd "$(dirname "$SLUICED")" && pwd)
PKTIO_ECHO="$PKTIO_BUILD/tests/tools/pktio_echo_check"
PKTIO_CLIENT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pktio_udp_client.py"
[ -x "$PKTIO_ECHO" ] || { echo "# $PKTIO_ECHO is not built"; exit 1; }

# echo_start NS NAME ARGS...: runs the echo tool in NS (output in
# $T_TMP/echo-NAME.out, pid in ECHO_PID_NAME) and waits (bounded) for its
# "ready"; fails, printing its output, when it exits first.
echo_start() {
	local ns=$1 name=$2 out="$T_TMP/echo-$2.out" pid
	shift 2
	: >"$out"
	# ip netns exec execs the tool: $! is the tool itself
	ip netns exec "$ns" "$PKTIO_ECHO" "$@" >"$out" 2>&1 &
	pid=$!
	T_PIDS+=("$pid")
	printf -v "ECHO_PID_$name" '%s' "$pid"
	if ! wait_until 10 grep -q '^ready' "$out"; then
		echo "# echo tool $name did not come up:"
		sed 's/^/#   /' "$out" | tail -20
		return 1
	fi
}

# echo_stop NAME: SIGTERM, waits (bounded); returns the tool's status.
echo_stop() {
	local pid_var="ECHO_PID_$1" pid
	pid=${!pid_var}
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	wait "$pid" 2>/dev/null
}

# echo_out NAME: what the tool printed.
echo_out() { cat "$T_TMP/echo-$1.out"; }

# echo_field NAME Q FIELD: a counter of queue Q from the tool's last lines
# ("queue Q echoed N rx R tx T ...").
echo_field() {
	awk -v q="$2" -v f="$3" '$1 == "queue" && $2 == q {
		for (i = 3; i < NF; i += 2) if ($i == f) print $(i + 1) }' \
		"$T_TMP/echo-$1.out"
}

# udp_echo NS ADDR PORT COUNT FLOWS: the client (see pktio_udp_client.py);
# its summary line goes to $T_TMP/client.out.
udp_echo() {
	timeout 30 ip netns exec "$1" "$T_PY" "$PKTIO_CLIENT" "$2" "$3" "$4" "$5" \
		>"$T_TMP/client.out" 2>&1
	local rc=$?
	sed 's/^/# /' "$T_TMP/client.out"
	return $rc
}

# send_big NS ADDR PORT COUNT SIZE: COUNT datagrams of SIZE bytes, no
# answer expected (frames above the pool buffers' room).
send_big() {
	timeout 10 ip netns exec "$1" "$T_PY" -c '
import socket, sys
a, p, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(n):
    s.sendto(b"B" * size, (a, p))
' "$2" "$3" "$4" "$5"
}
