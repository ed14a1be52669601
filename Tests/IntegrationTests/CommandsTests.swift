import Foundation
import Testing

/// Commands no other test drove against the real daemon: campaign list/pause/resume, preview,
/// extend, overdue, report in every format, ack, jobs --state and retry, events paging at the CLI,
/// retention pruning and its live reload, configuration overrides.
@Suite(.serialized, .timeLimit(.minutes(5))) struct CommandsTests {
    func setUp(_ extra: String = "") throws -> DaemonProcess {
        let d = try DaemonProcess(extra: extra)
        _ = try d.ctl(["import", "units", try write(itUnits, "units.csv", in: d.dir)])
        _ = try d.ctl(["import", "members", try write(itMembers, "members.csv", in: d.dir)])
        let plan = itPlan(opens: "2023-11-01T08:00:00+07:00", selfDue: "2023-11-20", cellDue: "2023-11-25", orgDue: "2023-12-01")
            + "\nescalation:\n  ladder:\n    - {after: 0d, to: unit}\n    - {after: 2d, to: parent}\n"
        _ = try d.ctl(["clock", "set", "2023-11-01T09:00:00+07:00"])
        _ = try d.ctl(["campaign", "load", try write(plan, "plan.yaml", in: d.dir)])
        return d
    }

    func events(_ d: DaemonProcess, since: Int64 = 0) throws -> [[String: Any]] {
        try d.ctlJSON(["events", "--since", "\(since)"]) as! [[String: Any]]
    }

    func lastSeq(_ d: DaemonProcess) throws -> Int64 {
        ((try d.ctlJSON(["status"]) as! [String: Any])["lastSeq"] as! NSNumber).int64Value
    }

    @Test func previewExtendOverduePauseResumeAndTheReport() throws {
        let d = try setUp()
        defer { _ = d.terminate() }
        let list = try d.ctlJSON(["campaign", "list"]) as! [[String: Any]]
        #expect(list.map { "\($0["id"]!) \($0["status"]!) \($0["ruleset"]!)" } == ["dn-2023 active hd21-2019"])

        // cs-b gets its own deadline; the preview is exactly what the clock then fires.
        _ = try d.ctl(["extend", "cs-b", "tu-kiem-diem", "2023-11-24", "--reason", "Đồng chí bí thư đi công tác"])
        let seq = try lastSeq(d)
        let preview = try d.ctlJSON(["preview", "--until", "2023-11-21T09:00:00+07:00"]) as! [String: Any]
        #expect(try lastSeq(d) == seq)
        _ = try d.ctl(["clock", "set", "2023-11-21T09:00:00+07:00"])
        let fired = try events(d, since: seq)
        #expect((preview["events"] as! [[String: Any]]).map { $0["id"] as! String } == fired.map { $0["id"] as! String })
        #expect(!fired.contains { $0["type"] as? String == "deadline.overdue" && $0["unit"] as? String == "cs-b" })

        let overdue = try d.ctlJSON(["overdue"]) as! [String: Any]
        let items = (overdue["items"] as! [[String: Any]]).map { "\($0["stage"]!) \($0["unit"]!)" }.sorted()
        #expect(items == ["tu-kiem-diem so-a-cb1", "tu-kiem-diem so-a-cb2"])
        #expect(((try d.ctlJSON(["overdue", "--unit", "so-a-cb2"]) as! [String: Any])["items"] as! [[String: Any]]).count == 1)

        // The upper committee acknowledges so-a-cb1's escalation: its ladder stops there.
        let raised = fired.first { $0["type"] as? String == "escalation.raised" && $0["unit"] as? String == "so-a-cb1" }!
        let ack = try d.ctlJSON(["ack", "\((raised["escalation"] as! NSNumber).intValue)"]) as! [String: Any]
        #expect(ack["unit"] as? String == "so-a-cb1" && ack["alreadyAcknowledged"] as? Bool == false)

        // Paused, nothing fires; resumed, what fell due fires once, late.
        _ = try d.ctl(["campaign", "pause", "dn-2023"])
        let paused = try lastSeq(d)
        _ = try d.ctl(["clock", "set", "2023-11-26T09:00:00+07:00"])
        #expect(try lastSeq(d) == paused)
        #expect((try d.ctlJSON(["campaign", "show", "dn-2023"]) as! [String: Any]).description.contains("paused"))
        _ = try d.ctl(["campaign", "resume", "dn-2023"])
        let resumed = try events(d, since: paused)
        #expect(!resumed.isEmpty && resumed.allSatisfy { $0["late"] as? Bool == true })
        #expect(resumed.contains { $0["type"] as? String == "deadline.overdue" && $0["unit"] as? String == "cs-b" && $0["stage"] as? String == "tu-kiem-diem" })
        #expect(!resumed.contains { $0["type"] as? String == "escalation.raised" && $0["unit"] as? String == "so-a-cb1" && $0["stage"] as? String == "tu-kiem-diem" })

        // The report in its three formats.
        let json = try d.ctlJSON(["report", "--format", "json"]) as! [[String: Any]]
        let stages = (json[0]["stages"] as! [[String: Any]]).map { "\($0["stage"]!) \($0["completed"]!)/\($0["total"]!) \($0["overdue"]!)" }
        #expect(stages == ["tu-kiem-diem 0/4 4", "chi-bo 0/3 3", "co-so 0/2 0"], "\(stages)")
        let csv = try d.ctl(["report", "--format", "csv"]).out.split(separator: "\n")
        #expect(csv.first == "section,campaign,unit,item,total,completed,overdue,detail")
        #expect(csv.contains("stage,dn-2023,bt,tu-kiem-diem,4,0,4,2023-11-20T00:00:00+07:00"))
        #expect(csv.contains { $0.hasPrefix("child,dn-2023,bt,so-a,") })
        let table = try d.ctl(["report", "--unit", "so-a", "--output", "table"]).out
        // The table for people: the plan's title, names, stage titles and deadlines as the plans write them.
        #expect(table.contains("BÁO CÁO TIẾN ĐỘ — Kiểm điểm năm 2023 — Đảng bộ Công ty A, tính đến ") && table.contains("Quá hạn") && table.contains("Chi bộ"), "\(table)")
        #expect(table.contains("trước ngày 20/11/2023") && !table.contains("2023-11-20") && !table.contains("so-a") && !table.contains("tu-kiem-diem"), "\(table)")
    }

    @Test func jobsByStateAndRetryingADeadOne() throws {
        let d = try setUp()
        defer { _ = d.terminate() }
        _ = try d.ctl(["clock", "set", "2023-11-19T09:00:00+07:00"]) // the 2-day reminders: three cells
        let pending = try d.ctlJSON(["jobs", "--state", "pending"]) as! [String: Any]
        #expect((pending["jobs"] as! [[String: Any]]).map { $0["recipient"] as! String }.sorted() == ["cs-b", "so-a-cb1", "so-a-cb2"])
        #expect(((try d.ctlJSON(["jobs", "--state", "dead"]) as! [String: Any])["jobs"] as! [[String: Any]]).isEmpty)
        let bad = try d.ctl(["jobs", "--state", "lost"], allowFailure: true)
        #expect(bad.status == 1 && bad.err.contains("--state must be pending, leased, done or dead"))
        let notDead = try d.ctl(["jobs", "retry", "1"], allowFailure: true)
        #expect(notDead.status == 1 && notDead.err.contains("is not dead"))
    }

    @Test func eventsArePagedAtTheCommandLineAndPrunedByRetention() throws {
        let d = try DaemonProcess(extra: "  retention: 400d")
        defer { _ = d.terminate() }
        let samples = repoRoot.appendingPathComponent("config/samples")
        _ = try d.ctl(["import", "units", samples.appendingPathComponent("units.csv").path])
        _ = try d.ctl(["import", "members", samples.appendingPathComponent("members.csv").path])
        _ = try d.ctl(["campaign", "load", repoRoot.appendingPathComponent("config/plans/2022-annual.yaml").path])
        // A month and a half of the sample bloc fires at once: on a busy machine that can take more
        // than the default 10 s, so the wait is a generous safety net, not a measure.
        _ = try d.ctl(["clock", "set", "2022-12-10T00:00:00+07:00", "--timeout", "120"])
        // More than one page (the CLI asks 1,000 at a time): every seq once, in order.
        let all = try events(d)
        let seqs = all.map { ($0["seq"] as! NSNumber).int64Value }
        #expect(seqs.count > 1000 && seqs == Array(1...Int64(seqs.count)), "\(seqs.count) events")
        let limited = try d.ctlJSON(["events", "--since", "500", "--limit", "1200"]) as! [[String: Any]]
        #expect(limited.map { ($0["seq"] as! NSNumber).int64Value } == Array(501...1700))

        // A reload that shortens the retention prunes at once: nothing older than 10 days before
        // the (simulated) now is kept; what is kept is still contiguous.
        let config = try String(contentsOfFile: d.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "retention: 400d", with: "retention: 10d").write(toFile: d.configPath, atomically: true, encoding: .utf8)
        kill(d.process.processIdentifier, SIGHUP)
        try d.stderr.wait(what: "the reload") { $0.contains("events.retention=864000s") }
        try d.stderr.wait(what: "the pruning") { $0.contains("pruned old events") }
        let kept = try events(d)
        let cutoff = at2("2022-11-30T00:00:00+07:00")
        #expect(!kept.isEmpty && kept.count < all.count)
        #expect(kept.allSatisfy { at2($0["time"] as! String) >= cutoff })
        #expect(all.filter { at2($0["time"] as! String) >= cutoff }.map { $0["id"] as! String } == kept.map { $0["id"] as! String })
    }

    @Test func configurationOverridesByEnvironmentFlagAndDatabase() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-ovr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // The file says system clock and one database; the environment and the flags win.
        let config = try write("""
            database: \(dir.appendingPathComponent("file.sqlite").path)
            clock:
              mode: system
            endpoints:
              control: ipc://\(dir.appendingPathComponent("c.sock").path)
              events: tcp://127.0.0.1:*
              jobs: ipc://\(dir.appendingPathComponent("j.sock").path)
            """, "kiemdiem.yaml", in: dir)
        let p = Process()
        p.executableURL = binDir.appendingPathComponent("kiemdiemd")
        p.arguments = ["--config", config, "--set", "clock.start=2030-01-02T03:04:05+07:00", "--database", dir.appendingPathComponent("flag.sqlite").path]
        p.environment = ProcessInfo.processInfo.environment.merging(["KIEMDIEM_CLOCK_MODE": "simulated"]) { _, new in new }
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        let log = OutputCollector(err)
        try p.run()
        defer { p.terminate(); try? p.waitExit(within: 30, what: "kiemdiemd") }
        try log.wait(what: "ready") { $0.contains("ready control=") }
        let r = try run(binDir.appendingPathComponent("kiemdiemctl"), ["clock", "--json", "--endpoint", "ipc://" + dir.appendingPathComponent("c.sock").path])
        let clock = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        #expect(clock["mode"] as? String == "simulated" && clock["now"] as? String == "2030-01-02T03:04:05+07:00")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("flag.sqlite").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("file.sqlite").path))
    }
}

func at2(_ s: String) -> Date {
    let f = ISO8601DateFormatter()
    return f.date(from: s)!
}
