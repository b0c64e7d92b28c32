#!/usr/bin/env bash
# Maps filled to capacity give counted, documented behaviour
# (docs/operations.md), with the small sizes the config allows:
#  a) conntrack (conntrack.max_entries 1024, the minimum): 1,100 replied UDP
#     flows through the router; the table holds exactly its capacity, each
#     flow beyond it is refused and counted (drop_ct_full), the established
#     flows go on, and a flush makes room again;
#  b) the IPv4 forwarding table's groups (fib.v4_groups 16, the minimum):
#     /32 routes in 32 distinct /24s; those past the pool are refused,
#     counted in route_errors, absent from /v1/routes and the map, and the
#     log names the key to raise; deleting the programmed ones gives their
#     groups to the refused ones;
#  c) neighbours (the neighbors map, SLUICE_MAX_NEIGHS = 65,536): 65,600
#     permanent entries on a port; the map holds 65,536, the rest are
#     counted in neigh_errors and not programmed (the packet path passes
#     their traffic to the kernel), and the log says so at most 10 times,
#     not once a neighbour.
# shellcheck disable=SC2154 # PIN_r, SOCK_r: set by sluiced_start
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
responder_start "$NS_S" S || die "responder"
cat >"$T_TMP/r.json" <<EOF
{"interfaces": ["r0", "r1"],
 "conntrack": {"enabled": true, "max_entries": 1024},
 "fib": {"v4_groups": 16}}
EOF
sluiced_start "$NS_R" r -c "$T_TMP/r.json" || die "sluiced"
warm "$NS_C" 198.18.2.2 || die "warm-up ping"
wait_until 10 route_has r 198.18.2.0/24 || die "route not mirrored"
kernel_forwarding "$NS_R" off

# ---- a) conntrack ----------------------------------------------------------------------
sctl r ct flush >/dev/null || die "ct flush"
full0=$(packets r r0 drop_ct_full)
# 1,100 flows, one datagram each 1 ms apart, the replies collected; then
# the first 10 flows (established) send again.
ip netns exec "$NS_C" timeout 30 "$T_PY" - 198.18.2.2 >"$T_TMP/ct.json" 2>"$T_TMP/ct.err" <<'PYEOF'
import json, resource, select, socket, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
socks = []
for i in range(1100):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("", 42000 + i))
    s.setblocking(False)
    socks.append(s)
by_fd = {s.fileno(): s for s in socks}
P = select.poll()
for s in socks:
    P.register(s, select.POLLIN)
def collect(want, secs):
    """the sockets that got an answer within secs, stopping once every
    socket in want has"""
    got = set()
    end = time.monotonic() + secs
    while True:
        for fd, _ in P.poll(max(0, int((end - time.monotonic()) * 1000))):
            try:
                by_fd[fd].recv(64)
                got.add(by_fd[fd])
            except BlockingIOError:
                pass
        if time.monotonic() >= end or want <= got:
            return got
got = set()
for s in socks:
    s.sendto(b"x", (sys.argv[1], 9000))
    time.sleep(0.001)
    got |= collect(set(), 0)
got |= collect(set(socks), 1.0)
first = [s for s in socks[:10] if s in got]
for s in first:
    s.sendto(b"x", (sys.argv[1], 9000))
again = collect(set(first), 1.0) & set(first)
print(json.dumps({"replied": len(got), "refused": len(socks) - len(got),
                  "established_again": len(again), "established_tried": len(first)}))
PYEOF
cat "$T_TMP/ct.err" >&2
read -r replied refused again tried <<<"$("$T_PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["replied"], d["refused"], d["established_again"], d["established_tried"])' "$T_TMP/ct.json")"
full1=$(packets r r0 drop_ct_full)
total=$(api_json r /v1/conntrack/count "d['total']")
cap=$(api_json r /v1/conntrack/count "d['capacity']")
echo "# a) 1100 flows: ${replied:-?} answered, ${refused:-?} refused; table ${total:-?} of ${cap:-?};" \
	"drop_ct_full +$((full1 - full0))"
check "a) the table holds exactly its capacity ($total of $cap)" test "${total:-0}" = "${cap:-x}" -a "${cap:-0}" = 1024
check "a) the flows past it were refused ($refused)" test "${refused:-0}" -ge 60 -a $((replied + refused)) = 1100
check "a) each refused flow counted in drop_ct_full (+$((full1 - full0)) for $refused)" \
	test $((full1 - full0)) = "${refused:-x}"
check "a) established flows go on ($again of $tried answered again)" test "${again:-0}" = 10 -a "${tried:-0}" = 10
sctl r ct flush >/dev/null || tap_fail "a) ct flush"
check "a) after a flush a new flow gets through" \
	sh -c "test \"\$(timeout 5 ip netns exec '$NS_C' $T_PY -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(b\"x\", (\"198.18.2.2\", 9000))
print(s.recv(64).decode())')\" = S"

# ---- b) the forwarding table's group pool --------------------------------------------------
groups() { api_json r /v1/status "str(d['fib']['v4_groups'])"; }
gmax=$(api_json r /v1/status "str(d['fib']['v4_groups_max'])")
g0=$(groups)
err0=$(status_field r route_errors)
for n in $(seq 0 31); do
	echo "route add 198.19.$n.1/32 via 198.18.2.2 dev r1"
