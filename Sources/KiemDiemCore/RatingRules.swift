import Foundation

/// What the rating rules need to know: the tree, the members, confirmed flags, stored ratings.
public struct RatingContext: Sendable {
    public var units: [String: OrgUnit]
    public var children: [String: [String]]
    public var members: [String: Member]
    public var membersOf: [String: [String]]
    /// Units with a confirmed flag, and its reasons.
    public var confirmedFlags: [String: Set<FlagReason>]
    /// Ratings in force, keyed by `RatingContext.key`.
    public var stored: [String: RatingEntry]

    public init(units: [OrgUnit], members: [Member], confirmedFlags: [String: Set<FlagReason>] = [:], stored: [RatingEntry] = []) {
        self.units = Dictionary(units.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var children: [String: [String]] = [:]
        for u in units { if let p = u.parent { children[p, default: []].append(u.id) } }
        self.children = children.mapValues { $0.sorted() }
        self.members = Dictionary(members.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var membersOf: [String: [String]] = [:]
        for m in members { membersOf[m.unit, default: []].append(m.id) }
        self.membersOf = membersOf.mapValues { $0.sorted() }
        self.confirmedFlags = confirmedFlags
        self.stored = Dictionary(stored.map { (RatingContext.key($0.kind, $0.subject), $0) }, uniquingKeysWith: { _, b in b })
    }

    public static func key(_ kind: RatingEntry.Kind, _ subject: String) -> String { "\(kind.rawValue):\(subject)" }

    /// The grassroots organization a unit belongs to (itself if it is one).
    public func grassroots(of unit: String) -> String? {
        var cur: String? = unit
        while let c = cur, let u = units[c] {
            if u.kind.isGrassroots { return c }
            cur = u.parent
        }
        return nil
    }

    func name(_ kind: RatingEntry.Kind, _ id: String) -> String {
        kind == .member ? (members[id].map { "đảng viên \($0.name) (\(id))" } ?? id) : (units[id].map { "\($0.name) (\(id))" } ?? id)
    }
}

/// The rule set of a campaign, applied to a rating file (DOMAIN.md, "Rules in force"). Findings
/// come back as values, every one at once; an empty list means the file is accepted.
public enum RatingRules {
    public static func check(_ entries: [RatingEntry], context ctx: RatingContext, ruleset: Ruleset, quota: Quota) -> [RatingFinding] {
        var findings: [RatingFinding] = []
        // The ratings in force after each row, in file order: a row may rely on rows above it.
        var combined = ctx.stored
        for e in entries {
            let key = RatingContext.key(e.kind, e.subject)
            let who = ctx.name(e.kind, e.subject)
            switch e.kind {
            case .member:
                guard let m = ctx.members[e.subject] else { continue }
                // Rule 3: a member disciplined during the year is rated `failed`.
                if m.disciplined, e.level != .failed {
                    findings.append(RatingFinding(rule: "disciplined", unit: m.unit, subjects: [e.subject],
                        message: "Quy tắc 3: \(who) bị kỷ luật trong năm, chỉ được xếp loại \"\(RatingLevel.failed.vietnamese)\", không phải \"\(e.level.vietnamese)\".", line: e.line))
                }
                // Rule 2 and 7: the head is rated after the unit, and never higher than the unit.
                for (uid, u) in ctx.units where u.head == e.subject {
                    guard let unitRating = combined[RatingContext.key(.unit, uid)] else {
                        findings.append(RatingFinding(rule: "order-head", unit: uid, subjects: [e.subject, uid],
                            message: "Quy tắc 7: \(who) là bí thư của \(ctx.name(.unit, uid)); người đứng đầu chỉ được xếp loại sau khi tập thể đã được xếp loại.", line: e.line))
                        continue
                    }
                    if e.level > unitRating.level {
                        findings.append(RatingFinding(rule: "head-above-unit", unit: uid, subjects: [e.subject, uid],
                            message: "Quy tắc 2: \(who) là bí thư của \(ctx.name(.unit, uid)), xếp loại \"\(e.level.vietnamese)\" cao hơn tập thể (\"\(unitRating.level.vietnamese)\").", line: e.line))
                    }
                }
            case .unit:
                guard let u = ctx.units[e.subject] else { continue }
                // Rule 4: a confirmed conclusion of disunity or degradation forces `failed`.
                if let reasons = ctx.confirmedFlags[e.subject]?.filter(\.forcesFailure), !reasons.isEmpty, e.level != .failed {
                    findings.append(RatingFinding(rule: "flagged-unit", unit: e.subject, subjects: [e.subject],
                        message: "Quy tắc 4: \(who) có kết luận \(reasons.map(\.vietnamese).sorted().joined(separator: ", ")), chỉ được xếp loại \"\(RatingLevel.failed.vietnamese)\".", line: e.line))
                }
                // Rule 7: lower levels first: every subordinate organization is rated before the unit.
                let unrated = (ctx.children[e.subject] ?? []).filter { combined[RatingContext.key(.unit, $0)] == nil }
                if !unrated.isEmpty {
                    findings.append(RatingFinding(rule: "order-children", unit: e.subject, subjects: [e.subject] + unrated,
                        message: "Quy tắc 7: \(who) được xếp loại trước các tổ chức trực thuộc chưa được xếp loại: \(unrated.prefix(5).joined(separator: ", "))\(unrated.count > 5 ? " và \(unrated.count - 5) tổ chức khác" : "").", line: e.line))
                }
                // Rule 5: an excellent organization needs 100% of its parts at least `completed`
                // and 80% at least `good` (sub-organizations for a committee, members for a cell).
                if e.level == .excellent {
                    let parts: [RatingEntry?]
                    let what: String
                    if u.kind.holdsMembers {
                        parts = (ctx.membersOf[e.subject] ?? []).filter { $0 != u.head }.map { combined[RatingContext.key(.member, $0)] }
                        what = "đảng viên"
                    } else {
                        parts = (ctx.children[e.subject] ?? []).map { combined[RatingContext.key(.unit, $0)] }
                        what = "tổ chức trực thuộc"
                    }
                    let rated = parts.compactMap { $0 }
                    let atLeastCompleted = rated.filter { $0.level >= .completed }.count
                    let atLeastGood = rated.filter { $0.level >= .good }.count
                    if rated.count < parts.count || atLeastCompleted < parts.count || atLeastGood * 5 < parts.count * 4 {
                        findings.append(RatingFinding(rule: "excellent-unit", unit: e.subject, subjects: [e.subject],
                            message: "Quy tắc 5: \(who) xếp loại \"\(RatingLevel.excellent.vietnamese)\" cần 100% \(what) từ \"\(RatingLevel.completed.vietnamese)\" trở lên và ít nhất 80% từ \"\(RatingLevel.good.vietnamese)\" trở lên; hiện có \(atLeastCompleted)/\(parts.count) và \(atLeastGood)/\(parts.count)\(rated.count < parts.count ? " (\(parts.count - rated.count) chưa được xếp loại)" : "").", line: e.line))
                    }
                }
            }
            // Rule 6: commendation only for those rated excellent.
            if e.commendation, e.level != .excellent {
                findings.append(RatingFinding(rule: "commendation", unit: e.kind == .unit ? e.subject : ctx.members[e.subject]?.unit ?? e.subject, subjects: [e.subject],
                    message: "Quy tắc 6: chỉ khen thưởng tổ chức, đảng viên xếp loại \"\(RatingLevel.excellent.vietnamese)\"; \(who) xếp loại \"\(e.level.vietnamese)\".", line: e.line))
            }
            combined[key] = e
        }
        findings += quotaFindings(entries, combined: combined, context: ctx, ruleset: ruleset, quota: quota)
        return findings
    }

    /// Rule 1: members rated excellent are at most `share` of those rated good (or good and
    /// excellent, per the campaign's setting), counted in each grassroots organization; under
    /// qd124-2023 within each group of similar role. The same cap among the grassroots
    /// organizations of a bloc (scope unverified in the sources).
    static func quotaFindings(_ entries: [RatingEntry], combined: [String: RatingEntry], context ctx: RatingContext,
                              ruleset: Ruleset, quota: Quota) -> [RatingFinding] {
        var findings: [RatingFinding] = []
        func allowed(excellent: Int, good: Int) -> Int {
            let denominator = quota.denominator == .good ? good : good + excellent
            return Int((quota.share * Double(denominator) + 1e-9).rounded(.down))
        }
        // Members, per grassroots organization touched by the file.
        let touched = Set(entries.filter { $0.kind == .member }.compactMap { ctx.members[$0.subject].flatMap { ctx.grassroots(of: $0.unit) } })
        var byOrg: [String: [RatingEntry]] = [:]
        for (_, r) in combined where r.kind == .member {
            guard let m = ctx.members[r.subject], let org = ctx.grassroots(of: m.unit), touched.contains(org) else { continue }
            byOrg[org, default: []].append(r)
        }
        for org in byOrg.keys.sorted() {
            let groups: [(String, [RatingEntry])]
            if ruleset == .qd124 {
                let leaders = byOrg[org]!.filter { ctx.members[$0.subject].map { $0.role != .member } ?? false }
                let others = byOrg[org]!.filter { ctx.members[$0.subject].map { $0.role == .member } ?? true }
                groups = [("cấp ủy viên", leaders), ("đảng viên", others)]
            } else {
                groups = [("đảng viên", byOrg[org]!)]
            }
            for (group, ratings) in groups {
                let excellent = ratings.filter { $0.level == .excellent }
                let good = ratings.filter { $0.level == .good }.count
                let cap = allowed(excellent: excellent.count, good: good)
                if excellent.count > cap {
                    findings.append(RatingFinding(rule: ruleset == .qd124 ? "role-quota" : "quota", unit: org, subjects: excellent.map(\.subject).sorted(),
                        message: "Quy tắc 1: \(ctx.name(.unit, org)) có \(excellent.count) \(group) xếp loại \"\(RatingLevel.excellent.vietnamese)\", vượt mức \(Int((quota.share * 100).rounded()))% của \(quota.denominator == .good ? good : good + excellent.count) \(group) \(quota.denominator == .good ? "xếp loại \"\(RatingLevel.good.vietnamese)\"" : "từ \"\(RatingLevel.good.vietnamese)\" trở lên") (tối đa \(cap))."))
                }
            }
        }
        // Organizations: among the grassroots organizations an upper committee rates (the scope
        // is not settled in the sources; this is the narrowest reading).
        let parents = Set(entries.filter { $0.kind == .unit }.compactMap { ctx.units[$0.subject]?.parent }.filter { ctx.units[$0]?.kind == .bloc })
        for p in parents.sorted() {
            let rated = (ctx.children[p] ?? []).compactMap { combined[RatingContext.key(.unit, $0)] }
            let excellent = rated.filter { $0.level == .excellent }
            let good = rated.filter { $0.level == .good }.count
            let cap = allowed(excellent: excellent.count, good: good)
            if excellent.count > cap {
                findings.append(RatingFinding(rule: "quota", unit: p, subjects: excellent.map(\.subject).sorted(),
                    message: "Quy tắc 1: trong các tổ chức trực thuộc \(ctx.name(.unit, p)), \(excellent.count) tổ chức xếp loại \"\(RatingLevel.excellent.vietnamese)\", vượt mức \(Int((quota.share * 100).rounded()))% (tối đa \(cap))."))
            }
        }
        return findings
    }
}
