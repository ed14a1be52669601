import Foundation

/// A campaign plan (docs/protocol.md, "Campaign plan"). Instants are absolute; durations in seconds.
public struct Plan: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var root: String
    public var year: Int
    public var opens: Date
    public var timeZone: String
    public var ruleset: Ruleset
    /// The cap on `excellent` (rule 1); nil with `quota: none`.
    public var quota: Quota?
    public var stages: [Stage]
    public var escalation: Escalation?
    public var directedReviewDueIn: Int64?
    public var remediationDueIn: Int64?
    public var documents: [String]
    /// `directed_review.rating`: a flagged unit's decided rating while its directed review is
    /// open is refused (nil: the default) or accepted with a warning. Optional in stored plans.
    public var directedReviewRating: DirectedReviewRating? = nil

    public var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(secondsFromGMT: 0)! }

    public func stage(_ id: String) -> Stage? { stages.first { $0.id == id } }

    /// The instant by which every stage is due: the campaign's end.
    public var lastDue: Date { stages.map(\.due).max() ?? opens }
}

/// What `rate` does with a flagged unit's decision while the review its upper committee directs
/// is not held: the upper committee "may verify, inspect and re-rate", so by default it waits.
public enum DirectedReviewRating: String, Codable, Sendable, CaseIterable { case refuse, warn }

public enum Ruleset: String, Codable, Sendable, CaseIterable {
    case hd21 = "hd21-2019"
    case qd124 = "qd124-2023"
    case qd366 = "qd366-2025"
}

public struct Quota: Codable, Sendable, Equatable {
    public enum Denominator: String, Codable, Sendable { case good, goodOrBetter = "good-or-better" }
    public var share: Double
    public var denominator: Denominator
    public init(share: Double = 0.20, denominator: Denominator = .good) {
        self.share = share
        self.denominator = denominator
    }
}

/// Who a stage applies to: every member (tracked per member, announced per cell) or units of some kinds.
public enum StageScope: Codable, Sendable, Equatable {
    case members
    case units(Set<UnitKind>)

    public func applies(to kind: UnitKind) -> Bool {
        switch self {
        case .members: kind.holdsMembers
        case .units(let kinds): kinds.contains(kind)
        }
    }
}

public struct Stage: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var scope: StageScope
    public var due: Date
    public var opens: Date?
    public var after: [String]
    /// Lead times before `due`, longest first, in whole seconds: every interval of a plan
    /// (lead times, escalation steps and repeats) is whole seconds, the unit of `7d`, `12h` in
    /// its YAML and of the plan's JSON stored with the campaign (so it stays one unit, not `Duration`).
    public var reminders: [Int64]
    /// `study`: units record having studied the plan's documents (quán triệt); nil is a review stage.
    /// Optional so that plans stored before it existed still decode.
    public var kind: StageKind?
    /// `remind: [unit, members]` (member stages): whom reminders go to; nil is `[unit]`, the
    /// cell's letter listing its late members. Optional so that stored plans still decode.
    public var remind: [RemindTarget]?

    /// `ratings:` what must be recorded before a unit can complete the stage; nil takes the
    /// default of the stage's id (`RatingNeeds.default(for:)`), `ratings: none` needs nothing.
    /// Optional so that stored plans still decode.
    public var ratings: RatingNeeds?

    /// What completing the stage needs recorded.
    public var ratingNeeds: RatingNeeds { ratings ?? RatingNeeds.default(for: id) }

    public var isStudy: Bool { kind == .study }
    public var remindsUnit: Bool { remind?.contains(.unit) ?? true }
    public var remindsMembers: Bool { isMemberStage && remind?.contains(.members) == true }

    public init(id: String, title: String, scope: StageScope, due: Date, opens: Date? = nil, after: [String] = [], reminders: [Int64] = []) {
        self.id = id
        self.title = title
        self.scope = scope
        self.due = due
        self.opens = opens
        self.after = after
        self.reminders = reminders.sorted(by: >)
    }

    public var isMemberStage: Bool { scope == .members }
}

