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

/// Item 4: heads are members, through `import` and the offline `check`.
@Suite(.serialized, .timeLimit(.minutes(2))) struct HeadsAreMembersCommandsTests {
    @Test func aHeadOfAnotherCellIsRefusedByImportAndByCheckNamingTheLine() throws {
        let d = try DaemonProcess()
        defer { _ = d.terminate() }
        let units = try write(itUnits, "units.csv", in: d.dir), members = try write(itMembers, "members.csv", in: d.dir)
        _ = try d.ctl(["import", "units", units])
        _ = try d.ctl(["import", "members", members])
        // so-a-cb2's head made a2, who belongs to so-a-cb1: line 5 of the file.
        let bad = try write(itUnits.replacingOccurrences(of: "so-a-cb2,so-a,cell,Chi bộ Phân xưởng 2,a3,", with: "so-a-cb2,so-a,cell,Chi bộ Phân xưởng 2,a2,"),
                            "units.csv", in: d.dir.appendingPathComponent("bad", isDirectory: true).creatingDirectory())
        let refused = try d.ctl(["import", "units", bad], allowFailure: true)
        let finding = "units.csv:5: head 'a2' of 'so-a-cb2' must be a member of 'so-a-cb2': 'a2' belongs to 'so-a-cb1'"
        #expect(refused.status == 1 && refused.err.contains(finding), "\(refused.err)")
        // The offline check says the same, with no daemon.
        let check = try run(binDir.appendingPathComponent("kiemdiemctl"), ["check", "units", bad, "--members", members])
        #expect(check.status == 1 && check.err.contains(finding), "\(check.err)")
        #expect(try run(binDir.appendingPathComponent("kiemdiemctl"), ["check", "units", units, "--members", members]).status == 0)
        // A members file that moves a head out of the cell they head names the member's line.
        let moved = try write(itMembers.replacingOccurrences(of: "a3,so-a-cb2,Lê Văn Ba", with: "a3,so-a-cb1,Lê Văn Ba")
                              + "a5,so-a-cb2,Đỗ Văn Năm,member,,false\n", "moved.csv", in: d.dir)
        let m = try d.ctl(["import", "members", moved], allowFailure: true)
        #expect(m.status == 1 && m.err.contains("moved.csv:4: member 'a3' heads 'so-a-cb2'"), "\(m.err)")
        let mc = try run(binDir.appendingPathComponent("kiemdiemctl"), ["check", "members", moved, "--tree", units])
        #expect(mc.status == 1 && mc.err.contains("moved.csv:4: member 'a3' heads 'so-a-cb2'"), "\(mc.err)")
    }
}

extension URL {
    /// Creates the directory (and its parents) and returns it.
    func creatingDirectory() throws -> URL {
        try FileManager.default.createDirectory(at: self, withIntermediateDirectories: true)
        return self
    }
}

/// Item 5: the commendation is its own act after the decision, through `kiemdiemctl`.
@Suite(.serialized, .timeLimit(.minutes(2))) struct CommendCommandsTests {
    @Test func aDecidedExcellentMemberIsCommendedAuditedPublishedListedAndReported() throws {
        let d = try DaemonProcess()
        defer { _ = d.terminate() }
        _ = try d.ctl(["import", "units", try write(itUnits, "units.csv", in: d.dir)])
        _ = try d.ctl(["import", "members", try write(itMembers, "members.csv", in: d.dir)])
        let plan = itPlan(opens: "2022-11-01T07:00:00+07:00", selfDue: "2022-11-20", cellDue: "2022-12-01", orgDue: "2022-12-10") + "\nquota: none\n"
        _ = try d.ctl(["campaign", "load", try write(plan, "plan.yaml", in: d.dir)])
        _ = try d.ctl(["rate", try write("subject,kind,level\na1,member,good\na2,member,excellent\na3,member,good\nso-a-cb1,unit,good\nso-a-cb2,unit,good\nso-a,unit,good\n",
                                         "de-xuat.csv", in: d.dir), "--proposed"])
        _ = try d.ctl(["rate", try write("subject,kind,level\nso-a-cb1,unit,good\nso-a-cb2,unit,good\nso-a,unit,good\n", "don-vi.csv", in: d.dir)])
        _ = try d.ctl(["rate", try write("subject,kind,level\na2,member,excellent\na3,member,good\n", "dang-vien.csv", in: d.dir)])

        let out = try d.ctl(["rate", "commend", "a2", "--kind", "member", "--note", "Đề nghị tặng Giấy khen"]).out
        #expect(out.contains("member a2: commendation proposed on its decided rating 'excellent'"), "\(out)")
        let refused = try d.ctl(["rate", "commend", "a3", "--kind", "member", "--note", "Giấy khen"], allowFailure: true)
        #expect(refused.status == 1 && refused.err.contains("[commendation] Chưa thể đề nghị khen thưởng đảng viên Lê Văn Ba"), "\(refused.err)")

        let list = try d.ctlJSON(["rate", "list", "--unit", "so-a"]) as! [[String: Any]]
        #expect(list.filter { $0["commendation"] as? Bool == true }.map { "\($0["subject"]!) \($0["status"]!)" } == ["a2 decided"])
        let events = try d.ctlJSON(["events", "--since", "0", "--topic", "rating.commended/bt/so-a/so-a-cb1/"]) as! [[String: Any]]
        #expect(events.count == 1 && (events[0]["message"] as? String)?.hasPrefix("Đề nghị khen thưởng đảng viên Trần Thị Hai") == true, "\(events)")
        let audit = try d.ctlJSON(["audit"]) as! [[String: Any]]
        let commends = audit.filter { $0["command"] as? String == "rate.commend" }.map { "\($0["actor"] ?? "") \($0["result"] ?? "")" }
        #expect(commends.count == 2 && commends[0] == "local ok" && commends[1].hasPrefix("local refused: rejected: member 'a3'"), "\(commends)")
        let csv = try d.ctl(["report", "--unit", "so-a", "--format", "csv"]).out
        #expect(csv.contains("commended,dn-2023,so-a,members,1"), "\(csv)")
    }
}

