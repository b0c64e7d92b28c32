#!/usr/bin/env bash
# Monitoring for real: Debian's Prometheus scrapes sluiced's /metrics (TCP
# listener, bearer token) and the series are checked through Prometheus'
# own HTTP API; every query of the Grafana dashboard (deploy/grafana/
# sluice.json) must name series that exist and return data; and
# `sluicectl top` shows the rates of the same traffic.
#
#   client (c0) ---- (l0) LB (l1,l2) ---- (b0) backend 1..2
#
# Prometheus runs in the LB's namespace, on 127.0.0.1 there, next to
# sluiced's TCP listener; its storage is in the test's tmp dir.
. "$(dirname "$0")/lib.sh"

VIP=198.18.100.1
VID="$VIP:8080/tcp"
TOKEN="t-prometheus-token-0123456789"
API_PORT=19180
PROM_PORT=19090
DASH="$(dirname "$0")/../../deploy/grafana/sluice.json"

command -v prometheus >/dev/null || die "prometheus is not installed (scripts/deps.sh)"

topo_lb 2 $VIP/32 || die "topology"
lb_backends_start 2 || die "backends"
cat >"$T_TMP/lb.json" <<JSON
{"interfaces": ["l0", "l1", "l2"], "lb": {"source_v4": "198.18.200.0/24"},
 "api_token": "$TOKEN"}
JSON
sluiced_start "$NS_L" lb --config "$T_TMP/lb.json" \
	--api "tcp:127.0.0.1:$API_PORT" || die "sluiced"
kernel_forwarding "$NS_L" off
sctl lb vip add "$VID" >/dev/null || die "vip add"
for i in 1 2; do
	sctl lb backend add "$VID" "198.18.1$i.2" >/dev/null || die "backend add b$i"
done

# ---- Prometheus ----------------------------------------------------------------
printf '%s' "$TOKEN" >"$T_TMP/token"
cat >"$T_TMP/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: sluiced
    authorization:
      type: Bearer
      credentials_file: $T_TMP/token
    static_configs:
      - targets: ["127.0.0.1:$API_PORT"]
YAML
in_ns "$NS_L" ss -Hltn "sport = :$PROM_PORT" >"$T_TMP/ss.out"
[ -s "$T_TMP/ss.out" ] && die "port $PROM_PORT is taken in the LB namespace"
nsenter --net="/var/run/netns/$NS_L" prometheus \
	--config.file="$T_TMP/prometheus.yml" \
	--storage.tsdb.path="$T_TMP/prom-data" \
	--web.listen-address="127.0.0.1:$PROM_PORT" \
	>>"$T_TMP/prometheus.out" 2>&1 &
T_PIDS+=("$!")

# prom PATH [CURL ARGS...]: GET from Prometheus' HTTP API
prom() {
	local path=$1
	shift
	in_ns "$NS_L" curl -sf -G --max-time 5 "$@" "http://127.0.0.1:$PROM_PORT$path"
}
# pq EXPR: the value of an instant query whose answer is one sample
# ("none" when empty, "many" when more than one)
pq() {
	local out
	out=$(prom /api/v1/query --data-urlencode "query=$1") || { echo error; return; }
	"$T_PY" -c '
import json, sys
r = json.loads(sys.argv[1])["data"]["result"]
print("none" if not r else "many" if len(r) > 1 else r[0]["value"][1])' "$out"
}
# pq_is EXPR OP VALUE: the query's one value compared (python operators)
pq_is() {
	local v
	v=$(pq "$1")
	"$T_PY" -c 'import sys; v = sys.argv[1]; sys.exit(0 if v not in ("none", "many", "error") and eval(v + sys.argv[2] + sys.argv[3]) else 1)' "$v" "$2" "$3"
}
target_up() {
	local out
	out=$(prom /api/v1/targets) || return 1
	"$T_PY" -c '
import json, sys
t = json.loads(sys.argv[1])["data"]["activeTargets"]
sys.exit(0 if len(t) == 1 and t[0]["health"] == "up" else 1)' "$out"
}

check "Prometheus answers (/-/ready)" wait_until 20 prom /-/ready
check "the sluiced target is up (/api/v1/targets, bearer token)" wait_until 10 target_up
check "up{job=\"sluiced\"} is 1" wait_until 5 pq_is 'up{job="sluiced"}' == 1
check "sluice_build_info has sluiced's version" \
	pq_is "sluice_build_info{version=\"$(sctl lb -j status | "$T_PY" -c 'import json,sys; print(json.load(sys.stdin)["version"])')\"}" == 1

