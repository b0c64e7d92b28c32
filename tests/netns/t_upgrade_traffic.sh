#!/usr/bin/env bash
# A data-path upgrade under traffic.  sluiced upgrades the way it restarts
# (docs/operations.md): the old one exits with --keep-on-exit, the new one
# loads its programs over the pinned maps and swaps each pinned XDP link to
# them with bpf_link_update(), so the link (and the port) never goes
# without a program.  client -- router (sluiced, conntrack on, kernel
# forwarding off) -- server with two addresses; counted UDP streams (a
# sequence number in every datagram, ~2000 pps in all) run through the
# router, 8 of them to a full-NAT VIP with both server addresses as
# backends and 2 routed straight to the server.  Asserted: the program on
# the ports changed but the links did not, 0 datagrams lost, every VIP flow
# stayed on the backend it had, and the conntrack entries are kept.
# UPGRADE_S (default 6): the streams run 2 s before the upgrade and
# max(2, UPGRADE_S - 4) s after the new sluiced answers; `make soak` runs
# it longer.
. "$(dirname "$0")/lib.sh"

VIP=198.18.100.1
DUR=${UPGRADE_S:-6}
PPS=${UPGRADE_PPS:-2000}

topo_basic || die "topology"
ip -n "$NS_S" addr add 198.18.2.3/24 dev s0 || die "second server address"
cat >"$T_TMP/r.json" <<EOF
{"interfaces": ["r0", "r1"], "keep_on_exit": true,
 "conntrack": {"enabled": true}}
EOF
sluiced_start "$NS_R" r -c "$T_TMP/r.json" || die "sluiced"
# shellcheck disable=SC2154 # PIN_r is set by sluiced_start
PIN=$PIN_r
warm "$NS_C" 198.18.2.2 || die "warm-up ping"
warm "$NS_R" 198.18.2.3 || die "second backend address"
wait_until 5 route_has r 198.18.2.0/24 || die "route not mirrored"
sctl r vip add $VIP:9100/udp --mode fullnat >/dev/null || die "vip add"
for a in 198.18.2.2 198.18.2.3; do
	sctl r backend add $VIP:9100/udp $a >/dev/null || die "backend add $a"
done
kernel_forwarding "$NS_R" off

# The receivers: (address, port) sockets on the server; each datagram is
# "FLOW SEQ"; on the stop file they write {"addr:port": {flow: [seqs]}}.
cat >"$T_TMP/rx.py" <<'PYEOF'
import json, os, select, socket, sys, time
out, stop, deadline = sys.argv[1], sys.argv[2], time.monotonic() + float(sys.argv[3])
socks = {}
for ep in sys.argv[4:]:
    a, p = ep.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((a, int(p)))
    socks[s] = ep
seen = {ep: {} for ep in socks.values()}
open(out + ".ready", "w").close()
while time.monotonic() < deadline and not os.path.exists(stop):
    r, _, _ = select.select(list(socks), [], [], 0.1)
    for s in r:
        while True:
            try:
                d = s.recv(64, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            f, q = d.split()
            seen[socks[s]].setdefault(f.decode(), []).append(int(q))
json.dump(seen, open(out, "w"))
PYEOF
# The sender: one socket per flow (fixed source port), paced in 5 ms
# rounds, until the stop file appears (DUR + 30 s at most); prints
# {flow: sent}.
cat >"$T_TMP/tx.py" <<'PYEOF'
import json, os, socket, sys, time
stop, dur, pps = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
flows = []
for spec in sys.argv[4:]:
    sport, dst = spec.split("=")
    a, p = dst.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("", int(sport)))
    flows.append((sport, s, (a, int(p))))
sent = {f[0]: 0 for f in flows}
per_round = max(1, pps * 5 // 1000 // len(flows))
t0 = time.monotonic()
k = 0
while time.monotonic() - t0 < dur and not os.path.exists(stop):
    for f, s, dst in flows:
        for _ in range(per_round):
            s.sendto(b"%s %d" % (f.encode(), sent[f]), dst)
            sent[f] += 1
    k += 1
    delay = t0 + k * 0.005 - time.monotonic()
    if delay > 0:
        time.sleep(delay)
print(json.dumps(sent))
PYEOF

flows=()
for p in $(seq 41000 41007); do flows+=("$p=$VIP:9100"); done
flows+=("41100=198.18.2.2:9200" "41101=198.18.2.2:9200")
ip netns exec "$NS_S" timeout $((DUR + 50)) "$T_PY" "$T_TMP/rx.py" "$T_TMP/rx.json" \
	"$T_TMP/rx.stop" $((DUR + 45)) 198.18.2.2:9100 198.18.2.3:9100 198.18.2.2:9200 \
	>"$T_TMP/rx.log" 2>&1 &
rx_pid=$!
T_PIDS+=("$rx_pid")
wait_until 5 test -e "$T_TMP/rx.json.ready" || die "receivers"

# xdp_prog NS IF: the id of the XDP program on IF; link_id PIN NAME: the
# id of a pinned link.
xdp_prog() {
	ip -j -d -n "$1" link show "$2" | "$T_PY" -c '
import json, sys
print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])'
}
link_id() {
	bpftool -j link show pinned "$1/$2" | "$T_PY" -c '
import json, sys
print(json.load(sys.stdin)["id"])'
}
ct_total() { api_json r /v1/conntrack/count "d['total']"; }

