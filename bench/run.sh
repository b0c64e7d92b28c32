#!/usr/bin/env bash
# `make bench`: every benchmark of sluice, next to baselines measured in the
# same run.
#
#   bench/run.sh BUILD [--smoke]
#
#  1. per-packet cost, route lookup against the table size (1 vs 1M routes,
#     LPM trie vs compiled table), conntrack and NAT per packet, a million
#     conntrack entries' memory and ageing, Maglev build time, LPM insert
#     rate, map memory: BUILD/bench/sluice-bench (BPF_PROG_TEST_RUN, every
#     figure path-checked); then what map accesses cost on this machine:
#     BUILD/bench/sluice-mapcost
#  2. control plane: sluiced in a namespace mirroring kernel routes created
#     with `ip -batch` (as they arrive, and at start-up), netlink -> map
#     latency, REST API requests/s, sluiced's RSS and its maps' memory
#  3. throughput over veth: bench/throughput.sh, when it is there
#
# Writes BUILD/bench/results.json (every figure: median, min, max, the
# repetitions; CPU model, kernel, date, commit) and PNG plots to
# BUILD/bench/, and prints one markdown table on stdout.  Progress and TAP
# lines ("ok N - ...", one per path check and figure) go to stderr.
#
# --smoke: tiny counts, one repetition, every path check still enforced;
# for `make test` (tests/run.sh tier "bench").  Speed never fails a run:
# the exit status is 1 only when a path check failed, a tool crashed or a
# bounded wait ran out.  Namespaces, daemons and pins are removed on exit
# (tests/netns/lib.sh); addresses only from 198.18.0.0/15 and 2001:db8::/32.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:?usage: bench/run.sh BUILD [--smoke]}
shift
SMOKE=0
for a in "$@"; do
	case $a in
	--smoke) SMOKE=1 ;;
	*) echo "run.sh: unknown option '$a'" >&2; exit 2 ;;
	esac
done
BUILD=$(cd "$BUILD" && pwd) || exit 2
OUT=$BUILD/bench
mkdir -p "$OUT"
export SLUICED="$BUILD/sluiced" SLUICECTL="$BUILD/sluicectl"
BENCH=$BUILD/bench/sluice-bench
# shellcheck source=../tests/netns/lib.sh
. "$ROOT/tests/netns/lib.sh"
# Our own output goes to stderr; stdout carries only the table.
exec 3>&1 1>&2

T0=$SECONDS
CONTROL=$OUT/control.jsonl
: >"$CONTROL"
rm -f "$OUT/pktcost.json" "$OUT/throughput.json" "$OUT/pktio.json" "$OUT/pktio.md" \
	"$OUT/l7.json" "$OUT/l7.md"
FAILED=0

if [ $SMOKE = 1 ]; then
	REPS=1 N4=1000 N6=2000 LAT_N=3 API_S=0.3 WAIT_S=60 PUT_N=100 NFLUSH=20000
else
	REPS=3 N4=100000 N6=1000000 LAT_N=20 API_S=2 WAIT_S=300 PUT_N=100 NFLUSH=1000000
fi

# ---- TAP and figures ---------------------------------------------------------------
tap() {				# tap ok|fail TEXT
	T_N=$((T_N + 1))
	if [ "$1" = ok ]; then
		echo "ok $T_N - $2"
	else
		FAILED=$((FAILED + 1))
		echo "not ok $T_N - $2"
	fi
}
json_str() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
# fig NAME UNIT LABEL METHOD [DETAIL_JSON] -- VALUES...: a control figure.
fig() {
	local name=$1 unit=$2 label=$3 method=$4 detail="" vals
	shift 4
	if [ "$1" != -- ]; then detail=$1; shift; fi
	shift
	vals=$(IFS=,; echo "$*")
	printf '{"group": "control", "name": "%s", "unit": "%s", "label": "%s", "method": "%s", "values": [%s]%s}\n' \
		"$name" "$unit" "$(json_str "$label")" "$(json_str "$method")" "$vals" \
		"${detail:+, \"detail\": $detail}" >>"$CONTROL"
	tap ok "control $name figure ($* $unit)"
}
# fig_bad NAME UNIT LABEL invalid|unavailable REASON
fig_bad() {
	printf '{"group": "control", "name": "%s", "unit": "%s", "label": "%s", "status": "%s", "reason": "%s"}\n' \
		"$1" "$2" "$(json_str "$3")" "$4" "$(json_str "$5")" >>"$CONTROL"
	if [ "$4" = unavailable ]; then
		tap ok "control $1: unavailable: $5"
	else
		tap fail "control $1: INVALID: $5"
	fi
}

