# shellcheck shell=bash
# What t_multinode.sh builds: three sluice nodes behind an upstream router
# that spreads flows over them with ECMP over BGP paths.  Source it after
# lib.sh and announce_lib.sh (ms_until).
#
#   client (c0) -- (r0)  upstream router  (n1) -- (l0) node 1: sluiced + FRR bgpd
#                        FRR bgpd AS 65000 (n2) -- (l0) node 2     AS 65001
#                        maximum-paths 8   (n3) -- (l0) node 3
#                        L4 ECMP hash      (s1..s5) -- (b0) backends 1..5
#
# Node i is 198.18.(2+i).2 behind the router's 198.18.(2+i).1; backend j is
# 198.18.(10+j).2 behind 198.18.(10+j).1; the client is 198.18.1.2.  The
# nodes are one-arm load balancers (t_lb_onearm.sh): a VIP packet goes back
# out of l0 encapsulated (IPIP) to the backend, which decapsulates it
# (sluiced --role backend), holds the VIPs on lo and answers the client
# directly through the router.  Backend 5 runs like the others but is in
# no VIP until the test adds it.
VIP=198.18.100.1	# 8080: HTTP (responder_start), 8081: echo (mn_echo_start)
VIP2=198.18.100.2	# health-checked on 8090 (mn_hc_start): the withdrawal
NODES="1 2 3"
BACKENDS="1 2 3 4 5"

node_addr() { echo "198.18.$((2 + $1)).2"; }
be_addr() { echo "198.18.$((10 + $1)).2"; }

mn_setup() {
	local i j ns nsv
	netns_add NS_C c && netns_add NS_R r || return 1
	veth "$NS_C" c0 02:00:00:00:01:02 "$NS_R" r0 02:00:00:00:01:01 || return 1
	ip -n "$NS_C" addr add 198.18.1.2/24 dev c0
	ip -n "$NS_R" addr add 198.18.1.1/24 dev r0
	ip -n "$NS_C" route add default via 198.18.1.1
	host_if "$NS_C" c0
	for i in $NODES; do
		# not "ns": netns_add's own local would take the name
		netns_add nsv "node$i" || return 1
		ns=$nsv
		printf -v "NS_N$i" '%s' "$ns"
		veth "$ns" l0 "02:00:00:00:0$((2 + i)):02" "$NS_R" "n$i" \
			"02:00:00:00:0$((2 + i)):01" || return 1
		ip -n "$ns" addr add "$(node_addr "$i")/24" dev l0
		ip -n "$NS_R" addr add "198.18.$((2 + i)).1/24" dev "n$i"
		ip -n "$ns" route add default via "198.18.$((2 + i)).1"
		host_if "$ns" l0
	done
	for j in $BACKENDS; do
		netns_add nsv "b$j" || return 1
		ns=$nsv
		printf -v "NS_B$j" '%s' "$ns"
		veth "$ns" b0 "02:00:00:00:1$j:02" "$NS_R" "s$j" \
			"02:00:00:00:1$j:01" || return 1
		ip -n "$ns" addr add "$(be_addr "$j")/24" dev b0
		ip -n "$NS_R" addr add "198.18.$((10 + j)).1/24" dev "s$j"
		ip -n "$ns" route add default via "198.18.$((10 + j)).1"
		host_if "$ns" b0
		own_addr "$ns" $VIP/32 $VIP2/32 || return 1
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.b0.rp_filter=0 net.ipv4.conf.lo.rp_filter=0
	done
	# L4 hashing: each TCP connection is a flow of its own for ECMP
	ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.fib_multipath_hash_policy=1
	# the nodes send the encapsulated frames back out of l0 (XDP): the
	# router's ports need NAPI (GRO), as on any host (t_lb_onearm.sh)
	for i in r0 n1 n2 n3 s1 s2 s3 s4 s5; do
		ip netns exec "$NS_R" ethtool -K "$i" gro on >/dev/null
	done
	for i in $NODES; do
		ns="NS_N$i"
		warm "$NS_C" "$(node_addr "$i")" || return 1
		for j in $BACKENDS; do
			warm "${!ns}" "$(be_addr "$j")" || return 1
		done
	done
}

