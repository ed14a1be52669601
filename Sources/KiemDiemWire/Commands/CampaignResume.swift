import Foundation

/// `campaign.resume`: Resumes a paused campaign; what fell due meanwhile fires once, late.
public enum CampaignResume: ControlCommand {
    public typealias Args = CampaignRef
    public typealias Result = CampaignInfo
    public static let name = "campaign.resume"
    public static let mutates = true
}
