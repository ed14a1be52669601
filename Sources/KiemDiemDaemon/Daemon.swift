import Foundation
import KiemDiemEngine
import KiemDiemStore
import KiemDiemWire
import Logging
import ServiceLifecycle
import UnixSignals

/// The daemon as a Service: opens the store, runs the reactor on its own thread, and stops it on
/// graceful shutdown (SIGTERM/SIGINT through the ServiceGroup). Embeddable in tests.
///
/// Around the reactor it runs, as tasks of its own: the SIGHUP listener (reload), the metrics
/// endpoint when `metrics.listen` is set, and the monitor that refreshes systemd's STATUS line
/// and the database-backed gauges.
public final class Daemon: Service, @unchecked Sendable {
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
        do { return try Store(path: config.database) } catch {
            throw DaemonError("cannot open database \(config.database): \(error)")
        }
    }

    public func run() async throws {
        let store = try Daemon.openStore(config)
        let engine: Engine
        do { engine = try Engine(store: store, logger: logger, routing: config.delivery) } catch {
            throw DaemonError("cannot load campaigns from \(config.database): \(error)")
        }
        let monitor = OpsMonitor(store: store, metrics: metrics, notify: notify, simulatedClock: config.clockMode == .simulated,
                                 interval: config.heartbeat, deadlineInterval: config.metricsRefresh)
        let logger = self.logger
        // The metrics endpoint listens before the reactor starts, so READY=1 means it answers too;
        // one that cannot listen stops the start, as a socket that cannot bind does.
        var metricsServer: MetricsServer?
        if let listen = config.metricsListen, let registry = metrics.registry {
            let server = try MetricsServer(listen: listen, registry: registry) { isError, message in
                if isError { logger.error("\(message)") } else { logger.warning("\(message)") }
            }
            let address: String
            do { address = try await server.start() } catch {
                throw DaemonError("cannot serve metrics on \(listen) (metrics.listen): \(error)")
            }
            logger.info("metrics on http://\(address)/metrics")
            metricsServer = server
        }
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Void.self)
        let onReady = self.onReady
        // From here on the reactor's run() must be reached: its sockets are closed only there, and
        // its ZeroMQ context cannot end while one is open.
        let reactor: Reactor
        do {
            reactor = try Reactor(config: config, engine: engine, logger: logger, notify: notify,
                                  ops: ReactorOps(configSource: configSource, setLogLevel: setLogLevel, metrics: metrics, monitor: monitor),
                                  onReady: { endpoints in
                                      onReady(endpoints)
                                      readyContinuation.yield()
                                      readyContinuation.finish()
                                  })
        } catch {
            metricsServer?.stop()
            throw error
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let server = metricsServer { group.addTask { try await server.serve() } }
            // SIGHUP: the reactor re-reads the configuration and the keys on its own thread.
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup) { reactor.requestReload() }
            }
            // STATUS and the database-backed gauges, from the moment the daemon serves.
            if monitor.isNeeded {
                group.addTask {
                    for await _ in ready { break }
                    await monitor.run { error in logger.warning("cannot refresh status and metrics", metadata: ["error": "\(error)"]) }
                }
            }
            let notify = self.notify
            try await withGracefulShutdownHandler {
                try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Void, Error>) in
                    let box = UncheckedBox(reactor)
                    let thread = Thread {
                        do {
                            try box.value.run()
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
                reactor.stop()
            }
            readyContinuation.finish()
            group.cancelAll()
        }
    }
}

/// Hands the reactor to its thread. The reactor is used by that thread only, except `stop()`,
/// which talks to it through a socket of its own.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}

extension Reactor: @unchecked Sendable {}
