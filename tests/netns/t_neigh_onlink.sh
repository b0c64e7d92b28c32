#!/usr/bin/env bash
# A host on a connected subnet that nothing has resolved starts being
# forwarded through XDP on its own, with the router's kernel forwarding
# off: the data path notes the miss (bpf/lib/neigh_wanted.h), sluiced asks
# the kernel to resolve the host (an ordinary entry with NTF_USE, the
# kernel's own), and the next packets go through XDP.  A host that does
# not answer is asked at most once a second; an entry that is someone
# else's (managed) is left to its owner.
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
kernel_forwarding "$NS_R" off
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced"
wait_until 5 iface_state_is r r1 attached || die "r1 not attached"

kneigh() { ip -n "$NS_R" -d neigh show "$1" dev r1; }
in_map() {
	api_json r "/v1/neighbors?dev=r1" \
		"any(n['address'] == '$1' for n in d['neighbors'])"
}
asks() { status_field r onlink_resolutions; }

ip -n "$NS_R" neigh flush dev r1
ip -n "$NS_R" -6 neigh flush dev r1
check "no neighbour for the v4 host before traffic" test -z "$(kneigh 198.18.2.2)"
check "no neighbour for the v6 host before traffic" test -z "$(kneigh 2001:db8:2::2)"
a0=$(asks)

# One packet: the kernel, forwarding off, drops it; the note it left is
# what resolves the host.
ip netns exec "$NS_C" ping -c 1 -W 1 198.18.2.2 >/dev/null 2>&1
ip netns exec "$NS_C" ping -6 -c 1 -W 1 2001:db8:2::2 >/dev/null 2>&1
check "v4 host resolved and in the map after one packet" wait_until 5 in_map 198.18.2.2
check "v6 host resolved and in the map after one packet" wait_until 5 in_map 2001:db8:2::2
e4=$(kneigh 198.18.2.2)
check "the v4 entry is the kernel's own: not managed, no proto 83 ($e4)" \
	bash -c "[[ '$e4' != *managed* && '$e4' != *'proto 83'* ]]"
a1=$(asks)
check "onlink_resolutions counted both ($a0 -> $a1)" test "$a1" -ge $((a0 + 2))

fwd0=$(packets r r0 fwd_redirect)
nn0=$(packets r r0 pass_no_neigh)
check "v4 ping to the host via XDP, forwarding off" \
	ip netns exec "$NS_C" ping -c 5 -i 0.2 -W 1 198.18.2.2
check "v6 ping to the host via XDP, forwarding off" \
	ip netns exec "$NS_C" ping -6 -c 5 -i 0.2 -W 1 2001:db8:2::2
fwd1=$(packets r r0 fwd_redirect)
nn1=$(packets r r0 pass_no_neigh)
check "r0 fwd_redirect counted the 10 pings (+$((fwd1 - fwd0)))" \
	test $((fwd1 - fwd0)) -ge 10
check "pass_no_neigh did not grow ($nn0 -> $nn1)" test "$nn1" -eq "$nn0"

# A host that is not there: every packet notes it again, sluiced asks at
# most once a second (20 packets over about 2 s: 2 or 3 asks, not 20).
b0=$(asks)
ip netns exec "$NS_C" ping -c 20 -i 0.1 -W 1 198.18.2.77 >/dev/null 2>&1
sleep 0.3
b1=$(asks)
check "an absent host: asked $((b1 - b0)) times for 20 packets in 2 s (1-4)" \
	test $((b1 - b0)) -ge 1 -a $((b1 - b0)) -le 4
check "an absent host is not in the map" bash -c "! in_map 198.18.2.77"

# Someone else's managed entry (unresolvable here): left to its owner.
ip -n "$NS_R" neigh add 198.18.2.88 dev r1 managed
f0=$(status_field r onlink_left_to_owner)
ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 1 198.18.2.88 >/dev/null 2>&1
left() { test "$(status_field r onlink_left_to_owner)" -gt "$f0"; }
check "a managed entry of the user's: left to its owner" wait_until 3 left
check "... and still managed" bash -c "ip -n '$NS_R' -d neigh show 198.18.2.88 dev r1 | grep -q managed"
check "no on-link request failed" test "$(status_field r onlink_errors)" = 0
m=$(api r /metrics)
check "/metrics has sluice_neigh_onlink_resolutions_total" \
	bash -c "[[ '$m' == *'sluice_neigh_onlink_resolutions_total '* ]]"
tap_done
