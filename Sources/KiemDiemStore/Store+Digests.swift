import Foundation
import GRDB
import KiemDiemWire

extension StoreTx {
    /// A notification waiting for its window to end; false when its key waits already.
    public func addDigestItem(windowEnd: Date, recipient: String, channel: Channel, key: String, eventSeq: Int64, kind: JobPayload.Kind,
                              address: String?, payload: String) throws -> Bool {
        try db.cachedStatement(sql: """
            INSERT INTO digest_item(window_end, recipient, channel, key, event_seq, kind, address, payload)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING
            """).execute(arguments: [windowEnd.epoch, recipient, channel.rawValue, key, eventSeq, kind.rawValue, address, payload])
        return db.changesCount > 0
    }

    /// The ends of the windows that hold notifications.
    public func digestWindowEnds() throws -> [Date] {
        try Int64.fetchAll(db, sql: "SELECT DISTINCT window_end FROM digest_item ORDER BY window_end").map(Date.init(epoch:))
    }

    public struct DigestItem: Sendable {
        public var id: Int64
        public var windowEnd: Date
        public var recipient: String
        public var channel: Channel
        public var key: String
        public var eventSeq: Int64
        public var kind: JobPayload.Kind
        public var address: String?
        public var payload: String
    }

    /// The notifications of the windows ended by `now`, by window, recipient and channel, in
    /// the order their events were stored.
    public func digestItems(endedBy now: Date) throws -> [DigestItem] {
        try Row.fetchAll(db, sql: "SELECT * FROM digest_item WHERE window_end <= ? ORDER BY window_end, recipient, channel, event_seq, id",
                         arguments: [now.epoch]).map {
            DigestItem(id: $0["id"], windowEnd: Date(epoch: $0["window_end"]), recipient: $0["recipient"], channel: Channel(rawValue: $0["channel"]) ?? .spool,
                       key: $0["key"], eventSeq: $0["event_seq"], kind: JobPayload.Kind(rawValue: $0["kind"]) ?? .reminder,
                       address: $0["address"], payload: $0["payload"])
        }
    }

    public func deleteDigestItems(endedBy now: Date) throws {
        try db.execute(sql: "DELETE FROM digest_item WHERE window_end <= ?", arguments: [now.epoch])
    }
}
