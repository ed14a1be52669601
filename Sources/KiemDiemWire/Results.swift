import Foundation

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

public struct ClockInfo: Codable, Sendable {
    public var mode: String
    public var now: String
    public var timezone: String
    /// Events stored by the move (clock.advance / clock.set).
    public var fired: Int?
    public init(mode: String, now: String, timezone: String, fired: Int? = nil) {
        self.mode = mode
        self.now = now
        self.timezone = timezone
        self.fired = fired
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

public struct CampaignInfo: Codable, Sendable {
    public var id: String
    public var title: String
    public var root: String
    public var ruleset: String
    public var status: String
    public var opens: String
    public var ends: String
    public var next: String?
    public var stages: Int
    public init(id: String, title: String, root: String, ruleset: String, status: String, opens: String, ends: String, next: String?, stages: Int) {
        self.id = id
        self.title = title
        self.root = root
        self.ruleset = ruleset
        self.status = status
        self.opens = opens
        self.ends = ends
        self.next = next
        self.stages = stages
    }
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

public struct ImportResult: Codable, Sendable {
    public var added: Int
    public var updated: Int
    public var total: Int
    public init(added: Int, updated: Int, total: Int) {
        self.added = added
        self.updated = updated
        self.total = total
    }
}

/// Progress of one stage over a set of units.
public struct StageProgress: Codable, Sendable {
    public var stage: String
    public var title: String
    public var scope: String
    public var opens: String
    public var due: String
    /// Units (or, for a member stage, members) it applies to, how many completed, how many are late.
    public var total: Int
    public var completed: Int
    public var overdue: Int
    public init(stage: String, title: String, scope: String, opens: String, due: String, total: Int, completed: Int, overdue: Int) {
        self.stage = stage
        self.title = title
        self.scope = scope
        self.opens = opens
        self.due = due
        self.total = total
        self.completed = completed
        self.overdue = overdue
    }
}

public struct CampaignDetail: Codable, Sendable {
    public var campaign: CampaignInfo
    public var stages: [StageProgress]
    public init(campaign: CampaignInfo, stages: [StageProgress]) {
        self.campaign = campaign
        self.stages = stages
    }
}

public struct DoneResult: Codable, Sendable {
    public var campaign: String
    public var stage: String
    public var unit: String
    public var member: String?
    /// What this request completed: member ids and/or the unit.
    public var completedMembers: Int
    public var unitCompleted: Bool
    public var alreadyDone: Bool
    public init(campaign: String, stage: String, unit: String, member: String?, completedMembers: Int, unitCompleted: Bool, alreadyDone: Bool) {
        self.campaign = campaign
        self.stage = stage
        self.unit = unit
        self.member = member
        self.completedMembers = completedMembers
        self.unitCompleted = unitCompleted
        self.alreadyDone = alreadyDone
    }
}

public struct ExtendResult: Codable, Sendable {
    public var campaign: String
    public var stage: String
    public var unit: String
    public var due: String
    public init(campaign: String, stage: String, unit: String, due: String) {
        self.campaign = campaign
        self.stage = stage
        self.unit = unit
        self.due = due
    }
}

public struct OverdueItem: Codable, Sendable {
    public var campaign: String
    public var stage: String
    public var unit: String
    public var name: String
    public var path: String
    public var due: String
    /// For a member stage: how many of the cell's members have not finished.
    public var lateMembers: Int?
    public init(campaign: String, stage: String, unit: String, name: String, path: String, due: String, lateMembers: Int?) {
        self.campaign = campaign
        self.stage = stage
        self.unit = unit
        self.name = name
        self.path = path
        self.due = due
        self.lateMembers = lateMembers
    }
}

public struct OverdueResult: Codable, Sendable {
    public var items: [OverdueItem]
    /// True when the list was cut at its limit.
    public var truncated: Bool
    public var total: Int
    public init(items: [OverdueItem], truncated: Bool, total: Int) {
        self.items = items
        self.truncated = truncated
        self.total = total
    }
}

public struct ReportResult: Codable, Sendable {
    public var campaign: String
    public var unit: String
    public var name: String
    public var asOf: String
    public var stages: [StageProgress]
    /// Open flags in the subtree, with their directed reviews.
    public var flags: [FlagInfo]?
    /// Ratings in force in the subtree, by level, and the quota per grassroots organization.
    public var ratings: RatingSummary?
    public var openRemediation: Int?
    public var overdueRemediation: Int?
    /// Open shortcomings found by earlier campaigns' reviews (under qd366-2025 they bar `excellent`).
    public var earlierRemediation: [RemediationInfo]?
    /// Ratings in force that a later fact contradicts (discipline, a conclusion): to annul and re-decide.
    public var conflicts: [RatingConflict]?
    /// The upper committees' written review suggestions in the subtree.
    public var suggestions: [SuggestionInfo]?
    /// The same figures for each unit one level down.
    public var children: [ChildReport]?
    public init(campaign: String, unit: String, name: String, asOf: String, stages: [StageProgress]) {
        self.campaign = campaign
        self.unit = unit
        self.name = name
        self.asOf = asOf
        self.stages = stages
    }
}

public struct RatingConflict: Codable, Sendable, Equatable {
    public var rule: String
    public var unit: String
    public var subjects: [String]
    public var message: String
    public init(rule: String, unit: String, subjects: [String], message: String) {
        self.rule = rule
        self.unit = unit
        self.subjects = subjects
        self.message = message
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

public struct QuotaLine: Codable, Sendable {
    public var unit: String
    public var excellent: Int
    public var good: Int
    public var allowed: Int
    /// Members decided so far, of all the organization's members (in the group, under qd124-2023).
    public var decided: Int?
    public var total: Int?
    public var group: String?
    public init(unit: String, excellent: Int, good: Int, allowed: Int, decided: Int? = nil, total: Int? = nil, group: String? = nil) {
        self.unit = unit
        self.excellent = excellent
        self.good = good
        self.allowed = allowed
        self.decided = decided
        self.total = total
        self.group = group
    }
}

public struct RatingSummary: Codable, Sendable {
    public var members: [String: Int]
    public var units: [String: Int]
    public var quota: [QuotaLine]
    public init(members: [String: Int], units: [String: Int], quota: [QuotaLine]) {
        self.members = members
        self.units = units
        self.quota = quota
    }
}

public struct ChildReport: Codable, Sendable {
    public var unit: String
    public var name: String
    public var kind: String
    public var completed: Int
    public var total: Int
    public var overdue: Int
    public var flags: Int
    public var openRemediation: Int
    public init(unit: String, name: String, kind: String, completed: Int, total: Int, overdue: Int, flags: Int, openRemediation: Int) {
        self.unit = unit
        self.name = name
        self.kind = kind
        self.completed = completed
        self.total = total
        self.overdue = overdue
        self.flags = flags
        self.openRemediation = openRemediation
    }
}

public struct EventsResult: Codable, Sendable {
    public var events: [EventBody]
    /// The latest seq stored, so a client knows whether to ask again.
    public var lastSeq: Int64
    public var more: Bool
    public init(events: [EventBody], lastSeq: Int64, more: Bool) {
        self.events = events
        self.lastSeq = lastSeq
        self.more = more
    }
}

public struct PreviewResult: Codable, Sendable {
    public var from: String
    public var until: String
    public var events: [EventBody]
    public init(from: String, until: String, events: [EventBody]) {
        self.from = from
        self.until = until
        self.events = events
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

public struct ReloadResult: Codable, Sendable {
    public var authorizedKeys: Int
    public init(authorizedKeys: Int) { self.authorizedKeys = authorizedKeys }
}

public struct SecurityInfo: Codable, Sendable {
    public var curve: Bool
    public var curveEvents: Bool
    public init(curve: Bool, curveEvents: Bool) {
        self.curve = curve
        self.curveEvents = curveEvents
    }
}
