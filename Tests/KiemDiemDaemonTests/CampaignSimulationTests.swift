import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Testing
@testable import KiemDiemDaemon

/// The whole 2022 campaign of the sample bloc on a simulated clock: units and members complete
/// at random (seeded) times, and every reminder and overdue event is checked against an
/// independent oracle built from the completion log — exactly the incomplete units, each once.
@Suite(.timeLimit(.minutes(5))) struct CampaignSimulationTests {
    @Test(arguments: [UInt64(2022), 7])
    func wholeCampaignMatchesTheOracle(seed: UInt64) throws {
        let samples = repoRoot.appendingPathComponent("config/samples")
        let f = try Fixture(units: try String(contentsOf: samples.appendingPathComponent("units.csv"), encoding: .utf8),
                            members: try String(contentsOf: samples.appendingPathComponent("members.csv"), encoding: .utf8))
        let planText = try String(contentsOf: repoRoot.appendingPathComponent("config/plans/2022-annual.yaml"), encoding: .utf8)
        let plan = try PlanParser.parse(planText, source: "2022-annual.yaml")
        try f.load(planText)
        var rng = SeededRandom(seed: seed)

        let units = try f.store.read { try $0.allUnits() }
        let members = try f.store.read { tx in try units.filter(\.kind.holdsMembers).flatMap { u in try tx.membersOf(unit: u.id).map { ($0.id, u.id) } } }
        // The oracle's log: when each (stage, unit) and (stage, member) completed.
        var unitDone: [String: Date] = [:]
        var memberDone: [String: Date] = [:]
        var refusals = 0

        var now = plan.opens
        let end = at("2022-12-24")
        while now < end {
            now = now.addingTimeInterval(6 * 3600)
            try f.engine.advance(to: now)
            // Members self-review with a probability that grows over time.
            for (m, cell) in members where memberDone["self-review/\(m)"] == nil && Double.random(in: 0..<1, using: &rng) < 0.04 {
                let r = try f.done(cell, "self-review", member: m, now: now)
                memberDone["self-review/\(m)"] = now
                if r.unitCompleted { unitDone["self-review/\(cell)"] = now }
            }
            for stage in plan.stages where !stage.isMemberStage {
                for u in units where stage.scope.applies(to: u.kind) && unitDone["\(stage.id)/\(u.id)"] == nil
                    && Double.random(in: 0..<1, using: &rng) < 0.08 {
                    do {
                        if try f.done(u.id, stage.id, now: now).unitCompleted { unitDone["\(stage.id)/\(u.id)"] = now }
                    } catch let e as ErrorBody where e.code == .conflict {
                        refusals += 1 // its subtree is not done yet: expected, try again later
                    }
                }
            }
            // Some cells record everyone at once.
            for u in units where u.kind.holdsMembers && unitDone["self-review/\(u.id)"] == nil && Double.random(in: 0..<1, using: &rng) < 0.01 {
                _ = try f.done(u.id, "self-review", now: now)
                unitDone["self-review/\(u.id)"] = now
                for (m, cell) in members where cell == u.id && memberDone["self-review/\(m)"] == nil { memberDone["self-review/\(m)"] = now }
            }
        }
        #expect(refusals > 0)

        // The oracle: at each reminder/overdue instant, the units of the stage that had not completed.
        let events = try f.events()
        let fired = events.filter { $0.type == "deadline.reminder" || $0.type == "deadline.overdue" }
        var expected: [String: [String]] = [:] // "type stage unit time" → late members
        for stage in plan.stages {
            let instants = stage.reminders.map { ("deadline.reminder", stage.due.addingTimeInterval(TimeInterval(-$0))) } + [("deadline.overdue", stage.due)]
            for (type, instant) in instants {
                for u in units where stage.scope.applies(to: u.kind) {
                    if let d = unitDone["\(stage.id)/\(u.id)"], d <= instant { continue }
                    var late: [String] = []
                    if stage.isMemberStage {
                        late = members.filter { $0.1 == u.id && (memberDone["\(stage.id)/\($0.0)"].map { $0 > instant } ?? true) }.map(\.0).sorted()
                    }
                    expected["\(type) \(stage.id) \(u.id) \(Instant.format(instant, timeZone: plan.zone))"] = late
                }
            }
        }
        // The escalation ladder: each step (and its repeats) for every unit still incomplete then.
        var expectedSteps: [String: Int] = [:] // "stage unit time" → level
        let ladder = plan.escalation!.ladder
        for stage in plan.stages {
            for (k, step) in ladder.enumerated() {
                var at = stage.due.addingTimeInterval(TimeInterval(step.after))
                let next = k + 1 < ladder.count ? stage.due.addingTimeInterval(TimeInterval(ladder[k + 1].after)) : Date.distantFuture
                while at < next, at <= now {
                    for u in units where stage.scope.applies(to: u.kind) && (unitDone["\(stage.id)/\(u.id)"].map { $0 > at } ?? true) {
                        expectedSteps["\(stage.id) \(u.id) \(Instant.format(at, timeZone: plan.zone))"] = k
                    }
                    at = at.addingTimeInterval(TimeInterval(plan.escalation!.repeatEvery!))
                }
            }
        }
        var gotSteps: [String: Int] = [:]
        for e in events where e.type == "escalation.raised" {
            let key = "\(e.stage!) \(e.unit!) \(e.time)"
            #expect(gotSteps[key] == nil, "escalated twice: \(key)")
            gotSteps[key] = e.level
        }
        #expect(gotSteps == expectedSteps)
        #expect(gotSteps.count > 100)

        var got: [String: [String]] = [:]
        for e in fired {
            let key = "\(e.type) \(e.stage!) \(e.unit!) \(e.time)"
            #expect(got[key] == nil, "fired twice: \(key)")
            got[key] = (e.members ?? []).map(\.id)
        }
        #expect(got.count == expected.count)
        #expect(got == expected)
        #expect(events.map(\.seq) == Array(1...Int64(events.count)))
        #expect(fired.count > 100) // the campaign was eventful
        let completed = events.contains { $0.type == "campaign.completed" }
        let allDone = plan.stages.allSatisfy { s in units.filter { s.scope.applies(to: $0.kind) }.allSatisfy { unitDone["\(s.id)/\($0.id)"] != nil } }
        #expect(completed == allDone)
    }
}
