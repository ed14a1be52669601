import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// sd_notify(3) written directly: one datagram to $NOTIFY_SOCKET. libsystemd is not needed for
/// this, and the protocol is stable and documented.
public struct SystemdNotify: Sendable {
    let path: String?
    /// How often systemd expects `WATCHDOG=1` ($WATCHDOG_USEC), when the watchdog is on and meant
    /// for this process ($WATCHDOG_PID, when set, is our pid).
    public let watchdogTimeout: Duration?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        let pidMatches = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
        if path != nil, pidMatches, let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0 {
            watchdogTimeout = .microseconds(usec)
        } else {
            watchdogTimeout = nil
        }
    }

    public var isEnabled: Bool { path != nil }

    /// How often the loop pings: a third of the timeout, so a ping or two may be late (a long
    /// request) before systemd gives up on us; nil when there is no watchdog.
    public var watchdogInterval: Duration? { watchdogTimeout.map { $0 / 3 } }

    /// CLOCK_MONOTONIC in microseconds, for `MONOTONIC_USEC=` with `RELOADING=1` (systemd 253+
    /// uses it to tell this reload from an earlier one; older versions ignore it).
    public static func monotonicMicroseconds() -> UInt64 {
        // DispatchTime is CLOCK_MONOTONIC on Linux.
        DispatchTime.now().uptimeNanoseconds / 1000
    }

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
