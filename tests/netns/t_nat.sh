#!/usr/bin/env bash
# NAT through sluice with real traffic: client (198.18.1.2, 2001:db8:1::2)
# -- r0 router r1 -- server (198.18.2.2, 2001:db8:2::2), kernel forwarding
# off in the router once the neighbours are warm, so only sluice carries
# packets.  The server answers HTTP with the peer address it sees, and
# iperf3's log names its peers:
#   - SNAT to a pool: curl, iperf3 TCP and UDP, the server sees the pool;
#     `sluicectl ct show` lists the flow, flagged nat;
#   - masquerade: the server sees r1's address;
#   - DNAT: the server, as an outside client, reaches the client's port 80
#     through 198.18.2.1:8080;
#   - NAT66 with curl -6;
#   - bad input refused naming the field, nothing changed;
#   - the rules survive a restart, with --keep-on-exit and without;
#   - r1 deleted and re-created: its rules follow the new ifindex;
#   - `nat del`: new flows are no longer translated.
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced"
check "v4 ping through the kernel" warm "$NS_C" 198.18.2.2
check "v6 ping through the kernel" warm "$NS_C" 2001:db8:2::2
check "v4 ping server -> router" warm "$NS_S" 198.18.2.1
wait_until 5 route_has r 198.18.2.0/24 || tap_fail "route mirrored" "198.18.2.0/24 missing"
kernel_forwarding "$NS_R" off

# ---- servers ----------------------------------------------------------------------
# who.py PORT: HTTP on PORT (IPv4 and IPv6) answering "peer ADDR PORT",
# one line per connection in the log.  No http.server: it resolves its own
# name at start, which hangs without DNS in a namespace.
cat >"$T_TMP/who.py" <<'PYEOF'
import socket, sys, threading
port = int(sys.argv[1])
log = open(sys.argv[2], "a", buffering=1)
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", port))
s.listen(64)
def serve(c, a):
    try:
        c.settimeout(3)
        buf = b""
        while b"\r\n\r\n" not in buf and len(buf) < 8192:
            d = c.recv(4096)
            if not d:
                break
            buf += d
        host = a[0][7:] if a[0].startswith("::ffff:") else a[0]
        log.write("peer %s %d\n" % (host, a[1]))
        body = ("peer %s %d\n" % (host, a[1])).encode()
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n"
                  b"Connection: close\r\n\r\n%s" % (len(body), body))
    except OSError:
        pass
    finally:
        c.close()
while True:
    c, a = s.accept()
    threading.Thread(target=serve, args=(c, a), daemon=True).start()
PYEOF
listening() {
	local out
	out=$(ip netns exec "$1" ss -Hln --"$2" "sport = :$3") || return 1
	[ -n "$out" ]
}
ip netns exec "$NS_S" "$T_PY" "$T_TMP/who.py" 8080 "$T_TMP/who-s.log" >/dev/null 2>&1 &
T_PIDS+=("$!")
ip netns exec "$NS_C" "$T_PY" "$T_TMP/who.py" 80 "$T_TMP/who-c.log" >/dev/null 2>&1 &
T_PIDS+=("$!")
wait_until 10 listening "$NS_S" tcp 8080 || die "http server on the server"
wait_until 10 listening "$NS_C" tcp 80 || die "http server on the client"
ip netns exec "$NS_S" iperf3 -s -D -p 5201 --logfile "$T_TMP/iperf.log" || die "iperf3 server"
wait_until 5 listening "$NS_S" tcp 5201 || die "iperf3 listening"

