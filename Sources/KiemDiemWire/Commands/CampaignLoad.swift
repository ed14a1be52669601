import Foundation

/// `campaign.load`: Loads a campaign plan (YAML) and fires what is already due.
public enum CampaignLoad: ControlCommand {
    public typealias Args = FileArgs
    public typealias Result = CampaignInfo
    public static let name = "campaign.load"
    public static let mutates = true
}

public struct CampaignInfo: Codable, Sendable {
    public var id: String
    public var title: String
    public var root: String
    public var ruleset: String
    public var status: String
    public var opens: String
    public var ends: String
    public var next: String?
    public var stages: Int
    public init(id: String, title: String, root: String, ruleset: String, status: String, opens: String, ends: String, next: String?, stages: Int) {
        self.id = id
        self.title = title
        self.root = root
        self.ruleset = ruleset
        self.status = status
        self.opens = opens
        self.ends = ends
        self.next = next
        self.stages = stages
    }
}
