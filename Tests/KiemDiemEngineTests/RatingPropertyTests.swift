import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemOracles
import KiemDiemWire
import PropertyBased
import Testing
@testable import KiemDiemEngine

/// Generated trees and random sequences of rate / annul / conclude / discipline / flag / unflag,
/// through the engine, each answer compared with the independent `RatingOracle`: the engine
/// accepts exactly what the oracle finds legal, after every accepted operation the oracle finds
/// no broken rule but the conflicts that later facts brought, and a refused operation changes
/// nothing.
@Suite(.timeLimit(.minutes(15))) struct RatingPropertyTests {
    /// A random tree: a bloc, 2–4 grassroots organizations (cells, or committees with cells and
    /// sub-committees), 1–5 members per cell, heads drawn from the subtree (so the head of a
    /// higher unit sits in a lower cell), some members and units disciplined, in the campaign's
    /// year or another.
    struct World {
        var unitsCSV = "id,parent,kind,name,head,email,disciplined\n"
        var membersCSV = "id,unit,name,role,email,disciplined\n"
        var oracle = RatingOracle()
        var memberRows: [String: (cell: String, role: String, disciplined: String)] = [:]
        var subjects: [String] = [] // "member:…" and "unit:…"

        init(_ rng: inout SeededRandom, ruleset: Ruleset) {
            oracle.roleGroups = ruleset == .qd124
            oracle.unitDisciplineRule = ruleset == .qd124
            var n = 0
            func next(_ p: String) -> String { n += 1; return "\(p)\(n)" }
            func discipline(_ rng: inout SeededRandom) -> String {
                switch Int.random(in: 0..<20, using: &rng) {
                case 0: "true"
                case 1: "2022-0\(Int.random(in: 1...9, using: &rng))-15"
                case 2: "2021-06-01"
                default: ""
                }
            }
            var units: [(id: String, parent: String?, kind: String, head: String?, disciplined: String)] = []
            func cell(_ parent: String, kind: String, _ rng: inout SeededRandom) -> [String] {
                let id = next("c")
                let members = (0..<Int.random(in: 1...5, using: &rng)).map { _ in next("m") }
                for (i, m) in members.enumerated() {
                    let role = i == 0 ? "secretary" : (Int.random(in: 0..<4, using: &rng) == 0 ? "deputy" : "member")
                    memberRows[m] = (id, role, discipline(&rng))
                }
                units.append((id, parent, kind, members[0], Int.random(in: 0..<8, using: &rng) == 0 ? "true" : ""))
                return members
            }
            units.append(("duk", nil, "bloc", nil, ""))
            var blocMembers: [String] = []
            for _ in 0..<Int.random(in: 2...4, using: &rng) {
                if Bool.random(using: &rng) {
                    blocMembers += cell("duk", kind: "grassroots-cell", &rng)
                } else {
                    let g = next("g")
                    let gi = units.count
                    units.append((g, "duk", "grassroots-committee", nil, ""))
                    var inside: [String] = []
                    for _ in 0..<[1, 1, 1, 2, 3].randomElement(using: &rng)! {
                        if Int.random(in: 0..<3, using: &rng) == 0 {
                            let s = next("s")
                            let si = units.count
                            units.append((s, g, "sub-committee", nil, ""))
                            var sub: [String] = []
                            for _ in 0..<Int.random(in: 1...2, using: &rng) { sub += cell(s, kind: "cell", &rng) }
                            units[si].head = sub.randomElement(using: &rng)
                            inside += sub
                        } else {
                            inside += cell(g, kind: "cell", &rng)
                        }
                    }
                    units[gi].head = inside.randomElement(using: &rng)
                    blocMembers += inside
                }
            }
            units[0].head = blocMembers.randomElement(using: &rng)
            for u in units {
                unitsCSV += "\(u.id),\(u.parent ?? ""),\(u.kind),Đơn vị \(u.id),\(u.head ?? ""),,\(u.disciplined)\n"
                oracle.units[u.id] = .init(id: u.id, parent: u.parent, kind: u.kind, head: u.head, disciplined: u.disciplined == "true")
                subjects.append("unit:\(u.id)")
            }
            for (m, row) in memberRows.sorted(by: { $0.key < $1.key }) {
                membersCSV += "\(m),\(row.cell),Đảng viên \(m),\(row.role),,\(row.disciplined)\n"
                oracle.people[m] = .init(id: m, cell: row.cell, leader: row.role != "member", disciplined: World.counts(row.disciplined))
                subjects.append("member:\(m)")
            }
        }

        static func counts(_ d: String) -> Bool { d == "true" || d.hasPrefix("2022-") }
    }

    static let levels = RatingOracle.levels

    /// One seed: a tree, a rule set, a sequence of 200 operations.
    func run(seed: UInt64, check: Checks) throws {
        var rng = SeededRandom(seed: seed)
        let ruleset: Ruleset = Bool.random(using: &rng) ? .hd21 : .qd124
        var world = World(&rng, ruleset: ruleset)
        let f = try Fixture(units: world.unitsCSV, members: world.membersCSV)
        let plan = smallPlan.replacingOccurrences(of: "year: 2022\n", with: "year: 2022\nruleset: \(ruleset.rawValue)\n")
        try f.load(plan)
        let now = at("2022-12-02T08:00:00+07:00")
        var model: RatingOracle.Ratings = [:]
        var conflicts = Set<String>() // what facts recorded after the ratings broke
        let context = "seed \(seed), \(ruleset.rawValue)"

        func engineRatings() throws -> RatingOracle.Ratings {
            var out: RatingOracle.Ratings = [:]
            for r in try f.engine.ratings(RatingsArgs()) {
                out["\(r.kind):\(r.subject)", default: [:]][r.status] = .init(level: World.levelIndex(r.level), commendation: r.commendation)
            }
            return out
        }

        for step in 0..<200 {
            let seq = try f.store.read { try $0.lastSeq() }
            let members = try f.store.read { try $0.allMembers() }.map { "\($0.id)\($0.discipline.map(\.text) ?? "")" }.sorted()
            let before = world.oracle.broken(model)
            var accepted = false
            var expected: Bool?
            let roll = Int.random(in: 0..<100, using: &rng)
            let where_ = "\(context), step \(step)"
            switch roll {
            case 0..<80: // rate 1–3 rows
                var rows: [(key: String, status: String, level: Int, commendation: Bool)] = []
                for _ in 0..<[1, 1, 1, 2, 3].randomElement(using: &rng)! {
                    // Mostly what a campaign would do next (a review not yet proposed, a decision
                    // whose prerequisites are in place), sometimes anything at all.
                    let ready = world.subjects.filter { model[$0]?["decided"] == nil && !world.oracle.orderBroken([$0], in: model) }
                    let unproposed = world.subjects.filter { model[$0] == nil }
                    let pick = Int.random(in: 0..<10, using: &rng)
                    let (key, status): (String, String) = if pick < 5, let k = ready.randomElement(using: &rng) { (k, "decided") }
                        else if pick < 8, let k = unproposed.randomElement(using: &rng) { (k, "proposed") }
                        else { (world.subjects.randomElement(using: &rng)!, Bool.random(using: &rng) ? "decided" : "proposed") }
                    guard !rows.contains(where: { $0.key == key && $0.status == status }) else { continue }
                    var level = [3, 3, 3, 2, 2, 2, 1, 0].randomElement(using: &rng)!
                    if pick < 8, Int.random(in: 0..<4, using: &rng) > 0 { level = min(level, world.highestLegal(key, status, model)) }
                    rows.append((key, status, level, level == 3 && Int.random(in: 0..<4, using: &rng) == 0 || Int.random(in: 0..<30, using: &rng) == 0))
                }
                var csv = "subject,kind,level,commendation,status\n"
                for r in rows {
                    let p = r.key.split(separator: ":")
                    csv += "\(p[1]),\(p[0]),\(Self.levels[r.level]),\(r.commendation),\(r.status)\n"
                }
                var after = model
                for r in rows { after[r.key, default: [:]][r.status] = .init(level: r.level, commendation: r.commendation) }
                let alreadyDecided = rows.contains { model[$0.key]?["decided"] != nil }
                let brought = world.oracle.broken(after).subtracting(before)
                let order = world.oracle.orderBroken(rows.filter { $0.status == "decided" }.map(\.key), in: after)
                expected = !alreadyDecided && brought.isEmpty && !order
                do {
                    _ = try f.engine.rate(RateArgs(name: "r.csv", content: csv), now: now, by: "admin")
                    accepted = true
                    model = after
                } catch is ErrorBody {}
                check(accepted == expected, "\(where_): rate \(csv) oracle \(expected!) (brought \(brought), order \(order))")
            case 80..<88: // annul, with or without the cascade
                let rated = model.keys.sorted()
                guard let key = rated.randomElement(using: &rng) else { continue }
                let status = model[key]?["decided"] != nil ? "decided" : "proposed"
                let cascade = Bool.random(using: &rng)
                var after = model
                after[key]?[status] = nil
                if after[key]?.isEmpty == true { after[key] = nil }
                let dependents = !world.oracle.broken(after).subtracting(before).isEmpty || model[key]![status]!.commendation
                expected = cascade || !dependents
                let p = key.split(separator: ":").map(String.init)
                do {
                    let r = try f.engine.annul(AnnulArgs(subject: p[1], kind: p[0], reason: "Xem xét lại", cascade: cascade ? true : nil), now: now, by: "admin")
                    accepted = true
                    for a in r.ratings ?? [] {
                        model["\(a.kind):\(a.subject)"]?[a.status] = nil
                        if model["\(a.kind):\(a.subject)"]?.isEmpty == true { model["\(a.kind):\(a.subject)"] = nil }
                    }
                    check(r.ratings?.first.map { "\($0.kind):\($0.subject):\($0.status)" } == "\(key):\(status)", "\(where_)")
                    check(world.oracle.broken(model).subtracting(before).isEmpty, "\(where_): the cascade left \(world.oracle.broken(model).subtracting(before))")
                } catch is ErrorBody {}
                check(accepted == expected, "\(where_): annul \(key) \(status) cascade \(cascade), oracle \(expected!)")
            case 88..<92: // a conclusion about a member
                guard let m = world.oracle.people.keys.sorted().randomElement(using: &rng) else { continue }
                world.oracle.concludedPeople.insert(m)
                _ = try f.engine.conclude(ConcludeArgs(member: m, reasons: ["degradation"], note: "Kết luận"), now: now, by: "admin")
                accepted = true
            case 92..<96: // a discipline recorded now, in the year or another
                guard let m = world.memberRows.keys.sorted().randomElement(using: &rng) else { continue }
                // A discipline of another year changes nothing here; one of a member already
                // disciplined in the year keeps counting.
                let date = world.oracle.people[m]!.disciplined || Int.random(in: 0..<3, using: &rng) > 0 ? "2022-11-20" : "2021-11-20"
                world.memberRows[m]!.disciplined = date
                world.oracle.people[m]!.disciplined = World.counts(date)
                var csv = "id,unit,name,role,email,disciplined\n"
                for (id, row) in world.memberRows.sorted(by: { $0.key < $1.key }) { csv += "\(id),\(row.cell),Đảng viên \(id),\(row.role),,\(row.disciplined)\n" }
                _ = try f.engine.importMembers(FileArgs(name: "members.csv", content: csv), now: now)
                accepted = true
            default: // a flag with a conclusion of disunity, then its closing: the conclusion stands
                guard let u = world.oracle.units.keys.filter({ $0 != "duk" }).sorted().randomElement(using: &rng) else { continue }
                world.oracle.concludedUnits.insert(u)
                _ = try f.engine.flag(FlagArgs(unit: u, reasons: ["disunity"], note: "Mất đoàn kết", confirmed: true), now: now, by: "admin")
                _ = try f.engine.unflag(UnflagArgs(unit: u, note: "Đã kiểm điểm"), now: now, by: "admin")
                accepted = true
            }
            // The engine holds what the oracle predicts, and a refused change left no trace but
            // its published rejections.
            check(try engineRatings() == model, "\(where_): the stored ratings differ from the oracle's")
            let events = try f.events(since: seq)
            if !accepted {
                check(events.allSatisfy { $0.type == "rating.rejected" }, "\(where_): a refused change published \(events.map(\.type))")
                check(try f.store.read { try $0.allMembers() }.map { "\($0.id)\($0.discipline.map(\.text) ?? "")" }.sorted() == members)
                continue
            }
            let broken = world.oracle.broken(model)
            if expected == nil {
                // A fact: what it broke is published as conflicts, one event per rating.
                let new = broken.subtracting(before)
                check(events.filter { $0.type == "rating.conflict" }.count == new.count, "\(where_): conflicts \(new)")
                conflicts.formUnion(new)
            }
            check(broken.subtracting(conflicts).isEmpty, "\(where_): broken rules \(broken.subtracting(conflicts))")
        }
    }

    // 24 campaigns of 200 operations: about three minutes of debug build on one core; the
    // limit is a safety net for a loaded machine, far above that.
    @Test(.timeLimit(.minutes(15))) func theEngineAgreesWithTheOracleOnRandomCampaigns() async {
        await propertyCheck(count: 24, input: Gen.uint64()) { seed in
            // Seconds of synchronous work: on a thread of its own, not on the cooperative pool
            // that the other suites' async tests share.
            await #expect(throws: Never.self) { try await offPool { try run(seed: seed, check: $0) } }
        }
    }

    @Test func theSampleBlocHasNoOrderCycle() throws {
        let samples = repoRoot.appendingPathComponent("config/samples")
        let units = try TreeImport.parseUnits(try String(contentsOf: samples.appendingPathComponent("units.csv"), encoding: .utf8), source: "units.csv").map(\.unit)
        let kinds = Dictionary(uniqueKeysWithValues: units.map { ($0.id, $0.kind) })
        let members = try TreeImport.parseMembers(try String(contentsOf: samples.appendingPathComponent("members.csv"), encoding: .utf8), source: "members.csv") { kinds[$0] }
        let tree = RatingTree(units: units, members: members)
        #expect(orderCycleIn(tree) == nil)
        // And the constraints are the ones the rules impose: a member's decision waits for every
        // unit they head (a grassroots committee's secretary sitting in one of its cells too).
        let secretary = try #require(tree.units["so-tai-chinh"]?.head)
        #expect(RatingRules.prerequisites(of: RatingRef(kind: .member, subject: secretary, status: .decided), tree: tree)
            .contains(RatingRef(kind: .unit, subject: "so-tai-chinh", status: .decided)))
    }

    @Test func generatedTreesHaveNoOrderCycle() async {
        await propertyCheck(count: 100, input: Gen.uint64()) { seed in
            var rng = SeededRandom(seed: seed)
            let world = World(&rng, ruleset: .hd21)
            let units = try! TreeImport.parseUnits(world.unitsCSV, source: "u").map(\.unit)
            let kinds = Dictionary(uniqueKeysWithValues: units.map { ($0.id, $0.kind) })
            let members = try! TreeImport.parseMembers(world.membersCSV, source: "m") { kinds[$0] }
            #expect(orderCycleIn(RatingTree(units: units, members: members)) == nil)
        }
    }
}

