import Foundation
import KiemDiemWire
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import Synchronization

/// Delivers through an SMTP server: one connection per message; `Message-ID` carries the
/// idempotency key so a second delivery of the same key is recognizable. With `tls: .starttls`
/// the session is upgraded after EHLO (swift-nio-ssl, the certificate checked against the
/// system's roots or `caFile`); with credentials it logs in (AUTH PLAIN, else LOGIN), and only
/// over TLS. A refused login (535) or a refused recipient (5xx) ends the job dead with the
/// server's words; 4xx and a lost connection are retried.
///
/// The SMTP dialogue is written here: no package in the set speaks SMTP, and it is a handful of
/// commands over SwiftNIO, which carries the bytes and the TLS.
public struct SMTPChannel: DeliveryChannel {
    public enum TLS: String, Sendable { case none, starttls }
    public let host: String
    public let port: UInt16
    public let from: String
    public let timeout: Int
    public let tls: TLS
    /// `user` and the password (from `--smtp-password-file`).
    public let credentials: (user: String, password: String)?
    /// A CA file to trust instead of the system's (an agency's own, or a test's).
    public let caFile: String?

    public init(host: String, port: UInt16, from: String, timeout: Int = 15, tls: TLS = .none,
                credentials: (user: String, password: String)? = nil, caFile: String? = nil) {
        self.host = host
        self.port = port
        self.from = from
        self.timeout = timeout
        self.tls = tls
        self.credentials = credentials
        self.caFile = caFile
    }

    var place: String { "SMTP \(host):\(port)" }

