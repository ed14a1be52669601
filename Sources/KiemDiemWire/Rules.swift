import Foundation

public struct FlagArgs: Codable, Sendable {
    public var unit: String
    public var reasons: [String]
    public var note: String
    /// A competent conclusion (not only signs): DOMAIN.md rule 4 then forces `failed`.
    public var confirmed: Bool?
    public var campaign: String?
    public init(unit: String, reasons: [String], note: String, confirmed: Bool? = nil, campaign: String? = nil) {
        self.unit = unit
        self.reasons = reasons
        self.note = note
        self.confirmed = confirmed
        self.campaign = campaign
    }
}

public struct FlagResult: Codable, Sendable {
    public var flag: Int64
    public var unit: String
    /// The committee that directs the review (the unit's parent).
    public var owner: String?
    public var reviewDue: String
    public init(flag: Int64, unit: String, owner: String?, reviewDue: String) {
        self.flag = flag
        self.unit = unit
        self.owner = owner
        self.reviewDue = reviewDue
    }
}

public struct UnflagArgs: Codable, Sendable {
    public var unit: String
    public var note: String
    public init(unit: String, note: String) {
        self.unit = unit
        self.note = note
    }
}

public struct UnflagResult: Codable, Sendable {
    public var unit: String
    public var closed: [Int64]
    public init(unit: String, closed: [Int64]) {
        self.unit = unit
        self.closed = closed
    }
}

public struct RemediationAddArgs: Codable, Sendable {
    public var unit: String
    /// Absent: the plan's `remediation.due_in` from now.
    public var due: String?
    public var text: String
    public var member: String?
    public var campaign: String?
    public init(unit: String, due: String?, text: String, member: String? = nil, campaign: String? = nil) {
        self.unit = unit
        self.due = due
        self.text = text
        self.member = member
        self.campaign = campaign
    }
}

public struct RemediationListArgs: Codable, Sendable {
    public var unit: String?
    public var all: Bool?
    public init(unit: String? = nil, all: Bool? = nil) {
        self.unit = unit
        self.all = all
    }
}

public struct RemediationInfo: Codable, Sendable {
    public var id: Int64
    public var campaign: String
    public var unit: String
    public var member: String?
    public var text: String
    public var due: String
    public var done: String?
    public init(id: Int64, campaign: String, unit: String, member: String?, text: String, due: String, done: String?) {
        self.id = id
        self.campaign = campaign
        self.unit = unit
        self.member = member
        self.text = text
        self.due = due
        self.done = done
    }
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

/// `flag confirm UNIT`: the directed review concluded what the flag said.
public struct FlagConfirmArgs: Codable, Sendable {
    public var unit: String
    public var note: String
    public var campaign: String?
    public init(unit: String, note: String, campaign: String? = nil) {
        self.unit = unit
        self.note = note
        self.campaign = campaign
    }
}

/// `conclude MEMBER --reason …`: a competent conclusion about a member.
public struct ConcludeArgs: Codable, Sendable {
    public var member: String
    public var reasons: [String]
    public var note: String
    public var campaign: String?
    public init(member: String, reasons: [String], note: String, campaign: String? = nil) {
        self.member = member
        self.reasons = reasons
        self.note = note
        self.campaign = campaign
    }
}

public struct ConclusionResult: Codable, Sendable {
    public var conclusion: Int64
    public var kind: String
    public var subject: String
    public var reasons: [String]
    /// Ratings in force that the conclusion now contradicts: each must be annulled and re-decided.
    public var conflicts: [String]
    public init(conclusion: Int64, kind: String, subject: String, reasons: [String], conflicts: [String]) {
        self.conclusion = conclusion
        self.kind = kind
        self.subject = subject
        self.reasons = reasons
        self.conflicts = conflicts
    }
}

/// `suggest UNIT --file F`: the upper committee's written review suggestions for a unit.
public struct SuggestArgs: Codable, Sendable {
    public var unit: String
    public var name: String
    public var content: String
    public var campaign: String?
    public init(unit: String, name: String, content: String, campaign: String? = nil) {
        self.unit = unit
        self.name = name
        self.content = content
        self.campaign = campaign
    }
}

public struct SuggestionInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var unit: String
    /// The committee that wrote it (the unit's parent).
    public var author: String
    public var name: String
    public var text: String
    public var time: String
    public init(id: Int64, unit: String, author: String, name: String, text: String, time: String) {
        self.id = id
        self.unit = unit
        self.author = author
        self.name = name
        self.text = text
        self.time = time
    }
}
