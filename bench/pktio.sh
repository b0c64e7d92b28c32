#!/usr/bin/env bash
# libpktio over veth, next to DPDK on the same backends and to the kernel
# socket API, all in the same run (docs/pktio.md, docs/performance.md):
#   l2fwd   A -> F -> B: F forwards every frame from its port F0 out of F1
#           (MACs rewritten): sluice-l2fwd on af_xdp and on af_packet (its
#           default tx, sendmmsg on a veth, and tx=ring), and
#           dpdk-testpmd --forward-mode=mac on net_af_xdp and net_af_packet
#           vdevs of the same two veths; B drops in XDP and counts.
#   rxdrop  A -> F: F receives and drops: sluice-echo with no datagram to
#           answer (af_xdp, af_packet), dpdk-testpmd --forward-mode=rxonly.
#   echo    A -> F -> A: UDP requests to F, F answers: sluice-echo (af_xdp,
#           af_packet) and udp-echo-sock (a recvmmsg/sendmmsg socket server
#           in F's kernel); A counts the answers in XDP.
# sluice-gen sends 60-byte UDP/IPv4 frames from A (one flow) pinned to one
# CPU; F's program is pinned to the other.  Each figure: median, min and max
# over the repetitions (every case once per round), with the I/O mode each
# side reported (zero-copy/copy, ...).  Path checks: l2fwd, B must have
# received no more than the forwarder says it sent and sluice-l2fwd's copies
# must be 0 on af_xdp; rxdrop, the receiver must account for what it
# counted; echo, A must not count more answers than the server sent.  A
# figure that cannot be had (DPDK missing, a driver that cannot open) says
# why; one whose path check fails is invalid and fails the run.
#
#   bench/pktio.sh [--quick] [--json FILE] [--md FILE] [--reps N] [--seconds S]
#                  [--build DIR] [--only l2fwd|rxdrop|echo]
#
# Defaults: 3 rounds of 3 s (about 3 minutes); --quick: 1 round of 1 s and
# DPDK only when it is installed; --only runs one test.  A ratio is of
# the medians, and (in parentheses) the median and range of the ratios
# of each round (the two ran one after the other in that round).  Exit status: 0 when every figure was
# measured or explained, 1 on a setup or path-check failure, 2 on bad
# options.  Namespaces, veths and programs are removed on exit
# (tests/netns/lib.sh); addresses come from 198.18.0.0/15 only.
# shellcheck source=../tests/netns/lib.sh
. "$(dirname "$0")/../tests/netns/lib.sh"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
REPS=3
SECS=3
JSON_OUT=
MD_OUT=
ONLY=
GEN_CPU=0
F_CPU=1

usage() { sed -n '2,/^# (tests\/netns/p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
	case $1 in
	--quick) REPS=1; SECS=1 ;;
	--json) JSON_OUT=${2:?--json needs a file}; shift ;;
	--md) MD_OUT=${2:?--md needs a file}; shift ;;
	--reps) REPS=${2:?}; shift ;;
	--seconds) SECS=${2:?}; shift ;;
	--build) BUILD=$(cd "${2:?}" && pwd); shift ;;
	--only) ONLY=${2:?--only needs l2fwd, rxdrop or echo}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "pktio.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
	shift
