import Foundation
import KiemDiemClient
import KiemDiemWire
import Logging
import Synchronization
import ZeroMQ

/// Turns a job into a delivered notification: render the templates, pick the channel, deliver.
/// The whole pipeline is here, each step a small type (templates, channels).
public final class Deliverer: Sendable {
    /// Swapped whole by a reload (SIGHUP) while the loop runs: the next job uses the new ones.
    private let current: Mutex<NotificationTemplates>
    public let channels: [Channel: any DeliveryChannel]

    public init(templates: NotificationTemplates, channels: [Channel: any DeliveryChannel]) {
        current = Mutex(templates)
        self.channels = channels
    }

    public var templates: NotificationTemplates { current.withLock { $0 } }

    public func replaceTemplates(_ t: NotificationTemplates) { current.withLock { $0 = t } }

    /// Delivers one job; a thrown DeliveryError says whether a retry can help.
    public func deliver(_ m: JobsMessage) throws {
        guard let payload = m.payload, let key = m.key else { throw DeliveryError(retryable: false, "job without payload or key") }
        guard let channelName = m.channel, let channel = Channel(rawValue: channelName).flatMap({ channels[$0] }) else {
            throw DeliveryError(retryable: false, "channel '\(m.channel ?? "")' is not configured on this worker")
        }
        let (subject, body) = try templates.render(payload)
        let json = try WireJSON.encoder().encode(payload)
        try channel.deliver(Outgoing(key: key, payload: payload, address: m.address, subject: subject, body: body, json: json))
    }

    /// Makes the deliveries so far durable on every channel (the spool's directory fsync).
    public func flush() throws {
        for channel in channels.values { try channel.flush() }
    }
}

public struct WorkerOptions: Sendable {
    public var endpoint: String
    public var curve: CurveCredentials?
    public var capacity: Int
    /// Deliveries running at once, inside the window.
    public var concurrency = 8
    public var name: String
    public var heartbeat: Duration = .seconds(1)
    /// No word from the daemon for this long: reconnect and announce again.
    public var daemonTimeout: Duration = .seconds(5)

    public init(endpoint: String, curve: CurveCredentials?, capacity: Int, name: String) {
        self.endpoint = endpoint
        self.curve = curve
        self.capacity = capacity
        self.name = name
    }
}

/// The worker's loop, on its own thread: one DEALER to the daemon's jobs socket, heartbeats both
/// ways. Of the jobs it holds (its window, `capacity`), `concurrency` are delivered at once on a
/// pool; the loop collects what finished on each pass, makes it durable with one flush (the
/// spool's directory fsync), then answers `done` or `fail` for each.
public final class WorkerLoop: @unchecked Sendable {
    let options: WorkerOptions
    let deliverer: Deliverer
    let logger: Logger
    let context: ZMQContext
    private let wakeEndpoint = "inproc://kiemdiem-worker-wake-\(UUID().uuidString)"
    private let wake: Socket
    private let encoder = WireJSON.encoder()
    private let decoder = WireJSON.decoder()
    public private(set) var delivered = 0
    /// Deliveries are blocking calls (files, SMTP, HTTP): they run on threads of their own, not
    /// on Dispatch's pool, whose width follows the cores and would serialize them when busy.
    private let pool: DeliveryPool
    /// What the pool finished, collected by the loop.
    private let finished = Mutex<[(job: Int64, error: (any Error)?)]>([])

    public init(options: WorkerOptions, deliverer: Deliverer, logger: Logger) throws {
        self.options = options
        self.deliverer = deliverer
        self.logger = logger
        pool = DeliveryPool(threads: max(1, options.concurrency))
        context = try ZMQContext()
        wake = try Socket(context, .pull)
        try wake.bind(wakeEndpoint)
    }

    public func stop() {
        guard let s = try? Socket(context, .push) else { return }
        try? s.setLinger(1000)
        try? s.connect(wakeEndpoint)
        _ = try? s.send(Data("stop".utf8))
        s.close()
    }

    private func connect() throws -> Socket {
        let s = try Socket(context, .dealer)
        try s.setLinger(0)
        if let c = options.curve {
            try s.setCurveClient(serverPublicKey: c.serverPublicKey, publicKey: c.publicKey, secretKey: c.secretKey)
        }
        try s.connect(options.endpoint)
        try s.send(encoder.encode(JobsMessage.ready(capacity: options.capacity, name: options.name)))
        return s
    }

