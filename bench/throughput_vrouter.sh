# shellcheck shell=bash
# shellcheck disable=SC2317,SC2034  # called through $check; EXTRA_TID is throughput.sh's
# Case (h) of bench/throughput.sh (sourced by it): sluice-vrouter on R's two
# ports, in the round where sluiced is up for (c) and (d).  sluiced's XDP
# program hands the vRouter every frame it would forward (a transit
# selector per port, added by the vRouter through sluiced's API); the
# vRouter's graph routes them with sluiced's FIB and sends them out of R's
# B-side port over AF_XDP (copy mode: veth has no zero copy).
#
# One core, as for every other case: the vRouter's one worker thread is
# pinned to R's CPU, next to R's NAPI thread (which runs sluice_xdp and
# copies each frame into the socket).  Both are R's work, so R's cost per
# packet is (NAPI thread CPU + worker CPU) / delivered frames.  The worker
# runs SCHED_FIFO (VR_FIFO, priority 5) and sleeps VR_IDLE_SLEEP (20) us
# after an empty poll (--idle-sleep): it takes the core whenever it has
# frames, and the NAPI thread fills its ring while it sleeps, so the NAPI
# thread never copies frames into a full ring only to drop them.  Measured
# here (one 1 s repetition each, 1 flow): both SCHED_OTHER and busy
# polling, 0.13 Mpps (CFS gives the spinning worker half of the core); SCHED_OTHER
# with the 20 us sleep, 0.20-0.38 Mpps, with 5 of every 6 frames that XDP
# redirected dropped at the socket's full ring (the NAPI thread's work on
# them wasted); SCHED_FIFO with the sleep, 0.47 Mpps and no drops.
# VR_FIFO=0 and VR_IDLE_SLEEP=0 give the others back.
#
# Per repetition, from the vRouter's stats file (written on SIGUSR1) before
# and after: each graph node's packets and ns (clock_gettime around every
# process() call), and from the worker's /proc schedstat its CPU time (run)
# and the time it waited for the CPU (wait).  A node's ns is wall time, and
# on a shared CPU includes the worker's preemptions; scaled by run / (run +
# wait) it is the node's CPU time.  The worker's time then splits into the
# nodes (eth-input .. ip-rewrite), if-output (which includes the AF_XDP
# transmit: in copy mode the kernel copies and sends the frames in the
# sendto() kick) and the rest: the rx side (ring reads, fill ring), the
# loop, empty polls and their wakeups.

VR_IDLE_SLEEP=${VR_IDLE_SLEEP:-20}
VR_FIFO=${VR_FIFO:-5}
case $VR_IDLE_SLEEP:$VR_FIFO in
*[!0-9:]* | :* | *:) echo "throughput.sh: VR_IDLE_SLEEP='$VR_IDLE_SLEEP', VR_FIFO='$VR_FIFO': whole numbers" >&2
	exit 2 ;;
esac
VR_PREP_WHY=	# why (h) cannot run at all
VR_WHY=		# why the vRouter did not start this round
VR_PID=
VR_TID=
VR_NAME=
VR_REP=

# vrouter_prepare: a private copy of sluice-vrouter, or VR_PREP_WHY says
# why not
vrouter_prepare() {
	if [ ! -x "$BUILD/sluice-vrouter" ]; then
		VR_PREP_WHY="$BUILD/sluice-vrouter is missing: run 'make build' first"
		return 1
	fi
	cp "$BUILD/sluice-vrouter" "$T_TMP/" || {
		VR_PREP_WHY="cannot copy $BUILD/sluice-vrouter"
		return 1
	}
}

# vr_thread PID NAME: the TID of PID's thread named NAME
vr_thread() {
	local t
	for t in /proc/"$1"/task/*; do
		if [ "$(cat "$t/comm" 2>/dev/null)" = "$2" ]; then
			echo "${t##*/}"
			return 0
		fi
	done
	return 1
}

# vr_started: the vRouter says it routes, or is gone
vr_started() {
	grep -q "routing on" "$T_TMP/$VR_NAME.log" || ! kill -0 "$VR_PID" 2>/dev/null
}

# vrouter_up ROUND: sluice-vrouter on R's ports with sluiced SL_NAME's pins
# and API, its worker on R's CPU; VR_WHY says why not.
vrouter_up() {
	local pin_var="PIN_$SL_NAME" sock_var="SOCK_$SL_NAME"
	VR_NAME=vr$1
	VR_WHY=
	VR_TID=
	nsenter --net="/var/run/netns/$NS_R" "$T_TMP/sluice-vrouter" \
		--port "$IR0" --port "$IR1" --pin-dir "${!pin_var}" \
		--api "unix:${!sock_var}" --steer required --punt-tap "${P}p" \
		--stats-file "$T_TMP/$VR_NAME.json" --stats-interval 3600 \
		--fib-wait 5 --idle-sleep "$VR_IDLE_SLEEP" \
		>"$T_TMP/$VR_NAME.out" 2>"$T_TMP/$VR_NAME.log" &
	VR_PID=$!
	T_PIDS+=("$VR_PID")
	wait_until 10 vr_started
	if ! grep -q "routing on" "$T_TMP/$VR_NAME.log"; then
		VR_WHY="sluice-vrouter did not start: $(tail -c 300 "$T_TMP/$VR_NAME.log")"
		vrouter_down
		return 1
	fi
	if ! VR_TID=$(vr_thread "$VR_PID" vr0) ||
		! taskset -pc "$R_CPU" "$VR_TID" >/dev/null; then
		VR_WHY="cannot pin sluice-vrouter's worker (vr0) to CPU $R_CPU"
		vrouter_down
		return 1
	fi
	if [ "$VR_FIFO" != 0 ] && ! chrt -f -p "$VR_FIFO" "$VR_TID"; then
		VR_WHY="cannot make sluice-vrouter's worker SCHED_FIFO $VR_FIFO"
		vrouter_down
		return 1
	fi
}

