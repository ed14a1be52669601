import Foundation
import Synchronization
import Testing
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
@_exported import KiemDiemTesting
@testable import KiemDiemEngine

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Expectations checked on a thread of their own (where Swift Testing cannot tell which test an
/// issue belongs to), reported back to the test that started the thread.
final class Checks: @unchecked Sendable {
    private let failures = Mutex<[String]>([])
    func callAsFunction(_ ok: Bool, _ message: @autoclosure () -> String = "", line: Int = #line) {
        if !ok { let m = "line \(line): \(message())"; failures.withLock { $0.append(m) } }
    }
    var recorded: [String] { failures.withLock { $0 } }
}

/// Runs seconds of synchronous work on a thread of its own, not on the cooperative pool that the
/// other suites' async tests share (a 2-core machine has two threads in it); what `body` checks
/// is recorded as issues of the calling test.
func offPool(sourceLocation: SourceLocation = #_sourceLocation, _ body: @escaping @Sendable (Checks) throws -> Void) async throws {
    let checks = Checks()
    try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
        Thread {
            do { try body(checks); done.resume() } catch { done.resume(throwing: error) }
        }.start()
    }
    for f in checks.recorded { Issue.record(Comment(rawValue: f), sourceLocation: sourceLocation) }
}

/// A plan whose stages need no rating to be completed (`ratings: none`): for the tests of the
/// schedule and the rollups, which complete stages without rating anyone.
func withoutRatingNeeds(_ plan: String) -> String {
    plan.replacing(/ratings: \{[^}\n]*\}/, with: "ratings: none")
}