now_ns() { date +%s%N; }
secs_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

# ---- 1. sluice-bench ------------------------------------------------------------------
part_sluice_bench() {
	local line rc args=()
	echo "# --- per-packet cost, route lookup, Maglev, LPM, map memory (sluice-bench)"
	if [ ! -x "$BENCH" ]; then
		tap fail "sluice-bench: $BENCH is missing (build first)"
		return
	fi
	[ $SMOKE = 1 ] && args+=(--smoke)
	# renumber its TAP lines into ours; its plan line is dropped
	while IFS= read -r line; do
		case $line in
		"ok "[0-9]*) tap ok "${line#ok [0-9]* - }" ;;
		"not ok "[0-9]*) tap fail "${line#not ok [0-9]* - }" ;;
		1..*) ;;
		*) echo "$line" ;;
		esac
	done < <("$BENCH" "${args[@]}" --json "$OUT/pktcost.json" 2>&1)
	wait $!
	rc=$?
	if [ $rc -ne 0 ]; then
		tap fail "sluice-bench exited with status $rc"
	fi
}

# ---- 2. control plane -----------------------------------------------------------------
# r0 (router, 198.18.0.1/24, 2001:db8::1/64) -- p0 (198.18.0.2/24): routes
# go via 198.18.0.2 / 2001:db8::2, with protocol 200 so they flush apart.
cp_setup() {
	netns_add NS_R r && netns_add NS_P p || return 1
	veth "$NS_R" r0 02:00:00:00:0a:01 "$NS_P" p0 02:00:00:00:0a:02 || return 1
	ip -n "$NS_R" addr add 198.18.0.1/24 dev r0 &&
		ip -n "$NS_R" addr add 2001:db8::1/64 dev r0 nodad &&
		ip -n "$NS_P" addr add 198.18.0.2/24 dev p0 &&
		ip -n "$NS_P" addr add 2001:db8::2/64 dev p0 nodad || return 1
	# N4 /32s from 198.18.64.0 (inside 198.18.0.0/15), N6 /64s
	python3 - "$N4" "$N6" "$T_TMP" <<'PY' || return 1
import sys
n4, n6, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
with open(d + "/v4.batch", "w") as f:
    base = 198 << 24 | 18 << 16 | 64 << 8
    for i in range(n4):
        v = base + i
        f.write("route add %d.%d.%d.%d/32 via 198.18.0.2 dev r0 proto 200\n"
                % (v >> 24, v >> 16 & 255, v >> 8 & 255, v & 255))
with open(d + "/v6.batch", "w") as f:
    for i in range(n6):
        f.write("route add 2001:db8:%x:%x::/64 via 2001:db8::2 dev r0 proto 200\n"
                % (0x1000 + (i >> 16), i & 0xffff))
PY
	# NFLUSH /32s for the flush figure, proto 201: inside 198.18.0.0/15
	# when they fit (--smoke), else from 100.64.0.0/10 (RFC 6598 shared
	# space: a million do not fit in a /15; only the namespace's table
	# holds them, no packet is sent)
	python3 - "$NFLUSH" "$T_TMP" <<'PY' || return 1
import sys
n, d = int(sys.argv[1]), sys.argv[2]
base = (198 << 24 | 19 << 16) if n <= 65536 else (100 << 24 | 64 << 16)
with open(d + "/flush.batch", "w") as f:
    for i in range(n):
        v = base + i
        f.write("route add %d.%d.%d.%d/32 via 198.18.0.2 dev r0 proto 201\n"
                % (v >> 24, v >> 16 & 255, v >> 8 & 255, v & 255))
PY
}