done
case "$ONLY" in
'' | l2fwd | rxdrop | echo) ;;
*) echo "pktio.sh: --only '$ONLY': not l2fwd, rxdrop or echo" >&2; exit 2 ;;
esac
case "$REPS$SECS" in
'' | *[!0-9]*) echo "pktio.sh: --reps and --seconds take whole numbers" >&2; exit 2 ;;
esac
fatal() {
	echo "pktio.sh: $*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || fatal "needs root (namespaces, XDP, AF_XDP)"
[ "$(nproc)" -ge 2 ] || fatal "needs 2 CPUs"
for f in sluice-gen sluice-echo sluice-l2fwd bench/udp-echo-sock bpf/sluice_sink.bpf.o; do
	[ -e "$BUILD/$f" ] || fatal "$BUILD/$f is missing: run 'make build' first"
done
cp "$BUILD/sluice-gen" "$BUILD/sluice-echo" "$BUILD/sluice-l2fwd" \
	"$BUILD/bench/udp-echo-sock" "$BUILD/bpf/sluice_sink.bpf.o" "$T_TMP/"
TESTPMD=$(command -v dpdk-testpmd || true)
# testpmd's runtime files (--file-prefix), removed on exit
T_PINS+=("/var/run/dpdk/pk$(($$ % 100000))")
RESULTS=$T_TMP/results.tsv
: >"$RESULTS"

# ---- topology: A (IA) -- (IF0) F (IF1) -- (IB) B ------------------------------------
P="pk$(($$ % 100000))"
IA=${P}a IF0=${P}f0 IF1=${P}f1 IB=${P}b
MAC_A=02:00:00:c1:00:02 MAC_F0=02:00:00:c1:00:01
MAC_F1=02:00:00:c2:00:01 MAC_B=02:00:00:c2:00:02
F_ADDR=198.18.1.1
netns_add NS_A a && netns_add NS_F f && netns_add NS_B b || fatal "namespaces"
veth "$NS_A" "$IA" $MAC_A "$NS_F" "$IF0" $MAC_F0 || fatal "veth A-F"
veth "$NS_F" "$IF1" $MAC_F1 "$NS_B" "$IB" $MAC_B || fatal "veth F-B"
for ns in "$NS_A" "$NS_F" "$NS_B"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || fatal "sysctl"
done
ip -n "$NS_A" addr add 198.18.1.2/24 dev "$IA" || fatal "address"
# A and B drop and count in XDP: the sink must never be what limits
ip -n "$NS_B" link set dev "$IB" xdpdrv obj "$T_TMP/sluice_sink.bpf.o" sec xdp || fatal "sink on B"
ip -n "$NS_A" link set dev "$IA" xdpdrv obj "$T_TMP/sluice_sink.bpf.o" sec xdp || fatal "sink on A"
# F's ports accept A's and each other's frames without a program (af_packet)
ip netns exec "$NS_F" ethtool -K "$IF0" gro on >/dev/null
ip netns exec "$NS_F" ethtool -K "$IF1" gro on >/dev/null

rx_of() {	# NS IF: rx packets
	ip -n "$1" -s -j link show "$2" | python3 -c '
import json, sys
print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'
}
record() {
	local IFS=$'\t'
	echo "$*" >>"$RESULTS"
}
unavailable() {	# TEST CASE REASON
	record "$1" "$2" "unavailable=$(echo "$3" | tr '\t\n' '  ' | head -c 300)"
	echo "  ($1 $2) unavailable: $3" >&2
}
invalid() {	# TEST CASE WHY
	record "$1" "$2" "invalid=$3"
	echo "  ($1 $2) INVALID: $3" >&2
}
# gen SECONDS DST_MAC DST [DPORT]: sluice-gen from A, its JSON on stdout
gen() {
	timeout -k 2 $((${1%.*} + 20)) nsenter --net="/var/run/netns/$NS_A" \
		"$T_TMP/sluice-gen" --dev "$IA" --dst-mac "$2" --src 198.18.1.2 \
		--dst "$3" --dport "${4:-9}" --udp --size 60 --flows 1 \
		--duration "$1" --cpu $GEN_CPU --json 2>"$T_TMP/gen.err"
}
gen_seconds() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["seconds"])' "$1"; }
json_get() {	# JSON KEY
	python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], 0))' "$1" "$2"
}

# ---- sluice programs ------------------------------------------------------------------
# sluice_run PROG ARGS...: starts it in F pinned to F_CPU, busy-polling;
# waits until it reports its queues' modes.  Sets SL_PID, SL_LOG, SL_OUT.
sluice_run() {
	local prog=$1
	shift
	SL_LOG=$T_TMP/sl.err
	SL_OUT=$T_TMP/sl.out
	: >"$SL_LOG"
	: >"$SL_OUT"
	nsenter --net="/var/run/netns/$NS_F" taskset -c $F_CPU \
		"$T_TMP/$prog" "$@" --cpu $F_CPU --idle-sleep-us 0 \
		--stats none >"$SL_OUT" 2>"$SL_LOG" &
	SL_PID=$!
	T_PIDS+=("$SL_PID")
	for _ in $(seq 1 50); do
		grep -q "queue 0:" "$SL_LOG" && return 0
		kill -0 "$SL_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# sluice_stop: stops it and waits for it, then SL_SUM is its JSON summary
# (empty when it wrote none).  Not in a $(...): only this shell can wait
# for its own child, and reading the summary before the program has
# written it would race.
sluice_stop() {
	kill -TERM "$SL_PID" 2>/dev/null
	wait "$SL_PID" 2>/dev/null
	SL_SUM=$(tail -1 "$SL_OUT")
	case $SL_SUM in
	'{'*'}') ;;
	*) SL_SUM= ;;
	esac
}
sluice_mode() { grep -m1 "queue 0:" "$SL_LOG" | sed 's/.*queue 0: //'; }

