import Foundation

/// The rating rules' findings, in Vietnamese: what a committee reads when a rating is refused,
/// in conflict, or near its quota. `who` and `unit` are `name (id)` as RatingTree.name gives.
public enum Findings {
    static func level(_ l: RatingLevel) -> String { "\"\(l.vietnamese)\"" }

    // MARK: Rule 2 and 7: heads after their unit, never above it

    static func headBeforeUnit(who: String, unit: String) -> String {
        "Quy tắc 2, 7: \(who) là bí thư của \(unit); người đứng đầu chỉ được quyết định xếp loại sau khi tập thể đã được quyết định xếp loại."
    }

    static func headAboveUnit(who: String, unit: String, level l: RatingLevel, unitLevel: RatingLevel) -> String {
        "Quy tắc 2: \(who) là bí thư của \(unit), xếp loại \(level(l)) cao hơn tập thể (\(level(unitLevel)))."
    }

    // MARK: Rule 5: an excellent organization

    /// The parts counted: a cell's members, or a committee's subordinate organizations.
    static func parts(members: Bool) -> String { members ? "đảng viên" : "tổ chức trực thuộc" }

    static func excellentUnit(who: String, status: RatingStatus, parts what: String, atLeastCompleted: Int, atLeastGood: Int, total: Int, unrated: Int) -> String {
        "Quy tắc 5: \(who) xếp loại \(level(.excellent)) (\(status.vietnamese)) cần 100% \(what) từ \(level(.completed)) trở lên và ít nhất 80% từ \(level(.good)) trở lên; hiện có \(atLeastCompleted)/\(total) và \(atLeastGood)/\(total)"
            + (unrated > 0 ? " (\(unrated) chưa được đánh giá)" : "") + "."
    }

    // MARK: Rule sets' additions

    static func disciplinedUnits(who: String, disciplined: Int, of total: Int) -> String {
        "Quy định 124-QĐ/TW: \(who) có \(disciplined)/\(total) đơn vị trực thuộc bị kỷ luật trong năm (trên 20%), chỉ được xếp loại \(level(.failed))."
    }

    static func excellentDiscipline(who: String, disciplined: [String]) -> String {
        "Quy định 366-QĐ/TW, Điều 11: \(who) chỉ được xếp loại \(level(.excellent)) khi không có đơn vị trực thuộc, thành viên tập thể lãnh đạo bị kỷ luật; có: \(disciplined.prefix(5).joined(separator: ", "))."
    }

    // MARK: Rules 3, 4, 6

    static func disciplined(who: String, year: Int, level l: RatingLevel) -> String {
        "Quy tắc 3: \(who) bị kỷ luật trong năm \(year), chỉ được xếp loại \(level(.failed)), không phải \(level(l))."
    }

    static func conclusion(who: String, reasons: [FlagReason]) -> String {
        "Quy tắc 4: \(who) có kết luận của cấp có thẩm quyền về \(reasons.map(\.vietnamese).joined(separator: ", ")), chỉ được xếp loại \(level(.failed))."
    }

    static func commendation(who: String, level l: RatingLevel) -> String {
        "Quy tắc 6: chỉ khen thưởng tổ chức, đảng viên xếp loại \(level(.excellent)); \(who) xếp loại \(level(l))."
    }

    // MARK: Quy định 366-QĐ/TW, Điều 11: the 100-point scale

    static func score(who: String, score: Double, level l: RatingLevel) -> String {
        "Quy định 366-QĐ/TW, Điều 11: \(who) đạt \(number(score)) điểm, tương ứng tối đa \(level(Score.band(score))), không thể xếp loại \(level(l))."
    }

    static func conditions(who: String, level l: RatingLevel, unmet: String) -> String {
        "Quy định 366-QĐ/TW, Điều 11: \(who) xếp loại \(level(l)) cần \(unmet)."
    }

    static func earlierShortcomings(who: String, open: Int) -> String {
        "Quy định 366-QĐ/TW, Điều 11: \(who) còn \(open) hạn chế, khuyết điểm từ các năm trước chưa khắc phục xong; chỉ xếp loại \(level(.excellent)) khi đã khắc phục 100%."
    }

    /// The task condition of a level not met (Điều 11), with the figures given.
    static func unmetExcellent(onTime: Double, beyond: Double) -> String {
        "100% nhiệm vụ hoàn thành đúng hạn, bảo đảm chất lượng (có \(number(onTime))%) và ít nhất 30% vượt mức yêu cầu (có \(number(beyond))%)"
    }

