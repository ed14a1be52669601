import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct DoneCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "done", abstract: "Record that a unit (or a member) completed a stage.")
    @Argument var unit: String
    @Argument var stage: String
    @Option(help: "A member of the cell (member stages); without it, every remaining member of the cell.") var member: String?
    @Option(help: "The campaign, when several cover the unit.") var campaign: String?
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Done.self, DoneArgs(unit: unit, stage: stage, member: member, campaign: campaign)) { r in
            if r.alreadyDone { print("\(r.member ?? r.unit): '\(r.stage)' was already complete"); return }
            if r.completedMembers > 0 { print("\(r.completedMembers) member(s) of \(r.unit) completed '\(r.stage)'") }
            if r.unitCompleted { print("\(r.unit) completed '\(r.stage)'") }
        }
    }
}
