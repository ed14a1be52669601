import Foundation
import GRDB
import KiemDiemCore

public struct FlagRow: Sendable {
    public var id: Int64
    public var campaign: String
    public var unit: String
    public var reasons: [FlagReason]
    public var note: String
    public var confirmed: Bool
    public var flaggedAt: Date
    public var flaggedBy: String
    public var reviewDue: Date
    public var reviewDoneAt: Date?
    public var closedAt: Date?

    init(_ r: Row) {
        id = r["id"]; campaign = r["campaign"]; unit = r["unit"]; note = r["note"]; confirmed = r["confirmed"]
        reasons = (r["reasons"] as String).split(separator: ",").compactMap { FlagReason(rawValue: String($0)) }
        flaggedAt = Date(epoch: r["flagged_at"]); flaggedBy = r["flagged_by"]; reviewDue = Date(epoch: r["review_due"])
        reviewDoneAt = (r["review_done_at"] as Int64?).map(Date.init(epoch:)); closedAt = (r["closed_at"] as Int64?).map(Date.init(epoch:))
    }
}

public struct RemediationRow: Sendable {
    public var id: Int64
    public var campaign: String
    public var unit: String
    public var member: String?
    public var text: String
    public var due: Date
    public var createdAt: Date
    public var doneAt: Date?

    init(_ r: Row) {
        id = r["id"]; campaign = r["campaign"]; unit = r["unit"]; member = r["member"]; text = r["text"]
        due = Date(epoch: r["due"]); createdAt = Date(epoch: r["created_at"]); doneAt = (r["done_at"] as Int64?).map(Date.init(epoch:))
    }
}

public struct RatingRow: Sendable {
    public var id: Int64
    public var entry: RatingEntry
    public var ratedAt: Date
}

extension StoreTx {
    // MARK: Flags and directed reviews

