#!/usr/bin/env bash
# shellcheck disable=SC2317  # path checks are called through $check
# Throughput through a router R over veth, A -> R -> B, next to baselines
# measured in the same run:
#   (a) kernel IP forwarding
#   (b) nftables DNAT to 4 backends, kube-proxy style (conntrack, numgen)
#   (c) sluice routing (sluiced on both of R's ports, kernel forwarding off)
#   (d) sluice load balancer, IPIP to 4 backends (VIP programmed over REST)
#   (e) the ceiling: an XDP program that only decrements the TTL, writes
#       the next hop's MACs and redirects to B's port through a devmap, no
#       lookups (bench/xdp_ceiling.bpf.c, loaded with bpftool)
# each with 1 and 65536 flows of 60-byte UDP/IPv4 frames (64 on the wire);
# and the source NAT rounds, 1 and 32768 flows (65536 flows to one
# destination port do not fit in one address's 64512 ports, in the kernel
# or in sluice):
#   (f) nftables masquerade of A's prefix out of R's B-side port
#   (g) sluice SNAT: sluiced on both of R's ports and a masquerade rule
#       for A's prefix out of R's B-side port, added as a user would
#       (`sluicectl nat add snat`; the rule turns conntrack on)
# where B counts the frames whose source is R's address (bench/
# xdp_src_sink.bpf.c in place of sluice_sink).
#   (h) sluice-vrouter on R's two ports (AF_XDP, copy mode), fed by
#       sluiced's transit selectors, its worker on R's CPU, in the round of
#       (c); 1 and 65536 flows; R's cost = NAPI + worker CPU per frame, and
#       the vRouter's per-node ns/packet (bench/throughput_vrouter.sh)
# Every case is also given as a fraction of the ceiling: the median over
# the rounds of (its Mpps / the ceiling's Mpps in the same round).
#
#   bench/throughput.sh [--quick] [--json FILE] [--reps N] [--seconds S]
#                       [--gen-cpu N] [--r-cpu N] [--build DIR]
#
# sluice-gen (build/sluice-gen) sends from A, pinned to one CPU; R's receive
# NAPI runs threaded, pinned to the other; B drops every frame in XDP (the
# sluice_sink program) and its rx counter says what R delivered.  B's NAPI
# is threaded and pinned to the generator's CPU, so R's CPU does R's work
# only.  R's CPU use is the NAPI thread's run time (/proc/PID/schedstat):
# with other work on that CPU the thread gets less of it, so the table also
# shows R's cost per packet (CPU time / delivered frames), which sharing
# does not change much.  Each figure: median, min and max over the
# repetitions, which are taken in rounds (every case once per round, after
# a 0.3 s warm-up, repeated (at most 20 times) while a case that keeps
# per-flow state (b, f, g) has not yet seen 99 % of its flows).  Defaults:
# 3 rounds of 3 s (about 4 minutes); --quick: 1 round of 1 s, 1 flow only
# (about 25 s).  A figure that cannot be obtained says why; one whose path
# check fails (the frames did not take the path under test) is invalid.
#
# Exit status: 0 when every figure was measured or explained, 1 when the
# setup failed, a path check failed or a sanitizer build of sluiced reported
# an error, 2 on bad options.
# Namespaces, veths, daemons and pins are removed on exit (tests/netns/lib.sh);
# addresses come from 198.18.0.0/15 only, and every frame goes to R's port.
# shellcheck source=../tests/netns/lib.sh
. "$(dirname "$0")/../tests/netns/lib.sh"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=throughput_vrouter.sh
. "$ROOT/bench/throughput_vrouter.sh"
BUILD=$ROOT/build
QUICK=0
JSON_OUT=
REPS=3
SECS=3
GEN_CPU=0
R_CPU=1
FLOW_SET="1 65536"
NAT_FLOW_SET="1 32768"

usage() { sed -n '3,/^# addresses come/p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--json) JSON_OUT=${2:?--json needs a file}; shift ;;
	--reps) REPS=${2:?}; shift ;;
	--seconds) SECS=${2:?}; shift ;;
	--gen-cpu) GEN_CPU=${2:?}; shift ;;
	--r-cpu) R_CPU=${2:?}; shift ;;
	--build) BUILD=$(cd "${2:?}" && pwd); shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "throughput.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
	shift
done
if [ $QUICK = 1 ]; then
	REPS=1
	SECS=1
	FLOW_SET="1"
	NAT_FLOW_SET="1"
fi
for v in reps:REPS seconds:SECS gen-cpu:GEN_CPU r-cpu:R_CPU; do
	name=${v#*:}
	val=${!name}
	case $val in
	'' | *[!0-9]*) echo "throughput.sh: --${v%%:*}: '$val' is not a whole number" >&2; exit 2 ;;
	esac
done
if [ "$REPS" -lt 1 ] || [ "$SECS" -lt 1 ] || [ "$SECS" -gt 60 ]; then
	echo "throughput.sh: --reps >= 1, --seconds 1..60" >&2
	exit 2
fi

RESULTS=$T_TMP/results.tsv	# one line per repetition or explanation
: >"$RESULTS"
T0=$SECONDS
fatal() {
	echo "throughput.sh: $*" >&2
	exit 1
}

# ---- preconditions ---------------------------------------------------------------
[ "$(id -u)" = 0 ] || fatal "needs root (namespaces, XDP)"
NCPU=$(nproc)
[ "$GEN_CPU" != "$R_CPU" ] || fatal "--gen-cpu and --r-cpu must differ"
for c in "$GEN_CPU" "$R_CPU"; do
	[ "$c" -lt "$NCPU" ] || fatal "CPU $c does not exist ($NCPU CPUs); this needs 2"
done
for f in sluice-gen sluiced bpf/sluice_sink.bpf.o bpf/xdp_ceiling.bpf.o; do
	[ -e "$BUILD/$f" ] || fatal "$BUILD/$f is missing: run 'make build' first"
done
for t in nft ethtool taskset chrt curl python3; do
	command -v $t >/dev/null || fatal "'$t' is missing (make deps)"
done
# Private copies: other builds in the tree may replace the binaries mid-run.
cp "$BUILD/sluice-gen" "$BUILD/sluiced" "$BUILD/bpf/sluice_sink.bpf.o" \
	"$BUILD/bpf/xdp_ceiling.bpf.o" "$T_TMP/"
# the NAT rounds' (f, g say why not when they are missing)
for f in sluicectl bpf/xdp_src_sink.bpf.o; do
	[ -e "$BUILD/$f" ] && cp "$BUILD/$f" "$T_TMP/"
done
GEN=$T_TMP/sluice-gen
SLUICED=$T_TMP/sluiced
SLUICECTL=$T_TMP/sluicectl

# ---- topology --------------------------------------------------------------------
# Interface names carry the PID: NAPI kthreads are named napi/IF-ID across
# all namespaces, and we must find ours.
P="tp$(($$ % 100000))"
IA=${P}a IR0=${P}r0 IR1=${P}r1 IB=${P}b
MAC_A=02:00:00:b1:00:02 MAC_R0=02:00:00:b1:00:01
MAC_R1=02:00:00:b2:00:01 MAC_B=02:00:00:b2:00:02
VIP=198.18.100.1
VPORT=9000
BACKENDS="198.18.3.11 198.18.3.12 198.18.3.13 198.18.3.14"
SERVER=198.18.3.10		# the destination of (a) and (c), behind B

