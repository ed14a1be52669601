import Foundation
import Yams

/// An independent reading of a campaign's schedule for the tests: it reads the plan's YAML (with
/// Yams' basic resolver, every scalar a string) and the tree's CSV itself, keeps its own record of
/// completions, extensions, acknowledgements and pauses, and says which completions `after` must
/// refuse and which events each move of the clock must fire — to whom, how late, with which id.
/// Written apart from the engine (no code of it is imported here).
public enum CampaignOracle {
    /// The plan and the tree as the oracle reads them.
    public struct Model: Sendable {
        public struct Stage: Sendable {
            public var id: String
            public var index: Int
            public var members: Bool
            public var kinds: Set<String>
            public var due: Date
            public var reminders: [TimeInterval]
            public var after: [String]
        }
        public var id: String
        public var stages: [Stage] = []
        public var opens: Date
        public var ladder: [(after: TimeInterval, up: Int)] = []
        public var every: TimeInterval
        public var parent: [String: String] = [:]
        public var kind: [String: String] = [:]
        public var membersOf: [String: [String]] = [:]
        public var root: String

        /// `7d`, `12h`, `30m`, `90s`.
        public static func seconds(_ s: String) -> TimeInterval {
            let n = Double(s.dropLast())!
            return n * ["s": 1, "m": 60, "h": 3600, "d": 86_400][String(s.last!)]!
        }

        /// An ISO 8601 instant with offset, or a date-only deadline: 00:00 of that day at +07:00
        /// (Asia/Ho_Chi_Minh has no daylight saving).
        public static func instant(_ s: String) -> Date {
            let text = s.count == 10 ? s + "T00:00:00+07:00" : s
            return ISO8601DateFormatter().date(from: text)!
        }

        public init(plan yaml: String, units: [[String: String]], members: [[String: String]]) throws {
            let p = try Yams.load(yaml: yaml, .basic) as! [String: Any]
            id = p["id"] as! String
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

        public var lastDue: Date { stages.map(\.due).max()! }
        public func isCell(_ u: String) -> Bool { kind[u] == "cell" || kind[u] == "grassroots-cell" }
        public func applies(_ s: Stage, _ u: String) -> Bool { s.members ? isCell(u) && !(membersOf[u] ?? []).isEmpty : s.kinds.contains(kind[u]!) }
        public func subtree(_ u: String) -> [String] { kind.keys.filter { k in sequence(first: k) { parent[$0] }.contains(u) } }
        /// The committee `up` levels above `u`; nil when that is above the campaign's root (the
        /// model's plans name no body there) or `u` itself for a step other than `to: unit`:
        /// such a step is skipped.
        public func climb(_ u: String, _ up: Int) -> String? {
            var cur = u
            for _ in 0..<up {
                guard cur != root, let p = parent[cur] else { return nil }
                cur = p
            }
            return cur
        }
        public func stage(_ id: String) -> Stage? { stages.first { $0.id == id } }
    }

    /// What the oracle remembers of the campaign so far.
    public struct World: Sendable {
        public var unitDone = Set<String>()   // "stage/unit"
        public var memberDone = Set<String>() // "stage/member"
        public var extended: [String: Date] = [:] // "stage/unit" → its own deadline
        public var acked = Set<String>()      // "stage/unit/due epoch"
        public var watermark: Date
        public var paused = false
        public init(watermark: Date) { self.watermark = watermark }

