import Foundation
import GRDB

/// A file being imported in chunks: staged in `upload`/`upload_chunk`, apart from the live
/// tables, until `import.commit` applies it.
public struct UploadRow: Sendable {
    public var id: String
    public var kind: String
    public var name: String
    public var chunks: Int
    public var bytes: Int
    public var received: Int
    public var nextMissing: Int
}

extension StoreTx {
    public func beginUpload(id: String, kind: String, name: String, chunks: Int, bytes: Int, actor: String, now: Date) throws {
        try db.execute(sql: """
            INSERT INTO upload(id, kind, name, chunks, bytes, actor, created_at, touched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, kind, name, chunks, bytes, actor, now.epoch, now.epoch])
    }

    public func uploadCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM upload") ?? 0
    }

    public func upload(_ id: String) throws -> UploadRow? {
        guard let r = try Row.fetchOne(db, sql: "SELECT * FROM upload WHERE id = ?", arguments: [id]) else { return nil }
        let seqs = try Int.fetchAll(db, sql: "SELECT seq FROM upload_chunk WHERE upload = ? ORDER BY seq", arguments: [id])
        var missing = 0
        for s in seqs { if s == missing { missing += 1 } else { break } }
        return UploadRow(id: r["id"], kind: r["kind"], name: r["name"], chunks: r["chunks"], bytes: r["bytes"], received: seqs.count, nextMissing: missing)
    }

    /// Stores a chunk; false when that sequence number is already stored with other content.
    public func putChunk(upload: String, seq: Int, content: String, now: Date) throws -> Bool {
        if let stored = try String.fetchOne(db, sql: "SELECT content FROM upload_chunk WHERE upload = ? AND seq = ?", arguments: [upload, seq]) {
            return stored == content // a chunk sent again (a reply lost on the way) changes nothing
        }
        try db.execute(sql: "INSERT INTO upload_chunk(upload, seq, content) VALUES (?, ?, ?)", arguments: [upload, seq, content])
        try db.execute(sql: "UPDATE upload SET touched_at = ? WHERE id = ?", arguments: [now.epoch, upload])
        return true
    }

    /// The staged file: its chunks in order, joined.
    public func uploadContent(_ id: String) throws -> String {
        var out = ""
        let rows = try String.fetchCursor(db, sql: "SELECT content FROM upload_chunk WHERE upload = ? ORDER BY seq", arguments: [id])
        while let c = try rows.next() { out += c }
        return out
    }

    public func dropUpload(_ id: String) throws {
        try db.execute(sql: "DELETE FROM upload_chunk WHERE upload = ?; DELETE FROM upload WHERE id = ?", arguments: [id, id])
    }

    /// Drops the uploads no chunk has touched since `before`; returns their ids.
    public func dropIdleUploads(before: Date) throws -> [String] {
        let ids = try String.fetchAll(db, sql: "SELECT id FROM upload WHERE touched_at < ?", arguments: [before.epoch])
        for id in ids { try dropUpload(id) }
        return ids
    }

    /// One staged chunk, and the size of all of them in bytes.
    public func uploadChunk(_ id: String, seq: Int) throws -> String? {
        try String.fetchOne(db, sql: "SELECT content FROM upload_chunk WHERE upload = ? AND seq = ?", arguments: [id, seq])
    }

    public func uploadBytes(_ id: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(length(CAST(content AS BLOB))), 0) FROM upload_chunk WHERE upload = ?", arguments: [id]) ?? 0
    }

    /// The ids a chunked members import has met so far, kept in a temporary table rather than in
    /// memory (millions of them): `firstSeen` returns the line an id was first met on, or records it.
    public func startSeenIds() throws {
        try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS import_seen (id TEXT PRIMARY KEY NOT NULL, line INTEGER NOT NULL) WITHOUT ROWID; DELETE FROM import_seen")
    }

    public func firstSeen(_ id: String, line: Int) throws -> Int? {
        if let first = try Int.fetchOne(db.cachedStatement(sql: "SELECT line FROM import_seen WHERE id = ?"), arguments: [id]) { return first }
        try db.cachedStatement(sql: "INSERT INTO import_seen(id, line) VALUES (?, ?)").execute(arguments: [id, line])
        return nil
    }

    public func endSeenIds() throws {
        try db.execute(sql: "DROP TABLE IF EXISTS temp.import_seen")
    }
}
