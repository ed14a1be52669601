import Foundation
import GRDB
import KiemDiemWire

/// A silence as stored (docs/notifications.md, "Silences").
public struct SilenceRow: Sendable, Equatable {
    public var id: Int64
    public var campaign: String
    public var unit: String
    public var path: String
    public var stage: String?
    public var until: Date
    public var reason: String
    public var actor: String
    public var createdAt: Date
    public var endedAt: Date?
    public var endedBy: String?

    /// Holds a notification about a unit at `path` for `stage` of `campaign`, falling due at `at`.
    public func holds(campaign c: String, path p: String, stage s: String, at: Date) -> Bool {
        endedAt == nil && campaign == c && at < until && p.hasPrefix(path) && (stage == nil || stage == s)
    }
}

extension StoreTx {
    public func insertSilence(campaign: String, unit: String, path: String, stage: String?, until: Date, reason: String, actor: String, at: Date) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO silence(campaign, unit, path, stage, until, reason, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [campaign, unit, path, stage, until.epoch, reason, actor, at.epoch])
        return db.lastInsertedRowID
    }

    public func silences(activeOnly: Bool) throws -> [SilenceRow] {
        try Row.fetchAll(db, sql: "SELECT * FROM silence \(activeOnly ? "WHERE ended_at IS NULL" : "") ORDER BY id").map(Self.silence)
    }

    public func silence(_ id: Int64) throws -> SilenceRow? {
        try Row.fetchOne(db, sql: "SELECT * FROM silence WHERE id = ?", arguments: [id]).map(Self.silence)
    }

    public func endSilence(_ id: Int64, at: Date, by: String) throws {
        try db.execute(sql: "UPDATE silence SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL", arguments: [at.epoch, by, id])
    }

    /// A notification held by a silence instead of queued; false when its key was held already.
    public func holdJob(silence: Int64, key: String, eventSeq: Int64, kind: JobPayload.Kind, channel: Channel, recipient: String,
                        address: String?, payload: String, stage: String, unit: String) throws -> Bool {
        try db.cachedStatement(sql: """
            INSERT INTO held_job(silence, key, event_seq, kind, channel, recipient, address, payload, stage, unit)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING
            """).execute(arguments: [silence, key, eventSeq, kind.rawValue, channel.rawValue, recipient, address, payload, stage, unit])
        return db.changesCount > 0
    }

    public struct HeldJob: Sendable {
        public var key: String
        public var eventSeq: Int64
        public var kind: JobPayload.Kind
        public var channel: Channel
        public var recipient: String
        public var address: String?
        public var payload: String
        public var stage: String
        public var unit: String
    }

    /// What a silence holds, by unit and stage, oldest first.
    public func heldJobs(silence: Int64) throws -> [HeldJob] {
        try Row.fetchAll(db, sql: "SELECT * FROM held_job WHERE silence = ? ORDER BY unit, stage, event_seq, id", arguments: [silence]).map {
            HeldJob(key: $0["key"], eventSeq: $0["event_seq"], kind: JobPayload.Kind(rawValue: $0["kind"]) ?? .reminder,
                    channel: Channel(rawValue: $0["channel"]) ?? .spool, recipient: $0["recipient"], address: $0["address"],
                    payload: $0["payload"], stage: $0["stage"], unit: $0["unit"])
        }
    }

    public func heldCount(silence: Int64) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM held_job WHERE silence = ?", arguments: [silence]) ?? 0
    }

    public func dropHeld(silence: Int64) throws {
        try db.execute(sql: "DELETE FROM held_job WHERE silence = ?", arguments: [silence])
    }

    private static func silence(_ r: Row) -> SilenceRow {
        SilenceRow(id: r["id"], campaign: r["campaign"], unit: r["unit"], path: r["path"], stage: r["stage"], until: Date(epoch: r["until"]),
                   reason: r["reason"], actor: r["actor"], createdAt: Date(epoch: r["created_at"]),
                   endedAt: (r["ended_at"] as Int64?).map(Date.init(epoch:)), endedBy: r["ended_by"])
    }
}