        /// `extend --cascade` as docs/rules.md states it: the stages that come after `stage`, for
        /// the unit and its ancestors, due before `until` and not completed, move to `until`;
        /// and so on down the chain. Records the moves and returns them ("stage/unit").
        public mutating func extendCascading(_ stage: String, unit: String, until: Date, in m: Model) -> [String] {
            extended["\(stage)/\(unit)"] = until
            var moved: [String] = []
            var work = [(stage, [unit])]
            while let (st, us) = work.popLast() {
                let holders = Set(us.flatMap { x in Array(sequence(first: x) { m.parent[$0] }) })
                for d in m.stages where d.after.contains(st) {
                    var hit: [String] = []
                    for h in holders.sorted() where !d.members && d.kinds.contains(m.kind[h]!) && !unitDone.contains("\(d.id)/\(h)")
                        && (extended["\(d.id)/\(h)"] ?? d.due) < until {
                        extended["\(d.id)/\(h)"] = until
                        moved.append("\(d.id)/\(h)")
                        hit.append(h)
                    }
                    if !hit.isEmpty { work.append((d.id, hit)) }
                }
            }
            return moved
        }
    }

    /// A stage's progress in the subtree of `unit` at `now`, counted item by item: its members
    /// (member stage) or its units of the stage's kinds, how many are done, and how many are not
    /// done past their deadline (a unit's own, once extended, else the stage's).
    public static func progress(_ m: Model, _ w: World, stage s: Model.Stage, subtree unit: String, now: Date) -> (total: Int, completed: Int, overdue: Int) {
        var total = 0, done = 0, late = 0
        for u in m.subtree(unit) {
            let due = w.extended["\(s.id)/\(u)"] ?? s.due
            let itemsDone: [Bool] = s.members
                ? (m.membersOf[u] ?? []).map { w.memberDone.contains("\(s.id)/\($0)") }
                : (s.kinds.contains(m.kind[u]!) ? [w.unitDone.contains("\(s.id)/\(u)")] : [])
            for isDone in itemsDone {
                total += 1
                if isDone { done += 1 } else if due <= now { late += 1 }
            }
        }
        return (total, done, late)
    }

    enum Kind: Int { case reminder = 1, overdue = 2, escalation = 3 }

    struct Due {
        var at: Date
        var stage: Int
        var kind: Kind
        var lead: TimeInterval = 0
        var step = 0
        var round = 0
        var unit: String? // nil: every unit without a deadline of its own
        var due: Date
    }

    /// One event the oracle expects: its line (compared with the engine's events) and its id.
    public struct Expected: Sendable, Equatable {
        public var line: String
        public var id: String
        public var type: String
        public var unit: String
        /// Who is notified: the unit, or for an escalation the committee it goes to.
        public var recipient: String
    }

    /// The instants of one deadline falling in (from, to].
    static func instants(_ m: Model, _ s: Model.Stage, due: Date, unit: String?, from: Date, to: Date) -> [Due] {
        var out: [Due] = []
        func add(_ d: Due) { if d.at > from && d.at <= to { out.append(d) } }
        for lead in s.reminders where due.addingTimeInterval(-lead) >= m.opens {
            add(Due(at: due.addingTimeInterval(-lead), stage: s.index, kind: .reminder, lead: lead, unit: unit, due: due))
        }
        add(Due(at: due, stage: s.index, kind: .overdue, unit: unit, due: due))
        for (k, step) in m.ladder.enumerated() {
            let start = due.addingTimeInterval(step.after)
            let end = k + 1 < m.ladder.count ? due.addingTimeInterval(m.ladder[k + 1].after) : max(due, m.lastDue).addingTimeInterval(90 * 86_400)
            add(Due(at: start, stage: s.index, kind: .escalation, step: k, unit: unit, due: due))
            var round = 1
            while start.addingTimeInterval(Double(round) * m.every) < end {
                add(Due(at: start.addingTimeInterval(Double(round) * m.every), stage: s.index, kind: .escalation, step: k, round: round, unit: unit, due: due))
                round += 1
            }
        }
        return out
    }

    static func text(_ seconds: TimeInterval) -> String {
        let s = Int64(seconds)
        if s % 86_400 == 0 { return "\(s / 86_400)d" }
        if s % 3600 == 0 { return "\(s / 3600)h" }
        if s % 60 == 0 { return "\(s / 60)m" }
        return "\(s)s"
    }

