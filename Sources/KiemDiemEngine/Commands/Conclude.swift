import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Conclude: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.conclude(args, now: context.now, by: context.caller.name)
    }
}

extension Engine {
    /// `conclude MEMBER --reason …`: a competent conclusion of degradation, "self-evolution" or
    /// "self-transformation" about a member, which forces `failed` for the campaign's year.
    public func conclude(_ a: ConcludeArgs, now: Date, by actor: String) throws -> ConclusionResult {
        var reasons: [FlagReason] = []
        for r in a.reasons {
            guard let reason = FlagReason(rawValue: r), reason.forcesFailureOfMember else {
                throw ErrorBody(.invalidInput, "a conclusion about a member is of \(FlagReason.allCases.filter(\.forcesFailureOfMember).map(\.rawValue).joined(separator: ", ")), not '\(r.prefix(40))'")
            }
            if !reasons.contains(reason) { reasons.append(reason) }
        }
        guard !reasons.isEmpty else { throw ErrorBody(.invalidInput, "a conclusion needs at least one --reason") }
        let note = a.note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else { throw ErrorBody(.invalidInput, "a conclusion needs a --note (the competent body and its finding)") }
        let (member, cell) = try store.read { tx -> (Member, UnitRow) in
            guard let m = try tx.member(a.member) else { throw ErrorBody(.notFound, "no member '\(a.member)'") }
            return (m, try knownUnit(m.unit, tx: tx))
        }
        let c = try resolveCampaign(a.campaign, unit: cell, stage: nil)
        return try store.write { tx in
            var id: Int64 = 0
            let conflicts = try recordFacts(in: [c], cause: "conclusion-\(member.id)-\(now.epoch)", now: now, tx: tx, scope: { RatingRules.affectedUnits([RatingKey(.member, member.id)], tree: $0) }) {
                id = try tx.insertConclusion(campaign: c.id, key: RatingKey(.member, member.id), reasons: reasons, note: note, flag: nil, at: now, by: actor)
            }
            return ConclusionResult(conclusion: id, kind: "member", subject: member.id, reasons: reasons.map(\.rawValue), conflicts: conflicts.map(Engine.describe))
        }
    }
}
