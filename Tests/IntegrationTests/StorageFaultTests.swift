import Foundation
import Testing

/// The database on a small tmpfs that fills up: the daemon stays up, refuses changes with
/// `unavailable`, audits nothing it did not do, keeps answering reads, says so in `status`, the
/// log and a metric, and once space returns finishes the interrupted firing by itself, with the
/// same event ids as a run that never ran out of space.
@Suite(.serialized, .timeLimit(.minutes(5))) struct StorageFaultTests {
    static let samples = repoRoot.appendingPathComponent("config/samples")
    static let plan = repoRoot.appendingPathComponent("config/plans/2022-annual.yaml").path

    func load(_ d: DaemonProcess) throws {
        try d.ctl(["import", "units", Self.samples.appendingPathComponent("units.csv").path])
        try d.ctl(["import", "members", Self.samples.appendingPathComponent("members.csv").path])
        try d.ctl(["campaign", "load", Self.plan])
    }

    func eventIds(_ d: DaemonProcess) throws -> [String] {
        var ids: [String] = []
        var since = 0
        while true {
            let page = try d.ctlJSON(["events", "--since", "\(since)", "--limit", "5000"]) as! [[String: Any]]
            if page.isEmpty { return ids }
            ids += page.map { $0["id"] as! String }
            since = (page.last!["seq"] as! NSNumber).intValue
        }
    }

    func status(_ d: DaemonProcess) throws -> [String: Any] { try d.ctlJSON(["status"]) as! [String: Any] }

    /// Fills the file system at `dir` but for `leave` bytes.
    func fill(_ dir: URL, leaving leave: Int) throws -> URL {
        let filler = dir.appendingPathComponent("filler")
        var st = statvfs()
        guard statvfs(dir.path, &st) == 0 else { throw TestFailure("statvfs \(dir.path)") }
        let free = Int(st.f_bavail) * Int(st.f_frsize)
        guard free > leave else { throw TestFailure("only \(free) bytes free on the tmpfs") }
        FileManager.default.createFile(atPath: filler.path, contents: nil)
        let h = try FileHandle(forWritingTo: filler)
        let chunk = Data(count: 1 << 16)
        var left = free - leave
        while left > 0 {
            let n = min(left, chunk.count)
            try h.write(contentsOf: chunk.prefix(n))
            left -= n
        }
        try h.close()
        return filler
    }

    @Test(.enabled(if: geteuid() == 0, "mounts a tmpfs: needs root"))
    func aFullDiskRefusesChangesKeepsServingAndFinishesTheFiringWhenSpaceReturns() throws {
        // The run that never runs out of space.
        let reference = try DaemonProcess()
        try load(reference)
        try reference.ctl(["clock", "set", "2022-11-18T00:00:00+07:00"])
        let expected = try eventIds(reference)
        #expect(reference.terminate() == 0)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-full-\(UUID().uuidString)")
        let disk = dir.appendingPathComponent("disk")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        let mount = try run(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=48m", "tmpfs", disk.path])
        guard mount.status == 0 else { throw TestFailure("cannot mount a tmpfs: \(mount.err)") }
        defer { _ = try? run(URL(fileURLWithPath: "/bin/umount"), ["-l", disk.path]) }
        let config = ipcConfig(dir, extra: "metrics:\n  listen: 127.0.0.1:0")
            .replacingOccurrences(of: dir.appendingPathComponent("db.sqlite").path, with: disk.appendingPathComponent("db.sqlite").path)
        try config.write(to: dir.appendingPathComponent("kiemdiem.yaml"), atomically: true, encoding: .utf8)

        var d = try DaemonProcess(dir: dir)
        try load(d)
        let before = try status(d)
        let auditBefore = (try d.ctlJSON(["audit"]) as! [[String: Any]]).count
        // A clean stop folds the WAL into the database; the disk is then filled but for room to
        // open it again. The daemon starts on a full disk.
        #expect(d.terminate() == 0)
        let filler = try fill(disk, leaving: 96 << 10)
        d = try DaemonProcess(dir: dir)
        defer { _ = d.terminate() }

        // The firing runs out of space: refused with `unavailable`, and the daemon stays up.
        let move = try d.ctl(["clock", "set", "2022-11-18T00:00:00+07:00"], allowFailure: true)
        #expect(move.status == 1)
        #expect(move.err.contains("unavailable") && move.err.contains("disk full"), "\(move.err)")
        #expect(move.err.contains("resumes by itself"), "\(move.err)")
        // Reads go on and say why changes are refused.
        let during = try status(d)
        #expect((during["storage"] as? String)?.contains("disk full") == true, "\(during)")
        #expect(try d.ctl(["status"]).out.contains("STORAGE:"))
        #expect(try d.ctl(["report"]).status == 0)
        // Changes are refused before they start, and nothing is audited that did not happen.
        let done = try d.ctl(["done", "duk", "bloc-rating"], allowFailure: true)
        #expect(done.status == 1 && done.err.contains("unavailable"), "\(done.err)")
        let extend = try d.ctl(["extend", "duk", "bloc-rating", "2022-12-31", "--reason", "r"], allowFailure: true)
        #expect(extend.err.contains("unavailable"), "\(extend.err)")
        // The log says it, and so does the metric.
        #expect(d.stderr.text.contains("the database cannot be written"))
        let line = try d.stderr.wait(what: "the metrics line") { $0.contains("metrics on http://127.0.0.1:") }
        let url = String(line.split(separator: "\n").last { $0.contains("metrics on ") }!.split(separator: " ").last!)
        let page = try String(contentsOf: URL(string: url)!, encoding: .utf8)
        #expect(page.contains("kiemdiem_storage_writable 0"), "\(page.prefix(400))")
        #expect(d.process.isRunning)

        // Space returns: the daemon finishes the firing by itself, once, and takes changes again.
        try FileManager.default.removeItem(at: filler)
        try eventually(timeout: 60, "the firing to resume") { try status(d)["storage"] == nil && (try d.ctl(["clock"]).out.contains("2022-11-18")) }
        #expect(d.stderr.text.contains("the database can be written again"))
        #expect(try eventIds(d) == expected)
        #expect(try d.ctl(["done", "duk", "bloc-rating"], allowFailure: true).err.contains("unavailable") == false)
        // The audit holds no row for what was refused while the disk was full.
        let audit = try d.ctlJSON(["audit"]) as! [[String: Any]]
        let since = audit.dropFirst(auditBefore)
        #expect(!since.contains { ($0["command"] as? String) == "extend" && ($0["result"] as? String) == "ok" }, "\(since)")
        #expect(since.filter { ($0["command"] as? String) == "done" && ($0["result"] as? String) == "ok" }.count <= 1, "\(since)")
        #expect((before["lastSeq"] as! NSNumber).intValue < expected.count)
        #expect(d.process.isRunning)
    }
}
