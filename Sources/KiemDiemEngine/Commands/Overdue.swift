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
    static let overduePage = 1000, overduePageMax = 10_000

    /// Late units, one page at a time. The cursor `after` is `campaign:stage:path` of the last
    /// item of the previous page; `total` counts every page, from the rollups.
    public func overdue(_ a: OverdueArgs, now: Date) throws -> OverdueResult {
        if let id = a.campaign { _ = try campaign(id) }
        let limit = a.limit ?? Self.overduePage
        guard (1...Self.overduePageMax).contains(limit) else {
            throw ErrorBody(.badRequest, "limit must be between 1 and \(Self.overduePageMax), not \(limit)")
        }
        var cursor: (campaign: String, stage: String, path: String)?
        if let after = a.after {
            let parts = after.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, Code.isValid(parts[0]), Code.isValid(parts[1]), parts[2].hasSuffix("/") else {
                throw ErrorBody(.badRequest, "after '\(after.prefix(200))' is not a cursor of this list (campaign:stage:path, as 'next' gives it)")
            }
            cursor = (parts[0], parts[1], parts[2])
        }
        return try store.read { tx in
            let filterUnit = try a.unit.map { try knownUnit($0, tx: tx) }
            var items: [OverdueItem] = []
            var total = 0
            var more = false
            // Before the cursor's campaign and stage, nothing is listed; at them, after its path.
            var skipping = cursor != nil
            for c in orderedCampaigns where c.status != .completed && (a.campaign == nil || a.campaign == c.id) {
                let path = filterUnit.map { $0.path.hasPrefix(c.rootPath) ? $0.path : "" } ?? c.rootPath
                if path.isEmpty { continue }
                for s in c.plan.stages {
                    total += try tx.lateUnits(campaign: c.id, stage: s, subtree: path, now: now)
                    var afterPath: String?
                    if skipping, let k = cursor {
                        guard k.campaign == c.id, k.stage == s.id else { continue }
                        skipping = false
                        afterPath = k.path
                    }
                    guard !more else { continue }
                    let room = limit - items.count
                    let found = try tx.overdue(campaign: c.id, stage: s, subtree: path, now: now, afterPath: afterPath, limit: room + 1)
                    for (t, due) in found.prefix(room) {
                        items.append(OverdueItem(campaign: c.id, stage: s.id, unit: t.unit, name: t.name, path: t.path,
                                                 due: Instant.format(due, timeZone: c.plan.zone), lateMembers: s.isMemberStage ? t.members.count : nil))
                    }
                    if found.count > room { more = true }
                }
            }
            if skipping, let k = cursor { throw ErrorBody(.badRequest, "after: no stage '\(k.stage)' of an open campaign '\(k.campaign)' in this list") }
            let next = more ? items.last.map { "\($0.campaign):\($0.stage):\($0.path)" } : nil
            return OverdueResult(items: items, truncated: more, total: total, next: next)
        }
    }
}
