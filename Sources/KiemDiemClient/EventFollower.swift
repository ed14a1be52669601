import KiemDiemWire

/// Turns a lossy live stream (PUB/SUB drops what arrives before a subscription joins or past
/// the high-water mark) into a complete, ordered one: a seq gap, or a heartbeat announcing a seq
/// not yet seen, is filled by replaying stored events for the same topic prefixes.
/// With a topic filter gaps in seq are normal; replay for the prefixes tells them apart.
public struct EventFollower {
    /// Everything at or below this seq has been delivered or is known not to match.
    public private(set) var cursor: Int64
    let prefixes: [String]
    /// Fetches stored events after `since` whose topic starts with `prefix` (nil: all).
    let replay: (_ since: Int64, _ prefix: String?) throws -> EventsResult

    public init(cursor: Int64, prefixes: [String], replay: @escaping (_ since: Int64, _ prefix: String?) throws -> EventsResult) {
        self.cursor = cursor
        self.prefixes = prefixes.isEmpty ? [""] : prefixes
        self.replay = replay
    }

    /// What to deliver, in seq order, for one message from the live stream.
    public mutating func receive(_ e: EventBody) throws -> [EventBody] {
        if e.eventType == .heartbeat {
            return e.seq > cursor ? try fill(upTo: e.seq + 1) : []
        }
        if e.seq <= cursor { return [] } // already delivered by a replay
        var out = e.seq > cursor + 1 ? try fill(upTo: e.seq) : []
        out.append(e)
        cursor = e.seq
        return out
    }

    /// Stored events in (cursor, upTo) matching the prefixes; moves the cursor to upTo - 1.
    public mutating func fill(upTo: Int64) throws -> [EventBody] {
        var found: [Int64: EventBody] = [:]
        for p in prefixes {
            var from = cursor
            while from < upTo - 1 {
                let r = try replay(from, p.isEmpty ? nil : p)
                for e in r.events where e.seq < upTo { found[e.seq] = e }
                guard r.more, let last = r.events.last, last.seq < upTo - 1 else { break }
                from = last.seq
            }
        }
        cursor = max(cursor, upTo - 1)
        return found.keys.sorted().map { found[$0]! }
    }
}
