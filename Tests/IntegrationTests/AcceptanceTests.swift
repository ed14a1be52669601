import Foundation
import Testing

/// A tree and plan other than the samples, driven only through kiemdiemctl and a plain pyzmq
/// SUB socket (docs/subscriber.py).
let itUnits = """
id,parent,kind,name,head,email
bt,,bloc,Đảng bộ Khối Doanh nghiệp,,
so-a,bt,grassroots-committee,Đảng bộ Công ty A,a1,
so-a-cb1,so-a,cell,Chi bộ Phân xưởng 1,a1,
so-a-cb2,so-a,cell,Chi bộ Phân xưởng 2,a3,
cs-b,bt,grassroots-cell,Chi bộ Công ty B,b1,

"""
let itMembers = """
id,unit,name,role,email,disciplined
a1,so-a-cb1,Nguyễn Văn Một,secretary,,false
a2,so-a-cb1,Trần Thị Hai,member,,false
a3,so-a-cb2,Lê Văn Ba,secretary,,false
b1,cs-b,Phạm Thị Bốn,secretary,,false

"""
func itPlan(opens: String, selfDue: String, cellDue: String, orgDue: String, selfLead: String = "2d", cellLead: String = "1d") -> String {
    """
    id: dn-2023
    title: Kiểm điểm năm 2023
    root: bt
    year: 2023
    opens: \(opens)
    stages:
      - id: tu-kiem-diem
        title: Đảng viên tự kiểm điểm
        for: members
        due: \(selfDue)
        reminders: [\(selfLead)]
      - id: chi-bo
        title: Chi bộ họp kiểm điểm
        for: [cell, grassroots-cell]
        after: [tu-kiem-diem]
        due: \(cellDue)
        reminders: [\(cellLead)]
      - id: co-so
        title: Tổ chức cơ sở đảng kiểm điểm
        for: [grassroots-committee, grassroots-cell]
        after: [chi-bo]
        due: \(orgDue)
    """
}

