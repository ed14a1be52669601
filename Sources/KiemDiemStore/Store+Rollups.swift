import Foundation
import GRDB
import KiemDiemCore

// Per-unit rollups: what `report`, `campaign show`, the `overdue` totals, the prerequisites
// check and the gauges read instead of counting a subtree.
//
// - `tree_count(unit, kind, n)`: how many units of each kind, and members (`kind = 'member'`),
//   the subtree rooted at `unit` holds (the unit itself included). Rebuilt whole whenever the
//   tree or the members change (an import): one pass over the units and one GROUP BY over the
//   members.
// - `done_count(campaign, stage, unit, n)`: how many of the stage's items in that subtree are
//   complete (members for a member stage, units of the stage's kinds otherwise). Kept by
//   `completeUnit`/`completeMembers` in the same transaction, one row per ancestor; rebuilt
//   with the tree.
//
// A subtree's progress is then two lookups, and "overdue" adds the few extended units
// (`unit_task.due_override`), read through their own index.

extension StoreTx {
    /// The ids of a unit's ancestors and itself, from its stored path (`'duk/so/cb1/'`).
    static func lineage(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    /// Recomputes every rollup from the tables. Runs inside the import that changed the tree.
    public func rebuildRollups() throws {
        var kindOf: [String: String] = [:]
        var pathOf: [String: String] = [:]
        var treeCount: [String: [String: Int]] = [:]
        let units = try Row.fetchCursor(db, sql: "SELECT id, kind, path FROM unit")
        while let r = try units.next() {
            let id: String = r["id"], kind: String = r["kind"], path: String = r["path"]
            kindOf[id] = kind
            pathOf[id] = path
            for a in Self.lineage(path) { treeCount[String(a), default: [:]][kind, default: 0] += 1 }
        }
        let members = try Row.fetchCursor(db, sql: "SELECT unit, COUNT(*) AS n FROM member GROUP BY unit")
        while let r = try members.next() {
            guard let path = pathOf[r["unit"]] else { continue }
            let n: Int = r["n"]
            for a in Self.lineage(path) { treeCount[String(a), default: [:]]["member", default: 0] += n }
        }
        try db.execute(sql: "DELETE FROM tree_count")
        let insertTree = try db.cachedStatement(sql: "INSERT INTO tree_count(unit, kind, n) VALUES (?, ?, ?)")
        for (unit, kinds) in treeCount {
            for (kind, n) in kinds { try insertTree.execute(arguments: [unit, kind, n]) }
        }

        // Completed items, counted where they sit and carried up their lineage.
        struct Key: Hashable { var campaign: String, stage: String, unit: String }
        var done: [Key: Int] = [:]
        var kindsOf: [String: [String: Set<String>?]] = [:] // campaign → stage → unit kinds (nil: members)
        for r in try Row.fetchAll(db, sql: "SELECT campaign, id, scope FROM stage") {
            let scope: String = r["scope"]
            kindsOf[r["campaign"], default: [:]][r["id"]] = scope == "members" ? .some(nil) : Set(scope.split(separator: ",").map(String.init))
        }
        func add(_ campaign: String, _ stage: String, _ unit: String, _ n: Int) {
            guard let path = pathOf[unit] else { return }
            for a in Self.lineage(path) { done[Key(campaign: campaign, stage: stage, unit: String(a)), default: 0] += n }
        }
        let memberDone = try Row.fetchCursor(db, sql: """
            SELECT t.campaign, t.stage, m.unit, COUNT(*) AS n FROM member_task t JOIN member m ON m.id = t.member
            GROUP BY t.campaign, t.stage, m.unit
            """)
        while let r = try memberDone.next() {
            guard case .some(.none) = kindsOf[r["campaign"]]?[r["stage"]] else { continue }
            add(r["campaign"], r["stage"], r["unit"], r["n"])
        }
        let unitDone = try Row.fetchCursor(db, sql: "SELECT campaign, stage, unit FROM unit_task WHERE completed_at IS NOT NULL")
        while let r = try unitDone.next() {
            guard case .some(.some(let kinds)) = kindsOf[r["campaign"]]?[r["stage"]], let kind = kindOf[r["unit"]], kinds.contains(kind) else { continue }
            add(r["campaign"], r["stage"], r["unit"], 1)
        }
        try db.execute(sql: "DELETE FROM done_count")
        let insertDone = try db.cachedStatement(sql: "INSERT INTO done_count(campaign, stage, unit, n) VALUES (?, ?, ?, ?)")
        for (k, n) in done { try insertDone.execute(arguments: [k.campaign, k.stage, k.unit, n]) }
    }

    /// Adds `n` completed items of a stage to the unit at `path` and all its ancestors.
    func countDone(campaign: String, stage: String, path: String, _ n: Int) throws {
        guard n != 0 else { return }
        let stmt = try db.cachedStatement(sql: """
            INSERT INTO done_count(campaign, stage, unit, n) VALUES (?, ?, ?, ?)
            ON CONFLICT(campaign, stage, unit) DO UPDATE SET n = n + excluded.n
            """)
        for a in Self.lineage(path) { try stmt.execute(arguments: [campaign, stage, String(a), n]) }
    }

    /// The stage's applicable items in the subtree rooted at `unit`.
    func total(of stage: Stage, unit: String) throws -> Int {
        let kinds: [String] = switch stage.scope {
        case .members: ["member"]
        case .units(let k): k.map(\.rawValue)
        }
        let stmt = try db.cachedStatement(sql: "SELECT COALESCE(SUM(n), 0) FROM tree_count WHERE unit = ? AND kind IN (SELECT value FROM json_each(?))")
        let list = "[" + kinds.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        return try Int.fetchOne(stmt, arguments: [unit, list]) ?? 0
    }

    /// Completed items of the stage in the subtree rooted at `unit`.
    func done(campaign: String, stage: String, unit: String) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT n FROM done_count WHERE campaign = ? AND stage = ? AND unit = ?"),
                         arguments: [campaign, stage, unit]) ?? 0
    }

    /// The unit a subtree path is rooted at: its last id.
    static func root(of path: String) -> String {
        String(lineage(path).last ?? "")
    }

    /// Incomplete items of the stage in the subtree whose unit has its own (extended) deadline,
    /// with that deadline. Extensions are few; they are read through their own partial index.
    /// For a member stage the items are the cell's members without a completion, even when the
    /// cell was once recorded complete (a member who joined it later is still to finish).
    func extendedIncomplete(campaign: String, stage: Stage, subtree path: String) throws -> [(due: Date, items: Int, path: String)] {
        let (lo, hi) = subtreeRange(path)
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT x.unit, x.due_override, x.completed_at, u.kind, u.path FROM unit_task x JOIN unit u ON u.id = x.unit
            WHERE x.campaign = ? AND x.stage = ? AND x.due_override IS NOT NULL AND u.path >= ? AND u.path < ?
            """), arguments: [campaign, stage.id, lo, hi])
        var out: [(Date, Int, String)] = []
        for r in rows {
            if stage.scope != .members, r["completed_at"] as Int64? != nil { continue }
            let due = Date(epoch: r["due_override"])
            switch stage.scope {
            case .members:
                // The cell's own members only (a member stage is extended per cell).
                let members = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM member WHERE unit = ?"), arguments: [r["unit"] as String]) ?? 0
                let finished = try Int.fetchOne(db.cachedStatement(sql: """
                    SELECT COUNT(*) FROM member m JOIN member_task t ON t.campaign = ? AND t.stage = ? AND t.member = m.id WHERE m.unit = ?
                    """), arguments: [campaign, stage.id, r["unit"] as String]) ?? 0
                if members > finished { out.append((due, members - finished, r["path"])) }
            case .units(let kinds):
                if let k = UnitKind(rawValue: r["kind"]), kinds.contains(k) { out.append((due, 1, r["path"])) }
            }
        }
        return out
    }

    /// Each stage's progress for each of `children` (the units directly under the unit at
    /// `path`), in their order: the children's tree counts in one query, each stage's completions
    /// in one more, the extensions read once per stage. Arrays by position, not dictionaries: a
    /// national root has a hundred thousand children and seven stages.
    public func childrenProgress(campaign: String, stages: [Stage], parent path: String, children: [String], now: Date)
        throws -> [[(total: Int, completed: Int, overdue: Int)]] {
        let parent = Self.root(of: path)
        var walk = ChildWalk(children)
        let kindNames = UnitKind.allCases.map(\.rawValue) + ["member"]
        let kindIndex = Dictionary(uniqueKeysWithValues: kindNames.enumerated().map { ($1, $0) })
        var counts = [Int](repeating: 0, count: children.count * kindNames.count) // child × kind
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT u.id, t.kind, t.n FROM unit u JOIN tree_count t ON t.unit = u.id WHERE u.parent = ? ORDER BY u.id
            """), arguments: [parent])
        while let r = try rows.next() {
            guard let i = walk.position(of: r[0]), let k = kindIndex[r[1] as String] else { continue }
            counts[i * kindNames.count + k] = r[2]
        }
        let depth = Self.lineage(path).count
        return try stages.map { stage in
            let kinds: [Int] = switch stage.scope {
            case .members: [kindIndex["member"]!]
            case .units(let k): k.compactMap { kindIndex[$0.rawValue] }
            }
            var done = [Int](repeating: 0, count: children.count)
            let doneRows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT d.unit, d.n FROM unit u JOIN done_count d ON d.campaign = ? AND d.stage = ? AND d.unit = u.id WHERE u.parent = ? ORDER BY u.id
                """), arguments: [campaign, stage.id, parent])
            walk.restart()
            while let r = try doneRows.next() { if let i = walk.position(of: r[0]) { done[i] = r[1] } }
            var own = [Int](repeating: 0, count: children.count), late = own
            for e in try extendedIncomplete(campaign: campaign, stage: stage, subtree: path) {
                let lineage = Self.lineage(e.path)
                guard lineage.count > depth, let i = walk.anywhere(String(lineage[depth])) else { continue } // not the parent itself
                own[i] += e.items
                if e.due <= now { late[i] += e.items }
            }
            let pastDue = stage.due <= now
            return (0..<children.count).map { i in
                let total = kinds.reduce(0) { $0 + counts[i * kindNames.count + $1] }
                return (total, done[i], (pastDue ? total - done[i] - own[i] : 0) + late[i])
            }
        }
    }
}

/// Where a row's unit sits among a level's children. The children and the rows both come in
/// id order (the `(parent, id)` index), so the position is found by walking forward: no hashing
/// of 100,000 ids per query. An id met out of order falls back to a dictionary.
struct ChildWalk {
    let ids: [String]
    private var next = 0
    private var index: [String: Int]?

    init(_ ids: [String]) { self.ids = ids }

    mutating func restart() { next = 0 }

    mutating func position(of id: String) -> Int? {
        var i = next
        while i < ids.count, ids[i] != id { i += 1 }
        if i < ids.count {
            next = i
            return i
        }
        return anywhere(id)
    }

    mutating func anywhere(_ id: String) -> Int? {
        if index == nil { index = Dictionary(ids.enumerated().map { ($1, $0) }) { a, _ in a } }
        return index?[id]
    }
}

