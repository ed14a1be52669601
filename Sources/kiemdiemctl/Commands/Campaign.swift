import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

func printCampaigns(_ cs: [CampaignInfo]) {
    if cs.isEmpty { print("no campaigns loaded"); return }
    Table(["campaign", "status", "root", "ruleset", "opens", "ends", "next", "title"],
          cs.map { [$0.id, $0.status, $0.root, $0.ruleset, $0.opens, $0.ends, $0.next ?? "-", $0.title] }).print()
}

struct CampaignCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "campaign", abstract: "Manage campaigns.",
                                                    discussion: """
                                                        Examples:
                                                          kiemdiemctl campaign load config/plans/2026-annual.yaml
                                                          kiemdiemctl campaign list
                                                          kiemdiemctl campaign show 2026-annual
                                                        """,
                                                    subcommands: [Load.self, List.self, Show.self, Pause.self, Resume.self])

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load a campaign plan (YAML).",
                                                        discussion: "Example: kiemdiemctl campaign load config/plans/2026-annual.yaml")
        @Argument(help: ArgumentHelp("The plan YAML file.", discussion: "e.g. config/plans/2026-annual.yaml")) var plan: String
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(CampaignLoad.self, try readFile(plan)) { printCampaigns([$0]) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List campaigns.", discussion: "Example: kiemdiemctl campaign list --output json")
        @OptionGroup var options: ClientOptions
        func run() throws { try options.run(CampaignList.self, NoArgs()) { printCampaigns($0) } }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A campaign and the progress of each stage.",
                                                        discussion: "Example: kiemdiemctl campaign show 2026-annual")
        @Argument(help: ArgumentHelp("The campaign's id (the plan's `id`).", discussion: "e.g. 2026-annual")) var id: String
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(CampaignShow.self, CampaignRef(id: id)) { d in
                printCampaigns([d.campaign])
                print("")
                printProgress(d.stages)
            }
        }
    }

    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop firing a campaign's deadlines.",
                                                        discussion: "Example: kiemdiemctl campaign pause 2026-annual")
        @Argument(help: ArgumentHelp("The campaign's id (the plan's `id`).", discussion: "e.g. 2026-annual")) var id: String
        @OptionGroup var options: ClientOptions
        func run() throws { try options.run(CampaignPause.self, CampaignRef(id: id)) { printCampaigns([$0]) } }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused campaign; what fell due meanwhile fires once, late.",
                                                        discussion: "Example: kiemdiemctl campaign resume 2026-annual")
        @Argument(help: ArgumentHelp("The campaign's id (the plan's `id`).", discussion: "e.g. 2026-annual")) var id: String
        @OptionGroup var options: ClientOptions
        func run() throws { try options.run(CampaignResume.self, CampaignRef(id: id)) { printCampaigns([$0]) } }
    }
}

func printProgress(_ stages: [StageProgress]) {
    Table(["stage", "for", "opens", "due", "done", "total", "overdue", "title"],
          stages.map { [$0.stage, $0.scope, $0.opens, $0.due, "\($0.completed)", "\($0.total)", "\($0.overdue)", $0.title] }).print()
}
