import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct OverdueCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overdue", abstract: "Units past a deadline.",
        discussion: """
            Examples:
              kiemdiemctl overdue
              kiemdiemctl overdue --unit so-tai-chinh --output csv > tre-han.csv
              kiemdiemctl overdue --campaign 2026-annual --limit 100
            """)
    @Option(help: ArgumentHelp("Only this unit's subtree.", discussion: "e.g. --unit so-tai-chinh")) var unit: String?
    @Option(help: ArgumentHelp("Only this campaign (default: every open one).", discussion: "e.g. --campaign 2026-annual")) var campaign: String?
    @Option(help: ArgumentHelp("Items per page (default 1000, at most 10000).", discussion: "e.g. --limit 100")) var limit: Int?
    @Option(help: ArgumentHelp("Start after this item: the cursor (campaign:stage:path) the previous page printed.",
                               discussion: "e.g. --after 2026-annual:self-review:duk/so-tai-chinh/so-tai-chinh-cb-van-phong/")) var after: String?
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
