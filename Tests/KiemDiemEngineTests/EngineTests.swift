import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Testing
@testable import KiemDiemEngine

@Suite(.timeLimit(.minutes(5))) struct EngineSchedulingTests {
    func summary(_ es: [EventBody]) -> [String] {
        es.map { e in
            var s = "\(e.type) \(e.unit ?? "-") \(e.stage ?? "-")"
            if let m = e.members { s += " [" + m.map(\.id).joined(separator: ",") + "]" }
            if e.late == true { s += " late" }
            return s
        }
    }

    @Test func remindersAndOverdueOnlyForIncompleteUnits() throws {
        let f = try Fixture()
        try f.load()
        #expect(summary(try f.events()) == ["stage.opened duk a", "stage.opened duk b", "stage.opened duk c"])
        let start = try f.engine.store.read { try $0.lastSeq() }

        _ = try f.done("c1", "a", member: "m1", now: at("2022-11-02T09:00:00+07:00"))
        _ = try f.done("c2", "a", now: at("2022-11-02T09:00:00+07:00")) // all of c2's members
        try f.engine.advance(to: at("2022-11-24T12:00:00+07:00"))
        let reminders = try f.events(since: start).filter { $0.type == "deadline.reminder" }
        #expect(summary(reminders) == [
            "deadline.reminder g2 a [m4,m5]", "deadline.reminder c1 a [m2]",   // 7d before, 18 Nov (in path order)
            "deadline.reminder g2 a [m4,m5]", "deadline.reminder c1 a [m2]",   // 1d before, 24 Nov
        ])
        #expect(reminders.map(\.lead) == ["7d", "7d", "1d", "1d"])
        #expect(reminders.first?.time == "2022-11-18T00:00:00+07:00")
        #expect(reminders[1].path == "duk/gc/c1/")
        #expect(reminders[1].message?.contains("Trần Thị Bình") == true)

        _ = try f.done("g2", "a", now: at("2022-11-24T13:00:00+07:00"))
        let before = try f.engine.store.read { try $0.lastSeq() }
        try f.engine.advance(to: at("2022-11-25T00:00:00+07:00"))
        #expect(summary(try f.events(since: before)) == ["deadline.overdue c1 a [m2]"])
    }

    @Test func aStageCannotCompleteBeforeItsSubtree() throws {
        let f = try Fixture()
        try f.load()
        let now = at("2022-11-10T08:00:00+07:00")
        _ = try f.done("c1", "a", member: "m1", now: now)
        #expect {
            _ = try f.done("c1", "b", now: now)
        } throws: { e in
            let e = e as! ErrorBody
            return e.code == .conflict && e.message.contains("'a' is not complete in the subtree of 'c1'") && e.message.contains("m2")
        }
        _ = try f.done("c1", "a", now: now)
        #expect(try f.done("c1", "b", now: now).unitCompleted)
        // gc's subtree still has c2, which has done neither a nor b.
        #expect {
            _ = try f.done("gc", "c", now: now)
        } throws: { e in (e as! ErrorBody).message.contains("1 units left (c2)") }
        _ = try f.done("c2", "a", now: now)
        _ = try f.done("c2", "b", now: now)
        #expect(try f.done("gc", "c", now: now).unitCompleted)
        #expect(try f.done("gc", "c", now: now).alreadyDone)
    }

    @Test func wrongTargetsAreRefusedWithTheReason() throws {
        let f = try Fixture()
        try f.load()
        let now = at("2022-11-10T08:00:00+07:00")
        let cases: [(String, String, String?, String)] = [
            ("gc", "a", nil, "stage 'a' is for members"),
            ("c1", "c", nil, "is for units of kind grassroots-cell, grassroots-committee"),
            ("c1", "zz", nil, "no stage 'zz'"),
            ("nope", "a", nil, "no unit 'nope'"),
            ("c1", "a", "m4", "belongs to 'g2'"),
            ("c1", "b", "m1", "drop --member"),
        ]
        for (unit, stage, member, message) in cases {
            #expect(performing: { _ = try f.done(unit, stage, member: member, now: now) }, throws: { e in
                (e as? ErrorBody)?.message.contains(message) == true
            })
        }
        let early = #expect(throws: ErrorBody.self) { _ = try f.done("c1", "a", now: at("2022-10-30")) } // before the opening
        #expect(early?.code == .conflict && early?.message.contains("it cannot be completed before") == true)
        #expect(try f.engine.store.read { try $0.lastSeq() } == 3) // nothing stored but the openings
    }

    @Test func anExtendedUnitHasItsOwnDeadline() throws {
        let f = try Fixture()
        try f.load()
        try f.engine.advance(to: at("2022-11-20"))
        _ = try f.engine.extend(ExtendArgs(unit: "g2", stage: "a", until: "2022-11-28", reason: "Đại hội chi bộ"), now: at("2022-11-20"))
        #expect(throws: ErrorBody.self) {
            _ = try f.engine.extend(ExtendArgs(unit: "g2", stage: "a", until: "2022-11-28", reason: " "), now: at("2022-11-20"))
        }
        let before = try f.engine.store.read { try $0.lastSeq() }
        try f.engine.advance(to: at("2022-11-30"))
        let e = summary(try f.events(since: before).filter { $0.stage == "a" })
        #expect(e == [
            "deadline.reminder g2 a [m4,m5]",                                    // 21 Nov, 7d before its own deadline
            "deadline.reminder c1 a [m1,m2]", "deadline.reminder c2 a [m3]",     // 24 Nov (1d): g2 is extended
            "deadline.overdue c1 a [m1,m2]", "deadline.overdue c2 a [m3]",       // 25 Nov
            "deadline.reminder g2 a [m4,m5]",                                    // 27 Nov, 1d before its own deadline
            "deadline.overdue g2 a [m4,m5]",                                     // 28 Nov
        ])
    }

    @Test func catchUpFiresOnceMarkedLate() throws {
        let f = try Fixture()
        try f.load()
        let before = try f.engine.store.read { try $0.lastSeq() }
        // Down from 1 Nov to 2 Dec: a's reminders and overdue, b's reminder and overdue fell due.
        try f.engine.advance(to: at("2022-12-02"), catchUp: true)
        let e = try f.events(since: before)
        #expect(summary(e) == [
            "deadline.overdue g2 a [m4,m5] late", "deadline.overdue c1 a [m1,m2] late", "deadline.overdue c2 a [m3] late",
            "deadline.overdue g2 b late", "deadline.overdue c1 b late", "deadline.overdue c2 b late",
        ])
        // Once: a daemon that restarts with the watermark rolled back (a crash before it was
        // stored) goes over the same window again and stores nothing twice.
        try f.store.write { try $0.setWatermark("t", at("2022-11-01T08:00:00+07:00")) }
        let restarted = try Engine(store: f.store)
        #expect(restarted.campaigns["t"]?.watermark == at("2022-11-01T08:00:00+07:00"))
        try restarted.advance(to: at("2022-12-02"), catchUp: true)
        #expect(try f.engine.store.read { try $0.lastSeq() } == before + 6)
    }

    @Test func pauseHoldsDeadlinesAndResumeCatchesUp() throws {
        let f = try Fixture()
        try f.load()
        _ = try f.engine.setPaused("t", true, now: at("2022-11-10"))
        try f.engine.advance(to: at("2022-11-26"))
        let paused = try f.engine.store.read { try $0.lastSeq() }
        #expect(paused == 3)
        _ = try f.engine.setPaused("t", false, now: at("2022-11-26"))
        #expect(summary(try f.events(since: paused)) == [
            "deadline.overdue g2 a [m4,m5] late", "deadline.overdue c1 a [m1,m2] late", "deadline.overdue c2 a [m3] late",
        ])
    }

    @Test func previewShowsWhatAdvanceWillFireAndChangesNothing() throws {
        let f = try Fixture()
        try f.load()
        _ = try f.done("c2", "a", now: at("2022-11-05"))
        let seq = try f.engine.store.read { try $0.lastSeq() }
        let jobs = try f.store.read { try $0.jobs(state: nil, limit: 1000) }.count
        let watermark = try f.store.read { try $0.campaigns() }.map(\.watermark)
        let (preview, truncated) = try f.engine.preview(from: at("2022-11-05"), until: at("2022-12-02"))
        #expect(truncated == nil)
        // With a limit, the same events up to it, and where it stopped.
        for limit in [1, 5, 11] {
            let part = try f.engine.preview(from: at("2022-11-05"), until: at("2022-12-02"), limit: limit)
            #expect(part.events.map(\.id) == preview.prefix(limit).map(\.id))
            #expect(part.truncatedAt != nil && part.truncatedAt! <= at("2022-12-02"))
        }
        #expect(try f.engine.store.read { try $0.lastSeq() } == seq)
        #expect(try f.store.read { try $0.jobs(state: nil, limit: 1000) }.count == jobs)
        #expect(try f.store.read { try $0.campaigns() }.map(\.watermark) == watermark && f.engine.campaigns["t"]?.watermark == watermark.first)
        try f.engine.advance(to: at("2022-12-02"))
        let fired = try f.events(since: seq)
        #expect(preview.map(\.id) == fired.map(\.id))
        #expect(preview.count == 12) // a: 2 units × (7d, 1d, overdue); b: 3 units × (3d, overdue)
    }

    @Test func campaignCompletesWhenEveryStageIsDone() throws {
        let f = try Fixture()
        try f.load()
        let now = at("2022-11-10")
        for cell in ["c1", "c2", "g2"] { _ = try f.done(cell, "a", now: now); _ = try f.done(cell, "b", now: now) }
        _ = try f.done("gc", "c", now: now)
        #expect(try f.events().last?.type == "stage.completed")
        _ = try f.done("g2", "c", now: now)
        let last = try f.events().last
        #expect(last?.type == "campaign.completed" && last?.id == "t/campaign.completed")
        #expect(f.engine.listCampaigns(now: now).first?.status == "completed")
    }
}

