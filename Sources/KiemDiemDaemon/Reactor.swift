import Foundation
import KiemDiemCore
import KiemDiemEngine
import KiemDiemStore
import KiemDiemWire
import Logging
import Synchronization
import ZeroMQ

/// Wakes the reactor's loop from any thread (signal handlers, the service group's shutdown): asks
/// it to stop after the request in flight, or to reload. It sends through a socket of its own to
/// the loop's inproc endpoint, so it shares nothing with the reactor but the context.
struct ReactorWaker: Sendable {
    let context: ZMQContext
    let endpoint: String
    let logger: Logger

    func stop() { send("stop") }
    func reload() { send("reload") }
    /// Work handed off the loop has ended: its reply is waiting (`Reactor.finished`).
    func replyReady() { send("reply") }
    /// A request from the web page waits in the `WebInbox`.
    func web() { send("web") }

    private func send(_ message: String) {
        do {
            let s = try Socket(context, .push)
            try s.setLinger(1000)
            try s.connect(endpoint)
            try s.send(Data(message.utf8))
            s.close()
        } catch {
            logger.error("cannot wake the reactor", metadata: ["error": "\(error)"])
        }
    }
}

/// Replies of requests whose work ran off the loop, for the loop to send.
final class FinishedReplies: Sendable {
    struct Reply: @unchecked Sendable { // @unchecked: a command type is an immutable metatype
        let envelope: [Data], reply: Data, command: (any ControlCommand.Type)?, started: ContinuousClock.Instant
    }
    let list = Mutex<[Reply]>([])
}

/// The clocks as read once per loop pass: everything a pass does happens at these instants.
struct Pass {
    /// The system clock: jobs, the audit, and the campaign when its clock is the system's.
    let wall: Date
    let monotonic: ContinuousClock.Instant

    static func begin() -> Pass { Pass(wall: Date(), monotonic: .now) }
}

/// Owns every socket on one dedicated thread (a libzmq socket is not thread-safe, and a blocking
/// zmq_poll must never run on Swift's cooperative pool). The loop polls the control and jobs
/// sockets with a timeout that ends at the next deadline (system clock) or heartbeat, handles
/// requests one at a time, fires the schedule, and publishes stored events in seq order. It also
/// pings the systemd watchdog, so a loop that hangs is restarted, and carries out SIGHUP reloads.
final class Reactor: CommandHost {
    /// The configuration in force: as started, plus what reloads changed (the keys declared `live`).
    private(set) var config: DaemonConfig
    let engine: Engine
    let logger: Logger
    let context: ZMQContext
    let notify: SystemdNotify
    let ops: ReactorOps
    let onReady: @Sendable (Endpoints) -> Void
    let waker: ReactorWaker
    private let wake: Socket
    private var control: Socket?
    private var events: Socket?
    private var jobs: Socket?
    private var zap: Socket?
    private var zapHandler: ZapHandler?
    private var serverSecretKey: String?
    private let handler: ControlHandler
    private let dispatcher: JobDispatcher
    private(set) var boundEndpoints = Endpoints(control: "", events: "", jobs: "")
    private var simulatedNow: Date?
    private var lastPublished: Int64 = 0
    /// The `lastPublished` the database holds.
    private var publishedStored: Int64 = 0
    private let frameLimit = 4
    private var nextHeartbeat = ContinuousClock.now
    /// systemd's watchdog: ping at this interval (nil: no watchdog).
    private let watchdogInterval: Duration?
    private var nextWatchdog = ContinuousClock.now
    /// Requests read between the slices of a firing that must wait for it to end (they change
    /// state); served first on the next pass, in the order they came.
    private var deferred: [(frames: [Data], userId: String?)] = []
    private var inSlices = false
    private var nextPrune = ContinuousClock.now + .seconds(3600)
    private var nextUploadSweep = ContinuousClock.now
    /// Set while the database cannot be written (a full disk): since when, and why.
    private var storageFault: (since: Date, error: String)?
    /// A clock move that a storage fault interrupted; it resumes once a write succeeds.
    private var pendingMove: Date?
    private var nextStorageRetry = ContinuousClock.now
    /// How long the gap between two slices of a firing may spend answering reads.
    static let readsBetweenSlices: Duration = .milliseconds(30)
    /// How long one loop pass may spend answering control requests before it serves the
    /// workers and the schedule; what is left is served on the next pass, at once.
    static let controlPerPass: Duration = .milliseconds(50)
    /// Refused connections audited, by socket and reason: when the last row was written, and how
    /// many refusals since were not (rate limit).
    private var refusalsAudited: [String: (last: ContinuousClock.Instant?, suppressed: Int)] = [:]
    /// Requests whose work runs off the loop (`EngineCommand.later`), one at a time and in order
    /// on this queue, so that a flood of them holds one at once; their replies wait in
    /// `finished` for the loop, which alone may send on the control socket.
    private let laterQueue = DispatchQueue(label: "kiemdiem.later")
    private let finished = FinishedReplies()
    /// Requests from the web page (nil: no page), the key of letters' links, and where the page
    /// listens: set by the daemon before the loop starts.
    var webInbox: WebInbox?
    var linkKeys: LinkKeys?
    var httpAddress: String?
    /// Monitors of the CURVE sockets (control, jobs), for handshakes that fail before ZAP.
    private var monitors: [(socket: Socket, domain: String)] = []

