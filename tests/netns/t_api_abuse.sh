#!/usr/bin/env bash
# The REST API stays available to its operator whatever its clients do:
# hundreds of connections from one address, a client sending one byte a
# second, idle connections, and a flood from many addresses that fills a
# listener.  Limits (daemon/api.h): API_CONN_MAX 512 per listener,
# API_CONN_PER_IP 32, 10 s request deadline, 10 s idle timeout.
. "$(dirname "$0")/lib.sh"

PORT=9180
TCP=198.18.1.1		# the TCP listener
OPS=198.18.1.3		# an operator's address (TCP, with the token)
SLOW=198.18.1.4		# the slow and the idle client
FLOOD1=198.18.1.10	# the one-address flood
# the many-address flood: 198.18.1.100..119
token="sluice-abuse-token-0123456789"
# Latency bound for GET /v1/status under the floods.  The issue asks
# 100 ms; sluiced here is an ASan/UBSan build on a shared 2-core machine,
# and the figure measured is printed, so the bound is that figure's order
# with headroom rather than a tuning target.
LAT_MAX_MS=${LAT_MAX_MS:-100}

netns_add NS_R r || die "namespace"
veth "$NS_R" r0 02:00:00:00:01:01 "$NS_R" r0p 02:00:00:00:01:02 || die "veth"
ip -n "$NS_R" addr add "$TCP/24" dev r0 || die "address"
for a in $OPS $SLOW $FLOOD1 $(seq -f '198.18.1.%g' 100 119); do
	ip -n "$NS_R" addr add "$a/32" dev r0 || die "address $a"
done
sluiced_start "$NS_R" a --interface r0 --api "tcp:$TCP:$PORT" \
	--api-token "$token" || die "sluiced"
# shellcheck disable=SC2154 # set by sluiced_start
A_SOCK=$SOCK_a A_PID=$PID_a

# The clients: one Python program, each mode bounded in time.
py="$T_TMP/abuse.py"
cat >"$py" <<'PYEOF'
import os, resource, selectors, socket, sys, time
mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

def flood(n, srcs, hold, stop):
    """n connections, sources in turn; held until `stop` exists or `hold`
    seconds pass; prints how many connected and how many the server
    closed, then closes the rest at once (by exiting)."""
    sel = selectors.DefaultSelector()
    pending, up, closed = {}, {}, [0]

    def event(key):
        if key.fd in pending:       # connected, or not
            s = pending.pop(key.fd)
            sel.unregister(s)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                up[key.fd] = s
                sel.register(s, selectors.EVENT_READ)
            else:
                s.close()
            return
        s = up.pop(key.fd)          # closed by the server
        sel.unregister(s)
        try:
            s.recv(4096)
        except OSError:
            pass
        s.close()
        closed[0] += 1

    # 50 in flight at a time: a burst of SYNs larger than the listen
    # backlog would be dropped and retried a second or more later, which
    # tests the kernel, not sluiced
    t0 = time.monotonic()
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind((srcs[i % len(srcs)], 0))
        s.connect_ex((addr, port))
        pending[s.fileno()] = s
        sel.register(s, selectors.EVENT_WRITE)
        while pending and (len(pending) >= 50 or i == n - 1) and \
                time.monotonic() - t0 < 20:
            for key, _ in sel.select(0.5):
                event(key)
    print("connected %d of %d" % (len(up) + closed[0], n), flush=True)
    t0 = time.monotonic()
    while time.monotonic() - t0 < hold and not os.path.exists(stop):
        for key, _ in sel.select(0.2):
            event(key)
    print("closed by the server %d, still open %d" % (closed[0], len(up)),
          flush=True)

