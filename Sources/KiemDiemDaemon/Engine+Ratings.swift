import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Engine {
    /// `rate FILE`: proposed ratings checked against the campaign's rule set. Every finding comes
    /// back at once (and is published as `rating.rejected` on its unit's topic); nothing of a
    /// refused file is stored. An accepted file is stored whole.
    public func rate(_ a: RateArgs, now: Date, by actor: String) throws -> RateResult {
        let campaign: CampaignRow
        if let id = a.campaign { campaign = try self.campaign(id) } else {
            let active = orderedCampaigns.filter { $0.status != .completed }
            guard active.count == 1 else { throw ErrorBody(.badRequest, "name the campaign with --campaign (\(active.map(\.id).joined(separator: ", ")))") }
            campaign = active[0]
        }
        let (entries, context) = try store.read { tx -> ([RatingEntry], RatingContext) in
            let units = try tx.allUnits()
            let members = try tx.allMembers()
            let entries = try parseRatings(a, units: Set(units.map(\.id)), members: Set(members.map(\.id)))
            var flags: [String: Set<FlagReason>] = [:]
            for f in try tx.openFlags() where f.confirmed { flags[f.unit, default: []].formUnion(f.reasons) }
            let stored = try tx.currentRatings(campaign: campaign.id).map(\.entry)
            let rated = Set(stored.map { RatingContext.key($0.kind, $0.subject) })
            let already = entries.filter { rated.contains(RatingContext.key($0.kind, $0.subject)) }
            if !already.isEmpty {
                throw ErrorBody(.invalidInput, "\(a.name): already rated (annul first with rate annul): " + already.prefix(10).map { "line \($0.line): \($0.subject)" }.joined(separator: ", "))
            }
            return (entries, RatingContext(units: units, members: members, confirmedFlags: flags, stored: stored))
        }
        let findings = RatingRules.check(entries, context: context, ruleset: campaign.plan.ruleset, quota: campaign.plan.quota)
        if !findings.isEmpty {
            try store.write { tx in
                for (i, f) in findings.enumerated() {
                    guard let unit = try tx.unit(f.unit) else { continue }
                    var b = event(.ratingRejected, id: "\(campaign.id)/rating.rejected/\(now.epoch)/\(UUID().uuidString.prefix(8))/\(i)", campaign: campaign, unit: unit, time: now)
                    b.rule = f.rule
                    b.message = f.message
                    try tx.appendEvent(b, at: now, encoder: encoder)
                }
            }
            throw ErrorBody(.rejected, "\(a.name): \(findings.count) finding(s) under \(campaign.plan.ruleset.rawValue); nothing was stored",
                            details: findings.map { ($0.line.map { "line \($0): " } ?? "") + "[\($0.rule)] \($0.message)" })
        }
        try store.write { try $0.insertRatings(campaign: campaign.id, entries: entries, at: now, by: actor) }
        return RateResult(campaign: campaign.id, accepted: entries.count)
    }

    /// CSV `subject,kind,level[,note][,commendation]`; every bad line is reported.
    func parseRatings(_ a: RateArgs, units: Set<String>, members: Set<String>) throws -> [RatingEntry] {
        let rows: [(line: Int, values: [String: String])]
        do {
            rows = try CSV.table(a.content, source: a.name, columns: ["subject", "kind", "level", "note", "commendation"], required: ["subject", "kind", "level"])
        } catch { throw ErrorBody(error) }
        var errors: [InputError] = []
        var out: [RatingEntry] = []
        var seen: [String: Int] = [:]
        for (line, v) in rows {
            let subject = v["subject"] ?? ""
            guard let kind = RatingEntry.Kind(rawValue: v["kind"] ?? "") else {
                errors.append(InputError(source: a.name, line: line, reason: "kind must be member or unit, not '\(v["kind"] ?? "")'")); continue
            }
            guard let level = RatingLevel(rawValue: v["level"] ?? "") else {
                errors.append(InputError(source: a.name, line: line, reason: "level must be excellent, good, completed or failed, not '\(v["level"] ?? "")'")); continue
            }
            guard (kind == .member ? members : units).contains(subject) else {
                errors.append(InputError(source: a.name, line: line, reason: "unknown \(kind.rawValue) '\(subject)'")); continue
            }
            if let first = seen["\(kind):\(subject)"] {
                errors.append(InputError(source: a.name, line: line, reason: "'\(subject)' is rated twice (first on line \(first))")); continue
            }
            seen["\(kind):\(subject)"] = line
            let commendation: Bool
            switch (v["commendation"] ?? "").lowercased() {
            case "", "false", "no", "0": commendation = false
            case "true", "yes", "1": commendation = true
            case let other: errors.append(InputError(source: a.name, line: line, reason: "commendation must be true or false, not '\(other)'")); continue
            }
            out.append(RatingEntry(subject: subject, kind: kind, level: level, commendation: commendation,
                                   note: v["note"].flatMap { $0.isEmpty ? nil : $0 }, line: line))
        }
        if !errors.isEmpty { throw ErrorBody(InputErrors(errors)) }
        return out
    }

    /// The upper committee annuls a rating (DOMAIN.md rule 7) so that it can be rated anew.
    public func annul(_ a: AnnulArgs, now: Date, by actor: String) throws -> AnnulResult {
        guard let kind = RatingEntry.Kind(rawValue: a.kind) else { throw ErrorBody(.invalidInput, "--kind must be member or unit") }
        let reason = a.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw ErrorBody(.invalidInput, "annulling a rating needs a --reason") }
        let c: CampaignRow
        if let id = a.campaign { c = try campaign(id) } else {
            guard let only = orderedCampaigns.filter({ $0.status != .completed }).first else { throw ErrorBody(.notFound, "no open campaign") }
            c = only
        }
        let level = try store.write { try $0.annulRating(campaign: c.id, kind: kind, subject: a.subject, reason: reason, at: now, by: actor) }
        guard let level else { throw ErrorBody(.notFound, "\(a.kind) '\(a.subject)' has no rating in force in '\(c.id)'") }
        return AnnulResult(subject: a.subject, kind: a.kind, annulled: level.rawValue)
    }
}
