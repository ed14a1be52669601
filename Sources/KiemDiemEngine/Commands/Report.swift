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
                out.append(r)
            }
            if out.isEmpty, let u = f.unit { throw ErrorBody(.notFound, "no campaign covers unit '\(u)'") }
            return out
        }
    }
}
