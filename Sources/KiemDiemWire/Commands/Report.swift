import Foundation

/// `report`: A unit's progress, flags, ratings and its children, per campaign.
public enum Report: ControlCommand {
    public typealias Args = UnitFilter
    public typealias Result = [ReportResult]
    public static let name = "report"
}

public struct ReportResult: Codable, Sendable {
    public var campaign: String
    public var unit: String
    public var name: String
    public var asOf: String
    public var stages: [StageProgress]
    /// Open flags in the subtree, with their directed reviews.
    public var flags: [FlagInfo]?
    /// Ratings in force in the subtree, by level, and the quota per grassroots organization.
    public var ratings: RatingSummary?
    public var openRemediation: Int?
    public var overdueRemediation: Int?
    /// Open shortcomings found by earlier campaigns' reviews (under qd366-2025 they bar `excellent`).
    public var earlierRemediation: [RemediationInfo]?
    /// Ratings in force that a later fact contradicts (discipline, a conclusion): to annul and re-decide.
    public var conflicts: [RatingConflict]?
    /// The upper committees' written review suggestions in the subtree.
    public var suggestions: [SuggestionInfo]?
    /// The same figures for each unit one level down.
    public var children: [ChildReport]?
    /// Silences in force over the unit or its subtree.
    public var silences: [SilenceInfo]?
    public init(campaign: String, unit: String, name: String, asOf: String, stages: [StageProgress]) {
        self.campaign = campaign
        self.unit = unit
        self.name = name
        self.asOf = asOf
        self.stages = stages
    }
}

public struct RatingConflict: Codable, Sendable, Equatable {
    public var rule: String
    public var unit: String
    public var subjects: [String]
    public var message: String
    public init(rule: String, unit: String, subjects: [String], message: String) {
        self.rule = rule
        self.unit = unit
        self.subjects = subjects
        self.message = message
    }
}

public struct QuotaLine: Codable, Sendable {
    public var unit: String
    public var excellent: Int
    public var good: Int
    public var allowed: Int
    /// Members decided so far, of all the organization's members (in the group, under qd124-2023).
    public var decided: Int?
    public var total: Int?
    public var group: String?
    public init(unit: String, excellent: Int, good: Int, allowed: Int, decided: Int? = nil, total: Int? = nil, group: String? = nil) {
        self.unit = unit
        self.excellent = excellent
        self.good = good
        self.allowed = allowed
        self.decided = decided
        self.total = total
        self.group = group
    }
}

public struct RatingSummary: Codable, Sendable {
    public var members: [String: Int]
    public var units: [String: Int]
    public var quota: [QuotaLine]
    public init(members: [String: Int], units: [String: Int], quota: [QuotaLine]) {
        self.members = members
        self.units = units
        self.quota = quota
    }
}

public struct ChildReport: Codable, Sendable {
    public var unit: String
    public var name: String
    public var kind: String
    public var completed: Int
    public var total: Int
    public var overdue: Int
    public var flags: Int
    public var openRemediation: Int
    /// Per stage, in the report's order: [completed, total, overdue]. In `view` only (the page
    /// draws a bar per stage); `report` leaves it out, its rows stay small at a wide level.
    public var stages: [[Int]]?
    public init(unit: String, name: String, kind: String, completed: Int, total: Int, overdue: Int, flags: Int, openRemediation: Int) {
        self.unit = unit
        self.name = name
        self.kind = kind
        self.completed = completed
        self.total = total
        self.overdue = overdue
        self.flags = flags
        self.openRemediation = openRemediation
    }
}
