import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

// Silences (docs/notifications.md): reminders and escalations for a subtree, and one stage or
// all, are held until a time, not lost. Events still happen and are published (they are the
// facts); the notifications they cause wait in `held_job`. At the end (or an early expiry) each
// unit and stage still incomplete gets its latest held notification, once; the rest is dropped.

extension Engine {
    func silenceInfo(_ s: SilenceRow, held: Int, zone: TimeZone) -> SilenceInfo {
        SilenceInfo(id: s.id, campaign: s.campaign, unit: s.unit, stage: s.stage, until: Instant.format(s.until, timeZone: zone), reason: s.reason,
                    by: s.actor, created: Instant.format(s.createdAt, timeZone: zone), ended: s.endedAt.map { Instant.format($0, timeZone: zone) }, held: held)
    }

    /// Silences in force whose subtree holds or is held by `path` (the report of a unit shows
    /// those over it and those inside it).
    func silenceInfos(touching path: String?, tx: StoreTx) throws -> [SilenceInfo] {
        try silences.filter { s in path.map { s.path.hasPrefix($0) || $0.hasPrefix(s.path) } ?? true }.map { s in
            silenceInfo(s, held: try tx.heldCount(silence: s.id), zone: campaigns[s.campaign]?.plan.zone ?? TimeZone(identifier: "UTC")!)
        }
    }

    /// Ends the silences whose time has come (at `now` or before), in order; returns the events
    /// stored (one `silence.expired` each).
    func endSilences(upTo now: Date) throws -> Int {
        var stored = 0
        for s in silences.sorted(by: { ($0.until, $0.id) < ($1.until, $1.id) }) where s.until <= now {
            stored += try store.write { tx in try release(s, at: s.until, by: "silence ended", tx: tx) }
            silences.removeAll { $0.id == s.id } // once its end is stored
        }
        return stored
    }

    /// Ends a silence at `at`: each (unit, stage) it held that is still incomplete gets its
    /// latest notification queued (escalations: the highest step reached); published as
    /// `silence.expired`. Returns the events stored. The caller drops it from `silences` once
    /// the transaction commits.
    func release(_ s: SilenceRow, at: Date, by actor: String, tx: StoreTx) throws -> Int {
        var released = 0
        var last: StoreTx.HeldJob?
        func flush() throws {
            guard let h = last else { return }
            let stillLate = try !tx.unitCompleted(campaign: s.campaign, stage: h.stage, unit: h.unit)
            if stillLate, try tx.enqueueJob(key: h.key, eventSeq: h.eventSeq, kind: h.kind, channel: h.channel, recipient: h.recipient,
                                            address: h.address, payload: h.payload, now: wallNow()) {
                released += 1
            }
        }
        for h in try tx.heldJobs(silence: s.id) {
            if let l = last, l.unit != h.unit || l.stage != h.stage { try flush() }
            last = h
        }
        try flush()
        try tx.dropHeld(silence: s.id)
        try tx.endSilence(s.id, at: at, by: actor)
        guard let c = campaigns[s.campaign], let unit = try tx.unit(s.unit) else { return 0 }
        var b = event(.silenceExpired, ["\(s.id)"], campaign: c, unit: unit, stage: s.stage, at: at)
        b.message = Messages.silenceExpired(unitName: unit.unit.name, stageTitle: s.stage.flatMap { c.plan.stage($0)?.title }, released: released)
        return try tx.appendEvent(b, at: at) == nil ? 0 : 1
    }
}

extension SilenceAdd: EngineCommand {
    public static func run(_ a: SilenceAddArgs, in context: CommandContext) throws -> SilenceInfo {
        let engine = context.engine, now = context.now
        let reason = a.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500, !reason.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
            throw ErrorBody(.invalidInput, "reason must be 1 to 500 characters (why the notifications are held)")
        }
        let unit = try engine.store.read { try engine.knownUnit(a.unit, tx: $0) }
        let c = try engine.resolveCampaign(a.campaign, unit: unit, stage: a.stage)
        guard unit.path.hasPrefix(c.rootPath) else { throw ErrorBody(.badRequest, "unit '\(unit.id)' is not in campaign '\(c.id)'") }
        if let stage = a.stage, c.plan.stage(stage) == nil {
            throw ErrorBody(.notFound, "campaign '\(c.id)' has no stage '\(stage)' (stages: \(c.plan.stages.map(\.id).joined(separator: ", ")))")
        }
        guard let until = Instant.parse(a.until, timeZone: c.plan.zone) else {
            throw ErrorBody(.invalidInput, "until must be an instant such as 2022-11-30T08:00:00+07:00 or a date such as 2022-11-30, not \(RequestRules.shown(a.until))")
        }
        guard until > now else { throw ErrorBody(.invalidInput, "until (\(Instant.format(until, timeZone: c.plan.zone))) is not after now (\(Instant.format(now, timeZone: c.plan.zone)))") }
        let row = try engine.store.write { tx in
            let id = try tx.insertSilence(campaign: c.id, unit: unit.id, path: unit.path, stage: a.stage, until: until, reason: reason,
                                          actor: context.caller.name, at: now)
            let row = try tx.silence(id)!
            var b = engine.event(.silenceAdded, ["\(id)"], campaign: c, unit: unit, stage: a.stage, at: now)
            b.due = Instant.format(until, timeZone: c.plan.zone)
            b.message = Messages.silenceAdded(unitName: unit.unit.name, stageTitle: a.stage.flatMap { c.plan.stage($0)?.title }, until: until,
                                              reason: reason, zone: c.plan.zone)
            try tx.appendEvent(b, at: now)
            return row
        }
        engine.silences.append(row) // once stored
        return engine.silenceInfo(row, held: 0, zone: c.plan.zone)
    }
}

extension SilenceList: EngineCommand {
    public static func run(_ a: SilenceListArgs, in context: CommandContext) throws -> [SilenceInfo] {
        let engine = context.engine
        return try engine.store.read { tx in
            try tx.silences(activeOnly: a.all != true).map { s in
                engine.silenceInfo(s, held: try tx.heldCount(silence: s.id), zone: engine.campaigns[s.campaign]?.plan.zone ?? context.zone)
            }
        }
    }
}

extension SilenceExpire: EngineCommand {
    public static func run(_ a: IdArgs, in context: CommandContext) throws -> SilenceInfo {
        let engine = context.engine
        guard let s = engine.silences.first(where: { $0.id == a.id }) else {
            let ended = try engine.store.read { try $0.silence(a.id) }
            throw ErrorBody(ended == nil ? .notFound : .conflict, ended == nil ? "no silence \(a.id)" : "silence \(a.id) has ended already")
        }
        let ended = try engine.store.write { tx in
            _ = try engine.release(s, at: context.now, by: context.caller.name, tx: tx)
            return try tx.silence(s.id)!
        }
        engine.silences.removeAll { $0.id == s.id }
        return engine.silenceInfo(ended, held: 0, zone: engine.campaigns[s.campaign]?.plan.zone ?? context.zone)
    }
}
