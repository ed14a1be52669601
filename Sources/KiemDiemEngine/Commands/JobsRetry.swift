import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension JobsRetry: EngineCommand {
    public static func run(_ args: IdArgs, in context: CommandContext) throws -> IdArgs {
        // Jobs live in wall-clock time, whatever the campaign clock says.
        guard try context.engine.store.write({ try $0.retryJob(args.id, now: context.engine.wallNow()) }) else {
            throw ErrorBody(.conflict, "job \(args.id) is not dead (only dead jobs are retried)")
        }
        return args
    }
}