# peer NS URL [CURL ARGS]: the "ADDR" the server saw, from its answer.
peer() {
	local ns=$1 url=$2 out
	shift 2
	out=$(ip netns exec "$ns" curl -s --max-time 5 "$@" "$url") || return 1
	set -- $out
	[ "${1:-}" = peer ] || return 1
	echo "$2"
}
# peer_is NS URL WANT [CURL ARGS]
peer_is() {
	local ns=$1 url=$2 want=$3 got
	shift 3
	got=$(peer "$ns" "$url" "$@") || { echo "# curl failed"; return 1; }
	[ "$got" = "$want" ] || { echo "# the server saw $got, not $want"; return 1; }
}
nat_json() { sctl r nat show -j; }
# nat_eval PYEXPR: on `nat show -j` as d
nat_eval() {
	local doc
	doc=$(nat_json) || return 1
	"$T_PY" -c 'import json, sys; d = json.loads(sys.argv[1]); sys.exit(not eval(sys.argv[2]))' "$doc" "$1"
}
nat_summary() {
	local doc
	doc=$(nat_json) || return 1
	"$T_PY" -c '
import json, sys
d = json.loads(sys.argv[1])
ev = " ".join("%s=%d" % kv for kv in d["events"].items() if kv[1])
print("rules=%d nat_flows=%s events: %s" % (len(d["rules"]), d["nat_flows"], ev))' "$doc"
}
# rule_id KIND MATCH [IFACE]: the id of the rule of that kind matching
# (src/dst), on IFACE when given
rule_id() {
	local doc
	doc=$(nat_json) || return 1
	"$T_PY" -c '
import json, sys
d = json.loads(sys.argv[1])
print(next(r["id"] for r in d["rules"] if r["type"] == sys.argv[2] and r.get("src", r.get("dst")) == sys.argv[3]
           and sys.argv[4] in ("", r.get("out", r.get("in")))))' "$doc" "$1" "$2" "${3:-}"
}
ct_has() {
	local doc
	doc=$(sctl r ct show -j --limit 10000 "${@:2}") || return 1
	"$T_PY" -c '
import json, sys
d = json.loads(sys.argv[1])
sys.exit(not any(eval(sys.argv[2]) for e in d["entries"]))' "$doc" "$1"
}

# ---- without NAT: the server sees the client ---------------------------------------
check "no rule: the server sees 198.18.1.2" peer_is "$NS_C" http://198.18.2.2:8080/ 198.18.1.2
check "no rule: conntrack is off" nat_eval 'd["conntrack_enabled"] is False and d["rules"] == []'

# ---- SNAT to a pool -------------------------------------------------------------------
check "nat add snat to a pool" sctl r nat add snat --src 198.18.1.0/24 --out r1 \
	--to 198.19.0.10-198.19.0.12 --ports 1024-65535
check "the first rule switched conntrack on (ct config)" eval \
	'[ "$(sctl r ct config -j | "$T_PY" -c "import json,sys; print(json.load(sys.stdin)[\"enabled\"])")" = True ]'
pool_peer() {
	local got
	got=$(peer "$NS_C" http://198.18.2.2:8080/) || return 1
	case $got in 198.19.0.1[0-2]) echo "$got" ;; *) echo "# saw $got"; return 1 ;; esac
}
if got=$(pool_peer); then
	tap_ok "SNAT: curl: the server saw $got (pool 198.19.0.10-12)"
else
	tap_fail "SNAT: curl: the server saw a pool address" "$got; $(nat_summary); $(sctl r stats 2>&1 | head -20)"
fi
check "SNAT: ct show lists the flow, flagged nat" \
	ct_has "e['proto'] == 'tcp' and e['src'] == '198.18.1.2' and e['dport'] == 8080 and 'nat' in e['flags']" --proto tcp
: >"$T_TMP/iperf.log"
if timeout 15 ip netns exec "$NS_C" iperf3 -c 198.18.2.2 -p 5201 -t 2 >"$T_TMP/iperf-tcp.out" 2>&1 &&
	grep -qE 'connected to 198\.19\.0\.1[0-2] port' "$T_TMP/iperf.log"; then
	tap_ok "SNAT: iperf3 TCP: $(grep -E 'receiver' "$T_TMP/iperf-tcp.out" | awk '{print $7, $8}'), server peer $(grep -oE 'connected to [0-9.]+' "$T_TMP/iperf.log" | head -1)"
else
	tap_fail "SNAT: iperf3 TCP, the server sees the pool" "$(tail -5 "$T_TMP/iperf-tcp.out"; grep -E 'connected|Accepted' "$T_TMP/iperf.log")"
