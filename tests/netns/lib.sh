# shellcheck shell=bash
# Shared helpers for the netns tier.  Source it first thing in a test:
#   . "$(dirname "$0")/lib.sh"
# Everything a test creates (namespaces, daemons, pin dirs, temp files) is
# registered here and removed by the EXIT trap, pass or fail.
# Addresses: 198.18.0.0/15 and 2001:db8::/32 only.
set -uo pipefail

SLUICED=${SLUICED:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/sluiced}
SLUICECTL=${SLUICECTL:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/sluicectl}
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
# and accepts redirected frames (see shared/PLATFORM.md).
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
# sluiced_start NS NAME [ARGS...]: starts sluiced in NS with its own pin dir
# and socket (SOCK_<NAME>, PIN_<NAME>, PID_<NAME> are set), waits for the API.
sluiced_start() {
	local ns=$1 name=$2 sock pin pid
	shift 2
	sock="$T_TMP/$name.sock"
	pin="/sys/fs/bpf/$T_ID-$name"
	T_PINS+=("$pin")
	in_ns "$ns" "$SLUICED" --pin-dir "$pin" --api "unix:$sock" "$@" \
		>>"$T_TMP/$name.log" 2>&1 &
	pid=$!
	T_PIDS+=("$pid")
	printf -v "SOCK_$name" '%s' "$sock"
	printf -v "PIN_$name" '%s' "$pin"
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
# route_has NAME PREFIX: the daemon reports PREFIX as programmed.
route_has() {
	api "$1" "/v1/routes" | python3 -c '
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
