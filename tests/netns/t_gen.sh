#!/usr/bin/env bash
# sluice-gen's AF_PACKET way out (bench/gen/tx_packet.c), which it takes
# when the kernel refuses live frames and under --method af_packet: the
# frames that arrive at the peer are the ones asked for, every checksum
# right and every flow there, for IPv4/UDP and IPv6/TCP SYN; and --method
# auto sends, whichever way this kernel allows, and says which.
. "$(dirname "$0")/lib.sh"

GEN=${SLUICE_GEN:-$(dirname "$SLUICED")/sluice-gen}
[ -x "$GEN" ] || GEN=$(cd "$(dirname "$0")/../.." && pwd)/build/sluice-gen
MAC_A=02:00:00:00:0a:01
MAC_B=02:00:00:00:0b:01

netns_add NS_A a || die "netns a"
netns_add NS_B b || die "netns b"
veth "$NS_A" ga "$MAC_A" "$NS_B" gb "$MAC_B" || die "veth"

# capture N FILE FILTER GEN-ARGS...: sluice-gen from A, N frames,
# captured at B (FILTER: only those, not the IPv6 stack's own solicitations
# and reports from A's port)
capture() {
	local n=$1 file=$2 filter=$3 pid
	shift 3
	in_ns "$NS_B" timeout 20 tcpdump -i gb -U -n -w "$file" -c "$n" \
		"ether src $MAC_A and $filter" 2>"$T_TMP/tcpdump.err" &
	pid=$!
	T_PIDS+=("$pid")
	wait_until 5 grep -q "listening on" "$T_TMP/tcpdump.err" || return 1
	in_ns "$NS_A" timeout 20 "$GEN" --dev ga --dst-mac "$MAC_B" \
		--count "$n" --json "$@" >"$T_TMP/gen.json" 2>"$T_TMP/gen.err" ||
		return 1
	wait "$pid"
}

# frames_ok FILE N FLOWS: the pcap holds N frames, checksums right, FLOWS
# source ports from 1024 up, round robin (python: the reference here is
# the packet format, not sluice-gen's own code)
frames_ok() {
	"$T_PY" - "$1" "$2" "$3" <<'PY'
import struct, sys
path, n, flows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
assert struct.unpack("<I", data[:4])[0] == 0xa1b2c3d4, "not a pcap"
off, frames = 24, []
while off < len(data):
    _, _, incl, _ = struct.unpack("<IIII", data[off:off + 16])
    frames.append(data[off + 16:off + 16 + incl])
    off += 16 + incl
assert len(frames) == n, "%d frames, want %d" % (len(frames), n)

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s

for i, f in enumerate(frames):
    et = struct.unpack("!H", f[12:14])[0]
    if et == 0x0800:
        ip = f[14:34]
        assert csum(ip) == 0xffff, "frame %d: IPv4 header checksum" % i
        proto, src, dst, l4 = ip[9], ip[12:16], ip[16:20], f[34:]
        tot = struct.unpack("!H", ip[2:4])[0]
        l4 = l4[:tot - 20]
        pseudo = src + dst + struct.pack("!BBH", 0, proto, len(l4))
    else:
        assert et == 0x86dd, "frame %d: ethertype %#x" % (i, et)
        proto, src, dst, l4 = f[20], f[22:38], f[38:54], f[54:]
        plen = struct.unpack("!H", f[18:20])[0]
        l4 = l4[:plen]
        pseudo = src + dst + struct.pack("!IxxxB", len(l4), proto)
    assert csum(pseudo + l4) == 0xffff, "frame %d: L4 checksum" % i
    sport = struct.unpack("!H", l4[:2])[0]
    assert sport == 1024 + i % flows, "frame %d: sport %d" % (i, sport)
    if proto == 6:
        assert l4[13] == 0x02, "frame %d: TCP flags %#x" % (i, l4[13])
print("ok %d frames" % len(frames))
PY
}

check "IPv4/UDP, 100 frames of 10 flows through AF_PACKET: sent" \
	capture 100 "$T_TMP/v4.pcap" "udp" --method af_packet --src 198.18.1.2 \
	--dst 198.18.2.2 --flows 10
check "... the result says af_packet" grep -q '"method": "af_packet"' "$T_TMP/gen.json"
check "... and 100 frames" grep -q '"frames": 100,' "$T_TMP/gen.json"
check "... B got the 100 frames, checksums right, the 10 flows in turn" \
	frames_ok "$T_TMP/v4.pcap" 100 10

check "IPv6/TCP SYN of 128 bytes, 64 frames of 7 flows through AF_PACKET" \
	capture 64 "$T_TMP/v6.pcap" "ip6 and tcp" --method af_packet --ipv6 --tcp-syn \
	--size 128 --src 2001:db8:1::2 --dst 2001:db8:2::2 --dport 80 --flows 7
check "... B got them, checksums right, SYN, the 7 flows in turn" \
	frames_ok "$T_TMP/v6.pcap" 64 7

# auto: live frames where the kernel allows them (B needs XDP or GRO for
# those), else AF_PACKET with a note on stderr
ip netns exec "$NS_B" ethtool -K gb gro on >/dev/null
in_ns "$NS_A" timeout 20 "$GEN" --dev ga --dst-mac "$MAC_B" \
	--src 198.18.1.2 --dst 198.18.2.2 --count 1000 --json \
	>"$T_TMP/auto.json" 2>"$T_TMP/auto.err"
rc=$?
how=$("$T_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["method"])' "$T_TMP/auto.json" 2>/dev/null)
check "--method auto sent 1000 frames (rc $rc, through ${how:-?})" \
	grep -q '"frames": 1000,' "$T_TMP/auto.json"
if [ "$how" = af_packet ]; then
	check "... and said on stderr that live frames were refused" \
		grep -q "refuses live frames" "$T_TMP/auto.err"
else
	check "... through live frames, with no note" \
		sh -c "[ '$how' = live ] && ! grep -q 'refuses live frames' '$T_TMP/auto.err'"
fi
tap_done
