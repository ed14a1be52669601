import Foundation

/// `clock.set`: Moves a simulated clock forward to an instant, firing what falls due.
public enum ClockSet: ControlCommand {
    public typealias Args = TimeArgs
    public typealias Result = ClockInfo
    public static let name = "clock.set"
    public static let mutates = true
}

public struct TimeArgs: Codable, Sendable {
    public var time: String
    public init(time: String) { self.time = time }
}
