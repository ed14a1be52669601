import Foundation

/// The rating rules as invariants of a campaign's state (docs/rules.md, "Rules in force", and
/// docs/rules.md). Findings come back as values, every one at once.
///
/// Two kinds of rule:
/// - **invariants** (rules 1–6 and the rule sets' additions) hold over the state at all times:
///   `invariants(_:units:)` lists where the state breaks them;
/// - **order** (rule 7) constrains the moment a level is decided: `orderFindings(for:in:)` checks
///   the prerequisites of newly decided ratings against the state they enter.
/// A change is accepted when it adds no invariant finding (`newFindings`) and no order finding.
public enum RatingRules {

    // MARK: - Invariants

    /// The invariant findings of the rules attached to `scope`'s units (all units when nil): a
    /// unit's own ratings, its members' ratings if it is a cell, its quota if it is a grassroots
    /// organization or the bloc.
    public static func invariants(_ s: RatingState, units scope: Set<String>? = nil) -> [RatingFinding] {
        var out: [RatingFinding] = []
        let units = scope.map { $0.sorted() } ?? s.tree.units.keys.sorted()
        for uid in units {
            guard let unit = s.tree.units[uid] else { continue }
            for status in RatingStatus.allCases {
                if let r = s.rating(RatingKey(.unit, uid), status) { out += unitRules(r, unit, s) }
            }
            for m in s.tree.membersOf[uid] ?? [] {
                for status in RatingStatus.allCases {
                    if let r = s.rating(RatingKey(.member, m), status) { out += memberRules(r, s) }
                }
            }
            if unit.kind.isGrassroots { out += memberQuota(org: uid, s) }
            if unit.kind == .bloc { out += organizationQuota(bloc: uid, s) }
        }
        return out
    }

    /// The findings of `after` that `before` does not have: what a change would bring.
    public static func newFindings(before: [RatingFinding], after: [RatingFinding]) -> [RatingFinding] {
        let known = Set(before.map(\.identity))
        return after.filter { !known.contains($0.identity) }
    }

    /// The units whose rules a change to these subjects can touch: each subject's home unit and
    /// its ancestors (quota, rule 5 of the collectives above), and for a unit the home of its
    /// head (rule 2 is checked on the head's rating).
    public static func affectedUnits(_ keys: some Sequence<RatingKey>, tree: RatingTree) -> Set<String> {
        var out = Set<String>()
        for k in keys {
            if let home = tree.home(of: k) { out.formUnion(tree.lineage(of: home)) }
            if k.kind == .unit, let head = tree.units[k.subject]?.head, let cell = tree.members[head]?.unit {
                out.formUnion(tree.lineage(of: cell))
            }
        }
        return out
    }

    /// Rules on any rating of a member: 3, 4, 6, the 100-point scale; rule 2 on a decided one.
    static func memberRules(_ r: RatingEntry, _ s: RatingState) -> [RatingFinding] {
        var out = commonRules(r, s)
        guard r.status == .decided else { return out }
        // Rule 2 (and 7): a head's decided level comes after the unit's and is never above it.
        for uid in s.tree.headed[r.subject] ?? [] {
            let who = s.tree.name(r.key), unit = s.tree.name(RatingKey(.unit, uid))
            guard let unitRating = s.rating(RatingKey(.unit, uid), .decided) else {
                out.append(RatingFinding(rule: "order-head", unit: uid, subjects: [r.subject, uid],
                    message: Findings.headBeforeUnit(who: who, unit: unit),
                    line: r.line, blame: [r.ref]))
                continue
            }
            if r.level > unitRating.level {
                out.append(RatingFinding(rule: "head-above-unit", unit: uid, subjects: [r.subject, uid],
                    message: Findings.headAboveUnit(who: who, unit: unit, level: r.level, unitLevel: unitRating.level),
                    line: r.line, blame: [r.ref]))
            }
        }
        return out
    }

