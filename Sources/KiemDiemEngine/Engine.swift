import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Logging

/// The campaign engine: schedules, fires triggers into stored events, and carries out commands.
/// It never reads a clock: every entry point takes `now`. It is used from one thread (the
/// daemon's reactor, or a test), so it needs no locks.
public final class Engine {
    public let store: Store
    let logger: Logger
    /// One schedule per campaign that is not completed: plan instants plus extensions.
    public internal(set) var schedules: [String: Schedule] = [:]
    public internal(set) var campaigns: [String: CampaignRow] = [:]

    /// Which channel delivers to which unit.
    var routing: DeliveryRouting
    /// Targets fired per transaction: one instant's burst is written in slices of this many.
    public var sliceSize = 150
    /// Called after each slice of a firing commits, while more remain: the reactor publishes,
    /// pings the watchdog and answers read-only requests there, so that none waits longer than
    /// one slice. It must not fire (the engine is mid-firing).
    public var betweenSlices: (() -> Void)?
    /// Wall-clock seconds for job bookkeeping (jobs live in real time); tests inject their own.
    let wallNow: () -> Double
    /// A chunked import being applied on a connection of its own: until it ends, the loop
    /// writes nothing (ImportStream.swift).
    public internal(set) var applying: ImportApply?
    /// Silences in force (docs/notifications.md): notifications they cover are held.
    public internal(set) var silences: [SilenceRow] = []
    /// Ends of the digest windows that hold notifications (`delivery.group_wait`).
    var digestEnds: Set<Date> = []
    /// Chunked imports that ended since the start, for `import.state` (the last 16).
    var finishedImports: [String: UploadState] = [:]
    public internal(set) var finishedImportsLatest: UploadState?
    /// Apply a commit on a second connection (the daemon); false: on the caller's (tests on an
    /// in-memory store, and the one-request imports).
    public var applyInBackground = false
    /// The web page's links (`http.listen` set): letters carry a signed link for their
    /// recipient, and `token.issue` prints the page's address.
    public var links: LinkSigner?

    public init(store: Store, logger: Logger = Logger(label: "kiemdiem.engine"), routing: DeliveryRouting = DeliveryRouting(),
                wallNow: @escaping () -> Double = { Date().timeIntervalSince1970 }) throws {
        self.store = store
        self.logger = logger
        self.routing = routing
        self.wallNow = wallNow
        try reload()
    }

    /// A copy of the in-memory state (campaigns, schedules: values) over the same store.
    private init(copying e: Engine) {
        store = e.store
        logger = e.logger
        routing = e.routing
        wallNow = e.wallNow
        schedules = e.schedules
        campaigns = e.campaigns
        links = e.links
        silences = e.silences
    }

    /// The engine as it is now, for a read that runs off the loop (`EngineCommand.later`): the
    /// loop goes on changing its own engine meanwhile, the copy reads the store's snapshot.
    /// @unchecked: the copy is made on the loop and then used by one thread, the reader's.
    public final class ReadView: @unchecked Sendable {
        public let engine: Engine
        fileprivate init(_ engine: Engine) { self.engine = engine }
    }

    public func readView() -> ReadView { ReadView(Engine(copying: self)) }

    /// Rebuilds the in-memory schedules from the store (start-up, and after a campaign changes).
    func reload() throws {
        let (rows, active, ends) = try store.read { tx in
            (try tx.campaigns().map { ($0, try tx.extensions($0.id), try Engine.tasks(of: $0.id, tx: tx)) }, try tx.silences(activeOnly: true),
             try tx.digestWindowEnds())
        }
        silences = active
        digestEnds = Set(ends)
        campaigns = [:]
        schedules = [:]
        for (row, ext, tasks) in rows {
            campaigns[row.id] = row
            schedules[row.id] = Schedule(plan: row.plan, extensions: ext, tasks: tasks)
        }
    }

    /// Campaigns in load order.
    var orderedCampaigns: [CampaignRow] {
        campaigns.values.sorted { ($0.plan.opens, $0.id) < ($1.plan.opens, $1.id) }
    }

    // MARK: - Events