@Suite(.timeLimit(.minutes(5))) struct EngineStorageTests {
    @Test func seqIsContiguousAndSurvivesReopening() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("db.sqlite").path
        do {
            let f = try Fixture(store: try Store(path: path))
            try f.load()
            try f.engine.advance(to: at("2022-11-20"))
        }
        let f = try Fixture(store: try Store(path: path))
        let before = try f.events()
        try f.engine.advance(to: at("2022-12-10"))
        let all = try f.events()
        #expect(all.count > before.count)
        #expect(all.map(\.seq) == Array(1...Int64(all.count)))
        #expect(Set(all.map(\.id)).count == all.count)
    }

    @Test func aBadImportChangesNothing() throws {
        let f = try Fixture()
        let bad = "id,parent,kind,name,head,email\nnew1,duk,grassroots-cell,Mới,,\nnew2,ghost,cell,Lạc,,\n"
        #expect {
            _ = try f.engine.importUnits(FileArgs(name: "bad.csv", content: bad), now: at("2022-11-02"))
        } throws: { e in
            let m = (e as! ErrorBody).message
            return m.contains("bad.csv:3") && m.contains("unknown parent 'ghost'")
        }
        #expect(try f.store.read { try $0.unit("new1") } == nil)
        let badMembers = "id,unit,name,role,email,disciplined\nm9,c1,Mới,member,,false\nm10,c1,Lỗi,member,,perhaps\n"
        #expect(throws: ErrorBody.self) { _ = try f.engine.importMembers(FileArgs(name: "m.csv", content: badMembers), now: at("2022-11-02")) }
        #expect(try f.store.read { try $0.member("m9") } == nil)
    }

    @Test func reimportUpdatesAndMovesSubtrees() throws {
        let f = try Fixture()
        try f.load()
        let moved = "id,parent,kind,name,head,email\nsc,gc,sub-committee,Đảng bộ bộ phận mới,,\nc2,gc,cell,Chi bộ Thanh tra 1,m3,\n"
        let r = try f.engine.importUnits(FileArgs(name: "u.csv", content: moved), now: at("2022-11-02"))
        #expect(r.added == 0 && r.updated == 2)
        #expect(try f.store.read { try $0.unit("c2")?.path } == "duk/gc/c2/")
    }

    @Test func loadingTheSamePlanTwiceIsIdempotentButAChangedOneConflicts() throws {
        let f = try Fixture()
        try f.load()
        let seq = try f.store.read { try $0.lastSeq() }
        let opened = try f.events().filter { $0.type == "stage.opened" }.map(\.id)
        try f.load()
        #expect(try f.store.read { try $0.lastSeq() } == seq)
        #expect(try f.events().filter { $0.type == "stage.opened" }.map(\.id) == opened)
        let changed = #expect(throws: ErrorBody.self) { try f.load(smallPlan.replacingOccurrences(of: "2022-12-05", with: "2022-12-06")) }
        #expect(changed?.code == .conflict && changed?.message.contains("already loaded with a different plan") == true)
        #expect(throws: ErrorBody.self) { try f.load(smallPlan.replacingOccurrences(of: "root: duk", with: "root: nowhere").replacingOccurrences(of: "id: t\n", with: "id: t2\n")) }
    }
}

