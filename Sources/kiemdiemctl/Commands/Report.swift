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
        // The table names units, stages and the plan (csv and json keep their ids as before).
        try opts.run(Report.self, UnitFilter(unit: unit, campaign: campaign, names: format == .table ? true : nil)) { reports in
            if format == .csv {
                // One table, a `section` per kind of row: stage progress, units one level down,
                // the quota per grassroots organization, flags.
                func csv(_ fields: [String]) -> String { CSV.row(fields) }
                print("section,campaign,unit,item,total,completed,overdue,detail")
                for r in reports {
                    for s in r.stages { print(csv(["stage", r.campaign, r.unit, s.stage, "\(s.total)", "\(s.completed)", "\(s.overdue)", s.due])) }
                    for c in r.children ?? [] { print(csv(["child", r.campaign, r.unit, c.unit, "\(c.total)", "\(c.completed)", "\(c.overdue)", "flags=\(c.flags) remediation=\(c.openRemediation)"])) }
                    for q in r.ratings?.quota ?? [] { print(csv(["quota", r.campaign, r.unit, q.unit, "\(q.good)", "\(q.excellent)", q.excellent > q.allowed ? "1" : "0", "allowed=\(q.allowed)"])) }
                    for (k, n) in (r.ratings?.commended ?? [:]).sorted(by: { $0.key < $1.key }) { print(csv(["commended", r.campaign, r.unit, k, "\(n)", "", "", ""])) }
                    for f in r.flags ?? [] { print(csv(["flag", r.campaign, r.unit, f.unit, "", f.reviewHeld ? "1" : "0", "", f.reasons.joined(separator: " ")])) }
                }
                return
            }
            for r in reports { printReport(r) }
        }
    }
}

/// The report for people (ReportTable): names, stage titles and dates as people write them.
func printReport(_ r: ReportResult) {
    print(ReportTable.title(r) + "\n")
    for (i, section) in ReportTable.sections(r).enumerated() {
        if let heading = section.heading { print("\n" + heading) }
        if let line = section.line { print((i > 0 ? "\n" : "") + line); continue }
        Table(section.columns, section.rows).print()
    }
    print("")
}
