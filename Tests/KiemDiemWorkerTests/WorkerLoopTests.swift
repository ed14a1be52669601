import Foundation
import KiemDiemWire
import Logging
import Synchronization
import Testing
import ZeroMQ
@testable import KiemDiemWorker

/// The worker's loop against a jobs socket played by the test: deliveries run concurrently inside
/// the window, and a job is answered `done` only once a flush made it durable.
@Suite(.timeLimit(.minutes(5))) struct WorkerLoopTests {
    /// A channel that records how many deliveries overlap, and whose flush may fail.
    final class Recorder: DeliveryChannel, @unchecked Sendable {
        let state = Mutex((running: 0, maxRunning: 0, delivered: [String: ContinuousClock.Instant](), flushes: [ContinuousClock.Instant]()))
        let flushFails: Bool
        init(flushFails: Bool) { self.flushFails = flushFails }
        func deliver(_ n: Outgoing) throws {
            state.withLock { $0.running += 1; $0.maxRunning = max($0.maxRunning, $0.running) }
            Thread.sleep(forTimeInterval: 0.03) // a slow server, so that deliveries overlap
            state.withLock { $0.running -= 1; $0.delivered[n.key] = .now }
        }
        func flush() throws {
            state.withLock { $0.flushes.append(.now) }
            if flushFails { throw DeliveryError(retryable: true, "disk full") }
        }
    }

    /// Runs a worker with `channel` against a ROUTER, hands it `jobs` jobs, returns its answers.
    func answers(channel: Recorder, jobs: Int) throws -> [(message: JobsMessage, at: ContinuousClock.Instant)] {
        let ctx = try ZMQContext()
        let router = try Socket(ctx, .router)
        try router.setLinger(0)
        try router.bind("tcp://127.0.0.1:*")
        let templates = try NotificationTemplates(directory: repoRoot.appendingPathComponent("config/templates").path)
        var options = WorkerOptions(endpoint: try router.lastEndpoint, curve: nil, capacity: 64, name: "t")
        options.concurrency = 4
        let loop = try WorkerLoop(options: options, deliverer: Deliverer(templates: templates, channels: [.spool: channel]),
                                  logger: Logger(label: "t"))
        let thread = Thread { try? loop.run() }
        thread.start()
        defer { loop.stop() }
        let decoder = WireJSON.decoder(), encoder = WireJSON.encoder()
        func next() throws -> (Data, JobsMessage)? {
            guard try poll([router], timeoutMs: 10_000).first?.contains(.readable) == true, let f = try router.receive() else { return nil }
            return (f[0], try decoder.decode(JobsMessage.self, from: f[1]))
        }
        guard let (worker, hello) = try next(), hello.type == .ready else { throw TestFailure("no ready") }
        for i in 1...jobs {
            var m = JobsMessage(type: .job)
            m.job = Int64(i)
            m.key = "k\(i)"
            m.attempt = 1
            m.channel = "spool"
            m.payload = payload(.reminder)
            try router.send([worker, try encoder.encode(m)])
        }
        var out: [(message: JobsMessage, at: ContinuousClock.Instant)] = []
        while out.count < jobs, let (_, m) = try next() {
            if m.type == .done || m.type == .fail { out.append((m, .now)) }
        }
        return out
    }

    @Test func deliveriesOverlapInsideTheWindowAndAreFlushedInBatches() throws {
        let channel = Recorder(flushFails: false)
        let got = try answers(channel: channel, jobs: 12)
        #expect(got.count == 12 && got.allSatisfy { $0.message.type == .done })
        #expect(Set(got.compactMap(\.message.job)) == Set(1...12))
        let s = channel.state.withLock { $0 }
        #expect(s.delivered.count == 12)
        #expect(s.maxRunning >= 2 && s.maxRunning <= 4, "at most the concurrency at once: \(s.maxRunning)")
        // Every `done` came after a flush that came after its delivery.
        for (m, at) in got {
            guard let delivered = s.delivered["k\(m.job!)"] else { Issue.record("job \(m.job!) not delivered"); continue }
            #expect(s.flushes.contains { $0 >= delivered && $0 <= at }, "job \(m.job!): done without a flush after its delivery")
        }
    }

    @Test func aFailedFlushAnswersFailNotDone() throws {
        let channel = Recorder(flushFails: true)
        let got = try answers(channel: channel, jobs: 3)
        #expect(got.count == 3 && got.allSatisfy { $0.message.type == .fail && $0.message.retry == true && $0.message.error == "disk full" })
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
