import Foundation

/// `token.issue`: A token for the web page: it sees one unit's subtree (docs/dashboard.md).
public enum TokenIssue: ControlCommand {
    public typealias Args = TokenIssueArgs
    public typealias Result = TokenIssued
    public static let name = "token.issue"
    public static let mutates = true
}

/// `token.list`: The tokens issued, without their secrets.
public enum TokenList: ControlCommand {
    public typealias Args = NoArgs
    public typealias Result = [TokenInfo]
    public static let name = "token.list"
    public static let roles: Set<Role> = [.admin]
}

/// `token.revoke`: A token stops working at once.
public enum TokenRevoke: ControlCommand {
    public typealias Args = TokenIdArgs
    public typealias Result = TokenInfo
    public static let name = "token.revoke"
    public static let mutates = true
}

public struct TokenIssueArgs: Codable, Sendable {
    public var unit: String
    /// `observer` (reads) or `committee` (reads, acknowledges, marks done).
    public var role: String
    /// How long it works, e.g. `30d`.
    public var expires: String
    /// Whom it is for, shown by `token list`.
    public var label: String?
    public init(unit: String, role: String, expires: String, label: String? = nil) {
        self.unit = unit
        self.role = role
        self.expires = expires
        self.label = label
    }
}

public struct TokenIdArgs: Codable, Sendable {
    public var id: String
    public init(id: String) { self.id = id }
}

public struct TokenInfo: Codable, Sendable, Equatable {
    public var id: String
    public var unit: String
    public var role: String
    public var label: String
    public var issuedBy: String
    public var created: String
    public var expires: String
    public var revoked: String?
    public init(id: String, unit: String, role: String, label: String, issuedBy: String, created: String, expires: String, revoked: String? = nil) {
        self.id = id
        self.unit = unit
        self.role = role
        self.label = label
        self.issuedBy = issuedBy
        self.created = created
        self.expires = expires
        self.revoked = revoked
    }
}

public struct TokenIssued: Codable, Sendable {
    public var info: TokenInfo
    /// The secret, shown once: `ID.SECRET`.
    public var token: String
    /// The page's address that signs the holder in (when `http.listen` is set).
    public var link: String?
    public init(info: TokenInfo, token: String, link: String?) {
        self.info = info
        self.token = token
        self.link = link
    }
}
