#!/usr/bin/env bash
# sluicectl explain (docs/explain.md): one synthesized packet through a copy
# of the live XDP program.  A routed flow names its egress port and next
# hop, a VIP's flow its backend and encapsulation, a flow to nowhere
# pass_no_route, a firewalled one drop_fw_rule; after a real connection to
# the VIP, its explain names the backend the live flow table has; no live
# counter, flow or conntrack entry moves; bad input names the field.
#
#   client (c0) ---- (l0) LB/router (l1, l2) ---- (b0) backend 1, 2
. "$(dirname "$0")/lib.sh"

VIP=198.18.100.1

topo_lb 2 $VIP/32 || die "topology"
lb_backends_start 2 || die "backends"
cat >"$T_TMP/lb.json" <<JSON
{"interfaces": ["l0", "l1", "l2"], "lb": {"source_v4": "198.18.200.0/24"}}
JSON
sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" --explain || die "sluiced"
kernel_forwarding "$NS_L" off
sctl lb vip add $VIP:8080/tcp >/dev/null || die "vip add"
for i in 1 2; do
	sctl lb backend add $VIP:8080/tcp "198.18.1$i.2" >/dev/null || die "backend add b$i"
done
wait_until 10 route_has lb 198.18.12.0/24 || die "routes not programmed"