# BFD on every session (bfdd): a node that dies silently (no FIN, no
# NOTIFICATION, the link up) is out of the upstream's ECMP group after
# three missed 100 ms packets, not the 9 s BGP hold time.  Last in the
# file and without "exit": every daemon reads the whole file, and an
# "exit" bgpd does not know after a block it does not know ends its
# configuration there.
mn_frr_bfd_profile() {
	cat <<EOF
bfd
 profile fast
  transmit-interval 100
  receive-interval 100
  detect-multiplier 3
EOF
}

# The upstream: eBGP with the three nodes (one AS, 65001: their paths are
# equal, so bgpd installs all of them as one multipath route).
mn_frr_upstream_conf() {
	local i
	cat <<EOF
frr defaults traditional
hostname up
router bgp 65000
 bgp router-id 198.18.1.1
 no bgp ebgp-requires-policy
 timers bgp 3 9
 neighbor NODES peer-group
 neighbor NODES remote-as 65001
 neighbor NODES advertisement-interval 0
 neighbor NODES timers connect 2
 neighbor NODES bfd profile fast
EOF
	for i in $NODES; do
		echo " neighbor $(node_addr "$i") peer-group NODES"
	done
	cat <<EOF
 address-family ipv4 unicast
  maximum-paths 8
 exit-address-family
$(mn_frr_bfd_profile)
EOF
}

# Node I: what docs/deploy.md gives (table 83 imported and redistributed).
mn_frr_node_conf() {
	cat <<EOF
frr defaults traditional
hostname node$1
ip import-table 83
router bgp 65001
 bgp router-id $(node_addr "$1")
 no bgp ebgp-requires-policy
 timers bgp 3 9
 neighbor 198.18.$((2 + $1)).1 remote-as 65000
 neighbor 198.18.$((2 + $1)).1 advertisement-interval 0
 neighbor 198.18.$((2 + $1)).1 timers connect 2
 neighbor 198.18.$((2 + $1)).1 bfd profile fast
 address-family ipv4 unicast
  redistribute table 83
 exit-address-family
$(mn_frr_bfd_profile)
EOF
}

# frr_daemon_start NS NAME DAEMON: one more FRR daemon in the path space
# frr_start made for NAME (a bgpd again after a kill); sets FRR_PID.
frr_daemon_start() {
	local ns=$1 name=$2 d=$3 dir="/var/run/frr/$T_ID-$2"
	ip netns exec "$ns" "$FRR_SBIN/$d" -N "$T_ID-$name" \
		-f "$dir/frr.conf" -i "$dir/$d.pid" -P 0 --log stdout \
		>>"$T_TMP/frr-$name-$d.log" 2>&1 &
	FRR_PID=$!
	T_PIDS+=("$FRR_PID")
	wait_until 10 frr_cmd "$name" -d "$d" -c "show version"
}

# up_paths ADDR: how many next hops the upstream's BGP route to ADDR has
# (0 without one).
up_paths() {
	local r
	r=$(ip -n "$NS_R" route show "$1/32" proto bgp 2>/dev/null)
	grep -o ' via ' <<<"$r" | wc -l
}
up_paths_are() { [ "$(up_paths "$1")" = "$2" ]; }
up_vias() {
	ip -n "$NS_R" route show "$1/32" proto bgp 2>/dev/null |
		grep -o 'via [0-9.]*' | awk '{printf "%s%s", s, $2; s=","}'
}

