import Foundation
import KiemDiemOracles
import Testing

/// A kiemdiem-worker process against a daemon's jobs socket.
final class WorkerProcess {
    let process = Process()
    let stderr: OutputCollector

    init(daemon: DaemonProcess, spool: URL, extra: [String] = []) throws {
        let pipe = Pipe()
        process.executableURL = binDir.appendingPathComponent("kiemdiem-worker")
        // No template files: the built-in letters (as a worker with nothing under /etc).
        process.arguments = ["--endpoint", "ipc://\(daemon.dir.appendingPathComponent("jobs.sock").path)", "--spool", spool.path,
                             "--templates", daemon.dir.appendingPathComponent("no-templates-here").path,
                             "--heartbeat", "0.5", "--daemon-timeout", "3"] + extra
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        stderr = OutputCollector(pipe)
        try process.run()
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { if process.isRunning { kill9() } }
}

func jobCounts(_ d: DaemonProcess) throws -> [String: Int] {
    ((try d.ctlJSON(["jobs", "--limit", "1"]) as! [String: Any])["counts"] as? [String: Int]) ?? [:]
}

/// Polls a condition (a query to the daemon) until it holds, failing after `timeout`.
func eventually(timeout: Double = 60, _ what: String, _ check: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    let pace = DispatchSemaphore(value: 0)
    while try !check() {
        if Date() > deadline { throw TestFailure("timed out waiting for \(what)") }
        _ = pace.wait(timeout: .now() + .milliseconds(200))
    }
}

/// Waits until no job is pending or leased (every one done or dead).
func waitForJobs(_ d: DaemonProcess, timeout: Double = 120) throws -> [String: Int] {
    var c: [String: Int] = [:]
    try eventually(timeout: timeout, "every job to settle") {
        c = try jobCounts(d)
        return (c["pending"] ?? 0) + (c["leased"] ?? 0) == 0
    }
    return c
}

@Suite(.serialized, .timeLimit(.minutes(5))) struct WorkerDeliveryTests {
    let samplesDir = repoRoot.appendingPathComponent("config/samples")

    /// Every notification the plan and the tree imply is delivered, through kill -9 of a worker
    /// and of the daemon while jobs are leased: counted by a webhook receiver written for the test
    /// (every attempt, per Idempotency-Key), the expected set derived from the plan's YAML and the
    /// CSV files by the test's own oracle, never from the daemon. One unit's subtree is routed to
    /// the spool (`delivery.units`), the rest to the webhook.
    @Test func everyImpliedNotificationIsDeliveredOnceAcrossKills() throws {
        let py = try pythonExecutable()
        let receiver = Process()
        receiver.executableURL = py
        receiver.arguments = [repoRoot.appendingPathComponent("Tests/IntegrationTests/Support/webhook_counter.py").path]
        let received = Pipe()
        receiver.standardOutput = received
        receiver.standardError = FileHandle.nullDevice
        let log = OutputCollector(received)
        try receiver.run()
        defer { kill(receiver.processIdentifier, SIGKILL); receiver.waitUntilExit() }
        let port = try log.wait(what: "the webhook receiver") { hasReadyLine($0) }.split(separator: " ")[1].prefix { $0.isNumber }
        let webhook = ["--webhook", "http://127.0.0.1:\(port)/hooks/kiemdiem"]

        let d1 = try DaemonProcess(extra: "jobs:\n  lease: 10s\n  worker_timeout: 3s\n  heartbeat: 1s\n  backoff: 1s\n  backoff_max: 2s\ndelivery:\n  default: webhook\n  units: so-tai-chinh:spool")
        let spool = d1.dir.appendingPathComponent("spool")
        let unitsText = try String(contentsOf: samplesDir.appendingPathComponent("units.csv"), encoding: .utf8)
        let membersText = try String(contentsOf: samplesDir.appendingPathComponent("members.csv"), encoding: .utf8)
        let planText = try String(contentsOf: repoRoot.appendingPathComponent("config/plans/2022-annual.yaml"), encoding: .utf8)
        try d1.ctl(["import", "units", samplesDir.appendingPathComponent("units.csv").path])
        try d1.ctl(["import", "members", samplesDir.appendingPathComponent("members.csv").path])
        try d1.ctl(["campaign", "load", repoRoot.appendingPathComponent("config/plans/2022-annual.yaml").path])
        try d1.ctl(["clock", "set", "2022-11-02T08:00:00+07:00"])
        try d1.ctl(["done", "co-quan-duk", "self-review"])
        let a = try WorkerProcess(daemon: d1, spool: spool, extra: ["--capacity", "8", "--name", "a"] + webhook)
        let b = try WorkerProcess(daemon: d1, spool: spool, extra: ["--capacity", "8", "--name", "b"] + webhook)
        try d1.stderr.wait(what: "two workers") { $0.components(separatedBy: "worker joined").count == 3 }

        // What the plan implies by 29 Nov: a job per reminder and per escalation step.
        let model = try CampaignOracle.Model(plan: planText, units: TestCSV.rows(unitsText), members: TestCSV.rows(membersText))
        var world = CampaignOracle.World(watermark: model.opens)
        world.unitDone.insert("self-review/co-quan-duk")
        for m in model.membersOf["co-quan-duk"]! { world.memberDone.insert("self-review/\(m)") }
        let implied = CampaignOracle.move(model, &world, to: CampaignOracle.Model.instant("2022-11-29T00:00:00+07:00"), catchUp: false)
            .filter { $0.type != "deadline.overdue" }
        #expect(implied.count > 1000)
        let spooled = Set(model.subtree("so-tai-chinh"))
        let toSpool = Set(implied.filter { spooled.contains($0.recipient) }.map(\.id))
        let toWebhook = Set(implied.filter { !spooled.contains($0.recipient) }.map(\.id))
        #expect(!toSpool.isEmpty && !toWebhook.isEmpty)

        try d1.ctl(["clock", "set", "2022-11-29T00:00:00+07:00"])
        // kill -9 a worker while it holds jobs, then the daemon itself while jobs are leased.
        try eventually("worker a at work, with jobs leased") { let c = try jobCounts(d1); return (c["done"] ?? 0) > 50 && (c["leased"] ?? 0) > 0 }
        a.kill9()
        try eventually("more progress, with jobs leased") { let c = try jobCounts(d1); return (c["done"] ?? 0) > 300 && (c["leased"] ?? 0) > 0 }
        d1.kill9()

        let d2 = try DaemonProcess(dir: d1.dir)
        defer { _ = d2.terminate() }
        let c = try WorkerProcess(daemon: d2, spool: spool, extra: ["--capacity", "8", "--name", "c"] + webhook)
        let counts = try waitForJobs(d2)
        #expect(counts["dead"] == nil && counts["done"] == implied.count)
        // (A cross-check, not the source of the expectation: the daemon stored the same events.)
        let stored = Set((try d2.ctlJSON(["events", "--since", "0"]) as! [[String: Any]])
            .filter { ["deadline.reminder", "escalation.raised"].contains($0["type"] as! String) }.map { $0["id"] as! String })
        #expect(stored == Set(implied.map(\.id)), "oracle only: \(Set(implied.map(\.id)).subtracting(stored).sorted().prefix(3)); daemon only: \(stored.subtracting(implied.map(\.id)).sorted().prefix(3))")

        // The receiver's count: every key routed to the webhook arrived, none other; the ones
        // refused once were delivered by a retry; a key delivered (2xx) twice can only be a job
        // that was in flight at a kill (at most the capacity of the workers killed or orphaned).
        // (The receiver prints each attempt before it answers; its pipe may still be draining.)
        _ = try? log.wait(timeout: 20, what: "every delivery in the receiver's log") { text in
            toWebhook.isSubset(of: Set(jsonLines(text).filter { $0["status"] as? Int == 204 }.map { $0["key"] as! String }))
        }
        let attempts = jsonLines(log.text)
        #expect(attempts.count == log.text.split(separator: "\n").count - 1, "every line but 'ready' is one attempt")
        let delivered = attempts.filter { $0["status"] as? Int == 204 }.map { $0["key"] as! String }
        #expect(Set(delivered) == toWebhook, "not delivered: \(toWebhook.subtracting(delivered).sorted().prefix(5)); unexpected: \(Set(delivered).subtracting(toWebhook).sorted().prefix(5))")
        #expect(Set(attempts.map { $0["key"] as! String }) == toWebhook)
        #expect(attempts.contains { ($0["attempt"] as! Int) >= 2 })
        #expect(toWebhook.filter { key in attempts.contains { $0["key"] as? String == key && $0["status"] as? Int == 503 } }
            .allSatisfy { key in delivered.contains(key) })
        let twice = Dictionary(grouping: delivered, by: { $0 }).filter { $0.value.count > 1 }
        #expect(twice.count <= 16, "delivered twice: \(twice.count)")
        // The spool holds exactly its subtree's notifications, once each (one file per key).
        let files = try FileManager.default.contentsOfDirectory(atPath: spool.appendingPathComponent("new").path)
        #expect(files.sorted() == toSpool.map { spoolName($0) }.sorted())
        // co-quan-duk finished self-review before any reminder: it got none for that stage.
        #expect(!implied.contains { $0.id.contains("self-review/co-quan-duk/") })
        _ = (b, c)
    }

