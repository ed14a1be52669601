import Foundation
import GRDB

/// A token of the web page, as stored: never its secret, only the secret's SHA-256.
public struct WebTokenRow: Sendable, Equatable {
    public var id: String
    public var unit: String
    public var role: String
    public var hash: String
    public var label: String
    public var actor: String
    public var createdAt: Int64
    public var expiresAt: Int64
    public var revokedAt: Int64?
    public init(id: String, unit: String, role: String, hash: String, label: String, actor: String, createdAt: Int64, expiresAt: Int64, revokedAt: Int64? = nil) {
        self.id = id
        self.unit = unit
        self.role = role
        self.hash = hash
        self.label = label
        self.actor = actor
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}

extension StoreTx {
    public func insertWebToken(_ t: WebTokenRow) throws {
        try db.execute(sql: """
            INSERT INTO web_token (id, unit, role, hash, label, actor, created_at, expires_at, revoked_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [t.id, t.unit, t.role, t.hash, t.label, t.actor, t.createdAt, t.expiresAt, t.revokedAt])
    }

    public func webToken(_ id: String) throws -> WebTokenRow? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM web_token WHERE id = ?"), arguments: [id]).map(Self.webToken)
    }

    public func webTokens() throws -> [WebTokenRow] {
        try Row.fetchAll(db, sql: "SELECT * FROM web_token ORDER BY created_at, id").map(Self.webToken)
    }

    /// Revokes a token; false when it was revoked already.
    public func revokeWebToken(_ id: String, at time: Int64) throws -> Bool {
        try db.execute(sql: "UPDATE web_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [time, id])
        return db.changesCount > 0
    }

    private static func webToken(_ r: Row) -> WebTokenRow {
        WebTokenRow(id: r["id"], unit: r["unit"], role: r["role"], hash: r["hash"], label: r["label"], actor: r["actor"],
                    createdAt: r["created_at"], expiresAt: r["expires_at"], revokedAt: r["revoked_at"])
    }
}