setup() {
	netns_add NS_A a && netns_add NS_R r && netns_add NS_B b || return 1
	veth "$NS_A" "$IA" $MAC_A "$NS_R" "$IR0" $MAC_R0 || return 1
	veth "$NS_B" "$IB" $MAC_B "$NS_R" "$IR1" $MAC_R1 || return 1
	for ns in "$NS_A" "$NS_R" "$NS_B"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
	done
	ip -n "$NS_A" addr add 198.18.1.2/24 dev "$IA" &&
	ip -n "$NS_R" addr add 198.18.1.1/24 dev "$IR0" &&
	ip -n "$NS_R" addr add 198.18.2.1/24 dev "$IR1" &&
	ip -n "$NS_B" addr add 198.18.2.2/24 dev "$IB" || return 1
	# B and the backends behind it; neighbours fixed, nothing to resolve
	ip -n "$NS_R" route add 198.18.3.0/24 via 198.18.2.2 || return 1
	ip -n "$NS_R" neigh replace 198.18.2.2 lladdr $MAC_B dev "$IR1" nud permanent || return 1
	ip -n "$NS_R" neigh replace 198.18.1.2 lladdr $MAC_A dev "$IR0" nud permanent || return 1
	ip netns exec "$NS_R" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 "net.ipv4.conf.$IR0.rp_filter=0" || return 1
	# R accepts A's XDP_TX frames without an XDP program of its own (a, b)
	ip netns exec "$NS_R" ethtool -K "$IR0" gro on >/dev/null || return 1
	ip -n "$NS_B" link set dev "$IB" xdpdrv obj "$T_TMP/sluice_sink.bpf.o" sec xdp || return 1
	ip netns exec "$NS_R" sh -c "echo 1 > /sys/class/net/$IR0/threaded" || return 1
}

# napi_pid IF: the PID of IF's NAPI kthread (one rx queue on a veth).
napi_pid() {
	local pid
	for pid in $(pgrep -x "napi/$1-[0-9]*"); do
		echo "$pid"
		return 0
	done
	# comm is cut at 15 characters
	pgrep "^napi/$1" | head -1 | grep .
}
# pin_napi NS IF CPU: threaded NAPI for IF, its kthread on CPU; prints the
# PID.  (Attaching XDP may recreate the NAPI instance: call before each use.)
pin_napi() {
	local pid
	ip netns exec "$1" sh -c "echo 1 > /sys/class/net/$2/threaded" || return 1
	pid=$(napi_pid "$2") || return 1
	taskset -pc "$3" "$pid" >/dev/null || return 1
	echo "$pid"
}

rx_packets() {
	ip -n "$NS_B" -s -j link show "$IB" | python3 -c '
import json, sys
print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'
}
cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }
# sched_run_wait TID: "run wait" ns (on the CPU, waiting for it)
sched_run_wait() { awk '{print $1, $2}' "/proc/$1/schedstat"; }
EXTRA_TID=	# a thread whose CPU time (h) adds to R's: the vRouter's worker
# cpu_jiffies CPU: "busy total" from /proc/stat
cpu_jiffies() {
	awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= NF; i++) t += $i;
		print t - $5 - $6, t }' /proc/stat
}
fwd_datagrams() {
	# shellcheck disable=SC2016  # awk's $7
	ip netns exec "$NS_R" awk '/^Ip: [0-9]/ { print $7 }' /proc/net/snmp
}
# sluice_reasons NAME IF: "reason packets" lines of that interface
sluice_reasons() {
	api "$1" "/v1/stats?dev=$2" | python3 -c '
import json, sys
for i in json.load(sys.stdin)["interfaces"]:
    for r in i["reasons"]:
        print(r["reason"], r["packets"])'
}

# record CASE FLOWS KEY=VALUE...: one line of the results file
record() {
	local IFS=$'\t'
	echo "$*" >>"$RESULTS"
}
unavailable() {	# CASE FLOWS REASON (on one line)
	local why
	why=$(echo "$3" | tr '\t\n' '  ' | sed 's/  */ /g; s/ $//')
	record "$1" "$2" "unavailable=$why"
	echo "  ($1) flows=$2: unavailable: $why" >&2
}

# gen SECONDS FLOWS DST: sluice-gen from A through R (bounded twice: by
# --duration and by a timeout); its JSON result on stdout.
gen() {
	local vary=sport
	[ "$2" -gt 1 ] && vary=both
	timeout -k 2 $((${1%.*} + 20)) \
		nsenter --net="/var/run/netns/$NS_A" "$GEN" --dev "$IA" \
		--dst-mac $MAC_R0 --src 198.18.1.2 --dst "$3" --dport $VPORT \
		--udp --size 60 --flows "$2" --vary $vary --duration "$1" \
		--cpu "$GEN_CPU" --json 2>"$T_TMP/gen.err"
}

# measure CASE FLOWS DST CHECK REP: one repetition of SECS seconds, after a
# short warm-up (flows set up in conntrack or the LB flow table).  CHECK is
# called as CHECK warm|before|after FLOWS DELIVERED; "warm" fails while the
# case's per-flow state does not cover its flows yet (R drops most of what
# A offers, so one warm-up pass misses flows on a busy machine: it is
# repeated, bounded); "after" prints "ok ..." or why the frames did not
# take the path under test.
WARM_PASSES=20
measure() {
	local case=$1 flows=$2 dst=$3 check=$4 rep=$5
	local pid bpid out rc rx0 rx1 c0 c1 j0 j1 x0='' x1='' verdict warm=1
	CASE=$case
	pid=$(pin_napi "$NS_R" "$IR0" "$R_CPU") ||
		{ unavailable "$case" "$flows" "no NAPI thread for $IR0"; return 0; }
	# B's NAPI shares the generator's CPU but runs first (SCHED_FIFO): the
	# sink must never be what limits the figure.
	if ! bpid=$(pin_napi "$NS_B" "$IB" "$GEN_CPU") || ! chrt -f -p 10 "$bpid"; then
		unavailable "$case" "$flows" "no NAPI thread for $IB"
		return 0
	fi
	gen 0.3 "$flows" "$dst" >/dev/null
	while ! $check warm "$flows" && [ $warm -lt $WARM_PASSES ]; do
		gen 0.3 "$flows" "$dst" >/dev/null
		warm=$((warm + 1))
	done
	$check before "$flows" 0 || return 0
	rx0=$(rx_packets)
	c0=$(cpu_ns "$pid")
	j0=$(cpu_jiffies "$R_CPU")
	[ -n "$EXTRA_TID" ] && x0=$(sched_run_wait "$EXTRA_TID")
	out=$(gen "$SECS" "$flows" "$dst")
	rc=$?
	rx1=$(rx_packets)
	c1=$(cpu_ns "$pid")
	j1=$(cpu_jiffies "$R_CPU")
	[ -n "$EXTRA_TID" ] && x1=$(sched_run_wait "$EXTRA_TID")
	if [ $rc -ne 0 ] || [ -z "$out" ]; then
		unavailable "$case" "$flows" "sluice-gen failed (status $rc): $(head -c 300 "$T_TMP/gen.err")"
		return 0
	fi
	verdict=$($check after "$flows" $((rx1 - rx0)))
	[ $warm -gt 1 ] && verdict="$verdict (warm-up: $warm passes)"
	record "$case" "$flows" "rep=$rep" "gen=$out" "delivered=$((rx1 - rx0))" \
		"napi_ns=$((c1 - c0))" "cpu=$j0 $j1" ${x1:+"extra=$x0 $x1"} "check=$verdict"
	python3 - "$out" $((rx1 - rx0)) $((c1 - c0)) "$verdict" "$case" "$flows" "$rep" \
		"$x0" "$x1" <<'PY' >&2
import json, sys
g = json.loads(sys.argv[1]); d = int(sys.argv[2]); ns = int(sys.argv[3])
s = g["seconds"]
extra = ""
if sys.argv[9]:
    x0, x1 = [int(v) for v in sys.argv[8].split()], [int(v) for v in sys.argv[9].split()]
    extra = ", worker %3.0f%% CPU" % ((x1[0] - x0[0]) / 1e9 / s * 100)
# a kernel that refuses live frames: the generator sent through AF_PACKET
# (bench/gen/tx_packet.h), slower; its figures may be the generator's
how = "" if g.get("method", "live") == "live" else " (generator: %s)" % g["method"]
print("  (%s) flows=%-5s rep %s: %.3f Mpps delivered, %.3f sent%s, R NAPI %3.0f%% CPU%s, %s"
      % (sys.argv[5], sys.argv[6], sys.argv[7], d / s / 1e6, g["pps"] / 1e6,
         how, ns / 1e9 / s * 100, extra, sys.argv[4]))
PY
}

