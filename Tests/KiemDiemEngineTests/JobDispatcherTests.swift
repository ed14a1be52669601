import Foundation
import KiemDiemStore
import KiemDiemWire
import Logging
import Testing
@testable import KiemDiemEngine

/// The lease state machine, driven with a simulated wall clock: pending → leased → done/dead.
@Suite(.timeLimit(.minutes(5))) struct JobDispatcherTests {
    let worker1 = Data([1]), worker2 = Data([2])

    func setUp(jobs: Int = 3) throws -> (Store, JobDispatcher) {
        let store = try Store()
        try store.write { tx in
            for i in 1...jobs {
                let p = JobPayload(kind: .reminder, event: "e\(i)", key: "k\(i)", campaign: "c", campaignTitle: "C", stage: "s", stageTitle: "S",
                                   unit: "u\(i)", unitName: "U", unitPath: "root/u\(i)", recipient: "u\(i)", recipientName: "U", recipientEmail: nil,
                                   due: "2022-11-25T00:00:00+07:00", dueText: "trước ngày 25/11/2022", time: "2022-11-18T00:00:00+07:00")
                try tx.enqueueJob(key: "k\(i)", eventSeq: Int64(i), kind: .reminder, channel: .spool, recipient: "u\(i)", address: nil, payload: p.json, now: 0)
            }
        }
        var policy = JobPolicy()
        policy.lease = .seconds(30)
        policy.maxAttempts = 3
        policy.workerTimeout = .seconds(5)
        return (store, JobDispatcher(store: store, policy: policy, logger: Logger(label: "test")))
    }

    func msg(_ m: JobsMessage) -> Data { try! WireJSON.encoder().encode(m) }
    func jobsSent(_ out: [[Data]]) -> [JobsMessage] {
        out.compactMap { try? WireJSON.decoder().decode(JobsMessage.self, from: $0[1]) }.filter { $0.type == .job }
    }
    func states(_ s: Store) throws -> [String] { try s.read { try $0.jobs(state: nil, limit: 10) }.sorted { $0.id < $1.id }.map(\.state.rawValue) }

    @Test func leasesUpToCapacityAndSettlesOnDone() throws {
        let (store, d) = try setUp()
        let out = d.receive([worker1, msg(.ready(capacity: 2, name: "w"))], keyName: nil, now: 1)
        let sent = jobsSent(out)
        #expect(sent.map(\.key) == ["k1", "k2"] && sent.allSatisfy { $0.attempt == 1 })
        #expect(try states(store) == ["leased", "leased", "pending"])
        let more = d.receive([worker1, msg(.done(sent[0].job!))], keyName: nil, now: 2)
        #expect(jobsSent(more).map(\.key) == ["k3"])
        #expect(try states(store) == ["done", "leased", "leased"])
    }

    @Test func aPassOfMessagesIsSettledTogetherAndTheRoomLeasedAgainInOneRound() throws {
        let (store, d) = try setUp(jobs: 10)
        let out = d.receive([([worker1, msg(.ready(capacity: 4, name: "a"))], nil), ([worker2, msg(.ready(capacity: 4, name: "b"))], nil)], now: 1)
        let first = jobsSent(out)
        #expect(first.count == 8 && Set(first.map(\.key)).count == 8)
        func held(by w: Data) -> [Int64] { jobsSent(out.filter { $0[0] == w }).map { $0.job! } }
        let held1 = held(by: worker1), held2 = held(by: worker2)
        try #require(held1.count == 4 && held2.count == 4)
        // One pass: worker1 finishes two and fails one for good, a malformed message sits between
        // them, worker2 finishes one it holds and claims one it does not hold.
        let batch: [(frames: [Data], keyName: String?)] = [
            ([worker1, msg(.done(held1[0]))], nil), ([worker1, msg(.done(held1[1]))], nil), ([worker1, Data("{".utf8)], nil),
            ([worker1, msg(.fail(held1[2], retry: false, error: "no address"))], nil),
            ([worker2, msg(.done(held2[0]))], nil), ([worker2, msg(.done(held1[3]))], nil),
        ]
        let next = jobsSent(d.receive(batch, now: 2))
        let rows = try store.read { try $0.jobs(state: nil, limit: 20) }
        func state(_ id: Int64) -> JobState? { rows.first { $0.id == id }?.state }
        #expect(state(held1[0]) == .done && state(held1[1]) == .done && state(held1[2]) == .dead && state(held2[0]) == .done)
        #expect(state(held1[3]) == .leased) // worker2's word on worker1's job does not count
        // The two jobs left go to the room the pass freed, each once.
        #expect(next.count == 2 && Set(next.map(\.key)).isDisjoint(with: first.map(\.key)))
        #expect(try store.read { try $0.jobCounts() } == [.done: 3, .dead: 1, .leased: 6])
    }

    @Test func failuresBackOffThenDie() throws {
        let (store, d) = try setUp(jobs: 1)
        var sent = jobsSent(d.receive([worker1, msg(.ready(capacity: 1, name: "w"))], keyName: nil, now: 0))
        // The default back-off: 2 s after the first failure, doubling (4 s after the second).
        let waits: [Double] = [2, 4]
        for attempt in 1...3 {
            let job = try #require(sent.first, "attempt \(attempt) was handed out")
            #expect(job.attempt == attempt)
            _ = d.receive([worker1, msg(.fail(job.job!, retry: true, error: "SMTP down"))], keyName: nil, now: Double(attempt * 100))
            if attempt < 3 {
                #expect(try states(store) == ["pending"])
                let failedAt = Double(attempt * 100)
                #expect(jobsSent(d.tick(now: failedAt + waits[attempt - 1] - 0.1)).isEmpty) // backing off
                sent = jobsSent(d.tick(now: failedAt + waits[attempt - 1] + 0.1))
                #expect(sent.count == 1, "attempt \(attempt + 1) after \(waits[attempt - 1]) s")
            }
        }
        let dead = try store.read { try $0.jobs(state: .dead, limit: 1) }
        #expect(dead.first?.lastError == "SMTP down" && dead.first?.attempts == 3)
        #expect(try store.write { try $0.retryJob(dead[0].id, now: 400) })
        #expect(jobsSent(d.receive([worker1, msg(JobsMessage(type: .heartbeat))], keyName: nil, now: 401)).first?.attempt == 1)
    }

    @Test func theBackOffDoublesUpToItsCap() {
        var p = JobPolicy()
        #expect((1...9).map { p.backoff(afterAttempt: $0) } == [2, 4, 8, 16, 32, 64, 128, 256, 300].map { .seconds($0) })
        p.backoffMax = .seconds(10)
        #expect((1...5).map { p.backoff(afterAttempt: $0) } == [2, 4, 8, 10, 10].map { .seconds($0) })
    }

    @Test func aPermanentFailureIsDeadAtOnceWithItsReason() throws {
        let (store, d) = try setUp(jobs: 1)
        let sent = jobsSent(d.receive([worker1, msg(.ready(capacity: 1, name: "w"))], keyName: nil, now: 0))
        _ = d.receive([worker1, msg(.fail(sent[0].job!, retry: false, error: "no e-mail address"))], keyName: nil, now: 1)
        let dead = try store.read { try $0.jobs(state: .dead, limit: 1) }
        #expect(dead.first?.lastError == "no e-mail address" && dead.first?.attempts == 1)
    }

    @Test func aSilentWorkersJobsGoToAnother() throws {
        let (store, d) = try setUp(jobs: 2)
        let first = jobsSent(d.receive([worker1, msg(.ready(capacity: 2, name: "w1"))], keyName: nil, now: 0))
        #expect(first.count == 2)
        _ = d.receive([worker2, msg(.ready(capacity: 2, name: "w2"))], keyName: nil, now: 4)
        _ = d.receive([worker2, msg(JobsMessage(type: .heartbeat))], keyName: nil, now: 8)
        let second = jobsSent(d.tick(now: 8))                  // worker1 silent for 8 s > 5 s
        #expect(second.compactMap(\.key).sorted() == ["k1", "k2"] && second.allSatisfy { $0.attempt == 2 })
        #expect(d.workerCount == 1)
        // worker1's late answer does not settle what worker2 now holds.
        _ = d.receive([worker1, msg(.done(first[0].job!))], keyName: nil, now: 9)
        #expect(try states(store) == ["leased", "leased"])
        _ = d.receive([worker2, msg(.done(second[0].job!))], keyName: nil, now: 9)
        #expect(try states(store).contains("done"))
    }

    @Test func onlyTheLeaseHolderSettlesAJob() throws {
        let (store, d) = try setUp(jobs: 1)
        let held = jobsSent(d.receive([worker1, msg(.ready(capacity: 1, name: "w1"))], keyName: nil, now: 0))
        _ = d.receive([worker2, msg(.ready(capacity: 1, name: "w2"))], keyName: nil, now: 1)
        // Another live worker's DONE (or FAIL) for a job it does not hold changes nothing.
        _ = d.receive([worker2, msg(.done(held[0].job!))], keyName: nil, now: 2)
        _ = d.receive([worker2, msg(.fail(held[0].job!, retry: false, error: "x"))], keyName: nil, now: 2)
        #expect(try states(store) == ["leased"])
        _ = d.receive([worker1, msg(.done(held[0].job!))], keyName: nil, now: 3)
        #expect(try states(store) == ["done"])
    }

    @Test func anExpiredLeaseIsHandedOutAgain() throws {
        let (store, d) = try setUp(jobs: 1)
        _ = d.receive([worker1, msg(.ready(capacity: 1, name: "w1"))], keyName: nil, now: 0)
        // The worker keeps beating but never answers: after the 30 s lease the job is free again.
        for t in stride(from: 1.0, through: 31, by: 1) { _ = d.receive([worker1, msg(JobsMessage(type: .heartbeat))], keyName: nil, now: t) }
        let again = jobsSent(d.tick(now: 31))
        #expect(again.first?.attempt == 2)
        #expect(try states(store) == ["leased"])
    }

    @Test func malformedMessagesAreDropped() throws {
        let (_, d) = try setUp()
        #expect(d.receive([worker1, Data("nonsense".utf8)], keyName: nil, now: 0).isEmpty)
        #expect(d.receive([worker1], keyName: nil, now: 0).isEmpty)
        #expect(d.workerCount == 0)
    }
}
