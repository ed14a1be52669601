import Foundation

/// `flag`: Flags a unit for a directed review (rule 4).
public enum FlagRaise: ControlCommand {
    public typealias Args = FlagArgs
    public typealias Result = FlagResult
    public static let name = "flag"
    public static let mutates = true
}

public struct FlagArgs: Codable, Sendable {
    public var unit: String
    public var reasons: [String]
    public var note: String
    /// A competent conclusion (not only signs): docs/rules.md rule 4 then forces `failed`.
    public var confirmed: Bool?
    public var campaign: String?
    public init(unit: String, reasons: [String], note: String, confirmed: Bool? = nil, campaign: String? = nil) {
        self.unit = unit
        self.reasons = reasons
        self.note = note
        self.confirmed = confirmed
        self.campaign = campaign
    }
}

public struct FlagResult: Codable, Sendable {
    public var flag: Int64
    public var unit: String
    /// The committee that directs the review (the unit's parent).
    public var owner: String?
    public var reviewDue: String
    public init(flag: Int64, unit: String, owner: String?, reviewDue: String) {
        self.flag = flag
        self.unit = unit
        self.owner = owner
        self.reviewDue = reviewDue
    }
}
