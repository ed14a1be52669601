import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Extend: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.extend(args, now: context.now)
    }
}

extension Engine {
    /// A new deadline for a unit's stage; the unit then gets reminders and overdue on its own.
    /// - The new deadline must be later than the unit's current one (its extension, else the
    ///   plan's): an earlier date is no extension and is refused.
    /// - `subtree`: every unit of the unit's subtree that the stage applies to, not completed and
    ///   not already due later, is extended.
    /// - The stages that come `after` this one, for the extended units and their ancestors (an
    ///   `after` means "complete first for the unit and its whole subtree"), must not be due
    ///   before the new deadline: refused, naming each, unless `cascade` moves them to it (and
    ///   what comes after those in turn), each move published with the extension.
    public func extend(_ a: ExtendArgs, now: Date) throws -> ExtendResult {
        let unit = try store.read { try knownUnit(a.unit, tx: $0) }
        let c = try resolveCampaign(a.campaign, unit: unit, stage: a.stage)
        guard unit.path.hasPrefix(c.rootPath) else { throw ErrorBody(.badRequest, "unit '\(unit.id)' is not in campaign '\(c.id)' (root '\(c.plan.root)')") }
        guard c.status == .active else { throw ErrorBody(.conflict, "campaign '\(c.id)' is \(c.status.rawValue)") }
        guard let stage = c.plan.stage(a.stage) else { throw ErrorBody(.notFound, "campaign '\(c.id)' has no stage '\(a.stage)'") }
        let subtree = a.subtree ?? false, cascade = a.cascade ?? false
        // `member`: one member of the cell, for a members stage.
        var own: (id: String, name: String, key: String)?
        if let mid = a.member {
            guard stage.isMemberStage else { throw ErrorBody(.badRequest, "--member applies to a members stage; '\(stage.id)' is for units") }
            guard !subtree else { throw ErrorBody(.badRequest, "--member extends one member; --subtree, every unit below: not both") }
            guard let m = try store.read({ try $0.member(mid) }) else { throw ErrorBody(.notFound, "unknown member '\(mid)'") }
            guard m.unit == unit.id else { throw ErrorBody(.badRequest, "member '\(mid)' belongs to '\(m.unit)', not to '\(unit.id)'") }
            own = (m.id, m.name, Schedule.memberKey(cell: unit.id, member: m.id))
        }
        guard subtree || stage.scope.applies(to: unit.unit.kind) else {
            throw ErrorBody(.badRequest, "stage '\(stage.id)' does not apply to '\(unit.id)' (a \(unit.unit.kind.rawValue)); --subtree extends it for every unit below that it applies to")
        }
        let zone = c.plan.zone
        guard let until = Instant.parse(a.until, timeZone: zone) else {
            throw ErrorBody(.invalidInput, "until '\(a.until)' is not an ISO 8601 instant with offset or a date YYYY-MM-DD")
        }
        guard until > now else { throw ErrorBody(.invalidInput, "the new deadline \(Instant.format(until, timeZone: zone)) is not in the future") }
        let reason = a.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw ErrorBody(.invalidInput, "an extension needs a reason (--reason)") }
        let known = schedules[c.id]?.extensions ?? [:]
        var set: [Schedule.StageUnit: Date] = [:] // what this extension writes
        func due(_ s: Stage, _ u: String) -> Date { set[.init(stage: s.id, unit: u)] ?? known[.init(stage: s.id, unit: u)] ?? s.due }
        let fmt = { (d: Date) in Instant.format(d, timeZone: zone) }
        var extended: [MovedDeadline] = [], moved: [MovedDeadline] = []
        try store.write { tx in
            // The units extended.
            var rows: [UnitRow]
            if subtree {
                rows = try tx.units(try tx.unitIds(subtree: unit.path)).values.filter { stage.scope.applies(to: $0.unit.kind) }.sorted { $0.path < $1.path }
                rows = try rows.filter { r in
                    guard due(stage, r.id) < until else { return false }
                    return !(try tx.unitCompleted(campaign: c.id, stage: stage.id, unit: r.id))
                }
                guard !rows.isEmpty else {
                    throw ErrorBody(.conflict, "no unit under '\(unit.id)' has '\(stage.id)' to extend to \(fmt(until)): each has completed it or is due then or later")
                }
            } else if let own {
                if try tx.memberCompleted(campaign: c.id, stage: stage.id, member: own.id) {
                    throw ErrorBody(.conflict, "member '\(own.id)' has already completed '\(stage.id)'")
                }
                let current = known[.init(stage: stage.id, unit: own.key)] ?? due(stage, unit.id)
                guard until > current else {
                    throw ErrorBody(.invalidInput, "not an extension: member '\(own.id)' is due for '\(stage.id)' \(fmt(current)), not before \(fmt(until)); a deadline is only moved later")
                }
                rows = [unit] // for the dependents: the cell's stages that come after this one
            } else {
                if try tx.unitCompleted(campaign: c.id, stage: stage.id, unit: unit.id) {
                    throw ErrorBody(.conflict, "'\(unit.id)' has already completed '\(stage.id)'")
                }
                let current = due(stage, unit.id)
                guard until > current else {
                    throw ErrorBody(.invalidInput, "not an extension: '\(unit.id)' is due for '\(stage.id)' \(fmt(current)), not before \(fmt(until)); a deadline is only moved later")
                }
                rows = [unit]
            }
            for r in rows where own == nil {
                extended.append(MovedDeadline(stage: stage.id, unit: r.id, from: fmt(due(stage, r.id)), due: fmt(until)))
                set[.init(stage: stage.id, unit: r.id)] = until
            }
            if let own { set[.init(stage: stage.id, unit: own.key)] = until }
            // The dependents: stages that come after an extended one, for the units extended and
            // every unit above them, due before the new deadline. Followed through (a moved
            // stage has dependents of its own) with --cascade.
            var work: [(stage: Stage, units: [UnitRow])] = [(stage, rows)]
            var movedRows: [(Stage, UnitRow)] = []
            var refused: [String] = []
            while let (s, us) = work.popLast() {
                var holders: [String: UnitRow] = [:] // the units extended and their ancestors
                for u in us { holders[u.id] = u }
                let ancestorIds = Set(us.flatMap { $0.path.split(separator: "/").map(String.init) }).subtracting(holders.keys)
                for (id, r) in try tx.units(ancestorIds) where r.path.hasPrefix(c.rootPath) { holders[id] = r }
                for d in c.plan.stages where d.after.contains(s.id) {
                    var hit: [UnitRow] = []
                    for h in holders.values.sorted(by: { $0.path < $1.path }) where d.scope.applies(to: h.unit.kind) && due(d, h.id) < until {
                        if try tx.unitCompleted(campaign: c.id, stage: d.id, unit: h.id) { continue }
                        if !cascade {
                            refused.append("stage '\(d.id)' of '\(h.id)' is due \(fmt(due(d, h.id))), before \(fmt(until)), and comes after '\(s.id)'")
                            continue
                        }
                        moved.append(MovedDeadline(stage: d.id, unit: h.id, from: fmt(due(d, h.id)), due: fmt(until)))
                        set[.init(stage: d.id, unit: h.id)] = until
                        movedRows.append((d, h))
                        hit.append(h)
                    }
                    if !hit.isEmpty { work.append((d, hit)) }
                }
            }
            if !refused.isEmpty {
                throw ErrorBody(.conflict, "extending '\(stage.id)' to \(fmt(until)) would pass \(refused.count) dependent deadline(s); extend them too with --cascade",
                                details: refused)
            }
            // Stored and published: each unit extended, then each deadline moved with it.
            let movedNames = movedRows.map { (stageTitle: $0.0.title, unitName: $0.1.unit.name) }
            if let own {
                try tx.extendMember(campaign: c.id, stage: stage.id, member: own.id, cell: unit.id, until: until, reason: reason)
                var b = event(.deadlineExtended, [stage.id, unit.id, own.id, "\(until.epoch)", "\(now.epoch)"], campaign: c, unit: unit, stage: stage.id, at: now)
                b.member = own.id
                b.due = fmt(until)
                b.message = Messages.extended(stage: stage, unitName: "\(Messages.ratedSubject(member: own.name)) (\(unit.unit.name))", until: until, reason: reason,
                                              plan: c.plan, moved: movedNames)
                try tx.appendEvent(b, at: now)
            }
            for r in rows where own == nil {
                try tx.extend(campaign: c.id, stage: stage.id, unit: r.id, until: until, reason: reason)
                // `now` in the id too: extending back to an earlier deadline is a new occurrence.
                var b = event(.deadlineExtended, [stage.id, r.id, "\(until.epoch)", "\(now.epoch)"], campaign: c, unit: r, stage: stage.id, at: now)
                b.due = fmt(until)
                b.message = r.id == unit.id || rows.count == 1
                    ? Messages.extended(stage: stage, unitName: r.unit.name, until: until, reason: reason, plan: c.plan, moved: movedNames)
                    : Messages.extended(stage: stage, unitName: r.unit.name, until: until, reason: reason, plan: c.plan)
                try tx.appendEvent(b, at: now)
            }
            for (d, h) in movedRows {
                try tx.extend(campaign: c.id, stage: d.id, unit: h.id, until: until, reason: reason)
                var b = event(.deadlineExtended, [d.id, h.id, "\(until.epoch)", "\(now.epoch)"], campaign: c, unit: h, stage: d.id, at: now)
                b.due = fmt(until)
                b.message = Messages.movedByExtension(stage: d, unitName: h.unit.name, until: until, cause: stage, causeUnit: unit.unit.name, reason: reason, plan: c.plan)
                try tx.appendEvent(b, at: now)
            }
        }
        for (k, d) in set { schedules[c.id]?.extend(stage: k.stage, unit: k.unit, until: d) }
        return ExtendResult(campaign: c.id, stage: stage.id, unit: unit.id, due: fmt(until), extended: subtree ? extended : nil, moved: moved.isEmpty ? nil : moved,
                            member: own?.id)
    }
}
