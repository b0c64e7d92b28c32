#!/usr/bin/env bash
# The stateful firewall with real traffic (docs/firewall.md): a client
# reaches an HTTP server through sluice (kernel forwarding off), then
# rules added with sluicectl drop it, reject it (an immediate "connection
# refused"), their counters move, `fw check` finds a shadowed rule, bad
# input is refused naming the field with the rule set unchanged, the
# rules survive a restart, a 100,000-prefix set blocks by source, and an
# nftables rule on the router still drops what sluice hands the kernel.
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced"
check "v4 ping through the kernel" warm "$NS_C" 198.18.2.2
check "v6 ping through the kernel" warm "$NS_C" 2001:db8:2::2
wait_until 5 route_has r 198.18.2.0/24 || tap_fail "route mirrored" "198.18.2.0/24 missing"
kernel_forwarding "$NS_R" off

# An HTTP server on the server, and one on the router itself (port 9090).
# Not `python3 -m http.server`: it looks its address up in DNS when it
# binds, which here waits for a resolver no namespace can reach.
mkdir -p "$T_TMP/www" && echo hello >"$T_TMP/www/index.html"
http_serve() { # NS ADDR PORT
	ip netns exec "$1" $T_PY -c '
import http.server, os, socketserver, sys
os.chdir(sys.argv[3])
class S(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
S((sys.argv[1], int(sys.argv[2])),
  http.server.SimpleHTTPRequestHandler).serve_forever()' "$2" "$3" "$T_TMP/www" \
		>"$T_TMP/http-$3.log" 2>&1 &
	T_PIDS+=($!)
}
http_serve "$NS_S" 198.18.2.2 8080
http_serve "$NS_R" 198.18.1.1 9090
# listening NS PORT: a TCP listener on PORT (ss exits 0 with none)
listening() {
	local out
	out=$(ip netns exec "$1" ss -Hltn "sport = :$2") && [ -n "$out" ]
}
wait_until 10 listening "$NS_S" 8080 || die "http server"
wait_until 10 listening "$NS_R" 9090 || die "http server on the router"

# curl_code URL: curl's exit status (0 ok, 7 refused, 28 timed out).
curl_code() {
	ip netns exec "$NS_C" curl -s -o /dev/null --max-time 2 "$1"
	echo $?
}
URL=http://198.18.2.2:8080/

[ "$(curl_code $URL)" = 0 ] && tap_ok "curl through sluice, no rules" ||
	tap_fail "curl through sluice, no rules"

# rule_field ID FIELD: a field of rule ID as `fw show -j` gives it.
rule_field() {
	sctl r fw show -j | $T_PY -c '
import json, sys
for r in json.load(sys.stdin)["rules"]:
    if r["id"] == int(sys.argv[1]):
        print(r[sys.argv[2]])' "$1" "$2"
}
# add ARGS...: fw add, the new rule's id on stdout.
add() {
	sctl r fw add "$@" -j | $T_PY -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

# ---- drop ----
id=$(add r0 in --proto tcp --dport 8080 --action drop) || die "fw add drop"
[ "$(curl_code $URL)" = 28 ] && tap_ok "a drop rule stops curl (timed out)" ||
	tap_fail "a drop rule stops curl (timed out)"
p=$(rule_field "$id" packets)
[ "${p:-0}" -ge 1 ] && tap_ok "the drop rule's counter moved ($p)" ||
	tap_fail "the drop rule's counter moved" "packets=$p"
metrics=$(api r /metrics)
grep -q "^sluice_fw_rule_packets_total{iface=\"r0\",dir=\"in\",rule=\"$id\",action=\"drop\"} [1-9]" <<<"$metrics" &&
	tap_ok "/metrics has the rule's counter" ||
	tap_fail "/metrics has the rule's counter" "$(grep sluice_fw_rule <<<"$metrics" | head -3)"
drops=$(packets r r0 drop_fw_rule)
[ "${drops:-0}" -ge 1 ] && tap_ok "drop_fw_rule counted on r0 ($drops)" ||
	tap_fail "drop_fw_rule counted on r0"
check "fw del" sctl r fw del r0 "$id"
[ "$(curl_code $URL)" = 0 ] && tap_ok "curl works again after fw del" ||
	tap_fail "curl works again after fw del"

# ---- reject: the client is refused at once ----
id=$(add r0 in --proto tcp --dport 8080 --action reject) || die "fw add reject"
t0=$(date +%s%N)
code=$(curl_code $URL)
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$code" = 7 ] && [ "$ms" -lt 1000 ] &&
	tap_ok "reject: curl gets connection refused at once (${ms} ms)" ||
	tap_fail "reject: curl gets connection refused at once" "curl exit $code after $ms ms"
rej=$(packets r r0 fwd_fw_reject)
[ "${rej:-0}" -ge 1 ] && tap_ok "fwd_fw_reject counted ($rej)" || tap_fail "fwd_fw_reject counted"
ip netns exec "$NS_C" ping -c 1 -W 1 198.18.2.2 >/dev/null &&
	tap_ok "ping still passes (the rule is TCP 8080 only)" ||
	tap_fail "ping still passes"

# ---- ICMP type, v6 ----
add r0 in --proto icmpv6 --icmp-type 128 --action drop >/dev/null || die "fw add icmpv6"
check_fails "an icmpv6 echo drop rule stops ping -6" \
	ip netns exec "$NS_C" ping -6 -c 1 -W 1 2001:db8:2::2
check "v4 ping unaffected by the v6 rule" ip netns exec "$NS_C" ping -c 1 -W 1 198.18.2.2

# ---- fw check ----
a=$(add r1 out --dst 198.18.2.0/24 --proto udp --action accept)
b=$(add r1 out --dst 198.18.2.2/32 --proto udp --dport 53 --action drop)
chk=$(sctl r fw check)
grep -q "rule $b is shadowed by rule $a" <<<"$chk" &&
	tap_ok "fw check reports the shadowed rule with both ids" ||
	tap_fail "fw check reports the shadowed rule" "$chk"

# ---- bad input: refused, naming the field, rule set unchanged ----
before=$(sctl r fw show -j)
bad() { # bad NAME MESSAGE ARGS...
	local name=$1 msg=$2 out
	shift 2
	if out=$(sctl r fw add "$@" 2>&1); then
		tap_fail "$name" "accepted"
	elif grep -qF -- "$msg" <<<"$out"; then
		tap_ok "$name"
	else
		tap_fail "$name" "$out"
	fi
}
bad "bad port refused" "dport: 70000 is not a port" r0 in --proto tcp --dport 70000 --action drop
bad "bad prefix refused" "src: 198.18.0.300/24 is not a prefix" r0 in --src 198.18.0.300/24 --action drop
bad "bad range refused" "dport: 5-3 is not a range" r0 in --proto tcp --dport 5-3 --action drop
bad "unknown interface refused" "iface: eth9 is not an interface sluiced manages" eth9 in --action drop
bad "ports with icmp refused" "dport: ports need proto tcp or udp (proto is 'icmp')" r0 in --proto icmp --dport 80 --action drop
bad "unknown named set refused" "src: @nope is not a named set" r0 in --src @nope --action drop
after=$(sctl r fw show -j)
[ "$before" = "$after" ] && tap_ok "the rule set is unchanged after bad input" ||
	tap_fail "the rule set is unchanged after bad input"

# ---- restart: rules survive ----
n_before=$(sctl r fw show -j | $T_PY -c 'import json,sys; print(len(json.load(sys.stdin)["rules"]))')
sluiced_stop r || tap_fail "sluiced stopped cleanly"
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced restart"
n_after=$(sctl r fw show -j | $T_PY -c 'import json,sys; print(len(json.load(sys.stdin)["rules"]))')
[ "$n_before" = "$n_after" ] && [ "$n_after" -ge 4 ] &&
	tap_ok "the $n_after rules survive a restart" ||
	tap_fail "the rules survive a restart" "before=$n_before after=$n_after"
[ "$(rule_field "$id" action)" = reject ] && tap_ok "rule $id kept its id and action" ||
	tap_fail "rule $id kept its id and action"
[ "$(curl_code $URL)" = 7 ] && tap_ok "reject still in effect after the restart" ||
	tap_fail "reject still in effect after the restart"
check "fw del after the restart" sctl r fw del r0 "$id"
[ "$(curl_code $URL)" = 0 ] && tap_ok "curl works after the reject rule is gone" ||
	tap_fail "curl works after the reject rule is gone"

# ---- a 100,000-prefix set ----
$T_PY - "$T_TMP/big.txt" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("# 99,999 /64s that are nobody's, then the client's /32\n")
    for i in range(99999):
        f.write("2001:db8:%x:%x::/64\n" % (0x1000 + (i >> 16), i & 0xffff))
    f.write("198.18.1.2/32\n")
PY
check "fw set add big" sctl r fw set add big
t0=$(date +%s%N)
check "fw set load big (100,000 prefixes)" sctl r fw set load big "$T_TMP/big.txt"
echo "# loaded 100,000 prefixes in $((($(date +%s%N) - t0) / 1000000)) ms"
n=$(sctl r fw set -j | $T_PY -c 'import json,sys; print([s["prefixes"] for s in json.load(sys.stdin)["sets"] if s["name"]=="big"][0])')
[ "$n" = 100000 ] && tap_ok "the set holds 100000 prefixes" || tap_fail "the set holds 100000 prefixes" "$n"
big=$(add r0 in --src @big --proto tcp --action drop)
[ "$(curl_code $URL)" = 28 ] && tap_ok "a source in the 100,000-prefix set is dropped" ||
	tap_fail "a source in the 100,000-prefix set is dropped"
p=$(rule_field "$big" packets)
[ "${p:-0}" -ge 1 ] && tap_ok "the set rule's counter moved ($p)" || tap_fail "the set rule's counter moved"
check "fw del the set rule" sctl r fw del r0 "$big"

# ---- nftables still filters what sluice passes to the kernel ----
[ "$(curl_code http://198.18.1.1:9090/)" = 0 ] && tap_ok "curl to the router's own address" ||
	tap_fail "curl to the router's own address"
local0=$(packets r r0 pass_local)
ip netns exec "$NS_R" nft -f - <<'NFT' || die "nft"
table inet sluicetest {
	chain input {
		type filter hook input priority 0;
		tcp dport 9090 drop
	}
}
NFT
[ "$(curl_code http://198.18.1.1:9090/)" = 28 ] &&
	tap_ok "an nftables drop rule on the router still drops it" ||
	tap_fail "an nftables drop rule on the router still drops it"
local1=$(packets r r0 pass_local)
[ $((local1 - local0)) -ge 2 ] && tap_ok "sluice handed those packets to the kernel (pass_local +$((local1 - local0)))" ||
	tap_fail "sluice handed those packets to the kernel" "pass_local $local0 -> $local1"
ip netns exec "$NS_R" nft delete table inet sluicetest

# ---- the config file's "fw" section (read when there is no fw.json) ----
sluiced_stop r || tap_fail "sluiced stopped cleanly"
rm -f "$STATE_r/fw.json"
printf '198.18.1.0/24\n' >"$T_TMP/cfgset.txt"
cat >"$T_TMP/fw.conf" <<JSON
{"fw": {"sets": [{"name": "clients", "file": "$T_TMP/cfgset.txt"}],
        "policies": [{"iface": "r1", "dir": "out", "policy": "accept"}],
        "rules": [{"iface": "r0", "dir": "in", "src": "@clients",
                   "proto": "tcp", "dport": 8080, "action": "reject"}]}}
JSON
sluiced_start "$NS_R" r --config "$T_TMP/fw.conf" --interface r0 --interface r1 ||
	die "sluiced with a fw config"
n=$(sctl r fw show -j | $T_PY -c 'import json,sys; print(len(json.load(sys.stdin)["rules"]))')
[ "$n" = 1 ] && tap_ok "the config's fw section gives its one rule" || tap_fail "the config's fw section" "rules: $n"
[ "$(curl_code $URL)" = 7 ] && tap_ok "the config's reject rule is in effect" ||
	tap_fail "the config's reject rule is in effect"
check "a change writes fw.json" sctl r fw policy r0 in accept
grep -q '"clients"' "$STATE_r/fw.json" && tap_ok "fw.json holds the config's set" ||
	tap_fail "fw.json holds the config's set"
printf '{"fw": {"rules": [{"iface": "r0", "dir": "in", "dport": "x"}]}}\n' >"$T_TMP/bad.conf"
out=$("$SLUICED" --check-config --config "$T_TMP/bad.conf" --state-dir "$T_TMP/state-bad" \
	--interface r0 2>&1)
# in the format of any other config error: the file, then the field
grep -qxF "sluiced: config: $T_TMP/bad.conf: fw.rules[0].dport: x is not a port" <<<"$out" &&
	tap_ok "--check-config refuses a bad fw section, naming the file and the field" ||
	tap_fail "--check-config refuses a bad fw section, naming the file and the field" "$(tail -2 <<<"$out")"
out=$("$SLUICED" --check-config --config "$T_TMP/fw.conf" --state-dir "$T_TMP/state-bad" \
	--interface r0 2>&1) && tap_ok "--check-config accepts the good fw section" ||
	tap_fail "--check-config accepts the good fw section" "$out"

tap_done
