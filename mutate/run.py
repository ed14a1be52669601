#!/usr/bin/env python3
"""Mutation check (`make mutate`): applies deliberate breakages to a copy of the sources, one at
a time, and runs the tests that should catch each. A breakage no test catches is a survivor: a
feature the suite would let break. Prints one line per mutation and the score.

The copy lives in .build-mutate/src (git-ignored) with its own build folder, so the working tree
is never touched; a first run builds it once (a few minutes), then each mutation rebuilds only
what its file affects.

    python3 mutate/run.py            # every mutation
    python3 mutate/run.py 3 7        # only these (1-based)
    python3 mutate/run.py --list     # the list
"""
import os
import shutil
import signal
import subprocess
import sys
import time

from mutations import MUTATIONS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, ".build-mutate", "src")


def sync_copy():
    """The tracked and untracked (not ignored) files of the repository, copied into WORK."""
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           check=True, capture_output=True, text=True).stdout.split("\n")
    wanted = set()
    for f in filter(None, files):
        src, dst = os.path.join(ROOT, f), os.path.join(WORK, f)
        if not os.path.isfile(src):
            continue
        wanted.add(f)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if not os.path.exists(dst) or open(src, "rb").read() != open(dst, "rb").read():
            shutil.copy2(src, dst)
    # Files moved or deleted since the last run go from the copy too: a stale source would be
    # compiled with the rest (its build folder, .build, is left alone).
    for top in ("Sources", "Tests"):
        for dirpath, _, names in os.walk(os.path.join(WORK, top)):
            for name in names:
                rel = os.path.relpath(os.path.join(dirpath, name), WORK)
                if rel not in wanted:
                    os.remove(os.path.join(WORK, rel))


def build():
    r = subprocess.run(["swift", "build", "--build-tests"], cwd=WORK, capture_output=True, text=True)
    return r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]


def run_tests(pattern):
    r = subprocess.run(["swift", "test", "--skip-build", "--filter", pattern], cwd=WORK, capture_output=True, text=True,
                       timeout=1200)
    failed = [l.strip() for l in (r.stdout + r.stderr).split("\n") if l.startswith("✘ Test ") and " failed " in l]
    return r.returncode != 0, failed


def main(argv):
    # SIGTERM (a stopped make) unwinds like an exception, so the file being mutated is restored.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if "--list" in argv:
        for i, m in enumerate(MUTATIONS, 1):
            print(f"{i:2}. {m['name']}  ({m['file']}; tests: {m['tests']})")
        return 0
    chosen = [int(a) for a in argv if a.isdigit()] or list(range(1, len(MUTATIONS) + 1))
    os.makedirs(WORK, exist_ok=True)
    sync_copy()
    print(f"building the copy in {os.path.relpath(WORK, ROOT)} …", flush=True)
    ok, log = build()
    if not ok:
        print("the unmutated copy does not build:\n" + log)
        return 2
    killed, survived, invalid = [], [], []
    for i in chosen:
        m = MUTATIONS[i - 1]
        path = os.path.join(WORK, m["file"])
        original = open(path, encoding="utf-8").read()
        count = original.count(m["find"])
        if count != 1:
            print(f"{i:2}. INVALID  {m['name']}: the text to change occurs {count} times in {m['file']}")
            invalid.append(i)
            continue
        started = time.time()
        try:
            open(path, "w", encoding="utf-8").write(original.replace(m["find"], m["replace"]))
            ok, log = build()
            if not ok:
                print(f"{i:2}. INVALID  {m['name']}: the mutant does not build\n{log}")
                invalid.append(i)
                continue
            caught, failed = run_tests(m["tests"])
        finally:
            open(path, "w", encoding="utf-8").write(original)
        took = time.time() - started
        if caught:
            killed.append(i)
            print(f"{i:2}. killed   {m['name']}  ({took:.0f} s; {len(failed)} test(s) failed, e.g. {failed[0][7:90] if failed else 'the run'})", flush=True)
        else:
            survived.append(i)
            print(f"{i:2}. SURVIVED {m['name']}  ({took:.0f} s; tests: {m['tests']})", flush=True)
    build()  # leave the copy built unmutated
    valid = len(killed) + len(survived)
    print(f"\nmutation score: {len(killed)}/{valid} killed" + (f", {len(invalid)} invalid" if invalid else "")
          + (f"; survivors: {', '.join(map(str, survived))}" if survived else ""))
    return 1 if survived or invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
