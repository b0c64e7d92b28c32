#!/usr/bin/env bash
# Where sluice_xdp spends its time on one bench path, by source line:
#   bench/lineprof.sh PATH[:FLOWS] [BUILD_DIR]     e.g. lb_syn_v4:65536
# sluice-bench spins the path (as for perf record, docs/performance.md),
# perf samples it, and sluice-lineprof maps the samples that fall in the
# program to its source lines through the program's BTF line info (perf
# cannot annotate BPF without libopcodes).  Prints the kernel's top
# symbols (helpers, test_run's own work), then the program's lines.
# Needs root and perf (Debian: linux-perf); run it on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
spin=${1:?usage: bench/lineprof.sh PATH[:FLOWS] [BUILD_DIR]}
build=${2:-build}
command -v perf >/dev/null || { echo "lineprof: needs perf (linux-perf)" >&2; exit 1; }
for b in "$build/bench/sluice-bench" "$build/bench/sluice-lineprof"; do
	[ -x "$b" ] || { echo "lineprof: $b missing: make all" >&2; exit 1; }
done
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

"$build/bench/sluice-bench" --spin "$spin" --seconds 24 >"$tmp/spin.log" 2>&1 &
pid=$!
sleep 9 # past the route load and the verifier
perf record -p "$pid" -o "$tmp/perf.data" -- sleep 7 >/dev/null 2>&1
# the program is still loaded: the spin runs 24 s
perf script -i "$tmp/perf.data" -F ip,sym 2>/dev/null >"$tmp/all"
awk '$2 ~ /^bpf_prog_[0-9a-f]+_sluice_xdp$/ { print $1 }' "$tmp/all" >"$tmp/ips"
echo "# $spin: $(wc -l <"$tmp/all") samples; the top symbols:"
perf report -i "$tmp/perf.data" --sort sym 2>/dev/null | grep -v '^#' | grep -v '^$' | head -15
"$build/bench/sluice-lineprof" sluice_xdp "$tmp/ips" 30
wait "$pid" || true
pid=
