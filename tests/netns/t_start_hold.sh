#!/usr/bin/env bash
# A start with nothing pinned holds the ports until the firewall, the VIPs
# and NAT are loaded (SLUICE_IF_HOLD, pass_not_ready): a rule the API made
# drops from the first forwarded packet.  client -- router (sluiced,
# kernel forwarding off) -- server; a drop rule for UDP 7777 kept in the
# state dir; sluiced stopped (no --keep-on-exit: nothing pinned) and
# started again while the client floods UDP 7777 at the server.  The ports
# used to forward from their attach, during the netlink dump, and the rule
# came about 45 ms later: hundreds of the datagrams it drops reached the
# server.  Now none does, the held ones are counted, and the log says when
# the ports forward.
. "$(dirname "$0")/lib.sh"

topo_basic || die "topology"
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced"
warm "$NS_C" 198.18.2.2 || die "warm-up ping"
wait_until 5 route_has r 198.18.2.0/24 || die "route mirrored"
kernel_forwarding "$NS_R" off

# what reaches the server on UDP 7777, counted before anything else sees it
ip netns exec "$NS_S" nft -f - <<'NFT' || die "nft counter on the server"
table inet t_hold {
	chain c {
		type filter hook prerouting priority -300;
		udp dport 7777 counter
	}
}
NFT
at_server() {
	ip netns exec "$NS_S" nft -j list table inet t_hold | "$T_PY" -c '
import json, sys
d = json.load(sys.stdin)["nftables"]
print(sum(e["counter"]["packets"] for r in d if "rule" in r
          for e in r["rule"]["expr"] if "counter" in e))'
}
# flood N: UDP 7777 from the client as fast as Python sends, at most N
# datagrams and 15 s
flood() {
	timeout 15 ip netns exec "$NS_C" "$T_PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[1])):
    try:
        s.sendto(b"x" * 18, ("198.18.2.2", 7777))
    except OSError:
        pass' "$1"
}

check "fw add r0 in --proto udp --dport 7777 --action drop" \
	sctl r fw add r0 in --proto udp --dport 7777 --action drop
flood 2000
check "the rule drops what the client sends (0 at the server)" test "$(at_server)" = 0
check "... counted as drop_fw_rule" test "$(packets r r0 drop_fw_rule)" -ge 2000

sluiced_stop r || tap_fail "sluiced stopped (nothing kept)"
# shellcheck disable=SC2154 # PIN_r is set by sluiced_start
check "stopped without --keep-on-exit: nothing pinned" test ! -e "$PIN_r"
flood 3000000 &
flood_pid=$!
T_PIDS+=("$flood_pid")
sleep 0.5	# pacing: the flood is running before the start
sluiced_start "$NS_R" r --interface r0 --interface r1 || die "sluiced again"
sleep 1		# pacing: the flood goes on past the start
kill "$flood_pid" 2>/dev/null
wait "$flood_pid" 2>/dev/null
n=$(at_server)
echo "# at the server: $n; r0: pass_not_ready $(packets r r0 pass_not_ready)," \
	"drop_fw_rule $(packets r r0 drop_fw_rule)"
check "a start under the flood: none of it reached the server" test "$n" = 0
check "the rule is back and drops the flood (drop_fw_rule)" \
	test "$(packets r r0 drop_fw_rule)" -gt 0
check "the log says when the ports forward" \
	grep -q "ports: forwarding (the firewall, VIPs and NAT are loaded)" "$T_TMP/r.log"
held=$(packets r r0 pass_not_ready)
fwd=$(packets r r0 fwd_redirect)
check "the ports forward after the start (a ping through XDP)" \
	ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 1 198.18.2.2
check "... redirected by XDP, none of it held" \
	test "$(packets r r0 pass_not_ready)" = "$held" -a "$(packets r r0 fwd_redirect)" -ge $((fwd + 2))

tap_done