    init(config: DaemonConfig, engine: Engine, logger: Logger, notify: SystemdNotify, ops: ReactorOps,
         onReady: @escaping @Sendable (Endpoints) -> Void) throws {
        self.config = config
        self.engine = engine
        self.logger = logger
        self.notify = notify
        self.ops = ops
        self.onReady = onReady
        context = try ZMQContext()
        // Bound here, before the loop's thread starts, so the waker can never miss it.
        let wakeEndpoint = "inproc://kiemdiem-wake-\(UUID().uuidString)"
        wake = try Socket(context, .pull)
        try wake.bind(wakeEndpoint)
        waker = ReactorWaker(context: context, endpoint: wakeEndpoint, logger: logger)
        handler = ControlHandler(engine: engine, logger: logger)
        handler.maxReply = Int(config.maxMessageSize)
        handler.runsLater = true
        dispatcher = JobDispatcher(store: engine.store, policy: config.jobs, logger: logger)
        watchdogInterval = notify.watchdogInterval
        handler.host = self
        engine.sliceSize = config.firingSlice
        engine.betweenSlices = { [unowned self] in self.betweenSlices() }
    }

    /// Between two slices of a firing: publish what committed, ping the watchdog, admit CURVE
    /// clients, hear and answer the workers (settle their jobs, heartbeats both ways, so none is
    /// taken for lost), and answer the requests that only read; the others wait for the firing to
    /// end (`deferred`). New jobs are leased once the firing ends: measured, leasing between
    /// slices delivered sooner but made the firing and `status` slower on two cores.
    private func betweenSlices() {
        guard !inSlices else { return }
        inSlices = true
        defer { inSlices = false }
        let pass = Pass.begin()
        if let watchdogInterval, pass.monotonic >= nextWatchdog {
            notify.send("WATCHDOG=1")
            nextWatchdog = pass.monotonic + watchdogInterval
        }
        do {
            if let zap { serveZap(zap) }
            try publishPending()
            if let jobs {
                serveJobs(jobs, pass, lease: false)
                send(dispatcher.tick(now: pass.wall.timeIntervalSince1970, lease: false), on: jobs)
            }
            if let control { try serveControl(control, pass, readOnly: true, deadline: .now + Reactor.readsBetweenSlices) }
            try serveWeb(pass, readOnly: true)
        } catch {
            logger.error("between slices of a firing", metadata: ["error": "\(error)"])
        }
    }

    var clockMode: ClockMode { config.clockMode }
    var workerCount: Int { dispatcher.workerCount }
    var security: SecurityInfo { SecurityInfo(curve: config.curve, curveEvents: config.curveEvents) }
    var displayZone: TimeZone { config.zone }

    /// The campaign's instant in this pass: the simulated clock, or the pass's system clock.
    private func campaignNow(_ pass: Pass) -> Date { simulatedNow ?? pass.wall }

    /// Re-reads the authorized-keys file. A bad file keeps the keys in force and says why.
    /// Connections stay up: each message is checked against the keys of the moment, so a key
    /// still listed keeps working and a removed one is refused at its next request.
    func reloadKeys() throws -> Int {
        guard config.curve, let path = config.authorizedKeysFile else { return 0 }
        do {
            let keys = try AuthorizedKeys.load(path)
            zapHandler?.keys = keys
            logger.notice("authorized keys reloaded", metadata: ["keys": "\(keys.count)"])
            return keys.count
        } catch {
            logger.error("authorized keys not reloaded; keeping the previous ones", metadata: ["error": "\(error)"])
            throw ErrorBody(.invalidInput, "\(error); the previous keys stay in force")
        }
    }

