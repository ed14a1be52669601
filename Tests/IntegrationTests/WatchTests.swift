import Foundation
import Testing

@Suite(.timeLimit(.minutes(5))) struct WatchTests {
    /// `kiemdiemctl watch` prints every event once, in seq order, whether it arrived live or was
    /// replayed to fill a gap (events published before the SUB socket joined are such a gap).
    @Test func watchPrintsEveryEventOnceInOrder() throws {
        let d = try DaemonProcess()
        defer { _ = d.terminate() }
        try d.ctl(["import", "units", try write(itUnits, "units.csv", in: d.dir)])
        try d.ctl(["import", "members", try write(itMembers, "members.csv", in: d.dir)])
        try d.ctl(["campaign", "load", try write(itPlan(opens: "2022-11-01T08:00:00+07:00", selfDue: "2022-11-20", cellDue: "2022-11-25", orgDue: "2022-12-01"), "plan.yaml", in: d.dir)])
        let start = ((try d.ctlJSON(["status"]) as! [String: Any])["lastSeq"] as! NSNumber).int64Value

        let watch = Process()
        watch.executableURL = binDir.appendingPathComponent("kiemdiemctl")
        let expected = 12 // member stage: 2 cells × 2; cell stage: 3 cells × 2; grassroots stage: 2 overdue
        watch.arguments = ["watch", "--json", "--count", "\(expected)", "--topic", "deadline.", "--endpoint", d.control]
        let out = Pipe(), err = Pipe()
        watch.standardOutput = out
        watch.standardError = err
        let printed = OutputCollector(out), log = OutputCollector(err)
        try watch.run()
        defer { if watch.isRunning { kill(watch.processIdentifier, SIGKILL); watch.waitUntilExit() } }
        try log.wait(what: "watch to start") { $0.contains("watching") }

        try d.ctl(["clock", "set", "2022-11-01T09:00:00+07:00"])
        try d.ctl(["done", "so-a-cb1", "tu-kiem-diem"])
        try d.ctl(["clock", "advance", "40d"])
        try watch.waitExit(within: 60, what: "kiemdiemctl watch")
        #expect(watch.terminationStatus == 0)
        try printed.waitClosed()
        let seen = jsonLines(printed.text)
        let stored = (try d.ctlJSON(["events", "--since", "\(start)", "--topic", "deadline."]) as! [[String: Any]])
        #expect(seen.count == expected)
        #expect(seen.map { $0["id"] as! String } == stored.map { $0["id"] as! String })
        let seqs = seen.map { ($0["seq"] as! NSNumber).int64Value }
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count)
    }
}
