#!/usr/bin/env bash
# Runs the test tiers against one build directory and ends with a single
# "N passed, N failed" line for all of them.
#   tests/run.sh BUILD_DIR [unit] [bpf] [netns] [bench] [style]
# Every tier speaks TAP ("ok N - name" / "not ok N - name").  A runner that
# exits non-zero without reporting a failure counts as one failure, and a
# tier that runs no test at all is a failure too: nothing is skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: tests/run.sh BUILD_DIR [tier...]}
shift
tiers=("$@")
[ ${#tiers[@]} -eq 0 ] && tiers=(style unit bpf netns bench)

export SLUICED="$PWD/$build/sluiced" SLUICECTL="$PWD/$build/sluicectl"
export CMOCKA_MESSAGE_OUTPUT=TAP
# LeakSanitizer is on: a leak fails the run like any other error.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The BPF file system: sluiced mounts it when it starts, but a fresh
# machine may have none yet, and the unit tier's graph and vrouter tests
# and the bpf tier pin maps before any sluiced ran.
if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" != bpf_fs ]; then
	mount -t bpf bpf /sys/fs/bpf ||
		echo "# /sys/fs/bpf is not a BPF file system and cannot be mounted"
fi
logdir="$build/test-logs"
mkdir -p "$logdir"
: >"$logdir/times" # this run's runners only

total_pass=0
total_fail=0

# run_one TIER NAME CMD...: runs, echoes its output, counts its TAP lines.
run_one() {
	local tier=$1 name=$2 log rc p f t0
	shift 2
	log="$logdir/$tier-$name.log"
	echo "# --- $tier/$name"
	t0=$SECONDS
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	# how long each runner took: CI has a 30-minute budget
	echo "# $tier/$name took $((SECONDS - t0)) s" | tee -a "$logdir/times"
	p=$(grep -cE '^ok [0-9]+' "$log")
	f=$(grep -cE '^not ok [0-9]+' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $tier/$name exited with status $rc"
		f=1
	fi
	tier_pass=$((tier_pass + p))
	tier_fail=$((tier_fail + f))
}

for tier in "${tiers[@]}"; do
	tier_pass=0
	tier_fail=0
	case $tier in
	unit)
		for t in "$build"/tests/unit/test_*; do
			[ -x "$t" ] || continue
			run_one unit "$(basename "$t")" "$t"
		done
		# deploy/kubernetes against the Kubernetes schema, offline
		run_one unit k8s-manifests bash tests/k8s/run.sh
		# docs/openapi.yaml: valid, and the route table's rows exactly
		run_one unit openapi bash tests/openapi/run.sh
		# every sluicectl command the docs show is one sluicectl accepts
		run_one unit docs-cli python3 tests/docs/cli_examples.py "$build/sluicectl"
		# every API request the docs show is an operation of openapi.yaml
		run_one unit docs-api python3 tests/docs/api_examples.py
		# libFuzzer targets, 10 s each (build/fuzz: make fuzz-build)
		run_one unit fuzz bash tests/fuzz/run.sh "$build"
		# the Rust binding, against the plain build's shared library
		run_one unit rust-binding bash tests/rust.sh "${build%/san}"
		;;
	bpf)
		# pin dirs a failed earlier run left (tests/netns/reap.sh)
		bash tests/netns/reap.sh
		run_one bpf runner "$build/tests/bpf_runner"
		# the same fixtures on the flow table's variant for weakly
		# ordered CPUs (arm64), where make test built it
		weak="${build%/san}/weak/tests/bpf_runner"
		if [ -x "$weak" ]; then
			run_one bpf runner-weak-order "$weak"
		fi
		# differential fuzzing against the reference model, 1,000,000
		# frames of a fixed seed, and its planted-error self-test
		run_one bpf pktdiff "$build/tests/pktdiff" --count 1000000 \
			--seed 1 --self-test
		;;
	netns)
		# what a killed earlier run left (its EXIT trap never ran)
		bash tests/netns/reap.sh
		for t in tests/netns/t_*.sh; do
			run_one netns "$(basename "$t" .sh)" timeout 300 bash "$t"
		done
		;;
	bench)
		# smoke mode: tiny counts, every path check enforced; speed
		# never fails it, broken checks and crashes do
		bash tests/netns/reap.sh
		run_one bench smoke timeout 300 bench/run.sh "$build" --smoke
		# bench/lineprof.sh's tool reads the program holding the samples
		run_one bench lineprof timeout 60 bash tests/bench/t_lineprof.sh "$build"
		;;
	style)
		# every C file formatted as .clang-format says (make format)
		run_one style format bash tests/style.sh
		# cppcheck and clang-tidy over the user-space C (tests/static.sh)
		run_one style static bash tests/static.sh "$build"
		;;
	*)
		echo "unknown tier '$tier' (unit, bpf, netns, bench, style)" >&2
		exit 2
		;;
	esac
	if [ $((tier_pass + tier_fail)) -eq 0 ]; then
		echo "not ok - tier $tier ran no test"
		tier_fail=1
	fi
	echo "# tier $tier: $tier_pass passed, $tier_fail failed"
	total_pass=$((total_pass + tier_pass))
	total_fail=$((total_fail + tier_fail))
done

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
