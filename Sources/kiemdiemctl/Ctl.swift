import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct Ctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiemdiemctl",
        abstract: "Administer and watch a kiemdiem daemon.",
        subcommands: [Status.self, Import.self, CampaignCmd.self, Done.self, Extend.self, Overdue.self, Report.self,
                      Events.self, Watch.self, ClockCmd.self, Preview.self, Audit.self, Reload.self, Keygen.self, Ack.self, Jobs.self, FlagCmd.self, Unflag.self, Conclude.self, Suggest.self, Rate.self, Remediation.self])
}

/// Options every command takes, anywhere after the subcommand.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "Control endpoint (default: $KIEMDIEM_ENDPOINT or tcp://127.0.0.1:7400).")
    var endpoint: String?

    @Option(name: .long, help: "Seconds to wait for a reply.")
    var timeout: Double = 10

    @Flag(name: .long, help: "Print JSON for scripts instead of tables.")
    var json = false

    @Option(name: .long, help: "Your own CURVE .key_secret file (default: $KIEMDIEM_KEY).")
    var key: String?

    @Option(name: .customLong("server-key"), help: "The daemon's public .key file (default: $KIEMDIEM_SERVER_KEY).")
    var serverKey: String?

    var resolvedEndpoint: String {
        endpoint ?? ProcessInfo.processInfo.environment["KIEMDIEM_ENDPOINT"] ?? "tcp://127.0.0.1:7400"
    }

    /// CURVE credentials when both key files are given (flags or environment), else none.
    func credentials() throws -> CurveCredentials? {
        let env = ProcessInfo.processInfo.environment
        let key = key ?? env["KIEMDIEM_KEY"], server = serverKey ?? env["KIEMDIEM_SERVER_KEY"]
        switch (key, server) {
        case (nil, nil): return nil
        case let (k?, s?):
            do { return try CurveCredentials.load(keyFile: k, serverKeyFile: s) } catch {
                throw ClientError.transport("\(error)")
            }
        default: throw ClientError.transport("CURVE needs both --key (your .key_secret) and --server-key (the daemon's .key)")
        }
    }

    func client() throws -> ControlClient {
        try ControlClient(endpoint: resolvedEndpoint, timeout: .milliseconds(Int64(timeout * 1000)), curve: try credentials())
    }

    /// Runs one request and prints the result: JSON with --json, else `human`.
    func run<A: Codable & Sendable, R: Codable & Sendable>(_ command: Command, _ args: A, as: R.Type, human: (R) -> Void) throws {
        do {
            let result = try client().call(command, args, as: R.self)
            if json { printJSON(result) } else { human(result) }
        } catch let e as ClientError {
            FileHandle.standardError.write(Data("kiemdiemctl: \(e.description)\n".utf8))
            throw ExitCode(e.isRemote ? 1 : 3)
        }
    }
}

extension ClientError {
    var isRemote: Bool { if case .remote = self { true } else { false } }
}

func printJSON<T: Encodable>(_ value: T) {
    let e = WireJSON.encoder()
    e.outputFormatting.insert(.prettyPrinted)
    if let d = try? e.encode(value) { print(String(decoding: d, as: UTF8.self)) }
}

func readFile(_ path: String) throws -> FileArgs {
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("kiemdiemctl: cannot read \(path)\n".utf8))
        throw ExitCode(2)
    }
    guard let text = String(validating: data, as: UTF8.self) else {
        FileHandle.standardError.write(Data("kiemdiemctl: \(path): not valid UTF-8\n".utf8))
        throw ExitCode(2)
    }
    return FileArgs(name: (path as NSString).lastPathComponent, content: text)
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Version, clock, campaigns, counts, last seq.")
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(.status, NoArgs(), as: StatusResult.self) { s in
            print("kiemdiem \(s.version) (protocol \(s.protocolVersion))")
            print("clock:     \(s.clock.mode) \(s.clock.now) (\(s.clock.timezone))")
            print("endpoints: control=\(s.endpoints.control) events=\(s.endpoints.events) jobs=\(s.endpoints.jobs)")
            print("tree:      \(s.counts.units) units, \(s.counts.cells) cells, \(s.counts.members) members")
            print("events:    \(s.counts.events) stored, last seq \(s.lastSeq)")
            print("workers:   \(s.workers)")
            if let sec = s.security { print("security:  CURVE \(sec.curve ? "on" : "off")\(sec.curveEvents ? ", also on events" : "")") }
            for f in s.flags ?? [] {
                print("flagged:   \(f.unit) (\(f.reasons.joined(separator: ", "))\(f.confirmed ? ", confirmed" : "")), directed review \(f.reviewHeld ? "held" : "due \(f.reviewDue)")")
            }
            printCampaigns(s.campaigns)
        }
    }
}

