import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Preview: EngineCommand {
    public static func run(_ args: PreviewArgs, in context: CommandContext) throws -> PreviewResult {
        let zone = context.zone, now = context.now
        // A preview is a dry run on the writing connection, which an import being applied holds.
        if let hold = context.engine.writeHold { throw ErrorBody(.unavailable, hold) }
        guard let until = Instant.parse(args.until, timeZone: zone) else {
            throw ErrorBody(.invalidInput, "'\(args.until)' is not an ISO 8601 instant with offset or a date")
        }
        guard until > now else { throw ErrorBody(.invalidInput, "--until must be after now (\(Instant.format(now, timeZone: zone)))") }
        let limit = min(max(args.limit ?? PreviewArgs.defaultLimit, 1), PreviewArgs.maxLimit)
        let r = try context.engine.preview(from: now, until: until, limit: limit)
        return PreviewResult(from: Instant.format(now, timeZone: zone), until: Instant.format(until, timeZone: zone), events: r.events,
                             truncatedAt: r.truncatedAt.map { Instant.format($0, timeZone: zone) })
    }
}

extension Engine {
    /// What would fire between `now` and `until`, computed by the same code in a transaction that
    /// is rolled back; at most `limit` events (then `truncatedAt` is the instant of the first
    /// trigger not finished). The work and the memory are bounded by `limit`, not by `until`.
    public func preview(from now: Date, until: Date, limit: Int = .max) throws -> (events: [EventBody], truncatedAt: Date?) {
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
            for (c, t) in pending {
                let room = limit - out.count
                guard room > 0 else { return (out, t.instant) }
                let r = try fire(t, campaign: c, tx: tx, observe: { out.append($0) }, slice: Slice(after: nil, limit: room))
                if r.next != nil || out.count > limit { return (Array(out.prefix(limit)), t.instant) }
            }
            return (out, nil)
        }
    }
}
