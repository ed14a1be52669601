import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension RemediationAdd: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.addRemediation(args, now: context.now, by: context.caller.name)
    }
}

extension Engine {
    public func addRemediation(_ a: RemediationAddArgs, now: Date, by actor: String) throws -> RemediationInfo {
        let unit = try store.read { try knownUnit(a.unit, tx: $0) }
        let c = try resolveCampaign(a.campaign, unit: unit, stage: nil)
        let due: Date
        if let text = a.due {
            guard let d = Instant.parse(text, timeZone: c.plan.zone) else {
                throw ErrorBody(.invalidInput, "--due '\(text.prefix(40))' is not an ISO 8601 instant with offset or a date YYYY-MM-DD")
            }
            due = d
        } else {
            guard let dueIn = c.plan.remediationDueIn else {
                throw ErrorBody(.invalidInput, "give --due: campaign '\(c.id)' has no remediation.due_in for a default")
            }
            due = now.addingTimeInterval(TimeInterval(dueIn))
        }
        guard due > now else { throw ErrorBody(.invalidInput, "--due \(Instant.format(due, timeZone: c.plan.zone)) is not in the future") }
        let text = a.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw ErrorBody(.invalidInput, "a remediation item needs --text") }
        let id = try store.write { tx -> Int64 in
            if let m = a.member {
                guard let member = try tx.member(m) else { throw ErrorBody(.notFound, "no member '\(m)'") }
                guard member.unit == unit.id else { throw ErrorBody(.badRequest, "member '\(m)' belongs to '\(member.unit)', not '\(unit.id)'") }
            }
            return try tx.insertRemediation(campaign: c.id, unit: unit.id, member: a.member, text: text, due: due, at: now, by: actor)
        }
        schedules[c.id]?.add(TaskDeadline(.remediation(id), unit: unit.id, due: due))
        return RemediationInfo(id: id, campaign: c.id, unit: unit.id, member: a.member, text: text, due: Instant.format(due, timeZone: c.plan.zone), done: nil)
    }
}
