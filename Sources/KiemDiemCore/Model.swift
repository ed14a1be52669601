import Foundation

/// The levels of the organization tree (DOMAIN.md, "The organization tree").
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

    /// Vietnamese name of the level, for people.
    public var vietnamese: String {
        switch self {
        case .bloc: "Đảng ủy Khối"
        case .grassrootsCommittee: "Đảng bộ cơ sở"
        case .grassrootsCell: "Chi bộ cơ sở"
        case .subCommittee: "Đảng bộ bộ phận"
        case .cell: "Chi bộ"
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

    public init(id: String, parent: String?, kind: UnitKind, name: String, head: String? = nil, email: String? = nil) {
        self.id = id
        self.parent = parent
        self.kind = kind
        self.name = name
        self.head = head
        self.email = email
    }
}

/// A party member (đảng viên); belongs to exactly one cell.
public struct Member: Codable, Sendable, Equatable {
    public var id: String
    public var unit: String
    public var name: String
    public var role: MemberRole
    public var email: String?
    public var disciplined: Bool

    public init(id: String, unit: String, name: String, role: MemberRole, email: String? = nil, disciplined: Bool = false) {
        self.id = id
        self.unit = unit
        self.name = name
        self.role = role
        self.email = email
        self.disciplined = disciplined
    }
}

/// Codes are the stable keys used in topics and commands.
public enum Code {
    public static func isValid(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 128 && s.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }
}
