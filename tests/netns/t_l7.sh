#!/usr/bin/env bash
# The L7 local hop with real sockets (docs/l7.md).  Everything runs in a
# namespace of its own (198.18.7.1 and 2001:db8:7::1 on its lo) and in a
# child cgroup this test creates and removes, where the programs are
# attached: the host's other sockets are untouched.  tests/tools/l7_ctl
# makes lib/dp's calls (load, attach to the cgroup, select ports, detach);
# tests/tools/l7_xfer's server echoes and checks what it reads, its client
# checks the echo byte by byte and half-closes when it has sent all:
#   - 1 byte to 64 MiB each way, byte-exact, every byte redirected (the
#     counters say exactly how many: 2 x (size + 24-byte header));
#   - IPv6 and v4-mapped (IPv4 client, dual-stack server); 200 concurrent
#     connections; sendfile(); a server that echoes with splice();
#   - RST mid-transfer: the server reads a clean prefix, then the error;
#   - the application restarting, and one killed mid-transfer (the client
#     sees an error, not a hang, and nothing wrong is ever read);
#   - a port no selector names (control run): the normal path, counters
#     unchanged;
#   - a delete from the sockhash mid-stream: refused (the map is frozen),
#     the transfer completes byte-exact;
#   - turning the feature off with a transfer running: it completes,
#     byte-exact, its later messages on the normal path ("disabled").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/l7_lib.sh"

TOOLS="$(dirname "$SLUICED")/tests/tools"
XFER="$TOOLS/l7_xfer"
CTL="$TOOLS/l7_ctl"
[ -x "$XFER" ] && [ -x "$CTL" ] || die "no $XFER or $CTL (make all)"

A4=198.18.7.1
A6=2001:db8:7::1
l7_setup l7 $A4
ip -n "$NS" addr add "$A6/128" dev lo nodad
# the loader stays outside the cgroup: its own sockets are not ours
l7_ctl_start "$CTL" 7701 7702 7703

server_start() { # NAME PORT [ARGS...]
	local name=$1 port=$2
	shift 2
	incg "$XFER" server "$port" "$@" >"$T_TMP/$name.out" 2>&1 &
	T_PIDS+=("$!")
	printf -v "PID_$name" '%s' "$!"
	wait_until 5 grep -q listening "$T_TMP/$name.out"
}
server_start s4 7701 || die "server 7701"
server_start s6 7702 --v6 || die "server 7702"
server_start sp 7703 --splice || die "server 7703"
server_start sc 7709 || die "server 7709"

# xfer_checked NAME ADDR PORT BYTES [ARGS...]: a transfer, and the counters
# moved by exactly what it sent both ways, with no fallback.
xfer_checked() {
	local name=$1 addr=$2 port=$3 bytes=$4 conns=1 b a out want got fb
	shift 4
	[ "${1:-}" = --conns ] && conns=$2
	b=$(counters) || { tap_fail "$name" "no counters"; return; }
	out=$(incg "$XFER" client "$addr" "$port" --bytes "$bytes" --timeout 120 "$@" 2>&1)
	a=$(counters) || { tap_fail "$name" "no counters"; return; }
	want=$((2 * conns * (bytes + 24)))
	got=$(($(field redirect_bytes "$a") - $(field redirect_bytes "$b")))
	fb=$(($(field no_peer "$a") - $(field no_peer "$b") + $(field sticky "$a") - $(field sticky "$b")))
	if [[ "$out" != ok* ]]; then
		tap_fail "$name" "$out"
	elif [ "$got" -ne "$want" ] || [ "$fb" -ne 0 ]; then
		tap_fail "$name" "redirected $got bytes (want $want), fallbacks $fb; $a"
	else
		tap_ok "$name"
	fi
}

for n in 1 1000 65536 1048577 16777216 67108864; do
	xfer_checked "IPv4: $n bytes each way, byte-exact, all redirected" "$A4" 7701 "$n"
done
xfer_checked "IPv6: 4 MiB each way, all redirected" "$A6" 7702 4194304
xfer_checked "v4-mapped: IPv4 client, dual-stack server, all redirected" "$A4" 7702 4194304
xfer_checked "200 concurrent connections x 64 KiB, all redirected" "$A4" 7701 65536 --conns 200
xfer_checked "sendfile(): 8 MiB from a file, all redirected" "$A4" 7701 8388608 --sendfile

