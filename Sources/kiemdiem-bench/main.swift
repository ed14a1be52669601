// Release-mode measurements of the engine against raw baselines measured in the same run.
// The baselines use GRDB directly (the one place outside KiemDiemStore that does): they are
// the raw cost of the same SQLite work without the engine.
// Usage: kiemdiem-bench UNITS.csv MEMBERS.csv PLAN.yaml   (bench/run.sh generates the inputs)
import Foundation
import GRDB
import KiemDiemCore
import KiemDiemEngine
import KiemDiemStore
import KiemDiemWire

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func rssMiB() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kb / 1024
}

func row(_ name: String, _ ours: Double, _ base: Double, _ unit: String) {
    print(String(format: "%-40@ %10.3f s   baseline %10.3f s   ratio %6.2fx   %@", name as NSString, ours, base, ours / max(base, 1e-9), unit as NSString))
}

let args = CommandLine.arguments
guard args.count == 4 else { print("usage: kiemdiem-bench UNITS.csv MEMBERS.csv PLAN.yaml"); exit(2) }
let unitsText = try String(contentsOfFile: args[1], encoding: .utf8)
let membersText = try String(contentsOfFile: args[2], encoding: .utf8)
let planText = try String(contentsOfFile: args[3], encoding: .utf8)
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dir) }
let rss0 = rssMiB()

// 1. Import: raw GRDB inserts of the same member rows vs the validated, all-or-nothing import.
let memberRows = try CSV.parse(membersText, source: "members.csv").dropFirst()
let base1 = try seconds {
    let q = try DatabaseQueue(path: dir.appendingPathComponent("raw.sqlite").path)
    try q.write { db in
        try db.execute(sql: "CREATE TABLE member(id TEXT PRIMARY KEY, unit TEXT, name TEXT, role TEXT, email TEXT, disciplined INT)")
        let st = try db.makeStatement(sql: "INSERT INTO member VALUES (?, ?, ?, ?, ?, ?)")
        for r in memberRows { try st.execute(arguments: StatementArguments(r.fields)) }
    }
}
let store = try Store(path: dir.appendingPathComponent("kd.sqlite").path)
let engine = try Engine(store: store)
let ours1 = try seconds {
    _ = try engine.importUnits(FileArgs(name: "units.csv", content: unitsText), now: Date())
    _ = try engine.importMembers(FileArgs(name: "members.csv", content: membersText), now: Date())
}
let counts = try store.read { try $0.counts() }
print("tree: \(counts.units) units, \(counts.cells) cells, \(counts.members) members")
row("import units+members", ours1, base1, String(format: "%.0f members/s", Double(counts.members) / ours1))

// 2. Firing a member-stage reminder: one event per cell listing its late members, vs a raw
//    scan of the same join.
let plan = try PlanParser.parse(planText, source: "plan.yaml")
_ = try engine.loadCampaign(FileArgs(name: "plan.yaml", content: planText), now: plan.opens)
let first = plan.stages.first(where: \.isMemberStage)!
let firstReminder = first.due.addingTimeInterval(TimeInterval(-(first.reminders.first ?? 0)))
var scanned = 0
let base2 = try seconds {
    try store.read { _ in }
    let q = try DatabaseQueue(path: dir.appendingPathComponent("kd.sqlite").path)
    try q.read { db in
        let c = try Row.fetchCursor(db, sql: "SELECT u.id, u.name, u.path, m.id, m.name FROM unit u JOIN member m ON m.unit = u.id ORDER BY u.path, m.id")
        while try c.next() != nil { scanned += 1 }
    }
}
var fired = 0
let ours2 = try seconds { fired = try engine.advance(to: firstReminder) }
row("fire one member-stage reminder", ours2, base2, "\(fired) events (per cell), \(scanned) member rows")

// 3. Recording completions one request at a time vs raw single-row transactions.
let members = try store.read { tx in try tx.membersOf(unit: tx.allUnits().first { $0.kind.holdsMembers }!.id) }
let cells = try store.read { try $0.allUnits().filter(\.kind.holdsMembers) }
let sample = Array(cells.prefix(2000))
let base3 = try seconds {
    let q = try DatabaseQueue(path: dir.appendingPathComponent("raw.sqlite").path)
    try q.write { try $0.execute(sql: "CREATE TABLE done(id TEXT PRIMARY KEY, at INT)") }
    for (i, c) in sample.enumerated() { try q.write { try $0.execute(sql: "INSERT INTO done VALUES (?, ?)", arguments: [c.id, i]) } }
}
let now = firstReminder.addingTimeInterval(3600)
let ours3 = try seconds {
    for c in sample { _ = try engine.done(DoneArgs(unit: c.id, stage: first.id), now: now, by: "bench") }
}
row("done (whole cell), \(sample.count) requests", ours3, base3, String(format: "%.2f ms/request", ours3 / Double(sample.count) * 1000))
_ = members

// 4. The overdue instant after that: only the cells still incomplete fire.
let ours4 = try seconds { fired = try engine.advance(to: first.due) }
print(String(format: "%-40@ %10.3f s   %d events", "advance to the deadline (3d, 1d, overdue)" as NSString, ours4, fired))

// 5. Memory: the engine holds per-stage triggers and per-unit extensions, not members.
let triggers = engine.schedules.values.map { $0.triggers(after: .distantPast, through: .distantFuture).count }.reduce(0, +)
print(String(format: "RSS %.1f MiB (%.1f MiB at start); scheduler holds %d triggers for %d members", rssMiB(), rss0, triggers, counts.members))