# one_l2fwd_sluice DRIVER REP [TX]: TX is af_packet's tx= (ring: the mmap
# tx ring, a figure of its own, sluice-af_packet-ring; the default, auto,
# is sendmmsg from the buffers on a veth: the mode says tx-send)
one_l2fwd_sluice() {
	local drv=$1 rep=$2 b0 b1 out sum secs fwd copies mode opt=()
	local name=sluice-$1
	if [ -n "${3:-}" ]; then
		opt=(--opt "tx=$3")
		name=sluice-$1-$3
	fi
	sluice_run sluice-l2fwd --driver "$drv" "${opt[@]}" --dev "$IF0" --dev "$IF1" \
		--dst-mac $MAC_A --dst-mac $MAC_B ||
		{ unavailable l2fwd "$name" "$(head -c 300 "$SL_LOG")"; return 0; }
	mode=$(sluice_mode)
	gen 0.3 $MAC_F0 198.18.2.2 >/dev/null
	b0=$(rx_of "$NS_B" "$IB")
	out=$(gen "$SECS" $MAC_F0 198.18.2.2)
	b1=$(rx_of "$NS_B" "$IB")
	sluice_stop
	sum=$SL_SUM
	[ -n "$out" ] || { unavailable l2fwd "$name" "sluice-gen: $(head -c 200 "$T_TMP/gen.err")"; return 0; }
	[ -n "$sum" ] || { invalid l2fwd "$name" "sluice-l2fwd wrote no summary: $(tail -2 "$SL_LOG")"; return 0; }
	secs=$(gen_seconds "$out")
	fwd=$(json_get "$sum" forwarded)
	copies=$(json_get "$sum" copies)
	if [ $((b1 - b0)) -gt "$fwd" ]; then
		invalid l2fwd "$name" "B received $((b1 - b0)) frames, sluice-l2fwd forwarded only $fwd"
	elif [ "$drv" = af_xdp ] && [ "$copies" != 0 ]; then
		invalid l2fwd "$name" "$copies copies on one UMEM (expected 0)"
	else
		record l2fwd "$name" "rep=$rep" "mpps=$(python3 -c "print($((b1 - b0)) / $secs / 1e6)")" \
			"mode=$mode" "check=ok: B got $((b1 - b0)), forwarded $fwd, copies $copies"
		echo "  (l2fwd $name) rep $rep: $(python3 -c "print('%.3f' % ($((b1 - b0)) / $secs / 1e6))") Mpps, $mode, copies $copies" >&2
	fi
}

# ---- dpdk-testpmd ---------------------------------------------------------------------
# testpmd_run VDEV_KIND MODE ARGS...: dpdk-testpmd in F on F0 (and F1 for
# mac forwarding), forwarding on F_CPU, until its stdin closes.
TP_FIFO=$T_TMP/testpmd.in
testpmd_run() {
	local kind=$1 mode=$2 vdevs
	shift 2
	if [ "$kind" = af_xdp ]; then
		vdevs=(--vdev "net_af_xdp0,iface=$IF0")
		[ "$mode" = mac ] && vdevs+=(--vdev "net_af_xdp1,iface=$IF1")
	else
		vdevs=(--vdev "net_af_packet0,iface=$IF0")
		[ "$mode" = mac ] && vdevs+=(--vdev "net_af_packet1,iface=$IF1")
	fi
	rm -f "$TP_FIFO"
	mkfifo "$TP_FIFO"
	TP_LOG=$T_TMP/testpmd.log
	# nsenter, not ip netns exec: net_af_xdp needs /sys/fs/bpf; stdbuf: its
	# "Press enter to exit" must reach the log while it runs
	nsenter --net="/var/run/netns/$NS_F" timeout -k 2 $((SECS + 40)) \
		stdbuf -oL "$TESTPMD" -l $GEN_CPU,$F_CPU \
		--no-huge -m 1024 --no-pci --file-prefix "$P" "${vdevs[@]}" -- \
		--nb-cores=1 --total-num-mbufs=16384 --forward-mode="$mode" "$@" \
		<"$TP_FIFO" >"$TP_LOG" 2>&1 &
	TP_PID=$!
	T_PIDS+=("$TP_PID")
	exec {TP_W}>"$TP_FIFO"
	for _ in $(seq 1 150); do
		grep -q "Press enter to exit" "$TP_LOG" && return 0
		kill -0 "$TP_PID" 2>/dev/null || break
		sleep 0.1
	done
	exec {TP_W}>&-
	return 1
}
testpmd_stop() {	# the "Accumulated forward statistics" block's numbers
	echo >&"$TP_W"
	exec {TP_W}>&-
	wait "$TP_PID" 2>/dev/null
}
# testpmd_stat PORT FIELD: RX-packets or TX-packets of a port's final stats
testpmd_stat() {
	awk -v p="port $1 " -v f="$2:" '
		index($0, "statistics for " p) { on = 1; next }
		on && /statistics for port/ { on = 0 }
		on { for (i = 1; i < NF; i++) if ($i == f) { print $(i + 1); exit } }' "$TP_LOG"
}

