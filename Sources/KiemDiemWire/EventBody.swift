import Foundation
import KiemDiemCore

/// Event types published on the events socket (docs/protocol.md, "Events").
public enum EventType: String, Codable, Sendable, CaseIterable {
    case stageOpened = "stage.opened"
    case deadlineReminder = "deadline.reminder"
    case deadlineOverdue = "deadline.overdue"
    case deadlineExtended = "deadline.extended"
    case stageCompleted = "stage.completed"
    case escalationRaised = "escalation.raised"
    case escalationAcknowledged = "escalation.acknowledged"
    /// The unit an escalation was about completed the stage: the committees it went to are told.
    case escalationResolved = "escalation.resolved"
    case silenceAdded = "silence.added"
    case silenceExpired = "silence.expired"
    case unitFlagged = "unit.flagged"
    case reviewDirected = "review.directed"
    case ratingRejected = "rating.rejected"
    case ratingAnnulled = "rating.annulled"
    case ratingConflict = "rating.conflict"
    /// A commendation proposal set or withdrawn on a decided rating (`rate commend`).
    case ratingCommended = "rating.commended"
    case reviewSuggested = "review.suggested"
    case remediationOverdue = "remediation.overdue"
    case campaignCompleted = "campaign.completed"
    case heartbeat
}

/// A member named in an event (a cell's late members).
public struct EventMember: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// The JSON body of an event. Optional fields are omitted when they do not apply.
public struct EventBody: Codable, Sendable, Equatable {
    public var seq: Int64
    public var id: String
    /// The type as sent. A String, so that a subscriber built against this release still decodes
    /// event types added later; code compares `eventType`.
    public var type: String
    public var time: String
    public var campaign: String?
    public var unit: String?
    public var path: String?
    public var stage: String?
    public var member: String?
    public var members: [EventMember]?
    public var due: String?
    public var lead: String?
    public var level: Int?
    public var to: String?
    public var escalation: Int64?
    public var reasons: [String]?
    public var rule: String?
    public var late: Bool?
    public var message: String?

    public init(seq: Int64 = 0, id: String, type: EventType, time: String) {
        self.seq = seq
        self.id = id
        self.type = type.rawValue
        self.time = time
    }

    /// The type, when it is one this release knows.
    public var eventType: EventType? { EventType(rawValue: type) }

    /// `deadline.overdue/duk/so-tai-chinh/` — one prefix subscription selects a type and a subtree.
    public static func topic(type: String, path: String?) -> String {
        "\(type)/\(path ?? "")"
    }
}

public enum WireJSON {
    /// Slashes unescaped: paths and topics are full of them.
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return e
    }

    public static func decoder() -> JSONDecoder { JSONDecoder() }
}