    /// Rules on any rating of a unit: the common ones, 5, and the rule sets' additions.
    static func unitRules(_ r: RatingEntry, _ unit: OrgUnit, _ s: RatingState) -> [RatingFinding] {
        var out = commonRules(r, s)
        let who = s.tree.name(r.key)
        let kids = s.tree.children[unit.id] ?? []
        // Rule 5: an excellent organization needs 100% of its parts at least `completed` and 80%
        // at least `good` (subordinate organizations of a committee, members of a cell), each
        // part read at its decided level, else its proposed one.
        if r.level == .excellent {
            let (keys, what) = unit.kind.holdsMembers
                ? ((s.tree.membersOf[unit.id] ?? []).map { RatingKey(.member, $0) }, Findings.parts(members: true))
                : (kids.map { RatingKey(.unit, $0) }, Findings.parts(members: false))
            let parts = keys.map { s.effective($0) }
            let rated = parts.compactMap { $0 }
            let atLeastCompleted = rated.filter { $0.level >= .completed }.count
            let atLeastGood = rated.filter { $0.level >= .good }.count
            if rated.count < parts.count || atLeastCompleted < parts.count || atLeastGood * 5 < parts.count * 4 {
                out.append(RatingFinding(rule: "excellent-unit", unit: unit.id, subjects: [unit.id],
                    message: Findings.excellentUnit(who: who, status: r.status, parts: what, atLeastCompleted: atLeastCompleted, atLeastGood: atLeastGood,
                                                    total: parts.count, unrated: parts.count - rated.count),
                    line: r.line, blame: [r.ref]))
            }
        }
        // Quy định 124-QĐ/TW: a collective with more than 20% of its subordinate units disciplined
        // in the year is `failed`.
        if s.ruleset == .qd124, r.level != .failed, !kids.isEmpty {
            let disciplined = kids.filter { s.isDisciplined(RatingKey(.unit, $0)) }
            if disciplined.count * 5 > kids.count {
                out.append(RatingFinding(rule: "disciplined-units", unit: unit.id, subjects: [unit.id] + disciplined,
                    message: Findings.disciplinedUnits(who: who, disciplined: disciplined.count, of: kids.count),
                    line: r.line, blame: [r.ref]))
            }
        }
        // Quy định 366-QĐ/TW Điều 11: an excellent collective has no subordinate unit and no member
        // of its leadership collective disciplined.
        if s.ruleset == .qd366, r.level == .excellent {
            let units = kids.filter { s.isDisciplined(RatingKey(.unit, $0)) }
            let leaders = s.tree.leadership(of: unit.id).filter { s.isDisciplined(RatingKey(.member, $0)) }
            if !units.isEmpty || !leaders.isEmpty {
                out.append(RatingFinding(rule: "excellent-discipline", unit: unit.id, subjects: [unit.id] + units + leaders,
                    message: Findings.excellentDiscipline(who: who, disciplined: units + leaders),
                    line: r.line, blame: [r.ref]))
            }
        }
        return out
    }

    /// Rules on every rating, member or unit: discipline (3), conclusions (4), commendation (6),
    /// and under Quy định 366-QĐ/TW the score band, the task conditions and earlier shortcomings.
    static func commonRules(_ r: RatingEntry, _ s: RatingState) -> [RatingFinding] {
        var out: [RatingFinding] = []
        let who = s.tree.name(r.key)
        guard let home = s.tree.home(of: r.key) else { return out }
        // Rule 3: disciplined during the year (a member, or a collective) → `failed`.
        if r.level != .failed, s.isDisciplined(r.key) {
            out.append(RatingFinding(rule: "disciplined", unit: home, subjects: [r.subject],
                message: Findings.disciplined(who: who, year: s.year, level: r.level),
                line: r.line, blame: [r.ref]))
        }
        // Rule 4: a competent conclusion of disunity (a collective) or degradation, "self-evolution",
        // "self-transformation" (a member) forces `failed` for the year, flag open or not.
        let forcing = s.forcingConclusions(r.key)
        if r.level != .failed, !forcing.isEmpty {
            out.append(RatingFinding(rule: "conclusion", unit: home, subjects: [r.subject],
                message: Findings.conclusion(who: who, reasons: forcing),
                line: r.line, blame: [r.ref]))
        }
        // Rule 6: commendation only for those rated excellent.
        if r.commendation, r.level != .excellent {
            out.append(RatingFinding(rule: "commendation", unit: home, subjects: [r.subject],
                message: Findings.commendation(who: who, level: r.level),
                line: r.line, blame: [r.ref]))
        }
        guard s.ruleset == .qd366 else { return out }
        // Điều 11: the level follows from the score; a level below the score's band is allowed
        // (a condition of the band not met), above it never.
        if let score = r.score, r.level > Score.band(score) {
            out.append(RatingFinding(rule: "score", unit: home, subjects: [r.subject],
                message: Findings.score(who: who, score: score, level: r.level),
                line: r.line, blame: [r.ref]))
        }
        if let unmet = Score.unmetCondition(r) {
            out.append(RatingFinding(rule: "conditions", unit: home, subjects: [r.subject],
                message: Findings.conditions(who: who, level: r.level, unmet: unmet),
                line: r.line, blame: [r.ref]))
        }
        // Điều 11: excellent needs 100% of earlier shortcomings fixed.
        if r.level == .excellent, let open = s.earlierRemediation[r.key], open > 0 {
            out.append(RatingFinding(rule: "remediation", unit: home, subjects: [r.subject],
                message: Findings.earlierShortcomings(who: who, open: open),
                line: r.line, blame: [r.ref]))
        }
        return out
    }

