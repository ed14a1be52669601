import Foundation
import Testing

/// A Python helper that prints one JSON object per line; the test waits on what it printed.
final class JSONLineProcess {
    let process = Process()
    let out: OutputCollector

    init(script: String, args: [String]) throws {
        process.executableURL = try pythonExecutable()
        process.arguments = ["-c", script] + args
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        out = OutputCollector(pipe)
        try process.run()
    }

    var records: [[String: Any]] { jsonLines(out.text) }

    /// Waits until `pick(records)` gives a value.
    func wait<T>(timeout: Double = 30, _ what: String, _ pick: ([[String: Any]]) -> T?) throws -> T {
        var found: T?
        try out.wait(timeout: timeout, what: what) { text in
            found = pick(jsonLines(text))
            return found != nil
        }
        return found!
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// The test's own notify socket: a Unix datagram socket that prints each message with the
/// monotonic time it arrived and the pid of its sender (SO_PASSCRED, as systemd reads it). On each
/// READY=1 it stops the sender (SIGSTOP) and checks, in the state the daemon was in when it said
/// READY, that its control socket is bound (the ipc file exists); it then lets it go on and checks
/// that a `status` request is answered.
final class NotifySocket {
    let path: String
    let listener: JSONLineProcess

    static let script = """
        import json, os, signal, socket, struct, sys, time, zmq
        path, control = sys.argv[1], sys.argv[2]
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        s.bind(path)
        print(json.dumps({"listening": True}), flush=True)
        ctx = zmq.Context()
        while True:
            data, ancillary, _, _ = s.recvmsg(65536, socket.CMSG_SPACE(12))
            t = time.monotonic()
            pid = next((struct.unpack("iII", d[:12])[0] for level, kind, d in ancillary
                        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS), None)
            msg = data.decode()
            rec = {"t": t, "msg": msg, "pid": pid}
            if "READY=1" in msg.split("\\n") and pid:
                os.kill(pid, signal.SIGSTOP)
                rec["bound"] = os.path.exists(control)
                c = ctx.socket(zmq.DEALER)
                c.linger = 0
                c.connect("ipc://" + control)
                c.send(json.dumps({"id": "probe", "command": "status", "args": {}}).encode())
                os.kill(pid, signal.SIGCONT)
                rec["served"] = bool(c.poll(5000)) and json.loads(c.recv_multipart()[-1]).get("ok") is True
                c.close()
            print(json.dumps(rec), flush=True)
        """

    init(dir: URL, control: String) throws {
        path = dir.appendingPathComponent("notify.sock").path
        listener = try JSONLineProcess(script: NotifySocket.script, args: [path, control])
        _ = try listener.wait("the notify socket") { $0.first { $0["listening"] != nil } }
    }

    struct Message {
        var t: Double
        var pid: Int32?
        var fields: [String: String]
        var bound: Bool?
        var served: Bool?
        func has(_ key: String, _ value: String = "1") -> Bool { fields[key] == value }
    }

    static func parse(_ records: [[String: Any]]) -> [Message] {
        records.compactMap { r in
            guard let t = r["t"] as? Double, let msg = r["msg"] as? String else { return nil }
            var fields: [String: String] = [:]
            for line in msg.split(separator: "\n") {
                guard let eq = line.firstIndex(of: "=") else { continue }
                fields[String(line[..<eq])] = String(line[line.index(after: eq)...])
            }
            return Message(t: t, pid: (r["pid"] as? Int).map(Int32.init), fields: fields, bound: r["bound"] as? Bool, served: r["served"] as? Bool)
        }
    }

    var messages: [Message] { NotifySocket.parse(listener.records) }

    /// Sends `MARKER=<n>` from the test and waits until it is read: every datagram sent before it
    /// (by a process that has exited, say) has been read too.
    func sync(_ n: Int) throws {
        let send = "import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(sys.argv[2].encode(), sys.argv[1])"
        let r = try run(try pythonExecutable(), ["-c", send, path, "MARKER=\(n)"])
        guard r.status == 0 else { throw TestFailure("cannot send to \(path): \(r.err)") }
        _ = try wait("marker \(n)") { $0.first { $0.fields["MARKER"] == "\(n)" } }
    }

    func wait<T>(timeout: Double = 30, _ what: String, _ pick: ([Message]) -> T?) throws -> T {
        try listener.wait(timeout: timeout, what) { pick(NotifySocket.parse($0)) }
    }
}

/// Heartbeats on the events socket, with the monotonic time each arrived.
final class HeartbeatWatcher {
    let listener: JSONLineProcess

    static let script = """
        import json, sys, time, zmq
        s = zmq.Context().socket(zmq.SUB)
        s.connect(sys.argv[1])
        s.setsockopt(zmq.SUBSCRIBE, b"heartbeat/")
        while True:
            topic, body = s.recv_multipart()
            print(json.dumps({"t": time.monotonic()}), flush=True)
        """

    init(events: String) throws {
        listener = try JSONLineProcess(script: HeartbeatWatcher.script, args: [events])
    }

    /// The arrival times of the first `count` heartbeats after `after`.
    func wait(count: Int, after: Double = 0, timeout: Double = 30) throws -> [Double] {
        try listener.wait(timeout: timeout, "\(count) heartbeats") { records in
            let times = records.compactMap { $0["t"] as? Double }.filter { $0 > after }
            return times.count >= count ? Array(times.prefix(count)) : nil
        }
    }
}

func gaps(_ times: [Double]) -> [Double] { zip(times.dropFirst(), times).map { $0 - $1 } }

@Suite(.serialized, .timeLimit(.minutes(5))) struct SystemdTests {
    @Test func readyWatchdogReloadAndStopUnderATestNotifySocket() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-sd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let notify = try NotifySocket(dir: dir, control: dir.appendingPathComponent("control.sock").path)
        let d = try DaemonProcess(dir: dir, environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1500000"])

        // READY=1 comes once the daemon serves, with a one-line STATUS, and nothing of the kind before it.
        let ready = try notify.wait("READY=1") { $0.first { $0.has("READY") } }
        #expect(ready.bound == true && ready.served == true)
        #expect(ready.fields["STATUS"] == "0 campaigns (0 active), last seq 0, 0 workers, 0 jobs pending")
        let first = notify.messages
        #expect(first.firstIndex { $0.has("READY") } == first.firstIndex { $0.has("READY") || $0.has("WATCHDOG") })
        #expect(first.allSatisfy { $0.pid == d.process.processIdentifier }) // NotifyAccess=main

        // The loop pings the watchdog every third of WATCHDOG_USEC (1.5 s): what matters is that no
        // gap reaches the 1.5 s at which systemd would restart it, and that pings come at about
        // the interval (the mean, so one late tick on a loaded machine does not fail the test).
        let pings = try notify.wait("six watchdog pings") { m -> [Double]? in
            let t = m.filter { $0.has("WATCHDOG") }.map(\.t)
            return t.count >= 6 ? Array(t.prefix(6)) : nil
        }
        let between = gaps(pings)
        #expect(between.allSatisfy { $0 < 1.5 }, "gaps between pings: \(between)")
        let mean = between.reduce(0, +) / Double(between.count)
        #expect(mean > 0.3 && mean < 0.9, "mean gap \(mean) s, expected about 0.5 s")
        #expect(pings[0] >= ready.t)
        _ = try notify.wait("a STATUS refresh") { $0.first { $0.t > ready.t && !$0.has("READY") && $0.fields["STATUS"]?.contains("last seq") == true } }

        let heartbeats = try HeartbeatWatcher(events: d.events)
        _ = try heartbeats.wait(count: 2)
        let original = try String(contentsOfFile: d.configPath, encoding: .utf8)
        #expect(original.contains("heartbeat: 1s"))

        // SIGHUP with a broken file: RELOADING=1 then READY=1, the reason in the log, the old settings stay.
        let broken = original.replacingOccurrences(of: "heartbeat: 1s", with: "heartbeat: 3s\n  retention: forever")
        try broken.write(toFile: d.configPath, atomically: true, encoding: .utf8)
        let refused = try reload(d, notify)
        try d.stderr.wait(what: "the refusal") {
            $0.contains("configuration not reloaded; keeping the one in force") && $0.contains("events.retention: 'forever'")
        }
        let oldBeats = try heartbeats.wait(count: 3, after: refused)
        #expect(gaps(oldBeats).allSatisfy { $0 < 2 }, "heartbeat gaps after a refused reload: \(gaps(oldBeats))")

        #expect(!d.stderr.text.contains(" debug "))

        // SIGHUP with a valid file: the new heartbeat and log level apply; a restart-only key is
        // named and left alone.
        let jobs2 = dir.appendingPathComponent("jobs2.sock").path
        let valid = original.replacingOccurrences(of: "heartbeat: 1s", with: "heartbeat: 3s")
            .replacingOccurrences(of: dir.appendingPathComponent("jobs.sock").path, with: jobs2) + "\nlog_level: debug\njobs:\n  lease: 45s\n"
        try valid.write(toFile: d.configPath, atomically: true, encoding: .utf8)
        let applied = try reload(d, notify)
        try d.stderr.wait(what: "the reload") {
            $0.contains("configuration reloaded changed=log_level=debug events.heartbeat=3.0 seconds jobs.*")
                && $0.contains("take effect only at the next restart") && $0.contains("keys=endpoints.jobs")
        }
        _ = try d.ctl(["clock"])
        try d.stderr.wait(what: "a debug line") { $0.contains(" debug kiemdiemd: control command=clock") }
        let newBeats = try heartbeats.wait(count: 3, after: applied)
        #expect(gaps(newBeats).last! > 2.5, "heartbeat gaps after reload to 3s: \(gaps(newBeats))")
        #expect(!FileManager.default.fileExists(atPath: jobs2))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("jobs.sock").path))

        // SIGTERM: STOPPING=1 and exit 0.
        let stopAsked = notify.messages.last!.t
        #expect(d.terminate() == 0)
        _ = try notify.wait("STOPPING=1") { $0.first { $0.t > stopAsked && $0.has("STOPPING") } }
    }

    /// Sends SIGHUP; returns when READY=1 follows RELOADING=1 (with MONOTONIC_USEC) and the daemon
    /// serves again; the time of that READY.
    private func reload(_ d: DaemonProcess, _ notify: NotifySocket) throws -> Double {
        let before = notify.messages.count
        kill(d.process.processIdentifier, SIGHUP)
        let (reloading, ready) = try notify.wait("RELOADING=1 then READY=1") { all -> (NotifySocket.Message, NotifySocket.Message)? in
            let m = Array(all.dropFirst(before))
            guard let r = m.firstIndex(where: { $0.has("RELOADING") }), let ok = m[r...].first(where: { $0.has("READY") }) else { return nil }
            return (m[r], ok)
        }
        #expect(UInt64(reloading.fields["MONOTONIC_USEC"] ?? "") != nil)
        #expect(ready.bound == true && ready.served == true)
        #expect(ready.fields["STATUS"]?.contains("last seq") == true)
        return ready.t
    }

    /// Under journald (stderr is the stream $JOURNAL_STREAM names) every line starts with its
    /// syslog priority; elsewhere lines are plain, with a time and a level word.
    @Test func underJournaldEachLineCarriesItsPriority() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config = try write("""
            database: \(dir.appendingPathComponent("db.sqlite").path)
            endpoints:
              control: ipc://\(dir.appendingPathComponent("control.sock").path)
              events: tcp://127.0.0.1:*
              jobs: ipc://\(dir.appendingPathComponent("jobs.sock").path)
            """, "kiemdiem.yaml", in: dir)

        // Whatever a failed wait leaves running is killed when the test ends.
        var started: [Process] = []
        defer { for p in started where p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() } }
        func start(journal: Bool, config: String = config) throws -> (Process, OutputCollector) {
            let pipe = Pipe()
            var st = stat()
            #expect(fstat(pipe.fileHandleForWriting.fileDescriptor, &st) == 0)
            let p = Process()
            p.executableURL = binDir.appendingPathComponent("kiemdiemd")
            p.arguments = ["--config", config]
            p.environment = ProcessInfo.processInfo.environment.merging(
                ["JOURNAL_STREAM": journal ? "\(st.st_dev):\(st.st_ino)" : "\(st.st_dev):\(st.st_ino + 1)"]) { _, new in new }
            p.standardError = pipe
            p.standardOutput = FileHandle.nullDevice
            let out = OutputCollector(pipe)
            try p.run()
            started.append(p)
            return (p, out)
        }

        let (p, out) = try start(journal: true)
        try out.wait(what: "ready") { $0.contains("<6>ready control=") }
        // A reload with a broken file: a notice, then an error.
        let good = try String(contentsOfFile: config, encoding: .utf8)
        try "endpoints: 12\n".write(toFile: config, atomically: true, encoding: .utf8)
        kill(p.processIdentifier, SIGHUP)
        try out.wait(what: "the refused reload") { $0.contains("<5>reload requested") && $0.contains("<3>configuration not reloaded") }
        try good.write(toFile: config, atomically: true, encoding: .utf8)
        p.terminate()
        try p.waitExit(within: 30, what: "kiemdiemd after SIGTERM")
        try out.waitClosed()
        #expect(p.terminationStatus == 0)
        let lines = out.text.split(separator: "\n")
        #expect(lines.count >= 4)
        #expect(lines.allSatisfy { $0.wholeMatch(of: /<[2-7]>[^<].*/) != nil }, "\(out.text)")
        #expect(!out.text.contains(" info "))

        // The variable alone (a child whose stderr was redirected inherits it) does not count.
        let (q, plain) = try start(journal: false)
        try plain.wait(what: "ready") { $0.contains(" info kiemdiemd: ready control=") }
        q.terminate()
        try q.waitExit(within: 30, what: "kiemdiemd after SIGTERM")
        try plain.waitClosed()
        #expect(!plain.text.contains("<6>"))

        // A configuration that stops the start is an error in the journal too.
        let bad = try write("clock:\n  mode: sometimes\n", "bad.yaml", in: dir)
        let (b, failed) = try start(journal: true, config: bad)
        try b.waitExit(within: 30, what: "kiemdiemd with a bad configuration")
        try failed.waitClosed()
        #expect(b.terminationStatus == 2)
        #expect(failed.text == "<3>kiemdiemd: \(bad):2: clock.mode: 'sometimes' must be system or simulated\n", "\(failed.text)")
    }

