import Foundation
import Testing
@testable import KiemDiemCore

/// The repository root, to read the shipped config files.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let minimalPlan = """
id: t
title: Thử
root: duk
year: 2022
opens: 2022-11-01T08:00:00+07:00
stages:
  - id: a
    title: A
    for: members
    due: 2022-11-25
    reminders: [7d, 1d]
  - id: b
    title: B
    for: [cell]
    after: [a]
    due: 2022-12-01
"""

@Suite(.timeLimit(.minutes(5))) struct PlanParserTests {
    @Test func theSeedPlanParses() throws {
        let text = try String(contentsOf: repoRoot.appendingPathComponent("config/plans/2022-annual.yaml"), encoding: .utf8)
        let plan = try PlanParser.parse(text, source: "2022-annual.yaml")
        #expect(plan.id == "2022-annual")
        #expect(plan.opens == Instant.parse("2022-11-01T08:00:00+07:00", timeZone: hcm))
        // docs/rules.md: everything of the bloc completes before 21 Dec 2022.
        #expect(plan.lastDue == Instant.parse("2022-12-21", timeZone: hcm))
        #expect(plan.stage("self-review")?.scope == .members)
        #expect(plan.stage("study")?.isStudy == true)
        #expect(plan.documents.count == 5)
        #expect(plan.escalation?.ladder.map(\.to) == [.unit, .parent, .grandparent])
    }

    @Test func the2026PlanIsUnderQuyDinh366WithItsQuotaStated() throws {
        let text = try String(contentsOf: repoRoot.appendingPathComponent("config/plans/2026-annual.yaml"), encoding: .utf8)
        let plan = try PlanParser.parse(text, source: "2026-annual.yaml")
        #expect(plan.ruleset == .qd366 && plan.year == 2026 && plan.quota == Quota(share: 0.2, denominator: .good))
        #expect(plan.stage("grassroots-review") != nil && plan.stage("bloc-rating") != nil && plan.remediationDueIn == 90 * 86_400)
        // Quy định 366-QĐ/TW leaves the cap to the yearly guidance: the plan must state it, or none.
        let unstated = text.replacingOccurrences(of: "quota: {share: 0.20, denominator: good}\n", with: "")
        #expect(throws: InputErrors.self) { try PlanParser.parse(unstated, source: "p.yaml") }
        let none = text.replacingOccurrences(of: "quota: {share: 0.20, denominator: good}", with: "quota: none")
        #expect(try PlanParser.parse(none, source: "p.yaml").quota == nil)
    }

    @Test func minimalPlan_() throws {
        let plan = try PlanParser.parse(minimalPlan, source: "p.yaml")
        #expect(plan.stages.map(\.id) == ["a", "b"])
        #expect(plan.stages[0].reminders == [7 * 86_400, 86_400])
        #expect(plan.ruleset == .hd21)
        #expect(plan.quota == Quota(share: 0.2, denominator: .good))
    }

    func errors(_ text: String) -> [InputError] {
        do { _ = try PlanParser.parse(text, source: "p.yaml"); return [] } catch { return error.errors }
    }

    @Test func stageDueBeforeItsPrerequisiteIsRejectedNamingBoth() {
        let errs = errors(minimalPlan.replacingOccurrences(of: "due: 2022-12-01", with: "due: 2022-11-20"))
        #expect(errs.contains { $0.reason.contains("stage 'b'") && $0.reason.contains("stage 'a'") && $0.line == 12 }, "\(errs)")
    }

    @Test(arguments: [
        ("after: [a]", "after: [zz]", "unknown stage 'zz'"),
        ("reminders: [7d, 1d]", "reminders: [7d, soon]", "'soon' is not a duration"),
        ("for: [cell]", "for: [office]", "unknown unit kind 'office'"),
        ("year: 2022", "year: 2022\ncolour: red", "unknown key 'colour'"),
        ("due: 2022-11-25", "due: 2022-11-31", "is not an ISO 8601 instant"),
        ("root: duk", "root: Duk", "must match"),
        ("opens: 2022-11-01T08:00:00+07:00", "opens: 2022-11-01T08:00:00", "is not an ISO 8601 instant"),
        ("year: 2022", "year: 2022\nescalation: {ladder: [{after: 1s, to: unit}], repeat: 1s}", "must be at least 1h"),
    ])
    func rejects(_ original: String, _ replacement: String, _ reason: String) {
        let errs = errors(minimalPlan.replacingOccurrences(of: original, with: replacement))
        #expect(errs.contains { $0.reason.contains(reason) && $0.line != nil && $0.source == "p.yaml" }, "\(errs)")
    }

    @Test func invalidYAMLNamesTheLine() {
        let errs = errors("id: t\nstages: [a, b\n")
        #expect(errs.count == 1 && errs[0].line != nil && errs[0].reason.contains("invalid YAML"), "\(errs)")
    }

    @Test func missingKeysAreAllReported() {
        let errs = errors("id: t\n")
        for key in ["title", "root", "year", "opens", "stages"] {
            #expect(errs.contains { $0.reason.contains("missing '\(key)'") }, "\(key): \(errs)")
        }
    }
}

@Suite(.timeLimit(.minutes(5))) struct ScheduleTests {
    let plan = try! PlanParser.parse(minimalPlan, source: "p.yaml")
    func at(_ s: String) -> Date { Instant.parse(s, timeZone: hcm)! }

    @Test func firesOpeningRemindersAndOverdueInOrder() {
        let s = Schedule(plan: plan)
        let ts = s.triggers(after: at("2022-10-01"), through: at("2023-01-01"))
        let summary = ts.map { "\($0.stage):\($0.kind):\(Instant.format($0.instant, timeZone: hcm))" }
        #expect(summary == [
            "a:opened:2022-11-01T08:00:00+07:00",
            "b:opened:2022-11-01T08:00:00+07:00",
            "a:reminder(lead: 604800):2022-11-18T00:00:00+07:00",
            "a:reminder(lead: 86400):2022-11-24T00:00:00+07:00",
            "a:overdue:2022-11-25T00:00:00+07:00",
            "b:overdue:2022-12-01T00:00:00+07:00",
        ])
        #expect(s.nextInstant(after: at("2022-11-18")) == at("2022-11-24"))
        #expect(s.nextInstant(after: at("2022-12-01")) == nil)
    }

    @Test func rangeIsHalfOpen() {
        let s = Schedule(plan: plan)
        #expect(s.triggers(after: at("2022-11-18"), through: at("2022-11-24")).map(\.kind) == [.reminder(lead: 86_400)])
    }

    @Test func anExtensionAddsTriggersForThatUnitOnly() {
        var s = Schedule(plan: plan)
        s.extend(stage: "a", unit: "c1", until: at("2022-11-30"))
        let ts = s.triggers(after: at("2022-11-25"), through: at("2022-12-01")).filter { $0.unit == "c1" }
        #expect(ts.map(\.kind) == [.reminder(lead: 86_400), .overdue])
        #expect(ts.last?.due == at("2022-11-30"))
    }

    @Test func catchUpKeepsOnlyTheLatestPerStageAndUnit() {
        var s = Schedule(plan: plan)
        s.extend(stage: "a", unit: "c1", until: at("2022-11-28"))
        let all = s.triggers(after: at("2022-10-01"), through: at("2022-11-26"))
        let c = Schedule.collapsedForCatchUp(all)
        let summary = Set(c.map { "\($0.stage):\($0.unit ?? "*"):\($0.kind)" })
        #expect(summary == ["a:*:opened", "b:*:opened", "a:*:overdue", "a:c1:reminder(lead: 604800)"])
        #expect(c.allSatisfy { $0.late })
    }
}

@Suite(.timeLimit(.minutes(5))) struct PlanOrderTests {
    @Test func cyclesInAfterAreRejected() {
        let text = minimalPlan.replacingOccurrences(of: "due: 2022-12-01", with: "due: 2022-11-25")
            .replacingOccurrences(of: "    reminders: [7d, 1d]", with: "    reminders: [7d, 1d]\n    after: [b]")
        do { _ = try PlanParser.parse(text, source: "p.yaml"); Issue.record("accepted a cycle") } catch {
            #expect(error.errors.contains { $0.reason.contains("cycle: a → b → a") || $0.reason.contains("cycle: b → a → b") }, "\(error.errors)")
        }
    }

    @Test func aStageCannotOpenBeforeThePlan() {
        let text = minimalPlan.replacingOccurrences(of: "    due: 2022-12-01", with: "    due: 2022-12-01\n    opens: 2022-10-01")
        do { _ = try PlanParser.parse(text, source: "p.yaml"); Issue.record("accepted") } catch {
            #expect(error.errors.contains { $0.reason.contains("before the plan opens") })
        }
    }
}

@Suite(.timeLimit(.minutes(5))) struct EscalationScheduleTests {
    let plan = try! PlanParser.parse(minimalPlan + """

        escalation:
          ladder:
            - {after: 0d, to: unit}
            - {after: 3d, to: parent}
            - {after: 7d, to: grandparent}
          repeat: 2d
        """, source: "p.yaml")
    func at(_ s: String) -> Date { Instant.parse(s, timeZone: hcm)! }

    @Test func theLadderClimbsAtItsTimeoutsAndRepeatsBetweenSteps() {
        let s = Schedule(plan: plan)
        let ts = s.triggers(after: at("2022-11-24T12:00:00+07:00"), through: at("2022-12-06")).filter { $0.stage == "a" }
        let summary = ts.map { "\($0.kind) \(Instant.vietnameseDate($0.instant, timeZone: hcm))" }
        #expect(summary == [
            "overdue 25/11/2022", "escalation(step: 0, round: 0) 25/11/2022",
            "escalation(step: 0, round: 1) 27/11/2022",                                 // repeat of step 0 (2d)
            "escalation(step: 1, round: 0) 28/11/2022", "escalation(step: 1, round: 1) 30/11/2022",
            "escalation(step: 2, round: 0) 02/12/2022", "escalation(step: 2, round: 1) 04/12/2022",
            "escalation(step: 2, round: 2) 06/12/2022",                                 // the last step repeats on
        ])
    }

    @Test func windowsDoNotChangeWhatFires() {
        // Firing in many small windows yields exactly what one big window yields.
        let s = Schedule(plan: plan)
        let whole = s.triggers(after: at("2022-11-01"), through: at("2023-01-15"))
        var pieces: [Trigger] = []
        var from = at("2022-11-01")
        while from < at("2023-01-15") {
            let to = min(from.addingTimeInterval(37 * 3600), at("2023-01-15"))
            pieces += s.triggers(after: from, through: to)
            from = to
        }
        #expect(pieces == whole)
        #expect(s.nextInstant(after: at("2022-12-04T01:00:00+07:00")) == at("2022-12-06"))
    }

    @Test func repeatsEndAfterTheHorizon() {
        // The last due is 1 Dec 2022; repeats stop 90 days after it (1 Mar 2023). The
        // grandparent step of both stages repeats every 2 days from 2 Dec (a) and 8 Dec (b): the
        // last repeat before 1 Mar is 28 Feb 2023, 00:00, for both.
        let s = Schedule(plan: plan)
        let lastRepeat = at("2023-02-28T00:00:00+07:00")
        let final = s.triggers(after: at("2023-02-27"), through: at("2024-01-01"))
        #expect(final.map(\.instant) == [lastRepeat, lastRepeat])
        #expect(final.allSatisfy { if case .escalation(step: 2, _) = $0.kind { true } else { false } })
        #expect(s.lastInstant == at("2023-03-01T00:00:00+07:00")) // the horizon: last due + 90 days
        #expect(s.nextInstant(after: lastRepeat) == nil)
    }

    @Test func catchUpKeepsTheLatestEscalationBesideTheOverdue() {
        let s = Schedule(plan: plan)
        let c = Schedule.collapsedForCatchUp(s.triggers(after: at("2022-11-24T12:00:00+07:00"), through: at("2022-11-29"))).filter { $0.stage == "a" }
        #expect(c.map(\.kind) == [.overdue, .escalation(step: 1, round: 0)])
    }
}

/// `escalation.above` (issue 25, item 8): the body above the campaign's root.
@Suite struct PlanAboveTests {
    let base = """
        id: t
        title: Kế hoạch
        root: duk
        year: 2022
        opens: 2022-11-01T08:00:00+07:00
        stages:
          - {id: a, title: Tự kiểm điểm, for: members, due: 2022-11-25}
        escalation:
          ladder:
            - {after: 0d, to: unit}
            - {after: 3d, to: parent}

        """

    func errors(_ text: String) -> [InputError] {
        do { _ = try PlanParser.parse(text, source: "p.yaml"); return [] } catch { return error.errors }
    }

    @Test func aBodyAboveTheRootIsANameAndAnAddress() throws {
        let p = try PlanParser.parse(base + "  above: {name: Ban Thường vụ Tỉnh ủy, email: btv@tinhuy.vn, phone: 0912 345 678}\n", source: "p.yaml")
        #expect(p.escalation?.above == Escalation.Above(name: "Ban Thường vụ Tỉnh ủy", email: "btv@tinhuy.vn", phone: "0912345678"))
        #expect(try PlanParser.parse(base, source: "p.yaml").escalation?.above == nil)
    }

    @Test(arguments: [
        ("  above: {email: btv@tinhuy.vn}\n", "escalation.above: missing 'name'", 12),
        ("  above: {name: Ban Thường vụ, email: not-an-address}\n", "is not an e-mail address", 12),
        ("  above: {name: Ban Thường vụ}\n", "give an 'email' or a 'phone'", 12),
        ("  above: {name: Ban Thường vụ, email: a@b.vn, fax: 1}\n", "unknown key 'fax'", 12),
        ("  above:\n    name: Ban Thường vụ\n    phone: abc\n", "escalation.above.phone 'abc'", 14),
    ])
    func badBodiesAreRefusedWithTheirLine(_ yaml: String, _ reason: String, _ line: Int) {
        let errs = errors(base + yaml)
        #expect(errs.contains { $0.reason.contains(reason) && $0.line == line && $0.source == "p.yaml" }, "\(errs)")
    }
}
