import Foundation
import GRDB
import KiemDiemCore

public struct CampaignRow: Sendable {
    public enum Status: String, Sendable { case active, paused, completed }
    public var plan: Plan
    public var status: Status
    public var watermark: Date
    public var rootPath: String
    public var id: String { plan.id }

    public init(plan: Plan, status: Status, watermark: Date, rootPath: String) {
        self.plan = plan
        self.status = status
        self.watermark = watermark
        self.rootPath = rootPath
    }
}

/// A unit that a trigger is about, with the members who have not finished (member stages).
public struct Target: Sendable {
    public var unit: String
    public var name: String
    public var path: String
    public var email: String?
    public var members: [(id: String, name: String)]
    public var phone: String? = nil
    /// The late members' e-mail addresses and phones, for reminders sent to them (by member id).
    public var memberContacts: [String: (email: String?, phone: String?)] = [:]
    /// The unit's kind: a stage for units names the committee that acts for it in its letters
    /// (nil for a member stage's targets, which are cells).
    public var kind: UnitKind? = nil
}

extension StoreTx {
    public func insertCampaign(_ plan: Plan, source: String, loadedAt: Date, watermark: Date) throws {
        let json = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        try db.execute(sql: """
            INSERT INTO campaign(id, title, root, plan, source, loaded_at, status, watermark) VALUES (?, ?, ?, ?, ?, ?, 'active', ?)
            """, arguments: [plan.id, plan.title, plan.root, json, source, loadedAt.epoch, watermark.epoch])
        for (i, s) in plan.stages.enumerated() {
            let scope: String = switch s.scope {
            case .members: "members"
            case .units(let kinds): kinds.map(\.rawValue).sorted().joined(separator: ",")
            }
            try db.execute(sql: "INSERT INTO stage(campaign, id, position, title, scope, opens, due) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [plan.id, s.id, i, s.title, scope, (s.opens ?? plan.opens).epoch, s.due.epoch])
        }
    }

    public func campaignSource(_ id: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT source FROM campaign WHERE id = ?", arguments: [id])
    }

    public func campaigns() throws -> [CampaignRow] {
        try Row.fetchAll(db, sql: """
            SELECT c.plan, c.status, c.watermark, u.path FROM campaign c LEFT JOIN unit u ON u.id = c.root ORDER BY c.loaded_at, c.id
            """).map { row in
            let plan = try JSONDecoder().decode(Plan.self, from: Data((row["plan"] as String).utf8))
            return CampaignRow(plan: plan, status: CampaignRow.Status(rawValue: row["status"]) ?? .active,
                               watermark: Date(epoch: row["watermark"]), rootPath: row["path"] ?? plan.root + "/")
        }
    }

    public func setCampaignStatus(_ id: String, _ status: CampaignRow.Status, at: Date? = nil) throws {
        try db.execute(sql: "UPDATE campaign SET status = ?, completed_at = COALESCE(?, completed_at) WHERE id = ?",
                       arguments: [status.rawValue, status == .completed ? at?.epoch : nil, id])
    }

    public func setWatermark(_ id: String, _ instant: Date) throws {
        try db.execute(sql: "UPDATE campaign SET watermark = ? WHERE id = ?", arguments: [instant.epoch, id])
    }

    public func extensions(_ campaign: String) throws -> [Schedule.StageUnit: Date] {
        var out: [Schedule.StageUnit: Date] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT stage, unit, due_override FROM unit_task WHERE campaign = ? AND due_override IS NOT NULL AND completed_at IS NULL", arguments: [campaign]) {
            out[Schedule.StageUnit(stage: row["stage"], unit: row["unit"])] = Date(epoch: row["due_override"])
        }
        // One member's own deadline, under the key `cell#member` (ids hold no '#').
        for row in try Row.fetchAll(db, sql: """
            SELECT e.stage, e.cell, e.member, e.due FROM member_extension e
            WHERE e.campaign = ? AND NOT EXISTS (SELECT 1 FROM member_task t WHERE t.campaign = e.campaign AND t.stage = e.stage AND t.member = e.member)
            """, arguments: [campaign]) {
            out[Schedule.StageUnit(stage: row["stage"], unit: Schedule.memberKey(cell: row["cell"], member: row["member"]))] = Date(epoch: row["due"])
        }
        return out
    }

    /// One member's own deadline for a members stage; the member stays in `cell`'s notices no more.
    public func extendMember(campaign: String, stage: String, member: String, cell: String, until: Date, reason: String) throws {
        try db.execute(sql: """
            INSERT INTO member_extension(campaign, stage, member, cell, due, reason) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(campaign, stage, member) DO UPDATE SET cell = excluded.cell, due = excluded.due, reason = excluded.reason
            """, arguments: [campaign, stage, member, cell, until.epoch, reason])
    }

