import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemWire

struct FlagCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flag",
        abstract: "Flag a unit, or confirm a flag's conclusion (flag confirm UNIT).",
        subcommands: [Raise.self, Confirm.self], defaultSubcommand: Raise.self)

    struct Raise: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "raise",
            abstract: "Flag a unit (reasons: disunity, violation, group-interest, corruption, negativity, public-outrage, degradation, self-evolution, self-transformation); its parent committee must direct a review at once (the default).")
        @Argument var unit: String
        @Option(help: "Reasons, comma-separated.") var reason: String
        @Option(help: "What was found.") var note: String
        @Flag(help: "A competent conclusion, not only signs: recorded as a conclusion (disunity then forces the collective's rating 'failed').") var confirmed = false
        @Option var campaign: String?
        @OptionGroup var options: ClientOptions

        func run() throws {
            let reasons = reason.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            try options.run(.flag, FlagArgs(unit: unit, reasons: reasons, note: note, confirmed: confirmed ? true : nil, campaign: campaign), as: FlagResult.self) { r in
                print("flag \(r.flag) on \(r.unit); directed review by \(r.owner ?? "the upper committee") due \(r.reviewDue)")
            }
        }
    }

    struct Confirm: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The directed review concluded what the unit's latest flag said: recorded as a conclusion for the campaign's year, flag open or not.")
        @Argument var unit: String
        @Option(help: "The competent body and its finding.") var note: String
        @Option var campaign: String?
        @OptionGroup var options: ClientOptions

        func run() throws {
            try options.run(.flagConfirm, FlagConfirmArgs(unit: unit, note: note, campaign: campaign), as: ConclusionResult.self, human: printConclusion)
        }
    }
}

struct Conclude: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record a competent conclusion about a member (degradation, self-evolution, self-transformation): the member's rating is 'failed' for the campaign's year.")
    @Argument var member: String
    @Option(help: "Reasons, comma-separated.") var reason: String
    @Option(help: "The competent body and its finding.") var note: String
    @Option var campaign: String?
    @OptionGroup var options: ClientOptions

    func run() throws {
        let reasons = reason.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        try options.run(.conclude, ConcludeArgs(member: member, reasons: reasons, note: note, campaign: campaign), as: ConclusionResult.self, human: printConclusion)
    }
}

func printConclusion(_ r: ConclusionResult) {
    print("conclusion \(r.conclusion) on \(r.kind) \(r.subject): \(r.reasons.joined(separator: ", "))")
    for c in r.conflicts { print("  conflict: \(c)") }
    if !r.conflicts.isEmpty { print("  the ratings above contradict the conclusion: annul them (rate annul) and decide again") }
}

struct Suggest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The upper committee's written review suggestions for a unit (gợi ý kiểm điểm): published and delivered to the unit.")
    @Argument var unit: String
    @Option(help: "A UTF-8 text file with the suggestions.") var file: String
    @Option var campaign: String?
    @OptionGroup var options: ClientOptions

    func run() throws {
        let f = try readFile(file)
        try options.run(.suggest, SuggestArgs(unit: unit, name: f.name, content: f.content, campaign: campaign), as: SuggestionInfo.self) {
            print("suggestion \($0.id) from \($0.author) to \($0.unit)")
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
        abstract: "Submit ratings (CSV subject,kind,level[,note][,commendation][,status][,score,on_time,beyond]); checked against the campaign's state and rule set.",
        subcommands: [Submit.self, Annul.self, List.self], defaultSubcommand: Submit.self)

    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "submit", abstract: "Submit a rating file (the default).")
        @Argument var file: String
        @Flag(help: "Rows without a status column are proposals (a cell's review of its members, a collective's self-rating), not decisions.") var proposed = false
        @Option var campaign: String?
        @OptionGroup var options: ClientOptions
        func run() throws {
            let f = try readFile(file)
            try options.run(.rate, RateArgs(name: f.name, content: f.content, campaign: campaign, proposed: proposed ? true : nil), as: RateResult.self) {
                print("\($0.accepted) rating(s) accepted in \($0.campaign)")
                for w in $0.warnings ?? [] { print("  quota: \(w)") }
            }
        }
    }

    struct Annul: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The upper committee annuls a rating so it can be decided anew (audited); what rests on it needs --cascade.")
        @Argument var subject: String
        @Option(help: "member or unit") var kind: String
        @Option var reason: String
        @Option(help: "proposed or decided (default: the decided rating if there is one)") var status: String?
        @Flag(help: "Annul also the ratings that rest on this one (the head's, a collective's excellent, a commendation).") var cascade = false
        @Option var campaign: String?
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(.rateAnnul, AnnulArgs(subject: subject, kind: kind, reason: reason, campaign: campaign, status: status, cascade: cascade ? true : nil),
                            as: AnnulResult.self) { r in
                for a in r.ratings ?? [AnnulledRating(subject: r.subject, kind: r.kind, status: "", level: r.annulled, commendation: false)] {
                    print("\(a.kind) \(a.subject): \(a.status) rating '\(a.level)'\(a.commendation ? " with its commendation" : "") annulled")
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The ratings in force, proposed and decided.")
        @Option(help: "Only this unit's subtree.") var unit: String?
        @Option var campaign: String?
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(.rateList, RatingsArgs(unit: unit, campaign: campaign), as: [RatingInfo].self) { items in
                if items.isEmpty { print("no ratings in force"); return }
                Table(["subject", "kind", "status", "level", "commendation", "score", "unit", "rated", "by"],
                      items.map { [$0.subject, $0.kind, $0.status, $0.level, $0.commendation ? "yes" : "", $0.score.map { String($0) } ?? "", $0.unit, $0.ratedAt, $0.ratedBy] }).print()
            }
        }
    }
}

struct Remediation: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Track the correction of shortcomings.", subcommands: [Add.self, DoneCmd.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A shortcoming to fix by a date; overdue items escalate to the parent committee.")
        @Argument var unit: String
        @Option(help: "ISO 8601 instant or a date (before that day); default: the plan's remediation.due_in from now.") var due: String?
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
