import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

/// Flags and directed reviews, remediation, ratings (docs/rules.md "Rules in force", "Directed
/// reviews and remediation").
extension Engine {
    /// The open directed reviews and remediation items of a campaign, as schedule tasks.
    static func tasks(of campaign: String, tx: StoreTx) throws -> [TaskDeadline] {
        try tx.pendingReviews(campaign: campaign).map { TaskDeadline(.directedReview(flag: $0.id), unit: $0.unit, due: $0.reviewDue) }
            + tx.openRemediation(campaign: campaign).map { TaskDeadline(.remediation($0.id), unit: $0.unit, due: $0.due) }
    }

    // MARK: Flags

    /// `done UNIT directed-review`: the upper committee records the directed review as held.
    func completeDirectedReview(_ unit: UnitRow, now: Date) throws -> DoneResult {
        let flags = try store.read { try $0.openFlags(unit: unit.id) }.filter { $0.reviewDoneAt == nil }
        guard let f = flags.first, let c = campaigns[f.campaign] else { throw ErrorBody(.notFound, "unit '\(unit.id)' has no directed review to hold") }
        try store.write { tx in
            for f in flags { _ = try tx.completeDirectedReview(f.id, at: now) }
            var b = event(.stageCompleted, ["directed-review", "\(f.id)"], campaign: c, unit: unit, stage: TaskDeadline.Kind.directedReview.rawValue, at: now)
            b.message = Messages.directedReviewHeld(unitName: unit.unit.name)
            try tx.appendEvent(b, at: now)
        }
        for f in flags { schedules[f.campaign]?.removeTask(.directedReview(flag: f.id)) }
        return DoneResult(campaign: c.id, stage: TaskDeadline.Kind.directedReview.rawValue, unit: unit.id, member: nil, completedMembers: 0, unitCompleted: true, alreadyDone: false)
    }

    // MARK: Remediation

    func info(_ r: RemediationRow) -> RemediationInfo {
        let zone = campaigns[r.campaign]?.plan.zone ?? TimeZone(identifier: "Asia/Ho_Chi_Minh")!
        return RemediationInfo(id: r.id, campaign: r.campaign, unit: r.unit, member: r.member, text: r.text,
                               due: Instant.format(r.due, timeZone: zone), done: r.doneAt.map { Instant.format($0, timeZone: zone) })
    }

    // MARK: Firing tasks

    /// A directed review or remediation item fell due or reached a ladder step. Both belong to
    /// the unit's upper committee: the ladder starts at the parent (`to: unit` is the owner).
    func fireTask(_ t: Trigger, task: TaskRef, campaign c: CampaignRow, tx: StoreTx, observe: ((EventBody) -> Void)?) throws -> Int {
        guard let deadline = schedules[c.id]?.tasks[task], let unit = try tx.unit(deadline.unit), let parentId = unit.unit.parent,
              let owner = try tx.unit(parentId) else { return 0 }
        // Still open? A review held or a flag closed, a remediation done: nothing more fires.
        let what: String
        switch task {
        case .directedReview(let flagId):
            guard let f = try tx.flag(flagId), f.closedAt == nil, f.reviewDoneAt == nil else { return 0 }
            what = Messages.taskWork(reviewReasons: f.reasons)
        case .remediation(let rid):
            guard let r = try tx.remediation(rid), r.doneAt == nil else { return 0 }
            what = Messages.taskWork(remediation: r.text)
        }
        let zone = c.plan.zone
        let stage = deadline.stage(plan: c.plan)
        let emit = TriggerEvents(t, tx: tx, observe: observe)
        switch t.kind {
        case .overdue:
            let type: EventType = deadline.kind == .remediation ? .remediationOverdue : .deadlineOverdue
            var b = event(type, [task.description], campaign: c, unit: unit, stage: stage.id, at: t.instant)
            b.due = Instant.format(deadline.due, timeZone: zone)
            b.to = owner.id
            b.message = Messages.taskOverdue(unitName: unit.unit.name, work: what, due: deadline.due, owner: owner.unit.committeeName, zone: zone)
            try emit(b)
        case .escalation(let step, let round):
            guard let ladderStep = c.plan.escalation?.ladder[step] else { return 0 }
            // The owner is the late one: `to: unit` is its own reminder, a step above the root
            // goes to the plan's body above it or nowhere (Delivery.swift).
            guard let toId = Engine.escalationTarget(ladderStep.to, unitPath: owner.path, rootPath: c.rootPath, above: c.plan.escalation?.above != nil),
                  let to = try escalationRecipients([toId], plan: c.plan, rootPath: c.rootPath, committeeNames: true, tx: tx)[toId] else { return 0 }
            let escalation = try tx.raiseEscalation(campaign: c.id, stage: task.description, unit: unit.id, due: deadline.due, level: step, target: toId, at: t.instant)
            if try tx.escalation(escalation)?.acknowledgedAt != nil { return emit.stored }
            let late = t.instant.epoch - deadline.due.epoch
            var b = event(.escalationRaised, [task.description, "\(step)", "\(round)"], campaign: c, unit: unit, stage: stage.id, at: t.instant)
            b.due = Instant.format(deadline.due, timeZone: zone)
            b.level = step
            b.to = toId
            b.escalation = escalation
            b.message = Messages.taskEscalation(unitName: unit.unit.name, work: what, level: step, due: deadline.due, late: late, target: to.name, zone: zone)
            guard let stored = try emit(b) else { return emit.stored }
            try enqueue(.escalation, event: stored, at: t.instant, to: to, about: (unit.id, unit.unit.name, unit.path),
                        stage: stage, plan: c.plan, due: deadline.due, lateMembers: [], extra: {
                            $0.text = what
                            $0.level = step
                            $0.escalation = escalation
                            $0.lateText = Messages.lateText(late)
                        }, tx: tx)
        case .opened, .reminder:
            break
        }
        return emit.stored
    }
}