# the API's answers: the three POSTs above, a refusal on the TCP listener
in_ns "$NS_L" curl -s -o /dev/null "http://127.0.0.1:$API_PORT/v1/status"
check "sluice_api_responses_total: the 3 POSTs of the setup" \
	wait_until 5 pq_is 'sum(sluice_api_responses_total{method="POST",code=~"2.."})' == 3
check "... the request without a token, refused (401)" \
	wait_until 5 pq_is 'sluice_api_responses_total{method="GET",code="401"}' == 1
check "... and the scrapes (GET 200) going up" \
	pq_is 'rate(sluice_api_responses_total{method="GET",code="200"}[10s])' '>' 0

# ---- traffic, then its rates and counters in Prometheus ---------------------------
out=$(http_loop "$NS_C" $VIP 40 15)
check "40 requests through the VIP (${out%%$'\n'*})" test "${out%%$'\n'*}" = "ok 40 fail 0"
check "rate of sluice_xdp_packets_total on l0 > 0" \
	wait_until 5 pq_is 'sum(rate(sluice_xdp_packets_total{interface="l0"}[20s]))' '>' 0
check "rate of sluice_xdp_bytes_total on l1+l2 (the replies) > 0" \
	wait_until 5 pq_is 'sum(rate(sluice_xdp_bytes_total{interface=~"l1|l2"}[20s]))' '>' 0
check "a per-interface series has the interface, reason and verdict labels" \
	pq_is 'count(sluice_xdp_packets_total{interface="l0",reason="fwd_lb",verdict="forward"})' == 1

# reason_same IFACE REASON: Prometheus' last sample of the counter is what
# `sluicectl stats` says, within 2 packets (a late ACK may fall between)
reason_same() {
	local s p
	s=$(sctl lb -j stats dev "$1" | "$T_PY" -c '
import json, sys
d = json.load(sys.stdin)
print(sum(r["packets"] for i in d["interfaces"] for r in i["reasons"] if r["reason"] == sys.argv[1]))' "$2")
	p=$(pq "sluice_xdp_packets_total{interface=\"$1\",reason=\"$2\"}")
	echo "stats $s prometheus $p" >"$T_TMP/reason_same.out"
	[ "$s" -gt 0 ] && "$T_PY" -c 'import sys; sys.exit(0 if abs(float(sys.argv[1]) - float(sys.argv[2])) <= 2 else 1)' "$s" "$p"
}
check "fwd_lb on l0: Prometheus has what sluicectl stats says" wait_until 5 reason_same l0 fwd_lb
sed 's/^/# /' "$T_TMP/reason_same.out"
check "fwd_redirect on l1 (replies): the same" wait_until 5 reason_same l1 fwd_redirect

# vip_same: the VIP's packet counter in Prometheus is the API's
vip_same() {
	local a p
	a=$(sctl lb -j vip show "$VID" | "$T_PY" -c 'import json,sys; print(json.load(sys.stdin)["counters"]["packets"])')
	p=$(pq "sluice_lb_vip_packets_total{vip=\"$VID\"}")
	echo "api $a prometheus $p" >"$T_TMP/vip_same.out"
	[ "$a" -gt 0 ] && "$T_PY" -c 'import sys; sys.exit(0 if abs(float(sys.argv[1]) - float(sys.argv[2])) <= 2 else 1)' "$a" "$p"
}
check "sluice_lb_vip_packets_total{vip=\"$VID\"} is the API's count" wait_until 5 vip_same
sed 's/^/# /' "$T_TMP/vip_same.out"
check "rate of VIP packets > 0" \
	pq_is "rate(sluice_lb_vip_packets_total{vip=\"$VID\"}[20s])" '>' 0
check "one sluice_lb_backend_packets_total per backend, labelled vip and backend" \
	pq_is "count(sluice_lb_backend_packets_total{vip=\"$VID\",backend=~\"198.18.1[12].2\"})" == 2
check "the backends' packets add up to the VIP's" \
	pq_is "sum(sluice_lb_backend_packets_total{vip=\"$VID\"}) - sum(sluice_lb_vip_packets_total{vip=\"$VID\"})" == 0
check "a health series per backend (sluice_lb_backend_health)" \
	pq_is "count(sluice_lb_backend_health{vip=\"$VID\"})" == 2

# ---- the dashboard: every query names existing series and returns data --------------
# dash_check FILE: prints a line per problem, fails if there is one.  The
# metric names are what is left of an expression once strings, label
# matchers, ranges, grouping lists and function names are taken out.
dash_check() {
	in_ns "$NS_L" "$T_PY" - "$1" "$PROM_PORT" <<'PYEOF'
import json, re, sys, urllib.parse, urllib.request
dash, port = json.load(open(sys.argv[1])), sys.argv[2]
base = "http://127.0.0.1:%s/api/v1/" % port

def get(path, **q):
    url = base + path + ("?" + urllib.parse.urlencode(q) if q else "")
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)

def exprs(panels):
    for p in panels:
        yield from exprs(p.get("panels", []))
        for t in p.get("targets", []):
            yield p["title"], t["expr"]

KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "inf", "nan"}

