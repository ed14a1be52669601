/// A minimal CSV reader for tests (RFC 4180 quotes, a header row), written apart from the
/// product's `CSV` so that a test reading the sample files does not trust the code under test.
public enum TestCSV {
    /// The rows of `text` as dictionaries keyed by the header's names.
    public static func rows(_ text: String) -> [[String: String]] {
        var records: [[String]] = []
        var field = "", record: [String] = []
        var quoted = false
        var chars = Array(text).makeIterator()
        while let c = chars.next() {
            if quoted {
                if c == "\"" {
                    if let n = chars.next() {
                        if n == "\"" { field.append("\"") } else {
                            quoted = false
                            if n == "," { record.append(field); field = "" } else if n == "\n" { record.append(field); records.append(record); field = ""; record = [] } else if n != "\r" { field.append(n) }
                        }
                    } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { record.append(field); field = "" }
            else if c == "\n" { record.append(field); records.append(record); field = ""; record = [] }
            else if c != "\r" { field.append(c) }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        guard let header = records.first else { return [] }
        return records.dropFirst().filter { $0 != [""] }.map { Dictionary(uniqueKeysWithValues: zip(header, $0 + Array(repeating: "", count: max(0, header.count - $0.count)))) }
    }
}
