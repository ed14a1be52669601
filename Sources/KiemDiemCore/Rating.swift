import Foundation

/// The four quality levels, for members and organizations alike (docs/rules.md, "Rating levels").
public enum RatingLevel: String, Codable, Sendable, CaseIterable, Comparable {
    case failed, completed, good, excellent

    var rank: Int {
        switch self {
        case .failed: 0
        case .completed: 1
        case .good: 2
        case .excellent: 3
        }
    }

    public static func < (a: RatingLevel, b: RatingLevel) -> Bool { a.rank < b.rank }

}

/// The reasons a unit can be flagged (docs/protocol.md, from the seed).
public enum FlagReason: String, Codable, Sendable, CaseIterable {
    case disunity, violation, groupInterest = "group-interest", corruption, negativity, publicOutrage = "public-outrage"
    case degradation, selfEvolution = "self-evolution", selfTransformation = "self-transformation"

    /// docs/rules.md rule 4: a competent conclusion of disunity forces a collective's `failed`…
    public var forcesFailureOfCollective: Bool { self == .disunity }
    /// …and one of degradation, "self-evolution" or "self-transformation" a member's.
    public var forcesFailureOfMember: Bool { [.degradation, .selfEvolution, .selfTransformation].contains(self) }

    public func forcesFailure(of kind: RatingEntry.Kind) -> Bool {
        kind == .unit ? forcesFailureOfCollective : forcesFailureOfMember
    }

}

/// Who records a rating (docs/rules.md, "The process"): a cell *proposes* its members' levels and a
/// collective rates itself; the competent upper level *decides*. Both are stored; the rules read
/// the decided level where there is one, else the proposed one.
public enum RatingStatus: String, Codable, Sendable, CaseIterable, Comparable {
    case proposed, decided

    public static func < (a: RatingStatus, b: RatingStatus) -> Bool { a == .proposed && b == .decided }

}

/// A rating of a member or a unit: its level, whether it is proposed or decided, whether it
/// carries a commendation, and under Quy định 366-QĐ/TW its score and task figures.
public struct RatingEntry: Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case member, unit }
    public var subject: String
    public var kind: Kind
    public var status: RatingStatus
    public var level: RatingLevel
    public var commendation: Bool
    public var note: String?
    /// The 100-point score (qd366-2025).
    public var score: Double?
    /// Percent of assigned tasks done on time with quality, and done beyond the requirement (qd366-2025).
    public var onTime: Double?
    public var beyond: Double?
    /// The line of the file it came from (0 for ratings already stored).
    public var line: Int
    /// The order it was recorded in (the stored row's id; 0 for one being recorded now, the
    /// latest): a quota broken by later facts blames the latest decisions.
    public var order: Int64 = 0

    /// Sorts older first; ratings being recorded now come last, in file order.
    public var recency: (Int64, Int) { (order == 0 ? Int64.max : order, line) }

    public init(subject: String, kind: Kind, level: RatingLevel, status: RatingStatus = .decided, commendation: Bool = false,
                note: String? = nil, score: Double? = nil, onTime: Double? = nil, beyond: Double? = nil, line: Int = 0) {
        self.subject = subject
        self.kind = kind
        self.status = status
        self.level = level
        self.commendation = commendation
        self.note = note
        self.score = score
        self.onTime = onTime
        self.beyond = beyond
        self.line = line
    }

    public var key: RatingKey { RatingKey(kind, subject) }
    public var ref: RatingRef { RatingRef(kind: kind, subject: subject, status: status) }
}

/// A subject of the rules: one member or one unit.
public struct RatingKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var kind: RatingEntry.Kind
    public var subject: String
    public init(_ kind: RatingEntry.Kind, _ subject: String) {
        self.kind = kind
        self.subject = subject
    }
    public static func < (a: RatingKey, b: RatingKey) -> Bool { (a.kind.rawValue, a.subject) < (b.kind.rawValue, b.subject) }
    public var description: String { "\(kind.rawValue):\(subject)" }
}

/// One stored rating: a subject's proposed or decided level.
public struct RatingRef: Hashable, Sendable, Codable, Comparable {
    public var kind: RatingEntry.Kind
    public var subject: String
    public var status: RatingStatus
    public init(kind: RatingEntry.Kind, subject: String, status: RatingStatus) {
        self.kind = kind
        self.subject = subject
        self.status = status
    }
    public var key: RatingKey { RatingKey(kind, subject) }
    public static func < (a: RatingRef, b: RatingRef) -> Bool { (a.key, a.status) < (b.key, b.status) }
}

/// A rule broken by a rating file: the rule, the subjects and the numbers, for people.
public struct RatingFinding: Sendable, Equatable, Codable {
    /// The rule broken, as docs/rules.md numbers them.
    public var rule: String
    /// The unit whose topic the finding is published on.
    public var unit: String
    public var subjects: [String]
    public var message: String
    public var line: Int?
    /// The stored ratings that break the rule: what annulling with `--cascade` removes.
    public var blame: [RatingRef]

    public init(rule: String, unit: String, subjects: [String], message: String, line: Int? = nil, blame: [RatingRef] = []) {
        self.rule = rule
        self.unit = unit
        self.subjects = subjects
        self.message = message
        self.line = line
        self.blame = blame
    }

    /// Identity across two states: the same rule broken by the same ratings at the same unit,
    /// whatever the numbers in the message. (A proposal already in conflict does not let the
    /// decision that follows it through: the ratings blamed are part of the identity.)
    /// A quota finding is the same finding while the same ratings are `excellent`, whichever of
    /// them it names to annul; a fact's finding (a discipline, a conclusion) is the same whether
    /// it meets the subject's decision or, once that is annulled to be re-decided, its proposal.
    public var identity: String {
        "\(rule)|\(unit)|\(subjects.joined(separator: ","))|" + (rule.hasSuffix("quota") || rule == "disciplined" || rule == "conclusion" ? [] : blame).map { "\($0.kind.rawValue):\($0.subject):\($0.status.rawValue)" }.sorted().joined(separator: ",")
    }
}
