import Foundation
import KiemDiemOracles
import Testing

/// The whole sample bloc rated through `kiemdiemctl` in the order a real campaign follows: cells
/// review and propose their members' levels, collectives rate themselves, grassroots committees
/// decide their cells and members, the bloc's standing committee decides the grassroots
/// organizations, heads last. `excellent` wherever the rules allow it and the quota used to its
/// cap: every file must be accepted, and the final state must satisfy every rule as the
/// independent oracle reads them (not the daemon's checker).
@Suite(.serialized, .timeLimit(.minutes(5))) struct RatingAcceptanceTests {
    struct Plan {
        var oracle = RatingOracle()
        var level: [String: Int] = [:] // "member:…"/"unit:…" → the level it ends with
        var grassroots: [String] = []
        var excellentOrgs = 0

        init(units: [[String: String]], members: [[String: String]]) {
            for u in units {
                oracle.units[u["id"]!] = .init(id: u["id"]!, parent: u["parent"]!.isEmpty ? nil : u["parent"], kind: u["kind"]!,
                                              head: u["head"]!.isEmpty ? nil : u["head"], disciplined: false)
            }
            for m in members {
                oracle.people[m["id"]!] = .init(id: m["id"]!, cell: m["unit"]!, leader: m["role"]! != "member", disciplined: m["disciplined"] == "true")
            }
            let heads = Set(oracle.units.values.compactMap(\.head))
            grassroots = oracle.units.keys.filter { oracle.isGrassroots($0) }.sorted()
            // Members: disciplined → failed; per grassroots organization the most `excellent` the
            // cap allows (E ≤ ⌊20% × good⌋), chosen among members who head nothing; the rest good.
            for org in grassroots {
                let people = oracle.peopleIn(org)
                let eligible = people.filter { !oracle.people[$0]!.disciplined }
                var e = 0
                while e + 1 <= eligible.count, Double(e + 1) <= 0.2 * Double(eligible.count - e - 1) + 1e-9 { e += 1 }
                let excellent = Set(eligible.filter { !heads.contains($0) }.prefix(e))
                for p in people { level["member:\(p)"] = oracle.people[p]!.disciplined ? 0 : excellent.contains(p) ? 3 : 2 }
            }
            // Collectives: excellent where rule 5 allows (every part ≥ completed, 80% ≥ good),
            // deepest first.
            var levels = level
            let units = oracle.units
            let depth = { (u: String) -> Int in Array(sequence(first: u) { units[$0]?.parent }).count }
            for u in oracle.units.keys.sorted(by: { (depth($0), $0) > (depth($1), $1) }) {
                let isCell = ["cell", "grassroots-cell"].contains(oracle.units[u]!.kind)
                let parts = isCell ? oracle.cellMembers(u).map { levels["member:\($0)"]! } : oracle.kids(u).map { levels["unit:\($0)"]! }
                levels["unit:\(u)"] = parts.allSatisfy { $0 >= 1 } && parts.filter { $0 >= 2 }.count * 5 >= parts.count * 4 ? 3 : 2
            }
            proposedOrgLevel = Dictionary(uniqueKeysWithValues: grassroots.map { ($0, levels["unit:\($0)"]!) })
            // The bloc decides its grassroots organizations: excellent up to the cap among those
            // that may be, good for the others.
            let may = grassroots.filter { levels["unit:\($0)"] == 3 }
            var e = 0
            while e + 1 <= may.count, Double(e + 1) <= 0.2 * Double(grassroots.count - e - 1) + 1e-9 { e += 1 }
            excellentOrgs = e
            let chosen = Set(may.prefix(e))
            for g in grassroots where !chosen.contains(g) { levels["unit:\(g)"] = 2 }
            // Heads: never above any unit they head.
            for m in heads where levels["member:\(m)"] != nil {
                let cap = oracle.units.values.filter { $0.head == m }.map { levels["unit:\($0.id)"]! }.min()!
                levels["member:\(m)"] = min(levels["member:\(m)"]!, cap)
            }
            level = levels
        }

        var proposedOrgLevel: [String: Int] = [:]

        func csv(_ keys: [String], levels: [String: Int]? = nil) -> String {
            "subject,kind,level\n" + keys.map { k in
                let p = k.split(separator: ":")
                return "\(p[1]),\(p[0]),\(RatingOracle.levels[(levels ?? level)[k]!])"
            }.joined(separator: "\n") + "\n"
        }
    }

    @Test func theWholeSampleBlocIsRatedInTheCampaignsOrder() throws {
        let d = try DaemonProcess()
        defer { _ = d.terminate() }
        let samples = repoRoot.appendingPathComponent("config/samples")
        _ = try d.ctl(["import", "units", samples.appendingPathComponent("units.csv").path])
        _ = try d.ctl(["import", "members", samples.appendingPathComponent("members.csv").path])
        _ = try d.ctl(["campaign", "load", repoRoot.appendingPathComponent("config/plans/2022-annual.yaml").path])
        _ = try d.ctl(["clock", "set", "2022-11-01T08:00:00+07:00"]) // the plan opens: no rating before it
        let plan = Plan(units: TestCSV.rows(try String(contentsOf: samples.appendingPathComponent("units.csv"), encoding: .utf8)),
                        members: TestCSV.rows(try String(contentsOf: samples.appendingPathComponent("members.csv"), encoding: .utf8)))
        let o = plan.oracle
        let root = "duk"
        let higherHeads = Set(([root] + plan.grassroots).compactMap { o.units[$0]?.head })
        var files = 0
        var decidedEarly = Set<String>()
        func rate(_ name: String, _ keys: [String], proposed: Bool = false, levels: [String: Int]? = nil) throws {
            guard !keys.isEmpty else { return }
            let path = try write(plan.csv(keys, levels: levels), name, in: d.dir)
            let r = try d.ctl(["rate", path] + (proposed ? ["--proposed"] : []))
            #expect(r.out.contains("\(keys.count) rating(s) accepted"), "\(name): \(r.out)")
            files += 1
        }

        // 1. Each cell reviews its members and proposes their levels (one file per grassroots organization).
        for org in plan.grassroots { try rate("de-xuat-\(org).csv", o.peopleIn(org).map { "member:\($0)" }, proposed: true) }
        // 2. Collectives rate themselves.
        try rate("tu-danh-gia.csv", o.units.keys.sorted().map { "unit:\($0)" }, proposed: true,
                 levels: plan.level.merging(plan.proposedOrgLevel.map { ("unit:\($0.key)", $0.value) }) { _, p in p })
        // 3. Each grassroots committee decides its cells and sub-committees, then their members
        //    (those who head the organization or the bloc wait for those decisions).
        for org in plan.grassroots where o.units[org]!.kind == "grassroots-committee" {
            var inside: [String] = []
            var stack = o.kids(org)
            while let u = stack.popLast() { inside.append(u); stack += o.kids(u) }
            let members = o.peopleIn(org).filter { !higherHeads.contains($0) }
            decidedEarly.formUnion(members)
            try rate("quyet-dinh-\(org).csv", inside.sorted().map { "unit:\($0)" } + members.map { "member:\($0)" })
        }
        // 4. The bloc's standing committee decides the grassroots organizations.
        try rate("ban-thuong-vu.csv", plan.grassroots.map { "unit:\($0)" })
        // 5. The grassroots cells' members, then the heads; the bloc's own rating by the level above.
        let rest = o.people.keys.sorted().filter { !decidedEarly.contains($0) && !higherHeads.contains($0) }
        try rate("dang-vien-con-lai.csv", ["unit:\(root)"] + rest.map { "member:\($0)" })
        try rate("nguoi-dung-dau.csv", higherHeads.sorted().map { "member:\($0)" })

        // The final state, read back, satisfies every rule as the oracle reads them.
        let list = try d.ctlJSON(["rate", "list"]) as! [[String: Any]]
        var state: RatingOracle.Ratings = [:]
        for r in list {
            state["\(r["kind"]!):\(r["subject"]!)", default: [:]][r["status"] as! String] = .init(level: RatingOracle.levels.firstIndex(of: r["level"] as! String)!)
        }
        #expect(o.broken(state) == [])
        // Everyone decided, at the planned level; the quota used to its cap where it allows any.
        let decided = state.filter { $0.value["decided"] != nil }
        #expect(decided.count == o.units.count + o.people.count)
        #expect(decided.allSatisfy { $0.value["decided"]!.level == plan.level[$0.key] }, "a level differs from the plan")
        let atCap = plan.grassroots.filter { org in
            let ms = o.peopleIn(org)
            let e = ms.filter { state["member:\($0)"]?["decided"]?.level == 3 }.count
            let g = ms.filter { state["member:\($0)"]?["decided"]?.level == 2 }.count
            return e > 0 && Double(e + 1) > 0.2 * Double(g) + 1e-9
        }
        #expect(atCap.count >= 10, "the quota at its cap in \(atCap.count) organizations")
        #expect(plan.excellentOrgs > 0 && decided.filter { $0.key.hasPrefix("unit:") && plan.grassroots.contains(String($0.key.dropFirst(5))) && $0.value["decided"]!.level == 3 }.count == plan.excellentOrgs)
        // The cells that hold the head of a higher unit (a grassroots committee or the bloc) as a
        // member: once a cycle of the order rules, now rated excellent wherever rule 5 allows.
        let holding = Set(higherHeads.compactMap { h in o.people[h].map(\.cell) }.filter { o.units[$0]!.kind == "cell" })
        let clean = holding.filter { c in o.cellMembers(c).allSatisfy { !o.people[$0]!.disciplined } }
        #expect(clean.count >= 38 && clean.allSatisfy { state["unit:\($0)"]?["decided"]?.level == 3 }, "\(clean.count) cells")
        #expect(files > 100)
        // The report shows no conflict and the quota per organization.
        let report = try d.ctlJSON(["report", "--format", "json"]) as! [[String: Any]]
        #expect(report.first?["conflicts"] == nil)
    }
}

