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
    /// The `next` of the previous page: jobs older than (ids below) this one.
    public var after: Int64?
    public init(state: String? = nil, limit: Int? = nil, after: Int64? = nil) {
        self.state = state
        self.limit = limit
        self.after = after
    }
}

public struct JobsResult: Codable, Sendable {
    public var counts: [String: Int]
    /// Newest first, one page.
    public var jobs: [JobInfo]
    /// Where the next page starts (`after`), when this one is full.
    public var next: Int64?
    public init(counts: [String: Int], jobs: [JobInfo], next: Int64? = nil) {
        self.counts = counts
        self.jobs = jobs
        self.next = next
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
