import Foundation

/// `extend`: Gives one unit a new deadline for a stage.
public enum Extend: ControlCommand {
    public typealias Args = ExtendArgs
    public typealias Result = ExtendResult
    public static let name = "extend"
    public static let mutates = true
}

public struct ExtendArgs: Codable, Sendable {
    public var unit: String
    public var stage: String
    public var until: String
    public var reason: String
    public var campaign: String?
    public init(unit: String, stage: String, until: String, reason: String, campaign: String? = nil) {
        self.unit = unit
        self.stage = stage
        self.until = until
        self.reason = reason
        self.campaign = campaign
    }
}

public struct ExtendResult: Codable, Sendable {
    public var campaign: String
    public var stage: String
    public var unit: String
    public var due: String
    public init(campaign: String, stage: String, unit: String, due: String) {
        self.campaign = campaign
        self.stage = stage
        self.unit = unit
        self.due = due
    }
}
