#!/usr/bin/env python3
"""Every request to sluiced's API the documentation shows is one it serves.

    tests/docs/api_examples.py [FILE.md ...]

A reader copies the curl commands in README.md and docs/*.md as they are,
so a renamed resource or query parameter must not survive in the docs.
Each curl command of a fenced block whose URL's path is the API's (/v1/...,
/metrics, /healthz) is checked against docs/openapi.yaml, which the unit
tier checks against sluiced's own route table (tests/openapi/run.sh):

  - its method (-X, or POST with a body) and path are an operation there;
  - every query parameter is one that operation declares, and a value of
    an integer parameter is within the declared range;
  - a JSON body (-d '{...}') parses.

Planted mistakes (PLANTED below) must each be found first, so a check
that has gone blind fails too.  TAP: one line per planted mistake and
per request.
"""
import glob
import json
import re
import shlex
import sys
import urllib.parse

import yaml

URL = re.compile(r"^https?://[^/]+(/.*)?$")
API_PATH = re.compile(r"^/(v1/|metrics$|healthz$)")


def requests(path):
    """(line number, command) of the curl lines in fenced blocks"""
    lines = open(path, encoding="utf-8").read().split("\n")
    inblock = False
    for i, line in enumerate(lines, 1):
        if line.lstrip().startswith("```"):
            inblock = not inblock
            continue
        if inblock and re.match(r"^\s*(?:\$ )?curl\s", line):
            yield i, line.strip().lstrip("$ ")


def operations(doc):
    """[(method, compiled path template, parameters by name)]"""
    comps = doc.get("components", {}).get("parameters", {})
    ops = []
    for tmpl, item in doc["paths"].items():
        rx = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+",
                                     re.escape(tmpl)) + "$")
        common = item.get("parameters", [])
        for method, op in item.items():
            if method == "parameters":
                continue
            params = {}
            for p in common + op.get("parameters", []):
                if "$ref" in p:
                    p = comps[p["$ref"].split("/")[-1]]
                params[p["name"]] = p
            ops.append((method.upper(), rx, params))
    return ops


def check(argv, ops):
    """None, or what is wrong with this curl command"""
    method, url, body = None, None, None
    i = 1
    while i < len(argv):
        a = argv[i]
        if a in ("-X", "--request"):
            method = argv[i + 1]
            i += 1
        elif a in ("-d", "--data", "--data-binary", "--data-raw", "--json"):
            body = argv[i + 1]
            i += 1
        elif a in ("-H", "--header", "--unix-socket", "--cacert", "-o",
                   "-w", "-u", "--connect-timeout", "-m", "--max-time"):
            i += 1
        elif URL.match(a):
            url = a
        i += 1
    if url is None:
        return "no URL"
    u = urllib.parse.urlsplit(url)
    method = method or ("POST" if body is not None else "GET")
    for m, rx, params in ops:
        if m == method and rx.match(u.path):
            break
    else:
        return "%s %s: no such operation in docs/openapi.yaml" % (method,
                                                                  u.path)
    for k, v in urllib.parse.parse_qsl(u.query, keep_blank_values=True):
        p = params.get(k)
        if not p or p.get("in") != "query":
            return "%s: %s declares no query parameter '%s' (it has: %s)" % (
                u.path, method, k,
                ", ".join(n for n, q in params.items()
                          if q.get("in") == "query") or "none")
        s = p.get("schema", {})
        if s.get("type") == "integer":
            if not re.fullmatch(r"\d+", v) or \
                    not s.get("minimum", 0) <= int(v) <= s.get("maximum",
                                                                 1 << 64):
                return "%s=%s: not an integer %s..%s" % (
                    k, v, s.get("minimum"), s.get("maximum"))
        if "enum" in s and v not in [str(e) for e in s["enum"]]:
            return "%s=%s: not one of %s" % (k, v, s["enum"])
    if body is not None and body.lstrip()[:1] in ("{", "["):
        try:
            json.loads(body)
        except ValueError as e:
            return "the body is not JSON: %s" % e
    return None


PLANTED = [
    "curl --unix-socket S 'http://x/v1/route?limit=2'",
    "curl --unix-socket S 'http://x/v1/routes?limt=2'",
    "curl --unix-socket S 'http://x/v1/routes?limit=0'",
    "curl --unix-socket S 'http://x/v1/routes?family=5'",
    "curl --unix-socket S -X DELETE http://x/v1/routes",
    "curl --unix-socket S -d '{\"vip\": ' http://x/v1/vips",
]


def main():
    files = sys.argv[1:] or ["README.md"] + sorted(glob.glob("docs/*.md"))
    ops = operations(yaml.safe_load(open("docs/openapi.yaml")))
    n = failed = 0
    for cmd in PLANTED:
        n += 1
        why = check(shlex.split(cmd), ops)
        if why:
            print("ok %d - planted mistake found: %s (%s)" % (n, cmd, why))
        else:
            failed += 1
            print("not ok %d - planted mistake passed: %s" % (n, cmd))
    for path in files:
        for ln, cmd in requests(path):
            try:
                argv = shlex.split(cmd, comments=True)
            except ValueError:
                continue
            urls = [a for a in argv if URL.match(a)]
            if not urls or not API_PATH.match(
                    urllib.parse.urlsplit(urls[0]).path or "/"):
                continue  # not sluiced's API (a backend, a proxy)
            n += 1
            why = check(argv, ops)
            name = "%s:%d: %s" % (path, ln, cmd)
            if why:
                failed += 1
                print("not ok %d - %s\n# %s" % (n, name, why))
            else:
                print("ok %d - %s" % (n, name))
    if n == len(PLANTED):
        n += 1
        failed += 1
        print("not ok %d - no API request found in the docs" % n)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
