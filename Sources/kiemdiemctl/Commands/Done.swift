import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct DoneCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "done", abstract: "Record that a unit (or a member) completed a stage.",
        discussion: """
            Examples:
              kiemdiemctl done co-quan-duk self-review
              kiemdiemctl done so-tai-chinh-cb-van-phong self-review --member dv-000405
              kiemdiemctl done co-quan-duk cell-review --campaign 2026-annual
            """)
    @Argument(help: ArgumentHelp("The unit's id; for a member stage, the member's cell.", discussion: "e.g. co-quan-duk")) var unit: String
    @Argument(help: ArgumentHelp("The stage's id in the campaign's plan.", discussion: "e.g. self-review")) var stage: String
    @Option(help: ArgumentHelp("A member of the cell (member stages); without it, every remaining member of the cell.", discussion: "e.g. --member dv-000405")) var member: String?
    @Option(help: ArgumentHelp("The campaign, when several cover the unit (default: the only open one that does).", discussion: "e.g. --campaign 2026-annual")) var campaign: String?
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Done.self, DoneArgs(unit: unit, stage: stage, member: member, campaign: campaign)) { r in
            if r.alreadyDone { print("\(r.member ?? r.unit): '\(r.stage)' was already complete"); return }
            if r.completedMembers > 0 { print("\(r.completedMembers) member(s) of \(r.unit) completed '\(r.stage)'") }
            if r.unitCompleted { print("\(r.unit) completed '\(r.stage)'") }
        }
    }
}
