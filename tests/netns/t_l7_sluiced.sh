#!/usr/bin/env bash
# The L7 local hop through sluiced (docs/l7.md): the config file's "l7",
# `sluicectl l7 add|del|show|on|off`, /v1/l7, l7.json across a restart,
# bad input named and refused with nothing changed, and turning it off
# with a transfer running (it completes, byte-exact, on the normal path).
# Turning it on again happens after sluiced dropped to CAP_BPF +
# CAP_NET_ADMIN: attaching to a cgroup needs nothing more.  The test
# programs run in a namespace (198.18.7.1 on its lo) and a child cgroup
# this test creates and removes; sluiced attaches there, not to the root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/l7_lib.sh"

XFER="$(dirname "$SLUICED")/tests/tools/l7_xfer"
[ -x "$XFER" ] || die "no $XFER (make all)"
A4=198.18.7.1
l7_setup l7d $A4
# sluiced wants a port to run on: a veth pair inside the namespace
ip -n "$NS" link add v0 type veth peer name v1 || die "veth"
ip -n "$NS" link set v0 up && ip -n "$NS" link set v1 up
for port in 7801 7802; do
	incg "$XFER" server "$port" >"$T_TMP/s$port.out" 2>&1 &
	T_PIDS+=("$!")
	wait_until 5 grep -q listening "$T_TMP/s$port.out" || die "server $port"
done

# raw METHOD PATH [BODY]: "STATUS BODY" from sluiced's API
raw() {
	curl -s --unix-socket "$SOCK_r" -X "$1" ${3:+-d "$3"} -w ' %{http_code}' "http://sluiced$2"
}
# jq-less reading of GET /v1/l7
l7get() { # EXPR over the document d
	api r /v1/l7 | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}
port_bytes() { # PORT: redirected bytes of that port's selector
	l7get "sum(p['counters']['redirected_bytes'] for p in d['ports'] if p['port']==$1)"
}
xfer() { incg "$XFER" client "$A4" "$@" 2>&1; }

# the config file's "l7" is checked with the rest
cat >"$T_TMP/bad.json" <<EOC
{"l7": {"enabled": true, "ports": [7801, 70000]}}
EOC
out=$("$SLUICED" --check-config --config "$T_TMP/bad.json" 2>&1)
if [[ "$out" == *"l7.ports[1]: '70000' is not a port"* ]]; then
	tap_ok "config: a bad l7 port is named (field and value)"
else
	tap_fail "config: a bad l7 port is named" "$out"
fi

# a cgroup that is not a cgroup v2 directory: refused by --check-config
# and by a start before anything is attached (it used to pass the check,
# then attach XDP, refuse and detach again on every restart)
cat >"$T_TMP/nocg.json" <<EOC
{"interfaces": ["v0"], "l7": {"enabled": true, "cgroup": "$CG-absent", "ports": [7801]}}
EOC
out=$("$SLUICED" --check-config --config "$T_TMP/nocg.json" 2>&1)
if [[ "$out" == *"l7.cgroup: '$CG-absent' is not a cgroup v2 directory"* ]]; then
	tap_ok "config: an l7.cgroup that is not a cgroup v2 directory is refused, named"
else
	tap_fail "config: an l7.cgroup that is not a cgroup v2 directory is refused" "$out"
fi
out=$(nsenter --net="/var/run/netns/$NS" timeout 20 "$SLUICED" --config "$T_TMP/nocg.json" \
	--pin-dir "/sys/fs/bpf/$T_ID-nocg" --state-dir "$T_TMP/nocg-state" \
	--api "unix:$T_TMP/nocg.sock" 2>&1)
rc=$?
T_PINS+=("/sys/fs/bpf/$T_ID-nocg")
if [ "$rc" = 1 ] && [[ "$out" == *"is not a cgroup v2 directory"* ]] && [[ "$out" != *"attached"* ]] &&
	! ip -n "$NS" -d link show v0 | grep -q prog/xdp; then
	tap_ok "start with that cgroup: exit 1 before anything is attached"
else
	tap_fail "start with that cgroup: exit 1 before anything is attached" "rc $rc: $out"
