#!/usr/bin/env bash
# GET /v1/routes and `sluicectl route` list a big table a page at a time
# (daemon/route_page.h): 2,500 IPv4 /32s and 1,200 IPv6 /128s mirrored
# from the kernel, paged through with the API and the CLI, give each route
# exactly once, in prefix order, equal to the kernel's table; a page goes
# on correctly when the route its cursor names was deleted meanwhile; bad
# arguments are refused with the field and value named.  (The figures for
# a million routes are in docs/api.md: a default page in tens of ms, the
# daemon's memory unchanged.)
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced"
warm "$NS_C" 198.18.2.2 || die "warm-up ping"
# The link-local addresses' local routes (fe80::.../128) come when their
# duplicate address detection ends; wait for it, so the table holds still
dad_done() { [ -z "$(ip -n "$NS_R" -6 addr show tentative)" ]; }
wait_until 10 dad_done || die "DAD did not end"

"$T_PY" - "$T_TMP/add" <<'PYEOF'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(2500):
        f.write("route add 198.19.%d.%d/32 via 198.18.2.2 dev r1\n" % (i // 250, i % 250 + 1))
    for i in range(1200):
        f.write("route add 2001:db8:f::%x/128 via 2001:db8:2::2 dev r1\n" % (i + 1))
PYEOF
ip -n "$NS_R" -batch "$T_TMP/add" >/dev/null || die "ip -batch"
n_v4() { api_json r "/v1/routes?prefix=198.19.0.0/16&limit=1" "str(d['total'])"; }
n_v6() { api_json r "/v1/routes?prefix=2001:db8:f::/48&limit=1" "str(d['total'])"; }
wait_until 30 test "$(n_v4)" = 2500 || die "2,500 v4 routes not mirrored ($(n_v4))"
wait_until 30 test "$(n_v6)" = 1200 || die "1,200 v6 routes not mirrored ($(n_v6))"

# ---- the default page ------------------------------------------------------------
api r /v1/routes >"$T_TMP/p1.json"
total=$(api_json r "/v1/routes?limit=1" "str(d['total'])")
check "GET /v1/routes: a page of 1,000 of the $total routes, and a next" \
	"$T_PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["routes"]) == 1000, len(d["routes"])
assert d["total"] == int(sys.argv[2]) and d["total"] > 3700, d["total"]
assert d["next"] == d["routes"][-1]["prefix"], d["next"]' "$T_TMP/p1.json" "$total"

# pages LABEL QUERY LIMIT: the prefixes of every page of /v1/routes?QUERY,
# in order, in $T_TMP/LABEL (api_pages)
pages() { api_pages r /v1/routes "$2" "$3" "$T_TMP/$1" routes 'e["prefix"]'; }
# kernel LABEL ARGS...: the kernel's prefixes (ip -j route show ARGS) in
# the API's order (by address, then length)
kernel() {
	local label=$1
	shift
	ip -n "$NS_R" -j "$@" | "$T_PY" -c '
import ipaddress, json, sys
ps = [ipaddress.ip_network(r["dst"] if "/" in r["dst"] else r["dst"] + ("/32" if ":" not in r["dst"] else "/128")) for r in json.load(sys.stdin)]
print("\n".join(str(p) for p in sorted(ps, key=lambda p: (p.network_address.packed, p.prefixlen))))' >"$T_TMP/$label"
}

kernel k4 route show root 198.19.0.0/16
kernel k6 -6 route show root 2001:db8:f::/48
pages a4 "prefix=198.19.0.0/16" 1000
pages a6 "prefix=2001:db8:f::/48" 500
check "IPv4: 3 pages of 1,000 give the kernel's 2,500 routes, each once, in order" \
	bash -c "[ \$(cat '$T_TMP/a4.pages') = 3 ] && [ \$(sort -u '$T_TMP/a4' | wc -l) = 2500 ] && diff -q '$T_TMP/a4' '$T_TMP/k4'"
check "IPv6: 3 pages of 500 give the kernel's 1,200 routes, each once, in order" \
	bash -c "[ \$(cat '$T_TMP/a6.pages') = 3 ] && [ \$(sort -u '$T_TMP/a6' | wc -l) = 1200 ] && diff -q '$T_TMP/a6' '$T_TMP/k6'"

# ---- the whole table, both families, by the CLI ------------------------------------
cli_pages r "$T_TMP/cli" route --limit 1000
pages all "family=4" 10000
pages all6 "family=6" 10000
cat "$T_TMP/all6" >>"$T_TMP/all"
total=$(api_json r "/v1/routes?limit=1" "str(d['total'])")
check "sluicectl route --limit 1000: $(cat "$T_TMP/cli.pages" 2>/dev/null) pages, every route once, as the API lists them (v4, then v6)" \
	bash -c "[ \$(sort -u '$T_TMP/cli' | wc -l) = '$total' ] && diff -q '$T_TMP/cli' '$T_TMP/all'"
# --all: every page, fetched 700 routes a request (6 requests), printed as
# one listing; and with -j one JSON document
"$SLUICECTL" --api "unix:$SOCK_r" route --all --limit 700 >"$T_TMP/cli_all" 2>"$T_TMP/cli_all.err"
grep -v $'^\t' "$T_TMP/cli_all" | cut -d' ' -f1 >"$T_TMP/cli_all.prefixes"
check "sluicectl route --all --limit 700: every route once, the API's order, no 'more:' line" \
	bash -c "! grep -q '^more:' '$T_TMP/cli_all' && diff -q '$T_TMP/cli_all.prefixes' '$T_TMP/all'"
"$SLUICECTL" --api "unix:$SOCK_r" -j route --all --limit 700 >"$T_TMP/cli_all.json"
check "sluicectl -j route --all --limit 700: one JSON document, every route, its total, next null" \
	"$T_PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
want = open(sys.argv[2]).read().split()
assert [r["prefix"] for r in d["routes"]] == want, len(d["routes"])
assert d["total"] == len(want) and d["next"] is None, (d["total"], d["next"])
assert all(r["nexthops"] is not None for r in d["routes"])' "$T_TMP/cli_all.json" "$T_TMP/all"
check "the last page says no more" \
	bash -c "! '$SLUICECTL' --api 'unix:$SOCK_r' route -6 --limit 1000 --cursor 2001:db8:f::3e8/128 | grep -q '^more:'"

# ---- a cursor whose route is gone ----------------------------------------------------
first=$(api_json r "/v1/routes?prefix=198.19.0.0/16&limit=10" "d['next']")
after=$(api_json r "/v1/routes?prefix=198.19.0.0/16&limit=1&cursor=$first" "d['routes'][0]['prefix']")
ip -n "$NS_R" route del "$first" || die "route del"
wait_until 10 test "$(n_v4)" = 2499 || die "the deletion was not mirrored"
check "the cursor's own route deleted: the next page starts at the route after it ($after)" \
	test "$(api_json r "/v1/routes?prefix=198.19.0.0/16&limit=1&cursor=$first" "d['routes'][0]['prefix']")" = "$after"

# ---- bad arguments: refused, named ---------------------------------------------------
bad() { api_refused r "/v1/routes?$1" "$2"; } # QUERY NEEDLE
bad "limit=0" "limit: '0' is not a number 1..10000"
bad "limit=10001" "limit: '10001'"
bad "cursor=198.19.0.1" "cursor: '198.19.0.1' is not a cursor"
bad "cursor=198.19.0.1/24" "cursor: '198.19.0.1/24' has host bits set past its length"
bad "prefix=198.19.0.1&limit=5" "limit: not with prefix=ADDR"
bad "limt=5" "limt: unknown parameter"
cli_refused r "route: --limit '0' is not a number 1..10000" route --limit 0
check "and the table is as it was: 2,499 routes" test "$(n_v4)" = 2499
tap_done
