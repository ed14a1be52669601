import Foundation

/// `campaign.list`: Every campaign, in load order.
public enum CampaignList: ControlCommand {
    public typealias Args = NoArgs
    public typealias Result = [CampaignInfo]
    public static let name = "campaign.list"
}