    /// SIGHUP makes a worker re-read its templates; broken ones are refused and the old ones stay.
    @Test func aWorkerReloadsItsTemplatesOnSIGHUP() throws {
        let d = try DaemonProcess(extra: "jobs:\n  worker_timeout: 3s\n  heartbeat: 1s")
        defer { _ = d.terminate() }
        let templates = d.dir.appendingPathComponent("templates")
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("config/templates").resolvingSymlinksInPath(), to: templates)
        let spool = d.dir.appendingPathComponent("spool")
        let worker = try WorkerProcess(daemon: d, spool: spool, extra: ["--templates", templates.path, "--name", "w"])
        try d.stderr.wait(what: "the worker") { $0.components(separatedBy: "worker joined").count == 2 }

        let reminder = templates.appendingPathComponent("reminder.mustache")
        let original = try String(contentsOf: reminder, encoding: .utf8)
        try ("[v2] " + original).write(to: reminder, atomically: true, encoding: .utf8)
        kill(worker.process.processIdentifier, SIGHUP)
        try worker.stderr.wait(what: "the new templates") { $0.contains("templates reloaded") }

        try "{{#unclosed}}\n".write(to: templates.appendingPathComponent("overdue.mustache"), atomically: true, encoding: .utf8)
        kill(worker.process.processIdentifier, SIGHUP)
        try worker.stderr.wait(what: "the refusal") {
            $0.contains("templates not reloaded; keeping the ones in force") && $0.contains("overdue.mustache")
        }