    @Test func smtpRetriesWithBackoffUntilTheServerReturnsAndAPermanentFailureEndsDead() throws {
        let units = """
            id,parent,kind,name,head,email
            bt,,bloc,Đảng bộ Khối Doanh nghiệp,,khoi@example.gov.vn
            so-a,bt,grassroots-committee,Đảng bộ Công ty A,,congtya@example.gov.vn
            so-a-cb1,so-a,cell,Chi bộ Phân xưởng 1,,px1@example.gov.vn
            so-a-cb2,so-a,cell,Chi bộ Phân xưởng 2,,px2@example.gov.vn
            cs-b,bt,grassroots-cell,Chi bộ Công ty B,,

            """
        let d = try DaemonProcess(extra: "jobs:\n  backoff: 1s\n  backoff_max: 2s\n  max_attempts: 50\ndelivery:\n  default: smtp")
        defer { _ = d.terminate() }
        try d.ctl(["import", "units", try write(units, "units.csv", in: d.dir)])
        try d.ctl(["import", "members", try write(itMembers, "members.csv", in: d.dir)])
        try d.ctl(["campaign", "load", try write(itPlan(opens: "2022-11-01T08:00:00+07:00", selfDue: "2022-11-20", cellDue: "2022-11-25", orgDue: "2022-12-01"), "plan.yaml", in: d.dir)])

        // A port with nothing listening yet: the first attempts fail and back off.
        let (py, port) = try (pythonExecutable(), freePort())
        let worker = try WorkerProcess(daemon: d, spool: d.dir.appendingPathComponent("spool"), extra: ["--smtp", "127.0.0.1:\(port)", "--from", "kiemdiem@example.gov.vn"])
        try d.ctl(["clock", "set", "2022-11-19T00:00:00+07:00"]) // the 2-day reminders
        try worker.stderr.wait(what: "a failed delivery") { $0.contains("delivery failed") && $0.contains("retry=true") }

        let mailDir = d.dir.appendingPathComponent("mail")
        let server = Process()
        server.executableURL = py
        server.arguments = [repoRoot.appendingPathComponent("Tests/IntegrationTests/Support/smtp_sink.py").path, port, mailDir.path]
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        let serverOut = OutputCollector(out)
        try server.run()
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() } // its SMTP thread outlives SIGTERM
        try serverOut.wait(what: "the SMTP server") { $0.contains("ready") }

