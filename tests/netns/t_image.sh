#!/usr/bin/env bash
# The least-privilege claim, for real: the container image (make image,
# deploy/image/build.sh) unpacked from its OCI tarball and run by runc with
# exactly the capabilities of deploy/kubernetes/daemonset.yaml (read from
# it), read-only root, no new privileges, RLIMIT_MEMLOCK at 64 KiB, in the
# network namespace of a test "node" (a router between a client and two
# servers, kernel forwarding off):
#   - sluiced's effective capability set is exactly the DaemonSet's;
#   - it attaches XDP, forwards (ping) and load-balances (a full-NAT VIP to
#     two backends, curl), all through the image;
#   - /healthz answers over TCP without the token, /v1/status does not;
#   - with any one of those capabilities removed, it fails to start and says
#     which step failed.
. "$(dirname "$0")/lib.sh"

VIP=198.18.100.1
TOKEN=t-image-token-0123456789
BUILD=$(dirname "$SLUICED")
CID="$T_ID-img"
RUNC=$(command -v runc) || die "runc is not installed (scripts/deps.sh)"
trap 'for c in "$CID" "$CID"-{0,1,2,3}; do "$RUNC" delete -f "$c" >/dev/null 2>&1; done; cleanup' EXIT

# ---- the image, from its tarball --------------------------------------------------
deploy/image/build.sh "$BUILD" "$T_TMP/img" >"$T_TMP/image-build.out" 2>&1 ||
	die "image build: $(tail -3 "$T_TMP/image-build.out")"
