import Foundation

/// `view`: Everything the web page shows of one unit, in one request: its report (stages,
/// flags, children), where it sits in the tree, the late members of a cell, the open
/// escalations about its subtree and the campaign's timeline.
public enum View: ControlCommand {
    public typealias Args = UnitFilter
    public typealias Result = ViewResult
    public static let name = "view"
}

public struct NamedUnit: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

public struct StageMembers: Codable, Sendable {
    public var stage: String
    public var title: String
    public var due: String
    /// Past the stage's deadline (for this unit, extensions included).
    public var late: Bool
    public var members: [NamedUnit]
    public init(stage: String, title: String, due: String, late: Bool, members: [NamedUnit]) {
        self.stage = stage
        self.title = title
        self.due = due
        self.late = late
        self.members = members
    }
}

public struct EscalationInfo: Codable, Sendable {
    public var id: Int64
    public var unit: String
    public var unitName: String
    public var stage: String
    public var stageTitle: String
    public var due: String
    public var level: Int
    public var target: String
    public var targetName: String
    public var raised: String
    public init(id: Int64, unit: String, unitName: String, stage: String, stageTitle: String, due: String, level: Int, target: String,
                targetName: String, raised: String) {
        self.id = id
        self.unit = unit
        self.unitName = unitName
        self.stage = stage
        self.stageTitle = stageTitle
        self.due = due
        self.level = level
        self.target = target
        self.targetName = targetName
        self.raised = raised
    }
}

/// A finding of a refused rating file (`rating.rejected`), for the page.
public struct RejectedFinding: Codable, Sendable {
    public var time: String
    public var unit: String
    public var rule: String
    public var message: String
    public init(time: String, unit: String, rule: String, message: String) {
        self.time = time
        self.unit = unit
        self.rule = rule
        self.message = message
    }
}

public struct ViewResult: Codable, Sendable {
    public var campaign: String
    public var campaignTitle: String
    public var simulatedClock: Bool
    public var kind: String
    /// From the campaign's root down to the unit itself.
    public var trail: [NamedUnit]
    public var report: ReportResult
    /// A unit that holds members: who has not finished each member stage that has opened.
    public var members: [StageMembers]
    /// Open (not acknowledged) escalations about units of the subtree, newest first (at most 200).
    public var escalations: [EscalationInfo]
    /// Findings of refused rating files about units of the subtree, newest first (at most 50).
    public var rejected: [RejectedFinding]?
    public init(campaign: String, campaignTitle: String, simulatedClock: Bool, kind: String, trail: [NamedUnit], report: ReportResult,
                members: [StageMembers], escalations: [EscalationInfo]) {
        self.campaign = campaign
        self.campaignTitle = campaignTitle
        self.simulatedClock = simulatedClock
        self.kind = kind
        self.trail = trail
        self.report = report
        self.members = members
        self.escalations = escalations
    }
}