done >"$T_TMP/groups.batch"
ip -n "$NS_R" -batch "$T_TMP/groups.batch" || die "routes for the group pool"
free=$((gmax - g0))
settle() {
	local a b
	a=$(api r "/v1/routes?prefix=198.19.0.0/16")
	sleep 0.5
	b=$(api r "/v1/routes?prefix=198.19.0.0/16")
	[ "$a" = "$b" ]
}
wait_until 10 settle
prog=$(api_json r "/v1/routes?prefix=198.19.0.0/16" "len(d['routes'])")
err1=$(status_field r route_errors)
g1=$(groups)
echo "# b) groups: $g0 of $gmax in use before; 32 /32 routes in distinct /24s: $prog programmed," \
	"route_errors +$((err1 - err0)), groups $g1"
check "b) the pool is full ($g1 of $gmax)" test "$g1" = "$gmax" -a "$gmax" = 16
check "b) the routes that found a group are programmed ($prog = $free free)" test "$prog" = "$free"
check "b) each refused route counted in route_errors (+$((err1 - err0)))" test $((err1 - err0)) = $((32 - free))
check "b) the log names the key to raise" grep -q "raise fib.v4_groups in sluiced's config" "$T_TMP/r.log"
check "b) the log says how many groups were free" \
	grep -q "the IPv4 forwarding table has 0 of its 16 groups free, fewer than this route needs" "$T_TMP/r.log"
last=198.19.31.1/32
check_fails "b) a refused route is not in /v1/routes" route_has r $last
check_fails "b) ...nor in the pinned map" map_route_has "$PIN_r" $last
# The programmed ones go: the refused ones (still in the kernel) take the
# groups they free, without the kernel announcing them again.
api_json r "/v1/routes?prefix=198.19.0.0/16" "'\\n'.join('route del ' + r['prefix'] for r in d['routes'])" \
	>"$T_TMP/groups.prog"
ip -n "$NS_R" -batch "$T_TMP/groups.prog" || tap_fail "b) programmed routes deleted"
n_prog() { api_json r "/v1/routes?prefix=198.19.0.0/16" "str(len(d['routes']))"; }
n_prog_is() { [ "$(n_prog)" = "$1" ]; }
want=$((32 - free < free ? 32 - free : free))
check "b) the refused routes take the groups freed: $want programmed" wait_until 10 n_prog_is "$want"
echo "# b) the $free programmed routes deleted: $(n_prog) of the $((32 - free)) refused ones" \
	"programmed, groups $(groups), route_errors +$(($(status_field r route_errors) - err0))"
check "b) ...with no new route error" test "$(status_field r route_errors)" = "$err1"
sed 's/^route add \([^ ]*\) .*/route del \1/' "$T_TMP/groups.batch" >"$T_TMP/groups.del"
ip -n "$NS_R" -force -batch "$T_TMP/groups.del" 2>/dev/null
groups_are() { [ "$(groups)" = "$1" ]; }
check "b) deleting them gives the groups back ($g0 in use)" wait_until 10 groups_are "$g0"

# ---- c) neighbours -----------------------------------------------------------------------
N=65600
"$T_PY" - "$N" >"$T_TMP/neigh.batch" <<'PYEOF'
import sys
for n in range(int(sys.argv[1])):
    a = "198.19.%d.%d" % (n >> 8 & 255, n & 255) if n < 65536 else \
        "2001:db8:e::%x:%x" % (n >> 16, n & 0xffff)
    print("neigh add %s lladdr 02:00:00:%02x:%02x:%02x dev r1 nud permanent"
          % (a, n >> 16, n >> 8 & 255, n & 255))
PYEOF
n0=$(status_field r neighbors)
t0=$(ms_now)
ip -n "$NS_R" -batch "$T_TMP/neigh.batch" || die "neighbours"
neigh_settled() {
	local a b
	a=$(status_field r neighbors)
	sleep 0.5
	b=$(status_field r neighbors)
	[ "$a" = "$b" ] && [ "$a" -ge $((N / 2)) ]
}
wait_until 60 neigh_settled
echo "# c) $N permanent neighbours added; sluiced settled after $(($(ms_now) - t0)) ms"
mapn=$(bpftool -j map show pinned "$PIN_r/neighbors" | "$T_PY" -c 'import json,sys; print(json.load(sys.stdin)["max_entries"])')
inmap=$(bpftool -j map dump pinned "$PIN_r/neighbors" | "$T_PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')
nerr=$(status_field r neigh_errors)
echo "# c) map: $inmap of $mapn; neighbors in /v1/status $(status_field r neighbors) (was $n0); neigh_errors $nerr"
check "c) the map is full ($inmap of $mapn)" test "$inmap" = "$mapn"
check "c) the neighbours past it are counted in neigh_errors ($nerr >= $((N + n0 - mapn)))" \
	test "${nerr:-0}" -ge $((N + n0 - mapn))
check "c) the log says so at most 10 times" \
	sh -c "test \$(grep -c 'neigh: cannot program' '$T_TMP/r.log') -le 10"
check "c) the router still forwards" ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2

echo "# t_capacity took $SECONDS s"
tap_done
