import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct RateCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rate", 
        abstract: "Submit ratings (CSV subject,kind,level[,note][,commendation][,status][,score,on_time,beyond]); checked against the campaign's state and rule set.",
        discussion: """
            Examples:
              kiemdiemctl rate config/examples/proposals.csv
              kiemdiemctl rate submit config/examples/ratings.csv --campaign 2026-annual
              kiemdiemctl rate list --unit so-tai-chinh
              kiemdiemctl rate annul dv-000405 --kind member \\
                  --reason 'Xếp loại lại theo kết luận kiểm tra'
            """,
        subcommands: [Submit.self, Annul.self, Commend.self, List.self], defaultSubcommand: Submit.self)

    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "submit", abstract: "Submit a rating file (the default).",
            discussion: """
                Examples:
                  kiemdiemctl rate submit config/examples/proposals.csv
                  kiemdiemctl rate submit config/examples/ratings.csv --campaign 2026-annual
                """)
        @Argument(help: ArgumentHelp("The rating CSV file (subject,kind,level[,note][,commendation][,status][,score,on_time,beyond]).",
                                     discussion: "e.g. config/examples/ratings.csv")) var file: String
        @Flag(help: "Rows without a status column are proposals (a cell's review of its members, a collective's self-rating), not decisions.") var proposed = false
        @Option(help: ArgumentHelp("The campaign (default: the only one not completed).", discussion: "e.g. --campaign 2026-annual")) var campaign: String?
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
        static let configuration = CommandConfiguration(abstract: "The upper committee annuls a rating so it can be decided anew (audited); what rests on it needs --cascade.",
            discussion: """
                Examples:
                  kiemdiemctl rate annul dv-000405 --kind member \\
                      --reason 'Xếp loại lại theo kết luận kiểm tra'
                  kiemdiemctl rate annul so-tai-chinh-cb-van-phong --kind unit --cascade \\
                      --reason 'Xếp loại chi bộ chưa đúng quy định'
                """)
        @Argument(help: ArgumentHelp("The rated member's or unit's id.", discussion: "e.g. dv-000405 or so-tai-chinh-cb-van-phong")) var subject: String
        @Option(help: ArgumentHelp("What the subject is: member or unit.", discussion: "e.g. --kind member")) var kind: String
        @Option(help: ArgumentHelp("Why (required; audited with the annulment).", discussion: "e.g. --reason 'Xếp loại lại theo kết luận kiểm tra'")) var reason: String
        @Option(help: ArgumentHelp("Which rating: proposed or decided (default: the decided rating if there is one).", discussion: "e.g. --status proposed")) var status: String?
        @Flag(help: "Annul also the ratings that rest on this one (the head's, a collective's excellent, a commendation).") var cascade = false
        @Option(help: ArgumentHelp("The campaign (default: the only one not completed).", discussion: "e.g. --campaign 2026-annual")) var campaign: String?
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(RateAnnul.self, AnnulArgs(subject: subject, kind: kind, reason: reason, campaign: campaign, status: status, cascade: cascade ? true : nil)) { r in
                for a in r.ratings ?? [AnnulledRating(subject: r.subject, kind: r.kind, status: "", level: r.annulled, commendation: false)] {
                    print("\(a.kind) \(a.subject): \(a.status) rating '\(a.level)'\(a.commendation ? " with its commendation" : "") annulled")
                }
            }
        }
    }

    struct Commend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose a commendation on a decided 'excellent' rating, or withdraw it (audited, published as rating.commended).",
            discussion: """
                Only a subject decided excellent is commended; the decision comes first (rate).
                Examples:
                  kiemdiemctl rate commend dv-000405 --kind member --note 'Đề nghị Đảng ủy Khối tặng Giấy khen'
                  kiemdiemctl rate commend so-tai-chinh-cb-van-phong --kind unit --withdraw --note 'Rút theo ý kiến Ban Thường vụ'
                """)
        @Argument(help: ArgumentHelp("The rated member's or unit's id.", discussion: "e.g. dv-000405 or so-tai-chinh-cb-van-phong")) var subject: String
        @Option(help: ArgumentHelp("What the subject is: member or unit.", discussion: "e.g. --kind member")) var kind: String
        @Option(help: ArgumentHelp("Why, or the form of commendation (required; audited and in the event).", discussion: "e.g. --note 'Đề nghị tặng Giấy khen'")) var note: String
        @Flag(help: "Withdraw the commendation proposal instead of setting it.") var withdraw = false
        @Option(help: ArgumentHelp("The campaign (default: the only one not completed).", discussion: "e.g. --campaign 2026-annual")) var campaign: String?
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(RateCommend.self, CommendArgs(subject: subject, kind: kind, note: note, withdraw: withdraw ? true : nil, campaign: campaign)) { r in
                let what = r.commendation ? "commendation proposed on its decided rating '\(r.level)'" : "commendation withdrawn"
                print("\(r.kind) \(r.subject): \(what)\(r.changed ? "" : " (already so; nothing changed)")")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The ratings in force, proposed and decided.",
                                                        discussion: "Example: kiemdiemctl rate list --unit so-tai-chinh --output csv > xep-loai.csv")
        @Option(help: ArgumentHelp("Only this unit's subtree.", discussion: "e.g. --unit so-tai-chinh")) var unit: String?
        @Option(help: ArgumentHelp("The campaign (default: the only one not completed).", discussion: "e.g. --campaign 2026-annual")) var campaign: String?
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
