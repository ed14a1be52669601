import Foundation

/// `flag.confirm`: Confirms a flag's finding as a conclusion for the year.
public enum FlagConfirm: ControlCommand {
    public typealias Args = FlagConfirmArgs
    public typealias Result = ConclusionResult
    public static let name = "flag.confirm"
    public static let mutates = true
}

/// `flag confirm UNIT`: the directed review concluded what the flag said.
public struct FlagConfirmArgs: Codable, Sendable {
    public var unit: String
    public var note: String
    public var campaign: String?
    public init(unit: String, note: String, campaign: String? = nil) {
        self.unit = unit
        self.note = note
        self.campaign = campaign
    }
}

public struct ConclusionResult: Codable, Sendable {
    public var conclusion: Int64
    public var kind: String
    public var subject: String
    public var reasons: [String]
    /// Ratings in force that the conclusion now contradicts: each must be annulled and re-decided.
    public var conflicts: [String]
    public init(conclusion: Int64, kind: String, subject: String, reasons: [String], conflicts: [String]) {
        self.conclusion = conclusion
        self.kind = kind
        self.subject = subject
        self.reasons = reasons
        self.conflicts = conflicts
    }
}
