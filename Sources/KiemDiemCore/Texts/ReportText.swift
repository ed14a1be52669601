import Foundation

/// The progress report's headings and words, as a committee reads it (`kiemdiemctl report`).
public enum ReportText {
    /// `campaign` is the plan's title, `asOf` an instant as the daemon writes it.
    public static func title(campaign: String, unitName: String, asOf: String) -> String {
        "BÁO CÁO TIẾN ĐỘ — \(campaign) — \(unitName), tính đến \(time(asOf))"
    }

    public static let stageColumns = ["Nội dung", "Đối tượng", "Hạn", "Đã hoàn thành", "Tổng số", "Quá hạn"]
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

    public static let conflictsHeading = "Kết quả xếp loại mâu thuẫn với kỷ luật, kết luận ghi nhận sau (cần hủy và xếp loại lại)"
    public static let conflictColumns = ["Đơn vị", "Nội dung"]

    public static func remediation(open: Int, overdue: Int) -> String {
        "Khắc phục khuyết điểm: \(open) nội dung chưa hoàn thành, \(overdue) quá hạn"
    }

    public static let earlierHeading = "Hạn chế, khuyết điểm từ các kỳ kiểm điểm trước chưa khắc phục xong"
    public static let earlierColumns = ["Số", "Đơn vị", "Đảng viên", "Hạn", "Nội dung"]

    public static let suggestionsHeading = "Gợi ý kiểm điểm của cấp ủy cấp trên"
    public static let suggestionColumns = ["Đơn vị", "Cấp ủy gợi ý", "Thời gian", "Nội dung"]

    public static let childrenHeading = "Cấp trực thuộc"
    public static let childColumns = ["Đơn vị", "Loại", "Đã hoàn thành", "Tổng số", "Quá hạn", "Dấu hiệu", "Khắc phục chưa xong"]

    public static let silencesHeading = "Tạm dừng nhắc việc"
    public static let silenceColumns = ["Số", "Đơn vị", "Nội dung", "Đến ngày", "Đang giữ", "Lý do"]
    /// A silence over every stage.
    public static let allStages = "(tất cả)"

    /// A share of the plan's quota in a column heading: "Tối đa HTXSNV (15%)"; no quota, no share.
    public static func quotaCap(share: Double?) -> String {
        share.map { "Tối đa HTXSNV (\(Findings.percent($0)))" } ?? "Tối đa HTXSNV"
    }

    // MARK: Instants as people write them

    /// A deadline the daemon wrote (ISO 8601 in the campaign's zone, its offset given), as the
    /// plans say it: "trước ngày 01/12/2022" for 00:00, else "trước 17:00 ngày 01/12/2022".
    public static func deadline(_ iso: String) -> String {
        guard let (d, zone) = parse(iso) else { return iso }
        return Instant.vietnameseDeadline(d, timeZone: zone)
    }

    /// "25/11/2022", in the zone the instant was written in.
    public static func date(_ iso: String) -> String {
        guard let (d, zone) = parse(iso) else { return iso }
        return Instant.vietnameseDate(d, timeZone: zone)
    }

    /// "25/11/2022 09:30", in the zone the instant was written in.
    public static func time(_ iso: String) -> String {
        guard let (d, zone) = parse(iso) else { return iso }
        let sod = ((Int64(d.timeIntervalSince1970.rounded(.down)) + Int64(zone.secondsFromGMT(for: d))) % 86_400 + 86_400) % 86_400
        return Instant.vietnameseDate(d, timeZone: zone) + " " + String(format: "%02d:%02d", Int(sod / 3600), Int(sod % 3600 / 60))
    }

    /// The instant and the zone of its offset ("+07:00", "Z").
    static func parse(_ iso: String) -> (Date, TimeZone)? {
        let utc = TimeZone(secondsFromGMT: 0)!
        guard let d = Instant.parse(iso, timeZone: utc) else { return nil }
        let u = Array(iso.utf8)
        guard u.count >= 6, u.last != UInt8(ascii: "Z"), u.last != UInt8(ascii: "z") else { return (d, utc) }
        let tail = Array(u.suffix(6))
        guard tail[0] == UInt8(ascii: "+") || tail[0] == UInt8(ascii: "-"), tail[3] == UInt8(ascii: ":"),
              let h = Int(String(decoding: tail[1...2], as: UTF8.self)), let m = Int(String(decoding: tail[4...5], as: UTF8.self)),
              let zone = TimeZone(secondsFromGMT: (h * 3600 + m * 60) * (tail[0] == UInt8(ascii: "-") ? -1 : 1)) else { return (d, utc) }
        return (d, zone)
    }

    public static func yes(_ b: Bool) -> String { b ? "có" : "không" }
    /// Confirmed / held: "có"/"rồi" against "chưa" (not yet).
    public static func confirmed(_ b: Bool) -> String { b ? "có" : "chưa" }
    public static func held(_ b: Bool) -> String { b ? "rồi" : "chưa" }
}

// MARK: - Issue 25, item 5: commendation proposals

extension ReportText {
    /// The report's line of commendation proposals on decided ratings (`rate commend`).
    public static func commended(members: Int, units: Int) -> String {
        "Đề nghị khen thưởng: \(members) đảng viên, \(units) tổ chức (xếp loại \"Hoàn thành xuất sắc nhiệm vụ\")"
    }
}
