#!/usr/bin/env bash
# Steering to an AF_XDP socket with real traffic: client (198.18.1.2,
# 2001:db8:1::2) -- r0 router.  sluiced runs on the router with a
# selector for UDP port 7777; tests/tools/steer_rx, a copy-mode AF_XDP
# receiver that registers its socket in sluiced's pinned XSKMAP with
# libbpf alone (uapi/sluice/steer.h), answers what it gets:
#   - UDP to 7777 (v4 and v6) reaches the receiver and comes back with
#     the exact payload, while a kernel UDP server on the same port sees
#     nothing; UDP to 7778, ping, ARP and a TCP service on the router keep
#     being answered by the kernel;
#   - `steer show` counts matched/redirected and lists r0's queue 0;
#   - the receiver gone (its key deleted), UDP to 7777 falls back to the
#     kernel's server and no_socket counts exactly those datagrams;
#   - bad input refused naming the field and value, nothing changed;
#   - the selector survives a sluiced restart (steer.json);
#   - a --vip selector takes UDP to any port of the address, not ping;
#     `steer del`.
. "$(dirname "$0")/lib.sh"

STEER_RX="$(dirname "$SLUICED")/tests/tools/steer_rx"
[ -x "$STEER_RX" ] || die "no $STEER_RX (make all)"

topo_basic || die "topology"
# the client's checksums complete: a frame XDP hands to a socket keeps
# what the veth left partial (docs/veth.md)
host_if "$NS_C" c0
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced"
check "v4 ping through the kernel" warm "$NS_C" 198.18.1.1
check "v6 ping through the kernel" warm "$NS_C" 2001:db8:1::1

# ---- the kernel's servers on the router -------------------------------------------
# UDP on 7777 and 7778 answering "kernel:" + the payload; TCP on 8081
# answering "tcp ok".
cat >"$T_TMP/servers.py" <<'PYEOF'
import socket, sys, threading
def udp(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    while True:
        d, a = s.recvfrom(2048)
        print("udp %d %s" % (port, d.decode(errors="replace")), flush=True)
        s.sendto(b"kernel:" + d, a)
def tcp(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port))
    s.listen(16)
    while True:
        c, _ = s.accept()
        c.sendall(b"tcp ok\n")
        c.close()
for f, p in ((udp, 7777), (udp, 7778), (tcp, 8081)):
    threading.Thread(target=f, args=(p,), daemon=True).start()
threading.Event().wait()
PYEOF
ip netns exec "$NS_R" "$T_PY" "$T_TMP/servers.py" >"$T_TMP/servers.log" 2>&1 &
T_PIDS+=("$!")
listening() {
	local out
	out=$(ip netns exec "$NS_R" ss -Hln --"$1" "sport = :$2") || return 1
	[ -n "$out" ]
}
wait_until 10 listening udp 7777 || die "kernel UDP server"
wait_until 10 listening tcp 8081 || die "kernel TCP server"

# udp ADDR PORT PAYLOAD: the answer's payload (2 s to come), or nothing.
udp() {
	timeout 5 ip netns exec "$NS_C" "$T_PY" - "$@" <<'PYEOF'
import socket, sys
addr, port, payload = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(payload, (addr, port))
try:
    d, a = s.recvfrom(2048)
except socket.timeout:
    sys.exit(1)
if a[1] != port:
    print("from port %d" % a[1])
    sys.exit(1)
sys.stdout.write(d.decode())
PYEOF
}
# answer_is ADDR PORT PAYLOAD WANT
answer_is() {
	local got
	got=$(udp "$1" "$2" "$3") || { echo "# no answer"; return 1; }
	[ "$got" = "$4" ] || { echo "# answer '$got', want '$4'"; return 1; }
}
tcp_ok() {
	local got
	got=$(timeout 5 ip netns exec "$NS_C" "$T_PY" -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 8081), timeout=3)
