import CZeroMQ

/// A libzmq context: owns the I/O threads and the sockets created in it.
///
/// libzmq contexts are thread-safe, hence `Sendable`. Every `Socket` keeps its context alive,
/// so `deinit` (which calls `zmq_ctx_term`, and that blocks until all sockets of the context
/// are closed) only ever runs once the last socket is gone.
public final class ZMQContext: @unchecked Sendable {
    // Immutable after init; libzmq synchronises all context calls internally.
    private let handle: UnsafeMutableRawPointer

    public init() throws {
        guard let handle = zmq_ctx_new() else {
            throw ZMQError.last("zmq_ctx_new")
        }
        self.handle = handle
    }

    /// Makes every blocking call on this context's sockets (current and future) fail with
    /// `ETERM` (`ZMQError.isTerminated`), and new sockets can no longer be created.
    /// Safe to call from any thread, more than once. The owning threads must then close their
    /// sockets, after which the context can terminate.
    public func shutdown() {
        // Only fails with EFAULT for an invalid context, which cannot happen here.
        _ = zmq_ctx_shutdown(handle)
    }

    /// Internal access for `Socket.init`; the pointer is valid as long as `self` is alive.
    var rawHandle: UnsafeMutableRawPointer { handle }

    /// Terminates the context. Blocks while any socket still holds unsent messages under a
    /// non-zero linger, which is why sockets default to linger 0.
    deinit {
        // zmq_ctx_term can be interrupted by a signal; it must be retried until it completes,
        // or the context (and its I/O threads) leak.
        while zmq_ctx_term(handle) != 0 {
            if zmq_errno() != EINTR { break }
        }
    }
}
