#!/usr/bin/env bash
# The stateful firewall over real traffic: client -- router (sluiced,
# conntrack on, kernel forwarding off) -- server.  A download from the
# server is running when the server side's "in" rules become "accept
# established,related, drop the rest": the download goes on to its end,
# new connections from the client still work (their answers are
# established), and a new connection the server opens towards the client
# is dropped at its SYN (drop_fw_policy counted).  A ping from the client
# is answered (the echo reply is established); one from the server is not.
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
echo '{"interfaces": ["r0", "r1"], "conntrack": {"enabled": true}}' >"$T_TMP/r.json"
sluiced_start "$NS_R" r -c "$T_TMP/r.json" || die "sluiced"
check "ping through the kernel" warm "$NS_C" 198.18.2.2
wait_until 5 route_has r 198.18.2.0/24 || tap_fail "route mirrored" "198.18.2.0/24 missing"
kernel_forwarding "$NS_R" off

# servers: a slow body (1 MB over about 8 s) on the server, a plain one on
# the client (for the connection the server opens)
printf '%s\n' \
	'import socket, sys, threading, time' \
	'def serve(c, slow):' \
	'    try:' \
	'        c.recv(4096)' \
	'        body = b"x" * (1 << 20) if slow else b"hello\n"' \
	'        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))' \
	'        step = 1 << 17' \
	'        for i in range(0, len(body), step):' \
	'            c.sendall(body[i:i + step])' \
	'            if slow:' \
	'                time.sleep(1)' \
	'    except OSError:' \
	'        pass' \
	'    finally:' \
	'        c.close()' \
	's = socket.socket()' \
	's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)' \
	's.bind((sys.argv[1], int(sys.argv[2])))' \
	's.listen(16)' \
	'while True:' \
	'    c, _ = s.accept()' \
	'    threading.Thread(target=serve, args=(c, sys.argv[3] == "slow"), daemon=True).start()' \
	>"$T_TMP/srv.py"
ip netns exec "$NS_S" timeout 300 "$T_PY" "$T_TMP/srv.py" 198.18.2.2 8080 slow >/dev/null 2>&1 &
T_PIDS+=("$!")
ip netns exec "$NS_S" timeout 300 "$T_PY" "$T_TMP/srv.py" 198.18.2.2 8081 fast >/dev/null 2>&1 &
T_PIDS+=("$!")
ip netns exec "$NS_C" timeout 300 "$T_PY" "$T_TMP/srv.py" 198.18.1.2 8082 fast >/dev/null 2>&1 &
T_PIDS+=("$!")
sleep 0.5

check "before the rules: the server reaches the client" \
	ip netns exec "$NS_S" curl -sf -m 3 -o /dev/null http://198.18.1.2:8082/

# the download runs; then the rules come
ip netns exec "$NS_C" curl -s -m 30 -o "$T_TMP/body" -w '%{http_code} %{size_download}\n' \
	http://198.18.2.2:8080/ >"$T_TMP/dl" 2>&1 &
dl=$!
sleep 2
check "fw add r1 in --state established,related --action accept" \
	sctl r fw add r1 in --state established,related --action accept
check "fw policy r1 in drop" sctl r fw policy r1 in drop

wait "$dl"
read -r code size <"$T_TMP/dl"
[ "$code" = 200 ] && [ "$size" = 1048576 ] &&
	tap_ok "the download running when the rules came finished (1 MiB)" ||
	tap_fail "the established download went on" "$(cat "$T_TMP/dl")"
check "a new connection from the client works (its answers are established)" \
	ip netns exec "$NS_C" curl -sf -m 3 -o /dev/null http://198.18.2.2:8081/
policy0=$(api_json r /v1/stats "sum(x['packets'] for i in d['interfaces'] if i['name'] == 'r1' for x in i['reasons'] if x['reason'] == 'drop_fw_policy') or '0'" 2>/dev/null || echo 0)
check_fails "a new connection from the server is dropped at its SYN" \
	ip netns exec "$NS_S" curl -sf -m 2 -o /dev/null http://198.18.1.2:8082/
policy1=$(api_json r /v1/stats "sum(x['packets'] for i in d['interfaces'] if i['name'] == 'r1' for x in i['reasons'] if x['reason'] == 'drop_fw_policy') or '0'" 2>/dev/null || echo 0)
[ "${policy1:-0}" -gt "${policy0:-0}" ] &&
	tap_ok "drop_fw_policy counted on r1 ($policy0 -> $policy1)" ||
	tap_fail "drop_fw_policy counted" "$policy0 -> $policy1"
check "the client's ping is answered (the reply is established)" \
	ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2
check_fails "the server's ping is not" \
	ip netns exec "$NS_S" ping -c 2 -i 0.2 -W 1 198.18.1.2
ct_doc=$(sctl r ct show -j --proto tcp --limit 1000)
n=$("$T_PY" -c '
import json, sys
d = json.loads(sys.argv[1])
print(sum(1 for e in d["entries"] if e["dport"] == 8080 and e["src"] == "198.18.1.2"))' "$ct_doc")
[ "${n:-0}" -ge 1 ] && tap_ok "ct show has the download's flow" ||
	tap_fail "ct show has the download's flow" "$ct_doc"
tap_done
