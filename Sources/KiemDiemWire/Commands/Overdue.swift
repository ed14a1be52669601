import Foundation

/// `overdue`: Units and members late at a stage, under a unit.
public enum Overdue: ControlCommand {
    public typealias Args = UnitFilter
    public typealias Result = OverdueResult
    public static let name = "overdue"
}

public struct OverdueResult: Codable, Sendable {
    public var items: [OverdueItem]
    /// True when the list was cut at its limit.
    public var truncated: Bool
    public var total: Int
    public init(items: [OverdueItem], truncated: Bool, total: Int) {
        self.items = items
        self.truncated = truncated
        self.total = total
    }
}

public struct OverdueItem: Codable, Sendable {
    public var campaign: String
    public var stage: String
    public var unit: String
    public var name: String
    public var path: String
    public var due: String
    /// For a member stage: how many of the cell's members have not finished.
    public var lateMembers: Int?
    public init(campaign: String, stage: String, unit: String, name: String, path: String, due: String, lateMembers: Int?) {
        self.campaign = campaign
        self.stage = stage
        self.unit = unit
        self.name = name
        self.path = path
        self.due = due
        self.lateMembers = lateMembers
    }
}
