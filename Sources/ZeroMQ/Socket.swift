import CZeroMQ

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The libzmq socket types this wrapper supports.
public enum SocketType: Sendable {
    case pair, pub, sub, req, rep, dealer, router, pull, push, xpub, xsub

    var rawValue: Int32 {
        switch self {
        case .pair: ZMQ_PAIR
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .req: ZMQ_REQ
        case .rep: ZMQ_REP
        case .dealer: ZMQ_DEALER
        case .router: ZMQ_ROUTER
        case .pull: ZMQ_PULL
        case .push: ZMQ_PUSH
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        }
    }
}

/// A libzmq socket.
///
/// Deliberately not `Sendable`: libzmq sockets are not thread-safe, so a socket is created,
/// used and closed on one thread (or one isolation domain). Other threads interrupt a blocked
/// socket through `ZMQContext.shutdown()`.
///
/// The socket keeps its `ZMQContext` alive, so the context cannot be terminated under it.
public final class Socket {
    private let context: ZMQContext
    /// nil once closed. Every use goes through `requireHandle` so a closed socket fails with
    /// `ENOTSOCK` instead of handing a dangling pointer to libzmq.
    private var handle: UnsafeMutableRawPointer?

    /// Creates the socket and sets `ZMQ_LINGER` to 0, so closing it (and terminating the
    /// context) never waits for unsent messages. Call `setLinger` to change that.
    public init(_ context: ZMQContext, _ type: SocketType) throws {
        guard let handle = zmq_socket(context.rawHandle, type.rawValue) else {
            throw ZMQError.last("zmq_socket(\(type))")
        }
        self.context = context
        self.handle = handle
        // If this throws, deinit still runs (all properties are set) and closes the socket.
        try setLinger(0)
    }

    deinit {
        close()
    }

    /// Closes the socket. Idempotent; later calls on it throw `ENOTSOCK`.
    public func close() {
        guard let handle else { return }
        self.handle = nil
        // zmq_close only fails with ENOTSOCK, which the nil check above rules out.
        _ = zmq_close(handle)
    }

