import Foundation
import Testing
import Synchronization

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Where the built executables are: $KIEMDIEM_BIN_DIR, or next to the test bundle, or .build/debug.
let binDir: URL = {
    if let d = ProcessInfo.processInfo.environment["KIEMDIEM_BIN_DIR"] { return URL(fileURLWithPath: d) }
    var candidates: [URL] = []
    if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent()) }
    candidates += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
    candidates.append(repoRoot.appendingPathComponent(".build/debug"))
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("kiemdiemd").path) }
        ?? repoRoot.appendingPathComponent(".build/debug")
}()

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Collects a child's output and lets a test wait for a line, never for a fixed time.
final class OutputCollector: Sendable {
    private let state = Mutex<(text: String, closed: Bool)>(("", false))
    private let changed = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        let thread = Thread { [self] in
            while true {
                let chunk = handle.availableData
                state.withLock { s in
                    if chunk.isEmpty { s.closed = true } else { s.text += String(decoding: chunk, as: UTF8.self) }
                }
                changed.signal()
                if chunk.isEmpty { return }
            }
        }
        thread.start()
    }

    var text: String { state.withLock { $0.text } }

    /// Waits until the writer closed its end (the child exited).
    func waitClosed(timeout: Double = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !state.withLock({ $0.closed }) {
            if Date() >= deadline { throw TestFailure("output never closed") }
            _ = changed.wait(timeout: .now() + .milliseconds(200))
        }
    }

    /// Waits until `predicate(text)` holds; fails after `timeout` with what was seen.
    @discardableResult
    func wait(timeout: Double = 30, what: String, _ predicate: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let (text, closed) = state.withLock { ($0.text, $0.closed) }
            if predicate(text) { return text }
            if closed { throw TestFailure("output closed before \(what):\n\(text.suffix(2000))") }
            if Date() >= deadline { throw TestFailure("timed out waiting for \(what):\n\(text.suffix(2000))") }
            _ = changed.wait(timeout: .now() + .milliseconds(200))
        }
    }
}

/// A configuration on ipc endpoints at fixed paths in `dir` (so a restarted daemon is found at the
/// same addresses), with a simulated clock and a 1 s heartbeat; `extra` is appended.
func ipcConfig(_ dir: URL, extra: String = "") -> String {
    """
    database: \(dir.appendingPathComponent("db.sqlite").path)
    clock:
      mode: simulated
      start: 2022-11-01T07:00:00+07:00
    endpoints:
      control: ipc://\(dir.appendingPathComponent("control.sock").path)
      events: ipc://\(dir.appendingPathComponent("events.sock").path)
      jobs: ipc://\(dir.appendingPathComponent("jobs.sock").path)
    events:
      heartbeat: 1s
    \(extra)
    """
}

/// A kiemdiemd started on ephemeral loopback ports in a temp dir.
final class DaemonProcess {
    let dir: URL
    let process = Process()
    let stderr: OutputCollector
    private(set) var control = ""
    private(set) var events = ""
    /// `HOST:PORT` of the HTTP server, when `http.listen` is set.
    private(set) var http = ""
    var httpProbe: HTTPProbe { HTTPProbe(port: UInt16(http.split(separator: ":").last!)!) }

    var configPath: String { dir.appendingPathComponent("kiemdiem.yaml").path }

