#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR/tests/fuzz for FUZZ_S seconds
# (10 by default: the unit tier's run), FUZZ_JOBS (2) at a time, from its
# committed corpus
# (tests/fuzz/corpus/TARGET, with TARGET.dict when there is one), and
# prints TAP: "ok N - fuzz_X: E execs in S s" or "not ok" on a crash, a
# leak, a timeout (-timeout=5), an RSS over 1 GiB or a sanitizer report.
# New inputs go to a scratch directory, never into the committed corpus;
# a crash's reproducer is kept in BUILD_DIR/fuzz-artifacts.
#   tests/fuzz/run.sh BUILD_DIR      (build/fuzz; build/san is taken as
#                                     the build/fuzz next to it)
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: tests/fuzz/run.sh BUILD_DIR}
case $build in
*/san) build=${build%/san}/fuzz ;;
esac
secs=${FUZZ_S:-10}
art="$build/fuzz-artifacts"
mkdir -p "$art"
work=$(mktemp -d /tmp/sluice-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT

targets=()
for src in tests/fuzz/fuzz_*.c; do
	targets+=("$(basename "$src" .c)")
done

# run_target NAME: one target, its log in $work/NAME.log, its exit status
# in $work/NAME.rc
run_target() {
	local t=$1 bin="$build/tests/fuzz/$1" corpus="tests/fuzz/corpus/$1"
	local dict=()

	if [ ! -x "$bin" ]; then
		echo "$bin not built (make fuzz-build)" >"$work/$t.log"
		echo 127 >"$work/$t.rc"
		return
	fi
	[ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
	mkdir -p "$work/$t"
	# -fork is not used: one process, so a leak is found at its exit
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		timeout $((secs + 120)) "$bin" -max_total_time="$secs" \
		-timeout=5 -rss_limit_mb=1024 -malloc_limit_mb=1024 \
		-error_exitcode=77 -timeout_exitcode=78 -print_final_stats=1 \
		-artifact_prefix="$art/$t-" "${dict[@]}" \
		"$work/$t" "$corpus" >"$work/$t.log" 2>&1
	echo $? >"$work/$t.rc"
}

# FUZZ_JOBS targets at a time (2: CI's two cores), reported in order
jobs=${FUZZ_JOBS:-2}
for ((i = 0; i < ${#targets[@]}; i += jobs)); do
	for t in "${targets[@]:i:jobs}"; do
		run_target "$t" &
	done
	wait
done

n=0
fail=0
for t in "${targets[@]}"; do
	n=$((n + 1))
	log="$work/$t.log"
	rc=$(cat "$work/$t.rc")
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - $t: ${execs:-?} execs in $secs s"
	else
		fail=$((fail + 1))
		echo "not ok $n - $t: exit $rc after ${execs:-?} execs" \
			"(reproducer in $art)"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" |
			head -8 | sed 's/^/# /'
		tail -30 "$log" | sed 's/^/#   /'
	fi
done
echo "1..$n"
[ "$fail" -eq 0 ]
