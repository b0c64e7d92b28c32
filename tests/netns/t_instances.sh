#!/usr/bin/env bash
# Two routers, two daemons (own pin dirs and sockets), both forwarding with
# the kernel's forwarding off at the same time; each sees only its own
# namespace, their counters are independent, and stopping one leaves the
# other forwarding.
. "$(dirname "$0")/lib.sh"

# a: 198.18.1.0/24 -- ra -- 198.18.2.0/24     b: 198.18.11.0/24 -- rb -- 198.18.12.0/24
topo_line a 1 2 || die "topology a"
A_C=$NS_C A_R=$NS_R A_S=$NS_S
topo_line b 11 12 || die "topology b"
B_C=$NS_C B_R=$NS_R B_S=$NS_S
responder_start "$A_S" SA || die "responder a"
responder_start "$B_S" SB || die "responder b"

sluiced_start "$A_R" ra --interface r0 --interface r1 || die "sluiced a"
sluiced_start "$B_R" rb --interface r0 --interface r1 || die "sluiced b"
# shellcheck disable=SC2154 # PIN_*, PID_* set by sluiced_start
{
	[ "$PIN_ra" != "$PIN_rb" ] && [ -e "$PIN_ra/routes_v4" ] && [ -e "$PIN_rb/routes_v4" ]
} && tap_ok "two pin dirs, each with its own maps" || tap_fail "two pin dirs, each with its own maps"

for a in 198.18.2.2 2001:db8:2::2; do warm "$A_C" "$a" || die "warm-up a: $a"; done
for a in 198.18.12.2 2001:db8:12::2; do warm "$B_C" "$a" || die "warm-up b: $a"; done
check "ra mirrors its own server subnet" wait_until 10 route_vias_are ra 198.18.2.0/24 "@r1"
check "rb mirrors its own server subnet" wait_until 10 route_vias_are rb 198.18.12.0/24 "@r1"
check "ra does not see rb's routes" route_gone ra 198.18.12.0/24
check "rb does not see ra's routes" route_gone rb 198.18.2.0/24
kernel_forwarding "$A_R" off
kernel_forwarding "$B_R" off

# ---- both at once -------------------------------------------------------------------
ping_bg() { # NS ADDR OUT
	ip netns exec "$1" timeout 20 ping -n -q -i 0.05 -c 40 -W 1 "$2" >"$3" 2>&1
}
ping_bg "$A_C" 198.18.2.2 "$T_TMP/pa4" & pa4=$!
ping_bg "$B_C" 198.18.12.2 "$T_TMP/pb4" & pb4=$!
ping_bg "$A_C" 2001:db8:2::2 "$T_TMP/pa6" & pa6=$!
ping_bg "$B_C" 2001:db8:12::2 "$T_TMP/pb6" & pb6=$!
wait $pa4 $pb4 $pa6 $pb6
for f in pa4 pb4 pa6 pb6; do
	recv=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' "$T_TMP/$f")
	if [ "${recv:-0}" -eq 40 ]; then
		tap_ok "concurrent ping $f: 40/40 via XDP"
	else
		tap_fail "concurrent ping $f: 40/40 via XDP" "$(tr '\n' ' ' <"$T_TMP/$f")"
	fi
done
check "a: TCP via XDP" test "$(who "$A_C" 198.18.2.2)" = SA
check "b: TCP via XDP" test "$(who "$B_C" 2001:db8:12::2)" = SB

# ---- counters are per daemon ---------------------------------------------------------
fwd() { echo $(($(packets "$1" r0 fwd_redirect) + $(packets "$1" r1 fwd_redirect))); }
# only_through BUSY IDLE NS_CLIENT ADDR
only_through() {
	local b0 i0 b1 i1
	b0=$(fwd "$1") i0=$(fwd "$2")
	ip netns exec "$3" ping -c 10 -i 0.05 -W 1 "$4" >/dev/null
	b1=$(fwd "$1") i1=$(fwd "$2")
	if [ $((b1 - b0)) -ge 20 ] && [ "$i1" -eq "$i0" ]; then
		tap_ok "traffic through $1 only: $1 fwd_redirect +$((b1 - b0)), $2 unchanged"
	else
		tap_fail "traffic through $1 only moves $1's counters" \
			"$1: $b0 -> $b1 (want +20), $2: $i0 -> $i1 (want no change)"
	fi
}
only_through ra rb "$A_C" 198.18.2.2
only_through rb ra "$B_C" 198.18.12.2

# ---- stop one -----------------------------------------------------------------------
if sluiced_stop ra TERM; then
	tap_ok "ra stopped (exit status 0)"
else
	tap_fail "ra stopped (exit status 0)" "status $?"
fi
check_fails "ra's pin dir removed" test -e "$PIN_ra"
check "rb's pin dir untouched" test -e "$PIN_rb/routes_v4"
check_fails "no XDP left on a's router" xdp_on "$A_R" r0
check "XDP still on b's router" xdp_on "$B_R" r0
check "rb still answers its API" test "$(iface_field rb r0 state)" = attached
check_fails "a no longer forwards (its kernel forwarding is off)" \
	ip netns exec "$A_C" ping -c 2 -i 0.2 -W 1 198.18.2.2
b0=$(fwd rb)
check "b still forwards v4" ip netns exec "$B_C" ping -c 5 -i 0.1 -W 1 198.18.12.2
check "b still forwards v6" ip netns exec "$B_C" ping -6 -c 5 -i 0.1 -W 1 2001:db8:12::2
check "b still forwards TCP" test "$(who "$B_C" 198.18.12.2)" = SB
b1=$(fwd rb)
if [ $((b1 - b0)) -ge 20 ]; then
	tap_ok "rb's counters still move (+$((b1 - b0)))"
else
	tap_fail "rb's counters still move" "$b0 -> $b1"
fi

tap_done