one_l2fwd_testpmd() {
	local kind=$1 rep=$2 b0 b1 out secs tx
	[ -n "$TESTPMD" ] || { unavailable l2fwd "dpdk-$kind" "dpdk-testpmd is not installed (apt-get install dpdk)"; return 0; }
	testpmd_run "$kind" mac --eth-peer=1,$MAC_B --eth-peer=0,$MAC_A ||
		{ unavailable l2fwd "dpdk-$kind" "dpdk-testpmd did not start: $(tail -3 "$TP_LOG" | tr '\n' ' ')"; return 0; }
	gen 0.3 $MAC_F0 198.18.2.2 >/dev/null
	b0=$(rx_of "$NS_B" "$IB")
	out=$(gen "$SECS" $MAC_F0 198.18.2.2)
	b1=$(rx_of "$NS_B" "$IB")
	testpmd_stop
	[ -n "$out" ] || { unavailable l2fwd "dpdk-$kind" "sluice-gen failed"; return 0; }
	secs=$(gen_seconds "$out")
	tx=$(testpmd_stat 1 TX-packets)
	if [ -z "$tx" ] || [ $((b1 - b0)) -gt "$tx" ]; then
		invalid l2fwd "dpdk-$kind" "B received $((b1 - b0)), testpmd port 1 sent '${tx:-?}'"
	else
		record l2fwd "dpdk-$kind" "rep=$rep" "mpps=$(python3 -c "print($((b1 - b0)) / $secs / 1e6)")" \
			"mode=net_$kind" "check=ok: B got $((b1 - b0)), testpmd sent $tx"
		echo "  (l2fwd dpdk-$kind) rep $rep: $(python3 -c "print('%.3f' % ($((b1 - b0)) / $secs / 1e6))") Mpps" >&2
	fi
}

# ---- rx-drop ---------------------------------------------------------------------------
one_rxdrop_sluice() {
	local drv=$1 rep=$2 out sum secs rx
	# datagrams to port 9, an echo for port 7: every frame is dropped
	sluice_run sluice-echo --driver "$drv" --dev "$IF0" --udp-port 7 ||
		{ unavailable rxdrop "sluice-$drv" "$(head -c 300 "$SL_LOG")"; return 0; }
	out=$(gen "$SECS" $MAC_F0 $F_ADDR 9)
	sluice_stop
	sum=$SL_SUM
	[ -n "$out" ] || { unavailable rxdrop "sluice-$drv" "sluice-gen failed"; return 0; }
	[ -n "$sum" ] || { invalid rxdrop "sluice-$drv" "sluice-echo wrote no summary: $(tail -2 "$SL_LOG")"; return 0; }
	secs=$(gen_seconds "$out")
	rx=$(json_get "$sum" rx_packets)
	if [ "$(json_get "$sum" echoed)" != 0 ] || [ "$rx" = 0 ]; then
		invalid rxdrop "sluice-$drv" "summary $sum"
	else
		# the receiver counts from its start to its stop: the figure is
		# what it received over the generator's seconds (an upper bound
		# by the start-up's idle time, which receives nothing)
		record rxdrop "sluice-$drv" "rep=$rep" "mpps=$(python3 -c "print($rx / $secs / 1e6)")" \
			"mode=$(sluice_mode)" "check=ok: received $rx, answered 0"
		echo "  (rxdrop sluice-$drv) rep $rep: $(python3 -c "print('%.3f' % ($rx / $secs / 1e6))") Mpps" >&2
	fi
}
one_rxdrop_testpmd() {
	local kind=$1 rep=$2 out secs rx
	[ -n "$TESTPMD" ] || { unavailable rxdrop "dpdk-$kind" "dpdk-testpmd is not installed"; return 0; }
	testpmd_run "$kind" rxonly ||
		{ unavailable rxdrop "dpdk-$kind" "dpdk-testpmd did not start: $(tail -3 "$TP_LOG" | tr '\n' ' ')"; return 0; }
	out=$(gen "$SECS" $MAC_F0 $F_ADDR 9)
	testpmd_stop
	[ -n "$out" ] || { unavailable rxdrop "dpdk-$kind" "sluice-gen failed"; return 0; }
	secs=$(gen_seconds "$out")
	rx=$(testpmd_stat 0 RX-packets)
	if [ -z "$rx" ] || [ "$rx" = 0 ]; then
		invalid rxdrop "dpdk-$kind" "testpmd counted '${rx:-?}'"
	else
		record rxdrop "dpdk-$kind" "rep=$rep" "mpps=$(python3 -c "print($rx / $secs / 1e6)")" \
			"mode=net_$kind" "check=ok: received $rx"
		echo "  (rxdrop dpdk-$kind) rep $rep: $(python3 -c "print('%.3f' % ($rx / $secs / 1e6))") Mpps" >&2
	fi
}

