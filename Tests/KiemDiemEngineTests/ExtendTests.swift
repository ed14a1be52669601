import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Testing
@testable import KiemDiemEngine

/// Issue 25, item 7: an extension only moves a deadline later, never past what depends on it
/// unless `cascade` moves that too, and may cover a whole subtree; the schedule honours it.
/// The small plan: a (members, 25 Nov) ← b (cells, 1 Dec) ← c (grassroots organizations, 5 Dec).
@Suite(.timeLimit(.minutes(5))) struct ExtendTests {
    let now = at("2022-11-10T09:00:00+07:00")

    func extend(_ f: Fixture, _ unit: String, _ stage: String, _ until: String, cascade: Bool = false, subtree: Bool = false) throws -> ExtendResult {
        try f.engine.extend(ExtendArgs(unit: unit, stage: stage, until: until, reason: "Đơn vị đang sáp nhập", cascade: cascade ? true : nil, subtree: subtree ? true : nil), now: now)
    }

    func error(_ body: () throws -> Void) -> ErrorBody? {
        do { try body(); return nil } catch { return error as? ErrorBody }
    }

    @Test func aDateNotAfterTheCurrentDeadlineIsNoExtension() throws {
        let f = try Fixture()
        try f.load()
        for until in ["2022-11-30", "2022-12-01"] {
            let e = error { _ = try extend(f, "c1", "b", until) }
            #expect(e?.code == .invalidInput && e?.message.contains("not an extension: 'c1' is due for 'b' 2022-12-01T00:00:00+07:00") == true, "\(String(describing: e))")
        }
        _ = try extend(f, "g2", "b", "2022-12-03")
        // Against the unit's own deadline once extended.
        #expect(error { _ = try extend(f, "g2", "b", "2022-12-02") }?.message.contains("due for 'b' 2022-12-03") == true)
        #expect(try f.events().filter { $0.type == "deadline.extended" }.count == 1)
    }

    @Test func anExtensionPastADependentDeadlineIsRefusedUnlessItCascades() throws {
        let f = try Fixture()
        try f.load(escalatingPlan)
        let e = error { _ = try extend(f, "c1", "b", "2022-12-08") }
        #expect(e?.code == .conflict && e?.details == ["stage 'c' of 'gc' is due 2022-12-05T00:00:00+07:00, before 2022-12-08T00:00:00+07:00, and comes after 'b'"],
                "\(String(describing: e))")
        #expect(f.engine.schedules["t"]?.extensions.isEmpty == true)
        #expect(try f.events().filter { $0.type == "deadline.extended" }.isEmpty)

        let r = try extend(f, "c1", "b", "2022-12-08", cascade: true)
        #expect(r.moved == [MovedDeadline(stage: "c", unit: "gc", from: "2022-12-05T00:00:00+07:00", due: "2022-12-08T00:00:00+07:00")])
        let ext = try f.events().filter { $0.type == "deadline.extended" }
        #expect(ext.map { "\($0.stage!) \($0.path!) \($0.due!)" } == ["b duk/gc/c1/ 2022-12-08T00:00:00+07:00", "c duk/gc/ 2022-12-08T00:00:00+07:00"])
        #expect(ext[0].message?.hasSuffix("Lùi hạn theo: \"Tổ chức cơ sở đảng kiểm điểm\" của Đảng bộ Sở Tài chính.") == true, "\(ext[0].message ?? "")")
        #expect(ext[1].message?.hasPrefix("Lùi hạn \"Tổ chức cơ sở đảng kiểm điểm\" của Đảng bộ Sở Tài chính đến") == true, "\(ext[1].message ?? "")")

        // The simulated clock: nothing overdue or escalated for c1's b and gc's c before 8 Dec;
        // the others fall due on the plan's dates.
        try f.engine.advance(to: at("2022-12-07T23:59:00+07:00"), persistClock: true)
        let early = try f.events().filter { ["deadline.overdue", "escalation.raised"].contains($0.type) }
        #expect(!early.contains { ($0.unit == "c1" && $0.stage == "b") || ($0.unit == "gc" && $0.stage == "c") }, "\(early.map { "\($0.type) \($0.unit!) \($0.stage!)" })")
        #expect(early.contains { $0.type == "deadline.overdue" && $0.unit == "c2" && $0.stage == "b" })
        #expect(early.contains { $0.type == "deadline.overdue" && $0.unit == "g2" && $0.stage == "c" })
        try f.engine.advance(to: at("2022-12-08T00:00:00+07:00"), persistClock: true)
        let due = try f.events().filter { $0.type == "deadline.overdue" && $0.time.hasPrefix("2022-12-08") }
        #expect(Set(due.map { "\($0.unit!) \($0.stage!)" }) == ["c1 b", "gc c"])
    }

    @Test func aCascadeFollowsTheChain() throws {
        let f = try Fixture()
        try f.load()
        // a for c1 to 6 Dec: c1's b (1 Dec) moves, and then gc's c (5 Dec), which comes after b.
        let r = try extend(f, "c1", "a", "2022-12-06", cascade: true)
        #expect(Set((r.moved ?? []).map { "\($0.stage) \($0.unit)" }) == ["b c1", "c gc"])
        let s = try #require(f.engine.schedules["t"])
        #expect(s.extensions[.init(stage: "c", unit: "gc")] == at("2022-12-06"))
        // Not further than needed: to 3 Dec only b moves.
        let g = try Fixture()
        try g.load()
        #expect(try extend(g, "c2", "a", "2022-12-03", cascade: true).moved?.map { "\($0.stage) \($0.unit)" } == ["b c2"])
    }

    @Test func aWholeSubtreeIsExtendedAndTheScheduleHonoursIt() throws {
        let f = try Fixture()
        try f.load()
        let e = error { _ = try extend(f, "gc", "a", "2022-11-28") }
        #expect(e?.code == .badRequest && e?.message.contains("--subtree") == true)
        let r = try extend(f, "gc", "a", "2022-11-28", subtree: true)
        #expect(r.extended?.map(\.unit) == ["c1", "c2"] && r.moved == nil)
        #expect(try f.events().filter { $0.type == "deadline.extended" }.map(\.unit) == ["c1", "c2"])
        try f.engine.advance(to: at("2022-11-27"))
        #expect(try f.events().filter { $0.type == "deadline.overdue" && $0.stage == "a" }.map(\.unit) == ["g2"])
        try f.engine.advance(to: at("2022-11-28"))
        #expect(try f.events().filter { $0.type == "deadline.overdue" && $0.stage == "a" }.map(\.unit) == ["g2", "c1", "c2"])
        // Units already due as late or later are left as they are; when none is left, refused.
        #expect(error { _ = try f.engine.extend(ExtendArgs(unit: "gc", stage: "a", until: "2022-11-28", reason: "x", subtree: true), now: at("2022-11-20")) }?.code == .conflict)
    }

    @Test func oneMemberGetsADeadlineOfTheirOwn() throws {
        let f = try Fixture()
        try f.load()
        func ext(_ until: String, member: String = "m2", unit: String = "c1", stage: String = "a") -> ErrorBody? {
            error { _ = try f.engine.extend(ExtendArgs(unit: unit, stage: stage, until: until, reason: "Ốm đau", member: member), now: now) }
        }
        #expect(ext("2022-11-28", stage: "b")?.message.contains("--member applies to a members stage") == true)
        #expect(ext("2022-11-28", unit: "c2")?.message.contains("member 'm2' belongs to 'c1', not to 'c2'") == true)
        #expect(ext("2022-11-25")?.message.contains("not an extension: member 'm2' is due for 'a' 2022-11-25") == true)
        #expect(ext("2022-12-03")?.details == ["stage 'b' of 'c1' is due 2022-12-01T00:00:00+07:00, before 2022-12-03T00:00:00+07:00, and comes after 'a'"])
        let r = try f.engine.extend(ExtendArgs(unit: "c1", stage: "a", until: "2022-11-28", reason: "Ốm đau", member: "m2"), now: now)
        #expect(r.member == "m2" && r.due == "2022-11-28T00:00:00+07:00")
        let e = try #require(try f.events().last { $0.type == "deadline.extended" })
        #expect(e.member == "m2" && e.path == "duk/gc/c1/" && e.message?.contains("đảng viên Trần Thị Bình (Chi bộ Văn phòng)") == true, "\(e)")
        // The cell's notices leave m2 out; m2's own come at the new date.
        func late(_ type: String, on day: String) throws -> [String] {
            try f.events().filter { $0.type == type && $0.unit == "c1" && $0.stage == "a" && $0.time.hasPrefix(day) }.map { ($0.members ?? []).map(\.id).joined(separator: ",") }
        }
        try f.engine.advance(to: at("2022-11-27T12:00:00+07:00"))
        #expect(try late("deadline.reminder", on: "2022-11-24") == ["m1"])
        #expect(try late("deadline.overdue", on: "2022-11-25") == ["m1"])
        #expect(try late("deadline.reminder", on: "2022-11-27") == ["m2"])
        try f.engine.advance(to: at("2022-11-28"))
        #expect(try late("deadline.overdue", on: "2022-11-28") == ["m2"])
        // A restarted engine rebuilds it from the store.
        let again = try Engine(store: f.store)
        #expect(again.schedules["t"]?.extensions[.init(stage: "a", unit: Schedule.memberKey(cell: "c1", member: "m2"))] == at("2022-11-28"))
    }
}
