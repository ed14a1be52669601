import Foundation
import Testing

/// Digests through the real binaries: with `delivery.group_wait` a grassroots committee with
/// several late cells gets one letter per window listing exactly those cells, through a worker
/// that crashes after delivering (and before saying so), once. The expected cells are read off
/// the published `escalation.raised` events, not off the digest code.
@Suite(.serialized, .timeLimit(.minutes(5))) struct DigestDeliveryTests {
    @Test func aCommitteeGetsOneLetterPerWindowListingItsLateCellsOnceThroughACrash() throws {
        let d = try DaemonProcess(extra: "jobs:\n  lease: 5s\n  worker_timeout: 3s\n  heartbeat: 1s",
                                  environment: ["KIEMDIEM_DELIVERY_GROUP_WAIT": "1m"])
        defer { _ = d.terminate() }
        let samples = repoRoot.appendingPathComponent("config/samples")
        _ = try d.ctl(["import", "units", samples.appendingPathComponent("units.csv").path])
        _ = try d.ctl(["import", "members", samples.appendingPathComponent("members.csv").path])
        _ = try d.ctl(["campaign", "load", repoRoot.appendingPathComponent("config/plans/2022-annual.yaml").path])
        // 28 Nov 00:00: the self-review is 3 days late; the ladder's second step goes to each late
        // cell's parent. A minute later the window is sealed.
        _ = try d.ctl(["clock", "set", "2022-11-28T00:01:00+07:00"])
        let raised = (try d.ctlJSON(["events", "--since", "0", "--topic", "escalation.raised/"]) as! [[String: Any]])
            .filter { ($0["time"] as? String) == "2022-11-28T00:00:00+07:00" && ($0["level"] as? Int) == 1 }
        var cellsOf: [String: Set<String>] = [:]
        for e in raised { cellsOf[e["to"] as! String, default: []].insert(e["unit"] as! String) }
        let committee = try #require(cellsOf.filter { $0.value.count >= 3 }.keys.sorted().first, "a committee with several late cells")
        let spool = d.dir.appendingPathComponent("spool")
        // A worker that crashes right after a delivery, before its `done`; then one that stays.
        let crashing = Process()
        crashing.executableURL = binDir.appendingPathComponent("kiemdiem-worker")
        crashing.arguments = ["--endpoint", "ipc://\(d.dir.appendingPathComponent("jobs.sock").path)", "--spool", spool.path,
                              "--templates", d.dir.appendingPathComponent("none").path, "--heartbeat", "0.5"]
        crashing.environment = ProcessInfo.processInfo.environment.merging(["KIEMDIEM_TEST_CRASH": "after-delivery"]) { _, new in new }
        crashing.standardError = FileHandle.nullDevice
        try crashing.run()
        try crashing.waitExit(within: 60, what: "the worker at the crash point")
        #expect(crashing.terminationStatus == 86)
        let worker = try WorkerProcess(daemon: d, spool: spool)
        let counts = try waitForJobs(d)
        #expect(counts["dead"] == nil)
        worker.kill9()
        // The committee's letters of that window: exactly one, naming exactly its late cells.
        let names = Dictionary(uniqueKeysWithValues: try String(contentsOf: samples.appendingPathComponent("units.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { (String($0[0]), String($0[3])) })
        let letters = try FileManager.default.contentsOfDirectory(atPath: spool.appendingPathComponent("new").path)
            .filter { $0.hasPrefix("digest_\(committee)_") }
            .map { try WebTests().letterText(spool.appendingPathComponent("new/\($0)")) }
        #expect(letters.count == 1, "\(letters.count) digests to \(committee)")
        let letter = try #require(letters.first)
        #expect(letter.hasPrefix("Tổng hợp nhắc việc và báo cáo chậm tiến độ: \(cellsOf[committee]!.count) việc"), "\(letter.prefix(200))")
        let listed = Set(letter.split(separator: "\n").filter { $0.hasPrefix("  - ") }.map { String($0.dropFirst(4).prefix { $0 != ":" }) })
        #expect(listed == Set(cellsOf[committee]!.map { names[$0]! }))
        // And no letter of its own for any of those escalations.
        let single = try FileManager.default.contentsOfDirectory(atPath: spool.appendingPathComponent("new").path)
            .filter { name in raised.contains { ($0["to"] as? String) == committee && name == spoolName($0["id"] as! String) } }
        #expect(single.isEmpty)
    }
}
