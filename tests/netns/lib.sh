# shellcheck shell=bash
# Shared helpers for the netns tier.  Source it first thing in a test:
#   . "$(dirname "$0")/lib.sh"
# Everything a test creates (namespaces, daemons, pin dirs, temp files) is
# registered here and removed by the EXIT trap, pass or fail.
# Addresses: 198.18.0.0/15 and 2001:db8::/32 only.
set -uo pipefail

SLUICED=${SLUICED:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/sluiced}
SLUICECTL=${SLUICECTL:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/sluicectl}
# the LB flow table's reader (tests/tools/lb_flows.c), of the same build
FLOWS="$(dirname "$SLUICED")/tests/tools/lb_flows"
T_ID="sl$$"			# unique per test run: names never collide
T_TMP=$(mktemp -d "/tmp/sluice-test.XXXXXX")
T_NETNS=()
T_PIDS=()
T_PINS=()
T_N=0
T_FAILED=0

cleanup() {
	local pid ns pin
	for pid in "${T_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${T_PIDS[@]}"; do
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
	done
	for ns in "${T_NETNS[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	for pin in "${T_PINS[@]}"; do
		rm -rf "$pin"
	done
	# The daemons are ASan/UBSan builds under `make test`: any report in
	# their logs fails the test, even one printed at exit.
	for log in "$T_TMP"/*.log; do
		[ -f "$log" ] || continue
		if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log"; then
			echo "not ok - sanitizer report in $(basename "$log")"
			grep -E -A15 'Sanitizer|runtime error:' "$log" | sed 's/^/# /' | head -40
		fi
	done
	rm -rf "$T_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- TAP ----------------------------------------------------------------------
tap_ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
tap_fail() {
	T_N=$((T_N + 1))
	T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_N - $1"
	shift
	[ $# -gt 0 ] && echo "# $*"
	return 0
}
# check NAME CMD...: ok when CMD succeeds.
check() {
	local name=$1
	shift
	if "$@" >"$T_TMP/check.out" 2>&1; then
		tap_ok "$name"
	else
		tap_fail "$name" "command failed: $*"
		sed 's/^/#   /' "$T_TMP/check.out" | tail -20
	fi
}
# check_fails NAME CMD...: ok when CMD fails.
check_fails() {
	local name=$1
	shift
	if "$@" >"$T_TMP/check.out" 2>&1; then
		tap_fail "$name" "expected failure: $*"
	else
		tap_ok "$name"
	fi
}
tap_done() {
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
	exit $?
}
die() { tap_fail "setup: $*"; tap_done; }

# wait_until SECONDS CMD...: polls CMD every 0.1 s, bounded.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.1
	done
}

# ---- topology -------------------------------------------------------------------
# netns_add VAR NAME: creates $T_ID-NAME with lo up and stores its name in
# VAR (not echoed: a $(...) subshell would lose the cleanup record).
netns_add() {
	local ns="$T_ID-$2"
	ip netns add "$ns" || return 1
	T_NETNS+=("$ns")
	ip -n "$ns" link set lo up
	printf -v "$1" '%s' "$ns"
}
# in_ns NS CMD...: runs in the namespace with /sys/fs/bpf visible
# (ip netns exec remounts /sys and hides bpffs).
in_ns() {
	local ns=$1
	shift
	nsenter --net="/var/run/netns/$ns" "$@"
}
# veth NS_A IF_A MAC_A NS_B IF_B MAC_B: a veth pair between two namespaces.
veth() {
	ip link add "$2" netns "$1" address "$3" type veth peer name "$5" \
		netns "$4" address "$6" || return 1
	ip -n "$1" link set "$2" up && ip -n "$4" link set "$5" up
}
# host_if NS IF: an end host's port.  TX checksum offload off, or XDP-
# redirected TCP arrives with a bad checksum; GRO on so the veth has NAPI
# and accepts redirected frames (see docs/veth.md).
host_if() {
	ip netns exec "$1" ethtool -K "$2" tx off gro on >/dev/null
}

# topo_basic: client (c0) -- (r0) router (r1) -- (s0) server, v4 + v6.
# Sets NS_C NS_R NS_S.  The router forwards in the kernel until a test
# turns that off.
topo_basic() {
	netns_add NS_C c && netns_add NS_R r && netns_add NS_S s || return 1
	veth "$NS_C" c0 02:00:00:00:01:02 "$NS_R" r0 02:00:00:00:01:01 || return 1
	veth "$NS_S" s0 02:00:00:00:02:02 "$NS_R" r1 02:00:00:00:02:01 || return 1
	ip -n "$NS_C" addr add 198.18.1.2/24 dev c0
	ip -n "$NS_C" addr add 2001:db8:1::2/64 dev c0 nodad
	ip -n "$NS_R" addr add 198.18.1.1/24 dev r0
	ip -n "$NS_R" addr add 2001:db8:1::1/64 dev r0 nodad
	ip -n "$NS_R" addr add 198.18.2.1/24 dev r1
	ip -n "$NS_R" addr add 2001:db8:2::1/64 dev r1 nodad
	ip -n "$NS_S" addr add 198.18.2.2/24 dev s0
	ip -n "$NS_S" addr add 2001:db8:2::2/64 dev s0 nodad
	ip -n "$NS_C" route add default via 198.18.1.1
	ip -n "$NS_C" -6 route add default via 2001:db8:1::1
	ip -n "$NS_S" route add default via 198.18.2.1
	ip -n "$NS_S" -6 route add default via 2001:db8:2::1
	ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1
	host_if "$NS_C" c0 && host_if "$NS_S" s0
}

# warm NS ADDR: one ping answered (bounded 10 s): neighbours resolved,
# IPv6 link-locals past DAD.
warm() {
	local six=""
	case $2 in *:*) six=-6 ;; esac
	wait_until 10 ip netns exec "$1" ping $six -c 1 -W 1 "$2"
}

# kernel_forwarding NS on|off
kernel_forwarding() {
	local v=0
	[ "$2" = on ] && v=1
	ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=$v \
		net.ipv6.conf.all.forwarding=$v
}

# ---- sluiced --------------------------------------------------------------------
# sluiced_has_state_dir: $SLUICED knows --state-dir (one that predates it,
# as the benchmarks may run, does not); asked once per test.  Every daemon
# started here gets its own state dir, $T_TMP/state-NAME, so that no test
# reads or writes the host's /var/lib/sluice and two daemons never share a
# state file.
T_STATE_FLAG=
sluiced_has_state_dir() {
	if [ -z "$T_STATE_FLAG" ]; then
		T_STATE_FLAG=no
		"$SLUICED" --help 2>/dev/null | grep -q -- --state-dir && T_STATE_FLAG=yes
	fi
	[ "$T_STATE_FLAG" = yes ]
}

# sluiced_start NS NAME [ARGS...]: starts sluiced in NS with its own pin
# dir, socket and state dir (SOCK_<NAME>, PIN_<NAME>, STATE_<NAME>,
# PID_<NAME> are set; a --state-dir in ARGS wins), waits for the API.  A
# restart under the same NAME finds the same pins and state.
sluiced_start() {
	local ns=$1 name=$2 sock pin pid st=()
	shift 2
	sock="$T_TMP/$name.sock"
	pin="/sys/fs/bpf/$T_ID-$name"
	T_PINS+=("$pin")
	sluiced_has_state_dir && st=(--state-dir "$T_TMP/state-$name")
	# nsenter itself, not in_ns: a backgrounded function is a subshell,
	# and $! would be that shell rather than the daemon (nsenter execs).
	nsenter --net="/var/run/netns/$ns" "$SLUICED" --pin-dir "$pin" \
		--api "unix:$sock" "${st[@]}" "$@" >>"$T_TMP/$name.log" 2>&1 &
	pid=$!
	T_PIDS+=("$pid")
	printf -v "SOCK_$name" '%s' "$sock"
	printf -v "PIN_$name" '%s' "$pin"
	printf -v "STATE_$name" '%s' "$T_TMP/state-$name"
	printf -v "PID_$name" '%s' "$pid"
	if ! wait_until 10 curl -sf --unix-socket "$sock" http://sluiced/v1/status; then
		echo "# sluiced $name did not come up:"
		sed 's/^/#   /' "$T_TMP/$name.log" | tail -20
		return 1
	fi
}
# sluiced_stop NAME [SIGNAL]: stops and waits (bounded); returns its status.
sluiced_stop() {
	local pid_var="PID_$1" pid rc
	pid=${!pid_var}
	kill -"${2:-TERM}" "$pid" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	wait "$pid" 2>/dev/null
	rc=$?
	return $rc
}
sluiced_log() { cat "$T_TMP/$1.log"; }

# api NAME PATH: GET from that daemon's API.
api() {
	local sock_var="SOCK_$1"
	curl -sf --unix-socket "${!sock_var}" "http://sluiced$2"
}
# sctl NAME ARGS...: sluicectl against that daemon.
sctl() {
	local sock_var="SOCK_$1"
	shift
	"$SLUICECTL" --api "unix:${!sock_var}" "$@"
}
# packets NAME IFACE REASON: the counter for one reason on one interface.
packets() {
	api "$1" "/v1/stats?dev=$2" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(r["packets"] for i in d["interfaces"] for r in i["reasons"]
          if r["reason"] == sys.argv[1]))' "$3"
}
# api_routes_all NAME [QUERY]: every page of /v1/routes?QUERY (limit
# 10000 a page, following "next"), printed as one {"routes": [...]}.
api_routes_all() {
	local sock_var="SOCK_$1"
	"$T_PY" - "${!sock_var}" "${2:-}" <<'PYEOF'
import http.client, json, socket, sys, urllib.parse
sock, query = sys.argv[1], sys.argv[2]

class UC(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(sock)

routes, cursor = [], None
for _ in range(1000):  # 10,000,000 routes at most
    url = "/v1/routes?limit=10000" + ("&" + query if query else "")
    if cursor:
        url += "&cursor=" + urllib.parse.quote(cursor, safe="")
    c = UC("sluiced")
    c.request("GET", url)
    r = c.getresponse()
    d = json.loads(r.read())
    c.close()
    if r.status != 200:
        sys.exit("GET %s: %d %s" % (url, r.status, d))
    routes += d["routes"]
    cursor = d.get("next")
    if not cursor:
        break
print(json.dumps({"routes": routes}))
PYEOF
}
# route_has NAME PREFIX: the daemon reports PREFIX as programmed.
route_has() {
	api "$1" "/v1/routes?prefix=$2" | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if any(r["prefix"] == sys.argv[1] for r in d["routes"]) else 1)' "$2"
}

# ---- BIRD -----------------------------------------------------------------------
# bird_start NS NAME CONF: runs BIRD in the foreground inside NS (registered
# for cleanup), its control socket in $T_TMP; sets BIRD_SOCK_<NAME> and
# BIRD_PID_<NAME> and waits (bounded) until it answers on the socket.
bird_start() {
	local ns=$1 name=$2 conf=$3 sock="$T_TMP/bird-$2.ctl" pid
	if ! bird -p -c "$conf" >"$T_TMP/bird-$name.log" 2>&1; then
		echo "# bird $name: bad configuration:"
		sed 's/^/#   /' "$T_TMP/bird-$name.log"
		return 1
	fi
	ip netns exec "$ns" bird -f -c "$conf" -s "$sock" \
		-P "$T_TMP/bird-$name.pid" >>"$T_TMP/bird-$name.log" 2>&1 &
	pid=$!
	T_PIDS+=("$pid")
	printf -v "BIRD_SOCK_$name" '%s' "$sock"
	printf -v "BIRD_PID_$name" '%s' "$pid"
	if ! wait_until 10 bird_cmd "$name" show status; then
		echo "# bird $name did not come up:"
		sed 's/^/#   /' "$T_TMP/bird-$name.log" | tail -20
		return 1
	fi
}
# bird_cmd NAME CMD...: birdc against that BIRD; fails when birdc cannot
# reach it.
bird_cmd() {
	local sock_var="BIRD_SOCK_$1"
	shift
	birdc -s "${!sock_var}" "$@"
}
# bird_established NAME PROTO: that BGP session is Established.
bird_established() {
	bird_cmd "$1" show protocols "$2" | grep -qw Established
}

# ---- more topology, responders, API probes ------------------------------------
# (Used by t_route_change, t_ecmp, t_restart, t_iface, t_instances.)

# The system interpreter: starts in ~20 ms where a pyenv shim takes ~150 ms.
T_PY=/usr/bin/python3
[ -x "$T_PY" ] || T_PY=python3

# hexbyte N: N as two hex digits (for MACs).
hexbyte() { printf '%02x' "$1"; }

# topo_line TAG A B: like topo_basic, with names and addresses of its own so
# that several can coexist: namespaces $T_ID-TAGc/-TAGr/-TAGs, client
# 198.18.A.2/24 and 2001:db8:A::2/64 (router .1 / ::1 on r0), server
# 198.18.B.2/24 and 2001:db8:B::2/64 (router .1 / ::1 on r1).  A and B are
# decimal 1..99 (used as-is in the IPv6 addresses).  Sets NS_C NS_R NS_S.
topo_line() {
	local tag=$1 a=$2 b=$3 ha hb
	ha=$(hexbyte "$a")
	hb=$(hexbyte "$b")
	netns_add NS_C "${tag}c" && netns_add NS_R "${tag}r" &&
		netns_add NS_S "${tag}s" || return 1
	veth "$NS_C" c0 "02:00:00:$ha:00:02" "$NS_R" r0 "02:00:00:$ha:00:01" || return 1
	veth "$NS_S" s0 "02:00:00:$hb:00:02" "$NS_R" r1 "02:00:00:$hb:00:01" || return 1
	ip -n "$NS_C" addr add "198.18.$a.2/24" dev c0
	ip -n "$NS_C" addr add "2001:db8:$a::2/64" dev c0 nodad
	ip -n "$NS_R" addr add "198.18.$a.1/24" dev r0
	ip -n "$NS_R" addr add "2001:db8:$a::1/64" dev r0 nodad
	ip -n "$NS_R" addr add "198.18.$b.1/24" dev r1
	ip -n "$NS_R" addr add "2001:db8:$b::1/64" dev r1 nodad
	ip -n "$NS_S" addr add "198.18.$b.2/24" dev s0
	ip -n "$NS_S" addr add "2001:db8:$b::2/64" dev s0 nodad
	ip -n "$NS_C" route add default via "198.18.$a.1"
	ip -n "$NS_C" -6 route add default via "2001:db8:$a::1"
	ip -n "$NS_S" route add default via "198.18.$b.1"
	ip -n "$NS_S" -6 route add default via "2001:db8:$b::1"
	ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1
	host_if "$NS_C" c0 && host_if "$NS_S" s0
}

# server_link NS_SRV NS_RTR RIF N: a veth s0 (in NS_SRV) <-> RIF (in
# NS_RTR) on 198.18.N.0/24 and 2001:db8:N::/64, router .1, server .2, the
# server's default routes via the router.  Idempotent enough to re-create a
# link that was deleted (same names, MACs, addresses).
server_link() {
	local srv=$1 rtr=$2 rif=$3 n=$4 hn
	hn=$(hexbyte "$n")
	veth "$srv" s0 "02:00:00:$hn:00:02" "$rtr" "$rif" "02:00:00:$hn:00:01" || return 1
	ip -n "$rtr" addr add "198.18.$n.1/24" dev "$rif" || return 1
	ip -n "$rtr" addr add "2001:db8:$n::1/64" dev "$rif" nodad || return 1
	ip -n "$srv" addr add "198.18.$n.2/24" dev s0 || return 1
	ip -n "$srv" addr add "2001:db8:$n::2/64" dev s0 nodad || return 1
	ip -n "$srv" route replace default via "198.18.$n.1" || return 1
	ip -n "$srv" -6 route replace default via "2001:db8:$n::1" || return 1
	host_if "$srv" s0
}

# add_server VAR NAME NS_RTR RIF N: a new server namespace ($T_ID-NAME,
# stored in VAR) behind router port RIF, see server_link.
add_server() {
	netns_add "$1" "$2" || return 1
	server_link "${!1}" "$3" "$4" "$5"
}

# own_addr NS ADDR/LEN...: puts service addresses on the namespace's lo.
own_addr() {
	local ns=$1 a
	shift
	for a in "$@"; do
		case $a in
		*:*) ip -n "$ns" addr add "$a" dev lo nodad || return 1 ;;
		*) ip -n "$ns" addr add "$a" dev lo || return 1 ;;
		esac
	done
}

# responder_start NS NAME: serves NAME on TCP port 8080 (as a minimal HTTP
# response, so curl works) and as the reply to any UDP datagram on port
# 9000, IPv4 and IPv6.  Killed with the namespace at exit.
responder_start() {
	local ns=$1 name=$2 py="$T_TMP/responder.py"
	[ -f "$py" ] || cat >"$py" <<'PYEOF'
import socket, sys, threading
name = sys.argv[1].encode()

def tcp():
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", 8080))
    s.listen(128)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()

def serve(c):
    try:
        c.settimeout(3)
        buf = b""
        while b"\r\n\r\n" not in buf and len(buf) < 8192:
            d = c.recv(4096)
            if not d:
                break
            buf += d
        body = name + b"\n"
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                  b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                  % (len(body), body))
    except OSError:
        pass
    finally:
        c.close()

def udp():
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", 9000))
    while True:
        _, peer = s.recvfrom(2048)
        s.sendto(name, peer)

threading.Thread(target=udp, daemon=True).start()
tcp()
PYEOF
	ip netns exec "$ns" "$T_PY" "$py" "$name" >>"$T_TMP/responder-$name.log" 2>&1 &
	disown $!	# killed with its namespace; no "Killed" job notice
	wait_until 10 sh -c "ip netns exec '$ns' ss -Hltn sport = :8080 | grep -q . &&
			ip netns exec '$ns' ss -Hlun sport = :9000 | grep -q ."
}

# who NS ADDR [LOCAL_PORT]: which server answers HTTP on ADDR:8080 (one
# try, 3 s at most); prints its name, fails when nobody answers.
who() {
	local url=$2 lp=()
	case $url in *:*) url="[$url]" ;; esac
	[ -n "${3:-}" ] && lp=(--local-port "$3")
	timeout 5 ip netns exec "$1" curl -gsf --connect-timeout 2 --max-time 3 \
		"${lp[@]}" "http://$url:8080/"
}

# tcp_flows NS ADDR SPORT N: N TCP connections to ADDR:8080 from source
# ports SPORT..SPORT+N-1, one at a time (2 s each at most); prints
# "SPORT NAME" per connection, NAME "-" when it failed.
tcp_flows() {
	timeout $((5 + 3 * $4)) ip netns exec "$1" "$T_PY" - "$2" "$3" "$4" <<'PYEOF'
import socket, sys
addr, p0, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
for sport in range(p0, p0 + n):
    name = "-"
    try:
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(2)
        s.bind(("", sport))
        s.connect((addr, 8080))
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        buf = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            buf += d
        body = buf.split(b"\r\n\r\n", 1)[1].strip().decode()
        name = body or "-"
    except (OSError, IndexError):
        pass
    finally:
        s.close()
    print(sport, name, flush=True)
PYEOF
}

# udp_asks NS ADDR SPORT N: N datagrams to ADDR:9000 from one fixed source
# port (one 5-tuple); prints the name in each reply, "-" for no reply (1 s).
udp_asks() {
	timeout $((5 + 2 * $4)) ip netns exec "$1" "$T_PY" - "$2" "$3" "$4" <<'PYEOF'
import socket, sys
addr, sport, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind(("", sport))
s.settimeout(1)
for i in range(n):
    s.sendto(b"who", (addr, 9000))
    try:
        print(s.recv(2048).decode(), flush=True)
    except OSError:
        print("-", flush=True)
PYEOF
}

# api_json NAME PATH EXPR: evaluates the Python expression EXPR with `d`
# bound to the JSON at PATH and prints the result (fails on any error or
# when the result is None/False).
api_json() {
	api "$1" "$2" | "$T_PY" -c '
import json, sys
d = json.load(sys.stdin)
v = eval(sys.argv[1])
if v is None or v is False:
    sys.exit(1)
print(v if not isinstance(v, (dict, list)) else json.dumps(v))' "$3"
}

# api_pages NAME PATH QUERY LIMIT OUT ARRAY EXPR: every page of a paged
# listing (GET PATH?QUERY&limit=LIMIT, then each answer's `next` as the
# cursor: /v1/routes, /v1/neighbors); the Python expression EXPR of each
# item `e` of ARRAY a line in OUT, the number of pages in OUT.pages.
api_pages() {
	local sock_var="SOCK_$1"
	"$T_PY" - "${!sock_var}" "$2" "$3" "$4" "$5" "$6" "$7" <<'PYEOF'
import http.client, json, socket, sys, urllib.parse
sock, path, query, limit, out, array, expr = sys.argv[1:8]
class UC(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(sock)
got, cursor, n = [], None, 0
for n in range(1, 100):
    url = path + "?" + "&".join(q for q in (query, "limit=" + limit) if q)
    if cursor:
        url += "&cursor=" + urllib.parse.quote(cursor, safe="")
    c = UC("x"); c.request("GET", url); d = json.loads(c.getresponse().read()); c.close()
    got += [str(eval(expr, {"e": e})) for e in d[array]]
    cursor = d["next"]
    if not cursor:
        break
open(out, "w").write("\n".join(got) + "\n")
open(out + ".pages", "w").write("%d\n" % n)
PYEOF
}
# cli_pages NAME OUT ARGS...: every page of `sluicectl ARGS...` (a paged
# listing: route, neigh), following its "more: --cursor C" lines; the
# first word of each line a line in OUT (not a table's header, nor a
# multipath route's nexthop lines), the number of pages in OUT.pages.
cli_pages() {
	local sock_var="SOCK_$1" out=$2
	shift 2
	"$T_PY" - "$SLUICECTL" "${!sock_var}" "$out" "$@" <<'PYEOF' || tap_fail "sluicectl $* page by page" "see $out.err"
import re, subprocess, sys
cli, sock, out = sys.argv[1:4]
words, cursor, pages = [], None, 0
while pages < 100:
    args = [cli, "--api", "unix:" + sock] + sys.argv[4:]
    if cursor:
        args += ["--cursor", cursor]
    p = subprocess.run(args, capture_output=True, text=True, timeout=20)
    if p.returncode:
        open(out + ".err", "w").write(p.stderr)
        sys.exit(1)
    pages += 1
    cursor = None
    for l in p.stdout.splitlines():
        m = re.match(r"more: --cursor (\S+)$", l)
        if m:
            cursor = m.group(1)
        elif not l.startswith("\t") and not re.match(r"[A-Z]+\s", l):
            words.append(l.split()[0])
    if not cursor:
        break
open(out, "w").write("\n".join(words) + "\n")
open(out + ".pages", "w").write("%d\n" % pages)
PYEOF
}
# cli_refused NAME NEEDLE ARGS...: `sluicectl ARGS...` against daemon NAME
# fails with NEEDLE in what it prints (a TAP line either way).
cli_refused() {
	local sock_var="SOCK_$1" needle=$2 out rc
	shift 2
	out=$("$SLUICECTL" --api "unix:${!sock_var}" "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && grep -qF "$needle" <<<"$out"; then
		tap_ok "sluicectl $* is refused, named (exit $rc)"
	else
		tap_fail "sluicectl $* is refused, named" "exit $rc: $out"
	fi
}
# api_refused NAME PATH NEEDLE: GET PATH is answered 400 with NEEDLE in
# its error (a TAP line either way).
api_refused() {
	local sock_var="SOCK_$1" code
	code=$(curl -s -o "$T_TMP/refused.json" -w '%{http_code}' --unix-socket "${!sock_var}" "http://x$2")
	if [ "$code" = 400 ] && grep -qF "$3" "$T_TMP/refused.json"; then
		tap_ok "$2: 400, $3"
	else
		tap_fail "$2: 400 naming it" "$code $(cat "$T_TMP/refused.json")"
	fi
}

# route_vias NAME PREFIX: the programmed next hops of PREFIX as
# "via@dev,via@dev" (fails when the daemon does not report PREFIX).
route_vias() {
	api_json "$1" "/v1/routes?prefix=$2" "','.join(n['via'] + '@' + n['dev'] for r in d['routes'] if r['prefix'] == '$2' for n in r['nexthops']) or None"
}
# route_vias_are NAME PREFIX VIAS: route_vias prints exactly VIAS.
route_vias_are() { [ "$(route_vias "$1" "$2")" = "$3" ]; }
# route_gone NAME PREFIX: the daemon does not report PREFIX.
route_gone() { ! route_has "$1" "$2"; }

# iface_field NAME IF FIELD: a field of IF in /v1/interfaces.
iface_field() {
	api_json "$1" "/v1/interfaces?dev=$2" "str(d['interfaces'][0]['$3'])"
}
# iface_state_is NAME IF STATE
iface_state_is() { [ "$(iface_field "$1" "$2" state)" = "$3" ]; }
# status_field NAME FIELD: a field of /v1/status.
status_field() { api_json "$1" /v1/status "str(d['$2'])"; }

# xdp_on NS IF: an XDP program is attached to IF (ip link prints
# "xdp"/"xdpgeneric"/... and "prog/xdp id N").
xdp_on() { ip -d -n "$1" link show "$2" | grep -q 'prog/xdp'; }

# ping_count NS ADDR COUNT: pings COUNT times (0.1 s apart, 1 s deadline
# each) and prints how many replies came back.
ping_count() {
	local six="" out
	case $2 in *:*) six=-6 ;; esac
	out=$(timeout $((5 + $3)) ip netns exec "$1" ping $six -n -q -i 0.1 -W 1 -c "$3" "$2" 2>&1)
	echo "$out" | sed -n 's/.* \([0-9]\+\) received.*/\1/p' | grep . || echo 0
}