# status_num FIELD: a number from /v1/status, empty if the API is down.
status_num() {
	api r /v1/status 2>/dev/null | grep -o "\"$1\": *[0-9]*" | grep -o '[0-9]*$'
}
# wait_count FIELD N: polls /v1/status (every 20 ms) until FIELD >= N,
# WAIT_S at most.
wait_count() {
	local deadline=$((SECONDS + WAIT_S)) v
	while :; do
		v=$(status_num "$1")
		[ -n "$v" ] && [ "$v" -ge "$2" ] && return 0
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.02
	done
}
# wait_count_le FIELD N: as wait_count, until FIELD <= N.
wait_count_le() {
	local deadline=$((SECONDS + WAIT_S)) v
	while :; do
		v=$(status_num "$1")
		[ -n "$v" ] && [ "$v" -le "$2" ] && return 0
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.02
	done
}
# d_start [ARGS...]: sluiced "r" on r0 (as lib.sh's sluiced_start, but
# waits up to WAIT_S for the API: with a million routes the start-up dump
# takes a while).  Sets PID_r, SOCK_r, PIN_r.
d_start() {
	SOCK_r=$T_TMP/r.sock
	PIN_r=/sys/fs/bpf/$T_ID-r
	T_PINS+=("$PIN_r")
	local st=()
	# its own state dir: the API-write figure adds VIPs, and a VIP the
	# host's /var/lib/sluice kept from an earlier run would refuse them
	sluiced_has_state_dir && st=(--state-dir "$T_TMP/state-r")
	nsenter --net="/var/run/netns/$NS_R" "$SLUICED" --pin-dir "$PIN_r" \
		--api "unix:$SOCK_r" --interface r0 "${st[@]}" "$@" >>"$T_TMP/r.log" 2>&1 &
	PID_r=$!
	T_PIDS+=("$PID_r")
	if ! wait_until "$WAIT_S" curl -sf --unix-socket "$SOCK_r" http://sluiced/v1/status; then
		echo "# sluiced did not come up:"
		sed 's/^/#   /' "$T_TMP/r.log" | tail -20
		return 1
	fi
}
d_stop() {
	sluiced_stop r
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$PID_r/status"; }
# sluiced's own memory: VmRSS also counts the maps it mmaps (RssFile)
anon_kb() { awk '/^RssAnon:/ { print $2 }' "/proc/$PID_r/status"; }
# map memory of the running daemon: memlock of every map pinned in its dir
map_mem() {
	local m
	for m in "$PIN_r"/*; do
		[ -e "$m" ] || continue
		bpftool -j map show pinned "$m" 2>/dev/null
		echo
	done | python3 -c '
import json, sys
tot, per = 0, {}
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    m = json.loads(line)
    if "name" not in m:		# a pinned link, not a map
        continue
    per[m["name"]] = m.get("bytes_memlock", 0)
    tot += m.get("bytes_memlock", 0)
print(tot, json.dumps(per))'
}

median_of() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

cp_latency() {			# cp_latency NAME LABEL
	local out
	if out=$(in_ns "$NS_R" "$BENCH" route-latency --map "$PIN_r/routes_v4" \
		--nhgs "$PIN_r/nhgs" --dev r0 --prefix 198.18.99.0/24 \
		--via 198.18.0.2 --via 198.18.0.3 --count "$LAT_N" 2>&1) &&
		[[ $out == *samples_us* ]]; then
		# shellcheck disable=SC2046
		fig "$1" us "$2" "RTM_NEWROUTE NLM_F_REPLACE (what ip route replace sends), alternating two gateways; from before sendmsg() to the first lookup of the pinned LPM map + nhgs showing the new gateway; $LAT_N changes, each a repetition" \
			$(echo "$out" | python3 -c 'import json,sys; print(" ".join(str(x) for x in json.load(sys.stdin)["samples_us"]))' |
				sed 's/^/-- /')
	else
		fig_bad "$1" us "$2" invalid "route-latency: $out"
	fi
}

cp_api() {			# cp_api NAME LABEL ARGS...
	local name=$1 label=$2 vals=() out
	shift 2
	for _ in $(seq 1 "$REPS"); do
		out=$("$BENCH" api-rate --unix "$SOCK_r" --seconds "$API_S" "$@" 2>&1)
		if [[ $out != *'"rate"'* ]]; then
			fig_bad "$name" req/s "$label" invalid "api-rate: $out"
			return
		fi
		vals+=("$(echo "$out" | grep -o '"rate": *[0-9.]*' | grep -o '[0-9.]*$')")
	done
	fig "$name" req/s "$label" "one connection at a time over the UNIX socket (sluiced closes each after its answer), sequential, ${API_S} s per repetition, every status checked" -- "${vals[@]}"
}

# cp_api_put VIP_ID: PUT /v1/vips/ID/backends alternating two sets of
# $PUT_N backends that share none: backend changes (adds + removes) per
# second through the batch endpoint.
cp_api_put() {
	local vals=() out
	for _ in $(seq 1 "$REPS"); do
		out=$("$BENCH" api-rate --unix "$SOCK_r" --seconds "$API_S" --put "$1" --batch "$PUT_N" 2>&1)
		if [[ $out != *'"changes_rate"'* ]]; then
			fig_bad api_write_backends_batch changes/s "API batch writes" invalid "api-rate: $out"
			return
		fi
		vals+=("$(echo "$out" | grep -o '"changes_rate": *[0-9.]*' | grep -o '[0-9.]*$')")
	done
	fig api_write_backends_batch changes/s "API batch writes: PUT of the whole backend set, $PUT_N out and $PUT_N in per request" \
		"one connection at a time over the UNIX socket (sluiced closes each after its answer), sequential, ${API_S} s per repetition, every status checked; backends added + removed per second" -- "${vals[@]}"
}

cp_api_write() {
	local body vip_id reason
	reason="the LB API has not landed: 'git log -- daemon/lb.c' is empty"
	if [ -n "$(git -C "$ROOT" log --oneline -1 -- daemon/lb.c 2>/dev/null)" ] ||
		api r /v1/lb >/dev/null 2>&1; then
		# the LB needs an outer source before a VIP with IPv4 backends
		echo '{"interfaces": ["r0"], "lb": {"source_v4": "198.18.200.0/24"}}' >"$T_TMP/lb.json"
		d_stop
		if ! d_start --config "$T_TMP/lb.json"; then
			fig_bad api_write_backends req/s "API writes" invalid "sluiced did not start with an lb config"
			d_start
			return
		fi
		body='{"address": "198.18.100.1", "port": 80, "protocol": "tcp", "health": {"kind": "none"}}'
		if vip_id=$(curl -sf --unix-socket "$SOCK_r" -X POST -H 'Content-Type: application/json' \
			-d "$body" http://sluiced/v1/vips | grep -o '"vip_id": *[0-9]*' | grep -o '[0-9]*$') &&
			[ -n "$vip_id" ]; then
			cp_api api_write_backends "API writes: POST + DELETE of a backend" --write "$vip_id"
			cp_api_put "$vip_id"
			# the PUTs leave the VIP $PUT_N backends: each write now
			# rebuilds a table of $PUT_N + 1 (the Maglev build is
			# most of the request; docs/lb-api.md)
			cp_api api_write_backends_loaded "API writes to a VIP of $PUT_N backends: POST + DELETE of one more" --write "$vip_id"
		else
			fig_bad api_write_backends req/s "API writes" invalid "POST /v1/vips failed"
		fi
		d_stop
		d_start
	else
		fig_bad api_write_backends req/s "API writes (POST/DELETE of LB backends)" unavailable "$reason"
	fi
}

# cp_mirror FAMILY N LABELTAG: add N routes with ip -batch while sluiced
# runs (fresh daemon and table each repetition); then, with the routes in
# place, time sluiced's start-up until it has mirrored them.
cp_mirror() {
	local fam=$1 n=$2 tag=$3 field batch six="" base t0 tb live=() ipt=() dump=()
	field=routes_v$fam
	batch=$T_TMP/v$fam.batch
	[ "$fam" = 6 ] && six=-6
	for _ in $(seq 1 "$REPS"); do
		d_stop
		ip -n "$NS_R" $six route flush proto 200
		d_start || { fig_bad "mirror_live_$tag" s "mirror" invalid "sluiced did not start"; return; }
		base=$(status_num "$field")
		t0=$(now_ns)
		if ! ip -n "$NS_R" -batch "$batch" >"$T_TMP/batch.err" 2>&1; then
			fig_bad "mirror_live_$tag" s "mirror" invalid "ip -batch failed: $(head -c 200 "$T_TMP/batch.err")"
			return
		fi
		tb=$(secs_since "$t0")
		if ! wait_count "$field" $((base + n)); then
			fig_bad "mirror_live_$tag" s "mirror" invalid "not mirrored within $WAIT_S s: $(status_num "$field") of $((base + n))"
			return
		fi
		live+=("$(secs_since "$t0")")
		ipt+=("$tb")
	done
	fig "mirror_live_$tag" s "sluiced mirrors $n IPv$fam routes as ip -batch adds them" \
		"fresh sluiced; from the start of ip -batch until /v1/status $field shows them all (polled every 20 ms)" -- "${live[@]}"
	fig "ip_batch_$tag" s "ip -batch adding $n IPv$fam routes (the kernel's own time)" \
		"wall time of ip -batch; the mirror figure includes it" -- "${ipt[@]}"
	for _ in $(seq 1 "$REPS"); do
		d_stop
		t0=$(now_ns)
		d_start || { fig_bad "mirror_start_$tag" s "start" invalid "sluiced did not start"; return; }
		if ! wait_count "$field" "$n"; then
			fig_bad "mirror_start_$tag" s "start" invalid "not mirrored within $WAIT_S s"
			return
		fi
		dump+=("$(secs_since "$t0")")
	done
	fig "mirror_start_$tag" s "sluiced start-up with $n IPv$fam routes in the kernel until all are in the map" \
		"from launching sluiced (dump, program, API up) until /v1/status $field shows them all" -- "${dump[@]}"
}

# map_matches_kernel: the pinned routes_v4 map holds exactly the IPv4
# prefixes of the namespace's main and local tables (what sluiced mirrors).
map_matches_kernel() {
	timeout 60 bpftool -j map dump pinned "$PIN_r/routes_v4" >"$T_TMP/map.json" &&
		{ ip -n "$NS_R" -j -4 route show table main; echo; ip -n "$NS_R" -j -4 route show table local; } >"$T_TMP/kern.json" &&
		python3 - "$T_TMP/map.json" "$T_TMP/kern.json" <<'PY'
import ipaddress, json, sys
m = {(e["formatted"]["key"]["prefixlen"],
      ".".join(map(str, e["formatted"]["key"]["addr"])))
     for e in json.load(open(sys.argv[1]))}
k = set()
for part in open(sys.argv[2]).read().split("\n"):
    if part.strip():
        for r in json.loads(part):
            d = "0.0.0.0/0" if r["dst"] == "default" else r["dst"]
            n = ipaddress.ip_network(d if "/" in d else d + "/32", strict=False)
            k.add((n.prefixlen, str(n.network_address)))
if m != k:
    print("map has %d entries, the kernel %d prefixes; only in the map: %s; "
          "only in the kernel: %s" % (len(m), len(k), sorted(m - k)[:3],
                                      sorted(k - m)[:3]))
    sys.exit(1)
PY
}

# cp_flush: NFLUSH IPv4 routes added with ip -batch while sluiced runs,
# then `ip route flush proto 201`; each time until /v1/status routes_v4
# is back where it was, and then the pinned map must equal the kernel.
# A flush this big overruns netlink: sluiced re-dumps (netlink_resyncs).
cp_flush() {
	local base t0 tb tf out add=() conv=() ipf=() ovr=() rs=() o0 r0
	for _ in $(seq 1 "$REPS"); do
		base=$(status_num routes_v4)
		t0=$(now_ns)
		if ! ip -n "$NS_R" -batch "$T_TMP/flush.batch" >"$T_TMP/batch.err" 2>&1; then
			fig_bad route_flush_converge routes/s "flush" invalid "ip -batch failed: $(head -c 200 "$T_TMP/batch.err")"
			return
		fi
		if ! wait_count routes_v4 $((base + NFLUSH)); then
			fig_bad route_flush_converge routes/s "flush" invalid "adds not mirrored within $WAIT_S s: $(status_num routes_v4) of $((base + NFLUSH))"
			return
		fi
		add+=("$(awk -v n="$NFLUSH" -v t="$(secs_since "$t0")" 'BEGIN { printf "%.0f", n / t }')")
		o0=$(status_num netlink_overruns)
		r0=$(status_num netlink_resyncs)
		t0=$(now_ns)
		ip -n "$NS_R" route flush proto 201
		tf=$(secs_since "$t0")
		if ! wait_count_le routes_v4 "$base"; then
			fig_bad route_flush_converge routes/s "flush" invalid "not converged within $WAIT_S s: $(status_num routes_v4) routes, baseline $base"
			return
		fi
		tb=$(secs_since "$t0")
		if ! out=$(map_matches_kernel 2>&1); then
			fig_bad route_flush_converge routes/s "flush" invalid "after the flush the map differs from the kernel: $out"
			return
		fi
		conv+=("$(awk -v n="$NFLUSH" -v t="$tb" 'BEGIN { printf "%.0f", n / t }')")
		ipf+=("$tf")
		ovr+=($(($(status_num netlink_overruns) - o0)))
		rs+=($(($(status_num netlink_resyncs) - r0)))
	done
	tap ok "control route_flush_converge: the pinned routes_v4 map equals the kernel's main+local tables after each flush"
	fig route_add_mirror routes/s "sluiced mirrors $NFLUSH IPv4 routes as ip -batch adds them" \
		"running sluiced; $NFLUSH /32s via one gateway; from the start of ip -batch until /v1/status routes_v4 shows them all (polled every 20 ms); bound by the kernel's own insert rate" -- "${add[@]}"
	fig route_flush_converge routes/s "sluiced converges after ip route flush of $NFLUSH IPv4 routes" \
		"from the start of ip route flush until /v1/status routes_v4 is back to its baseline; then the pinned routes_v4 map must hold exactly the kernel's main+local IPv4 prefixes" \
		"{\"ip_flush_s\": [$(IFS=,; echo "${ipf[*]}")], \"netlink_overruns\": [$(IFS=,; echo "${ovr[*]}")], \"netlink_resyncs\": [$(IFS=,; echo "${rs[*]}")]}" -- "${conv[@]}"
}

part_control() {
	local kb mem
	echo "# --- control plane (sluiced in a namespace)"
	if ! cp_setup; then
		tap fail "control plane: namespace setup failed"
		return
	fi
	if ! d_start; then
		tap fail "control plane: sluiced did not start"
		return
	fi
	sleep 1
	fig rss_idle MiB "sluiced RSS, idle (a handful of routes)" "VmRSS of /proc/PID/status: with the maps sluiced mmaps (the route tables, the LB flows), also counted in sluiced_map_memory" -- \
		"$(awk -v k="$(rss_kb)" 'BEGIN { printf "%.1f", k / 1024 }')"
	fig rss_anon_idle MiB "sluiced's own memory, idle (a handful of routes)" "RssAnon of /proc/PID/status: VmRSS without the mmapped maps" -- \
		"$(awk -v k="$(anon_kb)" 'BEGIN { printf "%.1f", k / 1024 }')"
	cp_api api_get_status "API reads: GET /v1/status" --get /v1/status
	cp_api api_get_routes "API reads: GET /v1/routes (a handful of routes)" --get /v1/routes
	cp_api_write
	cp_latency route_latency_idle "netlink route change -> map, idle daemon"
	cp_flush

	cp_mirror 4 "$N4" "v4"
	cp_mirror 6 "$N6" "v6"
	# both tables are in now: N4 IPv4 + N6 IPv6 routes
	sleep 1
	kb=$(rss_kb)
	fig rss_routes MiB "sluiced RSS with $N4 IPv4 + $N6 IPv6 routes" "VmRSS of /proc/PID/status after start-up with the routes (with the mmapped maps)" -- \
		"$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }')"
	kb=$(anon_kb)
	fig rss_anon_routes MiB "sluiced's own memory with $N4 IPv4 + $N6 IPv6 routes" "RssAnon of /proc/PID/status after start-up with the routes" -- \
		"$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }')"
	if mem=$(map_mem) && [ -n "$mem" ]; then
		fig sluiced_map_memory MiB "sluiced's maps with $N4 IPv4 + $N6 IPv6 routes" \
			"sum of bytes_memlock (bpftool map show) over the maps pinned by sluiced" "${mem#* }" -- \
			"$(awk -v b="${mem%% *}" 'BEGIN { printf "%.1f", b / 1048576 }')"
	else
		fig_bad sluiced_map_memory MiB "map memory" invalid "bpftool map show failed"
	fi
	cp_latency route_latency_loaded "netlink route change -> map, with $N4 + $N6 routes"
	d_stop
	# sanitizer builds: any report in the daemon's logs fails the run
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_TMP"/r.log 2>/dev/null; then
		tap fail "control plane: sanitizer report in sluiced's log"
		grep -E -A15 'Sanitizer|runtime error:' "$T_TMP/r.log" | sed 's/^/# /' | head -40
	fi
}

# ---- 3. throughput ---------------------------------------------------------------------
part_throughput() {
	local args=(--build "$BUILD" --json "$OUT/throughput.json") rc
	echo "# --- throughput over veth (bench/throughput.sh)"
	if [ ! -x "$ROOT/bench/throughput.sh" ]; then
		echo "# bench/throughput.sh is not there: throughput unavailable"
		return
	fi
	[ $SMOKE = 1 ] && args+=(--quick)
	"$ROOT/bench/throughput.sh" "${args[@]}" 2>&1 | sed 's/^/# /'
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 0 ] && [ -s "$OUT/throughput.json" ]; then
		tap ok "throughput: bench/throughput.sh ran, its path checks passed"
	else
		tap fail "throughput: bench/throughput.sh exited with status $rc"
	fi
}

# ---- 1b. what map accesses cost on this machine ----------------------------------------
# Not sluice's paths: the floor under them on this machine (a cold read by
# where the map's memory lives, an LRU insert against an array slot's
# claim), so the load balancer's figures can be read against it
# (docs/performance.md, "Map costs on this machine").
part_mapcost() {
	local tool=$BUILD/bench/sluice-mapcost args=() rc
	echo "# --- map costs on this machine (sluice-mapcost)"
	if [ ! -x "$tool" ]; then
		tap fail "mapcost: $tool is missing (build first)"
		return
	fi
	[ $SMOKE = 1 ] && args+=(--rounds 1 --calls 20)
	"$tool" "${args[@]}" >"$OUT/mapcost.txt" 2>&1
	rc=$?
	sed 's/^/# /' "$OUT/mapcost.txt"
	if [ "$rc" -eq 0 ] && [ "$(grep -c ' of the line above' "$OUT/mapcost.txt")" -eq 4 ]; then
		tap ok "mapcost: every call passed and the LRU kept every insert"
	else
		tap fail "mapcost: sluice-mapcost exited with status $rc"
	fi
}

# ---- 4. libpktio over veth --------------------------------------------------------------
part_pktio() {
	local args=(--build "$BUILD" --json "$OUT/pktio.json" --md "$OUT/pktio.md") rc
	echo "# --- libpktio over veth (bench/pktio.sh)"
	[ $SMOKE = 1 ] && args+=(--quick)
	"$ROOT/bench/pktio.sh" "${args[@]}" 2>&1 | sed 's/^/# /'
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 0 ] && [ -s "$OUT/pktio.json" ]; then
		tap ok "pktio: bench/pktio.sh ran, its path checks passed"
	else
		tap fail "pktio: bench/pktio.sh exited with status $rc"
	fi
}

# ---- 5. the L7 local hop: sockmap against loopback TCP ---------------------------------
part_l7() {
	local args=(--build "$BUILD" --json "$OUT/l7.json" --md "$OUT/l7.md") rc
	echo "# --- the L7 local hop (bench/l7.sh)"
	[ $SMOKE = 1 ] && args+=(--quick)
	"$ROOT/bench/l7.sh" "${args[@]}" 2>&1 | sed 's/^/# /'
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 0 ] && [ -s "$OUT/l7.json" ]; then
		tap ok "l7: bench/l7.sh ran, its path checks passed"
	else
		tap fail "l7: bench/l7.sh exited with status $rc"
	fi
}

part_sluice_bench
part_mapcost
part_control
part_throughput
part_pktio
part_l7

# ---- report -----------------------------------------------------------------------------
echo "# --- report"
if python3 "$ROOT/bench/report.py" --out "$OUT" --smoke "$SMOKE" \
	--elapsed $((SECONDS - T0)) >"$OUT/table.md" 2>"$OUT/report.err"; then
	tap ok "report: results.json and the table written"
else
	tap fail "report: $(tail -3 "$OUT/report.err")"
fi
# plot NAME TITLE YTITLE: OUT/NAME.dat -> OUT/NAME.png
plot() {
	local cols
	[ -s "$OUT/$1.dat" ] || return 0
	cols=$(($(head -1 "$OUT/$1.dat" | grep -o '"' | wc -l) / 2))
	if gnuplot -e "datafile='$OUT/$1.dat'; outfile='$OUT/$1.png'; title='$2'; ytitle='$3'; ncols=$cols" \
		"$ROOT/bench/plot.gp" 2>"$OUT/plot.err"; then
		tap ok "plot: $OUT/$1.png"
	else
		tap fail "plot $1: $(head -3 "$OUT/plot.err")"
	fi
}
rm -f "$OUT"/*.png
if command -v gnuplot >/dev/null; then
	plot pktcost "sluice per-packet cost by path and distinct flows (BPF_PROG_TEST_RUN)" "ns/packet"
	plot throughput "Mpps through R over veth, A -> R -> B" "Mpps delivered"
else
	echo "# plots: unavailable: gnuplot is not installed (scripts/deps.sh installs gnuplot-nox)"
fi
cat "$OUT/table.md" >&3
echo "1..$T_N"
# an unavailable figure passes (the machine could not measure it), but the
# last line says how many there are: a whole section can be missing
UNAVAILABLE=$(grep -c "unavailable" "$OUT/table.md" 2>/dev/null)
echo "# bench done in $((SECONDS - T0)) s; $FAILED failed; ${UNAVAILABLE:-0} figures unavailable (see the table); $OUT/results.json"
[ "$FAILED" -eq 0 ]
