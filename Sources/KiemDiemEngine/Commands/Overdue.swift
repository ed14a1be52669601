import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Overdue: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.overdue(args, now: context.now)
    }
}

extension Engine {
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
}
