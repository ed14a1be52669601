import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Crypto
import KiemDiemWire

/// One notification ready to go: the job's facts and its rendered text.
public struct Outgoing: Sendable {
    public var key: String
    public var payload: JobPayload
    public var address: String?
    public var subject: String
    public var body: String
    public var json: Data
}

/// A way to deliver a notification. Each must make a second delivery of the same key harmless
/// or detectable: the spool by file name, mail by Message-ID, webhooks by Idempotency-Key.
public protocol DeliveryChannel: Sendable {
    func deliver(_ n: Outgoing) throws
    /// Makes every delivery so far durable, for channels that batch that step (the spool fsyncs
    /// its `new/` directory once for all the renames before it). Called before `done` is sent.
    func flush() throws
}

extension DeliveryChannel {
    public func flush() throws {}
}

/// One RFC 5322 file per notification in a maildir (`DIR/tmp` then renamed into `DIR/new`),
/// named by the idempotency key: delivering the same key twice leaves one file.
public struct SpoolChannel: DeliveryChannel {
    public let directory: String
    public let from: String

    public init(directory: String, from: String) throws {
        self.directory = directory
        self.from = from
        for sub in ["tmp", "new", "cur"] {
            try FileManager.default.createDirectory(atPath: (directory as NSString).appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        removedLeftovers = SpoolChannel.removeLeftovers(in: (directory as NSString).appendingPathComponent("tmp"))
    }

    /// Half-written messages that a killed worker left in `tmp/` and removed at start.
    public private(set) var removedLeftovers = 0

    /// Removes from `tmp/` the files of workers that no longer run: each is named
    /// `<key>.eml.<pid>.<random>`, and a pid that no process has (kill(pid, 0) fails with ESRCH)
    /// cannot finish it. Files of running workers, and names of another form, are left alone.
    static func removeLeftovers(in tmp: String) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: tmp) else { return 0 }
        var removed = 0
        for name in names {
            let parts = name.split(separator: ".")
            guard parts.count >= 4, parts[parts.count - 3] == "eml", let pid = pid_t(parts[parts.count - 2]), pid > 0 else { continue }
            if kill(pid, 0) != 0, errno == ESRCH, unlink((tmp as NSString).appendingPathComponent(name)) == 0 { removed += 1 }
        }
        return removed
    }

    /// The maildir file name for a key: the key with '/' (and anything odd) made safe.
    public static func fileName(for key: String) -> String {
        String(key.map { $0.isLetter || $0.isNumber || "-._".contains($0) ? $0 : "_" }) + ".eml"
    }

    public func deliver(_ n: Outgoing) throws {
        let name = SpoolChannel.fileName(for: n.key)
        let final = (directory as NSString).appendingPathComponent("new/\(name)")
        if FileManager.default.fileExists(atPath: final) { return } // delivered before: same key, same effect
        let mail = MailMessage(from: from, to: n.address ?? n.payload.recipient, subject: n.subject, body: n.body, key: n.key, date: Date())
        // Unique per process and thread: deliveries run concurrently.
        let tmp = (directory as NSString).appendingPathComponent("tmp/\(name).\(ProcessInfo.processInfo.processIdentifier).\(UUID().uuidString.prefix(8))")
        try SpoolChannel.writeDurably(Data(mail.rendered().utf8), to: tmp)
        // rename(2) is atomic: a reader of new/ never sees half a message. The rename itself is
        // made durable by flush(), once for every message of a window.
        if rename(tmp, final) != 0 {
            let e = errno
            unlink(tmp)
            throw DeliveryError(retryable: true, "cannot move a message into \(directory)/new: \(String(cString: strerror(e)))")
        }
    }