    // MARK: - Quota (rule 1)

    /// Where an organization stands against the cap on `excellent`.
    public struct QuotaProgress: Sendable, Equatable {
        public var scope: String
        public var excellent: Int
        public var good: Int
        public var decided: Int
        public var total: Int
        /// The most `excellent` the decided `good` (or good-or-better) allow now.
        public var cap: Int
        /// Every part decided, or the organization's review stage marked done: the cap holds.
        public var complete: Bool
        public var group: String
        public var within: Bool { excellent <= cap }
    }

    /// floor(share × denominator): "không vượt quá 20%" never rounds up.
    public static func cap(share: Double, excellent: Int, good: Int, denominator: Quota.Denominator) -> Int {
        let d = denominator == .good ? good : good + excellent
        return Int((share * Double(d) + 1e-9).rounded(.down))
    }

    /// Members' decided ratings in one grassroots organization (under qd124-2023 one group per
    /// role: committee members apart from the others).
    public static func memberQuotaProgress(org: String, _ s: RatingState) -> [QuotaProgress] {
        memberGroups(org: org, s).map(\.progress)
    }

    static func memberGroups(org: String, _ s: RatingState) -> [(progress: QuotaProgress, keys: [RatingKey])] {
        let members = s.tree.membersInSubtree(of: org)
        let groups: [(String, [String])]
        if s.ruleset == .qd124 {
            groups = [(Findings.quotaGroupLeaders, members.filter { s.tree.members[$0]?.role != .member }),
                      (Findings.quotaGroupMembers, members.filter { s.tree.members[$0]?.role == .member })]
        } else {
            groups = [(Findings.quotaGroupMembers, members)]
        }
        let complete = s.closedReviews.contains(org) || members.allSatisfy { s.rating(RatingKey(.member, $0), .decided) != nil }
        return groups.map { group, ids in
            let keys = ids.map { RatingKey(.member, $0) }
            return (progress(org, group: group, keys, complete: complete, s), keys)
        }
    }

    /// Grassroots organizations' decided ratings under the bloc (the narrowest reading of a scope
    /// the sources leave open).
    public static func organizationQuotaProgress(bloc: String, _ s: RatingState) -> QuotaProgress {
        let kids = (s.tree.children[bloc] ?? []).map { RatingKey(.unit, $0) }
        let complete = s.closedReviews.contains(bloc) || kids.allSatisfy { s.rating($0, .decided) != nil }
        return progress(bloc, group: Findings.quotaGroupOrganizations, kids, complete: complete, s)
    }

