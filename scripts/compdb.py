#!/usr/bin/env python3
"""Writes compile_commands.json for the user-space C, from make's own flags.

    scripts/compdb.py [--cppcheck] [BUILD_DIR] > compile_commands.json

Runs `make -n -B BUILD=BUILD_DIR all` (prints every command, runs none, so
it takes a second where `bear -- make` would rebuild everything) and keeps
each gcc command that compiles one checked-in .c file.  The BPF objects
(clang -target bpf) and the C that make generates into the build directory
(the docs' examples) are left out: clang-tidy and cppcheck check what we
write, as the compiler that builds it sees it.  A file compiled twice (the
static and the -fPIC libpktio) is listed once.

--cppcheck drops the -I of directories outside the tree (what pkg-config
adds: cppcheck checks our code, not the system's headers; tests/static.sh
gives it the few macros it must know) and of the build directory (the
skeletons carry their BPF object as one huge string, on which cppcheck
spends minutes per file).
"""
import json
import os
import shlex
import subprocess
import sys


def analyser_args(argv, root, build, cppcheck):
    """The compile command minus what only the build needs: the object and
    dependency files (an analyser must not write them) and -Werror (clang's
    own warnings are reported by clang-tidy, which decides what fails)."""
    args = []
    skip = False
    for a in argv:
        if skip:
            skip = False
        elif a == "-o":
            skip = True
        elif cppcheck and a.startswith("-I") and \
                (a.startswith("-I" + build) or
                 (a.startswith("-I/") and not a[2:].startswith(root + "/"))):
            continue
        elif a.startswith("-I" + build) or \
                (a.startswith("-I/") and not a[2:].startswith(root + "/")):
            # pkg-config's directories (json-c...) and the generated
            # skeletons are not our code: as system headers, clang-tidy
            # reports nothing in them
            args += ["-isystem", a[2:]]
        elif a not in ("-MMD", "-MP", "-Werror"):
            args.append(a)
    return args


def main():
    argv = sys.argv[1:]
    cppcheck = "--cppcheck" in argv
    argv = [a for a in argv if a != "--cppcheck"]
    build = argv[0] if argv else "build"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(["make", "-n", "-B", "--no-print-directory",
                          "BUILD=" + build, "all"], cwd=root, check=True,
                         capture_output=True, text=True).stdout
    seen = {}
    for line in out.splitlines():
        try:
            argv = shlex.split(line)
        except ValueError:
            continue
        if not argv or "-c" not in argv or "bpf" in argv or \
                os.path.basename(argv[0]) not in ("gcc", "cc"):
            continue
        src = argv[argv.index("-c") + 1]
        if not src.endswith(".c") or src.startswith(build + "/") or \
                src.startswith("build/") or src in seen:
            continue
        seen[src] = {"directory": root, "file": src,
                     "arguments": analyser_args(argv, root, build,
                                                cppcheck)}
    if not seen:
        sys.exit("compdb: make -n printed no compile command")
    json.dump(list(seen.values()), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
