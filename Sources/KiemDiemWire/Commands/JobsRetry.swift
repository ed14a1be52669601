import Foundation

/// `jobs.retry`: Puts a dead job back in the queue.
public enum JobsRetry: ControlCommand {
    public typealias Args = IdArgs
    public typealias Result = IdArgs
    public static let name = "jobs.retry"
    public static let mutates = true
}

public struct IdArgs: Codable, Sendable {
    public var id: Int64
    public init(id: Int64) { self.id = id }
}