func printCampaigns(_ cs: [CampaignInfo]) {
    if cs.isEmpty { print("no campaigns loaded"); return }
    Table(["campaign", "status", "root", "ruleset", "opens", "ends", "next", "title"],
          cs.map { [$0.id, $0.status, $0.root, $0.ruleset, $0.opens, $0.ends, $0.next ?? "-", $0.title] }).print()
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load or update the tree (all-or-nothing).")
    enum What: String, ExpressibleByArgument { case units, members }
    @Argument(help: "units or members") var what: What
    @Argument(help: "CSV file") var file: String
    @OptionGroup var options: ClientOptions

    func run() throws {
        let args = try readFile(file)
        try options.run(what == .units ? .importUnits : .importMembers, args, as: ImportResult.self) { r in
            print("\(what.rawValue): \(r.added) added, \(r.updated) updated, \(r.total) in all")
        }
    }
}

struct CampaignCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "campaign", abstract: "Manage campaigns.",
                                                    subcommands: [Load.self, List.self, Show.self, Pause.self, Resume.self])

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load a campaign plan (YAML).")
        @Argument var plan: String
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(.campaignLoad, try readFile(plan), as: CampaignInfo.self) { printCampaigns([$0]) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List campaigns.")
        @OptionGroup var options: ClientOptions
        func run() throws { try options.run(.campaignList, NoArgs(), as: [CampaignInfo].self) { printCampaigns($0) } }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A campaign and the progress of each stage.")
        @Argument var id: String
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(.campaignShow, CampaignRef(id: id), as: CampaignDetail.self) { d in
                printCampaigns([d.campaign])
                print("")
                printProgress(d.stages)
            }
        }
    }

    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop firing a campaign's deadlines.")
        @Argument var id: String
        @OptionGroup var options: ClientOptions
        func run() throws { try options.run(.campaignPause, CampaignRef(id: id), as: CampaignInfo.self) { printCampaigns([$0]) } }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused campaign; what fell due meanwhile fires once, late.")
        @Argument var id: String
        @OptionGroup var options: ClientOptions
        func run() throws { try options.run(.campaignResume, CampaignRef(id: id), as: CampaignInfo.self) { printCampaigns([$0]) } }
    }
}

func printProgress(_ stages: [StageProgress]) {
    Table(["stage", "for", "opens", "due", "done", "total", "overdue", "title"],
          stages.map { [$0.stage, $0.scope, $0.opens, $0.due, "\($0.completed)", "\($0.total)", "\($0.overdue)", $0.title] }).print()
}

struct Done: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record that a unit (or a member) completed a stage.")
    @Argument var unit: String
    @Argument var stage: String
    @Option(help: "A member of the cell (member stages); without it, every remaining member of the cell.") var member: String?
    @Option(help: "The campaign, when several cover the unit.") var campaign: String?
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(.done, DoneArgs(unit: unit, stage: stage, member: member, campaign: campaign), as: DoneResult.self) { r in
            if r.alreadyDone { print("\(r.member ?? r.unit): '\(r.stage)' was already complete"); return }
            if r.completedMembers > 0 { print("\(r.completedMembers) member(s) of \(r.unit) completed '\(r.stage)'") }
            if r.unitCompleted { print("\(r.unit) completed '\(r.stage)'") }
        }
    }
}