fi

cat >"$T_TMP/l7.json" <<EOC
{"l7": {"enabled": true, "cgroup": "$CG", "ports": [7801]}}
EOC
sluiced_start "$NS" r --interface v0 --xdp-mode generic --config "$T_TMP/l7.json" || die "sluiced"
check "l7 show: on, attached to the test's cgroup, port 7801" \
	test "$(l7get "(d['enabled'], d['attached'], d['cgroup'], [p['port'] for p in d['ports']])")" = "(True, True, '$CG', [7801])"

out=$(xfer 7801 --bytes 4194304)
got=$(port_bytes 7801)
if [[ "$out" == ok* ]] && [ "$got" -eq $((2 * (4194304 + 24))) ]; then
	tap_ok "4 MiB each way on 7801, byte-exact, every byte redirected ($got)"
else
	tap_fail "4 MiB each way on 7801 redirected" "$out; redirected $got"
fi

m=$(api r /metrics)
check "/metrics: sluice_l7_redirected_bytes_total{port=\"7801\"} $got" \
	grep -qx "sluice_l7_redirected_bytes_total{port=\"7801\"} $got" <<<"$m"
check "/metrics: the hop on and attached (sluice_l7_enabled 1)" \
	grep -qx "sluice_l7_enabled 1" <<<"$m"
check "/metrics: fallbacks by reason (no_peer on 7801)" \
	grep -q '^sluice_l7_fallback_msgs_total{port="7801",reason="no_peer"} ' <<<"$m"
check "sluicectl l7 add --port 7802" sctl r l7 add --port 7802
out=$(xfer 7802 --bytes 1048576)
got=$(port_bytes 7802)
if [[ "$out" == ok* ]] && [ "$got" -eq $((2 * (1048576 + 24))) ]; then
	tap_ok "7802 selected through the CLI: redirected ($got)"
else
	tap_fail "7802 selected through the CLI" "$out; redirected $got"
fi
show=$(sctl r l7 show)
if grep -q '^l7 on' <<<"$show" && grep -q '7802' <<<"$show"; then
	tap_ok "sluicectl l7 show: the table"
else
	tap_fail "sluicectl l7 show" "$show"
fi

# bad input: named, refused, nothing changed
before=$(api r /v1/l7 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["enabled"], d["cgroup"], sorted(p["port"] for p in d["ports"]))')
bad() { # NAME EXPECTED-STATUS EXPECTED-TEXT METHOD PATH [BODY]
	local name=$1 st=$2 txt=$3 out
	shift 3
	out=$(raw "$@")
	if [[ "$out" == *" $st" ]] && [[ "$out" == *"$txt"* ]]; then
		tap_ok "bad input: $name ($st)"
	else
		tap_fail "bad input: $name" "$out"
	fi
}
bad "port 70000" 400 "port: '70000' is not a port" POST /v1/l7/ports '{"port": 70000}'
bad "port 0" 400 "port: '0' is not a port" POST /v1/l7/ports '{"port": 0}'
bad "port as a string" 400 "port: 'x'" POST /v1/l7/ports '{"port": "x"}'
bad "unknown field" 400 "prot: unknown field" POST /v1/l7/ports '{"prot": 80}'
bad "a port selected twice" 409 "7802 is selected already" POST /v1/l7/ports '{"port": 7802}'
bad "deleting a port not selected" 404 "7999 is not selected" DELETE /v1/l7/ports/7999
bad "a cgroup that does not exist" 400 "cgroup: '/sys/fs/cgroup/nonexistent-sluice'" PUT /v1/l7 '{"enabled": true, "cgroup": "/sys/fs/cgroup/nonexistent-sluice"}'
bad "a relative cgroup" 400 "cgroup: 'x/y'" PUT /v1/l7 '{"enabled": true, "cgroup": "x/y"}'
bad "enabled not a boolean" 400 "enabled: 'yes'" PUT /v1/l7 '{"enabled": "yes"}'
check_fails "sluicectl l7 add --port 99999 refused" sctl r l7 add --port 99999
after=$(api r /v1/l7 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["enabled"], d["cgroup"], sorted(p["port"] for p in d["ports"]))')
check "bad input changed nothing ($after)" test "$before" = "$after"

