import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct OverdueCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "overdue", abstract: "Units past a deadline.")
    @Option(help: "Only this unit's subtree.") var unit: String?
    @Option var campaign: String?
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Overdue.self, UnitFilter(unit: unit, campaign: campaign)) { r in
            if r.items.isEmpty { print("nothing overdue"); return }
            Table(["campaign", "stage", "unit", "due", "late members", "name"],
                  r.items.map { [$0.campaign, $0.stage, $0.unit, $0.due, $0.lateMembers.map(String.init) ?? "", $0.name] }).print()
            if r.truncated { print("… \(r.total) in all; narrow with --unit") }
        }
    }
}
