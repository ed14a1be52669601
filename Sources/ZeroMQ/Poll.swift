import CZeroMQ

/// Events to wait for with `poll`, and the events found ready.
public struct PollEvents: OptionSet, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// At least one whole message can be received without blocking.
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// At least one message can be sent without blocking.
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
}

/// Polls the sockets; returns, per socket, the events that are ready. timeoutMs -1 = wait
/// forever. EINTR retried (with the remaining time).
///
/// The result has one entry per socket, in order; an empty set means "not ready". After a
/// timeout every entry is empty. A closed socket throws `ENOTSOCK`; an empty `sockets` list
/// with a negative timeout throws `EINVAL` (it could never return).
public func poll(_ sockets: [Socket], events: PollEvents = .readable, timeoutMs: Int) throws -> [PollEvents] {
    if sockets.isEmpty && timeoutMs < 0 {
        throw ZMQError(code: EINVAL, operation: "zmq_poll(no sockets, no timeout)")
    }
    var items = try sockets.map { socket in
        zmq_pollitem_t(socket: try socket.requireHandle("zmq_poll"), fd: 0, events: events.rawValue, revents: 0)
    }
    // `sockets` keeps every Socket (and so every handle) alive until this function returns.
    let clock = ContinuousClock()
    let deadline = timeoutMs >= 0 ? clock.now.advanced(by: .milliseconds(timeoutMs)) : nil
    var remaining = timeoutMs
    while zmq_poll(&items, Int32(items.count), remaining) < 0 {
        let code = zmq_errno()
        guard code == EINTR else {
            throw ZMQError(code: code, operation: "zmq_poll(\(sockets.count) sockets)")
        }
        if let deadline {
            remaining = milliseconds(roundingUp: clock.now.duration(to: deadline))
        }
    }
    return items.map { PollEvents(rawValue: $0.revents).intersection(events) }
}

/// Whole milliseconds left, rounded up so a retry never polls with 0 while time remains;
/// never negative.
private func milliseconds(roundingUp duration: Duration) -> Int {
    let (seconds, attoseconds) = duration.components
    guard seconds >= 0, attoseconds >= 0 else { return 0 }
    let attosecondsPerMs: Int64 = 1_000_000_000_000_000
    let ms = attoseconds / attosecondsPerMs + (attoseconds % attosecondsPerMs == 0 ? 0 : 1)
    return Int(seconds) * 1000 + Int(ms)
}
