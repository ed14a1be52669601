import Foundation
import KiemDiemClient
import KiemDiemWire
import Testing

/// CURVE on every socket, keys from both kiemdiemctl keygen and pyzmq's zmq.auth, roles and audit.
@Suite(.timeLimit(.minutes(5))) struct SecurityTests {
    struct Keys {
        let dir: URL
        func secret(_ n: String) -> String { dir.appendingPathComponent("\(n).key_secret").path }
        func pub(_ n: String) -> String { dir.appendingPathComponent("\(n).key").path }
        func args(_ n: String) -> [String] { ["--key", secret(n), "--server-key", pub("server")] }
    }

    /// server and observer from pyzmq, admin and worker from kiemdiemctl; "stranger" is unlisted.
    func makeKeys(in dir: URL) throws -> (Keys, String) {
        let keysDir = dir.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: keysDir, withIntermediateDirectories: true)
        let py = try pythonExecutable()
        let script = "import sys, zmq.auth; zmq.auth.create_certificates(sys.argv[1], 'server'); zmq.auth.create_certificates(sys.argv[1], 'obs')"
        let r = try run(py, ["-c", script, keysDir.path])
        guard r.status == 0 else { throw TestFailure("pyzmq create_certificates: \(r.err)") }
        let ctl = binDir.appendingPathComponent("kiemdiemctl")
        var lines: [String] = []
        for (name, role) in [("admin", "admin"), ("w1", "worker"), ("stranger", "admin")] {
            let k = try run(ctl, ["keygen", "--name", name, "--role", role, "--out", keysDir.path])
            guard k.status == 0 else { throw TestFailure("keygen: \(k.err)") }
            if name != "stranger" { lines.append(k.out.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        // Our files load in pyzmq, and pyzmq's public key goes into the authorized keys.
        let load = "import sys, zmq.auth; p, s = zmq.auth.load_certificate(sys.argv[1]); assert s and len(p) == 40; print(zmq.auth.load_certificate(sys.argv[2])[0].decode())"
        let o = try run(py, ["-c", load, keysDir.appendingPathComponent("admin.key_secret").path, keysDir.appendingPathComponent("obs.key").path])
        guard o.status == 0 else { throw TestFailure("pyzmq load_certificate: \(o.err)") }
        lines.append("observer \(o.out.trimmingCharacters(in: .whitespacesAndNewlines)) obs")
        let attrs = try FileManager.default.attributesOfItem(atPath: keysDir.appendingPathComponent("admin.key_secret").path)
        #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        return (Keys(dir: keysDir), lines.joined(separator: "\n") + "\n")
    }

    @Test func onlyListedKeysGetInAndEachRoleOnlyWhereItMay() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-sec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let (keys, authorized) = try makeKeys(in: dir)
        let authorizedPath = try write(authorized, "authorized_keys", in: dir)
        let d = try DaemonProcess(dir: dir, extra: """
            security:
              curve: true
              curve_events: true
              server_secret_key_file: \(keys.secret("server"))
              authorized_keys_file: \(authorizedPath)
            """)
        defer { _ = d.terminate() }
        let units = try write(itUnits, "units.csv", in: dir)

        // Nothing is served to a client without a key, with an unlisted key, or a worker key.
        let none = try d.ctl(["import", "units", units, "--timeout", "2"], allowFailure: true)
        #expect(none.status == 3 && none.err.contains("no reply"))
        for who in ["stranger", "w1"] {
            let r = try d.ctl(["import", "units", units] + keys.args(who), allowFailure: true)
            #expect(r.status == 3 && r.err.contains("refused this key"), "\(who): \(r.err)")
        }
        // A wrong server key: the handshake cannot complete.
        let wrongServer = try d.ctl(["status", "--timeout", "2", "--key", keys.secret("admin"), "--server-key", keys.pub("obs")], allowFailure: true)
        #expect(wrongServer.status == 3)

        // The observer reads but may not change anything.
        let status = try d.ctlJSON(["status"] + keys.args("obs")) as! [String: Any]
        #expect((status["counts"] as! [String: Any])["units"] as! Int == 0)
        #expect((status["security"] as! [String: Any])["curve"] as! Bool)
        for mutating in [["import", "units", units], ["clock", "advance", "1d"], ["audit"], ["reload"]] {
            let r = try d.ctl(mutating + keys.args("obs"), allowFailure: true)
            #expect(r.status == 1 && r.err.contains("forbidden: role 'observer' may not run"), "\(mutating): \(r.err)")
        }

        // The admin can do everything, and each change is in the audit log under its key's name.
        try d.ctl(["import", "units", units] + keys.args("admin"))
        try d.ctl(["clock", "advance", "1d"] + keys.args("admin"))
        let audit = try d.ctlJSON(["audit"] + keys.args("admin")) as! [[String: Any]]
        let rows = audit.map { "\($0["actor"]!) \($0["role"]!) \($0["command"]!) \($0["result"]!)" }
        #expect(rows.contains("admin admin import.units ok"))
        #expect(rows.contains("admin admin clock.advance ok"))
        #expect(rows.contains("obs observer import.units forbidden"))
        #expect(!rows.contains { $0.hasPrefix("stranger") || $0.hasPrefix("w1") })
        // The refused connections are audited, without a key: an unlisted key and a worker key
        // (by the ZAP handler), no CURVE at all and a wrong server key (failed handshakes).
        let refused = audit.filter { ($0["actor"] as? String) == "unauthenticated" && ($0["command"] as? String) == "connect.control" }
            .map { "\($0["result"]!) \($0["args"]!)" }
        #expect(refused.contains { $0.contains("refused: key not authorized") }, "\(refused)")
        #expect(refused.contains { $0.contains("refused: role worker may not use the control socket") }, "\(refused)")
        #expect(refused.contains { $0.contains("handshake failed") }, "\(refused)")
        let strangerKey = try Certificate.load(keys.pub("stranger")).publicKey, workerKey = try Certificate.load(keys.pub("w1")).publicKey
        #expect(!refused.contains { $0.contains(strangerKey) || $0.contains(workerKey) })

        // Events: an observer key subscribes over CURVE (pyzmq with a pyzmq certificate).
        let sub = """
            import sys, zmq, zmq.auth
            pub, sec = zmq.auth.load_certificate(sys.argv[2]); server, _ = zmq.auth.load_certificate(sys.argv[3])
            s = zmq.Context().socket(zmq.SUB); s.curve_publickey, s.curve_secretkey, s.curve_serverkey = pub, sec, server
            s.setsockopt(zmq.RCVTIMEO, 10000); s.connect(sys.argv[1]); s.setsockopt(zmq.SUBSCRIBE, b"heartbeat/")
            print(s.recv_multipart()[0].decode())
            """
        let heard = try run(try pythonExecutable(), ["-c", sub, d.events, keys.secret("obs"), keys.pub("server")])
        #expect(heard.status == 0 && heard.out.contains("heartbeat/"), "\(heard.err)")

        // Workers: a worker key gets jobs under its own name; an observer key is refused there.
        let spool = dir.appendingPathComponent("spool")
        let w1 = try WorkerProcess(daemon: d, spool: spool, extra: ["--key", keys.secret("w1"), "--server-key", keys.pub("server")])
        try d.stderr.wait(what: "the worker key admitted") { $0.contains("worker joined") && $0.contains("worker=w1#") }
        let spy = try WorkerProcess(daemon: d, spool: spool, extra: ["--key", keys.secret("obs"), "--server-key", keys.pub("server")])
        try d.stderr.wait(what: "the observer refused on jobs") { $0.contains("role observer may not use the jobs socket") }
        _ = (w1, spy)

        // Reload: dropping the observer's line locks it out at its next request; SIGHUP brings it back.
        let withoutObserver = authorized.split(separator: "\n").filter { !$0.hasPrefix("observer") }.joined(separator: "\n") + "\n"
        try withoutObserver.write(toFile: authorizedPath, atomically: true, encoding: .utf8)
        let reloaded = try d.ctlJSON(["reload"] + keys.args("admin")) as! [String: Any]
        #expect(reloaded["authorizedKeys"] as? Int == 2)
        let locked = try d.ctl(["status"] + keys.args("obs"), allowFailure: true)
        // A new connection with a key no longer listed is refused at the handshake (exit 3).
        #expect(locked.status == 3 && locked.err.contains("refused this key"), "\(locked.err)")
        // A client whose handshake was refused has no pipe left: a second request on it must end
        // within its timeout, not block in send (which once hung kiemdiemctl).
        let refusedClient = try ControlClient(endpoint: d.control, timeout: .seconds(2),
                                              curve: try CurveCredentials.load(keyFile: keys.secret("obs"), serverKeyFile: keys.pub("server")))
        for attempt in 1...2 {
            let started = ContinuousClock.now
            #expect(throws: ClientError.self, "attempt \(attempt)") { _ = try refusedClient.callRaw("status", NoArgs()) }
            #expect(ContinuousClock.now - started < .seconds(5), "attempt \(attempt) took \(ContinuousClock.now - started)")
        }
        try authorized.write(toFile: authorizedPath, atomically: true, encoding: .utf8)
        kill(d.process.processIdentifier, SIGHUP)
        try d.stderr.wait(what: "the SIGHUP reload") { $0.contains("keys=3") && $0.contains("authorized keys reloaded") }
        #expect(try d.ctl(["status"] + keys.args("obs")).status == 0)
        // A broken file is refused and the keys in force stay.
        try "admin not-a-key admin\n".write(toFile: authorizedPath, atomically: true, encoding: .utf8)
        let bad = try d.ctl(["reload"] + keys.args("admin"), allowFailure: true)
        #expect(bad.status == 1 && bad.err.contains("previous keys stay in force"))
        #expect(try d.ctl(["status"] + keys.args("obs")).status == 0)
    }

    @Test func curveWithoutAUsableKeyRefusesToStart() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-sec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let cfg = try write("""
            database: \(dir.path)/db.sqlite
            endpoints: {control: "tcp://127.0.0.1:*", events: "tcp://127.0.0.1:*", jobs: "tcp://127.0.0.1:*"}
            security:
              curve: true
              server_secret_key_file: \(dir.path)/missing.key_secret
              authorized_keys_file: \(dir.path)/authorized_keys
            """, "cfg.yaml", in: dir)
        let r = try run(binDir.appendingPathComponent("kiemdiemd"), ["--config", cfg])
        #expect(r.status == 1 && r.err.contains("server key") && r.err.contains("missing.key_secret"), "\(r.err)")
        #expect(!r.err.contains("ready"))
    }
}