    public func insertFlag(campaign: String, unit: String, reasons: [FlagReason], note: String, confirmed: Bool, at: Date, by: String, reviewDue: Date) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO flag(campaign, unit, reasons, note, confirmed, flagged_at, flagged_by, review_due) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [campaign, unit, reasons.map(\.rawValue).joined(separator: ","), note, confirmed, at.epoch, by, reviewDue.epoch])
        return db.lastInsertedRowID
    }

    public func openFlags(unit: String? = nil) throws -> [FlagRow] {
        if let unit {
            return try Row.fetchAll(db, sql: "SELECT * FROM flag WHERE closed_at IS NULL AND unit = ? ORDER BY id", arguments: [unit]).map(FlagRow.init)
        }
        return try Row.fetchAll(db, sql: "SELECT * FROM flag WHERE closed_at IS NULL ORDER BY id").map(FlagRow.init)
    }

    /// Open flags in a subtree (by the units' paths).
    public func openFlags(subtree path: String) throws -> [FlagRow] {
        let (lo, hi) = subtreeRange(path)
        return try Row.fetchAll(db, sql: """
            SELECT f.* FROM flag f JOIN unit u ON u.id = f.unit WHERE f.closed_at IS NULL AND u.path >= ? AND u.path < ? ORDER BY f.id
            """, arguments: [lo, hi]).map(FlagRow.init)
    }

    public func flag(_ id: Int64) throws -> FlagRow? {
        try Row.fetchOne(db, sql: "SELECT * FROM flag WHERE id = ?", arguments: [id]).map(FlagRow.init)
    }

    public func closeFlags(unit: String, note: String, at: Date, by: String) throws -> [Int64] {
        let ids = try Int64.fetchAll(db, sql: "SELECT id FROM flag WHERE unit = ? AND closed_at IS NULL", arguments: [unit])
        try db.execute(sql: "UPDATE flag SET closed_at = ?, closed_note = ?, closed_by = ? WHERE unit = ? AND closed_at IS NULL",
                       arguments: [at.epoch, note, by, unit])
        return ids
    }

    /// Records the directed review as held; false when it already was.
    public func completeDirectedReview(_ id: Int64, at: Date) throws -> Bool {
        try db.execute(sql: "UPDATE flag SET review_done_at = ? WHERE id = ? AND review_done_at IS NULL", arguments: [at.epoch, id])
        return db.changesCount > 0
    }

    /// Flags of a campaign whose directed review is still to be held (open flags only).
    public func pendingReviews(campaign: String) throws -> [FlagRow] {
        try Row.fetchAll(db, sql: "SELECT * FROM flag WHERE campaign = ? AND closed_at IS NULL AND review_done_at IS NULL", arguments: [campaign]).map(FlagRow.init)
    }

    // MARK: Remediation

    public func insertRemediation(campaign: String, unit: String, member: String?, text: String, due: Date, at: Date, by: String) throws -> Int64 {
        try db.execute(sql: "INSERT INTO remediation(campaign, unit, member, text, due, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [campaign, unit, member, text, due.epoch, at.epoch, by])
        return db.lastInsertedRowID
    }

    public func remediation(_ id: Int64) throws -> RemediationRow? {
        try Row.fetchOne(db, sql: "SELECT * FROM remediation WHERE id = ?", arguments: [id]).map(RemediationRow.init)
    }

    public func completeRemediation(_ id: Int64, at: Date, by: String) throws -> Bool {
        try db.execute(sql: "UPDATE remediation SET done_at = ?, done_by = ? WHERE id = ? AND done_at IS NULL", arguments: [at.epoch, by, id])
        return db.changesCount > 0
    }

    public func openRemediation(campaign: String) throws -> [RemediationRow] {
        try Row.fetchAll(db, sql: "SELECT * FROM remediation WHERE campaign = ? AND done_at IS NULL ORDER BY id", arguments: [campaign]).map(RemediationRow.init)
    }

    public func remediations(subtree path: String?, openOnly: Bool) throws -> [RemediationRow] {
        var sql = "SELECT r.* FROM remediation r JOIN unit u ON u.id = r.unit WHERE 1 = 1"
        var args: StatementArguments = []
        if let path {
            let (lo, hi) = subtreeRange(path)
            sql += " AND u.path >= ? AND u.path < ?"
            args += [lo, hi]
        }
        if openOnly { sql += " AND r.done_at IS NULL" }
        return try Row.fetchAll(db, sql: sql + " ORDER BY r.id", arguments: args).map(RemediationRow.init)
    }

    /// Open remediation of units in a new campaign's tree moves to it: it is followed until done.
    public func carryOverRemediation(to campaign: String, subtree path: String) throws -> Int {
        let (lo, hi) = subtreeRange(path)
        try db.execute(sql: """
            UPDATE remediation SET campaign = ? WHERE done_at IS NULL AND campaign != ?
              AND unit IN (SELECT id FROM unit WHERE path >= ? AND path < ?)
              AND campaign IN (SELECT id FROM campaign WHERE status = 'completed')
            """, arguments: [campaign, campaign, lo, hi])
        return db.changesCount
    }

    public func unitIds(subtree path: String) throws -> Set<String> {
        let (lo, hi) = subtreeRange(path)
        return Set(try String.fetchAll(db, sql: "SELECT id FROM unit WHERE path >= ? AND path < ?", arguments: [lo, hi]))
    }

    // MARK: Ratings

    public func currentRatings(campaign: String) throws -> [RatingRow] {
        try Row.fetchAll(db, sql: "SELECT * FROM rating WHERE campaign = ? AND annulled_at IS NULL ORDER BY id", arguments: [campaign]).map {
            RatingRow(id: $0["id"], entry: RatingEntry(subject: $0["subject"], kind: RatingEntry.Kind(rawValue: $0["kind"]) ?? .member,
                                                    level: RatingLevel(rawValue: $0["level"]) ?? .failed, commendation: $0["commendation"], note: $0["note"]),
                      ratedAt: Date(epoch: $0["rated_at"]))
        }
    }

    /// Stores accepted ratings; a subject's earlier rating in force is replaced only by annulment.
    public func insertRatings(campaign: String, entries: [RatingEntry], at: Date, by: String) throws {
        let stmt = try db.cachedStatement(sql: """
            INSERT INTO rating(campaign, kind, subject, level, commendation, note, rated_at, rated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for e in entries {
            try stmt.execute(arguments: [campaign, e.kind.rawValue, e.subject, e.level.rawValue, e.commendation, e.note, at.epoch, by])
        }
    }

    /// The upper committee annuls a rating in force (DOMAIN.md rule 7); returns the annulled level.
    public func annulRating(campaign: String, kind: RatingEntry.Kind, subject: String, reason: String, at: Date, by: String) throws -> RatingLevel? {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, level FROM rating WHERE campaign = ? AND kind = ? AND subject = ? AND annulled_at IS NULL",
                                         arguments: [campaign, kind.rawValue, subject]) else { return nil }
        try db.execute(sql: "UPDATE rating SET annulled_at = ?, annul_reason = ?, annulled_by = ? WHERE id = ?", arguments: [at.epoch, reason, by, row["id"] as Int64])
        return RatingLevel(rawValue: row["level"])
    }

    public func allMembers() throws -> [Member] {
        try Row.fetchAll(db, sql: "SELECT * FROM member").map {
            Member(id: $0["id"], unit: $0["unit"], name: $0["name"], role: MemberRole(rawValue: $0["role"]) ?? .member,
                   email: $0["email"], disciplined: $0["disciplined"])
        }
    }
}
