import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension CampaignShow: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.showCampaign(args.id, now: context.now)
    }
}

extension Engine {
    public func showCampaign(_ id: String, now: Date) throws -> CampaignDetail {
        let c = try campaign(id)
        let stages = try store.read { tx in try progress(c, subtree: c.rootPath, now: now, tx: tx) }
        return CampaignDetail(campaign: info(c, now: now), stages: stages)
    }
}
