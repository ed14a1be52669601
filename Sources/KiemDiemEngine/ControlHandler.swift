import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Logging

/// The daemon's side of a control command: what it does with its decoded arguments. Each
/// command's conformance lives in `Commands/<Name>.swift`, next to the engine code it runs.
public protocol EngineCommand: ControlCommand {
    static func run(_ args: Args, in context: CommandContext) throws -> Result
    /// Work too long for the loop: called on the loop instead of `run`, it returns what runs
    /// off it (on the daemon's reader thread), or nil to `run` on the loop as usual. What it
    /// captures must be its own: a copy of the engine's state (`Engine.readView`), the store.
    /// An audited command gets its "ok" row and writes it (or a refusal) itself.
    static func later(_ args: Args, in context: CommandContext) throws -> (@Sendable (AuditRow?) throws -> Result)?
}

extension EngineCommand {
    public static func later(_ args: Args, in context: CommandContext) throws -> (@Sendable (AuditRow?) throws -> Result)? { nil }
}

/// The clock the daemon runs on: the system's, or one moved by commands (tests, rehearsals).
public enum ClockMode: String, Sendable { case system, simulated }

/// What commands need from the process that serves them, beyond the engine: the clock's mode and
/// moves, the sockets bound, the keys. The reactor is the host; tests and the fuzzer bring their own.
public protocol CommandHost: AnyObject {
    var clockMode: ClockMode { get }
    var boundEndpoints: Endpoints { get }
    var displayZone: TimeZone { get }
    var security: SecurityInfo { get }
    var workerCount: Int { get }
    /// Moves the simulated clock to `target`, firing what falls due; returns events stored.
    func moveClock(to target: Date) throws -> Int
    /// Re-reads the authorized keys; returns how many are in force.
    func reloadKeys() throws -> Int
    /// Why the database cannot be written now (a full disk), or nil when it can.
    var storageProblem: String? { get }
    /// A command met a storage fault (`Store.isStorageFault`): the host stops taking changes
    /// until a write succeeds again.
    func storageFailed(_ error: any Error)
}

extension CommandHost {
    public var storageProblem: String? { nil }
    public func storageFailed(_ error: any Error) {}
}

/// The authenticated sender of a request.
public struct Caller: Sendable {
    public var name: String
    public var role: Role
    public init(name: String, role: Role) {
        self.name = name
        self.role = role
    }
}

/// What one request runs with: the engine, the instant of this loop pass, who asked, the host.
public struct CommandContext {
    public let engine: Engine
    public let now: Date
    public let caller: Caller
    public let host: any CommandHost
    public var zone: TimeZone { host.displayZone }
}

/// Every command the daemon serves, by wire name. `standard` is the registration list: a new
/// command is one line there (docs/architecture.md, "Adding a command").
public struct CommandRegistry: Sendable {
    fileprivate struct Entry: Sendable {
        let command: any ControlCommand.Type
        /// Decodes the request's arguments, runs the command, encodes the reply (or returns the
        /// work that will, off the loop). `willRun` gets the arguments as decoded, encoded, for
        /// the audit log, before the command runs.
        let run: @Sendable (_ body: Data, _ id: String?, _ context: CommandContext, _ codec: ControlHandler.Codec, _ willRun: (Data) -> Void) throws -> Ran
    }

    fileprivate enum Ran {
        case now(Data)
        case later(@Sendable (AuditRow?) throws -> Data)
    }
    fileprivate var entries: [String: Entry] = [:]

    public init(_ commands: [any EngineCommand.Type]) {
        for c in commands { register(c) }
    }

    public mutating func register(_ command: any EngineCommand.Type) {
        func entry<C: EngineCommand>(_ c: C.Type) -> Entry {
            Entry(command: c) { body, id, context, codec, willRun in
                let args = try codec.args(C.Args.self, body)
                willRun(try codec.encoder.encode(args))
                if let work = try C.later(args, in: context) {
                    // Off the loop: an encoder of its own (the handler's stays on the loop).
                    return .later { audit in try WireJSON.reply(id: id, result: try work(audit)) }
                }
                return .now(try codec.encoder.encode(Reply(id: id, result: try C.run(args, in: context))))
            }
        }
        precondition(entries[command.name] == nil, "command '\(command.name)' registered twice")
        entries[command.name] = entry(command)
    }

    public func command(named name: String) -> (any ControlCommand.Type)? { entries[name]?.command }
    public var names: [String] { entries.keys.sorted() }

    public static let standard = CommandRegistry([
        Status.self, ImportUnits.self, ImportMembers.self, ImportBegin.self, ImportChunk.self, ImportCommit.self, ImportAbort.self, ImportState.self,
        CampaignLoad.self, CampaignList.self, CampaignShow.self, CampaignPause.self, CampaignResume.self,
        Done.self, Extend.self, Overdue.self, Report.self, Events.self,
        Clock.self, ClockAdvance.self, ClockSet.self, Preview.self, Audit.self, Reload.self,
        Ack.self, Jobs.self, JobsRetry.self,
        FlagRaise.self, Unflag.self, FlagConfirm.self, Conclude.self, Suggest.self,
        Rate.self, RateAnnul.self, RateList.self, RateCommend.self,
        RemediationAdd.self, RemediationDone.self, RemediationList.self,
        TokenIssue.self, TokenList.self, TokenRevoke.self, View.self,
        SilenceAdd.self, SilenceList.self, SilenceExpire.self,
    ])
}

