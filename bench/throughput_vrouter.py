#!/usr/bin/env python3
"""Case (h) of bench/throughput.sh: sluice-vrouter's path check and its
per-node figures (see bench/throughput_vrouter.sh).

  throughput_vrouter.py check TMP R_IN R_OUT DELIVERED NODES_OUT
      compares the counters bench/throughput_vrouter.sh saved in TMP before
      and after a repetition (vrs0/1.json: the vRouter's stats file; vrr0/1:
      sluiced's reasons on R's ingress port; vrt0/1: the transit selectors'
      matched, redirected, no_socket), prints "ok: ..." or "invalid: ...",
      and writes the nodes' deltas to NODES_OUT.

Imported by throughput.sh's report: summarize() and table().
"""
import json
import statistics
import sys

# The graph's nodes that process packets; if-output (transmit) is apart.
TX_NODE = "if-output"


def nodes(doc):
    """{node name: {type, calls, packets, ns}} summed over the threads"""
    out = {}
    for t in doc.get("threads", []):
        for n in (t.get("graph") or {}).get("nodes", []):
            o = out.setdefault(n["name"], {"type": n.get("type", n["name"]),
                                           "calls": 0, "packets": 0, "ns": 0})
            for k in ("calls", "packets", "ns"):
                o[k] += n.get(k, 0)
    return out


def port(doc, name, key):
    for p in doc.get("ports", []):
        if p.get("name") == name:
            return p.get(key, 0)
    return 0


def reasons(path):
    with open(path) as f:
        return {ln.split()[0]: int(ln.split()[1]) for ln in f if ln.strip()}


def check(tmp, r_in, r_out, delivered, nodes_out):
    def load(p):
        with open(tmp + "/" + p) as f:
            return json.load(f)
    s0, s1 = load("vrs0.json"), load("vrs1.json")
    r0, r1 = reasons(tmp + "/vrr0"), reasons(tmp + "/vrr1")
    with open(tmp + "/vrt0") as f:
        t0 = [int(x) for x in f.read().split()]
    with open(tmp + "/vrt1") as f:
        t1 = [int(x) for x in f.read().split()]
    rd = {k: v - r0.get(k, 0) for k, v in r1.items()}
    xdp_fwd = rd.get("fwd_redirect", 0) + rd.get("fwd_tx", 0)
    steered = rd.get("fwd_steer_xsk", 0)
    redirected = t1[1] - t0[1]
    no_socket = t1[2] - t0[2]
    vr_rx = port(s1, r_in, "rx_packets") - port(s0, r_in, "rx_packets")
    vr_tx = port(s1, r_out, "tx_packets") - port(s0, r_out, "tx_packets")
    n0, n1 = nodes(s0), nodes(s1)
    nd = {k: {"type": v["type"], **{c: v[c] - n0.get(k, {}).get(c, 0)
                                    for c in ("calls", "packets", "ns")}}
          for k, v in n1.items()}
    tot = {k: s1["totals"].get(k, 0) - s0["totals"].get(k, 0)
           for k in ("forwarded", "punted", "dropped", "port_drops")}
    with open(nodes_out, "w") as f:
        json.dump({"nodes": nd, "totals": tot, "vr_rx": vr_rx, "vr_tx": vr_tx,
                   "redirected": redirected, "no_socket": no_socket,
                   "fwd_steer_xsk": steered, "xdp_forwarded": xdp_fwd}, f)
    if delivered == 0:
        return "invalid: nothing arrived at B"
    if delivered > vr_tx + 100:
        return "invalid: B received %d frames, the vRouter sent only %d on %s" % (
            delivered, vr_tx, r_out)
    if vr_tx > redirected + 100:
        return ("invalid: the vRouter sent %d frames, the transit selector "
                "redirected only %d to it" % (vr_tx, redirected))
    if xdp_fwd * 100 > delivered:
        return "invalid: sluiced's XDP forwarded %d frames itself (B received %d)" % (
            xdp_fwd, delivered)
    return ("ok: transit selector redirected %d (no_socket %d), vRouter rx %d, "
            "tx %d on %s (punted %d, dropped %d, port drops %d), XDP forwarded %d "
            "itself, B received %d" % (redirected, no_socket, vr_rx, vr_tx, r_out,
                                       tot["punted"], tot["dropped"],
                                       tot["port_drops"], xdp_fwd, delivered))


