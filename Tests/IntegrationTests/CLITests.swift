import Foundation
import Testing

/// kiemdiemctl's manners, over the real binaries: settings from ctl.yaml under flags and the
/// environment, exit codes, timeouts, list formats and colour, checks without a daemon that say
/// what the daemon says, help with an example everywhere, and kiemdiemd --check-config.
@Suite(.serialized, .timeLimit(.minutes(5))) struct CLITests {
    let ctlPath = binDir.appendingPathComponent("kiemdiemctl")
    let examples = repoRoot.appendingPathComponent("config/examples")

    func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// kiemdiemctl with exactly this environment on top of PATH (no KIEMDIEM_* of the test's own).
    func ctl(_ args: [String], env: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        var e = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KIEMDIEM_") && $0.key != "XDG_CONFIG_HOME" }
        e.merge(env) { _, new in new }
        if e["HOME"] == nil || env["HOME"] == nil { e["HOME"] = "/nonexistent-home" }
        if e["KIEMDIEM_CONFIG"] == nil { e["KIEMDIEM_CONFIG"] = "" } // the user's and system's files, as a user gets them
        return try run(ctlPath, args, environment: e)
    }

    func example(_ name: String) -> String { examples.appendingPathComponent(name).path }

    @Test func settingsComeFromTheUsersFileUnderTheEnvironmentUnderFlags() throws {
        let d = try DaemonProcess()
        defer { _ = d.terminate() }
        let home = try tempDir()
        let xdg = home.appendingPathComponent("xdg")
        try FileManager.default.createDirectory(at: xdg.appendingPathComponent("kiemdiem"), withIntermediateDirectories: true)
        try "# the sample's settings\nendpoint: \(d.control)\ntimeout: 7\n".write(to: xdg.appendingPathComponent("kiemdiem/ctl.yaml"), atomically: true, encoding: .utf8)
        let env = ["HOME": home.path, "XDG_CONFIG_HOME": xdg.path]

        // The file alone reaches the daemon.
        let plain = try ctl(["status", "--json"], env: env)
        #expect(plain.status == 0, "\(plain.err)")
        // The environment wins over the file: a dead endpoint, and the wait is the file's 7 s.
        let dead = "ipc://\(home.path)/nobody.sock"
        let started = Date()
        let viaEnv = try ctl(["status"], env: env.merging(["KIEMDIEM_ENDPOINT": dead]) { _, n in n })
        #expect(viaEnv.status == 3 && viaEnv.err.contains(dead), "\(viaEnv)")
        #expect(Date().timeIntervalSince(started) >= 6.5)
        // The flag wins over the environment.
        let viaFlag = try ctl(["status", "--endpoint", d.control, "--timeout", "5"], env: env.merging(["KIEMDIEM_ENDPOINT": dead]) { _, n in n })
        #expect(viaFlag.status == 0, "\(viaFlag.err)")

        // config show says which setting came from where.
        let shown = try ctl(["config", "show", "--output", "json"], env: env.merging(["KIEMDIEM_SERVER_KEY": "/k/server.key"]) { _, n in n })
        let j = try JSONSerialization.jsonObject(with: Data(shown.out.utf8)) as! [String: [String: String]]
        let file = xdg.appendingPathComponent("kiemdiem/ctl.yaml").path
        #expect(j["endpoint"] == ["value": d.control, "source": file])
        #expect(j["timeout"] == ["value": "7.0 s", "source": file])
        #expect(j["server_key"] == ["value": "/k/server.key", "source": "KIEMDIEM_SERVER_KEY"])
        #expect(j["long_timeout"]?["source"] == "default")
        #expect(j["files"]?["value"] == "/etc/kiemdiem/ctl.yaml (absent), \(file)" || j["files"]?["value"] == "/etc/kiemdiem/ctl.yaml, \(file)")
        // Only the key set: an error naming where it was set, exit 3 before any request.
        let half = try ctl(["status"], env: env.merging(["KIEMDIEM_SERVER_KEY": "/k/server.key"]) { _, n in n })
        #expect(half.status == 3 && half.err.contains("only the server key is set (KIEMDIEM_SERVER_KEY)"), "\(half.err)")

        // A bad file: exit 2 with its path, line and the reason; relative key paths resolve beside it.
        try "endpoint: \(d.control)\ntimout: 3\n".write(to: xdg.appendingPathComponent("kiemdiem/ctl.yaml"), atomically: true, encoding: .utf8)
        let bad = try ctl(["status"], env: env)
        #expect(bad.status == 2 && bad.err.contains("\(file):2: unknown key 'timout'"), "\(bad.err)")
        try "key: admin.key_secret\nserver_key: ../server.key\n".write(to: xdg.appendingPathComponent("kiemdiem/ctl.yaml"), atomically: true, encoding: .utf8)
        let keys = try JSONSerialization.jsonObject(with: Data(try ctl(["config", "show", "--json"], env: env).out.utf8)) as! [String: [String: String]]
        #expect(keys["key"]?["value"] == xdg.path + "/kiemdiem/admin.key_secret")
        #expect(keys["server_key"]?["value"] == xdg.path + "/kiemdiem/../server.key")
        // --config reads that file only.
        let only = try ctl(["config", "show", "--json", "--config", example("ctl.yaml")], env: env)
        let o = try JSONSerialization.jsonObject(with: Data(only.out.utf8)) as! [String: [String: String]]
        #expect(o["key"]?["value"] == "/etc/kiemdiem/keys/admin.key_secret" && o["files"]?["value"] == example("ctl.yaml"))
    }

    @Test func exitCodesAreTheDocumentedOnes() throws {
        let d = try DaemonProcess()
        defer { _ = d.terminate() }
        let ep = ["--endpoint", d.control]
        #expect(try ctl(["status"] + ep).status == 0)
        #expect(try ctl(["import", "units", example("units.csv")] + ep).status == 0)
        // 1: refused by the daemon, with the reason.
        let refused = try ctl(["done", "no-such-unit", "self-review"] + ep)
        #expect(refused.status == 1 && refused.err.hasPrefix("kiemdiemctl: "), "\(refused)")
        // 2: a file that cannot be read; not UTF-8.
        let missing = try ctl(["import", "units", "/nonexistent/units.csv"] + ep)
        #expect(missing.status == 2 && missing.err.contains("cannot read /nonexistent/units.csv: no such file"), "\(missing.err)")
        let latin = try tempDir().appendingPathComponent("latin1.csv")
        try Data([0x69, 0x64, 0x0A, 0xE0, 0x0A]).write(to: latin)
        #expect(try ctl(["import", "units", latin.path] + ep).status == 2)
        // 3: no reply; the message says the request may still be running.
        let none = try ctl(["status", "--endpoint", "ipc:///tmp/kd-nobody-\(UUID().uuidString).sock", "--timeout", "0.5"])
        #expect(none.status == 3 && none.err.contains("may still be running"), "\(none.err)")
        // 64: usage.
        #expect(try ctl(["no-such-command"]).status == 64)
        #expect(try ctl(["done", "co-quan-duk"] + ep).status == 64)
        #expect(try ctl(["status", "--no-such-option"]).status == 64)
        #expect(try ctl(["status", "--output", "yaml"]).status == 64)
        // check: 0 clean, 1 findings, 2 unreadable.
        #expect(try ctl(["check", "units", example("units.csv")]).status == 0)
        #expect(try ctl(["check", "units", "/nonexistent.csv"]).status == 2)
        // The daemon and the worker: 64 on usage, 2 on a configuration they cannot use.
        #expect(try run(binDir.appendingPathComponent("kiemdiemd"), ["--no-such-option"]).status == 64)
        #expect(try run(binDir.appendingPathComponent("kiemdiem-worker"), ["--no-such-option"]).status == 64)
        let worker = try run(binDir.appendingPathComponent("kiemdiem-worker"), ["--endpoint", "ipc:///tmp/none.sock", "--smtp", "no-port"])
        #expect(worker.status == 2 && worker.err.contains("--smtp must be HOST:PORT"), "\(worker)")
        // --version on all three, the package's version.
        let changelog = try String(contentsOf: repoRoot.appendingPathComponent("debian/changelog"), encoding: .utf8)
        let version = String(changelog.split(separator: "(")[1].split(separator: ")")[0])
        for p in ["kiemdiemctl", "kiemdiemd", "kiemdiem-worker"] {
            let r = try run(binDir.appendingPathComponent(p), ["--version"])
            #expect(r.status == 0 && r.out == version + "\n", "\(p): \(r)")
        }
    }

    @Test func longCommandsWaitLongerAndTheDefaultsAreTheDocumentedOnes() throws {
        let shown = try ctl(["config", "show", "--json"])
        let j = try JSONSerialization.jsonObject(with: Data(shown.out.utf8)) as! [String: [String: String]]
        #expect(j["timeout"]?["value"] == "10.0 s" && j["long_timeout"]?["value"] == "600.0 s (imports, ratings, plans)")
        // An import to nobody waits the long timeout (set short here), a status the short one.
        let home = try tempDir()
        try FileManager.default.createDirectory(at: home.appendingPathComponent("kiemdiem"), withIntermediateDirectories: true)
        try "endpoint: ipc://\(home.path)/nobody.sock\ntimeout: 0.5\nlong_timeout: 3\n".write(to: home.appendingPathComponent("kiemdiem/ctl.yaml"), atomically: true, encoding: .utf8)
        let env = ["HOME": home.path, "XDG_CONFIG_HOME": home.path]
        let t0 = Date()
        let status = try ctl(["status"], env: env)
        let short = Date().timeIntervalSince(t0)
        let t1 = Date()
        let load = try ctl(["campaign", "load", example("plan.yaml")], env: env)
        let long = Date().timeIntervalSince(t1)
        #expect(status.status == 3 && load.status == 3)
        #expect(short < 2.5 && long >= 2.9, "status waited \(short) s, campaign load \(long) s")
        #expect(load.err.contains("within 3 s") && load.err.contains("may still be running"), "\(load.err)")
    }

    @Test func listsAreTablesOnATerminalCSVInAPipeAndColourHonoursNoColor() throws {
        let d = try DaemonProcess()
        defer { _ = d.terminate() }
        let ep = ["--endpoint", d.control]
        try d.ctl(["import", "units", example("units.csv")])
        try d.ctl(["import", "members", example("members.csv")])
        try d.ctl(["campaign", "load", example("plan.yaml")])
        try d.ctl(["clock", "set", "2026-11-28T00:00:00+07:00"])
        // Into a pipe: CSV with a header, one row per late unit, the same rows as JSON.
        let csv = try ctl(["overdue"] + ep)
        let rows = csv.out.split(separator: "\n")
        #expect(rows.first == "campaign,stage,unit,due,late members,name", "\(csv.out)")
        let json = try JSONSerialization.jsonObject(with: Data(try ctl(["overdue", "--output", "json"] + ep).out.utf8)) as! [String: Any]
        let items = json["items"] as! [[String: Any]]
        #expect(!items.isEmpty && rows.count == items.count + 1)
        #expect(Set(rows.dropFirst().map { String($0.split(separator: ",")[2]) }) == Set(items.map { $0["unit"] as! String }))
        // --output table into a pipe: padded, no colour.
        let table = try ctl(["overdue", "--output", "table"] + ep)
        #expect(table.out.split(separator: "\n")[1].allSatisfy { $0 == "-" || $0 == " " } && !table.out.contains("\u{1B}["))

        // Events too: CSV rows under one header, the same seqs as JSON.
        let events = try ctl(["events", "--topic", "deadline.overdue/"] + ep).out.split(separator: "\n")
        let eventsJSON = try JSONSerialization.jsonObject(with: Data(try ctl(["events", "--topic", "deadline.overdue/", "--json"] + ep).out.utf8)) as! [[String: Any]]
        #expect(events.first == "seq,time,type,unit,stage,late,message" && events.count == eventsJSON.count + 1 && !eventsJSON.isEmpty)
        #expect(events.dropFirst().map { Int($0.split(separator: ",")[0])! } == eventsJSON.map { ($0["seq"] as! NSNumber).intValue })

        // On a terminal (script(1) gives it one): a table, its header bold; NO_COLOR: no escape.
        func onTTY(_ extra: [String: String]) throws -> String {
            let cmd = ([ctlPath.path, "overdue"] + ep).map { "'\($0)'" }.joined(separator: " ")
            var env = ProcessInfo.processInfo.environment.filter { $0.key != "NO_COLOR" } // the test runner may set it
            env.merge(["TERM": "xterm", "KIEMDIEM_CONFIG": "/dev/null"].merging(extra) { _, n in n }) { _, n in n }
            return try run(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", cmd, "/dev/null"], environment: env).out
        }
        let tty = try onTTY([:])
        #expect(tty.contains("\u{1B}[1mcampaign") && tty.contains("--------"), "\(tty.prefix(300))")
        let plain = try onTTY(["NO_COLOR": "1"])
        #expect(!plain.contains("\u{1B}[") && plain.contains("--------"), "\(plain.prefix(300))")
    }

    @Test func checksSayWhatTheDaemonSaysWithoutOne() throws {
        let dir = try tempDir()
        // Every example file passes.
        #expect(try ctl(["check", "units", example("units.csv")]).out == example("units.csv") + ": ok, 5 units\n")
        #expect(try ctl(["check", "members", example("members.csv"), "--tree", example("units.csv")]).status == 0)
        #expect(try ctl(["check", "plan", example("plan.yaml"), "--tree", example("units.csv")]).status == 0)
        let rated = try ctl(["check", "ratings", example("ratings.csv"), "--tree", example("units.csv"), "--members", example("members.csv"),
                             "--plan", example("plan.yaml"), "--in-force", example("proposals.csv")])
        #expect(rated.status == 0 && rated.out.contains("25 rating(s) would be accepted in 2026-annual"), "\(rated)")

        // A members file broken on its last line, and a rating file breaking a rule: check and a
        // real daemon refuse them with the same words.
        var members = try String(contentsOf: examples.appendingPathComponent("members.csv"), encoding: .utf8)
        members += "dv-999999,no-such-cell,Nguyễn Văn Mới,member,,,\n"
        let badMembers = try write(members, "members.csv", in: dir)
        let proposals = try String(contentsOf: examples.appendingPathComponent("proposals.csv"), encoding: .utf8)
        let badRatings = try write(proposals.replacingOccurrences(of: "dv-000404,member,good,89", with: "dv-000404,member,excellent,89"), "de-xuat.csv", in: dir)

        let checkedMembers = try ctl(["check", "members", badMembers, "--tree", example("units.csv")])
        let checkedRatings = try ctl(["check", "ratings", badRatings, "--tree", example("units.csv"), "--members", example("members.csv"), "--plan", example("plan.yaml")])
        #expect(checkedMembers.status == 1 && checkedRatings.status == 1)
        let lastLine = members.split(separator: "\n").count
        #expect(checkedMembers.err.contains("members.csv:\(lastLine): unknown unit 'no-such-cell'"), "\(checkedMembers.err)")
        #expect(checkedRatings.err.contains("line 2: [score]") && checkedRatings.err.contains("Điều 11"), "\(checkedRatings.err)")

        let d = try DaemonProcess()
        defer { _ = d.terminate() }
        try d.ctl(["import", "units", example("units.csv")])
        let imported = try d.ctl(["import", "members", badMembers], allowFailure: true)
        #expect(imported.status == 1 && imported.err == checkedMembers.err, "daemon: \(imported.err)\ncheck: \(checkedMembers.err)")
        try d.ctl(["import", "members", example("members.csv")])
        try d.ctl(["campaign", "load", example("plan.yaml")])
        try d.ctl(["clock", "set", "2026-11-02T08:00:00+07:00"]) // no rating before the plan opens; the check rates at its opening
        let rate = try d.ctl(["rate", badRatings], allowFailure: true)
        #expect(rate.status == 1 && rate.err == checkedRatings.err, "daemon: \(rate.err)\ncheck: \(checkedRatings.err)")

        // A spreadsheet's ';' file is named as such, by check and by the daemon.
        let units = try String(contentsOf: examples.appendingPathComponent("units.csv"), encoding: .utf8)
        let semi = try write(units.replacingOccurrences(of: ",", with: ";"), "don-vi.csv", in: dir)
        let checkedSemi = try ctl(["check", "units", semi])
        #expect(checkedSemi.status == 1 && checkedSemi.err.contains("don-vi.csv:1:") && checkedSemi.err.contains("';' separators"), "\(checkedSemi.err)")
        let importedSemi = try d.ctl(["import", "units", semi], allowFailure: true)
        #expect(importedSemi.err == checkedSemi.err)
    }

    /// Every command and subcommand of the three programs: its help has an example, and every
    /// argument and option a description.
    @Test func helpForEveryCommandHasAnExampleAndEveryOptionSaysWhatItIs() throws {
        var pages = 0
        func walk(_ program: String, _ path: [String]) throws {
            guard path.count < 4 else { Issue.record("subcommands nested deeper than expected: \(path)"); return }
            let r = try run(binDir.appendingPathComponent(program), path + ["--help"])
            let name = ([program] + path).joined(separator: " ")
            #expect(r.status == 0, "\(name): \(r.err)")
            pages += 1
            let text = r.out
            #expect(text.contains("Example"), "\(name) --help has no example")
            var section = ""
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var subcommands: [String] = []
            for (i, line) in lines.enumerated() {
                if !line.hasPrefix(" "), line.hasSuffix(":") { section = line; continue }
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if (section == "ARGUMENTS:" || section == "OPTIONS:"), line.hasPrefix("  "), trimmed.hasPrefix("<") || trimmed.hasPrefix("-") {
                    // "  --name <v>   What it is." or the text on the next, deeper line.
                    let sameLine = trimmed.range(of: "  ") != nil
                    let nextLine = i + 1 < lines.count && lines[i + 1].hasPrefix("       ")
                    #expect(sameLine || nextLine, "\(name): '\(trimmed)' has no help text")
                }
                // "  name   What it does." (two spaces in, a word of letters and hyphens); the
                // section ends at its first line that is not indented ("See '… help …'").
                if section == "SUBCOMMANDS:", line.hasPrefix("  "), !line.hasPrefix("   "),
                   let first = trimmed.split(separator: " ").first, first.allSatisfy({ $0.isLowercase || $0 == "-" }), first != "help" {
                    subcommands.append(String(first))
                }
            }
            for sub in subcommands { try walk(program, path + [sub]) }
        }
        for p in ["kiemdiemctl", "kiemdiemd", "kiemdiem-worker"] { try walk(p, []) }
        #expect(pages >= 60, "only \(pages) help pages")
    }

    @Test func checkConfigSaysWhatIsWrongWithoutStarting() throws {
        let dir = try tempDir()
        let kd = binDir.appendingPathComponent("kiemdiemd")
        let good = try write("database: \(dir.path)/db.sqlite\nendpoints:\n  control: ipc://\(dir.path)/c.sock\n", "kiemdiem.yaml", in: dir)
        let ok = try run(kd, ["--check-config", good])
        #expect(ok.status == 0 && ok.out.hasPrefix("\(good): ok"), "\(ok)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/db.sqlite"), "a check created the database")
        let badValue = try write("database: \(dir.path)/db.sqlite\nclock:\n  mode: sometimes\n", "bad.yaml", in: dir)
        let r1 = try run(kd, ["--check-config", badValue])
        #expect(r1.status == 2 && r1.err.contains("bad.yaml:3: clock.mode: 'sometimes' must be system or simulated"), "\(r1.err)")
        let badFiles = try write("database: /nonexistent-dir/db.sqlite\nsecurity:\n  curve: true\n  server_secret_key_file: \(dir.path)/none.key_secret\n  authorized_keys_file: \(dir.path)/none\n", "files.yaml", in: dir)
        let r2 = try run(kd, ["--check-config", badFiles])
        #expect(r2.status == 2 && r2.err.contains("cannot read \(dir.path)/none.key_secret") && r2.err.contains("/nonexistent-dir does not exist"), "\(r2.err)")
        // The environment and --set apply over the file, as when it runs.
        let r3 = try run(kd, ["--check-config", good, "--set", "clock.mode=never"])
        #expect(r3.status == 2 && r3.err.contains("clock.mode"), "\(r3.err)")
    }
}