/// Decodes one control request, runs it through the registry and encodes the reply. Malformed
/// input of any kind becomes an error reply; nothing here throws to the caller.
public final class ControlHandler {
    public let engine: Engine
    let logger: Logger
    let registry: CommandRegistry
    public weak var host: (any CommandHost)?
    let codec = Codec()
    /// The largest reply sent; a larger result is answered with `too_large` (error replies are
    /// bounded far lower, see `Codec.error`).
    public var maxReply = 64 << 20
    /// Audit rows of refusals that could not be written (the database could not be written).
    public private(set) var auditDropped = 0
    private var leftoverAudit: AuditRow?

    /// Whether work a command hands off (`EngineCommand.later`) is returned to the caller to run
    /// off the loop (the daemon) or run here at once (tests, the fuzzer): the same code either way.
    public var runsLater = false

    /// One request handled: the reply, and the command it decoded (nil when it named none we
    /// know), so metrics need not parse the request again. With `runsLater`, a command that
    /// hands its work off has no reply yet but `later`, which makes it (bounded, errors encoded).
    public struct Handled {
        public var reply: Data
        public var command: (any ControlCommand.Type)?
        public var later: (@Sendable () -> Data)?
    }

    public init(engine: Engine, logger: Logger, registry: CommandRegistry = .standard) {
        self.engine = engine
        self.logger = logger
        self.registry = registry
    }

    /// Handles one request body from an authenticated caller, at the loop pass's `now`.
    public func handle(_ body: Data, caller: Caller, now: Date) -> Handled {
        var requestId: String?
        var decoded: (any ControlCommand.Type)?
        do {
            guard let text = String(validating: body, as: UTF8.self) else { throw ErrorBody(.badRequest, "the request is not valid UTF-8") }
            guard !text.isEmpty else { throw ErrorBody(.badRequest, "empty request") }
            let tree: JSONValue
            do { tree = try StrictJSON.parse(body) } catch {
                throw ErrorBody(.badRequest, "not strict JSON: \(error)")
            }
            try RequestRules.check(tree)
            let header: RequestHeader
            do { header = try codec.decoder.decode(RequestHeader.self, from: body) } catch {
                throw ErrorBody(.badRequest, "not a request object {\"id\", \"command\", \"args\"}: \(Codec.describe(error))")
            }
            requestId = header.id
            guard let entry = registry.entries[header.command] else {
                throw ErrorBody(.unknownCommand, "unknown command '\(header.command.prefix(64))'")
            }
            let command = entry.command
            decoded = command
            guard caller.role.allows(command) else {
                if command.audited { audit(auditEntry(command, args: try? codec.args(body), caller: caller, result: "forbidden")) }
                throw ErrorBody(.forbidden, "role '\(caller.role.rawValue)' may not run '\(command.name)'")
            }
            guard let host else { throw ErrorBody(.internalError, "daemon is stopping") }
            // A change needs its audit row: while the database cannot be written, neither can
            // be, so changes are refused before they start. Reads go on.
            if command.mutates || command.audited, let problem = host.storageProblem {
                throw ErrorBody(.unavailable, problem)
            }
            let started = ContinuousClock.now
            let ran: CommandRegistry.Ran
            var decodedArgs: Data?
            do {
                defer { leftoverAudit = engine.store.detachAudit() }
                ran = try entry.run(body, header.id, CommandContext(engine: engine, now: now, caller: caller, host: host), codec) { args in
                    decodedArgs = args
                    // The "ok" row rides in the command's own write transaction (Store.write).
                    if command.audited { engine.store.attachAudit(auditEntry(command, args: args, caller: caller, result: "ok")) }
                }
            } catch {
                var e = error as? ErrorBody ?? ErrorBody(.internalError, "\(error)")
                if Store.isStorageFault(error) {
                    host.storageFailed(error)
                    e = ErrorBody(.unavailable, host.storageProblem ?? "the database cannot be written: \(error)")
                }
                // Nothing was stored with the "ok" row, unless a write carried it and the
                // command failed after: then the refusal follows it.
                if command.audited {
                    let stored = decodedArgs != nil && leftoverAudit == nil
                    audit(auditEntry(command, args: decodedArgs ?? (try? codec.args(body)), caller: caller,
                                     result: (stored ? "failed after its change was stored: " : "refused: ") + "\(e.code.rawValue): \(e.message)"))
                }
                throw e
            }
            let reply: Data
            switch ran {
            case .now(let data):
                // A command that wrote nothing to the database (a reload of keys) is audited on its own.
                if let leftover = leftoverAudit { audit(leftover) }
                reply = data
            case .later(let work):
                // The work writes its own audit row, in its transaction.
                let row = leftoverAudit, limit = maxReply, id = requestId
                leftoverAudit = nil
                let job: @Sendable () -> Data = {
                    do { return try Self.bounded(try work(row), limit: limit) } catch {
                        return Codec().error(id: id, error as? ErrorBody ?? ErrorBody(.internalError, "\(error)"))
                    }
                }
                return Handled(reply: runsLater ? Data() : job(), command: command, later: runsLater ? job : nil)
            }
            logger.debug("control", metadata: ["command": "\(command.name)", "elapsed": "\(ContinuousClock.now - started)"])
            return Handled(reply: try Self.bounded(reply, limit: maxReply), command: command)
        } catch let e as ErrorBody {
            return Handled(reply: codec.error(id: requestId, e), command: decoded)
        } catch {
            logger.error("control command failed", metadata: ["error": "\(error)"])
            return Handled(reply: codec.error(id: requestId, ErrorBody(.internalError, "\(error)")), command: decoded)
        }
    }

