import Foundation
import KiemDiemClient
import KiemDiemWire
import Testing
import ZeroMQ

/// A control request is never starved by a burst, nor the workers by control requests: while a `clock set` fires one reminder per
/// cell of a generated bloc and two workers drain the jobs it queued, `status` is answered
/// in under a second, and the drain ends. The debug build and a reduced tree (scale 4, about
/// 1,300 cells) keep the test short; `make soak` and `bench/e2e.py` measure the same at full
/// size, release.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ControlLatencyTests {
    @Test func statusIsAnsweredWithinASliceDuringAFiringAndADrain() throws {
        let d = try DaemonProcess()
        defer { _ = d.terminate() }
        let gen = Process()
        gen.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        gen.arguments = [repoRoot.appendingPathComponent("config/samples/generate.py").path, "--scale", "4", "--out", d.dir.path]
        gen.standardError = FileHandle.nullDevice
        try gen.run()
        try gen.waitExit(within: 60, what: "generate.py")
        try d.ctl(["import", "units", d.dir.appendingPathComponent("units.csv").path])
        try d.ctl(["import", "members", d.dir.appendingPathComponent("members.csv").path])
        try d.ctl(["campaign", "load", repoRoot.appendingPathComponent("config/plans/2022-annual.yaml").path])
        let spool = d.dir.appendingPathComponent("spool")
        let workers = try (0..<2).map { try WorkerProcess(daemon: d, spool: spool, extra: ["--name", "w\($0)"]) }
        defer { workers.forEach { $0.kill9() } }

        // A client asks `status` back to back from the start of the firing to the end of the drain.
        let shared = Samples()
        let endpoint = d.control
        // Four clients asking back to back, and one keeping 16 requests in flight: the control
        // socket is never empty, which must not keep the workers waiting (it once did: the loop
        // answered requests until none was left, and the drain never ended).
        let samplers = (0..<4).map { _ in
            Thread {
                guard let client = try? ControlClient(endpoint: endpoint, timeout: .seconds(30)) else { return }
                while !shared.stopped {
                    let t = ContinuousClock.now
                    guard (try? client.call(Status.self, NoArgs())) != nil else { continue }
                    shared.add(Double((ContinuousClock.now - t) / .microseconds(1)) / 1000)
                }
            }
        }
        samplers.forEach { $0.start() }
        // And one client that keeps 16 requests in flight: a request is always waiting.
        let flood = Thread {
            guard let ctx = try? ZMQContext(), let s = try? Socket(ctx, .dealer) else { return }
            defer { s.close() }
            try? s.setLinger(0)
            try? s.connect(endpoint)
            let request = Data(#"{"id":"f","command":"status","args":{}}"#.utf8)
            for _ in 0..<16 { _ = try? s.send(request) }
            while !shared.stopped {
                guard (try? poll([s], timeoutMs: 100))?.first?.contains(.readable) == true, (try? s.receive()) != nil else { continue }
                _ = try? s.send(request)
            }
        }
        flood.start()
        let fired = try d.ctlJSON(["clock", "set", "2022-11-18T00:00:00+07:00"]) as! [String: Any]
        let counts = try waitForJobs(d, timeout: 90)
        shared.stop()
        try eventually(timeout: 60, "the clients to stop") { samplers.allSatisfy(\.isFinished) && flood.isFinished }

        let all = shared.all.sorted()
        let p99 = all[min(all.count - 1, Int(Double(all.count) * 0.99))]
        print("control latency during \(fired["fired"] ?? "?") events and \(counts["done"] ?? 0) jobs: \(all.count) status, p50 \(all[all.count / 2]) ms, p99 \(p99) ms, max \(all.last!) ms")
        #expect((counts["done"] ?? 0) >= 1000, "\(counts)")
        #expect(all.count >= 20)
        // The bound that holds whatever else runs on the machine: no request waits a second.
        // The p99 is printed, not asserted: this debug build shares two cores with the rest of
        // the suite. Release figures come from `make bench` and `make soak` (docs/performance.md).
        #expect(all.last! < 1000, "a status waited \(all.last!) ms")
    }
}

/// Latencies gathered by the sampling thread.
private final class Samples: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Double] = []
    private var done = false
    var stopped: Bool { lock.withLock { done } }
    var all: [Double] { lock.withLock { values } }
    func add(_ v: Double) { lock.withLock { values.append(v) } }
    func stop() { lock.withLock { done = true } }
}
