import Foundation
import KiemDiemWire
import Mustache

/// The Vietnamese messages. The defaults are inside the binary (`Templates/*.mustache`,
/// embedded at build time; `config/templates` links there); a directory overrides any of them
/// with a file of the same name. The first line a template renders is the subject; the rest is
/// the body.
public struct NotificationTemplates: Sendable {
    let library: MustacheLibrary
    public static let names = ["reminder", "overdue", "escalation", "suggestion", "resolved", "digest"]
    /// Which templates came from the directory (the others are the built-in ones).
    public let overridden: [String]

    static let builtIn: [String: [UInt8]] = [
        "reminder": PackageResources.reminder_mustache, "overdue": PackageResources.overdue_mustache,
        "escalation": PackageResources.escalation_mustache, "suggestion": PackageResources.suggestion_mustache,
        "resolved": PackageResources.resolved_mustache, "digest": PackageResources.digest_mustache,
    ]

    /// The built-in templates, with those of `directory` (when it exists) in their place.
    public init(directory: String? = nil) throws {
        var lib = MustacheLibrary()
        var overridden: [String] = []
        for name in NotificationTemplates.names {
            var text = String(decoding: NotificationTemplates.builtIn[name] ?? [], as: UTF8.self)
            var origin = "built-in \(name).mustache"
            if let directory {
                let path = (directory as NSString).appendingPathComponent("\(name).mustache")
                if let data = FileManager.default.contents(atPath: path) {
                    text = String(decoding: data, as: UTF8.self)
                    origin = path
                    overridden.append(name)
                }
            }
            do { try lib.register(text, named: name) } catch {
                throw DeliveryError(retryable: false, "template \(origin): \(error)")
            }
        }
        library = lib
        self.overridden = overridden
    }

    /// Subject and body for one notification.
    public func render(_ p: JobPayload) throws -> (subject: String, body: String) {
        var ctx: [String: Any] = [
            "campaign": p.campaign, "campaignTitle": p.campaignTitle, "stage": p.stage, "stageTitle": p.stageTitle,
            "unit": p.unit, "unitName": p.unitName, "unitPath": p.unitPath, "recipient": p.recipient,
            "recipientName": p.recipientName, "due": p.due, "dueText": p.dueText, "time": p.time,
            "isSelf": p.recipient == p.unit, "hasLateMembers": !(p.lateMembers ?? []).isEmpty, "toMember": p.member != nil,
            "lateMembers": p.lateMembers ?? [], "lateMemberCount": (p.lateMembers ?? []).count,
        ]
        if let v = p.leadText { ctx["leadText"] = v }
        if let v = p.lateText { ctx["lateText"] = v }
        if let v = p.level { ctx["level"] = v }
        if let v = p.escalation { ctx["escalation"] = String(v) }
        if let v = p.link { ctx["link"] = v }
        if let v = p.text { ctx["text"] = v }
        if let v = p.authorName { ctx["authorName"] = v }
        if p.kind == .digest, let items = p.items { NotificationTemplates.digest(items, into: &ctx) }
        guard let text = library.render(ctx, withTemplate: p.kind.rawValue) else {
            throw DeliveryError(retryable: false, "no template for \(p.kind.rawValue)")
        }
        let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        let subject = lines.first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        let body = lines.count > 1 ? String(lines[1]).trimmingCharacters(in: .newlines) + "\n" : ""
        return (subject, body)
    }
}

extension NotificationTemplates {
    /// A digest's items, grouped by stage in the order they came, each with a line that says
    /// what it is (a reminder, an overdue notice, an escalation step) in the letters' words.
    static func digest(_ items: [JobPayload], into ctx: inout [String: Any]) {
        var order: [String] = []
        var byStage: [String: [JobPayload]] = [:]
        for i in items {
            if byStage[i.stage] == nil { order.append(i.stage) }
            byStage[i.stage, default: []].append(i)
        }
        ctx["count"] = items.count
        ctx["stages"] = order.map { stage -> [String: Any] in
            let list = byStage[stage]!
            return ["stageTitle": list[0].stageTitle, "dueText": list[0].dueText, "items": list.map { i -> [String: Any] in
                // No lateText: the letter went out at the deadline itself ("đã hết hạn", not "quá 1 phút").
                let what: String = switch i.kind {
                case .reminder: "chưa hoàn thành, còn \(i.leadText ?? "ít ngày")"
                case .escalation where i.recipient == i.unit: (i.lateText.map { "quá hạn \($0)" } ?? "đã hết hạn") + ", chưa hoàn thành"
                case .escalation: (i.lateText.map { "chậm \($0)" } ?? "đã hết hạn, chưa hoàn thành") + "; báo cáo chậm tiến độ lần \((i.level ?? 0) + 1)"
                default: "đã quá hạn, chưa hoàn thành"
                }
                // Both keys set on every item: a stage for units has no members to count, and a
                // missing key would be looked up in the letter's own context instead.
                let n = i.lateMembers?.count ?? 0
                var item: [String: Any] = ["unitName": i.unitName, "what": what, "hasLateMembers": n > 0, "lateMemberCount": n]
                if let link = i.link {
                    item["link"] = link
                    item["linkText"] = i.kind == .escalation ? "Khi đã tiếp nhận, bấm \"Đã nhận\" tại" : "Xem tình hình"
                }
                return item
            }]
        }
    }
}

/// A failed delivery: whether another attempt can help (server down) or not (no address).
public struct DeliveryError: Error, CustomStringConvertible, Sendable {
    public var retryable: Bool
    public var description: String
    public init(retryable: Bool, _ d: String) {
        self.retryable = retryable
        description = d
    }
}
