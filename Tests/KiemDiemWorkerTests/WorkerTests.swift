import Foundation
import KiemDiemWire
import Testing
@testable import KiemDiemWorker

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func payload(_ kind: JobPayload.Kind, recipient: String = "so-tai-chinh", level: Int? = nil) -> JobPayload {
    var p = JobPayload(kind: kind, event: "2022-annual/x/self-review/cb-1/1669309200", key: "2022-annual/x/self-review/cb-1/1669309200",
                       campaign: "2022-annual", campaignTitle: "Kiểm điểm năm 2022", stage: "self-review", stageTitle: "Đảng viên tự kiểm điểm",
                       unit: "cb-1", unitName: "Chi bộ Văn phòng", unitPath: "duk/so-tai-chinh/cb-1/", recipient: recipient,
                       recipientName: "Đảng ủy Sở Tài chính", recipientEmail: "dangbo@example.gov.vn", due: "2022-11-25T00:00:00+07:00",
                       dueText: "trước ngày 25/11/2022", time: "2022-11-28T00:00:00+07:00")
    p.lateMembers = ["Nguyễn Văn An", "Trần Thị Bình"]
    p.leadText = "3 ngày"
    p.lateText = "3 ngày"
    p.level = level
    p.escalation = level.map { _ in 42 }
    return p
}