fi
: >"$T_TMP/iperf.log"
if timeout 15 ip netns exec "$NS_C" iperf3 -u -b 20M -c 198.18.2.2 -p 5201 -t 2 >"$T_TMP/iperf-udp.out" 2>&1 &&
	grep -qE 'connected to 198\.19\.0\.1[0-2] port' "$T_TMP/iperf.log"; then
	tap_ok "SNAT: iperf3 UDP: $(grep -E 'receiver' "$T_TMP/iperf-udp.out" | awk '{print $7, $8, $11, $12}'), server peer $(grep -oE 'connected to [0-9.]+' "$T_TMP/iperf.log" | tail -1)"
else
	tap_fail "SNAT: iperf3 UDP, the server sees the pool" "$(tail -5 "$T_TMP/iperf-udp.out"; grep -E 'connected|Accepted' "$T_TMP/iperf.log")"
fi
check "SNAT: snat_bound and xlate events counted, nat_flows > 0" \
	nat_eval 'd["events"]["snat_bound"] >= 3 and d["events"]["xlate_reply"] > 0 and d["nat_flows"] >= 1'
echo "# after SNAT: $(nat_summary)"
sctl r nat show | sed 's/^/# /'
sctl r ct show --proto tcp --limit 5 | sed 's/^/# /'
metrics_ok() {
	local m
	m=$(api r /metrics) || return 1
	grep -q '^sluice_nat_rules{kind="snat"} 1$' <<<"$m" &&
		grep -qE '^sluice_nat_events_total\{event="snat_bound"\} [1-9]' <<<"$m" &&
		grep -qE '^sluice_nat_flows [0-9]+$' <<<"$m"
}
check "/metrics: sluice_nat_rules, _events_total, _flows" metrics_ok

# ---- bad input: refused naming the field, nothing changed ----------------------------
rules_before=$(nat_json | "$T_PY" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["rules"]))')
post_nat() {
	curl -s -o "$T_TMP/api.out" -w '%{http_code}' -X POST -d "$1" \
		--unix-socket "$SOCK_r" http://sluiced/v1/nat
}
bad_post() {
	local code body
	code=$(post_nat "$1")
	body=$(cat "$T_TMP/api.out")
	[ "$code" = "$2" ] && [[ "$body" == *"$3"* ]] || { echo "# $code $body"; return 1; }
}
check "POST a reversed pool: 400 naming to" bad_post \
	'{"type":"snat","src":"198.18.3.0/24","out":"r1","to":"198.19.0.12-198.19.0.10"}' 400 "to: '198.19.0.12-198.19.0.10'"
check "POST a pool across families: 400 naming to" bad_post \
	'{"type":"snat","src":"198.18.3.0/24","out":"r1","to":"2001:db8::1"}' 400 "to: '2001:db8::1' is IPv6 and src is IPv4"
check "POST ports 0: 400 naming ports" bad_post \
	'{"type":"snat","src":"198.18.3.0/24","out":"r1","ports":"0-100"}' 400 "ports: '0-100'"
check "POST a bad prefix: 400 naming src" bad_post \
	'{"type":"snat","src":"198.18.3.0/33","out":"r1"}' 400 "src: '198.18.3.0/33'"
check "POST protocol sctp: 400 naming dst" bad_post \
	'{"type":"dnat","in":"r1","dst":"198.18.2.1:80/sctp","to":"198.18.1.2"}' 400 "protocol 'sctp'"
check "POST an unmanaged interface: 400 naming it" bad_post \
	'{"type":"snat","src":"198.18.3.0/24","out":"eth9"}' 400 "out: 'eth9' is not an interface sluiced manages"
check "POST the same rule again: 409" bad_post \
	'{"type":"snat","src":"198.18.1.0/24","out":"r1"}' 409 "already translates"
check_fails "sluicectl refuses --ports 9-1" sctl r nat add snat --src 198.18.3.0/24 --out r1 --ports 9-1
check_fails "sluicectl refuses dnat without --to" sctl r nat add dnat --in r1 --dst 198.18.2.1:80/tcp
check "PUT conntrack off under a rule: 409" eval \
	'[ "$(curl -s -o "$T_TMP/api.out" -w "%{http_code}" -X PUT -d "{\"enabled\": false}" --unix-socket "$SOCK_r" http://sluiced/v1/conntrack/config)" = 409 ]'
