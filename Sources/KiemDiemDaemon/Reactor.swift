import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Logging
import ZeroMQ

/// Owns every socket on one dedicated thread (a libzmq socket is not thread-safe, and a blocking
/// zmq_poll must never run on Swift's cooperative pool). The loop polls the control and jobs
/// sockets with a timeout that ends at the next deadline (system clock) or heartbeat, handles
/// requests one at a time, fires the schedule, and publishes stored events in seq order.
final class Reactor: ControlContext {
    let config: DaemonConfig
    let engine: Engine
    let logger: Logger
    let context: ZMQContext
    let notify: SystemdNotify
    let onReady: @Sendable (Endpoints) -> Void
    private let wakeEndpoint = "inproc://kiemdiem-wake-\(UUID().uuidString)"
    private let wake: Socket
    private var control: Socket?
    private var events: Socket?
    private var jobs: Socket?
    private var handler: ControlHandler!
    private(set) var boundEndpoints = Endpoints(control: "", events: "", jobs: "")
    private var simulatedNow: Date?
    private var lastPublished: Int64 = 0
    private let frameLimit = 4

    init(config: DaemonConfig, engine: Engine, logger: Logger, notify: SystemdNotify, onReady: @escaping @Sendable (Endpoints) -> Void) throws {
        self.config = config
        self.engine = engine
        self.logger = logger
        self.notify = notify
        self.onReady = onReady
        context = try ZMQContext()
        // Bound here, before the loop's thread starts, so stop() can never miss it.
        wake = try Socket(context, .pull)
        try wake.bind(wakeEndpoint)
    }

    var clockMode: DaemonConfig.ClockMode { config.clockMode }
    var displayZone: TimeZone { config.zone }
    var now: Date { simulatedNow ?? Date() }

    /// Asks the loop to finish the request in flight and return. Safe from any thread.
    func stop() {
        do {
            let s = try Socket(context, .push)
            try s.setLinger(1000)
            try s.connect(wakeEndpoint)
            try s.send(Data("stop".utf8))
            s.close()
        } catch {
            logger.error("cannot wake the reactor", metadata: ["error": "\(error)"])
        }
    }

    func moveClock(to target: Date) throws -> Int {
        let fired = try engine.advance(to: target, persistClock: true)
        simulatedNow = target
        return fired
    }

