import Foundation

/// The progress report's headings and words, as a committee reads it (`kiemdiemctl report`).
public enum ReportText {
    public static func title(campaign: String, unitName: String, unit: String, asOf: String) -> String {
        "BÁO CÁO TIẾN ĐỘ — \(campaign) — \(unitName) (\(unit)), tính đến \(asOf)"
    }

    public static let stageColumns = ["Giai đoạn", "Đối tượng", "Hạn", "Đã hoàn thành", "Tổng số", "Quá hạn", "Nội dung"]
    /// Who a stage is for: members, or kinds of organization.
    public static let members = "Đảng viên"

    public static let flagsHeading = "Tổ chức có dấu hiệu cần kiểm điểm ngay"
    public static let flagColumns = ["Đơn vị", "Biểu hiện", "Kết luận", "Hạn kiểm điểm theo chỉ đạo", "Đã kiểm điểm"]

    public static let ratingsHeading = "Kết quả xếp loại"
    /// The levels' usual abbreviations, from excellent to failed.
    public static let levelColumns = ["", "HTXSNV", "HTTNV", "HTNV", "KHTNV"]
    public static let memberRow = "Đảng viên"
    public static let unitRow = "Tổ chức đảng"

    public static let quotaHeading = "Tỷ lệ HTXSNV so với HTTNV theo tổ chức cơ sở đảng"
    public static let quotaColumns = ["Tổ chức cơ sở đảng", "Nhóm", "Đã quyết định", "HTXSNV", "HTTNV", "Tối đa HTXSNV", "Vượt"]

    public static let conflictsHeading = "Kết quả xếp loại mâu thuẫn với kỷ luật, kết luận ghi nhận sau (cần huỷ và xếp loại lại)"
    public static let conflictColumns = ["Đơn vị", "Quy tắc", "Nội dung"]

    public static func remediation(open: Int, overdue: Int) -> String {
        "Khắc phục khuyết điểm: \(open) nội dung chưa hoàn thành, \(overdue) quá hạn"
    }

    public static let earlierHeading = "Hạn chế, khuyết điểm từ các kỳ kiểm điểm trước chưa khắc phục xong"
    public static let earlierColumns = ["Số", "Đơn vị", "Đảng viên", "Hạn", "Nội dung"]

    public static let suggestionsHeading = "Gợi ý kiểm điểm của cấp ủy cấp trên"
    public static let suggestionColumns = ["Đơn vị", "Cấp ủy gợi ý", "Thời gian", "Nội dung"]

    public static let childrenHeading = "Cấp trực thuộc"
    public static let childColumns = ["Đơn vị", "Loại", "Đã hoàn thành", "Tổng số", "Quá hạn", "Dấu hiệu", "Khắc phục chưa xong", "Tên"]

    public static func yes(_ b: Bool) -> String { b ? "có" : "không" }
    /// Confirmed / held: "có"/"rồi" against "chưa" (not yet).
    public static func confirmed(_ b: Bool) -> String { b ? "có" : "chưa" }
    public static func held(_ b: Bool) -> String { b ? "rồi" : "chưa" }
}