# splice() reads the TCP receive queue only: what the sockhash redirected
# waits in the socket's own queue, which recv() reads and splice() does not
# (docs/l7.md: an application that splices must not be selected)
out=$(incg "$XFER" client "$A4" 7703 --bytes 65536 --timeout 5 2>&1)
if [[ "$out" == fail* ]]; then
	tap_ok "splice(): a server reading with splice() misses the redirected bytes (the documented limit): $out"
else
	tap_fail "splice(): a splicing server was served: docs/l7.md says it is not, update it" "$out"
fi

# half-close is in every transfer above: the client shuts its sending side
# down and reads the echo to its end; here the server's side of it
c=$(grep -c '^done ok' "$T_TMP/s4.out")
if grep -q '^done \(bad\|short\)' "$T_TMP/s4.out" "$T_TMP/s6.out"; then
	tap_fail "half-close: the servers saw every stream whole before the FIN" "$(grep '^done \(bad\|short\)' "$T_TMP"/s*.out | head -3)"
else
	tap_ok "half-close: the servers saw $c streams whole before the FIN, none short or wrong"
fi

# RST mid-transfer: what the server reads is a clean prefix, then the
# error.  (A reset takes the socket out of the sockhash, and what was
# redirected to it and not yet read goes with it: an abort, docs/l7.md.)
out=$(incg "$XFER" client "$A4" 7701 --bytes 3000000 --rst-after 1000000 --conns 5 2>&1)
rst_done() { [ "$(grep -c '^done.* of 3000000 ' "$T_TMP/s4.out")" -ge 5 ]; }
wait_until 30 rst_done
rst=$(grep '^done.* of 3000000 ' "$T_TMP/s4.out")
if [[ "$out" != ok* ]] || grep -q '^done bad' "$T_TMP/s4.out" ||
	[ "$(grep -c '^done short' <<<"$rst")" -ne 5 ]; then
	tap_fail "RST mid-transfer: a clean prefix, then the error" "$out; $rst"
else
	tap_ok "RST mid-transfer: 5 servers read a clean prefix, then the error ($(tr '\n' ';' <<<"$rst"))"
fi

# the application restarting
kill -TERM "$PID_s4"
wait "$PID_s4" 2>/dev/null
server_start s4 7701 || tap_fail "the application restarts" "server 7701"
xfer_checked "the application restarted: new connections redirected" "$A4" 7701 1048576

# the application killed mid-transfer: the client errs, never hangs
incg "$XFER" client "$A4" 7701 --bytes 67108864 --chunk 16384 --delay-us 2000 --timeout 60 >"$T_TMP/killed.out" 2>&1 &
CPID=$!
sleep 0.5
kill -KILL "$PID_s4"
if wait_until 30 bash -c "! kill -0 $CPID 2>/dev/null" && grep -q '^fail conn' "$T_TMP/killed.out" &&
	! grep -q 'Bad message' "$T_TMP/killed.out"; then
	tap_ok "the application killed mid-transfer: the client gets an error ($(head -c 80 "$T_TMP/killed.out"))"
else
	tap_fail "the application killed mid-transfer" "$(cat "$T_TMP/killed.out")"
fi
kill -KILL "$CPID" 2>/dev/null
server_start s4 7701 || tap_fail "the application restarts" "server 7701"
xfer_checked "after the kill, a new server's connections are redirected" "$A4" 7701 1048576

# control run: a port no selector names
b=$(counters)
out=$(incg "$XFER" client "$A4" 7709 --bytes 4194304 2>&1)
a=$(counters)
if [[ "$out" == ok* ]] && [ "$(field socks "$a")" = "$(field socks "$b")" ] &&
	[ "$(field redirect_bytes "$a")" = "$(field redirect_bytes "$b")" ]; then
	tap_ok "control: port 7709 (no selector) byte-exact on the normal path, counters unchanged"
else
	tap_fail "control: port 7709 on the normal path" "$out; $b -> $a"
