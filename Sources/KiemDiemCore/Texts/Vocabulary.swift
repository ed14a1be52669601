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
        case .bloc: "Đảng bộ Khối"
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
    public var committeeName: String { OrgUnit.committeeName(name: name, kind: kind) }

    /// The committee that acts for an organization of this name and kind (see `committeeName`).
    public static func committeeName(name: String, kind: UnitKind) -> String {
        switch kind {
        case .bloc: "Ban Thường vụ " + committee(of: name)
        case .grassrootsCommittee, .subCommittee: committee(of: name)
        case .cell, .grassrootsCell: name
        }
    }

    /// The secretary's title, for people: "Bí thư Đảng ủy Sở Tài chính", "Bí thư Chi bộ Văn phòng".
    public var secretaryTitle: String { OrgUnit.secretaryTitle(of: name) }

    /// "Đảng bộ X" → "Đảng ủy X"; a name that already says "Đảng ủy" stays; any other gets "Đảng ủy " before it.
    static func committee(of name: String) -> String {
        if name.hasPrefix("Đảng bộ ") { return "Đảng ủy " + name.dropFirst("Đảng bộ ".count) }
        return name.hasPrefix("Đảng ủy") ? name : "Đảng ủy \(name)"
    }

    /// The secretary of an organization named `name`: of its committee ("Đảng bộ X" → "Bí thư
    /// Đảng ủy X"), or of a cell ("Bí thư Chi bộ X").
    public static func secretaryTitle(of name: String) -> String {
        name.hasPrefix("Đảng bộ ") || name.hasPrefix("Đảng ủy") ? "Bí thư \(committee(of: name))" : "Bí thư \(name)"
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