sys.stdout.write(s.recv(64).decode())' "$1") || return 1
	[ "$got" = "tcp ok" ]
}
steer_json() { sctl r steer show -j; }
# steer_eval PYEXPR: on `steer show -j` as d
steer_eval() {
	local doc
	doc=$(steer_json) || return 1
	"$T_PY" -c 'import json, sys; d = json.loads(sys.argv[1]); sys.exit(not eval(sys.argv[2]))' "$doc" "$1"
}
counters() {
	local doc
	doc=$(steer_json) || return 1
	"$T_PY" -c '
import json, sys
d = json.loads(sys.argv[1])
print(" ".join("%d:%s" % (s["id"], "/".join(str(s["counters"][k]) for k in ("matched", "redirected", "no_socket"))) for s in d["selectors"]))' "$doc"
}

check "before any selector: udp 7777 answered by the kernel" \
	answer_is 198.18.1.1 7777 a0 kernel:a0
check "steer add --proto udp --dport 7777" sctl r steer add --proto udp --dport 7777
check "the selector is listed, active, counters zero" steer_eval \
	'len(d["selectors"]) == 1 and d["selectors"][0]["active"] and d["selectors"][0]["dport"] == "7777" and d["selectors"][0]["counters"] == {"matched": 0, "redirected": 0, "no_socket": 0}'
ID=$(steer_json | "$T_PY" -c 'import json, sys; print(json.load(sys.stdin)["selectors"][0]["id"])')
check "no socket yet: r0 lists no queue" steer_eval \
	'[s["queues"] for s in d["sockets"] if s["iface"] == "r0"] == [[]]'

# ---- the receiver --------------------------------------------------------------------
in_ns "$NS_R" "$STEER_RX" --pin-dir "$PIN_r" --dev r0 --queue 0 --count 4 \
	--timeout 30 >"$T_TMP/rx.log" 2>&1 &
RX_PID=$!
T_PIDS+=("$RX_PID")
rx_registered() { grep -q '^registered' "$T_TMP/rx.log"; }
if wait_until 10 rx_registered; then
	tap_ok "steer_rx registered its socket through the pins"
else
	tap_fail "steer_rx registered its socket through the pins" "$(cat "$T_TMP/rx.log")"
fi
check "steer show: r0 queue 0 has a socket" steer_eval \
	'[s["queues"] for s in d["sockets"] if s["iface"] == "r0"] == [[0]]'
check "v4 udp 7777 -> the AF_XDP receiver, exact payload" \
	answer_is 198.18.1.1 7777 hello-v4-1 hello-v4-1
check "v6 udp 7777 -> the AF_XDP receiver, exact payload" \
	answer_is 2001:db8:1::1 7777 hello-v6-1 hello-v6-1
check "udp 7778 (no selector) -> the kernel" \
	answer_is 198.18.1.1 7778 other kernel:other
check "ping to the router -> the kernel" warm "$NS_C" 198.18.1.1
ip -n "$NS_C" neigh flush dev c0
check "ARP resolved again by the kernel (ping after a flush)" warm "$NS_C" 198.18.1.1
check "v6 ping to the router -> the kernel" warm "$NS_C" 2001:db8:1::1
check "TCP service on the router -> the kernel" tcp_ok 198.18.1.1
check "v6 TCP service on the router -> the kernel" tcp_ok 2001:db8:1::1
check "v4 udp 7777 again -> the receiver" \
	answer_is 198.18.1.1 7777 hello-v4-2 hello-v4-2
check "v6 udp 7777 again -> the receiver" \
	answer_is 2001:db8:1::1 7777 hello-v6-2 hello-v6-2
check "counters: matched 4, redirected 4, no_socket 0" steer_eval \
	'd["selectors"][0]["counters"] == {"matched": 4, "redirected": 4, "no_socket": 0}'
# it logs each datagram: the unsteered ones prove the log is written
kernel_saw() { grep -q "^udp $1 $2\$" "$T_TMP/servers.log"; }
check "the kernel's UDP server logged the unsteered ones" kernel_saw 7777 a0
check "the kernel's UDP server saw none of the steered datagrams" \
	sh -c "! grep -q hello '$T_TMP/servers.log'"
