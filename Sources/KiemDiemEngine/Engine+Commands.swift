import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension ErrorBody {
    init(_ e: InputErrors) {
        self.init(.invalidInput, e.errors.first.map { e.errors.count > 1 ? "\($0) (and \(e.errors.count - 1) more)" : $0.description } ?? "invalid input",
                  details: e.errors.count > 1 ? e.errors.prefix(200).map(\.description) : nil)
    }
}

extension Engine {
    // MARK: - Tree

    /// The campaigns whose ratings a tree change is checked against.
    var openCampaigns: [CampaignRow] { orderedCampaigns.filter { $0.status != .completed } }

    // MARK: - Campaigns

    /// Catch-up of a single campaign (resume), in the caller's transaction: what fell due since
    /// its watermark fires once, late, and the watermark moves to `now`. The caller moves the
    /// watermark in memory once the transaction commits.
    func catchUp(_ c: CampaignRow, to now: Date, tx: StoreTx) throws {
        guard let s = schedules[c.id], now > c.watermark else { return }
        for t in Schedule.collapsedForCatchUp(s.triggers(after: c.watermark, through: now), before: now) { _ = try fire(t, campaign: c, tx: tx) }
        try tx.setWatermark(c.id, now)
    }

    func campaign(_ id: String) throws -> CampaignRow {
        guard let c = campaigns[id] else { throw ErrorBody(.notFound, "no campaign '\(id)' (loaded: \(campaigns.keys.sorted().joined(separator: ", ")))") }
        return c
    }

    func info(_ c: CampaignRow, now: Date) -> CampaignInfo {
        let zone = c.plan.zone
        let next = c.status == .active ? schedules[c.id]?.nextInstant(after: max(c.watermark, now)) : nil
        return CampaignInfo(id: c.id, title: c.plan.title, root: c.plan.root, ruleset: c.plan.ruleset.rawValue, status: c.status.rawValue,
                            opens: Instant.format(c.plan.opens, timeZone: zone), ends: Instant.format(c.plan.lastDue, timeZone: zone),
                            next: next.map { Instant.format($0, timeZone: zone) }, stages: c.plan.stages.count)
    }

    func progress(_ c: CampaignRow, subtree: String, now: Date, tx: StoreTx) throws -> [StageProgress] {
        let zone = c.plan.zone
        let sched = schedules[c.id] ?? Schedule(plan: c.plan)
        return try c.plan.stages.map { s in
            let p = try tx.progress(campaign: c.id, stage: s, subtree: subtree, now: now)
            let scope: String = switch s.scope {
            case .members: "members"
            case .units(let k): k.map(\.rawValue).sorted().joined(separator: ",")
            }
            return StageProgress(stage: s.id, title: s.title, scope: scope, opens: Instant.format(sched.opening(of: s), timeZone: zone),
                                 due: Instant.format(s.due, timeZone: zone), total: p.total, completed: p.completed, overdue: p.overdue)
        }
    }

    // MARK: - Progress

    /// The campaign a unit-scoped command is about: the named one, or the only active one whose
    /// tree holds the unit and which has the stage.
    func resolveCampaign(_ id: String?, unit: UnitRow, stage: String?) throws -> CampaignRow {
        if let id { return try campaign(id) }
        var candidates = orderedCampaigns.filter { $0.status != .completed && unit.path.hasPrefix($0.rootPath) }
        if candidates.count > 1, let stage { candidates = candidates.filter { $0.plan.stage(stage) != nil } }
        guard let only = candidates.first else {
            throw ErrorBody(.notFound, "no open campaign covers unit '\(unit.id)'")
        }
        guard candidates.count == 1 else {
            throw ErrorBody(.badRequest, "several campaigns cover unit '\(unit.id)' (\(candidates.map(\.id).joined(separator: ", "))): name one with --campaign")
        }
        return only
    }

    func knownUnit(_ id: String, tx: StoreTx) throws -> UnitRow {
        guard let u = try tx.unit(id) else { throw ErrorBody(.notFound, "no unit '\(id)'") }
        return u
    }

    func stageKinds(_ s: Stage) -> String {
        if case .units(let k) = s.scope { return k.map(\.rawValue).sorted().joined(separator: ", ") }
        return "members"
    }

    /// `after` is enforced bottom-up: every prerequisite stage must be complete for the unit and
    /// its whole subtree (for one member: that member, and the member's cell for unit stages).
    func checkPrerequisites(_ stage: Stage, unit: UnitRow, member: String?, campaign c: CampaignRow, tx: StoreTx) throws {
        var problems: [String] = []
        for id in stage.after {
            guard let pre = c.plan.stage(id) else { continue }
            if let member, pre.isMemberStage {
                let left = try tx.incompleteMembers(campaign: c.id, stage: pre.id, unit: unit.id).contains { $0.id == member }
                if left { problems.append("member '\(member)' has not completed '\(pre.id)'") }
                continue
            }
            let left = try tx.incomplete(campaign: c.id, stage: pre, subtree: unit.path)
            if left.count > 0 {
                let what = pre.isMemberStage ? "members" : "units"
                let more = left.count > left.sample.count ? ", …" : ""
                problems.append("'\(pre.id)' is not complete in the subtree of '\(unit.id)': \(left.count) \(what) left (\(left.sample.joined(separator: ", "))\(more))")
            }
        }
        if !problems.isEmpty {
            throw ErrorBody(.conflict, "cannot complete '\(stage.id)' for '\(member ?? unit.id)': " + problems.joined(separator: "; "), details: problems)
        }
    }

    func completeCampaignIfDone(_ c: CampaignRow, now: Date, tx: StoreTx) throws {
        // Latest stages first: they are the ones still open until the very end, so the usual
        // answer ("not yet") comes from a short look, not a scan of every member.
        for s in c.plan.stages.reversed() where try tx.anyIncomplete(campaign: c.id, stage: s, subtree: c.rootPath) { return }
        try tx.setCampaignStatus(c.id, .completed, at: now)
        var b = event(.campaignCompleted, [], campaign: c, unit: c.plan.root, path: c.rootPath, at: now)
        b.message = Messages.campaignCompleted(plan: c.plan)
        try tx.appendEvent(b, at: now)
        campaigns[c.id]?.status = .completed
    }

    // MARK: - Reading

}
