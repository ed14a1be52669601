import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemWire

struct FlagCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flag",
        abstract: "Flag a unit (reasons: disunity, violation, group-interest, corruption, negativity, public-outrage, degradation, self-evolution, self-transformation); its parent committee must direct a review at once.")
    @Argument var unit: String
    @Option(help: "Reasons, comma-separated.") var reason: String
    @Option(help: "What was found.") var note: String
    @Flag(help: "A competent conclusion, not only signs: a flag of disunity or degradation then forces the rating 'failed'.") var confirmed = false
    @Option var campaign: String?
    @OptionGroup var options: ClientOptions

    func run() throws {
        let reasons = reason.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        try options.run(.flag, FlagArgs(unit: unit, reasons: reasons, note: note, confirmed: confirmed ? true : nil, campaign: campaign), as: FlagResult.self) { r in
            print("flag \(r.flag) on \(r.unit); directed review by \(r.owner ?? "the upper committee") due \(r.reviewDue)")
        }
    }
}

struct Unflag: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Close a unit's open flags with a note.")
    @Argument var unit: String
    @Option var note: String
    @OptionGroup var options: ClientOptions
    func run() throws {
        try options.run(.unflag, UnflagArgs(unit: unit, note: note), as: UnflagResult.self) { print("closed flag(s) \($0.closed.map(String.init).joined(separator: ", ")) on \($0.unit)") }
    }
}

struct Rate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit ratings (CSV subject,kind,level[,note][,commendation]); checked against the campaign's rule set.",
        subcommands: [Submit.self, Annul.self], defaultSubcommand: Submit.self)

    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "submit", abstract: "Submit a rating file (the default).")
        @Argument var file: String
        @Option var campaign: String?
        @OptionGroup var options: ClientOptions
        func run() throws {
            let f = try readFile(file)
            try options.run(.rate, RateArgs(name: f.name, content: f.content, campaign: campaign), as: RateResult.self) {
                print("\($0.accepted) rating(s) accepted in \($0.campaign)")
            }
        }
    }

    struct Annul: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The upper committee annuls a rating so it can be rated anew (audited).")
        @Argument var subject: String
        @Option(help: "member or unit") var kind: String
        @Option var reason: String
        @Option var campaign: String?
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(.rateAnnul, AnnulArgs(subject: subject, kind: kind, reason: reason, campaign: campaign), as: AnnulResult.self) {
                print("\($0.kind) \($0.subject): rating '\($0.annulled)' annulled")
            }
        }
    }
}

struct Remediation: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Track the correction of shortcomings.", subcommands: [Add.self, DoneCmd.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A shortcoming to fix by a date; overdue items escalate to the parent committee.")
        @Argument var unit: String
        @Option(help: "ISO 8601 instant or a date (before that day).") var due: String
        @Option var text: String
        @Option var member: String?
        @Option var campaign: String?
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(.remediationAdd, RemediationAddArgs(unit: unit, due: due, text: text, member: member, campaign: campaign), as: RemediationInfo.self) {
                print("remediation \($0.id) for \($0.unit) due \($0.due)")
            }
        }
    }

    struct DoneCmd: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "done", abstract: "Record a remediation item as fixed.")
        @Argument var id: Int64
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(.remediationDone, IdArgs(id: id), as: RemediationInfo.self) { print("remediation \($0.id) done \($0.done ?? "")") }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open remediation items (with --all, fixed ones too).")
        @Option var unit: String?
        @Flag var all = false
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(.remediationList, RemediationListArgs(unit: unit, all: all ? true : nil), as: [RemediationInfo].self) { items in
                if items.isEmpty { print("no remediation items"); return }
                Table(["id", "unit", "member", "due", "done", "campaign", "text"],
                      items.map { ["\($0.id)", $0.unit, $0.member ?? "", $0.due, $0.done ?? "", $0.campaign, $0.text] }).print()
            }
        }
    }
}