    /// The events expected when the clock moves to `to`: in order, or (catch-up after downtime or
    /// a pause) only the latest of each stage, unit and class, late if before `to`.
    public static func move(_ m: Model, _ w: inout World, to: Date, catchUp: Bool) -> [Expected] {
        var dues: [Due] = []
        for s in m.stages { dues += instants(m, s, due: s.due, unit: nil, from: w.watermark, to: to) }
        for (key, due) in w.extended {
            let p = key.split(separator: "/").map(String.init)
            dues += instants(m, m.stage(p[0])!, due: due, unit: p[1], from: w.watermark, to: to)
        }
        let order = { (a: Due, b: Due) in (a.at, a.stage, a.kind.rawValue) < (b.at, b.stage, b.kind.rawValue) }
        dues.sort(by: order)
        if catchUp {
            var latest: [String: Due] = [:]
            for d in dues { latest["\(d.stage)/\(d.unit ?? "*")/\(d.kind == .escalation ? 2 : 1)"] = d }
            dues = latest.values.sorted(by: order)
        }
        w.watermark = to
        var out: [Expected] = []
        for d in dues {
            let s = m.stages[d.stage]
            let units = d.unit.map { [$0] } ?? m.kind.keys.filter { m.applies(s, $0) && w.extended["\(s.id)/\($0)"] == nil }
            let dueEpoch = Int64(d.due.timeIntervalSince1970)
            for u in units.sorted() where m.applies(s, u) && !w.unitDone.contains("\(s.id)/\(u)") {
                let late = s.members ? (m.membersOf[u] ?? []).filter { !w.memberDone.contains("\(s.id)/\($0)") }.sorted() : []
                if s.members && late.isEmpty { continue }
                let when = catchUp && d.at < to ? " late" : ""
                let who = s.members ? " [\(late.joined(separator: ","))]" : ""
                let at = d.at.timeIntervalSince1970
                switch d.kind {
                case .reminder:
                    out.append(Expected(line: "deadline.reminder \(s.id) \(u) \(at)\(when)\(who)",
                                        id: "\(m.id)/deadline.reminder/\(s.id)/\(u)/\(dueEpoch)/\(text(d.lead))", type: "deadline.reminder", unit: u, recipient: u))
                case .overdue:
                    out.append(Expected(line: "deadline.overdue \(s.id) \(u) \(at)\(when)\(who)",
                                        id: "\(m.id)/deadline.overdue/\(s.id)/\(u)/\(dueEpoch)", type: "deadline.overdue", unit: u, recipient: u))
                case .escalation:
                    guard !w.acked.contains("\(s.id)/\(u)/\(d.due.timeIntervalSince1970)") else { continue }
                    guard let to = m.climb(u, m.ladder[d.step].up) else { continue }
                    out.append(Expected(line: "escalation.raised \(s.id) \(u) \(at)\(when)\(who) to \(to) level \(d.step)",
                                        id: "\(m.id)/escalation.raised/\(s.id)/\(u)/\(dueEpoch)/\(d.step)/\(d.round)", type: "escalation.raised", unit: u, recipient: to))
                }
            }
        }
        return out
    }

    /// May `unit` complete `stage` now? Every stage it comes `after` complete in its subtree.
    public static func allowed(_ m: Model, _ w: World, stage: Model.Stage, unit: String, member: String?) -> Bool {
        for pre in stage.after.compactMap({ m.stage($0) }) {
            if pre.members, let member { if !w.memberDone.contains("\(pre.id)/\(member)") { return false }; continue }
            for u in m.subtree(unit) where m.applies(pre, u) {
                if pre.members {
                    if (m.membersOf[u] ?? []).contains(where: { !w.memberDone.contains("\(pre.id)/\($0)") }) { return false }
                } else if !w.unitDone.contains("\(pre.id)/\(u)") { return false }
            }
        }
        return true
    }
}
