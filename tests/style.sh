#!/usr/bin/env bash
# The style tier: every C source and header is formatted as .clang-format
# (kernel style) says.  One TAP line per file; `make format` fixes them.
set -uo pipefail
cd "$(dirname "$0")/.."
n=0
fail=0
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files '*.c' '*.h')
else
	mapfile -t files < <(find bpf bench cli daemon include lib tests \
		-name '*.c' -o -name '*.h' | sort)
fi
for f in "${files[@]}"; do
	n=$((n + 1))
	if clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "ok $n - format: $f"
	else
		fail=$((fail + 1))
		echo "not ok $n - format: $f (make format)"
		clang-format "$f" | diff -u "$f" - | head -12 | sed 's/^/# /'
	fi
done
echo "1..$n"
[ "$fail" -eq 0 ]
