#!/usr/bin/env python3
"""End-to-end delivery bench (part of `make bench`, never of `make test`).

Over the real sockets and processes: a generated bloc (--scale), the 2022 plan, a pyzmq SUB, two
`kiemdiem-worker --spool` processes; `clock set 2022-11-18T00:00:00+07:00` makes every cell's
7-day reminder fall due at one instant. Measured: events committed and received by the SUB,
jobs delivered into the spools, `status` round trips idle and during the burst (plain, then on a
CURVE daemon over the same database), the daemon's peak RSS. In the same run, as baselines:
the same number of jobs through Celery + Redis (installed for the bench only), SQLite batched
inserts of the same rows, ZeroMQ PUSH/PULL of the same messages, and the disk's fsync rate, which
bounds any durable delivery.

Every figure is printed as `bench <name>: <value> <unit> (baseline <v> <u>, ratio <r>)`.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import zmq

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
INSTANT = "2022-11-18T00:00:00+07:00"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def report(name, value, unit, baseline=None, bunit=None, higher_is_better=True):
    line = f"bench {name}: {value:.3f} {unit}" if isinstance(value, float) else f"bench {name}: {value} {unit}"
    if baseline is not None:
        ratio = (value / baseline) if higher_is_better else (baseline / value if value else float("inf"))
        line += f" (baseline {baseline:.3f} {bunit or unit}, ratio {ratio:.2f})"
    print(line, flush=True)


class Daemon:
    """kiemdiemd on loopback ports; ready when its log says so."""

    def __init__(self, bin_dir, work, database, curve=None):
        self.bin = bin_dir
        self.ports = [free_port() for _ in range(3)]
        self.control, self.events, self.jobs = (f"tcp://127.0.0.1:{p}" for p in self.ports)
        cfg = os.path.join(work, f"kiemdiem-{self.ports[0]}.yaml")
        with open(cfg, "w") as f:
            f.write(f"database: {database}\n"
                    f"clock: {{mode: simulated, start: 2022-11-01T00:00:00+07:00}}\n"
                    f"endpoints: {{control: \"{self.control}\", events: \"{self.events}\", jobs: \"{self.jobs}\"}}\n"
                    # One letter per notification: the pipeline is measured (and compared) per job.
                    "delivery: {group_wait: 0}\n")
            if curve:
                f.write(f"security: {{curve: true, server_secret_key_file: {curve['server']}, authorized_keys_file: {curve['keys']}}}\n")
        self.log = open(os.path.join(work, f"daemon-{self.ports[0]}.log"), "w+")
        self.proc = subprocess.Popen([os.path.join(bin_dir, "kiemdiemd"), "--config", cfg],
                                     stderr=self.log, stdout=subprocess.DEVNULL)
        deadline = time.time() + 60
        while True:
            self.log.seek(0)
            if " ready " in self.log.read():
                break
            if self.proc.poll() is not None or time.time() > deadline:
                self.log.seek(0)
                sys.exit("kiemdiemd did not start:\n" + self.log.read()[-2000:])
            time.sleep(0.05)

    def ctl(self, *args, key=None):
        cmd = [os.path.join(self.bin, "kiemdiemctl"), *args, "--endpoint", self.control, "--timeout", "900"]
        if key:
            cmd += ["--key", key["secret"], "--server-key", key["server"]]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"kiemdiemctl {' '.join(args)}: {r.stderr}")
        return r.stdout

    def peak_rss_mib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class StatusProbe:
    """`status` round trips on one DEALER, as fast as they come back, while `running`."""

    def __init__(self, endpoint, curve=None):
        self.endpoint, self.curve = endpoint, curve
        self.samples = []

    def sample(self, n=None, until=None):
        ctx = zmq.Context.instance()
        s = ctx.socket(zmq.DEALER)
        s.setsockopt(zmq.LINGER, 0)
        if self.curve:
            s.curve_publickey, s.curve_secretkey, s.curve_serverkey = self.curve
        s.connect(self.endpoint)
        out, i = [], 0
        while (n is None or i < n) and (until is None or not until.is_set()):
            i += 1
            t = time.perf_counter()
            s.send(json.dumps({"id": str(i), "command": "status", "args": {}}).encode())
            if not s.poll(30000):
                break
            s.recv()
            out.append((time.perf_counter() - t) * 1000)
        s.close()
        self.samples = out
        return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")


def count_files(d):
    try:
        with os.scandir(d) as it:
            return sum(1 for _ in it)
    except FileNotFoundError:
        return 0


def wait_files(dirs, total, start, timeout):
    while True:
        n = sum(count_files(d) for d in dirs)
        if n >= total:
            return time.perf_counter() - start
        if time.perf_counter() - start > timeout:
            return None
        time.sleep(0.01)


def kiemdiem_burst(args, work, db):
    d = Daemon(args.bin, work, db)
    d.ctl("import", "units", os.path.join(work, "units.csv"))
    d.ctl("import", "members", os.path.join(work, "members.csv"))
    d.ctl("campaign", "load", os.path.join(ROOT, "config/plans/2022-annual.yaml"))
    # A fresh daemon on that database: its peak RSS is then the burst's, not the import's.
    d.stop()
    d = Daemon(args.bin, work, db)
    spools = [os.path.join(work, f"spool-{i}") for i in range(2)]
    workers = [subprocess.Popen([os.path.join(args.bin, "kiemdiem-worker"), "--endpoint", d.jobs, "--spool", sp,
                                 "--templates", os.path.join(ROOT, "config/templates"), "--name", f"w{i}"]
                                + (["--concurrency", str(args.concurrency)] if args.concurrency else []),
                                stderr=subprocess.DEVNULL) for i, sp in enumerate(spools)]
    ctx = zmq.Context.instance()
    sub = ctx.socket(zmq.SUB)
    sub.connect(d.events)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    time.sleep(0.5)  # the SUB's subscription reaches the PUB (slow joiner); not a wait for a process
    idle = StatusProbe(d.control).sample(n=400)
    received, first_seq = [0], [None]
    # How many events the instant stores is known once `clock set` returns (the last seq then,
    # less the one before); each reminder among them is one letter. (A dry run by `preview`
    # stops at 2,000 events.)
    seq0 = json.loads(d.ctl("status", "--json"))["lastSeq"]
    expected, reminders = [None], [0]

    def listen():
        while expected[0] is None or received[0] < expected[0]:
            if not sub.poll(60000):
                return
            topic, body = sub.recv_multipart()
            if not topic.startswith(b"heartbeat/"):
                received[0] += 1
                reminders[0] += topic.startswith(b"deadline.reminder/")
    rss_before = d.peak_rss_mib()
    done = threading.Event()
    busy = StatusProbe(d.control)
    listener = threading.Thread(target=listen)
    prober = threading.Thread(target=lambda: busy.sample(until=done))
    listener.start()
    t0 = time.perf_counter()
    prober.start()
    ctl_start = time.perf_counter()
    d.ctl("clock", "set", INSTANT)
    clock_set = time.perf_counter() - ctl_start
    expected[0] = json.loads(d.ctl("status", "--json"))["lastSeq"] - seq0
    listener.join(120)
    events_s = time.perf_counter() - t0
    expected, jobs_expected = expected[0], reminders[0]
    delivered_s = wait_files([os.path.join(sp, "new") for sp in spools], jobs_expected, t0, 900)
    done.set()
    prober.join(60)
    result = dict(expected=expected, received=received[0], events_s=events_s, clock_set=clock_set, jobs=jobs_expected,
                  delivered_s=delivered_s, idle=idle, busy=busy.samples, rss=d.peak_rss_mib(), rss_before=rss_before)
    for w in workers:
        w.terminate()
    for w in workers:
        w.wait(30)
    d.stop()
    return result


def curve_status(args, work, db):
    """`status` over CURVE on the same database, idle and during the 3-day reminder burst."""
    keys = os.path.join(work, "keys")
    os.makedirs(keys, exist_ok=True)
    import zmq.auth
    zmq.auth.create_certificates(keys, "server")
    zmq.auth.create_certificates(keys, "obs")
    pub, _ = zmq.auth.load_certificate(os.path.join(keys, "obs.key"))
    with open(os.path.join(keys, "authorized"), "w") as f:
        f.write(f"observer {pub.decode()} obs\n")
    d = Daemon(args.bin, work, db, curve={"server": os.path.join(keys, "server.key_secret"), "keys": os.path.join(keys, "authorized")})
    opub, osec = zmq.auth.load_certificate(os.path.join(keys, "obs.key_secret"))
    spub, _ = zmq.auth.load_certificate(os.path.join(keys, "server.key"))
    idle = StatusProbe(d.control, (opub, osec, spub)).sample(n=400)
    # The burst needs an admin: add one and reload the keys.
    import zmq.auth as za
    za.create_certificates(keys, "admin")
    apub, _ = za.load_certificate(os.path.join(keys, "admin.key"))
    with open(os.path.join(keys, "authorized"), "a") as f:
        f.write(f"admin {apub.decode()} admin\n")
    d.proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)  # the reload is read on the daemon's next loop pass
    done = threading.Event()
    busy = StatusProbe(d.control, (opub, osec, spub))
    prober = threading.Thread(target=lambda: busy.sample(until=done))
    prober.start()
    d.ctl("clock", "set", "2022-11-22T00:00:00+07:00", key={"secret": os.path.join(keys, "admin.key_secret"), "server": os.path.join(keys, "server.key")})
    done.set()
    prober.join(60)
    d.stop()
    return idle, busy.samples


def fsync_rate(work, n=2000):
    """Files written, fsynced, renamed into new/ and the directory fsynced, per second."""
    d = os.path.join(work, "fsync")
    os.makedirs(os.path.join(d, "tmp"))
    os.makedirs(os.path.join(d, "new"))
    dfd = os.open(os.path.join(d, "new"), os.O_RDONLY)
    body = b"x" * 1500
    t = time.perf_counter()
    for i in range(n):
        p = os.path.join(d, "tmp", f"{i}.eml")
        fd = os.open(p, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, body)
        os.fsync(fd)
        os.close(fd)
        os.rename(p, os.path.join(d, "new", f"{i}.eml"))
        os.fsync(dfd)
    os.close(dfd)
    return n / (time.perf_counter() - t)


def sqlite_raw(work, n):
    """The same number of event-sized rows inserted in one transaction (WAL, synchronous=FULL)."""
    con = sqlite3.connect(os.path.join(work, "raw.sqlite"), isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE event (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, topic TEXT, body TEXT)")
    body = "x" * 900
    t = time.perf_counter()
    con.execute("BEGIN")
    con.executemany("INSERT INTO event(id, topic, body) VALUES (?, ?, ?)", ((f"e{i}", f"deadline.reminder/duk/u{i}/", body) for i in range(n)))
    con.execute("COMMIT")
    s = time.perf_counter() - t
    con.close()
    return s


def sqlite_same_rows(work, db, jobs_too=True):
    """The rows the burst stored, events and jobs as kiemdiem wrote them, inserted into a fresh
    database with the same tables and indexes (no triggers) in one transaction (WAL,
    synchronous=FULL). Returns (seconds, rows). Without `jobs_too`, the events alone."""
    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    tables = "('event', 'job')" if jobs_too else "('event')"
    ddl = [r[0] for r in src.execute(f"SELECT sql FROM sqlite_master WHERE tbl_name IN {tables} AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC")]
    events = src.execute("SELECT * FROM event").fetchall()
    jobs = src.execute("SELECT * FROM job").fetchall() if jobs_too else []
    src.close()
    path = os.path.join(work, "raw-same.sqlite")
    for f in (path, path + "-wal", path + "-shm"):
        if os.path.exists(f):
            os.remove(f)
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    for d in ddl:
        con.execute(d)
    t = time.perf_counter()
    con.execute("BEGIN")
    if events:
        con.executemany(f"INSERT INTO event VALUES ({','.join('?' * len(events[0]))})", events)
    if jobs:
        con.executemany(f"INSERT INTO job VALUES ({','.join('?' * len(jobs[0]))})", jobs)
    con.execute("COMMIT")
    s = time.perf_counter() - t
    con.close()
    return s, len(events) + len(jobs)


def zmq_raw(n):
    """The same number of event-sized messages through PUSH/PULL on loopback TCP."""
    ctx = zmq.Context.instance()
    port = free_port()
    pull = ctx.socket(zmq.PULL)
    pull.bind(f"tcp://127.0.0.1:{port}")
    push = ctx.socket(zmq.PUSH)
    push.connect(f"tcp://127.0.0.1:{port}")
    msg = b"x" * 900
    got = [0]

    def recv():
        while got[0] < n:
            pull.recv()
            got[0] += 1
    th = threading.Thread(target=recv)
    th.start()
    t = time.perf_counter()
    for _ in range(n):
        push.send(msg)
    th.join()
    s = time.perf_counter() - t
    push.close(0)
    pull.close(0)
    return s


CELERY_TASKS = r'''
import os
from celery import Celery
app = Celery("kdbench", broker=os.environ["KD_BROKER"])
app.conf.task_acks_late = True
app.conf.worker_prefetch_multiplier = 64
app.conf.broker_connection_retry_on_startup = True

@app.task(name="deliver")
def deliver(key, subject, body, maildir):
    # The same work as the spool channel: render, write to tmp/, fsync, rename into new/, fsync the directory.
    text = f"Subject: {subject}\nMessage-ID: <{key}@kiemdiem>\n\n{body}\n".encode()
    tmp = os.path.join(maildir, "tmp", key + ".eml")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, text)
    os.fsync(fd)
    os.close(fd)
    os.rename(tmp, os.path.join(maildir, "new", key + ".eml"))
    dfd = os.open(os.path.join(maildir, "new"), os.O_RDONLY)
    os.fsync(dfd)
    os.close(dfd)
'''


def celery_baseline(work, n, eta_n):
    """Celery 5 + Redis, 2 worker processes, acks_late: jobs/s over n jobs, and the time from
    one ETA until eta_n jobs due at it are all in new/."""
    try:
        import celery  # noqa: F401
    except ImportError:
        return None
    if not shutil.which("redis-server"):
        return None
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    cdir = os.path.join(work, "celery")
    os.makedirs(cdir)
    with open(os.path.join(cdir, "kdtasks.py"), "w") as f:
        f.write(CELERY_TASKS)
    env = dict(os.environ, KD_BROKER=f"redis://127.0.0.1:{port}/0", PYTHONPATH=cdir)
    time.sleep(0.5)  # redis-server listening; the worker below retries its connection anyway
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "kdtasks", "worker", "--concurrency", "2", "--pool", "prefork",
                               "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
                              cwd=cdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sys.path.insert(0, cdir)
    os.environ["KD_BROKER"] = env["KD_BROKER"]
    import kdtasks

    def maildir(name):
        m = os.path.join(cdir, name)
        os.makedirs(os.path.join(m, "tmp"))
        os.makedirs(os.path.join(m, "new"))
        return m
    body = "Nhắc việc: chi bộ chưa hoàn thành. " * 20
    warm = maildir("warm")
    kdtasks.deliver.delay("warm", "s", body, warm)
    if wait_files([os.path.join(warm, "new")], 1, time.perf_counter(), 120) is None:
        worker.kill(); redis.kill()
        return None
    flat = maildir("flat")
    t = time.perf_counter()
    for i in range(n):
        kdtasks.deliver.delay(f"j{i}", "Nhắc việc", body, flat)
    flat_s = wait_files([os.path.join(flat, "new")], n, t, 1800)
    eta_dir = maildir("eta")
    import datetime
    eta = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=max(10, eta_n / 2000 + 5))
    for i in range(eta_n):
        kdtasks.deliver.apply_async(("e%d" % i, "Nhắc việc", body, eta_dir), eta=eta)
    while datetime.datetime.now(datetime.timezone.utc) < eta:
        time.sleep(0.01)
    t_eta = time.perf_counter()
    eta_s = wait_files([os.path.join(eta_dir, "new")], eta_n, t_eta, 1800)
    worker.terminate(); worker.wait(30)
    redis.terminate(); redis.wait(30)
    return dict(jobs_s=(n / flat_s) if flat_s else None, eta_s=eta_s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build/release"))
    ap.add_argument("--scale", type=int, default=20)
    ap.add_argument("--celery-jobs", type=int, default=20000)
    ap.add_argument("--no-celery", action="store_true")
    ap.add_argument("--concurrency", type=int, help="deliveries at once per worker (default: the worker's)")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix=f"kd-e2e-{args.scale}-")
    try:
        subprocess.run([sys.executable, os.path.join(ROOT, "config/samples/generate.py"), "--scale", str(args.scale), "--out", work],
                       check=True, capture_output=True)
        db = os.path.join(work, "db.sqlite")
        print(f"== end to end, scale {args.scale}", flush=True)
        r = kiemdiem_burst(args, work, db)
        fs = fsync_rate(work)
        raw_sql = sqlite_raw(work, r["expected"])
        raw_zmq = zmq_raw(r["expected"])
        report("events committed and received by a SUB", r["events_s"], "s", raw_sql + raw_zmq, "s (raw SQLite insert + ZeroMQ)", higher_is_better=False)
        same_s, same_n = sqlite_same_rows(work, db)
        report("events and jobs committed and received", r["events_s"], "s", same_s + raw_zmq,
               f"s (raw SQLite insert of the {same_n} rows stored, as stored, + ZeroMQ)", higher_is_better=False)
        print(f"      {r['received']} of {r['expected']} events; clock set returned after {r['clock_set']:.2f} s", flush=True)
        if r["delivered_s"] is None:
            print(f"bench jobs delivered: timed out ({r['jobs']} jobs)")
        else:
            jobs_s = r["jobs"] / r["delivered_s"]
            report("jobs delivered into the spools", jobs_s, "jobs/s", fs, "fsyncs/s (the disk's limit, measured now)")
            print(f"      {r['jobs']} jobs, the last in new/ {r['delivered_s']:.2f} s after the instant", flush=True)
        report("status p50 idle", pct(r["idle"], 0.5), "ms")
        report("status p99 idle", pct(r["idle"], 0.99), "ms")
        report("status p50 during the burst", pct(r["busy"], 0.5), "ms", pct(r["idle"], 0.5), "ms idle", higher_is_better=False)
        report("status p99 during the burst", pct(r["busy"], 0.99), "ms", pct(r["idle"], 0.99), "ms idle", higher_is_better=False)
        report("status max during the burst", max(r["busy"]) if r["busy"] else float("nan"), "ms", max(r["idle"]), "ms idle max", higher_is_better=False)
        print(f"      {len(r['busy'])} status requests answered during the burst", flush=True)
        report("daemon peak RSS during the burst", r["rss"], "MiB", r["rss_before"], "MiB at start on the loaded database", higher_is_better=False)
        ci, cb = curve_status(args, work, db)
        report("status p50 idle, CURVE", pct(ci, 0.5), "ms", pct(r["idle"], 0.5), "ms plain", higher_is_better=False)
        report("status p99 idle, CURVE", pct(ci, 0.99), "ms", pct(r["idle"], 0.99), "ms plain", higher_is_better=False)
        if cb:
            report("status p99 during a burst, CURVE", pct(cb, 0.99), "ms", pct(ci, 0.99), "ms idle", higher_is_better=False)
            report("status max during a burst, CURVE", max(cb), "ms", max(ci), "ms idle max", higher_is_better=False)
        if not args.no_celery:
            c = celery_baseline(work, args.celery_jobs, min(10000, r["jobs"]))
            if c is None:
                print("bench celery: not available (install redis-server and celery: make bench does)")
            elif r["delivered_s"]:
                report("jobs/s against Celery + Redis", r["jobs"] / r["delivered_s"], "jobs/s", c["jobs_s"], "jobs/s Celery")
                if c["eta_s"]:
                    print(f"      Celery: {min(10000, r['jobs'])} jobs due at one ETA all in new/ {c['eta_s']:.2f} s after it", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
