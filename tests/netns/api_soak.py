"""The API soak's clients (t_api_soak.sh): N concurrent clients over TCP
with the token, each in a loop until the end: GET /v1/status (most),
GET /metrics, reads of /v1/vips and /v1/routes, and writes: each client
owns one backend address in one VIP and adds or deletes it, remembering
what sluiced acknowledged.  S slow clients send a status request a byte at
a time (a few seconds each, within sluiced's 10 s deadline).  Prints one
JSON object: latencies by kind, counts, errors, and the acknowledged state
of every client's backend ({vip: {address: present}}).
  api_soak.py ADDR PORT TOKEN SECONDS SRCS N_CLIENTS SLOW_SRC N_SLOW THINK_S
"""
import asyncio, json, random, sys, time

addr, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
dur, srcs = float(sys.argv[4]), sys.argv[5].split(",")
n_clients, slow_src, n_slow = int(sys.argv[6]), sys.argv[7], int(sys.argv[8])
think = float(sys.argv[9])
N_VIPS = 10
vips = ["198.18.200.%d:80/tcp" % (i + 1) for i in range(N_VIPS)]

lat = {"status": [], "metrics": [], "read": [], "write": [], "slow": []}
count = {"ok": 0, "errors": 0, "no_answer": 0}
errors = []
state = {}  # (vip, address) -> True/False acknowledged, None unknown


def err(msg):
    count["errors"] += 1
    if len(errors) < 20:
        errors.append(msg)


async def request(src, method, path, body=None, slow=0.0):
    """(status, body) or (None, why)."""
    hdr = "%s %s HTTP/1.1\r\nHost: sluiced\r\nAuthorization: Bearer %s\r\n" % (
        method, path, token)
    data = b""
    if body is not None:
        data = json.dumps(body).encode()
        hdr += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(data)
    raw = (hdr + "\r\n").encode() + data
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection(
            addr, port, local_addr=(src, 0)), 15)
        if slow:
            for i in range(len(raw)):
                w.write(raw[i:i + 1])
                await w.drain()
                await asyncio.sleep(slow)
        else:
            w.write(raw)
            await w.drain()
        resp = await asyncio.wait_for(r.read(), 30)
        w.close()
    except (OSError, asyncio.TimeoutError) as e:
        return None, "%s %s: %r" % (method, path, e)
    if not resp.startswith(b"HTTP/1.1 "):
        return None, "%s %s: no HTTP answer (%r)" % (method, path, resp[:40])
    head, _, rbody = resp.partition(b"\r\n\r\n")
    return int(resp[9:12]), rbody


async def timed(kind, src, method, path, body=None, slow=0.0):
    t0 = time.monotonic()
    code, rbody = await request(src, method, path, body, slow)
    lat[kind].append((time.monotonic() - t0) * 1000)
    if code is None:
        count["no_answer"] += 1
        err(rbody)
    return code, rbody


async def client(w, end):
    rng = random.Random(w)
    src = srcs[w % len(srcs)]
    vip = vips[w % N_VIPS]
    be = "198.19.%d.%d" % (w // 200, w % 200 + 1)
    state[(vip, be)] = False
    await asyncio.sleep(rng.random() * think)
    while time.monotonic() < end:
        x = rng.random()
        if x < 0.6:
            code, b = await timed("status", src, "GET", "/v1/status")
            if code is not None and code != 200:
                err("status: %s %r" % (code, b[:80]))
        elif x < 0.7:
            code, b = await timed("metrics", src, "GET", "/metrics")
            if code is not None and (code != 200 or b"sluice_" not in b):
                err("metrics: %s" % code)
        elif x < 0.8:
            path = "/v1/vips" if x < 0.75 else "/v1/routes?family=4"
            code, b = await timed("read", src, "GET", path)
            if code is not None and code != 200:
                err("%s: %s %r" % (path, code, b[:80]))
        else:
            present = state[(vip, be)]
            if present is False or present is None and rng.random() < 0.5:
                code, b = await timed("write", src, "POST",
                                      "/v1/vips/%s/backends" % vip,
                                      {"address": be})
                if code == 201 or (code == 409 and present is None):
                    state[(vip, be)] = True
                elif code is None:
                    state[(vip, be)] = None  # sent: done or not, unknown
                else:
                    err("add %s to %s: %s %r" % (be, vip, code, b[:120]))
            else:
                code, b = await timed("write", src, "DELETE",
                                      "/v1/vips/%s/backends/%s" % (vip, be))
                if code == 200 or (code == 404 and present is None):
                    state[(vip, be)] = False
                elif code is None:
                    state[(vip, be)] = None
                else:
                    err("delete %s from %s: %s %r" % (be, vip, code, b[:120]))
            if code is not None and code < 300:
                count["ok"] += 1
        await asyncio.sleep(think * (0.5 + rng.random()))


async def slow_client(i, end):
    await asyncio.sleep(i * 0.2)
    while time.monotonic() < end:
        code, b = await timed("slow", slow_src, "GET", "/v1/status", slow=0.04)
        if code is not None and code != 200:
            err("slow status: %s" % code)


async def main():
    end = time.monotonic() + dur
    await asyncio.gather(*[client(w, end) for w in range(n_clients)],
                         *[slow_client(i, end) for i in range(n_slow)])


def pct(v, p):
    if not v:
        return None
    v = sorted(v)
    return round(v[min(len(v) - 1, int(len(v) * p / 100))], 1)


asyncio.run(main())
out = {"requests": {k: len(v) for k, v in lat.items()},
       "latency_ms": {k: {"p50": pct(v, 50), "p99": pct(v, 99),
                          "max": pct(v, 100)} for k, v in lat.items()},
       "count": count, "errors": errors,
       "acked": {}}
for (vip, be), present in state.items():
    out["acked"].setdefault(vip, {})[be] = present
print(json.dumps(out))
