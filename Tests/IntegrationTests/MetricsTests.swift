import Foundation
import Testing

/// GET over HTTP with Python's urllib (no HTTP client in the test target): status, content type, body.
func httpGet(_ url: String) throws -> (status: Int, contentType: String, body: String) {
    let script = """
        import json, sys, urllib.request, urllib.error
        try:
            r = urllib.request.urlopen(sys.argv[1], timeout=10)
            print(json.dumps({"status": r.status, "type": r.headers.get("Content-Type", ""), "body": r.read().decode()}))
        except urllib.error.HTTPError as e:
            print(json.dumps({"status": e.code, "type": e.headers.get("Content-Type", ""), "body": e.read().decode()}))
        """
    let r = try run(try pythonExecutable(), ["-c", script, url])
    guard r.status == 0, let o = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any] else {
        throw TestFailure("GET \(url): \(r.err)")
    }
    return (o["status"] as! Int, o["type"] as! String, o["body"] as! String)
}

/// The value of one series (`name{labels}` exactly as exposed) in Prometheus text, or nil.
func sample(_ text: String, _ series: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}

@Suite(.serialized, .timeLimit(.minutes(5))) struct MetricsTests {
    /// A plan whose overdue units escalate to their parent a day later.
    let plan = itPlan(opens: "2022-11-01T08:00:00+07:00", selfDue: "2022-11-20", cellDue: "2022-11-25", orgDue: "2022-12-01") + """

        escalation:
          ladder:
            - {after: 0d, to: unit}
            - {after: 1d, to: parent}
          repeat: 2d
        """

    @Test func theEndpointShowsWhatTheDaemonDid() throws {
        let d = try DaemonProcess(extra: "metrics:\n  listen: 127.0.0.1:0\n  refresh: 1s")
        defer { _ = d.terminate() }
        let line = try d.stderr.wait(what: "the metrics line") { $0.contains("metrics on http://127.0.0.1:") }
        let url = String(line.split(separator: "\n").first { $0.contains("metrics on ") }!.split(separator: " ").last!)
        #expect(url.hasSuffix("/metrics"))

        _ = try d.ctl(["import", "units", try write(itUnits, "units.csv", in: d.dir)])
        _ = try d.ctl(["import", "members", try write(itMembers, "members.csv", in: d.dir)])
        _ = try d.ctl(["campaign", "load", try write(plan, "plan.yaml", in: d.dir)])
        _ = try d.ctl(["clock", "set", "2022-11-22T12:00:00+07:00"]) // reminders, overdue, escalations
        _ = try d.ctl(["done", "so-a-cb1", "tu-kiem-diem", "--member", "a1"])
        for _ in 0..<3 { _ = try d.ctl(["status"]) }

        let stored = try d.ctlJSON(["events", "--since", "0"]) as! [[String: Any]]
        var byType: [String: Int] = [:]
        for e in stored { byType[e["type"] as! String, default: 0] += 1 }
        #expect((byType["escalation.raised"] ?? 0) > 0 && (byType["deadline.reminder"] ?? 0) > 0, "\(byType)")
        let jobs = try jobCounts(d)
        let campaign = try d.ctlJSON(["campaign", "show", "dn-2023"]) as! [String: Any]
        var pending = 0, overdue = 0
        for s in campaign["stages"] as! [[String: Any]] {
            let (total, completed, late) = (s["total"] as! Int, s["completed"] as! Int, s["overdue"] as! Int)
            overdue += late
            pending += total - completed - late
        }
        #expect(overdue > 0 && pending > 0)

        // Counters as events are published; gauges once the monitor has refreshed (every second here).
        var text = ""
        try eventually(timeout: 30, "the metrics to match the daemon") {
            let r = try httpGet(url)
            #expect(r.status == 200 && r.contentType.hasPrefix("text/plain; version=0.0.4"))
            text = r.body
            return byType.allSatisfy { sample(text, "kiemdiem_events_published_total{type=\"\($0.key)\"}") == Double($0.value) }
                && sample(text, "kiemdiem_jobs{state=\"pending\"}") == Double(jobs["pending"] ?? 0)
                && sample(text, "kiemdiem_open_deadlines{state=\"overdue\"}") == Double(overdue)
                && sample(text, "kiemdiem_open_deadlines{state=\"pending\"}") == Double(pending)
        }
        #expect(sample(text, "kiemdiem_escalations_raised_total") == Double(byType["escalation.raised"]!))
        #expect((sample(text, "kiemdiem_events_published_total{type=\"heartbeat\"}") ?? 0) >= 1)
        #expect(sample(text, "kiemdiem_jobs{state=\"dead\"}") == 0)
        #expect(sample(text, "kiemdiem_workers") == 0)
        // The latency histogram, by command: requests counted where they were served.
        #expect(sample(text, "kiemdiem_command_duration_seconds_count{command=\"status\"}") == 3)
        #expect(sample(text, "kiemdiem_command_duration_seconds_count{command=\"campaign.load\"}") == 1)
        #expect(sample(text, "kiemdiem_command_duration_seconds_count{command=\"events\"}") == 1)
        #expect(sample(text, "kiemdiem_command_duration_seconds_bucket{command=\"status\",le=\"+Inf\"}") == 3)

        // A worker connects and delivers: the worker gauge and the job states follow.
        let worker = try WorkerProcess(daemon: d, spool: d.dir.appendingPathComponent("spool"))
        let total = jobs.values.reduce(0, +)
        try eventually(timeout: 60, "the jobs delivered") {
            let t = try httpGet(url).body
            return sample(t, "kiemdiem_workers") == 1 && sample(t, "kiemdiem_jobs{state=\"done\"}") == Double(total)
                && sample(t, "kiemdiem_jobs{state=\"pending\"}") == 0
        }
        _ = worker

        #expect(try httpGet(url.replacingOccurrences(of: "/metrics", with: "/other")).status == 404)
    }

    @Test func theEndpointListensOnLoopbackOnlyAndIsOffByDefault() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for listen in ["0.0.0.0:9464", "192.168.1.5:9464", "example.com:9464", "127.0.0.1"] {
            let path = try write("database: \(dir.path)/x.sqlite\nmetrics:\n  listen: \(listen)\n", "cfg.yaml", in: dir)
            let r = try run(binDir.appendingPathComponent("kiemdiemd"), ["--config", path])
            #expect(r.status == 2)
            #expect(r.err.contains("cfg.yaml:3: metrics.listen: '\(listen)' is not a loopback HOST:PORT"), "\(r.err)")
        }
        let d = try DaemonProcess()
        defer { _ = d.terminate() }
        #expect(!d.stderr.text.contains("metrics on"))
    }
}
