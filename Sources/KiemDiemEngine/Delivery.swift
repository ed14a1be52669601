import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

/// Which delivery channel serves a unit: the most specific configured unit on its path from the
/// root, else the default (config `delivery.default`, `delivery.units`).
public struct DeliveryRouting: Sendable, Equatable {
    public var defaultChannel = Channel.spool
    public var byUnit: [String: Channel] = [:]
    /// `delivery.group_wait`, in seconds of campaign time: reminders, overdue notices and
    /// escalations for one recipient within one window of this length go out as one letter
    /// (0: each alone).
    public var groupWait: Int64 = 0

    public init(defaultChannel: Channel = .spool, byUnit: [String: Channel] = [:], groupWait: Int64 = 0) {
        self.defaultChannel = defaultChannel
        self.byUnit = byUnit
        self.groupWait = groupWait
    }

    /// `path` is the unit's path from the root, `duk/so-tai-chinh/…/`.
    public func channel(forPath path: String) -> Channel {
        for id in path.split(separator: "/").reversed() { if let c = byUnit[String(id)] { return c } }
        return defaultChannel
    }

    /// Parses `unit:channel, unit:channel`.
    public static func parseUnits(_ text: String) -> [String: Channel]? {
        var out: [String: Channel] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, Code.isValid(parts[0]), let channel = Channel(rawValue: parts[1]) else { return nil }
            out[parts[0]] = channel
        }
        return out
    }
}

/// Timing of the jobs side. Jobs live in wall-clock time (a lease or a back-off is about real
/// workers and servers, whatever the campaign clock says).
public struct JobPolicy: Sendable, Equatable {
    public var lease: Duration = .seconds(30)
    public var maxAttempts = 8
    public var backoffBase: Duration = .seconds(2)
    public var backoffMax: Duration = .seconds(300)
    /// A worker that sends nothing for this long is taken for dead; its jobs go back.
    public var workerTimeout: Duration = .seconds(5)
    public var heartbeat: Duration = .seconds(1)

    public init() {}

    /// Exponential back-off after the n-th failed attempt, capped.
    public func backoff(afterAttempt n: Int) -> Duration {
        min(backoffMax, backoffBase * (1 << min(max(0, n - 1), 30)))
    }
}

extension Engine {
    /// Queues the notification of a stored event to one unit, in the event's transaction.
    /// A notification for `recipient` about `unit`, queued; or held, when a silence covers the
    /// unit and the stage at `instant` (reminders, overdue notices, escalations only).
    func enqueue(_ kind: JobPayload.Kind, event: EventBody, at instant: Date? = nil, to recipient: (id: String, name: String, path: String, email: String?, phone: String?),
                 about unit: (id: String, name: String, path: String), stage: Stage, plan: Plan, due: Date,
                 lateMembers: [String], extra: (inout JobPayload) -> Void = { _ in }, tx: StoreTx) throws {
        let zone = plan.zone
        var p = JobPayload(kind: kind, event: event.id, key: event.id, campaign: plan.id, campaignTitle: plan.title, stage: stage.id,
                           stageTitle: stage.title, unit: unit.id, unitName: unit.name, unitPath: unit.path, recipient: recipient.id,
                           recipientName: recipient.name, recipientEmail: recipient.email, due: Instant.format(due, timeZone: zone),
                           dueText: Instant.vietnameseDeadline(due, timeZone: zone), time: event.time)
        if !lateMembers.isEmpty { p.lateMembers = lateMembers }
        p.recipientPhone = recipient.phone
        p.late = event.late
        extra(&p)
        if let links, kind != .suggestion, p.member == nil { // a member gets no link to the cell's page
            // Real time: a person opens it, whatever the campaign's clock says.
            let claim = kind == .escalation
                ? links.claim(.ack, escalation: p.escalation ?? 0, recipient: recipient.id, unit: unit.id, stage: stage.id, now: wallNow())
                : links.claim(.view, recipient: recipient.id, unit: unit.id, stage: stage.id, now: wallNow())
            p.link = links.link(claim)
        }
        let channel = routing.channel(forPath: recipient.path)
        if [.reminder, .overdue, .escalation].contains(kind), let instant,
           let s = silences.first(where: { $0.holds(campaign: plan.id, path: unit.path, stage: stage.id, at: instant) }) {
            _ = try tx.holdJob(silence: s.id, key: p.key, eventSeq: event.seq, kind: kind, channel: channel, recipient: recipient.id,
                               address: recipient.email, payload: p.json, stage: stage.id, unit: unit.id)
            return
        }
        if routing.groupWait > 0, [.reminder, .overdue, .escalation].contains(kind), let instant {
            let end = Engine.windowEnd(instant, routing.groupWait)
            _ = try tx.addDigestItem(windowEnd: end, recipient: recipient.id, channel: channel, key: p.key, eventSeq: event.seq, kind: kind,
                                     address: recipient.email, payload: p.json)
            digestEnds.insert(end) // at worst one wake-up too many, should the transaction fail
            return
        }
        try tx.enqueueJob(key: p.key, eventSeq: event.seq, kind: kind, channel: channel,
                          recipient: recipient.id, address: recipient.email, payload: p.json, now: wallNow())
    }