mkdir -p "$T_TMP/oci" "$T_TMP/bundle/rootfs"
tar -xf "$T_TMP/img/sluice-image.tar" -C "$T_TMP/oci" || die "untar the image"
layer=$("$T_PY" -c '
import json, sys
d = sys.argv[1]
idx = json.load(open(d + "/index.json"))
m = idx["manifests"][0]["digest"].split(":")[1]
man = json.load(open(d + "/blobs/sha256/" + m))
assert len(man["layers"]) == 1
print(d + "/blobs/sha256/" + man["layers"][0]["digest"].split(":")[1])' "$T_TMP/oci") ||
	die "read the OCI index and manifest"
tar -xf "$layer" -C "$T_TMP/bundle/rootfs" || die "unpack the layer"
# (a /proc of its own: a sanitizer build reads its options there)
check "the image's sluiced runs in its own root (its libraries only)" \
	unshare --mount --propagation private sh -c \
	'mount -t proc proc "$1/proc" && chroot "$1" /usr/sbin/sluiced --version' \
	- "$T_TMP/bundle/rootfs"
check "the image's default config passes its sluiced's --check-config (no token needed)" \
	unshare --mount --propagation private sh -c \
	'mount -t proc proc "$1/proc" && chroot "$1" /usr/sbin/sluiced --check-config --config /etc/sluice/sluiced.json' \
	- "$T_TMP/bundle/rootfs"
check "the image's default config is the ConfigMap's without the TCP listener" \
	"$T_PY" -c '
import json, sys
img, cm = (json.load(open(f)) for f in sys.argv[1:3])
cm["api"] = [a for a in cm["api"] if not a.startswith("tcp:")]
sys.exit(0 if img == cm else 1)' "$T_TMP/bundle/rootfs/etc/sluice/sluiced.json" deploy/kubernetes/sluiced.json

# the DaemonSet's capabilities, from the manifest itself
mapfile -t CAPS < <("$T_PY" -c '
import sys, yaml
for d in yaml.safe_load_all(open("deploy/kubernetes/daemonset.yaml")):
    if d and d["kind"] == "DaemonSet":
        sc = d["spec"]["template"]["spec"]["containers"][0]["securityContext"]
        assert sc["capabilities"]["drop"] == ["ALL"] and not sc.get("privileged")
        for c in sc["capabilities"]["add"]:
            print("CAP_" + c)')
[ ${#CAPS[@]} -gt 0 ] || die "no capabilities read from daemonset.yaml"
echo "# the DaemonSet's capabilities: ${CAPS[*]}"

# ---- the node ---------------------------------------------------------------------
topo_basic || die "topology"
ip -n "$NS_S" addr add 198.18.2.3/24 dev s0
printf '%s\n' 'import socket, sys, threading' \
	'def serve(c):' \
	'    try:' \
	'        c.settimeout(3); c.recv(4096)' \
	'        body = (sys.argv[1] + "\n").encode()' \
	'        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))' \
	'    finally:' \
	'        c.close()' \
	's = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)' \
	's.bind((sys.argv[1], 8080)); s.listen(64)' \
	'while True:' \
	'    c, _ = s.accept()' \
	'    threading.Thread(target=serve, args=(c,), daemon=True).start()' \
	>"$T_TMP/peer.py"
for a in 198.18.2.2 198.18.2.3; do
	ip netns exec "$NS_S" timeout 300 "$T_PY" "$T_TMP/peer.py" "$a" >/dev/null 2>&1 &
	T_PIDS+=("$!")
done
warm "$NS_C" 198.18.2.2 || die "kernel path before sluiced"
warm "$NS_R" 198.18.2.3 || die "second backend address"
kernel_forwarding "$NS_R" off

# bundle_config NAME CAP...: $T_TMP/bundle/config.json for a container that
# runs the image's sluiced in the node's namespace with these capabilities
mkdir -p "$T_TMP/etc" "$T_TMP/state"
echo '{"interfaces": ["r0", "r1"], "conntrack": {"enabled": true}, "keep_on_exit": false}' \
	>"$T_TMP/etc/sluiced.json"
PIN="/sys/fs/bpf/$T_ID-img"
T_PINS+=("$PIN")
base_spec() {
	(cd "$T_TMP" && rm -f config.json && "$RUNC" spec && mv config.json spec.json)
}
bundle_config() {
	local run=$1
	shift
	mkdir -p "$T_TMP/$run"
	"$T_PY" - "$T_TMP" "$run" "/var/run/netns/$NS_R" "$PIN" "$TOKEN" "$@" <<'PYEOF'
import json, sys
tmp, run, netns, pin, token = sys.argv[1:6]
caps = sys.argv[6:]
c = json.load(open(tmp + "/spec.json"))
c["root"] = {"path": "rootfs", "readonly": True}
p = c["process"]
p["terminal"] = False
p["args"] = ["/usr/sbin/sluiced", "--config", "/etc/sluice/sluiced.json",
             "--pin-dir", pin, "--state-dir", "/var/lib/sluice",
             "--api", "unix:/run/sluice/sluiced.sock",
             "--api", "tcp:198.18.1.1:9180", "--api-token", token]
# an ASan build's leak check stops the world with ptrace: not ours to test
p["env"] = ["PATH=/usr/sbin:/usr/bin", "ASAN_OPTIONS=detect_leaks=0"]
p["capabilities"] = {k: caps for k in
                     ("bounding", "effective", "permitted", "inheritable", "ambient")}
p["noNewPrivileges"] = True
# BPF maps are charged to the memory cgroup (Linux >= 5.11): no memlock
p["rlimits"] = [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024},
                {"type": "RLIMIT_MEMLOCK", "hard": 65536, "soft": 65536}]
ns = [n for n in c["linux"]["namespaces"] if n["type"] not in ("network", "cgroup")]
ns.append({"type": "network", "path": netns})
c["linux"]["namespaces"] = ns
c["linux"].pop("resources", None)
c["mounts"] = [m for m in c["mounts"] if m["type"] != "cgroup"] + [
    {"destination": "/sys/fs/bpf", "type": "bind", "source": "/sys/fs/bpf",
     "options": ["rbind", "rw"]},
    {"destination": "/run/sluice", "type": "bind", "source": tmp + "/" + run,
     "options": ["rbind", "rw"]},
    {"destination": "/var/lib/sluice", "type": "bind", "source": tmp + "/state",
     "options": ["rbind", "rw"]},
    {"destination": "/etc/sluice", "type": "bind", "source": tmp + "/etc",
     "options": ["rbind", "ro"]},
]
json.dump(c, open(tmp + "/bundle/config.json", "w"), indent=1)
PYEOF
}
base_spec || die "runc spec"

# ---- with exactly the DaemonSet's capabilities --------------------------------------
bundle_config run "${CAPS[@]}" || die "bundle config"
"$RUNC" run --bundle "$T_TMP/bundle" "$CID" >>"$T_TMP/img.log" 2>&1 &
T_PIDS+=("$!")
SOCK_r="$T_TMP/run/sluiced.sock"
if ! wait_until 15 curl -sf --unix-socket "$SOCK_r" http://sluiced/v1/status; then
	echo "# sluiced in the container did not come up:"
	sed 's/^/#   /' "$T_TMP/img.log" | tail -20
	die "sluiced from the image with ${CAPS[*]}"
fi
tap_ok "sluiced from the image starts with only ${CAPS[*]}, read-only root, memlock 64 KiB"

# its effective set is exactly those capabilities
cpid=$("$RUNC" state "$CID" | "$T_PY" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
want=$("$T_PY" -c '
import sys
num = {"CAP_NET_ADMIN": 12, "CAP_SYS_ADMIN": 21, "CAP_SYS_RESOURCE": 24,
       "CAP_PERFMON": 38, "CAP_BPF": 39}
print("%016x" % sum(1 << num[c] for c in sys.argv[1:]))' "${CAPS[@]}")
# once started, sluiced keeps only CAP_BPF and CAP_NET_ADMIN (daemon/caps.c:
# PERFMON is for loading programs, done by then); the bounding set stays
# the DaemonSet's (dropping from it would take CAP_SETPCAP)
run_want=$("$T_PY" -c 'print("%016x" % ((1 << 39) | (1 << 12)))')
eff=$(awk '/^CapEff/{print $2}' "/proc/$cpid/status")
bnd=$(awk '/^CapBnd/{print $2}' "/proc/$cpid/status")
[ "$eff" = "$run_want" ] && [ "$bnd" = "$want" ] &&
	tap_ok "sluiced's bounding set is exactly the DaemonSet's ($want), its effective set BPF+NET_ADMIN once started ($run_want)" ||
	tap_fail "capability sets" "CapEff $eff (want $run_want) CapBnd $bnd (want $want)"
nnp=$(awk '/^NoNewPrivs/{print $2}' "/proc/$cpid/status")
[ "$nnp" = 1 ] && tap_ok "no new privileges" || tap_fail "NoNewPrivs" "$nnp"

xdp=$(ip -n "$NS_R" -d link show r0)
[[ $xdp == *"prog/xdp"* ]] && tap_ok "XDP attached to the node's r0" ||
	tap_fail "XDP on r0" "$xdp"

check "ping client -> server forwarded by XDP (kernel forwarding off)" \
	ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 1 198.18.2.2
fwd=$(packets r r0 fwd_redirect)
[ "${fwd:-0}" -gt 0 ] && tap_ok "r0 counted $fwd fwd_redirect packets" ||
	tap_fail "fwd_redirect on r0" "${fwd:-none}"

# the probes' endpoint: no token; everything else still needs it
hz=$(ip netns exec "$NS_C" curl -s -m 3 -o /dev/null -w '%{http_code}' http://198.18.1.1:9180/healthz)
[ "$hz" = 200 ] && tap_ok "GET /healthz over TCP without a token: 200" || tap_fail "/healthz" "$hz"
st=$(ip netns exec "$NS_C" curl -s -m 3 -o /dev/null -w '%{http_code}' http://198.18.1.1:9180/v1/status)
[ "$st" = 401 ] && tap_ok "GET /v1/status over TCP without a token: 401" || tap_fail "/v1/status" "$st"
mt=$(ip netns exec "$NS_C" curl -s -m 3 -o /dev/null -w '%{http_code}' http://198.18.1.1:9180/metrics)
[ "$mt" = 401 ] && tap_ok "GET /metrics over TCP without a token: 401" || tap_fail "/metrics" "$mt"
st=$(ip netns exec "$NS_C" curl -s -m 3 -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer $TOKEN" http://198.18.1.1:9180/v1/status)
[ "$st" = 200 ] && tap_ok "GET /v1/status with the token: 200" || tap_fail "/v1/status with token" "$st"

# load balancing: a full-NAT VIP, two backends
check "vip add (through the API of the contained sluiced)" \
	sctl r vip add $VIP:80/tcp --mode fullnat --backend-port 8080
for a in 198.18.2.2 198.18.2.3; do
	check "backend add $a" sctl r backend add $VIP:80/tcp $a
done
backends_up() {
	[ "$(api_json r /v1/vips "sum(1 for b in d['vips'][0]['backends'] if b['health'] == 'up')")" = 2 ]
}
wait_until 10 backends_up || tap_fail "health checks" "$(sctl r vip show)"
ok=0
: >"$T_TMP/bodies"
for _ in $(seq 1 20); do
	body=$(ip netns exec "$NS_C" curl -s -m 3 "http://$VIP/") || continue
	echo "$body" >>"$T_TMP/bodies"
	ok=$((ok + 1))
done
[ "$ok" = 20 ] && tap_ok "20 of 20 HTTP requests to the VIP answered" ||
	tap_fail "HTTP through the VIP" "$ok of 20"
n_be=$(sort -u "$T_TMP/bodies" | wc -l)
[ "$n_be" = 2 ] && tap_ok "both backends got flows" ||
	tap_fail "both backends" "$(sort "$T_TMP/bodies" | uniq -c)"
"$RUNC" kill "$CID" TERM >/dev/null 2>&1
wait_until 10 sh -c "! '$RUNC' state '$CID' 2>/dev/null | grep -q running"
"$RUNC" delete -f "$CID" >/dev/null 2>&1
rm -rf "$PIN" "$T_TMP/state"/*

# ---- each capability taken away -----------------------------------------------------
i=0
for drop in "${CAPS[@]}"; do
	less=()
	for c in "${CAPS[@]}"; do [ "$c" = "$drop" ] || less+=("$c"); done
	bundle_config "run$i" "${less[@]}" || die "bundle config"
	log="$T_TMP/img-no-$drop.log"
	timeout 20 "$RUNC" run --bundle "$T_TMP/bundle" "$CID-$i" >"$log" 2>&1
	rc=$?
	"$RUNC" delete -f "$CID-$i" >/dev/null 2>&1
	rm -rf "$PIN" "$T_TMP/state"/*
	echo "# without $drop: exit $rc; sluiced said:"
	grep -v '^\s*$' "$log" | tail -4 | sed 's/^/#   /'
	# sluiced checks its capabilities before touching anything and names
	# the missing one ("needs CAP_BPF (...): run as root or grant it")
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q "needs $drop" "$log"; then
		tap_ok "without $drop sluiced refuses to start, naming $drop"
	else
		tap_fail "without $drop sluiced should fail to start naming $drop" "exit $rc"
	fi
	i=$((i + 1))
done
ip -n "$NS_R" -d link show r0 | grep -q "prog/xdp" &&
	tap_fail "nothing left attached" "an XDP program is still on r0" ||
	tap_ok "nothing left attached on r0 after the failed starts"

tap_done