struct Extend: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Give one unit a new deadline for a stage (audited).")
    @Argument var unit: String
    @Argument var stage: String
    @Argument(help: "New deadline: ISO 8601 with offset, or a date (meaning before that day).") var until: String
    @Option(help: "Why (required).") var reason: String
    @Option var campaign: String?
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(.extend, ExtendArgs(unit: unit, stage: stage, until: until, reason: reason, campaign: campaign), as: ExtendResult.self) { r in
            print("\(r.unit): '\(r.stage)' now due \(r.due)")
        }
    }
}

struct Overdue: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Units past a deadline.")
    @Option(help: "Only this unit's subtree.") var unit: String?
    @Option var campaign: String?
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(.overdue, UnitFilter(unit: unit, campaign: campaign), as: OverdueResult.self) { r in
            if r.items.isEmpty { print("nothing overdue"); return }
            Table(["campaign", "stage", "unit", "due", "late members", "name"],
                  r.items.map { [$0.campaign, $0.stage, $0.unit, $0.due, $0.lateMembers.map(String.init) ?? "", $0.name] }).print()
            if r.truncated { print("… \(r.total) in all; narrow with --unit") }
        }
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Where things stand, per stage.")
    enum Format: String, ExpressibleByArgument { case table, csv, json }
    @Option(help: "Only this unit's subtree.") var unit: String?
    @Option var campaign: String?
    @Option(help: "table, csv or json.") var format: Format = .table
    @OptionGroup var options: ClientOptions

    func run() throws {
        var opts = options
        if format == .json { opts.json = true }
        try opts.run(.report, UnitFilter(unit: unit, campaign: campaign), as: [ReportResult].self) { reports in
            if format == .csv {
                // One table, a `section` per kind of row: stage progress, units one level down,
                // the quota per grassroots organization, flags.
                func csv(_ fields: [String]) -> String {
                    fields.map { $0.contains(",") || $0.contains("\"") ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0 }.joined(separator: ",")
                }
                print("section,campaign,unit,item,total,completed,overdue,detail")
                for r in reports {
                    for s in r.stages { print(csv(["stage", r.campaign, r.unit, s.stage, "\(s.total)", "\(s.completed)", "\(s.overdue)", s.due])) }
                    for c in r.children ?? [] { print(csv(["child", r.campaign, r.unit, c.unit, "\(c.total)", "\(c.completed)", "\(c.overdue)", "flags=\(c.flags) remediation=\(c.openRemediation)"])) }
                    for q in r.ratings?.quota ?? [] { print(csv(["quota", r.campaign, r.unit, q.unit, "\(q.good)", "\(q.excellent)", q.excellent > q.allowed ? "1" : "0", "allowed=\(q.allowed)"])) }
                    for f in r.flags ?? [] { print(csv(["flag", r.campaign, r.unit, f.unit, "", f.reviewHeld ? "1" : "0", "", f.reasons.joined(separator: " ")])) }
                }
                return
            }
            for r in reports { printReport(r) }
        }
    }
}

struct Preview: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Dry run: what would fire between now and --until, changing nothing.")
    @Option(help: "ISO 8601 instant with offset, or a date.") var until: String
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(.preview, PreviewArgs(until: until), as: PreviewResult.self) { r in
            print("from \(r.from) until \(r.until): \(r.events.count) event(s)")
            for e in r.events { printEvent(e) }
        }
    }
}

func printEvent(_ e: EventBody) { print(eventLine(e)) }

func eventLine(_ e: EventBody) -> String {
    var line = "\(e.seq == 0 ? "-" : String(e.seq))  \(e.time)  \(e.type)"
    if let u = e.unit { line += "  \(u)" }
    if let s = e.stage { line += "  \(s)" }
    if e.late == true { line += "  (late)" }
    if let m = e.message { line += "\n    \(m)" }
    return line
}

/// Codes shown to people in Vietnamese (DOMAIN.md's terms).
func reasonText(_ code: String) -> String { FlagReason(rawValue: code)?.vietnamese ?? code }
func kindText(_ code: String) -> String { UnitKind(rawValue: code)?.vietnamese ?? code }
func scopeText(_ scope: String) -> String {
    scope == "members" ? "Đảng viên" : scope.split(separator: ",").map { kindText(String($0)) }.joined(separator: ", ")
}