fi

# a socket removed from the sockhash mid-stream: the kernel would drop
# what is queued to it (a gap in the stream, seen as "Bad message" before
# the map was made read-only), so user space may not: bpftool's delete of
# every entry of the running transfer is refused and the transfer goes on,
# byte-exact, redirected.  The kernel removes a socket at close.
socks_map_id() {
	bpftool -j map show 2>/dev/null | "$T_PY" -c '
import json, sys
ids = [m["id"] for m in json.load(sys.stdin) if m.get("name") == "l7_socks"]
print(ids[-1] if ids else "")'
}
# socks_delete_all ID: tries to delete every key; prints "tried N deleted
# M" and the first error
socks_delete_all() {
	local id=$1 n=0 m=0 k err="" e
	while read -r k; do
		n=$((n + 1))
		# shellcheck disable=SC2086 # the key's bytes, one word each
		if e=$(bpftool map delete id "$id" key hex $k 2>&1); then
			m=$((m + 1))
		else
			err=${err:-$e}
		fi
	done < <(bpftool -j map dump id "$id" 2>/dev/null | "$T_PY" -c '
import json, sys
for e in json.load(sys.stdin):
    k = e.get("key") or e.get("formatted", {}).get("key")
    print(" ".join(x[2:] if x.startswith("0x") else x for x in k))')
	echo "tried $n deleted $m ${err:0:80}"
}
id=$(socks_map_id)
incg "$XFER" client "$A4" 7701 --bytes 2097152 --chunk 16384 --delay-us 20000 --timeout 30 >"$T_TMP/del.out" 2>&1 &
CPID=$!
sleep 0.6
b=$(counters)
del=$(socks_delete_all "$id")
wait "$CPID"
a=$(counters)
moved=$(($(field redirect_bytes "$a") - $(field redirect_bytes "$b")))
fb=$(($(field no_peer "$a") + $(field no_state "$a") + $(field sticky "$a") - $(field no_peer "$b") - $(field no_state "$b") - $(field sticky "$b")))
echo "# delete mid-stream: $del; redirected meanwhile $moved bytes, $fb fallbacks; $(cat "$T_TMP/del.out")"
check "the sockhash is read-only from user space: a delete mid-stream is refused ($del)" \
	grep -q "^tried [1-9][0-9]* deleted 0 .*Operation not permitted" <<<"$del"
if grep -q '^ok' "$T_TMP/del.out" && [ "$moved" -gt 0 ] && [ "$fb" = 0 ]; then
	tap_ok "the transfer goes on byte-exact, redirected ($moved bytes after the attempt, no fallback)"
else
	tap_fail "the transfer after the refused delete" "$(cat "$T_TMP/del.out"); $b -> $a"
fi

# turning the feature off with a connection open
incg "$XFER" client "$A4" 7701 --bytes 2097152 --chunk 16384 --delay-us 20000 --timeout 60 >"$T_TMP/off.out" 2>&1 &
CPID=$!
sleep 0.6
b=$(counters)
kill -USR2 "$CTL_PID"
wait_until 5 grep -q '^detach done' "$T_TMP/ctl.log"
wait "$CPID"
a=$(counters)
dis=$(($(field disabled "$a") - $(field disabled "$b")))
if grep -q '^ok' "$T_TMP/off.out" && [ "$dis" -gt 0 ] && [ "$(field attached "$a")" = 0 ]; then
	tap_ok "off with a transfer running: it completes byte-exact, $dis later messages on the normal path"
else
	tap_fail "off with a transfer running" "$(cat "$T_TMP/off.out"); $b -> $a"
fi
b=$(counters)
out=$(incg "$XFER" client "$A4" 7701 --bytes 1048576 2>&1)
a=$(counters)
if [[ "$out" == ok* ]] && [ "$(field socks "$a")" = "$(field socks "$b")" ] &&
	[ "$(field redirect_bytes "$a")" = "$(field redirect_bytes "$b")" ]; then
	tap_ok "off: a new connection is neither inserted nor redirected, byte-exact"
else
	tap_fail "off: a new connection on the normal path" "$out; $b -> $a"
fi

tap_done