    /// fsyncs `new/`, so that the renames into it survive a power loss (maildir delivery).
    public func flush() throws {
        let dir = (directory as NSString).appendingPathComponent("new")
        let fd = open(dir, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw DeliveryError(retryable: true, "cannot open \(dir): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw DeliveryError(retryable: true, "cannot fsync \(dir): \(String(cString: strerror(errno)))") }
    }

    /// Writes a file and fsyncs it before it is renamed into place.
    static func writeDurably(_ data: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw DeliveryError(retryable: true, "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = data.withUnsafeBytes { raw -> Int in
            var off = 0
            while off < raw.count {
                let n = write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 { if errno == EINTR { continue }; return -1 }
                off += n
            }
            return off
        }
        guard written == data.count, fsync(fd) == 0 else {
            let e = errno
            unlink(path)
            throw DeliveryError(retryable: true, "cannot write \(path): \(String(cString: strerror(e)))")
        }
    }
}

/// HTTP POST of the job's JSON with an `Idempotency-Key` header. The body is the job's payload
/// with `rendered` (the letter's subject and text, for a bridge to SMS or chat that should not
/// render again) and `sentAt`; with a secret, `X-Kiemdiem-Signature: sha256=<hex HMAC-SHA256 of
/// the body>` signs it (GitHub's scheme), and `X-Kiemdiem-Timestamp` repeats `sentAt` in Unix
/// seconds, so that a receiver can refuse old replays. A retry keeps the key.
public struct WebhookChannel: DeliveryChannel {
    public let url: URL
    public let timeout: TimeInterval
    /// The shared secret (`--webhook-secret-file`); nil: unsigned.
    let secret: Data?

    public init(url: URL, timeout: TimeInterval = 10, secret: Data? = nil) {
        self.url = url
        self.timeout = timeout
        self.secret = secret
    }

    /// The body sent for a notification at `now`.
    public static func body(_ n: Outgoing, now: Date) throws -> Data {
        guard var object = try JSONSerialization.jsonObject(with: n.json) as? [String: Any] else {
            throw DeliveryError(retryable: false, "job \(n.key): its payload is not a JSON object")
        }
        object["rendered"] = ["subject": n.subject, "text": n.body]
        object["sentAt"] = ISO8601DateFormatter().string(from: now)
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    public static func signature(_ body: Data, secret: Data) -> String {
        "sha256=" + HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret)).map { String(format: "%02x", $0) }.joined()
    }

    public func deliver(_ n: Outgoing) throws {
        let now = Date()
        let body = try WebhookChannel.body(n, now: now)
        var req = URLRequest(url: url, timeoutInterval: timeout)
        req.httpMethod = "POST"
        req.httpBody = body
        req.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        req.setValue(n.key, forHTTPHeaderField: "Idempotency-Key")
        req.setValue(String(Int64(now.timeIntervalSince1970)), forHTTPHeaderField: "X-Kiemdiem-Timestamp")
        if let secret { req.setValue(WebhookChannel.signature(body, secret: secret), forHTTPHeaderField: "X-Kiemdiem-Signature") }
        let box = ResultBox()
        let sem = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: req) { _, response, error in
            box.set(((response as? HTTPURLResponse)?.statusCode, error))
            sem.signal()
        }.resume()
        sem.wait()
        let (status, error) = box.get()
        if let error { throw DeliveryError(retryable: true, "webhook \(url): \(error.localizedDescription)") }
        guard let status else { throw DeliveryError(retryable: true, "webhook \(url): no HTTP response") }
        if (200..<300).contains(status) { return }
        // 408 and 429 and server errors may pass later; other client errors will not.
        throw DeliveryError(retryable: status >= 500 || status == 408 || status == 429, "webhook \(url): HTTP \(status)")
    }

    private final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var value: (Int?, (any Error)?) = (nil, nil)
        func set(_ v: (Int?, (any Error)?)) { lock.withLock { value = v } }
        func get() -> (Int?, (any Error)?) { lock.withLock { value } }
    }
}

/// The system's mail transfer agent: each message piped to `sendmail -t -oi` (postfix, or
/// msmtp-mta for an agency's server with TLS and a login; docs/notifications.md). The MTA
/// queues and retries; its exit status says whether it took the message: 0 yes, 75
/// (EX_TEMPFAIL) or a failure to start it later, anything else never (its stderr is the reason).
public struct SendmailChannel: DeliveryChannel {
    public let path: String
    public let from: String

    public init(path: String = "/usr/sbin/sendmail", from: String) {
        self.path = path
        self.from = from
    }

    public func deliver(_ n: Outgoing) throws {
        guard let to = n.address, to.contains("@") else {
            throw DeliveryError(retryable: false, "unit \(n.payload.recipient) has no e-mail address")
        }
        let mail = MailMessage(from: from, to: to, subject: n.subject, body: n.body, key: n.key, date: Date())
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["-t", "-oi"]
        let input = Pipe(), errors = Pipe()
        p.standardInput = input
        p.standardOutput = FileHandle.nullDevice
        p.standardError = errors
        do { try p.run() } catch { throw DeliveryError(retryable: true, "cannot run \(path): \(error.localizedDescription)") }
        // The message, then end of input; stderr read to the end so the MTA never blocks on it.
        let text = Data(mail.rendered().utf8)
        do {
            try input.fileHandleForWriting.write(contentsOf: text)
            try input.fileHandleForWriting.close()
        } catch {
            p.terminate()
        }
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        p.waitUntilExit()
        guard p.terminationReason == .exit else { throw DeliveryError(retryable: true, "\(path) was killed (signal \(p.terminationStatus))") }
        switch p.terminationStatus {
        case 0: return
        case 75: throw DeliveryError(retryable: true, "\(path): temporary failure (75)\(said.isEmpty ? "" : ": \(said.prefix(300))")")
        case let s: throw DeliveryError(retryable: false, "\(path) refused the message (exit \(s))\(said.isEmpty ? "" : ": \(said.prefix(300))")")
        }
    }
}