/// An instant's burst written in slices gives the same events, jobs and escalations as one
/// transaction, and the engine hands control back between slices.
@Suite(.timeLimit(.minutes(5))) struct EngineSliceTests {
    func run(sliceSize: Int) throws -> (events: [String], jobs: [String], between: Int, lastSeq: Int64) {
        let f = try Fixture()
        f.engine.sliceSize = sliceSize
        var between = 0
        f.engine.betweenSlices = { between += 1 }
        try f.load(escalatingPlan)
        // Reminders, overdue notices and the escalation ladder, each instant fired in slices.
        try f.engine.advance(to: at("2022-12-10T00:00:00+07:00"))
        let jobs = try f.store.read { try $0.jobs(state: nil, limit: 10_000) }.map(\.key).sorted()
        return (try f.events().map(\.id), jobs, between, try f.store.read { try $0.lastSeq() })
    }

    @Test func slicesOfOneFireWhatOneTransactionFires() throws {
        let whole = try run(sliceSize: 2000)
        let sliced = try run(sliceSize: 1)
        #expect(sliced.events == whole.events, "the same events in the same order")
        #expect(sliced.jobs == whole.jobs && !whole.jobs.isEmpty)
        #expect(sliced.lastSeq == whole.lastSeq)
        #expect(whole.between < sliced.between, "control came back between slices: \(whole.between) whole, \(sliced.between) sliced")
        #expect(sliced.between >= sliced.events.count / 2)
    }
}
