import Foundation
import GRDB
import KiemDiemWire

/// A job as the dispatcher sees it.
public struct JobRow: Sendable, Equatable {
    public var id: Int64
    public var key: String
    public var kind: JobPayload.Kind
    public var channel: Channel
    public var recipient: String
    public var address: String?
    public var payload: String
    public var state: JobState
    public var attempts: Int
    public var worker: String?
    public var leaseUntil: Double?
    public var nextAttemptAt: Double
    public var lastError: String?
    public var createdAt: Double

    init(_ r: Row) {
        // Written only by enqueueJob and the updates below, from the same enums.
        id = r["id"]; key = r["key"]; kind = JobPayload.Kind(rawValue: r["kind"]) ?? .reminder; channel = Channel(rawValue: r["channel"]) ?? .spool
        recipient = r["recipient"]; address = r["address"]; payload = r["payload"]; state = JobState(rawValue: r["state"]) ?? .dead
        attempts = r["attempts"]; worker = r["worker"]
        leaseUntil = r["lease_until"]; nextAttemptAt = r["next_attempt_at"]; lastError = r["last_error"]; createdAt = r["created_at"]
    }
}

public struct EscalationRow: Sendable {
    public var id: Int64
    public var campaign: String
    public var stage: String
    public var unit: String
    public var due: Date
    public var level: Int
    public var target: String
    public var acknowledgedAt: Date?
    public var raisedAt: Date? = nil
}

/// Jobs live in wall-clock time (seconds since 1970 as Double): a lease or a back-off is about
/// real workers and real servers, whatever the campaign clock says.
extension StoreTx {
    // MARK: Escalations

