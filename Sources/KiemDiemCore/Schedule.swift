import Foundation

/// What happens at a scheduled instant for one stage of one campaign.
public enum TriggerKind: Sendable, Equatable, Hashable {
    case opened
    case reminder(lead: Int64)
    case overdue
    /// Step `step` of the plan's escalation ladder; `round` 0 is the step itself, 1… its repeats.
    case escalation(step: Int, round: Int)

    fileprivate var order: Int {
        switch self {
        case .opened: 0
        case .reminder: 1
        case .overdue: 2
        case .escalation: 3
        }
    }

    /// Catch-up keeps the latest trigger of each class per stage and unit.
    fileprivate var catchUpClass: Int {
        switch self {
        case .opened: 0
        case .reminder, .overdue: 1
        case .escalation: 2
        }
    }
}

/// One instant of the schedule. `unit == nil` means "every unit of the stage that has no
/// deadline of its own"; a unit with an extended deadline gets triggers of its own.
/// The scheduler keeps one of these per stage and lead time, plus one set per extension: its
/// memory follows open deadlines, never the number of members.
public struct Trigger: Sendable, Equatable, Hashable {
    public var instant: Date
    public var stage: String
    public var stageIndex: Int
    public var kind: TriggerKind
    public var unit: String?
    /// The deadline this trigger is about.
    public var due: Date
    /// True when fired on catch-up after downtime (or after a pause).
    public var late: Bool = false
    /// A unit's own task (a directed review, a remediation item) rather than a plan stage.
    public var task: TaskRef? = nil
}

/// What a unit's own deadline is about: the directed review a flag calls for, or a remediation
/// item. Its text (`review-12`, `remediation-3`) is the task's part of event ids.
public enum TaskRef: Hashable, Sendable, CustomStringConvertible {
    case directedReview(flag: Int64)
    case remediation(Int64)

    public var kind: TaskDeadline.Kind {
        switch self {
        case .directedReview: .directedReview
        case .remediation: .remediation
        }
    }

    public var description: String {
        switch self {
        case .directedReview(let flag): "review-\(flag)"
        case .remediation(let id): "remediation-\(id)"
        }
    }
}

/// A deadline of one unit outside the plan's stages: a directed review of a flagged unit, or a
/// remediation item. It is overdue and escalates like a stage deadline.
public struct TaskDeadline: Sendable, Equatable {
    public enum Kind: String, Sendable { case directedReview = "directed-review", remediation }
    public var ref: TaskRef
    public var kind: Kind { ref.kind }
    public var unit: String
    public var due: Date

    public init(_ ref: TaskRef, unit: String, due: Date) {
        self.ref = ref
        self.unit = unit
        self.due = due
    }

    /// The stage-like shape the schedule uses for it (no reminders, no opening).
    public func stage(plan: Plan) -> Stage {
        Stage(id: kind.rawValue, title: Messages.taskTitle(kind),
              scope: .units(Set(UnitKind.allCases)), due: due)
    }
}

/// The schedule of one campaign: derived from the plan and the per-unit extensions, nothing else.
public struct Schedule: Sendable {
    public let plan: Plan
    /// (stage, unit) → extended deadline.
    public private(set) var extensions: [StageUnit: Date]

    public struct StageUnit: Hashable, Sendable {
        public var stage: String
        public var unit: String
        public init(stage: String, unit: String) {
            self.stage = stage
            self.unit = unit
        }
    }

    /// The key of one member's own deadline for a members stage, in place of a unit id:
    /// `cell#member` (ids never hold '#'). Its triggers fire for that member of that cell alone.
    public static func memberKey(cell: String, member: String) -> String { "\(cell)#\(member)" }

    /// A trigger's unit split into the cell and, for a member's own deadline, the member.
    public static func splitMemberKey(_ unit: String?) -> (unit: String?, member: String?) {
        guard let unit, let i = unit.firstIndex(of: "#") else { return (unit, nil) }
        return (String(unit[..<i]), String(unit[unit.index(after: i)...]))
    }

    /// Directed reviews and remediation items, by id.
    public private(set) var tasks: [TaskRef: TaskDeadline] = [:]

    public init(plan: Plan, extensions: [StageUnit: Date] = [:], tasks: [TaskDeadline] = []) {
        self.plan = plan
        self.extensions = extensions
        for t in tasks { self.tasks[t.ref] = t }
    }

    public mutating func add(_ task: TaskDeadline) { tasks[task.ref] = task }
    public mutating func removeTask(_ ref: TaskRef) { tasks[ref] = nil }

    public mutating func extend(stage: String, unit: String, until: Date) {
        extensions[StageUnit(stage: stage, unit: unit)] = until
    }

    /// When the stage opens for units: its own `opens`, else the campaign's.
    public func opening(of stage: Stage) -> Date { stage.opens ?? plan.opens }

