#!/usr/bin/env bash
# ECMP: a multipath route to two servers that own the same service address,
# kernel forwarding off.  Many flows spread over both; one flow always goes
# to the same server; and every flow lands where the shared flow hash
# (include/uapi/sluice/flow_hash.h) says it must.
. "$(dirname "$0")/lib.sh"

V4=198.18.100.1
V6=2001:db8:100::1
VIAS4="198.18.2.2@r1,198.18.3.2@r2"
VIAS6="2001:db8:2::2@r1,2001:db8:3::2@r2"
N=40

topo_basic || die "topology"				# c --r0 [r] r1-- A (198.18.2.2)
add_server NS_B b "$NS_R" r2 3 || die "server B"	# [r] r2-- B (198.18.3.2)
NS_A=$NS_S
own_addr "$NS_A" "$V4/32" "$V6/128" || die "service address on A"
own_addr "$NS_B" "$V4/32" "$V6/128" || die "service address on B"
responder_start "$NS_A" A || die "responder A"
responder_start "$NS_B" B || die "responder B"
ip -n "$NS_R" route add 198.18.100.0/24 \
	nexthop via 198.18.2.2 dev r1 nexthop via 198.18.3.2 dev r2 || die "v4 multipath route"
ip -n "$NS_R" -6 route add 2001:db8:100::/64 \
	nexthop via 2001:db8:2::2 dev r1 nexthop via 2001:db8:3::2 dev r2 || die "v6 multipath route"

sluiced_start "$NS_R" r --interface r0 --interface r1 --interface r2 || die "sluiced"
for a in 198.18.2.2 2001:db8:2::2 198.18.3.2 2001:db8:3::2; do
	warm "$NS_C" "$a" || die "warm-up ping to $a"
done
check "v4 /v1/routes: 198.18.100.0/24 has both next hops" \
	wait_until 10 route_vias_are r 198.18.100.0/24 "$VIAS4"
check "v6 /v1/routes: 2001:db8:100::/64 has both next hops" \
	wait_until 10 route_vias_are r 2001:db8:100::/64 "$VIAS6"
kernel_forwarding "$NS_R" off

