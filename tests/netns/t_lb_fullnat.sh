#!/usr/bin/env bash
# A full-NAT VIP (vip add --mode fullnat --backend-port 8080): client --
# router (sluiced, conntrack on, kernel forwarding off) -- two backends
# that know nothing of the VIP (no decapsulation, no VIP on lo).  Real
# HTTP requests to the VIP's port 80 reach the backends' 8080 from the
# router's address and their answers come back to the client from the
# VIP; both backends get flows.  A VIP with --backend-port but without
# fullnat, or with a backend of the other family, is refused naming the
# field; with conntrack off, a fullnat VIP is refused saying why;
# `sluicectl trace` shows the VIP, the backend and the translated source;
# the VIP survives a restart and still answers.
. "$(dirname "$0")/lib.sh"

VIP=198.18.100.1
topo_basic || die "topology"
ip -n "$NS_S" addr add 198.18.2.3/24 dev s0
echo '{"interfaces": ["r0", "r1"], "conntrack": {"enabled": true}}' >"$T_TMP/r.json"
sluiced_start "$NS_R" r -c "$T_TMP/r.json" || die "sluiced"
check "ping through the kernel" warm "$NS_C" 198.18.2.2
wait_until 5 route_has r 198.18.2.0/24 || tap_fail "route mirrored" "198.18.2.0/24 missing"
warm "$NS_R" 198.18.2.3 || die "second backend address"

# the backends: each answers with the address it saw the request from
printf '%s\n' \
	'import socket, sys, threading' \
	'def serve(c, peer):' \
	'    try:' \
	'        c.settimeout(3)' \
	'        buf = b""' \
	'        while b"\r\n\r\n" not in buf and len(buf) < 8192:' \
	'            d = c.recv(4096)' \
	'            if not d:' \
	'                break' \
	'            buf += d' \
	'        body = ("%s %s\n" % (sys.argv[1], peer[0])).encode()' \
	'        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n"' \
	'                  b"Connection: close\r\n\r\n%s" % (len(body), body))' \
	'    except OSError:' \
	'        pass' \
	'    finally:' \
	'        c.close()' \
	's = socket.socket()' \
	's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)' \
	's.bind((sys.argv[1], 8080))' \
	's.listen(64)' \
	'while True:' \
	'    c, peer = s.accept()' \
	'    threading.Thread(target=serve, args=(c, peer), daemon=True).start()' \
	>"$T_TMP/peer.py"
for a in 198.18.2.2 198.18.2.3; do
	ip netns exec "$NS_S" timeout 300 "$T_PY" "$T_TMP/peer.py" "$a" >/dev/null 2>&1 &
	T_PIDS+=("$!")
done
kernel_forwarding "$NS_R" off

# ---- refused ------------------------------------------------------------------
out=$(sctl r vip add $VIP:81/tcp --backend-port 8080 2>&1)
grep -q "backend_port: 8080: only a fullnat VIP translates ports" <<<"$out" &&
	tap_ok "--backend-port without --mode fullnat is refused naming the field" ||
	tap_fail "--backend-port without fullnat refused" "$out"
