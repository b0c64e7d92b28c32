#!/usr/bin/env bash
# Frames the kernel loses after sluice redirected them are counted on
# their egress port (bpf/sluice_xmit.bpf.c, docs/monitoring.md): the
# server's veth end turns GRO off, so with no XDP program of its own it
# refuses XDP frames (docs/veth.md, section 2).  The router's XDP counts
# each ping as fwd_redirect; the loss shows in /v1/interfaces, sluicectl
# iface and /metrics, exactly once per frame, on r1 only; nothing is
# counted while traffic flows; the counts survive a restart, and losses
# while sluiced is stopped with --keep-on-exit are counted too (its
# tracepoint links are pinned).
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
sluiced_start "$NS_R" r --interface r0 --interface r1 --keep-on-exit || die "sluiced"
warm "$NS_C" 198.18.2.2 || die "warm-up ping"
kernel_forwarding "$NS_R" off

# xmit NAME IFACE FIELD: a field of the port's xmit_drops (last_errors.E
# for the error of event E)
xmit() {
	api "$1" "/v1/interfaces?dev=$2" | python3 -c '
import json, sys
x = json.load(sys.stdin)["interfaces"][0]["xmit_drops"]
f = sys.argv[1]
print(x["last_errors"].get(f[12:], "") if f.startswith("last_errors.") else x[f])' "$3"
}
lost() { # every event of IFACE, summed
	local n=0 ev
	for ev in redirect_failed xmit_dropped tx_failed steer_failed; do
		n=$((n + $(xmit "$1" "$2" "$ev")))
	done
	echo "$n"
}

check "the XDP program forwards the client's ping to the server" \
	ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 1 198.18.2.2
check "sluiced loaded and attached the loss counters (no warning logged)" \
	bash -c "! grep -q 'will not be counted' '$T_TMP/r.log'"
if [ "$(lost r r0)" = 0 ] && [ "$(lost r r1)" = 0 ]; then
	tap_ok "traffic that flows loses nothing: every count is 0 on r0 and r1"
else
	tap_fail "traffic that flows loses nothing" "r0 $(lost r r0), r1 $(lost r r1)"
fi

# ---- the server's port refuses XDP frames ------------------------------------
ip netns exec "$NS_S" ethtool -K s0 gro off >/dev/null || die "gro off"
fwd0=$(packets r r0 fwd_redirect)
check_fails "GRO off at the server: its pings are lost" \
	ip netns exec "$NS_C" ping -c 5 -i 0.2 -W 1 198.18.2.2
fwd1=$(packets r r0 fwd_redirect)
lost1=$(lost r r1)
if [ $((fwd1 - fwd0)) -eq 5 ]; then
	tap_ok "r0 counted the 5 pings as redirected (fwd_redirect +5)"
else
	tap_fail "r0 counted the 5 pings as redirected" "fwd_redirect +$((fwd1 - fwd0))"
fi
if [ "$lost1" -eq 5 ]; then
	tap_ok "r1 counts the 5 frames the kernel lost"
else
	tap_fail "r1 counts the 5 frames the kernel lost" "$lost1"
fi
check "r0, the ingress, counts none" test "$(lost r r0)" = 0
# This kernel refuses them at enqueue (EOPNOTSUPP); before Linux 6.3 the
# veth dropped them at transmission (ENXIO).
case "$(xmit r r1 redirect_failed)/$(xmit r r1 xmit_dropped)" in
5/0) ev=redirect_failed want=EOPNOTSUPP ;;
0/5) ev=xmit_dropped want=ENXIO ;;
*) ev=redirect_failed want=EOPNOTSUPP ;;
esac
check "the API names the kernel's error of the last loss ($ev: $want)" \
	test "$(xmit r r1 "last_errors.$ev")" = "$want"
check "sluicectl iface r1 shows the loss and its error" \
	bash -c "'$SLUICECTL' --api 'unix:$SOCK_r' iface r1 | grep -q 'lost: $ev 5 ($want)'"
