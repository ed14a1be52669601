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
    /// Move the dependent deadlines (stages that come `after` this one, for the unit and its
    /// ancestors) that would fall before the new one, instead of refusing.
    public var cascade: Bool?
    /// Extend the stage for every unit of the unit's subtree that it applies to.
    public var subtree: Bool?
    /// One member of the cell `unit`, for a members stage: that member's own deadline.
    public var member: String?
    public init(unit: String, stage: String, until: String, reason: String, campaign: String? = nil, cascade: Bool? = nil, subtree: Bool? = nil,
                member: String? = nil) {
        self.member = member
        self.unit = unit
        self.stage = stage
        self.until = until
        self.reason = reason
        self.campaign = campaign
        self.cascade = cascade
        self.subtree = subtree
    }
}

/// A deadline an extension moved (`--cascade`), or a unit it extended (`--subtree`).
public struct MovedDeadline: Codable, Sendable, Equatable {
    public var stage: String
    public var unit: String
    /// The deadline before.
    public var from: String
    public var due: String
    public init(stage: String, unit: String, from: String, due: String) {
        self.stage = stage
        self.unit = unit
        self.from = from
        self.due = due
    }
}

public struct ExtendResult: Codable, Sendable {
    public var campaign: String
    public var stage: String
    public var unit: String
    public var due: String
    /// With `subtree`: every unit whose deadline was extended (the unit named included when the
    /// stage applies to it).
    public var extended: [MovedDeadline]?
    /// With `cascade`: the dependent deadlines moved to the new one.
    public var moved: [MovedDeadline]?
    /// With `member`: the member whose own deadline this is.
    public var member: String?
    public init(campaign: String, stage: String, unit: String, due: String, extended: [MovedDeadline]? = nil, moved: [MovedDeadline]? = nil,
                member: String? = nil) {
        self.campaign = campaign
        self.stage = stage
        self.unit = unit
        self.due = due
        self.extended = extended
        self.moved = moved
        self.member = member
    }
}
