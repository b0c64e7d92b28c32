#!/usr/bin/env bash
# sluice demo (what `make demo` runs): builds a client -- router -- server
# topology in network namespaces, runs sluiced on the router, switches the
# router's kernel forwarding off and shows real traffic crossing it anyway,
# then the routes, neighbours and counters that prove XDP carried it.
# Unattended, about 15-30 s; everything it creates is removed on exit.
#   scripts/demo.sh [BUILD_DIR]        (default: build)
# Exit status: 0 when every step worked, 1 otherwise (the failing step is
# named).  Needs root.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
export SLUICED="$BUILD/sluiced" SLUICECTL="$BUILD/sluicectl"

# The netns test library: topology helpers, sluiced start/stop, and an EXIT
# trap that kills what was started and deletes the namespaces and pin dirs.
# shellcheck source=../tests/netns/lib.sh
. "$ROOT/tests/netns/lib.sh"
T_ID="sluice-demo-$$" # namespaces sluice-demo-PID-{c,r,s}

STEP="start"
fail() {
	echo
	echo "!! demo FAILED at step '$STEP': $*"
	[ -f "$T_TMP/r.log" ] && { echo "!! sluiced log (last lines):"; tail -8 "$T_TMP/r.log" | sed 's/^/   /'; }
	exit 1
}
step() { STEP=$1; echo; echo "== $1"; }
say() { echo "   $*"; }
# run CMD...: runs it, prints nothing, fails the step with its output.
run() {
	"$@" >"$T_TMP/run.out" 2>&1 && return 0
	sed 's/^/   | /' "$T_TMP/run.out" | tail -10
	fail "command failed: $*"
}

[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (network namespaces, XDP)"; exit 1; }
[ -x "$SLUICED" ] || { echo "demo: $SLUICED not built (make build)"; exit 1; }
for tool in ip ethtool nsenter ping iperf3 curl "$T_PY"; do
	command -v "$tool" >/dev/null || { echo "demo: '$tool' missing (make deps)"; exit 1; }
done

# sluicectl if it was built, else the same facts straight from the API.
have_ctl=0
[ -x "$SLUICECTL" ] && have_ctl=1
ctl_or_api() { # NOUN API_PATH PYTHON_ROWS [NOTE]
	if [ $have_ctl = 1 ]; then
		echo "-- sluicectl $1 ${4:-}"
		sctl r "$1"
	else
		echo "-- GET $2 ${4:-}"
		api r "$2" | "$T_PY" -c "import json,sys; d=json.load(sys.stdin)
for row in $3: print('   ' + ''.join(str(x).ljust(19) for x in row).rstrip())"
	fi
}
fwd() { packets r "$1" fwd_redirect; }
# kernel_fwd NS: datagrams the namespace's kernel forwarded (v4 + v6).
kernel_fwd() {
	ip netns exec "$1" awk '
		/^Ip: / && !h { for (i = 1; i <= NF; i++) if ($i == "ForwDatagrams") c = i; h = 1; next }
		/^Ip: / { n += $c }
		/^Ip6OutForwDatagrams/ { n += $2 }
		END { print n + 0 }' /proc/net/snmp /proc/net/snmp6
}

echo "sluice demo: an XDP router carries IPv4 and IPv6 traffic on its own"

step "1. Topology"
run topo_basic
cat <<EOF
   [client] c0 ---- r0 [router: sluiced] r1 ---- s0 [server]
   c0 198.18.1.2/24  2001:db8:1::2/64   r0 198.18.1.1  2001:db8:1::1
   s0 198.18.2.2/24  2001:db8:2::2/64   r1 198.18.2.1  2001:db8:2::1
   namespaces $T_ID-{c,r,s}, joined by veth pairs; the end
   hosts' TX checksum offload is off (a veth quirk: docs/veth.md)
EOF

step "2. Start sluiced on the router (XDP on r0 and r1)"
sluiced_start "$NS_R" r --interface r0 --interface r1 >"$T_TMP/run.out" 2>&1 ||
	{ cat "$T_TMP/run.out"; fail "sluiced did not start"; }
api r /v1/interfaces | "$T_PY" -c 'import json, sys
for i in json.load(sys.stdin)["interfaces"]:
    print("   %-3s %-9s xdp mode %s" % (i["name"], i["state"], i["mode"]))'
[ "$(api r /v1/status | "$T_PY" -c 'import json,sys; print(json.load(sys.stdin)["interfaces"])')" = 2 ] ||
	fail "sluiced did not attach to both interfaces"

step "3. Warm up through the kernel (resolve neighbours)"
run warm "$NS_C" 198.18.2.2
run warm "$NS_C" 2001:db8:2::2
run wait_until 5 route_has r 198.18.2.0/24
run wait_until 5 route_has r 2001:db8:2::/64
say "client reaches the server over v4 and v6; sluiced mirrored the routes"

step "4. Kernel forwarding OFF in the router"
run kernel_forwarding "$NS_R" off
say "net.ipv4.ip_forward=0, net.ipv6.conf.all.forwarding=0: the router's"
say "kernel now refuses to forward anything.  Whatever still crosses the"
say "router was carried by the XDP program (route lookup + redirect)."
k0=$(kernel_fwd "$NS_R")
r0_0=$(fwd r0) && r1_0=$(fwd r1) || fail "cannot read counters"

step "5. Ping across the router, IPv4 and IPv6"
for dst in 198.18.2.2 2001:db8:2::2; do
	out=$(ip netns exec "$NS_C" ping -c 5 -i 0.2 -W 1 "$dst" 2>&1) ||
		{ echo "$out" | sed 's/^/   | /'; fail "ping $dst"; }
	say "$dst: $(echo "$out" | grep 'packets transmitted')"
done

step "6. TCP across the router: iperf3, 100 MB"
run ip netns exec "$NS_S" iperf3 -s -D -p 5201 --logfile "$T_TMP/iperf-s.log"
run wait_until 5 ip netns exec "$NS_S" ss -ltnH "sport = :5201"
out=$(timeout 60 ip netns exec "$NS_C" iperf3 -c 198.18.2.2 -p 5201 -n 100M -f g 2>&1) ||
	{ echo "$out" | tail -5 | sed 's/^/   | /'; fail "iperf3 transfer"; }
say "IPv4: $(echo "$out" | grep receiver | sed 's/^\[ *[0-9]*\] *//; s/  */ /g')"
out=$(timeout 60 ip netns exec "$NS_C" iperf3 -6 -c 2001:db8:2::2 -p 5201 -n 100M -f g 2>&1) ||
	{ echo "$out" | tail -5 | sed 's/^/   | /'; fail "iperf3 transfer (IPv6)"; }
say "IPv6: $(echo "$out" | grep receiver | sed 's/^\[ *[0-9]*\] *//; s/  */ /g')"

step "7. Proof: what sluiced programmed and counted"
[ $have_ctl = 1 ] || say "(build/sluicectl not built: the same facts from the REST API)"
ctl_or_api route /v1/routes '[(r["prefix"], r["protocol"], r["type"],
    ",".join((n["via"] or "") + "@" + n["dev"] for n in r["nexthops"]))
    for r in d["routes"] if r["table"] == "main"]' "(local table left out)" |
	awk '/^[^\t]/ { skip = /table local/ } !skip' || fail "route listing"