rules_after=$(nat_json | "$T_PY" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["rules"]))')
[ "$rules_before" = "$rules_after" ] && tap_ok "the refused requests changed no rule" ||
	tap_fail "the refused requests changed no rule" "$rules_before / $rules_after"

# ---- port exhaustion: two ports, the third flow is refused ------------------------------
# a /32 rule wins over the /24 (longest prefix); the server closes each
# connection at once, and the entries' time_wait (2 min) holds the ports
check "nat add snat 198.18.1.2/32 with two ports" sctl r nat add snat \
	--src 198.18.1.2/32 --out r1 --to 198.19.0.20 --ports 2000-2001
drops0=$(packets r r0 drop_nat_no_port)
check "two ports: the first flow gets 198.19.0.20" peer_is "$NS_C" http://198.18.2.2:8080/ 198.19.0.20
check "two ports: the second flow gets 198.19.0.20" peer_is "$NS_C" http://198.18.2.2:8080/ 198.19.0.20
check_fails "two ports: the third flow to the same server is refused" \
	peer_is "$NS_C" http://198.18.2.2:8080/ 198.19.0.20
drops1=$(packets r r0 drop_nat_no_port)
check "exhaustion: port_exhausted counted" nat_eval 'd["events"]["port_exhausted"] >= 1'
if [ "$((drops1 - drops0))" -ge 1 ]; then
	tap_ok "exhaustion: drop_nat_no_port on r0 (the ingress port) +$((drops1 - drops0)) (curl's SYN and its retries)"
else
	tap_fail "exhaustion: drop_nat_no_port counted on r0" "$drops0 -> $drops1"
fi
check "exhaustion: the server saw two flows from the pool" \
	eval '[ "$(grep -c "^peer 198.19.0.20 " "$T_TMP/who-s.log")" = 2 ]'
check "nat del the two-port rule" sctl r nat del "$(rule_id snat 198.18.1.2/32)"

# ---- masquerade -----------------------------------------------------------------------
sid=$(rule_id snat 198.18.1.0/24)
check "nat del the pool rule" sctl r nat del "$sid"
check "nat add snat masquerade (no --to)" sctl r nat add snat --src 198.18.1.0/24 --out r1
check "masquerade: the server sees r1's address 198.18.2.1" peer_is "$NS_C" http://198.18.2.2:8080/ 198.18.2.1

# ---- NAT66 ----------------------------------------------------------------------------
check "nat add snat IPv6" sctl r nat add snat --src 2001:db8:1::/64 --out r1 --to 2001:db8:99::10
check "NAT66: curl -6, the server sees 2001:db8:99::10" \
	peer_is "$NS_C" "http://[2001:db8:2::2]:8080/" 2001:db8:99::10 -6

# ---- DNAT: port forwarding from outside -------------------------------------------------
check "nat add dnat 198.18.2.1:8080/tcp -> 198.18.1.2:80" \
	sctl r nat add dnat --in r1 --dst 198.18.2.1:8080/tcp --to 198.18.1.2:80
check "DNAT: the outside host reaches the inner server through 198.18.2.1:8080" \
	peer_is "$NS_S" http://198.18.2.1:8080/ 198.18.2.2
check "DNAT: the inner server logged the outside host" grep -q '^peer 198.18.2.2 ' "$T_TMP/who-c.log"
check "nat add dnat IPv6 [2001:db8:2::1]:8080/tcp -> [2001:db8:1::2]:80" \
	sctl r nat add dnat --in r1 --dst "[2001:db8:2::1]:8080/tcp" --to "[2001:db8:1::2]:80"
check "DNAT66: the outside host reaches the inner server through [2001:db8:2::1]:8080" \
	peer_is "$NS_S" "http://[2001:db8:2::1]:8080/" 2001:db8:2::2 -6
check "nat del the IPv6 DNAT rule" sctl r nat del "$(rule_id dnat "[2001:db8:2::1]:8080/tcp" r1)"
check "DNAT: dnat_bound counted" nat_eval 'd["events"]["dnat_bound"] >= 1'
# hairpin: the client, inside, reaches the forwarded address; the flow
# goes back out of r0, so it is masqueraded too (else the client would
# answer itself directly)
check "nat add dnat in r0 (hairpin) 198.18.2.1:8080/tcp -> 198.18.1.2:80" \
	sctl r nat add dnat --in r0 --dst 198.18.2.1:8080/tcp --to 198.18.1.2:80