    func requireHandle(_ operation: @autoclosure () -> String) throws -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(code: ENOTSOCK, operation: operation()) }
        return handle
    }

    /// Lends the raw `void *` socket for libzmq calls this wrapper does not cover. The pointer
    /// must not escape `body` and must not be closed by it.
    /// - Precondition: the socket has not been closed.
    public func withUnsafeHandle<R>(_ body: (UnsafeMutableRawPointer) throws -> R) rethrows -> R {
        guard let handle else { preconditionFailure("ZeroMQ.Socket used after close()") }
        return try body(handle)
    }

    // MARK: - Endpoints

    public func bind(_ endpoint: String) throws {
        let handle = try requireHandle("zmq_bind(\(endpoint))")
        if zmq_bind(handle, endpoint) != 0 { throw ZMQError.last("zmq_bind(\(endpoint))") }
    }

    public func connect(_ endpoint: String) throws {
        let handle = try requireHandle("zmq_connect(\(endpoint))")
        if zmq_connect(handle, endpoint) != 0 { throw ZMQError.last("zmq_connect(\(endpoint))") }
    }

    public func unbind(_ endpoint: String) throws {
        let handle = try requireHandle("zmq_unbind(\(endpoint))")
        if zmq_unbind(handle, endpoint) != 0 { throw ZMQError.last("zmq_unbind(\(endpoint))") }
    }

    public func disconnect(_ endpoint: String) throws {
        let handle = try requireHandle("zmq_disconnect(\(endpoint))")
        if zmq_disconnect(handle, endpoint) != 0 {
            throw ZMQError.last("zmq_disconnect(\(endpoint))")
        }
    }

    /// The endpoint of the last bind/connect, with wildcards resolved: after binding
    /// `tcp://127.0.0.1:*` this is e.g. `tcp://127.0.0.1:40123`.
    public var lastEndpoint: String {
        get throws {
            let handle = try requireHandle("zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
            // Generous: the longest endpoints (ipc paths, IPv6 with scope) are far shorter.
            var buffer = [CChar](repeating: 0, count: 1024)
            var size = buffer.count
            if zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) != 0 {
                throw ZMQError.last("zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
            }
            return stringFromCBuffer(buffer)
        }
    }

    // MARK: - Sending

    /// Sends all frames as one multipart message. Returns false if it would block (EAGAIN) and
    /// dontWait is true.
    ///
    /// `dontWait` applies to the first frame only: libzmq queues multipart messages atomically,
    /// so once the first frame is accepted the rest are too, and never abandoning a message
    /// half-sent matters more than never blocking. A failure after the first frame (including
    /// a send timeout) is therefore thrown rather than reported as `false`.
    /// Signals (EINTR) are retried. An empty `frames` array throws `EINVAL`.
    @discardableResult
    public func send(_ frames: [Data], dontWait: Bool = false) throws -> Bool {
        let handle = try requireHandle("zmq_send")
        guard !frames.isEmpty else {
            throw ZMQError(code: EINVAL, operation: "zmq_send(no frames)")
        }
        for (index, frame) in frames.enumerated() {
            let isFirst = index == 0
            var flags: Int32 = index == frames.count - 1 ? 0 : ZMQ_SNDMORE
            if isFirst && dontWait { flags |= ZMQ_DONTWAIT }
            while true {
                // zmq_send copies the bytes, so the buffer only has to live for the call.
                // (An empty Data may have no base address; libzmq accepts NULL with size 0.)
                let (rc, code) = frame.withUnsafeBytes { raw -> (Int32, Int32) in
                    let rc = zmq_send(handle, raw.baseAddress, raw.count, flags)
                    return (rc, rc < 0 ? zmq_errno() : 0)
                }
                if rc >= 0 { break }
                if code == EINTR { continue }
                if code == EAGAIN && isFirst { return false }
                throw ZMQError(code: code, operation: "zmq_send(frame \(index + 1) of \(frames.count))")
            }
        }
        return true
    }

    /// Sends a single-frame message; see `send(_:dontWait:)` for the multipart variant.
    @discardableResult
    public func send(_ frame: Data, dontWait: Bool = false) throws -> Bool {
        try send([frame], dontWait: dontWait)
    }

    // MARK: - Receiving

    /// Receives one whole multipart message; nil on EAGAIN (dontWait or receive timeout elapsed).
    ///
    /// libzmq delivers multipart messages atomically, so only the first frame can be missing;
    /// the remaining frames are read without `ZMQ_DONTWAIT` and a failure there is thrown.
    /// Signals (EINTR) are retried. A shut-down context throws `ETERM` (`isTerminated`).
    public func receive(dontWait: Bool = false) throws -> [Data]? {
        try receive(dontWait: dontWait, property: nil)?.frames
    }

    /// Like `receive`, and also reads a metadata property of the message (`zmq_msg_gets`), such
    /// as "User-Id", which the ZAP handler set for the connection it came from. nil when absent.
    public func receive(dontWait: Bool = false, property: String?) throws -> (frames: [Data], property: String?)? {
        let handle = try requireHandle("zmq_msg_recv")
        // One zmq_msg_t for all frames: zmq_msg_recv releases the previous content itself.
        let message = Message()
        var frames: [Data] = []
        var value: String?
        while true {
            let flags: Int32 = frames.isEmpty && dontWait ? ZMQ_DONTWAIT : 0
            let rc = zmq_msg_recv(message.pointer, handle, flags)
            if rc < 0 {
                let code = zmq_errno()
                if code == EINTR { continue }
                if code == EAGAIN && frames.isEmpty { return nil }
                throw ZMQError(code: code, operation: "zmq_msg_recv(frame \(frames.count + 1))")
            }
            frames.append(message.copyBytes())
            if let property, let v = zmq_msg_gets(message.pointer, property) {
                // Metadata belongs to the connection, but a ROUTER's identity frame is made
                // locally and carries none: take it from any frame that has it.
                value = String(cString: v)
            }
            if zmq_msg_more(message.pointer) == 0 { return (frames, value) }
        }
    }

    /// Whether the last frame received has more frames after it (`ZMQ_RCVMORE`).
    /// `receive` already collects whole messages; this is for raw `withUnsafeHandle` use.
    public var hasMoreFrames: Bool {
        get throws { try getInt32Option(ZMQ_RCVMORE, "ZMQ_RCVMORE") != 0 }
    }

    // MARK: - Option plumbing

    func setOption(_ option: Int32, _ name: String, _ value: UnsafeRawBufferPointer) throws {
        let handle = try requireHandle("zmq_setsockopt(\(name))")
        if zmq_setsockopt(handle, option, value.baseAddress, value.count) != 0 {
            throw ZMQError.last("zmq_setsockopt(\(name))")
        }
    }

    func setOption(_ option: Int32, _ name: String, int32 value: Int32) throws {
        try withUnsafeBytes(of: value) { try setOption(option, name, $0) }
    }

    func setOption(_ option: Int32, _ name: String, int64 value: Int64) throws {
        try withUnsafeBytes(of: value) { try setOption(option, name, $0) }
    }

    func setOption(_ option: Int32, _ name: String, bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try setOption(option, name, $0) }
    }

    func getInt32Option(_ option: Int32, _ name: String) throws -> Int32 {
        let handle = try requireHandle("zmq_getsockopt(\(name))")
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        if zmq_getsockopt(handle, option, &value, &size) != 0 {
            throw ZMQError.last("zmq_getsockopt(\(name))")
        }
        return value
    }
}

/// Explicitly not Sendable (see `Socket`); this also forbids retroactive conformances.
@available(*, unavailable)
extension Socket: Sendable {}

/// An initialised `zmq_msg_t` at a stable heap address.
///
/// libzmq forbids copying a `zmq_msg_t` by value (it may hold an inline buffer or a reference
/// count), so it is allocated once, never moved, and closed exactly once: the type is
/// `~Copyable` and `deinit` does the `zmq_msg_close`.
struct Message: ~Copyable {
    let pointer: UnsafeMutablePointer<zmq_msg_t>

    init() {
        pointer = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        // zmq_msg_init cannot fail (always returns 0).
        _ = zmq_msg_init(pointer)
    }

    /// The current frame's bytes, copied out (the message's buffer is reused for the next frame).
    func copyBytes() -> Data {
        let size = zmq_msg_size(pointer)
        guard size > 0, let data = zmq_msg_data(pointer) else { return Data() }
        return Data(bytes: data, count: size)
    }

    deinit {
        _ = zmq_msg_close(pointer)
        pointer.deallocate()
    }
}
