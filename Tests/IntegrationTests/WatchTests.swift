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

        let expected = 12 // member stage: 2 cells × 2; cell stage: 3 cells × 2; grassroots stage: 2 overdue
        let (watch, printed) = try startWatch(["--count", "\(expected)", "--topic", "deadline.", "--endpoint", d.control])
        defer { if watch.isRunning { kill(watch.processIdentifier, SIGKILL); watch.waitUntilExit() } }

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

/// A live `kiemdiemctl watch` across a kill -9 of the daemon: the restarted daemon re-sends
/// what the crash left unpublished (here the tail is marked unsent in the database, as a crash
/// between commit and send leaves it), and the watcher prints every event exactly once, in order,
/// nothing lost and nothing twice, before and after the restart.
@Suite(.serialized, .timeLimit(.minutes(5))) struct WatchAcrossRestartTests {
    @Test func aWatcherSeesEveryEventOnceAcrossAKill() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-restart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let eventsEndpoint = "ipc://\(dir.appendingPathComponent("events.sock").path)"
        try ipcConfig(dir).write(to: dir.appendingPathComponent("kiemdiem.yaml"), atomically: true, encoding: .utf8)
        let d1 = try DaemonProcess(dir: dir)
        try d1.ctl(["import", "units", try write(itUnits, "units.csv", in: dir)])
        try d1.ctl(["import", "members", try write(itMembers, "members.csv", in: dir)])
        try d1.ctl(["campaign", "load", try write(itPlan(opens: "2022-11-01T08:00:00+07:00", selfDue: "2022-11-20", cellDue: "2022-11-25", orgDue: "2022-12-01"), "plan.yaml", in: dir)])

        let (watch, printed) = try startWatch(["--since", "0", "--events", eventsEndpoint, "--endpoint", d1.control])
        defer { if watch.isRunning { kill(watch.processIdentifier, SIGKILL); watch.waitUntilExit() } }
        func seqs() -> [Int64] { jsonLines(printed.text).map { ($0["seq"] as! NSNumber).int64Value } }
        func lastSeq(_ d: DaemonProcess) throws -> Int64 { ((try d.ctlJSON(["status"]) as! [String: Any])["lastSeq"] as! NSNumber).int64Value }

        try d1.ctl(["clock", "set", "2022-11-21T09:00:00+07:00"])
        let before = try lastSeq(d1)
        try printed.wait(what: "the events before the kill") { _ in seqs().last == before }
        d1.kill9()
        // As a crash between the commit and the send would leave it: the last five unsent.
        let py = try pythonExecutable()
        let rolled = try run(py, ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE meta SET value=? WHERE key='last_published'\", (int(sys.argv[2]),)); c.commit()",
                                  dir.appendingPathComponent("db.sqlite").path, "\(before - 5)"])
        #expect(rolled.status == 0, "\(rolled.err)")

        // The restarted daemon reports what it published: exactly the five left unsent.
        let config = try String(contentsOf: dir.appendingPathComponent("kiemdiem.yaml"), encoding: .utf8)
        try (config + "\nmetrics:\n  listen: 127.0.0.1:0\n  refresh: 1s\n").write(to: dir.appendingPathComponent("kiemdiem.yaml"), atomically: true, encoding: .utf8)
        let d2 = try DaemonProcess(dir: dir)
        defer { _ = d2.terminate() }
        let line = try d2.stderr.wait(what: "the metrics line") { $0.contains("metrics on http://127.0.0.1:") }
        let url = String(line.split(separator: "\n").first { $0.contains("metrics on ") }!.split(separator: " ").last!)
        let scrape = try run(py, ["-c", "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1]).read().decode())", url])
        let resent = scrape.out.split(separator: "\n").filter { $0.hasPrefix("kiemdiem_events_published_total{") && !$0.contains("heartbeat") }
            .compactMap { Double($0.split(separator: " ").last!) }.reduce(0, +)
        #expect(resent == 5, "\(scrape.out.split(separator: "\n").filter { $0.contains("published") })")
        try d2.ctl(["clock", "set", "2022-12-02T09:00:00+07:00"])
        let last = try lastSeq(d2)
        #expect(last > before)
        try printed.wait(what: "every event after the restart") { _ in seqs().last == last }
        let stored = (try d2.ctlJSON(["events", "--since", "0"]) as! [[String: Any]]).map { ($0["seq"] as! NSNumber).int64Value }
        #expect(seqs() == stored, "the watcher printed \(seqs().count) of \(stored.count) events")
        #expect(stored == Array(1...last))
    }
}

