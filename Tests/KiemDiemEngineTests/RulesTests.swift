import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Testing
@testable import KiemDiemEngine

/// The issue's acceptance for the review rules, against the engine and its store.
@Suite(.timeLimit(.minutes(5))) struct RulesEngineTests {
    let now = at("2022-12-02T08:00:00+07:00")

    // Lower levels first; c1 is headed by m1 (who also heads gc), g2 by m4; m5 is disciplined.
    let ratings = """
        subject,kind,level,note
        c2,unit,good,
        sc,unit,good,
        c1,unit,completed,
        gc,unit,good,
        g2,unit,good,
        m1,member,good,bí thư chi bộ c1
        m2,member,excellent,
        m3,member,good,
        m4,member,good,
        m5,member,good,

        """

    @Test func aFileBreakingThreeRulesIsRefusedWithExactlyThoseFindingsAndAcceptedOnceCorrected() throws {
        let f = try Fixture()
        try f.load()
        let before = try f.engine.store.read { try $0.lastSeq() }
        #expect {
            _ = try f.engine.rate(RateArgs(name: "xep-loai.csv", content: ratings), now: now, by: "admin")
        } throws: { e in
            let e = e as! ErrorBody
            let rules = (e.details ?? []).compactMap { line -> String? in
                guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]") else { return nil }
                return String(line[line.index(after: open)..<close])
            }.sorted()
            return e.code == .rejected && rules == ["disciplined", "head-above-unit", "quota"]
        }
        // Nothing stored; each finding published on its unit's topic.
        #expect(try f.store.read { try $0.currentRatings(campaign: "t") }.isEmpty)
        let rejected = try f.events(since: before).filter { $0.type == "rating.rejected" }
        #expect(Set(rejected.map { "\($0.rule!) \($0.path!)" }) == ["head-above-unit duk/gc/c1/", "quota duk/gc/", "disciplined duk/g2/"])
        #expect(rejected.first { $0.rule == "quota" }?.message?.contains("tối đa 0") == true)

        let corrected = ratings.replacingOccurrences(of: "m1,member,good", with: "m1,member,completed")
            .replacingOccurrences(of: "m2,member,excellent", with: "m2,member,good")
            .replacingOccurrences(of: "m5,member,good", with: "m5,member,failed")
        #expect(try f.engine.rate(RateArgs(name: "xep-loai.csv", content: corrected), now: now, by: "admin").accepted == 10)
        #expect(try f.store.read { try $0.currentRatings(campaign: "t") }.count == 10)
        // Rated once; re-rating needs an annulment by the upper committee, which is then allowed.
        #expect(throws: ErrorBody.self) { _ = try f.engine.rate(RateArgs(name: "again.csv", content: "subject,kind,level\nm3,member,completed\n"), now: now, by: "admin") }
        #expect(try f.engine.annul(AnnulArgs(subject: "m3", kind: "member", reason: "Xếp loại chưa đúng"), now: now, by: "admin").annulled == "good")
        #expect(try f.engine.rate(RateArgs(name: "again.csv", content: "subject,kind,level\nm3,member,completed\n"), now: now, by: "admin").accepted == 1)
    }

    @Test func badRatingFilesNameTheLine() throws {
        let f = try Fixture()
        try f.load()
        #expect {
            _ = try f.engine.rate(RateArgs(name: "r.csv", content: "subject,kind,level\nm1,member,great\nzz,unit,good\nm2,person,good\n"), now: now, by: "a")
        } throws: { e in
            let d = (e as! ErrorBody).details ?? []
            return d.count == 3 && d[0].contains("r.csv:2") && d[1].contains("unknown unit 'zz'") && d[2].contains("r.csv:4")
        }
    }

    @Test func aConfirmedDisunityFlagForcesFailed() throws {
        let f = try Fixture()
        try f.load()
        _ = try f.engine.flag(FlagArgs(unit: "g2", reasons: ["disunity"], note: "Mất đoàn kết kéo dài", confirmed: true), now: at("2022-11-10"), by: "admin")
        _ = try f.done("g2", "directed-review", now: at("2022-11-20")) // decided after the directed review (issue 25, item 10)
        _ = try f.engine.rate(RateArgs(name: "cb.csv", content: "subject,kind,level\nm4,member,good\nm5,member,failed\n", proposed: true), now: now, by: "a")
        #expect {
            _ = try f.engine.rate(RateArgs(name: "r.csv", content: "subject,kind,level\ng2,unit,completed\n"), now: now, by: "a")
        } throws: { e in ((e as! ErrorBody).details ?? []) == ["line 2: [conclusion] Chỉ được xếp loại Chi bộ Sở Tư pháp \"Không hoàn thành nhiệm vụ\" vì có kết luận của cấp có thẩm quyền về mất đoàn kết (theo Quy định 132-QĐ/TW và Hướng dẫn 21-HD/BTCTW)."] }
        #expect(try f.engine.rate(RateArgs(name: "r.csv", content: "subject,kind,level\ng2,unit,failed\n"), now: now, by: "a").accepted == 1)
    }

    @Test func flaggingDirectsAReviewThatEscalatesToTheParentOnceOverdue() throws {
        let f = try Fixture()
        try f.load(escalatingPlan.replacingOccurrences(of: "escalation:", with: "directed_review: {due_in: 10d}\nescalation:"))
        let before = try f.engine.store.read { try $0.lastSeq() }
        let r = try f.engine.flag(FlagArgs(unit: "c1", reasons: ["corruption", "public-outrage"], note: "Đơn thư phản ánh"), now: at("2022-11-10T09:00:00+07:00"), by: "admin")
        #expect(r.owner == "gc" && r.reviewDue == "2022-11-20T09:00:00+07:00")
        let flagged = try f.events(since: before)
        #expect(flagged.map { "\($0.type) \($0.path!)" } == ["unit.flagged duk/gc/c1/", "review.directed duk/gc/c1/"])
        #expect(flagged[0].reasons == ["corruption", "public-outrage"] && flagged[1].to == "gc")
        #expect(flagged[1].message?.hasPrefix("Đảng ủy Sở Tài chính chỉ đạo Chi bộ Văn phòng kiểm điểm ngay") == true)

        try f.engine.advance(to: at("2022-11-20T10:00:00+07:00"))
        let overdue = try f.events(since: before).filter { $0.stage == "directed-review" }
        let escalation = overdue.first { $0.type == "escalation.raised" }
        #expect(overdue.contains { $0.type == "deadline.overdue" && $0.unit == "c1" })
        #expect(escalation?.to == "gc" && escalation?.level == 0 && escalation?.unit == "c1")
        #expect(try f.store.read { try $0.jobs(state: nil, limit: 100) }.contains { $0.key == escalation?.id && $0.recipient == "gc" })

        // Held: no more escalation for it.
        _ = try f.done("c1", "directed-review", now: at("2022-11-21"))
        let after = try f.engine.store.read { try $0.lastSeq() }
        try f.engine.advance(to: at("2022-12-20"))
        #expect(!(try f.events(since: after)).contains { $0.stage == "directed-review" })
    }

    @Test func anOverdueRemediationItemEscalatesAndADoneOneStops() throws {
        let f = try Fixture()
        try f.load(escalatingPlan)
        let a = try f.engine.addRemediation(RemediationAddArgs(unit: "c1", due: "2022-11-15", text: "Chấn chỉnh sinh hoạt chi bộ"), now: at("2022-11-02"), by: "admin")
        let b = try f.engine.addRemediation(RemediationAddArgs(unit: "c2", due: "2022-11-15", text: "Bổ sung hồ sơ", member: "m3"), now: at("2022-11-02"), by: "admin")
        _ = try f.engine.completeRemediation(b.id, now: at("2022-11-10"), by: "admin")
        let before = try f.engine.store.read { try $0.lastSeq() }
        try f.engine.advance(to: at("2022-11-19"))
        let ev = try f.events(since: before).filter { $0.stage == "remediation" }
        #expect(ev.contains { $0.type == "remediation.overdue" && $0.unit == "c1" })
        #expect(ev.contains { $0.type == "escalation.raised" && $0.unit == "c1" && $0.to == "gc" })
        // The committee that acts is named, and the letter names the item itself.
        let raised = ev.first { $0.type == "escalation.raised" }!
        #expect(raised.message?.contains("Đề nghị Đảng ủy Sở Tài chính chỉ đạo") == true, "\(raised.message ?? "")")
        let job = try f.store.read { try $0.jobs(state: nil, limit: 100) }.first { $0.key == raised.id }!
        let payload = try JSONDecoder().decode(JobPayload.self, from: Data(job.payload.utf8))
        #expect(payload.text == "khắc phục khuyết điểm: Chấn chỉnh sinh hoạt chi bộ" && payload.recipientName == "Đảng ủy Sở Tài chính")
        #expect(!ev.contains { $0.unit == "c2" })
        #expect(try f.engine.listRemediation(RemediationListArgs()).map(\.id) == [a.id])
        _ = try f.engine.completeRemediation(a.id, now: at("2022-11-19T01:00:00+07:00"), by: "admin")
        let after = try f.engine.store.read { try $0.lastSeq() }
        try f.engine.advance(to: at("2022-12-30"))
        #expect(!(try f.events(since: after)).contains { $0.stage == "remediation" })
    }

    @Test func theStudyStageNamesItsDocuments() throws {
        let samples = repoRoot.appendingPathComponent("config/samples")
        let f = try Fixture(units: try String(contentsOf: samples.appendingPathComponent("units.csv"), encoding: .utf8),
                            members: try String(contentsOf: samples.appendingPathComponent("members.csv"), encoding: .utf8))
        try f.load(try String(contentsOf: repoRoot.appendingPathComponent("config/plans/2022-annual.yaml"), encoding: .utf8))
        try f.engine.advance(to: at("2022-11-18"))
        let opened = try f.events().first { $0.type == "stage.opened" && $0.stage == "study" }
        let reminder = try f.events().first { $0.type == "deadline.reminder" && $0.stage == "study" }
        for doc in ["34-KL/TW", "10-NQ/TW", "36-KL/TW", "14-CT/TW", "15-CT/TW"] {
            #expect(opened?.message?.contains(doc) == true && reminder?.message?.contains(doc) == true, "\(doc)")
        }
    }

    @Test func flagsNeedKnownReasonsAndANote() throws {
        let f = try Fixture()
        try f.load()
        let reason = #expect(throws: ErrorBody.self) { _ = try f.engine.flag(FlagArgs(unit: "c1", reasons: ["gossip"], note: "x"), now: at("2022-11-10"), by: "a") }
        #expect(reason?.code == .invalidInput && reason?.message.contains("unknown reason 'gossip'") == true)
        let note = #expect(throws: ErrorBody.self) { _ = try f.engine.flag(FlagArgs(unit: "c1", reasons: ["disunity"], note: " "), now: at("2022-11-10"), by: "a") }
        #expect(note?.message == "a flag needs a --note")
        let none = #expect(throws: ErrorBody.self) { _ = try f.engine.unflag(UnflagArgs(unit: "c1", note: "ok"), now: at("2022-11-10"), by: "a") }
        #expect(none?.code == .notFound && none?.message == "unit 'c1' has no open flag")
        #expect(try f.engine.store.read { try $0.openFlags() }.isEmpty)
    }
}