# ms_now: monotonic-enough wall time in milliseconds.
ms_now() { echo $(($(date +%s%N) / 1000000)); }

# timed_route_change NAME PREFIX VIAS CMD...: runs CMD (a route change),
# then polls NAME's /v1/routes over its socket without pausing until PREFIX
# has exactly the next hops VIAS ("via@dev,..."; "" = PREFIX gone), 10 s at
# most.  Prints the milliseconds from just before CMD to the first answer
# that showed it; fails on timeout (printing what was seen) or if CMD fails.
timed_route_change() {
	local sock_var="SOCK_$1"
	"$T_PY" - "${!sock_var}" "$2" "$3" "${@:4}" <<'PYEOF'
import http.client, json, socket, subprocess, sys, time
sock, prefix, want, cmd = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]

class UC(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(2)
        self.sock.connect(sock)

def vias():
    c = UC("sluiced")
    try:
        c.request("GET", "/v1/routes?prefix=" + prefix)
        d = json.loads(c.getresponse().read())
    finally:
        c.close()
    return ",".join(n["via"] + "@" + n["dev"] for r in d["routes"]
                    if r["prefix"] == prefix for n in r["nexthops"])

t0 = time.monotonic()
if subprocess.run(cmd).returncode != 0:
    print("command failed:", " ".join(cmd))
    sys.exit(2)
seen = None
while time.monotonic() - t0 < 10:
    try:
        seen = vias()
    except OSError:
        continue
    if seen == want:
        print(int((time.monotonic() - t0) * 1000))
        sys.exit(0)
print("timeout; last seen: '%s'" % seen)
sys.exit(1)
PYEOF
}

