import Foundation
import KiemDiemCore
import KiemDiemOracles
import KiemDiemWire
import PropertyBased
import Testing
@testable import KiemDiemEngine

/// The same legal final state is reachable in any order the stages allow, and an illegal one is
/// refused at some step (docs/rules.md, "In any order").
///
/// A campaign is generated whole: a tree (RatingPropertyTests.World), a final state of proposals
/// and decisions that the independent `RatingOracle` finds legal, and the operations that lead
/// there: one rating per operation, and the `done` of every stage that names ratings. The order
/// the process allows is written here from docs/rules.md, not taken from the engine: a member's
/// proposal needs nothing; a collective's proposal follows its parts' reviews; a unit's decision
/// follows its own proposal, its subordinate units' decisions and its members' reviews; a
/// member's decision follows their cell's decision (a grassroots cell's own rating, which the cell
/// records before deciding its members) and the decisions of the units they head; a stage is done
/// once what it names is recorded and the stages it comes after are done below. The operations
/// are shuffled in a random order that respects those constraints and cut into files of 1–4
/// rows; every one must be accepted. Then one decision of the final state is changed so that
/// the oracle finds it illegal, and some step of the same kind of sequence must be refused.
@Suite(.timeLimit(.minutes(10))) struct RatingOrderPropertyTests {
    typealias World = RatingPropertyTests.World

    /// The plan: the rating stages of the sample plans, all open from the start.
    static let plan = """
        id: t
        title: Kế hoạch thử
        root: duk
        year: 2022
        opens: 2022-11-01T08:00:00+07:00
        stages:
          - id: cell-review
            title: Chi bộ họp kiểm điểm, đề xuất xếp loại đảng viên
            for: [cell, grassroots-cell]
            due: 2022-12-20
          - id: sub-committee-review
            title: Đảng bộ bộ phận tự xếp loại
            for: [sub-committee]
            after: [cell-review]
            due: 2022-12-21
          - id: grassroots-review
            title: Tổ chức cơ sở đảng xếp loại chi bộ, đảng viên
            for: [grassroots-committee, grassroots-cell]
            after: [cell-review, sub-committee-review]
            due: 2022-12-22
          - id: bloc-rating
            title: Ban Thường vụ xếp loại tổ chức cơ sở đảng
            for: [bloc]
            after: [grassroots-review]
            due: 2022-12-23
        """

    enum Op: Hashable, CustomStringConvertible {
        case rate(key: String, status: String)
        case done(unit: String, stage: String)
        var description: String {
            switch self {
            case .rate(let k, let s): "\(s) \(k)"
            case .done(let u, let s): "done \(u) \(s)"
            }
        }
    }

    /// A final state the oracle finds legal: decisions drawn at random and lowered until no rule
    /// is broken; proposals equal to the decisions or, for some members, a level above.
    static func legalFinal(_ w: World, _ rng: inout SeededRandom, check: Checks) -> RatingOracle.Ratings {
        let o = w.oracle
        var dec: [String: Int] = [:]
        for (id, p) in o.people { dec["member:\(id)"] = p.disciplined ? 0 : [3, 2, 2, 2, 1].randomElement(using: &rng)! }
        for (id, u) in o.units { dec["unit:\(id)"] = u.disciplined ? 0 : [3, 3, 2, 2, 1].randomElement(using: &rng)! }
        func state(_ d: [String: Int], _ p: [String: Int]) -> RatingOracle.Ratings {
            var r: RatingOracle.Ratings = [:]
            for (k, v) in d { r[k, default: [:]]["decided"] = .init(level: v) }
            for (k, v) in p { r[k, default: [:]]["proposed"] = .init(level: v) }
            return r
        }
        // Lower what breaks a rule until nothing does (levels only go down, so this ends).
        for _ in 0..<500 {
            let broken = o.broken(state(dec, dec)).sorted()
            guard let f = broken.first else { break }
            let parts = f.split(separator: "|").map(String.init)
            func keyOf(_ at: String) -> String { at.split(separator: ":").prefix(2).joined(separator: ":") }
            switch parts[0] {
            case "disciplined", "conclusion", "disciplined-units": dec[keyOf(parts[1])] = 0
            case "excellent-unit": dec[keyOf(parts[1])] = 2
            case "head-above-unit": dec[keyOf(parts[2])] = dec["unit:\(parts[1])"]!
            case "quota":
                let excellent = parts[2].split(separator: ",").map(String.init)
                let k = excellent.randomElement(using: &rng)!
                dec[k.contains(":") ? k : (o.people[k] != nil ? "member:\(k)" : "unit:\(k)")] = 2
            default: check(false, "unexpected finding \(f)")
            }
        }
        var prop = dec
        for k in dec.keys.sorted() where k.hasPrefix("member:") && dec[k]! < 3 && dec[k]! > 0 && Int.random(in: 0..<4, using: &rng) == 0 {
            prop[k] = dec[k]! + 1
        }
        // Proposals alone (the state before any decision) must hold too.
        var proposals: RatingOracle.Ratings = [:]
        for (k, v) in prop { proposals[k, default: [:]]["proposed"] = .init(level: v) }
        if !o.broken(proposals).isEmpty { prop = dec }
        let final = state(dec, prop)
        check(o.broken(final).isEmpty, "generated final state is not legal: \(o.broken(final))")
        return final
    }

    /// What each operation waits for, from the process as docs/rules.md states it.
    static func prerequisites(_ op: Op, _ w: World) -> [Op] {
        let o = w.oracle
        func below(_ u: String) -> [String] { o.kids(u).flatMap { [$0] + below($0) } }
        func membersBelow(_ u: String) -> [String] { ([u] + below(u)).flatMap { o.cellMembers($0) } }
        func lineage(_ u: String) -> [String] { o.units[u].map { [u] + ($0.parent.map(lineage) ?? []) } ?? [] }
        switch op {
        case .rate(let key, let status):
            let p = key.split(separator: ":").map(String.init)
            let (kind, id) = (p[0], p[1])
            if kind == "member" {
                guard status == "decided", let cell = o.people[id]?.cell else { return [] }
                let collective: Op = .rate(key: "unit:\(cell)", status: o.units[cell]?.kind == "grassroots-cell" ? "proposed" : "decided")
                return [collective, .rate(key: key, status: "proposed")]
                    + o.units.values.filter { $0.head == id }.map { .rate(key: "unit:\($0.id)", status: "decided") }
            }
            let parts = o.cellMembers(id).map { "member:\($0)" } + o.kids(id).map { "unit:\($0)" }
            if status == "proposed" { return parts.map { .rate(key: $0, status: "proposed") } }
            return [.rate(key: key, status: "proposed")] + o.kids(id).map { .rate(key: "unit:\($0)", status: "decided") }
                + o.cellMembers(id).map { .rate(key: "member:\($0)", status: "proposed") }
        case .done(let u, let stage):
            let units = below(u)
            switch stage {
            case "cell-review":
                return [.rate(key: "unit:\(u)", status: "proposed")] + o.cellMembers(u).map { .rate(key: "member:\($0)", status: "proposed") }
            case "sub-committee-review":
                return [.rate(key: "unit:\(u)", status: "proposed")] + units.map { .done(unit: $0, stage: "cell-review") }
            default: // grassroots-review, bloc-rating
                let waiting = Set(lineage(u).compactMap { o.units[$0]?.head })
                let after: [Op] = stage == "bloc-rating"
                    ? units.filter { o.isGrassroots($0) }.map { .done(unit: $0, stage: "grassroots-review") }
                    : ([u] + units).compactMap { x in
                        switch o.units[x]?.kind {
                        case "cell", "grassroots-cell": .done(unit: x, stage: "cell-review")
                        case "sub-committee": .done(unit: x, stage: "sub-committee-review")
                        default: nil
                        }
                    }
                return (stage == "grassroots-review" ? [.rate(key: "unit:\(u)", status: "proposed")] : [])
                    + units.map { .rate(key: "unit:\($0)", status: "decided") }
                    + membersBelow(u).map { .rate(key: "member:\($0)", status: waiting.contains($0) ? "proposed" : "decided") }
                    + after
            }
        }
    }

    static func operations(_ w: World) -> [Op] {
        var ops: [Op] = []
        for k in w.subjects where k != "unit:duk" { ops += [.rate(key: k, status: "proposed"), .rate(key: k, status: "decided")] }
        for (id, u) in w.oracle.units {
            switch u.kind {
            case "cell": ops.append(.done(unit: id, stage: "cell-review"))
            case "grassroots-cell": ops += [.done(unit: id, stage: "cell-review"), .done(unit: id, stage: "grassroots-review")]
            case "sub-committee": ops.append(.done(unit: id, stage: "sub-committee-review"))
            case "grassroots-committee": ops.append(.done(unit: id, stage: "grassroots-review"))
            default: ops.append(.done(unit: id, stage: "bloc-rating"))
            }
        }
        // The bloc's head is decided after the bloc, by the committee above it: outside these stages.
        let blocHead = w.oracle.units["duk"]?.head
        return ops.filter { $0 != .rate(key: "member:\(blocHead ?? "")", status: "decided") }.sorted { $0.description < $1.description }
    }

    /// A random order that respects the prerequisites, cut into files of 1–4 ratings.
    static func shuffled(_ ops: [Op], _ w: World, _ rng: inout SeededRandom, check: Checks) -> [[Op]] {
        let all = Set(ops)
        var done = Set<Op>(), order: [Op] = []
        while order.count < ops.count {
            let ready = ops.filter { !done.contains($0) && prerequisites($0, w).allSatisfy { !all.contains($0) || done.contains($0) } }
            guard let next = ready.randomElement(using: &rng) else { check(false, "no operation ready: a cycle"); return [] }
            done.insert(next)
            order.append(next)
        }
        var files: [[Op]] = []
        var i = 0
        while i < order.count {
            if case .done = order[i] { files.append([order[i]]); i += 1; continue }
            var file: [Op] = []
            let size = Int.random(in: 1...4, using: &rng)
            while i < order.count, file.count < size, case .rate = order[i] { file.append(order[i]); i += 1 }
            files.append(file)
        }
        return files
    }

    /// Applies the files; returns the first refusal, if any.
    static func apply(_ files: [[Op]], final: RatingOracle.Ratings, _ f: Fixture, now: Date) -> String? {
        for file in files {
            do {
                if case .done(let u, let stage) = file[0] {
                    _ = try f.done(u, stage, now: now)
                    continue
                }
                var csv = "subject,kind,level,status\n"
                for case .rate(let key, let status) in file {
                    let p = key.split(separator: ":")
                    csv += "\(p[1]),\(p[0]),\(RatingOracle.levels[final[key]![status]!.level]),\(status)\n"
                }
                _ = try f.engine.rate(RateArgs(name: "r.csv", content: csv), now: now, by: "admin")
            } catch {
                return "\(file) refused: \(error)"
            }
        }
        return nil
    }

    func run(seed: UInt64, check: Checks) throws {
        var rng = SeededRandom(seed: seed)
        let ruleset: Ruleset = Bool.random(using: &rng) ? .hd21 : .qd124
        let world = World(&rng, ruleset: ruleset)
        // The bloc's own rating and its head's decision belong to the committee above it: not part
        // of these stages, so not of the final state either.
        var final = Self.legalFinal(world, &rng, check: check)
        final["unit:duk"] = nil
        if let head = world.oracle.units["duk"]?.head { final["member:\(head)"]?["decided"] = nil }
        let ops = Self.operations(world)
        let plan = Self.plan.replacingOccurrences(of: "year: 2022\n", with: "year: 2022\nruleset: \(ruleset.rawValue)\n")
        let now = at("2022-12-02T08:00:00+07:00")
        // The legal final state, in two different orders: every step accepted, the final state stored.
        for _ in 0..<2 {
            let f = try Fixture(units: world.unitsCSV, members: world.membersCSV)
            try f.load(plan)
            let refusal = Self.apply(Self.shuffled(ops, world, &rng, check: check), final: final, f, now: now)
            check(refusal == nil, "seed \(seed), \(ruleset.rawValue): a legal campaign was refused: \(refusal ?? "")")
            guard refusal == nil else { return }
            var stored: RatingOracle.Ratings = [:]
            for r in try f.engine.ratings(RatingsArgs(campaign: "t")) {
                stored["\(r.kind):\(r.subject)", default: [:]][r.status] = .init(level: RatingOracle.levels.firstIndex(of: r.level)!)
            }
            check(stored == final, "seed \(seed): the stored ratings differ from the final state")
        }
        // One decision changed so that the final state breaks a rule: some step is refused.
        let decided = final.keys.filter { final[$0]?["decided"] != nil }.sorted()
        for _ in 0..<20 {
            var illegal = final
            let k = decided.randomElement(using: &rng)!
            illegal[k]!["decided"] = .init(level: Int.random(in: 0...3, using: &rng))
            guard !world.oracle.broken(illegal).isEmpty else { continue }
            let f = try Fixture(units: world.unitsCSV, members: world.membersCSV)
            try f.load(plan)
            let refusal = Self.apply(Self.shuffled(ops, world, &rng, check: check), final: illegal, f, now: now)
            check(refusal != nil, "seed \(seed): an illegal final state (\(world.oracle.broken(illegal))) was accepted at every step")
            return
        }
    }

    @Test func everyOrderOfALegalCampaignIsAcceptedAndAnIllegalOneIsRefusedSomewhere() async {
        await propertyCheck(count: 30, input: Gen.uint64()) { seed in
            await #expect(throws: Never.self) { try await offPool { try run(seed: seed, check: $0) } }
        }
    }
}
