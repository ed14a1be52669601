import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension RemediationList: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.listRemediation(args)
    }
}

extension Engine {
    public func listRemediation(_ a: RemediationListArgs) throws -> [RemediationInfo] {
        try store.read { tx in
            let path = try a.unit.map { try knownUnit($0, tx: tx).path }
            return try tx.remediations(subtree: path, openOnly: !(a.all ?? false)).map(info)
        }
    }
}