# vrouter_down: SIGTERM, bounded wait; its exit status (0: clean, selectors
# deleted, every buffer back)
vrouter_down() {
	local rc
	kill -TERM "$VR_PID" 2>/dev/null
	for _ in $(seq 1 50); do
		kill -0 "$VR_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$VR_PID" 2>/dev/null
	wait "$VR_PID" 2>/dev/null
	rc=$?
	VR_TID=
	return $rc
}

# vr_dump OUT: the vRouter's stats file, freshly written (SIGUSR1), to OUT
vr_dump() {
	local f="$T_TMP/$VR_NAME.json" m0 m1
	m0=$(stat -c '%i %y' "$f" 2>/dev/null)
	kill -USR1 "$VR_PID" 2>/dev/null || return 1
	for _ in $(seq 1 40); do
		sleep 0.05
		m1=$(stat -c '%i %y' "$f" 2>/dev/null)
		if [ -n "$m1" ] && [ "$m1" != "$m0" ]; then
			cp "$f" "$OUT"
			return 0
		fi
	done
	return 1
}

# steer_transit: the transit selectors' counters on R's ingress port,
# "matched redirected no_socket"
steer_transit() {
	api "$SL_NAME" /v1/steer | python3 -c '
import json, sys
m = r = n = 0
for s in json.load(sys.stdin)["selectors"]:
    if s.get("transit") and s.get("iface") in (None, sys.argv[1]):
        c = s["counters"]
        m, r, n = m + c["matched"], r + c["redirected"], n + c["no_socket"]
print(m, r, n)' "$IR0"
}

# check_vrouter warm|before|after FLOWS DELIVERED: the frames went A -> XDP
# (transit selector) -> the vRouter -> B: B received no more than the
# vRouter sent on R's B-side port, the vRouter sent no more than the
# selector redirected to it, and sluiced's XDP forwarded (fwd_redirect,
# fwd_tx) almost none itself.  "after" also writes the nodes' deltas to
# vrnodes-FLOWS-REP.json for the report.
check_vrouter() {
	case $1 in
	warm) return 0 ;;
	before)
		if ! OUT=$T_TMP/vrs0.json vr_dump ||
			! sluice_reasons "$SL_NAME" "$IR0" >"$T_TMP/vrr0" ||
			! steer_transit >"$T_TMP/vrt0"; then
			unavailable h "$2" "the vRouter's or sluiced's counters do not read"
			return 1
		fi ;;
	after)
		if ! OUT=$T_TMP/vrs1.json vr_dump ||
			! sluice_reasons "$SL_NAME" "$IR0" >"$T_TMP/vrr1" ||
			! steer_transit >"$T_TMP/vrt1"; then
			echo "invalid: the vRouter's or sluiced's counters do not read"
			return 0
		fi
		python3 "$ROOT/bench/throughput_vrouter.py" check "$T_TMP" "$IR0" "$IR1" \
			"$3" "$T_TMP/vrnodes-$2-$VR_REP.json" ;;
	esac
}

# vrouter_round ROUND: (h) for each flow count, sluiced SL_NAME up
VR_SECONDS=0	# what (h) added to the run
vrouter_round() {
	local r=$1 f rc t0=$SECONDS
	if [ -n "$VR_PREP_WHY" ]; then
		for f in $FLOW_SET; do unavailable h "$f" "$VR_PREP_WHY"; done
		return 0
	fi
	if ! vrouter_up "$r"; then
		for f in $FLOW_SET; do unavailable h "$f" "$VR_WHY"; done
		VR_SECONDS=$((VR_SECONDS + SECONDS - t0))
		return 0
	fi
	VR_REP=$r
	EXTRA_TID=$VR_TID
	for f in $FLOW_SET; do measure h "$f" "$SERVER" check_vrouter "$r"; done
	EXTRA_TID=
	vrouter_down
	rc=$?
	[ $rc -eq 0 ] || echo "  (h) sluice-vrouter exited with status $rc:" \
		"$(tail -c 300 "$T_TMP/$VR_NAME.log")" >&2
	VR_SECONDS=$((VR_SECONDS + SECONDS - t0))
}
