import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Logging

/// What the control handler needs from its owner: the clock and the endpoints actually bound.
protocol ControlContext: AnyObject {
    var now: Date { get }
    var clockMode: DaemonConfig.ClockMode { get }
    var boundEndpoints: Endpoints { get }
    var displayZone: TimeZone { get }
    /// Moves the simulated clock to `target`, firing what falls due; returns events stored.
    func moveClock(to target: Date) throws -> Int
    /// Re-reads the authorized keys; returns how many are in force.
    func reloadKeys() throws -> Int
    var security: SecurityInfo { get }
    var workerCount: Int { get }
}

/// The authenticated sender of a request.
struct Caller {
    var name: String
    var role: Role
}

/// Decodes one control request, runs it against the engine and encodes the reply. Malformed
/// input of any kind becomes an error reply; nothing here throws to the caller.
final class ControlHandler {
    let engine: Engine
    let logger: Logger
    weak var context: (any ControlContext)?
    private let encoder = WireJSON.encoder()
    private let decoder = WireJSON.decoder()

    init(engine: Engine, logger: Logger) {
        self.engine = engine
        self.logger = logger
    }

    /// Handles one request body from an authenticated caller.
    func handle(_ body: Data, caller: Caller) -> Data {
        var requestId: String?
        do {
            guard let text = String(validating: body, as: UTF8.self) else { throw ErrorBody(.badRequest, "the request is not valid UTF-8") }
            guard !text.isEmpty else { throw ErrorBody(.badRequest, "empty request") }
            let header: RequestHeader
            do { header = try decoder.decode(RequestHeader.self, from: body) } catch {
                throw ErrorBody(.badRequest, "not a request object {\"id\", \"command\", \"args\"}: \(describe(error))")
            }
            requestId = header.id
            guard let command = Command(rawValue: header.command) else {
                throw ErrorBody(.unknownCommand, "unknown command '\(header.command.prefix(64))'")
            }
            let audited = command.mutates || command == .reload
            guard caller.role.allows(command) else {
                let e = ErrorBody(.forbidden, "role '\(caller.role.rawValue)' may not run '\(command.rawValue)'")
                if audited { audit(command, body: body, caller: caller, result: "forbidden") }
                throw e
            }
            let started = ContinuousClock.now
            let reply: Data
            do {
                reply = try run(command, body: body, id: header.id, actor: caller.name)
            } catch {
                let e = error as? ErrorBody ?? ErrorBody(.internalError, "\(error)")
                if audited { audit(command, body: body, caller: caller, result: "refused: \(e.code.rawValue): \(e.message)") }
                throw e
            }
            if audited { audit(command, body: body, caller: caller, result: "ok") }
            logger.debug("control", metadata: ["command": "\(command.rawValue)", "elapsed": "\(ContinuousClock.now - started)"])
            return reply
        } catch let e as ErrorBody {
            return encodeError(id: requestId, e)
        } catch {
            logger.error("control command failed", metadata: ["error": "\(error)"])
            return encodeError(id: requestId, ErrorBody(.internalError, "\(error)"))
        }
    }

