import Foundation

/// `conclude`: Records a conclusion reached later about a unit.
public enum Conclude: ControlCommand {
    public typealias Args = ConcludeArgs
    public typealias Result = ConclusionResult
    public static let name = "conclude"
    public static let mutates = true
}

/// `conclude MEMBER --reason …`: a competent conclusion about a member.
public struct ConcludeArgs: Codable, Sendable {
    public var member: String
    public var reasons: [String]
    public var note: String
    public var campaign: String?
    public init(member: String, reasons: [String], note: String, campaign: String? = nil) {
        self.member = member
        self.reasons = reasons
        self.note = note
        self.campaign = campaign
    }
}
