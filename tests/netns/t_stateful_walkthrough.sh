#!/usr/bin/env bash
# The stateful layer as a new user meets it: the `sluicectl` lines of
# README's "Stateful layer" block and of docs/stateful.md's walkthrough are
# read from the documents themselves and run as written (only the API
# socket and the blocklist file's path are this test's), on a router whose
# ports have the documents' names:
#
#   client c (198.18.1.2, and the inner server 198.18.1.5) -- eth0
#   router (sluiced) eth1 -- upstream u (198.19.0.2; eth1 is 198.19.0.1)
#                    eth2 -- backend b (198.18.2.2)
#
# Then what the documents promise, over real traffic: masquerade (also to
# an upstream host whose neighbour is not resolved yet), the port forward,
# the full-NAT VIP, `ct show|count|flush` with the issue's filters and
# their REST forms (a misspelt filter refused, never a flush of all), the
# firewall line of the issue (ports without a protocol), the blocklist,
# the gauges by state and protocol, the heaviest sources over 80 % full,
# and everything set surviving a restart.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# ---- topology: the documents' interface names -----------------------------------
netns_add NS_C c && netns_add NS_R r && netns_add NS_U u && netns_add NS_B b ||
	die "namespaces"
veth "$NS_C" c0 02:00:00:31:01:02 "$NS_R" eth0 02:00:00:31:01:01 || die "veth c"
veth "$NS_U" u0 02:00:00:31:02:02 "$NS_R" eth1 02:00:00:31:02:01 || die "veth u"
veth "$NS_B" b0 02:00:00:31:03:02 "$NS_R" eth2 02:00:00:31:03:01 || die "veth b"
ip -n "$NS_C" addr add 198.18.1.2/24 dev c0
ip -n "$NS_C" addr add 198.18.1.5/24 dev c0
ip -n "$NS_R" addr add 198.18.1.1/24 dev eth0
ip -n "$NS_R" addr add 198.19.0.1/24 dev eth1
ip -n "$NS_R" addr add 198.18.2.1/24 dev eth2
ip -n "$NS_U" addr add 198.19.0.2/24 dev u0
ip -n "$NS_B" addr add 198.18.2.2/24 dev b0
ip -n "$NS_C" route add default via 198.18.1.1
ip -n "$NS_B" route add default via 198.18.2.1
# the upstream knows no route to the inside: only masquerade answers
ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1
host_if "$NS_C" c0 && host_if "$NS_U" u0 && host_if "$NS_B" b0 || die "offloads"

# servers: HTTP answering "NAME peer ADDR" (the source they see)
cat >"$T_TMP/srv.py" <<'EOF'
import socket, sys, threading
name = sys.argv[1].encode()
def serve(c, a):
    try:
        c.settimeout(3)
        buf = b""
        while b"\r\n\r\n" not in buf and len(buf) < 8192:
            d = c.recv(4096)
            if not d:
                break
            buf += d
        body = name + b" peer " + a[0].encode() + b"\n"
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n"
                  b"Connection: close\r\n\r\n%s" % (len(body), body))
    except OSError:
        pass
    finally:
        c.close()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[2], int(sys.argv[3])))
s.listen(64)
while True:
    c, a = s.accept()
    threading.Thread(target=serve, args=(c, a), daemon=True).start()
EOF
srv() { # NS NAME ADDR PORT
	ip netns exec "$1" "$T_PY" "$T_TMP/srv.py" "$2" "$3" "$4" \
		>>"$T_TMP/srv-$2.log" 2>&1 &
	T_PIDS+=("$!")
}
srv "$NS_U" upstream 198.19.0.2 80
# port 7000: accepts and keeps the connection open, reading
ip netns exec "$NS_U" "$T_PY" -c '
import socket, threading
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.19.0.2", 7000))
s.listen(8)
def hold(c):
    while c.recv(4096):
        pass
while True:
    c, _ = s.accept()
    threading.Thread(target=hold, args=(c,), daemon=True).start()
