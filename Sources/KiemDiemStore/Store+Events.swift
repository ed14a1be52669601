import Foundation
import GRDB
import KiemDiemWire

/// A stored event: its seq, topic and the exact JSON bytes that are published and replayed.
public struct StoredEvent: Sendable {
    public var seq: Int64
    public var topic: String
    public var body: Data
}

extension StoreTx {
    /// Appends an event to the outbox with the next seq. An event whose `id` is already stored is
    /// the same occurrence and is not stored again (returns nil): that is what keeps catch-up and
    /// retried transactions from firing twice. Seqs are contiguous because the counter only moves
    /// when a row is inserted, inside the caller's transaction.
    @discardableResult
    public func appendEvent(_ body: EventBody, at time: Date) throws -> Int64? {
        // Prepared once per connection (cachedStatement): a burst appends thousands in a row.
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM event WHERE id = ?)"), arguments: [body.id]) == true { return nil }
        let seq = (Int64.fromDatabaseValue(try meta("last_seq")) ?? 0) + 1
        var b = body
        b.seq = seq
                try db.cachedStatement(sql: "INSERT INTO event(seq, id, type, topic, time, body) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [seq, b.id, b.type, EventBody.topic(type: b.type, path: b.path), time.epoch, b.json])
        try setMeta("last_seq", seq)
        return seq
    }

    /// The last seq handed to the PUB socket, so a restart sends what a crash left unsent.
    public func lastPublished() throws -> Int64 {
        Int64.fromDatabaseValue(try meta("last_published")) ?? 0
    }

    public func setLastPublished(_ seq: Int64) throws {
        try setMeta("last_published", seq)
    }

    public func lastSeq() throws -> Int64 {
        Int64.fromDatabaseValue(try meta("last_seq")) ?? 0
    }

    /// Events with seq > `since`, oldest first, optionally only those whose topic starts with `topic`.
    public func events(since: Int64, topic: String?, limit: Int) throws -> [StoredEvent] {
        var sql = "SELECT seq, topic, body FROM event WHERE seq > ?"
        var args: StatementArguments = [since]
        if let topic, !topic.isEmpty {
            // substr rather than LIKE: an exact prefix, no wildcard escaping. It scans the events
            // after `since`, which the seq index bounds.
            sql += " AND substr(topic, 1, ?) = ?"
            args += [topic.unicodeScalars.count, topic]
        }
        sql += " ORDER BY seq LIMIT ?"
        args += [limit]
        return try Row.fetchAll(db, sql: sql, arguments: args).map {
            StoredEvent(seq: $0["seq"], topic: $0["topic"], body: Data(($0["body"] as String).utf8))
        }
    }
}

extension StoreTx {
    /// The latest events whose topic starts with `prefix`, newest first (a scan from the newest
    /// back: for the page, off the daemon's loop).
    public func latestEvents(topicPrefix prefix: String, limit: Int) throws -> [StoredEvent] {
        try Row.fetchAll(db, sql: "SELECT seq, topic, body FROM event WHERE substr(topic, 1, ?) = ? ORDER BY seq DESC LIMIT ?",
                         arguments: [prefix.unicodeScalars.count, prefix, limit]).map {
            StoredEvent(seq: $0["seq"], topic: $0["topic"], body: Data(($0["body"] as String).utf8))
        }
    }
}

extension StoreTx {
    /// Drops events whose instant is before `cutoff`. Seqs are never reused: the counter lives in
    /// `meta`, not in the table.
    @discardableResult
    public func pruneEvents(before cutoff: Date) throws -> Int {
        try db.execute(sql: "DELETE FROM event WHERE time < ?", arguments: [cutoff.epoch])
        return db.changesCount
    }
}