    static func progress(_ scope: String, group: String, _ keys: [RatingKey], complete: Bool, _ s: RatingState) -> QuotaProgress {
        let decided = keys.compactMap { s.rating($0, .decided) }
        let e = decided.filter { $0.level == .excellent }.count
        let g = decided.filter { $0.level == .good }.count
        return QuotaProgress(scope: scope, excellent: e, good: g, decided: decided.count, total: keys.count,
                             cap: s.quota.map { cap(share: $0.share, excellent: e, good: g, denominator: $0.denominator) } ?? keys.count,
                             complete: complete, group: group)
    }

    static func memberQuota(org: String, _ s: RatingState) -> [RatingFinding] {
        memberGroups(org: org, s).compactMap { quotaFinding($0.progress, keys: $0.keys, s) }
    }

    static func organizationQuota(bloc: String, _ s: RatingState) -> [RatingFinding] {
        let p = organizationQuotaProgress(bloc: bloc, s)
        return [quotaFinding(p, keys: (s.tree.children[bloc] ?? []).map { RatingKey(.unit, $0) }, s)].compactMap { $0 }
    }

    static func quotaFinding(_ p: QuotaProgress, keys: [RatingKey], _ s: RatingState) -> RatingFinding? {
        guard p.complete, !p.within else { return nil }
        let excellent = keys.filter { s.rating($0, .decided)?.level == .excellent }
        return RatingFinding(rule: s.ruleset == .qd124 && keys.first?.kind == .member ? "role-quota" : "quota", unit: p.scope,
                             subjects: excellent.map(\.subject).sorted(),
                             message: Findings.quotaExceeded(quotaText(p, s), group: p.group),
                             blame: excellent.map { RatingRef(kind: $0.kind, subject: $0.subject, status: .decided) })
    }

    /// Where an organization stands against its quota, for people (Findings.quota).
    public static func quotaText(_ p: QuotaProgress, _ s: RatingState) -> String {
        Findings.quota(scope: s.tree.name(RatingKey(.unit, p.scope)), excellent: p.excellent, decided: p.decided, total: p.total, group: p.group,
                       quota: s.quota, cap: p.cap, good: p.good)
    }

    /// Quota warnings for the organizations a change touches: partial counts against the cap.
    public static func quotaWarnings(touching keys: some Sequence<RatingKey>, _ s: RatingState) -> [String] {
        guard s.quota != nil else { return [] }
        var orgs = Set<String>(), blocs = Set<String>()
        for k in keys {
            guard let home = s.tree.home(of: k) else { continue }
            if k.kind == .member, let org = s.tree.grassroots(of: home) { orgs.insert(org) }
            if k.kind == .unit, s.tree.units[k.subject]?.kind.isGrassroots == true, let p = s.tree.units[k.subject]?.parent,
               s.tree.units[p]?.kind == .bloc { blocs.insert(p) }
        }
        var out: [String] = []
        for org in orgs.sorted() {
            for p in memberQuotaProgress(org: org, s) where p.total > 0 { out.append(Findings.quotaWarning(quotaText(p, s), within: p.within)) }
        }
        for b in blocs.sorted() {
            let p = organizationQuotaProgress(bloc: b, s)
            out.append(Findings.quotaWarning(quotaText(p, s), within: p.within))
        }
        return out
    }

    // MARK: - Order (rule 7)

    /// Rule 7 for ratings being decided, against the state they enter: lower levels first (a
    /// unit after its subordinate organizations, a cell after its members' reviews) and a
    /// collective before its members' ratings are final. A head after the unit is rule 2's
    /// `order-head`, an invariant, since annulling the unit leaves the head's rating without ground.
    public static func orderFindings(for entries: [RatingEntry], in s: RatingState) -> [RatingFinding] {
        var out: [RatingFinding] = []
        for e in entries where e.status == .decided {
            let who = s.tree.name(e.key)
            switch e.kind {
            case .unit:
                let undecided = (s.tree.children[e.subject] ?? []).filter { s.rating(RatingKey(.unit, $0), .decided) == nil }
                if !undecided.isEmpty {
                    out.append(RatingFinding(rule: "order-children", unit: e.subject, subjects: [e.subject] + undecided,
                        message: Findings.orderChildren(who: who, undecided: undecided), line: e.line))
                }
                let unreviewed = (s.tree.membersOf[e.subject] ?? []).filter { s.effective(RatingKey(.member, $0)) == nil }
                if !unreviewed.isEmpty {
                    out.append(RatingFinding(rule: "order-members", unit: e.subject, subjects: [e.subject] + unreviewed,
                        message: Findings.orderMembers(who: who, unreviewed: unreviewed), line: e.line))
                }
            case .member:
                guard let cell = s.tree.members[e.subject]?.unit else { continue }
                if s.rating(RatingKey(.unit, cell), .decided) == nil {
                    out.append(RatingFinding(rule: "order-collective", unit: cell, subjects: [e.subject, cell],
                        message: Findings.orderCollective(who: who, cell: s.tree.name(RatingKey(.unit, cell))), line: e.line))
                }
            }
        }
        return out
    }

