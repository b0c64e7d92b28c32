#!/usr/bin/env bash
# Least privilege (docs/deploy.md, "Capabilities"): sluiced starts with
# CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN and nothing else (the systemd
# unit's set), keeps only CAP_BPF and CAP_NET_ADMIN once the data path is
# loaded and attached, still forwards, attaches an interface that appears
# later and creates a VIP's map with what it kept; with one of the three
# missing at start it exits naming it, having touched nothing.
. "$(dirname "$0")/lib.sh"

REAL_SLUICED=$SLUICED
START_SET="-all,+bpf,+perfmon,+net_admin"
# CAP_NET_ADMIN (12) | CAP_BPF (39), as /proc/PID/status prints masks
RUN_MASK=0000008000001000

# as_set NAME SET: a wrapper that execs sluiced with SET as its bounding
# set: a root process then has exactly SET (permitted = effective =
# bounding for uid 0 at exec), as under the unit's CapabilityBoundingSet.
as_set() {
	printf '#!/bin/sh\nexec setpriv --bounding-set=%s %s "$@"\n' "$2" \
		"$REAL_SLUICED" >"$T_TMP/$1"
	chmod +x "$T_TMP/$1"
	echo "$T_TMP/$1"
}
capline() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

topo_basic || die "topology"
warm "$NS_C" 198.18.2.2 && warm "$NS_C" 2001:db8:2::2 || die "warm"
kernel_forwarding "$NS_R" off

# ---- started as root (all capabilities): drops to the running set ----------------
sluiced_start "$NS_R" full --interface r0 --interface r1 --interface r9 ||
	die "sluiced as root"
for k in CapEff CapPrm CapBnd; do
	v=$(capline "$PID_full" $k)
	[ "$v" = $RUN_MASK ] && tap_ok "as root: $k is CAP_BPF+CAP_NET_ADMIN ($v)" ||
		tap_fail "as root: $k is CAP_BPF+CAP_NET_ADMIN" "$k=$v, want $RUN_MASK"
done
for k in CapInh CapAmb; do
	v=$(capline "$PID_full" $k)
	[ "$v" = 0000000000000000 ] && tap_ok "as root: $k empty" ||
		tap_fail "as root: $k empty" "$k=$v"
done
check "as root: the log names what it kept" \
	grep -q "capabilities: kept CAP_NET_ADMIN,CAP_BPF" "$T_TMP/full.log"
before=$(packets full r0 fwd_redirect)
check "as root, dropped: v4 ping via XDP" ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 1 198.18.2.2
after=$(packets full r0 fwd_redirect)
[ $((after - before)) -ge 3 ] && tap_ok "as root, dropped: fwd_redirect counted ($((after - before)))" ||
	tap_fail "as root, dropped: fwd_redirect counted" "before=$before after=$after"

# What running needs, after the drop: an interface named at start that
# appears later is attached (CAP_NET_ADMIN), a VIP added through the API
# gets its Maglev ring map (CAP_BPF).
ip link add r9 netns "$NS_R" type veth peer name c9 netns "$NS_C" || die "veth r9"
ip -n "$NS_R" link set r9 up && ip -n "$NS_C" link set c9 up
check "dropped: r9 appearing later is attached" wait_until 10 iface_state_is full r9 attached
check "dropped: XDP on r9 (ip link)" xdp_on "$NS_R" r9
check "dropped: a VIP added through the API" sctl full vip add 198.18.9.9:80/tcp
check "dropped: the VIP has a backend" sctl full backend add 198.18.9.9:80/tcp 198.18.2.2
check "dropped: the VIP is listed" sh -c "'$SLUICECTL' --api unix:$SOCK_full vip show 198.18.9.9:80/tcp"
sluiced_stop full
rc=$?
[ $rc -eq 0 ] && ! xdp_on "$NS_R" r0 && tap_ok "dropped: SIGTERM exits 0 and detaches XDP" ||
	tap_fail "dropped: SIGTERM exits 0 and detaches XDP" "rc=$rc"

# ---- started with exactly the unit's set --------------------------------------------
SLUICED=$(as_set exact "$START_SET")
sluiced_start "$NS_R" exact --interface r0 --interface r1 || die "sluiced with $START_SET"
v=$(capline "$PID_exact" CapEff)
[ "$v" = $RUN_MASK ] && tap_ok "BPF+PERFMON+NET_ADMIN: CapEff after start is CAP_BPF+CAP_NET_ADMIN" ||
	tap_fail "BPF+PERFMON+NET_ADMIN: CapEff after start" "CapEff=$v, want $RUN_MASK"
check "BPF+PERFMON+NET_ADMIN: v4 ping via XDP" ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 1 198.18.2.2
check "BPF+PERFMON+NET_ADMIN: v6 ping via XDP" ip netns exec "$NS_C" ping -6 -c 3 -i 0.2 -W 1 2001:db8:2::2
# the loss counters after a redirect load and attach with this set too
check "BPF+PERFMON+NET_ADMIN: the loss counters attached (nothing logged)" \
	sh -c "! grep -q 'will not be counted' '$T_TMP/exact.log'"
