#!/usr/bin/env bash
# What the API changes in the load balancer survives restarts, with
# --keep-on-exit (the pinned maps are adopted) and without (the maps go
# with the daemon, and the state file rebuilds them): traffic to the VIPs
# flows after each restart and `sluicectl vip show` (minus counters) is
# what it was.  The state file wins over the config file's lb.vips, which
# only seed the first start; a state file that cannot be used stops
# sluiced, naming the file and where it breaks, and is left as it is.
. "$(dirname "$0")/lib.sh"

VIP=198.18.100.1
VIP2=198.18.100.2
NB=3

topo_lb $NB $VIP/32 $VIP2/32 || die "topology"
lb_backends_start $NB || die "backends"
# the config seeds one VIP with one backend; the API does the rest
cat >"$T_TMP/lb.json" <<JSON
{"interfaces": ["l0", "l1", "l2", "l3"],
 "lb": {"source_v4": "198.18.200.0/24",
        "vips": [{"address": "$VIP", "port": 8080, "protocol": "tcp",
                  "health": {"kind": "tcp", "interval_ms": 300,
                             "timeout_ms": 200, "rise": 1, "fall": 2},
                  "backends": [{"address": "198.18.11.2", "weight": 2}]}]}}
JSON
lb_start() {
	sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" "$@"
}
lb_start --keep-on-exit || die "LB sluiced"
kernel_forwarding "$NS_L" off
check "first start: the VIPs come from the config file (no state file yet)" \
	grep -q "lb: 1 VIPs from the config file's lb.vips (no state file $STATE_lb/lb.json" \
	"$T_TMP/lb.log"
check "no state file before a change through the API" test ! -e "$STATE_lb/lb.json"

V=$VIP:8080/tcp
sctl lb backend add $V 198.18.12.2 --weight 3 >/dev/null || die "backend add b2"
sctl lb backend add $V 198.18.13.2 >/dev/null || die "backend add b3"
sctl lb backend drain $V 198.18.13.2 >/dev/null || die "backend drain b3"
sctl lb vip add $VIP2:8080/tcp --hash src --ring-size 251 --interval 300 \
	--timeout 200 --rise 1 >/dev/null || die "vip add $VIP2"
sctl lb backend add $VIP2:8080/tcp 198.18.13.2 >/dev/null || die "backend add b3 to $VIP2"
check "the API changes are in the state file" \
	grep -q '"address": "198.18.12.2"' "$STATE_lb/lb.json"
check "sluicectl lb names the state file" \
	sh -c "'$SLUICECTL' --api 'unix:$SOCK_lb' lb | grep -qx 'state file *$STATE_lb/lb.json'"

# Health comes back after a restart (unknown, then up): compare once every
# backend of every VIP is up or, draining, at least checked.
all_checked() {
	api_json lb /v1/vips "all(b['health'] == 'up' for v in d['vips'] for b in v['backends'])"
}
# `vip show` minus counters (and health-check errors, which follow them),
# blanks squeezed: the counters' widths would move the columns.
show() {
	sctl lb vip show | grep -v '^  counters' | sed -E 's/ +packets .*//; s/ +/ /g'
}
# the JSON minus counters and health results: ids, slots, every setting
show_json() {
	api_json lb /v1/vips "json.dumps([{k: (v[k] if k != 'backends' else [{x: b[x] for x in b if x not in ('counters', 'health', 'health_error')} for b in v[k]]) for k in v if k != 'counters'} for v in d['vips']], sort_keys=True)"
}
requests() {	# requests ADDR: 20 requests, all answered
	local out
	out=$(http_loop "$NS_C" "$1" 20 15)
	[ "${out%%$'\n'*}" = "ok 20 fail 0" ] || { echo "$out"; return 1; }
}

check "all backends up before the restarts" wait_until 10 all_checked
show >"$T_TMP/show.0"
show_json >"$T_TMP/json.0"
sed 's/^/# /' "$T_TMP/show.0"
check "20 requests to $VIP before the restarts" requests $VIP
check "20 requests to $VIP2 before the restarts" requests $VIP2

# ---- restart with --keep-on-exit: adopted, nothing rewritten -----------------------
check "SIGTERM (keep-on-exit): exit status 0" sluiced_stop lb
lb_start --keep-on-exit || die "LB restart (keep-on-exit)"
check "restart: 2 VIPs from the state file, which wins over the config's lb.vips" \
	grep -q "lb: 2 VIPs from the state file $STATE_lb/lb.json (it wins over the config file's lb.vips, not used)" \
	"$T_TMP/lb.log"
check "restart with --keep-on-exit rewrote no Maglev slot" \
	test "$(api_json lb /v1/lb "d['slots_written']")" = 0