# ---- path checks -----------------------------------------------------------------
# Kernel paths: R's ForwDatagrams must account for what B received.
FWD0=0
check_kernel() {
	case $1 in
	before) FWD0=$(fwd_datagrams) ;;
	after)
		local fwd
		fwd=$(($(fwd_datagrams) - FWD0))
		if [ "$3" -eq 0 ]; then
			echo "invalid: nothing arrived at B"
		elif [ "$fwd" -lt "$3" ]; then
			echo "invalid: B received $3 frames, R forwarded only $fwd"
		else
			echo "ok: R forwarded $fwd, B received $3"
		fi ;;
	esac
}
# ct_entries PATTERN: R's conntrack entries matching PATTERN (grep -E)
ct_entries() {
	ip netns exec "$NS_R" grep -cE "$1" /proc/net/nf_conntrack
}
# warmed HAVE FLOWS: HAVE covers 99 % of the flows
warmed() { [ $(($1 * 100)) -ge $((99 * $2)) ]; }
check_nft() {
	# the DNAT's entries (original destination the VIP), not those other
	# cases left
	local dnat="dst=$VIP sport=[0-9]+ dport=$VPORT "
	case $1 in
	warm) warmed "$(ct_entries "$dnat")" "$2" ;;
	before) check_kernel before ;;
	after)
		local v ct
		v=$(check_kernel after "$2" "$3")
		ct=$(ct_entries "$dnat")
		case $v in
		# R drops most of what A offers, so a few flows may never get
		# through: most of them must be in the table
		ok*) if [ $((ct * 100)) -lt $((95 * ($2 < $3 ? $2 : $3))) ]; then
			echo "invalid: $ct DNAT conntrack entries for $2 flows"
		     else
			echo "$v, $ct DNAT conntrack entries"
		     fi ;;
		*) echo "$v" ;;
		esac ;;
	esac
}
# sluice paths: the XDP counters on R's ingress port must show the frames
# taking the forwarding (c) or load-balancing (d) verdicts, and B must not
# receive more than that (kernel forwarding is off).
SL0=
sluice_check() {	# WANT_REGEX before|after FLOWS DELIVERED
	local want=$1
	shift
	case $1 in
	before) SL0=$(sluice_reasons "$SL_NAME" "$IR0") ||
		{ unavailable "$CASE" "$2" "sluiced's API does not answer"; return 1; } ;;
	after)
		sluice_reasons "$SL_NAME" "$IR0" | python3 -c '
import re, sys
want, delivered, before = sys.argv[1], int(sys.argv[2]), sys.argv[3]
b = dict((l.split()[0], int(l.split()[1])) for l in before.splitlines() if l)
a = dict((l.split()[0], int(l.split()[1])) for l in sys.stdin if l.strip())
d = {k: a[k] - b.get(k, 0) for k in a}
total = sum(d.values())
hit = sum(v for k, v in d.items() if re.fullmatch(want, k))
other = ", ".join("%s %d" % (k, v) for k, v in d.items() if v and not re.fullmatch(want, k))
if delivered == 0:
    print("invalid: nothing arrived at B")
elif hit < 0.99 * total:
    print("invalid: only %d of %d frames took %s (%s)" % (hit, total, want, other))
elif delivered > hit + 1000:
    print("invalid: B received %d frames, XDP forwarded only %d" % (delivered, hit))
else:
    print("ok: %d frames took %s in XDP, B received %d" % (hit, want, delivered))
' "$want" "$3" "$SL0" ;;
	esac
}
check_route() { sluice_check 'fwd_(redirect|tx)' "$@"; }
# The LB's verdict also says how many of the frames were new flows and how
# many flow-table hits (the VIPs' counters): a flow table that thrashes
# shows as new flows far beyond FLOWS.
lb_flow_counts() {
	api "$SL_NAME" /v1/vips | python3 -c 'import json, sys
v = json.load(sys.stdin)["vips"]
print(sum(x["counters"]["new_flows"] for x in v), sum(x["counters"]["flow_hits"] for x in v))'
}
check_lb() {
	local out rc n0 h0 n1 h1
	if [ "$1" != after ]; then
		[ "$1" = before ] && LB_COUNTS0=$(lb_flow_counts 2>/dev/null)
		sluice_check 'fwd_lb(_tx)?' "$@"
		return
	fi
	out=$(sluice_check 'fwd_lb(_tx)?' "$@")
	rc=$?
	if [[ $out == ok:* ]] && [ -n "$LB_COUNTS0" ] &&
		read -r n1 h1 <<<"$(lb_flow_counts 2>/dev/null)" && [ -n "$h1" ]; then
		read -r n0 h0 <<<"$LB_COUNTS0"
		out="$out; the VIP: $((n1 - n0)) new flows, $((h1 - h0)) flow-table hits"
	fi
	echo "$out"
	return "$rc"
}

# The ceiling (e): R's XDP counters must show the frames redirected, the
# program on R's ingress port must be the ceiling, and B must not receive
# more than it redirected (kernel forwarding is off).
CEIL0=
check_ceiling() {
	case $1 in
	before)
		local why
		if ! why=$(ceiling_attached); then
			unavailable e "$2" "$why"
			return 1
		fi
		CEIL0=$(ceiling_stats) ||
			{ unavailable e "$2" "the ceiling's counters do not read"; return 1; } ;;
	after)
		local now prog
		if ! prog=$(ceiling_attached); then
			echo "invalid: $prog"
			return 0
		fi
		now=$(ceiling_stats) || { echo "invalid: the ceiling's counters do not read"; return 0; }
		# shellcheck disable=SC2086  # two numbers each
		set -- $CEIL0 $now "$3"
		local redir=$(($3 - $1)) pass=$(($4 - $2)) delivered=$5
		if [ "$delivered" -eq 0 ]; then
			echo "invalid: nothing arrived at B"
		elif [ $((pass * 100)) -gt $((redir + pass)) ]; then
			echo "invalid: the ceiling passed $pass of $((redir + pass)) frames to the kernel"
		elif [ "$delivered" -gt $((redir + 1000)) ]; then
			echo "invalid: B received $delivered frames, the ceiling redirected only $redir"
		else
			echo "ok: $prog redirected $redir frames, B received $delivered"
		fi ;;
	esac
}

