import KiemDiemCore

/// A list as the user asked for it (`Style.output`): a table with columns padded to their
/// widest cell and a bold header on a terminal, or CSV with a header row.
struct Table {
    var header: [String]
    var rows: [[String]]
    init(_ header: [String], _ rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    func print() {
        guard Style.output == .table else {
            Swift.print(CSV.row(header))
            for r in rows { Swift.print(CSV.row(r)) }
            return
        }
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0.indices.contains(i) ? $0[i].count : 0 }.max() ?? 0 }
        func line(_ r: [String]) -> String {
            r.enumerated().map { i, c in i == r.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count) }.joined(separator: "  ")
        }
        Swift.print(Style.bold(line(header)))
        Swift.print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        for r in rows { Swift.print(line(r)) }
    }
}
