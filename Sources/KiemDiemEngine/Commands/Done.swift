import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Done: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.done(args, now: context.now, by: context.caller.name)
    }
}

extension Engine {
    /// Records that a unit (or one member, or all members of a cell) completed a stage. Refused,
    /// with the reason, when the stage is not open yet or its `after` stages are not complete in
    /// the unit's subtree.
    public func done(_ a: DoneArgs, now: Date, by actor: String) throws -> DoneResult {
        let unit = try store.read { try knownUnit(a.unit, tx: $0) }
        if a.stage == TaskDeadline.Kind.directedReview.rawValue { return try completeDirectedReview(unit, now: now) }
        let c = try resolveCampaign(a.campaign, unit: unit, stage: a.stage)
        guard unit.path.hasPrefix(c.rootPath) else { throw ErrorBody(.badRequest, "unit '\(unit.id)' is not in campaign '\(c.id)' (root '\(c.plan.root)')") }
        guard let stage = c.plan.stage(a.stage) else {
            throw ErrorBody(.notFound, "campaign '\(c.id)' has no stage '\(a.stage)' (stages: \(c.plan.stages.map(\.id).joined(separator: ", ")))")
        }
        guard c.status == .active else { throw ErrorBody(.conflict, "campaign '\(c.id)' is \(c.status.rawValue)") }
        let zone = c.plan.zone
        let opening = schedules[c.id]?.opening(of: stage) ?? c.plan.opens
        guard now >= opening else {
            throw ErrorBody(.conflict, "stage '\(stage.id)' opens \(Instant.format(opening, timeZone: zone)); it cannot be completed before")
        }
        guard stage.scope.applies(to: unit.unit.kind) else {
            let who = stage.isMemberStage ? "members (mark them in their cell)" : "units of kind \(stageKinds(stage))"
            throw ErrorBody(.badRequest, "stage '\(stage.id)' is for \(who); '\(unit.id)' is a \(unit.unit.kind.rawValue)")
        }
        if a.member != nil, !stage.isMemberStage {
            throw ErrorBody(.badRequest, "stage '\(stage.id)' is completed by units, not by members: drop --member")
        }
        return try store.write { tx in
            var memberIds: [String] = []
            var memberName: String?
            if stage.isMemberStage {
                if let m = a.member {
                    guard let member = try tx.member(m) else { throw ErrorBody(.notFound, "no member '\(m)'") }
                    guard member.unit == unit.id else { throw ErrorBody(.badRequest, "member '\(m)' belongs to '\(member.unit)', not '\(unit.id)'") }
                    memberIds = [m]
                    memberName = member.name
                } else {
                    memberIds = try tx.incompleteMembers(campaign: c.id, stage: stage.id, unit: unit.id).map(\.id)
                }
            }
            try checkPrerequisites(stage, unit: unit, member: a.member, campaign: c, tx: tx)
            try checkStageRatings(stage, unit: unit, campaign: c, tx: tx)
            var result = DoneResult(campaign: c.id, stage: stage.id, unit: unit.id, member: a.member, completedMembers: 0, unitCompleted: false, alreadyDone: false)
            func completedEvent(member: String?, memberName: String?) throws {
                var b = event(.stageCompleted, [stage.id, unit.id] + (member.map { [$0] } ?? []), campaign: c, unit: unit, stage: stage.id, at: now)
                b.member = member
                b.message = Messages.completed(stage: stage, unitName: unit.unit.name, memberName: memberName)
                try tx.appendEvent(b, at: now)
            }
            if stage.isMemberStage {
                result.completedMembers = try tx.completeMembers(campaign: c.id, stage: stage.id, members: memberIds, at: now)
                if let m = a.member, result.completedMembers > 0 { try completedEvent(member: m, memberName: memberName) }
                if try tx.incompleteMembers(campaign: c.id, stage: stage.id, unit: unit.id).isEmpty {
                    result.unitCompleted = try tx.completeUnit(campaign: c.id, stage: stage.id, unit: unit.id, at: now, by: actor)
                    if result.unitCompleted {
                        try completedEvent(member: nil, memberName: nil)
                        try notifyResolved(c, stage: stage, unit: unit, now: now, tx: tx)
                    }
                }
                result.alreadyDone = result.completedMembers == 0 && !result.unitCompleted
            } else {
                result.unitCompleted = try tx.completeUnit(campaign: c.id, stage: stage.id, unit: unit.id, at: now, by: actor)
                if result.unitCompleted {
                    try completedEvent(member: nil, memberName: nil)
                    try notifyResolved(c, stage: stage, unit: unit, now: now, tx: tx)
                }
                result.alreadyDone = !result.unitCompleted
            }
            if result.unitCompleted { try completeCampaignIfDone(c, now: now, tx: tx) }
            return result
        }
    }

    /// A unit escalated about has completed the stage: each committee the escalation went to
    /// (every ladder step reached, but the unit itself) gets one short notice
    /// (`escalation.notify_resolved`, on by default), through one `escalation.resolved` event.
    func notifyResolved(_ c: CampaignRow, stage: Stage, unit: UnitRow, now: Date, tx: StoreTx) throws {
        guard let esc = c.plan.escalation, esc.sendsResolved, !esc.ladder.isEmpty else { return }
        for e in try tx.escalations(campaign: c.id, stage: stage.id, unit: unit.id) {
            let reached = esc.ladder.prefix(e.level + 1).compactMap { Engine.escalationTarget($0.to, unitPath: unit.path, rootPath: c.rootPath, above: esc.above != nil) }
            let recipients = Array(Set(reached).subtracting([unit.id])).sorted()
            guard !recipients.isEmpty else { continue }
            var b = event(.escalationResolved, ["\(e.id)"], campaign: c, unit: unit, stage: stage.id, at: now)
            b.escalation = e.id
            b.level = e.level
            b.due = Instant.format(e.due, timeZone: c.plan.zone)
            b.message = Messages.escalationResolved(stageTitle: stage.title, unitName: unit.unit.name, due: e.due, zone: c.plan.zone)
            guard let seq = try tx.appendEvent(b, at: now) else { continue } // already told
            b.seq = seq
            let committees = try escalationRecipients(Set(recipients), plan: c.plan, rootPath: c.rootPath, committeeNames: true, tx: tx)
            for r in recipients {
                guard let to = committees[r] else { continue }
                try enqueue(.resolved, event: b, to: to,
                            about: (unit.id, unit.unit.name, unit.path), stage: stage, plan: c.plan, due: e.due, lateMembers: [],
                            extra: { $0.key = "\(b.id)/\(r)"; $0.escalation = e.id }, tx: tx)
            }
        }
    }
}

