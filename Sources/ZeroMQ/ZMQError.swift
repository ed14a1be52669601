import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed libzmq call: the errno it reported, libzmq's text for it, and which call failed.
public struct ZMQError: Error, CustomStringConvertible, Sendable {
    /// The errno value (POSIX or one of libzmq's own, such as `ETERM` or `EFSM`).
    public let code: Int32
    /// `zmq_strerror(code)`.
    public let message: String
    /// The call that failed, with its salient argument, e.g. `zmq_bind(tcp://x:1)`.
    public let operation: String

    init(code: Int32, operation: String) {
        self.code = code
        self.message = String(cString: zmq_strerror(code))
        self.operation = operation
    }

    /// Builds the error from `zmq_errno()`. The errno is read *before* the operation text is
    /// built, because building a string may call into libc and clobber errno.
    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        let code = zmq_errno()
        return ZMQError(code: code, operation: operation())
    }

    /// The call would have blocked (non-blocking mode, or a send/receive timeout elapsed).
    public var isAgain: Bool { code == EAGAIN }
    /// A signal interrupted the call.
    public var isInterrupted: Bool { code == EINTR }
    /// The socket's context was shut down or terminated; the socket should be closed.
    public var isTerminated: Bool { code == ETERM }

    public var description: String { "\(operation): \(message) (errno \(code))" }
}

/// The version of the libzmq library loaded at run time (not the headers compiled against).
public func zmqVersion() -> (major: Int, minor: Int, patch: Int) {
    var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
    zmq_version(&major, &minor, &patch)
    return (Int(major), Int(minor), Int(patch))
}

/// Whether libzmq was built with a capability, e.g. `"curve"`, `"ipc"`, `"draft"`.
public func zmqHasCapability(_ name: String) -> Bool {
    zmq_has(name) != 0
}

/// Converts a NUL-terminated C buffer filled in by libzmq into a String.
func stringFromCBuffer(_ buffer: [CChar]) -> String {
    String(decoding: buffer.lazy.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
