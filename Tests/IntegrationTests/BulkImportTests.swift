import Foundation
import Testing

/// `kiemdiemd import`, the offline first load: the tree it stores is the one the control
/// socket's imports store (the same report), it refuses to run beside a live daemon, a bad row
/// stores nothing, and a daemon refuses to start beside another holder of the database.
@Suite(.timeLimit(.minutes(3))) struct BulkImportTests {
    static let samples = repoRoot.appendingPathComponent("config/samples")
    static let plan = repoRoot.appendingPathComponent("config/plans/2022-annual.yaml").path

    func kiemdiemd(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try run(binDir.appendingPathComponent("kiemdiemd"), args)
    }

    /// The root's report, with the time it was made left out.
    func report(_ d: DaemonProcess) throws -> String {
        var r = (try d.ctlJSON(["report"]) as! [[String: Any]])[0]
        r["asOf"] = nil
        return String(decoding: try JSONSerialization.data(withJSONObject: r, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func theOfflineLoadStoresWhatTheSocketImportsStore() throws {
        let units = Self.samples.appendingPathComponent("units.csv").path, members = Self.samples.appendingPathComponent("members.csv").path
        // Through the socket.
        let online = try DaemonProcess()
        _ = try online.ctl(["import", "units", units])
        _ = try online.ctl(["import", "members", members])
        _ = try online.ctl(["campaign", "load", Self.plan])
        let expected = try report(online)
        #expect(online.terminate() == 0)

        // Offline, then the daemon on the loaded database.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let db = dir.appendingPathComponent("db.sqlite").path
        let loaded = try kiemdiemd(["import", "--database", db, units, members])
        #expect(loaded.status == 0, "\(loaded.err)")
        #expect(loaded.out.contains("members.csv: 5229 added"), "\(loaded.out)")
        #expect(loaded.err.contains("done in"), "progress on stderr: \(loaded.err)")
        let d = try DaemonProcess(dir: dir)
        _ = try d.ctl(["campaign", "load", Self.plan])
        #expect(try report(d) == expected)
        let counts = (try d.ctlJSON(["status"]) as! [String: Any])["counts"] as! [String: Int]
        #expect(counts["units"] == 380 && counts["members"] == 5229, "the counters the fast path set: \(counts)")

        // Beside the live daemon it refuses, naming the holder, and changes nothing.
        let busy = try kiemdiemd(["import", "--database", db, units])
        #expect(busy.status == 3)
        #expect(busy.err.contains("in use by another process (pid \(d.process.processIdentifier))"), "\(busy.err)")
        // So does a second daemon.
        let second = try kiemdiemd(["--config", d.configPath])
        #expect(second.status != 0 && second.err.contains("in use by another process"), "\(second.err)")
        #expect(try report(d) == expected)
        #expect(d.terminate() == 0)
    }

    @Test func aBadRowStoresNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var text = try String(contentsOf: Self.samples.appendingPathComponent("members.csv"), encoding: .utf8)
        text += "dv-999999,no-such-cell,Nguyễn Văn Lạc,member,,false\n"
        let bad = dir.appendingPathComponent("members.csv")
        try text.write(to: bad, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("db.sqlite").path
        let r = try kiemdiemd(["import", "--database", db, Self.samples.appendingPathComponent("units.csv").path, bad.path])
        #expect(r.status == 1)
        #expect(r.err.contains("members.csv:5231: unknown unit 'no-such-cell'"), "\(r.err)")
        #expect(r.err.contains("nothing was stored"))
        // Not even the units, which were fine: one transaction.
        let d = try DaemonProcess(dir: dir)
        let counts = (try d.ctlJSON(["status"]) as! [String: Any])["counts"] as! [String: Int]
        #expect(counts["units"] == 0 && counts["members"] == 0, "\(counts)")
        #expect(d.terminate() == 0)
    }
}