# ---- echo ------------------------------------------------------------------------------
one_echo_sluice() {
	local drv=$1 rep=$2 a0 a1 out sum secs echoed
	sluice_run sluice-echo --driver "$drv" --dev "$IF0" --udp-port 7 ||
		{ unavailable echo "sluice-$drv" "$(head -c 300 "$SL_LOG")"; return 0; }
	a0=$(rx_of "$NS_A" "$IA")
	out=$(gen "$SECS" $MAC_F0 $F_ADDR 7)
	a1=$(rx_of "$NS_A" "$IA")
	sluice_stop
	sum=$SL_SUM
	[ -n "$out" ] || { unavailable echo "sluice-$drv" "sluice-gen failed"; return 0; }
	[ -n "$sum" ] || { invalid echo "sluice-$drv" "sluice-echo wrote no summary: $(tail -2 "$SL_LOG")"; return 0; }
	secs=$(gen_seconds "$out")
	echoed=$(json_get "$sum" echoed)
	if [ $((a1 - a0)) -gt "$echoed" ] || [ $((a1 - a0)) = 0 ]; then
		invalid echo "sluice-$drv" "A counted $((a1 - a0)) answers, sluice-echo sent $echoed"
	else
		record echo "sluice-$drv" "rep=$rep" "mpps=$(python3 -c "print($((a1 - a0)) / $secs / 1e6)")" \
			"mode=$(sluice_mode)" "check=ok: A got $((a1 - a0)), echoed $echoed"
		echo "  (echo sluice-$drv) rep $rep: $(python3 -c "print('%.3f' % ($((a1 - a0)) / $secs / 1e6))") M answers/s" >&2
	fi
}
one_echo_socket() {
	local rep=$1 a0 a1 out secs pid echoed
	ip -n "$NS_F" addr add $F_ADDR/24 dev "$IF0" || { unavailable echo socket "address"; return 0; }
	ip -n "$NS_F" neigh replace 198.18.1.2 lladdr $MAC_A dev "$IF0" nud permanent
	ip netns exec "$NS_F" taskset -c $F_CPU "$T_TMP/udp-echo-sock" --port 7 \
		>"$T_TMP/sock.out" 2>&1 &
	pid=$!
	T_PIDS+=("$pid")
	sleep 0.3
	a0=$(rx_of "$NS_A" "$IA")
	out=$(gen "$SECS" $MAC_F0 $F_ADDR 7)
	a1=$(rx_of "$NS_A" "$IA")
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null
	ip -n "$NS_F" addr del $F_ADDR/24 dev "$IF0"
	[ -n "$out" ] || { unavailable echo socket "sluice-gen failed"; return 0; }
	secs=$(gen_seconds "$out")
	echoed=$(json_get "$(tail -1 "$T_TMP/sock.out")" echoed 2>/dev/null)
	if [ -z "$echoed" ] || [ $((a1 - a0)) -gt "$echoed" ] || [ $((a1 - a0)) = 0 ]; then
		invalid echo socket "A counted $((a1 - a0)) answers, the socket server sent $echoed"
	else
		record echo socket "rep=$rep" "mpps=$(python3 -c "print($((a1 - a0)) / $secs / 1e6)")" \
			"mode=recvmmsg/sendmmsg" "check=ok: A got $((a1 - a0)), echoed $echoed"
		echo "  (echo socket) rep $rep: $(python3 -c "print('%.3f' % ($((a1 - a0)) / $secs / 1e6))") M answers/s" >&2
	fi
}