    /// The one place an event body is built. Its id is `campaign/type/parts…`: one fact, one id,
    /// so the store keeps the first of a duplicate (exactly once across catch-up and restarts).
    /// Its time is the instant in the plan's zone.
    func event(_ type: EventType, _ parts: [String], campaign c: CampaignRow, unit: String, path: String, stage: String? = nil, at time: Date) -> EventBody {
        var b = EventBody(id: ([c.id, type.rawValue] + parts).joined(separator: "/"), type: type, time: Instant.format(time, timeZone: c.plan.zone))
        b.campaign = c.id
        b.unit = unit
        b.path = path
        b.stage = stage
        return b
    }

    func event(_ type: EventType, _ parts: [String], campaign c: CampaignRow, unit: UnitRow, stage: String? = nil, at time: Date) -> EventBody {
        event(type, parts, campaign: c, unit: unit.id, path: unit.path, stage: stage, at: time)
    }

    // MARK: - Time

    /// The next instant at which an active campaign has something to fire.
    public func nextInstant() -> Date? {
        let fire = campaigns.values.filter { $0.status == .active }.compactMap { c in schedules[c.id]?.nextInstant(after: c.watermark) }.min()
        let end = silences.map(\.until).min()
        return [fire, end, digestEnds.min()].compactMap { $0 }.min()
    }

    /// Fires, in order, everything due up to `now`, one transaction per instant; with
    /// `catchUp` (after downtime) only the latest item per stage and unit fires, marked late.
    /// `persistClock` stores each instant as the simulated clock's, in the same transaction.
    /// Returns the number of events stored.
    @discardableResult
    public func advance(to now: Date, catchUp: Bool = false, persistClock: Bool = false) throws -> Int {
        var fired = 0
        var pending: [(CampaignRow, Trigger)] = []
        for c in orderedCampaigns where c.status == .active && c.watermark < now {
            guard let schedule = schedules[c.id] else { continue }
            var ts = schedule.triggers(after: c.watermark, through: now)
            if catchUp { ts = Schedule.collapsedForCatchUp(ts, before: now) }
            pending += ts.map { (c, $0) }
        }
        pending.sort(by: Engine.firingOrder)
        if catchUp {
            // After downtime the missed instants are history: one transaction, then carry on.
            fired += try store.write { tx in
                let n = try pending.reduce(0) { $0 + (try fire($1.1, campaign: $1.0, tx: tx)) }
                try finishMove(to: now, tx: tx, persistClock: persistClock)
                return n
            }
        } else {
            var i = 0
            while i < pending.count {
                let instant = pending[i].1.instant
                var j = i
                while j < pending.count, pending[j].1.instant == instant { j += 1 }
                let group = Array(pending[i..<j])
                // Each trigger's targets in slices of `sliceSize`, one transaction each; the
                // instant's last slice also moves the watermarks (and a simulated clock). A crash
                // between slices leaves the instant to fire again, and what was stored is not
                // stored twice (event ids).
                for (k, (c, t)) in group.enumerated() {
                    var after: String?
                    repeat {
                        let last = k == group.count - 1
                        let slice = try store.write { tx -> (stored: Int, next: String?) in
                            let r = try fire(t, campaign: c, tx: tx, slice: Slice(after: after, limit: max(1, sliceSize)))
                            if r.next == nil, last {
                                for c in Set(group.map(\.0.id)) { try tx.setWatermark(c, instant) }
                                if persistClock { try tx.setStoredClock(instant) }
                            }
                            return r
                        }
                        fired += slice.stored
                        after = slice.next
                        if after != nil || !last { betweenSlices?() }
                    } while after != nil
                }
                for c in Set(group.map(\.0.id)) { campaigns[c]?.watermark = instant }
                i = j
            }
            // Nothing to store when nothing fired on the system clock: a watermark that lags after
            // a crash only makes catch-up look again at triggers whose events are already stored,
            // and stored event ids are never stored twice.
            if persistClock || !pending.isEmpty {
                try store.write { tx in try finishMove(to: now, tx: tx, persistClock: persistClock) }
            } else {
                for c in campaigns.values where c.status == .active && c.watermark < now { campaigns[c.id]?.watermark = now }
            }
        }
        try sealDigests(upTo: now)
        fired += try endSilences(upTo: now)
        if fired > 0 { logger.debug("fired events", metadata: ["count": "\(fired)", "now": "\(now)", "catchUp": "\(catchUp)"]) }
        return fired
    }

    private func finishMove(to now: Date, tx: StoreTx, persistClock: Bool) throws {
        for c in campaigns.values where c.status == .active && c.watermark < now {
            try tx.setWatermark(c.id, now)
            campaigns[c.id]?.watermark = now
        }
        if persistClock { try tx.setStoredClock(now) }
    }

