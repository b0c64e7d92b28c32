#!/usr/bin/env bash
# The flow table as an operator reads and edits it: GET and DELETE
# /v1/lb/flows and `sluicectl lb flows`, against the table's own contents
# (tests/tools/lb_flows reads the pinned map's memory): the list is the
# table, the filters pick what they say, pages give every flow once, bad
# input is refused with the value named and flushes nothing, and a flush
# of one backend's flows forgets those and no other while traffic goes on.
. "$(dirname "$0")/lib.sh"

VIP=198.18.100.1
B1=198.18.11.2
B2=198.18.12.2

# the table's flows to VIP as "src sport backend_id", sorted (the tool)
table_list() {
	"$FLOWS" "$PIN_lb/lb_flows" dump | awk -v v="$VIP" '$3 == v {print $1, $2, $7}' | sort
}
# the API's flows (QUERY appended to /v1/lb/flows), the same shape, every
# page followed; the number of pages on stderr
api_list() {
	"$T_PY" - "$SOCK_lb" "$1" <<'PYEOF'
import json, subprocess, sys
sock, query = sys.argv[1], sys.argv[2]
rows, cursor, pages = [], None, 0
while pages < 1000:
    url = "http://sluiced/v1/lb/flows?" + query + ("&cursor=" + cursor if cursor else "")
    out = subprocess.run(["curl", "-sf", "--unix-socket", sock, url],
                         capture_output=True, text=True, check=True).stdout
    d = json.loads(out)
    pages += 1
    rows += ["%s %d %d" % (f["src"], f["sport"], f["backend_id"]) for f in d["flows"]]
    cursor = d["next"]
    if cursor is None:
        break
if rows:
    print("\n".join(sorted(rows)))
print(pages, file=sys.stderr)
PYEOF
}
# status METHOD QUERY: the HTTP status of that request
status() {
	curl -s -o "$T_TMP/body" -w '%{http_code}' -X "$1" \
		--unix-socket "$SOCK_lb" "http://sluiced/v1/lb/flows?$2"
}

topo_lb 2 $VIP/32 || die "topology"
lb_backends_start 2 || die "backends"
cat >"$T_TMP/lb.json" <<JSON
{"interfaces": ["l0", "l1", "l2"],
 "lb": {"source_v4": "198.18.200.0/24", "max_flows": 5000}}
JSON
sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" || die "sluiced"
kernel_forwarding "$NS_L" off
sctl lb vip add $VIP:8080/tcp >/dev/null || die "vip add"
sctl lb backend add $VIP:8080/tcp $B1 >/dev/null || die "backend add b1"
sctl lb backend add $VIP:8080/tcp $B2 >/dev/null || die "backend add b2"

out=$(http_loop "$NS_C" $VIP 60 30)
check "60 requests through the VIP (${out%%$'\n'*})" test "${out%%$'\n'*}" = "ok 60 fail 0"
table_list >"$T_TMP/table"
n=$(wc -l <"$T_TMP/table")
check "the table holds their flows ($n)" test "$n" -ge 60

# the list is the table: every flow, with its backend
api_list "" >"$T_TMP/api" 2>"$T_TMP/pages"
check "GET /v1/lb/flows lists exactly the table's flows" cmp -s "$T_TMP/table" "$T_TMP/api"
api_list "limit=7" >"$T_TMP/api7" 2>"$T_TMP/pages7"
p=$(cat "$T_TMP/pages7")
check "pages of 7 ($p of them) give every flow once" cmp -s "$T_TMP/table" "$T_TMP/api7"
check "... in at least $(((n + 6) / 7)) pages" test "$p" -ge $(((n + 6) / 7))

