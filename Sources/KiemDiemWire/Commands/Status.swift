import Foundation

/// `status`: Version, clock, endpoints, campaigns, counts, open flags and the last seq.
public enum Status: ControlCommand {
    public typealias Args = NoArgs
    public typealias Result = StatusResult
    public static let name = "status"
}

public struct StatusResult: Codable, Sendable {
    public var version: String
    public var protocolVersion: Int
    public var clock: ClockInfo
    public var endpoints: Endpoints
    public var campaigns: [CampaignInfo]
    public var counts: Counts
    public var workers: Int
    public var lastSeq: Int64
    public var security: SecurityInfo?
    /// Units flagged and not yet unflagged, with their directed reviews.
    public var flags: [FlagInfo]?
    /// Why changes are refused now (the database cannot be written: a full disk); absent when
    /// they are taken.
    public var storage: String?
    /// Silences in force: reminders and escalations held (`silence list`).
    public var silences: [SilenceInfo]?
    public init(version: String, protocolVersion: Int, clock: ClockInfo, endpoints: Endpoints, campaigns: [CampaignInfo], counts: Counts, workers: Int, lastSeq: Int64, security: SecurityInfo?) {
        self.security = security
        self.version = version
        self.protocolVersion = protocolVersion
        self.clock = clock
        self.endpoints = endpoints
        self.campaigns = campaigns
        self.counts = counts
        self.workers = workers
        self.lastSeq = lastSeq
    }
}

public struct Counts: Codable, Sendable {
    public var units: Int
    public var cells: Int
    public var members: Int
    public var events: Int
    public init(units: Int, cells: Int, members: Int, events: Int) {
        self.units = units
        self.cells = cells
        self.members = members
        self.events = events
    }
}

public struct FlagInfo: Codable, Sendable {
    public var id: Int64
    public var unit: String
    public var reasons: [String]
    public var confirmed: Bool
    public var reviewDue: String
    public var reviewHeld: Bool
    public init(id: Int64, unit: String, reasons: [String], confirmed: Bool, reviewDue: String, reviewHeld: Bool) {
        self.id = id
        self.unit = unit
        self.reasons = reasons
        self.confirmed = confirmed
        self.reviewDue = reviewDue
        self.reviewHeld = reviewHeld
    }
}

public struct Endpoints: Codable, Sendable, Equatable {
    public var control: String
    public var events: String
    public var jobs: String
    public init(control: String, events: String, jobs: String) {
        self.control = control
        self.events = events
        self.jobs = jobs
    }
}

public struct SecurityInfo: Codable, Sendable {
    public var curve: Bool
    public var curveEvents: Bool
    public init(curve: Bool, curveEvents: Bool) {
        self.curve = curve
        self.curveEvents = curveEvents
    }
}
