import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemEngine
import KiemDiemWire

/// `check`: a file judged by the daemon's own code on an empty in-memory database, so a
/// committee can fix a file before a daemon sees it. Nothing is sent anywhere.
struct CheckCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a units, members, plan or ratings file without a daemon, with the daemon's own file:line errors.",
        discussion: """
            Exit status 0 when the file would be accepted, 1 with every finding when it would not, 2 when \
            a file cannot be read.

            Examples:
              kiemdiemctl check units config/examples/units.csv
              kiemdiemctl check members config/examples/members.csv --tree config/examples/units.csv
              kiemdiemctl check plan config/examples/plan.yaml --tree config/examples/units.csv
              kiemdiemctl check ratings config/examples/ratings.csv --tree config/examples/units.csv \\
                  --members config/examples/members.csv --plan config/examples/plan.yaml
            """,
        subcommands: [Units.self, Members.self, PlanFile.self, Ratings.self])

    struct Units: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a units file (id,parent,kind,name[,head][,email][,phone][,disciplined]); with --members, its heads too.",
            discussion: "Example: kiemdiemctl check units config/examples/units.csv --members config/examples/members.csv")
        @Argument(help: ArgumentHelp("The units CSV file.", discussion: "e.g. config/examples/units.csv")) var file: String
        @Option(help: ArgumentHelp("The members file: each unit's head must be one of its members, as `import units` checks once members are stored.",
                                   discussion: "e.g. --members config/examples/members.csv")) var members: String?
        func run() throws {
            let check = try Checker()
            if let members {
                // As the daemon would judge the file with these members stored: the tree without
                // its heads first (so the members load), then the file itself, whose findings
                // name its lines.
                let f = try readFile(file)
                let staged: String
                do { staged = Checker.withoutHeads(try TreeImport.parseUnits(f.content, source: f.name).map(\.unit)) } catch {
                    throw Checker.refused(OfflineCheck.refusal(error))
                }
                _ = try check.run(ImportUnits.self, FileArgs(name: f.name, content: staged))
                _ = try check.members(members)
                let r = try check.run(ImportUnits.self, f)
                print("\(file): ok, \(r.total) units, every head among their unit's members")
                return
            }
            let r = try check.units(file)
            print("\(file): ok, \(r.total) units")
        }
    }

    struct Members: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a members file (id,unit,name[,role][,email][,phone][,disciplined]); with --tree, against the units too.",
            discussion: "Example: kiemdiemctl check members config/examples/members.csv --tree config/examples/units.csv")
        @Argument(help: ArgumentHelp("The members CSV file.", discussion: "e.g. config/examples/members.csv")) var file: String
        @Option(help: ArgumentHelp("The units file the members belong to; without it, each member's unit is not checked.",
                                   discussion: "e.g. --tree config/examples/units.csv")) var tree: String?
        func run() throws {
            let check = try Checker()
            if let tree {
                _ = try check.units(tree)
                let r = try check.members(file)
                print("\(file): ok, \(r.total) members")
            } else {
                let f = try readFile(file)
                do {
                    let members = try TreeImport.parseMembers(f.content, source: f.name) { _ in .cell }
                    print("\(file): ok, \(members.count) members (their units not checked: give --tree)")
                } catch {
                    throw Checker.refused(OfflineCheck.refusal(error))
                }
            }
        }
    }

    struct PlanFile: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan", abstract: "Check a campaign plan (YAML); with --tree, load it over the units as the daemon would.",
            discussion: "Example: kiemdiemctl check plan config/examples/plan.yaml --tree config/examples/units.csv")
        @Argument(help: ArgumentHelp("The plan YAML file.", discussion: "e.g. config/plans/2026-annual.yaml")) var file: String
        @Option(help: ArgumentHelp("The units file; the plan's root must be one of them.", discussion: "e.g. --tree config/examples/units.csv")) var tree: String?
        func run() throws {
            let f = try readFile(file)
            let plan = try Checker.plan(f)
            if let tree {
                let check = try Checker(at: plan.opens)
                _ = try check.units(tree)
                _ = try check.run(CampaignLoad.self, f)
            }
            print("\(file): ok, campaign \(plan.id) (\(plan.ruleset.rawValue)), \(plan.stages.count) stages, root \(plan.root)\(tree == nil ? " (root not checked: give --tree)" : "")")
        }
    }

    struct Ratings: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a rating file against a tree, its members and a plan, as `rate` would at the campaign's opening.",
            discussion: """
                Rating files already accepted go first with --in-force, in order: the rules hold over \
                the campaign's whole state, so a decision may need the proposals before it.

                Example: kiemdiemctl check ratings config/examples/ratings.csv --tree config/examples/units.csv \\
                             --members config/examples/members.csv --plan config/examples/plan.yaml
                """)
        @Argument(help: ArgumentHelp("The rating CSV file (subject,kind,level[,note][,commendation][,status][,score,on_time,beyond]).",
                                     discussion: "e.g. config/examples/ratings.csv")) var file: String
        @Option(help: ArgumentHelp("The units file.", discussion: "e.g. --tree config/examples/units.csv")) var tree: String
        @Option(help: ArgumentHelp("The members file.", discussion: "e.g. --members config/examples/members.csv")) var members: String
        @Option(help: ArgumentHelp("The campaign plan the ratings belong to.", discussion: "e.g. --plan config/examples/plan.yaml")) var plan: String
        @Option(name: .customLong("in-force"), help: ArgumentHelp("A rating file accepted before this one (repeatable, in order).",
                                                                   discussion: "e.g. --in-force de-xuat.csv")) var inForce: [String] = []
        @Flag(help: "Rows without a status column are proposals, as with `rate --proposed`.") var proposed = false
        func run() throws {
            let p = try readFile(plan)
            let parsed = try Checker.plan(p)
            let check = try Checker(at: parsed.opens)
            _ = try check.units(tree)
            _ = try check.members(members)
            _ = try check.run(CampaignLoad.self, p)
            for earlier in inForce {
                let f = try readFile(earlier)
                _ = try check.run(Rate.self, RateArgs(name: f.name, content: f.content))
            }
            let f = try readFile(file)
            let r = try check.run(Rate.self, RateArgs(name: f.name, content: f.content, proposed: proposed ? true : nil))
            print("\(file): ok, \(r.accepted) rating(s) would be accepted in \(r.campaign)")
            for w in r.warnings ?? [] { print("  quota: \(w)") }
        }
    }
}

