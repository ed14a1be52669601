import Foundation

/// `audit`: The audit log: who changed what, when.
public enum Audit: ControlCommand {
    public typealias Args = AuditArgs
    public typealias Result = [AuditEntry]
    public static let name = "audit"
    public static let roles: Set<Role> = [.admin]
}

public struct AuditArgs: Codable, Sendable {
    /// Only entries at or after this instant (ISO 8601).
    public var since: String?
    public var limit: Int?
    public init(since: String? = nil, limit: Int? = nil) {
        self.since = since
        self.limit = limit
    }
}

public struct AuditEntry: Codable, Sendable {
    public var time: String
    public var actor: String
    public var role: String
    public var command: String
    public var args: String
    public var result: String
    public init(time: String, actor: String, role: String, command: String, args: String, result: String) {
        self.time = time
        self.actor = actor
        self.role = role
        self.command = command
        self.args = args
        self.result = result
    }
}
