import Foundation
import KiemDiemStore
import KiemDiemWire
import Testing

/// The store on an in-memory database: the outbox keeps one event per id in seq order, jobs move
/// through their states only as the lease holder says, the audit reads back what was written.
@Suite(.timeLimit(.minutes(5))) struct StoreTests {
    let encoder = WireJSON.encoder()

    func body(_ id: String, _ type: EventType = .deadlineReminder) -> EventBody {
        EventBody(id: id, type: type, time: "2022-11-18T00:00:00+07:00")
    }

    @Test func anEventIdIsStoredOnceAndSeqsAreContiguous() throws {
        let store = try Store()
        let t = Date(timeIntervalSince1970: 1_668_704_400)
        let seqs = try store.write { tx in
            [try tx.appendEvent(body("a"), at: t, encoder: encoder), try tx.appendEvent(body("b"), at: t, encoder: encoder),
             try tx.appendEvent(body("a"), at: t, encoder: encoder), try tx.appendEvent(body("c", .stageOpened), at: t, encoder: encoder)]
        }
        #expect(seqs == [1, 2, nil, 3])
        #expect(try store.read { try $0.lastSeq() } == 3)
        let all = try store.read { try $0.events(since: 0, topic: nil, limit: 10) }
        #expect(all.map(\.seq) == [1, 2, 3])
        let decoded = try all.map { try WireJSON.decoder().decode(EventBody.self, from: $0.body) }
        #expect(decoded.map(\.id) == ["a", "b", "c"] && decoded.map(\.seq) == [1, 2, 3])
        // Paging and a topic prefix.
        #expect(try store.read { try $0.events(since: 1, topic: nil, limit: 1) }.map(\.seq) == [2])
        #expect(try store.read { try $0.events(since: 0, topic: EventType.stageOpened.rawValue, limit: 10) }.map(\.seq) == [3])
        // A write that throws stores nothing.
        struct Boom: Error {}
        #expect(throws: Boom.self) { try store.write { tx in _ = try tx.appendEvent(body("d"), at: t, encoder: encoder); throw Boom() } }
        #expect(try store.read { try $0.lastSeq() } == 3)
    }

    @Test func jobsMoveOnlyAsTheLeaseHolderSays() throws {
        let store = try Store()
        try store.write { tx in
            for i in 1...3 {
                try tx.enqueueJob(key: "k\(i)", eventSeq: Int64(i), kind: .reminder, channel: .spool, recipient: "c\(i)", address: nil, payload: "{}", now: 100)
            }
            // The same key is the same notification: not queued twice.
            #expect(try !tx.enqueueJob(key: "k1", eventSeq: 9, kind: .reminder, channel: .smtp, recipient: "x", address: nil, payload: "{}", now: 100))
        }
        let leased = try store.write { try $0.leaseJobs(limit: 2, worker: "w1", now: 100, lease: 30) }
        #expect(leased.map(\.key) == ["k1", "k2"] && leased.allSatisfy { $0.state == .leased && $0.attempts == 1 && $0.channel == .spool })
        #expect(try store.read { try $0.jobCounts() } == [.leased: 2, .pending: 1])
        // Another worker's word does not count; the holder's does.
        #expect(try !store.write { try $0.finishJob(leased[0].id, worker: "w2", now: 101) })
        #expect(try store.write { try $0.finishJob(leased[0].id, worker: "w1", now: 101) })
        // A retryable failure backs off; a permanent one is dead at once.
        let backoff: (Int) -> Double = { Double($0) * 10 }
        #expect(try store.write { try $0.failJob(leased[1].id, worker: "w1", error: "busy", retry: true, now: 102, backoff: backoff, maxAttempts: 3) } == .pending)
        #expect(try store.write { try $0.leaseJobs(limit: 5, worker: "w1", now: 111, lease: 30) }.map(\.key) == ["k3"])
        let again = try store.write { try $0.leaseJobs(limit: 5, worker: "w1", now: 112, lease: 30) }
        #expect(again.map(\.key) == ["k2"] && again[0].attempts == 2)
        #expect(try store.write { try $0.failJob(again[0].id, worker: "w1", error: "no address", retry: false, now: 113, backoff: backoff, maxAttempts: 3) } == .dead)
        // An expired lease goes back; a dead job comes back only when retried.
        #expect(try store.write { try $0.expireLeases(now: 200, maxAttempts: 3) } == 1)
        #expect(try store.read { try $0.jobCounts() } == [.done: 1, .dead: 1, .pending: 1])
        let dead = try #require(try store.read { try $0.jobs(state: .dead, limit: 5) }.first)
        #expect(dead.key == "k2" && dead.lastError == "no address")
        #expect(try store.write { try $0.retryJob(dead.id, now: 300) })
        #expect(try !store.write { try $0.retryJob(dead.id, now: 300) })
        #expect(try store.read { try $0.jobCounts() } == [.done: 1, .pending: 2])
    }

    @Test func theAuditReadsBackInOrderFromAnInstant() throws {
        let store = try Store()
        for (i, command) in ["done", "extend", "flag"].enumerated() {
            try store.write {
                try $0.appendAudit(time: Date(timeIntervalSince1970: 1000 + Double(i) * 60), actor: "admin", role: "admin", command: command, args: "{}", result: "ok")
            }
        }
        let rows = try store.read { try $0.auditEntries(since: Date(timeIntervalSince1970: 1060), limit: 10) }
        #expect(rows.map(\.command) == ["extend", "flag"])
        #expect(try store.read { try $0.auditEntries(since: nil, limit: 1) }.map(\.command) == ["done"])
    }
}
