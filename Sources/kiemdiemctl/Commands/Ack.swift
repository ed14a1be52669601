import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct AckCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack", abstract: "An upper committee acknowledges an escalation; it stops repeating.",
        discussion: """
            The id is the `escalation` field of an escalation.raised event, as \
            `kiemdiemctl events --topic escalation.raised/ --json` shows it.

            Example: kiemdiemctl ack 12
            """)
    @Argument(help: ArgumentHelp("The escalation id (the `escalation` field of escalation.raised).", discussion: "e.g. 12")) var escalation: Int64
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Ack.self, IdArgs(id: escalation)) { r in
            print(r.alreadyAcknowledged ? "escalation \(r.escalation) was already acknowledged"
                : "escalation \(r.escalation) (\(r.unit), \(r.stage)) acknowledged")
        }
    }
}