/// Item 7: extensions through `kiemdiemctl`, and the simulated clock honouring them.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ExtendCommandsTests {
    @Test func anExtensionIsLaterRefusesToPassItsDependentsUnlessItCascadesAndTheClockHonoursIt() throws {
        let d = try DaemonProcess()
        defer { _ = d.terminate() }
        _ = try d.ctl(["import", "units", try write(itUnits, "units.csv", in: d.dir)])
        _ = try d.ctl(["import", "members", try write(itMembers, "members.csv", in: d.dir)])
        let plan = itPlan(opens: "2023-11-01T08:00:00+07:00", selfDue: "2023-11-20", cellDue: "2023-11-25", orgDue: "2023-12-01")
        _ = try d.ctl(["campaign", "load", try write(plan, "plan.yaml", in: d.dir)])
        _ = try d.ctl(["clock", "set", "2023-11-02T09:00:00+07:00"])
        let reason = ["--reason", "Đồng chí bí thư đi công tác"]

        let earlier = try d.ctl(["extend", "so-a-cb1", "chi-bo", "2023-11-24"] + reason, allowFailure: true)
        #expect(earlier.status == 1 && earlier.err.contains("not an extension: 'so-a-cb1' is due for 'chi-bo' 2023-11-25T00:00:00+07:00"), "\(earlier.err)")
        let past = try d.ctl(["extend", "so-a-cb1", "chi-bo", "2023-12-03"] + reason, allowFailure: true)
        #expect(past.status == 1 && past.err.contains("stage 'co-so' of 'so-a' is due 2023-12-01T00:00:00+07:00") && past.err.contains("--cascade"), "\(past.err)")
        let cascaded = try d.ctl(["extend", "so-a-cb1", "chi-bo", "2023-12-03", "--cascade"] + reason).out
        #expect(cascaded.contains("moved with it: 'co-so' of so-a, due 2023-12-01T00:00:00+07:00 → 2023-12-03T00:00:00+07:00"), "\(cascaded)")
        let whole = try d.ctl(["extend", "so-a", "tu-kiem-diem", "2023-11-22", "--subtree"] + reason).out
        #expect(whole.contains("now due 2023-11-22T00:00:00+07:00 for 2 unit(s)") && whole.contains("so-a-cb1") && whole.contains("so-a-cb2"), "\(whole)")
        // One member of so-a-cb1 a day more still.
        let one = try d.ctl(["extend", "so-a-cb1", "tu-kiem-diem", "2023-11-23", "--member", "a2"] + reason).out
        #expect(one.contains("so-a-cb1: 'tu-kiem-diem' now due 2023-11-23T00:00:00+07:00 for member a2"), "\(one)")

        func overdue(since: Int) throws -> [String] {
            let events = try d.ctlJSON(["events", "--since", "\(since)", "--topic", "deadline.overdue/"]) as! [[String: Any]]
            return events.map { "\($0["stage"]!) \($0["unit"]!) \(($0["time"] as! String).prefix(10))" }
        }
        _ = try d.ctl(["clock", "set", "2023-12-02T09:00:00+07:00"])
        let before = try overdue(since: 0)
        #expect(Set(before) == ["tu-kiem-diem cs-b 2023-11-20", "tu-kiem-diem so-a-cb1 2023-11-22", "tu-kiem-diem so-a-cb2 2023-11-22", "tu-kiem-diem so-a-cb1 2023-11-23",
                                "chi-bo cs-b 2023-11-25", "chi-bo so-a-cb2 2023-11-25", "co-so cs-b 2023-12-01"], "\(before)")
        _ = try d.ctl(["clock", "set", "2023-12-03T09:00:00+07:00"])
        let after = Set(try overdue(since: 0)).subtracting(before)
        #expect(after == ["chi-bo so-a-cb1 2023-12-03", "co-so so-a 2023-12-03"], "\(after)")
    }
}
