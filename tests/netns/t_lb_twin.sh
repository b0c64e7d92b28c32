#!/usr/bin/env bash
# Two load balancers that share nothing but their configuration build the
# same Maglev tables, whatever order their backends were added in: behind
# ECMP, every node sends a flow to the same backend.
. "$(dirname "$0")/lib.sh"

VIP=198.18.100.1
netns_add NS_A lba && netns_add NS_B lbb && netns_add NS_P peer || die "namespaces"
veth "$NS_A" a0 02:00:00:00:0a:01 "$NS_P" pa 02:00:00:00:0a:02 || die "veth a"
veth "$NS_B" b0 02:00:00:00:0b:01 "$NS_P" pb 02:00:00:00:0b:02 || die "veth b"
ip -n "$NS_A" addr add 198.18.1.1/24 dev a0
ip -n "$NS_B" addr add 198.18.1.1/24 dev b0

backends='198.18.11.2 198.18.12.2 198.18.13.2 2001:db8:14::2 198.18.15.2'
cat >"$T_TMP/a.json" <<JSON
{"interfaces": ["a0"],
 "lb": {"source_v4": "198.18.200.0/24", "source_v6": "2001:db8:200::/96",
        "vips": [{"address": "$VIP", "port": 80, "protocol": "tcp",
                  "ring_size": 65537, "health": {"kind": "none"},
                  "backends": [$(for b in $backends; do printf '{"address": "%s", "weight": %d},' "$b" "${#b}"; done | sed 's/,$//')]}]}}
JSON
cat >"$T_TMP/b.json" <<JSON
{"interfaces": ["b0"],
 "lb": {"source_v4": "198.18.200.0/24", "source_v6": "2001:db8:200::/96"}}
JSON
sluiced_start "$NS_A" a --config "$T_TMP/a.json" || die "LB a"
sluiced_start "$NS_B" b --config "$T_TMP/b.json" || die "LB b"

# On b: the VIP first, then its backends one by one in reverse order.
curl -sf --unix-socket "$SOCK_b" -X POST -d "{\"address\": \"$VIP\", \"port\": 80,
	\"protocol\": \"tcp\", \"ring_size\": 65537, \"health\": {\"kind\": \"none\"}}" \
	http://sluiced/v1/vips >/dev/null || die "POST vip on b"
for b in $(echo $backends | tr ' ' '\n' | tac); do
	curl -sf --unix-socket "$SOCK_b" -X POST -d "{\"address\": \"$b\", \"weight\": ${#b}}" \
		"http://sluiced/v1/vips/$VIP:80%2Ftcp/backends" >/dev/null ||
		tap_fail "POST backend $b on b"
done

