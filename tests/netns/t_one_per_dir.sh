#!/usr/bin/env bash
# One sluiced per pin dir and per state dir (daemon/dir_lock.c).  A second
# sluiced on a running one's pin dir used to adopt its maps and links,
# remove its VIPs as "not configured" and, when stopped, unpin everything
# under it while the first went on answering that all was well.  Now the
# second is refused, naming the directory and the first one's pid, and
# the first keeps forwarding; a restart that starts the next one at once
# waits for the old one to go.  And a sluiced under `ip netns exec` (a
# mount namespace of its own, so a bpffs that dies with it) says so.
# shellcheck disable=SC2154 # PIN_a, PID_a, STATE_a, SOCK_a: set by sluiced_start
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
sluiced_start "$NS_R" a --interface r0 --interface r1 --keep-on-exit || die "sluiced"
PIN=$PIN_a
warm "$NS_C" 198.18.2.2 || die "warm-up ping"
kernel_forwarding "$NS_R" off
check "before: ping via XDP" ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2
sctl a vip add 198.18.100.1:80/tcp --health none >/dev/null || die "vip add"
pins_before=$(find "$PIN" | wc -l)

# second NAME ARGS...: a sluiced that should be refused; its status
second() {
	local name=$1
	shift
	T_PINS+=("/sys/fs/bpf/$T_ID-$name")
	timeout 40 nsenter --net="/var/run/netns/$NS_R" "$SLUICED" \
		--api "unix:$T_TMP/$name.sock" --interface r0 --interface r1 \
		"$@" >"$T_TMP/$name.log" 2>&1
}

# ---- the same pin dir ----------------------------------------------------------
second same-pin --pin-dir "$PIN" --state-dir "$T_TMP/state-same-pin"
rc=$?
check "same pin dir: the second sluiced exits with an error" test "$rc" -ne 0 -a "$rc" -ne 124
check "same pin dir: it names the dir and the running one's pid" \
	grep -q "pin dir $PIN is in use by another sluiced (pid $PID_a)" "$T_TMP/same-pin.log"
check "same pin dir: it waited before refusing" grep -q "waiting up to 10 s" "$T_TMP/same-pin.log"
check "same pin dir: it adopted nothing" sh -c "! grep -q 'adopted\|not configured' '$T_TMP/same-pin.log'"
check "same pin dir: the first one's pins are all there" test "$(find "$PIN" | wc -l)" -eq "$pins_before"
check "same pin dir: the first one's VIP is still programmed" \
	sh -c "'$SLUICECTL' --api 'unix:$SOCK_a' vip | grep -q 198.18.100.1"
check "same pin dir: XDP still forwards" ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2

# ---- the same state dir --------------------------------------------------------
second same-state --pin-dir "/sys/fs/bpf/$T_ID-same-state" --state-dir "$STATE_a"
rc=$?
check "same state dir: the second sluiced exits with an error" test "$rc" -ne 0 -a "$rc" -ne 124
check "same state dir: it names the dir and the running one's pid" \
	grep -q "state dir $STATE_a is in use by another sluiced (pid $PID_a)" "$T_TMP/same-state.log"
check "same state dir: XDP still forwards" ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2
check "same state dir: its own (empty) pin dir is not left behind" test ! -e "/sys/fs/bpf/$T_ID-same-state"

# ---- own dirs, the first one's API socket -----------------------------------------
T_PINS+=("/sys/fs/bpf/$T_ID-same-api")
timeout 40 nsenter --net="/var/run/netns/$NS_R" "$SLUICED" --api "unix:$SOCK_a" \
	--pin-dir "/sys/fs/bpf/$T_ID-same-api" --state-dir "$T_TMP/state-same-api" \
	--interface r0 --interface r1 >"$T_TMP/same-api.log" 2>&1
rc=$?
check "same API socket: the second one exits with an error (status $rc)" test "$rc" = 1
check "same API socket: it names the socket" \
	grep -q "cannot listen on unix:$SOCK_a: .*another process is listening" "$T_TMP/same-api.log"
check "same API socket: it leaves no pin dir behind" test ! -e "/sys/fs/bpf/$T_ID-same-api"
check "same API socket: the first one still answers" \
	curl -sf --unix-socket "$SOCK_a" http://sluiced/v1/status

