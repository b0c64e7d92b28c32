#!/usr/bin/env bash
# sluicectl trace (docs/trace.md): the decisions of packets routed by XDP,
# with the kernel's forwarding off, read from the ring; the pcapng file
# read back by tshark with each packet's decision as its comment; a
# packet with no route traced under pass_no_route; the trace off again
# when the command ends (--count, or Ctrl-C); bad flags refused by name;
# each line names what decided: the route, a firewall rule, the
# conntrack state, a VIP and its backend; with SNAT on, the packet as
# received (--src the client) and NAT's new source in the note.
. "$(dirname "$0")/lib.sh"

command -v tshark >/dev/null || die "tshark missing (scripts/deps.sh)"
topo_basic || die "topology"
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced"
check "v4 ping through the kernel" warm "$NS_C" 198.18.2.2
wait_until 5 route_has r 198.18.2.0/24 || die "route 198.18.2.0/24 not mirrored"
kernel_forwarding "$NS_R" off

# trace_bg NAME ARGS...: sluicectl trace in the router's namespace (its
# interface names), output in $T_TMP/NAME.out/.err; waits until it is on.
trace_bg() {
	local name=$1
	shift
	nsenter --net="/var/run/netns/$NS_R" "$SLUICECTL" trace \
		--pin-dir "$PIN_r" "$@" >"$T_TMP/$name.out" 2>"$T_TMP/$name.err" &
	TRACE_PID=$!
	T_PIDS+=("$TRACE_PID")
	wait_until 5 grep -q "trace: on" "$T_TMP/$name.err"
}
# trace_wait: the background trace ended by itself (bounded); its status.
trace_wait() {
	wait_until 10 bash -c "! kill -0 $TRACE_PID" || return 1
	wait "$TRACE_PID"
}
# the trace switch as the programs read it (first byte of trace_cfg)
trace_enabled() {
	local v
	v=$(in_ns "$NS_R" bpftool -j map lookup pinned "$PIN_r/trace_cfg" \
		key 0 0 0 0) || return 2
	python3 -c 'import json,sys; v=json.loads(sys.argv[1])["value"]
sys.exit(0 if int(v[0], 0) else 1)' "$v"
}

# ---- 10 forwarded echo requests, with a pcap ----
trace_bg fwd --dst 198.18.2.2 --proto icmp --count 10 \
	--pcap "$T_TMP/f.pcapng" || die "trace did not switch on: $(cat "$T_TMP/fwd.err")"
check "trace is on in the kernel while it runs" trace_enabled
check "12 pings via XDP" ip netns exec "$NS_C" ping -c 12 -i 0.05 -W 1 198.18.2.2
if trace_wait; then
	tap_ok "trace --count 10 ended by itself, status 0"
else
	tap_fail "trace --count 10 ended by itself, status 0" "$(cat "$T_TMP/fwd.err")"
fi
out=$(cat "$T_TMP/fwd.out")
lines=$(grep -c . <<<"$out")
good=$(grep -cE "xdp in r0\([0-9]+\) 198\.18\.1\.2 > 198\.18\.2\.2 icmp len [0-9]+ fwd_redirect redirect out r1\([0-9]+\)" <<<"$out")
if [ "$lines" -eq 10 ] && [ "$good" -eq 10 ]; then
	tap_ok "10 lines, each naming ingress r0, fwd_redirect and egress r1"
else
	tap_fail "10 lines, each naming ingress r0, fwd_redirect and egress r1" \
		"lines=$lines good=$good: $(head -3 <<<"$out")"
fi
# the route each took: the connected 198.18.2.0/24, its group, on-link out of r1
good=$(grep -cE " route 198\.18\.2\.0/24 nhg [0-9]+ dev r1$" <<<"$out")
if [ "$good" -eq 10 ]; then
	tap_ok "each line names the route: 198.18.2.0/24, its group, dev r1"