        let counts = try waitForJobs(d, timeout: 60)
        let jobs = (try d.ctlJSON(["jobs", "--limit", "100"]) as! [String: Any])["jobs"] as! [[String: Any]]
        // cs-b has no e-mail address: a permanent failure, dead with its reason, not retried.
        let dead = jobs.filter { $0["state"] as? String == "dead" }
        #expect(dead.map { $0["recipient"] as! String } == ["cs-b"])
        #expect((dead.first?["lastError"] as? String)?.contains("has no e-mail address") == true)
        #expect((dead.first?["attempts"] as? Int) == 1)
        // `jobs retry` gives a dead job another round: the worker takes it again (and, still
        // without an address, it dies again with a new attempt).
        let deadId = (dead.first!["id"] as! NSNumber).intValue
        _ = try d.ctl(["jobs", "retry", "\(deadId)"])
        try eventually("the retried job to die again") {
            let again = ((try d.ctlJSON(["jobs", "--state", "dead"]) as! [String: Any])["jobs"] as! [[String: Any]]).first
            let pending = try jobCounts(d)["pending"] ?? 0
            return (again?["id"] as? NSNumber)?.intValue == deadId && again?["attempts"] as? Int == 1 && pending == 0
        }
        // The others recovered once the server came up, after at least one failed attempt.
        // Exactly the two cells with an address, each after at least one failed attempt.
        let done = jobs.filter { $0["state"] as? String == "done" }
        #expect(counts["done"] == done.count)
        #expect(done.map { $0["recipient"] as! String }.sorted() == ["so-a-cb1", "so-a-cb2"])
        #expect(done.allSatisfy { ($0["attempts"] as! Int) >= 2 })
        let mails = try FileManager.default.contentsOfDirectory(atPath: mailDir.path).map {
            try String(contentsOf: mailDir.appendingPathComponent($0), encoding: .utf8)
        }
        // An array: a mail delivered twice would show.
        let keys = mails.compactMap { $0.split(separator: "\r\n").first { $0.hasPrefix("X-Kiemdiem-Event: ") }?.dropFirst(18) }.map(String.init)
        #expect(keys.sorted() == done.map { $0["key"] as! String }.sorted())
    }

    /// A reload applies `jobs.*` live: with the SMTP relay down, jobs retry under
    /// `max_attempts: 50`; lowered to 2 by SIGHUP, every one of them ends dead at its next failure.
    @Test func aReloadOfJobsSettingsTakesEffectOnJobsInFlight() throws {
        let d = try DaemonProcess(extra: "jobs:\n  backoff: 1s\n  backoff_max: 1s\n  max_attempts: 50\ndelivery:\n  default: smtp")
        defer { _ = d.terminate() }
        try d.ctl(["import", "units", try write(itUnits.replacingOccurrences(of: ",a1,\n", with: ",a1,px@example.gov.vn\n"), "units.csv", in: d.dir)])
        try d.ctl(["import", "members", try write(itMembers, "members.csv", in: d.dir)])
        try d.ctl(["campaign", "load", try write(itPlan(opens: "2022-11-01T08:00:00+07:00", selfDue: "2022-11-20", cellDue: "2022-11-25", orgDue: "2022-12-01"), "plan.yaml", in: d.dir)])
        let port = try freePort()
        let worker = try WorkerProcess(daemon: d, spool: d.dir.appendingPathComponent("spool"), extra: ["--smtp", "127.0.0.1:\(port)", "--from", "kiemdiem@example.gov.vn"])
        try d.ctl(["clock", "set", "2022-11-19T00:00:00+07:00"])
        func jobs() throws -> [[String: Any]] { (try d.ctlJSON(["jobs", "--limit", "100"]) as! [String: Any])["jobs"] as! [[String: Any]] }
        try eventually(timeout: 30, "a job retried a few times") { try jobs().contains { ($0["attempts"] as! Int) >= 3 && $0["state"] as? String != "dead" } }

        let config = try String(contentsOfFile: d.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "max_attempts: 50", with: "max_attempts: 2").write(toFile: d.configPath, atomically: true, encoding: .utf8)
        kill(d.process.processIdentifier, SIGHUP)
        try d.stderr.wait(what: "the reload") { $0.contains("configuration reloaded") && $0.contains("jobs.*") }
        // Well before 50 attempts at one a second, every job is dead.
        try eventually(timeout: 20, "every job dead") { try jobs().allSatisfy { $0["state"] as? String == "dead" } }
        _ = worker
    }
}

