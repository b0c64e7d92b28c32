#!/usr/bin/env bash
# The LB flow table (uapi/sluice/lb_flows.h) as an operator meets it: its
# size follows lb.max_flows, it holds the flows of a VIP that hashes the
# source alone (all a client's connections), and a restart with another
# lb.max_flows carries every flow over into the new table, connections
# and all.  The table is read through tests/tools/lb_flows.
. "$(dirname "$0")/lib.sh"

VIP=198.18.100.1
VIP_SRC=198.18.100.2

# map_shape NAME: "TYPE FLAGS MAX_ENTRIES" of that daemon's pinned lb_flows
map_shape() {
	local pin_var="PIN_$1"
	bpftool -j map show pinned "${!pin_var}/lb_flows" | "$T_PY" -c '
import json, sys
m = json.load(sys.stdin)
print(m["type"], m.get("flags", 0), m["max_entries"])'
}
# api_flows NAME: the flow count of GET /v1/lb (refreshed by a timer)
api_flows() {
	api "$1" /v1/lb | "$T_PY" -c 'import json,sys; print(json.load(sys.stdin)["flows"])'
}
# table_flows NAME VIP: flows of the table to VIP, read from its mapping
table_flows() {
	local pin_var="PIN_$1"
	"$FLOWS" "${!pin_var}/lb_flows" dump | awk -v v="$2" '$3 == v' | wc -l
}

topo_lb 2 $VIP/32 $VIP_SRC/32 || die "topology"
lb_backends_start 2 || die "backends"
cat >"$T_TMP/lb.json" <<JSON
{"interfaces": ["l0", "l1", "l2"],
 "lb": {"source_v4": "198.18.200.0/24", "max_flows": 5000}}
JSON
sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" --keep-on-exit || die "sluiced"
kernel_forwarding "$NS_L" off

# 5,000 flows: twice as many slots, a power of two (16,384 of 64 bytes)
shape=$(map_shape lb)
check "lb_flows is an mmapable array of 16384 slots ($shape)" \
	"$T_PY" -c "t, f, n = '$shape'.split(); assert t == 'array' and int(f) & 0x400 and n == '16384'"
check "the log says so" grep -q "lb_flows: 16384 slots for 5000 flows (1 MiB)" "$T_TMP/lb.log"
check "an empty table: 0 flows" test "$("$FLOWS" "$PIN_lb/lb_flows" count)" = 0

sctl lb vip add $VIP:8080/tcp >/dev/null || die "vip add"
sctl lb vip add $VIP_SRC:8080/tcp --hash src >/dev/null || die "vip add (src)"
for i in 1 2; do
	sctl lb backend add $VIP:8080/tcp "198.18.1$i.2" >/dev/null || die "backend add b$i"
	sctl lb backend add $VIP_SRC:8080/tcp "198.18.1$i.2" >/dev/null || die "backend add b$i (src)"
done
out=$(http_loop "$NS_C" $VIP 50 20)
check "50 requests through the VIP (${out%%$'\n'*})" test "${out%%$'\n'*}" = "ok 50 fail 0"
check "the table holds their 50 flows" test "$(table_flows lb $VIP)" -ge 50
check "GET /v1/lb counts them (flows >= 50)" \
	wait_until 10 sh -c "[ \$(curl -sf --unix-socket '$SOCK_lb' http://sluiced/v1/lb | '$T_PY' -c 'import json,sys; print(json.load(sys.stdin)[\"flows\"])') -ge 50 ]"

# a VIP hashed by source: every connection of the client picks one
# backend, yet each is a flow of its own in the table (indexed by the
# 5-tuple, or the client's flows would share 16 slots and evict each other)
out=$(http_loop "$NS_C" $VIP_SRC 200 40)
check "200 requests through the source-hashed VIP (${out%%$'\n'*})" \
	test "${out%%$'\n'*}" = "ok 200 fail 0"
n=$(table_flows lb $VIP_SRC)
check "the table holds all 200 of the client's flows to it ($n)" test "$n" -ge 200
be=$("$FLOWS" "$PIN_lb/lb_flows" dump | awk -v v=$VIP_SRC '$3 == v {print $7}' | sort -u | wc -l)
check "... all on one backend, as source hashing wants ($be)" test "$be" = 1

