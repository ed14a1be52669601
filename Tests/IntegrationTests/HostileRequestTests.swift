import Foundation
import KiemDiemClient
import Testing

/// Defects a hostile-input probe found, reproduced through the real daemon: an id cut short by a
/// NUL byte acted on another subject; with a key given twice one value ran and another was
/// audited; an error reply repeated a 4 MB file name in every finding.
@Suite(.serialized, .timeLimit(.minutes(5))) struct HostileRequestTests {
    func setUp() throws -> DaemonProcess {
        let d = try DaemonProcess()
        _ = try d.ctl(["import", "units", try write(itUnits, "units.csv", in: d.dir)])
        _ = try d.ctl(["import", "members", try write(itMembers, "members.csv", in: d.dir)])
        _ = try d.ctl(["clock", "set", "2023-11-01T09:00:00+07:00"])
        let plan = itPlan(opens: "2023-11-01T08:00:00+07:00", selfDue: "2023-11-20", cellDue: "2023-11-25", orgDue: "2023-12-01")
        _ = try d.ctl(["campaign", "load", try write(plan, "plan.yaml", in: d.dir)])
        return d
    }

    func send(_ client: ControlClient, _ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: try client.send(Data(text.utf8), id: nil)) as! [String: Any]
    }

    func code(_ reply: [String: Any]) -> String? { (reply["error"] as? [String: Any])?["code"] as? String }

    func state(_ d: DaemonProcess) throws -> (lastSeq: Int64, audit: Int, progress: String) {
        let status = try d.ctlJSON(["status"]) as! [String: Any]
        let audit = try d.ctlJSON(["audit"]) as! [[String: Any]]
        let report = try d.ctl(["report"]).out
        return ((status["lastSeq"] as! NSNumber).int64Value, audit.count, report)
    }

    @Test func anIdWithANulByteOrAnyCharacterOutsideTheAlphabetIsRefused() throws {
        let d = try setUp()
        defer { _ = d.terminate() }
        let client = try ControlClient(endpoint: d.control, timeout: .seconds(10))
        let before = try state(d)
        let hostile = [
            #"{"id":"1","command":"done","args":{"unit":"cs-b\u0000anything","stage":"tu-kiem-diem"}}"#,
            #"{"id":"2","command":"done","args":{"unit":"cs-b","stage":"tu-kiem-diem","member":"b1\u0000evil"}}"#,
            #"{"id":"3","command":"done","args":{"unit":"cs-b","stage":"tu-kiem-diem\u0000x"}}"#,
            #"{"id":"4","command":"flag","args":{"unit":"cs-b\u0000x","reasons":["r"],"note":"n"}}"#,
            #"{"id":"5","command":"extend","args":{"unit":"cs-b\u0000","stage":"tu-kiem-diem","until":"2023-11-24","reason":"r"}}"#,
            #"{"id":"6","command":"done","args":{"unit":"CS-B","stage":"tu-kiem-diem"}}"#,
            #"{"id":"7","command":"done","args":{"unit":"cs-b ","stage":"tu-kiem-diem"}}"#,
            #"{"id":"8","command":"rate.annul","args":{"subject":"b1\u0000","kind":"member","reason":"r"}}"#,
        ]
        for text in hostile {
            let reply = try send(client, text)
            #expect(reply["ok"] as? Bool == false, "\(text)")
            #expect(code(reply) == "invalid_input" || code(reply) == "bad_request", "\(text): \(reply)")
        }
        // Nothing completed, flagged or extended; no event stored. Refusals of audited commands
        // are audited as refused, never as done.
        let after = try state(d)
        #expect(after.lastSeq == before.lastSeq)
        #expect(after.progress == before.progress)
        let audit = try d.ctlJSON(["audit"]) as! [[String: Any]]
        #expect(!audit.contains { ($0["result"] as? String) == "ok" && ["done", "flag", "extend", "rate.annul"].contains($0["command"] as? String) })
        // The same request with the real id is accepted: the refusal was about the id.
        let ok = try send(client, #"{"id":"9","command":"done","args":{"unit":"cs-b","stage":"tu-kiem-diem","member":"b1"}}"#)
        #expect(ok["ok"] as? Bool == true, "\(ok)")
    }

    @Test func aRequestMustBeStrictJSONAndTheAuditRecordsWhatRan() throws {
        let d = try setUp()
        defer { _ = d.terminate() }
        let client = try ControlClient(endpoint: d.control, timeout: .seconds(10))
        let before = try state(d)
        let hostile = [
            // One value would run, another be audited.
            #"{"id":"1","command":"extend","args":{"unit":"cs-b","stage":"tu-kiem-diem","until":"2023-11-24","reason":"A","reason":"B"}}"#,
            #"{"id":"2","command":"clock.advance","args":{"duration":"1d"},"args":{"duration":"30d"}}"#,
            #"{"id":"3","command":"clock.advance","command":"status","args":{"duration":"1d"}}"#,
            // The same key spelled with an escape is the same key.
            #"{"id":"4","command":"extend","args":{"unit":"cs-b","stage":"tu-kiem-diem","until":"2023-11-24","reason":"A","re\u0061son":"B"}}"#,
            // Trailing commas, comments, single quotes, bare words, a second value.
            #"{"id":"5","command":"clock.advance","args":{"duration":"1d",}}"#,
            #"{"id":"6","command":"extend","args":{"unit":"cs-b","stage":"tu-kiem-diem","until":"2023-11-24","reason":"A"},}"#,
            #"{"id":"7","command":"clock.advance","args":{"duration":"1d"}} {"id":"8"}"#,
            #"{'id':'9','command':'status'}"#,
            #"{"id":"10","command":"clock.advance","args":{"duration":"1d"}} // now"#,
            #"{"id":"11","command":"events","args":{"since":01}}"#,
            String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000),
        ]
        for text in hostile {
            let reply = try send(client, text)
            #expect(code(reply) == "bad_request", "\(text.prefix(120)): \(reply)")
            #expect(((reply["error"] as? [String: Any])?["message"] as? String)?.contains("at byte") == true, "\(reply)")
        }
        let after = try state(d)
        #expect(after.lastSeq == before.lastSeq)
        #expect(after.audit == before.audit)
        #expect(try d.ctl(["clock"]).out == (try d.ctl(["clock"]).out))

        // An accepted request is audited with exactly the arguments it ran with, and its event
        // carries the same reason.
        let ok = try send(client, #"{"id":"12","command":"extend","args":{"unit":"cs-b","stage":"tu-kiem-diem","until":"2023-11-24","reason":"Đi công tác \"xa\""}}"#)
        #expect(ok["ok"] as? Bool == true, "\(ok)")
        let last = (try d.ctlJSON(["audit"]) as! [[String: Any]]).last!
        let audited = try JSONSerialization.jsonObject(with: Data((last["args"] as! String).utf8)) as! [String: Any]
        #expect(last["command"] as? String == "extend")
        #expect(audited["reason"] as? String == "Đi công tác \"xa\"" && audited["unit"] as? String == "cs-b")
        let events = try d.ctlJSON(["events", "--since", "\(after.lastSeq)"]) as! [[String: Any]]
        #expect(events.map { $0["message"] as? String ?? "" }.contains { $0.contains("Đi công tác \"xa\"") }, "\(events)")
    }

    @Test func errorRepliesAreBoundedWhateverTheRequest() throws {
        let d = try DaemonProcess()
        defer { _ = d.terminate() }
        let client = try ControlClient(endpoint: d.control, timeout: .seconds(30))
        let badRows = "id,parent,kind,name\n" + (0..<300).map { "BAD\($0),,bloc,x" }.joined(separator: "\n")
        func importUnits(name: String) throws -> (reply: Data, obj: [String: Any]) {
            let body = try JSONSerialization.data(withJSONObject: ["id": "1", "command": "import.units", "args": ["name": name, "content": badRows]])
            let reply = try client.send(body, id: nil)
            return (reply, try JSONSerialization.jsonObject(with: reply) as! [String: Any])
        }
        // A 4,000,000-byte file name is refused before the file is read.
        let huge = try importUnits(name: String(repeating: "n", count: 4_000_000))
        #expect(code(huge.obj) == "invalid_input")
        #expect(huge.reply.count < 1_000, "\(huge.reply.count) bytes")
        // The longest name allowed, with 300 bad rows: every finding still comes back, bounded.
        let long = try importUnits(name: String(repeating: "n", count: 251) + ".csv")
        #expect(code(long.obj) == "invalid_input")
        let details = (long.obj["error"] as! [String: Any])["details"] as! [String]
        #expect(details.count == 200 && details.allSatisfy { $0.count <= 501 })
        #expect(long.reply.count <= 120_000, "\(long.reply.count) bytes")
        // A name with a control character is refused by name.
        let ctrl = try importUnits(name: "units\n.csv")
        #expect(code(ctrl.obj) == "invalid_input")
        // The daemon keeps serving.
        #expect(try d.ctl(["status"]).status == 0)
    }
}
