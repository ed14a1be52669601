import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension CampaignResume: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.setPaused(args.id, false, now: context.now)
    }
}