def names(expr):
    e = re.sub(r'"(\\.|[^"\\])*"', '""', expr)
    e = re.sub(r"\{[^}]*\}", " ", e)
    e = re.sub(r"\[[^\]]*\]", " ", e)
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    out = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", e):
        rest = e[m.end():].lstrip()
        if rest.startswith("(") or m.group(0).lower() in KEYWORDS:
            continue
        out.add(m.group(0))
    return out

# what Grafana puts in the variables, for Prometheus itself to evaluate
subst = {"$__rate_interval": "20s", "$instance": ".*", "$interface": ".*",
         "$vip": ".*", "${datasource}": ""}
have = set(get("label/__name__/values")["data"])
bad = n = 0
for title, expr in exprs(dash["panels"]):
    n += 1
    for m in sorted(names(expr)):
        if not m.startswith("sluice_"):
            print("# %s: '%s' is not a series sluiced exports" % (title, m)); bad += 1
        elif m not in have:
            print("# %s: no series '%s' in Prometheus" % (title, m)); bad += 1
    q = expr
    for k, v in subst.items():
        q = q.replace(k, v)
    try:
        r = get("query", query=q)
    except Exception as ex:
        print("# %s: query refused (%s): %s" % (title, ex, q)); bad += 1
        continue
    if r.get("status") != "success" or not r["data"]["result"]:
        print("# %s: no data: %s" % (title, q)); bad += 1
for v in dash["templating"]["list"]:
    d = v.get("definition", "")
    m = re.match(r"label_values\((.*), *(\w+)\)$", d)
    if m and not any(x in have for x in names(m.group(1))):
        print("# variable %s: no series for %s" % (v["name"], d)); bad += 1
# what Grafana needs to lay it out: unique panel ids, panels inside the
# 24-column grid, a data source on every query; and the six rows
ids = [p["id"] for p in dash["panels"]]
if len(ids) != len(set(ids)):
    print("# panel ids are not unique"); bad += 1
for p in dash["panels"]:
    g = p["gridPos"]
    if g["x"] < 0 or g["w"] < 1 or g["x"] + g["w"] > 24:
        print("# %s: outside the grid: %s" % (p["title"], g)); bad += 1
    for t in p.get("targets", []):
        if t.get("datasource", {}).get("uid") != "${datasource}":
            print("# %s: a query without the data source" % p["title"]); bad += 1
rows = [p["title"].split(":")[0] for p in dash["panels"] if p["type"] == "row"]
for want in ("Interfaces", "Reasons", "Routes", "Load balancer", "Conntrack", "API and daemon"):
    if want not in rows:
        print("# no row '%s' (rows: %s)" % (want, rows)); bad += 1
print("# %d queries, %d problems" % (n, bad))
sys.exit(1 if bad or n < 20 else 0)
PYEOF
}
dash_check "$DASH" >"$T_TMP/dash.out" 2>&1
rc=$?
check "every dashboard query names series sluiced exports and returns data ($(tail -1 "$T_TMP/dash.out" | tr -d '#'))" test $rc = 0
[ $rc = 0 ] || sed 's/^/#   /' "$T_TMP/dash.out" | head -20
# the check can fail: a dashboard naming a series nobody exports
"$T_PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["panels"]:
    for t in p.get("targets", []):
        t["expr"] = t["expr"].replace("sluice_lb_vip_packets_total", "sluice_lb_vip_packts_total")
json.dump(d, open(sys.argv[2], "w"))' "$DASH" "$T_TMP/bad-dash.json"
check_fails "... and the check fails on a misspelt series" dash_check "$T_TMP/bad-dash.json"