check "hairpin: the client reaches itself through 198.18.2.1:8080, seen from r0's 198.18.1.1" \
	peer_is "$NS_C" http://198.18.2.1:8080/ 198.18.1.1
check "nat del the hairpin rule" sctl r nat del "$(rule_id dnat 198.18.2.1:8080/tcp r0)"
echo "# after DNAT: $(nat_summary)"
sctl r nat show | sed 's/^/# /'

# ---- restarts: the rules survive ----------------------------------------------------------
check "nat.json written" test -f "$STATE_r/nat.json"
rules_before=$(nat_json | "$T_PY" -c 'import json,sys; print(json.dumps([{k: v for k, v in r.items() if k != "ifindex"} for r in json.load(sys.stdin)["rules"]]))')
restart_keeps() {
	local after
	after=$(nat_json | "$T_PY" -c 'import json,sys; print(json.dumps([{k: v for k, v in r.items() if k != "ifindex"} for r in json.load(sys.stdin)["rules"]]))') || return 1
	[ "$after" = "$rules_before" ] || { echo "# $after"; return 1; }
}
# The first run was started without --keep-on-exit: its stop takes the
# maps away, and the next start (with it) writes the rules from nat.json
# into new maps; that one's stop leaves them pinned, and the last start
# adopts them (the rules it finds there are its own: nothing pruned).
for mode in "stopped without --keep-on-exit" "stopped with --keep-on-exit"; do
	sluiced_stop r || tap_fail "sluiced stopped cleanly"
	if [ "$mode" = "stopped without --keep-on-exit" ]; then
		sluiced_start "$NS_R" r --interface r0 --interface r1 --keep-on-exit || die "restart"
	else
		sluiced_start "$NS_R" r --interface r0 --interface r1 || die "restart"
	fi
	check "restart ($mode): the same rules, the same ids" restart_keeps
	check "restart ($mode): masquerade still translates" \
		peer_is "$NS_C" http://198.18.2.2:8080/ 198.18.2.1
	check "restart ($mode): DNAT still forwards" \
		peer_is "$NS_S" http://198.18.2.1:8080/ 198.18.2.2
done
check "the last start adopted the pinned maps" grep -q "maps adopted from" "$T_TMP/r.log"
check_fails "no rule was pruned as a leftover" grep -qE "removed [0-9]+ rules a previous run left|removing a previous run's rules" "$T_TMP/r.log"

# ---- r1 goes and comes back with a new ifindex: its rules follow ------------------------
old_ifindex=$(ip netns exec "$NS_R" cat /sys/class/net/r1/ifindex)
ip -n "$NS_R" link del r1 || die "link del r1"
check "r1 gone: its rules are out of the data path (nat show: ifindex 0)" \
	wait_until 10 nat_eval 'all(r["ifindex"] == 0 for r in d["rules"] if r.get("out", r.get("in")) == "r1")'
veth "$NS_S" s0 02:00:00:00:02:02 "$NS_R" r1 02:00:00:00:02:01 || die "re-create veth"
ip -n "$NS_R" addr add 198.18.2.1/24 dev r1
ip -n "$NS_R" addr add 2001:db8:2::1/64 dev r1 nodad
ip -n "$NS_S" addr add 198.18.2.2/24 dev s0
ip -n "$NS_S" addr add 2001:db8:2::2/64 dev s0 nodad
ip -n "$NS_S" route add default via 198.18.2.1
ip -n "$NS_S" -6 route add default via 2001:db8:2::1
host_if "$NS_S" s0
new_ifindex=$(ip netns exec "$NS_R" cat /sys/class/net/r1/ifindex)
check "r1 back (ifindex $old_ifindex -> $new_ifindex): its rules written again" \
	wait_until 10 nat_eval "all(r['ifindex'] == $new_ifindex for r in d['rules'] if r.get('out', r.get('in')) == 'r1') and $new_ifindex != $old_ifindex"
