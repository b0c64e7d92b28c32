#!/usr/bin/env bash
# Static analysis of the user-space C (not bpf/): cppcheck and clang-tidy,
# both fed the build's own compile flags (scripts/compdb.py).  TAP: one line
# for cppcheck, one per directory for clang-tidy; findings as "# " lines.
#   tests/static.sh [BUILD_DIR]      (default build; it must be built: lib/dp
#                                     includes the skeletons from there)
#   STATIC_ANALYZER=1 tests/static.sh  also runs clang-tidy's clang-analyzer-*
#                                     checks (minutes of CPU: not in make test)
# Configuration: .clang-tidy (+ tests/ and bench/), tests/static/ (cppcheck's
# suppressions and library file).  docs/development.md says how to suppress.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
build=${1:-build}
jobs=${STATIC_JOBS:-2}
out="$build/static"
n=0
fail=0

tap() { # tap OK NAME LOG
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2"
	else
		fail=$((fail + 1))
		echo "not ok $n - $2"
		grep -E '(error|warning|style|portability|performance):' "$3" |
			sed "s|$PWD/||; s/^/# /" | sort -u | head -40
	fi
}

for tool in cppcheck clang-tidy python3; do
	if ! command -v "$tool" >/dev/null; then
		echo "not ok 1 - static: $tool is not installed (make deps)"
		exit 1
	fi
done
if [ ! -f "$build/bpf/sluice_xdp.skel.h" ]; then
	echo "not ok 1 - static: $build is not built (make BUILD=$build all)"
	exit 1
fi
rm -rf "$out"
mkdir -p "$out/tidy" "$out/cppcheck" "$out/logs"
if ! scripts/compdb.py "$build" >"$out/tidy/compile_commands.json" ||
	! scripts/compdb.py --cppcheck "$build" \
		>"$out/cppcheck/compile_commands.json"; then
	echo "not ok 1 - static: scripts/compdb.py failed"
	exit 1
fi

# cppcheck: the whole tree in one run.  It does not read the system headers
# (compdb.py --cppcheck), so it is given the two whose macros shape our code:
# uthash's HASH_ITER loops and libbpf's LIBBPF_OPTS declarations.
t0=$SECONDS
log="$out/logs/cppcheck.log"
if cppcheck -j"$jobs" --project="$out/cppcheck/compile_commands.json" \
	--enable=warning,performance,portability --std=c11 \
	--library=posix --library=tests/static/sluice.cfg \
	--include=/usr/include/uthash.h \
	--include=/usr/include/bpf/libbpf_common.h \
	--suppressions-list=tests/static/cppcheck-suppressions.txt \
	--inline-suppr --error-exitcode=1 --quiet \
	--template='{file}:{line}: {severity}: {message} [{id}]' >"$log" 2>&1; then
	tap ok "cppcheck ($(grep -c '"file"' \
		"$out/cppcheck/compile_commands.json") files)" "$log"
else
	tap fail "cppcheck" "$log"
fi
echo "# cppcheck: $((SECONDS - t0)) s"

# clang-tidy: every file on $jobs CPUs, then one TAP line per directory
t0=$SECONDS
export TIDY_CHECKS='--checks=-clang-analyzer-*'
[ "${STATIC_ANALYZER:-0}" = 1 ] && TIDY_CHECKS='--checks=clang-analyzer-*'
python3 -c 'import json, sys
for e in json.load(open(sys.argv[1])):
    print(e["file"])' "$out/tidy/compile_commands.json" >"$out/files"
# shellcheck disable=SC2016 # expanded by the inner shell
xargs -P"$jobs" -n1 sh -c 'log="$0/logs/tidy-$(echo "$1" | tr / _).log"
	if clang-tidy --quiet -p "$0/tidy" "$TIDY_CHECKS" "$1" >"$log" 2>&1; then
		: >"$log.ok"
	fi' "$out" <"$out/files"
for dir in daemon cli lib vrouter examples bench tests/unit tests/bpf \
	tests/tools tests/fuzz; do
	logs=()
	bad=0
	while read -r f; do
		l="$out/logs/tidy-$(echo "$f" | tr / _).log"
		logs+=("$l")
		[ -f "$l.ok" ] || bad=1
	done < <(grep "^$dir/" "$out/files")
	if [ ${#logs[@]} -eq 0 ]; then
		tap fail "clang-tidy $dir: no file" /dev/null
	elif [ $bad -eq 0 ]; then
		tap ok "clang-tidy $dir (${#logs[@]} files)" /dev/null
	else
		cat "${logs[@]}" >"$out/logs/tidy-$(echo "$dir" | tr / _).all"
		tap fail "clang-tidy $dir" \
			"$out/logs/tidy-$(echo "$dir" | tr / _).all"
	fi
done
# a file in no directory above would go unreported: count them all
if [ "$(grep -cvE '^(daemon|cli|lib|vrouter|examples|bench|tests/unit|tests/bpf|tests/tools|tests/fuzz)/' "$out/files")" -ne 0 ]; then
	tap fail "clang-tidy: files outside the listed directories" /dev/null
	grep -vE '^(daemon|cli|lib|vrouter|examples|bench|tests/(unit|bpf|tools|fuzz))/' \
		"$out/files" | sed 's/^/# /'
fi
echo "# clang-tidy: $((SECONDS - t0)) s"
echo "1..$n"
[ "$fail" -eq 0 ]
