#!/usr/bin/env python3
"""National scale: a tree of >= 52,000 grassroots organizations, >= 270,000 cells and >= 5.6
million members on one daemon (release binaries, loopback, real processes).

Prints, each with a baseline measured in the same run where one applies:
  - the offline first load (`kiemdiemd import`): wall time and peak RSS, against a raw batched
    insert of the same unit and member rows into the same tables and index (Python's sqlite3,
    one transaction, rows already in memory, so parsing is not counted for the baseline);
  - restart to READY on the loaded database;
  - `status`, `report` at the root and `report --unit` of a grassroots organization, with RSS at
    rest;
  - the 7-day reminder of the 2026 plan's self-review to every cell with members: fired,
    committed and received by a pyzmq SUB, against a raw insert of the very rows it stored;
  - the same tree imported through `kiemdiemctl` in chunks, with `status` probed all along.

Usage: python3 bench/national.py [--bin .build/release] [--files DIR] [--scale N]
The national files are generated into DIR (default .build-bench/national) once and kept.
`--scale N` runs the same on a smaller tree (generate.py --scale N).
"""

import argparse
import atexit
import csv
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e import ROOT, StatusProbe, free_port, pct, report, sqlite_same_rows  # noqa: E402


def generate(files, scale):
    if os.path.exists(os.path.join(files, "members.csv")):
        return
    os.makedirs(files, exist_ok=True)
    gen = os.path.join(ROOT, "config/samples/generate.py")
    args = ["--national"] if scale is None else ["--scale", str(scale)]
    print(f"generating {files} ({' '.join(args)}) …", flush=True)
    subprocess.run([sys.executable, gen, *args, "--out", files], check=True)


def raw_insert(files, work):
    """The same rows, inserted raw: same columns, same index, one transaction, WAL, FULL."""
    with open(os.path.join(files, "units.csv"), newline="", encoding="utf-8") as f:
        units = [(r["id"], r["parent"] or None, r["kind"], r["name"], r["head"] or None, r["email"] or None, "x/")
                 for r in csv.DictReader(f)]
    with open(os.path.join(files, "members.csv"), newline="", encoding="utf-8") as f:
        members = [(r["id"], r["unit"], r["name"], r["role"], r["email"] or None, int(r["disciplined"] == "true"))
                   for r in csv.DictReader(f)]
    path = os.path.join(work, "raw.sqlite")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript("""
        CREATE TABLE unit (id TEXT PRIMARY KEY NOT NULL, parent TEXT, kind TEXT NOT NULL, name TEXT NOT NULL,
                           head TEXT, email TEXT, path TEXT NOT NULL);
        CREATE INDEX unit_path ON unit(path);
        CREATE INDEX unit_parent ON unit(parent, id);
        CREATE TABLE member (id TEXT PRIMARY KEY NOT NULL, unit TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL,
                             email TEXT, disciplined INTEGER NOT NULL DEFAULT 0);
    """)
    t = time.perf_counter()
    db.execute("BEGIN")
    db.executemany("INSERT INTO unit VALUES (?, ?, ?, ?, ?, ?, ?)", units)
    db.executemany("INSERT INTO member VALUES (?, ?, ?, ?, ?, ?)", members)
    db.execute("CREATE INDEX member_unit ON member(unit)")
    db.execute("COMMIT")
    seconds = time.perf_counter() - t
    db.close()
    return seconds, len(units), len(members)


class LongProbe(StatusProbe):
    """StatusProbe, but a request may wait as long as the daemon makes it (a commit): every wait
    is recorded, none ends the probe."""

    def sample(self, n=None, until=None):
        ctx = zmq.Context.instance()
        s = ctx.socket(zmq.DEALER)
        s.setsockopt(zmq.LINGER, 0)
        s.connect(self.endpoint)
        out, i = [], 0
        while until is None or not until.is_set():
            i += 1
            t = time.perf_counter()
            s.send(json.dumps({"id": str(i), "command": "status", "args": {}}).encode())
            while not s.poll(1000):
                pass
            s.recv()
            out.append((time.perf_counter() - t) * 1000)
        s.close()
        self.samples = out
        return out


def rss_mib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


