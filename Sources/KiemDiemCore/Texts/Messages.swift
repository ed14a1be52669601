import Foundation

/// Vietnamese text for people: what events say, and so what letters and subscribers show. Every
/// text a committee member reads is in this folder (Texts/), in the terms of docs/rules.md.
public enum Messages {
    public static func stageOpened(stage: Stage, plan: Plan) -> String {
        "Bắt đầu giai đoạn \"\(stage.title)\" của kế hoạch \"\(plan.title)\"; hạn hoàn thành \(Instant.vietnameseDeadline(stage.due, timeZone: plan.zone))."
            + (stage.isStudy ? " Các văn bản cần quán triệt: \(plan.documents.joined(separator: "; "))." : "")
    }

    /// A reminder to a unit, or to a cell naming its members who have not finished.
    public static func reminder(stage: Stage, unitName: String, due: Date, lead: Int64, lateMembers: [String], plan: Plan) -> String {
        var s = "Nhắc việc: \(unitName) chưa hoàn thành \"\(stage.title)\"; hạn \(Instant.vietnameseDeadline(due, timeZone: plan.zone)), còn \(DurationText.vietnamese(lead))."
        if stage.isStudy { s += " Văn bản: \(plan.documents.joined(separator: "; "))." }
        if !lateMembers.isEmpty { s += " " + memberList(lateMembers, verb: "Đảng viên chưa hoàn thành") }
        return s
    }

    public static func overdue(stage: Stage, unitName: String, due: Date, lateMembers: [String], plan: Plan) -> String {
        var s = "Quá hạn: \(unitName) chưa hoàn thành \"\(stage.title)\", hạn \(Instant.vietnameseDeadline(due, timeZone: plan.zone)) đã qua."
        if !lateMembers.isEmpty { s += " " + memberList(lateMembers, verb: "Đảng viên chưa hoàn thành") }
        return s
    }

    public static func completed(stage: Stage, unitName: String, memberName: String?) -> String {
        if let memberName { return "Đảng viên \(memberName) (\(unitName)) đã hoàn thành \"\(stage.title)\"." }
        return "\(unitName) đã hoàn thành \"\(stage.title)\"."
    }

    public static func extended(stage: Stage, unitName: String, until: Date, reason: String, plan: Plan) -> String {
        "Gia hạn \"\(stage.title)\" cho \(unitName) đến \(Instant.vietnameseDeadline(until, timeZone: plan.zone)). Lý do: \(reason)."
    }

    public static func campaignCompleted(plan: Plan) -> String {
        "Toàn bộ các giai đoạn của kế hoạch \"\(plan.title)\" đã hoàn thành."
    }

    static func memberList(_ names: [String], verb: String) -> String {
        let shown = names.prefix(50).joined(separator: ", ")
        return names.count > 50 ? "\(verb) (\(names.count)): \(shown) và \(names.count - 50) đồng chí khác." : "\(verb) (\(names.count)): \(shown)."
    }
}

extension Messages {
    /// Escalation step `level` (0: the unit itself; 1…: the committee above) for an overdue unit.
    /// `targetName` is the committee that receives it, as a committee is named (OrgUnit.committeeName).
    public static func escalation(stage: Stage, unitName: String, targetName: String, level: Int, due: Date, late: Int64, plan: Plan) -> String {
        let when = lateness(due: due, late: late, zone: plan.zone)
        if level == 0 {
            return "Quá hạn: \(unitName) chưa hoàn thành \"\(stage.title)\" (\(when)). Đề nghị khẩn trương hoàn thành và báo cáo."
        }
        return "Báo cáo chậm tiến độ: \(unitName) chưa hoàn thành \"\(stage.title)\" (\(when)). Đề nghị \(targetName) chỉ đạo, đôn đốc hoàn thành và báo cáo kết quả."
    }