func write(_ text: String, _ name: String, in dir: URL) throws -> String {
    let url = dir.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

func jsonLines(_ text: String) -> [[String: Any]] {
    text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
}

@Suite(.serialized, .timeLimit(.minutes(5))) struct AcceptanceTests {
    @Test func exactlyTheImpliedRemindersAndOverdueReachAPlainSubscriber() throws {
        let d = try DaemonProcess()
        defer { _ = d.terminate() }
        try d.ctl(["import", "units", try write(itUnits, "units.csv", in: d.dir)])
        try d.ctl(["import", "members", try write(itMembers, "members.csv", in: d.dir)])
        let plan = itPlan(opens: "2023-11-01T08:00:00+07:00", selfDue: "2023-11-20", cellDue: "2023-11-25", orgDue: "2023-12-01")
        try d.ctl(["clock", "set", "2023-11-01T09:00:00+07:00"])
        try d.ctl(["campaign", "load", try write(plan, "plan.yaml", in: d.dir)])

        // The subscriber is ready once it has printed a heartbeat.
        let py = Process()
        py.executableURL = try pythonExecutable()
        py.arguments = [repoRoot.appendingPathComponent("docs/subscriber.py").path, d.events, ""]
        let pipe = Pipe()
        py.standardOutput = pipe
        py.standardError = FileHandle.nullDevice
        let sub = OutputCollector(pipe)
        try py.run()
        defer { kill(py.processIdentifier, SIGKILL); py.waitUntilExit() }
        try sub.wait(what: "a heartbeat") { $0.contains("\"type\": \"heartbeat\"") }

        try d.ctl(["done", "so-a-cb1", "tu-kiem-diem"])                   // the whole cell
        try d.ctl(["done", "cs-b", "tu-kiem-diem", "--member", "b1"])     // its only member
        let refused = try d.ctl(["done", "so-a", "co-so"], allowFailure: true)
        #expect(refused.status == 1) // an error reply, not a transport failure
        #expect(refused.err.contains("'chi-bo' is not complete in the subtree of 'so-a'"))
        try d.ctl(["clock", "advance", "40d"])

        let status = try d.ctlJSON(["status"]) as! [String: Any]
        let last = (status["lastSeq"] as! NSNumber).int64Value
        let seen = jsonLines(try sub.wait(what: "seq \(last)") { text in
            jsonLines(text).contains { ($0["seq"] as? NSNumber)?.int64Value == last && $0["type"] as? String != "heartbeat" }
        }).filter { $0["type"] as? String != "heartbeat" }

        // An array, not a set: a notice delivered twice would show.
        let fired = seen.filter { ["deadline.reminder", "deadline.overdue"].contains($0["type"] as! String) }
            .map { "\($0["type"]!) \($0["stage"]!) \($0["unit"]!)" }.sorted()
        #expect(fired == [
            "deadline.reminder tu-kiem-diem so-a-cb2", "deadline.overdue tu-kiem-diem so-a-cb2",
            "deadline.reminder chi-bo so-a-cb1", "deadline.overdue chi-bo so-a-cb1",
            "deadline.reminder chi-bo so-a-cb2", "deadline.overdue chi-bo so-a-cb2",
            "deadline.reminder chi-bo cs-b", "deadline.overdue chi-bo cs-b",
            "deadline.overdue co-so so-a", "deadline.overdue co-so cs-b",
        ].sorted())
        let ids = seen.map { $0["id"] as! String }
        #expect(Set(ids).count == ids.count, "an event id published twice")

        // `events --since 0` equals what the live subscriber saw, from its first event on.
        let stored = try d.ctlJSON(["events", "--since", "0"]) as! [[String: Any]]
        let first = (seen.first!["seq"] as! NSNumber).int64Value
        let replayed = stored.filter { ($0["seq"] as! NSNumber).int64Value >= first }
        #expect(replayed.map { $0["id"] as! String } == seen.map { $0["id"] as! String })
        #expect(replayed.map { ($0["seq"] as! NSNumber).int64Value } == Array(first...last))
        #expect(stored.map { ($0["seq"] as! NSNumber).int64Value } == Array(1...last))
        #expect(d.terminate() == 0)
    }

    /// Down across every deadline: the daemon is killed on a simulated clock in Nov 2023 and
    /// comes back on the system clock, so years passed while it was down.
    @Test func seqSurvivesKill9AndMissedDeadlinesArriveOnceLate() throws {
        let d1 = try DaemonProcess(clock: "mode: simulated\n  start: 2023-11-01T07:00:00+07:00")
        try d1.ctl(["import", "units", try write(itUnits, "units.csv", in: d1.dir)])
        try d1.ctl(["import", "members", try write(itMembers, "members.csv", in: d1.dir)])
        let plan = itPlan(opens: "2023-11-01T08:00:00+07:00", selfDue: "2023-11-20", cellDue: "2023-11-25", orgDue: "2023-12-01")
        try d1.ctl(["campaign", "load", try write(plan, "plan.yaml", in: d1.dir)])
        try d1.ctl(["clock", "set", "2023-11-02T08:00:00+07:00"])
        try d1.ctl(["done", "so-a-cb1", "tu-kiem-diem"])
        let beforeKill = try d1.ctlJSON(["events", "--since", "0"]) as! [[String: Any]]
        d1.kill9()
        let dead = try d1.ctl(["status", "--timeout", "1"], allowFailure: true) // reported, not waited on forever
        #expect(dead.status != 0 && dead.err.contains("no reply"))

        let config = try String(contentsOfFile: d1.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "mode: simulated", with: "mode: system").write(toFile: d1.configPath, atomically: true, encoding: .utf8)
        let d2 = try DaemonProcess(dir: d1.dir)
        let events = try d2.ctlJSON(["events", "--since", "0"]) as! [[String: Any]]
        #expect(events.map { ($0["seq"] as! NSNumber).int64Value } == Array(1...Int64(events.count)))
        #expect(events.prefix(beforeKill.count).map { $0["id"] as! String } == beforeKill.map { $0["id"] as! String })
        let missed = events.dropFirst(beforeKill.count)
        #expect(missed.map { "\($0["type"]!) \($0["stage"]!) \($0["unit"]!)" }.sorted() == [
            "deadline.overdue chi-bo cs-b", "deadline.overdue chi-bo so-a-cb1", "deadline.overdue chi-bo so-a-cb2",
            "deadline.overdue co-so cs-b", "deadline.overdue co-so so-a",
            "deadline.overdue tu-kiem-diem cs-b", "deadline.overdue tu-kiem-diem so-a-cb2",
        ])
        #expect(missed.allSatisfy { $0["late"] as? Bool == true })

        // Once: another crash and restart fires nothing new.
        d2.kill9()
        let d3 = try DaemonProcess(dir: d1.dir)
        let again = try d3.ctlJSON(["events", "--since", "0"]) as! [[String: Any]]
        #expect(again.count == events.count)
        #expect(d3.terminate() == 0)
    }
}

/// The real interpreter, not a version-manager shim that would outlive a kill of its own pid.
func pythonExecutable() throws -> URL {
    let r = try run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import sys, zmq; print(sys.executable)"])
    guard r.status == 0 else { throw TestFailure("python3 with pyzmq is needed (pip install pyzmq): \(r.err)") }
    return URL(fileURLWithPath: r.out.trimmingCharacters(in: .whitespacesAndNewlines))
}
