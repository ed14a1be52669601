import ArgumentParser
import Foundation
import KiemDiemDaemon
import KiemDiemEngine
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
        discussion: """
            Examples:
              kiemdiemd --config /etc/kiemdiem/kiemdiemd.yaml
              kiemdiemd --check-config /etc/kiemdiem/kiemdiemd.yaml
              kiemdiemd import --config /etc/kiemdiem/kiemdiemd.yaml \\
                  config/examples/units.csv config/examples/members.csv
            """,
        version: kiemdiemVersion,
        subcommands: [Serve.self, ImportCommand.self], defaultSubcommand: Serve.self)
}

/// Where the configuration comes from: the same three options for every subcommand.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The YAML configuration file.", discussion: "e.g. --config /etc/kiemdiem/kiemdiemd.yaml", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Override a configuration key (repeatable); the environment's KIEMDIEM_* variables come between the file and these.",
                                            discussion: "e.g. --set clock.mode=simulated --set log_level=debug", valueName: "key=value"))
    var set: [String] = []

    @Option(name: .long, help: ArgumentHelp("Database path (same as --set database=…).", discussion: "e.g. --database /var/lib/kiemdiem/kiemdiem.sqlite", valueName: "path"))
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
        discussion: """
            Exit status: 0 stopped cleanly (SIGTERM, SIGINT); 1 a fault stopped it; 2 the configuration \
            is invalid or names a file that cannot be read; 64 usage.

            Examples:
              kiemdiemd --config /etc/kiemdiem/kiemdiemd.yaml
              kiemdiemd --config kiemdiem.yaml \\
                  --set clock.mode=simulated --set log_level=debug
              kiemdiemd --check-config /etc/kiemdiem/kiemdiemd.yaml
            """)

    @OptionGroup var options: ConfigOptions

    @Option(name: .customLong("check-config"),
            help: ArgumentHelp("Check this configuration file (with --set and the environment over it) and the files it names, then exit: 0 valid, 2 not.",
                               discussion: "e.g. --check-config /etc/kiemdiem/kiemdiemd.yaml", valueName: "file"))
    var checkConfig: String?

    func run() async throws {
        if let file = checkConfig {
            var options = options
            options.config = file
            let (_, cfg) = try options.load()
            let problems = cfg.unreadableFiles()
            for p in problems { JournalLogHandler.writeFatal("kiemdiemd: \(file): \(p)") }
            if !problems.isEmpty { throw ExitCode(2) }
            print("\(file): ok")
            print("  database  \(cfg.database)")
            print("  control   \(cfg.controlEndpoint)  events \(cfg.eventsEndpoint)  jobs \(cfg.jobsEndpoint)")
            print("  clock     \(cfg.clockMode.rawValue), zone \(cfg.timezone)")
            print("  CURVE     \(cfg.curve ? "on" + (cfg.curveEvents ? ", also on events" : "") : "off")")
            print("  page      \(cfg.webListen.map { "http://\($0)" } ?? "off")")
            return
        }
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
