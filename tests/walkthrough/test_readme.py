#!/usr/bin/env python3
"""README's walkthrough, command by command, against a real daemon: README cannot drift from the CLI.

    BIN=.build/debug python3 tests/walkthrough/test_readme.py

Starts deploy/run-sample.sh (the daemon on the sample bloc, CURVE on, a worker) in a temporary
state directory with ipc:// sockets and an ephemeral HTTP port, and waits for its "kiemdiemd is
running" line. Then it runs every command of README's shell blocks under "A five-minute
walkthrough" and "Review rules", in order, as written: `kd` is kiemdiemctl (the alias README
makes), `~` is a temporary home, so the copied ctl.yaml is what every command finds. A command
must exit 0, or 1 when its comment says "refused"; `kd watch` runs in the background, as README
says, and must have printed the events that followed. Prints one line per command.
"""
import os
import queue
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BIN = os.path.realpath(os.environ.get("BIN", os.path.join(ROOT, ".build", "debug")))
SECTIONS = ["## A five-minute walkthrough", "## Review rules"]


def readme_commands():
    """(line number, command text, comment) of each command line in the sections' sh blocks."""
    lines = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read().split("\n")
    out, section, in_block, pending = [], None, False, None
    for n, line in enumerate(lines, 1):
        if line.startswith("## "):
            section = line if line in SECTIONS else None
        if section is None:
            continue
        if line.startswith("```"):
            in_block = line.strip() == "```sh" and not in_block
            continue
        if not in_block or not line.strip():
            continue
        if line.startswith(" ") and pending is None:
            continue  # a comment continued on its own line
        code, comment = split_comment(line)
        if pending is not None:
            code = pending[1] + " " + code.strip()
            n = pending[0]
            pending = None
        if code.rstrip().endswith("\\"):
            pending = (n, code.rstrip()[:-1].rstrip())
            continue
        if code.strip():
            out.append((n, code.strip(), comment))
    assert out, "README has no walkthrough commands"
    return out


def split_comment(line):
    """The command and its trailing `# comment`, a # inside quotes kept."""
    quote = None
    for i, c in enumerate(line):
        if c in "\"'" and quote is None:
            quote = c
        elif c == quote:
            quote = None
        elif c == "#" and quote is None and (i == 0 or line[i - 1] in " \t"):
            return line[:i], line[i + 1:].strip()
    return line, ""


def main():
    work = tempfile.mkdtemp(prefix="kd-readme-")
    home = os.path.join(work, "home")
    state = os.path.join(work, "state")
    os.makedirs(home)
    # Commands run in the work directory, as a user's would in a clone: the repository's config/
    # is there, and what they write (a report file) stays out of the repository.
    os.symlink(os.path.join(ROOT, "config"), os.path.join(work, "config"))
    env = dict(os.environ, HOME=home, STATE=state, BIN=BIN, NO_COLOR="1",
               CONTROL=f"ipc://{work}/control.sock", EVENTS="tcp://127.0.0.1:*",
               JOBS=f"ipc://{work}/jobs.sock", HTTP="127.0.0.1:0")
    for k in ["XDG_CONFIG_HOME", "KIEMDIEM_ENDPOINT", "KIEMDIEM_KEY", "KIEMDIEM_SERVER_KEY", "KIEMDIEM_CONFIG", "KIEMDIEM_TIMEOUT"]:
        env.pop(k, None)
    daemon = subprocess.Popen(["bash", os.path.join(ROOT, "deploy/run-sample.sh")], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=open(os.path.join(work, "run.err"), "w"), text=True,
                              start_new_session=True)
    failures, watch = [], None
    try:
        # The readiness signal: run-sample.sh's closing text, read by a thread so that a script
        # that hangs fails the test after 180 s instead of holding it.
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l) for l in daemon.stdout] + [lines.put("")], daemon=True).start()
        while True:
            try:
                line = lines.get(timeout=180)
            except queue.Empty:
                raise SystemExit("run-sample.sh did not start in 180 s:\n" + open(os.path.join(work, "run.err")).read()[-3000:])
            if line == "":
                raise SystemExit("run-sample.sh ended before it was running:\n" + open(os.path.join(work, "run.err")).read()[-3000:])
            if "kiemdiemd is running" in line:
                break
        ctl = os.path.join(BIN, "kiemdiemctl")
        for n, cmd, comment in readme_commands():
            if cmd.startswith("alias kd="):
                continue  # the alias is what the test does below
            cmd_here = cmd.replace("~", home).replace(" state/", f" {state}/")
            words = shlex.split(cmd_here)
            redirect = None
            if ">" in words:
                i = words.index(">")
                redirect, words = os.path.join(work, words[i + 1]), words[:i]
            if words[0] == "kd":
                words = [ctl] + words[1:]
            if words[1:2] == ["watch"]:
                watch = subprocess.Popen(words, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                watched = []
                threading.Thread(target=lambda: [watched.append(l) for l in watch.stdout], daemon=True).start()
                print(f"README.md:{n}: {cmd}: started in the background")
                continue
            if words[0] == "mkdir" or "&&" in words:
                r = subprocess.run(cmd_here, shell=True, cwd=work, env=env, capture_output=True, text=True, timeout=60)
            else:
                r = subprocess.run(words, cwd=work, env=env, capture_output=True, text=True, timeout=300)
                if redirect:
                    open(redirect, "w").write(r.stdout)
            expected = 1 if "refused" in comment.split(":")[0] else 0
            ok = r.returncode == expected
            print(f"README.md:{n}: {cmd}: exit {r.returncode}{'' if ok else f', expected {expected}'}")
            if not ok:
                failures.append(f"README.md:{n}: {cmd}\n  exit {r.returncode}, expected {expected}\n  {r.stdout[-800:]}{r.stderr[-800:]}")
        if watch is None:
            failures.append("README's walkthrough has no `kd watch`")
        else:
            # It has caught up when it printed the last event stored (its seq starts a line).
            import json
            last = json.loads(subprocess.run([ctl, "status", "--json"], env=env, capture_output=True, text=True, timeout=60).stdout)["lastSeq"]
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not any(l.startswith(f"{last}  ") for l in list(watched)):
                time.sleep(0.2)  # polling the printed lines, not waiting for a process
            watch.terminate()
            watch.wait(timeout=30)
            seen = "".join(watched)
            if not any(l.startswith(f"{last}  ") for l in watched):
                failures.append(f"kd watch did not print the last event, seq {last}, within 120 s")
            for event in ["deadline.reminder", "deadline.overdue", "unit.flagged", "rating.annulled"]:
                if event not in seen:
                    failures.append(f"kd watch printed no {event}:\n{seen[-1500:]}")
    finally:
        if watch and watch.poll() is None:
            watch.kill()
        os.killpg(daemon.pid, 15)
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, 9)
    for f in failures:
        print("FAILED " + f)
    if failures:
        print(f"state kept in {work}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print(f"README walkthrough: {len(readme_commands())} commands, all as documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
