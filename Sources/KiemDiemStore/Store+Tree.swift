import Foundation
import GRDB
import KiemDiemWire
import KiemDiemCore

/// A stored unit with its path from the root.
public struct UnitRow: Sendable, Equatable {
    public var unit: OrgUnit
    public var path: String
    public var id: String { unit.id }
}

extension StoreTx {
    static func unitRow(_ row: Row) -> UnitRow {
        UnitRow(unit: OrgUnit(id: row["id"], parent: row["parent"], kind: UnitKind(rawValue: row["kind"]) ?? .cell,
                              name: row["name"], head: row["head"], email: row["email"], discipline: discipline(row["discipline"]), phone: row["phone"]),
                path: row["path"])
    }

    /// `discipline` column of a unit: NULL, 'true' or the date.
    static func discipline(_ text: String?) -> Discipline? {
        guard let text else { return nil }
        return text == "true" ? .undated : .on(text)
    }

    static func member(_ row: Row) -> Member {
        let disciplined: Bool = row["disciplined"]
        return Member(id: row["id"], unit: row["unit"], name: row["name"], role: MemberRole(rawValue: row["role"]) ?? .member,
                      email: row["email"], discipline: disciplined ? ((row["disciplined_on"] as String?).map(Discipline.on) ?? .undated) : nil,
                      phone: row["phone"], exempt: row["exempt"], left: row["left_on"])
    }

    public func allUnits() throws -> [OrgUnit] {
        try Row.fetchAll(db, sql: "SELECT * FROM unit").map { Self.unitRow($0).unit }
    }

    public func unit(_ id: String) throws -> UnitRow? {
        try Row.fetchOne(db, sql: "SELECT * FROM unit WHERE id = ?", arguments: [id]).map(Self.unitRow)
    }