# ---- rounds ----------------------------------------------------------------------------
T0=$SECONDS
for rep in $(seq 1 "$REPS"); do
	echo "# round $rep of $REPS" >&2
	if [ -z "$ONLY" ] || [ "$ONLY" = l2fwd ]; then
		for d in af_xdp af_packet; do
			one_l2fwd_sluice $d "$rep"
			one_l2fwd_testpmd $d "$rep"
		done
		one_l2fwd_sluice af_packet "$rep" ring
	fi
	if [ -z "$ONLY" ] || [ "$ONLY" = rxdrop ]; then
		for d in af_xdp af_packet; do
			one_rxdrop_sluice $d "$rep"
			one_rxdrop_testpmd $d "$rep"
		done
	fi
	if [ -z "$ONLY" ] || [ "$ONLY" = echo ]; then
		one_echo_sluice af_xdp "$rep"
		one_echo_sluice af_packet "$rep"
		one_echo_socket "$rep"
	fi
done

# ---- report ----------------------------------------------------------------------------
python3 - "$RESULTS" "${JSON_OUT:-/dev/null}" "${MD_OUT:-/dev/stdout}" $((SECONDS - T0)) <<'PY'
import json, statistics, sys
rows = {}
bad = []
order = []
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    key = (f[0], f[1])
    if key not in rows:
        rows[key] = {"test": f[0], "case": f[1], "mpps": [], "mode": "", "why": "",
                     "by_rep": {}}
        order.append(key)
    kv = dict(x.split("=", 1) for x in f[2:] if "=" in x)
    r = rows[key]
    if "mpps" in kv:
        r["mpps"].append(float(kv["mpps"]))
        r["by_rep"][kv.get("rep", str(len(r["mpps"])))] = float(kv["mpps"])
        r["mode"] = kv.get("mode", "")
        r["check"] = kv.get("check", "")
    elif "invalid" in kv:
        r["why"] = "INVALID: " + kv["invalid"]
        bad.append(key)
    elif "unavailable" in kv and not r["mpps"]:
        r["why"] = "unavailable: " + kv["unavailable"]
out = []
for k in order:
    r = rows[k]
    if r["mpps"] and not r["why"].startswith("INVALID"):
        r["median"] = statistics.median(r["mpps"])
        r["min"], r["max"] = min(r["mpps"]), max(r["mpps"])
    out.append(r)
def med(test, case):
    r = rows.get((test, case))
    return r.get("median") if r else None
for r in out:
    peer = {"sluice-af_xdp": "dpdk-af_xdp", "sluice-af_packet": "dpdk-af_packet",
            "sluice-af_packet-ring": "dpdk-af_packet"}
    base = None
    if r["test"] in ("l2fwd", "rxdrop"):
        base = peer.get(r["case"])
    elif r["test"] == "echo" and r["case"] != "socket":
        base = "socket"
    if base and r.get("median") and med(r["test"], base):
        r["ratio"] = r["median"] / med(r["test"], base)
        r["ratio_to"] = base
        # the same round's figures: the noise of a moment hits both
        other = rows[(r["test"], base)]["by_rep"]
        per = [v / other[k] for k, v in r["by_rep"].items() if other.get(k)]
        if per:
            r["round_ratio"] = statistics.median(per)
            r["round_ratio_min"], r["round_ratio_max"] = min(per), max(per)
for r in out:
    del r["by_rep"]
json.dump({"pktio": out, "seconds": int(sys.argv[4])}, open(sys.argv[2], "w"), indent=1)
with open(sys.argv[3], "w") as md:
    md.write("| test | case | I/O mode | Mpps (median, min-max) | ratio |\n|---|---|---|---|---|\n")
    for r in out:
        if r.get("median") is not None:
            fig = "%.3f (%.3f-%.3f)" % (r["median"], r["min"], r["max"])
        else:
            fig = r["why"] or "no figure"
        ratio = "%.2f x %s" % (r["ratio"], r["ratio_to"]) if r.get("ratio") else ""
        if r.get("round_ratio"):
            ratio += " (rounds %.2f, %.2f-%.2f)" % (
                r["round_ratio"], r["round_ratio_min"], r["round_ratio_max"])
        md.write("| %s | %s | %s | %s | %s |\n" % (r["test"], r["case"], r["mode"], fig, ratio))
sys.exit(1 if bad else 0)
PY
