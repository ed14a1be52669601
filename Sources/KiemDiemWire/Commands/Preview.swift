import Foundation

/// `preview`: What would fire between now and an instant, without storing anything.
public enum Preview: ControlCommand {
    public typealias Args = PreviewArgs
    public typealias Result = PreviewResult
    public static let name = "preview"
}

public struct PreviewArgs: Codable, Sendable {
    public var until: String
    public init(until: String) { self.until = until }
}

public struct PreviewResult: Codable, Sendable {
    public var from: String
    public var until: String
    public var events: [EventBody]
    public init(from: String, until: String, events: [EventBody]) {
        self.from = from
        self.until = until
        self.events = events
    }
}
