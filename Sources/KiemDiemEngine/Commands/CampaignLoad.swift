import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Logging

extension CampaignLoad: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.loadCampaign(args, now: context.now)
    }
}

extension Engine {
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
        // One transaction: the campaign, the shortcomings it carries over, and what fell due
        // before `now` (fired once, late). Everything before the opening is history.
        let watermark = plan.opens.addingTimeInterval(-1)
        let saved = (campaigns, schedules)
        let carried: Int
        do {
            carried = try store.write { tx in
                try tx.insertCampaign(plan, source: file.content, loadedAt: now, watermark: watermark)
                // Shortcomings not yet fixed are followed into the new campaign (docs/rules.md, remediation).
                let carried = try tx.carryOverRemediation(to: plan.id, subtree: root.path)
                try tx.excuseMembers()
                let row = CampaignRow(plan: plan, status: .active, watermark: watermark, rootPath: root.path)
                let schedule = Schedule(plan: plan, tasks: try Engine.tasks(of: plan.id, tx: tx))
                campaigns[plan.id] = row
                schedules[plan.id] = schedule
                if now >= plan.opens {
                    for t in Schedule.collapsedForCatchUp(schedule.triggers(after: watermark, through: now), before: now) {
                        _ = try fire(t, campaign: row, tx: tx)
                    }
                    try tx.setWatermark(plan.id, now)
                    campaigns[plan.id]?.watermark = now
                }
                return carried
            }
        } catch {
            (campaigns, schedules) = saved // nothing was stored
            throw error
        }
        if carried > 0 {
            logger.info("remediation carried over", metadata: ["campaign": "\(plan.id)", "items": "\(carried)"])
            try reload() // the campaigns the items came from no longer follow them
        }
        return info(campaigns[plan.id]!, now: now)
    }
}
