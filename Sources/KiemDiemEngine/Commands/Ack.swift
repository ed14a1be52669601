import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Ack: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.acknowledge(args.id, now: context.now, by: context.caller.name)
    }
}

extension Engine {
    /// `kiemdiemctl ack ID`: an upper committee acknowledges an escalation; it stops repeating.
    public func acknowledge(_ id: Int64, now: Date, by actor: String) throws -> AckResult {
        try store.write { tx in
            guard let e = try tx.escalation(id) else { throw ErrorBody(.notFound, "no escalation \(id)") }
            let fresh = try tx.acknowledge(id, by: actor, at: now)
            if fresh, let c = campaigns[e.campaign], let unit = try tx.unit(e.unit) {
                var b = event(.escalationAcknowledged, ["\(id)"], campaign: c, unit: unit, stage: e.stage, at: now)
                b.escalation = id
                b.level = e.level
                b.to = e.target
                b.due = Instant.format(e.due, timeZone: c.plan.zone)
                // Named as a committee is, not by the actor (a login or a token: the audit keeps it).
                let committee = try tx.unit(e.target)?.unit.committeeName
                b.message = Messages.escalationAcknowledged(stageTitle: c.plan.stage(e.stage)?.title ?? e.stage, unitName: unit.unit.name, committee: committee)
                try tx.appendEvent(b, at: now)
            }
            return AckResult(escalation: id, unit: e.unit, stage: e.stage, alreadyAcknowledged: !fresh)
        }
    }
}
