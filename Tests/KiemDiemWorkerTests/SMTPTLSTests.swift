import Foundation
import KiemDiemWire
import Testing
@testable import KiemDiemWorker

/// The SMTP channel against a real server with STARTTLS and a login (aiosmtpd, a self-signed
/// certificate made by openssl): a delivery with the right password arrives over TLS as the user;
/// a wrong password, an untrusted certificate and a server without STARTTLS end the job.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SMTPTLSTests {
    final class Server {
        let process = Process()
        let output = WebhookTests.Text()
        let changed = DispatchSemaphore(value: 0)
        var port: UInt16 = 0
        var cert = ""

        init(loginOnly: Bool = false) throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-smtp-\(UUID().uuidString)")
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", repoRoot.appendingPathComponent("Tests/KiemDiemWorkerTests/Support/smtp_tls_server.py").path,
                                 dir.path, "kiemdiem@so-noi-vu.gov.vn", "mật-khẩu-đúng"] + (loginOnly ? ["login-only"] : [])
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            pipe.fileHandleForReading.readabilityHandler = { [output, changed] h in
                output.append(String(decoding: h.availableData, as: UTF8.self))
                changed.signal()
            }
            try process.run()
            let line = try waitFor { hasReadyLine($0) }.split(separator: "\n").first { $0.hasPrefix("ready ") }!.split(separator: " ")
            port = UInt16(line[1])!
            cert = String(line[2])
        }

        func waitFor(_ p: (String) -> Bool) throws -> String {
            let deadline = Date().addingTimeInterval(60)
            while true {
                let t = output.current
                if p(t) { return t }
                if Date() > deadline || !process.isRunning { throw DeliveryError(retryable: false, "SMTP server: gave up; saw \(t)") }
                _ = changed.wait(timeout: .now() + .milliseconds(200))
            }
        }

        deinit {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func outgoing() -> Outgoing {
        let p = payload(.escalation, level: 1)
        return Outgoing(key: p.key + "/so-tai-chinh", payload: p, address: "dangbo@example.gov.vn", subject: "Báo cáo chậm tiến độ: Chi bộ Văn phòng",
                        body: "Kính gửi: Đảng ủy Sở Tài chính\n", json: Data())
    }

    @Test(arguments: [false, true]) func withTheRightPasswordTheLetterArrivesOverTLSAsTheUser(loginOnly: Bool) throws {
        let server = try Server(loginOnly: loginOnly) // AUTH PLAIN, or AUTH LOGIN when PLAIN is not offered
        let channel = SMTPChannel(host: "127.0.0.1", port: server.port, from: "kiemdiem@so-noi-vu.gov.vn", tls: .starttls,
                                  credentials: ("kiemdiem@so-noi-vu.gov.vn", "mật-khẩu-đúng"), caFile: server.cert)
        try channel.deliver(outgoing())
        let line = try server.waitFor { $0.contains("\"content\"") }.split(separator: "\n").first { $0.contains("\"content\"") }!
        let got = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        #expect(got["tls"] as? Bool == true && got["user"] as? String == "kiemdiem@so-noi-vu.gov.vn")
        #expect(got["to"] as? [String] == ["dangbo@example.gov.vn"])
        #expect((got["content"] as? String ?? "").contains("X-Kiemdiem-Event: "))
    }

    @Test func aWrongPasswordAnUntrustedCertificateOrNoTLSEndTheJobWithTheReason() throws {
        let server = try Server()
        let wrong = SMTPChannel(host: "127.0.0.1", port: server.port, from: "k@x", tls: .starttls, credentials: ("kiemdiem@so-noi-vu.gov.vn", "sai"), caFile: server.cert)
        #expect(performing: { try wrong.deliver(outgoing()) }, throws: { e in
            let d = e as? DeliveryError
            return d?.retryable == false && "\(e)".contains("535") && !"\(e)".contains("sai")
        })
        // The system's roots do not know the test's certificate.
        let untrusted = SMTPChannel(host: "127.0.0.1", port: server.port, from: "k@x", tls: .starttls, credentials: ("kiemdiem@so-noi-vu.gov.vn", "mật-khẩu-đúng"))
        #expect(performing: { try untrusted.deliver(outgoing()) }, throws: { ($0 as? DeliveryError)?.retryable == false && "\($0)".contains("TLS") })
        // A password is never sent in clear; and this server wants TLS first.
        let clear = SMTPChannel(host: "127.0.0.1", port: server.port, from: "k@x", credentials: ("kiemdiem@so-noi-vu.gov.vn", "mật-khẩu-đúng"))
        #expect(performing: { try clear.deliver(outgoing()) }, throws: { ($0 as? DeliveryError)?.retryable == false })
        #expect(!server.output.current.contains("\"content\""), "nothing was delivered")
    }
}
