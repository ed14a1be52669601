import Foundation

/// `done`: Records that a unit, or members of a cell, completed a stage.
public enum Done: ControlCommand {
    public typealias Args = DoneArgs
    public typealias Result = DoneResult
    public static let name = "done"
    public static let mutates = true
    /// A committee acts from the web page, within its own subtree (the page checks the unit).
    public static let roles: Set<Role> = [.admin, .committee]
}

public struct DoneArgs: Codable, Sendable {
    public var unit: String
    public var stage: String
    public var member: String?
    public var campaign: String?
    public init(unit: String, stage: String, member: String? = nil, campaign: String? = nil) {
        self.unit = unit
        self.stage = stage
        self.member = member
        self.campaign = campaign
    }
}

public struct DoneResult: Codable, Sendable {
    public var campaign: String
    public var stage: String
    public var unit: String
    public var member: String?
    /// What this request completed: member ids and/or the unit.
    public var completedMembers: Int
    public var unitCompleted: Bool
    public var alreadyDone: Bool
    public init(campaign: String, stage: String, unit: String, member: String?, completedMembers: Int, unitCompleted: Bool, alreadyDone: Bool) {
        self.campaign = campaign
        self.stage = stage
        self.unit = unit
        self.member = member
        self.completedMembers = completedMembers
        self.unitCompleted = unitCompleted
        self.alreadyDone = alreadyDone
    }
}
