import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct ImportCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Load or update the tree (all-or-nothing).")
    enum What: String, ExpressibleByArgument { case units, members }
    @Argument(help: "units or members") var what: What
    @Argument(help: "CSV file") var file: String
    @OptionGroup var options: ClientOptions

    func run() throws {
        let args = try readFile(file)
        let human = { (r: ImportResult) in print("\(what.rawValue): \(r.added) added, \(r.updated) updated, \(r.total) in all") }
        switch what {
        case .units: try options.run(ImportUnits.self, args, human: human)
        case .members: try options.run(ImportMembers.self, args, human: human)
        }
    }
}
