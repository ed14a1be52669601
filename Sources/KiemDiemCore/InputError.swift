/// A rejected input: names the input (file or request), the place and the reason.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var source: String
    public var line: Int?
    public var column: Int?
    public var reason: String

    public init(source: String, line: Int? = nil, column: Int? = nil, reason: String) {
        self.source = source
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String {
        var place = source
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        return "\(place): \(reason)"
    }
}

/// Several input errors at once: importers report every bad row, not just the first.
public struct InputErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [InputError]
    public init(_ errors: [InputError]) { self.errors = errors }
    public var description: String {
        let shown = errors.prefix(20).map(\.description).joined(separator: "\n")
        return errors.count > 20 ? shown + "\n… and \(errors.count - 20) more" : shown
    }
}
