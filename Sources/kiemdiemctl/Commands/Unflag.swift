import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct UnflagCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unflag", abstract: "Close a unit's open flags with a note.")
    @Argument var unit: String
    @Option var note: String
    @OptionGroup var options: ClientOptions
    func run() throws {
        try options.run(Unflag.self, UnflagArgs(unit: unit, note: note)) { print("closed flag(s) \($0.closed.map(String.init).joined(separator: ", ")) on \($0.unit)") }
    }
}
