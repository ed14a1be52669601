import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct ExtendCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "extend", abstract: "Give one unit a new deadline for a stage (audited).")
    @Argument var unit: String
    @Argument var stage: String
    @Argument(help: "New deadline: ISO 8601 with offset, or a date (meaning before that day).") var until: String
    @Option(help: "Why (required).") var reason: String
    @Option var campaign: String?
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Extend.self, ExtendArgs(unit: unit, stage: stage, until: until, reason: reason, campaign: campaign)) { r in
            print("\(r.unit): '\(r.stage)' now due \(r.due)")
        }
    }
}
