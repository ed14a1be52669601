import Foundation

/// `import.units`: Loads or updates the organization tree from a units CSV, all or nothing.
public enum ImportUnits: ControlCommand {
    public typealias Args = FileArgs
    public typealias Result = ImportResult
    public static let name = "import.units"
    public static let mutates = true
}

public struct ImportResult: Codable, Sendable, Equatable {
    public var added: Int
    public var updated: Int
    public var total: Int
    public init(added: Int, updated: Int, total: Int) {
        self.added = added
        self.updated = updated
        self.total = total
    }
}