    private func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.typeMismatch(let type, let ctx): "'\(path(ctx))' should be \(type)"
        case DecodingError.keyNotFound(let key, let ctx): "missing '\((ctx.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case DecodingError.valueNotFound(let type, let ctx): "'\(path(ctx))' should be \(type), not null"
        case DecodingError.dataCorrupted(let ctx): ctx.codingPath.isEmpty ? "not valid JSON" : "'\(path(ctx))' is invalid"
        default: "\(error)"
        }
    }

    private func path(_ ctx: DecodingError.Context) -> String { ctx.codingPath.map(\.stringValue).joined(separator: ".") }

    private func args<A: Codable & Sendable>(_ type: A.Type, _ body: Data) throws -> A {
        do { return try decoder.decode(Request<A>.self, from: body).args } catch {
            throw ErrorBody(.badRequest, "bad arguments: \(describe(error))")
        }
    }

    private func ok<R: Codable & Sendable>(_ id: String?, _ result: R) throws -> Data {
        try encoder.encode(Reply(id: id, result: result))
    }

    private func encodeError(id: String?, _ e: ErrorBody) -> Data {
        (try? encoder.encode(Reply<NoArgs>(id: id, error: e))) ?? Data("{\"ok\":false}".utf8)
    }

    private func audit(_ command: Command, body: Data, caller: Caller, result: String) {
        // The arguments without file contents: the audit records what was asked, not the files.
        var argsText = "{}"
        if let obj = try? JSONSerialization.jsonObject(with: body) as? [String: Any], var a = obj["args"] as? [String: Any] {
            if let c = a["content"] as? String { a["content"] = "<\(c.utf8.count) bytes>" }
            if let d = try? JSONSerialization.data(withJSONObject: a, options: [.sortedKeys]) { argsText = String(decoding: d, as: UTF8.self) }
        }
        // Wall-clock time: the audit records when a person acted, whatever the campaign clock says.
        let now = Date()
        do {
            try engine.store.write {
                try $0.appendAudit(time: now, actor: caller.name, role: caller.role.rawValue, command: command.rawValue, args: argsText, result: String(result.prefix(2000)))
            }
        } catch {
            logger.error("cannot write audit", metadata: ["error": "\(error)"])
        }
    }

    private func run(_ command: Command, body: Data, id: String?, actor: String) throws -> Data {
        guard let ctx = context else { throw ErrorBody(.internalError, "daemon is stopping") }
        let now = ctx.now
        switch command {
        case .status:
            let c = try engine.store.read { try $0.counts() }
            let last = try engine.store.read { try $0.lastSeq() }
            let flags = try engine.store.read { try $0.openFlags() }.map {
                FlagInfo(id: $0.id, unit: $0.unit, reasons: $0.reasons.map(\.rawValue), confirmed: $0.confirmed,
                         reviewDue: Instant.format($0.reviewDue, timeZone: ctx.displayZone), reviewHeld: $0.reviewDoneAt != nil)
            }
            var status = StatusResult(
                version: kiemdiemVersion, protocolVersion: protocolVersion, clock: clockInfo(ctx),
                endpoints: ctx.boundEndpoints, campaigns: engine.listCampaigns(now: now),
                counts: Counts(units: c.units, cells: c.cells, members: c.members, events: c.events), workers: ctx.workerCount, lastSeq: last,
                security: ctx.security)
            status.flags = flags
            return try ok(id, status)
        case .importUnits: return try ok(id, try engine.importUnits(try args(FileArgs.self, body), now: now))
        case .importMembers: return try ok(id, try engine.importMembers(try args(FileArgs.self, body), now: now))
        case .campaignLoad: return try ok(id, try engine.loadCampaign(try args(FileArgs.self, body), now: now))
        case .campaignList: return try ok(id, engine.listCampaigns(now: now))
        case .campaignShow: return try ok(id, try engine.showCampaign(try args(CampaignRef.self, body).id, now: now))
        case .campaignPause: return try ok(id, try engine.setPaused(try args(CampaignRef.self, body).id, true, now: now))
        case .campaignResume: return try ok(id, try engine.setPaused(try args(CampaignRef.self, body).id, false, now: now))
        case .done: return try ok(id, try engine.done(try args(DoneArgs.self, body), now: now, by: actor))
        case .extend: return try ok(id, try engine.extend(try args(ExtendArgs.self, body), now: now))
        case .overdue: return try ok(id, try engine.overdue(try args(UnitFilter.self, body), now: now))
        case .report: return try ok(id, try engine.report(try args(UnitFilter.self, body), now: now))
        case .events: return try ok(id, try engine.events(try args(EventsArgs.self, body)))
        case .clock: return try ok(id, clockInfo(ctx))
        case .clockAdvance:
            let a = try args(DurationArgs.self, body)
            guard let secs = DurationText.seconds(a.duration), secs > 0 else {
                throw ErrorBody(.invalidInput, "'\(a.duration)' is not a positive duration such as 90s, 15m, 12h, 7d")
            }
            return try ok(id, try move(ctx, to: now.addingTimeInterval(TimeInterval(secs))))
        case .clockSet:
            let a = try args(TimeArgs.self, body)
            guard let t = Instant.parse(a.time, timeZone: ctx.displayZone) else {
                throw ErrorBody(.invalidInput, "'\(a.time)' is not an ISO 8601 instant with offset")
            }
            guard t >= now else {
                throw ErrorBody(.invalidInput, "the clock only moves forward: \(Instant.format(t, timeZone: ctx.displayZone)) is before now (\(Instant.format(now, timeZone: ctx.displayZone)))")
            }
            return try ok(id, try move(ctx, to: t))
        case .preview:
            let a = try args(PreviewArgs.self, body)
            guard let until = Instant.parse(a.until, timeZone: ctx.displayZone) else {
                throw ErrorBody(.invalidInput, "'\(a.until)' is not an ISO 8601 instant with offset or a date")
            }
            guard until > now else { throw ErrorBody(.invalidInput, "--until must be after now (\(Instant.format(now, timeZone: ctx.displayZone)))") }
            let events = try engine.preview(from: now, until: until)
            return try ok(id, PreviewResult(from: Instant.format(now, timeZone: ctx.displayZone), until: Instant.format(until, timeZone: ctx.displayZone), events: events))
        case .audit: return try ok(id, try auditEntries(try args(AuditArgs.self, body), zone: ctx.displayZone))
        case .ack: return try ok(id, try engine.acknowledge(try args(IdArgs.self, body).id, now: now, by: actor))
        case .flag: return try ok(id, try engine.flag(try args(FlagArgs.self, body), now: now, by: actor))
        case .unflag: return try ok(id, try engine.unflag(try args(UnflagArgs.self, body), now: now, by: actor))
        case .rate: return try ok(id, try engine.rate(try args(RateArgs.self, body), now: now, by: actor))
        case .rateAnnul: return try ok(id, try engine.annul(try args(AnnulArgs.self, body), now: now, by: actor))
        case .rateList: return try ok(id, try engine.ratings(try args(RatingsArgs.self, body)))
        case .flagConfirm: return try ok(id, try engine.confirmFlag(try args(FlagConfirmArgs.self, body), now: now, by: actor))
        case .conclude: return try ok(id, try engine.conclude(try args(ConcludeArgs.self, body), now: now, by: actor))
        case .suggest: return try ok(id, try engine.suggest(try args(SuggestArgs.self, body), now: now, by: actor))
        case .remediationAdd: return try ok(id, try engine.addRemediation(try args(RemediationAddArgs.self, body), now: now, by: actor))
        case .remediationDone: return try ok(id, try engine.completeRemediation(try args(IdArgs.self, body).id, now: now, by: actor))
        case .remediationList: return try ok(id, try engine.listRemediation(try args(RemediationListArgs.self, body)))
        case .jobs:
            let a = try args(JobsArgs.self, body)
            if let s = a.state, !["pending", "leased", "done", "dead"].contains(s) {
                throw ErrorBody(.invalidInput, "--state must be pending, leased, done or dead")
            }
            let limit = min(max(a.limit ?? 100, 1), 5000)
            return try ok(id, try engine.store.read { tx in
                JobsResult(counts: try tx.jobCounts(), jobs: try tx.jobs(state: a.state, limit: limit).map {
                    JobInfo(id: $0.id, key: $0.key, kind: $0.kind, channel: $0.channel, recipient: $0.recipient, state: $0.state,
                            attempts: $0.attempts, worker: $0.worker, lastError: $0.lastError)
                })
            })
        case .jobsRetry:
            let jobId = try args(IdArgs.self, body).id
            guard try engine.store.write({ try $0.retryJob(jobId, now: Date().timeIntervalSince1970) }) else {
                throw ErrorBody(.conflict, "job \(jobId) is not dead (only dead jobs are retried)")
            }
            return try ok(id, IdArgs(id: jobId))
        case .reload: return try ok(id, ReloadResult(authorizedKeys: try ctx.reloadKeys()))
        }
    }

    private func auditEntries(_ a: AuditArgs, zone: TimeZone) throws -> [AuditEntry] {
        var since: Date?
        if let s = a.since {
            guard let d = Instant.parse(s, timeZone: zone) else { throw ErrorBody(.invalidInput, "--since '\(s)' is not an ISO 8601 instant or a date") }
            since = d
        }
        let limit = min(max(a.limit ?? 1000, 1), 10_000)
        return try engine.store.read { try $0.auditEntries(since: since, limit: limit) }.map {
            AuditEntry(time: Instant.format($0.time, timeZone: zone), actor: $0.actor, role: $0.role, command: $0.command, args: $0.args, result: $0.result)
        }
    }

    private func move(_ ctx: any ControlContext, to target: Date) throws -> ClockInfo {
        guard ctx.clockMode == .simulated else {
            throw ErrorBody(.conflict, "the clock is the system clock; only a simulated clock can be moved (clock.mode: simulated)")
        }
        var info = clockInfo(ctx, now: target)
        info.fired = try ctx.moveClock(to: target)
        return info
    }

    private func clockInfo(_ ctx: any ControlContext, now: Date? = nil) -> ClockInfo {
        ClockInfo(mode: ctx.clockMode.rawValue, now: Instant.format(now ?? ctx.now, timeZone: ctx.displayZone), timezone: ctx.displayZone.identifier)
    }
}
