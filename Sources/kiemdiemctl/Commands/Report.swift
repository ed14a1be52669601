import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemPages
import KiemDiemWire

struct ReportCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Where things stand, per stage.",
        discussion: """
            Examples:
              kiemdiemctl report --unit so-tai-chinh
              kiemdiemctl report --campaign 2026-annual --format csv > tien-do.csv
              kiemdiemctl report --format html --out bao-cao.html

            With --format html the report is one self-contained file, for email or print.
            """)
    enum Format: String, ExpressibleByArgument { case table, csv, json, html }
    @Option(help: ArgumentHelp("Only this unit's subtree (default: each campaign's root).", discussion: "e.g. --unit so-tai-chinh")) var unit: String?
    @Option(help: ArgumentHelp("Only this campaign (default: every campaign).", discussion: "e.g. --campaign 2026-annual")) var campaign: String?
    @Option(name: .customLong("format"), help: ArgumentHelp("table, csv, json or html (the web page's overview as one file: charts inline, no script); default: --output's, else table on a terminal and csv otherwise.",
                               discussion: "e.g. --format csv > tien-do.csv")) var formatOption: Format?
    var format: Format {
        formatOption ?? (options.format == .json ? .json : options.format == .csv ? .csv : .table)
    }
    @Option(help: ArgumentHelp("With --format html: write the file here instead of standard output.", discussion: "e.g. --out bao-cao.html")) var out: String?
    @OptionGroup var options: ClientOptions

    func run() throws {
        if format == .html {
            var options = options
            (options.json, options.output) = (false, .table)
            try options.run(View.self, UnitFilter(unit: unit, campaign: campaign)) { v in
                let f = DateFormatter()
                f.dateFormat = "dd/MM/yyyy HH:mm"
                let html = UnitPage(v: v, canAct: false, navigable: false).standalone(generated: f.string(from: Date()))
                if let out {
                    do { try html.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                        FileHandle.standardError.write(Data("kiemdiemctl: cannot write \(out): \(error.localizedDescription)\n".utf8))
                        Foundation.exit(2)
                    }
                    print("report written to \(out)")
                } else {
                    print(html)
                }
            }
            return
        }
        var opts = options
        if format == .json { opts.json = true }
        if format == .table { opts.output = .table }
        try opts.run(Report.self, UnitFilter(unit: unit, campaign: campaign)) { reports in
            if format == .csv {
                // One table, a `section` per kind of row: stage progress, units one level down,
                // the quota per grassroots organization, flags.
                func csv(_ fields: [String]) -> String { CSV.row(fields) }
                print("section,campaign,unit,item,total,completed,overdue,detail")
                for r in reports {
                    for s in r.stages { print(csv(["stage", r.campaign, r.unit, s.stage, "\(s.total)", "\(s.completed)", "\(s.overdue)", s.due])) }
                    for c in r.children ?? [] { print(csv(["child", r.campaign, r.unit, c.unit, "\(c.total)", "\(c.completed)", "\(c.overdue)", "flags=\(c.flags) remediation=\(c.openRemediation)"])) }
                    for q in r.ratings?.quota ?? [] { print(csv(["quota", r.campaign, r.unit, q.unit, "\(q.good)", "\(q.excellent)", q.excellent > q.allowed ? "1" : "0", "allowed=\(q.allowed)"])) }
                    for f in r.flags ?? [] { print(csv(["flag", r.campaign, r.unit, f.unit, "", f.reviewHeld ? "1" : "0", "", f.reasons.joined(separator: " ")])) }
                }
                return
            }
            for r in reports { printReport(r) }
        }
    }
}

/// Codes shown to people in Vietnamese (the terms of docs/rules.md).
func reasonText(_ code: String) -> String { FlagReason(rawValue: code)?.vietnamese ?? code }

func kindText(_ code: String) -> String { UnitKind(rawValue: code)?.vietnamese ?? code }

func scopeText(_ scope: String) -> String {
    scope == "members" ? ReportText.members : scope.split(separator: ",").map { kindText(String($0)) }.joined(separator: ", ")
}

/// The report for people, with Vietnamese headings.
func printReport(_ r: ReportResult) {
    print(ReportText.title(campaign: r.campaign, unitName: r.name, unit: r.unit, asOf: r.asOf) + "\n")
    Table(ReportText.stageColumns,
          r.stages.map { [$0.stage, scopeText($0.scope), $0.due, "\($0.completed)", "\($0.total)", "\($0.overdue)", $0.title] }).print()
    if let flags = r.flags, !flags.isEmpty {
        print("\n" + ReportText.flagsHeading)
        Table(ReportText.flagColumns,
              flags.map { [$0.unit, $0.reasons.map(reasonText).joined(separator: ", "), ReportText.confirmed($0.confirmed), $0.reviewDue, ReportText.held($0.reviewHeld)] }).print()
    }
    if let ratings = r.ratings, !(ratings.members.isEmpty && ratings.units.isEmpty) {
        let levels = ["excellent", "good", "completed", "failed"]
        print("\n" + ReportText.ratingsHeading)
        Table(ReportText.levelColumns,
              [[ReportText.memberRow] + levels.map { "\(ratings.members[$0] ?? 0)" }, [ReportText.unitRow] + levels.map { "\(ratings.units[$0] ?? 0)" }]).print()
        if !ratings.quota.isEmpty {
            print("\n" + ReportText.quotaHeading)
            Table(ReportText.quotaColumns,
                  ratings.quota.map { q in [q.unit, q.group ?? "", q.decided.map { "\($0)/\(q.total ?? $0)" } ?? "", "\(q.excellent)", "\(q.good)", "\(q.allowed)",
                                       ReportText.yes(q.excellent > q.allowed)] }).print()
        }
    }
    if let conflicts = r.conflicts, !conflicts.isEmpty {
        print("\n" + ReportText.conflictsHeading)
        Table(ReportText.conflictColumns, conflicts.map { [$0.unit, $0.rule, $0.message] }).print()
    }
    if let open = r.openRemediation {
        print("\n" + ReportText.remediation(open: open, overdue: r.overdueRemediation ?? 0))
    }
    if let earlier = r.earlierRemediation, !earlier.isEmpty {
        print("\n" + ReportText.earlierHeading)
        Table(ReportText.earlierColumns, earlier.map { ["\($0.id)", $0.unit, $0.member ?? "", $0.due, $0.text] }).print()
    }
    if let suggestions = r.suggestions, !suggestions.isEmpty {
        print("\n" + ReportText.suggestionsHeading)
        Table(ReportText.suggestionColumns, suggestions.map { [$0.unit, $0.author, $0.time, String($0.text.prefix(200))] }).print()
    }
    if let silences = r.silences, !silences.isEmpty {
        print("\nTạm dừng nhắc việc")
        Table(["Số", "Đơn vị", "Nội dung", "Đến", "Đang giữ", "Lý do"], silences.map { ["\($0.id)", $0.unit, $0.stage ?? "(tất cả)", $0.until, "\($0.held)", $0.reason] }).print()
    }
    if let children = r.children, !children.isEmpty {
        print("\n" + ReportText.childrenHeading)
        Table(ReportText.childColumns,
              children.map { [$0.unit, kindText($0.kind), "\($0.completed)", "\($0.total)", "\($0.overdue)", "\($0.flags)", "\($0.openRemediation)", $0.name] }).print()
    }
    print("")
}