' >"$T_TMP/held.log" 2>&1 &
T_PIDS+=("$!")
srv "$NS_C" inner 198.18.1.5 80
srv "$NS_B" backend 198.18.2.2 8080
# a connection kept open (established) from the client to the upstream
cat >"$T_TMP/hold.py" <<'EOF'
import socket, sys, time
s = socket.create_connection(("198.19.0.2", 7000), timeout=5)
s.sendall(b"hello")
time.sleep(int(sys.argv[1]))
EOF

cat >"$T_TMP/r.json" <<EOF
{"interfaces": ["eth0", "eth1", "eth2"],
 "conntrack": {"max_entries": 1024, "debug_fill": true}}
EOF
sluiced_start "$NS_R" r -c "$T_TMP/r.json" || die "sluiced"
for a in 198.18.1.2 198.19.0.2 198.18.2.2; do
	warm "$NS_R" "$a" || die "ping $a from the router"
done

# doc_lines FILE START: the `sluicectl` lines of the first ```sh block
# after the line START (comments and blank lines left out)
doc_lines() {
	awk -v start="$2" '
		$0 == start { found = 1; next }
		found && /^```sh/ { inblock = 1; next }
		inblock && /^```/ { exit }
		inblock && /^sluicectl / { print }' "$1"
}
# run_doc_line LINE: a document's line as written, against this daemon
run_doc_line() {
	local line=$1 args
	line=${line%%#*}
	line=${line//\/etc\/sluice\/blocklist.txt/$T_TMP/blocklist.txt}
	read -r -a args <<<"${line#sluicectl }"
	sctl r "${args[@]}"
}
printf '# one prefix a line\n198.18.66.0/24\n198.18.67.0/24\n' >"$T_TMP/blocklist.txt"

# ---- README's block --------------------------------------------------------------
mapfile -t readme < <(doc_lines "$ROOT/README.md" "## Stateful layer")
[ "${#readme[@]}" -ge 3 ] || tap_fail "README's stateful block found" "${#readme[@]} lines"
for l in "${readme[@]}"; do
	check "README: $l" run_doc_line "$l"
done
# undone, so that the walkthrough starts where a new user would
nat_ids=$(sctl r -j nat | "$T_PY" -c 'import json,sys; print(" ".join(str(r["id"]) for r in json.load(sys.stdin)["rules"]))')
for id in $nat_ids; do sctl r nat del "$id" >/dev/null; done
sctl r vip del 198.18.100.1:80/tcp >/dev/null
blocked=$(sctl r -j block | "$T_PY" -c 'import json,sys; print(" ".join(e["prefix"] for e in json.load(sys.stdin)["entries"]))')
for p in $blocked; do sctl r block del "$p" >/dev/null; done

# ---- docs/stateful.md's walkthrough -------------------------------------------------
mapfile -t walk < <(doc_lines "$ROOT/docs/stateful.md" "## Walkthrough")
[ "${#walk[@]}" -ge 10 ] || tap_fail "stateful.md's walkthrough found" "${#walk[@]} lines"
for l in "${walk[@]}"; do
	check "stateful.md: $l" run_doc_line "$l"
done

# ---- the traffic it sets up ----------------------------------------------------------
body_has() { # NS URL NEEDLE: the body contains NEEDLE
	local out
	out=$(ip netns exec "$1" curl -s --max-time 3 "$2") || return 1
	[[ $out == *"$3"* ]]
}
check "masquerade: the upstream sees eth1's address" \
	wait_until 10 body_has "$NS_C" http://198.19.0.2/ "upstream peer 198.19.0.1"
# an upstream host the router has no neighbour for yet: the first SYN goes
# to the kernel untranslated; the flow must not stay so
ip -n "$NS_R" neigh flush dev eth1
neigh_gone() { ! sctl r neigh | grep -qw 198.19.0.2; }
wait_until 5 neigh_gone || tap_fail "the router's neighbour 198.19.0.2 flushed"
unres0=$(sctl r -j nat | "$T_PY" -c 'import json,sys; print(json.load(sys.stdin)["events"].get("unresolved", 0))')
out=$(ip netns exec "$NS_C" curl -s --max-time 8 -w '\n%{time_connect}' http://198.19.0.2/)
tconn=${out##*$'\n'}
unres1=$(sctl r -j nat | "$T_PY" -c 'import json,sys; print(json.load(sys.stdin)["events"].get("unresolved", 0))')
if [[ $out == *"upstream peer 198.19.0.1"* ]]; then
	tap_ok "masquerade to a neighbour not yet resolved: the connection succeeds, translated"
else
	tap_fail "masquerade to a neighbour not yet resolved: the connection succeeds, translated" \
		"got '$out'; $(sctl r ct show --dst 198.19.0.2 | tr '\n' '|')"
fi
# its first SYN went by the kernel (event unresolved) and was translated
# at egress: connected without a retransmission (1 s)
if [ "$((unres1 - unres0))" -ge 1 ] && "$T_PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 0.9 else 1)' "$tconn"; then
	tap_ok "... from its first SYN (unresolved +$((unres1 - unres0)), connected in ${tconn}s)"
else
	tap_fail "... from its first SYN" "unresolved $unres0 -> $unres1, connected in ${tconn}s"
fi
check "the port forward: 198.19.0.1:8080 from outside reaches 198.18.1.5:80" \
	body_has "$NS_U" http://198.19.0.1:8080/ "inner peer 198.19.0.2"
check "the full-NAT VIP: the backend's 8080, seen from the router's eth2" \
	wait_until 10 body_has "$NS_C" http://198.18.100.1/ "backend peer 198.18.2.1"

# ---- conntrack: the issue's lines --------------------------------------------------
ip netns exec "$NS_C" "$T_PY" "$T_TMP/hold.py" 60 >/dev/null 2>&1 &
T_PIDS+=("$!")
ct_json() { sctl r -j ct show --limit 10000 "$@"; }
est_listed() {
	local doc
	doc=$(ct_json --state established --proto tcp) || return 1
	"$T_PY" -c '
import json, sys
d = json.loads(sys.argv[1])
ok = any(e["dport"] == 7000 and e["src"] == "198.18.1.2" and "nat" in e["flags"]
         for e in d["entries"])
ok = ok and all(e["state"] == "established" and e["proto"] == "tcp" for e in d["entries"])
sys.exit(0 if ok else 1)' "$doc"
}
check "ct show --state established --proto tcp: the held connection (nat), nothing else" \
	wait_until 10 est_listed
out=$(sctl r ct show --state established --proto tcp) || out=""
if [[ $out == PROTO*STATE*FLOW* && $out == *"198.18.1.2:"*" -> 198.19.0.2:7000"*"replied,nat"* ]]; then
	tap_ok "ct show's text: the header and the flow as docs/conntrack.md shows them"
else
	tap_fail "ct show's text: the header and the flow as docs/conntrack.md shows them" "$out"
fi
count_agrees() {
	local c s
	c=$(sctl r -j ct count) && s=$(ct_json) || return 1
	"$T_PY" -c '
import json, sys
c, s = json.loads(sys.argv[1]), json.loads(sys.argv[2])
by = sum(v["total"] for v in c["by_class"].values())
# the health checks of the VIP open and close flows meanwhile
sys.exit(0 if c["total"] == by and abs(by - len(s["entries"])) <= 3 and by > 0 else 1)' "$c" "$s"
}
check "ct count: total = the sum by class, and the walk's count (within 3)" wait_until 5 count_agrees
check "ct count's text: the totals line" sh -c "'$SLUICECTL' --api unix:$SOCK_r ct count | head -1 | grep -q '^total [0-9]*  capacity 1024  fill '"

# REST: the same filters
rest() { curl -s --unix-socket "$SOCK_r" -w '\n%{http_code}' "$@"; }
out=$(rest 'http://sluiced/v1/conntrack?limit=5&src=198.18.1.0/24&dst=198.19.0.2&proto=tcp&state=established')
code=${out##*$'\n'}
if [ "$code" = 200 ] && [[ $out == *'"dport":7000'* ]]; then
	tap_ok "GET /v1/conntrack?limit=&src=&dst=&proto=&state="
else
	tap_fail "GET /v1/conntrack?limit=&src=&dst=&proto=&state=" "$out"
fi
out=$(rest http://sluiced/v1/conntrack/count)
[ "${out##*$'\n'}" = 200 ] && [[ $out == *'"by_class"'* ]] &&
	tap_ok "GET /v1/conntrack/count" || tap_fail "GET /v1/conntrack/count" "$out"
before=$(sctl r -j ct count | "$T_PY" -c 'import json,sys; print(json.load(sys.stdin)["total"])')
out=$(rest -X DELETE 'http://sluiced/v1/conntrack?srcc=198.18.77.0/24')
after=$(sctl r -j ct count | "$T_PY" -c 'import json,sys; print(json.load(sys.stdin)["total"])')
if [ "${out##*$'\n'}" = 400 ] && [[ $out == *"srcc: unknown parameter"* ]] &&
	[ "$after" -gt 0 ] && est_listed; then
	tap_ok "DELETE /v1/conntrack?srcc=...: 400 naming it, nothing flushed ($before, $after entries)"
else
	tap_fail "DELETE /v1/conntrack?srcc=...: 400 naming it, nothing flushed" \
		"$out; $before then $after entries"
fi
out=$(rest -X DELETE 'http://sluiced/v1/conntrack?src=198.18.77.0/24&proto=udp')
[ "${out##*$'\n'}" = 200 ] && [[ $out == *'"flushed":0'* ]] &&
	tap_ok "DELETE /v1/conntrack?src=&proto=: a filter matching nothing flushes nothing" ||
	tap_fail "DELETE /v1/conntrack?src=&proto=: a filter matching nothing flushes nothing" "$out"
check_fails "ct show --src 198.18.0.0/33 is refused" sctl r ct show --src 198.18.0.0/33
check_fails "ct flush --proto sctp is refused" sctl r ct flush --proto sctp
out=$(sctl r ct flush --src 198.18.2.0/24 2>&1)
[[ $out == "flushed "*" entries" ]] && tap_ok "ct flush --src P: '$out'" ||
	tap_fail "ct flush --src P" "$out"

# ---- gauges by state and protocol ----------------------------------------------------
m=$(api r /metrics) || m=""
if [[ $m == *'sluice_ct_entries{proto="tcp",state="established"} '[1-9]* ]]; then
	tap_ok "/metrics: sluice_ct_entries{proto,state} counts the held connection"
else
	tap_fail "/metrics: sluice_ct_entries{proto,state} counts the held connection" \
		"$(grep '^sluice_ct_entries{proto="tcp"' <<<"$m" | tr '\n' ' ')"
fi

# ---- the firewall line of the issue: ports without a protocol -------------------------
out=$(sctl r fw add eth0 in --src 198.18.1.0/24 --dport 8000-8100 --state new,established --action reject --position 1 2>&1)
if [[ $out == "rule "*" on eth0 in: src 198.18.1.0/24 dport 8000-8100 state new,established -> reject" ]]; then
	tap_ok "fw add IFACE in --src P --dport N-M --state new,established --action reject --position 1"
else
	tap_fail "fw add IFACE in --src P --dport N-M --state new,established --action reject --position 1" "$out"
fi
srv "$NS_U" fwtest 198.19.0.2 8050
listening() { ip netns exec "$NS_U" ss -Hltn 'sport = :8050' | grep -q 8050; }
wait_until 5 listening
ip netns exec "$NS_C" curl -s --max-time 3 http://198.19.0.2:8050/ >/dev/null
rc=$?
[ "$rc" = 7 ] && tap_ok "that rule rejects TCP to 8050 (curl: connection refused)" ||
	tap_fail "that rule rejects TCP to 8050 (curl: connection refused)" "curl exit $rc"
check "... and not ICMP (ping passes)" ip netns exec "$NS_C" ping -c 1 -W 2 198.19.0.2
check "... nor TCP to port 80" body_has "$NS_C" http://198.19.0.2/ "upstream peer"

# ---- the blocklist with expiry ------------------------------------------------------
check "block add 198.18.7.0/24 --expire 3600" sctl r block add 198.18.7.0/24 --expire 3600
out=$(sctl r block)
[[ $out == *"198.18.66.0/24"*"198.18.7.0/24"*"expires in "* || $out == *"198.18.7.0/24"*"expires in"*"198.18.66.0/24"* ]] &&
	tap_ok "block show: the loaded file and the entry with its expiry" ||
	tap_fail "block show: the loaded file and the entry with its expiry" "$out"

# ---- everything set survives a restart -------------------------------------------------
snapshot_state() { # FILE
	{
		sctl r -j nat | "$T_PY" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["rules"], sort_keys=True))'
		sctl r -j vip | "$T_PY" -c '
import json, sys
d = json.load(sys.stdin)
vips = d if isinstance(d, list) else d.get("vips", d)
print(json.dumps([{k: v.get(k) for k in ("id", "mode", "backend_port")} for v in vips], sort_keys=True))'
		sctl r -j ddos | "$T_PY" -c '
import json, sys
d = json.load(sys.stdin)
for k in ("buckets", "cookie_flows"):
    d.pop(k, None)
for s in d.get("services", []):
    for k in ("syn_rate", "switches", "cookies"):
        s.pop(k, None)
print(json.dumps(d, sort_keys=True))'
		sctl r -j block | "$T_PY" -c 'import json,sys; print(sorted(e["prefix"] for e in json.load(sys.stdin)["entries"]))'
		sctl r -j fw show | "$T_PY" -c '
import json, sys
d = json.load(sys.stdin)
print(json.dumps([{k: v for k, v in r.items() if k not in ("packets", "bytes", "ifindex")} for r in d["rules"]], sort_keys=True))'
		sctl r ct config | grep -v "state write"
	} >"$1"
}
snapshot_state "$T_TMP/before" || tap_fail "state read before the restart"
sluiced_stop r || true
sluiced_start "$NS_R" r -c "$T_TMP/r.json" || die "sluiced restart"
snapshot_state "$T_TMP/after" || tap_fail "state read after the restart"
if diff "$T_TMP/before" "$T_TMP/after" >"$T_TMP/diff"; then
	tap_ok "a restart keeps conntrack's switch and timeouts, NAT rules, the VIP, the DDoS settings and services, the blocklist, the firewall ($(wc -l <"$T_TMP/before") lines compared)"
else
	tap_fail "a restart keeps everything set" "$(tr '\n' '|' <"$T_TMP/diff")"
fi
check "after the restart: masquerade still works" \
	wait_until 10 body_has "$NS_C" http://198.19.0.2/ "upstream peer 198.19.0.1"

# ---- over 80 % full: the heaviest sources in /metrics ------------------------------------
# the fill's synthetic flows come from a few /24s (tests only,
# conntrack.debug_fill); the walk runs at most every 10 s
check "fill the table to over 80 %" curl -sf --unix-socket "$SOCK_r" \
	-X POST -d '{"count": 900, "seed": 1}' http://sluiced/v1/conntrack/fill
top_shown() {
	local m
	m=$(api r /metrics) || return 1
	[[ $m == *'sluice_ct_top_sources{prefix="'*'/24"} '[1-9]* ]]
}
check "/metrics: sluice_ct_top_sources{prefix} once over 80 % full" wait_until 25 top_shown

# enabling conntrack attaches the egress programs: the kernel's answers to
# what lib/dp expects (a clsact already there, no filter yet) are no
# warnings for the user
if grep -q "warn .*libbpf: Kernel error message" "$T_TMP/r.log"; then
	tap_fail "the daemon's log: no libbpf netlink warnings for expected answers" \
		"$(grep "libbpf: Kernel error message" "$T_TMP/r.log" | sort | uniq -c | head -3 | tr '\n' '|')"
else
	tap_ok "the daemon's log: no libbpf netlink warnings for expected answers"
fi

tap_done
