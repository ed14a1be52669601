import ArgumentParser
import Foundation
import KiemDiemDaemon
import KiemDiemLogging
import KiemDiemWire
import Logging
import UnixSignals
import Prometheus
import ServiceLifecycle

@main
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiemdiemd",
        abstract: "The kiemdiem daemon: schedules a party review campaign and publishes its events.",
        version: kiemdiemVersion,
        subcommands: [Serve.self, ImportCommand.self], defaultSubcommand: Serve.self)
}

/// Where the configuration comes from: the same three options for every subcommand.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The YAML configuration file.")
    var config: String?

    @Option(name: .long, help: "Override a configuration key, e.g. --set clock.mode=simulated (repeatable).")
    var set: [String] = []

    @Option(name: .long, help: "Database path (same as --set database=…).")
    var database: String?

    /// The configuration in force; a bad one ends the process with status 2 and one line.
    func load() throws -> (ConfigSource, DaemonConfig) {
        var overrides = set
        if let database { overrides.append("database=\(database)") }
        let source = ConfigSource(file: config, environment: ProcessInfo.processInfo.environment, overrides: overrides)
        do {
            return (source, try source.load())
        } catch {
            JournalLogHandler.writeFatal("kiemdiemd: \(error.description)")
            throw ExitCode(2)
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon (the default: `kiemdiemd --config FILE`).",
        discussion: "Example: kiemdiemd --config /etc/kiemdiem/kiemdiemd.yaml")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let (source, cfg) = try options.load()
        // One level for the whole process, which a reload of log_level changes; under systemd each
        // line carries its journald priority (docs/operations.md, "Reading the logs").
        let level = LogLevelControl(Logger.Level(rawValue: cfg.logLevel) ?? .info)
        JournalLogHandler.bootstrap(level: level)
        let logger = Logger(label: "kiemdiemd")
        // The registry exists only when the endpoint is configured: metrics cost nothing otherwise.
        let metrics = DaemonMetrics(registry: cfg.webListen == nil ? nil : PrometheusCollectorRegistry())
        let daemon = Daemon(config: cfg, logger: logger, configSource: source, setLogLevel: { level.level = $0 }, metrics: metrics)
        do {
            // Any service that ends, or fails, ends them all: the reactor stopping is the daemon stopping.
            let services = try await daemon.services().map {
                ServiceGroupConfiguration.ServiceConfiguration(service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                                                               failureTerminationBehavior: .gracefullyShutdownGroup)
            }
            let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        } catch {
            JournalLogHandler.writeFatal("kiemdiemd: \(error)")
            throw ExitCode(1)
        }
    }
}
