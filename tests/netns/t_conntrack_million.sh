#!/usr/bin/env bash
# A million conntrack entries, made by the table's administration program
# (POST /v1/conntrack/fill, conntrack.debug_fill: tests only): all of them
# made and counted, held until their timeout, the heaviest /24s in
# /metrics (the table is over 80 % full), the API answering while the
# top-sources walk runs, and every entry aged out by the in-kernel sweep within
# the timeout and a bounded margin.  Prints the time the fill and the aging
# took and the memory before and after.
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
cat >"$T_TMP/r.json" <<EOF
{"interfaces": ["r0", "r1"],
 "conntrack": {"enabled": true, "debug_fill": true,
               "timeouts": {"unreplied": 30}}}
EOF
sluiced_start "$NS_R" r -c "$T_TMP/r.json" || die "sluiced"

ct_field() {
	local doc
	doc=$(sctl r ct count -j) || return 1
	"$T_PY" -c 'import json, sys; print(eval(sys.argv[2], {"d": json.loads(sys.argv[1])}))' "$doc" "$1"
}
ct_total() { ct_field 'd["total"]'; }
ct_mem() {
	in_ns "$NS_R" bpftool map show pinned "$PIN_r/ct" 2>/dev/null |
		sed -n 's/.*memlock \([0-9]*\)B.*/\1/p'
}
mem_avail() { sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo; }

check "fill refused without a count" eval \
	'[ "$(curl -s -o "$T_TMP/api.out" -w "%{http_code}" -X POST -d "{\"count\": 0}" --unix-socket "$SOCK_r" http://sluiced/v1/conntrack/fill)" = 400 ]'
expired0=$(ct_field 'd["events"]["expired"]')
m0=$(mem_avail)
k0=$(ct_mem)
t0=$(ms_now)
fill=$(curl -s -X POST -d '{"count": 1000000}' --unix-socket "$SOCK_r" http://sluiced/v1/conntrack/fill)
t1=$(ms_now)
made=$("$T_PY" -c 'import json, sys; print(json.loads(sys.argv[1])["filled"])' "$fill")
echo "# fill: $fill in $((t1 - t0)) ms"
echo "# ct map memlock ${k0:-?} B -> $(ct_mem) B; MemAvailable ${m0} kB -> $(mem_avail) kB"
total=$(ct_total)
if [ "$made" = 1000000 ] && [ "$total" = 1000000 ]; then
	tap_ok "1,000,000 entries made and counted"
else
	tap_fail "1,000,000 entries made and counted" \
		"made=$made total=$total"
fi
metrics=$(api r /metrics)
if grep -q "^sluice_ct_entries{proto=\"udp\",state=\"unreplied\"} $total\$" <<<"$metrics" &&
	grep -q '^sluice_ct_capacity 1048576$' <<<"$metrics"; then
	tap_ok "sluice_ct_entries and sluice_ct_capacity"
else
	tap_fail "sluice_ct_entries and sluice_ct_capacity" "$(grep -E '^sluice_ct_(entries\{proto="udp"|capacity)' <<<"$metrics")"
fi
sleep 2 # held: nothing ages out before its timeout
total2=$(ct_total)
[ "$total2" = "$total" ] && tap_ok "held 2 s later ($total2, timeout 30 s)" ||
	tap_fail "held 2 s later" "total=$total then $total2"

# over 80 % full: the heaviest /24s show in /metrics
top_sources() {
	local m
	m=$(api r /metrics) || return 1
	grep -q '^sluice_ct_top_sources{prefix="198\.1[89]\.[0-9]*\.0/24"} [0-9]' <<<"$m"
}
if wait_until 12 top_sources; then
	tap_ok "sluice_ct_top_sources shows the heaviest /24s"
else
	tap_fail "sluice_ct_top_sources shows the heaviest /24s" \
		"$(api r /metrics | grep -E '^sluice_ct_(top|capacity)' | head -5)"
fi
# the API answers while the walk runs: it goes in slices.  The median of
# 20 requests, not the slowest: a walk that blocked the loop would make
# most of them slow, while one request delayed by another process on a
# busy 2-CPU machine says nothing about sluiced.
times=()
for _ in $(seq 1 20); do
	a=$(ms_now)
	api r /v1/status >/dev/null
	b=$(ms_now)
	times+=($((b - a)))
	sleep 0.5
done
read -r med slow < <(printf '%s\n' "${times[@]}" | sort -n |
	awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[NR] }')
echo "# /v1/status with $total entries, 20 requests in 10 s: median $med ms, slowest $slow ms"
[ "$med" -lt 1000 ] && tap_ok "the API answers within 1 s during the walks (median $med ms, slowest $slow ms)" ||
	tap_fail "the API answers within 1 s during the walks" "median $med ms, slowest $slow ms"

# aged out in the kernel: within the timeout and a bounded margin
gone() { [ "$(ct_total)" = 0 ]; }
if wait_until 90 gone; then
	t2=$(ms_now)
	tap_ok "every entry aged out, $(((t2 - t0) / 1000)) s after the fill (timeout 30 s)"
	echo "# after: ct map memlock $(ct_mem) B; MemAvailable $(mem_avail) kB"
else
	tap_fail "every entry aged out within 90 s more" "total=$(ct_total)"
fi
expired=$(ct_field 'd["events"]["expired"]')
[ $((expired - expired0)) -ge "$total" ] && tap_ok "expired events counted ($((expired - expired0)))" ||
	tap_fail "expired events counted" "expired $expired0 -> $expired, made $total"

tap_done
