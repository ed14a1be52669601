import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Suggest: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.suggest(args, now: context.now, by: context.caller.name)
    }
}

extension Engine {
    /// `suggest UNIT --file F`: the upper committee's written review suggestions (gợi ý kiểm
    /// điểm) for a unit, published as `review.suggested` and delivered to the unit by the workers.
    public func suggest(_ a: SuggestArgs, now: Date, by actor: String) throws -> SuggestionInfo {
        let text = a.content.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw ErrorBody(.invalidInput, "\(a.name): the suggestions file is empty") }
        let unit = try store.read { try knownUnit(a.unit, tx: $0) }
        guard let parentId = unit.unit.parent else { throw ErrorBody(.badRequest, "the root has no upper committee to suggest its review") }
        let c = try resolveCampaign(a.campaign, unit: unit, stage: nil)
        guard c.status != .completed else { throw ErrorBody(.conflict, "campaign '\(c.id)' is completed") }
        let zone = c.plan.zone
        return try store.write { tx in
            let author = try knownUnit(parentId, tx: tx)
            let id = try tx.insertSuggestion(campaign: c.id, unit: unit.id, author: author.id, name: a.name, text: text, at: now, by: actor)
            var b = event(.reviewSuggested, ["\(id)"], campaign: c, unit: unit, at: now)
            b.to = unit.id
            let flagged = try !tx.openFlags(unit: unit.id).isEmpty
            b.message = Messages.reviewSuggested(author: author.unit.committeeName, committee: unit.unit.committeeName, flagged: flagged, text: text)
            guard let seq = try tx.appendEvent(b, at: now) else { throw ErrorBody(.conflict, "suggestion \(id) already published") }
            b.seq = seq
            var p = JobPayload(kind: .suggestion, event: b.id, key: b.id, campaign: c.id, campaignTitle: c.plan.title, stage: "review-suggestion",
                               stageTitle: Messages.suggestionTitle, unit: unit.id, unitName: unit.unit.name, unitPath: unit.path, recipient: unit.id,
                               recipientName: unit.unit.committeeName, recipientEmail: unit.unit.email, due: Instant.format(now, timeZone: zone),
                               dueText: Instant.vietnameseDate(now, timeZone: zone), time: b.time)
            p.text = text
            p.authorName = author.unit.committeeName
            p.recipientPhone = unit.unit.phone
            try tx.enqueueJob(key: p.key, eventSeq: seq, kind: p.kind, channel: routing.channel(forPath: unit.path), recipient: unit.id,
                              address: unit.unit.email, payload: p.json, now: wallNow())
            return SuggestionInfo(id: id, unit: unit.id, author: author.id, name: a.name, text: text, time: b.time)
        }
    }
}
