import Foundation

/// `reload`: Re-reads the authorized keys.
public enum Reload: ControlCommand {
    public typealias Args = NoArgs
    public typealias Result = ReloadResult
    public static let name = "reload"
    /// Changes no campaign data, but only an admin may trigger it, and it is audited.
    public static let roles: Set<Role> = [.admin]
    public static let audited = true
}

public struct ReloadResult: Codable, Sendable {
    public var authorizedKeys: Int
    public init(authorizedKeys: Int) { self.authorizedKeys = authorizedKeys }
}
