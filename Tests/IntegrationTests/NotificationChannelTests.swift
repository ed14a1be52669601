import Foundation
import Testing

/// The notification channels through the real daemon and worker: an agency mail server with
/// STARTTLS and a login (aiosmtpd, a self-signed certificate), and member reminders.
@Suite(.serialized, .timeLimit(.minutes(5))) struct NotificationChannelTests {
    static let samples = repoRoot.appendingPathComponent("config/samples")

    /// The test SMTP server of the worker's tests: STARTTLS, AUTH, one JSON line per message.
    final class TLSServer {
        let process = Process()
        let output: OutputCollector
        let port: String, cert: String

        init(dir: URL) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", repoRoot.appendingPathComponent("Tests/KiemDiemWorkerTests/Support/smtp_tls_server.py").path,
                                 dir.path, "kiemdiem@so-noi-vu.gov.vn", "mật-khẩu-đúng"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            output = OutputCollector(pipe)
            try process.run()
            let line = try output.wait(timeout: 60, what: "the SMTP server") { hasReadyLine($0) }
                .split(separator: "\n").first { $0.hasPrefix("ready ") }!.split(separator: " ")
            port = String(line[1])
            cert = String(line[2])
        }
        deinit { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }

    func loaded(_ d: DaemonProcess, plan: String? = nil) throws {
        _ = try d.ctl(["import", "units", Self.samples.appendingPathComponent("units.csv").path])
        _ = try d.ctl(["import", "members", Self.samples.appendingPathComponent("members.csv").path])
        _ = try d.ctl(["campaign", "load", plan ?? repoRoot.appendingPathComponent("config/plans/2022-annual.yaml").path])
    }

    @Test func aWorkerDeliversThroughSTARTTLSAndALoginAndAWrongPasswordEndsDead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let server = try TLSServer(dir: dir.appendingPathComponent("smtp"))
        for (password, delivered) in [("mật-khẩu-đúng", true), ("sai-rồi", false)] {
            let d = try DaemonProcess(extra: "delivery:\n  default: smtp")
            defer { _ = d.terminate() }
            try loaded(d)
            let secret = d.dir.appendingPathComponent("smtp.password")
            try (password + "\n").write(to: secret, atomically: true, encoding: .utf8)
            let worker = try WorkerProcess(daemon: d, spool: d.dir.appendingPathComponent("spool"), extra: [
                "--smtp", "127.0.0.1:\(server.port)", "--smtp-tls", "starttls", "--smtp-user", "kiemdiem@so-noi-vu.gov.vn",
                "--smtp-password-file", secret.path, "--smtp-ca-file", server.cert, "--from", "kiemdiem@so-noi-vu.gov.vn"])
            defer { worker.kill9() }
            let before = server.output.text.components(separatedBy: "\"content\"").count - 1
            _ = try d.ctl(["clock", "set", "2022-11-17T00:00:00+07:00"]) // the study stage's 3-day reminders
            let counts = try waitForJobs(d)
            let arrived = server.output.text.components(separatedBy: "\"content\"").count - 1 - before
            if delivered {
                #expect((counts["done"] ?? 0) > 0 && counts["dead"] == nil && arrived == counts["done"], "\(counts), \(arrived) arrived")
                #expect(server.output.text.contains("\"tls\": true") && server.output.text.contains("\"user\": \"kiemdiem@so-noi-vu.gov.vn\""))
            } else {
                #expect((counts["dead"] ?? 0) > 0 && counts["done"] == nil && arrived == 0, "\(counts)")
                let dead = (try d.ctlJSON(["jobs", "--state", "dead", "--limit", "1"]) as! [String: Any])["jobs"] as! [[String: Any]]
                let reason = dead.first?["lastError"] as? String ?? ""
                #expect(reason.contains("535") && !reason.contains("sai-rồi"), "\(reason)")
            }
        }
    }

    @Test func remindingMembersWritesToExactlyTheLateMembersWithAnAddress() throws {
        let d = try DaemonProcess()
        defer { _ = d.terminate() }
        let plan = try String(contentsOf: repoRoot.appendingPathComponent("config/plans/2022-annual.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "    reminders: [7d, 3d, 1d]\n", with: "    reminders: [7d, 3d, 1d]\n    remind: [unit, members]\n", options: [], range: nil)
        let file = try write(plan, "plan.yaml", in: d.dir)
        try loaded(d, plan: file)
        let spool = d.dir.appendingPathComponent("spool")
        let worker = try WorkerProcess(daemon: d, spool: spool)
        defer { worker.kill9() }
        let done = "vp-tinh-uy-cb-phong-tong-hop"
        let rows = try String(contentsOf: Self.samples.appendingPathComponent("members.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        _ = try d.ctl(["clock", "set", "2022-11-02T08:00:00+07:00"])
        _ = try d.ctl(["done", done, "self-review"]) // this cell's members are not late
        _ = try d.ctl(["clock", "set", "2022-11-18T00:00:00+07:00"]) // the 7-day reminder
        _ = try waitForJobs(d, timeout: 240)
        let reminders = try d.ctlJSON(["events", "--since", "0", "--topic", "deadline.reminder/"]) as! [[String: Any]]
        let sevenDay = Dictionary(uniqueKeysWithValues: reminders.filter { $0["stage"] as? String == "self-review" && $0["lead"] as? String == "7d" }
            .map { ($0["unit"] as! String, $0["id"] as! String) })
        // The oracle: the members file's rows with an address, in a cell reminded (not the one done).
        let expected = Set(rows.filter { !$0[4].isEmpty && $0[1] != done && sevenDay[$0[1]] != nil }.map { spoolName("\(sevenDay[$0[1]]!)/\($0[0])") })
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: spool.appendingPathComponent("new").path))
        let toMembers = files.filter { $0.contains("_dv-") }
        #expect(!expected.isEmpty && toMembers == expected, "\(toMembers.count) vs \(expected.count)")
        // Beside the cells' own letters.
        #expect(sevenDay.values.allSatisfy { files.contains(spoolName($0)) })
    }

    @Test func aSignedWebhookIsVerifiedByItsReceiverAndAnAlteredBodyIsNot() throws {
        let d = try DaemonProcess(extra: "delivery:\n  default: webhook")
        defer { _ = d.terminate() }
        try loaded(d)
        let secret = "bí-mật-dùng-chung-của-cầu-nối-0123"
        let file = try write(secret + "\n", "webhook.secret", in: d.dir)
        let sink = Process()
        sink.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sink.arguments = ["python3", repoRoot.appendingPathComponent("Tests/KiemDiemWorkerTests/Support/webhook_sink.py").path, "204", secret]
        let pipe = Pipe()
        sink.standardOutput = pipe
        sink.standardError = FileHandle.nullDevice
        let out = OutputCollector(pipe)
        try sink.run()
        defer { kill(sink.processIdentifier, SIGKILL); sink.waitUntilExit() }
        let port = try out.wait(timeout: 60, what: "the webhook receiver") { hasReadyLine($0) }.split(separator: " ")[1].prefix { $0.isNumber }
        let worker = try WorkerProcess(daemon: d, spool: d.dir.appendingPathComponent("spool"),
                                       extra: ["--webhook", "http://127.0.0.1:\(port)/hooks", "--webhook-secret-file", file])
        defer { worker.kill9() }
        _ = try d.ctl(["clock", "set", "2022-11-17T00:00:00+07:00"])
        let counts = try waitForJobs(d)
        let lines = out.text.split(separator: "\n").filter { $0.hasPrefix("{") }.map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(!lines.isEmpty && lines.count == counts["done"], "\(lines.count) requests, \(counts)")
        #expect(lines.allSatisfy { $0["signature_ok"] as? Bool == true && $0["altered_ok"] as? Bool == false })
        #expect(lines.allSatisfy { (($0["body"] as? [String: Any])?["rendered"] as? [String: Any])?["subject"] as? String != nil })
    }
}

/// Whether `text` holds a whole `ready …` line (a pipe may hand a line over in pieces).
func hasReadyLine(_ text: String) -> Bool {
    text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().contains { $0.hasPrefix("ready ") }
}