else
	tap_fail "each line names the route: 198.18.2.0/24, its group, dev r1" \
		"good=$good: $(head -3 <<<"$out")"
fi
err=$(cat "$T_TMP/fwd.err")
if grep -qE "^trace: 10 shown, [0-9]+ matched, [0-9]+ emitted, 0 lost" <<<"$err"; then
	tap_ok "the end reports shown, matched, emitted and 0 lost"
else
	tap_fail "the end reports shown, matched, emitted and 0 lost" "$err"
fi
check_fails "trace is off in the kernel once it ended" trace_enabled

n=$(tshark -r "$T_TMP/f.pcapng" 2>/dev/null | grep -c .)
[ "$n" -eq 10 ] && tap_ok "tshark reads 10 packets from the pcapng" ||
	tap_fail "tshark reads 10 packets from the pcapng" "got $n"
fields=$(tshark -r "$T_TMP/f.pcapng" -T fields -e ip.dst -e icmp.type \
	-e frame.comment 2>&1)
c=$(grep -cE "^198\.18\.2\.2	8	.*fwd_redirect.*out r1" <<<"$fields")
[ "$c" -eq 10 ] && tap_ok "tshark: echo requests to 198.18.2.2, the decision as each comment" ||
	tap_fail "tshark: echo requests to 198.18.2.2, the decision as each comment" \
		"$c of 10: $(head -3 <<<"$fields")"

# ---- a packet with no route: its reason ----
trace_bg noroute --reason pass_no_route --count 1 || die "trace did not switch on"
ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.77.1 >/dev/null 2>&1
trace_wait
out=$(cat "$T_TMP/noroute.out")
if grep -qE "198\.18\.1\.2 > 198\.18\.77\.1 icmp .* pass_no_route pass out -" <<<"$out"; then
	tap_ok "no route: traced under pass_no_route, no egress"
else
	tap_fail "no route: traced under pass_no_route, no egress" "$out $(cat "$T_TMP/noroute.err")"
fi

# ---- no --pin-dir: where sluiced says it pins (GET /v1/status) ----
# shellcheck disable=SC2154 # set by sluiced_start
nsenter --net="/var/run/netns/$NS_R" "$SLUICECTL" --api "unix:$SOCK_r" trace \
	--reason pass_no_route --count 1 >"$T_TMP/asked.out" 2>"$T_TMP/asked.err" &
TRACE_PID=$!
T_PIDS+=("$TRACE_PID")
if wait_until 5 grep -qF "trace: on ($PIN_r)" "$T_TMP/asked.err"; then
	tap_ok "no --pin-dir: trace opens the pin dir sluiced reports"
else
	tap_fail "no --pin-dir: trace opens the pin dir sluiced reports" \
		"$(cat "$T_TMP/asked.err")"
fi
ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.77.1 >/dev/null 2>&1
check "it traces there: the packet with no route" trace_wait

# ---- Ctrl-C ends it and switches it off; -j prints JSON ----
trace_bg sigint -j --dst 198.18.2.2 || die "trace did not switch on"
# a second trace while it runs: refused, naming the first; the first keeps
# its own filter (it used to be taken over, and switched off at the
# second's end)
out=$(nsenter --net="/var/run/netns/$NS_R" timeout 10 "$SLUICECTL" trace \
	--pin-dir "$PIN_r" --dst 198.18.77.1 2>&1)
rc=$?
check "a second trace is refused, naming the running one (status $rc)" \
	grep -q "trace: a trace is running already (pid $TRACE_PID)" <<<"$out"
check "and the first trace is still on" trace_enabled
ip netns exec "$NS_C" ping -c 2 -i 0.1 -W 1 198.18.2.2 >/dev/null
wait_until 5 grep -q fwd_redirect "$T_TMP/sigint.out"
check "the first trace still shows its own packets" grep -q fwd_redirect "$T_TMP/sigint.out"
kill -INT "$TRACE_PID"
if trace_wait; then
	tap_ok "SIGINT ends the trace with status 0"