check "sluicectl iface r0 shows no loss" \
	bash -c "! '$SLUICECTL' --api 'unix:$SOCK_r' iface r0 | grep -q 'lost:'"
check "/metrics: sluice_xmit_drops_total of r1 and $ev is 5" \
	bash -c "curl -sf --unix-socket '$SOCK_r' http://x/metrics |
		grep -qx 'sluice_xmit_drops_total{interface=\"r1\",event=\"$ev\"} 5'"

# ---- GRO back on: traffic flows, nothing more is lost -------------------------
ip netns exec "$NS_S" ethtool -K s0 gro on >/dev/null || die "gro on"
check "GRO back on: the pings reach the server again" \
	ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 1 198.18.2.2
check "and r1's count stays 5" test "$(lost r r1)" = 5

# ---- a restart keeps the counts, and counts while sluiced is down -----------
# counting_links: the tracing links whose program counts into r's
# xmit_drops (its map id), those of earlier runs or tests excluded
xmit_map_id() {
	bpftool map show pinned "$PIN_r/xmit_drops" -j | python3 -c \
		'import json, sys; print(json.load(sys.stdin)["id"])'
}
counting_links() {
	local id=$1
	bpftool link show -j | python3 -c '
import json, subprocess, sys
n = 0
for l in json.load(sys.stdin):
    if l.get("type") not in ("raw_tracepoint", "tracing"):
        continue
    p = json.loads(subprocess.run(["bpftool", "prog", "show", "id",
        str(l["prog_id"]), "-j"], capture_output=True, text=True).stdout or "{}")
    n += int(sys.argv[1]) in p.get("map_ids", [])
print(n)' "$id"
}
map_id=$(xmit_map_id)
nlinks=$(counting_links "$map_id")
check "sluiced pinned its tracepoint links beside the maps ($nlinks attached)" \
	bash -c "[ '$nlinks' -ge 2 ] && [ \$(ls '$PIN_r'/xmit_link_* | wc -l) = '$nlinks' ]"
sluiced_stop r TERM || tap_fail "stop: exit status 0"
check "stopped with --keep-on-exit: the links stay attached" \
	test "$(counting_links "$map_id")" = "$nlinks"
ip netns exec "$NS_S" ethtool -K s0 gro off >/dev/null || die "gro off while down"
check_fails "while sluiced is down, GRO off: 3 pings lost (XDP still forwards)" \
	ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 1 198.18.2.2
ip netns exec "$NS_S" ethtool -K s0 gro on >/dev/null || die "gro on while down"
sluiced_start "$NS_R" r --interface r0 --interface r1 --keep-on-exit || die "sluiced restart"
check "after a restart r1 counts 8 ($ev): the 5, and the 3 lost while it was down" \
	test "$(xmit r r1 "$ev")" = 8
check "and the error of the last loss" test "$(xmit r r1 "last_errors.$ev")" = "$want"
check "the restart replaced the links: $nlinks attached, not twice as many" \
	test "$(counting_links "$map_id")" = "$nlinks"
ip netns exec "$NS_S" ethtool -K s0 gro off >/dev/null || die "gro off again"
check_fails "GRO off again: 2 more pings lost" \
	ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2
check "the restarted daemon counts each once: 10 on r1" test "$(lost r r1)" = 10
ip netns exec "$NS_S" ethtool -K s0 gro on >/dev/null || die "gro on"

# ---- a stop without --keep-on-exit takes the links along ---------------------
sluiced_stop r TERM || tap_fail "stop: exit status 0"
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced without keep"
map_id=$(xmit_map_id)
sluiced_stop r TERM || tap_fail "stop: exit status 0"
check "an orderly stop without --keep-on-exit leaves no link pinned" \
	bash -c "! ls '$PIN_r'/xmit_link_* 2>/dev/null | grep -q ."
check "and no tracepoint program of its attached" \
	test "$(counting_links "$map_id")" = 0
tap_done
