import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Reload: EngineCommand {
    public static func run(_ args: NoArgs, in context: CommandContext) throws -> ReloadResult {
        ReloadResult(authorizedKeys: try context.host.reloadKeys())
    }
}
