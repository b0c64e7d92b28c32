#!/usr/bin/env bash
# sluicectl trace under sluice-gen's full rate (docs/trace.md, "Losing
# nothing"): A -> R -> B with the kernel's forwarding off, 3 s of 64-byte
# UDP from sluice-gen pinned to CPU 0 through R's XDP router, traced
#   1. with --sample 1/1000: every matched packet counted, none lost;
#   2. unsampled: what the ring could not take is counted and reported,
#      and shown + lost = matched.
# Not in `make test` (about 15 s, and the figures are the machine's): run
#   flock /tmp/sluice-netns.lock bench/trace_rate.sh
# with SLUICED, SLUICECTL (and SLUICE_GEN) pointing at a build.
. "$(dirname "$0")/../tests/netns/lib.sh"
GEN=${SLUICE_GEN:-$(dirname "$SLUICECTL")/sluice-gen}

topo_basic || die "topology"
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced"
warm "$NS_C" 198.18.2.2 || die "warm"
wait_until 5 route_has r 198.18.2.0/24 || die "route not mirrored"
kernel_forwarding "$NS_R" off

# rate NAME TRACE-ARGS...: the trace on, 3 s of traffic, Ctrl-C; sets
# ROUTED (frames R forwarded) and the trace's last counters line in LAST.
rate() {
	local name=$1 tp before
	shift
	nsenter --net="/var/run/netns/$NS_R" "$SLUICECTL" trace \
		--pin-dir "$PIN_r" "$@" >"$T_TMP/$name.out" 2>"$T_TMP/$name.err" &
	tp=$!
	T_PIDS+=("$tp")
	wait_until 5 grep -q "trace: on" "$T_TMP/$name.err" || return 1
	before=$(packets r r0 fwd_redirect)
	in_ns "$NS_C" "$GEN" -i c0 -s 198.18.1.2 -d 198.18.2.2 \
		-m 02:00:00:00:01:01 -t 3 -c 0 -j >"$T_TMP/$name.gen" 2>&1 ||
		return 1
	ROUTED=$(($(packets r r0 fwd_redirect) - before))
	sleep 1 # the reader drains the ring
	kill -INT "$tp"
	wait "$tp" || return 1
	LAST=$(grep "shown" "$T_TMP/$name.err" | tail -1)
	echo "# $name ($*): R routed $ROUTED frames; $LAST;" \
		"$(grep -c . "$T_TMP/$name.out") lines"
}
# field WORD: the number before WORD in $LAST
field() { sed -E "s/.* ([0-9]+) $1.*/\1/; s/^trace: ([0-9]+) $1.*/\1/" <<<"$LAST"; }

if rate sampled --dst 198.18.2.2 --sample 1/1000; then
	m=$(field matched) l=$(field lost) s=$(field shown)
	# sampling counts per CPU: one more event per CPU at most
	if [ "$m" -eq "$ROUTED" ] && [ "$l" -eq 0 ] &&
		[ "$s" -ge $((m / 1000)) ] && [ "$s" -le $((m / 1000 + $(nproc))) ]; then
		tap_ok "sampled 1/1000: every routed frame matched, 1 in 1000 shown, 0 lost"
	else
		tap_fail "sampled 1/1000: every routed frame matched, 1 in 1000 shown, 0 lost" "$LAST"
	fi
else
	tap_fail "sampled run" "$(cat "$T_TMP/sampled.err")"
fi
if rate all --dst 198.18.2.2; then
	m=$(field matched) l=$(field lost) s=$(field shown)
	if [ "$m" -eq "$ROUTED" ] && [ $((s + l)) -eq "$m" ]; then
		tap_ok "unsampled: shown + lost = matched, the loss reported ($l)"
	else
		tap_fail "unsampled: shown + lost = matched" "$LAST"
	fi
else
	tap_fail "unsampled run" "$(cat "$T_TMP/all.err")"
fi
tap_done
