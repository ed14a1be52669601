import Foundation

/// `rate.list`: Ratings in force under a unit.
public enum RateList: ControlCommand {
    public typealias Args = RatingsArgs
    public typealias Result = [RatingInfo]
    public static let name = "rate.list"
}

/// `rate list`: the ratings in force.
public struct RatingsArgs: Codable, Sendable {
    public var unit: String?
    public var campaign: String?
    public init(unit: String? = nil, campaign: String? = nil) {
        self.unit = unit
        self.campaign = campaign
    }
}

public struct RatingInfo: Codable, Sendable, Equatable {
    public var subject: String
    public var kind: String
    public var status: String
    public var level: String
    public var commendation: Bool
    /// The unit it is published under: a member's cell, or the unit itself.
    public var unit: String
    public var score: Double?
    public var onTime: Double?
    public var beyond: Double?
    public var ratedAt: String
    public var ratedBy: String
    public init(subject: String, kind: String, status: String, level: String, commendation: Bool, unit: String,
                score: Double? = nil, onTime: Double? = nil, beyond: Double? = nil, ratedAt: String, ratedBy: String) {
        self.subject = subject
        self.kind = kind
        self.status = status
        self.level = level
        self.commendation = commendation
        self.unit = unit
        self.score = score
        self.onTime = onTime
        self.beyond = beyond
        self.ratedAt = ratedAt
        self.ratedBy = ratedBy
    }
}
