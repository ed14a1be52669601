import Foundation

/// `campaign.pause`: Stops firing a campaign's deadlines.
public enum CampaignPause: ControlCommand {
    public typealias Args = CampaignRef
    public typealias Result = CampaignInfo
    public static let name = "campaign.pause"
    public static let mutates = true
}