    /// Writes a config (unless one is there) and starts the daemon; returns once it logged `ready`.
    /// `environment` adds to (or overrides) the test's own environment.
    init(dir: URL? = nil, clock: String = "mode: simulated\n  start: 2022-11-01T07:00:00+07:00", extra: String = "",
         environment: [String: String] = [:]) throws {
        self.dir = dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("kd-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.dir, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: self.dir.appendingPathComponent("kiemdiem.yaml").path) {
            let cfg = """
                database: \(self.dir.appendingPathComponent("db.sqlite").path)
                clock:
                  \(clock)
                endpoints:
                  control: ipc://\(self.dir.appendingPathComponent("control.sock").path)
                  events: tcp://127.0.0.1:*
                  jobs: ipc://\(self.dir.appendingPathComponent("jobs.sock").path)
                events:
                  heartbeat: 1s
                \(extra)
                """
            try cfg.write(to: self.dir.appendingPathComponent("kiemdiem.yaml"), atomically: true, encoding: .utf8)
        }
        let pipe = Pipe()
        process.executableURL = binDir.appendingPathComponent("kiemdiemd")
        process.arguments = ["--config", self.dir.appendingPathComponent("kiemdiem.yaml").path]
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        // One letter per notification unless a test asks for digests: most tests count jobs per event.
        process.environment = ProcessInfo.processInfo.environment.merging(["KIEMDIEM_DELIVERY_GROUP_WAIT": "0"].merging(environment) { _, new in new }) { _, new in new }
        stderr = OutputCollector(pipe)
        try process.run()
        try waitReady()
    }

    private func waitReady() throws {
        let text = try stderr.wait(what: "the ready line") { $0.contains("ready control=") }
        let line = text.split(separator: "\n").last { $0.contains("ready control=") }!
        for part in line.split(separator: " ") {
            if part.hasPrefix("control=") { control = String(part.dropFirst("control=".count)) }
            if part.hasPrefix("events=") { events = String(part.dropFirst("events=".count)) }
            if part.hasPrefix("http=") { http = String(part.dropFirst("http=".count)) }
        }
    }

    /// Runs kiemdiemctl against this daemon.
    @discardableResult
    func ctl(_ args: [String], allowFailure: Bool = false) throws -> (status: Int32, out: String, err: String) {
        let r = try run(binDir.appendingPathComponent("kiemdiemctl"), args + ["--endpoint", control])
        if r.status != 0, !allowFailure { throw TestFailure("kiemdiemctl \(args.joined(separator: " ")) failed (\(r.status)): \(r.err)") }
        return r
    }

    func ctlJSON(_ args: [String]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(try ctl(args + ["--json"]).out.utf8))
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM and the exit status; a daemon that does not stop within 30 s is killed and the
    /// test fails (exit status -1).
    func terminate() -> Int32 {
        process.terminate()
        do { try process.waitExit(within: 30, what: "kiemdiemd after SIGTERM") } catch {
            Issue.record("\(error)")
            return -1
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }
}

extension Process {
    /// Waits for the process to exit, at most `seconds`: then it is killed and the wait throws,
    /// so a hung child fails its test instead of hanging the suite.
    func waitExit(within seconds: Double, what: String) throws {
        let deadline = Date().addingTimeInterval(seconds)
        let tick = DispatchSemaphore(value: 0)
        while isRunning {
            if Date() >= deadline {
                kill(processIdentifier, SIGKILL)
                waitUntilExit()
                throw TestFailure("\(what) did not exit within \(Int(seconds)) s; killed")
            }
            _ = tick.wait(timeout: .now() + .milliseconds(5)) // a poll interval under a deadline
        }
        waitUntilExit() // reaps, and lets the termination status settle
    }
}

/// Runs a program to completion, capturing its output.
func run(_ exe: URL, _ args: [String], environment: [String: String]? = nil) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = exe
    p.arguments = args
    // kiemdiemctl reads no ctl.yaml of the machine's (a developer's ~/.config/kiemdiem, an
    // installed /etc/kiemdiem): only what a test gives it.
    var env = environment ?? ProcessInfo.processInfo.environment
    if env["KIEMDIEM_CONFIG"] == nil { env["KIEMDIEM_CONFIG"] = "/dev/null" }
    p.environment = env
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    let o = OutputCollector(out), e = OutputCollector(err)
    try p.run()
    try p.waitExit(within: 60, what: exe.lastPathComponent + " " + args.prefix(3).joined(separator: " "))
    try o.waitClosed()
    try e.waitClosed()
    return (p.terminationStatus, o.text, e.text)
}