/// A loopback port with nothing listening on it (yet).
func freePort() throws -> String {
    try run(try pythonExecutable(), ["-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"]).out
        .trimmingCharacters(in: .whitespacesAndNewlines)
}

func spoolName(_ key: String) -> String {
    String(key.map { $0.isLetter || $0.isNumber || "-._".contains($0) ? $0 : "_" }) + ".eml"
}

/// A worker paused longer than `jobs.worker_timeout` (SIGSTOP, then SIGCONT) is taken for lost,
/// then comes back under its own name, not as a nameless worker.
@Suite(.serialized, .timeLimit(.minutes(5))) struct WorkerPauseTests {
    @Test func aPausedWorkerComesBackUnderItsName() throws {
        let d = try DaemonProcess(extra: "jobs:\n  heartbeat: 1s\n  worker_timeout: 3s")
        defer { _ = d.terminate() }
        let w = try WorkerProcess(daemon: d, spool: d.dir.appendingPathComponent("spool"), extra: ["--name", "alpha", "--daemon-timeout", "30"])
        defer { w.kill9() }
        func lines(_ text: String, _ what: String) -> [Substring] {
            text.split(separator: "\n").filter { $0.contains(what) && $0.contains("worker=alpha#") }
        }
        _ = try d.stderr.wait(what: "the worker joining") { lines($0, "worker joined").count == 1 }
        kill(w.process.processIdentifier, SIGSTOP)
        _ = try d.stderr.wait(what: "the worker taken for lost") { lines($0, "worker lost").count == 1 }
        kill(w.process.processIdentifier, SIGCONT)
        let log = try d.stderr.wait(what: "the worker back") { lines($0, "worker joined").count == 2 }
        #expect(!log.contains("worker=worker#"), "\(log.suffix(600))")
    }
}