# ---- own dirs, the same ports --------------------------------------------------
# It runs (its ports in error), and says why: the ports have a program,
# not "refused native XDP ... using generic mode", which it did not.
second same-ports --pin-dir "/sys/fs/bpf/$T_ID-same-ports" --state-dir "$T_TMP/state-same-ports" &
sp=$!
check "same ports: the second one says another XDP program is attached" \
	wait_until 20 grep -q "cannot attach XDP to r0: .*another XDP program is attached" "$T_TMP/same-ports.log"
check "same ports: no claim of generic mode" sh -c "! grep -q 'generic mode' '$T_TMP/same-ports.log'"
pkill -TERM -f -- "--pin-dir /sys/fs/bpf/$T_ID-same-ports" 2>/dev/null
wait "$sp" 2>/dev/null
check "same ports: XDP still forwards (the first one's)" ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2

# ---- an upgrade: the new one started with the same flags, the old one running --
# It waits for the old one's locks (its API socket too is the old one's until
# then), then adopts; it used to exit at once on the socket.
nsenter --net="/var/run/netns/$NS_R" "$SLUICED" --pin-dir "$PIN_a" --api "unix:$SOCK_a" \
	--state-dir "$STATE_a" --interface r0 --interface r1 --keep-on-exit >"$T_TMP/up.log" 2>&1 &
up=$!
T_PIDS+=("$up")
check "upgrade: the new one waits for the old one" \
	wait_until 10 grep -q "is in use by another sluiced (pid $PID_a): waiting" "$T_TMP/up.log"
kill -TERM "$PID_a"
wait "$PID_a" 2>/dev/null
check "upgrade: once the old one is gone, the new one serves the same socket" \
	wait_until 15 curl -sf --unix-socket "$SOCK_a" http://sluiced/v1/status
check "upgrade: the maps were adopted" test "$(status_field a maps_reused)" = True
check "upgrade: XDP forwards" ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2
PID_a=$up

# ---- a restart that does not wait for the old one ------------------------------
kill -TERM "$PID_a"
sluiced_start "$NS_R" a --interface r0 --interface r1 --keep-on-exit ||
	tap_fail "restart at once: the new sluiced comes up" "$(tail -5 "$T_TMP/a.log")"
check "restart at once: the maps were adopted" test "$(status_field a maps_reused)" = True
check "restart at once: the VIP came back" \
	sh -c "'$SLUICECTL' --api 'unix:$SOCK_a' vip | grep -q 198.18.100.1"
check "restart at once: XDP forwards" ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2
sluiced_stop a TERM || tap_fail "orderly stop" "status $?"

# ---- ip netns exec: a bpffs of its own ------------------------------------------
ipx_pin="/sys/fs/bpf/$T_ID-ipx"
T_PINS+=("$ipx_pin")
ip netns exec "$NS_C" timeout 30 "$SLUICED" --pin-dir "$ipx_pin" \
	--api "unix:$T_TMP/ipx.sock" --state-dir "$T_TMP/state-ipx" \
	--interface c0 --keep-on-exit >"$T_TMP/ipx.log" 2>&1 &
ipx=$!
T_PIDS+=("$ipx")
if wait_until 10 curl -sf --unix-socket "$T_TMP/ipx.sock" http://sluiced/v1/status; then
	tap_ok "ip netns exec: sluiced runs"
else
	tap_fail "ip netns exec: sluiced runs" "$(tail -5 "$T_TMP/ipx.log")"
fi
check "ip netns exec: it warns that --keep-on-exit keeps nothing" \
	grep -q "mount namespace of sluiced's own.*--keep-on-exit keeps nothing" "$T_TMP/ipx.log"
check "ip netns exec: its pins are not in the system's bpffs" test ! -e "$ipx_pin"
kill -TERM "$ipx"
wait "$ipx" 2>/dev/null
check "ip netns exec: as warned, its XDP went with it" sh -c "! ip -d -n '$NS_C' link show c0 | grep -q prog/xdp"
check "nsenter (sluiced_start): no such warning" sh -c "! grep -q 'mount namespace of sluiced' '$T_TMP/a.log'"
tap_done
