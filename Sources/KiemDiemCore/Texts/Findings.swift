import Foundation

/// The rating rules' findings, in Vietnamese: what a committee reads when a rating is refused,
/// in conflict, or near its quota. `who` and `unit` are names as RatingTree.name gives them
/// ("đảng viên Nguyễn Văn An", "Chi bộ Văn phòng"): the ids stay in the finding's `subjects`.
/// A refusal says what cannot be done and why ("Chưa thể quyết định xếp loại X vì …") and cites
/// the regulation of the campaign's rule set, never the project's own rule numbers.
public enum Findings {
    static func level(_ l: RatingLevel) -> String { "\"\(l.vietnamese)\"" }

    /// The regulation a finding rests on, as the campaign's rule set has it (nil: a rule set not
    /// given; the wording stays general). Only the articles and points the sources read confirm
    /// are cited (Quy định 366-QĐ/TW, Điều 11; Hướng dẫn 21-HD/BTCTW, 2.3 a): docs/rules.md.
    public enum Basis { case level, head, order, quota, commendation }

    static func cite(_ basis: Basis, _ rules: Ruleset?) -> String {
        switch (rules, basis) {
        case (nil, _): "theo quy định về kiểm điểm, đánh giá, xếp loại chất lượng"
        case (.hd21?, .quota): "theo Hướng dẫn 21-HD/BTCTW, điểm 2.3 a"
        case (.hd21?, _): "theo Quy định 132-QĐ/TW và Hướng dẫn 21-HD/BTCTW"
        case (.qd124?, _): "theo Quy định 124-QĐ/TW"
        case (.qd366?, .level): "theo Quy định 366-QĐ/TW, Điều 11"
        case (.qd366?, .order), (.qd366?, .head): "theo Quy định 366-QĐ/TW và Hướng dẫn 43-HD/BTCTW"
        case (.qd366?, _): "theo Quy định 366-QĐ/TW"
        }
    }

    // MARK: The head: decided after the unit, never above it

    static func headBeforeUnit(who: String, unit: String, rules: Ruleset? = nil) -> String {
        "Chưa thể quyết định xếp loại \(who), \(OrgUnit.secretaryTitle(of: unit)), vì \(unit) chưa được quyết định xếp loại; người đứng đầu được quyết định xếp loại sau tập thể (\(cite(.head, rules)))."
    }

    static func headAboveUnit(who: String, unit: String, level l: RatingLevel, unitLevel: RatingLevel, rules: Ruleset? = nil) -> String {
        "Không thể xếp loại \(who), \(OrgUnit.secretaryTitle(of: unit)), mức \(level(l)) cao hơn mức xếp loại của tập thể \(unit) (\(level(unitLevel))); người đứng đầu không được xếp loại cao hơn tập thể (\(cite(.head, rules)))."
    }

    // MARK: An excellent organization

    /// The parts counted: a cell's members, or a committee's subordinate organizations.
    static func parts(members: Bool) -> String { members ? "đảng viên" : "tổ chức trực thuộc" }

    static func excellentUnit(who: String, status: RatingStatus, parts what: String, atLeastCompleted: Int, atLeastGood: Int, total: Int, unrated: Int,
                              rules: Ruleset? = nil) -> String {
        "Chưa thể \(status.vietnamese) xếp loại \(who) \(level(.excellent)) vì chưa đủ 100% \(what) từ \(level(.completed)) trở lên và ít nhất 80% từ \(level(.good)) trở lên; hiện có \(atLeastCompleted)/\(total) và \(atLeastGood)/\(total)"
            + (unrated > 0 ? ", \(unrated) chưa được đánh giá" : "") + " (\(cite(.level, rules)))."
    }

    // MARK: Rule sets' additions

    static func disciplinedUnits(who: String, disciplined: Int, of total: Int) -> String {
        "\(who) có \(disciplined)/\(total) đơn vị trực thuộc bị kỷ luật trong năm (trên 20%), chỉ được xếp loại \(level(.failed)) (\(cite(.level, .qd124)))."
    }

    /// `disciplined`: the names of the subordinate units and leaders disciplined.
    static func excellentDiscipline(who: String, disciplined: [String]) -> String {
        "Chưa thể xếp loại \(who) \(level(.excellent)) vì có đơn vị trực thuộc, thành viên tập thể lãnh đạo bị kỷ luật: \(list(disciplined)) (\(cite(.level, .qd366)))."
    }

    // MARK: Discipline, conclusions, commendation

    static func disciplined(who: String, year: Int, level l: RatingLevel, rules: Ruleset? = nil) -> String {
        "Không thể xếp loại \(who) \(level(l)): bị kỷ luật trong năm \(year), chỉ được xếp loại \(level(.failed)) (\(cite(.level, rules)))."
    }