    public func memberCompleted(campaign: String, stage: String, member: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM member_task WHERE campaign = ? AND stage = ? AND member = ?)",
                          arguments: [campaign, stage, member]) ?? false
    }

    /// Whether any member has a deadline of their own for the stage (the cell's notices then
    /// leave them out).
    func hasMemberExtensions(campaign: String, stage: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM member_extension WHERE campaign = ? AND stage = ?)", arguments: [campaign, stage]) ?? false
    }

    public func extend(campaign: String, stage: String, unit: String, until: Date, reason: String) throws {
        try db.execute(sql: """
            INSERT INTO unit_task(campaign, stage, unit, due_override, override_reason) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(campaign, stage, unit) DO UPDATE SET due_override = excluded.due_override, override_reason = excluded.override_reason
            """, arguments: [campaign, stage, unit, until.epoch, reason])
    }

    public func unitCompleted(campaign: String, stage: String, unit: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT completed_at IS NOT NULL FROM unit_task WHERE campaign = ? AND stage = ? AND unit = ?",
                          arguments: [campaign, stage, unit]) ?? false
    }

    /// Marks a unit's stage complete; false when it already was.
    public func completeUnit(campaign: String, stage: String, unit: String, at: Date, by: String) throws -> Bool {
        try db.execute(sql: """
            INSERT INTO unit_task(campaign, stage, unit, completed_at, completed_by) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(campaign, stage, unit) DO UPDATE SET completed_at = excluded.completed_at, completed_by = excluded.completed_by
            WHERE completed_at IS NULL
            """, arguments: [campaign, stage, unit, at.epoch, by])
        guard db.changesCount > 0 else { return false }
        // Counted when the stage is a unit stage for this kind (a cell completing a member stage
        // is counted through its members).
        if let r = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT u.path, u.kind, s.scope FROM unit u JOIN stage s ON s.campaign = ? AND s.id = ? WHERE u.id = ?
            """), arguments: [campaign, stage, unit]) {
            let scope: String = r["scope"], kind: String = r["kind"]
            if scope != "members", scope.split(separator: ",").contains(Substring(kind)) {
                try countDone(campaign: campaign, stage: stage, path: r["path"], 1)
            }
        }
        return true
    }

    /// Members who are not rated this year or who left have nothing to do in a member stage: their
    /// tasks are recorded complete from the stage's opening, so reminders stop naming them and
    /// the cell's completion does not wait for them; the rollups are rebuilt when any was.
    public func excuseMembers() throws {
        try db.execute(sql: """
            INSERT INTO member_task(campaign, stage, member, completed_at)
            SELECT s.campaign, s.id, m.id, s.opens FROM member m JOIN stage s ON s.scope = 'members'
            WHERE m.exempt IS NOT NULL OR m.left_on IS NOT NULL
            ON CONFLICT DO NOTHING
            """)
        if db.changesCount > 0 { try rebuildRollups() }
    }

    /// Marks members complete; returns how many were not complete before.
    public func completeMembers(campaign: String, stage: String, members: [String], at: Date) throws -> Int {
        let stmt = try db.cachedStatement(sql: "INSERT INTO member_task(campaign, stage, member, completed_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
        let pathOf = try db.cachedStatement(sql: "SELECT u.path FROM member m JOIN unit u ON u.id = m.unit WHERE m.id = ?")
        var n = 0
        var byPath: [String: Int] = [:]
        for m in members {
            try stmt.execute(arguments: [campaign, stage, m, at.epoch])
            guard db.changesCount > 0 else { continue }
            n += 1
            if let path = try String.fetchOne(pathOf, arguments: [m]) { byPath[path, default: 0] += 1 }
        }
        for (path, k) in byPath { try countDone(campaign: campaign, stage: stage, path: path, k) }
        return n
    }

    public func membersOf(unit: String) throws -> [(id: String, name: String)] {
        try Row.fetchAll(db, sql: "SELECT id, name FROM member WHERE unit = ? ORDER BY id", arguments: [unit]).map { ($0["id"], $0["name"]) }
    }

    public func incompleteMembers(campaign: String, stage: String, unit: String) throws -> [(id: String, name: String)] {
        try Row.fetchAll(db, sql: """
            SELECT m.id, m.name FROM member m
            WHERE m.unit = ? AND NOT EXISTS (SELECT 1 FROM member_task t WHERE t.campaign = ? AND t.stage = ? AND t.member = m.id)
            ORDER BY m.id
            """, arguments: [unit, campaign, stage]).map { ($0["id"], $0["name"]) }
    }

    /// Who has not completed `stage` in the subtree at `path` (members for a member stage, units
    /// of the stage's kinds otherwise): the count and a few ids for the error message.
    public func incomplete(campaign: String, stage: Stage, subtree path: String, sample: Int = 5) throws -> (count: Int, sample: [String]) {
        let (lo, hi) = subtreeRange(path)
        let sql: String
        let args: StatementArguments
        switch stage.scope {
        case .members:
            sql = """
                FROM member m JOIN unit u ON u.id = m.unit
                WHERE u.path >= ? AND u.path < ?
                  AND NOT EXISTS (SELECT 1 FROM member_task t WHERE t.campaign = ? AND t.stage = ? AND t.member = m.id)
                """
            args = [lo, hi, campaign, stage.id]
        case .units(let kinds):
            sql = """
                FROM unit u WHERE u.path >= ? AND u.path < ? AND u.kind IN (\(kinds.map { "'\($0.rawValue)'" }.joined(separator: ",")))
                  AND NOT EXISTS (SELECT 1 FROM unit_task t WHERE t.campaign = ? AND t.stage = ? AND t.unit = u.id AND t.completed_at IS NOT NULL)
                """
            args = [lo, hi, campaign, stage.id]
        }
        let idColumn = stage.scope == .members ? "m.id" : "u.id"
        let unit = Self.root(of: path)
        let count = try total(of: stage, unit: unit) - done(campaign: campaign, stage: stage.id, unit: unit)
        let ids = count == 0 ? [] : try String.fetchAll(db, sql: "SELECT \(idColumn) " + sql + " ORDER BY \(idColumn) LIMIT \(sample)", arguments: args)
        return (count, ids)
    }

    /// Is anything of the stage left undone in the subtree? From the rollups.
    public func anyIncomplete(campaign: String, stage: Stage, subtree path: String) throws -> Bool {
        let unit = Self.root(of: path)
        return try total(of: stage, unit: unit) > done(campaign: campaign, stage: stage.id, unit: unit)
    }

    /// The units a trigger fires for: incomplete units of the stage in the campaign's subtree.
    /// With `unit == nil`, units that have their own (extended) deadline are left out; with a
    /// unit, only that one. Member stages yield cells with their unfinished members.
    /// In path order; `afterPath` and `limit` read them a slice at a time (the next slice starts
    /// after the last path of this one).
    /// `contacts`: fill `memberContacts` (a stage that reminds its members); otherwise the
    /// members' addresses are not read (a national reminder lists 5.7 million members).
    public func targets(campaign: String, stage: Stage, rootPath: String, unit: String?, afterPath: String? = nil, limit: Int? = nil,
                        contacts: Bool = true) throws -> [Target] {
        let (lo, hi) = subtreeRange(rootPath)
        // The range starts after the last slice's path, not at the subtree's start: given both
        // bounds, SQLite seeks to `:lo` and filters the rest, so each slice of a national firing
        // walked every cell before it (2,376 slices: 38 s of an 87 s firing).
        let lower = afterPath.map { $0 >= lo } == true ? "u.path > :after" : "u.path >= :lo" + (afterPath == nil ? "" : " AND u.path > :after")
        let unitClause = unit == nil
            ? "AND NOT EXISTS (SELECT 1 FROM unit_task x WHERE x.campaign = :c AND x.stage = :s AND x.unit = u.id AND (x.completed_at IS NOT NULL OR x.due_override IS NOT NULL))"
            : "AND u.id = :unit AND NOT EXISTS (SELECT 1 FROM unit_task x WHERE x.campaign = :c AND x.stage = :s AND x.unit = u.id AND x.completed_at IS NOT NULL)"
        // A member's own deadline (`unit` is `cell#member`): that member alone; else the members
        // with a deadline of their own are left out (looked for only when there are any).
        let (unitId, member) = Schedule.splitMemberKey(unit)
        let args: StatementArguments = ["c": campaign, "s": stage.id, "lo": lo, "hi": hi, "unit": unitId, "after": afterPath, "member": member]
        var out: [Target] = []
        switch stage.scope {
        case .members:
            let memberClause = member != nil ? "AND m.id = :member"
                : try hasMemberExtensions(campaign: campaign, stage: stage.id)
                ? "AND NOT EXISTS (SELECT 1 FROM member_extension e WHERE e.campaign = :c AND e.stage = :s AND e.member = m.id)" : ""
            let rows = try Row.fetchCursor(db, sql: """
                SELECT u.id, u.name, u.path, u.email, u.phone, m.id, m.name\(contacts ? ", m.email, m.phone" : "")
                FROM unit u JOIN member m ON m.unit = u.id
                WHERE \(lower) AND u.path < :hi AND u.kind IN ('cell', 'grassroots-cell') \(unitClause) \(memberClause)
                  AND NOT EXISTS (SELECT 1 FROM member_task t WHERE t.campaign = :c AND t.stage = :s AND t.member = m.id)
                ORDER BY u.path, m.id
                """, arguments: args)
            // Columns by position: a national reminder reads 5.7 million rows here.
            while let r = try rows.next() {
                let uid: String = r[0]
                if out.last?.unit != uid {
                    if let limit, out.count >= limit { break }
                    out.append(Target(unit: uid, name: r[1], path: r[2], email: r[3], members: [], phone: r[4]))
                }
                let mid: String = r[5]
                out[out.count - 1].members.append((mid, r[6]))
                guard contacts else { continue }
                let email: String? = r[7], phone: String? = r[8]
                if email != nil || phone != nil { out[out.count - 1].memberContacts[mid] = (email, phone) }
            }
        case .units(let kinds):
            let rows = try Row.fetchCursor(db, sql: """
                SELECT u.id, u.name, u.path, u.email, u.phone, u.kind FROM unit u
                WHERE \(lower) AND u.path < :hi AND u.kind IN (\(kinds.map { "'\($0.rawValue)'" }.joined(separator: ","))) \(unitClause)
                ORDER BY u.path \(limit.map { "LIMIT \($0)" } ?? "")
                """, arguments: args)
            while let r = try rows.next() {
                out.append(Target(unit: r["id"], name: r["name"], path: r["path"], email: r["email"], members: [], phone: r["phone"],
                                  kind: UnitKind(rawValue: r["kind"])))
            }
        }
        return out
    }

    /// Stage progress in a subtree at `now`: applicable items, completed, and overdue (incomplete
    /// past their effective deadline). For member stages the items are members. From the rollups
    /// (Store+Rollups.swift): a few lookups whatever the subtree's size.
    public func progress(campaign: String, stage: Stage, subtree path: String, now: Date) throws -> (total: Int, completed: Int, overdue: Int) {
        let unit = Self.root(of: path)
        let total = try total(of: stage, unit: unit)
        let done = try done(campaign: campaign, stage: stage.id, unit: unit)
        let extended = try extendedIncomplete(campaign: campaign, stage: stage, subtree: path)
        let onTheirOwnDeadline = extended.reduce(0) { $0 + $1.items }
        let lateExtended = extended.reduce(0) { $0 + ($1.due <= now ? $1.items : 0) }
        let late = (stage.due <= now ? total - done - onTheirOwnDeadline : 0) + lateExtended
        return (total, done, late)
    }

    /// Units overdue for a stage at `now` (cells with late members for a member stage), in path
    /// order, after `afterPath` if given, at most `limit`.
    public func overdue(campaign: String, stage: Stage, subtree path: String, now: Date, afterPath: String? = nil, limit: Int) throws -> [(Target, due: Date)] {
        var out: [(Target, Date)] = []
        if stage.due <= now {
            out += try targets(campaign: campaign, stage: stage, rootPath: path, unit: nil, afterPath: afterPath, limit: limit).map { ($0, stage.due) }
        }
        let (lo, hi) = subtreeRange(path)
        let extended = try Row.fetchAll(db, sql: """
            SELECT x.unit, x.due_override FROM unit_task x JOIN unit u ON u.id = x.unit
            WHERE x.campaign = ? AND x.stage = ? AND x.due_override IS NOT NULL AND x.completed_at IS NULL AND x.due_override <= ?
              AND u.path >= ? AND u.path < ? AND u.path > ?
            ORDER BY u.path LIMIT ?
            """, arguments: [campaign, stage.id, now.epoch, lo, hi, afterPath ?? "", limit])
        for r in extended {
            out += try targets(campaign: campaign, stage: stage, rootPath: path, unit: r["unit"]).map { ($0, Date(epoch: r["due_override"])) }
        }
        out.sort { $0.0.path < $1.0.path }
        return Array(out.prefix(limit))
    }

    /// How many units are overdue for a stage at `now` in a subtree (cells with late members for
    /// a member stage). Unit stages come from the rollups; a member stage compares each cell's
    /// member count with its completed count (one row per cell, no member is read).
    public func lateUnits(campaign: String, stage: Stage, subtree path: String, now: Date) throws -> Int {
        switch stage.scope {
        case .units:
            return try progress(campaign: campaign, stage: stage, subtree: path, now: now).overdue
        case .members:
            let extended = try extendedIncomplete(campaign: campaign, stage: stage, subtree: path)
            let lateExtended = extended.filter { $0.due <= now }.count
            guard stage.due <= now else { return lateExtended }
            let (lo, hi) = subtreeRange(path)
            let incompleteCells = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM unit u JOIN tree_count t ON t.unit = u.id AND t.kind = 'member'
                LEFT JOIN done_count d ON d.campaign = ? AND d.stage = ? AND d.unit = u.id
                WHERE u.path >= ? AND u.path < ? AND u.kind IN ('cell', 'grassroots-cell') AND t.n > COALESCE(d.n, 0)
                """, arguments: [campaign, stage.id, lo, hi]) ?? 0
            return incompleteCells - extended.count + lateExtended
        }
    }
}
