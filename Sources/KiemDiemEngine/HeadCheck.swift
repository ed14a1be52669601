import Foundation
import KiemDiemCore
import KiemDiemStore

/// Heads are members (issue 25, item 4): a unit's head is a member of the unit (a cell's head in
/// that cell, a committee's in a cell under it). Checked in the transaction of every change of
/// the tree or the members, after the writes and the rollups, on every path: `import.units` and
/// `import.members` on the loop or off it, a chunked commit, `kiemdiemd import` and `kiemdiemctl
/// check`. A unit with no member below it yet is not judged (the units file usually comes first).
extension Engine {
    /// Throws the findings (all-or-nothing: the caller's transaction rolls back). `memberLines`
    /// is asked only for the few heads found in another cell, so a file is scanned only when the
    /// check fails.
    static func checkHeads(tx: StoreTx, units: (name: String, lines: [String: Int])? = nil, members: String? = nil,
                           memberLines: (Set<String>) throws -> [String: Int] = { _ in [:] }) throws {
        let problems = try tx.headProblems()
        guard !problems.isEmpty else { return }
        let moved = Set(problems.filter { $0.headCell != nil }.map(\.head))
        let lines = members == nil ? [:] : try memberLines(moved)
        throw InputErrors(TreeImport.inLineOrder(TreeImport.headErrors(problems.map { ($0.unit, $0.kind, $0.head, $0.headCell) },
                                                                       unitsFile: units, membersFile: members.map { ($0, lines) })))
    }

    /// The units file's line of each unit it holds.
    static func lines(_ incoming: [(line: Int, unit: OrgUnit)]) -> [String: Int] {
        Dictionary(incoming.map { ($0.unit.id, $0.line) }, uniquingKeysWith: { a, _ in a })
    }
}
