import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct SuggestCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "suggest", 
        abstract: "The upper committee's written review suggestions for a unit (gợi ý kiểm điểm): published and delivered to the unit.",
        discussion: """
            Example:
              kiemdiemctl suggest so-tai-chinh-cb-van-phong --file config/examples/goi-y.txt
            """)
    @Argument(help: ArgumentHelp("The unit the suggestions are for.", discussion: "e.g. so-tai-chinh-cb-van-phong")) var unit: String
    @Option(help: ArgumentHelp("A UTF-8 text file with the suggestions.", discussion: "e.g. --file config/examples/goi-y.txt")) var file: String
    @Option(help: ArgumentHelp("The campaign, when several cover the unit (default: the only open one that does).", discussion: "e.g. --campaign 2026-annual")) var campaign: String?
    @OptionGroup var options: ClientOptions

    func run() throws {
        let f = try readFile(file)
        try options.run(Suggest.self, SuggestArgs(unit: unit, name: f.name, content: f.content, campaign: campaign)) {
            print("suggestion \($0.id) from \($0.author) to \($0.unit)")
        }
    }
}
