import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

/// Ratings held as invariants of the campaign's stored state (docs/rules.md): every change that
/// can affect a rating is applied to the state as stored and the rules are evaluated over the
/// result, in the transaction that stores it.
extension Engine {
    /// Stages whose completion closes an organization's review: from then on its quota holds
    /// even while some of its members are undecided.
    static let closingStages: [String: Set<UnitKind>] = [
        "grassroots-review": [.grassrootsCommittee, .grassrootsCell],
        "bloc-rating": [.bloc],
    ]

    /// Rules whose findings a recorded fact (discipline, a conclusion) can bring about: the fact
    /// is accepted and the ratings it contradicts are published as conflicts to re-decide.
    static let factRules: Set<String> = ["disciplined", "conclusion", "disciplined-units", "excellent-discipline"]

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
        s.closedReviews = try tx.unitsCompleted(campaign: c.id, stages: Array(Engine.closingStages.keys))
        return s
    }

    /// Publishes findings on their units' topics, one event each.
    func publish(_ findings: [RatingFinding], as type: EventType, cause: String, campaign c: CampaignRow, now: Date, tx: StoreTx) throws {
        for (i, f) in findings.enumerated() {
            guard let unit = try tx.unit(f.unit) else { continue }
            var b = event(type, id: "\(c.id)/\(type.rawValue)/\(cause)/\(i)", campaign: c, unit: unit, time: now)
            b.rule = f.rule
            b.message = f.message
            try tx.appendEvent(b, at: now, encoder: encoder)
        }
    }

    static func describe(_ f: RatingFinding) -> String {
        (f.line.flatMap { $0 > 0 ? "line \($0): " : nil } ?? "") + "[\(f.rule)] \(f.message)"
    }

    // MARK: - rate

    /// `rate FILE`: proposed or decided ratings, checked as one change of the campaign's state.
    /// Every finding comes back at once (and is published as `rating.rejected` on its unit's
    /// topic); nothing of a refused file is stored. An accepted file is stored whole, with the
    /// running quota counts of the organizations it touched.
    public func rate(_ a: RateArgs, now: Date, by actor: String) throws -> RateResult {
        let c = try ratingCampaign(a.campaign)
        guard c.status != .completed else { throw ErrorBody(.conflict, "campaign '\(c.id)' is completed") }
        let cause = "\(now.epoch)/\(UUID().uuidString.prefix(8))"
        let outcome = try store.write { tx -> (findings: [RatingFinding], accepted: Int, warnings: [String]) in
            let before = try ratingState(c, tx: tx)
            let entries = try parseRatings(a, state: before)
            let already = entries.filter { before.rating($0.key, .decided) != nil }
            if !already.isEmpty {
                throw ErrorBody(.invalidInput, "\(a.name): already decided (the upper committee annuls first with rate annul): "
                                + already.prefix(10).map { "line \($0.line): \($0.subject)" }.joined(separator: ", "))
            }
            var after = before
            for e in entries { after.set(e) }
            let scope = RatingRules.affectedUnits(entries.map(\.key), tree: before.tree)
            let findings = RatingRules.newFindings(before: RatingRules.invariants(before, units: scope), after: RatingRules.invariants(after, units: scope))
                + RatingRules.orderFindings(for: entries, in: after)
            guard findings.isEmpty else { return (findings, 0, []) }
            try tx.insertRatings(campaign: c.id, entries: entries, at: now, by: actor)
            // The running count against the cap, for the organizations whose decisions the file touched.
            return ([], entries.count, RatingRules.quotaWarnings(touching: entries.filter { $0.status == .decided }.map(\.key), after))
        }
        if !outcome.findings.isEmpty {
            try store.write { try publish(outcome.findings, as: .ratingRejected, cause: cause, campaign: c, now: now, tx: $0) }
            throw ErrorBody(.rejected, "\(a.name): \(outcome.findings.count) finding(s) under \(c.plan.ruleset.rawValue); nothing was stored",
                            details: outcome.findings.map(Engine.describe))
        }
        return RateResult(campaign: c.id, accepted: outcome.accepted, warnings: outcome.warnings.isEmpty ? nil : outcome.warnings)
    }

    static let ratingColumns = ["subject", "kind", "level", "note", "commendation", "status", "score", "on_time", "beyond"]

    /// CSV `subject,kind,level[,note][,commendation][,status][,score,on_time,beyond]`; every bad
    /// line is reported.
    func parseRatings(_ a: RateArgs, state s: RatingState) throws -> [RatingEntry] {
        let rows: [(line: Int, values: [String: String])]
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

    // MARK: - rate list

    public func ratings(_ a: RatingsArgs) throws -> [RatingInfo] {
        let c = try ratingCampaign(a.campaign)
        return try store.read { tx in
            let tree = RatingTree(units: try tx.allUnits(), members: try tx.allMembers())
            let inScope = try a.unit.map { try tx.unitIds(subtree: try knownUnit($0, tx: tx).path) }
            return try tx.currentRatings(campaign: c.id).compactMap { row in
                let e = row.entry
                guard let home = tree.home(of: e.key), inScope?.contains(home) ?? true else { return nil }
                return RatingInfo(subject: e.subject, kind: e.kind.rawValue, status: e.status.rawValue, level: e.level.rawValue, commendation: e.commendation,
                                  unit: home, score: e.score, onTime: e.onTime, beyond: e.beyond,
                                  ratedAt: Instant.format(row.ratedAt, timeZone: c.plan.zone), ratedBy: row.ratedBy)
            }
        }
    }

    // MARK: - annul

    /// The upper committee annuls a rating (DOMAIN.md rule 7) so that it can be re-decided. What
    /// rests on it (the head's rating, a collective's `excellent`, a commendation) is named, and
    /// the annulment is refused unless `cascade` annuls those too; each annulled rating is audited
    /// with the command and published as `rating.annulled`.
    public func annul(_ a: AnnulArgs, now: Date, by actor: String) throws -> AnnulResult {
        guard let kind = RatingEntry.Kind(rawValue: a.kind) else { throw ErrorBody(.invalidInput, "--kind must be member or unit") }
        let reason = a.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw ErrorBody(.invalidInput, "annulling a rating needs a --reason") }
        var status: RatingStatus?
        if let t = a.status {
            guard let st = RatingStatus(rawValue: t) else { throw ErrorBody(.invalidInput, "--status must be proposed or decided") }
            status = st
        }
        let c = try ratingCampaign(a.campaign)
        let key = RatingKey(kind, a.subject)
        return try store.write { tx in
            let s = try ratingState(c, tx: tx)
            let ref = RatingRef(kind: kind, subject: a.subject, status: status ?? (s.rating(key, .decided) != nil ? .decided : .proposed))
            guard let target = s.rating(ref) else { throw ErrorBody(.notFound, "\(a.kind) '\(a.subject)' has no \(ref.status.rawValue) rating in force in '\(c.id)'") }
            let cascade = a.cascade ?? false
            let (refs, findings) = RatingRules.annulment(of: [ref], in: s, cascade: cascade)
            if !cascade {
                var depends = findings.map { "[\($0.rule)] \($0.message) — " + $0.blame.map { "\($0.kind.rawValue) \($0.subject) (\($0.status.rawValue))" }.joined(separator: ", ") }
                if target.commendation {
                    depends.append("[commendation] đề nghị khen thưởng kèm theo mức xếp loại này của \(a.subject) sẽ bị huỷ cùng")
                }
                if !depends.isEmpty {
                    throw ErrorBody(.conflict, "annulling the \(ref.status.rawValue) rating of \(a.kind) '\(a.subject)' would leave \(depends.count) rating(s) without ground; annul them too with --cascade",
                                    details: depends)
                }
            }
            var annulled: [RatingEntry] = []
            for r in refs {
                let why = r == ref ? reason : "\(reason) (huỷ theo kết quả xếp loại của \(a.subject))"
                for e in try tx.annulRatings(campaign: c.id, [r], reason: why, at: now, by: actor) {
                    annulled.append(e)
                    guard let home = s.tree.home(of: e.key), let unit = try tx.unit(home) else { continue }
                    var b = event(.ratingAnnulled, id: "\(c.id)/rating.annulled/\(now.epoch)/\(e.kind.rawValue)/\(e.subject)/\(e.status.rawValue)/\(UUID().uuidString.prefix(8))",
                                  campaign: c, unit: unit, time: now)
                    if e.kind == .member { b.member = e.subject }
                    let who = e.kind == .member ? "đảng viên \(s.tree.members[e.subject]?.name ?? e.subject)" : s.tree.units[e.subject]?.name ?? e.subject
                    b.message = "Cấp ủy cấp trên huỷ kết quả \(e.status.vietnamese) xếp loại \"\(e.level.vietnamese)\" của \(who)"
                        + (e.commendation ? ", kèm đề nghị khen thưởng" : "") + ". Lý do: \(why)."
                    try tx.appendEvent(b, at: now, encoder: encoder)
                }
            }
            return AnnulResult(subject: a.subject, kind: a.kind, annulled: target.level.rawValue,
                               ratings: annulled.map { AnnulledRating(subject: $0.subject, kind: $0.kind.rawValue, status: $0.status.rawValue, level: $0.level.rawValue, commendation: $0.commendation) })
        }
    }

    // MARK: - Facts: discipline, conclusions

    /// Applies a change of facts in `tx` and returns the ratings in force it contradicts, published
    /// as `rating.conflict`: the fact stands, those ratings are to be annulled and re-decided. A
    /// change that breaks any other rule (a tree change that moves a head, …) is refused whole.
    func recordFacts(in campaigns: [CampaignRow], cause: String, now: Date, tx: StoreTx, scope: (RatingTree) -> Set<String>?,
                     _ change: () throws -> Void) throws -> [RatingFinding] {
        let befores = try campaigns.filter { try tx.hasRatings(campaign: $0.id) }.map { ($0, try ratingState($0, tx: tx)) }
        try change()
        var conflicts: [RatingFinding] = []
        var refused: [RatingFinding] = []
        for (c, before) in befores {
            let after = try ratingState(c, tx: tx)
            let units = scope(after.tree)
            let brought = RatingRules.newFindings(before: RatingRules.invariants(before, units: units), after: RatingRules.invariants(after, units: units))
            let (facts, others) = (brought.filter { Engine.factRules.contains($0.rule) }, brought.filter { !Engine.factRules.contains($0.rule) })
            refused += others
            try publish(facts, as: .ratingConflict, cause: cause, campaign: c, now: now, tx: tx)
            conflicts += facts
        }
        if !refused.isEmpty {
            throw ErrorBody(.rejected, "the change would break \(refused.count) rating rule(s) of the ratings in force; nothing was stored (annul the ratings concerned first)",
                            details: refused.map(Engine.describe))
        }
        return conflicts
    }

    /// `flag confirm UNIT`: the directed review confirmed what the unit was flagged for. The
    /// conclusion stands for the campaign's year, flag open or not (rule 4).
    public func confirmFlag(_ a: FlagConfirmArgs, now: Date, by actor: String) throws -> ConclusionResult {
        let note = a.note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else { throw ErrorBody(.invalidInput, "a conclusion needs a --note (the competent body and its finding)") }
        let unit = try store.read { try knownUnit(a.unit, tx: $0) }
        let c = try resolveCampaign(a.campaign, unit: unit, stage: nil)
        return try store.write { tx in
            guard let flag = try tx.latestFlag(unit: unit.id, campaign: c.id) else { throw ErrorBody(.notFound, "unit '\(unit.id)' has no flag in '\(c.id)' to confirm") }
            var id: Int64 = 0
            let conflicts = try recordFacts(in: [c], cause: "flag-\(flag.id)-confirmed", now: now, tx: tx, scope: { RatingRules.affectedUnits([RatingKey(.unit, unit.id)], tree: $0) }) {
                try tx.confirmFlag(flag.id)
                id = try tx.insertConclusion(campaign: c.id, key: RatingKey(.unit, unit.id), reasons: flag.reasons, note: note, flag: flag.id, at: now, by: actor)
            }
            return ConclusionResult(conclusion: id, kind: "unit", subject: unit.id, reasons: flag.reasons.map(\.rawValue), conflicts: conflicts.map(Engine.describe))
        }
    }

    /// `conclude MEMBER --reason …`: a competent conclusion of degradation, "self-evolution" or
    /// "self-transformation" about a member, which forces `failed` for the campaign's year.
    public func conclude(_ a: ConcludeArgs, now: Date, by actor: String) throws -> ConclusionResult {
        var reasons: [FlagReason] = []
        for r in a.reasons {
            guard let reason = FlagReason(rawValue: r), reason.forcesFailureOfMember else {
                throw ErrorBody(.invalidInput, "a conclusion about a member is of \(FlagReason.allCases.filter(\.forcesFailureOfMember).map(\.rawValue).joined(separator: ", ")), not '\(r.prefix(40))'")
            }
            if !reasons.contains(reason) { reasons.append(reason) }
        }
        guard !reasons.isEmpty else { throw ErrorBody(.invalidInput, "a conclusion needs at least one --reason") }
        let note = a.note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else { throw ErrorBody(.invalidInput, "a conclusion needs a --note (the competent body and its finding)") }
        let (member, cell) = try store.read { tx -> (Member, UnitRow) in
            guard let m = try tx.member(a.member) else { throw ErrorBody(.notFound, "no member '\(a.member)'") }
            return (m, try knownUnit(m.unit, tx: tx))
        }
        let c = try resolveCampaign(a.campaign, unit: cell, stage: nil)
        return try store.write { tx in
            var id: Int64 = 0
            let conflicts = try recordFacts(in: [c], cause: "conclusion-\(member.id)-\(now.epoch)", now: now, tx: tx, scope: { RatingRules.affectedUnits([RatingKey(.member, member.id)], tree: $0) }) {
                id = try tx.insertConclusion(campaign: c.id, key: RatingKey(.member, member.id), reasons: reasons, note: note, flag: nil, at: now, by: actor)
            }
            return ConclusionResult(conclusion: id, kind: "member", subject: member.id, reasons: reasons.map(\.rawValue), conflicts: conflicts.map(Engine.describe))
        }
    }

    /// Refuses to close an organization's review (`grassroots-review`, `bloc-rating` done) while
    /// its quota is broken: from then on the cap holds over its decided ratings.
    func checkClosingReview(_ stage: Stage, unit: UnitRow, campaign c: CampaignRow, tx: StoreTx) throws {
        guard Engine.closingStages[stage.id]?.contains(unit.unit.kind) == true else { return }
        let before = try ratingState(c, tx: tx)
        var after = before
        after.closedReviews.insert(unit.id)
        let found = RatingRules.newFindings(before: RatingRules.invariants(before, units: [unit.id]), after: RatingRules.invariants(after, units: [unit.id]))
        if !found.isEmpty {
            throw ErrorBody(.rejected, "\(unit.id) cannot close '\(stage.id)' while its ratings break the quota", details: found.map(Engine.describe))
        }
    }

    // MARK: - Suggestions

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
            var b = event(.reviewSuggested, id: "\(c.id)/review.suggested/\(id)", campaign: c, unit: unit, time: now)
            b.to = unit.id
            let flagged = try !tx.openFlags(unit: unit.id).isEmpty
            b.message = "\(author.unit.committeeName) gửi gợi ý kiểm điểm\(flagged ? " (đơn vị có dấu hiệu cần kiểm điểm ngay)" : "") đối với \(unit.unit.committeeName): \(text.prefix(500))\(text.count > 500 ? "…" : "")"
            guard let seq = try tx.appendEvent(b, at: now, encoder: encoder) else { throw ErrorBody(.conflict, "suggestion \(id) already published") }
            b.seq = seq
            var p = JobPayload(kind: .suggestion, event: b.id, key: b.id, campaign: c.id, campaignTitle: c.plan.title, stage: "review-suggestion",
                               stageTitle: "Gợi ý kiểm điểm", unit: unit.id, unitName: unit.unit.name, unitPath: unit.path, recipient: unit.id,
                               recipientName: unit.unit.committeeName, recipientEmail: unit.unit.email, due: Instant.format(now, timeZone: zone),
                               dueText: Instant.vietnameseDate(now, timeZone: zone), time: b.time)
            p.text = text
            p.authorName = author.unit.committeeName
            try tx.enqueueJob(key: p.key, eventSeq: seq, kind: p.kind.rawValue, channel: routing.channel(forPath: unit.path), recipient: unit.id,
                              address: unit.unit.email, payload: String(decoding: try encoder.encode(p), as: UTF8.self), now: wallNow())
            return SuggestionInfo(id: id, unit: unit.id, author: author.id, name: a.name, text: text, time: b.time)
        }
    }
}
