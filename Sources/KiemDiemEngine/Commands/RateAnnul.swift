import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension RateAnnul: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.annul(args, now: context.now, by: context.caller.name)
    }
}

extension Engine {
    /// The upper committee annuls a rating (docs/rules.md rule 7) so that it can be re-decided. What
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
            // Named for people in the messages (the id stays in the command's English text).
            let subjectName = kind == .member ? Messages.ratedSubject(member: s.tree.members[a.subject]?.name ?? a.subject)
                : s.tree.units[a.subject]?.name ?? a.subject
            let (refs, findings) = RatingRules.annulment(of: [ref], in: s, cascade: cascade)
            if !cascade {
                var depends = findings.map { "[\($0.rule)] \($0.message) — " + $0.blame.map { "\($0.kind.rawValue) \($0.subject) (\($0.status.rawValue))" }.joined(separator: ", ") }
                if target.commendation {
                    depends.append("[commendation] " + Messages.commendationAnnulledToo(subject: subjectName))
                }
                if !depends.isEmpty {
                    throw ErrorBody(.conflict, "annulling the \(ref.status.rawValue) rating of \(a.kind) '\(a.subject)' would leave \(depends.count) rating(s) without ground; annul them too with --cascade",
                                    details: depends)
                }
            }
            var annulled: [RatingEntry] = []
            for r in refs {
                let why = r == ref ? reason : Messages.annulledWith(reason: reason, subject: subjectName)
                for e in try tx.annulRatings(campaign: c.id, [r], reason: why, at: now, by: actor) {
                    annulled.append(e)
                    guard let home = s.tree.home(of: e.key), let unit = try tx.unit(home) else { continue }
                    var b = event(.ratingAnnulled, ["\(now.epoch)", e.kind.rawValue, e.subject, e.status.rawValue, String(UUID().uuidString.prefix(8))],
                                  campaign: c, unit: unit, at: now)
                    if e.kind == .member { b.member = e.subject }
                    let who = e.kind == .member ? Messages.ratedSubject(member: s.tree.members[e.subject]?.name ?? e.subject) : s.tree.units[e.subject]?.name ?? e.subject
                    b.message = Messages.ratingAnnulled(status: e.status, level: e.level, who: who, commendation: e.commendation, reason: why)
                    try tx.appendEvent(b, at: now)
                }
            }
            return AnnulResult(subject: a.subject, kind: a.kind, annulled: target.level.rawValue,
                               ratings: annulled.map { AnnulledRating(subject: $0.subject, kind: $0.kind.rawValue, status: $0.status.rawValue, level: $0.level.rawValue, commendation: $0.commendation) })
        }
    }
}
