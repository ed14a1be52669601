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
                if let r = s.inForce(RatingKey(.unit, uid), status) { out += unitRules(r, unit, s) }
            }
            for m in s.tree.membersOf[uid] ?? [] {
                for status in RatingStatus.allCases {
                    if let r = s.inForce(RatingKey(.member, m), status) { out += memberRules(r, s) }
                }
            }
            if unit.kind.holdsMembers { out += exemptRated(cell: uid, s) }
            if unit.kind.isGrassroots { out += memberQuota(org: uid, s) }
            if unit.kind == .bloc { out += organizationQuota(bloc: uid, s) }
        }
        return out
    }

    /// A member not rated this year (miễn đánh giá) has no rating in force.
    static func exemptRated(cell: String, _ s: RatingState) -> [RatingFinding] {
        var out: [RatingFinding] = []
        for m in s.tree.exemptOf[cell] ?? [] {
            let why = s.tree.exempt[m] ?? ""
            for status in RatingStatus.allCases {
                guard let r = s.rating(RatingKey(.member, m), status) else { continue }
                out.append(RatingFinding(rule: "exempt", unit: cell, subjects: [m],
                    message: Findings.exemptRated(who: s.tree.name(r.key), reason: why), line: r.line, blame: [r.ref]))
            }
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
                    message: Findings.headBeforeUnit(who: who, unit: unit, rules: s.ruleset),
                    line: r.line, blame: [r.ref]))
                continue
            }
            if r.level > unitRating.level {
                out.append(RatingFinding(rule: "head-above-unit", unit: uid, subjects: [r.subject, uid],
                    message: Findings.headAboveUnit(who: who, unit: unit, level: r.level, unitLevel: unitRating.level, rules: s.ruleset),
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
        // at least `good` (subordinate organizations of a committee, members of a cell). A
        // proposal reads its parts' proposals (else their decisions): the cell proposes from its
        // members' reviews, and a part not reviewed counts against it. A decision reads its
        // parts' decisions, and a part still undecided counts as one that can still be decided
        // `good`: the decision is refused once its parts' decisions make it impossible, so the
        // same final state is reachable whichever is decided first (as with the quota).
        if r.level == .excellent {
            let (keys, what) = unit.kind.holdsMembers
                ? ((s.tree.membersOf[unit.id] ?? []).map { RatingKey(.member, $0) }, Findings.parts(members: true))
                : (kids.map { RatingKey(.unit, $0) }, Findings.parts(members: false))
            // A part a discipline or a conclusion forces to `failed` is read so, decided or not.
            let parts = keys.map { k -> RatingEntry? in
                let read = r.status == .decided ? s.rating(k, .decided) : s.part(k, as: .proposed)
                if read == nil, r.status == .decided, s.isForcedToFail(k) { return RatingEntry(subject: k.subject, kind: k.kind, level: .failed) }
                return read
            }
            let rated = parts.compactMap { $0 }
            let open = r.status == .decided ? parts.count - rated.count : 0
            let atLeastCompleted = rated.filter { $0.level >= .completed }.count
            let atLeastGood = rated.filter { $0.level >= .good }.count
            if rated.count + open < parts.count || atLeastCompleted + open < parts.count || (atLeastGood + open) * 5 < parts.count * 4 {
                out.append(RatingFinding(rule: "excellent-unit", unit: unit.id, subjects: [unit.id],
                    message: Findings.excellentUnit(who: who, status: r.status, parts: what, atLeastCompleted: atLeastCompleted, atLeastGood: atLeastGood,
                                                    total: parts.count, unrated: parts.count - rated.count, rules: s.ruleset),
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
                    message: Findings.excellentDiscipline(who: who, disciplined: units.map { s.tree.name(RatingKey(.unit, $0)) } + leaders.map { s.tree.name(RatingKey(.member, $0)) }),
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
                message: Findings.disciplined(who: who, year: s.year, level: r.level, rules: s.ruleset),
                line: r.line, blame: [r.ref]))
        }
        // Rule 4: a competent conclusion of disunity (a collective) or degradation, "self-evolution",
        // "self-transformation" (a member) forces `failed` for the year, flag open or not.
        let forcing = s.forcingConclusions(r.key)
        if r.level != .failed, !forcing.isEmpty {
            out.append(RatingFinding(rule: "conclusion", unit: home, subjects: [r.subject],
                message: Findings.conclusion(who: who, reasons: forcing, rules: s.ruleset),
                line: r.line, blame: [r.ref]))
        }
        // Rule 6: commendation only for those rated excellent.
        if r.commendation, r.level != .excellent {
            out.append(RatingFinding(rule: "commendation", unit: home, subjects: [r.subject],
                message: Findings.commendation(who: who, level: r.level, rules: s.ruleset),
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
    ///
    /// The cap is checked on every decision, not only once the organization is decided: a state
    /// is refused when no way of deciding the rest can bring it within the cap, that is when the
    /// decided `excellent` exceed the share of the decided `good` *plus every part still
    /// undecided* (each might still be decided `good`). Once every part is decided that is the
    /// cap itself. The check is monotone: every part of a legal final state, decided in any
    /// order, passes it (a later `good` only raises the bound), so the same final state is
    /// reachable whatever order the files come in, and no decision can take an organization
    /// past a cap it could still meet only by un-deciding someone.
    public struct QuotaProgress: Sendable, Equatable {
        public var scope: String
        public var excellent: Int
        public var good: Int
        public var decided: Int
        public var total: Int
        /// The most `excellent` the decided `good` (or good-or-better) allow now.
        public var cap: Int
        /// The most `excellent` allowed if every undecided part were decided `good`.
        public var reachableCap: Int
        public var group: String
        /// Every part decided.
        public var complete: Bool { decided == total }
        /// Undecided parts that may still be decided `good` (not those a fact forces to `failed`).
        public var open: Int
        public var within: Bool { excellent <= reachableCap }
    }

    /// floor(share × denominator): "không vượt quá 20%" never rounds up.
    public static func cap(share: Double, excellent: Int, good: Int, denominator: Quota.Denominator) -> Int {
        let d = denominator == .good ? good : good + excellent
        return Int((share * Double(d) + 1e-9).rounded(.down))
    }

    /// Members' decided ratings in one grassroots organization (under qd124-2023 one group per
    /// role: committee members apart from the others). Exempt members are not counted.
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
        return groups.map { group, ids in
            let keys = ids.map { RatingKey(.member, $0) }
            return (progress(org, group: group, keys, s), keys)
        }
    }

    /// Grassroots organizations' decided ratings under the bloc (the narrowest reading of a scope
    /// the sources leave open).
    public static func organizationQuotaProgress(bloc: String, _ s: RatingState) -> QuotaProgress {
        let kids = (s.tree.children[bloc] ?? []).map { RatingKey(.unit, $0) }
        return progress(bloc, group: Findings.quotaGroupOrganizations, kids, s)
    }

    static func progress(_ scope: String, group: String, _ keys: [RatingKey], _ s: RatingState) -> QuotaProgress {
        let decided = keys.compactMap { s.rating($0, .decided) }
        let e = decided.filter { $0.level == .excellent }.count
        let g = decided.filter { $0.level == .good }.count
        let open = keys.filter { s.rating($0, .decided) == nil && !s.isForcedToFail($0) }.count
        let caps = s.quota.map { q in
            (cap(share: q.share, excellent: e, good: g, denominator: q.denominator), cap(share: q.share, excellent: e, good: g + open, denominator: q.denominator))
        } ?? (keys.count, keys.count)
        return QuotaProgress(scope: scope, excellent: e, good: g, decided: decided.count, total: keys.count, cap: caps.0, reachableCap: caps.1, group: group,
                             open: open)
    }

    static func memberQuota(org: String, _ s: RatingState) -> [RatingFinding] {
        memberGroups(org: org, s).compactMap { quotaFinding($0.progress, keys: $0.keys, s) }
    }

    static func organizationQuota(bloc: String, _ s: RatingState) -> [RatingFinding] {
        let p = organizationQuotaProgress(bloc: bloc, s)
        return [quotaFinding(p, keys: (s.tree.children[bloc] ?? []).map { RatingKey(.unit, $0) }, s)].compactMap { $0 }
    }

    /// Past the cap: every `excellent` is named, and the latest decided of them, as many as
    /// exceed the cap, are the ones to annul (what `rate annul --cascade` removes, and no more).
    static func quotaFinding(_ p: QuotaProgress, keys: [RatingKey], _ s: RatingState) -> RatingFinding? {
        guard !p.within else { return nil }
        let excellent = keys.compactMap { s.rating($0, .decided) }.filter { $0.level == .excellent }
        let latest = excellent.sorted { ($0.recency.0, $0.recency.1, $0.subject) < ($1.recency.0, $1.recency.1, $1.subject) }.suffix(p.excellent - p.reachableCap)
        return RatingFinding(rule: s.ruleset == .qd124 && keys.first?.kind == .member ? "role-quota" : "quota", unit: p.scope,
                             subjects: excellent.map(\.subject).sorted(),
                             message: Findings.quotaExceeded(quotaText(p, s), group: p.group, rules: s.ruleset),
                             blame: latest.map(\.ref).sorted())
    }

    /// Where an organization stands against its quota, for people (Findings.quota).
    public static func quotaText(_ p: QuotaProgress, _ s: RatingState) -> String {
        let text = Findings.quota(scope: s.tree.name(RatingKey(.unit, p.scope)), excellent: p.excellent, decided: p.decided, total: p.total, group: p.group,
                                  quota: s.quota, cap: p.cap, good: p.good)
        guard s.quota != nil, p.open > 0 else { return text }
        return text + Findings.quotaReachable(cap: p.reachableCap, open: p.open, group: p.group)
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
                        message: Findings.orderChildren(who: who, undecided: undecided.map { s.tree.name(RatingKey(.unit, $0)) }, rules: s.ruleset), line: e.line))
                }
                let unreviewed = (s.tree.membersOf[e.subject] ?? []).filter { s.effective(RatingKey(.member, $0)) == nil }
                if !unreviewed.isEmpty {
                    out.append(RatingFinding(rule: "order-members", unit: e.subject, subjects: [e.subject] + unreviewed,
                        message: Findings.orderMembers(who: who, unreviewed: unreviewed.map { s.tree.members[$0]?.name ?? $0 }, rules: s.ruleset), line: e.line))
                }
            case .member:
                guard let cell = s.tree.members[e.subject]?.unit else { continue }
                if !collectiveReady(cell: cell, s) {
                    let cellName = s.tree.name(RatingKey(.unit, cell))
                    out.append(RatingFinding(rule: "order-collective", unit: cell, subjects: [e.subject, cell],
                        message: s.tree.units[cell]?.kind == .grassrootsCell
                            ? Findings.orderCollectiveSelf(who: who, cell: cellName, rules: s.ruleset) : Findings.orderCollective(who: who, cell: cellName, rules: s.ruleset),
                        line: e.line))
                }
            }
        }
        return out
    }

    /// "A collective before its members' ratings are final": a cell's members are decided by the
    /// grassroots committee after it decides the cell; a grassroots cell decides its members
    /// itself, after rating itself as a collective (its own rating proposed), while the upper
    /// committee's decision on the cell comes later (the bloc's stage).
    static func collectiveReady(cell: String, _ s: RatingState) -> Bool {
        s.tree.units[cell]?.kind == .grassrootsCell
            ? s.effective(RatingKey(.unit, cell)) != nil
            : s.rating(RatingKey(.unit, cell), .decided) != nil
    }

    /// The ratings that must exist before `ref` can be recorded at its most demanding level
    /// (`excellent`): the order constraints as a graph, whose acyclicity the tests check on any tree.
    public static func prerequisites(of ref: RatingRef, tree: RatingTree) -> [RatingRef] {
        switch (ref.kind, ref.status) {
        case (.member, .proposed):
            return []
        case (.member, .decided):
            let cell = tree.members[ref.subject].map { m in
                [RatingRef(kind: .unit, subject: m.unit, status: tree.units[m.unit]?.kind == .grassrootsCell ? .proposed : .decided)]
            } ?? []
            return cell + (tree.headed[ref.subject] ?? []).map { RatingRef(kind: .unit, subject: $0, status: .decided) }
        case (.unit, let status):
            // A proposal reads its parts' levels as they stand (proposed is enough); a decision
            // needs the subordinate organizations decided and the members reviewed.
            let kids = (tree.children[ref.subject] ?? []).map { RatingRef(kind: .unit, subject: $0, status: status) }
            return kids + (tree.membersOf[ref.subject] ?? []).map { RatingRef(kind: .member, subject: $0, status: .proposed) }
        }
    }

    // MARK: - Stages that name ratings

    /// What is missing, by kind, for `unit` to complete a stage that needs `needs`: its own
    /// rating, the units below it, the members below it (a head of the unit or of one above it
    /// needs only a proposal: their decision comes after the collective's, at the stage above).
    public static func missing(_ needs: RatingNeeds, unit: String, in s: RatingState) -> [StageMissing] {
        func has(_ k: RatingKey, _ status: RatingStatus) -> Bool {
            status == .proposed ? s.effective(k) != nil : s.rating(k, .decided) != nil
        }
        var out: [StageMissing] = []
        if let st = needs.ownRating, !has(RatingKey(.unit, unit), st) {
            out.append(StageMissing(kind: .own, status: st, subjects: [s.tree.name(RatingKey(.unit, unit))], count: 1))
        }
        var below: [String] = []
        var stack = s.tree.children[unit] ?? []
        while let u = stack.popLast() {
            below.append(u)
            stack += s.tree.children[u] ?? []
        }
        if let st = needs.units {
            let lacking = below.sorted().filter { !has(RatingKey(.unit, $0), st) }
            if !lacking.isEmpty {
                out.append(StageMissing(kind: .units, status: st, subjects: lacking.prefix(10).map { s.tree.name(RatingKey(.unit, $0)) }, count: lacking.count))
            }
        }
        if let st = needs.members {
            let waiting = Set(s.tree.lineage(of: unit).compactMap { s.tree.units[$0]?.head })
            let lacking = s.tree.membersInSubtree(of: unit).sorted().filter { m in
                !has(RatingKey(.member, m), waiting.contains(m) ? .proposed : st)
            }
            if !lacking.isEmpty {
                out.append(StageMissing(kind: .members, status: st, subjects: lacking.prefix(10).map { s.tree.name(RatingKey(.member, $0)) }, count: lacking.count))
            }
        }
        return out
    }

    // MARK: - Annulment

    /// Annulling `refs` leaves these findings; with `cascade`, the ratings they blame are annulled
    /// too, until nothing new breaks. Returns every rating to annul (the requested ones first) and
    /// the findings left when not cascading.
    ///
    /// A decided subject that a discipline or a conclusion forces to `failed` is annulled to be
    /// re-decided `failed`: the cascade reads the state with that decision taken, so it also
    /// annuls what the `failed` will break (the collective rated excellent under rule 5 and, in
    /// turn, its head's decision; the latest `excellent` past the quota) and nothing else.
    public static func annulment(of refs: [RatingRef], in s: RatingState, cascade: Bool) -> (annul: [RatingRef], findings: [RatingFinding]) {
        var state = s
        var annul: [RatingRef] = []
        var pending = refs
        while !pending.isEmpty {
            let scope = affectedUnits(pending.map(\.key), tree: s.tree)
            let before = invariants(state, units: scope)
            for r in pending where state.remove(r) != nil { annul.append(r) }
            // A subject a fact forces to `failed` reads as `failed` once undecided (rule 5 and the
            // quota count it so), so what its re-decision will break shows up here already.
            let brought = newFindings(before: before, after: invariants(state, units: scope))
            guard !brought.isEmpty else { break }
            if !cascade { return (annul, brought) }
            pending = Array(Set(brought.flatMap(\.blame)).filter { state.rating($0) != nil }).sorted()
            if pending.isEmpty { return (annul, brought) }
        }
        return (annul, [])
    }

    /// What repairing a conflict takes, in the fewest steps the rules allow: the ratings to annul
    /// (the cascade from the ratings it blames, as `rate annul --cascade` would run it), each with
    /// the level it must take where a fact forces one.
    public static func repair(of finding: RatingFinding, in s: RatingState) -> [(ref: RatingRef, level: RatingLevel, forcedTo: RatingLevel?)] {
        annulment(of: finding.blame.filter { s.rating($0) != nil }, in: s, cascade: true).annul.compactMap { ref in
            guard let r = s.rating(ref) else { return nil }
            return (ref, r.level, s.isForcedToFail(ref.key) && r.level > .failed ? .failed : nil)
        }
    }

    /// The conflict as a committee reads it: the finding, then everything that must change.
    public static func conflictMessage(_ f: RatingFinding, in s: RatingState) -> String {
        let steps = repair(of: f, in: s)
        guard !steps.isEmpty else { return f.message }
        return f.message + " " + Findings.repairSteps(steps.map { (s.tree.name($0.ref.key), $0.ref.status, $0.level, $0.forcedTo) })
    }

}

/// Ratings a stage names that are not recorded yet: of which kind, at what status, a few names
/// and how many.
public struct StageMissing: Sendable, Equatable {
    public enum Kind: Sendable { case own, units, members }
    public var kind: Kind
    public var status: RatingStatus
    public var subjects: [String]
    public var count: Int
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