public enum StageKind: String, Codable, Sendable { case review, study }

/// The ratings a stage names (its title says who rates whom): a unit completes the stage only
/// when they are recorded, at least at the status given. `ownRating`: the unit's own (a
/// collective rates itself: proposed); `units`: every unit below it; `members`: every member
/// below it who is rated this year. A member whose decision must wait for a collective decided
/// later (the head of the unit itself or of a unit above it: "sau khi hoàn thành đánh giá, xếp
/// loại chất lượng tổ chức … thì đánh giá, xếp loại chất lượng người đứng đầu") needs only
/// their proposal here; they are decided at the stage of the committee above.
public struct RatingNeeds: Codable, Sendable, Equatable {
    public var ownRating: RatingStatus?
    public var units: RatingStatus?
    public var members: RatingStatus?

    public init(ownRating: RatingStatus? = nil, units: RatingStatus? = nil, members: RatingStatus? = nil) {
        self.ownRating = ownRating
        self.units = units
        self.members = members
    }

    enum CodingKeys: String, CodingKey { case ownRating = "self", units, members }

    public var isEmpty: Bool { self == RatingNeeds() }

    /// The stages of the process as the sample plans name them: the cell reviews and proposes,
    /// a sub-committee rates itself, the grassroots organization decides its cells and members,
    /// the bloc its grassroots organizations (and their heads). Other ids need nothing.
    public static func `default`(for stage: String) -> RatingNeeds {
        switch stage {
        case "cell-review": RatingNeeds(ownRating: .proposed, members: .proposed)
        case "sub-committee-review": RatingNeeds(ownRating: .proposed)
        case "grassroots-review": RatingNeeds(ownRating: .proposed, units: .decided, members: .decided)
        case "bloc-rating": RatingNeeds(units: .decided, members: .decided)
        default: RatingNeeds()
        }
    }
}

/// Who a member stage's reminders go to: the cell (its letter lists the late members), and/or
/// each late member with an address.
public enum RemindTarget: String, Codable, Sendable { case unit, members }

public struct Escalation: Codable, Sendable, Equatable {
    public enum Target: String, Codable, Sendable { case unit, parent, grandparent, root }
    public struct Step: Codable, Sendable, Equatable {
        /// After the deadline, in whole seconds (see `Stage.reminders`).
        public var after: Int64
        public var to: Target
        /// This step's own repeat interval (`repeat:` in the step), in whole seconds; 0: it does
        /// not repeat; nil: the ladder's `repeat`.
        public var repeatEvery: Int64?
        public init(after: Int64, to: Target, repeatEvery: Int64? = nil) {
            self.after = after
            self.to = to
            self.repeatEvery = repeatEvery
        }
    }
    public var ladder: [Step]
    /// In whole seconds (see `Stage.reminders`).
    public var repeatEvery: Int64?
    /// `notify_resolved`: when the unit completes, each committee an escalation went to gets a
    /// short notice. Optional in stored plans (loaded before the setting); on by default.
    public var notifyResolved: Bool?
    public var sendsResolved: Bool { notifyResolved ?? true }
    /// `above`: the body above the campaign's root (say, the provincial standing committee),
    /// which receives the steps that would climb past the root. Without it those steps are
    /// skipped: escalation stops at the root. Optional in stored plans.
    public var above: Above?

    /// The body above the root: not a unit of the tree, only a name and an address.
    public struct Above: Codable, Sendable, Equatable {
        public var name: String
        public var email: String?
        public var phone: String?
        public init(name: String, email: String? = nil, phone: String? = nil) {
            self.name = name
            self.email = email
            self.phone = phone
        }
    }

    /// The recipient id of a step sent to `above` (in the event's `to`, the escalation row's
    /// target and the job's recipient).
    public static let aboveRecipient = "above"
}
