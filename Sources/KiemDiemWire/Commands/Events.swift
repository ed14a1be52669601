import Foundation

/// `events`: Stored events after a seq, for a subscriber catching up.
public enum Events: ControlCommand {
    public typealias Args = EventsArgs
    public typealias Result = EventsResult
    public static let name = "events"
}

public struct EventsArgs: Codable, Sendable {
    public var since: Int64
    public var topic: String?
    public var limit: Int?
    public init(since: Int64, topic: String? = nil, limit: Int? = nil) {
        self.since = since
        self.topic = topic
        self.limit = limit
    }
}

public struct EventsResult: Codable, Sendable {
    public var events: [EventBody]
    /// The latest seq stored, so a client knows whether to ask again.
    public var lastSeq: Int64
    public var more: Bool
    public init(events: [EventBody], lastSeq: Int64, more: Bool) {
        self.events = events
        self.lastSeq = lastSeq
        self.more = more
    }
}
