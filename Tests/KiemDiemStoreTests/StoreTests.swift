import Foundation
import GRDB
import KiemDiemCore
import KiemDiemWire
import Testing
@testable import KiemDiemStore

/// The store on an in-memory database: the outbox keeps one event per id in seq order, jobs move
/// through their states only as the lease holder says, the audit reads back what was written.
@Suite(.timeLimit(.minutes(5))) struct StoreTests {

    func body(_ id: String, _ type: EventType = .deadlineReminder) -> EventBody {
        EventBody(id: id, type: type, time: "2022-11-18T00:00:00+07:00")
    }

    @Test func anEventIdIsStoredOnceAndSeqsAreContiguous() throws {
        let store = try Store()
        let t = Date(timeIntervalSince1970: 1_668_704_400)
        let seqs = try store.write { tx in
            [try tx.appendEvent(body("a"), at: t), try tx.appendEvent(body("b"), at: t),
             try tx.appendEvent(body("a"), at: t), try tx.appendEvent(body("c", .stageOpened), at: t)]
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
        #expect(throws: Boom.self) { try store.write { tx in _ = try tx.appendEvent(body("d"), at: t); throw Boom() } }
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

/// The counters `status` and the metrics read in O(1) are kept by triggers: whatever the writes,
/// they equal a count over the tables; and leasing reads pending jobs through an index in id order.
@Suite(.timeLimit(.minutes(5))) struct StoreCounterTests {
    /// What the counters must say, counted the slow way.
    func counted(_ store: Store) throws -> [String: Int] {
        try store.read { tx in
            var out: [String: Int] = [:]
            for (name, sql) in [("units", "SELECT COUNT(*) FROM unit"), ("cells", "SELECT COUNT(*) FROM unit WHERE kind IN ('cell', 'grassroots-cell')"),
                                ("members", "SELECT COUNT(*) FROM member"), ("events", "SELECT COUNT(*) FROM event")] {
                out[name] = try Int.fetchOne(tx.db, sql: sql) ?? 0
            }
            for s in JobState.allCases { out["jobs.\(s.rawValue)"] = try Int.fetchOne(tx.db, sql: "SELECT COUNT(*) FROM job WHERE state = ?", arguments: [s.rawValue]) ?? 0 }
            return out
        }
    }

    @Test func countersFollowEveryKindOfWrite() throws {
        let store = try Store()
        var rng = SystemRandomNumberGenerator()
        // A tree, then the same ids again with kinds changed (a cell becomes a sub-committee and back).
        func tree(_ flip: Bool) -> [OrgUnit] {
            [OrgUnit(id: "duk", parent: nil, kind: .bloc, name: "Khối"), OrgUnit(id: "gc", parent: "duk", kind: .grassrootsCommittee, name: "Sở"),
             OrgUnit(id: "c1", parent: "gc", kind: flip ? .subCommittee : .cell, name: "Chi bộ 1"), OrgUnit(id: "g2", parent: "duk", kind: .grassrootsCell, name: "Sở 2")]
        }
        for flip in [false, true, false] {
            try store.write { tx in _ = try tx.saveTree(tree(flip), incoming: Set(tree(flip).map(\.id))) }
            #expect(try store.read { try $0.counters() } == (try counted(store)))
        }
        try store.write { tx in _ = try tx.saveMembers((1...5).map { Member(id: "m\($0)", unit: "c1", name: "Đảng viên \($0)", role: .member) }) }
        try store.write { tx in _ = try tx.saveMembers([Member(id: "m1", unit: "g2", name: "Đảng viên 1", role: .secretary)]) }
        // Events, some pruned; jobs through every state change.
        for i in 1...40 {
            try store.write { tx in
                _ = try tx.appendEvent(EventBody(id: "e\(i)", type: .deadlineReminder, time: "t"), at: Date(timeIntervalSince1970: Double(i) * 100))
                try tx.enqueueJob(key: "k\(i)", eventSeq: Int64(i), kind: .reminder, channel: .spool, recipient: "c1", address: nil, payload: "{}", now: 0)
            }
        }
        _ = try store.write { try $0.pruneEvents(before: Date(timeIntervalSince1970: 1050)) }
        for round in 0..<20 {
            let leased = try store.write { try $0.leaseJobs(limit: Int.random(in: 1...6, using: &rng), worker: "w", now: Double(round), lease: 5) }
            for j in leased {
                switch Int.random(in: 0...2, using: &rng) {
                case 0: try store.write { _ = try $0.finishJob(j.id, worker: "w", now: Double(round)) }
                case 1: _ = try store.write { try $0.failJob(j.id, worker: "w", error: "x", retry: Bool.random(using: &rng), now: Double(round), backoff: { _ in 0 }, maxAttempts: 2) }
                default: break
                }
            }
            if round % 5 == 4 { _ = try store.write { try $0.expireLeases(now: Double(round) + 10, maxAttempts: 2) } }
            if round % 7 == 6, let dead = try store.read({ try $0.jobs(state: .dead, limit: 1) }).first { _ = try store.write { try $0.retryJob(dead.id, now: 0) } }
            #expect(try store.read { try $0.counters() } == (try counted(store)), "round \(round)")
        }
        let c = try counted(store)
        #expect(c["units"] == 4 && c["cells"] == 2 && c["members"] == 5 && c["events"] == 30)
        let counts = try store.read { try $0.counts() }
        #expect(counts.units == 4 && counts.cells == 2 && counts.members == 5 && counts.events == 30)
        // A write that fails leaves the counters as they were.
        struct Boom: Error {}
        #expect(throws: Boom.self) { try store.write { tx in try tx.enqueueJob(key: "k99", eventSeq: 99, kind: .reminder, channel: .spool, recipient: "c1", address: nil, payload: "{}", now: 0); throw Boom() } }
        #expect(try store.read { try $0.counters() } == (try counted(store)))
    }

    @Test func leasingReadsPendingJobsThroughAnIndexWithoutASort() throws {
        let store = try Store()
        let plan = try store.read { tx in
            try Row.fetchAll(tx.db, sql: "EXPLAIN QUERY PLAN SELECT id FROM job INDEXED BY job_pending WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
                             arguments: [0, 10]).map { $0["detail"] as String? ?? "" }
        }
        #expect(plan.contains { $0.contains("job_pending") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
    }

    @Test func synchronousIsFullUnlessAskedOtherwise() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-sync-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (mode, pragma) in [(Store.Synchronous.full, 2), (.normal, 1)] {
            let store = try Store(path: dir.appendingPathComponent("\(mode).sqlite").path, synchronous: mode)
            #expect(try store.write { try Int.fetchOne($0.db, sql: "PRAGMA synchronous") } == pragma)
            #expect(try store.read { try Int.fetchOne($0.db, sql: "PRAGMA synchronous") } == pragma)
        }
        #expect(try Store(path: dir.appendingPathComponent("default.sqlite").path).read { try Int.fetchOne($0.db, sql: "PRAGMA synchronous") } == 2)
    }
}
