import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Rate: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.rate(args, now: context.now, by: context.caller.name)
    }
}

extension Engine {
    /// `rate FILE`: proposed or decided ratings, checked as one change of the campaign's state.
    /// Every finding comes back at once (and is published as `rating.rejected` on its unit's
    /// topic); nothing of a refused file is stored. An accepted file is stored whole, with the
    /// running quota counts of the organizations it touched.
    public func rate(_ a: RateArgs, now: Date, by actor: String) throws -> RateResult {
        let c = try ratingCampaign(a.campaign)
        guard c.status != .completed else { throw ErrorBody(.conflict, "campaign '\(c.id)' is completed") }
        try checkRatingOpen(c, now: now) // Engine+RatingGates.swift
        let cause = "\(now.epoch)/\(UUID().uuidString.prefix(8))"
        let outcome = try store.write { tx -> (findings: [RatingFinding], accepted: Int, warnings: [String]) in
            let before = try ratingState(c, tx: tx)
            let entries = try parseRatings(a, state: before)
            let already = entries.filter { before.rating($0.key, .decided) != nil }
            if !already.isEmpty {
                throw ErrorBody(.invalidInput, "\(a.name): already decided (the upper committee annuls first with rate annul): "
                                + already.prefix(10).map { "line \($0.line): \($0.subject)" }.joined(separator: ", "))
            }
            let gate = try directedReviewFindings(c, entries: entries, tx: tx) // Engine+RatingGates.swift
            var after = before
            for e in entries { after.set(e) }
            let scope = RatingRules.affectedUnits(entries.map(\.key), tree: before.tree)
            let findings = gate.findings + RatingRules.newFindings(before: RatingRules.invariants(before, units: scope), after: RatingRules.invariants(after, units: scope))
                + RatingRules.orderFindings(for: entries, in: after)
            // A refused file stores nothing but its findings, published as `rating.rejected`.
            guard findings.isEmpty else {
                try publish(findings, as: .ratingRejected, cause: cause, campaign: c, now: now, tx: tx)
                return (findings, 0, [])
            }
            try tx.insertRatings(campaign: c.id, entries: entries, at: now, by: actor)
            // The running count against the cap, for the organizations whose decisions the file touched.
            return ([], entries.count, gate.warnings + RatingRules.quotaWarnings(touching: entries.filter { $0.status == .decided }.map(\.key), after))
        }
        if !outcome.findings.isEmpty {
            throw ErrorBody(.rejected, "\(a.name): \(outcome.findings.count) finding(s) under \(c.plan.ruleset.rawValue); nothing was stored",
                            details: outcome.findings.map(Engine.describe))
        }
        return RateResult(campaign: c.id, accepted: outcome.accepted, warnings: outcome.warnings.isEmpty ? nil : outcome.warnings)
    }

    /// CSV `subject,kind,level[,note][,commendation][,status][,score,on_time,beyond]`; every bad
    /// line is reported.
    func parseRatings(_ a: RateArgs, state s: RatingState) throws -> [RatingEntry] {
        let rows: [(line: Int, values: CSVRow)]
        do {
            rows = try CSV.table(a.content, source: a.name, columns: Engine.ratingColumns, required: ["subject", "kind", "level"])
        } catch { throw ErrorBody(error) }
        var errors: [InputError] = []
        var out: [RatingEntry] = []
        var seen: [RatingRef: Int] = [:]
        let scored = s.ruleset == .qd366
        for (line, v) in rows {
            func bad(_ reason: String) { errors.append(InputError(source: a.name, line: line, reason: reason)) }
            let subject = v["subject"] ?? ""
            guard let kind = RatingEntry.Kind(rawValue: v["kind"] ?? "") else { bad("kind must be member or unit, not '\((v["kind"] ?? "").prefix(40))'"); continue }
            guard let level = RatingLevel(rawValue: v["level"] ?? "") else {
                bad("level must be excellent, good, completed or failed, not '\((v["level"] ?? "").prefix(40))'"); continue
            }
            guard kind == .member ? s.tree.members[subject] != nil : s.tree.units[subject] != nil else { bad("unknown \(kind.rawValue) '\(subject.prefix(64))'"); continue }
            let status: RatingStatus
            switch v["status"] ?? "" {
            case "": status = a.proposed == true ? .proposed : .decided
            case let t: guard let st = RatingStatus(rawValue: t) else { bad("status must be proposed or decided, not '\(t.prefix(40))'"); continue }; status = st
            }
            let ref = RatingRef(kind: kind, subject: subject, status: status)
            if let first = seen[ref] { bad("'\(subject)' has two \(status.rawValue) ratings (first on line \(first))"); continue }
            seen[ref] = line
            let commendation: Bool
            switch (v["commendation"] ?? "").lowercased() {
            case "", "false", "no", "0": commendation = false
            case "true", "yes", "1": commendation = true
            case let other: bad("commendation must be true or false, not '\(other.prefix(40))'"); continue
            }
            // Quy định 366-QĐ/TW scores every collective and person on 100 points; the task
            // figures are what its Article 11 conditions read.
            var numbers: [String: Double] = [:]
            var numbersOK = true
            for col in ["score", "on_time", "beyond"] {
                guard let t = v[col], !t.isEmpty else { continue }
                guard let x = Double(t), x >= 0, x <= 100 else { bad("\(col) must be a number from 0 to 100, not '\(t.prefix(40))'"); numbersOK = false; break }
                numbers[col] = x
            }
            guard numbersOK else { continue }
            if !scored, !numbers.isEmpty {
                bad("score, on_time and beyond apply under qd366-2025; campaign '\(s.ruleset.rawValue)' rates by level only"); continue
            }
            if scored {
                let missing = ["score"] + (level > .failed ? ["on_time"] : []) + (level == .excellent ? ["beyond"] : [])
                let absent = missing.filter { numbers[$0] == nil }
                if !absent.isEmpty { bad("under qd366-2025 a rating \(level.rawValue) needs \(absent.joined(separator: ", "))"); continue }
            }
            out.append(RatingEntry(subject: subject, kind: kind, level: level, status: status, commendation: commendation,
                                   note: v["note"].flatMap { $0.isEmpty ? nil : $0 }, score: numbers["score"], onTime: numbers["on_time"],
                                   beyond: numbers["beyond"], line: line))
        }
        if !errors.isEmpty { throw ErrorBody(InputErrors(errors)) }
        return out
    }
}
