import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct ExtendCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend", abstract: "Give a unit (or every unit of its subtree) a later deadline for a stage (audited).",
        discussion: """
            A deadline only moves later. Stages that come after this one, for the unit and its
            ancestors, must not fall due before the new deadline: the extension is refused naming
            them, unless --cascade moves them to it too.
            Examples:
              kiemdiemctl extend so-tai-chinh grassroots-review 2026-12-20 \\
                  --reason 'Đơn vị đang sáp nhập'
              kiemdiemctl extend so-tai-chinh-cb-van-phong cell-review 2026-12-10 --cascade \\
                  --reason 'Bí thư chi bộ đi công tác'
              kiemdiemctl extend so-tai-chinh self-review 2026-11-30 --subtree --cascade \\
                  --reason 'Sáp nhập cơ quan'
            """)
    @Argument(help: ArgumentHelp("The unit's id.", discussion: "e.g. so-tai-chinh")) var unit: String
    @Argument(help: ArgumentHelp("The stage's id in the campaign's plan.", discussion: "e.g. grassroots-review")) var stage: String
    @Argument(help: ArgumentHelp("New deadline: ISO 8601 with offset, or a date (meaning before that day).",
                                 discussion: "e.g. 2026-12-20 or 2026-12-19T17:00:00+07:00")) var until: String
    @Option(help: ArgumentHelp("Why (required).", discussion: "e.g. --reason 'Đơn vị đang sáp nhập'")) var reason: String
    @Option(help: ArgumentHelp("The campaign, when several cover the unit (default: the only open one that does).", discussion: "e.g. --campaign 2026-annual")) var campaign: String?
    @Flag(help: "Move the dependent deadlines (stages that come after this one) that would fall before the new one, instead of refusing.") var cascade = false
    @Flag(help: "Extend the stage for every unit of the unit's subtree that it applies to.") var subtree = false
    @Option(help: ArgumentHelp("One member of the cell, for a members stage: that member's own deadline.", discussion: "e.g. --member dv-000405")) var member: String?
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Extend.self, ExtendArgs(unit: unit, stage: stage, until: until, reason: reason, campaign: campaign,
                                                cascade: cascade ? true : nil, subtree: subtree ? true : nil, member: member)) { r in
            if let units = r.extended {
                print("\(r.unit): '\(r.stage)' now due \(r.due) for \(units.count) unit(s) of its subtree")
                for u in units { print("  \(u.unit): was due \(u.from)") }
            } else if let m = r.member {
                print("\(r.unit): '\(r.stage)' now due \(r.due) for member \(m)")
            } else {
                print("\(r.unit): '\(r.stage)' now due \(r.due)")
            }
            for m in r.moved ?? [] { print("  moved with it: '\(m.stage)' of \(m.unit), due \(m.from) → \(m.due)") }
        }
    }
}
