import Foundation
import Testing

/// `kiemdiemctl import` of a file in chunks (import.begin / chunk / commit), through the real
/// binaries: the result equals a one-shot import, an error in the last chunk applies nothing,
/// a daemon killed mid-upload is resumed, killed before the commit it restarts with the old
/// tree, and an abandoned upload is dropped.
@Suite(.timeLimit(.minutes(3))) struct StreamingImportTests {
    static let units = repoRoot.appendingPathComponent("config/samples/units.csv").path
    static let members = repoRoot.appendingPathComponent("config/samples/members.csv").path

    func counts(_ d: DaemonProcess) throws -> [String: Int] {
        (try d.ctlJSON(["status"]) as! [String: Any])["counts"] as! [String: Int]
    }

    func report(_ d: DaemonProcess) throws -> String {
        _ = try d.ctl(["campaign", "load", repoRoot.appendingPathComponent("config/plans/2022-annual.yaml").path])
        var r = (try d.ctlJSON(["report"]) as! [[String: Any]])[0]
        r["asOf"] = nil
        return String(decoding: try JSONSerialization.data(withJSONObject: r, options: [.sortedKeys]), as: UTF8.self)
    }

    /// A `kiemdiemctl` left running, its stderr collected.
    func start(_ d: DaemonProcess, _ args: [String]) throws -> (Process, OutputCollector) {
        let p = Process()
        p.executableURL = binDir.appendingPathComponent("kiemdiemctl")
        p.arguments = args + ["--endpoint", d.control]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        let collector = OutputCollector(err)
        try p.run()
        return (p, collector)
    }

    @Test func manyChunksEqualOneShot() throws {
        let one = try DaemonProcess()
        _ = try one.ctl(["import", "units", Self.units])
        _ = try one.ctl(["import", "members", Self.members])
        let expected = try report(one)
        #expect(one.terminate() == 0)

        let d = try DaemonProcess()
        let u = try d.ctl(["import", "units", Self.units, "--chunk-size", "4096"])
        let m = try d.ctl(["import", "members", Self.members, "--chunk-size", "20000"])
        #expect(m.out.contains("members: 5229 added"), "\(m.out)")
        #expect(u.err.contains("import ") && m.err.contains("100%"), "progress lines: \(m.err)")
        #expect(try counts(d)["members"] == 5229)
        #expect(try report(d) == expected)
        // The audit holds the begin and the commit, not every chunk.
        let audit = try d.ctlJSON(["audit"]) as! [[String: Any]]
        let commands = audit.map { $0["command"] as! String }
        #expect(commands.filter { $0 == "import.begin" }.count == 2 && commands.filter { $0 == "import.commit" }.count == 2)
        #expect(!commands.contains("import.chunk"))
        #expect(d.terminate() == 0)
    }

    /// `kiemdiemctl` cuts chunks after a line break, which may be one inside a quoted name: the
    /// daemon reads the joined file at record boundaries, not chunk by chunk.
    @Test func aQuotedLineBreakMayStraddleTwoChunks() throws {
        let lines = try String(contentsOfFile: Self.members, encoding: .utf8).split(separator: "\n").prefix(301)
        var text = String(lines[0]) + "\n"
        for line in lines.dropFirst() {
            var f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            f[2] = "\"\(f[2])\n(dòng hai, \"\"tên gọi\"\")\"" // a line break, a comma and quotes inside the name
            text += f.joined(separator: ",") + "\n"
        }
        let d = try DaemonProcess()
        let file = try write(text, "members.csv", in: d.dir)
        _ = try d.ctl(["import", "units", Self.units])
        let m = try d.ctl(["import", "members", file, "--chunk-size", "1024"])
        #expect(m.status == 0 && m.out.contains("members: 300 added"), "\(m.out)\(m.err)")
        #expect(try counts(d)["members"] == 300)
        #expect(d.terminate() == 0)
    }

    @Test func whileTheCommitIsAppliedReadsAreAnsweredAndChangesWait() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let release = dir.appendingPathComponent("release-the-apply")
        let d = try DaemonProcess(dir: dir, environment: ["KIEMDIEM_TEST_HOLD_APPLY": release.path])
        FileManager.default.createFile(atPath: release.path, contents: Data()) // the units go through
        _ = try d.ctl(["import", "units", Self.units])
        try FileManager.default.removeItem(at: release)
        let (client, err) = try start(d, ["import", "members", Self.members, "--chunk-size", "20000"])
        _ = try err.wait(what: "every chunk sent") { $0.contains("the daemon applies it now") }
        // The apply holds its transaction open until the file appears: meanwhile the daemon
        // answers from the tree as it was, and refuses changes with the reason.
        #expect(try counts(d)["members"] == 0) // answered while the apply waits: the loop is free
        let refused = try d.ctl(["campaign", "load", repoRoot.appendingPathComponent("config/plans/2022-annual.yaml").path], allowFailure: true)
        #expect(refused.status == 1 && refused.err.contains("unavailable") && refused.err.contains("is being applied"), "\(refused.err)")
        #expect(client.isRunning)
        FileManager.default.createFile(atPath: release.path, contents: Data())
        try client.waitExit(within: 60, what: "kiemdiemctl import once the apply is released")
        #expect(client.terminationStatus == 0, "\(err.text)")
        _ = try d.stderr.wait(what: "the apply logged") { $0.contains("import applied") }
        #expect(try counts(d)["members"] == 5229)
        // Changes are taken again.
        _ = try d.ctl(["campaign", "load", repoRoot.appendingPathComponent("config/plans/2022-annual.yaml").path])
        #expect(d.terminate() == 0)
    }

    @Test func anErrorInTheLastChunkAppliesNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var text = try String(contentsOfFile: Self.members, encoding: .utf8)
        text += "dv-999999,no-such-cell,Nguyễn Văn Lạc,member,,false\n"
        let bad = dir.appendingPathComponent("members.csv")
        try text.write(to: bad, atomically: true, encoding: .utf8)
        let d = try DaemonProcess(dir: dir)
        _ = try d.ctl(["import", "units", Self.units])
        let r = try d.ctl(["import", "members", bad.path, "--chunk-size", "20000"], allowFailure: true)
        #expect(r.status == 1)
        #expect(r.err.contains("members.csv:5231: unknown unit 'no-such-cell'"), "\(r.err)")
        #expect(try counts(d)["members"] == 0)
        // A duplicate whose first is in another chunk, found with the file's lines.
        let first = try String(contentsOfFile: Self.members, encoding: .utf8).split(separator: "\n")[1]
        try (try String(contentsOfFile: Self.members, encoding: .utf8) + first + "\n").write(to: bad, atomically: true, encoding: .utf8)
        let dup = try d.ctl(["import", "members", bad.path, "--chunk-size", "20000"], allowFailure: true)
        let id = first.split(separator: ",")[0]
        #expect(dup.status == 1 && dup.err.contains("members.csv:5231: duplicate id '\(id)' (first on line 2)"), "\(dup.err)")
        #expect(try counts(d)["members"] == 0)
        #expect(d.terminate() == 0)
    }

    @Test func aDaemonKilledMidUploadIsResumed() throws {
        let d = try DaemonProcess()
        _ = try d.ctl(["import", "units", Self.units])
        let (client, err) = try start(d, ["import", "members", Self.members, "--chunk-size", "2048", "--timeout", "2"])
        _ = try err.wait(what: "a tenth of the chunks sent") { $0.contains("10%") }
        d.kill9()
        let again = try DaemonProcess(dir: d.dir)
        try client.waitExit(within: 120, what: "kiemdiemctl import across a restart")
        #expect(client.terminationStatus == 0, "\(err.text)")
        #expect(try counts(again)["members"] == 5229, "\(err.text)")
        #expect(again.terminate() == 0)
    }

    @Test func aDaemonKilledBeforeTheCommitKeepsTheOldTreeAndTheUpload() throws {
        let d = try DaemonProcess()
        _ = try d.ctl(["import", "units", Self.units])
        _ = try d.ctl(["import", "members", Self.members])
        // A second members file that moves nobody but renames one member, sent but not committed.
        var text = try String(contentsOfFile: Self.members, encoding: .utf8)
        let first = text.split(separator: "\n")[1]
        let renamed = first.split(separator: ",", omittingEmptySubsequences: false).enumerated().map { $0.offset == 2 ? "Tên Mới" : String($0.element) }.joined(separator: ",")
        text = text.replacingOccurrences(of: String(first), with: renamed)
        let file = d.dir.appendingPathComponent("members-2.csv")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let (client, err) = try start(d, ["import", "members", file.path, "--chunk-size", "2048", "--timeout", "60"])
        let begun = try err.wait(what: "the upload's id") { $0.contains("import ") && $0.contains("lines\n") }
        let id = String(begun.split(separator: " ")[1].dropLast())
        _ = try err.wait(what: "every chunk sent") { $0.contains("the daemon applies it now") }
        d.kill9() // the commit may or may not have begun: either way, one transaction
        kill(client.processIdentifier, SIGKILL)
        client.waitUntilExit()
        let again = try DaemonProcess(dir: d.dir)
        let state = try again.ctl(["import", "members", file.path, "--chunk-size", "2048", "--resume", id], allowFailure: true)
        if state.status == 0 {
            #expect(state.out.contains("members: 0 added, 1 updated"), "\(state.out)")
        } else {
            // The commit had run before the kill: the upload is gone and the change is in.
            #expect(state.err.contains("no import '\(id)'"), "\(state.err)")
        }
        #expect(try counts(again)["members"] == 5229)
        #expect(again.terminate() == 0)
    }

    @Test func anAbandonedUploadIsDropped() throws {
        let d = try DaemonProcess(extra: "limits:\n  import_idle: 1s")
        _ = try d.ctl(["import", "units", Self.units])
        let (client, err) = try start(d, ["import", "members", Self.members, "--chunk-size", "1024"])
        let begun = try err.wait(what: "the upload's id") { $0.contains("import ") && $0.contains("lines\n") }
        let id = String(begun.split(separator: " ")[1].dropLast())
        _ = try err.wait(what: "some chunks sent") { $0.contains("10%") }
        kill(client.processIdentifier, SIGKILL)
        client.waitUntilExit()
        _ = try d.stderr.wait(timeout: 30, what: "the idle import dropped") { $0.contains("dropped an idle import") && $0.contains(id) }
        let r = try d.ctl(["import", "members", "--abort", id], allowFailure: true)
        #expect(r.status == 1 && r.err.contains("no import '\(id)'"), "\(r.err)")
        #expect(try counts(d)["members"] == 0)
        #expect(d.terminate() == 0)
    }
}
