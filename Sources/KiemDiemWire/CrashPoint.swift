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

/// Test-only holds. With `KIEMDIEM_TEST_HOLD_<NAME>=FILE` in its environment, the daemon stops
/// at the named point until FILE exists (at most 60 s), after saying so on stderr, so that a test
/// can watch the daemon while that work is under way. docs/testing.md lists them.
public enum TestHold: String, Sendable {
    /// An import applied on its own connection, its transaction open.
    case apply = "KIEMDIEM_TEST_HOLD_APPLY"
    /// Work handed off the loop (`EngineCommand.later`), before it starts.
    case later = "KIEMDIEM_TEST_HOLD_LATER"

    public func wait() {
        guard let file = ProcessInfo.processInfo.environment[rawValue], !FileManager.default.fileExists(atPath: file) else { return }
        FileHandle.standardError.write(Data("test hold \(rawValue): waiting for \(file)\n".utf8))
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: file), Date() < deadline { usleep(10_000) }
    }
}
