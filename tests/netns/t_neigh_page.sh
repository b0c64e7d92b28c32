#!/usr/bin/env bash
# GET /v1/neighbors and `sluicectl neigh` list the neighbours a page at a
# time (daemon/neigh_page.h): 2,100 permanent neighbours added to the
# kernel (1,500 IPv4, 600 IPv6, one address on both ports), paged through
# with the API and the CLI, give each neighbour exactly once, IPv4 first,
# by address, then by interface, equal to the kernel's; a page goes on
# correctly when its cursor's neighbour was deleted meanwhile; bad
# arguments are refused with the field and value named.  No packet is
# sent to these addresses: they are entries, not hosts.
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced"

"$T_PY" - "$T_TMP/add" <<'PYEOF'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(1500):
        f.write("neigh add 198.19.%d.%d lladdr 02:00:00:01:%02x:%02x dev r1 nud permanent\n"
                % (i // 250, i % 250 + 1, i >> 8, i & 255))
    for i in range(600):
        f.write("neigh add 2001:db8:2::1:%x lladdr 02:00:00:02:%02x:%02x dev r1 nud permanent\n"
                % (i + 1, i >> 8, i & 255))
    f.write("neigh add 198.19.9.1 lladdr 02:00:00:03:00:01 dev r0 nud permanent\n")
    f.write("neigh add 198.19.9.1 lladdr 02:00:00:03:00:02 dev r1 nud permanent\n")
PYEOF
ip -n "$NS_R" -batch "$T_TMP/add" || die "ip -batch"
ours='(n["address"].startswith("198.19.") or n["address"].startswith("2001:db8:2::1:"))'
n_ours() { api_json r "/v1/neighbors?limit=10000" "str(sum(1 for n in d['neighbors'] if $ours))"; }
wait_until 30 test "$(n_ours)" = 2102 || die "2,102 neighbours not mirrored ($(n_ours))"

# ---- the default page ------------------------------------------------------------
api r /v1/neighbors >"$T_TMP/p1.json"
check "GET /v1/neighbors: a page of 1,000, a total over 2,100, and a next (ADDRESS,IFINDEX)" \
	"$T_PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["neighbors"]) == 1000, len(d["neighbors"])
assert d["total"] >= 2102, d["total"]
last = d["neighbors"][-1]
assert d["next"] == "%s,%d" % (last["address"], last["ifindex"]), d["next"]' "$T_TMP/p1.json"

# pages LABEL QUERY LIMIT: "ADDR IFINDEX" of every page of
# /v1/neighbors?QUERY, in order, in $T_TMP/LABEL (api_pages)
pages() { api_pages r /v1/neighbors "$2" "$3" "$T_TMP/$1" neighbors 'e["address"] + " " + str(e["ifindex"])'; }
# in_order LABEL: $T_TMP/LABEL is in the API's order (IPv4 first, by address,
# then by interface index), duplicates kept
in_order() {
	"$T_PY" - "$T_TMP/$1" <<'PYEOF'
import ipaddress, sys
rows = [l.split() for l in open(sys.argv[1]).read().split("\n") if l]
key = lambda r: (ipaddress.ip_address(r[0]).version, ipaddress.ip_address(r[0]).packed, int(r[1]))
ks = [key(r) for r in rows]
sys.exit(0 if ks == sorted(ks) and len(set(ks)) == len(ks) else 1)
PYEOF
}
# the kernel's permanent neighbours of ours, "ADDR IFINDEX", sorted as the API
ip -n "$NS_R" -j neigh show nud permanent | "$T_PY" -c '
import ipaddress, json, subprocess, sys
idx = {}
rows = []
for n in json.load(sys.stdin):
    a = n["dst"]
    if not (a.startswith("198.19.") or a.startswith("2001:db8:2::1:")):
        continue
    if n["dev"] not in idx:
        idx[n["dev"]] = int(subprocess.check_output(["ip", "-n", sys.argv[1], "-j", "link", "show", n["dev"]]).decode().split("\"ifindex\":")[1].split(",")[0])
    rows.append((a, idx[n["dev"]]))
ip = lambda a: ipaddress.ip_address(a)
rows.sort(key=lambda r: (ip(r[0]).version, ip(r[0]).packed, r[1]))
print("\n".join("%s %d" % r for r in rows))' "$NS_R" >"$T_TMP/kernel"

pages all "" 300
grep -E '^(198\.19\.|2001:db8:2::1:)' "$T_TMP/all" >"$T_TMP/all.ours"
check "pages of 300 through every neighbour: $(cat "$T_TMP/all.pages") pages, each once, IPv4 first, by address, then interface" \
	in_order all
check "... and ours among them are the kernel's 2,102, the same order" \
	diff -q "$T_TMP/all.ours" "$T_TMP/kernel"
check "198.19.9.1 is listed on both ports, r0's (the lower ifindex) first" \
	bash -c "[ \$(grep -c '^198.19.9.1 ' '$T_TMP/all') = 2 ] && grep '^198.19.9.1 ' '$T_TMP/all' | sort -k2n -c"
pages r1 "dev=r1" 1000
check "dev=r1: 3 pages of 1,000, r1's only" \
	bash -c "[ \$(cat '$T_TMP/r1.pages') = 3 ] && [ \$(grep -c '^198.19.9.1 ' '$T_TMP/r1') = 1 ]"
check "... in order" in_order r1

# ---- the CLI, following its "more:" lines ---------------------------------------------
cli_pages r "$T_TMP/cli" neigh dev r1 --limit 700
cut -d' ' -f1 "$T_TMP/r1" >"$T_TMP/r1.addr"
check "sluicectl neigh dev r1 --limit 700: $(cat "$T_TMP/cli.pages" 2>/dev/null) pages, the API's list" \
	diff -q "$T_TMP/cli" "$T_TMP/r1.addr"

# --all: every page (1,000 a request: 3), one table, no "more:" line; -j
# one document
"$SLUICECTL" --api "unix:$SOCK_r" neigh dev r1 --all --limit 1000 >"$T_TMP/cli_all"
check "sluicectl neigh dev r1 --all --limit 1000: one header, every neighbour of r1 once, in order" \
	bash -c "[ \$(grep -c '^ADDRESS' '$T_TMP/cli_all') = 1 ] && ! grep -q '^more:' '$T_TMP/cli_all' && tail -n +2 '$T_TMP/cli_all' | cut -d' ' -f1 | diff -q - '$T_TMP/r1.addr'"
"$SLUICECTL" --api "unix:$SOCK_r" -j neigh dev r1 --all --limit 1000 >"$T_TMP/cli_all.json"
check "sluicectl -j neigh dev r1 --all: one JSON document, total, next null" \
	"$T_PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
want = open(sys.argv[2]).read().split()
assert [n["address"] for n in d["neighbors"]] == want, len(d["neighbors"])
assert d["total"] == len(want) and d["next"] is None' "$T_TMP/cli_all.json" "$T_TMP/r1.addr"

# ---- a cursor whose neighbour is gone ------------------------------------------------
first=$(api_json r "/v1/neighbors?dev=r1&limit=10" "d['next']")
after=$(api_json r "/v1/neighbors?dev=r1&limit=1&cursor=$first" "d['neighbors'][0]['address']")
ip -n "$NS_R" neigh del "${first%,*}" dev r1 || die "neigh del"
gone() { api_json r "/v1/neighbors?dev=r1&limit=10000" "not any(n['address'] == '${first%,*}' for n in d['neighbors'])"; }
wait_until 10 gone || die "the deletion was not mirrored"
check "the cursor's own neighbour deleted: the next page starts at the one after it ($after)" \
	test "$(api_json r "/v1/neighbors?dev=r1&limit=1&cursor=$first" "d['neighbors'][0]['address']")" = "$after"

# ---- bad arguments: refused, named ---------------------------------------------------
bad() { api_refused r "/v1/neighbors?$1" "$2"; } # QUERY NEEDLE
bad "limit=0" "limit: '0' is not a number 1..10000"
bad "cursor=198.19.0.1" "cursor: '198.19.0.1' is not a cursor"
bad "lmit=5" "lmit: unknown parameter"
cli_refused r "neigh: --cursor '198.19.0.1' is not a cursor" neigh --cursor 198.19.0.1
check "and the neighbours are as they were: 2,101 of ours" test "$(n_ours)" = 2101

# ---- a full map: a refused neighbour gets the room a deleted one leaves --------------
# 64,000 more on r0 (2001:db8:3::/64) take the neighbour map past its
# 65,536 entries (SLUICE_MAX_NEIGHS); permanent ones send no later event
# that would retry them
"$T_PY" - "$T_TMP/flood" <<'PYEOF'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(64000):
        f.write("neigh add 2001:db8:3::%x lladdr 02:00:00:04:%02x:%02x dev r0 nud permanent\n"
                % (i + 1, i >> 8, i & 255))
PYEOF
ip -n "$NS_R" -batch "$T_TMP/flood" || die "ip -batch (64,000 neighbours)"
want=$(($(ip -n "$NS_R" neigh show nud permanent | wc -l)))
wait_until 60 test "$(status_field r neighbors)" -ge "$want" || die "not mirrored ($(status_field r neighbors) of $want)"
programmed() {
	api_pages r /v1/neighbors "" 10000 "$T_TMP/prog" neighbors 'e["programmed"]'
	grep -c True "$T_TMP/prog"
}
refused=$(status_field r neigh_errors)
check "$want neighbours: the map holds 65,536, $refused refused (neigh_errors)" \
	bash -c "[ '$(programmed)' = 65536 ] && [ '$refused' -gt 0 ]"
sctl r neigh --all >"$T_TMP/all_full"
check "sluicectl neigh --all marks each one the map refused '[not in map]' ($(grep -c False "$T_TMP/prog"))" \
	test "$(grep -c '\[not in map\]$' "$T_TMP/all_full")" = "$(grep -c False "$T_TMP/prog")"
before=$(status_field r neighbors)
for i in $(seq 1 50); do echo "neigh del 198.19.1.$i dev r1"; done >"$T_TMP/del"
ip -n "$NS_R" -batch "$T_TMP/del" || die "ip -batch (50 deletions)"
wait_until 10 test "$(status_field r neighbors)" -le "$((before - 50))" || die "the deletions were not mirrored"
check "50 programmed ones deleted: 50 refused ones take their room (65,536 programmed again)" \
	test "$(programmed)" = 65536
tap_done