    /// Records that an escalation reached `level`; returns its id. A new deadline for the same
    /// unit and stage is a new escalation.
    public func raiseEscalation(campaign: String, stage: String, unit: String, due: Date, level: Int, target: String, at: Date) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO escalation(campaign, stage, unit, due, level, target, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(campaign, stage, unit, due) DO UPDATE SET level = MAX(level, excluded.level),
              target = CASE WHEN excluded.level >= level THEN excluded.target ELSE target END
            """, arguments: [campaign, stage, unit, due.epoch, level, target, at.epoch])
        return try Int64.fetchOne(db, sql: "SELECT id FROM escalation WHERE campaign = ? AND stage = ? AND unit = ? AND due = ?",
                                  arguments: [campaign, stage, unit, due.epoch])!
    }

    /// Units whose escalation for this deadline was acknowledged: they are not escalated again.
    public func acknowledgedUnits(campaign: String, stage: String, due: Date) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT unit FROM escalation WHERE campaign = ? AND stage = ? AND due = ? AND acknowledged_at IS NOT NULL",
                                arguments: [campaign, stage, due.epoch]))
    }

    public func escalation(_ id: Int64) throws -> EscalationRow? {
        try Row.fetchOne(db, sql: "SELECT * FROM escalation WHERE id = ?", arguments: [id]).map {
            EscalationRow(id: $0["id"], campaign: $0["campaign"], stage: $0["stage"], unit: $0["unit"], due: Date(epoch: $0["due"]),
                          level: $0["level"], target: $0["target"], acknowledgedAt: ($0["acknowledged_at"] as Int64?).map(Date.init(epoch:)))
        }
    }

    /// False when it was already acknowledged.
    public func acknowledge(_ id: Int64, by: String, at: Date) throws -> Bool {
        try db.execute(sql: "UPDATE escalation SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND acknowledged_at IS NULL",
                       arguments: [at.epoch, by, id])
        return db.changesCount > 0
    }

    // MARK: Jobs

    /// Adds a job unless one with the same key exists (the same notification). Returns whether it was added.
    @discardableResult
    public func enqueueJob(key: String, eventSeq: Int64, kind: JobPayload.Kind, channel: Channel, recipient: String, address: String?,
                           payload: String, now: Double) throws -> Bool {
        try db.cachedStatement(sql: """
            INSERT INTO job(key, event_seq, kind, channel, recipient, address, payload, state, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT(key) DO NOTHING
            """).execute(arguments: [key, eventSeq, kind.rawValue, channel.rawValue, recipient, address, payload, now, now])
        return db.changesCount > 0
    }

    /// Leases up to `limit` due pending jobs to `worker` until `now + lease`.
    public func leaseJobs(limit: Int, worker: String, now: Double, lease: Double) throws -> [JobRow] {
        guard limit > 0 else { return [] }
        // Served by job_pending in the order it reads: no sort over the queue.
        let ids = try Int64.fetchAll(db, sql: "SELECT id FROM job INDEXED BY job_pending WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
                                     arguments: [now, limit])
        guard !ids.isEmpty else { return [] }
        let list = ids.map(String.init).joined(separator: ",")
        try db.execute(sql: "UPDATE job SET state = 'leased', worker = ?, lease_until = ?, attempts = attempts + 1 WHERE id IN (\(list))",
                       arguments: [worker, now + lease])
        return try Row.fetchAll(db, sql: "SELECT * FROM job WHERE id IN (\(list)) ORDER BY id").map(JobRow.init)
    }

    /// A worker finished a job. Only the lease holder's word counts: a job re-leased to another
    /// worker after its lease ran out is not finished by a late answer from the first.
    @discardableResult
    public func finishJob(_ id: Int64, worker: String, now: Double) throws -> Bool {
        try db.execute(sql: "UPDATE job SET state = 'done', finished_at = ?, lease_until = NULL, last_error = NULL WHERE id = ? AND state = 'leased' AND worker = ?",
                       arguments: [now, id, worker])
        return db.changesCount > 0
    }

    /// A delivery failed: back off and retry, or end as dead when a retry cannot help or the
    /// attempts are used up. Returns the new state, or nil when the worker no longer held it.
    public func failJob(_ id: Int64, worker: String, error: String, retry: Bool, now: Double, backoff: (Int) -> Double, maxAttempts: Int) throws -> JobState? {
        guard let job = try Row.fetchOne(db, sql: "SELECT * FROM job WHERE id = ? AND state = 'leased' AND worker = ?", arguments: [id, worker]).map(JobRow.init)
        else { return nil }
        let dead = !retry || job.attempts >= maxAttempts
        try db.execute(sql: """
            UPDATE job SET state = ?, lease_until = NULL, last_error = ?, next_attempt_at = ?, finished_at = ? WHERE id = ?
            """, arguments: [(dead ? JobState.dead : .pending).rawValue, String(error.prefix(1000)), now + backoff(job.attempts), dead ? now : nil, id])
        return dead ? .dead : .pending
    }

    /// Leases that ran out go back to pending (or dead once out of attempts). Returns how many.
    public func expireLeases(now: Double, maxAttempts: Int) throws -> Int {
        try db.execute(sql: """
            UPDATE job SET state = CASE WHEN attempts >= ? THEN 'dead' ELSE 'pending' END,
              last_error = COALESCE(last_error, 'lease expired'), lease_until = NULL,
              finished_at = CASE WHEN attempts >= ? THEN ? ELSE NULL END
            WHERE state = 'leased' AND lease_until < ?
            """, arguments: [maxAttempts, maxAttempts, now, now])
        return db.changesCount
    }

    /// A worker went away: its jobs are given back at once.
    public func releaseJobs(of worker: String) throws -> Int {
        try db.execute(sql: "UPDATE job SET state = 'pending', lease_until = NULL, last_error = 'worker lost' WHERE state = 'leased' AND worker = ?",
                       arguments: [worker])
        return db.changesCount
    }

    /// Every lease is void when the daemon starts: the workers that held them reconnect anew.
    public func releaseAllLeases() throws -> Int {
        try db.execute(sql: "UPDATE job SET state = 'pending', lease_until = NULL WHERE state = 'leased'")
        return db.changesCount
    }

    /// The earliest time a pending job becomes due, for the loop's poll timeout.
    public func nextJobDue() throws -> Double? {
        try Double.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM job WHERE state = 'pending'")
    }

    public func nextLeaseEnd() throws -> Double? {
        try Double.fetchOne(db, sql: "SELECT MIN(lease_until) FROM job WHERE state = 'leased'")
    }

    /// Newest first, ids below `before` if given (the next page of a listing).
    public func jobs(state: JobState?, before: Int64? = nil, limit: Int) throws -> [JobRow] {
        let below = before ?? Int64.max
        if let state {
            return try Row.fetchAll(db, sql: "SELECT * FROM job WHERE state = ? AND id < ? ORDER BY id DESC LIMIT ?", arguments: [state.rawValue, below, limit]).map(JobRow.init)
        }
        return try Row.fetchAll(db, sql: "SELECT * FROM job WHERE id < ? ORDER BY id DESC LIMIT ?", arguments: [below, limit]).map(JobRow.init)
    }

    /// Jobs by state, from the counters the triggers keep (O(1)); states with none are left out.
    public func jobCounts() throws -> [JobState: Int] {
        let c = try counters()
        var out: [JobState: Int] = [:]
        for s in JobState.allCases { if let n = c["jobs.\(s.rawValue)"], n > 0 { out[s] = n } }
        return out
    }

    /// An admin gives a dead job another chance.
    public func retryJob(_ id: Int64, now: Double) throws -> Bool {
        try db.execute(sql: "UPDATE job SET state = 'pending', attempts = 0, next_attempt_at = ?, finished_at = NULL WHERE id = ? AND state = 'dead'",
                       arguments: [now, id])
        return db.changesCount > 0
    }

    /// Units by id, for naming recipients.
    public func units(_ ids: Set<String>) throws -> [String: UnitRow] {
        guard !ids.isEmpty else { return [:] }
        var out: [String: UnitRow] = [:]
        for chunk in Array(ids).chunked(500) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            for r in try Row.fetchAll(db, sql: "SELECT * FROM unit WHERE id IN (\(marks))", arguments: StatementArguments(chunk)) {
                let u = Self.unitRow(r)
                out[u.id] = u
            }
        }
        return out
    }
}

extension Array {
    func chunked(_ n: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: n).map { self[$0..<Swift.min($0 + n, count)] }
    }
}

extension StoreTx {
    /// Escalations not acknowledged about units of a subtree, newest first.
    public func openEscalations(subtree path: String, limit: Int) throws -> [EscalationRow] {
        try Row.fetchAll(db, sql: """
            SELECT e.* FROM escalation e JOIN unit u ON u.id = e.unit
            WHERE e.acknowledged_at IS NULL AND substr(u.path, 1, ?) = ?
            ORDER BY e.raised_at DESC, e.id DESC LIMIT ?
            """, arguments: [path.unicodeScalars.count, path, limit]).map {
            EscalationRow(id: $0["id"], campaign: $0["campaign"], stage: $0["stage"], unit: $0["unit"], due: Date(epoch: $0["due"]),
                          level: $0["level"], target: $0["target"], acknowledgedAt: nil, raisedAt: Date(epoch: $0["raised_at"]))
        }
    }
}

extension StoreTx {
    /// Every escalation raised about a unit at a stage (one per deadline), oldest first.
    public func escalations(campaign: String, stage: String, unit: String) throws -> [EscalationRow] {
        try Row.fetchAll(db, sql: "SELECT * FROM escalation WHERE campaign = ? AND stage = ? AND unit = ? ORDER BY id",
                         arguments: [campaign, stage, unit]).map {
            EscalationRow(id: $0["id"], campaign: $0["campaign"], stage: $0["stage"], unit: $0["unit"], due: Date(epoch: $0["due"]),
                          level: $0["level"], target: $0["target"], acknowledgedAt: ($0["acknowledged_at"] as Int64?).map(Date.init(epoch:)),
                          raisedAt: Date(epoch: $0["raised_at"]))
        }
    }
}
