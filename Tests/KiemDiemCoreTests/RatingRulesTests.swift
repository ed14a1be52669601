import Testing
@testable import KiemDiemCore

/// Each rule of docs/rules.md "Rules in force", table-driven, as a change to a campaign's state.
/// The tree:
///   duk (bloc) ─ gc (grassroots committee, head p1) ─ c1 (cell, head h1): h1, m1…m6, d1 (disciplined)
///              │                                    └ c3 (cell, head p2): p1…p5  (p1 heads gc, a higher unit)
///              └ g2 (grassroots cell, head h2, a conclusion of disunity): h2, n1
let ratingTree = RatingTree(
    units: [
        OrgUnit(id: "duk", parent: nil, kind: .bloc, name: "Đảng bộ Khối"),
        OrgUnit(id: "gc", parent: "duk", kind: .grassrootsCommittee, name: "Đảng bộ Sở", head: "p1"),
        OrgUnit(id: "c1", parent: "gc", kind: .cell, name: "Chi bộ 1", head: "h1"),
        OrgUnit(id: "c3", parent: "gc", kind: .cell, name: "Chi bộ 3", head: "p2"),
        OrgUnit(id: "g2", parent: "duk", kind: .grassrootsCell, name: "Chi bộ Sở B", head: "h2"),
    ],
    members: [
        Member(id: "h1", unit: "c1", name: "Bí thư", role: .secretary),
        Member(id: "m1", unit: "c1", name: "A", role: .member), Member(id: "m2", unit: "c1", name: "B", role: .member),
        Member(id: "m3", unit: "c1", name: "C", role: .member), Member(id: "m4", unit: "c1", name: "D", role: .member),
        Member(id: "m5", unit: "c1", name: "E", role: .member), Member(id: "m6", unit: "c1", name: "F", role: .deputy),
        Member(id: "d1", unit: "c1", name: "G", role: .member, discipline: .on("2022-06-01")),
        Member(id: "p1", unit: "c3", name: "P1", role: .member), Member(id: "p2", unit: "c3", name: "P2", role: .secretary),
        Member(id: "p3", unit: "c3", name: "P3", role: .member), Member(id: "p4", unit: "c3", name: "P4", role: .member),
        Member(id: "p5", unit: "c3", name: "P5", role: .member),
        Member(id: "h2", unit: "g2", name: "Bí thư 2", role: .secretary), Member(id: "n1", unit: "g2", name: "H", role: .member),
    ])

func pm(_ id: String, _ l: RatingLevel, commend: Bool = false) -> RatingEntry { RatingEntry(subject: id, kind: .member, level: l, status: .proposed, commendation: commend) }
func dm(_ id: String, _ l: RatingLevel, commend: Bool = false) -> RatingEntry { RatingEntry(subject: id, kind: .member, level: l, status: .decided, commendation: commend) }
func pu(_ id: String, _ l: RatingLevel) -> RatingEntry { RatingEntry(subject: id, kind: .unit, level: l, status: .proposed) }
func du(_ id: String, _ l: RatingLevel) -> RatingEntry { RatingEntry(subject: id, kind: .unit, level: l, status: .decided) }

/// The cells' reviews: every member of c1 and c3 proposed (d1 `failed`, being disciplined).
let reviewed: [RatingEntry] = ["h1", "m1", "m2", "m3", "m4", "m5", "m6"].map { pm($0, .good) } + [pm("d1", .failed)]
    + ["p1", "p2", "p3", "p4", "p5"].map { pm($0, .good) }

func ratingState(_ ratings: [RatingEntry] = reviewed, ruleset: Ruleset = .hd21, quota: Quota? = Quota()) -> RatingState {
    var s = RatingState(tree: ratingTree, year: 2022, ruleset: ruleset, quota: quota, ratings: ratings)
    s.conclusions = [RatingKey(.unit, "g2"): [.disunity]]
    return s
}

/// What a change brings: the invariant findings the state gains, and the order findings of what
/// it decides. Empty: the change is accepted.
func brought(_ entries: [RatingEntry], into s: RatingState) -> [String] {
    var after = s
    for e in entries { after.set(e) }
    return (RatingRules.newFindings(before: RatingRules.invariants(s), after: RatingRules.invariants(after))
        + RatingRules.orderFindings(for: entries, in: after)).map(\.rule).sorted()
}

