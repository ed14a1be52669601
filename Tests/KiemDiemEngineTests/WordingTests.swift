import Foundation
import KiemDiemPages
import KiemDiemStore
import KiemDiemWire
import Testing
@testable import KiemDiemCore
@testable import KiemDiemEngine
@testable import KiemDiemWorker

/// The words a committee reads, read as a party office reads them (issue 25): every kind of
/// event message, every letter the worker renders from the engine's jobs, the rating findings,
/// the page and the report table of one small campaign, checked against a list of forms that
/// must never reach a reader: the fixture's ids, internal indexes ("cấp 0"), ISO dates, the
/// project's own words ("chiến dịch", "Quy tắc 1"), the old spelling "huỷ", an empty member
/// count, a lateness at the deadline itself, a score rounded up, and the organization named
/// where its committee acts.
@Suite(.timeLimit(.minutes(5))) struct WordingTests {
    /// Ids that read like no Vietnamese word, so that any of them in a text is a leak.
    static let unitIds = ["khoi-cq", "so-tai-chinh", "cb-van-phong", "dbbp-thanh-tra", "cb-thanh-tra", "so-tu-phap"]
    static let memberIds = ["dv-an", "dv-binh", "dv-cuong", "dv-dung", "dv-em"]
    static let stageIds = ["self-review", "cell-meeting", "org-meeting", "directed-review"]
    static let campaignId = "kh-2022"

    static let units = """
        id,parent,kind,name,head,email
        khoi-cq,,bloc,Đảng bộ Khối Các cơ quan tỉnh,,btv@example.gov.vn
        so-tai-chinh,khoi-cq,grassroots-committee,Đảng bộ Sở Tài chính,dv-an,dangbo@example.gov.vn
        cb-van-phong,so-tai-chinh,cell,Chi bộ Văn phòng,dv-an,vanphong@example.gov.vn
        dbbp-thanh-tra,so-tai-chinh,sub-committee,Đảng bộ bộ phận Thanh tra,dv-cuong,thanhtra@example.gov.vn
        cb-thanh-tra,dbbp-thanh-tra,cell,Chi bộ Thanh tra 1,dv-cuong,thanhtra1@example.gov.vn
        so-tu-phap,khoi-cq,grassroots-cell,Chi bộ Sở Tư pháp,dv-dung,tuphap@example.gov.vn

        """
    static let members = """
        id,unit,name,role,email,disciplined
        dv-an,cb-van-phong,Nguyễn Văn An,secretary,an@example.gov.vn,false
        dv-binh,cb-van-phong,Trần Thị Bình,member,binh@example.gov.vn,false
        dv-cuong,cb-thanh-tra,Lê Văn Cường,secretary,,false
        dv-dung,so-tu-phap,Phạm Thị Dung,secretary,,false
        dv-em,so-tu-phap,Hoàng Văn Em,member,,true

        """
    /// Under Quy định 366-QĐ/TW (scores), a 15% quota, a three-step ladder whose first step
    /// falls at the deadline itself, resolved notices, directed reviews and remediation.
    static let plan = """
        id: kh-2022
        title: Kế hoạch kiểm điểm, đánh giá, xếp loại năm 2022
        root: khoi-cq
        year: 2022
        ruleset: qd366-2025
        quota: {share: 0.15, denominator: good}
        opens: 2022-11-01T08:00:00+07:00
        directed_review: {due_in: 15d}
        remediation: {due_in: 30d}
        stages:
          - id: self-review
            title: Đảng viên tự kiểm điểm
            for: members
            due: 2022-11-25
            reminders: [7d]
            remind: [unit, members]
          - id: cell-meeting
            title: Chi bộ họp kiểm điểm
            for: [cell, grassroots-cell]
            due: 2022-12-01
            reminders: [3d]
          - id: org-meeting
            title: Tổ chức cơ sở đảng kiểm điểm
            for: [grassroots-committee, grassroots-cell]
            due: 2022-12-05
            reminders: [3d]
        escalation:
          ladder:
            - {after: 0d, to: unit}
            - {after: 3d, to: parent}
            - {after: 7d, to: grandparent}
          notify_resolved: true
        """
    /// The same plan without a ladder: the overdue letter goes to the unit itself.
    static let planWithoutLadder = String(plan[..<plan.range(of: "escalation:")!.lowerBound])

    // MARK: The forbidden forms

    /// What a reader must never see in `text`; each entry names the form found.
    static func forbidden(in shown: String) -> [String] {
        // A letter's link is followed, not read: its signed token names the unit and the stage.
        let text = shown.replacingOccurrences(of: #"https?://\S+"#, with: "<link>", options: .regularExpression)
        var out: [String] = []
        for id in unitIds + memberIds + stageIds + [campaignId] where text.contains(id) { out.append("the id '\(id)'") }
        func matches(_ pattern: String) -> Bool { text.range(of: pattern, options: .regularExpression) != nil }
        if matches(#"cấp \d"#) { out.append("an index 'cấp N'") }
        if matches(#"\d{4}-\d{2}-\d{2}"#) { out.append("an ISO date") }
        if text.lowercased().contains("chiến dịch") { out.append("'chiến dịch'") }
        if text.contains("huỷ") || text.contains("Huỷ") { out.append("'huỷ' (write 'hủy')") }
        if matches(#"Quy tắc \d"#) { out.append("the project's own rule numbers 'Quy tắc N'") }
        if text.contains("(0 đảng viên") { out.append("'(0 đảng viên'") }
        if text.contains("quá 1 phút") || text.contains("quá hạn vài phút") || matches(#"quá( hạn)? \d+ giây"#) {
            out.append("a lateness at the deadline itself")
        }
        if text.contains("70,0 điểm") || text.contains("70 điểm") { out.append("a score rounded up (69,99 shown as 70)") }
        // Where a committee acts or is addressed, it is named as a committee, not as the organization.
        for form in ["Kính gửi: Đảng bộ", "Đề nghị Đảng bộ", "bí thư của", "Bí thư Đảng bộ", "Đảng bộ Khối Các cơ quan tỉnh chỉ đạo",
                     "Đảng bộ Sở Tài chính chỉ đạo", "Đảng bộ Sở Tài chính đã tiếp nhận", "Tổng hợp nhắc việc và báo cáo chậm tiến độ: Đảng bộ"] where text.contains(form) {
            out.append("the organization where its committee acts: '\(form)'")
        }
        if text.contains("Báo cáo cấp trên") { out.append("'Báo cáo cấp trên' (say 'Báo cáo chậm tiến độ')") }
        return out
    }

    /// Records an issue for each forbidden form in each text, naming where it came from.
    static func check(_ texts: [(String, String)], sourceLocation: SourceLocation = #_sourceLocation) {
        for (origin, text) in texts {
            let found = forbidden(in: text)
            #expect(found.isEmpty, "\(origin): \(found.joined(separator: "; "))\n\(text)", sourceLocation: sourceLocation)
        }
    }

    /// The forbidden list itself catches each form (so that a check that cannot fail is seen).
    @Test func theListCatchesEachForm() {
        for bad in ["Chi bộ so-tai-chinh", "đã quá 30 giây", "Xem tình hình trên trang của chiến dịch: https://kiemdiem.example.vn/a/x", "Báo cáo chậm tiến độ (cấp 0)", "hạn 2022-11-25", "trang của chiến dịch", "Cấp ủy huỷ kết quả",
                    "Quy tắc 7: x", "Chi bộ 1: chậm (0 đảng viên chưa hoàn thành)", "đã quá 1 phút", "đạt 70,0 điểm",
                    "Kính gửi: Đảng bộ Sở Tài chính", "Đề nghị Đảng bộ Sở Tài chính chỉ đạo", "là bí thư của Đảng bộ Sở Tài chính",
                    "Báo cáo cấp trên: x"] {
            #expect(!Self.forbidden(in: bad).isEmpty, "not caught: \(bad)")
        }
        #expect(Self.forbidden(in: "Kính gửi: Đảng ủy Sở Tài chính. Hạn trước ngày 25/11/2022; đạt 69,99 điểm. https://x.vn/a/so-tai-chinh.2022-12-01").isEmpty)
    }

    // MARK: The campaign

    func context(_ f: Fixture, now: Date) -> CommandContext {
        CommandContext(engine: f.engine, now: now, caller: Caller(name: "admin", role: .admin), host: TestHost(engine: f.engine, now: now))
    }

    /// A rating file refused or accepted: either way its findings are what a committee reads
    /// (refusals as `rating.rejected` events, warnings in the reply).
    func rate(_ f: Fixture, _ rows: String, proposed: Bool, now: Date) -> [String] {
        let csv = "subject,kind,level,score,on_time,beyond,commendation\n" + rows
        do { return try f.engine.rate(RateArgs(name: "xep-loai.csv", content: csv, proposed: proposed), now: now, by: "admin").warnings ?? [] } catch { return [] }
    }

    /// Runs the campaign through every kind of event; returns the fixture.
    func run(plan: String, groupWait: Int64) throws -> Fixture {
        let f = try Fixture(units: Self.units, members: Self.members)
        f.engine.routing.groupWait = groupWait
        // Letters carry the page's link, so that the lines around it are rendered too.
        f.engine.links = LinkSigner(base: "https://kiemdiem.example.vn/", ttl: 30 * 86_400, key: Data(repeating: 7, count: 32))
        try f.load(plan)
        let day2 = at("2022-11-02T09:00:00+07:00")
        _ = try f.engine.flag(FlagArgs(unit: "so-tu-phap", reasons: ["disunity"], note: "Đơn thư phản ánh mất đoàn kết nội bộ"), now: day2, by: "admin")
        _ = try f.engine.suggest(SuggestArgs(unit: "cb-van-phong", name: "goi-y.txt", content: "Làm rõ trách nhiệm của bí thư chi bộ."), now: day2, by: "admin")
        _ = try SilenceAdd.run(SilenceAddArgs(unit: "dbbp-thanh-tra", stage: "self-review", until: "2022-11-27", reason: "Sáp nhập cơ quan"),
                               in: context(f, now: day2))
        _ = try f.engine.addRemediation(RemediationAddArgs(unit: "cb-thanh-tra", due: "2022-11-20", text: "Chấn chỉnh sinh hoạt chi bộ"), now: day2, by: "admin")
        _ = try f.engine.extend(ExtendArgs(unit: "cb-van-phong", stage: "cell-meeting", until: "2022-12-03", reason: "Đơn vị đang sáp nhập"),
                                now: at("2022-11-03T09:00:00+07:00"))
        try f.engine.advance(to: at("2022-12-10T09:00:00+07:00"))
        // A committee acknowledges from its letter's link (the caller the page gives it).
        if let e = try f.events().first(where: { $0.type == "escalation.raised" && $0.to == "so-tai-chinh" }), let id = e.escalation {
            _ = try f.engine.acknowledge(id, now: at("2022-12-10T10:00:00+07:00"), by: "Đảng ủy Sở Tài chính (so-tai-chinh)")
        }
        // A late cell completes: the committees its escalations reached are told.
        _ = try f.done("cb-thanh-tra", "cell-meeting", now: at("2022-12-10T11:00:00+07:00"))
        let now = at("2022-12-10T12:00:00+07:00")
        // Ratings: each finding of Điều 11 and of the order, a score below its band (69.99 is not 70).
        _ = rate(f, "dv-an,member,good,69.99,100,,\ndv-em,member,good,80,100,,\ndv-binh,member,completed,60,50,,\n", proposed: true, now: now)
        _ = rate(f, "dv-binh,member,good,80,100,0,true\n", proposed: true, now: now)
        _ = rate(f, "cb-van-phong,unit,excellent,95,100,40,\n", proposed: true, now: now)
        _ = rate(f, "so-tai-chinh,unit,good,80,100,,\ncb-van-phong,unit,good,80,100,,\ndv-binh,member,good,80,100,,\ndv-an,member,good,80,100,,\n", proposed: false, now: now)
        // Accepted, then annulled; a conclusion recorded after a rating is a conflict.
        _ = rate(f, "dv-dung,member,good,80,100,,\ndv-cuong,member,good,80,100,,\n", proposed: true, now: now)
        _ = try f.engine.annul(AnnulArgs(subject: "dv-cuong", kind: "member", reason: "Xem xét lại theo kết luận kiểm tra", status: "proposed"), now: now, by: "admin")
        _ = try f.engine.conclude(ConcludeArgs(member: "dv-dung", reasons: ["degradation"], note: "Ủy ban Kiểm tra kết luận"), now: now, by: "admin")
        // Decided as the order asks (a grassroots cell rates itself, then its members): the quota shows.
        _ = rate(f, "dv-em,member,failed,40,,,\ndv-dung,member,failed,45,,,\nso-tu-phap,unit,completed,60,90,,\n", proposed: true, now: now)
        // Decided before the directed review is held: refused (the finding names the unit), then held.
        _ = rate(f, "so-tu-phap,unit,completed,60,90,,\n", proposed: false, now: now)
        _ = try f.done("so-tu-phap", "directed-review", now: now)
        _ = rate(f, "so-tu-phap,unit,completed,60,90,,\n", proposed: false, now: now)
        _ = rate(f, "dv-em,member,failed,40,,,\ndv-dung,member,failed,45,,,\n", proposed: false, now: now)
        // Annulled with what rests on it (the head's decision), then decided again.
        _ = try f.engine.annul(AnnulArgs(subject: "so-tu-phap", kind: "unit", reason: "Xếp loại lại theo kết luận kiểm tra", cascade: true), now: now, by: "admin")
        _ = rate(f, "so-tu-phap,unit,completed,60,90,,\n", proposed: false, now: now)
        _ = rate(f, "dv-dung,member,failed,45,,,\n", proposed: false, now: now)
        return f
    }

    func jobs(_ f: Fixture) throws -> [JobPayload] {
        let decoder = WireJSON.decoder()
        return try f.store.read { try $0.jobs(state: nil, limit: 100_000) }.map { try decoder.decode(JobPayload.self, from: Data($0.payload.utf8)) }
    }

    @Test func everyMessageAndLetterReadsAsAPartyOfficeWritesIt() throws {
        let templates = try NotificationTemplates()
        var texts: [(String, String)] = []
        var types = Set<String>()
        var kinds = Set<String>()
        var recipientNames: [String: Set<String>] = [:]
        for (plan, wait) in [(Self.plan, Int64(0)), (Self.plan, 60), (Self.planWithoutLadder, 0)] {
            let f = try run(plan: plan, groupWait: wait)
            for e in try f.events() {
                guard let m = e.message else { continue }
                types.insert(e.type)
                texts.append(("event \(e.type) \(e.id)", m))
            }
            for p in try jobs(f) {
                let (subject, body) = try templates.render(p)
                let kind = p.kind == .reminder && p.member != nil ? "reminder to a member" : p.kind.rawValue
                kinds.insert(kind)
                if p.kind == .escalation { kinds.insert(p.recipient == p.unit ? "escalation to the unit" : "escalation to a committee") }
                if p.kind == .digest {
                    kinds.insert((p.items ?? []).contains { !($0.lateMembers ?? []).isEmpty } ? "digest with members" : "digest")
                    if (p.items ?? []).contains(where: { ($0.lateMembers ?? []).isEmpty }) { kinds.insert("digest with a unit stage") }
                }
                texts.append(("letter \(p.kind.rawValue) to \(p.recipientName)", subject + "\n" + body))
                if p.member == nil { recipientNames[p.recipient, default: []].insert(p.recipientName) }
            }
            // The page and the report table, as the committee at the root reads them.
            let view = try f.engine.view(UnitFilter(), now: at("2022-12-10T12:00:00+07:00"), simulated: false)
            let page = UnitPage(v: view, canAct: true, navigable: true).document()
            texts.append(("page", Self.visibleText(page)))
            for r in try f.engine.report(UnitFilter(unit: "so-tai-chinh", names: true), now: at("2022-12-10T12:00:00+07:00"))
                + f.engine.report(UnitFilter(names: true), now: at("2022-12-10T12:00:00+07:00")) {
                texts.append(("report title", ReportTable.title(r)))
                for s in ReportTable.sections(r) {
                    texts.append(("report \(s.heading ?? "stages")", ([s.heading ?? "", s.line ?? ""] + s.columns + s.rows.flatMap { $0 }).joined(separator: "\n")))
                }
            }
        }
        // Every kind was rendered: a check over nothing would pass.
        for t in ["stage.opened", "deadline.reminder", "deadline.overdue", "deadline.extended", "stage.completed", "escalation.raised",
                  "escalation.acknowledged", "escalation.resolved", "silence.added", "silence.expired", "unit.flagged", "review.directed",
                  "review.suggested", "rating.rejected", "rating.annulled", "rating.conflict", "remediation.overdue"] {
            #expect(types.contains(t), "no \(t) event")
        }
        for k in ["reminder", "reminder to a member", "overdue", "escalation to the unit", "escalation to a committee", "suggestion", "resolved",
                  "digest", "digest with members", "digest with a unit stage"] {
            #expect(kinds.contains(k), "no letter: \(k)")
        }
        #expect(texts.contains { $0.0.hasPrefix("event rating.annulled") && $0.1.contains("hủy theo kết quả xếp loại của Chi bộ Sở Tư pháp") },
                "a cascade names the rating it followed")
        #expect(texts.contains { $0.0.hasPrefix("letter reminder") && $0.1.contains("Xem tình hình trên trang theo dõi kế hoạch kiểm điểm: https://") },
                "a letter's link line was rendered")
        Self.check(texts)
        // The findings a committee reads say why, cite the regulation, show the score as given.
        let findings = texts.filter { $0.0.hasPrefix("event rating.rejected") }.map(\.1)
        #expect(findings.contains { $0.contains("đạt 69,99 điểm") }, "the score as entered")
        #expect(findings.contains { $0.hasPrefix("Chưa thể quyết định xếp loại") }, "a refusal says what cannot be done")
        #expect(findings.contains { $0.hasPrefix("Chưa thể quyết định xếp loại Chi bộ Sở Tư pháp: Ban Thường vụ Đảng ủy Khối") }, "the directed review's finding")
        let cited = ["score", "conditions", "disciplined", "conclusion", "commendation", "excellent-unit", "head-above-unit", "order-head",
                     "order-children", "order-members", "order-collective"]
        let rejected = try run(plan: Self.plan, groupWait: 0).events().filter { $0.type == "rating.rejected" && cited.contains($0.rule ?? "") }
        #expect(Set(rejected.compactMap(\.rule)).count >= 6, "findings of several rules: \(Set(rejected.compactMap(\.rule)).sorted())")
        for e in rejected { #expect(e.message?.contains("(theo Quy định 366-QĐ/TW") == true, "\(e.rule ?? ""): \(e.message ?? "")") }
        // The unit's kind of letter: the escalation at the deadline itself says the deadline passed.
        #expect(texts.contains { $0.0.hasPrefix("letter escalation") && $0.1.contains("đã hết hạn") })
        // One recipient, one name: the committee's, whatever the letter.
        for (recipient, names) in recipientNames { #expect(names.count == 1, "\(recipient) is addressed as \(names.sorted())") }
        #expect(recipientNames["so-tai-chinh"] == ["Đảng ủy Sở Tài chính"])
        #expect(recipientNames["khoi-cq"] == ["Ban Thường vụ Đảng ủy Khối Các cơ quan tỉnh"])
        #expect(recipientNames["dbbp-thanh-tra"] == ["Đảng ủy bộ phận Thanh tra"])
    }

    /// The text of a page as a reader sees it: tags and their attributes (links, data-*) removed.
    static func visibleText(_ html: String) -> String {
        html.replacingOccurrences(of: #"<[^>]*>"#, with: " ", options: .regularExpression)
    }

    // MARK: Each message kind, alone

    @Test func findingsOfEveryRuleSetCiteTheRegulationAndNameTheCommittee() {
        let who = "đảng viên Nguyễn Văn An", unit = "Đảng bộ Sở Tài chính"
        var texts: [(String, String)] = []
        for rules in Ruleset.allCases {
            texts += [
                ("headBeforeUnit", Findings.headBeforeUnit(who: who, unit: unit, rules: rules)),
                ("headAboveUnit", Findings.headAboveUnit(who: who, unit: unit, level: .good, unitLevel: .completed, rules: rules)),
                ("excellentUnit", Findings.excellentUnit(who: unit, status: .decided, parts: Findings.parts(members: false), atLeastCompleted: 1, atLeastGood: 1, total: 2, unrated: 1, rules: rules)),
                ("disciplined", Findings.disciplined(who: who, year: 2022, level: .good, rules: rules)),
                ("conclusion", Findings.conclusion(who: who, reasons: [.degradation], rules: rules)),
                ("commendation", Findings.commendation(who: who, level: .good, rules: rules)),
                ("quotaExceeded", Findings.quotaExceeded(Findings.quota(scope: unit, excellent: 3, decided: 20, total: 20, group: Findings.quotaGroupMembers,
                                                                        quota: Quota(share: 0.15), cap: 2, good: 14), group: Findings.quotaGroupMembers, rules: rules)),
                ("orderChildren", Findings.orderChildren(who: unit, undecided: ["Chi bộ Văn phòng"], rules: rules)),
                ("orderMembers", Findings.orderMembers(who: "Chi bộ Văn phòng", unreviewed: ["Trần Thị Bình"], rules: rules)),
                ("orderCollective", Findings.orderCollective(who: "đảng viên Trần Thị Bình", cell: "Chi bộ Văn phòng", rules: rules)),
            ]
        }
        texts += [
            ("disciplinedUnits", Findings.disciplinedUnits(who: unit, disciplined: 2, of: 5)),
            ("excellentDiscipline", Findings.excellentDiscipline(who: unit, disciplined: ["Chi bộ Văn phòng"])),
            ("score", Findings.score(who: who, score: 69.99, level: .good)),
            ("conditions", Findings.conditions(who: who, level: .good, unmet: Findings.unmetGood(onTime: 99.95))),
            ("earlierShortcomings", Findings.earlierShortcomings(who: who, open: 2)),
            ("quotaWarning", Findings.quotaWarning(Findings.quota(scope: unit, excellent: 1, decided: 3, total: 9, group: Findings.quotaGroupMembers,
                                                                  quota: Quota(share: 0.15, denominator: .goodOrBetter), cap: 0, good: 2), within: false)),
            ("quota without a cap", Findings.quota(scope: unit, excellent: 1, decided: 3, total: 9, group: Findings.quotaGroupMembers, quota: nil, cap: 9, good: 2)),
        ]
        Self.check(texts)
        let refusals = texts.filter { !$0.0.hasPrefix("quota") || $0.0 == "quotaExceeded" }
        for (kind, text) in refusals { #expect(text.contains("(theo "), "\(kind) says what it rests on: \(text)") }
        #expect(Findings.headBeforeUnit(who: who, unit: unit, rules: .hd21).contains("Bí thư Đảng ủy Sở Tài chính"))
        #expect(Findings.headBeforeUnit(who: who, unit: unit, rules: .hd21).hasPrefix("Chưa thể quyết định xếp loại đảng viên Nguyễn Văn An"))
        #expect(Findings.orderChildren(who: unit, undecided: ["Chi bộ Văn phòng"], rules: .qd124).hasPrefix("Chưa thể quyết định xếp loại Đảng bộ Sở Tài chính vì"))
        #expect(Findings.quotaExceeded("x", group: "đảng viên", rules: .hd21).contains("Hướng dẫn 21-HD/BTCTW"))
        // The plan's share, as people write it; never rounded up, and the score as entered.
        #expect(texts.first { $0.0 == "quotaExceeded" }!.1.contains("15% của 14"))
        #expect(Findings.number(69.99) == "69,99" && Findings.number(90) == "90" && Findings.number(92.5) == "92,5" && Findings.number(99.95) == "99,95")
        #expect(Findings.score(who: who, score: 69.99, level: .good).contains("đạt 69,99 điểm"))
        #expect(Findings.percent(0.15) == "15%" && Findings.percent(0.2) == "20%" && Findings.percent(0.125) == "12,5%")
    }

    @Test func messagesAtTheDeadlineItselfAndWithoutMembers() throws {
        let plan = try PlanParser.parse(Self.plan, source: "plan.yaml")
        let stage = plan.stages[1]
        let due = at("2022-12-01T00:00:00+07:00")
        var texts: [(String, String)] = []
        for level in 0...2 {
            for late: Int64 in [0, 30, 59, 3 * 86_400] {
                texts.append(("escalation \(level) late \(late)", Messages.escalation(stage: stage, unitName: "Chi bộ Văn phòng", targetName: "Đảng ủy Sở Tài chính",
                                                                                    level: level, due: due, late: late, plan: plan)))
            }
        }
        for late: Int64 in [0, 59, 86_400] {
            texts.append(("task escalation late \(late)", Messages.taskEscalation(unitName: "Chi bộ Sở Tư pháp", work: Messages.taskWork(reviewReasons: [.disunity]),
                                                                                  level: 1, due: due, late: late, target: "Ban Thường vụ Đảng ủy Khối Các cơ quan tỉnh", zone: plan.zone)))
        }
        texts += [
            ("stage opened", Messages.stageOpened(stage: stage, plan: plan)),
            ("reminder without members", Messages.reminder(stage: stage, unitName: "Chi bộ Văn phòng", due: due, lead: 3 * 86_400, lateMembers: [], plan: plan)),
            ("reminder with members", Messages.reminder(stage: plan.stages[0], unitName: "Chi bộ Văn phòng", due: due, lead: 86_400, lateMembers: ["Trần Thị Bình"], plan: plan)),
            ("overdue", Messages.overdue(stage: stage, unitName: "Chi bộ Văn phòng", due: due, lateMembers: [], plan: plan)),
            ("extended", Messages.extended(stage: stage, unitName: "Chi bộ Văn phòng", until: at("2022-12-03"), reason: "Sáp nhập", plan: plan)),
            ("resolved", Messages.escalationResolved(stageTitle: stage.title, unitName: "Chi bộ Văn phòng", due: due, zone: plan.zone)),
            ("acknowledged", Messages.escalationAcknowledged(stageTitle: stage.title, unitName: "Chi bộ Văn phòng", committee: "Đảng ủy Sở Tài chính")),
            ("silence added", Messages.silenceAdded(unitName: "Đảng bộ bộ phận Thanh tra", stageTitle: stage.title, until: at("2022-11-27"), reason: "Sáp nhập", zone: plan.zone)),
            ("silence expired", Messages.silenceExpired(unitName: "Đảng bộ bộ phận Thanh tra", stageTitle: nil, released: 2)),
            ("task overdue", Messages.taskOverdue(unitName: "Chi bộ Sở Tư pháp", work: Messages.taskWork(remediation: "Chấn chỉnh"), due: due, owner: "Ban Thường vụ Đảng ủy Khối Các cơ quan tỉnh", zone: plan.zone)),
            ("flagged", Messages.unitFlagged(unitName: "Chi bộ Sở Tư pháp", reasons: [.disunity], confirmed: true, note: "Kết luận")),
            ("directed", Messages.reviewDirected(committee: "Ban Thường vụ Đảng ủy Khối Các cơ quan tỉnh", unitName: "Chi bộ Sở Tư pháp", reasons: [.disunity], due: due, zone: plan.zone)),
            ("suggestion", Messages.reviewSuggested(author: "Đảng ủy Sở Tài chính", committee: "Chi bộ Văn phòng", flagged: true, text: "Làm rõ trách nhiệm.")),
            ("annulled", Messages.ratingAnnulled(status: .decided, level: .good, who: Messages.ratedSubject(member: "Trần Thị Bình"), commendation: true,
                                                 reason: Messages.annulledWith(reason: "Xem xét lại", subject: "Chi bộ Văn phòng"))),
            ("commendation too", Messages.commendationAnnulledToo(subject: "Chi bộ Văn phòng")),
            ("campaign completed", Messages.campaignCompleted(plan: plan)),
            ("report conflicts heading", ReportText.conflictsHeading),
        ]
        Self.check(texts)
        #expect(Messages.escalation(stage: stage, unitName: "Chi bộ Văn phòng", targetName: "Đảng ủy Sở Tài chính", level: 1, due: due, late: 0, plan: plan)
            .hasPrefix("Báo cáo chậm tiến độ: Chi bộ Văn phòng chưa hoàn thành"))
        #expect(Messages.lateText(59) == nil && Messages.lateText(3 * 86_400) == "3 ngày")
    }

    @Test func lettersAtTheDeadlineAndDigestsOfUnitStages() throws {
        let templates = try NotificationTemplates()
        var p = JobPayload(kind: .escalation, event: "e", key: "e", campaign: Self.campaignId, campaignTitle: "Kế hoạch kiểm điểm năm 2022", stage: "cell-meeting",
                           stageTitle: "Chi bộ họp kiểm điểm", unit: "cb-van-phong", unitName: "Chi bộ Văn phòng", unitPath: "khoi-cq/so-tai-chinh/cb-van-phong/",
                           recipient: "cb-van-phong", recipientName: "Chi bộ Văn phòng", recipientEmail: "vp@example.gov.vn", due: "2022-12-01T00:00:00+07:00",
                           dueText: "trước ngày 01/12/2022", time: "2022-12-01T00:00:00+07:00")
        p.level = 0
        let atDeadline = try templates.render(p)
        #expect(atDeadline.body.contains("Hạn hoàn thành: trước ngày 01/12/2022; đã hết hạn."), "\(atDeadline.body)")
        var late = p
        late.lateText = "3 ngày"
        #expect(try templates.render(late).body.contains("đã quá hạn 3 ngày"))
        // A digest of a stage for units: no member count at all, and no lateness at the deadline.
        var up = p
        up.recipient = "so-tai-chinh"
        up.recipientName = "Đảng ủy Sở Tài chính"
        up.level = 1
        var d = up
        d.kind = .digest
        d.items = [up, late]
        let digest = try templates.render(d)
        Self.check([("digest", digest.subject + "\n" + digest.body), ("escalation at the deadline", atDeadline.subject + "\n" + atDeadline.body)])
        #expect(!digest.body.contains("đảng viên chưa hoàn thành"), "\(digest.body)")
        #expect(digest.body.contains("Chi bộ Văn phòng: đã hết hạn, chưa hoàn thành; báo cáo chậm tiến độ lần 2"), "\(digest.body)")
        var withMembers = up
        withMembers.lateMembers = ["Trần Thị Bình"]
        d.items = [withMembers]
        #expect(try templates.render(d).body.contains("(1 đảng viên chưa hoàn thành)"))
    }

    @Test func theBlocIsAnOrganizationKindAndItsCommitteeTheStandingCommittee() {
        #expect(UnitKind.bloc.vietnamese == "Đảng bộ Khối")
        let bloc = OrgUnit(id: "khoi-cq", parent: nil, kind: .bloc, name: "Đảng bộ Khối Các cơ quan tỉnh")
        #expect(bloc.committeeName == "Ban Thường vụ Đảng ủy Khối Các cơ quan tỉnh")
        #expect(bloc.secretaryTitle == "Bí thư Đảng ủy Khối Các cơ quan tỉnh")
        #expect(OrgUnit(id: "so-tai-chinh", parent: "khoi-cq", kind: .grassrootsCommittee, name: "Đảng bộ Sở Tài chính").secretaryTitle == "Bí thư Đảng ủy Sở Tài chính")
        #expect(OrgUnit.secretaryTitle(of: "Chi bộ Văn phòng") == "Bí thư Chi bộ Văn phòng")
    }

    @Test func theReportTableShowsNamesTitlesAndDatesNotIdsAndTheQuotasShare() throws {
        let f = try run(plan: Self.plan, groupWait: 0)
        let now = at("2022-12-10T12:00:00+07:00")
        let r = try #require(try f.engine.report(UnitFilter(names: true), now: now).first)
        let cells = ReportTable.sections(r).flatMap { $0.rows.flatMap { $0 } + $0.columns }
        #expect(ReportTable.title(r).contains("Kế hoạch kiểm điểm, đánh giá, xếp loại năm 2022") && ReportTable.title(r).contains("10/12/2022 12:00"))
        #expect(cells.contains("Chi bộ họp kiểm điểm") && cells.contains("trước ngày 01/12/2022"))
        #expect(cells.contains("Tối đa HTXSNV (15%)"))
        Self.check([("report", (cells + [ReportTable.title(r)]).joined(separator: "\n"))])
        // The machine forms are unchanged: without `names` the reply has no names and no title.
        let plain = try #require(try f.engine.report(UnitFilter(unit: "so-tai-chinh"), now: now).first)
        #expect(plain.names == nil && plain.campaignTitle == nil && plain.quotaShare == nil)
        // The page: the deadline as the plans say it, the plan's share, no cap without a quota.
        let v = try f.engine.view(UnitFilter(), now: now, simulated: false)
        let html = UnitPage(v: v, canAct: false, navigable: false).document()
        #expect(html.contains(#"<td data-label="Hạn">trước ngày 01/12/2022</td>"#), "\(html)")
        #expect(html.contains("<th>Tối đa HTXSNV (15%)</th>") && html.contains("<td>Chi bộ Sở Tư pháp</td>"), "\(html)")
        #expect(ReportText.quotaCap(share: 0.15) == "Tối đa HTXSNV (15%)" && ReportText.quotaCap(share: nil) == "Tối đa HTXSNV")
    }
}