    /// Loads the server key and the authorized keys, and binds the ZAP handler, before any CURVE
    /// socket exists: libzmq 4.3 admits every client when no handler is bound.
    private func startSecurity() throws {
        guard config.curve else { return }
        guard let secretFile = config.serverSecretKeyFile, let keysFile = config.authorizedKeysFile else {
            throw DaemonError("security.curve needs server_secret_key_file and authorized_keys_file")
        }
        let cert: Certificate
        do { cert = try Certificate.load(secretFile) } catch { throw DaemonError("server key: \(error)") }
        guard let secret = cert.secretKey else { throw DaemonError("server key: \(secretFile) has no secret-key (give the .key_secret file)") }
        guard (try? CurveKeyPair.derive(fromSecretKey: secret))?.publicKey == cert.publicKey else {
            throw DaemonError("server key: \(secretFile): the public key does not belong to the secret key")
        }
        let keys: AuthorizedKeys
        do { keys = try AuthorizedKeys.load(keysFile) } catch { throw DaemonError("authorized keys: \(error)") }
        guard zmqHasCapability("curve") else { throw DaemonError("this libzmq was built without CURVE") }
        let zap = try Socket(context, .rep)
        do { try zap.bind(ZapHandler.endpoint) } catch {
            throw DaemonError("cannot start the ZAP handler on \(ZapHandler.endpoint): \(error); refusing to serve CURVE sockets without it")
        }
        self.zap = zap
        zapHandler = ZapHandler(keys: keys, logger: logger)
        serverSecretKey = secret
        logger.info("CURVE on", metadata: ["authorized_keys": "\(keys.count)", "events": "\(config.curveEvents)"])
    }

    func moveClock(to target: Date) throws -> Int {
        let fired: Int
        do { fired = try engine.advance(to: target, persistClock: true) } catch where Store.isStorageFault(error) {
            // What committed stays; the rest of the move resumes by itself once space returns.
            pendingMove = target
            throw error
        }
        simulatedNow = target
        pendingMove = nil
        if fired > 0 { CrashPoint.afterCommit.reached() }
        return fired
    }

    // MARK: Storage faults

    var storageProblem: String? {
        guard let f = storageFault else { return engine.writeHold }
        var text = "disk full: the database cannot be written since \(Instant.format(f.since, timeZone: config.zone)) (\(f.error)); "
            + "changes are refused until space returns, reads go on"
        if let pendingMove { text += "; the clock move to \(Instant.format(pendingMove, timeZone: config.zone)) resumes by itself then" }
        return text
    }

    func storageFailed(_ error: any Error) {
        guard storageFault == nil else { return }
        storageFault = (Date(), Store.faultMessage(error))
        logger.critical("the database cannot be written: refusing changes until it can; reads go on", metadata: ["error": "\(error)"])
        ops.monitor.setStorageProblem(storageProblem)
        notify.send("STATUS=\(ops.monitor.statusLine())")
        nextStorageRetry = ContinuousClock.now + .seconds(1)
    }

    private func storageRecovered() {
        guard let f = storageFault else { return }
        storageFault = nil
        logger.notice("the database can be written again: changes are taken", metadata: ["refused_since": "\(Instant.format(f.since, timeZone: config.zone))"])
        ops.monitor.setStorageProblem(nil)
        notify.send("STATUS=\(ops.monitor.statusLine())")
    }

    /// Runs a step of the loop that writes. A storage fault does not stop the daemon: it is
    /// noted, and the step is tried again (`retryStorage`). Any other error still ends the loop.
    private func storageStep(_ what: String, _ body: () throws -> Void) throws {
        do { try body() } catch where Store.isStorageFault(error) {
            logger.debug("storage fault", metadata: ["step": "\(what)"])
            storageFailed(error)
        }
    }

    /// While the database cannot be written, once a second: write what publishing owes, then
    /// finish an interrupted clock move. The first write that succeeds ends the fault.
    private func retryStorage(_ pass: Pass) throws {
        guard storageFault != nil, pass.monotonic >= nextStorageRetry else { return }
        nextStorageRetry = pass.monotonic + .seconds(1)
        do {
            let published = lastPublished
            try engine.store.write { try $0.setLastPublished(published) }
            publishedStored = published
            storageRecovered()
            if let target = pendingMove {
                let fired = try moveClock(to: target)
                logger.notice("the interrupted clock move finished", metadata: ["to": "\(Instant.format(target, timeZone: config.zone))", "events": "\(fired)"])
            }
        } catch where Store.isStorageFault(error) {
            storageFailed(error)
        }
    }

