#!/usr/bin/env bash
# The API write figure of `make bench` (api_write_backends) alone, for one
# build or several side by side:
#
#   bench/api_rate.sh [-r ROUNDS] [-s SECONDS] [--put] [--backends N]
#                     [--ring-size M] NAME=BUILD [NAME=BUILD...]
#
# Each build gets a sluiced of its own (own namespace and veth, the same
# lb config and VIP as bench/run.sh's cp_api_write: source_v4, one TCP VIP
# with health "none" and no backend; --put: a second one), then ROUNDS
# rounds run
# `sluice-bench api-rate --write VIP` (POST then DELETE of a backend, one
# connection at a time over the UNIX socket, every status checked) for
# SECONDS against each daemon in turn, so that every build sees the same
# moments of a shared machine.  Per run: requests/s and sluiced's CPU time
# per request (/proc/PID/schedstat, the daemon's one thread); at the end
# the median [min-max] of each.  --put adds the batch figure (PUT of 100
# backends in place of 100 others).  --backends N: the write figure's VIP
# gets N backends first (198.18.3.11 up), so that each write rebuilds a
# table of N + 1, as a write to a VIP in use does (docs/lb-api.md, "What
# a single write costs").  --ring-size M: both VIPs are made with that
# Maglev M (a prime; the API's default is 65537).  Run it under
# flock /tmp/sluice-netns.lock (it makes namespaces and attaches XDP).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=5 SECS=2 PUT=0 NBE=0 RING=
USAGE="usage: $0 [-r ROUNDS] [-s SECONDS] [--put] [--backends N] [--ring-size M] NAME=BUILD..."
while [ $# -gt 0 ]; do
	case $1 in
	-r) ROUNDS=$2; shift 2 ;;
	-s) SECS=$2; shift 2 ;;
	--put) PUT=1; shift ;;
	--backends) NBE=$2; shift 2 ;;
	--ring-size) RING=$2; shift 2 ;;
	*=*) break ;;
	*) echo "$USAGE" >&2; exit 2 ;;
	esac
done
[ $# -gt 0 ] || { echo "$USAGE" >&2; exit 2; }
case $NBE in
''|*[!0-9]*) echo "--backends: '$NBE' is not a number of backends (0..200)" >&2; exit 2 ;;
esac
[ "$NBE" -le 200 ] || { echo "--backends: $NBE is more than 200" >&2; exit 2; }
case $RING in
*[!0-9]*) echo "--ring-size: '$RING' is not a number (sluiced wants a prime, 3..655373)" >&2; exit 2 ;;
esac
RING_FIELD=
if [ -n "$RING" ]; then RING_FIELD=", \"ring_size\": $RING"; fi
# shellcheck source=../tests/netns/lib.sh
. "$ROOT/tests/netns/lib.sh"

names=()
i=0
for nb in "$@"; do
	name=${nb%%=*}
	b=$(cd "${nb#*=}" && pwd) || exit 2
	i=$((i + 1))
	netns_add NS_X "r$i" && netns_add NS_Y "p$i" || exit 1
	veth "$NS_X" r0 02:00:00:00:0a:01 "$NS_Y" p0 02:00:00:00:0a:02 || exit 1
	ip -n "$NS_X" addr add 198.18.0.1/24 dev r0
	echo '{"interfaces": ["r0"], "lb": {"source_v4": "198.18.200.0/24"}}' >"$T_TMP/cfg$i.json"
	SLUICED=$b/sluiced sluiced_start "$NS_X" "d$i" --config "$T_TMP/cfg$i.json" || exit 1
	sock_var=SOCK_d$i pid_var=PID_d$i
	vip=$(curl -sf --unix-socket "${!sock_var}" -X POST -H 'Content-Type: application/json' \
		-d "{\"address\": \"198.18.100.1\", \"port\": 80, \"protocol\": \"tcp\"$RING_FIELD, \"health\": {\"kind\": \"none\"}}" \
		http://sluiced/v1/vips | grep -o '"vip_id": *[0-9]*' | grep -o '[0-9]*$')
	# the batch figure's own VIP: its 100 backends would make every
	# single write rebuild a table of 100
	vip2=$(curl -sf --unix-socket "${!sock_var}" -X POST -H 'Content-Type: application/json' \
		-d "{\"address\": \"198.18.100.2\", \"port\": 80, \"protocol\": \"tcp\"$RING_FIELD, \"health\": {\"kind\": \"none\"}}" \
		http://sluiced/v1/vips | grep -o '"vip_id": *[0-9]*' | grep -o '[0-9]*$')
	[ -n "$vip" ] && [ -n "$vip2" ] || { echo "$name: POST /v1/vips failed" >&2; exit 1; }
	for k in $(seq 1 "$NBE"); do
		curl -sf --unix-socket "${!sock_var}" -X POST -H 'Content-Type: application/json' \
			-d "{\"address\": \"198.18.$((3 + (k + 10) / 256)).$(((k + 10) % 256))\"}" \
			"http://sluiced/v1/vips/$vip/backends" >/dev/null ||
			{ echo "$name: backend $k of $NBE refused" >&2; exit 1; }
	done
	names+=("$name|$b|${!sock_var}|$vip|${!pid_var}|$vip2")
done

cpu_ns() { awk '{ print $1 }' "/proc/$1/schedstat"; }
num() { grep -o "\"$1\": *[0-9.]*" <<<"$2" | grep -o '[0-9.]*$'; }
declare -A rates cpus puts
for r in $(seq 1 "$ROUNDS"); do
	for e in "${names[@]}"; do
		IFS='|' read -r name b sock vip pid vip2 <<<"$e"
		c0=$(cpu_ns "$pid")
		out=$("$b/bench/sluice-bench" api-rate --unix "$sock" --seconds "$SECS" --write "$vip")
		c1=$(cpu_ns "$pid")
		req=$(num requests "$out")
		rate=$(num rate "$out")
		[ -n "$rate" ] || { echo "$name: api-rate: $out" >&2; exit 1; }
		cpu=$(awk -v c="$((c1 - c0))" -v n="$req" 'BEGIN { printf "%.1f", c / n / 1000 }')
		rates[$name]+="$rate "
		cpus[$name]+="$cpu "
		echo "round $r $name: $rate req/s, sluiced $cpu us CPU per request"
		if [ $PUT = 1 ]; then
			out=$("$b/bench/sluice-bench" api-rate --unix "$sock" --seconds "$SECS" --put "$vip2" --batch 100)
			puts[$name]+="$(num changes_rate "$out") "
		fi
	done
done
stat() {	# median [min-max] of the words of $1
	tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.1f [%.1f-%.1f]", m, v[1], v[NR] }'
}
echo "| build | API writes, req/s | sluiced CPU, us/request |$([ $PUT = 1 ] && echo ' PUT, changes/s |')"
for e in "${names[@]}"; do
	name=${e%%|*}
	echo "| $name | $(stat "${rates[$name]}") | $(stat "${cpus[$name]}") |$([ $PUT = 1 ] && echo " $(stat "${puts[$name]}") |")"
done