# An echo server on each backend (port 8081): it says its name first
# ("b3\n"), then echoes what it reads, so a client knows which backend
# holds each connection.
mn_echo_start() {
	local j ns
	cat >"$T_TMP/echo.py" <<'PYEOF'
import socket, sys, threading
name = sys.argv[1].encode() + b"\n"
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8081)); s.listen(256)
def serve(c):
    try:
        c.sendall(name)
        while True:
            d = c.recv(4096)
            if not d:
                break
            c.sendall(d)
    except OSError:
        pass
    finally:
        c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PYEOF
	for j in $BACKENDS; do
		ns="NS_B$j"
		ip netns exec "${!ns}" "$T_PY" "$T_TMP/echo.py" "b$j" \
			>>"$T_TMP/echo-b$j.log" 2>&1 &
		disown $!
		wait_until 10 sh -c "ip netns exec '${!ns}' ss -Hltn sport = :8081 | grep -q ." ||
			return 1
	done
}

# A bare listener on port 8090 on each backend: VIP2's health check.
# Sets HC_PID_<J>; kill them all to fail every backend of VIP2.
mn_hc_start() {
	local j ns
	for j in $BACKENDS; do
		ns="NS_B$j"
		ip netns exec "${!ns}" "$T_PY" -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8090)); s.listen(64)
while True:
    s.accept()[0].close()' >>"$T_TMP/hc-b$j.log" 2>&1 &
		printf -v "HC_PID_$j" '%s' "$!"
		disown $!
		wait_until 10 sh -c "ip netns exec '${!ns}' ss -Hltn sport = :8090 | grep -q ." ||
			return 1
	done
}

# The client: N long-lived TCP connections to VIP:8081, each sending a
# 32-byte line every 200 ms and awaiting its echo (3 s at most), plus a
# steady loop of HTTP requests to VIP:8080 (one every 50 ms, 3 s at
# most each, 20000 at most), for SECONDS at most or until
# $T_TMP/client.stop appears.
# A connection that fails (reset, closed, no echo within 3 s) is counted
# as broken, under the backend it was on, and replaced by a new one.
# Every 100 ms it writes $T_TMP/client.status (JSON: alive, breaks,
# breaks by backend, connections by backend, lines, requests ok/failed);
# each break and failed request is logged in $T_TMP/client.events.
mn_client_start() {
	rm -f "$T_TMP/client.stop" "$T_TMP/client.status"
	cat >"$T_TMP/client.py" <<'PYEOF'
import json, os, socket, sys, threading, time
vip, nconn, tmp, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
stop = tmp + "/client.stop"
t_end = time.monotonic() + secs
lock = threading.Lock()
st = {"alive": 0, "opened": 0, "breaks": 0, "brk": {}, "on": {},
      "lines": 0, "connfail": 0, "req_ok": 0, "req_fail": 0}
log = open(tmp + "/client.events", "a", buffering=1)

def ms():
    return int(time.time() * 1000)

def running():
    return time.monotonic() < t_end and not os.path.exists(stop)

def bump(d, k, n):
    d[k] = d.get(k, 0) + n

def conn(i):
    while running():
        name = None
        try:
            s = socket.create_connection((vip, 8081), timeout=3)
            got = b""
            while not got.endswith(b"\n"):
                d = s.recv(64)
                if not d:
                    raise OSError("closed before the backend's name")
                got += d
            name = got.decode().strip()
            opened = ms()
        except OSError as e:
            with lock:
                st["connfail"] += 1
            log.write("connfail %d conn %d %s\n" % (ms(), i, e))
            time.sleep(0.2)
            continue
        with lock:
            st["alive"] += 1
            st["opened"] += 1
            bump(st["on"], name, 1)
        try:
            while running():
                s.sendall(b"x" * 31 + b"\n")
                got = b""
                while len(got) < 32:
                    d = s.recv(64)
                    if not d:
                        raise OSError("closed by the peer")
                    got += d
                with lock:
                    st["lines"] += 1
                time.sleep(0.2)
        except OSError as e:
            with lock:
                st["breaks"] += 1
                bump(st["brk"], name, 1)
            log.write("break %d conn %d on %s opened %d: %s\n" % (
                ms(), i, name, opened, e))
        finally:
            with lock:
                st["alive"] -= 1
                bump(st["on"], name, -1)
            s.close()

def requests():
    for _ in range(20000):
        if not running():
            break
        s = socket.socket()
        try:
            s.settimeout(3)
            s.connect((vip, 8080))
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            buf = b""
            while True:
                d = s.recv(4096)
                if not d:
                    break
                buf += d
            if not buf.startswith(b"HTTP/1.0 200"):
                raise OSError("answer %r" % buf[:40])
            with lock:
                st["req_ok"] += 1
        except OSError as e:
            with lock:
                st["req_fail"] += 1
            log.write("reqfail %d %s\n" % (ms(), e))
        finally:
            s.close()
        time.sleep(0.05)

threads = [threading.Thread(target=requests, daemon=True)]
for i in range(nconn):
    threads.append(threading.Thread(target=conn, args=(i,), daemon=True))
for t in threads:
    t.start()
    time.sleep(0.01)
while True:
    with lock:
        d = dict(st, t=ms())
        d["brk"] = dict(st["brk"])
        d["on"] = dict(st["on"])
    with open(tmp + "/client.status.tmp", "w") as f:
        json.dump(d, f)
    os.rename(tmp + "/client.status.tmp", tmp + "/client.status")
    if not running():
        break
    time.sleep(0.1)
PYEOF
	timeout $(($2 + 10)) ip netns exec "$NS_C" "$T_PY" "$T_TMP/client.py" \
		"$VIP" "$1" "$T_TMP" "$2" >>"$T_TMP/client.log" 2>&1 &
	CLIENT_PID=$!
}
mn_client_stop() {
	touch "$T_TMP/client.stop"
	wait "$CLIENT_PID" 2>/dev/null
}