# a restart with another lb.max_flows: a new table, every flow carried over
before=$("$FLOWS" "$PIN_lb/lb_flows" count)
"$FLOWS" "$PIN_lb/lb_flows" dump | sort >"$T_TMP/flows.before"
sluiced_stop lb
cat >"$T_TMP/lb.json" <<JSON
{"interfaces": ["l0", "l1", "l2"],
 "lb": {"source_v4": "198.18.200.0/24", "max_flows": 20000}}
JSON
sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" --keep-on-exit || die "sluiced restart"
shape=$(map_shape lb)
check "lb.max_flows 20000: a table of 65536 slots ($shape)" \
	"$T_PY" -c "t, f, n = '$shape'.split(); assert n == '65536'"
check "the log says the flows were carried over" \
	grep -q "lb_flows: $before flows carried over" "$T_TMP/lb.log"
"$FLOWS" "$PIN_lb/lb_flows" dump | sort >"$T_TMP/flows.after"
check "every flow ($before) with its VIP and backend in the new table" \
	cmp -s "$T_TMP/flows.before" "$T_TMP/flows.after"
out=$(http_loop "$NS_C" $VIP 20 20)
check "20 more requests (${out%%$'\n'*})" test "${out%%$'\n'*}" = "ok 20 fail 0"

# a full table: every slot holds a flow (made up, seen long ago), so each
# new connection's SYN evicts one, and the operator sees it counted
n=$("$FLOWS" "$PIN_lb/lb_flows" fill)
check "the table filled: every one of its 65536 slots holds a flow ($n entered)" \
	test "$("$FLOWS" "$PIN_lb/lb_flows" count)" = 65536
out=$(http_loop "$NS_C" $VIP 10 20)
check "10 requests through the full table (${out%%$'\n'*})" test "${out%%$'\n'*}" = "ok 10 fail 0"
# evicted_api: flow_events.evicted of GET /v1/lb (read now, not on a timer)
evicted_api() {
	api lb /v1/lb | "$T_PY" -c 'import json,sys; print(json.load(sys.stdin)["flow_events"]["evicted"])'
}
ev=$(evicted_api)
check "GET /v1/lb: flow_events.evicted counts their flows' entries ($ev >= 10)" test "$ev" -ge 10
check "... and insert_fail_busy none" \
	test "$(api lb /v1/lb | "$T_PY" -c 'import json,sys; print(json.load(sys.stdin)["flow_events"]["insert_fail_busy"])')" = 0
check "sluicectl lb says so (flow events: evicted $ev)" \
	sh -c "'$SLUICECTL' --api 'unix:$SOCK_lb' lb | grep -qx 'flow events: evicted $ev'"
check "/metrics: sluice_lb_flow_events_total{event=\"evicted\"} $ev" \
	sh -c "curl -sf --unix-socket '$SOCK_lb' http://sluiced/metrics | grep -qx 'sluice_lb_flow_events_total{event=\"evicted\"} $ev'"
check "the table is still full, now holding the requests' flows" \
	test "$(table_flows lb $VIP)" -ge 10
# the counts are kept across a restart (lb_flow_events is pinned)
sluiced_stop lb
sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" --keep-on-exit || die "sluiced restart (events)"
check "after a restart GET /v1/lb still counts $ev evictions" test "$(evicted_api)" = "$ev"

# the tool's flush forgets every flow, the data path keeps working
n=$("$FLOWS" "$PIN_lb/lb_flows" flush)
check "a flush forgets every flow ($n of $((before + 20)) or more)" test "$n" -ge $((before + 20))
check "... and the table is empty" test "$("$FLOWS" "$PIN_lb/lb_flows" count)" = 0
out=$(http_loop "$NS_C" $VIP 20 20)
check "20 requests after the flush (${out%%$'\n'*})" test "${out%%$'\n'*}" = "ok 20 fail 0"
check "their flows are in the table again" test "$(table_flows lb $VIP)" -ge 20
tap_done
