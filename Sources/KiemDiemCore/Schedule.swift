import Foundation

/// What happens at a scheduled instant for one stage of one campaign.
public enum TriggerKind: Sendable, Equatable, Hashable {
    case opened
    case reminder(lead: Int64)
    case overdue

    fileprivate var order: Int {
        switch self {
        case .opened: 0
        case .reminder: 1
        case .overdue: 2
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

    public init(plan: Plan, extensions: [StageUnit: Date] = [:]) {
        self.plan = plan
        self.extensions = extensions
    }

    public mutating func extend(stage: String, unit: String, until: Date) {
        extensions[StageUnit(stage: stage, unit: unit)] = until
    }

    /// When the stage opens for units: its own `opens`, else the campaign's.
    public func opening(of stage: Stage) -> Date { stage.opens ?? plan.opens }

    private func triggers(for stage: Stage, index: Int, due: Date, unit: String?) -> [Trigger] {
        var out: [Trigger] = []
        let open = opening(of: stage)
        if unit == nil { out.append(Trigger(instant: open, stage: stage.id, stageIndex: index, kind: .opened, unit: nil, due: due)) }
        for lead in stage.reminders {
            let at = due.addingTimeInterval(TimeInterval(-lead))
            if at >= open { out.append(Trigger(instant: at, stage: stage.id, stageIndex: index, kind: .reminder(lead: lead), unit: unit, due: due)) }
        }
        out.append(Trigger(instant: due, stage: stage.id, stageIndex: index, kind: .overdue, unit: unit, due: due))
        return out
    }

    /// Every trigger with `from < instant <= to`, in firing order.
    public func triggers(after from: Date, through to: Date) -> [Trigger] {
        guard to > from else { return [] }
        var out: [Trigger] = []
        for (i, stage) in plan.stages.enumerated() {
            out += triggers(for: stage, index: i, due: stage.due, unit: nil).filter { $0.instant > from && $0.instant <= to }
        }
        for (key, due) in extensions {
            guard let i = plan.stages.firstIndex(where: { $0.id == key.stage }) else { continue }
            out += triggers(for: plan.stages[i], index: i, due: due, unit: key.unit).filter { $0.instant > from && $0.instant <= to }
        }
        return out.sorted(by: Schedule.firingOrder)
    }

    /// The first instant after `from` at which something fires, if any.
    public func nextInstant(after from: Date) -> Date? {
        var best: Date?
        func consider(_ t: Date) { if t > from, best == nil || t < best! { best = t } }
        for (i, stage) in plan.stages.enumerated() {
            for t in triggers(for: stage, index: i, due: stage.due, unit: nil) { consider(t.instant) }
        }
        for (key, due) in extensions {
            guard let i = plan.stages.firstIndex(where: { $0.id == key.stage }) else { continue }
            for t in triggers(for: plan.stages[i], index: i, due: due, unit: key.unit) { consider(t.instant) }
        }
        return best
    }

    /// After downtime, what fell due fires once: per stage (and per extended unit) only the
    /// latest reminder-or-overdue, plus the opening, each marked late (PRODUCT.md, Reliability).
    public static func collapsedForCatchUp(_ triggers: [Trigger]) -> [Trigger] {
        struct Key: Hashable { var stage: String; var unit: String?; var opening: Bool }
        var latest: [Key: Trigger] = [:]
        for t in triggers {
            let k = Key(stage: t.stage, unit: t.unit, opening: t.kind == .opened)
            if let cur = latest[k], firingOrder(t, cur) { continue }
            latest[k] = t
        }
        return latest.values.map { var t = $0; t.late = true; return t }.sorted(by: firingOrder)
    }

    public static func firingOrder(_ a: Trigger, _ b: Trigger) -> Bool {
        if a.instant != b.instant { return a.instant < b.instant }
        if a.stageIndex != b.stageIndex { return a.stageIndex < b.stageIndex }
        if a.kind.order != b.kind.order { return a.kind.order < b.kind.order }
        return (a.unit ?? "") < (b.unit ?? "")
    }
}
