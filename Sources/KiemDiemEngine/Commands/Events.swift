import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Events: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.events(args)
    }
}

extension Engine {
    public func events(_ a: EventsArgs) throws -> EventsResult {
        let limit = min(max(a.limit ?? 1000, 1), 5000)
        let decoder = WireJSON.decoder()
        return try store.read { tx in
            let rows = try tx.events(since: a.since, topic: a.topic, limit: limit + 1)
            let last = try tx.lastSeq()
            let events = try rows.prefix(limit).map { try decoder.decode(EventBody.self, from: $0.body) }
            return EventsResult(events: events, lastSeq: last, more: rows.count > limit)
        }
    }
}