    /// Time first, then campaign, then the schedule's own order (stage, kind, unit).
    static func firingOrder(_ a: (CampaignRow, Trigger), _ b: (CampaignRow, Trigger)) -> Bool {
        if a.1.instant != b.1.instant { return a.1.instant < b.1.instant }
        if a.0.id != b.0.id { return a.0.id < b.0.id }
        return Schedule.firingOrder(a.1, b.1)
    }

    // MARK: - Firing

    /// Stores the event a trigger caused (late if the trigger is); returns it with its seq, or nil
    /// when this occurrence was stored before (same id).
    /// Stores the events of one trigger (marked late when it fires late) and counts those stored:
    /// an event id already stored is the same occurrence and is not stored again.
    final class TriggerEvents {
        let trigger: Trigger
        let tx: StoreTx
        let observe: ((EventBody) -> Void)?
        private(set) var stored = 0

        init(_ trigger: Trigger, tx: StoreTx, observe: ((EventBody) -> Void)?) {
            self.trigger = trigger
            self.tx = tx
            self.observe = observe
        }

        /// The event as stored (with its seq), or nil when it already was.
        @discardableResult
        func callAsFunction(_ body: EventBody) throws -> EventBody? {
            var b = body
            if trigger.late { b.late = true }
            guard let seq = try tx.appendEvent(b, at: trigger.instant) else { return nil }
            b.seq = seq
            observe?(b)
            stored += 1
            return b
        }
    }

    /// A slice of a trigger's targets: those after a path, at most `limit`.
    struct Slice {
        var after: String?
        var limit: Int
    }

    /// Stores the events of one trigger; returns how many were stored.
    func fire(_ t: Trigger, campaign c: CampaignRow, tx: StoreTx, observe: ((EventBody) -> Void)? = nil) throws -> Int {
        try fire(t, campaign: c, tx: tx, observe: observe, slice: nil).stored
    }