# map_route_has PIN_DIR PREFIX: the pinned LPM map (routes_v4/routes_v6) in
# PIN_DIR holds PREFIX: what the data path sees, not what the daemon says.
# bpffs is shared across namespaces, so this runs where the test runs.
map_route_has() {
	local map=routes_v4
	case $2 in *:*) map=routes_v6 ;; esac
	timeout 10 bpftool -j map dump pinned "$1/$map" | "$T_PY" -c '
import ipaddress, json, sys
net = ipaddress.ip_network(sys.argv[1])
want = (net.prefixlen, list(net.network_address.packed))
d = json.load(sys.stdin)
sys.exit(0 if any((e["formatted"]["key"]["prefixlen"],
                   e["formatted"]["key"]["addr"]) == want for e in d) else 1)' "$2"
}

# ---- FRR ------------------------------------------------------------------------
# FRR daemons run in the foreground (registered for cleanup) with a path
# space of their own (-N $T_ID-NAME): the configuration, pid files, vty
# sockets and zebra's zserv socket live in /var/run/frr/$T_ID-NAME, owned by
# frr (the daemons drop to that user) and removed at exit.  Logs go to
# $T_TMP/frr-NAME-DAEMON.log.  No TCP vty (-P 0).
FRR_SBIN=${FRR_SBIN:-/usr/lib/frr}