    /// The committee a ladder step goes to, for the deadline of the unit at `unitPath` (for a
    /// directed review or a remediation item, the owner's path): the unit itself (`to: unit`, its
    /// own reminder) or an ancestor on its path, never above the campaign's root. nil: the step
    /// is skipped, because it would climb above the root and the plan names no body there
    /// (`escalation.above`), or because it would come back to the unit itself (the root's own
    /// `parent` or `root` step: a committee is not escalated to itself).
    /// `Escalation.aboveRecipient`: the plan's body above the root receives it.
    static func escalationTarget(_ to: Escalation.Target, unitPath: String, rootPath: String, above: Bool = false) -> String? {
        let ids = unitPath.split(separator: "/").map(String.init)
        let rootIndex = rootPath.split(separator: "/").count - 1
        let own = ids.count - 1
        let index = switch to {
        case .unit: own
        case .parent: own - 1
        case .grandparent: own - 2
        case .root: rootIndex
        }
        if to == .unit { return ids[own] }
        if index < rootIndex { return above ? Escalation.aboveRecipient : nil }
        if index >= own { return nil }
        return ids[index]
    }

    /// Who receives the steps that go to `ids`: units of the tree (by the committee's name when
    /// `committeeNames`, else the unit's), and the plan's body above the root. Unknown ids are
    /// left out.
    func escalationRecipients(_ ids: Set<String>, plan: Plan, rootPath: String, committeeNames: Bool,
                              tx: StoreTx) throws -> [String: (id: String, name: String, path: String, email: String?, phone: String?)] {
        var out: [String: (id: String, name: String, path: String, email: String?, phone: String?)] = [:]
        var units = ids
        if let above = plan.escalation?.above, units.remove(Escalation.aboveRecipient) != nil {
            out[Escalation.aboveRecipient] = (Escalation.aboveRecipient, above.name, rootPath, above.email, above.phone)
        }
        for (id, u) in try tx.units(units) {
            out[id] = (u.id, committeeNames ? u.unit.committeeName : u.unit.name, u.path, u.unit.email, u.unit.phone)
        }
        return out
    }

    /// The end of the window of `groupWait` seconds that `instant` falls in (windows are aligned
    /// on the Unix epoch, so every daemon and restart cuts them alike).
    static func windowEnd(_ instant: Date, _ groupWait: Int64) -> Date {
        Date(epoch: (instant.epoch / groupWait + 1) * groupWait)
    }

    /// Sends what the windows ended by `now` gathered: a recipient with one notification gets it
    /// as it is; with several, one digest listing them all, whose key is derived from theirs
    /// (the recipient, the window, the SHA-256 of the notifications' keys): once, whatever
    /// the restarts. Returns the jobs queued.
    @discardableResult
    func sealDigests(upTo now: Date) throws -> Int {
        guard digestEnds.contains(where: { $0 <= now }) else { return 0 }
        let queued = try store.write { tx -> Int in
            let items = try tx.digestItems(endedBy: now)
            var queued = 0
            var i = 0
            let decoder = WireJSON.decoder()
            while i < items.count {
                var j = i
                while j < items.count, items[j].windowEnd == items[i].windowEnd, items[j].recipient == items[i].recipient, items[j].channel == items[i].channel { j += 1 }
                let group = Array(items[i..<j])
                i = j
                if group.count == 1, let one = group.first {
                    if try tx.enqueueJob(key: one.key, eventSeq: one.eventSeq, kind: one.kind, channel: one.channel, recipient: one.recipient,
                                         address: one.address, payload: one.payload, now: wallNow()) { queued += 1 }
                    continue
                }
                let payloads = group.compactMap { try? decoder.decode(JobPayload.self, from: Data($0.payload.utf8)) }
                guard let first = payloads.first, let last = group.last else { continue }
                let digestKey = "digest/\(first.recipient)/\(last.windowEnd.epoch)/" + WebToken.hash(group.map(\.key).sorted().joined(separator: "\n")).prefix(16)
                var d = JobPayload(kind: .digest, event: first.event, key: digestKey, campaign: first.campaign, campaignTitle: first.campaignTitle,
                                   stage: first.stage, stageTitle: first.stageTitle, unit: first.recipient, unitName: first.recipientName, unitPath: "",
                                   recipient: first.recipient, recipientName: first.recipientName, recipientEmail: first.recipientEmail,
                                   due: payloads.map(\.due).min() ?? first.due, dueText: first.dueText, time: payloads.map(\.time).max() ?? first.time)
                d.recipientPhone = first.recipientPhone
                d.items = payloads
                d.events = payloads.map(\.event)
                if try tx.enqueueJob(key: digestKey, eventSeq: group.map(\.eventSeq).max()!, kind: .digest, channel: group[0].channel,
                                     recipient: first.recipient, address: group[0].address, payload: d.json, now: wallNow()) { queued += 1 }
            }
            try tx.deleteDigestItems(endedBy: now)
            return queued
        }
        digestEnds = digestEnds.filter { $0 > now }
        return queued
    }
}