class WatchdogListener:
    """systemd's side of the notify protocol, for the watchdog: a datagram socket the daemon is
    told of (NOTIFY_SOCKET, WATCHDOG_USEC), recording when each WATCHDOG=1 arrives."""

    def __init__(self, work, usec):
        self.path = os.path.join(work, f"notify-{os.getpid()}.sock")
        self.usec = usec
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.pings = []
        threading.Thread(target=self._listen, daemon=True).start()

    def env(self):
        return {"NOTIFY_SOCKET": self.path, "WATCHDOG_USEC": str(self.usec)}

    def _listen(self):
        while True:
            m = self.sock.recv(4096)
            if b"WATCHDOG=1" in m:
                self.pings.append(time.perf_counter())

    def longest_gap(self, since):
        t = [p for p in self.pings if p >= since]
        return max((b - a for a, b in zip(t, t[1:])), default=float("inf"))


class Daemon:
    def __init__(self, bin_dir, work, database, start, env=None):
        self.bin = bin_dir
        ports = [free_port() for _ in range(3)]
        self.control, self.events, self.jobs = (f"tcp://127.0.0.1:{p}" for p in ports)
        cfg = os.path.join(work, f"kd-{ports[0]}.yaml")
        with open(cfg, "w") as f:
            f.write(f"database: {database}\nclock: {{mode: simulated, start: {start}}}\n"
                    f"endpoints: {{control: \"{self.control}\", events: \"{self.events}\", jobs: \"{self.jobs}\"}}\n"
                    "delivery: {group_wait: 0}\n")  # a job per cell: the figure is per notification
        self.log = open(os.path.join(work, f"daemon-{ports[0]}.log"), "w+")
        t = time.perf_counter()
        self.proc = subprocess.Popen([os.path.join(bin_dir, "kiemdiemd"), "--config", cfg], stderr=self.log, stdout=subprocess.DEVNULL,
                                     env={**os.environ, **(env or {})})
        atexit.register(lambda p=self.proc: p.poll() is None and p.kill())  # a failed bench leaves no daemon behind
        while True:
            self.log.seek(0)
            if " ready " in self.log.read():
                break
            if self.proc.poll() is not None:
                self.log.seek(0)
                sys.exit("kiemdiemd did not start:\n" + self.log.read()[-2000:])
            time.sleep(0.005)
        self.ready_s = time.perf_counter() - t
        ctx = zmq.Context.instance()
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(self.control)
        self.n = 0

    def request(self, command, args=None, timeout=900):
        self.n += 1
        t = time.perf_counter()
        self.sock.send(json.dumps({"id": str(self.n), "command": command, "args": args or {}}).encode())
        if not self.sock.poll(timeout * 1000):
            sys.exit(f"{command}: no reply in {timeout} s")
        reply = json.loads(self.sock.recv())
        if not reply.get("ok"):
            sys.exit(f"{command}: {reply}")
        return reply["result"], time.perf_counter() - t

    def stop(self):
        self.sock.close()
        self.proc.terminate()
        self.proc.wait(60)