ctl_or_api neigh /v1/neighbors '[(n["address"], n["dev"], n["mac"], n["state"])
    for n in d["neighbors"]]' || fail "neighbour listing"
ctl_or_api stats /v1/stats '[(i["name"], r["reason"], r["packets"], r["bytes"])
    for i in d["interfaces"] for r in i["reasons"] if r["packets"]]' "(non-zero)" |
	awk '!/^total/ || /fwd_redirect/' |
	sed '/fwd_redirect/s/$/   <== forwarded by XDP/' || fail "stats listing"

r0_d=$(($(fwd r0) - r0_0))
r1_d=$(($(fwd r1) - r1_0))
k_d=$(($(kernel_fwd "$NS_R") - k0))
echo "-- during steps 5-6"
say "XDP fwd_redirect: r0 (client->server) +$r0_d packets, r1 (server->client) +$r1_d"
say "router kernel forwarded: $k_d datagrams (ip_forward is $(ip netns exec "$NS_R" cat /proc/sys/net/ipv4/ip_forward))"
[ "$r0_d" -ge 10 ] && [ "$r1_d" -ge 10 ] || fail "fwd_redirect did not count the traffic"
[ "$k_d" -eq 0 ] || fail "the kernel forwarded packets: XDP was not the only path"

step "8. Teardown"
cleanup
trap - EXIT
# shellcheck disable=SC2154 # PIN_r is set by sluiced_start
for left in /var/run/netns/"$NS_C" /var/run/netns/"$NS_R" /var/run/netns/"$NS_S" "$PIN_r"; do
	[ -e "$left" ] || continue
	echo "!! demo FAILED at step '8. Teardown': $left still exists"
	exit 1
done
say "sluiced stopped, namespaces $T_ID-{c,r,s} and the pin dir removed"
echo
echo "demo OK: with kernel forwarding off, XDP carried pings and TCP both ways."
