import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct RemediationCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remediation", abstract: "Track the correction of shortcomings.", subcommands: [Add.self, DoneCmd.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A shortcoming to fix by a date; overdue items escalate to the parent committee.")
        @Argument var unit: String
        @Option(help: "ISO 8601 instant or a date (before that day); default: the plan's remediation.due_in from now.") var due: String?
        @Option var text: String
        @Option var member: String?
        @Option var campaign: String?
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(RemediationAdd.self, RemediationAddArgs(unit: unit, due: due, text: text, member: member, campaign: campaign)) {
                print("remediation \($0.id) for \($0.unit) due \($0.due)")
            }
        }
    }

    struct DoneCmd: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "done", abstract: "Record a remediation item as fixed.")
        @Argument var id: Int64
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(RemediationDone.self, IdArgs(id: id)) { print("remediation \($0.id) done \($0.done ?? "")") }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open remediation items (with --all, fixed ones too).")
        @Option var unit: String?
        @Flag var all = false
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