check "r1 back: the router reaches the server (v4)" warm "$NS_R" 198.18.2.2
check "r1 back: the router reaches the server (v6)" warm "$NS_R" 2001:db8:2::2
check "r1 back: masquerade translates" peer_is "$NS_C" http://198.18.2.2:8080/ 198.18.2.1
check "r1 back: DNAT forwards" peer_is "$NS_S" http://198.18.2.1:8080/ 198.18.2.2

# ---- nat del: new flows are no longer translated ------------------------------------------
sid=$(rule_id snat 198.18.1.0/24)
check "nat del the masquerade rule" sctl r nat del "$sid"
check "after del: the server sees 198.18.1.2 again" peer_is "$NS_C" http://198.18.2.2:8080/ 198.18.1.2
did=$(rule_id dnat 198.18.2.1:8080/tcp r1)
check "nat del the DNAT rule" sctl r nat del "$did"
check_fails "after del: 198.18.2.1:8080 forwards no more" \
	peer_is "$NS_S" http://198.18.2.1:8080/ 198.18.2.2
echo "# at the end: $(nat_summary)"

# ---- a rule left pinned that nat.json no longer holds is removed at start ---------------
check "NAT66 rule still translates" peer_is "$NS_C" "http://[2001:db8:2::2]:8080/" 2001:db8:99::10 -6
# a v4 rule stays, so the data path still looks for SNAT after the start
check "nat add snat masquerade again" sctl r nat add snat --src 198.18.1.0/24 --out r1
sluiced_stop r || tap_fail "sluiced stopped cleanly"
sluiced_start "$NS_R" r --interface r0 --interface r1 --keep-on-exit || die "restart"
sluiced_stop r || tap_fail "sluiced (--keep-on-exit) stopped cleanly"
# the maps keep both rules; the NAT66 one is taken out of the state file
"$T_PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
d["rules"] = [r for r in d["rules"] if ":" not in r["src"]]
json.dump(d, open(sys.argv[1], "w"))' "$STATE_r/nat.json"
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "restart"
check "start: the pinned rule nat.json lacks was removed (log)" \
	grep -q "nat: removed 1 rules a previous run left" "$T_TMP/r.log"
check "start: the v4 rule alone" nat_eval 'len(d["rules"]) == 1 and d["rules"][0]["src"] == "198.18.1.0/24"'
check "the v4 masquerade still translates" peer_is "$NS_C" http://198.18.2.2:8080/ 198.18.2.1
check "the removed NAT66 rule no longer translates" \
	peer_is "$NS_C" "http://[2001:db8:2::2]:8080/" 2001:db8:1::2 -6

# ---- the config file's nat seeds a start without nat.json; nat.json wins after --------------
sluiced_stop r || tap_fail "sluiced stopped cleanly"
rm -f "$STATE_r/nat.json"
cat >"$T_TMP/r.json" <<EOF
{"interfaces": ["r0", "r1"],
 "nat": [{"type": "snat", "src": "198.18.1.0/24", "out": "r1", "to": "198.19.0.30"}]}
EOF
check "--check-config counts the config's NAT rule" eval \
	'"$SLUICED" -c "$T_TMP/r.json" --state-dir "$STATE_r" --check-config | grep -q "1 NAT rules from the config file"'
sluiced_start "$NS_R" r -c "$T_TMP/r.json" || die "start from the config"
check "config: the rule seeded, id 1" nat_eval 'len(d["rules"]) == 1 and d["rules"][0]["id"] == 1 and d["rules"][0]["to"] == "198.19.0.30"'
check "config: the server sees 198.19.0.30" peer_is "$NS_C" http://198.18.2.2:8080/ 198.19.0.30
check "nat del 1" sctl r nat del 1
sluiced_stop r || tap_fail "sluiced stopped cleanly"
sluiced_start "$NS_R" r -c "$T_TMP/r.json" || die "restart with the config"
check "restart: nat.json (no rules) wins over the config's rule" nat_eval 'd["rules"] == []'
check "restart: the server sees 198.18.1.2" peer_is "$NS_C" http://198.18.2.2:8080/ 198.18.1.2

tap_done
