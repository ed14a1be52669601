import Foundation

/// The levels of the organization tree (docs/rules.md, "The organization tree").
public enum UnitKind: String, Codable, Sendable, CaseIterable {
    case bloc
    case grassrootsCommittee = "grassroots-committee"
    case grassrootsCell = "grassroots-cell"
    case subCommittee = "sub-committee"
    case cell

    /// Units that hold members directly.
    public var holdsMembers: Bool { self == .cell || self == .grassrootsCell }

    /// Grassroots organizations are the scope of the rating quota and the units the bloc rates.
    public var isGrassroots: Bool { self == .grassrootsCommittee || self == .grassrootsCell }

    /// Which kinds may sit directly under this one.
    public var allowedChildren: Set<UnitKind> {
        switch self {
        case .bloc: [.grassrootsCommittee, .grassrootsCell]
        case .grassrootsCommittee: [.subCommittee, .cell]
        case .subCommittee: [.cell]
        case .grassrootsCell, .cell: []
        }
    }

}

public enum MemberRole: String, Codable, Sendable, CaseIterable {
    case secretary, deputy, committee, member
}

/// A party organization: one node of the tree.
public struct OrgUnit: Codable, Sendable, Equatable {
    public var id: String
    public var parent: String?
    public var kind: UnitKind
    public var name: String
    public var head: String?
    public var email: String?
    /// The collective was disciplined (its leadership collective, under the rules' wording).
    public var discipline: Discipline?
    /// For an SMS bridge (a webhook): digits with an optional leading `+`.
    public var phone: String?

    public init(id: String, parent: String?, kind: UnitKind, name: String, head: String? = nil, email: String? = nil, discipline: Discipline? = nil,
                phone: String? = nil) {
        self.id = id
        self.parent = parent
        self.kind = kind
        self.name = name
        self.head = head
        self.email = email
        self.discipline = discipline
        self.phone = phone
    }

}

/// Discipline in the campaign year: on a known date, or in a year not given (`true` in a file).
public enum Discipline: Codable, Sendable, Equatable {
    case undated
    case on(String) // YYYY-MM-DD

    public enum Parsed: Equatable {
        case value(Discipline?)
        case invalid(reason: String)
    }

    /// Parses the `disciplined` column: `true`/`false` (also yes/no, 1/0, empty) or a date.
    public static func parse(_ text: String) -> Parsed {
        if text.isEmpty { return .value(nil) } // most rows: no case folding to pay for
        switch text.lowercased() {
        case "true", "yes", "1": return .value(.undated)
        case "false", "no", "0", "": return .value(nil)
        default:
            guard Instant.isDate(text) else { return .invalid(reason: "disciplined must be true, false or a date YYYY-MM-DD, not '\(text.prefix(40))'") }
            return .value(.on(text))
        }
    }

    /// Whether it counts in a campaign of `year`: an undated discipline counts in every campaign.
    public func counts(inYear year: Int) -> Bool {
        switch self {
        case .undated: true
        case .on(let d): d.hasPrefix("\(year)-")
        }
    }

    /// The stored form: `true` or the date.
    public var text: String {
        switch self {
        case .undated: "true"
        case .on(let d): d
        }
    }
}

/// A party member (đảng viên); belongs to exactly one cell.
public struct Member: Codable, Sendable, Equatable {
    public var id: String
    public var unit: String
    public var name: String
    public var role: MemberRole
    public var email: String?
    public var discipline: Discipline?
    public var disciplined: Bool { discipline != nil }
    public var phone: String?
    /// Not rated this year, and why (the members file's `exempt` column): "miễn công tác và sinh
    /// hoạt đảng", "đình chỉ sinh hoạt đảng", "mới kết nạp chưa đủ 6 tháng".
    public var exempt: String?
    /// Left the organization (the members file's `left` column: a date or a reason): kept, with
    /// their history, but no longer in the tree the rules and the stages read.
    public var left: String?

    public init(id: String, unit: String, name: String, role: MemberRole, email: String? = nil, discipline: Discipline? = nil, phone: String? = nil,
                exempt: String? = nil, left: String? = nil) {
        self.exempt = exempt
        self.left = left
        self.id = id
        self.unit = unit
        self.name = name
        self.role = role
        self.email = email
        self.discipline = discipline
        self.phone = phone
    }
}

/// A phone number as a file gives it: digits, with an optional leading `+` and spaces, dots or
/// dashes between groups; stored as `+` and digits only.
public enum Phone {
    public static func normalized(_ text: String) -> String? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, t.count <= 24 else { return nil }
        var out = ""
        for (i, c) in t.enumerated() {
            if c == "+", i == 0 { out.append(c) } else if c.isASCII, c.isNumber { out.append(c) } else if !(c == " " || c == "." || c == "-") { return nil }
        }
        let digits = out.filter(\.isNumber).count
        return (8...15).contains(digits) ? out : nil
    }
}

/// Codes are the stable keys used in topics and commands.
public enum Code {
    public static func isValid(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 128 && s.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }
}
