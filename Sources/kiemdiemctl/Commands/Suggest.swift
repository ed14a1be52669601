import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct SuggestCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "suggest", 
        abstract: "The upper committee's written review suggestions for a unit (gợi ý kiểm điểm): published and delivered to the unit.")
    @Argument var unit: String
    @Option(help: "A UTF-8 text file with the suggestions.") var file: String
    @Option var campaign: String?
    @OptionGroup var options: ClientOptions

    func run() throws {
        let f = try readFile(file)
        try options.run(Suggest.self, SuggestArgs(unit: unit, name: f.name, content: f.content, campaign: campaign)) {
            print("suggestion \($0.id) from \($0.author) to \($0.unit)")
        }
    }
}
