import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension RemediationDone: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.completeRemediation(args.id, now: context.now, by: context.caller.name)
    }
}

extension Engine {
    public func completeRemediation(_ id: Int64, now: Date, by actor: String) throws -> RemediationInfo {
        let row = try store.write { tx -> RemediationRow in
            guard try tx.remediation(id) != nil else { throw ErrorBody(.notFound, "no remediation item \(id)") }
            _ = try tx.completeRemediation(id, at: now, by: actor)
            return try tx.remediation(id)!
        }
        schedules[row.campaign]?.removeTask(.remediation(id))
        return info(row)
    }
}