    /// Stores the events of one trigger for the targets of `slice` (all without one); returns how
    /// many were stored and, when the slice was full, the path after which the next one starts.
    func fire(_ t: Trigger, campaign c: CampaignRow, tx: StoreTx, observe: ((EventBody) -> Void)? = nil, slice: Slice?) throws -> (stored: Int, next: String?) {
        if let task = t.task { return (try fireTask(t, task: task, campaign: c, tx: tx, observe: observe), nil) }
        guard let stage = c.plan.stage(t.stage) else { return (0, nil) }
        var next: String?
        func targets() throws -> [Target] {
            let all = try tx.targets(campaign: c.id, stage: stage, rootPath: c.rootPath, unit: t.unit, afterPath: slice?.after, limit: slice?.limit,
                                     contacts: stage.remindsMembers)
            if let slice, all.count >= slice.limit { next = all.last?.path }
            return all
        }
        let plan = c.plan
        let zone = plan.zone
        let emit = TriggerEvents(t, tx: tx, observe: observe)
        // One member's own deadline (`extend --member`): their events' ids name them.
        let ownMember = Schedule.splitMemberKey(t.unit).member.map { [$0] } ?? []
        switch t.kind {
        case .opened:
            var b = event(.stageOpened, [stage.id], campaign: c, unit: plan.root, path: c.rootPath, stage: stage.id, at: t.instant)
            b.due = Instant.format(stage.due, timeZone: zone)
            b.message = Messages.stageOpened(stage: stage, plan: plan)
            try emit(b)
        case .reminder, .overdue:
            let isReminder = t.kind != .overdue
            let lead: Int64 = if case .reminder(let l) = t.kind { l } else { 0 }
            for target in try targets() {
                let type: EventType = isReminder ? .deadlineReminder : .deadlineOverdue
                var b = event(type, [stage.id, target.unit, "\(t.due.epoch)"] + (isReminder ? [DurationText.format(lead)] : []) + ownMember,
                              campaign: c, unit: target.unit, path: target.path, stage: stage.id, at: t.instant)
                b.due = Instant.format(t.due, timeZone: zone)
                if isReminder { b.lead = DurationText.format(lead) }
                let names = target.members.map(\.name)
                if stage.isMemberStage { b.members = target.members.map { EventMember(id: $0.id, name: $0.name) } }
                b.message = isReminder
                    ? Messages.reminder(stage: stage, unitName: target.name, due: t.due, lead: lead, lateMembers: names, plan: plan)
                    : Messages.overdue(stage: stage, unitName: target.name, due: t.due, lateMembers: names, plan: plan)
                guard let stored = try emit(b) else { continue }
                // Reminders go to the unit; an overdue unit hears from the escalation ladder, or,
                // when the plan has none, from this event.
                if (isReminder && stage.remindsUnit) || (!isReminder && (plan.escalation?.ladder ?? []).isEmpty) {
                    // Addressed to the committee that acts for the unit ("Đảng ủy …"), as its
                    // escalations, digests and resolved notices are: one recipient, one name.
                    let who = (target.unit, OrgUnit.committeeName(name: target.name, kind: target.kind ?? .cell), target.path, target.email, target.phone)
                    try enqueue(isReminder ? .reminder : .overdue, event: stored, at: t.instant, to: who, about: (target.unit, target.name, target.path),
                                stage: stage, plan: plan, due: t.due, lateMembers: names, extra: { $0.leadText = isReminder ? DurationText.vietnamese(lead) : nil }, tx: tx)
                }
                // `remind: [members]`: each late member with an address gets a reminder of their own.
                if isReminder, stage.remindsMembers {
                    for m in target.members {
                        guard let contact = target.memberContacts[m.id], contact.email != nil || contact.phone != nil else { continue }
                        try enqueue(.reminder, event: stored, at: t.instant, to: (m.id, m.name, target.path, contact.email, contact.phone),
                                    about: (target.unit, target.name, target.path), stage: stage, plan: plan, due: t.due, lateMembers: [], extra: {
                                        $0.key = "\(stored.id)/\(m.id)"
                                        $0.member = m.id
                                        $0.leadText = DurationText.vietnamese(lead)
                                    }, tx: tx)
                    }
                }
            }
        case .escalation(let step, let round):
            guard let ladderStep = plan.escalation?.ladder[step] else { return (0, nil) }
            let acknowledged = try tx.acknowledgedUnits(campaign: c.id, stage: stage.id, due: t.due)
            let targets = try targets().filter { !acknowledged.contains($0.unit) }
            // A step above the root goes to the plan's body above it, or nowhere; a step that
            // would come back to the late unit itself is skipped (Delivery.swift).
            let hasAbove = plan.escalation?.above != nil
            let toIds = targets.map { Engine.escalationTarget(ladderStep.to, unitPath: $0.path, rootPath: c.rootPath, above: hasAbove) }
            let committees = try escalationRecipients(Set(toIds.compactMap { $0 }), plan: plan, rootPath: c.rootPath, committeeNames: true, tx: tx)
            let late = t.instant.epoch - t.due.epoch
            for (target, toId) in zip(targets, toIds) {
                guard let toId, let to = committees[toId] else { continue }
                let escalation = try tx.raiseEscalation(campaign: c.id, stage: stage.id, unit: target.unit, due: t.due, level: step, target: toId, at: t.instant)
                var b = event(.escalationRaised, [stage.id, target.unit, "\(t.due.epoch)", "\(step)", "\(round)"] + ownMember,
                              campaign: c, unit: target.unit, path: target.path, stage: stage.id, at: t.instant)
                b.due = Instant.format(t.due, timeZone: zone)
                b.level = step
                b.to = toId
                b.escalation = escalation
                if stage.isMemberStage { b.members = target.members.map { EventMember(id: $0.id, name: $0.name) } }
                b.message = Messages.escalation(stage: stage, unitName: target.name, targetName: to.name, level: step, due: t.due, late: late, plan: plan)
                guard let stored = try emit(b) else { continue }
                try enqueue(.escalation, event: stored, at: t.instant, to: to, about: (target.unit, target.name, target.path),
                            stage: stage, plan: plan, due: t.due, lateMembers: target.members.map(\.name), extra: {
                                $0.level = step
                                $0.escalation = escalation
                                $0.lateText = Messages.lateText(late)
                            }, tx: tx)
            }
        }
        return (emit.stored, next)
    }
}

extension Schedule {
    /// Catch-up keeps the latest per stage and unit; only what fell due strictly before `now` is
    /// late (a trigger exactly at `now` is on time).
    static func collapsedForCatchUp(_ ts: [Trigger], before now: Date) -> [Trigger] {
        collapsedForCatchUp(ts).map { var t = $0; t.late = t.instant < now; return t }
    }
}
