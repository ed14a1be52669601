import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension View: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.view(args, now: context.now, simulated: context.host.clockMode == .simulated)
    }

    /// Off the loop, as `report` (it is one, and more).
    public static func later(_ args: Args, in context: CommandContext) throws -> (@Sendable (AuditRow?) throws -> Result)? {
        let view = context.engine.readView(), now = context.now, simulated = context.host.clockMode == .simulated
        return { _ in try view.engine.view(args, now: now, simulated: simulated) }
    }
}

extension Engine {
    /// The page's view of a unit (without one, the campaign's root) under the latest campaign
    /// that has opened and covers it (or the one named).
    func view(_ f: UnitFilter, now: Date, simulated: Bool) throws -> ViewResult {
        let reports = try report(f, now: now, childStages: true)
        // The latest campaign that has opened (campaigns come in order of opening), else the first.
        let opened = reports.last { campaigns[$0.campaign].map { $0.plan.opens <= now } ?? false }
        guard let r = opened ?? reports.first, let c = campaigns[r.campaign] else { throw ErrorBody(.notFound, "no campaign covers unit '\(f.unit ?? "")'") }
        let unitId = r.unit // without --unit: the campaign's root
        let zone = c.plan.zone
        let sched = schedules[c.id] ?? Schedule(plan: c.plan)
        return try store.read { tx in
            let unit = try knownUnit(unitId, tx: tx)
            // The trail from the campaign's root down: the path's ids at or below the root's depth.
            let ids = unit.path.split(separator: "/").map(String.init)
            let rootDepth = c.rootPath.split(separator: "/").count
            let shown = Array(ids.dropFirst(max(0, rootDepth - 1)))
            let rows = try tx.units(Set(shown))
            let trail = shown.compactMap { id in rows[id].map { NamedUnit(id: id, name: $0.unit.name) } }
            var members: [StageMembers] = []
            if unit.unit.kind.holdsMembers {
                for s in c.plan.stages where s.isMemberStage && sched.opening(of: s) <= now {
                    let due = sched.extensions[Schedule.StageUnit(stage: s.id, unit: unit.id)] ?? s.due
                    let late = try tx.incompleteMembers(campaign: c.id, stage: s.id, unit: unit.id).map { NamedUnit(id: $0.id, name: $0.name) }
                    members.append(StageMembers(stage: s.id, title: s.title, due: Instant.format(due, timeZone: zone), late: due <= now, members: late))
                }
            }
            let open = try tx.openEscalations(subtree: unit.path, limit: 200).filter { $0.campaign == c.id }
            let names = try tx.units(Set(open.flatMap { [$0.unit, $0.target] }))
            let escalations = open.map { e in
                EscalationInfo(id: e.id, unit: e.unit, unitName: names[e.unit]?.unit.name ?? e.unit, stage: e.stage,
                               stageTitle: c.plan.stage(e.stage)?.title ?? e.stage, due: Instant.format(e.due, timeZone: zone), level: e.level,
                               target: e.target, targetName: names[e.target]?.unit.committeeName ?? (e.target == Escalation.aboveRecipient ? c.plan.escalation?.above?.name : nil) ?? e.target,
                               raised: e.raisedAt.map { Instant.format($0, timeZone: zone) } ?? "")
            }
            var result = ViewResult(campaign: c.id, campaignTitle: c.plan.title, simulatedClock: simulated, kind: unit.unit.kind.rawValue,
                                    trail: trail, report: r, members: members, escalations: escalations)
            // A refused rating file stores nothing but its findings, as `rating.rejected` events.
            let decoder = WireJSON.decoder()
            result.rejected = try tx.latestEvents(topicPrefix: EventBody.topic(type: EventType.ratingRejected.rawValue, path: unit.path), limit: 50)
                .compactMap { try? decoder.decode(EventBody.self, from: $0.body) }
                .filter { $0.campaign == c.id }
                .map { RejectedFinding(time: $0.time, unit: $0.unit ?? "", rule: $0.rule ?? "", message: $0.message ?? "") }
            // The page names them as it names the report's units.
            let unnamed = Set((result.rejected ?? []).map(\.unit)).subtracting(result.report.names?.keys.map { $0 } ?? [])
            for (id, u) in try tx.units(unnamed) { result.report.names?[id] = u.unit.name }
            return result
        }
    }
}
