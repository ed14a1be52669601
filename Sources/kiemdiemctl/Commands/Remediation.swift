import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct RemediationCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remediation", abstract: "Track the correction of shortcomings.",
        discussion: """
            Examples:
              kiemdiemctl remediation add so-tai-chinh --due 2027-03-31 \\
                  --text 'Khắc phục chậm nộp báo cáo kiểm điểm'
              kiemdiemctl remediation list --unit so-tai-chinh
              kiemdiemctl remediation done 7
            """,
        subcommands: [Add.self, DoneCmd.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A shortcoming to fix by a date; overdue items escalate to the parent committee.",
            discussion: """
                Examples:
                  kiemdiemctl remediation add so-tai-chinh --due 2027-03-31 \\
                      --text 'Khắc phục chậm nộp báo cáo kiểm điểm'
                  kiemdiemctl remediation add so-tai-chinh-cb-van-phong --member dv-000405 \\
                      --text 'Khắc phục hạn chế về tác phong, lề lối làm việc'
                """)
        @Argument(help: ArgumentHelp("The unit that must fix it.", discussion: "e.g. so-tai-chinh")) var unit: String
        @Option(help: ArgumentHelp("ISO 8601 instant or a date (before that day); default: the plan's remediation.due_in from now.",
                                   discussion: "e.g. --due 2027-03-31")) var due: String?
        @Option(help: ArgumentHelp("The shortcoming to fix (required).", discussion: "e.g. --text 'Khắc phục chậm nộp báo cáo kiểm điểm'")) var text: String
        @Option(help: ArgumentHelp("A member of the unit the item is about (default: the unit itself).", discussion: "e.g. --member dv-000405")) var member: String?
        @Option(help: ArgumentHelp("The campaign, when several cover the unit (default: the only open one that does).", discussion: "e.g. --campaign 2026-annual")) var campaign: String?
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(RemediationAdd.self, RemediationAddArgs(unit: unit, due: due, text: text, member: member, campaign: campaign)) {
                print("remediation \($0.id) for \($0.unit) due \($0.due)")
            }
        }
    }

    struct DoneCmd: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "done", abstract: "Record a remediation item as fixed.",
                                                        discussion: """
                                                            The id is one `kiemdiemctl remediation list` prints.

                                                            Example: kiemdiemctl remediation done 7
                                                            """)
        @Argument(help: ArgumentHelp("The item's id (remediation list).", discussion: "e.g. 7")) var id: Int64
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(RemediationDone.self, IdArgs(id: id)) { print("remediation \($0.id) done \($0.done ?? "")") }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open remediation items (with --all, fixed ones too).",
                                                        discussion: "Example: kiemdiemctl remediation list --unit so-tai-chinh --all")
        @Option(help: ArgumentHelp("Only this unit's subtree.", discussion: "e.g. --unit so-tai-chinh")) var unit: String?
        @Flag(help: "Fixed items too.") var all = false
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(RemediationList.self, RemediationListArgs(unit: unit, all: all ? true : nil)) { items in
                if items.isEmpty { print("no remediation items"); return }
                Table(["id", "unit", "member", "due", "done", "campaign", "text"],
                      items.map { ["\($0.id)", $0.unit, $0.member ?? "", $0.due, $0.done ?? "", $0.campaign, $0.text] }).print()
            }
        }
    }
}
