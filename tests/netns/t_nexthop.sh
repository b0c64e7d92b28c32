#!/usr/bin/env bash
# Routes that use kernel nexthop objects (`ip nexthop`, what FRR's zebra
# installs by default): single objects and groups, with the kernel's
# compatibility mode on (routes also spell their nexthops out) and off
# (routes carry only the id; sluiced resolves it from its copy of the
# objects and follows changes to them).  Kernel forwarding off throughout.
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
responder_start "$NS_S" A || die "responder A"
add_server NS_S2 s2 "$NS_R" r2 3 || die "second server"
responder_start "$NS_S2" B || die "responder B"
own_addr "$NS_S" 198.18.100.1/32 2001:db8:100::1/128 || die "service address A"
own_addr "$NS_S2" 198.18.100.1/32 2001:db8:100::1/128 || die "service address B"
sluiced_start "$NS_R" r --interface r0 --interface r1 --interface r2 || die "sluiced"
for a in 198.18.2.2 198.18.3.2 2001:db8:2::2 2001:db8:3::2; do
	warm "$NS_R" "$a" || die "warm $a"
done
for a in 198.18.2.2 2001:db8:2::2; do warm "$NS_C" "$a" || die "warm $a"; done
kernel_forwarding "$NS_R" off

nh() { ip -n "$NS_R" nexthop "$@"; }
nh add id 12 via 198.18.2.2 dev r1 || die "nexthop 12"
nh add id 13 via 198.18.3.2 dev r2 || die "nexthop 13"
nh add id 62 via 2001:db8:2::2 dev r1 || die "nexthop 62"
nh add id 63 via 2001:db8:3::2 dev r2 || die "nexthop 63"
nh add id 20 group 12/13 || die "group 20"

for mode in 1 0; do
	ip netns exec "$NS_R" sysctl -qw net.ipv4.nexthop_compat_mode=$mode ||
		die "nexthop_compat_mode"
	# v4 via object 12, v6 via object 62
	ip -n "$NS_R" route replace 198.18.100.1/32 nhid 12
	ip -n "$NS_R" -6 route replace 2001:db8:100::1/128 nhid 62
	check "compat=$mode: v4 route by nhid mirrored via A" \
		wait_until 5 route_vias_are r 198.18.100.1/32 198.18.2.2@r1
	check "compat=$mode: v6 route by nhid mirrored via A" \
		wait_until 5 route_vias_are r 2001:db8:100::1/128 2001:db8:2::2@r1
	check "compat=$mode: v4 traffic answered by A (XDP)" test "$(who "$NS_C" 198.18.100.1)" = A
	check "compat=$mode: v6 traffic answered by A (XDP)" test "$(who "$NS_C" 2001:db8:100::1)" = A

	# the object changes: no route message, the route follows anyway
	nh replace id 12 via 198.18.3.2 dev r2
	nh replace id 62 via 2001:db8:3::2 dev r2
	check "compat=$mode: object 12 replaced -> v4 route via B" \
		wait_until 5 route_vias_are r 198.18.100.1/32 198.18.3.2@r2
	check "compat=$mode: object 62 replaced -> v6 route via B" \
		wait_until 5 route_vias_are r 2001:db8:100::1/128 2001:db8:3::2@r2
	check "compat=$mode: v4 traffic answered by B (XDP)" test "$(who "$NS_C" 198.18.100.1)" = B
	nh replace id 12 via 198.18.2.2 dev r1
	nh replace id 62 via 2001:db8:2::2 dev r1

	# a group: both members carry flows
	ip -n "$NS_R" route replace 198.18.100.1/32 nhid 20
	check "compat=$mode: group 20 mirrored with both members" \
		wait_until 5 route_vias_are r 198.18.100.1/32 198.18.2.2@r1,198.18.3.2@r2
	seen=""
	for p in $(seq 40100 40140); do
		seen="$seen $(who "$NS_C" 198.18.100.1 "$p")"
	done
	check "compat=$mode: flows over the group reach A and B" \
		test "$(tr ' ' '\n' <<<"$seen" | sort -u | tr -d '\n')" = AB
	ip -n "$NS_R" route del 198.18.100.1/32
	ip -n "$NS_R" -6 route del 2001:db8:100::1/128
	check "compat=$mode: deleted routes leave the maps" \
		wait_until 5 route_gone r 198.18.100.1/32
done

# A removed object takes its routes with it (the kernel deletes them).
ip -n "$NS_R" route replace 198.18.100.1/32 nhid 13
check "route via object 13" wait_until 5 route_vias_are r 198.18.100.1/32 198.18.3.2@r2
nh del id 13
check "object 13 deleted -> route gone" wait_until 5 route_gone r 198.18.100.1/32
tap_done