# ex ARGS... : sluicectl explain -j, the answer in $T_TMP/ex.json
ex() { sctl lb explain "$@" -j >"$T_TMP/ex.json" 2>"$T_TMP/ex.err"; }
# exq EXPR: EXPR on the last answer as d (fails on None/False)
exq() {
	[ -s "$T_TMP/ex.json" ] || { cat "$T_TMP/ex.err"; return 1; }
	"$T_PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
if v is None or v is False:
    sys.exit(1)
print(v)' "$T_TMP/ex.json" "$1"
}
# live: the counters explains must not move, one line
live() {
	local c flows ct
	c=$(api lb /v1/stats | "$T_PY" -c '
import json, sys
d = json.load(sys.stdin)
print(sorted((i["name"], r["reason"], r["packets"]) for i in d["interfaces"]
             for r in i["reasons"] if r["reason"] in
             ("fwd_lb", "fwd_redirect", "pass_no_route", "drop_fw_rule")))')
	flows=$("$FLOWS" "$PIN_lb/lb_flows" count)
	ct=$(api lb /v1/conntrack/count)
	echo "$c flows=$flows ct=$ct"
}
# ct_explained: live conntrack entries of the ports explains use
# (40000-40099), which must stay 0 (other traffic may come and go)
ct_explained() {
	api lb "/v1/conntrack?src=198.18.1.2" | "$T_PY" -c '
import json, sys
d = json.load(sys.stdin)
print(sum(1 for e in d["entries"] if 40000 <= e.get("sport", 0) < 40100))'
}

before=$(live)

# a routed flow: to backend 2's address, not the VIP
ex 198.18.1.2:40000 '->' 198.18.12.2:8080/tcp --in l0
check "routed: reason fwd_redirect, verdict forward" \
	exq "d['reason'] == 'fwd_redirect' and d['verdict'] == 'forward'"
check "routed: egress l2, next hop 198.18.12.2 (02:00:00:00:12:02)" \
	exq "d['egress'] == 'l2' and d['next_hop'] == '198.18.12.2' and d['next_hop_mac'] == '02:00:00:00:12:02'"
check "routed: the route 198.18.12.0/24 named, TTL 63 in the output" \
	exq "d['route'] == '198.18.12.0/24' and any('ttl 63' in l for l in d['output']['decoded'])"

# IPv6 to backend 2, whose IPv4 and IPv6 entries share its MAC: the next
# hop named is the IPv6 one the packet goes to, not the IPv4 one
ip -n "$NS_L" addr add 2001:db8:12::1/64 dev l2 nodad
ip -n "$NS_B2" addr add 2001:db8:12::2/64 dev b0 nodad
check "v6: the LB resolves backend 2's 2001:db8:12::2" \
	ip netns exec "$NS_L" ping -6 -c 1 -W 2 2001:db8:12::2
wait_until 10 route_has lb 2001:db8:12::/64 || die "v6 route not programmed"
neigh_v6() { api lb /v1/neighbors | grep -q '"2001:db8:12::2"'; }
wait_until 10 neigh_v6 || die "v6 neighbour not mirrored"
ex '[2001:db8:1::2]:40000' '->' '[2001:db8:12::2]:8080/tcp' --in l0
check "v6 routed: egress l2, next hop 2001:db8:12::2 (not 198.18.12.2, same MAC)" \
	exq "d['egress'] == 'l2' and d['next_hop'] == '2001:db8:12::2' and d['next_hop_mac'] == '02:00:00:00:12:02' and any(l.endswith('(neighbour 2001:db8:12::2)') for l in d['decisions'])"

# no --in: the port the route back to the source leaves by (l0)
ex 198.18.1.2:40000 198.18.12.2:8080/tcp
check "no --in: the packet comes in by l0, the route back to 198.18.1.2" \
	exq "d['packet']['in'] == 'l0' and d['reason'] == 'fwd_redirect'"

# UDP and an ICMP echo take the same route
ex 198.18.1.2:5353 198.18.12.2:53/udp --in l0
check "routed UDP: fwd_redirect, ports kept" \
	exq "d['reason'] == 'fwd_redirect' and 'udp 5353 > 53' in d['output']['decoded']"
ex 198.18.1.2 198.18.12.2/icmp --in l0
check "routed ICMP echo: fwd_redirect, egress l2" \
	exq "d['reason'] == 'fwd_redirect' and d['egress'] == 'l2' and any(l.startswith('icmp type 8 ') for l in d['output']['decoded'])"
check "ICMP echo: the packet line has no ports" \
	exq "'packet: 198.18.1.2 > 198.18.12.2/icmp echo id 1 seq 1' in d['decisions']"

# a new flow to the VIP: Maglev picks, IPIP to the backend
ex 198.18.1.2:40001 $VIP:8080/tcp --in l0
check "VIP: reason fwd_lb, a backend picked by Maglev" \
	exq "d['reason'] == 'fwd_lb' and d['lb']['from'] == 'maglev' and d['lb']['backend'] in ('198.18.11.2', '198.18.12.2')"
check "VIP: IPIP encapsulation, the outer destination the backend" \
	exq "d['lb']['encap'] == 'ipip' and any(l.startswith('ipv4 198.18.200.') and ' > ' + d['lb']['backend'] + ' ' in l for l in d['output']['decoded'])"

# to nowhere
ex 198.18.1.2:40002 198.19.77.1:80/tcp --in l0
check "no route: pass_no_route, the frame unchanged" \
	exq "d['reason'] == 'pass_no_route' and d['action'] == 'XDP_PASS' and d['input']['hex'] == d['output']['hex']"

# text output: the decisions, then the frames
out=$(sctl lb explain 198.18.1.2:40001 $VIP:8080/tcp --in l0 2>&1)
check "text: decisions, reason and the output frame" \
	grep -q "reason: fwd_lb" <<<"$out"
check "text: the decoded output starts with its Ethernet header" \
	grep -q "^  eth " <<<"$out"

check "no live counter, flow or conntrack entry moved by the explains" \
	test "$(live)" = "$before"

# a real connection to the VIP from port 45678: the explain of that flow
# (an ACK) names the backend the live flow table has
ip netns exec "$NS_C" timeout 10 "$T_PY" -c '
import socket
s = socket.socket()
s.bind(("198.18.1.2", 45678))
s.settimeout(5)
s.connect(("198.18.100.1", 8080))
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
print(s.recv(4096).split(b"\r\n\r\n")[-1].decode().strip())' >"$T_TMP/conn.out" 2>&1
check "a real connection through the VIP ($(tr '\n' ' ' <"$T_TMP/conn.out"))" \
	grep -q '^b[12]$' "$T_TMP/conn.out"
live_be=$("$FLOWS" "$PIN_lb/lb_flows" dump | awk '$2 == 45678 {print $7}')
ex 198.18.1.2:45678 $VIP:8080/tcp --ack --in l0
check "established: from the flow table, backend ${live_be:-?} as the live table has it" \
	exq "d['lb']['from'] == 'flow_table' and str(d['lb']['backend_id']) == '${live_be:-none}'"

# the firewall: a rule dropping tcp 9090 in at l0
# with conntrack on: the explains must not add live entries
sctl lb ct enable >/dev/null || die "ct enable"
fw_id=$(sctl lb fw add l0 in --proto tcp --dport 9090 --action drop -j |
	"$T_PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])') || die "fw add"
before=$(live)
ex 198.18.1.2:40003 198.18.12.2:9090/tcp --in l0
check "firewall: drop_fw_rule, verdict drop, rule $fw_id named" \
	exq "d['reason'] == 'drop_fw_rule' and d['verdict'] == 'drop' and d['fw_rule'] == $fw_id and 'firewall: drop_fw_rule: rule $fw_id of l0 in (sluicectl fw show l0)' in d['decisions']"
ex 198.18.1.2:40004 198.18.12.2:8080/tcp --in l0
check "conntrack on: a new flow's entry shown, not made live" \
	exq "d['reason'] == 'fwd_redirect' and d['conntrack']['entry_after'] and not d['conntrack']['live_entry']"
ex 198.18.1.2:40005 $VIP:8080/tcp --in l0
check "conntrack on: a VIP's new flow balanced (fwd_lb)" exq "d['reason'] == 'fwd_lb'"
check "... and still no live counter or flow moved" \
	test "$(live | sed 's/ ct=.*//')" = "${before% ct=*}"
n=$(ct_explained)
check "... and no live conntrack entry of an explained flow ($n)" test "$n" = 0

# SNAT (masquerade out of l2): the new source named, the destination the
# packet's own (NAT leaves it alone), not 0.0.0.0:0
sctl lb nat add snat --src 198.18.1.0/24 --out l2 >/dev/null || die "nat add"
ex 198.18.1.2:40006 198.18.12.2:8080/tcp --in l0
check "SNAT: the opener's packets become 198.18.12.1:40006 > 198.18.12.2:8080" \
	exq "'nat: the opener\'s packets become 198.18.12.1:40006 > 198.18.12.2:8080' in d['decisions']"

# bad input: refused, naming the field
check_fails "bad address refused" ex 198.18.1:1 $VIP:8080/tcp --in l0
check "... naming the source" grep -q "source '198.18.1:1'" "$T_TMP/ex.err"
check_fails "unknown interface refused" ex 198.18.1.2:1 $VIP:8080/tcp --in nosuch0
check "... naming the field: in" grep -q "in: no interface 'nosuch0'" "$T_TMP/ex.err"
check_fails "bad protocol refused" ex 198.18.1.2:1 $VIP:8080/sctp --in l0
check "... naming the field: proto" grep -q "proto: 'sctp' is not tcp, udp or icmp" "$T_TMP/ex.err"
ans=$(curl -s --unix-socket "$SOCK_lb" -X POST -d '{"src": "198.18.1.2", "dst": "2001:db8::1", "dport": 80, "in": "l0"}' http://sluiced/v1/explain)
check "API: mixed families refused naming dst ($ans)" grep -q '"dst: ' <<<"$ans"
tap_done
