import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension FlagRaise: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.flag(args, now: context.now, by: context.caller.name)
    }
}

extension Engine {
    /// Flags a unit: `unit.flagged`, and at once a directed review by its parent committee with
    /// its own deadline (`directed_review.due_in`, default 15 days), escalated when overdue.
    public func flag(_ a: FlagArgs, now: Date, by actor: String) throws -> FlagResult {
        let unit = try store.read { try knownUnit(a.unit, tx: $0) }
        let c = try resolveCampaign(a.campaign, unit: unit, stage: nil)
        guard c.status == .active else { throw ErrorBody(.conflict, "campaign '\(c.id)' is \(c.status.rawValue)") }
        var reasons: [FlagReason] = []
        for r in a.reasons {
            guard let reason = FlagReason(rawValue: r) else {
                throw ErrorBody(.invalidInput, "unknown reason '\(r.prefix(40))' (expected \(FlagReason.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            if !reasons.contains(reason) { reasons.append(reason) }
        }
        guard !reasons.isEmpty else { throw ErrorBody(.invalidInput, "a flag needs at least one --reason") }
        let note = a.note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else { throw ErrorBody(.invalidInput, "a flag needs a --note") }
        guard unit.unit.parent != nil else { throw ErrorBody(.badRequest, "the root has no upper committee to direct its review") }
        let due = now.addingTimeInterval(TimeInterval(c.plan.directedReviewDueIn ?? 15 * 86_400))
        let zone = c.plan.zone
        let (flagId, parent) = try store.write { tx -> (Int64, UnitRow?) in
            var id: Int64 = 0
            // A flag with a competent conclusion records the conclusion too (rule 4); ratings in
            // force that it contradicts are published as conflicts.
            _ = try recordFacts(in: a.confirmed == true ? [c] : [], cause: "flag-\(now.epoch)-\(unit.id)", now: now, tx: tx,
                                scope: { RatingRules.affectedUnits([RatingKey(.unit, unit.id)], tree: $0) }) {
                id = try tx.insertFlag(campaign: c.id, unit: unit.id, reasons: reasons, note: note, confirmed: a.confirmed ?? false, at: now, by: actor, reviewDue: due)
                if a.confirmed == true {
                    _ = try tx.insertConclusion(campaign: c.id, key: RatingKey(.unit, unit.id), reasons: reasons, note: note, flag: id, at: now, by: actor)
                }
            }
            let parent = try tx.unit(unit.unit.parent!)
            var f = event(.unitFlagged, ["\(id)"], campaign: c, unit: unit, at: now)
            f.reasons = reasons.map(\.rawValue)
            f.message = Messages.unitFlagged(unitName: unit.unit.name, reasons: reasons, confirmed: a.confirmed == true, note: note)
            try tx.appendEvent(f, at: now)
            var r = event(.reviewDirected, ["\(id)"], campaign: c, unit: unit, stage: TaskDeadline.Kind.directedReview.rawValue, at: now)
            r.reasons = reasons.map(\.rawValue)
            r.due = Instant.format(due, timeZone: zone)
            r.to = parent?.id
            r.message = Messages.reviewDirected(committee: parent?.unit.committeeName, unitName: unit.unit.name, reasons: reasons, due: due, zone: zone)
            try tx.appendEvent(r, at: now)
            return (id, parent)
        }
        schedules[c.id]?.add(TaskDeadline(.directedReview(flag: flagId), unit: unit.id, due: due))
        return FlagResult(flag: flagId, unit: unit.id, owner: parent?.id, reviewDue: Instant.format(due, timeZone: zone))
    }
}
