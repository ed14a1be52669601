import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct SilenceCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silence", abstract: "Hold reminders and escalations for a unit's subtree until a time, for a known reason.",
        discussion: """
            Examples:
              kiemdiemctl silence add --unit so-tai-chinh --until 2026-12-01 \\
                  --reason 'Sáp nhập cơ quan'
              kiemdiemctl silence list --all
              kiemdiemctl silence expire 3
            """,
        subcommands: [Add.self, List.self, Expire.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hold the subtree's letters; what falls due meanwhile goes out once at the end, if still late.",
            discussion: """
                Example:
                  kiemdiemctl silence add --unit so-tai-chinh-cb-van-phong \\
                      --stage self-review --until 2026-11-28T08:00:00+07:00 \\
                      --reason 'Bí thư đi công tác'
                """)
        @Option(help: "The unit whose subtree is silenced, e.g. so-tai-chinh.") var unit: String
        @Option(help: "Only this stage (default: every stage), e.g. self-review.") var stage: String?
        @Option(help: "Until when, after now: an instant or a date (its start, in the plan's zone), e.g. 2026-12-01.") var until: String
        @Option(help: "Why, for the audit and the page, e.g. 'Sáp nhập cơ quan'.") var reason: String
        @Option(help: "The campaign, when several cover the unit (default: the only open one that does), e.g. 2026-annual.") var campaign: String?
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(SilenceAdd.self, SilenceAddArgs(unit: unit, stage: stage, until: until, reason: reason, campaign: campaign)) {
                print("silence \($0.id): \($0.unit)\($0.stage.map { " (\($0))" } ?? "") until \($0.until)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Silences in force (with --all, ended ones too).", discussion: "Example: kiemdiemctl silence list --all")
        @Flag(help: "Ended silences too.") var all = false
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(SilenceList.self, SilenceListArgs(all: all ? true : nil)) { items in
                if items.isEmpty { print("no silences"); return }
                Table(["id", "unit", "stage", "until", "held", "ended", "by", "reason"],
                      items.map { ["\($0.id)", $0.unit, $0.stage ?? "(all)", $0.until, "\($0.held)", $0.ended ?? "", $0.by, $0.reason] }).print()
            }
        }
    }

    struct Expire: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a silence now: what it holds goes out as at its end.", discussion: "Example: kiemdiemctl silence expire 3")
        @Argument(help: ArgumentHelp("The silence's id (silence list).", discussion: "e.g. 3")) var id: Int64
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(SilenceExpire.self, IdArgs(id: id)) { print("silence \($0.id) ended at \($0.ended ?? "")") }
        }
    }
}
