#!/usr/bin/env bash
# Installs what sluice needs to build, test and run its demo on Debian 12.
# Idempotent: only missing packages are installed, apt-get update runs only
# when something is missing.
set -euo pipefail

packages=(
	# build
	make gcc clang clang-format llvm pkg-config bpftool libbpf-dev libxdp-dev libelf-dev
	# libFuzzer (tests/fuzz)
	libclang-rt-14-dev
	zlib1g-dev linux-libc-dev gcc-multilib
	# the style tier's static analysis (tests/static.sh, docs/development.md)
	clang-tidy cppcheck
	# libraries (README: "Dependencies")
	libmnl-dev libmicrohttpd-dev libjson-c-dev libcurl4-openssl-dev
	libcmocka-dev uthash-dev
	# tests and demo: real tools on real namespaces
	iproute2 iputils-ping ethtool iperf3 curl bird2 frr nftables tcpdump
	procps psmisc python3 util-linux
	# reads the pcapng that `sluicectl trace --pcap` writes (t_trace.sh)
	tshark
	# the API's HTTPS test makes a throw-away certificate (t_api_tls.sh)
	openssl
	# deploy/kubernetes validated offline (tests/k8s, npm packages below)
	nodejs python3-yaml
	# the container image run for real (tests/netns/t_image.sh); crun 1.8
	# refuses this kernel's hybrid cgroup layout, runc runs it
	runc
	# libpktio's memif driver is tested against DPDK's net_memif (dpdk-testpmd
	# is in dpdk-dev; the memif PMD is a package of its own)
	dpdk dpdk-dev librte-net-memif23
	# benchmarks: plots
	gnuplot-nox
	# make deb and its test; the man pages' and the unit's checks
	debhelper dpkg-dev man-db systemd
	# /metrics scraped by a real Prometheus, the dashboard's queries run in
	# it (tests/netns/t_prometheus.sh)
	prometheus
)

# tests/k8s's and tests/openapi's validators, pinned by their
# package-lock.json (npm registry) (Debian's nodejs comes without npm, which
# is a package of its own; a nodejs from elsewhere brings its own npm)
npm_deps() {
	local dir pkg d
	for d in k8s:kubernetes-models openapi:@apidevtools/swagger-parser; do
		dir="$(dirname "$0")/../tests/${d%%:*}"
		pkg=${d#*:}
		[ -d "$dir/node_modules/$pkg" ] && continue
		command -v npm >/dev/null ||
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends npm >/dev/null
		(cd "$dir" && npm ci --no-audit --no-fund --silent)
	done
}

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	npm_deps
	exit
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]} (run as root to install)" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# bird2's, frr's and prometheus' packages start daemons in the root
# namespace; tests run their own.
systemctl disable --now bird >/dev/null 2>&1 || true
systemctl disable --now frr >/dev/null 2>&1 || true
systemctl disable --now prometheus >/dev/null 2>&1 || true
npm_deps
