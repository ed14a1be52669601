import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct ReportCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Where things stand, per stage.")
    enum Format: String, ExpressibleByArgument { case table, csv, json }
    @Option(help: "Only this unit's subtree.") var unit: String?
    @Option var campaign: String?
    @Option(help: "table, csv or json.") var format: Format = .table
    @OptionGroup var options: ClientOptions

    func run() throws {
        var opts = options
        if format == .json { opts.json = true }
        try opts.run(Report.self, UnitFilter(unit: unit, campaign: campaign)) { reports in
            if format == .csv {
                // One table, a `section` per kind of row: stage progress, units one level down,
                // the quota per grassroots organization, flags.
                func csv(_ fields: [String]) -> String {
                    fields.map { $0.contains(",") || $0.contains("\"") ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0 }.joined(separator: ",")
                }
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

/// Codes shown to people in Vietnamese (DOMAIN.md's terms).
func reasonText(_ code: String) -> String { FlagReason(rawValue: code)?.vietnamese ?? code }

func kindText(_ code: String) -> String { UnitKind(rawValue: code)?.vietnamese ?? code }

func scopeText(_ scope: String) -> String {
    scope == "members" ? "Đảng viên" : scope.split(separator: ",").map { kindText(String($0)) }.joined(separator: ", ")
}

/// The report for people, with Vietnamese headings.
func printReport(_ r: ReportResult) {
    print("BÁO CÁO TIẾN ĐỘ — \(r.campaign) — \(r.name) (\(r.unit)), tính đến \(r.asOf)\n")
    Table(["Giai đoạn", "Đối tượng", "Hạn", "Đã hoàn thành", "Tổng số", "Quá hạn", "Nội dung"],
          r.stages.map { [$0.stage, scopeText($0.scope), $0.due, "\($0.completed)", "\($0.total)", "\($0.overdue)", $0.title] }).print()
    if let flags = r.flags, !flags.isEmpty {
        print("\nTổ chức có dấu hiệu cần kiểm điểm ngay")
        Table(["Đơn vị", "Biểu hiện", "Kết luận", "Hạn kiểm điểm theo chỉ đạo", "Đã kiểm điểm"],
              flags.map { [$0.unit, $0.reasons.map(reasonText).joined(separator: ", "), $0.confirmed ? "có" : "chưa", $0.reviewDue, $0.reviewHeld ? "rồi" : "chưa"] }).print()
    }
    if let ratings = r.ratings, !(ratings.members.isEmpty && ratings.units.isEmpty) {
        let levels = ["excellent", "good", "completed", "failed"]
        print("\nKết quả xếp loại")
        Table(["", "HTXSNV", "HTTNV", "HTNV", "KHTNV"],
              [["Đảng viên"] + levels.map { "\(ratings.members[$0] ?? 0)" }, ["Tổ chức đảng"] + levels.map { "\(ratings.units[$0] ?? 0)" }]).print()
        if !ratings.quota.isEmpty {
            print("\nTỷ lệ HTXSNV so với HTTNV theo tổ chức cơ sở đảng")
            Table(["Tổ chức cơ sở đảng", "Nhóm", "Đã quyết định", "HTXSNV", "HTTNV", "Tối đa HTXSNV", "Vượt"],
                  ratings.quota.map { q in [q.unit, q.group ?? "", q.decided.map { "\($0)/\(q.total ?? $0)" } ?? "", "\(q.excellent)", "\(q.good)", "\(q.allowed)",
                                       q.excellent > q.allowed ? "có" : "không"] }).print()
        }
    }
    if let conflicts = r.conflicts, !conflicts.isEmpty {
        print("\nKết quả xếp loại mâu thuẫn với kỷ luật, kết luận ghi nhận sau (cần huỷ và xếp loại lại)")
        Table(["Đơn vị", "Quy tắc", "Nội dung"], conflicts.map { [$0.unit, $0.rule, $0.message] }).print()
    }
    if let open = r.openRemediation {
        print("\nKhắc phục khuyết điểm: \(open) nội dung chưa hoàn thành, \(r.overdueRemediation ?? 0) quá hạn")
    }
    if let earlier = r.earlierRemediation, !earlier.isEmpty {
        print("\nHạn chế, khuyết điểm từ các kỳ kiểm điểm trước chưa khắc phục xong")
        Table(["Số", "Đơn vị", "Đảng viên", "Hạn", "Nội dung"], earlier.map { ["\($0.id)", $0.unit, $0.member ?? "", $0.due, $0.text] }).print()
    }
    if let suggestions = r.suggestions, !suggestions.isEmpty {
        print("\nGợi ý kiểm điểm của cấp ủy cấp trên")
        Table(["Đơn vị", "Cấp ủy gợi ý", "Thời gian", "Nội dung"], suggestions.map { [$0.unit, $0.author, $0.time, String($0.text.prefix(200))] }).print()
    }
    if let children = r.children, !children.isEmpty {
        print("\nCấp trực thuộc")
        Table(["Đơn vị", "Loại", "Đã hoàn thành", "Tổng số", "Quá hạn", "Dấu hiệu", "Khắc phục chưa xong", "Tên"],
              children.map { [$0.unit, kindText($0.kind), "\($0.completed)", "\($0.total)", "\($0.overdue)", "\($0.flags)", "\($0.openRemediation)", $0.name] }).print()
    }
    print("")
}
