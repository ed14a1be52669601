import Foundation
import KiemDiemCore
import KiemDiemEngine
import KiemDiemStore
import KiemDiemWeb
import KiemDiemWire
import Logging
import ServiceLifecycle
import UnixSignals

/// The daemon: opens the store, loads the engine, binds what must listen, and hands back its
/// parts as services for one `ServiceGroup` (kiemdiemd runs them under SIGTERM/SIGINT):
/// - the reactor, on a thread of its own, which owns every ZeroMQ socket;
/// - the SIGHUP listener, which asks the reactor to reload;
/// - the operations monitor (systemd STATUS, database-backed gauges), from the moment the
///   daemon serves, when anyone listens;
/// - the HTTP server (the page, letters' links, `/metrics`), when `http.listen` is set.
public final class Daemon: Sendable {
    let config: DaemonConfig
    let logger: Logger
    let notify: SystemdNotify
    let configSource: ConfigSource?
    let setLogLevel: (@Sendable (Logger.Level) -> Void)?
    let metrics: DaemonMetrics
    let onReady: @Sendable (Endpoints) -> Void

    /// - Parameters:
    ///   - configSource: where SIGHUP re-reads the configuration (nil: SIGHUP re-reads the
    ///     authorized keys only).
    ///   - setLogLevel: applies a reloaded `log_level`.
    ///   - metrics: where the metrics go; served on `config.metricsListen` when it has a registry.
    public init(config: DaemonConfig, logger: Logger, notify: SystemdNotify = SystemdNotify(), configSource: ConfigSource? = nil,
                setLogLevel: (@Sendable (Logger.Level) -> Void)? = nil, metrics: DaemonMetrics = .disabled,
                onReady: @escaping @Sendable (Endpoints) -> Void = { _ in }) {
        self.config = config
        self.logger = logger
        self.notify = notify
        self.configSource = configSource
        self.setLogLevel = setLogLevel
        self.metrics = metrics
        self.onReady = onReady
    }

    /// Opens the database; a failure is reported in one line naming the file.
    public static func openStore(_ config: DaemonConfig) throws -> Store {
        do { return try Store(path: config.database, synchronous: config.synchronous, exclusive: true) } catch let busy as DatabaseLock.Busy {
            throw DaemonError("cannot start: \(busy)")
        } catch {
            throw DaemonError("cannot open database \(config.database): \(error)")
        }
    }

    /// Everything that can fail at start fails here, before any service runs: the database, the
    /// campaigns, the metrics endpoint (it listens before the reactor starts, so READY=1 means
    /// it answers too). The services, in the order to start them; a group shuts them down in
    /// reverse, so the reactor (last) stops first.
    public func services() async throws -> [any Service] {
        let store = try Daemon.openStore(config)
        let engine: Engine
        do {
            engine = try Engine(store: store, logger: logger, routing: config.delivery)
            engine.applyInBackground = true // a chunked import's commit: on a connection of its own
        } catch {
            throw DaemonError("cannot load campaigns from \(config.database): \(error)")
        }
        let monitor = OpsMonitor(store: store, metrics: metrics, notify: notify, simulatedClock: config.clockMode == .simulated,
                                 interval: config.heartbeat, deadlineInterval: config.metricsRefresh)
        let logger = self.logger
        var services: [any Service] = []
        // SIGHUP is trapped before the reactor can say it is ready: a reload asked for right
        // after `ready` must reach it, not end the process (SIGHUP's default action).
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Void.self)
        let onReady = self.onReady
        // The link key is read (or made) before anything runs: a bad one stops the start here.
        let linkKeys = try config.webListen.map { _ in
            try LinkKeys(path: config.linkKeyPath, ttl: Int64(config.linkTTL.seconds), grace: Int64(config.linkGrace.seconds))
        }
        // From here on the reactor's run() must be reached: its sockets are closed only there, and
        // its ZeroMQ context cannot end while one is open.
        let reactor = try Reactor(config: config, engine: engine, logger: logger, notify: notify,
                                  ops: ReactorOps(configSource: configSource, setLogLevel: setLogLevel, metrics: metrics, monitor: monitor),
                                  onReady: { endpoints in
                                      onReady(endpoints)
                                      readyContinuation.yield()
                                      readyContinuation.finish()
                                  })
        // The HTTP server (the page, letters' links, /metrics) listens before the reactor starts,
        // so that READY=1 means it answers too; the reactor waits for it (`listening`).
        var listening: AsyncStream<String>?
        if let listen = config.webListen, let linkKeys {
            let inbox = WebInbox()
            reactor.webInbox = inbox
            reactor.linkKeys = linkKeys
            let (stream, bound) = AsyncStream.makeStream(of: String.self)
            listening = stream
            let backend = DaemonWeb(store: store, inbox: inbox, waker: reactor.waker, registry: metrics.registry, keys: linkKeys)
            let app = WebServer.application(host: listen.host, port: Int(listen.port), backend: backend, logger: logger) { address in
                bound.yield(address)
                bound.finish()
            }
            services.append(WebService(app: app, listen: listen.description, key: config.httpListen != nil ? "http.listen" : "metrics.listen", bound: bound))
        }
        if monitor.isNeeded { services.append(MonitorService(monitor: monitor, ready: ready, logger: logger)) }
        services.append(ReloadOnHangup(waker: reactor.waker, hangups: hangups))
        services.append(ReactorService(reactor: UncheckedBox(reactor), waker: reactor.waker, notify: notify, ready: readyContinuation,
                                       listening: listening, publicURL: config.httpPublicURL, logger: logger, metricsOn: metrics.registry != nil))
        return services
    }
}

