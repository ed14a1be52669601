import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct PreviewCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "preview", abstract: "Dry run: what would fire between now and --until, changing nothing.")
    @Option(help: "ISO 8601 instant with offset, or a date.") var until: String
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Preview.self, PreviewArgs(until: until)) { r in
            print("from \(r.from) until \(r.until): \(r.events.count) event(s)")
            for e in r.events { printEvent(e) }
        }
    }
}
