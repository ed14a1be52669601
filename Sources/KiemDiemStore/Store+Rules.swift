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
    /// The campaign whose review found it (it may be tracked in a later one).
    public var origin: String

    init(_ r: Row) {
        id = r["id"]; campaign = r["campaign"]; unit = r["unit"]; member = r["member"]; text = r["text"]; origin = r["origin"] ?? r["campaign"]
        due = Date(epoch: r["due"]); createdAt = Date(epoch: r["created_at"]); doneAt = (r["done_at"] as Int64?).map(Date.init(epoch:))
    }
}

public struct RatingRow: Sendable {
    public var id: Int64
    public var entry: RatingEntry
    public var ratedAt: Date
    public var ratedBy: String

    init(_ r: Row) {
        id = r["id"]
        entry = RatingEntry(subject: r["subject"], kind: RatingEntry.Kind(rawValue: r["kind"]) ?? .member, level: RatingLevel(rawValue: r["level"]) ?? .failed,
                            status: RatingStatus(rawValue: r["status"]) ?? .decided, commendation: r["commendation"], note: r["note"],
                            score: r["score"], onTime: r["on_time"], beyond: r["beyond"])
        entry.order = id
        ratedAt = Date(epoch: r["rated_at"])
        ratedBy = r["rated_by"]
    }
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
        // CROSS JOIN: the few flags lead, not the subtree's units (400,000 at a national root:
        // left to itself the planner walked them all, 0.7 s). So for remediation and suggestions.
        return try Row.fetchAll(db, sql: """
            SELECT f.* FROM flag f CROSS JOIN unit u ON u.id = f.unit WHERE f.closed_at IS NULL AND u.path >= ? AND u.path < ? ORDER BY f.id
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
        try db.execute(sql: "INSERT INTO remediation(campaign, origin, unit, member, text, due, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       arguments: [campaign, campaign, unit, member, text, due.epoch, at.epoch, by])
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
        var sql = "SELECT r.* FROM remediation r CROSS JOIN unit u ON u.id = r.unit WHERE 1 = 1"
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

    /// Open remediation items found by earlier campaigns' reviews, per subject (a member's item
    /// counts for the member, a unit's for the unit).
    public func earlierOpenRemediation(campaign: String) throws -> [RatingKey: Int] {
        var out: [RatingKey: Int] = [:]
        for r in try Row.fetchAll(db, sql: """
            SELECT unit, member, COUNT(*) AS n FROM remediation
            WHERE campaign = ? AND done_at IS NULL AND origin IS NOT NULL AND origin != campaign GROUP BY unit, member
            """, arguments: [campaign]) {
            let key = (r["member"] as String?).map { RatingKey(.member, $0) } ?? RatingKey(.unit, r["unit"])
            out[key, default: 0] += r["n"] as Int
        }
        return out
    }

    // MARK: Conclusions

    public func insertConclusion(campaign: String, key: RatingKey, reasons: [FlagReason], note: String, flag: Int64?, at: Date, by: String) throws -> Int64 {
        try db.execute(sql: "INSERT INTO conclusion(campaign, kind, subject, reasons, note, flag, at, by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       arguments: [campaign, key.kind.rawValue, key.subject, reasons.map(\.rawValue).joined(separator: ","), note, flag, at.epoch, by])
        return db.lastInsertedRowID
    }

    /// Every conclusion recorded in a campaign, by subject.
    public func conclusions(campaign: String) throws -> [RatingKey: Set<FlagReason>] {
        var out: [RatingKey: Set<FlagReason>] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT kind, subject, reasons FROM conclusion WHERE campaign = ?", arguments: [campaign]) {
            guard let kind = RatingEntry.Kind(rawValue: r["kind"]) else { continue }
            out[RatingKey(kind, r["subject"]), default: []].formUnion((r["reasons"] as String).split(separator: ",").compactMap { FlagReason(rawValue: String($0)) })
        }
        return out
    }

    /// The unit's latest flag in a campaign, open or closed.
    public func latestFlag(unit: String, campaign: String) throws -> FlagRow? {
        try Row.fetchOne(db, sql: "SELECT * FROM flag WHERE unit = ? AND campaign = ? ORDER BY id DESC LIMIT 1", arguments: [unit, campaign]).map(FlagRow.init)
    }

    public func confirmFlag(_ id: Int64) throws {
        try db.execute(sql: "UPDATE flag SET confirmed = 1 WHERE id = ?", arguments: [id])
    }

    // MARK: Suggestions

    public func insertSuggestion(campaign: String, unit: String, author: String, name: String, text: String, at: Date, by: String) throws -> Int64 {
        try db.execute(sql: "INSERT INTO suggestion(campaign, unit, author, name, text, at, by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [campaign, unit, author, name, text, at.epoch, by])
        return db.lastInsertedRowID
    }

    public func suggestions(campaign: String, subtree path: String) throws -> [SuggestionRow] {
        let (lo, hi) = subtreeRange(path)
        return try Row.fetchAll(db, sql: """
            SELECT s.* FROM suggestion s CROSS JOIN unit u ON u.id = s.unit WHERE s.campaign = ? AND u.path >= ? AND u.path < ? ORDER BY s.id
            """, arguments: [campaign, lo, hi]).map {
            SuggestionRow(id: $0["id"], campaign: $0["campaign"], unit: $0["unit"], author: $0["author"], name: $0["name"], text: $0["text"], at: Date(epoch: $0["at"]))
        }
    }

    // MARK: Ratings

    public func currentRatings(campaign: String) throws -> [RatingRow] {
        try Row.fetchAll(db, sql: "SELECT * FROM rating WHERE campaign = ? AND annulled_at IS NULL ORDER BY id", arguments: [campaign]).map(RatingRow.init)
    }

    /// Stores accepted ratings. A new proposal replaces the subject's earlier proposal (the cell
    /// revises it before the decision); a decided rating is changed only by annulment.
    public func insertRatings(campaign: String, entries: [RatingEntry], at: Date, by: String) throws {
        let replace = try db.cachedStatement(sql: """
            UPDATE rating SET annulled_at = ?, annul_reason = 'replaced by a new proposal', annulled_by = ?
            WHERE campaign = ? AND kind = ? AND subject = ? AND status = 'proposed' AND annulled_at IS NULL
            """)
        let insert = try db.cachedStatement(sql: """
            INSERT INTO rating(campaign, kind, subject, status, level, commendation, note, score, on_time, beyond, rated_at, rated_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for e in entries {
            if e.status == .proposed { try replace.execute(arguments: [at.epoch, by, campaign, e.kind.rawValue, e.subject]) }
            try insert.execute(arguments: [campaign, e.kind.rawValue, e.subject, e.status.rawValue, e.level.rawValue, e.commendation, e.note,
                                           e.score, e.onTime, e.beyond, at.epoch, by])
        }
    }

    /// The upper committee annuls ratings in force (docs/rules.md rule 7); returns the annulled ones.
    public func annulRatings(campaign: String, _ refs: [RatingRef], reason: String, at: Date, by: String) throws -> [RatingEntry] {
        var out: [RatingEntry] = []
        for ref in refs {
            guard let row = try currentRatings(campaign: campaign, kind: ref.kind, subject: ref.subject).first(where: { $0.entry.status == ref.status }) else { continue }
            try db.execute(sql: "UPDATE rating SET annulled_at = ?, annul_reason = ?, annulled_by = ? WHERE id = ?", arguments: [at.epoch, reason, by, row.id])
            out.append(row.entry)
        }
        return out
    }

    func currentRatings(campaign: String, kind: RatingEntry.Kind, subject: String) throws -> [RatingRow] {
        try Row.fetchAll(db, sql: "SELECT * FROM rating WHERE campaign = ? AND kind = ? AND subject = ? AND annulled_at IS NULL",
                         arguments: [campaign, kind.rawValue, subject]).map(RatingRow.init)
    }

    public func hasRatings(campaign: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM rating WHERE campaign = ? AND annulled_at IS NULL)", arguments: [campaign]) ?? false
    }