    private func bind(_ type: SocketType, _ endpoint: String, name: String) throws -> Socket {
        let s = try Socket(context, type)
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
    func run() throws {
        defer {
            control?.close(); events?.close(); jobs?.close(); wake.close()
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

        let control = try bind(.router, config.controlEndpoint, name: "control")
        let events = try bind(.pub, config.eventsEndpoint, name: "events")
        let jobs = try bind(.router, config.jobsEndpoint, name: "jobs")
        self.control = control
        self.events = events
        self.jobs = jobs
        boundEndpoints = Endpoints(control: try control.lastEndpoint, events: try events.lastEndpoint, jobs: try jobs.lastEndpoint)
        handler = ControlHandler(engine: engine, logger: logger)
        handler.context = self

        // What fell due while the daemon was down fires once, marked late.
        let missed = try engine.advance(to: now, catchUp: config.clockMode == .system)
        if missed > 0 { logger.notice("caught up after downtime", metadata: ["events": "\(missed)"]) }
        try prune()
        try publishPending()

        logger.info("ready control=\(boundEndpoints.control) events=\(boundEndpoints.events) jobs=\(boundEndpoints.jobs)")
        notify.send("READY=1\nSTATUS=serving \(engine.listCampaigns(now: now).count) campaign(s)")
        onReady(boundEndpoints)

        let heartbeatMs = Int(config.heartbeat.components.seconds * 1000)
        var nextHeartbeat = ContinuousClock.now
        var nextPrune = ContinuousClock.now + .seconds(3600)
        while true {
            var timeout = max(0, Int((nextHeartbeat - ContinuousClock.now) / .milliseconds(1)))
            if config.clockMode == .system, let next = engine.nextInstant() {
                timeout = min(timeout, max(0, Int((next.timeIntervalSince(Date()) * 1000).rounded(.up))))
            }
            let ready = try poll([control, jobs, wake], timeoutMs: min(timeout, heartbeatMs))
            if ready[2].contains(.readable) { break }
            if ready[0].contains(.readable) { try serveControl(control) }
            if ready[1].contains(.readable) { drainJobs(jobs) }
            if config.clockMode == .system { try engine.advance(to: Date()) }
            try publishPending()
            if ContinuousClock.now >= nextHeartbeat {
                try heartbeat(events)
                nextHeartbeat = ContinuousClock.now + config.heartbeat
            }
            if ContinuousClock.now >= nextPrune {
                try prune()
                nextPrune = ContinuousClock.now + .seconds(3600)
            }
        }
        notify.send("STOPPING=1")
        logger.info("stopping")
    }

    /// Serves every request waiting on the control socket. A REQ peer's envelope has an empty
    /// delimiter frame, a DEALER's may not; the reply echoes whichever envelope came in.
    private func serveControl(_ socket: Socket) throws {
        while let frames = try socket.receive(dontWait: true) {
            guard frames.count >= 2 else { continue }
            let identity = frames[0]
            var envelope = [identity]
            var rest = frames.dropFirst()
            if rest.first?.isEmpty == true, rest.count > 1 { envelope.append(Data()); rest = rest.dropFirst() }
            let reply: Data
            if rest.count != 1 || frames.count > frameLimit {
                reply = Data(#"{"ok":false,"error":{"code":"bad_request","message":"a request is one JSON frame"}}"#.utf8)
            } else if rest.first!.count > config.maxMessageSize {
                reply = Data(#"{"ok":false,"error":{"code":"too_large","message":"the request is larger than limits.max_message_size"}}"#.utf8)
            } else {
                reply = handler.handle(rest.first!, actor: "local")
            }
            // A peer that left before its reply is not an error worth stopping for.
            do { try socket.send(envelope + [reply], dontWait: true) } catch {
                logger.warning("cannot send a control reply", metadata: ["error": "\(error)"])
            }
            try publishPending()
        }
    }

    /// The jobs protocol arrives with the workers issue; until then requests are read and dropped
    /// so a stray peer cannot fill the queue.
    private func drainJobs(_ socket: Socket) {
        while let frames = try? socket.receive(dontWait: true) {
            logger.debug("jobs socket: ignoring a message", metadata: ["frames": "\(frames.count)"])
        }
    }

    /// Publishes stored events after the last one published, in seq order.
    private func publishPending() throws {
        guard let events else { return }
        while true {
            let batch = try engine.store.read { try $0.events(since: lastPublished, topic: nil, limit: 2000) }
            if batch.isEmpty { return }
            for e in batch {
                try events.send([Data(e.topic.utf8), e.body])
                lastPublished = e.seq
            }
            let published = lastPublished
            try engine.store.write { try $0.setLastPublished(published) }
        }
    }

    private func heartbeat(_ socket: Socket) throws {
        let last = try engine.store.read { try $0.lastSeq() }
        var b = EventBody(seq: last, id: "heartbeat/\(Int64(Date().timeIntervalSince1970 * 1000))", type: .heartbeat,
                          time: Instant.format(now, timeZone: config.zone))
        b.message = nil
        let body = try WireJSON.encoder().encode(b)
        try socket.send([Data("heartbeat/".utf8), body])
    }

    private func prune() throws {
        guard let retention = config.eventRetention else { return }
        let cutoff = now.addingTimeInterval(-TimeInterval(retention))
        let n = try engine.store.write { try $0.pruneEvents(before: cutoff) }
        if n > 0 { logger.info("pruned old events", metadata: ["count": "\(n)"]) }
    }
}

public struct DaemonError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
