import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

/// Checks a `rate` file passes besides the rating rules (issue 25, item 10), kept apart from the
/// rules core: they read the campaign's clock and its flags, not the ratings.
extension Engine {
    /// No rating before the campaign opens: the review it rates has not started.
    func checkRatingOpen(_ c: CampaignRow, now: Date) throws {
        guard now >= c.plan.opens else {
            throw ErrorBody(.conflict, "campaign '\(c.id)' opens \(Instant.format(c.plan.opens, timeZone: c.plan.zone)); no rating is recorded before it opens "
                            + "(the clock says \(Instant.format(now, timeZone: c.plan.zone)))")
        }
    }

    /// A flagged unit's **decided** rating while the review its upper committee directs is not
    /// held (the flag open, `done UNIT directed-review` not recorded). The upper committee directs
    /// that review, attends it and "may verify, inspect and re-rate", so a decision before it is
    /// premature: with `directed_review.rating: refuse` (the default) each is a finding
    /// (`directed-review`) and the file is refused; with `warn` it is accepted with a warning.
    func directedReviewFindings(_ c: CampaignRow, entries: [RatingEntry], tx: StoreTx) throws -> (findings: [RatingFinding], warnings: [String]) {
        let decided = entries.filter { $0.kind == .unit && $0.status == .decided }
        guard !decided.isEmpty else { return ([], []) }
        let open = try tx.openFlags().filter { $0.campaign == c.id && $0.reviewDoneAt == nil }
        guard !open.isEmpty else { return ([], []) }
        let byUnit = Dictionary(grouping: open, by: \.unit)
        var findings: [RatingFinding] = [], warnings: [String] = []
        let zone = c.plan.zone
        for e in decided {
            guard let flags = byUnit[e.subject], let flag = flags.min(by: { $0.reviewDue < $1.reviewDue }), let unit = try tx.unit(e.subject) else { continue }
            let owner = try unit.unit.parent.flatMap { try tx.unit($0) }?.unit.committeeName ?? "Cấp ủy cấp trên"
            let who = unit.unit.name // a committee reads it; the id is the finding's subject
            switch c.plan.directedReviewRating ?? .refuse {
            case .refuse:
                findings.append(RatingFinding(rule: "directed-review", unit: unit.id, subjects: [unit.id],
                                              message: Findings.directedReviewOpen(unit: who, owner: owner, reasons: Array(Set(flags.flatMap(\.reasons))).sorted { $0.rawValue < $1.rawValue },
                                                                                   due: flag.reviewDue, zone: zone),
                                              line: e.line))
            case .warn:
                warnings.append(Findings.directedReviewOpenWarning(unit: who, owner: owner, due: flag.reviewDue, zone: zone))
            }
        }
        return (findings, warnings)
    }
}
