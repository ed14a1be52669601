import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Testing
@testable import KiemDiemEngine

/// The rating rules held over the campaign's stored state, through the engine (the issue's list of
/// illegal states accepted and legal ones refused). The fixture's tree:
///   duk ─ gc (head m1) ─ c1 (head m1): m1, m2
///       │              └ sc (head m3) ─ c2 (head m3): m3
///       └ g2 (head m4): m4, m5 (disciplined)
@Suite(.timeLimit(.minutes(5))) struct RatingStateEngineTests {
    let now = at("2022-12-02T08:00:00+07:00")

    @discardableResult
    func rate(_ f: Fixture, _ rows: String, proposed: Bool = false, campaign: String? = nil) throws -> RateResult {
        try f.engine.rate(RateArgs(name: "r.csv", content: "subject,kind,level\n" + rows, campaign: campaign, proposed: proposed ? true : nil), now: now, by: "admin")
    }

    /// The rules of a refused change, sorted.
    func refused(_ f: Fixture, _ body: () throws -> Void) -> [String] {
        do {
            try body()
            return []
        } catch let e as ErrorBody {
            return (e.details ?? []).compactMap { d in
                guard let o = d.firstIndex(of: "["), let c = d.firstIndex(of: "]") else { return nil }
                return String(d[d.index(after: o)..<c])
            }.sorted()
        } catch { return ["\(error)"] }
    }

    func ratings(_ f: Fixture) throws -> [String] {
        try f.engine.ratings(RatingsArgs()).map { "\($0.kind):\($0.subject):\($0.status):\($0.level)" }.sorted()
    }

    /// Every member reviewed by its cell, the units decided bottom-up (c1 excellent).
    func reviewedAndDecided(_ f: Fixture) throws {
        try rate(f, "m1,member,good\nm2,member,good\nm3,member,good\nm4,member,good\nm5,member,failed\n", proposed: true)
        try rate(f, "c1,unit,excellent\nc2,unit,good\nsc,unit,good\ng2,unit,good\n")
        try rate(f, "gc,unit,good\n")
    }

    @Test func aCellRatedExcellentCannotThenHaveItsHeadFailed() throws {
        let f = try Fixture()
        try f.load()
        try reviewedAndDecided(f)
        let before = try ratings(f)
        #expect(refused(f) { try rate(f, "m1,member,failed\n") } == ["excellent-unit"])
        #expect(refused(f) { try rate(f, "m1,member,completed\n") } == ["excellent-unit"])
        #expect(try ratings(f) == before)
        #expect(try rate(f, "m1,member,good\n").accepted == 1)
    }

    @Test func aUnitAnnulledAndReRatedBelowItsHeadIsRefusedAndTheCascadeIsNamed() throws {
        let f = try Fixture()
        try f.load()
        try reviewedAndDecided(f)
        try rate(f, "m1,member,good\n")
        // gc's decided rating carries m1's (rule 2): refused unless --cascade.
        let e = #expect(throws: ErrorBody.self) { try f.engine.annul(AnnulArgs(subject: "gc", kind: "unit", reason: "Đánh giá chưa đúng"), now: now, by: "admin") }
        #expect(e?.code == .conflict && e?.details?.contains { $0.contains("[order-head]") && $0.contains("member m1 (decided)") } == true)
        let seq = try f.store.read { try $0.lastSeq() }
        let r = try f.engine.annul(AnnulArgs(subject: "gc", kind: "unit", reason: "Đánh giá chưa đúng", cascade: true), now: now, by: "admin")
        #expect(r.ratings?.map { "\($0.kind):\($0.subject)" } == ["unit:gc", "member:m1"])
        let annulled = try f.events(since: seq).filter { $0.type == "rating.annulled" }
        #expect(annulled.map { "\($0.unit!) \($0.member ?? "")" } == ["gc ", "c1 m1"])
        #expect(annulled.allSatisfy { $0.message?.contains("Cấp ủy cấp trên hủy") == true })
        try rate(f, "gc,unit,completed\n")
        #expect(refused(f) { try rate(f, "m1,member,good\n") } == ["head-above-unit"])
    }

    @Test func aConclusionOfDisunityStandsAfterTheFlagIsClosed() throws {
        let f = try Fixture()
        try f.load()
        _ = try f.engine.flag(FlagArgs(unit: "g2", reasons: ["disunity"], note: "Mất đoàn kết kéo dài", confirmed: true), now: at("2022-11-10"), by: "admin")
        _ = try f.engine.unflag(UnflagArgs(unit: "g2", note: "Đã kiểm điểm theo chỉ đạo"), now: at("2022-11-20"), by: "admin")
        try rate(f, "m4,member,good\nm5,member,failed\n", proposed: true)
        #expect(refused(f) { try rate(f, "g2,unit,good\n") } == ["conclusion"])
        #expect(refused(f) { try rate(f, "g2,unit,completed\n", proposed: true) } == ["conclusion"])
        #expect(try rate(f, "g2,unit,failed\n").accepted == 1)
    }

    @Test func aConfirmationAfterTheRatingIsAConflictToReDecide() throws {
        let f = try Fixture()
        try f.load()
        _ = try f.engine.flag(FlagArgs(unit: "g2", reasons: ["disunity", "public-outrage"], note: "Đơn thư phản ánh"), now: at("2022-11-10"), by: "admin")
        _ = try f.done("g2", "directed-review", now: at("2022-11-20")) // decided after the directed review (issue 25, item 10)
        try rate(f, "m4,member,good\nm5,member,failed\n", proposed: true)
        try rate(f, "g2,unit,good\n")
        let seq = try f.store.read { try $0.lastSeq() }
        let c = try f.engine.confirmFlag(FlagConfirmArgs(unit: "g2", note: "Kết luận của Ban Thường vụ"), now: now, by: "admin")
        #expect(c.kind == "unit" && c.reasons == ["disunity", "public-outrage"] && c.conflicts.count == 1 && c.conflicts[0].contains("[conclusion]"))
        let conflict = try f.events(since: seq).filter { $0.type == "rating.conflict" }
        #expect(conflict.map { "\($0.rule!) \($0.path!)" } == ["conclusion duk/g2/"])
        let report = try f.engine.report(UnitFilter(unit: "g2"), now: now)[0]
        #expect(report.conflicts?.map(\.rule) == ["conclusion"])
        _ = try f.engine.annul(AnnulArgs(subject: "g2", kind: "unit", reason: "Có kết luận mất đoàn kết"), now: now, by: "admin")
        try rate(f, "g2,unit,failed\n")
        #expect(try f.engine.report(UnitFilter(unit: "g2"), now: now)[0].conflicts == nil)
    }

    @Test func aMemberDisciplinedAfterTheRatingIsAPublishedConflict() throws {
        let f = try Fixture()
        try f.load()
        try rate(f, "m1,member,good\nm2,member,good\n", proposed: true)
        let seq = try f.store.read { try $0.lastSeq() }
        let members = smallMembers.replacingOccurrences(of: "m2,c1,Trần Thị Bình,member,,false", with: "m2,c1,Trần Thị Bình,member,,2022-11-20")
        _ = try f.engine.importMembers(FileArgs(name: "members.csv", content: members), now: now)
        let conflict = try f.events(since: seq).filter { $0.type == "rating.conflict" }
        #expect(conflict.map { "\($0.rule!) \($0.path!)" } == ["disciplined duk/gc/c1/"] && conflict[0].message?.contains("Trần Thị Bình") == true)
        #expect(try f.engine.report(UnitFilter(unit: "gc"), now: now)[0].conflicts?.map(\.subjects) == [["m2"]])
        // The rating stays until annulled; then it is re-decided as the rules say.
        #expect(try ratings(f).contains("member:m2:proposed:good"))
        _ = try f.engine.annul(AnnulArgs(subject: "m2", kind: "member", reason: "Bị kỷ luật"), now: now, by: "admin")
        #expect(refused(f) { try rate(f, "m2,member,good\n", proposed: true) } == ["disciplined"])
        try rate(f, "m2,member,failed\n", proposed: true)
        #expect(try f.engine.report(UnitFilter(unit: "gc"), now: now)[0].conflicts == nil)
        // A discipline dated in another year does not count in this campaign.
        let other = smallMembers.replacingOccurrences(of: "m1,c1,Nguyễn Văn An,secretary,,false", with: "m1,c1,Nguyễn Văn An,secretary,,2021-05-01")
        let s2 = try f.store.read { try $0.lastSeq() }
        _ = try f.engine.importMembers(FileArgs(name: "members.csv", content: other), now: now)
        #expect(try f.events(since: s2).filter { $0.type == "rating.conflict" }.isEmpty)
    }

    @Test func aTreeChangeThatBreaksARuleIsRefusedWhole() throws {
        let f = try Fixture()
        try f.load()
        try rate(f, "m1,member,good\nm2,member,good\nm3,member,good\n", proposed: true)
        try rate(f, "c1,unit,good\nc2,unit,good\nsc,unit,good\n")
        try rate(f, "gc,unit,completed\n")
        try rate(f, "m3,member,good\n")
        // m3 as the head of gc would be above it (rule 2): refused, nothing stored.
        let units = smallUnits.replacingOccurrences(of: "gc,duk,grassroots-committee,Đảng bộ Sở Tài chính,m1,", with: "gc,duk,grassroots-committee,Đảng bộ Sở Tài chính,m3,")
        let e = #expect(throws: ErrorBody.self) { try f.engine.importUnits(FileArgs(name: "units.csv", content: units), now: now) }
        #expect(e?.code == .rejected && e?.details?.first?.contains("[head-above-unit]") == true)
        #expect(try f.store.read { try $0.unit("gc")?.unit.head } == "m1")
    }

    /// A plan whose grassroots organizations close their review with a `grassroots-review` stage.
    let closingPlan = smallPlan.replacingOccurrences(of: "  - id: c\n", with: "  - id: grassroots-review\n")
        .replacingOccurrences(of: "    after: [b]\n    due: 2022-12-05", with: "    due: 2022-12-05")

    /// The details of a refusal, joined.
    func refusal(_ body: () throws -> Void) -> String {
        do {
            try body()
            return ""
        } catch let e as ErrorBody { return (e.details ?? []).joined(separator: "\n") } catch { return "\(error)" }
    }

    @Test func theQuotaRefusesADecisionItCanNoLongerAllowAndTheStageNeedsItsRatings() throws {
        let f = try Fixture()
        try f.load(closingPlan)
        try rate(f, "m1,member,good\nm2,member,excellent\nm3,member,good\n", proposed: true)
        // Closing the organization's review needs what the stage names: nothing is decided yet.
        let missing = refusal { _ = try f.done("gc", "grassroots-review", now: now) }
        #expect(missing.contains("chưa tự đánh giá, xếp loại tập thể") && missing.contains("còn 3 tổ chức trực thuộc chưa được quyết định xếp loại")
                && missing.contains("còn 2 đảng viên chưa được quyết định xếp loại"))
        try rate(f, "c1,unit,good\nc2,unit,good\nsc,unit,good\ngc,unit,good\n")
        // 20% of what three members can reach allows no excellent (five `good` allow one): the first
        // excellent is refused at once, not only when the last member is decided.
        #expect(refused(f) { try rate(f, "m2,member,excellent\n") } == ["quota"])
        let r = try rate(f, "m2,member,good\n")
        #expect(r.warnings?.count == 1 && r.warnings![0].contains("đã có 0/1") && r.warnings![0].contains("còn 2/3"))
        // m1 heads gc itself: decided after the bloc decides gc, so the stage needs only m3.
        let left = refusal { _ = try f.done("gc", "grassroots-review", now: now) }
        #expect(left.contains("còn 1 đảng viên chưa được quyết định xếp loại") && !left.contains("tổ chức trực thuộc"))
        try rate(f, "m3,member,good\n")
        #expect(try f.done("gc", "grassroots-review", now: now).unitCompleted)
        // From any state, a decision past what can be reached is refused (m3 also heads c2 and sc).
        _ = try f.engine.annul(AnnulArgs(subject: "m3", kind: "member", reason: "Xem xét lại"), now: now, by: "admin")
        #expect(refused(f) { try rate(f, "m3,member,excellent\n") } == ["head-above-unit", "head-above-unit", "quota"])
    }

    @Test func aConclusionThatLeavesTheQuotaOutOfReachIsAPublishedConflict() throws {
        // A cap of 50%: gc's m2 decided excellent while m1 and m3 may still be good (50% of 2
        // allows 1). A conclusion about m3 leaves it only `failed`: 50% of 1 allows none. The
        // conclusion is a fact, accepted; the quota is published as a conflict, not refused.
        let f = try Fixture()
        try f.load(smallPlan.replacingOccurrences(of: "year: 2022\n", with: "year: 2022\nquota: {share: 0.5, denominator: good}\n"))
        try rate(f, "m1,member,good\nm2,member,excellent\nm3,member,good\n", proposed: true)
        try rate(f, "c1,unit,good\nc2,unit,good\nsc,unit,good\n")
        try rate(f, "m2,member,excellent\n")
        let seq = try f.store.read { try $0.lastSeq() }
        _ = try f.engine.conclude(ConcludeArgs(member: "m3", reasons: ["degradation"], note: "Kết luận của Ủy ban Kiểm tra"), now: now, by: "admin")
        let conflicts = try f.events(since: seq).filter { $0.type == "rating.conflict" }
        #expect(conflicts.contains { $0.rule == "quota" }, "\(conflicts.map(\.rule))")
    }

    @Test func conclusionsAboutAMember() throws {
        let f = try Fixture()
        try f.load()
        #expect(throws: ErrorBody.self) { try f.engine.conclude(ConcludeArgs(member: "m2", reasons: ["disunity"], note: "x"), now: now, by: "admin") }
        #expect(throws: ErrorBody.self) { try f.engine.conclude(ConcludeArgs(member: "m2", reasons: ["degradation"], note: " "), now: now, by: "admin") }
        try rate(f, "m2,member,good\n", proposed: true)
        let c = try f.engine.conclude(ConcludeArgs(member: "m2", reasons: ["self-evolution"], note: "Kết luận của Ủy ban Kiểm tra"), now: now, by: "admin")
        #expect(c.conflicts.count == 1 && c.conflicts[0].contains("tự diễn biến"))
        _ = try f.engine.annul(AnnulArgs(subject: "m2", kind: "member", reason: "Có kết luận"), now: now, by: "admin")
        #expect(refused(f) { try rate(f, "m2,member,completed\n", proposed: true) } == ["conclusion"])
    }

    @Test func annullingARatingWithACommendationNeedsTheCascade() throws {
        let f = try Fixture()
        try f.load()
        _ = try f.engine.rate(RateArgs(name: "r.csv", content: "subject,kind,level,commendation\nm2,member,excellent,true\n", proposed: true), now: now, by: "admin")
        let e = #expect(throws: ErrorBody.self) { try f.engine.annul(AnnulArgs(subject: "m2", kind: "member", reason: "x"), now: now, by: "admin") }
        #expect(e?.details?.contains { $0.contains("[commendation]") } == true)
        let r = try f.engine.annul(AnnulArgs(subject: "m2", kind: "member", reason: "x", cascade: true), now: now, by: "admin")
        #expect(r.ratings?.first?.commendation == true)
    }

    @Test func suggestionsArePublishedDeliveredAndReported() throws {
        let f = try Fixture()
        try f.load()
        _ = try f.engine.flag(FlagArgs(unit: "c1", reasons: ["negativity"], note: "Có dấu hiệu"), now: at("2022-11-10"), by: "admin")
        let seq = try f.store.read { try $0.lastSeq() }
        let s = try f.engine.suggest(SuggestArgs(unit: "c1", name: "goi-y.txt", content: "1. Làm rõ trách nhiệm của bí thư chi bộ.\n2. Kiểm điểm việc thực hiện quy chế.\n"), now: now, by: "admin")
        #expect(s.author == "gc" && s.unit == "c1")
        let ev = try f.events(since: seq)
        #expect(ev.map { "\($0.type) \($0.path!) \($0.to!)" } == ["review.suggested duk/gc/c1/ c1"])
        #expect(ev[0].message?.hasPrefix("Đảng ủy Sở Tài chính gửi gợi ý kiểm điểm (đơn vị có dấu hiệu cần kiểm điểm ngay) đối với Chi bộ Văn phòng") == true)
        let job = try f.store.read { try $0.jobs(state: nil, limit: 100) }.first { $0.key == ev[0].id }
        #expect(job?.recipient == "c1" && job?.kind == .suggestion)
        let payload = try JSONDecoder().decode(JobPayload.self, from: Data(job!.payload.utf8))
        #expect(payload.text?.contains("quy chế") == true && payload.authorName == "Đảng ủy Sở Tài chính")
        #expect(try f.engine.report(UnitFilter(unit: "gc"), now: now)[0].suggestions?.map(\.unit) == ["c1"])
        #expect(throws: ErrorBody.self) { try f.engine.suggest(SuggestArgs(unit: "duk", name: "x", content: "x"), now: now, by: "admin") }
        #expect(throws: ErrorBody.self) { try f.engine.suggest(SuggestArgs(unit: "c1", name: "x", content: "  \n"), now: now, by: "admin") }
    }

    @Test func remediationDefaultsToThePlansDelayAndEarlierShortcomingsBarExcellentUnderQd366() throws {
        let f = try Fixture()
        let plan2025 = smallPlan.replacingOccurrences(of: "id: t\n", with: "id: t\nremediation: {due_in: 90d}\n")
        try f.load(plan2025)
        let item = try f.engine.addRemediation(RemediationAddArgs(unit: "c1", due: nil, text: "Chấn chỉnh sinh hoạt chi bộ", member: "m2"), now: at("2022-12-10T09:00:00+07:00"), by: "admin")
        #expect(item.due == "2023-03-10T09:00:00+07:00")
        // The campaign ends; the next one, under Quy định 366-QĐ/TW, carries the item.
        try f.store.write { try $0.setCampaignStatus("t", .completed) }
        try f.engine.reload()
        let next = smallPlan.replacingOccurrences(of: "id: t\n", with: "id: t2\nruleset: qd366-2025\nquota: {share: 0.20, denominator: good}\n").replacingOccurrences(of: "2022", with: "2023")
        try checkNext(f, next)
    }

    func checkNext(_ f: Fixture, _ next: String) throws {
        _ = try f.engine.loadCampaign(FileArgs(name: "2023.yaml", content: next), now: at("2023-11-01T08:00:00+07:00"))
        let report = try f.engine.report(UnitFilter(unit: "c1", campaign: "t2"), now: at("2023-11-02"))[0]
        #expect(report.earlierRemediation?.map(\.text) == ["Chấn chỉnh sinh hoạt chi bộ"])
        let row = "subject,kind,level,score,on_time,beyond\nm2,member,excellent,95,100,40\n"
        let e = #expect(throws: ErrorBody.self) { try f.engine.rate(RateArgs(name: "r.csv", content: row, campaign: "t2", proposed: true), now: at("2023-11-02"), by: "admin") }
        #expect(e?.details?.first?.contains("[remediation]") == true)
        // A score below the band's floor is refused; a missing score is a bad line.
        let low = #expect(throws: ErrorBody.self) { try f.engine.rate(RateArgs(name: "r.csv", content: "subject,kind,level,score,on_time\nm1,member,good,65,100\n", campaign: "t2", proposed: true), now: at("2023-11-02"), by: "admin") }
        #expect(low?.details?.first?.contains("[score]") == true && low?.details?.first?.contains("65 điểm") == true)
        let missing = #expect(throws: ErrorBody.self) { try f.engine.rate(RateArgs(name: "r.csv", content: "subject,kind,level\nm1,member,good\n", campaign: "t2", proposed: true), now: at("2023-11-02"), by: "admin") }
        #expect(missing?.code == .invalidInput && missing?.message.contains("needs score, on_time") == true)
        #expect(try f.engine.rate(RateArgs(name: "r.csv", content: "subject,kind,level,score,on_time,beyond\nm2,member,good,95,100,40\n", campaign: "t2", proposed: true), now: at("2023-11-02"), by: "admin").accepted == 1)
    }

    @Test func scoresAreRefusedUnderARulesetThatRatesByLevel() throws {
        let f = try Fixture()
        try f.load()
        let e = #expect(throws: ErrorBody.self) { try f.engine.rate(RateArgs(name: "r.csv", content: "subject,kind,level,score\nm1,member,good,80\n"), now: now, by: "admin") }
        #expect(e?.code == .invalidInput && e?.message.contains("r.csv:2") == true)
    }
}
