#!/usr/bin/env bash
# Second chance: long-lived TCP connections through a VIP survive a backend
# being added while the LB remembers none of them (its flow table flushed),
# because the packets the LB no longer knows carry the backend of before
# and the new backend's decapsulation sends on what it has no socket for.
# With second chance off, the same event breaks the connections whose
# Maglev slot moved: the new backend answers them with a reset.
#
#   client (c0) -- (l0) LB (l1 l2 l3) -- (b0) backend 1..3
#
# Each phase: a VIP on backends 1 and 2, 30 connections (each learns its
# backend's name), backend 3 added, the LB's flow table flushed, then 4 s
# of one-byte echoes on every connection; a connection is broken when an
# echo fails (reset, timeout, wrong answer).  Phase "on" also opens 10
# connections after the change (some land on backend 3, which has their
# sockets when their packets carry an alternative), and the setting must
# survive a restart of the LB's daemon.  Bounded: each client
# run stops after 40 s whatever happens.
. "$(dirname "$0")/lib.sh"

VIP=198.18.100.1
PORT=9100
NB=3
CONNS=${SECOND_CHANCE_CONNS:-30}
LATE=10

topo_lb $NB $VIP/32 || die "topology"
lb_backends_start $NB || die "backends"
cat >"$T_TMP/lb.json" <<JSON
{"interfaces": ["l0", "l1", "l2", "l3"],
 "lb": {"source_v4": "198.18.200.0/24"}}
JSON
sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" || die "LB sluiced"
kernel_forwarding "$NS_L" off

# ---- the echo server on each backend: its name first, then every byte back
cat >"$T_TMP/echo.py" <<'PYEOF'
import socket, sys, threading
name = sys.argv[1].encode()

def serve(c):
    try:
        c.sendall(name + b"\n")
        while True:
            d = c.recv(64)
            if not d:
                break
            c.sendall(d)
    except OSError:
        pass
    finally:
        c.close()

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[2])))
s.listen(256)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PYEOF
for i in $(seq 1 $NB); do
	ns_var="NS_B$i"
	ip netns exec "${!ns_var}" "$T_PY" "$T_TMP/echo.py" "b$i" $PORT \
		>>"$T_TMP/echo-b$i.log" 2>&1 &
	T_PIDS+=("$!")
done

# ---- the client: N connections, then echoes until told to stop ------------
# client.py TAG N: writes $T_TMP/TAG.ready once the N connections are open
# (each has read its backend's name), then sends one byte per connection
# every 100 ms and waits (2 s at most) for it to come back, until
# $T_TMP/TAG.stop appears or 40 s have passed; prints one line per
# connection: "conn I bN ok|broken [why]".
cat >"$T_TMP/client.py" <<'PYEOF'
import os, socket, sys, time
vip, port, tmp, tag, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
conns = []
for i in range(n):
    s = socket.create_connection((vip, port), timeout=3)
    s.settimeout(2)
    name = b""
    while not name.endswith(b"\n"):
        d = s.recv(16)
        if not d:
            raise SystemExit("connection %d closed before its name" % i)
        name += d
    conns.append([s, name.strip().decode(), None])
open(os.path.join(tmp, tag + ".ready"), "w").close()
t_end = time.monotonic() + 40
k = 0
while time.monotonic() < t_end and not os.path.exists(os.path.join(tmp, tag + ".stop")):
    b = bytes([65 + k % 26])
    k += 1
    for c in conns:
        if c[2]:
            continue
        try:
            c[0].sendall(b)
            d = c[0].recv(1)
            if d != b:
                c[2] = "answer %r" % d
        except OSError as e:
            c[2] = str(e) or type(e).__name__
    time.sleep(0.1)
for i, c in enumerate(conns):
    print("conn", i, c[1], "broken" if c[2] else "ok", c[2] or "")
    c[0].close()
print("echoes", k)
PYEOF

# flush_flows: every entry of the LB's flow table deleted (the LB forgets
# every flow, as a node that just started or another node would); prints
# how many.
flush_flows() {
	"$FLOWS" "$PIN_lb/lb_flows" flush
}

client_start() { # TAG N
	rm -f "$T_TMP/$1.ready" "$T_TMP/$1.stop"
	timeout 60 ip netns exec "$NS_C" "$T_PY" "$T_TMP/client.py" $VIP $PORT \
		"$T_TMP" "$1" "$2" >"$T_TMP/$1.out" 2>&1 &
	printf -v "CLIENT_$1" '%s' "$!"
	wait_until 15 test -f "$T_TMP/$1.ready"
}
client_stop() { # TAG: its summary "broken B of N (on bX...)"
	local pid_var="CLIENT_$1"
	touch "$T_TMP/$1.stop"
	wait "${!pid_var}" 2>/dev/null
	sed 's/^/# /' "$T_TMP/$1.out" | grep -v " ok $" >&2
}
broken() { grep -c ' broken' "$T_TMP/$1.out"; }
total() { grep -c '^conn ' "$T_TMP/$1.out"; }
on_backend() { grep -c "^conn [0-9]* $2 " "$T_TMP/$1.out"; }

