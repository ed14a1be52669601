import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Unflag: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.unflag(args, now: context.now, by: context.caller.name)
    }
}

extension Engine {
    /// Closes a unit's open flags with a note; their directed reviews stop escalating.
    public func unflag(_ a: UnflagArgs, now: Date, by actor: String) throws -> UnflagResult {
        let note = a.note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else { throw ErrorBody(.invalidInput, "unflag needs a --note") }
        let ids = try store.write { tx -> [Int64] in
            _ = try knownUnit(a.unit, tx: tx)
            return try tx.closeFlags(unit: a.unit, note: note, at: now, by: actor)
        }
        guard !ids.isEmpty else { throw ErrorBody(.notFound, "unit '\(a.unit)' has no open flag") }
        for c in campaigns.keys { for id in ids { schedules[c]?.removeTask(.directedReview(flag: id)) } }
        return UnflagResult(unit: a.unit, closed: ids)
    }
}
