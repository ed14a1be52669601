import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// sd_notify(3) written directly: one datagram to $NOTIFY_SOCKET. libsystemd is not needed for
/// this, and the protocol is stable and documented.
public struct SystemdNotify: Sendable {
    let path: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public var isEnabled: Bool { path != nil }

    /// Sends `state` (e.g. "READY=1\nSTATUS=…"); returns false when there is no socket or it failed.
    @discardableResult
    public func send(_ state: String) -> Bool {
        guard var path else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        // An abstract socket is written with a leading '@' and sent with a leading NUL.
        let abstract = path.hasPrefix("@")
        if abstract { path.removeFirst() }
        var bytes = Array(path.utf8)
        if abstract { bytes.insert(0, at: 0) }
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard bytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let payload = Array(state.utf8)
        let sent = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                payload.withUnsafeBytes { sendto(fd, $0.baseAddress, payload.count, 0, sa, len) }
            }
        }
        return sent == payload.count
    }
}