    private func send(_ s: Socket, _ m: JobsMessage) {
        do { _ = try s.send(try encoder.encode(m), dontWait: true) } catch {
            logger.warning("cannot send to the daemon", metadata: ["error": "\(error)"])
        }
    }

    /// Runs until stopped.
    public func run() throws {
        var socket = try connect()
        defer { socket.close(); wake.close(); pool.stop() }
        // Intervals on the monotonic clock: a wall-clock step never fakes a silent daemon.
        var lastHeard = ContinuousClock.now
        var lastBeat: ContinuousClock.Instant?
        var queue: [JobsMessage] = []
        var running = 0
        logger.info("worker started", metadata: ["endpoint": "\(options.endpoint)", "capacity": "\(options.capacity)",
                                                 "concurrency": "\(options.concurrency)"])
        while true {
            // While deliveries run, the loop looks for finished ones every few milliseconds.
            let timeout = running > 0 ? 2 : (queue.isEmpty ? Int(options.heartbeat / .milliseconds(1)) : 0)
            let ready = try poll([socket, wake], timeoutMs: timeout)
            if ready[1].contains(.readable) { return }
            if ready[0].contains(.readable) {
                while let frames = try socket.receive(dontWait: true) {
                    lastHeard = ContinuousClock.now
                    guard let data = frames.last, let m = try? decoder.decode(JobsMessage.self, from: data) else { continue }
                    if m.type == .job { queue.append(m) }
                }
            }
            while running < max(1, options.concurrency), !queue.isEmpty {
                let job = queue.removeFirst()
                guard let id = job.job else { continue }
                running += 1
                let deliverer = self.deliverer
                pool.submit { [self] in
                    var failure: (any Error)?
                    do { try deliverer.deliver(job) } catch { failure = error }
                    finished.withLock { $0.append((id, failure)) }
                }
            }
            let results = finished.withLock { r -> [(job: Int64, error: (any Error)?)] in
                defer { r.removeAll() }
                return r
            }
            if !results.isEmpty {
                running -= results.count
                // One flush makes every delivery of this pass durable before any `done` is sent.
                var flushError: (any Error)?
                if results.contains(where: { $0.error == nil }) {
                    do { try deliverer.flush() } catch { flushError = error }
                    CrashPoint.afterDelivery.reached()
                }
                for (id, error) in results {
                    switch error ?? flushError {
                    case nil:
                        delivered += 1
                        send(socket, .done(id))
                    case let e as DeliveryError:
                        logger.warning("delivery failed", metadata: ["job": "\(id)", "retry": "\(e.retryable)", "error": "\(e)"])
                        send(socket, .fail(id, retry: e.retryable, error: e.description))
                    case let e?:
                        send(socket, .fail(id, retry: true, error: "\(e)"))
                    }
                }
            }
            let now = ContinuousClock.now
            if lastBeat.map({ now - $0 >= options.heartbeat }) ?? true {
                lastBeat = now
                // Name and capacity in every heartbeat: a daemon that took this worker for lost
                // (a stop, a long pause) registers it again by them, not as a nameless one.
                var beat = JobsMessage(type: .heartbeat)
                beat.capacity = options.capacity
                beat.name = options.name
                send(socket, beat)
            }
            if now - lastHeard > options.daemonTimeout {
                // The daemon is gone or restarted: start a fresh connection and announce again.
                // Queued jobs are dropped; their leases end and the daemon hands them out anew.
                logger.warning("no word from the daemon; reconnecting", metadata: ["endpoint": "\(options.endpoint)"])
                socket.close()
                queue.removeAll()
                socket = try connect()
                lastHeard = now
            }
        }
    }
}

/// A fixed set of threads that run submitted work, for blocking deliveries. Written by hand: no
/// listed library offers a pool of plain threads, and Dispatch's queues are bounded by the cores.
final class DeliveryPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var work: [@Sendable () -> Void] = []
    private var stopped = false

    init(threads: Int) {
        for i in 0..<threads {
            let t = Thread { [self] in run() }
            t.name = "kiemdiem-delivery-\(i)"
            t.start()
        }
    }

    func submit(_ item: @escaping @Sendable () -> Void) {
        condition.lock()
        work.append(item)
        condition.signal()
        condition.unlock()
    }

    /// The threads finish what they run and end.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while work.isEmpty && !stopped { condition.wait() }
            if work.isEmpty { condition.unlock(); return }
            let item = work.removeFirst()
            condition.unlock()
            item()
        }
    }
}
