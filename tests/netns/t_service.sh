#!/usr/bin/env bash
# deploy/systemd/sluiced.service, checked where systemd is not PID 1 (no
# systemd-run here): `systemd-analyze verify` accepts it, and sluiced runs
# the way the unit confines it -- the unit's CapabilityBoundingSet (read
# from the file, so the two cannot drift), ProtectSystem=strict,
# ProtectKernelTunables, ProtectControlGroups, ProtectHome and PrivateTmp
# done by hand in a mount namespace (everything read-only but
# /sys/fs/bpf, the runtime and the state directory) -- and still loads,
# attaches, forwards, answers its API and writes its state file.
. "$(dirname "$0")/lib.sh"

UNIT="$(dirname "$0")/../../deploy/systemd/sluiced.service"
unit_val() { sed -n "s/^$1=//p" "$UNIT"; }

# ---- the unit file ------------------------------------------------------------------
sed "s|^ExecStart=[^ ]*|ExecStart=$SLUICED|" "$UNIT" >"$T_TMP/sluiced.service"
out=$(systemd-analyze verify --man=no "$T_TMP/sluiced.service" 2>&1)
rc=$?
[ $rc -eq 0 ] && [ -z "$out" ] && tap_ok "systemd-analyze verify: no complaint" ||
	tap_fail "systemd-analyze verify: no complaint" "rc=$rc: $out"
check "unit: ExecStart is sluiced under PREFIX /usr/local" \
	test "$(unit_val ExecStart | cut -d' ' -f1)" = /usr/local/sbin/sluiced
caps=$(unit_val CapabilityBoundingSet)
check "unit: bounding set is CAP_BPF CAP_PERFMON CAP_NET_ADMIN" \
	test "$caps" = "CAP_BPF CAP_PERFMON CAP_NET_ADMIN"
check "unit: ambient set is the bounding set" test "$(unit_val AmbientCapabilities)" = "$caps"
for kv in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
	ProtectKernelTunables=yes ProtectControlGroups=yes ReadWritePaths=/sys/fs/bpf \
	RuntimeDirectory=sluice StateDirectory=sluice; do
	check "unit: $kv" grep -qx "$kv" "$UNIT"
done
# CAP_BPF CAP_PERFMON -> -all,+bpf,+perfmon
set_arg="-all"
for c in $caps; do
	c=${c#CAP_}
	set_arg="$set_arg,+${c,,}"
done

# ---- sluiced confined as the unit confines it ---------------------------------------
topo_basic || die "topology"
warm "$NS_C" 198.18.2.2 || die "warm"
kernel_forwarding "$NS_R" off
RUN="/run/$T_ID-sluice"		# RuntimeDirectory
STATE="/var/lib/$T_ID-sluice"	# StateDirectory
PIN="/sys/fs/bpf/$T_ID-svc"
BIN="/run/$T_ID-bin"		# where an installed sluiced would be: the
mkdir -p "$RUN" "$STATE" "$BIN" || die "dirs"	# build dir may be under /tmp
T_PINS+=("$RUN" "$STATE" "$PIN" "$BIN")		# or /root, which the unit hides
cp "$SLUICED" "$BIN/sluiced" || die "copying sluiced"

cat >"$T_TMP/confine.sh" <<CONF
set -e
mount --make-rprivate /
# ReadWritePaths and the unit's directories: their own mounts, left rw
for d in $RUN $STATE; do mount --bind "\$d" "\$d"; done
mount -o remount,bind,ro /			# ProtectSystem=strict
mount --bind /proc/sys /proc/sys			# ProtectKernelTunables
mount -o remount,bind,ro /proc/sys
mount -o remount,bind,ro /sys			# (/sys/fs/bpf is its own mount)
mount -o remount,bind,ro /sys/fs/cgroup 2>/dev/null || true	# ProtectControlGroups
mount -t tmpfs -o ro,mode=0 tmpfs /home		# ProtectHome
mount -t tmpfs -o ro,mode=0 tmpfs /root
mount -t tmpfs -o mode=1777 tmpfs /tmp		# PrivateTmp
exec nsenter --net=/var/run/netns/$NS_R setpriv --bounding-set=$set_arg \
	$BIN/sluiced --pin-dir $PIN --api unix:$RUN/sluiced.sock --state-dir $STATE \
	--interface r0 --interface r1
CONF
unshare --mount --propagation private bash "$T_TMP/confine.sh" >>"$T_TMP/svc.log" 2>&1 &
PID_svc=$!
T_PIDS+=("$PID_svc")
SOCK_svc="$RUN/sluiced.sock"
if ! wait_until 10 curl -sf --unix-socket "$SOCK_svc" http://sluiced/v1/status; then
	sed 's/^/#   /' "$T_TMP/svc.log" | tail -20
	die "confined sluiced did not come up"
fi

# the confinement is real: the same process cannot write where it must not
for p in /etc /usr /proc/sys/net /sys/class/net /home; do
	if nsenter -t "$PID_svc" -m sh -c "touch $p/.sluice-probe" 2>/dev/null; then
		tap_fail "confined: $p is not writable" "a write succeeded"
		nsenter -t "$PID_svc" -m rm -f "$p/.sluice-probe"
	else
		tap_ok "confined: $p is not writable"
	fi
done
check "confined: /sys/fs/bpf stays writable (pins there)" test -d "$PIN"
v=$(awk '$1 == "CapEff:" { print $2 }' "/proc/$PID_svc/status")
check "confined: CapEff after start is CAP_BPF+CAP_NET_ADMIN" test "$v" = 0000008000001000
check "confined: XDP attached on r0 and r1" sh -c "ip -d -n $NS_R link show r0 | grep -q prog/xdp && ip -d -n $NS_R link show r1 | grep -q prog/xdp"
before=$(packets svc r0 fwd_redirect)
check "confined: v4 ping via XDP" ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 1 198.18.2.2
after=$(packets svc r0 fwd_redirect)
[ $((after - before)) -ge 3 ] && tap_ok "confined: fwd_redirect counted ($((after - before)))" ||
	tap_fail "confined: fwd_redirect counted" "before=$before after=$after"
check "confined: a VIP added through the API" sctl svc vip add 198.18.9.9:80/tcp
check "confined: the state file is written in the StateDirectory" \
	wait_until 5 grep -q 198.18.9.9 "$STATE/lb.json"
kill -TERM "$PID_svc"
wait_until 10 sh -c "! kill -0 $PID_svc"
wait "$PID_svc"
rc=$?
check "confined: SIGTERM exits 0" test "$rc" = 0
grep -E 'err |warn ' "$T_TMP/svc.log" | grep -v 'libbpf' | sed 's/^/# /' | head -5
check "confined: no error logged" sh -c "! grep -q ' err ' '$T_TMP/svc.log'"

tap_done
