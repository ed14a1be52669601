import Foundation

/// `campaign.show`: A campaign and the progress of each stage.
public enum CampaignShow: ControlCommand {
    public typealias Args = CampaignRef
    public typealias Result = CampaignDetail
    public static let name = "campaign.show"
}

public struct CampaignDetail: Codable, Sendable {
    public var campaign: CampaignInfo
    public var stages: [StageProgress]
    public init(campaign: CampaignInfo, stages: [StageProgress]) {
        self.campaign = campaign
        self.stages = stages
    }
}

/// Progress of one stage over a set of units.
public struct StageProgress: Codable, Sendable {
    public var stage: String
    public var title: String
    public var scope: String
    public var opens: String
    public var due: String
    /// Units (or, for a member stage, members) it applies to, how many completed, how many are late.
    public var total: Int
    public var completed: Int
    public var overdue: Int
    public init(stage: String, title: String, scope: String, opens: String, due: String, total: Int, completed: Int, overdue: Int) {
        self.stage = stage
        self.title = title
        self.scope = scope
        self.opens = opens
        self.due = due
        self.total = total
        self.completed = completed
        self.overdue = overdue
    }
}