    private func bind(_ type: SocketType, _ endpoint: String, name: String, curve: Bool) throws -> Socket {
        let s = try Socket(context, type)
        if curve {
            guard zap != nil, let secret = serverSecretKey else { throw DaemonError("refusing to bind \(name) with CURVE: no ZAP handler") }
            try s.setCurveServer(secretKey: secret)
            try s.setZapDomain(name)
        }
        try s.setLinger(0)
        // libzmq drops a connection that sends more than MAXMSGSIZE, without a word. The hard limit
        // is twice the configured one so that a request merely too large gets a `too_large` reply.
        try s.setMaxMessageSize(config.maxMessageSize * 2)
        if type == .pub { try s.setSendHighWaterMark(1_000_000) }
        do { try s.bind(endpoint) } catch {
            throw DaemonError("cannot bind the \(name) socket to \(endpoint): \(error)")
        }
        return s
    }

    /// The loop. Returns when stopped; throws when it cannot start.
    /// For a reactor that will never run (the HTTP server could not listen): closes the one
    /// socket it opened, so that its context can end.
    func abandon() { wake.close() }

    func run() throws {
        defer {
            control?.close(); events?.close(); jobs?.close(); zap?.close(); wake.close()
        }
        // The clock first: a simulated clock resumes where it was stored.
        if config.clockMode == .simulated {
            let stored = try engine.store.read { try $0.storedClock() }
            let start = stored ?? config.clockStart ?? Date()
            simulatedNow = start
            if stored == nil { try engine.store.write { try $0.setStoredClock(start) } }
        }
        // Events committed but not yet sent before a stop or crash are sent now (at least once).
        lastPublished = try engine.store.read { try $0.lastPublished() }
        publishedStored = lastPublished

        try startSecurity()
        let control = try bind(.router, config.controlEndpoint, name: "control", curve: config.curve)
        let events = try bind(.pub, config.eventsEndpoint, name: "events", curve: config.curveEvents)
        let jobs = try bind(.router, config.jobsEndpoint, name: "jobs", curve: config.curve)
        self.control = control
        self.events = events
        self.jobs = jobs
        boundEndpoints = Endpoints(control: try control.lastEndpoint, events: try events.lastEndpoint, jobs: try jobs.lastEndpoint)
        if config.curve {
            for (socket, domain) in [(control, "control"), (jobs, "jobs")] {
                let m = try socket.monitor("inproc://kiemdiem-monitor-\(domain)-\(UUID().uuidString)",
                                           events: [.handshakeFailedProtocol, .handshakeFailedNoDetail], context: context)
                monitors.append((m, domain))
            }
        }
        defer { monitors.forEach { $0.socket.close() } }
        try dispatcher.start()

        // What fell due while the daemon was down fires once, marked late.
        var pass = Pass.begin()
        try storageStep("catch-up") {
            let missed = try engine.advance(to: campaignNow(pass), catchUp: config.clockMode == .system)
            if missed > 0 { logger.notice("caught up after downtime", metadata: ["events": "\(missed)"]) }
        }
        try storageStep("prune") { try prune(pass) }
        try storageStep("publish") { try publishPending() }

        defer { webInbox?.stop() }
        logger.info("ready control=\(boundEndpoints.control) events=\(boundEndpoints.events) jobs=\(boundEndpoints.jobs)\(httpAddress.map { " http=\($0)" } ?? "")")
        notify.send("READY=1\nSTATUS=\(ops.monitor.statusLine())")
        onReady(boundEndpoints)

        // The watchdog is pinged from this loop, not from a timer of its own: a loop stuck in a
        // request or a poll stops the pings, and systemd restarts the daemon.
        if let watchdogInterval { logger.info("watchdog on", metadata: ["ping_every": "\(watchdogInterval)"]) }
        nextWatchdog = pass.monotonic
        nextHeartbeat = pass.monotonic
        nextPrune = pass.monotonic + .seconds(3600)
        let sockets = [control, jobs, wake] + (zap.map { [$0] } ?? []) + monitors.map(\.socket)
        let firstMonitor = sockets.count - monitors.count
        while true {
            if let watchdogInterval, pass.monotonic >= nextWatchdog {
                notify.send("WATCHDOG=1")
                nextWatchdog = pass.monotonic + watchdogInterval
            }
            let polled = try poll(sockets, timeoutMs: pollTimeout(pass, nextWatchdog: watchdogInterval.map { _ in nextWatchdog }))
            let ready = Ready(polled)
            for (i, m) in monitors.enumerated() where polled[firstMonitor + i].contains(.readable) { serveMonitor(m.socket, domain: m.domain) }
            // The clocks are read once, after the poll: all the work of this pass happens at `pass`.
            pass = Pass.begin()
            if ready.zap, let zap { serveZap(zap) }
            if ready.wake, try readWake(pass) { break }
            // At most `controlPerPass` of requests per pass: a steady stream of them must not
            // keep the workers, the firing and the publishing waiting (found by `make soak`).
            if ready.control || !deferred.isEmpty { try serveControl(control, pass, deadline: .now + Reactor.controlPerPass) }
            try serveWeb(pass)
            // While a chunked import is applied on its own connection, the loop writes nothing
            // (its writes would wait for that transaction): workers, firing and publishing wait;
            // reads, heartbeats and the watchdog go on.
            if engine.applying != nil, try engine.finishApply() { importEnded() }
            sendFinished(control) // after the apply's end is seen: its reply follows the reload
            let writable = engine.applying == nil
            if ready.jobs, writable { serveJobs(jobs, pass) }
            if writable { try retryStorage(pass) }
            if config.clockMode == .system, storageFault == nil, writable {
                try storageStep("firing") { if try engine.advance(to: pass.wall) > 0 { CrashPoint.afterCommit.reached() } }
            }
            if writable { try storageStep("publish") { try publishPending() } }
            if writable { send(dispatcher.tick(now: pass.wall.timeIntervalSince1970, lease: storageFault == nil), on: jobs) }
            ops.monitor.workers.store(dispatcher.workerCount, ordering: .relaxed)
            if pass.monotonic >= nextHeartbeat {
                try heartbeat(events, pass)
                nextHeartbeat = pass.monotonic + config.heartbeat
            }
            if pass.monotonic >= nextPrune, writable {
                try storageStep("prune") { try prune(pass) }
                nextPrune = pass.monotonic + .seconds(3600)
            }
            if pass.monotonic >= nextUploadSweep, writable {
                try storageStep("drop idle imports") { try dropIdleUploads() }
                nextUploadSweep = pass.monotonic + min(.seconds(60), config.importIdle)
            }
        }
        logger.info("stopping")
    }

