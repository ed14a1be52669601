import Foundation

/// `clock.advance`: Moves a simulated clock forward by a duration, firing what falls due.
public enum ClockAdvance: ControlCommand {
    public typealias Args = DurationArgs
    public typealias Result = ClockInfo
    public static let name = "clock.advance"
    public static let mutates = true
}

public struct DurationArgs: Codable, Sendable {
    public var duration: String
    public init(duration: String) { self.duration = duration }
}