# filters
id1=$(api lb /v1/vips/1/backends/$B1 | "$T_PY" -c 'import json,sys; print(json.load(sys.stdin)["backend_id"])')
awk -v b="$id1" '$3 == b' "$T_TMP/table" >"$T_TMP/table_b1"
n1=$(wc -l <"$T_TMP/table_b1")
api_list "backend=$B1" >"$T_TMP/api_b1" 2>/dev/null
check "backend=$B1: its $n1 flows, no other" cmp -s "$T_TMP/table_b1" "$T_TMP/api_b1"
check "... which is some of them, not all (n1 $n1 of $n)" test "$n1" -gt 0 -a "$n1" -lt "$n"
api_list "vip=$VIP:8080/tcp&src=198.18.1.2" >"$T_TMP/api_src" 2>/dev/null
check "vip and src=198.18.1.2 (the client): all of them" cmp -s "$T_TMP/table" "$T_TMP/api_src"
api_list "src=198.18.2.0/24" >"$T_TMP/api_none" 2>/dev/null
check "src=198.18.2.0/24 (no client there): none" test ! -s "$T_TMP/api_none"

# the CLI: a table of flows, the filter, -j
out=$(sctl lb lb flows --backend $B1 --limit 10000)
rows=$(grep -c "$B1" <<<"$out")
check "sluicectl lb flows --backend $B1 prints its $n1 flows ($rows)" test "$rows" = "$n1"
check "... each from the client to the VIP" \
	test "$(grep -c "198.18.1.2:[0-9]* *$VIP:8080" <<<"$out")" = "$n1"
out=$(sctl lb lb flows --limit 5 -j)
check "sluicectl lb flows --limit 5 -j: 5 flows and a next" \
	"$T_PY" -c "import json,sys; d = json.loads(sys.argv[1]); assert len(d['flows']) == 5 and d['next']" "$out"

# bad input: refused, value named, nothing flushed
before=$("$FLOWS" "$PIN_lb/lb_flows" count)
check "DELETE ?backends=$B1 (misspelt): 400" test "$(status DELETE "backends=$B1")" = 400
check "... naming the parameter" grep -q "backends: unknown parameter" "$T_TMP/body"
check "DELETE ?backend=198.18.99.9: 404, no such backend" test "$(status DELETE backend=198.18.99.9)" = 404
check "... named" grep -q "backend: 198.18.99.9 is a backend of no VIP" "$T_TMP/body"
check "GET ?vip=198.18.100.1:81/tcp: 404" test "$(status GET vip=198.18.100.1:81/tcp)" = 404
check "DELETE ?src=198.18.1.2/33: 400" test "$(status DELETE src=198.18.1.2/33)" = 400
check "DELETE ?limit=5: 400 (a flush takes no page)" test "$(status DELETE limit=5)" = 400
out=$(sctl lb lb flows flush --backend 198.18.1.300 2>&1)
check "sluicectl lb flows flush --backend 198.18.1.300 fails, naming it" \
	grep -q "198.18.1.300" <<<"$out"
check "the table still holds its $before flows" test "$("$FLOWS" "$PIN_lb/lb_flows" count)" = "$before"

# a flush of one backend's flows, with traffic going on
out=$(sctl lb lb flows flush --vip $VIP:8080/tcp --backend $B1)
check "sluicectl lb flows flush --backend $B1: $n1 flushed ($out)" grep -q "flushed $n1 " <<<"$out"
table_list >"$T_TMP/table2"
check "no flow of $B1 is left" test -z "$(awk -v b="$id1" '$3 == b' "$T_TMP/table2")"
check "every other flow is" cmp -s <(awk -v b="$id1" '$3 != b' "$T_TMP/table") "$T_TMP/table2"
out=$(http_loop "$NS_C" $VIP 20 20)
check "20 requests after the flush (${out%%$'\n'*})" test "${out%%$'\n'*}" = "ok 20 fail 0"
check "their 20 new flows are listed" test "$(api_list "" 2>/dev/null | wc -l)" -ge $((n - n1 + 20))
out=$(sctl lb lb flows flush -j)
check "a flush without a filter forgets the rest ($out)" \
	"$T_PY" -c "import json,sys; assert json.loads(sys.argv[1])['flushed'] >= $((n - n1 + 20))" "$out"
check "... and the table is empty" test "$("$FLOWS" "$PIN_lb/lb_flows" count)" = 0
tap_done
