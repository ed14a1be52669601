import Foundation

/// Version of the control and event contracts; bumped on incompatible change.
public let protocolVersion = 1
public let kiemdiemVersion = "0.1.0"

/// Every control command. The raw value is the `command` field of a request (docs/protocol.md).
public enum Command: String, Codable, Sendable, CaseIterable {
    case status
    case importUnits = "import.units"
    case importMembers = "import.members"
    case campaignLoad = "campaign.load"
    case campaignList = "campaign.list"
    case campaignShow = "campaign.show"
    case campaignPause = "campaign.pause"
    case campaignResume = "campaign.resume"
    case done
    case extend
    case overdue
    case report
    case events
    case clock
    case clockAdvance = "clock.advance"
    case clockSet = "clock.set"
    case preview
    case audit
    case reload
    case ack
    case jobs
    case jobsRetry = "jobs.retry"
    case flag
    case unflag
    case rate
    case rateAnnul = "rate.annul"
    case rateList = "rate.list"
    case flagConfirm = "flag.confirm"
    case conclude
    case suggest
    case remediationAdd = "remediation.add"
    case remediationDone = "remediation.done"
    case remediationList = "remediation.list"

    /// Commands that change stored state (audited, and refused to read-only roles later).
    public var mutates: Bool {
        switch self {
        case .importUnits, .importMembers, .campaignLoad, .campaignPause, .campaignResume, .done, .extend, .clockAdvance, .clockSet,
             .ack, .jobsRetry, .flag, .unflag, .rate, .rateAnnul, .remediationAdd, .remediationDone, .flagConfirm, .conclude, .suggest: true
        case .status, .campaignList, .campaignShow, .overdue, .report, .events, .clock, .preview, .audit, .jobs, .remediationList, .rateList: false
        // Changes no campaign data, but only an admin may trigger it (see Role.allows).
        case .reload: false
        }
    }
}

/// Error codes of an error reply.
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
    public init(id: String, command: Command, args: Args) {
        self.id = id
        self.command = command.rawValue
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

public struct NoArgs: Codable, Sendable { public init() {} }

// MARK: - Arguments

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

public struct DoneArgs: Codable, Sendable {
    public var unit: String
    public var stage: String
    public var member: String?
    public var campaign: String?
    public init(unit: String, stage: String, member: String? = nil, campaign: String? = nil) {
        self.unit = unit
        self.stage = stage
        self.member = member
        self.campaign = campaign
    }
}

public struct ExtendArgs: Codable, Sendable {
    public var unit: String
    public var stage: String
    public var until: String
    public var reason: String
    public var campaign: String?
    public init(unit: String, stage: String, until: String, reason: String, campaign: String? = nil) {
        self.unit = unit
        self.stage = stage
        self.until = until
        self.reason = reason
        self.campaign = campaign
    }
}

public struct UnitFilter: Codable, Sendable {
    public var unit: String?
    public var campaign: String?
    public init(unit: String? = nil, campaign: String? = nil) {
        self.unit = unit
        self.campaign = campaign
    }
}

public struct EventsArgs: Codable, Sendable {
    public var since: Int64
    public var topic: String?
    public var limit: Int?
    public init(since: Int64, topic: String? = nil, limit: Int? = nil) {
        self.since = since
        self.topic = topic
        self.limit = limit
    }
}

public struct DurationArgs: Codable, Sendable {
    public var duration: String
    public init(duration: String) { self.duration = duration }
}

public struct TimeArgs: Codable, Sendable {
    public var time: String
    public init(time: String) { self.time = time }
}

public struct PreviewArgs: Codable, Sendable {
    public var until: String
    public init(until: String) { self.until = until }
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
