# shellcheck shell=bash
# What the L7 local hop's tests and bench share (docs/l7.md): a child
# cgroup of the cgroup v2 root and a namespace for the test's sockets, and
# tests/tools/l7_ctl (lib/dp's L7 calls, outside the cgroup: its own
# sockets are not ours) with its counters.  Source after lib.sh.

# l7_setup NAME A4: CG (a new child cgroup sluice-NAME.PID) and NS (a new
# namespace with A4/32 on lo); both go at exit, every process of the
# cgroup before the cgroup itself.
l7_setup() {
	CG_ROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	[ -n "$CG_ROOT" ] || die "no cgroup v2 hierarchy"
	CG="$CG_ROOT/sluice-$1.$$"
	trap l7_cleanup EXIT
	mkdir "$CG" || die "cannot create $CG"
	netns_add NS "$1" || die "netns"
	ip -n "$NS" addr add "$2/32" dev lo
}
l7_cleanup() {
	local p
	if [ -d "$CG" ]; then
		for _ in 1 2 3; do
			for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do
				kill -KILL "$p" 2>/dev/null
			done
			sleep 0.2
			rmdir "$CG" 2>/dev/null && break
		done
	fi
	cleanup
}

# incg CMD...: CMD in the cgroup and the namespace, in place of the
# calling shell: only ever called in $(...) or with & (then $! is CMD).
incg() {
	echo "$BASHPID" >"$CG/cgroup.procs" && exec nsenter --net="/var/run/netns/$NS" "$@"
}

# l7_ctl_start CTL PORT...: l7_ctl attached to CG with those ports
# selected, until it says ready (CTL_PID, its log $T_TMP/ctl.log)
l7_ctl_start() {
	local ctl=$1
	shift
	"$ctl" "$CG" "$@" >"$T_TMP/ctl.log" 2>&1 &
	CTL_PID=$!
	T_PIDS+=("$CTL_PID")
	wait_until 10 grep -q ready "$T_TMP/ctl.log" || die "l7_ctl: $(cat "$T_TMP/ctl.log")"
}
# counters: one fresh line from l7_ctl (SIGUSR1 asks for it)
# (ctl_lines_gt is a function: wait_until runs it anew each time, where a
# $(...) in its arguments would be expanded once)
ctl_lines_gt() { [ "$(grep -c '^socks=' "$T_TMP/ctl.log")" -gt "$1" ]; }
counters() {
	local n
	n=$(grep -c '^socks=' "$T_TMP/ctl.log")
	kill -USR1 "$CTL_PID"
	wait_until 30 ctl_lines_gt "$n" || return 1
	grep '^socks=' "$T_TMP/ctl.log" | tail -1
}
# field NAME LINE
field() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<<"$2"; }
