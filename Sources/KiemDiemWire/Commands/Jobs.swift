import Foundation

/// `jobs`: Jobs by state, for the operator.
public enum Jobs: ControlCommand {
    public typealias Args = JobsArgs
    public typealias Result = JobsResult
    public static let name = "jobs"
}

public struct JobsArgs: Codable, Sendable {
    public var state: String?
    public var limit: Int?
    public init(state: String? = nil, limit: Int? = nil) {
        self.state = state
        self.limit = limit
    }
}

public struct JobsResult: Codable, Sendable {
    public var counts: [String: Int]
    public var jobs: [JobInfo]
    public init(counts: [String: Int], jobs: [JobInfo]) {
        self.counts = counts
        self.jobs = jobs
    }
}

public struct JobInfo: Codable, Sendable {
    public var id: Int64
    public var key: String
    public var kind: JobPayload.Kind
    public var channel: Channel
    public var recipient: String
    public var state: JobState
    public var attempts: Int
    public var worker: String?
    public var lastError: String?
    public init(id: Int64, key: String, kind: JobPayload.Kind, channel: Channel, recipient: String, state: JobState, attempts: Int, worker: String?, lastError: String?) {
        self.id = id
        self.key = key
        self.kind = kind
        self.channel = channel
        self.recipient = recipient
        self.state = state
        self.attempts = attempts
        self.worker = worker
        self.lastError = lastError
    }
}
