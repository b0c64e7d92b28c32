#!/usr/bin/env bash
# examples/l7proxy.c (sluice-l7proxy) with curl, the proxy -> application
# hop through the L7 local hop (docs/l7.md).  In a namespace of its own
# (198.18.7.1 on its lo) and a child cgroup this test creates and removes:
# two applications (python3 http.server on 9001 and 9002, each serving a
# file of its own), the proxy on 8080 routing by Host, and tests/tools/
# l7_ctl selecting 9001 and 9002 on that cgroup.
#   - curl gets each application's file, byte-exact (sha256), by Host;
#   - the counters say the application -> proxy bytes were redirected;
#   - an unknown host is 404, a broken request line 400, from the proxy.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/l7_lib.sh"

BUILD_DIR=$(dirname "$SLUICED")
PROXY="$BUILD_DIR/sluice-l7proxy"
CTL="$BUILD_DIR/tests/tools/l7_ctl"
[ -x "$PROXY" ] && [ -x "$CTL" ] || die "no $PROXY or $CTL (make all)"
A4=198.18.7.1
l7_setup l7p $A4
l7_ctl_start "$CTL" 9001 9002

for app in a b; do
	mkdir -p "$T_TMP/www-$app"
	head -c $((3 * 1024 * 1024 + 17)) /dev/urandom >"$T_TMP/www-$app/file"
done
incg python3 -m http.server 9001 --bind "$A4" --directory "$T_TMP/www-a" >"$T_TMP/app-a.log" 2>&1 &
T_PIDS+=("$!")
incg python3 -m http.server 9002 --bind "$A4" --directory "$T_TMP/www-b" >"$T_TMP/app-b.log" 2>&1 &
T_PIDS+=("$!")
incg "$PROXY" --listen "$A4:8080" --route "a.test=$A4:9001" --route "b.test=$A4:9002" \
	--route "down.test=$A4:9009" >"$T_TMP/proxy.log" 2>&1 &
T_PIDS+=("$!")
wait_until 10 in_ns "$NS" bash -c "exec 3<>/dev/tcp/$A4/9001 && exec 3<>/dev/tcp/$A4/9002 && exec 3<>/dev/tcp/$A4/8080" ||
	die "applications or proxy not up: $(cat "$T_TMP"/app-*.log "$T_TMP/proxy.log")"

b=$(counters)
for app in a b; do
	want=$(sha256sum <"$T_TMP/www-$app/file" | cut -d' ' -f1)
	got=$(in_ns "$NS" curl -s --max-time 20 -H "Host: $app.test" "http://$A4:8080/file" | sha256sum | cut -d' ' -f1)
	check "curl via the proxy, Host $app.test: the application's file, byte-exact" test "$got" = "$want"
done
a=$(counters)
if [ -z "$a" ] || [ -z "$b" ]; then
	tap_fail "the proxy -> application hop was redirected" "no counters from l7_ctl"
else
	red=$(($(field redirect_bytes "$a") - $(field redirect_bytes "$b")))
	socks=$(($(field socks "$a") - $(field socks "$b")))
	if [ "$red" -ge $((2 * (3 * 1024 * 1024 + 17))) ] && [ "$socks" -ge 4 ]; then
		tap_ok "the proxy -> application hop was redirected ($red bytes, $socks sockets)"
	else
		tap_fail "the proxy -> application hop was redirected" "$b -> $a"
	fi
fi

code=$(in_ns "$NS" curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H "Host: nobody.test" "http://$A4:8080/file")
check "an unknown host: 404 from the proxy" test "$code" = 404
out=$(in_ns "$NS" bash -c "exec 3<>/dev/tcp/$A4/8080; printf 'get /x\r\nHost: a.test\r\n\r\n' >&3; head -1 <&3")
check "a broken request line: 400 from the proxy" test "${out%$'\r'}" = "HTTP/1.1 400 Bad Request"
# an application that is down (nothing on 9009): an answer, not a bare close
code=$(in_ns "$NS" curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H "Host: down.test" "http://$A4:8080/file")
check "an application that is down: 502 from the proxy" test "$code" = 502
code=$(in_ns "$NS" curl -s --max-time 20 -o /dev/null -w '%{http_code}' -H "Host: a.test" "http://$A4:8080/file")
check "and the proxy still serves a.test ($code)" test "$code" = 200
out=$("$PROXY" --listen "$A4" --route "a.test=$A4:9001" 2>&1)
check "--listen without a port: named" grep -q "^sluice-l7proxy: --listen '$A4' is not ADDR:PORT" <<<"$out"
out=$("$PROXY" --bogus 1 2>&1)
check "an unknown option: named" grep -q "^sluice-l7proxy: unknown option '--bogus'" <<<"$out"

tap_done