out=$(curl -s --unix-socket "$SOCK_r" -X POST -d "{\"address\":\"$VIP\",\"port\":82,\"protocol\":\"tcp\",\"mode\":\"fullnat\",\"backends\":[{\"address\":\"2001:db8:2::2\"}]}" http://sluiced/v1/vips)
grep -q "backends\[0\].address: 2001:db8:2::2 is not of the VIP's family" <<<"$out" &&
	tap_ok "a fullnat VIP with a backend of the other family is refused" ||
	tap_fail "other family refused" "$out"
sctl r ct disable >/dev/null || tap_fail "ct disable"
out=$(sctl r vip add $VIP:83/tcp --mode fullnat 2>&1)
grep -q "fullnat needs connection tracking" <<<"$out" &&
	tap_ok "with conntrack off, a fullnat VIP is refused saying why" ||
	tap_fail "fullnat without conntrack refused" "$out"
sctl r ct enable >/dev/null || tap_fail "ct enable"
n=$(api_json r /v1/vips "len(d['vips'])" 2>/dev/null || echo "?")
[ "$n" = 0 ] && tap_ok "nothing was added by the refused requests" ||
	tap_fail "nothing added" "vips: $n"

# ---- the VIP ------------------------------------------------------------------
check "vip add --mode fullnat --backend-port 8080" \
	sctl r vip add $VIP:80/tcp --mode fullnat --backend-port 8080
for a in 198.18.2.2 198.18.2.3; do
	check "backend add $a" sctl r backend add $VIP:80/tcp $a
done
mode=$(api_json r /v1/vips "d['vips'][0]['mode'] + ' ' + str(d['vips'][0]['backend_port'])")
[ "$mode" = "fullnat 8080" ] && tap_ok "vip show: mode fullnat, backend_port 8080" ||
	tap_fail "vip show" "$mode"
backends_up() {
	[ "$(api_json r /v1/vips "sum(1 for b in d['vips'][0]['backends'] if b['health'] == 'up')")" = 2 ]
}
wait_until 10 backends_up || tap_fail "health checks on the backends' 8080" "$(sctl r vip show)"

# requests N: N HTTP requests (3 s each at most); prints how many answered
requests() {
	local i body ok=0
	: >"$T_TMP/bodies"
	for i in $(seq 1 "$1"); do
		body=$(ip netns exec "$NS_C" curl -s -m 3 "http://$VIP/") || continue
		echo "$body" >>"$T_TMP/bodies"
		ok=$((ok + 1))
	done
	echo "$ok"
}
ok=$(requests 20)
echo "# $ok of 20 requests to the VIP answered; what the backends saw:"
sort "$T_TMP/bodies" | uniq -c | sed 's/^/#   /'
[ "$ok" = 20 ] && tap_ok "20 of 20 HTTP requests to the VIP answered" ||
	tap_fail "HTTP through the fullnat VIP" "$ok of 20"
peers=$(awk '{print $2}' "$T_TMP/bodies" | sort -u | tr '\n' ' ')
[ "$peers" = "198.18.2.1 " ] &&
	tap_ok "the backends saw the router's address (198.18.2.1), never the client's" ||
	tap_fail "source translated" "backends saw: $peers"
n_be=$(awk '{print $1}' "$T_TMP/bodies" | sort -u | wc -l)
[ "$n_be" = 2 ] && tap_ok "both backends got flows" ||
	tap_fail "both backends got flows" "$(awk '{print $1}' "$T_TMP/bodies" | sort | uniq -c)"
ct_doc=$(sctl r ct show -j --proto tcp --limit 1000)
nat_flows=$("$T_PY" -c '
import json, sys
d = json.loads(sys.argv[1])
print(sum(1 for e in d["entries"] if e["dport"] == 80))' "$ct_doc")
[ "${nat_flows:-0}" -ge 1 ] && tap_ok "ct show lists the VIP's flows ($nat_flows)" ||
	tap_fail "ct show lists the VIP's flows" "$nat_flows"

# ---- sluicectl trace: the full-NAT decision as an operator reads it ------------
# the client's SYN as received (to the VIP's 80), the backend as the frame
# left (its 8080), the source translated to the router's address
nsenter --net="/var/run/netns/$NS_R" "$SLUICECTL" trace --pin-dir "$PIN_r" \
	--dst $VIP --proto tcp --count 1 >"$T_TMP/trace.out" 2>"$T_TMP/trace.err" &
trace_pid=$!
T_PIDS+=("$trace_pid")
wait_until 5 grep -q "trace: on" "$T_TMP/trace.err" || tap_fail "trace on" "$(cat "$T_TMP/trace.err")"
ip netns exec "$NS_C" curl -s -m 3 -o /dev/null "http://$VIP/"
wait_until 10 bash -c "! kill -0 $trace_pid" || kill "$trace_pid" 2>/dev/null
line=$(head -1 "$T_TMP/trace.out")
echo "# trace: $line"
grep -qE "> $VIP:80 tcp .* fwd_[a-z_]+ .*vip $VIP:80/tcp \(id [0-9]+\) backend 198\.18\.2\.[23]:8080 \(id [0-9]+\).* nat src 198\.18\.2\.1:[0-9]+" <<<"$line" &&
	tap_ok "trace: the VIP as received, the backend's 8080 as sent, nat src the router" ||
	tap_fail "trace shows the full-NAT decision" "$line $(cat "$T_TMP/trace.err")"

# ---- a restart keeps it -------------------------------------------------------
sluiced_stop r || tap_fail "stop"
sluiced_start "$NS_R" r -c "$T_TMP/r.json" || die "sluiced again"
# conntrack's settings are restored before the VIPs: no false alarm
check "after a restart: no 'connection tracking off' warning for the VIP" \
	sh -c "! grep -q 'fullnat VIP with connection tracking off' '$T_TMP/r.log'"
kernel_forwarding "$NS_R" off
wait_until 10 backends_up || tap_fail "backends up again" "$(sctl r vip show)"
ok=$(requests 10)
[ "$ok" = 10 ] && tap_ok "after a restart: 10 of 10 requests answered" ||
	tap_fail "after a restart" "$ok of 10"
tap_done