@Suite(.timeLimit(.minutes(5))) struct RatingRulesTests {
    // (the change to the reviewed state, the rules it breaks: docs/rules.md's numbers in comments)
    @Test(arguments: [
        // Rule 2: the head not above the unit; rule 7: the head after the unit, the collective before its members.
        ([du("c1", .completed), dm("h1", .good)], ["head-above-unit"]),
        ([du("c1", .good), dm("h1", .good)], [String]()),
        ([dm("h1", .good)], ["order-collective", "order-head"]),
        // Rule 3: a member disciplined in the year is `failed`, proposed or decided.
        ([pm("d1", .completed)], ["disciplined"]),
        ([pm("d1", .failed)], []),
        // Rule 4: a conclusion of disunity forces the collective's `failed`.
        ([pu("g2", .completed)], ["conclusion"]),
        ([pu("g2", .failed)], []),
        // Rule 5: an excellent cell needs 100% ≥ completed: d1 is `failed`.
        ([du("c1", .excellent)], ["excellent-unit"]),
        // …and counts every member, the head of a higher unit (p1 heads gc) by the cell's proposal.
        ([du("c3", .excellent)], []),
        ([du("c3", .excellent), dm("p1", .good)], ["order-head"]),
        // Rule 6: commendation only for excellent.
        ([pm("n1", .good, commend: true)], ["commendation"]),
        ([pm("n1", .excellent, commend: true)], []),
        // Rule 7: lower levels first.
        ([du("gc", .good)], ["order-children"]),
        ([du("c1", .good), du("c3", .good), du("gc", .good)], []),
        ([dm("p3", .good)], ["order-collective"]),
        ([du("g2", .failed)], ["order-members"]),
    ])
    func hd21(_ change: [RatingEntry], _ expected: [String]) {
        #expect(brought(change, into: ratingState()) == expected.sorted())
    }

    @Test func theHeadOfAHigherUnitIsReviewedInTheCellAndDecidedAfterTheUnit() {
        // The cycle of the old order rules: c3 excellent needs p1 rated; p1 heads gc, rated after gc;
        // gc after c3. With proposals the order is c3's review → c3 → gc → p1.
        var s = ratingState()
        for step in [[du("c3", .excellent)], [du("c1", .good)], [du("gc", .good)], [dm("p1", .good)]] {
            #expect(brought(step, into: s) == [])
            for e in step { s.set(e) }
        }
        // p1 decided above gc is refused; and annulling gc leaves p1 without ground.
        var above = s
        above.remove(RatingRef(kind: .member, subject: "p1", status: .decided))
        #expect(brought([dm("p1", .excellent)], into: above) == ["head-above-unit"])
        let annul = RatingRules.annulment(of: [RatingRef(kind: .unit, subject: "gc", status: .decided)], in: s, cascade: false)
        #expect(annul.findings.map(\.rule) == ["order-head"] && annul.findings[0].blame == [RatingRef(kind: .member, subject: "p1", status: .decided)])
        let cascade = RatingRules.annulment(of: [RatingRef(kind: .unit, subject: "gc", status: .decided)], in: s, cascade: true)
        #expect(cascade.findings.isEmpty && Set(cascade.annul) == [RatingRef(kind: .unit, subject: "gc", status: .decided), RatingRef(kind: .member, subject: "p1", status: .decided)])
    }

    @Test func anExcellentCollectiveBindsItsPartsStillUndecided() {
        var s = ratingState()
        s.set(du("c3", .excellent))
        // Decided before its members, c3 excellent holds while p1…p5 may still be decided good;
        // a member decided below what it needs is refused, naming the collective.
        #expect(brought([dm("p4", .good)], into: s) == [])
        #expect(brought([dm("p4", .failed)], into: s) == ["excellent-unit"])
        let r = RatingRules.invariants({ var t = s; t.set(dm("p4", .failed)); return t }()).first { $0.rule == "excellent-unit" }
        #expect(r?.blame == [RatingRef(kind: .unit, subject: "c3", status: .decided)])
        // Proposed, the collective reads its members' proposals: an unreviewed member fails it.
        var p = ratingState([pm("p1", .good)])
        #expect(brought([pu("c3", .excellent)], into: p) == ["excellent-unit"])
        for m in ["p2", "p3", "p4", "p5"] { p.set(pm(m, .good)) }
        #expect(brought([pu("c3", .excellent)], into: p) == [])
    }

    /// Rule 1 over the whole organization: c1 and c3 decided, then every member of gc decided.
    func decidedOrganization(excellent: [String], quota: Quota? = Quota(), ruleset: Ruleset = .hd21) -> [String] {
        var s = ratingState(ruleset: ruleset, quota: quota)
        for e in [du("c1", .good), du("c3", .good), du("gc", .good)] { s.set(e) }
        let members = ["h1", "m1", "m2", "m3", "m4", "m5", "m6", "p1", "p2", "p3", "p4", "p5"]
        return brought(members.map { dm($0, excellent.contains($0) ? .excellent : .good) } + [dm("d1", .failed)], into: s)
    }

    @Test func theQuotaHoldsOverTheWholeOrganizationOnceItsReviewIsComplete() {
        // 12 members decided, 2 excellent and 10 good: 20% of 10 allows 2; 3 excellent of 9 good is over.
        #expect(decidedOrganization(excellent: ["m1", "m2"]) == [])
        #expect(decidedOrganization(excellent: ["m1", "m2", "m3"]) == ["quota"])
    }

    @Test func partialDecisionsAreAcceptedWithTheRunningCount() {
        var s = ratingState()
        for e in [du("c1", .good), du("c3", .good), du("gc", .good)] { s.set(e) }
        let partial = [dm("m1", .excellent), dm("m2", .excellent)]
        #expect(brought(partial, into: s) == [])
        for e in partial { s.set(e) }
        let warning = RatingRules.quotaWarnings(touching: partial.map(\.key), s)
        #expect(warning.count == 1 && warning[0].contains("đã có 2/2") && warning[0].contains("tối đa 0") && warning[0].contains("còn 11/13")
                && warning[0].contains("nếu 10 đảng viên chưa được quyết định đều xếp loại \"Hoàn thành tốt nhiệm vụ\" thì tối đa 2"))
        // (d1, disciplined, can only be failed: 10 of the 11 undecided may still be good.) A third
        // excellent cannot be met whatever the other 9 become (20% of 9 is 1): refused now, not
        // only once the organization is decided.
        #expect(brought([dm("m3", .excellent)], into: s) == ["quota"])
        // A `good` raises what can be reached; the final state of 2 excellent and 10 good is legal.
        #expect(brought([dm("m3", .good)], into: s) == [])
    }

    @Test func theQuotaDenominatorIsASetting() {
        // 3 excellent, 9 good: 20%·9 = 1.8 allows 1; counting the excellent too, 20%·12 = 2.4 allows 2.
        #expect(decidedOrganization(excellent: ["m1", "m2"], quota: Quota(share: 0.2, denominator: .goodOrBetter)) == [])
        #expect(decidedOrganization(excellent: ["m1", "m2", "m3"], quota: Quota(share: 0.2, denominator: .goodOrBetter)) == ["quota"])
        #expect(decidedOrganization(excellent: ["m1", "m2", "m3", "m4"], quota: nil) == []) // quota: none
        #expect(RatingRules.cap(share: 0.2, excellent: 0, good: 4, denominator: .good) == 0)
        #expect(RatingRules.cap(share: 0.2, excellent: 0, good: 5, denominator: .good) == 1)
        #expect(RatingRules.cap(share: 0.2, excellent: 1, good: 4, denominator: .goodOrBetter) == 1)
    }

    @Test func qd124CountsTheQuotaWithinRoleGroups() {
        // Committee roles: h1, m6, p2 (3); the others 9. m6 excellent alone among 2 good leaders is over.
        #expect(decidedOrganization(excellent: ["m6"]) == [])
        #expect(decidedOrganization(excellent: ["m6"], ruleset: .qd124) == ["role-quota"])
    }

    @Test func qd124FailsACollectiveWithMoreThanAFifthOfItsUnitsDisciplined() {
        var units = Array(ratingTree.units.values)
        units = units.map { u in var u = u; if u.id == "c1" { u.discipline = .undated }; return u }
        var s = RatingState(tree: RatingTree(units: units, members: Array(ratingTree.members.values)), year: 2022, ruleset: .qd124, quota: Quota(), ratings: reviewed)
        // c1 itself, disciplined, is failed.
        #expect(brought([pu("c1", .completed)], into: s) == ["disciplined"])
        s.set(du("c1", .failed))
        s.set(du("c3", .good))
        // gc has 2 units, 1 disciplined (50%): gc is failed.
        #expect(brought([pu("gc", .good)], into: s) == ["disciplined-units"])
        #expect(brought([pu("gc", .failed)], into: s) == [])
        s.ruleset = .hd21
        #expect(brought([pu("gc", .good)], into: s) == [])
    }

    @Test func disciplineCountsInItsYearOnly() {
        var s = ratingState()
        #expect(brought([pm("d1", .good)], into: s) == ["disciplined"])
        s.year = 2023
        #expect(brought([pm("d1", .good)], into: s) == [])
    }

    func scored(_ level: RatingLevel, score: Double, onTime: Double = 100, beyond: Double = 30) -> RatingEntry {
        RatingEntry(subject: "n1", kind: .member, level: level, status: .proposed, score: score, onTime: onTime, beyond: beyond)
    }

    @Test(arguments: [
        // Quy định 366-QĐ/TW Điều 11: ≥ 90 excellent, 70–<90 good, 50–<70 completed, < 50 failed.
        (RatingLevel.excellent, 90.0, 100.0, 30.0, [String]()), (.excellent, 89.5, 100, 30, ["score"]),
        (.good, 89.5, 100, 0, []), (.good, 69.9, 100, 0, ["score"]), (.completed, 50, 80, 0, []), (.completed, 49, 80, 0, ["score"]),
        (.failed, 95, 0, 0, []), // a lower level than the band: a condition of the band not met
        // …and the task conditions of each level.
        (.excellent, 95, 100, 29, ["conditions"]), (.excellent, 95, 99, 40, ["conditions"]), (.good, 80, 95, 0, ["conditions"]),
        (.completed, 60, 79, 0, ["conditions"]),
    ])
    func qd366Scores(_ level: RatingLevel, _ score: Double, _ onTime: Double, _ beyond: Double, _ expected: [String]) {
        #expect(brought([scored(level, score: score, onTime: onTime, beyond: beyond)], into: ratingState(ruleset: .qd366)) == expected)
    }

    @Test func qd366BarsExcellentWithEarlierShortcomingsOpenOrADisciplinedLeader() {
        var s = ratingState(ruleset: .qd366)
        s.earlierRemediation = [RatingKey(.member, "n1"): 1]
        #expect(brought([scored(.excellent, score: 95)], into: s) == ["remediation"])
        #expect(brought([scored(.good, score: 85)], into: s) == [])
        // c1's leadership: h1 (head), m6 (deputy); a disciplined deputy bars c1's excellent.
        let members = ratingTree.members.values.map { m in var m = m; if m.id == "m6" { m.discipline = .undated }; return m }
        var t = RatingState(tree: RatingTree(units: Array(ratingTree.units.values), members: members), year: 2022, ruleset: .qd366, quota: Quota())
        for id in ["p1", "p2", "p3", "p4", "p5"] { t.set(RatingEntry(subject: id, kind: .member, level: .good, status: .proposed, score: 80, onTime: 100, beyond: 0)) }
        let c3 = RatingEntry(subject: "c3", kind: .unit, level: .excellent, status: .proposed, score: 92, onTime: 100, beyond: 35)
        #expect(brought([c3], into: t) == [])
        var c1 = c3
        c1.subject = "c1"
        for id in ["h1", "m1", "m2", "m3", "m4", "m5", "d1"] { t.set(RatingEntry(subject: id, kind: .member, level: .good, status: .proposed, score: 80, onTime: 100, beyond: 0)) }
        t.set(RatingEntry(subject: "m6", kind: .member, level: .failed, status: .proposed, score: 40))
        #expect(brought([c1], into: t).contains("excellent-discipline"))
    }

    @Test(arguments: [FlagReason.degradation, .selfEvolution, .selfTransformation])
    func eachMemberConclusionForcesFailed(_ reason: FlagReason) {
        var s = ratingState()
        s.conclusions[RatingKey(.member, "n1")] = [reason]
        #expect(brought([pm("n1", .completed)], into: s) == ["conclusion"])
        #expect(brought([pm("n1", .failed)], into: s) == [])
        // Only a collective's disunity forces its `failed`; a member's disunity, a collective's degradation do not.
        s.conclusions = [RatingKey(.member, "n1"): [.disunity], RatingKey(.unit, "c3"): [reason]]
        #expect(brought([pm("n1", .good), pu("c3", .good)], into: s) == [])
    }

    @Test func anExcellentCellNeedsEightyPercentGood() {
        // Four members: 3 good and 1 completed is 75%, under the 80% an excellent cell needs.
        let tree = RatingTree(units: [OrgUnit(id: "duk", parent: nil, kind: .bloc, name: "Khối"),
                                      OrgUnit(id: "g", parent: "duk", kind: .grassrootsCell, name: "Chi bộ G")],
                              members: (1...5).map { Member(id: "q\($0)", unit: "g", name: "Q\($0)", role: .member) })
        var s = RatingState(tree: tree, year: 2022, ruleset: .hd21, quota: nil)
        for m in ["q1", "q2", "q3"] { s.set(pm(m, .good)) }
        s.set(pm("q4", .completed))
        s.set(pm("q5", .completed))
        #expect(brought([pu("g", .excellent)], into: s) == ["excellent-unit"]) // 60%
        s.set(pm("q5", .good))
        #expect(brought([pu("g", .excellent)], into: s) == []) // 80%
        var four = RatingState(tree: RatingTree(units: Array(tree.units.values), members: Array(tree.members.values).filter { $0.id != "q5" }),
                               year: 2022, ruleset: .hd21, quota: nil)
        for m in ["q1", "q2", "q3"] { four.set(pm(m, .good)) }
        four.set(pm("q4", .completed))
        #expect(brought([pu("g", .excellent)], into: four) == ["excellent-unit"]) // 75%
    }

    @Test func anExcellentCommitteeNeedsItsSubordinateOrganizations() {
        // (No quota here: with two grassroots organizations 20% allows no excellent at all.)
        var s = ratingState(quota: nil)
        s.set(du("c1", .good))
        s.set(du("c3", .good))
        #expect(brought([du("gc", .excellent)], into: s) == [])
        var weak = ratingState(quota: nil)
        weak.set(du("c1", .completed))
        weak.set(du("c3", .good))
        #expect(brought([du("gc", .excellent)], into: weak) == ["excellent-unit"]) // 1 of 2 good: under 80%
        #expect(brought([du("gc", .good)], into: weak) == [])
    }

    @Test func theBlocDecidesItsGrassrootsOrganizationsWithinTheQuota() {
        // The bloc's two grassroots organizations: 20% of at most one `good` allows no excellent,
        // so gc's excellent is refused at once, whatever g2 is decided later.
        var s = ratingState()
        for e in [du("c1", .good), du("c3", .good), pm("h2", .good), pm("n1", .good)] { s.set(e) }
        #expect(brought([du("gc", .excellent)], into: s) == ["quota"])
        #expect(brought([du("gc", .good)], into: s) == [])
        #expect(RatingRules.organizationQuotaProgress(bloc: "duk", s).total == 2)
        var generous = ratingState(quota: Quota(share: 1.0, denominator: .good))
        for e in [du("c1", .good), du("c3", .good), pm("h2", .good), pm("n1", .good)] { generous.set(e) }
        // g2's conclusion of disunity leaves it only `failed`: even a cap of 100% is out of reach.
        #expect(brought([du("gc", .excellent)], into: generous) == ["quota"])
        generous.conclusions = [:]
        #expect(brought([du("gc", .excellent)], into: generous) == [])
        generous.set(du("gc", .excellent))
        #expect(brought([du("g2", .failed)], into: generous) == ["quota"]) // now 1 excellent for 0 good
    }

    @Test func findingsNameTheSubjectsAndTheNumbers() throws {
        var s = ratingState()
        for e in [du("c1", .good), du("c3", .good), dm("m1", .excellent), dm("m2", .excellent), dm("m3", .good), dm("m4", .excellent)] { s.set(e) }
        let quota = try #require(RatingRules.invariants(s).first { $0.rule == "quota" })
        #expect(quota.unit == "gc" && quota.subjects == ["m1", "m2", "m4"])
        // 8 undecided may still be good (d1 is disciplined): 20% of 9 allows 1.
        #expect(quota.message.contains("đã có 3/4") && quota.message.contains("tối đa 0") && quota.message.contains("nếu 8 đảng viên") && quota.message.contains("thì tối đa 1"))
        // Two too many: the cascade annuls two, the latest decided (ties: by id).
        #expect(quota.blame == [RatingRef(kind: .member, subject: "m2", status: .decided), RatingRef(kind: .member, subject: "m4", status: .decided)])
    }

    @Test func aStaleProposalKeepsNoConflictAlive() {
        // d1 (disciplined) proposed good: a finding; once decided failed, the proposal is history.
        var s = ratingState(reviewed.filter { $0.subject != "d1" } + [pm("d1", .good)])
        #expect(RatingRules.invariants(s).map(\.rule) == ["disciplined"])
        s.set(du("c1", .good))
        s.set(dm("d1", .failed))
        #expect(RatingRules.invariants(s).isEmpty)
    }

    @Test func membersNotRatedCountNowhere() {
        // x1 not rated this year, y1 left: neither counts in rule 5, the quota or a stage.
        var members = Array(ratingTree.members.values)
        members.append(Member(id: "x1", unit: "c1", name: "X", role: .member, exempt: "miễn công tác và sinh hoạt đảng"))
        members.append(Member(id: "y1", unit: "c1", name: "Y", role: .member, left: "2022-10-01"))
        let tree = RatingTree(units: Array(ratingTree.units.values), members: members)
        #expect(tree.membersOf["c1"]?.contains("x1") == false && tree.exempt["x1"] != nil && tree.members["y1"] == nil)
        var s = RatingState(tree: tree, year: 2022, ruleset: .hd21, quota: Quota(), ratings: reviewed)
        // Rated: refused by name.
        var rated = s
        rated.set(pm("x1", .good))
        #expect(RatingRules.newFindings(before: RatingRules.invariants(s), after: RatingRules.invariants(rated)).map(\.rule) == ["exempt"])
        // The cell's review needs every member but x1 proposed: already the case.
        #expect(RatingRules.missing(RatingNeeds(members: .proposed), unit: "c1", in: s).isEmpty)
        s.set(du("c1", .good))
        // m1…m6 and d1 to decide: not x1 (exempt), not h1 (heads c1, decided after it, at the stage above).
        #expect(RatingRules.missing(RatingNeeds(members: .decided), unit: "c1", in: s).first?.count == 7)
    }

    @Test func aStageNamesWhatIsMissingAndTheHeadsAboveWait() {
        var s = ratingState()
        for e in [du("c1", .good), du("c3", .good)] { s.set(e) }
        // gc's stage: its own rating proposed, its cells decided (done), its members decided; p1
        // heads gc itself, so a proposal is enough for p1.
        let missing = RatingRules.missing(RatingNeeds(ownRating: .proposed, units: .decided, members: .decided), unit: "gc", in: s)
        #expect(missing.map(\.kind) == [.own, .members])
        #expect(missing.last?.count == 12) // 13 members, p1 excepted
        for m in ["h1", "m1", "m2", "m3", "m4", "m5", "m6", "p2", "p3", "p4", "p5"] { s.set(dm(m, .good)) }
        s.set(dm("d1", .failed))
        s.set(pu("gc", .good))
        #expect(RatingRules.missing(RatingNeeds(ownRating: .proposed, units: .decided, members: .decided), unit: "gc", in: s).isEmpty)
    }

    @Test func theOrderConstraintsHaveNoCycle() {
        #expect(orderCycle(ratingTree) == nil)
    }
}

/// A cycle among the order constraints of a tree, if any (depth-first search over every rating
/// a tree can hold, at its most demanding level).
func orderCycle(_ tree: RatingTree) -> [RatingRef]? {
    var nodes: [RatingRef] = []
    for id in tree.units.keys { for st in RatingStatus.allCases { nodes.append(RatingRef(kind: .unit, subject: id, status: st)) } }
    for id in tree.members.keys { for st in RatingStatus.allCases { nodes.append(RatingRef(kind: .member, subject: id, status: st)) } }
    var state: [RatingRef: Int] = [:] // 1 on the stack, 2 done
    var path: [RatingRef] = []
    func visit(_ n: RatingRef) -> [RatingRef]? {
        if state[n] == 2 { return nil }
        if state[n] == 1 { return path.drop { $0 != n } + [n] }
        state[n] = 1
        path.append(n)
        for p in RatingRules.prerequisites(of: n, tree: tree) { if let c = visit(p) { return c } }
        path.removeLast()
        state[n] = 2
        return nil
    }
    for n in nodes { if let c = visit(n) { return c } }
    return nil
}
