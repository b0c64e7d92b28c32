#!/usr/bin/env bash
# sluice-echo on af_xdp next to a sluiced of ANOTHER network namespace.
# bpffs is shared by all namespaces and ifindexes repeat across them:
# sluiced in X manages x0 (ifindex N) and pins its maps; in E, e0 also has
# ifindex N.  sluice-echo on e0 with sluiced's pin dir must see that e0
# does not run sluiced's program, say so, and use its own program (so it
# echoes), not put its socket into sluiced's steer_xsks (where it would
# receive nothing).  On x0 itself, in X, it still registers with sluiced.
#
#   C (c0) ---- (e0) E: sluice-echo e0         (e0's ifindex = x0's)
#   P (p0) ---- (x0) X: sluiced x0 + sluice-echo x0 through steer_xsks
. "$(dirname "$0")/lib.sh"

BUILD=${SLUICED%/sluiced}
ECHO=${SLUICE_ECHO:-$BUILD/sluice-echo}
[ -x "$ECHO" ] || die "no sluice-echo in $BUILD (make all)"

MAC_X0=02:00:00:e7:00:01 MAC_P0=02:00:00:e7:00:02
MAC_E0=02:00:00:e8:00:01 MAC_C0=02:00:00:e8:00:02
netns_add NS_X x && netns_add NS_P p || die "namespaces"
netns_add NS_E e && netns_add NS_C c || die "namespaces"
veth "$NS_X" x0 $MAC_X0 "$NS_P" p0 $MAC_P0 || die "veth x0-p0"
idx=$(ip -n "$NS_X" -o link show x0 | cut -d: -f1)
# e0 with x0's ifindex, as the first veth of a namespace usually has
ip link add e0 netns "$NS_E" index "$idx" address $MAC_E0 type veth \
	peer name c0 netns "$NS_C" address $MAC_C0 || die "veth e0-c0 index $idx"
ip -n "$NS_E" link set e0 up && ip -n "$NS_C" link set c0 up || die "up"
check "e0 in E has x0's ifindex ($idx)" \
	test "$(ip -n "$NS_E" -o link show e0 | cut -d: -f1)" = "$idx"
host_if "$NS_C" c0
host_if "$NS_P" p0
ip -n "$NS_C" addr add 198.18.47.2/24 dev c0
ip -n "$NS_C" neigh add 198.18.47.1 lladdr $MAC_E0 dev c0 nud permanent
ip -n "$NS_X" addr add 198.18.48.1/24 dev x0
ip -n "$NS_P" addr add 198.18.48.2/24 dev p0
ip -n "$NS_P" neigh add 198.18.48.1 lladdr $MAC_X0 dev p0 nud permanent
sluiced_start "$NS_X" x --interface x0 || die "sluiced"
check "steer add udp 7" sctl x steer add --proto udp --dport 7
prog_x=$(ip -d -n "$NS_X" link show x0 | grep -oE 'prog/xdp id [0-9]+')
check "sluiced's program is on x0 ($prog_x)" test -n "$prog_x"

# udp_check NS DST COUNT: COUNT distinct payloads to DST port 7, each
# answered with exactly its payload; prints "OK/COUNT".
udp_check() {
	ip netns exec "$1" timeout 30 python3 - "$2" "$3" <<'PY'
import os, socket, sys
dst, n = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.0)
ok = 0
for i in range(n):
    p = os.urandom(1 + (i * 97) % 1400)
    s.sendto(p, (dst, 7))
    try:
        d, a = s.recvfrom(2048)
        if d == p and a == (dst, 7):
            ok += 1
    except socket.timeout:
        pass
print("%d/%d" % (ok, n))
PY
}
socks() {
	sctl x steer show -j | python3 -c '
import json, sys
print(sum(len(s["queues"]) for s in json.load(sys.stdin)["sockets"]))'
}
# echo_start NS NAME DEV: sluice-echo with sluiced's pins, up to its mode line
echo_start() {
	nsenter --net="/var/run/netns/$1" "$ECHO" --driver af_xdp --dev "$3" \
		--udp-port 7 --opt "pin_dir=$PIN_x" >"$T_TMP/$2.out" 2>"$T_TMP/$2.err" &
	ECHO_PID=$!
	T_PIDS+=("$ECHO_PID")
	wait_until 10 grep -q "queue 0:" "$T_TMP/$2.err"
}
echo_stop() {
	kill -TERM "$ECHO_PID" 2>/dev/null
	wait "$ECHO_PID"
}

# ---- E: same ifindex, another namespace: our own program -----------------
echo_start "$NS_E" other e0 || die "sluice-echo on e0: $(head -c 300 "$T_TMP/other.err")"
sed 's/^/# /' "$T_TMP/other.err"
check "it says e0 does not run sluiced's program" \
	grep -q "sluiced's pins in $PIN_x name ifindex $idx but this namespace's e0 does not run its program: using our own" \
	"$T_TMP/other.err"
check "e0 has an XDP program (sluice-echo's)" xdp_on "$NS_E" e0
check "nothing registered in sluiced's steer_xsks ($(socks))" test "$(socks)" = 0
r=$(udp_check "$NS_C" 198.18.47.1 20)
check "sluice-echo on e0 answers with the exact payloads ($r)" test "$r" = 20/20
echo_stop
rc=$?
check "sluice-echo on e0 stops cleanly (status $rc)" test "$rc" = 0
check "after close: e0 has no XDP program" bash -c "! ip -d -n $NS_E link show e0 | grep -q prog/xdp"
prog=$(ip -d -n "$NS_X" link show x0 | grep -oE 'prog/xdp id [0-9]+')
check "sluiced's program still on x0 ($prog)" test "$prog" = "$prog_x"

# ---- X: sluiced's interface: registered in steer_xsks, as before ---------
echo_start "$NS_X" own x0 || die "sluice-echo on x0: $(head -c 300 "$T_TMP/own.err")"
check "no such warning on x0" bash -c "! grep -q 'does not run its program' $T_TMP/own.err"
check "sluiced sees its socket on x0 queue 0 ($(socks))" test "$(socks)" = 1
prog=$(ip -d -n "$NS_X" link show x0 | grep -oE 'prog/xdp id [0-9]+')
check "x0 keeps sluiced's program ($prog)" test "$prog" = "$prog_x"
r=$(udp_check "$NS_P" 198.18.48.1 20)
check "steered to sluice-echo on x0: exact payloads ($r)" test "$r" = 20/20
echo_stop
rc=$?
check "sluice-echo on x0 stops cleanly (status $rc)" test "$rc" = 0

tap_done
