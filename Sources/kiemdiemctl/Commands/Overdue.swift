import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct OverdueCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "overdue", abstract: "Units past a deadline.")
    @Option(help: "Only this unit's subtree.") var unit: String?
    @Option var campaign: String?
    @Option(help: "Items per page (default 1000, at most 10000).") var limit: Int?
    @Option(help: "Start after this item: the cursor the previous page printed.") var after: String?
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Overdue.self, OverdueArgs(unit: unit, campaign: campaign, limit: limit, after: after)) { r in
            if r.items.isEmpty { print(after == nil ? "nothing overdue" : "no more overdue units"); return }
            Table(["campaign", "stage", "unit", "due", "late members", "name"],
                  r.items.map { [$0.campaign, $0.stage, $0.unit, $0.due, $0.lateMembers.map(String.init) ?? "", $0.name] }).print()
            if let next = r.next { print("… \(r.total) late in all; the next page: --after \(next)") }
        }
    }
}
