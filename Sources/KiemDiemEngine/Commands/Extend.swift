import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Extend: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.extend(args, now: context.now)
    }
}

extension Engine {
    /// A new deadline for one unit's stage; the unit then gets reminders and overdue on its own.
    public func extend(_ a: ExtendArgs, now: Date) throws -> ExtendResult {
        let unit = try store.read { try knownUnit(a.unit, tx: $0) }
        let c = try resolveCampaign(a.campaign, unit: unit, stage: a.stage)
        guard unit.path.hasPrefix(c.rootPath) else { throw ErrorBody(.badRequest, "unit '\(unit.id)' is not in campaign '\(c.id)' (root '\(c.plan.root)')") }
        guard c.status == .active else { throw ErrorBody(.conflict, "campaign '\(c.id)' is \(c.status.rawValue)") }
        guard let stage = c.plan.stage(a.stage) else { throw ErrorBody(.notFound, "campaign '\(c.id)' has no stage '\(a.stage)'") }
        guard stage.scope.applies(to: unit.unit.kind) else {
            throw ErrorBody(.badRequest, "stage '\(stage.id)' does not apply to '\(unit.id)' (a \(unit.unit.kind.rawValue))")
        }
        let zone = c.plan.zone
        guard let until = Instant.parse(a.until, timeZone: zone) else {
            throw ErrorBody(.invalidInput, "until '\(a.until)' is not an ISO 8601 instant with offset or a date YYYY-MM-DD")
        }
        guard until > now else { throw ErrorBody(.invalidInput, "the new deadline \(Instant.format(until, timeZone: zone)) is not in the future") }
        let reason = a.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw ErrorBody(.invalidInput, "an extension needs a reason (--reason)") }
        try store.write { tx in
            if try tx.unitCompleted(campaign: c.id, stage: stage.id, unit: unit.id) {
                throw ErrorBody(.conflict, "'\(unit.id)' has already completed '\(stage.id)'")
            }
            try tx.extend(campaign: c.id, stage: stage.id, unit: unit.id, until: until, reason: reason)
            // `now` in the id too: extending back to an earlier deadline is a new occurrence.
            var b = event(.deadlineExtended, [stage.id, unit.id, "\(until.epoch)", "\(now.epoch)"], campaign: c, unit: unit, stage: stage.id, at: now)
            b.due = Instant.format(until, timeZone: zone)
            b.message = Messages.extended(stage: stage, unitName: unit.unit.name, until: until, reason: reason, plan: c.plan)
            try tx.appendEvent(b, at: now)
        }
        schedules[c.id]?.extend(stage: stage.id, unit: unit.id, until: until)
        return ExtendResult(campaign: c.id, stage: stage.id, unit: unit.id, due: Instant.format(until, timeZone: zone))
    }
}
