import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Audit: EngineCommand {
    public static func run(_ args: AuditArgs, in context: CommandContext) throws -> [AuditEntry] {
        let zone = context.zone
        var since: Date?
        if let s = args.since {
            guard let d = Instant.parse(s, timeZone: zone) else { throw ErrorBody(.invalidInput, "--since '\(s)' is not an ISO 8601 instant or a date") }
            since = d
        }
        let limit = min(max(args.limit ?? 1000, 1), 10_000)
        return try context.engine.store.read { try $0.auditEntries(since: since, limit: limit) }.map {
            AuditEntry(time: Instant.format($0.time, timeZone: zone), actor: $0.actor, role: $0.role, command: $0.command, args: $0.args, result: $0.result)
        }
    }
}
