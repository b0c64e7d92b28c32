#!/usr/bin/env bash
# Connection tracking's control plane over real traffic: client -- router
# (sluiced, conntrack on in its config, kernel forwarding off) -- server.
# A slow HTTP download (10 s), pings and a UDP exchange appear in
# `sluicectl ct show -j` in the states they should; `ct count` agrees with
# the walk; `ct flush --proto icmp` takes ICMP only; bad filters are
# refused naming the field; a restart (--keep-on-exit) keeps the table and
# the settings changed at run time.  (A million entries:
# t_conntrack_million.sh.)
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
cat >"$T_TMP/r.json" <<EOF
{"interfaces": ["r0", "r1"], "keep_on_exit": true,
 "conntrack": {"enabled": true, "debug_fill": true,
               "timeouts": {"time_wait": 120}}}
EOF
sluiced_start "$NS_R" r -c "$T_TMP/r.json" || die "sluiced"
check "v4 ping through the kernel" warm "$NS_C" 198.18.2.2
check "v6 ping through the kernel" warm "$NS_C" 2001:db8:2::2
wait_until 5 route_has r 198.18.2.0/24 || tap_fail "route mirrored" "198.18.2.0/24 missing"
kernel_forwarding "$NS_R" off
# what the warm-up pings left: start from an empty table
sctl r ct flush >/dev/null || die "flush"

# ct_entries NAME FILTERS...: the entries as JSON lines (every page).
ct_entries() {
	local name=$1
	shift
	sctl "$name" ct show -j --limit 10000 "$@"
}
# ct_has NAME PYEXPR [FILTERS...]: some entry `e` makes PYEXPR true.
ct_has() {
	local name=$1 expr=$2 doc
	shift 2
	doc=$(ct_entries "$name" "$@") || return 1
	"$T_PY" -c '
import json, sys
d = json.loads(sys.argv[1])
sys.exit(not any(eval(sys.argv[2]) for e in d["entries"]))' "$doc" "$expr"
}
# ct_total NAME: `ct count`'s total.
ct_total() {
	local doc
	doc=$(sctl "$1" ct count -j) || return 1
	"$T_PY" -c 'import json, sys; print(json.loads(sys.argv[1])["total"])' "$doc"
}
ct_total_is() { [ "$(ct_total "$1")" = "$2" ]; }

# listening NS tcp|udp PORT: a socket is bound there (ss exits 0 either way)
listening() {
	local out
	out=$(ip netns exec "$1" ss -Hln --"$2" "sport = :$3") || return 1
	[ -n "$out" ]
}

# ---- a TCP download kept open -----------------------------------------------
# a plain socket server sending 1 MB over 10 s (a client that reads slowly
# would not do: its socket buffer takes the whole body at once and the
# server closes); http.server resolves its own name at start, which hangs
# without DNS in a namespace
ip netns exec "$NS_S" "$T_PY" -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.2.2", 8080))
s.listen(4)
while True:
    c, _ = s.accept()
    c.recv(4096)
    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 1000000\r\n\r\n")
    for _ in range(100):
        c.sendall(b"\0" * 10000)
        time.sleep(0.1)
    c.close()
' >"$T_TMP/http.log" 2>&1 &
T_PIDS+=("$!")
wait_until 10 listening "$NS_S" tcp 8080 || die "http server"
ip netns exec "$NS_C" curl -s -o /dev/null --max-time 40 \
	http://198.18.2.2:8080/ &
curl_pid=$!
T_PIDS+=("$curl_pid")
if wait_until 10 ct_has r "e['proto'] == 'tcp' and e['state'] == 'established' and e['src'] == '198.18.1.2' and e['dst'] == '198.18.2.2' and e['dport'] == 8080 and 'replied' in e['flags']" --proto tcp; then
	tap_ok "tcp established while the download runs"
else
	tap_fail "tcp established while the download runs" "$(ct_entries r)"
fi
# the filter applies: the TCP flow's opener is the client, not the server
check_fails "--src of the server finds no tcp flow" \
	ct_has r "e['proto'] == 'tcp'" --src 198.18.2.0/24 --proto tcp
check "--src/--dst prefixes find it" \
	ct_has r "e.get('dport') == 8080" --src 198.18.1.0/24 --dst 198.18.2.2 --state established

