import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct UnflagCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unflag", abstract: "Close a unit's open flags with a note.",
        discussion: """
            Example:
              kiemdiemctl unflag so-tai-chinh --note 'Kiểm tra không phát hiện vi phạm'
            """)
    @Argument(help: ArgumentHelp("The flagged unit's id.", discussion: "e.g. so-tai-chinh")) var unit: String
    @Option(help: ArgumentHelp("Why the flags close (required); their directed reviews stop escalating.",
                               discussion: "e.g. --note 'Kiểm tra không phát hiện vi phạm'")) var note: String
    @OptionGroup var options: ClientOptions
    func run() throws {
        try options.run(Unflag.self, UnflagArgs(unit: unit, note: note)) { print("closed flag(s) \($0.closed.map(String.init).joined(separator: ", ")) on \($0.unit)") }
    }
}