/// Runs the reactor on its own thread (a blocking zmq_poll must never run on Swift's
/// cooperative pool) until it stops; a graceful shutdown asks it to stop through its waker.
struct ReactorService: Service {
    let reactor: UncheckedBox<Reactor>
    let waker: ReactorWaker
    let notify: SystemdNotify
    let ready: AsyncStream<Void>.Continuation
    /// The HTTP server's address once it listens (nil: no server).
    let listening: AsyncStream<String>?
    let publicURL: String?
    let logger: Logger
    let metricsOn: Bool

    func run() async throws {
        defer { ready.finish() }
        let reactor = self.reactor, notify = self.notify, waker = self.waker
        if let listening {
            var address: String?
            for await a in listening { address = a; break }
            // The server failed to listen: the group is stopping with its error.
            guard let address else {
                reactor.value.abandon()
                return
            }
            reactor.value.httpAddress = address
            let base = publicURL ?? "http://\(address)"
            try reactor.value.linkKeys?.configure(base: base)
            reactor.value.engine.links = reactor.value.linkKeys?.signer
            logger.info("page on \(base)/")
            if metricsOn { logger.info("metrics on http://\(address)/metrics") }
        }
        try await withGracefulShutdownHandler {
            try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Void, any Error>) in
                let thread = Thread {
                    do {
                        try reactor.value.run()
                        cont.resume()
                    } catch {
                        cont.resume(throwing: error)
                    }
                }
                thread.name = "kiemdiem-reactor"
                thread.start()
            }
        } onGracefulShutdown: {
            // Told at once, before the request in flight finishes.
            notify.send("STOPPING=1\nSTATUS=stopping")
            waker.stop()
        }
    }
}

/// SIGHUP: the reactor re-reads the configuration and the keys, on its own thread.
struct ReloadOnHangup: Service {
    let waker: ReactorWaker
    /// Trapped when the services are made, before the reactor starts.
    let hangups: UnixSignalsSequence

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in hangups { waker.reload() }
        }
    }
}

/// STATUS and the database-backed gauges, from the moment the daemon serves.
struct MonitorService: Service {
    let monitor: OpsMonitor
    let ready: AsyncStream<Void>
    let logger: Logger

    func run() async throws {
        let logger = self.logger, monitor = self.monitor, ready = self.ready
        await cancelWhenGracefulShutdown {
            for await _ in ready { break }
            await monitor.run { error in logger.warning("cannot refresh status and metrics", metadata: ["error": "\(error)"]) }
        }
    }
}

/// Hands the reactor to its thread. The reactor is used by that thread only: every other thread
/// reaches it through its `ReactorWaker`.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}
