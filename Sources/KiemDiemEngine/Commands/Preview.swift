import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Preview: EngineCommand {
    public static func run(_ args: PreviewArgs, in context: CommandContext) throws -> PreviewResult {
        let zone = context.zone, now = context.now
        guard let until = Instant.parse(args.until, timeZone: zone) else {
            throw ErrorBody(.invalidInput, "'\(args.until)' is not an ISO 8601 instant with offset or a date")
        }
        guard until > now else { throw ErrorBody(.invalidInput, "--until must be after now (\(Instant.format(now, timeZone: zone)))") }
        let events = try context.engine.preview(from: now, until: until)
        return PreviewResult(from: Instant.format(now, timeZone: zone), until: Instant.format(until, timeZone: zone), events: events)
    }
}

extension Engine {
    /// What would fire between `now` and `until`, computed by the same code in a transaction that
    /// is rolled back.
    public func preview(from now: Date, until: Date) throws -> [EventBody] {
        let saved = campaigns
        defer { campaigns = saved }
        return try store.dryRun { tx in
            var out: [EventBody] = []
            var pending: [(CampaignRow, Trigger)] = []
            for c in orderedCampaigns where c.status == .active {
                guard let s = schedules[c.id] else { continue }
                pending += s.triggers(after: max(c.watermark, now), through: until).map { (c, $0) }
            }
            pending.sort(by: Engine.firingOrder)
            for (c, t) in pending { _ = try fire(t, campaign: c, tx: tx) { out.append($0) } }
            return out
        }
    }
}
