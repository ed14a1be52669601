import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension RateCommend: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.commend(args, now: context.now, by: context.caller.name)
    }
}

extension Engine {
    /// `rate commend`: the commendation proposal is its own act, after the decision (the 2022
    /// plan, point 5: rating, commendation and commendation proposals). It is set on the subject's
    /// **decided** rating, and only on `excellent` (rule 6): refused otherwise with the rule's
    /// finding, published as `rating.rejected` like a refused rating file. Withdrawing is always
    /// allowed. A change is published as `rating.commended` on the subject's unit's topic (a
    /// member's cell); the command is audited.
    public func commend(_ a: CommendArgs, now: Date, by actor: String) throws -> CommendResult {
        guard let kind = RatingEntry.Kind(rawValue: a.kind) else { throw ErrorBody(.invalidInput, "--kind must be member or unit") }
        let note = a.note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else { throw ErrorBody(.invalidInput, "a commendation needs a --note") }
        let withdraw = a.withdraw ?? false
        let c = try ratingCampaign(a.campaign)
        guard c.status != .completed else { throw ErrorBody(.conflict, "campaign '\(c.id)' is completed") }
        // Judged on a read first: a refusal stores only its finding (`rating.rejected`), and the
        // request's "ok" audit row must not ride on that write (the handler records the refusal).
        let judged = try store.read { tx -> (home: UnitRow, who: String, row: RatingRow?, finding: RatingFinding?) in
            // The subject, its unit (a member's cell) and its name as a committee reads it.
            let home: UnitRow, who: String
            switch kind {
            case .member:
                guard let m = try tx.member(a.subject), let cell = try tx.unit(m.unit) else { throw ErrorBody(.notFound, "unknown member '\(a.subject)'") }
                (home, who) = (cell, Messages.ratedSubject(member: m.name))
            case .unit:
                guard let u = try tx.unit(a.subject) else { throw ErrorBody(.notFound, "unknown unit '\(a.subject)'") }
                (home, who) = (u, u.unit.name)
            }
            guard let row = try tx.decidedRating(campaign: c.id, kind: kind, subject: a.subject) else {
                if withdraw { throw ErrorBody(.notFound, "\(a.kind) '\(a.subject)' has no decided rating in force in '\(c.id)'") }
                return (home, who, nil, RatingFinding(rule: "commendation", unit: home.id, subjects: [a.subject], message: Findings.commendUndecided(who: who, rules: c.plan.ruleset)))
            }
            if !withdraw, row.entry.level != .excellent {
                return (home, who, row, RatingFinding(rule: "commendation", unit: home.id, subjects: [a.subject],
                                                      message: Findings.commendNotExcellent(who: who, level: row.entry.level, rules: c.plan.ruleset)))
            }
            return (home, who, row, nil)
        }
        if let f = judged.finding {
            let audit = store.detachAudit()
            defer { store.attachAudit(audit) }
            try store.write { tx in try publish([f], as: .ratingRejected, cause: "\(now.epoch)/\(UUID().uuidString.prefix(8))", campaign: c, now: now, tx: tx) }
            throw ErrorBody(.rejected, "\(a.kind) '\(a.subject)': no commendation under \(c.plan.ruleset.rawValue); nothing was stored", details: [Engine.describe(f)])
        }
        guard let row = judged.row else { throw ErrorBody(.internalError, "no rating") }
        var result = CommendResult(campaign: c.id, subject: a.subject, kind: a.kind, level: row.entry.level.rawValue, commendation: !withdraw, changed: false)
        guard row.entry.commendation == withdraw else { return result } // already so: nothing stored
        try store.write { tx in
            try tx.setCommendation(rating: row.id, !withdraw)
            var b = event(.ratingCommended, [a.kind, a.subject, "\(row.id)", "\(now.epoch)", withdraw ? "withdrawn" : "set"], campaign: c, unit: judged.home, at: now)
            if kind == .member { b.member = a.subject }
            b.message = Messages.ratingCommended(who: judged.who, withdrawn: withdraw, note: note)
            try tx.appendEvent(b, at: now)
        }
        result.changed = true
        return result
    }
}