extension Engine {
    /// Flags, ratings against the quota, remediation, and one line per unit one level down.
    func addRulesReport(_ r: inout ReportResult, campaign c: CampaignRow, unit: UnitRow, now: Date, tx: StoreTx, childStages: Bool = false) throws {
        let zone = c.plan.zone
        let flags = try tx.openFlags(subtree: unit.path)
        r.flags = flags.map { FlagInfo(id: $0.id, unit: $0.unit, reasons: $0.reasons.map(\.rawValue), confirmed: $0.confirmed,
                                       reviewDue: Instant.format($0.reviewDue, timeZone: zone), reviewHeld: $0.reviewDoneAt != nil) }
        let remediation = try tx.remediations(subtree: unit.path, openOnly: true)
        r.openRemediation = remediation.count
        r.overdueRemediation = remediation.filter { $0.due <= now }.count
        // Ratings in force (decided) in the subtree, the quota per grassroots organization, and
        // the ratings that later facts contradict. Without a rating in the campaign all of them
        // are empty, and the tree is not read.
        if try tx.hasRatings(campaign: c.id) {
            let state = try ratingState(c, tx: tx)
            let inSubtree = try tx.unitIds(subtree: unit.path)
            var byMember: [String: Int] = [:], byUnit: [String: Int] = [:], commended: [String: Int] = [:]
            for e in state.allRatings where e.status == .decided {
                guard let home = state.tree.home(of: e.key), inSubtree.contains(home) else { continue }
                if e.kind == .member { byMember[e.level.rawValue, default: 0] += 1 } else { byUnit[e.level.rawValue, default: 0] += 1 }
                if e.commendation { commended[e.kind == .member ? "members" : "units", default: 0] += 1 } // rate commend
            }
            let orgs = inSubtree.filter { state.tree.units[$0]?.kind.isGrassroots == true }.sorted()
            r.ratings = RatingSummary(members: byMember, units: byUnit, quota: orgs.flatMap { org in
                RatingRules.memberQuotaProgress(org: org, state).filter { $0.decided > 0 }.map {
                    QuotaLine(unit: org, excellent: $0.excellent, good: $0.good, allowed: $0.cap, decided: $0.decided, total: $0.total, group: $0.group)
                }
            }, commended: commended.isEmpty ? nil : commended)
            // Each conflict once (a rule broken by the same ratings), with what its repair takes.
            var seen = Set<String>()
            let conflicts = RatingRules.invariants(state, units: inSubtree).filter { seen.insert($0.identity).inserted }
                .map { f in var f = f; f.message = RatingRules.conflictMessage(f, in: state); return f }
            r.conflicts = conflicts.isEmpty ? nil : conflicts.map { RatingConflict(rule: $0.rule, unit: $0.unit, subjects: $0.subjects, message: $0.message) }
        } else {
            r.ratings = RatingSummary(members: [:], units: [:], quota: [])
        }
        let earlier = remediation.filter { $0.origin != c.id }
        r.earlierRemediation = earlier.isEmpty ? nil : earlier.map(info)
        let suggestions = try tx.suggestions(campaign: c.id, subtree: unit.path)
        r.suggestions = suggestions.isEmpty ? nil : suggestions.map {
            SuggestionInfo(id: $0.id, unit: $0.unit, author: $0.author, name: $0.name, text: $0.text, time: Instant.format($0.at, timeZone: zone))
        }
        // One level down: every child's progress from the rollups, one query per stage.
        let paths = try tx.units(Set(flags.map(\.unit) + remediation.map(\.unit))).mapValues(\.path)
        let depth = unit.path.split(separator: "/").count
        func child(of id: String) -> String? { // the child of `unit` whose subtree holds `id`
            paths[id].flatMap { p in p.split(separator: "/").dropFirst(depth).first.map(String.init) }
        }
        var flagsOf: [String: Int] = [:], remediationOf: [String: Int] = [:]
        for f in flags { if let k = child(of: f.unit) { flagsOf[k, default: 0] += 1 } }
        for x in remediation { if let k = child(of: x.unit) { remediationOf[k, default: 0] += 1 } }
        let children = try tx.childList(of: unit.id)
        let perStage = try tx.childrenProgress(campaign: c.id, stages: c.plan.stages, parent: unit.path, children: children.map(\.id), now: now)
        r.children = children.enumerated().map { i, row in
            var completed = 0, total = 0, overdue = 0
            for stage in perStage {
                completed += stage[i].completed
                total += stage[i].total
                overdue += stage[i].overdue
            }
            var child = ChildReport(unit: row.id, name: row.name, kind: row.kind.rawValue, completed: completed, total: total, overdue: overdue,
                                    flags: flagsOf[row.id] ?? 0, openRemediation: remediationOf[row.id] ?? 0)
            if childStages { child.stages = perStage.map { [$0[i].completed, $0[i].total, $0[i].overdue] } }
            return child
        }
    }
}
