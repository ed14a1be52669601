import Foundation
import Testing

/// Silences and resolved notices through the real binaries and a spool worker. What should be
/// delivered is read off the published events.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SilenceDeliveryTests {
    static let samples = repoRoot.appendingPathComponent("config/samples")

    func loaded() throws -> DaemonProcess {
        let d = try DaemonProcess()
        _ = try d.ctl(["import", "units", Self.samples.appendingPathComponent("units.csv").path])
        _ = try d.ctl(["import", "members", Self.samples.appendingPathComponent("members.csv").path])
        _ = try d.ctl(["campaign", "load", repoRoot.appendingPathComponent("config/plans/2022-annual.yaml").path])
        return d
    }

    func spooled(_ spool: URL) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: spool.appendingPathComponent("new").path))
    }

    func events(_ d: DaemonProcess, _ type: String) throws -> [[String: Any]] {
        try d.ctlJSON(["events", "--since", "0", "--topic", type + "/"]) as! [[String: Any]]
    }

    @Test func aSilenceHoldsAUnitsLettersAndItsEndSendsWhatIsStillDueOnce() throws {
        let d = try loaded()
        defer { _ = d.terminate() }
        let spool = d.dir.appendingPathComponent("spool")
        let worker = try WorkerProcess(daemon: d, spool: spool)
        defer { worker.kill9() }
        let org = "vp-tinh-uy"
        let added = try d.ctl(["silence", "add", "--unit", org, "--stage", "self-review", "--until", "2022-11-27", "--reason", "Sáp nhập cơ quan"])
        #expect(added.out.contains("silence 1: \(org) (self-review) until 2022-11-27T00:00:00+07:00"), "\(added.out)")
        _ = try d.ctl(["clock", "set", "2022-11-26T12:00:00+07:00"])
        _ = try waitForJobs(d)
        // Letters about the organization's cells at that stage, as the events say: none delivered yet.
        func about(_ e: [String: Any]) -> Bool { (e["path"] as? String ?? "").hasPrefix("duk/\(org)/") && e["stage"] as? String == "self-review" }
        let held = try (events(d, "deadline.reminder") + events(d, "escalation.raised")).filter(about)
        #expect(!held.isEmpty)
        #expect(try spooled(spool).isDisjoint(with: held.map { spoolName($0["id"] as! String) }))
        #expect(try d.ctl(["status"]).out.contains("silenced:  \(org) (self-review) until 2022-11-27T00:00:00+07:00, \(held.count) held"))
        // One cell finishes meanwhile; at the end the others get their latest letter, once.
        let done = "vp-tinh-uy-cb-phong-tong-hop"
        _ = try d.ctl(["done", done, "self-review"])
        _ = try d.ctl(["clock", "set", "2022-11-27T00:00:00+07:00"])
        _ = try waitForJobs(d)
        let latest = Dictionary(grouping: held.filter { ($0["unit"] as? String) != done }, by: { $0["unit"] as! String })
            .values.map { $0.max { ($0["seq"] as! Int) < ($1["seq"] as! Int) }! }
        let delivered = try spooled(spool)
        #expect(latest.allSatisfy { delivered.contains(spoolName($0["id"] as! String)) })
        #expect(held.filter { e in !latest.contains { ($0["id"] as! String) == (e["id"] as! String) } }
            .allSatisfy { !delivered.contains(spoolName($0["id"] as! String)) })
        #expect(try events(d, "silence.expired").count == 1)
        // The audit holds both changes.
        let audit = (try d.ctlJSON(["audit"]) as! [[String: Any]]).map { $0["command"] as! String }
        #expect(audit.contains("silence.add"))
    }

    @Test func completingAfterEscalationsTellsEachCommitteeOnce() throws {
        let d = try loaded()
        defer { _ = d.terminate() }
        let spool = d.dir.appendingPathComponent("spool")
        let worker = try WorkerProcess(daemon: d, spool: spool)
        defer { worker.kill9() }
        _ = try d.ctl(["clock", "set", "2022-12-03T00:00:00+07:00"]) // a week after the self-review's deadline
        _ = try waitForJobs(d)
        let cell = "vp-tinh-uy-cb-phong-tong-hop"
        let committees = Set(try events(d, "escalation.raised").filter { $0["unit"] as? String == cell && $0["stage"] as? String == "self-review" }
            .compactMap { $0["to"] as? String }).subtracting([cell])
        #expect(!committees.isEmpty)
        _ = try d.ctl(["done", cell, "self-review"])
        _ = try d.ctl(["done", cell, "self-review"]) // again: nothing more
        _ = try waitForJobs(d)
        let resolved = try events(d, "escalation.resolved").filter { $0["unit"] as? String == cell }
        #expect(resolved.count == 1)
        let id = try #require(resolved.first?["id"] as? String)
        let files = try spooled(spool).filter { $0.hasPrefix(spoolName(id).replacingOccurrences(of: ".eml", with: "")) }
        #expect(files.count == committees.count, "\(files) for \(committees)")
        let letter = try WebTests().letterText(spool.appendingPathComponent("new/\(try #require(files.first))"))
        #expect(letter.hasPrefix("Đã hoàn thành: Chi bộ Phòng Tổng hợp — ") && letter.contains("không cần đôn đốc thêm"))
    }
}
