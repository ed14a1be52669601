import Foundation
import GRDB
import KiemDiemCore
import KiemDiemWire

// A members file stored piece by piece: what a chunked import's commit and the offline load
// (`kiemdiemd import`) share. A national file is 633 MB and 5.7 million rows: it is never held
// whole, and checking a piece (CSV, ids, units, roles) runs on a second thread while the piece
// before it is stored, so the two halves of the work share the machine's cores.

extension StoreTx {
    /// Checks and stores the members that `next` hands out piece by piece (each a whole number of
    /// records, as `CSVPieces` cuts them), in this transaction. On any finding it throws them
    /// all (up to `maxErrors`, in line order) and the caller's rollback leaves nothing stored.
    ///
    /// Duplicate ids across the file: into an empty member table the primary key finds them,
    /// and since rows then go in file order, the row an id first went in as names its line;
    /// into a table that holds members (an update), a temporary table of the ids met so far.
    /// Call inside `fastFill` so that an empty table is filled without its index.
    public func loadMembers(source: String, kinds: [String: UnitKind], maxErrors: Int = 200,
                            next: () throws -> CSVPieces.Piece?, progress: (Int) -> Void = { _ in }) throws -> ImportResult {
        let before = try counts().members
        let empty = before == 0
        if !empty { try startSeenIds() }
        defer { if !empty { try? endSeenIds() } }
        let sql = empty
            ? "INSERT INTO member(id, unit, name, role, email, disciplined, disciplined_on, phone, exempt, left_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            : """
            INSERT INTO member(id, unit, name, role, email, disciplined, disciplined_on, phone, exempt, left_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET unit = excluded.unit, name = excluded.name, role = excluded.role,
              email = excluded.email, disciplined = excluded.disciplined, disciplined_on = excluded.disciplined_on, phone = excluded.phone,
              exempt = excluded.exempt, left_on = excluded.left_on
            WHERE (unit, name, role, email, disciplined, disciplined_on, phone, exempt, left_on)
              IS NOT (excluded.unit, excluded.name, excluded.role, excluded.email, excluded.disciplined, excluded.disciplined_on, excluded.phone,
                      excluded.exempt, excluded.left_on)
            """
        var insert = try db.cachedStatement(sql: sql)
        let rowOf = try db.cachedStatement(sql: "SELECT rowid FROM member WHERE id = ?")
        var lineOfRow: [Int32] = [] // into an empty table: the line of the row with rowid i + 1
        var errors: [InputError] = []
        var changed = 0, checked = 0
        func duplicate(_ m: Member, line: Int, first: Int) {
            errors.append(InputError(source: source, line: line, reason: "duplicate id '\(m.id)' (first on line \(first))"))
        }
        var pending = try next().map { PieceCheck($0, source: source, kinds: kinds) }
        while let current = pending {
            pending = try next().map { PieceCheck($0, source: source, kinds: kinds) }
            let (rows, found) = current.wait()
            errors += found
            for (line, m) in rows {
                if !empty, let first = try firstSeen(m.id, line: line) { duplicate(m, line: line, first: first); continue }
                let on: String? = if case .on(let d) = m.discipline { d } else { nil }
                insert.setUncheckedArguments([m.id, m.unit, m.name, m.role.rawValue, m.email, m.disciplined, on, m.phone, m.exempt, m.left])
                do {
                    try insert.execute()
                } catch let e as DatabaseError where empty && e.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                    insert = try db.cachedStatement(sql: sql) // GRDB drops a statement that failed
                    let rowid = try Int.fetchOne(rowOf, arguments: [m.id]) ?? 0
                    duplicate(m, line: line, first: lineOfRow.indices.contains(rowid - 1) ? Int(lineOfRow[rowid - 1]) : 0)
                    continue
                }
                if empty { lineOfRow.append(Int32(clamping: line)) }
                changed += db.changesCount
            }
            checked += rows.count + found.count
            progress(checked)
            if errors.count >= maxErrors {
                _ = pending?.wait() // let the thread end before the transaction does
                break
            }
        }
        if !errors.isEmpty { throw InputErrors(Array(TreeImport.inLineOrder(errors).prefix(maxErrors))) }
        // Into an empty table every row is new, and the counting trigger may be off (`fastFill`).
        let after = empty ? changed : try counts().members
        return ImportResult(added: after - before, updated: changed - (after - before), total: after)
    }
}

/// One piece's check, on a thread of its own while the writing thread stores the piece before.
/// Written with a thread and a semaphore: the check is CPU work that must overlap a
/// synchronous SQLite transaction, which Swift's cooperative pool is not meant to wait on.
private final class PieceCheck: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: (rows: [(line: Int, member: Member)], errors: [InputError]) = ([], [])

    init(_ piece: CSVPieces.Piece, source: String, kinds: [String: UnitKind]) {
        let thread = Thread { [self] in
            result = TreeImport.memberRows(piece.text, source: source, firstLine: piece.firstLine) { kinds[$0] }
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// The result; the semaphore orders the thread's write before this read.
    func wait() -> (rows: [(line: Int, member: Member)], errors: [InputError]) {
        done.wait()
        done.signal() // a second wait returns at once
        return result
    }
}