    static func unmetGood(onTime: Double) -> String { "100% nhiệm vụ hoàn thành đúng hạn, bảo đảm chất lượng (có \(number(onTime))%)" }

    static func unmetCompleted(onTime: Double) -> String { "hoàn thành 100% nhiệm vụ, không quá 20% chậm tiến độ (đúng hạn \(number(onTime))%)" }

    /// 92 → "92", 92.5 → "92,5".
    static func number(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v).replacingOccurrences(of: ".", with: ",")
    }

    // MARK: Rule 1: the quota

    /// The groups a quota counts.
    static let quotaGroupLeaders = "cấp ủy viên"
    static let quotaGroupMembers = "đảng viên"
    static let quotaGroupOrganizations = "tổ chức cơ sở đảng"

    /// "Đảng bộ Sở Tài chính (gc): đã có 3/40 đảng viên được quyết định xếp loại …, tối đa 2 (20% của 12 …)"
    static func quota(scope: String, excellent: Int, decided: Int, total: Int, group: String, quota q: Quota?, cap: Int, good: Int) -> String {
        let head = "\(scope): đã có \(excellent)/\(decided) \(group) được quyết định xếp loại \(level(.excellent))"
        guard let q else { return head + " (kế hoạch không đặt hạn mức)" }
        let denominator = q.denominator == .good ? good : good + excellent
        let base = q.denominator == .good ? "xếp loại \(level(.good))" : "từ \(level(.good)) trở lên"
        return head + ", tối đa \(cap) (\(Int((q.share * 100).rounded()))% của \(denominator) \(group) \(base))"
            + (decided < total ? "; còn \(total - decided)/\(total) chưa được quyết định" : "")
    }

    static func quotaExceeded(_ quotaText: String, group: String) -> String {
        "Quy tắc 1: \(quotaText) — vượt mức; cần giảm số \(group) xếp loại \(level(.excellent)) hoặc điều chỉnh kết quả."
    }

    static func quotaWarning(_ quotaText: String, within: Bool) -> String {
        quotaText + (within ? "." : " — vượt mức tối đa, phải điều chỉnh trước khi hoàn thành.")
    }

    // MARK: Rule 7: lower levels first

    static func orderChildren(who: String, undecided: [String]) -> String {
        "Quy tắc 7: \(who) được quyết định xếp loại trước các tổ chức trực thuộc chưa được quyết định: \(list(undecided))."
    }

    static func orderMembers(who: String, unreviewed: [String]) -> String {
        "Quy tắc 7: \(who) được quyết định xếp loại khi chi bộ chưa đánh giá, đề xuất xếp loại các đảng viên: \(list(unreviewed))."
    }

    static func orderCollective(who: String, cell: String) -> String {
        "Quy tắc 7: \(who) được quyết định xếp loại trước khi \(cell) (tập thể) được quyết định xếp loại."
    }

    static func list(_ ids: [String]) -> String {
        ids.prefix(5).joined(separator: ", ") + (ids.count > 5 ? " và \(ids.count - 5) khác" : "")
    }

    // MARK: Names

    /// A member as findings name them: "đảng viên Nguyễn Văn An (m1)".
    static func member(name: String, id: String) -> String { "đảng viên \(name) (\(id))" }
}

// MARK: - Issue 25, item 10: a flagged unit decided before its directed review

extension Findings {
    /// A flagged unit decided while the review its upper committee directs is not held.
    public static func directedReviewOpen(unit: String, owner: String, reasons: [FlagReason], due: Date, zone: TimeZone) -> String {
        "Chưa thể quyết định xếp loại \(unit): \(owner) đang chỉ đạo kiểm điểm ngay (\(reasons.map(\.vietnamese).joined(separator: "; "))), "
            + "hạn \(Instant.vietnameseDeadline(due, timeZone: zone)), chưa tổ chức kiểm điểm. Cấp ủy cấp trên chỉ đạo, dự và có thể thẩm định, "
            + "kiểm tra, xếp loại lại: quyết định xếp loại sau khi kiểm điểm theo chỉ đạo."
    }

    /// The same, accepted under `directed_review.rating: warn`.
    public static func directedReviewOpenWarning(unit: String, owner: String, due: Date, zone: TimeZone) -> String {
        "Lưu ý: đã ghi nhận quyết định xếp loại \(unit) trước khi tổ chức kiểm điểm theo chỉ đạo của \(owner) "
            + "(hạn \(Instant.vietnameseDeadline(due, timeZone: zone))); kết quả kiểm điểm có thể dẫn đến xếp loại lại."
    }
}
