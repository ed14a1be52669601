import Foundation

/// `report`: A unit's progress, flags, ratings and its children, per campaign.
public enum Report: ControlCommand {
    public typealias Args = UnitFilter
    public typealias Result = [ReportResult]
    public static let name = "report"
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
    /// Silences in force over the unit or its subtree.
    public var silences: [SilenceInfo]?
    /// With `names` asked (and in `view`): the plan's title, and the name of each unit and member
    /// the report gives by id (flags, quota, conflicts, remediation, suggestions, silences).
    public var campaignTitle: String?
    public var names: [String: String]?
    /// With `names`: the plan's `quota.share` (nil with `quota: none`), for the quota's heading.
    public var quotaShare: Double?
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
    /// Decided ratings carrying a commendation proposal (`rate commend`): `members`, `units`;
    /// absent when there is none.
    public var commended: [String: Int]?
    public init(members: [String: Int], units: [String: Int], quota: [QuotaLine], commended: [String: Int]? = nil) {
        self.members = members
        self.units = units
        self.quota = quota
        self.commended = commended
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
    /// Per stage, in the report's order: [completed, total, overdue]. In `view` only (the page
    /// draws a bar per stage); `report` leaves it out, its rows stay small at a wide level.
    public var stages: [[Int]]?
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

/// A result whose reply is written faster than JSONEncoder writes it, and byte for byte the same.
public protocol FastReply {
    func reply(id: String?) throws -> Data
}

extension WireJSON {
    /// The reply to a request: `result.reply(id:)` when it has a faster way, JSONEncoder otherwise.
    public static func reply<R: Codable & Sendable>(id: String?, result: R) throws -> Data {
        if let fast = result as? any FastReply { return try fast.reply(id: id) }
        return try encoder().encode(Reply(id: id, result: result))
    }
}

/// `report` and `view` at a national root list 104,500 children: JSONEncoder took 0.65 s for
/// them (it sorts each object's keys, case-insensitively, on every call), as long as reading
/// them. So the children are written by hand (`JSONBytes`) and spliced into what JSONEncoder
/// writes for the rest of the reply with an empty list in their place. `ReportReplyTests`
/// compares the bytes with JSONEncoder's on random reports.
extension Array: FastReply where Element == ReportResult {
    public func reply(id: String?) throws -> Data {
        var shell = self
        for i in shell.indices where shell[i].children != nil { shell[i].children = [] }
        let encoded = try WireJSON.encoder().encode(Reply(id: id, result: shell))
        // Each `"children":[]` in order is a result's list, in order: a JSON string holds no
        // unescaped quote, so the bytes cannot come from a name or a message.
        let marker = [UInt8](#""children":[]"#.utf8)
        var out = JSONBytes(capacity: encoded.count + self.reduce(0) { $0 + ($1.children?.count ?? 0) * 160 })
        var rest = encoded[...]
        for result in self {
            guard let children = result.children else { continue }
            guard let at = rest.firstRange(of: marker) else { return encoded } // cannot happen; the plain reply is still right
            out.raw(bytes: rest[..<at.lowerBound])
            out.raw(#""children":["#)
            for (i, c) in children.enumerated() {
                if i > 0 { out.raw(",") }
                out.object {
                    $0.field("completed", c.completed)
                    $0.field("flags", c.flags)
                    $0.field("kind", c.kind)
                    $0.field("name", c.name)
                    $0.field("openRemediation", c.openRemediation)
                    $0.field("overdue", c.overdue)
                    $0.field("stages", ints: c.stages)
                    $0.field("total", c.total)
                    $0.field("unit", c.unit)
                }
            }
            out.raw("]")
            rest = rest[at.upperBound...]
        }
        out.raw(bytes: rest)
        return Data(out.bytes)
    }
}
