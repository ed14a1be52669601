import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct AuditCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Show the audit log of state-changing commands (admin).",
        discussion: """
            Examples:
              kiemdiemctl audit --limit 20
              kiemdiemctl audit --since 2026-11-02 --output csv > nhat-ky.csv
            """)
    @Option(help: ArgumentHelp("Only entries at or after this instant (ISO 8601 with offset, or a date: its start in the daemon's zone).",
                               discussion: "e.g. --since 2026-11-02 or --since 2026-11-02T08:00:00+07:00")) var since: String?
    @Option(help: ArgumentHelp("At most this many entries (default 1000, at most 10000).", discussion: "e.g. --limit 20")) var limit: Int?
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Audit.self, AuditArgs(since: since, limit: limit)) { entries in
            if entries.isEmpty { print("no audit entries"); return }
            Table(["time", "key", "role", "command", "result", "args"],
                  entries.map { [$0.time, $0.actor, $0.role, $0.command, $0.result, $0.args] }).print()
        }
    }
}
