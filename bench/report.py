#!/usr/bin/env python3
"""Merges the parts of `make bench` into results.json and one markdown table.

  bench/report.py --out BUILD/bench [--smoke 0|1] [--elapsed S]

Reads OUT/pktcost.json (sluice-bench), OUT/control.jsonl (bench/run.sh)
and OUT/throughput.json (bench/throughput.sh, if it ran).  Writes
OUT/results.json, the gnuplot data OUT/pktcost.dat (and throughput.dat),
and prints the table on stdout.  Per-packet costs are also given as a
ratio to XDP_PASS (batch) of the same run; throughput as the ratios
(c)/(a) and (d)/(b) and as fractions of the ceiling (e), all of which
bench/throughput.sh computed in the same run.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import time

FLOWS = [1, 1024, 65536]
PATH_ORDER = ["xdp_pass", "xdp_macswap_tx", "route_v4", "route_v6",
              "nonvip_v4", "lb_syn_v4", "lb_est_v4"]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git(*args):
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True,
                              cwd=os.path.dirname(os.path.abspath(__file__)),
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def with_stats(fig):
    """Adds median/min/max/repetitions to a figure that has values."""
    vals = fig.get("values")
    if fig.get("status") in ("INVALID", "invalid", "unavailable"):
        fig["status"] = "INVALID" if fig["status"].lower() == "invalid" else "unavailable"
        return fig
    if not vals:
        fig.update(status="INVALID", reason="no value")
        return fig
    fig.setdefault("median", statistics.median(vals))
    fig.setdefault("min", min(vals))
    fig.setdefault("max", max(vals))
    fig.setdefault("repetitions", len(vals))
    fig.setdefault("status", "ok")
    return fig


def fmt_num(v, unit):
    if unit == "bytes":
        return "%.1f MiB" % (v / 1048576.0)
    if unit == "routes/s" or unit == "req/s":
        return "{:,.0f}".format(v)
    if unit in ("ns/packet", "ns/call"):
        return "%.1f" % v
    if unit == "ratio":
        return "%.2f" % v
    if unit == "us":
        return "%.0f" % v
    if abs(v) >= 100:
        return "%.0f" % v
    return "%.3g" % v


def disp_unit(unit):
    return "MiB" if unit == "bytes" else unit


def cell(fig):
    st = fig.get("status", "ok")
    if st == "INVALID":
        return "INVALID: " + fig.get("reason", ""), ""
    if st == "unavailable":
        return "unavailable: " + fig.get("reason", ""), ""
    u = fig.get("unit", "")
    return (fmt_num(fig["median"], u),
            "%s – %s" % (fmt_num(fig["min"], u), fmt_num(fig["max"], u)))


def flows_name(n):
    return {None: "", 1: "1", 1024: "1k", 65536: "64k"}.get(n, str(n))


def xpass(fig):
    if "ratio_to_xdp_pass" in fig:
        return "%.2f× xdp_pass" % fig["ratio_to_xdp_pass"]
    return ""


def fib_rows(figs, add):
    """Route lookup (sluice-bench --only fib): route_v4 with 1 route and
    1M routes, LPM trie vs compiled table at each size."""
    mine = [f for f in figs if f["group"] in ("fibcost", "fiblookup", "fwcost")]
    for f in mine:
        fl = flows_name(f.get("flows"))
        label = f.get("label", f["name"])
        if f["group"] == "fwcost" and f["unit"] == "ratio":
            add("fib", label + " (the firewall: about 1)", fl, f)
        elif f["group"] == "fwcost":
            add("fib", "%s: %s" % (f["name"], label), fl, f, xpass(f))
        elif f["group"] == "fibcost" and f["unit"] == "ratio":
            add("fib", label + " (goal ≤ 1.5)", fl, f)
        elif f["group"] == "fibcost":
            add("fib", "%s: %s" % (f["name"], label), fl, f, xpass(f))
        elif f["unit"] == "ratio":
            add("fib", label + (" (goal ≥ 3 at 100k, IPv6)"
                                if "_v6_" in f["name"] else ""), fl, f)
        else:
            add("fib", "%s: %s" % (f["name"], label), fl, f, xpass(f))


def stateful_ratios(figs):
    """Conntrack and NAT (sluice-bench --only stateful): ratios to its own
    XDP_PASS floor and to route_v4 with as many flows, both measured in
    the same part."""
    mine = [f for f in figs if f["group"] == "stateful"]

    def get(name, flows):
        for f in mine:
            if f["name"] == name and f.get("flows") == flows and \
                    f.get("status") == "ok":
                return f
        return None

    floor = get("xdp_pass", 1)
    for f in mine:
        if f.get("status") != "ok" or f["unit"] != "ns/packet" or \
                f["name"] == "xdp_pass":
            continue
        if floor:
            f["ratio_to_xdp_pass"] = f["median"] / floor["median"]
        route = get("route_v4", f.get("flows"))
        if route and f["name"] != "route_v4":
            f["ratio_to_route_v4"] = f["median"] / route["median"]


def stateful_rows(figs, add):
    """The stateful part's rows: ns/packet with its ratios, then the
    million entries' memory and ageing."""
    for f in figs:
        if f["group"] != "stateful":
            continue
        ratio = []
        if "ratio_to_xdp_pass" in f:
            ratio.append("%.2f× xdp_pass" % f["ratio_to_xdp_pass"])
        if "ratio_to_route_v4" in f:
            ratio.append("%.2f× route_v4" % f["ratio_to_route_v4"])
        if f["unit"] == "ns/packet":
            label = "%s: %s" % (f["name"], f.get("label", ""))
            fl = flows_name(f.get("flows"))
        else:
            label = f.get("label", f["name"])
            fl = ""
        add("stateful", label, fl, f, ", ".join(ratio))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--smoke", default="0")
    ap.add_argument("--elapsed", default="0")
    a = ap.parse_args()

    figs = []
    pk = load_json(os.path.join(a.out, "pktcost.json"))
    missing = []
    if pk:
        figs += [with_stats(f) for f in pk.get("figures", [])]
    else:
        missing.append("sluice-bench wrote no pktcost.json")
    try:
        with open(os.path.join(a.out, "control.jsonl")) as f:
            figs += [with_stats(json.loads(l)) for l in f if l.strip()]
    except OSError:
        missing.append("no control.jsonl")
    tp = load_json(os.path.join(a.out, "throughput.json"))
    pio = load_json(os.path.join(a.out, "pktio.json"))

    def find(group, name, flows=None):
        for f in figs:
            if f["group"] == group and f["name"] == name and \
                    f.get("flows") == flows:
                return f
        return None

    floor = find("pktcost_batch", "xdp_pass", 1)
    floor_ns = floor["median"] if floor and floor.get("status") == "ok" else None
    for f in figs:
        if f["group"].startswith("pktcost") and f.get("status") == "ok" \
                and floor_ns and f["unit"] == "ns/packet":
            f["ratio_to_xdp_pass"] = f["median"] / floor_ns
    # the route-lookup figures have their own floor, measured in their part
    fc_floor = find("fibcost", "xdp_pass", 1)
    fc_floor_ns = fc_floor["median"] if fc_floor and \
        fc_floor.get("status") == "ok" else None
    for f in figs:
        if f["group"] in ("fibcost", "fiblookup", "fwcost") and f.get("status") == "ok" \
                and fc_floor_ns and f["unit"] == "ns/packet" and \
                f["name"] != "xdp_pass":
            f["ratio_to_xdp_pass"] = f["median"] / fc_floor_ns
    stateful_ratios(figs)

    meta = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpu_model": cpu_model(),
        "cpus": os.cpu_count(),
        "kernel": platform.release(),
        "commit": git("rev-parse", "HEAD"),
        "commit_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "smoke": a.smoke == "1",
        "elapsed_s": int(a.elapsed),
    }
    results = {"meta": meta, "figures": figs, "throughput": tp,
               "pktio": pio, "missing": missing}
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")

    # ---- gnuplot data: ns/packet per path, batch and 1/1k/64k flows ----
    with open(os.path.join(a.out, "pktcost.dat"), "w") as f:
        f.write('path "1 flow, batch" "1 flow" "1k flows" "64k flows"\n')
        for p in PATH_ORDER:
            row = [p]
            for g, n in [("pktcost_batch", 1)] + [("pktcost", n) for n in FLOWS]:
                x = find(g, p, n)
                row.append("%.2f" % x["median"] if x and x.get("status") == "ok" else "-")
            f.write(" ".join(row) + "\n")

    # ---- the table ----
    rows = []
    head = ("group", "figure", "flows", "median", "min – max", "unit",
            "vs baseline")

    def add(group, label, flows, fig, ratio=""):
        med, rng = cell(fig)
        rows.append((group, label, flows, med, rng,
                     disp_unit(fig.get("unit", "")) if fig.get("status") == "ok" else "",
                     ratio))

    for p in PATH_ORDER:
        b = find("pktcost_batch", p, 1)
        if b:
            add("pktcost", "%s: %s (batch, warm)" % (p, b.get("label", "")), "1", b,
                "%.2f× xdp_pass" % b["ratio_to_xdp_pass"] if "ratio_to_xdp_pass" in b else "")
        for n in FLOWS:
            x = find("pktcost", p, n)
            if not x:
                continue
            label = x.get("label", "") if not b and n == 1 else ""
            add("pktcost", "%s%s" % (p, ": " + label if label else ""),
                {1: "1", 1024: "1k", 65536: "64k"}[n], x,
                "%.2f× xdp_pass" % x["ratio_to_xdp_pass"] if "ratio_to_xdp_pass" in x else "")
    o = find("pktcost", "testrun_call_overhead")
    if o:
        add("pktcost", "test_run overhead per call (subtracted above)", "", o)
    fib_rows(figs, add)
    stateful_rows(figs, add)
    for f in figs:
        if f["group"] != "control":
            continue
        add("control", f.get("label", f["name"]), "", f)
    if tp is None:
        rows.append(("throughput", "veth A → R → B", "", "unavailable: " +
                     ("bench/throughput.sh did not write its JSON"
                      if os.path.exists(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "throughput.sh"))
                      else "bench/throughput.sh is not there"), "", "", ""))
    else:
        head_r = tp.get("headline", {})
        ceil = tp.get("ceiling_fraction", {})
        base = {"c": ("c/a", "(a) kernel"), "d": ("d/b", "(b) nftables"),
                "g": ("g/f", "(f) nftables masquerade"), "h": ("h/a", "(a) kernel")}
        dat = []
        for r in tp.get("results", []):
            n = r.get("flows")
            label = "(%s) %s" % (r.get("case", "?"), r.get("name", ""))
            if not r.get("available"):
                rows.append(("throughput", label, str(n),
                             "unavailable: " + str(r.get("reason", "")), "", "", ""))
                continue
            m = r.get("mpps", {})
            fig = {"status": "ok", "unit": "Mpps", "median": m.get("median", 0),
                   "min": m.get("min", 0), "max": m.get("max", 0)}
            ratio = "baseline"
            if r.get("case") in base:
                k, what = base[r["case"]]
                h = head_r.get(k, {}).get(str(n), {})
                if "mpps_ratio" in h:
                    ratio = "%.2f× %s" % (h["mpps_ratio"], what)
                    if "per_core_ratio" in h:
                        ratio += " (per core %.2f×)" % h["per_core_ratio"]
                else:
                    ratio = h.get("unavailable", "")
            if r.get("case") == "e":
                ratio = "the ceiling (denominator of the fractions)"
            cf = ceil.get(r.get("case"), {}).get(str(n), {})
            if "fraction" in cf:
                f = cf["fraction"]
                ratio = "%s%.2f [%.2f – %.2f] of ceiling (e)" % (
                    "" if ratio == "baseline" else ratio + "; ",
                    f["median"], f["min"], f["max"])
                if cf.get("per_core"):
                    ratio += " (per core %.2f)" % cf["per_core"]["median"]
            add("throughput", label, str(n), fig, ratio)
            dat.append((label, n, m.get("median", 0)))
        if dat:
            with open(os.path.join(a.out, "throughput.dat"), "w") as f:
                fl = sorted({d[1] for d in dat})
                f.write('case %s\n' % " ".join('"%d flow%s"' % (n, "" if n == 1 else "s") for n in fl))
                for lab in dict.fromkeys(d[0] for d in dat):
                    vals = []
                    for n in fl:
                        v = [d[2] for d in dat if d[0] == lab and d[1] == n]
                        vals.append("%.4f" % v[0] if v else "-")
                    f.write('"%s" %s\n' % (lab.replace('"', "'"), " ".join(vals)))

    print("sluice benchmarks, %s UTC — %s (%s CPUs), Linux %s, commit %s%s%s" % (
        meta["date"].replace("T", " ").rstrip("Z"), meta["cpu_model"], meta["cpus"],
        meta["kernel"], meta["commit"][:12] or "unknown",
        " (dirty)" if meta["commit_dirty"] else "",
        " — SMOKE RUN (tiny counts; not figures)" if meta["smoke"] else ""))
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for r in rows:
        print("| " + " | ".join(str(c).replace("|", "/") for c in r) + " |")
    print()
    print("pktcost: BPF_PROG_TEST_RUN ns/packet, median of %s; batch = repeat 254 "
          "per call, one flow, warm; other rows = repeat 1 per call, the flow "
          "changing every call, test_run's per-call overhead subtracted "
          "(see docs/performance.md)." % (
              "%d repetitions" % floor["repetitions"] if floor and "repetitions" in floor
              else "the repetitions"))
    if tp and tp.get("ceiling_fraction"):
        print()
        print("throughput: fraction of ceiling = median over rounds of (Mpps / the "
              "ceiling's Mpps in the same round) [min – max]; per core = the ceiling's "
              "R ns/packet / the case's (see docs/performance.md).")
    for n in (tp or {}).get("notes", []):
        print("throughput note: " + n)
    for n, v in ((tp or {}).get("vrouter") or {}).get("flows", {}).items():
        if "unavailable" in v:
            continue
        med = lambda k: v[k]["median"] * 100 if v.get(k) else float("nan")
        print("throughput (h) sluice-vrouter, %s flow%s: of the worker's CPU, nodes "
              "%.0f%%, if-output (AF_XDP tx) %.0f%%, rest (rx, polls) %.0f%%; ns/packet: %s"
              % (n, "" if n == "1" else "s", med("share_nodes"), med("share_if_output"),
                 med("share_rest"), ", ".join(
                     "%s %.1f" % (x["name"], x["ns_per_pkt"]["median"])
                     for x in v["nodes"] if x.get("ns_per_pkt"))))
    md = os.path.join(a.out, "pktio.md")
    if os.path.exists(md):
        print()
        print("libpktio over veth (bench/pktio.sh): Mpps delivered (l2fwd), received "
              "(rxdrop) or answered (echo), median of the rounds; ratio = sluice / "
              "DPDK on the same backend, or / the socket echo server, same run.")
        print()
        with open(md) as f:
            print(f.read().rstrip())
    md = os.path.join(a.out, "l7.md")
    if os.path.exists(md):
        print()
        print("The L7 local hop (bench/l7.sh): one connection proxy -> application "
              "on one host, sockmap redirect against plain loopback TCP, same run; "
              "CPU s/GB counts both processes.")
        print()
        with open(md) as f:
            print(f.read().rstrip())
    for m in missing:
        print("missing: " + m)


if __name__ == "__main__":
    main()