@Suite(.timeLimit(.minutes(5))) struct TemplateTests {
    /// The built-in letters: no directory at all.
    let templates = try! NotificationTemplates()

    @Test func aResolvedNoticeNamesTheUnitTheStageAndThatNoMoreIsNeeded() throws {
        var p = payload(.resolved, level: nil)
        p.recipientName = "Đảng ủy Sở Tài chính"
        let (subject, body) = try templates.render(p)
        #expect(subject == "Đã hoàn thành: Chi bộ Văn phòng — Đảng viên tự kiểm điểm")
        #expect(body.contains("Kính gửi: Đảng ủy Sở Tài chính") && body.contains("đã hoàn thành nội dung \"Đảng viên tự kiểm điểm\"") && body.contains("không cần đôn đốc thêm"))
    }

    @Test func aDigestListsEachUnitUnderItsStageWithItsOwnLink() throws {
        var items: [JobPayload] = []
        for (unit, name) in [("c1", "Chi bộ 1"), ("c2", "Chi bộ 2")] {
            var i = payload(.escalation, level: 1)
            i.unit = unit
            i.unitName = name
            i.link = "https://kiemdiem.example.vn/a/ack.\(unit)"
            items.append(i)
        }
        var r = payload(.reminder, level: nil)
        r.stage = "cell-review"
        r.stageTitle = "Chi bộ họp kiểm điểm"
        r.unitName = "Chi bộ 3"
        items.append(r)
        var d = payload(.escalation, level: 1)
        d.kind = .digest
        d.items = items
        let (subject, body) = try templates.render(d)
        #expect(subject.hasPrefix("Tổng hợp nhắc việc và báo cáo chậm tiến độ: 3 việc"))
        for part in ["Kính gửi: Đảng ủy Sở Tài chính", "Đảng viên tự kiểm điểm (hạn trước ngày 25/11/2022):", "  - Chi bộ 1: chậm 3 ngày; báo cáo chậm tiến độ lần 2 (2 đảng viên chưa hoàn thành)",
                     "Khi đã tiếp nhận, bấm \"Đã nhận\" tại: https://kiemdiem.example.vn/a/ack.c2", "Chi bộ họp kiểm điểm", "  - Chi bộ 3: chưa hoàn thành, còn 3 ngày"] {
            #expect(body.contains(part), "missing: \(part)\n\(body)")
        }
        // Grouped: the second stage's heading comes after both units of the first.
        #expect(body.range(of: "Chi bộ 2")!.lowerBound < body.range(of: "Chi bộ họp kiểm điểm")!.lowerBound)
    }

    @Test func aReminderToAMemberIsAddressedToThemNotToTheCell() throws {
        var p = payload(.reminder, level: nil)
        p.member = "dv-000405"
        p.recipient = "dv-000405"
        p.recipientName = "Nguyễn Văn An"
        let (subject, body) = try templates.render(p)
        #expect(subject == "Nhắc việc: Đảng viên tự kiểm điểm — trước ngày 25/11/2022")
        #expect(body.hasPrefix("Kính gửi: đồng chí Nguyễn Văn An, đảng viên Chi bộ Văn phòng"))
        #expect(body.contains("đồng chí chưa hoàn thành") && !body.contains("bí thư") && !body.contains("Trần Thị Bình"))
        // The cell's reminder is unchanged.
        let (cellSubject, cellBody) = try templates.render(payload(.reminder, level: nil))
        #expect(cellSubject == "Nhắc việc: Chi bộ Văn phòng — Đảng viên tự kiểm điểm" && cellBody.contains("Đề nghị đồng chí bí thư"))
    }

    @Test func aDirectoryOverridesTheTemplatesItHoldsAndABrokenOneIsNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-tmpl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "Nhắc: {{{unitName}}}\nThân gửi {{{recipientName}}}.\n".write(to: dir.appendingPathComponent("reminder.mustache"), atomically: true, encoding: .utf8)
        let t = try NotificationTemplates(directory: dir.path)
        #expect(t.overridden == ["reminder"])
        #expect(try t.render(payload(.reminder, level: nil)).subject == "Nhắc: Chi bộ Văn phòng")
        #expect(try t.render(payload(.escalation, level: 1)).subject == (try templates.render(payload(.escalation, level: 1))).subject)
        // The built-in ones are the files under config/templates, byte for byte.
        for name in NotificationTemplates.names {
            let file = try Data(contentsOf: repoRoot.appendingPathComponent("config/templates/\(name).mustache"))
            #expect(Array(file) == NotificationTemplates.builtIn[name], "\(name)")
        }
        try "{{#unclosed}}".write(to: dir.appendingPathComponent("overdue.mustache"), atomically: true, encoding: .utf8)
        #expect(performing: { try NotificationTemplates(directory: dir.path) }, throws: { "\($0)".contains("overdue.mustache") })
        #expect(try NotificationTemplates(directory: "/nonexistent/kiemdiem").overridden.isEmpty)
    }

    @Test func anEscalationLetterNamesUnitStageDeadlineLatenessAndTheAsk() throws {
        var p = payload(.escalation, level: 1)
        p.link = "https://kiemdiem.example.vn/a/ack.42.so-tai-chinh.cb-1.self-review.1700000000.abcd"
        let (subject, body) = try templates.render(p)
        #expect(subject == "Báo cáo chậm tiến độ: Chi bộ Văn phòng — Đảng viên tự kiểm điểm")
        for part in ["Kính gửi: Đảng ủy Sở Tài chính", "Chi bộ Văn phòng chưa hoàn thành", "trước ngày 25/11/2022", "đã quá hạn 3 ngày",
                     "Nguyễn Văn An", "Đề nghị Đảng ủy Sở Tài chính kịp thời xem xét, chỉ đạo, đôn đốc", "bấm \"Đã nhận\"", p.link!] {
            #expect(body.contains(part), "missing: \(part)\n\(body)")
        }
        // The way to acknowledge is the link: no command a committee cannot run.
        #expect(!body.contains("kiemdiemctl"))
        #expect(!body.contains("&"), "plain text, not HTML-escaped")
        // Without the page (no link), the letter asks nothing it cannot do.
        let (_, plain) = try templates.render(payload(.escalation, level: 1))
        #expect(!plain.contains("Đã nhận") && !plain.contains("kiemdiemctl"))
    }

    @Test func aLetterAboutALateRemediationItemNamesTheItem() throws {
        var p = payload(.escalation, level: 1)
        p.stage = "remediation"
        p.stageTitle = "Khắc phục hạn chế, khuyết điểm"
        p.text = "khắc phục khuyết điểm: Chấn chỉnh sinh hoạt chi bộ"
        let (_, body) = try templates.render(p)
        #expect(body.contains("Nội dung cụ thể: khắc phục khuyết điểm: Chấn chỉnh sinh hoạt chi bộ."), "\(body)")
        #expect(!(try templates.render(payload(.escalation, level: 1)).body.contains("Nội dung cụ thể")))
    }

    @Test func aSuggestionLetterCarriesTheTextFromTheUpperCommittee() throws {
        var p = payload(.suggestion, recipient: "cb-1")
        p.recipientName = "Chi bộ Văn phòng"
        p.text = "1. Làm rõ trách nhiệm của bí thư chi bộ."
        p.authorName = "Đảng ủy Sở Tài chính"
        let (subject, body) = try templates.render(p)
        #expect(subject == "Gợi ý kiểm điểm: Chi bộ Văn phòng — Kiểm điểm năm 2022")
        for part in ["Kính gửi: Chi bộ Văn phòng", "Đảng ủy Sở Tài chính gửi gợi ý kiểm điểm đối với Chi bộ Văn phòng", "1. Làm rõ trách nhiệm của bí thư chi bộ."] {
            #expect(body.contains(part), "missing: \(part)\n\(body)")
        }
    }

    @Test func aReminderToACellListsItsLateMembers() throws {
        var p = payload(.reminder, recipient: "cb-1")
        p.recipientName = "Chi bộ Văn phòng"
        let (subject, body) = try templates.render(p)
        #expect(subject.hasPrefix("Nhắc việc: Chi bộ Văn phòng"))
        #expect(body.contains("(còn 3 ngày)") && body.contains("chưa hoàn thành (2 đồng chí)") && body.contains("  - Trần Thị Bình"))
    }
}

