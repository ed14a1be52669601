import Foundation
import Testing

/// Issue 25 through `kiemdiemctl` against a running daemon, as an operator types the commands.
@Suite(.serialized, .timeLimit(.minutes(2))) struct RatingGateCommandsTests {
    /// Item 10: nothing is rated before the campaign opens; a flagged unit is decided after the
    /// review its upper committee directs.
    @Test func noRatingBeforeTheCampaignOpensAndAFlaggedUnitWaitsForItsDirectedReview() throws {
        let d = try DaemonProcess() // the simulated clock starts on 1 Nov 2022
        defer { _ = d.terminate() }
        _ = try d.ctl(["import", "units", try write(itUnits, "units.csv", in: d.dir)])
        _ = try d.ctl(["import", "members", try write(itMembers, "members.csv", in: d.dir)])
        let plan = itPlan(opens: "2023-11-01T08:00:00+07:00", selfDue: "2023-11-20", cellDue: "2023-12-01", orgDue: "2023-12-10")
        _ = try d.ctl(["campaign", "load", try write(plan, "plan.yaml", in: d.dir)])
        let proposals = try write("subject,kind,level\nb1,member,good\ncs-b,unit,good\n", "de-xuat.csv", in: d.dir)
        let early = try d.ctl(["rate", proposals, "--proposed"], allowFailure: true)
        #expect(early.status == 1 && early.err.contains("opens 2023-11-01T08:00:00+07:00"), "\(early.err)")
        #expect((try d.ctlJSON(["rate", "list"]) as! [Any]).isEmpty)

        _ = try d.ctl(["clock", "set", "2023-11-02T09:00:00+07:00"])
        _ = try d.ctl(["flag", "cs-b", "--reason", "disunity", "--note", "Đơn thư phản ánh"])
        #expect(try d.ctl(["rate", proposals, "--proposed"]).out.contains("2 rating(s) accepted"))
        let decision = try write("subject,kind,level\ncs-b,unit,good\n", "quyet-dinh.csv", in: d.dir)
        let refused = try d.ctl(["rate", decision], allowFailure: true)
        #expect(refused.status == 1 && refused.err.contains("line 2: [directed-review]") && refused.err.contains("chưa tổ chức kiểm điểm"), "\(refused.err)")
        let events = try d.ctlJSON(["events", "--since", "0", "--topic", "rating.rejected/bt/cs-b/"]) as! [[String: Any]]
        #expect(events.map { $0["rule"] as? String } == ["directed-review"])
        _ = try d.ctl(["done", "cs-b", "directed-review"])
        #expect(try d.ctl(["rate", decision]).out.contains("1 rating(s) accepted"))
    }
}