steer_packets() { [ "$(packets r r0 fwd_steer_xsk)" = "$1" ]; }
check "fwd_steer_xsk counted 4 on r0" steer_packets 4

# ---- the receiver gone -------------------------------------------------------------------
rx_done() { ! kill -0 "$RX_PID" 2>/dev/null; }
if wait_until 10 rx_done && grep -q '^answered 4' "$T_TMP/rx.log"; then
	tap_ok "steer_rx answered 4 and left, deleting its key"
else
	tap_fail "steer_rx answered 4 and left, deleting its key" "$(cat "$T_TMP/rx.log")"
fi
check "no socket: r0 lists no queue" steer_eval \
	'[s["queues"] for s in d["sockets"] if s["iface"] == "r0"] == [[]]'
check "v4 udp 7777 falls back to the kernel" \
	answer_is 198.18.1.1 7777 back-v4 kernel:back-v4
check "v6 udp 7777 falls back to the kernel" \
	answer_is 2001:db8:1::1 7777 back-v6 kernel:back-v6
check "counters: matched 6, redirected 4, no_socket 2" steer_eval \
	'd["selectors"][0]["counters"] == {"matched": 6, "redirected": 4, "no_socket": 2}'
echo "# counters $(counters)"

# ---- bad input -----------------------------------------------------------------------------
BEFORE=$(steer_json | "$T_PY" -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["selectors"]))')
bad_cli() { # NEEDLE ARGS...: sluicectl refuses, naming NEEDLE
	local needle=$1 out
	shift
	out=$(sctl r steer "$@" 2>&1) && { echo "# taken: $*"; return 1; }
	case "$out" in *"$needle"*) return 0 ;; esac
	echo "# '$out' lacks '$needle'"
	return 1
}
bad_api() { # NEEDLE STATUS BODY: the API refuses with STATUS, naming NEEDLE
	local out code sock_var="SOCK_r"
	out=$(curl -s -o "$T_TMP/api.out" -w '%{http_code}' --unix-socket "${!sock_var}" \
		-X POST -d "$3" http://sluiced/v1/steer) || return 1
	code=$out
	out=$(cat "$T_TMP/api.out")
	[ "$code" = "$2" ] || { echo "# status $code, want $2: $out"; return 1; }
	case "$out" in *"$1"*) return 0 ;; esac
	echo "# '$out' lacks '$1'"
	return 1
}
check "cli: --dport 70000 refused, named" bad_cli "dport: \"70000\" is not a port" \
	add --proto udp --dport 70000
check "cli: --proto icmp refused, named" bad_cli "--proto 'icmp' is not udp or tcp" \
	add --proto icmp --dport 1
check "cli: --iface unknown refused by sluiced, named" bad_cli "iface: 'nope0' is not an interface sluiced manages" \
	add --iface nope0 --proto udp --dport 9000
check "api: unknown field refused, named" bad_api "port: not a field" 400 '{"vip":"198.18.1.1","port":1}'
check "api: dst with host bits refused, named" bad_api "dst: '198.18.1.1/24' is not a prefix" 400 '{"dst":"198.18.1.1/24"}'
check "api: overlapping port range refused (409)" bad_api "overlaps selector $ID" 409 '{"proto":"udp","dport":"7770-7780"}'
check "api: delete of an unknown id (404)" sh -c \
	"[ \"\$(curl -s -o /dev/null -w '%{http_code}' --unix-socket '$SOCK_r' -X DELETE http://sluiced/v1/steer/99)\" = 404 ]"
AFTER=$(steer_json | "$T_PY" -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["selectors"]))')
check "nothing changed by the refusals" test "$BEFORE" = "$AFTER"

# ---- restarts --------------------------------------------------------------------------------
check "a prefix selector on r0 (steer add --iface r0 --dst 198.18.9.0/24)" \
	sctl r steer add --iface r0 --dst 198.18.9.0/24 --queue 0