        // Reminders now go out with the templates of the first reload.
        _ = try d.ctl(["import", "units", try write(itUnits, "units.csv", in: d.dir)])
        _ = try d.ctl(["import", "members", try write(itMembers, "members.csv", in: d.dir)])
        let plan = itPlan(opens: "2022-11-01T08:00:00+07:00", selfDue: "2022-11-20", cellDue: "2022-11-25", orgDue: "2022-12-01")
        _ = try d.ctl(["campaign", "load", try write(plan, "plan.yaml", in: d.dir)])
        _ = try d.ctl(["clock", "set", "2022-11-18T12:00:00+07:00"])
        let counts = try waitForJobs(d, timeout: 60)
        #expect((counts["done"] ?? 0) > 0 && counts["dead"] == nil, "\(counts)")
        // The reloads kept the connection: the daemon met this worker once.
        #expect(d.stderr.text.components(separatedBy: "worker joined").count == 2)
        let new = spool.appendingPathComponent("new")
        let files = try FileManager.default.contentsOfDirectory(atPath: new.path)
        #expect(!files.isEmpty)
        for f in files {
            let text = try String(contentsOf: new.appendingPathComponent(f), encoding: .utf8)
            let encoded = text.split(separator: "\r\n").first { $0.hasPrefix("Subject: =?UTF-8?B?") }
                .map { $0.dropFirst("Subject: =?UTF-8?B?".count).dropLast(2) }
            let subject = encoded.flatMap { Data(base64Encoded: String($0)) }.map { String(decoding: $0, as: UTF8.self) }
            #expect(subject?.hasPrefix("[v2] Nhắc việc") == true, "\(f): \(subject ?? text)")
        }
    }

    /// A daemon that cannot serve (a socket it cannot bind, a metrics port in use) never says
    /// READY=1: it exits non-zero, and systemd sees a failed start.
    @Test func aDaemonThatCannotServeNeverSaysReady() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-sd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let notify = try NotifySocket(dir: dir, control: dir.appendingPathComponent("control.sock").path)
        let occupied = try JSONLineProcess(script: """
            import json, signal, socket
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            s.listen()
            print(json.dumps({"port": s.getsockname()[1]}), flush=True)
            signal.pause()
            """, args: [])
        let port = try occupied.wait("a port in use") { $0.first { $0["port"] != nil }?["port"] as? Int }
        let cases = [
            ("endpoints:\n  control: ipc://\(dir.path)/missing/control.sock\n", "cannot bind the control socket"),
            ("metrics:\n  listen: 127.0.0.1:\(port)\n", "cannot serve http on 127.0.0.1:\(port) (metrics.listen)"),
            ("http:\n  listen: 127.0.0.1:\(port)\n", "cannot serve http on 127.0.0.1:\(port) (http.listen)"),
        ]
        for (n, (extra, reason)) in cases.enumerated() {
            let config = try write("database: \(dir.path)/db-\(n).sqlite\n" + extra, "bad-\(n).yaml", in: dir)
            var env = ProcessInfo.processInfo.environment
            env["NOTIFY_SOCKET"] = notify.path
            let r = try run(binDir.appendingPathComponent("kiemdiemd"), ["--config", config], environment: env)
            #expect(r.status == 1 && r.err.contains(reason), "\(r.err)")
            try notify.sync(n)
        }
        #expect(!notify.messages.contains { $0.has("READY") })
    }
}
