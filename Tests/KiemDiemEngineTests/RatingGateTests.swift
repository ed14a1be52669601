import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Testing
@testable import KiemDiemEngine

/// Issue 25, item 10: no rating before the campaign opens; a flagged unit is decided after the
/// review its upper committee directs (refused, or warned with `directed_review.rating: warn`).
@Suite(.timeLimit(.minutes(5))) struct RatingGateTests {
    let now = at("2022-12-02T08:00:00+07:00")

    func rate(_ f: Fixture, _ rows: String, proposed: Bool = false, at when: Date? = nil) throws -> RateResult {
        try f.engine.rate(RateArgs(name: "r.csv", content: "subject,kind,level\n" + rows, proposed: proposed), now: when ?? now, by: "admin")
    }

    @Test func aRatingBeforeTheCampaignOpensIsRefused() throws {
        let f = try Fixture()
        try f.load(now: at("2022-10-20T08:00:00+07:00")) // loaded ahead; it opens on 1 Nov at 08:00
        let e = #expect(throws: ErrorBody.self) { _ = try rate(f, "m2,member,good\n", proposed: true, at: at("2022-11-01T07:59:59+07:00")) }
        #expect(e?.code == .conflict && e?.message.contains("opens 2022-11-01T08:00:00+07:00") == true, "\(String(describing: e))")
        #expect(try f.store.read { try $0.currentRatings(campaign: "t") }.isEmpty)
        #expect(try rate(f, "m2,member,good\n", proposed: true, at: at("2022-11-01T08:00:00+07:00")).accepted == 1)
    }

    @Test func aFlaggedUnitIsDecidedOnlyOnceItsDirectedReviewIsHeld() throws {
        let f = try Fixture()
        try f.load()
        _ = try f.engine.flag(FlagArgs(unit: "g2", reasons: ["disunity", "public-outrage"], note: "Đơn thư phản ánh"), now: at("2022-11-10"), by: "admin")
        // Proposals go on: the cell reviews its members and rates itself.
        _ = try rate(f, "m4,member,good\nm5,member,failed\ng2,unit,good\n", proposed: true)
        let seq = try f.store.read { try $0.lastSeq() }
        let e = #expect(throws: ErrorBody.self) { _ = try rate(f, "g2,unit,good\n") }
        #expect(e?.code == .rejected && e?.details?.count == 1 && e?.details?.first?.hasPrefix("line 2: [directed-review] Chưa thể quyết định xếp loại Chi bộ Sở Tư pháp: ") == true,
                "\(String(describing: e))")
        let rejected = try f.events(since: seq).filter { $0.type == "rating.rejected" }
        #expect(rejected.map { "\($0.rule!) \($0.path!)" } == ["directed-review duk/g2/"])
        #expect(rejected.first?.message?.contains("Chi bộ Sở Tư pháp: ") == true && rejected.first?.message?.contains("mất đoàn kết") == true)
        #expect(try f.store.read { try $0.currentRatings(campaign: "t") }.filter { $0.entry.subject == "g2" && $0.entry.status == .decided }.isEmpty)
        // Another unit's decision is not held up by g2's flag.
        #expect(try rate(f, "m3,member,good\nc2,unit,good\n", proposed: true).accepted == 2)
        #expect(try rate(f, "c2,unit,good\n").accepted == 1)
        // The review held: the decision goes through.
        _ = try f.done("g2", "directed-review", now: at("2022-11-25"))
        #expect(try rate(f, "g2,unit,good\n").accepted == 1)
    }

    @Test func closingTheFlagAlsoEndsTheWait() throws {
        let f = try Fixture()
        try f.load()
        _ = try f.engine.flag(FlagArgs(unit: "g2", reasons: ["negativity"], note: "Có dấu hiệu"), now: at("2022-11-10"), by: "admin")
        _ = try rate(f, "m4,member,good\nm5,member,failed\n", proposed: true)
        #expect(throws: ErrorBody.self) { _ = try rate(f, "g2,unit,good\n") }
        _ = try f.engine.unflag(UnflagArgs(unit: "g2", note: "Không có căn cứ"), now: at("2022-11-20"), by: "admin")
        #expect(try rate(f, "g2,unit,good\n").accepted == 1)
    }

    @Test func aPlanMayWarnInstead() throws {
        let f = try Fixture()
        try f.load(smallPlan + "\ndirected_review: {due_in: 15d, rating: warn}\n")
        _ = try f.engine.flag(FlagArgs(unit: "g2", reasons: ["disunity"], note: "Đơn thư phản ánh"), now: at("2022-11-10"), by: "admin")
        _ = try rate(f, "m4,member,good\nm5,member,failed\n", proposed: true)
        let r = try rate(f, "g2,unit,good\n")
        #expect(r.accepted == 1)
        #expect(r.warnings?.contains { $0.hasPrefix("Lưu ý: đã ghi nhận quyết định xếp loại Chi bộ Sở Tư pháp trước khi tổ chức kiểm điểm theo chỉ đạo của Ban Thường vụ Đảng ủy Khối") } == true,
                "\(r.warnings ?? [])")
    }

    @Test func theSettingIsRefuseOrWarn() throws {
        let p = try PlanParser.parse(smallPlan + "\ndirected_review: {due_in: 15d, rating: warn}\n", source: "p.yaml")
        #expect(p.directedReviewRating == .warn && p.directedReviewDueIn == 15 * 86_400)
        #expect(try PlanParser.parse(smallPlan, source: "p.yaml").directedReviewRating == nil)
        do {
            _ = try PlanParser.parse(smallPlan + "\ndirected_review: {due_in: 15d, rating: later}\n", source: "p.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.errors.contains { $0.reason.contains("directed_review.rating 'later' must be refuse or warn") && $0.line == 23 }, "\(error.errors)")
        }
    }
}