check "after the restart every backend is up again" wait_until 10 all_checked
show >"$T_TMP/show.1"
show_json >"$T_TMP/json.1"
check "vip show (minus counters) unchanged across the keep-on-exit restart" \
	diff "$T_TMP/show.0" "$T_TMP/show.1"
check "the VIPs' JSON (ids, slots, settings) unchanged too" diff "$T_TMP/json.0" "$T_TMP/json.1"
check "20 requests to $VIP after the keep-on-exit restart" requests $VIP
check "20 requests to $VIP2 after the keep-on-exit restart" requests $VIP2

# ---- restart without --keep-on-exit: the maps go, the state file stays -----------
# (a daemon started without the flag takes its maps with it on exit)
check "SIGTERM (keep-on-exit): exit status 0" sluiced_stop lb
lb_start || die "LB start without --keep-on-exit"
check "SIGTERM (no keep-on-exit): exit status 0" sluiced_stop lb
check "without --keep-on-exit the maps were unpinned" test ! -e "$PIN_lb/lb_vips"
lb_start || die "LB restart without --keep-on-exit"
check "a restart over no pinned maps wrote every slot again (65537 + 251)" \
	test "$(api_json lb /v1/lb "d['slots_written']")" = $((65537 + 251))
check "after the fresh start every backend is up again" wait_until 10 all_checked
show >"$T_TMP/show.2"
show_json >"$T_TMP/json.2"
check "vip show (minus counters) unchanged across the restart without keep-on-exit" \
	diff "$T_TMP/show.0" "$T_TMP/show.2"
check "the VIPs' JSON unchanged too" diff "$T_TMP/json.0" "$T_TMP/json.2"
check "20 requests to $VIP after the fresh start" requests $VIP
check "20 requests to $VIP2 after the fresh start" requests $VIP2

# ---- a burst of changes, then a stop at once: none of them lost -------------------
# The changes go to lb.journal; a clean stop folds it into the state file
# (t_lb_journal.sh: what a SIGKILL keeps).
V2=$VIP2:8080/tcp
for i in $(seq 1 20); do
	curl -sf --unix-socket "$SOCK_lb" -X POST -d "{\"address\": \"198.18.15.$i\"}" \
		"http://sluiced/v1/vips/$V2/backends" >/dev/null || die "burst: POST 198.18.15.$i"
done
set='{"backends": [{"address": "198.18.13.2"}'
for i in $(seq 1 20); do set+=", {\"address\": \"198.18.16.$i\", \"weight\": 2}"; done
set+=']}'
out=$(curl -sf --unix-socket "$SOCK_lb" -X PUT -d "$set" "http://sluiced/v1/vips/$V2/backends")
check "PUT of the whole set: 20 added, 20 removed, 198.18.13.2 kept" \
	grep -q '"added":20,"removed":20,"changed":0' <<<"$out"
check "SIGTERM right after the burst: exit status 0" sluiced_stop lb
final_set() {	# final_set FILE: VIP2's backends in FILE are the PUT's
	python3 - "$1" "$VIP2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
be = [v["backends"] for v in d["vips"] if v["address"] == sys.argv[2]][0]
want = {"198.18.13.2": 1, **{"198.18.16.%d" % i: 2 for i in range(1, 21)}}
got = {b["address"]: b["weight"] for b in be}
sys.exit(0 if got == want else "got %r" % got)
PY
}
check "the last change of the burst is in the state file" final_set "$STATE_lb/lb.json"
lb_start || die "LB start after the burst"
api lb /v1/vips >"$T_TMP/vips.burst"
check "... and back after the restart" final_set "$T_TMP/vips.burst"

# ---- a state file that cannot be used: no start, nothing replaced ----------------
check "SIGTERM: exit status 0" sluiced_stop lb
printf '{"version": 1, "vips": [\n  {"address": "198.18.100.1",, }\n]}\n' >"$STATE_lb/lb.json"
cp "$STATE_lb/lb.json" "$T_TMP/corrupt.json"
out=$(timeout 10 nsenter --net="/var/run/netns/$NS_L" "$SLUICED" --pin-dir "$PIN_lb" \
	--api "unix:$T_TMP/corrupt.sock" --state-dir "$STATE_lb" --config "$T_TMP/lb.json" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
check "a corrupt state file: sluiced exits non-zero (status $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
check "... naming the file, line and column" grep -qF \
	"state file $STATE_lb/lb.json: invalid JSON at line 2 column 30" <<<"$out"
check "... before touching the data path (nothing pinned)" test ! -e "$PIN_lb/lb_vips"
check "... and the file is left as it was" cmp -s "$STATE_lb/lb.json" "$T_TMP/corrupt.json"
tap_done
