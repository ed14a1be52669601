import Foundation
import KiemDiemWire
import ZeroMQ

public enum ClientError: Error, CustomStringConvertible {
    /// The daemon answered with an error reply.
    case remote(ErrorBody)
    /// No reply within the timeout.
    case timeout(endpoint: String, seconds: Double)
    case transport(String)
    case badReply(String)
    /// The daemon's ZAP handler refused this key.
    case refused(endpoint: String)

    public var description: String {
        switch self {
        case .remote(let e):
            var s = "\(e.code.rawValue): \(e.message)"
            if let d = e.details, !d.isEmpty { s += "\n  " + d.joined(separator: "\n  ") }
            return s
        case .timeout(let ep, let secs):
            return "no reply from \(ep) within \(Int(secs)) s. The request may still be running in the daemon: "
                + "see `kiemdiemctl audit` before sending it again, or wait longer with --timeout. If nothing answers at all, "
                + "is kiemdiemd running there, and with CURVE on, is the server key the daemon's?"
        case .refused(let ep): return "\(ep) refused this key: it is not in the daemon's authorized keys, or its role may not use this socket"
        case .transport(let s): return s
        case .badReply(let s): return "malformed reply: \(s)"
        }
    }
}

/// A control-socket client: a DEALER that sends one JSON request and waits for the reply with
/// the same id, up to a timeout. Used by kiemdiemctl and by tests.
public final class ControlClient {
    public let endpoint: String
    let context: ZMQContext
    let socket: Socket
    let timeoutMs: Int
    private var counter = 0
    private let encoder = WireJSON.encoder()

    /// Handshake failures reported by libzmq, so a refused key is an error, not a hang.
    let monitor: Socket?

    public init(endpoint: String, timeout: Duration = .seconds(10), curve: CurveCredentials? = nil, context: ZMQContext? = nil) throws {
        self.endpoint = endpoint
        self.context = try context ?? ZMQContext()
        timeoutMs = Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        socket = try Socket(self.context, .dealer)
        try socket.setLinger(0)
        if let curve { try curve.apply(to: socket) }
        monitor = curve == nil ? nil : try socket.monitor("inproc://kiemdiem-monitor-\(UUID().uuidString)",
                                                          events: [.handshakeFailedAuth, .handshakeFailedProtocol], context: self.context)
        try monitor?.setLinger(0)
        do { try socket.connect(endpoint) } catch { throw ClientError.transport("cannot connect to \(endpoint): \(error)") }
    }

    deinit {
        monitor?.close()
        socket.close()
    }

    /// Sends a request and decodes the result; an error reply throws `.remote`.
    public func call<C: ControlCommand>(_ command: C.Type, _ args: C.Args) throws -> C.Result {
        let raw = try callRaw(C.name, args)
        let reply: Reply<C.Result>
        do { reply = try WireJSON.decoder().decode(Reply<C.Result>.self, from: raw) } catch {
            if let e = try? WireJSON.decoder().decode(Reply<NoArgs>.self, from: raw), let err = e.error { throw ClientError.remote(err) }
            throw ClientError.badReply("\(error)")
        }
        if let e = reply.error { throw ClientError.remote(e) }
        guard let r = reply.result else { throw ClientError.badReply("neither result nor error") }
        return r
    }

    /// Sends a request built from `command` and `args`; returns the raw reply bytes.
    public func callRaw<A: Codable & Sendable>(_ command: String, _ args: A) throws -> Data {
        counter += 1
        let id = "\(ProcessInfo.processInfo.processIdentifier)-\(counter)"
        return try send(try encoder.encode(RawRequest(id: id, command: command, args: args)), id: id)
    }

    /// Sends raw bytes and returns the next reply whose id matches (or any reply when `id` is nil).
    public func send(_ body: Data, id: String?) throws -> Data {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        try sendBefore(deadline, body)
        while true {
            let left = deadline - ContinuousClock.now
            let ms = max(0, Int(left / .milliseconds(1)))
            let ready = try poll([socket] + (monitor.map { [$0] } ?? []), timeoutMs: ms)
            if ready.count > 1, ready[1].contains(.readable), let e = try monitor?.receiveMonitorEvent(), e.event.contains(.handshakeFailedAuth) {
                throw ClientError.refused(endpoint: endpoint)
            }
            guard ready[0].contains(.readable), let frames = try socket.receive(dontWait: true) else {
                if ContinuousClock.now >= deadline { throw ClientError.timeout(endpoint: endpoint, seconds: Double(timeoutMs) / 1000) }
                continue
            }
            guard let payload = frames.last else { continue }
            if let id {
                struct IdOnly: Decodable { var id: String? }
                if let got = try? WireJSON.decoder().decode(IdOnly.self, from: payload), got.id != id, got.id != nil { continue } // a stale reply
            }
            return payload
        }
    }

    /// Queues `body` without ever blocking past `deadline`. A DEALER whose handshake was refused
    /// has no pipe left (libzmq ends the session on an authentication failure), so a blocking
    /// send would wait forever; instead we retry while watching the monitor for the refusal.
    private func sendBefore(_ deadline: ContinuousClock.Instant, _ body: Data) throws {
        while true {
            let sent: Bool
            do { sent = try socket.send([body], dontWait: true) } catch { throw ClientError.transport("cannot send to \(endpoint): \(error)") }
            if sent { return }
            let left = max(0, Int((deadline - ContinuousClock.now) / .milliseconds(1)))
            if left == 0 { throw ClientError.timeout(endpoint: endpoint, seconds: Double(timeoutMs) / 1000) }
            if let monitor {
                if try poll([monitor], timeoutMs: min(left, 20)).first?.contains(.readable) == true,
                   let e = try monitor.receiveMonitorEvent(), e.event.contains(.handshakeFailedAuth) {
                    throw ClientError.refused(endpoint: endpoint)
                }
            } else {
                _ = try poll([socket], events: .writable, timeoutMs: left)
            }
        }
    }
}

/// A client's CURVE key pair and the daemon's public key, read from certificate files.
public struct CurveCredentials: Sendable {
    public var serverPublicKey: String
    public var publicKey: String
    public var secretKey: String

    public init(serverPublicKey: String, publicKey: String, secretKey: String) {
        self.serverPublicKey = serverPublicKey
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// `keyFile`: the client's own `.key_secret`; `serverKeyFile`: the daemon's `.key`.
    public static func load(keyFile: String, serverKeyFile: String) throws -> CurveCredentials {
        let mine = try Certificate.load(keyFile)
        guard let secret = mine.secretKey else { throw SecurityFileError("\(keyFile) has no secret-key: give your .key_secret file to --key") }
        let server = try Certificate.load(serverKeyFile)
        return CurveCredentials(serverPublicKey: server.publicKey, publicKey: mine.publicKey, secretKey: secret)
    }

    func apply(to socket: Socket) throws {
        try socket.setCurveClient(serverPublicKey: serverPublicKey, publicKey: publicKey, secretKey: secretKey)
    }
}

/// A request whose command is any string: lets tests send unknown commands.
struct RawRequest<A: Codable & Sendable>: Codable, Sendable {
    var id: String
    var command: String
    var args: A
}
