#!/usr/bin/env bash
# The API under a soak (docs/api.md, "Soak"): 480 concurrent TCP clients
# (status, /metrics scrapes, reads, backend writes) and 20 slow ones, while
# kernel routes churn, for SOAK_S seconds (30 in `make test`, 600 in `make
# soak`).  Prints the figures (status latency p50/p99/max, RSS at start and
# end, requests); asserts correctness: every acknowledged write is there at
# the end, no request failed, the churned routes converge to the kernel's,
# and a generous latency bound (SOAK_P99_MS, an ASan build on a shared
# 2-core machine: the figure is printed, the goal is 100 ms).
. "$(dirname "$0")/lib.sh"

SOAK_S=${SOAK_S:-30}
SOAK_CLIENTS=${SOAK_CLIENTS:-480}
SOAK_SLOW=${SOAK_SLOW:-20}
SOAK_THINK_S=${SOAK_THINK_S:-2}
SOAK_P99_MS=${SOAK_P99_MS:-2000}
PORT=9183
TCP=198.18.1.1
GW=198.18.1.2
SLOW=198.18.1.9
token="sluice-soak-token-0123456789"

netns_add NS_R r || die "namespace"
veth "$NS_R" r0 02:00:00:00:01:01 "$NS_R" r0p 02:00:00:00:01:02 || die "veth"
ip -n "$NS_R" addr add "$TCP/24" dev r0 || die "address"
ip -n "$NS_R" addr add "$SLOW/32" dev r0 || die "address"
# 20 client addresses: 24 clients each, under the 32 per address
srcs=""
for i in $(seq 100 119); do
	ip -n "$NS_R" addr add "198.18.1.$i/32" dev r0 || die "address"
	srcs+="${srcs:+,}198.18.1.$i"
done
# ASan holds freed memory in a quarantine (256 MB by default), which would
# show as growth of the RSS under any churn: a small one here
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:quarantine_size_mb=8 \
	sluiced_start "$NS_R" a --interface r0 --api "tcp:$TCP:$PORT" \
	--api-token "$token" || die "sluiced"
# shellcheck disable=SC2154 # set by sluiced_start
A_SOCK=$SOCK_a A_PID=$PID_a
for i in $(seq 1 10); do
	curl -sf --unix-socket "$A_SOCK" -X POST http://sluiced/v1/vips \
		-d "{\"address\": \"198.18.200.$i\", \"port\": 80, \"protocol\": \"tcp\",
		\"ring_size\": 1021, \"health\": {\"kind\": \"none\"}}" \
		>/dev/null || die "VIP $i"
done
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$A_PID/status"; }
rss0=$(rss)
# the RSS every 5 s while the soak runs
# (both loops end with the test whatever happens: cleanup kills T_PIDS;
# once it removed T_TMP, stop-churn would never appear)
(while [ ! -e "$T_TMP/stop-churn" ] && [ -d "$T_TMP" ]; do rss; sleep 5; done) \
	>"$T_TMP/rss.out" 2>/dev/null &
T_PIDS+=("$!")

# route churn: 50 /32s added then removed, again and again, until told
churn() {
	local n=0
	while [ ! -e "$T_TMP/stop-churn" ] && [ -d "$T_TMP" ]; do
		for i in $(seq 1 50); do ip -n "$NS_R" route add "198.19.250.$i/32" via $GW; done
		for i in $(seq 1 50); do ip -n "$NS_R" route del "198.19.250.$i/32" via $GW; done
		n=$((n + 1))
	done
	echo "$n"
}
churn >"$T_TMP/churn.out" 2>&1 &
churn_pid=$!
T_PIDS+=("$churn_pid")

echo "# soak: $SOAK_S s, $SOAK_CLIENTS clients (think ${SOAK_THINK_S} s), $SOAK_SLOW slow, route churn"
in_ns "$NS_R" timeout $((SOAK_S + 120)) "$T_PY" "$(dirname "$0")/api_soak.py" \
	"$TCP" "$PORT" "$token" "$SOAK_S" "$srcs" "$SOAK_CLIENTS" "$SLOW" \
	"$SOAK_SLOW" "$SOAK_THINK_S" >"$T_TMP/soak.json" 2>"$T_TMP/soak.err"
rc=$?
rss1=$(rss)
touch "$T_TMP/stop-churn"
wait "$churn_pid"
check "the clients ran to the end (exit $rc)" test "$rc" = 0
[ -s "$T_TMP/soak.err" ] && sed 's/^/# /' "$T_TMP/soak.err" | tail -5

# the figures, then the assertions
"$T_PY" - "$T_TMP/soak.json" <<'PYEOF' | sed 's/^/# /'
import json, sys
d = json.load(open(sys.argv[1]))
for k, v in d["latency_ms"].items():
    print("%-8s %6d requests  p50 %s ms  p99 %s ms  max %s ms" %
          (k, d["requests"][k], v["p50"], v["p99"], v["max"]))
print("writes acknowledged %d; errors %d; no answer %d" %
      (d["count"]["ok"], d["count"]["errors"], d["count"]["no_answer"]))
for e in d["errors"]:
    print("error: " + e)
PYEOF
echo "# RSS: ${rss0} kB before the clients, ${rss1} kB at the end;" \
	"every 5 s: $(tr '\n' ' ' <"$T_TMP/rss.out")kB"
echo "# route churn: $(cat "$T_TMP/churn.out") cycles of 50 routes added and removed"
field() { "$T_PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$T_TMP/soak.json"; }
check "no request failed or went unanswered" test "$(field 'd["count"]["errors"]')" = 0
n=$(field 'd["requests"]["status"]')
check "status was asked ($n times)" test "$n" -ge "$SOAK_CLIENTS"
n=$(field 'd["requests"]["write"]')
check "writes were made ($n)" test "$n" -ge 100
n=$(field 'd["requests"]["slow"]')
check "slow clients were answered ($n)" test "$n" -ge "$SOAK_SLOW"
p99=$(field 'd["latency_ms"]["status"]["p99"]')
check "status p99 ${p99} ms under $SOAK_P99_MS ms" \
	awk -v a="$p99" -v b="$SOAK_P99_MS" 'BEGIN { exit !(a < b) }'

# every acknowledged write is there: each client's backend is in its VIP
# exactly when sluiced last acknowledged an add
api a /v1/vips >"$T_TMP/vips.json"
lost=$("$T_PY" - "$T_TMP/soak.json" "$T_TMP/vips.json" <<'PYEOF'
import json, sys
acked = json.load(open(sys.argv[1]))["acked"]
have = {v["id"]: {b["address"] for b in v["backends"]}
        for v in json.load(open(sys.argv[2]))["vips"]}
bad, known = [], 0
for vip, bes in acked.items():
    for be, present in bes.items():
        if present is None:
            continue
        known += 1
        if (be in have.get(vip, set())) != present:
            bad.append("%s %s %s" % (vip, be, "lost" if present else "back"))
print(" ".join(["%d %d" % (len(bad), known)] + bad[:10]))
PYEOF
)
read -r n_bad n_known bad <<<"$lost"
check "every acknowledged write is there ($n_known backends known, $n_bad wrong)" \
	test "$n_bad" = 0
[ -n "$bad" ] && echo "# wrong: $bad"
# after the churn (it ends with its routes removed): sluiced has none of them
routes_gone() {
	local out
	out=$(api a "/v1/routes?prefix=198.19.250.0/24") || return 1
	[[ $out == *'"routes":[]'* ]]
}
check "the churned routes converge to the kernel's (none left)" wait_until 10 routes_gone
check "daemon still running" kill -0 "$A_PID"
tap_done