# cstat EXPR: EXPR (Python, `d` the client's status) now.
cstat() {
	"$T_PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$T_TMP/client.status" "$1"
}

# ev_begin NAME / ev_end NAME: snapshots of the client's status around
# an event; ev_end prints "broken=N of M later=K requests_failed=F of T
# lines=L by_backend=bX:n,...": N connections that were open at the start
# broke (each counted once), M were open then, K opened during the event
# broke too, by_backend counts all of them by the backend they were on.
ev_begin() { cp "$T_TMP/client.status" "$T_TMP/ev-$1.0"; }
ev_end() {
	cp "$T_TMP/client.status" "$T_TMP/ev-$1.1"
	touch "$T_TMP/client.events"
	"$T_PY" -c '
import json, re, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
old, new, by = set(), 0, {}
for line in open(sys.argv[3]):
    m = re.match(r"break (\d+) conn (\d+) on (\S+) opened (\d+):", line)
    if not m or not a["t"] < int(m.group(1)) <= b["t"]:
        continue
    if int(m.group(4)) <= a["t"]:
        old.add((m.group(2), m.group(4)))
    else:
        new += 1
    by[m.group(3)] = by.get(m.group(3), 0) + 1
print("broken=%d of %d later=%d requests_failed=%d of %d lines=%d by_backend=%s" % (
    len(old), a["alive"], new, b["req_fail"] - a["req_fail"],
    b["req_ok"] + b["req_fail"] - a["req_ok"] - a["req_fail"],
    b["lines"] - a["lines"],
    ",".join("%s:%d" % kv for kv in sorted(by.items())) or "-"))' \
		"$T_TMP/ev-$1.0" "$T_TMP/ev-$1.1" "$T_TMP/client.events"
}
# ev_field LINE KEY: a number from an ev_end line ("broken", "later"...).
ev_field() { sed -n "s/.*\b$2=\([0-9]*\).*/\1/p" <<<"$1"; }

# lb_tx I: packets node I's XDP load balancer sent to a backend; fails
# when its sluiced does not answer.
lb_tx() {
	local a b
	a=$(packets "lb$1" l0 fwd_lb_tx) && b=$(packets "lb$1" l0 fwd_lb) &&
		[ -n "$a" ] && [ -n "$b" ] && echo $((a + b))
}