# frr_cmd NAME VTYSH-ARGS...: vtysh against that FRR (10 s at most), e.g.
#   frr_cmd r -c "show ip ospf neighbor"
frr_cmd() {
	local name=$1
	shift
	timeout 10 vtysh -N "$T_ID-$name" "$@"
}

# frr_start NS NAME CONF DAEMON...: checks CONF (an integrated frr.conf),
# then starts zebra and each DAEMON (ospfd, ospf6d, bgpd...) in NS, each
# one once the previous answers on its vty (bounded).  Sets FRR_PIDS_<NAME>
# (space-separated).
frr_start() {
	local ns=$1 name=$2 conf=$3 dir="/var/run/frr/$T_ID-$2" d f pids=""
	shift 3
	if ! vtysh -C -f "$conf" >"$T_TMP/frr-$name-check.log" 2>&1; then
		echo "# frr $name: bad configuration:"
		sed 's/^/#   /' "$T_TMP/frr-$name-check.log"
		return 1
	fi
	# ospfd and ospf6d keep state files in /var/run/frr itself whatever
	# -N says: remove at exit the ones that did not exist before.
	for f in ospfd-gr.json ospf6d-gr.json ospf6d-at-seq-no.dat; do
		[ -e "/var/run/frr/$f" ] || T_PINS+=("/var/run/frr/$f")
	done
	[ -d /var/run/frr ] || install -d -o frr -g frr -m 0755 /var/run/frr || return 1
	install -d -o frr -g frr -m 0755 "$dir" || return 1
	T_PINS+=("$dir")
	install -o frr -g frr -m 0640 "$conf" "$dir/frr.conf" || return 1
	for d in zebra "$@"; do
		# ip netns exec execs the daemon: $! is the daemon itself.
		ip netns exec "$ns" "$FRR_SBIN/$d" -N "$T_ID-$name" \
			-f "$dir/frr.conf" -i "$dir/$d.pid" -P 0 --log stdout \
			>>"$T_TMP/frr-$name-$d.log" 2>&1 &
		T_PIDS+=("$!")
		pids+="${pids:+ }$!"
		if ! wait_until 10 frr_cmd "$name" -d "$d" -c "show version"; then
			echo "# frr $name: $d did not come up:"
			sed 's/^/#   /' "$T_TMP/frr-$name-$d.log" | tail -20
			return 1
		fi
	done
	printf -v "FRR_PIDS_$name" '%s' "$pids"
}

