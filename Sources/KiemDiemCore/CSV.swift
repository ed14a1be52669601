import Foundation

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
    /// Where `column` sits in every row of the table (nil: the table has no such column).
    public func position(of column: String) -> Int? { index[column] }
    /// The field at `position` (from `position(of:)`), trimmed as by name: one lookup per table,
    /// not per field, for files of millions of rows.
    public subscript(at position: Int?) -> String? {
        position.map { CSV.trimmed(fields[$0]) }
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

    /// `firstLine`: the line number of the text's first line (a piece of a larger file).
    public static func parse(_ text: String, source: String, firstLine: Int = 1) throws(InputError) -> [CSVRecord] {
        var text = text
        text.makeContiguousUTF8()
        let result: Result<[CSVRecord], InputError> = text.utf8.withContiguousStorageIfAvailable { buffer in
            do throws(InputError) { return .success(try parse(buffer, source: source, firstLine: firstLine)) } catch { return .failure(error) }
        } ?? .failure(InputError(source: source, reason: "not contiguous UTF-8"))
        return try result.get()
    }

    /// The reader over the file's bytes. A field without quotes is made into a String straight
    /// from its slice of the buffer; only a quoted field is copied byte by byte (to undo `""`).
    static func parse(_ all: UnsafeBufferPointer<UInt8>, source: String, firstLine: Int) throws(InputError) -> [CSVRecord] {
        var bytes = all
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = UnsafeBufferPointer(rebasing: all[3...]) }
        var records: [CSVRecord] = []
        var fields: [String] = []
        var quoted: [UInt8] = []      // a quoted field's bytes, quotes undone
        var start = 0                 // where the current unquoted field began
        var line = firstLine
        var recordLine = firstLine
        var inQuotes = false
        var quotedField = false
        let count = bytes.count
        var i = 0
        func finishField(_ end: Int) throws(InputError) {
            let s: String?
            if quotedField {
                s = String(validating: quoted, as: UTF8.self)
                quoted.removeAll(keepingCapacity: true)
            } else {
                var slice = UnsafeBufferPointer(rebasing: bytes[start..<end])
                if let last = slice.last, last == 0x0D { slice = UnsafeBufferPointer(rebasing: slice.dropLast()) } // CRLF
                s = String(validating: slice, as: UTF8.self)
            }
            guard let s else { throw InputError(source: source, line: recordLine, reason: "not valid UTF-8") }
            fields.append(s)
            quotedField = false
        }
        while i < count {
            let c = bytes[i]
            // A NUL is never data: SQLite would compare the text only up to it.
            if c == 0 { throw InputError(source: source, line: line, reason: "a NUL byte (not a text file?)") }
            if inQuotes {
                if c == 0x22 {
                    if i + 1 < count, bytes[i + 1] == 0x22 {
                        quoted.append(0x22)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == 0x0A { line += 1 }
                    quoted.append(c)
                }
            } else {
                switch c {
                case 0x22:
                    guard i == start, !quotedField else {
                        throw InputError(source: source, line: line, reason: "a quote inside an unquoted field (field \(fields.count + 1))")
                    }
                    inQuotes = true
                    quotedField = true
                case 0x2C:
                    try finishField(i)
                    start = i + 1
                case 0x0A:
                    try finishField(i)
                    if !(fields.count == 1 && fields[0].isEmpty) {
                        records.append(CSVRecord(line: recordLine, fields: fields))
                    }
                    fields.removeAll(keepingCapacity: true)
                    line += 1
                    recordLine = line
                    start = i + 1
                case 0x0D:
                    // Dropped at the end of a field (CRLF); inside an unquoted field it is data no
                    // spreadsheet writes, refused like text after a closing quote.
                    if quotedField { break }
                    if i + 1 < count, bytes[i + 1] != 0x0A, bytes[i + 1] != 0x2C {
                        throw InputError(source: source, line: line, reason: "a carriage return inside a field (field \(fields.count + 1))")
                    }
                default:
                    if quotedField {
                        throw InputError(source: source, line: line, reason: "text after a closing quote (field \(fields.count + 1))")
                    }
                }
            }
            i += 1
        }
        if inQuotes {
            throw InputError(source: source, line: recordLine, reason: "a quoted field is never closed")
        }
        if start < count || !fields.isEmpty || quotedField {
            try finishField(count)
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(CSVRecord(line: recordLine, fields: fields))
            }
        }
        return records
    }

    /// Parses a file whose first record is a header naming `columns` (in any order, extra
    /// columns are an error so a typo is not silently ignored). Returns records as dictionaries.
    public static func table(_ text: String, source: String, columns: [String], required: Set<String>, firstLine: Int = 1)
        throws(InputErrors) -> [(line: Int, values: CSVRow)]
    {
        // A spreadsheet saved in a locale whose list separator is ';' (Vietnamese Excel among
        // them) gives a header of one column holding every name, and rows that may not even
        // parse: say so first, instead of "unknown column" or a quote out of place.
        let first = text.prefix { $0 != "\n" && $0 != "\r\n" && $0 != "\r" }
        if !first.contains(","), first.contains(";"),
           first.split(separator: ";").contains(where: { columns.contains(trimmed(String($0)).trimmingCharacters(in: CharacterSet(charactersIn: "\"\u{FEFF}"))) }) {
            throw InputErrors([InputError(source: source, line: firstLine, reason: semicolonHint(header: String(first)))])
        }
        let records: [CSVRecord]
        do { records = try parse(text, source: source, firstLine: firstLine) } catch { throw InputErrors([error]) }
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
                let hint = rec.fields.count < names.count && rec.fields.contains(where: { $0.contains(";") })
                    ? "; the line holds ';': was it saved with ';' separators? Separate fields with ',' (quote a field that holds one)" : ""
                errors.append(InputError(source: source, line: rec.line, reason: "\(rec.fields.count) fields, expected \(names.count)\(hint)"))
                continue
            }
            rows.append((rec.line, CSVRow(index: index, fields: rec.fields)))
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        return rows
    }
}

extension CSV {
    /// The reason given for a header that looks saved with ';' separators.
    static func semicolonHint(header: String) -> String {
        "the header '\(header.prefix(80))' is one column: the file looks saved with ';' separators "
            + "(a spreadsheet in a Vietnamese or European locale). Save it as \"CSV UTF-8 (comma delimited)\", "
            + "or replace the ';' separators with ','"
    }
}
