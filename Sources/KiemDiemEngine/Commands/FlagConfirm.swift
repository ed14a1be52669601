import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension FlagConfirm: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.confirmFlag(args, now: context.now, by: context.caller.name)
    }
}

extension Engine {
    /// `flag confirm UNIT`: the directed review confirmed what the unit was flagged for. The
    /// conclusion stands for the campaign's year, flag open or not (rule 4).
    public func confirmFlag(_ a: FlagConfirmArgs, now: Date, by actor: String) throws -> ConclusionResult {
        let note = a.note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else { throw ErrorBody(.invalidInput, "a conclusion needs a --note (the competent body and its finding)") }
        let unit = try store.read { try knownUnit(a.unit, tx: $0) }
        let c = try resolveCampaign(a.campaign, unit: unit, stage: nil)
        return try store.write { tx in
            guard let flag = try tx.latestFlag(unit: unit.id, campaign: c.id) else { throw ErrorBody(.notFound, "unit '\(unit.id)' has no flag in '\(c.id)' to confirm") }
            var id: Int64 = 0
            let conflicts = try recordFacts(in: [c], cause: "flag-\(flag.id)-confirmed", now: now, tx: tx, scope: { RatingRules.affectedUnits([RatingKey(.unit, unit.id)], tree: $0) }) {
                try tx.confirmFlag(flag.id)
                id = try tx.insertConclusion(campaign: c.id, key: RatingKey(.unit, unit.id), reasons: flag.reasons, note: note, flag: flag.id, at: now, by: actor)
            }
            return ConclusionResult(conclusion: id, kind: "unit", subject: unit.id, reasons: flag.reasons.map(\.rawValue), conflicts: conflicts.map(Engine.describe))
        }
    }
}