    /// A unit's children, by id (through the parent index).
    public func children(of id: String) throws -> [UnitRow] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM unit WHERE parent = ? ORDER BY id"), arguments: [id]).map(Self.unitRow)
    }

    /// A unit's children as a report lists them, by id: the three columns read by position (a
    /// national root has 104,500 children; whole rows by name cost a third of its report).
    public func childList(of id: String) throws -> [(id: String, name: String, kind: UnitKind)] {
        var out: [(id: String, name: String, kind: UnitKind)] = []
        let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT id, name, kind FROM unit WHERE parent = ? ORDER BY id"), arguments: [id])
        while let r = try rows.next() { out.append((r[0], r[1], UnitKind(rawValue: r[2]) ?? .cell)) }
        return out
    }

    public func unitKind(_ id: String) throws -> UnitKind? {
        try String.fetchOne(db, sql: "SELECT kind FROM unit WHERE id = ?", arguments: [id]).flatMap(UnitKind.init(rawValue:))
    }

    public func unitKinds() throws -> [String: UnitKind] {
        var out: [String: UnitKind] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT id, kind FROM unit")
        while let r = try rows.next() { out[r["id"]] = UnitKind(rawValue: r["kind"]) }
        return out
    }

    /// Stores a validated whole tree (existing units updated by an import), recomputing paths.
    /// `rollups: false` leaves the rebuild of the rollups to the caller (a load of both files).
    public func saveTree(_ units: [OrgUnit], incoming: Set<String>, rollups: Bool = true) throws -> ImportResult {
        let existing = Set(try String.fetchAll(db, sql: "SELECT id FROM unit"))
        let byId = Dictionary(uniqueKeysWithValues: units.map { ($0.id, $0) })
        var paths: [String: String] = [:]
        func path(_ id: String) -> String {
            if let p = paths[id] { return p }
            var chain: [String] = []
            var cur: String? = id
            while let c = cur, paths[c] == nil { chain.append(c); cur = byId[c]?.parent }
            var base = cur.flatMap { paths[$0] } ?? ""
            for c in chain.reversed() { base += c + "/"; paths[c] = base }
            return paths[id]!
        }
        let stmt = try db.cachedStatement(sql: """
            INSERT INTO unit(id, parent, kind, name, head, email, path, discipline, phone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET parent = excluded.parent, kind = excluded.kind, name = excluded.name,
              head = excluded.head, email = excluded.email, path = excluded.path, discipline = excluded.discipline, phone = excluded.phone
            WHERE (parent, kind, name, head, email, path, discipline, phone)
              IS NOT (excluded.parent, excluded.kind, excluded.name, excluded.head, excluded.email, excluded.path, excluded.discipline, excluded.phone)
            """)
        // Into an empty table a plain INSERT: no conflict to look for.
        let insert = existing.isEmpty
            ? try db.cachedStatement(sql: "INSERT INTO unit(id, parent, kind, name, head, email, path, discipline, phone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            : stmt
        var added = 0, updated = 0
        for u in units {
            insert.setUncheckedArguments([u.id, u.parent, u.kind.rawValue, u.name, u.head, u.email, path(u.id), u.discipline?.text, u.phone])
            try insert.execute()
            if !existing.contains(u.id) { added += 1 } else if incoming.contains(u.id), db.changesCount > 0 { updated += 1 }
        }
        if rollups { try rebuildRollups() }
        return ImportResult(added: added, updated: updated, total: units.count)
    }

    public func saveMembers(_ members: [Member], rollups: Bool = true, progress: (Int) -> Void = { _ in }) throws -> ImportResult {
        let stmt = try db.cachedStatement(sql: """
            INSERT INTO member(id, unit, name, role, email, disciplined, disciplined_on, phone, exempt, left_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET unit = excluded.unit, name = excluded.name, role = excluded.role,
              email = excluded.email, disciplined = excluded.disciplined, disciplined_on = excluded.disciplined_on, phone = excluded.phone,
              exempt = excluded.exempt, left_on = excluded.left_on
            WHERE (unit, name, role, email, disciplined, disciplined_on, phone, exempt, left_on)
              IS NOT (excluded.unit, excluded.name, excluded.role, excluded.email, excluded.disciplined, excluded.disciplined_on, excluded.phone,
                      excluded.exempt, excluded.left_on)
            """)
        let before = try counts().members
        // Into an empty table a plain INSERT: no conflict to look for.
        let insert = before == 0
            ? try db.cachedStatement(sql: "INSERT INTO member(id, unit, name, role, email, disciplined, disciplined_on, phone, exempt, left_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            : stmt
        var changed = 0
        for (i, m) in members.enumerated() {
            let on: String? = if case .on(let d) = m.discipline { d } else { nil }
            insert.setUncheckedArguments([m.id, m.unit, m.name, m.role.rawValue, m.email, m.disciplined, on, m.phone, m.exempt, m.left])
            try insert.execute()
            changed += db.changesCount
            if (i + 1) % 100_000 == 0 { progress(i + 1) }
        }
        // Into an empty table every row is new (ids are unique in a file), and the counting
        // trigger may be off (`withoutMemberIndexWhileEmpty`): count from the changes then.
        let after = before == 0 ? changed : try counts().members
        if rollups { try rebuildRollups() }
        return ImportResult(added: after - before, updated: changed - (after - before), total: after)
    }

    /// Fills empty tables the fast way: the units and members go in without their secondary
    /// indexes, built after from sorted keys (far faster than keeping them row by row), and
    /// without the counting triggers, whose counts are set once at the end. All of it is back
    /// before the transaction commits. Tables that hold rows are filled the normal way.
    public func fastFill<T>(_ body: () throws -> T) throws -> T {
        let c = try counts()
        let units = c.units == 0, members = c.members == 0
        if units { try db.execute(sql: "DROP INDEX IF EXISTS unit_path; DROP INDEX IF EXISTS unit_parent; DROP TRIGGER IF EXISTS unit_counted") }
        if members { try db.execute(sql: "DROP INDEX IF EXISTS member_unit; DROP TRIGGER IF EXISTS member_counted") }
        let result = try body()
        if units {
            try db.execute(sql: """
                CREATE INDEX unit_path ON unit(path);
                CREATE INDEX unit_parent ON unit(parent, id);
                CREATE TRIGGER unit_counted AFTER INSERT ON unit BEGIN
                  UPDATE counter SET n = n + 1 WHERE name = 'units';
                  UPDATE counter SET n = n + 1 WHERE name = 'cells' AND NEW.kind IN ('cell', 'grassroots-cell');
                END;
                UPDATE counter SET n = (SELECT COUNT(*) FROM unit) WHERE name = 'units';
                UPDATE counter SET n = (SELECT COUNT(*) FROM unit WHERE kind IN ('cell', 'grassroots-cell')) WHERE name = 'cells';
                """)
        }
        if members {
            try db.execute(sql: """
                CREATE INDEX member_unit ON member(unit);
                CREATE TRIGGER member_counted AFTER INSERT ON member BEGIN UPDATE counter SET n = n + 1 WHERE name = 'members'; END;
                UPDATE counter SET n = (SELECT COUNT(*) FROM member) WHERE name = 'members';
                """)
        }
        return result
    }

    public func member(_ id: String) throws -> Member? {
        try Row.fetchOne(db, sql: "SELECT * FROM member WHERE id = ?", arguments: [id]).map(Self.member)
    }

    /// The tree's and the outbox's sizes, from the counters the triggers keep (O(1)).
    public func counts() throws -> (units: Int, cells: Int, members: Int, events: Int) {
        let c = try counters()
        return (c["units"] ?? 0, c["cells"] ?? 0, c["members"] ?? 0, c["events"] ?? 0)
    }

    /// Every maintained counter by name (`units`, `cells`, `members`, `events`, `jobs.<state>`).
    func counters() throws -> [String: Int] {
        var out: [String: Int] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT name, n FROM counter") { out[r["name"]] = r["n"] }
        return out
    }
}

extension StoreTx {
    /// Units of a subtree whose id or name contains `text` (case as typed for names with
    /// diacritics: SQLite folds ASCII only), by path, at most `limit`.
    public func searchUnits(subtree path: String, text: String, limit: Int) throws -> [UnitRow] {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { return [] }
        let like = "%" + t.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
        return try Row.fetchAll(db, sql: """
            SELECT * FROM unit WHERE substr(path, 1, ?) = ? AND (id LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\')
            ORDER BY path LIMIT ?
            """, arguments: [path.unicodeScalars.count, path, like, like, limit]).map(StoreTx.unitRow)
    }
}

/// A unit whose head is not among the members of its subtree (issue 25, item 4).
public struct HeadProblem: Sendable, Equatable {
    public var unit: String
    public var kind: UnitKind
    public var head: String
    /// The head's cell when the head is a member elsewhere; nil when the head is no member.
    public var headCell: String?
}

extension StoreTx {
    /// Units whose subtree holds members (the rollups, so rebuilt first) and whose head is not
    /// one of them: a cell's head in another cell, a committee's head in no cell under it, or a
    /// head who is no member (or has left: the members file's `left`). A unit with no member below it yet is not judged: its members come
    /// with a later file. One lookup of the head and one of their cell per unit with a head, in
    /// one statement (400,000 units: two index lookups each).
    public func headProblems(limit: Int = 201) throws -> [HeadProblem] {
        try Row.fetchAll(db, sql: """
            SELECT u.id, u.kind, u.head, m.unit AS cell
            FROM unit u
            JOIN tree_count t ON t.unit = u.id AND t.kind = 'member' AND t.n > 0
            LEFT JOIN member m ON m.id = u.head AND m.left_on IS NULL
            LEFT JOIN unit c ON c.id = m.unit
            WHERE u.head IS NOT NULL AND u.head <> ''
              AND (m.id IS NULL OR c.id IS NULL OR substr(c.path, 1, length(u.path)) <> u.path)
            ORDER BY u.path
            LIMIT ?
            """, arguments: [limit]).map {
            HeadProblem(unit: $0["id"], kind: UnitKind(rawValue: $0["kind"]) ?? .cell, head: $0["head"], headCell: $0["cell"])
        }
    }
}