    /// The triggers of one deadline with `from < instant <= to`. Escalation repeats are
    /// unbounded in time (until acknowledged or completed), so they are generated per window.
    private func triggers(for stage: Stage, index: Int, due: Date, unit: String?, from: Date, to: Date) -> [Trigger] {
        var out: [Trigger] = []
        func add(_ at: Date, _ kind: TriggerKind) {
            if at > from, at <= to { out.append(Trigger(instant: at, stage: stage.id, stageIndex: index, kind: kind, unit: unit, due: due)) }
        }
        let open = opening(of: stage)
        if unit == nil { add(open, .opened) }
        for lead in stage.reminders {
            let at = due.addingTimeInterval(TimeInterval(-lead))
            if at >= open { add(at, .reminder(lead: lead)) }
        }
        add(due, .overdue)
        guard let ladder = plan.escalation?.ladder, !ladder.isEmpty else { return out }
        for (k, step) in ladder.enumerated() {
            let start = due.addingTimeInterval(TimeInterval(step.after))
            add(start, .escalation(step: k, round: 0))
            guard let every = step.repeatEvery ?? plan.escalation?.repeatEvery, every > 0 else { continue }
            // The last step repeats until acknowledged or completed, but not for ever: it stops
            // `Schedule.escalationHorizon` after the later of this deadline and the campaign's end.
            let end = k + 1 < ladder.count ? due.addingTimeInterval(TimeInterval(ladder[k + 1].after))
                : max(due, plan.lastDue).addingTimeInterval(Schedule.escalationHorizon)
            // The first repeat after `from`, then every `every` seconds, before the next step.
            var round = max(1, Int((from.timeIntervalSince(start) / Double(every)).rounded(.down)))
            while true {
                let at = start.addingTimeInterval(TimeInterval(Int64(round) * every))
                if at >= end || at > to { break }
                add(at, .escalation(step: k, round: round))
                round += 1
            }
        }
        return out
    }

    /// Every trigger with `from < instant <= to`, in firing order.
    public func triggers(after from: Date, through to: Date) -> [Trigger] {
        guard to > from else { return [] }
        var out: [Trigger] = []
        for (i, stage) in plan.stages.enumerated() {
            out += triggers(for: stage, index: i, due: stage.due, unit: nil, from: from, to: to)
        }
        for (key, due) in extensions {
            guard let i = plan.stages.firstIndex(where: { $0.id == key.stage }) else { continue }
            out += triggers(for: plan.stages[i], index: i, due: due, unit: key.unit, from: from, to: to)
        }
        for task in tasks.values {
            out += triggers(for: task.stage(plan: plan), index: plan.stages.count, due: task.due, unit: task.unit, from: from, to: to)
                .map { var t = $0; t.task = task.ref; return t }
        }
        return out.sorted(by: Schedule.firingOrder)
    }

    /// How long after the campaign's end (or a later extended deadline) the last escalation step
    /// keeps repeating: 90 days.
    public static let escalationHorizon: TimeInterval = 90 * 86_400

    /// The last instant at which anything can fire.
    public var lastInstant: Date {
        let lastDue = ([plan.lastDue] + extensions.values + tasks.values.map(\.due)).max()!
        let ladder = plan.escalation?.ladder ?? []
        let repeats = ladder.contains { ($0.repeatEvery ?? plan.escalation?.repeatEvery ?? 0) > 0 }
        return ladder.isEmpty ? lastDue : lastDue.addingTimeInterval(!repeats
            ? TimeInterval(ladder.map(\.after).max()!) : max(TimeInterval(ladder.map(\.after).max()!), Schedule.escalationHorizon))
    }

    /// The first instant after `from` at which something fires, if any. Searches windows that
    /// double from a day, so the work stays small however far the next trigger is.
    public func nextInstant(after from: Date) -> Date? {
        let last = lastInstant
        guard last > from else { return nil }
        var span: TimeInterval = 86_400
        while true {
            let to = min(from.addingTimeInterval(span), last)
            if let first = triggers(after: from, through: to).first { return first.instant }
            if to >= last { return nil }
            span *= 2
        }
    }

    /// After downtime, what fell due fires once: per stage (and per extended unit) only the
    /// latest reminder-or-overdue, the latest escalation step, and the opening, each marked
    /// late (docs/protocol.md, Reliability).
    public static func collapsedForCatchUp(_ triggers: [Trigger]) -> [Trigger] {
        struct Key: Hashable { var stage: String; var unit: String?; var task: TaskRef?; var kindClass: Int }
        var latest: [Key: Trigger] = [:]
        for t in triggers {
            let k = Key(stage: t.stage, unit: t.unit, task: t.task, kindClass: t.kind.catchUpClass)
            if let cur = latest[k], firingOrder(t, cur) { continue }
            latest[k] = t
        }
        return latest.values.map { var t = $0; t.late = true; return t }.sorted(by: firingOrder)
    }

    public static func firingOrder(_ a: Trigger, _ b: Trigger) -> Bool {
        if a.instant != b.instant { return a.instant < b.instant }
        if a.stageIndex != b.stageIndex { return a.stageIndex < b.stageIndex }
        if a.kind.order != b.kind.order { return a.kind.order < b.kind.order }
        if (a.unit ?? "") != (b.unit ?? "") { return (a.unit ?? "") < (b.unit ?? "") }
        return (a.task?.description ?? "") < (b.task?.description ?? "")
    }
}
