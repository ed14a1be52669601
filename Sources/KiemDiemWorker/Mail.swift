import Foundation

/// An RFC 5322 message with a UTF-8 body (base64, so any SMTP server takes it) and the
/// idempotency key in `Message-ID` and `X-Kiemdiem-Event`.
public struct MailMessage: Sendable {
    public var from: String
    public var to: String
    public var subject: String
    public var body: String
    public var key: String
    public var date: Date

    public init(from: String, to: String, subject: String, body: String, key: String, date: Date) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.key = key
        self.date = date
    }

    /// `<key with unsafe characters replaced@kiemdiem>`: stable for the same notification.
    public var messageId: String {
        "<" + String(key.map { $0.isLetter || $0.isNumber || "-._".contains($0) ? $0 : "." }) + "@kiemdiem>"
    }

    public func rendered() -> String {
        let df = DateFormatter()
        df.locale = Locale(identifier: "en_US_POSIX")
        df.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let body64 = Data(body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return [
            "From: \(from)",
            "To: \(to)",
            "Subject: =?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?=",
            "Date: \(df.string(from: date))",
            "Message-ID: \(messageId)",
            "X-Kiemdiem-Event: \(key)",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            body64,
            "",
        ].joined(separator: "\r\n")
    }
}