/// The report for people, with Vietnamese headings.
func printReport(_ r: ReportResult) {
    print("BÁO CÁO TIẾN ĐỘ — \(r.campaign) — \(r.name) (\(r.unit)), tính đến \(r.asOf)\n")
    Table(["Giai đoạn", "Đối tượng", "Hạn", "Đã hoàn thành", "Tổng số", "Quá hạn", "Nội dung"],
          r.stages.map { [$0.stage, scopeText($0.scope), $0.due, "\($0.completed)", "\($0.total)", "\($0.overdue)", $0.title] }).print()
    if let flags = r.flags, !flags.isEmpty {
        print("\nTổ chức có dấu hiệu cần kiểm điểm ngay")
        Table(["Đơn vị", "Biểu hiện", "Kết luận", "Hạn kiểm điểm theo chỉ đạo", "Đã kiểm điểm"],
              flags.map { [$0.unit, $0.reasons.map(reasonText).joined(separator: ", "), $0.confirmed ? "có" : "chưa", $0.reviewDue, $0.reviewHeld ? "rồi" : "chưa"] }).print()
    }
    if let ratings = r.ratings, !(ratings.members.isEmpty && ratings.units.isEmpty) {
        let levels = ["excellent", "good", "completed", "failed"]
        print("\nKết quả xếp loại")
        Table(["", "HTXSNV", "HTTNV", "HTNV", "KHTNV"],
              [["Đảng viên"] + levels.map { "\(ratings.members[$0] ?? 0)" }, ["Tổ chức đảng"] + levels.map { "\(ratings.units[$0] ?? 0)" }]).print()
        if !ratings.quota.isEmpty {
            print("\nTỷ lệ HTXSNV so với HTTNV theo tổ chức cơ sở đảng")
            Table(["Tổ chức cơ sở đảng", "Nhóm", "Đã quyết định", "HTXSNV", "HTTNV", "Tối đa HTXSNV", "Vượt"],
                  ratings.quota.map { q in [q.unit, q.group ?? "", q.decided.map { "\($0)/\(q.total ?? $0)" } ?? "", "\(q.excellent)", "\(q.good)", "\(q.allowed)",
                                       q.excellent > q.allowed ? "có" : "không"] }).print()
        }
    }
    if let conflicts = r.conflicts, !conflicts.isEmpty {
        print("\nKết quả xếp loại mâu thuẫn với kỷ luật, kết luận ghi nhận sau (cần huỷ và xếp loại lại)")
        Table(["Đơn vị", "Quy tắc", "Nội dung"], conflicts.map { [$0.unit, $0.rule, $0.message] }).print()
    }
    if let open = r.openRemediation {
        print("\nKhắc phục khuyết điểm: \(open) nội dung chưa hoàn thành, \(r.overdueRemediation ?? 0) quá hạn")
    }
    if let earlier = r.earlierRemediation, !earlier.isEmpty {
        print("\nHạn chế, khuyết điểm từ các kỳ kiểm điểm trước chưa khắc phục xong")
        Table(["Số", "Đơn vị", "Đảng viên", "Hạn", "Nội dung"], earlier.map { ["\($0.id)", $0.unit, $0.member ?? "", $0.due, $0.text] }).print()
    }
    if let suggestions = r.suggestions, !suggestions.isEmpty {
        print("\nGợi ý kiểm điểm của cấp ủy cấp trên")
        Table(["Đơn vị", "Cấp ủy gợi ý", "Thời gian", "Nội dung"], suggestions.map { [$0.unit, $0.author, $0.time, String($0.text.prefix(200))] }).print()
    }
    if let children = r.children, !children.isEmpty {
        print("\nCấp trực thuộc")
        Table(["Đơn vị", "Loại", "Đã hoàn thành", "Tổng số", "Quá hạn", "Dấu hiệu", "Khắc phục chưa xong", "Tên"],
              children.map { [$0.unit, kindText($0.kind), "\($0.completed)", "\($0.total)", "\($0.overdue)", "\($0.flags)", "\($0.openRemediation)", $0.name] }).print()
    }
    print("")
}