def slow(src, byte_s):
    """Sends a request one byte every byte_s seconds (0: sends nothing);
    prints the seconds until the server closed the connection."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.connect((addr, port))
    req = b"GET /v1/status HTTP/1.1\r\nHost: sluiced\r\nX-Pad: " + b"a" * 100
    t0 = time.monotonic()
    i = 0
    s.settimeout(byte_s or 30)
    while time.monotonic() - t0 < 30:
        try:
            if byte_s:
                s.send(req[i % len(req):i % len(req) + 1])
                i += 1
            if s.recv(4096) == b"":
                break
        except socket.timeout:
            continue
        except OSError:
            break
    print("%.1f" % (time.monotonic() - t0), flush=True)

if mode == "flood":
    flood(int(sys.argv[4]), sys.argv[5].split(","), float(sys.argv[6]),
          sys.argv[7])
elif mode == "slow":
    slow(sys.argv[4], float(sys.argv[5]))
PYEOF

# status_ms unix|tcp [MAX_S]: one GET /v1/status, no retry, MAX_S seconds
# at most (5); prints "HTTP_CODE MILLISECONDS" (curl's time_total).
status_ms() {
	local out max=${2:-5}
	if [ "$1" = unix ]; then
		out=$(curl -s -o /dev/null --max-time "$max" -w '%{http_code} %{time_total}' \
			--unix-socket "$A_SOCK" http://sluiced/v1/status)
	else
		out=$(in_ns "$NS_R" curl -s -o /dev/null --max-time "$max" \
			-w '%{http_code} %{time_total}' --interface "$OPS" \
			-H "Authorization: Bearer $token" "http://$TCP:$PORT/v1/status")
	fi
	awk '{ printf "%s %.1f\n", $1, $2 * 1000 }' <<<"$out"
}
# ms_le A B: the milliseconds A (one decimal) are at most B.
ms_le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
# status_fast NAME unix|tcp [N]: N single requests (default 5), each 200
# within LAT_MAX_MS; prints the worst.
status_fast() {
	local name=$1 via=$2 n=${3:-5} worst=0 bad="" r code ms
	for _ in $(seq 1 "$n"); do
		r=$(status_ms "$via")
		code=${r% *}
		ms=${r#* }
		ms_le "$ms" "$worst" || worst=$ms
		[ "$code" = 200 ] && ms_le "$ms" "$LAT_MAX_MS" || bad+=" [$r]"
		sleep 0.2
	done
	if [ -z "$bad" ]; then
		tap_ok "$name: $n x 200 over $via, worst ${worst} ms (bound $LAT_MAX_MS)"
	else
		tap_fail "$name: $n x 200 over $via within $LAT_MAX_MS ms" "got:$bad"
	fi
}
# established [SRC]: the connections sluiced holds on the TCP listener
# (from SRC only, if given); not those still in the listen backlog.
established() {
	in_ns "$NS_R" ss -Htnp state established "( sport = :$PORT )" |
		grep -F "pid=$A_PID," |
		awk -v src="${1:-}" 'src == "" || index($4, src ":") == 1' | wc -l
}

# tcp_ok: one GET /v1/status over TCP (1 s at most) answered 200.
tcp_ok() { [ "$(status_ms tcp 1 | cut -d' ' -f1)" = 200 ]; }
# lines_match TEXT REGEX...: each (case-insensitive) REGEX matches a line.
lines_match() {
	local text=$1 re
	shift
	for re in "$@"; do
		grep -qiE "$re" <<<"$text" || return 1
	done
}
# conns_are N: the server holds exactly N connections on the TCP listener.
conns_are() { [ "$(established)" -eq "$1" ]; }

check "before: status over tcp" tcp_ok
# Without the token: 401 at the headers, and the connection is not kept
# (no connection is: every request is read by sluiced before MHD).
hdrs=$(in_ns "$NS_R" curl -s -D - -o /dev/null --max-time 5 --interface "$OPS" \
	-X POST -d '{"address": "198.18.100.1", "port": 80, "protocol": "tcp"}' \
	"http://$TCP:$PORT/v1/vips" | tr -d '\r')
check "no token: POST answered 401 and the connection closed" \
	lines_match "$hdrs" '^HTTP/1.1 401' '^connection: close'

# ---- one address, 500 connections; a slow and an idle client --------------------
in_ns "$NS_R" timeout 40 "$T_PY" "$py" slow "$TCP" $PORT "$SLOW" 1 >"$T_TMP/slow.out" 2>&1 &
slow_pid=$!
in_ns "$NS_R" timeout 40 "$T_PY" "$py" slow "$TCP" $PORT "$SLOW" 0 >"$T_TMP/idle.out" 2>&1 &
idle_pid=$!
in_ns "$NS_R" timeout 40 "$T_PY" "$py" flood "$TCP" $PORT 500 "$FLOOD1" 30 \
	"$T_TMP/stop1" >"$T_TMP/flood1.out" 2>&1 &
flood_pid=$!
wait_until 30 grep -q connected "$T_TMP/flood1.out" ||
	die "flood 1 did not connect: $(tr '\n' ' ' <"$T_TMP/flood1.out")"
echo "# flood 1: $(head -1 "$T_TMP/flood1.out")"
check "flood 1: 500 connections made" grep -q "connected 500 of 500" "$T_TMP/flood1.out"
sleep 1	# pacing only: let the refusals drain
n=$(established $FLOOD1)
check "flood 1: the server holds $n <= 32 connections from $FLOOD1" test "$n" -le 32
status_fast "flood 1" unix
status_fast "flood 1" tcp

# The request deadline ends both: the slow client is never silent for more
# than a second, so an idle timer alone would never end it.  10 s, and 3 s
# of margin for ASan and the loaded machine.
wait "$slow_pid"
t=$(cat "$T_TMP/slow.out")
check "slow client (1 byte/s) cut after ${t} s (deadline 10 s)" \
	awk -v t="$t" 'BEGIN { exit !(t >= 9 && t <= 13) }'
wait "$idle_pid"
t=$(cat "$T_TMP/idle.out")
check "idle client closed after ${t} s (deadline 10 s)" \
	awk -v t="$t" 'BEGIN { exit !(t >= 9 && t <= 13) }'
touch "$T_TMP/stop1"
wait "$flood_pid"
echo "# flood 1: $(tail -1 "$T_TMP/flood1.out")"
check "flood 1 gone: status over tcp" test "$(status_ms tcp | cut -d' ' -f1)" = 200

# ---- 20 addresses, 600 connections: the listener is full -----------------------
srcs=$(seq -s, -f '198.18.1.%g' 100 119)
flood_full() { # $1: stop file, $2: connections; held 30 s at most
	in_ns "$NS_R" timeout 60 "$T_PY" "$py" flood "$TCP" $PORT "$2" "$srcs" 30 \
		"$1" >"$1.out" 2>&1 &
	flood_pid=$!
	wait_until 30 grep -q connected "$1.out" ||
		die "flood did not connect: $(tr '\n' ' ' <"$1.out")"
	echo "# flood: $(head -1 "$1.out")"
}
flood_full "$T_TMP/stop2" 600
check "flood 2: the listener fills up to 512" wait_until 10 conns_are 512
status_fast "flood 2 (tcp listener full)" unix
# The clients all leave while sluiced is busy (SIGSTOP stands in for a
# long request or a loaded CPU), so that one libmicrohttpd run sees every
# connection end.  The listener must come back: the defect was that MHD,
# having taken its listening socket out of its epoll set at the limit,
# freed the connections at the end of that run and nothing ever ran it
# again to put the socket back.
kill -STOP "$A_PID"
touch "$T_TMP/stop2"
wait "$flood_pid"
kill -CONT "$A_PID"
check "flood 2 closed by its clients: tcp answers again within 2 s" \
	wait_until 2 tcp_ok
r=$(status_ms tcp)
check "flood 2 gone: status over tcp: 200 in ${r#* } ms" test "${r% *}" = 200

# The same, but the clients keep their connections: the server's own
# timers end them, and then the listener accepts again.
flood_full "$T_TMP/stop3" 512
check "flood 3: the listener fills up to 512" wait_until 10 conns_are 512
check "flood 3: the server closes them all within 13 s" wait_until 13 conns_are 0
r=$(status_ms tcp)
check "flood 3 timed out, clients still there: status over tcp: 200 in ${r#* } ms" \
	test "${r% *}" = 200
touch "$T_TMP/stop3"
wait "$flood_pid"
echo "# flood 3: $(tail -1 "$T_TMP/stop3.out")"
status_fast "after the floods" tcp 3

# Each refused connection is worth a line; sluiced lets one through per 10 s.
n=$(grep -c "api tcp:" "$T_TMP/a.log")
check "refusals logged $n times (at most one per 10 s)" test "$n" -le 8
check "daemon still running" kill -0 "$A_PID"
tap_done