ip netns exec "$NS_C" timeout $((DUR + 40)) "$T_PY" "$T_TMP/tx.py" "$T_TMP/tx.stop" \
	$((DUR + 30)) "$PPS" \
	"${flows[@]}" >"$T_TMP/tx.json" 2>"$T_TMP/tx.log" &
tx_pid=$!
sleep 2 # pacing only: every flow has its conntrack entry and its backend
prog0=$(xdp_prog "$NS_R" r0)
link0=$(link_id "$PIN" link_r0)
ct0=$(ct_total)
t0=$(ms_now)
sluiced_stop r TERM || tap_fail "upgrade: the old sluiced exits with status 0"
sluiced_start "$NS_R" r -c "$T_TMP/r.json" || die "the new sluiced"
echo "# upgrade: $(($(ms_now) - t0)) ms from SIGTERM to the new sluiced's API"
ct1=$(ct_total)
prog1=$(xdp_prog "$NS_R" r0)
link1=$(link_id "$PIN" link_r0)
# the streams go on max(2, DUR - 4) s after the new sluiced answers
sleep $((DUR > 6 ? DUR - 4 : 2))
touch "$T_TMP/tx.stop"
wait "$tx_pid"
sleep 0.5 # the last datagrams in flight
touch "$T_TMP/rx.stop"
wait_until 10 test -s "$T_TMP/rx.json" || tap_fail "receivers wrote their counts"

echo "# r0: XDP program $prog0 -> $prog1, link $link0 -> $link1"
check "upgrade: the XDP program on r0 was replaced ($prog0 -> $prog1)" \
	test -n "$prog0" -a -n "$prog1" -a "$prog0" != "$prog1"
check "upgrade: ...through the same pinned link ($link0)" test -n "$link0" -a "$link0" = "$link1"
check "upgrade: maps_reused is true" test "$(status_field r maps_reused)" = True
check "upgrade: the log says both links were adopted" \
	sh -c "test \$(grep -c 'adopted the pinned XDP link' '$T_TMP/r.log') -eq 2"
echo "# conntrack entries: $ct0 before, $ct1 just after"
check "upgrade: the conntrack entries were kept ($ct0 -> $ct1, >= 10 flows)" \
	test "${ct0:-0}" -ge 10 -a "${ct1:-0}" -ge "${ct0:-1}"

"$T_PY" - "$T_TMP/tx.json" "$T_TMP/rx.json" >"$T_TMP/verdict" <<'PYEOF'
import json, sys
sent = json.load(open(sys.argv[1]))
rx = json.load(open(sys.argv[2]))
lost = dup = moved = 0
per_be = {}
for f, n in sent.items():
    where = [ep for ep, fl in rx.items() if f in fl]
    seqs = [q for ep in where for q in rx[ep][f]]
    lost += n - len(set(seqs))
    dup += len(seqs) - len(set(seqs))
    if len(where) != 1:
        moved += 1
    for ep in where:
        per_be[ep] = per_be.get(ep, 0) + 1
print("sent %d lost %d dup %d moved %d per-endpoint %s"
      % (sum(sent.values()), lost, dup, moved, json.dumps(per_be, sort_keys=True)))
PYEOF
verdict=$(cat "$T_TMP/verdict")
echo "# streams: $verdict"
read -r _ n_sent _ n_lost _ _ _ n_moved _ <<<"$verdict"
check "upgrade: $n_sent datagrams sent" test "${n_sent:-0}" -ge $((PPS * 4))
check "upgrade: 0 datagrams lost ($n_lost lost)" test "${n_lost:-x}" = 0
check "upgrade: no flow changed backend ($n_moved moved)" test "${n_moved:-x}" = 0
check "upgrade: both backends had VIP flows" sh -c "echo '$verdict' | grep -q '\"198.18.2.2:9100\": [1-9]' && echo '$verdict' | grep -q '\"198.18.2.3:9100\": [1-9]'"

echo "# t_upgrade_traffic took $SECONDS s"
tap_done
