import Foundation
import Testing

/// deploy/install.sh and uninstall.sh against temp roots, with the binaries the tests already use
/// (never a release build), and deploy/check-units.sh on the systemd units. The Debian package is
/// tests/package/test_deb.sh's (dpkg-buildpackage, lintian, dpkg in a throw-away root).
@Suite(.serialized, .timeLimit(.minutes(5))) struct DeployTests {
    /// Runs a deploy script with `env` added to the test's environment and BIN set to the built binaries.
    func script(_ name: String, _ args: [String] = [], env: [String: String]) throws -> (status: Int32, out: String, err: String) {
        let environment = ProcessInfo.processInfo.environment.merging(["BIN": binDir.path].merging(env) { _, new in new }) { _, new in new }
        return try run(URL(fileURLWithPath: "/bin/bash"), [repoRoot.appendingPathComponent("deploy/\(name)").path] + args, environment: environment)
    }

    /// A temp directory; the caller removes it (an install holds some 100 MB of debug binaries).
    func tempRoot(_ tag: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    struct Entry: Equatable, CustomStringConvertible {
        var directory: Bool
        var mode: Int
        var uid: Int
        var gid: Int
        var description: String { "\(directory ? "d" : "-")\(String(mode, radix: 8)) \(uid):\(gid)" }
    }

    /// Every file and directory under `root` by its absolute path in the installed system.
    func tree(_ root: URL) -> [String: Entry] {
        var out: [String: Entry] = [:]
        let base = root.path
        guard let e = FileManager.default.enumerator(atPath: base) else { return out }
        for case let rel as String in e {
            var st = stat()
            guard lstat(base + "/" + rel, &st) == 0 else { continue }
            out["/" + rel] = Entry(directory: (st.st_mode & S_IFMT) == S_IFDIR, mode: Int(st.st_mode & 0o7777), uid: Int(st.st_uid), gid: Int(st.st_gid))
        }
        return out
    }

    /// Identity and metadata of every file (inode, size, modification time, mode, owner): a file
    /// rewritten or replaced shows, one left alone does not.
    func snapshot(_ root: URL) -> [String: String] {
        var out: [String: String] = [:]
        for (path, entry) in tree(root) where !entry.directory {
            var st = stat()
            guard lstat(root.path + path, &st) == 0 else { continue }
            out[path] = "\(entry) ino=\(st.st_ino) size=\(st.st_size) mtime=\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
        }
        return out
    }

    /// The numeric id of `name` in the root's passwd or group file.
    func id(_ root: URL, _ file: String, _ name: String) throws -> Int? {
        let text = try String(contentsOf: root.appendingPathComponent("etc/\(file)"), encoding: .utf8)
        return text.split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false) }
            .first { $0.first == Substring(name) }.flatMap { Int($0[2]) }
    }

    /// What install.sh makes beyond the files a package ships: the user database and the keys.
    static func generatedAtInstall(_ path: String) -> Bool {
        path.hasPrefix("/etc/kiemdiem/keys") || path == "/etc/kiemdiem/ctl.yaml" || path.hasPrefix("/var")
            || ["passwd", "group", "shadow", "gshadow", ".pwd.lock"].contains { path == "/etc/\($0)" || path == "/etc/\($0)-" }
    }

    @Test func installIntoATempRootWithOwnersAndModesTwiceThenUninstall() throws {
        let root = try tempRoot("install")
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try script("install.sh", ["--no-build"], env: ["DESTDIR": root.path])
        #expect(first.status == 0, "\(first.err)")
        let uid = try #require(try id(root, "passwd", "kiemdiem"))
        let gid = try #require(try id(root, "group", "kiemdiem"))
        let passwd = try String(contentsOf: root.appendingPathComponent("etc/passwd"), encoding: .utf8)
        #expect(passwd.contains("kiemdiem:x:\(uid):\(gid):kiemdiem daemon:/var/lib/kiemdiem:/usr/sbin/nologin"))

        func file(_ mode: Int, _ u: Int = 0, _ g: Int = 0) -> Entry { Entry(directory: false, mode: mode, uid: u, gid: g) }
        func dir(_ mode: Int, _ u: Int = 0, _ g: Int = 0) -> Entry { Entry(directory: true, mode: mode, uid: u, gid: g) }
        var expected: [String: Entry] = [
            "/usr/bin/kiemdiemd": file(0o755), "/usr/bin/kiemdiemctl": file(0o755), "/usr/bin/kiemdiem-worker": file(0o755),
            "/usr/lib/kiemdiem/kiemdiem-setup": file(0o755),
            "/lib/systemd/system/kiemdiemd.service": file(0o644), "/lib/systemd/system/kiemdiem-worker@.service": file(0o644),
            "/lib/systemd/system/kiemdiem.target": file(0o644),
            "/etc/kiemdiem": dir(0o755), "/etc/kiemdiem/kiemdiem.yaml": file(0o644), "/etc/kiemdiem/worker.env": file(0o644),
            "/etc/kiemdiem/plans/2022-annual.yaml": file(0o644),
            "/etc/kiemdiem/plans/2026-annual.yaml": file(0o644),
            "/etc/kiemdiem/keys": dir(0o750, 0, gid), "/etc/kiemdiem/keys/authorized_keys": file(0o640, 0, gid),
            "/etc/kiemdiem/keys/server.key_secret": file(0o600, uid, gid), "/etc/kiemdiem/keys/server.key": file(0o644),
            "/etc/kiemdiem/keys/admin.key_secret": file(0o600), "/etc/kiemdiem/keys/admin.key": file(0o644),
            "/etc/kiemdiem/ctl.yaml": file(0o644),
            "/var/lib/kiemdiem": dir(0o750, uid, gid),
        ]
        for n in 1...2 {
            expected["/etc/kiemdiem/keys/worker-\(n).key_secret"] = file(0o600, uid, gid)
            expected["/etc/kiemdiem/keys/worker-\(n).key"] = file(0o644)
        }
        // The letters are built in: the originals go to the docs, /etc's directory waits for overrides.
        for t in try FileManager.default.contentsOfDirectory(atPath: repoRoot.appendingPathComponent("config/templates").path) where t.hasSuffix(".mustache") {
            expected["/usr/share/doc/kiemdiem/templates/\(t)"] = file(0o644)
        }
        expected["/etc/kiemdiem/templates"] = dir(0o755)
        // The documentation as laid out in the repository, so its links hold; man pages; completion.
        var docs = ["README.md", "LICENSE", "config/kiemdiem.yaml"]
        for top in ["docs", "config/examples"] {
            let base = repoRoot.appendingPathComponent(top).path
            for case let rel as String in FileManager.default.enumerator(atPath: base)! {
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: base + "/" + rel, isDirectory: &isDir), !isDir.boolValue { docs.append(top + "/" + rel) }
            }
        }
        for doc in docs { expected["/usr/share/doc/kiemdiem/\(doc)"] = file(0o644) }
        for p in ["kiemdiemd", "kiemdiemctl", "kiemdiem-worker"] {
            for f in ["man/man1/\(p).1", "bash-completion/completions/\(p)", "zsh/vendor-completions/_\(p)", "fish/vendor_completions.d/\(p).fish"] {
                expected["/usr/share/\(f)"] = file(0o644)
            }
        }
        let installed = tree(root)
        for (path, entry) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(installed[path] == entry, "\(path): \(installed[path].map(\.description) ?? "missing"), expected \(entry)")
        }
        // Nothing else but directories on the way and the user database.
        let unexpected = installed.filter { expected[$0.key] == nil && !$0.value.directory && !DeployTests.generatedAtInstall($0.key) }
        #expect(unexpected.isEmpty, "\(unexpected.keys.sorted())")

        // The units are the repository's; the installed configuration turns CURVE and metrics on.
        for u in ["kiemdiemd.service", "kiemdiem-worker@.service", "kiemdiem.target"] {
            #expect(try Data(contentsOf: root.appendingPathComponent("lib/systemd/system/\(u)")) == Data(contentsOf: repoRoot.appendingPathComponent("systemd/\(u)")))
        }
        let config = try String(contentsOf: root.appendingPathComponent("etc/kiemdiem/kiemdiem.yaml"), encoding: .utf8)
        for line in ["database: /var/lib/kiemdiem/kiemdiem.sqlite", "  mode: system", "  curve: true", "  listen: 127.0.0.1:9464",
                     "  server_secret_key_file: /etc/kiemdiem/keys/server.key_secret", "  authorized_keys_file: /etc/kiemdiem/keys/authorized_keys"] {
            #expect(config.contains(line + "\n") || config.contains(line + " "), "\(line)")
        }
        // One authorized line per key made, each with the public key of its file.
        let keys = root.appendingPathComponent("etc/kiemdiem/keys")
        let authorized = try String(contentsOf: keys.appendingPathComponent("authorized_keys"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(authorized.map { "\($0[0]) \($0[2])" } == ["worker worker-1", "worker worker-2", "admin admin"])
        for entry in authorized {
            let pub = try String(contentsOf: keys.appendingPathComponent("\(entry[2]).key"), encoding: .utf8)
            #expect(pub.contains("public-key = \"\(entry[1])\""))
        }

        // The installed configuration and keys work: the daemon starts on them (paths moved into the
        // root, test endpoints) and the admin key gets in.
        let run = try tempRoot("installed-run")
        defer { try? FileManager.default.removeItem(at: run) }
        let moved = config.replacingOccurrences(of: "/var/lib/kiemdiem", with: root.path + "/var/lib/kiemdiem")
            .replacingOccurrences(of: "/etc/kiemdiem", with: root.path + "/etc/kiemdiem")
            .replacingOccurrences(of: "tcp://127.0.0.1:7400", with: "ipc://\(run.path)/control.sock")
            .replacingOccurrences(of: "tcp://127.0.0.1:7401", with: "tcp://127.0.0.1:*")
            .replacingOccurrences(of: "tcp://127.0.0.1:7402", with: "ipc://\(run.path)/jobs.sock")
            .replacingOccurrences(of: "127.0.0.1:9464", with: "127.0.0.1:0")
        try moved.write(to: run.appendingPathComponent("kiemdiem.yaml"), atomically: true, encoding: .utf8)
        let d = try DaemonProcess(dir: run)
        let status = try d.ctlJSON(["status", "--key", keys.appendingPathComponent("admin.key_secret").path,
                                    "--server-key", keys.appendingPathComponent("server.key").path]) as! [String: Any]
        #expect((status["security"] as! [String: Any])["curve"] as? Bool == true)
        #expect(d.stderr.text.contains("metrics on http://127.0.0.1:"))
        // A worker key is refused on the control socket; the log says so without a key in it.
        let refused = try d.ctl(["status", "--timeout", "2", "--key", keys.appendingPathComponent("worker-1.key_secret").path,
                                 "--server-key", keys.appendingPathComponent("server.key").path], allowFailure: true)
        #expect(refused.status == 3)
        try d.stderr.wait(what: "the refusal") { $0.contains("connection refused") }
        #expect(d.terminate() == 0)
        var keyMaterial: [String] = []
        for file in ["etc/kiemdiem/keys/server.key_secret", "etc/kiemdiem/keys/worker-1.key_secret", "etc/kiemdiem/keys/admin.key_secret"] {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            keyMaterial += text.split(separator: "\"").map(String.init).filter { $0.count == 40 }
        }
        #expect(keyMaterial.count == 6)
        #expect(keyMaterial.allSatisfy { !d.stderr.text.contains($0) }, "the log shows a key")

        // A second run changes nothing: no key made again, no file touched.
        let before = snapshot(root)
        let second = try script("install.sh", ["--no-build"], env: ["DESTDIR": root.path])
        #expect(second.status == 0 && !second.err.contains("made key"), "\(second.err)")
        #expect(snapshot(root) == before)

        // An edited configuration is kept; the shipped one goes beside it.
        try (config + "# edited\n").write(to: root.appendingPathComponent("etc/kiemdiem/kiemdiem.yaml"), atomically: true, encoding: .utf8)
        #expect(try script("install.sh", ["--no-build"], env: ["DESTDIR": root.path]).status == 0)
        #expect(try String(contentsOf: root.appendingPathComponent("etc/kiemdiem/kiemdiem.yaml"), encoding: .utf8).hasSuffix("# edited\n"))
        #expect(try String(contentsOf: root.appendingPathComponent("etc/kiemdiem/kiemdiem.yaml.dist"), encoding: .utf8) == config)

        // Uninstall removes the programs and units, keeps configuration, keys, state and user; twice is fine.
        for _ in 0..<2 {
            let r = try script("uninstall.sh", env: ["DESTDIR": root.path])
            #expect(r.status == 0, "\(r.err)")
            let left = tree(root)
            for gone in ["/usr/bin/kiemdiemd", "/usr/bin/kiemdiemctl", "/usr/bin/kiemdiem-worker", "/usr/lib/kiemdiem",
                         "/lib/systemd/system/kiemdiemd.service", "/lib/systemd/system/kiemdiem-worker@.service",
                         "/lib/systemd/system/kiemdiem.target", "/usr/share/doc/kiemdiem"] {
                #expect(left[gone] == nil, "\(gone) is still there")
            }
            for kept in ["/etc/kiemdiem/kiemdiem.yaml", "/etc/kiemdiem/keys/server.key_secret", "/etc/kiemdiem/keys/authorized_keys",
                         "/var/lib/kiemdiem", "/etc/kiemdiem/keys/admin.key_secret", "/etc/kiemdiem/ctl.yaml"] {
                #expect(left[kept] == installed[kept], "\(kept) changed")
            }
            #expect(try id(root, "passwd", "kiemdiem") == uid)
        }
        // --purge removes the rest, the user included; twice is fine.
        for _ in 0..<2 {
            let r = try script("uninstall.sh", ["--purge"], env: ["DESTDIR": root.path])
            #expect(r.status == 0, "\(r.err)")
            let left = tree(root)
            #expect(left.keys.filter { $0.contains("kiemdiem") }.isEmpty, "\(left.keys.filter { $0.contains("kiemdiem") }.sorted())")
            #expect(try id(root, "passwd", "kiemdiem") == nil && id(root, "group", "kiemdiem") == nil)
        }
    }

    @Test func theUnitsVerifyCleanAndScoreAtMostTwo() throws {
        let r = try script("check-units.sh", env: [:])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        for u in ["kiemdiemd.service", "kiemdiem-worker@.service", "kiemdiem-worker@1.service", "kiemdiem.target"] {
            #expect(r.out.contains("verify \(u): clean\n"), "\(r.out)")
        }
        for u in ["kiemdiemd.service", "kiemdiem-worker@.service"] {
            let line = r.out.split(separator: "\n").first { $0.hasPrefix("security \(u): exposure ") }
            let score = line.flatMap { Double($0.split(separator: " ")[3]) }
            #expect(score != nil && score! <= 2.0, "\(r.out)")
        }
    }
}
