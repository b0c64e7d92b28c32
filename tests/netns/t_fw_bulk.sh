#!/usr/bin/env bash
# The firewall at 10,000 rules with real traffic (docs/firewall.md):
# `sluicectl fw load` puts 10,000 rules on r0 "in" in one step (timed);
# the client's HTTP request matches only the last one (reject: connection
# refused at once) and that rule's counter moves; a bad list is refused
# naming the rule's index and field with the rules unchanged; the 10,000
# survive a restart; an empty list removes them.  Then `fw set del`:
# refused while a rule names the set (the error names the rule), done
# once the rule is gone, and still gone after a restart.
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced"
check "v4 ping through the kernel" warm "$NS_C" 198.18.2.2
wait_until 5 route_has r 198.18.2.0/24 || tap_fail "route mirrored" "198.18.2.0/24 missing"
kernel_forwarding "$NS_R" off

mkdir -p "$T_TMP/www" && echo hello >"$T_TMP/www/index.html"
ip netns exec "$NS_S" $T_PY -c '
import http.server, os, socketserver, sys
os.chdir(sys.argv[1])
class S(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
S(("198.18.2.2", 8080), http.server.SimpleHTTPRequestHandler).serve_forever()' \
	"$T_TMP/www" >"$T_TMP/http.log" 2>&1 &
T_PIDS+=($!)
listening() {
	local out
	out=$(ip netns exec "$NS_S" ss -Hltn "sport = :8080") && [ -n "$out" ]
}
wait_until 10 listening || die "http server"
curl_code() {
	ip netns exec "$NS_C" curl -s -o /dev/null --max-time 2 http://198.18.2.2:8080/
	echo $?
}
nrules() {
	sctl r fw show r0 -j | $T_PY -c 'import json,sys; print(len(json.load(sys.stdin)["rules"]))'
}
# last_field FIELD: a field of r0's last rule
last_field() {
	sctl r fw show r0 -j | $T_PY -c '
import json, sys
print(json.load(sys.stdin)["rules"][-1][sys.argv[1]])' "$1"
}

[ "$(curl_code)" = 0 ] && tap_ok "curl through sluice, no rules" ||
	tap_fail "curl through sluice, no rules"

# 9,999 sources that never send, then the rule the client meets
$T_PY -c '
import json
r = [{"src": "198.19.%d.%d/32" % (i // 256, i % 256), "proto": "tcp",
      "dport": 8080, "action": "drop"} for i in range(9999)]
r.append({"proto": "tcp", "dport": 8080, "action": "reject"})
print(json.dumps(r))' >"$T_TMP/10k.json"
t0=$(date +%s%N)
out=$(sctl r fw load r0 in "$T_TMP/10k.json" -j 2>&1)
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" = 0 ] && [ "$(nrules)" = 10000 ] &&
	tap_ok "fw load: 10,000 rules on r0 in one step (${ms} ms)" ||
	tap_fail "fw load: 10,000 rules on r0 in one step" "rc=$rc ${out:0:300}"
echo "# fw load of 10,000 rules: ${ms} ms"

t0=$(date +%s%N)
code=$(curl_code)
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$code" = 7 ] && [ "$ms" -lt 1000 ] &&
	tap_ok "the last of 10,000 rules rejects curl at once (${ms} ms)" ||
	tap_fail "the last of 10,000 rules rejects curl at once" "curl exit $code after $ms ms"
p=$(last_field packets)
[ "${p:-0}" -ge 1 ] && tap_ok "the last rule's counter moved ($p)" ||
	tap_fail "the last rule's counter moved" "packets=$p"

# a bad list: refused, naming the index and the field; nothing changed
printf '[{"proto": "tcp", "dport": 80, "action": "accept"}, {"proto": "udp", "dport": "x", "action": "drop"}]\n' >"$T_TMP/bad.json"
if out=$(sctl r fw load r0 in "$T_TMP/bad.json" 2>&1); then
	tap_fail "a bad list is refused" "accepted"
elif grep -qF "rules[1]: dport: x" <<<"$out"; then
	tap_ok "a bad list is refused, naming rules[1] and dport"
else
	tap_fail "a bad list is refused, naming rules[1] and dport" "$out"
fi
[ "$(nrules)" = 10000 ] && [ "$(curl_code)" = 7 ] &&
	tap_ok "the 10,000 rules are unchanged after the bad list" ||
	tap_fail "the 10,000 rules are unchanged after the bad list"

sluiced_stop r || tap_fail "sluiced stopped cleanly"
t0=$(date +%s%N)
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced restart"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$(nrules)" = 10000 ] && [ "$(curl_code)" = 7 ] &&
	tap_ok "the 10,000 rules survive a restart, in effect (start ${ms} ms)" ||
	tap_fail "the 10,000 rules survive a restart"

printf '[]\n' >"$T_TMP/none.json"
check "fw load of an empty list" sctl r fw load r0 in "$T_TMP/none.json"
[ "$(nrules)" = 0 ] && [ "$(curl_code)" = 0 ] &&
	tap_ok "an empty list: no rules, curl works" ||
	tap_fail "an empty list: no rules, curl works"

# ---- fw set del ----
check "fw set add" sctl r fw set add blk
id=$(sctl r fw add r0 in --src @blk --action drop -j |
	$T_PY -c 'import json,sys; print(json.load(sys.stdin)["id"])') || die "fw add @blk"
if out=$(sctl r fw set del blk 2>&1); then
	tap_fail "fw set del refused while a rule names the set" "accepted"
elif grep -qF "set blk is used by rule $id (r0 in)" <<<"$out"; then
	tap_ok "fw set del refused while rule $id names the set"
else
	tap_fail "fw set del refused while a rule names the set" "$out"
fi
check "fw del the rule" sctl r fw del r0 "$id"
check "fw set del" sctl r fw set del blk
sets=$(sctl r fw set -j)
grep -q '"blk"' <<<"$sets" && tap_fail "the set is gone" "$sets" || tap_ok "the set is gone"
sluiced_stop r || tap_fail "sluiced stopped cleanly"
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced restart"
sets=$(sctl r fw set -j)
grep -q '"blk"' <<<"$sets" && tap_fail "the set stays gone after a restart" "$sets" ||
	tap_ok "the set stays gone after a restart"

tap_done
