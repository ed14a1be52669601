import Foundation

/// `rate.commend`: Sets (or withdraws) the commendation proposal on a subject's decided rating,
/// as an act of its own after the decision (rule 6: only `excellent` is commended).
public enum RateCommend: ControlCommand {
    public typealias Args = CommendArgs
    public typealias Result = CommendResult
    public static let name = "rate.commend"
    public static let mutates = true
}

public struct CommendArgs: Codable, Sendable {
    public var subject: String
    /// member or unit
    public var kind: String
    /// Why, for the record and the event (required).
    public var note: String
    /// Withdraw the commendation proposal instead of setting it.
    public var withdraw: Bool?
    public var campaign: String?
    public init(subject: String, kind: String, note: String, withdraw: Bool? = nil, campaign: String? = nil) {
        self.subject = subject
        self.kind = kind
        self.note = note
        self.withdraw = withdraw
        self.campaign = campaign
    }
}

public struct CommendResult: Codable, Sendable, Equatable {
    public var campaign: String
    public var subject: String
    public var kind: String
    /// The decided level (always `excellent` when commended).
    public var level: String
    /// The commendation proposal in force after the command.
    public var commendation: Bool
    /// False when it already was so (nothing stored, no event).
    public var changed: Bool
    public init(campaign: String, subject: String, kind: String, level: String, commendation: Bool, changed: Bool) {
        self.campaign = campaign
        self.subject = subject
        self.kind = kind
        self.level = level
        self.commendation = commendation
        self.changed = changed
    }
}
