import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Testing
@testable import KiemDiemEngine

/// Issue 25, item 5: the commendation proposal is its own act, after the decision, only on a
/// decided `excellent` (rule 6), audited and published.
@Suite(.timeLimit(.minutes(5))) struct CommendTests {
    let now = at("2022-12-02T08:00:00+07:00")

    /// The small tree decided, m2 excellent (no quota in this plan, so one excellent is legal).
    func decided() throws -> Fixture {
        let f = try Fixture()
        try f.load(smallPlan + "\nquota: none\n")
        let csv = "subject,kind,level\nm1,member,good\nm2,member,excellent\nm3,member,good\nc1,unit,good\nc2,unit,good\nsc,unit,good\ngc,unit,good\n"
        _ = try f.engine.rate(RateArgs(name: "de-xuat.csv", content: csv, proposed: true), now: now, by: "admin")
        _ = try f.engine.rate(RateArgs(name: "don-vi.csv", content: "subject,kind,level\nc1,unit,good\nc2,unit,good\nsc,unit,good\ngc,unit,good\n"), now: now, by: "admin")
        _ = try f.engine.rate(RateArgs(name: "dang-vien.csv", content: "subject,kind,level\nm2,member,excellent\nm3,member,good\n"), now: now, by: "admin")
        return f
    }

    func commendation(_ f: Fixture, _ subject: String) throws -> Bool? {
        try f.engine.ratings(RatingsArgs()).first { $0.subject == subject && $0.status == "decided" }?.commendation
    }

    @Test func aDecidedExcellentIsCommendedAndPublishedOnItsCellsTopic() throws {
        let f = try decided()
        #expect(try commendation(f, "m2") == false)
        let seq = try f.store.read { try $0.lastSeq() }
        let r = try f.engine.commend(CommendArgs(subject: "m2", kind: "member", note: "Đề nghị tặng Giấy khen"), now: now, by: "admin")
        #expect(r == CommendResult(campaign: "t", subject: "m2", kind: "member", level: "excellent", commendation: true, changed: true))
        #expect(try commendation(f, "m2") == true)
        let events = try f.events(since: seq)
        #expect(events.map { "\($0.type) \($0.path!) \($0.member ?? "")" } == ["rating.commended duk/gc/c1/ m2"])
        #expect(events.first?.message == "Đề nghị khen thưởng đảng viên Trần Thị Bình, được quyết định xếp loại \"Hoàn thành xuất sắc nhiệm vụ\". Ghi chú: Đề nghị tặng Giấy khen.")
        #expect(try f.engine.report(UnitFilter(unit: "gc"), now: now)[0].ratings?.commended == ["members": 1])
        // Again: nothing changes, nothing published.
        #expect(try f.engine.commend(CommendArgs(subject: "m2", kind: "member", note: "Lần nữa"), now: now, by: "admin").changed == false)
        #expect(try f.events(since: seq).count == 1)
        // Withdrawn: its own event, and the report no longer counts it.
        let w = try f.engine.commend(CommendArgs(subject: "m2", kind: "member", note: "Theo ý kiến Ban Thường vụ", withdraw: true), now: now, by: "admin")
        #expect(w.commendation == false && w.changed)
        #expect(try f.events(since: seq).last?.message?.hasPrefix("Rút đề nghị khen thưởng đảng viên Trần Thị Bình") == true)
        #expect(try commendation(f, "m2") == false)
        #expect(try f.engine.report(UnitFilter(unit: "gc"), now: now)[0].ratings?.commended == nil)
    }

    @Test func onlyADecidedExcellentIsCommended() throws {
        let f = try decided()
        let seq = try f.store.read { try $0.lastSeq() }
        let good = #expect(throws: ErrorBody.self) { _ = try f.engine.commend(CommendArgs(subject: "m3", kind: "member", note: "x"), now: now, by: "admin") }
        #expect(good?.code == .rejected && good?.details == [
            "[commendation] Chưa thể đề nghị khen thưởng đảng viên Lê Văn Cường vì xếp loại \"Hoàn thành tốt nhiệm vụ\"; chỉ khen thưởng tổ chức, đảng viên xếp loại \"Hoàn thành xuất sắc nhiệm vụ\" (theo Quy định 132-QĐ/TW và Hướng dẫn 21-HD/BTCTW).",
        ], "\(String(describing: good))")
        // m1 is only proposed: no decision, no commendation.
        let undecided = #expect(throws: ErrorBody.self) { _ = try f.engine.commend(CommendArgs(subject: "m1", kind: "member", note: "x"), now: now, by: "admin") }
        #expect(undecided?.code == .rejected && undecided?.details?.first?.contains("chưa có quyết định xếp loại") == true)
        #expect(throws: ErrorBody.self) { _ = try f.engine.commend(CommendArgs(subject: "gc", kind: "unit", note: "x"), now: now, by: "admin") }
        #expect(try commendation(f, "m3") == false && commendation(f, "gc") == false)
        // Each refusal is published as the rule's finding on the subject's topic.
        #expect(try f.events(since: seq).map { "\($0.type) \($0.rule ?? "") \($0.path!)" } == [
            "rating.rejected commendation duk/gc/sc/c2/", "rating.rejected commendation duk/gc/c1/", "rating.rejected commendation duk/gc/",
        ])
        #expect(throws: ErrorBody.self) { _ = try f.engine.commend(CommendArgs(subject: "m2", kind: "person", note: "x"), now: now, by: "admin") }
        #expect(throws: ErrorBody.self) { _ = try f.engine.commend(CommendArgs(subject: "m2", kind: "member", note: "  "), now: now, by: "admin") }
    }

    @Test func theCommendationGoesWithTheRatingItRestsOn() throws {
        let f = try decided()
        _ = try f.engine.commend(CommendArgs(subject: "m2", kind: "member", note: "Giấy khen"), now: now, by: "admin")
        // Annulling the decision names the commendation, and takes it along with --cascade.
        let e = #expect(throws: ErrorBody.self) { _ = try f.engine.annul(AnnulArgs(subject: "m2", kind: "member", reason: "Xem xét lại"), now: now, by: "admin") }
        #expect(e?.code == .conflict && e?.details?.contains { $0.hasPrefix("[commendation]") } == true)
        let annulled = try f.engine.annul(AnnulArgs(subject: "m2", kind: "member", reason: "Xem xét lại", cascade: true), now: now, by: "admin")
        #expect(annulled.ratings?.first?.commendation == true)
        _ = try f.engine.rate(RateArgs(name: "lai.csv", content: "subject,kind,level\nm2,member,good\n"), now: now, by: "admin")
        #expect(try commendation(f, "m2") == false)
    }
}
