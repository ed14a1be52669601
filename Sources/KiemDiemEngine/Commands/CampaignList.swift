import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension CampaignList: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        context.engine.listCampaigns(now: context.now)
    }
}

extension Engine {
    public func listCampaigns(now: Date) -> [CampaignInfo] {
        orderedCampaigns.map { info($0, now: now) }
    }
}