    /// A reply within `limit` bytes, or `too_large`.
    static func bounded(_ reply: Data, limit: Int) throws -> Data {
        guard reply.count <= limit else {
            throw ErrorBody(.tooLarge, "the reply would be \(reply.count) bytes, above the limit of \(limit); ask for less (--limit, one unit)")
        }
        return reply
    }

    /// Whether a request may be answered while a firing is in progress, between its slices: a
    /// command that only reads (neither mutates nor is audited). A request that names no known
    /// command is answered too: its error reply changes nothing.
    public func mayRunDuringFiring(_ body: Data) -> Bool {
        guard let header = try? codec.decoder.decode(RequestHeader.self, from: body), let c = registry.entries[header.command]?.command else { return true }
        return !c.mutates && !c.audited
    }

    /// An audit row for a command: its arguments as JSON, file contents replaced by their size
    /// (the audit records what was asked, not the files), at the wall-clock time (when a person
    /// acted, whatever the campaign clock says).
    private func auditEntry(_ command: any ControlCommand.Type, args: Data?, caller: Caller, result: String) -> AuditRow {
        var argsText = "{}"
        if let args, var a = try? JSONSerialization.jsonObject(with: args) as? [String: Any] {
            if let c = a["content"] as? String { a["content"] = "<\(c.utf8.count) bytes>" }
            if let d = try? JSONSerialization.data(withJSONObject: a, options: [.sortedKeys]) { argsText = String(decoding: d, as: UTF8.self) }
        }
        return AuditRow(time: Date(), actor: caller.name, role: caller.role.rawValue, command: command.name, args: argsText, result: String(result.prefix(2000)))
    }

    /// Writes an audit row in a transaction of its own: a refusal, which changed nothing. When
    /// even that cannot be written (a full disk), the log says so and `auditDropped` counts it.
    private func audit(_ entry: AuditRow) {
        do {
            try engine.store.write { try $0.appendAudit(entry) }
        } catch {
            auditDropped += 1
            logger.error("cannot write audit", metadata: ["command": "\(entry.command)", "result": "\(entry.result.prefix(200))", "error": "\(error)"])
        }
    }

    /// The JSON side of the handler: decoding arguments with errors that name the field.
    struct Codec {
        let encoder = WireJSON.encoder()
        let decoder = WireJSON.decoder()

        func args<A: Codable & Sendable>(_ type: A.Type, _ body: Data) throws -> A {
            do { return try decoder.decode(Request<A>.self, from: body).args } catch {
                throw ErrorBody(.badRequest, "bad arguments: \(Codec.describe(error))")
            }
        }

        /// The raw `args` object of a request whose arguments did not decode or run, for the audit.
        func args(_ body: Data) throws -> Data? {
            guard let obj = try JSONSerialization.jsonObject(with: body) as? [String: Any], let a = obj["args"] as? [String: Any] else { return nil }
            return try JSONSerialization.data(withJSONObject: a)
        }

        /// An error reply, bounded whatever the request: the message at most 1,000 characters,
        /// at most 200 details of at most 500 characters each, the id at most 128 (about 110 KB).
        func error(id: String?, _ e: ErrorBody) -> Data {
            var e = e
            e.message = Codec.clip(e.message, 1000)
            e.details = e.details.map { $0.prefix(200).map { Codec.clip($0, 500) } }
            return (try? encoder.encode(Reply<NoArgs>(id: id.map { Codec.clip($0, 128) }, error: e))) ?? Data("{\"ok\":false}".utf8)
        }

        static func clip(_ s: String, _ n: Int) -> String {
            s.count <= n ? s : s.prefix(n) + "…"
        }

        static func describe(_ error: any Error) -> String {
            switch error {
            case DecodingError.typeMismatch(let type, let ctx): "'\(path(ctx))' should be \(type)"
            case DecodingError.keyNotFound(let key, let ctx): "missing '\((ctx.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
            case DecodingError.valueNotFound(let type, let ctx): "'\(path(ctx))' should be \(type), not null"
            case DecodingError.dataCorrupted(let ctx): ctx.codingPath.isEmpty ? "not valid JSON" : "'\(path(ctx))' is invalid"
            default: "\(error)"
            }
        }

        private static func path(_ ctx: DecodingError.Context) -> String { ctx.codingPath.map(\.stringValue).joined(separator: ".") }
    }
}
