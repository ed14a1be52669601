import Foundation

/// Where a job is in its life; the raw value is what the store and the `jobs` command show.
public enum JobState: String, Codable, Sendable, CaseIterable {
    /// Waiting for a worker (again, after a failure, once its back-off ends).
    case pending
    /// Handed to a worker, which holds it until its lease runs out.
    case leased
    case done
    /// Failed for good, or out of attempts: waits for `jobs retry`.
    case dead
}

/// How a notification reaches its recipient; the raw value is the config's and the worker's name.
public enum Channel: String, Codable, Sendable, CaseIterable {
    /// A Maildir the operator reads or forwards.
    case spool
    case smtp
    case webhook
    /// The system's MTA (`sendmail -t -oi`, as postfix or msmtp-mta provide).
    case sendmail
}

/// Everything a worker needs to write one notification: the facts, already formatted for people.
/// The worker renders it with the templates of its channel.
public struct JobPayload: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case reminder, overdue, escalation, suggestion, resolved, digest }
    public var kind: Kind
    /// The event that caused the notification; with the recipient, the idempotency key.
    public var event: String
    public var key: String
    public var campaign: String
    public var campaignTitle: String
    public var stage: String
    public var stageTitle: String
    public var unit: String
    public var unitName: String
    public var unitPath: String
    public var recipient: String
    public var recipientName: String
    public var recipientEmail: String?
    /// For an SMS bridge: the recipient's `phone` from the tree files, when it has one.
    public var recipientPhone: String?
    public var due: String
    /// "trước ngày 25/11/2022"
    public var dueText: String
    /// Reminders: how long is left ("3 ngày"); escalations: how late ("7 ngày").
    public var leadText: String?
    public var lateText: String?
    public var level: Int?
    public var escalation: Int64?
    public var lateMembers: [String]?
    /// The item itself: a directed review's reasons, a remediation item's text, a suggestion.
    public var text: String?
    /// The committee that wrote a suggestion.
    public var authorName: String?
    public var time: String
    public var late: Bool?
    /// A signed link to the web page for the recipient (when the daemon serves it): an
    /// escalation's acknowledges it, a reminder's shows the case.
    public var link: String?
    /// A digest (`kind: digest`): the notifications it gathers, each as it would have gone alone,
    /// and the ids of the events that caused them.
    public var items: [JobPayload]?
    public var events: [String]?
    /// A reminder addressed to one late member (`remind: [members]`): the member's id; the
    /// recipient fields are the member's, `unit` is the member's cell.
    public var member: String?

    public init(kind: Kind, event: String, key: String, campaign: String, campaignTitle: String, stage: String, stageTitle: String,
                unit: String, unitName: String, unitPath: String, recipient: String, recipientName: String, recipientEmail: String?,
                due: String, dueText: String, time: String) {
        self.kind = kind
        self.event = event
        self.key = key
        self.campaign = campaign
        self.campaignTitle = campaignTitle
        self.stage = stage
        self.stageTitle = stageTitle
        self.unit = unit
        self.unitName = unitName
        self.unitPath = unitPath
        self.recipient = recipient
        self.recipientName = recipientName
        self.recipientEmail = recipientEmail
        self.due = due
        self.dueText = dueText
        self.time = time
    }
}

/// Messages on the jobs socket, one JSON frame each (docs/protocol.md, "Jobs socket").
/// worker → daemon: ready (with capacity), done, fail, heartbeat.
/// daemon → worker: job, heartbeat.
public struct JobsMessage: Codable, Sendable {
    public enum MessageType: String, Codable, Sendable { case ready, job, done, fail, heartbeat }
    public var type: MessageType
    /// ready: how many jobs the worker takes at once.
    public var capacity: Int?
    /// job, done, fail: the job's id.
    public var job: Int64?
    /// job: the idempotency key, the attempt (1-based), the channel and the payload.
    public var key: String?
    public var attempt: Int?
    public var channel: String?
    public var address: String?
    public var payload: JobPayload?
    /// fail: whether trying again can help, and why it failed.
    public var retry: Bool?
    public var error: String?
    /// ready: the worker's name for logs (the authenticated key name wins under CURVE).
    public var name: String?

    public init(type: MessageType) { self.type = type }

    public static func ready(capacity: Int, name: String) -> JobsMessage {
        var m = JobsMessage(type: .ready)
        m.capacity = capacity
        m.name = name
        return m
    }

    public static func done(_ job: Int64) -> JobsMessage {
        var m = JobsMessage(type: .done)
        m.job = job
        return m
    }

    public static func fail(_ job: Int64, retry: Bool, error: String) -> JobsMessage {
        var m = JobsMessage(type: .fail)
        m.job = job
        m.retry = retry
        m.error = error
        return m
    }
}