    /// Units whose stage `stage` is recorded complete in a campaign.
    public func unitsCompleted(campaign: String, stages: [String]) throws -> Set<String> {
        guard !stages.isEmpty else { return [] }
        return Set(try String.fetchAll(db, sql: """
            SELECT unit FROM unit_task WHERE campaign = ? AND completed_at IS NOT NULL AND stage IN (\(stages.map { _ in "?" }.joined(separator: ",")))
            """, arguments: StatementArguments([campaign] + stages)))
    }

    public func allMembers() throws -> [Member] {
        try Row.fetchAll(db, sql: "SELECT * FROM member").map(Self.member)
    }
}

public struct SuggestionRow: Sendable {
    public var id: Int64
    public var campaign: String
    public var unit: String
    public var author: String
    public var name: String
    public var text: String
    public var at: Date
}

extension StoreTx {
    /// What a stage's ratings are checked against for one unit, read for its subtree only (a
    /// `done` of one cell must not read a national tree): the units of the subtree and their
    /// ancestors, the members of the subtree's cells, and the campaign's ratings of those.
    public func ratingSubtree(campaign: String, path: String) throws -> (units: [OrgUnit], members: [Member], ratings: [RatingRow]) {
        let (lo, hi) = subtreeRange(path)
        let ancestors = path.split(separator: "/").dropLast().map(String.init) // the unit itself is in the subtree
        let units = try Row.fetchAll(db, sql: "SELECT * FROM unit WHERE path >= ? AND path < ?", arguments: [lo, hi]).map { Self.unitRow($0).unit }
            + Row.fetchAll(db, sql: "SELECT * FROM unit WHERE id IN (\(ancestors.map { _ in "?" }.joined(separator: ",")))",
                           arguments: StatementArguments(ancestors)).map { Self.unitRow($0).unit }
        let members = try Row.fetchAll(db, sql: """
            SELECT m.* FROM member m JOIN unit u ON u.id = m.unit WHERE u.path >= ? AND u.path < ?
            """, arguments: [lo, hi]).map(Self.member)
        let ratings = try Row.fetchAll(db, sql: """
            SELECT r.* FROM unit u JOIN rating r ON r.campaign = ? AND r.kind = 'unit' AND r.subject = u.id AND r.annulled_at IS NULL
            WHERE u.path >= ? AND u.path < ?
            UNION ALL
            SELECT r.* FROM unit u JOIN member m ON m.unit = u.id JOIN rating r ON r.campaign = ? AND r.kind = 'member' AND r.subject = m.id AND r.annulled_at IS NULL
            WHERE u.path >= ? AND u.path < ?
            ORDER BY id
            """, arguments: [campaign, lo, hi, campaign, lo, hi]).map(RatingRow.init)
        return (units, members, ratings)
    }
}
