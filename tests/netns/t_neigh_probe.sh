#!/usr/bin/env bash
# A route whose gateway nobody ever pinged starts forwarding through XDP on
# its own: sluiced asks the kernel to resolve the gateway (a managed
# neighbour entry, tagged proto 83), with the router's kernel forwarding off
# so that nothing else could.  When no route uses a gateway any more its
# entry stops being managed (handed back to the kernel: the host may still
# be an on-link destination); a clean stop deletes the managed entries
# sluiced made; the user's entries stay.
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
# behind the server: prefixes only reachable through it as a gateway
own_addr "$NS_S" 198.18.50.1/32 2001:db8:50::1/128 || die "server addresses"
kernel_forwarding "$NS_R" off
sluiced_start "$NS_R" r --interface r0 --interface r1 --log-level debug ||
	die "sluiced"
wait_until 5 iface_state_is r r1 attached || die "r1 not attached"

# Nothing has resolved the server from the router, and nothing will: the
# router's kernel does not forward, and the server has sent it nothing.
ip -n "$NS_R" neigh flush dev r1
ip -n "$NS_R" -6 neigh flush dev r1
kneigh() { ip -n "$NS_R" -d neigh show "$1" dev r1; }
check "no neighbour for the v4 gateway before the route" test -z "$(kneigh 198.18.2.2)"
check "no neighbour for the v6 gateway before the route" test -z "$(kneigh 2001:db8:2::2)"

# A user's own entry for another gateway: sluiced must leave it alone.
ip -n "$NS_R" neigh add 198.18.2.3 dev r1 lladdr 02:00:00:00:02:03 nud permanent
ip -n "$NS_R" route add 198.18.50.0/24 via 198.18.2.2 dev r1
ip -n "$NS_R" -6 route add 2001:db8:50::/64 via 2001:db8:2::2 dev r1
ip -n "$NS_R" route add 198.18.51.0/24 via 198.18.2.3 dev r1

ours() { kneigh "$1" | grep -q 'managed.* proto 83'; }
in_map() {
	api_json r "/v1/neighbors?dev=r1" \
		"any(n['address'] == '$1' for n in d['neighbors'])"
}
check "v4 gateway: sluiced made a managed entry (proto 83)" wait_until 5 ours 198.18.2.2
check "v6 gateway: sluiced made a managed entry (proto 83)" wait_until 5 ours 2001:db8:2::2
check "v4 gateway resolved and in the map, nobody pinged it" wait_until 10 in_map 198.18.2.2
check "v6 gateway resolved and in the map, nobody pinged it" wait_until 10 in_map 2001:db8:2::2

# Forwarded by sluice, not passed to the kernel (which would drop it).
fwd0=$(packets r r0 fwd_redirect)
nn0=$(packets r r0 pass_no_neigh)
check "v4 ping behind the gateway via XDP, forwarding off" \
	ip netns exec "$NS_C" ping -c 5 -i 0.2 -W 1 198.18.50.1
check "v6 ping behind the gateway via XDP, forwarding off" \
	ip netns exec "$NS_C" ping -6 -c 5 -i 0.2 -W 1 2001:db8:50::1
fwd1=$(packets r r0 fwd_redirect)
nn1=$(packets r r0 pass_no_neigh)
if [ $((fwd1 - fwd0)) -ge 10 ]; then
	tap_ok "r0 fwd_redirect counted the pings (+$((fwd1 - fwd0)))"
else
	tap_fail "r0 fwd_redirect counted the pings" "$fwd0 -> $fwd1"
fi
check "pass_no_neigh did not grow ($nn0 -> $nn1)" test "$nn1" -eq "$nn0"

# The route goes: sluiced's entry is no longer managed (an ordinary entry
# the kernel ages out), and the host stays reachable as an on-link
# destination; the user's entry is untouched.
ip -n "$NS_R" route del 198.18.50.0/24
ip -n "$NS_R" route del 198.18.51.0/24
handed_back() { kneigh "$1" | grep -v managed | grep -qE 'REACHABLE|STALE'; }
check "route removed: sluiced's v4 entry handed back (not managed)" \
	wait_until 5 handed_back 198.18.2.2
check "route removed: the host itself still reached via XDP" \
	ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2
check "the v6 entry, still used, stays" ours 2001:db8:2::2
check "the user's permanent entry is untouched" \
	bash -c "ip -n '$NS_R' -d neigh show 198.18.2.3 dev r1 | grep -q PERMANENT"

# A clean stop removes what sluiced made, and only that.
sluiced_stop r || tap_fail "sluiced exits cleanly" "status $?"
not_there() { test -z "$(kneigh "$1")"; }
check "after a clean stop: sluiced's managed v6 entry removed" not_there 2001:db8:2::2
check "after a clean stop: the user's entry is still there" \
	bash -c "ip -n '$NS_R' -d neigh show 198.18.2.3 dev r1 | grep -q PERMANENT"
check "no probe request failed (no warning in the log)" \
	bash -c "! grep -E ' warn +neigh probe' '$T_TMP/r.log'"
tap_done
