import Foundation

/// Vietnamese text for people, using the terms of DOMAIN.md.
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
    public static func escalation(stage: Stage, unitName: String, targetName: String, level: Int, due: Date, late: Int64, plan: Plan) -> String {
        let when = late < 60 ? "hạn \(Instant.vietnameseDeadline(due, timeZone: plan.zone)) đã qua"
            : "hạn \(Instant.vietnameseDeadline(due, timeZone: plan.zone)), đã quá \(DurationText.vietnamese(late))"
        if level == 0 {
            return "Quá hạn: \(unitName) chưa hoàn thành \"\(stage.title)\" (\(when)). Đề nghị khẩn trương hoàn thành và báo cáo."
        }
        return "Báo cáo cấp trên (cấp \(level)): \(unitName) chưa hoàn thành \"\(stage.title)\" (\(when)). Đề nghị \(targetName) chỉ đạo, đôn đốc hoàn thành và báo cáo kết quả."
    }

    public static func escalationAcknowledged(stageTitle: String, unitName: String, by: String) -> String {
        "Cấp ủy cấp trên đã tiếp nhận việc \(unitName) chậm \"\(stageTitle)\" (xác nhận bởi \(by))."
    }
}
