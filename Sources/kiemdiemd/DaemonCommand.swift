import ArgumentParser
import Foundation
import KiemDiemDaemon
import Logging
import ServiceLifecycle

@main
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiemdiemd",
        abstract: "The kiemdiem daemon: schedules a party review campaign and publishes its events.")

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String?

    @Option(name: .long, help: "Override a configuration key, e.g. --set clock.mode=simulated (repeatable).")
    var set: [String] = []

    @Option(name: .long, help: "Database path (same as --set database=…).")
    var database: String?

    func run() async throws {
        var overrides = set
        if let database { overrides.append("database=\(database)") }
        let cfg: DaemonConfig
        do {
            cfg = try DaemonConfig.load(file: config, environment: ProcessInfo.processInfo.environment, overrides: overrides)
        } catch {
            FileHandle.standardError.write(Data("kiemdiemd: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = Logger.Level(rawValue: cfg.logLevel) ?? .info
            return h
        }
        let logger = Logger(label: "kiemdiemd")
        let daemon = Daemon(config: cfg, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: daemon, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            FileHandle.standardError.write(Data("kiemdiemd: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