/// `kiemdiemctl watch --json …`, returned once it says it is watching; its standard output.
func startWatch(_ args: [String]) throws -> (Process, OutputCollector) {
    let watch = Process()
    watch.executableURL = binDir.appendingPathComponent("kiemdiemctl")
    watch.arguments = ["watch", "--json"] + args
    let out = Pipe(), err = Pipe()
    watch.standardOutput = out
    watch.standardError = err
    let printed = OutputCollector(out), log = OutputCollector(err)
    try watch.run()
    try log.wait(what: "watch to start") { $0.contains("watching") }
    return (watch, printed)
}

/// `kiemdiemctl watch` outlives the daemon: started before it, it waits, saying so on stderr;
/// across a kill -9 and a restart on a new events port, it notices the silence, asks the
/// daemon, follows its new socket and prints every stored event once, in order.
@Suite(.serialized, .timeLimit(.minutes(5))) struct WatchReconnectTests {
    @Test func aWatcherWaitsForTheDaemonAndFollowsItAcrossARestart() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-rewatch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // Events on an ephemeral TCP port: each start of the daemon gets another one.
        try ipcConfig(dir).replacingOccurrences(of: "events: ipc://\(dir.appendingPathComponent("events.sock").path)", with: "events: tcp://127.0.0.1:*")
            .write(to: dir.appendingPathComponent("kiemdiem.yaml"), atomically: true, encoding: .utf8)
        let control = "ipc://\(dir.appendingPathComponent("control.sock").path)"

        let watch = Process()
        watch.executableURL = binDir.appendingPathComponent("kiemdiemctl")
        watch.arguments = ["watch", "--json", "--since", "0", "--endpoint", control, "--timeout", "1"]
        let out = Pipe(), err = Pipe()
        watch.standardOutput = out
        watch.standardError = err
        let printed = OutputCollector(out), log = OutputCollector(err)
        try watch.run()
        defer { if watch.isRunning { kill(watch.processIdentifier, SIGKILL); watch.waitUntilExit() } }
        try log.wait(what: "the watcher waiting for the daemon") { $0.contains("trying again") }
        #expect(watch.isRunning)

        let d1 = try DaemonProcess(dir: dir)
        try log.wait(what: "the watcher starting") { $0.contains("the daemon answers again") && $0.contains("watching") }
        try d1.ctl(["import", "units", try write(itUnits, "units.csv", in: dir)])
        try d1.ctl(["import", "members", try write(itMembers, "members.csv", in: dir)])
        try d1.ctl(["campaign", "load", try write(itPlan(opens: "2022-11-01T08:00:00+07:00", selfDue: "2022-11-20", cellDue: "2022-11-25", orgDue: "2022-12-01"), "plan.yaml", in: dir)])
        func seqs() -> [Int64] { jsonLines(printed.text).map { ($0["seq"] as! NSNumber).int64Value } }
        func lastSeq(_ d: DaemonProcess) throws -> Int64 { ((try d.ctlJSON(["status"]) as! [String: Any])["lastSeq"] as! NSNumber).int64Value }
        try d1.ctl(["clock", "set", "2022-11-21T09:00:00+07:00"])
        let before = try lastSeq(d1)
        try printed.wait(what: "the events before the kill") { _ in seqs().last == before }
        let oldEvents = d1.events
        d1.kill9()

        // The new daemon publishes on another port (tcp://127.0.0.1:*): the watcher must find it.
        let d2 = try DaemonProcess(dir: dir)
        defer { _ = d2.terminate() }
        #expect(d2.events != oldEvents)
        try d2.ctl(["clock", "set", "2022-12-02T09:00:00+07:00"])
        let last = try lastSeq(d2)
        try printed.wait(what: "every event after the restart") { _ in seqs().last == last }
        try log.wait(what: "the watcher following the new socket") { $0.contains("events are now on \(d2.events)") }
        #expect(seqs() == Array(1...last))
        #expect(watch.isRunning)
    }
}
