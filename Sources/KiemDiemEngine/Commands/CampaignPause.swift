import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension CampaignPause: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.setPaused(args.id, true, now: context.now)
    }
}

extension Engine {
    public func setPaused(_ id: String, _ paused: Bool, now: Date) throws -> CampaignInfo {
        let c = try campaign(id)
        switch (c.status, paused) {
        case (.completed, _): throw ErrorBody(.conflict, "campaign '\(id)' is completed")
        case (.paused, true), (.active, false): return info(c, now: now)
        case (.active, true):
            try store.write { try $0.setCampaignStatus(id, .paused) }
            campaigns[id]?.status = .paused
        case (.paused, false):
            // One transaction: active again, and what fell due while paused fires now, once, late.
            try store.write { tx in
                try tx.setCampaignStatus(id, .active)
                try catchUp(c, to: now, tx: tx)
            }
            campaigns[id]?.status = .active
            campaigns[id]?.watermark = max(c.watermark, now)
        }
        return info(campaigns[id]!, now: now)
    }
}
