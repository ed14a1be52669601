import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Report: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.report(args, now: context.now)
    }

    /// Off the loop: the root report of a national tree reads 100,000 children's rollups
    /// (seconds), and nothing else should wait for it.
    public static func later(_ args: Args, in context: CommandContext) throws -> (@Sendable (AuditRow?) throws -> Result)? {
        let view = context.engine.readView(), now = context.now
        return { _ in try view.engine.report(args, now: now) }
    }
}

extension Engine {
    /// With `childStages`, each child carries its figures per stage too (the page's `view`).
    public func report(_ f: UnitFilter, now: Date, childStages: Bool = false) throws -> [ReportResult] {
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
                try addRulesReport(&r, campaign: c, unit: unit, now: now, tx: tx, childStages: childStages)
                let silenced = try silenceInfos(touching: unit.path, tx: tx).filter { $0.campaign == c.id }
                if !silenced.isEmpty { r.silences = silenced }
                if f.names == true || childStages { try addNames(&r, plan: c.plan, tx: tx) }
                out.append(r)
            }
            if out.isEmpty, let u = f.unit { throw ErrorBody(.notFound, "no campaign covers unit '\(u)'") }
            return out
        }
    }
}

extension Engine {
    /// The plan's title and the names of the units and members a report gives by id: what a
    /// person reads in place of the ids (`kiemdiemctl report`'s table, the page).
    func addNames(_ r: inout ReportResult, plan: Plan, tx: StoreTx) throws {
        r.campaignTitle = plan.title
        r.quotaShare = plan.quota?.share
        var units = Set<String>()
        var members = Set<String>()
        for f in r.flags ?? [] { units.insert(f.unit) }
        for q in r.ratings?.quota ?? [] { units.insert(q.unit) }
        for c in r.conflicts ?? [] { units.insert(c.unit) }
        for e in r.earlierRemediation ?? [] {
            units.insert(e.unit)
            if let m = e.member { members.insert(m) }
        }
        for s in r.suggestions ?? [] { units.formUnion([s.unit, s.author]) }
        for s in r.silences ?? [] { units.insert(s.unit) }
        var names: [String: String] = [:]
        for (id, u) in try tx.units(units) { names[id] = u.unit.name }
        for m in members.sorted() { if let member = try tx.member(m) { names[m] = member.name } }
        r.names = names
    }
}