    /// What the poll found ready, by name.
    private struct Ready {
        var control, jobs, wake, zap: Bool
        init(_ r: [PollEvents]) {
            control = r[0].contains(.readable)
            jobs = r[1].contains(.readable)
            wake = r[2].contains(.readable)
            zap = r.count > 3 && r[3].contains(.readable) // with CURVE only; the monitors follow it
        }
    }

    /// How long the poll may wait: until the next heartbeat, watchdog ping or deadline (system
    /// clock), and no longer than a worker heartbeat while workers are connected (to watch
    /// leases and back-offs).
    private func pollTimeout(_ pass: Pass, nextWatchdog: ContinuousClock.Instant?) -> Int {
        if !deferred.isEmpty { return 0 }
        func ms(until t: ContinuousClock.Instant) -> Int { max(0, Int((t - pass.monotonic) / .milliseconds(1))) }
        var timeout = min(ms(until: nextHeartbeat), max(1, Int(config.heartbeat / .milliseconds(1))))
        if let nextWatchdog { timeout = min(timeout, ms(until: nextWatchdog)) }
        if config.clockMode == .system, let next = engine.nextInstant() {
            timeout = min(timeout, max(0, Int((next.timeIntervalSince(pass.wall) * 1000).rounded(.up))))
        }
        if dispatcher.workerCount > 0 { timeout = min(timeout, Int(config.jobs.heartbeat / .milliseconds(1))) }
        if storageFault != nil { timeout = min(timeout, ms(until: nextStorageRetry)) }
        if engine.applying != nil { timeout = min(timeout, 50) } // to see the apply end soon
        return timeout
    }

    /// Returns true when asked to stop; a reload request is carried out here, on the loop.
    private func readWake(_ pass: Pass) throws -> Bool {
        var stop = false
        while let frames = try wake.receive(dontWait: true) {
            switch frames.first.map({ String(decoding: $0, as: UTF8.self) }) {
            case "reload": reload(pass)
            case "reply": break // sent after the wake (`sendFinished`)
            case "web": break // served after the wake (`serveWeb`)
            default: stop = true
            }
        }
        return stop
    }

    /// SIGHUP: tells systemd it reloads, re-reads the configuration file the way it was read at
    /// start (same file, environment and flags) and applies what can change live, re-reads the
    /// authorized keys, then says READY again. A file that does not load changes nothing: the
    /// configuration in force stays, and the log says why in one line.
    private func reload(_ pass: Pass) {
        notify.send("RELOADING=1\nMONOTONIC_USEC=\(SystemdNotify.monotonicMicroseconds())\nSTATUS=reloading the configuration")
        logger.notice("reload requested (SIGHUP)")
        if let source = ops.configSource {
            do {
                apply(try source.load(), pass)
            } catch {
                logger.error("configuration not reloaded; keeping the one in force", metadata: ["reason": "\(error.description)"])
            }
        }
        _ = try? reloadKeys()
        if let linkKeys {
            do {
                try linkKeys.rotate(now: Date())
                engine.links = linkKeys.signer
                logger.notice("link key rotated; links signed before keep working for http.link_grace")
            } catch {
                logger.error("link key not rotated; keeping the one in force", metadata: ["reason": "\(error)"])
            }
        }
        notify.send("READY=1\nSTATUS=\(ops.monitor.statusLine())")
    }

