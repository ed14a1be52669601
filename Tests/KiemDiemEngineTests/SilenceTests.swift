import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemTesting
import KiemDiemWire
import Testing
@testable import KiemDiemEngine

/// Silences: reminders and escalations for a subtree are held, not lost. The expected letters
/// are read off the events (what fell due, as published), not off the silence code.
@Suite(.timeLimit(.minutes(5))) struct SilenceTests {
    func context(_ f: Fixture, now: Date) -> CommandContext {
        CommandContext(engine: f.engine, now: now, caller: Caller(name: "admin", role: .admin), host: TestHost(engine: f.engine, now: now))
    }

    func jobs(_ f: Fixture) throws -> [JobRow] { try f.store.read { try $0.jobs(state: nil, limit: 10_000) } }

    /// Events that cause a letter under this plan: reminders, and escalation steps.
    func lettered(_ e: EventBody) -> Bool { e.type == "deadline.reminder" || e.type == "escalation.raised" }

    @Test func aSilenceHoldsItsSubtreesLettersAndItsEndSendsTheLatestOnceIfStillLate() throws {
        let f = try Fixture()
        try f.load(escalatingPlan)
        let until = at("2022-11-29T00:00:00+07:00")
        _ = try SilenceAdd.run(SilenceAddArgs(unit: "gc", stage: "a", until: "2022-11-29T00:00:00+07:00", reason: "Sáp nhập cơ quan"),
                               in: context(f, now: at("2022-11-02T08:00:00+07:00")))
        try f.engine.advance(to: at("2022-11-27T12:00:00+07:00"))
        _ = try f.done("c1", "a", now: at("2022-11-27T12:00:00+07:00")) // c1 finishes during the silence
        try f.engine.advance(to: at("2022-11-28T23:00:00+07:00"))
        let events = try f.events()
        // The facts are published as ever; the letters about gc's subtree at stage a are held.
        let held = events.filter { lettered($0) && $0.stage == "a" && ($0.path ?? "").hasPrefix("duk/gc/") }
        #expect(!held.isEmpty)
        #expect(try jobs(f).filter { j in held.contains { $0.id == j.key } }.isEmpty)
        // Outside the silence (g2), and at other stages, letters go out.
        let free = events.filter { lettered($0) && !(($0.path ?? "").hasPrefix("duk/gc/") && $0.stage == "a") }
        let queuedNow = try jobs(f)
        #expect(!free.isEmpty && free.allSatisfy { e in queuedNow.contains { $0.key == e.id } })
        #expect(try SilenceList.run(SilenceListArgs(), in: context(f, now: until)).first?.held == held.count)
        // Its end: per unit and stage still late, the latest held letter, once; c1 (done) gets none.
        let before = Set(try jobs(f).map(\.key))
        try f.engine.advance(to: until)
        let released = try jobs(f).map(\.key).filter { !before.contains($0) }
        let expected = Dictionary(grouping: held.filter { $0.unit != "c1" }, by: { $0.unit! }).values.map { $0.max { $0.seq < $1.seq }!.id }
        #expect(Set(released) == Set(expected) && released.count == expected.count, "\(released) vs \(expected)")
        let expired = try f.events().filter { $0.type == "silence.expired" }
        #expect(expired.count == 1 && (expired[0].message ?? "").contains("Hết thời hạn tạm dừng"))
        #expect(try SilenceList.run(SilenceListArgs(), in: context(f, now: until)).isEmpty)
        // After it, the ladder's letters flow again.
        let after = try jobs(f).count
        try f.engine.advance(to: at("2022-12-06"))
        #expect(try jobs(f).count > after)
    }

    @Test func expiringEarlyReleasesAtOnceAndTheWholeUnitIsCovered() throws {
        let f = try Fixture()
        try f.load(escalatingPlan)
        let s = try SilenceAdd.run(SilenceAddArgs(unit: "g2", until: "2022-12-31", reason: "Bí thư nghỉ phép"),
                                   in: context(f, now: at("2022-11-02T08:00:00+07:00")))
        #expect(s.stage == nil)
        try f.engine.advance(to: at("2022-11-26T12:00:00+07:00"))
        let held = try f.events().filter { lettered($0) && $0.unit == "g2" }
        let queued = try jobs(f)
        #expect(!held.isEmpty && queued.allSatisfy { $0.recipient != "g2" })
        let before = Set(try jobs(f).map(\.key))
        let ended = try SilenceExpire.run(IdArgs(id: s.id), in: context(f, now: at("2022-11-26T12:00:00+07:00")))
        #expect(ended.ended == "2022-11-26T12:00:00+07:00")
        let released = try jobs(f).filter { !before.contains($0.key) }
        let expected = Dictionary(grouping: held, by: { $0.stage! }).values.map { $0.max { $0.seq < $1.seq }!.id }
        #expect(Set(released.map(\.key)) == Set(expected))
        #expect(throws: ErrorBody.self) { try SilenceExpire.run(IdArgs(id: s.id), in: context(f, now: at("2022-11-26T13:00:00+07:00"))) }
    }

    @Test func aSilenceIsCheckedAndShownInStatusAndTheReport() throws {
        let f = try Fixture()
        try f.load(escalatingPlan)
        let now = at("2022-11-02T08:00:00+07:00")
        for (args, why) in [(SilenceAddArgs(unit: "gc", until: "2022-11-01", reason: "x"), "not after now"),
                            (SilenceAddArgs(unit: "gc", until: "tomorrow", reason: "x"), "until must be"),
                            (SilenceAddArgs(unit: "gc", stage: "zz", until: "2022-12-01", reason: "x"), "no stage"),
                            (SilenceAddArgs(unit: "nowhere", until: "2022-12-01", reason: "x"), "no unit"),
                            (SilenceAddArgs(unit: "gc", until: "2022-12-01", reason: "  "), "reason")] {
            #expect(performing: { try SilenceAdd.run(args, in: context(f, now: now)) }, throws: { "\($0)".contains(why) })
        }
        _ = try SilenceAdd.run(SilenceAddArgs(unit: "sc", until: "2022-12-01", reason: "Sáp nhập"), in: context(f, now: now))
        let status = try Status.run(NoArgs(), in: context(f, now: now))
        #expect(status.silences?.map(\.unit) == ["sc"])
        let report = try f.engine.report(UnitFilter(unit: "gc"), now: now)
        #expect(report.first?.silences?.first?.reason == "Sáp nhập")
        #expect(try f.engine.report(UnitFilter(unit: "g2"), now: now).first?.silences == nil)
        #expect(try f.events().contains { $0.type == "silence.added" && ($0.message ?? "").contains("Sáp nhập") })
    }
}
