#!/usr/bin/env bash
# Removes what a killed test left behind: network namespaces and pin
# directories named for a shell that is gone, sl<PID>-* (tests/netns/
# lib.sh's T_ID, also the benches') and sluice-demo-<PID>-* (make demo),
# and the bpf tier's pin dirs, sluice-<what>-test-<PID> (a run that failed
# before its teardown left them, with their maps pinned).
# A test killed by a signal it cannot trap (SIGKILL, the end of the
# session that ran it) never runs its EXIT trap; its namespaces, with
# their daemons, veths and XDP programs, would sit beside the next run's.
# Anything whose PID still runs is left alone, whatever that process is
# now: a reused PID keeps stale state, it never removes live state.
#   tests/netns/reap.sh        prints "# reaped ..." per thing removed
set -uo pipefail

# owner NAME: the PID in a name of ours, or nothing
owner() {
	local p
	case $1 in
	sl[0-9]*-*) p=${1#sl} ;;
	sluice-demo-[0-9]*-*) p=${1#sluice-demo-} ;;
	sluice-*-test-[0-9]*) p=${1##*-test-} ;;
	*) return ;;
	esac
	p=${p%%-*}
	[[ $p =~ ^[0-9]+$ ]] && echo "$p"
}

gone() { # PID: no such process
	[ -n "$1" ] && ! kill -0 "$1" 2>/dev/null && [ ! -d "/proc/$1" ]
}

for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
	gone "$(owner "$ns")" || continue
	ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
	ip netns del "$ns" 2>/dev/null && echo "# reaped namespace $ns"
done
for pin in /sys/fs/bpf/sl[0-9]*-* /sys/fs/bpf/sluice-demo-[0-9]*-* \
	/sys/fs/bpf/sluice-*-test-[0-9]*; do
	[ -d "$pin" ] || continue
	gone "$(owner "$(basename "$pin")")" || continue
	rm -rf "$pin" && echo "# reaped pins $pin"
done
exit 0
