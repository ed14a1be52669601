import Foundation

/// `import.members`: Loads or updates party members from a members CSV, all or nothing.
public enum ImportMembers: ControlCommand {
    public typealias Args = FileArgs
    public typealias Result = ImportResult
    public static let name = "import.members"
    public static let mutates = true
}