# predict SRC DST DPORT PROTO: reads "SPORT NAME" lines, prints one line per
# flow whose answer is not the member the flow hash picks, then "checked N"
# so that a predictor that breaks cannot pass silently.  "A" is member 0
# (the first next hop, as the kernel lists them).  Reimplements
# sluice_flow_hash() as the data path computes it on x86 (little endian).
predict() {
	"$T_PY" -c '
import ipaddress, socket, struct, sys
src, dst, dport, proto = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
M = 0xffffffff
def rotl(x, r): return ((x << r) | (x >> (32 - r))) & M
def mix(h, w):
    w = (w * 0xcc9e2d51) & M
    w = rotl(w, 15)
    w = (w * 0x1b873593) & M
    h ^= w
    h = rotl(h, 13)
    return (h * 5 + 0xe6546b64) & M
def final(h):
    h ^= h >> 16; h = (h * 0x85ebca6b) & M
    h ^= h >> 13; h = (h * 0xc2b2ae35) & M
    h ^= h >> 16
    return h
def words(a):
    b = ipaddress.ip_address(a).packed
    return struct.unpack("<%dI" % (len(b) // 4), b)
def member(sport, n=2):
    h = 0x5175cee1
    for s, d in zip(words(src), words(dst)):
        h = mix(h, s); h = mix(h, d)
    ports = struct.unpack("<I", struct.pack("!HH", sport, dport))[0]
    h = mix(h, ports); h = mix(h, proto)
    return final(h) % n
n = 0
for line in sys.stdin:
    sport, name = line.split()
    want = "AB"[member(int(sport))]
    if name != want:
        print("sport %s answered by %s, hash says %s" % (sport, name, want))
    n += 1
print("checked", n)
' "$@"
}

# spread FAM SRC DST SPORT0: N TCP flows, each from its own source port.
spread() {
	local fam=$1 src=$2 dst=$3 p0=$4 out ok a b bad
	out=$(tcp_flows "$NS_C" "$dst" "$p0" "$N")
	ok=$(echo "$out" | awk '$2 != "-"' | wc -l)
	a=$(echo "$out" | awk '$2 == "A"' | wc -l)
	b=$(echo "$out" | awk '$2 == "B"' | wc -l)
	echo "# v$fam: $N flows -> A $a, B $b, failed $((N - ok))"
	if [ "$ok" -eq "$N" ]; then
		tap_ok "v$fam: $N TCP flows with distinct source ports all answered"
	else
		tap_fail "v$fam: $N TCP flows with distinct source ports all answered" \
			"$((N - ok)) failed: $(echo "$out" | awk '$2 == "-" {printf "%s ", $1}')"
	fi
	if [ $((a * 5)) -ge "$N" ] && [ $((b * 5)) -ge "$N" ]; then
		tap_ok "v$fam: both servers took at least 20% (A $a, B $b)"
	else
		tap_fail "v$fam: both servers took at least 20%" "A $a, B $b of $N"
	fi
	bad=$(echo "$out" | awk '$2 != "-"' | predict "$src" "$dst" 8080 6)
	if [ "$bad" = "checked $ok" ] && [ "$ok" -gt 0 ]; then
		tap_ok "v$fam: every flow went to the member the flow hash picks"
	else
		tap_fail "v$fam: every flow went to the member the flow hash picks" \
			"$(echo "$bad" | head -5 | tr '\n' ';')"
	fi
}

fwd0=$(packets r r0 fwd_redirect)
spread 4 198.18.1.2 "$V4" 40000
spread 6 2001:db8:1::2 "$V6" 41000
fwd1=$(packets r r0 fwd_redirect)
# each flow is at least SYN, ACK+request, FIN/ACK through r0
if [ $((fwd1 - fwd0)) -ge $((2 * N * 3)) ]; then
	tap_ok "r0 fwd_redirect carried the flows ($((fwd1 - fwd0)) packets)"
else
	tap_fail "r0 fwd_redirect carried the flows" "before=$fwd0 after=$fwd1"
fi

# ---- one 5-tuple, repeated: always the same server ------------------------------------
# Pick one source port per member (by the hash) so both members are seen.
port_for() { # SRC DST DPORT PROTO MEMBER FROM: first source port from FROM
	local p m
	for p in $(seq "$6" $(($6 + 50))); do
		m=B
		[ "$(echo "$p A" | predict "$1" "$2" "$3" "$4")" = "checked 1" ] && m=A
		[ "$m" = "$5" ] && { echo "$p"; return 0; }
	done
	return 1
}
sticky() { # NAME ANSWERS WANT
	local answers=$2 n
	n=$(echo "$answers" | grep -cx "$3")
	if [ "$n" -eq 10 ]; then
		tap_ok "$1: 10/10 answered by $3"
	else
		tap_fail "$1: 10/10 answered by $3" "answers: $(echo "$answers" | tr '\n' ' ')"
	fi
}
for fam in 4 6; do
	if [ $fam = 4 ]; then src=198.18.1.2 dst=$V4; else src=2001:db8:1::2 dst=$V6; fi
	for m in A B; do
		p=$(port_for "$src" "$dst" 9000 17 $m 46000) || { tap_fail "v$fam: a UDP port for $m"; continue; }
		sticky "v$fam UDP, fixed source port $p" "$(udp_asks "$NS_C" "$dst" "$p" 10)" $m
	done
	# TCP, one source port, a new connection each time (the server closes
	# first, so the client's port is normally free again at once; a
	# connection that could not be made is retried, up to 3 times -- a
	# wrong server answering is never retried away)
	p=$(port_for "$src" "$dst" 8080 6 B 47000) || { tap_fail "v$fam: a TCP port for B"; continue; }
	answers=""
	for _ in $(seq 1 10); do
		for _ in 1 2 3; do
			got=$(tcp_flows "$NS_C" "$dst" "$p" 1 | awk '{print $2}')
			[ "$got" != "-" ] && break
			sleep 0.3
		done
		answers+="$got"$'\n'
	done
	sticky "v$fam TCP, fixed source port $p" "${answers%$'\n'}" B
done

tap_done
