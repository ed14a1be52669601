import Foundation
import KiemDiemStore
import KiemDiemWire
import Logging
import ServiceLifecycle
import UnixSignals

/// The daemon as a Service: opens the store, runs the reactor on its own thread, and stops it on
/// graceful shutdown (SIGTERM/SIGINT through the ServiceGroup). Embeddable in tests.
public final class Daemon: Service, @unchecked Sendable {
    let config: DaemonConfig
    let logger: Logger
    let notify: SystemdNotify
    let onReady: @Sendable (Endpoints) -> Void

    public init(config: DaemonConfig, logger: Logger, notify: SystemdNotify = SystemdNotify(),
                onReady: @escaping @Sendable (Endpoints) -> Void = { _ in }) {
        self.config = config
        self.logger = logger
        self.notify = notify
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
        let reactor = try Reactor(config: config, engine: engine, logger: logger, notify: notify, onReady: onReady)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // SIGHUP re-reads the authorized keys (the reactor does it on its own thread).
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup) { reactor.requestReload() }
            }
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
                reactor.stop()
            }
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
