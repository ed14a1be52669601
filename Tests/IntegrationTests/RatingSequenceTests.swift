import Foundation
import Testing

/// The longer sequences a committee runs into, through the real daemon and `kiemdiemctl`
/// (docs/rules.md): the quota after people join, leave and move under a decided organization;
/// a stage that names ratings; a discipline recorded after the decisions and its repair in the
/// fewest steps; members not rated this year.
///
/// The tree: duk (bloc) ─ g (grassroots committee, head s1) ─ c1 (cell, head s1): s1, a1…a6
///                                                                 └ c2 (cell, head s2): s2, b1…b4
/// twelve members, so 2 excellent and 10 good use the cap of 20% exactly.
@Suite(.serialized, .timeLimit(.minutes(10))) struct RatingSequenceTests {
    static let units = """
        id,parent,kind,name,head,email
        duk,,bloc,Đảng bộ Khối,,
        g,duk,grassroots-committee,Đảng bộ Sở Tài chính,s1,
        c1,g,cell,Chi bộ Văn phòng,s1,
        c2,g,cell,Chi bộ Thanh tra,s2,

        """
    static func members(_ extra: [String] = [], change: (String) -> String = { $0 }) -> String {
        var rows = ["s1,c1,Nguyễn Văn Sơn,secretary", "s2,c2,Trần Thị Sen,secretary"]
        rows += (1...6).map { "a\($0),c1,Đảng viên A\($0),member" } + (1...4).map { "b\($0),c2,Đảng viên B\($0),member" }
        return "id,unit,name,role,email,disciplined,exempt,left\n" + (rows.map { change($0 + ",,,,") } + extra).joined(separator: "\n") + "\n"
    }
    static let plan = """
        id: t
        title: Kế hoạch thử
        root: duk
        year: 2022
        opens: 2022-11-01T08:00:00+07:00
        quota: {share: 0.20, denominator: good}
        stages:
          - id: cell-review
            title: Chi bộ họp kiểm điểm, đề xuất xếp loại đảng viên
            for: [cell]
            due: 2022-12-20
          - id: grassroots-review
            title: Đảng ủy cơ sở xếp loại chi bộ và đảng viên
            for: [grassroots-committee]
            after: [cell-review]
            due: 2022-12-22
        """
    static let everyone = ["s1", "s2"] + (1...6).map { "a\($0)" } + (1...4).map { "b\($0)" }

    struct Campaign {
        let d: DaemonProcess
        init() throws {
            d = try DaemonProcess()
            try d.ctl(["import", "units", try write(RatingSequenceTests.units, "units.csv", in: d.dir)])
            try d.ctl(["import", "members", try write(RatingSequenceTests.members(), "members.csv", in: d.dir)])
            try d.ctl(["campaign", "load", try write(RatingSequenceTests.plan, "plan.yaml", in: d.dir)])
            try d.ctl(["clock", "set", "2022-12-01T08:00:00+07:00"])
        }

        /// `rate` with rows `subject,kind,level[,status]`: the exit status and what was printed.
        @discardableResult
        func rate(_ rows: [String], _ name: String = "r.csv") throws -> (ok: Bool, text: String) {
            let r = try d.ctl(["rate", try write("subject,kind,level,status\n" + rows.joined(separator: "\n") + "\n", name, in: d.dir)], allowFailure: true)
            return (r.status == 0, r.out + r.err)
        }

        func members(_ text: String) throws -> (ok: Bool, text: String) {
            let r = try d.ctl(["import", "members", try write(text, "members-\(UUID().uuidString.prefix(6)).csv", in: d.dir)], allowFailure: true)
            return (r.status == 0, r.out + r.err)
        }

        func events(_ type: String) throws -> [[String: Any]] {
            (try d.ctlJSON(["events", "--since", "0"]) as! [[String: Any]]).filter { $0["type"] as? String == type }
        }

        /// The conflicts `report` lists for the organization.
        func conflicts() throws -> [[String: Any]] {
            let r = try d.ctlJSON(["report", "--unit", "g"])
            let one = (r as? [[String: Any]])?.first ?? (r as? [String: Any]) ?? [:]
            return one["conflicts"] as? [[String: Any]] ?? []
        }

        /// Everyone proposed `good`, the cells and g decided good, every member decided: a1, a2
        /// excellent, the rest good (s1, who heads g, after g).
        func decideAll(excellent: Set<String> = ["a1", "a2"]) throws {
            let proposals = RatingSequenceTests.everyone.map { "\($0),member,good,proposed" } + ["c1,unit,good,proposed", "c2,unit,good,proposed", "g,unit,good,proposed"]
            #expect(try rate(proposals).ok)
            #expect(try rate(["c1,unit,good,decided", "c2,unit,good,decided", "g,unit,good,decided"]).ok)
            let decisions = RatingSequenceTests.everyone.map { "\($0),member,\(excellent.contains($0) ? "excellent" : "good"),decided" }
            let r = try rate(decisions)
            #expect(r.ok, "\(r.text)")
        }
    }

    @Test func theQuotaHoldsAfterPeopleJoinLeaveAndMove() throws {
        let c = try Campaign()
        defer { _ = c.d.terminate() }
        try c.decideAll()
        // A member joins c2: accepted; the organization is no longer complete.
        #expect(try c.members(Self.members(["n1,c2,Đảng viên mới,member,,,,"])).ok)
        // A good member annulled and re-decided excellent: 3 excellent for at most 9 good + the new
        // member is past the cap whatever the new member becomes: refused.
        try c.d.ctl(["rate", "annul", "a3", "--kind", "member", "--reason", "Xem xét lại"])
        let third = try c.rate(["a3,member,excellent,decided"])
        #expect(!third.ok && third.text.contains("[quota]"), "\(third.text)")
        // The new member can be decided (good), and so can a3 again.
        #expect(try c.rate(["n1,member,good,proposed", "n1,member,good,decided", "a3,member,good,decided"]).ok)
        // A good member leaves and another moves out of the organization's cells: still 2 of 10.
        // A third good one leaves: 2 excellent for 9 good is past the cap. The members file is
        // accepted (people do not wait for ratings) and the quota is a published conflict.
        let leave = Self.members(["n1,c2,Đảng viên mới,member,,,,"]) { row in
            row.hasPrefix("b4,") ? "b4,c2,Đảng viên B4,member,,,,2022-11-30" : row
        }
        #expect(try c.members(leave).ok)
        #expect(try c.conflicts().isEmpty)
        let more = Self.members(["n1,c2,Đảng viên mới,member,,,,"]) { row in
            row.hasPrefix("b4,") ? "b4,c2,Đảng viên B4,member,,,,2022-11-30" : row.hasPrefix("b3,") ? "b3,c2,Đảng viên B3,member,,,,chuyển sinh hoạt" : row
        }
        let r = try c.members(more)
        #expect(r.ok, "\(r.text)")
        let quota = try c.events("rating.conflict").filter { $0["rule"] as? String == "quota" }
        #expect(quota.count == 1 && (quota.first?["message"] as? String ?? "").contains("Cần hủy và xem xét, quyết định lại"), "\(quota)")
        let listed = try c.conflicts()
        #expect(listed.count == 1 && listed.first?["rule"] as? String == "quota", "\(listed)")
        // While it stands, a decision that adds no excellent is accepted; one that adds one is not.
        #expect(!(try c.rate(["b2,member,excellent,decided"]).ok))
        // The history stays: b3 and b4's decisions are still listed.
        let list = try c.d.ctlJSON(["rate", "list"]) as! [[String: Any]]
        #expect(list.contains { $0["subject"] as? String == "b3" && $0["status"] as? String == "decided" })
    }

    @Test func aStageThatNamesRatingsWaitsForThemAndTheOrderOfFilesDoesNotMatter() throws {
        let c = try Campaign()
        defer { _ = c.d.terminate() }
        let early = try c.d.ctl(["done", "g", "grassroots-review"], allowFailure: true)
        #expect(early.status != 0)
        let cell = try c.d.ctl(["done", "c1", "cell-review"], allowFailure: true)
        #expect(cell.status != 0 && (cell.out + cell.err).contains("chưa được chi bộ đánh giá, đề xuất xếp loại"), "\(cell.err)")
        try #require(try c.rate(Self.everyone.map { "\($0),member,good,proposed" } + ["c1,unit,good,proposed", "c2,unit,good,proposed", "g,unit,good,proposed"]).ok)
        try c.d.ctl(["done", "c1", "cell-review"])
        try c.d.ctl(["done", "c2", "cell-review"])
        // Decisions: c2's file first, with its excellent; then c1's: accepted either way.
        #expect(try c.rate(["c1,unit,good,decided", "c2,unit,good,decided"]).ok)
        #expect(try c.rate(["s2,member,good,decided", "b1,member,excellent,decided", "b2,member,good,decided", "b3,member,good,decided", "b4,member,good,decided"]).ok)
        let missing = try c.d.ctl(["done", "g", "grassroots-review"], allowFailure: true)
        #expect(missing.status != 0 && (missing.out + missing.err).contains("còn 6 đảng viên chưa được quyết định xếp loại"), "\(missing.err)")
        #expect(try c.rate((1...6).map { "a\($0),member,\($0 == 1 ? "excellent" : "good"),decided" }).ok)
        // s1 heads g itself: decided after g, so the stage does not wait for them.
        try c.d.ctl(["done", "g", "grassroots-review"])
    }

    @Test func aDisciplineAfterTheDecisionsIsRepairedInTheFewestSteps() throws {
        let c = try Campaign()
        defer { _ = c.d.terminate() }
        // c1 excellent: all its members good or better.
        let proposals = Self.everyone.map { "\($0),member,good,proposed" } + ["c1,unit,excellent,proposed", "c2,unit,good,proposed", "g,unit,good,proposed"]
        try #require(try c.rate(proposals).ok)
        try #require(try c.rate(["c1,unit,excellent,decided", "c2,unit,good,decided", "g,unit,good,decided"]).ok)
        try #require(try c.rate(Self.everyone.map { "\($0),member,\(["a1", "a2"].contains($0) ? "excellent" : "good"),decided" }).ok)
        // a3 (good) is disciplined: the conflict names a3 (to be failed), c1 (excellent: a failed
        // member breaks it) and the quota (9 good now allow 1 excellent: the latest, a2).
        #expect(try c.members(Self.members { $0.hasPrefix("a3,") ? "a3,c1,Đảng viên A3,member,,2022-11-20,," : $0 }).ok)
        let conflict = try c.events("rating.conflict").first { $0["rule"] as? String == "disciplined" }
        let message = conflict?["message"] as? String ?? ""
        #expect(message.contains("Đảng viên A3") && message.contains("Chi bộ Văn phòng") && message.contains("Đảng viên A2") && !message.contains("Đảng viên A1"),
                "\(message)")
        // report lists each conflict once.
        let listed = try c.conflicts().map { "\($0["rule"]!)" }
        #expect(listed.sorted() == ["disciplined", "quota"] || listed.sorted() == ["disciplined"], "\(listed)")
        // The cascade annuls only what must go: a3, c1, s1 (c1's head, whose decision rests on it), a2.
        let annul = try c.d.ctlJSON(["rate", "annul", "a3", "--kind", "member", "--reason", "Bị kỷ luật", "--cascade"]) as! [String: Any]
        let annulled = Set((annul["ratings"] as! [[String: Any]]).map { "\($0["subject"]!):\($0["status"]!)" })
        #expect(annulled == ["a3:decided", "c1:decided", "s1:decided", "a2:decided"], "\(annulled)")
        // Decided again bottom-up: c1 good, a3 failed, s1 and a2 good; no conflict is left (a3's
        // stale proposal keeps none alive).
        #expect(try c.rate(["c1,unit,good,decided"]).ok)
        let again = try c.rate(["a3,member,failed,decided", "s1,member,good,decided", "a2,member,good,decided"])
        #expect(again.ok, "\(again.text)")
        #expect(try c.conflicts().isEmpty)
    }

    @Test func membersNotRatedCountNowhereAndCannotBeRated() throws {
        let c = try Campaign()
        defer { _ = c.d.terminate() }
        #expect(try c.members(Self.members(["x1,c2,Đảng viên miễn,member,,,miễn công tác và sinh hoạt đảng,"])).ok)
        let r = try c.rate(["x1,member,good,proposed"])
        #expect(!r.ok && r.text.contains("[exempt]"), "\(r.text)")
        // The cell's review and the organization's stage do not wait for x1.
        try #require(try c.rate(Self.everyone.map { "\($0),member,good,proposed" } + ["c1,unit,good,proposed", "c2,unit,good,proposed", "g,unit,good,proposed"]).ok)
        try c.d.ctl(["done", "c2", "cell-review"])
    }
}
