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
}
