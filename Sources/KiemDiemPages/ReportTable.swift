import Foundation
import KiemDiemCore
import KiemDiemWire

/// `kiemdiemctl report`'s table, for people: what each section shows, with names, stage titles
/// and dates as people write them (dd/mm/yyyy in the campaign's zone), not the ids and ISO
/// instants of `--format csv|json`. Here rather than in kiemdiemctl so that the tests read it.
public enum ReportTable {
    public struct Section: Sendable {
        /// A heading above the table (nil: the report's first table).
        public var heading: String?
        public var columns: [String]
        public var rows: [[String]]
        /// A line of text in place of a table.
        public var line: String?
    }

    /// The report's title line.
    public static func title(_ r: ReportResult) -> String {
        ReportText.title(campaign: r.campaignTitle ?? r.campaign, unitName: r.name, asOf: r.asOf)
    }

    public static func kindText(_ code: String) -> String { UnitKind(rawValue: code)?.vietnamese ?? code }
    public static func reasonText(_ code: String) -> String { FlagReason(rawValue: code)?.vietnamese ?? code }
    public static func scopeText(_ scope: String) -> String {
        scope == "members" ? ReportText.members : scope.split(separator: ",").map { kindText(String($0)) }.joined(separator: ", ")
    }

    public static func sections(_ r: ReportResult) -> [Section] {
        func name(_ id: String) -> String { r.names?[id] ?? id }
        let titles = Dictionary(r.stages.map { ($0.stage, $0.title) }, uniquingKeysWith: { a, _ in a })
        var out: [Section] = []
        out.append(Section(heading: nil, columns: ReportText.stageColumns,
                           rows: r.stages.map { [$0.title, scopeText($0.scope), ReportText.deadline($0.due), "\($0.completed)", "\($0.total)", "\($0.overdue)"] }))
        if let flags = r.flags, !flags.isEmpty {
            out.append(Section(heading: ReportText.flagsHeading, columns: ReportText.flagColumns, rows: flags.map {
                [name($0.unit), $0.reasons.map(reasonText).joined(separator: ", "), ReportText.confirmed($0.confirmed), ReportText.deadline($0.reviewDue),
                 ReportText.held($0.reviewHeld)]
            }))
        }
        if let ratings = r.ratings, !(ratings.members.isEmpty && ratings.units.isEmpty) {
            let levels = ["excellent", "good", "completed", "failed"]
            out.append(Section(heading: ReportText.ratingsHeading, columns: ReportText.levelColumns,
                               rows: [[ReportText.memberRow] + levels.map { "\(ratings.members[$0] ?? 0)" },
                                      [ReportText.unitRow] + levels.map { "\(ratings.units[$0] ?? 0)" }]))
            if !ratings.quota.isEmpty {
                var columns = ReportText.quotaColumns
                if let i = columns.firstIndex(of: ReportText.quotaCap(share: nil)) { columns[i] = ReportText.quotaCap(share: r.quotaShare) }
                out.append(Section(heading: ReportText.quotaHeading, columns: columns, rows: ratings.quota.map { q in
                    [name(q.unit), q.group ?? "", q.decided.map { "\($0)/\(q.total ?? $0)" } ?? "", "\(q.excellent)", "\(q.good)", "\(q.allowed)",
                     ReportText.yes(q.excellent > q.allowed)]
                }))
            }
            if let c = ratings.commended { // rate commend
                out.append(Section(heading: nil, columns: [], rows: [], line: ReportText.commended(members: c["members"] ?? 0, units: c["units"] ?? 0)))
            }
        }
        if let conflicts = r.conflicts, !conflicts.isEmpty {
            out.append(Section(heading: ReportText.conflictsHeading, columns: ReportText.conflictColumns, rows: conflicts.map { [name($0.unit), $0.message] }))
        }
        if let open = r.openRemediation {
            out.append(Section(heading: nil, columns: [], rows: [], line: ReportText.remediation(open: open, overdue: r.overdueRemediation ?? 0)))
        }
        if let earlier = r.earlierRemediation, !earlier.isEmpty {
            out.append(Section(heading: ReportText.earlierHeading, columns: ReportText.earlierColumns, rows: earlier.map {
                ["\($0.id)", name($0.unit), $0.member.map(name) ?? "", ReportText.deadline($0.due), $0.text]
            }))
        }
        if let suggestions = r.suggestions, !suggestions.isEmpty {
            out.append(Section(heading: ReportText.suggestionsHeading, columns: ReportText.suggestionColumns, rows: suggestions.map {
                [name($0.unit), name($0.author), ReportText.time($0.time), String($0.text.prefix(200))]
            }))
        }
        if let silences = r.silences, !silences.isEmpty {
            out.append(Section(heading: ReportText.silencesHeading, columns: ReportText.silenceColumns, rows: silences.map {
                ["\($0.id)", name($0.unit), $0.stage.map { titles[$0] ?? $0 } ?? ReportText.allStages, ReportText.date($0.until), "\($0.held)", $0.reason]
            }))
        }
        if let children = r.children, !children.isEmpty {
            out.append(Section(heading: ReportText.childrenHeading, columns: ReportText.childColumns, rows: children.map {
                [$0.name, kindText($0.kind), "\($0.completed)", "\($0.total)", "\($0.overdue)", "\($0.flags)", "\($0.openRemediation)"]
            }))
        }
        return out
    }
}
