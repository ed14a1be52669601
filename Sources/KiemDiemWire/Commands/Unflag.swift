import Foundation

/// `unflag`: Closes a unit's flag; a confirmed conclusion stays in force.
public enum Unflag: ControlCommand {
    public typealias Args = UnflagArgs
    public typealias Result = UnflagResult
    public static let name = "unflag"
    public static let mutates = true
}

public struct UnflagArgs: Codable, Sendable {
    public var unit: String
    public var note: String
    public init(unit: String, note: String) {
        self.unit = unit
        self.note = note
    }
}

public struct UnflagResult: Codable, Sendable {
    public var unit: String
    public var closed: [Int64]
    public init(unit: String, closed: [Int64]) {
        self.unit = unit
        self.closed = closed
    }
}
