import Foundation
import Testing

/// Work too long for the daemon's loop runs off it, through the real binaries: while a report is
/// being made or a one-request import applied, the loop goes on answering. A test hold
/// (docs/testing.md) keeps that work under way for as long as the test looks.
@Suite(.timeLimit(.minutes(5))) struct OffLoopTests {
    static let units = repoRoot.appendingPathComponent("config/samples/units.csv").path
    static let members = repoRoot.appendingPathComponent("config/samples/members.csv").path
    static let plan = repoRoot.appendingPathComponent("config/plans/2022-annual.yaml").path

    func counts(_ d: DaemonProcess) throws -> [String: Int] {
        (try d.ctlJSON(["status"]) as! [String: Any])["counts"] as! [String: Int]
    }

    /// A `kiemdiemctl` left running, its stdout and stderr collected.
    func start(_ d: DaemonProcess, _ args: [String]) throws -> (Process, OutputCollector, OutputCollector) {
        let p = Process()
        p.executableURL = binDir.appendingPathComponent("kiemdiemctl")
        p.arguments = args + ["--endpoint", d.control]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let collectors = (OutputCollector(out), OutputCollector(err))
        try p.run()
        return (p, collectors.0, collectors.1)
    }

    func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func aReportBeingMadeLeavesTheLoopFree() throws {
        let dir = try tempDir()
        let release = dir.appendingPathComponent("release-the-report")
        let d = try DaemonProcess(dir: dir, environment: ["KIEMDIEM_TEST_HOLD_LATER": release.path])
        FileManager.default.createFile(atPath: release.path, contents: Data()) // the imports are not held
        _ = try d.ctl(["import", "units", Self.units])
        _ = try d.ctl(["import", "members", Self.members])
        _ = try d.ctl(["campaign", "load", Self.plan])
        let expected = try d.ctl(["report", "--json"]).out
        try FileManager.default.removeItem(at: release)

        let (client, out, _) = try start(d, ["report", "--json"])
        _ = try d.stderr.wait(what: "the report held off the loop") { $0.contains("test hold KIEMDIEM_TEST_HOLD_LATER") }
        // The loop answers other requests while the report is being made.
        #expect(try counts(d)["members"] == 5229)
        #expect(try d.ctl(["overdue", "--limit", "1"]).status == 0)
        #expect(client.isRunning, "the report answered before its work was released")
        FileManager.default.createFile(atPath: release.path, contents: Data())
        try client.waitExit(within: 60, what: "kiemdiemctl report once released")
        #expect(client.terminationStatus == 0)
        #expect(out.text == expected)
        #expect(d.terminate() == 0)
    }

    @Test func aOneRequestImportIsAppliedOffTheLoopAndAuditedOnce() throws {
        let dir = try tempDir()
        let release = dir.appendingPathComponent("release-the-apply")
        let d = try DaemonProcess(dir: dir, environment: ["KIEMDIEM_TEST_HOLD_APPLY": release.path])
        FileManager.default.createFile(atPath: release.path, contents: Data())
        _ = try d.ctl(["import", "units", Self.units])
        try FileManager.default.removeItem(at: release)

        // The members file is smaller than a chunk: one request, `import.members`.
        let (client, out, err) = try start(d, ["import", "members", Self.members])
        _ = try d.stderr.wait(what: "the import applied off the loop, held") { $0.contains("test hold KIEMDIEM_TEST_HOLD_APPLY") }
        #expect(try counts(d)["members"] == 0) // answered from the tree as it was
        let refused = try d.ctl(["campaign", "load", Self.plan], allowFailure: true)
        #expect(refused.status == 1 && refused.err.contains("unavailable") && refused.err.contains("is being applied"), "\(refused.err)")
        #expect(client.isRunning)
        FileManager.default.createFile(atPath: release.path, contents: Data())
        try client.waitExit(within: 60, what: "kiemdiemctl import once the apply is released")
        #expect(client.terminationStatus == 0, "\(err.text)")
        #expect(out.text.contains("members: 5229 added"), "\(out.text)")
        #expect(try counts(d)["members"] == 5229)
        // Audited once, in the import's transaction, with what was run.
        let audit = (try d.ctlJSON(["audit"]) as! [[String: Any]]).filter { $0["command"] as? String == "import.members" }
        #expect(audit.count == 1 && audit.first?["result"] as? String == "ok", "\(audit)")
        // Changes are taken again, and the tree the loop holds is the new one.
        _ = try d.ctl(["campaign", "load", Self.plan])
        let report = try d.ctlJSON(["report"]) as! [[String: Any]]
        let stages = report[0]["stages"] as! [[String: Any]]
        #expect(stages.contains { $0["scope"] as? String == "members" && ($0["total"] as? Int ?? 0) == 5229 }, "\(stages)")
        #expect(d.terminate() == 0)
    }

    @Test func aRefusedOneRequestImportOffTheLoopStoresNothingAndAuditsTheRefusal() throws {
        let dir = try tempDir()
        var text = try String(contentsOfFile: Self.members, encoding: .utf8)
        text += "dv-999999,no-such-cell,Nguyễn Văn Lạc,member,,false\n"
        let bad = dir.appendingPathComponent("members.csv")
        try text.write(to: bad, atomically: true, encoding: .utf8)
        let d = try DaemonProcess(dir: dir)
        _ = try d.ctl(["import", "units", Self.units])
        let r = try d.ctl(["import", "members", bad.path], allowFailure: true)
        #expect(r.status == 1)
        #expect(r.err.contains("members.csv:5231: unknown unit 'no-such-cell'"), "\(r.err)")
        #expect(try counts(d)["members"] == 0)
        let audit = (try d.ctlJSON(["audit"]) as! [[String: Any]]).filter { $0["command"] as? String == "import.members" }
        #expect(audit.count == 1 && (audit.first?["result"] as? String ?? "").hasPrefix("refused: invalid_input"), "\(audit)")
        // The daemon takes changes again.
        _ = try d.ctl(["import", "members", Self.members])
        #expect(try counts(d)["members"] == 5229)
        #expect(d.terminate() == 0)
    }
}
