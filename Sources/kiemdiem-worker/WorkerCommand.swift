import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemLogging
import KiemDiemWorker
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

@main
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiemdiem-worker",
        abstract: "Takes reminder and escalation jobs from kiemdiemd and delivers them.")

    @Option(help: "The daemon's jobs endpoint (default: $KIEMDIEM_ENDPOINT or tcp://127.0.0.1:7402).") var endpoint: String?
    @Option(help: "Your own CURVE .key_secret (default: $KIEMDIEM_KEY).") var key: String?
    @Option(name: .customLong("server-key"), help: "The daemon's public .key (default: $KIEMDIEM_SERVER_KEY).") var serverKey: String?
    @Option(help: "Maildir for the spool channel (messages land in DIR/new).") var spool: String = "/var/lib/kiemdiem/spool"
    @Option(help: "Directory of the message templates.") var templates: String = "/etc/kiemdiem/templates"
    @Option(help: "SMTP relay HOST:PORT for the smtp channel.") var smtp: String?
    @Option(help: "Webhook URL for the webhook channel.") var webhook: String?
    @Option(help: "From address of mail.") var from: String = "kiemdiem@localhost"
    @Option(help: "Jobs queued at once.") var capacity: Int = 4
    @Option(help: "Name in the daemon's logs (without CURVE).") var name: String = "worker-\(ProcessInfo.processInfo.processIdentifier)"
    @Option(help: "Seconds between heartbeats to the daemon.") var heartbeat: Double = 1
    @Option(help: "Seconds without a word from the daemon before reconnecting.") var daemonTimeout: Double = 5
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel: String = "info"

    func run() async throws {
        // Under systemd each line carries its journald priority (docs/operations.md).
        JournalLogHandler.bootstrap(level: LogLevelControl(Logger.Level(rawValue: logLevel) ?? .info))
        let logger = Logger(label: "kiemdiem-worker")
        let env = ProcessInfo.processInfo.environment
        func fail(_ s: String) -> ExitCode {
            JournalLogHandler.writeFatal("kiemdiem-worker: \(s)")
            return ExitCode(2)
        }
        var curve: CurveCredentials?
        switch (key ?? env["KIEMDIEM_KEY"], serverKey ?? env["KIEMDIEM_SERVER_KEY"]) {
        case (nil, nil): break
        case let (k?, s?):
            do { curve = try CurveCredentials.load(keyFile: k, serverKeyFile: s) } catch { throw fail("\(error)") }
        default: throw fail("CURVE needs both --key and --server-key")
        }
        var channels: [String: any DeliveryChannel] = [:]
        do { channels["spool"] = try SpoolChannel(directory: spool, from: from) } catch { throw fail("spool \(spool): \(error)") }
        if let smtp {
            let parts = smtp.split(separator: ":")
            guard parts.count == 2, let port = UInt16(parts[1]) else { throw fail("--smtp must be HOST:PORT") }
            channels["smtp"] = SMTPChannel(host: String(parts[0]), port: port, from: from)
        }
        if let webhook {
            guard let url = URL(string: webhook), url.scheme == "http" || url.scheme == "https" else { throw fail("--webhook must be an http(s) URL") }
            channels["webhook"] = WebhookChannel(url: url)
        }
        let tmpl: NotificationTemplates
        do { tmpl = try NotificationTemplates(directory: templates) } catch { throw fail("\(error)") }
        var options = WorkerOptions(endpoint: endpoint ?? env["KIEMDIEM_ENDPOINT"] ?? "tcp://127.0.0.1:7402", curve: curve,
                                    capacity: max(1, capacity), name: name)
        options.heartbeat = max(0.1, heartbeat)
        options.daemonTimeout = max(options.heartbeat * 2, daemonTimeout)
        let (loopOptions, loopChannels) = (options, channels)
        let service = WorkerService(templatesDirectory: templates, templates: tmpl, logger: logger) { t in
            try WorkerLoop(options: loopOptions, deliverer: Deliverer(templates: t, channels: loopChannels), logger: logger)
        }
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// The worker loop as a Service: runs on its own thread, stops on graceful shutdown.
///
/// SIGHUP re-reads the templates. New templates that load replace the old ones: the loop in
/// force finishes the delivery in hand and stops, and a loop with the new templates takes over on
/// a fresh connection (a `Deliverer` holds its templates for good). Jobs it had queued but not
/// started go back to the daemon when the old connection is found gone (`jobs.worker_timeout`).
/// Templates that do not load change nothing: the old ones stay, and the log says why.
struct WorkerService: Service {
    let templatesDirectory: String
    let templates: NotificationTemplates
    let logger: Logger
    let makeLoop: @Sendable (NotificationTemplates) throws -> WorkerLoop

    init(templatesDirectory: String, templates: NotificationTemplates, logger: Logger,
         makeLoop: @escaping @Sendable (NotificationTemplates) throws -> WorkerLoop) {
        self.templatesDirectory = templatesDirectory
        self.templates = templates
        self.logger = logger
        self.makeLoop = makeLoop
    }

    private final class State: Sendable {
        struct Value {
            var loop: WorkerLoop?
            var stopping = false
            /// Templates loaded by a SIGHUP, for the next loop.
            var reloaded: NotificationTemplates?
        }
        let value = Mutex(Value())
    }

    func run() async throws {
        let state = State()
        let (directory, logger) = (templatesDirectory, self.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup) {
                    do {
                        let fresh = try NotificationTemplates(directory: directory)
                        let loop = state.value.withLock { s in
                            s.reloaded = fresh
                            return s.loop
                        }
                        logger.notice("templates re-read; switching to them after the delivery in hand", metadata: ["directory": "\(directory)"])
                        loop?.stop()
                    } catch {
                        logger.error("templates not reloaded; keeping the ones in force", metadata: ["reason": "\(error)"])
                    }
                }
            }
            try await withGracefulShutdownHandler {
                var current = templates
                while true {
                    let loop = try makeLoop(current)
                    // A stop asked before run() starts is queued on the loop's wake socket.
                    guard state.value.withLock({ s in s.loop = loop; return !s.stopping }) else { return }
                    try await WorkerService.runOnThread(loop)
                    let next: NotificationTemplates? = state.value.withLock { s in
                        defer { s.reloaded = nil }
                        return s.stopping ? nil : s.reloaded
                    }
                    guard let next else { return }
                    current = next
                    logger.notice("templates reloaded")
                }
            } onGracefulShutdown: {
                state.value.withLock { s in
                    s.stopping = true
                    return s.loop
                }?.stop()
            }
            group.cancelAll()
        }
    }

    private static func runOnThread(_ loop: WorkerLoop) async throws {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Void, Error>) in
            let thread = Thread {
                do { try loop.run(); cont.resume() } catch { cont.resume(throwing: error) }
            }
            thread.name = "kiemdiem-worker"
            thread.start()
        }
    }
}
