import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct AuditCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Show the audit log of state-changing commands (admin).")
    @Option(help: "Only entries at or after this instant (ISO 8601 or a date).") var since: String?
    @Option(help: "At most this many entries.") var limit: Int?
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Audit.self, AuditArgs(since: since, limit: limit)) { entries in
            if entries.isEmpty { print("no audit entries"); return }
            Table(["time", "key", "role", "command", "result", "args"],
                  entries.map { [$0.time, $0.actor, $0.role, $0.command, $0.result, $0.args] }).print()
        }
    }
}
