import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Clock: EngineCommand {
    public static func run(_ args: NoArgs, in context: CommandContext) throws -> ClockInfo { info(context) }

    /// The clock as a reply shows it, at `now` (default: the request's instant).
    static func info(_ context: CommandContext, now: Date? = nil) -> ClockInfo {
        ClockInfo(mode: context.host.clockMode.rawValue, now: Instant.format(now ?? context.now, timeZone: context.zone), timezone: context.zone.identifier)
    }

    /// Moves a simulated clock to `target` (clock.advance, clock.set); the system clock refuses.
    static func move(_ context: CommandContext, to target: Date) throws -> ClockInfo {
        guard context.host.clockMode == .simulated else {
            throw ErrorBody(.conflict, "the clock is the system clock; only a simulated clock can be moved (clock.mode: simulated)")
        }
        var info = info(context, now: target)
        info.fired = try context.host.moveClock(to: target)
        return info
    }
}