    static func conclusion(who: String, reasons: [FlagReason], rules: Ruleset? = nil) -> String {
        "Chỉ được xếp loại \(who) \(level(.failed)) vì có kết luận của cấp có thẩm quyền về \(reasons.map(\.vietnamese).joined(separator: ", ")) (\(cite(.level, rules)))."
    }

    static func commendation(who: String, level l: RatingLevel, rules: Ruleset? = nil) -> String {
        "Chưa thể đề nghị khen thưởng \(who) vì xếp loại \(level(l)); chỉ khen thưởng tổ chức, đảng viên xếp loại \(level(.excellent)) (\(cite(.commendation, rules)))."
    }

    // MARK: Quy định 366-QĐ/TW, Điều 11: the 100-point scale

    static func score(who: String, score: Double, level l: RatingLevel) -> String {
        "Không thể xếp loại \(who) \(level(l)): đạt \(number(score)) điểm, chỉ tương ứng tối đa mức \(level(Score.band(score))) (\(cite(.level, .qd366)))."
    }

    static func conditions(who: String, level l: RatingLevel, unmet: String) -> String {
        "Chưa thể xếp loại \(who) \(level(l)) vì chưa đạt điều kiện: \(unmet) (\(cite(.level, .qd366)))."
    }

    static func earlierShortcomings(who: String, open: Int) -> String {
        "Chưa thể xếp loại \(who) \(level(.excellent)) vì còn \(open) hạn chế, khuyết điểm từ các năm trước chưa khắc phục xong; phải khắc phục 100% (\(cite(.level, .qd366)))."
    }

    /// The task condition of a level not met (Điều 11), with the figures given.
    static func unmetExcellent(onTime: Double, beyond: Double) -> String {
        "100% nhiệm vụ hoàn thành đúng hạn, bảo đảm chất lượng (có \(number(onTime))%) và ít nhất 30% vượt mức yêu cầu (có \(number(beyond))%)"
    }

    static func unmetGood(onTime: Double) -> String { "100% nhiệm vụ hoàn thành đúng hạn, bảo đảm chất lượng (có \(number(onTime))%)" }

    static func unmetCompleted(onTime: Double) -> String { "hoàn thành 100% nhiệm vụ, không quá 20% chậm tiến độ (đúng hạn \(number(onTime))%)" }

    /// A figure as entered, never rounded (a 69.99 shown as "70" would say the band was reached):
    /// Swift's shortest round-trip form with a decimal comma. 92 → "92", 92.5 → "92,5", 69.99 → "69,99".
    public static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return v.description.replacingOccurrences(of: ".", with: ",")
    }

    // MARK: The quota

    /// The groups a quota counts.
    static let quotaGroupLeaders = "cấp ủy viên"
    static let quotaGroupMembers = "đảng viên"
    static let quotaGroupOrganizations = "tổ chức cơ sở đảng"

    /// "Đảng bộ Sở Tài chính: đã có 3/40 đảng viên được quyết định xếp loại …, tối đa 2 (20% của 12 …)"
    static func quota(scope: String, excellent: Int, decided: Int, total: Int, group: String, quota q: Quota?, cap: Int, good: Int) -> String {
        let head = "\(scope): đã có \(excellent)/\(decided) \(group) được quyết định xếp loại \(level(.excellent))"
        guard let q else { return head + " (kế hoạch không đặt hạn mức)" }
        let denominator = q.denominator == .good ? good : good + excellent
        let base = q.denominator == .good ? "xếp loại \(level(.good))" : "từ \(level(.good)) trở lên"
        return head + ", tối đa \(cap) (\(percent(q.share)) của \(denominator) \(group) \(base))"
            + (decided < total ? "; còn \(total - decided)/\(total) chưa được quyết định" : "")
    }

    /// A plan's share as people write it: 0.2 → "20%", 0.125 → "12,5%".
    public static func percent(_ share: Double) -> String { number((share * 1000).rounded() / 10) + "%" }

    static func quotaExceeded(_ quotaText: String, group: String, rules: Ruleset? = nil) -> String {
        "\(quotaText) — vượt hạn mức; cần giảm số \(group) xếp loại \(level(.excellent)) hoặc điều chỉnh kết quả (\(cite(.quota, rules)))."
    }

    static func quotaWarning(_ quotaText: String, within: Bool) -> String {
        quotaText + (within ? "." : " — vượt mức tối đa, phải điều chỉnh trước khi hoàn thành.")
    }

    // MARK: Order: lower levels first

    static func orderChildren(who: String, undecided: [String], rules: Ruleset? = nil) -> String {
        "Chưa thể quyết định xếp loại \(who) vì các tổ chức trực thuộc chưa được quyết định xếp loại: \(list(undecided)); cấp dưới được xếp loại trước cấp trên (\(cite(.order, rules)))."
    }

    static func orderMembers(who: String, unreviewed: [String], rules: Ruleset? = nil) -> String {
        "Chưa thể quyết định xếp loại \(who) vì chi bộ chưa đánh giá, đề xuất xếp loại các đảng viên: \(list(unreviewed)) (\(cite(.order, rules)))."
    }

    static func orderCollective(who: String, cell: String, rules: Ruleset? = nil) -> String {
        "Chưa thể quyết định xếp loại \(who) vì \(cell) (tập thể) chưa được quyết định xếp loại; tập thể được xếp loại trước đảng viên (\(cite(.order, rules)))."
    }

    static func list(_ names: [String]) -> String {
        names.prefix(5).joined(separator: ", ") + (names.count > 5 ? " và \(names.count - 5) khác" : "")
    }

    // MARK: Names

    /// A member as findings name them: "đảng viên Nguyễn Văn An" (the id is the finding's subject).
    static func member(name: String, id: String) -> String { "đảng viên \(name)" }

    /// A unit as findings name it: its name (the id is the finding's subject).
    static func unit(name: String, id: String) -> String { name }
}