# The tables themselves, read from each daemon's pinned maps, slot by slot,
# translated from local backend ids to backend addresses.
ring_of() {	# ring_of PIN SOCK: one backend address per slot
	local pin=$1 sock=$2 vip vid inner
	vip=$(curl -sf --unix-socket "$sock" "http://sluiced/v1/vips/$VIP:80%2Ftcp") || return 1
	vid=$("$T_PY" -c 'import json,sys; print(json.load(sys.stdin)["vip_id"])' <<<"$vip")
	inner=$(bpftool -j map lookup pinned "$pin/lb_rings" key $vid 0 0 0 |
		"$T_PY" -c '
import json, sys
v = json.load(sys.stdin)["value"]	# hex bytes, little-endian
print(int.from_bytes(bytes(int(x, 16) for x in v), "little"))') || return 1
	bpftool -j map dump id "$inner" >"$T_TMP/ring.json" || return 1
	"$T_PY" -c '
import json, sys
ring = json.load(open(sys.argv[1]))
ids = {b["backend_id"]: b["address"] for b in json.load(sys.stdin)["backends"]}
num = lambda v: v if isinstance(v, int) else int.from_bytes(
    bytes(int(x, 16) for x in v), "little")
for e in sorted(ring, key=lambda e: num(e["key"])):
    print(ids.get(num(e["value"]), "unset"))' "$T_TMP/ring.json" <<<"$vip"
}
ring_of "$PIN_a" "$SOCK_a" >"$T_TMP/ring.a" || die "read ring a"
ring_of "$PIN_b" "$SOCK_b" >"$T_TMP/ring.b" || die "read ring b"
check "ring a has 65537 slots" test "$(wc -l <"$T_TMP/ring.a")" = 65537
check "ring a has no unset slot" test "$(grep -c unset "$T_TMP/ring.a")" = 0
check "the two LBs built identical tables (backends added in other orders)" \
	cmp -s "$T_TMP/ring.a" "$T_TMP/ring.b"
sort "$T_TMP/ring.a" | uniq -c | sed 's/^/# /'

# Remove one backend on both: the tables stay identical, and only about
# its share of slots moved.
cp "$T_TMP/ring.a" "$T_TMP/ring.a0"
for s in a b; do
	sock_var="SOCK_$s"
	curl -sf --unix-socket "${!sock_var}" -X DELETE \
		"http://sluiced/v1/vips/$VIP:80%2Ftcp/backends/198.18.12.2" >/dev/null ||
		tap_fail "DELETE backend on $s"
done
ring_of "$PIN_a" "$SOCK_a" >"$T_TMP/ring.a" || die "read ring a"
ring_of "$PIN_b" "$SOCK_b" >"$T_TMP/ring.b" || die "read ring b"
check "after a removal the tables are still identical" cmp -s "$T_TMP/ring.a" "$T_TMP/ring.b"
moved=$(paste -d' ' "$T_TMP/ring.a0" "$T_TMP/ring.a" | awk '$1 != $2' | wc -l)
owned=$(grep -c '^198.18.12.2$' "$T_TMP/ring.a0")
echo "# removal moved $moved slots; the removed backend owned $owned"
check "the removal moved close to the minimum (moved $moved <= 1.1 x owned $owned)" \
	test $((moved * 10 <= owned * 11)) = 1

# Bad input over the API: a clear error naming the field, nothing changed.
cp "$T_TMP/ring.a" "$T_TMP/ring.before"
expect_4xx() {	# expect_4xx NAME CODE NEEDLE METHOD PATH JSON
	local out code
	out=$(curl -s -w '\n%{http_code}' --unix-socket "$SOCK_a" -X "$4" \
		-d "$6" "http://sluiced$5")
	code=$(tail -1 <<<"$out")
	if [ "$code" = "$2" ] && grep -qF -- "$3" <<<"$out"; then
		tap_ok "$1 -> $code ($(head -1 <<<"$out"))"
	else
		tap_fail "$1" "got $code: $out"
	fi
}
expect_4xx "VIP that exists" 409 "exists" POST /v1/vips \
	"{\"address\": \"$VIP\", \"port\": 80, \"protocol\": \"tcp\"}"
expect_4xx "ring size not a prime" 400 "ring_size" POST /v1/vips \
	"{\"address\": \"198.18.100.2\", \"port\": 80, \"protocol\": \"tcp\", \"ring_size\": 65536}"
expect_4xx "backend address of the wrong form" 400 "198.18.300.1" POST \
	"/v1/vips/$VIP:80%2Ftcp/backends" '{"address": "198.18.300.1"}'
expect_4xx "weight out of range" 400 "weight" POST \
	"/v1/vips/$VIP:80%2Ftcp/backends" '{"address": "198.18.16.2", "weight": 0}'
expect_4xx "unknown field" 400 "colour" POST \
	"/v1/vips/$VIP:80%2Ftcp/backends" '{"address": "198.18.16.2", "colour": "red"}'
expect_4xx "bad state in PATCH" 400 "state" PATCH \
	"/v1/vips/$VIP:80%2Ftcp/backends/198.18.11.2" '{"state": "asleep"}'
expect_4xx "unknown VIP" 404 "198.18.100.9" GET "/v1/vips/198.18.100.9:80%2Ftcp" ""
ring_of "$PIN_a" "$SOCK_a" >"$T_TMP/ring.a" || die "read ring a"
check "the rejected requests changed no slot" cmp -s "$T_TMP/ring.before" "$T_TMP/ring.a"
check "still one VIP" test "$(api_json a /v1/lb "d['vips']")" = 1
tap_done