# ---- the ceiling program -----------------------------------------------------------
# Loaded once (pinned, so the maps outlive attach and detach), attached on
# R's ingress port for case (e) only.
CEIL_PIN=/sys/fs/bpf/$T_ID-ceiling
CEIL_WHY=
# pinned_pair MAP: slots 0 and 1 of a pinned per-CPU array, each summed
# over the CPUs
pinned_pair() {
	bpftool -j map dump pinned "$1" | python3 -c '
import json, sys
n = {e["key"]: sum(v["value"] for v in e["values"]) for e in
     (x["formatted"] for x in json.load(sys.stdin))}
print(n[0], n[1])'
}
# ceiling_stats: "redirected passed"
ceiling_stats() { pinned_pair "$CEIL_PIN/ceiling_stats"; }
# ceiling_attached: "xdp_ceiling (id N) on IF" when the program attached to
# R's ingress port is the pinned ceiling, else why not; status to match.
ceiling_attached() {
	local want
	want=$(bpftool -j prog show pinned "$CEIL_PIN/prog" | python3 -c '
import json, sys; print(json.load(sys.stdin)["id"])') || { echo "the ceiling is not loaded"; return 1; }
	ip -n "$NS_R" -j -d link show "$IR0" | python3 -c '
import json, sys
want, dev = int(sys.argv[1]), sys.argv[2]
x = json.load(sys.stdin)[0].get("xdp", {})
progs = [x["prog"]] if "prog" in x else [p["prog"] for p in x.get("attached", []) if "prog" in p]
ids = [p.get("id") for p in progs]
if want in ids:
    print("xdp_ceiling (id %d) on %s" % (want, dev))
else:
    print("the program on %s is %s, not the ceiling (id %d)" % (dev, ids or "none", want))
    sys.exit(1)' "$want" "$IR0"
}
# ceiling_load: loads and pins the program, points its devmap at R's port
# towards B and its MACs at B's (as sluice's next hop), and checks what it
# does to a frame with BPF_PROG_TEST_RUN.  CEIL_WHY says why when it fails.
ceiling_load() {
	local ifindex out macs
	if ! command -v bpftool >/dev/null; then
		CEIL_WHY="'bpftool' is missing (make deps)"
		return 1
	fi
	T_PINS+=("$CEIL_PIN")
	if ! mkdir -p "$CEIL_PIN" ||
		! out=$(bpftool prog load "$T_TMP/xdp_ceiling.bpf.o" "$CEIL_PIN/prog" \
			type xdp pinmaps "$CEIL_PIN" 2>&1); then
		CEIL_WHY="bpftool prog load failed: $(echo "$out" | tail -3)"
		return 1
	fi
	# a devmap resolves the ifindex in the namespace of whoever writes it
	ifindex=$(ip -n "$NS_R" -o link show "$IR1" | cut -d: -f1)
	if ! out=$(in_ns "$NS_R" bpftool map update pinned "$CEIL_PIN/ceiling_port" \
		key 0 0 0 0 value $((ifindex & 255)) $((ifindex >> 8 & 255)) \
		$((ifindex >> 16 & 255)) $((ifindex >> 24)) 2>&1); then
		CEIL_WHY="setting the ceiling's port failed: $out"
		return 1
	fi
	# destination then source MAC, twelve bytes
	read -ra macs <<<"${MAC_B//:/ } ${MAC_R1//:/ }"
	if ! out=$(bpftool map update pinned "$CEIL_PIN/ceiling_macs" key 0 0 0 0 \
		value hex "${macs[@]}" 2>&1); then
		CEIL_WHY="setting the ceiling's MACs failed: $out"
		return 1
	fi
	# a wrong program is an invalid figure, not a missing one
	if ! out=$(ceiling_selftest 2>&1); then
		CEIL_WHY="invalid: the ceiling's self-test failed: $out"
		return 1
	fi
	echo "  (e) ceiling loaded: $out" >&2
}
# ceiling_selftest: one frame of each kind through the program (test_run):
# IPv4 and IPv6 come out redirected with TTL - 1, a valid header checksum
# and the next hop's MACs; TTL 1 and ARP pass untouched.
ceiling_selftest() {
	python3 - "$CEIL_PIN/prog" "$T_TMP" "$MAC_B" "$MAC_R1" "$MAC_R0" "$MAC_A" <<'PY'
import json, struct, subprocess, sys
prog, tmp, mac_b, mac_r1, mac_r0, mac_a = sys.argv[1:]
mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
XDP_PASS, XDP_REDIRECT = 2, 4

def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s

def ip4(ttl):
    udp = struct.pack("!HHHH", 1234, 9000, 26, 0) + bytes(18)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, ttl, 17, 0,
                    bytes([198, 18, 1, 2]), bytes([198, 18, 3, 10]))
    h = h[:10] + struct.pack("!H", 0xffff - csum(h)) + h[12:]
    return mac(mac_r0) + mac(mac_a) + b"\x08\x00" + h + udp

def ip6(hops):
    udp = struct.pack("!HHHH", 1234, 9000, 8, 0)
    h = struct.pack("!IHBB16s16s", 6 << 28, len(udp), 17, hops,
                    bytes.fromhex("20010db8000100000000000000000002"),
                    bytes.fromhex("20010db8000300000000000000000010"))
    return mac(mac_r0) + mac(mac_a) + b"\x86\xdd" + h + udp + bytes(8)

def run(frame):
    with open(tmp + "/st.in", "wb") as f:
        f.write(frame)
    out = subprocess.run(["bpftool", "-j", "prog", "run", "pinned", prog, "data_in",
                          tmp + "/st.in", "data_out", tmp + "/st.out"],
                         capture_output=True, text=True)
    if out.returncode:
        sys.exit("bpftool prog run: " + out.stderr.strip()[-300:])
    with open(tmp + "/st.out", "rb") as f:
        return json.loads(out.stdout)["retval"], f.read()

def want(name, cond):
    if not cond:
        sys.exit(name)

for ttl in (64, 2):
    f = ip4(ttl)
    rv, o = run(f)
    want("IPv4 TTL %d: verdict %d, not XDP_REDIRECT" % (ttl, rv), rv == XDP_REDIRECT)
    want("IPv4: MACs %s, not B's and R's" % o[:12].hex(), o[:12] == mac(mac_b) + mac(mac_r1))
    want("IPv4: TTL %d after %d" % (o[22], ttl), o[22] == ttl - 1)
    want("IPv4: header checksum wrong after TTL - 1", csum(o[14:34]) == 0xffff)
    want("IPv4: bytes other than TTL, checksum, MACs changed",
         o[12:22] + o[23:24] + o[26:] == f[12:22] + f[23:24] + f[26:])
f = ip6(64)
rv, o = run(f)
want("IPv6: verdict %d, not XDP_REDIRECT" % rv, rv == XDP_REDIRECT)
want("IPv6: MACs or hop limit wrong",
     o[:12] == mac(mac_b) + mac(mac_r1) and o[21] == 63 and o[12:21] + o[22:] == f[12:21] + f[22:])
for name, f in (("IPv4 TTL 1", ip4(1)), ("IPv6 hop limit 1", ip6(1)),
                ("ARP", mac(mac_r0) + mac(mac_a) + b"\x08\x06" + bytes(46))):
    rv, o = run(f)
    want("%s: verdict %d, not XDP_PASS untouched" % (name, rv), rv == XDP_PASS and o == f)
print("test_run: IPv4 and IPv6 redirected with TTL - 1 and B's MACs, TTL 1 and ARP passed")
PY
}

