#!/usr/bin/env bash
# The LB flow table on a machine with fewer CPUs online than possible (a VM
# with hot-plug slots).  With one LRU list per CPU the kernel gives every
# possible CPU max_flows / possible of the table, so the online CPUs would
# reach only a fraction of it and evict live flows early; lib/dp makes
# such a table with one common LRU list instead.  The test fakes "1 CPU
# online" for one sluiced (a bind mount over /sys/devices/system/cpu/online
# in a mount namespace of its own) and checks the table's flags, that the
# VIP works, and that a restart on the whole machine adopts that table.
. "$(dirname "$0")/lib.sh"

VIP=198.18.100.1
REAL_SLUICED=$SLUICED
NO_COMMON_LRU=2 # BPF_F_NO_COMMON_LRU

# lru_flags NAME: the map_flags of that daemon's pinned lb_flows
lru_flags() {
	local pin_var="PIN_$1"
	bpftool -j map show pinned "${!pin_var}/lb_flows" |
		"$T_PY" -c 'import json, sys; print(json.load(sys.stdin).get("flags", 0))'
}

topo_lb 2 $VIP/32 || die "topology"
lb_backends_start 2 || die "backends"
echo 0 >"$T_TMP/online"
cat >"$T_TMP/sluiced-1cpu" <<EOF2
#!/bin/sh
# sluiced seeing one CPU online (the rest of the machine is untouched)
exec unshare -m sh -c 'mount --bind "\$0" /sys/devices/system/cpu/online && exec "\$@"' \
	"$T_TMP/online" "$REAL_SLUICED" "\$@"
EOF2
chmod +x "$T_TMP/sluiced-1cpu"
cat >"$T_TMP/lb.json" <<JSON
{"interfaces": ["l0", "l1", "l2"], "lb": {"source_v4": "198.18.200.0/24"}}
JSON

SLUICED="$T_TMP/sluiced-1cpu" sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" \
	--keep-on-exit || die "sluiced (1 CPU online)"
possible=$(cat /sys/devices/system/cpu/possible)
check "the daemon saw 1 of the possible CPUs ($possible) online: one common LRU list" \
	grep -q "lb_flows: 1 of [0-9]* possible CPUs online: one common LRU list" "$T_TMP/lb.log"
f=$(lru_flags lb)
check "lb_flows has no BPF_F_NO_COMMON_LRU (flags $f)" test $((f & NO_COMMON_LRU)) = 0
kernel_forwarding "$NS_L" off
sctl lb vip add $VIP:8080/tcp >/dev/null || die "vip add"
for i in 1 2; do
	sctl lb backend add $VIP:8080/tcp "198.18.1$i.2" >/dev/null || die "backend add b$i"
done
out=$(http_loop "$NS_C" $VIP 50 20)
check "50 requests through the VIP (${out%%$'\n'*})" test "${out%%$'\n'*}" = "ok 50 fail 0"
# the count is refreshed by a timer (lb_loop.c), not per request
check "the flow table holds them (flows >= 50)" \
	wait_until 10 sh -c "[ \$(curl -sf --unix-socket '$SOCK_lb' http://sluiced/v1/lb | '$T_PY' -c 'import json,sys; print(json.load(sys.stdin)[\"flows\"])') -ge 50 ]"

# restart on the whole machine: the pinned table is adopted as it is
sluiced_stop lb
SLUICED=$REAL_SLUICED sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" ||
	die "sluiced restart"
f=$(lru_flags lb)
check "after a restart the pinned table keeps its flags ($f)" test $((f & NO_COMMON_LRU)) = 0
check "... and its flows (>= 50)" \
	wait_until 10 sh -c "[ \$(curl -sf --unix-socket '$SOCK_lb' http://sluiced/v1/lb | '$T_PY' -c 'import json,sys; print(json.load(sys.stdin)[\"flows\"])') -ge 50 ]"
out=$(http_loop "$NS_C" $VIP 20 20)
check "20 more requests (${out%%$'\n'*})" test "${out%%$'\n'*}" = "ok 20 fail 0"

# control: a fresh table with every possible CPU online has a list per CPU
sluiced_stop lb
SLUICED=$REAL_SLUICED sluiced_start "$NS_L" fresh --interface l0 || die "sluiced (fresh)"
f=$(lru_flags fresh)
if [ "$(cat /sys/devices/system/cpu/online)" = "$possible" ]; then
	check "with all possible CPUs online: one LRU list per CPU (flags $f)" \
		test $((f & NO_COMMON_LRU)) = $NO_COMMON_LRU
else
	check "this machine has CPUs possible but offline: common LRU here too (flags $f)" \
		test $((f & NO_COMMON_LRU)) = 0
fi
tap_done
