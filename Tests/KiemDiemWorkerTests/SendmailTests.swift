import Foundation
import KiemDiemWire
import Testing
@testable import KiemDiemWorker

/// SendmailChannel against a stand-in for the system's sendmail: a shell script that keeps its
/// arguments and its input, and exits as told. What a real MTA does with the message next
/// (queueing, TLS, login) is the MTA's; this checks the contract: what is piped, and how the
/// exit status is read.
@Suite(.timeLimit(.minutes(5))) struct SendmailTests {
    func stub(exit status: Int32, stderr: String = "") throws -> (path: String, out: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-sendmail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let out = dir.appendingPathComponent("received")
        let script = dir.appendingPathComponent("sendmail")
        try """
            #!/bin/sh
            echo "$@" > "\(out.path).args"
            cat > "\(out.path)"
            \(stderr.isEmpty ? "" : "echo '\(stderr)' >&2")
            exit \(status)
            """.write(to: script, atomically: true, encoding: .utf8)
        chmod(script.path, 0o755)
        return (script.path, out)
    }

    func outgoing(address: String? = "dangbo@example.gov.vn") -> Outgoing {
        let p = payload(.escalation, level: 1)
        return Outgoing(key: p.key + "/so-tai-chinh", payload: p, address: address, subject: "Báo cáo chậm tiến độ: Chi bộ Văn phòng", body: "Kính gửi: Đảng ủy Sở Tài chính\n", json: Data())
    }

    @Test func theMessageIsPipedWithDashTAndDashOi() throws {
        let (path, out) = try stub(exit: 0)
        try SendmailChannel(path: path, from: "kiemdiem@so-noi-vu.gov.vn").deliver(outgoing())
        #expect(try String(contentsOf: URL(fileURLWithPath: out.path + ".args"), encoding: .utf8) == "-t -oi\n")
        let mail = try String(contentsOf: out, encoding: .utf8)
        for line in ["From: kiemdiem@so-noi-vu.gov.vn", "To: dangbo@example.gov.vn", "Message-ID: <", "X-Kiemdiem-Event: ", "Content-Transfer-Encoding: base64"] {
            #expect(mail.contains(line), "\(line)")
        }
        let body = try #require(mail.components(separatedBy: "\r\n\r\n").last.flatMap { Data(base64Encoded: $0, options: .ignoreUnknownCharacters) })
        #expect(String(decoding: body, as: UTF8.self) == "Kính gửi: Đảng ủy Sở Tài chính\n")
    }

    @Test func aTemporaryFailureIsRetriedAndARefusalIsNot() throws {
        let (temp, _) = try stub(exit: 75, stderr: "queue full")
        #expect(performing: { try SendmailChannel(path: temp, from: "k@x").deliver(outgoing()) },
                throws: { ($0 as? DeliveryError)?.retryable == true && "\($0)".contains("queue full") })
        let (refused, _) = try stub(exit: 67, stderr: "unknown user")
        #expect(performing: { try SendmailChannel(path: refused, from: "k@x").deliver(outgoing()) },
                throws: { ($0 as? DeliveryError)?.retryable == false && "\($0)".contains("unknown user") })
        #expect(performing: { try SendmailChannel(path: "/nonexistent/sendmail", from: "k@x").deliver(outgoing()) },
                throws: { ($0 as? DeliveryError)?.retryable == true })
        #expect(performing: { try SendmailChannel(path: refused, from: "k@x").deliver(outgoing(address: nil)) },
                throws: { ($0 as? DeliveryError)?.retryable == false && "\($0)".contains("no e-mail address") })
    }
}
