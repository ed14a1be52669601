import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Status: EngineCommand {
    public static func run(_ args: NoArgs, in context: CommandContext) throws -> StatusResult {
        let engine = context.engine, zone = context.zone
        let (c, last, flags) = try engine.store.read { tx in (try tx.counts(), try tx.lastSeq(), try tx.openFlags()) }
        var status = StatusResult(
            version: kiemdiemVersion, protocolVersion: protocolVersion, clock: Clock.info(context),
            endpoints: context.host.boundEndpoints, campaigns: engine.listCampaigns(now: context.now),
            counts: Counts(units: c.units, cells: c.cells, members: c.members, events: c.events), workers: context.host.workerCount, lastSeq: last,
            security: context.host.security)
        status.flags = flags.map {
            FlagInfo(id: $0.id, unit: $0.unit, reasons: $0.reasons.map(\.rawValue), confirmed: $0.confirmed,
                     reviewDue: Instant.format($0.reviewDue, timeZone: zone), reviewHeld: $0.reviewDoneAt != nil)
        }
        status.storage = context.host.storageProblem
        if !engine.silences.isEmpty { status.silences = try engine.store.read { try engine.silenceInfos(touching: nil, tx: $0) } }
        return status
    }
}
