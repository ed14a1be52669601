import Foundation
import KiemDiemCore
import KiemDiemOracles
import KiemDiemStore
import KiemDiemWire
import PropertyBased
import Testing
@testable import KiemDiemEngine

/// The rollups that `report`, `campaign show` and `overdue` read (per-unit counts kept in the
/// changing transaction) against `CampaignOracle.progress`, which counts item by item from its
/// own record of the tree and of what was done. Random trees, then random sequences of member
/// and unit completions, whole cells, extensions, members moved between cells, cells moved
/// between organizations and new members, with the clock moving on; after every step the
/// progress of every unit and stage must equal the oracle's count.
@Suite(.timeLimit(.minutes(5))) struct RollupPropertyTests {
    static let plan = withoutRatingNeeds(try! String(contentsOf: repoRoot.appendingPathComponent("config/plans/2022-annual.yaml"), encoding: .utf8))

    struct Tree {
        var units: [(id: String, parent: String, kind: String)] = [("duk", "", "bloc")]
        var members: [(id: String, unit: String)] = []
        var next = 0

        mutating func id(_ p: String) -> String { next += 1; return "\(p)\(next)" }

        init(_ rng: inout SeededRandom) {
            for i in 0..<Int.random(in: 2...4, using: &rng) {
                if i > 0, Bool.random(using: &rng) { // the first is a committee, so a cell can move
                    let g = id("g")
                    units.append((g, "duk", "grassroots-cell"))
                    addMembers(g, &rng)
                } else {
                    let g = id("o")
                    units.append((g, "duk", "grassroots-committee"))
                    for _ in 0..<Int.random(in: 1...3, using: &rng) {
                        var parent = g
                        if Int.random(in: 0..<3, using: &rng) == 0 {
                            parent = id("s")
                            units.append((parent, g, "sub-committee"))
                        }
                        let c = id("c")
                        units.append((c, parent, "cell"))
                        addMembers(c, &rng)
                    }
                }
            }
        }

        mutating func addMembers(_ cell: String, _ rng: inout SeededRandom) {
            for _ in 0..<Int.random(in: 1...5, using: &rng) { members.append((id("m"), cell)) }
        }

        var cells: [String] { units.filter { $0.kind == "cell" || $0.kind == "grassroots-cell" }.map(\.id) }
        var unitsCSV: String {
            "id,parent,kind,name\n" + units.map { "\($0.id),\($0.parent),\($0.kind),Đơn vị \($0.id)\n" }.joined()
        }
        var membersCSV: String {
            "id,unit,name,role\n" + members.map { "\($0.id),\($0.unit),Đảng viên \($0.id),member\n" }.joined()
        }
        func model() throws -> CampaignOracle.Model {
            try CampaignOracle.Model(plan: RollupPropertyTests.plan, units: TestCSV.rows(unitsCSV), members: TestCSV.rows(membersCSV))
        }
    }

    @Test func rollupsEqualARecountAfterRandomOperations() async {
        await propertyCheck(count: 15, input: Gen.uint64()) { seed in
            await #expect(throws: Never.self) { try await offPool { try Self.run(seed: seed, check: $0) } }
        }
    }

    static func run(seed: UInt64, check: Checks) throws {
        var rng = SeededRandom(seed: seed)
        var tree = Tree(&rng)
        let f = try Fixture(units: tree.unitsCSV, members: tree.membersCSV)
        try f.load(plan)
        var m = try tree.model()
        var w = CampaignOracle.World(watermark: m.opens)
        var now = m.opens
        let campaign = try f.engine.campaign("2022-annual")

        func compare(_ step: String) throws {
            for (u, _, _) in tree.units {
                for s in m.stages {
                    let got = try f.store.read { tx in
                        try tx.progress(campaign: campaign.id, stage: campaign.plan.stage(s.id)!, subtree: tx.unit(u)!.path, now: now)
                    }
                    let want = CampaignOracle.progress(m, w, stage: s, subtree: u, now: now)
                    check(got == want, "seed \(seed), after \(step): \(s.id) under \(u): \(got), the oracle counts \(want)")
                    // The same, for all children at once (the report's one-query-per-level form).
                    let (rows, children) = try f.store.read { tx in
                        let rows = try tx.childList(of: u)
                        return (rows, try tx.childrenProgress(campaign: campaign.id, stages: [campaign.plan.stage(s.id)!], parent: tx.unit(u)!.path,
                                                              children: rows.map(\.id), now: now)[0])
                    }
                    let kids = tree.units.filter { $0.parent == u }.map(\.id)
                    check(Set(rows.map(\.id)) == Set(kids) && children.count == rows.count, "seed \(seed), after \(step): children of \(u): \(rows.map(\.id).sorted()) ≠ \(kids.sorted())")
                    for (k, got) in zip(rows.map(\.id), children) {
                        let want = CampaignOracle.progress(m, w, stage: s, subtree: k, now: now)
                        check(got == want, "seed \(seed), after \(step): \(s.id) under \(k) as a child of \(u): \(got), the oracle counts \(want)")
                    }
                }
            }
        }

        try compare("the load")
        var unitsDone = 0, extensions = 0, moves = 0
        for round in 0..<12 {
            now = now.addingTimeInterval(Double(Int.random(in: 1...5, using: &rng)) * 86_400)
            try f.engine.advance(to: now)
            // One member, or a whole cell, completes the self-review.
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let (member, cell) = tree.members.randomElement(using: &rng)!
                // (Refused once the whole campaign is complete: a small tree can get there.)
                if Bool.random(using: &rng) {
                    if (try? f.done(cell, "self-review", member: member, now: now)) != nil { w.memberDone.insert("self-review/\(member)") }
                } else if (try? f.done(cell, "self-review", now: now)) != nil {
                    for (m2, c2) in tree.members where c2 == cell { w.memberDone.insert("self-review/\(m2)") }
                }
            }
            // A unit stage, when its prerequisites allow.
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let s = m.stages.filter { !$0.members }.randomElement(using: &rng)!
                guard let u = tree.units.filter({ s.kinds.contains($0.kind) }).randomElement(using: &rng) else { continue }
                if (try? f.done(u.id, s.id, now: now)) != nil { w.unitDone.insert("\(s.id)/\(u.id)"); unitsDone += 1 }
            }
            // An extension for an incomplete unit (a member stage is extended per cell).
            do {
                let s = m.stages.randomElement(using: &rng)!
                let candidates = tree.units.filter { s.members ? tree.cells.contains($0.id) : s.kinds.contains($0.kind) }
                if let u = candidates.randomElement(using: &rng), !w.unitDone.contains("\(s.id)/\(u.id)") {
                    // Later than its deadline (an extension never moves one earlier), some past now;
                    // what comes after it moves along (--cascade), as the oracle works it out.
                    let until = (w.extended["\(s.id)/\(u.id)"] ?? s.due).addingTimeInterval(Double(Int.random(in: 1...6, using: &rng)) * 86_400)
                    if (try? f.engine.extend(ExtendArgs(unit: u.id, stage: s.id, until: Instant.format(until, timeZone: hcm), reason: "Gia hạn", cascade: true), now: now)) != nil {
                        extensions += 1
                        _ = w.extendCascading(s.id, unit: u.id, until: until, in: m)
                    }
                }
            }
            try compare("round \(round)'s completions")
            // The tree changes: members move, new ones join, a cell moves to another organization.
            switch round % 3 {
            case 0:
                for i in tree.members.indices where Int.random(in: 0..<6, using: &rng) == 0 {
                    tree.members[i].unit = tree.cells.randomElement(using: &rng)!
                }
                tree.addMembers(tree.cells.randomElement(using: &rng)!, &rng)
                _ = try f.engine.importMembers(FileArgs(name: "members.csv", content: tree.membersCSV), now: now)
            case 1:
                let committees = tree.units.filter { $0.kind == "grassroots-committee" || $0.kind == "sub-committee" }.map(\.id)
                if let i = tree.units.indices.filter({ tree.units[$0].kind == "cell" }).randomElement(using: &rng),
                   let to = committees.randomElement(using: &rng) {
                    tree.units[i].parent = to
                    moves += 1
                    _ = try f.engine.importUnits(FileArgs(name: "units.csv", content: tree.unitsCSV), now: now)
                }
            default:
                break
            }
            m = try tree.model()
            try compare("round \(round)'s tree change")
        }
        check(unitsDone > 0 && extensions > 0 && moves > 0, "seed \(seed): \(unitsDone) units done, \(extensions) extensions, \(moves) cells moved")
    }
}
