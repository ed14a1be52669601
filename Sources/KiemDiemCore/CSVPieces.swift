import Foundation

/// Cuts a CSV file that arrives in arbitrary slices (a client's chunks, slices of a mapped
/// file) into pieces of whole records, so that each piece can be checked on its own and a large
/// file is never held whole.
///
/// A piece ends at a line break outside quotes: a quoted field that holds a line break is never
/// cut. Every piece after the first is given the file's header line and numbered as the line
/// before its first record (`firstLine`), so findings in it carry the file's line numbers.
public struct CSVPieces: Sendable {
    /// One piece: `text` starts with the header line, numbered `firstLine`.
    public struct Piece: Sendable {
        public var text: String
        public var firstLine: Int
    }

    private var carry: [UInt8] = []
    private var header: [UInt8]?
    private var linesBefore = 0
    private let source: String

    public init(source: String) { self.source = source }

    /// Adds the next slice; returns the whole records it completes, or nil when it completes none.
    public mutating func feed(_ slice: UnsafeRawBufferPointer) throws(InputErrors) -> Piece? {
        carry.append(contentsOf: slice)
        // The carry starts at a record boundary: scan it for the last line break outside quotes.
        var inQuotes = false, lastBreak = -1, firstBreak = -1
        carry.withUnsafeBufferPointer { b in
            for i in 0..<b.count {
                switch b[i] {
                case 0x22: inQuotes.toggle()
                case 0x0A where !inQuotes:
                    lastBreak = i
                    if firstBreak < 0 { firstBreak = i }
                default: break
                }
            }
        }
        guard lastBreak >= 0 else { return nil }
        if header == nil { header = Array(carry[...firstBreak]) }
        let piece = try cut(upTo: lastBreak + 1)
        return piece
    }

    /// What is left after the last slice: the last record, when the file does not end with a line break.
    public mutating func finish() throws(InputErrors) -> Piece? {
        guard carry.contains(where: { $0 != 0x0A && $0 != 0x0D && $0 != 0x20 }) else { return nil }
        if header == nil { header = carry }
        return try cut(upTo: carry.count)
    }

    private mutating func cut(upTo end: Int) throws(InputErrors) -> Piece? {
        let first = linesBefore == 0
        let body = carry[..<end]
        let lines = body.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        let bytes = first ? Array(body) : (header ?? []) + body
        guard let text = String(validating: bytes, as: UTF8.self) else {
            // Name the line: the first one that is not UTF-8.
            var line = first ? 1 : linesBefore + 1, start = first ? 0 : (header?.count ?? 0), i = start
            while i < bytes.count {
                if bytes[i] == 0x0A {
                    if String(validating: bytes[start..<i], as: UTF8.self) == nil { break }
                    line += 1
                    start = i + 1
                }
                i += 1
            }
            throw InputErrors([InputError(source: source, line: line, reason: "not valid UTF-8")])
        }
        let piece = Piece(text: text, firstLine: first ? 1 : linesBefore)
        linesBefore += lines
        carry.removeFirst(end)
        return piece
    }
}