    /// The deadline and how late, for people: "hạn trước ngày 25/11/2022, đã quá 3 ngày"; at the
    /// deadline itself (under a minute late) "hạn trước ngày 25/11/2022 đã qua", never "đã quá 1 phút".
    public static func lateness(due: Date, late: Int64, zone: TimeZone) -> String {
        let deadline = Instant.vietnameseDeadline(due, timeZone: zone)
        return late < 60 ? "hạn \(deadline) đã qua" : "hạn \(deadline), đã quá \(DurationText.vietnamese(late))"
    }

    /// The letters' "lateText" ("đã quá hạn <lateText>"); nil at the deadline itself.
    public static func lateText(_ late: Int64) -> String? { late < 60 ? nil : DurationText.vietnamese(late) }

    /// The unit an escalation was about has completed: told to the committees it went to.
    public static func escalationResolved(stageTitle: String, unitName: String, due: Date, zone: TimeZone) -> String {
        "\(unitName) đã hoàn thành \"\(stageTitle)\" (hạn \(Instant.vietnameseDeadline(due, timeZone: zone))); việc báo cáo chậm tiến độ về nội dung này kết thúc."
    }

    /// A silence: reminders and escalations held for a subtree (and one stage) until a time.
    public static func silenceAdded(unitName: String, stageTitle: String?, until: Date, reason: String, zone: TimeZone) -> String {
        "Tạm dừng nhắc việc và báo cáo chậm tiến độ đối với \(unitName)\(stageTitle.map { " (nội dung \"\($0)\")" } ?? "") đến \(Instant.vietnameseDate(until, timeZone: zone)): \(reason). Việc đến hạn trong thời gian này sẽ được gửi một lần khi hết thời hạn, nếu vẫn chưa hoàn thành."
    }

    public static func silenceExpired(unitName: String, stageTitle: String?, released: Int) -> String {
        "Hết thời hạn tạm dừng nhắc việc đối với \(unitName)\(stageTitle.map { " (nội dung \"\($0)\")" } ?? ""); \(released) thông báo còn hiệu lực được gửi."
    }

    /// `committee`: the committee the escalation went to, as committees are named (nil: not in the tree).
    public static func escalationAcknowledged(stageTitle: String, unitName: String, committee: String?) -> String {
        "\(committee ?? "Cấp ủy cấp trên") đã tiếp nhận báo cáo chậm tiến độ: \(unitName) chưa hoàn thành \"\(stageTitle)\"."
    }
}

// MARK: - Directed reviews, remediation, flags, suggestions, annulments

extension Messages {
    /// What a unit's own task asks of it, for "… chưa <what>".
    public static func taskWork(reviewReasons reasons: [FlagReason]) -> String {
        "kiểm điểm theo chỉ đạo (\(reasons.map(\.vietnamese).joined(separator: "; ")))"
    }

    public static func taskWork(remediation text: String) -> String { "khắc phục khuyết điểm: \(text)" }

    /// The stage-like title of a unit's own task.
    public static func taskTitle(_ kind: TaskDeadline.Kind) -> String {
        switch kind {
        case .directedReview: "Kiểm điểm theo chỉ đạo của cấp ủy cấp trên"
        case .remediation: "Sửa chữa, khắc phục khuyết điểm"
        }
    }

    public static func directedReviewHeld(unitName: String) -> String {
        "\(unitName) đã kiểm điểm theo chỉ đạo của cấp ủy cấp trên."
    }

    public static func taskOverdue(unitName: String, work: String, due: Date, owner: String, zone: TimeZone) -> String {
        "Quá hạn: \(unitName) chưa \(work); hạn \(Instant.vietnameseDeadline(due, timeZone: zone)) đã qua. \(owner) theo dõi, đôn đốc."
    }

    public static func taskEscalation(unitName: String, work: String, level: Int, due: Date, late: Int64, target: String, zone: TimeZone) -> String {
        "Báo cáo chậm tiến độ: \(unitName) chưa \(work) (\(lateness(due: due, late: late, zone: zone))). Đề nghị \(target) chỉ đạo, đôn đốc."
    }

