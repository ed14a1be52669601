import Foundation

/// `preview`: What would fire between now and an instant, without storing anything.
public enum Preview: ControlCommand {
    public typealias Args = PreviewArgs
    public typealias Result = PreviewResult
    public static let name = "preview"
}

public struct PreviewArgs: Codable, Sendable {
    public var until: String
    /// At most this many events (default 500, clamped to 1…2000): the dry run stops there, so a
    /// preview far ahead costs what that many events cost, not the whole campaign.
    public var limit: Int?
    public init(until: String, limit: Int? = nil) {
        self.until = until
        self.limit = limit
    }

    public static let defaultLimit = 500
    public static let maxLimit = 2000
}

public struct PreviewResult: Codable, Sendable {
    public var from: String
    public var until: String
    public var events: [EventBody]
    /// Set when the limit stopped the preview: the instant of the first trigger it did not
    /// finish. Ask again from there (after moving the clock) or with a nearer `until`.
    public var truncatedAt: String?
    public init(from: String, until: String, events: [EventBody], truncatedAt: String? = nil) {
        self.from = from
        self.until = until
        self.events = events
        self.truncatedAt = truncatedAt
    }
}
