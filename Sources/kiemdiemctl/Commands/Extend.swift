import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct ExtendCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend", abstract: "Give one unit a new deadline for a stage (audited).",
        discussion: """
            Example:
              kiemdiemctl extend so-tai-chinh grassroots-review 2026-12-20 \\
                  --reason 'Đơn vị đang sáp nhập'
            """)
    @Argument(help: ArgumentHelp("The unit's id.", discussion: "e.g. so-tai-chinh")) var unit: String
    @Argument(help: ArgumentHelp("The stage's id in the campaign's plan.", discussion: "e.g. grassroots-review")) var stage: String
    @Argument(help: ArgumentHelp("New deadline: ISO 8601 with offset, or a date (meaning before that day).",
                                 discussion: "e.g. 2026-12-20 or 2026-12-19T17:00:00+07:00")) var until: String
    @Option(help: ArgumentHelp("Why (required).", discussion: "e.g. --reason 'Đơn vị đang sáp nhập'")) var reason: String
    @Option(help: ArgumentHelp("The campaign, when several cover the unit (default: the only open one that does).", discussion: "e.g. --campaign 2026-annual")) var campaign: String?
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Extend.self, ExtendArgs(unit: unit, stage: stage, until: until, reason: reason, campaign: campaign)) { r in
            print("\(r.unit): '\(r.stage)' now due \(r.due)")
        }
    }
}
