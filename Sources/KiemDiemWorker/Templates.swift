import Foundation
import KiemDiemWire
import Mustache

/// The Vietnamese messages, from `config/templates/{reminder,overdue,escalation}.mustache`. The
/// first line a template renders is the subject; the rest is the body.
public struct NotificationTemplates: Sendable {
    let library: MustacheLibrary
    public static let names = ["reminder", "overdue", "escalation", "suggestion"]

    public init(directory: String) throws {
        var lib = MustacheLibrary()
        for name in NotificationTemplates.names {
            let path = (directory as NSString).appendingPathComponent("\(name).mustache")
            guard let data = FileManager.default.contents(atPath: path) else {
                throw DeliveryError(retryable: false, "template \(path) is missing")
            }
            do { try lib.register(String(decoding: data, as: UTF8.self), named: name) } catch {
                throw DeliveryError(retryable: false, "template \(path): \(error)")
            }
        }
        library = lib
    }

    /// Subject and body for one notification.
    public func render(_ p: JobPayload) throws -> (subject: String, body: String) {
        var ctx: [String: Any] = [
            "campaign": p.campaign, "campaignTitle": p.campaignTitle, "stage": p.stage, "stageTitle": p.stageTitle,
            "unit": p.unit, "unitName": p.unitName, "unitPath": p.unitPath, "recipient": p.recipient,
            "recipientName": p.recipientName, "due": p.due, "dueText": p.dueText, "time": p.time,
            "isSelf": p.recipient == p.unit, "hasLateMembers": !(p.lateMembers ?? []).isEmpty,
            "lateMembers": p.lateMembers ?? [], "lateMemberCount": (p.lateMembers ?? []).count,
        ]
        if let v = p.leadText { ctx["leadText"] = v }
        if let v = p.lateText { ctx["lateText"] = v }
        if let v = p.level { ctx["level"] = v }
        if let v = p.escalation { ctx["escalation"] = String(v) }
        if let v = p.link { ctx["link"] = v }
        if let v = p.text { ctx["text"] = v }
        if let v = p.authorName { ctx["authorName"] = v }
        guard let text = library.render(ctx, withTemplate: p.kind.rawValue) else {
            throw DeliveryError(retryable: false, "no template for \(p.kind.rawValue)")
        }
        let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        let subject = lines.first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        let body = lines.count > 1 ? String(lines[1]).trimmingCharacters(in: .newlines) + "\n" : ""
        return (subject, body)
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