@Suite(.timeLimit(.minutes(5))) struct SpoolTests {
    /// A worker killed mid-delivery leaves a half-written file in tmp/: the next start removes
    /// it, and leaves alone the files of a worker still running.
    @Test func aStartRemovesWhatStoppedWorkersLeftInTmp() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/tmp", withIntermediateDirectories: true)
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let dead = "k1.eml.\(gone.processIdentifier).abcd1234", live = "k2.eml.\(getpid()).abcd1234", other = "notes.txt"
        for name in [dead, live, other] { FileManager.default.createFile(atPath: dir + "/tmp/" + name, contents: Data("half".utf8)) }
        let spool = try SpoolChannel(directory: dir, from: "kiemdiem@example.gov.vn")
        #expect(spool.removedLeftovers == 1)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir + "/tmp")) == [live, other])
    }

    @Test func theSameKeyLeavesOneMessage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spool = try SpoolChannel(directory: dir, from: "kiemdiem@example.gov.vn")
        let p = payload(.reminder)
        let n = Outgoing(key: p.key, payload: p, address: "chibo@example.gov.vn", subject: "Nhắc việc", body: "Nội dung\n", json: Data())
        try spool.deliver(n)
        let first = try String(contentsOfFile: dir + "/new/" + SpoolChannel.fileName(for: p.key), encoding: .utf8)
        // A second delivery of the same key (a retry after a lost DONE) has no effect: the message
        // first delivered stays as it was, even if the second one's text differs.
        var again = n
        again.body = "Nội dung khác\n"
        again.subject = "Khác"
        try spool.deliver(again)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/new")
        #expect(files == [SpoolChannel.fileName(for: p.key)])
        let text = try String(contentsOfFile: dir + "/new/" + files[0], encoding: .utf8)
        #expect(text == first)
        #expect(text.contains("X-Kiemdiem-Event: \(p.key)\r\n"))
        #expect(text.contains("Message-ID: <2022-annual.x.self-review.cb-1.1669309200@kiemdiem>\r\n"))
        #expect(text.contains("Subject: =?UTF-8?B?\(Data("Nhắc việc".utf8).base64EncodedString())?="))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/tmp").isEmpty)
    }
}

@Suite(.timeLimit(.minutes(5))) struct DelivererTests {
    @Test func anUnconfiguredChannelIsAPermanentFailure() throws {
        let d = Deliverer(templates: try NotificationTemplates(directory: repoRoot.appendingPathComponent("config/templates").path), channels: [:])
        var m = JobsMessage(type: .job)
        m.job = 1
        m.key = "k"
        m.channel = "smtp"
        m.payload = payload(.reminder)
        #expect { try d.deliver(m) } throws: { ($0 as? DeliveryError)?.retryable == false }
    }

    @Test func smtpWithoutAnAddressIsPermanent() {
        let smtp = SMTPChannel(host: "127.0.0.1", port: 1, from: "a@b")
        let p = payload(.reminder)
        #expect { try smtp.deliver(Outgoing(key: "k", payload: p, address: nil, subject: "s", body: "b", json: Data())) } throws: {
            ($0 as? DeliveryError)?.retryable == false
        }
        // Nothing listens on port 1: retryable.
        #expect { try smtp.deliver(Outgoing(key: "k", payload: p, address: "x@y", subject: "s", body: "b", json: Data())) } throws: {
            ($0 as? DeliveryError)?.retryable == true
        }
    }
}
