import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

/// Ratings held as invariants of the campaign's stored state (docs/rules.md): every change that
/// can affect a rating is applied to the state as stored and the rules are evaluated over the
/// result, in the transaction that stores it.
extension Engine {
    /// Rules whose findings a recorded fact (discipline, a conclusion) can bring about: the fact
    /// is accepted and the ratings it contradicts are published as conflicts to re-decide.
    /// A discipline or a conclusion also leaves fewer parts that can still be decided `good`, so
    /// the quota and rule 5 can be broken by a fact too.
    static let factRules: Set<String> = ["disciplined", "conclusion", "disciplined-units", "excellent-discipline", "quota", "role-quota", "excellent-unit"]

    /// The campaign a rating command is about: the named one, or the only one not completed.
    func ratingCampaign(_ id: String?) throws -> CampaignRow {
        if let id { return try campaign(id) }
        let open = orderedCampaigns.filter { $0.status != .completed }
        guard open.count == 1 else {
            throw ErrorBody(open.isEmpty ? .notFound : .badRequest,
                            open.isEmpty ? "no open campaign" : "name the campaign with --campaign (\(open.map(\.id).joined(separator: ", ")))")
        }
        return open[0]
    }

    /// The campaign's rating state as stored, read in `tx`.
    func ratingState(_ c: CampaignRow, tx: StoreTx) throws -> RatingState {
        var s = RatingState(tree: RatingTree(units: try tx.allUnits(), members: try tx.allMembers()), year: c.plan.year,
                            ruleset: c.plan.ruleset, quota: c.plan.quota, ratings: try tx.currentRatings(campaign: c.id).map(\.entry))
        s.conclusions = try tx.conclusions(campaign: c.id)
        s.earlierRemediation = try tx.earlierOpenRemediation(campaign: c.id)
        return s
    }

    /// Publishes findings on their units' topics, one event each.
    func publish(_ findings: [RatingFinding], as type: EventType, cause: String, campaign c: CampaignRow, now: Date, tx: StoreTx) throws {
        for (i, f) in findings.enumerated() {
            guard let unit = try tx.unit(f.unit) else { continue }
            var b = event(type, [cause, "\(i)"], campaign: c, unit: unit, at: now)
            b.rule = f.rule
            b.message = f.message
            try tx.appendEvent(b, at: now)
        }
    }

    static func describe(_ f: RatingFinding) -> String {
        (f.line.flatMap { $0 > 0 ? "line \($0): " : nil } ?? "") + "[\(f.rule)] \(f.message)"
    }

    // MARK: - rate

    static let ratingColumns = ["subject", "kind", "level", "note", "commendation", "status", "score", "on_time", "beyond"]

    // MARK: - rate list

    // MARK: - annul

    // MARK: - Facts: discipline, conclusions

    /// Applies a change of facts in `tx` and returns the ratings in force it contradicts, published
    /// as `rating.conflict`: the fact stands, those ratings are to be annulled and re-decided. A
    /// change that breaks any other rule (a tree change that moves a head, …) is refused whole.
    /// `everyFinding`: every finding the change brings is a conflict (a members file: people
    /// join, leave, move and are disciplined, and none of it waits for the ratings).
    func recordFacts(in campaigns: [CampaignRow], cause: String, now: Date, tx: StoreTx, scope: (RatingTree) -> Set<String>?,
                     everyFinding: Bool = false, _ change: () throws -> Void) throws -> [RatingFinding] {
        let befores = try campaigns.filter { try tx.hasRatings(campaign: $0.id) }.map { ($0, try ratingState($0, tx: tx)) }
        try change()
        var conflicts: [RatingFinding] = []
        var refused: [RatingFinding] = []
        for (c, before) in befores {
            let after = try ratingState(c, tx: tx)
            let units = scope(after.tree)
            let brought = RatingRules.newFindings(before: RatingRules.invariants(before, units: units), after: RatingRules.invariants(after, units: units))
            let isFact = { (f: RatingFinding) in everyFinding || Engine.factRules.contains(f.rule) }
            let (facts, others) = (brought.filter(isFact), brought.filter { !isFact($0) })
            refused += others
            // Each conflict names everything its repair must change (the cascade `rate annul
            // --cascade` would run, with the level a fact forces).
            let explained = facts.map { f in
                var f = f
                f.message = RatingRules.conflictMessage(f, in: after)
                return f
            }
            try publish(explained, as: .ratingConflict, cause: cause, campaign: c, now: now, tx: tx)
            conflicts += explained
        }
        if !refused.isEmpty {
            throw ErrorBody(.rejected, "the change would break \(refused.count) rating rule(s) of the ratings in force; nothing was stored (annul the ratings concerned first)",
                            details: refused.map(Engine.describe))
        }
        return conflicts
    }

    /// A stage that names ratings (`RatingNeeds`) is done for a unit only when they are recorded:
    /// the refusal names what is missing, in Vietnamese, every kind at once.
    func checkStageRatings(_ stage: Stage, unit: UnitRow, campaign c: CampaignRow, tx: StoreTx) throws {
        let needs = stage.ratingNeeds
        guard !needs.isEmpty, !stage.isMemberStage else { return }
        // The unit's subtree only: what the stage names lies below it (and the heads above it).
        let (units, members, ratings) = try tx.ratingSubtree(campaign: c.id, path: unit.path)
        let s = RatingState(tree: RatingTree(units: units, members: members), year: c.plan.year, ruleset: c.plan.ruleset, quota: c.plan.quota,
                            ratings: ratings.map(\.entry))
        let missing = RatingRules.missing(needs, unit: unit.id, in: s)
        guard !missing.isEmpty else { return }
        throw ErrorBody(.rejected, "'\(unit.id)' cannot complete '\(stage.id)': \(missing.map(\.count).reduce(0, +)) rating(s) the stage names are not recorded",
                        details: missing.map { Findings.stageMissing(stage: stage.title, unit: unit.unit.name, missing: $0) })
    }

    // MARK: - Suggestions

}
