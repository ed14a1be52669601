import Testing
@testable import KiemDiemCore

/// Each rule of DOMAIN.md "Rules in force for 2022", table-driven. The tree:
///   duk (bloc) ─ gc (grassroots committee, no head) ─ c1 (cell, head h1): h1, m1…m6, d1 (disciplined)
///              └ g2 (grassroots cell, head h2): h2, n1
let ratingContext = RatingContext(
    units: [
        OrgUnit(id: "duk", parent: nil, kind: .bloc, name: "Đảng bộ Khối"),
        OrgUnit(id: "gc", parent: "duk", kind: .grassrootsCommittee, name: "Đảng bộ Sở"),
        OrgUnit(id: "c1", parent: "gc", kind: .cell, name: "Chi bộ 1", head: "h1"),
        OrgUnit(id: "g2", parent: "duk", kind: .grassrootsCell, name: "Chi bộ Sở B", head: "h2"),
    ],
    members: [
        Member(id: "h1", unit: "c1", name: "Bí thư", role: .secretary),
        Member(id: "m1", unit: "c1", name: "A", role: .member), Member(id: "m2", unit: "c1", name: "B", role: .member),
        Member(id: "m3", unit: "c1", name: "C", role: .member), Member(id: "m4", unit: "c1", name: "D", role: .member),
        Member(id: "m5", unit: "c1", name: "E", role: .member), Member(id: "m6", unit: "c1", name: "F", role: .deputy),
        Member(id: "d1", unit: "c1", name: "G", role: .member, disciplined: true),
        Member(id: "h2", unit: "g2", name: "Bí thư 2", role: .secretary), Member(id: "n1", unit: "g2", name: "H", role: .member),
    ],
    confirmedFlags: ["g2": [.disunity]])

func m(_ id: String, _ l: RatingLevel, commend: Bool = false) -> RatingEntry { RatingEntry(subject: id, kind: .member, level: l, commendation: commend) }
func u(_ id: String, _ l: RatingLevel) -> RatingEntry { RatingEntry(subject: id, kind: .unit, level: l) }

@Suite struct RatingRulesTests {
    func rules(_ entries: [RatingEntry], ruleset: Ruleset = .hd21, quota: Quota = Quota()) -> [String] {
        RatingRules.check(entries, context: ratingContext, ruleset: ruleset, quota: quota).map(\.rule).sorted()
    }

    // (the rows, the rule numbers of DOMAIN.md they break)
    @Test(arguments: [
        // Rule 1: excellent ≤ 20% of good within the grassroots organization.
        ([u("c1", .good), m("m1", .excellent), m("m2", .good), m("m3", .good), m("m4", .good), m("m5", .good), m("n1", .good)], ["quota"]), // n1 is in g2
        ([u("c1", .good), m("m1", .excellent), m("m2", .good), m("m3", .good), m("m4", .good), m("m5", .good), m("m6", .good)], [String]()),
        ([u("c1", .good), m("m1", .excellent), m("m2", .excellent), m("m3", .good), m("m4", .good), m("m5", .good)], ["quota"]),
        // Rule 2: the head not above the unit; Rule 7: the head after the unit.
        ([u("c1", .completed), m("h1", .good)], ["head-above-unit"]),
        ([m("h1", .good), u("c1", .good)], ["order-head"]),
        // Rule 3: a disciplined member is `failed`.
        ([m("d1", .completed)], ["disciplined"]),
        ([m("d1", .failed)], []),
        // Rule 4: a confirmed disunity conclusion forces `failed` on the collective.
        ([u("g2", .completed)], ["flagged-unit"]),
        ([u("g2", .failed)], []),
        // Rule 5: an excellent cell needs 100% ≥ completed and 80% ≥ good among its members.
        ([m("m1", .good), m("m2", .good), m("m3", .good), m("m4", .good), m("m5", .good), m("m6", .completed), m("d1", .failed), u("c1", .excellent)], ["excellent-unit"]),
        // Rule 6: commendation only for excellent.
        ([m("n1", .good, commend: true)], ["commendation"]),
        // Rule 7: lower levels first: gc before its cell c1 is refused.
        ([u("gc", .good)], ["order-children"]),
        ([u("c1", .good), u("gc", .good)], []),
    ])
    func hd21(_ entries: [RatingEntry], _ expected: [String]) {
        #expect(rules(entries) == expected.sorted())
    }

    @Test func theQuotaDenominatorIsASetting() {
        // 1 excellent, 4 good: 20%·4 = 0.8 allows none; counting the excellent one too, 20%·5 = 1 allows it.
        let rows = [u("c1", .good), m("m1", .excellent), m("m2", .good), m("m3", .good), m("m4", .good), m("m5", .good)]
        #expect(rules(rows) == ["quota"])
        #expect(rules(rows, quota: Quota(share: 0.2, denominator: .goodOrBetter)) == [])
    }

    @Test func qd124CountsTheQuotaWithinRoleGroups() {
        // Leaders (deputy m6) and members counted apart: one excellent deputy among no good leaders is over.
        let rows = [u("c1", .good), m("m6", .excellent), m("m1", .good), m("m2", .good), m("m3", .good), m("m4", .good), m("m5", .good)]
        #expect(rules(rows) == []) // hd21: 1 excellent of 5 good in the whole organization
        #expect(rules(rows, ruleset: .qd124) == ["role-quota"])
    }

    @Test func findingsNameTheSubjectsAndTheNumbers() {
        let f = RatingRules.check([u("c1", .good), m("m1", .excellent), m("m2", .excellent), m("m3", .good)], context: ratingContext, ruleset: .hd21, quota: Quota())
        let quota = f.first { $0.rule == "quota" }!
        #expect(quota.unit == "gc" && quota.subjects == ["m1", "m2"])
        #expect(quota.message.contains("2 đảng viên") && quota.message.contains("tối đa 0"))
    }
}
