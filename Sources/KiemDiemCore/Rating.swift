import Foundation

/// The four quality levels, for members and organizations alike (DOMAIN.md, "Rating levels").
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

    public var vietnamese: String {
        switch self {
        case .excellent: "Hoàn thành xuất sắc nhiệm vụ"
        case .good: "Hoàn thành tốt nhiệm vụ"
        case .completed: "Hoàn thành nhiệm vụ"
        case .failed: "Không hoàn thành nhiệm vụ"
        }
    }
}

/// The reasons a unit can be flagged (PRODUCT.md, from the seed).
public enum FlagReason: String, Codable, Sendable, CaseIterable {
    case disunity, violation, groupInterest = "group-interest", corruption, negativity, publicOutrage = "public-outrage"
    case degradation, selfEvolution = "self-evolution", selfTransformation = "self-transformation"

    /// DOMAIN.md rule 4: a competent conclusion of these forces `failed`.
    public var forcesFailure: Bool { [.disunity, .degradation, .selfEvolution, .selfTransformation].contains(self) }

    public var vietnamese: String {
        switch self {
        case .disunity: "mất đoàn kết"
        case .violation: "vi phạm nguyên tắc, quy định của Đảng, pháp luật của Nhà nước"
        case .groupInterest: "lợi ích nhóm"
        case .corruption: "tham nhũng"
        case .negativity: "tiêu cực"
        case .publicOutrage: "dư luận bức xúc"
        case .degradation: "suy thoái"
        case .selfEvolution: "tự diễn biến"
        case .selfTransformation: "tự chuyển hóa"
        }
    }
}

/// A proposed rating: a member or a unit, its level, whether it is proposed for commendation.
public struct RatingEntry: Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case member, unit }
    public var subject: String
    public var kind: Kind
    public var level: RatingLevel
    public var commendation: Bool
    public var note: String?
    /// The line of the file it came from (0 for ratings already stored).
    public var line: Int

    public init(subject: String, kind: Kind, level: RatingLevel, commendation: Bool = false, note: String? = nil, line: Int = 0) {
        self.subject = subject
        self.kind = kind
        self.level = level
        self.commendation = commendation
        self.note = note
        self.line = line
    }
}

/// A rule broken by a rating file: the rule, the subjects and the numbers, for people.
public struct RatingFinding: Sendable, Equatable, Codable {
    /// `quota`, `head-above-unit`, `disciplined`, `flagged-unit`, `excellent-unit`, `commendation`,
    /// `order-head`, `order-children`, `role-quota`: each cites a rule of DOMAIN.md.
    public var rule: String
    /// The unit whose topic the finding is published on.
    public var unit: String
    public var subjects: [String]
    public var message: String
    public var line: Int?

    public init(rule: String, unit: String, subjects: [String], message: String, line: Int? = nil) {
        self.rule = rule
        self.unit = unit
        self.subjects = subjects
        self.message = message
        self.line = line
    }
}