# l7.json across a restart, without the config file
sluiced_stop r || true
sluiced_start "$NS" r --interface v0 --xdp-mode generic || die "sluiced restart"
check "after a restart (no config file): on, attached, 7801 and 7802 from l7.json" \
	test "$(l7get "(d['enabled'], d['attached'], sorted(p['port'] for p in d['ports']))")" = "(True, True, [7801, 7802])"
b=$(port_bytes 7802)
out=$(xfer 7802 --bytes 1048576)
got=$(($(port_bytes 7802) - b))
if [[ "$out" == ok* ]] && [ "$got" -eq $((2 * (1048576 + 24))) ]; then
	tap_ok "after the restart, 7802 is redirected"
else
	tap_fail "after the restart, 7802 is redirected" "$out; redirected $got"
fi

# off with a transfer running
xfer 7801 --bytes 2097152 --chunk 16384 --delay-us 20000 --timeout 60 >"$T_TMP/off.out" &
CPID=$!
sleep 0.6
check "sluicectl l7 off" sctl r l7 off
wait "$CPID"
dis=$(l7get "sum(p['counters']['fallbacks']['disabled'] for p in d['ports'])")
if grep -q '^ok' "$T_TMP/off.out" && [ "$dis" -gt 0 ] &&
	[ "$(l7get "(d['enabled'], d['attached'])")" = "(False, False)" ]; then
	tap_ok "off with a transfer running: byte-exact, $dis later messages on the normal path, detached"
else
	tap_fail "off with a transfer running" "$(cat "$T_TMP/off.out"); disabled $dis; $(api r /v1/l7)"
fi
b=$(port_bytes 7801)
out=$(xfer 7801 --bytes 1048576)
check "off: a new connection byte-exact and not redirected" test "$out" = "ok conns=1 bytes=1048576" -a "$(port_bytes 7801)" = "$b"

# on again, now that sluiced runs with CAP_BPF and CAP_NET_ADMIN only
check "sluicectl l7 on after the capability drop" sctl r l7 on
b=$(port_bytes 7801)
out=$(xfer 7801 --bytes 1048576)
got=$(($(port_bytes 7801) - b))
if [[ "$out" == ok* ]] && [ "$got" -eq $((2 * (1048576 + 24))) ]; then
	tap_ok "on again: redirected"
else
	tap_fail "on again: redirected" "$out; redirected $got; $(sluiced_log r | tail -3)"
fi
check "sluicectl l7 del --port 7802" sctl r l7 del --port 7802
check "7802 no longer selected" test "$(l7get "[p['port'] for p in d['ports']]")" = "[7801]"

# An 'l7 add' with no cgroup ever given (no "l7" in any config, never
# 'on'): the state file it writes lets the next start go on.  It wrote
# "cgroup": "", which its own loader refused, and every later start
# stopped there.
sluiced_stop r || true
sluiced_start "$NS" n --interface v0 --xdp-mode generic || die "sluiced n"
check "fresh state dir: sluicectl l7 add --port 7803, no cgroup given" sctl n l7 add --port 7803
# shellcheck disable=SC2154 # STATE_n is set by sluiced_start
check "its l7.json names no cgroup" python3 -c \
	'import json, sys; sys.exit("cgroup" in json.load(open(sys.argv[1])))' "$STATE_n/l7.json"
sluiced_stop n || tap_fail "n stopped"
check "--check-config takes that state file" \
	"$SLUICED" --check-config --state-dir "$STATE_n" --interface v0
if sluiced_start "$NS" n --interface v0 --xdp-mode generic; then
	tap_ok "n starts again with that state file"
	check "7803 still selected, the hop still off" \
		test "$(api n /v1/l7 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["enabled"], [p["port"] for p in d["ports"]])')" = "False [7803]"
else
	tap_fail "n starts again with that state file" "$(tail -3 "$T_TMP/n.log")"
fi

tap_done
