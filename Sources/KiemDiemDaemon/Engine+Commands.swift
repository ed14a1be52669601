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

    /// Loads or updates the tree, all-or-nothing. A change that breaks a rating rule of the
    /// ratings in force (a head moved above their unit, …) is refused; a collective's discipline
    /// is a fact: accepted, and the ratings it contradicts published as `rating.conflict`.
    public func importUnits(_ file: FileArgs, now: Date) throws -> ImportResult {
        do {
            let incoming = try TreeImport.parseUnits(file.content, source: file.name)
            let counts = try store.write { (tx: StoreTx) throws(any Error) -> ImportCounts in
                let merged = try TreeImport.validateTree(existing: try tx.allUnits(), incoming: incoming, source: file.name)
                var counts = ImportCounts(added: 0, updated: 0, total: 0)
                _ = try recordFacts(in: openCampaigns, cause: "import-units-\(now.epoch)-\(UUID().uuidString.prefix(8))", now: now, tx: tx, scope: { _ in nil }) {
                    counts = try tx.saveTree(merged, incoming: Set(incoming.map(\.unit.id)))
                }
                return counts
            }
            try reload() // a campaign root's path may have changed
            return ImportResult(added: counts.added, updated: counts.updated, total: counts.total)
        } catch let e as InputErrors {
            throw ErrorBody(e)
        }
    }

    /// Loads or updates the members, all-or-nothing; a discipline recorded after a member was
    /// rated turns that rating into a published conflict (`rating.conflict`).
    public func importMembers(_ file: FileArgs, now: Date) throws -> ImportResult {
        do {
            let counts = try store.write { (tx: StoreTx) throws(any Error) -> ImportCounts in
                let kinds = try tx.unitKinds()
                let members = try TreeImport.parseMembers(file.content, source: file.name) { kinds[$0] }
                var counts = ImportCounts(added: 0, updated: 0, total: 0)
                _ = try recordFacts(in: openCampaigns, cause: "import-members-\(now.epoch)-\(UUID().uuidString.prefix(8))", now: now, tx: tx, scope: { _ in nil }) {
                    counts = try tx.saveMembers(members)
                }
                return counts
            }
            return ImportResult(added: counts.added, updated: counts.updated, total: counts.total)
        } catch let e as InputErrors {
            throw ErrorBody(e)
        }
    }

    // MARK: - Campaigns

    public func loadCampaign(_ file: FileArgs, now: Date) throws -> CampaignInfo {
        let plan: Plan
        do { plan = try PlanParser.parse(file.content, source: file.name) } catch { throw ErrorBody(error) }
        if let existing = campaigns[plan.id] {
            let source = try store.read { try $0.campaignSource(plan.id) }
            if source == file.content { return info(existing, now: now) }
            throw ErrorBody(.conflict, "\(file.name): campaign '\(plan.id)' is already loaded with a different plan; give the new plan another id")
        }
        guard let root = try store.read({ try $0.unit(plan.root) }) else {
            throw ErrorBody(.invalidInput, "\(file.name): root '\(plan.root)' is not a known unit (import the units first)")
        }
        // Everything before the opening is history; what fell due before `now` fires once, late.
        let watermark = plan.opens.addingTimeInterval(-1)
        try store.write { tx in
            try tx.insertCampaign(plan, source: file.content, loadedAt: now, watermark: watermark)
        }
        // Shortcomings not yet fixed are followed into the new campaign (DOMAIN.md, remediation).
        let carried = try store.write { try $0.carryOverRemediation(to: plan.id, subtree: root.path) }
        if carried > 0 {
            logger.info("remediation carried over", metadata: ["campaign": "\(plan.id)", "items": "\(carried)"])
            try reload()
        }
        campaigns[plan.id] = CampaignRow(plan: plan, status: .active, watermark: watermark, rootPath: root.path)
        if schedules[plan.id] == nil { schedules[plan.id] = Schedule(plan: plan) }
        if now >= plan.opens { try catchUp(plan.id, to: now) }
        return info(campaigns[plan.id]!, now: now)
    }

    /// Catch-up of a single campaign (load, resume), in one transaction.
    func catchUp(_ id: String, to now: Date) throws {
        guard let c = campaigns[id], let s = schedules[id] else { return }
        let ts = Schedule.collapsedForCatchUp(s.triggers(after: c.watermark, through: now), before: now)
        try store.write { tx in
            for t in ts { _ = try fire(t, campaign: c, tx: tx) }
            try tx.setWatermark(id, now)
        }
        campaigns[id]?.watermark = now
    }

    public func listCampaigns(now: Date) -> [CampaignInfo] {
        orderedCampaigns.map { info($0, now: now) }
    }

    func campaign(_ id: String) throws -> CampaignRow {
        guard let c = campaigns[id] else { throw ErrorBody(.notFound, "no campaign '\(id)' (loaded: \(campaigns.keys.sorted().joined(separator: ", ")))") }
        return c
    }

    public func showCampaign(_ id: String, now: Date) throws -> CampaignDetail {
        let c = try campaign(id)
        let stages = try store.read { tx in try progress(c, subtree: c.rootPath, now: now, tx: tx) }
        return CampaignDetail(campaign: info(c, now: now), stages: stages)
    }

    public func setPaused(_ id: String, _ paused: Bool, now: Date) throws -> CampaignInfo {
        let c = try campaign(id)
        switch (c.status, paused) {
        case (.completed, _): throw ErrorBody(.conflict, "campaign '\(id)' is completed")
        case (.paused, true), (.active, false): return info(c, now: now)
        case (.active, true):
            try store.write { try $0.setCampaignStatus(id, .paused) }
            campaigns[id]?.status = .paused
        case (.paused, false):
            try store.write { try $0.setCampaignStatus(id, .active) }
            campaigns[id]?.status = .active
            // What fell due while paused fires now, once, late.
            try catchUp(id, to: now)
        }
        return info(campaigns[id]!, now: now)
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
        let time = Instant.format(now, timeZone: zone)
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
            try checkClosingReview(stage, unit: unit, campaign: c, tx: tx)
            var result = DoneResult(campaign: c.id, stage: stage.id, unit: unit.id, member: a.member, completedMembers: 0, unitCompleted: false, alreadyDone: false)
            func completedEvent(member: String?, memberName: String?) throws {
                var b = EventBody(id: "\(c.id)/stage.completed/\(stage.id)/\(unit.id)" + (member.map { "/\($0)" } ?? ""), type: .stageCompleted, time: time)
                b.campaign = c.id
                b.unit = unit.id
                b.path = unit.path
                b.stage = stage.id
                b.member = member
                b.message = Messages.completed(stage: stage, unitName: unit.unit.name, memberName: memberName)
                try tx.appendEvent(b, at: now, encoder: encoder)
            }
            if stage.isMemberStage {
                result.completedMembers = try tx.completeMembers(campaign: c.id, stage: stage.id, members: memberIds, at: now)
                if let m = a.member, result.completedMembers > 0 { try completedEvent(member: m, memberName: memberName) }
                if try tx.incompleteMembers(campaign: c.id, stage: stage.id, unit: unit.id).isEmpty {
                    result.unitCompleted = try tx.completeUnit(campaign: c.id, stage: stage.id, unit: unit.id, at: now, by: actor)
                    if result.unitCompleted { try completedEvent(member: nil, memberName: nil) }
                }
                result.alreadyDone = result.completedMembers == 0 && !result.unitCompleted
            } else {
                result.unitCompleted = try tx.completeUnit(campaign: c.id, stage: stage.id, unit: unit.id, at: now, by: actor)
                if result.unitCompleted { try completedEvent(member: nil, memberName: nil) }
                result.alreadyDone = !result.unitCompleted
            }
            if result.unitCompleted { try completeCampaignIfDone(c, now: now, tx: tx) }
            return result
        }
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
        var b = EventBody(id: "\(c.id)/campaign.completed", type: .campaignCompleted, time: Instant.format(now, timeZone: c.plan.zone))
        b.campaign = c.id
        b.unit = c.plan.root
        b.path = c.rootPath
        b.message = Messages.campaignCompleted(plan: c.plan)
        try tx.appendEvent(b, at: now, encoder: encoder)
        campaigns[c.id]?.status = .completed
    }

    /// A new deadline for one unit's stage; the unit then gets reminders and overdue on its own.
    public func extend(_ a: ExtendArgs, now: Date) throws -> ExtendResult {
        let unit = try store.read { try knownUnit(a.unit, tx: $0) }
        let c = try resolveCampaign(a.campaign, unit: unit, stage: a.stage)
        guard unit.path.hasPrefix(c.rootPath) else { throw ErrorBody(.badRequest, "unit '\(unit.id)' is not in campaign '\(c.id)' (root '\(c.plan.root)')") }
        guard c.status == .active else { throw ErrorBody(.conflict, "campaign '\(c.id)' is \(c.status.rawValue)") }
        guard let stage = c.plan.stage(a.stage) else { throw ErrorBody(.notFound, "campaign '\(c.id)' has no stage '\(a.stage)'") }
        guard stage.scope.applies(to: unit.unit.kind) else {
            throw ErrorBody(.badRequest, "stage '\(stage.id)' does not apply to '\(unit.id)' (a \(unit.unit.kind.rawValue))")
        }
        let zone = c.plan.zone
        guard let until = Instant.parse(a.until, timeZone: zone) else {
            throw ErrorBody(.invalidInput, "until '\(a.until)' is not an ISO 8601 instant with offset or a date YYYY-MM-DD")
        }
        guard until > now else { throw ErrorBody(.invalidInput, "the new deadline \(Instant.format(until, timeZone: zone)) is not in the future") }
        let reason = a.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw ErrorBody(.invalidInput, "an extension needs a reason (--reason)") }
        try store.write { tx in
            if try tx.unitCompleted(campaign: c.id, stage: stage.id, unit: unit.id) {
                throw ErrorBody(.conflict, "'\(unit.id)' has already completed '\(stage.id)'")
            }
            try tx.extend(campaign: c.id, stage: stage.id, unit: unit.id, until: until, reason: reason)
            // `now` in the id too: extending back to an earlier deadline is a new occurrence.
            var b = EventBody(id: "\(c.id)/deadline.extended/\(stage.id)/\(unit.id)/\(until.epoch)/\(now.epoch)", type: .deadlineExtended, time: Instant.format(now, timeZone: zone))
            b.campaign = c.id
            b.unit = unit.id
            b.path = unit.path
            b.stage = stage.id
            b.due = Instant.format(until, timeZone: zone)
            b.message = Messages.extended(stage: stage, unitName: unit.unit.name, until: until, reason: reason, plan: c.plan)
            try tx.appendEvent(b, at: now, encoder: encoder)
        }
        schedules[c.id]?.extend(stage: stage.id, unit: unit.id, until: until)
        return ExtendResult(campaign: c.id, stage: stage.id, unit: unit.id, due: Instant.format(until, timeZone: zone))
    }

    // MARK: - Reading

    public func overdue(_ f: UnitFilter, now: Date, limit: Int = 1000) throws -> OverdueResult {
        if let id = f.campaign { _ = try campaign(id) }
        return try store.read { tx in
            let filterUnit = try f.unit.map { try knownUnit($0, tx: tx) }
            var items: [OverdueItem] = []
            var total = 0
            for c in orderedCampaigns where c.status != .completed && (f.campaign == nil || f.campaign == c.id) {
                let path = filterUnit.map { $0.path.hasPrefix(c.rootPath) ? $0.path : "" } ?? c.rootPath
                if path.isEmpty { continue }
                for s in c.plan.stages {
                    for (t, due) in try tx.overdue(campaign: c.id, stage: s, subtree: path, now: now, limit: limit + 1) {
                        total += 1
                        if items.count < limit {
                            items.append(OverdueItem(campaign: c.id, stage: s.id, unit: t.unit, name: t.name, path: t.path,
                                                     due: Instant.format(due, timeZone: c.plan.zone), lateMembers: s.isMemberStage ? t.members.count : nil))
                        }
                    }
                }
            }
            return OverdueResult(items: items, truncated: total > items.count, total: total)
        }
    }

    public func report(_ f: UnitFilter, now: Date) throws -> [ReportResult] {
        if let id = f.campaign { _ = try campaign(id) }
        return try store.read { tx in
            let filterUnit = try f.unit.map { try knownUnit($0, tx: tx) }
            var out: [ReportResult] = []
            for c in orderedCampaigns where f.campaign == nil || f.campaign == c.id {
                var unit = filterUnit
                if unit == nil { unit = try tx.unit(c.plan.root) }
                guard let unit, unit.path.hasPrefix(c.rootPath) else { continue }
                var r = ReportResult(campaign: c.id, unit: unit.id, name: unit.unit.name, asOf: Instant.format(now, timeZone: c.plan.zone),
                                     stages: try progress(c, subtree: unit.path, now: now, tx: tx))
                try addRulesReport(&r, campaign: c, unit: unit, now: now, tx: tx)
                out.append(r)
            }
            if out.isEmpty, let u = f.unit { throw ErrorBody(.notFound, "no campaign covers unit '\(u)'") }
            return out
        }
    }

    public func events(_ a: EventsArgs) throws -> EventsResult {
        let limit = min(max(a.limit ?? 1000, 1), 5000)
        let decoder = WireJSON.decoder()
        return try store.read { tx in
            let rows = try tx.events(since: a.since, topic: a.topic, limit: limit + 1)
            let last = try tx.lastSeq()
            let events = try rows.prefix(limit).map { try decoder.decode(EventBody.self, from: $0.body) }
            return EventsResult(events: events, lastSeq: last, more: rows.count > limit)
        }
    }
}
