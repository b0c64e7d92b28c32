#!/usr/bin/env bash
# The L7 local hop against plain loopback TCP, in the same run
# (docs/l7.md): one TCP connection on one host, the "proxy" (client) to
# the "application" (server), for 64-byte, 4 KiB and 1 MiB messages:
#   tput  the client writes for S seconds; Gbit/s of what the server read,
#         and CPU seconds per GB (both processes, user + system)
#   lat   request/response of one message each way; p50 and p99 in us
# Port 7901 is selected (tests/tools/l7_ctl attaches to a child cgroup
# this script creates), 7902 is not: both servers and the client run in
# that cgroup, in a namespace of their own (198.18.7.1 on its lo), client
# on CPU 0 and server on CPU 1.  Path checks: on 7901 the counters must
# show every byte of the run redirected, on 7902 none.
#
#   bench/l7.sh [--quick] [--json FILE] [--md FILE] [--build DIR]
#
# Defaults: 2 s a case (12 cases, about 30 s); --quick: 0.3 s.  Exit
# status 1 when a path check fails or a tool errs.
# shellcheck source=../tests/netns/lib.sh
. "$(dirname "$0")/../tests/netns/lib.sh"
# shellcheck source=../tests/netns/l7_lib.sh
. "$(dirname "$0")/../tests/netns/l7_lib.sh"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
SECS=2
JSON_OUT=
MD_OUT=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) SECS=0.3 ;;
	--json) JSON_OUT=$2; shift ;;
	--md) MD_OUT=$2; shift ;;
	--build) BUILD=$2; shift ;;
	*) echo "l7.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
	shift
done
LB=$BUILD/bench/l7bench
CTL=$BUILD/tests/tools/l7_ctl
[ -x "$LB" ] && [ -x "$CTL" ] || die "no $LB or $CTL (make all)"
A4=198.18.7.1
l7_setup bench-l7 $A4
incg() { # CPU CMD...: in the cgroup and the namespace, on CPU
	local cpu=$1
	shift
	echo "$BASHPID" >"$CG/cgroup.procs" && exec nsenter --net="/var/run/netns/$NS" taskset -c "$cpu" "$@"
}
l7_ctl_start "$CTL" 7901
for port in 7901 7902; do
	incg 1 "$LB" server "$port" >"$T_TMP/srv$port.log" 2>&1 &
	T_PIDS+=("$!")
	printf -v "SPID_$port" '%s' "$!"
	wait_until 5 grep -q listening "$T_TMP/srv$port.log" || die "server $port"
done

CASES=()
for size in 64 4096 1048576; do
	for port in 7901 7902; do
		path=sockmap
		[ $port = 7902 ] && path=loopback
		spid_var="SPID_$port"
		b=$(counters)
		t=$(incg 0 "$LB" client "$A4" "$port" --mode tput --size "$size" --seconds "$SECS" --server-pid "${!spid_var}")
		l=$(incg 0 "$LB" client "$A4" "$port" --mode lat --size "$size" --seconds "$SECS")
		a=$(counters)
		if [ -z "$a" ] || [ -z "$b" ]; then
			tap_fail "l7 $path ${size} B: no counters from l7_ctl"
			continue
		fi
		red=$(($(field redirect_bytes "$a") - $(field redirect_bytes "$b")))
		bytes=$(sed -n 's/.*"bytes": \([0-9]*\).*/\1/p' <<<"$t")
		if [ -z "$bytes" ] || [[ "$l" != *p50_us* ]]; then
			tap_fail "l7 $path ${size} B: a tool failed" "$t $l"
			continue
		fi
		if [ $path = sockmap ] && [ "$red" -lt "$bytes" ]; then
			tap_fail "l7 $path ${size} B: path check" "redirected $red < $bytes written"
			continue
		fi
		if [ $path = loopback ] && [ "$red" -ne 0 ]; then
			tap_fail "l7 $path ${size} B: path check" "redirected $red, want 0"
			continue
		fi
		tap_ok "l7 $path ${size} B: $t $l (redirected $red)"
		CASES+=("{\"size\": $size, \"path\": \"$path\", \"tput\": $t, \"lat\": $l}")
	done
done

if [ -n "$JSON_OUT" ]; then
	(IFS=,; echo "{\"seconds\": $SECS, \"cases\": [${CASES[*]}]}") >"$JSON_OUT"
fi
if [ -n "$MD_OUT" ] && [ -n "$JSON_OUT" ]; then
	python3 - "$JSON_OUT" >"$MD_OUT" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
by = {(c["size"], c["path"]): c for c in d["cases"]}
print("| message | sockmap Gbit/s | loopback Gbit/s | ratio | sockmap p50/p99 us | loopback p50/p99 us | sockmap CPU s/GB | loopback CPU s/GB |")
print("|---|---|---|---|---|---|---|---|")
for size in (64, 4096, 1048576):
    s, l = by.get((size, "sockmap")), by.get((size, "loopback"))
    if not s or not l:
        print("| %d B | (missing) |" % size)
        continue
    print("| %s | %.2f | %.2f | %.2f | %.1f / %.1f | %.1f / %.1f | %.2f | %.2f |" % (
        "64 B" if size == 64 else "4 KiB" if size == 4096 else "1 MiB",
        s["tput"]["gbit_s"], l["tput"]["gbit_s"],
        s["tput"]["gbit_s"] / l["tput"]["gbit_s"] if l["tput"]["gbit_s"] else 0,
        s["lat"]["p50_us"], s["lat"]["p99_us"], l["lat"]["p50_us"], l["lat"]["p99_us"],
        s["tput"]["cpu_s_per_gb"], l["tput"]["cpu_s_per_gb"]))
PY
fi
tap_done