# ---- sluicectl top ------------------------------------------------------------------
# a steady stream for both tops (in parallel): a request every 10 ms, 10 s
# at most, until they are done
stream() {
	timeout 15 ip netns exec "$NS_C" "$T_PY" - $VIP "$T_TMP/stream.stop" <<'PYEOF'
import os, socket, sys, time
ok = fail = 0
t_end = time.monotonic() + 10
while time.monotonic() < t_end and not os.path.exists(sys.argv[2]):
    try:
        s = socket.create_connection((sys.argv[1], 8080), timeout=3)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        while s.recv(4096):
            pass
        s.close()
        ok += 1
    except OSError:
        fail += 1
    time.sleep(0.01)
print("ok", ok, "fail", fail)
PYEOF
}
stream >"$T_TMP/top-traffic.out" &
tpid=$!
sleep 0.5
sctl lb -j top --count 1 --interval 1 >"$T_TMP/top.json" 2>&1 &
jpid=$!
sctl lb top --count 2 --interval 1 >"$T_TMP/top.out" 2>&1
rc=$?
wait "$jpid"
rcj=$?
touch "$T_TMP/stream.stop"
wait "$tpid"
sed "s/^/# traffic during top: /" "$T_TMP/top-traffic.out"
failed=$T_FAILED
check "top --count 2 --interval 1 exits 0 after two refreshes" \
	test "$rc/$(grep -c '^rates over the last' "$T_TMP/top.out")" = 0/2
check "top prints no escape codes when stdout is not a terminal" \
	sh -c "! grep -q \$(printf '\\033') '$T_TMP/top.out'"
# rate_of WORD COL: the COLth field of top's line starting with WORD
rate_of() { awk -v w="$1" -v c="$2" '$1 == w { print $c; exit }' "$T_TMP/top.out"; }
nonzero() { [ -n "$1" ] && [ "$1" != 0 ] && [ "$1" != - ]; }
check "top: l0 receives (RX_PPS $(rate_of l0 2), RX_BPS $(rate_of l0 3))" \
	nonzero "$(rate_of l0 2)"
check "top: fwd_lb on l0 has a rate ($(awk '$1 == "fwd_lb" { print $2, $4; exit }' "$T_TMP/top.out"))" \
	sh -c "awk '\$1 == \"fwd_lb\" && \$2 == \"l0\" && \$4 != \"0\" { f = 1 } END { exit !f }' '$T_TMP/top.out'"
check "top: the VIP has a rate ($(rate_of "$VID" 2) pps)" nonzero "$(rate_of "$VID" 2)"
check "top: its backends are listed" \
	test "$(grep -cE '^  198\.18\.1[12]\.2 ' "$T_TMP/top.out")" -ge 2
top_json_ok() {
	"$T_PY" -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
d = json.loads(lines[0])
l0 = [i for i in d["interfaces"] if i["name"] == "l0"][0]
r = [x for x in d["reasons"] if x["interface"] == "l0" and x["reason"] == "fwd_lb"]
v = [x for x in d["vips"] if x["id"] == sys.argv[2]][0]
be = sum(b["pps"] for b in v["backends"])
ok = len(lines) == 1 and l0["rx_pps"] > 0 and l0["forward_pps"] > 0 and r and r[0]["pps"] > 0 and v["pps"] > 0 and be > 0
print(l0, r, v["pps"], be)
sys.exit(0 if ok else 1)' "$T_TMP/top.json" "$VID"
}
check "top -j: one JSON document with l0, fwd_lb, the VIP and its backends moving (rc $rcj)" top_json_ok
[ "$T_FAILED" = "$failed" ] || sed "s/^/#   /" "$T_TMP/top.out"

# on a terminal (script(1) gives it one): cleared and redrawn in place
tty_out=$(timeout 10 script -qec "'$SLUICECTL' --api 'unix:$SOCK_lb' top --count 1 --interval 1" /dev/null)
check "top on a terminal clears the screen before each refresh" \
	test "${tty_out:0:7}" = $'\033[H\033[2J'
check "... then draws the same table" grep -q 'RX_PPS' <<<"$tty_out"

# bad flags: refused, naming the flag and the value
top_refuses() {
	local want=$1 out
	shift
	out=$(sctl lb top "$@" 2>&1)
	[ $? = 1 ] && grep -qF -- "$want" <<<"$out"
}
check "top --interval 0 refused, naming it" top_refuses "--interval '0'" --interval 0
check "top --interval 1.5 refused" top_refuses "--interval '1.5'" --interval 1.5
check "top --count -3 refused" top_refuses "--count '-3'" --count -3
check "top --count with no value refused" top_refuses "--count needs a value" --count
check "top --bogus refused" top_refuses "unknown option '--bogus'" --bogus 1
echo "# $SECONDS s"
tap_done
