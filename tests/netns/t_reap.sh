#!/usr/bin/env bash
# tests/netns/reap.sh, which tests/run.sh runs before the bpf, netns and
# bench tiers: what a killed test left (namespaces and pin dirs named for a shell
# that is gone) is removed, with the processes inside; what a running test
# owns, and names that are not ours, are left alone.
. "$(dirname "$0")/lib.sh"

REAP="$(dirname "$0")/reap.sh"

# a PID that ran and is gone: a finished child's
sleep 0 &
dead=$!
wait "$dead"
kill -0 "$dead" 2>/dev/null && die "PID $dead still runs"

STALE="sl$dead-reap"
LIVE="$T_ID-reap"
OTHER="slx-reap-$$" # not a name of ours
for ns in "$STALE" "$LIVE" "$OTHER"; do
	ip netns add "$ns" || die "netns $ns"
	T_NETNS+=("$ns") # removed at exit whatever reap does
done
# the bpf tier's pin dirs: one of a runner that is gone, one of this shell
BPF_STALE="/sys/fs/bpf/sluice-fib-test-$dead"
BPF_LIVE="/sys/fs/bpf/sluice-layout-test-$$"
mkdir -p "/sys/fs/bpf/$STALE-pins" "/sys/fs/bpf/$LIVE-pins" "$BPF_STALE" "$BPF_LIVE" ||
	die "pin dirs"
T_PINS+=("/sys/fs/bpf/$STALE-pins" "/sys/fs/bpf/$LIVE-pins" "$BPF_STALE" "$BPF_LIVE")
# a process left inside the stale namespace, as a killed test's daemon
ip netns exec "$STALE" sleep 60 &
left=$!
disown "$left"
T_PIDS+=("$left")
wait_until 5 sh -c "ip netns pids '$STALE' | grep -q ." || die "the process in $STALE"

out=$(bash "$REAP")
check "the stale namespace is removed ($STALE)" \
	sh -c "! ip netns list | awk '{print \$1}' | grep -qx '$STALE'"
check "... and the process in it is gone" \
	wait_until 5 sh -c "! kill -0 $left 2>/dev/null"
check "the stale pin dir is removed" test ! -e "/sys/fs/bpf/$STALE-pins"
check "reap says what it removed" \
	sh -c "printf '%s\n' '$out' | grep -qx '# reaped namespace $STALE'"
check "a running test's namespace stays ($LIVE)" \
	sh -c "ip netns list | awk '{print \$1}' | grep -qx '$LIVE'"
check "... and its pin dir" test -d "/sys/fs/bpf/$LIVE-pins"
check "a stale bpf-tier pin dir is removed ($BPF_STALE)" test ! -e "$BPF_STALE"
check "... one whose runner still runs stays ($BPF_LIVE)" test -d "$BPF_LIVE"
check "a name that is not ours stays ($OTHER)" \
	sh -c "ip netns list | awk '{print \$1}' | grep -qx '$OTHER'"
tap_done