def per_rep(rep, nd):
    """One repetition's figures: rep is throughput.sh's run record (with
    worker_run_ns, worker_wait_ns), nd the nodes file's content."""
    run, wait = rep["worker_run_ns"], rep["worker_wait_ns"]
    scale = run / (run + wait) if run + wait else 1.0
    rows = {}
    proc = tx = 0
    for name, n in nd["nodes"].items():
        if not n["packets"]:
            continue
        cpu = n["ns"] * scale
        rows[name] = {"packets": n["packets"], "calls": n["calls"],
                      "ns_per_pkt": cpu / n["packets"],
                      "pkts_per_call": n["packets"] / n["calls"] if n["calls"] else None}
        if name == TX_NODE:
            tx += cpu
        else:
            proc += cpu
    d = rep["delivered"]
    return {"nodes": rows,
            "share_nodes": proc / run if run else None,
            "share_if_output": tx / run if run else None,
            "share_rest": 1 - (proc + tx) / run if run else None,
            "worker_cpu": run / 1e9 / rep["seconds"],
            "worker_wait": wait / 1e9 / rep["seconds"],
            "worker_ns_per_pkt": run / d if d else None,
            "napi_ns_per_pkt": rep["napi_ns"] / d if d else None,
            "nodes_ns_per_pkt": (proc + tx) / d if d else None}


def _stat(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs)}


def summarize(tmp, reps_by_flows, idle_sleep, fifo):
    """{flows: summary} from throughput.sh's (h) repetitions"""
    out = {}
    for flows, reps in reps_by_flows.items():
        per = []
        for rep in reps:
            try:
                with open("%s/vrnodes-%d-%d.json" % (tmp, flows, rep["rep"])) as f:
                    per.append(per_rep(rep, json.load(f)))
            except (OSError, ValueError, KeyError):
                continue
        if not per:
            out[str(flows)] = {"unavailable": "no repetition left its counters"}
            continue
        order = list(dict.fromkeys(k for p in per for k in p["nodes"]))
        out[str(flows)] = {
            "nodes": [{"name": k,
                       "ns_per_pkt": _stat([p["nodes"].get(k, {}).get("ns_per_pkt")
                                            for p in per]),
                       "pkts_per_call": _stat([p["nodes"].get(k, {}).get("pkts_per_call")
                                               for p in per])} for k in order],
            **{k: _stat([p[k] for p in per])
               for k in ("share_nodes", "share_if_output", "share_rest", "worker_cpu",
                         "worker_wait", "worker_ns_per_pkt", "napi_ns_per_pkt",
                         "nodes_ns_per_pkt")},
            "repetitions": per}
    return {"worker": "one thread (vr0) pinned to R's CPU, next to R's NAPI thread, "
                      "%s; sleeps %d us after an empty poll" % (
                          "SCHED_FIFO %d" % fifo if fifo else "SCHED_OTHER", idle_sleep),
            "idle_sleep_us": idle_sleep, "sched_fifo": fifo,
            "ns_per_pkt": "node CPU time / packets the node was given (clock_gettime "
                          "around process(), scaled by the worker's run / (run + wait) "
                          "from schedstat)",
            "shares": "of the worker's CPU time: nodes (eth-input..ip-rewrite), "
                      "if-output (includes the AF_XDP transmit: the sendto() kick, in "
                      "which copy mode copies and sends), rest (rx ring, fill ring, "
                      "loop, empty polls)",
            "flows": out}


def table(vr):
    """the (h) table lines for throughput.sh's output"""
    lines = []
    for flows, s in vr["flows"].items():
        head = "sluice-vrouter (h), %s flow%s: " % (flows, "" if flows == "1" else "s")
        if "unavailable" in s:
            lines.append(head + "unavailable: " + s["unavailable"])
            continue

        def m(k, scale=1.0, fmt="%.0f"):
            x = s.get(k)
            return fmt % (x["median"] * scale) if x else "-"
        lines.append(head + "R ns/packet = NAPI %s + worker %s; worker on CPU %s%% "
                     "(waited %s%%); of the worker's CPU: nodes %s%%, if-output (tx) %s%%, "
                     "rest (rx, polls) %s%%" % (
                         m("napi_ns_per_pkt"), m("worker_ns_per_pkt"),
                         m("worker_cpu", 100), m("worker_wait", 100),
                         m("share_nodes", 100), m("share_if_output", 100),
                         m("share_rest", 100)))
        lines.append("  %-14s %12s %10s" % ("node", "ns/packet", "pkts/call"))
        for n in s["nodes"]:
            x, c = n["ns_per_pkt"], n["pkts_per_call"]
            lines.append("  %-14s %12s %10s" % (
                n["name"], "%.1f" % x["median"] if x else "-",
                "%.1f" % c["median"] if c else "-"))
    lines.append("(median over the rounds; %s; %s)" % (vr["ns_per_pkt"], vr["worker"]))
    return lines


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "check":
        print(check(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]),
                    sys.argv[6]))
    else:
        sys.exit("usage: throughput_vrouter.py check TMP R_IN R_OUT DELIVERED NODES_OUT")