else
	tap_fail "SIGINT ends the trace with status 0" "$(cat "$T_TMP/sigint.err")"
fi
check_fails "trace is off in the kernel after SIGINT" trace_enabled
json_ok() {
	python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
sys.exit(not (len(rows) >= 2 and all(r["reason"] == "fwd_redirect" and
              r["verdict"] == "redirect" and r["egress_ifindex"] > 0 and
              r["route"]["prefix"] == "198.18.2.0/24" and
              r["route"]["dev"] == "r1" and "via" not in r["route"]
              for r in rows)))' \
		"$T_TMP/sigint.out"
}
check "-j: one JSON object per event, the route as a field" json_ok
# '/' as is, as in every other sluicectl JSON ("198.18.2.0/24", not "\/")
check_fails "-j: no escaped '/'" grep -qF '\/' "$T_TMP/sigint.out"

# ---- the decisions: firewall rule, conntrack state, VIP and backend ----
# fw_add ARGS...: sluicectl fw add, the new rule's id
fw_add() {
	sctl r fw add "$@" -j | $T_PY -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
fwid=$(fw_add r0 in --proto icmp --action drop) || die "fw add"
trace_bg fw --dst 198.18.2.2 --count 1 || die "trace did not switch on"
ip netns exec "$NS_C" ping -c 1 -W 1 198.18.2.2 >/dev/null 2>&1
trace_wait
out=$(cat "$T_TMP/fw.out")
if grep -qE "icmp len [0-9]+ drop_fw_rule drop out - fw rule $fwid \(drop\)$" <<<"$out"; then
	tap_ok "a dropped ping names its firewall rule (id $fwid, drop)"
else
	tap_fail "a dropped ping names its firewall rule (id $fwid, drop)" "$out"
fi
sctl r fw del r0 "$fwid" >/dev/null || tap_fail "fw del $fwid"

sctl r ct enable >/dev/null || die "ct enable"
trace_bg ct --dst 198.18.2.2 --count 2 || die "trace did not switch on"
ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2 >/dev/null 2>&1
trace_wait
out=$(cat "$T_TMP/ct.out")
first=$(sed -n 1p <<<"$out")
second=$(sed -n 2p <<<"$out")
if grep -qE "fwd_redirect redirect out r1\([0-9]+\) ct new route 198\.18\.2\.0/24" <<<"$first" &&
	grep -qE "fwd_redirect redirect out r1\([0-9]+\) ct established route 198\.18\.2\.0/24" <<<"$second"; then
	tap_ok "conntrack on: the first ping is ct new, the next ct established"
else
	tap_fail "conntrack on: the first ping is ct new, the next ct established" "$out"
fi
sctl r ct disable >/dev/null || tap_fail "ct disable"

# SNAT (masquerade out of r1): the line and the filter are the packet as
# received, from the client; NAT's new source is in its note
natid=$(sctl r nat add snat --src 198.18.1.0/24 --out r1 | sed -n 's/^added rule //p')
[ -n "$natid" ] || die "nat add snat"
trace_bg nat --src 198.18.1.2 --dst 198.18.2.2 --proto icmp --count 2 ||
	die "trace did not switch on"
ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 1 198.18.2.2 >/dev/null 2>&1
trace_wait
out=$(cat "$T_TMP/nat.out")
good=$(grep -cE "xdp in r0\([0-9]+\) 198\.18\.1\.2 > 198\.18\.2\.2 icmp len [0-9]+ fwd_redirect redirect out r1\([0-9]+\) ct (new|established) nat src 198\.18\.2\.1 route " <<<"$out")
if [ "$good" -eq 2 ]; then
	tap_ok "SNAT on: --src 198.18.1.2 (the client) finds the pings, nat src 198.18.2.1 in the note"
else
	tap_fail "SNAT on: --src 198.18.1.2 (the client) finds the pings, nat src 198.18.2.1 in the note" \
		"$out $(cat "$T_TMP/nat.err")"
fi
sctl r nat del "$natid" >/dev/null || tap_fail "nat del $natid"
sctl r ct disable >/dev/null || tap_fail "ct disable after NAT"

# a VIP on the router, its backend the server (which cannot decapsulate:
# the SYN only has to leave, traced)
sctl r vip add 198.18.100.1:80/tcp --health none >/dev/null || die "vip add"
sctl r backend add 198.18.100.1:80/tcp 198.18.2.2 >/dev/null || die "backend add"
trace_bg vip --vip 198.18.100.1:80 --count 1 || die "trace did not switch on"
ip netns exec "$NS_C" curl -s -o /dev/null --max-time 1 http://198.18.100.1/
trace_wait
out=$(cat "$T_TMP/vip.out")
if grep -qE "198\.18\.1\.2:[0-9]+ > 198\.18\.100\.1:80 tcp len [0-9]+ fwd_lb redirect out r1\([0-9]+\) vip 198\.18\.100\.1:80/tcp \(id [0-9]+\) backend 198\.18\.2\.2 \(id [0-9]+\) hop (via 198\.18\.2\.2 )?dev r1$" <<<"$out"; then
	tap_ok "a VIP's SYN names the VIP, its backend and the hop out of r1"
else
	tap_fail "a VIP's SYN names the VIP, its backend and the hop out of r1" "$out $(cat "$T_TMP/vip.err")"
fi

# ---- bad flags: refused, naming the flag and the value ----
refused() {
	local want=$1 msg
	shift
	if msg=$("$SLUICECTL" trace --pin-dir "$PIN_r" "$@" 2>&1); then
		echo "accepted: $*"
		return 1
	fi
	grep -qF -- "$want" <<<"$msg" || { echo "$msg"; return 1; }
}
check "--port x refused by name" refused "invalid --port 'x'" --port x
check "--reason nope refused by name" refused "invalid --reason 'nope'" --reason nope
check "--dst with host bits refused" refused "invalid --dst '198.18.2.2/24'" --dst 198.18.2.2/24
check "--sample 1/0 refused" refused "invalid --sample '1/0'" --sample 1/0
check "--count -1 refused" refused "invalid --count '-1'" --count -1
check "an unknown option refused" refused "unknown option '--bogus'" --bogus 1
check_fails "refused flags left the trace off" trace_enabled

# ---- sluiced restarted without its pins: the trace says its maps are
# gone (it went silent, status 0), top keeps asking (it exited 2) ----
trace_bg gone --dst 198.18.2.2 || die "trace did not switch on"
sctl r top --count 12 >"$T_TMP/top.out" 2>"$T_TMP/top.err" &
TOP_PID=$!
T_PIDS+=("$TOP_PID")
sleep 1.5
t0=$SECONDS
sluiced_stop r || tap_fail "sluiced stopped"
sleep 2.5 # an outage top must see (a restart alone is shorter than a read)
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced again"
echo "# the restart took $((SECONDS - t0)) s"
trace_wait
rc=$?
check "trace across a restart without pins: exit 1 (status $rc)" test "$rc" = 1
check "trace: it says its maps are no longer pinned" \
	grep -q "trace: the maps this trace reads are no longer pinned in $PIN_r" "$T_TMP/gone.err"
wait_until 20 bash -c "! kill -0 $TOP_PID"
wait "$TOP_PID"
rc=$?
check "top across the restart: it kept asking and ended normally (status $rc)" test "$rc" = 0
check "top: said it retries, then that sluiced answers again" \
	sh -c "grep -q 'top: retrying every 1 s' '$T_TMP/top.err' && grep -q 'top: sluiced answers again' '$T_TMP/top.err' || { cat '$T_TMP/top.err'; exit 1; }"

tap_done
