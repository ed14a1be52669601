import Foundation

/// `ack`: Acknowledges an escalation: its next steps stop.
public enum Ack: ControlCommand {
    public typealias Args = IdArgs
    public typealias Result = AckResult
    public static let name = "ack"
    public static let mutates = true
    /// A committee acts from the web page, within its own subtree (the page checks the unit).
    public static let roles: Set<Role> = [.admin, .committee]
}

public struct AckResult: Codable, Sendable {
    public var escalation: Int64
    public var unit: String
    public var stage: String
    public var alreadyAcknowledged: Bool
    public init(escalation: Int64, unit: String, stage: String, alreadyAcknowledged: Bool) {
        self.escalation = escalation
        self.unit = unit
        self.stage = stage
        self.alreadyAcknowledged = alreadyAcknowledged
    }
}