def fsync_rate(work, n=500):
    d = os.path.join(work, "fsync")
    os.makedirs(d, exist_ok=True)
    t = time.perf_counter()
    for i in range(n):
        fd = os.open(os.path.join(d, str(i)), os.O_CREAT | os.O_WRONLY)
        os.write(fd, b"x" * 512)
        os.fsync(fd)
        os.close(fd)
    return n / (time.perf_counter() - t)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build/release"))
    ap.add_argument("--files", help="where the generated files are kept")
    ap.add_argument("--scale", type=int, help="a generated bloc of this scale instead of the national tree")
    ap.add_argument("--only", choices=["ctl", "offline"],
                    help="ctl: only the import through kiemdiemctl; offline: all but it (each with its raw baseline)")
    ap.add_argument("--chunk-size", help="passed to kiemdiemctl import (e.g. 64M: a file under it goes in one request)")
    args = ap.parse_args()
    files = args.files or os.path.join(ROOT, ".build-bench", "national" if args.scale is None else f"scale-{args.scale}")
    generate(files, args.scale)
    units_csv, members_csv = os.path.join(files, "units.csv"), os.path.join(files, "members.csv")
    work = tempfile.mkdtemp(prefix="kd-national-", dir=os.environ.get("BENCH_TMP", "/var/tmp"))
    atexit.register(shutil.rmtree, work, True)  # a run leaves 5-9 GB of databases behind otherwise
    label = "national" if args.scale is None else f"scale {args.scale}"

    raw_s, n_units, n_members = raw_insert(files, work)
    report(f"{label}: raw insert of {n_units} units and {n_members} members (same tables, one transaction)", raw_s, "s")

    if args.only == "ctl":
        ctl_import(args, work, label, units_csv, members_csv, raw_s)
        return
    db = os.path.join(work, "kd.sqlite")
    t = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M", os.path.join(args.bin, "kiemdiemd"), "import", "--database", db, units_csv, members_csv],
                       capture_output=True, text=True)
    load_s = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"kiemdiemd import failed:\n{r.stderr[-3000:]}")
    peak_kib = int(r.stderr.strip().splitlines()[-1])
    for line in r.stderr.strip().splitlines()[:-1]:
        print(f"  import: {line}")
    report(f"{label}: offline kiemdiemd import", load_s, "s", raw_s, higher_is_better=False)
    report(f"{label}: offline import peak RSS", peak_kib / 1024, "MiB")

    # The daemon on the loaded tree, with the 2026 plan minus its `study` stage, so that the
    # instant measured below fires the self-review's 7-day reminder and nothing else.
    with open(os.path.join(ROOT, "config/plans/2026-annual.yaml"), encoding="utf-8") as f:
        plan = f.read()
    start, end = plan.index("  - id: study"), plan.index("  - id: self-review")
    plan_path = os.path.join(work, "plan.yaml")
    with open(plan_path, "w", encoding="utf-8") as f:
        f.write(plan[:start] + plan[end:])
    d = Daemon(args.bin, work, db, "2026-11-01T00:00:00+07:00")
    report(f"{label}: start to READY on the loaded database (first start)", d.ready_s, "s")
    _, load_plan_s = d.request("campaign.load", {"name": "plan.yaml", "content": open(plan_path, encoding="utf-8").read()})
    report(f"{label}: campaign load", load_plan_s, "s")
    d.stop()
    d = Daemon(args.bin, work, db, "2026-11-01T00:00:00+07:00")
    report(f"{label}: restart to READY", d.ready_s, "s", 2.0, "s target", higher_is_better=False)
    status = StatusProbe(d.control).sample(n=1000)
    report(f"{label}: status p50", pct(status, 0.5), "ms")
    report(f"{label}: status p99", pct(status, 0.99), "ms", 1.0, "ms target", higher_is_better=False)
    done = threading.Event()
    probe = LongProbe(d.control)
    prober = threading.Thread(target=lambda: probe.sample(until=done), daemon=True)
    prober.start()
    times = [d.request("report")[1] for _ in range(3)]
    done.set()
    prober.join(60)
    root_report = d.request("report")[0][0]
    report(f"{label}: report at the root ({len(root_report.get('children') or [])} children)", min(times), "s", 1.0, "s target", higher_is_better=False)
    report(f"{label}: status during those root reports: p99", pct(probe.samples, 0.99), "ms", 100.0, "ms target", higher_is_better=False)
    report(f"{label}: status during those root reports: longest", max(probe.samples), "ms")
    with open(units_csv, newline="", encoding="utf-8") as f:
        org = next(r["id"] for r in csv.DictReader(f) if r["kind"] == "grassroots-committee")
    times = [d.request("report", {"unit": org})[1] * 1000 for _ in range(5)]
    report(f"{label}: report --unit {org}", min(times), "ms", 50.0, "ms target", higher_is_better=False)
    report(f"{label}: RSS at rest", rss_mib(d.proc.pid), "MiB", 300.0, "MiB target", higher_is_better=False)

    # Every cell with members gets the self-review's 7-day reminder at 2026-11-20 00:00.
    cells = set()
    with open(members_csv, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            cells.add(r["unit"])
    d.request("clock.set", {"time": "2026-11-19T23:59:00+07:00"})
    ctx = zmq.Context.instance()
    sub = ctx.socket(zmq.SUB)
    sub.connect(d.events)
    sub.setsockopt(zmq.SUBSCRIBE, b"deadline.reminder/")
    sub.setsockopt(zmq.RCVHWM, 0)
    time.sleep(0.5)  # the subscription reaches the PUB (slow joiner); not a wait for a process
    got = [0]

    def listen():
        while got[0] < len(cells):
            if not sub.poll(120000):
                return
            sub.recv_multipart()
            got[0] += 1
    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    fsyncs = fsync_rate(work)
    t = time.perf_counter()
    _, set_s = d.request("clock.set", {"time": "2026-11-20T00:00:00+07:00"})
    listener.join(900)
    fired_s = time.perf_counter() - t
    report(f"{label}: 7-day reminder to {got[0]} of {len(cells)} cells, committed and received", fired_s, "s", 10.0, "s target",
           higher_is_better=False)
    report(f"{label}: peak RSS of the daemon", rss_mib(d.proc.pid, "VmHWM"), "MiB")
    report(f"{label}: disk fsyncs/s (one thread, same run)", fsyncs, "files/s")
    d.stop()
    same_s, same_rows = sqlite_same_rows(work, db)
    report(f"{label}: raw insert of the rows that firing stored ({same_rows} events and jobs, same tables and indexes)", same_s, "s",
           fired_s, "s (kiemdiem)", higher_is_better=False)
    # The least a reminder to every cell must do: read each cell's members (their names) and
    # store one event per cell listing them. Both measured raw, in SQLite alone.
    t = time.perf_counter()
    subprocess.run(["sqlite3", db, "SELECT sum(length(m.name)) FROM unit u JOIN member m ON m.unit = u.id "
                    "WHERE u.kind IN ('cell', 'grassroots-cell') ORDER BY u.path, m.id"], check=True, capture_output=True)
    read_s = time.perf_counter() - t
    report(f"{label}: raw read of every cell's members with their names, in path order (sqlite3)", read_s, "s")
    events_s, n_events = sqlite_same_rows(work, db, jobs_too=False)
    report(f"{label}: raw insert of the events alone ({n_events}, same table and indexes)", events_s, "s")
    report(f"{label}: the two together, the least a reminder to every cell costs here", read_s + events_s, "s", 10.0, "s target",
           higher_is_better=False)

    if args.only != "offline":
        ctl_import(args, work, label, units_csv, members_csv, raw_s)


def ctl_import(args, work, label, units_csv, members_csv, raw_s):
    # The same tree through the control socket, in chunks, with `status` probed all along.
    # The watchdog as the unit sets it would be pinged every 10 s (WatchdogSec=30s); here every
    # second (WATCHDOG_USEC 3 s), so that a late ping shows.
    watchdog = WatchdogListener(work, 3_000_000)
    d = Daemon(args.bin, work, os.path.join(work, "ctl.sqlite"), "2026-11-01T00:00:00+07:00", env=watchdog.env())
    done = threading.Event()
    probe = LongProbe(d.control)
    prober = threading.Thread(target=lambda: probe.sample(until=done), daemon=True)
    prober.start()
    t = time.perf_counter()
    for what, path in (("units", units_csv), ("members", members_csv)):
        extra = ["--chunk-size", args.chunk_size] if args.chunk_size else []
        r = subprocess.run([os.path.join(args.bin, "kiemdiemctl"), "import", what, path, "--endpoint", d.control, "--timeout", "60", *extra],
                           capture_output=True, text=True)
        if r.returncode != 0:
            done.set()  # or the probe thread keeps the bench (and its daemon) alive
            d.proc.kill()
            sys.exit(f"kiemdiemctl import {what} failed:\n{r.stderr[-3000:]}")
    ctl_s = time.perf_counter() - t
    done.set()
    prober.join(60)
    how = f"--chunk-size {args.chunk_size}" if args.chunk_size else "chunks, then one commit each"
    report(f"{label}: import through kiemdiemctl ({how})", ctl_s, "s", raw_s, higher_is_better=False)
    report(f"{label}: status during that import: p99", pct(probe.samples, 0.99), "ms", 50.0, "ms target", higher_is_better=False)
    report(f"{label}: status during that import: longest", max(probe.samples), "ms")
    report(f"{label}: status during that import: answers", len(probe.samples), "requests")
    report(f"{label}: daemon peak RSS during that import", rss_mib(d.proc.pid, "VmHWM"), "MiB", 1024.0, "MiB target", higher_is_better=False)
    report(f"{label}: longest gap between watchdog pings during that import ({len(watchdog.pings)} pings, every 1 s asked)",
           watchdog.longest_gap(t), "s", 3.0, "s (WATCHDOG_USEC)", higher_is_better=False)
    d.stop()


if __name__ == "__main__":
    main()
