import Foundation

/// Version of the control and event contracts; bumped on incompatible change.
public let protocolVersion = 1
public let kiemdiemVersion = "0.1.0"

/// A control command, declared once for the client and the daemon: its wire name (the
/// `command` field of a request, docs/protocol.md), its arguments and result, who may run it and
/// whether the audit log records it. Each command lives in its own file under `Commands/`; the
/// daemon's side (KiemDiemEngine/Commands) gives it a `run`.
public protocol ControlCommand: Sendable {
    associatedtype Args: Codable & Sendable
    associatedtype Result: Codable & Sendable
    static var name: String { get }
    /// Changes stored state: only an admin may run it, and the audit log records it.
    static var mutates: Bool { get }
    /// The roles that may run it (default: every role that may read when it does not mutate,
    /// admins only when it does). Workers use the jobs socket and run no command.
    static var roles: Set<Role> { get }
    /// Recorded in the audit log, whatever its outcome (default: when it mutates).
    static var audited: Bool { get }
}

extension ControlCommand {
    public static var mutates: Bool { false }
    public static var roles: Set<Role> { mutates ? [.admin] : [.admin, .observer, .committee] }
    public static var audited: Bool { mutates }
}

public enum ErrorCode: String, Codable, Sendable {
    case badRequest = "bad_request"          // not JSON, wrong shape or types
    case unknownCommand = "unknown_command"
    case invalidInput = "invalid_input"      // a file or argument that does not parse or validate
    case notFound = "not_found"
    case conflict                            // the state does not allow it (e.g. subtree not complete)
    case tooLarge = "too_large"
    case forbidden                           // the caller's role may not run the command
    case unauthenticated                     // the caller's key is no longer authorized
    case rejected                            // a rating file breaks the campaign's rules (details: the findings)
    case unavailable                         // the database cannot be written now (a full disk): changes are refused, reads go on
    case internalError = "internal"
}

public struct ErrorBody: Codable, Sendable, Equatable, Error {
    public var code: ErrorCode
    public var message: String
    /// Every finding when there are several (e.g. each bad CSV line).
    public var details: [String]?
    public init(_ code: ErrorCode, _ message: String, details: [String]? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }
}

public struct RequestHeader: Decodable, Sendable {
    public var id: String?
    public var command: String
}

public struct Request<Args: Codable & Sendable>: Codable, Sendable {
    public var id: String
    public var command: String
    public var args: Args
    public init(id: String, command: String, args: Args) {
        self.id = id
        self.command = command
        self.args = args
    }
}

public struct Reply<Result: Codable & Sendable>: Codable, Sendable {
    public var id: String?
    public var ok: Bool
    public var result: Result?
    public var error: ErrorBody?
    public init(id: String?, result: Result) {
        self.id = id
        self.ok = true
        self.result = result
    }
    public init(id: String?, error: ErrorBody) {
        self.id = id
        self.ok = false
        self.error = error
    }
}

/// The arguments of a command that takes none: `{}`.
public struct NoArgs: Codable, Sendable { public init() {} }

// MARK: - Arguments several commands share

/// A file sent whole in the request: import.units, import.members, campaign.load.
public struct FileArgs: Codable, Sendable {
    /// The file's name as the operator gave it, for error messages.
    public var name: String
    public var content: String
    public init(name: String, content: String) {
        self.name = name
        self.content = content
    }
}

public struct CampaignRef: Codable, Sendable {
    public var id: String
    public init(id: String) { self.id = id }
}

public struct UnitFilter: Codable, Sendable {
    public var unit: String?
    public var campaign: String?
    /// `report`: also the campaign's title and the names of the units and members the report
    /// mentions by id (`ReportResult.names`), for a table people read. Left out, the reply is as before.
    public var names: Bool?
    public init(unit: String? = nil, campaign: String? = nil, names: Bool? = nil) {
        self.unit = unit
        self.campaign = campaign
        self.names = names
    }
}
