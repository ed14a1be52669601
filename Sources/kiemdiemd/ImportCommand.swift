import ArgumentParser
import Foundation
import KiemDiemDaemon
import KiemDiemEngine
import KiemDiemStore
import KiemDiemWire

/// `kiemdiemd import`: a first load of a large tree, with the daemon stopped.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load the units and members files into the database, with the daemon stopped.",
        discussion: """
            Checks the files exactly as `kiemdiemctl import` does and stores both in one \
            transaction: all of it, or on any error nothing. Refuses to run while a daemon (or \
            another import) holds the database. Progress goes to stderr.

            Example:
              kiemdiemd import --config /etc/kiemdiem/kiemdiemd.yaml \\
                  config/examples/units.csv config/examples/members.csv
            """)

    @OptionGroup var options: ConfigOptions
    @Argument(help: ArgumentHelp("The units file (CSV).", discussion: "e.g. config/examples/units.csv")) var units: String
    @Argument(help: ArgumentHelp("The members file (CSV); optional.", discussion: "e.g. config/examples/members.csv")) var members: String?

    func run() throws {
        let (_, cfg) = try options.load()
        func say(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        func read(_ path: String) throws -> FileArgs {
            let start = Date()
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
                let text = String(decoding: data, as: UTF8.self)
                say(String(format: "read %@: %.1f MB in %.1f s", path, Double(data.count) / 1e6, Date().timeIntervalSince(start)))
                return FileArgs(name: (path as NSString).lastPathComponent, content: text)
            } catch {
                say("kiemdiemd import: cannot read \(path): \(error.localizedDescription)")
                throw ExitCode(2)
            }
        }
        let started = Date()
        let store: Store
        do { store = try Store(path: cfg.database, synchronous: cfg.synchronous, exclusive: true) } catch {
            say("kiemdiemd import: \(error)")
            throw ExitCode(3)
        }
        let engine = try Engine(store: store)
        let unitsFile = try read(units)
        let membersFile = try members.map { path in
            do {
                return (name: (path as NSString).lastPathComponent, data: try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped))
            } catch {
                say("kiemdiemd import: cannot read \(path): \(error.localizedDescription)")
                throw ExitCode(2)
            }
        }
        let now = try store.read { try $0.storedClock() } ?? Date()
        do {
            let r = try engine.bulkLoad(units: unitsFile, members: membersFile, now: now) { step in
                switch step {
                case .parsed(let file, let rows, let s): say(String(format: "checked %@: %d rows in %.1f s", file, rows, s))
                case .storing(let file, let rows, let percent): say(String(format: "checked and stored %@: %d rows, %d%% of the file", file, rows, percent))
                case .validated(let file, let s): say(String(format: "checked the tree with %@ in %.1f s", file, s))
                case .stored(let file, let s): say(String(format: "stored %@ in %.1f s", file, s))
                case .rollups(let s): say(String(format: "built the indexes and counted the tree in %.1f s", s))
                }
            }
            for (name, result) in [(units, r.units), (members ?? "", r.members)] {
                if let result { print("\(name): \(result.added) added, \(result.updated) updated, \(result.total) in all") }
            }
            say(String(format: "done in %.1f s", Date().timeIntervalSince(started)))
        } catch let e as ErrorBody {
            say("kiemdiemd import: \(e.message)")
            for d in e.details ?? [] { say("  \(d)") }
            say("nothing was stored")
            throw ExitCode(1)
        }
    }
}