check "BPF+PERFMON+NET_ADMIN: /v1/interfaces has r0's xmit_drops" \
	sh -c "curl -sf --unix-socket '$SOCK_exact' http://x/v1/interfaces?dev=r0 | grep -q '\"xmit_drops\": *{'"
sluiced_stop exact

# ---- one missing: a clear message, nothing touched ----------------------------------
# missing CAP WHY-WORD SET
missing() {
	local cap=$1 set=$2 out rc
	out=$(nsenter --net="/var/run/netns/$NS_R" "$(as_set "no-$cap" "$set")" \
		--pin-dir "/sys/fs/bpf/$T_ID-no" --api "unix:$T_TMP/no.sock" \
		--state-dir "$T_TMP/state-no" --interface r0 2>&1)
	rc=$?
	echo "$out" >"$T_TMP/no-$cap.out"
	[ $rc -ne 0 ] && grep -q "needs $cap (.*): run as root or grant it" <<<"$out" &&
		! ip -d -n "$NS_R" link show r0 | grep -q prog/xdp &&
		[ ! -e "/sys/fs/bpf/$T_ID-no" ]
}
T_PINS+=("/sys/fs/bpf/$T_ID-no")
for c in BPF PERFMON NET_ADMIN; do
	set=$START_SET
	set=${set/,+${c,,}/}
	if missing "CAP_$c" "$set"; then
		tap_ok "without CAP_$c: exits naming it, nothing attached or pinned"
	else
		tap_fail "without CAP_$c: exits naming it" "$(cat "$T_TMP/no-CAP_$c.out" | tail -3)"
	fi
done

# bpffs not mounted (a mount namespace without it): mounting it is the
# one thing that takes CAP_SYS_ADMIN, and the message says so.
out=$(unshare --mount --propagation private sh -c "umount /sys/fs/bpf && exec nsenter --net=/var/run/netns/$NS_R \
	$(as_set nobpffs "$START_SET") --api unix:$T_TMP/nobpffs.sock \
	--state-dir $T_TMP/state-nobpffs --interface r0" 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -q "cannot mount bpffs on /sys/fs/bpf: .*(needs CAP_SYS_ADMIN: mount it before starting sluiced, or grant it)" <<<"$out" &&
	! xdp_on "$NS_R" r0; then
	tap_ok "bpffs not mounted, no CAP_SYS_ADMIN: exits naming it, nothing attached"
else
	tap_fail "bpffs not mounted, no CAP_SYS_ADMIN: exits naming it" "rc=$rc: $(tail -2 <<<"$out")"
fi

# CAP_SYS_ADMIN stands in for CAP_BPF and CAP_PERFMON (kernels before 5.8
# knew no others); sluiced then keeps it with CAP_NET_ADMIN.
SLUICED=$(as_set admin "-all,+sys_admin,+net_admin")
sluiced_start "$NS_R" admin --interface r0 --interface r1 || die "sluiced with SYS_ADMIN+NET_ADMIN"
v=$(capline "$PID_admin" CapEff)
[ "$v" = 0000000000201000 ] && tap_ok "SYS_ADMIN+NET_ADMIN: starts, keeps both ($v)" ||
	tap_fail "SYS_ADMIN+NET_ADMIN: keeps both" "CapEff=$v"
check "SYS_ADMIN+NET_ADMIN: v4 ping via XDP" ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 1 198.18.2.2
sluiced_stop admin

# A restart with the unit's set adopts what the first run left pinned and
# attached (--keep-on-exit): its own TC egress filters are recognised
# without opening them by id (that takes CAP_SYS_ADMIN), and a VIP's ring
# can still change.
SLUICED=$(as_set exact "$START_SET")
sluiced_start "$NS_R" keep --interface r0 --interface r1 --keep-on-exit ||
	die "sluiced (keep) with $START_SET"
sctl keep vip add 198.18.9.9:80/tcp >/dev/null &&
	sctl keep backend add 198.18.9.9:80/tcp 198.18.2.2 >/dev/null || tap_fail "keep: VIP and backend"
sluiced_stop keep
sluiced_start "$NS_R" keep --interface r0 --interface r1 --keep-on-exit ||
	die "sluiced restarted with $START_SET"
check "restart, BPF+PERFMON+NET_ADMIN: a backend added to the adopted VIP" \
	sctl keep backend add 198.18.9.9:80/tcp 198.18.1.2
check "restart, BPF+PERFMON+NET_ADMIN: both backends listed" \
	test "$(sctl keep vip show 198.18.9.9:80/tcp | grep -c ' active ')" = 2
check "restart, BPF+PERFMON+NET_ADMIN: its own egress filters recognised" \
	sh -c "! grep -q 'taken by another program' '$T_TMP/keep.log'"
check "restart, BPF+PERFMON+NET_ADMIN: v4 ping via XDP" \
	ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 1 198.18.2.2
sluiced_stop keep

tap_done