// MARK: - Rules of issue 25: the reachable quota, a grassroots cell's own review, exempt members, repairs

extension Findings {
    /// The quota while some are undecided: the most the organization can still reach.
    static func quotaReachable(cap: Int, open: Int, group: String) -> String {
        "; nếu \(open) \(group) chưa được quyết định đều xếp loại \(level(.good)) thì tối đa \(cap)"
    }

    static func orderCollectiveSelf(who: String, cell: String, rules: Ruleset? = nil) -> String {
        "Chưa thể quyết định xếp loại \(who) vì \(cell) chưa tự đánh giá, xếp loại tập thể; tập thể được xếp loại trước đảng viên (\(cite(.order, rules)))."
    }

    /// Quy định 24-QĐ/TW, Điều 7 ("được miễn đánh giá chất lượng đảng viên trong thời gian được
    /// miễn công tác và sinh hoạt đảng"); Quy định 124-QĐ/TW, Điều 5, khoản 2.
    static func exemptRated(who: String, reason: String) -> String {
        "Không đánh giá, xếp loại chất lượng \(who) trong năm (\(reason)); không ghi nhận mức xếp loại (theo Quy định 24-QĐ/TW, Điều 7)."
    }

    /// "Cần hủy và quyết định lại: …" — each rating to annul, with the level a fact forces.
    static func repairSteps(_ steps: [(who: String, status: RatingStatus, level: RatingLevel, forcedTo: RatingLevel?)]) -> String {
        "Cần hủy và xem xét, quyết định lại: " + steps.map { s in
            "\(s.who) (\(s.status.vietnamese) \(level(s.level))" + (s.forcedTo.map { " → \(level($0))" } ?? "") + ")"
        }.joined(separator: "; ") + "."
    }
}

extension Findings {
    /// A stage refused for ratings not recorded: "Chưa thể ghi nhận hoàn thành … vì chưa …".
    public static func stageMissing(stage: String, unit: String, missing m: StageMissing) -> String {
        let what: String
        switch (m.kind, m.status) {
        case (.own, _): what = "\(unit) chưa tự đánh giá, xếp loại tập thể"
        case (.units, .proposed): what = "còn \(m.count) tổ chức trực thuộc chưa tự đánh giá, xếp loại"
        case (.units, .decided): what = "còn \(m.count) tổ chức trực thuộc chưa được quyết định xếp loại"
        case (.members, .proposed): what = "còn \(m.count) đảng viên chưa được chi bộ đánh giá, đề xuất xếp loại"
        case (.members, .decided): what = "còn \(m.count) đảng viên chưa được quyết định xếp loại"
        }
        let names = m.kind == .own ? "" : ": " + m.subjects.joined(separator: ", ") + (m.count > m.subjects.count ? " và \(m.count - m.subjects.count) khác" : "")
        return "Chưa thể ghi nhận \(unit) hoàn thành \"\(stage)\" vì \(what)\(names)."
    }
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

// MARK: - Issue 25, item 5: the commendation as an act of its own

extension Findings {
    /// `rate commend` on a subject whose decided rating is not `excellent` (rule 6): the same
    /// words as the rating rule's own finding.
    public static func commendNotExcellent(who: String, level l: RatingLevel, rules: Ruleset?) -> String {
        commendation(who: who, level: l, rules: rules)
    }

    /// `rate commend` on a subject with no decided rating yet.
    public static func commendUndecided(who: String, rules: Ruleset?) -> String {
        "Chưa thể đề nghị khen thưởng \(who) vì chưa có quyết định xếp loại của cấp có thẩm quyền; chỉ khen thưởng tổ chức, đảng viên được quyết định xếp loại \(level(.excellent)) (\(cite(.commendation, rules)))."
    }
}
