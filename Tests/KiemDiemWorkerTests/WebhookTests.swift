import Foundation
import KiemDiemWire
import Testing
@testable import KiemDiemWorker

/// WebhookChannel against a real HTTP server (Python's http.server) started by the test.
@Suite(.timeLimit(.minutes(5))) struct WebhookTests {
    final class Text: @unchecked Sendable {
        private let lock = NSLock()
        private var value = ""
        func append(_ s: String) { lock.withLock { value += s } }
        var current: String { lock.withLock { value } }
    }

    final class Server {
        let process = Process()
        let output = Text()
        let changed = DispatchSemaphore(value: 0)
        var port = 0

        init(status: Int, secret: String? = nil) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", repoRoot.appendingPathComponent("Tests/KiemDiemWorkerTests/Support/webhook_sink.py").path, "\(status)"] + (secret.map { [$0] } ?? [])
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            pipe.fileHandleForReading.readabilityHandler = { [output, changed] h in
                let d = h.availableData
                output.append(String(decoding: d, as: UTF8.self))
                changed.signal()
            }
            try process.run()
            let line = try waitFor { hasReadyLine($0) }
            port = Int(line.split(separator: " ")[1].prefix { $0.isNumber })!
        }

        func waitFor(_ p: (String) -> Bool) throws -> String {
            let deadline = Date().addingTimeInterval(20)
            while true {
                let t = output.current
                if p(t) { return t }
                if Date() > deadline { throw DeliveryError(retryable: false, "webhook sink: timed out; saw \(t)") }
                _ = changed.wait(timeout: .now() + .milliseconds(200))
            }
        }

        deinit {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func outgoing() throws -> Outgoing {
        let p = payload(.escalation, level: 1)
        return Outgoing(key: p.key + "/so-tai-chinh", payload: p, address: nil, subject: "s", body: "b", json: try WireJSON.encoder().encode(p))
    }

    @Test func postsTheJSONWithItsIdempotencyKey() throws {
        let server = try Server(status: 204)
        let n = try outgoing()
        try WebhookChannel(url: URL(string: "http://127.0.0.1:\(server.port)/hooks/kiemdiem")!).deliver(n)
        let text = try server.waitFor { $0.contains("\"key\"") }
        let line = text.split(separator: "\n").first { $0.contains("\"key\"") }!
        let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        #expect(obj["key"] as? String == n.key)
        #expect((obj["type"] as? String)?.hasPrefix("application/json") == true)
        #expect((obj["body"] as? [String: Any])?["unitName"] as? String == "Chi bộ Văn phòng")
    }

    @Test func serverErrorsAreRetryableClientErrorsAreNot() throws {
        for (status, retryable) in [(503, true), (429, true), (400, false), (404, false)] {
            let server = try Server(status: status)
            #expect(performing: { try WebhookChannel(url: URL(string: "http://127.0.0.1:\(server.port)/")!).deliver(try outgoing()) },
                    throws: { ($0 as? DeliveryError)?.retryable == retryable })
        }
        // Nothing listening: retryable.
        #expect(performing: { try WebhookChannel(url: URL(string: "http://127.0.0.1:9/")!, timeout: 2).deliver(try outgoing()) },
                throws: { ($0 as? DeliveryError)?.retryable == true })
    }

    @Test func aSignedRequestCarriesTheLetterAndVerifiesAndAnAlteredOneDoesNot() throws {
        let secret = "bí-mật-của-cầu-nối-sms-0123456789"
        let server = try Server(status: 204, secret: secret)
        var n = try outgoing()
        n.subject = "Báo cáo chậm tiến độ: Chi bộ Văn phòng — Đảng viên tự kiểm điểm"
        n.body = "Kính gửi: Đảng ủy Sở Tài chính\n…"
        try WebhookChannel(url: URL(string: "http://127.0.0.1:\(server.port)/hooks")!, secret: Data(secret.utf8)).deliver(n)
        let line = try server.waitFor { $0.contains("signature_ok") }.split(separator: "\n").first { $0.contains("signature_ok") }!
        let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        #expect(obj["signature_ok"] as? Bool == true, "the receiver's own HMAC agrees")
        #expect(obj["altered_ok"] as? Bool == false, "one byte changed: refused")
        let body = try #require(obj["body"] as? [String: Any])
        let rendered = try #require(body["rendered"] as? [String: Any])
        #expect(rendered["subject"] as? String == n.subject && rendered["text"] as? String == n.body)
        #expect(body["unitName"] as? String == "Chi bộ Văn phòng", "the payload's fields stay where they were")
        let sentAt = try #require((body["sentAt"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
        #expect(obj["timestamp"] as? String == String(Int64(sentAt.timeIntervalSince1970)))
        #expect(obj["key"] as? String == n.key)
    }

    @Test func withoutASecretNothingIsSigned() throws {
        let server = try Server(status: 204)
        try WebhookChannel(url: URL(string: "http://127.0.0.1:\(server.port)/")!).deliver(try outgoing())
        let text = try server.waitFor { $0.contains("\"key\"") }
        #expect(text.contains("\"signature\": null"), "\(text)")
    }

    /// docs/webhook_bridge.py, the example bridge to an SMS gateway, kept working: a signed
    /// letter reaches the gateway once with the recipient's phone; an unsigned one is refused.
    @Test func theDocsExampleBridgeForwardsASignedLetterOnceAndRefusesAForgedOne() throws {
        let gateway = try Server(status: 200)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-bridge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let secretFile = dir.appendingPathComponent("webhook.secret")
        let secret = "a-secret-of-thirty-two-bytes-0123"
        try (secret + "\n").write(to: secretFile, atomically: true, encoding: .utf8)
        let bridge = Process()
        bridge.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        bridge.arguments = ["python3", repoRoot.appendingPathComponent("docs/webhook_bridge.py").path, "0"]
        bridge.environment = ProcessInfo.processInfo.environment.merging(["SECRET_FILE": secretFile.path, "GATEWAY": "http://127.0.0.1:\(gateway.port)/send"]) { _, b in b }
        let out = Pipe(), err = Pipe()
        bridge.standardOutput = out
        bridge.standardError = err
        let lines = Text(), errors = Text(), ready = DispatchSemaphore(value: 0)
        out.fileHandleForReading.readabilityHandler = { h in lines.append(String(decoding: h.availableData, as: UTF8.self)); ready.signal() }
        err.fileHandleForReading.readabilityHandler = { h in errors.append(String(decoding: h.availableData, as: UTF8.self)) }
        try bridge.run()
        defer { kill(bridge.processIdentifier, SIGKILL); bridge.waitUntilExit() }
        // Its readiness line; a loaded two-core run can take a while to start Python.
        let deadline = Date().addingTimeInterval(90)
        // The whole line: a pipe may hand it over in pieces.
        func readyLine() -> Substring? { lines.current.split(separator: "\n", omittingEmptySubsequences: false).dropLast().first { $0.hasPrefix("ready ") } }
        while readyLine() == nil, bridge.isRunning, Date() < deadline { _ = ready.wait(timeout: .now() + .milliseconds(200)) }
        let port = try #require(readyLine().flatMap { Int($0.dropFirst("ready ".count)) },
                                "the bridge said \(lines.current.debugDescription), stderr \(errors.current.suffix(500).debugDescription), running \(bridge.isRunning)")
        var n = try outgoing()
        n.payload.recipientPhone = "+84912000222"
        n.json = try WireJSON.encoder().encode(n.payload)
        n.subject = "Báo cáo chậm tiến độ: Chi bộ Văn phòng"
        let url = URL(string: "http://127.0.0.1:\(port)/")!
        try WebhookChannel(url: url, secret: Data(secret.utf8)).deliver(n)
        try WebhookChannel(url: url, secret: Data(secret.utf8)).deliver(n) // a retry: same key
        let sent = try gateway.waitFor { $0.contains("\"to\"") }
        #expect(sent.components(separatedBy: "\"to\"").count == 2, "sent once: \(sent)")
        #expect(sent.contains("+84912000222") && sent.contains("Báo cáo chậm tiến độ: Chi bộ Văn phòng"))
        // Unsigned, or signed with another secret: refused (401, not retried).
        for forged in [WebhookChannel(url: url), WebhookChannel(url: url, secret: Data("another-secret-of-32-bytes-xxxxxxx".utf8))] {
            #expect(performing: { try forged.deliver(n) }, throws: { ($0 as? DeliveryError)?.retryable == false })
        }
    }
}

/// Whether `text` holds a whole `ready …` line (a pipe may hand a line over in pieces).
func hasReadyLine(_ text: String) -> Bool {
    text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().contains { $0.hasPrefix("ready ") }
}
