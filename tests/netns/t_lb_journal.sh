#!/usr/bin/env bash
# Every LB change the API answered survives a SIGKILL that follows the
# answer at once: it is in lb.journal (appended before the answer), and the
# next start replays the journal over lb.json.  A last line cut short is
# ignored; a bad line in the middle stops sluiced, naming the file and the
# line; a clean stop folds the journal into lb.json and empties it.
. "$(dirname "$0")/lib.sh"

V=198.18.100.1:80/tcp
W=198.18.100.2:80/tcp
N=60

netns_add NS_R r && netns_add NS_P p || die "namespaces"
veth "$NS_R" r0 02:00:00:00:0a:01 "$NS_P" p0 02:00:00:00:0a:02 || die "veth"
ip -n "$NS_R" addr add 198.18.0.1/24 dev r0 || die "address"
echo '{"interfaces": ["r0"], "lb": {"source_v4": "198.18.200.0/24"}}' >"$T_TMP/cfg.json"
lb_start() { sluiced_start "$NS_R" r --config "$T_TMP/cfg.json"; }
lb_start || die "sluiced"
J=$STATE_r/lb.journal

# req METHOD PATH [BODY]: one API request; fails unless it answers 2xx
req() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK_r" \
		-X "$1" ${3:+-d "$3"} "http://sluiced$2") || return 1
	[ "${code:0:1}" = 2 ] || { echo "$1 $2: $code"; return 1; }
}
# the VIP set as the API shows it, minus what was observed (health,
# counters, ids): sorted, one line
vipset() {
	api r /v1/vips | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(json.dumps(sorted([v["address"], v["port"], v["ring_size"], sorted(
    [b["address"], b["weight"], b["state"]] for b in v["backends"])]
    for v in d["vips"])))'
}

vip='{"address": "198.18.100.1", "port": 80, "protocol": "tcp", "health": {"kind": "none"}}'
req POST /v1/vips "$vip" || die "POST the VIP"
check "the first change of a run writes lb.json" test -s "$STATE_r/lb.json"
check "... and opens an empty journal" test -e "$J" -a ! -s "$J"

# ---- N changes of every kind, then SIGKILL right after the last answer -----------
fails=0
for i in $(seq 1 $N); do
	req POST "/v1/vips/$V/backends" "{\"address\": \"198.18.50.$i\"}" || fails=$((fails + 1))
done
for i in $(seq 1 10); do
	req PATCH "/v1/vips/$V/backends/198.18.50.$i" '{"weight": 7}' || fails=$((fails + 1))
	req DELETE "/v1/vips/$V/backends/198.18.50.$((i + 20))" || fails=$((fails + 1))
done
req PATCH "/v1/vips/$V/backends/198.18.50.11" '{"state": "draining"}' || fails=$((fails + 1))
req POST /v1/vips '{"address": "198.18.100.2", "port": 80, "protocol": "tcp", "ring_size": 251, "health": {"kind": "none"}}' ||
	fails=$((fails + 1))
req PUT "/v1/vips/$W/backends" '{"backends": [{"address": "198.18.51.1"}, {"address": "198.18.51.2", "weight": 3}]}' ||
	fails=$((fails + 1))
req POST /v1/vips '{"address": "198.18.100.3", "port": 80, "protocol": "tcp", "health": {"kind": "none"}}' ||
	fails=$((fails + 1))
req DELETE /v1/vips/198.18.100.3:80/tcp || fails=$((fails + 1))
req POST "/v1/vips/$V/backends" '{"address": "198.18.50.200"}' || fails=$((fails + 1))
changes=$((N + 2 * 10 + 6))
check "all $changes changes answered 2xx" test $fails = 0
want=$(vipset)
sluiced_stop r KILL
rc=$?
check "SIGKILL right after the last answer (status $rc)" test $rc = 137
lines=$(wc -l <"$J")
echo "# lb.journal: $lines lines, $(wc -c <"$J") bytes"
check "the changes are in the journal, one line each" test "$lines" = $changes
check "... and lb.json alone does not have them (the journal is what keeps them)" \
	sh -c "! grep -q 198.18.50.200 '$STATE_r/lb.json'"

lb_start || die "restart after SIGKILL"
check "the restart replays the journal" \
	grep -q "lb: $lines changes from the journal $J over $STATE_r/lb.json" "$T_TMP/r.log"
got=$(vipset)
check "every answered change is back after the SIGKILL" test "$got" = "$want"
[ "$got" = "$want" ] || printf '# want %s\n# got  %s\n' "$want" "$got"

# ---- a last line cut short: never answered, ignored ------------------------------
req DELETE "/v1/vips/$V/backends/198.18.50.200" || die "DELETE before the torn line"
want=$(vipset)
sluiced_stop r KILL
printf '{"vip": {"address": "198.18.100.9", "po' >>"$J"
lb_start || die "restart over a torn last line"
check "a torn last line is logged and ignored" \
	grep -q "lb.journal: line .* has no end (a write cut short, never answered): ignored" "$T_TMP/r.log"
check "... and the changes before it are back" test "$(vipset)" = "$want"

# ---- a clean stop folds the journal into lb.json ------------------------------------
req PATCH "/v1/vips/$V/backends/198.18.50.12" '{"weight": 9}' || die "PATCH"
want=$(vipset)
check "SIGTERM: exit status 0" sluiced_stop r
check "a clean stop empties the journal" test ! -s "$J"
check "... and lb.json has the last change" grep -q '"weight": 9' "$STATE_r/lb.json"

# ---- a bad line in the middle: no start, the files left as they are ----------------
printf 'not json\n{"del": "198.18.100.2:80/tcp"}\n' >"$J"
cp "$J" "$T_TMP/bad.journal"
out=$(nsenter --net="/var/run/netns/$NS_R" timeout 20 "$SLUICED" --pin-dir "$PIN_r" \
	--api "unix:$T_TMP/bad.sock" --state-dir "$STATE_r" --config "$T_TMP/cfg.json" 2>&1)
rc=$?
check "a journal with a bad line stops sluiced (status $rc)" test $rc -ne 0 -a $rc -ne 124
check "... naming the file and the line" grep -q "state file $J: line 1: " <<<"$out"
check "... and the journal is left as it was" cmp -s "$J" "$T_TMP/bad.journal"
: >"$J"
lb_start || die "start after the bad journal was emptied"
check "lb.json alone gives the state of the clean stop" test "$(vipset)" = "$want"

tap_done
