import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemOracles
import KiemDiemWire
import Testing
@testable import KiemDiemEngine

/// The whole 2022 campaign of the sample bloc on a simulated clock, against an oracle that knows
/// nothing of the engine: it reads the CSV files and the plan's YAML itself (its own reading of
/// dates, durations, stages, the ladder), keeps its own record of completions, extensions,
/// acknowledgements and pauses, decides on its own which completions `after` must refuse and
/// which events each move of the clock must fire — to whom, how late — and the test compares
/// the engine with it answer by answer and event by event, over several seeds. The random walk
/// lands exactly on deadlines, pauses and resumes, restarts after downtime (catch-up), extends
/// and acknowledges.
@Suite(.timeLimit(.minutes(5))) struct CampaignSimulationTests {
    typealias Model = CampaignOracle.Model

    static func describe(_ e: EventBody) -> String {
        let at = Instant.parse(e.time, timeZone: hcm)!.timeIntervalSince1970
        var s = "\(e.type) \(e.stage!) \(e.unit!) \(at)\(e.late == true ? " late" : "")"
        if let ms = e.members { s += " [\(ms.map(\.id).joined(separator: ","))]" }
        if e.type == "escalation.raised" { s += " to \(e.to!) level \(e.level!)" }
        return s
    }

    @Test(arguments: [UInt64(2022), 7, 366])
    func wholeCampaignMatchesTheOracle(seed: UInt64) async throws {
        try await offPool { try Self.simulate(seed: seed, check: $0) }
    }

    static func simulate(seed: UInt64, check: Checks) throws {
        let samples = repoRoot.appendingPathComponent("config/samples")
        let unitsText = try String(contentsOf: samples.appendingPathComponent("units.csv"), encoding: .utf8)
        let membersText = try String(contentsOf: samples.appendingPathComponent("members.csv"), encoding: .utf8)
        // The schedule, not the ratings: its stages complete without rating anyone.
        let planText = withoutRatingNeeds(try String(contentsOf: repoRoot.appendingPathComponent("config/plans/2022-annual.yaml"), encoding: .utf8))
        let m = try Model(plan: planText, units: TestCSV.rows(unitsText), members: TestCSV.rows(membersText))
        let f = try Fixture(units: unitsText, members: membersText)
        var engine = f.engine
        try f.load(planText)
        var w = CampaignOracle.World(watermark: m.opens)
        var rng = SeededRandom(seed: seed)
        var expected: [String] = []
        var progressChecks = 0, refusals = 0, answers = 0, exactlyAtDeadline = 0, catchUps = 0, extensions = 0, acks = 0
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
                    expected += CampaignOracle.move(m, &w, to: now, catchUp: true).map(\.line)
                    w.paused = false
                    catchUps += 1
                }
            } else if Int.random(in: 0..<25, using: &rng) == 0 {
                // Down from here until `now`: a new engine on the same store catches up.
                engine = try Engine(store: f.store)
                try engine.advance(to: now, catchUp: true)
                expected += CampaignOracle.move(m, &w, to: now, catchUp: true).map(\.line)
                catchUps += 1
            } else {
                try engine.advance(to: now)
                expected += CampaignOracle.move(m, &w, to: now, catchUp: false).map(\.line)
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
                    let ok = CampaignOracle.allowed(m, w, stage: s, unit: u, member: nil)
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
                _ = try engine.extend(ExtendArgs(unit: u, stage: s.id, until: Instant.format(until, timeZone: hcm), reason: "Gia hạn", cascade: true), now: now)
                expected.append("deadline.extended \(s.id) \(u) \(now.timeIntervalSince1970)")
                extensions += 1
                // --cascade: what comes after it moves along, as the oracle works it out.
                for moved in w.extendCascading(s.id, unit: u, until: until, in: m) {
                    let p = moved.split(separator: "/")
                    expected.append("deadline.extended \(p[0]) \(p[1]) \(now.timeIntervalSince1970)")
                }
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
            // Progress from the rollups against the oracle's count, for a few subtrees.
            for u in [m.root] + (0..<3).compactMap({ _ in m.kind.keys.sorted().randomElement(using: &rng) }) {
                for s in m.stages {
                    let got = try f.store.read { tx in try tx.progress(campaign: "2022-annual", stage: engine.campaign("2022-annual").plan.stage(s.id)!, subtree: tx.unit(u)!.path, now: now) }
                    let want = CampaignOracle.progress(m, w, stage: s, subtree: u, now: now)
                    check(got == want, "seed \(seed): progress of \(s.id) under \(u) at \(now): \(got), the oracle counts \(want)")
                    progressChecks += 1
                }
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
        check(progressChecks > 0 && refusals > 0 && answers > refusals && exactlyAtDeadline > 0 && catchUps > 0 && extensions > 0 && acks > 0,
                "seed \(seed): refusals \(refusals)/\(answers), at deadlines \(exactlyAtDeadline), catch-ups \(catchUps), extensions \(extensions), acks \(acks)")
        check(expected.filter { $0.hasPrefix("escalation.raised") }.count > 100)
        let completed = events.contains { $0.type == "campaign.completed" }
        let allDone = m.stages.allSatisfy { s in m.kind.keys.filter { m.applies(s, $0) }.allSatisfy { w.unitDone.contains("\(s.id)/\($0)") } }
        check(completed == allDone)
    }
}
