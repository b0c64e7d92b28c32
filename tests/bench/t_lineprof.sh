#!/usr/bin/env bash
# sluice-lineprof reads the program that holds the samples, not merely the
# newest of that name: a running sluiced (or a second load of the same
# object, which has the same tag) must not turn a profile into "0 samples
# in sluice_xdp".  Two loads of the bench's floor program; samples planted
# in one, then the other; the tool must count the majority both ways.
#   tests/bench/t_lineprof.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
tool="$build/bench/sluice-lineprof"
obj="$build/bpf/xdp_floor.bpf.o"
pins=/sys/fs/bpf/sluice-test-lineprof-$$
tmp=$(mktemp -d)
pass=0
fail=0
cleanup() {
	rm -rf "$pins" "$tmp"
}
trap cleanup EXIT

n=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
	pass=$((pass + 1))
}
bad() {
	n=$((n + 1))
	echo "not ok $n - $1"
	fail=$((fail + 1))
}

floors() { awk '$3 ~ /^bpf_prog_[0-9a-f]+_xdp_pass$/ { print $1 }' /proc/kallsyms | sort; }
floors >"$tmp/before" # another program of that name is not one of ours
mkdir -p "$pins"
bpftool prog loadall "$obj" "$pins/a"
bpftool prog loadall "$obj" "$pins/b"
mapfile -t addrs < <(floors | comm -13 "$tmp/before" -)
if [ "${#addrs[@]}" -ne 2 ]; then
	bad "two loads of xdp_pass in /proc/kallsyms (found ${#addrs[@]} new)"
	exit 1
fi
# addresses just inside each program's first line
plant() { # MANY_AT FEW_AT
	local many few
	many=$(printf '%x' $((0x$1 + 1)))
	few=$(printf '%x' $((0x$2 + 1)))
	printf '%s\n' "$many" "$many" "$many" "$many" "$many" \
		"$many" "$many" "$many" "$many" "$many" "$few" "$few" "$few"
}
for order in "0 1" "1 0"; do
	set -- "${order% *}" "${order#* }"
	plant "${addrs[$1]}" "${addrs[$2]}" >"$tmp/ips"
	out=$("$tool" xdp_pass "$tmp/ips" 5)
	if grep -q '^# 10 samples in xdp_pass, 3 outside it$' <<<"$out"; then
		ok "10 samples planted in load $1, 3 in load $2: load $1 read"
	else
		bad "10 planted in load $1, 3 in load $2; got: $(head -1 <<<"$out")"
	fi
	if grep -q 'xdp_floor.bpf.c:[0-9]' <<<"$out"; then
		ok "the samples map to xdp_floor.bpf.c's lines"
	else
		bad "no line of xdp_floor.bpf.c in: $out"
	fi
done
# by tag: the same choice, since both loads share it
tag=$(bpftool prog show pinned "$pins/a/xdp_pass" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["tag"])')
plant "${addrs[1]}" "${addrs[0]}" >"$tmp/ips"
if "$tool" "$tag" "$tmp/ips" 1 | grep -q "^# 10 samples in $tag, 3 outside it$"; then
	ok "by tag $tag: the load holding most samples"
else
	bad "by tag $tag: $("$tool" "$tag" "$tmp/ips" 1 | head -1)"
fi
echo "# lineprof: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
