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
    public var due: String
    public var text: String
    public var member: String?
    public var campaign: String?
    public init(unit: String, due: String, text: String, member: String? = nil, campaign: String? = nil) {
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
    public init(name: String, content: String, campaign: String? = nil) {
        self.name = name
        self.content = content
        self.campaign = campaign
    }
}

public struct RateResult: Codable, Sendable {
    public var campaign: String
    public var accepted: Int
    public init(campaign: String, accepted: Int) {
        self.campaign = campaign
        self.accepted = accepted
    }
}

public struct AnnulArgs: Codable, Sendable {
    public var subject: String
    /// member or unit
    public var kind: String
    public var reason: String
    public var campaign: String?
    public init(subject: String, kind: String, reason: String, campaign: String? = nil) {
        self.subject = subject
        self.kind = kind
        self.reason = reason
        self.campaign = campaign
    }
}

public struct AnnulResult: Codable, Sendable {
    public var subject: String
    public var kind: String
    public var annulled: String
    public init(subject: String, kind: String, annulled: String) {
        self.subject = subject
        self.kind = kind
        self.annulled = annulled
    }
}