    public func deliver(_ n: Outgoing) throws {
        guard let to = n.address, to.contains("@") else {
            throw DeliveryError(retryable: false, "unit \(n.payload.recipient) has no e-mail address")
        }
        let mail = MailMessage(from: from, to: to, subject: n.subject, body: n.body, key: n.key, date: Date())
        let conn = try Connection(host: host, port: port, timeout: timeout, place: place)
        defer { conn.close() }
        try conn.expect(220)
        var features = try conn.command("EHLO kiemdiem", expect: 250)
        if tls == .starttls {
            guard features.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else {
                throw DeliveryError(retryable: false, "\(place) does not offer STARTTLS (--smtp-tls starttls)")
            }
            _ = try conn.command("STARTTLS", expect: 220)
            var config = TLSConfiguration.makeClientConfiguration()
            if let caFile { config.trustRoots = .file(caFile) }
            do { try conn.startTLS(NIOSSLContext(configuration: config), serverHostname: host) } catch let e as DeliveryError { throw e } catch {
                throw DeliveryError(retryable: false, "\(place): TLS: \(error)")
            }
            features = try conn.command("EHLO kiemdiem", expect: 250) // what it offers over TLS
        }
        if let credentials {
            guard tls == .starttls else { throw DeliveryError(retryable: false, "\(place): a password is sent over TLS only (--smtp-tls starttls)") }
            let auth = features.first { $0.uppercased().hasPrefix("AUTH") }.map { $0.uppercased().split(separator: " ").map(String.init) } ?? []
            if auth.contains("PLAIN") {
                let token = Data("\0\(credentials.user)\0\(credentials.password)".utf8).base64EncodedString()
                _ = try conn.command("AUTH PLAIN \(token)", expect: 235, secret: true)
            } else if auth.contains("LOGIN") {
                _ = try conn.command("AUTH LOGIN", expect: 334)
                _ = try conn.command(Data(credentials.user.utf8).base64EncodedString(), expect: 334, secret: true)
                _ = try conn.command(Data(credentials.password.utf8).base64EncodedString(), expect: 235, secret: true)
            } else {
                throw DeliveryError(retryable: false, "\(place) offers no AUTH PLAIN or LOGIN")
            }
        }
        _ = try conn.command("MAIL FROM:<\(from)>", expect: 250)
        _ = try conn.command("RCPT TO:<\(to)>", expect: 250)
        _ = try conn.command("DATA", expect: 354)
        // Dot-stuffing: a line starting with '.' gets another.
        let data = mail.rendered().split(separator: "\r\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
        _ = try conn.command(data + "\r\n.", expect: 250)
        _ = try? conn.command("QUIT", expect: 221)
    }

    /// One SMTP connection on SwiftNIO, used synchronously from a delivery thread: a write, then
    /// a wait for the whole reply (multi-line replies have '-' after the code).
    final class Connection: @unchecked Sendable { // @unchecked: one delivery thread at a time, the handler's state behind its lock
        let channel: any NIOCore.Channel
        let replies: Replies
        let timeout: Int
        let place: String

        init(host: String, port: UInt16, timeout: Int, place: String) throws {
            self.timeout = timeout
            self.place = place
            let replies = Replies()
            self.replies = replies
            do {
                channel = try ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.seconds(Int64(timeout)))
                    .channelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(ReplyHandler(replies)) } }
                    .connect(host: host, port: Int(port)).wait()
            } catch {
                throw DeliveryError(retryable: true, "\(place): \(error)")
            }
        }

        func close() { _ = try? channel.close().wait() }

        /// Puts TLS in front of the reply handler (after the server's 220 to STARTTLS) and waits
        /// for the handshake.
        func startTLS(_ context: NIOSSLContext, serverHostname: String) throws {
            let handshake = channel.eventLoop.makePromise(of: Void.self)
            let ssl = try NIOSSLClientHandler(context: context, serverHostname: serverHostname.first?.isNumber == true ? nil : serverHostname)
            try channel.pipeline.addHandlers([ssl, HandshakeWatcher(handshake)], position: .first).wait()
            let timer = channel.eventLoop.scheduleTask(in: .seconds(Int64(timeout))) { handshake.fail(DeliveryError(retryable: true, "\(self.place): TLS handshake timed out")) }
            defer { timer.cancel() }
            do { try handshake.futureResult.wait() } catch let e as DeliveryError { throw e } catch {
                throw DeliveryError(retryable: false, "\(place): TLS: \(error)")
            }
        }

        /// Sends a line and checks the reply's code; returns the reply's lines after the code.
        /// A `secret` line (a password) is never repeated in an error.
        @discardableResult
        func command(_ line: String, expect code: Int, secret: Bool = false) throws -> [String] {
            do { try channel.writeAndFlush(ByteBuffer(string: line + "\r\n")).wait() } catch {
                throw DeliveryError(retryable: true, "\(place): connection lost while sending")
            }
            return try expect(code)
        }

        @discardableResult
        func expect(_ code: Int) throws -> [String] {
            guard let reply = replies.next(within: timeout) else { throw DeliveryError(retryable: true, "\(place): connection closed or timed out") }
            guard let got = reply.code else { throw DeliveryError(retryable: true, "\(place): bad reply '\(reply.lines.joined(separator: " | ").prefix(200))'") }
            if got == code { return reply.lines.map { String($0.dropFirst(4)) } }
            throw DeliveryError(retryable: got < 500, "\(place): expected \(code), got '\(reply.lines.last ?? "")'")
        }
    }

    /// Complete replies as they arrive, for the delivery thread to take.
    final class Replies: Sendable {
        struct Reply: Sendable {
            var lines: [String]
            var code: Int? { lines.last.flatMap { Int($0.prefix(3)) } }
        }
        private let state = Mutex<(queue: [Reply], closed: Bool)>(([], false))
        private let signal = DispatchSemaphore(value: 0)

        func add(_ r: Reply) { state.withLock { $0.queue.append(r) }; signal.signal() }
        func closed() { state.withLock { $0.closed = true }; signal.signal() }

        func next(within seconds: Int) -> Reply? {
            let deadline = DispatchTime.now() + .seconds(seconds)
            while true {
                let (r, closed) = state.withLock { s -> (Reply?, Bool) in (s.queue.isEmpty ? nil : s.queue.removeFirst(), s.closed) }
                if let r { return r }
                if closed { return nil }
                if signal.wait(timeout: deadline) == .timedOut { return nil }
            }
        }
    }

    /// Splits the bytes into lines and lines into replies.
    final class ReplyHandler: ChannelInboundHandler, @unchecked Sendable { // @unchecked: used on its channel's event loop only
        typealias InboundIn = ByteBuffer
        let replies: Replies
        var pending = ""
        var lines: [String] = []
        init(_ replies: Replies) { self.replies = replies }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buf = unwrapInboundIn(data)
            pending += buf.readString(length: buf.readableBytes) ?? ""
            // "\r\n" is one Character in Swift: look for either.
            while let nl = pending.firstIndex(where: { $0 == "\r\n" || $0 == "\n" }) {
                let line = pending[..<nl].trimmingCharacters(in: .newlines)
                pending = String(pending[pending.index(after: nl)...])
                lines.append(line)
                // The last line of a reply has a space (or nothing) after its code.
                if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" {
                    replies.add(.init(lines: lines))
                    lines = []
                }
            }
        }

        func channelInactive(context: ChannelHandlerContext) { replies.closed(); context.fireChannelInactive() }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { replies.closed(); context.close(promise: nil) }
    }

    /// Completes when the TLS handshake does (or fails with its error).
    final class HandshakeWatcher: ChannelInboundHandler, @unchecked Sendable { // @unchecked: on its channel's event loop only
        typealias InboundIn = ByteBuffer
        let promise: EventLoopPromise<Void>
        init(_ promise: EventLoopPromise<Void>) { self.promise = promise }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case TLSUserEvent.handshakeCompleted = event as? TLSUserEvent ?? .shutdownCompleted { promise.succeed(()) }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            promise.fail(error)
            context.fireErrorCaught(error)
        }
    }
}
