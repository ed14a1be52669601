import Foundation
import KiemDiemTesting
import KiemDiemClient
import KiemDiemWire
import Testing
import ZeroMQ

@Suite(.timeLimit(.minutes(5))) struct RobustnessTests {
    @Test func malformedRequestsGetErrorRepliesAndChangeNothing() throws {
        let d = try DaemonProcess(extra: "limits:\n  max_message_size: 65536")
        defer { _ = d.terminate() }
        try d.ctl(["import", "units", try write(itUnits, "units.csv", in: d.dir)])
        let before = try d.ctlJSON(["status"]) as! [String: Any]
        let client = try ControlClient(endpoint: d.control, timeout: .seconds(10))
        let cases: [(Data, String)] = [
            (Data("not json".utf8), "bad_request"),
            (Data("{}".utf8), "bad_request"),
            (Data(#"{"id":"1","command":"launch"}"#.utf8), "unknown_command"),
            (Data(#"{"id":"2","command":"done","args":{"unit":5,"stage":"x"}}"#.utf8), "bad_request"),
            (Data(#"{"id":"3","command":"done"}"#.utf8), "bad_request"),
            (Data([0x7B, 0xFF, 0xFE, 0x7D]), "bad_request"),
            (Data(#"{"id":"4","command":"import.units","args":{"name":"x.csv","content":"id,parent\n\"open"}}"#.utf8), "invalid_input"),
            (Data(#"{"id":"5","command":"extend","args":{"unit":"cs-b","stage":"s","until":"2022-13-45","reason":"r"}}"#.utf8), "not_found"),
            (Data(#"{"id":"6","command":"clock.set","args":{"time":"99999-01-01"}}"#.utf8), "invalid_input"),
            (Data(#"{"id":"7","command":"events","args":{"since":"zero"}}"#.utf8), "bad_request"),
            (Data(("{\"id\":\"8\",\"command\":\"" + String(repeating: "x", count: 40_000) + "\"}").utf8), "unknown_command"),
            (Data(count: 100_000), "too_large"), // over limits.max_message_size, under the hard MAXMSGSIZE
        ]
        for (body, code) in cases {
            let reply = try client.send(body, id: nil)
            let obj = try JSONSerialization.jsonObject(with: reply) as! [String: Any]
            #expect(obj["ok"] as? Bool == false)
            #expect((obj["error"] as? [String: Any])?["code"] as? String == code, "\(String(decoding: body.prefix(80), as: UTF8.self))")
        }
        // Thousands of hostile requests, seeded: truncated, mutated and random bodies, and wrong
        // frame counts. Every one gets an error reply and the daemon keeps serving.
        var rng = SeededRandom(seed: 2022)
        let valid = Array(#"{"id":"9","command":"done","args":{"unit":"cs-b","stage":"x","member":"b1"}}"#.utf8)
        for i in 0..<3000 {
            var body: [UInt8]
            switch i % 4 {
            case 0: body = Array(valid.prefix(Int(rng.next() % UInt64(valid.count))))
            case 1:
                body = valid
                for _ in 0..<3 { body[Int(rng.next() % UInt64(body.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            case 2: body = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            default: body = Array(#"{"id":"x","command":"extend","args":{"unit":"cs-b","stage":"s","until":"\#(Int(rng.next() % 100_000))-99-99","reason":"r"}}"#.utf8)
            }
            let reply = try client.send(Data(body), id: nil)
            let obj = try JSONSerialization.jsonObject(with: reply) as! [String: Any]
            #expect(obj["ok"] as? Bool == false, "request \(i)")
        }
        let multi = try Socket(try ZMQContext(), .dealer)
        try multi.connect(d.control)
        try multi.send([Data("{}".utf8), Data("{}".utf8), Data("{}".utf8), Data("{}".utf8), Data("{}".utf8)])
        #expect(try poll([multi], timeoutMs: 10_000)[0].contains(.readable))
        #expect(String(decoding: try multi.receive()!.last!, as: UTF8.self).contains("one JSON frame"))
        multi.close()

        // A frame over the hard limit (twice the configured one) drops that connection; the daemon keeps serving everyone else.
        let ctx = try ZMQContext()
        let raw = try Socket(ctx, .dealer)
        let monitor = try raw.monitor("inproc://raw-monitor-\(UUID().uuidString)", events: [.connected, .disconnected], context: ctx)
        try raw.connect(d.control)
        func nextEvent() throws -> MonitorEvent? {
            guard try poll([monitor], timeoutMs: 10_000)[0].contains(.readable) else { return nil }
            return try monitor.receiveMonitorEvent()
        }
        #expect(try nextEvent()?.event == .connected)
        try raw.send(Data(count: 200_000))
        // The refusal itself: libzmq on the daemon's side closes this connection.
        #expect(try nextEvent()?.event == .disconnected, "the oversized frame did not drop the connection")
        monitor.close()
        raw.close()
        let after = try d.ctlJSON(["status"]) as! [String: Any]
        #expect((after["counts"] as! [String: Any])["units"] as! Int == (before["counts"] as! [String: Any])["units"] as! Int)
        #expect((after["lastSeq"] as! NSNumber) == (before["lastSeq"] as! NSNumber))
    }

    @Test func aBadConfigFailsAtStartWithOneLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let cases: [(String, String)] = [
            ("database: /tmp/x.sqlite\nclock:\n  mode: sometimes\n", "cfg.yaml:3: clock.mode: 'sometimes' must be system or simulated"),
            ("database: /tmp/x.sqlite\ncolour: red\n", "cfg.yaml:2: unknown key 'colour'"),
            ("endpoints:\n  control: tcp://0.0.0.0:7400\n", "is not a loopback address"),
            ("database: [unclosed\n", "cfg.yaml:2"),
            ("database: /proc/nope/x.sqlite\n", "cannot open database /proc/nope/x.sqlite"),
        ]
        for (text, expected) in cases {
            let path = try write(text, "cfg.yaml", in: dir)
            let r = try run(binDir.appendingPathComponent("kiemdiemd"), ["--config", path])
            #expect(r.status != 0)
            let lines = r.err.split(separator: "\n").filter { !$0.contains(" info ") }
            #expect(lines.count == 1 && r.err.contains(expected), "\(r.err)")
        }
    }
}