# ---- ping and UDP ---------------------------------------------------------------
check "v4 ping via XDP" ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 1 198.18.2.2
check "v6 ping via XDP" ip netns exec "$NS_C" ping -6 -c 3 -i 0.2 -W 1 2001:db8:2::2
check "icmp replied" ct_has r "e['proto'] == 'icmp' and e['state'] == 'replied' and e['src'] == '198.18.1.2' and e['packets_reply'] >= 3" --proto icmp
check "icmpv6 replied" ct_has r "e['proto'] == 'icmpv6' and e['state'] == 'replied' and e['dst'] == '2001:db8:2::2'" --proto icmpv6

ip netns exec "$NS_S" "$T_PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.2.2", 5353))
s.settimeout(30)
for _ in range(3):
    d, a = s.recvfrom(100)
    s.sendto(d, a)
' >/dev/null 2>&1 &
T_PIDS+=("$!")
wait_until 10 listening "$NS_S" udp 5353 || die "udp server"
udp_exchange() {
	ip netns exec "$NS_C" "$T_PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.1.2", 40053))
s.settimeout(2)
for i in range(3):
    s.sendto(b"x%d" % i, ("198.18.2.2", 5353))
    s.recvfrom(100)
'
}
check "UDP exchange via XDP" udp_exchange
check "udp replied" ct_has r "e['proto'] == 'udp' and e['state'] == 'replied' and e['sport'] == 40053 and e['dport'] == 5353 and e['packets_orig'] == 3 and e['packets_reply'] == 3" --proto udp

# ---- count agrees with the walk --------------------------------------------------
count_matches_walk() {
	local doc count
	doc=$(ct_entries r) && count=$(sctl r ct count -j) || return 1
	"$T_PY" -c '
import json, sys
w, c = json.loads(sys.argv[1]), json.loads(sys.argv[2])
by = {}
for e in w["entries"]:
    cls = {"icmpv6": "icmp"}.get(e["proto"], e["proto"])
    by[(cls, e["state"])] = by.get((cls, e["state"]), 0) + 1
ok = c["total"] == len(w["entries"]) and w["next"] is None and all(
    c["by_class"][k[0]][k[1]] == n for k, n in by.items())
if not ok:
    print("walk", by, "count", c["total"], c["by_class"])
sys.exit(not ok)' "$doc" "$count"
}
check "ct count matches the walk, by class and state" count_matches_walk

# ---- the same numbers in /metrics -------------------------------------------------
ct_metrics_agree() {
	local m count
	m=$(api r /metrics) && count=$(sctl r ct count -j) || return 1
	"$T_PY" -c '
import json, re, sys
m, c = sys.argv[1], json.loads(sys.argv[2])
def val(name):
    r = re.search("^" + re.escape(name) + " ([0-9]+)$", m, re.M)
    return int(r.group(1)) if r else None
ok = val("sluice_ct_enabled") == 1 and val("sluice_ct_capacity") == c["capacity"]
ok = ok and val("sluice_ct_events_total{event=\"created\"}") == c["events"]["created"]
for cls, states in c["by_class"].items():
    for st, n in states.items():
        if st != "total":
            ok = ok and val("sluice_ct_entries{proto=\"%s\",state=\"%s\"}" % (cls, st)) == n
ok = ok and val("sluice_ct_entries{proto=\"udp\",state=\"replied\"}") == 1
sys.exit(not ok)' "$m" "$count"
}
check "/metrics: sluice_ct_enabled, _capacity, _entries, _events_total agree with ct count" wait_until 5 ct_metrics_agree

# ---- the download ends: time_wait or close ---------------------------------------
wait "$curl_pid"
curl_rc=$?
[ "$curl_rc" = 0 ] && tap_ok "download completed" || tap_fail "download completed" "curl exit $curl_rc"
if wait_until 10 ct_has r "e.get('dport') == 8080 and e['state'] in ('time_wait', 'close')" --proto tcp; then
	tap_ok "tcp time_wait/close after the download"
else
	tap_fail "tcp time_wait/close after the download" "$(ct_entries r --proto tcp)"
fi