/// The rules commands through `kiemdiemctl` as an operator types them.
@Suite(.serialized, .timeLimit(.minutes(2))) struct RulesCommandsTests {
    @Test func flagConfirmConcludeSuggestAnnulAndReportFromTheCommandLine() throws {
        let d = try DaemonProcess()
        defer { _ = d.terminate() }
        _ = try d.ctl(["import", "units", try write(itUnits, "units.csv", in: d.dir)])
        _ = try d.ctl(["import", "members", try write(itMembers, "members.csv", in: d.dir)])
        let plan = itPlan(opens: "2023-11-01T08:00:00+07:00", selfDue: "2023-11-20", cellDue: "2023-12-01", orgDue: "2023-12-10")
            + "\nremediation: {due_in: 30d}\n"
        _ = try d.ctl(["campaign", "load", try write(plan, "plan.yaml", in: d.dir)])
        _ = try d.ctl(["clock", "set", "2023-11-02T09:00:00+07:00"])

        // `flag UNIT` is still the default; `flag confirm` records the conclusion later.
        #expect(try d.ctl(["flag", "cs-b", "--reason", "disunity", "--note", "Đơn thư"]).out.contains("directed review by bt"))
        let suggestion = try write("Làm rõ nguyên nhân mất đoàn kết trong chi bộ.\n", "goi-y.txt", in: d.dir)
        #expect(try d.ctl(["suggest", "cs-b", "--file", suggestion]).out.contains("from bt to cs-b"))
        _ = try d.ctl(["rate", try write("subject,kind,level\nb1,member,good\ncs-b,unit,good\n", "cs-b.csv", in: d.dir), "--proposed"])
        let confirmed = try d.ctl(["flag", "confirm", "cs-b", "--note", "Kết luận của Ban Thường vụ"])
        #expect(confirmed.out.contains("conflict: [conclusion]"), "\(confirmed.out)")
        let conclude = try d.ctl(["conclude", "a2", "--reason", "gossip", "--note", "x"], allowFailure: true)
        #expect(conclude.status == 1 && conclude.err.contains("degradation, self-evolution, self-transformation"))
        #expect(try d.ctl(["conclude", "a2", "--reason", "degradation", "--note", "Kết luận"]).out.contains("member a2: degradation"))

        // A refused file prints every finding; an annulment that others rest on needs --cascade.
        _ = try d.ctl(["rate", try write("subject,kind,level\na1,member,good\na2,member,failed\na3,member,good\n", "cb.csv", in: d.dir), "--proposed"])
        _ = try d.ctl(["rate", try write("subject,kind,level\nso-a-cb1,unit,good\nso-a-cb2,unit,good\nso-a,unit,good\na1,member,good\n", "qd.csv", in: d.dir)])
        let refused = try d.ctl(["rate", try write("subject,kind,level\na3,member,excellent\n", "a3.csv", in: d.dir)], allowFailure: true)
        #expect(refused.status == 1 && refused.err.contains("line 2: [head-above-unit]"), "\(refused.err)")
        let annul = try d.ctl(["rate", "annul", "so-a", "--kind", "unit", "--reason", "Xem xét lại"], allowFailure: true)
        #expect(annul.status == 1 && annul.err.contains("--cascade") && annul.err.contains("member a1 (decided)"))
        let cascade = try d.ctl(["rate", "annul", "so-a", "--kind", "unit", "--reason", "Xem xét lại", "--cascade"])
        #expect(cascade.out.contains("unit so-a: decided rating 'good' annulled") && cascade.out.contains("member a1: decided rating 'good' annulled"))
        let list = try d.ctlJSON(["rate", "list", "--unit", "so-a"]) as! [[String: Any]]
        #expect(Set(list.map { "\($0["subject"]!) \($0["status"]!)" }) == ["a1 proposed", "a2 proposed", "a3 proposed", "so-a-cb1 decided", "so-a-cb2 decided"])

        // Remediation without --due takes the plan's delay; the report is in Vietnamese.
        #expect(try d.ctl(["remediation", "add", "cs-b", "--text", "Khắc phục tình trạng mất đoàn kết"]).out.contains("due 2023-12-02T09:00:00+07:00"))
        let report = try d.ctl(["report", "--output", "table"]).out
        for part in ["Mâu thuẫn".lowercased(), "Gợi ý kiểm điểm của cấp ủy cấp trên", "mất đoàn kết", "Chi bộ cơ sở", "Đảng viên"] {
            #expect(report.lowercased().contains(part.lowercased()), "missing \(part):\n\(report)")
        }
    }
}