    /// The ratings that must exist before `ref` can be recorded at its most demanding level
    /// (`excellent`): the order constraints as a graph, whose acyclicity the tests check on any tree.
    public static func prerequisites(of ref: RatingRef, tree: RatingTree) -> [RatingRef] {
        switch (ref.kind, ref.status) {
        case (.member, .proposed):
            return []
        case (.member, .decided):
            let cell = tree.members[ref.subject].map { [RatingRef(kind: .unit, subject: $0.unit, status: .decided)] } ?? []
            return cell + (tree.headed[ref.subject] ?? []).map { RatingRef(kind: .unit, subject: $0, status: .decided) }
        case (.unit, let status):
            // A proposal reads its parts' levels as they stand (proposed is enough); a decision
            // needs the subordinate organizations decided and the members reviewed.
            let kids = (tree.children[ref.subject] ?? []).map { RatingRef(kind: .unit, subject: $0, status: status) }
            return kids + (tree.membersOf[ref.subject] ?? []).map { RatingRef(kind: .member, subject: $0, status: .proposed) }
        }
    }

    // MARK: - Annulment

    /// Annulling `refs` leaves these findings; with `cascade`, the ratings they blame are annulled
    /// too, until nothing new breaks. Returns every rating to annul (the requested ones first) and
    /// the findings left when not cascading.
    public static func annulment(of refs: [RatingRef], in s: RatingState, cascade: Bool) -> (annul: [RatingRef], findings: [RatingFinding]) {
        var state = s
        var annul: [RatingRef] = []
        var pending = refs
        let scopeOf = { (refs: [RatingRef]) in affectedUnits(refs.map(\.key), tree: s.tree) }
        while !pending.isEmpty {
            let scope = scopeOf(pending)
            let before = invariants(state, units: scope)
            for r in pending where state.remove(r) != nil { annul.append(r) }
            let brought = newFindings(before: before, after: invariants(state, units: scope))
            guard !brought.isEmpty else { break }
            if !cascade { return (annul, brought) }
            pending = Array(Set(brought.flatMap(\.blame)).filter { state.rating($0) != nil }).sorted()
            if pending.isEmpty { return (annul, brought) }
        }
        return (annul, [])
    }

}

/// Quy định 366-QĐ/TW, Điều 11: the 100-point scale and the conditions of each level.
public enum Score {
    /// The highest level a score allows: ≥ 90 excellent, 70 to < 90 good, 50 to < 70 completed.
    public static func band(_ score: Double) -> RatingLevel {
        switch score {
        case 90...: .excellent
        case 70..<90: .good
        case 50..<70: .completed
        default: .failed
        }
    }

    /// The task condition of `r.level` not met, for people; nil when met (or not applicable).
    /// Excellent: 100% of tasks on time with quality and ≥ 30% beyond the requirement; good: 100%
    /// on time; completed: at most 20% behind schedule.
    public static func unmetCondition(_ r: RatingEntry) -> String? {
        let onTime = r.onTime ?? 0, beyond = r.beyond ?? 0
        switch r.level {
        case .excellent where onTime < 100 || beyond < 30:
            return Findings.unmetExcellent(onTime: onTime, beyond: beyond)
        case .good where onTime < 100:
            return Findings.unmetGood(onTime: onTime)
        case .completed where onTime < 80:
            return Findings.unmetCompleted(onTime: onTime)
        default:
            return nil
        }
    }

}
