import Foundation

/// `clock`: The campaign clock: mode, now, time zone.
public enum Clock: ControlCommand {
    public typealias Args = NoArgs
    public typealias Result = ClockInfo
    public static let name = "clock"
}

public struct ClockInfo: Codable, Sendable {
    public var mode: String
    public var now: String
    public var timezone: String
    /// Events stored by the move (clock.advance / clock.set).
    public var fired: Int?
    public init(mode: String, now: String, timezone: String, fired: Int? = nil) {
        self.mode = mode
        self.now = now
        self.timezone = timezone
        self.fired = fired
    }
}
