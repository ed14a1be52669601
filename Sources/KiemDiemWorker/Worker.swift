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
}

public struct WorkerOptions: Sendable {
    public var endpoint: String
    public var curve: CurveCredentials?
    public var capacity: Int
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

/// The worker's loop, on its own thread: one DEALER to the daemon's jobs socket, jobs handled
/// one at a time (capacity is how many it queues), heartbeats both ways.
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

    public init(options: WorkerOptions, deliverer: Deliverer, logger: Logger) throws {
        self.options = options
        self.deliverer = deliverer
        self.logger = logger
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
        defer { socket.close(); wake.close() }
        // Intervals on the monotonic clock: a wall-clock step never fakes a silent daemon.
        var lastHeard = ContinuousClock.now
        var lastBeat: ContinuousClock.Instant?
        var queue: [JobsMessage] = []
        logger.info("worker started", metadata: ["endpoint": "\(options.endpoint)", "capacity": "\(options.capacity)"])
        while true {
            let timeout = queue.isEmpty ? Int(options.heartbeat / .milliseconds(1)) : 0
            let ready = try poll([socket, wake], timeoutMs: timeout)
            if ready[1].contains(.readable) { return }
            if ready[0].contains(.readable) {
                while let frames = try socket.receive(dontWait: true) {
                    lastHeard = ContinuousClock.now
                    guard let data = frames.last, let m = try? decoder.decode(JobsMessage.self, from: data) else { continue }
                    if m.type == .job { queue.append(m) }
                }
            }
            if let job = queue.first, let id = job.job {
                queue.removeFirst()
                do {
                    try deliverer.deliver(job)
                    delivered += 1
                    send(socket, .done(id))
                } catch let e as DeliveryError {
                    logger.warning("delivery failed", metadata: ["job": "\(id)", "retry": "\(e.retryable)", "error": "\(e)"])
                    send(socket, .fail(id, retry: e.retryable, error: e.description))
                } catch {
                    send(socket, .fail(id, retry: true, error: "\(error)"))
                }
            }
            let now = ContinuousClock.now
            if lastBeat.map({ now - $0 >= options.heartbeat }) ?? true {
                lastBeat = now
                var beat = JobsMessage(type: .heartbeat)
                beat.capacity = options.capacity
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
