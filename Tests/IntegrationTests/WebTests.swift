import Foundation
import Testing

/// The committee's page through the real daemon and a raw HTTP client: tokens and the subtree
/// they see, the committee's actions, letters' signed links, and hostile HTTP.
@Suite(.serialized, .timeLimit(.minutes(5))) struct WebTests {
    static let units = repoRoot.appendingPathComponent("config/samples/units.csv").path
    static let members = repoRoot.appendingPathComponent("config/samples/members.csv").path
    static let plan = repoRoot.appendingPathComponent("config/plans/2022-annual.yaml").path

    /// A daemon serving the page, with the sample bloc and the 2022 plan.
    func daemon(_ environment: [String: String] = [:]) throws -> DaemonProcess {
        let d = try DaemonProcess(extra: "http:\n  listen: 127.0.0.1:0", environment: environment)
        _ = try d.ctl(["import", "units", Self.units])
        _ = try d.ctl(["import", "members", Self.members])
        _ = try d.ctl(["campaign", "load", Self.plan])
        return d
    }

    /// Issues a token; returns its secret (`ID.SECRET`, from the printed link) and its id.
    func token(_ d: DaemonProcess, unit: String, role: String = "observer", expires: String = "30d") throws -> (token: String, id: String) {
        let out = try d.ctl(["token", "issue", "--unit", unit, "--role", role, "--expires", expires]).out
        let link = try #require(out.split(separator: "\n").first { $0.contains("/t/") })
        #expect(link.hasPrefix("http://\(d.http)/t/"), "\(out)")
        let token = String(link.split(separator: "/").last!)
        return (token, String(token.split(separator: ".")[0]))
    }

    @Test func aTokenSeesItsOwnSubtreeAndNothingElse() throws {
        let d = try daemon()
        let http = d.httpProbe
        let (t, id) = try token(d, unit: "vp-tinh-uy")
        // The link sets a cookie and sends the browser to the overview.
        let signIn = try http.get("/t/\(t)")
        #expect(signIn.status == 303 && signIn.header("location") == "/")
        #expect(signIn.header("set-cookie")?.contains("HttpOnly") == true && signIn.header("set-cookie")?.contains("SameSite=Strict") == true)
        let home = try http.get("/", headers: ["Cookie": "kd_token=\(t)"])
        #expect(home.status == 200 && home.body.contains("Đảng bộ Văn phòng Tỉnh ủy"))
        #expect(home.body.contains("Chi bộ Phòng Tổng hợp")) // a child, listed
        #expect(try http.get("/u/vp-tinh-uy-cb-phong-tong-hop", token: t).status == 200)
        // Another organization, the bloc above, an unknown id, a malformed one: the same 403, no name.
        for other in ["vp-ubnd", "duk", "no-such-unit", "..%2F..%2Fetc", "VP-UBND"] {
            let a = try http.get("/u/\(other)", token: t)
            #expect(a.status == 403, "\(other): \(a.status)")
            #expect(!a.body.contains("Văn phòng UBND") && !a.body.contains("Khối Các cơ quan"), "\(other)")
        }
        let search = try http.get("/search?q=V%C4%83n%20ph%C3%B2ng", token: t)
        #expect(search.status == 200 && search.body.contains("vp-tinh-uy") && !search.body.contains("vp-ubnd"))
        // No token, a forged one, an altered one: 401 and nothing of the tree.
        for bad in [nil, "0123456789ab.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", String(t.dropLast()) + (t.last == "A" ? "B" : "A"), "garbage"] {
            let a = try http.get("/", token: bad)
            #expect(a.status == 401 && !a.body.contains("Văn phòng Tỉnh ủy"), "\(bad ?? "none"): \(a.status)")
            #expect(try http.get("/events", token: bad).status == 401)
        }
        // Revoked: 401 at once; listed as revoked; audited.
        _ = try d.ctl(["token", "revoke", id])
        #expect(try http.get("/", token: t).status == 401)
        #expect(try d.ctl(["token", "list"]).out.contains(id))
        let audit = try d.ctlJSON(["audit"]) as! [[String: Any]]
        #expect(audit.contains { $0["command"] as? String == "token.issue" } && audit.contains { $0["command"] as? String == "token.revoke" })
        // The audit keeps no secret.
        #expect(!(try d.ctl(["audit", "--json"]).out.contains(String(t.split(separator: ".")[1]))))
        #expect(d.terminate() == 0)
    }

    @Test func anOpenStreamEndsWhenItsTokenIsRevoked() throws {
        let d = try daemon()
        defer { _ = d.terminate() }
        let (t, id) = try token(d, unit: "duk")
        let c = try HTTPProbe.Connection(port: d.httpProbe.port)
        c.send("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer \(t)\r\n\r\n")
        var buf = [UInt8](repeating: 0, count: 65536)
        var head = Data()
        while !String(decoding: head, as: UTF8.self).contains("retry:") {
            let n = recv(c.fd, &buf, buf.count, 0)
            try #require(n > 0, "the stream did not start")
            head.append(contentsOf: buf[0..<n])
        }
        _ = try d.ctl(["token", "revoke", id])
        // The server ends the stream (recv returns 0) instead of keeping it alive. A kept stream
        // sends a comment every 15 s, so the wait has a ceiling of its own: a minute, far above
        // the quarter of a second it takes.
        var closed = false
        let ceiling = Date().addingTimeInterval(60)
        while Date() < ceiling {
            let n = recv(c.fd, &buf, buf.count, 0)
            if n == 0 { closed = true; break }
            if n < 0 { break } // 30 s without a byte: not closed
        }
        #expect(closed, "the stream outlived its revoked token")
        #expect(try d.httpProbe.get("/events", token: t).status == 401)
    }

    @Test func theCookieLivesAsLongAsItsTokenAndIsSecureBehindHttps() throws {
        let d = try daemon()
        defer { _ = d.terminate() }
        let (t, _) = try token(d, unit: "duk", expires: "2d")
        let plain = try d.httpProbe.get("/t/\(t)")
        let cookie = try #require(plain.header("Set-Cookie"))
        let age = cookie.split(separator: ";").compactMap { $0.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1).last.flatMap { Int($0) } }.first
        #expect(age != nil && age! <= 2 * 86_400 && age! > 2 * 86_400 - 600, "\(cookie)")
        #expect(!cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        let proxied = try d.httpProbe.get("/t/\(t)", headers: ["X-Forwarded-Proto": "https"])
        #expect(proxied.header("Set-Cookie")?.contains("; Secure") == true, "\(proxied.header("Set-Cookie") ?? "")")
    }

    @Test func anExpiredTokenIsRefused() throws {
        let d = try daemon()
        let (t, _) = try token(d, unit: "duk", expires: "1s")
        try eventually(timeout: 10, "the token to expire") { try d.httpProbe.get("/", token: t).status == 401 }
        #expect(try d.httpProbe.get("/", token: t).body.contains("hết hạn"))
        #expect(d.terminate() == 0)
    }

    @Test func aCommitteeMarksAUnitOfItsSubtreeDoneAndAnObserverCannot() throws {
        let d = try daemon()
        let http = d.httpProbe
        let (committee, _) = try token(d, unit: "vp-tinh-uy", role: "committee")
        let (observer, _) = try token(d, unit: "vp-tinh-uy", role: "observer")
        let cell = "vp-tinh-uy-cb-phong-tong-hop"
        _ = try d.ctl(["clock", "set", "2022-11-02T08:00:00+07:00"]) // the stages have opened
        // Members first: the cell's review needs its members' self-reviews (the plan's `after`).
        let members = try String(contentsOfFile: Self.members, encoding: .utf8).split(separator: "\n").filter { $0.contains(",\(cell),") }
        for m in members { _ = try d.ctl(["done", cell, "self-review", "--member", String(m.split(separator: ",")[0])]) }
        // The cell's review names its proposals (the plan's `ratings:`): the cell proposes its
        // members' levels and its own.
        let proposals = "subject,kind,level,status\n" + members.map { m in
            let f = m.split(separator: ",", omittingEmptySubsequences: false)
            return "\(f[0]),member,\(f.count > 5 && f[5] == "true" ? "failed" : "good"),proposed"
        }.joined(separator: "\n") + "\n\(cell),unit,good,proposed\n"
        _ = try d.ctl(["rate", try write(proposals, "de-xuat.csv", in: d.dir)])
        #expect(try http.get("/u/\(cell)", token: committee).body.contains("Ghi nhận hoàn thành"))
        #expect(!(try http.get("/u/\(cell)", token: observer).body.contains("Ghi nhận hoàn thành")))
        #expect(try http.post("/u/\(cell)/done", token: observer, form: "stage=cell-review").status == 403)
        #expect(try http.post("/u/vp-ubnd-cb-hc-tc/done", token: committee, form: "stage=cell-review").status == 403)
        // A form posted from another site's page, with the committee's credentials: refused.
        #expect(try http.post("/u/\(cell)/done", token: committee, form: "stage=cell-review", headers: ["Origin": "http://evil.example"]).status == 403)
        let done = try http.post("/u/\(cell)/done", token: committee, form: "stage=cell-review")
        #expect(done.status == 303, "\(done.body)")
        let report = (try d.ctlJSON(["report", "--unit", cell]) as! [[String: Any]])[0]["stages"] as! [[String: Any]]
        #expect(report.first { $0["stage"] as? String == "cell-review" }?["completed"] as? Int == 1)
        let audit = (try d.ctlJSON(["audit"]) as! [[String: Any]]).filter { $0["command"] as? String == "done" && ($0["args"] as? String ?? "").contains("cell-review") }
        #expect(audit.count == 1 && (audit[0]["actor"] as? String ?? "").hasPrefix("token:") && audit[0]["role"] as? String == "committee", "\(audit)")
        #expect(d.terminate() == 0)
    }

    @Test func aLettersLinkAcknowledgesItsEscalationOnceAndAnAlteredOneNothing() throws {
        let d = try daemon()
        let spool = d.dir.appendingPathComponent("spool")
        let worker = try WorkerProcess(daemon: d, spool: spool)
        // 29 Nov: self-reviews are 4 days late; the ladder's second step went to the parents.
        _ = try d.ctl(["clock", "set", "2022-11-29T00:00:00+07:00"])
        _ = try waitForJobs(d)
        let letters = try FileManager.default.contentsOfDirectory(atPath: spool.appendingPathComponent("new").path)
            .map { try letterText(spool.appendingPathComponent("new/\($0)")) }
        let escalation = try #require(letters.first { $0.contains("Báo cáo chậm tiến độ") && $0.contains("/a/ack.") }, "\(letters.count) letters; the first: \(letters.first?.suffix(600) ?? "")")
        #expect(!escalation.contains("kiemdiemctl"))
        let reminder = try #require(letters.first { $0.contains("Nhắc việc") })
        #expect(reminder.contains("/a/view."))
        let link = try #require(escalation.split(whereSeparator: \.isWhitespace).first { $0.contains("/a/ack.") }.map(String.init))
        let path = String(link.dropFirst("http://\(d.http)".count))
        let id = Int64(path.split(separator: ".")[1])!
        let http = d.httpProbe
        let page = try http.get(path)
        #expect(page.status == 200 && page.body.contains("Đã nhận") && page.body.contains("id=\"ack\""), "\(page.body.prefix(400))")
        // Altered anywhere: the id, the recipient, the expiry or the MAC: refused, nothing changes.
        let parts = path.split(separator: ".").map(String.init)
        var altered: [String] = []
        for i in [1, 2, 5, 6] {
            var p = parts
            p[i] = i == 6 ? String(p[i].dropLast()) + (p[i].hasSuffix("0") ? "1" : "0") : (i == 2 ? "zz-altered" : String((Int64(p[i]) ?? 0) + 1))
            altered.append(p.joined(separator: "."))
        }
        // The same numbers written another way ("+12", "012"): not the link that was signed.
        for (i, form) in [(1, "+"), (1, "0"), (5, "0"), (5, "+")] {
            var p = parts
            p[i] = form + p[i]
            altered.append(p.joined(separator: "."))
        }
        for a in altered {
            let r = try http.post(a, form: "")
            #expect(r.status == 403, "\(a): \(r.status) \(r.body.suffix(800))")
        }
        #expect(try eventsOf(d, "escalation.acknowledged").isEmpty)
        // Sent from another site's page (its Origin): refused whatever it carries, nothing changes.
        let foreign = try http.post(path, form: "", headers: ["Origin": "https://evil.example"])
        #expect(foreign.status == 403 && foreign.body.contains("không gửi từ trang theo dõi"), "\(foreign.status)")
        #expect(try eventsOf(d, "escalation.acknowledged").isEmpty)
        // Pressed: acknowledged, by the recipient committee (from the page itself, its Origin).
        let first = try http.post(path, form: "", headers: ["Origin": "http://127.0.0.1"])
        #expect(first.status == 200 && first.body.contains("Đã ghi nhận"), "\(first.body.components(separatedBy: "<section id=\"case\">").last?.prefix(800) ?? "")")
        let acks = try eventsOf(d, "escalation.acknowledged")
        #expect(acks.count == 1 && (acks.first?["escalation"] as? NSNumber)?.int64Value == id, "\(acks)")
        // The actor is the committee the letter went to, by its name and id.
        let recipient = parts[2]
        let audit = (try d.ctlJSON(["audit"]) as! [[String: Any]]).filter { $0["command"] as? String == "ack" }
        let actor = audit.first?["actor"] as? String ?? ""
        #expect(audit.count == 1 && actor.contains("Đảng ủy") && actor.hasSuffix("(\(recipient))") && audit[0]["role"] as? String == "committee", "\(audit)")
        // Again (replayed): nothing changes.
        let again = try http.post(path, form: "")
        #expect(again.status == 200 && again.body.contains("trước đó"))
        #expect(try eventsOf(d, "escalation.acknowledged").count == 1)
        // …and pressed twice is audited once.
        #expect((try d.ctlJSON(["audit"]) as! [[String: Any]]).filter { $0["command"] as? String == "ack" }.count == 1)
        worker.kill9()
        #expect(d.terminate() == 0)
    }

    /// A spooled message's subject and body, decoded (the worker writes both in base64).
    func letterText(_ file: URL) throws -> String {
        let text = try String(contentsOf: file, encoding: .utf8)
        guard let split = text.range(of: "\r\n\r\n") ?? text.range(of: "\n\n") else { return text }
        let subject = text[..<split.lowerBound].split(whereSeparator: \.isNewline).first { $0.hasPrefix("Subject: =?UTF-8?B?") }
            .flatMap { Data(base64Encoded: String($0.dropFirst("Subject: =?UTF-8?B?".count).prefix { $0 != "?" })) }
            .map { String(decoding: $0, as: UTF8.self) } ?? ""
        let body = Data(base64Encoded: String(text[split.upperBound...]), options: .ignoreUnknownCharacters).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return subject + "\n" + body
    }

    func eventsOf(_ d: DaemonProcess, _ type: String) throws -> [[String: Any]] {
        (try d.ctlJSON(["events", "--since", "0", "--topic", type + "/"]) as! [[String: Any]]).map { $0["body"] as? [String: Any] ?? $0 }
    }

    @Test func hostileHTTPGetsAnErrorAndTheServerGoesOn() throws {
        let d = try daemon()
        let http = d.httpProbe
        let (t, _) = try token(d, unit: "duk")
        let page = try http.get("/", token: t)
        // The headers of every page: a CSP without inline script or style, no framing, no sniffing.
        let csp = try #require(page.header("content-security-policy"))
        #expect(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"))
        #expect(page.header("x-frame-options") == "DENY" && page.header("x-content-type-options") == "nosniff")
        #expect(!page.body.contains("<script>") && !page.body.contains("style=\""))
        // Traversal reaches nothing but the two assets.
        for p in ["/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd", "/static/app.css/../../kiemdiem.yaml", "/../etc/passwd"] {
            let a = try http.get(p, token: t)
            #expect(a.status == 404 || a.status == 400, "\(p): \(a.status)")
            #expect(!a.body.contains("root:") && !a.body.contains("database:"), "\(p)")
        }
        // Malformed request lines and headers, an oversized header, an oversized form.
        for raw in ["GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
                    "GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 200_000))\r\n\r\n"] {
            let a = try http.raw(raw)
            #expect(a == nil || (400..<500).contains(a!.status), "\(raw.prefix(40)): \(a?.status ?? 0)")
        }
        let big = try http.post("/u/duk/done", token: t, form: "stage=" + String(repeating: "x", count: 40_000))
        #expect(big.status == 413 || big.status == 403, "\(big.status)")
        // A slow client that sends a header a byte at a time holds its own connection only.
        let slow = try HTTPProbe.Connection(port: http.port)
        slow.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        for _ in 0..<3 { slow.send("a") }
        #expect(try http.get("/", token: t).status == 200)
        #expect(try http.get("/metrics").body.contains("kiemdiem_"))
        // And the daemon still serves its control socket.
        #expect(try d.ctl(["status"]).status == 0)
        #expect(d.terminate() == 0)
    }

    @Test func aReportFileIsTheOverviewInOneSelfContainedFile() throws {
        let d = try DaemonProcess() // no page needed: the file is made by kiemdiemctl
        _ = try d.ctl(["import", "units", Self.units])
        _ = try d.ctl(["import", "members", Self.members])
        _ = try d.ctl(["campaign", "load", Self.plan])
        _ = try d.ctl(["clock", "set", "2022-11-26T08:00:00+07:00"])
        let file = d.dir.appendingPathComponent("bao-cao.html")
        let r = try d.ctl(["report", "--format", "html", "--out", file.path, "--unit", "vp-tinh-uy"])
        #expect(r.out.contains("bao-cao.html"))
        let html = try String(contentsOf: file, encoding: .utf8)
        // Self-contained: its style inside, no script, nothing fetched from elsewhere.
        #expect(html.contains("<style>") && !html.contains("<script") && !html.contains("src=") && !html.contains("stylesheet"))
        #expect(html.contains("<svg class=\"bar\"") && html.contains("<svg class=\"timeline\""))
        #expect(html.contains("Báo cáo tiến độ: Đảng bộ Văn phòng Tỉnh ủy"))
        // Its figures are the report's.
        let stages = (try d.ctlJSON(["report", "--unit", "vp-tinh-uy"]) as! [[String: Any]])[0]["stages"] as! [[String: Any]]
        for s in stages {
            let id = s["stage"] as! String
            let row = "data-stage=\"\(id)\" data-completed=\"\(s["completed"] as! Int)\" data-total=\"\(s["total"] as! Int)\" data-overdue=\"\(s["overdue"] as! Int)\""
            #expect(html.contains(row), "\(id)")
        }
        // Without --out it is printed; an unwritable place is exit status 2.
        #expect(try d.ctl(["report", "--format", "html"]).out.hasPrefix("<!DOCTYPE html>"))
        #expect(try d.ctl(["report", "--format", "html", "--out", "/nonexistent/x.html"], allowFailure: true).status == 2)
        #expect(d.terminate() == 0)
    }

    @Test func theEventStreamResumesAfterLastEventIDWithTheSubtreesEventsOnly() throws {
        let d = try daemon()
        let (t, _) = try token(d, unit: "vp-tinh-uy")
        let before = ((try d.ctlJSON(["events", "--since", "0"]) as! [[String: Any]]).compactMap { ($0["seq"] as? NSNumber)?.int64Value }.max()) ?? 0
        _ = try d.ctl(["clock", "set", "2022-11-26T08:00:00+07:00"])
        // What the stream owes a browser that saw `before`: the subtree's events since, by seq.
        let all = try d.ctlJSON(["events", "--since", "\(before)"]) as! [[String: Any]]
        let path = "duk/vp-tinh-uy/"
        let expected = all.filter { ($0["path"] as? String ?? "").hasPrefix(path) }
            .compactMap { ($0["seq"] as? NSNumber)?.int64Value }
        #expect(!expected.isEmpty && expected.count < all.count)
        let c = try HTTPProbe.Connection(port: d.httpProbe.port)
        c.send("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(t)\r\nLast-Event-ID: \(before)\r\n\r\n")
        var text = "", seen: [Int64] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(60)
        while seen.count < expected.count, Date() < deadline {
            let n = recv(c.fd, &buf, buf.count, 0)
            guard n > 0 else { break }
            text += String(decoding: buf[0..<n], as: UTF8.self)
            // By scalars: "\r\n" (the chunks' framing) is one Character to Swift.
            seen = text.unicodeScalars.split(separator: "\n").map { String(String.UnicodeScalarView($0)) }.filter { $0.hasPrefix("id: ") }.compactMap { Int64($0.dropFirst(4)) }
        }
        #expect(text.contains("text/event-stream"))
        #expect(seen == expected, "\(seen.count) of \(expected.count): \(seen.prefix(5)) vs \(expected.prefix(5))")
        // A stream left open does not keep the daemon from stopping.
        #expect(d.terminate() == 0)
    }

    @Test func aReloadRotatesTheLinkKeyAndOldLinksWorkDuringTheGrace() throws {
        let d = try daemon()
        let http = d.httpProbe
        let spool = d.dir.appendingPathComponent("spool")
        let worker = try WorkerProcess(daemon: d, spool: spool)
        _ = try d.ctl(["clock", "set", "2022-11-18T08:00:00+07:00"]) // the first reminders
        _ = try waitForJobs(d)
        let letter = try #require(try FileManager.default.contentsOfDirectory(atPath: spool.appendingPathComponent("new").path).lazy
            .map { try letterText(spool.appendingPathComponent("new/\($0)")) }.first { $0.contains("/a/view.") })
        let old = String(try #require(letter.split(whereSeparator: \.isWhitespace).first { $0.contains("/a/view.") }).dropFirst("http://\(d.http)".count))
        let key = d.dir.appendingPathComponent("web-link.key")
        let before = try String(contentsOf: key, encoding: .utf8)
        #expect(try http.get(old).status == 200)
        kill(d.process.processIdentifier, SIGHUP)
        _ = try d.stderr.wait(what: "the key rotated") { $0.contains("link key rotated") }
        #expect(try String(contentsOf: key, encoding: .utf8) != before)
        #expect(try String(contentsOf: URL(fileURLWithPath: key.path + ".previous"), encoding: .utf8).contains(before.trimmingCharacters(in: .newlines)))
        #expect(try http.get(old).status == 200, "a link signed before the rotation works during the grace")
        // A link signed with the new key differs from the old one's MAC for the same claim.
        let forged = old.split(separator: ".").dropLast().joined(separator: ".") + "." + String(repeating: "0", count: 64)
        #expect(try http.get(forged).status == 403)
        worker.kill9()
        #expect(d.terminate() == 0)
    }

    @Test func theFindingsOfARefusedRatingFileAreOnTheOrganizationsPageOnly() throws {
        let d = try daemon()
        let http = d.httpProbe
        let (mine, _) = try token(d, unit: "vp-tinh-uy")
        let (other, _) = try token(d, unit: "vp-ubnd")
        // Every member of one cell decided excellent: far above the organization's 20% cap.
        let cell = "vp-tinh-uy-cb-nha-khach-tinh-uy"
        let ids = try String(contentsOfFile: Self.members, encoding: .utf8).split(separator: "\n").filter { $0.contains(",\(cell),") }.map { $0.split(separator: ",")[0] }
        let file = try write("subject,kind,level\n" + ids.map { "\($0),member,excellent" }.joined(separator: "\n") + "\n", "xuat-sac.csv", in: d.dir)
        _ = try d.ctl(["clock", "set", "2022-11-01T08:00:00+07:00"]) // the plan opens: no rating before it
        let refused = try d.ctl(["rate", file], allowFailure: true)
        #expect(refused.status != 0 && refused.err.contains("nothing was stored"), "\(refused.err)")
        let page = try http.get("/", token: mine)
        #expect(page.body.contains("bị từ chối") && page.body.contains("<ul class=\"rejected\">"), "\(page.body.suffix(1500))")
        let findings = try #require(d.ctlJSON(["events", "--since", "0", "--topic", "rating.rejected/"]) as? [[String: Any]])
        let message = try #require(findings.first?["message"] as? String)
        #expect(page.body.contains(HTMLText.escape(message)))
        #expect(!(try http.get("/", token: other).body.contains("bị từ chối")))
        #expect(d.terminate() == 0)
    }
}

/// The page escapes text the way HTML needs; the test compares with the same rules.
enum HTMLText {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