# ---- load balancer ----------------------------------------------------------------
# topo_lb N VIP/LEN...: client (c0) -- (l0) LB (l1..lN) -- (b0) backend 1..N,
# IPv4.  Client 198.18.1.2/24 (LB .1 on l0), backend i 198.18.1i.2/24 on b0
# (LB 198.18.1i.1 on li); the client routes 198.18.100.0/24 (the VIPs) to
# the LB.  Each backend holds the VIPs on lo, answers with responder_start
# (HTTP on 8080, UDP on 9000, its name "bI") and replies through the LB
# (the LB routes them: direct server return is t_lb.sh's business).  Sets
# NS_C, NS_L and NS_B1..NS_BN; the LB forwards in the kernel until the test
# turns it off.  Start the backends' decapsulation with lb_backends_start.
topo_lb() {
	local n=$1 i bns
	shift
	netns_add NS_C c && netns_add NS_L lb || return 1
	veth "$NS_C" c0 02:00:00:00:01:02 "$NS_L" l0 02:00:00:00:01:01 || return 1
	ip -n "$NS_C" addr add 198.18.1.2/24 dev c0
	ip -n "$NS_L" addr add 198.18.1.1/24 dev l0
	ip -n "$NS_C" route add 198.18.100.0/24 via 198.18.1.1
	host_if "$NS_C" c0
	for i in $(seq 1 "$n"); do
		netns_add bns "b$i" || return 1
		printf -v "NS_B$i" '%s' "$bns"
		veth "$bns" b0 "02:00:00:00:1$i:02" "$NS_L" "l$i" "02:00:00:00:1$i:01" || return 1
		ip -n "$bns" addr add "198.18.1$i.2/24" dev b0
		ip -n "$NS_L" addr add "198.18.1$i.1/24" dev "l$i"
		ip -n "$bns" route add default via "198.18.1$i.1"
		own_addr "$bns" "$@" || return 1
		ip netns exec "$bns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.b0.rp_filter=0 net.ipv4.conf.lo.rp_filter=0
		host_if "$bns" b0
		responder_start "$bns" "b$i" || return 1
	done
	ip netns exec "$NS_L" sysctl -qw net.ipv4.ip_forward=1
}