# ---- flush by filter ---------------------------------------------------------------
before=$(ct_total r)
n_icmp=$(sctl r ct show -j --proto icmp | "$T_PY" -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')
out=$(sctl r ct flush --proto icmp -j)
flushed=$("$T_PY" -c 'import json,sys; print(json.loads(sys.argv[1])["flushed"])' "$out")
after=$(ct_total r)
if [ "$flushed" = "$n_icmp" ] && [ "$n_icmp" -ge 1 ] && [ "$after" = $((before - n_icmp)) ] &&
	! ct_has r "e['proto'] == 'icmp'" && ct_has r "e['proto'] == 'icmpv6'" &&
	ct_has r "e['proto'] == 'udp'" && ct_has r "e['proto'] == 'tcp'"; then
	tap_ok "ct flush --proto icmp removed ICMP only ($flushed of $before)"
else
	tap_fail "ct flush --proto icmp removed ICMP only" "icmp=$n_icmp flushed=$flushed before=$before after=$after"
fi

# ---- bad filters: refused naming the field ----------------------------------------
api_status() {
	curl -s -o "$T_TMP/api.out" -w '%{http_code}' -X "${3:-GET}" \
		--unix-socket "$SOCK_r" "http://sluiced$2"
}
bad_filter() {
	local code body
	code=$(api_status r "$1" "${3:-GET}")
	body=$(cat "$T_TMP/api.out")
	[ "$code" = 400 ] && [[ "$body" == *"$2"* ]] || { echo "$code $body"; return 1; }
}
check "GET ?proto=sctp is 400 naming proto" bad_filter "/v1/conntrack?proto=sctp" "proto: 'sctp'"
check "GET ?state=open is 400 naming state" bad_filter "/v1/conntrack?state=open" "state: 'open'"
check "GET ?src=198.18.0.0/33 is 400 naming src" bad_filter "/v1/conntrack?src=198.18.0.0/33" "src: '198.18.0.0/33'"
check "GET ?limit=0 is 400 naming limit" bad_filter "/v1/conntrack?limit=0" "limit: '0'"
check "DELETE ?dst=x is 400 naming dst, nothing flushed" bad_filter "/v1/conntrack?dst=x" "dst: 'x'" DELETE
check "the bad DELETE flushed nothing" ct_total_is r "$after"
check "PUT a bad timeout is 400 naming it" eval \
	'[ "$(curl -s -o "$T_TMP/api.out" -w "%{http_code}" -X PUT -d "{\"timeouts\": {\"close\": 0}}" --unix-socket "$SOCK_r" http://sluiced/v1/conntrack/config)" = 400 ] && grep -q "timeouts.close: 0 is out of range" "$T_TMP/api.out"'
check_fails "sluicectl refuses --proto sctp" sctl r ct show --proto sctp
check_fails "sluicectl refuses an unknown state" sctl r ct timeout frob 5

# ---- runtime settings and the table survive a restart ----------------------------
check "ct timeout unreplied 5" sctl r ct timeout unreplied 5
check "ct disable" sctl r ct disable
check "ct.json written" test -f "$STATE_r/ct.json"
n_before=$(ct_total r)
sluiced_stop r || tap_fail "sluiced stopped cleanly"
sluiced_start "$NS_R" r -c "$T_TMP/r.json" || die "sluiced restart"
cfg=$(sctl r ct config -j)
if "$T_PY" -c '
import json, sys
c = json.loads(sys.argv[1])
sys.exit(not (c["enabled"] is False and c["timeouts"]["unreplied"] == 5
              and c["timeouts"]["time_wait"] == 120))' "$cfg"; then
	tap_ok "restart: ct.json wins over the config (disabled, unreplied 5)"
else
	tap_fail "restart: ct.json wins over the config" "$cfg"
fi
n_after=$(ct_total r)
if [ "$n_before" -ge 2 ] && [ "$n_after" = "$n_before" ] && ct_has r "e.get('dport') == 8080"; then
	tap_ok "restart: the pinned table kept its $n_after entries"
else
	tap_fail "restart: the pinned table kept its entries" "before=$n_before after=$n_after"
fi
# disabled: new traffic is not tracked
ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2 >/dev/null
check_fails "disabled: a new ping makes no entry" ct_has r "e['proto'] == 'icmp'"
check "ct enable" sctl r ct enable
ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2 >/dev/null
check "enabled again: a new ping is tracked" ct_has r "e['proto'] == 'icmp' and e['state'] == 'replied'"

tap_done