# ---- the NAT rounds (f, g) ---------------------------------------------------------
# B runs xdp_src_sink (pinned, loaded once) in place of sluice_sink: it
# drops every frame too, and counts those whose source is R's B-side
# address: the path check of both rounds is that what B received was
# translated, counted.
R_ADDR_B=198.18.2.1
SRC_PIN=/sys/fs/bpf/$T_ID-srcsink
SRC_WHY=
NR_NAME=
src_sink_load() {
	local out
	if [ ! -e "$T_TMP/xdp_src_sink.bpf.o" ]; then
		SRC_WHY="$BUILD/bpf/xdp_src_sink.bpf.o is missing: run 'make build' first"
		return 1
	fi
	if ! command -v bpftool >/dev/null; then
		SRC_WHY="'bpftool' is missing (make deps)"
		return 1
	fi
	T_PINS+=("$SRC_PIN")
	if ! mkdir -p "$SRC_PIN" ||
		! out=$(bpftool prog load "$T_TMP/xdp_src_sink.bpf.o" "$SRC_PIN/prog" \
			type xdp pinmaps "$SRC_PIN" 2>&1) ||
		! out=$(bpftool map update pinned "$SRC_PIN/src_sink_want" key 0 0 0 0 \
			value ${R_ADDR_B//./ } 2>&1); then
		SRC_WHY="loading xdp_src_sink failed: $(echo "$out" | tail -3)"
		return 1
	fi
}
# src_stats: "from_r other"
src_stats() { pinned_pair "$SRC_PIN/src_sink_stats"; }
# b_sink src|plain: B's XDP program
b_sink() {
	ip -n "$NS_B" link set dev "$IB" xdpdrv off || return 1
	if [ "$1" = src ]; then
		in_ns "$NS_B" ip link set dev "$IB" xdpdrv pinned "$SRC_PIN/prog"
	else
		ip -n "$NS_B" link set dev "$IB" xdpdrv obj "$T_TMP/sluice_sink.bpf.o" sec xdp
	fi
}
# src_verdict DELIVERED: B's frames from R's address against all it got
SRC0=
src_verdict() {
	local now
	now=$(src_stats) || { echo "invalid: B's source counters do not read"; return 0; }
	# shellcheck disable=SC2086  # two numbers each
	set -- $SRC0 $now "$1"
	local from=$(($3 - $1)) other=$(($4 - $2)) delivered=$5
	if [ "$delivered" -eq 0 ]; then
		echo "invalid: nothing arrived at B"
	elif [ $((other * 1000)) -gt "$delivered" ] || [ $((from * 100)) -lt $((99 * delivered)) ]; then
		echo "invalid: of $delivered frames B received, $from came from $R_ADDR_B and $other from elsewhere"
	else
		echo "ok: B received $delivered, $from from $R_ADDR_B"
	fi
}
# R's masqueraded entries: answers go to R's address
MASQ_CT="dst=$SERVER .*src=$SERVER dst=$R_ADDR_B "
check_masq() {
	case $1 in
	warm) warmed "$(ct_entries "$MASQ_CT")" "$2" ;;
	before)
		check_kernel before
		SRC0=$(src_stats) ||
			{ unavailable "$CASE" "$2" "B's source counters do not read"; return 1; } ;;
	after)
		local v s ct
		v=$(check_kernel after "$2" "$3")
		s=$(src_verdict "$3")
		# masqueraded flows only (nf_conntrack_count would also count
		# (b)'s)
		ct=$(ct_entries "$MASQ_CT")
		case "$v/$s" in
		ok*/ok*)
			if [ $((ct * 100)) -lt $((95 * ($2 < $3 ? $2 : $3))) ]; then
				echo "invalid: $ct masqueraded conntrack entries for $2 flows"
			else
				echo "${s}; R forwarded ${v#*R forwarded }, $ct masqueraded conntrack entries"
			fi ;;
		ok*/*) echo "$s" ;;
		*) echo "$v" ;;
		esac ;;
	esac
}
# nr_stats: (g)'s counters from sluiced's API, "name value ...": R's
# ingress port's fwd_redirect and all its other reasons, NAT's
# snat_bound, xlate_orig and port_exhausted events, the NATed flows
nr_stats() {
	local st nat
	st=$(api "$NR_NAME" "/v1/stats?dev=$IR0") && nat=$(api "$NR_NAME" /v1/nat) ||
		return 1
	python3 -c '
import json, sys
s, n = json.loads(sys.argv[1]), json.loads(sys.argv[2])
rs = [r for i in s["interfaces"] for r in i["reasons"]]
fwd = sum(r["packets"] for r in rs if r["reason"] == "fwd_redirect")
other = sum(r["packets"] for r in rs if r["reason"] != "fwd_redirect")
ev = n["events"]
print("fwd_redirect %d other %d snat_bound %d xlate_orig %d port_exhausted %d nat_flows %d"
      % (fwd, other, ev["snat_bound"], ev["xlate_orig"], ev["port_exhausted"],
         n["nat_flows"] or 0))' "$st" "$nat"
}
NR0=
check_snat() {
	case $1 in
	warm)
		local n
		n=$(nr_stats) || return 0
		warmed "${n##* nat_flows }" "$2" ;;
	before)
		if ! SRC0=$(src_stats) || ! NR0=$(nr_stats); then
			unavailable "$CASE" "$2" "the counters do not read"
			return 1
		fi ;;
	after)
		local s now
		s=$(src_verdict "$3")
		now=$(nr_stats) || { echo "invalid: sluiced's counters do not read"; return 0; }
		case $s in
		ok*) python3 -c '
import sys
b = sys.argv[1].split(); a = sys.argv[2].split()
b = dict(zip(b[::2], map(int, b[1::2]))); a = dict(zip(a[::2], map(int, a[1::2])))
d = {k: a[k] - b[k] for k in a}
fwd, nat, got = d["fwd_redirect"], d["snat_bound"] + d["xlate_orig"], int(sys.argv[3])
if nat < 0.99 * fwd:
    print("invalid: XDP redirected %d frames, NAT translated only %d" % (fwd, nat))
elif got > fwd + 1000:
    print("invalid: B received %d frames, XDP redirected only %d" % (got, fwd))
elif d["port_exhausted"]:
    print("invalid: %d flows found no port" % d["port_exhausted"])
else:
    print("%s; XDP redirected %d, translated %d (%d new bindings, %d NATed flows), %d other verdicts"
          % (sys.argv[4], fwd, nat, d["snat_bound"], a["nat_flows"], d["other"]))' "$NR0" "$now" "$3" "$s" ;;
		*) echo "$s" ;;
		esac ;;
	esac
}
# nat_router_up ROUND: sluiced on R's two ports (kernel forwarding off), and
# the masquerade rule added through its CLI as a user would; NR_WHY says
# why not when it fails.
nat_router_up() {
	local out
	NR_NAME=nat$1
	if [ ! -x "$SLUICECTL" ]; then
		NR_WHY="$BUILD/sluicectl is missing: run 'make build' first"
		return 1
	fi
	if ! sluiced_start "$NS_R" "$NR_NAME" --interface "$IR0" --interface "$IR1" \
		>/dev/null || ! wait_until 10 route_has "$NR_NAME" 198.18.3.0/24; then
		NR_WHY="sluiced did not start: $(tail -c 300 "$T_TMP/$NR_NAME.log")"
		return 1
	fi
	if ! out=$(sctl "$NR_NAME" nat add snat --src 198.18.1.0/24 --out "$IR1" 2>&1); then
		NR_WHY="sluicectl nat add snat failed: $(echo "$out" | tail -c 300)"
		sluiced_stop "$NR_NAME"
		return 1
	fi
}
nat_router_down() { sluiced_stop "$NR_NAME"; }
NFT_MASQ='table ip sbmasq {
	chain nat-postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "'$IR1'" ip saddr 198.18.1.0/24 masquerade
	}
}'
# run_nat_round ROUND: (f) then (g), B counting sources meanwhile
run_nat_round() {
	local r=$1 f out
	if [ -z "$SRC_WHY" ] && ! out=$(b_sink src 2>&1); then
		SRC_WHY="attaching xdp_src_sink to B failed: $out"
	fi
	if [ -n "$SRC_WHY" ]; then
		for f in $NAT_FLOW_SET; do
			unavailable f "$f" "$SRC_WHY"
			unavailable g "$f" "$SRC_WHY"
		done
		# B keeps a sink whatever happened (the next round needs one)
		b_sink plain || fatal "cannot put sluice_sink back on B"
		return 0
	fi
	kernel_forwarding "$NS_R" on
	if echo "$NFT_MASQ" | ip netns exec "$NS_R" nft -f - 2>"$T_TMP/nft.err"; then
		for f in $NAT_FLOW_SET; do measure f "$f" $SERVER check_masq "$r"; done
		ip netns exec "$NS_R" nft delete table ip sbmasq
	else
		for f in $NAT_FLOW_SET; do
			unavailable f "$f" "nft refused the rule set: $(head -c 200 "$T_TMP/nft.err")"
		done
	fi
	kernel_forwarding "$NS_R" off
	NR_WHY=
	if nat_router_up "$r"; then
		for f in $NAT_FLOW_SET; do measure g "$f" $SERVER check_snat "$r"; done
		nat_router_down
	else
		for f in $NAT_FLOW_SET; do unavailable g "$f" "$NR_WHY"; done
	fi
	b_sink plain || fatal "cannot put sluice_sink back on B"
}

# ---- the cases ---------------------------------------------------------------------
NFT_RULES='table ip sbench {
	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { '$VIP' . udp . '$VPORT' : goto service-vip }
	}
	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump services
	}
	chain services {
		ip daddr . meta l4proto . th dport vmap @service-ips
	}
	chain service-vip {
		numgen random mod 4 vmap { 0 : goto endpoint-1, 1 : goto endpoint-2, 2 : goto endpoint-3, 3 : goto endpoint-4 }
	}
	chain endpoint-1 {
		meta l4proto udp dnat to 198.18.3.11:'$VPORT'
	}
	chain endpoint-2 {
		meta l4proto udp dnat to 198.18.3.12:'$VPORT'
	}
	chain endpoint-3 {
		meta l4proto udp dnat to 198.18.3.13:'$VPORT'
	}
	chain endpoint-4 {
		meta l4proto udp dnat to 198.18.3.14:'$VPORT'
	}
	chain filter-forward {
		type filter hook forward priority filter; policy accept;
		ct state invalid drop
	}
}'

# sluice_up ROUND: sluiced on both of R's ports, as SL_NAME; with the load
# balancer's config and the VIP when this sluiced has them, else LB_WHY
# says why not.  Fails when sluiced does not start.
sluice_up() {
	local conf=$T_TMP/lb.json body bes="" b cfg=()
	SL_NAME=sl$1
	LB_WHY=
	echo '{"lb": {"source_v4": "198.18.200.0/24"}}' >"$conf"
	if in_ns "$NS_R" "$SLUICED" --config "$conf" --interface "$IR0" \
		--check-config >"$T_TMP/lbcheck.log" 2>&1; then
		cfg=(--config "$conf")
	else
		LB_WHY="this sluiced has no load balancer config: $(tail -c 200 "$T_TMP/lbcheck.log")"
	fi
	sluiced_start "$NS_R" "$SL_NAME" "${cfg[@]}" --interface "$IR0" \
		--interface "$IR1" && wait_until 10 route_has "$SL_NAME" 198.18.3.0/24 ||
		return 1
	[ -n "$LB_WHY" ] && return 0
	if ! api "$SL_NAME" /v1/vips >/dev/null; then
		LB_WHY="sluiced has no load balancer API (GET /v1/vips fails)"
		return 0
	fi
	for b in $BACKENDS; do bes="$bes${bes:+, }{\"address\": \"$b\"}"; done
	body="{\"address\": \"$VIP\", \"port\": $VPORT, \"protocol\": \"udp\", \"encap\": \"ipip\", \"health\": {\"kind\": \"none\"}, \"backends\": [$bes]}"
	local sock_var="SOCK_$SL_NAME"
	if ! curl -s --unix-socket "${!sock_var}" -X POST -H 'Content-Type: application/json' \
		-d "$body" -o "$T_TMP/vip.json" -w '%{http_code}' http://sluiced/v1/vips |
		grep -qx 201; then
		LB_WHY="POST /v1/vips refused: $(head -c 200 "$T_TMP/vip.json")"
	fi
}

# run_round ROUND: every case once.  Rounds, not one case at a time: other
# load on the machine comes and goes, and so falls on all cases alike.
run_round() {
	local r=$1 f out
	kernel_forwarding "$NS_R" on
	for f in $FLOW_SET; do measure a "$f" $SERVER check_kernel "$r"; done
	if echo "$NFT_RULES" | ip netns exec "$NS_R" nft -f - 2>"$T_TMP/nft.err"; then
		for f in $FLOW_SET; do measure b "$f" $VIP check_nft "$r"; done
		ip netns exec "$NS_R" nft delete table ip sbench
	else
		for f in $FLOW_SET; do
			unavailable b "$f" "nft refused the rule set: $(head -c 200 "$T_TMP/nft.err")"
		done
	fi
	kernel_forwarding "$NS_R" off
	if [ -n "$CEIL_WHY" ]; then
		for f in $FLOW_SET; do unavailable e "$f" "$CEIL_WHY"; done
	elif ! out=$(in_ns "$NS_R" ip link set dev "$IR0" xdpdrv pinned "$CEIL_PIN/prog" 2>&1); then
		for f in $FLOW_SET; do
			unavailable e "$f" "attaching the ceiling to $IR0 failed: $out"
		done
	else
		for f in $FLOW_SET; do measure e "$f" $SERVER check_ceiling "$r"; done
		ip -n "$NS_R" link set dev "$IR0" xdpdrv off
	fi
	if ! sluice_up "$r"; then
		for f in $FLOW_SET; do
			unavailable c "$f" "sluiced did not start: $(tail -c 300 "$T_TMP/$SL_NAME.log")"
			unavailable d "$f" "sluiced did not start: $(tail -c 300 "$T_TMP/$SL_NAME.log")"
			unavailable h "$f" "sluiced did not start: $(tail -c 300 "$T_TMP/$SL_NAME.log")"
		done
		return 0
	fi
	for f in $FLOW_SET; do measure c "$f" $SERVER check_route "$r"; done
	for f in $FLOW_SET; do
		if [ -n "$LB_WHY" ]; then
			unavailable d "$f" "$LB_WHY"
		else
			measure d "$f" $VIP check_lb "$r"
		fi
	done
	vrouter_round "$r"
	sluiced_stop "$SL_NAME"
}

# ---- run -------------------------------------------------------------------------
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
KERNEL=$(uname -r)
echo "# throughput A -> R -> B over veth: $CPU_MODEL, $NCPU CPUs, Linux $KERNEL;" \
	"generator on CPU $GEN_CPU, R's NAPI on CPU $R_CPU; $REPS x $SECS s per figure" >&2
setup || fatal "topology setup failed"
ceiling_load || echo "  (e) ceiling: ${CEIL_WHY#invalid: }" >&2
src_sink_load || echo "  (f, g): $SRC_WHY" >&2
vrouter_prepare || echo "  (h): $VR_PREP_WHY" >&2
for round in $(seq 1 "$REPS"); do
	run_round "$round"
	run_nat_round "$round"
done
ELAPSED=$((SECONDS - T0))
# Under a sanitizer build, a report in a daemon's log fails the run.
SAN_FAIL=0
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_TMP"/sl*.log \
	"$T_TMP"/nat*.log "$T_TMP"/vr*.log 2>/dev/null; then
	echo "throughput.sh: sanitizer report in sluiced's or sluice-vrouter's log:" >&2
	grep -hE -A15 'Sanitizer|runtime error:' "$T_TMP"/sl*.log "$T_TMP"/nat*.log \
		"$T_TMP"/vr*.log 2>/dev/null |
		head -40 >&2
	SAN_FAIL=1
fi

# ---- report ----------------------------------------------------------------------
python3 - "$RESULTS" "$JSON_OUT" "$CPU_MODEL" "$KERNEL" "$NCPU" "$GEN_CPU" \
	"$R_CPU" "$REPS" "$SECS" "$QUICK" "$ELAPSED" "$FLOW_SET" "$NAT_FLOW_SET" \
	"$ROOT/bench" "$T_TMP" "$VR_IDLE_SLEEP" "$VR_SECONDS" "$VR_FIFO" <<'PY'
import json, statistics, sys, time

(path, json_out, cpu_model, kernel, ncpu, gen_cpu, r_cpu, reps, secs, quick,
 elapsed, flow_set, nat_flow_set, bench_dir, tmp, vr_idle, vr_secs, vr_fifo) = sys.argv[1:]
sys.path.insert(0, bench_dir)
sys.dont_write_bytecode = True	# no __pycache__ left in the source tree
import throughput_vrouter
names = {"a": "kernel IP forwarding", "b": "nftables DNAT to 4 backends",
         "c": "sluice routing (XDP)", "d": "sluice LB, IPIP to 4 backends",
         "e": "XDP ceiling (TTL-1, redirect)",
         "f": "nftables masquerade (SNAT)",
         "g": "sluice SNAT, conntrack (XDP)",
         "h": "sluice-vrouter (AF_XDP copy)"}
flows = [int(f) for f in flow_set.split()]
nat_flows = [int(f) for f in nat_flow_set.split()]
flows_of = {c: (nat_flows if c in "fg" else flows) for c in "abcdefgh"}
runs, why = {}, {}
for line in open(path):
    f = line.rstrip("\n").split("\t")
    key = (f[0], int(f[1]))
    kv = dict(x.split("=", 1) for x in f[2:])
    if "unavailable" in kv:
        why.setdefault(key, []).append(kv["unavailable"])
        continue
    g = json.loads(kv["gen"])
    b0, t0, b1, t1 = map(int, kv["cpu"].split())
    d = int(kv["delivered"])
    s = g["seconds"]
    # (h): R's cost is its NAPI thread's and the vRouter worker's
    xr = xw = None
    if "extra" in kv:
        x = [int(v) for v in kv["extra"].split()]
        xr, xw = x[2] - x[0], x[3] - x[1]
    r_ns = int(kv["napi_ns"]) + (xr or 0)
    runs.setdefault(key, []).append({
        "rep": int(kv["rep"]), "seconds": s, "frames_sent": g["frames"],
        "sent_pps": g["pps"], "accepted_by_r": g.get("dev_tx_packets"),
        "delivered": d, "delivered_pps": d / s,
        "r_napi_cpu": int(kv["napi_ns"]) / 1e9 / s,
        "r_core_busy": (b1 - b0) / (t1 - t0) if t1 > t0 else None,
        "r_ns_per_pkt": r_ns / d if d else None,
        "napi_ns": int(kv["napi_ns"]),
        **({"worker_run_ns": xr, "worker_wait_ns": xw,
            "r_worker_cpu": xr / 1e9 / s} if xr is not None else {}),
        "path_check": kv["check"]})

def stat(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs)}

results = []
# a case whose program failed its own check before any repetition
invalid = any(w.startswith("invalid") for ws in why.values() for w in ws)
for c in "abcdefgh":
    for n in flows_of[c]:
        r = {"case": c, "name": names[c], "flows": n}
        rs = runs.get((c, n), [])
        bad = [x["path_check"] for x in rs if not x["path_check"].startswith("ok")]
        if not rs:
            r.update(available=False, reason=(why.get((c, n)) or ["not measured"])[0])
        elif bad:
            invalid = True
            r.update(available=False, reason="invalid: path check failed: " + bad[0],
                     repetitions=rs)
        else:
            r.update(available=True,
                     mpps=stat([x["delivered_pps"] / 1e6 for x in rs]),
                     sent_mpps=stat([x["sent_pps"] / 1e6 for x in rs]),
                     r_napi_cpu=stat([x["r_napi_cpu"] for x in rs]),
                     **({"r_worker_cpu": stat([x.get("r_worker_cpu") for x in rs])}
                        if c == "h" else {}),
                     r_core_busy=stat([x["r_core_busy"] for x in rs]),
                     r_ns_per_pkt=stat([x["r_ns_per_pkt"] for x in rs]),
                     repetitions=rs)
            if (c, n) in why:
                r["failed_repetitions"] = why[(c, n)]
        results.append(r)

def get(c, n):
    for r in results:
        if r["case"] == c and r["flows"] == n and r["available"]:
            return r
    return None

headline = {}
for num, den in (("c", "a"), ("d", "b"), ("g", "f"), ("h", "a"), ("h", "c")):
    for n in flows_of[num]:
        k = "%s/%s" % (num, den)
        x, y = get(num, n), get(den, n)
        if x and y:
            h = {"mpps_ratio": x["mpps"]["median"] / y["mpps"]["median"]}
            # R's ns per packet is 0 where R's NAPI thread did none of
            # the work (the kernel's paths, when the AF_PACKET generator
            # hands them to the stack on its own CPU): no per-core ratio
            # then, rather than a 0.00x that reads as a measurement
            if y["r_ns_per_pkt"]["median"] > 0 and x["r_ns_per_pkt"]["median"] > 0:
                h["per_core_ratio"] = (y["r_ns_per_pkt"]["median"] /
                                       x["r_ns_per_pkt"]["median"])
            headline.setdefault(k, {})[str(n)] = h
        else:
            missing = [z for z, v in ((num, x), (den, y)) if not v]
            headline.setdefault(k, {})[str(n)] = {
                "unavailable": "(%s) has no figure" % ", ".join(missing)}

# Fractions of the ceiling (e): per round, a case's Mpps over the ceiling's
# Mpps in the same round (and per core: the ceiling's ns/packet over the
# case's); then the median, min and max over the rounds.  Pairing within a
# round cancels most of the machine's other load, which moves both alike.
ceiling = {}
for c in "abcdh":
    for n in flows:
        x, e = get(c, n), get("e", n)
        if not x or not e:
            missing = [z for z, v in ((c, x), ("e", e)) if not v]
            ceiling.setdefault(c, {})[str(n)] = {
                "unavailable": "(%s) has no figure" % ", ".join(missing)}
            continue
        er = {r["rep"]: r for r in e["repetitions"]}
        pairs = [(r, er[r["rep"]]) for r in x["repetitions"] if r["rep"] in er]
        mpps = [a["delivered_pps"] / b["delivered_pps"] for a, b in pairs
                if b["delivered_pps"]]
        core = [b["r_ns_per_pkt"] / a["r_ns_per_pkt"] for a, b in pairs
                if a["r_ns_per_pkt"] and b["r_ns_per_pkt"]]
        if not mpps:
            ceiling.setdefault(c, {})[str(n)] = {
                "unavailable": "no round has both (%s) and (e)" % c}
            continue
        # rounds where R's CPU was not what limited the ceiling (see notes)
        nb = sum(1 for _, b in pairs if b["r_napi_cpu"] < 0.9)
        ceiling.setdefault(c, {})[str(n)] = {
            "fraction": stat(mpps), "per_round": mpps, "per_core": stat(core),
            "rounds_ceiling_not_r_bound": nb}

def frac_cell(c, n):
    if c == "e":
        return "1 (ceiling)"
    h = ceiling.get(c, {}).get(str(n), {})
    if "fraction" not in h:
        return "-"
    f = h["fraction"]
    return "%.2f [%.2f..%.2f]" % (f["median"], f["min"], f["max"])

print()
print("Throughput through R (A -> R -> B over veth, 60-byte UDP/IPv4 = 64 on the wire)")
print("%s, %s CPUs, Linux %s; generator on CPU %s, R's NAPI on CPU %s; "
      "%s x %s s per figure" % (cpu_model, ncpu, kernel, gen_cpu, r_cpu, reps, secs))
print()
hdr = "%-33s %6s  %-22s %10s %12s %10s  %-18s" % (
    "R does", "flows", "Mpps med [min..max]", "R NAPI CPU", "R ns/packet", "sent Mpps",
    "of ceiling (e)")
print(hdr)
print("-" * len(hdr))
for r in results:
    label = "(%s) %s" % (r["case"], r["name"])
    if not r["available"]:
        print("%-33s %6d  unavailable: %s" % (label, r["flows"], r["reason"]))
        continue
    m = r["mpps"]
    cpu = "%.0f%%" % (r["r_napi_cpu"]["median"] * 100)
    if r.get("r_worker_cpu"):	# (h): NAPI + the vRouter's worker
        cpu = "%.0f+%.0f%%" % (r["r_napi_cpu"]["median"] * 100,
                               r["r_worker_cpu"]["median"] * 100)
    print("%-33s %6d  %-22s %10s %12.0f %10.2f  %-18s" % (
        label, r["flows"], "%.3f [%.3f..%.3f]" % (m["median"], m["min"], m["max"]),
        cpu, r["r_ns_per_pkt"]["median"],
        r["sent_mpps"]["median"], frac_cell(r["case"], r["flows"])))
    if r.get("failed_repetitions"):
        print("%-33s %6s  %d repetition(s) failed: %s" % ("", "", len(r["failed_repetitions"]),
                                                       r["failed_repetitions"][0]))
print()
for k, v in headline.items():
    parts = []
    for n, h in v.items():
        if "unavailable" in h:
            parts.append("%s flow%s: unavailable: %s" % (n, "" if n == "1" else "s", h["unavailable"]))
        else:
            parts.append("%s flow%s: %.2fx%s" % (
                n, "" if n == "1" else "s", h["mpps_ratio"],
                " (per core-second %.2fx)" % h["per_core_ratio"]
                if "per_core_ratio" in h else ""))
    print("headline (%s): %s" % (k, "; ".join(parts)))
for c in "cdh":
    parts = []
    for n, h in ceiling.get(c, {}).items():
        fl = "%s flow%s" % (n, "" if n == "1" else "s")
        if "unavailable" in h:
            parts.append("%s: unavailable: %s" % (fl, h["unavailable"]))
        else:
            f = h["fraction"]
            parts.append("%s: %.2f [%.2f..%.2f]%s" % (
                fl, f["median"], f["min"], f["max"],
                " (per core %.2f)" % h["per_core"]["median"] if h["per_core"] else ""))
    print("of the ceiling (%s/e, median of per-round ratios [min..max]): %s"
          % (c, "; ".join(parts)))
print("(R ns/packet = R's NAPI thread CPU time / frames delivered: the cost per "
      "packet, less sensitive to other load on R's CPU than Mpps; for (h) the NAPI "
      "thread's plus the vRouter worker's, and R NAPI CPU is NAPI+worker)")
# (h): the vRouter's nodes, from its stats file around each repetition
vr_reps = {n: [x for r in results if r["case"] == "h" and r["flows"] == n
               and r["available"] for x in r["repetitions"]] for n in flows}
vrouter = throughput_vrouter.summarize(tmp, {n: v for n, v in vr_reps.items() if v},
                                       int(vr_idle), int(vr_fifo))
for n in flows:
    if not vr_reps[n]:
        h = get("h", n) or next((r for r in results if r["case"] == "h"
                                 and r["flows"] == n), {})
        vrouter["flows"][str(n)] = {"unavailable": h.get("reason", "no figure")}
print()
for line in throughput_vrouter.table(vrouter):
    print(line)
notes = []
# The ceiling is cheap enough that A (which shares its CPU with B's NAPI)
# may not keep R busy: R's NAPI thread then sleeps between bursts, and
# veth drops what A sends while it wakes (a 256-frame ring).  Then R's CPU
# is not the ceiling's limit, and the ceiling's Mpps is below R's capacity.
e_reps = [x for r in results if r["case"] == "e" and r["available"]
          for x in r["repetitions"]]
bound = [x for x in e_reps if x["r_napi_cpu"] < 0.9]
# (a ceiling not bound by R is below 90% for another reason)
# ((h)'s NAPI thread shares R's CPU with the vRouter's worker: both count)
shares = [x["r_napi_cpu"] + x.get("r_worker_cpu", 0) for r in results if r["available"]
          for x in r["repetitions"] if not any(x is y for y in bound)]
if shares and min(shares) < 0.9:
    notes.append("R's NAPI thread had only %.0f-%.0f%% of CPU %s (other load there): "
                 "the Mpps figures measure that share as much as the path; the per-core "
                 "ratios (from R ns/packet) are the steadier comparison"
                 % (min(shares) * 100, max(shares) * 100, r_cpu))
if bound:
    def span(xs, scale, fmt):
        lo, hi = min(xs) * scale, max(xs) * scale
        return fmt % lo if fmt % lo == fmt % hi else (fmt + "-" + fmt) % (lo, hi)
    notes.append("the ceiling (e) kept R's NAPI thread busy only %s%% of the time in %d "
                 "of %d repetitions (A sent %s Mpps, B received %s%% of it): R's CPU was "
                 "not its only limit there, but also what A offered and the frames veth "
                 "dropped while R's NAPI thread slept or waited for its CPU; its Mpps is "
                 "then not R's capacity and the Mpps fractions are not cost ratios (above "
                 "1 when the slower programs, kept busy, lost fewer frames); the per-core "
                 "fractions (R ns/packet) compare the programs' cost on R"
                 % (span([x["r_napi_cpu"] for x in bound], 100, "%.0f"), len(bound),
                    len(e_reps), span([x["sent_pps"] for x in bound], 1e-6, "%.2f"),
                    span([x["delivered_pps"] / x["sent_pps"] for x in bound], 100, "%.0f")))
for n in notes:
    print("note: " + n)

doc = {"benchmark": "throughput", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
       "host": {"cpu_model": cpu_model, "cpus": int(ncpu), "kernel": kernel},
       "setup": {"topology": "A -> R -> B over veth, namespaces", "nat_flows": nat_flows,
                 "frame": "60-byte UDP/IPv4 (64 on the wire)", "generator": "sluice-gen",
                 "generator_cpu": int(gen_cpu), "r_napi_cpu": int(r_cpu),
                 "repetitions": int(reps), "seconds": int(secs), "quick": quick == "1",
                 "flows": flows, "elapsed_s": int(elapsed),
                 "vrouter_elapsed_s": int(vr_secs)},
       "headline": headline, "ceiling_fraction": ceiling, "notes": notes,
       "vrouter": vrouter, "results": results}
if json_out:
    with open(json_out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
sys.exit(1 if invalid else 0)
PY
rc=$?
echo "# done in ${ELAPSED} s (of which (h), sluice-vrouter: ${VR_SECONDS} s)" >&2
[ $SAN_FAIL = 1 ] && rc=1
exit $rc