# lb_backends_start N: `sluiced --role backend` on b0 of backends 1..N
# (daemons be1..beN), then the LB's neighbours warmed (bounded).
lb_backends_start() {
	local i ns_var
	for i in $(seq 1 "$1"); do
		ns_var="NS_B$i"
		sluiced_start "${!ns_var}" "be$i" --role backend --interface b0 || return 1
		warm "$NS_L" "198.18.1$i.2" || return 1
	done
	warm "$NS_L" 198.18.1.2
}

# http_loop NS ADDR N SECONDS: up to N sequential HTTP requests to
# ADDR:8080 (3 s each at most), stopping early after SECONDS or when the
# file $T_TMP/http_loop.stop appears; prints "ok N fail M" and, per failed
# request, a "# " line saying how it failed.
http_loop() {
	timeout $(($4 + 10)) ip netns exec "$1" "$T_PY" - "$2" "$3" "$4" "$T_TMP/http_loop.stop" <<'PYEOF'
import os, socket, sys, time
addr, n, secs, stop = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
ok = fail = 0
why = []
t_end = time.monotonic() + secs
for i in range(n):
    if time.monotonic() > t_end or os.path.exists(stop):
        break
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t0 = time.monotonic()
    port = 0
    try:
        s.settimeout(3)
        s.connect((addr, 8080))
        port = s.getsockname()[1]
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        buf = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            buf += d
        if not buf.startswith(b"HTTP/1.0 200"):
            raise OSError("answer %r" % buf[:40])
        ok += 1
    except OSError as e:
        fail += 1
        why.append("request %d (port %d, %.1f ms): %s"
                   % (i, port, (time.monotonic() - t0) * 1e3, e))
    finally:
        s.close()
print("ok", ok, "fail", fail)
for w in why[:20]:
    print("#", w)
PYEOF
}
