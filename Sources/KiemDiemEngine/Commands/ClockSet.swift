import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension ClockSet: EngineCommand {
    public static func run(_ args: TimeArgs, in context: CommandContext) throws -> ClockInfo {
        let zone = context.zone
        guard let t = Instant.parse(args.time, timeZone: zone) else {
            throw ErrorBody(.invalidInput, "'\(args.time)' is not an ISO 8601 instant with offset")
        }
        guard t >= context.now else {
            throw ErrorBody(.invalidInput, "the clock only moves forward: \(Instant.format(t, timeZone: zone)) is before now (\(Instant.format(context.now, timeZone: zone)))")
        }
        return try Clock.move(context, to: t)
    }
}