# phase ON|OFF: returns after the connections were checked
phase() {
	local tag=$1 sc=() flushed
	[ "$tag" = on ] && sc=(--second-chance 300)
	sctl lb vip add $VIP:$PORT/tcp --health none "${sc[@]}" >/dev/null ||
		return 1
	sctl lb backend add $VIP:$PORT/tcp 198.18.11.2 >/dev/null &&
		sctl lb backend add $VIP:$PORT/tcp 198.18.12.2 >/dev/null || return 1
	client_start "$tag" "$CONNS" || return 1
	sctl lb backend add $VIP:$PORT/tcp 198.18.13.2 >/dev/null || return 1
	if [ "$tag" = on ]; then
		client_start late "$LATE" || return 1
	fi
	sleep 0.5
	flushed=$(flush_flows) || return 1
	echo "# phase $tag: $flushed flow entries flushed after backend 3 joined"
	sleep 4
	client_stop "$tag"
	[ "$tag" = on ] && client_stop late
	return 0
}

# second_got: what the three backends did with the packets that came with
# an alternative: delivered here (decap_second_local) or sent on
# (fwd_decap_second)
second_got() {
	local i n=0
	for i in 1 2 3; do
		n=$((n + $(packets be$i b0 decap_second_local) + $(packets be$i b0 fwd_decap_second)))
	done
	echo $n
}
sc0=$(packets lb l0 fwd_lb_second)
got0=$(second_got)
fwd0=$(packets be3 b0 fwd_decap_second)
local0=$(packets be3 b0 decap_second_local)
phase on || die "phase on"
sc1=$(packets lb l0 fwd_lb_second)
fwd1=$(packets be3 b0 fwd_decap_second)
local1=$(packets be3 b0 decap_second_local)
bounced12=$(($(packets be1 b0 fwd_decap_second) + $(packets be2 b0 fwd_decap_second)))
check "on: $CONNS connections opened on backends 1 and 2 ($(on_backend on b1) + $(on_backend on b2))" \
	test "$(total on)" = "$CONNS" -a $(($(on_backend on b1) + $(on_backend on b2))) = "$CONNS"
check "on: no connection broken after backend 3 joined and the LB forgot every flow ($(broken on) of $(total on))" \
	test "$(broken on)" = 0
check "on: $LATE connections opened after the change, none broken ($(broken late) broken; $(on_backend late b3) on backend 3)" \
	test "$(total late)" = "$LATE" -a "$(broken late)" = 0
check "on: the LB carried the previous backend (fwd_lb_second +$((sc1 - sc0)))" \
	test $((sc1 - sc0)) -gt 0
check "on: backend 3 sent on what it had no socket for (fwd_decap_second +$((fwd1 - fwd0)))" \
	test $((fwd1 - fwd0)) -gt 0
if [ "$(on_backend late b3)" -gt 0 ]; then
	check "on: backend 3 kept what it has sockets for (decap_second_local +$((local1 - local0)))" \
		test $((local1 - local0)) -gt 0
fi
# Backends 1 and 2 may send on too: adding a backend to a Maglev table
# also moves a few slots between the others (tests/unit/test_maglev.c
# allows it), and a connection on such a slot reaches the other one first.
echo "# backends 1 and 2 sent on $bounced12 packets (connections whose slot moved between them)"
lb_second() { echo $(($(packets lb l0 fwd_lb_second) - sc0)); }
backends_second() { echo $(($(second_got) - got0)); }
wait_until 5 eval 'test "$(lb_second)" = "$(backends_second)"'
check "on: each packet carried with an alternative was delivered or sent on once by the backend it reached ($(lb_second) = $(backends_second))" \
	test "$(lb_second)" = "$(backends_second)"
check "on: the VIP shows its second chance" \
	test "$(api_json lb /v1/vips "d['vips'][0]['second_chance_s']")" = 300
on_broken=$(broken on)

# the setting is the user's: it survives a restart of the LB's daemon
sluiced_stop lb
sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" || die "LB sluiced again"
check "on: second_chance_s 300 again after a restart (lb.json)" \
	test "$(api_json lb /v1/vips "d['vips'][0]['second_chance_s']")" = 300
sc1=$(packets lb l0 fwd_lb_second)

sctl lb vip del $VIP:$PORT/tcp >/dev/null || die "vip del"
phase off || die "phase off"
off_broken=$(broken off)
check "off: $CONNS connections opened on backends 1 and 2" \
	test "$(total off)" = "$CONNS" -a $(($(on_backend off b1) + $(on_backend off b2))) = "$CONNS"
check "off: some connections broke when backend 3 joined and the LB forgot them ($off_broken of $CONNS)" \
	test "$off_broken" -gt 0
check "off: nothing was carried or sent on (fwd_lb_second, fwd_decap_second unchanged)" \
	test "$(packets lb l0 fwd_lb_second)" = "$sc1" -a \
	"$(packets be3 b0 fwd_decap_second)" = "$fwd1"
echo "# figures: connections broken by a backend added with the LB's flows flushed: $on_broken of $CONNS with second chance, $off_broken of $CONNS without"
check "no sanitizer or map error in the daemons' logs" \
	sh -c "! grep -qE 'map write failed|previous table' '$T_TMP/lb.log'"
tap_done
