import Foundation
import KiemDiemCore
import KiemDiemOracles
import KiemDiemStore
import KiemDiemWire
import Testing
@testable import KiemDiemEngine

/// The plan and the rules agree: the whole 2026 sample campaign (the sample bloc, the shipped
/// 2026 plan, unchanged) run by a diligent actor at every level, each acting a day before each
/// deadline, ends with every rating decided, no overdue notice, no escalation and no refusal.
///
/// What the actor does is the process as the plan's stages name it: each organization studies
/// the documents; every member self-reviews; each cell reviews and proposes its members and
/// rates itself; each sub-committee rates itself; each grassroots organization rates itself and
/// decides its cells, sub-committees and members, all but its own secretary (and the bloc's),
/// whose decision follows the collective's; the bloc's standing committee decides the grassroots
/// organizations and their secretaries; at the last stage the committee above the bloc decides
/// the bloc and its secretary. The levels are a legal final state drawn for the sample (the
/// disciplined members `failed`, excellent members within each organization's cap, cells and
/// organizations excellent where rule 5 and Article 11 allow), checked with the independent oracle.
@Suite(.timeLimit(.minutes(10))) struct DiligentCampaignTests {
    /// Scores and task figures that fit each level under Quy định 366-QĐ/TW, Điều 11.
    static func figures(_ level: Int) -> String {
        ["40,50,0", "60,90,0", "80,100,10", "92,100,35"][level]
    }

    @Test func theWhole2026SampleCampaignRunByADiligentActorEndsDecidedWithNoOverdueAndNoRefusal() async throws {
        try await offPool { try Self.run(check: $0) }
    }

    static func run(check: Checks) throws {
        let samples = repoRoot.appendingPathComponent("config/samples")
        let unitsText = try String(contentsOf: samples.appendingPathComponent("units.csv"), encoding: .utf8)
        let membersText = try String(contentsOf: samples.appendingPathComponent("members.csv"), encoding: .utf8)
        let planText = try String(contentsOf: repoRoot.appendingPathComponent("config/plans/2026-annual.yaml"), encoding: .utf8)
        let f = try Fixture(units: unitsText, members: membersText)
        let plan = try PlanParser.parse(planText, source: "2026-annual.yaml")
        try f.load(planText, now: plan.opens)
        let seq0 = try f.store.read { try $0.lastSeq() }

        // The tree as the oracle reads it, from the files.
        var o = RatingOracle()
        let units = TestCSV.rows(unitsText), members = TestCSV.rows(membersText)
        for u in units {
            o.units[u["id"]!] = .init(id: u["id"]!, parent: u["parent"]!.isEmpty ? nil : u["parent"], kind: u["kind"]!,
                                      head: u["head"]!.isEmpty ? nil : u["head"], disciplined: (u["disciplined"] ?? "") == "true")
        }
        for m in members {
            o.people[m["id"]!] = .init(id: m["id"]!, cell: m["unit"]!, leader: m["role"]! != "member", disciplined: ["true", "2026"].contains { (m["disciplined"] ?? "").hasPrefix($0) })
        }
        let root = plan.root
        func below(_ u: String) -> [String] { o.kids(u).flatMap { [$0] + below($0) } }
        let heads = Set(o.units.values.compactMap(\.head))

        // The final state, level 0 failed … 3 excellent.
        var level: [String: Int] = [:]
        for (id, p) in o.people { level["member:\(id)"] = p.disciplined ? 0 : 2 }
        for (id, u) in o.units {
            let cell = ["cell", "grassroots-cell"].contains(u.kind)
            // A cell none of whose members is disciplined may be excellent (rule 5, Article 11).
            let clean = cell && !o.cellMembers(id).isEmpty && o.cellMembers(id).allSatisfy { !o.people[$0]!.disciplined }
            level["unit:\(id)"] = u.disciplined ? 0 : (clean && u.kind == "cell" ? 3 : 2)
        }
        // Members excellent within each grassroots organization's cap: k ≤ 20% of the good.
        for org in o.units.keys.sorted() where o.isGrassroots(org) {
            let people = o.peopleIn(org)
            let candidates = people.filter { !heads.contains($0) && level["member:\($0)"] == 2 }
            let good = people.filter { level["member:\($0)"] == 2 }.count
            var k = 0
            while k + 1 <= candidates.count, Double(k + 1) <= 0.2 * Double(good - k - 1) + 1e-9 { k += 1 }
            for m in candidates.prefix(k) { level["member:\(m)"] = 3 }
        }
        // Grassroots organizations excellent within the bloc's cap, where their parts allow it.
        let orgs = o.kids(root).sorted()
        let eligible = orgs.filter { org in
            let kind = o.units[org]!.kind
            let parts = kind == "grassroots-cell" ? o.cellMembers(org).map { "member:\($0)" } : o.kids(org).map { "unit:\($0)" }
            let levels = parts.map { level[$0]! }
            let lead = ([o.units[org]!.head].compactMap { $0 } + (kind == "grassroots-cell" ? o.cellMembers(org).filter { o.people[$0]!.leader } : []))
            return !levels.isEmpty && levels.allSatisfy { $0 >= 1 } && levels.filter { $0 >= 2 }.count * 5 >= levels.count * 4
                && lead.allSatisfy { !o.people[$0]!.disciplined } && o.kids(org).allSatisfy { !o.units[$0]!.disciplined }
        }
        var orgsExcellent = 0
        while orgsExcellent + 1 <= eligible.count, Double(orgsExcellent + 1) <= 0.2 * Double(orgs.count - orgsExcellent - 1) + 1e-9 { orgsExcellent += 1 }
        for org in eligible.prefix(orgsExcellent) { level["unit:\(org)"] = 3 }
        // The final state is legal by the independent reading of the rules.
        var final: RatingOracle.Ratings = [:]
        for (k, v) in level { final[k] = ["proposed": .init(level: v), "decided": .init(level: v)] }
        check(o.broken(final).isEmpty, "the drawn final state breaks \(o.broken(final).sorted().prefix(5))")

        var refusals: [String] = []
        var clock = plan.opens
        func rate(_ keys: [String], _ status: String) {
            guard !keys.isEmpty else { return }
            var csv = "subject,kind,level,status,score,on_time,beyond\n"
            for k in keys {
                let p = k.split(separator: ":")
                csv += "\(p[1]),\(p[0]),\(RatingOracle.levels[level[k]!]),\(status),\(figures(level[k]!))\n"
            }
            do { _ = try f.engine.rate(RateArgs(name: "r.csv", content: csv), now: clock, by: "actor") } catch { refusals.append("rate \(keys.prefix(3)): \(error)") }
        }
        func done(_ unit: String, _ stage: String) {
            do { _ = try f.done(unit, stage, now: clock) } catch { refusals.append("done \(unit) \(stage): \(error)") }
        }
        for stage in plan.stages {
            // A day before the deadline.
            clock = stage.due.addingTimeInterval(-86_400)
            _ = try f.engine.advance(to: clock)
            let unitsOfStage = o.units.values.filter { stage.scope.applies(to: UnitKind(rawValue: $0.kind)!) }.map(\.id).sorted()
            switch stage.id {
            case "self-review":
                for cell in o.units.keys.sorted() where !o.cellMembers(cell).isEmpty { done(cell, stage.id) }
            case "cell-review":
                for c in unitsOfStage {
                    rate(o.cellMembers(c).map { "member:\($0)" } + ["unit:\(c)"], "proposed")
                    done(c, stage.id)
                }
            case "sub-committee-review":
                for s in unitsOfStage {
                    rate(["unit:\(s)"], "proposed")
                    done(s, stage.id)
                }
            case "grassroots-review":
                for g in unitsOfStage {
                    if o.units[g]!.kind == "grassroots-committee" { rate(["unit:\(g)"], "proposed") }
                    let waiting: Set<String> = [o.units[g]?.head, o.units[root]?.head].compactMap { $0 }.reduce(into: []) { $0.insert($1) }
                    let people = ([g] + below(g)).flatMap { o.cellMembers($0) }.filter { !waiting.contains($0) }
                    rate(below(g).map { "unit:\($0)" } + people.map { "member:\($0)" }, "decided")
                    done(g, stage.id)
                }
            case "bloc-rating":
                let secretaries = orgs.compactMap { o.units[$0]?.head }.filter { $0 != o.units[root]?.head }
                rate(orgs.map { "unit:\($0)" } + Array(Set(secretaries)).sorted().map { "member:\($0)" }, "decided")
                done(root, stage.id)
            case "commendation":
                // The committee above the bloc decides the bloc, then its secretary.
                rate(["unit:\(root)"], "proposed")
                rate(["unit:\(root)"] + [o.units[root]?.head].compactMap { $0 }.map { "member:\($0)" }, "decided")
                done(root, stage.id)
            default: // study, and any stage that names no rating
                for u in unitsOfStage { done(u, stage.id) }
            }
        }
        _ = try f.engine.advance(to: plan.stages.map(\.due).max()!.addingTimeInterval(30 * 86_400))

        check(refusals.isEmpty, "\(refusals.count) refusal(s): \(refusals.prefix(3))")
        let events = try f.events(since: seq0)
        let types = Dictionary(grouping: events, by: \.type).mapValues(\.count)
        check(types["deadline.overdue"] == nil && types["escalation.raised"] == nil && types["rating.rejected"] == nil,
              "overdue, escalations or refusals: \(types)")
        check(types["campaign.completed"] == 1, "the campaign did not complete: \(types)")
        // Every member and unit decided, at the level drawn.
        var stored: [String: Int] = [:]
        for r in try f.engine.ratings(RatingsArgs(campaign: plan.id)) where r.status == "decided" {
            stored["\(r.kind):\(r.subject)"] = RatingOracle.levels.firstIndex(of: r.level)
        }
        check(stored == level, "decided \(stored.count) of \(level.count); differing: \(level.filter { stored[$0.key] != $0.value }.keys.sorted().prefix(5))")
    }
}