    /// Applies the keys that can change while running (declared `live`); names the others.
    private func apply(_ new: DaemonConfig, _ pass: Pass) {
        var changed: [String] = []
        if new.logLevel != config.logLevel, let level = Logger.Level(rawValue: new.logLevel) {
            config.logLevel = new.logLevel
            ops.setLogLevel?(level)
            changed.append("log_level=\(new.logLevel)")
        }
        if new.heartbeat != config.heartbeat {
            config.heartbeat = new.heartbeat
            nextHeartbeat = min(nextHeartbeat, pass.monotonic + new.heartbeat)
            ops.monitor.interval.withLock { $0 = new.heartbeat }
            changed.append("events.heartbeat=\(new.heartbeat)")
        }
        if new.eventRetention != config.eventRetention {
            config.eventRetention = new.eventRetention
            nextPrune = pass.monotonic // prune on this pass with the new retention
            changed.append("events.retention=\(new.eventRetention.map { "\(Int64($0.seconds))s" } ?? "keep all")")
        }
        if new.jobs != config.jobs {
            config.jobs = new.jobs
            dispatcher.policy = new.jobs
            changed.append("jobs.*")
        }
        logger.notice("configuration reloaded", metadata: ["changed": "\(changed.isEmpty ? "nothing" : changed.joined(separator: " "))"])
        let later = config.restartOnlyChanges(to: new)
        if !later.isEmpty {
            logger.warning("changed keys that take effect only at the next restart; the values in force stay", metadata: ["keys": "\(later.joined(separator: ","))"])
        }
    }

    private func serveZap(_ socket: Socket) {
        while let frames = try? socket.receive(dontWait: true) {
            guard let handler = zapHandler else { return }
            let (reply, refusal) = handler.answer(frames)
            do { try socket.send(reply) } catch {
                logger.error("cannot answer a ZAP request", metadata: ["error": "\(error)"])
            }
            if let r = refusal {
                auditConnection(domain: r.domain, reason: r.reason, detail: ["address": r.address, "key": r.key ?? "none"])
            }
        }
    }

    /// Handshakes that failed before the ZAP handler could be asked: a client without CURVE, or
    /// one that encrypts to another server key. libzmq reports them on the socket's monitor.
    private func serveMonitor(_ monitor: Socket, domain: String) {
        while let e = try? monitor.receiveMonitorEvent(dontWait: true) {
            let reason = e.event == .handshakeFailedProtocol
                ? "handshake failed: the client does not speak CURVE, or not to this server's key (ZMTP error \(e.value))"
                : "handshake failed (\(e.value))"
            logger.warning("connection refused", metadata: ["domain": "\(domain)", "reason": "\(reason)"])
            auditConnection(domain: domain, reason: reason, detail: ["endpoint": e.endpoint])
        }
    }

