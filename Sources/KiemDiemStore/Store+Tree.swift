import Foundation
import GRDB
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
                              name: row["name"], head: row["head"], email: row["email"]),
                path: row["path"])
    }

    public func allUnits() throws -> [OrgUnit] {
        try Row.fetchAll(db, sql: "SELECT * FROM unit").map { Self.unitRow($0).unit }
    }

    public func unit(_ id: String) throws -> UnitRow? {
        try Row.fetchOne(db, sql: "SELECT * FROM unit WHERE id = ?", arguments: [id]).map(Self.unitRow)
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
    public func saveTree(_ units: [OrgUnit], incoming: Set<String>) throws -> ImportCounts {
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
            INSERT INTO unit(id, parent, kind, name, head, email, path) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET parent = excluded.parent, kind = excluded.kind, name = excluded.name,
              head = excluded.head, email = excluded.email, path = excluded.path
            WHERE (parent, kind, name, head, email, path) IS NOT (excluded.parent, excluded.kind, excluded.name, excluded.head, excluded.email, excluded.path)
            """)
        var added = 0, updated = 0
        for u in units {
            try stmt.execute(arguments: [u.id, u.parent, u.kind.rawValue, u.name, u.head, u.email, path(u.id)])
            if !existing.contains(u.id) { added += 1 } else if incoming.contains(u.id), db.changesCount > 0 { updated += 1 }
        }
        return ImportCounts(added: added, updated: updated, total: units.count)
    }

    public func saveMembers(_ members: [Member]) throws -> ImportCounts {
        let stmt = try db.cachedStatement(sql: """
            INSERT INTO member(id, unit, name, role, email, disciplined) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET unit = excluded.unit, name = excluded.name, role = excluded.role,
              email = excluded.email, disciplined = excluded.disciplined
            WHERE (unit, name, role, email, disciplined) IS NOT (excluded.unit, excluded.name, excluded.role, excluded.email, excluded.disciplined)
            """)
        let before = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM member") ?? 0
        var changed = 0
        for m in members {
            try stmt.execute(arguments: [m.id, m.unit, m.name, m.role.rawValue, m.email, m.disciplined])
            changed += db.changesCount
        }
        let after = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM member") ?? 0
        return ImportCounts(added: after - before, updated: changed - (after - before), total: after)
    }

    public func member(_ id: String) throws -> Member? {
        try Row.fetchOne(db, sql: "SELECT * FROM member WHERE id = ?", arguments: [id]).map {
            Member(id: $0["id"], unit: $0["unit"], name: $0["name"], role: MemberRole(rawValue: $0["role"]) ?? .member,
                   email: $0["email"], disciplined: $0["disciplined"])
        }
    }

    public func counts() throws -> (units: Int, cells: Int, members: Int, events: Int) {
        let units = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM unit") ?? 0
        let cells = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM unit WHERE kind IN ('cell', 'grassroots-cell')") ?? 0
        let members = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM member") ?? 0
        let events = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event") ?? 0
        return (units, cells, members, events)
    }
}

public struct ImportCounts: Sendable, Equatable {
    public var added: Int
    public var updated: Int
    public var total: Int
}