extension RatingPropertyTests.World {
    static func levelIndex(_ s: String) -> Int { RatingOracle.levels.firstIndex(of: s)! }

    /// A level the rules can allow for the subject as things stand: the generator leans on it so
    /// that campaigns get far (decisions up to the bloc), and leaves the rest to chance.
    func highestLegal(_ key: String, _ status: String, _ model: RatingOracle.Ratings) -> Int {
        let p = key.split(separator: ":", maxSplits: 1).map(String.init)
        let o = oracle
        if p[0] == "member" {
            if o.people[p[1]]?.disciplined == true || o.concludedPeople.contains(p[1]) { return 0 }
            guard status == "decided" else { return 3 }
            return o.units.values.filter { $0.head == p[1] }.compactMap { model["unit:\($0.id)"]?["decided"]?.level }.min() ?? 3
        }
        if o.units[p[1]]?.disciplined == true || o.concludedUnits.contains(p[1]) { return 0 }
        if o.unitDisciplineRule {
            let k = o.kids(p[1])
            if !k.isEmpty, k.filter({ o.units[$0]?.disciplined == true }).count * 5 > k.count { return 0 }
        }
        return 3
    }
}

/// A cycle among the order constraints of a tree, if any.
func orderCycleIn(_ tree: RatingTree) -> [RatingRef]? {
    var state: [RatingRef: Int] = [:]
    func visit(_ n: RatingRef) -> Bool {
        if state[n] == 2 { return false }
        if state[n] == 1 { return true }
        state[n] = 1
        for p in RatingRules.prerequisites(of: n, tree: tree) where visit(p) { return true }
        state[n] = 2
        return false
    }
    for id in tree.units.keys.sorted() + tree.members.keys.sorted() {
        for st in RatingStatus.allCases {
            let n = RatingRef(kind: tree.units[id] != nil ? .unit : .member, subject: id, status: st)
            if visit(n) { return [n] }
        }
    }
    return nil
}
