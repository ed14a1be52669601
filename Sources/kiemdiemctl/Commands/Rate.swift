import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct RateCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rate", 
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
            try options.run(Rate.self, RateArgs(name: f.name, content: f.content, campaign: campaign, proposed: proposed ? true : nil)) {
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
            try options.run(RateAnnul.self, AnnulArgs(subject: subject, kind: kind, reason: reason, campaign: campaign, status: status, cascade: cascade ? true : nil)) { r in
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
            try options.run(RateList.self, RatingsArgs(unit: unit, campaign: campaign)) { items in
                if items.isEmpty { print("no ratings in force"); return }
                Table(["subject", "kind", "status", "level", "commendation", "score", "unit", "rated", "by"],
                      items.map { [$0.subject, $0.kind, $0.status, $0.level, $0.commendation ? "yes" : "", $0.score.map { String($0) } ?? "", $0.unit, $0.ratedAt, $0.ratedBy] }).print()
            }
        }
    }
}
