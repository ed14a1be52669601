import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemTesting
import KiemDiemWire
import Testing
import Yams
@testable import KiemDiemDaemon

/// The whole 2022 campaign of the sample bloc on a simulated clock, against an oracle that knows
/// nothing of the engine: it reads the CSV files and the plan's YAML itself (its own reading of
/// dates, durations, stages, the ladder), keeps its own record of completions, extensions,
/// acknowledgements and pauses, decides on its own which completions `after` must refuse and
/// which events each move of the clock must fire — to whom, how late — and the test compares
/// the engine with it answer by answer and event by event, over several seeds. The random walk
/// lands exactly on deadlines, pauses and resumes, restarts after downtime (catch-up), extends
/// and acknowledges.
@Suite(.timeLimit(.minutes(5))) struct CampaignSimulationTests {
    /// The oracle's model of the plan and the tree.
    struct Model {
        struct Stage {
            var id: String
            var index: Int
            var members: Bool
            var kinds: Set<String>
            var due: Date
            var reminders: [TimeInterval]
            var after: [String]
        }
        var stages: [Stage] = []
        var opens: Date
        var ladder: [(after: TimeInterval, up: Int)] = []
        var every: TimeInterval
        var parent: [String: String] = [:]
        var kind: [String: String] = [:]
        var membersOf: [String: [String]] = [:]
        var root: String

        /// `7d`, `12h`, `30m`, `90s`.
        static func seconds(_ s: String) -> TimeInterval {
            let n = Double(s.dropLast())!
            return n * ["s": 1, "m": 60, "h": 3600, "d": 86_400][String(s.last!)]!
        }

        /// An ISO 8601 instant with offset, or a date-only deadline: 00:00 of that day at +07:00.
        static func instant(_ s: String) -> Date {
            let text = s.count == 10 ? s + "T00:00:00+07:00" : s
            return ISO8601DateFormatter().date(from: text)!
        }

        init(plan yaml: String, units: [[String: String]], members: [[String: String]]) throws {
            // The basic resolver keeps every scalar a string: the oracle reads dates itself.
            let p = try Yams.load(yaml: yaml, .basic) as! [String: Any]
            opens = Model.instant("\(p["opens"]!)")
            root = p["root"] as! String
            for (i, s) in (p["stages"] as! [[String: Any]]).enumerated() {
                let scope = s["for"]
                stages.append(Stage(id: s["id"] as! String, index: i, members: scope as? String == "members",
                                    kinds: Set((scope as? [String]) ?? []), due: Model.instant("\(s["due"]!)"),
                                    reminders: ((s["reminders"] as? [String]) ?? []).map(Model.seconds), after: (s["after"] as? [String]) ?? []))
            }
            let esc = p["escalation"] as! [String: Any]
            for step in esc["ladder"] as! [[String: Any]] {
                ladder.append((Model.seconds(step["after"] as! String), ["unit": 0, "parent": 1, "grandparent": 2]["\(step["to"]!)"]!))
            }
            every = Model.seconds(esc["repeat"] as! String)
            for u in units {
                kind[u["id"]!] = u["kind"]!
                if !u["parent"]!.isEmpty { parent[u["id"]!] = u["parent"]! }
            }
            for m in members { membersOf[m["unit"]!, default: []].append(m["id"]!) }
        }

        var lastDue: Date { stages.map(\.due).max()! }
        func isCell(_ u: String) -> Bool { kind[u] == "cell" || kind[u] == "grassroots-cell" }
        func applies(_ s: Stage, _ u: String) -> Bool { s.members ? isCell(u) && !(membersOf[u] ?? []).isEmpty : s.kinds.contains(kind[u]!) }
        func subtree(_ u: String) -> [String] { kind.keys.filter { k in sequence(first: k) { parent[$0] }.contains(u) } }
        func climb(_ u: String, _ up: Int) -> String {
            var cur = u
            for _ in 0..<up { guard let p = parent[cur] else { break }; cur = p }
            return cur
        }
    }

    /// What the oracle remembers of the campaign so far.
    struct World {
        var unitDone = Set<String>()   // "stage/unit"
        var memberDone = Set<String>() // "stage/member"
        var extended: [String: Date] = [:] // "stage/unit" → its own deadline
        var acked = Set<String>()      // "stage/unit/due epoch"
        var watermark: Date
        var paused = false
    }

    enum Kind: Int { case reminder = 1, overdue = 2, escalation = 3 }

    struct Due: Hashable {
        var at: Date
        var stage: Int
        var kind: Kind
        var step: Int
        var unit: String? // nil: every unit without a deadline of its own
        var due: Date
    }

    /// The instants of one deadline falling in (from, to].
    static func instants(_ m: Model, _ s: Model.Stage, due: Date, unit: String?, from: Date, to: Date) -> [Due] {
        var out: [Due] = []
        func add(_ at: Date, _ k: Kind, _ step: Int = 0) { if at > from && at <= to { out.append(Due(at: at, stage: s.index, kind: k, step: step, unit: unit, due: due)) } }
        for lead in s.reminders where due.addingTimeInterval(-lead) >= m.opens { add(due.addingTimeInterval(-lead), .reminder) }
        add(due, .overdue)
        for (k, step) in m.ladder.enumerated() {
            let start = due.addingTimeInterval(step.after)
            let end = k + 1 < m.ladder.count ? due.addingTimeInterval(m.ladder[k + 1].after) : max(due, m.lastDue).addingTimeInterval(90 * 86_400)
            add(start, .escalation, k)
            var at = start.addingTimeInterval(m.every)
            while at < end { add(at, .escalation, k); at = at.addingTimeInterval(m.every) }
        }
        return out
    }

    /// The events the oracle expects when the clock moves to `to`: in order, or (catch-up) only
    /// the latest of each stage, unit and class, late if before `to`.
    static func move(_ m: Model, _ w: inout World, to: Date, catchUp: Bool) -> [String] {
        var dues: [Due] = []
        for s in m.stages { dues += instants(m, s, due: s.due, unit: nil, from: w.watermark, to: to) }
        for (key, due) in w.extended {
            let p = key.split(separator: "/").map(String.init)
            dues += instants(m, m.stages.first { $0.id == p[0] }!, due: due, unit: p[1], from: w.watermark, to: to)
        }
        dues.sort { ($0.at, $0.stage, $0.kind.rawValue) < ($1.at, $1.stage, $1.kind.rawValue) }
        if catchUp {
            var latest: [String: Due] = [:]
            for d in dues { latest["\(d.stage)/\(d.unit ?? "*")/\(d.kind == .escalation ? 2 : 1)"] = d }
            dues = latest.values.sorted { ($0.at, $0.stage, $0.kind.rawValue) < ($1.at, $1.stage, $1.kind.rawValue) }
        }
        w.watermark = to
        var out: [String] = []
        for d in dues {
            let s = m.stages[d.stage]
            let units = d.unit.map { [$0] } ?? m.kind.keys.filter { m.applies(s, $0) && w.extended["\(s.id)/\($0)"] == nil }
            for u in units.sorted() where m.applies(s, u) && !w.unitDone.contains("\(s.id)/\(u)") {
                let late = s.members ? (m.membersOf[u] ?? []).filter { !w.memberDone.contains("\(s.id)/\($0)") }.sorted() : []
                if s.members && late.isEmpty { continue }
                let when = catchUp && d.at < to ? " late" : ""
                let who = s.members ? " [\(late.joined(separator: ","))]" : ""
                switch d.kind {
                case .reminder: out.append("deadline.reminder \(s.id) \(u) \(d.at.timeIntervalSince1970)\(when)\(who)")
                case .overdue: out.append("deadline.overdue \(s.id) \(u) \(d.at.timeIntervalSince1970)\(when)\(who)")
                case .escalation:
                    guard !w.acked.contains("\(s.id)/\(u)/\(d.due.timeIntervalSince1970)") else { continue }
                    out.append("escalation.raised \(s.id) \(u) \(d.at.timeIntervalSince1970)\(when)\(who) to \(m.climb(u, m.ladder[d.step].up)) level \(d.step)")
                }
            }
        }
        return out
    }

    static func describe(_ e: EventBody) -> String {
        let at = Instant.parse(e.time, timeZone: hcm)!.timeIntervalSince1970
        var s = "\(e.type) \(e.stage!) \(e.unit!) \(at)\(e.late == true ? " late" : "")"
        if let ms = e.members { s += " [\(ms.map(\.id).joined(separator: ","))]" }
        if e.type == "escalation.raised" { s += " to \(e.to!) level \(e.level!)" }
        return s
    }

    /// May `unit` complete `stage` now? Every stage it comes `after` complete in its subtree.
    static func allowed(_ m: Model, _ w: World, stage: Model.Stage, unit: String, member: String?) -> Bool {
        for pre in stage.after.compactMap({ id in m.stages.first { $0.id == id } }) {
            if pre.members, let member { if !w.memberDone.contains("\(pre.id)/\(member)") { return false }; continue }
            for u in m.subtree(unit) where m.applies(pre, u) {
                if pre.members {
                    if (m.membersOf[u] ?? []).contains(where: { !w.memberDone.contains("\(pre.id)/\($0)") }) { return false }
                } else if !w.unitDone.contains("\(pre.id)/\(u)") { return false }
            }
        }
        return true
    }

    @Test(arguments: [UInt64(2022), 7, 366])
    func wholeCampaignMatchesTheOracle(seed: UInt64) async throws {
        try await offPool { try Self.simulate(seed: seed, check: $0) }
    }

    static func simulate(seed: UInt64, check: Checks) throws {
        let samples = repoRoot.appendingPathComponent("config/samples")
        let unitsText = try String(contentsOf: samples.appendingPathComponent("units.csv"), encoding: .utf8)
        let membersText = try String(contentsOf: samples.appendingPathComponent("members.csv"), encoding: .utf8)
        let planText = try String(contentsOf: repoRoot.appendingPathComponent("config/plans/2022-annual.yaml"), encoding: .utf8)
        let m = try Model(plan: planText, units: TestCSV.rows(unitsText), members: TestCSV.rows(membersText))
        let f = try Fixture(units: unitsText, members: membersText)
        var engine = f.engine
        try f.load(planText)
        var w = World(watermark: m.opens)
        var rng = SeededRandom(seed: seed)
        var expected: [String] = []
        var refusals = 0, answers = 0, exactlyAtDeadline = 0, catchUps = 0, extensions = 0, acks = 0
        let deadlines = Set(m.stages.map(\.due))
        let cells = m.kind.keys.filter { m.isCell($0) && !(m.membersOf[$0] ?? []).isEmpty }.sorted()

        var now = m.opens
        let end = Model.instant("2023-01-05")
        var seq = try f.store.read { try $0.lastSeq() }
        while now < end {
            // The clock: mostly a few hours on, sometimes exactly onto the next deadline.
            let nextDeadline = deadlines.filter { $0 > now }.min()
            if let d = nextDeadline, Int.random(in: 0..<5, using: &rng) == 0 { now = d } else {
                now = now.addingTimeInterval(Double(Int.random(in: 2...30, using: &rng)) * 3600)
            }
            if w.paused {
                try engine.advance(to: now)
                if Int.random(in: 0..<3, using: &rng) == 0 {
                    _ = try engine.setPaused("2022-annual", false, now: now)
                    expected += move(m, &w, to: now, catchUp: true)
                    w.paused = false
                    catchUps += 1
                }
            } else if Int.random(in: 0..<25, using: &rng) == 0 {
                // Down from here until `now`: a new engine on the same store catches up.
                engine = try Engine(store: f.store)
                try engine.advance(to: now, catchUp: true)
                expected += move(m, &w, to: now, catchUp: true)
                catchUps += 1
            } else {
                try engine.advance(to: now)
                expected += move(m, &w, to: now, catchUp: false)
            }
            if deadlines.contains(now) { exactlyAtDeadline += 1 }
            guard !w.paused else { continue }

            // Completions, each answer compared with the oracle's.
            for cell in cells {
                for member in m.membersOf[cell]! where !w.memberDone.contains("self-review/\(member)") && Double.random(in: 0..<1, using: &rng) < 0.03 {
                    _ = try engine.done(DoneArgs(unit: cell, stage: "self-review", member: member), now: now, by: "t")
                    w.memberDone.insert("self-review/\(member)")
                    if m.membersOf[cell]!.allSatisfy({ w.memberDone.contains("self-review/\($0)") }) { w.unitDone.insert("self-review/\(cell)") }
                }
            }
            for s in m.stages where !s.members {
                for u in m.kind.keys.sorted() where m.applies(s, u) && !w.unitDone.contains("\(s.id)/\(u)") && Double.random(in: 0..<1, using: &rng) < 0.08 {
                    let ok = allowed(m, w, stage: s, unit: u, member: nil)
                    answers += 1
                    do {
                        _ = try engine.done(DoneArgs(unit: u, stage: s.id), now: now, by: "t")
                        check(ok, "seed \(seed): \(u) completed \(s.id) before its subtree finished what it comes after")
                        w.unitDone.insert("\(s.id)/\(u)")
                    } catch let e as ErrorBody {
                        check(!ok && e.code == .conflict, "seed \(seed): \(u) refused \(s.id): \(e.message)")
                        refusals += 1
                    }
                }
            }
            // A whole cell at once, now and then.
            for cell in cells where !w.unitDone.contains("self-review/\(cell)") && Double.random(in: 0..<1, using: &rng) < 0.005 {
                _ = try engine.done(DoneArgs(unit: cell, stage: "self-review"), now: now, by: "t")
                w.unitDone.insert("self-review/\(cell)")
                for member in m.membersOf[cell]! { w.memberDone.insert("self-review/\(member)") }
            }
            // An extension for one incomplete unit whose stage is not past its deadline.
            if Int.random(in: 0..<3, using: &rng) == 0,
               let s = m.stages.filter({ !$0.members && $0.due > now }).randomElement(using: &rng),
               let u = m.kind.keys.sorted().filter({ m.applies(s, $0) && !w.unitDone.contains("\(s.id)/\($0)") && w.extended["\(s.id)/\($0)"] == nil }).randomElement(using: &rng) {
                let until = s.due.addingTimeInterval(Double(Int.random(in: 1...6, using: &rng)) * 86_400)
                _ = try engine.extend(ExtendArgs(unit: u, stage: s.id, until: Instant.format(until, timeZone: hcm), reason: "Gia hạn"), now: now)
                w.extended["\(s.id)/\(u)"] = until
                expected.append("deadline.extended \(s.id) \(u) \(now.timeIntervalSince1970)")
                extensions += 1
            }
            // The upper committee acknowledges one of the latest escalations.
            let fresh = try f.events(since: seq).filter { $0.type == "escalation.raised" }
            seq = try f.store.read { try $0.lastSeq() }
            if let e = fresh.randomElement(using: &rng), Bool.random(using: &rng) {
                let r = try engine.acknowledge(e.escalation!, now: now, by: "t")
                let dueAt = Instant.parse(e.due!, timeZone: hcm)!.timeIntervalSince1970
                check(r.alreadyAcknowledged == w.acked.contains("\(e.stage!)/\(e.unit!)/\(dueAt)"))
                w.acked.insert("\(e.stage!)/\(e.unit!)/\(dueAt)")
                acks += 1
            }
            // A pause, now and then.
            if Int.random(in: 0..<30, using: &rng) == 0 {
                _ = try engine.setPaused("2022-annual", true, now: now)
                w.paused = true
            }
        }

        let events = try f.events()
        let compared: Set<String> = ["deadline.reminder", "deadline.overdue", "escalation.raised", "deadline.extended"]
        let got = events.filter { compared.contains($0.type) }.map { e in
            e.type == "deadline.extended" ? "deadline.extended \(e.stage!) \(e.unit!) \(Instant.parse(e.time, timeZone: hcm)!.timeIntervalSince1970)" : describe(e)
        }
        check(got.count == expected.count, "seed \(seed): \(got.count) events, the oracle expected \(expected.count)")
        let missing = Set(expected).subtracting(got), extra = Set(got).subtracting(expected)
        check(missing.isEmpty && extra.isEmpty, "seed \(seed): missing \(missing.sorted().prefix(5)), extra \(extra.sorted().prefix(5))")
        check(got.sorted() == expected.sorted())
        check(events.map(\.seq) == Array(1...Int64(events.count)))
        // The walk did what it set out to do.
        check(refusals > 0 && answers > refusals && exactlyAtDeadline > 0 && catchUps > 0 && extensions > 0 && acks > 0,
                "seed \(seed): refusals \(refusals)/\(answers), at deadlines \(exactlyAtDeadline), catch-ups \(catchUps), extensions \(extensions), acks \(acks)")
        check(expected.filter { $0.hasPrefix("escalation.raised") }.count > 100)
        let completed = events.contains { $0.type == "campaign.completed" }
        let allDone = m.stages.allSatisfy { s in m.kind.keys.filter { m.applies(s, $0) }.allSatisfy { w.unitDone.contains("\(s.id)/\($0)") } }
        check(completed == allDone)
    }
}
