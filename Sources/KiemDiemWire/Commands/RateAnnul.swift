import Foundation

/// `rate.annul`: Annuls a rating, with --cascade those that depended on it.
public enum RateAnnul: ControlCommand {
    public typealias Args = AnnulArgs
    public typealias Result = AnnulResult
    public static let name = "rate.annul"
    public static let mutates = true
}

public struct AnnulArgs: Codable, Sendable {
    public var subject: String
    /// member or unit
    public var kind: String
    public var reason: String
    public var campaign: String?
    /// proposed or decided; absent: the decided rating if there is one, else the proposal.
    public var status: String?
    /// Annul also the ratings that rest on it (the head's, a collective's excellent, …).
    public var cascade: Bool?
    public init(subject: String, kind: String, reason: String, campaign: String? = nil, status: String? = nil, cascade: Bool? = nil) {
        self.subject = subject
        self.kind = kind
        self.reason = reason
        self.campaign = campaign
        self.status = status
        self.cascade = cascade
    }
}

public struct AnnulResult: Codable, Sendable {
    public var subject: String
    public var kind: String
    /// The level annulled for the subject named.
    public var annulled: String
    /// Every rating annulled, the named one first, then those annulled with it (`--cascade`).
    public var ratings: [AnnulledRating]?
    public init(subject: String, kind: String, annulled: String, ratings: [AnnulledRating]? = nil) {
        self.subject = subject
        self.kind = kind
        self.annulled = annulled
        self.ratings = ratings
    }
}

public struct AnnulledRating: Codable, Sendable, Equatable {
    public var subject: String
    public var kind: String
    public var status: String
    public var level: String
    public var commendation: Bool
    public init(subject: String, kind: String, status: String, level: String, commendation: Bool) {
        self.subject = subject
        self.kind = kind
        self.status = status
        self.level = level
        self.commendation = commendation
    }
}
