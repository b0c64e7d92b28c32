#!/usr/bin/env bash
# The usual deployment of a load balancer: one arm, behind a router.
#
#   client (c0) ---- (r0) router (r1) ---- (l0) LB, one port
#                           (r2) ---- (b0) backend
#
# The router is plain Linux (kernel forwarding, no XDP program: GRO on its
# ports as on any host).  The VIP is routed to the LB; the LB sends the
# encapsulated packet back out of the port it came in on, to the router,
# which routes it to the backend; the backend answers the client directly.
# On a veth an XDP_TX frame would wait in the router's ring until some
# other packet woke it (0 of N requests); sluice sends "back out" through
# the devmap on veth ports.  No lb.source_v4 is configured: the outer
# source defaults to the LB port's own address.  Then the LB is restarted
# as an operator would: with --keep-on-exit under a request loop (no
# request fails, the VIP and the way back out are kept), and without it
# (the VIP comes back from the state file and carries traffic again).
. "$(dirname "$0")/lib.sh"

VIP=198.18.100.1
N=100

setup() {
	netns_add NS_C c && netns_add NS_R r && netns_add NS_L lb &&
		netns_add NS_B b || return 1
	veth "$NS_C" c0 02:00:00:00:01:02 "$NS_R" r0 02:00:00:00:01:01 || return 1
	veth "$NS_L" l0 02:00:00:00:03:02 "$NS_R" r1 02:00:00:00:03:01 || return 1
	veth "$NS_B" b0 02:00:00:00:0b:02 "$NS_R" r2 02:00:00:00:0b:01 || return 1
	ip -n "$NS_C" addr add 198.18.1.2/24 dev c0
	ip -n "$NS_R" addr add 198.18.1.1/24 dev r0
	ip -n "$NS_R" addr add 198.18.3.1/24 dev r1
	ip -n "$NS_R" addr add 198.18.11.1/24 dev r2
	ip -n "$NS_L" addr add 198.18.3.2/24 dev l0
	ip -n "$NS_B" addr add 198.18.11.2/24 dev b0
	ip -n "$NS_C" route add default via 198.18.1.1
	ip -n "$NS_L" route add default via 198.18.3.1
	ip -n "$NS_B" route add default via 198.18.11.1
	ip -n "$NS_R" route add $VIP/32 via 198.18.3.2
	ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1
	for i in r0 r1 r2; do
		ip netns exec "$NS_R" ethtool -K "$i" gro on >/dev/null
	done
	host_if "$NS_C" c0 && host_if "$NS_B" b0 && host_if "$NS_L" l0
	own_addr "$NS_B" $VIP/32 || return 1
	ip netns exec "$NS_B" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.b0.rp_filter=0 net.ipv4.conf.lo.rp_filter=0
	warm "$NS_C" 198.18.3.2 && warm "$NS_L" 198.18.11.2
}

setup || die "topology"
responder_start "$NS_B" b1 || die "backend server"
sluiced_start "$NS_B" be --role backend --interface b0 || die "sluiced (backend)"
sluiced_start "$NS_L" lb --interface l0 --keep-on-exit || die "sluiced (LB)"
check "vip added (health none, no source range configured)" \
	sctl lb vip add $VIP:8080/tcp --health none
check "backend added without lb.source_v4" \
	sctl lb backend add $VIP:8080/tcp 198.18.11.2
check "sluicectl iface says l0 sends back out through the devmap" \
	sh -c "'$SLUICECTL' --api unix:$SOCK_lb iface | grep -E '^l0 .*back out: redirect'"
check "no XDP program on the router's ports" \
	sh -c "! ip -d -n '$NS_R' link show r1 | grep -q prog/xdp"

ok=0
for i in $(seq 1 $N); do
	if ip netns exec "$NS_C" curl -sf -m 3 "http://$VIP:8080/" | grep -q b1; then
		ok=$((ok + 1))
	fi
done
if [ "$ok" -eq "$N" ]; then
	tap_ok "$N of $N HTTP requests through the one-arm LB"
else
	tap_fail "$N of $N HTTP requests through the one-arm LB" "only $ok succeeded"
fi
fwd=$(packets lb l0 fwd_lb_tx)
check "the LB sent them back out of l0 (fwd_lb_tx: $fwd)" test "$fwd" -ge "$N"
dec=$(packets be b0 decap_ipip)
check "the backend counted them under b0 as decap_ipip ($dec)" test "$dec" -ge "$N"
check "none dropped for want of an outer source" \
	test "$(packets lb l0 drop_lb_no_source)" -eq 0
# what the kernel lost after the LB redirected it back out of l0 (docs/
# monitoring.md, "Frames lost after a redirect"): nothing, with the
# router's port (GRO on, no XDP) as the peer, as the README's setup has it
lost=$(api lb "/v1/interfaces?dev=l0" | python3 -c '
import json, sys
x = json.load(sys.stdin)["interfaces"][0]["xmit_drops"]
print(sum(v for k, v in x.items() if k != "last_errors"))')
check "the kernel lost none of them after the redirect (xmit_drops: $lost)" test "$lost" = 0
src=$(ip netns exec "$NS_R" timeout 5 tcpdump -c 1 -nni r2 ip proto 4 2>/dev/null &
	sleep 1; ip netns exec "$NS_C" curl -sf -m 3 "http://$VIP:8080/" >/dev/null; wait)
check "the outer source is the LB port's address (198.18.3.2)" \
	sh -c "echo '$src' | grep -q '198.18.3.2 > 198.18.11.2'"

# A restart with --keep-on-exit under a request loop: XDP stays attached
# and the flows stay in the table, so no request fails while the new
# process adopts the pins.
rm -f "$T_TMP/http_loop.stop"
http_loop "$NS_C" $VIP 100000 40 >"$T_TMP/loop.out" &
loop=$!
sleep 1
check "the LB stops with --keep-on-exit (status 0)" sluiced_stop lb
check "XDP stays on l0 while no sluiced runs" xdp_on "$NS_L" l0
sluiced_start "$NS_L" lb --interface l0 --keep-on-exit || die "sluiced (LB) restart"
sleep 1
touch "$T_TMP/http_loop.stop"
wait "$loop"
out=$(cat "$T_TMP/loop.out")
echo "$out" | sed 's/^/# /'
check "requests went on through the restart ($(head -1 <<<"$out"))" \
	sh -c "head -1 '$T_TMP/loop.out' | grep -Eq '^ok [1-9][0-9]* fail 0$'"
check "the VIP and its backend are back (vip show)" \
	sh -c "'$SLUICECTL' --api unix:$SOCK_lb vip show | grep -q 198.18.11.2"
check "l0 still sends back out through the devmap" \
	sh -c "'$SLUICECTL' --api unix:$SOCK_lb iface | grep -E '^l0 .*back out: redirect'"
check "the log says the pinned VIP was adopted" \
	grep -q "VIP $VIP:8080/tcp adopted" "$T_TMP/lb.log"

# A restart without --keep-on-exit: SIGTERM detaches and unpins; the next
# start rebuilds the maps and takes the VIP from the state file.
check "the LB stops (status 0)" sluiced_stop lb
sluiced_start "$NS_L" lb --interface l0 || die "sluiced (LB) cold start"
check "the VIP came back from the state file" \
	sh -c "'$SLUICECTL' --api unix:$SOCK_lb vip show | grep -q 198.18.11.2"
ok=0
for i in $(seq 1 20); do
	who "$NS_C" $VIP | grep -q b1 && ok=$((ok + 1))
done
check "20 of 20 requests after the cold start ($ok)" test "$ok" -eq 20
tap_done
