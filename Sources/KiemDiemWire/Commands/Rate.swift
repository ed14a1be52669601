import Foundation

/// `rate`: Records ratings from a CSV, checked against every rule over the stored state.
public enum Rate: ControlCommand {
    public typealias Args = RateArgs
    public typealias Result = RateResult
    public static let name = "rate"
    public static let mutates = true
}

public struct RateArgs: Codable, Sendable {
    public var name: String
    public var content: String
    public var campaign: String?
    /// Rows without a `status` column are proposals (a cell's review, a collective's self-rating)
    /// rather than decisions of the competent level.
    public var proposed: Bool?
    public init(name: String, content: String, campaign: String? = nil, proposed: Bool? = nil) {
        self.name = name
        self.content = content
        self.campaign = campaign
        self.proposed = proposed
    }
}

public struct RateResult: Codable, Sendable {
    public var campaign: String
    public var accepted: Int
    /// Running counts against the quota of the organizations the file touched ("đã có X/Y, tối đa Z").
    public var warnings: [String]?
    public init(campaign: String, accepted: Int, warnings: [String]? = nil) {
        self.campaign = campaign
        self.accepted = accepted
        self.warnings = warnings
    }
}
