#!/usr/bin/env python3
"""Every sluicectl command the documentation shows is one sluicectl accepts.

    tests/docs/cli_examples.py SLUICECTL [FILE.md ...]

A reader copies the commands in README.md, docs/*.md and the man pages'
EXAMPLES (docs/man/*.8) as they are, so a renamed option or verb must not
survive in the docs.  Each command line of a fenced block (.nf/.fi in a man
page) (`$ sluicectl ...`, `# sluicectl ...`, or a bare
`sluicectl ...`) is run against an API socket that does not exist:

  - exit 2, "cannot reach sluiced": the arguments were accepted (the CLI
    parses everything before it connects);
  - where the block shows the error the command gives (the next line starts
    with "sluicectl: " and is not the daemon's answer nor "cannot reach"),
    exit 1 and exactly that line on stderr;
  - exit 1 on a file the example names that this machine does not have
    ("No such file or directory") counts as accepted: the parse got there.

Lines with a synopsis's argument names (upper-case words such as ID or
PREFIX, brackets, "|", "...") are synopses, not commands, and are left out.  TAP: one line
per command.
"""
import glob
import os
import re
import shlex
import subprocess
import sys

API = "unix:/nonexistent/sluice-docs-check.sock"
PROMPT = re.compile(r"^\s*(?:\$ |# )?(sluicectl(?:\s.*)?)$")
SHELL_TAIL = re.compile(r"\s(?:\||>|2>|&&|;|#)(?:\s|$)")
SYNOPSIS_ARG = re.compile(r"[A-Z]{2,}|[\[\]|]|\.\.\.")


def commands(path):
    """(line number, command, the error line shown after it or None)"""
    lines = open(path, encoding="utf-8").read().split("\n")
    man = path.endswith(".8")
    if man:  # troff: "\-" is "-", fonts go
        lines = [re.sub(r"\\f[BIRP]", "", l).replace("\\-", "-")
                 for l in lines]
    inblock = False
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if (man and line.startswith((".nf", ".fi", ".EX", ".EE"))) or \
                (not man and line.lstrip().startswith("```")):
            inblock = not inblock
            continue
        if not inblock:
            continue
        m = PROMPT.match(line)
        if not m:
            continue
        ln, cmd = i, m.group(1)
        while cmd.endswith("\\") and i < len(lines):
            cmd = cmd[:-1] + " " + lines[i].strip()
            i += 1
        cmd = SHELL_TAIL.split(cmd)[0].strip()
        shown = None
        if i < len(lines) and lines[i].startswith("sluicectl: "):
            shown = lines[i]
        yield ln, cmd, shown


def main():
    cli = sys.argv[1]
    files = sys.argv[2:] or (["README.md"] + sorted(glob.glob("docs/*.md")) +
                             sorted(glob.glob("docs/man/*.8")))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLUICE_")}
    n = failed = 0
    for path in files:
        for ln, cmd, shown in commands(path):
            try:
                argv = shlex.split(cmd)
            except ValueError:
                argv = None
            if argv is None or any(SYNOPSIS_ARG.search(a) for a in argv[1:]):
                continue
            n += 1
            name = "%s:%d: %s" % (path, ln, cmd)
            try:
                p = subprocess.run([cli, "--api", API] + argv[1:], env=env,
                                   capture_output=True, text=True,
                                   timeout=10, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                print("not ok %d - %s\n# no answer in 10 s" % (n, name))
                failed += 1
                continue
            err = p.stderr.strip()
            client_error = (shown and "(HTTP " not in shown and
                            "cannot reach" not in shown)
            if client_error:
                ok = p.returncode == 1 and err == shown
                why = "expected exit 1 and: %s" % shown
            else:
                ok = (p.returncode == 2 and "cannot reach sluiced" in err) or \
                    p.returncode == 0 or \
                    (p.returncode == 1 and "No such file or directory" in err)
                why = "refused"
            if ok:
                print("ok %d - %s" % (n, name))
            else:
                failed += 1
                print("not ok %d - %s\n# %s; got exit %d: %s" %
                      (n, name, why, p.returncode, err))
    if n == 0:
        print("not ok 1 - no sluicectl command found in the docs")
        failed = n = 1
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
