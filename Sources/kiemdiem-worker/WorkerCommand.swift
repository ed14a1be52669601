import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemLogging
import KiemDiemWire
import KiemDiemWorker
import Logging
import ServiceLifecycle
import UnixSignals

@main
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiemdiem-worker",
        abstract: "Takes reminder and escalation jobs from kiemdiemd and delivers them.",
        discussion: """
            The spool channel (a Maildir) is always on; --smtp, --sendmail and --webhook add the others. \
            SIGHUP re-reads --templates; SIGTERM or SIGINT stops the worker cleanly.

            Examples:
              kiemdiem-worker --endpoint tcp://127.0.0.1:7402 \\
                  --spool /var/lib/kiemdiem/spool
              kiemdiem-worker --smtp mail.so-noi-vu.gov.vn:587 --smtp-tls starttls \\
                  --smtp-user kiemdiem@so-noi-vu.gov.vn \\
                  --smtp-password-file /etc/kiemdiem/smtp-password \\
                  --from kiemdiem@so-noi-vu.gov.vn
              kiemdiem-worker --key /etc/kiemdiem/keys/worker-1.key_secret \\
                  --server-key /etc/kiemdiem/keys/server.key \\
                  --templates config/templates \\
                  --webhook https://hooks.so-noi-vu.gov.vn/kiemdiem
            """,
        version: kiemdiemVersion)

    @Option(help: ArgumentHelp("The daemon's jobs endpoint (default: $KIEMDIEM_ENDPOINT or tcp://127.0.0.1:7402).", discussion: "e.g. --endpoint tcp://10.0.0.5:7402")) var endpoint: String?
    @Option(help: ArgumentHelp("Your own CURVE .key_secret (default: $KIEMDIEM_KEY); needs --server-key too.", discussion: "e.g. --key /etc/kiemdiem/keys/worker-1.key_secret")) var key: String?
    @Option(name: .customLong("server-key"), help: ArgumentHelp("The daemon's public .key (default: $KIEMDIEM_SERVER_KEY); needs --key too.", discussion: "e.g. --server-key /etc/kiemdiem/keys/server.key")) var serverKey: String?
    @Option(help: ArgumentHelp("Maildir for the spool channel (messages land in DIR/new).", discussion: "e.g. --spool /var/lib/kiemdiem/spool")) var spool: String = "/var/lib/kiemdiem/spool"
    @Option(help: ArgumentHelp("Directory whose reminder, overdue, escalation, suggestion, resolved and digest .mustache files replace the built-in letters (those missing stay built-in; a missing directory: all built-in).", discussion: "e.g. --templates config/templates"))
    var templates: String = "/etc/kiemdiem/templates"
    @Option(help: "SMTP server HOST:PORT for the smtp channel, e.g. mail.so-noi-vu.gov.vn:587.") var smtp: String?
    @Option(name: .customLong("smtp-tls"), help: ArgumentHelp("none, or starttls: upgrade to TLS before anything else (the certificate checked).", discussion: "e.g. --smtp-tls starttls")) var smtpTLS: String = "none"
    @Option(name: .customLong("smtp-user"), help: "Log in as this user (AUTH PLAIN or LOGIN, over TLS only), e.g. kiemdiem@so-noi-vu.gov.vn.") var smtpUser: String?
    @Option(name: .customLong("smtp-password-file"), help: ArgumentHelp("File holding the SMTP password (with --smtp-user).", discussion: "e.g. --smtp-password-file /etc/kiemdiem/smtp-password")) var smtpPasswordFile: String?
    @Option(name: .customLong("smtp-ca-file"), help: ArgumentHelp("PEM file of the CA to trust for the SMTP server (default: the system's).", discussion: "e.g. --smtp-ca-file /etc/ssl/certs/so-noi-vu-ca.pem")) var smtpCAFile: String?
    @Option(help: "The system's sendmail for the sendmail channel, e.g. /usr/sbin/sendmail (postfix, msmtp-mta).") var sendmail: String?
    @Option(help: ArgumentHelp("Webhook URL (http or https) for the webhook channel.", discussion: "e.g. --webhook https://hooks.so-noi-vu.gov.vn/kiemdiem")) var webhook: String?
    @Option(name: .customLong("webhook-secret-file"),
            help: ArgumentHelp("File holding the webhook secret, at least 16 bytes: each request is signed (X-Kiemdiem-Signature: sha256=<HMAC of the body>).", discussion: "e.g. --webhook-secret-file /etc/kiemdiem/webhook-secret"))
    var webhookSecretFile: String?
    @Option(help: ArgumentHelp("From address of mail.", discussion: "e.g. --from kiemdiem@so-noi-vu.gov.vn")) var from: String = "kiemdiem@localhost"
    @Option(help: ArgumentHelp("The window: jobs held at once (at least 1).", discussion: "e.g. --capacity 128")) var capacity: Int = 64
    @Option(help: ArgumentHelp("Deliveries running at once, inside the window (1 to 64).", discussion: "e.g. --concurrency 16")) var concurrency: Int = 8
    @Option(help: ArgumentHelp("Name in the daemon's logs (without CURVE).", discussion: "e.g. --name worker-so-noi-vu")) var name: String = "worker-\(ProcessInfo.processInfo.processIdentifier)"
    @Option(help: ArgumentHelp("Seconds between heartbeats to the daemon (at least 0.1).", discussion: "e.g. --heartbeat 2")) var heartbeat: Double = 1
    @Option(help: ArgumentHelp("Seconds without a word from the daemon before reconnecting (at least twice --heartbeat).", discussion: "e.g. --daemon-timeout 15")) var daemonTimeout: Double = 5
    @Option(help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", discussion: "e.g. --log-level debug")) var logLevel: String = "info"

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
        var channels: [Channel: any DeliveryChannel] = [:]
        do {
            let channel = try SpoolChannel(directory: spool, from: from)
            if channel.removedLeftovers > 0 {
                logger.notice("removed half-written messages of stopped workers from the spool's tmp/", metadata: ["files": "\(channel.removedLeftovers)"])
            }
            channels[.spool] = channel
        } catch { throw fail("spool \(spool): \(error)") }
        if let smtp {
            let parts = smtp.split(separator: ":")
            guard parts.count == 2, let port = UInt16(parts[1]) else { throw fail("--smtp must be HOST:PORT") }
            guard let tls = SMTPChannel.TLS(rawValue: smtpTLS) else { throw fail("--smtp-tls must be none or starttls") }
            var credentials: (user: String, password: String)?
            switch (smtpUser, smtpPasswordFile) {
            case (nil, nil): break
            case let (user?, file?):
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw fail("--smtp-password-file \(file): cannot read it") }
                credentials = (user, text.trimmingCharacters(in: .newlines))
            default: throw fail("--smtp-user and --smtp-password-file go together")
            }
            if credentials != nil, tls != .starttls { throw fail("a password is sent over TLS only: add --smtp-tls starttls") }
            channels[.smtp] = SMTPChannel(host: String(parts[0]), port: port, from: from, tls: tls, credentials: credentials, caFile: smtpCAFile)
        }
        if let sendmail {
            guard FileManager.default.isExecutableFile(atPath: sendmail) else { throw fail("--sendmail \(sendmail): no such program") }
            channels[.sendmail] = SendmailChannel(path: sendmail, from: from)
        }
        if let webhook {
            guard let url = URL(string: webhook), url.scheme == "http" || url.scheme == "https" else { throw fail("--webhook must be an http(s) URL") }
            var secret: Data?
            if let file = webhookSecretFile {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw fail("--webhook-secret-file \(file): cannot read it") }
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard trimmed.utf8.count >= 16 else { throw fail("--webhook-secret-file \(file): the secret must be at least 16 bytes") }
                secret = Data(trimmed.utf8)
            }
            channels[.webhook] = WebhookChannel(url: url, secret: secret)
        }
        let tmpl: NotificationTemplates
        do { tmpl = try NotificationTemplates(directory: templates) } catch { throw fail("\(error)") }
        logger.info("templates", metadata: ["from \(templates)": "\(tmpl.overridden.isEmpty ? "none" : tmpl.overridden.joined(separator: ","))",
                                            "built-in": "\(NotificationTemplates.names.filter { !tmpl.overridden.contains($0) }.joined(separator: ","))"])
        var options = WorkerOptions(endpoint: endpoint ?? env["KIEMDIEM_ENDPOINT"] ?? "tcp://127.0.0.1:7402", curve: curve,
                                    capacity: max(1, capacity), name: name)
        options.concurrency = max(1, min(concurrency, 64))
        options.heartbeat = .milliseconds(Int64(max(0.1, heartbeat) * 1000))
        options.daemonTimeout = max(options.heartbeat * 2, .milliseconds(Int64(daemonTimeout * 1000)))
        let deliverer = Deliverer(templates: tmpl, channels: channels)
        let service = WorkerService(loop: try WorkerLoop(options: options, deliverer: deliverer, logger: logger),
                                    deliverer: deliverer, templatesDirectory: templates, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// The worker loop as a Service: runs on its own thread, stops on graceful shutdown.
///
/// SIGHUP re-reads the templates: new ones that load replace the old ones for the next job,
/// without touching the connection; ones that do not load change nothing, and the log says why.
struct WorkerService: Service {
    let loop: WorkerLoop
    let deliverer: Deliverer
    let templatesDirectory: String
    let logger: Logger

    func run() async throws {
        let (directory, deliverer, logger) = (templatesDirectory, self.deliverer, self.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup) {
                    do {
                        deliverer.replaceTemplates(try NotificationTemplates(directory: directory))
                        logger.notice("templates reloaded", metadata: ["directory": "\(directory)"])
                    } catch {
                        logger.error("templates not reloaded; keeping the ones in force", metadata: ["reason": "\(error)"])
                    }
                }
            }
            try await withGracefulShutdownHandler {
                try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Void, Error>) in
                    let thread = Thread {
                        do { try loop.run(); cont.resume() } catch { cont.resume(throwing: error) }
                    }
                    thread.name = "kiemdiem-worker"
                    thread.start()
                }
            } onGracefulShutdown: {
                loop.stop()
            }
            group.cancelAll()
        }
    }
}
