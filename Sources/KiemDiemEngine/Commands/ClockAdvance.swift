import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension ClockAdvance: EngineCommand {
    public static func run(_ args: DurationArgs, in context: CommandContext) throws -> ClockInfo {
        guard let secs = DurationText.seconds(args.duration), secs > 0 else {
            throw ErrorBody(.invalidInput, "'\(args.duration)' is not a positive duration such as 90s, 15m, 12h, 7d")
        }
        return try Clock.move(context, to: context.now.addingTimeInterval(TimeInterval(secs)))
    }
}
