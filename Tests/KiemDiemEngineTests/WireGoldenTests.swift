import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Logging
import Testing
@testable import KiemDiemEngine

/// The wire protocol, byte for byte: every control command's request and reply on a fixture tree,
/// recorded once in `Fixtures/wire-golden.jsonl` and compared on every run. A refactoring of how
/// commands are declared and dispatched must leave this file unchanged; a deliberate change to the
/// protocol re-records it (`KIEMDIEM_RECORD_GOLDEN=1 swift test --filter WireGoldenTests`) and
/// shows up in review as a diff of that file.
@Suite(.timeLimit(.minutes(5))) struct WireGoldenTests {
    /// Every command, in an order that gives each something to do.
    static let script: [(String, String)] = [
        ("status", "{}"),
        ("import.units", #"{"name":"u2.csv","content":"id,parent,kind,name,head,email\ng3,duk,grassroots-cell,Chi bộ Sở Xây dựng,,\n"}"#),
        ("import.members", #"{"name":"m2.csv","content":"id,unit,name,role,email,disciplined\nm6,g3,Đỗ Văn Sáu,secretary,,false\n"}"#),
        ("import.begin", #"{"kind":"members","name":"m3.csv","chunks":2,"bytes":72}"#),
        ("import.chunk", #"{"upload":"<upload>","seq":1,"content":"m7,g3,Vũ Thị Bảy,member,,false\n"}"#),
        ("import.state", #"{"upload":"<upload>"}"#),
        ("import.chunk", #"{"upload":"<upload>","seq":0,"content":"id,unit,name,role,email,disciplined\n"}"#),
        ("import.commit", #"{"upload":"<upload>"}"#),
        ("import.begin", #"{"kind":"units","name":"u3.csv","chunks":1,"bytes":1}"#),
        ("import.abort", #"{"upload":"<upload>"}"#),
        ("campaign.list", "{}"),
        ("campaign.show", #"{"id":"t"}"#),
        ("done", #"{"unit":"c1","stage":"a"}"#),
        ("done", #"{"unit":"c2","stage":"b"}"#),
        ("extend", #"{"unit":"g2","stage":"a","until":"2022-11-28","reason":"Công tác"}"#),
        ("preview", #"{"until":"2022-11-26"}"#),
        ("clock", "{}"),
        ("clock.advance", #"{"duration":"16d"}"#),
        ("clock.set", #"{"time":"2022-11-27T09:00:00+07:00"}"#),
        ("overdue", "{}"),
        ("report", #"{"unit":"gc"}"#),
        ("events", #"{"since":0,"limit":5}"#),
        ("ack", #"{"id":1}"#),
        ("jobs", #"{"state":"pending","limit":3}"#),
        ("jobs.retry", #"{"id":1}"#),
        ("flag", #"{"unit":"c2","reasons":["disunity"],"note":"Đơn thư"}"#),
        ("flag.confirm", #"{"unit":"c2","note":"Kết luận"}"#),
        ("unflag", #"{"unit":"c2","note":"Đã kiểm điểm"}"#),
        ("conclude", #"{"member":"m2","reasons":["degradation"],"note":"Kết luận"}"#),
        ("suggest", #"{"unit":"c1","name":"goi-y.txt","content":"Làm rõ trách nhiệm."}"#),
        ("rate", #"{"name":"r.csv","content":"subject,kind,level\nm1,member,good\nm2,member,failed\nm3,member,good\n","proposed":true}"#),
        ("rate", #"{"name":"r.csv","content":"subject,kind,level\nc1,unit,excellent\n"}"#),
        ("rate.list", #"{"unit":"gc"}"#),
        ("rate.annul", #"{"subject":"m3","kind":"member","reason":"Xem xét lại"}"#),
        ("remediation.add", #"{"unit":"c1","due":"2023-01-15","text":"Chấn chỉnh sinh hoạt"}"#),
        ("remediation.list", "{}"),
        ("remediation.done", #"{"id":1}"#),
        ("campaign.pause", #"{"id":"t"}"#),
        ("campaign.resume", #"{"id":"t"}"#),
        ("reload", "{}"),
        ("campaign.load", #"{"name":"p.yaml","content":"id: t9\ntitle: Kế hoạch khác\nroot: duk\nyear: 2023\nopens: 2023-11-01T08:00:00+07:00\nstages:\n  - {id: a, title: A, for: members, due: 2023-11-25}\n"}"#),
        ("audit", #"{"limit":3}"#),
        ("token.issue", #"{"unit":"gc","role":"committee","expires":"30d","label":"Văn phòng Đảng ủy"}"#),
        ("token.list", "{}"),
        ("token.revoke", #"{"id":"<token>"}"#),
        ("view", #"{"unit":"c1"}"#),
        ("silence.add", #"{"unit":"gc","stage":"a","until":"2022-12-31","reason":"Sáp nhập cơ quan","campaign":"t"}"#),
        ("silence.list", "{}"),
        ("silence.expire", #"{"id":1}"#),
        ("rate.commend", #"{"subject":"m1","kind":"member","note":"Giấy khen","campaign":"t"}"#),
        ("done", #"{"unit":"nowhere","stage":"a"}"#),
    ]

    /// What differs from run to run, made stable: the random part of some event ids, wall-clock
    /// times (the audit's), job bookkeeping in wall-clock seconds.
    static func normalized(_ reply: String, _ command: String) -> String {
        var s = reply
        for (pattern, with) in [(#"/[0-9A-F]{8}/"#, "/<random>/"), (#"/[0-9A-F]{8}""#, "/<random>\"")] {
            s = s.replacingOccurrences(of: pattern, with: with, options: .regularExpression)
        }
        if command.hasPrefix("token.") { // a token's id and secret are random, its times wall-clock
            for (pattern, with) in [(#""id":"[0-9a-f]{12}""#, #""id":"<token>""#), (#""token":"[^"]+""#, #""token":"<secret>""#),
                                    (#""(created|expires|revoked)":"[0-9T:+-]+""#, #""$1":"<wall>""#)] {
                s = s.replacingOccurrences(of: pattern, with: with, options: .regularExpression)
            }
        }
        if command == Audit.name { // the audit records wall-clock time, whatever the campaign's clock says
            s = s.replacingOccurrences(of: #""time":"[0-9T:+-]+""#, with: #""time":"<wall>""#, options: .regularExpression)
        }
        return s
    }

    @Test func everyCommandsRequestAndReplyAreUnchanged() throws {
        #expect(Set(Self.script.map(\.0)) == Set(CommandRegistry.standard.names), "a command is missing from the script")
        let f = try Fixture()
        try f.load(escalatingPlan)
        let context = TestHost(engine: f.engine, now: at("2022-11-10T09:00:00+07:00"),
                               endpoints: Endpoints(control: "inproc://golden", events: "inproc://golden-events", jobs: "inproc://golden-jobs"))
        let handler = ControlHandler(engine: f.engine, logger: .init(label: "golden"))
        handler.host = context
        var lines: [String] = []
        var upload = "" // the random id of the latest import.begin, put where a request says <upload>
        var token = "" // and of the latest token.issue, where it says <token>
        for (i, (command, args)) in Self.script.enumerated() {
            let request = #"{"id":"r\#(i)","command":"\#(command)","args":\#(args.replacingOccurrences(of: "<upload>", with: upload).replacingOccurrences(of: "<token>", with: token))}"#
            var reply = String(decoding: handler.handle(Data(request.utf8), caller: Caller(name: "admin", role: .admin), now: context.now).reply, as: UTF8.self)
            if let r = reply.range(of: #""upload":"[0-9a-f]{16}""#, options: .regularExpression) {
                upload = String(reply[r].dropFirst(10).dropLast())
                reply = reply.replacingOccurrences(of: upload, with: "<upload>")
            }
            if command == TokenIssue.name, let r = reply.range(of: #""id":"[0-9a-f]{12}""#, options: .regularExpression) {
                token = String(reply[r].dropFirst(6).dropLast())
            }
            var shown = upload.isEmpty ? request : request.replacingOccurrences(of: upload, with: "<upload>")
            if !token.isEmpty { shown = shown.replacingOccurrences(of: token, with: "<token>") }
            let record = try JSONSerialization.data(withJSONObject: ["request": shown,
                                                                     "reply": Self.normalized(reply, command)], options: [.sortedKeys, .withoutEscapingSlashes])
            lines.append(String(decoding: record, as: UTF8.self))
        }
        let file = repoRoot.appendingPathComponent("Tests/KiemDiemEngineTests/Fixtures/wire-golden.jsonl")
        let recorded = lines.joined(separator: "\n") + "\n"
        if ProcessInfo.processInfo.environment["KIEMDIEM_RECORD_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try recorded.write(to: file, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(golden.count == lines.count)
        for (g, l) in zip(golden, lines) where g != l {
            Issue.record("wire changed:\n  was: \(g.prefix(600))\n  now: \(l.prefix(600))")
        }
    }
}
