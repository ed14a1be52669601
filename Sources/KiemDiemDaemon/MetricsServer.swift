import FlyingFox
import FlyingSocks
import Foundation
import Prometheus
import Synchronization

/// `GET /metrics` in the Prometheus text format, on a loopback address only (the configuration
/// refuses any other: there is no authentication). FlyingFox runs on Swift concurrency with its
/// own epoll thread, never on the reactor's thread, so a scrape never delays a request.
///
/// This file does not import swift-log: FlyingSocks has a `Logging` protocol of its own, and the
/// daemon's logger is reached through the `log` closure instead.
final class MetricsServer: Sendable {
    let listen: DaemonConfig.MetricsListen
    let registry: PrometheusCollectorRegistry
    let log: @Sendable (_ error: Bool, _ message: String) -> Void
    private let server: HTTPServer
    private let serving = Mutex<Task<Void, any Error>?>(nil)
    /// FlyingFox's errors are reported only while it serves: one that keeps it from listening is
    /// thrown by start(), and its cancellation when the daemon stops it is no news.
    private let serves = Flag()

    init(listen: DaemonConfig.MetricsListen, registry: PrometheusCollectorRegistry,
         log: @escaping @Sendable (_ error: Bool, _ message: String) -> Void) throws {
        self.listen = listen
        self.registry = registry
        self.log = log
        let address: any SocketAddress = listen.isIPv6
            ? try sockaddr_in6.inet6(ip6: listen.host, port: listen.port)
            : try sockaddr_in.inet(ip4: listen.host, port: listen.port)
        server = HTTPServer(config: .init(address: address, timeout: 15, logger: FlyingFoxLog(log: log, serves: serves)))
    }

    /// Starts serving and returns once the socket listens, with the address bound (the port, when
    /// 0 was asked); throws when it cannot listen (address in use), at once rather than after a
    /// timeout. `serve()` then keeps it running.
    func start() async throws -> String {
        let registry = self.registry
        await server.appendRoute("GET /metrics") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                         body: Data(registry.emitToBuffer()))
        }
        await server.appendRoute("*") { _ in
            HTTPResponse(statusCode: .notFound, headers: [.contentType: "text/plain; charset=utf-8"], body: Data("only GET /metrics\n".utf8))
        }
        let server = self.server
        let listen = self.listen
        // Whichever comes first: listening, or run() failing.
        let outcome = Mutex<CheckedContinuation<String, any Error>?>(nil)
        let resume: @Sendable (Result<String, any Error>) -> Void = { r in outcome.withLock { $0?.resume(with: r); $0 = nil } }
        return try await withCheckedThrowingContinuation { cont in
            outcome.withLock { $0 = cont }
            self.serving.withLock {
                $0 = Task {
                    do { try await server.run() } catch {
                        resume(.failure(error))
                        throw error
                    }
                }
            }
            Task {
                do {
                    try await server.waitUntilListening(timeout: 30)
                    let address: String = switch await server.listeningAddress {
                    case .ip4(let host, let port)?: "\(host):\(port)"
                    case .ip6(let host, let port)?: "[\(host)]:\(port)"
                    default: listen.description
                    }
                    self.serves.set(true)
                    resume(.success(address))
                } catch {
                    resume(.failure(error))
                }
            }
        }
    }

    /// Serves until the calling task is cancelled, which stops the server.
    func serve() async throws {
        guard let task = serving.withLock({ $0 }) else { return }
        try await withTaskCancellationHandler { try await task.value } onCancel: { self.stop() }
    }

    /// False once stopped (or before it listens).
    var isServing: Bool { serves.value }

    /// Stops serving (from any thread).
    func stop() {
        serves.set(false)
        serving.withLock { $0 }?.cancel()
    }
}

/// FlyingFox's own log calls: a line per request at info, which we drop; warnings and worse go
/// to the daemon's log.
private struct FlyingFoxLog: FlyingSocks.Logging {
    let log: @Sendable (_ error: Bool, _ message: String) -> Void
    let serves: Flag
    func logDebug(_ debug: @autoclosure () -> String) {}
    func logInfo(_ info: @autoclosure () -> String) {}
    func logWarning(_ warning: @autoclosure () -> String) { report(false, warning()) }
    func logError(_ error: @autoclosure () -> String) { report(true, error()) }
    func logCritical(_ critical: @autoclosure () -> String) { report(true, critical()) }
    private func report(_ isError: Bool, _ message: String) {
        if serves.value { log(isError, "metrics endpoint: \(message)") }
    }
}

private final class Flag: Sendable {
    private let atomic = Atomic<Bool>(false)
    var value: Bool { atomic.load(ordering: .relaxed) }
    func set(_ v: Bool) { atomic.store(v, ordering: .relaxed) }
}