# stopped without --keep-on-exit: the pins go (counters, the sockets'
# map), steer.json brings the selectors back
sluiced_stop r || true
sluiced_start "$NS_R" r --interface r0 --interface r1 --keep-on-exit || die "sluiced restart"
check "after a restart: both selectors back from steer.json, ids kept" steer_eval \
	"sorted((s['id'], s.get('dport', s.get('dst'))) for s in d['selectors']) == sorted([($ID, '7777'), ($ID + 1, '198.18.9.0/24')]) and all(s['active'] for s in d['selectors'])"
check "after a full stop: counters start again from zero" steer_eval \
	"[s['counters'] for s in d['selectors'] if s['id'] == $ID] == [{'matched': 0, 'redirected': 0, 'no_socket': 0}]"
check "after a restart: udp 7777 without a socket -> the kernel" \
	answer_is 198.18.1.1 7777 after kernel:after
# a receiver registered across a restart with --keep-on-exit
: >"$T_TMP/rx.log"
in_ns "$NS_R" "$STEER_RX" --pin-dir "$PIN_r" --dev r0 --queue 0 --count 2 \
	--timeout 30 >"$T_TMP/rx.log" 2>&1 &
RX_PID=$!
T_PIDS+=("$RX_PID")
wait_until 10 rx_registered || tap_fail "steer_rx registered again" "$(cat "$T_TMP/rx.log")"
check "udp 7777 -> the new receiver" answer_is 198.18.1.1 7777 kept-1 kept-1
sluiced_stop r || true
sluiced_start "$NS_R" r --interface r0 --interface r1 --keep-on-exit || die "sluiced restart"
check "restart with --keep-on-exit: the socket is still registered" steer_eval \
	'[s["queues"] for s in d["sockets"] if s["iface"] == "r0"] == [[0]]'
check "restart with --keep-on-exit: counters carried over" steer_eval \
	"[s['counters'] for s in d['selectors'] if s['id'] == $ID] == [{'matched': 2, 'redirected': 1, 'no_socket': 1}]"
check "restart with --keep-on-exit: udp 7777 -> the same receiver" \
	answer_is 198.18.1.1 7777 kept-2 kept-2
if wait_until 10 rx_done && grep -q '^answered 2' "$T_TMP/rx.log"; then
	tap_ok "steer_rx answered 2 and left"
else
	tap_fail "steer_rx answered 2 and left" "$(cat "$T_TMP/rx.log")"
fi
# ---- a VIP served in user space: every TCP/UDP port of the address ------------------
check "steer add --vip 198.18.1.1" sctl r steer add --vip 198.18.1.1
: >"$T_TMP/rx.log"
in_ns "$NS_R" "$STEER_RX" --pin-dir "$PIN_r" --dev r0 --queue 0 --count 1 \
	--timeout 30 >"$T_TMP/rx.log" 2>&1 &
RX_PID=$!
T_PIDS+=("$RX_PID")
wait_until 10 rx_registered || tap_fail "steer_rx registered for the VIP" "$(cat "$T_TMP/rx.log")"
check "vip: udp 7778 (no port selector) -> the receiver" \
	answer_is 198.18.1.1 7778 vip-1 vip-1
check "vip: ping to the address stays the kernel's" warm "$NS_C" 198.18.1.1
check "vip: counted on the vip selector" steer_eval \
	"[s['counters'] for s in d['selectors'] if s.get('vip') == '198.18.1.1'] == [{'matched': 1, 'redirected': 1, 'no_socket': 0}]"
if wait_until 10 rx_done && grep -q '^answered 1' "$T_TMP/rx.log"; then
	tap_ok "steer_rx answered the VIP's datagram and left"
else
	tap_fail "steer_rx answered the VIP's datagram and left" "$(cat "$T_TMP/rx.log")"
fi
check "steer del $((ID + 2)) (the vip)" sctl r steer del "$((ID + 2))"
check "steer del $ID" sctl r steer del "$ID"
check "steer del $((ID + 1))" sctl r steer del "$((ID + 1))"
check "no selectors left, steering off (flags 0)" steer_eval \
	'd["selectors"] == [] and d["flags"] == 0'
check "udp 7777 still the kernel's" answer_is 198.18.1.1 7777 end kernel:end
tap_done
