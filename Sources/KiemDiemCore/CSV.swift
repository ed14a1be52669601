/// A strict RFC 4180 reader that keeps the physical line of every record.
///
/// Written by hand: the CSV libraries available to us report neither the line of a record nor
/// why a malformed one is malformed, and every import error must name both.
public struct CSVRecord: Sendable, Equatable {
    public var line: Int
    public var fields: [String]
}

/// One data record of a table, read by column name. The header's index is shared by all rows
/// (a national members file has millions of them: a dictionary per row cost most of a parse).
public struct CSVRow: Sendable {
    let index: [String: Int]
    let fields: [String]
    /// The field under `column`, without surrounding spaces and tabs; nil when there is no such column.
    public subscript(column: String) -> String? {
        index[column].map { CSV.trimmed(fields[$0]) }
    }
}

public enum CSV {
    /// Without leading and trailing white space (Unicode's, as Foundation's `.whitespaces`). The
    /// common case, a field that starts and ends with a visible ASCII character, costs two byte
    /// reads instead of a trip through Foundation.
    static func trimmed(_ s: String) -> String {
        let u = s.utf8
        guard let first = u.first, let last = u.last else { return s }
        func plain(_ b: UInt8) -> Bool { b > 0x20 && b < 0x80 }
        if plain(first) && plain(last) { return s }
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// One field of a CSV this program writes: quoted when it holds a comma, quote or line
    /// break; a field that a spreadsheet would take for a formula (it begins with `=`, `+`, `-`,
    /// `@`, a tab or a carriage return) gets a leading `'`, as OWASP advises against CSV
    /// injection. Names and texts come from imported files, so they are not trusted.
    public static func field(_ s: String) -> String {
        var v = s
        if let first = v.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { v = "'" + v }
        guard v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func row(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") }

    public static func parse(_ text: String, source: String) throws(InputError) -> [CSVRecord] {
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var quotedField = false
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var i = 0
        func finishField() throws(InputError) {
            guard let s = String(validating: field, as: UTF8.self) else {
                throw InputError(source: source, line: recordLine, reason: "not valid UTF-8")
            }
            fields.append(s)
            field.removeAll(keepingCapacity: true)
            quotedField = false
        }
        while i < bytes.count {
            let c = bytes[i]
            // A NUL is never data: SQLite would compare the text only up to it.
            if c == 0 { throw InputError(source: source, line: line, reason: "a NUL byte (not a text file?)") }
            if inQuotes {
                if c == 0x22 {
                    if i + 1 < bytes.count, bytes[i + 1] == 0x22 {
                        field.append(0x22)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == 0x0A { line += 1 }
                    field.append(c)
                }
            } else {
                switch c {
                case 0x22:
                    guard field.isEmpty, !quotedField else {
                        throw InputError(source: source, line: line, reason: "a quote inside an unquoted field (field \(fields.count + 1))")
                    }
                    inQuotes = true
                    quotedField = true
                case 0x2C:
                    try finishField()
                case 0x0D:
                    break
                case 0x0A:
                    try finishField()
                    if !(fields.count == 1 && fields[0].isEmpty) {
                        records.append(CSVRecord(line: recordLine, fields: fields))
                    }
                    fields.removeAll(keepingCapacity: true)
                    line += 1
                    recordLine = line
                default:
                    if quotedField {
                        throw InputError(source: source, line: line, reason: "text after a closing quote (field \(fields.count + 1))")
                    }
                    field.append(c)
                }
            }
            i += 1
        }
        if inQuotes {
            throw InputError(source: source, line: recordLine, reason: "a quoted field is never closed")
        }
        if !field.isEmpty || !fields.isEmpty || quotedField {
            try finishField()
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(CSVRecord(line: recordLine, fields: fields))
            }
        }
        return records
    }

    /// Parses a file whose first record is a header naming `columns` (in any order, extra
    /// columns are an error so a typo is not silently ignored). Returns records as dictionaries.
    public static func table(_ text: String, source: String, columns: [String], required: Set<String>)
        throws(InputErrors) -> [(line: Int, values: CSVRow)]
    {
        let records: [CSVRecord]
        do { records = try parse(text, source: source) } catch { throw InputErrors([error]) }
        guard let header = records.first else {
            throw InputErrors([InputError(source: source, line: 1, reason: "empty file: expected a header row \(columns.joined(separator: ","))")])
        }
        let names = header.fields.map(trimmed)
        var errors: [InputError] = []
        for n in names where !columns.contains(n) {
            errors.append(InputError(source: source, line: header.line, reason: "unknown column '\(n)' (expected \(columns.joined(separator: ",")))"))
        }
        for r in required where !names.contains(r) {
            errors.append(InputError(source: source, line: header.line, reason: "missing column '\(r)'"))
        }
        if Set(names).count != names.count {
            errors.append(InputError(source: source, line: header.line, reason: "a column appears twice in the header"))
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        let index = Dictionary(names.enumerated().map { ($1, $0) }) { first, _ in first }
        var rows: [(line: Int, values: CSVRow)] = []
        rows.reserveCapacity(records.count)
        for rec in records.dropFirst() {
            guard rec.fields.count == names.count else {
                errors.append(InputError(source: source, line: rec.line, reason: "\(rec.fields.count) fields, expected \(names.count)"))
                continue
            }
            rows.append((rec.line, CSVRow(index: index, fields: rec.fields)))
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        return rows
    }
}

import Foundation
