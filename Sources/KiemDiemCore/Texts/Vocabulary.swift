import Foundation

// The domain's words in Vietnamese, as the regulations and committees use them: levels, reasons,
// the kinds of organization, the committee that acts, dates and durations.

extension RatingLevel {
    /// The level as the regulations name it.
    public var vietnamese: String {
        switch self {
        case .excellent: "Hoàn thành xuất sắc nhiệm vụ"
        case .good: "Hoàn thành tốt nhiệm vụ"
        case .completed: "Hoàn thành nhiệm vụ"
        case .failed: "Không hoàn thành nhiệm vụ"
        }
    }
}

extension FlagReason {
    /// The reason as a conclusion names it.
    public var vietnamese: String {
        switch self {
        case .disunity: "mất đoàn kết"
        case .violation: "vi phạm nguyên tắc, quy định của Đảng, pháp luật của Nhà nước"
        case .groupInterest: "lợi ích nhóm"
        case .corruption: "tham nhũng"
        case .negativity: "tiêu cực"
        case .publicOutrage: "dư luận bức xúc"
        case .degradation: "suy thoái"
        case .selfEvolution: "tự diễn biến"
        case .selfTransformation: "tự chuyển hóa"
        }
    }
}

extension RatingStatus {
    public var vietnamese: String { self == .proposed ? "đề xuất" : "quyết định" }
}

extension UnitKind {
    /// Vietnamese name of the level, for people.
    public var vietnamese: String {
        switch self {
        case .bloc: "Đảng ủy Khối"
        case .grassrootsCommittee: "Đảng bộ cơ sở"
        case .grassrootsCell: "Chi bộ cơ sở"
        case .subCommittee: "Đảng bộ bộ phận"
        case .cell: "Chi bộ"
        }
    }
}

extension OrgUnit {
    /// The committee that acts for this organization, for people: a party committee is led by
    /// its "Đảng ủy" (the bloc's by its standing committee), a cell acts through its meeting.
    /// Names follow the tree file ("Đảng bộ Sở Tài chính" → "Đảng ủy Sở Tài chính").
    public var committeeName: String {
        var base = name
        if base.hasPrefix("Đảng bộ ") { base = "Đảng ủy " + base.dropFirst("Đảng bộ ".count) }
        switch kind {
        case .bloc: return base.hasPrefix("Đảng ủy") ? "Ban Thường vụ \(base)" : "Ban Thường vụ Đảng ủy \(base)"
        case .grassrootsCommittee, .subCommittee: return base.hasPrefix("Đảng ủy") ? base : "Đảng ủy \(base)"
        case .cell, .grassrootsCell: return name
        }
    }
}

extension DurationText {
    /// "3 ngày 4 giờ" — how late something is, for people.
    public static func vietnamese(_ seconds: Int64) -> String {
        let d = seconds / 86_400, h = (seconds % 86_400) / 3600, m = (seconds % 3600) / 60
        var parts: [String] = []
        if d > 0 { parts.append("\(d) ngày") }
        if h > 0 { parts.append("\(h) giờ") }
        if m > 0, d == 0 { parts.append("\(m) phút") }
        return parts.isEmpty ? "\(seconds) giây" : parts.joined(separator: " ")
    }
}

extension Instant {
    /// `25/11/2022` — the date as Vietnamese readers write it.
    public static func vietnameseDate(_ date: Date, timeZone: TimeZone) -> String {
        let local = Int64(date.timeIntervalSince1970.rounded(.down)) + Int64(timeZone.secondsFromGMT(for: date))
        let (y, m, d) = civilFromDays(Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400))
        return "\(pad(d))/\(pad(m))/\(y)"
    }

    /// A deadline "before day D" is 00:00 of D; people read it as "hạn chót hết ngày D-1", but we say
    /// "trước ngày D" as the plans do, so show the date of the deadline instant itself.
    public static func vietnameseDeadline(_ date: Date, timeZone: TimeZone) -> String {
        let local = Int64(date.timeIntervalSince1970.rounded(.down)) + Int64(timeZone.secondsFromGMT(for: date))
        let sod = ((local % 86_400) + 86_400) % 86_400
        if sod == 0 { return "trước ngày \(vietnameseDate(date, timeZone: timeZone))" }
        return "trước \(pad(Int(sod / 3600))):\(pad(Int(sod % 3600 / 60))) ngày \(vietnameseDate(date, timeZone: timeZone))"
    }
}