/// The daemon's commands on an empty in-memory database; a refusal prints as the daemon's
/// would and ends with status 1.
struct Checker {
    let host: OfflineCheck

    init(at now: Date = Date()) throws {
        host = try OfflineCheck(now: now)
    }

    func run<C: EngineCommand>(_ command: C.Type, _ args: C.Args) throws -> C.Result {
        do { return try host.run(command, args) } catch { throw Self.refused(error) }
    }

    func units(_ path: String) throws -> ImportResult { try run(ImportUnits.self, try readFile(path)) }
    func members(_ path: String) throws -> ImportResult { try run(ImportMembers.self, try readFile(path)) }

    static func plan(_ f: FileArgs) throws -> Plan {
        do { return try PlanParser.parse(f.content, source: f.name) } catch {
            throw refused(OfflineCheck.refusal(error))
        }
    }

    /// A units file of `units` with no heads (names quoted as CSV needs).
    static func withoutHeads(_ units: [OrgUnit]) -> String {
        func q(_ s: String) -> String { s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        return "id,parent,kind,name,head,email\n" + units.map { "\($0.id),\($0.parent ?? ""),\($0.kind.rawValue),\(q($0.name)),,\n" }.joined()
    }

    static func refused(_ e: ErrorBody) -> ExitCode {
        Style.fail(ClientError.remote(e).description)
        return ExitCode(1)
    }
}