    public static func unitFlagged(unitName: String, reasons: [FlagReason], confirmed: Bool, note: String) -> String {
        "\(unitName) có biểu hiện: \(reasons.map(\.vietnamese).joined(separator: "; ")). \(confirmed ? "Đã có kết luận của cấp có thẩm quyền. " : "")Ghi chú: \(note)."
    }

    /// `committee` is the flagged unit's upper committee, when it has one.
    public static func reviewDirected(committee: String?, unitName: String, reasons: [FlagReason], due: Date, zone: TimeZone) -> String {
        "\(committee ?? "Cấp ủy cấp trên") chỉ đạo \(unitName) kiểm điểm ngay (\(reasons.map(\.vietnamese).joined(separator: "; "))); hạn \(Instant.vietnameseDeadline(due, timeZone: zone))."
    }

    /// The title of a suggestion letter, in place of a stage's.
    public static let suggestionTitle = "Gợi ý kiểm điểm"

    public static func reviewSuggested(author: String, committee: String, flagged: Bool, text: String) -> String {
        "\(author) gửi gợi ý kiểm điểm\(flagged ? " (đơn vị có dấu hiệu cần kiểm điểm ngay)" : "") đối với \(committee): \(text.prefix(500))\(text.count > 500 ? "…" : "")"
    }

    /// Who a rating is about: "đảng viên <name>", or the unit's name.
    public static func ratedSubject(member name: String) -> String { "đảng viên \(name)" }

    public static func ratingAnnulled(status: RatingStatus, level: RatingLevel, who: String, commendation: Bool, reason: String) -> String {
        "Cấp ủy cấp trên hủy kết quả \(status.vietnamese) xếp loại \"\(level.vietnamese)\" của \(who)"
            + (commendation ? ", kèm đề nghị khen thưởng" : "") + ". Lý do: \(reason)."
    }

    /// The reason recorded for a rating annulled because one it depended on was.
    public static func annulledWith(reason: String, subject: String) -> String { "\(reason) (hủy theo kết quả xếp loại của \(subject))" }

    /// A commendation that goes with an annulled rating.
    public static func commendationAnnulledToo(subject: String) -> String {
        "đề nghị khen thưởng kèm theo mức xếp loại này của \(subject) sẽ bị hủy cùng"
    }
}

// MARK: - Issue 25, item 5: the commendation as an act of its own

extension Messages {
    /// `rating.commended`: a commendation proposal set on a decided `excellent`, or withdrawn.
    public static func ratingCommended(who: String, withdrawn: Bool, note: String) -> String {
        (withdrawn ? "Rút đề nghị khen thưởng \(who)" : "Đề nghị khen thưởng \(who), được quyết định xếp loại \"\(RatingLevel.excellent.vietnamese)\"")
            + ". Ghi chú: \(note)."
    }
}

// MARK: - Issue 25, item 7: extensions that move what depends on them

extension Messages {
    /// An extension that moved dependent deadlines (`extend --cascade`): the extension's own
    /// message, then what moved with it.
    public static func extended(stage: Stage, unitName: String, until: Date, reason: String, plan: Plan, moved: [(stageTitle: String, unitName: String)]) -> String {
        extended(stage: stage, unitName: unitName, until: until, reason: reason, plan: plan)
            + (moved.isEmpty ? "" : " Lùi hạn theo: " + moved.map { "\"\($0.stageTitle)\" của \($0.unitName)" }.joined(separator: "; ") + ".")
    }

    /// A dependent deadline moved by an extension it comes after.
    public static func movedByExtension(stage: Stage, unitName: String, until: Date, cause: Stage, causeUnit: String, reason: String, plan: Plan) -> String {
        "Lùi hạn \"\(stage.title)\" của \(unitName) đến \(Instant.vietnameseDeadline(until, timeZone: plan.zone)), theo gia hạn \"\(cause.title)\" cho \(causeUnit) (nội dung này thực hiện sau). Lý do: \(reason)."
    }
}
