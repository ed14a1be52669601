import Foundation

/// Test-only crash points. With `KIEMDIEM_TEST_CRASH=<name>` in its environment, a process exits
/// at once (status 86, no cleanup, nothing flushed) when it reaches the named point, as a power
/// cut or a kill -9 there would. The crash tests use them to hit a window no signal can aim at;
/// docs/testing.md lists them. Nothing else sets the variable.
public enum CrashPoint: String, Sendable {
    /// kiemdiemd: the events of a firing are committed and not yet published.
    case afterCommit = "after-commit"
    /// kiemdiem-worker: a batch is delivered and flushed, and its `done` not yet sent.
    case afterDelivery = "after-delivery"

    private static let armed = ProcessInfo.processInfo.environment["KIEMDIEM_TEST_CRASH"].flatMap(CrashPoint.init(rawValue:))

    public func reached() {
        if CrashPoint.armed == self { _exit(86) }
    }
}
