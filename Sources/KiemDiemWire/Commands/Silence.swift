import Foundation

/// `silence.add`: Holds reminders and escalations for a unit's subtree (and one stage) until a
/// time; what falls due meanwhile goes out once when it ends, if the unit is still late.
public enum SilenceAdd: ControlCommand {
    public typealias Args = SilenceAddArgs
    public typealias Result = SilenceInfo
    public static let name = "silence.add"
    public static let mutates = true
}

/// `silence.list`: Silences in force (with `all`, ended ones too).
public enum SilenceList: ControlCommand {
    public typealias Args = SilenceListArgs
    public typealias Result = [SilenceInfo]
    public static let name = "silence.list"
}

/// `silence.expire`: Ends a silence now: what it held goes out, as at its end.
public enum SilenceExpire: ControlCommand {
    public typealias Args = IdArgs
    public typealias Result = SilenceInfo
    public static let name = "silence.expire"
    public static let mutates = true
}

public struct SilenceAddArgs: Codable, Sendable {
    public var unit: String
    public var stage: String?
    /// An instant (ISO 8601) or a date (`2022-11-30`: its start, in the plan's zone).
    public var until: String
    public var reason: String
    public var campaign: String?
    public init(unit: String, stage: String? = nil, until: String, reason: String, campaign: String? = nil) {
        self.unit = unit
        self.stage = stage
        self.until = until
        self.reason = reason
        self.campaign = campaign
    }
}

public struct SilenceListArgs: Codable, Sendable {
    public var all: Bool?
    public init(all: Bool? = nil) { self.all = all }
}

public struct SilenceInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var campaign: String
    public var unit: String
    public var stage: String?
    public var until: String
    public var reason: String
    public var by: String
    public var created: String
    public var ended: String?
    /// Notifications it holds now.
    public var held: Int
    public init(id: Int64, campaign: String, unit: String, stage: String?, until: String, reason: String, by: String, created: String, ended: String?, held: Int) {
        self.id = id
        self.campaign = campaign
        self.unit = unit
        self.stage = stage
        self.until = until
        self.reason = reason
        self.by = by
        self.created = created
        self.ended = ended
        self.held = held
    }
}