    /// Audits a refused connection, at most one row a minute for the same socket and reason; the
    /// next row counts the refusals that were not written in between.
    private func auditConnection(domain: String, reason: String, detail: [String: String]) {
        let key = "\(domain)|\(reason)"
        let now = ContinuousClock.now
        var entry = refusalsAudited[key] ?? (last: nil, suppressed: 0)
        if let last = entry.last, now - last < .seconds(60) {
            entry.suppressed += 1
            refusalsAudited[key] = entry
            return
        }
        var args = detail
        if entry.suppressed > 0 { args["refused_since_last_row"] = "\(entry.suppressed)" }
        refusalsAudited[key] = (now, 0)
        let text = (try? JSONSerialization.data(withJSONObject: args, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        do {
            try engine.store.write {
                try $0.appendAudit(time: Date(), actor: "unauthenticated", role: "-", command: "connect.\(domain)", args: text, result: "refused: \(reason)")
            }
        } catch {
            logger.error("cannot write audit", metadata: ["command": "connect.\(domain)", "error": "\(error)"])
        }
    }

    /// Who sent a control message: from the ZAP User-Id (the client's public key) and the keys
    /// in force now; never from the request body. Without CURVE every local caller is an admin.
    private func caller(_ userId: String?) -> Caller? {
        guard config.curve else { return Caller(name: "local", role: .admin) }
        guard let userId, let entry = zapHandler?.keys[userId] else { return nil }
        return Caller(name: entry.name, role: entry.role)
    }

    /// Serves every request waiting on the control socket. A REQ peer's envelope has an empty
    /// delimiter frame, a DEALER's may not; the reply echoes whichever envelope came in.
    /// With `readOnly` (between the slices of a firing), a request that changes state is kept for
    /// later instead; otherwise the requests kept are served first.
    /// Serves the control requests queued now, until `deadline`: the rest stay queued for the
    /// next pass (or, between the slices of a firing, `readOnly`, the next gap), so a storm of
    /// requests can starve neither the workers nor a firing.
    private func serveControl(_ socket: Socket, _ pass: Pass, readOnly: Bool = false, deadline: ContinuousClock.Instant? = nil) throws {
        while true {
            if let deadline, ContinuousClock.now >= deadline { return }
            // What waited for a firing goes first, before anything newer.
            if !readOnly, !deferred.isEmpty {
                let (frames, userId) = deferred.removeFirst()
                try serveRequest(frames, userId: userId, on: socket, pass)
                continue
            }
            guard let (frames, userId) = try socket.receive(dontWait: true, property: "User-Id") else { return }
            if readOnly, let body = frames.last, !handler.mayRunDuringFiring(body) {
                deferred.append((frames, userId))
                continue
            }
            try serveRequest(frames, userId: userId, on: socket, pass)
        }
    }

    private func serveRequest(_ frames: [Data], userId: String?, on socket: Socket, _ pass: Pass) throws {
        guard frames.count >= 2 else { return }
        let identity = frames[0]
        var envelope = [identity]
        var rest = frames.dropFirst()
        if rest.first?.isEmpty == true, rest.count > 1 { envelope.append(Data()); rest = rest.dropFirst() }
        let reply: Data
        if rest.count != 1 || frames.count > frameLimit {
            reply = Data(#"{"ok":false,"error":{"code":"bad_request","message":"a request is one JSON frame"}}"#.utf8)
        } else if let body = rest.first, body.count > config.maxMessageSize {
            reply = Data(#"{"ok":false,"error":{"code":"too_large","message":"the request is larger than limits.max_message_size"}}"#.utf8)
        } else if let body = rest.first, let who = caller(userId) {
            let started = ContinuousClock.now
            // The campaign's instant: the simulated clock as an earlier request may have moved it.
            let handled = handler.handle(body, caller: who, now: campaignNow(pass))
            if let later = handled.later {
                let waker = self.waker, finished = self.finished, command = handled.command, envelope = envelope
                laterQueue.async {
                    TestHold.later.wait()
                    let reply = later()
                    finished.list.withLock { $0.append(.init(envelope: envelope, reply: reply, command: command, started: started)) }
                    waker.replyReady()
                }
                try storageStep("publish") { try publishPending() }
                return
            }
            reply = handled.reply
            ops.metrics.commandServed(handled.command?.name, duration: ContinuousClock.now - started)
        } else {
            reply = Data(#"{"ok":false,"error":{"code":"unauthenticated","message":"this key is no longer in the authorized keys"}}"#.utf8)
        }
        // A peer that left before its reply is not an error worth stopping for.
        do { try socket.send(envelope + [reply], dontWait: true) } catch {
            logger.warning("cannot send a control reply", metadata: ["error": "\(error)"])
        }
        try storageStep("publish") { try publishPending() }
    }

    /// Serves the page's requests, as the control socket's: the same handler, audit and roles,
    /// the caller named by its token or its letter. With `readOnly` (between the slices of a
    /// firing) a change waits for the firing to end.
    private func serveWeb(_ pass: Pass, readOnly: Bool = false) throws {
        guard let webInbox else { return }
        var kept: [WebInbox.Item] = []
        for item in webInbox.take() {
            if readOnly, !handler.mayRunDuringFiring(item.body) {
                kept.append(item)
                continue
            }
            let started = ContinuousClock.now
            let handled = handler.handle(item.body, caller: item.caller, now: campaignNow(pass))
            if let later = handled.later {
                laterQueue.async {
                    TestHold.later.wait()
                    item.reply.resume(returning: later())
                }
            } else {
                ops.metrics.commandServed(handled.command?.name, duration: ContinuousClock.now - started)
                item.reply.resume(returning: handled.reply)
            }
        }
        if !kept.isEmpty { webInbox.putBack(kept) }
        try storageStep("publish") { try publishPending() }
    }

    /// Sends the replies of work that ended off the loop.
    private func sendFinished(_ socket: Socket) {
        let done = finished.list.withLock { list in defer { list.removeAll() }; return list }
        for d in done {
            ops.metrics.commandServed(d.command?.name, duration: ContinuousClock.now - d.started)
            do { try socket.send(d.envelope + [d.reply], dontWait: true) } catch {
                logger.warning("cannot send a control reply", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Serves the workers: their messages settle jobs, and free room gets more.
    private func serveJobs(_ socket: Socket, _ pass: Pass, lease: Bool = true) {
        // Every message queued now, handled as one batch: one transaction settles them all.
        var batch: [(frames: [Data], keyName: String?)] = []
        while batch.count < 10_000, let (frames, userId) = (try? socket.receive(dontWait: true, property: "User-Id")) ?? nil {
            let name = userId.flatMap { zapHandler?.keys[$0]?.name }
            if config.curve, name == nil { continue } // a key removed since it connected
            batch.append((frames, name))
        }
        if !batch.isEmpty { send(dispatcher.receive(batch, now: pass.wall.timeIntervalSince1970, lease: lease), on: socket) }
    }

    private func send(_ messages: [[Data]], on socket: Socket) {
        for m in messages {
            do { try socket.send(m, dontWait: true) } catch {
                logger.warning("cannot send to a worker", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Publishes stored events after the last one published, in seq order.
    private func publishPending() throws {
        guard let events else { return }
        while true {
            let batch = try engine.store.read { try $0.events(since: lastPublished, topic: nil, limit: 2000) }
            if batch.isEmpty { break }
            for e in batch {
                try events.send([Data(e.topic.utf8), e.body])
                lastPublished = e.seq
                ops.metrics.eventPublished(topic: e.topic)
            }
            try storePublished()
        }
        try storePublished()
    }

    /// Stores how far publishing went. Between the slices of a firing the mark stays in memory: a
    /// write of its own per slice was a second commit (and fsync) per 150 targets. The first pass
    /// after the firing stores it; a crash before that sends the firing's events again, as a
    /// crash always may (at least once; subscribers tell a repeat by its seq).
    private func storePublished() throws {
        guard !inSlices, lastPublished != publishedStored else { return }
        let published = lastPublished
        // If this write fails (a full disk), the events are sent all the same; a restart
        // before it succeeds sends them again (at least once, as after a crash).
        try engine.store.write { try $0.setLastPublished(published) }
        publishedStored = published
    }

    private func heartbeat(_ socket: Socket, _ pass: Pass) throws {
        let last = try engine.store.read { try $0.lastSeq() }
        var b = EventBody(seq: last, id: "heartbeat/\(Int64(pass.wall.timeIntervalSince1970 * 1000))", type: .heartbeat,
                          time: Instant.format(campaignNow(pass), timeZone: config.zone))
        b.message = nil
        let body = try WireJSON.encoder().encode(b)
        try socket.send([Data("heartbeat/".utf8), body])
        ops.metrics.eventPublished(topic: "heartbeat/")
    }

    /// A chunked import's apply ended: said in the log; its outcome waits for `import.state`.
    private func importEnded() {
        guard let s = engine.finishedImportsLatest else { return }
        if let e = s.error {
            logger.warning("import not applied", metadata: ["upload": "\(s.upload)", "file": "\(s.name)", "error": "\(e.message)"])
        } else if let r = s.result {
            logger.notice("import applied", metadata: ["upload": "\(s.upload)", "file": "\(s.name)", "added": "\(r.added)", "updated": "\(r.updated)", "total": "\(r.total)"])
        }
    }

    /// Chunked imports that no chunk reached for `limits.import_idle` (real time) are dropped.
    private func dropIdleUploads() throws {
        let ids = try engine.store.write { try $0.dropIdleUploads(before: Date().addingTimeInterval(-config.importIdle.seconds)) }
        for id in ids { logger.notice("dropped an idle import", metadata: ["upload": "\(id)", "idle": "\(Int64(config.importIdle.seconds))s"]) }
    }

    private func prune(_ pass: Pass) throws {
        guard let retention = config.eventRetention else { return }
        let cutoff = campaignNow(pass).addingTimeInterval(-retention.seconds)
        let n = try engine.store.write { try $0.pruneEvents(before: cutoff) }
        if n > 0 { logger.info("pruned old events", metadata: ["count": "\(n)"]) }
    }
}

/// What the reactor needs for operations, besides serving.
struct ReactorOps {
    /// Where SIGHUP re-reads the configuration; nil: SIGHUP re-reads the authorized keys only.
    var configSource: ConfigSource?
    /// Changes the process's log level (a reload of `log_level`).
    var setLogLevel: (@Sendable (Logger.Level) -> Void)?
    var metrics: DaemonMetrics
    var monitor: OpsMonitor
}

public struct DaemonError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
