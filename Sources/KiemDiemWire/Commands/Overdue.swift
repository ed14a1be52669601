import Foundation

/// `overdue`: Units and members late at a stage, under a unit.
public enum Overdue: ControlCommand {
    public typealias Args = OverdueArgs
    public typealias Result = OverdueResult
    public static let name = "overdue"
}

public struct OverdueArgs: Codable, Sendable {
    public var unit: String?
    public var campaign: String?
    /// Items per page: 1000 by default, at most 10,000.
    public var limit: Int?
    /// The `next` of the previous page: the list goes on after it.
    public var after: String?
    public init(unit: String? = nil, campaign: String? = nil, limit: Int? = nil, after: String? = nil) {
        self.unit = unit
        self.campaign = campaign
        self.limit = limit
        self.after = after
    }
}

public struct OverdueResult: Codable, Sendable {
    /// One page, by campaign, stage and unit path.
    public var items: [OverdueItem]
    /// True when more items follow this page.
    public var truncated: Bool
    /// Late units in all (cells with late members, for a member stage), over every page.
    public var total: Int
    /// Where the next page starts (`after`), when there is one.
    public var next: String?
    public init(items: [OverdueItem], truncated: Bool, total: Int, next: String? = nil) {
        self.items = items
        self.truncated = truncated
        self.total = total
        self.next = next
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
